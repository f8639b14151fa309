/*
 * runner_peer.c: other tools' migration histories. Each tool's table is
 * known by
 * its name and its columns, as the tool's own source creates it; its rows
 * are read with SQL that SQLite and PostgreSQL both run, and normalised
 * here (booleans as 1/t/true, timestamps to the second).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "text_migration.h"
#include "runner_peer.h"
#include "banned.h"

#define MAX_COLS 10

struct tool {
	const char *name;
	const char *table;	/* its default table */
	const char *cols[MAX_COLS + 1];
};

static const struct tool tools[PEER_MAX] = {
	{ "dbmate", "schema_migrations", { "version" } },
	{ "goose", "goose_db_version",
	    { "id", "version_id", "is_applied", "tstamp" } },
	{ "golang-migrate", "schema_migrations", { "version", "dirty" } },
	{ "flyway", "flyway_schema_history",
	    { "installed_rank", "version", "description", "type", "script",
	    "checksum", "installed_by", "installed_on", "execution_time",
	    "success" } },
	{ "sqlx", "_sqlx_migrations",
	    { "version", "description", "installed_on", "success", "checksum",
	    "execution_time" } },
	{ "diesel", "__diesel_schema_migrations", { "version", "run_on" } },
};

const char *
peer_name(enum peer p)
{
	return tools[p].name;
}

int
peer_parse(const char *name)
{
	int i;

	for (i = 0; i < PEER_MAX; i++)
		if (strcasecmp(name, tools[i].name) == 0)
			return i;
	return -1;
}

const char *
peer_names(void)
{
	return "dbmate, goose, golang-migrate, flyway, sqlx, diesel";
}

/* Whether the column list (each followed by '\n') holds col. */
static int
has_col(const char *cols, const char *col)
{
	size_t len = strlen(col);
	const char *p;

	for (p = cols; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, col, len) == 0 && p[len] == '\n')
			return 1;
	return 0;
}

/* Whether the column list (each followed by '\n') is exactly want. */
static int
same_columns(const char *cols, const char *const *want)
{
	size_t n = 0, i;
	const char *p;

	for (p = cols; *p; p = strchr(p, '\n') + 1)
		n++;
	for (i = 0; want[i]; i++)
		if (!has_col(cols, want[i]))
			return 0;
	return i == n;
}

/* "a, b, c" from a column list. */
static void
list_columns(struct buf *out, const char *cols)
{
	const char *p, *nl;

	for (p = cols; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		buf_addf(out, "%s%.*s", p == cols ? "" : ", ", (int)(nl - p), p);
	}
}

static int
wrong_columns(const char *table, const char *cols, enum peer p,
    struct buf *err)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	size_t i;

	list_columns(&got, cols);
	for (i = 0; tools[p].cols[i]; i++)
		buf_addf(&want, "%s%s", i ? ", " : "", tools[p].cols[i]);
	buf_seterr(err, RUNNER_EFAIL, "table '%s' has columns (%s), not %s's "
	    "(%s): runner cannot tell what it recorded; nothing was changed",
	    table, got.buf, tools[p].name, want.buf);
	buf_release(&got);
	buf_release(&want);
	return RUNNER_EFAIL;
}

/* dbmate's or golang-migrate's shape under name; 1 when one matched. */
static int
detect_shared(struct store *s, const char *name, int must, struct peer_found *f,
    struct buf *err)
{
	struct buf cols = BUF_INIT, got = BUF_INIT;
	int exists, ret, p = -1;

