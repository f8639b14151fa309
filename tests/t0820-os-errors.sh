#!/bin/bash
# t0820-os-errors: what the OS said, for the database file and the files
# beside it; no blocking opens; a failed init leaves no file behind; a
# tracking table of the wrong kind or shape said in one sentence.

. "$(dirname "$0")/lib.sh"

# Rows a slow migration inserts, so that it is seen holding the run lock;
# under valgrind, some 30 times slower, far fewer do.
SLOW_ROWS=3000000
test -n "$RUNNER_VALGRIND" && SLOW_ROWS=100000
. "$TEST_DIRECTORY/lib-fault.sh"

# unprivileged CMD...: CMD as a user file modes apply to (nobody when root).
unprivileged () {
	if test "$(id -u)" = 0
	then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else
		"$@"
	fi
}

# A folder the unprivileged user can reach by its full path (SQLite opens
# files by theirs), with the migrations: the scratch directory may lie
# under a folder only root may enter, such as /root.
PUBLIC=$(mktemp -d "${TMPDIR:-/tmp}/runner-t0820.XXXXXX") || exit 1
chmod 0755 "$PUBLIC"
trap 'chmod -R u+w "$PUBLIC" 2>/dev/null; rm -rf "$PUBLIC"' EXIT

test_expect_success 'setup' '
	write_migration 001 t "CREATE TABLE t (x);" "DROP TABLE t;" &&
	chmod -R a+rX migrations &&
	cp -pr migrations "$PUBLIC/"
'

test_expect_success 'a database path that is a folder says so, for every command' '
	mkdir d.db &&
	for cmd in status migrate "rollback --yes" show-schema backup "stamp --yes 001"
	do
		test_must_fail runner --db d.db $cmd 2>err &&
		test_grep "database .d\.db. is a directory, not a file" err || return 1
	done
'

test_expect_success 'a database path that is a FIFO or a socket says so and never blocks' '
	mkfifo f.db &&
	test_must_fail runner --db f.db migrate 2>err &&
	test_grep "database .f\.db. is a named pipe (FIFO), not a file" err &&
	test_must_fail runner --db f.db status 2>err &&
	test_grep "named pipe" err &&
	python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"s.db\")" &&
	test_must_fail runner --db s.db migrate 2>err &&
	test_grep "database .s\.db. is a socket, not a file" err
'

test_expect_success 'a database folder that does not exist gives the OS reason' '
	test_must_fail runner --db no/such/app.db migrate 2>err &&
	test_grep "cannot open database .no/such/app.db.: No such file or directory" err
'

test_expect_success 'a database that can only be read: the reason, not pinned to a migration line' '
	(
		cd "$PUBLIC" &&
		sql ro.db "CREATE TABLE keep (x)" && chmod 0444 ro.db &&
		test_must_fail unprivileged "$RUNNER" --db ro.db migrate
	) 2>err &&
	test_grep "^runner: cannot write database .ro\.db.: it could only be opened read-only: Permission denied" err &&
	test_grep ! "001_t.sql:" err &&
	test_grep ! "Sanitizer" err
'

test_expect_success 'a read-only folder: the folder and the reason, not a migration line' '
	(
		cd "$PUBLIC" &&
		mkdir rodir && sql rodir/app.db "CREATE TABLE keep (x)" &&
		chmod 0666 rodir/app.db && chmod 0555 rodir &&
		test_must_fail unprivileged "$RUNNER" --db rodir/app.db migrate
	) 2>err &&
	test_grep "^runner: cannot write database .rodir/app\.db.: its folder .rodir. is not writable (Permission denied)" err &&
	test_grep ! "001_t.sql:" err &&
	test_grep ! "Sanitizer" err &&
	chmod 0755 "$PUBLIC/rodir"
'

test_expect_success FAULTFS 'a failed write or sync of the database names the operation and the OS reason' '
	for op in write fsync
	do
		rm -f io.db* &&
		sql io.db "CREATE TABLE keep (x)" &&
		FAULT_MATCH=/io.db test_must_fail with_fault $op 1 EIO runner --db io.db migrate 2>err &&
		test_grep "cannot \(write\|sync\) database .io\.db.*: Input/output error" err &&
		test_grep ! "001_t.sql:[0-9]" err &&
		test_equal ok "$(sql io.db "PRAGMA integrity_check")" || return 1
	done
