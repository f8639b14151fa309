/*
 * text_migration.h: parsing one migration (a file, or a pair of up and down
 * files) with no I/O, so that it can be unit-tested and fuzzed. Also
 * checksums, and version strings (text_version.h).
 */
#ifndef RUNNER_TEXT_MIGRATION_H
#define RUNNER_TEXT_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "text_subst.h"
#include "text_version.h"

/*
 * The tracking table's name unless --table or RUNNER_TABLE says otherwise
 * (and Flyway's ${flyway:table} placeholder).
 */
#define TRACKING_TABLE "schema_migrations"

#define SECTION_NOTX	0x1	/* transaction:false */
#define SECTION_FKOFF	0x2	/* foreign_keys:off */

struct section {
	int present;
	unsigned flags;
	int marker_line;	/* 1-based line of the marker (1 for a file) */
	const char *text;	/* the text the section lives in */
	size_t tlen;
	const char *path;	/* its file, for messages (borrowed) */
	size_t off;		/* SQL: text[off, off+len), after the marker line */
	size_t len;
	int empty;		/* nothing but blanks and comments */
};

struct migration {
	char *text;		/* the (up) file normalized: no BOM, LF line ends */
	size_t len;
	char *dtext;		/* a separate down file's text, or NULL */
	size_t dlen;
	uint32_t crc;		/* CRC-32 of the files as normalized */
	unsigned marks;		/* MARKS_* below: 0 for a whole-file section */
	int reversible;		/* has a down, even a no-op one, to run */
	struct section up;
	struct section down;
};

#define CHECKSUM_LEN 15		/* "crc32:" + 8 hex digits */

/* How the text of a migration's files is read. */
enum text_format {
	FORMAT_MARKERS = 1,	/* runner's, dbmate's, goose's sections */
	FORMAT_WHOLE,		/* each file is one section (sqlx, Flyway, ...) */
	FORMAT_AUTO		/* MARKERS if it has a marker line, else WHOLE */
};

/* parse flags */
#define PARSE_NOTX_COMMENT	0x1	/* sqlx: "-- no-transaction" first */
#define PARSE_PLACEHOLDERS	0x2	/* Flyway: ${name} placeholders */
#define PARSE_CONF_DIESEL	0x4	/* conf is diesel's metadata.toml */
#define PARSE_CONF_FLYWAY	0x8	/* conf is Flyway's .sql.conf */

/* Which markers a single file has (struct migration's marks). */
#define MARKS_DBMATE	0x1	/* -- migrate:up / -- migrate:down */
#define MARKS_GOOSE	0x2	/* -- +goose ... */
#define MARKS_UNREAD	0x80	/* layout_decide: a file that could not be read */

/* One migration's files as read: paths (for messages) and contents. */
struct migration_src {
	const char *path;	/* the single file, or the up file */
	const char *data;
	size_t len;
	const char *dpath;	/* a separate down file, or NULL */
	const char *ddata;
	size_t dlen;
	const char *cpath;	/* metadata.toml or .sql.conf, or NULL */
	const char *cdata;
	size_t clen;
	enum text_format format;
	unsigned flags;		/* PARSE_* */
	const struct parse_env *env;	/* NULL: every variable is unset */
};

/*
 * Parses a migration. On success fills m (release with migration_release)
 * and returns 0; on error writes "path:line: what" to err and returns
 * RUNNER_EFAIL with m released. The checksum covers every file as
 * written (before substitution), so editing any of them is seen.
 */
int migration_parse_src(const struct migration_src *src,
    struct migration *m, struct buf *err);
/* A single file with markers (FORMAT_MARKERS), no variables set. */
int migration_parse(const char *path, const char *data, size_t len,
    struct migration *m, struct buf *err);
void migration_release(struct migration *m);

/*
 * A section's options as written after its marker ("transaction:false
 * foreign_keys:off"), or NULL when it has none; and back. The text form
 * is what the tracking table stores for a down section.
 */
const char *section_options_text(unsigned flags);
unsigned section_options_parse(const char *text);

/* Whether the migration has a down to run (m->reversible). */
int migration_reversible(const struct migration *m);

/* Writes "crc32:%08x" into out (at least CHECKSUM_LEN + 1 bytes). */
void checksum_format(uint32_t crc, char *out);

/*
 * Normalizes data (drops a UTF-8 BOM, turns CRLF and CR into LF) into a new
 * NUL-terminated string the caller frees; *outlen gets its length.
 */
char *text_normalize(const char *data, size_t len, size_t *outlen);
uint32_t text_crc32(const char *text, size_t len);

/* Offset of the first byte at or after off that is not space or comment. */
size_t sql_skip_space(const char *s, size_t len, size_t off);
/* Whether s holds anything besides whitespace and comments. */
int sql_has_code(const char *s, size_t len);
/* 1-based line number of offset off in s. */
int text_line_at(const char *s, size_t len, size_t off);

#endif
