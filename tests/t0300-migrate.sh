#!/bin/bash
# t0300-migrate: migrate, its options, failures, transaction options and migrate-to.

. "$(dirname "$0")/lib.sh"

test_expect_success 'migrate applies every migration in order' '
	fresh basic &&
	setup_story &&
	runner migrate >out 2>err &&
	grep "^Applied" out >applied-lines &&
	test_line_count = 3 applied-lines &&
	grep -n "" applied-lines >numbered &&
	test_grep "^1:Applied 001: initial_schema ([0-9][0-9.]* ms)\$" numbered &&
	test_grep "^2:Applied 002: analytics_tables ([0-9][0-9.]* ms)\$" numbered &&
	test_grep "^3:Applied 003: add_comments ([0-9][0-9.]* ms)\$" numbered &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	table_exists app.db users &&
	table_exists app.db posts &&
	table_exists app.db page_views &&
	table_exists app.db comments
'

test_expect_success 'the tracking table has the documented columns' '
	cd basic &&
	sql app.db "SELECT name FROM pragma_table_info('"'schema_migrations'"') ORDER BY cid" >cols &&
	for c in id version name applied_at checksum duration_ms down_sql down_options state error
	do
		test_grep -x "$c" cols || return 1
	done
'

test_expect_success 'the tracking rows hold name, checksum, duration, down SQL and state' '
	cd basic &&
	test_equal "001|initial_schema|applied" \
		"$(sql app.db "SELECT version, name, state FROM schema_migrations WHERE version = '"'001'"'")" &&
	sql app.db "SELECT checksum FROM schema_migrations" >sums &&
	test_line_count = 3 sums &&
	test_must_fail grep -v "^crc32:[0-9a-f]\{8\}\$" sums &&
	test_equal "3" "$(sql app.db "SELECT count(*) FROM schema_migrations WHERE duration_ms >= 0 AND applied_at IS NOT NULL AND error IS NULL")" &&
	sql app.db "SELECT down_sql FROM schema_migrations WHERE version = '"'003'"'" >down &&
	test_grep "DROP TABLE IF EXISTS comments;" down &&
	test_grep ! "CREATE TABLE" down
'

test_expect_success 'migrate when up to date exits 0 and says so' '
	cd basic &&
	before=$(db_sha app.db) &&
	runner migrate >out 2>err &&
	test_grep "up to date" out err &&
	test_grep ! "^Applied" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success '-q suppresses the per-migration lines' '
	fresh quiet &&
	setup_story &&
	runner -q migrate-to 001 >out &&
	test_grep ! "Applied" out &&
	runner migrate -q >out 2>err &&
	test_grep ! "Applied" out &&
	test_grep ! "Applied" err &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'a failing migration names file and line, and leaves no trace' '
	fresh fail &&
	setup_story &&
	mkdir -p migrations &&
	cat >migrations/004_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t4 (x);
	INSERT INTO t4 VALUES (1);

	INSERT INTO t4
	    SELECT x FROM nope;
	CREATE TABLE t4b (x);

	-- migrate:down
	DROP TABLE t4;
	EOF
	write_migration 005 later "CREATE TABLE t5 (x);" &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "^runner: migrations/004_broken.sql:5: .*no such table: nope" err &&
	test_grep "^Applied 003: add_comments (" out &&
	test_grep ! "Applied 004" out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	! table_exists app.db t4 &&
	! table_exists app.db t4b &&
	! table_exists app.db t5
'

test_expect_success 'a runtime error (constraint) names the line of its statement' '
	cd fail &&
	cat >migrations/004_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t4 (x UNIQUE);
	INSERT INTO t4 VALUES (1);
	INSERT INTO t4 VALUES (2);
	INSERT INTO t4 VALUES (1);
	EOF
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "^runner: migrations/004_broken.sql:5: .*UNIQUE constraint failed" err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	! table_exists app.db t4 &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'the error names the file as given with --dir' '
	cd fail &&
	test_expect_code 1 runner --dir ./migrations migrate >out 2>err &&
	test_grep "^runner: \./migrations/004_broken.sql:5: " err
'

