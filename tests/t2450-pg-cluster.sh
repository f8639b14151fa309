#!/bin/bash
# t2450-pg-cluster: status, verify and verify --live leave the PostgreSQL
# cluster exactly as they found it (roles, memberships, role and database
# settings, databases, tablespaces, default privileges, grants, ALTER
# SYSTEM), proved by snapshots of those catalogs taken before and after;
# status checks drift from the record with no scratch database (and no
# CREATEDB right); a killed verify's scratch database is dropped by the
# next command.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"

# snapshot: everything outside one database that a migration could change,
# and app's default privileges and grants; not scratch databases, which
# are checked apart.
snapshot () {
	psql_q app "SELECT 'role', rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolinherit, rolconnlimit FROM pg_roles ORDER BY 2" &&
	psql_q app "SELECT 'member', r.rolname, m.rolname, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member ORDER BY 2, 3" &&
	psql_q app "SELECT 'setting', coalesce(d.datname, '-'), coalesce(r.rolname, '-'), s.setconfig FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole ORDER BY 2, 3" &&
	psql_q app "SELECT 'database', datname, pg_get_userbyid(datdba), datacl, datallowconn FROM pg_database WHERE datname NOT LIKE 'runner\\_scratch\\_%' ORDER BY 2" &&
	psql_q app "SELECT 'tablespace', spcname, spcacl FROM pg_tablespace ORDER BY 2" &&
	psql_q app "SELECT 'default acl', defaclrole::regrole, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 2, 3" &&
	psql_q app "SELECT 'grant', relname, relacl FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relacl IS NOT NULL ORDER BY 2" &&
	echo "auto.conf:" && as_pg cat "$PG_DIR/data/postgresql.auto.conf"
}

scratch_count () {
	psql_q app "SELECT count(*) FROM pg_database WHERE datname LIKE 'runner\\_scratch\\_%'"
}

# cluster_migrations DIR: migrations that change the cluster, every way.
cluster_migrations () {
	MIGDIR=$1/migrations write_migration 001 tables "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);" "DROP TABLE users;" &&
	MIGDIR=$1/migrations write_migration 002 roles "CREATE ROLE t2450_reader LOGIN CREATEDB;
CREATE ROLE t2450_group;
GRANT t2450_group TO t2450_reader;
ALTER ROLE t2450_reader SET work_mem = '64MB';
ALTER DATABASE app SET statement_timeout = '5s';
GRANT SELECT ON users TO t2450_reader;
GRANT CONNECT ON DATABASE app TO t2450_reader;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO t2450_reader;
ALTER ROLE postgres CONNECTION LIMIT 50;" "ALTER ROLE postgres CONNECTION LIMIT -1;
ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM t2450_reader;
REVOKE CONNECT ON DATABASE app FROM t2450_reader;
REVOKE SELECT ON users FROM t2450_reader;
ALTER DATABASE app RESET statement_timeout;
DROP ROLE t2450_group;
DROP ROLE t2450_reader;" &&
	mkdir -p "$1/migrations" &&
	printf -- "-- migrate:up transaction:false\nALTER SYSTEM SET work_mem = '32MB';\nCREATE INDEX CONCURRENTLY users_name ON users (name);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY users_name;\nALTER SYSTEM RESET work_mem;\n" >"$1/migrations/003_system.sql" &&
	printf -- "-- migrate:up transaction:false\nCREATE DATABASE t2450_extra;\n-- migrate:down transaction:false\nDROP DATABASE t2450_extra;\n" >"$1/migrations/004_database.sql" &&
	printf -- "-- migrate:up transaction:false\nCREATE ROLE t2450_late;\n-- migrate:down transaction:false\nDROP ROLE t2450_late;\n" >"$1/migrations/005_role_notx.sql" &&
	MIGDIR=$1/migrations write_migration 006 dynamic "DO \$\$ BEGIN EXECUTE 'CREATE ROLE t2450_dynamic'; END \$\$;
CREATE TABLE later (id int);" "DROP TABLE later;
DROP ROLE t2450_dynamic;"
}

test_expect_success 'setup: an applied database, and migrations that change the cluster' '
	pg_newdb app &&
	pg_setup_story &&
	runner --db "$(pg_url app)" migrate >out &&
	cluster_migrations cluster
'

test_expect_success 'verify runs them without changing the cluster, and says what it did not check' '
	snapshot >before &&
	test_expect_code 0 runner --db "$(pg_url app)" --dir cluster/migrations verify >out &&
	cat >expect <<-\EOF &&
	ok           001 tables
	ok           002 roles
	not checked  003 system
	  cluster/migrations/003_system.sql:2: changes cluster-wide objects (server settings (ALTER SYSTEM)) in a transaction:false section: not run in the scratch database, which could not undo it
	not checked  004 database
	  cluster/migrations/004_database.sql:2: changes cluster-wide objects (databases) in a transaction:false section: not run in the scratch database, which could not undo it
	not checked  005 role_notx
	  cluster/migrations/005_role_notx.sql:2: changes cluster-wide objects (roles) in a transaction:false section: not run in the scratch database, which could not undo it
	ok           006 dynamic
	6 migrations, 3 checked: 3 ok, 3 not checked (cluster-wide changes).
	EOF
	test_cmp expect out &&
	snapshot >after &&
	test_cmp before after &&
	test_equal 0 "$(scratch_count)"
'

test_expect_success 'verify --live too' '
	snapshot >before &&
	runner --db "$(pg_url app)" verify --live >out &&
	test_grep "^No schema drift" out &&
	snapshot >after &&
	test_cmp before after
