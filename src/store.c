/* store.c: choosing the driver for a database URL, and tracking rows. */
#include <stdlib.h>
#include <string.h>

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

int
store_driver(const char *url, const struct store_ops **ops,
    const char **target, struct buf *err)
{
	const char *colon;

	if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://"))
		return buf_seterr(err, RUNNER_EFAIL, "this build has no "
		    "PostgreSQL support (postgres:// database URLs need "
		    "runner built with libpq)");
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
