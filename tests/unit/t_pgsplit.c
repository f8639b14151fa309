/* Unit tests for the PostgreSQL statement splitter. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text_pgsplit.h"
#include "tap.h"

/* The statements of sql, joined by " | ". */
static char *
split(const char *sql)
{
	struct buf out = BUF_INIT;
	struct pgsplit p;
	size_t start, end;

	pgsplit_init(&p, sql, strlen(sql));
	while (pgsplit_next(&p, &start, &end)) {
		if (out.len)
			buf_adds(&out, " | ");
		buf_add(&out, sql + start, end - start);
	}
	return buf_detach(&out, NULL);
}

#define SPLITS(sql, want, ...) do { \
	char *got_ = split(sql); \
	is_str(got_, want, __VA_ARGS__); \
	free(got_); \
} while (0)

static void
test_basic(void)
{
	SPLITS("", "", "empty text has no statement");
	SPLITS("  \n-- only a comment\n/* and another */\n", "",
	    "blanks and comments are no statement");
	SPLITS("SELECT 1;", "SELECT 1;", "one statement");
	SPLITS("SELECT 1", "SELECT 1", "no final semicolon");
	SPLITS("SELECT 1;SELECT 2;\n  SELECT 3 ;",
	    "SELECT 1; | SELECT 2; | SELECT 3 ;", "three statements");
	SPLITS(";;\n;SELECT 1;;;SELECT 2", "SELECT 1; | SELECT 2",
	    "empty statements are skipped");
	SPLITS("-- lead\nSELECT 1; -- trail\n", "SELECT 1;",
	    "a statement starts at its first token");
	SPLITS("SELECT 1 -- no ; here\n, 2;", "SELECT 1 -- no ; here\n, 2;",
	    "a ; in a line comment");
	SPLITS("SELECT 1 /* ; */;", "SELECT 1 /* ; */;",
	    "a ; in a block comment");
}

static void
test_quotes(void)
{
	SPLITS("SELECT 'a;b'; SELECT 2", "SELECT 'a;b'; | SELECT 2",
	    "a ; in a string");
	SPLITS("SELECT 'it''s; fine'; SELECT 2",
	    "SELECT 'it''s; fine'; | SELECT 2", "doubled quotes");
	SPLITS("SELECT 'a\\'; SELECT 2", "SELECT 'a\\'; | SELECT 2",
	    "backslash is plain in a standard string");
	SPLITS("SELECT E'a\\'; b'; SELECT 2", "SELECT E'a\\'; b'; | SELECT 2",
	    "backslash escapes a quote in E''");
	SPLITS("SELECT e'\\\\'; SELECT 2", "SELECT e'\\\\'; | SELECT 2",
	    "escaped backslash ends an e'' string");
	SPLITS("SELECT x'1F', b'01', n'x;y'; SELECT 2",
	    "SELECT x'1F', b'01', n'x;y'; | SELECT 2", "other string prefixes");
	SPLITS("SELECT 1 AS \"a;\"\"b\"; SELECT 2",
	    "SELECT 1 AS \"a;\"\"b\"; | SELECT 2", "quoted identifiers");
	SPLITS("SELECT U&'d\\0061t;a'; SELECT 2",
	    "SELECT U&'d\\0061t;a'; | SELECT 2", "unicode strings");
	SPLITS("SELECT 'unterminated; SELECT 2",
	    "SELECT 'unterminated; SELECT 2", "an open string runs to the end");
	SPLITS("SELECT 1 /* open; comment", "SELECT 1 /* open; comment",
	    "an open comment runs to the end");
	SPLITS("SELECT 'a'\n'b;'; SELECT 2", "SELECT 'a'\n'b;'; | SELECT 2",
	    "continued strings");
}

