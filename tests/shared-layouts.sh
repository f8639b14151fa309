# tests/shared-layouts.sh: every migration layout runner reads (its own,
# dbmate's, goose's, golang-migrate's, sqlx's, diesel's, Flyway's), from
# folders written as those tools write them, on each driver. Sourced by
# shared-commands.sh, so t0350 (SQLite) and t2050 (PostgreSQL) run it.
# The SQL is the common dialect of both engines.

# lay_applied NAME: the applied versions in the order they were applied.
lay_applied () {
	db_q "$1" "SELECT version FROM schema_migrations ORDER BY id"
}

# lay_cycle LAYOUT VERSIONS TABLES: in ./migrations (the cwd is the
# layout's folder), migrate applies VERSIONS in that order and makes
# TABLES; status is up to date and names the layout; verify passes;
# rollback --all undoes everything; migrate again redoes it.
lay_cycle () {
	local db="lay_$(echo "$1" | tr -d -)" t
	db_new "$db" &&
	runner --db "$(db_url "$db")" migrate >out 2>err &&
	test_equal "$2" "$(lay_applied "$db" | xargs)" &&
	for t in $3
	do
		db_has "$db" "$t" || return 1
	done &&
	runner --db "$(db_url "$db")" status --exit-code >out &&
	test_grep "^Database is up to date!" out &&
	runner --db "$(db_url "$db")" status --json >out.json &&
	json_layout out.json "$1" &&
	runner --db "$(db_url "$db")" verify >out &&
	runner --db "$(db_url "$db")" rollback --yes --all --no-backup >out &&
	test_equal "" "$(lay_applied "$db" | xargs)" &&
	for t in $3
	do
		! db_has "$db" "$t" || return 1
	done &&
	runner --db "$(db_url "$db")" -q migrate &&
	test_equal "$2" "$(lay_applied "$db" | xargs)"
}

# json_layout FILE LAYOUT: status --json says the folder is in LAYOUT.
json_layout () {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	got = [l["layout"] for l in j["layouts"]]
	if got != [sys.argv[2]]:
	    print("json_layout: layouts %r, expected [%r]" % (got, sys.argv[2]), file=sys.stderr)
	    sys.exit(1)
	EOF
}

test_expect_success 'layouts: runner'"'"'s own (dbmate markers, goose markers mixed in)' '
	fresh lay-runner &&
	write_migration 001 a "CREATE TABLE lr_a (x int);" "DROP TABLE lr_a;" &&
	printf -- "-- +goose Up\nCREATE TABLE lr_b (x int);\n-- +goose Down\nDROP TABLE lr_b;\n" >migrations/002_b.sql &&
	write_migration 003 c "INSERT INTO lr_a VALUES (1);" "DELETE FROM lr_a WHERE x = 1;" &&
	lay_cycle runner "001 002 003" "lr_a lr_b"
'

test_expect_success 'layouts: dbmate, timestamps and 0000-name.sql' '
	fresh lay-dbmate &&
	mkdir migrations &&
	printf -- "-- migrate:up\nCREATE TABLE ld_a (x int);\n\n-- migrate:down\nDROP TABLE ld_a;\n" >migrations/20200101000000_a.sql &&
	printf -- "-- migrate:up transaction:false\nCREATE TABLE ld_b (x int);\n-- migrate:down\nDROP TABLE ld_b;\n" >migrations/20200102000000-b.sql &&
	printf -- "-- migrate:up\n-- migrate:down\nSELECT 1;\n" >migrations/20200103000000_empty.sql &&
	lay_cycle dbmate "20200101000000 20200102000000 20200103000000" "ld_a ld_b" &&
	test_grep "20200103000000_empty.sql: the up section is empty" err
'

test_expect_success 'layouts: goose, annotations in any case, StatementBegin, ENVSUB, an empty Down' '
	fresh lay-goose &&
	mkdir migrations &&
	cat >migrations/00001_a.sql <<-\EOF &&
	-- +goose up
	-- +goose StatementBegin
	CREATE TABLE lg_a (x int, note text);
	-- +goose statementend

	-- +goose DOWN
	DROP TABLE lg_a;
	EOF
	cat >migrations/00002_b.sql <<-\EOF &&
	-- +goose Up
	-- +goose ENVSUB ON
	INSERT INTO lg_a VALUES (2, '"'"'${LAY_NOTE:-none} ${LAY_SET}'"'"');
	-- +goose ENVSUB OFF
	INSERT INTO lg_a VALUES (3, '"'"'$$ ${LAY_SET}'"'"');
	-- +goose Down
	EOF
	LAY_SET=x lay_cycle goose "00001 00002" "lg_a" &&
	test_equal "2|none x 3|\$\$ \${LAY_SET}" "$(db_q lay_goose "SELECT x, note FROM lg_a ORDER BY x" | xargs)"
