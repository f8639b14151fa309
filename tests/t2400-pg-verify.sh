#!/bin/bash
# t2400-pg-verify: verify, drift in status, stamp, repair and lint on
# PostgreSQL databases.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

test_expect_success 'setup: the story migrations, applied' '
	pg_newdb app &&
	pg_setup_story &&
	runner --db "$(pg_url app)" migrate >out
'

test_expect_success 'verify checks every migration in a scratch database' '
	runner --db "$(pg_url app)" verify >out &&
	test_grep "^ok  *001 initial_schema" out &&
	test_grep "^ok  *003 add_comments" out &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_database WHERE datname LIKE '"'runner_scratch%'"'")"
'

test_expect_success 'verify finds a down that does not undo its up' '
	write_migration 004 half "CREATE TABLE a (x int); CREATE INDEX a_x ON a (x);" "DROP INDEX a_x;" &&
	test_expect_code 1 runner --db "$(pg_url app)" verify >out &&
	test_grep "^ASYMMETRIC  *004 half" out &&
	test_grep "table a" out &&
	rm migrations/004_half.sql
'

test_expect_success 'status reports drift made outside the migrations' '
	runner --db "$(pg_url app)" status --exit-code >out &&
	psql_q app "CREATE TABLE audit (id int)" &&
	test_expect_code 1 runner --db "$(pg_url app)" status --exit-code >out &&
	test_grep "added table audit" out &&
	runner --db "$(pg_url app)" status --exit-code --no-drift >out &&
	psql_q app "DROP TABLE audit"
'

test_expect_success 'stamp adopts a database whose tables exist' '
	pg_newdb adopt &&
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d adopt \
		-c "CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL)" \
		-c "CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL)" &&
	runner --db "$(pg_url adopt)" stamp --yes 001 >out &&
	test_grep "^Stamped 001: initial_schema" out &&
	test_equal "001" "$(pg_applied adopt | xargs)" &&
	runner --db "$(pg_url adopt)" migrate >out &&
	test_equal "001 002 003" "$(pg_applied adopt | xargs)"
'

test_expect_success 'repair accepts an edited file' '
	echo "-- a reviewed comment" >>migrations/003_add_comments.sql &&
	test_expect_code 1 runner --db "$(pg_url app)" migrate 2>err &&
	runner --db "$(pg_url app)" repair --yes >out &&
	test_grep "^Repaired 003" out &&
	runner --db "$(pg_url app)" status --exit-code >out
'

test_expect_success 'stamp and repair prompts never show the password' '
	psql_q app "ALTER ROLE postgres PASSWORD '"'s3cret'"'" &&
	url="postgres://postgres:s3cret@/app?host=$PG_DIR" &&
	echo "-- another reviewed comment" >>migrations/003_add_comments.sql &&
	test_expect_code 1 runner_on_tty n --db "$url" repair >out &&
	test_grep "Repair the records of 1 migration on .postgres://postgres:\*\*\*@" out &&
	runner --db "$url" repair --yes >/dev/null &&
	write_migration 004 more "CREATE TABLE more (x int);" "DROP TABLE more;" &&
	test_expect_code 1 runner_on_tty n --db "$url" stamp 004 >out &&
	test_grep "Record 1 migration on .postgres://postgres:\*\*\*@" out &&
	test_grep ! s3cret out
'

test_done
