#!/bin/bash
# t0960-stamp-repair: adopting an existing database with stamp, and what
# repair changes, prints and refuses.

. "$(dirname "$0")/lib.sh"

# state VERSION: the state column of VERSION's row.
state () {
	sql app.db "SELECT state FROM schema_migrations WHERE version = '$1'"
}

test_expect_success 'setup: a database built by hand, with data' '
	fresh adopt &&
	setup_story &&
	sql app.db "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL);
CREATE TABLE page_views (id INTEGER PRIMARY KEY AUTOINCREMENT, post_id INTEGER REFERENCES posts (id), viewed_at TEXT);
CREATE INDEX idx_page_views_post_id ON page_views (post_id);
INSERT INTO users (name) VALUES ('"'ada'"');"
'

test_expect_success 'stamp off a terminal without --yes changes nothing' '
	cd adopt &&
	before=$(db_sha app.db) &&
	test_expect_code 2 runner stamp 002 >out 2>err &&
	test_grep "stamp.*--yes" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp on a terminal: the question lists them; "n" changes nothing' '
	cd adopt &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner_on_tty n stamp 002 >out &&
	test_grep "Record 2 migrations on .app.db. as applied without running them (001 initial_schema, 002 analytics_tables)" out &&
	test_grep "stamp cancelled; nothing was changed" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp --yes VERSION records each migration up to VERSION, runs none' '
	cd adopt &&
	runner stamp --yes 002 >out 2>err &&
	cat >expect <<-\EOF &&
	Stamped 001: initial_schema
	Stamped 002: analytics_tables
	2 migrations recorded as applied; '"'runner migrate'"' applies the rest.
	EOF
	test_cmp expect out &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_equal ada "$(sql app.db "SELECT name FROM users")" &&
	test_equal "$(file_checksum migrations/001_initial_schema.sql)" \
		"$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'")" &&
	test_equal "$(file_checksum migrations/002_analytics_tables.sql)" \
		"$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'002'"'")" &&
	test_equal "applied applied" "$(state 001) $(state 002)" &&
	test_equal "" "$(sql app.db "SELECT duration_ms FROM schema_migrations WHERE version = '"'001'"'")" &&
	test_grep "DROP TABLE IF EXISTS users" \
		"$(sql app.db "SELECT down_sql FROM schema_migrations WHERE version = '"'001'"'" >down; echo down)"
'

test_expect_success 'after stamp, status and migrate see them as applied' '
	cd adopt &&
	runner status >out &&
	test_grep "^  \[X\] 002: analytics_tables" out &&
	test_grep "^  \[ \] 003: add_comments" out &&
	runner migrate >out &&
	test_grep "^Applied 003: add_comments" out &&
	test_line_count = 2 out &&
	runner status --exit-code >out
'

test_expect_success 'stamped migrations roll back with their stored down' '
	cd adopt &&
	mv migrations/001_initial_schema.sql saved &&
	runner rollback --yes 0 >out &&
	test_grep "Rolled back 001: initial_schema" out &&
	! table_exists app.db users &&
	! table_exists app.db page_views &&
	mv saved migrations/001_initial_schema.sql
'

test_expect_success 'stamp: nothing to stamp changes nothing, exit 0' '
	cd adopt &&
	runner -q migrate-to 002 &&
	before=$(db_sha app.db) &&
	runner stamp --yes 2 >out &&
	test_grep "Nothing to stamp: every migration up to 2 is already applied" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp fills a gap below applied migrations' '
	fresh gap &&
	setup_story &&
	mv migrations/002_analytics_tables.sql saved &&
	runner -q migrate &&
	mv saved migrations/002_analytics_tables.sql &&
	runner stamp -y 002 >out &&
	test_grep "^Stamped 002: analytics_tables" out &&
	test_line_count = 2 out &&
	# 002 was recorded, not run: its tables are missing, which is drift
	test_expect_code 1 runner status --exit-code >out &&
	test_grep "removed table page_views" out &&
	runner status --exit-code --no-drift >out &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'stamp on a database with a Story Hub tracking table adds the columns' '
	fresh storyhub &&
	setup_story &&
	sql app.db "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT UNIQUE NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, checksum TEXT);
INSERT INTO schema_migrations (version, name) VALUES ('"'001'"', '"'InitialSchemaMigration'"');" &&
	runner stamp --yes 003 >out &&
	test_grep "^Stamped 002: analytics_tables" out &&
	test_grep "^Stamped 003: add_comments" out &&
	test_grep ! "Stamped 001" out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal applied "$(state 003)"
'

# Errors: exit code, the message names what is wrong, the database is
# byte-identical afterwards.

test_expect_success 'stamp on a missing database fails and creates nothing' '
	fresh missing &&
	setup_story &&
	test_expect_code 1 runner stamp --yes 001 >out 2>err &&
	test_grep "database .app.db. does not exist" err &&
	test_path_is_missing app.db
'

