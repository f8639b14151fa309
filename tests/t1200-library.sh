#!/bin/bash
# t1200-library: librunner and runner embed, through the example program
# tests/lib-example/example.c built with pkg-config against the build
# tree's library (shared and static) and against a DESTDIR install. A
# database migrated from embedded data, from a folder and by runner
# migrate must be the same, rows and schema; errors reach the caller.
# The example runs under ASan and UBSan when the library was built with
# them (make check SANITIZE=...), under valgrind when it was not and
# valgrind is installed (make check-valgrind, or a plain build).

. "$(dirname "$0")/lib.sh"

# The library beside the binary under test (build/sanitize, build/release).
LIB_BUILD=$(dirname "${VALGRIND_BIN:-$RUNNER}")
test -f "$LIB_BUILD/pkgconfig/runner-uninstalled.pc" ||
	LIB_BUILD=$SOURCE_DIRECTORY/build/release
EXAMPLE=$SOURCE_DIRECTORY/tests/lib-example/example.c
EX_CFLAGS="-std=c11 -Wall -Wextra -Werror -g"
LIB_MAKEFLAGS=
if nm "$LIB_BUILD/librunner.a" 2>/dev/null | grep -q __asan_init; then
	EX_CFLAGS="$EX_CFLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	LIB_MAKEFLAGS="SANITIZE=address,undefined"
elif command -v valgrind >/dev/null; then
	test_set_prereq VALGRIND
fi
case "$LIB_BUILD" in
*-nopq) LIB_MAKEFLAGS="$LIB_MAKEFLAGS NO_LIBPQ=1" ;;
esac

# checked BIN ARGS...: run BIN like runner (): a sanitizer or valgrind
# report in its stderr fails the test whatever the exit code.
checked () {
	local errfile="$TRASH_DIRECTORY/.stderr.$BASHPID" rc
	timeout "$RUNNER_TIMEOUT" "$@" 2>"$errfile"
	rc=$?
	cat "$errfile" >&2
	if bad_report "$errfile"; then
		{
			echo "sanitizer report from: $*"
			cat "$errfile"
		} >>"$SANITIZER_LOG"
	fi
	rm -f "$errfile"
	return "$rc"
}

