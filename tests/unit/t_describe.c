/*
 * Unit tests for the SQLite schema description: text that means the same
 * describes the same, and each kind of real change shows as a difference.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "tap.h"
#include "store_sqlite_describe.h"

static int
describe_sql(const char *sql, struct schema *s)
{
	struct buf err = BUF_INIT;
	sqlite3 *db = NULL;
	int ret = -1;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		diag("# %s\n", sqlite3_errmsg(db));
		goto out;
	}
	ret = sqlite_describe(db, "schema_migrations", s, &err);
	if (ret < 0)
		diag("# %s\n", err.buf);
out:
	sqlite3_close(db);
	buf_release(&err);
	return ret;
}

/* The differences from a's schema to b's, one per line, into out. */
static long
diff_sql(const char *a, const char *b, struct buf *out)
{
	struct schema sa = SCHEMA_INIT, sb = SCHEMA_INIT;
	long n = -1;

	buf_reset(out);
	if (describe_sql(a, &sa) == 0 && describe_sql(b, &sb) == 0)
		n = (long)schema_diff(&sa, &sb, 0, out);
	schema_release(&sa);
	schema_release(&sb);
	return n;
}

#define SAME(a, b, what) do { \
	long n_ = diff_sql(a, b, &out); \
	if (!ok(n_ == 0, "same: %s", what)) \
		diag("# %ld differences:\n%s", n_, out.buf); \
} while (0)

#define DIFFERS(a, b, line, what) do { \
	long n_ = diff_sql(a, b, &out); \
	if (!ok(n_ > 0 && strstr(out.buf, line), "differs: %s", what)) \
		diag("# %ld differences, want '%s':\n%s", n_, line, \
		    out.buf); \
} while (0)

static const char users[] =
    "CREATE TABLE users (\n"
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    email TEXT UNIQUE NOT NULL CHECK (email LIKE '%_@_%'),\n"
    "    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,\n"
    "    status TEXT NOT NULL DEFAULT 'draft' COLLATE NOCASE,\n"
    "    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\n"
    ");\n"
    "CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT);\n"
    "CREATE INDEX idx_users_role ON users (role_id, status DESC) "
    "WHERE status <> 'x';\n"
    "CREATE TRIGGER trg AFTER UPDATE ON users BEGIN "
    "UPDATE users SET status = 'a' WHERE id = NEW.id; END;\n"
    "CREATE VIEW v AS SELECT email FROM users WHERE status = 'ok';\n";

static void
test_same(struct buf *out_)
{
#define out (*out_)
	SAME(users, users, "identical SQL");
	SAME(users,
	    "create view v as select email from \"users\" where status='ok';"
	    "CREATE TABLE [roles] (\"id\" integer primary key, name text);"
	    "create table \"users\"(id integer primary key autoincrement,"
	    "  email text not null unique check(email like '%_@_%'), "
	    "`role_id` INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'draft' "
	    "collate nocase, created_at timestamp default current_timestamp,"
	    " FOREIGN KEY (role_id) REFERENCES roles(id) ON DELETE CASCADE);"
	    "-- a comment\n"
	    "create index idx_users_role on users(\"role_id\" asc, status "
	    "desc) where status != 'x';"
	    "CREATE  TRIGGER  trg\nAFTER UPDATE ON \"users\" BEGIN\n"
	    "  update users set status = 'a' where id = new.id;\nEND;",
	    "other quoting, spacing, case, object order and constraint "
	    "placement");
	SAME("CREATE TABLE t (a, b, UNIQUE (a, b));",
	    "CREATE TABLE t (a, b, CONSTRAINT u UNIQUE (\"a\", b));",
	    "a UNIQUE constraint, named or not (autoindex names ignored)");
	SAME("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b));",
	    "CREATE TABLE t (\"a\" int, b int, primary key(a,b));",
	    "a composite primary key");
#undef out
}

