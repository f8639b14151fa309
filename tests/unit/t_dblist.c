/*
 * Unit tests for a fleet's lists (text_dblist.c): list files' lines and
 * comments, DATABASE_URLS' words, globs, and the keys of two spellings.
 */
#include <stdlib.h>

#include "tap.h"
#include "error.h"
#include "text_dblist.h"

static void
key_is(char *(*fn)(const char *), const char *in, const char *want)
{
	char *k = fn(in);

	is_str(k, want, in);
	free(k);
}

int
main(void)
{
	static const char text[] = "# tenants\n  a.db  \n\nb.db # old one\n"
	    "postgres://u:p#w@h/db\n\t#indented comment\nlast.db";
	struct dblist l = DBLIST_INIT;
	struct buf err = BUF_INIT;

	ok(dblist_add_lines(&l, "list", text, sizeof(text) - 1, &err) == 0,
	    "a list is read");
	ok(l.n == 4, "comments and empty lines are not names");
	is_str(l.v[0], "a.db", "blanks around a name go");
	is_str(l.where[0], "list:2", "where names the line");
	is_str(l.v[1], "b.db", "a comment after a blank goes");
	is_str(l.v[2], "postgres://u:p#w@h/db", "a '#' in a password stays");
	is_str(l.v[3], "last.db", "a last line without a newline counts");
	is_str(l.where[3], "list:7", "lines are counted");
	dblist_release(&l);

	ok(dblist_add_lines(&l, "bin", "a.db\nb\0c\n", 9, &err) ==
	    RUNNER_EUSAGE, "a NUL byte is an error");
	is_str(err.buf, "bin:2: a NUL byte: not a list of databases",
	    "naming its line");
	buf_release(&err);
	dblist_release(&l);

	ok(dblist_add_lines(&l, "empty", "", 0, &err) == 0 && l.n == 0,
	    "an empty list names nothing");
	dblist_add_words(&l, "  a.db\tb.db\n postgres://h/x  ", "DATABASE_URLS");
	ok(l.n == 3, "DATABASE_URLS: words");
	is_str(l.v[2], "postgres://h/x", "the last word");
	is_str(l.where[1], "DATABASE_URLS", "where names the variable");
	dblist_add(&l, "c.db", NULL);
	ok(l.n == 4 && l.where[3] == NULL, "a name from the command line");
	dblist_release(&l);

	ok(dblist_is_glob("tenants/*.db"), "'*' is a glob");
	ok(dblist_is_glob("t/db[0-9].db"), "'[' is a glob");
	ok(!dblist_is_glob("tenants/a.db"), "a path is not");
	ok(!dblist_is_glob("postgres://h/db?x=*"), "a URL is not");
	ok(!dblist_is_glob("sqlite:app.db?mode=ro"), "an sqlite: URL is not");
	ok(!dblist_is_glob("file:x.db?mode=rw"), "a file: URL is not");
	ok(dblist_is_glob("./t/*.db"), "a relative path is");

	key_is(dblist_path_key, "a.db", "a.db");
	key_is(dblist_path_key, "./a.db", "a.db");
	key_is(dblist_path_key, "t//x/../a.db", "t/a.db");
	key_is(dblist_path_key, "/t/./a.db", "/t/a.db");
	key_is(dblist_path_key, "/../a.db", "/a.db");
	key_is(dblist_path_key, "../a.db", "../a.db");
	key_is(dblist_path_key, "../../x/../a.db", "../../a.db");
	key_is(dblist_path_key, "t/..", ".");

	key_is(dblist_url_key, "postgresql://u:secret@HOST:5432/db",
	    "postgres://u@host/db");
	key_is(dblist_url_key, "postgres://u@host/db/", "postgres://u@host/db");
	key_is(dblist_url_key, "postgres://host:5433/db?sslmode=disable",
	    "postgres://host:5433/db?sslmode=disable");
	key_is(dblist_url_key, "postgres://[::1]:5432/db",
	    "postgres://[::1]/db");
	key_is(dblist_url_key, "MariaDB://u:p@h:3306/t", "mysql://u@h/t");
	key_is(dblist_url_key, "app.db", "app.db");
	return done_testing();
}
