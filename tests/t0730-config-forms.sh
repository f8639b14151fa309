#!/bin/bash
# t0730-config-forms: configuration as users of other tools have it: .env
# expansion, --env-file, sqlite:/sqlite3:/file: names with query strings,
# --url, --table and RUNNER_TABLE.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration 001 a "CREATE TABLE a (x INTEGER);" "DROP TABLE a;" &&
	write_migration 002 b "CREATE TABLE b (x INTEGER);" "DROP TABLE b;"
'

test_expect_success '.env: ${VAR} from earlier lines and the environment, ${VAR:-default}' '
	fresh env1 && cp -r ../migrations . && mkdir db &&
	cat >.env <<-\EOF &&
	APP=shop
	DATABASE_URL=sqlite:db/${APP}.sqlite3
	MIGRATIONS_DIR=${MIGS:-migrations}
	EOF
	runner migrate >out &&
	test_path_is_file db/shop.sqlite3 &&
	test_equal "001 002" "$(applied db/shop.sqlite3 | xargs)" &&
	APP=other runner status >out &&
	test_grep "Database .db/other.sqlite3. does not exist" out
'

test_expect_success '--env-file FILE instead of .env; a missing one is an error' '
	fresh env2 && cp -r ../migrations . &&
	echo "DATABASE_URL=from-dotenv.db" >.env &&
	echo "DATABASE_URL=from-file.db" >prod.env &&
	runner --env-file prod.env migrate >out &&
	test_path_is_file from-file.db &&
	test_path_is_missing from-dotenv.db &&
	test_expect_code 2 runner --env-file nope.env status 2>err &&
	test_grep "cannot read .nope.env.: No such file or directory" err
'

test_expect_success 'bad .env lines: exit 2 naming file and line, database untouched' '
	fresh env3 && cp -r ../migrations . &&
	runner migrate-to 001 >out &&
	before=$(db_sha app.db) &&
	printf "A=1\nDATABASE_URL=sqlite:\${A\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: .env:2: unterminated .\${. in the value of .DATABASE_URL." err &&
	printf "SELF=\${SELF}/x\n" >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: .env:1: .SELF. refers to itself and has no earlier value" err &&
	printf "PATH=\${PATH}:/x\n" >.env &&
	runner status >out &&
	{ echo "X=1"; printf "BIG=%0*d\n" 1048576 0; } >.env &&
	test_expect_code 2 runner migrate 2>err &&
	test_grep "^runner: .env:2: line too long (1048580 bytes; at most 65536)" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'sqlite: and sqlite3: in any case; the query string is never the file name' '
	fresh url1 && cp -r ../migrations . &&
	runner --db "SQLITE:app.db" migrate-to 001 >out &&
	test_path_is_file app.db &&
	runner --db "Sqlite3:app.db?_fk=true&cache=shared" migrate >out &&
	test_equal "001 002" "$(applied | xargs)" &&
	ls >files &&
	test_grep ! "?" files &&
	runner --db "sqlite://$PWD/app.db?mode=rw" status >out &&
	test_grep "Applied migrations: 2" out
'

test_expect_success 'mode=ro is honoured; unknown parameters are an error, nothing created' '
	fresh url2 && cp -r ../migrations . &&
	runner migrate-to 001 >out &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner --db "sqlite:app.db?mode=ro" migrate 2>err &&
	test_grep -i "readonly" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_expect_code 2 runner --db "sqlite:new.db?_x=1" migrate 2>err &&
	test_grep "unknown parameter ._x. in database URL .sqlite:new.db?_x=1." err &&
	test_expect_code 2 runner --db "sqlite:new.db?mode=memory" migrate 2>err &&
	test_grep "parameter .mode=memory." err &&
	test_expect_code 2 runner --db "sqlite:new.db?_fk=0" migrate 2>err &&
	test_grep "foreign keys are always on" err &&
	test_path_is_missing new.db
'

test_expect_success 'file: URIs work the same in every command' '
	fresh url3 && cp -r ../migrations . &&
	runner --db "file:app.db" migrate >out &&
	test_path_is_file app.db &&
	runner --db "file:app.db" status >out &&
	test_grep "Applied migrations: 2" out &&
	runner --db "file://$PWD/app.db?mode=rw" status >out &&
	test_grep "Applied migrations: 2" out &&
	runner --db "file:app.db" backup >out &&
	test_grep "backups/app-" out &&
	runner --db "file:app.db" rollback --yes --no-backup >out &&
	test_grep "Rolled back 002" out &&
	runner --db "file:app%2Edb" show-schema >out &&
	test_grep "CREATE TABLE a" out &&
	test_expect_code 2 runner --db "file://host/app.db" status 2>err &&
	test_grep "names a host" err
