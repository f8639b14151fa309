/*
 * store_sqlite_vfs.h: a thin SQLite VFS that remembers which file
 * operation failed, so that messages can say so with the OS's reason.
 */
#ifndef RUNNER_STORE_SQLITE_VFS_H
#define RUNNER_STORE_SQLITE_VFS_H

/*
 * Makes the default VFS one that notes the last file
 * operation that failed in this thread; sqlite_vfs_last gives its file
 * (NULL if none), errno and operation ("write", "sync"...).
 */
void sqlite_vfs_install(void);
const char *sqlite_vfs_last(int *err, const char **op);
/* How many failures this thread's VFS calls have noted. */
unsigned long sqlite_vfs_failures(void);

#endif
