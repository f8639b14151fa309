#!/bin/bash
# t2100-pg-safety: PostgreSQL failures, transaction:false sections, quoting,
# concurrent runners, the lock, signals and password masking.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

# up VERSION NAME: write migrations/VERSION_NAME.sql from stdin, as it is.
up () {
	mkdir -p migrations && cat >"migrations/$1_$2.sql"
}

test_expect_success 'a failing statement mid-migration: file:line, nothing left' '
	pg_newdb f && fresh fail &&
	write_migration 001 ok "CREATE TABLE one (x int);" &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (x int);
	INSERT INTO t2 VALUES (1);

	INSERT INTO t2
	    SELECT x FROM nope;
	CREATE TABLE t2b (x int);
	EOF
	write_migration 003 later "CREATE TABLE t3 (x int);" &&
	test_expect_code 1 runner --db "$(pg_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:5: relation \"nope\" does not exist$" err &&
	test_grep "^Applied 001: ok" out &&
	test_equal "001" "$(pg_applied f)" &&
	! pg_table_exists f t2 && ! pg_table_exists f t2b && ! pg_table_exists f t3
'

test_expect_success 'a runtime error names its statement, with DETAIL' '
	cd fail &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (x int UNIQUE);
	INSERT INTO t2 VALUES (1);
	INSERT INTO t2 VALUES (2);
	INSERT INTO t2 VALUES (1);
	EOF
	pg_dump_db f >before &&
	test_expect_code 1 runner --db "$(pg_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:5: duplicate key value violates unique constraint \"t2_x_key\"$" err &&
	test_grep "^runner: DETAIL: Key (x)=(1) already exists.$" err &&
	pg_dump_db f >after &&
	test_cmp before after
'

test_expect_success 'the HINT is shown, and positions count characters, not bytes' '
	cd fail &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (name text);
	INSERT INTO t2 VALUES ('"'"'héllo wörld ☃'"'"');
	SELECT nmae
	  FROM t2;
	EOF
	test_expect_code 1 runner --db "$(pg_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:4: column \"nmae\" does not exist$" err &&
	test_grep "^runner: HINT: Perhaps you meant to reference the column \"t2.name\"." err &&
	! pg_table_exists f t2
'

test_expect_success 'a syntax error names the line of its statement' '
	cd fail &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (x int);
	/* a ; in a comment */
	CREATE TABL t2b (x int);
	EOF
	test_expect_code 1 runner --db "$(pg_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:4: syntax error at or near \"TABL\"$" err &&
	! pg_table_exists f t2
'

test_expect_success 'a section that would COMMIT is refused before it runs' '
	cd fail &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (x int);
	COMMIT;
	CREATE TABLE t2b (x int);
	EOF
	test_expect_code 1 runner --db "$(pg_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:3: a section must not end the transaction" err &&
	test_grep "transaction:false" err &&
	! pg_table_exists f t2 &&
	test_equal "001" "$(pg_applied f)"
'

test_expect_success 'SAVEPOINT and ROLLBACK TO are fine inside a section' '
	cd fail &&
	up 002 fixed <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (x int);
	SAVEPOINT a;
	INSERT INTO t2 VALUES (1);
	ROLLBACK TO SAVEPOINT a;
	INSERT INTO t2 VALUES (2);
	EOF
	rm migrations/002_broken.sql &&
	runner --db "$(pg_url f)" migrate >out &&
	test_equal 2 "$(psql_q f "SELECT x FROM t2")" &&
	test_equal "001 002 003" "$(pg_applied f | xargs)"
'

