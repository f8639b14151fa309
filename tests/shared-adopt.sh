# tests/shared-adopt.sh: adopting other tools' histories, on either driver
# (t0710-adopt-sqlite.sh, t2510-pg-adopt.sh). Each tool's table is made
# here as the tool's own source makes it, with the rows it writes:
#
#   dbmate         create table if not exists schema_migrations
#                  (version varchar(128) primary key); insert (version)
#   goose          goose_db_version (id, version_id, is_applied, tstamp),
#                  first row (0, true); a row per up, a row or a delete per
#                  down; the latest row for a version decides
#   golang-migrate schema_migrations (version uint64/bigint, dirty bool):
#                  one row, the current version
#   flyway         flyway_schema_history, ten columns, a row per attempt
#                  with success; SCHEMA and BASELINE marker rows
#   sqlx           _sqlx_migrations (version, description, installed_on,
#                  success, checksum, execution_time)
#   diesel         __diesel_schema_migrations (version varchar(50), run_on);
#                  versions are the folder's leading digits, dashes removed

if test "$DRIVER" = pg; then
	T=true F=false BLOB="'\\x00'::bytea"
else
	T=1 F=0 BLOB="X'00'"
fi
AT="2024-01-02 03:04:05"

# tool_table TOOL DB: TOOL's tracking table, as TOOL creates it.
tool_table () {
	case "$DRIVER:$1" in
	*:dbmate)
		db_q "$2" "create table if not exists schema_migrations (version varchar(128) primary key)" ;;
	sqlite:goose)
		db_q "$2" "CREATE TABLE goose_db_version (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			version_id INTEGER NOT NULL,
			is_applied INTEGER NOT NULL,
			tstamp TIMESTAMP DEFAULT (datetime('now')));
			INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)" ;;
	pg:goose)
		db_q "$2" "CREATE TABLE goose_db_version (
			id serial NOT NULL,
			version_id bigint NOT NULL,
			is_applied boolean NOT NULL,
			tstamp timestamp NULL default now(),
			PRIMARY KEY(id));
			INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)" ;;
	sqlite:golang-migrate)
		db_q "$2" "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
			CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)" ;;
	pg:golang-migrate)
		db_q "$2" "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)" ;;
	sqlite:flyway)
		db_q "$2" "CREATE TABLE \"flyway_schema_history\" (
			\"installed_rank\" INT NOT NULL PRIMARY KEY,
			\"version\" VARCHAR(50),
			\"description\" VARCHAR(200) NOT NULL,
			\"type\" VARCHAR(20) NOT NULL,
			\"script\" VARCHAR(1000) NOT NULL,
			\"checksum\" INT,
			\"installed_by\" VARCHAR(100) NOT NULL,
			\"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
			\"execution_time\" INT NOT NULL,
			\"success\" BOOLEAN NOT NULL);
			CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\")" ;;
	pg:flyway)
		db_q "$2" "CREATE TABLE \"public\".\"flyway_schema_history\" (
			\"installed_rank\" INT NOT NULL,
			\"version\" VARCHAR(50),
			\"description\" VARCHAR(200) NOT NULL,
			\"type\" VARCHAR(20) NOT NULL,
			\"script\" VARCHAR(1000) NOT NULL,
			\"checksum\" INTEGER,
			\"installed_by\" VARCHAR(100) NOT NULL,
			\"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
			\"execution_time\" INTEGER NOT NULL,
			\"success\" BOOLEAN NOT NULL);
			ALTER TABLE \"public\".\"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");
			CREATE INDEX \"flyway_schema_history_s_idx\" ON \"public\".\"flyway_schema_history\" (\"success\")" ;;
	sqlite:sqlx)
		db_q "$2" "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
			version BIGINT PRIMARY KEY,
			description TEXT NOT NULL,
			installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
			success BOOLEAN NOT NULL,
			checksum BLOB NOT NULL,
			execution_time BIGINT NOT NULL)" ;;
	pg:sqlx)
		db_q "$2" "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
			version BIGINT PRIMARY KEY,
			description TEXT NOT NULL,
			installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
			success BOOLEAN NOT NULL,
			checksum BYTEA NOT NULL,
			execution_time BIGINT NOT NULL)" ;;
	*:diesel)
		db_q "$2" "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
			version VARCHAR(50) PRIMARY KEY NOT NULL,
			run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)" ;;
	esac
}

