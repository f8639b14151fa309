#!/bin/bash
# t0400-rollback: rollback, its range checks, stored down SQL and failures.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_story &&
	runner migrate >out &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'rollback without --yes off a terminal exits 2 and changes nothing' '
	before=$(db_sha app.db) &&
	test_expect_code 2 runner rollback >out 2>err </dev/null &&
	test_expect_code 2 runner rollback 001 >out 2>err </dev/null &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'rollback --yes undoes the newest migration' '
	runner rollback --yes >out 2>err &&
	test_grep "^Rolled back 003: add_comments (" out &&
	grep "^Rolled back" out >lines &&
	test_line_count = 1 lines &&
	test_equal "001 002" "$(applied | xargs)" &&
	! table_exists app.db comments &&
	table_exists app.db page_views &&
	test_equal "" "$(sql app.db "SELECT name FROM sqlite_master WHERE name = '"'idx_comments_post_id'"'")"
'

test_expect_success 'rollback --yes VERSION undoes everything above it, newest first' '
	runner migrate >out &&
	runner rollback --yes 001 >out &&
	grep "^Rolled back" out >lines &&
	grep -n "" lines >numbered &&
	test_grep "^1:Rolled back 003: add_comments (" numbered &&
	test_grep "^2:Rolled back 002: analytics_tables (" numbered &&
	test_line_count = 2 lines &&
	test_equal "001" "$(applied | xargs)" &&
	table_exists app.db users &&
	! table_exists app.db page_views
'

test_expect_success 'rollback VERSION --yes (flag after operand) works' '
	runner migrate >out &&
	runner rollback 002 --yes >out &&
	test_grep "^Rolled back 003: add_comments (" out &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'rollback --all undoes everything' '
	runner migrate >out &&
	runner rollback --yes --all >out &&
	grep "^Rolled back" out >lines &&
	test_line_count = 3 lines &&
	test_grep "^Rolled back 001: initial_schema (" out &&
	test_equal "" "$(applied)" &&
	runner rollback --yes --all >out &&
	test_grep "^Nothing to roll back: no migration is applied.$" out
'

test_expect_success '--all with a VERSION is a usage error' '
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_expect_code 2 runner rollback --yes --all 001 >out 2>err &&
	test_grep "^runner: --all and a VERSION (.001.) do not go together$" err &&
	test_grep "^usage: runner rollback \[--all\] \[--json\] \[--no-backup\] \[--yes\] \[VERSION\]$" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'rollback VERSION keeps VERSION, also 0000 when a migration has it' '
	fresh zero &&
	write_migration 0000 base "CREATE TABLE base (x);" "DROP TABLE base;" &&
	write_migration 0001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	runner migrate >out &&
	runner rollback --yes 0000 >out &&
	test_equal "0000" "$(applied | xargs)" &&
	runner migrate >out &&
	runner rollback --yes 0 >out &&
	test_equal "0000" "$(applied | xargs)" &&
	table_exists app.db base &&
	runner rollback --yes --all >out &&
	test_equal "" "$(applied | xargs)" &&
	! table_exists app.db base
'

test_expect_success 'rollback --yes 0 undoes everything when no migration is 0' '
	runner migrate >out &&
	runner rollback --yes 0 >out &&
	grep "^Rolled back" out >lines &&
	test_line_count = 3 lines &&
	test_grep "^Rolled back 001: initial_schema (" out &&
	test_equal "" "$(applied)" &&
	! table_exists app.db users &&
	! table_exists app.db posts &&
	runner status >out &&
	test_grep "^Pending migrations: 3\$" out
'

test_expect_success 'rollback with nothing applied exits 0' '
	before=$(db_sha app.db) &&
	runner rollback --yes >out 2>err &&
	test -s out -o -s err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'rollback with a -q prints no per-migration lines' '
	runner migrate >out &&
	runner -q rollback --yes >out &&
	test_grep ! "Rolled back" out &&
	test_equal "001 002" "$(applied | xargs)" &&
	runner migrate >out
'

test_expect_success 'a VERSION neither 0 nor applied fails and changes nothing' '
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes 999 >out 2>err &&
	test_grep "^runner: cannot roll back to 999: it is not an applied migration (use --all to roll back everything)$" err &&
	test_expect_code 1 runner rollback --yes 5 >out 2>err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'a pending VERSION is not applied: fails, changes nothing' '
	runner rollback --yes 001 >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes 003 >out 2>err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001" "$(applied | xargs)" &&
	runner migrate >out
'

test_expect_success 'an irreversible migration (no down) in range: nothing changes' '
	fresh irrev &&
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	write_migration 002 b "CREATE TABLE b (x);" &&
	write_migration 003 c "CREATE TABLE c (x);" "DROP TABLE c;" &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes 0 >out 2>err &&
	test_grep "002" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_expect_code 1 runner rollback --yes 001 >out 2>err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	table_exists app.db c
