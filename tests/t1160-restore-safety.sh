#!/bin/bash
# t1160-restore-safety: restore is one step under the run lock, loses no
# commit of the old database whichever step fails, reports a failure after
# the switch as such (exit 3), keeps the file's mode, owner and symbolic
# link, and never blocks on what is not a file.

. "$(dirname "$0")/lib.sh"

# Rows a slow migration inserts, so that it is seen holding the run lock;
# under valgrind, some 30 times slower, far fewer do.
SLOW_ROWS=2000000
test -n "$RUNNER_VALGRIND" && SLOW_ROWS=100000
. "$TEST_DIRECTORY/lib-fault.sh"

# rows DB: the rows of table t, in order, on one line.
rows () {
	sqlite3 -batch "$1" "SELECT x FROM t ORDER BY x" | xargs
}

# wal_db DB ROWS...: a WAL database whose rows ROWS were committed and are
# still only in its -wal (the writer exits without checkpointing).
wal_db () {
	local db=$1
	shift
	rm -f "$db" "$db-wal" "$db-shm" "$db-journal" &&
	python3 - "$db" "$@" <<-\EOF
	import os, sqlite3, sys
	c = sqlite3.connect(sys.argv[1], isolation_level=None)
	c.execute("PRAGMA journal_mode=WAL")
	c.execute("CREATE TABLE t (x)")
	c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
	c.execute("PRAGMA wal_autocheckpoint=0")
	for x in sys.argv[2:]:
	    c.execute("INSERT INTO t VALUES (?)", (int(x),))
	os._exit(0)
	EOF
	test -s "$db-wal"
}

# wait_for_line PATTERN FILE: until FILE has a line matching PATTERN.
wait_for_line () {
	wait_until has_line "$1" "$2"
}

has_line () {
	grep -q "$1" "$2" 2>/dev/null
}

# run_lock_held: another process holds the run lock on app.db.
run_lock_held () {
	! flock -n app.db true
}

# hold_lock FILE: takes the run lock on FILE in the background until
# ./release exists; returns once it is held.
hold_lock () {
	rm -f release locked &&
	{ flock "$1" bash -c "touch locked; while ! test -f release; do read -t 0.01 <>\"$TICK_FIFO\"; done" & } &&
	wait_for locked
}

test_expect_success 'setup: a database and a backup of it' '
	sql app.db "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);" &&
	runner backup -q --output good.gz &&
	sql app.db "INSERT INTO t VALUES (3)"
'

test_expect_success 'restore waits for the run lock, and gives up after --lock-timeout, changing nothing' '
	hold_lock app.db &&
	sha=$(db_sha app.db) &&
	test_must_fail runner --lock-timeout 1 restore --yes --no-backup good.gz 2>err &&
	touch release &&
	test_grep "database .app.db. is in use by another runner: gave up after 1 s" err &&
	test_equal "$sha" "$(db_sha app.db)" &&
	test_equal "1 2 3" "$(rows app.db)" &&
	test_equal 0 "$(ls -A | grep -c "^\.runner-")"
'

test_expect_success 'restore waits for a running migrate; both finish, in order' '
	fresh mig &&
	mkdir migrations &&
	printf -- "-- migrate:up\nCREATE TABLE s (x);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $SLOW_ROWS) INSERT INTO s SELECT i FROM c;\n" >migrations/001_slow.sql &&
	printf -- "-- migrate:up\nCREATE TABLE u (x);\n" >migrations/002_after.sql &&
	sql app.db "CREATE TABLE t (x); INSERT INTO t VALUES (7);" &&
	runner backup -q --output b.gz &&
	{ runner migrate >mig.out 2>mig.err & } &&
	pid=$! &&
	wait_until run_lock_held &&
	runner --lock-timeout 300 restore --yes --no-backup b.gz >out 2>err &&
	wait $pid &&
	test_grep "Applied 001: slow" mig.out &&
	test_grep "Applied 002: after" mig.out &&
	test_must_be_empty mig.err &&
	test_grep "Restored" out &&
	test_equal 7 "$(rows app.db)" &&
	test_equal "" "$(sql app.db "SELECT name FROM sqlite_master WHERE name = '"'"'s'"'"'")"
'

