/*
 * store.h: the driver interface as the operations see it. They name a
 * database by URL and talk to it only through these functions, which pass
 * each call to the driver the URL chose (store_driver.h, private to the
 * drivers), so a new driver needs no change above this file.
 */
#ifndef RUNNER_STORE_H
#define RUNNER_STORE_H

#include <stddef.h>

#include "buf.h"
#include "text_schema.h"
#include "store_base.h"
#include "store_registry.h"
#include "store_tracking.h"
#include "store_url.h"


/*
 * What a driver is, for the operations that work on a database by name
 * (backups, restore) rather than through an open store.
 */
const char *driver_name(const struct store_ops *d);
/* Of backup file names: ".db.gz". */
const char *driver_backup_suffix(const struct store_ops *d);
/* What a backup holds, "an SQLite database", and what check_image found. */
const char *driver_image_kind(const struct store_ops *d);
const char *driver_image_checked(const struct store_ops *d);
/*
 * The target is a file: restore stages the image next to it (so replace
 * can rename it) and a missing file is a database to create. Otherwise
 * the image goes to $TMPDIR and the database must exist.
 */
int driver_target_is_file(const struct store_ops *d);
/* Opens target (from store_driver) with d: see store_open. */
int driver_open(const struct store_ops *d, const char *target,
    unsigned flags, int lock_timeout, struct store **out, struct buf *err);
/*
 * Fails, saying why, unless the file at path is a sound database of d's
 * kind; its messages call the file name.
 */
int driver_check_image(const struct store_ops *d, const char *path,
    const char *name, struct buf *err);
/*
 * What identifies the database target names, recorded in its backups so
 * that retention never touches another database's: for a file, its
 * absolute path with links resolved.
 */
int driver_identity(const struct store_ops *d, const char *target,
    struct buf *out, struct buf *err);

/*
 * Every function below returns 0 or a negative RUNNER_E* code with a
 * message in err.
 *
 * Opens the database named by url (a path, sqlite:PATH, sqlite:///PATH,
 * or a server URL) with the driver that handles it.
 */
int store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err);
void store_close(struct store *s);
/*
 * Opens a new, empty database of the same kind as url's, for verify;
 * closing it removes it. url's database itself is never changed (a server
 * driver only connects to it to create the scratch one).
 */
int store_open_scratch(const char *url, int lock_timeout, struct store **out,
    struct buf *err);
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
/* The driver's name: "sqlite". */
const char *store_name(const struct store *s);

/*
 * Transactions: begin takes the write lock (waiting up to the lock
 * timeout) and opens a transaction unless STORE_NOTX; commit checks
 * foreign keys when STORE_FKOFF and restores them; rollback never fails.
 */
int store_begin(struct store *s, unsigned flags, struct buf *err);
int store_commit(struct store *s, unsigned flags, struct buf *err);
void store_rollback(struct store *s, unsigned flags);
/*
 * Takes the run lock, held until close: it serializes whole commands
 * that change the database, since each migration's own transaction alone
 * lets a migrate and a rollback interleave (migrate plans 006, rollback
 * undoes 005, migrate applies 006). Waits up to the lock timeout
 * (RUNNER_EBUSY), or until store_interrupt (RUNNER_EINTR); taking it again
 * is a no-op. SQLite: flock() on the file; PostgreSQL: the session's
 * advisory lock.
 */
int store_lock_run(struct store *s, struct buf *err);
/* Makes the running statement fail soon; safe in a signal handler. */
void store_interrupt(struct store *s);

/* Creates or upgrades the tracking table; inside a transaction. */
int store_ensure_table(struct store *s, struct buf *err);
/*
 * Calls each with every row as text, in tracking_select's columns (NULL
 * for SQL NULL), without their stored down SQL (which status never needs
 * and which grows with the history); a missing table has no rows.
 * *found (when found is not NULL) says what stands under the table's
 * name: only runner's own table has rows.
 */
int store_applied_each(struct store *s, void (*each)(void *arg,
    const char *const v[TRACKING_NCOLS]), void *arg,
    enum tracking_found *found, struct buf *err);
/*
 * Every row of s's tracking table, sorted by version (applied_each), and
 * in out->found what stands under its name.
 */
int store_load_applied(struct store *s, struct applied_set *out,
    struct buf *err);
/* The stored down SQL of version into *sql (freed by the caller). */
int store_load_down(struct store *s, const char *version, char **sql,
    struct buf *err);
/* *found = 1 and the row's state in state (if not NULL) when present. */
int store_find(struct store *s, const char *version, int *found,
    char **state, struct buf *err);
/* row->applied_at, when not NULL, is kept; else the current time. */
int store_insert(struct store *s, const struct applied *row,
    struct buf *err);
/* duration_ms < 0 keeps the recorded duration. */
int store_set_state(struct store *s, const char *version, const char *state,
    double duration_ms, const char *error, struct buf *err);
int store_set_checksum(struct store *s, const char *version,
    const char *checksum, struct buf *err);