static void
test_differs(struct buf *out_)
{
#define out (*out_)
	DIFFERS("CREATE TABLE t (a TEXT);", "CREATE TABLE t (a INTEGER);",
	    "changed column t.a: TEXT -> INTEGER", "a column's type");
	DIFFERS("CREATE TABLE t (a TEXT);", "CREATE TABLE t (a TEXT NOT NULL);",
	    "changed column t.a: TEXT -> TEXT NOT NULL", "NOT NULL");
	DIFFERS("CREATE TABLE t (a DEFAULT 1);", "CREATE TABLE t (a DEFAULT 2);",
	    "changed column t.a: (no type) DEFAULT 1 -> (no type) DEFAULT 2",
	    "a default");
	DIFFERS("CREATE TABLE t (a TEXT);",
	    "CREATE TABLE t (a TEXT COLLATE NOCASE);",
	    "changed column t.a: TEXT -> TEXT COLLATE NOCASE", "a collation");
	DIFFERS("CREATE TABLE t (a);", "CREATE TABLE t (a, b);",
	    "added column t.b", "an added column");
	DIFFERS("CREATE TABLE t (a);", "CREATE TABLE t (a); CREATE INDEX i "
	    "ON t (a);", "added index i", "an added index");
	DIFFERS("CREATE TABLE t (a, b); CREATE INDEX i ON t (a);",
	    "CREATE TABLE t (a, b); CREATE INDEX i ON t (b);",
	    "changed index i: ON t(a) -> ON t(b)", "an index's column");
	DIFFERS("CREATE TABLE t (a); CREATE INDEX i ON t (a);",
	    "CREATE TABLE t (a); CREATE UNIQUE INDEX i ON t (a);",
	    "changed index i: ON t(a) -> UNIQUE ON t(a)", "a unique index");
	DIFFERS("CREATE TABLE t (a); CREATE INDEX i ON t (a);",
	    "CREATE TABLE t (a); CREATE INDEX i ON t (a) WHERE a > 0;",
	    "changed index i: ON t(a) -> ON t(a) WHERE a > 0",
	    "a partial index");
	DIFFERS("CREATE TABLE t (a); CREATE INDEX i ON t (lower(a));",
	    "CREATE TABLE t (a); CREATE INDEX i ON t (upper(a));",
	    "changed index i: ON t(lower(a)) -> ON t(upper(a))",
	    "an index expression");
	DIFFERS("CREATE TABLE t (a); CREATE TRIGGER g AFTER INSERT ON t "
	    "BEGIN SELECT 1; END;", "CREATE TABLE t (a);",
	    "removed trigger g", "a dropped trigger");
	DIFFERS("CREATE VIEW v AS SELECT 1;", "CREATE VIEW v AS SELECT 2;",
	    "changed view v: CREATE VIEW v AS SELECT 1 -> CREATE VIEW v AS "
	    "SELECT 2", "a view's query");
	DIFFERS("CREATE TABLE t (a CHECK (a > 0));",
	    "CREATE TABLE t (a CHECK (a > 1));",
	    "added constraint t.CHECK(a > 1)", "a CHECK");
	DIFFERS("CREATE TABLE t (a UNIQUE);", "CREATE TABLE t (a);",
	    "removed constraint t.UNIQUE(a)", "a UNIQUE constraint");
	DIFFERS("CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t (a REFERENCES p (id) ON DELETE CASCADE);",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t (a REFERENCES p (id) ON DELETE SET NULL);",
	    "changed constraint t.FOREIGN KEY(a): REFERENCES p(id) ON UPDATE "
	    "NO ACTION ON DELETE CASCADE -> REFERENCES p(id) ON UPDATE NO "
	    "ACTION ON DELETE SET NULL", "a foreign key's action");
	DIFFERS("CREATE TABLE t (a INTEGER PRIMARY KEY);",
	    "CREATE TABLE t (a INTEGER PRIMARY KEY AUTOINCREMENT);",
	    "changed table t: PRIMARY KEY(a) -> PRIMARY KEY(a) AUTOINCREMENT",
	    "AUTOINCREMENT");
	DIFFERS("CREATE TABLE t (a PRIMARY KEY, b);",
	    "CREATE TABLE t (a PRIMARY KEY, b) WITHOUT ROWID;",
	    "WITHOUT ROWID", "WITHOUT ROWID");
	DIFFERS("CREATE TABLE t (a);", "CREATE TABLE \"T 2\" (a);",
	    "added table t 2", "a table renamed");
#undef out
}

/*
 * What verify and drift got wrong before: the same constraint written two
 * ways, and what no pragma shows (ON CONFLICT, column order, generated
 * columns' expressions).
 */
