/*
 * store.c: choosing the driver for a database URL, showing a URL without
 * its password, and tracking rows.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "error.h"
#include "migration.h"
#include "store.h"
#include "banned.h"

void
applied_release(struct applied *a)
{
	free(a->version);
	free(a->name);
	free(a->applied_at);
	free(a->checksum);
	free(a->down_sql);
	free(a->down_options);
	free(a->state);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

void
applied_set_release(struct applied_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		applied_release(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
cmp_applied(const void *a, const void *b)
{
	return version_cmp(((const struct applied *)a)->version,
	    ((const struct applied *)b)->version);
}

void
applied_set_sort(struct applied_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_applied);
}

const char *const tracking_extra[TRACKING_NEXTRA] = {
	"duration_ms", "down_sql", "down_options", "state", "error"
};

static const char *
extra_decl(const struct tracking_dialect *d, size_t i)
{
	if (i == 0)
		return d->duration;
	if (strcmp(tracking_extra[i], "state") == 0)
		return "TEXT NOT NULL DEFAULT '" STATE_APPLIED "'";
	return "TEXT";
}

void
tracking_ddl(struct buf *sql, const struct tracking_dialect *d,
    const char *table, int exists, unsigned have)
{
	struct buf t = BUF_INIT;
	size_t i;

	tracking_sql(&t, table, "{T}");
	if (exists) {
		/* Adopt an older (Story Hub) table: add what it lacks. */
		for (i = 0; i < TRACKING_NEXTRA; i++)
			if (!(have & (1u << i)))
				buf_addf(sql, "ALTER TABLE %s ADD COLUMN %s %s;",
				    t.buf, tracking_extra[i], extra_decl(d, i));
		buf_release(&t);
		return;
	}
	buf_addf(sql, "CREATE TABLE %s (\n"
	    "    id %s,\n"
	    "    version TEXT UNIQUE NOT NULL,\n"
	    "    name TEXT NOT NULL DEFAULT '',\n"
	    "    applied_at %s,\n"
	    "    checksum TEXT", t.buf, d->id, d->applied_at);
	for (i = 0; i < TRACKING_NEXTRA; i++)
		buf_addf(sql, ",\n    %s %s", tracking_extra[i],
		    extra_decl(d, i));
	buf_adds(sql, "\n)");
	buf_release(&t);
}

void
tracking_select(struct buf *sql, const struct tracking_dialect *d,
    const char *table, unsigned have)
{
	size_t i;

	buf_addf(sql, "SELECT version, name, %s, checksum",
	    d->applied_at_text);
	for (i = 0; i < TRACKING_NEXTRA; i++)
		if (!(have & (1u << i)))
			buf_adds(sql, ", NULL");
		else if (strcmp(tracking_extra[i], "down_sql") == 0)
			buf_adds(sql, ", down_sql IS NOT NULL");
		else
			buf_addf(sql, ", %s", tracking_extra[i]);
	tracking_sql(sql, table, " FROM {T}");
}

/* Appends s quoted with q, which is doubled inside. */
static void
add_quoted(struct buf *out, const char *s, char q)
{
	buf_addch(out, q);
	for (; *s; s++) {
		if (*s == q)
			buf_addch(out, q);
		buf_addch(out, *s);
	}
	buf_addch(out, q);
}

/*
 * Whether name needs no quotes in SQLite and PostgreSQL alike: lowercase
 * (PostgreSQL folds unquoted names) and not a keyword either reserves.
 */
