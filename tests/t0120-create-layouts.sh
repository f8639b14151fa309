#!/bin/bash
# t0120-create-layouts: create-migration writes the folder's own layout,
# with the next version in that layout's numbering; --layout for a new
# folder; its templates are empty no-ops that block no command.

. "$(dirname "$0")/lib.sh"

# layout_of: the layout status --json says the folder is in.
layout_of () {
	runner status --json >out.json &&
	python3 -c 'import json; print(" ".join(l["layout"] for l in json.load(open("out.json"))["layouts"]))'
}

test_expect_success 'goose: goose markers, the next sequential version' '
	fresh goose &&
	mkdir migrations &&
	printf -- "-- +goose Up\nCREATE TABLE a (x);\n-- +goose Down\nDROP TABLE a;\n" >migrations/00001_a.sql &&
	runner create-migration "Add B" >out &&
	test_equal "migrations/00002_add_b.sql" "$(cat out)" &&
	test_grep "^-- +goose Up$" migrations/00002_add_b.sql &&
	test_grep "^-- +goose Down$" migrations/00002_add_b.sql &&
	test_grep ! "migrate:" migrations/00002_add_b.sql &&
	test_equal goose "$(layout_of)" &&
	runner migrate >out 2>err &&
	test_grep "00002_add_b.sql: the up section is empty" err &&
	runner rollback --yes >out &&
	test_equal "00001" "$(applied)"
'

test_expect_success 'golang-migrate: an empty up and down pair, the width kept' '
	fresh gm &&
	mkdir migrations &&
	echo "CREATE TABLE a (x);" >migrations/000007_a.up.sql &&
	echo "DROP TABLE a;" >migrations/000007_a.down.sql &&
	runner create-migration b >out &&
	printf "migrations/000008_b.up.sql\nmigrations/000008_b.down.sql\n" >expect &&
	test_cmp expect out &&
	test_must_be_empty migrations/000008_b.up.sql &&
	test_must_be_empty migrations/000008_b.down.sql &&
	test_equal golang-migrate "$(layout_of)" &&
	runner migrate >out 2>err &&
	runner rollback --yes >out &&
	test_equal "000007" "$(applied)"
'

test_expect_success 'golang-migrate: an unpadded folder (1, 2, ... 10) gets no zeros' '
	fresh gm-unpadded &&
	mkdir migrations &&
	for v in 1 2 3 4 5 6 7 8 9 10
	do
		echo "CREATE TABLE t$v (x);" >migrations/${v}_t$v.up.sql &&
		echo "DROP TABLE t$v;" >migrations/${v}_t$v.down.sql || return 1
	done &&
	runner create-migration b >out &&
	printf "migrations/11_b.up.sql\nmigrations/11_b.down.sql\n" >expect &&
	test_cmp expect out &&
	fresh gm-one &&
	mkdir migrations &&
	echo "CREATE TABLE a (x);" >migrations/1_a.up.sql &&
	echo "DROP TABLE a;" >migrations/1_a.down.sql &&
	runner create-migration b >out &&
	printf "migrations/2_b.up.sql\nmigrations/2_b.down.sql\n" >expect &&
	test_cmp expect out &&
	runner migrate >out 2>err &&
	printf "1\n2\n" >expect &&
	applied >actual &&
	test_cmp expect actual
'

