/*
 * runner_create.c: writing a new, empty migration in the folder's own layout,
 * with the next version in that layout's numbering.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "file_migset.h"
#include "runner.h"
#include "banned.h"

#define TIMESTAMP_WIDTH 14	/* YYYYmmddHHMMSS versions */

/* Lowercases name into [a-z0-9_], one '_' for each run of anything else. */
static int
clean_name(const char *name, struct buf *out, struct buf *err)
{
	const char *p;

	if (strchr(name, '/') || strchr(name, '\\'))
		return buf_seterr(err, RUNNER_EUSAGE, "migration name '%s' must "
		    "not contain a path separator", name);
	for (p = name; *p; p++) {
		if (isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
			buf_addch(out, tolower((unsigned char)*p));
		else if (out->len && out->buf[out->len - 1] != '_')
			buf_addch(out, '_');
	}
	while (out->len && out->buf[out->len - 1] == '_')
		out->buf[--out->len] = '\0';
	if (out->len == 0)
		return buf_seterr(err, RUNNER_EUSAGE, "migration name '%s' has "
		    "no letters or digits", name);
	return 0;
}

/* Adds one to the digits s[0, n) in place in b (999 -> 1000). */
static void
increment(struct buf *b, size_t from)
{
	size_t i;

	for (i = b->len; i > from && b->buf[i - 1] == '9'; i--)
		b->buf[i - 1] = '0';
	if (i > from) {
		b->buf[i - 1]++;
		return;
	}
	buf_addch(b, '0');	/* one digit longer */
	b->buf[from] = '1';
}

/* What numbering a new migration of the folder takes. */
struct numbering {
	enum layout layout;
	const struct migfile *newest;	/* the folder's, or NULL */
	const char *max;	/* the highest version of every folder, or NULL */
	size_t width;		/* the folder's widest version */
	int padded;		/* a version of the folder has leading zeros */
	int timestamp;		/* YYYYmmddHHMMSS */
};

/* The current UTC time as YYYYmmddHHMMSS, if it is above version v. */
static int
now_above(const char *v, struct buf *out)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) ||
	    (v && version_cmp(stamp, v) <= 0))
		return 0;
	buf_reset(out);
	buf_adds(out, stamp);
	return 1;
}

/* The next version: above every folder's, in the folder's numbering. */
static void
pick_version(const struct numbering *nb, struct buf *out)
{
	const char *max = nb->max ? nb->max : "0";
	size_t i, width = nb->width;

	buf_reset(out);
	if (nb->layout == LAYOUT_FLYWAY) {
		/* 1.2 -> 1.3, 001 -> 002: the last part goes up. */
		buf_adds(out, max);
		for (i = out->len; i > 0 && isdigit((unsigned char)
		    out->buf[i - 1]); i--)
			;
		increment(out, i);
		return;
	}
	/* Digits: after the first part of another folder's 1.2, too. */
	buf_add(out, max, strspn(max, "0123456789"));
	if (out->len == 0)
		buf_addch(out, '0');
	increment(out, 0);
	if (nb->timestamp) {
		now_above(out->buf, out);
		return;
	}
	/*
	 * runner's own numbering has at least 3 digits; another tool's
	 * unpadded folder (golang-migrate's 1, 2, ... 10) stays unpadded.
	 */
	if (!nb->newest || nb->layout == LAYOUT_RUNNER)
		width = width < 3 ? 3 : width;
	else if (!nb->padded)
		width = 0;
	while (out->len < width) {
		buf_grow(out, 1);
		memmove(out->buf + 1, out->buf, out->len + 1);
		out->buf[0] = '0';
		out->len++;
	}
}

/* The folder's numbering: its own versions, or its layout's default. */
static void
numbering_of(const struct migset *s, size_t dir, enum layout l,
    struct numbering *nb)
{
	size_t i, w;

	memset(nb, 0, sizeof(*nb));
	nb->layout = l;
	nb->max = s->n ? s->v[s->n - 1].version : NULL;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].dir != dir)
			continue;
		nb->newest = &s->v[i];
		w = strlen(s->v[i].version);
		nb->width = w > nb->width ? w : nb->width;
		if (w > 1 && s->v[i].version[0] == '0')
			nb->padded = 1;
	}
	if (nb->newest)
		nb->timestamp = strlen(nb->newest->version) == TIMESTAMP_WIDTH;
	else
		nb->timestamp = l != LAYOUT_RUNNER && l != LAYOUT_FLYWAY;
}

/* The files of one new migration. */
struct newfile {
	struct buf path, content;
};

struct newmig {
	struct newfile f[2];
	size_t n;
	char *folder;		/* diesel's, created first */
};

