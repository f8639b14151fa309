/*
 * Unit tests for SQLite's lexer (text_sqlite_lex.c): its tokens and
 * statements, and, over a corpus of SQL files, that what it feeds gives
 * the same bytes as the code before it did. Describe's canonical text is
 * kept in users' drift records, so it must never change:
 * tests/unit/sqlite_lex.expect holds files (the .sql of migrations/ and
 * tests/, and the fuzz corpus, as they were), and for each its normalized
 * text, a digest of the normalized text of every line to the file's end,
 * its lint warnings in both dialects and the schema its up section
 * describes, as the tokenizers before this one gave them. "t_sqlite_lex
 * --write FILE..." prints that for the files named.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "tap.h"
#include "store_sqlite_describe.h"
#include "text_lint.h"
#include "text_sqlite_lex.h"

#define EXPECT "tests/unit/sqlite_lex.expect"

/* The tokens of s, one "type:text" each, space-separated. */
static char *
tokens(const char *s)
{
	static const char types[] = "EWSIP";
	struct buf b = BUF_INIT;
	struct sqlite_tok t;
	size_t at = 0, len = strlen(s);

	for (;;) {
		at = sqlite_lex_token(s, len, at, &t);
		if (t.type == SQT_END)
			break;
		buf_addf(&b, "%s%c%s:%.*s", b.len ? " " : "", types[t.type],
		    t.open ? "+" : "", (int)t.len, s + t.off);
	}
	return buf_detach(&b, NULL);
}

#define TOKENS(sql, want, what) do { \
	char *got_ = tokens(sql); \
	is_str(got_, want, "tokens: %s", what); \
	free(got_); \
} while (0)

static void
test_tokens(void)
{
	TOKENS("select a1,$b from t", "W:select W:a1 P:, W:$b W:from W:t",
	    "words and punctuation");
	TOKENS("'it''s' \"a\"\"b\" `c` [d]]", "S:'it''s' I:\"a\"\"b\" I:`c` "
	    "I:[d] P:]", "strings and the three identifier quotes");
	TOKENS("x -- c\n/* d */ y", "W:x W:y", "comments are skipped");
	TOKENS("a<>b!=c==d<=e>=f||g<<h>>i->j->>k",
	    "W:a P:<> W:b P:!= W:c P:== W:d P:<= W:e P:>= W:f P:|| W:g "
	    "P:<< W:h P:>> W:i P:-> W:j P:->> W:k", "operators");
	TOKENS("a-=b-<c=>d", "W:a P:- P:= W:b P:- P:< W:c P:=> W:d",
	    "a '-' pairs only with '>'");
	TOKENS("1.5e3", "W:1 P:. W:5e3", "numbers are words");
	TOKENS("'open", "S+:'open", "a string the text ends in");
	TOKENS("[open", "I+:[open", "an identifier the text ends in");
	TOKENS("\"a\"\"", "I+:\"a\"\"", "a doubled quote does not close");
	TOKENS("  -- only a comment", "", "nothing but a comment");
}

/* The statements of s, as "[text]" each. */
static char *
statements(const char *s)
{
	struct buf b = BUF_INIT;
	struct sqlite_lex p;
	size_t start, end;

	sqlite_lex_init(&p, s, strlen(s));
	while (sqlite_lex_next(&p, &start, &end))
		buf_addf(&b, "[%.*s]", (int)(end - start), s + start);
	return buf_detach(&b, NULL);
}

#define STATEMENTS(sql, want, what) do { \
	char *got_ = statements(sql); \
	is_str(got_, want, "statements: %s", what); \
	free(got_); \
} while (0)

static void
test_statements(void)
{
	STATEMENTS("a; b;c", "[a;][b;][c]", "cut at ';'");
	STATEMENTS(";; -- x\n ; a ;;", "[a ;]", "empty statements skipped");
	STATEMENTS("a 'x;y' \"p;q\" /* ; */;", "[a 'x;y' \"p;q\" /* ; */;]",
	    "';' in strings, identifiers and comments");
	STATEMENTS("CREATE TRIGGER t AFTER INSERT ON x BEGIN "
	    "UPDATE y SET a = CASE WHEN 1 THEN 2 END; DELETE FROM z; END; b;",
	    "[CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = CASE "
	    "WHEN 1 THEN 2 END; DELETE FROM z; END;][b;]",
	    "a trigger's body, with a CASE in it");
	STATEMENTS("create temp trigger t before delete on x begin select 1; "
	    "end;", "[create temp trigger t before delete on x begin select 1;"
	    " end;]", "CREATE TEMP TRIGGER, in lower case");
	STATEMENTS("CREATE TABLE \"TRIGGER\" (BEGIN); x;",
	    "[CREATE TABLE \"TRIGGER\" (BEGIN);][x;]",
	    "a quoted TRIGGER is a name");
	STATEMENTS("", "", "no text");
}

static int
read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	return 0;
}

/* The normalized text of every line of data to its end, as a digest. */
static void
suffixes(const struct buf *data, struct buf *out)
{
	struct buf all = BUF_INIT;
	char sum[CHECKSUM_LEN + 1];
	size_t i;

	for (i = 0; i < data->len; i++) {
		if (i > 0 && data->buf[i - 1] != '\n')
			continue;
		sqlite_sql_normalize(data->buf + i, data->len - i, &all);
		buf_addch(&all, '\n');
	}
	checksum_format(text_crc32(all.buf, all.len), sum);
	buf_addf(out, "-- normalized, each line to the end: %s\n", sum);
	buf_release(&all);
}

