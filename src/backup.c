/*
 * backup.c: backups as gzip files and their restore. A backup is the
 * driver's snapshot, compressed by gz.c into a private temporary file in
 * the destination folder, then linked or renamed into place: a reader of
 * the final path only ever sees a complete, fsynced file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "error.h"
#include "runner.h"
#include "store.h"
#include "banned.h"

/* The database's name in backup file names: "app" for "data/app.db". */
static char *
db_label(const char *target)
{
	static const char *const ext[] = { ".sqlite3", ".sqlite", ".db3",
	    ".db" };
	size_t i, n = strcspn(target, "?"), e;
	const char *base = target + n;

	/* The last path part before any query: a URL's database name. */
	while (base > target && base[-1] != '/')
		base--;
	n -= (size_t)(base - target);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		e = strlen(ext[i]);
		if (n > e && strncmp(base + n - e, ext[i], e) == 0) {
			n -= e;
			break;
		}
	}
	return n ? xstrndup(base, n) : xstrdup("database");
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash -
	    path));
}

/* mkdir -p, each new folder private to the user. */
static int
make_dir(const char *dir, struct buf *err)
{
	char *p = xstrdup(dir);
	size_t i, n = strlen(p);
	int ret = 0;

	for (i = 1; i <= n && ret == 0; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot create "
			    "backup folder '%s': %s", p, strerror(errno));
		if (i < n)
			p[i] = '/';
	}
	free(p);
	return ret;
}

static int
fsync_dir(const char *dir, struct buf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot sync folder '%s': "
		    "%s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* A new 0600 file named dir/.runner-what-XXXXXX; its name in *path. */
static int
temp_file(const char *dir, const char *what, char **path, struct buf *err)
{
	struct buf p = BUF_INIT;
	int fd;

	buf_addf(&p, "%s/.runner-%s-XXXXXX", dir, what);
	fd = mkstemp(p.buf);
	if (fd < 0) {
		buf_seterr(err, RUNNER_EFAIL, "cannot create a temporary file "
		    "in '%s': %s", dir, strerror(errno));
		buf_release(&p);
		return RUNNER_EFAIL;
	}
	*path = buf_detach(&p, NULL);
	return fd;
}

/* Refuses an output that is a link or a folder, or exists without force. */
static int
check_output(const char *path, int force, struct buf *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : buf_seterr(err, RUNNER_EFAIL,
		    "cannot write backup '%s': %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return buf_seterr(err, RUNNER_EFAIL, "'%s' is a symbolic link: "
		    "backups are never written through one", path);
	if (S_ISDIR(st.st_mode))
		return buf_seterr(err, RUNNER_EFAIL, "'%s' is a folder "
		    "(--output names the file to write)", path);
	if (!force)
		return buf_seterr(err, RUNNER_EFAIL, "'%s' already exists "
		    "(use --force to replace it)", path);
	return 0;
}

/*
 * Gives tmp the name path. Without force, link() refuses an existing path
 * atomically; rename() replaces a file or a link itself, never its target.
 * 1 when path exists and force is off.
 */
static int
publish(const char *tmp, const char *path, int force, struct buf *err)
{
	struct stat st;

	if (!force && link(tmp, path) == 0)
		return unlink(tmp), 0;
	if (!force && errno == EEXIST)
		return 1;
	/* A filesystem without hard links: check, then rename. */
	if (!force && lstat(path, &st) == 0)
		return 1;
	if (rename(tmp, path) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot write backup "
		    "'%s': %s", path, strerror(errno));
	return 0;
}

/* DIR/LABEL-STAMP.SUFFIX, or -2, -3 ... when one was taken this second. */
static int
publish_default(const char *tmp, const char *dir, const char *label,
    const char *suffix, char **path, struct buf *err)
{
	struct buf p = BUF_INIT;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n, ret = 1;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (n = 1; n < 1000 && ret == 1; n++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s-%s", dir, label, stamp);
		if (n > 1)
			buf_addf(&p, "-%d", n);
		buf_adds(&p, suffix);
		ret = publish(tmp, p.buf, 0, err);
	}
	if (ret == 1)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot name the backup: "
		    "'%s' and 998 more exist", p.buf);
	if (ret == 0)
		*path = buf_detach(&p, NULL);
	buf_release(&p);
	return ret;
}

