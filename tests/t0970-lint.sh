#!/bin/bash
# t0970-lint: runner lint's warnings, summary, exit codes and errors.

. "$(dirname "$0")/lib.sh"

test_expect_success 'a clean set: no warnings, exit 0, even with --strict' '
	fresh clean &&
	setup_story &&
	runner lint --strict >out 2>err &&
	test_equal "No warnings in 3 files." "$(cat out)" &&
	test_must_be_empty err
'

test_expect_success 'setup: a set with one of each problem' '
	fresh risky &&
	setup_story &&
	write_migration 004 cleanup "DELETE FROM comments;
-- a comment with DROP TABLE and WHERE in it
UPDATE users SET name = '"'x'"'
  WHERE id = 1;
DROP TABLE page_views;
ALTER TABLE posts DROP COLUMN title;" "SELECT 1;" &&
	printf -- "-- migrate:up\nPRAGMA foreign_keys = OFF;\nCREATE TABLE v (x);\nVACUUM;\n" >migrations/005_vacuum.sql
'

test_expect_success 'warnings name file and line; exit 0 without --strict' '
	cd risky &&
	runner lint >out 2>err &&
	cat >expect <<-\EOF &&
	migrations/004_cleanup.sql:4: warning: DELETE without WHERE deletes every row
	migrations/004_cleanup.sql:8: warning: DROP TABLE in an up section loses the table'"'"'s data; a rollback cannot bring it back
	migrations/004_cleanup.sql:9: warning: ALTER TABLE ... DROP COLUMN in an up section loses the column'"'"'s data; a rollback cannot bring it back
	migrations/005_vacuum.sql:1: warning: no down section: this migration cannot be rolled back
	migrations/005_vacuum.sql:2: warning: PRAGMA foreign_keys is ignored inside a transaction; use the foreign_keys:off option on this section'"'"'s marker instead
	migrations/005_vacuum.sql:4: warning: VACUUM cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	6 warnings in 2 of 5 files.
	EOF
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success '--strict: exit 1 on warnings; -q drops the summary' '
	cd risky &&
	test_expect_code 1 runner lint --strict >out 2>err &&
	test_grep "6 warnings in 2 of 5 files" out &&
	test_expect_code 1 runner -q lint --strict >out 2>err &&
	test_line_count = 6 out
'

test_expect_success 'lint never opens or creates the database' '
	cd risky &&
	runner lint >/dev/null &&
	test_path_is_missing app.db &&
	runner -q migrate-to 003 &&
	before=$(db_sha app.db) &&
	runner lint >/dev/null &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'what lint warns about is what SQLite refuses' '
	cd risky &&
	test_expect_code 1 runner migrate 2>err &&
	test_grep "cannot VACUUM from within a transaction" err &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE v (x);\nVACUUM;\n-- migrate:down\nDROP TABLE v;\n" >migrations/005_vacuum.sql &&
	runner lint migrations/005_vacuum.sql >out &&
	test_equal "No warnings in 1 file." "$(cat out)"
'

test_expect_success 'FILE arguments: only those, whatever their names' '
	cd risky &&
	printf -- "-- migrate:up\nUPDATE t SET x = 1;\n-- migrate:down\nSELECT 1;\n" >adhoc.sql &&
	runner lint adhoc.sql migrations/001_initial_schema.sql >out &&
	cat >expect <<-\EOF &&
	adhoc.sql:2: warning: UPDATE without WHERE changes every row
	1 warning in 1 of 2 files.
	EOF
	test_cmp expect out
'

test_expect_success 'a file that does not parse: its error, the rest still linted, exit 1' '
	cd risky &&
	printf -- "-- migrate:up\nDELETE FROM t;\n-- migrate:up\n" >two.sql &&
	test_expect_code 1 runner lint two.sql adhoc.sql >out 2>err &&
	test_grep "^runner: two.sql:3: a second up marker (the first is on line 1)" err &&
	test_grep "^adhoc.sql:2: warning: UPDATE without WHERE" out &&
	test_grep "1 warning in 1 of 2 files; 1 file could not be read or parsed." out
'

test_expect_success 'a missing file, a directory, a missing directory: exit 1, named' '
	cd risky &&
	test_expect_code 1 runner lint nosuch.sql >out 2>err &&
	test_grep "^runner: cannot read .nosuch.sql.: No such file or directory" err &&
	mkdir dir.sql &&
	test_expect_code 1 runner lint dir.sql >out 2>err &&
	test_grep "^runner: cannot read .dir.sql.: is a directory" err &&
	test_expect_code 1 runner --dir nowhere lint >out 2>err &&
	test_grep "^runner: cannot open migrations directory .nowhere." err
'

test_expect_success 'a .sql file of no layout in the directory is an error, not linted' '
	cd risky &&
	printf -- "-- migrate:up\nDELETE FROM t;\n" >migrations/notes.sql &&
	test_expect_code 1 runner -q lint >out 2>err &&
	test_grep "^runner: .migrations/notes.sql. fits no migration layout runner reads" err &&
	test_grep ! "notes.sql:" out &&
	rm migrations/notes.sql
'

test_expect_success 'lint: a file that does not parse is reported, the others are linted' '
	cd risky &&
	printf -- "-- migrate:up foo:bar\nDELETE FROM t;\n" >migrations/006_bad.sql &&
	test_expect_code 1 runner lint >out 2>err &&
	test_grep "^runner: migrations/006_bad.sql:1: unknown option" err &&
	test_grep "^migrations/004_cleanup.sql:4: warning: DELETE without WHERE" out &&
	test_grep "3 warnings in 1 of 6 files; 1 file could not be read or parsed" out &&
	rm migrations/006_bad.sql
'

test_expect_success 'lint: unknown flag, help' '
	cd risky &&
	test_expect_code 2 runner lint --bogus >out 2>err &&
	test_grep "^usage: runner lint \[--strict\] \[FILE ...\]" err &&
	runner help lint >out &&
	test_grep "^usage: runner lint" out
'

test_done
