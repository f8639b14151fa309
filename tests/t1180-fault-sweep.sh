#!/bin/bash
# t1180-fault-sweep: every file operation of a backup and of a restore made
# to fail in turn (tests/fault/faultfs.so), with ENOSPC or EIO. After each:
# the database is intact and holds what it held or (restore) the backup's
# contents, never a mix; a file at a final path is a whole, correct backup;
# a failure says which operation failed and what the OS said; and the next
# run cleans up any temporary file it left.
#
# Each operation's first and last call are failed (FAULT_SWEEP_CAP,
# default 2, calls of each, spread over them; 6 under TEST_SOAK=1), which
# keeps the script to seconds under the sanitizers; FAULT_SWEEP_CAP=1000
# fails every call in turn (minutes).

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-fault.sh"

if ! test_have_prereq FAULTFS || ! test_have_prereq NOT_VALGRIND
then
	test_expect_success 'fault sweep (needs faultfs.so, and not valgrind)' 'true'
	test_done
fi

OPS="open read write fsync rename link unlink ftruncate close chmod mkdir"
# At most this many calls of each operation are failed, spread over all.
CAP=$(rounds FAULT_SWEEP_CAP 2 6)

# dump DB: schema and rows as SQL text.
dump () {
	sqlite3 -batch "$1" .dump
}

# verb OP: the words a message about a failed OP uses.
verb () {
	case "$1" in
	open) echo "open\|create\|read" ;;
	read) echo "read" ;;
	# SQLite grows its -shm by writing and truncating it
	write|close) echo "write\|close\|shared memory" ;;
	fsync) echo "sync" ;;
	rename) echo "rename" ;;
	link) echo "link" ;;
	unlink) echo "remove" ;;
	ftruncate) echo "truncate\|shared memory" ;;
	chmod) echo "mode\|owner" ;;
	mkdir) echo "create" ;;
	esac
}

# reason ERRNO: strerror's text.
reason () {
	case "$1" in
	ENOSPC) echo "No space left on device" ;;
	EIO) echo "Input/output error" ;;
	esac
}

# calls LOG OP: the numbers of the calls of OP to fail: all, or CAP of them
# spread evenly.
calls () {
	local n
	n=$(grep -c "^$2 " "$1")
	if test "$n" -le "$CAP"
	then
		test "$n" = 0 || seq 1 "$n"
	elif test "$CAP" = 1
	then
		echo 1
	else
		awk -v n="$n" -v cap="$CAP" 'BEGIN { for (i = 0; i < cap; i++) print 1 + int(i * (n - 1) / (cap - 1)) }' | uniq
	fi
}

# check_message RC OP ERRNO: a failure (RC != 0) names OP and the reason.
# (When an open SQLite makes fails, it opens the file read-only instead and
# keeps the reason to itself: then "read-only" is what can be said.)
check_message () {
	test "$1" = 0 && return 0
	grep -q "$(verb "$2")" err && grep -q "$(reason "$3")" err && return 0
	test "$2" = open && grep -q "read-only" err && return 0
	echo "the message for a failed $2 ($3) does not say so:" >&2
	cat err >&2
	return 1
}

