#!/bin/bash
# t1300-fleet: one command over many SQLite databases: globs, lists and
# DATABASE_URLS, a line per database, the summary and JSON, exit codes,
# the canary, --fail-fast, Ctrl-C, overlapping fleets, and the commands
# that run on a fleet.

. "$(dirname "$0")/lib.sh"

# tenants N...: t/N.db for each N, existing and empty of tables.
tenants () {
	mkdir -p t &&
	for n in "$@"
	do
		sql "t/$n.db" "PRAGMA user_version = 1" || return 1
	done
}

three_migrations () {
	write_migration 001 a "CREATE TABLE a (x);" "DROP TABLE a;" &&
	write_migration 002 b "CREATE TABLE b (x);" "DROP TABLE b;" &&
	write_migration 003 c "CREATE TABLE c (x);" "DROP TABLE c;"
}

test_expect_success 'a glob: each database migrated, a line each, a summary' '
	fresh glob &&
	three_migrations &&
	tenants acme beta gamma &&
	runner --db "t/*.db" migrate >out 2>err &&
	cat out &&
	test_grep "^ok t/acme.db: 3 applied ([0-9.]* m\{0,1\}s)$" out &&
	test_grep "^ok t/beta.db: 3 applied" out &&
	test_grep "^ok t/gamma.db: 3 applied" out &&
	test_grep "^3 ok of 3 databases in " out &&
	test_must_be_empty err &&
	for n in acme beta gamma
	do
		test_equal "001 002 003" "$(applied t/$n.db | xargs)" || return 1
	done
'

test_expect_success 'run again: each is up to date' '
	cd glob &&
	runner migrate --db "t/*.db" >out &&
	test_grep "^ok t/beta.db: up to date" out &&
	test_grep "^3 ok of 3 databases" out
'

test_expect_success '--db several times, before and after the command' '
	fresh several &&
	three_migrations &&
	tenants a b &&
	runner --db t/a.db migrate --db t/b.db >out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^ok t/b.db: 3 applied" out &&
	test_grep "^2 ok of 2 databases" out
'

test_expect_success '--db-list: a line each, # comments; - reads standard input' '
	fresh list &&
	three_migrations &&
	tenants a b c &&
	printf "# tenants\nt/a.db\n\n  t/b.db   # the second\n" >list &&
	runner --db-list list migrate >out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^ok t/b.db: 3 applied" out &&
	test_grep "^2 ok of 2 databases" out &&
	test_equal "" "$(applied t/c.db 2>/dev/null)" &&
	echo t/c.db | runner migrate --db-list - >out &&
	test_grep "^ok t/c.db: 3 applied" out &&
	test_grep "^1 ok of 1 database in" out
'

test_expect_success 'DATABASE_URLS, from the environment or .env, separated by blanks' '
	fresh urls &&
	three_migrations &&
	tenants a b c &&
	DATABASE_URLS="t/a.db
	t/b.db" runner migrate >out &&
	test_grep "^2 ok of 2 databases" out &&
	echo "DATABASE_URLS=\"t/b.db t/c.db\"" >.env &&
	runner migrate >out &&
	test_grep "^ok t/c.db: 3 applied" out &&
	test_grep "^ok t/b.db: up to date" out &&
	test_path_is_missing app.db
'

test_expect_success 'a database that does not exist: an error on its line, not created' '
	fresh missing &&
	three_migrations &&
	tenants a c &&
	printf "t/a.db\nt/typo.db\nt/c.db\n" >list &&
	test_expect_code 1 runner --db-list list migrate >out &&
	cat out &&
	test_grep "^FAILED t/typo.db: database .t/typo.db. does not exist" out &&
	test_grep "^2 ok, 1 failed of 3 databases" out &&
	test_grep "^Failed:" out &&
	test_grep "^  t/typo.db$" out &&
	test_path_is_missing t/typo.db &&
	test_equal "001 002 003" "$(applied t/c.db | xargs)" &&
	test_expect_code 1 runner --db-list list status >out &&
	test_grep "^FAILED t/typo.db: database .t/typo.db. does not exist" out &&
	test_path_is_missing t/typo.db