static void
lint_both(const char *path, const struct migration *m, struct buf *out)
{
	buf_adds(out, "-- lint sqlite\n");
	lint_migration(path, m, LINT_SQLITE, out);
	buf_adds(out, "-- lint postgresql\n");
	lint_migration(path, m, LINT_POSTGRESQL, out);
}

/* The schema sql leaves (as far as SQLite runs it), one object a line. */
static void
described(const char *sql, struct buf *out)
{
	struct schema s = SCHEMA_INIT;
	struct buf err = BUF_INIT;
	sqlite3 *db = NULL;
	size_t i;

	buf_adds(out, "-- described\n");
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		goto out;
	(void)sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (sqlite_describe(db, "schema_migrations", &s, &err) < 0)
		buf_addf(out, "error: %s\n", err.buf);
	for (i = 0; i < s.n; i++)
		buf_addf(out, "%s %s: %s\n", s.v[i].kind, s.v[i].name,
		    s.v[i].def);
out:
	sqlite3_close(db);
	schema_release(&s);
	buf_release(&err);
}

/* What the expect file says of the file name holding data, into out. */
static void
corpus_entry(const char *name, const struct buf *data, struct buf *out)
{
	struct buf err = BUF_INIT;
	struct migration m;
	char *up;

	buf_adds(out, "-- normalized\n");
	sqlite_sql_normalize(data->buf, data->len, out);
	buf_addch(out, '\n');
	suffixes(data, out);
	if (migration_parse(name, data->buf, data->len, &m, &err) < 0) {
		buf_addf(out, "-- parse error: %s\n", err.buf);
		described(data->buf, out);
	} else {
		lint_both(name, &m, out);
		up = xstrndup(m.text + m.up.off, m.up.len);
		described(up, out);
		free(up);
		migration_release(&m);
	}
	buf_release(&err);
}

/*
 * For each file: "== NAME INLEN OUTLEN\n", the file's INLEN bytes, then
 * OUTLEN bytes of what corpus_entry says of it and a newline. The files
 * are kept in it, so that the corpus stays as it was when they change.
 */
static int
write_expect(int argc, char **argv)
{
	struct buf data = BUF_INIT, e = BUF_INIT;
	int i;

	for (i = 0; i < argc; i++) {
		buf_reset(&data);
		buf_reset(&e);
		if (read_file(argv[i], &data) < 0) {
			fprintf(stderr, "cannot read '%s'\n", argv[i]);
			return 1;
		}
		corpus_entry(argv[i], &data, &e);
		printf("== %s %zu %zu\n", argv[i], data.len, e.len);
		fwrite(data.buf, 1, data.len, stdout);
		fwrite(e.buf, 1, e.len, stdout);
		putchar('\n');
	}
	buf_release(&data);
	buf_release(&e);
	return 0;
}

/*
 * One entry of the expect file at *p into name, data and want: 1, 0 at
 * the file's end, -1 when it is not one.
 */
static int
next_entry(const char **p, const char *end, struct buf *name,
    struct buf *data, struct buf *want)
{
	const char *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) :
	    NULL;
	unsigned long in, out;
	int n = 0;
	char *line;

	if (*p >= end)
		return 0;
	if (nl == NULL)
		return -1;
	line = xstrndup(*p, (size_t)(nl - *p));
	buf_reset(name);
	buf_grow(name, strlen(line));
	if (sscanf(line, "== %s %lu %lu%n", name->buf, &in, &out, &n) != 3 ||
	    line[n] != '\0' || in + out + 1 > (size_t)(end - nl - 1)) {
		free(line);
		return -1;
	}
	free(line);
	name->len = strlen(name->buf);
	buf_reset(data);
	buf_add(data, nl + 1, in);
	buf_reset(want);
	buf_add(want, nl + 1 + in, out);
	*p = nl + 1 + in + out + 1;
	return 1;
}

static void
test_corpus(void)
{
	struct buf file = BUF_INIT, name = BUF_INIT, data = BUF_INIT;
	struct buf want = BUF_INIT, got = BUF_INIT;
	const char *p;
	size_t n = 0;
	int r;

	if (!ok(read_file(EXPECT, &file) == 0, "read %s", EXPECT))
		return;
	for (p = file.buf; (r = next_entry(&p, file.buf + file.len, &name,
	    &data, &want)) > 0; n++) {
		buf_reset(&got);
		corpus_entry(name.buf, &data, &got);
		if (!ok(got.len == want.len && memcmp(got.buf, want.buf,
		    got.len) == 0, "corpus: %s as before", name.buf))
			diag("# got:\n%s\n# want:\n%s\n", got.buf, want.buf);
	}
	ok(r == 0 && n >= 20, "%s read to its end: %zu files", EXPECT, n);
	buf_release(&file);
	buf_release(&name);
	buf_release(&data);
	buf_release(&want);
	buf_release(&got);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--write") == 0)
		return write_expect(argc - 2, argv + 2);
	test_tokens();
	test_statements();
	test_corpus();
	return done_testing();
}
