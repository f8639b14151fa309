/* Unit tests for the migration-file parser, versions and checksums. */
#include <stdlib.h>

#include "tap.h"
#include "error.h"
#include "text_migration.h"

static struct buf err = BUF_INIT;

/* Parses s; returns the result code, leaving the message in err. */
static int
parse(const char *s, struct migration *m)
{
	buf_reset(&err);
	return migration_parse("f.sql", s, strlen(s), m, &err);
}

static char *
section_text(const struct migration *m, const struct section *s)
{
	(void)m;
	return xstrndup(s->text + s->off, s->len);
}

static void
expect_error(const char *input, const char *msg, const char *title)
{
	struct migration m;

	ok(parse(input, &m) == RUNNER_EFAIL, "%s: fails", title);
	is_str(err.buf, msg, "%s: message", title);
}

static void
test_sections(void)
{
	struct migration m;
	char *up, *down;

	ok(parse("-- hi\n\n-- migrate:up\nCREATE TABLE t(a);\n"
	    "-- migrate:down\nDROP TABLE t;\n", &m) == 0, "dbmate file parses");
	up = section_text(&m, &m.up);
	down = section_text(&m, &m.down);
	is_str(up, "CREATE TABLE t(a);\n", "up section text");
	is_str(down, "DROP TABLE t;\n", "down section text");
	is_int(m.up.marker_line, 3, "up marker line");
	is_int(m.down.marker_line, 5, "down marker line");
	ok(migration_reversible(&m), "has a down: reversible");
	free(up);
	free(down);
	migration_release(&m);

	ok(parse("-- migrate:up\nSELECT 1", &m) == 0, "no final newline");
	up = section_text(&m, &m.up);
	is_str(up, "SELECT 1", "up without newline");
	ok(!migration_reversible(&m), "no down: irreversible");
	free(up);
	migration_release(&m);

	ok(parse("-- migrate:up\nSELECT 1;\n-- migrate:down\n-- nothing\n",
	    &m) == 0, "empty down parses");
	ok(!migration_reversible(&m), "comment-only down: irreversible");
	migration_release(&m);

	ok(parse("-- migrate:down\nDROP TABLE t;\n-- migrate:up\n"
	    "CREATE TABLE t(a);\n", &m) == 0, "down before up parses");
	down = section_text(&m, &m.down);
	is_str(down, "DROP TABLE t;\n", "down first: its text");
	free(down);
	migration_release(&m);
}

static void
test_options(void)
{
	struct migration m;

	ok(parse("-- migrate:up transaction:false\nVACUUM;\n"
	    "-- migrate:down foreign_keys:off transaction:false\nSELECT 1;\n",
	    &m) == 0, "options parse");
	is_int(m.up.flags, SECTION_NOTX, "up: transaction:false");
	is_int(m.down.flags, SECTION_NOTX | SECTION_FKOFF, "down: both");
	migration_release(&m);

	is_str(section_options_text(SECTION_NOTX | SECTION_FKOFF),
	    "transaction:false foreign_keys:off", "options as text");
	ok(section_options_text(0) == NULL, "no options: NULL");
	is_int(section_options_parse("transaction:false  foreign_keys:off"),
	    SECTION_NOTX | SECTION_FKOFF, "stored options parse back");
	is_int(section_options_parse(NULL), 0, "NULL stored options");
	expect_error("-- migrate:up transaction:maybe\nSELECT 1;\n",
	    "f.sql:1: unknown option 'transaction:maybe' (known: "
	    "transaction:false, foreign_keys:off)", "bad option value");
	expect_error("-- x\n-- migrate:up\nSELECT 1;\n-- migrate:down nope\n",
	    "f.sql:4: unknown option 'nope' (known: transaction:false, "
	    "foreign_keys:off)", "unknown option on down");
}

