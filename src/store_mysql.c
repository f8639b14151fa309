/*
 * store_mysql.c: the MySQL/MariaDB driver, over libmariadb. A session lock
 * (GET_LOCK), taken by the first begin() and held until close, serialises
 * runners on one database; sections go to the server one statement at a
 * time, split as the mysql client splits them (text_mysqlsplit), since
 * the server knows no DELIMITER and reports no statement's position.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "error.h"
#include "text_migration.h"
#include "text_mysqlsplit.h"
#include "store_mysql.h"
#include "banned.h"

/*
 * TEXT can be neither a key nor, on MySQL, have a default. applied_at is
 * a TIMESTAMP (UTC inside) shown in UTC whatever the session's time zone.
 */
static const struct tracking_dialect dialect = {
	.id = "BIGINT AUTO_INCREMENT PRIMARY KEY",
	.applied_at = "TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP",
	.applied_at_text = "DATE_FORMAT(DATE_ADD('1970-01-01', INTERVAL "
	    "UNIX_TIMESTAMP(applied_at) SECOND), '%Y-%m-%d %H:%i:%s')",
	.duration = "DOUBLE",
	.key_text = "VARCHAR(255)",
	.short_text = "VARCHAR(255)",
	.long_text = "LONGTEXT",
	.table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
	    "COLLATE=utf8mb4_bin",
	.quote = '`',
};

/*
 * The session lock's name (at most 64 characters): the database's, and a
 * digest of the database and the tracking table.
 */
#define LOCK_NAME "CONCAT('runner:', LEFT(DATABASE(), 40), ':', " \
	"LEFT(MD5(CONCAT(DATABASE(), '/', {N})), 12))"

/* Scratch databases: SCRATCH_PREFIX and a number, locked by that name. */
#define SCRATCH_PREFIX	"runner_scratch_"

struct my_store *
my_downcast(struct store *s)
{
	if (s->ops != &store_mysql_ops)
		abort();
	return (struct my_store *)s;
}

/* {T} in tmpl is the tracking table, quoted for MySQL. */
static void
table_sql(struct my_store *s, struct buf *out, const char *tmpl)
{
	tracking_sql_q(out, s->base.table, tmpl, '`');
}

static int
interrupted_errno(unsigned n)
{
	return n == ER_QUERY_INTERRUPTED || n == ER_STATEMENT_TIMEOUT ||
	    n == ER_CONNECTION_KILLED;
}

int
my_fail(struct my_store *s, const char *what, struct buf *err)
{
	unsigned n = mysql_errno(s->conn);
	struct buf msg = BUF_INIT;
	int code = RUNNER_EFAIL;

	if (s->stop && (interrupted_errno(n) || n == 0)) {
		buf_adds(&msg, "interrupted");
		code = RUNNER_EINTR;
	} else if (n == 0)
		buf_adds(&msg, "unexpected answer from the server");
	else
		buf_addf(&msg, "%s (error %u, SQLSTATE %s)",
		    mysql_error(s->conn), n, mysql_sqlstate(s->conn));
	if (n == ER_LOCK_WAIT_TIMEOUT)
		code = RUNNER_EBUSY;
	store_scrub(s->url, &msg);
	if (what)
		buf_seterr(err, code, "%s: %s", what, msg.buf);
	else
		buf_seterr(err, code, "%s", msg.buf);
	buf_release(&msg);
	return code;
}

/* Reads and drops every result sql[0, len) gave (a CALL gives several). */
static int
drain(struct my_store *s)
{
	MYSQL_RES *r;
	int more;

	do {
		r = mysql_store_result(s->conn);
		if (r)
			mysql_free_result(r);
		else if (mysql_field_count(s->conn) != 0)
			return -1;
		more = mysql_next_result(s->conn);
		if (more > 0)
			return -1;
	} while (more == 0);
	return 0;
}

static int
run_len(struct my_store *s, const char *sql, size_t len, const char *what,
    struct buf *err)
{
	if (mysql_real_query(s->conn, sql, (unsigned long)len) != 0 ||
	    drain(s) < 0)
		return my_fail(s, what, err);
	return 0;
}

int
my_run(struct my_store *s, const char *sql, const char *what,
    struct buf *err)
{
	return run_len(s, sql, strlen(sql), what, err);
}

