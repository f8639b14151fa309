#!/bin/bash
# t0100-files: migration file names, parsing, bad files, versions, markers and checksums.

. "$(dirname "$0")/lib.sh"

# check_bad PATTERN: migrations/ holds a good 001, already applied, and a bad
# file. Every command that reads the migrations fails with PATTERN on stderr
# and changes nothing; with the database removed, migrate still reports
# PATTERN. (Under valgrind, migrate is checked on each bad file, the other
# commands on the first: they share the reader.)
check_bad () {
	local args key
	before=$(db_sha app.db) &&
	for args in migrate "migrate-to 001" init status "rollback --yes" \
		"reset --yes" "repair --yes" "stamp --yes 001"
	do
		key=$args
		test "$args" = migrate && key="migrate: $1"
		# shellcheck disable=SC2086
		test_expect_code 1 runner_once "$key" $args >out 2>err &&
		test_grep -e "$1" err &&
		test_grep "^runner: " err &&
		test_equal "$before" "$(db_sha app.db)" ||
		{ echo "failed for: runner $args" >&2; return 1; }
	done &&
	mv app.db saved.db &&
	test_expect_code 1 runner_once "migrate, no database" migrate >out 2>err &&
	test_grep -e "$1" err &&
	rm -f app.db &&
	mv saved.db app.db
}

# good_base: a fresh directory with a good 001 applied.
good_base () {
	fresh "$1" &&
	write_migration 001 base "CREATE TABLE base (x);" "DROP TABLE base;" &&
	runner migrate >out
}

test_expect_success 'SQL before the first marker names file and line' '
	good_base sql-before &&
	printf -- "-- header\n\nCREATE TABLE t (x);\n-- migrate:up\nCREATE TABLE u (x);\n" \
		>migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql:3:"
'

test_expect_success 'an empty up section is a no-op: applied with a warning, not an error' '
	good_base empty-up &&
	printf -- "-- header\n-- migrate:up\n\n\n-- migrate:down\nSELECT 1;\n" \
		>migrations/002_empty.sql &&
	printf -- "-- header\n\n-- migrate:up\n" >migrations/003_empty_eof.sql &&
	printf -- "-- migrate:up\n-- nothing here yet\n\n-- migrate:down\nSELECT 1;\n" \
		>migrations/004_comments.sql &&
	runner status >out 2>err &&
	test_grep "^  \[ \] 002: empty (empty: no SQL to run)\$" out &&
	test_grep "^  \[ \] 003: empty_eof (empty: no SQL to run)\$" out &&
	test_grep "^  \[ \] 004: comments (empty: no SQL to run)\$" out &&
	runner migrate >out 2>err &&
	test_equal "001 002 003 004" "$(applied | xargs)" &&
	test_line_count = 3 err &&
	test_grep "^runner: warning: migrations/003_empty_eof.sql: the up section is empty" err &&
	runner status --exit-code >out &&
	runner rollback --yes >out &&
	test_equal "001 002 003" "$(applied | xargs)"
'

test_expect_success 'unknown option after the up marker names file and line' '
	good_base unknown-opt &&
	printf -- "-- c\n\n-- migrate:up foo:bar\nCREATE TABLE t (x);\n" \
		>migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql:3:.*foo"
'

test_expect_success 'unknown option after the down marker names file and line' '
	good_base unknown-down-opt &&
	printf -- "-- migrate:up\nCREATE TABLE t (x);\n\n-- migrate:down colour:blue\nDROP TABLE t;\n" \
		>migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql:4:.*colour"
'

test_expect_success 'a bad value for a known option is refused' '
	good_base bad-value &&
	printf -- "-- migrate:up transaction:maybe\nCREATE TABLE t (x);\n" \
		>migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql:1:"
'

test_expect_success 'NUL byte names file and line' '
	good_base nul &&
	printf -- "-- migrate:up\nCREATE TABLE t (x);\nSELECT 1;\0\nSELECT 2;\n" \
		>migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql:3:"
'

test_expect_success 'a file without markers beside marker files names both' '
	good_base no-up &&
	printf -- "-- just a comment\n\n" >migrations/002_bad.sql &&
	check_bad "files without markers.*.migrations/002_bad.sql." &&
	test_grep "files with markers.*.migrations/001_base.sql." err
'

test_expect_success 'a file with only a down section has no up marker' '
	good_base only-down &&
	printf -- "-- migrate:down\nDROP TABLE t;\n" >migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql"
