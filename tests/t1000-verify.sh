#!/bin/bash
# t1000-verify: runner verify checks each down against its up in a scratch
# database, and never touches the real one.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_story
'

test_expect_success 'verify: every migration ok, exit 0, no database created' '
	cat >expect <<-\EOF &&
	ok           001 initial_schema
	ok           002 analytics_tables
	ok           003 add_comments
	3 migrations, 3 checked: 3 ok.
	EOF
	runner verify >actual &&
	test_cmp expect actual &&
	test_path_is_missing app.db &&
	runner --db sqlite:other.db verify >actual &&
	test_cmp expect actual &&
	test_path_is_missing other.db
'

test_expect_success 'verify leaves an existing database byte-identical' '
	fresh existing &&
	setup_story &&
	runner migrate >out &&
	sql app.db "CREATE TABLE outside (x)" &&
	before=$(db_sha app.db) &&
	runner verify >out &&
	runner verify --live >out 2>err || true &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_path_is_missing app.db-journal
'

test_expect_success 'the example migrations verify' '
	runner --dir "$SOURCE_DIRECTORY/migrations" verify >out &&
	test_grep "^3 migrations, 3 checked: 3 ok\.$" out
'

test_expect_success 'a migration without down is irreversible: a warning, exit 0' '
	fresh irreversible &&
	setup_story &&
	write_migration 004 no_down "CREATE TABLE t (a);" &&
	runner verify >out &&
	test_grep "^irreversible 004 no_down$" out &&
	test_grep "^4 migrations, 4 checked: 3 ok, 1 irreversible (no down section)\.$" out
'

test_expect_success 'a dropped column the down does not restore is asymmetric' '
	fresh dropped &&
	setup_story &&
	write_migration 004 drop_title "ALTER TABLE posts DROP COLUMN title;" \
		"SELECT 1;" &&
	test_expect_code 1 runner verify >actual &&
	cat >expect <<-\EOF &&
	ok           001 initial_schema
	ok           002 analytics_tables
	ok           003 add_comments
	ASYMMETRIC   004 drop_title
	  after down, compared with before up:
	    removed column posts.title
	  up again failed: migrations/004_drop_title.sql:4: no such column: "title"
	4 migrations, 4 checked: 3 ok, 1 asymmetric.
	EOF
	test_cmp expect actual
'

test_expect_success 'an index the down does not drop: named, and up again fails with file:line' '
	fresh index &&
	setup_story &&
	write_migration 004 add_index "CREATE INDEX idx_posts_title ON posts (title);" \
		"SELECT 1;" &&
	write_migration 005 later "CREATE TABLE later (a);" "DROP TABLE later;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ASYMMETRIC   004 add_index$" out &&
	test_grep "^    added index idx_posts_title$" out &&
	test_grep "^  up again failed: migrations/004_add_index.sql:4: index idx_posts_title already exists$" out &&
	test_grep "1 not checked" out &&
	test_grep ! "005 later" out
'

test_expect_success 'a trigger left behind is named' '
	fresh trigger &&
	setup_story &&
	write_migration 004 add_trigger \
"CREATE TRIGGER IF NOT EXISTS trg_users AFTER INSERT ON users BEGIN SELECT 1; END;" \
		"SELECT 1;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ASYMMETRIC   004 add_trigger$" out &&
	test_grep "^    added trigger trg_users$" out
'

test_expect_success 'a view the down recreates differently is named' '
	fresh view &&
	setup_story &&
	write_migration 004 view "CREATE VIEW v_posts AS SELECT id FROM posts;" \
		"DROP VIEW v_posts;" &&
	write_migration 005 widen \
"DROP VIEW v_posts;
CREATE VIEW v_posts AS SELECT id, title FROM posts;" \
"DROP VIEW v_posts;
CREATE VIEW v_posts AS SELECT id, user_id FROM posts;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ok           004 view$" out &&
	test_grep "^ASYMMETRIC   005 widen$" out &&
	test_grep "^    changed view v_posts: CREATE VIEW v_posts AS SELECT id FROM posts -> CREATE VIEW v_posts AS SELECT id, user_id FROM posts$" out
'

test_expect_success 'up again that differs from the first up is named' '
	fresh again &&
	setup_story &&
	write_migration 004 again "CREATE TABLE IF NOT EXISTS t (a, b);" \
"DROP TABLE t;
CREATE TABLE t (a);" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^  after down, compared with before up:$" out &&
	test_grep "^    added table t$" out &&
	test_grep "^  after up again, compared with the first up:$" out &&
	test_grep "^    removed column t.b$" out
'

test_expect_success 'a table rebuilt with other quoting, spacing and case is not asymmetric' '
	fresh rebuilt &&
	setup_story &&
	cat >migrations/004_nickname.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN nickname TEXT;

	-- migrate:down foreign_keys:off
	create table "users_new" (
	  "id"   integer primary key autoincrement,
	  [name] text   not null
	);
	INSERT INTO users_new (id, name) SELECT id, name FROM users;
	DROP TABLE users;
	ALTER TABLE "users_new" RENAME TO "users";
	EOF
	runner verify >out &&
	test_grep "^ok           004 nickname$" out &&
	test_grep "^4 migrations, 4 checked: 4 ok\.$" out
