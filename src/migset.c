/* migset.c: reading the migrations directory and its files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "migset.h"
#include "banned.h"

/*
 * Reads fd to the end into b. For a regular file a short read is the end,
 * which saves the extra read(2) that would return 0: status reads every
 * migration file, so each system call counts.
 */
static int
read_fd(int fd, const char *path, int regular, size_t hint, struct buf *b,
    struct buf *err)
{
	size_t want;
	ssize_t n;

	buf_reset(b);
	for (;;) {
		buf_grow(b, hint > b->len ? hint - b->len + 1 : 8192);
		want = b->alloc - b->len - 1;
		n = read(fd, b->buf + b->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
			    path, errno == EISDIR ? "is a directory" :
			    strerror(errno));
		b->len += (size_t)n;
		b->buf[b->len] = '\0';
		if (n == 0 || (regular && (size_t)n < want))
			return 0;
	}
}

/*
 * Opens name in dirfd (AT_FDCWD for a plain path) and reads it into b.
 * d_type is readdir's, or DT_UNKNOWN to ask fstat. O_NONBLOCK: a FIFO
 * named *.sql must not hang us.
 */
static int
read_file_at(int dirfd, const char *name, const char *path,
    unsigned char d_type, struct buf *b, struct buf *err)
{
	struct stat st;
	size_t hint = 0;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot read '%s': %s", path,
		    strerror(errno));
	if (d_type != DT_REG) {
		if (fstat(fd, &st) < 0)
			st.st_mode = 0;
		if (!S_ISREG(st.st_mode)) {
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': "
			    "%s", path, S_ISDIR(st.st_mode) ? "is a directory" :
			    "not a regular file");
			close(fd);
			return ret;
		}
		hint = (size_t)st.st_size;
	}
	ret = read_fd(fd, path, 1, hint, b, err);
	close(fd);
	return ret;
}

int
file_read(const char *path, char **data, size_t *len, struct buf *err)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int ret;

	/* Not even opened: a device can act on an open. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': is %s, "
		    "not a file", path, file_kind(st.st_mode));
	ret = read_file_at(AT_FDCWD, path, path, DT_UNKNOWN, &b, err);
	if (ret == 0)
		*data = buf_detach(&b, len);
	buf_release(&b);
	return ret;
}

static void
migfile_release(struct migfile *f)
{
	free(f->version);
	free(f->name);
	free(f->path);
}

static char *
join_path(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(dir);

	buf_adds(&b, dir);
	if (n && dir[n - 1] != '/')
		buf_addch(&b, '/');
	buf_adds(&b, name);
	return buf_detach(&b, NULL);
}

/* Parses the file once: a bad file is reported before the database is touched. */
static int
migfile_check(struct migfile *f, int dirfd, const struct dirent *de,
    struct buf *scratch, struct buf *err)
{
	struct migration m;
	int ret;

	ret = read_file_at(dirfd, de->d_name, f->path, de->d_type, scratch,
	    err);
	if (ret < 0)
		return RUNNER_EFAIL;
	ret = migration_parse(f->path, scratch->buf, scratch->len, &m, err);
	if (ret < 0)
		return ret;
	checksum_format(m.crc, f->checksum);
	f->upflags = m.up.flags;
	f->downflags = m.down.flags;
	f->reversible = migration_reversible(&m);
	migration_release(&m);
	return 0;
}

static void
misnamed(struct buf *warnings, const char *dir, const char *fname)
{
	buf_addf(warnings, "ignoring '%s/%s': not named like NNN_name.sql "
	    "(digits, '_', then letters, digits, '_' or '-')\n", dir, fname);
}

static int
add_entry(struct migset *s, const char *dir, int dirfd,
    const struct dirent *de, struct buf *scratch, struct buf *err)
{
	const char *fname = de->d_name;
	struct migfile *f;
	size_t vlen, nlen, n = strlen(fname);

	if (n < 4 || strcmp(fname + n - 4, ".sql") != 0)
		return 0;
	if (!migration_parse_filename(fname, &vlen, &nlen)) {
		misnamed(&s->warnings, dir, fname);
		return 0;
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 64;
		s->v = xreallocarray(s->v, s->alloc, sizeof(*s->v));
	}
	f = &s->v[s->n];
	memset(f, 0, sizeof(*f));
	f->version = xstrndup(fname, vlen);
	f->name = xstrndup(fname + vlen + 1, nlen);
	f->path = join_path(dir, fname);
	s->n++;
	return migfile_check(f, dirfd, de, scratch, err);
}

