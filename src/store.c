/*
 * store.c: choosing the driver for a database URL, showing a URL without
 * its password, and tracking rows.
 */
#include <stdlib.h>
#include <string.h>

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

const char *const tracking_base[TRACKING_NBASE] = {
	"version", "name", "applied_at", "checksum"
};

int
tracking_check(const char *db, const char *kind, unsigned base,
    struct buf *err)
{
	size_t i;

	if (strcmp(kind, "table") != 0)
		return buf_seterr(err, RUNNER_EFAIL, "'" TRACKING_TABLE "' in "
		    "database '%s' is %s, not runner's tracking table: rename "
		    "or drop it", db, kind);
	for (i = 0; i < TRACKING_NBASE; i++)
		if (!(base & (1u << i)))
			return buf_seterr(err, RUNNER_EFAIL, "table '"
			    TRACKING_TABLE "' in database '%s' is not runner's "
			    "tracking table: it has no '%s' column", db,
			    tracking_base[i]);
	return 0;
}

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
tracking_ddl(struct buf *sql, const struct tracking_dialect *d, int exists,
    unsigned have)
{
	size_t i;

	if (exists) {
		/* Adopt an older (Story Hub) table: add what it lacks. */
		for (i = 0; i < TRACKING_NEXTRA; i++)
			if (!(have & (1u << i)))
				buf_addf(sql, "ALTER TABLE " TRACKING_TABLE
				    " ADD COLUMN %s %s;", tracking_extra[i],
				    extra_decl(d, i));
		return;
	}
	buf_addf(sql, "CREATE TABLE " TRACKING_TABLE " (\n"
	    "    id %s,\n"
	    "    version TEXT UNIQUE NOT NULL,\n"
	    "    name TEXT NOT NULL,\n"
	    "    applied_at %s,\n"
	    "    checksum TEXT", d->id, d->applied_at);
	for (i = 0; i < TRACKING_NEXTRA; i++)
		buf_addf(sql, ",\n    %s %s", tracking_extra[i],
		    extra_decl(d, i));
	buf_adds(sql, "\n)");
}

void
tracking_select(struct buf *sql, const struct tracking_dialect *d,
    unsigned have)
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
	buf_adds(sql, " FROM " TRACKING_TABLE);
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
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Strips "sqlite:" / "sqlite3:" and the "//" of "sqlite:///abs/path". */
static const char *
sqlite_target(const char *url)
{
	const char *p = url;

	if (has_prefix(p, "sqlite3:"))
		p += 8;
	else if (has_prefix(p, "sqlite:"))
		p += 7;
	else
		return url;
	if (has_prefix(p, "//"))
		p += 2;
	return p;
}

static int
is_pg_url(const char *url)
{
	return has_prefix(url, "postgres://") ||
	    has_prefix(url, "postgresql://");
}

int
store_driver(const char *url, const struct store_ops **ops,
    const char **target, struct buf *err)
{
	const char *colon;

	if (is_pg_url(url)) {
#ifdef HAVE_LIBPQ
		*ops = &store_pg_ops;
		*target = url;
		return 0;
#else
		return buf_seterr(err, RUNNER_EFAIL, "this build has no "
		    "PostgreSQL support (postgres:// database URLs need "
		    "runner built with libpq: install libpq-dev and run make)");
#endif
	}
	colon = strstr(url, "://");
	if (colon && !has_prefix(url, "sqlite:") && !has_prefix(url, "sqlite3:"))
		return buf_seterr(err, RUNNER_EUSAGE, "unsupported database "
		    "URL scheme '%.*s' (use a path, sqlite:PATH or "
		    "sqlite:///ABS/PATH)", (int)(colon - url), url);
	*target = sqlite_target(url);
	if (**target == '\0')
		return buf_seterr(err, RUNNER_EUSAGE, "empty database path in "
		    "'%s'", url);
	*ops = &store_sqlite_ops;
	return 0;
}

int
store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	const struct store_ops *ops;
	const char *target;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, err);
	if (ret < 0)
		return ret;
	return ops->open(target, flags, lock_timeout, out, err);
}

int
store_open_scratch(const char *url, int lock_timeout, struct store **out,
    struct buf *err)
{
	const struct store_ops *ops;
	const char *target;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, err);
	if (ret < 0)
		return ret;
	if (!ops->open_scratch)
		return buf_seterr(err, RUNNER_EFAIL, "the %s driver has no "
		    "scratch databases", ops->name);
	return ops->open_scratch(target, lock_timeout, out, err);
}

void
store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
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
