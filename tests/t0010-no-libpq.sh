#!/bin/bash
# t0010-no-libpq: a runner built without libpq (make NO_LIBPQ=1) says why a
# postgres:// URL cannot work and changes nothing. .ci/run runs the suite
# once on such a build; with the PostgreSQL driver built in, this skips.

. "$(dirname "$0")/lib.sh"

if "$RUNNER" --version | grep -q postgresql; then
	echo "1..0 # SKIP runner has the PostgreSQL driver (make check NO_LIBPQ=1 runs this)"
	exit 0
fi

test_expect_success '--version lists only the SQLite driver' '
	runner --version >out &&
	test_grep "(drivers: sqlite [0-9.]*)$" out
'

test_expect_success 'every command on a postgres:// URL says the build lacks PostgreSQL' '
	setup_story &&
	gzip -c </dev/null >empty.gz &&
	for args in status migrate "rollback --yes" "reset --yes" show-schema verify backup backups "restore --yes empty.gz" "stamp --yes 001"
	do
		test_expect_code 1 runner --db postgres://u:secret@host/app $args >out 2>err &&
		test_grep "^runner: this build has no PostgreSQL support (postgres:// database URLs need runner built with libpq" err &&
		test_grep ! secret err || return 1
	done &&
	test_expect_code 1 runner --db postgresql:///app status 2>err &&
	test_grep "no PostgreSQL support" err &&
	test_path_is_missing backups
'

test_done
