/*
 * file.c: regular-file opens that never block, temporary files a later run
 * can clean up, folder syncs and folder checks, for backups and restores.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "banned.h"

#define TEMP_PREFIX	".runner-"

const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a named pipe (FIFO)";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return S_ISREG(mode) ? "a file" : "not a regular file";
}

static int
not_regular(const char *path, const char *what, mode_t mode, struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "%s '%s' is %s, not a file", what,
	    path, file_kind(mode));
}

int
file_open_regular(const char *path, int flags, const char *what,
    struct buf *err)
{
	struct stat st;
	int fd, fl;

	/* stat first: opening a device can have effects of its own. */
	if (stat(path, &st) < 0)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open %s '%s': %s", what, path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return not_regular(path, what, st.st_mode, err);
	/* It may have been swapped for a FIFO since: never block on one. */
	fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open %s '%s': %s", what, path,
		    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fl = fstat(fd, &st) < 0 ? buf_seterr(err, RUNNER_EFAIL,
		    "cannot open %s '%s': %s", what, path, strerror(errno)) :
		    not_regular(path, what, st.st_mode, err);
		close(fd);
		return fl;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int
file_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ENOSPC;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash -
	    path));
}

int
fsync_dir(const char *dir, struct buf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot open folder '%s' "
		    "to sync it: %s", dir, strerror(errno));
	if (fsync(fd) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot sync folder '%s': "
		    "%s", dir, strerror(errno));
	close(fd);
	return ret;
}

int
temp_create(const char *dir, const char *what, char **path, struct buf *err)
{
	struct buf p = BUF_INIT;
	int fd;

	buf_addf(&p, "%s/" TEMP_PREFIX "%s-%ld-XXXXXX", dir, what,
	    (long)getpid());
	fd = mkstemp(p.buf);
	if (fd < 0) {
		buf_seterr(err, RUNNER_EFAIL, "cannot create a temporary file "
		    "in '%s': %s", dir, strerror(errno));
		buf_release(&p);
		return RUNNER_EFAIL;
	}
	/* Held until the descriptor closes: the file is in use. */
	flock(fd, LOCK_EX | LOCK_NB);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	*path = buf_detach(&p, NULL);
	return fd;
}

/*
 * Whether name is .runner-WHAT-PID-XXXXXX; its PID in *pid, or 0 for an
 * older runner's .runner-WHAT-XXXXXX.
 */
static int
temp_name(const char *name, long *pid)
{
	const char *p = name + strlen(TEMP_PREFIX), *q;
	char *end;

	if (strncmp(name, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0)
		return 0;
	while (*p >= 'a' && *p <= 'z')
		p++;
	if (p == name + strlen(TEMP_PREFIX) || *p++ != '-')
		return 0;
	*pid = 0;
	q = strchr(p, '-');
	if (q && q > p && strspn(p, "0123456789") == (size_t)(q - p)) {
		*pid = strtol(p, &end, 10);
		p = q + 1;
	}
	return strlen(p) == 6;
}

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
int
file_read_at(int dirfd, const char *name, const char *path,
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

/* Whether the file's process is gone and no one holds it locked. */
static int
temp_abandoned(int dirfd, const char *name, long pid)
{
	struct stat st;
	int fd, gone;

	if (pid <= 0 || pid == (long)getpid() ||
	    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
		return 0;
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return 0;
	gone = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return gone;
}

int
temp_sweep(const char *dir, struct buf *report)
{
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);
	long pid;
	int n = 0;

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (!temp_name(d->d_name, &pid) || fstatat(dirfd(dp),
		    d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (pid == 0) {
			buf_addf(report, "'%s/%s' looks like a temporary file "
			    "of an older runner (%lld bytes): remove it if no "
			    "runner is running\n", dir, d->d_name,
			    (long long)st.st_size);
			continue;
		}
		if (!temp_abandoned(dirfd(dp), d->d_name, pid))
			continue;
		if (unlinkat(dirfd(dp), d->d_name, 0) < 0) {
			buf_addf(report, "cannot remove '%s/%s', a temporary "
			    "file left by process %ld, which is gone: %s\n",
			    dir, d->d_name, pid, strerror(errno));
			continue;
		}
		buf_addf(report, "removed '%s/%s' (%lld bytes), a temporary "
		    "file left by process %ld, which is gone\n", dir,
		    d->d_name, (long long)st.st_size, pid);
		n++;
	}
	closedir(dp);
	return n;
}

int
dir_check_private(const char *dir, const char *what, int force,
    struct buf *err)
{
	struct stat st;

	if (force)
		return 0;
	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : buf_seterr(err, RUNNER_EFAIL,
		    "cannot use %s '%s': %s", what, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return buf_seterr(err, RUNNER_EFAIL, "%s '%s' is %s, not a "
		    "folder", what, dir, file_kind(st.st_mode));
	if (st.st_uid != geteuid())
		return buf_seterr(err, RUNNER_EFAIL, "%s '%s' is owned by "
		    "another user (uid %ld): they could replace or remove its "
		    "backups; use a folder of your own, or --force",
		    what, dir, (long)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return buf_seterr(err, RUNNER_EFAIL, "%s '%s' is writable by "
		    "%s (mode %04o): they could replace or remove its backups; "
		    "'chmod go-w' it, or use --force", what, dir,
		    (st.st_mode & S_IWOTH) ? "everyone" : "its group",
		    (unsigned)(st.st_mode & 07777));
	return 0;
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
	ret = file_read_at(AT_FDCWD, path, path, DT_UNKNOWN, &b, err);
	if (ret == 0)
		*data = buf_detach(&b, len);
	buf_release(&b);
	return ret;
}

int
file_mkdirs(const char *dir, mode_t mode, const char *what, struct buf *err)
{
	char *p = xstrdup(dir);
	size_t i, n = strlen(p);
	int ret = 0;

	for (i = 1; i <= n && ret == 0; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot create %s "
			    "'%s': %s", what, p, strerror(errno));
		if (i < n)
			p[i] = '/';
	}
	free(p);
	return ret;
}
