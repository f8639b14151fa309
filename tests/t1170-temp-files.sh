#!/bin/bash
# t1170-temp-files: temporary files carry their process's PID; a killed
# run leaves at most one, and the next run in that folder removes it and
# says so, never one of a live process, a locked one or another user's.

. "$(dirname "$0")/lib.sh"

# dead_pid: the PID of a process that has exited.
dead_pid () {
	local pid
	sh -c 'echo $$' >.pid && pid=$(cat .pid) && rm .pid &&
	! kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ROWS=300000
test -n "$RUNNER_VALGRIND" && ROWS=20000

test_expect_success 'setup: a database large enough to kill a backup of' '
	sql app.db "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < '"$ROWS"')
		INSERT INTO t (s) SELECT hex(randomblob(40)) FROM c" &&
	mkdir -m 700 backups
'

# has_temp_file: backup has made its temporary file.
has_temp_file () {
	ls backups/.runner-backup-* >/dev/null 2>&1
}

test_expect_success 'kill -9 while compressing leaves one temporary file, named with its PID; backups removes it' '
	"$RUNNER" backup >out 2>err &
	pid=$! &&
	wait_until has_temp_file &&
	kill -9 $pid &&
	{ wait $pid; test $? = 137; } &&
	ls -A backups >left &&
	test_line_count = 1 left &&
	test_grep "^\.runner-backup-$pid-......\$" left &&
	runner backups >list 2>err &&
	test_grep "^runner: removed .backups/\.runner-backup-$pid-.*., a temporary file left by process $pid, which is gone" err &&
	test_equal 0 "$(ls -A backups | wc -l)" &&
	test_grep "No backups" list
'

test_expect_success 'backup removes what a dead run left in its folder, and says so' '
	p=$(dead_pid) &&
	echo partial >backups/.runner-snapshot-$p-AbCdEf &&
	runner backup >out 2>err &&
	test_grep "^runner: removed .backups/\.runner-snapshot-$p-AbCdEf. (8 bytes)" err &&
	test_path_is_missing backups/.runner-snapshot-$p-AbCdEf &&
	ls backups/*.db.gz
'

test_expect_success 'a live process'"'"'s file, a locked one, and another user'"'"'s are left alone' '
	echo x >backups/.runner-backup-$$-LiveOK &&
	p=$(dead_pid) &&
	echo x >backups/.runner-backup-$p-Locked &&
	rm -f locked release &&
	{ flock backups/.runner-backup-$p-Locked bash -c "touch locked; while ! test -f release; do read -t 0.01 <>\"$TICK_FIFO\"; done" & } &&
	wait_for locked &&
	runner backups >list 2>err &&
	touch release &&
	test_path_is_file backups/.runner-backup-$$-LiveOK &&
	test_path_is_file backups/.runner-backup-$p-Locked &&
	test_grep ! "removed" err &&
	if test "$(id -u)" = 0
	then
		q=$(dead_pid) &&
		echo x >backups/.runner-backup-$q-Theirs &&
		chown nobody backups/.runner-backup-$q-Theirs &&
		runner backups >list 2>err &&
		test_path_is_file backups/.runner-backup-$q-Theirs &&
		rm backups/.runner-backup-$q-Theirs
	fi &&
	rm backups/.runner-backup-*
'

test_expect_success 'an older runner'"'"'s temporary file (no PID) is reported, not removed' '
	echo x >backups/.runner-backup-Qw3rTy &&
	runner backups >list 2>err &&
	test_grep "backups/\.runner-backup-Qw3rTy. looks like a temporary file of an older runner (2 bytes): remove it if no runner is running" err &&
	test_path_is_file backups/.runner-backup-Qw3rTy &&
	runner -q backups >list 2>err &&
	test_must_be_empty err &&
	rm backups/.runner-backup-Qw3rTy
'

test_expect_success 'restore removes what a dead restore left next to the database' '
	runner backup -q --output b.gz &&
	p=$(dead_pid) &&
	echo partial >.runner-restore-$p-ZzZzZz &&
	runner restore --yes --no-backup b.gz >out 2>err &&
	test_grep "^runner: removed .\./\.runner-restore-$p-ZzZzZz. (8 bytes)" err &&
	test_path_is_missing .runner-restore-$p-ZzZzZz &&
	test_equal 0 "$(ls -A | grep -c "^\.runner-")"
'

test_done
