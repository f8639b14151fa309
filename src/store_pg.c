/*
 * store_pg.c: the PostgreSQL driver, over libpq. A session-level advisory
 * lock, taken by the first begin() and held until close, serialises runners
 * on one database and schema; a transaction section goes to the server as
 * one string, a transaction:false section one statement at a time.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "migration.h"
#include "pgsplit.h"
#include "store_pg.h"
#include "banned.h"

/* The columns beyond the Story Hub table's first five, added on demand. */
static const struct {
	const char *name;
	const char *decl;
} extra_cols[] = {
	{ "duration_ms", "DOUBLE PRECISION" },
	{ "down_sql", "TEXT" },
	{ "down_options", "TEXT" },
	{ "state", "TEXT NOT NULL DEFAULT 'applied'" },
	{ "error", "TEXT" },
};
#define NEXTRA (sizeof(extra_cols) / sizeof(extra_cols[0]))

/* The advisory lock's key: the database, the schema and the table. */
#define LOCK_KEY "('x' || left(md5(current_database() || '/' || " \
	"coalesce(current_schema(), '') || '/" TRACKING_TABLE "'), 16))" \
	"::bit(64)::bigint"

#define SQLSTATE_CANCELED	"57014"
#define SQLSTATE_LOCK_TIMEOUT	"55P03"

struct pg_store *
pg_downcast(struct store *s)
{
	if (s->ops != &store_pg_ops)
		abort();
	return (struct pg_store *)s;
}

static int
sqlstate_is(const PGresult *r, const char *code)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return st && strcmp(st, code) == 0;
}

/* The server's message, then DETAIL, HINT and CONTEXT lines, into out. */
static void
error_text(PGconn *conn, const PGresult *r, struct buf *out)
{
	static const struct {
		int field;
		const char *label;
	} extra[] = {
		{ PG_DIAG_MESSAGE_DETAIL, "DETAIL: " },
		{ PG_DIAG_MESSAGE_HINT, "HINT: " },
		{ PG_DIAG_CONTEXT, "CONTEXT: " },
	};
	const char *v = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	size_t i;

	if (v == NULL) {
		buf_adds(out, PQerrorMessage(conn));
		while (out->len && out->buf[out->len - 1] == '\n')
			out->buf[--out->len] = '\0';
		return;
	}
	buf_adds(out, v);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		v = PQresultErrorField(r, extra[i].field);
		if (v)
			buf_addf(out, "\n%s%s", extra[i].label, v);
	}
}

/* Sets err to "what: message" (or the message) and returns the code. */
static int
fail(struct pg_store *s, const PGresult *r, const char *what,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	int code = RUNNER_EFAIL;

	if (s->stop && sqlstate_is(r, SQLSTATE_CANCELED)) {
		buf_adds(&msg, "interrupted");
		code = RUNNER_EINTR;
	} else
		error_text(s->conn, r, &msg);
	if (sqlstate_is(r, SQLSTATE_LOCK_TIMEOUT))
		code = RUNNER_EBUSY;
	if (what)
		buf_seterr(err, code, "%s: %s", what, msg.buf);
	else
		buf_seterr(err, code, "%s", msg.buf);
	buf_release(&msg);
	return code;
}

static int
result_ok(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
	    st == PGRES_EMPTY_QUERY;
}

/*
 * begin() only notes the BEGIN: pg_find, which always follows it, sends it
 * with its own query, saving a round trip per migration; anything else
 * sends it first.
 */
static int
flush_begin(struct pg_store *s, struct buf *err)
{
	PGresult *r;
	int ret = 0;

	if (!s->begin_pending)
		return 0;
	s->begin_pending = 0;
	r = PQexec(s->conn, "BEGIN");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		ret = fail(s, r, "cannot begin a transaction", err);
	PQclear(r);
	return ret;
}

