/*
 * runner_backup.h: compressed backups of a database and their restore, over the
 * driver's snapshot/check_image/replace. Files are standard gzip, written
 * privately and atomically; nothing here prints.
 */
#ifndef RUNNER_RUNNER_BACKUP_H
#define RUNNER_RUNNER_BACKUP_H

#include <signal.h>
#include <stdint.h>

#include "buf.h"
#include "file_gz.h"

struct store_ops;

#define BACKUP_DIR_DEFAULT	"backups"

struct backup_opts {
	const char *url;	/* the database */
	const char *dir;	/* where default-named backups go */
	const char *output;	/* NULL: DIR/NAME-YYYYmmddTHHMMSSZ.SUFFIX */
	int level;		/* gzip level, 0 to 9 */
	int force;		/* replace an existing output (never a symlink);
				   use a backup folder others may write to */
	int keep;		/* > 0: then remove all but the newest keep */
	int lock_timeout;
	gz_progress_fn *progress;
	void *arg;
	volatile sig_atomic_t *stop;	/* set by a signal: give up cleanly */
};

struct backup_result {
	char *path;		/* the file written */
	uint64_t db_size;	/* bytes of the snapshot */
	uint64_t gz_size;	/* bytes of the file */
	double ms;
	size_t removed;		/* old backups --keep removed */
	struct buf notes;	/* lines for the user: stale files removed */
};

/*
 * Writes a backup: a snapshot of the database, compressed into a 0600
 * temporary file in the destination folder with the database's identity
 * in its gzip header, fsynced, linked (or renamed) into place, the folder
 * fsynced. With keep, the file is read back and checked before it is
 * published, and only then are older backups of the same identity
 * removed. On failure no file stands at the final path and nothing else
 * changed; RUNNER_EAFTER when the backup was written but an old one could
 * not be removed. Release res with backup_result_release.
 */
int backup_create(const struct backup_opts *o, struct backup_result *res,
    struct buf *err);
void backup_result_release(struct backup_result *res);

struct backup_entry {
	char *path;
	char time[24];		/* "YYYY-mm-dd HH:MM:SS UTC" */
	uint64_t size;
	int ours;		/* carries this database's identity; 0: none */
};

struct backup_list {
	struct backup_entry *v;	/* oldest first */
	size_t n;
	size_t unmarked;	/* of v, those with no identity (older ones) */
	size_t others;		/* named alike, of another database: not in v */
	struct buf problems;	/* a line for each that could not be read
				   (listed as unmarked) */
};

/*
 * The default-named backups of url's database in dir: those that carry
 * its identity, and those that carry none (written before backups did).
 * None is no error.
 */
int backup_list(const char *url, const char *dir, struct backup_list *out,
    struct buf *err);
void backup_list_release(struct backup_list *l);

/*
 * Removes the temporary files that runs now gone left in the backup folder
 * (and next to url's database file), a line in report for each.
 */
void backup_sweep(const char *url, const char *dir, struct buf *report);

struct restore {
	const struct store_ops *ops;
	char *target;		/* the database the image replaces (a link's
				   target) */
	char *image;		/* the checked, decompressed copy */
	uint64_t size;		/* its size */
	int exists;		/* the database exists now */
	int lock_timeout;
	char *origin;		/* the identity the backup carries, or NULL */
	int foreign;		/* ... and it is another database's */
	struct store *db;	/* opened by restore_open */
	struct buf notes;	/* lines for the user */
};

/*
 * Checks the whole backup at file (gzip integrity, an image of the
 * database's kind, its own integrity check) by decompressing it to a
 * private file (next to a database file, else in $TMPDIR); nothing else is
 * touched. Release r with restore_release, which removes that file unless
 * it was renamed into place.
 */
int restore_prepare(const char *url, const char *file, int lock_timeout,
    struct restore *r, struct buf *err);
/*
 * Opens the database (r->db; NULL when there is none to open), then takes
 * its run lock, held until restore_release: no runner changes it between
 * the backup taken before a restore and the switch.
 */
int restore_open(struct restore *r, struct buf *err);
int restore_lock(struct restore *r, struct buf *err);
/*
 * Puts the prepared image in place of the database, whole or not at all,
 * without losing a commit of the old one if it fails; RUNNER_EAFTER (the
 * message says what) when a step after the switch failed.
 */
int restore_commit(struct restore *r, struct buf *err);
void restore_release(struct restore *r);

#endif