/* Compresses the snapshot in sfd into ofd and makes it durable. */
static int
compress(int sfd, int ofd, const struct backup_opts *o,
    struct backup_result *res, const char *what, struct buf *err)
{
	struct gz_opts g = { o->level, 0, o->progress, o->arg, o->stop };
	struct stat st;
	int ret;

	if (fstat(sfd, &st) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read the snapshot: "
		    "%s", strerror(errno));
	res->db_size = (uint64_t)st.st_size;
	ret = gz_compress(sfd, ofd, &g, &res->gz_size, err);
	if (ret == 0 && fsync(ofd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write backup "
		    "'%s': %s", what, strerror(errno));
	if (ret < 0)
		buf_seterr(err, ret, "cannot write backup '%s'", what);
	return ret;
}

/* The snapshot in a temporary file in dir; its descriptor, or an error. */
static int
snapshot(const struct backup_opts *o, const char *dir, char **snap,
    struct buf *err)
{
	struct store *db = NULL;
	int fd, ret;

	ret = store_open(o->url, STORE_NOCREATE, o->lock_timeout, &db, err);
	if (ret < 0)
		return ret;
	if (!db->ops->snapshot) {
		ret = buf_seterr(err, RUNNER_EFAIL, "the %s driver cannot take "
		    "backups yet", db->ops->name);
		goto out;
	}
	if (!o->output && (ret = make_dir(dir, err)) < 0)
		goto out;
	fd = ret = temp_file(dir, "snapshot", snap, err);
	if (ret < 0)
		goto out;
	ret = db->ops->snapshot(db, *snap, err);
	if (ret < 0)
		close(fd);
	else
		ret = fd;
out:
	store_close(db);
	return ret;
}

static int
prune(const struct backup_opts *o, size_t *removed, struct buf *err)
{
	struct backup_list l = { NULL, 0 };
	size_t i;
	int ret;

	ret = backup_list(o->url, o->dir, &l, err);
	for (i = 0; ret == 0 && i + (size_t)o->keep < l.n; i++) {
		if (unlink(l.v[i].path) < 0)
			ret = buf_seterr(err, RUNNER_EFAIL, "the backup was "
			    "written, but old backup '%s' could not be removed: "
			    "%s", l.v[i].path, strerror(errno));
		else
			++*removed;
	}
	backup_list_release(&l);
	return ret;
}

int
backup_create(const struct backup_opts *o, struct backup_result *res,
    struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	char *dir = NULL, *snap = NULL, *tmp = NULL, *label = NULL;
	unsigned flags;
	int sfd = -1, ofd = -1, ret;
	double t0 = clock_ms();

	memset(res, 0, sizeof(*res));
	ret = store_driver(o->url, &ops, &target, &flags, err);
	if (ret == 0)
		label = db_label(target.buf);
	buf_release(&target);
	if (ret < 0)
		return ret;
	dir = o->output ? dir_of(o->output) : xstrdup(o->dir);
	ret = o->output ? check_output(o->output, o->force, err) : 0;
	if (ret < 0 || (ret = sfd = snapshot(o, dir, &snap, err)) < 0)
		goto out;
	if ((ret = ofd = temp_file(dir, "backup", &tmp, err)) < 0)
		goto out;
	ret = compress(sfd, ofd, o, res, o->output ? o->output : dir, err);
	if (ret == 0 && close(ofd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write backup: %s",
		    strerror(errno));
	ofd = -1;
	if (ret < 0)
		goto out;
	if (o->output) {
		ret = publish(tmp, o->output, o->force, err);
		if (ret == 1)
			ret = check_output(o->output, 0, err);
		res->path = xstrdup(o->output);
	} else {
		ret = publish_default(tmp, dir, label, ops->backup_suffix,
		    &res->path, err);
	}
	if (ret == 0)
		ret = fsync_dir(dir, err);
	if (ret == 0 && o->keep > 0 && !o->output)
		ret = prune(o, &res->removed, err);
	res->ms = clock_ms() - t0;
out:
	if (sfd >= 0)
		close(sfd);
	if (ofd >= 0)
		close(ofd);
	if (snap)
		unlink(snap);
	if (tmp && ret < 0)
		unlink(tmp);
	free(snap);
	free(tmp);
	free(dir);
	free(label);
	return ret;
}

void
backup_result_release(struct backup_result *res)
{
	free(res->path);
	memset(res, 0, sizeof(*res));
}

/*
 * Whether name is LABEL-YYYYmmddTHHMMSSZ[-N]SUFFIX; the time as text and
 * N (1 when absent) for ordering.
 */
static int
parse_name(const char *name, const char *label, const char *suffix,
    char *time, long *n)
{
	size_t len = strlen(label), i;
	const char *p = name + len + 1, *q;
	static const char shape[] = "ddddddddTddddddZ";

	if (strncmp(name, label, len) != 0 || name[len] != '-')
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? p[i] < '0' || p[i] > '9' : p[i] != shape[i])
			return 0;
	q = p + 16;
	*n = 1;
	if (*q == '-') {
		*n = strtol(q + 1, (char **)&q, 10);
		if (*n < 2)
			return 0;
	}
	if (strcmp(q, suffix) != 0)
		return 0;
	snprintf(time, 24, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s UTC", p, p + 4,
	    p + 6, p + 9, p + 11, p + 13);
	return 1;
}

struct found {
	struct backup_entry e;
	struct timespec mtime;
	long n;
};

/* By the time in the name, then (same second) by when it was written. */
static int
found_cmp(const void *pa, const void *pb)
{
	const struct found *a = pa, *b = pb;
	int c = strcmp(a->e.time, b->e.time);

	if (c == 0)
		c = (a->mtime.tv_sec > b->mtime.tv_sec) -
		    (a->mtime.tv_sec < b->mtime.tv_sec);
	if (c == 0)
		c = (a->mtime.tv_nsec > b->mtime.tv_nsec) -
		    (a->mtime.tv_nsec < b->mtime.tv_nsec);
	return c ? c : (a->n > b->n) - (a->n < b->n);
}

static void
add_found(struct found **v, size_t *n, const char *dir, const char *name,
    const char *time, long seq)
{
	struct found *f;
	struct buf p = BUF_INIT;
	struct stat st;

	buf_addf(&p, "%s/%s", dir, name);
	if (stat(p.buf, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_release(&p);
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	f = &(*v)[(*n)++];
	f->e.path = buf_detach(&p, NULL);
	memcpy(f->e.time, time, sizeof(f->e.time));
	f->e.size = (uint64_t)st.st_size;
	f->mtime = st.st_mtim;
	f->n = seq;
}

int
backup_list(const char *url, const char *dir, struct backup_list *out,
    struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	struct found *v = NULL;
	struct dirent *d;
	char time[24], *label;
	size_t n = 0, i;
	unsigned flags;
	long seq;
	DIR *dp;
	int ret;

	out->v = NULL;
	out->n = 0;
	ret = store_driver(url, &ops, &target, &flags, err);
	label = ret == 0 ? db_label(target.buf) : NULL;
	buf_release(&target);
	if (ret < 0)
		return ret;
	if (!(dp = opendir(dir))) {
		free(label);
		return errno == ENOENT ? 0 : buf_seterr(err, RUNNER_EFAIL,
		    "cannot read backup folder '%s': %s", dir, strerror(errno));
	}
	while ((d = readdir(dp)))
		if (parse_name(d->d_name, label, ops->backup_suffix, time,
		    &seq))
			add_found(&v, &n, dir, d->d_name, time, seq);
	closedir(dp);
	free(label);
	if (n)
		qsort(v, n, sizeof(*v), found_cmp);
	out->v = n ? xreallocarray(NULL, n, sizeof(*out->v)) : NULL;
	for (i = 0; i < n; i++)
		out->v[i] = v[i].e;
	out->n = n;
	free(v);
	return 0;
}

void
backup_list_release(struct backup_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * The folder the decompressed image goes to: next to a database file, to
 * be renamed over it; else $TMPDIR.
 */
static char *
stage_dir(const struct restore *r)
{
	const char *tmp = getenv("TMPDIR");

	if (r->ops->target_is_file)
		return dir_of(r->target);
	return xstrdup(tmp && *tmp ? tmp : "/tmp");
}

/* Decompresses file into a new private file in stage_dir. */
static int
unpack(const char *file, struct restore *r, struct buf *err)
{
	struct stat st;
	char *dir = stage_dir(r);
	int in, out = -1, ret = RUNNER_EFAIL;

	if ((in = open(file, O_RDONLY)) < 0 || fstat(in, &st) < 0) {
		buf_seterr(err, RUNNER_EFAIL, "cannot open backup '%s': %s",
		    file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_seterr(err, RUNNER_EFAIL, "backup '%s' is not a file", file);
		goto out;
	}
	if ((out = temp_file(dir, "restore", &r->image, err)) < 0)
		goto out;
	ret = gz_decompress(in, out, file, &r->size, err);
	/* Synced only when it is to be renamed over the database. */
	if (ret == 0 && ((r->ops->target_is_file && fsync(out) < 0) ||
	    close(out) < 0))
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
		    r->image, strerror(errno));
	else if (ret < 0)
		close(out);
	out = -1;
out:
	if (in >= 0)
		close(in);
	free(dir);
	return ret;
}

/* A server's database must exist: say so before decompressing anything. */
static int
can_connect(const struct restore *r, struct buf *err)
{
	struct store *s;
	int ret;

	ret = r->ops->open(r->target, STORE_NOCREATE, r->lock_timeout, &s,
	    err);
	if (ret == 0)
		store_close(s);
	return ret;
}

int
restore_prepare(const char *url, const char *file, int lock_timeout,
    struct restore *r, struct buf *err)
{
	struct buf target = BUF_INIT;
	struct stat st;
	unsigned flags;
	int ret;

	memset(r, 0, sizeof(*r));
	r->lock_timeout = lock_timeout;
	ret = store_driver(url, &r->ops, &target, &flags, err);
	if (ret < 0) {
		buf_release(&target);
		return ret;
	}
	if (!r->ops->check_image) {
		buf_release(&target);
		return buf_seterr(err, RUNNER_EFAIL, "the %s driver cannot "
		    "restore backups yet", r->ops->name);
	}
	r->target = buf_detach(&target, NULL);
	r->exists = !r->ops->target_is_file || stat(r->target, &st) == 0;
	if (!r->ops->target_is_file && (ret = can_connect(r, err)) < 0)
		return ret;
	ret = unpack(file, r, err);
	if (ret == 0)
		ret = r->ops->check_image(r->image, file, err);
	return ret;
}

int
restore_commit(struct restore *r, struct buf *err)
{
	char *dir = NULL;
	int ret;

	ret = r->ops->replace(r->target, r->lock_timeout, r->image, err);
	if (ret == 0 && r->ops->target_is_file) {
		free(r->image);		/* renamed into place */
		r->image = NULL;
		dir = dir_of(r->target);
		ret = fsync_dir(dir, err);
	}
	free(dir);
	return ret;
}

void
restore_release(struct restore *r)
{
	if (r->image)
		unlink(r->image);
	free(r->image);
	free(r->target);
	memset(r, 0, sizeof(*r));
}
