#!/bin/bash
# t0200-status: the status layout, --exit-code and --json.

. "$(dirname "$0")/lib.sh"

# mask_times: replace the "(YYYY-MM-DD HH:MM:SS)" of applied lines by "(TIME)".
mask_times () {
	sed -e 's/ ([0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9])/ (TIME)/'
}

# json_check FILE PYTHON-EXPR...: FILE is one JSON object j; each expression
# must be true.
json_check () {
	local file=$1
	shift
	python3 - "$file" "$@" <<-\EOF
	import json, sys
	with open(sys.argv[1]) as f:
	    j = json.load(f)
	m = {x["version"]: x for x in j["migrations"]}
	ok = True
	for expr in sys.argv[2:]:
	    if not eval(expr):
	        print("json_check: false: %s" % expr, file=sys.stderr)
	        ok = False
	if not ok:
	    print(json.dumps(j, indent=2), file=sys.stderr)
	sys.exit(0 if ok else 1)
	EOF
}

test_expect_success 'setup' '
	setup_story
'

test_expect_success 'status on a missing database: all pending, file not created' '
	cat >expect <<-\EOF &&
	=== Migration Status ===
	Applied migrations: 0
	Pending migrations: 3

	Pending migrations:
	  [ ] 001: initial_schema
	  [ ] 002: analytics_tables
	  [ ] 003: add_comments

	3 pending migrations: run '"'runner migrate'"' to apply them.
	EOF
	runner status >actual &&
	echo "Database '"'"'app.db'"'"' does not exist: every migration is pending." >first &&
	cat first expect >expect.app &&
	test_cmp expect.app actual &&
	test_path_is_missing app.db &&
	runner --db other.db status >actual &&
	sed 1d actual >rest &&
	test_cmp expect rest &&
	test_grep "^Database .other.db. does not exist" actual &&
	test_path_is_missing other.db
'

test_expect_success 'status --exit-code and --json on a missing database' '
	test_expect_code 1 runner status --exit-code >out &&
	test_path_is_missing app.db &&
	runner status --json >out.json &&
	test_path_is_missing app.db &&
	python3 -m json.tool out.json >/dev/null &&
	json_check out.json "j[\"applied\"] == 0" "j[\"pending\"] == 3" \
		"j[\"up_to_date\"] is False" \
		"[x[\"state\"] for x in j[\"migrations\"]] == [\"pending\"] * 3"
'

test_expect_success 'layout with one pending migration' '
	runner migrate-to 002 >out &&
	cat >expect <<-\EOF &&
	=== Migration Status ===
	Applied migrations: 2
	Pending migrations: 1

	Applied migrations:
	  [X] 002: analytics_tables (TIME)
	  [X] 001: initial_schema (TIME)

	Pending migrations:
	  [ ] 003: add_comments

	1 pending migration: run '"'runner migrate'"' to apply it.
	EOF
	runner status >raw &&
	mask_times <raw >actual &&
	test_cmp expect actual
'

test_expect_success 'the time shown is the applied_at of the row' '
	runner status >raw &&
	at=$(sql app.db "SELECT substr(applied_at, 1, 19) FROM schema_migrations WHERE version = '"'001'"'") &&
	test_grep "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\$" <(echo "$at") &&
	test_grep -F "  [X] 001: initial_schema ($at)" raw
'

test_expect_success 'status does not change the database' '
	before=$(db_sha app.db) &&
	runner status >out &&
	runner status --json >out &&
	test_expect_code 1 runner status --exit-code >out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success '--exit-code is 1 while something is pending' '
	test_expect_code 1 runner status --exit-code >out &&
	test_grep "1 pending migration" out
'

test_expect_success 'layout when up to date' '
	runner migrate >out &&
	cat >expect <<-\EOF &&
	=== Migration Status ===
	Applied migrations: 3
	Pending migrations: 0

	Applied migrations:
	  [X] 003: add_comments (TIME)
	  [X] 002: analytics_tables (TIME)
	  [X] 001: initial_schema (TIME)

	Database is up to date!
	EOF
	runner status >raw &&
	mask_times <raw >actual &&
	test_cmp expect actual &&
	runner status --exit-code >out
'

test_expect_success '--json when up to date' '
	runner status --json >out.json &&
	python3 -m json.tool out.json >/dev/null &&
	c1=$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'") &&
	json_check out.json "j[\"applied\"] == 3" "j[\"pending\"] == 0" \
		"j[\"up_to_date\"] is True" \
		"sorted(m) == [\"001\", \"002\", \"003\"]" \
		"all(x[\"state\"] == \"applied\" for x in j[\"migrations\"])" \
		"m[\"002\"][\"name\"] == \"analytics_tables\"" \
		"m[\"001\"][\"checksum\"] == \"$c1\"" \
		"all(isinstance(x[\"applied_at\"], str) and len(x[\"applied_at\"]) >= 19 for x in j[\"migrations\"])"