PGresult *
pg_query(struct pg_store *s, const char *sql, int nparams,
    const char *const *params, const char *what, struct buf *err)
{
	PGresult *r;

	if (flush_begin(s, err) < 0)
		return NULL;
	r = PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (r && result_ok(r))
		return r;
	fail(s, r, what, err);
	PQclear(r);
	return NULL;
}

static int
run(struct pg_store *s, const char *sql, const char *what, struct buf *err)
{
	PGresult *r = pg_query(s, sql, 0, NULL, what, err);

	if (r == NULL)
		return RUNNER_EFAIL;
	PQclear(r);
	return 0;
}

/* The core library prints nothing: NOTICEs and WARNINGs are dropped. */
static void
ignore_notice(void *arg, const PGresult *r)
{
	(void)arg, (void)r;
}

/*
 * Connects to url, or to database dbname with url's other settings. A
 * server that does not answer fails after 10 s unless url or
 * PGCONNECT_TIMEOUT says otherwise.
 */
static int
connect_url(const char *url, const char *dbname, PGconn **out,
    struct buf *err)
{
	const char *keys[5], *vals[5];
	struct buf msg = BUF_INIT;
	char *shown;
	int n = 0;

	if (getenv("PGCONNECT_TIMEOUT") == NULL)
		keys[n] = "connect_timeout", vals[n++] = "10";
	keys[n] = "fallback_application_name", vals[n++] = "runner";
	keys[n] = "dbname", vals[n++] = url;
	if (dbname)
		keys[n] = "dbname", vals[n++] = dbname;
	keys[n] = vals[n] = NULL;
	*out = PQconnectdbParams(keys, vals, 1);
	if (*out && PQstatus(*out) == CONNECTION_OK) {
		PQsetNoticeReceiver(*out, ignore_notice, NULL);
		return 0;
	}
	error_text(*out, NULL, &msg);
	store_scrub(url, &msg);
	shown = store_display_url(url);
	buf_seterr(err, RUNNER_EFAIL, "cannot connect to '%s': %s", shown,
	    *out ? msg.buf : "out of memory");
	free(shown);
	buf_release(&msg);
	PQfinish(*out);
	*out = NULL;
	return RUNNER_EFAIL;
}

static struct pg_store *
pg_new(PGconn *conn, const char *url, int lock_timeout)
{
	struct pg_store *s = xcalloc(1, sizeof(*s));

	s->base.ops = &store_pg_ops;
	s->base.display = store_display_url(url);
	s->conn = conn;
	s->cancel = PQgetCancel(conn);
	s->url = xstrdup(url);
	s->lock_timeout = lock_timeout;
	return s;
}

/* flags: STORE_NOCREATE changes nothing, as runner never creates databases. */
static int
pg_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	PGconn *conn;
	int ret;

	(void)flags;
	ret = connect_url(url, NULL, &conn, err);
	if (ret < 0)
		return ret;
	*out = &pg_new(conn, url, lock_timeout)->base;
	return 0;
}

static void drop_scratch(struct pg_store *s);

static void
pg_close(struct store *base)
{
	struct pg_store *s = pg_downcast(base);

	PQfreeCancel(s->cancel);
	PQfinish(s->conn);
	if (s->admin)
		drop_scratch(s);
	free(s->base.display);
	free(s->url);
	free(s);
}

/*
 * Waits for the advisory lock up to the lock timeout (the server's
 * lock_timeout, set only around this wait); --lock-timeout 0 only tries.
 */
