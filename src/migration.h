/*
 * migration.h: parsing one migration file, with no I/O, so that it can be
 * unit-tested and fuzzed. Also version strings and file names.
 */
#ifndef RUNNER_MIGRATION_H
#define RUNNER_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SECTION_NOTX	0x1	/* transaction:false */
#define SECTION_FKOFF	0x2	/* foreign_keys:off */

struct section {
	int present;
	unsigned flags;
	int marker_line;	/* 1-based line of the marker */
	size_t off;		/* SQL: text[off, off+len), after the marker line */
	size_t len;
};

struct migration {
	char *text;		/* the normalized file: no BOM, LF line ends */
	size_t len;
	uint32_t crc;		/* CRC-32 of text */
	struct section up;
	struct section down;	/* down.present && sql_has_code: reversible */
};

#define CHECKSUM_LEN 15		/* "crc32:" + 8 hex digits */

/*
 * Parses a migration file. path is used only in messages. On success fills
 * m (release with migration_release) and returns 0; on error writes
 * "path:line: what" to err and returns RUNNER_EFAIL with m released.
 */
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

/* Whether the migration has a down section with SQL in it. */
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

/*
 * Splits a file name "NNN_name.sql" into its version digits and name.
 * Returns 1 and sets the lengths (version starts at fname, name at
 * fname + vlen + 1) when it matches, 0 when not.
 */
int migration_parse_filename(const char *fname, size_t *vlen, size_t *nlen);
/* Whether s is a non-empty string of ASCII digits. */
int version_valid(const char *s);
/* Compares versions as integers of any width; non-digits compare as text. */
int version_cmp(const char *a, const char *b);

#endif
