#!/bin/bash
# t1050-drift: status compares the database's schema, by meaning, with what
# its applied migrations produce.

. "$(dirname "$0")/lib.sh"

# json_drift FILE PYTHON-EXPR...: each expression over d (the drift object)
# and j (the whole document) must be true.
json_drift () {
	local file=$1
	shift
	python3 - "$file" "$@" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	d = j["drift"]
	bad = [e for e in sys.argv[2:] if not eval(e)]
	for e in bad:
	    print("json_drift: false: %s" % e, file=sys.stderr)
	if bad:
	    print(json.dumps(d, indent=2), file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
}

# migrated NAME: a fresh directory NAME with the story set applied.
migrated () {
	fresh "$1" &&
	setup_story &&
	runner migrate >/dev/null
}

test_expect_success 'no drift: the usual status, exit-code 0, json drift empty' '
	migrated clean &&
	runner status >out &&
	test_grep ! -i "drift" out &&
	test_grep "^Database is up to date!$" out &&
	runner status --exit-code >out &&
	runner status --json >out.json &&
	json_drift out.json "d[\"checked\"] is True" "d[\"reason\"] is None" \
		"d[\"differences\"] == []" "j[\"up_to_date\"] is True"
'

test_expect_success 'a table added outside the migrations is drift' '
	migrated added &&
	sql app.db "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)" &&
	before=$(db_sha app.db) &&
	runner status >out &&
	test_grep "^Schema drift: 1 difference from what the applied migrations produce:$" out &&
	test_grep "^  added table audit$" out &&
	test_grep ! "audit\.what" out &&
	test_grep "^All migrations are applied, but the schema has changed outside them (1 difference above)\.$" out &&
	test_expect_code 1 runner status --exit-code >out &&
	runner status --json >out.json &&
	json_drift out.json "d[\"checked\"] is True" \
		"d[\"differences\"] == [\"added table audit\"]" \
		"j[\"up_to_date\"] is False" &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'status --no-drift skips the check' '
	cd added &&
	runner status --no-drift >out &&
	test_grep ! -i "drift" out &&
	test_grep "^Database is up to date!$" out &&
	runner status --no-drift --exit-code >out &&
	runner status --no-drift --json >out.json &&
	json_drift out.json "d[\"checked\"] is False" \
		"d[\"reason\"] == \"skipped (--no-drift)\"" \
		"d[\"differences\"] == []"
'

test_expect_success 'a dropped index and a dropped trigger are drift' '
	migrated removed &&
	sql app.db "DROP INDEX idx_comments_post_id; CREATE TRIGGER trg AFTER INSERT ON users BEGIN SELECT 1; END; DROP TRIGGER trg;" &&
	sql app.db "CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN SELECT 1; END;" &&
	runner status >out &&
	test_grep "^  removed index idx_comments_post_id$" out &&
	test_grep "^  added trigger trg_users$" out &&
	sql app.db "DROP TRIGGER trg_users" &&
	runner status >out &&
	test_grep "^Schema drift: 1 difference" out
'

test_expect_success 'a changed index and a changed column are drift, by what changed' '
	migrated changed &&
	sql app.db "DROP INDEX idx_page_views_post_id;
		CREATE INDEX idx_page_views_post_id ON page_views (post_id, viewed_at);
		PRAGMA foreign_keys = OFF;
		CREATE TABLE c2 (id INTEGER PRIMARY KEY AUTOINCREMENT,
			post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
			content TEXT);
		DROP TABLE comments;
		ALTER TABLE c2 RENAME TO comments;
		CREATE INDEX idx_comments_post_id ON comments (post_id);" &&
	runner status >out &&
	test_grep "^  changed index idx_page_views_post_id: ON page_views(post_id) -> ON page_views(post_id, viewed_at)$" out &&
	test_grep "^  changed column comments.content: TEXT NOT NULL -> TEXT$" out &&
	test_grep "^Schema drift: 2 differences" out
'

test_expect_success 'a table rebuilt outside with other quoting and spacing is not drift' '
	migrated rebuilt &&
	sql app.db "PRAGMA foreign_keys = OFF;
		create table \"c2\"(  \"id\" integer primary key autoincrement,
			[post_id] integer not null references \"posts\"(\"id\") on delete cascade,
			\`content\`   TEXT NOT NULL );
		INSERT INTO c2 SELECT * FROM comments;
		DROP TABLE comments;
		ALTER TABLE c2 RENAME TO comments;
		CREATE  INDEX  \"idx_comments_post_id\"  ON  comments(post_id);" &&
	runner show-schema >schema &&
	test_grep "CREATE TABLE \"comments\"" schema &&
	runner status >out &&
	test_grep ! -i "drift" out &&
	runner status --exit-code >out
'

test_expect_success 'objects in a database with nothing applied are drift' '
	fresh unapplied &&
	setup_story &&
	sql app.db "CREATE TABLE handmade (x)" &&
	runner status >out &&
	test_grep "^  added table handmade$" out &&
	test_expect_code 1 runner status --exit-code >out
'

# forget_record: the database as an older runner left it, without a drift
# record, so that status replays the history.
forget_record () {
	sql app.db "DROP TABLE schema_migrations_drift"
}

test_expect_success 'a changed file: drift is still checked, against the record' '
	migrated changedrec &&
	echo "-- edited" >>migrations/002_analytics_tables.sql &&
	sql app.db "CREATE TABLE audit (x)" &&
	runner status >out &&
	test_grep "^  \[!\] 002: analytics_tables" out &&
	test_grep "^  added table audit$" out &&
	test_grep ! "not checked" out
'

test_expect_success 'without a record, a changed file: drift not checked, and why' '
	migrated changedfile &&
	forget_record &&
	echo "-- edited" >>migrations/002_analytics_tables.sql &&
	sql app.db "CREATE TABLE audit (x)" &&
	runner status >out &&
	test_grep "^No drift record to use (none was written yet; the next command that changes the database writes one): checking by replaying the applied migrations\.$" out &&
	test_grep "^Schema drift not checked: migration 002 changed since it was applied\.$" out &&
	test_grep ! "added table audit" out &&
	runner status --json >out.json &&
	json_drift out.json "d[\"checked\"] is False" \
		"d[\"reason\"] == \"migration 002 changed since it was applied\"" \
		"d[\"source\"] == \"replay\"" \
		"d[\"differences\"] == []"
'

test_expect_success 'without a record, a missing file: drift not checked, and why' '
	migrated missingfile &&
	forget_record &&
	rm migrations/003_add_comments.sql &&
	runner status >out &&
	test_grep "^Schema drift not checked: the file of applied migration 003 is missing\.$" out
'

test_expect_success 'a failed replay: drift not checked, with file and line' '
	migrated replay &&
	forget_record &&
	write_migration 004 needs_data "INSERT INTO users (name) VALUES (NULL);" \
		"DELETE FROM users;" &&
	sql app.db "INSERT INTO schema_migrations (version, name, checksum) VALUES (\"004\", \"needs_data\", \"$(file_checksum migrations/004_needs_data.sql)\")" &&
	runner status >out &&
	test_grep "^Schema drift not checked: replaying the applied migrations failed: migrations/004_needs_data.sql:4: NOT NULL constraint failed: users.name\.$" out
'

test_expect_success 'status with drift never changes the database' '
	migrated readonly &&
	sql app.db "CREATE TABLE audit (x)" &&
	before=$(db_sha app.db) &&
	runner status >out &&
	runner status --json >out &&
	test_expect_code 1 runner status --exit-code >out &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_path_is_missing app.db-journal
'

test_done
