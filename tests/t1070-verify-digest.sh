#!/bin/bash
# t1070-verify-digest: verify compares each step by a digest of the schema
# that the scratch database follows section by section; every way a section
# can change the schema behind that mirror's back (drops of older objects,
# a dropped table taking its indexes, ALTER, VACUUM, a failed section) must
# still be seen.

. "$(dirname "$0")/lib.sh"

base () {
	fresh "$1" &&
	write_migration 001 base "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);
CREATE INDEX a_x ON a (x);
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
CREATE INDEX b_a ON b (a_id);
CREATE TRIGGER b_t AFTER INSERT ON b BEGIN SELECT 1; END;" "DROP TABLE b;
DROP TABLE a;"
}

test_expect_success 'a down that drops an older migration'"'"'s index is asymmetric' '
	base older &&
	write_migration 002 more "CREATE TABLE c (x);" "DROP TABLE c;
DROP INDEX a_x;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ASYMMETRIC   002 more$" out &&
	test_grep "^    removed index a_x$" out
'

test_expect_success 'a down that drops an older table (its index and trigger with it)' '
	base cascade &&
	write_migration 002 more "CREATE TABLE c (x);" "DROP TABLE c;
DROP TABLE b;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^    removed table b$" out &&
	test_grep "^    removed index b_a$" out &&
	test_grep "^    removed trigger b_t$" out
'

test_expect_success 'a down that drops and makes again an older table as it was: ok' '
	base remade &&
	write_migration 002 more "CREATE TABLE c (x);" "DROP TABLE c;
DROP TABLE b;
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
CREATE INDEX b_a ON b (a_id);
CREATE TRIGGER b_t AFTER INSERT ON b BEGIN SELECT 1; END;" &&
	runner verify >out &&
	test_grep "^ok           002 more$" out &&
	test_grep "^2 migrations, 2 checked: 2 ok\.$" out
'

test_expect_success 'ALTER TABLE in up and down' '
	base altered &&
	write_migration 002 cols "ALTER TABLE a ADD COLUMN y TEXT;
ALTER TABLE b RENAME TO bb;" "ALTER TABLE bb RENAME TO b;
ALTER TABLE a DROP COLUMN y;" &&
	write_migration 003 halfway "ALTER TABLE a ADD COLUMN z TEXT;" "SELECT 1;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ok           002 cols$" out &&
	test_grep "^ASYMMETRIC   003 halfway$" out &&
	test_grep "^    added column a.z$" out
'

test_expect_success 'VACUUM renumbers nothing verify relies on' '
	base vacuumed &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE v1 (x);\nDROP TABLE b;\nVACUUM;\n-- migrate:down transaction:false\nCREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\nCREATE INDEX b_a ON b (a_id);\nCREATE TRIGGER b_t AFTER INSERT ON b BEGIN SELECT 1; END;\nDROP TABLE v1;\nVACUUM;\n" >migrations/002_vacuum.sql &&
	write_migration 003 leaves "CREATE TABLE left_over (x); CREATE TABLE gone (x);" "DROP TABLE gone;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^ok           002 vacuum$" out &&
	test_grep "^ASYMMETRIC   003 leaves$" out &&
	test_grep "^    added table left_over$" out
'

test_expect_success 'a section that fails part-way, then the rest' '
	base failing &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE p1 (x);\nINSERT INTO nosuch VALUES (1);\n-- migrate:down\nDROP TABLE p1;\n" >migrations/002_partial.sql &&
	test_expect_code 1 runner verify >out &&
	test_grep "^FAILED       002 partial$" out &&
	test_grep "^2 migrations, 2 checked: 1 ok, 1 failed\.$" out
'

test_expect_success 'a down that leaves a table another name: asymmetric, named' '
	base renamed &&
	write_migration 002 t "CREATE TABLE t (x);" "ALTER TABLE t RENAME TO t_old;" &&
	test_expect_code 1 runner verify >out &&
	test_grep "^    added table t_old$" out
'

test_done