test_expect_success 'after fixing the file, migrate continues' '
	cd fail &&
	write_migration 004 broken "CREATE TABLE t4 (x);" "DROP TABLE t4;" &&
	runner migrate >out &&
	test_equal "001 002 003 004 005" "$(applied | xargs)"
'

test_expect_success 'an applied file that changed: refuse, name it, point at repair' '
	fresh changed &&
	setup_story &&
	runner migrate-to 002 >out &&
	echo "-- edited" >>migrations/001_initial_schema.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "001_initial_schema.sql" err &&
	test_grep "repair" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'repair without --yes off a terminal changes nothing' '
	cd changed &&
	before=$(db_sha app.db) &&
	test_expect_code 2 runner repair >out 2>err </dev/null &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'repair --yes accepts the new checksum, then migrate runs' '
	cd changed &&
	runner repair --yes >out 2>err &&
	test_grep "001" out err &&
	test_equal "$(file_checksum migrations/001_initial_schema.sql)" \
		"$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'")" &&
	runner migrate >out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	runner status --exit-code >out
'

test_expect_success 'a pending migration older than the newest applied is refused' '
	fresh order &&
	setup_story &&
	mv migrations/002_analytics_tables.sql saved &&
	runner migrate >out &&
	test_equal "001 003" "$(applied | xargs)" &&
	mv saved migrations/002_analytics_tables.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep -e "--allow-out-of-order" err &&
	test_grep "002" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success '--allow-out-of-order applies it' '
	cd order &&
	runner migrate --allow-out-of-order >out &&
	test_grep "^Applied 002: analytics_tables (" out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	runner status --exit-code >out
'

test_expect_success '--dry-run on a missing database prints the SQL, creates nothing' '
	fresh dry &&
	setup_story &&
	runner migrate --dry-run >out 2>err &&
	test_grep "CREATE TABLE users" out &&
	test_grep "CREATE TABLE comments" out &&
	test_path_is_missing app.db
'

test_expect_success '--dry-run prints only pending SQL and changes nothing' '
	cd dry &&
	runner migrate-to 002 >out &&
	before=$(db_sha app.db) &&
	runner migrate --dry-run >out 2>err &&
	test_grep "CREATE TABLE comments" out &&
	test_grep ! "CREATE TABLE users" out &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success '--single-transaction: a failure in the third leaves none applied' '
	fresh single &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	runner migrate >out &&
	write_migration 002 a "CREATE TABLE a (x);" &&
	write_migration 003 b "CREATE TABLE b (x);" &&
	write_migration 004 c "CREATE TABLE c (x);
INSERT INTO nope VALUES (1);" &&
	test_expect_code 1 runner migrate --single-transaction >out 2>err &&
	test_grep "migrations/004_c.sql:" err &&
	test_grep "no such table: nope" err &&
	test_equal "001" "$(applied | xargs)" &&
	! table_exists app.db a &&
	! table_exists app.db b &&
	! table_exists app.db c
'

test_expect_success '--single-transaction on a fresh database: all or nothing' '
	cd single &&
	rm app.db &&
	test_expect_code 1 runner migrate --single-transaction >out 2>err &&
	if test -f app.db
	then
		test_equal "0" "$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name IN ('"'base'"', '"'a'"', '"'b'"', '"'c'"')")" &&
		test_equal "" "$(sql app.db "SELECT version FROM schema_migrations" 2>/dev/null)"
	fi
'

test_expect_success '--single-transaction applies everything when all succeed' '
	cd single &&
	write_migration 004 c "CREATE TABLE c (x);" &&
	runner migrate --single-transaction >out &&
	test_equal "001 002 003 004" "$(applied | xargs)" &&
	table_exists app.db c
'

