/*
 * store_mysql.h: what the MySQL/MariaDB driver's files share (store_mysql.c,
 * the connection, tracking rows and migrations; store_mysql_url.c, URLs;
 * store_mysql_schema.c, information_schema and SHOW CREATE; and
 * store_mysql_backup.c, mariadb-dump). Not an API: the commands see only
 * store.h.
 */
#ifndef RUNNER_STORE_MYSQL_H
#define RUNNER_STORE_MYSQL_H

#include <pthread.h>
#include <signal.h>

#include <mysql.h>

#include "text_schema.h"
#include "store_driver.h"
#include "store_mysql_dl.h"

/*
 * A mysql:// or mariadb:// URL, taken apart (store_mysql_url.c):
 *   mysql://user:pass@host:port/db?socket=/path&ssl-ca=...&...
 * Strings are NULL when the URL does not give them; port is 0 then.
 */
struct my_url {
	char *user;
	char *password;
	char *host;
	unsigned port;
	char *socket;
	char *db;
	/* TLS, as the client library and mariadb(1) name them */
	char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *ssl_cipher;
	int ssl_verify_server_cert;	/* -1: not given */
	int ssl;			/* -1: not given; 0 off; 1 required */
	unsigned connect_timeout, read_timeout, write_timeout;	/* s */
};

/* Parses url into out (my_url_free it, also after an error). */
int my_url_parse(const char *url, struct my_url *out, struct buf *err);
void my_url_free(struct my_url *u);

struct my_store {
	struct store base;
	MYSQL *conn;
	char *url;		/* as given: to scrub its password from messages */
	struct my_url where;
	int lock_timeout;
	int locked;		/* holds the GET_LOCK named after the database */
	int in_tx;		/* inside a transaction begin() opened */
	volatile sig_atomic_t stop;	/* interrupt() was called */
	char *scratch;		/* a scratch store: its database's name */
	volatile sig_atomic_t cancelable;	/* may KILL what runs now */
	unsigned long thread_id;	/* the server's id of conn */
	int wake[2];		/* interrupt() writes, kill_thread reads */
	pthread_t kill_thread;	/* KILLs the running statement */
	int has_killer;
	MYSQL *admin;		/* a scratch store: the connection that made it */
};

struct my_store *my_downcast(struct store *s);

/*
 * Sets err to "what: message (error N, SQLSTATE S)" from the connection's
 * last error and returns the code (RUNNER_EBUSY for a lock wait timeout,
 * RUNNER_EINTR when interrupted, else RUNNER_EFAIL).
 */
int my_fail(struct my_store *s, const char *what, struct buf *err);
/* Runs sql, a statement without a result set (or whose rows are dropped). */
int my_run(struct my_store *s, const char *sql, const char *what,
    struct buf *err);
/*
 * Runs sql and calls row for each row of its result, v[0..ncols) (NULL for
 * SQL NULL) with their lengths; a row callback's non-zero return stops and
 * is returned.
 */
int my_query(struct my_store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v, const unsigned long *len),
    void *arg, const char *what, struct buf *err);
/* Appends s as a quoted SQL string literal ('...') / identifier (`...`). */
void my_quote(struct my_store *s, struct buf *out, const char *str);
void my_quote_ident(struct buf *out, const char *name);

/* store_ops.schema and describe (store_mysql_schema.c). */
int my_schema(struct store *s, struct buf *out, struct buf *err);
int my_describe(struct store *s, struct schema *out, struct buf *err);
/* store_ops' drift record operations (store_mysql_schema.c). */
int my_fingerprint(struct store *s, struct buf *out, struct buf *err);
int my_objects(struct store *s, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err);
int my_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err);
int my_record_read(struct store *s, struct buf *header, struct buf *objects,
    struct buf *err);
int my_record_write(struct store *s, const char *header, const char *objects,
    struct buf *err);

/* Backups (store_mysql_backup.c), through mariadb-dump and mariadb. */
int my_snapshot(struct store *s, const char *path, struct buf *err);
int my_check_image(const char *path, const char *name, struct buf *err);
int my_replace(struct store *s, const char *target, const char *path,
    struct buf *notes, struct buf *err);
/* store_ops.identity: host:port/db (or socket/db) as the URL resolves. */
int my_identity(const char *target, struct buf *out, struct buf *err);

/* store_mysql_url.c: store_ops.target. */
int my_target(const char *url, struct buf *out, unsigned *flags,
    struct buf *err);

#endif
