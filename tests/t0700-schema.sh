#!/bin/bash
# t0700-schema: show-schema order, stability and read-only behaviour.

. "$(dirname "$0")/lib.sh"

# line_of PATTERN FILE: the number of the first line of FILE matching PATTERN.
line_of () {
	grep -n -e "$1" "$2" | head -n 1 | cut -d: -f1
}

# before_in FILE PATTERN1 PATTERN2 ...: each pattern occurs, in this order.
before_in () {
	local file=$1 prev=0 n
	shift
	for p in "$@"
	do
		n=$(line_of "$p" "$file")
		if test -z "$n"; then
			echo "before_in: '$p' not found in $file" >&2
			sed -e 's/^/| /' "$file" >&2
			return 1
		fi
		if test "$n" -le "$prev"; then
			echo "before_in: '$p' (line $n) is not after line $prev in $file" >&2
			sed -e 's/^/| /' "$file" >&2
			return 1
		fi
		prev=$n
	done
}

test_expect_success 'setup' '
	setup_story &&
	write_migration 004 objects \
"CREATE VIEW v_titles AS SELECT title FROM posts;
CREATE VIEW a_view AS SELECT name FROM users;
CREATE TRIGGER trg_comments AFTER INSERT ON comments BEGIN SELECT 1; END;
CREATE INDEX idx_users_name ON users (name);
CREATE TABLE aardvark (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT UNIQUE);" &&
	runner migrate >out &&
	sql app.db "INSERT INTO aardvark (x) VALUES ('"'a'"')"
'

test_expect_success 'show-schema: tables in name order, each with its indexes and triggers, then views' '
	runner show-schema >schema &&
	before_in schema \
		"CREATE TABLE \"\\?aardvark" \
		"CREATE TABLE \"\\?comments" \
		"CREATE INDEX \"\\?idx_comments_post_id" \
		"CREATE TRIGGER \"\\?trg_comments" \
		"CREATE TABLE \"\\?page_views" \
		"CREATE INDEX \"\\?idx_page_views_post_id" \
		"CREATE TABLE \"\\?posts" \
		"CREATE TABLE \"\\?users" \
		"CREATE INDEX \"\\?idx_users_name" \
		"CREATE VIEW \"\\?a_view" \
		"CREATE VIEW \"\\?v_titles"
'

test_expect_success 'show-schema leaves out internal sqlite_ objects' '
	runner show-schema >schema &&
	test_grep ! "sqlite_sequence" schema &&
	test_grep ! "sqlite_autoindex" schema &&
	test_grep ! "sqlite_stat" schema
'

test_expect_success 'show-schema output is valid SQL that rebuilds the schema' '
	runner show-schema >schema &&
	rm -f rebuilt.db &&
	sqlite3 rebuilt.db <schema &&
	sql app.db "SELECT type, name FROM sqlite_master WHERE name NOT LIKE '"'sqlite_%'"' ORDER BY 1, 2" >expect &&
	sql rebuilt.db "SELECT type, name FROM sqlite_master WHERE name NOT LIKE '"'sqlite_%'"' ORDER BY 1, 2" >actual &&
	test_cmp expect actual
'

test_expect_success 'show-schema is stable and read-only' '
	before=$(db_sha app.db) &&
	runner show-schema >one &&
	runner show-schema >two &&
	test_cmp one two &&
	test_equal "$before" "$(db_sha app.db)"
'

test_expect_success 'show-schema does not depend on creation order' '
	fresh order &&
	sql one.db "CREATE TABLE zeta (x);
		CREATE TABLE alpha (y);
		CREATE INDEX i_zeta ON zeta (x);
		CREATE INDEX a_zeta ON zeta (x);
		CREATE VIEW vb AS SELECT 1;
		CREATE VIEW va AS SELECT 2;" &&
	sql two.db "CREATE VIEW va AS SELECT 2;
		CREATE TABLE alpha (y);
		CREATE VIEW vb AS SELECT 1;
		CREATE TABLE zeta (x);
		CREATE INDEX a_zeta ON zeta (x);
		CREATE INDEX i_zeta ON zeta (x);" &&
	runner --db one.db show-schema >one &&
	runner --db two.db show-schema >two &&
	test_cmp one two &&
	before_in one "TABLE \"\\?alpha" "TABLE \"\\?zeta" "INDEX \"\\?a_zeta" \
		"INDEX \"\\?i_zeta" "VIEW \"\\?va" "VIEW \"\\?vb"
'

test_expect_success 'show-schema on a missing database fails and creates nothing' '
	fresh missing &&
	test_expect_code 1 runner show-schema >out 2>err &&
	test_grep "^runner: " err &&
	test_path_is_missing app.db &&
	test_expect_code 1 runner --db sqlite:other.db show-schema >out 2>err &&
	test_path_is_missing other.db
'

test_done
