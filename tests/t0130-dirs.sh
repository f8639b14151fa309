#!/bin/bash
# t0130-dirs: several migrations folders (--dir A --dir B, MIGRATIONS_DIR=A:B,
# .env), each read in its own layout and merged by version.

. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a runner folder and a golang-migrate folder' '
	fresh two &&
	mkdir core extra &&
	MIGDIR=core write_migration 001 users "CREATE TABLE users (x);" "DROP TABLE users;" &&
	MIGDIR=core write_migration 003 posts "CREATE TABLE posts (x);" "DROP TABLE posts;" &&
	echo "CREATE TABLE audit (x);" >extra/002_audit.up.sql &&
	echo "DROP TABLE audit;" >extra/002_audit.down.sql
'

test_expect_success '--dir A --dir B merges them by version' '
	cd two &&
	runner --dir core --dir extra migrate >out &&
	grep "^Applied" out | cut -d" " -f2 >order &&
	test_equal "001: 002: 003:" "$(xargs <order)" &&
	runner --dir core --dir extra status --exit-code >out &&
	runner --dir core --dir extra status --json >out.json &&
	python3 - <<-\EOF
	import json, sys
	j = json.load(open("out.json"))
	assert j["migrations_dir"] == "core:extra", j["migrations_dir"]
	assert j["layouts"] == [{"dir": "core", "layout": "runner"},
	    {"dir": "extra", "layout": "golang-migrate"}], j["layouts"]
	assert [m["file"] for m in j["migrations"]] == ["core/001_users.sql",
	    "extra/002_audit.up.sql", "core/003_posts.sql"]
	EOF
'

test_expect_success 'one folder alone sees the other'"'"'s migration as missing' '
	cd two &&
	test_expect_code 1 runner --dir core status --exit-code >out &&
	test_grep "^  \[?\] 002" out
'

test_expect_success 'MIGRATIONS_DIR=A:B and .env do the same; --dir wins' '
	cd two &&
	MIGRATIONS_DIR=core:extra runner status --exit-code >out &&
	echo "MIGRATIONS_DIR=core:extra" >.env &&
	runner status --exit-code >out &&
	test_expect_code 1 runner --dir core status --exit-code >out &&
	rm .env
'

test_expect_success 'a version in two folders is an error naming both files' '
	cd two &&
	echo "SELECT 1;" >extra/003_again.up.sql &&
	before=$(db_sha app.db) &&
	for cmd in migrate status "rollback --yes"
	do
		# shellcheck disable=SC2086
		test_expect_code 1 runner --dir core --dir extra $cmd >out 2>err &&
		test_grep "^runner: migration version 003 is in two folders: .core/003_posts.sql. and .extra/003_again.up.sql.$" err ||
		return 1
	done &&
	test_equal "$before" "$(db_sha app.db)" &&
	rm extra/003_again.up.sql
'

test_expect_success 'a missing folder, an empty one in MIGRATIONS_DIR, an empty --dir' '
	cd two &&
	test_expect_code 1 runner --dir core --dir nowhere status >out 2>err &&
	test_grep "^runner: cannot open migrations directory .nowhere.: No such file or directory$" err &&
	MIGRATIONS_DIR=core: test_expect_code 2 runner status >out 2>err &&
	test_grep "^runner: MIGRATIONS_DIR .core:. names an empty folder" err &&
	MIGRATIONS_DIR=::core test_expect_code 2 runner status >out 2>err &&
	test_expect_code 2 runner --dir core --dir "" status >out 2>err &&
	test_grep "^runner: --dir must not be empty$" err
'

test_expect_success 'rollback and reset across folders; init runs every folder'"'"'s seeds' '
	cd two &&
	runner --dir core --dir extra rollback --yes 001 >out &&
	test_equal "001" "$(applied)" &&
	runner --dir core --dir extra reset --yes >out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	mkdir core/seeds extra/seeds &&
	echo "INSERT INTO users VALUES (1);" >core/seeds/1.sql &&
	echo "INSERT INTO audit VALUES (2);" >extra/seeds/1.sql &&
	rm app.db &&
	runner --dir core --dir extra init >out &&
	test_grep "^Seeded core/seeds/1.sql$" out &&
	test_grep "^Seeded extra/seeds/1.sql$" out &&
	test_equal "1 2" "$(sql app.db "SELECT (SELECT x FROM users), (SELECT x FROM audit)" | tr "|" " ")"
'

test_expect_success 'each folder is read in its own layout: a bad one is named' '
	cd two &&
	printf -- "-- migrate:up\nSELECT 1;\n" >extra/004_x.sql &&
	test_expect_code 1 runner --dir core --dir extra status >out 2>err &&
	test_grep "^runner: migrations folder .extra. mixes migration layouts" err &&
	rm extra/004_x.sql
'

test_done
