/*
 * plan.h: merging the migration files with the applied rows, and deciding
 * what a command would run. Pure functions: no I/O.
 */
#ifndef RUNNER_PLAN_H
#define RUNNER_PLAN_H

#include "buf.h"
#include "file_migset.h"
#include "plan_rows.h"

enum entry_state {
	ENTRY_APPLIED,
	ENTRY_PENDING,
	ENTRY_CHANGED,	/* applied, but the file's checksum differs */
	ENTRY_MISSING,	/* applied, but the file is gone */
	ENTRY_FAILED	/* a transaction:false section failed or was cut off */
};

struct plan_entry {
	const struct migfile *file;	/* NULL when missing */
	const struct applied *row;	/* NULL when pending */
	enum entry_state state;
};

struct plan {
	struct plan_entry *v;	/* sorted by version */
	size_t n;
	size_t count[ENTRY_FAILED + 1];
};

#define PLAN_INIT { NULL, 0, { 0 } }

/* Borrows files and rows: they must outlive the plan. */
void plan_build(struct plan *p, const struct migset *files,
    const struct applied_set *rows);
void plan_release(struct plan *p);
const char *entry_state_name(enum entry_state s);
/* Whether the applied checksum and the file's differ. */
int checksum_differs(const char *applied, const char *file);

/*
 * The checks migrate makes before changing anything: no changed or failed
 * migration, and (unless allow_ooo) no pending one older than the newest
 * applied. target (or NULL for all) bounds the pending ones considered.
 */
int plan_check_migrate(const struct plan *p, const char *target,
    int allow_ooo, struct buf *err);

/*
 * The entries a rollback undoes, newest first, into out (an array of p->n
 * pointers): with all, every applied one; else those above target, which
 * stays applied (NULL: just the newest). A target of 0 no migration has
 * means all. Checks that target is applied and that every entry undone
 * is reversible.
 */
int plan_rollback(const struct plan *p, const char *target, int all,
    const struct plan_entry **out, size_t *n, struct buf *err);

/*
 * The pending entries a stamp up to target records as applied, oldest
 * first, into out (an array of p->n pointers); checks that a file has
 * version target and that no migration up to it is changed or failed.
 */
int plan_stamp(const struct plan *p, const char *target,
    const struct plan_entry **out, size_t *n, struct buf *err);

#endif
