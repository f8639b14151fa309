/*
 * Unit tests for the layouts: folder entries told apart and paired
 * (layout.c), whole-file sections, pairs, goose's ENVSUB, Flyway's
 * placeholders and the configuration files (migration.c, subst.c).
 */
#include <stdlib.h>

#include "tap.h"
#include "error.h"
#include "text_layout.h"
#include "text_migration.h"

static struct buf err = BUF_INIT;

/* Scans the names (a trailing '/' makes a folder, "a/b" a child of it). */
static int
scan(const char *const *names, size_t n, struct layout_scan *s)
{
	struct dir_entry e[16];
	const char *kids[16][4];
	size_t i, j, ne = 0;
	const char *slash;

	memset(e, 0, sizeof(e));
	for (i = 0; i < n; i++) {
		slash = strchr(names[i], '/');
		if (slash == NULL) {
			e[ne++].name = names[i];
			continue;
		}
		for (j = 0; j < ne; j++)
			if (e[j].is_dir && strncmp(e[j].name, names[i],
			    (size_t)(slash - names[i])) == 0 &&
			    e[j].name[slash - names[i]] == '\0')
				break;
		if (j == ne) {
			e[ne].name = xstrndup(names[i],
			    (size_t)(slash - names[i]));
			e[ne].is_dir = 1;
			e[ne].children = kids[ne];
			ne++;
		}
		if (slash[1])
			kids[j][e[j].nchildren++] = slash + 1;
	}
	buf_reset(&err);
	i = (size_t)layout_scan("m", e, ne, s, &err);
	for (j = 0; j < ne; j++)
		if (e[j].is_dir)
			free((char *)e[j].name);
	return (int)i;
}

static void
expect_scan_error(const char *const *names, size_t n, const char *msg,
    const char *title)
{
	struct layout_scan s;

	ok(scan(names, n, &s) == RUNNER_EFAIL, "%s: fails", title);
	ok(strstr(err.buf, msg) != NULL, "%s: says '%s'", title, msg);
	if (strstr(err.buf, msg) == NULL)
		printf("#   got '%s'\n", err.buf);
	layout_scan_release(&s);
}

#define N(a) (sizeof(a) / sizeof(a[0]))

static void
test_names(void)
{
	static const char *const pairs[] = { "2_b.down.sql", "1_a.up.sql",
	    "2_b.up.sql", "README.md", ".gitkeep", "seeds/", "seeds/x.sql" };
	static const char *const flyway[] = { "V1__init.sql", "V1_1__more.sql",
	    "U1_1__more.sql", "V1.10__later.SQL", "V1_1__more.sql.conf" };
	static const char *const diesel[] = {
	    "00000000000000_diesel_initial_setup/up.sql",
	    "00000000000000_diesel_initial_setup/down.sql",
	    "2020-01-01-000000_create_users/up.sql",
	    "2020-01-01-000000_create_users/metadata.toml",
	    "archive/", "archive/old.txt", "empty_folder/", ".diesel_lock" };
	static const char *const singles[] = { "0001-first.sql",
	    "0002_second.sql", "20200101000000_third.sql" };
	struct layout_scan s;

	ok(scan(pairs, N(pairs), &s) == 0 && s.n == 2, "pairs: two migrations");
	is_str(s.v[0].up, "m/1_a.up.sql", "1: its up");
	ok(s.v[0].down == NULL, "1: no down file");
	is_str(s.v[1].down, "m/2_b.down.sql", "2: its down");
	is_str(s.v[1].name, "b", "2: its name");
	layout_scan_release(&s);

	ok(scan(flyway, N(flyway), &s) == 0 && s.n == 3, "flyway: three");
	is_str(s.v[1].version, "1.1", "V1_1 is recorded as Flyway does: 1.1");
	is_str(s.v[1].down, "m/U1_1__more.sql", "its undo file");
	is_str(s.v[1].conf, "m/V1_1__more.sql.conf", "its .sql.conf");
	is_str(s.v[2].version, "1.10", "1.10 after 1.1, part by part");
	is_str(s.v[2].name, "later", "description");
	layout_scan_release(&s);

	ok(scan(diesel, N(diesel), &s) == 0 && s.n == 2, "diesel: two");
	is_str(s.v[0].version, "00000000000000", "diesel's setup: version 0");
	is_str(s.v[1].version, "20200101000000", "dashes dropped, as diesel");
	is_str(s.v[1].name, "create_users", "the name after the version");
	is_str(s.v[1].up, "m/2020-01-01-000000_create_users/up.sql", "up.sql");
	ok(s.v[1].down == NULL, "no down.sql: irreversible");
	is_str(s.v[1].conf, "m/2020-01-01-000000_create_users/metadata.toml",
	    "metadata.toml");
	is_str(s.v[0].down, "m/00000000000000_diesel_initial_setup/down.sql",
	    "down.sql");
	layout_scan_release(&s);

	ok(scan(singles, N(singles), &s) == 0 && s.n == 3, "singles");
	ok(s.v[0].dash && !s.v[1].dash, "dbmate's NNN-name.sql");
	layout_scan_release(&s);
}