test_expect_success '--single-transaction is refused with a transaction:false section' '
	cd single &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE v (x);\nVACUUM;\n" >migrations/005_vac.sql &&
	write_migration 006 more "CREATE TABLE more (x);" &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate --single-transaction >out 2>err &&
	test_grep -e "transaction:false" -e "005_vac" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success '--single-transaction is refused with a foreign_keys:off section' '
	cd single &&
	rm migrations/005_vac.sql &&
	printf -- "-- migrate:up foreign_keys:off\nCREATE TABLE fk (x);\n" >migrations/005_fk.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate --single-transaction >out 2>err &&
	test_grep -e "foreign_keys:off" -e "005_fk" err &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'VACUUM fails inside the default transaction' '
	fresh vacuum &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	printf -- "-- migrate:up\nCREATE TABLE v (x);\nVACUUM;\n" >migrations/002_vac.sql &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "migrations/002_vac.sql:3:" err &&
	test_grep -i "transaction" err &&
	test_equal "001" "$(applied)" &&
	! table_exists app.db v
'

test_expect_success 'transaction:false runs VACUUM' '
	cd vacuum &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE v (x);\nVACUUM;\n\n-- migrate:down\nDROP TABLE v;\n" \
		>migrations/002_vac.sql &&
	runner migrate >out 2>err &&
	test_equal "001 002" "$(applied | xargs)" &&
	table_exists app.db v &&
	test_equal "applied" "$(sql app.db "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	runner status --exit-code >out
'

test_expect_success 'transaction:false runs PRAGMA journal_mode=WAL' '
	fresh wal &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	printf -- "-- migrate:up transaction:false\nPRAGMA journal_mode=WAL;\n" >migrations/002_wal.sql &&
	runner migrate >out 2>err &&
	test_equal "wal" "$(sql app.db "PRAGMA journal_mode")" &&
	test_equal "001 002" "$(applied | xargs)" &&
	write_migration 003 after "CREATE TABLE after_wal (x);" &&
	runner migrate >out &&
	table_exists app.db after_wal
'

test_expect_success 'a transaction:false section failing part-way is recorded as failed' '
	fresh half &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE half (x);\n\nINSERT INTO nope VALUES (1);\n" \
		>migrations/002_half.sql &&
	write_migration 003 later "CREATE TABLE later (x);" &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "migrations/002_half.sql:4:" err &&
	test_grep "no such table: nope" err &&
	test_equal "failed" "$(sql app.db "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	test -n "$(sql app.db "SELECT error FROM schema_migrations WHERE version = '"'002'"'")" &&
	table_exists app.db half &&
	! table_exists app.db later &&
	runner status >out &&
	test_grep "^  \[F\] 002: half" out
'

test_expect_success 'migrate refuses while a migration is failed, pointing at repair' '
	cd half &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "repair" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	! table_exists app.db later
'

test_expect_success 'repair --yes clears the failed row, then migrate re-runs it' '
	cd half &&
	runner repair --yes >out 2>err &&
	test_grep "002" out err &&
	test_equal "001" "$(applied | xargs)" &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE IF NOT EXISTS half (x);\n\nINSERT INTO half VALUES (1);\n" \
		>migrations/002_half.sql &&
	runner migrate >out 2>err &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	test_equal "applied" "$(sql app.db "SELECT state FROM schema_migrations WHERE version = '"'002'"'")" &&
	table_exists app.db later &&
	runner status --exit-code >out
'

test_expect_success 'setup foreign keys' '
	fresh fk &&
	write_migration 001 parent_child "CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1);" &&
	runner migrate >out
'

test_expect_success 'connections have foreign keys on: a violating insert fails' '
	cd fk &&
	write_migration 002 orphan "INSERT INTO child VALUES (2, 99);" &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep -i "foreign key" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	rm migrations/002_orphan.sql
'

test_expect_success 'a table rebuild fails without foreign_keys:off' '
	cd fk &&
	cat >migrations/002_rebuild.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE parent_new (id INTEGER PRIMARY KEY, label TEXT);
	INSERT INTO parent_new (id) SELECT id FROM parent;
	DROP TABLE parent;
	ALTER TABLE parent_new RENAME TO parent;
	EOF
	test_expect_code 1 runner migrate >out 2>err &&
	test_equal "001" "$(applied)" &&
	! table_exists app.db parent_new
'

