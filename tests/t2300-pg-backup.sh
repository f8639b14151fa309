#!/bin/bash
# t2300-pg-backup: backups of PostgreSQL databases (pg_dump through zlib),
# automatic ones before rollback and reset, and restore (psql, in one
# transaction).

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

test_expect_success 'each dump carries its database'"'"'s identity; --keep removes only those, never one without' '
	rm -rf backups &&
	runner --db "$(pg_url app)" backup -q &&
	f=$(ls backups/app-*Z.sql.gz) &&
	python3 -c "
import sys
h = open(sys.argv[1], \"rb\").read(4096)
assert h[3] & 4 and h[12:14] == b\"RN\"
print(h[16:16 + (h[14] | h[15] << 8)].decode())
" "$f" >id &&
	grep -q "^postgres://.*:[0-9]*/app\$" id &&
	gzip -dc "$f" | gzip >backups/app-20200101T000000Z.sql.gz &&
	runner --db "$(pg_url app)" backup --keep 1 >out &&
	test_grep "Removed 1 older backup (--keep)" out &&
	test_path_is_missing "$f" &&
	test_path_is_file backups/app-20200101T000000Z.sql.gz &&
	runner --db "$(pg_url app)" backups >list 2>err &&
	test_grep "app-20200101T000000Z.sql.gz ?\$" list &&
	test_grep "carry no database identity" err &&
	rm backups/app-20200101T000000Z.sql.gz
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

# pg_state DB: the whole database as pg_dump prints it, without the
# \restrict lines whose key changes on every run.
pg_state () {
	"$PG_BINDIR/pg_dump" -d "$1" | grep -v "^.\(un\)\{0,1\}restrict "
}

# no_temp_files: restore left no staged image in $TMPDIR.
no_temp_files () {
	if ls -A "$TMPDIR" | grep -q "^\.runner-"; then
		ls -A "$TMPDIR" >&2
		return 1
	fi
}

TMPDIR=$TRASH_DIRECTORY/tmp
export TMPDIR
mkdir -p "$TMPDIR"

# Objects of every kind restore must drop and create again, in public,
# in a schema of their own, and outside schemas.
cat >objects.sql <<\EOF
CREATE SCHEMA audit;
CREATE TABLE audit.log (at int, what text);
INSERT INTO audit.log VALUES (1, 'one');
CREATE FUNCTION audit.twice(i int) RETURNS int LANGUAGE sql AS $f$ SELECT i * 2; $f$;
SELECT lo_from_bytea(0, 'hello');
CREATE COLLATION public.c2 FROM "C";
CREATE TEXT SEARCH CONFIGURATION public.mine (COPY = english);
CREATE FUNCTION audit.eq3(int, int) RETURNS bool LANGUAGE sql AS 'SELECT $1 = $2';
CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = audit.eq3);
SET client_min_messages = error;
CREATE PUBLICATION pub FOR TABLE users;
CREATE FOREIGN DATA WRAPPER fdw;
CREATE SERVER srv FOREIGN DATA WRAPPER fdw;
CREATE USER MAPPING FOR postgres SERVER srv;
CREATE TYPE audit.pair AS (a int, b int);
CREATE CAST (audit.pair AS int) WITH INOUT;
CREATE FUNCTION audit.noop() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN END $f$;
CREATE EVENT TRIGGER noop ON ddl_command_end EXECUTE FUNCTION audit.noop();
EOF

test_expect_success 'setup: a backup of a database with objects of many kinds and a large object' '
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d app -f objects.sql >/dev/null &&
	runner --db "$(pg_url app)" backup --output full.sql.gz >out &&
	pg_state app >before.sql &&
	test_grep "CREATE TABLE audit.log" before.sql &&
	test_grep "lo_create" before.sql
'

