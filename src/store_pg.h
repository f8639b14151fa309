/*
 * store_pg.h: what the PostgreSQL driver's two files (store_pg.c, the
 * connection and migrations; store_pg_schema.c, the catalogs) share. Not an
 * API: the commands see only store.h.
 */
#ifndef RUNNER_STORE_PG_H
#define RUNNER_STORE_PG_H

#include <signal.h>

#include <libpq-fe.h>

#include "schema.h"
#include "store.h"

struct pg_store {
	struct store base;
	PGconn *conn;
	PGcancel *cancel;	/* for interrupt(), made at open */
	char *url;		/* as given: to scrub its password from messages */
	int lock_timeout;
	int locked;		/* holds the session's advisory lock */
	int in_tx;		/* inside a transaction begin() opened */
	int begin_pending;	/* that BEGIN is not sent yet, see flush_begin */
	volatile sig_atomic_t stop;		/* interrupt() was called */
	volatile sig_atomic_t cancelable;	/* may cancel what runs now */
	PGconn *admin;		/* a scratch store: the connection that made it */
	char *scratch;		/* a scratch store: its database's name */
};

struct pg_store *pg_downcast(struct store *s);

/*
 * Runs sql with text parameters. Returns the result (PQclear it) when the
 * command succeeded; otherwise NULL with "what: server message" in err.
 */
PGresult *pg_query(struct pg_store *s, const char *sql, int nparams,
    const char *const *params, const char *what, struct buf *err);

/* store_ops.snapshot: the whole database as SQL, by pg_dump. */
int pg_snapshot(struct store *s, const char *path, struct buf *err);

/* store_ops.schema and store_ops.describe, from the catalogs. */
int pg_schema(struct store *s, struct buf *out, struct buf *err);
int pg_describe(struct store *s, struct schema *out, struct buf *err);

#endif
