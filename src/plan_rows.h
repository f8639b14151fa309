/*
 * plan_rows.h: the tracking table's rows as planning reads them, whatever
 * database they came from.
 */
#ifndef RUNNER_PLAN_ROWS_H
#define RUNNER_PLAN_ROWS_H

#include <stddef.h>

/*
 * The states of a row. Only transaction:false sections leave anything but
 * "applied": "running" / "failed" while or after their up section ran,
 * "rolling_back" / "rollback_failed" for their down section.
 */
#define STATE_APPLIED		"applied"
#define STATE_RUNNING		"running"
#define STATE_FAILED		"failed"
#define STATE_ROLLING_BACK	"rolling_back"
#define STATE_ROLLBACK_FAILED	"rollback_failed"

/* One row of schema_migrations. Strings may be NULL (SQL NULL). */
struct applied {
	char *version;
	char *name;
	char *applied_at;
	char *checksum;
	char *down_sql;		/* written by insert; never read back here */
	char *down_options;
	char *state;		/* see STATE_* */
	char *error;
	double duration_ms;	/* < 0 when unknown */
	int has_down;		/* a down section was stored */
};

/* What applied_each found under the tracking table's name. */
enum tracking_found {
	TRACKING_NONE,		/* no such table */
	TRACKING_OURS,		/* runner's (or Story Hub's) table */
	TRACKING_OTHER		/* a table of that name without runner's columns */
};

struct applied_set {
	struct applied *v;	/* sorted by version */
	size_t n;
	enum tracking_found found;
};

void applied_release(struct applied *a);
void applied_set_release(struct applied_set *s);
void applied_set_sort(struct applied_set *s);
/* The row with this version (numeric comparison), or NULL. */
const struct applied *applied_find(const struct applied_set *s,
    const char *version);

#endif