int
my_query(struct my_store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v, const unsigned long *len),
    void *arg, const char *what, struct buf *err)
{
	MYSQL_RES *r;
	MYSQL_ROW v;
	int ret = 0;

	if (mysql_real_query(s->conn, sql, (unsigned long)strlen(sql)) != 0 ||
	    (r = mysql_store_result(s->conn)) == NULL)
		return my_fail(s, what, err);
	if ((int)mysql_num_fields(r) < ncols)
		ret = buf_seterr(err, RUNNER_EFAIL, "%s: %u columns, not %d",
		    what, mysql_num_fields(r), ncols);
	while (ret == 0 && (v = mysql_fetch_row(r)) != NULL)
		ret = row(arg, (const char *const *)v, mysql_fetch_lengths(r));
	mysql_free_result(r);
	while (mysql_next_result(s->conn) == 0)
		mysql_free_result(mysql_store_result(s->conn));
	return ret;
}

void
my_quote(struct my_store *s, struct buf *out, const char *str)
{
	size_t n = strlen(str);

	buf_grow(out, 2 * n + 3);
	out->buf[out->len++] = '\'';
	out->len += mysql_real_escape_string(s->conn, out->buf + out->len,
	    str, (unsigned long)n);
	out->buf[out->len++] = '\'';
	out->buf[out->len] = '\0';
}

void
my_quote_ident(struct buf *out, const char *name)
{
	buf_addch(out, '`');
	for (; *name; name++) {
		if (*name == '`')
			buf_addch(out, '`');
		buf_addch(out, *name);
	}
	buf_addch(out, '`');
}

static void
set_option(MYSQL *m, enum mysql_option o, const char *v)
{
	if (v)
		mysql_options(m, o, v);
}

/* The URL's settings, as mysql_options takes them. */
static void
set_options(MYSQL *m, const struct my_url *u)
{
	my_bool yes = 1, no = 0;

	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &u->connect_timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &u->read_timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &u->write_timeout);
	/* Sections without a transaction commit statement by statement. */
	mysql_options(m, MYSQL_INIT_COMMAND, "SET autocommit = 1");
	set_option(m, MYSQL_OPT_SSL_CA, u->ssl_ca);
	set_option(m, MYSQL_OPT_SSL_CAPATH, u->ssl_capath);
	set_option(m, MYSQL_OPT_SSL_CERT, u->ssl_cert);
	set_option(m, MYSQL_OPT_SSL_KEY, u->ssl_key);
	set_option(m, MYSQL_OPT_SSL_CIPHER, u->ssl_cipher);
	if (u->ssl == 1)
		mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes);
	if (u->ssl_verify_server_cert >= 0)
		mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		    u->ssl_verify_server_cert ? &yes : &no);
}

/*
 * A connection to u's server, to database db (u's when NULL). Messages
 * name url without its password; the password goes only to the library.
 */
static int
connect_to(const char *url, const struct my_url *u, const char *db,
    MYSQL **out, struct buf *err)
{
	struct buf msg = BUF_INIT;
	char *shown;
	MYSQL *m;

	*out = NULL;
	if (my_load(err) < 0)
		return RUNNER_EFAIL;
	if ((m = mysql_init(NULL)) == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "out of memory");
	set_options(m, u);
	if (mysql_real_connect(m, u->socket && !u->host ? "localhost" :
	    u->host, u->user, u->password, db ? db : u->db, u->port,
	    u->socket, CLIENT_MULTI_RESULTS) != NULL) {
		*out = m;
		return 0;
	}
	buf_addf(&msg, "%s (error %u, SQLSTATE %s)", mysql_error(m),
	    mysql_errno(m), mysql_sqlstate(m));
	store_scrub(url, &msg);
	shown = store_display_url(url);
	buf_seterr(err, RUNNER_EFAIL, "cannot connect to '%s': %s", shown,
	    msg.buf);
	free(shown);
	buf_release(&msg);
	mysql_close(m);
	return RUNNER_EFAIL;
}

/*
 * interrupt() runs in a signal handler, where libmariadb cannot be used:
 * it writes a byte to a pipe, and this thread, waiting on the pipe, asks
 * the server from a second connection to KILL the running statement.
 */