'

test_expect_success '--create: migrate creates the databases the list names' '
	cd missing &&
	runner --db-list list --create migrate >out &&
	test_grep "^ok t/typo.db: 3 applied" out &&
	test_equal "001 002 003" "$(applied t/typo.db | xargs)"
'

test_expect_success 'a glob that matches nothing, a list that cannot be read: on their lines' '
	fresh nomatch &&
	three_migrations &&
	tenants a &&
	test_expect_code 1 runner --db "t/*.db" --db "none/*.db" \
		--db-list nolist migrate >out &&
	cat out &&
	test_grep "^FAILED none/\*.db: the glob matches no file" out &&
	test_grep "^FAILED nolist: the list could not be read: No such file" out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^1 ok, 2 failed of 3 databases" out
'

test_expect_success 'one database named twice (two spellings, a link) runs once' '
	fresh dups &&
	write_migration 001 log "CREATE TABLE log (v); INSERT INTO log VALUES (1);" &&
	tenants a b &&
	ln -s a.db t/link.db &&
	test_expect_code 1 runner --db t/a.db --db ./t//a.db --db t/b.db \
		--db t/link.db --db t/x/../b.db migrate >out &&
	cat out &&
	test_grep "^FAILED ./t//a.db: the same database as .t/a.db.: run once" out &&
	test_grep "^FAILED t/link.db: the same database as .t/a.db." out &&
	test_grep "^FAILED t/x/../b.db: the same database as .t/b.db." out &&
	test_grep "^2 ok, 3 failed of 5 databases" out &&
	test_equal 1 "$(sql t/a.db "SELECT count(*) FROM log")"
'

test_expect_success 'a file that is not SQLite: its line says so, the file is untouched' '
	fresh notsqlite &&
	three_migrations &&
	tenants a &&
	echo "just text" >t/text.db &&
	before=$(db_sha t/text.db) &&
	test_expect_code 1 runner --db "t/*.db" migrate >out &&
	cat out &&
	test_grep "^FAILED t/text.db: .*not.*database" out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_equal "$before" "$(db_sha t/text.db)"
'

test_expect_success 'a database locked past --lock-timeout: skipped (locked), the others go on' '
	fresh locked &&
	three_migrations &&
	tenants a b c &&
	hold_run_lock t/b.db &&
	test_expect_code 1 runner --lock-timeout 0 --db "t/*.db" migrate >out
	rc=$?
	release_lock &&
	cat out &&
	test $rc = 0 &&
	test_grep "^skipped t/b.db (locked): " out &&
	test_grep "^2 ok, 1 skipped (locked) of 3 databases" out &&
	test_equal "" "$(applied t/b.db)" &&
	test_equal "001 002 003" "$(applied t/c.db | xargs)"
'

test_expect_success 'a bad migration: said once, before any database is touched' '
	fresh badfile &&
	three_migrations &&
	printf -- "-- migrate:up\nCREATE TABLE d (x);\n-- migrate:up\nx;\n" \
		>migrations/004_d.sql &&
	tenants a b &&
	sa=$(db_sha t/a.db) &&
	test_expect_code 1 runner --db "t/*.db" migrate >out 2>err &&
	cat err &&
	test_equal 1 "$(grep -c "004_d.sql" err)" &&
	test_must_be_empty out &&
	test_equal "$sa" "$(db_sha t/a.db)"
'

test_expect_success 'a migration that fails on one database: FAILED with file and line, the rest go on' '
	fresh onefails &&
	three_migrations &&
	tenants a b c &&
	sql t/b.db "CREATE TABLE b (x)" &&
	test_expect_code 1 runner -j 1 --db "t/*.db" migrate >out &&
	cat out &&
	test_grep "^FAILED t/b.db: 1 applied; migrations/002_b.sql:[0-9]*: .*already exists" out &&
	test_grep "^ok t/c.db: 3 applied" out &&
	test_grep "^2 ok, 1 failed of 3 databases" out &&
	test_equal "001" "$(applied t/b.db | xargs)"
