#!/bin/bash
# t2060-pg-layouts: what the layouts mean on PostgreSQL only: each tool's
# way of leaving the transaction out (sqlx's -- no-transaction, diesel's
# run_in_transaction, Flyway's executeInTransaction, goose's NO
# TRANSACTION) for CREATE INDEX CONCURRENTLY, and goose's ENVSUB beside
# PL/pgSQL's $$ quotes. The layouts themselves: shared-layouts.sh.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

# concurrently DB: the index was built, by CREATE INDEX CONCURRENTLY.
concurrently () {
	test_equal t "$(psql_q "$1" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_x'::regclass")"
}

test_expect_success 'sqlx: -- no-transaction runs CREATE INDEX CONCURRENTLY' '
	pg_newdb sx && fresh sqlx &&
	mkdir migrations &&
	echo "CREATE TABLE big (x int);" >migrations/1_big.up.sql &&
	echo "DROP TABLE big;" >migrations/1_big.down.sql &&
	printf -- "-- no-transaction\nCREATE INDEX CONCURRENTLY big_x ON big (x);\n" >migrations/2_idx.up.sql &&
	printf -- "-- no-transaction\nDROP INDEX CONCURRENTLY big_x;\n" >migrations/2_idx.down.sql &&
	runner --db "$(pg_url sx)" migrate >out &&
	concurrently sx &&
	runner --db "$(pg_url sx)" rollback --yes --no-backup >out &&
	! pg_table_exists sx big_x &&
	sed -i 1d migrations/2_idx.up.sql &&
	test_expect_code 1 runner --db "$(pg_url sx)" migrate >out 2>err &&
	test_grep "^runner: migrations/2_idx.up.sql:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block" err
'

test_expect_success 'diesel: run_in_transaction = false in metadata.toml' '
	pg_newdb di && fresh diesel &&
	mkdir -p migrations/2020-01-01-000000_big migrations/2020-01-02-000000_idx &&
	echo "CREATE TABLE big (x int);" >migrations/2020-01-01-000000_big/up.sql &&
	echo "CREATE INDEX CONCURRENTLY big_x ON big (x);" >migrations/2020-01-02-000000_idx/up.sql &&
	echo "DROP INDEX CONCURRENTLY big_x;" >migrations/2020-01-02-000000_idx/down.sql &&
	echo "run_in_transaction = false" >migrations/2020-01-02-000000_idx/metadata.toml &&
	runner --db "$(pg_url di)" migrate >out &&
	concurrently di &&
	runner --db "$(pg_url di)" rollback --yes --no-backup >out &&
	! pg_table_exists di big_x
'

test_expect_success 'Flyway: executeInTransaction=false in the .sql.conf' '
	pg_newdb fw && fresh flyway &&
	mkdir migrations &&
	echo "CREATE TABLE big (x int);" >migrations/V1__big.sql &&
	echo "CREATE INDEX CONCURRENTLY big_x ON big (x);" >migrations/V1.1__idx.sql &&
	echo "executeInTransaction=false" >migrations/V1.1__idx.sql.conf &&
	runner --db "$(pg_url fw)" migrate >out &&
	concurrently fw &&
	test_equal "1 1.1" "$(psql_q fw "SELECT version FROM schema_migrations ORDER BY id" | xargs)"
'

test_expect_success 'goose: NO TRANSACTION, and ENVSUB beside a $$-quoted function' '
	pg_newdb go && fresh goose &&
	mkdir migrations &&
	cat >migrations/00001_fn.sql <<-\EOF &&
	-- +goose Up
	-- +goose StatementBegin
	CREATE FUNCTION greet() RETURNS text AS $$
	-- +goose ENVSUB ON
	BEGIN RETURN '"'"'hello ${GREETEE}'"'"'; END;
	-- +goose ENVSUB OFF
	$$ LANGUAGE plpgsql;
	-- +goose StatementEnd
	CREATE TABLE big (x int);
	-- +goose Down
	DROP TABLE big;
	DROP FUNCTION greet();
	EOF
	printf -- "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY big_x ON big (x);\n-- +goose Down\nDROP INDEX CONCURRENTLY big_x;\n" >migrations/00002_idx.sql &&
	GREETEE=world runner --db "$(pg_url go)" migrate >out &&
	test_equal "hello world" "$(psql_q go "SELECT greet()")" &&
	concurrently go &&
	GREETEE=world runner --db "$(pg_url go)" rollback --yes --no-backup --all >out &&
	! pg_table_exists go big &&
	pg_dump_db go >before &&
	test_expect_code 1 runner --db "$(pg_url go)" migrate >out 2>err &&
	test_grep "^runner: migrations/00001_fn.sql:5: ENVSUB: variable .GREETEE. is not set" err &&
	pg_dump_db go >after &&
	test_cmp before after
'

test_done
