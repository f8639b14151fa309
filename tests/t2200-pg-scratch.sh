#!/bin/bash
# t2200-pg-scratch: the PostgreSQL driver's describe and open_scratch (for
# verify and drift detection), through the unit program t_pg_scratch.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

: "${UNIT_DIR:=$SOURCE_DIRECTORY/build/release/unit}"

test_expect_success 'setup: a database and a user who may not create one' '
	pg_newdb app &&
	psql_q app "CREATE ROLE nocreate LOGIN"
'

test_expect_success 'describe and open_scratch pass their unit tests' '
	RUNNER_TEST_PG_URL=$(pg_url app) \
	RUNNER_TEST_PG_NOCREATE_URL="postgres://nocreate@/app?host=$PG_DIR" \
		"$UNIT_DIR/t_pg_scratch" >out 2>err &&
	cat out &&
	test_grep "^1\.\.[1-9]" out &&
	test_grep ! "^not ok" out &&
	test_grep ! -e Sanitizer -e "runtime error" err
'

test_expect_success 'no scratch database is left behind' '
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_database WHERE datname LIKE '"'runner_scratch%'"'")"
'

test_done