static int
take_lock(struct pg_store *s, struct buf *err)
{
	char sql[64];
	PGresult *r;
	int busy, ret = 0;

	snprintf(sql, sizeof(sql), "SET lock_timeout = '%ds'", s->lock_timeout);
	if (s->lock_timeout > 0 && run(s, sql, "cannot set lock_timeout",
	    err) < 0)
		return RUNNER_EFAIL;
	s->cancelable = 1;
	r = PQexec(s->conn, s->lock_timeout > 0 ?
	    "SELECT 1 FROM pg_advisory_lock(" LOCK_KEY ")" :
	    "SELECT pg_try_advisory_lock(" LOCK_KEY ")");
	s->cancelable = 0;
	if (s->lock_timeout > 0)
		PQclear(PQexec(s->conn, "RESET lock_timeout"));
	busy = sqlstate_is(r, SQLSTATE_LOCK_TIMEOUT) ||
	    (s->lock_timeout == 0 && PQresultStatus(r) == PGRES_TUPLES_OK &&
	    strcmp(PQgetvalue(r, 0, 0), "f") == 0);
	if (busy)
		ret = buf_seterr(err, RUNNER_EBUSY, "database '%s' is locked "
		    "by another runner (waited %d s; see --lock-timeout)",
		    s->base.display, s->lock_timeout);
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		ret = fail(s, r, "cannot take the migration lock", err);
	PQclear(r);
	s->locked = ret == 0;
	return ret;
}

static int
pg_begin(struct store *base, unsigned flags, struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	int ret;

	if (flags & STORE_FKOFF)
		return buf_seterr(err, RUNNER_EFAIL, "foreign_keys:off is "
		    "SQLite's table-rebuild option; PostgreSQL alters tables "
		    "in place (use deferrable constraints and SET CONSTRAINTS "
		    "instead)");
	if (!s->locked && (ret = take_lock(s, err)) < 0)
		return ret;
	if (flags & STORE_NOTX)
		return 0;
	s->begin_pending = 1;
	s->in_tx = 1;
	return 0;
}

static int
pg_commit(struct store *base, unsigned flags, struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	PGresult *r;
	int ok;

	if (flags & STORE_NOTX)
		return 0;
	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	if (s->begin_pending) {
		s->begin_pending = s->in_tx = 0;	/* nothing ran */
		return 0;
	}
	if (PQtransactionStatus(s->conn) != PQTRANS_INTRANS)
		return buf_seterr(err, RUNNER_EFAIL, "the transaction ended "
		    "early or failed; nothing was committed");
	r = pg_query(s, "COMMIT", 0, NULL, "cannot commit", err);
	if (r == NULL)
		return RUNNER_EFAIL;
	/* A COMMIT of a failed transaction answers ROLLBACK. */
	ok = strcmp(PQcmdStatus(r), "COMMIT") == 0;
	PQclear(r);
	s->in_tx = 0;
	if (!ok)
		return buf_seterr(err, RUNNER_EFAIL, "the server rolled the "
		    "transaction back instead of committing it");
	return 0;
}

static void
pg_rollback(struct store *base, unsigned flags)
{
	struct pg_store *s = pg_downcast(base);
	PGTransactionStatusType st = PQtransactionStatus(s->conn);

	(void)flags;
	if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	s->in_tx = s->begin_pending = 0;
}

/* Sets bit i of *have for each extra column present; *exists for the table. */
static int
table_columns(struct pg_store *s, int *exists, unsigned *have,
    struct buf *err)
{
	static const char sql[] =
	    "SELECT to_regclass('" TRACKING_TABLE "') IS NOT NULL, a.attname "
	    "FROM (SELECT 1) AS one LEFT JOIN pg_attribute AS a "
	    "ON a.attrelid = to_regclass('" TRACKING_TABLE "') "
	    "AND a.attnum > 0 AND NOT a.attisdropped";
	PGresult *r;
	size_t j;
	int i;

	*exists = 0;
	*have = 0;
	r = pg_query(s, sql, 0, NULL, "cannot read the tracking table", err);
	if (r == NULL)
		return RUNNER_EFAIL;
	for (i = 0; i < PQntuples(r); i++) {
		*exists = strcmp(PQgetvalue(r, i, 0), "t") == 0;
		for (j = 0; j < NEXTRA; j++)
			if (strcmp(PQgetvalue(r, i, 1), extra_cols[j].name) == 0)
				*have |= 1u << j;
	}
	PQclear(r);
	return 0;
}

