#!/bin/bash
# t2600-pg-fleet: fleets on PostgreSQL: a database per tenant on one server,
# a list that mixes SQLite files and PostgreSQL URLs, a missing database,
# the same database through two URLs, a Ctrl-C while one waits for a lock,
# and passwords masked.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

three_migrations () {
	write_migration 001 a "CREATE TABLE a (x int);" "DROP TABLE a;" &&
	write_migration 002 b "CREATE TABLE b (x int);" "DROP TABLE b;" &&
	write_migration 003 c "CREATE TABLE c (x int);" "DROP TABLE c;"
}

test_expect_success 'a database per tenant on one server: each migrated, a line each' '
	pg_newdb ten1 && pg_newdb ten2 && pg_newdb ten3 &&
	fresh tenants &&
	three_migrations &&
	for d in ten1 ten2 ten3; do pg_url $d; done >list &&
	runner -j 2 --db-list list migrate >out &&
	cat out &&
	test_grep "^ok postgres:///ten1?host=.*: 3 applied" out &&
	test_grep "^3 ok of 3 databases" out &&
	for d in ten1 ten2 ten3
	do
		test_equal "001 002 003" "$(pg_applied $d | xargs)" || return 1
	done &&
	runner --db-list list status >out &&
	test_grep "^Versions: 003 on 3 databases$" out
'

test_expect_success 'a list mixing SQLite and PostgreSQL: one fleet' '
	pg_newdb mix1 &&
	fresh mixed &&
	three_migrations &&
	sql lite.db "PRAGMA user_version = 1" &&
	{ echo lite.db; pg_url mix1; } >list &&
	runner --db-list list migrate --json >out &&
	python3 -c "
import json
d = json.load(open(\"out\"))
assert d[\"ok\"] == 2, d
names = sorted(r[\"database\"] for r in d[\"results\"])
assert names[0] == \"lite.db\" and names[1].startswith(\"postgres:///mix1\"), names
" &&
	test_equal "001 002 003" "$(applied lite.db | xargs)" &&
	test_equal "001 002 003" "$(pg_applied mix1 | xargs)"
'

test_expect_success 'a database the server does not have: an error on its line; the same database twice runs once' '
	pg_newdb dup1 &&
	fresh pgmissing &&
	three_migrations &&
	{ pg_url dup1; pg_url nosuchdb; echo "postgresql:///dup1?host=$PG_DIR"; } >list &&
	test_expect_code 1 runner --db-list list migrate >out &&
	cat out &&
	test_grep "^FAILED postgres:///nosuchdb?host=.*nosuchdb.*does not exist" out &&
	test_grep "^FAILED postgresql:///dup1?host=.*: the same database as" out &&
	test_grep "^1 ok, 2 failed of 3 databases" out &&
	test_equal "001 002 003" "$(pg_applied dup1 | xargs)"
'

test_expect_success 'Ctrl-C while a tenant waits for a lock: it rolls back, the rest never start' '
	pg_newdb int1 && pg_newdb int2 && pg_newdb int3 &&
	fresh pgint &&
	write_migration 001 a "CREATE TABLE a (x int);" &&
	write_migration 002 wait "CREATE TABLE w (x int); SELECT pg_advisory_xact_lock(4242);" &&
	for d in int1 int2 int3; do pg_url $d; done >list &&
	pg_hold_lock int2 4242 || return 1
	"$RUNNER" -j 1 --db-list list migrate >out 2>err &
	pid=$!
	wait_until pg_waiting int2 &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	release_lock &&
	cat out err &&
	test $rc = 1 &&
	test_grep "^ok postgres:///int1" out &&
	test_grep "^interrupted postgres:///int2?host=.*: 1 applied" out &&
	test_grep "^skipped postgres:///int3?host=.* (interrupted)$" out &&
	test_equal "001" "$(pg_applied int2 | xargs)" &&
	! pg_table_exists int2 w &&
	test_equal "" "$(psql_q int3 "SELECT to_regclass(\$\$schema_migrations\$\$)")"
'

test_expect_success 'a password in a URL is masked on its line and in JSON' '
	fresh pgsecret &&
	three_migrations &&
	echo "postgres://u:hunter2@127.0.0.1:1/x?connect_timeout=2" >list &&
	test_expect_code 1 runner --db-list list migrate >out 2>err &&
	test_expect_code 1 runner --db-list list status --json >>out 2>>err &&
	cat out err &&
	test_grep "^FAILED postgres://u:\*\*\*@127.0.0.1:1/x" out &&
	test_grep ! hunter2 out &&
	test_grep ! hunter2 err
'

test_done
