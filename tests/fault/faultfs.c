/*
 * faultfs.c: an LD_PRELOAD library that makes the Nth call of one kind of
 * file operation fail, for the fault-injection tests (t1180). Only calls
 * on paths under $FAULT_DIR count, so the dynamic loader, /dev/urandom
 * and the terminal are left alone (and so are descriptors 0, 1 and 2).
 *
 *	FAULT_DIR=/abs/dir	count only calls on paths under it (required)
 *	FAULT_OP=write		the kind to fail: open, read, write, fsync,
 *				rename, link, unlink, ftruncate, close, chmod,
 *				mkdir
 *	FAULT_NTH=3		fail the 3rd call of that kind (0 or unset:
 *				fail none, only log)
 *	FAULT_MATCH=.runner-	count toward FAULT_NTH only calls whose path
 *				holds this text (ends with it, if it ends
 *				with $)
 *	FAULT_ERRNO=EIO		the error: EIO, ENOSPC, EACCES, EROFS, EDQUOT
 *	FAULT_LOG=/abs/file	appends "kind n path" for every counted call,
 *				and "FAIL kind n path" for the failed one
 *
 * A failed close() still closes the descriptor, as Linux's does. The
 * library is built without sanitizers; under AddressSanitizer the tests
 * set ASAN_OPTIONS=verify_asan_link_order=0 so that it may come first.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum kind { K_OPEN, K_READ, K_WRITE, K_FSYNC, K_RENAME, K_LINK, K_UNLINK,
	K_FTRUNCATE, K_CLOSE, K_CHMOD, K_MKDIR, K_MAX };

static const char *const kind_name[K_MAX] = { "open", "read", "write",
	"fsync", "rename", "link", "unlink", "ftruncate", "close", "chmod",
	"mkdir" };

static struct {
	int ready;
	const char *dir;
	size_t dirlen;
	int kind;		/* -1: none */
	long nth;
	int err;
	int logfd;
	const char *match;
	long matched;
	long count[K_MAX];
} f = { 0, NULL, 0, -1, 0, EIO, -1, NULL, 0, { 0 } };

static __thread int busy;	/* inside the library: do not count */

#define REAL(name) ((__typeof__(&name))real_fn(#name))

static void *
real_fn(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL)
		abort();
	return p;
}

static int
errno_named(const char *s)
{
	static const struct { const char *name; int code; } v[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EACCES", EACCES },
		{ "EROFS", EROFS }, { "EDQUOT", EDQUOT }, { "EPERM", EPERM },
	};
	size_t i;

	for (i = 0; s && i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(s, v[i].name) == 0)
			return v[i].code;
	return EIO;
}

static void
setup(void)
{
	const char *op = getenv("FAULT_OP"), *nth = getenv("FAULT_NTH");
	const char *log = getenv("FAULT_LOG");
	int i;

	f.ready = 1;
	f.dir = getenv("FAULT_DIR");
	f.dirlen = f.dir ? strlen(f.dir) : 0;
	for (i = 0; op && i < K_MAX; i++)
		if (strcmp(op, kind_name[i]) == 0)
			f.kind = i;
	f.nth = nth ? atol(nth) : 0;
	f.err = errno_named(getenv("FAULT_ERRNO"));
	f.match = getenv("FAULT_MATCH");
	if (log)
		f.logfd = REAL(open)(log, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0644);
}

static int
under_dir(const char *path)
{
	return f.dir && path && strncmp(path, f.dir, f.dirlen) == 0 &&
	    (path[f.dirlen] == '/' || path[f.dirlen] == '\0');
}

/* An absolute form of path (relative to dirfd or the working folder). */
static void
absolute(int dirfd, const char *path, char *out, size_t len)
{
	char link[64], base[4096];
	ssize_t n;

	if (path[0] == '/') {
		snprintf(out, len, "%s", path);
		return;
	}
	if (dirfd == AT_FDCWD) {
		if (getcwd(base, sizeof(base)) == NULL)
			base[0] = '\0';
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		n = readlink(link, base, sizeof(base) - 1);
		base[n < 0 ? 0 : n] = '\0';
	}
	snprintf(out, len, "%s/%s", base, path);
}

static void
fd_path(int fd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len - 1);
	out[n < 0 ? 0 : n] = '\0';
}

static void
log_line(const char *what, int kind, long n, const char *path)
{
	char line[4200];
	int len;

	if (f.logfd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s%s %ld %s\n", what,
	    kind_name[kind], n, path);
	if (len > 0)
		REAL(write)(f.logfd, line, (size_t)len < sizeof(line) ?
		    (size_t)len : sizeof(line) - 1);
}

static int
matches(const char *path)
{
	size_t n, len;

	if (f.match == NULL || *f.match == '\0')
		return 1;
	n = strlen(f.match);
	if (f.match[n - 1] != '$')
		return strstr(path, f.match) != NULL;
	len = strlen(path);
	return len >= n - 1 && strncmp(path + len - (n - 1), f.match, n - 1) == 0;
}

/* Whether this call should fail; counts it if its path is under FAULT_DIR. */
static int
should_fail(int kind, const char *path)
{
	long n;
	int fail;

	if (!f.ready)
		setup();
	if (!under_dir(path))
		return 0;
	n = __atomic_add_fetch(&f.count[kind], 1, __ATOMIC_SEQ_CST);
	fail = kind == f.kind && matches(path) &&
	    __atomic_add_fetch(&f.matched, 1, __ATOMIC_SEQ_CST) == f.nth;
	log_line(fail ? "FAIL " : "", kind, n, path);
	return fail;
}