'

test_expect_success 'two pending migrations' '
	write_migration 004 four "CREATE TABLE four (x);" &&
	write_migration 005 five "CREATE TABLE five (x);" &&
	runner status >out &&
	test_grep "^Pending migrations: 2\$" out &&
	test_grep "^  \[ \] 004: four\$" out &&
	test_grep "^  \[ \] 005: five\$" out &&
	test "$(tail -n 1 out)" = "2 pending migrations: run '"'runner migrate'"' to apply them." &&
	runner status --json >out.json &&
	json_check out.json "j[\"pending\"] == 2" "m[\"004\"][\"state\"] == \"pending\"" \
		"j[\"up_to_date\"] is False" &&
	runner migrate >out
'

test_expect_success 'a changed file is shown with both checksums' '
	cp migrations/002_analytics_tables.sql saved-002 &&
	echo "-- an edit" >>migrations/002_analytics_tables.sql &&
	old=$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'002'"'") &&
	new=$(file_checksum migrations/002_analytics_tables.sql) &&
	test "$old" != "$new" &&
	runner status >out &&
	test_grep "^  \[!\] 002: analytics_tables" out &&
	test_grep "^  \[!\] 002: .*$old" out &&
	test_grep "^  \[!\] 002: .*$new" out &&
	test_grep "^  \[X\] 001: initial_schema" out &&
	test_grep ! "Database is up to date" out &&
	test_expect_code 1 runner status --exit-code >out &&
	runner status --json >out.json &&
	json_check out.json "m[\"002\"][\"state\"] == \"changed\"" \
		"m[\"001\"][\"state\"] == \"applied\"" "j[\"up_to_date\"] is False" &&
	cp saved-002 migrations/002_analytics_tables.sql &&
	runner status --exit-code >out
'

test_expect_success 'a missing file is shown as [?]' '
	mv migrations/003_add_comments.sql saved-003 &&
	runner status >out &&
	test_grep "^  \[?\] 003: add_comments.*file is missing" out &&
	test_grep ! "Database is up to date" out &&
	test_expect_code 1 runner status --exit-code >out &&
	runner status --json >out.json &&
	json_check out.json "m[\"003\"][\"state\"] == \"missing\"" \
		"m[\"003\"][\"name\"] == \"add_comments\"" "j[\"up_to_date\"] is False" &&
	mv saved-003 migrations/003_add_comments.sql &&
	runner status --exit-code >out
'

test_expect_success 'a failed transaction:false migration is shown as [F]' '
	printf -- "-- migrate:up transaction:false\nCREATE TABLE half (x);\nINSERT INTO nope VALUES (1);\n" \
		>migrations/006_half.sql &&
	test_expect_code 1 runner migrate >out 2>err &&
	runner status >out &&
	test_grep "^  \[F\] 006: half" out &&
	test_grep ! "Database is up to date" out &&
	test_expect_code 1 runner status --exit-code >out &&
	runner status --json >out.json &&
	json_check out.json "m[\"006\"][\"state\"] == \"failed\"" "j[\"up_to_date\"] is False"
'

test_expect_success 'status with no migrations and no database' '
	fresh empty &&
	mkdir migrations &&
	runner status >out &&
	test "$(tail -n 1 out)" = "Database is up to date!" &&
	test_grep "^Applied migrations: 0\$" out &&
	test_grep "^Pending migrations: 0\$" out &&
	runner status --exit-code >out &&
	runner status --json >out.json &&
	json_check out.json "j[\"applied\"] == 0" "j[\"pending\"] == 0" \
		"j[\"up_to_date\"] is True" "j[\"migrations\"] == []" &&
	test_path_is_missing app.db
'

test_expect_success 'the [F] line names the file and line that failed' '
	runner status >out &&
	test_grep "^  \[F\] 006: half (.*migrations/006_half.sql:3:.*no such table: nope" out
'

test_expect_success 'status --json escapes quotes and backslashes' '
	fresh json-escape &&
	dir="m\"q\\d" &&
	mkdir "$dir" &&
	cat >"$dir/001_weird.sql" <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE "we""ird" (x);
	SELECT * FROM "no\pe";
	EOF
	test_expect_code 1 runner --dir "$dir" migrate >out 2>err &&
	test_grep -F "no\\pe" err &&
	runner --dir "$dir" status --json >out.json &&
	python3 -m json.tool out.json >/dev/null &&
	json_check out.json "m[\"001\"][\"state\"] == \"failed\"" \
		"\"no\\\\pe\" in json.dumps(j) or \"no\\\\\\\\pe\" in json.dumps(j)"
'

test_done
