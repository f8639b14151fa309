#!/bin/bash
# t3000-mysql-commands: what only MySQL/MariaDB has (URL forms, the
# connection's errors, GET_LOCK, DELIMITER, error numbers and SQLSTATEs);
# the commands' shared behaviour is t3050-shared-mysql.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-mysql.sh"

DB=$(my_url app)
export DB

# up VERSION NAME: write migrations/VERSION_NAME.sql from stdin, as it is.
up () {
	mkdir -p migrations && cat >"migrations/$1_$2.sql"
}

test_expect_success 'runner --version lists the MySQL driver' '
	runner --version >out &&
	test_grep "drivers: sqlite [0-9.]*, postgresql (libpq [0-9.]*), mysql (libmariadb [0-9.]*)" out
'

test_expect_success 'libmariadb is loaded only for MySQL: without it, a clear error and SQLite still works' '
	fresh lite &&
	setup_story &&
	RUNNER_LIBMARIADB=/nonexistent/libmariadb.so.3 runner --version >out &&
	test_grep "mysql (libmariadb not found)" out &&
	RUNNER_LIBMARIADB=/nonexistent/libmariadb.so.3 test_expect_code 1 runner --db "$DB" status >out 2>err &&
	test_grep "^runner: cannot load libmariadb, which MySQL and MariaDB databases need (Debian: apt install libmariadb3): /nonexistent/libmariadb.so.3: cannot open shared object file" err &&
	RUNNER_LIBMARIADB=libz.so.1 test_expect_code 1 runner --db "$DB" status >out 2>err &&
	test_grep "cannot use libmariadb .libz.so.1.: .*undefined symbol: mysql_" err &&
	RUNNER_LIBMARIADB=/nonexistent/libmariadb.so.3 runner --db app.db migrate >out &&
	test_equal "001 002 003" "$(applied app.db | xargs)" &&
	LD_DEBUG=libs runner --db app.db status >out 2>ld.out &&
	test_grep ! "libmariadb" ld.out &&
	test_must_fail env LD_DEBUG=libs "$RUNNER" --db "$(my_url nosuchdb)" status >out 2>ld.out &&
	test_grep "libmariadb.so.3" ld.out
'

test_expect_success 'setup: a database migrated with the story migrations' '
	my_newdb app &&
	fresh story &&
	my_setup_story &&
	runner --db "$DB" migrate -q &&
	test_equal "001 002 003" "$(my_applied app | xargs)" &&
	my_has app idx_comments_post_id
'