static int
check_path(int kind, int dirfd, const char *path)
{
	char abs[4096];
	int fail;

	if (busy || path == NULL)
		return 0;
	busy = 1;
	absolute(dirfd, path, abs, sizeof(abs));
	fail = should_fail(kind, abs);
	busy = 0;
	return fail;
}

static int
check_fd(int kind, int fd)
{
	char path[4096];
	int fail;

	/* Standard input, output and error are the test's, not runner's. */
	if (busy || fd <= STDERR_FILENO)
		return 0;
	busy = 1;
	fd_path(fd, path, sizeof(path));
	fail = should_fail(kind, path);
	busy = 0;
	return fail;
}

#define FAIL_IF(cond, ret) do { if (cond) { errno = f.err; return (ret); } } \
	while (0)

static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, path), -1);
	return REAL(open)(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, path), -1);
	return REAL(open64)(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	FAIL_IF(check_path(K_OPEN, dirfd, path), -1);
	return REAL(openat)(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	FAIL_IF(check_path(K_OPEN, dirfd, path), -1);
	return REAL(openat64)(dirfd, path, flags, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, path), NULL);
	return REAL(fopen)(path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, path), NULL);
	return REAL(fopen64)(path, mode);
}

/* mkstemp opens inside glibc, where open() is not interposed. */
int
mkstemp(char *tmpl)
{
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, tmpl), -1);
	return REAL(mkstemp)(tmpl);
}

int
mkstemp64(char *tmpl)
{
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, tmpl), -1);
	return REAL(mkstemp64)(tmpl);
}

int
mkostemp(char *tmpl, int flags)
{
	FAIL_IF(check_path(K_OPEN, AT_FDCWD, tmpl), -1);
	return REAL(mkostemp)(tmpl, flags);
}

ssize_t
read(int fd, void *buf, size_t n)
{
	FAIL_IF(check_fd(K_READ, fd), -1);
	return REAL(read)(fd, buf, n);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	FAIL_IF(check_fd(K_READ, fd), -1);
	return REAL(pread)(fd, buf, n, off);
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	FAIL_IF(check_fd(K_READ, fd), -1);
	return REAL(pread64)(fd, buf, n, off);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	FAIL_IF(check_fd(K_WRITE, fd), -1);
	return REAL(write)(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	FAIL_IF(check_fd(K_WRITE, fd), -1);
	return REAL(pwrite)(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	FAIL_IF(check_fd(K_WRITE, fd), -1);
	return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	FAIL_IF(check_fd(K_WRITE, fd), -1);
	return REAL(writev)(fd, iov, n);
}

/* A copy in the kernel writes its output file. */
ssize_t
sendfile(int out, int in, off_t *off, size_t n)
{
	FAIL_IF(check_fd(K_WRITE, out), -1);
	return REAL(sendfile)(out, in, off, n);
}

ssize_t
sendfile64(int out, int in, off64_t *off, size_t n)
{
	FAIL_IF(check_fd(K_WRITE, out), -1);
	return REAL(sendfile64)(out, in, off, n);
}

int
fsync(int fd)
{
	FAIL_IF(check_fd(K_FSYNC, fd), -1);
	return REAL(fsync)(fd);
}

int
fdatasync(int fd)
{
	FAIL_IF(check_fd(K_FSYNC, fd), -1);
	return REAL(fdatasync)(fd);
}

int
ftruncate(int fd, off_t len)
{
	FAIL_IF(check_fd(K_FTRUNCATE, fd), -1);
	return REAL(ftruncate)(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
	FAIL_IF(check_fd(K_FTRUNCATE, fd), -1);
	return REAL(ftruncate64)(fd, len);
}

int
close(int fd)
{
	int fail = check_fd(K_CLOSE, fd);
	int ret = REAL(close)(fd);

	FAIL_IF(fail, -1);
	return ret;
}

int
rename(const char *from, const char *to)
{
	FAIL_IF(check_path(K_RENAME, AT_FDCWD, to), -1);
	return REAL(rename)(from, to);
}

int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	FAIL_IF(check_path(K_RENAME, fd2, to), -1);
	return REAL(renameat)(fd1, from, fd2, to);
}

int
link(const char *from, const char *to)
{
	FAIL_IF(check_path(K_LINK, AT_FDCWD, to), -1);
	return REAL(link)(from, to);
}

int
linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
	FAIL_IF(check_path(K_LINK, fd2, to), -1);
	return REAL(linkat)(fd1, from, fd2, to, flags);
}

int
unlink(const char *path)
{
	FAIL_IF(check_path(K_UNLINK, AT_FDCWD, path), -1);
	return REAL(unlink)(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	FAIL_IF(check_path(K_UNLINK, dirfd, path), -1);
	return REAL(unlinkat)(dirfd, path, flags);
}

int
fchmod(int fd, mode_t mode)
{
	FAIL_IF(check_fd(K_CHMOD, fd), -1);
	return REAL(fchmod)(fd, mode);
}

int
chmod(const char *path, mode_t mode)
{
	FAIL_IF(check_path(K_CHMOD, AT_FDCWD, path), -1);
	return REAL(chmod)(path, mode);
}

int
fchown(int fd, uid_t uid, gid_t gid)
{
	FAIL_IF(check_fd(K_CHMOD, fd), -1);
	return REAL(fchown)(fd, uid, gid);
}

int
chown(const char *path, uid_t uid, gid_t gid)
{
	FAIL_IF(check_path(K_CHMOD, AT_FDCWD, path), -1);
	return REAL(chown)(path, uid, gid);
}

int
mkdir(const char *path, mode_t mode)
{
	FAIL_IF(check_path(K_MKDIR, AT_FDCWD, path), -1);
	return REAL(mkdir)(path, mode);
}
