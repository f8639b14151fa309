# tests/lib.sh: a small TAP test framework for the black-box tests, after git's t/test-lib.sh.
#
# A test script sources this file, runs test_expect_success for each case and
# ends with test_done:
#
#	. "$(dirname "$0")/lib.sh"
#	test_expect_success 'migrate applies everything' '
#		write_migration 001 a "CREATE TABLE a(x);" &&
#		runner migrate >out &&
#		test_grep "Applied 001: a (" out
#	'
#	test_done
#
# Each script runs in its own scratch directory, tests/trash.<script>/, which
# is removed when every test passed and kept for inspection otherwise. Each
# test body is eval'd in a subshell (so a cd or a variable does not leak into
# the next test) with stdin from /dev/null (so destructive commands are "off
# a terminal"); chain its commands with && so that any failure fails it.
#
# Environment:
#	RUNNER		the binary under test (default: <repo>/runner)
#	TEST_VERBOSE=1	show every test's output on stdout (prove -v), not
#			only the failing ones' (always shown, on stderr)
#	TEST_OUTPUT_LINES	how much of a failing test's output to show (200)
#	TEST_KEEP=1	keep the scratch directory even when all tests pass
#	TEST_TIMES=FILE	append a line to FILE for each test run: script,
#			number, CPU seconds (user+sys of every process it
#			waited for), wall seconds, title (tests/run sums
#			them by file)
#	TEST_SOAK=1	loops that repeat a race or a random kill run their
#			full counts (rounds, below; CI does one such pass)
#	RUNNER_TIMEOUT	seconds before a runner call counts as hung (default
#			300: generous, as a loaded machine may be 30 times slower)
#	RUNNER_VALGRIND=1	RUNNER runs the binary under valgrind (make
#			check-valgrind): tests that need its real speed are
#			skipped (prerequisite NOT_VALGRIND), loops are shorter

TEST_NAME=$(basename "$0" .sh)
TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIRECTORY=$(cd "$TEST_DIRECTORY/.." && pwd)
: "${RUNNER:=$SOURCE_DIRECTORY/runner}"
: "${RUNNER_TIMEOUT:=300}"
: "${TEST_OUTPUT_LINES:=200}"
TRASH_DIRECTORY="$TEST_DIRECTORY/trash.$TEST_NAME"