static void
test_goose(void)
{
	struct migration m;
	char *up;

	ok(parse("-- +goose NO TRANSACTION\n-- +goose Up\n"
	    "-- +goose StatementBegin\nCREATE TRIGGER x AFTER INSERT ON t "
	    "BEGIN SELECT 1; END;\n-- +goose StatementEnd\n-- +goose Down\n"
	    "DROP TRIGGER x;\n", &m) == 0, "goose file parses");
	ok(m.up.flags & SECTION_NOTX, "goose NO TRANSACTION: up");
	ok(m.down.flags & SECTION_NOTX, "goose NO TRANSACTION: down");
	up = section_text(&m, &m.up);
	ok(strstr(up, "CREATE TRIGGER") != NULL, "goose up holds the trigger");
	free(up);
	migration_release(&m);
	expect_error("-- +goose Up\nSELECT 1;\n-- +goose ENVSUB MAYBE\n",
	    "f.sql:3: unknown marker '-- +goose ENVSUB MAYBE' (expected "
	    "'-- migrate:up' or '-- migrate:down' at the start of a line)",
	    "unknown goose annotation");
	ok(parse("-- +goose up\nSELECT 1;\n-- +GOOSE down\n", &m) ==
	    RUNNER_EFAIL, "+goose itself is lowercase");
	ok(parse("-- +goose uP\nSELECT 1;\n-- +goose DOWN\n", &m) == 0,
	    "the word after +goose in any case");
	ok(m.reversible, "an empty goose Down is a no-op down");
	ok(m.down.empty, "and is empty");
	migration_release(&m);
	ok(parse("-- +goose Up\nSELECT 1;\n", &m) == 0 && !m.reversible,
	    "no goose Down: irreversible");
	migration_release(&m);
}

static void
test_errors(void)
{
	struct migration m;

	expect_error("CREATE TABLE t(a);\n", "f.sql: no '-- migrate:up' marker",
	    "no marker");
	expect_error("-- migrate:down\nDROP TABLE t;\n",
	    "f.sql: no '-- migrate:up' marker", "down only");
	expect_error("-- ok\n/* fine */\nSELECT 1;\n-- migrate:up\nSELECT 2;\n",
	    "f.sql:3: SQL before the first marker (only comments may come "
	    "before '-- migrate:up')", "SQL before the marker");
	ok(parse("\n-- migrate:up\n-- only a comment\n\n-- migrate:down\n"
	    "SELECT 1;\n", &m) == 0 && m.up.empty, "a comment-only up parses");
	ok(m.reversible && !m.down.empty, "with its down");
	migration_release(&m);
	ok(parse("-- migrate:up\n", &m) == 0 && m.up.empty && !m.reversible,
	    "an empty up at the end of the file parses");
	migration_release(&m);
	expect_error("-- migrate:up\nSELECT 1;\n-- +migrate Down\nSELECT 2;\n",
	    "f.sql:3: '-- +migrate Down' is sql-migrate's marker, and runner "
	    "does not read sql-migrate's layout (write '-- migrate:up' and "
	    "'-- migrate:down' instead)", "sql-migrate's marker");
	expect_error("-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n",
	    "f.sql:3: a second up marker (the first is on line 1)",
	    "two up markers");
	expect_error("-- migrate:up\nSELECT 1;\n-- migrate:dwon\nSELECT 2;\n",
	    "f.sql:3: unknown marker '-- migrate:dwon' (expected "
	    "'-- migrate:up' or '-- migrate:down' at the start of a line)",
	    "misspelt marker");
	expect_error("-- migrate:up\nCREATE TABLE u(a);\n  -- migrate:down\n"
	    "DROP TABLE u;\n", "f.sql:3: unknown marker '  -- migrate:down' "
	    "(expected '-- migrate:up' or '-- migrate:down' at the start of a "
	    "line)", "an indented marker is an error, not a comment");
	expect_error("-- migrate:up\nCREATE TABLE u(a);\n-- Migrate:Down\n"
	    "DROP TABLE u;\n", "f.sql:3: unknown marker '-- Migrate:Down' "
	    "(expected '-- migrate:up' or '-- migrate:down' at the start of a "
	    "line)", "a differently cased marker is an error");
	buf_reset(&err);
	ok(migration_parse("f.sql", "-- migrate:up\nSELECT 1;\n\0x", 26, &m,
	    &err) == RUNNER_EFAIL, "NUL byte fails");
	is_str(err.buf, "f.sql:3: NUL byte in file", "NUL byte message");
	expect_error("", "f.sql: no '-- migrate:up' marker", "empty file");
}

