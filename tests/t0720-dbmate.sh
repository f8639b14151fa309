#!/bin/bash
# t0720-dbmate: dbmate and runner taking turns on one SQLite database, with
# dbmate itself (from the npm registry; skipped visibly without it).

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-dbmate.sh"

mig () {
	write_migration "2024010100000$1" "t$1" "CREATE TABLE t$1 (id INTEGER PRIMARY KEY);" "DROP TABLE t$1;"
}

test_expect_success DBMATE 'dbmate migrates, runner adopts, then they take turns' '
	mig 1 && mig 2 &&
	dbmate --url sqlite:app.db migrate >out &&
	test_expect_code 1 runner status 2>err &&
	test_grep "but dbmate (table schema_migrations)" err &&
	runner adopt --yes >out &&
	test_grep "2 migrations adopted from dbmate" out &&
	runner status --exit-code >out &&
	mig 3 &&
	runner migrate >out &&
	test_grep "Applied 20240101000003: t3" out &&
	dbmate --url sqlite:app.db status >out &&
	test_grep "\[X\] 20240101000003_t3.sql" out &&
	test_grep "Pending: 0" out &&
	mig 4 &&
	dbmate --url sqlite:app.db migrate >out &&
	test_grep "Applying: 20240101000004_t4.sql" out &&
	test_grep ! 20240101000003 out &&
	runner status --exit-code >out &&
	test_grep "\[X\] 20240101000004: t4" out &&
	runner rollback --yes --no-backup >out &&
	test_grep "Rolled back 20240101000004: t4" out &&
	dbmate --url sqlite:app.db rollback >out &&
	test_grep "Rolling back: 20240101000003_t3.sql" out &&
	runner status >out &&
	test_grep "Applied migrations: 2" out &&
	test_grep "Pending migrations: 2" out &&
	test_grep "another tool changed schema_migrations" out &&
	test_grep ! "Schema drift" out &&
	dbmate --url sqlite:app.db migrate >out &&
	runner status --exit-code >out
'

test_expect_success DBMATE 'runner first: dbmate reads and extends runner.s table (--table, --migrations-table)' '
	fresh second && mig 1 && mig 2 &&
	runner --table runner_log migrate-to 20240101000001 >out &&
	dbmate --url sqlite:app.db --migrations-table runner_log migrate >out &&
	test_grep "Applying: 20240101000002_t2.sql" out &&
	test_grep ! 20240101000001 out &&
	RUNNER_TABLE=runner_log runner status --exit-code >out &&
	test_grep "\[X\] 20240101000002: t2" out
'

test_done
