/*
 * store_sqlite.c: the SQLite driver. Statements are split by SQLite itself
 * (prepare with the tail pointer), the write lock is taken with BEGIN
 * IMMEDIATE, and durability settings are left as the database has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "file.h"
#include "text_migration.h"
#include "store_sqlite_describe.h"
#include "store_sqlite.h"
#include "banned.h"

static const struct tracking_dialect dialect = {
	.id = "INTEGER PRIMARY KEY AUTOINCREMENT",
	.applied_at = "TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
	.applied_at_text = "applied_at",
	.duration = "REAL",
};

/* {T}: the tracking table (tracking_sql). */
static const char *const cached_sql[ST_MAX] = {
	"SELECT state FROM {T} WHERE version = ?1",
	"INSERT INTO {T} (version, name, checksum, duration_ms, down_sql, "
	    "down_options, state, error, applied_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "coalesce(datetime(?9), CURRENT_TIMESTAMP))",
	"UPDATE {T} SET state = ?2, "
	    "duration_ms = coalesce(?3, duration_ms), error = ?4 "
	    "WHERE version = ?1",
	"UPDATE {T} SET checksum = ?2 WHERE version = ?1",
	"DELETE FROM {T} WHERE version = ?1",
	"SELECT down_sql FROM {T} WHERE version = ?1",
	"PRAGMA schema_version",
};

struct sqlite_store *
sqlite_downcast(struct store *s)
{
	if (s->ops != &store_sqlite_ops)
		abort();
	return (struct sqlite_store *)s;
}

#define downcast sqlite_downcast

/* The operation an I/O error code stands for, as a verb for messages. */
const char *
sqlite_io_verb(int xrc)
{
	switch (xrc) {
	case SQLITE_IOERR_READ:
	case SQLITE_IOERR_SHORT_READ:
	case SQLITE_IOERR_CORRUPTFS:	/* what unix makes of EIO on a read */
		return "read";
	case SQLITE_IOERR_FSYNC:
	case SQLITE_IOERR_DIR_FSYNC:
		return "sync";
	case SQLITE_IOERR_TRUNCATE:
		return "truncate";
	case SQLITE_IOERR_DELETE:
	case SQLITE_IOERR_DELETE_NOENT:
		return "remove the journal of";
	case SQLITE_IOERR_FSTAT:
	case SQLITE_IOERR_ACCESS:
		return "stat";
	case SQLITE_IOERR_LOCK:
	case SQLITE_IOERR_RDLOCK:
	case SQLITE_IOERR_UNLOCK:
	case SQLITE_IOERR_CHECKRESERVEDLOCK:
		return "lock";
	case SQLITE_IOERR_CLOSE:
	case SQLITE_IOERR_DIR_CLOSE:
		return "close";
	case SQLITE_IOERR_SHMOPEN:
	case SQLITE_IOERR_SHMSIZE:
	case SQLITE_IOERR_SHMMAP:
	case SQLITE_IOERR_SHMLOCK:
		return "use the shared memory (-shm) of";
	case SQLITE_IOERR_MMAP:
		return "map";
	default:
		return "write";
	}
}

/* Why SQLite cannot write: the file, its folder, or what the OS said. */
static int
readonly_error(struct sqlite_store *s, int xrc, struct buf *err)
{
	const char *op;
	char *dir;
	int ret, e;

	if (s->ro_errno)
		return buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': it could only be opened read-only%s%s",
		    s->base.display, s->ro_errno == EAGAIN ? "" : ": ",
		    s->ro_errno == EAGAIN ? "" : strerror(s->ro_errno));
	if (xrc == SQLITE_READONLY_CANTINIT || xrc == SQLITE_READONLY_CANTLOCK ||
	    xrc == SQLITE_READONLY_RECOVERY)
		return buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': SQLite could open its shared memory (-shm) only "
		    "read-only", s->base.display);
	if (xrc == SQLITE_READONLY_DBMOVED)
		return buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': it was moved or replaced while runner had it open",
		    s->base.display);
	dir = dir_of(s->path);
	if (xrc == SQLITE_READONLY_DIRECTORY || access(dir, W_OK) < 0)
		ret = buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': its folder '%s' is not writable (%s), so SQLite "
		    "cannot create its journal", s->base.display, dir,
		    strerror(access(dir, W_OK) < 0 ? errno : EACCES));
	else if (sqlite_vfs_last(&e, &op) && op && strcmp(op, "open") == 0)
		ret = buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': %s, as its file '%s' could not be opened: %s",
		    s->base.display, sqlite3_errmsg(s->db),
		    sqlite_vfs_last(&e, &op), strerror(e));
	else
		ret = buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s': %s", s->base.display, sqlite3_errmsg(s->db));
	free(dir);
	return ret;
}

/* Whether a noted operation is the one an error code says failed. */
static int
op_matches(const char *op, int rc, int xrc)
{
	const char *verb = rc == SQLITE_FULL ? "write" : rc == SQLITE_CANTOPEN ?
	    "open" : sqlite_io_verb(xrc);

	/* Plain SQLITE_IOERR says no more: any operation may be it. */
	if (op && rc == SQLITE_IOERR && xrc == SQLITE_IOERR)
		return 1;
	return op && strncmp(op, verb, strlen(op) < 4 ? strlen(op) : 4) == 0;
}