static void
test_checksum(void)
{
	struct migration a, b, c;
	char sa[CHECKSUM_LEN + 1], sb[CHECKSUM_LEN + 1];

	ok(parse("-- migrate:up\nSELECT 1;\n", &a) == 0, "LF file");
	ok(parse("\xEF\xBB\xBF-- migrate:up\r\nSELECT 1;\r\n", &b) == 0,
	    "BOM + CRLF file");
	ok(parse("-- migrate:up\rSELECT 1;\r", &c) == 0, "CR file");
	checksum_format(a.crc, sa);
	checksum_format(b.crc, sb);
	is_str(sa, sb, "BOM and CRLF do not change the checksum");
	is_int(a.crc, c.crc, "lone CR does not change the checksum");
	is_int(a.crc, text_crc32("-- migrate:up\nSELECT 1;\n", 24),
	    "checksum is the CRC-32 of the normalized text");
	ok(strncmp(sa, "crc32:", 6) == 0 && strlen(sa) == 14,
	    "checksum format crc32:xxxxxxxx");
	is_str(sa, "crc32:a26da1f3", "known CRC-32 value (python zlib.crc32)");
	migration_release(&a);
	migration_release(&b);
	migration_release(&c);
}

static void
test_versions(void)
{
	ok(version_cmp("9", "10") < 0, "9 < 10");
	ok(version_cmp("01", "001") == 0, "01 == 001");
	ok(version_cmp("0", "000") == 0, "0 == 000");
	ok(version_cmp("20261121104500", "999") > 0, "timestamp > 999");
	ok(version_cmp("123456789012345678901234567890",
	    "123456789012345678901234567891") < 0, "wider than 64 bits");
	ok(version_valid("007") && !version_valid("") && !version_valid("1a"),
	    "version_valid");
	ok(version_valid("1.2.3") && version_valid("1_2") &&
	    !version_valid("1..2") && !version_valid(".1") &&
	    !version_valid("1.") && !version_valid("1._2"),
	    "dotted versions: parts of digits");
	ok(version_cmp("1.2", "1.10") < 0, "1.2 < 1.10 part by part");
	ok(version_cmp("1.0", "1") == 0 && version_cmp("1.0.0", "001") == 0,
	    "missing parts are 0: 1.0 == 1");
	ok(version_cmp("1_1", "1.1") == 0, "'_' separates parts as '.' does");
	ok(version_cmp("2", "1.9.9") > 0, "2 > 1.9.9");
	ok(version_cmp("1.2", "abc") < 0 && version_cmp("abc", "abd") < 0,
	    "text that is not a version sorts after, as text");
	ok(version_is_zero("0") && version_is_zero("000") &&
	    version_is_zero("0.0") && !version_is_zero("0.1") &&
	    !version_is_zero("x"), "version_is_zero");
}

static void
test_lexing(void)
{
	const char *s = "  -- c\n/* x */\n  SELECT 1;";

	is_int(sql_skip_space(s, strlen(s), 0), 17, "skips comments");
	ok(!sql_has_code("-- a\n/* b */\n\t", 14), "comments only: no code");
	ok(sql_has_code("/* unterminated", 15) == 0, "unterminated comment");
	is_int(text_line_at("a\nb\nc", 5, 4), 3, "line of offset");
}

int
main(void)
{
	test_sections();
	test_options();
	test_goose();
	test_errors();
	test_checksum();
	test_versions();
	test_lexing();
	buf_release(&err);
	return done_testing();
}