# check_backups: every default-named file is a whole backup of the database.
check_backups () {
	local f
	for f in backups/*.db.gz
	do
		test -e "$f" || continue
		gzip -t "$f" && gzip -dc "$f" >check.db &&
		dump check.db >check.dump &&
		test_cmp "$TRASH_DIRECTORY/old.dump" check.dump || {
			echo "partial or wrong backup at $f" >&2
			return 1
		}
	done
}

# no_leftovers DIR...: after the next run's sweep, no temporary file remains.
no_leftovers () {
	ls -A "$@" | grep -q '^\.runner-' || return 0
	runner -q backups >/dev/null 2>&1
	if ls -A "$@" | grep '^\.runner-'
	then
		echo "temporary files left in $*" >&2
		return 1
	fi
}

test_expect_success 'setup: a database, and a backup of it before a change' '
	sql app.db "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);" &&
	runner backup -q --output good.gz &&
	dump app.db >new.dump &&
	sql app.db "INSERT INTO t VALUES (3)" &&
	dump app.db >old.dump &&
	cp app.db pristine.db &&
	rm -f .fault-log &&
	runner backup -q &&
	# An older name, so that the new backup never shares its second and
	# every run makes the same calls.
	mkdir backups.0 &&
	mv backups/app-*.db.gz backups.0/app-20200101T000000Z.db.gz &&
	rm -rf backups && cp -a backups.0 backups &&
	with_fault none 0 EIO runner backup -q --keep 1 &&
	mv .fault-log backup.log &&
	test "$(grep -c "^write " backup.log)" -gt 0 &&
	test "$(grep -c "^link " backup.log)" -gt 0
'

test_expect_success 'every failed file operation of backup --keep: database intact, no partial backup' '
	sha=$(db_sha app.db) &&
	runs=0 &&
	for op in $OPS
	do
		for n in $(calls backup.log $op)
		do
			e=ENOSPC && test $((n % 2)) = 0 && e=EIO
			runs=$((runs + 1)) &&
			rm -rf backups && cp -a backups.0 backups &&
			with_fault $op $n $e runner backup -q --keep 1 >out 2>err
			rc=$?
			echo "$op #$n $e: exit $rc $(head -n 1 err)" &&
			test "$rc" -lt 128 && test "$rc" != 124 &&
			test_equal "$sha" "$(db_sha app.db)" &&
			check_backups &&
			check_message $rc $op $e &&
			if test $rc = 0
			then
				test_equal 1 "$(ls backups/*.db.gz | wc -l)"
			else
				test "$(ls backups/*.db.gz | wc -l)" -ge 1
			fi &&
			no_leftovers backups || return 1
		done
	done &&
	echo "# $runs runs" &&
	test "$runs" -ge 10
'

# restore_setup MODE: app.db as it was before the restore, in journal MODE;
# for wal, with its last commit only in the -wal.
restore_setup () {
	rm -f app.db app.db-journal app.db-wal app.db-shm &&
	if test "$1" = wal
	then
		python3 - <<-\EOF
		import os, sqlite3, shutil
		shutil.copy("pristine.db", "app.db")
		c = sqlite3.connect("app.db", isolation_level=None)
		c.execute("DELETE FROM t WHERE x = 3")
		c.execute("PRAGMA journal_mode=WAL")
		c.execute("PRAGMA wal_autocheckpoint=0")
		c.execute("INSERT INTO t VALUES (3)")
		os._exit(0)
		EOF
	else
		cp pristine.db app.db
	fi
}

# Rollback journal without the backup first; WAL with it (which sweeps a
# backup taken under restore's run lock too).
for variant in delete:--no-backup wal:
do
	mode=${variant%%:*} pre=${variant#*:}
	{
		test_expect_success "every failed file operation of restore $pre ($mode journal): the old database or the backup, whole" '
			restore_setup '$mode' &&
			test_equal "$(cat old.dump)" "$(dump app.db)" &&
			restore_setup '$mode' &&
			rm -rf backups .fault-log &&
			with_fault none 0 EIO runner restore --yes '"$pre"' good.gz >/dev/null &&
			mv .fault-log restore.log &&
			test_equal "$(cat new.dump)" "$(dump app.db)" &&
			runs=0 &&
			for op in $OPS
			do
				for n in $(calls restore.log $op)
				do
					e=ENOSPC && test $((n % 2)) = 0 && e=EIO
					runs=$((runs + 1)) &&
					restore_setup '$mode' && rm -rf backups &&
					with_fault $op $n $e runner restore --yes '"$pre"' good.gz >out 2>err
					rc=$?
					echo "$op #$n $e: exit $rc $(grep -v "^runner: removed" err | head -n 1)" &&
					test_equal ok "$(sql app.db "PRAGMA integrity_check")" &&
					dump app.db >now.dump &&
					case $rc in
					0|3) test_cmp new.dump now.dump ;;
					1|2) test_cmp old.dump now.dump ;;
					*) false ;;
					esac &&
					check_backups &&
					check_message $rc $op $e &&
					no_leftovers . backups || return 1
				done
			done &&
			echo "# $runs runs" &&
			test "$runs" -ge 10
		'
	}
done

test_done
