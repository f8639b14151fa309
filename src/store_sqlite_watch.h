/*
 * store_sqlite_watch.h: a scratch SQLite store's objects, followed so that
 * its fingerprint costs what changed since the last one; below the rest
 * of the SQLite driver, which it knows nothing of.
 */
#ifndef RUNNER_STORE_SQLITE_WATCH_H
#define RUNNER_STORE_SQLITE_WATCH_H

#include <sqlite3.h>

#include "buf.h"
#include "text_schema.h"
#include "store_tracking.h"

struct sqlite_watch;

/* A watch of the objects beside the tracking table (borrowed). */
struct sqlite_watch *sqlite_watch_new(const char *table);
/*
 * A scratch store's objects, followed so that its fingerprint costs what
 * changed since the last one, not the whole schema. sqlite_watch_auth sees
 * each action the authorizer is asked about while a section runs;
 * sqlite_watch_reset, called after a failed section or a rollback, makes
 * the next fingerprint read everything again.
 */
void sqlite_watch_auth(struct sqlite_watch *w, int action, const char *a1,
    const char *a2, const char *db);
void sqlite_watch_reset(struct sqlite_watch *w);
void sqlite_watch_free(struct sqlite_watch *w);
/*
 * Brings the watch up to date with db (everything the first time and
 * after a reset, else only what the sections touched).
 */
int sqlite_watch_update(struct sqlite_watch *w, sqlite3 *db,
    struct buf *err);
/* The digest of the watched objects into digest[SCHEMA_DIGEST_LEN]. */
void sqlite_watch_digest(const struct sqlite_watch *w, char *digest);

/* Fails with what: and db's message. */
int sqlite_fail(sqlite3 *db, const char *what, struct buf *err);
/* Column i of st's row as text, NULL for SQL NULL. */
const char *sqlite_col(sqlite3_stmt *st, int i);
/*
 * Whether a row of table tbl with this SQL belongs in a record: not
 * SQLite's, not runner's tracking table (named table) or drift table.
 */
int sqlite_kept(const char *tbl, const char *sql, const char *table);

#endif
