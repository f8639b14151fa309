#!/bin/bash
# t0900-concurrency: concurrent runners, kill -9 in the middle, and the lock timeout.

. "$(dirname "$0")/lib.sh"

# Loop counts (rounds in lib.sh: make test, TEST_SOAK=1, valgrind). Under
# valgrind a killed run checks nothing, but the rerun after it does, and
# enough kills must land inside the run.
RACE_ROUNDS=$(rounds RACE_ROUNDS 3 8 2)
MIXED_ROUNDS=$(rounds MIXED_ROUNDS 3 8 2)
KILL_ROUNDS=$(rounds KILL_ROUNDS 6 15 3)
KILL_DOWN_ROUNDS=$(rounds KILL_DOWN_ROUNDS 3 6 2)

test_expect_success 'setup a set of 10 migrations writing to a shared log' '
	fresh race &&
	write_migration 001 log "CREATE TABLE IF NOT EXISTS log (v);
INSERT INTO log VALUES (1);" &&
	for i in 2 3 4 5 6 7 8 9 10
	do
		write_migration "$(printf %03d $i)" "step$i" "CREATE TABLE t$i (x);
INSERT INTO log VALUES ($i);" || return 1
	done
'

test_expect_success '8 runners at once on a new database, RACE_ROUNDS times: each migration once, all exit 0' '
	cd race &&
	seq 1 10 >expect &&
	for round in $(seq 1 "$RACE_ROUNDS")
	do
		rm -f app.db app.db-journal &&
		pids= &&
		for n in 1 2 3 4 5 6 7 8
		do
			runner migrate >out.$n 2>err.$n &
			pids="$pids $!"
		done &&
		n=0 &&
		for p in $pids
		do
			n=$((n + 1)) &&
			if ! wait $p
			then
				echo "round $round: runner $n failed:" >&2 &&
				cat err.$n >&2 &&
				return 1
			fi
		done &&
		sql app.db "SELECT v FROM log ORDER BY v" >actual &&
		test_cmp expect actual &&
		test_equal "$(printf "%03d\n" $(seq 1 10))" "$(applied)" &&
		test_equal 10 "$(sql app.db "SELECT count(*) FROM schema_migrations WHERE state = '"'applied'"'")" &&
		cat out.* >all-out &&
		test_equal 10 "$(grep -c "^Applied " all-out)" || return 1
	done
'

test_expect_success 'concurrent migrate on an already migrated database' '
	cd race &&
	pids= &&
	for n in 1 2 3 4
	do
		runner migrate >out.$n 2>err.$n &
		pids="$pids $!"
	done &&
	for p in $pids
	do
		wait $p || return 1
	done &&
	test_equal 10 "$(sql app.db "SELECT count(*) FROM log")"
'

test_expect_success 'setup: migrations with downs, for migrate racing rollback' '
	fresh mixed &&
	write_migration 001 log "CREATE TABLE log (v);" "DROP TABLE log;" &&
	for i in 2 3 4 5 6
	do
		write_migration "00$i" "t$i" "CREATE TABLE t$i AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x FROM c;
INSERT INTO log VALUES ($i);" "DELETE FROM log WHERE v = $i;
DROP TABLE t$i;" || return 1
	done
'

# With 001-005 applied, migrate and rollback start together. Run one after
# the other they give 001-005 (migrate applies 006, rollback undoes it) or
# 001-006 (rollback undoes 005, migrate applies 005 and 006); anything else,
# such as 006 applied without 005, means they interleaved.
test_expect_success 'migrate racing rollback is serialized: one order or the other' '
	cd mixed &&
	orders= &&
	for round in $(seq 1 "$MIXED_ROUNDS")
	do
		rm -f app.db app.db-journal &&
		runner -q migrate-to 005 || return 1
		runner migrate >m.out 2>m.err &
		m=$!
		runner rollback --yes >r.out 2>r.err &
		r=$!
		wait $m || { echo "round $round: migrate failed" >&2; cat m.err >&2; return 1; }
		wait $r || { echo "round $round: rollback failed" >&2; cat r.err >&2; return 1; }
		got=$(applied | xargs)
		logged=$(sql app.db "SELECT group_concat(v, char(32)) FROM (SELECT v FROM log ORDER BY v)")
		case "$got" in
		"001 002 003 004 005")
			test_grep "^Applied 006" m.out &&
			test_grep "^Rolled back 006" r.out &&
			test_equal "2 3 4 5" "$logged" &&
			! table_exists app.db t6 &&
			orders="$orders migrate,rollback" || return 1
			;;
		"001 002 003 004 005 006")
			test_grep "^Rolled back 005" r.out &&
			test_grep "^Applied 005" m.out &&
			test_grep "^Applied 006" m.out &&
			test_equal "2 3 4 5 6" "$logged" &&
			orders="$orders rollback,migrate" || return 1
			;;
		*)
			echo "round $round: neither order: applied [$got], log [$logged]" >&2
			return 1
			;;
		esac
	done &&
	echo "# orders seen:$orders"