static int
plain_ident(const char *name)
{
	static const char *const reserved[] = {
		"all", "and", "as", "by", "check", "create", "default",
		"delete", "drop", "from", "group", "in", "index", "insert",
		"into", "is", "key", "limit", "not", "null", "offset", "on",
		"or", "order", "primary", "references", "select", "set",
		"table", "to", "union", "update", "user", "values", "where",
		NULL
	};
	const char *p;
	size_t i;

	if (*name == '\0' || (*name >= '0' && *name <= '9'))
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return 0;
	for (i = 0; reserved[i]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return 0;
	return 1;
}

void
tracking_sql(struct buf *out, const char *table, const char *tmpl)
{
	struct buf ident = BUF_INIT;
	const char *p;

	if (plain_ident(table))
		buf_adds(&ident, table);
	else
		add_quoted(&ident, table, '"');
	for (p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] && p[2] == '}' && strchr("TLN", p[1])) {
			if (p[1] == 'T')
				buf_add(out, ident.buf, ident.len);
			else
				add_quoted(out, p[1] == 'L' ? ident.buf : table,
				    '\'');
			p += 2;
		} else
			buf_addch(out, *p);
	}
	buf_release(&ident);
}

void
drift_sql(struct buf *out, const char *table, const char *tmpl)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s" DRIFT_SUFFIX, table);
	tracking_sql(out, name.buf, tmpl);
	buf_release(&name);
}

int
tracking_is_drift(const char *name, const char *table)
{
	size_t n = strlen(table);

	return strncasecmp(name, table, n) == 0 &&
	    strcasecmp(name + n, DRIFT_SUFFIX) == 0;
}

void
tracking_kept_name(struct buf *out, const char *table, const char *tool)
{
	buf_addf(out, "%s_", table);
	for (; *tool; tool++)
		buf_addch(out, *tool == '-' ? '_' : *tool);
}

/* Other tools' default tables, and the suffixes adopt keeps them under. */
static const char *const peer_tables[] = {
	"schema_migrations", "goose_db_version", "flyway_schema_history",
	"_sqlx_migrations", "__diesel_schema_migrations", NULL
};
static const char *const peer_suffixes[] = {
	"_dbmate", "_goose", "_golang_migrate", "_flyway", "_sqlx", "_diesel",
	NULL
};

int
tracking_is_bookkeeping(const char *name, const char *table)
{
	size_t i, n = strlen(table);

	if (strcasecmp(name, table) == 0 || tracking_is_drift(name, table))
		return 1;
	for (i = 0; peer_tables[i]; i++)
		if (strcasecmp(name, peer_tables[i]) == 0)
			return 1;
	if (strncasecmp(name, table, n) != 0)
		return 0;
	for (i = 0; peer_suffixes[i]; i++)
		if (strcasecmp(name + n, peer_suffixes[i]) == 0)
			return 1;
	return 0;
}

/* Whether the column list (each name followed by '\n') holds col. */
static int
has_column(const char *cols, const char *col)
{
	size_t n = strlen(col);
	const char *p;

	for (p = cols; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, col, n) == 0 && p[n] == '\n')
			return 1;
	return 0;
}

unsigned
tracking_columns(const char *cols, int exists, enum tracking_found *found)
{
	unsigned have = 0;
	size_t i;

	for (i = 0; i < TRACKING_NEXTRA; i++)
		if (has_column(cols, tracking_extra[i]))
			have |= 1u << i;
	if (!exists)
		*found = TRACKING_NONE;
	else if (has_column(cols, "version") && has_column(cols, "name"))
		*found = TRACKING_OURS;
	else
		*found = TRACKING_OTHER;
	return have;
}

int
tracking_name_valid(const char *name)
{
	size_t i;

	if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' &&
	    *name <= 'Z') || *name == '_'))
		return 0;
	for (i = 1; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '_'))
			return 0;
	/*
	 * PostgreSQL cuts identifiers at 63 bytes: the names derived from it
	 * (<name>_drift, adopt's <name>_golang_migrate) must fit too.
	 */
	return i <= TRACKING_NAME_MAX;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
applied_from_text(struct applied *a, const char *const v[TRACKING_NCOLS])
{
	memset(a, 0, sizeof(*a));
	a->version = xstrdup(v[0] ? v[0] : "");
	a->name = xstrdup(v[1] ? v[1] : "");
	a->applied_at = dup_or_null(v[2]);
	a->checksum = dup_or_null(v[3]);
	a->duration_ms = v[4] ? strtod(v[4], NULL) : -1;
	a->has_down = v[5] && (v[5][0] == '1' || v[5][0] == 't');
	a->down_options = dup_or_null(v[6]);
	a->state = dup_or_null(v[7]);
	a->error = dup_or_null(v[8]);
}