case "$RUNNER" in
/*) ;;
*) RUNNER="$(pwd)/$RUNNER" ;;
esac
export RUNNER

# A predictable environment: no configuration leaks in from the caller.
unset DATABASE_URL MIGRATIONS_DIR CDPATH GREP_OPTIONS
LC_ALL=C
TZ=UTC
export LC_ALL TZ
: "${ASAN_OPTIONS:=detect_leaks=1}"
: "${UBSAN_OPTIONS:=halt_on_error=1:print_stacktrace=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

test_count=0
test_failed=0
test_skipped=0

if ! test -x "$RUNNER"; then
	echo "Bail out! runner binary not found at $RUNNER (run make first)"
	exit 1
fi

rm -rf "$TRASH_DIRECTORY" || exit 1
mkdir -p "$TRASH_DIRECTORY" || exit 1
cd "$TRASH_DIRECTORY" || exit 1
HOME="$TRASH_DIRECTORY"
export HOME
# Sanitizer and valgrind reports and hangs: runner and runner_on_tty append
# them to SANITIZER_LOG, which each test starts empty, so that a test fails
# when it is not empty at its end; all of them are kept in SANITIZER_ALL.
SANITIZER_ALL="$TRASH_DIRECTORY/.sanitizer-errors"
SANITIZER_LOG="$TRASH_DIRECTORY/.sanitizer-new"
: >"$SANITIZER_ALL" && : >"$SANITIZER_LOG" || exit 1

# tick [SECONDS]: pause for SECONDS (0.01), as sleep would, but without
# starting a process: reading a FIFO that nobody writes until the timeout.
# Polling loops call it many times a second; a sleep process each time costs
# more CPU than the wait it stands for, on a machine that is busy anyway.
TICK_FIFO="$TRASH_DIRECTORY/.tick"
mkfifo "$TICK_FIFO" || exit 1
tick () {
	read -r -t "${1:-0.01}" <>"$TICK_FIFO"
	return 0
}

# python3: the system's interpreter when there is one. A version manager's
# shim first on PATH (pyenv's is a bash script that runs more scripts)
# costs some 0.7 s of CPU a call, many times what the call itself does;
# the tests need nothing but the standard library.
if test -x /usr/bin/python3; then
	python3 () {
		/usr/bin/python3 "$@"
	}
fi

# bad_report FILE: whether FILE holds a sanitizer or valgrind report.
bad_report () {
	grep -q -e 'Sanitizer' -e 'runtime error:' -e '^==[0-9][0-9]*== ' "$1"
}

# runner ARGS...: run the binary under test. Its stderr passes through, but is
# also checked for sanitizer and valgrind reports: one of those fails the
# current test whatever the exit code was. Most runs print nothing on
# stderr: those cost no process but the binary (and timeout's).
runner () {
	local errfile="$TRASH_DIRECTORY/.stderr.$BASHPID" rc
	timeout "$RUNNER_TIMEOUT" "$RUNNER" "$@" 2>"$errfile"
	rc=$?
	if test -s "$errfile"; then
		cat "$errfile" >&2
		if bad_report "$errfile"; then
			{
				echo "sanitizer report from: runner $*"
				cat "$errfile"
			} >>"$SANITIZER_LOG"
		fi
	fi
	if test "$rc" = 124; then
		echo "runner $* timed out after $RUNNER_TIMEOUT s" >>"$SANITIZER_LOG"
	fi
	return "$rc"
}

# runner_once KEY ARGS...: runner ARGS..., but under valgrind (make
# check-valgrind) only the first time the script uses KEY; later calls with
# KEY run the plain binary (VALGRIND_BIN), with every check the same. For
# a loop that takes one code path many times, such as every command on
# each of many bad folders: valgrind checks memory, which one run of each
# path shows, at a second or so a run.
RUNNER_ONCE="$TRASH_DIRECTORY/.valgrind-once"
: >"$RUNNER_ONCE" || exit 1
runner_once () {
	local key=$1 seen
	shift
	if test -z "$RUNNER_VALGRIND"; then
		runner "$@"
		return
	fi
	while read -r seen
	do
		if test "$seen" = "$key"; then
			RUNNER=$VALGRIND_BIN runner "$@"
			return
		fi
	done <"$RUNNER_ONCE"
	echo "$key" >>"$RUNNER_ONCE"
	runner "$@"
}

# test_set_prereq NAME / test_have_prereq NAME: optional test requirements.
test_prereqs=" "
test_set_prereq () {
	test_prereqs="$test_prereqs$1 "
}
test_have_prereq () {
	case "$test_prereqs" in
	*" $1 "*) return 0 ;;
	esac
	return 1
}
test "$(id -u)" != 0 && test_set_prereq NOT_ROOT
test -z "$RUNNER_VALGRIND" && test_set_prereq NOT_VALGRIND

# rounds VAR QUICK SOAK [VALGRIND]: how many times a loop repeats a race, a
# random kill or a fault (or how big a database is, that a run on it takes
# long enough to be interrupted): $VAR when it is set, else VALGRIND
# (default 1) under valgrind, which checks each code path's memory, not its
# timing; SOAK under TEST_SOAK=1; QUICK otherwise (make test). QUICK keeps
# make test fast; one CI pass runs the SOAK counts.
rounds () {
	if test -n "${!1}"; then
		echo "${!1}"
	elif test -n "$RUNNER_VALGRIND"; then
		echo "${4:-1}"
	elif test -n "$TEST_SOAK"; then
		echo "$3"
	else
		echo "$2"
	fi
}

# cpu_ticks: the CPU time, in clock ticks (USER_HZ, 100 on Linux), of the
# processes this shell has waited for: cutime and cstime, the 14th and 15th
# words after the name in /proc/PID/stat; read without starting a process.
cpu_ticks () {
	local line
	read -r line </proc/$$/stat
	set -- ${line##*) }
	echo $((${14} + ${15}))
}

say_lines () {
	sed -e 's/^/# /'
}

# test_expect_success [PREREQ] TITLE BODY
test_expect_success () {
	local prereq="" title body out rc ticks wall
	if test $# = 3; then
		prereq=$1
		shift
	fi
	if test $# != 2; then
		echo "Bail out! bug in the test script: test_expect_success needs 2 or 3 arguments"
		exit 1
	fi
	title=$1
	body=$2
	test_count=$((test_count + 1))
	if test -n "$prereq" && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count # skip $title (missing $prereq)"
		return 0
	fi
	out="$TRASH_DIRECTORY/.test-output"
	if test -n "$TEST_TIMES"; then
		ticks=$(cpu_ticks) wall=${EPOCHREALTIME/./}
	fi
	# Reports from outside any test are kept but fail none.
	if test -s "$SANITIZER_LOG"; then
		cat "$SANITIZER_LOG" >>"$SANITIZER_ALL"
		: >"$SANITIZER_LOG"
	fi
	(
		cd "$TRASH_DIRECTORY" || exit 1
		eval "$body"
	) >"$out" 2>&1 </dev/null
	rc=$?
	if test -n "$TEST_TIMES"; then
		say_times "$ticks" "$wall"
	fi
	if test "$rc" = 0 && ! test -s "$SANITIZER_LOG"; then
		echo "ok $test_count - $title"
		if test -n "$TEST_VERBOSE"; then
			say_lines <"$out"
		fi
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $title"
		say_failure "$rc" "$body" "$out"
		cat "$SANITIZER_LOG" >>"$SANITIZER_ALL"
		: >"$SANITIZER_LOG"
	fi
	return 0
}

# say_times TICKS WALL: this test's line in TEST_TIMES, from the CPU ticks
# and the wall-clock microseconds when it started.
say_times () {
	local hz=100 cpu wall
	cpu=$(($(cpu_ticks) - $1))
	wall=$(((${EPOCHREALTIME/./} - $2) / 10000))
	printf '%s %d %d.%02d %d.%02d %s\n' "$TEST_NAME" "$test_count" \
		$((cpu / hz)) $((cpu % hz)) $((wall / 100)) $((wall % 100)) \
		"$title" >>"$TEST_TIMES"
}

# say_failure RC BODY OUTPUT: why the test just counted
# failed, as TAP comments on stderr, which prove shows even without -v: the
# sanitizer reports or hangs it caused, its body, and the end of its output
# (all of it is kept in the scratch directory). Written at once, so that
# under prove -j another script's lines do not land inside it.
say_failure () {
	local lines keep="$TRASH_DIRECTORY/.failed-$test_count.out"
	cp "$3" "$keep"
	lines=$(wc -l <"$keep")
	{
		echo "# $TEST_NAME: test $test_count failed: $title"
		if test -s "$SANITIZER_LOG"; then
			echo "# sanitizer error or hang:"
			say_lines <"$SANITIZER_LOG"
		fi
		echo "# body:"
		printf '%s\n' "$2" | say_lines
		echo "# output (exit $1):"
		if test "$lines" -gt "$TEST_OUTPUT_LINES"; then
			echo "# ... the first $((lines - TEST_OUTPUT_LINES)) of $lines lines are in $keep"
		fi
		tail -n "$TEST_OUTPUT_LINES" "$keep" | say_lines
	} >"$keep.say"
	cat "$keep.say" >&2
	rm -f "$keep.say"
}

test_done () {
	echo "1..$test_count"
	if test "$test_failed" != 0; then
		echo "# $TEST_NAME: failed $test_failed of $test_count; scratch directory kept: $TRASH_DIRECTORY" >&2
		exit 1
	fi
	cd "$TEST_DIRECTORY" || exit 1
	if test -z "$TEST_KEEP"; then
		rm -rf "$TRASH_DIRECTORY"
	fi
	exit 0
}

# test_expect_code CODE CMD...: CMD must exit with exactly CODE.
test_expect_code () {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	if test "$rc" = "$want"; then
		return 0
	fi
	echo "test_expect_code: '$*' exited $rc, expected $want" >&2
	return 1
}

# test_must_fail CMD...: CMD must fail in a controlled way: a non-zero exit
# below 128, so a crash (signal) or a hang (timeout's 124) does not count.
test_must_fail () {
	local rc
	"$@"
	rc=$?
	if test "$rc" = 0; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif test "$rc" -ge 128; then
		echo "test_must_fail: '$*' died of signal $((rc - 128))" >&2
		return 1
	elif test "$rc" = 124; then
		echo "test_must_fail: '$*' timed out" >&2
		return 1
	fi
	return 0
}

# test_cmp EXPECT ACTUAL
test_cmp () {
	diff -u "$1" "$2"
}

# test_grep [!] [GREP-OPTIONS] PATTERN FILE: like grep, but shows FILE when
# the expectation is not met.
test_grep () {
	local negate= last
	if test "$1" = "!"; then
		negate=t
		shift
	fi
	last=${!#}
	if test -n "$negate"; then
		if ! grep "$@" >/dev/null; then
			return 0
		fi
		echo "test_grep: found unexpected '$*' in $last:" >&2
	else
		if grep "$@" >/dev/null; then
			return 0
		fi
		echo "test_grep: did not find '$*' in $last:" >&2
	fi
	if test -f "$last"; then
		sed -e 's/^/| /' "$last" >&2
	fi
	return 1
}

# test_line_count OP N FILE, e.g. test_line_count = 3 out
test_line_count () {
	local n
	n=$(wc -l <"$3")
	if test "$n" "$1" "$2"; then
		return 0
	fi
	echo "test_line_count: $3 has $n lines, expected $1 $2:" >&2
	sed -e 's/^/| /' "$3" >&2
	return 1
}

test_path_is_missing () {
	if test -e "$1"; then
		echo "test_path_is_missing: $1 exists" >&2
		return 1
	fi
}

# Handshakes. A test that needs runner (or a lock holder) to have reached a
# point waits until it can see that it has, never for a fixed time: under
# valgrind runner takes most of a second just to start, and on a loaded
# machine anything may take many times longer than usual.

# now_ms: wall-clock milliseconds.
now_ms () {
	local us=${EPOCHREALTIME/./}
	echo $((us / 1000))
}

# wait_until CMD...: run CMD until it succeeds: every 10 ms for the first
# 20 tries, so that a short-lived state (a journal, a temporary file) is
# seen, then every 50 ms, so that a long wait does not take the CPU that
# the process it waits for needs (a check may start processes, or read
# all of /proc); fail after RUNNER_TIMEOUT
# seconds, the time after which a runner counts as hung, or at once when
# CMD (a shell function) sets WAIT_GIVE_UP to say why it never will, e.g.
# because the process it watches has exited.
wait_until () {
	local deadline=$((SECONDS + RUNNER_TIMEOUT)) tries=0
	WAIT_GIVE_UP=
	until "$@"
	do
		if test -n "$WAIT_GIVE_UP"; then
			echo "wait_until: $WAIT_GIVE_UP" >&2
			return 1
		fi
		if test "$SECONDS" -ge "$deadline"; then
			echo "wait_until: '$*' still false after $RUNNER_TIMEOUT s" >&2
			return 1
		fi
		tries=$((tries + 1))
		if test "$tries" -le 20; then
			tick 0.01
		else
			tick 0.05
		fi
	done
}

# wait_for FILE: until FILE exists.
wait_for () {
	wait_until test -e "$1"
}

# note_connections SOCKET FILE: a listener on the Unix socket SOCKET, in
# the background (its pid in $listener, for kill and wait), that writes
# FILE if anything connects within 30 s; returns once it listens. For
# the commands that must never connect where a driver would.
note_connections () {
	mkdir -p "$(dirname "$1")" &&
	{ python3 - "$1" "$2" <<-\EOF & } &&
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.bind(sys.argv[1])
	s.listen(5)
	s.settimeout(30)
	try:
	    c, _ = s.accept()
	    open(sys.argv[2], "w").write("connected\n")
	except OSError:
	    pass
	EOF
	listener=$! &&
	wait_for "$1"
}

# wait_waiting PID FILE: until runner, process PID or one of its
# descendants (PID may be a backgrounded `runner` call: a subshell, then
# timeout, then the binary), is seen waiting for a lock on FILE: it has
# FILE open twice (SQLite's connection and the run lock's descriptor,
# opened just before either lock wait) and is asleep in nanosleep, as
# runner's lock waits and SQLite's busy handler poll. Fails if PID exits
# first. Where the kernel does not show what a process sleeps in
# (/proc/PID/wchan), the two descriptors alone count.
wait_waiting () {
	local file
	file=$(readlink -f "$2") &&
	wait_until is_waiting "$1" "$file" || {
		echo "wait_waiting: process $1 was not seen waiting for a lock on $2" >&2
		return 1
	}
}

is_waiting () {
	local p
	kill -0 "$1" 2>/dev/null || {
		WAIT_GIVE_UP="process $1 has exited"
		return 1
	}
	for p in $(descendants "$1")
	do
		test "$(find "/proc/$p/fd" -lname "$2" 2>/dev/null | wc -l)" -ge 2 || continue
		test -z "$HAVE_WCHAN" && return 0
		case $(cat "/proc/$p/wchan" 2>/dev/null) in
		*nanosleep*) return 0 ;;
		esac
	done
	return 1
}

# descendants PID: PID and every process below it, one a line, from each
# process's parent in /proc/*/stat (the field after the state, which
# follows the parenthesised name).
descendants () {
	local f line rest pid ppid found=" $1 " more=1
	local -a procs=()
	for f in /proc/[0-9]*/stat
	do
		read -r line 2>/dev/null <"$f" || continue
		rest=${line##*) }
		rest=${rest#* }
		procs+=("${line%% *} ${rest%% *}")
	done
	while test -n "$more"
	do
		more=
		for line in "${procs[@]}"
		do
			pid=${line% *} ppid=${line#* }
			case $found in
			*" $pid "*) ;;
			*" $ppid "*) found="$found$pid " more=1 ;;
			esac
		done
	done
	echo $found
}

# /proc/PID/wchan names the kernel function a process sleeps in, or says
# 0 when the kernel keeps that hidden; this shell is asleep in wait4 now.
case $(cat "/proc/$$/wchan" 2>/dev/null) in
""|0) HAVE_WCHAN= ;;
*) HAVE_WCHAN=1 ;;
esac

