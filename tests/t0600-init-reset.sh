#!/bin/bash
# t0600-init-reset: init (migrations then seeds) and reset (drop everything, migrate again).

. "$(dirname "$0")/lib.sh"

# setup_seeds: the story set plus two seed files whose order matters.
setup_seeds () {
	setup_story &&
	mkdir -p migrations/seeds &&
	echo "INSERT INTO users (id, name) VALUES (1, 'admin');" >migrations/seeds/01_users.sql &&
	echo "INSERT INTO posts (user_id, title) VALUES (1, 'hello; world');" >migrations/seeds/02_posts.sql
}

test_expect_success 'init applies all migrations, then the seeds in name order' '
	fresh init &&
	setup_seeds &&
	runner init >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "admin" "$(sql app.db "SELECT name FROM users")" &&
	test_equal "1|hello; world" "$(sql app.db "SELECT user_id, title FROM posts")" &&
	runner status --exit-code >out
'

test_expect_success 'init refuses when migrations are already applied' '
	cd init &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner init >out 2>err &&
	test_grep "^runner: " err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "1" "$(sql app.db "SELECT count(*) FROM users")"
'

test_expect_success 'init refuses even when only some are applied' '
	fresh init-partial &&
	setup_seeds &&
	runner migrate-to 001 >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner init >out 2>err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'init without a seeds directory' '
	fresh init-noseeds &&
	setup_story &&
	runner init >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM users")"
'

test_expect_success 'migrate does not apply seeds' '
	fresh migrate-seeds &&
	setup_seeds &&
	runner migrate >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM users")"
'

test_expect_success 'a failing seed: exit 1, no migration applied' '
	fresh init-badseed &&
	setup_seeds &&
	echo "INSERT INTO nope VALUES (1);" >migrations/seeds/03_bad.sql &&
	test_expect_code 1 runner init >out 2>err &&
	test_grep "03_bad.sql" err &&
	test_grep "no such table: nope" err &&
	if test -f app.db
	then
		test_equal "" "$(sql app.db "SELECT version FROM schema_migrations" 2>/dev/null)" &&
		! table_exists app.db users
	fi
'

test_expect_success 'after fixing the seed, init works' '
	cd init-badseed &&
	rm migrations/seeds/03_bad.sql &&
	runner init >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "admin" "$(sql app.db "SELECT name FROM users")"
'

test_expect_success 'a failing migration during init leaves the database empty' '
	fresh init-badmig &&
	setup_seeds &&
	write_migration 004 broken "CREATE TABLE t4 (x);
INSERT INTO nope VALUES (1);" &&
	test_expect_code 1 runner init >out 2>err &&
	test_grep "migrations/004_broken.sql:" err &&
	if test -f app.db
	then
		test_equal "" "$(sql app.db "SELECT version FROM schema_migrations" 2>/dev/null)" &&
		! table_exists app.db users
	fi
'

test_expect_success 'init with a transaction:false migration' '
	fresh init-notx &&
	setup_seeds &&
	printf -- "-- migrate:up transaction:false\nVACUUM;\n" >migrations/004_vacuum.sql &&
	runner init >out 2>err &&
	test_equal "001 002 003 004" "$(applied | xargs)" &&
	test_equal "admin" "$(sql app.db "SELECT name FROM users")"
'

test_expect_success 'setup reset' '
	fresh reset &&
	setup_seeds &&
	runner init >out &&
	sql app.db "INSERT INTO users (name) VALUES ('"'by hand'"');
		INSERT INTO posts (user_id, title) VALUES (2, '"'hand post'"');
		CREATE TABLE junk (x);
		CREATE VIEW junk_view AS SELECT * FROM junk;"
'

test_expect_success 'reset without --yes off a terminal exits 2 and changes nothing' '
	cd reset &&
	before=$(db_sha app.db) &&
	test_expect_code 2 runner reset >out 2>err </dev/null &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'reset --yes drops everything and applies every migration again' '
	cd reset &&
	runner reset --yes >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM users")" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM posts")" &&
	! table_exists app.db junk &&
	test_equal "" "$(sql app.db "SELECT name FROM sqlite_master WHERE name = '"'junk_view'"'")" &&
	table_exists app.db comments &&
	test_equal "ok" "$(sql app.db "PRAGMA integrity_check")" &&
	test_equal "" "$(sql app.db "PRAGMA foreign_key_check")" &&
	runner status --exit-code >out
'

test_expect_success 'reset starts AUTOINCREMENT counters over' '
	cd reset &&
	sql app.db "INSERT INTO users (name) VALUES ('"'a'"'); INSERT INTO users (name) VALUES ('"'b'"');" &&
	runner reset --yes >out &&
	sql app.db "INSERT INTO users (name) VALUES ('"'c'"')" &&
	test_equal "1" "$(sql app.db "SELECT id FROM users WHERE name = '"'c'"'")"
'

test_expect_success 'a migration failing during reset leaves the database as it was' '
	cd reset &&
	sql app.db "INSERT INTO users (name) VALUES ('"'keep me'"');" &&
	write_migration 004 broken "CREATE TABLE t4 (x);
INSERT INTO nope VALUES (1);" &&
	test_expect_code 1 runner reset --yes >out 2>err &&
	test_grep "migrations/004_broken.sql:" err &&
	test_equal "keep me" "$(sql app.db "SELECT name FROM users WHERE name = '"'keep me'"'")" &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	! table_exists app.db t4 &&
	test_equal "ok" "$(sql app.db "PRAGMA integrity_check")"
'

test_expect_success 'reset with a bad migration file changes nothing' '
	cd reset &&
	printf -- "-- migrate:up foo:bar\n" >migrations/004_broken.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner reset --yes >out 2>err &&
	test_grep "migrations/004_broken.sql:1:" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'reset of triggers, views and indexes' '
	fresh reset-objects &&
	setup_story &&
	write_migration 004 objects "CREATE VIEW v_posts AS SELECT p.title, u.name FROM posts p JOIN users u ON u.id = p.user_id;
CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN INSERT INTO posts (user_id, title) VALUES (new.id, '"'welcome'"'); END;" \
"DROP TRIGGER trg_users;
DROP VIEW v_posts;" &&
	runner migrate >out &&
	sql app.db "INSERT INTO users (name) VALUES ('"'x'"')" &&
	test_equal "1" "$(sql app.db "SELECT count(*) FROM v_posts")" &&
	runner reset --yes >out 2>err &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM v_posts")" &&
	test_equal "001 002 003 004" "$(applied | xargs)" &&
	sql app.db "INSERT INTO users (name) VALUES ('"'y'"')" &&
	test_equal "y|welcome" "$(sql app.db "SELECT name, title FROM v_posts")"
'

test_expect_success 'reset on a database with a transaction:false migration' '
	fresh reset-notx &&
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	printf -- "-- migrate:up transaction:false\nVACUUM;\n" >migrations/002_vacuum.sql &&
	runner migrate >out &&
	sql app.db "INSERT INTO a VALUES (1)" &&
	runner reset --yes >out 2>err &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM a")"
'

test_done