/*
 * Which file failed and what the OS said, as the VFS noted it (SQLite's
 * own record, sqlite3_system_errno, is errno when it reports the error,
 * after its rollback made other calls): " '...-journal'" or "" for the
 * main file into which, the errno returned.
 */
static int
last_errno(struct sqlite_store *s, int rc, int xrc, struct buf *which)
{
	const char *path, *op, *main = sqlite3_db_filename(s->db, "main");
	int e;

	path = sqlite_vfs_last(&e, &op);
	/* A file that could not be opened: what the rest failed on. */
	if (path && op && strcmp(op, "open") == 0 && !op_matches(op, rc,
	    xrc)) {
		buf_addf(which, " (its file '%s' could not be opened)", path);
		return e;
	}
	if (path == NULL || !op_matches(op, rc, xrc))
		return sqlite3_system_errno(s->db);
	if (main == NULL || strcmp(path, main) != 0)
		buf_addf(which, " (its file '%s')", path);
	return e;
}

/* Whether a read of one of this database's files failed; its errno. */
static int
read_failed(struct sqlite_store *s, int *e)
{
	const char *path, *op, *main = sqlite3_db_filename(s->db, "main");

	path = sqlite_vfs_last(e, &op);
	return path && op && main && strcmp(op, "read") == 0 &&
	    strncmp(path, main, strlen(main)) == 0;
}

/*
 * The storage failed, not the SQL: which operation on which database,
 * and the OS's reason. 0 when the last error is not of that kind (in_sql:
 * for a statement of a section).
 */
static int
storage_error(struct sqlite_store *s, int in_sql, struct buf *err)
{
	int rc = sqlite3_errcode(s->db), xrc = sqlite3_extended_errcode(s->db);
	struct buf which = BUF_INIT;
	const char *why, *verb;
	int e, ret = 0;

	/* A section's ATTACH of a file it cannot open: the SQL's error. */
	if (rc == SQLITE_CANTOPEN && in_sql && strncmp(sqlite3_errmsg(s->db),
	    "unable to open database: ", 25) == 0)
		return 0;
	e = last_errno(s, rc, xrc, &which);
	why = e ? strerror(e) : sqlite3_errmsg(s->db);
	/* A failed read can look like a damaged file: say it failed. */
	if ((rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) && read_failed(s,
	    &e)) {
		buf_seterr(err, RUNNER_EIO, "cannot read database '%s': %s "
		    "(SQLite then reported: %s)", s->base.display,
		    strerror(e), sqlite3_errmsg(s->db));
		return RUNNER_EIO;
	}
	if (rc == SQLITE_IOERR && xrc == SQLITE_IOERR && e &&
	    sqlite_vfs_last(&e, &verb))
		xrc = strcmp(verb, "read") == 0 ? SQLITE_IOERR_READ :
		    strcmp(verb, "sync") == 0 ? SQLITE_IOERR_FSYNC : xrc;
	/* A write on a file SQLite could only open read-only: say that. */
	if (rc == SQLITE_READONLY || (rc == SQLITE_IOERR && s->ro_errno))
		ret = readonly_error(s, xrc, err);
	else if (rc == SQLITE_IOERR)
		ret = buf_seterr(err, RUNNER_EIO, "cannot %s database '%s'%s: "
		    "%s", sqlite_io_verb(xrc), s->base.display, which.buf, why);
	else if (rc == SQLITE_FULL)
		ret = buf_seterr(err, RUNNER_EIO, "cannot write database "
		    "'%s'%s: %s", s->base.display, which.buf, e ? why :
		    "database or disk is full");
	else if (rc == SQLITE_CANTOPEN)
		ret = buf_seterr(err, RUNNER_EIO, "cannot open database '%s'%s: "
		    "%s", s->base.display, which.len ? which.buf :
		    " (its journal, WAL or -shm)", why);
	else if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		ret = buf_seterr(err, RUNNER_EIO, "database '%s': %s",
		    s->base.display, sqlite3_errmsg(s->db));
	buf_release(&which);
	return ret;
}

int
sqlite_error(struct sqlite_store *s, struct buf *err, const char *what)
{
	int code = sqlite3_errcode(s->db) == SQLITE_BUSY ? RUNNER_EBUSY :
	    RUNNER_EFAIL, ret;

	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "%s: interrupted", what);
	if (code == RUNNER_EBUSY)
		return buf_seterr(err, code, "%s: database '%s' is locked by "
		    "another process (waited %d s; see --lock-timeout)", what,
		    s->base.display, s->lock_timeout);
	if ((ret = storage_error(s, 0, err)) < 0)
		return ret;
	return buf_seterr(err, code, "%s: %s", what, sqlite3_errmsg(s->db));
}

#define db_error sqlite_error

int
sqlite_run(struct sqlite_store *s, const char *sql, struct buf *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, sql);
	return 0;
}

#define run sqlite_run

/*
 * Before SQLite opens path: it must be a regular file (SQLite says "disk
 * I/O error" for a folder), and a new one is made here, so that *created
 * says whether this open made it.
 */
