/*
 * migset.h: the migrations directory read into a set sorted by version.
 * File contents are not kept: each file is parsed once to check it and take
 * its checksum, and read again (and checked unchanged) when it runs.
 */
#ifndef RUNNER_MIGSET_H
#define RUNNER_MIGSET_H

#include <stddef.h>

#include "buf.h"
#include "migration.h"

struct migfile {
	char *version;		/* the digits as written: "003" */
	char *name;		/* "add_comments" */
	char *path;		/* "migrations/003_add_comments.sql" */
	char checksum[CHECKSUM_LEN + 1];
	unsigned upflags;
	unsigned downflags;
	int reversible;
};

struct migset {
	struct migfile *v;
	size_t n;
	size_t alloc;
	struct buf warnings;	/* one line per ignored file, no prefix */
};

#define MIGSET_INIT { NULL, 0, 0, BUF_INIT }

/*
 * Reads every migration in dir. Returns 0, RUNNER_ENOENT when dir does not
 * exist, or RUNNER_EFAIL for a bad file (err names it and the line).
 */
int migset_load(struct migset *s, const char *dir, struct buf *err);
void migset_release(struct migset *s);
/* The file with this version (numeric comparison), or NULL. */
const struct migfile *migset_find(const struct migset *s, const char *version);

/*
 * Reads and parses f again for running it; fails if the file changed since
 * migset_load. Release m with migration_release.
 */
int migfile_read(const struct migfile *f, struct migration *m,
    struct buf *err);

/*
 * Reads a whole regular file; anything else (a FIFO, socket, device or
 * folder) is refused, naming what it is, before a read could block. data
 * is freed by the caller; RUNNER_ENOENT when path does not exist.
 */
int file_read(const char *path, char **data, size_t *len, struct buf *err);

/* The sorted paths of the .sql files in DIR/seeds; an absent folder gives none. */
int seeds_list(const char *dir, char ***paths, size_t *n, struct buf *err);
void paths_free(char **paths, size_t n);
/*
 * The paths of the migration files in dir, sorted by name, without reading
 * them; a line in warnings for each misnamed .sql file. RUNNER_ENOENT when
 * dir does not exist. Free with paths_free.
 */
int migset_paths(const char *dir, char ***paths, size_t *n,
    struct buf *warnings, struct buf *err);

#endif