static void *
killer(void *arg)
{
	struct my_store *s = arg;
	struct buf err = BUF_INIT;
	char c = 0, sql[64];
	ssize_t n;
	MYSQL *m;

	for (;;) {
		n = read(s->wake[0], &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1 || c == 'q')
			break;
		if (connect_to(s->url, &s->where, NULL, &m, &err) < 0)
			continue;
		snprintf(sql, sizeof(sql), "KILL QUERY %lu", s->thread_id);
		mysql_real_query(m, sql, (unsigned long)strlen(sql));
		mysql_close(m);
	}
	buf_release(&err);
	return NULL;
}

static struct my_store *
my_new(MYSQL *conn, const char *url, struct my_url *u, int lock_timeout)
{
	struct my_store *s = xcalloc(1, sizeof(*s));

	s->base.ops = &store_mysql_ops;
	s->base.display = store_display_url(url);
	s->base.table = xstrdup(TRACKING_TABLE);
	s->conn = conn;
	s->url = xstrdup(url);
	s->where = *u;
	memset(u, 0, sizeof(*u));
	s->lock_timeout = lock_timeout;
	s->thread_id = mysql_thread_id(conn);
	s->wake[0] = s->wake[1] = -1;
	if (pipe(s->wake) == 0 && pthread_create(&s->kill_thread, NULL,
	    killer, s) == 0)
		s->has_killer = 1;
	return s;
}

/* flags: STORE_NOCREATE changes nothing, as runner never creates databases. */
static int
my_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	struct my_url u;
	MYSQL *conn;
	int ret;

	(void)flags;
	ret = my_url_parse(url, &u, err);
	if (ret == 0)
		ret = connect_to(url, &u, NULL, &conn, err);
	if (ret == 0)
		*out = &my_new(conn, url, &u, lock_timeout)->base;
	my_url_free(&u);
	return ret;
}

static void drop_scratch(struct my_store *s);

static void
my_close(struct store *base)
{
	struct my_store *s = my_downcast(base);
	char c = 'q';

	if (s->has_killer) {
		while (write(s->wake[1], &c, 1) < 0 && errno == EINTR)
			;
		pthread_join(s->kill_thread, NULL);
	}
	if (s->wake[0] >= 0) {
		close(s->wake[0]);
		close(s->wake[1]);
	}
	mysql_close(s->conn);
	if (s->admin)
		drop_scratch(s);
	free(s->base.display);
	free(s->base.table);
	free(s->url);
	my_url_free(&s->where);
	free(s);
}

/* Safe in a signal handler: a flag and a write(2). */
static void
my_interrupt(struct store *base)
{
	struct my_store *s = (struct my_store *)base;
	char c = 'k';
	ssize_t n;

	s->stop = 1;
	/* Only the user's SQL and the lock wait: tracking writes must finish. */
	if (s->cancelable && s->has_killer)
		n = write(s->wake[1], &c, 1);
	(void)n;
}

/* GET_LOCK's answer: "1" taken, "0" timed out, NULL an error. */
static int
lock_answer(void *arg, const char *const *v, const unsigned long *len)
{
	int *got = arg;

	(void)len;
	*got = v[0] == NULL ? -1 : v[0][0] == '1';
	return 0;
}

