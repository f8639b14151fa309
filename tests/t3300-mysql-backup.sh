#!/bin/bash
# t3300-mysql-backup: backups of MariaDB databases (mariadb-dump through
# zlib), automatic ones before rollback and reset, retention, and restore
# (the mariadb client, checked first, under the run lock); the password
# never on a command line or in a dump.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-mysql.sh"

TMPDIR=$TRASH_DIRECTORY/tmp
export TMPDIR
mkdir -p "$TMPDIR"

# state DB: everything of DB, its rows (the tracking table's too) and its
# routines and events, to prove what changed and what did not.
state () {
	"$(my_find mariadb-dump)" --no-defaults -S "$MY_SOCKET" -u root \
		--skip-dump-date --skip-comments --skip-extended-insert \
		--routines --events "$1" | sed "s/ AUTO_INCREMENT=[0-9]*//"
}

# no_temp_files: no staged dump or option file left in $TMPDIR.
no_temp_files () {
	if ls -A "$TMPDIR" | grep -q "^\.runner-"; then
		ls -A "$TMPDIR" >&2
		return 1
	fi
}

test_expect_success 'setup: a migrated database with rows, a view, a trigger and a procedure' '
	my_newdb app &&
	write_migration 001 users \
"CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL);" \
"DROP TABLE users;" &&
	write_migration 002 posts \
"CREATE TABLE posts (
    id INT PRIMARY KEY AUTO_INCREMENT,
    user_id INT NOT NULL REFERENCES users (id),
    title VARCHAR(200) NOT NULL
);
CREATE VIEW v_titles AS SELECT title FROM posts;
DELIMITER //
CREATE TRIGGER trg_posts BEFORE INSERT ON posts FOR EACH ROW
BEGIN
    SET NEW.title = UPPER(NEW.title);
END//
CREATE PROCEDURE count_posts(OUT n INT)
BEGIN
    SELECT COUNT(*) INTO n FROM posts;
END//
DELIMITER ;" \
"DROP PROCEDURE count_posts;
DROP VIEW v_titles;
DROP TABLE posts;" &&
	runner --db "$(my_url app)" migrate >out &&
	my_q app "INSERT INTO users (name) VALUES ('"'ada'"'), ('"'bob'"')" &&
	my_q app "INSERT INTO posts (user_id, title) VALUES (1, '"'hello'"')"
'

test_expect_success 'backup writes a gzip of mariadb-dump named after the database' '
	runner --db "$(my_url app)" backup >out &&
	f=$(ls backups/app-*Z.sql.gz) &&
	test_grep "^Backed up .mysql://root@localhost/app?socket=.* to $f (" out &&
	test_equal 600 "$(stat -c %a "$f")" &&
	gzip -t "$f" &&
	gzip -dc "$f" >dump.sql &&
	test_grep "^-- MariaDB dump " dump.sql &&
	test_grep "^-- Dump completed" dump.sql &&
	test_grep "^CREATE TABLE .users. (" dump.sql &&
	test_grep "^INSERT INTO .users. VALUES" dump.sql &&
	test_grep "^(2,.bob.);" dump.sql &&
	test_grep "CREATE.*PROCEDURE .count_posts." dump.sql &&
	test_grep "TRIGGER trg_posts BEFORE INSERT" dump.sql &&
	test_grep ! "LOCK TABLES" dump.sql &&
	runner --db "$(my_url app)" backups >out &&
	test_grep "  $f$" out &&
	no_temp_files
'

test_expect_success 'the dump loads into a new database with the mariadb client' '
	my_newdb copy &&
	gzip -dc backups/app-*.sql.gz | my_client -D copy &&
	test_equal "ada bob" "$(my_q copy "SELECT name FROM users ORDER BY id" | xargs)" &&
	test_equal "001 002" "$(my_applied copy | xargs)" &&
	test_equal HELLO "$(my_q copy "SELECT title FROM v_titles")"
'