static void
test_scan_errors(void)
{
	static const char *const down_only[] = { "1_a.up.sql",
	    "2_b.down.sql" };
	static const char *const undo_only[] = { "V1__a.sql", "U2__b.sql" };
	static const char *const mixed[] = { "1_a.sql", "2_b.up.sql",
	    "V3__c.sql" };
	static const char *const dup[] = { "1_a.sql", "001_b.sql" };
	static const char *const dup_fw[] = { "V1__a.sql", "V1.0__b.sql" };
	static const char *const js[] = { "1_a.sql", "20200101_init.js" };
	static const char *const odd[] = { "notes.sql" };
	static const char *const rep[] = { "V1__a.sql", "R__views.sql" };
	static const char *const badv[] = { "V1..2__a.sql" };
	static const char *const nosep[] = { "V1_init.sql" };
	static const char *const noup[] = { "2020-01-01-000000_x/down.sql" };
	static const char *const badd[] = { "abc_x/up.sql" };
	static const char *const conf[] = { "V1__a.sql", "V2__b.sql.conf" };
	static const char *const sqldir[] = { "002_dir.sql/" };

	expect_scan_error(down_only, N(down_only), "'m/2_b.down.sql' is a "
	    "down file without its up file ('2_b.up.sql')", "down without up");
	expect_scan_error(undo_only, N(undo_only), "'m/U2__b.sql' is a Flyway "
	    "undo migration without its versioned migration", "U without V");
	expect_scan_error(mixed, N(mixed), "mixes migration layouts",
	    "three layouts");
	ok(strstr(err.buf, "'m/2_b.up.sql'") && strstr(err.buf, "'m/V3__c.sql'"),
	    "the mixing error names the files");
	expect_scan_error(dup, N(dup), "duplicate migration version 1: "
	    "'m/001_b.sql' and 'm/1_a.sql'", "duplicate digits");
	expect_scan_error(dup_fw, N(dup_fw), "duplicate migration version",
	    "Flyway 1 and 1.0 are one version");
	expect_scan_error(js, N(js), "'m/20200101_init.js' looks like another "
	    "tool's migration (a numbered .js file)", "numbered .js");
	expect_scan_error(odd, N(odd), "'m/notes.sql' fits no migration layout",
	    "a .sql file of no layout");
	expect_scan_error(rep, N(rep), "'m/R__views.sql' is a Flyway "
	    "repeatable migration, which runner does not support",
	    "repeatable");
	expect_scan_error(badv, N(badv), "cannot parse Flyway version '1..2'",
	    "unparsable Flyway version");
	expect_scan_error(nosep, N(nosep), "is not named like a Flyway "
	    "migration", "V1_init.sql");
	expect_scan_error(noup, N(noup), "diesel migration folder "
	    "'m/2020-01-01-000000_x' has no up.sql", "diesel without up.sql");
	expect_scan_error(badd, N(badd), "its version 'abc' is not digits",
	    "diesel version");
	expect_scan_error(conf, N(conf), "'m/V2__b.sql.conf' configures no "
	    "versioned migration", "a .sql.conf without its file");
	expect_scan_error(sqldir, N(sqldir), "cannot read 'm/002_dir.sql': is "
	    "a directory", "a folder named .sql");
}