static int
pg_ensure_table(struct store *base, struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	struct buf sql = BUF_INIT;
	unsigned have;
	size_t i;
	int exists, ret = RUNNER_EFAIL;

	if (table_columns(s, &exists, &have, err) < 0)
		return RUNNER_EFAIL;
	if (!exists) {
		buf_adds(&sql, "CREATE TABLE " TRACKING_TABLE " (\n"
		    "    id BIGINT GENERATED BY DEFAULT AS IDENTITY "
		    "PRIMARY KEY,\n"
		    "    version TEXT UNIQUE NOT NULL,\n"
		    "    name TEXT NOT NULL,\n"
		    "    applied_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,\n"
		    "    checksum TEXT");
		for (i = 0; i < NEXTRA; i++)
			buf_addf(&sql, ",\n    %s %s", extra_cols[i].name,
			    extra_cols[i].decl);
		buf_adds(&sql, "\n)");
	} else {
		/* Adopt an older table: add what it lacks. */
		for (i = 0; i < NEXTRA; i++)
			if (!(have & (1u << i)))
				buf_addf(&sql, "ALTER TABLE " TRACKING_TABLE
				    " ADD COLUMN %s %s;", extra_cols[i].name,
				    extra_cols[i].decl);
	}
	if (sql.len && run(s, sql.buf, "cannot create the tracking table",
	    err) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&sql);
	return ret;
}

static char *
col_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL :
	    xstrdup(PQgetvalue(r, row, col));
}

static void
read_row(const PGresult *r, int i, struct applied *a)
{
	memset(a, 0, sizeof(*a));
	a->version = col_text(r, i, 0);
	a->name = col_text(r, i, 1);
	a->applied_at = col_text(r, i, 2);
	a->checksum = col_text(r, i, 3);
	a->duration_ms = PQgetisnull(r, i, 4) ? -1 :
	    strtod(PQgetvalue(r, i, 4), NULL);
	a->has_down = strcmp(PQgetvalue(r, i, 5), "t") == 0;
	a->down_options = col_text(r, i, 6);
	a->state = col_text(r, i, 7);
	a->error = col_text(r, i, 8);
	if (a->version == NULL)
		a->version = xstrdup("");
	if (a->name == NULL)
		a->name = xstrdup("");
}

static int
cmp_applied(const void *a, const void *b)
{
	return version_cmp(((const struct applied *)a)->version,
	    ((const struct applied *)b)->version);
}

/* applied_at is shown in UTC, as SQLite's CURRENT_TIMESTAMP is. */
static void
select_sql(struct buf *sql, unsigned have)
{
	size_t i;

	buf_adds(sql, "SELECT version, name, to_char(applied_at::timestamptz "
	    "AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), checksum");
	for (i = 0; i < NEXTRA; i++)
		if (!(have & (1u << i)))
			buf_adds(sql, ", NULL");
		else if (strcmp(extra_cols[i].name, "down_sql") == 0)
			buf_adds(sql, ", down_sql IS NOT NULL");
		else
			buf_addf(sql, ", %s", extra_cols[i].name);
	buf_adds(sql, " FROM " TRACKING_TABLE);
}

static int
pg_load_applied(struct store *base, struct applied_set *out,
    struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	struct buf sql = BUF_INIT;
	PGresult *r;
	unsigned have;
	int exists, i;

	out->v = NULL;
	out->n = 0;
	if (table_columns(s, &exists, &have, err) < 0)
		return RUNNER_EFAIL;
	if (!exists)
		return 0;
	select_sql(&sql, have);
	r = pg_query(s, sql.buf, 0, NULL, "cannot read the tracking table",
	    err);
	buf_release(&sql);
	if (r == NULL)
		return RUNNER_EFAIL;
	out->v = xcalloc((size_t)PQntuples(r) + 1, sizeof(*out->v));
	for (i = 0; i < PQntuples(r); i++)
		read_row(r, i, &out->v[out->n++]);
	PQclear(r);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_applied);
	return 0;
}