'

test_expect_success 'layouts: golang-migrate pairs; an empty down file is a no-op down' '
	fresh lay-gm &&
	mkdir migrations &&
	echo "CREATE TABLE lm_a (x int);" >migrations/000001_a.up.sql &&
	echo "DROP TABLE lm_a;" >migrations/000001_a.down.sql &&
	echo "CREATE TABLE lm_b (x int);" >migrations/000002_b.up.sql &&
	echo "DROP TABLE lm_b;" >migrations/000002_b.down.sql &&
	echo "INSERT INTO lm_a VALUES (1);" >migrations/000003_c.up.sql &&
	: >migrations/000003_c.down.sql &&
	lay_cycle golang-migrate "000001 000002 000003" "lm_a lm_b"
'

test_expect_success 'layouts: a pair'"'"'s checksum covers both files' '
	cd lay-gm &&
	echo "-- edited" >>migrations/000002_b.down.sql &&
	test_expect_code 1 runner --db "$(db_url lay_golangmigrate)" status --exit-code >out &&
	test_grep "^  \[!\] 000002: b" out &&
	db_dump lay_golangmigrate >before &&
	test_expect_code 1 runner --db "$(db_url lay_golangmigrate)" migrate >out 2>err &&
	test_grep "000002_b.up.sql" err &&
	db_dump lay_golangmigrate >after &&
	test_cmp before after
'

test_expect_success 'layouts: sqlx, pairs and up-only files; an up-only file is irreversible' '
	fresh lay-sqlx &&
	mkdir migrations &&
	echo "-- Add up migration script here" >migrations/20200101000000_a.up.sql &&
	echo "CREATE TABLE lx_a (x int);" >>migrations/20200101000000_a.up.sql &&
	echo "DROP TABLE lx_a;" >migrations/20200101000000_a.down.sql &&
	printf -- "-- no-transaction\nCREATE TABLE lx_b (x int);\n" >migrations/20200102000000_b.sql &&
	db_new lay_sqlx &&
	runner --db "$(db_url lay_sqlx)" migrate >out &&
	test_equal "20200101000000 20200102000000" "$(lay_applied lay_sqlx | xargs)" &&
	db_has lay_sqlx lx_b &&
	runner --db "$(db_url lay_sqlx)" status --json >out.json &&
	json_layout out.json sqlx &&
	db_dump lay_sqlx >before &&
	test_expect_code 1 runner --db "$(db_url lay_sqlx)" rollback --yes --all >out 2>err &&
	test_grep "20200102000000.*irreversible" err &&
	db_dump lay_sqlx >after &&
	test_cmp before after
'

test_expect_success 'layouts: diesel folders; its 00000000000000 setup is version 0, kept by rollback 0' '
	fresh lay-diesel &&
	mkdir -p migrations/00000000000000_diesel_initial_setup migrations/2020-01-01-000000_a migrations/2020-01-02-000000_b &&
	echo "CREATE TABLE ldi_setup (x int);" >migrations/00000000000000_diesel_initial_setup/up.sql &&
	echo "DROP TABLE ldi_setup;" >migrations/00000000000000_diesel_initial_setup/down.sql &&
	echo "CREATE TABLE ldi_a (x int);" >migrations/2020-01-01-000000_a/up.sql &&
	echo "DROP TABLE ldi_a;" >migrations/2020-01-01-000000_a/down.sql &&
	echo "INSERT INTO ldi_a VALUES (1);" >migrations/2020-01-02-000000_b/up.sql &&
	echo "-- This file should undo anything in \`up.sql\`" >migrations/2020-01-02-000000_b/down.sql &&
	echo "run_in_transaction = true" >migrations/2020-01-02-000000_b/metadata.toml &&
	touch migrations/.keep &&
	lay_cycle diesel "00000000000000 20200101000000 20200102000000" "ldi_setup ldi_a" &&
	runner --db "$(db_url lay_diesel)" rollback --yes --no-backup 0 >out &&
	test_equal "00000000000000" "$(lay_applied lay_diesel | xargs)" &&
	db_has lay_diesel ldi_setup