test_expect_success 'restore waits for a reader of the database, then gives up, changing nothing' '
	rm -f release reading &&
	{ python3 -c "
import os, sqlite3, time
c = sqlite3.connect(\"app.db\", isolation_level=None)
c.execute(\"BEGIN\")
c.execute(\"SELECT count(*) FROM t\").fetchall()
open(\"reading\", \"w\").close()
while not os.path.exists(\"release\"):
    time.sleep(0.01)
" & } &&
	wait_for reading &&
	sha=$(db_sha app.db) &&
	test_must_fail runner --lock-timeout 1 restore --yes --no-backup good.gz 2>err &&
	touch release &&
	test_grep "locked by another process\|kept reading or writing it" err &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_expect_success FAULTFS 'a failed rename keeps the commits that were only in the old WAL' '
	fresh walrename &&
	cp ../good.gz . &&
	wal_db app.db 10 11 12 &&
	FAULT_MATCH=/app.db$ test_must_fail with_fault rename 1 EIO runner restore --yes --no-backup good.gz 2>err &&
	test_grep "cannot rename .*app.db.: Input/output error (nothing was changed)" err &&
	test_equal "10 11 12" "$(rows app.db)" &&
	test_equal ok "$(sql app.db "PRAGMA integrity_check")" &&
	test_equal 0 "$(ls -A | grep -c "^\.runner-")"
'

test_expect_success FAULTFS 'a failure removing the old WAL or journal changes nothing either' '
	fresh walunlink &&
	cp ../good.gz . &&
	wal_db app.db 10 11 &&
	FAULT_MATCH=/app.db-wal$ test_must_fail with_fault unlink 1 EIO runner restore --yes --no-backup good.gz 2>err &&
	test_grep "cannot remove .*app.db-wal.: Input/output error (nothing was changed)" err &&
	test_equal "10 11" "$(rows app.db)"
'

test_expect_success 'a successful restore over a WAL database leaves nothing of the old one' '
	fresh walok &&
	cp ../good.gz . &&
	wal_db app.db 10 11 &&
	runner restore --yes --no-backup good.gz >out &&
	test_path_is_missing app.db-wal &&
	test_path_is_missing app.db-shm &&
	test_equal "1 2" "$(rows app.db)" &&
	test_equal ok "$(sql app.db "PRAGMA integrity_check")"
'

test_expect_success FAULTFS 'a failed folder sync after the switch: exit 3, and the message says it was restored' '
	fresh dirsync &&
	cp ../good.gz . &&
	sql app.db "CREATE TABLE t (x); INSERT INTO t VALUES (5);" &&
	FAULT_MATCH="$(pwd -P)\$" test_expect_code 3 \
		with_fault fsync 1 EIO runner restore --yes --no-backup good.gz >out 2>err &&
	test_grep "^runner: database .*app.db. was restored, but cannot sync folder .*: Input/output error" err &&
	test_grep "Restored .app.db." out &&
	test_equal "1 2" "$(rows app.db)"
'

test_expect_success 'restore keeps the mode of the old file' '
	fresh mode &&
	cp ../good.gz . &&
	sql app.db "CREATE TABLE t (x)" && chmod 0664 app.db &&
	runner restore --yes --no-backup good.gz &&
	test_equal 664 "$(stat -c %a app.db)" &&
	chmod 0640 app.db &&
	runner restore --yes --no-backup good.gz &&
	test_equal 640 "$(stat -c %a app.db)"
'

test_expect_success 'as root, restore keeps the owner and group of the old file' '
	test_have_prereq NOT_ROOT && { echo "# needs root"; return 0; }
	fresh owner &&
	cp ../good.gz . &&
	sql app.db "CREATE TABLE t (x)" && chown 65534:65534 app.db && chmod 0664 app.db &&
	runner restore --yes good.gz >out &&
	test_equal "65534:65534 664" "$(stat -c "%u:%g %a" app.db)" &&
	test_equal "1 2" "$(rows app.db)"
'

test_expect_success 'a new database from restore gets the mode migrate would give it' '
	fresh newmode &&
	cp ../good.gz . &&
	(umask 022 && runner --db new.db restore --yes good.gz) &&
	test_equal 644 "$(stat -c %a new.db)"
'

test_expect_success 'through a symbolic link: the target is restored, the link kept' '
	fresh link &&
	cp ../good.gz . &&
	mkdir shared &&
	sql shared/app.db "CREATE TABLE t (x); INSERT INTO t VALUES (9);" &&
	ln -s shared/app.db app.db &&
	runner restore --yes good.gz >out &&
	test -L app.db &&
	test_equal shared/app.db "$(readlink app.db)" &&
	test_equal "1 2" "$(rows shared/app.db)" &&
	test_equal 0 "$(ls -A . shared | grep -c "^\.runner-")" &&
	ls backups/*.db.gz
'

test_expect_success 'a link that leads nowhere is refused' '
	fresh dangling &&
	cp ../good.gz . &&
	ln -s nowhere/app.db app.db &&
	test_must_fail runner restore --yes good.gz 2>err &&
	test_grep "database .app.db. is a symbolic link that leads nowhere" err &&
	test -L app.db
'

test_expect_success 'restore of a FIFO, a socket or a device is refused at once' '
	fresh fifo &&
	sql app.db "CREATE TABLE t (x)" && sha=$(db_sha app.db) &&
	mkfifo some.fifo &&
	test_must_fail runner restore --yes some.fifo 2>err &&
	test_grep "backup .some.fifo. is a named pipe (FIFO), not a file" err &&
	test_must_fail runner restore --yes /dev/null 2>err &&
	test_grep "backup ./dev/null. is a device, not a file" err &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_expect_success 'restore says when a backup is of another database' '
	fresh other &&
	sql app.db "CREATE TABLE t (x)" &&
	runner backup -q --output mine.gz &&
	runner restore --yes --no-backup mine.gz >out &&
	test_grep ! "another database" out &&
	runner --db other.db restore --yes mine.gz >out &&
	test_grep "^It is a backup of another database: sqlite:$(pwd -P)/app.db\.$" out
'

test_expect_success 'restore over a file that is not a database, with --no-backup' '
	fresh damaged &&
	echo "not a database at all, just some text that is long enough" >app.db &&
	runner restore --yes --no-backup ../good.gz &&
	test_equal "1 2" "$(rows app.db)"
'

test_expect_success 'SIGTERM while restore waits for the run lock stops it at once, changing nothing' '
	cd mig &&
	hold_lock app.db &&
	sha=$(db_sha app.db) &&
	{ "$RUNNER" --lock-timeout 60 restore --yes --no-backup b.gz >out 2>err & } &&
	pid=$! &&
	wait_for_line "^Checked" out &&
	wait_waiting $pid app.db &&
	kill -TERM $pid &&
	wait $pid
	rc=$?
	touch release &&
	test "$rc" = 1 &&
	test_grep "interrupted" err &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_done
