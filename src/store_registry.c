/*
 * store_registry.c: which drivers this build has and which database URLs
 * each takes. A new driver is one line in drivers[] (and its files in the
 * Makefile).
 */
#include <string.h>

#include "error.h"
#include "store_driver.h"
#include "store_registry.h"
#include "banned.h"

static int
is_sqlite_url(const char *url)
{
	return url_has_prefix(url, "sqlite:") ||
	    url_has_prefix(url, "sqlite3:") || url_has_prefix(url, "file:");
}

static const struct driver {
	int (*claims)(const char *url);
	const struct store_ops *ops;	/* NULL: not in this build */
	const char *missing;		/* why not, when ops is NULL */
} drivers[] = {
	{ is_sqlite_url, &store_sqlite_ops, NULL },
#ifdef HAVE_LIBPQ
	{ store_is_pg_url, &store_pg_ops, NULL },
#else
	{ store_is_pg_url, NULL, "this build has no PostgreSQL support "
	    "(postgres:// database URLs need runner built with libpq: "
	    "install libpq-dev and run make)" },
#endif
#ifdef HAVE_MARIADB
	{ store_is_mysql_url, &store_mysql_ops, NULL },
#else
	{ store_is_mysql_url, NULL, "this build has no MySQL or MariaDB "
	    "support (mysql:// and mariadb:// database URLs need runner "
	    "built with libmariadb: install libmariadb-dev and run make)" },
#endif
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* A plain path, with no scheme, is an SQLite database. */
#define DEFAULT_DRIVER (&store_sqlite_ops)

static int
driver_of(const char *url, const struct store_ops **ops, struct buf *err)
{
	const char *colon;
	size_t i;

	for (i = 0; i < NDRIVERS; i++)
		if (drivers[i].claims(url)) {
			if ((*ops = drivers[i].ops) == NULL)
				return buf_seterr(err, RUNNER_EFAIL, "%s",
				    drivers[i].missing);
			return 0;
		}
	colon = strstr(url, "://");
	if (colon)
		return buf_seterr(err, RUNNER_EUSAGE, "unsupported database "
		    "URL scheme '%.*s' (use a path, sqlite:PATH, "
		    "sqlite:///ABS/PATH or file:PATH)", (int)(colon - url), url);
	if (*url == '\0')
		return buf_seterr(err, RUNNER_EUSAGE, "empty database path");
	*ops = DEFAULT_DRIVER;
	return 0;
}

int
store_driver(const char *url, const struct store_ops **ops,
    struct buf *target, unsigned *flags, struct buf *err)
{
	int ret;

	*flags = 0;
	buf_reset(target);
	if ((ret = driver_of(url, ops, err)) < 0)
		return ret;
	return (*ops)->target(url, target, flags, err);
}

void
store_drivers(struct buf *out)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < NDRIVERS; i++) {
		if (drivers[i].ops == NULL)
			continue;
		buf_adds(out, sep);
		drivers[i].ops->version(out);
		sep = ", ";
	}
}
