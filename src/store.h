/*
 * store.h: the interface every database driver implements. The commands
 * talk to a database only through these operations, so a new driver (the
 * PostgreSQL one next) needs no change in them.
 */
#ifndef RUNNER_STORE_H
#define RUNNER_STORE_H

#include <stddef.h>

#include "buf.h"
#include "schema.h"

/* The tracking table's name unless --table or RUNNER_TABLE says otherwise. */
#define TRACKING_TABLE "schema_migrations"
/*
 * The drift record (drift.c): what the schema should be, written by the
 * commands that change it. Its table is the tracking table's name with
 * this suffix (drift_sql), so that --table names it too:
 * schema_migrations_drift by default.
 */
#define DRIFT_SUFFIX "_drift"

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

/* open flags */
#define STORE_NOCREATE	0x1	/* fail with RUNNER_ENOENT if it does not exist */
#define STORE_READONLY	0x2	/* open read-only (mode=ro, immutable=1) */

/* begin/commit flags: the options of the section being run */
#define STORE_NOTX	0x1	/* no wrapping transaction */
#define STORE_FKOFF	0x2	/* foreign keys off; checked before commit */

struct store_ops;

struct store {
	const struct store_ops *ops;
	char *display;		/* the database as shown to users */
	/*
	 * Set by a driver that notices the schema changed between two of its
	 * own statements, by someone else (SQLite: the schema cookie moved
	 * while runner held no transaction); drift.c then trusts nothing it
	 * did not replay itself.
	 */
	int foreign_ddl;
	char *table;		/* the tracking table's name (store_set_table);
				   drivers start it as TRACKING_TABLE */
};

/*
 * Every function returns 0 or a negative RUNNER_E* code with a message in
 * err. Transactions: begin takes the write lock (waiting up to the lock
 * timeout) and opens a transaction unless STORE_NOTX; commit checks foreign
 * keys when STORE_FKOFF and restores them; rollback never fails.
 */