static struct buf *
add_file(struct newmig *nm, const char *dir, const char *name)
{
	struct newfile *f = &nm->f[nm->n++];

	buf_init(&f->path);
	buf_init(&f->content);
	buf_addf(&f->path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" :
	    "/", name);
	return &f->content;
}

/* The comment a new file starts with: the description, if given. */
static void
describe(struct buf *b, const char *description)
{
	const char *p;

	if (description == NULL)
		return;
	buf_adds(b, "-- ");
	for (p = description; *p; p++)
		buf_addch(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	buf_addch(b, '\n');
}

static void
runner_template(struct buf *out, const char *name, const char *description)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
		date[0] = '\0';
	buf_addf(out, "-- Migration: %s\n", name);
	describe(out, description ? description : name);
	buf_addf(out, "-- Created: %s\n\n-- migrate:up\n\n\n"
	    "-- migrate:down\n\n", date);
}

/* The pair files of golang-migrate (empty) and sqlx (a comment each). */
static void
pair_files(struct newmig *nm, const char *dir, const char *base,
    const char *desc, int sqlx)
{
	struct buf fname = BUF_INIT;
	struct buf *b;

	buf_addf(&fname, "%s.up.sql", base);
	b = add_file(nm, dir, fname.buf);
	describe(b, desc);
	if (sqlx)
		buf_adds(b, "-- Add up migration script here\n");
	buf_reset(&fname);
	buf_addf(&fname, "%s.down.sql", base);
	b = add_file(nm, dir, fname.buf);
	if (sqlx)
		buf_adds(b, "-- Add down migration script here\n");
	buf_release(&fname);
}

static void
diesel_files(struct newmig *nm, const char *dir, const char *version,
    const char *name, const char *desc)
{
	struct buf folder = BUF_INIT;
	struct buf *b;
	size_t i;

	buf_addf(&folder, "%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
	for (i = 0; version[i]; i++) {
		/* 20261121104500 -> 2026-11-21-104500, as diesel names it */
		if (strlen(version) == TIMESTAMP_WIDTH && (i == 4 || i == 6 ||
		    i == 8))
			buf_addch(&folder, '-');
		buf_addch(&folder, version[i]);
	}
	buf_addf(&folder, "_%s", name);
	nm->folder = buf_detach(&folder, NULL);
	b = add_file(nm, nm->folder, "up.sql");
	describe(b, desc);
	buf_adds(b, "-- Your SQL goes here\n");
	b = add_file(nm, nm->folder, "down.sql");
	buf_adds(b, "-- This file should undo anything in `up.sql`\n");
}

static void
flyway_files(struct newmig *nm, const char *dir, const char *version,
    const char *name, const char *desc, int undo)
{
	struct buf fname = BUF_INIT;
	struct buf *b;

	buf_addf(&fname, "V%s__%s.sql", version, name);
	b = add_file(nm, dir, fname.buf);
	describe(b, desc ? desc : name);
	if (undo) {
		buf_reset(&fname);
		buf_addf(&fname, "U%s__%s.sql", version, name);
		b = add_file(nm, dir, fname.buf);
		buf_addf(b, "-- Undo V%s__%s.sql\n", version, name);
	}
	buf_release(&fname);
}

/* The files of a migration in layout nb->layout; empty, so no-ops. */
static void
layout_files(struct newmig *nm, const struct numbering *nb, const char *dir,
    const char *version, const char *name, const char *desc)
{
	struct buf base = BUF_INIT, *b;
	int pair = nb->newest && nb->newest->down_path;

	buf_addf(&base, "%s_%s", version, name);
	switch (nb->layout) {
	case LAYOUT_GOLANG_MIGRATE:
	case LAYOUT_SQLX:
		if (nb->layout == LAYOUT_GOLANG_MIGRATE || pair) {
			pair_files(nm, dir, base.buf, desc,
			    nb->layout == LAYOUT_SQLX);
			break;
		}
		buf_adds(&base, ".sql");
		b = add_file(nm, dir, base.buf);
		describe(b, desc);
		buf_adds(b, "-- Add migration script here\n");
		break;
	case LAYOUT_DIESEL:
		diesel_files(nm, dir, version, name, desc);
		break;
	case LAYOUT_FLYWAY:
		flyway_files(nm, dir, version, name, desc, pair);
		break;
	default:
		buf_adds(&base, ".sql");
		b = add_file(nm, dir, base.buf);
		if (nb->layout == LAYOUT_GOOSE) {
			describe(b, desc);
			buf_adds(b, "-- +goose Up\n-- +goose StatementBegin\n"
			    "-- +goose StatementEnd\n\n-- +goose Down\n"
			    "-- +goose StatementBegin\n-- +goose StatementEnd\n");
		} else if (nb->layout == LAYOUT_DBMATE) {
			describe(b, desc);
			buf_adds(b, "-- migrate:up\n\n\n-- migrate:down\n\n");
		} else
			runner_template(b, name, desc);
		break;
	}
	buf_release(&base);
}

static int
write_new(const char *path, const struct buf *content, struct buf *err)
{
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot create '%s': %s",
		    path, strerror(errno));
	while (off < content->len) {
		n = write(fd, content->buf + off, content->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
			    path, n < 0 ? strerror(errno) : "short write");
			close(fd);
			unlink(path);
			return RUNNER_EFAIL;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s", path,
		    strerror(errno));
		unlink(path);
		return RUNNER_EFAIL;
	}
	return 0;
}

