#!/bin/bash
# t0500-create: create-migration numbering, name cleaning, refusals and the template.

. "$(dirname "$0")/lib.sh"

# sql_files: every .sql file anywhere under the scratch directory.
sql_files () {
	(cd "$TRASH_DIRECTORY" && find . -name "*.sql" | sort)
}

test_expect_success 'the first migration in a missing directory is 001' '
	fresh first &&
	runner create-migration add_users >out 2>err &&
	test_equal "migrations/001_add_users.sql" "$(cat out)" &&
	test_path_is_file migrations/001_add_users.sql &&
	test_grep "^-- migrate:up" migrations/001_add_users.sql &&
	test_grep "^-- migrate:down" migrations/001_add_users.sql
'

test_expect_success 'the next one is 002' '
	cd first &&
	runner create-migration add_posts >out &&
	test_equal "migrations/002_add_posts.sql" "$(cat out)" &&
	test_path_is_file migrations/002_add_posts.sql
'

test_expect_success 'the first migration in an empty directory is 001' '
	fresh empty &&
	mkdir migrations &&
	runner create-migration x >out &&
	test_equal "migrations/001_x.sql" "$(cat out)"
'

test_expect_success 'the README example: --description after the name' '
	fresh readme &&
	setup_story &&
	runner create-migration add_user_settings --description "Add user settings table" >out &&
	test_equal "migrations/004_add_user_settings.sql" "$(cat out)" &&
	test_grep "Add user settings table" migrations/004_add_user_settings.sql &&
	test_grep "^-- migrate:up" migrations/004_add_user_settings.sql &&
	test_grep "^-- migrate:down" migrations/004_add_user_settings.sql
'

test_expect_success '--description before the name' '
	cd readme &&
	runner create-migration --description "Tags for posts" add_tags >out &&
	test_equal "migrations/005_add_tags.sql" "$(cat out)" &&
	test_grep "Tags for posts" migrations/005_add_tags.sql
'

test_expect_success 'the width of the widest existing version is kept' '
	fresh wide &&
	write_migration 0042 x "CREATE TABLE x (a);" &&
	runner create-migration next >out &&
	test_equal "migrations/0043_next.sql" "$(cat out)"
'

test_expect_success 'at least 3 digits' '
	fresh narrow &&
	write_migration 9 x "CREATE TABLE x (a);" &&
	runner create-migration next >out &&
	test_equal "migrations/010_next.sql" "$(cat out)"
'

test_expect_success 'timestamp versions take the current UTC time' '
	fresh stamp &&
	write_migration 20200101000000 x "CREATE TABLE x (a);" &&
	before=$(date -u +%Y%m%d%H%M%S) &&
	runner create-migration next >out &&
	after=$(date -u +%Y%m%d%H%M%S) &&
	v=$(sed -n "s|^migrations/\([0-9]*\)_next.sql$|\1|p" out) &&
	test ${#v} -eq 14 &&
	test "$v" -ge "$before" && test "$v" -le "$after"
'

test_expect_success 'a timestamp version in the future counts on by one' '
	fresh stamp_future &&
	write_migration 29991231235900 x "CREATE TABLE x (a);" &&
	runner create-migration next >out &&
	test_equal "migrations/29991231235901_next.sql" "$(cat out)"
'

test_expect_success 'the name is lowercased and cleaned' '
	fresh clean &&
	runner create-migration "Add User-Settings!" >out &&
	test_equal "migrations/001_add_user_settings.sql" "$(cat out)" &&
	test_path_is_file migrations/001_add_user_settings.sql &&
	runner create-migration "AddTags" >out &&
	test_equal "migrations/002_addtags.sql" "$(cat out)" &&
	runner create-migration "two  spaces" >out &&
	test_equal "migrations/003_two_spaces.sql" "$(cat out)"
'

test_expect_success 'a name empty after cleaning is refused' '
	fresh bang &&
	test_must_fail runner create-migration "!!!" >out 2>err &&
	test_grep "^runner: \|^usage: runner" err &&
	test_path_is_missing migrations/001_.sql &&
	test_equal "" "$(ls migrations 2>/dev/null)"
'

test_expect_success 'an empty name is refused' '
	fresh empty-name &&
	test_must_fail runner create-migration "" >out 2>err &&
	test_equal "" "$(ls migrations 2>/dev/null)"
'

test_expect_success 'a name with / is refused and nothing is written' '
	fresh slash &&
	mkdir migrations &&
	before=$(sql_files) &&
	test_must_fail runner create-migration a/b >out 2>err &&
	test_grep "^runner: \|^usage: runner" err &&
	test_must_fail runner create-migration ../x >out 2>err &&
	test_must_fail runner create-migration /tmp/x >out 2>err &&
	test_equal "$before" "$(sql_files)" &&
	test_equal "" "$(ls migrations)" &&
	test_path_is_missing ../x.sql &&
	test_path_is_missing ../001_x.sql
'

test_expect_success '--dir is honoured, and the printed path uses it' '
	fresh other-dir &&
	runner --dir db/migrations create-migration first >out &&
	test_equal "db/migrations/001_first.sql" "$(cat out)" &&
	test_path_is_file db/migrations/001_first.sql &&
	MIGRATIONS_DIR=env-dir runner create-migration first >out &&
	test_equal "env-dir/001_first.sql" "$(cat out)"
'

test_expect_success 'an unedited template blocks no command: status notes it, migrate records it with a warning' '
	fresh template &&
	write_migration 001 base "CREATE TABLE base (x);" "DROP TABLE base;" &&
	runner create-migration todo >out &&
	runner status >out 2>err &&
	test_grep "^  \[ \] 002: todo (empty: no SQL to run)\$" out &&
	test_must_be_empty err &&
	runner status --json >out.json &&
	python3 -c "import json,sys; j=json.load(open(\"out.json\")); sys.exit(0 if [m[\"empty\"] for m in j[\"migrations\"]] == [False, True] else 1)" &&
	runner lint >out 2>err &&
	test_grep "^migrations/002_todo.sql:[0-9]*: warning: the up section is empty" out &&
	runner verify >out 2>err &&
	runner migrate >out 2>err &&
	test_grep "^Applied 002: todo (" out &&
	test_grep "^runner: warning: migrations/002_todo.sql: the up section is empty: recording the migration as applied without running anything\$" err &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_equal "$(file_checksum migrations/002_todo.sql)" "$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'002'"'")" &&
	runner status --exit-code >out &&
	test_grep "^  \[X\] 002: todo (.*) (empty: no SQL to run)\$" out &&
	test_expect_code 1 runner rollback --yes >out 2>err &&
	test_grep "002.*irreversible" err
'

test_expect_success 'a filled-in template applies and rolls back' '
	fresh template2 &&
	runner create-migration todo >out &&
	f=migrations/001_todo.sql &&
	awk "{ print } /^-- migrate:up/ { print \"CREATE TABLE todo (x);\" } /^-- migrate:down/ { print \"DROP TABLE todo;\" }" \
		$f >tmp && mv tmp $f &&
	runner migrate >out &&
	table_exists app.db todo &&
	runner rollback --yes >out &&
	! table_exists app.db todo
'

test_expect_success 'create-migration does not touch the database' '
	fresh no-db &&
	runner create-migration x >out &&
	test_path_is_missing app.db
'

test_expect_success 'existing files are not overwritten' '
	fresh keep &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	cp migrations/001_a.sql saved &&
	runner create-migration a >out &&
	test_equal "migrations/002_a.sql" "$(cat out)" &&
	test_cmp saved migrations/001_a.sql
'

test_done