'

test_expect_success 'an empty file has no up marker' '
	good_base empty-file &&
	: >migrations/002_bad.sql &&
	check_bad "migrations/002_bad.sql"
'

test_expect_success 'a directory named *.sql is an error' '
	good_base dir-sql &&
	mkdir migrations/002_dir.sql &&
	check_bad "migrations/002_dir.sql"
'

test_expect_success NOT_ROOT 'an unreadable file is an error' '
	good_base unreadable &&
	write_migration 002 secret "CREATE TABLE s (x);" &&
	chmod 000 migrations/002_secret.sql &&
	check_bad "migrations/002_secret.sql"
'

test_expect_success 'duplicate version names both files' '
	good_base dup &&
	write_migration 02 a "CREATE TABLE a (x);" &&
	write_migration 002 b "CREATE TABLE b (x);" &&
	check_bad "02_a.sql" &&
	test_grep "002_b.sql" err
'

test_expect_success 'duplicate of an applied version is an error too' '
	good_base dup-applied &&
	write_migration 1 again "CREATE TABLE again (x);" &&
	check_bad "1_again.sql" &&
	test_grep "001_base.sql" err
'

test_expect_success 'a .sql file that fits no layout is an error naming it' '
	for f in notes.sql abc_x.sql 001.sql 001_x.SQL 1.up.sql
	do
		good_base "misnamed-$f" &&
		printf -- "-- migrate:up\nCREATE TABLE notes (x);\n" >"migrations/$f" &&
		check_bad "migrations/$f. fits no migration layout runner reads" &&
		! table_exists app.db notes || return 1
	done
'

test_expect_success 'a name may hold any character after the separator, as in dbmate' '
	fresh any-name &&
	write_migration "002" "bad name.v2" "CREATE TABLE spaced (x);" &&
	runner migrate >out &&
	test_grep "^Applied 002: bad name.v2 (" out
'

test_expect_success 'other files and the seeds folder are ignored silently' '
	fresh ignored &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	echo "# read me" >migrations/README.md &&
	echo "CREATE TABLE nope (x);" >migrations/002_x.txt &&
	mkdir migrations/seeds &&
	printf -- "-- migrate:up\nCREATE TABLE seeded (x);\n" >migrations/seeds/002_seed.sql &&
	runner migrate >out 2>err &&
	test_grep ! "README" err &&
	test_grep ! "002_x.txt" err &&
	test_grep ! "seed" err &&
	test_equal "001" "$(applied)" &&
	! table_exists app.db seeded
'

test_expect_success 'versions compare as integers: 9 before 10' '
	fresh int-order &&
	write_migration 10 second "INSERT INTO t VALUES (10);" &&
	write_migration 9 first "CREATE TABLE t (v);" &&
	runner migrate >out &&
	grep -n "" out >numbered &&
	test_grep "^1:Applied 9: first (" numbered &&
	test_grep "^2:Applied 10: second (" numbered &&
	test_equal "10" "$(sql app.db "SELECT v FROM t")" &&
	test_equal "9 10" "$(sql app.db "SELECT version FROM schema_migrations ORDER BY id" | xargs)"
'

test_expect_success 'mixed widths compare as integers and keep their spelling' '
	fresh widths &&
	write_migration 9 a "CREATE TABLE t (v);" &&
	write_migration 010 b "INSERT INTO t VALUES (10);" &&
	write_migration 0011 c "INSERT INTO t VALUES (11);" &&
	runner migrate >out &&
	test_equal "9 010 0011" "$(sql app.db "SELECT version FROM schema_migrations ORDER BY id" | xargs)" &&
	runner status >out &&
	test_grep "^  \[X\] 0011: c (" out
'

test_expect_success '14-digit timestamp versions work' '
	fresh timestamps &&
	write_migration 20261121104500 create_t "CREATE TABLE t (v);" "DROP TABLE t;" &&
	write_migration 20261121104501 fill_t "INSERT INTO t VALUES (1);" "DELETE FROM t;" &&
	runner migrate >out &&
	test_grep "^Applied 20261121104500: create_t (" out &&
	test_grep "^Applied 20261121104501: fill_t (" out &&
	runner status >out &&
	test_grep "Database is up to date!" out &&
	runner rollback --yes 20261121104500 >out &&
	test_equal "20261121104500" "$(applied)" &&
	test_equal "0" "$(sql app.db "SELECT count(*) FROM t")"
'