/* Waits for the session lock up to the lock timeout; 0 only tries. */
static int
take_lock(struct my_store *s, struct buf *err)
{
	struct buf sql = BUF_INIT;
	char t[32];
	int got = -1, ret;

	table_sql(s, &sql, "SELECT GET_LOCK(" LOCK_NAME ", ");
	snprintf(t, sizeof(t), "%d)", s->lock_timeout);
	buf_adds(&sql, t);
	s->cancelable = 1;
	ret = my_query(s, sql.buf, 1, lock_answer, &got,
	    "cannot take the migration lock", err);
	s->cancelable = 0;
	buf_release(&sql);
	if (ret < 0)
		return ret;
	if (got < 0 && s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	if (got < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot take the "
		    "migration lock: GET_LOCK failed");
	if (got == 0)
		return buf_seterr(err, RUNNER_EBUSY, "database '%s' is locked "
		    "by another runner (waited %d s; see --lock-timeout)",
		    s->base.display, s->lock_timeout);
	s->locked = 1;
	return 0;
}

static int
my_lock_run(struct store *base, struct buf *err)
{
	struct my_store *s = my_downcast(base);

	return s->locked ? 0 : take_lock(s, err);
}

static int
my_begin(struct store *base, unsigned flags, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	int ret;

	if (flags & STORE_FKOFF)
		return buf_seterr(err, RUNNER_EFAIL, "foreign_keys:off is "
		    "SQLite's table-rebuild option; MySQL alters tables in "
		    "place (SET FOREIGN_KEY_CHECKS = 0 in the section turns "
		    "the checks off for it)");
	if (!s->locked && (ret = take_lock(s, err)) < 0)
		return ret;
	if (flags & STORE_NOTX)
		return 0;
	ret = my_run(s, "START TRANSACTION", "cannot begin a transaction",
	    err);
	s->in_tx = ret == 0;
	return ret;
}

static int
my_commit(struct store *base, unsigned flags, struct buf *err)
{
	struct my_store *s = my_downcast(base);

	if ((flags & STORE_NOTX) || !s->in_tx)
		return 0;
	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	s->in_tx = 0;
	return my_run(s, "COMMIT", "cannot commit", err);
}

static void
my_rollback(struct store *base, unsigned flags)
{
	struct my_store *s = my_downcast(base);

	(void)flags;
	if (s->in_tx)
		mysql_real_query(s->conn, "ROLLBACK", 8);
	s->in_tx = 0;
}

/*
 * DDL commits the transaction it runs in: inside begin()'s, a new one
 * starts after it, so that what follows still commits with the rest.
 */
static int
run_ddl(struct my_store *s, const char *sql, size_t len, const char *what,
    struct buf *err)
{
	int ret = run_len(s, sql, len, what, err);

	if (ret == 0 && s->in_tx)
		ret = my_run(s, "START TRANSACTION", "cannot begin a "
		    "transaction", err);
	return ret;
}

struct cols {
	struct buf *cols;
	int exists;
	const char *kind;	/* not a table: what it is */
};

static int
col_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct cols *c = arg;

	(void)len;
	c->exists = 1;
	if (strcmp(v[0], "VIEW") == 0)
		c->kind = "a view";
	else if (strcmp(v[0], "SEQUENCE") == 0)
		c->kind = "a sequence";
	if (v[1])
		buf_addf(c->cols, "%s\n", v[1]);
	return 0;
}

/*
 * The lowercased columns of table, each followed by a newline; anything
 * but a table by that name (a view...) is an error saying what it is.
 */
static int
my_columns(struct store *base, const char *table, struct buf *cols,
    int *exists, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;
	struct cols c = { cols, 0, NULL };
	int ret;

	buf_reset(cols);
	buf_adds(&sql, "SELECT t.TABLE_TYPE, lower(c.COLUMN_NAME) "
	    "FROM information_schema.TABLES t "
	    "LEFT JOIN information_schema.COLUMNS c "
	    "ON c.TABLE_SCHEMA = t.TABLE_SCHEMA "
	    "AND c.TABLE_NAME = t.TABLE_NAME "
	    "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = ");
	my_quote(s, &sql, table);
	buf_adds(&sql, " ORDER BY c.ORDINAL_POSITION");
	ret = my_query(s, sql.buf, 2, col_row, &c, "cannot read the tracking "
	    "table", err);
	buf_release(&sql);
	*exists = c.exists;
	if (ret == 0 && c.kind)
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' in database '%s' is "
		    "%s, not a table: rename or drop it", table,
		    s->base.display, c.kind);
	return ret;
}

static int
table_columns(struct my_store *s, enum tracking_found *found,
    unsigned *have, struct buf *err)
{
	struct buf cols = BUF_INIT;
	int exists, ret;

	ret = my_columns(&s->base, s->base.table, &cols, &exists, err);
	if (ret == 0)
		*have = tracking_columns(cols.buf, exists, found);
	buf_release(&cols);
	return ret;
}

static int
my_ensure_table(struct store *base, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;
	enum tracking_found found;
	struct mysqlsplit p;
	size_t start, end;
	unsigned have;
	int ret = 0;

	if (table_columns(s, &found, &have, err) < 0)
		return RUNNER_EFAIL;
	/* Not runner's: left alone, and reading it says whose it is. */
	if (found == TRACKING_OTHER)
		return 0;
	tracking_ddl(&sql, &dialect, s->base.table, found == TRACKING_OURS,
	    have);
	mysqlsplit_init(&p, sql.buf, sql.len);
	while (ret == 0 && mysqlsplit_next(&p, &start, &end) == 1)
		ret = run_ddl(s, sql.buf + start, end - start,
		    "cannot create the tracking table", err);
	buf_release(&sql);
	return ret;
}

struct each_row {
	void (*each)(void *arg, const char *const v[TRACKING_NCOLS]);
	void *arg;
};

