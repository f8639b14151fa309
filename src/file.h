/*
 * file.h: the file operations the layers above share: reading and opening
 * only regular files, private temporary files that a later run can clean
 * up, making and syncing folders. Messages name the path and the OS's
 * reason.
 */
#ifndef RUNNER_FILE_H
#define RUNNER_FILE_H

#include <sys/types.h>

#include "buf.h"

/* What mode is, for messages: "a directory", "a named pipe (FIFO)"... */
const char *file_kind(mode_t mode);

/*
 * Opens path with flags (O_RDONLY or O_RDWR, no O_CREAT) only if it is a
 * regular file: a FIFO, socket, device or directory is refused before
 * anything could block on it ("WHAT 'path' is a directory, not a file").
 * Returns the descriptor (close-on-exec, blocking), or a negative
 * RUNNER_E* code (RUNNER_ENOENT when it does not exist).
 */
int file_open_regular(const char *path, int flags, const char *what,
    struct buf *err);

/* write() of all len bytes, going on after EINTR and short writes. */
int file_write_all(int fd, const void *data, size_t len);

/* The folder part of path: "." for a bare name. Freed by the caller. */
char *dir_of(const char *path);

/* fsync() of a folder, so that names made or changed in it last. */
int fsync_dir(const char *dir, struct buf *err);

/*
 * Creates a new 0600 file DIR/.runner-WHAT-PID-XXXXXX, flock()ed by the
 * returned descriptor, so that temp_sweep in a later run knows when its
 * process is gone. Its name goes in *path (freed by the caller).
 */
int temp_create(const char *dir, const char *what, char **path,
    struct buf *err);

/*
 * Removes from dir the temporary files of runs that are gone: named as
 * temp_create names them, owned by this user, of a process that no longer
 * exists and not locked. Appends a line to report for each removed (and
 * for each temporary file of an older runner, which it leaves alone).
 * Returns how many it removed.
 */
int temp_sweep(const char *dir, struct buf *report);

/*
 * Refuses (unless force) a folder that others could write to: owned by
 * another user, or group- or world-writable, itself or through a link.
 * A folder that does not exist yet is fine.
 */
int dir_check_private(const char *dir, const char *what, int force,
    struct buf *err);

/*
 * Reads a whole regular file; anything else (a FIFO, socket, device or
 * folder) is refused, naming what it is, before a read could block. data
 * is freed by the caller; RUNNER_ENOENT when path does not exist.
 */
int file_read(const char *path, char **data, size_t *len, struct buf *err);

/*
 * Opens name in dirfd (AT_FDCWD for a plain path) and reads it into b;
 * path names it in messages. d_type is readdir's, or DT_UNKNOWN to ask
 * fstat. O_NONBLOCK: a FIFO named *.sql must not hang us.
 */
int file_read_at(int dirfd, const char *name, const char *path,
    unsigned char d_type, struct buf *b, struct buf *err);

/*
 * mkdir -p: every missing folder of dir, each made with mode (less the
 * umask). what names dir in the message: "cannot create <what> '<dir>'".
 */
int file_mkdirs(const char *dir, mode_t mode, const char *what,
    struct buf *err);

#endif
