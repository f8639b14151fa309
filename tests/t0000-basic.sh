#!/bin/bash
# t0000-basic: help, version, usage errors and exit codes of every command.

. "$(dirname "$0")/lib.sh"

# usage_error NAME ARGS...: "runner ARGS" must exit 2 and print "usage: runner NAME".
usage_error () {
	local name=$1
	shift
	test_expect_code 2 runner "$@" >out 2>err &&
	test_grep "^usage: runner $name" err &&
	test_must_be_empty out
}

test_expect_success 'setup' '
	setup_story &&
	runner migrate-to 002 >out
'

test_expect_success '--help, help, help COMMAND and COMMAND --help print usage' '
	runner --help >out && test_grep "usage:" out &&
	runner help >out && test_grep "usage:" out &&
	runner help migrate >out && test_grep "^usage: runner migrate" out &&
	runner migrate --help >out && test_grep "^usage: runner migrate" out &&
	runner help rollback >out && test_grep "^usage: runner rollback" out
'

test_expect_success 'COMMAND --help does not run the command' '
	before=$(db_sha app.db) &&
	runner migrate --help >out &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002" "$(applied | xargs)" &&
	runner rollback --help >out &&
	test_equal "001 002" "$(applied | xargs)" &&
	runner reset --help >out &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'help lists every command' '
	runner help >out &&
	for c in status migrate migrate-to rollback create-migration init reset repair stamp lint show-schema help
	do
		test_grep -e "\\b$c\\b" out || return 1
	done
'

test_expect_success '--version prints the name and a version' '
	runner --version >out &&
	test_line_count = 1 out &&
	test_grep "^runner [^ ]" out
'

test_expect_success 'no command at all is a usage error' '
	test_expect_code 2 runner >out 2>err &&
	test_grep "^usage: runner" err
'

test_expect_success 'unknown command exits 2' '
	test_expect_code 2 runner nosuchcmd >out 2>err &&
	test_grep "nosuchcmd" err &&
	test_grep "^usage: runner" err
'

test_expect_success 'commands are looked up by exact name, not prefix' '
	before=$(db_sha app.db) &&
	test_expect_code 2 runner migr 2>err &&
	test_expect_code 2 runner stat 2>err &&
	test_expect_code 2 runner MIGRATE 2>err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'unknown global option exits 2' '
	test_expect_code 2 runner --bogus status >out 2>err &&
	test_grep "^usage: runner" err
'

test_expect_success 'a global option without its value exits 2' '
	test_expect_code 2 runner status --db >out 2>err &&
	test_expect_code 2 runner --dir >out 2>err &&
	test_expect_code 2 runner status --lock-timeout >out 2>err
'

test_expect_success 'a bad --lock-timeout value is refused' '
	before=$(db_sha app.db) &&
	test_must_fail runner --lock-timeout abc migrate >out 2>err &&
	test_grep "^runner: \|^usage: runner" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'errors are prefixed with "runner: "' '
	test_must_fail runner migrate-to 999 2>err &&
	test_grep "^runner: " err
'

# Each subcommand: no arguments, the normal case, one extra argument and an
# unknown flag; the last two print the usage line.

test_expect_success 'status: no arguments, extra argument, unknown flag' '
	runner status >out &&
	test_grep "=== Migration Status ===" out &&
	usage_error status status extra &&
	usage_error status status --bogus
'

test_expect_success 'migrate: extra argument, unknown flag (DB unchanged)' '
	before=$(db_sha app.db) &&
	usage_error migrate migrate extra &&
	usage_error migrate migrate --bogus &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'migrate-to: no argument, extra argument, unknown flag' '
	before=$(db_sha app.db) &&
	usage_error migrate-to migrate-to &&
	usage_error migrate-to migrate-to 003 004 &&
	usage_error migrate-to migrate-to --bogus 003 &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'rollback: no --yes off a terminal, extra argument, unknown flag' '
	before=$(db_sha app.db) &&
	test_expect_code 2 runner rollback >out 2>err </dev/null &&
	test_grep -e "--yes" err &&
	usage_error rollback rollback --yes 001 002 &&
	usage_error rollback rollback --yes --bogus &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'create-migration: no name, extra argument, unknown flag' '
	mkdir cm && cd cm &&
	usage_error create-migration create-migration &&
	usage_error create-migration create-migration one two &&
	usage_error create-migration create-migration --bogus one &&
	test_path_is_missing migrations