test_expect_success 'restore brings the whole database back, dropping what came after, after a backup' '
	psql_q app "DELETE FROM users WHERE name = '"'ada'"'; INSERT INTO users (name) VALUES ('"'cy'"')" &&
	psql_q app "DROP SCHEMA audit CASCADE; CREATE SCHEMA later; CREATE TABLE later.t (a int)" &&
	psql_q app "CREATE TABLE extra (a int); CREATE VIEW v AS SELECT name FROM users" &&
	psql_q app "SELECT lo_unlink(oid) FROM pg_largeobject_metadata; SELECT lo_from_bytea(0, '"'other'"')" >/dev/null &&
	psql_q app "SET client_min_messages = error; CREATE PUBLICATION pub2; CREATE SERVER srv2 FOREIGN DATA WRAPPER fdw" &&
	psql_q app "CREATE TEXT SEARCH CONFIGURATION public.later (COPY = english)" &&
	runner --db "$(pg_url app)" rollback --yes --no-backup -q &&
	rm -rf backups &&
	runner --db "$(pg_url app)" restore --yes full.sql.gz >out &&
	test_grep "^Checked .full.sql.gz.: gzip intact, a PostgreSQL dump of .*, complete\.$" out &&
	test_grep "^Backed up .* to backups/app-.*Z\.sql\.gz" out &&
	test_grep "^Restored .postgres:///app?host=.*. from .full.sql.gz.\.$" out &&
	pg_state app >after.sql &&
	test_cmp before.sql after.sql &&
	test_equal "001 002 003" "$(pg_applied app | xargs)" &&
	test_equal "ada bob" "$(psql_q app "SELECT name FROM users ORDER BY id" | xargs)" &&
	test_equal hello "$(psql_q app "SELECT convert_from(lo_get(oid), '"'UTF8'"') FROM pg_largeobject_metadata")" &&
	test_equal 4 "$(psql_q app "SELECT audit.twice(2)")" &&
	gzip -dc backups/app-*.sql.gz | grep -q "CREATE TABLE later.t" &&
	runner --db "$(pg_url app)" status --exit-code >out &&
	no_temp_files
'

test_expect_success 'restoring the backup just taken changes nothing' '
	runner --db "$(pg_url app)" backup --output same.sql.gz -q &&
	runner --db "$(pg_url app)" restore --yes --no-backup same.sql.gz >out &&
	pg_state app >after.sql &&
	test_cmp before.sql after.sql
'

test_expect_success 'restore off a terminal needs --yes and changes nothing' '
	psql_q app "INSERT INTO users (name) VALUES ('"'dee'"')" &&
	pg_state app >now.sql &&
	test_expect_code 2 runner --db "$(pg_url app)" restore full.sql.gz 2>err &&
	test_grep "confirm with --yes" err &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

# refuse FILE WANT: restore --yes FILE fails saying WANT, changing nothing.
refuse () {
	pg_state app >now.sql &&
	test_must_fail runner --db "$(pg_url app)" restore --yes --no-backup "$1" 2>err &&
	test_grep "$2" err &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
}

test_expect_success 'restore refuses a truncated gzip file' '
	head -c $(($(stat -c %s full.sql.gz) / 2)) full.sql.gz >cut.sql.gz &&
	refuse cut.sql.gz "truncated"
'

test_expect_success 'restore refuses a dump that pg_dump did not finish' '
	gzip -dc full.sql.gz | head -n 40 | gzip >short.sql.gz &&
	refuse short.sql.gz "incomplete PostgreSQL dump: it does not end with pg_dump.s \"dump complete\" line"
'

test_expect_success 'restore refuses a dump with more after its closing line, or a too short file' '
	{ gzip -dc full.sql.gz && echo "DROP TABLE users;"; } | gzip >more.sql.gz &&
	refuse more.sql.gz "incomplete PostgreSQL dump" &&
	printf -- "--\n" | gzip >tiny.sql.gz &&
	refuse tiny.sql.gz "does not hold a PostgreSQL dump"
'

# valgrind itself needs $TMPDIR: this one runs only without it.
test_expect_success NOT_VALGRIND 'restore stages in $TMPDIR and says so when it cannot' '
	pg_state app >now.sql &&
	TMPDIR=/nonexistent test_must_fail runner --db "$(pg_url app)" restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "/nonexistent" err &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql
'

test_expect_success 'restore refuses a file that is not a pg_dump (an SQLite backup, random SQL)' '
	runner --db lite.db migrate -q && runner --db lite.db backup --output lite.db.gz -q &&
	refuse lite.db.gz "does not hold a PostgreSQL dump" &&
	echo "DROP TABLE users;" | gzip >drop.sql.gz &&
	refuse drop.sql.gz "does not hold a PostgreSQL dump"
'

test_expect_success 'a statement that fails mid-dump rolls the whole restore back, naming its line' '
	gzip -dc full.sql.gz >d.sql &&
	first=$(grep -n "^CREATE TABLE public.users " d.sql | cut -d: -f1) &&
	sed "s/^CREATE TABLE public.users /CREATE TABLEX public.users /" d.sql | gzip >bad.sql.gz &&
	refuse bad.sql.gz "cannot load the dump into .postgres:///app?host=.*. (nothing was changed): dump line [0-9]*: ERROR:  syntax error at or near \"TABLEX\"" &&
	line=$(sed -n "s/.*: dump line \([0-9]*\): ERROR.*/\1/p" err) &&
	test "$line" -ge "$first" && test "$line" -le $((first + 5)) &&
	test_equal 3 "$(psql_q app "SELECT count(*) FROM users")"
'

test_expect_success 'a failure after the large objects (pg_dump'"'"'s own BEGIN/COMMIT) rolls back everything too' '
	gzip -dc full.sql.gz >d.sql &&
	lo=$(grep -n "^COMMIT;" d.sql | head -n 1 | cut -d: -f1) &&
	test -n "$lo" &&
	late=$(grep -n "^ALTER TABLE ONLY public.users$" d.sql | tail -n 1 | cut -d: -f1) &&
	test "$late" -gt "$lo" &&
	sed "$((late + 1))s/ADD CONSTRAINT/ADD CONSTRAINTX/" d.sql | gzip >late.sql.gz &&
	psql_q app "CREATE TABLE made_after (a int)" &&
	refuse late.sql.gz "dump line [0-9]*: ERROR:  syntax error at or near" &&
	test_grep "ADD CONSTRAINTX" err &&
	line=$(sed -n "s/.*: dump line \([0-9]*\): ERROR.*/\1/p" err) &&
	test "$line" -gt "$lo" &&
	psql_q app "DROP TABLE made_after"
'

# Sessions other than the asking one that run pg_sleep: the tests' stand-ins
# for a busy application, a slow migration or a slow dump. They sleep far
# longer than any test needs them (pg_sleep(300)), and kill_sleepers ends
# them, so how slow the machine is never matters.
SLEEPERS="FROM pg_stat_activity WHERE query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid()"

kill_sleepers () {
	psql_q app "SELECT pg_terminate_backend(pid) $SLEEPERS" >/dev/null
}

# wait_sleepers some|none: until a sleeper runs, or none is left.
wait_sleepers () {
	wait_until sleepers_are "$1"
}

sleepers_are () {
	local count
	count=$(psql_q app "SELECT count(*) $SLEEPERS") || {
		WAIT_GIVE_UP="cannot count the sleepers"
		return 1
	}
	case $1,$count in
	some,0) return 1 ;;
	some,*|none,0) return 0 ;;
	esac
	return 1
}

test_expect_success 'restore waits for the application'"'"'s locks up to --lock-timeout, then changes nothing' '
	{ psql_q app "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE; SELECT pg_sleep(300)" >/dev/null 2>&1 & } &&
	wait_sleepers some &&
	pg_state app >now.sql &&
	test_must_fail runner --db "$(pg_url app)" --lock-timeout 1 restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "lock timeout" err &&
	test_grep "see --lock-timeout" err &&
	test_must_fail runner --db "$(pg_url app)" --lock-timeout 0 restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "lock timeout" err &&
	kill_sleepers &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