'

test_expect_success 'a reversible migration above the irreversible one still rolls back' '
	cd irrev &&
	runner rollback --yes >out &&
	test_grep "^Rolled back 003: c (" out &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'an empty down section is irreversible too' '
	fresh empty-down &&
	write_migration 001 a "CREATE TABLE a (x);" "" &&
	printf -- "-- migrate:up\nCREATE TABLE b (x);\n-- migrate:down\n-- nothing to undo\n\n" >migrations/002_b.sql &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_grep "002" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	rm migrations/002_b.sql &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'a no-op down (SELECT 1;) is reversible' '
	fresh noop-down &&
	write_migration 001 a "CREATE TABLE a (x);" "SELECT 1;" &&
	runner migrate >out &&
	runner rollback --yes >out &&
	test_equal "" "$(applied)" &&
	table_exists app.db a
'

test_expect_success 'with the file deleted, the stored down SQL is used' '
	fresh stored &&
	setup_story &&
	runner migrate >out &&
	rm migrations/003_add_comments.sql migrations/002_analytics_tables.sql &&
	runner rollback --yes 001 >out 2>err &&
	test_grep "^Rolled back 003: add_comments (" out &&
	test_grep "^Rolled back 002: analytics_tables (" out &&
	test_equal "001" "$(applied | xargs)" &&
	! table_exists app.db comments &&
	! table_exists app.db page_views &&
	runner status --exit-code >out
'

test_expect_success 'with the whole directory gone, rollback still works' '
	cd stored &&
	mv migrations gone &&
	mkdir migrations &&
	runner rollback --yes >out 2>err &&
	test_equal "" "$(applied)" &&
	! table_exists app.db users
'

test_expect_success 'stored down options (transaction:false) are used too' '
	fresh stored-notx &&
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	printf -- "-- migrate:up\nCREATE TABLE big (x);\n-- migrate:down transaction:false\nDROP TABLE big;\nVACUUM;\n" \
		>migrations/002_big.sql &&
	runner migrate >out &&
	test_equal "transaction:false" "$(sql app.db "SELECT down_options FROM schema_migrations WHERE version = '"'002'"'")" &&
	cp migrations/002_big.sql saved &&
	runner rollback --yes >out 2>err &&
	! table_exists app.db big &&
	test_equal "001" "$(applied)" &&
	cp saved migrations/002_big.sql &&
	runner migrate >out &&
	rm migrations/002_big.sql &&
	runner rollback --yes >out 2>err &&
	! table_exists app.db big &&
	test_equal "001" "$(applied)"
'

test_expect_success 'a failing down names file and line; the migration stays applied' '
	fresh down-fails &&
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	cat >migrations/002_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (x);

	-- migrate:down
	DROP TABLE b;

	DROP TABLE nope;
	EOF
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_grep "^runner: migrations/002_b.sql:7: .*no such table: nope" err &&
	test_equal "001 002" "$(applied | xargs)" &&
	table_exists app.db b &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'rolling back a range stops at a failing down' '
	cd down-fails &&
	write_migration 003 c "CREATE TABLE c (x);" "DROP TABLE c;" &&
	runner migrate >out &&
	test_expect_code 1 runner rollback --yes 0 >out 2>err &&
	test_grep "^Rolled back 003: c (" out &&
	test_grep "migrations/002_b.sql:7:" err &&
	test_equal "001 002" "$(applied | xargs)" &&
	table_exists app.db a &&
	table_exists app.db b &&
	! table_exists app.db c
'

test_expect_success 'rollback with a bad migration file changes nothing' '
	fresh bad-file &&
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	runner migrate >out &&
	printf -- "CREATE TABLE early (x);\n-- migrate:up\nSELECT 1;\n" >migrations/002_bad.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_grep "migrations/002_bad.sql:1:" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'on a terminal rollback asks: "n" changes nothing' '
	fresh tty &&
	setup_story &&
	runner migrate >out &&
	before=$(db_sha app.db) &&
	test_must_fail runner_on_tty n rollback >out &&
	test_grep "\[y/N\]\|?" out &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'on a terminal rollback asks: "y" rolls back' '
	cd tty &&
	runner_on_tty y rollback >out &&
	test_grep "Rolled back 003: add_comments (" out &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'on a terminal reset asks: "n" changes nothing, "y" resets' '
	cd tty &&
	sql app.db "INSERT INTO users (name) VALUES ('"'hand'"')" &&
	before=$(db_sha app.db) &&
	test_must_fail runner_on_tty n reset >out &&
	test_equal "$before" "$(db_sha app.db)" &&
	runner_on_tty y reset >out &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM users")" &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_done