test_expect_success 'stamp VERSION that no file has' '
	cd adopt &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner stamp --yes 005 >out 2>err &&
	test_grep "^runner: no migration file has version 005" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp of a database without a tracking table leaves it untouched on error' '
	fresh notable &&
	setup_story &&
	sql app.db "CREATE TABLE keep (x)" &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner stamp --yes 004 >out 2>err &&
	test_grep "no migration file has version 004" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp refuses a changed migration up to VERSION, pointing at repair' '
	fresh changed &&
	setup_story &&
	runner -q migrate-to 001 &&
	echo "-- edited" >>migrations/001_initial_schema.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner stamp --yes 002 >out 2>err &&
	test_grep "migration 001 (.migrations/001_initial_schema.sql.) has changed" err &&
	test_grep "runner repair" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp refuses a failed migration up to VERSION, pointing at repair' '
	fresh failed &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE h (x);\nINSERT INTO nope VALUES (1);\n" >migrations/002_half.sql &&
	write_migration 003 c "CREATE TABLE c (x);" &&
	test_expect_code 1 runner migrate 2>/dev/null &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner stamp --yes 003 >out 2>err &&
	test_grep "migration 002 (half) is recorded as failed" err &&
	test_grep "runner repair" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp with a bad migration file names it and changes nothing' '
	cd adopt &&
	printf -- "CREATE TABLE z (x);\n-- migrate:up\nSELECT 1;\n" >migrations/004_bad.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner stamp --yes 004 >out 2>err &&
	test_grep "migrations/004_bad.sql:1: SQL before the first marker" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	rm migrations/004_bad.sql
'

test_expect_success 'stamp: no argument, a non-version, extra argument, unknown flag' '
	cd adopt &&
	before=$(db_sha app.db) &&
	test_expect_code 2 runner stamp >out 2>err &&
	test_grep "^usage: runner stamp \[--yes\] VERSION" err &&
	test_expect_code 2 runner stamp --yes abc >out 2>err &&
	test_grep "abc. is not a version" err &&
	test_grep "^usage: runner stamp" err &&
	test_expect_code 2 runner stamp --yes 001 002 >out 2>err &&
	test_grep "unexpected argument .002." err &&
	test_expect_code 2 runner stamp --bogus 001 >out 2>err &&
	test_grep "unknown option .--bogus." err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'stamp while another process holds the lock waits, then fails cleanly' '
	cd adopt &&
	runner -q rollback --yes 0 &&
	before=$(db_sha app.db) &&
	hold_write_lock app.db || return 1
	start=$(now_ms)
	test_expect_code 1 runner --lock-timeout 1 stamp --yes 001 >out 2>err
	rc=$?
	elapsed=$(($(now_ms) - start))
	release_lock || rc=1
	test $rc = 0 &&
	test "$elapsed" -ge 1000 &&
	test_grep -i "lock" err &&
	test_equal "$before" "$(db_sha app.db)"
'

# repair

test_expect_success 'repair: nothing to repair, exit 0, database unchanged' '
	fresh repair &&
	setup_story &&
	runner -q migrate &&
	before=$(db_sha app.db) &&
	runner repair --yes >out &&
	test_equal "Nothing to repair." "$(cat out)" &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'repair on a terminal lists each record it would change; "n" keeps them' '
	cd repair &&
	echo "-- edited" >>migrations/001_initial_schema.sql &&
	echo "-- edited" >>migrations/003_add_comments.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner_on_tty n repair >out &&
	test_grep "Repair the records of 2 migrations on .app.db. (001 initial_schema: changed, 003 add_comments: changed)" out &&
	test_grep "cancelled" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'repair prints each change, one line each, and status is clean' '
	cd repair &&
	old1=$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'") &&
	old3=$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'003'"'") &&
	runner repair --yes >out &&
	cat >expect <<-EOF &&
	Repaired 001: checksum $old1 -> $(file_checksum migrations/001_initial_schema.sql)
	Repaired 003: checksum $old3 -> $(file_checksum migrations/003_add_comments.sql)
	EOF
	test_cmp expect out &&
	runner status --exit-code >/dev/null
'

test_expect_success 'repair: a failed rollback whose file was also edited is fixed in one go' '
	fresh downedit &&
	mkdir migrations &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE b (x);" "-- migrate:down transaction:false" "DROP TABLE nosuch;" >migrations/001_b.sql &&
	runner -q migrate &&
	test_expect_code 1 runner rollback --yes 2>err &&
	test_equal rollback_failed "$(state 001)" &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE b (x);" "-- migrate:down transaction:false" "DROP TABLE b;" >migrations/001_b.sql &&
	runner repair --yes >out &&
	test_grep "^Repaired 001: rollback_failed -> applied" out &&
	test_grep "^Repaired 001: checksum crc32:[0-9a-f]* -> $(file_checksum migrations/001_b.sql)" out &&
	runner status --exit-code >/dev/null &&
	runner -q rollback --yes &&
	! table_exists app.db b
'

test_expect_success 'repair: a failed migration whose file is gone loses its record' '
	fresh gone &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE h (x);\nINSERT INTO nope VALUES (1);\n" >migrations/002_half.sql &&
	test_expect_code 1 runner migrate 2>/dev/null &&
	rm migrations/002_half.sql &&
	runner repair --yes >out &&
	test_grep "^Repaired 002: removed the failed record" out &&
	test_equal "001" "$(applied | xargs)" &&
	# what the failed section did stays: drift, for the user to clean up
	test_expect_code 1 runner status --exit-code >out &&
	test_grep "added table h" out &&
	runner status --exit-code --no-drift >/dev/null
'

test_expect_success 'repair on a missing database fails and creates nothing' '
	fresh repairmissing &&
	setup_story &&
	test_expect_code 1 runner repair --yes >out 2>err &&
	test_grep "database .app.db. does not exist" err &&
	test_path_is_missing app.db
'

test_expect_success 'repair with a bad migration file names it and changes nothing' '
	cd repair &&
	echo "-- edited again" >>migrations/001_initial_schema.sql &&
	printf -- "-- migrate:up bogus:1\nSELECT 1;\n" >migrations/004_bad.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner repair --yes >out 2>err &&
	test_grep "migrations/004_bad.sql:1: unknown option .bogus:1." err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_done