static int
check_file(const char *path, unsigned flags, int *created, struct stat *st,
    struct buf *err)
{
	int fd;

	*created = 0;
	if (stat(path, st) == 0)
		return S_ISREG(st->st_mode) ? 0 : buf_seterr(err, RUNNER_EFAIL,
		    "database '%s' is %s, not a file", path,
		    file_kind(st->st_mode));
	if (errno != ENOENT)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open database "
		    "'%s': %s", path, strerror(errno));
	if (flags & (STORE_NOCREATE | STORE_READONLY))
		return buf_seterr(err, RUNNER_ENOENT, "database '%s' does not "
		    "exist", path);
	/* SQLite's own mode for new files: 0644 less the umask. */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return check_file(path, flags | STORE_NOCREATE, created, st,
		    err);
	if (fd < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open database "
		    "'%s': %s", path, strerror(errno));
	*created = fstat(fd, st) == 0;
	close(fd);
	return 0;
}

/*
 * Why path cannot be opened for writing: the errno of trying (before
 * SQLite locks anything, so closing this descriptor drops no lock of its).
 */
static int
write_errno(const char *path)
{
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return EAGAIN;
}

/* Opens the file check_file saw; SQLite's handle in s->db. */
static int
open_file(struct sqlite_store *s, const struct stat *before, int *retried,
    struct buf *err)
{
	struct stat after;
	const char *op;
	int rc, e;

	s->ro_errno = 0;
	/* Never a URI: a path is a path, whatever it holds. */
	rc = sqlite3_open_v2(s->path, &s->db, (s->flags & STORE_READONLY) ?
	    SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
	if (!(s->flags & STORE_READONLY) && (rc == SQLITE_READONLY ||
	    rc == SQLITE_CANTOPEN)) {
		/* A read-only file can still be read. */
		s->ro_errno = sqlite3_system_errno(s->db);
		sqlite3_close(s->db);
		rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY,
		    NULL);
	}
	if (rc != SQLITE_OK) {
		if (sqlite_vfs_last(&e, &op) == NULL || op == NULL)
			op = "open";
		else if (strcmp(op, "read") != 0)
			op = "open";
		if (e == 0)
			e = s->db ? sqlite3_system_errno(s->db) : ENOMEM;
		buf_seterr(err, RUNNER_EFAIL, "cannot %s database '%s': %s", op,
		    s->base.display, e ? strerror(e) : sqlite3_errmsg(s->db));
		sqlite3_close(s->db);
		s->db = NULL;
		return RUNNER_EFAIL;
	}
	/*
	 * SQLite quietly opens a file it may not write read-only: why? If
	 * it can be written after all, that open failed once: again.
	 */
	if (!(s->flags & STORE_READONLY) && s->ro_errno == 0 &&
	    sqlite3_db_readonly(s->db, "main") == 1 &&
	    (s->ro_errno = write_errno(s->path)) == EAGAIN && !*retried) {
		*retried = 1;
		sqlite3_close(s->db);
		s->db = NULL;
		return 1;
	}
	/* The same file before and after: the one SQLite opened. */
	if (stat(s->path, &after) == 0 && after.st_dev == before->st_dev &&
	    after.st_ino == before->st_ino) {
		s->dev = after.st_dev;
		s->ino = after.st_ino;
		return 0;
	}
	sqlite3_close(s->db);
	s->db = NULL;
	return 1;
}

static int
open_db(struct sqlite_store *s, struct buf *err)
{
	struct stat st;
	int rc, tries, retried = 0;

	if (strcmp(s->path, ":memory:") == 0)
		return sqlite3_open(":memory:", &s->db) == SQLITE_OK ? 0 :
		    buf_seterr(err, RUNNER_EFAIL, "cannot open an in-memory "
		    "database: out of memory");
	/* Replaced (a restore) between our look and SQLite's open: again. */
	for (tries = 0; tries < 10; tries++) {
		rc = check_file(s->path, s->flags, &s->created, &st, err);
		if (rc == 0)
			rc = open_file(s, &st, &retried, err);
		if (rc <= 0)
			return rc;
	}
	return buf_seterr(err, RUNNER_EFAIL, "cannot open database '%s': it "
	    "keeps being replaced", s->base.display);
}

double
sqlite_elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Waits for the lock up to the timeout, but gives up at once when stopped. */
static int
on_busy(void *arg, int count)
{
	struct sqlite_store *s = arg;
	struct timespec ts = { 0, 0 };

	if (count == 0)
		clock_gettime(CLOCK_MONOTONIC, &s->busy_since);
	if (s->stop || sqlite_elapsed_s(&s->busy_since) >= s->lock_timeout)
		return 0;
	ts.tv_nsec = (count < 10 ? 1 : count < 40 ? 5 : 20) * 1000000L;
	nanosleep(&ts, NULL);
	return 1;
}

/* Lets a long statement notice a stop requested between statements. */
static int
on_progress(void *arg)
{
	return ((struct sqlite_store *)arg)->stop;
}