# Lock holders, for what runner does while another process holds a lock.
# Each starts a process that takes the lock, returns once it is held (or
# fails, showing why, when it could not be taken), and keeps it until
# release_lock, or until the test that took it ends, however that ends:
#	hold_write_lock DB [SQL]	SQLite's write lock on DB (BEGIN
#					IMMEDIATE, then SQL), as any writer
#	hold_run_lock FILE		flock(2) on FILE, as another runner
# (lib-pg.sh adds pg_hold_lock). One holder at a time in a test.

# hold_setup: the holder's folder and the test that owns it.
hold_setup () {
	HOLD_DIR=$(mktemp -d "$TRASH_DIRECTORY/.hold.XXXXXX") &&
	HOLD_OWNER=$BASHPID
}

# hold_until_released: the holder's side: until release_lock, or until the
# test that started it has ended.
hold_until_released () {
	while ! test -e "$HOLD_DIR/release" && kill -0 "$HOLD_OWNER" 2>/dev/null
	do
		tick 0.05
	done
}

# hold_wait: until the holder has written "held" to $HOLD_DIR/held.
hold_wait () {
	wait_until hold_has_lock || {
		echo "lock holder $HOLD_PID did not get its lock:" >&2
		sed -e 's/^/| /' "$HOLD_DIR/log" >&2
		return 1
	}
}

