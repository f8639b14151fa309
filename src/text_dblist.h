/*
 * text_dblist.h: a fleet's databases as named: --db-list text (one a
 * line, '#' comments), DATABASE_URLS (separated by whitespace), and the
 * keys two spellings of one database share. Pure text, no I/O.
 */
#ifndef RUNNER_TEXT_DBLIST_H
#define RUNNER_TEXT_DBLIST_H

#include <stddef.h>

#include "buf.h"

/* The names, in order, each with where it was given ("list.txt:3"). */
struct dblist {
	char **v;
	char **where;	/* NULL entries: given on the command line */
	size_t n;
	size_t alloc;
};

#define DBLIST_INIT { NULL, NULL, 0, 0 }

void dblist_release(struct dblist *l);
/* Appends name; where (copied) may be NULL. */
void dblist_add(struct dblist *l, const char *name, const char *where);
/*
 * Appends each line of a list's text (path names it in where and in
 * errors): blanks around a name are dropped, and so are empty lines and
 * comments, from a '#' that starts the line or follows a blank (a '#' in
 * a URL's password stays). A NUL byte is an error naming its line.
 */
int dblist_add_lines(struct dblist *l, const char *path, const char *text,
    size_t len, struct buf *err);
/* Appends each word of text (DATABASE_URLS), where naming the variable. */
void dblist_add_words(struct dblist *l, const char *text, const char *where);

/*
 * Whether name is a glob for SQLite files: a '*', '?' or '[' in a name
 * without a URL scheme (sqlite:x.db?mode=ro is a URL, not a glob).
 */
int dblist_is_glob(const char *name);

/*
 * The key of a path two spellings share, lexically: "./a//b/../c.db" and
 * "a/c.db" are both "a/c.db" (symbolic links are the caller's to follow).
 */
char *dblist_path_key(const char *path);
/*
 * The key of a server URL: the scheme in lower case (postgresql is
 * postgres, mariadb is mysql), no password, the host in lower case, the
 * default port dropped, no trailing '/' before the query.
 */
char *dblist_url_key(const char *url);

#endif
