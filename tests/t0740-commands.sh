#!/bin/bash
# t0740-commands: the commands people reach for from other tools: status
# --quiet, redo, wait, version, the aliases new/up/down, --schema-file and
# load; help that explains; where global options are taken.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_story
'

test_expect_success 'status --quiet / -q prints nothing and implies --exit-code' '
	runner migrate-to 002 >out &&
	test_expect_code 1 runner status --quiet >out 2>err &&
	test_must_be_empty out &&
	test_expect_code 1 runner status -q >out &&
	test_must_be_empty out &&
	runner migrate >out &&
	runner status -q >out &&
	test_must_be_empty out
'

test_expect_success 'up, down and new are migrate, rollback and create-migration' '
	runner down --yes --no-backup >out &&
	test_grep "Rolled back 003" out &&
	runner up >out &&
	test_grep "Applied 003" out &&
	fresh aliases &&
	runner new first >out &&
	test_grep "migrations/001_first.sql" out &&
	runner help >help &&
	test_grep "migrate .*(also: up)" help &&
	test_grep "rollback .*(also: down)" help &&
	test_grep "create-migration .*(also: new)" help
'

test_expect_success 'redo rolls back the newest migration and applies its file as it is now' '
	sed -i "s/content TEXT NOT NULL/content TEXT NOT NULL, extra TEXT/" migrations/003_add_comments.sql &&
	runner redo --yes --no-backup >out &&
	test_grep "Rolled back 003: add_comments" out &&
	test_grep "Applied 003: add_comments" out &&
	test_grep "Redone 003." out &&
	sqlite3 app.db ".schema comments" | grep -q extra &&
	runner status --exit-code >out
'

test_expect_success 'redo: confirms like rollback; nothing applied; missing file; missing database' '
	test_expect_code 2 runner redo </dev/null 2>err &&
	test_grep -e "--yes" err &&
	fresh redo2 && cp -r ../migrations . &&
	sqlite3 new.db "CREATE TABLE z (x INTEGER)" &&
	runner --db new.db redo --yes >out &&
	test_grep "Nothing to redo: no migration is applied." out &&
	runner --db new.db migrate-to 001 >out &&
	mv migrations/001_initial_schema.sql gone.sql &&
	test_expect_code 1 runner --db new.db redo --yes 2>err &&
	test_grep "cannot redo migration 001: its file is missing" err &&
	test_expect_code 1 runner --db nope.db redo --yes 2>err &&
	test_grep "database .nope.db. does not exist" err &&
	test_expect_code 2 runner redo extra 2>err &&
	test_grep "^usage: runner redo" err
'

test_expect_success 'version prints the newest applied version alone; none is an error' '
	runner version >out &&
	test_equal 003 "$(cat out)" &&
	fresh ver && cp -r ../migrations . &&
	runner init >out &&
	runner rollback --yes --no-backup 0 >out &&
	test_expect_code 1 runner version >out 2>err &&
	test_must_be_empty out &&
	test_grep "no migration is applied" err &&
	test_expect_code 2 runner version extra 2>err
'

test_expect_success 'wait: an SQLite database is ready at once; --timeout checked' '
	runner wait >out &&
	runner wait --timeout 0 >out &&
	runner --wait status >out &&
	test_grep "Applied migrations: 3" out &&
	test_expect_code 2 runner wait --timeout soon 2>err &&
	test_grep "^usage: runner wait" err
'

test_expect_success '--schema-file: rewritten after migrate, rollback and redo, atomically' '
	fresh sf && cp -r ../migrations . &&
	runner --schema-file db/schema.sql migrate-to 001 2>err ||
	true &&
	mkdir db &&
	runner --schema-file db/schema.sql migrate-to 002 >out &&
	test_grep "^CREATE TABLE users" db/schema.sql &&
	test_grep "^INSERT INTO schema_migrations (version, name, checksum) VALUES" db/schema.sql &&
	test_grep "('"'"'002'"'"', '"'"'analytics_tables'"'"', '"'"'crc32:" db/schema.sql &&
	RUNNER_SCHEMA_FILE=db/schema.sql runner migrate >out &&
	test_grep "'"'"'003'"'"'" db/schema.sql &&
	echo RUNNER_SCHEMA_FILE=db/schema.sql >.env &&
	runner rollback --yes --no-backup >out &&
	test_grep ! "'"'"'003'"'"'" db/schema.sql &&
	test_grep ! comments db/schema.sql &&
	ls -a db >files &&
	test_grep ! runner-schema files &&
	runner show-schema >shown &&
	head -n $(wc -l <shown) db/schema.sql >/dev/null
'

test_expect_success 'load builds a new database from a schema file; refuses a database with anything in it' '
	cd sf &&
	runner --db copy.db load db/schema.sql >out &&
	test_grep "Loaded db/schema.sql" out &&
	runner --db copy.db status >out &&
	test_grep "Applied migrations: 2" out &&
	test_grep ! -i drift out &&
	test_equal "001 002" "$(applied copy.db | xargs)" &&
	before=$(db_sha copy.db) &&
	test_expect_code 1 runner --db copy.db load db/schema.sql 2>err &&
	test_grep "is not empty" err &&
	test_equal "$before" "$(db_sha copy.db)" &&
	echo "CREATE TABLE x (;" >bad.sql &&
	test_expect_code 1 runner --db fresh.db load bad.sql 2>err &&
	test_grep "bad.sql:1:" err &&
	test_path_is_missing fresh.db &&
	test_expect_code 2 runner load 2>err &&
	test_grep "^usage: runner load FILE" err
'

test_expect_success 'help COMMAND describes every option in a line, with its variable' '
	runner help status >out &&
	test_grep "^  --exit-code  *exit 1 if anything is pending" out &&
	test_grep "^  --quiet  *print nothing; implies --exit-code" out &&
	test_grep "^  --db URL  *the database.*\[\$DATABASE_URL\]" out &&
	test_grep "^  --table NAME  *.*\[\$RUNNER_TABLE\]" out &&
	runner help backup >out &&
	test_grep "^  --keep N  *then remove all but the newest N" out &&
	runner adopt --help >out &&
	test_grep "^  --from TOOL  *the tool whose history" out
'

test_expect_success 'unknown options before the command say so; global options only where they are not a value' '
	test_expect_code 2 runner --frob status 2>err &&
	test_grep "^runner: unknown option .--frob." err &&
	test_expect_code 2 runner status --frob 2>err &&
	test_grep "^runner: unknown option .--frob." err &&
	fresh g && mkdir migrations &&
	runner create-migration --description -q x >out &&
	test_grep "^-- -q$" migrations/001_x.sql &&
	cd .. && runner migrate -q >out &&
	test_must_be_empty out &&
	runner migrate --lock-timeout 3 --dir migrations >out &&
	test_grep "up to date" out
'

test_expect_success 'status --json: format 1, the table, reason a sentence or null' '
	runner status --json >json &&
	python3 -c "
import json
d = json.load(open(\"json\"))
assert d[\"format\"] == 1, d
assert d[\"database_exists\"] is True
assert d[\"drift\"][\"reason\"] is None
" &&
	runner status --json --no-drift >json &&
	python3 -c "
import json
d = json.load(open(\"json\"))
assert d[\"drift\"][\"reason\"] == \"skipped (--no-drift)\", d
"
'

test_done
