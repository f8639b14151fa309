# tests/lib-mysql.sh: a throwaway MariaDB server for the black-box tests.
#
# Source it after lib.sh; it starts one server for the test script:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$TEST_DIRECTORY/lib-mysql.sh"
#	test_expect_success 'migrate' '
#		my_newdb a && runner --db "$(my_url a)" migrate
#	'
#
# The server gets a fresh data folder under /tmp (mariadb-install-db, about
# 1.5 s), listens only on a Unix socket in that folder (--skip-networking),
# reads no option file (--no-defaults) and is killed and its folder removed
# when the script exits, whatever happened. Nothing of the machine's own
# MariaDB (a service, /var/lib/mysql, /etc/mysql) is used or needed: Debian's
# mariadb-server-core package is enough.
#
# A runner built without libmariadb skips the whole script (a visible TAP
# skip); a runner with the driver and no server binaries is an error, so
# CI never skips these tests silently. MY_BINDIR may name the folder of
# mariadbd and mariadb-install-db.

if ! "$RUNNER" --version | grep -q mysql; then
	echo "1..0 # SKIP runner was built without libmariadb (MySQL/MariaDB driver)"
	exit 0
fi

my_find () {
	local d
	for d in "${MY_BINDIR:-}" /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin
	do
		if test -n "$d" && test -x "$d/$1"; then
			echo "$d/$1"
			return 0
		fi
	done
	command -v "$1"
}

MY_SERVER=$(my_find mariadbd)
MY_INSTALL_DB=$(my_find mariadb-install-db)
MY_CLIENT=$(my_find mariadb)
if test -z "$MY_SERVER" || test -z "$MY_INSTALL_DB" || test -z "$MY_CLIENT"; then
	echo "Bail out! runner has the MySQL driver but mariadbd, mariadb-install-db or mariadb was not found (install mariadb-server-core and mariadb-client, or set MY_BINDIR)"
	exit 1
fi

MY_DIR=$(mktemp -d /tmp/runner-my.XXXXXX) || exit 1
MY_SOCKET=$MY_DIR/mysqld.sock
MY_PID=

my_stop () {
	# A test's my_serve (in its subshell) leaves the pid in the file.
	test -s "$MY_DIR/mariadbd.pid" && MY_PID=$(cat "$MY_DIR/mariadbd.pid")
	if test -n "$MY_PID"; then
		kill -KILL "$MY_PID" 2>/dev/null
		wait "$MY_PID" 2>/dev/null
	fi
	rm -rf "$MY_DIR"
}
trap my_stop EXIT
trap 'exit 130' INT TERM

# my_client [ARGS...]: the mariadb client as root on the test server.
my_client () {
	"$MY_CLIENT" --no-defaults -S "$MY_SOCKET" -u root "$@"
}

# Speed over durability: this server lives for one test script. Commits
# still survive a crash of the server (my_crash), not of the machine.
my_start () {
	"$MY_INSTALL_DB" --no-defaults --datadir="$MY_DIR/data" --user="$(id -un)" \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$MY_DIR/install.log" 2>&1 || {
		cat "$MY_DIR/install.log" >&2
		return 1
	}
	my_serve
}

# my_serve: the server on the data folder my_start made.
my_serve () {
	"$MY_SERVER" --no-defaults --datadir="$MY_DIR/data" --socket="$MY_SOCKET" \
		--skip-networking --user="$(id -un)" --pid-file="$MY_DIR/mysqld.pid" \
		--log-error="$MY_DIR/server.log" --tmpdir="$MY_DIR" \
		--innodb-buffer-pool-size=16M \
		--innodb-flush-log-at-trx-commit=2 --skip-log-bin \
		--max-connections=60 --open-files-limit=1024 2>>"$MY_DIR/server.log" &
	MY_PID=$!
	echo "$MY_PID" >"$MY_DIR/mariadbd.pid"
	wait_until my_ready || {
		cat "$MY_DIR/server.log" >&2
		return 1
	}
}

# my_crash: kill -9 the server (a crash, or a machine gone); my_serve
# starts it again on the same data.
my_crash () {
	MY_PID=$(cat "$MY_DIR/mariadbd.pid") &&
	kill -KILL "$MY_PID" &&
	wait_until my_gone
}