	ret = store_columns(s, name, &cols, &exists, err);
	if (ret < 0 || !exists)
		goto out;
	if (same_columns(cols.buf, tools[PEER_DBMATE].cols))
		p = PEER_DBMATE;
	else if (same_columns(cols.buf, tools[PEER_GOLANG_MIGRATE].cols))
		p = PEER_GOLANG_MIGRATE;
	if (p >= 0 && f->table[p] == NULL) {
		f->table[p] = xstrdup(name);
		f->n++;
		ret = 1;
	} else if (p < 0 && must && !has_col(cols.buf, "name")) {
		list_columns(&got, cols.buf);
		ret = buf_seterr(err, RUNNER_EFAIL, "table '%s' is not runner's "
		    "tracking table: its columns are (%s), neither runner's "
		    "nor dbmate's (version) nor golang-migrate's (version, "
		    "dirty); name runner's table with --table, or rename this "
		    "one; nothing was changed", name, got.buf);
	}
out:
	buf_release(&cols);
	buf_release(&got);
	return ret;
}

static int
detect_own(struct store *s, enum peer p, struct peer_found *f,
    struct buf *err)
{
	struct buf cols = BUF_INIT;
	int exists, ret;

	ret = store_columns(s, tools[p].table, &cols, &exists, err);
	if (ret == 0 && exists && !same_columns(cols.buf, tools[p].cols))
		ret = wrong_columns(tools[p].table, cols.buf, p, err);
	else if (ret == 0 && exists) {
		f->table[p] = xstrdup(tools[p].table);
		f->n++;
	}
	buf_release(&cols);
	return ret;
}

int
peer_detect(struct store *s, const char *table, struct peer_found *f,
    struct buf *err)
{
	static const enum peer own[] = { PEER_GOOSE, PEER_FLYWAY, PEER_SQLX,
	    PEER_DIESEL };
	size_t i;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = detect_shared(s, table, 1, f, err);
	if (ret >= 0 && strcmp(table, tools[PEER_DBMATE].table) != 0)
		ret = detect_shared(s, tools[PEER_DBMATE].table, 0, f, err);
	for (i = 0; ret >= 0 && i < sizeof(own) / sizeof(own[0]); i++)
		ret = detect_own(s, own[i], f, err);
	if (ret < 0) {
		peer_found_release(f);
		return ret;
	}
	return 0;
}

void
peer_found_release(struct peer_found *f)
{
	int i;

	for (i = 0; i < PEER_MAX; i++)
		free(f->table[i]);
	memset(f, 0, sizeof(*f));
}

/*
 * Beside runner's empty table, a tool's table matters only when it
 * records something: adopt leaves the table of a tool that recorded
 * nothing, and an empty runner table must not hide one that did.
 */
static void
forget_empty(struct store *s, struct peer_found *f)
{
	struct peer_history h;
	struct buf ignore = BUF_INIT;
	int i, empty;

	for (i = 0; i < PEER_MAX; i++) {
		if (f->table[i] == NULL)
			continue;
		empty = peer_read(s, i, f->table[i], &h, &ignore) == 0 &&
		    h.n == 0 && h.upto == NULL && !h.dirty;
		peer_history_release(&h);
		buf_reset(&ignore);
		if (empty) {
			free(f->table[i]);
			f->table[i] = NULL;
			f->n--;
		}
	}
	buf_release(&ignore);
}

int
peer_refuse(struct store *s, enum tracking_found found, size_t nrows,
    struct buf *err)
{
	struct peer_found f;
	struct buf list = BUF_INIT;
	size_t k = 0;
	int i, ret;

	if (found == TRACKING_OURS && nrows)
		return 0;
	ret = peer_detect(s, s->table, &f, err);
	if (ret == 0 && found == TRACKING_OURS)
		forget_empty(s, &f);
	if (ret < 0 || f.n == 0) {
		peer_found_release(&f);
		return ret;
	}
	for (i = 0; i < PEER_MAX; i++)
		if (f.table[i])
			buf_addf(&list, "%s%s (table %s)", k++ == 0 ? "" :
			    k == f.n ? " and " : ", ", tools[i].name,
			    f.table[i]);
	buf_seterr(err, RUNNER_EFAIL, "no runner history in '%s', but %s "
	    "recorded %s: run 'runner adopt%s' to take it over (see 'runner "
	    "help adopt'); nothing was changed", s->display, list.buf,
	    f.n == 1 ? "one" : "theirs", f.n == 1 ? "" : " --from TOOL");
	buf_release(&list);
	peer_found_release(&f);
	return RUNNER_EFAIL;
}

