/*
 * store_sqlite_backup.c: snapshots of an SQLite database and their
 * restore. A snapshot is the online backup API's copy (WAL mode) or the
 * file copied under SQLite's shared lock; a restore renames the checked
 * image over the database under the run lock and SQLite's write lock,
 * once every commit of the old file lives in its main file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "file.h"
#include "store_sqlite.h"
#include "banned.h"

/*
 * Why the online backup failed: a file operation the VFS noted since
 * "before" failures, else reading the database or writing the copy.
 */
static int
copy_error(struct sqlite_store *s, sqlite3 *dst, const char *path,
    unsigned long before, struct buf *err)
{
	const char *file, *op;
	int e;

	if (sqlite_vfs_failures() != before &&
	    (file = sqlite_vfs_last(&e, &op)) != NULL)
		return buf_seterr(err, RUNNER_EFAIL, "cannot copy database "
		    "'%s': cannot %s '%s': %s", s->base.display, op, file,
		    strerror(e));
	if (dst && (e = sqlite3_system_errno(dst)))
		return buf_seterr(err, RUNNER_EFAIL, "cannot %s the copy of "
		    "database '%s' at '%s': %s", sqlite_io_verb(
		    sqlite3_extended_errcode(dst)), s->base.display, path,
		    strerror(e));
	if ((e = sqlite3_system_errno(s->db)))
		return buf_seterr(err, RUNNER_EFAIL, "cannot %s database "
		    "'%s': %s", sqlite_io_verb(sqlite3_extended_errcode(s->db)),
		    s->base.display, strerror(e));
	return buf_seterr(err, RUNNER_EFAIL, "cannot copy database '%s': %s",
	    s->base.display, dst ? sqlite3_errmsg(dst) : "out of memory");
}

/*
 * WAL mode: the online backup API in one step. Writers carry on, since
 * they append to the WAL; the copy goes to a file with no journal, and if
 * it is interrupted it is thrown away.
 */
static int
snapshot_wal(struct sqlite_store *s, const char *path, struct buf *err)
{
	struct timespec since, ts = { 0, 10 * 1000000L };
	sqlite3_backup *b = NULL;
	sqlite3 *dst = NULL;
	unsigned long before = sqlite_vfs_failures();
	int rc, ret = RUNNER_EFAIL;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK ||
	    !(b = sqlite3_backup_init(dst, "main", s->db, "main"))) {
		copy_error(s, dst, path, before, err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &since);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (s->stop || sqlite_elapsed_s(&since) >= s->lock_timeout)
			break;
		nanosleep(&ts, NULL);
	}
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		buf_seterr(err, s->stop ? RUNNER_EINTR : RUNNER_EBUSY, "cannot "
		    "copy database '%s': %s", s->base.display, s->stop ?
		    "interrupted" : "it stayed locked by another process "
		    "(see --lock-timeout)");
	else
		copy_error(s, dst, path, before, err);
out:
	if (b && sqlite3_backup_finish(b) != SQLITE_OK && ret == 0)
		ret = copy_error(s, dst, path, before, err);
	sqlite3_close(dst);
	return ret;
}

/*
 * Copies in to out to the end, in the kernel where it can; on failure
 * *what says which side failed.
 */
