/*
 * store_tracking.h: the tracking table's rows and the SQL that names it,
 * shared by every driver below the driver interface: no I/O here.
 */
#ifndef RUNNER_STORE_TRACKING_H
#define RUNNER_STORE_TRACKING_H

#include <stddef.h>

#include "buf.h"
#include "text_migration.h"
#include "plan_rows.h"

/*
 * The drift record (runner_drift.c): what the schema should be, written by the
 * commands that change it. Its table is the tracking table's name with
 * this suffix (drift_sql), so that --table names it too:
 * schema_migrations_drift by default.
 */
#define DRIFT_SUFFIX "_drift"

/*
 * The tracking table's columns beyond the Story Hub table's first five, in
 * order. Bit i of a driver's "have" mask says tracking_extra[i] exists.
 */
#define TRACKING_NEXTRA 5
extern const char *const tracking_extra[TRACKING_NEXTRA];

/* How a driver's SQL spells the tracking table. */
struct tracking_dialect {
	const char *id;		/* the id column's type and key */
	const char *applied_at;	/* applied_at's type and default */
	const char *applied_at_text;	/* applied_at as YYYY-MM-DD HH:MM:SS */
	const char *duration;	/* duration_ms's type */
	/*
	 * MySQL's: NULL (or 0) for the others' TEXT and double quotes. A
	 * TEXT column can be neither a key nor (MySQL) have a default.
	 */
	const char *key_text;	/* version's type */
	const char *short_text;	/* name's and state's */
	const char *long_text;	/* the other text columns' */
	const char *table_options;	/* after CREATE TABLE's ")" */
	char quote;		/* of identifiers */
};

/*
 * Appends the SQL that creates the tracking table (exists == 0) or adds
 * the extra columns have lacks: nothing when none is missing. Every
 * column but version has a default, so another tool that inserts only
 * version into the same table (dbmate does) does not break.
 */
void tracking_ddl(struct buf *sql, const struct tracking_dialect *d,
    const char *table, int exists, unsigned have);
/* Appends a SELECT of every row, in the columns applied_from_text reads. */
void tracking_select(struct buf *sql, const struct tracking_dialect *d,
    const char *table, unsigned have);

/*
 * The one place names are derived from the tracking table's: tracking_sql
 * appends tmpl with each {T} replaced by the table's quoted identifier,
 * {L} by that identifier as a string literal (for to_regclass) and {N} by
 * the bare name as a string literal (for pragma_table_info, lock keys).
 */
void tracking_sql(struct buf *out, const char *table, const char *tmpl);
/* tracking_sql with identifiers quoted by quote (MySQL's '`'). */
void tracking_sql_q(struct buf *out, const char *table, const char *tmpl,
    char quote);
/*
 * tracking_sql for the drift record's table of the tracking table named
 * table: table's name followed by DRIFT_SUFFIX.
 */
void drift_sql(struct buf *out, const char *table, const char *tmpl);
/* Whether name (any case) is the drift table of tracking table table. */
int tracking_is_drift(const char *name, const char *table);
/*
 * The name another tool's table is renamed to when runner's table takes
 * its name (adopt): "schema_migrations_dbmate".
 */
void tracking_kept_name(struct buf *out, const char *table,
    const char *tool);
/*
 * Whether table (any case) is bookkeeping rather than schema: runner's
 * tracking table or its drift table, another tool's (goose_db_version, ...), or one kept by
 * adopt. Drift and describe leave them out.
 */
int tracking_is_bookkeeping(const char *name, const char *table);
/*
 * From a table's columns (store_columns' form): what it is, and the have
 * mask of the extra columns. Runner's table has version and name.
 */
unsigned tracking_columns(const char *cols, int exists,
    enum tracking_found *found);
/*
 * The longest tracking table name: 63 (PostgreSQL's identifiers) less
 * the longest suffix of a name derived from it, "_golang_migrate".
 */
#define TRACKING_NAME_MAX 48
/* Whether name can be a tracking table: [A-Za-z_][A-Za-z0-9_]{0,47}. */
int tracking_name_valid(const char *name);
#define TRACKING_NCOLS 9
enum { TC_VERSION, TC_NAME, TC_APPLIED_AT, TC_CHECKSUM, TC_DURATION,
	TC_HAS_DOWN, TC_DOWN_OPTIONS, TC_STATE, TC_ERROR };
/*
 * Fills a from one row of tracking_select as text (NULL for SQL NULL);
 * the has-down column is true as "1" or "t".
 */
void applied_from_text(struct applied *a,
    const char *const v[TRACKING_NCOLS]);
/* An applied_each callback that adds each row to an applied_set (arg). */
void applied_collect(void *arg, const char *const v[TRACKING_NCOLS]);

/*
 * The drift table, as both drivers create it (one row, id 1): a
 * drift_sql template.
 */
extern const char drift_table_ddl[];

#endif