void
applied_collect(void *arg, const char *const v[TRACKING_NCOLS])
{
	struct applied_set *s = arg;

	/* Grows by powers of two: n itself says when it is full. */
	if ((s->n & (s->n - 1)) == 0 && s->n >= 32)
		s->v = xreallocarray(s->v, 2 * s->n, sizeof(*s->v));
	else if (s->n == 0)
		s->v = xreallocarray(NULL, 32, sizeof(*s->v));
	applied_from_text(&s->v[s->n++], v);
}

const struct applied *
applied_find(const struct applied_set *s, const char *version)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (version_cmp(s->v[i].version, version) == 0)
			return &s->v[i];
	return NULL;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int
store_is_pg_url(const char *url)
{
	return has_prefix(url, "postgres://") ||
	    has_prefix(url, "postgresql://");
}

static int
is_pg_url(const char *url)
{
	return store_is_pg_url(url);
}

static int hexval(int c);

/* Appends s[0, len) to out with %XX sequences decoded. */
static void
percent_decode(const char *s, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			buf_addch(out, hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			buf_addch(out, s[i]);
}

static int
is_true(const char *v, size_t n)
{
	return (n == 1 && (*v == '1' || *v == 't')) ||
	    (n == 4 && strncasecmp(v, "true", 4) == 0) ||
	    (n == 2 && strncasecmp(v, "on", 2) == 0) ||
	    (n == 3 && strncasecmp(v, "yes", 3) == 0);
}

/* One parameter of an SQLite name's query string: k[0, kn) = v[0, vn). */
static int
sqlite_param(const char *url, const char *k, size_t kn, const char *v,
    size_t vn, unsigned *flags, struct buf *err)
{
#define IS(key) (kn == strlen(key) && strncmp(k, key, kn) == 0)
#define VAL(val) (vn == strlen(val) && strncmp(v, val, vn) == 0)
	if (IS("mode") && (VAL("ro") || VAL("rw") || VAL("rwc"))) {
		*flags |= VAL("ro") ? STORE_READONLY : VAL("rw") ?
		    STORE_NOCREATE : 0;
		return 0;
	}
	if (IS("immutable") && (VAL("0") || VAL("1"))) {
		*flags |= VAL("1") ? STORE_READONLY : 0;
		return 0;
	}
	if (IS("cache") && (VAL("shared") || VAL("private")))
		return 0;	/* one connection: nothing to share */
	if ((IS("_fk") || IS("_foreign_keys")) && is_true(v, vn))
		return 0;	/* always on */
	if (IS("mode") || IS("immutable") || IS("cache") || IS("_fk") ||
	    IS("_foreign_keys"))
		return buf_seterr(err, RUNNER_EUSAGE, "parameter '%.*s=%.*s' "
		    "in database URL '%s' is not supported (mode=ro, rw or "
		    "rwc; immutable=0 or 1; cache=shared or private; "
		    "foreign keys are always on)", (int)kn, k, (int)vn, v, url);
	return buf_seterr(err, RUNNER_EUSAGE, "unknown parameter '%.*s' in "
	    "database URL '%s' (known: mode, immutable, cache, _fk, "
	    "_foreign_keys)", (int)kn, k, url);
#undef IS
#undef VAL
}

static int
sqlite_params(const char *url, const char *q, unsigned *flags,
    struct buf *err)
{
	const char *amp, *eq;
	size_t n;

	for (; *q; q = *amp ? amp + 1 : amp) {
		amp = q + strcspn(q, "&");
		n = (size_t)(amp - q);
		if (n == 0)
			continue;
		eq = memchr(q, '=', n);
		if (sqlite_param(url, q, eq ? (size_t)(eq - q) : n, eq ? eq + 1 :
		    amp, eq ? (size_t)(amp - eq - 1) : 0, flags, err) < 0)
			return RUNNER_EUSAGE;
	}
	return 0;
}

/*
 * sqlite:PATH, sqlite3:PATH, sqlite:///ABS, file:PATH and file:///ABS,
 * with an optional query string: the path into target. A plain path is
 * taken as it is, '?' and all.
 */
static int
sqlite_url(const char *url, struct buf *target, unsigned *flags,
    struct buf *err)
{
	const char *p = url, *q, *slash;
	int file = 0;

	if (has_prefix(p, "sqlite3:"))
		p += 8;
	else if (has_prefix(p, "sqlite:"))
		p += 7;
	else if (has_prefix(p, "file:"))
		p += 5, file = 1;
	else {
		buf_adds(target, url);
		return 0;
	}
	if (strncmp(p, "//", 2) == 0) {
		p += 2;
		slash = file ? p + strcspn(p, "/?#") : p;
		if (slash != p && !((size_t)(slash - p) == 9 &&
		    strncasecmp(p, "localhost", 9) == 0))
			return buf_seterr(err, RUNNER_EUSAGE, "database URL "
			    "'%s' names a host: a file: URI names a local file "
			    "(file:PATH or file:///ABS/PATH)", url);
		p = slash;
	}
	q = p + strcspn(p, "?#");
	percent_decode(p, (size_t)(q - p), target);
	if (target->len == 0)
		return buf_seterr(err, RUNNER_EUSAGE, "empty database path in "
		    "'%s'", url);
	if (*q == '?') {
		struct buf query = BUF_INIT;
		int ret;

		buf_add(&query, q + 1, strcspn(q + 1, "#"));
		ret = sqlite_params(url, query.buf, flags, err);
		buf_release(&query);
		return ret;
	}
	return 0;
}

#ifdef HAVE_LIBPQ
/*
 * dbmate's PostgreSQL parameters in libpq's words: socket=DIR is host=DIR,
 * search_path=S is options=-c search_path=S. Everything else as written.
 */
static void
pg_url(const char *url, struct buf *out)
{
	const char *q = strchr(url, '?'), *p, *amp;
	struct buf opts = BUF_INIT;
	size_t n;
	int sep = '?';

	if (q == NULL) {
		buf_adds(out, url);
		return;
	}
	buf_add(out, url, (size_t)(q - url));
	for (p = q + 1; *p; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		n = (size_t)(amp - p);
		if (n > 7 && strncmp(p, "socket=", 7) == 0) {
			buf_addf(out, "%chost=%.*s", sep, (int)(n - 7), p + 7);
		} else if (n > 12 && strncmp(p, "search_path=", 12) == 0) {
			buf_addf(&opts, "%s-c%%20search_path%%3D%.*s",
			    opts.len ? "%20" : "", (int)(n - 12), p + 12);
			continue;
		} else if (n > 8 && strncmp(p, "options=", 8) == 0) {
			buf_addf(&opts, "%s%.*s", opts.len ? "%20" : "",
			    (int)(n - 8), p + 8);
			continue;
		} else if (n)
			buf_addf(out, "%c%.*s", sep, (int)n, p);
		else
			continue;
		sep = '&';
	}
	if (opts.len)
		buf_addf(out, "%coptions=%s", sep, opts.buf);
	buf_release(&opts);
}
#endif

int
store_driver(const char *url, const struct store_ops **ops,
    struct buf *target, unsigned *flags, struct buf *err)
{
	const char *colon;

	*flags = 0;
	buf_reset(target);
	if (is_pg_url(url)) {
#ifdef HAVE_LIBPQ
		*ops = &store_pg_ops;
		pg_url(url, target);
		return 0;
#else
		return buf_seterr(err, RUNNER_EFAIL, "this build has no "
		    "PostgreSQL support (postgres:// database URLs need "
		    "runner built with libpq: install libpq-dev and run make)");
#endif
	}
	colon = strstr(url, "://");
	if (colon && !has_prefix(url, "sqlite:") &&
	    !has_prefix(url, "sqlite3:") && !has_prefix(url, "file:"))
		return buf_seterr(err, RUNNER_EUSAGE, "unsupported database "
		    "URL scheme '%.*s' (use a path, sqlite:PATH, "
		    "sqlite:///ABS/PATH or file:PATH)", (int)(colon - url), url);
	if (*url == '\0')
		return buf_seterr(err, RUNNER_EUSAGE, "empty database path");
	*ops = &store_sqlite_ops;
	return sqlite_url(url, target, flags, err);
}

int
store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	unsigned uflags;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, &uflags, err);
	if (ret == 0)
		ret = ops->open(target.buf, flags | uflags, lock_timeout, out,
		    err);
	buf_release(&target);
	return ret;
}