'

test_expect_success '--fail-fast: no database starts after the first failure' '
	fresh failfast &&
	three_migrations &&
	tenants a b c d &&
	sql t/b.db "CREATE TABLE a (x)" &&
	test_expect_code 1 runner -j 1 --fail-fast --db "t/*.db" migrate >out &&
	cat out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^FAILED t/b.db: " out &&
	test_grep "^skipped t/c.db (--fail-fast)$" out &&
	test_grep "^skipped t/d.db (--fail-fast)$" out &&
	test_grep "^1 ok, 1 failed, 2 skipped (--fail-fast) of 4 databases" out &&
	test_equal "" "$(applied t/d.db)"
'

test_expect_success '--canary 2: a failure in the canary stops the fleet before the rest' '
	fresh canary &&
	three_migrations &&
	tenants a b c d e &&
	sql t/b.db "CREATE TABLE c (x)" &&
	sc=$(db_sha t/c.db) &&
	test_expect_code 1 runner --canary 2 -j 2 --db "t/*.db" migrate >out &&
	cat out &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^FAILED t/b.db: 2 applied; migrations/003_c.sql" out &&
	test_grep "^skipped t/c.db (the canary failed)$" out &&
	test_grep "^1 ok, 1 failed, 3 skipped (the canary failed) of 5" out &&
	test_equal "$sc" "$(db_sha t/c.db)" &&
	test_equal "" "$(applied t/e.db)"
'

test_expect_success '--canary 2: a good canary, then the rest' '
	cd canary &&
	sql t/b.db "DROP TABLE c" &&
	runner --canary 2 --db "t/*.db" migrate >out &&
	test_grep "^5 ok of 5 databases" out &&
	test_equal "001 002 003" "$(applied t/e.db | xargs)"
'

