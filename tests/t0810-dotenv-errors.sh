#!/bin/bash
# t0810-dotenv-errors: a .env that cannot be read or parsed is an error
# naming it (exit 2), never silently skipped.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-fault.sh"

test_expect_success 'setup' '
	write_migration 001 t "CREATE TABLE t (x);"
'

test_expect_success 'an unreadable .env is an error, and nothing is migrated' '
	test_have_prereq NOT_ROOT || { echo "# root reads any file"; return 0; }
	echo "DATABASE_URL=real.db" >.env && chmod 000 .env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: cannot read .\.env.: Permission denied" err &&
	test_path_is_missing app.db &&
	test_path_is_missing real.db &&
	rm -f .env
'

test_expect_success FAULTFS 'a .env that fails to open (EACCES, EIO) is an error naming it' '
	echo "DATABASE_URL=real.db" >.env &&
	for e in EACCES EIO
	do
		FAULT_MATCH=/.env test_expect_code 2 with_fault open 1 $e runner migrate 2>err &&
		test_grep "^runner: cannot read .\.env.: \(Permission denied\|Input/output error\)" err &&
		test_path_is_missing app.db &&
		test_path_is_missing real.db || return 1
	done &&
	rm .env
'

test_expect_success 'a .env that is a folder, a FIFO or a socket is an error, without blocking' '
	mkdir .env &&
	test_expect_code 2 runner status 2>err &&
	test_grep "cannot read .\.env.: is a directory, not a file" err &&
	rmdir .env &&
	mkfifo .env &&
	test_expect_code 2 runner status 2>err &&
	test_grep "cannot read .\.env.: is a named pipe (FIFO), not a file" err &&
	rm .env &&
	python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\".env\")" &&
	test_expect_code 2 runner status 2>err &&
	test_grep "cannot read .\.env.: is a socket, not a file" err &&
	rm .env &&
	test_path_is_missing app.db
'

test_expect_success 'a line that cannot be parsed is an error with its line number' '
	printf "# settings\nMIGRATIONS_DIR=migrations\nDATABASE_URL\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: \.env:3: expected KEY=VALUE, found .DATABASE_URL.$" err &&
	printf "DATABASE_URL=\"real.db\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: \.env:1: the value has no closing \"" err &&
	printf "DATABASE URL=real.db\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: \.env:1: .DATABASE URL. is not a variable name" err &&
	printf "DATABASE_URL=\"real.db\" junk\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: \.env:1: unexpected .junk. after the closing quote" err &&
	test_path_is_missing app.db &&
	test_path_is_missing real.db
'

test_expect_success 'a bad .env is an error even when the options give the database, folder and backups' '
	printf "garbage\n" >.env &&
	test_expect_code 2 runner --db opt.db --dir migrations --backup-dir b migrate -q 2>err &&
	test_grep "\.env:1: expected KEY=VALUE" err &&
	test_path_is_missing opt.db &&
	DATABASE_URL=env.db MIGRATIONS_DIR=migrations BACKUP_DIR=b test_expect_code 2 runner migrate -q 2>err &&
	test_grep "\.env:1: expected KEY=VALUE" err &&
	test_path_is_missing env.db &&
	rm .env
'

test_expect_success 'a good .env still works: comments, blank lines, export, quotes' '
	cat >.env <<-\EOF &&
	# comment

	export DATABASE_URL = "dot env.db"   # where
	MIGRATIONS_DIR='"'"'migrations'"'"'
	OTHER=x#y
	EOF
	runner migrate -q &&
	table_exists "dot env.db" t &&
	rm .env
'

test_done
