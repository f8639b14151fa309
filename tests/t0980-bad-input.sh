#!/bin/bash
# t0980-bad-input: the error paths every command shares, for each command
# in turn: exit code, a message naming what is wrong, and the database
# byte-identical afterwards (or still absent).

. "$(dirname "$0")/lib.sh"

# Every command that opens the database, with arguments, '|'-separated.
writers="migrate|migrate-to 002|rollback --yes|reset --yes|init|stamp --yes 002|repair --yes"
readers="status|status --json|status --exit-code|show-schema"

# each LIST CMD...: run "CMD ARGS" for each entry ARGS of LIST, stopping at the
# first failure, which it names.
each () {
	local list=$1 args
	shift
	local IFS='|'
	for args in $list
	do
		IFS=' '
		# shellcheck disable=SC2086
		"$@" $args || { echo "failed for: $args" >&2; return 1; }
		IFS='|'
	done
}

# fails_with CODE PATTERN ARGS...: runner ARGS exits CODE, prints PATTERN on
# stderr, and leaves app.db as $before says.
fails_with () {
	local code=$1 pattern=$2
	shift 2
	test_expect_code "$code" runner "$@" >out 2>err &&
	test_grep -e "$pattern" err &&
	test_equal "$before" "$(db_sha app.db 2>/dev/null)"
}

test_expect_success 'a file that is not a database: every command names it' '
	fresh notadb &&
	setup_story &&
	echo "this is not a database, it is plain text that goes on long enough" >app.db &&
	before=$(db_sha app.db) &&
	each "$writers|$readers" fails_with 1 "database .app.db.: file is not a database"
'

test_expect_success 'a missing migrations directory: every command names it' '
	fresh nodir &&
	setup_story &&
	runner -q migrate-to 001 &&
	mv migrations elsewhere &&
	before=$(db_sha app.db) &&
	each "$writers|status|status --json|lint" fails_with 1 "cannot open migrations directory .migrations.: No such file"
'

test_expect_success 'a database in a missing directory: every command names it' '
	fresh noparent &&
	setup_story &&
	each "migrate|migrate-to 002|reset --yes|init" fails_with 1 "cannot open database .no/such/app.db." --db no/such/app.db &&
	each "rollback --yes|repair --yes|stamp --yes 002|show-schema" fails_with 1 "database .no/such/app.db. does not exist" --db no/such/app.db &&
	test_path_is_missing no
'

test_expect_success 'the write lock held by another process: each writer gives up, nothing changed' '
	fresh locked &&
	setup_story &&
	runner -q migrate-to 001 &&
	before=$(db_sha app.db) &&
	hold_write_lock app.db || return 1
	each "${writers%|repair --yes}" fails_with 1 "database .app.db. is locked by another process" --lock-timeout 0
	rc=$?
	# repair has something to do only with an edited file
	echo "-- edited" >>migrations/001_initial_schema.sql
	fails_with 1 "database .app.db. is locked by another process" --lock-timeout 0 repair --yes || rc=1
	each "$readers" test_no_crash runner >/dev/null 2>&1 || rc=1
	release_lock || rc=1
	test $rc = 0 &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'a bad --lock-timeout is a usage error before anything is opened' '
	fresh badtimeout &&
	setup_story &&
	test_expect_code 2 runner --lock-timeout abc migrate >out 2>err &&
	test_grep "lock-timeout" err &&
	test_expect_code 2 runner --lock-timeout -1 migrate >out 2>err &&
	test_grep "lock-timeout" err &&
	test_path_is_missing app.db
'

test_done
