#!/bin/bash
# t0972-lint-mysql: lint reads MySQL/MariaDB migrations with MySQL's lexer
# (backticks, # and "-- " comments, DELIMITER lines, versioned comments)
# and rules when --db or DATABASE_URL is a mysql:// or mariadb:// URL, and
# it never connects: no server is needed.

. "$(dirname "$0")/lib.sh"

MYURL="mysql://app:s3cret@localhost/app?socket=$TRASH_DIRECTORY/nowhere/mysqld.sock"

# What MySQL reads otherwise than SQLite does: a backslash escape, a #
# comment, a procedure's body between DELIMITER lines.
test_expect_success 'setup: a MySQL corpus' '
	fresh corpus &&
	mkdir migrations &&
	cat >migrations/001_tables.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE `order` (id INT PRIMARY KEY, note TEXT) ENGINE=InnoDB;
	-- migrate:down
	DROP TABLE `order`;
	EOF
	cat >migrations/002_rows.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO `order` VALUES (2, NULL) # ; DELETE FROM `order`
	;
	INSERT INTO `order` VALUES (1, '"'"'it\'"'"'s; DELETE FROM `order`'"'"');
	-- migrate:down
	DELETE FROM `order` WHERE id IN (1, 2);
	EOF
	cat >migrations/003_procedure.sql <<-\EOF
	-- migrate:up
	DELIMITER //
	CREATE PROCEDURE purge() BEGIN DELETE FROM `order`; COMMIT; END//
	DELIMITER ;
	-- migrate:down
	DROP PROCEDURE purge;
	EOF
'

test_expect_success 'MySQL rules: no warning at all in the corpus' '
	cd corpus &&
	runner --db "$MYURL" lint --strict >out 2>err &&
	test_equal "No warnings in 3 files." "$(cat out)" &&
	test_must_be_empty err
'

test_expect_success 'read as SQLite (the default), the corpus warns' '
	cd corpus &&
	test_expect_code 1 runner lint --strict >out &&
	test_grep "002_rows.sql:2: warning: DELETE without WHERE" out &&
	test_grep "002_rows.sql:4: warning: DELETE without WHERE" out &&
	test_grep "003_procedure.sql:3: warning: COMMIT cannot run" out
'

test_expect_success 'mariadb://, DATABASE_URL and .env pick the dialect too; --db wins' '
	cd corpus &&
	runner --db mariadb://app@localhost/app lint --strict >out &&
	test_grep "^No warnings" out &&
	DATABASE_URL=$MYURL runner lint --strict >out &&
	test_grep "^No warnings" out &&
	echo "DATABASE_URL=$MYURL" >.env &&
	runner lint --strict >out &&
	test_grep "^No warnings" out &&
	test_expect_code 1 runner --db app.db lint --strict >out &&
	rm .env &&
	test_path_is_missing app.db
'

test_expect_success 'a versioned comment is code, as the server runs it' '
	fresh versioned &&
	mkdir migrations &&
	printf -- "-- migrate:up\n/*!40101 DELETE FROM t */;\n/* DELETE FROM u */ SELECT 1;\n-- migrate:down\nSELECT 1;\n" >migrations/001_v.sql &&
	runner --db "$MYURL" lint >out &&
	test_grep "001_v.sql:2: warning: DELETE without WHERE" out &&
	test_grep ! "001_v.sql:3" out &&
	runner lint >out &&
	test_grep ! "DELETE without WHERE" out
'

test_expect_success 'a section mixing DDL with other statements cannot be atomic' '
	fresh atomic &&
	mkdir migrations &&
	cat >migrations/001_mixed.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO config (k) VALUES ('"'"'a'"'"');
	CREATE TABLE t (id INT);
	ALTER TABLE t ADD COLUMN x INT;
	-- migrate:down
	DROP TABLE t;
	DELETE FROM config WHERE k = '"'"'a'"'"';
	EOF
	cat >migrations/002_alone.sql <<-\EOF &&
	-- migrate:up
	# one DDL statement alone is all or nothing
	CREATE INDEX t_x ON t (x);
	-- migrate:down
	DROP INDEX t_x ON t;
	EOF
	cat >migrations/003_notx.sql <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE u (id INT);
	INSERT INTO u VALUES (1);
	-- migrate:down
	DROP TABLE u;
	EOF
	cat >migrations/004_dml.sql <<-\EOF &&
	-- migrate:up
	CREATE TEMPORARY TABLE tmp (id INT);
	INSERT INTO tmp VALUES (1);
	UPDATE config SET v = 1 WHERE k = '"'"'a'"'"';
	-- migrate:down
	UPDATE config SET v = 0 WHERE k = '"'"'a'"'"';
	EOF
	runner --db "$MYURL" lint >out &&
	cat >expect <<-\EOF &&
	migrations/001_mixed.sql:3: warning: CREATE TABLE commits implicitly on MySQL and MariaDB, so this up section cannot be atomic: if one of its statements fails, those before it stay applied; give each statement that commits a migration of its own
	migrations/001_mixed.sql:6: warning: DROP TABLE commits implicitly on MySQL and MariaDB, so this down section cannot be atomic: if one of its statements fails, those before it stay applied; give each statement that commits a migration of its own
	2 warnings in 1 of 4 files.
	EOF
	test_cmp expect out &&
	runner lint >out &&
	test_grep ! "commits implicitly" out
'

test_expect_success 'transaction control, and the common rules, with file and line' '
	fresh control &&
	mkdir migrations &&
	cat >migrations/001_control.sql <<-\EOF &&
	-- migrate:up
	START TRANSACTION;
	UPDATE t SET a = 1;
	SAVEPOINT s;
	ROLLBACK TO SAVEPOINT s;
	COMMIT;
	-- migrate:down
	begin;
	DELETE FROM `t`;
	rollback;
	EOF
	cat >migrations/002_drop.sql <<-\EOF &&
	-- migrate:up
	DROP TABLE IF EXISTS `old`;
	-- migrate:down
	CREATE TABLE `old` (id INT);
	EOF
	printf -- "-- migrate:up transaction:false\nSTART TRANSACTION;\nCOMMIT;\n-- migrate:down\nSELECT 1;\n" >migrations/003_notx.sql &&
	test_expect_code 1 runner --db "$MYURL" lint --strict >out &&
	cat >expect <<-\EOF &&
	migrations/001_control.sql:2: warning: START TRANSACTION cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	migrations/001_control.sql:3: warning: UPDATE without WHERE changes every row
	migrations/001_control.sql:6: warning: COMMIT cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	migrations/001_control.sql:8: warning: BEGIN cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	migrations/001_control.sql:9: warning: DELETE without WHERE deletes every row
	migrations/001_control.sql:10: warning: ROLLBACK cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	migrations/002_drop.sql:2: warning: DROP TABLE in an up section loses the table'"'"'s data; a rollback cannot bring it back
	7 warnings in 2 of 3 files.
	EOF
	test_cmp expect out
'

test_expect_success 'a DELIMITER line the mysql client refuses' '
	fresh delimiter &&
	mkdir migrations &&
	printf -- "-- migrate:up\nCREATE TABLE a (id INT);\nDELIMITER\nDELETE FROM a;\n-- migrate:down\nDELIMITER \\\\\\\\\nDROP TABLE a;\n" >migrations/001_bad.sql &&
	runner --db "$MYURL" lint >out &&
	cat >expect <<-\EOF &&
	migrations/001_bad.sql:3: warning: DELIMITER must be followed by a delimiter character or string, as the mysql client says: the rest of this section cannot be read
	migrations/001_bad.sql:6: warning: DELIMITER cannot contain a backslash character, as the mysql client says: the rest of this section cannot be read
	2 warnings in 1 of 1 file.
	EOF
	test_cmp expect out
'

# A listener where the client library would connect: any connection is
# noted.
test_expect_success 'lint never connects: a server that notes connections sees none' '
	cd corpus &&
	note_connections "$TRASH_DIRECTORY/nowhere/mysqld.sock" \
		"$TRASH_DIRECTORY/connected" &&
	runner --db "$MYURL" lint >out 2>err &&
	test_grep "^No warnings" out &&
	! grep -q s3cret out err &&
	kill $listener &&
	{ wait $listener || :; } &&
	test_path_is_missing "$TRASH_DIRECTORY/connected"
'

test_done
