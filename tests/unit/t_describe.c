/*
 * Unit tests for the SQLite schema description: text that means the same
 * describes the same, and each kind of real change shows as a difference.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "tap.h"
#include "sqlite_describe.h"

static int
describe_sql(const char *sql, struct schema *s)
{
	struct buf err = BUF_INIT;
	sqlite3 *db = NULL;
	int ret = -1;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		printf("# %s\n", sqlite3_errmsg(db));
		goto out;
	}
	ret = sqlite_describe(db, "schema_migrations", s, &err);
	if (ret < 0)
		printf("# %s\n", err.buf);
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
		n = (long)schema_diff(&sa, &sb, out);
	schema_release(&sa);
	schema_release(&sb);
	return n;
}

#define SAME(a, b, what) do { \
	long n_ = diff_sql(a, b, &out); \
	if (!ok(n_ == 0, "same: %s", what)) \
		printf("# %ld differences:\n%s", n_, out.buf); \
} while (0)

#define DIFFERS(a, b, line, what) do { \
	long n_ = diff_sql(a, b, &out); \
	if (!ok(n_ > 0 && strstr(out.buf, line), "differs: %s", what)) \
		printf("# %ld differences, want '%s':\n%s", n_, line, \
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
	    "  `role_id` INTEGER NOT NULL,  email text not null unique "
	    "check(email like '%_@_%'), status TEXT NOT NULL DEFAULT 'draft' "
	    "collate nocase, created_at timestamp default current_timestamp,"
	    " FOREIGN KEY (role_id) REFERENCES roles(id) ON DELETE CASCADE);"
	    "-- a comment\n"
	    "create index idx_users_role on users(\"role_id\" asc, status "
	    "desc) where status != 'x';"
	    "CREATE  TRIGGER  trg\nAFTER UPDATE ON \"users\" BEGIN\n"
	    "  update users set status = 'a' where id = new.id;\nEND;",
	    "other quoting, spacing, case, order and constraint placement");
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
	is_int(s.n, 2, "only table t and its column");
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
	test_excluded(&out);
	test_normalize();
	buf_release(&out);
	return done_testing();
}