/* Every value of a query, row after row. */
struct rows {
	char **v;
	size_t n, alloc;
	int ncols;
};

static int
collect(void *arg, const char *const *v)
{
	struct rows *r = arg;
	int i;

	if (r->n + (size_t)r->ncols > r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc + (size_t)r->ncols : 64;
		r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
	}
	for (i = 0; i < r->ncols; i++)
		r->v[r->n++] = v[i] ? xstrdup(v[i]) : NULL;
	return 0;
}

static void
rows_release(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

static int
is_true(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "t") == 0 ||
	    strcasecmp(v, "true") == 0);
}

void
peer_time(const char *raw, struct buf *out)
{
	const char *z;
	size_t i;

	if (raw == NULL || strlen(raw) < 19)
		return;
	for (i = 0; i < 19; i++)
		if (i == 4 || i == 7 ? raw[i] != '-' : i == 10 ?
		    raw[i] != ' ' && raw[i] != 'T' : i == 13 || i == 16 ?
		    raw[i] != ':' : raw[i] < '0' || raw[i] > '9')
			return;
	buf_addf(out, "%.10s %.8s", raw, raw + 11);
	z = raw + 19 + strspn(raw + 19, ".0123456789");
	if ((z[0] == '+' || z[0] == '-') && strspn(z + 1, "0123456789") == 2)
		buf_addf(out, "%.3s:%s", z, z[3] == ':' ? z + 4 : z[3] ? z + 3 :
		    "00");
	else if (z[0] == 'Z')
		buf_adds(out, "+00:00");
}

static char *
time_or_null(const char *raw)
{
	struct buf b = BUF_INIT;

	peer_time(raw, &b);
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static void
row_release(struct peer_row *r)
{
	free(r->version);
	free(r->name);
	free(r->applied_at);
	free(r->where);
	memset(r, 0, sizeof(*r));
}

void
peer_history_release(struct peer_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		row_release(&h->v[i]);
	free(h->v);
	if (h->upto)
		row_release(h->upto);
	free(h->upto);
	free(h->table);
	memset(h, 0, sizeof(*h));
}

/* The entry for version, or a new one at the end. */
static struct peer_row *
entry(struct peer_history *h, const char *version, int *isnew)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (version_cmp(h->v[i].version, version) == 0) {
			*isnew = 0;
			return &h->v[i];
		}
	h->v = xreallocarray(h->v, h->n + 1, sizeof(*h->v));
	memset(&h->v[h->n], 0, sizeof(*h->v));
	*isnew = 1;
	return &h->v[h->n++];
}

/* Fills e from one row; the latest row for a version replaces earlier. */
static void
set_row(struct peer_row *e, const char *version, const char *name,
    const char *at, const char *where, enum peer_state st)
{
	row_release(e);
	e->version = xstrdup(version);
	e->name = name ? xstrdup(name) : NULL;
	e->applied_at = time_or_null(at);
	e->where = where ? xstrdup(where) : NULL;
	e->state = st;
}

static int
bad_row(const struct peer_history *h, const char *where, const char *what,
    const char *v, struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "%s's table '%s'%s%s: %s%s%s%s; "
	    "fix or remove that row, nothing was changed", tools[h->tool].name,
	    h->table, where ? " row " : "", where ? where : "", what,
	    v ? " '" : "", v ? v : "", v ? "'" : "");
}

/* A version column's value must be there and be a version. */
static int
check_version(const struct peer_history *h, const char *where,
    const char *v, struct buf *err)
{
	if (v == NULL)
		return bad_row(h, where, "the version is NULL", NULL, err);
	if (!version_valid(v))
		return bad_row(h, where, "not a version (digits):", v, err);
	return 0;
}