static void
test_decide(void)
{
	static const char *const singles[] = { "1_a.sql", "2_b.sql" };
	static const char *const pairs[] = { "1_a.up.sql", "2_b.sql" };
	static const char *const stamp[] = { "20200101000000_a.sql" };
	unsigned char marks[2];
	struct layout_scan s;
	enum layout l;

	scan(singles, 2, &s);
	marks[0] = MARKS_DBMATE;
	marks[1] = MARKS_GOOSE;
	ok(layout_decide("m", &s, marks, &l, &err) == 0 && l == LAYOUT_GOOSE,
	    "runner's and goose's markers mix; the newest decides");
	marks[1] = 0;
	buf_reset(&err);
	ok(layout_decide("m", &s, marks, &l, &err) == RUNNER_EFAIL &&
	    strstr(err.buf, "'m/2_b.sql'") != NULL,
	    "a file without markers beside marker files");
	marks[0] = 0;
	buf_reset(&err);
	ok(layout_decide("m", &s, marks, &l, &err) == 0 && l == LAYOUT_SQLX,
	    "files without markers: sqlx");
	layout_scan_release(&s);
	scan(pairs, 2, &s);
	marks[1] = MARKS_DBMATE;
	buf_reset(&err);
	ok(layout_decide("m", &s, marks, &l, &err) == RUNNER_EFAIL,
	    "a marker file beside a pair");
	marks[1] = 0;
	ok(layout_decide("m", &s, marks, &l, &err) == 0 && l == LAYOUT_SQLX,
	    "pairs and files without markers: sqlx");
	layout_scan_release(&s);
	scan(stamp, 1, &s);
	marks[0] = MARKS_DBMATE;
	ok(layout_decide("m", &s, marks, &l, &err) == 0 && l == LAYOUT_DBMATE,
	    "timestamp versions with dbmate's markers: dbmate");
	layout_scan_release(&s);
	ok(layout_from_name("golang-migrate") == LAYOUT_GOLANG_MIGRATE &&
	    layout_from_name("none") < 0, "layout names");
}

/* A fake environment: A=apple, EMPTY= and placeholder owner=alice. */
static const char *
lookup(void *arg, const char *name, size_t len, int placeholder)
{
	(void)arg;
	if (placeholder)
		return len == 5 && strncasecmp(name, "owner", 5) == 0 ?
		    "alice" : NULL;
	if (len == 1 && name[0] == 'A')
		return "apple";
	if (len == 5 && strncmp(name, "EMPTY", 5) == 0)
		return "";
	return NULL;
}

static const struct parse_env env = { lookup, NULL };

static int
parse_src(const char *up, const char *down, const char *conf,
    enum text_format format, unsigned flags, struct migration *m)
{
	struct migration_src src;

	memset(&src, 0, sizeof(src));
	src.path = "m/up.sql";
	src.data = up;
	src.len = strlen(up);
	if (down) {
		src.dpath = "m/down.sql";
		src.ddata = down;
		src.dlen = strlen(down);
	}
	if (conf) {
		src.cpath = "m/conf";
		src.cdata = conf;
		src.clen = strlen(conf);
	}
	src.format = format;
	src.flags = flags;
	src.env = &env;
	buf_reset(&err);
	return migration_parse_src(&src, m, &err);
}

static char *
text_of(const struct section *s)
{
	return xstrndup(s->text + s->off, s->len);
}

static void
expect_parse_error(const char *up, const char *down, const char *conf,
    enum text_format f, unsigned flags, const char *msg, const char *title)
{
	struct migration m;

	ok(parse_src(up, down, conf, f, flags, &m) == RUNNER_EFAIL, "%s: fails",
	    title);
	is_str(err.buf, msg, "%s: message", title);
}

