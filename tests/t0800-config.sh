#!/bin/bash
# t0800-config: where the database and migrations come from: options, environment, .env, URLs.

. "$(dirname "$0")/lib.sh"

# one_migration DIR TABLE: DIR/001_make_TABLE.sql creating TABLE.
one_migration () {
	MIGDIR=$1 write_migration 001 "make_$2" "CREATE TABLE $2 (x);" "DROP TABLE $2;"
}

test_expect_success 'defaults: app.db and migrations/' '
	fresh defaults &&
	one_migration migrations t &&
	runner migrate >out &&
	table_exists app.db t
'

test_expect_success '--db PATH, --db=PATH, before and after the command' '
	fresh db-option &&
	one_migration migrations t &&
	runner --db a.db migrate >out &&
	runner --db=b.db migrate >out &&
	runner migrate --db c.db >out &&
	runner migrate --db=d.db >out &&
	for d in a b c d
	do
		table_exists $d.db t || return 1
	done &&
	test_path_is_missing app.db
'

test_expect_success '--dir DIR and --dir=DIR' '
	fresh dir-option &&
	one_migration m1 one &&
	one_migration m2 two &&
	runner --dir m1 --db a.db migrate >out &&
	runner --dir=m2 --db b.db migrate >out &&
	runner migrate --dir m2 --db c.db >out &&
	table_exists a.db one && ! table_exists a.db two &&
	table_exists b.db two && ! table_exists b.db one &&
	table_exists c.db two
'

test_expect_success 'DATABASE_URL and MIGRATIONS_DIR' '
	fresh env &&
	one_migration m1 one &&
	DATABASE_URL=env.db MIGRATIONS_DIR=m1 runner migrate >out &&
	table_exists env.db one &&
	test_path_is_missing app.db
'

test_expect_success 'options win over the environment' '
	fresh env-vs-option &&
	one_migration m1 one &&
	one_migration m2 two &&
	DATABASE_URL=env.db MIGRATIONS_DIR=m1 runner --db opt.db --dir m2 migrate >out &&
	table_exists opt.db two &&
	test_path_is_missing env.db
'

test_expect_success '.env sets DATABASE_URL and MIGRATIONS_DIR' '
	fresh dotenv &&
	one_migration m1 one &&
	cat >.env <<-\EOF &&
	# settings for the tests
	DATABASE_URL=dotenv.db

	MIGRATIONS_DIR=m1
	EOF
	runner migrate >out &&
	table_exists dotenv.db one &&
	test_path_is_missing app.db &&
	runner status >out &&
	test_grep "Database is up to date!" out
'

test_expect_success 'the environment wins over .env' '
	cd dotenv &&
	one_migration m2 two &&
	DATABASE_URL=env.db runner migrate >out &&
	table_exists env.db one &&
	MIGRATIONS_DIR=m2 runner migrate --db other.db >out &&
	table_exists other.db two
'

test_expect_success 'a commented-out line in .env is ignored' '
	fresh dotenv-comment &&
	one_migration migrations t &&
	printf "#DATABASE_URL=commented.db\n" >.env &&
	runner migrate >out &&
	test_path_is_missing commented.db &&
	table_exists app.db t
'

test_expect_success 'sqlite:PATH and sqlite:///ABS/PATH' '
	fresh urls &&
	one_migration migrations t &&
	runner --db sqlite:rel.db migrate >out &&
	table_exists rel.db t &&
	test_path_is_missing sqlite:rel.db &&
	mkdir abs &&
	runner --db "sqlite://$(pwd)/abs/abs.db" migrate >out &&
	table_exists abs/abs.db t &&
	DATABASE_URL=sqlite:envurl.db runner migrate >out &&
	table_exists envurl.db t
'

if "$RUNNER" --version | grep -q postgresql
then
	test_set_prereq PG
else
	test_set_prereq NO_PG
fi

test_expect_success NO_PG 'postgres:// is refused: not built in' '
	fresh pg &&
	one_migration migrations t &&
	test_expect_code 1 runner --db postgres://user@localhost/db migrate >out 2>err &&
	test_grep "PostgreSQL" err &&
	test_expect_code 1 runner --db postgres://user@localhost/db status >out 2>err &&
	test_grep "PostgreSQL" err &&
	test_equal "" "$(ls -A | grep -v -x -e migrations -e out -e err)"
'

test_expect_success PG 'postgres:// with no server: a clear error, no file made' '
	fresh pg &&
	one_migration migrations t &&
	test_expect_code 1 runner --db "postgresql://u:pw@/db?host=$TRASH_DIRECTORY/pg&connect_timeout=2" migrate >out 2>err &&
	test_grep "^runner: cannot connect to .postgresql://u:\*\*\*@/db" err &&
	test_grep ! "pw@" err &&
	test_equal "" "$(ls -A | grep -v -x -e migrations -e out -e err)"
'

test_expect_success 'a database in a missing directory fails cleanly' '
	fresh no-parent &&
	one_migration migrations t &&
	test_expect_code 1 runner --db no/such/dir/app.db migrate >out 2>err &&
	test_grep "^runner: " err
'

test_expect_success 'a file that is not a database fails cleanly and is not changed' '
	fresh not-db &&
	one_migration migrations t &&
	echo "this is not a database, it is plain text that goes on long enough" >app.db &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "^runner: " err &&
	test_expect_code 1 runner status >out 2>err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'a missing migrations directory' '
	fresh no-dir &&
	test_must_fail runner --dir nope migrate >out 2>err &&
	test_grep "nope" err
'

test_expect_success '-q before and after the command' '
	fresh quiet &&
	one_migration migrations t &&
	runner -q migrate >out &&
	test_grep ! "Applied" out &&
	runner rollback --yes -q >out &&
	test_grep ! "Rolled back" out &&
	test_equal "" "$(applied)"
'

test_done
