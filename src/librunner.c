/*
 * librunner.c: the public library (librunner.h) over the operations:
 * one handle holds a database, the migrations loaded and the last message.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "runner.h"

/* Only what librunner.h declares is exported (the rest is hidden). */
#pragma GCC visibility push(default)
#include "librunner.h"
#pragma GCC visibility pop

#include "banned.h"

_Static_assert(LIBRUNNER_EFAIL == RUNNER_EFAIL &&
    LIBRUNNER_EUSAGE == RUNNER_EUSAGE && LIBRUNNER_ENOENT == RUNNER_ENOENT &&
    LIBRUNNER_EBUSY == RUNNER_EBUSY && LIBRUNNER_EINTR == RUNNER_EINTR &&
    LIBRUNNER_ECLUSTER == RUNNER_ECLUSTER &&
    LIBRUNNER_EAFTER == RUNNER_EAFTER && LIBRUNNER_EIO == RUNNER_EIO,
    "librunner.h's codes are error.h's");

#define LOCK_TIMEOUT_DEFAULT 30

struct librunner {
	char *url;
	struct store *store;	/* NULL after a failed open */
	int lock_timeout;
	struct runner r;	/* always initialized: no migrations at first */
	/* What r.files' compiled-in migrations read (migfile's src). */
	struct migration_src *srcs;
	struct buf err;
};

/* A handle with no database, for the message of a failed open. */
static struct librunner *
handle_new(void)
{
	struct librunner *db = xcalloc(1, sizeof(*db));
	struct buf empty = BUF_INIT;

	buf_init(&db->err);
	/* No folder: runner_init cannot fail. */
	(void)runner_init(&db->r, NULL, 0, &empty);
	return db;
}

int
librunner_open(const char *url, const struct librunner_options *opts,
    struct librunner **out)
{
	struct librunner *db;
	const char *table = opts && opts->table ? opts->table : TRACKING_TABLE;
	int ret;

	if (out == NULL)
		return LIBRUNNER_EUSAGE;
	*out = db = handle_new();
	db->lock_timeout = opts && opts->lock_timeout ? opts->lock_timeout :
	    LOCK_TIMEOUT_DEFAULT;
	if (url == NULL || *url == '\0')
		return buf_seterr(&db->err, RUNNER_EUSAGE, "no database URL");
	if (db->lock_timeout < -1)
		return buf_seterr(&db->err, RUNNER_EUSAGE, "lock timeout %d is "
		    "neither seconds nor -1 (do not wait)", db->lock_timeout);
	if (db->lock_timeout == -1)
		db->lock_timeout = 0;
	/* Before opening, which would create the database. */
	if (!tracking_name_valid(table))
		return buf_seterr(&db->err, RUNNER_EUSAGE, "'%s' cannot name "
		    "the tracking table (letters, digits and '_', not starting "
		    "with a digit, at most %d)", table, TRACKING_NAME_MAX);
	db->url = xstrdup(url);
	ret = store_open(url, 0, db->lock_timeout, &db->store, &db->err);
	if (ret == 0)
		ret = store_set_table(db->store, table, &db->err);
	if (ret < 0) {
		store_close(db->store);
		db->store = NULL;
		return ret;
	}
	db->r.store = db->store;
	db->r.url = db->url;
	db->r.lock_timeout = db->lock_timeout;
	return 0;
}

/* Forgets the migrations loaded: r holds none. */
static void
unload(struct librunner *db)
{
	struct buf empty = BUF_INIT;

	runner_release(&db->r);
	(void)runner_init(&db->r, NULL, 0, &empty);
	db->r.store = db->store;
	db->r.url = db->url;
	db->r.lock_timeout = db->lock_timeout;
	free(db->srcs);
	db->srcs = NULL;
}

void
librunner_close(struct librunner *db)
{
	if (db == NULL)
		return;
	unload(db);
	runner_release(&db->r);
	store_close(db->store);
	free(db->url);
	buf_release(&db->err);
	free(db);
}

