/* create.c: writing a new, empty migration file with the next version. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "migration.h"
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

static int
mkdirs(const char *dir, struct buf *err)
{
	char *p, *copy = xstrdup(dir), c;
	int ret = 0;

	for (p = copy + 1; ret == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot create "
			    "directory '%s': %s", copy, strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return ret;
}

/* The highest version in dir (as written) and the widest version width. */
static int
scan_versions(const char *dir, struct buf *max, size_t *width,
    struct buf *err)
{
	struct dirent *de;
	size_t vlen, nlen;
	char *v;
	DIR *d;

	*width = 0;
	d = opendir(dir);
	if (d == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open migrations "
		    "directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!migration_parse_filename(de->d_name, &vlen, &nlen))
			continue;
		if (vlen > *width)
			*width = vlen;
		v = xstrndup(de->d_name, vlen);
		if (max->len == 0 || version_cmp(v, max->buf) > 0) {
			buf_reset(max);
			buf_adds(max, v);
		}
		free(v);
	}
	closedir(d);
	return 0;
}

/* Adds one to a digit string, padded to width. */
static void
next_version(const char *max, size_t width, struct buf *out)
{
	struct buf v = BUF_INIT;
	size_t i;

	buf_adds(&v, *max ? max : "0");
	for (i = v.len; i > 0 && v.buf[i - 1] == '9'; i--)
		v.buf[i - 1] = '0';
	buf_reset(out);
	if (i == 0)
		buf_addch(&v, '0');	/* 999 -> 1000: one digit longer */
	if (i == 0)
		v.buf[0] = '1';
	else
		v.buf[i - 1]++;
	for (i = v.len; i < width; i++)
		buf_addch(out, '0');
	buf_adds(out, v.buf);
	buf_release(&v);
}

static void
pick_version(const char *max, size_t width, struct buf *out)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (width < 3)
		width = 3;
	next_version(max, width, out);
	/* Timestamp-versioned directories get the current UTC time. */
	if (width == TIMESTAMP_WIDTH && gmtime_r(&t, &tm) &&
	    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) &&
	    version_cmp(stamp, out->buf) > 0) {
		buf_reset(out);
		buf_adds(out, stamp);
	}
}

static void
template(struct buf *out, const char *name, const char *description)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;
	const char *p;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
		date[0] = '\0';
	buf_addf(out, "-- Migration: %s\n-- Description: ", name);
	for (p = description ? description : name; *p; p++)
		buf_addch(out, *p == '\n' || *p == '\r' ? ' ' : *p);
	buf_addf(out, "\n-- Created: %s\n\n-- migrate:up\n\n\n"
	    "-- migrate:down\n\n", date);
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

int
runner_create(const char *dir, const char *name, const char *description,
    char **path, struct buf *err)
{
	struct buf clean = BUF_INIT, max = BUF_INIT, version = BUF_INIT;
	struct buf p = BUF_INIT, content = BUF_INIT;
	size_t width;
	int ret;

	*path = NULL;
	ret = clean_name(name, &clean, err);
	if (ret == 0)
		ret = mkdirs(dir, err);
	if (ret == 0)
		ret = scan_versions(dir, &max, &width, err);
	if (ret < 0)
		goto out;
	pick_version(max.buf, width, &version);
	buf_addf(&p, "%s%s%s_%s.sql", dir, dir[strlen(dir) - 1] == '/' ?
	    "" : "/", version.buf, clean.buf);
	template(&content, clean.buf, description);
	ret = write_new(p.buf, &content, err);
	if (ret == 0)
		*path = buf_detach(&p, NULL);
out:
	buf_release(&clean);
	buf_release(&max);
	buf_release(&version);
	buf_release(&p);
	buf_release(&content);
	return ret;
}