int store_remove(struct store *s, const char *version, struct buf *err);

/*
 * Runs the statements in sql[0, len). On failure *errpos is the offset
 * where the failing statement's text begins; RUNNER_EIO when the
 * database's storage failed rather than the SQL.
 */
int store_exec(struct store *s, const char *sql, size_t len,
    size_t *errpos, struct buf *err);
/*
 * Whether some statements commit the transaction they run in (MySQL's
 * DDL): then a section holding one cannot be atomic, and runs statement
 * by statement (store_statements) with its progress recorded.
 */
int store_ddl_commits(const struct store *s);
/*
 * For a driver whose DDL commits: calls each for every statement of
 * sql[0, len), as the driver splits them, with its extent and why it
 * commits implicitly ("CREATE TABLE"), or NULL when it does not. On a
 * split error (a bad DELIMITER line), *errpos is where. Others: nothing.
 */
int store_statements(struct store *s, const char *sql, size_t len,
    void (*each)(void *arg, size_t start, size_t end, const char *commits),
    void *arg, size_t *errpos, struct buf *err);
/*
 * Runs sql[0, len), one statement store_statements gave, as it is (not
 * split again: its text may hold what was a DELIMITER's business).
 */
int store_exec_one(struct store *s, const char *sql, size_t len,
    struct buf *err);
/* Drops every table, view, index and trigger; inside a transaction. */
int store_drop_all(struct store *s, struct buf *err);
/*
 * Renames table from (unquoted) to to, with the indexes and constraints
 * named after it, so that a new table may take from's name; inside a
 * transaction.
 */
int store_rename_table(struct store *s, const char *from, const char *to,
    struct buf *err);
/*
 * The columns of table (unquoted name, looked up as the tracking table
 * is) into cols, lowercased, each followed by '\n'; *exists says whether
 * the table is there.
 */
int store_columns(struct store *s, const char *table, struct buf *cols,
    int *exists, struct buf *err);
/*
 * Runs a query and calls row once per result row with its ncols values
 * as text (NULL for SQL NULL; booleans as the server spells them). A
 * non-zero return from row stops and is returned.
 */
int store_query(struct store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err);

/*
 * The schema as SQL, in a stable order. verify relies on equal text
 * meaning equal store_describe results (it compares text first).
 */
int store_schema(struct store *s, struct buf *out, struct buf *err);
/*
 * The schema by meaning (text_schema.h), sorted, without the tracking table:
 * equal for two databases whose objects mean the same.
 */
int store_describe(struct store *s, struct schema *out, struct buf *err);

/*
 * Backups. store_snapshot writes a consistent copy of the database as of
 * one moment to the empty file at path, without making other users of the
 * database wait longer than a copy takes. store_replace puts the image at
 * path in place of the database named by target, whole or not at all,
 * with nothing of the old one (journals, objects made after the backup)
 * left in the new: s is the database at target, opened and holding the
 * run lock, or NULL when target is a file that does not exist (d names
 * the driver then). Past the switch, a step that fails (syncing the
 * folder) returns RUNNER_EAFTER: the image is in place. Notes for the
 * user go to notes.
 */
int store_snapshot(struct store *s, const char *path, struct buf *err);
int store_replace(const struct store_ops *d, struct store *s,
    const char *target, const char *path, struct buf *notes,
    struct buf *err);

/*
 * Drift records (runner_drift.c).
 *
 * store_fingerprint: a short text that changes whenever the schema does,
 * cheap enough for every status; within one database, an equal
 * fingerprint means an unchanged schema. When store_fingerprint_content
 * it is the digest (schema_digest_of) of the objects' result, so equal
 * schemas anywhere have equal fingerprints; a scratch store then keeps it
 * up to date statement by statement, for verify.
 *
 * store_objects: every object a record keeps of the schema, from which
 * store_objects_describe gives the description store_describe would
 * (SQLite: the CREATE statements, rebuilt in memory; PostgreSQL:
 * describe's own objects). Neither includes the tracking or the drift
 * table.
 *
 * store_record_read: the record's header and, if objects is not NULL,
 * its objects' text (schema_encode); both empty when there is none.
 * store_record_write: replaces it, inside a transaction, creating the
 * table if needed; objects NULL keeps the stored ones, header NULL
 * removes the record.
 */
int store_fingerprint(struct store *s, struct buf *out, struct buf *err);
int store_fingerprint_content(const struct store *s);
int store_objects(struct store *s, struct schema *out, struct buf *err);
/*
 * The objects, written as schema_encode writes them, and their digest
 * into digest[SCHEMA_DIGEST_LEN], without keeping them.
 */
int store_objects_text(struct store *s, struct buf *text, char *digest,
    struct buf *err);
int store_objects_describe(struct store *s, const struct schema *objs,
    struct schema *out, struct buf *err);
int store_record_read(struct store *s, struct buf *header,
    struct buf *objects, struct buf *err);
int store_record_write(struct store *s, const char *header,
    const char *objects, struct buf *err);

#endif