'

# The issue's case: a migration sets a role's setting, the DBA changes it
# later; checking drift must not set it back, with a record or without.
test_expect_success 'setup: a role setting set by a migration, then changed by hand' '
	psql_q app "CREATE ROLE t2450_app" &&
	write_migration 004 app_settings "ALTER ROLE t2450_app SET work_mem = '"'64MB'"';
GRANT SELECT ON users TO t2450_app;" "ALTER ROLE t2450_app RESET work_mem;
REVOKE SELECT ON users FROM t2450_app;" &&
	runner --db "$(pg_url app)" migrate >out &&
	psql_q app "ALTER ROLE t2450_app SET work_mem = '"'128MB'"'"
'

test_expect_success 'status and verify keep the DBA'"'"'s setting' '
	snapshot >before &&
	test_grep "t2450_app|{work_mem=128MB}" before &&
	runner --db "$(pg_url app)" status >out &&
	test_grep "^Database is up to date!$" out &&
	runner --db "$(pg_url app)" status --json >out &&
	runner --db "$(pg_url app)" verify --live >out &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'without a record, status replays, contained: the setting stays' '
	psql_q app "DROP TABLE schema_migrations_drift" &&
	snapshot >before &&
	runner --db "$(pg_url app)" status >out &&
	test_grep "^No drift record to use" out &&
	test_grep ! "Schema drift not checked" out &&
	snapshot >after &&
	test_cmp before after &&
	test_equal 0 "$(scratch_count)" &&
	runner --db "$(pg_url app)" rollback --yes --no-backup >out &&
	runner --db "$(pg_url app)" migrate >out &&
	psql_q app "ALTER ROLE t2450_app SET work_mem = '"'128MB'"'"
'

test_expect_success 'status needs no scratch database and no CREATEDB: drift from the record' '
	psql_q app "CREATE ROLE t2450_plain LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO t2450_plain" &&
	url="postgres://t2450_plain@/app?host=$PG_DIR" &&
	runner --db "$url" status --json >out.json &&
	python3 -c "import json,sys; d = json.load(open(\"out.json\"))[\"drift\"]; sys.exit(0 if d[\"checked\"] and d[\"source\"] == \"record\" else 1)" &&
	psql_q app "CREATE TABLE audit (x int); GRANT SELECT ON audit TO t2450_plain" &&
	test_expect_code 1 runner --db "$url" status --exit-code >out &&
	test_grep "^  added table audit$" out &&
	psql_q app "DROP TABLE audit" &&
	test_equal 0 "$(scratch_count)"
'

test_expect_success 'a GRANT by hand moves the fingerprint, but is no drift' '
	psql_q app "GRANT SELECT ON posts TO t2450_app" &&
	runner --db "$(pg_url app)" status --exit-code >out &&
	psql_q app "REVOKE SELECT ON posts FROM t2450_app"
'

# Sessions that sleep in a scratch database: a verify stopped in the middle.
SLEEPERS="FROM pg_stat_activity WHERE query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid() AND datname LIKE 'runner\\_scratch\\_%'"

# wait_query QUERY VALUE: until QUERY in app gives VALUE (lib.sh's
# wait_until: RUNNER_TIMEOUT at most).
wait_query () {
	wait_until query_gives "$1" "$2"
}

query_gives () {
	test "$(psql_q app "$1")" = "$2"
}

test_expect_success 'a verify killed with kill -9 changes nothing, and the next command drops its scratch database' '
	fresh killed &&
	cluster_migrations . &&
	MIGDIR=migrations write_migration 007 slow "CREATE ROLE t2450_killed; SELECT pg_sleep(30);" "DROP ROLE t2450_killed;" &&
	snapshot >before &&
	{ "$RUNNER" --db "$(pg_url app)" verify >out 2>err & } &&
	pid=$! &&
	wait_query "SELECT count(*) $SLEEPERS" 1 &&
	test_equal 1 "$(scratch_count)" &&
	kill -9 $pid &&
	{ wait $pid || :; } &&
	wait_query "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND classid = 1920298606" 0 &&
	runner --db "$(pg_url app)" status >out &&
	test_equal 0 "$(scratch_count)" &&
	wait_query "SELECT count(*) $SLEEPERS" 0 &&
	snapshot >after &&
	test_cmp before after &&
	test_equal 0 "$(psql_q app "SELECT count(*) FROM pg_roles WHERE rolname = '"'t2450_killed'"'")"
'

test_expect_success 'scratch databases: a live one is left alone, an older release'"'"'s is dropped' '
	psql_q postgres "CREATE DATABASE runner_scratch_123_456" &&
	psql_q postgres "CREATE DATABASE runner_scratch_77" &&
	{ psql_q app "SELECT pg_advisory_lock(1920298606, 77), pg_sleep(30)" >/dev/null 2>&1 & } &&
	holder=$! &&
	wait_query "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND classid = 1920298606 AND objid = 77" 1 &&
	runner --db "$(pg_url app)" status >out &&
	test_equal "runner_scratch_77" "$(psql_q app "SELECT datname FROM pg_database WHERE datname LIKE '"'runner\\_scratch\\_%'"'")" &&
	kill $holder &&
	psql_q app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '"'%pg_advisory_lock(1920298606, 77)%'"' AND pid <> pg_backend_pid()" >/dev/null &&
	wait_query "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND classid = 1920298606" 0 &&
	runner --db "$(pg_url app)" status >out &&
	test_equal 0 "$(scratch_count)"
'

test_done
