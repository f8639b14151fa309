/*
 * text_layout.h: the migration layouts runner reads as they are (its own,
 * dbmate's, goose's, golang-migrate's, sqlx's, diesel's and Flyway's), told
 * apart by file names and then by markers. Pure: names in, structures and
 * errors out, so it can be unit-tested and fuzzed; file_migset.c reads the
 * folders and the files.
 */
#ifndef RUNNER_TEXT_LAYOUT_H
#define RUNNER_TEXT_LAYOUT_H

#include <stddef.h>

#include "buf.h"

enum layout {
	LAYOUT_NONE,		/* a folder without migrations yet */
	LAYOUT_RUNNER,		/* NNN_name.sql: -- migrate:up / -- migrate:down */
	LAYOUT_DBMATE,		/* the same markers; timestamps, or NNN-name.sql */
	LAYOUT_GOOSE,		/* NNN_name.sql: -- +goose Up / -- +goose Down */
	LAYOUT_GOLANG_MIGRATE,	/* NNN_name.up.sql and NNN_name.down.sql */
	LAYOUT_SQLX,		/* those pairs, or NNN_name.sql without markers */
	LAYOUT_DIESEL,		/* NNN_name/up.sql and down.sql */
	LAYOUT_FLYWAY		/* V1.2__name.sql and U1.2__name.sql */
};
#define NLAYOUTS (LAYOUT_FLYWAY + 1)

/* The layout's name as --layout spells it ("golang-migrate"); "none". */
const char *layout_name(enum layout l);
/* The layout --layout names; -1 when name is none of them. */
int layout_from_name(const char *name);

/* What a folder entry is, by its name (and a folder's file names) alone. */
enum entry_kind {
	KIND_IGNORED,		/* README, .gitkeep, seeds/, other folders */
	KIND_SINGLE,		/* NNN_name.sql, NNN-name.sql */
	KIND_UP,		/* NNN_name.up.sql */
	KIND_DOWN,		/* NNN_name.down.sql */
	KIND_FLYWAY_V,		/* V<version>__<description>.sql */
	KIND_FLYWAY_U,		/* U<version>__<description>.sql */
	KIND_FLYWAY_CONF,	/* V<version>__<description>.sql.conf */
	KIND_DIESEL		/* a folder holding up.sql (and down.sql) */
};

/* One entry of a migrations folder, as readdir gave it. */
struct dir_entry {
	const char *name;
	int is_dir;
	const char *const *children;	/* a folder's entries' names */
	size_t nchildren;
};

/* One migration found in folder dir: its files' paths, "dir/...". */
struct layout_item {
	enum entry_kind kind;	/* KIND_SINGLE, _UP (a pair), _FLYWAY_V, _DIESEL */
	char *version;		/* as recorded: "003", "1.2", "20200101000000" */
	char *name;		/* "add_comments" */
	char *up;		/* "dir/003_x.sql", "dir/2020-..._x/up.sql" */
	char *down;		/* its down file, or NULL */
	char *conf;		/* diesel's metadata.toml, Flyway's .sql.conf */
	const struct dir_entry *up_e;	/* the entries of up and down, or */
	const struct dir_entry *down_e;	/* NULL for diesel's */
	int dash;		/* NNN-name.sql: dbmate's, so markers are needed */
};

struct layout_scan {
	struct layout_item *v;	/* sorted by version */
	size_t n;
	unsigned kinds;		/* bit 1 << kind for each kind of entry seen */
};

#define LAYOUT_SCAN_INIT { NULL, 0, 0 }

/*
 * Classifies the n entries of folder dir (dir is used only in messages)
 * and pairs their files into migrations. Errors, naming the files: a .sql
 * file that fits no layout, another tool's numbered migration (.js, .go,
 * .py, .rb, .ts), a Flyway repeatable (R__), baseline or unparsable
 * version, a down or undo file without its up, a diesel folder without
 * up.sql, files of two layouts, a version twice. Returns 0 or RUNNER_EFAIL;
 * release s with layout_scan_release either way.
 */
int layout_scan(const char *dir, const struct dir_entry *e, size_t n,
    struct layout_scan *s, struct buf *err);
void layout_scan_release(struct layout_scan *s);

/*
 * The folder's layout once its files are read: marks[i] holds item i's
 * MARKS_* (text_migration.h; 0 for a file without markers, sqlx's). A folder
 * mixing
 * single files with and without markers, or marker files with pairs, is
 * an error naming them. Among runner, dbmate and goose (one family,
 * mixable) the newest file decides.
 */
int layout_decide(const char *dir, const struct layout_scan *s,
    const unsigned char *marks, enum layout *out, struct buf *err);

/*
 * How to read a file named on its own (lint FILE): its enum text_format,
 * and PARSE_* flags in *flags, guessed from the file name fname.
 */
int layout_file_format(const char *fname, unsigned *flags);

#endif
