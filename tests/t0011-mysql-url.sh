#!/bin/bash
# t0011-mysql-url: mysql:// and mariadb:// URLs, while runner has no driver
# for them, get one clear message on every command, never show the
# password and change nothing. Skips once the MySQL driver is built in.

. "$(dirname "$0")/lib.sh"

if "$RUNNER" --version | grep -q mysql; then
	echo "1..0 # SKIP runner has the MySQL/MariaDB driver"
	exit 0
fi

test_expect_success 'every command on a mysql:// URL says MySQL is not supported yet' '
	setup_story &&
	gzip -c </dev/null >empty.gz &&
	for args in status migrate "rollback --yes" "reset --yes" show-schema verify backup backups "restore --yes empty.gz" "stamp --yes 001"
	do
		test_expect_code 1 runner --db mysql://u:secret@host/app $args >out 2>err &&
		test_grep "^runner: MySQL and MariaDB are not supported yet: this runner recognises mysql:// and mariadb:// database URLs but has no driver to open them$" err &&
		test_grep ! secret err && test_grep ! secret out || return 1
	done &&
	test_path_is_missing backups
'

test_expect_success 'mariadb:// and a password= parameter: the same, the password hidden' '
	test_expect_code 1 runner --db "mariadb://u@host/app?password=secret" status >out 2>err &&
	test_grep "MySQL and MariaDB are not supported yet" err &&
	test_grep ! secret err &&
	DATABASE_URL="MySQL://u:secret@host/app" test_expect_code 1 runner status 2>err &&
	test_grep "MySQL and MariaDB are not supported yet" err &&
	test_grep ! secret err
'

test_done