'

# A set of slow migrations: 001 makes a log, 002..009 each build a table of
# 20,000 rows with an index (some 30-70 ms each) and log their number.
test_expect_success 'setup slow migrations' '
	fresh kill &&
	write_migration 001 log "CREATE TABLE log (v);" "DROP TABLE log;" &&
	for i in 2 3 4 5 6 7 8 9
	do
		write_migration "00$i" "big$i" "CREATE TABLE big$i AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x, randomblob(50) AS b FROM c;
CREATE INDEX idx_big$i ON big$i (b);
INSERT INTO log VALUES ($i);" "DROP TABLE big$i;
DELETE FROM log WHERE v = $i;" || return 1
	done &&
	start=$(now_ms) &&
	runner -q migrate &&
	echo $(($(now_ms) - start)) >duration &&
	echo "# a whole migrate takes $(cat duration) ms"
'

# consistent: the schema and the tracking rows agree: each bigN table exists
# exactly when migration 00N is recorded, and then its log row is there
# once; no row is left in another state; integrity_check is ok.
consistent () {
	local i row tbl logged have
	test "$(sql app.db "PRAGMA integrity_check")" = ok || {
		echo "integrity_check failed" >&2
		return 1
	}
	test "$(sql app.db "SELECT count(*) FROM schema_migrations WHERE state <> 'applied'" 2>/dev/null || echo 0)" = 0 || {
		echo "a row is not in state applied" >&2
		return 1
	}
	# the 24 counts in one sqlite3; a table not made yet counts no rows
	have=" $(sql app.db "SELECT name FROM sqlite_master
		WHERE name IN ('schema_migrations', 'log')" | xargs) "
	for i in 2 3 4 5 6 7 8 9
	do
		row=0 logged=0
		case $have in
		*" schema_migrations "*) row="(SELECT count(*) FROM schema_migrations WHERE version = '00$i')" ;;
		esac
		case $have in
		*" log "*) logged="(SELECT count(*) FROM log WHERE v = $i)" ;;
		esac
		echo "SELECT $i, $row, $logged, (SELECT count(*) FROM sqlite_master WHERE name = 'big$i');"
	done >consistent.sql &&
	sqlite3 -batch app.db <consistent.sql >consistent.out &&
	test_line_count = 8 consistent.out &&
	while IFS='|' read -r i row logged tbl
	do
		test "$row/$logged" = "$tbl/$tbl" || {
			echo "migration 00$i: recorded=$row logged=$logged table=$tbl" >&2
			return 1
		}
	done <consistent.out
}

# KILL_ROUNDS runs of migrate on a new database, each killed with SIGKILL
# after a random time within what a whole run takes.
test_expect_success 'SIGKILL at random moments: schema and rows agree, a rerun completes' '
	cd kill &&
	dur=$(cat duration) &&
	partial=0 &&
	for round in $(seq 1 "$KILL_ROUNDS")
	do
		rm -f app.db app.db-journal
		"$RUNNER" migrate >out 2>err &
		pid=$!
		delay=$((RANDOM % dur + 1))
		tick "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid
		n=$(sql app.db "SELECT count(*) FROM schema_migrations" 2>/dev/null)
		test "${n:-0}" -gt 0 && test "${n:-0}" -lt 9 && partial=$((partial + 1))
		consistent || { echo "round $round, killed after $delay ms" >&2; return 1; }
		runner -q migrate || { echo "round $round: rerun failed" >&2; return 1; }
		consistent &&
		test_equal "001 002 003 004 005 006 007 008 009" "$(applied | xargs)" || return 1
	done &&
	echo "# $partial kills landed between migrations or inside one" &&
	test "$partial" -gt 0
'

test_expect_success 'setup slow downs' '
	fresh killdown &&
	write_migration 001 log "CREATE TABLE log (v);" "DROP TABLE log;" &&
	for i in 2 3 4 5
	do
		write_migration "00$i" "big$i" "CREATE TABLE big$i (x);
INSERT INTO log VALUES ($i);" "CREATE TABLE tmp$i AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 150000) SELECT x, randomblob(50) AS b FROM c;
CREATE INDEX idx_tmp$i ON tmp$i (b);
DROP TABLE tmp$i;
DELETE FROM log WHERE v = $i;
DROP TABLE big$i;" || return 1
	done
