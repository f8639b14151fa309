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

# Speed over durability: this server lives for one test script.
my_start () {
	"$MY_INSTALL_DB" --no-defaults --datadir="$MY_DIR/data" --user="$(id -un)" \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$MY_DIR/install.log" 2>&1 || {
		cat "$MY_DIR/install.log"
		return 1
	}
	"$MY_SERVER" --no-defaults --datadir="$MY_DIR/data" --socket="$MY_SOCKET" \
		--skip-networking --user="$(id -un)" --pid-file="$MY_DIR/mysqld.pid" \
		--log-error="$MY_DIR/server.log" --innodb-buffer-pool-size=16M \
		--innodb-flush-log-at-trx-commit=0 --skip-log-bin \
		--max-connections=60 --open-files-limit=1024 2>>"$MY_DIR/server.log" &
	MY_PID=$!
	wait_until my_ready || {
		cat "$MY_DIR/server.log"
		return 1
	}
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