# my_gone: the server has exited (a zombie that its parent, the script's
# shell, has not reaped yet counts).
my_gone () {
	kill -0 "$MY_PID" 2>/dev/null || return 0
	case $(ps -o stat= -p "$MY_PID") in
	Z*) return 0 ;;
	esac
	return 1
}

# my_ready: the server answers (wait_until gives up if it exited).
my_ready () {
	kill -0 "$MY_PID" 2>/dev/null || WAIT_GIVE_UP="mariadbd exited"
	my_client -e "SELECT 1" >/dev/null 2>&1
}

if ! my_start; then
	echo "Bail out! cannot start a MariaDB test server in $MY_DIR"
	exit 1
fi

# my_url DB: the URL of database DB on the test server, as root.
my_url () {
	echo "mysql://root@localhost/$1?socket=$MY_SOCKET"
}

# my_newdb DB: a new, empty database DB (dropped first if it exists).
my_newdb () {
	my_client -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`"
}

# my_q DB QUERY: run QUERY in DB; rows one per line, columns joined by |.
my_q () {
	my_client -N -B -D "$1" -e "$2" | tr '\t' '|'
}

# my_applied DB: the applied versions, one per line, in version order.
my_applied () {
	my_q "$1" "SELECT version FROM schema_migrations ORDER BY CAST(version AS UNSIGNED)"
}

# my_table_exists DB TABLE
my_table_exists () {
	test "$(my_q "$1" "SELECT count(*) FROM information_schema.tables
		WHERE table_schema = '$1' AND table_name = '$2'")" = 1
}

# my_has DB OBJECT: a table, view or index named OBJECT exists in DB.
my_has () {
	test "$(my_q "$1" "SELECT count(*) FROM (SELECT table_name AS n
		FROM information_schema.tables WHERE table_schema = '$1'
		UNION SELECT index_name FROM information_schema.statistics
		WHERE table_schema = '$1') AS o WHERE n = '$2'")" -ge 1
}

# my_dump DB: the schema and rows, to prove nothing changed (without the
# AUTO_INCREMENT counters, which a rolled-back insert moves on).
my_dump () {
	"$(my_find mariadb-dump)" --no-defaults -S "$MY_SOCKET" -u root \
		--skip-dump-date --skip-comments --skip-extended-insert "$1" |
		sed 's/ AUTO_INCREMENT=[0-9]*//'
}

# my_setup_story: setup_story's three migrations, in MySQL's dialect:
# AUTO_INCREMENT, and DROP TABLE taking its indexes along (MySQL's DROP
# INDEX names the table, and may not drop one a foreign key uses).
my_setup_story () {
	setup_story &&
	sed -i -e 's/INTEGER PRIMARY KEY AUTOINCREMENT/INTEGER PRIMARY KEY AUTO_INCREMENT/' \
		-e '/^DROP INDEX/d' migrations/*.sql
}

# my_sessions DB: how many sessions the server has in DB, but this one.
my_sessions () {
	my_q information_schema "SELECT count(*) FROM processlist WHERE db = '$1' AND id <> connection_id()"
}

# my_lock_name DB: the name of runner's session lock for DB's tracking
# table (doc/databases.md), as an SQL expression.
my_lock_name () {
	echo "CONCAT('runner:', LEFT('$1', 40), ':', LEFT(MD5(CONCAT('$1', '/', 'schema_migrations')), 12))"
}

# my_hold_lock DB: a client session holding runner's lock for DB, with
# lib.sh's lock holders: returns once it is held, keeps it until
# release_lock.
my_hold_lock () {
	hold_setup || return 1
	{
		echo "SELECT GET_LOCK($(my_lock_name "$1"), 60);"
		hold_until_released
		echo "SELECT RELEASE_LOCK($(my_lock_name "$1"));"
	} | my_client -N -B -n -D "$1" >"$HOLD_DIR/held" 2>"$HOLD_DIR/log" &
	HOLD_PID=$!
	hold_wait
}

# my_running TEXT: whether a session runs a statement starting with TEXT.
my_running () {
	test "$(my_q information_schema "SELECT count(*) FROM processlist
		WHERE info LIKE '$1%' AND id <> connection_id()")" -gt 0
}