# tool_applied TOOL DB VERSION [OK]: the row(s) TOOL writes when VERSION
# succeeded (OK=$T, the default) or failed (OK=$F), applied at $AT.
tool_applied () {
	local ok=${4:-$T} n
	case "$1" in
	dbmate)
		db_q "$2" "insert into schema_migrations (version) values ('$3')" ;;
	goose)
		db_q "$2" "INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES ($3, $ok, '$AT')" ;;
	golang-migrate)
		db_q "$2" "DELETE FROM schema_migrations; INSERT INTO schema_migrations (version, dirty) VALUES ($3, $([ "$ok" = "$T" ] && echo "$F" || echo "$T"))" ;;
	flyway)
		n=$(db_q "$2" "SELECT count(*) + 1 FROM flyway_schema_history")
		db_q "$2" "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success) VALUES ($n, '$((10#$3))', 'step $3', 'SQL', 'V$((10#$3))__step.sql', 12345, 'app', '$AT', 7, $ok)" ;;
	sqlx)
		db_q "$2" "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES ($((10#$3)), 'step $3', '$AT', $ok, $BLOB, 1000)" ;;
	diesel)
		db_q "$2" "INSERT INTO __diesel_schema_migrations (version, run_on) VALUES ('$3', '$AT')" ;;
	esac
}

# tool_versions TOOL: the three versions its files have here (diesel's
# and dbmate's are timestamps, as those tools name them).
tool_versions () {
	case "$1" in
	dbmate|diesel) echo "20240101000001 20240101000002 20240101000003" ;;
	*) echo "001 002 003" ;;
	esac
}

# adopt_setup TOOL DB: three migrations in ./migrations, DB holding the
# first two's tables with TOOL's record of them.
adopt_setup () {
	local i=0 v
	rm -rf migrations &&
	db_new "$2" &&
	for v in $(tool_versions "$1")
	do
		i=$((i + 1))
		write_migration "$v" "t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE t$i;" || return 1
	done &&
	db_q "$2" "CREATE TABLE t1 (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE t2 (id INTEGER PRIMARY KEY, v TEXT)" &&
	tool_table "$1" "$2" &&
	set -- "$1" "$2" $(tool_versions "$1") &&
	tool_applied "$1" "$2" "$3" &&
	tool_applied "$1" "$2" "$4"
}

# tool_rows TOOL DB: TOOL's table's rows, to show it was left as it was.
tool_rows () {
	local t
	case "$1" in
	dbmate|golang-migrate) t=${3:-schema_migrations} ;;
	goose) t=goose_db_version ;;
	flyway) t=flyway_schema_history ;;
	sqlx) t=_sqlx_migrations ;;
	diesel) t=__diesel_schema_migrations ;;
	esac
	db_q "$2" "SELECT * FROM $t ORDER BY 1"
}

# Under valgrind, status is checked on each tool's table, every other
# command once (runner_once): all find the history the same way.
for tool in dbmate goose golang-migrate flyway sqlx diesel
do
	test_expect_success "$tool: its history stops every command that reads one, changing nothing" "
		adopt_setup $tool a-$tool &&
		db_dump a-$tool >before &&
		for cmd in status migrate 'rollback --yes' version stamp\ 001 'repair --yes' 'verify --live'
		do
			key=\$cmd &&
			if test \"\$cmd\" = status; then key='status: $tool'; fi &&
			test_expect_code 1 runner_once \"\$key\" --db \"\$(db_url a-$tool)\" \$cmd >out 2>err &&
			test_grep \"no runner history in .*but $tool (table \" err &&
			test_grep \"run 'runner adopt'\" err || return 1
		done &&
		db_dump a-$tool >after &&
		test_cmp before after
	"

	test_expect_success "$tool: adopt records what it applied; status then shows no drift; migrate applies only the rest" "
		adopt_setup $tool a-$tool &&
		set -- \$(tool_versions $tool) &&
		tool_rows $tool a-$tool >rows.before &&
		runner --db \"\$(db_url a-$tool)\" adopt --yes >out &&
		test_grep \"^Adopted \$1: t1\" out &&
		test_grep \"^Adopted \$2: t2\" out &&
		test_grep \"2 migrations adopted from $tool's history\" out &&
		test_equal \"\$1 \$2\" \"\$(db_applied a-$tool | xargs)\" &&
		kept=\$(sed -n 's/.*its table is kept as \\([a-z_]*\\)\\..*/\\1/p' out) &&
		tool_rows $tool a-$tool \$kept >rows.after &&
		test_cmp rows.before rows.after &&
		runner --db \"\$(db_url a-$tool)\" status >status &&
		test_grep 'Applied migrations: 2' status &&
		test_grep 'Pending migrations: 1' status &&
		test_grep ! -i drift status &&
		runner --db \"\$(db_url a-$tool)\" migrate >out &&
		test_grep \"^Applied \$3: t3\" out &&
		test_grep '1 migration applied' out &&
		runner --db \"\$(db_url a-$tool)\" status --exit-code >status &&
		runner --db \"\$(db_url a-$tool)\" rollback --yes --no-backup 0 >out &&
		test_grep \"Rolled back \$1: t1\" out
	"