'

test_expect_success FAULTFS 'a full disk while migrating: the reason, the database unchanged' '
	rm -f io.db* && sql io.db "CREATE TABLE keep (x)" && sha=$(db_sha io.db) &&
	FAULT_MATCH=/io.db test_must_fail with_fault write 2 ENOSPC runner --db io.db migrate 2>err &&
	test_grep "No space left on device\|database or disk is full" err &&
	test_equal ok "$(sql io.db "PRAGMA integrity_check")" &&
	test_equal "" "$(sql io.db "SELECT name FROM sqlite_master WHERE name = '"'"'t'"'"'")"
'

test_expect_success 'a view named schema_migrations says so in one sentence' '
	sql v.db "CREATE VIEW schema_migrations AS SELECT 1 AS version" &&
	for cmd in status migrate
	do
		test_must_fail runner --db v.db $cmd 2>err &&
		test_line_count = 1 err &&
		test_grep "^runner: .schema_migrations. in database .v\.db. is a view, not a table: rename or drop it$" err || return 1
	done &&
	test_equal "" "$(sql v.db "SELECT name FROM sqlite_master WHERE name = '"'"'t'"'"'")"
'

test_expect_success 'a schema_migrations of another shape says so in one sentence' '
	sql w.db "CREATE TABLE schema_migrations (a, b)" &&
	test_must_fail runner --db w.db migrate 2>err &&
	test_line_count = 1 err &&
	test_grep "^runner: table .schema_migrations. is not runner.s tracking table: its columns are (a, b), neither runner.s nor " err &&
	test_equal "a b" "$(sql w.db "SELECT name FROM pragma_table_info('"'"'schema_migrations'"'"')" | xargs)"
'

test_expect_success 'a seed with a NUL byte: init fails and leaves no database file' '
	fresh seednul &&
	write_migration 001 t "CREATE TABLE t (x);" &&
	mkdir migrations/seeds &&
	printf "INSERT INTO t VALUES (1);\0\n" >migrations/seeds/01.sql &&
	test_must_fail runner init 2>err &&
	test_grep "01.sql:1: NUL byte" err &&
	test_grep "nothing was changed" err &&
	test_path_is_missing app.db &&
	test_path_is_missing app.db-journal
'

test_expect_success 'a failing migration during init leaves no database file' '
	fresh initfail &&
	write_migration 001 t "CREATE TABLE t (x);" &&
	write_migration 002 bad "INSERT INTO nosuch VALUES (1);" &&
	test_must_fail runner init 2>err &&
	test_grep "002_bad.sql:4: no such table: nosuch" err &&
	test_path_is_missing app.db
'

test_expect_success 'init keeps a database file it did not make, and one with committed work' '
	fresh initkeep &&
	write_migration 001 t "CREATE TABLE t (x);" &&
	write_migration 002 bad "INSERT INTO nosuch VALUES (1);" &&
	: >app.db &&
	test_must_fail runner init 2>err &&
	test_path_is_file app.db &&
	rm app.db &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE t (x);\n" >migrations/001_t.sql &&
	test_must_fail runner init 2>err &&
	test_path_is_file app.db &&
	test_equal 001 "$(applied app.db)"
'

# init_has_lock: app.db exists and someone holds its run lock.
init_has_lock () {
	{ test -f app.db && ! flock -n app.db true; } 2>/dev/null
}

test_expect_success 'a runner waiting for a failing init goes on with a new database' '
	fresh initrace &&
	mkdir slow good &&
	printf -- "-- migrate:up\nCREATE TABLE s (x);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $SLOW_ROWS) INSERT INTO s SELECT i FROM c;\nINSERT INTO nosuch VALUES (1);\n" >slow/001_slow.sql &&
	write_migration 001 t "CREATE TABLE t (x);" &&
	{ runner --dir slow init >init.out 2>init.err & } &&
	pid=$! &&
	wait_until init_has_lock &&
	runner --lock-timeout 300 migrate >out 2>err &&
	wait $pid
	test_grep "nosuch" init.err &&
	test_grep "Applied 001: t" out &&
	test_equal 001 "$(applied app.db)" &&
	table_exists app.db t
'

test_done