static int
applied_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct each_row *e = arg;

	(void)len;
	e->each(e->arg, v);
	return 0;
}

static int
my_applied_each(struct store *base, void (*each)(void *arg,
    const char *const v[TRACKING_NCOLS]), void *arg,
    enum tracking_found *found, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct each_row e = { each, arg };
	struct buf sql = BUF_INIT;
	enum tracking_found seen;
	unsigned have;
	int ret;

	if (found == NULL)
		found = &seen;
	if (table_columns(s, found, &have, err) < 0)
		return RUNNER_EFAIL;
	if (*found != TRACKING_OURS)
		return 0;
	tracking_select(&sql, &dialect, s->base.table, have);
	ret = my_query(s, sql.buf, TRACKING_NCOLS, applied_row, &e,
	    "cannot read the tracking table", err);
	buf_release(&sql);
	return ret;
}

struct value {
	int found;
	char *text;
};

static int
value_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct value *x = arg;

	(void)len;
	if (!x->found) {
		x->found = 1;
		x->text = v[0] ? xstrdup(v[0]) : NULL;
	}
	return 0;
}

/* column of version's row into *value (NULL when none or SQL NULL). */
static int
row_value(struct my_store *s, const char *column, const char *version,
    int *found, char **value, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct value x = { 0, NULL };
	int ret;

	buf_addf(&sql, "SELECT %s", column);
	table_sql(s, &sql, " FROM {T} WHERE version = ");
	my_quote(s, &sql, version);
	ret = my_query(s, sql.buf, 1, value_row, &x, "cannot read the "
	    "tracking table", err);
	buf_release(&sql);
	*found = x.found;
	if (value)
		*value = x.text;
	else
		free(x.text);
	return ret;
}

static int
my_find(struct store *base, const char *version, int *found, char **state,
    struct buf *err)
{
	return row_value(my_downcast(base), "state", version, found, state,
	    err);
}

static int
my_load_down(struct store *base, const char *version, char **sql,
    struct buf *err)
{
	int found;

	return row_value(my_downcast(base), "down_sql", version, &found, sql,
	    err);
}

/* Appends str as a literal, or NULL. */
static void
add_value(struct my_store *s, struct buf *sql, const char *str)
{
	if (str)
		my_quote(s, sql, str);
	else
		buf_adds(sql, "NULL");
}

static void
add_ms(struct buf *sql, double ms)
{
	if (ms < 0)
		buf_adds(sql, "NULL");
	else
		buf_addf(sql, "%.3f", ms);
}

static int
write_row(struct my_store *s, struct buf *sql, struct buf *err)
{
	int ret = my_run(s, sql->buf, "cannot update the tracking table", err);

	buf_release(sql);
	return ret;
}

static int
my_insert(struct store *base, const struct applied *a, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;

	table_sql(s, &sql, "INSERT INTO {T} (version, name, checksum, "
	    "duration_ms, down_sql, down_options, state, error, applied_at) "
	    "VALUES (");
	my_quote(s, &sql, a->version);
	buf_addch(&sql, ',');
	my_quote(s, &sql, a->name);
	buf_addch(&sql, ',');
	add_value(s, &sql, a->checksum);
	buf_addch(&sql, ',');
	add_ms(&sql, a->duration_ms);
	buf_addch(&sql, ',');
	add_value(s, &sql, a->down_sql);
	buf_addch(&sql, ',');
	add_value(s, &sql, a->down_options);
	buf_addch(&sql, ',');
	add_value(s, &sql, a->state ? a->state : STATE_APPLIED);
	buf_addch(&sql, ',');
	add_value(s, &sql, a->error);
	/* A time given is UTC text: seconds since the epoch, then local. */
	buf_adds(&sql, ", coalesce(FROM_UNIXTIME(TIMESTAMPDIFF(SECOND, "
	    "'1970-01-01', ");
	add_value(s, &sql, a->applied_at);
	buf_adds(&sql, ")), CURRENT_TIMESTAMP))");
	return write_row(s, &sql, err);
}

static int
my_set_state(struct store *base, const char *version, const char *state,
    double duration_ms, const char *error, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;

	table_sql(s, &sql, "UPDATE {T} SET state = ");
	my_quote(s, &sql, state);
	if (duration_ms >= 0) {
		buf_adds(&sql, ", duration_ms = ");
		add_ms(&sql, duration_ms);
	}
	buf_adds(&sql, ", error = ");
	add_value(s, &sql, error);
	buf_adds(&sql, " WHERE version = ");
	my_quote(s, &sql, version);
	return write_row(s, &sql, err);
}