done

test_expect_success 'adopt keeps the tool time, the checksum and the down section' '
	adopt_setup goose keep &&
	runner --db "$(db_url keep)" adopt --yes >out &&
	test_grep "^Adopted 001: t1 (applied 2024-01-02 03:04:05)" out &&
	test_equal "2024-01-02 03:04:05" "$(runner --db "$(db_url keep)" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"migrations\"][0][\"applied_at\"])")" &&
	test_equal "$(file_checksum migrations/001_t1.sql)" "$(db_q keep "SELECT checksum FROM schema_migrations WHERE version = '"'"'001'"'"'")" &&
	test_equal "DROP TABLE t1;" "$(db_q keep "SELECT down_sql FROM schema_migrations WHERE version = '"'"'001'"'"'" | grep -v "^$")"
'

test_expect_success 'dbmate and golang-migrate: their table is renamed, runner takes the name' '
	adopt_setup dbmate ren &&
	runner --db "$(db_url ren)" adopt --yes >out &&
	test_grep "its table is kept as schema_migrations_dbmate" out &&
	test_equal "20240101000001 20240101000002" "$(db_q ren "SELECT version FROM schema_migrations_dbmate ORDER BY 1" | xargs)" &&
	adopt_setup golang-migrate ren &&
	runner --db "$(db_url ren)" adopt --yes >out &&
	test_grep "its table is kept as schema_migrations_golang_migrate" out &&
	test_equal "2" "$(db_q ren "SELECT version FROM schema_migrations_golang_migrate")"
'

# refuse CASE DB ARGS...: adopt must exit 1, change nothing, and say
# what the file "why" holds.
refuse () {
	local db=$1
	shift
	db_dump "$db" >before &&
	test_expect_code 1 runner --db "$(db_url "$db")" adopt --yes "$@" >out 2>err &&
	test_grep -f why err &&
	db_dump "$db" >after &&
	test_cmp before after
}

test_expect_success 'golang-migrate dirty: refused' '
	adopt_setup golang-migrate r1 &&
	tool_applied golang-migrate r1 002 $F &&
	echo "golang-migrate marked version 2 dirty" >why &&
	refuse r1
'

test_expect_success 'flyway: a failed row refused; a baseline covers what is below it' '
	adopt_setup flyway r2 &&
	tool_applied flyway r2 003 $F &&
	echo "flyway recorded migration 3 as failed (row installed_rank=3)" >why &&
	refuse r2 &&
	adopt_setup flyway r2b &&
	db_q r2b "DELETE FROM flyway_schema_history; INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'2'"'"', '"'"'<< Flyway Baseline >>'"'"', '"'"'BASELINE'"'"', '"'"'<< Flyway Baseline >>'"'"', NULL, '"'"'app'"'"', 0, $T)" &&
	runner --db "$(db_url r2b)" adopt --yes >out &&
	test_equal "001 002" "$(db_applied r2b | xargs)"
'

test_expect_success 'goose: a version whose latest row says not applied is refused' '
	adopt_setup goose r3 &&
	tool_applied goose r3 2 $F &&
	echo "goose.s latest entry for version 2 (row id=4) says it is not applied" >why &&
	refuse r3
'

