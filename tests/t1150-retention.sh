#!/bin/bash
# t1150-retention: backups carry their database's identity; --keep and
# backups only ever touch this database's; a backup folder others could
# write to is refused.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-fault.sh"

# count DIR: the default-named backups in DIR.
count () {
	ls "$1" | grep -c '\.db\.gz$'
}

test_expect_success 'setup: two databases named app in different folders' '
	write_migration 001 t "CREATE TABLE t (x); INSERT INTO t VALUES (1);" \
		"DROP TABLE t;" &&
	mkdir a b &&
	runner --db a/app.db migrate -q &&
	runner --db b/app.sqlite3 migrate -q &&
	sql b/app.sqlite3 "INSERT INTO t VALUES (2)"
'

test_expect_success 'backup --keep never removes another database'"'"'s backups of the same name' '
	runner --db b/app.sqlite3 --backup-dir shared backup -q &&
	runner --db b/app.sqlite3 --backup-dir shared backup -q &&
	ls shared >b-backups &&
	runner --db a/app.db --backup-dir shared backup --keep 1 >out &&
	test_grep ! "Removed" out &&
	test_equal 3 "$(count shared)" &&
	for f in $(cat b-backups)
	do
		test_path_is_file "shared/$f" || return 1
	done
'

test_expect_success 'backup --keep removes only this database'"'"'s older backups' '
	runner --db a/app.db --backup-dir shared backup -q &&
	runner --db a/app.db --backup-dir shared backup --keep 1 >out &&
	test_grep "Removed 2 older backups (--keep)" out &&
	test_equal 3 "$(count shared)" &&
	for f in $(cat b-backups)
	do
		test_path_is_file "shared/$f" || return 1
	done &&
	newest=$(sed -n "s/^Backed up .* to \(shared\/[^ ]*\) (.*/\1/p" out) &&
	runner --db a/app.db --backup-dir shared backups >list 2>err &&
	test_line_count = 2 list &&
	test_grep "$newest\$" list
'

test_expect_success 'backups lists only this database'"'"'s, and says how many others share the name' '
	runner --db b/app.sqlite3 --backup-dir shared backups >list 2>err &&
	test_line_count = 3 list &&
	sed 1d list | awk "{print \$NF}" | sed "s|shared/||" | sort >listed &&
	test_cmp b-backups listed &&
	test_grep "1 backup of another database named like these is in shared/ (not listed)" err &&
	runner --db a/app.db --backup-dir shared backups >list 2>err &&
	test_grep "2 backups of another database named like these are in shared/" err &&
	runner -q --db a/app.db --backup-dir shared backups >list 2>err &&
	test_must_be_empty err
'

test_expect_success 'the identity is the resolved path: the same file through a link is the same database' '
	ln -s a alias &&
	runner --db alias/app.db --backup-dir shared backups >list &&
	test_line_count = 2 list &&
	runner --db alias/app.db --backup-dir shared backup --keep 1 >out &&
	test_grep "Removed 1 older backup" out &&
	test_equal 3 "$(count shared)"
'

test_expect_success 'each backup names its database in its gzip header, and gzip ignores it' '
	f=$(ls shared/*.db.gz | head -n 1) &&
	gzip -t "$f" &&
	python3 -c "
import sys
h = open(sys.argv[1], \"rb\").read(4096)
assert h[3] & 4, \"no extra field\"
n = h[10] | h[11] << 8
x = h[12:12 + n]
assert x[:2] == b\"RN\", x[:2]
print(x[4:4 + (x[2] | x[3] << 8)].decode())
" "$f" >id &&
	grep -q "^sqlite:$(pwd -P)/[ab]/app\.\(db\|sqlite3\)\$" id
'

test_expect_success 'a backup with no identity (an older runner'"'"'s) is listed with ?, and --keep never removes it' '
	gzip -c a/app.db >shared/app-20200101T000000Z.db.gz &&
	runner --db a/app.db --backup-dir shared backups >list 2>err &&
	test_grep "^2020-01-01 00:00:00 UTC .* shared/app-20200101T000000Z.db.gz ?\$" list &&
	test_grep "1 of these (marked .?.) carry no database identity" err &&
	runner --db a/app.db --backup-dir shared backup --keep 1 >out &&
	test_path_is_file shared/app-20200101T000000Z.db.gz &&
	runner --db b/app.sqlite3 --backup-dir shared backup --keep 1 >out &&
	test_path_is_file shared/app-20200101T000000Z.db.gz &&
	test_equal 1 "$(runner --db b/app.sqlite3 --backup-dir shared backups | grep -c "sqlite3\|db.gz\$")"
'

test_expect_success 'a backup named like one but not gzip is listed as unmarked and left alone' '
	: >shared/app-20200102T000000Z.db.gz &&
	runner --db a/app.db --backup-dir shared backup -q --keep 1 &&
	test_path_is_file shared/app-20200102T000000Z.db.gz &&
	runner --db a/app.db --backup-dir shared backups >list &&
	test_grep "app-20200102T000000Z.db.gz ?\$" list &&
	rm shared/app-2020*
'

test_expect_success FAULTFS 'backup --keep reads the new backup back first; if that fails, nothing is removed' '
	ls shared >before &&
	FAULT_MATCH=/shared/.runner-backup- \
		test_must_fail with_fault read 1 EIO runner --db a/app.db --backup-dir shared backup --keep 1 >out 2>err &&
	grep "^FAIL read .*/shared/\.runner-backup-" .fault-log &&
	test_grep "cannot read .*Input/output error" err &&
	test_grep "no older backup was removed" err &&
	ls shared >after &&
	test_cmp before after
'

test_expect_success 'a world-writable backup folder is refused, with nothing written; --force overrides' '
	mkdir open && chmod 0777 open &&
	test_must_fail runner --db a/app.db --backup-dir open backup 2>err &&
	test_grep "backup folder .open. is writable by everyone (mode 0777)" err &&
	test_equal 0 "$(ls -A open | wc -l)" &&
	runner --db a/app.db --backup-dir open backup --force -q &&
	test_equal 1 "$(count open)"
'

test_expect_success 'so is a group-writable one, and a link to either' '
	mkdir group && chmod 0770 group &&
	test_must_fail runner --db a/app.db --backup-dir group backup 2>err &&
	test_grep "backup folder .group. is writable by its group (mode 0770)" err &&
	ln -s open openlink &&
	test_must_fail runner --db a/app.db --backup-dir openlink backup 2>err &&
	test_grep "backup folder .openlink. is writable by everyone" err &&
	test_equal 1 "$(count open)"
'

test_expect_success 'a folder owned by another user is refused' '
	test_have_prereq NOT_ROOT && { echo "# needs root to make one"; return 0; }
	mkdir theirs && chown nobody theirs && chmod 0755 theirs &&
	test_must_fail runner --db a/app.db --backup-dir theirs backup 2>err &&
	test_grep "backup folder .theirs. is owned by another user" err &&
	test_equal 0 "$(ls -A theirs | wc -l)"
'

test_expect_success 'an unsafe folder stops rollback before it changes anything' '
	sha=$(db_sha a/app.db) &&
	test_must_fail runner --db a/app.db --backup-dir open rollback --yes 2>err &&
	test_grep "writable by everyone" err &&
	test_grep "stopped before changing anything" err &&
	test_equal "$sha" "$(db_sha a/app.db)"
'

test_expect_success 'backups warns about a folder others could write to, and lists it' '
	runner --db a/app.db --backup-dir open backups >list 2>err &&
	test_line_count = 2 list &&
	test_grep "warning: backup folder .open. is writable by everyone" err
'

test_done
