#!/bin/bash
# t2520-pg-config: PostgreSQL URLs as dbmate users write them (socket=,
# search_path=), --table, wait, and dbmate itself taking turns with runner
# on a PostgreSQL database when it can be installed.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"
. "$TEST_DIRECTORY/lib-dbmate.sh"

test_expect_success 'setup' '
	write_migration 001 a "CREATE TABLE a (x INTEGER);" "DROP TABLE a;" &&
	write_migration 002 b "CREATE TABLE b (x INTEGER);" "DROP TABLE b;" &&
	pg_newdb cfg
'

test_expect_success 'dbmate.s socket= is libpq.s host=' '
	runner --db "postgres://postgres@/cfg?socket=$PG_DIR" migrate-to 001 >out &&
	test_equal 001 "$(psql_q cfg "SELECT version FROM schema_migrations")"
'

test_expect_success 'search_path= puts runner.s table and the migrations in that schema' '
	psql_q cfg "CREATE SCHEMA app" &&
	runner --db "postgres:///cfg?host=$PG_DIR&search_path=app" migrate >out &&
	test_equal "001 002" "$(psql_q cfg "SELECT version FROM app.schema_migrations ORDER BY 1" | xargs)" &&
	test_equal t "$(psql_q cfg "SELECT to_regclass('"'"'app.b'"'"') IS NOT NULL")" &&
	runner --db "postgres:///cfg?host=$PG_DIR&search_path=app" status --exit-code >out
'

test_expect_success '--table on PostgreSQL, quoted where it must be' '
	pg_newdb tab &&
	runner --db "$(pg_url tab)" --table Runner_Log migrate >out &&
	test_equal "001 002" "$(psql_q tab "SELECT version FROM \"Runner_Log\" ORDER BY 1" | xargs)" &&
	runner --db "$(pg_url tab)" --table Runner_Log status --exit-code >out &&
	runner --db "$(pg_url tab)" --table Runner_Log rollback --yes --no-backup 0 >out &&
	test_equal 0 "$(psql_q tab "SELECT count(*) FROM \"Runner_Log\"")"
'

test_expect_success 'wait: a server that answers; one that does not, until the timeout' '
	runner --db "$(pg_url cfg)" wait --timeout 5 >out 2>err &&
	test_must_be_empty err &&
	test_expect_code 1 runner --db "postgres:///cfg?host=$PG_DIR/nowhere" wait --timeout 1 2>err &&
	test_grep "waiting for database" err &&
	test_grep "did not accept connections in time" err
'

test_expect_success DBMATE 'dbmate and runner take turns on PostgreSQL' '
	pg_newdb dm && fresh dm &&
	write_migration 20240101000001 t1 "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;" &&
	write_migration 20240101000002 t2 "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;" &&
	url="postgres://postgres@/dm?socket=$PG_DIR&sslmode=disable" &&
	dbmate --url "$url" migrate >out &&
	runner --db "$url" adopt --yes >out &&
	test_grep "2 migrations adopted from dbmate" out &&
	write_migration 20240101000003 t3 "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;" &&
	dbmate --url "$url" migrate >out &&
	test_grep "Applying: 20240101000003_t3.sql" out &&
	runner --db "$url" status --exit-code >out &&
	runner --db "$url" rollback --yes --no-backup >out &&
	test_grep "Rolled back 20240101000003: t3" out &&
	dbmate --url "$url" status >out &&
	test_grep "Pending: 1" out
'

test_done
