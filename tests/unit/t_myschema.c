/*
 * Unit tests for MySQL/MariaDB SHOW CREATE text: what show-schema prints
 * of it, what describe makes of it, and that noise (counters, definers,
 * event start times) is gone from both.
 */
#include <stdlib.h>

#include "tap.h"
#include "text_myschema.h"

/* MariaDB 10.11's text, with sql_quote_show_create off. */
static const char users[] =
    "CREATE TABLE users (\n"
    "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
    "  `name` varchar(100) NOT NULL DEFAULT 'a, b (c',\n"
    "  email varchar(200) DEFAULT NULL COMMENT 'x)y',\n"
    "  `a``b` int(11) DEFAULT NULL CHECK (`a``b` >= 0),\n"
    "  PRIMARY KEY (`id`),\n"
    "  UNIQUE KEY email (email),\n"
    "  KEY idx_name (`name`,email) USING BTREE,\n"
    "  KEY fk_team (`a``b`),\n"
    "  FULLTEXT KEY `full text` (`name`),\n"
    "  CONSTRAINT fk_team FOREIGN KEY (`a``b`) REFERENCES teams (`id`) "
    "ON DELETE CASCADE,\n"
    "  CONSTRAINT ck CHECK (`id` < 100)\n"
    ") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 "
    "COLLATE=utf8mb4_general_ci COMMENT='AUTO_INCREMENT=7'";

static void
test_ddl(void)
{
	struct buf ddl = BUF_INIT;

	is_int(myschema_table("users", users, &ddl, NULL), 0, "a table reads");
	is_str(ddl.buf,
	    "CREATE TABLE users (\n"
	    "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
	    "  `name` varchar(100) NOT NULL DEFAULT 'a, b (c',\n"
	    "  email varchar(200) DEFAULT NULL COMMENT 'x)y',\n"
	    "  `a``b` int(11) DEFAULT NULL CHECK (`a``b` >= 0),\n"
	    "  PRIMARY KEY (`id`),\n"
	    "  KEY fk_team (`a``b`),\n"
	    "  CONSTRAINT fk_team FOREIGN KEY (`a``b`) REFERENCES teams (`id`) "
	    "ON DELETE CASCADE,\n"
	    "  CONSTRAINT ck CHECK (`id` < 100)\n"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
	    "COLLATE=utf8mb4_general_ci COMMENT='AUTO_INCREMENT=7';\n"
	    "CREATE UNIQUE INDEX email ON users (email);\n"
	    "CREATE INDEX idx_name ON users (`name`,email) USING BTREE;\n"
	    "CREATE FULLTEXT INDEX `full text` ON users (`name`);\n",
	    "show-schema: no counter, the key a foreign key needs stays, the "
	    "others become CREATE INDEX");
	buf_reset(&ddl);
	is_int(myschema_table("t", "CREATE TABLE `my t` (\n  a int(11)"
	    " DEFAULT NULL\n) ENGINE=InnoDB AUTO_INCREMENT=3", &ddl, NULL), 0,
	    "a quoted table name");
	is_str(ddl.buf, "CREATE TABLE `my t` (\n  a int(11) DEFAULT NULL\n)"
	    " ENGINE=InnoDB;\n", "a counter at the end goes with its blank");
	buf_release(&ddl);
}

/* The objects of describe, "kind name: def" a line. */
static char *
described(const char *name, const char *create)
{
	struct schema s = SCHEMA_INIT;
	struct buf out = BUF_INIT;
	size_t i;

	if (myschema_table(name, create, NULL, &s) < 0)
		buf_adds(&out, "(error)");
	schema_sort(&s);
	for (i = 0; i < s.n; i++)
		buf_addf(&out, "%s %s: %s\n", s.v[i].kind, s.v[i].name,
		    s.v[i].def);
	schema_release(&s);
	return buf_detach(&out, NULL);
}

static void
test_describe(void)
{
	char *got = described("users", users);

	is_str(got,
	    "column users.a`b: int(11) DEFAULT NULL CHECK (`a``b` >= 0)\n"
	    "column users.email: varchar(200) DEFAULT NULL COMMENT 'x)y'\n"
	    "column users.id: int(11) NOT NULL AUTO_INCREMENT\n"
	    "column users.name: varchar(100) NOT NULL DEFAULT 'a, b (c'\n"
	    "column order users: id, name, email, a`b\n"
	    "constraint users.ck: CHECK (`id` < 100)\n"
	    "constraint users.fk_team: FOREIGN KEY (`a``b`) REFERENCES teams "
	    "(`id`) ON DELETE CASCADE\n"
	    "index users.PRIMARY: PRIMARY KEY (`id`)\n"
	    "index users.email: UNIQUE KEY (email)\n"
	    "index users.fk_team: KEY (`a``b`)\n"
	    "index users.full text: FULLTEXT KEY (`name`)\n"
	    "index users.idx_name: KEY (`name`,email) USING BTREE\n"
	    "table users: ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
	    "COLLATE=utf8mb4_general_ci COMMENT='AUTO_INCREMENT=7'\n",
	    "describe: each column, index and constraint, by name");
	free(got);
	got = described("c", "CREATE TABLE c (\n  `a, b` int(11),\n"
	    "  `q\"` int(11),\n  row_start timestamp(6) GENERATED ALWAYS AS "
	    "ROW START,\n  row_end timestamp(6) GENERATED ALWAYS AS ROW END,\n"
	    "  PERIOD FOR SYSTEM_TIME (row_start, row_end)\n) ENGINE=InnoDB "
	    "WITH SYSTEM VERSIONING");
	ok(strstr(got, "column order c: \"a, b\", \"q\"\"\", row_start, "
	    "row_end\n") != NULL, "column order quotes names with commas");
	ok(strstr(got, "table c: ENGINE=InnoDB WITH SYSTEM VERSIONING; "
	    "PERIOD FOR SYSTEM_TIME (row_start, row_end)\n") != NULL,
	    "a line of another kind goes into the table's definition");
	free(got);
}

