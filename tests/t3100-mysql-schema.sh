#!/bin/bash
# t3100-mysql-schema: show-schema and drift on MariaDB: a stable, loadable
# show-schema; drift found and named from the drift record, none after
# runner's own changes; status and verify changing nothing on the server.

. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-mysql.sh"

# mysql_story: two migrations with an object of each kind MySQL has.
mysql_story () {
	write_migration 001 users \
"CREATE TABLE users (
    id INT PRIMARY KEY AUTO_INCREMENT,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(200) UNIQUE
);
CREATE INDEX idx_users_name ON users (name);" \
"DROP TABLE users;" &&
	write_migration 002 posts \
"CREATE TABLE posts (
    id INT PRIMARY KEY AUTO_INCREMENT,
    user_id INT NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT,
    CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT title_set CHECK (title <> '')
);
CREATE VIEW v_titles AS SELECT id, title FROM posts;
CREATE SEQUENCE seq_ids;
DELIMITER //
CREATE TRIGGER trg_posts BEFORE INSERT ON posts FOR EACH ROW
BEGIN
    SET NEW.title = TRIM(NEW.title);
END//
CREATE PROCEDURE count_posts(OUT n INT)
BEGIN
    SELECT COUNT(*) INTO n FROM posts;
END//
DELIMITER ;
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE EVENT ev_tidy ON SCHEDULE EVERY 1 DAY DO DELETE FROM posts WHERE 0;" \
"DROP EVENT ev_tidy;
DROP FUNCTION twice;
DROP PROCEDURE count_posts;
DROP SEQUENCE seq_ids;
DROP VIEW v_titles;
DROP TABLE posts;"
}

# state DB: everything on the server that concerns DB: its objects, rows
# (the drift record too) and the databases there are.
state () {
	"$(my_find mariadb-dump)" --no-defaults -S "$MY_SOCKET" -u root \
		--skip-dump-date --skip-comments --skip-extended-insert \
		--routines --events "$1" &&
	my_q mysql "SHOW DATABASES"
}

test_expect_success 'setup: the migrations, applied, with rows' '
	my_newdb app &&
	mysql_story &&
	runner --db "$(my_url app)" migrate >out &&
	my_q app "INSERT INTO users (name, email) VALUES ('"'ada'"', '"'a@x'"'), ('"'bob'"', '"'b@x'"')" &&
	my_q app "INSERT INTO posts (user_id, title) VALUES (1, '"' hi '"')" &&
	test_equal hi "$(my_q app "SELECT title FROM posts")"
'

test_expect_success 'show-schema: each table with its indexes and triggers, then sequences, routines, views, events' '
	runner --db "$(my_url app)" show-schema >schema &&
	test_equal "SET FOREIGN_KEY_CHECKS = 0;" "$(head -n 1 schema)" &&
	test_equal "SET FOREIGN_KEY_CHECKS = 1;" "$(tail -n 1 schema)" &&
	test_grep "^CREATE TABLE users ($" schema &&
	test_grep "^CREATE TABLE schema_migrations ($" schema &&
	test_grep "^CREATE INDEX idx_users_name ON users (.name.);$" schema &&
	test_grep "^CREATE UNIQUE INDEX email ON users (email);$" schema &&
	test_grep "^  CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES .users. (.id.) ON DELETE CASCADE,$" schema &&
	test_grep "^  KEY fk_posts_user (user_id),$" schema &&
	test_grep "^CREATE SEQUENCE seq_ids " schema &&
	test_grep "^CREATE TRIGGER trg_posts BEFORE INSERT ON posts" schema &&
	test_grep "^CREATE PROCEDURE count_posts(OUT n INT)$" schema &&
	test_grep "^CREATE FUNCTION twice(x INT) RETURNS int(11)$" schema &&
	test_grep "^CREATE VIEW v_titles AS select " schema &&
	test_grep "^CREATE EVENT ev_tidy ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM posts WHERE 0;$" schema &&
	grep "^CREATE [A-Z]* [a-z_]*" schema | sed "s/ (.*//; s/(.*//" >order &&
	cat >expect <<-\EOF &&
	CREATE SEQUENCE seq_ids start with 1 minvalue 1 maxvalue 9223372036854775806 increment by 1 cache 1000 nocycle ENGINE=InnoDB;
	CREATE TABLE posts
	CREATE TRIGGER trg_posts BEFORE INSERT ON posts FOR EACH ROW
	CREATE TABLE schema_migrations
	CREATE UNIQUE INDEX version ON schema_migrations
	CREATE TABLE users
	CREATE UNIQUE INDEX email ON users
	CREATE INDEX idx_users_name ON users
	CREATE PROCEDURE count_posts
	CREATE FUNCTION twice
	CREATE VIEW v_titles AS select posts.`id` AS `id`,posts.title AS title from posts;
	CREATE EVENT ev_tidy ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM posts WHERE 0;
	EOF
	test_cmp expect order