test_expect_success 'the tracking table: InnoDB, utf8mb4, applied_at in UTC' '
	cd story &&
	test_equal "InnoDB|utf8mb4_bin" "$(my_q app "SELECT engine, table_collation FROM information_schema.tables WHERE table_schema = '"'app'"' AND table_name = '"'schema_migrations'"'")" &&
	my_client -e "SET GLOBAL time_zone = '"'+05:00'"'" &&
	runner --db "$DB" status --no-drift >out &&
	my_client -e "SET GLOBAL time_zone = '"'SYSTEM'"'" &&
	test_equal "$(my_q app "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '"'%Y-%m-%d %H'"')")" \
		"$(sed -n "s/^  \[X\] 001: initial_schema (\([0-9-]* [0-9]*\):.*/\1/p" out)"
'

test_expect_success 'mariadb://, DATABASE_URL, a percent-encoded socket, user= defaults' '
	cd story &&
	DATABASE_URL="$DB" runner status --no-drift >out &&
	test_grep "^Applied migrations: 3" out &&
	runner --db "mariadb://root@localhost/app?socket=$MY_SOCKET" status --no-drift >out &&
	test_grep "^Applied migrations: 3" out &&
	sock=$(printf %s "$MY_SOCKET" | sed "s|/|%2F|g") &&
	runner --db "MySQL://root@localhost/app?socket=$sock&connect_timeout=5&read-timeout=30" status --no-drift >out &&
	test_grep "^Applied migrations: 3" out
'

test_expect_success 'a bad URL is a usage error, before any connection' '
	cd story &&
	test_expect_code 2 runner --db "mysql://root:pw@localhost/app?sslmode=x" status >out 2>err &&
	test_grep "unknown parameter .sslmode. in a MySQL database URL" err &&
	test_grep ! ":pw@" err &&
	test_expect_code 2 runner --db "mysql://root@localhost/app?connect_timeout=soon" status 2>err &&
	test_grep "bad value for .connect-timeout." err &&
	test_expect_code 2 runner --db "mysql://root@localhost:99999/app" status 2>err &&
	test_grep "bad port" err &&
	test_expect_code 2 runner --db "mysql://root@localhost/" status 2>err &&
	test_grep "must name one database" err
'

test_expect_success 'connection refused: a clear error, at once' '
	cd story &&
	test_expect_code 1 runner --db "mysql://root@localhost/app?socket=$MY_DIR/nothing.sock" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .mysql://root@localhost/app?socket=.*nothing.sock.: Can.t connect to local server through socket .*(error 2002, SQLSTATE HY000)" err &&
	test_expect_code 1 runner --db "mysql://root:secret@127.0.0.1:1/app" status >out 2>err &&
	test_grep "^runner: cannot connect to .mysql://root:\*\*\*@127.0.0.1:1/app.: .*(error 200[23], SQLSTATE HY000)" err &&
	test_grep ! secret err
'

test_expect_success 'a wrong password: access denied, the password never shown' '
	cd story &&
	my_client -e "CREATE USER '"'u'"'@'"'localhost'"' IDENTIFIED BY '"'right pw'"'; GRANT ALL ON app.* TO '"'u'"'@'"'localhost'"'" &&
	test_expect_code 1 runner --db "mysql://u:wrong%40pw@localhost/app?socket=$MY_SOCKET" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .mysql://u:\*\*\*@localhost/app?socket=.*: Access denied for user .u.@.localhost. (using password: YES) (error 1045, SQLSTATE 28000)" err &&
	test_grep ! "wrong" err &&
	test_expect_code 1 runner --db "mysql://u@localhost/app?socket=$MY_SOCKET&password=wrong" status 2>err &&
	test_grep "Access denied" err &&
	test_grep ! "wrong" err &&
	runner --db "mysql://u:right%20pw@localhost/app?socket=$MY_SOCKET" status --no-drift >out &&
	test_grep "^Applied migrations: 3" out
'

test_expect_success 'a database that does not exist: a clear error, nothing created' '
	cd story &&
	test_expect_code 1 runner --db "$(my_url nosuchdb)" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .mysql://root@localhost/nosuchdb?socket=.*: Unknown database .nosuchdb. (error 1049, SQLSTATE 42000)" err &&
	test_expect_code 1 runner --db "$(my_url nosuchdb)" status >out 2>err &&
	test_equal 0 "$(my_q app "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"'nosuchdb'"'")"
'

test_expect_success 'a failing statement: file:line, error number and SQLSTATE; the table tells the truth' '
	my_newdb f && fresh fail &&
	write_migration 001 ok "CREATE TABLE one (x int);" &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (1);
	INSERT INTO one VALUES (2);

	INSERT INTO one
	    SELECT x FROM nope;
	INSERT INTO one VALUES (3);
	EOF
	write_migration 003 later "CREATE TABLE t3 (x int);" &&
	test_expect_code 1 runner --db "$(my_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_broken.sql:5: Table .f.nope. doesn.t exist (error 1146, SQLSTATE 42S02)$" err &&
	test_grep "^Applied 001: ok" out &&
	test_equal "001|applied" "$(my_q f "SELECT version, state FROM schema_migrations")" &&
	test_equal 0 "$(my_q f "SELECT count(*) FROM one")" &&
	! my_has f t3
'

test_expect_success 'a runtime error (a duplicate key) names its statement' '
	cd fail &&
	rm migrations/003_later.sql &&
	up 002 broken <<-\EOF &&
	-- migrate:up
	CREATE UNIQUE INDEX one_x ON one (x);
	EOF
	up 003 dup <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (1);
	INSERT INTO one VALUES (1);
	EOF
	test_expect_code 1 runner --db "$(my_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/003_dup.sql:3: Duplicate entry .1. for key .one_x. (error 1062, SQLSTATE 23000)$" err &&
	test_equal "001 002" "$(my_applied f | xargs)" &&
	test_equal 0 "$(my_q f "SELECT count(*) FROM one")"
'

test_expect_success 'a section may not end the transaction runner wraps it in' '
	cd fail &&
	up 003 dup <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (1);
	COMMIT;
	INSERT INTO one VALUES (2);
	EOF
	test_expect_code 1 runner --db "$(my_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/003_dup.sql:3: a section must not end the transaction" err &&
	test_equal 0 "$(my_q f "SELECT count(*) FROM one")" &&
	test_equal "001 002" "$(my_applied f | xargs)"
'

test_expect_success 'DELIMITER blocks: a procedure and a trigger, split as the client does' '
	cd fail &&
	up 003 dup <<-\EOF &&
	-- migrate:up
	DELIMITER $$
	CREATE PROCEDURE add_one(v INT)
	BEGIN
	    INSERT INTO one VALUES (v);  # one row; a ; inside
	    INSERT INTO one VALUES (v + 10);
	END$$
	DELIMITER ;
	CREATE TRIGGER one_bi BEFORE INSERT ON one FOR EACH ROW
	    SET NEW.x = NEW.x * 2;
	CALL add_one(1);
	-- migrate:down
	DROP TRIGGER one_bi;
	DROP PROCEDURE add_one;
	EOF
	runner --db "$(my_url f)" migrate >out 2>err &&
	test_equal "2 22" "$(my_q f "SELECT x FROM one ORDER BY x" | xargs)" &&
	runner --db "$(my_url f)" rollback --yes --no-backup >out &&
	test_equal 0 "$(my_q f "SELECT count(*) FROM information_schema.routines WHERE routine_schema = '"'f'"'")"
'

test_expect_success 'a DELIMITER line the client refuses: file:line' '
	cd fail &&
	up 003 dup <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (5);
	DELIMITER
	EOF
	test_expect_code 1 runner --db "$(my_url f)" migrate >out 2>err &&
	test_grep "^runner: migrations/003_dup.sql:3: " err &&
	test_equal 0 "$(my_q f "SELECT count(*) FROM one WHERE x = 5")"
'

test_expect_success 'the lock is held: --lock-timeout waits, then a clear error, nothing changed' '
	my_newdb lk && fresh lock &&
	my_setup_story &&
	my_hold_lock lk &&
	test_expect_code 1 runner --db "$(my_url lk)" --lock-timeout 1 migrate >out 2>err &&
	test_grep "^runner: database .mysql://root@localhost/lk?socket=.*. is locked by another runner (waited 1 s; see --lock-timeout)$" err &&
	test_expect_code 1 runner --db "$(my_url lk)" --lock-timeout 0 migrate >out 2>err &&
	test_grep "is locked by another runner (waited 0 s" err &&
	! my_has lk schema_migrations &&
	runner --db "$(my_url lk)" status --no-drift >out &&
	test_grep "^Pending migrations: 3" out &&
	release_lock &&
	runner --db "$(my_url lk)" --lock-timeout 1 migrate >out &&
	test_equal "001 002 003" "$(my_applied lk | xargs)"
'

test_expect_success 'SIGTERM while waiting for the lock: interrupted at once' '
	cd lock &&
	write_migration 004 four "CREATE TABLE four (x int);" &&
	my_hold_lock lk &&
	{ "$RUNNER" --db "$(my_url lk)" --lock-timeout 60 migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT GET_LOCK" &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test_equal 1 $rc &&
	test_grep "interrupted" err &&
	release_lock &&
	test_equal "001 002 003" "$(my_applied lk | xargs)" &&
	! my_running "SELECT GET_LOCK"
'

test_expect_success 'SIGTERM in a running statement: the server stops it, nothing recorded' '
	cd lock &&
	write_migration 004 four "INSERT INTO users (name) VALUES ('"'x'"');
SELECT SLEEP(60);" &&
	{ "$RUNNER" --db "$(my_url lk)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT SLEEP" &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test_equal 1 $rc &&
	test_grep "004_four.sql:5: interrupted" err &&
	! my_running "SELECT SLEEP" &&
	test_equal "001 002 003" "$(my_applied lk | xargs)" &&
	test_equal 0 "$(my_q lk "SELECT count(*) FROM users")"
'

test_expect_success 'eight runners at once apply each migration exactly once' '
	my_newdb race && fresh race &&
	my_setup_story &&
	write_migration 004 four "INSERT INTO users (name) VALUES ('"'once'"');" &&
	pids= &&
	for i in 1 2 3 4 5 6 7 8
	do
		runner --db "$(my_url race)" --lock-timeout 60 migrate >out.$i 2>err.$i &
		pids="$pids $!"
	done &&
	for p in $pids
	do
		wait $p || return 1
	done &&
	test_equal "001 002 003 004" "$(my_applied race | xargs)" &&
	test_equal 4 "$(cat out.* | grep -c "^Applied")" &&
	test_equal 1 "$(my_q race "SELECT count(*) FROM users")"
'

# my_hold_named NAME: a client session holding GET_LOCK(NAME), as
# my_hold_lock holds runner's.
my_hold_named () {
	hold_setup || return 1
	{
		echo "SELECT GET_LOCK('$1', 60);"
		hold_until_released
	} | my_client -N -B -n >"$HOLD_DIR/held" 2>"$HOLD_DIR/log" &
	HOLD_PID=$!
	hold_wait
}

no_sessions () {
	test 0 = "$(my_sessions "$1")"
}

test_expect_success 'kill -9 mid-migration: the lock is freed with the session; nothing half-recorded' '
	my_newdb k9 && fresh k9 &&
	write_migration 001 table "CREATE TABLE t (x int);" &&
	write_migration 002 blocked "INSERT INTO t VALUES (2);
SELECT GET_LOCK('"'blocker'"', 60);" &&
	write_migration 003 three "INSERT INTO t VALUES (3);" &&
	my_hold_named blocker &&
	{ "$RUNNER" --db "$(my_url k9)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT GET_LOCK(_blocker" &&
	kill -KILL $pid &&
	{ wait $pid; true; } &&
	release_lock &&
	wait_until no_sessions k9 &&
	test_equal "001" "$(my_applied k9 | xargs)" &&
	test_equal 0 "$(my_q k9 "SELECT count(*) FROM t")" &&
	write_migration 002 blocked "INSERT INTO t VALUES (2);" &&
	runner --db "$(my_url k9)" --lock-timeout 0 migrate >out &&
	test_equal "001 002 003" "$(my_applied k9 | xargs)" &&
	test_equal "2 3" "$(my_q k9 "SELECT x FROM t ORDER BY x" | xargs)"
'

test_expect_success 'reset drops only this database'"'"'s objects' '
	cd story &&
	my_newdb keep &&
	my_q keep "CREATE TABLE data (x int); INSERT INTO data VALUES (7)" &&
	my_q app "CREATE TABLE stray (x int); CREATE VIEW stray_v AS SELECT 1 AS one; CREATE FUNCTION stray_f() RETURNS INT DETERMINISTIC RETURN 1; CREATE PROCEDURE stray_p() SELECT 1" &&
	my_q app "INSERT INTO users (name) VALUES ('"'gone'"')" &&
	runner --db "$DB" reset --yes --no-backup >out &&
	test_equal 7 "$(my_q keep "SELECT x FROM data")" &&
	! my_has app stray && ! my_has app stray_v &&
	test_equal 0 "$(my_q app "SELECT count(*) FROM information_schema.routines WHERE routine_schema = '"'app'"'")" &&
	test_equal 0 "$(my_q app "SELECT count(*) FROM users")" &&
	test_equal "001 002 003" "$(my_applied app | xargs)"
'

test_expect_success 'foreign_keys:off is refused with a reason, changing nothing' '
	my_newdb fk &&
	fresh fk &&
	write_migration 001 fk "CREATE TABLE a (x int);" &&
	sed -i "s/-- migrate:up/-- migrate:up foreign_keys:off/" migrations/001_fk.sql &&
	test_expect_code 1 runner --db "$(my_url fk)" migrate >out 2>err &&
	test_grep "foreign_keys:off is SQLite" err &&
	! my_has fk a
'

# The DDL of MySQL commits implicitly: a section holding some cannot be
# atomic, and runs statement by statement with its progress recorded.

test_expect_success 'a DDL section failing part-way: what is committed, and the failing statement at file:line' '
	my_newdb ddl && fresh ddl &&
	write_migration 001 one "CREATE TABLE one (x int);" "DROP TABLE one;" &&
	up 002 mixed <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (1);
	CREATE TABLE two (y int);
	INSERT INTO two VALUES (2);
	INSERT INTO nope VALUES (3);
	CREATE TABLE three (z int);
	-- migrate:down
	DROP TABLE IF EXISTS three;
	DROP TABLE IF EXISTS two;
	EOF
	write_migration 003 later "INSERT INTO one VALUES (9);" &&
	test_expect_code 1 runner --db "$(my_url ddl)" migrate >out 2>err &&
	test_grep "^runner: migrations/002_mixed.sql:5: Table .ddl.nope. doesn.t exist (error 1146, SQLSTATE 42S02)$" err &&
	test_grep "^runner: partly applied: statements 1-2 of 5 (lines 2-3) are committed; statement 4 (migrations/002_mixed.sql:5) failed: statements 3-5 are not applied$" err &&
	test_grep "ran statement by statement, and is recorded as failed: check the database, then run .runner repair." err &&
	test_grep ! "was rolled back" err &&
	test_equal "001|applied 002|failed" "$(my_q ddl "SELECT version, state FROM schema_migrations ORDER BY version" | xargs)" &&
	test_equal "1" "$(my_q ddl "SELECT x FROM one")" &&
	my_has ddl two &&
	test_equal 0 "$(my_q ddl "SELECT count(*) FROM two")" &&
	! my_has ddl three &&
	runner --db "$(my_url ddl)" status >out &&
	test_grep "^  \[F\] 002: mixed (.*) failed: migrations/002_mixed.sql:5: Table .ddl.nope. doesn.t exist (error 1146, SQLSTATE 42S02); partly applied: statements 1-2 of 5 (lines 2-3) are committed; statement 4 (migrations/002_mixed.sql:5) failed: statements 3-5 are not applied; check the database, then run .runner repair.$" out &&
	test_expect_code 1 runner --db "$(my_url ddl)" migrate >out 2>err &&
	test_grep "recorded as failed" err
'

test_expect_success 'repair explains the way out; a fixed file then applies' '
	cd ddl &&
	runner --db "$(my_url ddl)" repair --yes >out &&
	test_grep "002: removed the failed record; .runner migrate. will run it again from its first statement, but it ran statement by statement (statements 1-2 of 5 (lines 2-3) are committed; statement 4 (migrations/002_mixed.sql:5) failed: statements 3-5 are not applied): undo what is committed by hand first, or make those statements safe to run twice" out &&
	up 002 mixed <<-\EOF &&
	-- migrate:up
	CREATE TABLE IF NOT EXISTS two (y int);
	CREATE TABLE three (z int);
	-- migrate:down
	DROP TABLE IF EXISTS three;
	DROP TABLE IF EXISTS two;
	EOF
	runner --db "$(my_url ddl)" repair --yes >out &&
	runner --db "$(my_url ddl)" migrate >out &&
	test_equal "001 002 003" "$(my_applied ddl | xargs)" &&
	test_equal 3 "$(my_q ddl "SELECT count(*) FROM schema_migrations WHERE state = '"'applied'"' AND error IS NULL")" &&
	my_has ddl three
'

test_expect_success 'a section without DDL stays one transaction with its row' '
	cd ddl &&
	up 004 data <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (4);
	UPDATE one SET x = x + 100;
	INSERT INTO nope VALUES (4);
	EOF
	test_expect_code 1 runner --db "$(my_url ddl)" migrate >out 2>err &&
	test_grep "004_data.sql:4: Table .ddl.nope. doesn.t exist" err &&
	test_grep "migration 004 was rolled back" err &&
	test_grep ! "partly applied" err &&
	test_equal "1 9" "$(my_q ddl "SELECT x FROM one ORDER BY x" | xargs)" &&
	test_equal "001 002 003" "$(my_applied ddl | xargs)"
'

test_expect_success 'migrate --dry-run says which pending migrations cannot be atomic' '
	cd ddl &&
	write_migration 004 data "INSERT INTO one VALUES (4);" &&
	up 005 index <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (5);
	ALTER TABLE one ADD COLUMN note TEXT;
	EOF
	runner --db "$(my_url ddl)" migrate --dry-run >out 2>err &&
	test_grep "^runner: warning: migrations/005_index.sql: cannot be atomic on mysql: line 3.s ALTER TABLE commits implicitly, so it will run statement by statement, its progress recorded, and a failure part-way leaves the statements before it applied$" err &&
	test_grep ! "004_data" err &&
	test_grep "dry run: 2 migrations would be applied" out
'

test_expect_success '--single-transaction is refused when a pending section has DDL, changing nothing' '
	cd ddl &&
	my_dump ddl >before &&
	test_expect_code 1 runner --db "$(my_url ddl)" migrate --single-transaction >out 2>err &&
	test_grep "^runner: --single-transaction is refused: .migrations/005_index.sql. cannot run inside a shared transaction on mysql, where line 3.s ALTER TABLE commits it implicitly$" err &&
	my_dump ddl >after &&
	test_cmp before after &&
	rm migrations/005_index.sql &&
	write_migration 005 bad "INSERT INTO nope VALUES (1);" &&
	test_expect_code 1 runner --db "$(my_url ddl)" migrate --single-transaction >out 2>err &&
	test_grep "whole run was rolled back" err &&
	test_equal "1 9" "$(my_q ddl "SELECT x FROM one ORDER BY x" | xargs)" &&
	rm migrations/005_bad.sql &&
	runner --db "$(my_url ddl)" migrate --single-transaction >out &&
	test_equal "001 002 003 004" "$(my_applied ddl | xargs)"
'

test_expect_success 'a down section with DDL failing part-way is recorded as rollback_failed' '
	cd ddl &&
	up 005 pair <<-\EOF &&
	-- migrate:up
	CREATE TABLE p1 (x int);
	CREATE TABLE p2 (x int);
	-- migrate:down
	DROP TABLE p2;
	DROP TABLE nope;
	DROP TABLE p1;
	EOF
	runner --db "$(my_url ddl)" migrate >out &&
	test_expect_code 1 runner --db "$(my_url ddl)" rollback --yes --no-backup >out 2>err &&
	test_grep "005_pair.sql:6: Unknown table .ddl.nope. (error 1051, SQLSTATE 42S02)" err &&
	test_equal "rollback_failed" "$(my_q ddl "SELECT state FROM schema_migrations WHERE version = '"'005'"'")" &&
	! my_has ddl p2 && my_has ddl p1
'

test_expect_success 'kill -9 in a DDL section: the row says running, and which statement was started' '
	my_newdb kd && fresh kd &&
	write_migration 001 one "CREATE TABLE one (x int);" &&
	up 002 blocked <<-\EOF &&
	-- migrate:up
	CREATE TABLE two (y int);
	SELECT GET_LOCK('"'"'blocker'"'"', 60);
	CREATE TABLE three (z int);
	EOF
	my_hold_named blocker &&
	{ "$RUNNER" --db "$(my_url kd)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT GET_LOCK(_blocker" &&
	kill -KILL $pid &&
	{ wait $pid; true; } &&
	release_lock &&
	wait_until no_sessions kd &&
	test_equal "running" "$(my_q kd "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	my_has kd two && ! my_has kd three &&
	runner --db "$(my_url kd)" status >out &&
	test_grep "^  \[F\] 002: blocked (.*) running: partly applied: statement 1 of 3 (line 2) is committed; check the database" out &&
	runner --db "$(my_url kd)" repair --yes >out &&
	test_grep "undo what is committed by hand first" out
'

test_expect_success 'the server killed mid-migration: a clear error at once, the row tells the truth' '
	my_newdb crash && fresh crash &&
	write_migration 001 one "CREATE TABLE one (x int);" &&
	up 002 ddl <<-\EOF &&
	-- migrate:up
	CREATE TABLE two (y int);
	INSERT INTO two VALUES (1);
	SELECT SLEEP(60);
	CREATE TABLE three (z int);
	EOF
	{ "$RUNNER" --db "$(my_url crash)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT SLEEP" &&
	my_crash &&
	{ wait $pid; rc=$?; } &&
	test_equal 1 $rc &&
	test_grep "^runner: migrations/002_ddl.sql:4: Lost connection to server during query (error 2013, SQLSTATE HY000)$" err &&
	test_grep "recording it as failed failed too" err &&
	my_serve &&
	test_equal "001|applied 002|running" "$(my_q crash "SELECT version, state FROM schema_migrations ORDER BY version" | xargs)" &&
	test_equal "" "$(my_q crash "SELECT y FROM two")" &&
	runner --db "$(my_url crash)" status >out &&
	test_grep "002: ddl (.*) running: partly applied: statement 1 of 4 (line 2) is committed; check the database" out
'

test_expect_success 'the server killed in a section without DDL: nothing of it recorded' '
	cd crash &&
	my_q crash "DROP TABLE two; DELETE FROM schema_migrations WHERE version = '"'002'"'" &&
	up 002 data <<-\EOF &&
	-- migrate:up
	INSERT INTO one VALUES (1);
	SELECT SLEEP(60);
	EOF
	rm migrations/002_ddl.sql &&
	{ "$RUNNER" --db "$(my_url crash)" migrate >out 2>err & } &&
	pid=$! &&
	wait_until my_running "SELECT SLEEP" &&
	my_crash &&
	{ wait $pid; rc=$?; } &&
	test_equal 1 $rc &&
	test_grep "002_data.sql:3: Lost connection to server during query (error 2013" err &&
	my_serve &&
	test_equal "001" "$(my_applied crash | xargs)" &&
	test_equal 0 "$(my_q crash "SELECT count(*) FROM one")" &&
	runner --db "$(my_url crash)" status >out &&
	test_grep "^Pending migrations: 1" out
'

test_done
