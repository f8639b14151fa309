#!/bin/bash
# t0110-layout-errors: folders runner cannot read as one layout, and the
# bad input of each layout: every command that reads the migrations fails
# with exit 1 and a message naming the files (and line), status never says
# "up to date", and the database stays byte-identical.

. "$(dirname "$0")/lib.sh"

# Every command that reads the migrations folder, '|'-separated: all go
# through the one folder reader, so most cases try a few (check_some).
all_commands="migrate|migrate-to 2|init|status|status --exit-code|status --json|rollback --yes|rollback --yes --all|reset --yes|repair --yes|stamp --yes 2|verify|lint|create-migration next"
some_commands="migrate|status --exit-code|rollback --yes"

# check_all PATTERN: each command exits 1 with PATTERN on stderr and the
# database unchanged; no file is created in the folder. (Under valgrind,
# migrate is checked on each folder, every other command once: all go
# through the one reader.)
check_all () {
	commands=$all_commands check_commands "$1"
}

check_some () {
	commands=$some_commands check_commands "$1"
}

check_commands () {
	local args before files key
	before=$(db_sha app.db) &&
	files=$(find migrations | sort) &&
	local IFS='|'
	for args in $commands
	do
		IFS=' '
		key=$args
		test "$args" = migrate && key="migrate: $1"
		# shellcheck disable=SC2086
		test_expect_code 1 runner_once "$key" $args >out 2>err &&
		test_grep -e "$1" err &&
		test_grep ! "up to date" out &&
		test_equal "$before" "$(db_sha app.db)" &&
		test_equal "$files" "$(find migrations | sort)" ||
		{ echo "failed for: runner $args" >&2; return 1; }
		IFS='|'
	done
}

# base LAYOUT: a fresh folder of two good migrations of LAYOUT, applied.
base () {
	fresh "$1-$2" &&
	mkdir migrations &&
	case $1 in
	runner)
		write_migration 1 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
		write_migration 2 b "CREATE TABLE b (x);" "DROP TABLE b;" ;;
	pairs)
		echo "CREATE TABLE a (x);" >migrations/1_a.up.sql &&
		echo "DROP TABLE a;" >migrations/1_a.down.sql &&
		echo "CREATE TABLE b (x);" >migrations/2_b.up.sql &&
		echo "DROP TABLE b;" >migrations/2_b.down.sql ;;
	diesel)
		mkdir migrations/1_a migrations/2_b &&
		echo "CREATE TABLE a (x);" >migrations/1_a/up.sql &&
		echo "CREATE TABLE b (x);" >migrations/2_b/up.sql ;;
	flyway)
		echo "CREATE TABLE a (x);" >migrations/V1__a.sql &&
		echo "CREATE TABLE b (x);" >migrations/V2__b.sql ;;
	esac &&
	runner -q migrate
}

test_expect_success 'a down file without its up' '
	base pairs down-only &&
	echo "DROP TABLE c;" >migrations/3_c.down.sql &&
	check_all "^runner: .migrations/3_c.down.sql. is a down file without its up file (.3_c.up.sql.)$"
'

test_expect_success 'two files claiming one version across layouts' '
	base runner one-version &&
	echo "CREATE TABLE c (x);" >migrations/2_b.up.sql &&
	check_some "^runner: duplicate migration version 2: .migrations/2_b.sql. and .migrations/2_b.up.sql.$" &&
	echo "CREATE TABLE c (x);" >migrations/V2__c.sql &&
	check_some "mixes migration layouts" &&
	test_grep "^runner:   NNN_name.sql files: .migrations/1_a.sql., .migrations/2_b.sql.$" err &&
	test_grep "^runner:   golang-migrate/sqlx pairs (NNN_name.up.sql, NNN_name.down.sql): .migrations/2_b.up.sql.$" err &&
	test_grep "^runner:   Flyway files (V<version>__<description>.sql): .migrations/V2__c.sql.$" err
'

test_expect_success 'a marker-less file beside marker files, and a marker file beside pairs' '
	base runner markerless &&
	echo "CREATE TABLE c (x);" >migrations/3_c.sql &&
	check_some "files without markers (sqlx.s, the whole file the up): .migrations/3_c.sql." &&
	base pairs marker-file &&
	printf -- "-- migrate:up\nCREATE TABLE c (x);\n" >migrations/3_c.sql &&
	check_some "files with markers (runner, dbmate, goose): .migrations/3_c.sql."
'