'

test_expect_success 'show-schema leaves out counters, definers, start times and the drift table' '
	state app >dump &&
	test_grep "AUTO_INCREMENT=2" dump &&
	test_grep ! "AUTO_INCREMENT=" schema &&
	test_grep ! "DEFINER" schema &&
	test_grep ! "STARTS" schema &&
	test_equal 1 "$(my_q app "SELECT count(*) FROM schema_migrations_drift")" &&
	test_grep ! "schema_migrations_drift" schema
'

test_expect_success 'show-schema is stable, and the same after rows come and go' '
	runner --db "$(my_url app)" show-schema >again &&
	test_cmp schema again &&
	my_q app "INSERT INTO users (name) VALUES ('"'cy'"'); DELETE FROM users WHERE name = '"'cy'"'" &&
	runner --db "$(my_url app)" show-schema >again &&
	test_cmp schema again
'

test_expect_success 'show-schema loads into a new database that shows the same schema' '
	my_newdb copy &&
	my_client -D copy <schema &&
	runner --db "$(my_url copy)" show-schema >copied &&
	test_cmp schema copied
'

test_expect_success 'show-schema and status change nothing on the server' '
	state app >before &&
	runner --db "$(my_url app)" show-schema >/dev/null &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep "Database is up to date" out &&
	state app >after &&
	test_cmp before after
'

