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

#define TRACKING_TABLE "schema_migrations"

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
	char *down_sql;		/* written by insert; load_applied leaves it NULL */
	char *down_options;
	char *state;		/* see STATE_* */
	char *error;
	double duration_ms;	/* < 0 when unknown */
	int has_down;		/* a down section was stored */
};

struct applied_set {
	struct applied *v;	/* sorted by version */
	size_t n;
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

/*
 * The columns every tracking table has (the Story Hub table's), which
 * tracking_select reads; bit i of a "base" mask says tracking_base[i]
 * exists.
 */
#define TRACKING_NBASE 4
extern const char *const tracking_base[TRACKING_NBASE];
/*
 * Fails, saying so in one sentence naming db, unless what holds the
 * tracking table's name is a table (kind "table"; else "a view" and the
 * like) with every base column.
 */
int tracking_check(const char *db, const char *kind, unsigned base,
    struct buf *err);

/* How a driver's SQL spells the tracking table. */
struct tracking_dialect {
	const char *id;		/* the id column's type and key */
	const char *applied_at;	/* applied_at's type and default */
	const char *applied_at_text;	/* applied_at as YYYY-MM-DD HH:MM:SS */
	const char *duration;	/* duration_ms's type */
};

/*
 * Appends the SQL that creates the tracking table (exists == 0) or adds
 * the extra columns have lacks: nothing when none is missing.
 */
void tracking_ddl(struct buf *sql, const struct tracking_dialect *d,
    int exists, unsigned have);
/* Appends a SELECT of every row, in the columns applied_from_text reads. */
void tracking_select(struct buf *sql, const struct tracking_dialect *d,
    unsigned have);
#define TRACKING_NCOLS 9
/*
 * Fills a from one row of tracking_select as text (NULL for SQL NULL);
 * the has-down column is true as "1" or "t".
 */
void applied_from_text(struct applied *a,
    const char *const v[TRACKING_NCOLS]);

/* open flags */
#define STORE_NOCREATE	0x1	/* fail with RUNNER_ENOENT if it does not exist */

/* begin/commit flags: the options of the section being run */
#define STORE_NOTX	0x1	/* no wrapping transaction */
#define STORE_FKOFF	0x2	/* foreign keys off; checked before commit */

struct store_ops;

struct store {
	const struct store_ops *ops;
	char *display;		/* the database as shown to users */
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
	 * All rows, without their stored down SQL (which status never needs
	 * and which grows with the history); a missing table is an empty set.
	 */
	int (*load_applied)(struct store *s, struct applied_set *out,
	    struct buf *err);
	/* The stored down SQL of version into *sql (freed by the caller). */
	int (*load_down)(struct store *s, const char *version, char **sql,
	    struct buf *err);
	/* *found = 1 and the row's state in state (if not NULL) when present. */
	int (*find)(struct store *s, const char *version, int *found,
	    char **state, struct buf *err);
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
	 * When this open created the database file: remove it at close,
	 * since nothing was committed to it (a failed init). NULL when the
	 * driver never creates databases.
	 */
	void (*discard_created)(struct store *s);
};

/*
 * Opens the database named by url (a path, sqlite:PATH, sqlite:///PATH,
 * or a server URL) with the driver that handles it.
 */
int store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err);
void store_close(struct store *s);
/*
 * A database this open created is removed when s closes: for a command
 * that failed before committing anything to it. A no-op otherwise.
 */
void store_discard_created(struct store *s);
/* The driver for url, and what it gets as target (e.g. a path). */
int store_driver(const char *url, const struct store_ops **ops,
    const char **target, struct buf *err);
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
/* Appends the drivers built in, with their library versions. */
void store_drivers(struct buf *out);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;	/* when built with libpq */
/* libpq's version as "15.4", for store_drivers. */
const char *store_pg_version(void);

#endif