/* Whether an action the authorizer is asked about changes main's schema. */
static int
changes_schema(int action, const char *db)
{
	if (db && strcmp(db, "temp") == 0)
		return 0;
	switch (action) {
	case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW:
	case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW:
	case SQLITE_ALTER_TABLE: case SQLITE_CREATE_VTABLE:
	case SQLITE_DROP_VTABLE: case SQLITE_ANALYZE:
	case SQLITE_ATTACH:	/* VACUUM */
		return 1;
	default:
		return 0;
	}
}

/*
 * Inside the runner's transaction a section must not end it: the rest of
 * the section and the tracking row would be committed apart.
 */
static int
on_authorize(void *arg, int action, const char *a1, const char *a2,
    const char *a3, const char *a4)
{
	struct sqlite_store *s = arg;

	(void)a4;
	if (s->watch)
		sqlite_watch_auth(s->watch, action, a1, a2, a3);
	if (changes_schema(action, a3))
		s->ddl_seen = 1;
	if (action == SQLITE_TRANSACTION && a1 && s->in_tx &&
	    (strcmp(a1, "COMMIT") == 0 || strcmp(a1, "ROLLBACK") == 0)) {
		s->ended_tx = 1;
		return SQLITE_DENY;
	}
	return SQLITE_OK;
}

/* Whether the database holds nothing but an empty tracking table. */
static int
holds_nothing(struct sqlite_store *s)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE "
		    "'sqlite\\_%' ESCAPE '\\' AND name <> '" TRACKING_TABLE "'",
		"SELECT count(*) FROM " TRACKING_TABLE
		    " WHERE EXISTS (SELECT 1 FROM sqlite_schema WHERE name = '"
		    TRACKING_TABLE "')",
	};
	sqlite3_stmt *st;
	size_t i;
	int empty = 1;

	for (i = 0; i < 2 && empty; i++) {
		st = NULL;
		empty = sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) ==
		    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int64(st, 0) == 0;
		sqlite3_finalize(st);
	}
	return empty || (sqlite3_errcode(s->db) == SQLITE_ERROR &&
	    strstr(sqlite3_errmsg(s->db), "no such table"));
}

/* Removes the file this open made, and anything SQLite made beside it. */
static void
remove_created(const char *file)
{
	static const char *const side[] = { "-journal", "-wal", "-shm", "" };
	struct buf p = BUF_INIT;
	size_t i;

	for (i = 0; i < 4; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", file, side[i]);
		unlink(p.buf);
	}
	buf_release(&p);
}

static void
sqlite_close(struct store *base)
{
	struct sqlite_store *s = downcast(base);
	struct stat st;
	char *file = NULL;
	int i;

	if (s->discard && s->created && s->db && holds_nothing(s))
		file = xstrdup(sqlite3_db_filename(s->db, "main"));
	else if (s->discard && s->created && !s->db && stat(s->path, &st) == 0 &&
	    st.st_size == 0)
		file = xstrdup(s->path);
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	sqlite_watch_free(s->watch);
	/* Still under the run lock: no runner has started on it. */
	if (file)
		remove_created(file);
	/*
	 * Only after SQLite has closed: closing any descriptor of the file
	 * drops every POSIX lock the process holds on it, SQLite's too.
	 */
	if (s->run_fd >= 0)
		close(s->run_fd);
	free(file);
	free(s->path);
	free(s->base.display);
	free(s->base.table);
	free(s);
}

static void
sqlite_discard_created(struct store *base)
{
	downcast(base)->discard = 1;
}

/* Opens s->path and sets the connection up as every command needs it. */
static int
connect_db(struct sqlite_store *s, struct buf *err)
{
	int on = 1, ret;

	if ((ret = open_db(s, err)) < 0)
		return ret;
	sqlite3_extended_result_codes(s->db, 0);
	sqlite3_busy_handler(s->db, on_busy, s);
	/*
	 * SQLite deletes the -wal and -shm by name when the last connection
	 * closes; were the file replaced by a restore meanwhile, those names
	 * would be the new database's. Persistent WAL never deletes them.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	/* Migrations meet the constraints the application will. */
	return run(s, "PRAGMA foreign_keys = ON", err);
}

static int
sqlite_open(const char *path, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	struct sqlite_store *s = xcalloc(1, sizeof(*s));
	int ret;

	sqlite_vfs_install();
	s->base.ops = &store_sqlite_ops;
	s->base.display = xstrdup(path);
	s->base.table = xstrdup(TRACKING_TABLE);
	s->path = xstrdup(path);
	s->flags = flags;
	s->lock_timeout = lock_timeout;
	s->run_fd = -1;
	ret = connect_db(s, err);
	if (ret < 0) {
		s->discard = 1;
		sqlite_close(&s->base);
		return ret == RUNNER_ENOENT ? ret : RUNNER_EFAIL;
	}
	*out = &s->base;
	return 0;
}

/*
 * An in-memory database: it disappears when closed. Its objects are
 * followed (sqlite_watch), so that verify's fingerprints after each
 * section cost what the section changed.
 */
static int
sqlite_open_scratch(const char *target, int lock_timeout, struct store **out,
    struct buf *err)
{
	int ret;

	(void)target;
	ret = sqlite_open(":memory:", 0, lock_timeout, out, err);
	if (ret == 0)
		sqlite_downcast(*out)->scratch = 1;
	return ret;
}