test_expect_success 'two fleets at once on the same databases: each migration applied exactly once' '
	fresh overlap &&
	write_migration 001 log "CREATE TABLE log (v); INSERT INTO log VALUES (1);" &&
	for i in 2 3 4 5
	do
		write_migration 00$i s$i "INSERT INTO log VALUES ($i);" || return 1
	done &&
	tenants 1 2 3 4 5 6 7 8 || return 1
	runner -j 2 --db "t/*.db" migrate >out1 2>err1 &
	p1=$!

	runner -j 2 --db-list <(ls t/*.db | sort -r) migrate >out2 2>err2 &&
	wait $p1 &&
	cat out1 out2 &&
	test_grep "^8 ok of 8 databases" out1 &&
	test_grep "^8 ok of 8 databases" out2 &&
	for n in 1 2 3 4 5 6 7 8
	do
		test_equal "1 2 3 4 5" "$(sql t/$n.db "SELECT v FROM log ORDER BY rowid" | xargs)" &&
		test_equal "001 002 003 004 005" "$(applied t/$n.db | xargs)" || return 1
	done
'

test_expect_success 'Ctrl-C mid-fleet: the running one stops, the rest are not started' '
	fresh ctrlc &&
	three_migrations &&
	tenants a b c &&
	hold_write_lock t/b.db || return 1
	"$RUNNER" -j 1 --lock-timeout 60 --db "t/*.db" migrate >out 2>err &
	pid=$!

	wait_waiting $pid t/b.db &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	release_lock &&
	cat out err &&
	test $rc = 1 &&
	test_grep "^ok t/a.db: 3 applied" out &&
	test_grep "^interrupted t/b.db: .*interrupted" out &&
	test_grep "^skipped t/c.db (interrupted)$" out &&
	test_grep "^1 ok, 1 interrupted, 1 skipped (interrupted) of 3" out &&
	test_equal "" "$(applied t/b.db)" &&
	test_equal "" "$(applied t/c.db)"
'

test_expect_success '--json: one document, a row per database' '
	fresh json &&
	three_migrations &&
	tenants a b &&
	test_expect_code 1 runner --db "t/*.db" --db t/none.db migrate --json >out &&
	python3 -c "
import json, sys
d = json.load(open(\"out\"))
assert d[\"command\"] == \"migrate\", d
assert d[\"databases\"] == 3 and d[\"ok\"] == 2 and d[\"failed\"] == 1, d
rows = {r[\"database\"]: r for r in d[\"results\"]}
assert rows[\"t/a.db\"][\"result\"] == \"ok\", rows
assert rows[\"t/a.db\"][\"summary\"] == \"3 applied\", rows
assert rows[\"t/none.db\"][\"result\"] == \"failed\", rows
assert \"does not exist\" in rows[\"t/none.db\"][\"error\"], rows
" &&
	runner --db "t/*.db" status --json >out &&
	python3 -c "
import json
d = json.load(open(\"out\"))
assert d[\"versions\"] == {\"003\": 2}, d
assert all(r[\"status\"][\"applied\"] == 3 for r in d[\"results\"]), d
"
'

test_expect_success 'status on a fleet: versions, behind, and --exit-code as the gate' '
	fresh status &&
	three_migrations &&
	tenants a b c &&
	runner --db "t/*.db" migrate >/dev/null &&
	runner --db t/c.db rollback --yes --no-backup 001 >/dev/null &&
	runner --db "t/*.db" status >out &&
	cat out &&
	test_grep "^ok t/a.db: at 003, up to date" out &&
	test_grep "^behind t/c.db: at 001, 2 pending" out &&
	test_grep "^Versions: 003 on 2 databases, 001 on 1 database$" out &&
	test_grep "^2 ok, 1 behind of 3 databases" out &&
	test_expect_code 1 runner --db "t/*.db" status --exit-code >out &&
	runner --db "t/*.db" migrate >/dev/null &&
	runner --db "t/*.db" status --exit-code >out &&
	test_grep "^Versions: 003 on 3 databases$" out
'

test_expect_success 'rollback on a fleet: --yes off a terminal; the question names the count' '
	cd status &&
	test_expect_code 2 runner --db "t/*.db" rollback >out 2>err &&
	test_grep "confirm with --yes" err &&
	test_equal "001 002 003" "$(applied t/a.db | xargs)" &&
	runner_on_tty n --db "t/*.db" rollback >out;
	test_grep "on 3 databases?" out &&
	test_equal "001 002 003" "$(applied t/a.db | xargs)" &&
	runner --db "t/*.db" rollback --yes >out &&
	test_grep "^ok t/b.db: 1 rolled back" out &&
	test_equal "001 002" "$(applied t/b.db | xargs)" &&
	test_equal 3 "$(ls backups | wc -l)" &&
	ls backups | grep "^a-.*\.db\.gz$" &&
	ls backups | grep "^b-.*\.db\.gz$" &&
	ls backups | grep "^c-.*\.db\.gz$"
'

test_expect_success 'redo, stamp --yes, repair --yes, verify --live and backup on a fleet' '
	cd status &&
	runner --db "t/*.db" redo --yes --no-backup >out &&
	test_grep "^ok t/a.db: 1 rolled back, 1 applied" out &&
	for n in a b c
	do
		sql t/$n.db "CREATE TABLE c (x)" || return 1
	done &&
	runner --db "t/*.db" stamp --yes 003 >out &&
	test_grep "^ok t/c.db: 1 stamped" out &&
	test_equal "001 002 003" "$(applied t/c.db | xargs)" &&
	echo "-- edited" >>migrations/001_a.sql &&
	test_expect_code 1 runner --db "t/*.db" status --exit-code >out &&
	test_grep "^changed t/a.db: at 003, 1 changed" out &&
	runner --db "t/*.db" repair --yes >out &&
	test_grep "^ok t/a.db: 1 repaired" out &&
	sql t/c.db "CREATE TABLE extra (x)" &&
	test_expect_code 1 runner --db "t/*.db" verify --live >out &&
	cat out &&
	test_grep "^FAILED t/c.db: .*" out &&
	test_grep "^ok t/a.db: " out &&
	rm -rf backups &&
	runner --db "t/*.db" backup --json >out &&
	test_equal 3 "$(ls backups | wc -l)" &&
	python3 -c "import json; d = json.load(open(\"out\")); assert d[\"ok\"] == 3, d"
'

test_expect_success 'commands that make no sense on a fleet refuse it: exit 2' '
	cd status &&
	test_expect_code 2 runner --db "t/*.db" reset --yes 2>err &&
	test_grep "does not run on a fleet" err &&
	test_expect_code 2 runner --db "t/*.db" verify 2>err &&
	test_grep "runs on a fleet only with --live" err &&
	test_expect_code 2 runner --db "t/*.db" backup --output x.gz 2>err &&
	test_expect_code 2 runner -j 0 --db "t/*.db" status 2>err &&
	test_grep "is not a number from 1" err &&
	test_expect_code 2 runner --db "t/*.db" status --canary x 2>err &&
	test_expect_code 2 runner --db "t/*.db" status -j 2>err
'

test_expect_success 'a server URL in a list: its password is never shown' '
	fresh secret &&
	three_migrations &&
	tenants a &&
	printf "t/a.db\npostgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2\n" >list &&
	test_expect_code 1 runner --db-list list migrate --json >out 2>err &&
	test_expect_code 1 runner --db-list list migrate >>out 2>>err &&
	cat out err &&
	test_grep "postgres://u:\*\*\*@127.0.0.1:1/db" out &&
	test_grep ! "s3cret" out &&
	test_grep ! "s3cret" err
'

test_expect_success '-q prints only what did not succeed, and the summary' '
	cd missing &&
	rm -f t/typo.db &&
	test_expect_code 1 runner -q --db-list list migrate >out &&
	test_grep ! "^ok " out &&
	test_grep "^FAILED t/typo.db" out &&
	test_grep "^2 ok, 1 failed of 3" out
'

test_expect_success 'on a terminal: a progress line, cleared before each line' '
	cd glob &&
	runner_on_tty "" --db "t/*.db" status >out &&
	test_grep "\[1/3\] 1 ok" out &&
	test_grep "ok t/gamma.db: at 003, up to date" out &&
	test_grep "Versions: 003 on 3 databases" out
'

test_expect_success 'a list with a NUL byte: bad usage, nothing touched' '
	cd glob &&
	printf "t/acme.db\n\0\n" >nul.list &&
	test_expect_code 2 runner --db-list nul.list migrate >out 2>err &&
	test_grep "nul.list:2: a NUL byte" err &&
	test_must_be_empty out
'

test_expect_success 'migrate --dry-run and init --create on a fleet' '
	fresh dry &&
	three_migrations &&
	tenants a &&
	runner --db t/a.db --db t/b.db --create migrate --dry-run >out &&
	test_grep "^ok t/a.db: 3 would be applied" out &&
	test_equal "" "$(applied t/a.db)" &&
	test_path_is_missing t/b.db &&
	test_expect_code 1 runner --db t/a.db --db t/b.db init >out &&
	test_grep "^FAILED t/b.db: database .t/b.db. does not exist" out &&
	test_path_is_missing t/b.db &&
	runner --db t/b.db --db t/c.db --create init >out &&
	test_grep "^ok t/c.db: 3 applied" out &&
	test_equal "001 002 003" "$(applied t/c.db | xargs)"
'

test_expect_success 'status: a database with nothing applied is behind, at no version' '
	fresh none &&
	three_migrations &&
	tenants a b &&
	runner --db t/a.db migrate >/dev/null &&
	runner --db "t/*.db" status --no-drift >out &&
	cat out &&
	test_grep "^behind t/b.db: nothing applied, 3 pending" out &&
	test_grep "^Versions: 003 on 1 database, (none) on 1 database$" out
'

test_done