struct store_ops {
	const char *name;
	int (*open)(const char *target, unsigned flags, int lock_timeout,
	    struct store **out, struct buf *err);
	void (*close)(struct store *s);
	int (*begin)(struct store *s, unsigned flags, struct buf *err);
	int (*commit)(struct store *s, unsigned flags, struct buf *err);
	void (*rollback)(struct store *s, unsigned flags);
	/* Creates or upgrades the tracking table; inside a transaction. */
	int (*ensure_table)(struct store *s, struct buf *err);
	/*
	 * Calls each with every row as text, in tracking_select's columns
	 * (NULL for SQL NULL), without their stored down SQL (which status
	 * never needs and which grows with the history); a missing table has
	 * no rows. store_load_applied collects them. *found (when found is
	 * not NULL) says what stands under the table's name: only runner's
	 * own table has rows.
	 */
	int (*applied_each)(struct store *s, void (*each)(void *arg,
	    const char *const v[TRACKING_NCOLS]), void *arg,
	    enum tracking_found *found, struct buf *err);
	/* The stored down SQL of version into *sql (freed by the caller). */
	int (*load_down)(struct store *s, const char *version, char **sql,
	    struct buf *err);
	/* *found = 1 and the row's state in state (if not NULL) when present. */
	int (*find)(struct store *s, const char *version, int *found,
	    char **state, struct buf *err);
	/* row->applied_at, when not NULL, is kept; else the current time. */
	int (*insert)(struct store *s, const struct applied *row,
	    struct buf *err);
	/* duration_ms < 0 keeps the recorded duration. */
	int (*set_state)(struct store *s, const char *version,
	    const char *state, double duration_ms, const char *error,
	    struct buf *err);
	int (*set_checksum)(struct store *s, const char *version,
	    const char *checksum, struct buf *err);
	int (*remove)(struct store *s, const char *version, struct buf *err);
	/*
	 * Runs the statements in sql[0, len). On failure *errpos is the
	 * offset where the failing statement's text begins; RUNNER_EIO when
	 * the database's storage failed rather than the SQL.
	 */
	int (*exec)(struct store *s, const char *sql, size_t len,
	    size_t *errpos, struct buf *err);
	/* Drops every table, view, index and trigger; inside a transaction. */
	int (*drop_all)(struct store *s, struct buf *err);
	/*
	 * The schema as SQL, in a stable order. verify relies on equal
	 * text meaning equal describe results (it compares text first).
	 */
	int (*schema)(struct store *s, struct buf *out, struct buf *err);
	/*
	 * The schema by meaning (schema.h), sorted, without the tracking
	 * table: equal for two databases whose objects mean the same.
	 * NULL when the driver cannot describe its schema yet.
	 */
	int (*describe)(struct store *s, struct schema *out, struct buf *err);
	/*
	 * Opens a new, empty database of the same kind as target's, for
	 * verify; closing it removes it. target itself is never changed (a
	 * server driver only connects to it to create the scratch one).
	 * NULL when the driver has none.
	 */
	int (*open_scratch)(const char *target, int lock_timeout,
	    struct store **out, struct buf *err);
	/*
	 * Backups (NULL when the driver has none). snapshot writes a
	 * consistent copy of the database as of one moment to the empty file
	 * at path, without making other users of the database wait longer
	 * than a copy takes. check_image fails, saying why, unless the file
	 * at path is a sound database of this kind; its messages call the
	 * file name. replace puts the image at path in place of the
	 * database named by target, whole or not at all, with nothing of the
	 * old one (journals, objects made after the backup) left in the new.
	 */
	int (*snapshot)(struct store *s, const char *path, struct buf *err);
	const char *backup_suffix;	/* of backup file names: ".db.gz" */
	const char *image_kind;		/* "an SQLite database" */
	const char *image_checked;	/* what check_image found: "integrity ok" */
	/*
	 * The target is a file: restore stages the image next to it (so
	 * replace can rename it) and a missing file is a database to create.
	 * Otherwise the image goes to $TMPDIR and the database must exist.
	 */
	int target_is_file;
	int (*check_image)(const char *path, const char *name,
	    struct buf *err);
	/*
	 * s is the database at target, opened and holding the run lock, or
	 * NULL when target is a file that does not exist. Past the switch,
	 * a step that fails (syncing the folder) returns RUNNER_EAFTER:
	 * the image is in place. Notes for the user go to notes.
	 */
	int (*replace)(struct store *s, const char *target, const char *path,
	    struct buf *notes, struct buf *err);
	/*
	 * What identifies the database target names, recorded in its
	 * backups so that retention never touches another database's: for
	 * a file, its absolute path with links resolved.
	 */
	int (*identity)(const char *target, struct buf *out, struct buf *err);
	/* Makes the running statement fail soon; safe in a signal handler. */
	void (*interrupt)(struct store *s);
	/*
	 * Takes the run lock, held until close: it serializes whole commands
	 * that change the database, since each migration's own transaction
	 * alone lets a migrate and a rollback interleave (migrate plans 006,
	 * rollback undoes 005, migrate applies 006). Waits up to the lock
	 * timeout (RUNNER_EBUSY), or until interrupt() (RUNNER_EINTR); taking
	 * it again is a no-op. SQLite: flock() on the file; PostgreSQL: the
	 * session's advisory lock. NULL when the driver has none.
	 */
	int (*lock_run)(struct store *s, struct buf *err);
	/*
	 * Drift records (drift.c); NULL when the driver keeps none.
	 *
	 * fingerprint: a short text that changes whenever the schema does,
	 * cheap enough for every status; within one database, an equal
	 * fingerprint means an unchanged schema. With fingerprint_content it
	 * is the digest (schema_digest_of) of objects' result, so equal
	 * schemas anywhere have equal fingerprints; a scratch store then
	 * keeps it up to date statement by statement, for verify.
	 *
	 * objects: calls each for every object a record keeps of the schema
	 * (store_objects collects them), from which
	 * objects_describe gives the description describe would (SQLite:
	 * the CREATE statements, rebuilt in memory; PostgreSQL: describe's
	 * own objects). Neither includes the tracking or the drift table.
	 *
	 * record_read: the record's header and, if objects is not NULL, its
	 * objects' text (schema_encode); both empty when there is none.
	 * record_write: replaces it, inside a transaction, creating the
	 * table if needed; objects NULL keeps the stored ones, header NULL
	 * removes the record.
	 */
	int (*fingerprint)(struct store *s, struct buf *out, struct buf *err);
	int fingerprint_content;
	int (*objects)(struct store *s, void (*each)(void *arg,
	    const char *kind, const char *name, const char *def), void *arg,
	    struct buf *err);
	int (*objects_describe)(const struct schema *objs, struct schema *out,
	    struct buf *err);
	int (*record_read)(struct store *s, struct buf *header,
	    struct buf *objects, struct buf *err);
	int (*record_write)(struct store *s, const char *header,
	    const char *objects, struct buf *err);
	/*
	 * The columns of table (unquoted name, looked up as the tracking
	 * table is) into cols, lowercased, each followed by '\n'; *exists
	 * says whether the table is there.
	 */
	int (*columns)(struct store *s, const char *table, struct buf *cols,
	    int *exists, struct buf *err);
	/*
	 * Runs a query and calls row once per result row with its ncols
	 * values as text (NULL for SQL NULL; booleans as the server spells
	 * them). A non-zero return from row stops and is returned.
	 */
	int (*query)(struct store *s, const char *sql, int ncols,
	    int (*row)(void *arg, const char *const *v), void *arg,
	    struct buf *err);
	/*
	 * Renames table from (unquoted) to to, with the indexes and
	 * constraints named after it, so that a new table may take from's
	 * name; inside a transaction.
	 */
	int (*rename_table)(struct store *s, const char *from, const char *to,
	    struct buf *err);
	/*
	 * When this open created the database file: remove it at close,
	 * since nothing was committed to it (a failed init). NULL when the
	 * driver never creates databases.
	 */
	void (*discard_created)(struct store *s);
};