static int
sqlite_begin(struct store *base, unsigned flags, struct buf *err)
{
	struct sqlite_store *s = downcast(base);

	/* PRAGMA foreign_keys is a no-op inside a transaction. */
	if ((flags & STORE_FKOFF) &&
	    run(s, "PRAGMA foreign_keys = OFF", err) < 0)
		return RUNNER_EFAIL;
	if (flags & STORE_NOTX)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		db_error(s, err, "cannot take the write lock");
		if (flags & STORE_FKOFF)
			sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL,
			    NULL, NULL);
		return sqlite3_errcode(s->db) == SQLITE_BUSY ? RUNNER_EBUSY :
		    RUNNER_EFAIL;
	}
	s->in_tx = 1;
	/* With the write lock: did someone else change the schema since? */
	sqlite_cookie(s, 1);
	return 0;
}

static int
fk_check(struct sqlite_store *s, struct buf *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = RUNNER_EFAIL;

	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st,
	    NULL) != SQLITE_OK) {
		db_error(s, err, "PRAGMA foreign_key_check");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		buf_seterr(err, RUNNER_EFAIL, "foreign key violation: row %lld "
		    "of table '%s' references missing row in '%s' "
		    "(PRAGMA foreign_key_check)", sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2));
		goto out;
	}
	if (rc != SQLITE_DONE) {
		db_error(s, err, "PRAGMA foreign_key_check");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
sqlite_commit(struct store *base, unsigned flags, struct buf *err)
{
	struct sqlite_store *s = downcast(base);

	if (s->stop && !(flags & STORE_NOTX))
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	if ((flags & STORE_FKOFF) && fk_check(s, err) < 0)
		return RUNNER_EFAIL;
	if (!(flags & STORE_NOTX) && run(s, "COMMIT", err) < 0)
		return RUNNER_EFAIL;
	if (!(flags & STORE_NOTX))
		s->in_tx = 0;
	if ((flags & STORE_FKOFF) &&
	    run(s, "PRAGMA foreign_keys = ON", err) < 0)
		return RUNNER_EFAIL;
	return 0;
}

static void
sqlite_rollback(struct store *base, unsigned flags)
{
	struct sqlite_store *s = downcast(base);

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	if (flags & STORE_FKOFF)
		sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL,
		    NULL);
	if (s->watch)
		sqlite_watch_reset(s->watch);
	sqlite_cookie(s, 0);
}

/*
 * The lowercased columns of table, each followed by a newline; anything
 * but a table by that name (a view) is an error saying what it is.
 */
static int
sqlite_columns(struct store *base, const char *table, struct buf *cols,
    int *exists, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = NULL;
	const char *col, *type, *p;
	char kind[16] = "";
	int rc;

	*exists = 0;
	buf_reset(cols);
	if (sqlite3_prepare_v2(s->db, "SELECT (SELECT type FROM sqlite_schema "
	    "WHERE name = ?1 COLLATE NOCASE), lower(name) FROM "
	    "pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the tracking table");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*exists = 1;
		type = (const char *)sqlite3_column_text(st, 0);
		if (type && strcmp(type, "table") != 0)
			snprintf(kind, sizeof(kind), "a %s", type);
		col = (const char *)sqlite3_column_text(st, 1);
		for (p = col ? col : ""; *p; p++)
			buf_addch(cols, *p == '\n' ? ' ' : *p);
		buf_addch(cols, '\n');
	}
	if (rc != SQLITE_DONE)
		db_error(s, err, "cannot read the tracking table");
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return RUNNER_EFAIL;
	if (*kind)
		return buf_seterr(err, RUNNER_EFAIL, "'%s' in database '%s' is "
		    "%s, not a table: rename or drop it", table,
		    s->base.display, kind);
	return 0;
}

/*
 * What stands under the tracking table's name, and bit i of *have for
 * each extra column present.
 */
static int
table_columns(struct sqlite_store *s, enum tracking_found *found,
    unsigned *have, struct buf *err)
{
	struct buf cols = BUF_INIT;
	int exists, ret;

	ret = sqlite_columns(&s->base, s->base.table, &cols, &exists, err);
	if (ret == 0)
		*have = tracking_columns(cols.buf, exists, found);
	buf_release(&cols);
	return ret;
}

static int
sqlite_ensure_table(struct store *base, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	struct buf sql = BUF_INIT;
	enum tracking_found found;
	unsigned have;
	int ret = 0;

	if (table_columns(s, &found, &have, err) < 0)
		return RUNNER_EFAIL;
	/* Not runner's: left alone, and reading it says whose it is. */
	if (found == TRACKING_OTHER)
		return 0;
	tracking_ddl(&sql, &dialect, s->base.table, found == TRACKING_OURS,
	    have);
	if (sql.len)
		ret = run(s, sql.buf, err);
	buf_release(&sql);
	sqlite_cookie(s, 0);
	return ret;
}

