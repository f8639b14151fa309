/* Unit tests for lint: each rule, and what must not fool it. */
#include <stdlib.h>

#include "tap.h"
#include "text_lint.h"

/* The warnings for a file of text in dialect, as lint prints them. */
static char *
lint_as(const char *text, int dialect)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct migration m;
	size_t n;

	if (migration_parse("f.sql", text, strlen(text), &m, &err) < 0) {
		buf_release(&out);
		buf_addf(&out, "parse error: %s\n", err.buf);
		buf_release(&err);
		return buf_detach(&out, NULL);
	}
	n = lint_migration("f.sql", &m, dialect, &out);
	if (n != 0 && out.len == 0)
		buf_adds(&out, "count without lines\n");
	migration_release(&m);
	return buf_detach(&out, NULL);
}

static char *
lint(const char *text)
{
	return lint_as(text, LINT_SQLITE);
}

static void
expect(const char *text, const char *want, const char *title)
{
	char *got = lint(text);

	is_str(got, want, "%s", title);
	free(got);
}

static void
expect_pg(const char *text, const char *want, const char *title)
{
	char *got = lint_as(text, LINT_POSTGRESQL);

	is_str(got, want, "postgresql: %s", title);
	free(got);
}

#define DOWN "-- migrate:down\nSELECT 1;\n"

static void
test_down(void)
{
	expect("-- migrate:up\nCREATE TABLE t (x);\n" DOWN, "",
	    "a clean migration: no warnings");
	expect("-- c\n-- migrate:up\nCREATE TABLE t (x);\n",
	    "f.sql:2: warning: no down section: this migration cannot be "
	    "rolled back\n", "no down section: the up marker's line");
	expect("-- migrate:up\nCREATE TABLE t (x);\n-- migrate:down\n-- no\n",
	    "f.sql:3: warning: the down section is empty: this migration "
	    "cannot be rolled back\n", "an empty down: its marker's line");
}

static void
test_where(void)
{
	expect("-- migrate:up\nCREATE TABLE t (x);\n\nDELETE FROM t;\n" DOWN,
	    "f.sql:4: warning: DELETE without WHERE deletes every row\n",
	    "DELETE without WHERE, with its line");
	expect("-- migrate:up\nUPDATE t\n  SET x = 1;\n" DOWN,
	    "f.sql:2: warning: UPDATE without WHERE changes every row\n",
	    "UPDATE without WHERE: the line where it starts");
	expect("-- migrate:up\ndelete from t where x = 1;\nUpdate t Set x = 2 "
	    "Where x = 3;\n" DOWN, "", "with WHERE, in any case: fine");
	expect("-- migrate:up\nSELECT 1;\n-- migrate:down\nDELETE FROM t;\n",
	    "f.sql:4: warning: DELETE without WHERE deletes every row\n",
	    "in a down section too");
	expect("-- migrate:up\nDELETE FROM t; -- WHERE x\nUPDATE t SET x = "
	    "'WHERE';\nUPDATE t SET \"where\" = 1;\nDELETE /* WHERE */ FROM "
	    "t;\nUPDATE [where] SET x = 1;\n" DOWN,
	    "f.sql:2: warning: DELETE without WHERE deletes every row\n"
	    "f.sql:3: warning: UPDATE without WHERE changes every row\n"
	    "f.sql:4: warning: UPDATE without WHERE changes every row\n"
	    "f.sql:5: warning: DELETE without WHERE deletes every row\n"
	    "f.sql:6: warning: UPDATE without WHERE changes every row\n",
	    "WHERE in comments, strings and quoted names does not count");
	expect("-- migrate:up\nUPDATE t SET x = (SELECT y FROM u WHERE u.id = "
	    "t.id);\n" DOWN,
	    "f.sql:2: warning: UPDATE without WHERE changes every row\n",
	    "a WHERE in a subquery does not count");
	expect("-- migrate:up\nWITH old AS (SELECT id FROM t WHERE x) DELETE "
	    "FROM t;\nWITH old AS (SELECT 1) DELETE FROM t WHERE id IN old;\n"
	    DOWN, "f.sql:2: warning: DELETE without WHERE deletes every row\n",
	    "after a WITH clause");
	expect("-- migrate:up\nSELECT 'DELETE FROM t;';\nINSERT INTO t SELECT * "
	    "FROM u;\nINSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET x = 2;"
	    "\n" DOWN, "", "no DELETE or UPDATE statement: fine");
}