/* Writes every file of nm, or none: a failure removes what it wrote. */
static int
write_all(struct newmig *nm, struct buf *err)
{
	size_t i;
	int ret = 0;

	if (nm->folder && mkdir(nm->folder, 0777) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot create '%s': %s",
		    nm->folder, strerror(errno));
	for (i = 0; ret == 0 && i < nm->n; i++)
		ret = write_new(nm->f[i].path.buf, &nm->f[i].content, err);
	if (ret == 0)
		return 0;
	while (--i > 0)
		unlink(nm->f[i - 1].path.buf);
	if (nm->folder)
		rmdir(nm->folder);
	return ret;
}

/* runner's, dbmate's and goose's files mix; so do golang-migrate's and sqlx's. */
static int
same_family(enum layout a, enum layout b)
{
	int fa = a == LAYOUT_RUNNER || a == LAYOUT_DBMATE || a == LAYOUT_GOOSE;
	int fb = b == LAYOUT_RUNNER || b == LAYOUT_DBMATE || b == LAYOUT_GOOSE;
	int pa = a == LAYOUT_GOLANG_MIGRATE || a == LAYOUT_SQLX;
	int pb = b == LAYOUT_GOLANG_MIGRATE || b == LAYOUT_SQLX;

	return a == b || (fa && fb) || (pa && pb);
}

/* The layout to write: the folder's, or want (which must fit it). */
static int
choose_layout(const struct migdir *d, enum layout want, enum layout *l,
    struct buf *err)
{
	*l = d->layout;
	if (want == LAYOUT_NONE && *l == LAYOUT_NONE)
		*l = LAYOUT_RUNNER;
	else if (want != LAYOUT_NONE && (*l == LAYOUT_NONE ||
	    same_family(*l, want)))
		*l = want;
	else if (want != LAYOUT_NONE)
		return buf_seterr(err, RUNNER_EUSAGE, "migrations folder '%s' "
		    "is in %s's layout; a %s migration in it would mix layouts",
		    d->path, layout_name(*l), layout_name(want));
	return 0;
}

static void
newmig_release(struct newmig *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++) {
		buf_release(&nm->f[i].path);
		buf_release(&nm->f[i].content);
	}
	free(nm->folder);
}

int
runner_create(char *const *dirs, size_t ndirs, const char *name,
    const char *description, enum layout want, char ***paths, size_t *n,
    struct buf *err)
{
	struct buf clean = BUF_INIT, version = BUF_INIT;
	struct migset s = MIGSET_INIT;
	struct newmig nm;
	struct numbering nb;
	enum layout l = LAYOUT_NONE;
	size_t i;
	int ret;

	*paths = NULL;
	*n = 0;
	memset(&nm, 0, sizeof(nm));
	ret = clean_name(name, &clean, err);
	if (ret == 0)
		ret = file_mkdirs(dirs[0], 0777, "directory", err);
	if (ret == 0)
		ret = migset_load(&s, dirs, ndirs, 0, err);
	if (ret == 0)
		ret = choose_layout(&s.dirs[0], want, &l, err);
	if (ret < 0)
		goto out;
	numbering_of(&s, 0, l, &nb);
	pick_version(&nb, &version);
	layout_files(&nm, &nb, dirs[0], version.buf, clean.buf, description);
	ret = write_all(&nm, err);
	if (ret < 0)
		goto out;
	*paths = xcalloc(nm.n + 1, sizeof(**paths));
	for (i = 0; i < nm.n; i++)
		(*paths)[(*n)++] = buf_detach(&nm.f[i].path, NULL);
out:
	newmig_release(&nm);
	migset_release(&s);
	buf_release(&clean);
	buf_release(&version);
	return ret;
}