static char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int
sqlite_applied_each(struct store *base, void (*each)(void *arg,
    const char *const v[TRACKING_NCOLS]), void *arg,
    enum tracking_found *found, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	const char *v[TRACKING_NCOLS];
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	unsigned have;
	enum tracking_found seen;
	int i, rc, ret = RUNNER_EFAIL;

	if (found == NULL)
		found = &seen;
	if (table_columns(s, found, &have, err) < 0)
		return RUNNER_EFAIL;
	if (*found != TRACKING_OURS)
		return 0;
	tracking_select(&sql, &dialect, s->base.table, have);
	if (sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		db_error(s, err, "cannot read the tracking table");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < TRACKING_NCOLS; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		each(arg, v);
	}
	if (rc != SQLITE_DONE) {
		db_error(s, err, "cannot read the tracking table");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	return ret;
}

static sqlite3_stmt *
cached(struct sqlite_store *s, int which, struct buf *err)
{
	struct buf sql = BUF_INIT;
	int rc;

	if (s->st[which])
		return s->st[which];
	tracking_sql(&sql, s->base.table, cached_sql[which]);
	rc = sqlite3_prepare_v3(s->db, sql.buf, -1, SQLITE_PREPARE_PERSISTENT,
	    &s->st[which], NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK) {
		db_error(s, err, "cannot use the tracking table");
		return NULL;
	}
	return s->st[which];
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a cached statement once; it must not return a row. */
static int
step_done(struct sqlite_store *s, sqlite3_stmt *st, struct buf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "cannot update the tracking table");
	return 0;
}

static int
sqlite_find(struct store *base, const char *version, int *found,
    char **state, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_FIND, err);
	int rc;

	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, version);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (state)
		*state = *found ? col_text(st, 0) : NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(s, err, "cannot read the tracking table");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : RUNNER_EFAIL;
}

static int
sqlite_load_down(struct store *base, const char *version, char **sql,
    struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_DOWN, err);
	int rc;

	*sql = NULL;
	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*sql = col_text(st, 0);
	else if (rc != SQLITE_DONE)
		db_error(s, err, "cannot read the tracking table");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : RUNNER_EFAIL;
}

static int
sqlite_insert(struct store *base, const struct applied *a, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_INSERT, err);

	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, a->version);
	bind_text(st, 2, a->name);
	bind_text(st, 3, a->checksum);
	if (a->duration_ms >= 0)
		sqlite3_bind_double(st, 4, a->duration_ms);
	bind_text(st, 5, a->down_sql);
	bind_text(st, 6, a->down_options);
	bind_text(st, 7, a->state ? a->state : STATE_APPLIED);
	bind_text(st, 8, a->error);
	bind_text(st, 9, a->applied_at);
	return step_done(s, st, err);
}

static int
sqlite_set_state(struct store *base, const char *version, const char *state,
    double duration_ms, const char *error, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_STATE, err);

	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, version);
	bind_text(st, 2, state);
	if (duration_ms >= 0)
		sqlite3_bind_double(st, 3, duration_ms);
	bind_text(st, 4, error);
	return step_done(s, st, err);
}

static int
sqlite_set_checksum(struct store *base, const char *version,
    const char *checksum, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_CHECKSUM, err);

	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, version);
	bind_text(st, 2, checksum);
	return step_done(s, st, err);
}

static int
sqlite_remove(struct store *base, const char *version, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = cached(s, ST_REMOVE, err);

	if (st == NULL)
		return RUNNER_EFAIL;
	bind_text(st, 1, version);
	return step_done(s, st, err);
}

/* Runs one prepared statement to the end, discarding any rows. */
static int
step_all(sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	return rc;
}

static int
exec_error(struct sqlite_store *s, size_t off, size_t *errpos,
    struct buf *err)
{
	int rc = sqlite3_errcode(s->db), ret;

	*errpos = off;
	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	if (s->ended_tx)
		return buf_seterr(err, RUNNER_EFAIL, "a section must not end "
		    "the transaction runner wraps it in (COMMIT, END or "
		    "ROLLBACK); say transaction:false after the marker to "
		    "manage transactions yourself");
	if ((ret = storage_error(s, 1, err)) < 0)
		return ret;
	buf_seterr(err, 0, "%s", sqlite3_errmsg(s->db));
	return rc == SQLITE_BUSY ? RUNNER_EBUSY : RUNNER_EFAIL;
}

/*
 * sql must be NUL-terminated at len: with a byte count that ends on the
 * NUL, prepare reads in place; otherwise it copies the rest of the text on
 * every statement, which is quadratic in the section's length.
 */