int
store_open_scratch(const char *url, int lock_timeout, struct store **out,
    struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	unsigned uflags;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, &uflags, err);
	if (ret == 0 && !ops->open_scratch)
		ret = buf_seterr(err, RUNNER_EFAIL, "the %s driver has no "
		    "scratch databases", ops->name);
	else if (ret == 0)
		ret = ops->open_scratch(target.buf, lock_timeout, out, err);
	buf_release(&target);
	return ret;
}

int
store_set_table(struct store *s, const char *table, struct buf *err)
{
	if (!tracking_name_valid(table))
		return buf_seterr(err, RUNNER_EUSAGE, "'%s' cannot name the "
		    "tracking table (letters, digits and '_', not starting "
		    "with a digit, at most 63)", table);
	free(s->table);
	s->table = xstrdup(table);
	return 0;
}

const char drift_table_ddl[] =
    "CREATE TABLE IF NOT EXISTS {T} (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    header TEXT NOT NULL,\n"
    "    objects TEXT NOT NULL\n"
    ")";

int
store_load_applied(struct store *s, struct applied_set *out, struct buf *err)
{
	int ret;

	out->v = NULL;
	out->n = 0;
	out->found = TRACKING_NONE;
	ret = s->ops->applied_each(s, applied_collect, out, &out->found, err);
	if (ret < 0)
		applied_set_release(out);
	else
		applied_set_sort(out);
	return ret;
}