test_expect_success 'each dump carries its database'"'"'s identity; --keep removes only those, never one without' '
	rm -rf backups &&
	runner --db "$(my_url app)" backup -q &&
	f=$(ls backups/app-*Z.sql.gz) &&
	python3 -c "
import sys
h = open(sys.argv[1], \"rb\").read(4096)
assert h[3] & 4 and h[12:14] == b\"RN\"
print(h[16:16 + (h[14] | h[15] << 8)].decode())
" "$f" >id &&
	test_equal "mysql://$MY_SOCKET/app" "$(cat id)" &&
	gzip -dc "$f" | gzip >backups/app-20200101T000000Z.sql.gz &&
	runner --db "mariadb://root@localhost/app?socket=$MY_SOCKET" backup --keep 1 >out &&
	test_grep "Removed 1 older backup (--keep)" out &&
	test_path_is_missing "$f" &&
	test_path_is_file backups/app-20200101T000000Z.sql.gz &&
	runner --db "$(my_url app)" backups >list 2>err &&
	test_grep "app-20200101T000000Z.sql.gz ?\$" list &&
	test_grep "carry no database identity" err &&
	rm backups/app-20200101T000000Z.sql.gz
'

test_expect_success 'a backup of another database of the same name is not this one'"'"'s' '
	rm -rf backups &&
	runner --db "$(my_url app)" backup -q &&
	runner --db "mysql://root@127.0.0.1:1/app" backups >list 2>err &&
	test_grep "No backups" list &&
	test_grep "1 backup of another database" err
'

test_expect_success 'rollback takes a backup first; --no-backup skips it' '
	rm -rf backups &&
	runner --db "$(my_url app)" rollback --yes >out &&
	test_grep "^Backed up" out &&
	test_grep "Rolled back 002" out &&
	gzip -dc backups/app-*.sql.gz | grep -q "CREATE TABLE .posts." &&
	runner --db "$(my_url app)" migrate -q &&
	runner --db "$(my_url app)" rollback --yes --no-backup >out &&
	test_grep ! "Backed up" out &&
	test_equal 1 "$(ls backups | wc -l)" &&
	runner --db "$(my_url app)" migrate -q &&
	my_q app "INSERT INTO posts (user_id, title) VALUES (1, '"'hello'"')"
'

test_expect_success 'a failed mariadb-dump stops reset before it changes anything' '
	mkdir bin &&
	printf "#!/bin/sh\necho mariadb-dump: simulated failure >&2\nexit 2\n" >bin/mariadb-dump &&
	chmod +x bin/mariadb-dump &&
	state app >now.sql &&
	PATH="$PWD/bin:$PATH" test_must_fail runner --db "$(my_url app)" reset --yes 2>err &&
	test_grep "cannot back up .* with mariadb-dump: mariadb-dump: simulated failure" err &&
	test_grep "stopped before changing anything" err &&
	state app >after.sql &&
	test_cmp now.sql after.sql &&
	rm bin/mariadb-dump &&
	no_temp_files
'

# valgrind itself needs $TMPDIR: this one runs only without it.
test_expect_success NOT_VALGRIND 'without a $TMPDIR for the option file, backup says so and writes nothing' '
	TMPDIR=/nonexistent test_must_fail runner --db "$(my_url app)" backup --output nowhere.sql.gz 2>err &&
	test_grep "cannot create ./nonexistent/\.runner-mysql-[0-9]*-.*: No such file or directory" err &&
	test_path_is_missing nowhere.sql.gz
'

test_expect_success 'without mariadb-dump and mysqldump, backup says what to install' '
	mkdir notools &&
	for t in timeout cat rm grep valgrind valgrind.bin
	do
		if p=$(command -v $t); then ln -s "$p" notools/$t; fi
	done &&
	PATH="$PWD/notools" test_must_fail runner --db "$(my_url app)" backup --output none.sql.gz 2>err &&
	test_grep "cannot run mariadb-dump or mysqldump: No such file or directory (Debian: apt install mariadb-client)" err &&
	test_path_is_missing none.sql.gz &&
	no_temp_files
'

test_expect_success 'a dump mariadb-dump cut short is no backup' '
	printf "#!/bin/sh\nfor a; do case \$a in --result-file=*) f=\${a#--result-file=};; esac; done\nprintf -- \"-- MariaDB dump 10.19\\\\nCREATE TABLE t (a int);\\\\n\" >\"\$f\"\n" >bin/mariadb-dump &&
	chmod +x bin/mariadb-dump &&
	PATH="$PWD/bin:$PATH" test_must_fail runner --db "$(my_url app)" backup --output cut.sql.gz 2>err &&
	test_grep "incomplete MySQL/MariaDB dump" err &&
	test_path_is_missing cut.sql.gz &&
	rm bin/mariadb-dump
'

test_expect_success 'the password reaches the tools in a private file (no other: not ~/.my.cnf), never a command line, ps or the dump' '
	my_q mysql "CREATE USER app@localhost IDENTIFIED BY '"'t3300-pw-k9'"'; GRANT ALL ON *.* TO app@localhost" &&
	real=$(my_find mariadb-dump) &&
	cat >bin/mariadb-dump <<-EOF &&
	#!/bin/sh
	echo "\$@" >args
	f=\${1#--defaults-file=}
	stat -c %a "\$f" >mode
	cp "\$f" options
	echo "\$f" >options-path
	ps -eo args >ps.out
	exec "$real" "\$@"
	EOF
	chmod +x bin/mariadb-dump &&
	mkdir home &&
	printf "[client]\nuser=nobody\npassword=wrong\n" >home/.my.cnf &&
	HOME=$PWD/home DATABASE_URL="mysql://app:t3300-pw-k9@localhost/app?socket=$MY_SOCKET" \
		PATH="$PWD/bin:$PATH" runner backup --output pw.sql.gz >out 2>err &&
	test_grep "^--defaults-file=$TMPDIR/\.runner-mysql-[0-9]*-" args &&
	test_grep "single-transaction" args &&
	test_grep ! t3300-pw-k9 args &&
	test_equal 600 "$(cat mode)" &&
	test_grep "^password=\"t3300-pw-k9\"$" options &&
	test_grep "^user=\"app\"$" options &&
	test_path_is_missing "$(cat options-path)" &&
	test_grep "mariadb-dump" ps.out &&
	test_grep ! t3300-pw-k9 ps.out &&
	test_grep ! t3300-pw-k9 out &&
	test_grep ! t3300-pw-k9 err &&
	test_grep "mysql://app:\*\*\*@localhost" out &&
	gzip -t pw.sql.gz &&
	! gzip -dc pw.sql.gz | grep t3300-pw-k9 &&
	rm bin/mariadb-dump &&
	no_temp_files
'

test_expect_success 'a password with quotes, a backslash and # reaches the tools whole' '
	cat >pw.sql <<-\EOF &&
	ALTER USER app@localhost IDENTIFIED BY '"'"'a"b\\c#d '"'"';
	EOF
	my_client <pw.sql &&
	runner --db "mysql://app:a%22b%5Cc%23d%20@localhost/app?socket=$MY_SOCKET" backup --output odd.sql.gz >out &&
	gzip -t odd.sql.gz
'

test_expect_success 'setup: a backup, then changes of every kind after it' '
	runner --db "$(my_url app)" backup --output full.sql.gz -q &&
	state app >before.sql &&
	my_q app "DELETE FROM posts; DELETE FROM users WHERE name = '"'ada'"'; INSERT INTO users (name) VALUES ('"'cy'"')" &&
	my_q app "CREATE TABLE later (a INT); DROP VIEW v_titles; CREATE VIEW v_later AS SELECT a FROM later" &&
	my_q app "DROP PROCEDURE count_posts; CREATE FUNCTION f_later() RETURNS INT RETURN 1" &&
	my_q app "CREATE EVENT ev_later ON SCHEDULE EVERY 1 DAY DO DELETE FROM later"
'

test_expect_success 'restore brings the whole database back, dropping what came after, after a backup' '
	rm -rf backups &&
	runner --db "$(my_url app)" restore --yes full.sql.gz >out &&
	test_grep "^Checked .full.sql.gz.: gzip intact, a MySQL dump of .*, complete\.$" out &&
	test_grep "^Backed up .* to backups/app-.*Z\.sql\.gz" out &&
	test_grep "^Restored .mysql://root@localhost/app?socket=.*. from .full.sql.gz.\.$" out &&
	state app >after.sql &&
	test_cmp before.sql after.sql &&
	test_equal "001 002" "$(my_applied app | xargs)" &&
	test_equal HELLO "$(my_q app "SELECT title FROM v_titles")" &&
	gzip -dc backups/app-*.sql.gz | grep -q "CREATE TABLE .later." &&
	runner --db "$(my_url app)" status --exit-code >out &&
	no_temp_files
'

test_expect_success 'restoring the backup just taken changes nothing' '
	runner --db "$(my_url app)" backup --output same.sql.gz -q &&
	runner --db "$(my_url app)" restore --yes --no-backup same.sql.gz >out &&
	state app >after.sql &&
	test_cmp before.sql after.sql
'

test_expect_success 'restore off a terminal needs --yes and changes nothing' '
	test_expect_code 2 runner --db "$(my_url app)" restore full.sql.gz 2>err &&
	test_grep "confirm with --yes" err &&
	state app >after.sql &&
	test_cmp before.sql after.sql &&
	no_temp_files
'

none_sleeping () {
	! my_running "SELECT SLEEP(300)"
}

# refuse FILE WANT: restore --yes FILE fails saying WANT, changing nothing.
refuse () {
	state app >now.sql &&
	test_must_fail runner --db "$(my_url app)" restore --yes --no-backup "$1" 2>err &&
	test_grep "$2" err &&
	state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
}

test_expect_success 'restore refuses a truncated gzip file' '
	head -c $(($(stat -c %s full.sql.gz) / 2)) full.sql.gz >cut.sql.gz &&
	refuse cut.sql.gz "truncated"
'

test_expect_success 'restore refuses a dump that mariadb-dump did not finish' '
	gzip -dc full.sql.gz | head -n 40 | gzip >short.sql.gz &&
	refuse short.sql.gz "incomplete MySQL/MariaDB dump: it does not end with mariadb-dump.s \"Dump completed\" line"
'

test_expect_success 'restore refuses a dump with more after its closing line, or no dump at all' '
	{ gzip -dc full.sql.gz && echo "DROP TABLE users;"; } | gzip >more.sql.gz &&
	refuse more.sql.gz "incomplete MySQL/MariaDB dump" &&
	echo "DROP TABLE users;" | gzip >drop.sql.gz &&
	refuse drop.sql.gz "does not hold a MySQL/MariaDB dump" &&
	: | gzip >empty.sql.gz &&
	refuse empty.sql.gz "does not hold a MySQL/MariaDB dump" &&
	(
		mkdir lite && cd lite &&
		write_migration 001 t "CREATE TABLE t (a int);" &&
		runner --db lite.db migrate -q &&
		runner --db lite.db backup --output ../lite.db.gz -q
	) &&
	refuse lite.db.gz "does not hold a MySQL/MariaDB dump"
'

test_expect_success 'a client that fails to connect, or is missing, stops restore before it changes anything' '
	printf "#!/bin/sh\necho mariadb: simulated failure >&2\nexit 1\n" >bin/mariadb &&
	chmod +x bin/mariadb &&
	PATH="$PWD/bin:$PATH" refuse full.sql.gz "cannot restore .mysql://root@localhost/app?socket=.*. (nothing was changed): mariadb: simulated failure" &&
	rm bin/mariadb &&
	state app >now.sql &&
	PATH="$PWD/notools" test_must_fail runner --db "$(my_url app)" restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "(nothing was changed): cannot run mariadb or mysql: No such file or directory" err &&
	state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

test_expect_success 'a statement that fails mid-dump stops the load, naming its line, and says the database is partly restored' '
	gzip -dc full.sql.gz >d.sql &&
	first=$(grep -n "^CREATE TABLE .users. (" d.sql | cut -d: -f1) &&
	sed "s/^CREATE TABLE .users. (/CREATE TABLEX \`users\` (/" d.sql | gzip >bad.sql.gz &&
	test_must_fail runner --db "$(my_url app)" restore --yes --no-backup bad.sql.gz 2>err &&
	test_grep "cannot load the dump into .mysql://root@localhost/app?socket=.*., which is now partly restored (MySQL commits each CREATE and DROP at once): dump line [0-9]*: ERROR 1064 (42000): You have an error in your SQL syntax" err &&
	line=$(sed -n "s/.*: dump line \([0-9]*\): ERROR.*/\1/p" err) &&
	test "$line" -ge "$first" && test "$line" -le $((first + 5)) &&
	no_temp_files &&
	runner --db "$(my_url app)" restore --yes --no-backup full.sql.gz >out &&
	state app >after.sql &&
	test_cmp before.sql after.sql
'

test_expect_success 'restore waits for a runner that holds the run lock, up to --lock-timeout' '
	write_migration 009 slow "SELECT SLEEP(300);" "SELECT 1;" &&
	{ runner --db "$(my_url app)" migrate >/dev/null 2>&1 & } &&
	wait_until my_running "SELECT SLEEP(300)" &&
	state app >now.sql &&
	test_must_fail runner --db "$(my_url app)" --lock-timeout 1 restore --yes --no-backup full.sql.gz 2>err &&
	test_grep "locked by another runner" err &&
	my_q app "SELECT id FROM information_schema.processlist WHERE info LIKE '"'SELECT SLEEP(300)%'"'" >ids &&
	for id in $(cat ids); do my_q app "KILL QUERY $id"; done &&
	wait_until none_sleeping &&
	rm migrations/009_slow.sql &&
	state app >after.sql &&
	test_cmp now.sql after.sql &&
	no_temp_files
'

test_expect_success 'restore into a database that does not exist says so first' '
	test_must_fail runner --db "$(my_url nosuch)" restore --yes --no-backup full.sql.gz >out 2>err &&
	test_grep "^runner: cannot connect to .mysql://root@localhost/nosuch.*Unknown database" err &&
	test_grep ! "Checked" out &&
	no_temp_files
'

test_expect_success 'restore never shows the password, nor puts it on the client'"'"'s command line' '
	my_q mysql "ALTER USER app@localhost IDENTIFIED BY '"'t3300-pw-k9'"'" &&
	real=$(my_find mariadb) &&
	cat >bin/mariadb <<-EOF &&
	#!/bin/sh
	echo "\$@" >>client-args
	ps -eo args >>ps.out
	exec "$real" "\$@"
	EOF
	chmod +x bin/mariadb &&
	export DATABASE_URL="mysql://app:t3300-pw-k9@localhost/app?socket=$MY_SOCKET" &&
	PATH="$PWD/bin:$PATH" test_must_fail runner restore --yes --no-backup bad.sql.gz >out 2>err &&
	PATH="$PWD/bin:$PATH" runner restore --yes --no-backup full.sql.gz >>out 2>>err &&
	unset DATABASE_URL &&
	test_grep "^--defaults-file=" client-args &&
	test_grep ! t3300-pw-k9 client-args &&
	test_grep ! t3300-pw-k9 ps.out &&
	test_grep ! t3300-pw-k9 out &&
	test_grep ! t3300-pw-k9 err &&
	test_grep "^Restored .mysql://app:\*\*\*@localhost/app" out &&
	state app >after.sql &&
	test_cmp before.sql after.sql &&
	rm bin/mariadb &&
	no_temp_files
'

test_done