static int
run_statements(struct sqlite_store *s, const char *sql, size_t len,
    size_t *errpos, struct buf *err)
{
	sqlite3_stmt *st;
	const char *tail;
	size_t off = 0;
	int rc, ret, ddl;

	while (off < len) {
		st = NULL;
		if (s->stop)
			return exec_error(s, off, errpos, err);
		s->ddl_seen = 0;
		rc = sqlite3_prepare_v2(s->db, sql + off, (int)(len - off + 1),
		    &st, &tail);
		ddl = s->ddl_seen;
		/* Outside a transaction, the schema may change between two. */
		if (rc == SQLITE_OK && st && ddl)
			sqlite_cookie(s, 1);
		if (rc == SQLITE_OK && st)
			rc = step_all(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		if (rc == SQLITE_OK && st && ddl)
			sqlite_cookie(s, 0);
		if (rc != SQLITE_OK) {
			ret = exec_error(s, off, errpos, err);
			sqlite3_finalize(st);
			return ret;
		}
		sqlite3_finalize(st);
		if (tail == NULL || tail <= sql + off)
			break;
		off = (size_t)(tail - sql);
	}
	return 0;
}

static int
sqlite_exec(struct store *base, const char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	char *copy;
	int ret;

	*errpos = 0;
	if (len >= INT_MAX)
		return buf_seterr(err, RUNNER_EFAIL, "section too large");
	copy = xstrndup(sql, len);
	s->ended_tx = 0;
	s->in_exec = 1;
	sqlite3_progress_handler(s->db, 1000, on_progress, s);
	sqlite3_set_authorizer(s->db, on_authorize, s);
	sqlite_cookie(s, 1);
	ret = run_statements(s, copy, len, errpos, err);
	sqlite3_set_authorizer(s->db, NULL, NULL);
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	s->in_exec = 0;
	if (ret < 0 && s->watch)
		sqlite_watch_reset(s->watch);
	/* Only the section's own schema statements moved the cookie. */
	sqlite_cookie(s, ret == 0);
	free(copy);
	return ret;
}

void
sqlite_cookie(struct sqlite_store *s, int check)
{
	struct buf ignored = BUF_INIT;
	sqlite3_stmt *st = cached(s, ST_COOKIE, &ignored);
	int v;

	buf_release(&ignored);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		s->cookie_known = 0;
		return;
	}
	v = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (check && s->cookie_known && v != s->cookie)
		s->base.foreign_ddl = 1;
	s->cookie = v;
	s->cookie_known = 1;
}

/* Collects "type\tname" of every user object, in drop order. */
static int
list_objects(struct sqlite_store *s, char ***names, size_t *n,
    struct buf *err)
{
	static const char sql[] =
	    "SELECT type, name FROM sqlite_schema WHERE type IN "
	    "('view', 'trigger', 'table') AND name NOT LIKE 'sqlite\\_%' "
	    "ESCAPE '\\' ORDER BY CASE type WHEN 'view' THEN 0 "
	    "WHEN 'trigger' THEN 1 ELSE 2 END, "
	    "sql LIKE 'CREATE VIRTUAL%' DESC, name";
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;
	size_t alloc = 0;
	int rc;

	*names = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the schema");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(&b);
		buf_addf(&b, "%s\t%s", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1));
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			*names = xreallocarray(*names, alloc, sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(b.buf);
	}
	buf_release(&b);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "cannot read the schema");
	return 0;
}

static int
drop_object(struct sqlite_store *s, const char *entry, struct buf *err)
{
	const char *tab = strchr(entry, '\t');
	char *sql;
	int ret;

	sql = sqlite3_mprintf("DROP %s IF EXISTS \"%w\"",
	    strncmp(entry, "view", 4) == 0 ? "VIEW" :
	    strncmp(entry, "trigger", 7) == 0 ? "TRIGGER" : "TABLE", tab + 1);
	if (sql == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "out of memory");
	ret = run(s, sql, err);
	sqlite3_free(sql);
	return ret;
}