test_expect_success 'Flyway files beside pairs, diesel folders beside single files' '
	base pairs flyway-beside &&
	echo "CREATE TABLE c (x);" >migrations/V3__c.sql &&
	check_some "Flyway files (V<version>__<description>.sql): .migrations/V3__c.sql." &&
	base runner diesel-beside &&
	mkdir migrations/3_c &&
	echo "CREATE TABLE c (x);" >migrations/3_c/up.sql &&
	check_some "diesel folders (NNN_name/up.sql): .migrations/3_c."
'

test_expect_success 'a diesel folder without up.sql' '
	base diesel no-up &&
	mkdir migrations/2020-01-01-000000_c &&
	echo "DROP TABLE c;" >migrations/2020-01-01-000000_c/down.sql &&
	check_some "^runner: diesel migration folder .migrations/2020-01-01-000000_c. has no up.sql$"
'

test_expect_success 'a Flyway version that does not parse' '
	base flyway bad-version &&
	echo "SELECT 1;" >migrations/V3..1__c.sql &&
	check_some "^runner: .migrations/V3..1__c.sql.: cannot parse Flyway version .3..1. (expected digits joined by .\.. or ._., such as 1.2.3)$" &&
	rm migrations/V3..1__c.sql &&
	echo "SELECT 1;" >migrations/V3_c.sql &&
	check_some "^runner: .migrations/V3_c.sql. is not named like a Flyway migration, V<version>__<description>.sql"
'

test_expect_success 'a Flyway placeholder never given: file and line' '
	base flyway placeholder &&
	printf "SELECT 1;\nINSERT INTO a VALUES ('"'"'\${owner}'"'"');\n" >migrations/V3__c.sql &&
	check_some "^runner: migrations/V3__c.sql:2: no value for the Flyway placeholder .\${owner}.: set FLYWAY_PLACEHOLDERS_owner in the environment$" &&
	FLYWAY_PLACEHOLDERS_OWNER=alice runner migrate >out &&
	test_equal alice "$(sql app.db "SELECT x FROM a")"
'

test_expect_success 'a Flyway undo file without its V, a repeatable, a baseline, a .sql.conf' '
	base flyway undo-only &&
	echo "DROP TABLE c;" >migrations/U3__c.sql &&
	check_some "^runner: .migrations/U3__c.sql. is a Flyway undo migration without its versioned migration (V3__...)$" &&
	rm migrations/U3__c.sql &&
	echo "CREATE VIEW v AS SELECT 1;" >migrations/R__views.sql &&
	check_some "^runner: .migrations/R__views.sql. is a Flyway repeatable migration, which runner does not support: make it a versioned migration (V<next>__views.sql) or move it out of the folder$" &&
	rm migrations/R__views.sql &&
	echo "SELECT 1;" >migrations/B3__base.sql &&
	check_some "^runner: .migrations/B3__base.sql. is a Flyway baseline migration, which runner does not support" &&
	rm migrations/B3__base.sql &&
	echo "shouldExecute=false" >migrations/V2__b.sql.conf &&
	check_some "^runner: migrations/V2__b.sql.conf:1: the Flyway script setting .shouldExecute=false. is not supported"
'

test_expect_success 'an unset ENVSUB variable: file and line; set, it is substituted' '
	base runner envsub &&
	printf -- "-- +goose Up\n-- +goose ENVSUB ON\nSELECT 1;\nINSERT INTO a VALUES ('"'"'\${OWNER_T0110}'"'"');\n" >migrations/3_c.sql &&
	check_all "^runner: migrations/3_c.sql:4: ENVSUB: variable .OWNER_T0110. is not set (set it, or give a default: \${OWNER_T0110:-default})$" &&
	OWNER_T0110= runner migrate >out &&
	test_equal "" "$(sql app.db "SELECT x FROM a")"
'

test_expect_success 'numbered .js, .go, .py and .rb migrations of other tools' '
	for ext in js go py rb ts
	do
		base runner "foreign-$ext" &&
		echo "// up" >"migrations/20200101000000_create.$ext" &&
		check_some "^runner: .migrations/20200101000000_create.$ext. looks like another tool.s migration (a numbered .$ext file), which runner cannot run" ||
		return 1
	done
'