'

test_expect_success '--url is --db' '
	fresh url4 && cp -r ../migrations . &&
	runner --url other.db migrate >out &&
	test_equal "001 002" "$(applied other.db | xargs)" &&
	runner status --url=other.db >out &&
	test_grep "Applied migrations: 2" out
'

# Under valgrind, rollback is checked on each spelling, every other command
# once (runner_once): they open the database the same way.
test_expect_success 'a mistyped database is never silent, whatever its spelling' '
	fresh miss && cp -r ../migrations . &&
	for db in x.db sqlite:x.db SQLITE3:x.db file:x.db "sqlite:x.db?mode=rw"
	do
		for cmd in "rollback --yes" "redo --yes" backup show-schema "repair --yes" "stamp --yes 001" "adopt --yes" "verify --live" version
		do
			key=$cmd &&
			if test "$cmd" = "rollback --yes"; then key="rollback: $db"; fi &&
			test_expect_code 1 runner_once "$key" --db "$db" $cmd >out 2>err &&
			test_grep "database .x.db. does not exist" err || return 1
		done &&
		runner --db "$db" status >out &&
		head -n 1 out >first &&
		test_grep "^Database .x.db. does not exist: every migration is pending." first &&
		test_grep "\[ \] 002: b" out &&
		runner --db "$db" status --json >json &&
		python3 -c "import json,sys; d=json.load(open(\"json\")); assert d[\"format\"] == 1 and d[\"database_exists\"] is False and d[\"drift\"][\"reason\"] == \"the database '"'"'x.db'"'"' does not exist\", d" || return 1
	done &&
	test_path_is_missing x.db
'

test_expect_success '--table NAME and RUNNER_TABLE (also in .env) name the tracking table' '
	fresh tab && cp -r ../migrations . &&
	runner --table runner_log migrate-to 001 >out &&
	test_equal 001 "$(sql app.db "SELECT version FROM runner_log")" &&
	! table_exists app.db schema_migrations &&
	RUNNER_TABLE=runner_log runner migrate >out &&
	test_equal "001 002" "$(sql app.db "SELECT version FROM runner_log" | xargs)" &&
	echo RUNNER_TABLE=runner_log >.env &&
	runner status --exit-code >out &&
	runner status --json >json &&
	test_grep "\"table\": \"runner_log\"" json &&
	rm .env &&
	test_expect_code 2 runner --table "bad name" status 2>err &&
	test_grep "cannot name the tracking table" err &&
	test_expect_code 2 runner --table 1x status 2>err &&
	name48=$(printf "t%047d" 0) &&
	runner --db long.db --table "$name48" migrate >out &&
	table_exists long.db "${name48}_drift" &&
	test_expect_code 2 runner --db long.db --table "${name48}x" status 2>err &&
	test_grep "cannot name the tracking table .*at most 48)$" err
'

test_expect_success '--table names the drift record too: <table>_drift, used by status, never another tool.s' '
	fresh tabdrift && cp -r ../migrations . &&
	runner --table runner_log migrate >out &&
	table_exists app.db runner_log_drift &&
	! table_exists app.db schema_migrations_drift &&
	runner --table runner_log status --exit-code >out &&
	test_grep ! -i drift out &&
	runner --table runner_log status --json >json &&
	test_grep "\"source\": \"record\"" json &&
	sql app.db "CREATE TABLE extra (x INTEGER)" &&
	test_expect_code 1 runner --table runner_log status --exit-code >out &&
	test_grep "added table extra" out &&
	test_grep ! "table runner_log" out &&
	test_expect_code 1 runner --table runner_log verify --live >out &&
	test_grep "added table extra" out &&
	test_grep ! "table runner_log" out &&
	sql app.db "DROP TABLE extra" &&
	runner --table runner_log rollback --all --yes --no-backup >out &&
	table_exists app.db runner_log_drift &&
	runner --table runner_log status >out 2>err &&
	test_grep "Pending migrations: 2" out &&
	test_must_be_empty err &&
	test_expect_code 1 runner --table runner_log adopt --yes 2>err &&
	test_grep "no other tool.s history" err &&
	test_equal "" "$(sql app.db "SELECT version FROM runner_log")"
'

test_expect_success 'runner tables have a default for every column but version' '
	fresh dflt && cp -r ../migrations . &&
	runner migrate-to 001 >out &&
	sql app.db "INSERT INTO schema_migrations (version) VALUES ('"'"'002'"'"')" &&
	sql app.db "CREATE TABLE b (x INTEGER)" &&
	runner status --exit-code >out &&
	test_grep "\[X\] 002: b (" out
'

test_done