test_expect_success 'sqlx: a pair after a pair, an up-only file after an up-only file' '
	fresh sqlx &&
	mkdir migrations &&
	echo "CREATE TABLE a (x);" >migrations/20200101000000_a.sql &&
	runner create-migration b >out &&
	v=$(sed -n "s|^migrations/\([0-9]*\)_b.sql$|\1|p" out) &&
	test ${#v} -eq 14 &&
	test_equal "-- Add migration script here" "$(cat migrations/${v}_b.sql)" &&
	test_equal sqlx "$(layout_of)" &&
	fresh sqlx-pairs &&
	mkdir migrations &&
	echo "CREATE TABLE c (x);" >migrations/20200101000000_c.sql &&
	echo "CREATE TABLE a (x);" >migrations/20200102000000_a.up.sql &&
	echo "DROP TABLE a;" >migrations/20200102000000_a.down.sql &&
	runner create-migration b >out &&
	test_line_count = 2 out &&
	test_grep "_b.up.sql$" out &&
	test_grep "^-- Add down migration script here$" migrations/*_b.down.sql
'

test_expect_success 'diesel: a folder named by the UTC time, up.sql and down.sql' '
	fresh diesel &&
	mkdir -p migrations/00000000000000_diesel_initial_setup &&
	echo "SELECT 1;" >migrations/00000000000000_diesel_initial_setup/up.sql &&
	before=$(date -u +%Y%m%d%H%M%S) &&
	runner create-migration create_users >out &&
	after=$(date -u +%Y%m%d%H%M%S) &&
	d=$(sed -n "s|^migrations/\([0-9-]*\)_create_users/up.sql$|\1|p" out) &&
	test_grep "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9]\{6\}$" <(echo "$d") &&
	v=$(echo "$d" | tr -d -) &&
	test "$v" -ge "$before" && test "$v" -le "$after" &&
	test_grep "^migrations/${d}_create_users/down.sql$" out &&
	test_equal "-- Your SQL goes here" "$(cat migrations/${d}_create_users/up.sql)" &&
	test_equal diesel "$(layout_of)" &&
	runner migrate >out 2>err &&
	test_equal "00000000000000 $v" "$(sql app.db "SELECT version FROM schema_migrations ORDER BY id" | xargs)"
'

test_expect_success 'Flyway: the last part of the highest version goes up; an undo file when the newest has one' '
	fresh flyway &&
	mkdir migrations &&
	echo "CREATE TABLE a (x);" >migrations/V1.9__a.sql &&
	echo "CREATE TABLE b (x);" >migrations/V1.10__b.sql &&
	echo "DROP TABLE b;" >migrations/U1.10__b.sql &&
	runner create-migration c >out &&
	printf "migrations/V1.11__c.sql\nmigrations/U1.11__c.sql\n" >expect &&
	test_cmp expect out &&
	test_equal flyway "$(layout_of)" &&
	runner migrate >out 2>err &&
	test_equal "1.9 1.10 1.11" "$(sql app.db "SELECT version FROM schema_migrations ORDER BY id" | xargs)" &&
	runner rollback --yes >out &&
	test_equal "1.9 1.10" "$(sql app.db "SELECT version FROM schema_migrations ORDER BY id" | xargs)"
'

test_expect_success 'dbmate: timestamps and the bare template' '
	fresh dbmate &&
	mkdir migrations &&
	printf -- "-- migrate:up\nCREATE TABLE a (x);\n" >migrations/20200101000000-a.sql &&
	runner create-migration b >out &&
	f=$(cat out) &&
	test_equal "$(printf -- "-- migrate:up\n\n\n-- migrate:down")" "$(cat "$f")" &&
	test_equal dbmate "$(layout_of)"
'

test_expect_success '--layout for a new folder: each layout is read back as itself' '
	for l in runner dbmate goose golang-migrate sqlx diesel flyway
	do
		fresh "new-$l" &&
		runner create-migration --layout "$l" first >out &&
		runner create-migration second >>out &&
		test_line_count -ge 2 out &&
		test_equal "$l" "$(layout_of)" &&
		runner status --exit-code >/dev/null
		test $? = 1 &&
		runner migrate >migrate.out 2>err &&
		runner status --exit-code >/dev/null ||
		{ echo "failed for --layout $l" >&2; return 1; }
	done &&
	test_equal "migrations/V1__first.sql" "$(head -n 1 ../new-flyway/out)" &&
	test_equal "migrations/001_first.sql" "$(head -n 1 ../new-runner/out)"
'

test_expect_success '--layout that would mix layouts, or that is unknown, is refused' '
	cd goose &&
	ls migrations >before &&
	test_expect_code 2 runner create-migration --layout flyway c >out 2>err &&
	test_grep "^runner: migrations folder .migrations. is in goose.s layout; a flyway migration in it would mix layouts$" err &&
	test_expect_code 2 runner create-migration --layout nosuch c >out 2>err &&
	test_grep "^runner: unknown layout .nosuch." err &&
	test_grep "^usage: runner create-migration" err &&
	ls migrations >after &&
	test_cmp before after &&
	runner create-migration --layout dbmate c >out &&
	test_grep "^-- migrate:up$" "$(cat out)"
'

test_expect_success 'a folder runner cannot read gets no new file' '
	fresh mixed &&
	mkdir migrations &&
	echo "SELECT 1;" >migrations/1_a.up.sql &&
	echo "SELECT 1;" >migrations/V2__b.sql &&
	test_expect_code 1 runner create-migration c >out 2>err &&
	test_grep "mixes migration layouts" err &&
	test_equal "1_a.up.sql V2__b.sql" "$(ls migrations | xargs)"
'

test_expect_success 'several folders: the first gets the file, numbered above all' '
	fresh several &&
	mkdir a b &&
	printf -- "-- migrate:up\nCREATE TABLE a (x);\n" >a/001_a.sql &&
	echo "CREATE TABLE b (x);" >b/005_b.up.sql &&
	runner --dir a --dir b create-migration c >out &&
	test_equal "a/006_c.sql" "$(cat out)" &&
	runner --dir a --dir b migrate >out 2>err &&
	test_equal "001 005 006" "$(applied | xargs)"
'

test_done
