#!/bin/bash
# t0011-mysql-url: a runner built without libmariadb (make NO_MARIADB=1)
# says why a mysql:// or mariadb:// URL cannot work on every command, never
# shows the password and changes nothing. .ci/run runs the suite once on
# such a build; with the MySQL driver built in, this skips.

. "$(dirname "$0")/lib.sh"

if "$RUNNER" --version | grep -q mysql; then
	echo "1..0 # SKIP runner has the MySQL/MariaDB driver (make check NO_MARIADB=1 runs this)"
	exit 0
fi

test_expect_success '--version lists no MySQL driver' '
	runner --version >out &&
	test_grep ! "mysql" out
'

test_expect_success 'every command on a mysql:// URL says the build lacks MySQL' '
	setup_story &&
	gzip -c </dev/null >empty.gz &&
	for args in status migrate "rollback --yes" "reset --yes" show-schema verify backup backups "restore --yes empty.gz" "stamp --yes 001"
	do
		test_expect_code 1 runner --db mysql://u:secret@host/app $args >out 2>err &&
		test_grep "^runner: this build has no MySQL or MariaDB support (mysql:// and mariadb:// database URLs need runner built with libmariadb: install libmariadb-dev and run make)$" err &&
		test_grep ! secret err && test_grep ! secret out || return 1
	done &&
	test_path_is_missing backups
'

test_expect_success 'mariadb:// and a password= parameter: the same, the password hidden' '
	test_expect_code 1 runner --db "mariadb://u@host/app?password=secret" status >out 2>err &&
	test_grep "no MySQL or MariaDB support" err &&
	test_grep ! secret err &&
	DATABASE_URL="MySQL://u:secret@host/app" test_expect_code 1 runner status 2>err &&
	test_grep "no MySQL or MariaDB support" err &&
	test_grep ! secret err
'

test_done