static void
test_trigger(void)
{
	expect("-- migrate:up\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	    "  DELETE FROM log;\n  SELECT CASE WHEN 1 THEN 2 END;\n  UPDATE u "
	    "SET n = n + 1;\nEND;\nDELETE FROM t;\n" DOWN,
	    "f.sql:7: warning: DELETE without WHERE deletes every row\n",
	    "a trigger body is not run by the migration; after it, lint goes on");
	expect("-- migrate:up\nCREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN "
	    "VACUUM; END;\n" DOWN, "", "a temp trigger body");
}

static void
test_drop(void)
{
	expect("-- migrate:up\nDROP TABLE users;\n" DOWN,
	    "f.sql:2: warning: DROP TABLE in an up section loses the table's "
	    "data; a rollback cannot bring it back\n", "DROP TABLE in an up");
	expect("-- migrate:up\nCREATE TABLE t (x);\n-- migrate:down\n"
	    "DROP TABLE t;\n", "", "DROP TABLE in a down: fine");
	expect("-- migrate:up\nALTER TABLE t\n  DROP COLUMN x;\nALTER TABLE t "
	    "DROP y;\nALTER TABLE t ADD COLUMN z DEFAULT 'drop';\n" DOWN,
	    "f.sql:2: warning: ALTER TABLE ... DROP COLUMN in an up section "
	    "loses the column's data; a rollback cannot bring it back\n"
	    "f.sql:4: warning: ALTER TABLE ... DROP COLUMN in an up section "
	    "loses the column's data; a rollback cannot bring it back\n",
	    "DROP COLUMN, with or without COLUMN");
	expect("-- migrate:up foreign_keys:off\nCREATE TABLE new_t (x);\n"
	    "INSERT INTO new_t SELECT x FROM t;\nDROP TABLE IF EXISTS main.t;\n"
	    "ALTER TABLE new_t RENAME TO \"T\";\n" DOWN, "",
	    "the table-rebuild procedure is not a DROP TABLE to warn about");
	expect("-- migrate:up\nALTER TABLE t RENAME TO old_t;\nCREATE TABLE t "
	    "(x);\nINSERT INTO t SELECT x FROM old_t;\nDROP TABLE old_t;\n"
	    DOWN, "", "nor is renaming aside, copying back and dropping");
	expect("-- migrate:up\nALTER TABLE t RENAME COLUMN a TO b;\n"
	    "DROP TABLE t;\n" DOWN,
	    "f.sql:3: warning: DROP TABLE in an up section loses the table's "
	    "data; a rollback cannot bring it back\n",
	    "renaming a column is not a rebuild");
}