static void
test_dollar(void)
{
	SPLITS("SELECT $$a;b$$; SELECT 2", "SELECT $$a;b$$; | SELECT 2",
	    "$$ quoting");
	SPLITS("SELECT $fn$ $$; $fn$; SELECT 2",
	    "SELECT $fn$ $$; $fn$; | SELECT 2", "tagged quoting nests $$");
	SPLITS("SELECT $a$ $b$; $a$; SELECT 2",
	    "SELECT $a$ $b$; $a$; | SELECT 2", "another tag inside");
	SPLITS("SELECT $A$ ; $a$ ; $A$; SELECT 2",
	    "SELECT $A$ ; $a$ ; $A$; | SELECT 2", "tags are case-sensitive");
	SPLITS("SELECT $1; SELECT 2", "SELECT $1; | SELECT 2",
	    "a parameter is no quote");
	SPLITS("SELECT a$b$; SELECT 2", "SELECT a$b$; | SELECT 2",
	    "$ inside an identifier is no quote");
	SPLITS("SELECT $x; SELECT 2", "SELECT $x; | SELECT 2",
	    "a $ without a closing $ is no quote");
	SPLITS("SELECT $q$ open; SELECT 2", "SELECT $q$ open; SELECT 2",
	    "an open dollar quote runs to the end");
	SPLITS("CREATE FUNCTION f() RETURNS int AS $body$\n"
	    "BEGIN\n  PERFORM 1; -- '\n  RETURN 'x;''';\nEND;\n"
	    "$body$ LANGUAGE plpgsql;\nSELECT f();",
	    "CREATE FUNCTION f() RETURNS int AS $body$\n"
	    "BEGIN\n  PERFORM 1; -- '\n  RETURN 'x;''';\nEND;\n"
	    "$body$ LANGUAGE plpgsql; | SELECT f();", "a plpgsql body");
	SPLITS("SELECT $é$;$é$; SELECT 2", "SELECT $é$;$é$; | SELECT 2",
	    "non-ASCII tags");
}

static void
test_nesting(void)
{
	SPLITS("/* a /* nested ; */ still comment; */ SELECT 1; SELECT 2",
	    "SELECT 1; | SELECT 2", "nested block comments");
	SPLITS("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a "
	    "VALUES (1); INSERT INTO b VALUES (2)); SELECT 2",
	    "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a "
	    "VALUES (1); INSERT INTO b VALUES (2)); | SELECT 2",
	    "a ; inside parentheses");
	SPLITS("SELECT ((1); SELECT 2", "SELECT ((1); SELECT 2",
	    "unbalanced parentheses hold the ;");
	SPLITS("SELECT 1); SELECT 2", "SELECT 1); | SELECT 2",
	    "a stray ) does not go below zero");
	SPLITS("CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 END;\n"
	    "END; SELECT 2",
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 END;\n"
	    "END; | SELECT 2", "BEGIN ATOMIC body");
	SPLITS("create or replace procedure p() begin atomic insert into t "
	    "values (1); end; call p()",
	    "create or replace procedure p() begin atomic insert into t "
	    "values (1); end; | call p()", "OR REPLACE PROCEDURE, lowercase");
	SPLITS("BEGIN; SELECT CASE WHEN true THEN 1 END; END;",
	    "BEGIN; | SELECT CASE WHEN true THEN 1 END; | END;",
	    "BEGIN outside a routine is a statement");
	SPLITS("CREATE TABLE begin_x (a int); SELECT 2",
	    "CREATE TABLE begin_x (a int); | SELECT 2",
	    "BEGIN only as a whole word");
}

static void
test_positions(void)
{
	const char *sql = "-- c\nSELECT 1;\n\n  SELECT 'x';  ";
	struct pgsplit p;
	size_t start = 99, end = 99;

	pgsplit_init(&p, sql, strlen(sql));
	ok(pgsplit_next(&p, &start, &end), "first statement");
	is_int(start, 5, "starts after the comment");
	is_int(end, 14, "ends after its ;");
	ok(pgsplit_next(&p, &start, &end), "second statement");
	is_int(start, 18, "starts at its first token");
	is_int(end, 29, "ends after its ;");
	ok(!pgsplit_next(&p, &start, &end), "then no more");
	ok(!pgsplit_next(&p, &start, &end), "and still none");

	/* A NUL byte is an ordinary character; the length rules. */
	pgsplit_init(&p, "SELECT 1\0; SELECT 2", 19);
	ok(pgsplit_next(&p, &start, &end) && end == 10, "NUL inside text");
}