/* The one value of a one-column query with params, or NULL (no row). */
static int
query_value(struct pg_store *s, const char *sql, int n,
    const char *const *params, int *found, char **value, struct buf *err)
{
	PGresult *r;

	r = pg_query(s, sql, n, params, "cannot read the tracking table", err);
	if (r == NULL)
		return RUNNER_EFAIL;
	*found = PQntuples(r) > 0;
	if (value)
		*value = *found ? col_text(r, 0, 0) : NULL;
	PQclear(r);
	return 0;
}

/* With a pending BEGIN, one simple query sends both. */
static int
find_after_begin(struct pg_store *s, const char *version, int *found,
    char **state, struct buf *err)
{
	struct buf sql = BUF_INIT;
	char *lit = PQescapeLiteral(s->conn, version, strlen(version));
	PGresult *r = NULL;
	int ret;

	s->begin_pending = 0;
	if (lit == NULL)
		return fail(s, NULL, "cannot read the tracking table", err);
	buf_addf(&sql, "BEGIN; SELECT state FROM " TRACKING_TABLE
	    " WHERE version = %s", lit);
	r = PQexec(s->conn, sql.buf);
	ret = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 :
	    fail(s, r, "cannot read the tracking table", err);
	*found = ret == 0 && PQntuples(r) > 0;
	*state = *found ? col_text(r, 0, 0) : NULL;
	PQclear(r);
	PQfreemem(lit);
	buf_release(&sql);
	return ret;
}

static int
pg_find(struct store *base, const char *version, int *found, char **state,
    struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	const char *p[1] = { version };

	if (s->begin_pending && state)
		return find_after_begin(s, version, found, state, err);
	return query_value(s, "SELECT state FROM " TRACKING_TABLE
	    " WHERE version = $1", 1, p, found, state, err);
}

static int
pg_load_down(struct store *base, const char *version, char **sql,
    struct buf *err)
{
	const char *p[1] = { version };
	int found;

	return query_value(pg_downcast(base), "SELECT down_sql FROM "
	    TRACKING_TABLE " WHERE version = $1", 1, p, &found, sql, err);
}

static int
write_row(struct pg_store *s, const char *sql, int n,
    const char *const *params, struct buf *err)
{
	PGresult *r;

	r = pg_query(s, sql, n, params, "cannot update the tracking table",
	    err);
	PQclear(r);
	return r ? 0 : RUNNER_EFAIL;
}

static const char *
ms_text(double ms, char *b, size_t size)
{
	if (ms < 0)
		return NULL;
	snprintf(b, size, "%.3f", ms);
	return b;
}

static int
pg_insert(struct store *base, const struct applied *a, struct buf *err)
{
	char ms[64];
	const char *p[8] = { a->version, a->name, a->checksum,
		ms_text(a->duration_ms, ms, sizeof(ms)), a->down_sql,
		a->down_options, a->state ? a->state : STATE_APPLIED,
		a->error };

	return write_row(pg_downcast(base), "INSERT INTO " TRACKING_TABLE
	    " (version, name, checksum, duration_ms, down_sql, down_options, "
	    "state, error) VALUES ($1, $2, $3, $4::double precision, $5, $6, "
	    "$7, $8)", 8, p, err);
}

static int
pg_set_state(struct store *base, const char *version, const char *state,
    double duration_ms, const char *error, struct buf *err)
{
	char ms[64];
	const char *p[4] = { version, state,
		ms_text(duration_ms, ms, sizeof(ms)), error };

	return write_row(pg_downcast(base), "UPDATE " TRACKING_TABLE " SET "
	    "state = $2, duration_ms = coalesce($3::double precision, "
	    "duration_ms), error = $4 WHERE version = $1", 4, p, err);
}

static int
pg_set_checksum(struct store *base, const char *version,
    const char *checksum, struct buf *err)
{
	const char *p[2] = { version, checksum };

	return write_row(pg_downcast(base), "UPDATE " TRACKING_TABLE
	    " SET checksum = $2 WHERE version = $1", 2, p, err);
}