test_expect_success 'sql-migrate markers, in a marker file and in a file without markers' '
	base runner sql-migrate &&
	printf -- "-- +migrate Up\nCREATE TABLE c (x);\n-- +migrate Down\nDROP TABLE c;\n" >migrations/3_c.sql &&
	check_some "^runner: migrations/3_c.sql:1: .-- +migrate Up. is sql-migrate.s marker, and runner does not read sql-migrate.s layout" &&
	base pairs sql-migrate-pair &&
	printf -- "CREATE TABLE c (x);\n-- +migrate Down\nDROP TABLE c;\n" >migrations/3_c.up.sql &&
	check_some "^runner: migrations/3_c.up.sql:2: .-- +migrate Down. is sql-migrate.s marker"
'

test_expect_success 'a section marker in a file that is one section' '
	base pairs marker-in-pair &&
	printf -- "CREATE TABLE c (x);\n-- migrate:down\nDROP TABLE c;\n" >migrations/3_c.up.sql &&
	check_some "^runner: migrations/3_c.up.sql:2: .-- migrate:down. is a section marker, but in this layout a file is one section"
'

test_expect_success 'a .sql file that fits no layout' '
	base pairs no-layout &&
	echo "SELECT 1;" >migrations/schema.sql &&
	check_some "^runner: .migrations/schema.sql. fits no migration layout runner reads"
'

test_expect_success 'a version twice within a layout' '
	base flyway twice &&
	echo "SELECT 1;" >migrations/V2.0__again.sql &&
	check_some "^runner: duplicate migration version 2: .migrations/V2.0__again.sql. and .migrations/V2__b.sql.$" &&
	base pairs twice-pairs &&
	echo "SELECT 1;" >migrations/02_again.up.sql &&
	check_some "^runner: duplicate migration version 2: .migrations/02_again.up.sql. and .migrations/2_b.up.sql.$"
'

test_expect_success 'README, .gitkeep, hidden files, seeds/ and other folders are ignored' '
	base pairs ignored &&
	echo "# notes" >migrations/README.md &&
	: >migrations/.gitkeep &&
	echo "SELECT 1;" >migrations/.hidden.sql &&
	mkdir migrations/seeds migrations/archive migrations/empty &&
	echo "INSERT INTO a VALUES (1);" >migrations/seeds/1_x.sql &&
	echo "SELECT 1;" >migrations/archive/old.txt &&
	runner status --exit-code >out 2>err &&
	test_must_be_empty err &&
	test_grep "Database is up to date!" out
'

test_expect_success 'a long history (read in two threads): the first bad file is reported' '
	fresh long &&
	mkdir migrations &&
	for i in $(seq 100 399)
	do
		echo "CREATE TABLE t$i (x);" >migrations/${i}_t.up.sql &&
		echo "DROP TABLE t$i;" >migrations/${i}_t.down.sql || return 1
	done &&
	runner status >out &&
	test_grep "^Pending migrations: 300$" out &&
	printf -- "CREATE TABLE x;\n-- migrate:up\n" >migrations/390_t.up.sql &&
	printf -- "CREATE TABLE x;\n-- migrate:up\n" >migrations/260_t.up.sql &&
	test_expect_code 1 runner status >out 2>err &&
	test_equal "runner: migrations/260_t.up.sql:2: '"'"'-- migrate:up'"'"' is a section marker, but in this layout a file is one section (a down goes in a file of its own)" "$(cat err)" &&
	printf -- "CREATE TABLE x;\n-- migrate:up\n" >migrations/120_t.up.sql &&
	test_expect_code 1 runner lint >out 2>err &&
	test_line_count = 3 err &&
	test_grep "^runner: migrations/390_t.up.sql:2:" err &&
	test_grep "300 files; 3 files could not be read or parsed" out
'

test_expect_success 'odd folders do not crash the scanner' '
	fresh odd &&
	mkdir -p migrations/5_x/up.sql migrations/V1__a.sql.conf &&
	test_no_crash runner status >out 2>err &&
	rm -rf migrations && mkdir migrations &&
	ln -s nowhere migrations/1_a.sql &&
	test_expect_code 1 runner status >out 2>err &&
	test_grep "migrations/1_a.sql" err &&
	rm -rf migrations && mkdir migrations &&
	mkfifo migrations/1_a.up.sql &&
	test_expect_code 1 runner status >out 2>err &&
	test_grep "migrations/1_a.up.sql" err &&
	rm -rf migrations && mkdir -p migrations/1_x &&
	ln -s ../../1_x migrations/1_x/loop &&
	echo "SELECT 1;" >migrations/1_x/up.sql &&
	test_no_crash runner status >out 2>err
'

test_done
