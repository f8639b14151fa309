/*
 * store_sqlite_url.c: the SQLite driver's database names: a path,
 * sqlite:PATH, sqlite3:PATH, sqlite:///ABS or file: URIs, and the query
 * parameters dbmate and the Go drivers accept.
 */
#include <string.h>
#include <strings.h>

#include "error.h"
#include "store_sqlite.h"
#include "banned.h"

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
int
sqlite_target(const char *url, struct buf *target, unsigned *flags,
    struct buf *err)
{
	const char *p = url, *q, *slash;
	int file = 0;

	if (url_has_prefix(p, "sqlite3:"))
		p += 8;
	else if (url_has_prefix(p, "sqlite:"))
		p += 7;
	else if (url_has_prefix(p, "file:"))
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
	url_decode(p, (size_t)(q - p), target);
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