/*
 * text_mysqlsplit.h: splitting MySQL and MariaDB SQL text into statements the
 * way the mysql client does, and knowing which ones commit implicitly, with
 * no I/O (so it can be fuzzed).
 *
 * It knows '...' and "..." strings (backslash escapes, doubled quotes),
 * `backtick` identifiers, # and "-- " comments (the dashes followed by a
 * blank or the end), block comments (which do not nest), and versioned
 * comments (a block comment whose text starts with '!', or MariaDB's
 * "M!", and an optional version number), whose text the server runs: it
 * is read as code. A line "DELIMITER xx" at the
 * start of a statement changes what ends statements, as in the client; the
 * line itself is not a statement. Strings follow the server's default
 * sql_mode (backslash escapes on, ANSI_QUOTES off).
 */
#ifndef RUNNER_MYSQLSPLIT_H
#define RUNNER_MYSQLSPLIT_H

#include <stddef.h>

#define MYSQLSPLIT_DELIM_MAX 16

struct mysqlsplit {
	const char *s;
	size_t len;
	size_t pos;	/* where the next statement is looked for */
	char delim[MYSQLSPLIT_DELIM_MAX];
	size_t dlen;
	const char *error;	/* why mysqlsplit_next returned -1 */
	size_t error_at;	/* where, an offset in s */
};

void mysqlsplit_init(struct mysqlsplit *p, const char *s, size_t len);

/*
 * The next statement holding code: *start is its first token (blanks,
 * comments and DELIMITER lines before it are skipped), *end is just past
 * its last character before the delimiter, or len when the text ends first
 * (an unterminated string or comment also runs to the end: the server
 * reports it). Returns 1; 0 when only blanks, comments, DELIMITER lines and
 * empty statements remain; -1 for a DELIMITER line the client refuses
 * (nothing after it, a backslash in it, too long), with p->error and
 * p->error_at set.
 */
int mysqlsplit_next(struct mysqlsplit *p, size_t *start, size_t *end);

/* One token, for the parts that look at statements (lint, classify). */
enum mysqlsplit_tok_type {
	MYT_END,	/* no more tokens */
	MYT_WORD,	/* key word or bare identifier */
	MYT_STRING,	/* '...', "...", x'..', b'..' */
	MYT_IDENT,	/* `quoted identifier` */
	MYT_NUMBER,
	MYT_PUNCT	/* any other character */
};

struct mysqlsplit_tok {
	enum mysqlsplit_tok_type type;
	size_t off, len;	/* in s */
};

/*
 * Reads the token at or after at in s[0, len), skipping blanks and
 * comments (and the markers of versioned comments, whose text is code),
 * into t; returns the offset just past it (len at the end).
 */
size_t mysqlsplit_token(const char *s, size_t len, size_t at,
    struct mysqlsplit_tok *t);

/*
 * What a statement (starting at its first token) does, by its key words.
 * commits: why it commits the transaction it runs in, implicitly, as the
 * server's documentation lists them ("CREATE TABLE", "ALTER TABLE",
 * "GRANT", "LOCK TABLES", ...), or "" when it does not: such a statement
 * cannot be undone by a rollback. cluster: the server-wide objects it
 * changes ("users", "roles", "grants", "global variables", "databases",
 * "plugins", "servers", "tablespaces", "replication"), or NULL. txctl:
 * transaction control (BEGIN, START TRANSACTION, COMMIT, ROLLBACK,
 * SAVEPOINT, SET autocommit, XA ...).
 */
struct mysqlsplit_class {
	char commits[40];
	const char *cluster;
	int txctl;
};

void mysqlsplit_classify(const char *s, size_t len,
    struct mysqlsplit_class *c);

#endif