/* Starts a call: 0 when db can run it (opened, then err is reset). */
static int
begin_call(struct librunner *db)
{
	if (db == NULL)
		return LIBRUNNER_EUSAGE;
	buf_reset(&db->err);
	if (db->store == NULL)
		return buf_seterr(&db->err, RUNNER_EUSAGE, "the database was "
		    "not opened");
	return 0;
}

int
librunner_load_dir(struct librunner *db, const char *dir)
{
	char *dirs[1];
	int ret;

	if ((ret = begin_call(db)) < 0)
		return ret;
	if (dir == NULL || *dir == '\0')
		return buf_seterr(&db->err, RUNNER_EUSAGE, "no migrations "
		    "folder");
	unload(db);
	runner_release(&db->r);
	dirs[0] = xstrdup(dir);
	ret = runner_init(&db->r, dirs, 1, &db->err);
	free(dirs[0]);
	db->r.store = db->store;
	db->r.url = db->url;
	db->r.lock_timeout = db->lock_timeout;
	if (ret < 0)
		unload(db);
	return ret;
}

/* What in an embedded migration is missing or out of range, or NULL. */
static const char *
embedded_bad(const struct librunner_migration *e)
{
	if (e->version == NULL || !version_valid(e->version))
		return "its version is not one";
	if (e->name == NULL || e->path == NULL || e->checksum == NULL)
		return "its name, path or checksum is NULL";
	if (e->text == NULL || (e->down_path && e->down_text == NULL) ||
	    (e->conf_path && e->conf_text == NULL))
		return "a file's text is NULL";
	if (e->format != FORMAT_MARKERS && e->format != FORMAT_WHOLE)
		return "its format is not one runner embed writes";
	if (e->flags & ~(unsigned)(PARSE_NOTX_COMMENT | PARSE_PLACEHOLDERS |
	    PARSE_CONF_DIESEL | PARSE_CONF_FLYWAY))
		return "its flags are not ones runner embed writes";
	return NULL;
}

static void
embedded_src(const struct librunner_migration *e, struct migration_src *src)
{
	memset(src, 0, sizeof(*src));
	src->path = e->path;
	src->data = e->text;
	src->len = e->text_len;
	src->dpath = e->down_path;
	src->ddata = e->down_text;
	src->dlen = e->down_len;
	src->cpath = e->conf_path;
	src->cdata = e->conf_text;
	src->clen = e->conf_len;
	src->format = (enum text_format)e->format;
	src->flags = e->flags;
	src->env = &migset_env;
}

/* Parses e (as src) into f, checking the checksum runner embed wrote. */
static int
embedded_add(const struct librunner_migration *e,
    const struct migration_src *src, struct migfile *f, struct buf *err)
{
	struct migration m;
	const char *why = embedded_bad(e);

	if (why)
		return buf_seterr(err, RUNNER_EUSAGE, "embedded migration '%s' "
		    "is not runner embed's: %s", e->path ? e->path : "(NULL)",
		    why);
	if (migration_parse_src(src, &m, err) < 0)
		return RUNNER_EFAIL;
	memset(f, 0, sizeof(*f));
	migfile_fill(f, src, &m);
	migration_release(&m);
	if (strcmp(f->checksum, e->checksum) != 0)
		return buf_seterr(err, RUNNER_EFAIL, "embedded migration '%s' "
		    "has checksum %s, but its text gives %s: write it again "
		    "with runner embed", e->path, e->checksum, f->checksum);
	f->version = xstrdup(e->version);
	f->name = xstrdup(e->name);
	f->path = xstrdup(e->path);
	f->down_path = e->down_path ? xstrdup(e->down_path) : NULL;
	f->conf_path = e->conf_path ? xstrdup(e->conf_path) : NULL;
	f->src = src;
	return 0;
}

