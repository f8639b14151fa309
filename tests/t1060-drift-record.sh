#!/bin/bash
# t1060-drift-record: the drift record. Commands that change the schema
# record what it should be; status compares with the record instead of
# replaying the history, stays right across every way runner changes the
# schema, never records drift as expected, and replays (saying so) where
# no record can be used.

. "$(dirname "$0")/lib.sh"

# source: where status --json says its drift check came from.
source_of () {
	runner status --json >out.json &&
	python3 -c 'import json; d = json.load(open("out.json"))["drift"]; print(d["source"], d["checked"], len(d["differences"]))'
}

# header: the record's header, as stored.
header () {
	sql app.db "SELECT header FROM schema_migrations_drift"
}

migrated () {
	fresh "$1" &&
	setup_story &&
	runner migrate >/dev/null
}

test_expect_success 'migrate records the schema; status checks against it' '
	migrated basic &&
	header >h &&
	test_grep "^runner drift record 1$" h &&
	test_grep "^checksum crc32:[0-9a-f]\{8\}$" h &&
	test_equal "record True 0" "$(source_of)" &&
	runner status >out &&
	test_grep "^Database is up to date!$" out &&
	test_grep ! -i "drift" out
'

test_expect_success 'the record needs no migration file: drift is checked without them' '
	cd basic &&
	mv migrations files &&
	mkdir migrations &&
	sql app.db "CREATE TABLE audit (x)" &&
	runner status >out &&
	test_grep "^  \[?\] 003: add_comments" out &&
	test_grep "^  added table audit$" out &&
	rmdir migrations &&
	mv files migrations &&
	sql app.db "DROP TABLE audit"
'

test_expect_success 'drift made before a migrate is not recorded as expected' '
	migrated before &&
	sql app.db "CREATE TABLE audit (x); DROP INDEX idx_comments_post_id;" &&
	write_migration 004 tags "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);" "DROP TABLE tags;" &&
	runner migrate >out 2>err &&
	test_grep "^Applied 004" out &&
	runner status >out &&
	test_grep "^  added table audit$" out &&
	test_grep "^  removed index idx_comments_post_id$" out &&
	test_grep "^Schema drift: 2 differences" out &&
	runner rollback --yes --no-backup >out &&
	rm migrations/004_tags.sql &&
	runner status >out &&
	test_grep "^Schema drift: 2 differences" out &&
	sql app.db "DROP TABLE audit; CREATE INDEX idx_comments_post_id ON comments (post_id);" &&
	runner status --exit-code >out &&
	test_equal "record True 0" "$(source_of)"
'

test_expect_success 'a down that does not undo its up: what runner did is not drift' '
	migrated asym &&
	write_migration 004 leaky "CREATE TABLE leaky (x); CREATE TABLE leaky2 (x);" "DROP TABLE leaky;" &&
	runner migrate >/dev/null &&
	runner rollback --yes --no-backup >/dev/null &&
	rm migrations/004_leaky.sql &&
	runner status --exit-code >out 2>&1 || {
		cat out
		false
	} &&
	test_equal "1" "$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name = '"'leaky2'"'")"
'

test_expect_success 'migrate-to and --single-transaction record too' '
	fresh modes &&
	setup_story &&
	runner migrate-to 002 >/dev/null &&
	test_equal "record True 0" "$(source_of)" &&
	runner migrate --single-transaction >/dev/null &&
	test_equal "record True 0" "$(source_of)" &&
	header >h &&
	test_grep "^rows 3:" h
'

test_expect_success 'reset and init record the schema they make' '
	migrated resetdb &&
	sql app.db "CREATE TABLE audit (x)" &&
	runner reset --yes --no-backup >/dev/null &&
	runner status --exit-code >out &&
	test_equal "record True 0" "$(source_of)" &&
	fresh initdb &&
	setup_story &&
	runner init >/dev/null &&
	test_equal "record True 0" "$(source_of)"
'

test_expect_success 'init on a database with objects already: they stay drift' '
	fresh initdrift &&
	setup_story &&
	sql app.db "CREATE TABLE handmade (x)" &&
	runner init >/dev/null &&
	runner status >out &&
	test_grep "^  added table handmade$" out &&
	test_equal "record True 1" "$(source_of)"
'

test_expect_success 'stamp records what the migrations make, not what was built by hand' '
	fresh stamped &&
	setup_story &&
	sql app.db "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT);
		CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL);" &&
	runner stamp --yes 001 >/dev/null &&
	runner status >out &&
	test_grep "^  added column users.email$" out &&
	test_equal "record True 1" "$(source_of)" &&
	runner migrate >/dev/null &&
	runner status >out &&
	test_grep "^Schema drift: 1 difference" out &&
	test_grep "^  added column users.email$" out
'

test_expect_success 'repair of an edited file keeps the record of what ran' '
	migrated repaired &&
	echo "-- a reviewed comment" >>migrations/003_add_comments.sql &&
	runner repair --yes >out &&
	test_grep "^Repaired 003" out &&
	runner status --exit-code >out &&
	test_equal "record True 0" "$(source_of)"
