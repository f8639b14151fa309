#!/bin/bash
# t2000-pg-commands: every command against a real PostgreSQL server.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

# json_ok FILE EXPR...: each Python expression over j (the document) holds.
json_ok () {
	local file=$1
	shift
	python3 - "$file" "$@" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	m = {x["version"]: x for x in j["migrations"]}
	bad = [e for e in sys.argv[2:] if not eval(e)]
	for e in bad:
	    print("json_ok: false: %s" % e, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
}

DB=$(pg_url app)
export DB

test_expect_success 'runner --version lists the PostgreSQL driver' '
	runner --version >out &&
	test_grep "drivers: sqlite [0-9.]*, postgresql (libpq [0-9.]*)" out
'

test_expect_success 'setup: a database and the story migrations' '
	pg_newdb app &&
	fresh story &&
	pg_setup_story
'

test_expect_success 'status on an empty database: all pending, nothing created' '
	cd story &&
	runner --db "$DB" status >out &&
	test_grep "^Applied migrations: 0" out &&
	test_grep "^Pending migrations: 3" out &&
	test_expect_code 1 runner --db "$DB" status --exit-code >out &&
	! pg_table_exists app schema_migrations
'

test_expect_success 'migrate --dry-run prints the SQL and changes nothing' '
	cd story &&
	runner --db "$DB" migrate --dry-run >out &&
	test_grep "CREATE TABLE comments" out &&
	! pg_table_exists app schema_migrations &&
	! pg_table_exists app users
'

test_expect_success 'migrate applies every migration in order' '
	cd story &&
	runner --db "$DB" migrate >out 2>err &&
	grep "^Applied" out >lines &&
	test_line_count = 3 lines &&
	test_grep "^Applied 001: initial_schema ([0-9.]* ms)" lines &&
	test_equal "001 002 003" "$(pg_applied app | xargs)" &&
	pg_table_exists app users && pg_table_exists app comments &&
	pg_table_exists app idx_comments_post_id
'

test_expect_success 'the tracking table has the documented columns and rows' '
	cd story &&
	psql_q app "SELECT column_name FROM information_schema.columns WHERE table_name = '"'schema_migrations'"' ORDER BY ordinal_position" >cols &&
	test_equal "id version name applied_at checksum duration_ms down_sql down_options state error" "$(xargs <cols)" &&
	test_equal "$(file_checksum migrations/002_analytics_tables.sql)" \
		"$(psql_q app "SELECT checksum FROM schema_migrations WHERE version = '"'002'"'")" &&
	test_equal 3 "$(psql_q app "SELECT count(*) FROM schema_migrations WHERE state = '"'applied'"' AND duration_ms >= 0 AND applied_at IS NOT NULL AND error IS NULL")" &&
	psql_q app "SELECT down_sql FROM schema_migrations WHERE version = '"'003'"'" >down &&
	test_grep "DROP TABLE IF EXISTS comments;" down
'

test_expect_success 'migrate when up to date changes nothing' '
	cd story &&
	pg_dump_db app >before &&
	runner --db "$DB" migrate >out 2>err &&
	test_grep "up to date" out err &&
	pg_dump_db app >after &&
	test_cmp before after
'

test_expect_success 'status: layout, --exit-code, --json' '
	cd story &&
	runner --db "$DB" status >out &&
	test_grep "^  \[X\] 003: add_comments ([0-9-]* [0-9:]*)\$" out &&
	test_grep "^Database is up to date!" out &&
	runner --db "$DB" status --exit-code &&
	runner --db "$DB" status --json >out.json &&
	json_ok out.json "j[\"applied\"] == 3" "j[\"up_to_date\"] is True" \
		"m[\"001\"][\"checksum\"].startswith(\"crc32:\")" \
		"m[\"002\"][\"duration_ms\"] >= 0"
'

test_expect_success 'DATABASE_URL and postgresql:// work too' '
	cd story &&
	DATABASE_URL="$DB" runner status >out &&
	test_grep "^Applied migrations: 3" out &&
	runner --db "postgresql:///app?host=$PG_DIR" status >out &&
	test_grep "^Applied migrations: 3" out &&
	runner --db "postgresql://postgres@/app?host=$PG_DIR&sslmode=disable" status >out &&
	test_grep "^Applied migrations: 3" out
'

test_expect_success 'rollback undoes the newest; rollback VERSION down to it' '
	cd story &&
	runner --db "$DB" rollback --yes >out &&
	test_grep "^Rolled back 003: add_comments" out &&
	! pg_table_exists app comments &&
	test_equal "001 002" "$(pg_applied app | xargs)" &&
	runner --db "$DB" rollback --yes 0 >out &&
	test_equal "" "$(pg_applied app | xargs)" &&
	! pg_table_exists app users
'

test_expect_success 'migrate-to stops at VERSION; migrate goes on' '
	cd story &&
	runner --db "$DB" migrate-to 002 >out &&
	test_equal "001 002" "$(pg_applied app | xargs)" &&
	test_expect_code 1 runner --db "$DB" migrate-to 001 >out 2>err &&
	test_grep "rollback 001" err &&
	runner --db "$DB" migrate >out &&
	test_equal "001 002 003" "$(pg_applied app | xargs)"
'

test_expect_success 'rollback uses the stored down SQL when the file is gone' '
	cd story &&
	mv migrations/003_add_comments.sql saved-003 &&
	runner --db "$DB" status >out &&
	test_grep "^  \[?\] 003" out &&
	runner --db "$DB" rollback --yes >out &&
	! pg_table_exists app comments &&
	mv saved-003 migrations/003_add_comments.sql &&
	runner --db "$DB" migrate >out
'

test_expect_success 'an edited applied file is refused; repair accepts it' '
	cd story &&
	echo "-- an edit" >>migrations/001_initial_schema.sql &&
	write_migration 004 more "CREATE TABLE more (x int);" "DROP TABLE more;" &&
	pg_dump_db app >before &&
	test_expect_code 1 runner --db "$DB" migrate >out 2>err &&
	test_grep "001_initial_schema.sql" err &&
	test_grep "repair" err &&
	pg_dump_db app >after &&
	test_cmp before after &&
	runner --db "$DB" repair --yes >out &&
	test_equal "$(file_checksum migrations/001_initial_schema.sql)" \
		"$(psql_q app "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'")" &&
	runner --db "$DB" migrate >out &&
	test_equal "001 002 003 004" "$(pg_applied app | xargs)"
'

test_expect_success 'an older pending migration needs --allow-out-of-order' '
	cd story &&
	write_migration 006 six "CREATE TABLE six (x int);" "DROP TABLE six;" &&
	runner --db "$DB" migrate >out &&
	write_migration 005 late "CREATE TABLE late (x int);" "DROP TABLE late;" &&
	test_expect_code 1 runner --db "$DB" migrate >out 2>err &&
	test_grep "005" err &&
	! pg_table_exists app late &&
	runner --db "$DB" migrate --allow-out-of-order >out &&
	pg_table_exists app late &&
	runner --db "$DB" rollback --yes 004 >out &&
	! pg_table_exists app late && ! pg_table_exists app six &&
	rm migrations/005_late.sql migrations/006_six.sql
'

test_expect_success 'migrate --single-transaction: a failure applies nothing' '
	cd story &&
	runner --db "$DB" rollback --yes 002 >out &&
	write_migration 005 broken "CREATE TABLE t5 (x int);
SELECT * FROM nope;" &&
	test_expect_code 1 runner --db "$DB" migrate --single-transaction >out 2>err &&
	test_grep "005_broken.sql:5: relation \"nope\" does not exist" err &&
	test_equal "001 002" "$(pg_applied app | xargs)" &&
	! pg_table_exists app comments &&
	rm migrations/005_broken.sql &&
	runner --db "$DB" migrate --single-transaction >out &&
	test_equal "001 002 003 004" "$(pg_applied app | xargs)"
'

test_expect_success 'show-schema is stable, holds every object, and survives reset' '
	cd story &&
	runner --db "$DB" show-schema >s1 &&
	runner --db "$DB" show-schema >s2 &&
	test_cmp s1 s2 &&
	test_grep "^CREATE TABLE users (" s1 &&
	test_grep "^CREATE TABLE schema_migrations (" s1 &&
	test_grep "^CREATE INDEX idx_comments_post_id ON comments USING btree (post_id);" s1 &&
	test_grep "REFERENCES posts(id) ON DELETE CASCADE" s1 &&
	test_grep ! "restrict" s1 &&
	runner --db "$DB" reset --yes >out &&
	runner --db "$DB" show-schema >s3 &&
	test_cmp s1 s3
'

test_expect_success 'reset drops only the schema the migrations use' '
	cd story &&
	psql_q app "CREATE SCHEMA keep; CREATE TABLE keep.data (x int); INSERT INTO keep.data VALUES (7)" &&
	psql_q app "CREATE TABLE stray (x int); CREATE TYPE stray_t AS ENUM ('"'a'"'); CREATE FUNCTION stray_f() RETURNS int LANGUAGE sql AS '"'SELECT 1'"'" &&
	runner --db "$DB" reset --yes >out &&
	test_equal 7 "$(psql_q app "SELECT x FROM keep.data")" &&
	! pg_table_exists app stray &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_type WHERE typname = '"'stray_t'"'")" &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_proc WHERE proname = '"'stray_f'"'")" &&
	test_equal "001 002 003 004" "$(pg_applied app | xargs)"
'

test_expect_success 'reset without --yes off a terminal changes nothing' '
	cd story &&
	psql_q app "INSERT INTO users (name) VALUES ('"'kept'"')" &&
	test_expect_code 2 runner --db "$DB" reset >out 2>err &&
	test_equal kept "$(psql_q app "SELECT name FROM users")"
'

test_expect_success 'init applies migrations then seeds, and refuses a second time' '
	pg_newdb fresh &&
	fresh init &&
	pg_setup_story &&
	mkdir migrations/seeds &&
	echo "INSERT INTO users (id, name) VALUES (1, '"'admin'"');" >migrations/seeds/01_users.sql &&
	echo "INSERT INTO posts (user_id, title) VALUES (1, '"'hello; world'"');" >migrations/seeds/02_posts.sql &&
	runner --db "$(pg_url fresh)" init >out &&
	test_equal "001 002 003" "$(pg_applied fresh | xargs)" &&
	test_equal "1|hello; world" "$(psql_q fresh "SELECT user_id, title FROM posts")" &&
	test_expect_code 1 runner --db "$(pg_url fresh)" init >out 2>err &&
	test_grep "already has 3 applied" err
'

test_expect_success 'init with a failing seed leaves the database empty' '
	pg_newdb fresh2 &&
	cd init &&
	echo "INSERT INTO nope VALUES (1);" >migrations/seeds/03_bad.sql &&
	test_expect_code 1 runner --db "$(pg_url fresh2)" init >out 2>err &&
	test_grep "03_bad.sql:1: relation \"nope\" does not exist" err &&
	! pg_table_exists fresh2 users &&
	! pg_table_exists fresh2 schema_migrations
'

test_expect_success 'create-migration works beside a PostgreSQL database' '
	cd story &&
	runner --db "$DB" create-migration add_tags >out &&
	test_grep "^migrations/005_add_tags.sql" out &&
	rm migrations/005_add_tags.sql
'

test_expect_success 'a database that does not exist: a clear error' '
	cd story &&
	test_expect_code 1 runner --db "$(pg_url nosuchdb)" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .postgres:///nosuchdb.*does not exist" err &&
	test_expect_code 1 runner --db "$(pg_url nosuchdb)" status >out 2>err &&
	test_expect_code 1 runner --db "$(pg_url nosuchdb)" show-schema >out 2>err
'

test_expect_success 'foreign_keys:off is refused with a reason, changing nothing' '
	pg_newdb fk &&
	fresh fk &&
	write_migration 001 fk "CREATE TABLE a (x int);" &&
	sed -i "s/-- migrate:up/-- migrate:up foreign_keys:off/" migrations/001_fk.sql &&
	test_expect_code 1 runner --db "$(pg_url fk)" migrate >out 2>err &&
	test_grep "foreign_keys:off is SQLite" err &&
	! pg_table_exists fk a
'

test_done