'

test_expect_success 'transaction:false sections run as migrate runs them' '
	fresh notx &&
	setup_story &&
	cat >migrations/004_vacuum.sql <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE v (a);
	VACUUM;

	-- migrate:down transaction:false
	DROP TABLE v;
	VACUUM;
	EOF
	runner verify >out &&
	test_grep "^ok           004 vacuum$" out
'

test_expect_success 'an SQL error in up: FAILED with file:line, the rest not checked, exit 1' '
	fresh sqlerror &&
	setup_story &&
	write_migration 004 broken "CREATE TABLE a (x);
INSERT INTO postz VALUES (1);" "DROP TABLE a;" &&
	write_migration 005 after "CREATE TABLE b (x);" "DROP TABLE b;" &&
	test_expect_code 1 runner verify >actual &&
	cat >expect <<-\EOF &&
	ok           001 initial_schema
	ok           002 analytics_tables
	ok           003 add_comments
	FAILED       004 broken
	  migrations/004_broken.sql:5: no such table: postz
	5 migrations, 4 checked: 3 ok, 1 failed, 1 not checked (after the failure).
	EOF
	test_cmp expect actual
'

test_expect_success 'an SQL error in down names the down section line' '
	fresh downerror &&
	setup_story &&
	write_migration 004 bad_down "CREATE TABLE a (x);" "DROP TABLE nope;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^FAILED       004 bad_down$" out &&
	test_grep "^  migrations/004_bad_down.sql:7: no such table: nope$" out
'

test_expect_success '-q prints only the problems' '
	fresh quiet &&
	setup_story &&
	write_migration 004 no_down "CREATE TABLE t (a);" &&
	runner -q verify >out &&
	test_line_count = 0 out &&
	write_migration 005 add_index "CREATE INDEX i ON t (a);" "SELECT 1;" &&
	test_expect_code 1 runner -q verify >out &&
	test_grep "^ASYMMETRIC   005 add_index$" out &&
	test_grep ! "^ok" out
'

test_expect_success 'no migrations: nothing to verify, exit 0' '
	fresh empty &&
	mkdir migrations &&
	runner verify >out &&
	test_grep "^0 migrations, 0 checked: 0 ok\.$" out
'

test_expect_success 'bad usage: an extra argument or an unknown flag exits 2 with the usage' '
	test_expect_code 2 runner verify extra >out 2>err &&
	test_grep "unexpected argument .extra." err &&
	test_grep "^usage: runner verify \[--ignore-column-order\] \[--json\] \[--live\]$" err &&
	test_expect_code 2 runner verify --bogus >out 2>err &&
	test_grep "unknown option .--bogus." err &&
	test_grep "^usage: runner verify \[--ignore-column-order\] \[--json\] \[--live\]$" err &&
	runner help verify >out &&
	test_grep "^usage: runner verify \[--ignore-column-order\] \[--json\] \[--live\]$" out
'

test_expect_success 'a missing migrations directory: exit 1, message, database untouched' '
	fresh nodir &&
	setup_story &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner --dir nope verify >out 2>err &&
	test_grep "^runner: .*nope" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'a bad migration file: exit 1 with file and line, database untouched' '
	fresh badfile &&
	setup_story &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	printf -- "-- migrate:up\nCREATE TABLE x (a);\n-- migrate:down bogus:yes\n" \
		>migrations/004_badoption.sql &&
	test_expect_code 1 runner verify >out 2>err &&
	test_grep "^runner: migrations/004_badoption.sql:3: " err &&
	test_line_count = 0 out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success NOT_ROOT 'an unreadable file: exit 1 naming it, database untouched' '
	fresh unreadable &&
	setup_story &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	chmod 000 migrations/002_analytics_tables.sql &&
	test_expect_code 1 runner verify >out 2>err &&
	chmod 644 migrations/002_analytics_tables.sql &&
	test_grep "^runner: .*002_analytics_tables.sql" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'verify --live: no drift, exit 0' '
	fresh live &&
	setup_story &&
	runner migrate >out &&
	runner verify --live >out &&
	test_grep "^3 migrations, 3 checked: 3 ok\.$" out &&
	test_grep "^No schema drift: " out
'

test_expect_success 'verify --live: drift is listed and exits 1, database unchanged' '
	cd live &&
	sql app.db "CREATE TABLE outside (x); DROP INDEX idx_comments_post_id;" &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner verify --live >out &&
	test_grep "^Schema drift: 2 differences from what the applied migrations produce:$" out &&
	test_grep "^  added table outside$" out &&
	test_grep "^  removed index idx_comments_post_id$" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'verify --live on a missing database: exit 1, nothing created' '
	fresh livemissing &&
	setup_story &&
	test_expect_code 1 runner verify --live >out 2>err &&
	test_grep "^runner: database .app.db. does not exist" err &&
	test_path_is_missing app.db
'

test_done
