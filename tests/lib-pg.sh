# tests/lib-pg.sh: a throwaway PostgreSQL server for the black-box tests.
#
# Source it after lib.sh; it starts one cluster for the test script:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$TEST_DIRECTORY/lib-pg.sh"
#	test_expect_success 'migrate' '
#		pg_newdb a && runner --db "$(pg_url a)" migrate
#	'
#
# The cluster is initdb'd into a fresh folder under /tmp and listens only on
# a Unix socket in that folder; it is stopped and the folder removed when
# the script exits, whatever happened. As initdb refuses to run as root, a
# root caller runs the server as the postgres user.
#
# With PG_TEMPLATE_DIR set (tests/run sets it for a whole run), the first
# script to need a cluster initdb's it there, under a lock, and every
# script copies that folder instead of running initdb again: the same
# fresh cluster, each script still its own server, at a twentieth of the
# cost. tests/run removes the folder when the run ends.
#
# A runner built without libpq skips the whole script (a visible TAP skip);
# a runner with libpq and no PostgreSQL server binaries is an error, so CI
# never skips these tests silently. PG_BINDIR may name the server's bin
# folder; otherwise pg_config --bindir, then /usr/lib/postgresql/*/bin.

if ! "$RUNNER" --version | grep -q postgresql; then
	echo "1..0 # SKIP runner was built without libpq (PostgreSQL driver)"
	exit 0
fi

pg_find_bindir () {
	local d
	for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null)" \
		$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r)
	do
		if test -n "$d" && test -x "$d/initdb" && test -x "$d/pg_ctl"; then
			echo "$d"
			return 0
		fi
	done
	d=$(command -v initdb) && dirname "$d"
}

PG_BINDIR=$(pg_find_bindir)
if test -z "$PG_BINDIR"; then
	echo "Bail out! runner has the PostgreSQL driver but no initdb/pg_ctl was found (install postgresql, or set PG_BINDIR)"
	exit 1
fi

# as_pg CMD...: run CMD as the user that owns the cluster (from /, which
# that user can enter, so that initdb and pg_ctl do not complain that they
# cannot change back to the scratch folder; paths given are absolute).
as_pg () {
	if test "$(id -u)" = 0; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

PG_DIR=$(mktemp -d /tmp/runner-pg.XXXXXX) || exit 1
if test "$(id -u)" = 0; then
	chmod 755 "$PG_DIR" && chown postgres: "$PG_DIR" || exit 1
fi

pg_stop () {
	if test -f "$PG_DIR/data/postmaster.pid"; then
		as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$PG_DIR"
}
trap pg_stop EXIT
trap 'exit 130' INT TERM

# pg_initdb DIR: a new cluster in DIR/data (DIR owned by the cluster's user).
pg_initdb () {
	as_pg "$PG_BINDIR/initdb" -D "$1/data" -A trust -U postgres \
		-E UTF8 --locale=C --no-sync >"$1/initdb.log" 2>&1 || {
		cat "$1/initdb.log"
		return 1
	}
	# pwuser must give a password; everyone else is trusted.
	printf 'local all pwuser scram-sha-256\nlocal all all trust\n' |
		as_pg tee "$1/data/pg_hba.conf" >/dev/null
}

# pg_template: PG_TEMPLATE_DIR/data, made by whichever script comes first.
pg_template () {
	(
		flock 9 &&
		if ! test -f "$PG_TEMPLATE_DIR/data/PG_VERSION"; then
			rm -rf "$PG_TEMPLATE_DIR/new" &&
			mkdir "$PG_TEMPLATE_DIR/new" &&
			if test "$(id -u)" = 0; then
				chmod 755 "$PG_TEMPLATE_DIR" "$PG_TEMPLATE_DIR/new" &&
				chown postgres: "$PG_TEMPLATE_DIR/new"
			fi &&
			pg_initdb "$PG_TEMPLATE_DIR/new" &&
			mv "$PG_TEMPLATE_DIR/new/data" "$PG_TEMPLATE_DIR/data"
		fi
	) 9>>"$PG_TEMPLATE_DIR/.lock"
}

# Speed over durability: this cluster lives for one test script. No
# autovacuum: its workers would start and scan every database the script
# makes, for nothing a test looks at.
pg_start () {
	if test -n "${PG_TEMPLATE_DIR:-}"; then
		pg_template &&
		cp -a "$PG_TEMPLATE_DIR/data" "$PG_DIR/data"
	else
		pg_initdb "$PG_DIR"
	fi &&
	as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=40 -c autovacuum=off" \
		start >/dev/null || {
		cat "$PG_DIR/server.log"
		return 1
	}
}