'

test_expect_success 'a transaction:false section failing part-way: the record is of before it' '
	migrated notx &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE half (x);\nINSERT INTO nosuch VALUES (1);\n-- migrate:down\nDROP TABLE half;\n" >migrations/004_half.sql &&
	test_expect_code 1 runner migrate >out 2>err &&
	runner status >out &&
	test_grep "^  \[F\] 004: half" out &&
	test_grep "^  added table half$" out &&
	test_equal "record True 1" "$(source_of)" &&
	runner repair --yes >/dev/null &&
	runner status >out &&
	test_grep "^  added table half$" out &&
	sql app.db "DROP TABLE half" &&
	runner status >out &&
	test_grep ! "Schema drift" out
'

test_expect_success 'a database without a record (an older runner): replayed, and it says so' '
	migrated older &&
	sql app.db "DROP TABLE schema_migrations_drift" &&
	sql app.db "CREATE TABLE audit (x)" &&
	runner status >out &&
	test_grep "^No drift record to use (none was written yet; the next command that changes the database writes one): checking by replaying the applied migrations\.$" out &&
	test_grep "^  added table audit$" out &&
	test_equal "replay True 1" "$(source_of)" &&
	write_migration 004 tags "CREATE TABLE tags (x);" "DROP TABLE tags;" &&
	runner migrate >/dev/null &&
	test_equal "record True 1" "$(source_of)" &&
	runner status >out &&
	test_grep "^  added table audit$" out &&
	test_grep ! "No drift record" out
'

test_expect_success 'a damaged record is reported, not trusted, and replaced' '
	migrated damaged &&
	sql app.db "CREATE TABLE audit (x)" &&
	sql app.db "UPDATE schema_migrations_drift SET header = replace(header, '"'fingerprint '"', '"'fingerprint 9'"')" &&
	runner status >out &&
	test_grep "^No drift record to use (the drift record is damaged: its checksum does not match): checking by replaying the applied migrations\.$" out &&
	test_grep "^  added table audit$" out &&
	write_migration 004 tags "CREATE TABLE tags (x);" "DROP TABLE tags;" &&
	runner migrate >out 2>err &&
	test_grep "^runner: warning: .*app.db: the drift record is damaged: its checksum does not match: it will be replaced$" err &&
	test_equal "record True 1" "$(source_of)"
'

test_expect_success 'hand-edited objects are detected by their digest' '
	migrated edited &&
	sql app.db "CREATE TABLE audit (x)" &&
	sql app.db "UPDATE schema_migrations_drift SET objects = objects || '"'table\taudit\tCREATE TABLE audit (x)\n'"'" &&
	runner status >out &&
	test_grep "the drift record is damaged" out &&
	test_grep "^  added table audit$" out
'

test_expect_success 'a record of other rows (an interrupted run) is not used' '
	migrated stale &&
	sql app.db "DELETE FROM schema_migrations WHERE version = '"'003'"'" &&
	runner status >out &&
	test_grep "^No drift record to use (the drift record is of other migrations than the applied ones: a run was interrupted, or another tool changed schema_migrations)" out &&
	test_grep "^  added table comments$" out
'

# has_005: migration 005 is recorded in app.db.
has_005 () {
	test "$(sql app.db "SELECT count(*) FROM schema_migrations WHERE version = '005'" 2>/dev/null)" = 1
}

# A migration that keeps a statement running, holding no lock, long enough
# for another connection to change the schema in the middle of the run.
test_expect_success NOT_VALGRIND 'a change made by hand during a migrate is not recorded as expected' '
	migrated during &&
	write_migration 004 quick "CREATE TABLE quick (x);" "DROP TABLE quick;" &&
	printf -- "-- migrate:up transaction:false\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c;\n-- migrate:down\nSELECT 1;\n" >migrations/005_slow.sql &&
	{ runner migrate >out 2>err & } &&
	pid=$! &&
	{ wait_until has_005 || :; } &&
	sqlite3 -cmd ".timeout 20000" app.db "CREATE TABLE by_hand (x)" &&
	wait $pid &&
	runner status >out &&
	test_grep "^  added table by_hand$" out
'

test_expect_success 'status with a record never changes the database' '
	migrated ro &&
	sql app.db "CREATE TABLE audit (x)" &&
	before=$(db_sha app.db) &&
	runner status >out &&
	runner status --json >out &&
	test_expect_code 1 runner status --exit-code >out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success '--ignore-column-order: a table rebuilt with its columns moved' '
	migrated order &&
	sql app.db "PRAGMA foreign_keys = OFF;
		CREATE TABLE c2 (id INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT NOT NULL,
			post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE);
		DROP TABLE comments;
		ALTER TABLE c2 RENAME TO comments;
		CREATE INDEX idx_comments_post_id ON comments (post_id);" &&
	test_expect_code 1 runner status --exit-code >out &&
	test_grep "^  changed column order comments: id, post_id, content -> id, content, post_id$" out &&
	runner status --exit-code --ignore-column-order >out &&
	test_grep ! "column order" out
'

test_done