static int
cmp_migfile(const void *a, const void *b)
{
	const struct migfile *x = a, *y = b;

	return version_cmp(x->version, y->version);
}

/* Sorts the set by version; two migrations with one version are refused. */
static int
embedded_sort(struct migset *s, struct buf *err)
{
	size_t i;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_migfile);
	for (i = 1; i < s->n; i++)
		if (version_cmp(s->v[i - 1].version, s->v[i].version) == 0)
			return buf_seterr(err, RUNNER_EUSAGE, "migration "
			    "version %s is embedded twice: '%s' and '%s'",
			    s->v[i].version, s->v[i - 1].path, s->v[i].path);
	return 0;
}

int
librunner_load_embedded(struct librunner *db,
    const struct librunner_migration *v, size_t n)
{
	struct migset *s;
	size_t i;
	int ret;

	if ((ret = begin_call(db)) < 0)
		return ret;
	if (v == NULL && n)
		return buf_seterr(&db->err, RUNNER_EUSAGE, "no migrations "
		    "(NULL) but a count of %zu", n);
	unload(db);
	s = &db->r.files;
	db->srcs = xcalloc(n + 1, sizeof(*db->srcs));
	s->v = xcalloc(n + 1, sizeof(*s->v));
	s->alloc = n + 1;
	for (i = 0; ret == 0 && i < n; i++) {
		embedded_src(&v[i], &db->srcs[i]);
		ret = embedded_add(&v[i], &db->srcs[i], &s->v[s->n], &db->err);
		if (ret == 0)
			s->n++;
	}
	if (ret == 0)
		ret = embedded_sort(s, &db->err);
	if (ret < 0)
		unload(db);
	return ret;
}

int
librunner_migrate(struct librunner *db, const char *target, unsigned flags,
    size_t *applied)
{
	struct migrate_opts o = { target, 0, 0, 0 };
	int ret;

	if (applied)
		*applied = 0;
	if ((ret = begin_call(db)) < 0)
		return ret;
	if (target && !version_valid(target))
		return buf_seterr(&db->err, RUNNER_EUSAGE, "'%s' is not a "
		    "version (digits, such as 003, or 1.2)", target);
	if (flags & ~(unsigned)(LIBRUNNER_ONE_TRANSACTION |
	    LIBRUNNER_OUT_OF_ORDER))
		return buf_seterr(&db->err, RUNNER_EUSAGE, "unknown flags 0x%x",
		    flags);
	o.single_tx = (flags & LIBRUNNER_ONE_TRANSACTION) != 0;
	o.allow_ooo = (flags & LIBRUNNER_OUT_OF_ORDER) != 0;
	db->r.done = 0;
	ret = runner_migrate(&db->r, &o, &db->err);
	if (applied)
		*applied = db->r.done;
	return ret;
}

int
librunner_status(struct librunner *db, struct librunner_status *st)
{
	const struct plan *p;
	size_t i;
	int ret;

	if ((ret = begin_call(db)) < 0)
		return ret;
	if (st == NULL)
		return buf_seterr(&db->err, RUNNER_EUSAGE, "no status to fill "
		    "(NULL)");
	memset(st, 0, sizeof(*st));
	ret = runner_load(&db->r, &db->err);
	if (ret < 0)
		return ret;
	p = &db->r.plan;
	for (i = 0; i < p->n; i++)
		if (p->v[i].row && p->v[i].state != ENTRY_FAILED)
			st->version = p->v[i].row->version;
	st->applied = p->count[ENTRY_APPLIED];
	st->pending = p->count[ENTRY_PENDING];
	st->changed = p->count[ENTRY_CHANGED];
	st->missing = p->count[ENTRY_MISSING];
	st->failed = p->count[ENTRY_FAILED];
	return 0;
}

const char *
librunner_errmsg(const struct librunner *db)
{
	return db ? db->err.buf : "no database handle (NULL)";
}

const char *
librunner_version(void)
{
	return LIBRUNNER_VERSION;
}