#define ENDS(sql, want, ...) \
	is_int(pgsplit_ends_tx(sql, strlen(sql)), want, __VA_ARGS__)

static void
test_ends_tx(void)
{
	ENDS("COMMIT", 1, "COMMIT");
	ENDS("commit work;", 1, "commit work");
	ENDS("COMMIT AND CHAIN", 1, "COMMIT AND CHAIN");
	ENDS("END", 1, "END");
	ENDS("end transaction", 1, "end transaction");
	ENDS("ABORT", 1, "ABORT");
	ENDS("ROLLBACK;", 1, "ROLLBACK");
	ENDS("rollback /* x */ work", 1, "rollback work");
	ENDS("PREPARE TRANSACTION 'x'", 1, "PREPARE TRANSACTION");
	ENDS("ROLLBACK TO SAVEPOINT a", 0, "ROLLBACK TO SAVEPOINT");
	ENDS("ROLLBACK TO a", 0, "ROLLBACK TO");
	ENDS("ROLLBACK WORK TO a", 0, "ROLLBACK WORK TO");
	ENDS("ROLLBACK TRANSACTION TO SAVEPOINT a", 0,
	    "ROLLBACK TRANSACTION TO");
	ENDS("ROLLBACK PREPARED 'x'", 0, "ROLLBACK PREPARED");
	ENDS("COMMIT PREPARED 'x'", 0, "COMMIT PREPARED");
	ENDS("PREPARE q AS SELECT 1", 0, "PREPARE a query");
	ENDS("BEGIN", 0, "BEGIN");
	ENDS("SAVEPOINT a", 0, "SAVEPOINT");
	ENDS("SELECT 'COMMIT'", 0, "a string");
	ENDS("\"commit\"", 0, "a quoted identifier");
	ENDS("committed", 0, "a longer word");
	ENDS("", 0, "nothing");
}

/* pgsplit_mask_tx on a copy of sql: the result and the count. */
#define MASKS(sql, want, count, ...) do { \
	char *m_ = strdup(sql); \
	size_t n_ = pgsplit_mask_tx(m_, strlen(m_)); \
	is_str(m_, want, __VA_ARGS__); \
	is_int((int)n_, count, __VA_ARGS__); \
	free(m_); \
} while (0)

