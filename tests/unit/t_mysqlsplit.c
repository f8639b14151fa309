/* Unit tests for the MySQL and MariaDB statement splitter and classifier. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text_mysqlsplit.h"
#include "tap.h"

/* The statements of sql, joined by " | "; an error as "error@OFF: why". */
static char *
split(const char *sql)
{
	struct buf out = BUF_INIT;
	struct mysqlsplit p;
	size_t start, end;
	int r;

	mysqlsplit_init(&p, sql, strlen(sql));
	while ((r = mysqlsplit_next(&p, &start, &end)) > 0) {
		if (out.len)
			buf_adds(&out, " | ");
		buf_add(&out, sql + start, end - start);
	}
	if (r < 0)
		buf_addf(&out, "%serror@%zu: %s", out.len ? " | " : "",
		    p.error_at, p.error);
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
	SPLITS("  \n-- only a comment\n# another\n/* and a block */\n", "",
	    "blanks and comments are no statement");
	SPLITS("SELECT 1;", "SELECT 1", "one statement, without its delimiter");
	SPLITS("SELECT 1", "SELECT 1", "no final semicolon");
	SPLITS("SELECT 1;SELECT 2;\n  SELECT 3 ;",
	    "SELECT 1 | SELECT 2 | SELECT 3", "three statements");
	SPLITS(";;\n;SELECT 1;;;SELECT 2", "SELECT 1 | SELECT 2",
	    "empty statements are skipped");
	SPLITS("SELECT 1 -- no ; here\n, 2;", "SELECT 1 -- no ; here\n, 2",
	    "a ; in a -- comment");
	SPLITS("SELECT 1 # no ; here\n, 2;", "SELECT 1 # no ; here\n, 2",
	    "a ; in a # comment");
	SPLITS("SELECT 1--2;SELECT 3", "SELECT 1--2 | SELECT 3",
	    "-- without a blank after it is two minus signs");
	SPLITS("SELECT 1 /* ; */;", "SELECT 1 /* ; */",
	    "a ; in a block comment");
	SPLITS("SELECT 1 /* /* */; SELECT 2", "SELECT 1 /* /* */ | SELECT 2",
	    "block comments do not nest");
}

static void
test_quotes(void)
{
	SPLITS("SELECT 'a;b'; SELECT 2", "SELECT 'a;b' | SELECT 2",
	    "a ; in a string");
	SPLITS("SELECT \"a;b\"; SELECT 2", "SELECT \"a;b\" | SELECT 2",
	    "a ; in a double-quoted string");
	SPLITS("SELECT 'it''s; fine'; SELECT 2",
	    "SELECT 'it''s; fine' | SELECT 2", "doubled quotes");
	SPLITS("SELECT 'a\\'; b'; SELECT 2", "SELECT 'a\\'; b' | SELECT 2",
	    "a backslash escapes a quote");
	SPLITS("SELECT `a;b` FROM t; SELECT 2", "SELECT `a;b` FROM t | SELECT 2",
	    "a ; in a backtick identifier");
	SPLITS("SELECT `a\\`; SELECT 2", "SELECT `a\\` | SELECT 2",
	    "a backslash is plain in a backtick identifier");
	SPLITS("SELECT 'open;", "SELECT 'open;",
	    "an unterminated string runs to the end");
}

static void
test_versioned(void)
{
	SPLITS("/*!40101 SET NAMES utf8mb4 */;\nSELECT 1;",
	    "/*!40101 SET NAMES utf8mb4 */ | SELECT 1",
	    "a versioned comment is a statement");
	SPLITS("/*M!100100 SET a = 1 */; /*! SET b = 2 */;",
	    "/*M!100100 SET a = 1 */ | /*! SET b = 2 */",
	    "MariaDB's and version-less ones too");
	SPLITS("#Mine\n-- M!\nSELECT 1;", "SELECT 1",
	    "plain comments that look like markers are comments");
	SPLITS("CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH (a) */;",
	    "CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH (a) */",
	    "inside a statement");
}