static int
my_set_checksum(struct store *base, const char *version,
    const char *checksum, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;

	table_sql(s, &sql, "UPDATE {T} SET checksum = ");
	my_quote(s, &sql, checksum);
	buf_adds(&sql, " WHERE version = ");
	my_quote(s, &sql, version);
	return write_row(s, &sql, err);
}

static int
my_remove(struct store *base, const char *version, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;

	table_sql(s, &sql, "DELETE FROM {T} WHERE version = ");
	my_quote(s, &sql, version);
	return write_row(s, &sql, err);
}

/*
 * Whether the statement may run: inside runner's transaction it must not
 * end it; in a scratch database, nothing that reaches past it runs.
 */
static int
check_statement(struct my_store *s, const char *sql, size_t len,
    struct buf *err)
{
	struct mysqlsplit_class c;

	mysqlsplit_classify(sql, len, &c);
	if (s->in_tx && c.txctl)
		return buf_seterr(err, RUNNER_EFAIL, "a section must not end "
		    "the transaction runner wraps it in (COMMIT, ROLLBACK, "
		    "START TRANSACTION, SET autocommit...); say "
		    "transaction:false after the marker to manage "
		    "transactions yourself");
	if (s->scratch && c.cluster)
		return buf_seterr(err, RUNNER_ECLUSTER, "changes server-wide "
		    "objects (%s): not run in the scratch database, which "
		    "could not undo it", c.cluster);
	return 0;
}

/* One statement; one that commits implicitly reopens the transaction. */
static int
run_statement(struct my_store *s, const char *sql, size_t len,
    struct buf *err)
{
	struct mysqlsplit_class c;
	int ret;

	if (s->stop)
		return buf_seterr(err, RUNNER_EINTR, "interrupted");
	mysqlsplit_classify(sql, len, &c);
	s->cancelable = 1;
	ret = c.commits[0] ? run_ddl(s, sql, len, NULL, err) :
	    run_len(s, sql, len, NULL, err);
	s->cancelable = 0;
	/* A KILLed SLEEP() answers 1, not an error. */
	if (ret == 0 && s->stop)
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted");
	return ret;
}

static int
my_exec(struct store *base, const char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct mysqlsplit p;
	size_t start, end;
	int more, ret = 0;

	*errpos = 0;
	/* First whether every statement may run, so none runs if not. */
	mysqlsplit_init(&p, sql, len);
	while (ret == 0 && (more = mysqlsplit_next(&p, &start, &end)) == 1) {
		*errpos = start;
		ret = check_statement(s, sql + start, end - start, err);
	}
	if (ret == 0 && more < 0) {
		*errpos = p.error_at;
		return buf_seterr(err, RUNNER_EFAIL, "%s", p.error);
	}
	mysqlsplit_init(&p, sql, len);
	while (ret == 0 && mysqlsplit_next(&p, &start, &end) == 1) {
		*errpos = start;
		ret = run_statement(s, sql + start, end - start, err);
	}
	return ret;
}

/* store_ops.statements: MySQL's DDL commits implicitly. */
static int
my_statements(const char *sql, size_t len, void (*each)(void *arg,
    size_t start, size_t end, const char *commits), void *arg,
    size_t *errpos, struct buf *err)
{
	struct mysqlsplit_class c;
	struct mysqlsplit p;
	size_t start, end;
	int more;

	mysqlsplit_init(&p, sql, len);
	while ((more = mysqlsplit_next(&p, &start, &end)) == 1) {
		mysqlsplit_classify(sql + start, end - start, &c);
		each(arg, start, end, c.commits[0] ? c.commits : NULL);
	}
	if (more < 0) {
		*errpos = p.error_at;
		return buf_seterr(err, RUNNER_EFAIL, "%s", p.error);
	}
	return 0;
}

static int
my_exec_one(struct store *base, const char *sql, size_t len,
    struct buf *err)
{
	struct my_store *s = my_downcast(base);
	int ret;

	ret = check_statement(s, sql, len, err);
	if (ret == 0)
		ret = run_statement(s, sql, len, err);
	return ret;
}