if ! pg_start; then
	echo "Bail out! cannot start a PostgreSQL test cluster in $PG_DIR"
	exit 1
fi

PGHOST=$PG_DIR
PGUSER=postgres
PGDATABASE=postgres
export PGHOST PGUSER PGDATABASE
unset PGPORT PGPASSWORD PGSERVICE PGOPTIONS PGPASSFILE PGSSLMODE PGCONNECT_TIMEOUT

# pg_url DB: the URL of database DB, its socket folder as host=.
pg_url () {
	echo "postgres:///$1?host=$PG_DIR"
}

# pg_newdb DB: a new, empty database DB (dropped first if it exists).
pg_newdb () {
	"$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d postgres \
		-c "DROP DATABASE IF EXISTS \"$1\"" \
		-c "CREATE DATABASE \"$1\"$PG_CREATE_STRATEGY"
}

# psql_q DB QUERY: run QUERY in DB, unaligned, tuples only.
psql_q () {
	"$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# Since PostgreSQL 15, CREATE DATABASE copies its template through the WAL
# unless told to copy the files: for a template this small, twice the
# server's CPU, in scripts that make a database for nearly every test.
PG_CREATE_STRATEGY=
if test "$(psql_q postgres "SHOW server_version_num")" -ge 150000; then
	PG_CREATE_STRATEGY=" STRATEGY FILE_COPY"
fi

# pg_applied DB: the applied versions, one per line, in version order.
pg_applied () {
	psql_q "$1" "SELECT version FROM schema_migrations ORDER BY version::numeric"
}

# pg_table_exists DB TABLE
pg_table_exists () {
	test "$(psql_q "$1" "SELECT to_regclass('$2') IS NOT NULL")" = t
}

# pg_dump_db DB: the database's schema and data, to prove it did not change.
pg_dump_db () {
	"$PG_BINDIR/pg_dump" --no-owner --no-privileges -d "$1" |
		grep -v -e '^\\restrict' -e '^\\unrestrict' -e '^-- Dumped'
}

# pg_hold_lock DB KEY: a psql session in DB holding pg_advisory_lock(KEY)
# (advisory locks belong to one database), with lib.sh's lock holders:
# returns once the lock is held, keeps it until release_lock. A migration
# that takes the same lock (SELECT pg_advisory_xact_lock(KEY)) waits there,
# inside its transaction, for as long as the test needs it to.
pg_hold_lock () {
	hold_setup || return 1
	{
		printf 'SELECT pg_advisory_lock(%s);\n\\o %s\n\\qecho held\n\\o\n' \
			"$2" "$HOLD_DIR/held"
		hold_until_released
		printf 'SELECT pg_advisory_unlock(%s);\n' "$2"
	} | "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" \
		>"$HOLD_DIR/log" 2>&1 &
	HOLD_PID=$!
	hold_wait
}

# pg_waiting DB: whether a session in DB waits for a lock.
pg_waiting () {
	test "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND wait_event_type = 'Lock'")" -gt 0
}

# pg_running DB TEXT: whether another session in DB runs a query
# containing TEXT.
pg_running () {
	test "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND state = 'active'
		AND pid <> pg_backend_pid() AND strpos(query, '$2') > 0")" -gt 0
}

# pg_setup_story: setup_story's three migrations, in PostgreSQL's dialect.
pg_setup_story () {
	setup_story &&
	sed -i 's/INTEGER PRIMARY KEY AUTOINCREMENT/SERIAL PRIMARY KEY/' migrations/*.sql
}