static int
add_unique(struct peer_history *h, const char *where, const char *v,
    const char *name, const char *at, enum peer_state st, struct buf *err)
{
	struct peer_row *e;
	int isnew;

	if (check_version(h, where, v, err) < 0)
		return RUNNER_EFAIL;
	e = entry(h, v, &isnew);
	if (!isnew)
		return bad_row(h, where, "duplicate version", v, err);
	set_row(e, v, name, at, where, st);
	return 0;
}

/* dbmate: version. sqlx: version, description, installed_on, success. */
static int
read_simple(struct peer_history *h, const struct rows *r, struct buf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < r->n; i += (size_t)r->ncols)
		ret = add_unique(h, NULL, r->v[i], r->ncols > 1 ?
		    r->v[i + 1] : NULL, r->ncols > 2 ? r->v[i + 2] : NULL,
		    r->ncols > 3 && !is_true(r->v[i + 3]) ? PEER_FAILED :
		    PEER_APPLIED, err);
	return ret;
}

/* diesel: version, run_on. */
static int
read_diesel(struct peer_history *h, const struct rows *r, struct buf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < r->n; i += 2)
		ret = add_unique(h, NULL, r->v[i], NULL, r->v[i + 1],
		    PEER_APPLIED, err);
	return ret;
}

/* golang-migrate: one row, version and dirty; none when nothing ran. */
static int
read_golang(struct peer_history *h, const struct rows *r, struct buf *err)
{
	if (r->n == 0)
		return 0;
	if (r->n > 2)
		return bad_row(h, NULL, "golang-migrate keeps one row, this "
		    "table has more", NULL, err);
	h->dirty = is_true(r->v[1]);
	if (h->dirty && r->v[0] && strcmp(r->v[0], "-1") == 0)
		return 0;	/* a failed first migration's down */
	if (check_version(h, NULL, r->v[0], err) < 0)
		return RUNNER_EFAIL;
	h->upto = xcalloc(1, sizeof(*h->upto));
	set_row(h->upto, r->v[0], NULL, NULL, NULL, PEER_APPLIED);
	return 0;
}

/* goose: id, version_id, is_applied, tstamp, by id; the latest decides. */
static int
read_goose(struct peer_history *h, const struct rows *r, struct buf *err)
{
	struct buf where = BUF_INIT;
	struct peer_row *e;
	size_t i;
	int isnew, ret = 0;

	for (i = 0; ret == 0 && i < r->n; i += 4) {
		buf_reset(&where);
		buf_addf(&where, "id=%s", r->v[i] ? r->v[i] : "NULL");
		ret = check_version(h, where.buf, r->v[i + 1], err);
		/* goose's own first row, made with the table */
		if (ret < 0 || version_cmp(r->v[i + 1], "0") == 0)
			continue;
		e = entry(h, r->v[i + 1], &isnew);
		set_row(e, r->v[i + 1], NULL, r->v[i + 3], where.buf,
		    is_true(r->v[i + 2]) ? PEER_APPLIED : PEER_NOT_APPLIED);
	}
	buf_release(&where);
	return ret;
}

static void
forget(struct peer_history *h, const char *version)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (version_cmp(h->v[i].version, version) == 0) {
			row_release(&h->v[i]);
			h->v[i] = h->v[--h->n];
			return;
		}
}