'

test_expect_success 'kill -9 during rollback never leaves a half-rolled-back migration' '
	cd killdown &&
	for iter in $(seq 1 "$KILL_DOWN_ROUNDS")
	do
		rm -f app.db app.db-journal &&
		runner -q migrate || return 1
		"$RUNNER" rollback --yes 1 >out 2>err &
		pid=$!
		tick "0.$(printf %03d $((RANDOM % 900 + 10)))"
		kill -9 $pid 2>/dev/null
		wait $pid
		consistent || { echo "iteration $iter" >&2; return 1; }
		test "$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name LIKE '"'tmp%'"'")" = 0 || {
			echo "iteration $iter: a down was left half-done" >&2
			return 1
		}
		runner -q rollback --yes 1 || return 1
		test_equal "001" "$(applied | xargs)" || return 1
	done
'

for sig in INT TERM
do
	test_expect_success "SIG$sig during migrate rolls the current migration back and names it" '
		cd kill &&
		rm -f app.db app.db-journal
		# the tracking table first, so that the journal appears with the
		# first write of a migration (valgrind is slow before that)
		mkdir -p none && "$RUNNER" --dir none migrate >/dev/null || return 1
		"$RUNNER" migrate >out 2>err &
		pid=$!
		wait_for app.db-journal &&
		kill -'$sig' $pid &&
		code=0 && wait $pid || code=$? &&
		test "$code" -eq 1 &&
		test_grep "interrupted" err &&
		test_grep "big[2-9]\.sql\|migration 00[1-9]" err &&
		consistent &&
		runner -q migrate &&
		runner status --exit-code >/dev/null
	'
done

# The run lock is flock(2) on the database file; flock(1) holds it here as
# another runner would.
test_expect_success 'while another runner holds the run lock: give up at --lock-timeout, or wait' '
	cd kill &&
	rm -f app.db app.db-journal &&
	runner -q migrate-to 001 &&
	before=$(db_sha app.db) &&
	hold_run_lock app.db || return 1
	test_expect_code 1 runner --lock-timeout 0 migrate >out 2>err &&
	test_grep "database .app.db. is in use by another runner: gave up after 0 s (--lock-timeout)" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	{ runner -q --lock-timeout 120 migrate-to 002 >out 2>err & } &&
	pid=$! &&
	wait_waiting $pid app.db &&
	test_equal "$before" "$(db_sha app.db)" &&
	release_lock &&
	wait $pid &&
	consistent &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'SIGTERM while waiting for the run lock stops at once, nothing changed' '
	cd kill &&
	before=$(db_sha app.db) &&
	hold_run_lock app.db || return 1
	"$RUNNER" --lock-timeout 60 migrate >out 2>err &
	pid=$!
	wait_waiting $pid app.db &&
	kill -TERM $pid &&
	code=0 && wait $pid || code=$?
	release_lock &&
	test "$code" = 1 &&
	test_grep "interrupted while waiting for another runner to finish" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'setup lock' '
	fresh lock &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	sql app.db "SELECT 1" >/dev/null
'

# It waits at least --lock-timeout (a lower bound, which load cannot
# break), and not much longer: the upper bound is on the time beyond what
# the same command takes with --lock-timeout 0, measured side by side, so
# valgrind and a loaded machine slow both alike; the margin is wide.
test_expect_success '--lock-timeout: fails with a clear message when the lock is held' '
	cd lock &&
	hold_write_lock app.db "CREATE TABLE holder (x);" &&
	start=$(now_ms) &&
	test_expect_code 1 runner --lock-timeout 0 migrate >out 2>err &&
	base=$(($(now_ms) - start)) &&
	start=$(now_ms) &&
	test_expect_code 1 runner --lock-timeout 1 migrate >out 2>err &&
	elapsed=$(($(now_ms) - start)) &&
	test_grep -i "lock" err &&
	test "$elapsed" -ge 1000 &&
	test "$((elapsed - base))" -lt 4000 &&
	release_lock &&
	test_equal "" "$(applied 2>/dev/null)" &&
	runner migrate >out &&
	test_equal "001" "$(applied)"
'

test_expect_success 'a runner waits for the lock up to --lock-timeout' '
	cd lock &&
	write_migration 002 b "CREATE TABLE b (x);" &&
	hold_write_lock app.db "CREATE TABLE holder2 (x);" &&
	{ runner --lock-timeout 120 migrate >out 2>err & } &&
	pid=$! &&
	wait_waiting $pid app.db &&
	release_lock &&
	wait $pid &&
	test_equal "001 002" "$(applied | xargs)" &&
	table_exists app.db holder2
'

test_done
