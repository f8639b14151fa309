/*
 * store_sqlite.h: what the SQLite driver's files share: store_sqlite.c
 * (the connection and migrations), store_sqlite_schema.c (what drift
 * records keep of a schema), store_sqlite_backup.c (snapshots and
 * restores) and store_sqlite_vfs.c (which file operation failed). Not an
 * API: the commands see only store.h.
 */
#ifndef RUNNER_STORE_SQLITE_H
#define RUNNER_STORE_SQLITE_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include <sqlite3.h>

#include "text_schema.h"
#include "store_driver.h"
#include "store_sqlite_vfs.h"
#include "store_sqlite_watch.h"

enum { ST_FIND, ST_INSERT, ST_STATE, ST_CHECKSUM, ST_REMOVE, ST_DOWN,
	ST_COOKIE, ST_MAX };


struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;		/* as given to open */
	unsigned flags;		/* open's */
	int lock_timeout;
	sqlite3_stmt *st[ST_MAX];
	volatile sig_atomic_t stop;	/* interrupt() was called */
	volatile sig_atomic_t in_exec;	/* running a section's SQL */
	int in_tx;		/* inside a transaction begin() opened */
	int ended_tx;		/* the authorizer refused COMMIT/END/ROLLBACK */
	struct timespec busy_since;
	int run_fd;		/* the database file, flock()ed: the run lock */
	int cookie;		/* the schema cookie after runner's last statement */
	int cookie_known;
	int ddl_seen;		/* the statement being prepared changes the schema */
	int scratch;		/* made by open_scratch: its objects are watched */
	struct sqlite_watch *watch;	/* the objects of a scratch store */
	dev_t dev;		/* the file SQLite has open */
	ino_t ino;
	int ro_errno;		/* why it could only be opened read-only */
	int created;		/* this open made the file */
	int discard;		/* remove the file at close (it was created) */
};

struct sqlite_store *sqlite_downcast(struct store *s);

/*
 * Notes the schema cookie as runner left it (after its own statements),
 * or, with check, first sets base.foreign_ddl if it moved since.
 */
void sqlite_cookie(struct sqlite_store *s, int check);

/* store_sqlite_schema.c: store_ops' drift record operations. */
int sqlite_fingerprint(struct store *s, struct buf *out, struct buf *err);
int sqlite_objects(struct store *s, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err);
int sqlite_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err);
int sqlite_record_read(struct store *s, struct buf *header,
    struct buf *objects, struct buf *err);
int sqlite_record_write(struct store *s, const char *header,
    const char *objects, struct buf *err);


/*
 * The message for SQLite's last error on s, prefixed with what (unless
 * the file itself failed: then it says which operation on which file, and
 * the OS's reason). Returns RUNNER_EBUSY, RUNNER_EINTR, RUNNER_EIO or
 * RUNNER_EFAIL.
 */
int sqlite_error(struct sqlite_store *s, struct buf *err, const char *what);
/* Runs sql; on failure sqlite_error(s, err, sql). */
int sqlite_run(struct sqlite_store *s, const char *sql, struct buf *err);
double sqlite_elapsed_s(const struct timespec *since);
/* What an extended I/O error code failed to do: "read", "sync"... */
const char *sqlite_io_verb(int xrc);

/* store_ops' backup operations (store_sqlite_backup.c). */
int sqlite_snapshot(struct store *s, const char *path, struct buf *err);
int sqlite_check_image(const char *path, const char *name, struct buf *err);
int sqlite_replace(struct store *s, const char *target, const char *path,
    struct buf *notes, struct buf *err);
int sqlite_identity(const char *target, struct buf *out, struct buf *err);

/* store_sqlite_url.c: url as the path to open, and its open flags. */
int sqlite_target(const char *url, struct buf *target, unsigned *flags,
    struct buf *err);

#endif