static int
no_records(struct store *s, struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "the %s driver keeps no drift "
	    "record", s->ops->name);
}

int
store_fingerprint(struct store *s, struct buf *out, struct buf *err)
{
	if (s->ops->fingerprint == NULL)
		return no_records(s, err);
	buf_reset(out);
	return s->ops->fingerprint(s, out, err);
}

static void
collect(void *arg, const char *kind, const char *name, const char *def)
{
	schema_add(arg, kind, name, def);
}

int
store_objects(struct store *s, struct schema *out, struct buf *err)
{
	if (s->ops->objects == NULL)
		return no_records(s, err);
	schema_release(out);
	return s->ops->objects(s, collect, out, err);
}

struct text_job {
	struct buf *text;
	struct schema_digest d;
};

static void
encode_one(void *arg, const char *kind, const char *name, const char *def)
{
	struct text_job *j = arg;
	struct schema_obj o = { (char *)kind, (char *)name, (char *)def };
	struct schema one = { &o, 1, 1 };

	schema_encode(&one, j->text);
	schema_digest_add(&j->d, schema_obj_hash(kind, name, def));
}

int
store_objects_text(struct store *s, struct buf *text, char *digest,
    struct buf *err)
{
	struct text_job j = { text, SCHEMA_DIGEST_INIT };
	int ret;

	if (s->ops->objects == NULL)
		return no_records(s, err);
	ret = s->ops->objects(s, encode_one, &j, err);
	schema_digest_format(&j.d, digest);
	return ret;
}

int
store_objects_describe(struct store *s, const struct schema *objs,
    struct schema *out, struct buf *err)
{
	if (s->ops->objects_describe == NULL)
		return no_records(s, err);
	schema_release(out);
	return s->ops->objects_describe(objs, out, err);
}