/* The DROP statements for everything in the current database. */
static const char drop_sql[] =
    "SELECT CONCAT(CASE TABLE_TYPE WHEN 'VIEW' THEN 'DROP VIEW IF EXISTS ' "
    "WHEN 'SEQUENCE' THEN 'DROP SEQUENCE IF EXISTS ' "
    "ELSE 'DROP TABLE IF EXISTS ' END, "
    "'`', REPLACE(TABLE_NAME, '`', '``'), '`') "
    "FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
    "UNION ALL SELECT CONCAT('DROP ', ROUTINE_TYPE, ' IF EXISTS `', "
    "REPLACE(ROUTINE_NAME, '`', '``'), '`') "
    "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
    "UNION ALL SELECT CONCAT('DROP EVENT IF EXISTS `', "
    "REPLACE(EVENT_NAME, '`', '``'), '`') "
    "FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()";

static int
add_line(void *arg, const char *const *v, const unsigned long *len)
{
	buf_add(arg, v[0], len[0]);
	buf_addch(arg, '\n');
	return 0;
}

/* reset: only this database's objects; views first, as they use tables. */
static int
my_drop_all(struct store *base, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf list = BUF_INIT;
	char *p, *nl;
	int ret;

	ret = my_query(s, drop_sql, 1, add_line, &list, "cannot read the "
	    "schema", err);
	if (ret == 0)
		ret = my_run(s, "SET FOREIGN_KEY_CHECKS = 0", "cannot turn "
		    "foreign key checks off", err);
	for (p = list.buf; ret == 0 && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		ret = run_ddl(s, p, (size_t)(nl - p), p, err);
	}
	mysql_real_query(s->conn, "SET FOREIGN_KEY_CHECKS = 1", 26);
	buf_release(&list);
	return ret;
}

static void
drop_database(MYSQL *conn, const char *name)
{
	struct buf sql = BUF_INIT;

	buf_adds(&sql, "DROP DATABASE IF EXISTS ");
	my_quote_ident(&sql, name);
	mysql_real_query(conn, sql.buf, (unsigned long)sql.len);
	buf_release(&sql);
}

static void
drop_scratch(struct my_store *s)
{
	drop_database(s->admin, s->scratch);
	mysql_close(s->admin);
	free(s->scratch);
}

/* Scratch databases whose lock no one holds: left by a run killed. */
static void
drop_stale_scratch(struct my_store *s)
{
	struct buf list = BUF_INIT;
	struct buf err = BUF_INIT;
	char *p, *nl;

	if (my_query(s, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
	    "WHERE SCHEMA_NAME LIKE '" SCRATCH_PREFIX "%' "
	    "AND IS_USED_LOCK(SCHEMA_NAME) IS NULL", 1, add_line, &list,
	    NULL, &err) == 0)
		for (p = list.buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			drop_database(s->conn, p);
		}
	buf_release(&list);
	buf_release(&err);
}

/*
 * Takes the lock of a scratch name no one uses: it tells any other run
 * that the database is not left over.
 */
static int
claim_scratch(struct my_store *admin, char *name, size_t size,
    struct buf *err)
{
	struct timespec ts;
	unsigned long id;
	char sql[128];
	int i, got;

	clock_gettime(CLOCK_REALTIME, &ts);
	id = ((unsigned long)getpid() * 2654435761UL ^
	    (unsigned long)ts.tv_nsec) & 0x7fffffffUL;
	for (i = 0; i < 16; i++, id = (id + 7919) & 0x7fffffffUL) {
		snprintf(name, size, SCRATCH_PREFIX "%lu", id);
		snprintf(sql, sizeof(sql), "SELECT GET_LOCK('%s', 0)", name);
		got = -1;
		if (my_query(admin, sql, 1, lock_answer, &got, "cannot create "
		    "a scratch database", err) < 0)
			return RUNNER_EFAIL;
		if (got == 1)
			return 0;
	}
	return buf_seterr(err, RUNNER_EFAIL, "cannot create a scratch "
	    "database: no free name");
}