test_expect_success 'dbmate file: trigger body, strings with ;, missing final ;' '
	fresh dbmate &&
	mkdir migrations &&
	cat >migrations/001_all.sql <<-\EOF &&
	-- A file exercising the statement splitter.

	-- migrate:up
	CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE audit (msg TEXT);
	CREATE TRIGGER t_ins AFTER INSERT ON t
	BEGIN
	    INSERT INTO audit VALUES ('"'"'ins;'"'"' || new.v);
	    INSERT INTO audit VALUES ('"'"'second;'"'"');
	END;
	INSERT INTO t (v) VALUES ('"'"'a;b -- not a comment'"'"');
	INSERT INTO t (v) VALUES ('"'"'x'"'"')

	-- migrate:down
	DROP TABLE audit;
	DROP TABLE t
	EOF
	runner migrate >out &&
	test_equal "a;b -- not a comment|x" "$(sql app.db "SELECT group_concat(v, '"'|'"') FROM (SELECT v FROM t ORDER BY id)")" &&
	test_equal "4" "$(sql app.db "SELECT count(*) FROM audit")" &&
	test_equal "1" "$(sql app.db "SELECT count(*) FROM audit WHERE msg = '"'ins;a;b -- not a comment'"'")" &&
	runner rollback --yes >out &&
	! table_exists app.db t &&
	! table_exists app.db audit
'

test_expect_success 'goose markers, StatementBegin/End and down' '
	fresh goose &&
	mkdir migrations &&
	cat >migrations/001_goose.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE audit (msg TEXT);
	-- +goose StatementBegin
	CREATE TRIGGER t_ins AFTER INSERT ON t
	BEGIN
	    INSERT INTO audit VALUES (new.v);
	END;
	-- +goose StatementEnd
	INSERT INTO t (v) VALUES ('"'"'one'"'"');

	-- +goose Down
	-- +goose StatementBegin
	DROP TABLE audit;
	-- +goose StatementEnd
	DROP TABLE t;
	EOF
	runner migrate >out &&
	test_grep "^Applied 001: goose (" out &&
	test_equal "one" "$(sql app.db "SELECT msg FROM audit")" &&
	runner rollback --yes >out &&
	! table_exists app.db t &&
	! table_exists app.db audit &&
	test_equal "" "$(applied)"
'

test_expect_success 'goose NO TRANSACTION runs VACUUM' '
	fresh goose-notx &&
	mkdir migrations &&
	printf -- "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE t (x);\nVACUUM;\n-- +goose Down\nDROP TABLE t;\n" \
		>migrations/001_vacuum.sql &&
	runner migrate >out 2>err &&
	test_equal "001" "$(applied)" &&
	table_exists app.db t
'