static int
pg_remove(struct store *base, const char *version, struct buf *err)
{
	const char *p[1] = { version };

	return write_row(pg_downcast(base), "DELETE FROM " TRACKING_TABLE
	    " WHERE version = $1", 1, p, err);
}

/* What the server answered to a string of statements. */
struct answer {
	int nok;		/* statements that succeeded */
	PGresult *bad;		/* the error, if one failed */
};

/*
 * Sends sql and collects one result per statement. COPY FROM STDIN has no
 * data to read here and is failed; COPY TO STDOUT output is discarded.
 */
static int
send_all(struct pg_store *s, const char *sql, struct answer *a,
    struct buf *err)
{
	PGresult *r;
	char *row;

	memset(a, 0, sizeof(*a));
	if (!PQsendQuery(s->conn, sql))
		return fail(s, NULL, NULL, err);
	while ((r = PQgetResult(s->conn)) != NULL) {
		if (PQresultStatus(r) == PGRES_COPY_IN)
			PQputCopyEnd(s->conn, "COPY FROM STDIN is not "
			    "supported in migrations (use COPY FROM a file, or "
			    "INSERT)");
		else if (PQresultStatus(r) == PGRES_COPY_OUT)
			while (PQgetCopyData(s->conn, &row, 0) > 0)
				PQfreemem(row);
		else if (!result_ok(r) && a->bad == NULL) {
			a->bad = r;
			continue;
		} else if (result_ok(r) && a->bad == NULL)
			a->nok++;
		PQclear(r);
	}
	return 0;
}

/* The byte offset of character nchars of sql[0, len). */
static size_t
char_offset(const char *sql, size_t len, long nchars, int encoding)
{
	size_t off = 0;
	int n;

	for (; nchars > 0 && off < len; nchars--) {
		n = PQmblen(sql + off, encoding);
		off += n > 0 ? (size_t)n : 1;
	}
	return off < len ? off : len;
}

/*
 * Where the failing statement begins: the one holding the error position
 * when the server gives one, else the one after the nok that succeeded.
 */
static size_t
failed_statement(const char *sql, size_t len, size_t pos, int nok)
{
	struct pgsplit p;
	size_t start = 0, end, last = 0;
	int i = 0;

	pgsplit_init(&p, sql, len);
	while (pgsplit_next(&p, &start, &end)) {
		last = start;
		if (pos != (size_t)-1 ? pos < end : i == nok)
			return start;
		i++;
	}
	return last;
}

/* A failed answer: the message, and in *errpos its statement. */
static int
answer_error(struct pg_store *s, const char *sql, size_t len,
    const struct answer *a, size_t *errpos, struct buf *err)
{
	const char *pos;
	size_t off = (size_t)-1;

	pos = a->bad ? PQresultErrorField(a->bad, PG_DIAG_STATEMENT_POSITION) :
	    NULL;
	if (pos && atol(pos) > 0)
		off = char_offset(sql, len, atol(pos) - 1,
		    PQclientEncoding(s->conn));
	*errpos = failed_statement(sql, len, off, a->nok);
	return fail(s, a->bad, NULL, err);
}

/* Inside runner's transaction, the section must not end it. */
static int
check_tx_end(const char *sql, size_t len, size_t *errpos, struct buf *err)
{
	struct pgsplit p;
	size_t start, end;

	pgsplit_init(&p, sql, len);
	while (pgsplit_next(&p, &start, &end))
		if (pgsplit_ends_tx(sql + start, end - start)) {
			*errpos = start;
			return buf_seterr(err, RUNNER_EFAIL, "a section must "
			    "not end the transaction runner wraps it in "
			    "(COMMIT, END, ABORT, ROLLBACK or PREPARE "
			    "TRANSACTION); say transaction:false after the "
			    "marker to manage transactions yourself");
		}
	return 0;
}