static void
test_changes(void)
{
	struct schema a = SCHEMA_INIT, b = SCHEMA_INIT;
	struct buf diff = BUF_INIT;

	myschema_table("t", "CREATE TABLE t (\n  a int(11) NOT NULL,\n"
	    "  KEY ia (a)\n) ENGINE=InnoDB AUTO_INCREMENT=5", NULL, &a);
	myschema_table("t", "CREATE TABLE t (\n  a int(11) DEFAULT NULL,\n"
	    "  b int(11),\n  KEY ia (a,b)\n) ENGINE=InnoDB AUTO_INCREMENT=9",
	    NULL, &b);
	schema_sort(&a);
	schema_sort(&b);
	is_int(schema_diff(&a, &b, 0, &diff), 3, "three differences");
	is_str(diff.buf,
	    "changed column t.a: int(11) NOT NULL -> int(11) DEFAULT NULL\n"
	    "added column t.b\n"
	    "changed index t.ia: KEY (a) -> KEY (a,b)\n",
	    "each named, the counter no difference");
	schema_release(&a);
	schema_release(&b);
	buf_release(&diff);
}

static void
test_bad(void)
{
	static const char *const bad[] = {
		"", "CREATE VIEW v AS select 1", "CREATE TABLE t",
		"CREATE TABLE t (\n  a int", "CREATE TABLE t (\n  `a int\n)",
		"CREATE TABLE t (\n  a int,\n  \n)",
		"CREATE TABLE t (\n  KEY (a)\n)",
		"CREATE TABLE t (\n  CONSTRAINT c\n)",
	};
	struct schema s = SCHEMA_INIT;
	struct buf ddl = BUF_INIT;
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (myschema_table("t", bad[i], &ddl, &s) != -1 || s.n ||
		    ddl.len) {
			diag("# accepted: %s\n", bad[i]);
			all = 0;
		}
	ok(all, "text that is not a readable CREATE TABLE is refused, "
	    "nothing added");
	schema_release(&s);
	buf_release(&ddl);
}

#define CLEAN(in, want, ...) do { \
	struct buf b_ = BUF_INIT; \
	myschema_clean(in, &b_); \
	is_str(b_.buf, want, __VA_ARGS__); \
	buf_release(&b_); \
} while (0)

static void
test_clean(void)
{
	CLEAN("CREATE ALGORITHM=UNDEFINED DEFINER=root@localhost SQL "
	    "SECURITY DEFINER VIEW v AS select users.`name` AS `name` from "
	    "users", "CREATE VIEW v AS select users.`name` AS `name` from "
	    "users", "a view without its defaults and definer");
	CLEAN("CREATE ALGORITHM=MERGE DEFINER=`a b`@`%` SQL SECURITY INVOKER "
	    "VIEW v AS select 1 AS `1`", "CREATE ALGORITHM=MERGE SQL SECURITY "
	    "INVOKER VIEW v AS select 1 AS `1`",
	    "what is not the default stays");
	CLEAN("CREATE DEFINER=`root`@`localhost` trigger trg before insert on "
	    "users for each row set new.name = 'DEFINER=x'",
	    "CREATE trigger trg before insert on users for each row set "
	    "new.name = 'DEFINER=x'", "a trigger, as written");
	CLEAN("CREATE DEFINER=admin PROCEDURE p(in x int)\nbegin select x; "
	    "end", "CREATE PROCEDURE p(in x int)\nbegin select x; end",
	    "a role as definer");
	CLEAN("CREATE DEFINER=root@localhost EVENT ev ON SCHEDULE EVERY 1 DAY "
	    "STARTS '2026-12-02 15:36:28' ON COMPLETION NOT PRESERVE ENABLE "
	    "DO insert into t values (' STARTS ''x''')",
	    "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT "
	    "PRESERVE ENABLE DO insert into t values (' STARTS ''x''')",
	    "an event without its start time");
	CLEAN("CREATE DEFINER=root@localhost EVENT ev ON SCHEDULE AT "
	    "'2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE COMMENT "
	    "' STARTS ''y''' DO delete from t", "CREATE EVENT ev ON SCHEDULE "
	    "AT '2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE COMMENT "
	    "' STARTS ''y''' DO delete from t",
	    "a one-time event's time stays");
	CLEAN("CREATE SEQUENCE s start with 1 minvalue 1 maxvalue "
	    "9223372036854775806 increment by 1 cache 1000 nocycle "
	    "ENGINE=InnoDB", "CREATE SEQUENCE s start with 1 minvalue 1 "
	    "maxvalue 9223372036854775806 increment by 1 cache 1000 nocycle "
	    "ENGINE=InnoDB", "a sequence as it is");
	CLEAN("select 1", "select 1", "text that is no CREATE as it is");
}

int
main(void)
{
	test_ddl();
	test_describe();
	test_changes();
	test_bad();
	test_clean();
	return done_testing();
}