static void
test_whole(void)
{
	struct migration m, m2;
	char *t;

	ok(parse_src("CREATE TABLE t (a);\n", "DROP TABLE t;\n", NULL,
	    FORMAT_WHOLE, 0, &m) == 0, "a pair parses");
	t = text_of(&m.down);
	is_str(t, "DROP TABLE t;\n", "the down is the down file");
	free(t);
	is_str(m.down.path, "m/down.sql", "the down names its own file");
	ok(m.reversible, "reversible");
	ok(parse_src("CREATE TABLE t (a);\n", "DROP TABLE t; \n", NULL,
	    FORMAT_WHOLE, 0, &m2) == 0 && m2.crc != m.crc,
	    "the checksum covers the down file");
	migration_release(&m2);
	ok(parse_src("CREATE TABLE t (a);\n", NULL, NULL, FORMAT_WHOLE, 0,
	    &m2) == 0 && m2.crc != m.crc && !m2.reversible,
	    "no down file: irreversible, another checksum");
	migration_release(&m2);
	migration_release(&m);
	ok(parse_src("SELECT 1;\n", "", NULL, FORMAT_WHOLE, 0, &m) == 0 &&
	    m.reversible && m.down.empty, "an empty down file: a no-op down");
	migration_release(&m);
	ok(parse_src("-- no-transaction\nVACUUM;\n", NULL, NULL, FORMAT_AUTO,
	    PARSE_NOTX_COMMENT, &m) == 0 && (m.up.flags & SECTION_NOTX) &&
	    m.marks == 0, "sqlx: -- no-transaction");
	migration_release(&m);
	ok(parse_src("-- Add migration script here\n", NULL, NULL, FORMAT_AUTO,
	    0, &m) == 0 && m.up.empty && m.marks == 0,
	    "no markers: the whole file, here empty");
	migration_release(&m);
	expect_parse_error("SELECT 1;\n", "-- migrate:down\nDROP TABLE t;\n",
	    NULL, FORMAT_WHOLE, 0, "m/down.sql:1: '-- migrate:down' is a "
	    "section marker, but in this layout a file is one section (a down "
	    "goes in a file of its own)", "a marker in a whole file");
	expect_parse_error("-- +migrate Up\nSELECT 1;\n", NULL, NULL,
	    FORMAT_AUTO, 0, "m/up.sql:1: '-- +migrate Up' is sql-migrate's "
	    "marker, and runner does not read sql-migrate's layout (write "
	    "'-- migrate:up' and '-- migrate:down' instead)",
	    "sql-migrate's file");
}

static void
test_envsub(void)
{
	struct migration m;
	char *t;

	ok(parse_src("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '$A', '${A}', "
	    "'${B:-x${A}}', '${EMPTY:-e}', '${EMPTY-u}', '$$', '\\$', '$(x)';\n"
	    "-- $B in a comment\n-- +goose ENVSUB OFF\nSELECT '$B';\n", NULL,
	    NULL, FORMAT_MARKERS, 0, &m) == 0, "ENVSUB parses");
	t = text_of(&m.up);
	is_str(t, "-- +goose ENVSUB ON\nSELECT 'apple', 'apple', 'xapple', "
	    "'e', '', '$', '$', '$(x)';\n-- $B in a comment\n"
	    "-- +goose ENVSUB OFF\nSELECT '$B';\n", "expanded as goose does");
	free(t);
	migration_release(&m);
	expect_parse_error("-- +goose Up\n-- +goose envsub on\nSELECT '$B';\n",
	    NULL, NULL, FORMAT_MARKERS, 0, "m/up.sql:3: ENVSUB: variable 'B' "
	    "is not set (set it, or give a default: ${B:-default})",
	    "an unset variable names it, the file and the line");
	expect_parse_error("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${B?no "
	    "B}';\n", NULL, NULL, FORMAT_MARKERS, 0, "m/up.sql:3: ENVSUB: "
	    "variable 'B' is not set: no B", "${B?message}");
	expect_parse_error("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${A';\n",
	    NULL, NULL, FORMAT_MARKERS, 0, "m/up.sql:3: ENVSUB: unexpected "
	    "''' after '${A'", "an unclosed brace");
	expect_parse_error("-- +goose Up\n-- +goose ENVSUB ON\nSELECT $1;\n",
	    NULL, NULL, FORMAT_MARKERS, 0, "m/up.sql:3: ENVSUB: '$' must be "
	    "followed by a variable name (write '$$' for a '$')", "$1");
	expect_parse_error("-- +goose Up\n-- +goose ENVSUB ON\nSELECT "
	    "'${A:1}';\n", NULL, NULL, FORMAT_MARKERS, 0, "m/up.sql:3: ENVSUB: "
	    "'${A:...}' (a substring) is not supported", "a substring");
	ok(parse_src("-- +goose Up\n-- +goose ENVSUB ON\nSELECT "
	    "'${B:-${C:-d}}';\n", NULL, NULL, FORMAT_MARKERS, 0, &m) == 0,
	    "nested defaults");
	migration_release(&m);
	ok(parse_src("-- +goose Up\nSELECT '$B';\n", NULL, NULL,
	    FORMAT_MARKERS, 0, &m) == 0, "without ENVSUB ON, $B is text");
	migration_release(&m);
}