test_expect_success 'the stored checksum is the CRC-32 of the file' '
	fresh checksum &&
	setup_story &&
	runner migrate >out &&
	for f in migrations/*.sql
	do
		v=$(basename "$f" | cut -d_ -f1) &&
		test_equal "$(file_checksum "$f")" \
			"$(sql app.db "SELECT checksum FROM schema_migrations WHERE version = '"'"'$v'"'"'")" ||
		return 1
	done
'

test_expect_success 'CRLF line endings do not change the checksum' '
	cd checksum &&
	before=$(db_sha app.db) &&
	sed -i "s/\$/\r/" migrations/002_analytics_tables.sql &&
	test_grep "$(printf "\r")" migrations/002_analytics_tables.sql &&
	runner status >out &&
	test_grep "^Database is up to date!\$" out &&
	runner status --exit-code >out &&
	runner migrate >out &&
	test_grep "up to date" out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'a UTF-8 BOM does not change the checksum' '
	cd checksum &&
	before=$(db_sha app.db) &&
	{ printf "\357\273\277" && cat migrations/003_add_comments.sql; } >tmp &&
	mv tmp migrations/003_add_comments.sql &&
	runner status --exit-code >out &&
	test_grep "^Database is up to date!\$" out &&
	runner migrate >out &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'CR-only line endings do not change the checksum' '
	cd checksum &&
	tr "\n" "\r" <migrations/001_initial_schema.sql >tmp &&
	mv tmp migrations/001_initial_schema.sql &&
	runner status --exit-code >out &&
	test_grep "^Database is up to date!\$" out
'

test_expect_success 'a CRLF file with a BOM applies, with the normalised checksum' '
	fresh crlf-apply &&
	mkdir migrations &&
	printf "\357\273\277-- c\r\n-- migrate:up\r\nCREATE TABLE t (x);\r\nINSERT INTO t VALUES (1);\r\n-- migrate:down\r\nDROP TABLE t;\r\n" \
		>migrations/001_crlf.sql &&
	runner migrate >out &&
	test_equal "1" "$(sql app.db "SELECT x FROM t")" &&
	test_equal "$(file_checksum migrations/001_crlf.sql)" \
		"$(sql app.db "SELECT checksum FROM schema_migrations")" &&
	test_grep "^crc32:[0-9a-f]\{8\}\$" <(sql app.db "SELECT checksum FROM schema_migrations") &&
	runner rollback --yes >out &&
	! table_exists app.db t
'

test_expect_success 'a changed byte changes the checksum' '
	fresh changed &&
	write_migration 001 a "CREATE TABLE a (x);" &&
	runner migrate >out &&
	sed -i "s/CREATE TABLE a (x);/CREATE TABLE a (y);/" migrations/001_a.sql &&
	test_expect_code 1 runner status --exit-code >out &&
	test_grep "^  \[!\] 001: a" out
'

test_expect_success 'a bad file on a missing database: no database file is created' '
	fresh absent &&
	write_migration 001 base "CREATE TABLE base (x);" &&
	printf -- "-- migrate:up foo:bar\n\n" >migrations/002_bad.sql &&
	test_expect_code 1 runner migrate >out 2>err &&
	test_grep "migrations/002_bad.sql:1:" err &&
	test_path_is_missing app.db &&
	test_expect_code 1 runner migrate-to 001 >out 2>err &&
	test_path_is_missing app.db &&
	test_expect_code 1 runner init >out 2>err &&
	test_path_is_missing app.db &&
	test_expect_code 1 runner migrate --dry-run >out 2>err &&
	test_path_is_missing app.db &&
	test_expect_code 1 runner status >out 2>err &&
	test_path_is_missing app.db
'

test_expect_success 'odd files do not crash the parser' '
	fresh odd &&
	mkdir migrations &&
	printf -- "-- migrate:up\nCREATE TABLE a (x);\n-- migrate:up\nCREATE TABLE b (x);\n" >migrations/001_two_ups.sql &&
	test_no_crash runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	printf -- "-- migrate:up\nINSERT INTO t VALUES (\x27\n-- migrate:down\n\x27);\n" >migrations/001_marker_in_string.sql &&
	test_no_crash runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	printf -- "-- migrate:up\nCREATE TABLE a (x);\n/* unterminated comment\n" >migrations/001_open_comment.sql &&
	test_no_crash runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	printf -- "-- migrate:up\nCREATE TRIGGER t AFTER INSERT ON nothing BEGIN\n" >migrations/001_open_trigger.sql &&
	test_expect_code 1 runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	printf "\357\273\277" >migrations/001_bom_only.sql &&
	test_no_crash runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	printf -- "-- migrate:up\r" >migrations/001_cr_only.sql &&
	test_no_crash runner migrate >out 2>err &&
	rm -f migrations/* app.db &&
	write_migration 99999999999999999999999 huge "CREATE TABLE huge (x);" &&
	test_no_crash runner migrate >out 2>err &&
	test_no_crash runner status >out 2>err &&
	test_no_crash runner create-migration next >out 2>err &&
	rm -rf migrations/* app.db &&
	write_migration 0 zero "CREATE TABLE zero (x);" "DROP TABLE zero;" &&
	test_no_crash runner migrate >out 2>err &&
	test_no_crash runner rollback --yes >out 2>err &&
	rm -rf migrations/* app.db &&
	{
		echo "-- migrate:up" &&
		printf "CREATE TABLE long (x);\nINSERT INTO long VALUES (\x27" &&
		head -c 1000000 /dev/zero | tr "\0" "x" &&
		printf "\x27);\n"
	} >migrations/001_long_line.sql &&
	runner migrate >out 2>err &&
	test_equal 1000000 "$(sql app.db "SELECT length(x) FROM long")"
'

test_expect_success 'many statements in one migration' '
	fresh many &&
	mkdir migrations &&
	{
		echo "-- migrate:up" &&
		echo "CREATE TABLE n (i);" &&
		seq 1 5000 | sed "s/.*/INSERT INTO n VALUES (&);/"
	} >migrations/001_many.sql &&
	runner migrate >out 2>err &&
	test_equal 5000 "$(sql app.db "SELECT count(*) FROM n")"
'

test_done