static int
sqlite_drop_all(struct store *base, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	char **names = NULL;
	size_t i, n = 0;
	int ret = RUNNER_EFAIL;

	/*
	 * Dropping a parent before its children would trip immediate foreign
	 * key checks; deferred, the counts balance once all are gone.
	 */
	if (run(s, "PRAGMA defer_foreign_keys = ON", err) < 0 ||
	    list_objects(s, &names, &n, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (drop_object(s, names[i], err) < 0)
			goto out;
	if (run(s, "PRAGMA defer_foreign_keys = OFF", err) < 0)
		goto out;
	ret = 0;
	sqlite_cookie(s, 0);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int
sqlite_schema(struct store *base, struct buf *out, struct buf *err)
{
	/* Tables, each followed by its indexes and triggers; then views. */
	static const char sql[] =
	    "SELECT s.tbl_name, s.sql FROM sqlite_schema AS s "
	    "LEFT JOIN sqlite_schema AS p ON p.name = s.tbl_name "
	    "AND p.type IN ('table', 'view') "
	    "WHERE s.sql IS NOT NULL AND s.name NOT LIKE 'sqlite\\_%' "
	    "ESCAPE '\\' "
	    "ORDER BY p.type = 'view', s.tbl_name, "
	    "CASE s.type WHEN 'table' THEN 0 WHEN 'view' THEN 0 "
	    "WHEN 'index' THEN 1 ELSE 2 END, s.name";
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = NULL;
	struct buf group = BUF_INIT;
	const char *tbl;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the schema");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tbl = (const char *)sqlite3_column_text(st, 0);
		if (out->len && strcmp(group.buf, tbl ? tbl : "") != 0)
			buf_addch(out, '\n');
		buf_reset(&group);
		buf_adds(&group, tbl ? tbl : "");
		buf_addf(out, "%s;\n", sqlite3_column_text(st, 1));
	}
	buf_release(&group);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "cannot read the schema");
	return 0;
}

static int
sqlite_describe_op(struct store *base, struct schema *out, struct buf *err)
{
	return sqlite_describe(downcast(base)->db, base->table, out, err);
}

/* SQLite's own indexes follow the table; named ones keep their names. */
static int
sqlite_rename_table(struct store *base, const char *from, const char *to,
    struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	char *sql = sqlite3_mprintf("ALTER TABLE \"%w\" RENAME TO \"%w\"",
	    from, to);
	int ret;

	if (sql == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "out of memory");
	ret = run(s, sql, err);
	sqlite3_free(sql);
	return ret;
}

static int
sqlite_query(struct store *base, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	const char *v[16];
	sqlite3_stmt *st = NULL;
	int i, rc, ret = 0;

	if (ncols > 16 || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		ret = ncols > 16 ? buf_seterr(err, RUNNER_EFAIL, "too many "
		    "columns") : db_error(s, err, "cannot read the database");
		sqlite3_finalize(st);
		return ret;
	}
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		ret = row(arg, v);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_error(s, err, "cannot read the database");
	sqlite3_finalize(st);
	return ret;
}

static void
sqlite_interrupt(struct store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	s->stop = 1;
	/* Only the user's SQL: the tracking writes that follow must finish. */
	if (s->in_exec)
		sqlite3_interrupt(s->db);
}

/* Whether st is the file SQLite has open. */
static int
is_open_file(const struct sqlite_store *s, const struct stat *st)
{
	return st->st_dev == s->dev && st->st_ino == s->ino;
}

/* flock()s path, waiting up to the lock timeout since *since. */
static int
flock_path(struct sqlite_store *s, const char *path,
    const struct timespec *since, struct buf *err)
{
	struct timespec ts = { 0, 5000000L };
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open database "
		    "'%s' to lock it: %s", s->base.display, strerror(errno));
	while (ret == 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot lock "
			    "database '%s': %s", s->base.display,
			    strerror(errno));
		else if (s->stop)
			ret = buf_seterr(err, RUNNER_EINTR, "interrupted while "
			    "waiting for another runner to finish");
		else if (sqlite_elapsed_s(since) >= s->lock_timeout)
			ret = buf_seterr(err, RUNNER_EBUSY, "database '%s' is "
			    "in use by another runner: gave up after %d s "
			    "(--lock-timeout)", s->base.display,
			    s->lock_timeout);
		else
			nanosleep(&ts, NULL);
	}
	if (ret < 0)
		close(fd);
	else
		s->run_fd = fd;
	return ret;
}

/* Opens the database again: the file at its path is not the one we had. */
static int
reconnect(struct sqlite_store *s, struct buf *err)
{
	int i;

	for (i = 0; i < ST_MAX; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
	close(s->run_fd);
	s->run_fd = -1;
	return connect_db(s, err);
}

/*
 * The run lock is flock() on the database file: on Linux it is apart from
 * the fcntl() locks SQLite takes, so it never blocks SQLite's own readers
 * and writers, and it goes away with the process. A restore renames a new
 * file over the database, and a failed init removes the one it made: a
 * runner that waited for either holds a lock on a file no one will use
 * again, so it opens the database anew and locks that.
 */
static int
sqlite_lock_run(struct store *base, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	struct timespec since;
	struct stat fst, pst;
	int ret;

	if (s->run_fd >= 0 || strcmp(s->path, ":memory:") == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &since);
	for (;;) {
		if ((ret = flock_path(s, s->path, &since, err)) < 0)
			return ret;
		if (fstat(s->run_fd, &fst) == 0 && is_open_file(s, &fst) &&
		    stat(s->path, &pst) == 0 && is_open_file(s, &pst))
			return 0;
		if ((ret = reconnect(s, err)) < 0)
			return ret;
	}
}

static void
sqlite_version(struct buf *out)
{
	buf_addf(out, "sqlite %s", sqlite3_libversion());
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.target = sqlite_target,
	.version = sqlite_version,
	.open = sqlite_open,
	.close = sqlite_close,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.ensure_table = sqlite_ensure_table,
	.applied_each = sqlite_applied_each,
	.load_down = sqlite_load_down,
	.find = sqlite_find,
	.insert = sqlite_insert,
	.set_state = sqlite_set_state,
	.set_checksum = sqlite_set_checksum,
	.remove = sqlite_remove,
	.exec = sqlite_exec,
	.drop_all = sqlite_drop_all,
	.schema = sqlite_schema,
	.describe = sqlite_describe_op,
	.interrupt = sqlite_interrupt,
	.open_scratch = sqlite_open_scratch,
	.snapshot = sqlite_snapshot,
	.backup_suffix = ".db.gz",
	.image_kind = "an SQLite database",
	.image_checked = "integrity ok",
	.target_is_file = 1,
	.check_image = sqlite_check_image,
	.replace = sqlite_replace,
	.lock_run = sqlite_lock_run,
	.fingerprint = sqlite_fingerprint,
	.fingerprint_content = 1,
	.objects = sqlite_objects,
	.objects_describe = sqlite_objects_describe,
	.record_read = sqlite_record_read,
	.record_write = sqlite_record_write,
	.columns = sqlite_columns,
	.query = sqlite_query,
	.rename_table = sqlite_rename_table,
	.discard_created = sqlite_discard_created,
	.identity = sqlite_identity,
};