static void
test_mask_tx(void)
{
	MASKS("", "", 0, "empty script");
	MASKS("CREATE TABLE t (a int);\n", "CREATE TABLE t (a int);\n", 0,
	    "no transaction control: unchanged");
	MASKS("SELECT 1;\nBEGIN;\nSELECT pg_catalog.lo_open('1', 131072);\n"
	    "COMMIT;\n",
	    "SELECT 1;\n      \nSELECT pg_catalog.lo_open('1', 131072);\n"
	    "       \n", 2, "pg_dump's BEGIN/COMMIT around large objects");
	MASKS("begin work;\nSTART TRANSACTION;\nend;\nrollback;\nabort;\n",
	    "           \n                  \n    \n         \n      \n", 5,
	    "every spelling of begin and end, any case");
	MASKS("COMMIT\n;\n", "      \n \n", 1,
	    "a statement over two lines keeps its newline");
	MASKS("ROLLBACK TO a;\nSAVEPOINT a;\nCOMMIT PREPARED 'x';\n",
	    "ROLLBACK TO a;\nSAVEPOINT a;\nCOMMIT PREPARED 'x';\n", 0,
	    "savepoints and prepared transactions are left");
	MASKS("CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\n"
	    "INSERT INTO t VALUES (1);\nCOMMIT;\nEND $$;\n",
	    "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\n"
	    "INSERT INTO t VALUES (1);\nCOMMIT;\nEND $$;\n", 0,
	    "COMMIT inside a dollar-quoted body is the body's");
	MASKS("CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	    "SELECT 1;\nEND;\n",
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	    "SELECT 1;\nEND;\n", 0, "BEGIN ATOMIC bodies are left");
	MASKS("COPY public.t (a) FROM stdin;\nBEGIN;\nCOMMIT;\nit's\n\\.\n"
	    "COMMIT;\n",
	    "COPY public.t (a) FROM stdin;\nBEGIN;\nCOMMIT;\nit's\n\\.\n"
	    "       \n", 1, "COPY data is data, up to \\.");
	MASKS("copy t from stdin ;\nCOMMIT;\n",
	    "copy t from stdin ;\nCOMMIT;\n", 0,
	    "COPY data without its end marker runs to the end");
	MASKS("\\restrict abc'def\nCOMMIT;\n\\unrestrict x\n",
	    "\\restrict abc'def\n       \n\\unrestrict x\n", 1,
	    "meta-commands are one line, quotes and all");
	MASKS("COPY t TO stdout;\nCOMMIT;\n",
	    "COPY t TO stdout;\n       \n", 1, "COPY TO has no data after it");
	MASKS("SELECT 'x\nCOMMIT;\ny';\n", "SELECT 'x\nCOMMIT;\ny';\n", 0,
	    "COMMIT inside a string");
}

/* What pgsplit_classify says of one statement, as text. */
static void
classes(const char *sql, struct buf *out)
{
	struct pgsplit_class c;

	buf_reset(out);
	pgsplit_classify(sql, strlen(sql), &c);
	buf_addf(out, "%s|%s|%s%s%s%s", c.cluster ? c.cluster : "",
	    c.external ? c.external : "", c.notx ? "notx " : "",
	    c.maintenance ? "maint " : "", c.txctl ? "tx " : "",
	    c.undoes ? "undoes " : "");
	if (c.concurrently != (size_t)-1)
		buf_addf(out, "@%zu", c.concurrently);
}

#define CLASS(sql, want, ...) do { \
	classes(sql, &b); \
	is_str(b.buf, want, __VA_ARGS__); \
} while (0)

