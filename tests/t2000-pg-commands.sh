#!/bin/bash
# t2000-pg-commands: what only PostgreSQL has (URL forms, catalogs, schemas,
# the missing database); the commands' shared behaviour is t2050-shared-pg.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

DB=$(pg_url app)
export DB

test_expect_success 'runner --version lists the PostgreSQL driver' '
	runner --version >out &&
	test_grep "drivers: sqlite [0-9.]*, postgresql (libpq [0-9.]*)" out
'

test_expect_success 'libpq is loaded only for PostgreSQL: without it, a clear error and SQLite still works' '
	fresh lite &&
	setup_story &&
	RUNNER_LIBPQ=/nonexistent/libpq.so.5 runner --version >out &&
	test_grep "postgresql (libpq not found)" out &&
	RUNNER_LIBPQ=/nonexistent/libpq.so.5 test_expect_code 1 runner --db "$(pg_url app)" status >out 2>err &&
	test_grep "^runner: cannot load libpq, which PostgreSQL databases need (Debian: apt install libpq5): /nonexistent/libpq.so.5: cannot open shared object file" err &&
	RUNNER_LIBPQ=libz.so.1 test_expect_code 1 runner --db "$(pg_url app)" status >out 2>err &&
	test_grep "cannot use libpq .libz.so.1.: .*undefined symbol: PQ" err &&
	RUNNER_LIBPQ=/nonexistent/libpq.so.5 runner --db app.db migrate >out &&
	test_equal "001 002 003" "$(applied app.db | xargs)" &&
	LD_DEBUG=libs runner --db app.db status >out 2>ld.out &&
	test_grep ! "libpq" ld.out &&
	test_grep "libsqlite3" ld.out &&
	test_must_fail env LD_DEBUG=libs "$RUNNER" --db "$(pg_url nosuchdb)" status >out 2>ld.out &&
	test_grep "libpq.so.5" ld.out
'

test_expect_success 'setup: a database migrated with the story migrations' '
	pg_newdb app &&
	fresh story &&
	pg_setup_story &&
	runner --db "$DB" migrate -q &&
	test_equal "001 002 003" "$(pg_applied app | xargs)"
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

test_expect_success 'show-schema prints the catalogs'"'"' form, without pg_dump'"'"'s \restrict lines' '
	cd story &&
	runner --db "$DB" show-schema >s1 &&
	test_grep "^CREATE TABLE users (" s1 &&
	test_grep "^CREATE INDEX idx_comments_post_id ON comments USING btree (post_id);" s1 &&
	test_grep "REFERENCES posts(id) ON DELETE CASCADE" s1 &&
	test_grep ! "restrict" s1
'

test_expect_success 'reset drops only the schema the migrations use' '
	cd story &&
	psql_q app "CREATE SCHEMA keep; CREATE TABLE keep.data (x int); INSERT INTO keep.data VALUES (7)" &&
	psql_q app "CREATE TABLE stray (x int); CREATE TYPE stray_t AS ENUM ('"'a'"'); CREATE FUNCTION stray_f() RETURNS int LANGUAGE sql AS '"'SELECT 1'"'" &&
	psql_q app "CREATE COLLATION stray_c FROM \"C\"; CREATE TEXT SEARCH CONFIGURATION stray_ts (COPY = english)" &&
	psql_q app "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)" &&
	runner --db "$DB" reset --yes >out &&
	test_equal 7 "$(psql_q app "SELECT x FROM keep.data")" &&
	! pg_table_exists app stray &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_type WHERE typname = '"'stray_t'"'")" &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_proc WHERE proname = '"'stray_f'"'")" &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_collation WHERE collname = '"'stray_c'"'")" &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_ts_config WHERE cfgname = '"'stray_ts'"'")" &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_operator WHERE oprname = '"'==='"'")" &&
	test_equal "001 002 003" "$(pg_applied app | xargs)"
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