static int
cmp_migfile(const void *a, const void *b)
{
	const struct migfile *x = a, *y = b;
	int c = version_cmp(x->version, y->version);

	return c ? c : strcmp(x->path, y->path);
}

static int
check_duplicates(const struct migset *s, struct buf *err)
{
	size_t i;

	for (i = 1; i < s->n; i++)
		if (version_cmp(s->v[i - 1].version, s->v[i].version) == 0)
			return buf_seterr(err, RUNNER_EFAIL,
			    "duplicate migration version %s: '%s' and '%s'",
			    s->v[i].version, s->v[i - 1].path, s->v[i].path);
	return 0;
}

int
migset_load(struct migset *s, const char *dir, struct buf *err)
{
	struct dirent *de;
	DIR *d;
	struct buf scratch = BUF_INIT;
	int ret = 0;

	d = opendir(dir);
	if (d == NULL)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open migrations directory '%s': %s",
		    dir, strerror(errno));
	errno = 0;
	while (ret == 0 && (de = readdir(d)) != NULL)
		ret = add_entry(s, dir, dirfd(d), de, &scratch, err);
	if (ret == 0 && errno)
		ret = buf_seterr(err, RUNNER_EFAIL,
		    "cannot read migrations directory '%s': %s", dir,
		    strerror(errno));
	closedir(d);
	buf_release(&scratch);
	if (ret < 0)
		return ret;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_migfile);
	return check_duplicates(s, err);
}

void
migset_release(struct migset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		migfile_release(&s->v[i]);
	free(s->v);
	buf_release(&s->warnings);
	s->v = NULL;
	s->n = s->alloc = 0;
}

const struct migfile *
migset_find(const struct migset *s, const char *version)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = version_cmp(s->v[mid].version, version);
		if (c == 0)
			return &s->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
migfile_read(const struct migfile *f, struct migration *m, struct buf *err)
{
	char sum[CHECKSUM_LEN + 1], *data = NULL;
	size_t len;
	int ret;

	ret = file_read(f->path, &data, &len, err);
	if (ret < 0)
		return RUNNER_EFAIL;
	ret = migration_parse(f->path, data, len, m, err);
	free(data);
	if (ret < 0)
		return ret;
	checksum_format(m->crc, sum);
	if (strcmp(sum, f->checksum) != 0) {
		migration_release(m);
		return buf_seterr(err, RUNNER_EFAIL,
		    "'%s' changed while runner was running", f->path);
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted paths of the .sql files in dir; RUNNER_ENOENT if it is absent. */
static int
sql_paths(const char *dir, const char *what, char ***paths, size_t *n,
    struct buf *err)
{
	struct dirent *de;
	size_t alloc = 0, len;
	DIR *d;

	*paths = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open %s directory '%s': %s", what,
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			*paths = xreallocarray(*paths, alloc, sizeof(**paths));
		}
		(*paths)[(*n)++] = join_path(dir, de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*paths, *n, sizeof(**paths), cmp_str);
	return 0;
}

int
seeds_list(const char *dir, char ***paths, size_t *n, struct buf *err)
{
	char *sdir = join_path(dir, "seeds");
	int ret;

	ret = sql_paths(sdir, "seeds", paths, n, err);
	if (ret == RUNNER_ENOENT) {
		buf_reset(err);
		ret = 0;
	}
	free(sdir);
	return ret;
}

int
migset_paths(const char *dir, char ***paths, size_t *n,
    struct buf *warnings, struct buf *err)
{
	const char *base;
	size_t i, kept = 0, vlen, nlen;
	int ret;

	ret = sql_paths(dir, "migrations", paths, n, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < *n; i++) {
		base = strrchr((*paths)[i], '/') + 1;
		if (migration_parse_filename(base, &vlen, &nlen)) {
			(*paths)[kept++] = (*paths)[i];
			continue;
		}
		misnamed(warnings, dir, base);
		free((*paths)[i]);
	}
	*n = kept;
	return 0;
}

void
paths_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