hold_has_lock () {
	test -s "$HOLD_DIR/held" && return 0
	kill -0 "$HOLD_PID" 2>/dev/null || WAIT_GIVE_UP="lock holder $HOLD_PID has exited"
	return 1
}

hold_write_lock () {
	hold_setup || return 1
	{
		printf "BEGIN IMMEDIATE;\n%s\n.output '%s'\n.print held\n.output stdout\n" \
			"${2:-}" "$HOLD_DIR/held"
		hold_until_released
		echo "COMMIT;"
	} | sqlite3 -bail "$1" >"$HOLD_DIR/log" 2>&1 &
	HOLD_PID=$!
	hold_wait
}

hold_run_lock () {
	hold_setup || return 1
	{
		flock 9 && echo held >"$HOLD_DIR/held" && hold_until_released
	} 9<"$1" >"$HOLD_DIR/log" 2>&1 &
	HOLD_PID=$!
	hold_wait
}

# release_lock: let the holder go and wait for it: its exit status.
release_lock () {
	touch "$HOLD_DIR/release" &&
	wait "$HOLD_PID" || {
		echo "lock holder $HOLD_PID failed:" >&2
		sed -e 's/^/| /' "$HOLD_DIR/log" >&2
		return 1
	}
}

# test_must_be_empty FILE
test_must_be_empty () {
	if test -s "$1"; then
		echo "$1 is not empty:" >&2
		sed -e 's/^/| /' "$1" >&2
		return 1
	fi
}