/* CREATE DATABASE name with the character set and collation of admin's. */
static int
create_scratch(struct my_store *admin, const char *name, struct buf *err)
{
	struct buf sql = BUF_INIT, opts = BUF_INIT;
	int ret;

	ret = my_query(admin, "SELECT CONCAT(' CHARACTER SET ', "
	    "DEFAULT_CHARACTER_SET_NAME, ' COLLATE ', DEFAULT_COLLATION_NAME) "
	    "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
	    1, add_line, &opts, "cannot create a scratch database", err);
	if (ret < 0)
		return ret;
	if (opts.len)
		opts.buf[--opts.len] = '\0';
	buf_adds(&sql, "CREATE DATABASE ");
	my_quote_ident(&sql, name);
	buf_adds(&sql, opts.buf);
	ret = my_run(admin, sql.buf, "cannot create a scratch database (the "
	    "user needs the CREATE privilege on it)", err);
	buf_release(&sql);
	buf_release(&opts);
	return ret;
}

/*
 * A new database named SCRATCH_PREFIX and a number on target's server,
 * made by a connection that stays open, holding the name's lock, to drop
 * it when the store closes. Statements that change the server beyond it
 * (users, grants, global variables, other databases) are refused.
 */
static int
my_open_scratch(const char *target, int lock_timeout, struct store **out,
    struct buf *err)
{
	struct store *base;
	struct my_store *admin, *s;
	struct my_url u;
	MYSQL *conn = NULL;
	char name[64];
	int ret;

	if ((ret = my_url_parse(target, &u, err)) < 0 ||
	    (ret = my_open(target, 0, lock_timeout, &base, err)) < 0) {
		my_url_free(&u);
		return ret;
	}
	admin = my_downcast(base);
	drop_stale_scratch(admin);
	ret = claim_scratch(admin, name, sizeof(name), err);
	if (ret == 0)
		ret = create_scratch(admin, name, err);
	if (ret == 0 && (ret = connect_to(target, &u, name, &conn, err)) < 0)
		drop_database(admin->conn, name);
	if (ret < 0) {
		my_url_free(&u);
		my_close(base);
		return ret;
	}
	s = my_new(conn, target, &u, lock_timeout);
	s->admin = admin->conn;
	s->scratch = xstrdup(name);
	s->locked = 1;		/* no one else uses it: no run lock */
	admin->conn = NULL;
	my_close(base);
	*out = &s->base;
	return 0;
}

static int
my_rename_table(struct store *base, const char *from, const char *to,
    struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;
	int ret;

	buf_adds(&sql, "RENAME TABLE ");
	my_quote_ident(&sql, from);
	buf_adds(&sql, " TO ");
	my_quote_ident(&sql, to);
	ret = run_ddl(s, sql.buf, sql.len, "cannot rename the table", err);
	buf_release(&sql);
	return ret;
}

struct rows {
	int (*row)(void *arg, const char *const *v);
	void *arg;
};

static int
pass_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct rows *r = arg;

	(void)len;
	return r->row(r->arg, v);
}

static int
my_query_rows(struct store *base, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err)
{
	struct rows r = { row, arg };

	return my_query(my_downcast(base), sql, ncols, pass_row, &r,
	    "cannot read the database", err);
}

static void
my_version(struct buf *out)
{
	struct buf err = BUF_INIT;

	if (my_load(&err) < 0)
		buf_adds(out, "mysql (libmariadb not found)");
	else
		buf_addf(out, "mysql (libmariadb %s)", mysql_get_client_info());
	buf_release(&err);
}

const struct store_ops store_mysql_ops = {
	.name = "mysql",
	.target = my_target,
	.version = my_version,
	.open = my_open,
	.close = my_close,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.ensure_table = my_ensure_table,
	.applied_each = my_applied_each,
	.load_down = my_load_down,
	.find = my_find,
	.insert = my_insert,
	.set_state = my_set_state,
	.set_checksum = my_set_checksum,
	.remove = my_remove,
	.exec = my_exec,
	.drop_all = my_drop_all,
	.snapshot = my_snapshot,
	.lock_run = my_lock_run,
	.backup_suffix = ".sql.gz",
	.image_kind = "a MySQL dump",
	.image_checked = "complete",
	.check_image = my_check_image,
	.replace = my_replace,
	.identity = my_identity,
	.schema = my_schema,
	.describe = my_describe,
	.open_scratch = my_open_scratch,
	.interrupt = my_interrupt,
	.fingerprint = my_fingerprint,
	.objects = my_objects,
	.objects_describe = my_objects_describe,
	.record_read = my_record_read,
	.record_write = my_record_write,
	.columns = my_columns,
	.query = my_query_rows,
	.rename_table = my_rename_table,
	.statements = my_statements,
	.exec_one = my_exec_one,
};