static void
test_classify(void)
{
	struct buf b = BUF_INIT;

	CLASS("CREATE TABLE t (a int)", "||", "a table is the database's");
	CLASS("create role app login", "roles||", "CREATE ROLE");
	CLASS("DROP USER IF EXISTS app", "roles||", "DROP USER");
	CLASS("ALTER ROLE app SET work_mem = '64MB'", "role settings||",
	    "ALTER ROLE ... SET");
	CLASS("CREATE USER MAPPING FOR app SERVER s", "||",
	    "a user mapping is the database's");
	CLASS("GRANT app_reader TO app", "role memberships||",
	    "GRANT of a role");
	CLASS("REVOKE ADMIN OPTION FOR a FROM b", "role memberships||",
	    "REVOKE of a role");
	CLASS("GRANT SELECT ON ALL TABLES IN SCHEMA public TO app", "||",
	    "GRANT on tables");
	CLASS("GRANT CONNECT ON DATABASE app TO x",
	    "grants on databases, tablespaces or parameters||",
	    "GRANT on a database");
	CLASS("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app", "||",
	    "default privileges are the database's");
	CLASS("CREATE DATABASE x", "databases||notx ", "CREATE DATABASE");
	CLASS("ALTER DATABASE x SET search_path = a", "databases||",
	    "ALTER DATABASE ... SET");
	CLASS("CREATE TABLESPACE s LOCATION '/x'", "tablespaces||notx ",
	    "CREATE TABLESPACE");
	CLASS("ALTER SYSTEM SET work_mem = '1MB'",
	    "server settings (ALTER SYSTEM)||notx ", "ALTER SYSTEM");
	CLASS("COMMENT ON ROLE app IS 'x'", "comments or labels on roles, "
	    "databases or tablespaces||", "COMMENT ON ROLE");
	CLASS("COMMENT ON TABLE t IS 'CREATE ROLE'", "||", "COMMENT ON TABLE");
	CLASS("REASSIGN OWNED BY a TO b",
	    "roles' objects (REASSIGN OWNED, DROP OWNED)||", "REASSIGN OWNED");
	CLASS("COPY t TO PROGRAM 'gzip > /tmp/x'",
	    "|programs run on the server (COPY PROGRAM)|", "COPY TO PROGRAM");
	CLASS("COPY t TO '/tmp/x'", "|files on the server (COPY TO)|",
	    "COPY TO a file");
	CLASS("COPY t TO STDOUT", "||", "COPY TO STDOUT");
	CLASS("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
	    "|subscriptions|notx ", "CREATE SUBSCRIPTION");
	CLASS("VACUUM t", "||notx maint ", "VACUUM");
	CLASS("ANALYZE t", "||maint ", "ANALYZE runs in a transaction");
	CLASS("CREATE INDEX CONCURRENTLY i ON t (a)", "||notx @13",
	    "CREATE INDEX CONCURRENTLY");
	CLASS("create unique index concurrently if not exists i on t (a)",
	    "||notx @20", "CREATE UNIQUE INDEX CONCURRENTLY");
	CLASS("DROP INDEX CONCURRENTLY i", "||notx @11",
	    "DROP INDEX CONCURRENTLY");
	CLASS("ALTER TABLE t DETACH PARTITION p CONCURRENTLY",
	    "||notx @33", "DETACH PARTITION ... CONCURRENTLY");
	CLASS("REFRESH MATERIALIZED VIEW CONCURRENTLY v", "||",
	    "REFRESH ... CONCURRENTLY runs in a transaction");
	CLASS("SELECT 'CONCURRENTLY'", "||", "a string is not a key word");
	CLASS("BEGIN", "||tx ", "BEGIN");
	CLASS("ROLLBACK", "||tx undoes ", "ROLLBACK");
	CLASS("ROLLBACK TO SAVEPOINT a", "||tx ", "ROLLBACK TO");
	CLASS("COMMIT", "||tx ", "COMMIT");
	CLASS("COMMIT PREPARED 'x'", "prepared transactions||notx tx ",
	    "COMMIT PREPARED");
	CLASS("DO $$ BEGIN CREATE ROLE x; END $$", "||",
	    "dynamic SQL is not seen");
	buf_release(&b);
}

/* Tokens, with what they are. */
static void
test_tokens(void)
{
	static const char sql[] = "SELECT E'a\\'b', $q$ x $q$, \"Id\", 1.5, "
	    "x'1F' /* c /* d */ */ -- e\n;";
	static const enum pgsplit_tok_type want[] = { PGT_WORD, PGT_STRING,
	    PGT_PUNCT, PGT_STRING, PGT_PUNCT, PGT_IDENT, PGT_PUNCT,
	    PGT_NUMBER, PGT_PUNCT, PGT_STRING, PGT_PUNCT, PGT_END };
	struct pgsplit_tok t;
	size_t at = 0, i;
	int same = 1;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		at = pgsplit_token(sql, strlen(sql), at, &t);
		if (t.type != want[i]) {
			printf("# token %zu: type %d, want %d\n", i, t.type,
			    want[i]);
			same = 0;
		}
	}
	ok(same, "tokens: strings, dollar quotes, identifiers, numbers, "
	    "nested comments");
	pgsplit_token(sql, strlen(sql), 7, &t);
	is_int(t.len, 7, "E'a\\'b' is one token");
}

int
main(void)
{
	test_basic();
	test_quotes();
	test_dollar();
	test_nesting();
	test_positions();
	test_ends_tx();
	test_mask_tx();
	test_classify();
	test_tokens();
	return done_testing();
}
