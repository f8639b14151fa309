#!/bin/bash
# t0710-adopt-sqlite: adopting other tools' histories (shared-adopt.sh) on
# SQLite, and what only SQLite lets a table hold (NULL keys); t2510-pg-adopt
# runs the shared part on PostgreSQL.

DRIVER=sqlite
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-driver.sh"
. "$TEST_DIRECTORY/shared-adopt.sh"

test_expect_success 'dbmate garbage: a NULL version, a duplicate by number' '
	adopt_setup dbmate s1 &&
	sql s1.db "INSERT INTO schema_migrations VALUES (NULL)" &&
	echo "dbmate.s table .schema_migrations.: the version is NULL" >why &&
	refuse s1 &&
	adopt_setup dbmate s2 &&
	sql s2.db "INSERT INTO schema_migrations VALUES (\"020240101000001\")" &&
	echo "dbmate.s table .schema_migrations.: duplicate version .020240101000001." >why &&
	refuse s2 &&
	adopt_setup golang-migrate s3 &&
	sql s3.db "INSERT INTO schema_migrations VALUES (1, 0)" &&
	echo "golang-migrate keeps one row, this table has more" >why &&
	refuse s3
'

test_expect_success 'adopt asks on a terminal; no cancels and changes nothing' '
	adopt_setup goose tty &&
	before=$(db_sha tty.db) &&
	test_expect_code 1 runner_on_tty n --db tty.db adopt >out &&
	test_grep "Adopt goose.s history on .tty.db.: record 2 migrations as applied without running them (001 t1, 002 t2)?" out &&
	test_grep "adopt cancelled; nothing was changed" out &&
	test_equal "$before" "$(db_sha tty.db)" &&
	runner_on_tty y --db tty.db adopt >out &&
	test_grep "2 migrations adopted" out
'

test_expect_success 'adopt: no arguments allowed, unknown flag, missing database' '
	test_expect_code 2 runner adopt extra 2>err &&
	test_grep "^usage: runner adopt" err &&
	test_expect_code 2 runner adopt --bogus 2>err &&
	test_grep "^usage: runner adopt" err &&
	test_expect_code 1 runner --db nope.db adopt --yes 2>err &&
	test_grep "database .nope.db. does not exist" err &&
	test_path_is_missing nope.db
'

test_done
