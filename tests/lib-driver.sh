# tests/lib-driver.sh: one set of helpers over the drivers, so that one
# suite (tests/shared-*.sh) runs unchanged against SQLite, PostgreSQL and
# MariaDB.
#
# A wrapper script sets DRIVER (sqlite, pg or mysql), sources lib.sh (and,
# for pg, lib-pg.sh, for mysql, lib-mysql.sh, which start a throwaway
# server), then this file, then the suite:
#
#	DRIVER=pg
#	. "$(dirname "$0")/lib.sh"
#	. "$TEST_DIRECTORY/lib-pg.sh"
#	. "$TEST_DIRECTORY/lib-driver.sh"
#	. "$TEST_DIRECTORY/shared-commands.sh"
#
# Databases are named by a word (app, fresh...): a file in the scratch
# directory for SQLite, a database on the test server for the others.
# Output formats agree: one row per line, columns joined by "|".

case "${DRIVER:-sqlite}" in
sqlite)
	db_url () {
		echo "$TRASH_DIRECTORY/$1.db"
	}

	db_new () {
		rm -f "$TRASH_DIRECTORY/$1.db" "$TRASH_DIRECTORY/$1.db-journal" \
			"$TRASH_DIRECTORY/$1.db-wal" "$TRASH_DIRECTORY/$1.db-shm"
	}

	# db_q NAME QUERY
	db_q () {
		sqlite3 -batch "$(db_url "$1")" "$2"
	}

	# db_has NAME OBJECT: a table, view or index named OBJECT exists (and
	# the database file was never created by asking).
	db_has () {
		test -f "$(db_url "$1")" &&
		test "$(db_q "$1" "SELECT count(*) FROM sqlite_master WHERE name = '$2'")" = 1
	}

	# db_columns NAME TABLE: its columns, one per line, in order.
	db_columns () {
		db_q "$1" "SELECT name FROM pragma_table_info('$2') ORDER BY cid"
	}

	# db_dump NAME: the schema and rows, to prove nothing changed.
	db_dump () {
		if test -f "$(db_url "$1")"; then
			sqlite3 -batch "$(db_url "$1")" .dump
		fi
	}

	# The story migrations as they are written for SQLite.
	db_setup_story () {
		setup_story
	}

	# no_table_error TABLE: how the database says TABLE does not exist.
	no_table_error () {
		echo "no such table: $1"
	}
	;;
pg)
	db_url () {
		pg_url "$1"
	}

	db_new () {
		pg_newdb "$1"
	}

	db_q () {
		psql_q "$1" "$2"
	}

	db_has () {
		pg_table_exists "$1" "$2"
	}

	db_columns () {
		psql_q "$1" "SELECT column_name FROM information_schema.columns WHERE table_name = '$2' ORDER BY ordinal_position"
	}

	db_dump () {
		pg_dump_db "$1"
	}

	db_setup_story () {
		pg_setup_story
	}

	no_table_error () {
		echo "relation \"$1\" does not exist"
	}
	;;
mysql)
	db_url () {
		my_url "$1"
	}

	db_new () {
		my_newdb "$1"
	}

	db_q () {
		my_q "$1" "$2"
	}

	db_has () {
		my_has "$1" "$2"
	}

	db_columns () {
		my_q "$1" "SELECT column_name FROM information_schema.columns WHERE table_schema = '$1' AND table_name = '$2' ORDER BY ordinal_position"
	}

	db_dump () {
		my_dump "$1"
	}

	db_setup_story () {
		my_setup_story
	}

	no_table_error () {
		echo "Table '[a-z0-9_]*\.$1' doesn't exist"
	}
	;;
*)
	echo "Bail out! DRIVER must be sqlite, pg or mysql, not '$DRIVER'"
	exit 1
	;;
esac

# DDL inside a transaction is undone by its rollback (MySQL commits it).
case "${DRIVER:-sqlite}" in
sqlite|pg)
	test_set_prereq ATOMIC_DDL
	;;
esac

# db_applied NAME: the applied versions, one per line, in version order.
db_applied () {
	db_q "$1" "SELECT version FROM schema_migrations ORDER BY length(version), version"
}