int
store_record_read(struct store *s, struct buf *header, struct buf *objects,
    struct buf *err)
{
	buf_reset(header);
	if (objects)
		buf_reset(objects);
	if (s->ops->record_read == NULL)
		return 0;
	return s->ops->record_read(s, header, objects, err);
}

int
store_record_write(struct store *s, const char *header, const char *objects,
    struct buf *err)
{
	if (s->ops->record_write == NULL)
		return header ? no_records(s, err) : 0;
	return s->ops->record_write(s, header, objects, err);
}

int
store_describe(struct store *s, struct schema *out, struct buf *err)
{
	schema_release(out);
	if (s->ops->describe == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "the %s driver cannot "
		    "describe a schema yet", s->ops->name);
	return s->ops->describe(s, out, err);
}

void
store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

int
store_columns(struct store *s, const char *table, struct buf *cols,
    int *exists, struct buf *err)
{
	return s->ops->columns(s, table, cols, exists, err);
}

int
store_query(struct store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err)
{
	return s->ops->query(s, sql, ncols, row, arg, err);
}

void
store_discard_created(struct store *s)
{
	if (s && s->ops->discard_created)
		s->ops->discard_created(s);
}

#define MAX_SECRETS 8

/*
 * Where url's passwords are: the one in user:PASS@ (up to the last '@'
 * before the query, as a password may hold an unescaped '@' or '/') and
 * each password= query value. Returns how many, filling off[] and len[].
 */
static size_t
password_spans(const char *url, size_t *off, size_t *len)
{
	const char *p = strstr(url, "://"), *q, *at, *colon, *v;
	size_t n = 0;

	if (!is_pg_url(url) || p == NULL)
		return 0;
	p += 3;
	q = p + strcspn(p, "?");
	for (at = NULL, v = p; v < q; v++)
		if (*v == '@')
			at = v;
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (colon && at > colon + 1) {
		off[n] = (size_t)(colon + 1 - url);
		len[n++] = (size_t)(at - colon - 1);
	}
	for (v = q; *v && n < MAX_SECRETS; v += strcspn(v + 1, "&") + 1) {
		if (!has_prefix(v + 1, "password="))
			continue;
		off[n] = (size_t)(v + 10 - url);
		len[n] = strcspn(v + 10, "&");
		if (len[n])
			n++;
	}
	return n;
}

char *
store_display_url(const char *url)
{
	size_t off[MAX_SECRETS], len[MAX_SECRETS], n, i, done = 0;
	struct buf b = BUF_INIT;

	n = password_spans(url, off, len);
	for (i = 0; i < n; i++) {
		buf_add(&b, url + done, off[i] - done);
		buf_adds(&b, "***");
		done = off[i] + len[i];
	}
	buf_adds(&b, url + done);
	return buf_detach(&b, NULL);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Replaces every occurrence of secret in msg with ***. */
static void
replace_all(struct buf *msg, const char *secret, size_t slen)
{
	struct buf b = BUF_INIT;
	size_t i = 0;

	if (slen == 0)
		return;
	while (i < msg->len) {
		if (msg->len - i >= slen &&
		    memcmp(msg->buf + i, secret, slen) == 0) {
			buf_adds(&b, "***");
			i += slen;
		} else
			buf_addch(&b, msg->buf[i++]);
	}
	buf_release(msg);
	*msg = b;
}

void
store_scrub(const char *url, struct buf *msg)
{
	size_t off[MAX_SECRETS], len[MAX_SECRETS], n, i;
	struct buf dec = BUF_INIT;

	n = password_spans(url, off, len);
	for (i = 0; i < n; i++) {
		buf_reset(&dec);
		percent_decode(url + off[i], len[i], &dec);
		replace_all(msg, url + off[i], len[i]);
		replace_all(msg, dec.buf, dec.len);
	}
	buf_release(&dec);
}

void
store_drivers(struct buf *out)
{
	buf_addf(out, "sqlite %s", sqlite3_libversion());
#ifdef HAVE_LIBPQ
	buf_addf(out, ", postgresql (libpq %s)", store_pg_version());
#endif
}