test_expect_success 'drift outside the migrations is found and named from the record' '
	my_q app "CREATE TABLE audit (id INT)" &&
	my_q app "DROP INDEX idx_users_name ON users; CREATE INDEX idx_users_name ON users (name, email)" &&
	my_q app "ALTER TABLE posts MODIFY body MEDIUMTEXT" &&
	my_q app "DROP TRIGGER trg_posts" &&
	my_q app "CREATE OR REPLACE VIEW v_titles AS SELECT title FROM posts" &&
	my_q app "DROP PROCEDURE count_posts" &&
	my_q app "ALTER TABLE users ADD COLUMN age INT" &&
	state app >before &&
	test_expect_code 1 runner --db "$(my_url app)" status --exit-code >out &&
	test_grep "^Schema drift: 7 differences from what the applied migrations produce:$" out &&
	test_grep "^  added table audit$" out &&
	test_grep "^  changed index users.idx_users_name: KEY (.name.) -> KEY (.name.,email)$" out &&
	test_grep "^  changed column posts.body: text DEFAULT NULL -> mediumtext DEFAULT NULL$" out &&
	test_grep "^  removed trigger posts.trg_posts$" out &&
	test_grep "^  changed view v_titles: CREATE VIEW v_titles AS select posts.\`id\` AS \`id\`,posts.title AS title from posts -> CREATE VIEW v_titles AS select posts.title AS title from posts$" out &&
	test_grep "^  removed procedure count_posts$" out &&
	test_grep "^  added column users.age$" out &&
	runner --db "$(my_url app)" status --json >json &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))[\"drift\"]
assert d[\"source\"] == \"record\" and d[\"checked\"], d
assert \"added table audit\" in d[\"differences\"], d
" json &&
	state app >after &&
	test_cmp before after
'

test_expect_success 'a change within the same second as the record, or a trigger alone, is still found' '
	my_newdb quick &&
	runner --db "$(my_url quick)" migrate -q &&
	my_q quick "ALTER TABLE users MODIFY name VARCHAR(101) NOT NULL" &&
	test_expect_code 1 runner --db "$(my_url quick)" status --exit-code >out &&
	test_grep "^  changed column users.name: varchar(100) NOT NULL -> varchar(101) NOT NULL$" out &&
	my_newdb quick &&
	runner --db "$(my_url quick)" migrate -q &&
	my_q quick "CREATE TRIGGER trg_new BEFORE UPDATE ON users FOR EACH ROW SET NEW.name = OLD.name" &&
	test_expect_code 1 runner --db "$(my_url quick)" status --exit-code >out &&
	test_grep "^Schema drift: 1 difference" out &&
	test_grep "^  added trigger users.trg_new$" out
'

test_expect_success 'changing it back is no drift' '
	my_q app "DROP TABLE audit; DROP INDEX idx_users_name ON users; CREATE INDEX idx_users_name ON users (name)" &&
	my_q app "ALTER TABLE posts MODIFY body TEXT; ALTER TABLE users DROP COLUMN age" &&
	my_q app "CREATE OR REPLACE VIEW v_titles AS SELECT id, title FROM posts" &&
	my_client -D app <<-\EOF &&
	DELIMITER //
	CREATE TRIGGER trg_posts BEFORE INSERT ON posts FOR EACH ROW
	BEGIN
	    SET NEW.title = TRIM(NEW.title);
	END//
	CREATE PROCEDURE count_posts(OUT n INT)
	BEGIN
	    SELECT COUNT(*) INTO n FROM posts;
	END//
	EOF
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep ! "drift" out
'

test_expect_success 'no false drift after rollback, migrate and redo' '
	runner --db "$(my_url app)" rollback --yes --no-backup >out &&
	runner --db "$(my_url app)" status >out &&
	test_grep ! -i "drift" out &&
	runner --db "$(my_url app)" migrate >out &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep ! -i "drift" out &&
	runner --db "$(my_url app)" redo --yes --no-backup >out &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep ! -i "drift" out
'

test_expect_success 'no false drift after stamp, which records what the migrations make' '
	my_newdb adopted &&
	sed -n "/migrate:up/,/migrate:down/p" migrations/001_users.sql | grep -v "^-- migrate" >users.sql &&
	my_client -D adopted <users.sql &&
	runner --db "$(my_url adopted)" stamp --yes 001 >out &&
	test_grep "^Stamped 001" out &&
	runner --db "$(my_url adopted)" status >out &&
	test_grep ! -i "drift" out &&
	test_equal 1 "$(my_q adopted "SELECT count(*) FROM schema_migrations_drift")" &&
	runner --db "$(my_url adopted)" migrate >out &&
	runner --db "$(my_url adopted)" status --exit-code >out &&
	test_grep ! -i "drift" out
'

test_expect_success 'stamp of a schema unlike the migrations: drift, named' '
	my_newdb unlike &&
	my_q unlike "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)" &&
	runner --db "$(my_url unlike)" stamp --yes 001 >out &&
	test_expect_code 1 runner --db "$(my_url unlike)" status --exit-code >out &&
	test_grep "^  removed column users.email$" out &&
	test_grep "^  removed index users.idx_users_name$" out
'

test_expect_success 'no false drift after repair of an edited file' '
	echo "-- a reviewed comment" >>migrations/002_posts.sql &&
	test_expect_code 1 runner --db "$(my_url app)" migrate 2>err &&
	runner --db "$(my_url app)" repair --yes >out &&
	test_grep "^Repaired 002" out &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep ! -i "drift" out
'

test_expect_success 'verify changes nothing on the server and leaves no database' '
	state app >before &&
	runner --db "$(my_url app)" verify >out &&
	test_grep "^ok  *001 users" out &&
	test_grep "^ok  *002 posts" out &&
	state app >after &&
	test_cmp before after
'

test_expect_success 'verify --live finds the drift too, and changes nothing' '
	my_q app "CREATE TABLE audit (id INT)" &&
	state app >before &&
	test_expect_code 1 runner --db "$(my_url app)" verify --live >out &&
	test_grep "added table audit" out &&
	state app >after &&
	test_cmp before after &&
	my_q app "DROP TABLE audit"
'

test_expect_success 'a view whose table is gone still shows, and is drift' '
	my_q app "CREATE TABLE gone (a INT); CREATE VIEW v_gone AS SELECT a FROM gone; DROP TABLE gone" &&
	runner --db "$(my_url app)" show-schema >schema &&
	test_grep "^CREATE VIEW v_gone AS select " schema &&
	test_expect_code 1 runner --db "$(my_url app)" status --exit-code >out &&
	test_grep "^  added view v_gone$" out &&
	my_q app "DROP VIEW v_gone"
'

test_expect_success 'a record whose table was dropped: drift checked by replay, the next change records' '
	my_q app "DROP TABLE schema_migrations_drift" &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep "none was written yet" out &&
	test_grep ! "^  added" out &&
	runner --db "$(my_url app)" rollback --yes --no-backup >out &&
	test_equal 1 "$(my_q app "SELECT count(*) FROM schema_migrations_drift")" &&
	runner --db "$(my_url app)" migrate >out &&
	runner --db "$(my_url app)" status --exit-code >out &&
	test_grep ! -i drift out
'

test_expect_success 'another --table has its own record, and its tables are no drift' '
	my_newdb other &&
	runner --db "$(my_url other)" --table runs migrate -q &&
	test_equal 1 "$(my_q other "SELECT count(*) FROM runs_drift")" &&
	runner --db "$(my_url other)" --table runs status --exit-code >out &&
	test_grep ! -i drift out &&
	my_q other "CREATE TABLE audit (id INT)" &&
	test_expect_code 1 runner --db "$(my_url other)" --table runs status --exit-code >out &&
	test_grep "^Schema drift: 1 difference" out &&
	test_grep "^  added table audit$" out
'

test_expect_success 'show-schema of a server that went away fails clearly' '
	test_expect_code 1 runner --db "mysql://root@localhost/app?socket=$MY_DIR/nothing.sock" show-schema >out 2>err &&
	test_grep "cannot connect" err &&
	test_must_be_empty out
'

test_done