/* The whole section in one round trip: the server splits it. */
static int
run_whole(struct pg_store *s, const char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	struct answer a;
	int ret;

	ret = check_tx_end(sql, len, errpos, err);
	if (ret < 0 || (ret = send_all(s, sql, &a, err)) < 0)
		return ret;
	if (a.bad)
		ret = answer_error(s, sql, len, &a, errpos, err);
	else if (PQtransactionStatus(s->conn) != PQTRANS_INTRANS)
		ret = buf_seterr(err, RUNNER_EFAIL, "the section ended the "
		    "transaction runner wraps it in");
	PQclear(a.bad);
	return ret;
}

/*
 * One statement at a time: libpq would run a string of them in one
 * implicit transaction, which CREATE INDEX CONCURRENTLY and the like refuse.
 * sql is a copy, NUL-terminated after each statement in turn.
 */
static int
run_each(struct pg_store *s, char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	struct pgsplit p;
	struct answer a;
	size_t start, end;
	char saved;
	int ret = 0;

	pgsplit_init(&p, sql, len);
	while (ret == 0 && pgsplit_next(&p, &start, &end)) {
		*errpos = start;
		if (s->stop)
			return buf_seterr(err, RUNNER_EINTR, "interrupted");
		saved = sql[end];
		sql[end] = '\0';
		ret = send_all(s, sql + start, &a, err);
		sql[end] = saved;
		if (ret == 0 && a.bad)
			ret = fail(s, a.bad, NULL, err);
		PQclear(a.bad);
	}
	return ret;
}

static int
pg_exec(struct store *base, const char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	char *copy;
	int ret;

	*errpos = 0;
	if (len >= INT_MAX)
		return buf_seterr(err, RUNNER_EFAIL, "section too large");
	if (flush_begin(s, err) < 0)
		return RUNNER_EFAIL;
	copy = xstrndup(sql, len);
	s->cancelable = 1;
	if (s->stop)
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted");
	else if (s->in_tx)
		ret = run_whole(s, copy, len, errpos, err);
	else
		ret = run_each(s, copy, len, errpos, err);
	s->cancelable = 0;
	free(copy);
	return ret;
}

/*
 * Everything in the schema the tracking table lives in (current_schema()),
 * but what extensions own: relations, routines, types, extensions. CASCADE
 * takes indexes, triggers, constraints and owned sequences along.
 */
static const char drop_sql[] =
    "WITH ns AS (SELECT oid FROM pg_namespace "
    "WHERE nspname = current_schema()), "
    "ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e') "
    "SELECT format('DROP %s IF EXISTS %s CASCADE', kind, obj) FROM ("
    "SELECT 1 AS ord, CASE c.relkind WHEN 'v' THEN 'VIEW' "
    "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' "
    "WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, "
    "c.oid::regclass::text AS obj FROM pg_class c, ns "
    "WHERE c.relnamespace = ns.oid "
    "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT EXISTS "
    "(SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass "
    "AND objid = c.oid) "
    "UNION ALL SELECT 2, CASE p.prokind WHEN 'a' THEN 'AGGREGATE' "
    "WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, "
    "p.oid::regprocedure::text FROM pg_proc p, ns "
    "WHERE p.pronamespace = ns.oid AND NOT EXISTS "
    "(SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass "
    "AND objid = p.oid) "
    "UNION ALL SELECT 3, CASE t.typtype WHEN 'd' THEN 'DOMAIN' "
    "ELSE 'TYPE' END, t.oid::regtype::text FROM pg_type t, ns "
    "WHERE t.typnamespace = ns.oid AND (t.typtype IN ('e', 'r', 'd') "
    "OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class "
    "WHERE oid = t.typrelid) = 'c')) AND NOT EXISTS "
    "(SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass "
    "AND objid = t.oid) "
    "UNION ALL SELECT 4, 'EXTENSION', quote_ident(e.extname) "
    "FROM pg_extension e, ns WHERE e.extnamespace = ns.oid"
    ") AS x ORDER BY ord, obj COLLATE \"C\"";