static void
test_notx(void)
{
	expect("-- migrate:up\nVACUUM;\n" DOWN,
	    "f.sql:2: warning: VACUUM cannot run inside the transaction "
	    "runner wraps this section in; add transaction:false to its "
	    "marker\n", "VACUUM in a transaction");
	expect("-- migrate:up transaction:false\nVACUUM;\nPRAGMA journal_mode "
	    "= WAL;\nPRAGMA foreign_keys = OFF;\nBEGIN;\nCOMMIT;\n" DOWN, "",
	    "all of it is fine with transaction:false");
	expect("-- +goose Up\n-- +goose NO TRANSACTION\nVACUUM;\n-- +goose "
	    "Down\nSELECT 1;\n", "", "and with goose's NO TRANSACTION");
	expect("-- migrate:up\nPRAGMA journal_mode=WAL;\nPRAGMA journal_mode;\n"
	    "PRAGMA main.synchronous = OFF;\nPRAGMA wal_checkpoint;\n" DOWN,
	    "f.sql:2: warning: PRAGMA journal_mode cannot take effect inside "
	    "a transaction; add transaction:false to this section's marker\n"
	    "f.sql:4: warning: PRAGMA synchronous cannot take effect inside a "
	    "transaction; add transaction:false to this section's marker\n"
	    "f.sql:5: warning: PRAGMA wal_checkpoint cannot take effect inside "
	    "a transaction; add transaction:false to this section's marker\n",
	    "pragmas that need transaction:false; reading one is fine");
	expect("-- migrate:up\nSAVEPOINT s;\nROLLBACK TO s;\nRELEASE s;\n"
	    "BEGIN;\n" DOWN,
	    "f.sql:5: warning: BEGIN cannot run inside the transaction runner "
	    "wraps this section in; add transaction:false to its marker\n",
	    "savepoints are fine, BEGIN is not");
	expect("-- migrate:up\nSELECT 1;\n-- migrate:down\nPRAGMA foreign_keys"
	    "(0);\n", "f.sql:4: warning: PRAGMA foreign_keys is ignored inside "
	    "a transaction; use the foreign_keys:off option on this section's "
	    "marker instead\n", "PRAGMA foreign_keys in a transactional down");
	expect("-- migrate:up\nPRAGMA foreign_keys;\nSELECT 'VACUUM';\n"
	    "\"VACUUM\";\n" DOWN, "", "reading foreign_keys; VACUUM as a "
	    "string or name");
}

static void
test_odd(void)
{
	expect("-- migrate:up\nSELECT 'unterminated;\nDELETE FROM t;\n" DOWN,
	    "", "an unterminated string swallows the rest of the section");
	expect("-- migrate:up\nSELECT 1 /* unterminated\nDELETE FROM t;\n" DOWN,
	    "", "an unterminated comment too");
	expect("-- migrate:up\n;;;DELETE\n" DOWN,
	    "f.sql:2: warning: DELETE without WHERE deletes every row\n",
	    "empty statements, a lone keyword");
	expect("-- migrate:up\nDROP TABLE\n" DOWN,
	    "f.sql:2: warning: DROP TABLE in an up section loses the table's "
	    "data; a rollback cannot bring it back\n", "DROP TABLE without a "
	    "name");
	expect("-- migrate:up\nPRAGMA\n;\nALTER TABLE t RENAME TO\n" DOWN, "",
	    "truncated statements do not crash");
}

/*
 * A plpgsql corpus: functions, triggers, DO blocks and SQL-standard
 * bodies, whose BEGIN, END, COMMIT, DELETE and VACUUM are not statements
 * runner runs. Read with PostgreSQL's rules, none is a warning; read with
 * SQLite's, they were 6.
 */
static const char plpgsql[] =
    "-- migrate:up\n"
    "CREATE TABLE audit (id bigserial PRIMARY KEY, what text NOT NULL);\n"
    "CREATE INDEX audit_what ON audit (what);\n"
    "CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "    INSERT INTO audit (what) VALUES (TG_OP);\n"
    "    DELETE FROM audit;\n"
    "    RETURN NEW;\n"
    "END;\n"
    "$$;\n"
    "CREATE TRIGGER audit_log AFTER INSERT ON audit\n"
    "    FOR EACH ROW EXECUTE FUNCTION log_change();\n"
    "DO $do$\n"
    "BEGIN\n"
    "    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN\n"
    "        EXECUTE 'VACUUM; COMMIT';\n"
    "    END IF;\n"
    "END\n"
    "$do$;\n"
    "CREATE PROCEDURE tidy() LANGUAGE plpgsql AS $body$\n"
    "BEGIN UPDATE audit SET what = 'x'; COMMIT; END $body$;\n"
    "CREATE FUNCTION total() RETURNS bigint LANGUAGE sql\n"
    "BEGIN ATOMIC\n"
    "    DELETE FROM audit WHERE false;\n"
    "    SELECT count(*) FROM audit;\n"
    "END;\n"
    "COMMENT ON TABLE audit IS E'it''s where END; goes\\n';\n"
    "/* nested /* comments */ with DROP TABLE audit; */\n"
    "ALTER TABLE audit ADD COLUMN at timestamptz NOT NULL DEFAULT now();\n"
    "-- migrate:down\n"
    "DROP TABLE audit;\n";

