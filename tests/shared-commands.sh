# tests/shared-commands.sh: every command's black-box behaviour, one suite
# run against each driver (t0350-shared-sqlite.sh, t2050-shared-pg.sh,
# t3050-shared-mysql.sh): the same migration files, commands and
# expectations on all. The few that need DDL inside a transaction
# (prerequisite ATOMIC_DDL) skip on MySQL, where t3000 shows what happens
# instead. Sourced after lib-driver.sh; not a test script by itself.

# json_ok FILE EXPR...: each Python expression over j (the document) holds.
json_ok () {
	local file=$1
	shift
	python3 - "$file" "$@" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	m = {x["version"]: x for x in j["migrations"]}
	bad = [e for e in sys.argv[2:] if not eval(e)]
	for e in bad:
	    print("json_ok: false: %s" % e, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
}

DB=$(db_url app)
export DB

test_expect_success 'setup: a database and the story migrations' '
	db_new app &&
	fresh story &&
	db_setup_story
'

test_expect_success 'status on a new database: all pending, nothing created' '
	cd story &&
	runner --db "$DB" status >out &&
	test_grep "^Applied migrations: 0" out &&
	test_grep "^Pending migrations: 3" out &&
	test_grep "^  \[ \] 001: initial_schema$" out &&
	test_expect_code 1 runner --db "$DB" status --exit-code >out &&
	! db_has app schema_migrations
'

test_expect_success 'migrate --dry-run prints the SQL and changes nothing' '
	cd story &&
	runner --db "$DB" migrate --dry-run >out &&
	test_grep "CREATE TABLE comments" out &&
	test_grep "dry run: 3 migrations would be applied" out &&
	! db_has app schema_migrations &&
	! db_has app users
'

test_expect_success 'migrate applies every migration in order' '
	cd story &&
	runner --db "$DB" migrate >out 2>err &&
	grep "^Applied" out >lines &&
	test_line_count = 3 lines &&
	test_grep "^Applied 001: initial_schema ([0-9.]* ms)" lines &&
	test_equal "001 002 003" "$(db_applied app | xargs)" &&
	db_has app users && db_has app comments &&
	db_has app idx_comments_post_id
'

test_expect_success 'the tracking table has the documented columns and rows' '
	cd story &&
	test_equal "id version name applied_at checksum duration_ms down_sql down_options state error" \
		"$(db_columns app schema_migrations | xargs)" &&
	test_equal "$(file_checksum migrations/002_analytics_tables.sql)" \
		"$(db_q app "SELECT checksum FROM schema_migrations WHERE version = '"'002'"'")" &&
	test_equal 3 "$(db_q app "SELECT count(*) FROM schema_migrations WHERE state = '"'applied'"' AND duration_ms >= 0 AND applied_at IS NOT NULL AND error IS NULL")" &&
	db_q app "SELECT down_sql FROM schema_migrations WHERE version = '"'003'"'" >down &&
	test_grep "DROP TABLE IF EXISTS comments;" down
'

test_expect_success 'migrate when up to date changes nothing' '
	cd story &&
	db_dump app >before &&
	runner --db "$DB" migrate >out 2>err &&
	test_grep "up to date" out &&
	db_dump app >after &&
	test_cmp before after
'

test_expect_success 'status: layout, --exit-code, --json' '
	cd story &&
	runner --db "$DB" status >out &&
	test_grep "^  \[X\] 003: add_comments ([0-9-]* [0-9:]*)\$" out &&
	test_grep "^Database is up to date!" out &&
	runner --db "$DB" status --exit-code &&
	runner --db "$DB" status --json >out.json &&
	json_ok out.json "j[\"applied\"] == 3" "j[\"up_to_date\"] is True" \
		"m[\"001\"][\"checksum\"].startswith(\"crc32:\")" \
		"m[\"002\"][\"duration_ms\"] >= 0"
'

test_expect_success 'DATABASE_URL names the database when --db is not given' '
	cd story &&
	DATABASE_URL="$DB" runner status >out &&
	test_grep "^Applied migrations: 3" out
'

test_expect_success 'rollback undoes the newest; rollback VERSION down to it' '
	cd story &&
	runner --db "$DB" rollback --yes >out &&
	test_grep "^Rolled back 003: add_comments" out &&
	! db_has app comments &&
	test_equal "001 002" "$(db_applied app | xargs)" &&
	runner --db "$DB" rollback --yes 0 >out &&
	test_equal "" "$(db_applied app | xargs)" &&
	! db_has app users
'

test_expect_success 'migrate-to stops at VERSION; migrate goes on' '
	cd story &&
	runner --db "$DB" migrate-to 002 >out &&
	test_equal "001 002" "$(db_applied app | xargs)" &&
	test_expect_code 1 runner --db "$DB" migrate-to 001 >out 2>err &&
	test_grep "rollback 001" err &&
	runner --db "$DB" migrate >out &&
	test_equal "001 002 003" "$(db_applied app | xargs)"
'

test_expect_success 'rollback uses the stored down SQL when the file is gone' '
	cd story &&
	mv migrations/003_add_comments.sql saved-003 &&
	runner --db "$DB" status >out &&
	test_grep "^  \[?\] 003" out &&
	runner --db "$DB" rollback --yes >out &&
	! db_has app comments &&
	mv saved-003 migrations/003_add_comments.sql &&
	runner --db "$DB" migrate >out
'

test_expect_success 'rollback of a migration without a down section is refused' '
	cd story &&
	write_migration 004 nodown "CREATE TABLE nodown (x int);" &&
	runner --db "$DB" migrate >out &&
	db_dump app >before &&
	test_expect_code 1 runner --db "$DB" rollback --yes >out 2>err &&
	test_grep "004" err &&
	db_dump app >after &&
	test_cmp before after &&
	db_q app "DELETE FROM schema_migrations WHERE version = '"'004'"'" &&
	db_q app "DROP TABLE nodown" &&
	rm migrations/004_nodown.sql
'

test_expect_success 'an edited applied file is refused; repair accepts it' '
	cd story &&
	echo "-- an edit" >>migrations/001_initial_schema.sql &&
	write_migration 004 more "CREATE TABLE more (x int);" "DROP TABLE more;" &&
	db_dump app >before &&
	test_expect_code 1 runner --db "$DB" migrate >out 2>err &&
	test_grep "001_initial_schema.sql" err &&
	test_grep "repair" err &&
	db_dump app >after &&
	test_cmp before after &&
	runner --db "$DB" repair --yes >out &&
	test_equal "$(file_checksum migrations/001_initial_schema.sql)" \
		"$(db_q app "SELECT checksum FROM schema_migrations WHERE version = '"'001'"'")" &&
	runner --db "$DB" migrate >out &&
	test_equal "001 002 003 004" "$(db_applied app | xargs)"
'

test_expect_success 'an older pending migration needs --allow-out-of-order' '
	cd story &&
	write_migration 006 six "CREATE TABLE six (x int);" "DROP TABLE six;" &&
	runner --db "$DB" migrate >out &&
	write_migration 005 late "CREATE TABLE late (x int);" "DROP TABLE late;" &&
	test_expect_code 1 runner --db "$DB" migrate >out 2>err &&
	test_grep "005" err &&
	! db_has app late &&
	runner --db "$DB" migrate --allow-out-of-order >out &&
	db_has app late &&
	runner --db "$DB" rollback --yes 004 >out &&
	! db_has app late && ! db_has app six &&
	rm migrations/005_late.sql migrations/006_six.sql
'

test_expect_success ATOMIC_DDL 'a failing statement mid-migration leaves nothing behind, naming file:line' '
	cd story &&
	write_migration 005 broken "CREATE TABLE t5 (x int);
INSERT INTO t5 VALUES (1);
SELECT * FROM nope;" &&
	db_dump app >before &&
	test_expect_code 1 runner --db "$DB" migrate >out 2>err &&
	test_grep "005_broken.sql:6: $(no_table_error nope)" err &&
	db_dump app >after &&
	test_cmp before after &&
	! db_has app t5 &&
	test_equal "001 002 003 004" "$(db_applied app | xargs)" &&
	rm migrations/005_broken.sql
'

test_expect_success ATOMIC_DDL 'migrate --single-transaction: a failure applies nothing' '
	cd story &&
	runner --db "$DB" rollback --yes 002 >out &&
	write_migration 005 broken "CREATE TABLE t5 (x int);
SELECT * FROM nope;" &&
	test_expect_code 1 runner --db "$DB" migrate --single-transaction >out 2>err &&
	test_grep "005_broken.sql:5: $(no_table_error nope)" err &&
	test_equal "001 002" "$(db_applied app | xargs)" &&
	! db_has app comments &&
	rm migrations/005_broken.sql &&
	runner --db "$DB" migrate --single-transaction >out &&
	test_equal "001 002 003 004" "$(db_applied app | xargs)"
'

test_expect_success 'show-schema is stable, holds every object, and survives reset' '
	cd story &&
	runner --db "$DB" show-schema >s1 &&
	runner --db "$DB" show-schema >s2 &&
	test_cmp s1 s2 &&
	test_grep "^CREATE TABLE users" s1 &&
	test_grep "^CREATE TABLE schema_migrations" s1 &&
	test_grep "^CREATE INDEX idx_comments_post_id ON comments" s1 &&
	runner --db "$DB" reset --yes >out &&
	runner --db "$DB" show-schema >s3 &&
	test_cmp s1 s3
'

test_expect_success 'reset drops what the migrations did not make, then migrates' '
	cd story &&
	db_q app "CREATE TABLE stray (x int)" &&
	db_q app "INSERT INTO users (name) VALUES ('"'gone'"')" &&
	runner --db "$DB" reset --yes >out &&
	! db_has app stray &&
	test_equal 0 "$(db_q app "SELECT count(*) FROM users")" &&
	test_equal "001 002 003 004" "$(db_applied app | xargs)"
'

test_expect_success 'reset and rollback without --yes off a terminal change nothing' '
	cd story &&
	db_q app "INSERT INTO users (name) VALUES ('"'kept'"')" &&
	db_dump app >before &&
	test_expect_code 2 runner --db "$DB" reset >out 2>err &&
	test_grep "confirm with --yes" err &&
	test_expect_code 2 runner --db "$DB" rollback >out 2>err &&
	db_dump app >after &&
	test_cmp before after &&
	test_equal kept "$(db_q app "SELECT name FROM users")"
'

test_expect_success 'init applies migrations then seeds, and refuses a second time' '
	db_new fresh &&
	fresh init &&
	db_setup_story &&
	mkdir migrations/seeds &&
	echo "INSERT INTO users (id, name) VALUES (1, '"'admin'"');" >migrations/seeds/01_users.sql &&
	echo "INSERT INTO posts (user_id, title) VALUES (1, '"'hello; world'"');" >migrations/seeds/02_posts.sql &&
	runner --db "$(db_url fresh)" init >out &&
	test_equal "001 002 003" "$(db_applied fresh | xargs)" &&
	test_equal "1|hello; world" "$(db_q fresh "SELECT user_id, title FROM posts")" &&
	test_expect_code 1 runner --db "$(db_url fresh)" init >out 2>err &&
	test_grep "already has 3 applied" err
'

test_expect_success ATOMIC_DDL 'init with a failing seed leaves the database empty' '
	db_new fresh2 &&
	cd init &&
	echo "INSERT INTO nope VALUES (1);" >migrations/seeds/03_bad.sql &&
	test_expect_code 1 runner --db "$(db_url fresh2)" init >out 2>err &&
	test_grep "03_bad.sql:1: $(no_table_error nope)" err &&
	! db_has fresh2 users &&
	! db_has fresh2 schema_migrations
'

test_expect_success 'create-migration numbers the next file' '
	cd story &&
	runner --db "$DB" create-migration add_tags >out &&
	test_grep "^migrations/005_add_tags.sql" out &&
	test_path_is_file migrations/005_add_tags.sql &&
	rm migrations/005_add_tags.sql
'

test_expect_success 'stamp baselines an existing database without running migrations' '
	db_new stamped &&
	db_q stamped "CREATE TABLE legacy (x int)" &&
	cd story &&
	runner --db "$(db_url stamped)" stamp --yes 002 >out &&
	test_equal "001 002" "$(db_applied stamped | xargs)" &&
	! db_has stamped users &&
	db_new stamped
'

test_expect_success 'verify runs every migration up, down and up again in a scratch database' '
	cd story &&
	db_dump app >before &&
	runner --db "$DB" verify >out &&
	test_grep "^ok  *001 initial_schema$" out &&
	test_grep "^ok  *004 more$" out &&
	test_grep "^4 migrations, 4 checked: 4 ok\.$" out &&
	write_migration 005 leaky "CREATE TABLE leaky (x int);
CREATE TABLE leaky2 (x int);" "DROP TABLE leaky;" &&
	test_expect_code 1 runner --db "$DB" verify >out &&
	test_grep "ASYMMETRIC.*005" out &&
	test_grep "leaky2" out &&
	rm migrations/005_leaky.sql &&
	db_dump app >after &&
	test_cmp before after
'

test_expect_success 'status reports schema drift: a table made by hand' '
	cd story &&
	db_q app "CREATE TABLE by_hand (x int)" &&
	runner --db "$DB" status >out &&
	test_grep "by_hand" out &&
	test_expect_code 1 runner --db "$DB" status --exit-code >out &&
	runner --db "$DB" status --no-drift --exit-code >out &&
	db_q app "DROP TABLE by_hand" &&
	runner --db "$DB" status --exit-code >out
'

test_expect_success 'backup, then restore brings rows and tracking back' '
	cd story &&
	db_q app "INSERT INTO users (name) VALUES ('"'saved'"')" &&
	runner --db "$DB" backup --output saved.gz >out &&
	test_grep "^Backed up " out &&
	gzip -t saved.gz &&
	db_dump app >before &&
	db_q app "DELETE FROM users" &&
	runner --db "$DB" rollback --yes --no-backup 002 >out &&
	runner --db "$DB" restore --yes --no-backup saved.gz >out &&
	test_grep "^Restored " out &&
	db_dump app >after &&
	test_cmp before after &&
	test_equal "001 002 003 004" "$(db_applied app | xargs)"
'

test_expect_success 'restore refuses a truncated backup and changes nothing' '
	cd story &&
	head -c $(($(stat -c %s saved.gz) / 2)) saved.gz >cut.gz &&
	db_q app "INSERT INTO users (name) VALUES ('"'after'"')" &&
	db_dump app >before &&
	test_must_fail runner --db "$DB" restore --yes cut.gz 2>err &&
	test_grep "truncated" err &&
	db_dump app >after &&
	test_cmp before after
'

test_expect_success 'four runners at once apply each migration exactly once' '
	db_new race &&
	cd story &&
	pids= &&
	for i in 1 2 3 4
	do
		runner --db "$(db_url race)" --lock-timeout 60 migrate >out.$i 2>err.$i &
		pids="$pids $!"
	done &&
	for p in $pids
	do
		wait $p || return 1
	done &&
	test_equal "001 002 003 004" "$(db_applied race | xargs)" &&
	test_equal 4 "$(cat out.* | grep -c "^Applied")"
'

# Every layout, on this driver too.
. "$TEST_DIRECTORY/shared-layouts.sh"
