# tests/lib-dbmate.sh: dbmate itself, for the tests that take turns with it.
#
# Source it after lib.sh. It installs dbmate from the npm registry (the
# "dbmate" package ships a prebuilt binary) into build/npm once, and sets
# the prerequisite DBMATE when that worked; without npm or the registry the
# tests that need it are skipped visibly (TAP "# skip ... (missing DBMATE)").

DBMATE_DIR="$SOURCE_DIRECTORY/build/npm"
DBMATE="$DBMATE_DIR/node_modules/.bin/dbmate"
if ! test -x "$DBMATE" && command -v npm >/dev/null 2>&1; then
	mkdir -p "$DBMATE_DIR" &&
	(
		flock 9 &&
		if ! test -x "$DBMATE"; then
			timeout 300 npm install --prefix "$DBMATE_DIR" --no-audit \
				--no-fund --loglevel=error dbmate
		fi
	) 9>"$DBMATE_DIR/.lock" >"$TRASH_DIRECTORY/.npm.log" 2>&1
fi
if test -x "$DBMATE" && "$DBMATE" --version >/dev/null 2>&1; then
	test_set_prereq DBMATE
else
	echo "# dbmate could not be installed from the npm registry (see $TRASH_DIRECTORY/.npm.log): its tests are skipped"
fi

# dbmate ARGS...: dbmate on the scratch directory's migrations, without
# its own schema dump.
dbmate () {
	"$DBMATE" --migrations-dir migrations --no-dump-schema "$@"
}