static void
test_delimiter(void)
{
	SPLITS("DELIMITER $$\n"
	    "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\n"
	    "BEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND$$\n"
	    "DELIMITER ;\nSELECT 1;",
	    "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\n"
	    "BEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND | SELECT 1",
	    "DELIMITER lines change what ends a statement");
	SPLITS("delimiter //\nSELECT 1; SELECT 2//\nSELECT 3//",
	    "SELECT 1; SELECT 2 | SELECT 3", "lower case, and //");
	SPLITS("DELIMITER $$\nSELECT '$$'$$", "SELECT '$$'",
	    "not inside a string");
	SPLITS("SELECT 1;\nDELIMITER", "SELECT 1 | error@10: DELIMITER must "
	    "be followed by a delimiter character or string",
	    "DELIMITER alone is an error");
	SPLITS("DELIMITER \\\\\n", "error@0: DELIMITER cannot contain a "
	    "backslash character", "a backslash is refused");
	SPLITS("DELIMITER abcdefghijklmnopq\n", "error@0: DELIMITER is longer "
	    "than 15 characters", "a long one is refused");
	SPLITS("SELECT delimiter FROM t;", "SELECT delimiter FROM t",
	    "the word inside a statement is a column");
	SPLITS("DELIMITERS;", "DELIMITERS", "DELIMITERS is not DELIMITER");
}

/* The classification of sql, as "commits|cluster|txctl". */
static char *
klass(const char *sql)
{
	struct mysqlsplit_class c;
	struct buf out = BUF_INIT;

	mysqlsplit_classify(sql, strlen(sql), &c);
	buf_addf(&out, "%s|%s|%d", c.commits[0] ? c.commits : "-",
	    c.cluster ? c.cluster : "-", c.txctl);
	return buf_detach(&out, NULL);
}

#define CLASS(sql, want) do { \
	char *got_ = klass(sql); \
	is_str(got_, want, "%s", sql); \
	free(got_); \
} while (0)