static void
test_pg(void)
{
	char *sqlite = lint_as(plpgsql, LINT_SQLITE);
	size_t n = 0;
	const char *p;

	expect_pg(plpgsql, "", "a plpgsql corpus: no warnings");
	for (p = sqlite; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	ok(n >= 4, "read as SQLite's, the same file warns (%zu times)", n);
	free(sqlite);
	expect_pg("-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (x);\n" DOWN,
	    "f.sql:2: warning: CONCURRENTLY cannot run inside the transaction "
	    "runner wraps this section in; add transaction:false to its "
	    "marker\n", "CONCURRENTLY in a transaction");
	expect_pg("-- migrate:up transaction:false\n"
	    "CREATE INDEX CONCURRENTLY i ON t (x);\n" DOWN, "",
	    "CONCURRENTLY in a transaction:false section");
	expect_pg("-- migrate:up\nCREATE INDEX i ON public.t (x);\n" DOWN,
	    "f.sql:2: warning: CREATE INDEX without CONCURRENTLY blocks writes "
	    "to 't' while it builds; use CREATE INDEX CONCURRENTLY in a "
	    "transaction:false section\n", "CREATE INDEX on an existing table");
	expect_pg("-- migrate:up\nCREATE TABLE t (x int);\n"
	    "CREATE UNIQUE INDEX i ON ONLY t (x);\n" DOWN, "",
	    "CREATE INDEX on a table the section made");
	expect_pg("-- migrate:up\nALTER TABLE t ADD COLUMN a int, "
	    "ADD b text NOT NULL, ADD COLUMN c int NOT NULL DEFAULT 0, "
	    "ADD CONSTRAINT k CHECK (a IS NOT NULL);\n" DOWN,
	    "f.sql:2: warning: ALTER TABLE ... ADD COLUMN b ... NOT NULL "
	    "without a DEFAULT fails when 't' has rows\n",
	    "ADD COLUMN NOT NULL without a default");
	expect_pg("-- migrate:up\nCREATE TABLE t (x int);\n"
	    "ALTER TABLE t ADD COLUMN y int NOT NULL;\n" DOWN, "",
	    "ADD COLUMN NOT NULL on a table the section made");
	expect_pg("-- migrate:up\nVACUUM t;\nCOMMIT;\nCREATE DATABASE x;\n"
	    "ROLLBACK TO SAVEPOINT s;\n" DOWN,
	    "f.sql:2: warning: VACUUM cannot run inside the transaction runner "
	    "wraps this section in; add transaction:false to its marker\n"
	    "f.sql:3: warning: COMMIT cannot run inside the transaction runner "
	    "wraps this section in; add transaction:false to its marker\n"
	    "f.sql:4: warning: CREATE DATABASE cannot run inside the "
	    "transaction runner wraps this section in; add transaction:false "
	    "to its marker\n", "what PostgreSQL refuses in a transaction");
	expect_pg("-- migrate:up\nPRAGMA journal_mode = WAL;\n" DOWN, "",
	    "SQLite's rules do not apply");
	expect("-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (x);\n"
	    "ALTER TABLE t ADD COLUMN b text NOT NULL;\n" DOWN, "",
	    "nor PostgreSQL's to SQLite");
}

int
main(void)
{
	test_down();
	test_where();
	test_trigger();
	test_drop();
	test_notx();
	test_odd();
	test_pg();
	return done_testing();
}