test_path_is_file () {
	if ! test -f "$1"; then
		echo "test_path_is_file: $1 is not a file" >&2
		return 1
	fi
}

# test_equal EXPECTED ACTUAL: compare two strings, showing both on mismatch.
test_equal () {
	if test "$1" = "$2"; then
		return 0
	fi
	printf 'test_equal: expected [%s]\n            actual   [%s]\n' "$1" "$2" >&2
	return 1
}

# db_sha FILE: a digest of FILE, to prove it did not change.
db_sha () {
	local sum
	sum=$(sha256sum <"$1")
	echo "${sum%% *}"
}

# sql DB QUERY: run QUERY with the sqlite3 command-line shell.
sql () {
	sqlite3 -batch "$1" "$2"
}

# applied DB: the applied versions, one per line, in version order.
applied () {
	sqlite3 -batch "${1:-app.db}" \
		"SELECT version FROM schema_migrations ORDER BY CAST(version AS INTEGER)"
}

# table_exists DB TABLE
table_exists () {
	test "$(sqlite3 -batch "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$2'")" = 1
}

# write_migration VERSION NAME UP [DOWN]: write $MIGDIR/VERSION_NAME.sql
# (MIGDIR defaults to migrations) with a dbmate up and, if given, down section.
write_migration () {
	local dir="${MIGDIR:-migrations}"
	mkdir -p "$dir" &&
	{
		echo "-- migration $1: $2"
		echo
		echo "-- migrate:up"
		printf '%s\n' "$3"
		if test $# -ge 4; then
			echo
			echo "-- migrate:down"
			printf '%s\n' "$4"
		fi
	} >"$dir/$1_$2.sql"
}