test_expect_success 'dollar-quoted bodies and E strings with semicolons' '
	pg_newdb q && fresh quote &&
	up 001 funcs <<-\EOF &&
	-- migrate:up
	CREATE TABLE log (msg text);
	CREATE FUNCTION add_log(m text) RETURNS void LANGUAGE plpgsql AS $body$
	BEGIN
	    INSERT INTO log VALUES (m || $$;$$); -- a ; in a comment
	    INSERT INTO log VALUES ('"'"'it'"''"'s; fine'"'"');
	END;
	$body$;
	SELECT add_log(E'"'"'a\'"'"'b;'"'"');
	CREATE FUNCTION two() RETURNS int LANGUAGE sql
	BEGIN ATOMIC
	    SELECT 1;
	    SELECT 2;
	END;
	-- migrate:down
	DROP FUNCTION two();
	DROP FUNCTION add_log(text);
	DROP TABLE log;
	EOF
	runner --db "$(pg_url q)" migrate >out &&
	psql_q q "SELECT msg FROM log ORDER BY msg" >actual &&
	printf "%s\n" "a'"'"'b;;" "it'"'"'s; fine" >expect &&
	test_cmp expect actual &&
	test_equal 2 "$(psql_q q "SELECT two()")" &&
	runner --db "$(pg_url q)" rollback --yes >out &&
	! pg_table_exists q log
'

test_expect_success 'the same bodies in a transaction:false section, split by runner' '
	cd quote &&
	sed -e "s/^-- migrate:up/-- migrate:up transaction:false/" \
		-e "s/^-- migrate:down/-- migrate:down transaction:false/" \
		migrations/001_funcs.sql >migrations/002_funcs_notx.sql &&
	rm migrations/001_funcs.sql &&
	runner --db "$(pg_url q)" migrate >out &&
	test_equal 2 "$(psql_q q "SELECT count(*) FROM log")" &&
	test_equal 2 "$(psql_q q "SELECT two()")" &&
	runner --db "$(pg_url q)" rollback --yes >out &&
	! pg_table_exists q log
'

test_expect_success 'CREATE INDEX CONCURRENTLY fails in a transaction, naming the line' '
	pg_newdb c && fresh conc &&
	write_migration 001 tbl "CREATE TABLE big (x int); INSERT INTO big SELECT generate_series(1, 1000);" &&
	up 002 idx <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY big_x ON big (x);
	-- migrate:down
	DROP INDEX CONCURRENTLY big_x;
	EOF
	test_expect_code 1 runner --db "$(pg_url c)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_idx.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block" err &&
	test_equal "001" "$(pg_applied c)"
'

test_expect_success 'CREATE INDEX CONCURRENTLY, ALTER TYPE ADD VALUE, VACUUM in transaction:false' '
	cd conc &&
	up 002 idx <<-\EOF &&
	-- migrate:up transaction:false
	CREATE INDEX CONCURRENTLY big_x ON big (x);
	CREATE TYPE mood AS ENUM ('"'"'sad'"'"');
	ALTER TYPE mood ADD VALUE '"'"'ok'"'"';
	VACUUM big;
	-- migrate:down transaction:false
	DROP INDEX CONCURRENTLY big_x;
	DROP TYPE mood;
	EOF
	runner --db "$(pg_url c)" migrate >out &&
	test_equal "001 002" "$(pg_applied c | xargs)" &&
	test_equal t "$(psql_q c "SELECT indisvalid FROM pg_index WHERE indexrelid = '"'big_x'"'::regclass")" &&
	test_equal "sad ok" "$(psql_q c "SELECT unnest(enum_range(NULL::mood))" | xargs)" &&
	test_equal applied "$(psql_q c "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	runner --db "$(pg_url c)" rollback --yes >out &&
	! pg_table_exists c big_x
'

test_expect_success 'a transaction:false section failing part-way is recorded as failed' '
	cd conc &&
	up 003 half <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE done_part (x int);
	SELECT * FROM nope;
	CREATE TABLE never (x int);
	EOF
	test_expect_code 1 runner --db "$(pg_url c)" migrate >out 2>err &&
	test_grep "^runner: migrations/003_half.sql:3: relation \"nope\" does not exist" err &&
	test_grep "repair" err &&
	pg_table_exists c done_part && ! pg_table_exists c never &&
	test_equal failed "$(psql_q c "SELECT state FROM schema_migrations WHERE version = '"'003'"'")" &&
	runner --db "$(pg_url c)" status >out &&
	test_grep "^  \[F\] 003: half" out &&
	test_expect_code 1 runner --db "$(pg_url c)" migrate >out 2>err &&
	runner --db "$(pg_url c)" repair --yes >out &&
	psql_q c "DROP TABLE done_part" &&
	sed -i "/nope/d" migrations/003_half.sql &&
	runner --db "$(pg_url c)" migrate >out &&
	pg_table_exists c never
'

test_expect_success 'setup: ten migrations writing to a shared log' '
	fresh race &&
	write_migration 001 log "CREATE TABLE IF NOT EXISTS log (v int);
INSERT INTO log VALUES (1);" &&
	for i in 2 3 4 5 6 7 8 9 10
	do
		write_migration "$(printf %03d $i)" "step$i" "CREATE TABLE t$i (x int);
SELECT pg_sleep(0.01);
INSERT INTO log VALUES ($i);" || return 1
	done
'

test_expect_success '6 concurrent runners apply every migration exactly once' '
	cd race &&
	seq 1 10 >expect &&
	for round in 1 2 3
	do
		pg_newdb race &&
		pids= &&
		for n in 1 2 3 4 5 6
		do
			runner --db "$(pg_url race)" migrate >out.$n 2>err.$n &
			pids="$pids $!"
		done &&
		for p in $pids
		do
			wait $p || { cat err.* >&2; return 1; }
		done &&
		psql_q race "SELECT v FROM log ORDER BY v" >actual &&
		test_cmp expect actual &&
		test_equal 10 "$(psql_q race "SELECT count(*) FROM schema_migrations WHERE state = '"'applied'"'")" &&
		cat out.* >all &&
		test_equal 10 "$(grep -c "^Applied " all)" || return 1
	done
'

# In these, migration 001 waits for an advisory lock the test holds (the
# gate, GATE below): the runner running it holds the migration lock, and is
# inside its migration's transaction, for as long as the test needs.
GATE=424242

test_expect_success 'a runner waits for the lock up to --lock-timeout, then fails clearly' '
	pg_newdb lock && fresh lock &&
	write_migration 001 slow "SELECT pg_advisory_xact_lock($GATE); CREATE TABLE slow (x int);" &&
	pg_hold_lock lock $GATE &&
	{ runner --db "$(pg_url lock)" migrate >out.1 2>err.1 & } &&
	pid=$! &&
	wait_until pg_waiting lock &&
	start=$(now_ms) &&
	test_expect_code 1 runner --db "$(pg_url lock)" --lock-timeout 1 migrate >out.2 2>err.2 &&
	test $(($(now_ms) - start)) -ge 1000 &&
	test_grep "^runner: database .postgres:///lock?host=.*. is locked by another runner (waited 1 s; see --lock-timeout)" err.2 &&
	test_expect_code 1 runner --db "$(pg_url lock)" --lock-timeout 0 migrate >out.3 2>err.3 &&
	test_grep "is locked by another runner" err.3 &&
	runner --db "$(pg_url lock)" status >out.4 &&
	test_grep "\[ \] 001" out.4 &&
	release_lock &&
	wait $pid &&
	test_equal 001 "$(pg_applied lock)"
'

# The server notices the killed runner when the statement it was running
# ends (the gate opens) and it cannot send the result: it rolls back and
# drops the migration lock.
test_expect_success 'a runner killed with -9 leaves nothing, and its lock goes with it' '
	pg_newdb kill && fresh kill &&
	write_migration 001 slow "CREATE TABLE slow (x int); SELECT pg_advisory_xact_lock($GATE);" &&
	pg_hold_lock kill $GATE &&
	{ "$RUNNER" --db "$(pg_url kill)" migrate >out.1 2>err.1 & } &&
	pid=$! &&
	wait_until pg_waiting kill &&
	kill -9 $pid &&
	{ wait $pid; test $? = 137; } &&
	release_lock &&
	runner --db "$(pg_url kill)" --lock-timeout 60 migrate >out.2 2>err.2 &&
	test_grep "^Applied 001: slow" out.2 &&
	test_equal 001 "$(pg_applied kill)"
'

# Cancelled, it stops at once; waiting out the statement would take 60 s.
test_expect_success 'SIGINT cancels the running statement and rolls back at once' '
	pg_newdb int && fresh int &&
	write_migration 001 first "CREATE TABLE first (x int);" &&
	write_migration 002 slow "CREATE TABLE slow (x int); SELECT pg_sleep(60);" &&
	{ "$RUNNER" --db "$(pg_url int)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until pg_running int "pg_sleep(60)" &&
	start=$SECONDS &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	test "$rc" = 1 &&
	test $((SECONDS - start)) -lt 30 &&
	test_grep "interrupted" err &&
	test_grep "002" err &&
	test_equal 001 "$(pg_applied int)" &&
	! pg_table_exists int slow
'

test_expect_success 'setup: a user with a password' '
	pg_newdb pw &&
	psql_q pw "CREATE ROLE pwuser LOGIN PASSWORD '"'s3cr#t-pw'"'; GRANT ALL ON SCHEMA public TO pwuser" &&
	fresh pw &&
	write_migration 001 t "CREATE TABLE t (x int);" "DROP TABLE t;"
'

test_expect_success 'a wrong password: the URL is shown with the password masked' '
	cd pw &&
	test_expect_code 1 runner --db "postgres://pwuser:wr0ngpass@/pw?host=$PG_DIR" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .postgres://pwuser:\*\*\*@/pw?host=" err &&
	test_grep "password authentication failed" err &&
	test_grep ! "wr0ngpass" out err
'

test_expect_success 'the right password works; it never appears in any output' '
	cd pw &&
	url="postgres://pwuser:s3cr%23t-pw@/pw?host=$PG_DIR" &&
	runner --db "$url" migrate >out 2>err &&
	runner --db "$url" status --json >json 2>>err &&
	test_grep "\"database\": \"postgres://pwuser:\*\*\*@/pw?host=" json &&
	runner --db "$url" show-schema >>out 2>>err &&
	test_expect_code 2 runner --db "$url" rollback >>out 2>>err &&
	test_grep ! -e "s3cr" -e "t-pw" out err json
'

test_expect_success 'password= in the query and bad escapes are masked too' '
	cd pw &&
	runner --db "postgres:///pw?host=$PG_DIR&user=pwuser&password=s3cr%23t-pw" status --json >json 2>err &&
	test_grep "password=\*\*\*" json &&
	test_expect_code 1 runner --db "postgres://pwuser:s3cr%zzt-pw@/pw?host=$PG_DIR" status >out 2>err &&
	test_grep "invalid percent-encoded token" err &&
	test_grep ! -e "s3cr" -e "zzt" out err json
'

test_expect_success 'PGPASSFILE supplies the password, as libpq does' '
	cd pw &&
	echo "*:*:*:pwuser:s3cr#t-pw" >pgpass &&
	chmod 600 pgpass &&
	PGPASSFILE=$PWD/pgpass runner --db "postgres://pwuser@/pw?host=$PG_DIR" status >out 2>err &&
	test_grep "^Applied migrations: 1" out &&
	test_expect_code 1 runner --db "postgres://pwuser@/pw?host=$PG_DIR" status >out 2>err
'

test_done