/* The wrappers for columns and query, for the layers above the drivers. */
int store_columns(struct store *s, const char *table, struct buf *cols,
    int *exists, struct buf *err);
int store_query(struct store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err);

/*
 * Opens the database named by url (a path, sqlite:PATH, sqlite:///PATH,
 * or a server URL) with the driver that handles it.
 */
int store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err);
void store_close(struct store *s);
/*
 * Names the tracking table (default TRACKING_TABLE), before the first
 * operation that uses it; RUNNER_EUSAGE for a name tracking_name_valid
 * refuses.
 */
int store_set_table(struct store *s, const char *table, struct buf *err);

/*
 * A database this open created is removed when s closes: for a command
 * that failed before committing anything to it. A no-op otherwise.
 */
void store_discard_created(struct store *s);

/*
 * The driver for url, what it gets as target in *target (a path, or the
 * server URL with dbmate's parameters translated for libpq) and its open
 * flags (STORE_READONLY for mode=ro). sqlite:, sqlite3: and file: names
 * are read case-insensitively, their query string is never part of the
 * path, and an unknown parameter is an error (RUNNER_EUSAGE).
 */
int store_driver(const char *url, const struct store_ops **ops,
    struct buf *target, unsigned *flags, struct buf *err);
/*
 * Every row of s's tracking table, sorted by version (applied_each), and
 * in out->found what stands under its name.
 */
int store_load_applied(struct store *s, struct applied_set *out,
    struct buf *err);
/* Whether url names a PostgreSQL database (built in or not). */
int store_is_pg_url(const char *url);
/* A scratch database of the kind url names: see open_scratch above. */
int store_open_scratch(const char *url, int lock_timeout, struct store **out,
    struct buf *err);

/*
 * url as it may be shown to users: a server URL's password (user:PASS@ and
 * password=PASS) becomes ***. Freed by the caller.
 */
char *store_display_url(const char *url);
/*
 * Replaces each occurrence of url's password in msg, as written in url and
 * percent-decoded, with ***: for messages (libpq's) that may echo it.
 */
void store_scrub(const char *url, struct buf *msg);
/*
 * The drift record operations (store_ops), failing with a message when the
 * driver has none.
 */
int store_fingerprint(struct store *s, struct buf *out, struct buf *err);
int store_objects(struct store *s, struct schema *out, struct buf *err);
/*
 * The same, written as schema_encode writes them, and their digest into
 * digest[SCHEMA_DIGEST_LEN], without keeping them.
 */
int store_objects_text(struct store *s, struct buf *text, char *digest,
    struct buf *err);
int store_objects_describe(struct store *s, const struct schema *objs,
    struct schema *out, struct buf *err);
int store_record_read(struct store *s, struct buf *header,
    struct buf *objects, struct buf *err);
int store_record_write(struct store *s, const char *header,
    const char *objects, struct buf *err);
int store_describe(struct store *s, struct schema *out, struct buf *err);
/*
 * The drift table, as both drivers create it (one row, id 1): a
 * drift_sql template.
 */
extern const char drift_table_ddl[];

/* Appends the drivers built in, with their library versions. */
void store_drivers(struct buf *out);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;	/* when built with libpq */
/* libpq's version as "15.4", for store_drivers. */
const char *store_pg_version(void);

#endif