test_expect_success 'foreign_keys:off: the table rebuild works' '
	cd fk &&
	sed -i "s/^-- migrate:up\$/-- migrate:up foreign_keys:off/" migrations/002_rebuild.sql &&
	runner migrate >out 2>err &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_equal "1|" "$(sql app.db "SELECT id, label FROM parent")" &&
	test_equal "1|1" "$(sql app.db "SELECT * FROM child")" &&
	test_equal "" "$(sql app.db "PRAGMA foreign_key_check")"
'

test_expect_success 'foreign keys are on again after a foreign_keys:off migration' '
	cd fk &&
	write_migration 003 orphan_after "INSERT INTO child VALUES (3, 77);" &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep -i "foreign key" err &&
	test_equal "001 002" "$(applied | xargs)" &&
	rm migrations/003_orphan_after.sql
'

test_expect_success 'foreign_keys:off: a violation left behind fails and rolls back' '
	cd fk &&
	printf -- "-- migrate:up foreign_keys:off\nCREATE TABLE marker (x);\nDELETE FROM parent;\n" \
		>migrations/003_orphans.sql &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep -i "foreign key" err &&
	test_grep "003_orphans.sql" err &&
	test_equal "1" "$(sql app.db "SELECT count(*) FROM parent")" &&
	! table_exists app.db marker &&
	test_equal "001 002" "$(applied | xargs)" &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'migrate-to VERSION applies up to and including VERSION' '
	fresh to &&
	setup_story &&
	write_migration 004 four "CREATE TABLE four (x);" &&
	runner migrate-to 002 >out &&
	test_grep "^Applied 001: initial_schema (" out &&
	test_grep "^Applied 002: analytics_tables (" out &&
	test_grep ! "003" out &&
	test_equal "001 002" "$(applied | xargs)" &&
	! table_exists app.db comments
'

test_expect_success 'migrate-to the current version does nothing' '
	cd to &&
	before=$(db_sha app.db) &&
	runner migrate-to 002 >out &&
	test_grep ! "^Applied" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'migrate-to a VERSION without a file fails and changes nothing' '
	cd to &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate-to 999 >out 2>err &&
	test_grep "999" err &&
	test_expect_code 2 runner migrate-to abc >out 2>err &&
	test_grep "usage: runner migrate-to" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	test_equal "001 002" "$(applied | xargs)"
'

test_expect_success 'migrate-to below applied migrations points at rollback' '
	cd to &&
	runner migrate-to 003 >out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	before=$(db_sha app.db) &&
	test_expect_code 1 runner migrate-to 001 >out 2>err &&
	test_grep "rollback" err &&
	test_equal "$before" "$(db_sha app.db)" &&
	runner migrate-to 004 >out &&
	test_equal "001 002 003 004" "$(applied | xargs)"
'

test_expect_success 'a Story Hub tracking table (five columns) is adopted' '
	fresh legacy &&
	setup_story &&
	sum=$(file_checksum migrations/001_initial_schema.sql) &&
	test -n "$sum" &&
	sql app.db "CREATE TABLE schema_migrations (
	    id INTEGER PRIMARY KEY AUTOINCREMENT,
	    version TEXT UNIQUE NOT NULL,
	    name TEXT NOT NULL,
	    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
	    checksum TEXT);
	CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
	CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL);
	INSERT INTO schema_migrations (version, name, checksum)
	    VALUES ('"'001'"', '"'initial_schema'"', '"'"'$sum'"'"');" &&
	before=$(db_sha app.db) &&
	runner status >out &&
	test_grep "^  \[X\] 001: initial_schema" out &&
	test_grep "^  \[ \] 002: analytics_tables" out &&
	test_equal "$before" "$(db_sha app.db)" &&
	runner migrate >out &&
	test_equal "001 002 003" "$(applied | xargs)" &&
	sql app.db "SELECT name FROM pragma_table_info('"'schema_migrations'"')" >cols &&
	test_grep -x "down_sql" cols &&
	test_grep -x "state" cols &&
	runner status --exit-code >out &&
	runner rollback --yes 0 >out &&
	test_equal "" "$(applied)" &&
	! table_exists app.db users
'

test_expect_success 'migrate with an empty migrations directory' '
	fresh none &&
	mkdir migrations &&
	runner migrate >out 2>err &&
	test_grep "up to date" out err
'

test_done
