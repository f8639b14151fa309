/*
 * file_migset.h: the migrations folders read into one set sorted by version.
 * Each folder is read in its own layout (text_layout.h). File contents are not
 * kept: each migration is parsed once to check it and take its checksum,
 * and read again (and checked unchanged) when it runs.
 */
#ifndef RUNNER_FILE_MIGSET_H
#define RUNNER_FILE_MIGSET_H

#include <stddef.h>

#include "buf.h"
#include "file.h"
#include "text_layout.h"
#include "text_migration.h"

struct migfile {
	char *version;		/* as recorded: "003", "1.2" */
	char *name;		/* "add_comments" */
	char *path;		/* the file, or the up file: "migrations/003_x.sql" */
	char *down_path;	/* a separate down file, or NULL */
	char *conf_path;	/* diesel's metadata.toml, Flyway's .sql.conf */
	size_t dir;		/* its folder: migset's dirs[dir] */
	unsigned char format;	/* enum text_format, to read it again */
	unsigned char pflags;	/* PARSE_* */
	char checksum[CHECKSUM_LEN + 1];
	unsigned upflags;
	unsigned downflags;
	int reversible;
	int empty;		/* its up section holds no SQL: a no-op */
	/*
	 * Contents compiled into a program (librunner.c), borrowed: read
	 * from here instead of the files. NULL for a folder's migration.
	 */
	const struct migration_src *src;
};

/* A migrations folder and the layout it was read in. */
struct migdir {
	char *path;
	enum layout layout;
};

struct migset {
	struct migfile *v;
	size_t n;
	size_t alloc;
	struct migdir *dirs;
	size_t ndirs;
	struct buf warnings;	/* lines for the user, no prefix (none yet) */
	struct buf errors;	/* MIGSET_KEEP_GOING: one line per bad file */
	/*
	 * The tracking table's name, borrowed, for Flyway's ${flyway:table}
	 * (NULL: TRACKING_TABLE); set it before reading files to run them.
	 */
	const char *table;
};

#define MIGSET_INIT { NULL, 0, 0, NULL, 0, BUF_INIT, BUF_INIT, NULL }

/* migset_load flags */
#define MIGSET_KEEP_GOING 0x1	/* a bad file goes to s->errors, and is left out */

/*
 * Reads every migration in the n folders dirs, merged by version. Returns
 * 0, RUNNER_ENOENT when a folder does not exist, or RUNNER_EFAIL for a bad
 * file or folder (err names it, and the line), or a version in two of them.
 */
int migset_load(struct migset *s, char *const *dirs, size_t n,
    unsigned flags, struct buf *err);
void migset_release(struct migset *s);
/* The file with this version (compare_version), or NULL. */
const struct migfile *migset_find(const struct migset *s, const char *version);

/* f's checksum, formats and section options from its parse m of src. */
void migfile_fill(struct migfile *f, const struct migration_src *src,
    const struct migration *m);

/*
 * Reads and parses f, one of s's, again for running it; fails if the files
 * changed since migset_load. Release m with migration_release.
 */
int migset_read(const struct migset *s, const struct migfile *f,
    struct migration *m, struct buf *err);

/*
 * ENVSUB variables and Flyway placeholders from the environment, and
 * ${flyway:table} as TRACKING_TABLE (migset_read gives s->table instead).
 */
extern const struct parse_env migset_env;


/* The sorted paths of the .sql files in DIR/seeds; an absent folder gives none. */
int seeds_list(const char *dir, char ***paths, size_t *n, struct buf *err);
void paths_free(char **paths, size_t n);

#endif