'

test_expect_success 'layouts: Flyway, V and U files, versions part by part, placeholders' '
	fresh lay-flyway &&
	mkdir migrations &&
	echo "CREATE TABLE \${tbl} (x int);" >migrations/V1__create_a.sql &&
	echo "DROP TABLE \${tbl};" >migrations/U1__create_a.sql &&
	echo "CREATE TABLE lf_b (x int);" >migrations/V1_1__b.sql &&
	echo "DROP TABLE lf_b;" >migrations/U1_1__b.sql &&
	echo "CREATE TABLE lf_c (x int);" >migrations/V1.10__c.sql &&
	echo "DROP TABLE lf_c;" >migrations/U1.10__c.sql &&
	echo "INSERT INTO lf_b VALUES (2); -- \${flyway:filename}" >migrations/V1.2__d.sql &&
	echo "DELETE FROM lf_b;" >migrations/U1.2__d.sql &&
	FLYWAY_PLACEHOLDERS_TBL=lf_a lay_cycle flyway "1 1.1 1.2 1.10" "lf_a lf_b lf_c" &&
	FLYWAY_PLACEHOLDERS_TBL=lf_a runner --db "$(db_url lay_flyway)" rollback --yes --no-backup 1_1 >out &&
	test_equal "1 1.1" "$(lay_applied lay_flyway | xargs)" &&
	! db_has lay_flyway lf_c
'

test_expect_success 'layouts: Flyway'"'"'s ${flyway:table} is the tracking table, --table'"'"'s name too' '
	fresh lay-flyway-table &&
	mkdir migrations &&
	echo "CREATE TABLE lft (name varchar(64));" >migrations/V1__t.sql &&
	echo "INSERT INTO lft VALUES ('"'"'\${flyway:table}'"'"');" >migrations/V2__name.sql &&
	echo "DELETE FROM lft;" >migrations/U2__name.sql &&
	db_new lay_flyway_table &&
	runner --db "$(db_url lay_flyway_table)" --table lft_history migrate >out &&
	test_equal lft_history "$(db_q lay_flyway_table "SELECT name FROM lft")" &&
	runner --db "$(db_url lay_flyway_table)" --table lft_history rollback --yes --no-backup >out &&
	runner --db "$(db_url lay_flyway_table)" --table lft_history migrate >out &&
	test_equal lft_history "$(db_q lay_flyway_table "SELECT name FROM lft")" &&
	db_new lay_flyway_table2 &&
	runner --db "$(db_url lay_flyway_table2)" migrate >out &&
	test_equal schema_migrations "$(db_q lay_flyway_table2 "SELECT name FROM lft")"
'

test_expect_success 'layouts: a bad folder changes nothing, on every engine' '
	cd lay-flyway &&
	db_dump lay_flyway >before &&
	echo "SELECT 1;" >migrations/R__views.sql &&
	test_expect_code 1 runner --db "$(db_url lay_flyway)" migrate >out 2>err &&
	test_grep "R__views.sql. is a Flyway repeatable migration" err &&
	rm migrations/R__views.sql &&
	test_expect_code 1 runner --db "$(db_url lay_flyway)" migrate >out 2>err &&
	test_grep "no value for the Flyway placeholder .\${tbl}." err &&
	db_dump lay_flyway >after &&
	test_cmp before after
'

test_expect_success 'layouts: two folders of two layouts, merged by version' '
	fresh lay-two &&
	mkdir -p a b &&
	printf -- "-- migrate:up\nCREATE TABLE l2_a (x int);\n-- migrate:down\nDROP TABLE l2_a;\n" >a/001_a.sql &&
	echo "CREATE TABLE l2_b (x int);" >b/002_b.up.sql &&
	echo "DROP TABLE l2_b;" >b/002_b.down.sql &&
	printf -- "-- migrate:up\nINSERT INTO l2_b VALUES (3);\n" >a/003_c.sql &&
	db_new lay_two &&
	runner --db "$(db_url lay_two)" --dir a --dir b migrate >out &&
	test_equal "001 002 003" "$(lay_applied lay_two | xargs)" &&
	MIGRATIONS_DIR=a:b runner --db "$(db_url lay_two)" status --exit-code >out &&
	test_grep "Database is up to date!" out
'
