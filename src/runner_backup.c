/*
 * runner_backup.c: backups as gzip files and their restore. A backup is the
 * driver's snapshot, compressed by file_gz.c into a private temporary file in
 * the destination folder, then linked or renamed into place: a reader of
 * the final path only ever sees a complete, fsynced file. Each carries the
 * identity of its database in its gzip header, and retention only ever
 * touches backups of that identity.
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

#include "runner_backup.h"
#include "error.h"
#include "file.h"
#include "clock.h"
#include "store.h"
#include "banned.h"

/* The gzip header subfield holding the database's identity ("runner"). */
#define ID_FIELD	"RN"

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

/* The identity url's database is known by in its backups, into id. */
static int
db_identity(const struct store_ops *ops, const char *target, struct buf *id,
    struct buf *err)
{
	return driver_identity(ops, target, id, err);
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

	if (!force && link(tmp, path) == 0) {
		if (unlink(tmp) < 0)
			return buf_seterr(err, RUNNER_EAFTER, "backup '%s' was "
			    "written, but its temporary name '%s' could not "
			    "be removed: %s", path, tmp, strerror(errno));
		return 0;
	}
	if (!force && errno == EEXIST)
		return 1;
	if (!force && errno != EPERM && errno != EOPNOTSUPP &&
	    errno != ENOSYS)
		return buf_seterr(err, RUNNER_EFAIL, "cannot link backup '%s': "
		    "%s", path, strerror(errno));
	/* A filesystem without hard links: check, then rename. */
	if (!force && lstat(path, &st) == 0)
		return 1;
	if (rename(tmp, path) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot rename backup to "
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
	if (ret == 0 || ret == RUNNER_EAFTER)
		*path = buf_detach(&p, NULL);
	buf_release(&p);
	return ret;
}

/* Compresses the snapshot in sfd into ofd and makes it durable. */
static int
compress(int sfd, int ofd, const struct backup_opts *o, const char *tmp,
    const struct buf *id, struct backup_result *res, struct buf *err)
{
	struct gz_opts g;
	struct stat st;
	int ret;

	memset(&g, 0, sizeof(g));
	g.level = o->level;
	g.progress = o->progress;
	g.arg = o->arg;
	g.stop = o->stop;
	g.field_id = ID_FIELD;
	g.field = id->buf;
	g.field_len = id->len;
	g.in_name = "the snapshot";
	g.out_name = tmp;
	if (fstat(sfd, &st) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read the snapshot: "
		    "%s", strerror(errno));
	res->db_size = (uint64_t)st.st_size;
	ret = gz_compress(sfd, ofd, &g, &res->gz_size, err);
	if (ret == 0 && fsync(ofd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot sync '%s': %s", tmp,
		    strerror(errno));
	return ret;
}

/*
 * The snapshot, in a temporary file in dir that is gone by the time this
 * returns its descriptor: a run killed while compressing leaves no copy.
 */
static int
snapshot(struct store *db, const char *dir, struct buf *err)
{
	char *snap = NULL;
	int fd, ret;

	if ((fd = ret = temp_create(dir, "snapshot", &snap, err)) < 0)
		return ret;
	ret = store_snapshot(db, snap, err);
	if (unlink(snap) < 0 && ret >= 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot remove '%s': %s",
		    snap, strerror(errno));
	free(snap);
	if (ret < 0)
		close(fd);
	return ret < 0 ? ret : fd;
}

/*
 * Whether the file at path carries identity id: 1 yes, 0 none, 2 another
 * one; RUNNER_EFAIL, saying why in err, when it cannot be read.
 */
static int
carries(const char *path, const struct buf *id, struct buf *err)
{
	struct buf got = BUF_INIT, why = BUF_INIT;
	int fd, ret;

	fd = ret = file_open_regular(path, O_RDONLY, "backup", &why);
	if (fd >= 0)
		ret = gz_read_field(fd, path, ID_FIELD, &got, &why);
	if (ret == 1)
		ret = got.len == id->len && memcmp(got.buf, id->buf,
		    id->len) == 0 ? 1 : 2;
	/* Not gzip at all: a backup of nothing, with no identity. */
	else if (ret < 0 && fd >= 0 && strstr(why.buf, "not a gzip file"))
		ret = 0;
	else if (ret < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "%s", why.buf);
	if (fd >= 0)
		close(fd);
	buf_release(&got);
	buf_release(&why);
	return ret;
}

/*
 * Reads the written file back: complete gzip, the snapshot's size, our
 * identity. Retention deletes nothing unless this holds.
 */
static int
check_written(const char *tmp, const struct buf *id,
    const struct backup_result *res, struct buf *err)
{
	uint64_t size = 0;
	int fd, ret;

	fd = file_open_regular(tmp, O_RDONLY, "backup", err);
	if (fd < 0)
		return fd;
	ret = gz_decompress(fd, -1, tmp, &size, err);
	close(fd);
	if (ret == 0 && (ret = carries(tmp, id, err)) >= 0 &&
	    (size != res->db_size || ret != 1))
		ret = buf_seterr(err, RUNNER_EFAIL, "backup '%s' does not read "
		    "back as written", tmp);
	ret = ret < 0 ? ret : 0;
	if (ret < 0)
		buf_adds(err, "\nno older backup was removed");
	return ret;
}

/*
 * Removes all but the newest keep backups that carry our identity, and
 * only ones older than the one just written (path).
 */
static int
prune(const struct backup_opts *o, const char *path, size_t *removed,
    struct buf *err)
{
	struct backup_list l;
	size_t i, n = 0, at, *mine;
	int ret;

	ret = backup_list(o->url, o->dir, &l, err);
	if (ret == 0 && l.problems.len)
		ret = buf_seterr(err, RUNNER_EAFTER, "the backup was written, "
		    "but no older backup was removed: %.*s", (int)(strcspn(
		    l.problems.buf, "\n")), l.problems.buf);
	mine = xcalloc(l.n + 1, sizeof(*mine));
	for (i = 0; ret == 0 && i < l.n; i++)
		if (l.v[i].ours)
			mine[n++] = i;
	for (at = 0; at < n && strcmp(l.v[mine[at]].path, path) != 0; at++)
		;
	if (ret == 0 && at == n)
		ret = buf_seterr(err, RUNNER_EAFTER, "the backup was written, "
		    "but it is not among those 'runner backups' finds, so no "
		    "older backup was removed");
	for (i = 0; ret == 0 && i < at && i + (size_t)o->keep < n; i++) {
		if (unlink(l.v[mine[i]].path) < 0 && errno != ENOENT)
			ret = buf_seterr(err, RUNNER_EAFTER, "the backup was "
			    "written, but old backup '%s' could not be "
			    "removed: %s", l.v[mine[i]].path, strerror(errno));
		else
			++*removed;
	}
	free(mine);
	backup_list_release(&l);
	return ret;
}

/* Where the backup goes: the folder checked and made, stale files swept. */
static int
prepare_dir(const struct backup_opts *o, const char *dir,
    struct backup_result *res, struct buf *err)
{
	int ret;

	if (o->output)
		ret = check_output(o->output, o->force, err);
	else if ((ret = dir_check_private(dir, "backup folder", o->force,
	    err)) == 0)
		ret = file_mkdirs(dir, 0700, "backup folder", err);
	if (ret == 0)
		temp_sweep(dir, &res->notes);
	return ret;
}

/* Compresses, checks (with keep), and names the backup. */
static int
write_backup(const struct backup_opts *o, const char *dir, int sfd,
    const struct buf *id, const char *label, const char *suffix,
    struct backup_result *res, struct buf *err)
{
	char *tmp = NULL;
	int ofd, ret;

	if ((ret = ofd = temp_create(dir, "backup", &tmp, err)) < 0)
		return ret;
	ret = compress(sfd, ofd, o, tmp, id, res, err);
	if (close(ofd) < 0 && ret == 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
		    tmp, strerror(errno));
	if (ret == 0 && o->keep > 0)
		ret = check_written(tmp, id, res, err);
	if (ret == 0 && o->output) {
		ret = publish(tmp, o->output, o->force, err);
		if (ret == 1)
			ret = check_output(o->output, 0, err);
		if (ret == 0 || ret == RUNNER_EAFTER)
			res->path = xstrdup(o->output);
	} else if (ret == 0) {
		ret = publish_default(tmp, dir, label, suffix, &res->path, err);
	}
	if (res->path == NULL)
		unlink(tmp);
	free(tmp);
	return ret;
}

int
backup_create(const struct backup_opts *o, struct backup_result *res,
    struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT, id = BUF_INIT;
	struct store *db = NULL;
	char *dir = NULL, *label = NULL;
	unsigned flags;
	int sfd = -1, ret;
	double t0 = clock_ms();

	memset(res, 0, sizeof(*res));
	buf_init(&res->notes);
	if ((ret = store_driver(o->url, &ops, &target, &flags, err)) < 0) {
		buf_release(&target);
		return ret;
	}
	label = db_label(target.buf);
	dir = o->output ? dir_of(o->output) : xstrdup(o->dir);
	if ((ret = db_identity(ops, target.buf, &id, err)) < 0 ||
	    (ret = store_open(o->url, STORE_NOCREATE, o->lock_timeout, &db,
	    err)) < 0 || (ret = prepare_dir(o, dir, res, err)) < 0)
		goto out;
	ret = sfd = snapshot(db, dir, err);
	store_close(db);
	db = NULL;
	if (ret < 0)
		goto out;
	ret = write_backup(o, dir, sfd, &id, label, driver_backup_suffix(ops), res,
	    err);
	if (ret == 0 && (ret = fsync_dir(dir, err)) < 0)
		ret = RUNNER_EAFTER;
	if (ret == 0 && o->keep > 0 && !o->output)
		ret = prune(o, res->path, &res->removed, err);
	res->ms = clock_ms() - t0;
out:
	store_close(db);
	if (sfd >= 0)
		close(sfd);
	buf_release(&id);
	buf_release(&target);
	free(dir);
	free(label);
	return ret;
}

void
backup_result_release(struct backup_result *res)
{
	free(res->path);
	buf_release(&res->notes);
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

/* Adds dir/name unless it carries another database's identity. */
static void
add_found(struct found **v, size_t *n, struct backup_list *l, const char *dir,
    const char *name, const char *time, long seq, const struct buf *id)
{
	struct found *f;
	struct buf p = BUF_INIT, why = BUF_INIT;
	struct stat st;
	int mark;

	buf_addf(&p, "%s/%s", dir, name);
	if (lstat(p.buf, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_release(&p);
		return;
	}
	if ((mark = carries(p.buf, id, &why)) == 2) {
		l->others++;
		buf_release(&p);
		return;
	}
	if (mark < 0) {
		buf_addf(&l->problems, "%s\n", why.buf);
		buf_release(&why);
		mark = 0;
	}
	l->unmarked += mark == 0;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	f = &(*v)[(*n)++];
	f->e.path = buf_detach(&p, NULL);
	memcpy(f->e.time, time, sizeof(f->e.time));
	f->e.size = (uint64_t)st.st_size;
	f->e.ours = mark;
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
	struct buf id = BUF_INIT;
	struct dirent *d;
	char time[24], *label;
	size_t n = 0, i;
	unsigned flags;
	long seq;
	DIR *dp;
	int ret;

	memset(out, 0, sizeof(*out));
	buf_init(&out->problems);
	if ((ret = store_driver(url, &ops, &target, &flags, err)) < 0 ||
	    (ret = db_identity(ops, target.buf, &id, err)) < 0)
		goto out;
	if (!(dp = opendir(dir))) {
		ret = errno == ENOENT ? 0 : buf_seterr(err, RUNNER_EFAIL,
		    "cannot read backup folder '%s': %s", dir, strerror(errno));
		goto out;
	}
	label = db_label(target.buf);
	while ((d = readdir(dp)))
		if (parse_name(d->d_name, label, driver_backup_suffix(ops), time,
		    &seq))
			add_found(&v, &n, out, dir, d->d_name, time, seq, &id);
	closedir(dp);
	free(label);
	if (n)
		qsort(v, n, sizeof(*v), found_cmp);
	out->v = n ? xreallocarray(NULL, n, sizeof(*out->v)) : NULL;
	for (i = 0; i < n; i++)
		out->v[i] = v[i].e;
	out->n = n;
	free(v);
out:
	buf_release(&id);
	buf_release(&target);
	return ret;
}

void
backup_list_release(struct backup_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	buf_release(&l->problems);
	memset(l, 0, sizeof(*l));
	buf_init(&l->problems);
}

/*
 * The folder the decompressed image goes to: next to a database file, to
 * be renamed over it; else $TMPDIR.
 */
static char *
stage_dir(const struct store_ops *ops, const char *target)
{
	const char *tmp = getenv("TMPDIR");

	if (driver_target_is_file(ops))
		return dir_of(target);
	return xstrdup(tmp && *tmp ? tmp : "/tmp");
}

void
backup_sweep(const char *url, const char *dir, struct buf *report)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT, ignore = BUF_INIT;
	unsigned flags;
	char *stage;

	temp_sweep(dir, report);
	if (store_driver(url, &ops, &target, &flags, &ignore) == 0) {
		stage = stage_dir(ops, target.buf);
		if (strcmp(stage, dir) != 0)
			temp_sweep(stage, report);
		free(stage);
	}
	buf_release(&target);
	buf_release(&ignore);
}

/* Decompresses file into a new private file in stage_dir. */
static int
unpack(const char *file, struct restore *r, struct buf *err)
{
	char *dir = stage_dir(r->ops, r->target);
	int in, out = -1, ret = RUNNER_EFAIL;

	temp_sweep(dir, &r->notes);
	if ((ret = in = file_open_regular(file, O_RDONLY, "backup", err)) < 0)
		goto out;
	if ((ret = out = temp_create(dir, "restore", &r->image, err)) < 0)
		goto out;
	ret = gz_decompress(in, out, file, &r->size, err);
	/* Synced only when it is to be renamed over the database. */
	if (ret == 0 && driver_target_is_file(r->ops) && fsync(out) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot sync '%s': %s",
		    r->image, strerror(errno));
	if (close(out) < 0 && ret == 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
		    r->image, strerror(errno));
out:
	if (in >= 0)
		close(in);
	free(dir);
	return ret < 0 ? ret : 0;
}

/* A server's database must exist: say so before decompressing anything. */
static int
can_connect(const struct restore *r, struct buf *err)
{
	struct store *s;
	int ret;

	ret = driver_open(r->ops, r->target, STORE_NOCREATE, r->lock_timeout, &s,
	    err);
	if (ret == 0)
		store_close(s);
	return ret;
}

/*
 * A database file named through a symbolic link is restored at the link's
 * target, the link kept: what the application opens.
 */
static int
resolve_target(struct restore *r, const char *target, struct buf *err)
{
	struct stat st;

	if (!driver_target_is_file(r->ops) || lstat(target, &st) < 0 ||
	    !S_ISLNK(st.st_mode)) {
		r->target = xstrdup(target);
		return 0;
	}
	if ((r->target = realpath(target, NULL)) == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "database '%s' is a "
		    "symbolic link that leads nowhere: %s", target,
		    strerror(errno));
	return 0;
}

/* What the backup says it is of, and whether that is another database. */
static void
read_origin(struct restore *r, const char *file)
{
	struct buf got = BUF_INIT, id = BUF_INIT, ignore = BUF_INIT;
	int fd;

	fd = file_open_regular(file, O_RDONLY, "backup", &ignore);
	if (fd >= 0 && gz_read_field(fd, file, ID_FIELD, &got, &ignore) == 1 &&
	    db_identity(r->ops, r->target, &id, &ignore) == 0) {
		r->foreign = strcmp(got.buf, id.buf) != 0;
		r->origin = buf_detach(&got, NULL);
	}
	if (fd >= 0)
		close(fd);
	buf_release(&got);
	buf_release(&id);
	buf_release(&ignore);
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
	buf_init(&r->notes);
	r->lock_timeout = lock_timeout;
	ret = store_driver(url, &r->ops, &target, &flags, err);
	if (ret < 0) {
		buf_release(&target);
		return ret;
	}
	ret = resolve_target(r, target.buf, err);
	buf_release(&target);
	if (ret < 0)
		return ret;
	r->exists = !driver_target_is_file(r->ops) || stat(r->target, &st) == 0;
	if (!driver_target_is_file(r->ops) && (ret = can_connect(r, err)) < 0)
		return ret;
	ret = unpack(file, r, err);
	if (ret == 0)
		ret = driver_check_image(r->ops, r->image, file, err);
	if (ret == 0)
		read_origin(r, file);
	return ret;
}

int
restore_open(struct restore *r, struct buf *err)
{
	struct stat st;
	int ret;

	if (driver_target_is_file(r->ops) && stat(r->target, &st) < 0 &&
	    errno == ENOENT)
		return 0;
	ret = driver_open(r->ops, r->target, STORE_NOCREATE, r->lock_timeout, &r->db,
	    err);
	/* Removed meanwhile: a database to create, as if it never was. */
	if (ret == RUNNER_ENOENT && driver_target_is_file(r->ops)) {
		buf_reset(err);
		ret = 0;
	}
	return ret;
}

int
restore_lock(struct restore *r, struct buf *err)
{
	if (r->db == NULL)
		return 0;
	return store_lock_run(r->db, err);
}

int
restore_commit(struct restore *r, struct buf *err)
{
	int ret;

	ret = store_replace(r->ops, r->db, r->target, r->image, &r->notes, err);
	if ((ret == 0 || ret == RUNNER_EAFTER) && driver_target_is_file(r->ops)) {
		free(r->image);		/* renamed into place */
		r->image = NULL;
	}
	return ret;
}

void
restore_release(struct restore *r)
{
	if (r->image)
		unlink(r->image);
	store_close(r->db);
	free(r->image);
	free(r->target);
	free(r->origin);
	buf_release(&r->notes);
	memset(r, 0, sizeof(*r));
}