# build OUT MIGRATIONS_C [static]: the example, linked through pkg-config
# (PKG_CONFIG_PATH set by the caller), with the shared library (found by
# its rpath) or, with static, the static one.
build () {
	local libdir ex="$TRASH_DIRECTORY/example.o"
	# The program is compiled once; each build links other migrations.
	if ! test -f "$ex"; then
		cc $EX_CFLAGS $(pkg-config --cflags runner) -c -o "$ex" "$EXAMPLE" ||
			return 1
	fi
	libdir=$(pkg-config --libs-only-L runner) &&
	libdir=${libdir#-L} &&
	libdir=${libdir%% } &&
	if test "$3" = static; then
		cc $EX_CFLAGS -o "$1" "$ex" "$2" \
			$(pkg-config --cflags runner) -L"$libdir" \
			-Wl,-Bstatic -lrunner -Wl,-Bdynamic \
			$(pkg-config --static --libs-only-l --libs-only-other runner | sed "s/-lrunner//")
	else
		cc $EX_CFLAGS -o "$1" "$ex" "$2" \
			$(pkg-config --cflags --libs runner) -Wl,-rpath,"$libdir"
	fi
}

# rows DB: the tracking rows as runner records them, without times.
rows () {
	sql "$1" "SELECT id, version, name, checksum, down_sql,
		down_options, state, error FROM schema_migrations ORDER BY version"
}

export PKG_CONFIG_PATH="$LIB_BUILD/pkgconfig"

test_expect_success 'setup: runner embed writes migrations/ as C; the example builds shared and static' '
	cp -r "$SOURCE_DIRECTORY/migrations" . &&
	runner embed migrations >migrations.c &&
	test_grep "^const struct librunner_migration runner_migrations\[\] = {" migrations.c &&
	test_grep "^const size_t runner_migrations_count = 3;" migrations.c &&
	test_grep "\.checksum = \"$(file_checksum migrations/002_analytics_tables.sql)\"" migrations.c &&
	build ./ex-shared migrations.c &&
	build ./ex-static migrations.c static &&
	readelf -d ex-shared | grep -q "NEEDED.*librunner\.so\.0" &&
	! readelf -d ex-static | grep -q "NEEDED.*librunner"
'

test_expect_success 'the libraries export only the API: librunner_* (the .so with LIBRUNNER_0)' '
	nm -D --defined-only "$LIB_BUILD/librunner.so" | awk "{ print \$3 }" | grep -v "^LIBRUNNER_0$" >syms &&
	! grep -v "^librunner_.*@@LIBRUNNER_0$" syms &&
	test_line_count = 8 syms &&
	nm -g --defined-only "$LIB_BUILD/librunner.a" | awk "NF == 3 { print \$3 }" >asyms &&
	! grep -v "^librunner_" asyms &&
	test_line_count = 8 asyms &&
	readelf -d "$LIB_BUILD/librunner.so" | grep -q "SONAME.*\[librunner\.so\.0\]"
'

test_expect_success 'embedded migrations: the same rows and schema as runner migrate; status agrees' '
	checked ./ex-shared emb.db >out &&
	test_grep "applied 3 now; version 003, 3 applied, 0 pending, 0 changed, 0 missing, 0 failed" out &&
	runner --db cli.db migrate >/dev/null &&
	rows cli.db >expect &&
	rows emb.db >actual &&
	test_cmp expect actual &&
	runner --db cli.db show-schema >expect &&
	runner --db emb.db show-schema >actual &&
	test_cmp expect actual &&
	runner --db emb.db status --exit-code >out &&
	test_grep "^Database is up to date!" out &&
	checked ./ex-static emb.db >out &&
	test_grep "applied 0 now; version 003, 3 applied, 0 pending" out
'

test_expect_success 'a folder: the same rows; a target; a folder and the embedded data agree' '
	checked ./ex-static -t 002 -d migrations dir.db >out &&
	test_grep "applied 2 now; version 002, 2 applied, 1 pending" out &&
	checked ./ex-shared dir.db >out &&
	test_grep "applied 1 now; version 003, 3 applied, 0 pending" out &&
	rows cli.db >expect &&
	rows dir.db >actual &&
	test_cmp expect actual &&
	runner --db dir.db status --exit-code >out
'

test_expect_success 'every layout embeds: separate down files, Flyway placeholders, diesel settings' '
	mkdir -p gm fw di/2020-01-01-000000_a &&
	echo "CREATE TABLE g (x int);" >gm/001_g.up.sql &&
	echo "DROP TABLE g;" >gm/001_g.down.sql &&
	printf "CREATE TABLE \${tbl} (x int);\r\n-- ??= \"q\" \\\\ \t é\n" >fw/V1__f.sql &&
	echo "DROP TABLE \${tbl};" >fw/U1__f.sql &&
	echo "CREATE TABLE d (x int);" >di/2020-01-01-000000_a/up.sql &&
	echo "DROP TABLE d;" >di/2020-01-01-000000_a/down.sql &&
	echo "run_in_transaction = false" >di/2020-01-01-000000_a/metadata.toml &&
	export FLYWAY_PLACEHOLDERS_TBL=f &&
	for l in gm fw di
	do
		runner embed $l >$l.c &&
		build ./ex-$l $l.c &&
		checked ./ex-$l $l-emb.db >out &&
		test_grep "applied 1 now" out &&
		runner --db $l-cli.db --dir $l migrate >/dev/null &&
		rows $l-cli.db >expect &&
		rows $l-emb.db >actual &&
		test_cmp expect actual &&
		runner --db $l-emb.db --dir $l status --exit-code >/dev/null || return 1
	done &&
	table_exists fw-emb.db f &&
	test "$(sql di-emb.db "SELECT down_options FROM schema_migrations")" = "transaction:false"
'

test_expect_success 'runner embed: several folders merge; --name; usage' '
	runner embed --name app_migrations migrations di >two.c &&
	test_grep "^const size_t app_migrations_count = 4;" two.c &&
	test_grep "^LIBRUNNER_DECLARE_EMBEDDED(app_migrations);" two.c &&
	test_expect_code 2 runner embed --name 9x 2>err &&
	test_grep "runner: .9x. is not a C identifier" err &&
	test_grep "^usage: runner embed \[--name NAME\] \[DIR ...\]" err &&
	test_expect_code 2 runner embed --bogus 2>err &&
	test_grep "^usage: runner embed" err &&
	mkdir empty &&
	runner embed empty >none.c &&
	test_grep "^const size_t runner_migrations_count = 0;" none.c &&
	build ./ex-none none.c &&
	checked ./ex-none none.db >out &&
	test_grep "applied 0 now; version none, 0 applied, 0 pending" out
'

test_expect_success 'runner embed: a missing folder or a bad migration fails as the other commands do, writing nothing' '
	test_expect_code 1 runner embed nosuch >out 2>err &&
	test_must_be_empty out &&
	test_grep "^runner: cannot open migrations directory .nosuch.: No such file or directory" err &&
	mkdir bad && cp migrations/*.sql bad/ &&
	printf -- "-- migrate:up\nCREATE TABLE x (a);\n-- migrate:up\n" >bad/004_bad.sql &&
	test_expect_code 1 runner embed bad >out 2>err &&
	test_must_be_empty out &&
	test_expect_code 1 runner --dir bad status >/dev/null 2>expect &&
	test_cmp expect err
'

test_expect_success 'errors reach the caller: a bad folder, a bad URL, a bad table name, a bad target; --table works' '
	test_expect_code 1 checked ./ex-shared -d nosuch e1.db 2>err &&
	test_grep "^example: load failed (-3): cannot open migrations directory .nosuch.: No such file or directory" err &&
	test_expect_code 1 checked ./ex-shared "sqlite:e2.db?bogus=1" 2>err &&
	test_grep "^example: open failed (-2): " err &&
	test_grep "bogus" err &&
	test_expect_code 1 checked ./ex-shared nodir/e3.db 2>err &&
	test_grep "^example: open failed (-1): .*nodir/e3.db" err &&
	test_path_is_missing nodir &&
	test_expect_code 1 checked ./ex-shared -T 1bad e5.db 2>err &&
	test_grep "^example: open failed (-2): .1bad. cannot name the tracking table" err &&
	test_path_is_missing e5.db &&
	checked ./ex-shared -T app_versions e6.db >out &&
	test_equal 3 "$(sql e6.db "SELECT count(*) FROM app_versions")" &&
	runner --db e6.db --table app_versions status --exit-code >/dev/null &&
	test_expect_code 1 checked ./ex-shared -t x1 e4.db 2>err &&
	test_grep "^example: migrate failed (-2): .x1. is not a version" err
'

test_expect_success 'a failing migration leaves the database as it was; the caller reads file and line' '
	cp emb.db before.db &&
	mkdir fail && cp migrations/*.sql fail/ &&
	printf -- "-- migrate:up\nCREATE TABLE ok (x);\nINSERT INTO nosuch VALUES (1);\n" >fail/004_fails.sql &&
	test_expect_code 1 checked ./ex-shared -d fail emb.db 2>err &&
	test_grep "^example: migrate failed (-1): fail/004_fails.sql:3: .*no such table: nosuch" err &&
	test_equal "$(db_sha before.db)" "$(db_sha emb.db)" &&
	test_expect_code 1 checked ./ex-static -1 -d fail all.db 2>err &&
	test_grep "fail/004_fails.sql:3:" err &&
	test_equal "" "$(sql all.db "SELECT name FROM sqlite_master")"
'

test_expect_success 'edited data: a changed file is refused, a wrong embedded checksum too' '
	cp -r migrations changed &&
	echo "-- edited" >>changed/003_add_comments.sql &&
	cp emb.db before.db &&
	test_expect_code 1 checked ./ex-shared -d changed emb.db 2>err &&
	test_grep "^example: migrate failed (-1): .*003" err &&
	test_equal "$(db_sha before.db)" "$(db_sha emb.db)" &&
	sed "0,/\.checksum = \"crc32:[0-9a-f]*\"/s//.checksum = \"crc32:00000000\"/" migrations.c >wrong.c &&
	build ./ex-wrong wrong.c &&
	test_expect_code 1 checked ./ex-wrong w.db 2>err &&
	test_grep "^example: load failed (-1): embedded migration .migrations/001_initial_schema.sql. has checksum crc32:00000000, but its text gives crc32:" err
'

test_expect_success VALGRIND 'under valgrind: no memory error or leak, success and failure alike' '
	vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" &&
	checked $vg ./ex-shared vg.db >out &&
	test_grep "applied 3 now" out &&
	checked $vg ./ex-static -d migrations vg.db >out &&
	test_grep "applied 0 now" out &&
	test_expect_code 1 checked $vg ./ex-shared -d fail vg.db 2>err &&
	test_grep "no such table: nosuch" err &&
	test_expect_code 1 checked $vg ./ex-shared "sqlite:vg.db?bogus=1" &&
	test_expect_code 1 checked $vg ./ex-wrong vg2.db
'

test_expect_success 'install-lib and uninstall-lib in a DESTDIR; the example builds against the install' '
	(unset MAKEFLAGS MAKELEVEL MFLAGS &&
	 make -s --no-print-directory -C "$SOURCE_DIRECTORY" $LIB_MAKEFLAGS \
		DESTDIR="$TRASH_DIRECTORY/dest" PREFIX=/usr install-lib) &&
	(cd dest && find . ! -type d | sort) >actual &&
	cat >expect <<-\EOF &&
	./usr/include/librunner.h
	./usr/lib/librunner.a
	./usr/lib/librunner.so
	./usr/lib/librunner.so.0
	./usr/lib/librunner.so.0.1.0
	./usr/lib/pkgconfig/runner.pc
	EOF
	test_cmp expect actual &&
	test "$(readlink dest/usr/lib/librunner.so)" = librunner.so.0 &&
	test_grep "^prefix=/usr$" dest/usr/lib/pkgconfig/runner.pc &&
	test_grep "^libdir=/usr/lib$" dest/usr/lib/pkgconfig/runner.pc &&
	PKG_CONFIG_PATH="$TRASH_DIRECTORY/dest/usr/lib/pkgconfig" \
		PKG_CONFIG_SYSROOT_DIR="$TRASH_DIRECTORY/dest" build ./ex-inst migrations.c static &&
	checked ./ex-inst inst.db >out &&
	test_grep "applied 3 now" out &&
	(unset MAKEFLAGS MAKELEVEL MFLAGS &&
	 make -s --no-print-directory -C "$SOURCE_DIRECTORY" $LIB_MAKEFLAGS \
		DESTDIR="$TRASH_DIRECTORY/dest" PREFIX=/usr uninstall-lib) &&
	(cd dest && find . ! -type d) >left &&
	test_must_be_empty left
'

test_done