test_expect_success 'restore waits for a runner that is migrating, up to --lock-timeout' '
	kill_sleepers &&
	rm -rf slow && mkdir slow && cp -r migrations slow/ &&
	printf -- "-- migrate:up\nSELECT pg_sleep(300);\n-- migrate:down\n" >slow/migrations/009_slow.sql &&
	{ runner --db "$(pg_url app)" --dir slow/migrations migrate >/dev/null 2>&1 & } &&
	wait_sleepers some &&
	pg_state app >now.sql &&
	test_must_fail runner --db "$(pg_url app)" --lock-timeout 1 restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "locked by another runner" err &&
	kill_sleepers &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql
'

test_expect_success 'SIGTERM during the load cancels psql'"'"'s statement; nothing was changed' '
	kill_sleepers &&
	gzip -dc full.sql.gz | sed "/^CREATE TABLE public.users /i SELECT pg_sleep(300);" | gzip >sleepy.sql.gz &&
	pg_state app >now.sql &&
	{ "$RUNNER" --db "$(pg_url app)" restore --yes --no-backup sleepy.sql.gz >out 2>err & pid=$!; } &&
	wait_sleepers some &&
	kill -TERM $pid &&
	rc=0 && { wait $pid || rc=$?; } &&
	test $rc = 1 &&
	test_grep "interrupted: psql was stopped before it committed; nothing was changed" err &&
	wait_sleepers none &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

test_expect_success 'a psql that fails or is missing stops restore with its message, changing nothing' '
	printf "#!/bin/sh\necho psql: simulated failure >&2\nexit 2\n" >bin/psql &&
	chmod +x bin/psql &&
	pg_state app >now.sql &&
	PATH="$PWD/bin:$PATH" test_must_fail runner --db "$(pg_url app)" restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "cannot load the dump into .* (nothing was changed): psql: simulated failure" err &&
	rm bin/psql &&
	mkdir nopsql &&
	for t in timeout cat rm grep valgrind valgrind.bin
	do
		if p=$(command -v $t); then ln -s "$p" nopsql/$t; fi
	done &&
	PATH="$PWD/nopsql" test_must_fail runner --db "$(pg_url app)" restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "cannot run psql: No such file or directory" err &&
	pg_state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

test_expect_success 'restore into a database that does not exist says so first' '
	test_must_fail runner --db "$(pg_url nosuch)" restore --yes --no-backup full.sql.gz >out 2>err &&
	test_grep "^runner: cannot connect to .postgres:///nosuch.*database \"nosuch\" does not exist" err &&
	test_grep ! "Checked" out &&
	no_temp_files
'

test_expect_success 'the password reaches psql in its environment, never its command line' '
	printf "#!/bin/sh\necho \"\$@\" >psql-args\necho \"\$PGPASSWORD\" >psql-pw\nexec %s/psql \"\$@\"\n" "$PG_BINDIR" >bin/psql &&
	chmod +x bin/psql &&
	PATH="$PWD/bin:$PATH" runner --db "postgres://postgres:s3cret@/app?host=$PG_DIR" restore --yes --no-backup full.sql.gz >out 2>err &&
	rm bin/psql &&
	test_grep "ON_ERROR_STOP" psql-args &&
	test_grep ! s3cret psql-args &&
	test_equal s3cret "$(cat psql-pw)"
'

test_expect_success 'restore never shows the password' '
	test_must_fail runner --db "postgres://postgres:s3cret@/app?host=$PG_DIR" restore --yes --no-backup bad.sql.gz >out 2>err &&
	runner --db "postgres://postgres:s3cret@/app?host=$PG_DIR" restore --yes --no-backup full.sql.gz >>out 2>>err &&
	test_grep ! s3cret out &&
	test_grep ! s3cret err &&
	test_grep "^Restored .postgres://postgres:\*\*\*@/app" out &&
	pg_state app >after.sql &&
	test_cmp before.sql after.sql
'

test_done