# setup_story: the three-migration set from the README's status example
# (001 initial_schema, 002 analytics_tables, 003 add_comments), in ./migrations.
setup_story () {
	write_migration 001 initial_schema \
"CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);
CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL
);" \
"DROP TABLE IF EXISTS posts;
DROP TABLE IF EXISTS users;" &&
	write_migration 002 analytics_tables \
"CREATE TABLE page_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER REFERENCES posts (id),
    viewed_at TEXT
);
CREATE INDEX idx_page_views_post_id ON page_views (post_id);" \
"DROP INDEX IF EXISTS idx_page_views_post_id;
DROP TABLE IF EXISTS page_views;" &&
	write_migration 003 add_comments \
"CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    content TEXT NOT NULL
);
CREATE INDEX idx_comments_post_id ON comments (post_id);" \
"DROP INDEX IF EXISTS idx_comments_post_id;
DROP TABLE IF EXISTS comments;"
}

# fresh NAME: start an empty directory NAME in the scratch directory and cd
# into it (inside a test body, so the cd ends with the test).
fresh () {
	rm -rf "$TRASH_DIRECTORY/$1" &&
	mkdir "$TRASH_DIRECTORY/$1" &&
	cd "$TRASH_DIRECTORY/$1"
}

# file_checksum FILE: the checksum the README specifies: CRC-32 of FILE after
# removing a UTF-8 BOM and turning CRLF and CR into LF, as crc32:%08x.
file_checksum () {
	python3 -c '
import sys, zlib
d = open(sys.argv[1], "rb").read()
if d.startswith(b"\xef\xbb\xbf"):
    d = d[3:]
d = d.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
print("crc32:%08x" % zlib.crc32(d))
' "$1"
}

# runner_on_tty ANSWER ARGS...: run the binary under test with a pseudo-terminal
# as stdin, stdout and stderr, typing ANSWER and a newline; everything it
# printed goes to stdout, and its exit code is returned.
runner_on_tty () {
	local out="$TRASH_DIRECTORY/.tty.$BASHPID" rc
	python3 - "$RUNNER_TIMEOUT" "$@" >"$out" <<-\EOF
	import os, pty, select, sys
	timeout = int(sys.argv[1])
	answer = sys.argv[2].encode() + b"\n"
	pid, fd = pty.fork()
	if pid == 0:
	    os.execv(os.environ["RUNNER"], ["runner"] + sys.argv[3:])
	os.write(fd, answer)
	out = b""
	while True:
	    r, _, _ = select.select([fd], [], [], timeout)
	    if not r:
	        os.kill(pid, 9)
	        break
	    try:
	        data = os.read(fd, 4096)
	    except OSError:
	        break
	    if not data:
	        break
	    out += data
	_, status = os.waitpid(pid, 0)
	sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
	code = os.waitstatus_to_exitcode(status)
	sys.exit(128 - code if code < 0 else code)
	EOF
	rc=$?
	cat "$out"
	if bad_report "$out"; then
		{
			echo "sanitizer report from: runner $* (on a terminal)"
			cat "$out"
		} >>"$SANITIZER_LOG"
	fi
	rm -f "$out"
	return "$rc"
}

# test_no_crash CMD...: CMD may succeed or fail, but not die of a signal or hang.
test_no_crash () {
	local rc
	"$@"
	rc=$?
	if test "$rc" -ge 128 || test "$rc" = 124; then
		echo "test_no_crash: '$*' exited $rc" >&2
		return 1
	fi
	return 0
}