static void
test_classify(void)
{
	CLASS("INSERT INTO t VALUES (1)", "-|-|0");
	CLASS("UPDATE t SET a = 1", "-|-|0");
	CLASS("CREATE TABLE t (a INT)", "CREATE TABLE|-|0");
	CLASS("create table if not exists t (a int)", "CREATE TABLE|-|0");
	CLASS("CREATE TEMPORARY TABLE t (a INT)", "-|-|0");
	CLASS("DROP TEMPORARY TABLE t", "-|-|0");
	CLASS("CREATE UNIQUE INDEX i ON t (a)", "CREATE INDEX|-|0");
	CLASS("CREATE FULLTEXT INDEX i ON t (a)", "CREATE INDEX|-|0");
	CLASS("CREATE SPATIAL INDEX i ON t (g)", "CREATE INDEX|-|0");
	CLASS("CREATE OR REPLACE VIEW v AS SELECT 1", "CREATE VIEW|-|0");
	CLASS("CREATE ALGORITHM=MERGE DEFINER=`app`@`%` SQL SECURITY INVOKER "
	    "VIEW v AS SELECT 1", "CREATE VIEW|-|0");
	CLASS("CREATE DEFINER='app'@'localhost' TRIGGER tr BEFORE INSERT ON t "
	    "FOR EACH ROW SET NEW.a = 1", "CREATE TRIGGER|-|0");
	CLASS("CREATE DEFINER = CURRENT_USER() PROCEDURE p() BEGIN END",
	    "CREATE PROCEDURE|-|0");
	CLASS("CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1",
	    "CREATE FUNCTION|-|0");
	CLASS("ALTER TABLE t ADD COLUMN b INT", "ALTER TABLE|-|0");
	CLASS("ALTER ONLINE TABLE t ADD COLUMN b INT", "ALTER TABLE|-|0");
	CLASS("RENAME TABLE a TO b", "RENAME TABLE|-|0");
	CLASS("TRUNCATE t", "TRUNCATE TABLE|-|0");
	CLASS("DROP INDEX i ON t", "DROP INDEX|-|0");
	CLASS("DROP TABLE IF EXISTS t", "DROP TABLE|-|0");
	CLASS("/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR "
	    "EACH ROW SET NEW.a = 1 */", "CREATE TRIGGER|-|0");
	CLASS("CREATE DATABASE other", "CREATE DATABASE|databases|0");
	CLASS("CREATE USER 'u'@'%' IDENTIFIED BY 'x'", "CREATE USER|users|0");
	CLASS("DROP USER u", "DROP USER|users|0");
	CLASS("RENAME USER a TO b", "RENAME USER|users|0");
	CLASS("CREATE ROLE r", "CREATE ROLE|roles|0");
	CLASS("GRANT SELECT ON db.* TO u", "GRANT|grants|0");
	CLASS("REVOKE SELECT ON db.* FROM u", "REVOKE|grants|0");
	CLASS("SET PASSWORD FOR u = PASSWORD('x')", "SET PASSWORD|users|0");
	CLASS("SET DEFAULT ROLE r FOR u", "SET DEFAULT ROLE|roles|0");
	CLASS("SET GLOBAL max_connections = 10", "-|global variables|0");
	CLASS("SET @@global.max_connections = 10", "-|global variables|0");
	CLASS("SET PERSIST max_connections = 10", "-|global variables|0");
	CLASS("SET @global = 1", "-|-|0");
	CLASS("SET NAMES utf8mb4", "-|-|0");
	CLASS("SET SESSION sql_mode = 'ANSI'", "-|-|0");
	CLASS("SET autocommit = 0", "-|-|1");
	CLASS("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "-|-|1");
	CLASS("INSTALL PLUGIN x SONAME 'x.so'", "INSTALL PLUGIN|plugins|0");
	CLASS("START TRANSACTION", "START TRANSACTION|-|1");
	CLASS("BEGIN", "BEGIN|-|1");
	CLASS("BEGIN NOT ATOMIC SELECT 1; END", "-|-|0");
	CLASS("COMMIT", "-|-|1");
	CLASS("ROLLBACK", "-|-|1");
	CLASS("SAVEPOINT a", "-|-|1");
	CLASS("LOCK TABLES t WRITE", "LOCK TABLES|-|1");
	CLASS("UNLOCK TABLES", "UNLOCK TABLES|-|1");
	CLASS("ANALYZE TABLE t", "ANALYZE TABLE|-|0");
	CLASS("OPTIMIZE TABLE t", "OPTIMIZE TABLE|-|0");
	CLASS("FLUSH PRIVILEGES", "FLUSH|-|0");
	CLASS("CHANGE MASTER TO MASTER_HOST='h'", "CHANGE MASTER TO|replication|0");
	CLASS("CREATE SEQUENCE s", "CREATE SEQUENCE|-|0");
	CLASS("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1",
	    "CREATE EVENT|-|0");
	CLASS("", "-|-|0");
}

static void
test_tokens(void)
{
	const char *s = "x'ff' `a``b` 12.5 'q' # c\n/*!40101 w */ -";
	struct mysqlsplit_tok t;
	size_t at = 0;
	char kinds[16];
	size_t n = 0;

	do {
		at = mysqlsplit_token(s, strlen(s), at, &t);
		kinds[n++] = "EWSINP"[t.type];
	} while (t.type != MYT_END && n < sizeof(kinds) - 1);
	kinds[n] = '\0';
	is_str(kinds, "SINSWPE", "token types, comments and markers skipped");
}

int
main(void)
{
	test_basic();
	test_quotes();
	test_versioned();
	test_delimiter();
	test_classify();
	test_tokens();
	return done_testing();
}
