#!/bin/bash
# t2300-pg-backup: backups of PostgreSQL databases (pg_dump through zlib),
# automatic ones before rollback and reset, and what is not supported yet.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

test_expect_success 'setup: a migrated database with rows' '
	pg_newdb app &&
	pg_setup_story &&
	runner --db "$(pg_url app)" migrate >out &&
	psql_q app "INSERT INTO users (name) VALUES ('"'ada'"'), ('"'bob'"')"
'

test_expect_success 'backup writes a gzip of pg_dump named after the database' '
	runner --db "$(pg_url app)" backup >out &&
	f=$(ls backups/app-*Z.sql.gz) &&
	test_grep "^Backed up .postgres:///app?host=.* to $f (" out &&
	test_equal 600 "$(stat -c %a "$f")" &&
	gzip -t "$f" &&
	gzip -dc "$f" >dump.sql &&
	test_grep "^-- PostgreSQL database dump complete" dump.sql &&
	test_grep "CREATE TABLE public.users" dump.sql &&
	test_grep "[0-9]	ada$" dump.sql &&
	runner --db "$(pg_url app)" backups >out &&
	test_grep "  $f$" out
'

test_expect_success 'the dump restores into a new database with psql' '
	pg_newdb copy &&
	gzip -dc backups/app-*.sql.gz |
		"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d copy -f - >/dev/null &&
	test_equal "ada bob" "$(psql_q copy "SELECT name FROM users ORDER BY id" | xargs)" &&
	test_equal "001 002 003" "$(pg_applied copy | xargs)"
'

test_expect_success 'rollback takes a backup first; --no-backup skips it' '
	rm -rf backups &&
	runner --db "$(pg_url app)" rollback --yes >out &&
	test_grep "^Backed up" out &&
	test_grep "Rolled back 003" out &&
	gzip -dc backups/app-*.sql.gz | grep -q "CREATE TABLE public.comments" &&
	runner --db "$(pg_url app)" rollback --yes --no-backup >out &&
	test_grep ! "Backed up" out &&
	test_equal 1 "$(ls backups | wc -l)"
'

test_expect_success 'a failed pg_dump stops reset before it changes anything' '
	runner --db "$(pg_url app)" migrate -q &&
	mkdir bin && printf "#!/bin/sh\necho pg_dump: simulated failure >&2\nexit 1\n" >bin/pg_dump &&
	chmod +x bin/pg_dump &&
	PATH="$PWD/bin:$PATH" test_must_fail runner --db "$(pg_url app)" reset --yes 2>err &&
	test_grep "cannot back up .* with pg_dump: pg_dump: simulated failure" err &&
	test_grep "stopped before changing anything" err &&
	test_equal "001 002 003" "$(pg_applied app | xargs)" &&
	test_equal 2 "$(psql_q app "SELECT count(*) FROM users")"
'

test_expect_success 'the password never reaches pg_dump'"'"'s command line or the output' '
	psql_q app "ALTER ROLE postgres PASSWORD '"'s3cret'"'" &&
	printf "#!/bin/sh\necho \"\$@\" >args\necho \"\$PGPASSWORD\" >pw\nexec %s/pg_dump \"\$@\"\n" "$PG_BINDIR" >bin/pg_dump &&
	PATH="$PWD/bin:$PATH" runner --db "postgres://postgres:s3cret@/app?host=$PG_DIR" backup --output pw.sql.gz >out 2>err &&
	test_grep ! s3cret args &&
	test_equal s3cret "$(cat pw)" &&
	test_grep ! s3cret out &&
	test_grep ! s3cret err &&
	test_grep "postgres:\*\*\*@" out &&
	gzip -t pw.sql.gz
'

test_expect_success 'restore says it is not supported for PostgreSQL yet, changing nothing' '
	test_must_fail runner --db "$(pg_url app)" restore --yes pw.sql.gz 2>err &&
	test_grep "the postgresql driver cannot restore backups yet" err &&
	test_equal "001 002 003" "$(pg_applied app | xargs)"
'

test_done