static int
copy_fd(int in, int out, const char **what)
{
	char buf[65536];
	ssize_t n;
	off_t off = 0;

	*what = "write";
	while ((n = sendfile(out, in, &off, 1 << 30)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	while ((n = pread(in, buf, sizeof(buf), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return *what = "read", -1;
		if (file_write_all(out, buf, (size_t)n) < 0)
			return -1;
		off += n;
	}
	return 0;
}

/*
 * Rollback-journal modes: the file itself, copied while a read
 * transaction holds SHARED, under which no one can change it. Writers
 * wait only for the copy, which the kernel does at disk speed.
 */
static int
snapshot_file(struct sqlite_store *s, const char *path, struct buf *err)
{
	const char *file = sqlite3_db_filename(s->db, "main"), *what;
	int in = -1, out = -1, ret;

	ret = sqlite_run(s, "BEGIN; SELECT count(*) FROM sqlite_schema", err);
	if (ret < 0)
		return ret;
	if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot open database "
		    "'%s': %s", s->base.display, strerror(errno));
	else if ((out = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot open '%s': %s",
		    path, strerror(errno));
	else if (copy_fd(in, out, &what) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot %s the copy of "
		    "database '%s' at '%s': %s", what, s->base.display, path,
		    strerror(errno));
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
		    path, strerror(errno));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	/* Only now: closing a descriptor drops the process's POSIX locks. */
	if (in >= 0)
		close(in);
	return ret;
}

/*
 * The journal mode ("delete", "wal"...) into mode. Failing to read it is
 * an error: taken for a rollback journal, a copy of the main file alone
 * would miss the commits in a WAL.
 */
static int
journal_mode(struct sqlite_store *s, char *mode, size_t len, struct buf *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *m = NULL;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		m = sqlite3_column_text(st, 0);
	if (m)
		snprintf(mode, len, "%s", (const char *)m);
	sqlite3_finalize(st);
	return m ? 0 : sqlite_error(s, err, "cannot read the journal mode");
}

/* Whether the main file's header says WAL (bytes 18 and 19 are 2). */
static int
header_says_wal(struct sqlite_store *s)
{
	unsigned char h[20];
	int fd = open(sqlite3_db_filename(s->db, "main"), O_RDONLY | O_CLOEXEC);
	int wal = fd >= 0 && pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    (h[18] == 2 || h[19] == 2);

	/* Before any lock of SQLite's, which closing a descriptor drops. */
	if (fd >= 0)
		close(fd);
	return wal;
}

int
sqlite_snapshot(struct store *base, const char *path, struct buf *err)
{
	struct sqlite_store *s = sqlite_downcast(base);
	char mode[16];

	sqlite_vfs_install();
	if (journal_mode(s, mode, sizeof(mode), err) < 0)
		return RUNNER_EFAIL;
	if (sqlite3_stricmp(mode, "wal") == 0 || header_says_wal(s))
		return snapshot_wal(s, path, err);
	return snapshot_file(s, path, err);
}

/* "file:" URI for path, so that it can be opened immutable. */
static char *
file_uri(const char *path)
{
	struct buf u = BUF_INIT;
	const unsigned char *p;

	buf_adds(&u, "file:");
	for (p = (const unsigned char *)path; *p; p++)
		if (strchr("?#%", *p) || *p < 0x20 || *p >= 0x7f)
			buf_addf(&u, "%%%02X", *p);
		else
			buf_addch(&u, *p);
	buf_adds(&u, "?immutable=1");
	return buf_detach(&u, NULL);
}

/*
 * Whether reading the image failed since the VFS had noted "before"
 * failures: then that, not damage, is what to report.
 */
static int
image_io_error(unsigned long before, const char *path, struct buf *err)
{
	const char *op;
	int e;

	if (sqlite_vfs_failures() == before || sqlite_vfs_last(&e, &op) ==
	    NULL)
		return 0;
	return buf_seterr(err, RUNNER_EFAIL, "cannot %s '%s': %s", op, path,
	    strerror(e));
}

/* Collects PRAGMA integrity_check's first few complaints. */
static int
integrity_check(sqlite3 *db, const char *path, const char *name,
    struct buf *err)
{
	sqlite3_stmt *st = NULL;
	struct buf why = BUF_INIT;
	unsigned long before = sqlite_vfs_failures();
	const char *msg;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(5)", -1, &st,
	    NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0)
			buf_addf(&why, "%s%s", n++ ? "; " : "", msg);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		buf_addf(&why, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	rc = image_io_error(before, path, err);
	if (rc == 0 && why.len)
		rc = buf_seterr(err, RUNNER_EFAIL, "'%s' holds a damaged "
		    "database: %s", name, why.buf);
	buf_release(&why);
	return rc;
}

int
sqlite_check_image(const char *path, const char *name, struct buf *err)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	char *uri = NULL;
	sqlite3 *db = NULL;
	unsigned long before;
	FILE *f;
	int ret = RUNNER_EFAIL;

	sqlite_vfs_install();
	before = sqlite_vfs_failures();
	f = fopen(path, "rb");
	if (!f) {
		buf_seterr(err, RUNNER_EFAIL, "cannot open '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (fread(head, 1, sizeof(head), f) != sizeof(head) || ferror(f) ||
	    memcmp(head, magic, sizeof(magic)) != 0) {
		if (ferror(f))
			buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
			    path, strerror(errno));
		buf_seterr(err, RUNNER_EFAIL, "'%s' does not hold an SQLite "
		    "database", name);
		goto out;
	}
	uri = file_uri(path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK) {
		if (image_io_error(before, path, err) == 0)
			buf_seterr(err, RUNNER_EFAIL, "cannot open the database "
			    "in '%s': %s", name, db ? sqlite3_errmsg(db) :
			    "no memory");
		goto out;
	}
	ret = integrity_check(db, path, name, err);
out:
	sqlite3_close(db);
	free(uri);
	if (f)
		fclose(f);
	return ret;
}

/*
 * Removes path's -journal, -wal and -shm: a hot journal or a WAL would be
 * replayed into the new file, and a -shm shared with it. By now they hold
 * no commit (see quiesce).
 */
static int
remove_sidecars(const char *path, struct buf *err)
{
	static const char *const suffix[] = { "-journal", "-wal", "-shm" };
	struct buf p = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < 3 && ret == 0; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", path, suffix[i]);
		if (unlink(p.buf) < 0 && errno != ENOENT)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot remove "
			    "'%s': %s (nothing was changed)", p.buf,
			    strerror(errno));
	}
	buf_release(&p);
	return ret;
}