static int
pg_drop_all(struct store *base, struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	PGresult *r;
	int i, ret = 0;

	r = pg_query(s, drop_sql, 0, NULL, "cannot read the schema", err);
	if (r == NULL)
		return RUNNER_EFAIL;
	for (i = 0; ret == 0 && i < PQntuples(r); i++)
		ret = run(s, PQgetvalue(r, i, 0), PQgetvalue(r, i, 0), err);
	PQclear(r);
	return ret;
}

/* Safe in a signal handler: PQcancel is, with its buffer on the stack. */
static void
pg_interrupt(struct store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	char errbuf[256];

	s->stop = 1;
	/* Only the user's SQL and the lock wait: tracking writes must finish. */
	if (s->cancelable && s->cancel)
		PQcancel(s->cancel, errbuf, sizeof(errbuf));
}

/* CREATE DATABASE name, like target's database, but from template0. */
static int
create_scratch(struct pg_store *admin, const char *name, struct buf *err)
{
	const char *p[1] = { name };
	PGresult *r;
	int ret;

	r = pg_query(admin, "SELECT format('CREATE DATABASE %I TEMPLATE "
	    "template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', $1::text, "
	    "pg_encoding_to_char(encoding), datcollate, datctype) "
	    "FROM pg_database WHERE datname = current_database()", 1, p,
	    "cannot create a scratch database", err);
	if (r == NULL)
		return RUNNER_EFAIL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return buf_seterr(err, RUNNER_EFAIL, "cannot create a scratch "
		    "database: the current database is not in pg_database");
	}
	ret = run(admin, PQgetvalue(r, 0, 0), "cannot create a scratch "
	    "database (the user needs the CREATEDB privilege)", err);
	PQclear(r);
	return ret;
}

static void
drop_database(PGconn *conn, const char *name)
{
	struct buf sql = BUF_INIT;
	char *q = PQescapeIdentifier(conn, name, strlen(name));

	if (q) {
		buf_addf(&sql, "DROP DATABASE IF EXISTS %s", q);
		PQclear(PQexec(conn, sql.buf));
	}
	PQfreemem(q);
	buf_release(&sql);
}

static void
drop_scratch(struct pg_store *s)
{
	drop_database(s->admin, s->scratch);
	PQfinish(s->admin);
	free(s->scratch);
}

/*
 * A new database named runner_scratch_PID_N on target's server, made by a
 * connection to target that stays open to drop it when the store closes.
 */
static int
pg_open_scratch(const char *target, int lock_timeout, struct store **out,
    struct buf *err)
{
	struct store *base;
	struct pg_store *admin, *s;
	struct timespec ts;
	PGconn *conn = NULL;
	char name[64];
	int ret;

	ret = pg_open(target, 0, lock_timeout, &base, err);
	if (ret < 0)
		return ret;
	admin = pg_downcast(base);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "runner_scratch_%ld_%ld", (long)getpid(),
	    (long)ts.tv_nsec);
	ret = create_scratch(admin, name, err);
	if (ret == 0 && (ret = connect_url(target, name, &conn, err)) < 0)
		drop_database(admin->conn, name);
	if (ret < 0) {
		store_close(base);
		return ret;
	}
	s = pg_new(conn, target, lock_timeout);
	s->admin = admin->conn;
	s->scratch = xstrdup(name);
	admin->conn = NULL;
	store_close(base);
	*out = &s->base;
	return 0;
}

const char *
store_pg_version(void)
{
	static char v[32];
	int n = PQlibVersion();

	snprintf(v, sizeof(v), "%d.%d", n / 10000, n % 10000);
	return v;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.ensure_table = pg_ensure_table,
	.load_applied = pg_load_applied,
	.load_down = pg_load_down,
	.find = pg_find,
	.insert = pg_insert,
	.set_state = pg_set_state,
	.set_checksum = pg_set_checksum,
	.remove = pg_remove,
	.exec = pg_exec,
	.drop_all = pg_drop_all,
	.schema = pg_schema,
	.describe = pg_describe,
	.open_scratch = pg_open_scratch,
	.interrupt = pg_interrupt,
};