'

test_expect_success 'init: extra argument, unknown flag' '
	mkdir in && cd in &&
	setup_story &&
	usage_error init init extra &&
	usage_error init init --bogus &&
	test_path_is_missing app.db
'

test_expect_success 'reset: no --yes off a terminal, extra argument, unknown flag' '
	before=$(db_sha app.db) &&
	test_expect_code 2 runner reset >out 2>err </dev/null &&
	test_grep -e "--yes" err &&
	usage_error reset reset --yes extra &&
	usage_error reset reset --yes --bogus &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'repair: normal case, extra argument, unknown flag' '
	before=$(db_sha app.db) &&
	runner repair --yes >out 2>err &&
	test_equal "$before" "$(db_sha app.db)" &&
	usage_error repair repair --yes extra &&
	usage_error repair repair --yes --bogus
'

test_expect_success 'show-schema: normal case, extra argument, unknown flag' '
	runner show-schema >out &&
	test_grep "CREATE TABLE" out &&
	usage_error show-schema show-schema extra &&
	usage_error show-schema show-schema --bogus
'

test_expect_success 'help: extra argument, unknown command, unknown flag' '
	usage_error help help migrate extra &&
	test_expect_code 2 runner help nosuchcmd >out 2>err &&
	usage_error help help --bogus
'

test_expect_success 'global options are accepted after the command' '
	runner status --db app.db --lock-timeout 5 >out &&
	test_grep "Applied migrations: 2" out &&
	runner status --dir migrations >out &&
	test_grep "Pending migrations: 1" out
'

test_expect_success 'README synopses match "runner help" and "runner help COMMAND"' '
	sed -n "s/^| \`\\([a-z][a-z-]*\\)\\([^\`]*\\)\` |.*/\\1\\2/p" "$SOURCE_DIRECTORY/README.md" >synopses &&
	test_line_count -ge 9 synopses &&
	: >mismatches &&
	while read -r line
	do
		name=${line%% *} &&
		runner help "$name" >out &&
		if ! grep -q -F -x "usage: runner $line" out
		then
			echo "README:  runner $line" >>mismatches &&
			echo "binary:  $(grep "^usage:" out)" >>mismatches
		fi || return 1
	done <synopses &&
	global=$(sed -n "s/^\(runner \[--[a-z-]* .*\)/\1/p" "$SOURCE_DIRECTORY/README.md" | head -n 1) &&
	test -n "$global" &&
	runner help >out &&
	if ! grep -q -F "usage: $global" out
	then
		echo "README:  $global" >>mismatches &&
		echo "binary:  $(grep "^usage:" out)" >>mismatches
	fi &&
	if test -s mismatches
	then
		cat mismatches >&2 &&
		false
	fi
'

test_expect_success 'help COMMAND describes each option of its usage line in one line' '
	runner help >out &&
	sed -n "/^commands:/,/^\$/s/^  \([a-z][a-z-]*\) .*/\1/p" out >commands &&
	test_line_count -ge 20 commands &&
	: >missing &&
	while read -r name
	do
		runner help "$name" >out &&
		for flag in $(sed -n "s/^usage: runner [a-z-]*//p" out |
			grep -o -e "\[-[-a-z]*" | tr -d "[")
		do
			n=$(sed -n "/^options:/,/^\$/p" out |
				grep -c -e "^  $flag  *[^ ]") &&
			test "$n" = 1 || echo "$name $flag" >>missing
		done || return 1
	done <commands &&
	runner help >out &&
	for flag in $(sed -n "s/^usage: runner //p" out |
		grep -o -e "\[-[-a-z]*" | tr -d "[")
	do
		n=$(sed -n "/^global options/,/^\$/p" out |
			grep -c -e "^  $flag  *[^ ]") &&
		test "$n" = 1 || echo "global $flag" >>missing
	done &&
	test_must_be_empty missing
'

test_expect_success 'help names the short and long forms the parser also takes' '
	runner help rollback >out &&
	test_grep -e "^  --yes .*(also -y)" out &&
	runner help status >out &&
	test_grep -e "^  --quiet .*(also -q)" out &&
	test_grep -e "^  -q .*(also --quiet)" out &&
	test_grep -e "^  -h .*(also --help)" out &&
	test_grep -e "^  -V .*(also --version)" out
'

test_done
