/*
 * store_sqlite_vfs.c: a thin SQLite VFS over the default one that notes,
 * for each thread, the last file operation that failed, its file and its
 * errno, so that messages can say what the OS said. SQLite's own record
 * (sqlite3_system_errno) is errno at the time it reports the error, after
 * its rollback has made other calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_vfs.h"
#include "banned.h"

struct note_file {
	sqlite3_file base;
	sqlite3_file *real;	/* follows this struct */
	const char *name;	/* SQLite's, valid while the file is open */
};

static _Thread_local struct {
	int err;
	const char *op;
	char path[512];
	unsigned long count;	/* failures noted so far */
} last;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs note_vfs;
static int (*real_open)(const char *, int, int);

static void
note_path(const char *path, const char *op)
{
	last.err = errno;
	last.op = op;
	last.count++;
	snprintf(last.path, sizeof(last.path), "%s", path ? path : "");
}

/*
 * The unix VFS's open(2), for every file it opens (the -shm too, which no
 * xOpen sees); it retries a failed read-write open read-only and keeps
 * the reason to itself, so note it here.
 */
static int
n_sys_open(const char *path, int flags, int mode)
{
	int fd = real_open(path, flags, mode);

	if (fd < 0 && errno != ENOENT && errno != EISDIR)
		note_path(path, "open");
	return fd;
}

static void
note(struct note_file *f, const char *op, int rc)
{
	/* EBADF: a call on a file that failed to open, not the cause. */
	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED ||
	    rc == SQLITE_IOERR_SHORT_READ || errno == 0 || errno == EBADF)
		return;
	note_path(f->name, op);
}

#define REAL(f) (((struct note_file *)(f))->real)
#define CALL(f, m, ...) (REAL(f)->pMethods->m(REAL(f), __VA_ARGS__))

static int
n_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	note((struct note_file *)f, "close", rc);
	return rc;
}

static int
n_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	int rc = CALL(f, xRead, buf, n, off);

	note((struct note_file *)f, "read", rc);
	return rc;
}

static int
n_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = CALL(f, xWrite, buf, n, off);

	note((struct note_file *)f, "write", rc);
	return rc;
}

static int
n_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = CALL(f, xTruncate, size);

	note((struct note_file *)f, "truncate", rc);
	return rc;
}

static int
n_sync(sqlite3_file *f, int flags)
{
	int rc = CALL(f, xSync, flags);

	note((struct note_file *)f, "sync", rc);
	return rc;
}

static int
n_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return CALL(f, xFileSize, size);
}

static int
n_lock(sqlite3_file *f, int level)
{
	return CALL(f, xLock, level);
}

static int
n_unlock(sqlite3_file *f, int level)
{
	return CALL(f, xUnlock, level);
}

static int
n_reserved(sqlite3_file *f, int *out)
{
	return CALL(f, xCheckReservedLock, out);
}

static int
n_control(sqlite3_file *f, int op, void *arg)
{
	return CALL(f, xFileControl, op, arg);
}

static int
n_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
n_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
n_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **p)
{
	int rc = CALL(f, xShmMap, page, size, extend, p);
	size_t n = strlen(last.path);

	/* Failing after its open failed: the open is what to report. */
	if (!(last.op && strcmp(last.op, "open") == 0 && n > 4 &&
	    strcmp(last.path + n - 4, "-shm") == 0))
		note((struct note_file *)f, "map the shared memory (-shm) of",
		    rc);
	return rc;
}

static int
n_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return CALL(f, xShmLock, off, n, flags);
}

static void
n_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
n_shm_unmap(sqlite3_file *f, int del)
{
	return CALL(f, xShmUnmap, del);
}

static int
n_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return CALL(f, xFetch, off, n, p);
}

static int
n_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return CALL(f, xUnfetch, off, p);
}

static const sqlite3_io_methods note_methods = {
	3, n_close, n_read, n_write, n_truncate, n_sync, n_size, n_lock,
	n_unlock, n_reserved, n_control, n_sector, n_device, n_shm_map,
	n_shm_lock, n_shm_barrier, n_shm_unmap, n_fetch, n_unfetch
};

static int
n_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
    int *out_flags)
{
	struct note_file *f = (struct note_file *)file;
	int rc;

	(void)vfs;
	f->real = (sqlite3_file *)(f + 1);
	f->name = name;
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		note(f, "open", rc);
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &note_methods;
	return SQLITE_OK;
}

static int
n_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	struct note_file f = { { NULL }, NULL, name };
	int rc = real_vfs->xDelete(real_vfs, name, sync);

	(void)vfs;
	if (rc != SQLITE_IOERR_DELETE_NOENT)
		note(&f, "remove", rc);
	return rc;
}

static int
n_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
n_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

void
sqlite_vfs_install(void)
{
	sqlite3_vfs *v;

	/* Over unix's, whose files have every method of version 3. */
	if (real_vfs || (v = sqlite3_vfs_find(NULL)) == NULL ||
	    strncmp(v->zName, "unix", 4) != 0)
		return;
	real_vfs = v;
	note_vfs = *real_vfs;
	note_vfs.iVersion = real_vfs->iVersion < 3 ? real_vfs->iVersion : 3;
	note_vfs.szOsFile = (int)sizeof(struct note_file) +
	    real_vfs->szOsFile;
	note_vfs.zName = "runner";
	note_vfs.pNext = NULL;
	note_vfs.xOpen = n_open;
	note_vfs.xDelete = n_delete;
	note_vfs.xAccess = n_access;
	note_vfs.xFullPathname = n_full;
	sqlite3_vfs_register(&note_vfs, 1);
	real_open = (int (*)(const char *, int, int))real_vfs->xGetSystemCall(
	    real_vfs, "open");
	if (real_open)
		real_vfs->xSetSystemCall(real_vfs, "open",
		    (sqlite3_syscall_ptr)n_sys_open);
}

const char *
sqlite_vfs_last(int *err, const char **op)
{
	*err = last.err;
	*op = last.op;
	return last.err ? last.path : NULL;
}

unsigned long
sqlite_vfs_failures(void)
{
	return last.count;
}
