#!/bin/bash
# t1100-backup: backup, backups and restore; automatic backups before
# rollback, reset and migrate --backup.

. "$(dirname "$0")/lib.sh"

# only_backup DIR: the path of the single backup in DIR (fails otherwise).
only_backup () {
	local n
	n=$(ls "$1"/*.db.gz 2>/dev/null | wc -l)
	if test "$n" != 1; then
		echo "only_backup: $n backups in $1" >&2
		ls -la "$1" >&2
		return 1
	fi
	ls "$1"/*.db.gz
}

# no_temp_files DIR: no .runner-* temporary file was left in DIR.
no_temp_files () {
	if ls -A "$1" | grep -q '^\.runner-'; then
		echo "no_temp_files: left in $1:" >&2
		ls -A "$1" >&2
		return 1
	fi
}

# dump DB: the database's schema and rows as SQL text.
dump () {
	sqlite3 -batch "$1" .dump
}

test_expect_success 'setup: a database with data' '
	setup_story &&
	runner migrate >out &&
	sql app.db "INSERT INTO users (name) VALUES (\"ada\"), (\"bob\");
		INSERT INTO posts (user_id, title) VALUES (1, \"hello\");" &&
	dump app.db >"$TRASH_DIRECTORY/app.dump"
'

test_expect_success 'backup writes a private gzip file named after the database and the UTC time' '
	runner backup >out &&
	f=$(only_backup backups) &&
	case "$f" in
	backups/app-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.db.gz) ;;
	*) echo "unexpected name $f"; false ;;
	esac &&
	test_grep "^Backed up .app.db. (.*) to $f (.*) in " out &&
	test_equal 600 "$(stat -c %a "$f")" &&
	test_equal 700 "$(stat -c %a backups)" &&
	gzip -t "$f" &&
	gzip -dc "$f" >copy.db &&
	dump copy.db >copy.dump &&
	test_cmp "$TRASH_DIRECTORY/app.dump" copy.dump &&
	test_equal "$(sql copy.db "PRAGMA integrity_check")" ok &&
	no_temp_files backups
'

test_expect_success 'backup leaves the database byte-identical' '
	sha=$(db_sha app.db) &&
	runner backup -q &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_expect_success 'two backups in one second get distinct names' '
	rm -rf backups &&
	runner backup -q && runner backup -q && runner backup -q &&
	test_equal 3 "$(ls backups/*.db.gz | wc -l)"
'

test_expect_success 'backups lists them oldest first with time, size and path' '
	runner backups >out &&
	test_line_count = 4 out &&
	test_grep "^TIME  *SIZE  PATH" out &&
	test_grep "^20[0-9-]* [0-9:]* UTC  *[0-9.]* KiB  backups/app-" out &&
	sed -n "2,4p" out | awk "{print \$NF}" >listed &&
	ls -tr backups/*.db.gz >expect &&
	test_cmp expect listed
'

test_expect_success 'backups ignores other databases and other files' '
	touch backups/other-20250101T000000Z.db.gz backups/app-notes.txt \
		backups/app-2025.db.gz &&
	runner backups >out &&
	test_line_count = 4 out &&
	rm backups/other-* backups/app-notes.txt backups/app-2025.db.gz
'

test_expect_success 'backup --keep N keeps only the newest N backups' '
	newest=$(ls -t backups/*.db.gz | head -n 1) &&
	runner backup --keep 2 >out &&
	test_grep "Removed 2 older backups" out &&
	test_equal 2 "$(ls backups/*.db.gz | wc -l)" &&
	test_path_is_file "$newest"
'

test_expect_success 'backups says when there are none' '
	runner --backup-dir nowhere backups >out &&
	test_grep "No backups of .app.db. in nowhere/" out
'

test_expect_success 'BACKUP_DIR and --backup-dir choose the folder' '
	BACKUP_DIR=envdir runner backup -q &&
	only_backup envdir &&
	runner --backup-dir=flagdir backup -q &&
	only_backup flagdir &&
	echo BACKUP_DIR=dotenvdir >.env &&
	runner backup -q &&
	only_backup dotenvdir &&
	rm -rf .env envdir flagdir dotenvdir
'

test_expect_success 'backup --output writes exactly there' '
	runner backup --output out.db.gz >out &&
	test_grep "to out.db.gz (" out &&
	test_equal 600 "$(stat -c %a out.db.gz)" &&
	gzip -dc out.db.gz >out.db &&
	test_cmp "$TRASH_DIRECTORY/app.dump" <(dump out.db)
'

test_expect_success 'backup --output refuses an existing file without --force' '
	sha=$(db_sha out.db.gz) &&
	test_must_fail runner backup --output out.db.gz 2>err &&
	test_grep "out.db.gz. already exists (use --force" err &&
	test_equal "$sha" "$(db_sha out.db.gz)" &&
	runner backup --force --output out.db.gz &&
	gzip -t out.db.gz &&
	no_temp_files .
'

test_expect_success 'backup --output refuses a symbolic link, even with --force' '
	echo precious >target.txt &&
	ln -s target.txt link.gz &&
	test_must_fail runner backup --output link.gz 2>err &&
	test_grep "link.gz. is a symbolic link" err &&
	test_must_fail runner backup --force --output link.gz 2>err &&
	test_grep "symbolic link" err &&
	test_equal precious "$(cat target.txt)" &&
	test -L link.gz &&
	ln -s missing-target dangling.gz &&
	test_must_fail runner backup --output dangling.gz 2>err &&
	test_grep "symbolic link" err &&
	test_path_is_missing missing-target
'

test_expect_success 'backup --output refuses a folder and a missing folder' '
	mkdir adir &&
	test_must_fail runner backup --output adir 2>err &&
	test_grep "adir. is a folder" err &&
	test_must_fail runner backup --output nodir/x.db.gz 2>err &&
	test_grep "nodir" err &&
	test_path_is_missing nodir
'

test_expect_success 'backup option errors are usage errors' '
	test_expect_code 2 runner backup --level 10 2>err &&
	test_grep "level .10. is not a number from 0 to 9" err &&
	test_expect_code 2 runner backup --level x 2>err &&
	test_expect_code 2 runner backup --keep 0 2>err &&
	test_grep "keep .0." err &&
	test_expect_code 2 runner backup --keep 2 --output k.gz 2>err &&
	test_grep "keep applies to the backup folder" err &&
	test_expect_code 2 runner backup --output= 2>err &&
	test_expect_code 2 runner backup extra 2>err &&
	test_grep "usage: runner backup" err &&
	test_path_is_missing k.gz
'

test_expect_success 'backup levels 0 to 9 all give readable files' '
	for l in 0 1 6 9
	do
		runner backup -q --level $l --output l$l.gz &&
		gzip -dc l$l.gz >l.db &&
		test_cmp "$TRASH_DIRECTORY/app.dump" <(dump l.db) || return 1
	done &&
	test "$(stat -c %s l0.gz)" -gt "$(stat -c %s l9.gz)"
'

test_expect_success 'backup of a missing database fails and creates nothing' '
	fresh nodb &&
	test_must_fail runner --db none.db backup 2>err &&
	test_grep "database .none.db. does not exist" err &&
	test_path_is_missing backups &&
	test_path_is_missing none.db
'

test_expect_success 'backup into an unwritable folder fails clearly' '
	test_have_prereq NOT_ROOT || { echo "# root ignores modes"; return 0; } &&
	mkdir ro && chmod 500 ro &&
	test_must_fail runner backup --backup-dir ro 2>err &&
	test_grep "cannot create a temporary file in .ro." err
'

test_expect_success 'backup past the file size limit fails, leaving no file' '
	rm -rf backups &&
	sql app.db "CREATE TABLE big (x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) INSERT INTO big SELECT randomblob(200) FROM c" &&
	sha=$(db_sha app.db) &&
	(ulimit -f 200 && test_must_fail runner backup 2>err) &&
	test_grep "cannot" err &&
	test_equal 0 "$(ls backups/*.db.gz 2>/dev/null | wc -l)" &&
	no_temp_files backups &&
	test_equal "$sha" "$(db_sha app.db)" &&
	sql app.db "DROP TABLE big; VACUUM"
'

test_expect_success 'restore brings back data and migrations' '
	rm -rf backups &&
	runner backup -q &&
	good=$(only_backup backups) &&
	cp "$good" good.gz &&
	sql app.db "DELETE FROM posts; INSERT INTO users (name) VALUES (\"eve\")" &&
	write_migration 004 extra "CREATE TABLE extra (x);" "DROP TABLE extra;" &&
	runner migrate -q &&
	runner restore --yes "$good" >out &&
	test_grep "^Checked .$good.: gzip intact, an SQLite database of" out &&
	test_grep "^Restored .app.db. from .$good.." out &&
	dump app.db >now.dump &&
	test_cmp "$TRASH_DIRECTORY/app.dump" now.dump &&
	runner status >st &&
	test_grep "\[ \] 004" st &&
	test_grep "\[X\] 003" st &&
	rm migrations/004_extra.sql
'

test_expect_success 'restore backs up the current database first, and that backup restores it' '
	rm -rf backups && runner backup -q && good=$(only_backup backups) &&
	sql app.db "INSERT INTO users (name) VALUES (\"zed\")" &&
	dump app.db >before.dump &&
	runner restore --yes "$good" >out &&
	test_grep "^Backed up .app.db." out &&
	ls backups/*.db.gz | grep -vxF "$good" >pre &&
	test_line_count = 1 pre &&
	pre=$(cat pre) &&
	runner restore --yes --no-backup "$pre" >out &&
	test_grep ! "Backed up" out &&
	dump app.db >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'restore into a database that does not exist yet' '
	runner --db newcopy.db restore --yes good.gz >out &&
	test_grep ! "Backed up" out &&
	test_cmp "$TRASH_DIRECTORY/app.dump" <(dump newcopy.db)
'

test_expect_success 'restore removes the old database journals' '
	echo junk >app.db-journal && echo junk >app.db-wal && echo junk >app.db-shm &&
	runner restore --yes --no-backup good.gz &&
	test_path_is_missing app.db-journal &&
	test_path_is_missing app.db-wal &&
	test_path_is_missing app.db-shm &&
	test_equal ok "$(sql app.db "PRAGMA integrity_check")" &&
	test_cmp "$TRASH_DIRECTORY/app.dump" <(dump app.db)
'

test_expect_success 'restore off a terminal needs --yes and changes nothing' '
	sha=$(db_sha app.db) &&
	test_expect_code 2 runner restore good.gz 2>err &&
	test_grep "confirm with --yes" err &&
	test_equal "$sha" "$(db_sha app.db)" &&
	no_temp_files .
'

test_expect_success 'restore on a terminal asks, and "n" changes nothing' '
	sha=$(db_sha app.db) && n=$(ls backups | wc -l) &&
	test_expect_code 1 runner_on_tty n restore good.gz >out &&
	test_grep "Replace database .app.db. with the one in" out &&
	test_grep "cancelled" out &&
	test_equal "$sha" "$(db_sha app.db)" &&
	test_equal "$n" "$(ls backups | wc -l)" &&
	runner_on_tty y restore --no-backup good.gz >out &&
	test_grep "Restored" out
'

# refuse NAME: restore NAME must fail, say $want, and change nothing.
refuse () {
	local sha
	sha=$(db_sha app.db) &&
	n=$(ls backups | wc -l) &&
	test_must_fail runner restore --yes "$1" 2>err &&
	test_grep "$want" err &&
	test_equal "$sha" "$(db_sha app.db)" &&
	test_equal "$n" "$(ls backups | wc -l)" &&
	no_temp_files .
}

test_expect_success 'restore refuses a truncated backup' '
	head -c $(($(stat -c %s good.gz) / 2)) good.gz >trunc.gz &&
	want="trunc.gz. is truncated" refuse trunc.gz
'

test_expect_success 'restore refuses a backup with one flipped byte' '
	cp good.gz flip.gz &&
	size=$(stat -c %s flip.gz) &&
	at=$((size / 2)) &&
	byte=$(od -An -tu1 -j$at -N1 flip.gz) &&
	printf "\\$(printf %o $((byte ^ 255)))" |
		dd of=flip.gz bs=1 seek=$at conv=notrunc 2>/dev/null &&
	! cmp -s good.gz flip.gz &&
	# zlib may see the damage as bad data, a bad CRC, or a cut-off stream
	want="flip.gz. is \(corrupt\|truncated\)" refuse flip.gz
'

test_expect_success 'restore refuses a gzip of a text file' '
	echo "CREATE TABLE x (y);" | gzip >text.gz &&
	want="text.gz. does not hold an SQLite database" refuse text.gz
'

test_expect_success 'restore refuses random bytes, an empty file, plain text and trailing garbage' '
	head -c 4096 /dev/urandom | tr "\\037" x >random.gz &&
	want="random.gz. is not a gzip file" refuse random.gz &&
	: >empty.gz &&
	want="empty.gz. is empty" refuse empty.gz &&
	echo hello >plain.db &&
	want="plain.db. is not a gzip file" refuse plain.db &&
	{ cat good.gz; echo junk; } >tail.gz &&
	want="tail.gz. has trailing garbage" refuse tail.gz
'

test_expect_success 'restore refuses a gzip of a damaged database' '
	gzip -dc good.gz >damaged.db &&
	pages=$(sql damaged.db "PRAGMA page_count") &&
	dd if=/dev/urandom of=damaged.db bs=4096 seek=$((pages - 1)) count=1 conv=notrunc 2>/dev/null &&
	dd if=/dev/urandom of=damaged.db bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null &&
	gzip -c damaged.db >damaged.gz &&
	want="damaged.gz. holds a damaged database" refuse damaged.gz
'

test_expect_success 'restore refuses a missing file and a folder' '
	want="cannot open backup .missing.gz." refuse missing.gz &&
	want="backup .backups. is a directory, not a file" refuse backups &&
	test_expect_code 2 runner restore 2>err &&
	test_grep "usage: runner restore" err
'

test_expect_success 'rollback takes a backup first and says where' '
	rm -rf backups && dump app.db >before.dump &&
	runner rollback --yes >out &&
	f=$(only_backup backups) &&
	test_grep "^Backed up .app.db. .* to $f" out &&
	test_grep "Rolled back 003" out &&
	gzip -dc "$f" >pre.db &&
	test_cmp before.dump <(dump pre.db)
'

test_expect_success 'rollback --no-backup skips it; nothing to roll back takes none' '
	rm -rf backups &&
	runner rollback --yes --no-backup >out &&
	test_grep ! "Backed up" out &&
	test_path_is_missing backups &&
	runner rollback --yes 0 -q && runner rollback --yes >out &&
	test_grep "Nothing to roll back" out &&
	test_equal 1 "$(ls backups/*.db.gz | wc -l)"
'

test_expect_success 'a failed backup stops rollback before it changes anything' '
	runner migrate -q && echo file >notadir &&
	sha=$(db_sha app.db) &&
	test_must_fail runner --backup-dir notadir rollback --yes >out 2>err &&
	test_grep "stopped before changing anything" err &&
	test_grep ! "Rolled back" out &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_expect_success 'reset takes a backup first; a failed one stops it' '
	rm -rf backups &&
	runner reset --yes >out &&
	test_grep "^Backed up" out &&
	only_backup backups &&
	sha=$(db_sha app.db) &&
	test_must_fail runner --backup-dir notadir reset --yes 2>err &&
	test_grep "stopped before changing anything" err &&
	test_equal "$sha" "$(db_sha app.db)"
'

test_expect_success 'reset of a database that does not exist has nothing to back up' '
	runner --db missing.db --backup-dir nobackups reset --yes >out &&
	test_grep ! "Backed up" out &&
	test_path_is_missing nobackups &&
	test_equal "001 002 003" "$(applied missing.db | xargs)" &&
	rm missing.db
'

test_expect_success 'migrate --backup takes one only when something is pending' '
	rm -rf backups &&
	runner migrate --backup >out &&
	test_grep "up to date" out &&
	test_path_is_missing backups &&
	write_migration 004 extra "CREATE TABLE extra (x);" "DROP TABLE extra;" &&
	runner migrate --backup --dry-run >out &&
	test_path_is_missing backups &&
	dump app.db >before.dump &&
	runner migrate --backup >out &&
	f=$(only_backup backups) &&
	test_grep "Applied 004" out &&
	gzip -dc "$f" >pre.db &&
	test_cmp before.dump <(dump pre.db) &&
	runner rollback --yes --no-backup -q &&
	rm migrations/004_extra.sql
'

test_expect_success 'a failed backup stops migrate --backup' '
	write_migration 004 extra "CREATE TABLE extra (x);" &&
	sha=$(db_sha app.db) &&
	test_must_fail runner --backup-dir notadir migrate --backup 2>err &&
	test_grep "stopped before changing anything" err &&
	test_equal "$sha" "$(db_sha app.db)" &&
	rm migrations/004_extra.sql
'

# A database large enough that a backup takes a moment: some 11 MB in make
# test, 35 MB under TEST_SOAK=1, smaller under valgrind, which is some 30
# times slower.
BIG_ROWS=$(rounds BIG_ROWS 100000 300000 20000)
test_expect_success 'setup: a larger database' '
	fresh big &&
	sql big.db "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, n REAL);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < '"$BIG_ROWS"')
		INSERT INTO t (s, n) SELECT hex(randomblob(40)) || \" user \" || i, i * 1.5 FROM c" >/dev/null &&
	test "$(stat -c %s big.db)" -gt $((BIG_ROWS * 100))
'

# writer DB: commits transactions of 10 rows until ./stop exists. BEGIN
# IMMEDIATE, as applications should: a deferred transaction that reads, then
# writes, fails at once if another writer committed in between. The file
# wrote appears after its first commit.
writer () {
	local i=0
	while ! test -f stop
	do
		sqlite3 -batch "$1" ".timeout 30000" "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS w (x); INSERT INTO w VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10); COMMIT;" || return 1
		i=$((i + 1))
		test $i = 1 && : >wrote
	done
	echo "$i" >writes
}

for mode in wal delete
do
	test_expect_success "backup during a concurrent writer ($mode journal) holds a committed state" '
		cd big && rm -f stop writes wrote &&
		sql big.db "PRAGMA journal_mode='$mode'" >/dev/null || return 1
		writer big.db &
		wpid=$!
		wait_for wrote || return 1
		runner --db big.db backup --output '$mode'.gz >out
		rc=$?
		touch stop
		wait $wpid
		test "$rc" = 0 &&
		test "$(cat writes)" -gt 0 &&
		gzip -dc '$mode'.gz >'$mode'.db &&
		test_equal ok "$(sql '$mode'.db "PRAGMA integrity_check")" &&
		test_equal 0 "$(($(sql '$mode'.db "SELECT count(*) FROM w") % 10))" &&
		test_equal '"$BIG_ROWS"' "$(sql '$mode'.db "SELECT count(*) FROM t")"
	'
done

# has_temp_file: whether a backup has started: its snapshot file exists.
# has_backup_file: whether it is compressing: its output file exists.
has_temp_file () {
	ls -A | grep -q "^\.runner-"
}

has_backup_file () {
	ls -A | grep -q "^\.runner-backup-"
}

# Each kill comes once the backup has started, at a sixth more of the time
# a whole backup takes each round, from at once to near its end.
test_expect_success 'kill -9 during backup leaves no file at the final path and older backups untouched' '
	cd big && rm -rf backups &&
	start=$(now_ms) &&
	runner --db big.db backup -q && old=$(only_backup backups) &&
	dur=$(($(now_ms) - start)) &&
	oldsha=$(db_sha "$old") &&
	killed=0 &&
	for i in 0 1 2 3 4 5
	do
		"$RUNNER" --db big.db backup --output killed.gz &
		pid=$!
		wait_until has_temp_file || return 1
		delay=$((dur * i / 6))
		tick "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid
		rc=$?
		# A kill that came too late, even between the rename and
		# the exit, finds a complete backup; any other leaves none.
		if test -e killed.gz
		then
			test $rc = 0 || test $rc = 137 || return 1
			gzip -t killed.gz || return 1
		else
			test $rc = 137 || return 1
			killed=$((killed + 1))
		fi
		rm -f killed.gz .runner-*
	done &&
	test "$killed" -gt 0 &&
	test_equal "$oldsha" "$(db_sha "$old")" &&
	test_equal 1 "$(ls backups/*.db.gz | wc -l)"
'

test_expect_success 'SIGINT during backup stops it cleanly' '
	cd big || return 1
	"$RUNNER" --db big.db backup --output int.gz 2>err &
	pid=$!
	# once compressing: its handler is installed, its temporary file exists
	wait_until has_backup_file || return 1
	kill -INT $pid
	wait $pid
	rc=$?
	cat err &&
	test "$rc" != 0 && test "$rc" -lt 128 &&
	test_grep "interrupted" err &&
	test_path_is_missing int.gz &&
	no_temp_files .
'

test_expect_success NOT_VALGRIND 'on a terminal, a database over 64 MiB gets a progress line' '
	fresh progress &&
	sql p.db "CREATE TABLE b (x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 66) INSERT INTO b SELECT zeroblob(1048576) FROM c" &&
	runner_on_tty "" --db p.db backup --output p.gz >out &&
	# one update per percent, cleared before the report line
	test_grep "backup: 100% of 6[6-9]\.[0-9] MiB" out &&
	test_equal 1 "$(grep -o "backup:  50%" out | wc -l)" &&
	test_grep "Backed up .p.db." out &&
	runner --db p.db backup --output q.gz 2>err >out &&
	test_grep ! "backup:" err &&
	sql small.db "CREATE TABLE t (x)" &&
	runner_on_tty "" --db small.db backup --output s.gz >out &&
	test_grep ! "backup: " out
'

test_expect_success 'a large backup round-trips and gzip reads it' '
	cd big &&
	runner --db big.db backup --output full.gz >out &&
	gzip -t full.gz &&
	runner --db copy.db restore --yes full.gz >out &&
	test_equal "$(sql big.db "SELECT count(*), sum(n), max(s) FROM t")" \
		"$(sql copy.db "SELECT count(*), sum(n), max(s) FROM t")"
'

test_done
