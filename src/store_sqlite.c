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
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "migration.h"
#include "sqlite_describe.h"
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

static struct sqlite_store *
downcast(struct store *s)
{
	return sqlite_downcast(s);
}

static int
db_error(struct sqlite_store *s, struct buf *err, const char *what)
{
	int code = sqlite3_errcode(s->db) == SQLITE_BUSY ? RUNNER_EBUSY :
	    RUNNER_EFAIL;

	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "%s: interrupted", what);
	if (code == RUNNER_EBUSY)
		return buf_seterr(err, code, "%s: database '%s' is locked by "
		    "another process (waited %d s; see --lock-timeout)", what,
		    s->base.display, s->lock_timeout);
	/* Then the file itself is the problem: name it. */
	if (sqlite3_errcode(s->db) == SQLITE_NOTADB ||
	    sqlite3_errcode(s->db) == SQLITE_CORRUPT)
		return buf_seterr(err, code, "%s: database '%s': %s", what,
		    s->base.display, sqlite3_errmsg(s->db));
	return buf_seterr(err, code, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int
run(struct sqlite_store *s, const char *sql, struct buf *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, sql);
	return 0;
}

static int
open_db(const char *path, unsigned flags, sqlite3 **db, struct buf *err)
{
	struct stat st;
	int rc;

	if ((flags & (STORE_NOCREATE | STORE_READONLY)) && stat(path, &st) < 0 &&
	    errno == ENOENT)
		return buf_seterr(err, RUNNER_ENOENT, "database '%s' does not "
		    "exist", path);
	/* Never a URI: a path is a path, whatever it holds. */
	rc = sqlite3_open_v2(path, db, (flags & STORE_READONLY) ?
	    SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE |
	    ((flags & STORE_NOCREATE) ? 0 : SQLITE_OPEN_CREATE), NULL);
	if (!(flags & STORE_READONLY) && (rc == SQLITE_READONLY ||
	    rc == SQLITE_CANTOPEN)) {
		/* A read-only file can still be read. */
		sqlite3_close(*db);
		rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	}
	if (rc != SQLITE_OK) {
		buf_seterr(err, RUNNER_EFAIL, "cannot open database '%s': %s",
		    path, *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return RUNNER_EFAIL;
	}
	return 0;
}

static double
elapsed_s(const struct timespec *since)
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
	if (s->stop || elapsed_s(&s->busy_since) >= s->lock_timeout)
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

static void
sqlite_close(struct store *base)
{
	struct sqlite_store *s = downcast(base);
	int i;

	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	sqlite_watch_free(s->watch);
	/*
	 * Only after SQLite has closed: closing any descriptor of the file
	 * drops every POSIX lock the process holds on it, SQLite's too.
	 */
	if (s->run_fd >= 0)
		close(s->run_fd);
	free(s->base.display);
	free(s->base.table);
	free(s);
}

static int
sqlite_open(const char *path, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	struct sqlite_store *s;
	sqlite3 *db = NULL;
	int ret;

	ret = open_db(path, flags, &db, err);
	if (ret < 0)
		return ret;
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &store_sqlite_ops;
	s->base.display = xstrdup(path);
	s->base.table = xstrdup(TRACKING_TABLE);
	s->db = db;
	s->lock_timeout = lock_timeout;
	s->run_fd = -1;
	sqlite3_extended_result_codes(db, 0);
	sqlite3_busy_handler(db, on_busy, s);
	/* Migrations meet the constraints the application will. */
	if (run(s, "PRAGMA foreign_keys = ON", err) < 0) {
		sqlite_close(&s->base);
		return RUNNER_EFAIL;
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

/* The lowercased columns of table, each followed by a newline. */
static int
sqlite_columns(struct store *base, const char *table, struct buf *cols,
    int *exists, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = NULL;
	const char *col, *p;
	int rc;

	*exists = 0;
	buf_reset(cols);
	if (sqlite3_prepare_v2(s->db, "SELECT lower(name) FROM "
	    "pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the tracking table");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*exists = 1;
		col = (const char *)sqlite3_column_text(st, 0);
		for (p = col ? col : ""; *p; p++)
			buf_addch(cols, *p == '\n' ? ' ' : *p);
		buf_addch(cols, '\n');
	}
	if (rc != SQLITE_DONE)
		db_error(s, err, "cannot read the tracking table");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : RUNNER_EFAIL;
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
	int rc = sqlite3_errcode(s->db);

	*errpos = off;
	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	if (s->ended_tx)
		return buf_seterr(err, RUNNER_EFAIL, "a section must not end "
		    "the transaction runner wraps it in (COMMIT, END or "
		    "ROLLBACK); say transaction:false after the marker to "
		    "manage transactions yourself");
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

/*
 * The run lock is flock() on the database file: on Linux it is apart from
 * the fcntl() locks SQLite takes, so it never blocks SQLite's own readers
 * and writers, and it goes away with the process.
 */
static int
sqlite_lock_run(struct store *base, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	const char *path = sqlite3_db_filename(s->db, "main");
	struct timespec since, ts = { 0, 5000000L };

	if (s->run_fd >= 0 || path == NULL || *path == '\0')
		return 0;
	s->run_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->run_fd < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open database "
		    "'%s' to lock it: %s", s->base.display, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &since);
	while (flock(s->run_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return buf_seterr(err, RUNNER_EFAIL, "cannot lock "
			    "database '%s': %s", s->base.display,
			    strerror(errno));
		if (s->stop)
			return buf_seterr(err, RUNNER_EINTR, "interrupted while "
			    "waiting for another runner to finish");
		if (elapsed_s(&since) >= s->lock_timeout)
			return buf_seterr(err, RUNNER_EBUSY, "database '%s' is "
			    "in use by another runner: gave up after %d s "
			    "(--lock-timeout)", s->base.display,
			    s->lock_timeout);
		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * WAL mode: the online backup API in one step. Writers carry on, since
 * they append to the WAL; the copy goes to a file with no journal, and if
 * it is interrupted it is thrown away.
 */
static int
snapshot_wal(struct sqlite_store *s, const char *path, struct buf *err)
{
	struct timespec since, ts = { 0, 10 * 1000000L };
	sqlite3_backup *b = NULL;
	sqlite3 *dst = NULL;
	int rc, ret = RUNNER_EFAIL;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK ||
	    !(b = sqlite3_backup_init(dst, "main", s->db, "main"))) {
		buf_seterr(err, RUNNER_EFAIL, "cannot copy database '%s': %s",
		    s->base.display, dst ? sqlite3_errmsg(dst) : "no memory");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &since);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (s->stop || elapsed_s(&since) >= s->lock_timeout)
			break;
		nanosleep(&ts, NULL);
	}
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		buf_seterr(err, s->stop ? RUNNER_EINTR : RUNNER_EBUSY, "cannot "
		    "copy database '%s': %s", s->base.display, s->stop ?
		    "interrupted" : "it stayed locked by another process "
		    "(see --lock-timeout)");
	else
		buf_seterr(err, RUNNER_EFAIL, "cannot copy database '%s': %s",
		    s->base.display, sqlite3_errstr(rc));
out:
	if (b && sqlite3_backup_finish(b) != SQLITE_OK && ret == 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot copy database "
		    "'%s': %s", s->base.display, sqlite3_errmsg(dst));
	sqlite3_close(dst);
	return ret;
}

/* Copies in to out to the end, in the kernel where it can. */
static int
copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n, w;
	off_t off = 0;

	while ((n = sendfile(out, in, &off, 1 << 30)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	while ((n = pread(in, buf, sizeof(buf), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (w = write(out, buf, (size_t)n)) != n)
			return -1;
		off += n;
	}
	return 0;
}

/*
 * Rollback-journal modes: the file itself, copied while a read
 * transaction holds SHARED, under which no one can change it. Writers
 * wait only for the copy, which the kernel does at disk speed.
 */
static int
snapshot_file(struct sqlite_store *s, const char *path, struct buf *err)
{
	const char *file = sqlite3_db_filename(s->db, "main");
	int in = -1, out = -1, ret;

	ret = run(s, "BEGIN; SELECT count(*) FROM sqlite_schema", err);
	if (ret < 0)
		return ret;
	in = open(file, O_RDONLY);
	out = open(path, O_WRONLY);
	if (in < 0 || out < 0 || copy_fd(in, out) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot copy database "
		    "'%s': %s", s->base.display, strerror(errno));
	if (out >= 0)
		close(out);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	/* Only now: closing a descriptor drops the process's POSIX locks. */
	if (in >= 0)
		close(in);
	return ret;
}

static int
sqlite_snapshot(struct store *base, const char *path, struct buf *err)
{
	struct sqlite_store *s = downcast(base);
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	return wal ? snapshot_wal(s, path, err) : snapshot_file(s, path, err);
}

/* "file:" URI for path, so that it can be opened immutable. */
static char *
file_uri(const char *path)
{
	struct buf u = BUF_INIT;
	const unsigned char *p;

	buf_adds(&u, "file:");
	for (p = (const unsigned char *)path; *p; p++)
		if (strchr("?#%", *p) || *p < 0x20 || *p >= 0x7f)
			buf_addf(&u, "%%%02X", *p);
		else
			buf_addch(&u, *p);
	buf_adds(&u, "?immutable=1");
	return buf_detach(&u, NULL);
}

/* Collects PRAGMA integrity_check's first few complaints. */
static int
integrity_check(sqlite3 *db, const char *path, struct buf *err)
{
	sqlite3_stmt *st = NULL;
	struct buf why = BUF_INIT;
	const char *msg;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(5)", -1, &st,
	    NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0)
			buf_addf(&why, "%s%s", n++ ? "; " : "", msg);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		buf_addf(&why, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	rc = why.len ? buf_seterr(err, RUNNER_EFAIL, "'%s' holds a damaged "
	    "database: %s", path, why.buf) : 0;
	buf_release(&why);
	return rc;
}

static int
sqlite_check_image(const char *path, const char *name, struct buf *err)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	char *uri = NULL;
	sqlite3 *db = NULL;
	FILE *f = fopen(path, "rb");
	int ret = RUNNER_EFAIL;

	if (!f || fread(head, 1, sizeof(head), f) != sizeof(head) ||
	    memcmp(head, magic, sizeof(magic)) != 0) {
		buf_seterr(err, RUNNER_EFAIL, "'%s' does not hold an SQLite "
		    "database", name);
		goto out;
	}
	uri = file_uri(path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK) {
		buf_seterr(err, RUNNER_EFAIL, "cannot open the database in "
		    "'%s': %s", name, db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	ret = integrity_check(db, name, err);
out:
	sqlite3_close(db);
	free(uri);
	if (f)
		fclose(f);
	return ret;
}

/* Removes path's -journal, -wal and -shm: they belong to the old file. */
static int
remove_sidecars(const char *path, struct buf *err)
{
	static const char *const suffix[] = { "-journal", "-wal", "-shm" };
	struct buf p = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < 3 && ret == 0; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", path, suffix[i]);
		if (unlink(p.buf) < 0 && errno != ENOENT)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot remove "
			    "'%s': %s", p.buf, strerror(errno));
	}
	buf_release(&p);
	return ret;
}

/*
 * Waits until no one writes the old database (its hot journal, if any, is
 * rolled back on the way), then renames the image over it.
 */
static int
sqlite_replace(const char *target, int lock_timeout, const char *path,
    struct buf *err)
{
	struct store *old = NULL;
	struct stat st;
	int ret;

	if (stat(target, &st) == 0) {
		ret = sqlite_open(target, STORE_NOCREATE, lock_timeout, &old,
		    err);
		if (ret == 0 && (ret = sqlite_begin(old, 0, err)) == 0)
			sqlite_rollback(old, 0);
		store_close(old);
		if (ret < 0)
			return ret;
	}
	ret = remove_sidecars(target, err);
	if (ret == 0 && rename(path, target) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot replace database "
		    "'%s': %s", target, strerror(errno));
	return ret;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
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
};
