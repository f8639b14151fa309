#!/bin/bash
# t0971-lint-pg: lint reads PostgreSQL migrations with PostgreSQL's lexer
# and rules when --db or DATABASE_URL names a PostgreSQL database, and it
# never connects to it.

. "$(dirname "$0")/lib.sh"

PGURL="postgres://app:s3cret@/app?host=$TRASH_DIRECTORY/nowhere"

# A plpgsql history: functions, triggers, DO blocks, an SQL-standard body,
# dollar quotes with tags, E'' strings, nested comments.
test_expect_success 'setup: a plpgsql corpus' '
	fresh corpus &&
	write_migration 001 tables "CREATE TABLE accounts (id bigserial PRIMARY KEY, balance numeric NOT NULL DEFAULT 0);
CREATE TABLE audit (id bigserial PRIMARY KEY, what text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE INDEX audit_at ON audit (at);" "DROP TABLE audit;
DROP TABLE accounts;" &&
	write_migration 002 functions "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    NEW.at := now();
    DELETE FROM audit;
    RETURN NEW;
END;
\$\$;
CREATE TRIGGER audit_touch BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION balance_of(a bigint) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT balance FROM accounts WHERE id = a;
END;
CREATE PROCEDURE settle() LANGUAGE plpgsql AS \$body\$
BEGIN
    UPDATE accounts SET balance = 0;
    COMMIT;
END
\$body\$;" "DROP PROCEDURE settle();
DROP FUNCTION balance_of(bigint);
DROP TRIGGER audit_touch ON audit;
DROP FUNCTION touch();" &&
	write_migration 003 roles "DO \$do\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = E'"'"'app\\'"'"'s'"'"') THEN
        EXECUTE '"'"'VACUUM; BEGIN; END'"'"';
    END IF;
END
\$do\$;
/* a /* nested */ comment: DROP TABLE audit; */
COMMENT ON TABLE audit IS '"'"'END; COMMIT;'"'"';" "SELECT 1;"
'

test_expect_success 'PostgreSQL rules: no warning at all in the corpus' '
	cd corpus &&
	runner --db "$PGURL" lint --strict >out 2>err &&
	test_equal "No warnings in 3 files." "$(cat out)" &&
	test_must_be_empty err
'

test_expect_success 'read as SQLite (the default), the corpus warns' '
	cd corpus &&
	test_expect_code 1 runner lint --strict >out &&
	test_grep "END cannot run inside the transaction" out
'

test_expect_success 'DATABASE_URL and .env pick the dialect too; --db wins' '
	cd corpus &&
	DATABASE_URL=$PGURL runner lint --strict >out &&
	test_grep "^No warnings" out &&
	echo "DATABASE_URL=$PGURL" >.env &&
	runner lint --strict >out &&
	test_grep "^No warnings" out &&
	test_expect_code 1 runner --db app.db lint --strict >out &&
	rm .env &&
	test_path_is_missing app.db
'

test_expect_success 'the engine'"'"'s rules, with file and line' '
	fresh rules &&
	write_migration 001 indexes "CREATE TABLE fresh (a int, b int);
CREATE INDEX fresh_a ON fresh (a);
CREATE INDEX CONCURRENTLY old_a ON old (a);
CREATE INDEX old_b ON public.old (b);
ALTER TABLE old ADD COLUMN c int NOT NULL, ADD COLUMN d int NOT NULL DEFAULT 0;
ALTER TABLE fresh ADD COLUMN e int NOT NULL;
VACUUM old;
PRAGMA journal_mode = WAL;" "DROP TABLE fresh;" &&
	printf -- "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY old_c ON old (c);\nVACUUM old;\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY old_c;\n" >migrations/002_concurrently.sql &&
	runner --db "$PGURL" lint >out &&
	cat >expect <<-\EOF &&
	migrations/001_indexes.sql:6: warning: CONCURRENTLY cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	migrations/001_indexes.sql:7: warning: CREATE INDEX without CONCURRENTLY blocks writes to '"'"'old'"'"' while it builds; use CREATE INDEX CONCURRENTLY in a transaction:false section
	migrations/001_indexes.sql:8: warning: ALTER TABLE ... ADD COLUMN c ... NOT NULL without a DEFAULT fails when '"'"'old'"'"' has rows
	migrations/001_indexes.sql:10: warning: VACUUM cannot run inside the transaction runner wraps this section in; add transaction:false to its marker
	4 warnings in 1 of 2 files.
	EOF
	test_cmp expect out &&
	runner lint >out &&
	test_grep "PRAGMA journal_mode cannot take effect" out &&
	test_grep ! "CONCURRENTLY" out
'

# A listener where libpq would connect: any connection is noted.
test_expect_success 'lint never connects: a server that notes connections sees none' '
	cd corpus &&
	note_connections "$TRASH_DIRECTORY/nowhere/.s.PGSQL.5432" \
		"$TRASH_DIRECTORY/connected" &&
	runner --db "$PGURL" lint >out 2>err &&
	test_grep "^No warnings" out &&
	! grep -q s3cret out err &&
	kill $listener &&
	{ wait $listener || :; } &&
	test_path_is_missing "$TRASH_DIRECTORY/connected"
'

test_done
