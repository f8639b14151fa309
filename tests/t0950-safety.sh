#!/bin/bash
# t0950-safety: signals at any moment, sections that try to end the
# runner's transaction, atomic reset with foreign_keys:off, repairing a
# failed rollback, and inputs that once crashed or misbehaved.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a migration of many small statements' '
	fresh many &&
	{
		echo "CREATE TABLE m (x);"
		seq 1 200000 | sed "s/.*/INSERT INTO m VALUES (&);/"
	} >up.sql &&
	write_migration 001 many "$(cat up.sql)" "DROP TABLE m;"
'

# has_tracking: whether the tracking table is committed: migrate creates it
# in a transaction of its own, before the migrations.
has_tracking () {
	sqlite3 -readonly app.db "SELECT 1 FROM schema_migrations LIMIT 0" 2>/dev/null
}

for sig in INT TERM
do
	test_expect_success "SIG$sig between statements rolls the migration back" '
		cd many &&
		for round in 1 2
		do
			rm -f app.db app.db-journal
			# the tracking table first, so that the journal appears
			# with the first write of the migration itself
			mkdir -p none && "$RUNNER" --dir none migrate >/dev/null &&
			table_exists app.db schema_migrations || return 1
			"$RUNNER" migrate >out 2>err &
			pid=$!
			# then the journal appears with the first write of the migration
			wait_until has_tracking && wait_for app.db-journal || return 1
			tick 0.0$round
			kill -'$sig' $pid
			code=0 && wait $pid || code=$?
			test "$code" -eq 1 &&
			test_grep "interrupted" err &&
			test_grep "migration 001 was rolled back" err &&
			test_equal "" "$(applied | xargs)" &&
			! table_exists app.db m || return 1
		done
	'
done

# Waiting for the lock is stopped by the signal, not by --lock-timeout:
# the lock is held until runner has exited, and runner must exit long
# before the timeout (SECONDS counts whole seconds; valgrind and a loaded
# machine need a few).
test_expect_success 'SIGTERM while waiting for the lock stops at once, nothing applied' '
	fresh lockwait &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	sql app.db "CREATE TABLE keep (x)" &&
	hold_write_lock app.db || return 1
	"$RUNNER" --lock-timeout 120 migrate >out 2>err &
	pid=$!
	wait_waiting $pid app.db || return 1
	start=$SECONDS
	kill -TERM $pid
	code=0 && wait $pid || code=$?
	end=$SECONDS
	release_lock &&
	test "$code" -eq 1 &&
	test $((end - start)) -lt 30 &&
	test_grep "interrupted" err &&
	test_equal "" "$(applied | xargs)"
'

test_expect_success 'COMMIT inside a transactional section is refused, nothing applied' '
	fresh commit &&
	write_migration 001 c "CREATE TABLE a (x);
COMMIT;
CREATE TABLE b (x);" &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "migrations/001_c.sql:5:" err &&
	test_grep "transaction:false" err &&
	! table_exists app.db a &&
	! table_exists app.db b &&
	test_equal "" "$(applied | xargs)"
'

test_expect_success 'END and ROLLBACK are refused too; in transaction:false they are the users to use' '
	fresh commit2 &&
	write_migration 001 c "CREATE TABLE a (x); END;" &&
	test_expect_code 1 runner migrate 2>err &&
	test_grep "must not end" err &&
	rm migrations/001_c.sql &&
	write_migration 001 c "CREATE TABLE a (x); ROLLBACK;" &&
	test_expect_code 1 runner migrate 2>err &&
	test_grep "must not end" err &&
	rm migrations/001_c.sql &&
	printf "%s\n" "-- migrate:up transaction:false" "BEGIN;" "CREATE TABLE a (x);" "COMMIT;" >migrations/001_c.sql &&
	runner migrate &&
	table_exists app.db a &&
	test_equal "001" "$(applied | xargs)"
'

test_expect_success 'reset with a foreign_keys:off section is still atomic' '
	fresh resetfk &&
	write_migration 001 p "CREATE TABLE p (id INTEGER PRIMARY KEY);" "DROP TABLE p;" &&
	printf "%s\n" "-- migrate:up foreign_keys:off" "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id));" "-- migrate:down" "DROP TABLE c;" >migrations/002_c.sql &&
	runner migrate &&
	sql app.db "INSERT INTO p VALUES (7)" &&
	write_migration 003 bad "CREATE TABLE z (x); INSERT INTO nope VALUES (1);" &&
	test_expect_code 1 runner reset --yes 2>err &&
	test_grep "nothing was changed" err &&
	test_equal 7 "$(sql app.db "SELECT id FROM p")" &&
	test_equal "001 002" "$(applied | xargs)" &&
	rm migrations/003_bad.sql &&
	runner reset --yes &&
	test_equal 0 "$(sql app.db "SELECT count(*) FROM p")" &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'a failed transaction:false rollback: repair marks it applied again' '
	fresh downfail &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE b (x);" "-- migrate:down transaction:false" "DROP TABLE nosuch;" "DROP TABLE b;" >migrations/002_b.sql &&
	runner migrate &&
	test_expect_code 1 runner rollback --yes 2>err &&
	test_grep "migrations/002_b.sql:4:" err &&
	test_equal rollback_failed "$(sql app.db "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	runner status >out &&
	test_grep "\[F\] 002" out &&
	runner repair --yes >out &&
	test_grep "002: rollback_failed -> applied" out &&
	test_equal applied "$(sql app.db "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	runner status --exit-code >/dev/null &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE b (x);" "-- migrate:down transaction:false" "DROP TABLE b;" >migrations/002_b.sql &&
	runner repair --yes >/dev/null &&
	runner rollback --yes &&
	test_equal "001" "$(applied | xargs)" &&
	! table_exists app.db b
'

test_expect_success 'an indented down marker is an error, not a comment' '
	fresh indent &&
	mkdir migrations &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE users (x);" "  -- migrate:down" "DROP TABLE users;" >migrations/001_u.sql &&
	test_expect_code 1 runner migrate 2>err &&
	test_grep "migrations/001_u.sql:3: unknown marker" err &&
	test_path_is_missing app.db
'

test_expect_success 'an empty --dir or --db is a usage error, not a crash' '
	fresh empties &&
	test_expect_code 2 runner --dir= create-migration foo 2>err &&
	test_grep "dir must not be empty" err &&
	test_expect_code 2 runner --db "" status 2>err &&
	test_grep "db must not be empty" err
'

test_expect_success 'a refused reset or a bad migrate-to VERSION creates no database' '
	fresh nocreate &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	test_expect_code 2 runner reset &&
	test_path_is_missing app.db &&
	test_expect_code 2 runner migrate-to abc 2>err &&
	test_grep "usage: runner migrate-to" err &&
	test_path_is_missing app.db
'

test_expect_success 'a quoted .env value followed by a comment' '
	fresh dotenv &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	echo "DATABASE_URL=\"other.db\"  # local" >.env &&
	runner -q migrate &&
	test_path_is_file other.db &&
	test_path_is_missing "\"other.db\""
'

test_done
