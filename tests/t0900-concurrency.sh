#!/bin/bash
# t0900-concurrency: concurrent runners, kill -9 in the middle, and the lock timeout.

. "$(dirname "$0")/lib.sh"

# now_ms: wall-clock milliseconds.
now_ms () {
	echo $(($(date +%s%N) / 1000000))
}

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

test_expect_success '8 concurrent migrate runs apply every migration exactly once' '
	cd race &&
	seq 1 10 >expect &&
	for round in 1 2 3 4 5
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

test_expect_success 'setup slow migrations' '
	fresh kill &&
	for i in 1 2 3 4
	do
		write_migration "00$i" "big$i" "CREATE TABLE big$i AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x, randomblob(50) AS b FROM c;
CREATE INDEX idx_big$i ON big$i (b);" "DROP TABLE big$i;" || return 1
	done
'

test_expect_success 'kill -9 during migrate never leaves a half-applied migration' '
	cd kill &&
	for iter in 1 2 3 4 5 6 7 8 9 10
	do
		rm -f app.db app.db-journal
		"$RUNNER" migrate >out 2>err &
		pid=$!
		sleep "0.$(printf %03d $((RANDOM % 900 + 10)))"
		kill -9 $pid 2>/dev/null
		wait $pid
		test "$(sql app.db "PRAGMA integrity_check")" = ok || {
			echo "iteration $iter: integrity_check failed" >&2
			return 1
		}
		for i in 1 2 3 4
		do
			row=$(sql app.db "SELECT count(*) FROM schema_migrations WHERE version = '"'00$i'"' AND state = '"'applied'"'" 2>/dev/null)
			test -n "$row" || row=0
			tbl=$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name = '"'big$i'"'")
			if test "$row" != "$tbl"
			then
				echo "iteration $iter: big$i table=$tbl row=$row" >&2
				return 1
			fi
		done
		runner migrate >out 2>err || {
			echo "iteration $iter: rerun failed" >&2
			cat err >&2
			return 1
		}
		runner status --exit-code >out || return 1
		test_equal "001 002 003 004" "$(applied | xargs)" || return 1
	done
'

# consistent DB: each bigN table exists exactly when its applied row does.
consistent () {
	test "$(sql app.db "PRAGMA integrity_check")" = ok || {
		echo "integrity_check failed" >&2
		return 1
	}
	for i in 1 2 3 4
	do
		row=$(sql app.db "SELECT count(*) FROM schema_migrations WHERE version = '00$i' AND state = 'applied'" 2>/dev/null)
		test -n "$row" || row=0
		tbl=$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name = 'big$i'")
		test "$row" = "$tbl" || {
			echo "big$i: table=$tbl row=$row" >&2
			return 1
		}
	done
}

test_expect_success 'setup slow downs' '
	fresh killdown &&
	for i in 1 2 3 4
	do
		write_migration "00$i" "big$i" "CREATE TABLE big$i (x);" "CREATE TABLE tmp$i AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 150000) SELECT x, randomblob(50) AS b FROM c;
CREATE INDEX idx_tmp$i ON tmp$i (b);
DROP TABLE tmp$i;
DROP TABLE big$i;" || return 1
	done
'

test_expect_success 'kill -9 during rollback never leaves a half-rolled-back migration' '
	cd killdown &&
	for iter in 1 2 3 4 5 6
	do
		rm -f app.db app.db-journal &&
		runner -q migrate || return 1
		"$RUNNER" rollback --yes 0 >out 2>err &
		pid=$!
		sleep "0.$(printf %03d $((RANDOM % 900 + 10)))"
		kill -9 $pid 2>/dev/null
		wait $pid
		consistent || { echo "iteration $iter" >&2; return 1; }
		test "$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name LIKE '"'tmp%'"'")" = 0 || {
			echo "iteration $iter: a down was left half-done" >&2
			return 1
		}
		runner -q rollback --yes 0 || return 1
		test_equal "" "$(applied | xargs)" || return 1
	done
'

for sig in INT TERM
do
	test_expect_success "SIG$sig during migrate rolls the current migration back and names it" '
		cd kill &&
		rm -f app.db app.db-journal
		"$RUNNER" migrate >out 2>err &
		pid=$!
		sleep 0.3 &&
		kill -'$sig' $pid &&
		code=0 && wait $pid || code=$? &&
		test "$code" -eq 1 &&
		test_grep "interrupted" err &&
		test_grep "big[1-4]\.sql\|migration 00[1-4]" err &&
		consistent &&
		runner -q migrate &&
		runner status --exit-code >/dev/null
	'
done

test_expect_success 'setup lock' '
	fresh lock &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	sql app.db "SELECT 1" >/dev/null
'

test_expect_success '--lock-timeout: fails with a clear message when the lock is held' '
	cd lock || return 1
	(echo "BEGIN IMMEDIATE;"; echo "CREATE TABLE holder (x);"; sleep 4; echo "COMMIT;") | sqlite3 app.db &
	holder=$! &&
	sleep 0.5 &&
	start=$(now_ms) &&
	test_expect_code 1 runner --lock-timeout 1 migrate >out 2>err &&
	elapsed=$(($(now_ms) - start)) &&
	test_grep -i "lock" err &&
	test "$elapsed" -ge 800 &&
	test "$elapsed" -lt 3000 &&
	wait $holder &&
	test_equal "" "$(applied 2>/dev/null)" &&
	runner migrate >out &&
	test_equal "001" "$(applied)"
'

test_expect_success 'a runner waits for the lock up to --lock-timeout' '
	cd lock || return 1
	write_migration 002 b "CREATE TABLE b (x);" || return 1
	(echo "BEGIN IMMEDIATE;"; echo "CREATE TABLE holder2 (x);"; sleep 1; echo "COMMIT;") | sqlite3 app.db &
	holder=$! &&
	sleep 0.3 &&
	runner --lock-timeout 10 migrate >out 2>err &&
	wait $holder &&
	test_equal "001 002" "$(applied | xargs)" &&
	table_exists app.db holder2
'

test_done