/* One Flyway row: installed_rank, version, description, type, at, success. */
static int
flyway_row(struct peer_history *h, char *const *v, struct buf *err)
{
	static const char *const versioned[] = { "SQL", "JDBC", "SCRIPT",
	    "SPRING_JDBC", "SQL_BASELINE", "JDBC_BASELINE", NULL };
	struct buf where = BUF_INIT;
	enum peer_state st = is_true(v[5]) ? PEER_APPLIED : PEER_FAILED;
	struct peer_row *e;
	size_t k;
	int isnew, ret = 0;

	buf_addf(&where, "installed_rank=%s", v[0] ? v[0] : "NULL");
	for (k = 0; versioned[k] && (!v[3] || strcmp(v[3], versioned[k])); k++)
		;
	if (v[3] && strcmp(v[3], "SCHEMA") == 0)
		;	/* Flyway created the schema: no migration */
	else if (v[3] && versioned[k] && v[1] == NULL)
		;	/* a repeatable migration: runner has none */
	else if (v[3] && (versioned[k] || strcmp(v[3], "BASELINE") == 0 ||
	    strncmp(v[3], "UNDO_", 5) == 0 || strcmp(v[3], "DELETE") == 0)) {
		ret = check_version(h, where.buf, v[1], err);
		if (ret < 0)
			;
		else if (strcmp(v[3], "BASELINE") == 0) {
			if (h->upto == NULL)
				h->upto = xcalloc(1, sizeof(*h->upto));
			set_row(h->upto, v[1], v[2], v[4], where.buf, st);
		} else if (!versioned[k] && st == PEER_APPLIED)
			forget(h, v[1]);	/* undone, or deleted by repair */
		else if (versioned[k]) {
			e = entry(h, v[1], &isnew);
			set_row(e, v[1], v[2], v[4], where.buf, st);
		}
	} else
		ret = bad_row(h, where.buf, "a type Flyway does not write:",
		    v[3] ? v[3] : "NULL", err);
	buf_release(&where);
	return ret;
}

static int
read_flyway(struct peer_history *h, const struct rows *r, struct buf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < r->n; i += 6)
		ret = flyway_row(h, r->v + i, err);
	return ret;
}

static int
cmp_row(const void *a, const void *b)
{
	return version_cmp(((const struct peer_row *)a)->version,
	    ((const struct peer_row *)b)->version);
}

int
peer_read(struct store *s, enum peer tool, const char *table,
    struct peer_history *h, struct buf *err)
{
	/* {T} is the table; every value read as text. */
	static const struct {
		int ncols;
		const char *sql;
		int (*fn)(struct peer_history *, const struct rows *,
		    struct buf *);
	} q[PEER_MAX] = {
		{ 1, "SELECT CAST(version AS TEXT) FROM {T}", read_simple },
		{ 4, "SELECT CAST(id AS TEXT), CAST(version_id AS TEXT), "
		    "CAST(is_applied AS TEXT), CAST(tstamp AS TEXT) FROM {T} "
		    "ORDER BY id", read_goose },
		{ 2, "SELECT CAST(version AS TEXT), CAST(dirty AS TEXT) "
		    "FROM {T}", read_golang },
		{ 6, "SELECT CAST(installed_rank AS TEXT), version, "
		    "description, type, CAST(installed_on AS TEXT), "
		    "CAST(success AS TEXT) FROM {T} ORDER BY installed_rank",
		    read_flyway },
		{ 4, "SELECT CAST(version AS TEXT), description, "
		    "CAST(installed_on AS TEXT), CAST(success AS TEXT) "
		    "FROM {T} ORDER BY version", read_simple },
		{ 2, "SELECT CAST(version AS TEXT), CAST(run_on AS TEXT) "
		    "FROM {T}", read_diesel },
	};
	struct buf sql = BUF_INIT;
	struct rows r;
	int ret;

	memset(h, 0, sizeof(*h));
	memset(&r, 0, sizeof(r));
	h->tool = tool;
	h->table = xstrdup(table);
	r.ncols = q[tool].ncols;
	tracking_sql(&sql, table, q[tool].sql);
	ret = store_query(s, sql.buf, r.ncols, collect, &r, err);
	if (ret == 0)
		ret = q[tool].fn(h, &r, err);
	if (ret == 0 && h->n)
		qsort(h->v, h->n, sizeof(*h->v), cmp_row);
	if (ret < 0)
		peer_history_release(h);
	rows_release(&r);
	buf_release(&sql);
	return ret;
}