test_expect_success 'sqlx: success = false refused' '
	adopt_setup sqlx r4 &&
	tool_applied sqlx r4 003 $F &&
	echo "sqlx recorded migration 3 as failed (row success = false)" >why &&
	refuse r4
'

test_expect_success 'a recorded version with no file: refused and listed; --allow-missing records it irreversible' '
	adopt_setup dbmate r5 &&
	tool_applied dbmate r5 20240101000000 &&
	echo "dbmate recorded version 20240101000000, which no migration file has" >why &&
	refuse r5 &&
	runner --db "$(db_url r5)" adopt --yes --allow-missing >out &&
	test_grep "^Adopted 20240101000000:  (no file: recorded as irreversible)" out &&
	test_expect_code 1 runner --db "$(db_url r5)" status --exit-code >status &&
	test_grep "\[?\] 20240101000000" status &&
	test_expect_code 1 runner --db "$(db_url r5)" rollback --yes --no-backup 0 2>err &&
	test_grep "irreversible" err
'

test_expect_success 'files the tool never applied below its newest: refused and listed' '
	adopt_setup sqlx r6 &&
	db_q r6 "DELETE FROM _sqlx_migrations WHERE version = 1" &&
	echo "sqlx never applied .migrations/001_t1.sql., below its newest migration" >why &&
	refuse r6
'

test_expect_success 'runner already has a history, none at all, several, --from' '
	adopt_setup goose r7 &&
	runner --db "$(db_url r7)" adopt --yes >out &&
	echo "runner already keeps a history in .* (2 migrations applied)" >why &&
	refuse r7 &&
	db_new r8 &&
	db_q r8 "CREATE TABLE x (y INTEGER)" &&
	echo "no other tool.s history in" >why &&
	refuse r8 &&
	adopt_setup goose r9 &&
	tool_table diesel r9 &&
	echo "several tools recorded histories in .*goose (table goose_db_version), diesel (table __diesel_schema_migrations); choose one with --from TOOL" >why &&
	refuse r9 &&
	echo "no flyway history in" >why &&
	refuse r9 --from flyway &&
	test_expect_code 2 runner --db "$(db_url r9)" adopt --yes --from liquibase 2>err &&
	test_grep "not a tool runner knows" err &&
	runner --db "$(db_url r9)" adopt --yes --from goose >out &&
	test_grep "2 migrations adopted from goose" out
'

test_expect_success 'a tool table with unexpected columns is an error naming it, everywhere' '
	db_new r10 &&
	mkdir -p migrations &&
	db_q r10 "CREATE TABLE goose_db_version (id INTEGER, version_id INTEGER, tstamp TEXT)" &&
	echo "table .goose_db_version. has columns (id, version_id, tstamp), not goose.s (id, version_id, is_applied, tstamp)" >why &&
	refuse r10 &&
	test_expect_code 1 runner --db "$(db_url r10)" status 2>err &&
	test_grep -f why err &&
	db_new r11 &&
	db_q r11 "CREATE TABLE schema_migrations (version TEXT, foo TEXT)" &&
	echo "table .schema_migrations. is not runner.s tracking table: its columns are (version, foo)" >why &&
	refuse r11 &&
	test_expect_code 1 runner --db "$(db_url r11)" migrate 2>err &&
	test_grep -f why err
'

test_expect_success 'garbage rows: non-numeric versions and unknown rows are errors naming the table and row; goose history rows are not garbage' '
	adopt_setup goose g1 &&
	db_q g1 "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, $T)" &&
	runner --db "$(db_url g1)" adopt --yes >out &&
	test_grep "2 migrations adopted" out &&
	adopt_setup diesel g2 &&
	db_q g2 "INSERT INTO __diesel_schema_migrations (version) VALUES ('"'"'2024-x'"'"')" &&
	echo "diesel.s table .__diesel_schema_migrations.: not a version (digits): .2024-x." >why &&
	refuse g2 &&
	adopt_setup flyway g3 &&
	db_q g3 "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES (9, '"'"'3'"'"', '"'"'x'"'"', '"'"'MAGIC'"'"', '"'"'x'"'"', '"'"'app'"'"', 0, $T)" &&
	echo "flyway.s table .flyway_schema_history. row installed_rank=9: a type Flyway does not write: .MAGIC." >why &&
	refuse g3
'