static void
test_verdicts(struct buf *out_)
{
	struct schema a = SCHEMA_INIT, b = SCHEMA_INIT;
#define out (*out_)
	SAME("CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE c (x REFERENCES p(id));",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE c (x REFERENCES p);",
	    "REFERENCES p is REFERENCES p(id) when id is p's primary key");
	SAME("CREATE TABLE p (a, b, PRIMARY KEY (a, b));"
	    "CREATE TABLE c (x, y, FOREIGN KEY (x, y) REFERENCES p (a, b));",
	    "CREATE TABLE p (a, b, PRIMARY KEY (a, b));"
	    "CREATE TABLE c (x, y, FOREIGN KEY (x, y) REFERENCES p);",
	    "a composite key named or implied");
	DIFFERS("CREATE TABLE p (id INTEGER PRIMARY KEY, k UNIQUE);"
	    "CREATE TABLE c (x REFERENCES p(k));",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY, k UNIQUE);"
	    "CREATE TABLE c (x REFERENCES p);",
	    "changed constraint c.FOREIGN KEY(x): REFERENCES p(k)",
	    "REFERENCES p(k) is not the primary key");
	DIFFERS("CREATE TABLE t (a NOT NULL);",
	    "CREATE TABLE t (a NOT NULL ON CONFLICT REPLACE);",
	    "changed column t.a: (no type) NOT NULL -> (no type) NOT NULL ON "
	    "CONFLICT REPLACE", "NOT NULL ON CONFLICT");
	SAME("CREATE TABLE t (a NOT NULL);",
	    "CREATE TABLE t (a NOT NULL ON CONFLICT ABORT);",
	    "ON CONFLICT ABORT is the default");
	DIFFERS("CREATE TABLE t (a UNIQUE);",
	    "CREATE TABLE t (a UNIQUE ON CONFLICT IGNORE);",
	    "changed constraint t.UNIQUE(a):  -> ON CONFLICT IGNORE",
	    "a column's UNIQUE ON CONFLICT");
	DIFFERS("CREATE TABLE t (a, b, UNIQUE (a, b) ON CONFLICT FAIL);",
	    "CREATE TABLE t (a, b, UNIQUE (a, b));",
	    "changed constraint t.UNIQUE(a, b): ON CONFLICT FAIL -> ",
	    "a table UNIQUE ON CONFLICT");
	DIFFERS("CREATE TABLE t (a INTEGER PRIMARY KEY ON CONFLICT REPLACE);",
	    "CREATE TABLE t (a INTEGER PRIMARY KEY);",
	    "changed table t: PRIMARY KEY(a) ON CONFLICT REPLACE -> "
	    "PRIMARY KEY(a)", "a PRIMARY KEY ON CONFLICT");
	DIFFERS("CREATE TABLE t (a, b);", "CREATE TABLE t (b, a);",
	    "changed column order t: a, b -> b, a", "column order");
	DIFFERS("CREATE TABLE t (a, b AS (a * 2));",
	    "CREATE TABLE t (a, b AS (a * 3));",
	    "changed column t.b: (no type) GENERATED VIRTUAL AS (a * 2) -> "
	    "(no type) GENERATED VIRTUAL AS (a * 3)",
	    "a generated column's expression");
	SAME("CREATE TABLE t (a, b INT GENERATED ALWAYS AS (a*2) STORED);",
	    "CREATE TABLE t (a, b INT AS ( a * 2 ) STORED);",
	    "a generated expression spaced otherwise");
#undef out
	/* An added column is that, not a change of order too. */
	ok(describe_sql("CREATE TABLE t (a, b);", &a) == 0 &&
	    describe_sql("CREATE TABLE t (a, x, b);", &b) == 0,
	    "describe two orders");
	buf_reset(out_);
	is_int(schema_diff(&a, &b, 0, out_), 1, "an added column is one "
	    "difference");
	is_str(out_->buf, "added column t.x\n", "and not a change of order");
	schema_release(&b);
	ok(describe_sql("CREATE TABLE t (b, a);", &b) == 0, "describe");
	buf_reset(out_);
	is_int(schema_diff(&a, &b, SCHEMA_IGNORE_COLUMN_ORDER, out_), 0,
	    "column order ignored on request");
	schema_release(&a);
	schema_release(&b);
}

static void
test_excluded(struct buf *out_)
{
	struct schema s = SCHEMA_INIT;
	size_t i;
	int found = 0;

	(void)out_;
	ok(describe_sql("CREATE TABLE schema_migrations (id INTEGER PRIMARY "
	    "KEY AUTOINCREMENT, version TEXT UNIQUE);"
	    "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);"
	    "INSERT INTO t DEFAULT VALUES; ANALYZE;", &s) == 0,
	    "describe with internal tables");
	for (i = 0; i < s.n; i++)
		if (strstr(s.v[i].name, "sqlite_") ||
		    strstr(s.v[i].name, "schema_migrations"))
			found = 1;
	ok(!found, "no sqlite_ objects and no tracking table");
	is_int(s.n, 3, "only table t, its column and their order");
	schema_release(&s);
}

static void
test_normalize(void)
{
	struct buf b = BUF_INIT;
	static const char sql[] = "select  \"A\" ,[b c],`d``e` -- x\n "
	    "from T where x<>'It''s  ' /* y */ ;";

	sqlite_sql_normalize(sql, strlen(sql), &b);
	is_str(b.buf, "SELECT a, \"b c\", \"d`e\" FROM t WHERE x != 'It''s  ';",
	    "normalize: quoting, case, spacing, comments, strings kept");
	buf_release(&b);
}

int
main(void)
{
	struct buf out = BUF_INIT;

	test_same(&out);
	test_differs(&out);
	test_verdicts(&out);
	test_excluded(&out);
	test_normalize();
	buf_release(&out);
	return done_testing();
}