/* The size of path's WAL: 0 when it is empty or absent, -1 on error. */
static long long
wal_size(const char *path)
{
	struct buf p = BUF_INIT;
	struct stat st;
	long long n = 0;

	buf_addf(&p, "%s-wal", path);
	if (stat(p.buf, &st) == 0)
		n = (long long)st.st_size;
	else if (errno != ENOENT)
		n = -1;
	buf_release(&p);
	return n;
}

/* A checkpoint that could not finish: who kept it from finishing. */
static int
checkpoint_error(struct sqlite_store *s, int rc, struct buf *err)
{
	if (rc == SQLITE_BUSY || rc == SQLITE_OK)
		return buf_seterr(err, s->stop ? RUNNER_EINTR : RUNNER_EBUSY,
		    "cannot restore database '%s': %s (nothing was changed)",
		    s->base.display, s->stop ? "interrupted" : "another "
		    "process kept reading or writing it (waited up to the "
		    "--lock-timeout); stop the application first");
	return sqlite_error(s, err, "cannot checkpoint the WAL");
}

/*
 * WAL mode: checkpoints the WAL into the main file and truncates it, then
 * takes the write lock; should a commit have slipped in between, again.
 */
static int
quiesce_wal(struct sqlite_store *s, const char *path, struct buf *err)
{
	struct timespec since, ts = { 0, 5000000L };
	int rc, nlog, nckpt;

	clock_gettime(CLOCK_MONOTONIC, &since);
	for (;;) {
		rc = sqlite3_wal_checkpoint_v2(s->db, "main",
		    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
		if (rc != SQLITE_OK || nlog != nckpt)
			return checkpoint_error(s, rc, err);
		if (sqlite_run(s, "BEGIN IMMEDIATE", err) < 0)
			return RUNNER_EFAIL;
		if (wal_size(path) == 0)
			return 0;
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (s->stop || sqlite_elapsed_s(&since) >= s->lock_timeout)
			return checkpoint_error(s, SQLITE_BUSY, err);
		nanosleep(&ts, NULL);
	}
}

/*
 * Makes every commit of the old database live in its main file, and keeps
 * anyone from changing it until the switch, so that removing its journal
 * or WAL loses nothing whichever step fails next. Rollback-journal modes:
 * BEGIN EXCLUSIVE, which rolls back a hot journal, waits for writers and
 * for readers (a backup's copy). 1 when the old file is not a database:
 * nothing in it can be kept.
 */
static int
quiesce(struct sqlite_store *s, const char *path, struct buf *err)
{
	char mode[16];
	int ret, rc;

	if ((ret = journal_mode(s, mode, sizeof(mode), err)) == 0)
		ret = sqlite3_stricmp(mode, "wal") == 0 || header_says_wal(s) ?
		    quiesce_wal(s, path, err) :
		    sqlite_run(s, "BEGIN EXCLUSIVE", err);
	rc = sqlite3_errcode(s->db);
	if (ret < 0 && (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)) {
		buf_reset(err);
		return 1;
	}
	return ret;
}

/* chmod, then fsync, so that a crash cannot leave the file with 0600. */
static int
set_mode(const char *image, mode_t mode, struct buf *err)
{
	int fd, ret = 0;

	if (chmod(image, mode) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot set the mode of "
		    "'%s': %s (nothing was changed)", image, strerror(errno));
	if ((fd = open(image, O_RDONLY | O_CLOEXEC)) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open '%s': %s "
		    "(nothing was changed)", image, strerror(errno));
	if (fsync(fd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot sync '%s': %s "
		    "(nothing was changed)", image, strerror(errno));
	close(fd);
	return ret;
}

/*
 * Gives the image what the application needs of the old file: its mode
 * and, as root, its owner and group (otherwise its group if we may). What
 * cannot be kept is said in notes.
 */
static int
keep_attributes(struct sqlite_store *s, const char *image, struct buf *notes,
    struct buf *err)
{
	struct stat st;

	if (fstat(s->run_fd, &st) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot stat database "
		    "'%s': %s (nothing was changed)", s->base.display,
		    strerror(errno));
	if (geteuid() == 0 && chown(image, st.st_uid, st.st_gid) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot set the owner of "
		    "'%s': %s (nothing was changed)", image, strerror(errno));
	if (geteuid() != 0 && st.st_gid != getegid() &&
	    chown(image, (uid_t)-1, st.st_gid) < 0)
		buf_addf(notes, "the restored database belongs to your group "
		    "(gid %ld), not to gid %ld as the old one did: %s\n",
		    (long)getegid(), (long)st.st_gid, strerror(errno));
	if (geteuid() != 0 && st.st_uid != geteuid())
		buf_addf(notes, "the restored database is owned by you (uid "
		    "%ld), not by uid %ld as the old one was: run restore as "
		    "root or as that user to keep its owner\n",
		    (long)geteuid(), (long)st.st_uid);
	return set_mode(image, st.st_mode & 07777, err);
}

/* After the switch: the folder synced, or RUNNER_EAFTER saying so. */
static int
sync_switch(const char *target, struct buf *err)
{
	struct buf why = BUF_INIT;
	char *dir = dir_of(target);
	int ret;

	ret = fsync_dir(dir, &why);
	if (ret < 0)
		ret = buf_seterr(err, RUNNER_EAFTER, "database '%s' was "
		    "restored, but %s: a crash or power loss now could bring "
		    "the old database back", target, why.buf);
	buf_release(&why);
	free(dir);
	return ret;
}

/*
 * No database yet: link() the image to its name, which fails rather than
 * replace a database made meanwhile.
 */
static int
create_from(const char *target, const char *image, struct buf *err)
{
	mode_t mask = umask(0);

	umask(mask);
	if (set_mode(image, 0644 & ~mask, err) < 0)
		return RUNNER_EFAIL;
	if (link(image, target) < 0)
		return buf_seterr(err, RUNNER_EFAIL, errno == EEXIST ?
		    "database '%s' was made while restore ran (nothing was "
		    "changed): run restore again%s" : "cannot link the restored "
		    "database to '%s': %s (nothing was changed)", target,
		    errno == EEXIST ? "" : strerror(errno));
	if (unlink(image) < 0)
		return buf_seterr(err, RUNNER_EAFTER, "database '%s' was "
		    "restored, but its temporary name '%s' could not be "
		    "removed: %s", target, image, strerror(errno));
	return sync_switch(target, err);
}

int
sqlite_replace(struct store *base, const char *target, const char *image,
    struct buf *notes, struct buf *err)
{
	struct sqlite_store *s;
	int ret;

	if (base == NULL)
		return create_from(target, image, err);
	s = sqlite_downcast(base);
	ret = quiesce(s, target, err);
	if (ret >= 0)
		ret = keep_attributes(s, image, notes, err);
	if (ret >= 0)
		ret = remove_sidecars(target, err);
	if (ret >= 0 && rename(image, target) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot rename '%s' to "
		    "'%s': %s (nothing was changed)", image, target,
		    strerror(errno));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret < 0 ? ret : sync_switch(target, err);
}

int
sqlite_identity(const char *target, struct buf *out, struct buf *err)
{
	char *real = realpath(target, NULL), *dir, *rdir;
	const char *base = strrchr(target, '/');

	(void)err;
	if (real) {
		buf_addf(out, "sqlite:%s", real);
		free(real);
		return 0;
	}
	dir = dir_of(target);
	rdir = realpath(dir, NULL);
	if (rdir)
		buf_addf(out, "sqlite:%s/%s", strcmp(rdir, "/") ? rdir : "",
		    base ? base + 1 : target);
	else
		buf_addf(out, "sqlite:%s", target);
	free(rdir);
	free(dir);
	return 0;
}