static void
test_placeholders(void)
{
	struct migration m, m2;
	char *t;

	ok(parse_src("GRANT ALL ON t TO ${OWNER}; -- ${flyway:filename}\n",
	    NULL, NULL, FORMAT_WHOLE, PARSE_PLACEHOLDERS, &m) == 0,
	    "placeholders");
	t = text_of(&m.up);
	is_str(t, "GRANT ALL ON t TO alice; -- up.sql\n",
	    "replaced, matched without case");
	free(t);
	ok(parse_src("GRANT ALL ON t TO ${owner}; -- ${flyway:filename}\n",
	    NULL, NULL, FORMAT_WHOLE, PARSE_PLACEHOLDERS, &m2) == 0 &&
	    m2.crc != m.crc, "the checksum is of the file as written");
	migration_release(&m2);
	migration_release(&m);
	expect_parse_error("SELECT 1;\n\nSELECT '${missing}';\n", NULL, NULL,
	    FORMAT_WHOLE, PARSE_PLACEHOLDERS, "m/up.sql:3: no value for the "
	    "Flyway placeholder '${missing}': set FLYWAY_PLACEHOLDERS_missing "
	    "in the environment", "a placeholder never given");
	expect_parse_error("SELECT '${flyway:user}';\n", NULL, NULL,
	    FORMAT_WHOLE, PARSE_PLACEHOLDERS, "m/up.sql:1: Flyway's built-in "
	    "placeholder '${flyway:user}' has no value in runner (it knows "
	    "${flyway:filename} and ${flyway:table})", "flyway:user");
	expect_parse_error("SELECT '${open';\n", NULL, NULL, FORMAT_WHOLE,
	    PARSE_PLACEHOLDERS, "m/up.sql:1: Flyway placeholder '${' has no "
	    "closing '}'", "unclosed");
	ok(parse_src("SELECT '${x}';\n", NULL, "placeholderReplacement=false\n",
	    FORMAT_WHOLE, PARSE_PLACEHOLDERS | PARSE_CONF_FLYWAY, &m) == 0,
	    "placeholderReplacement=false in the .sql.conf");
	migration_release(&m);
}

static void
test_conf(void)
{
	struct migration m;

	ok(parse_src("VACUUM;\n", NULL, "# c\nexecuteInTransaction=false\n",
	    FORMAT_WHOLE, PARSE_CONF_FLYWAY, &m) == 0 &&
	    (m.up.flags & SECTION_NOTX), "executeInTransaction=false");
	migration_release(&m);
	expect_parse_error("SELECT 1;\n", NULL, "shouldExecute=false\n",
	    FORMAT_WHOLE, PARSE_CONF_FLYWAY, "m/conf:1: the Flyway script "
	    "setting 'shouldExecute=false' is not supported (runner reads "
	    "executeInTransaction, placeholderReplacement and encoding=UTF-8)",
	    "an unknown Flyway setting");
	ok(parse_src("SELECT 1;\n", "SELECT 2;\n", "run_in_transaction = false\n",
	    FORMAT_WHOLE, PARSE_CONF_DIESEL, &m) == 0 &&
	    (m.up.flags & SECTION_NOTX) && (m.down.flags & SECTION_NOTX),
	    "diesel: run_in_transaction = false, both sections");
	migration_release(&m);
	ok(parse_src("SELECT 1;\n", NULL, "run_in_transaction = true\n",
	    FORMAT_WHOLE, PARSE_CONF_DIESEL, &m) == 0 &&
	    !(m.up.flags & SECTION_NOTX), "run_in_transaction = true");
	migration_release(&m);
	expect_parse_error("SELECT 1;\n", NULL, "run_in_transaction = maybe\n",
	    FORMAT_WHOLE, PARSE_CONF_DIESEL, "m/conf:1: run_in_transaction must "
	    "be true or false, not 'maybe'", "a bad diesel value");
}

static void
test_file_format(void)
{
	unsigned f;

	is_int(layout_file_format("m/V1__a.sql", &f), FORMAT_WHOLE, "V1__a.sql");
	ok(f & PARSE_PLACEHOLDERS, "with placeholders");
	is_int(layout_file_format("m/1_a.up.sql", &f), FORMAT_WHOLE, "a pair");
	is_int(layout_file_format("m/x/up.sql", &f), FORMAT_WHOLE, "diesel's");
	is_int(layout_file_format("m/1-a.sql", &f), FORMAT_MARKERS, "dbmate's");
	is_int(layout_file_format("m/1_a.sql", &f), FORMAT_AUTO, "1_a.sql");
}

int
main(void)
{
	test_names();
	test_scan_errors();
	test_decide();
	test_whole();
	test_envsub();
	test_placeholders();
	test_conf();
	test_file_format();
	buf_release(&err);
	return done_testing();
}
