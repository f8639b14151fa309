/*
 * text_pgsplit.h: splitting PostgreSQL SQL text into statements by the server's
 * lexical rules, the way psql does, with no I/O (so it can be fuzzed).
 *
 * It knows single-quoted strings ('' inside), E'' strings (backslash
 * escapes), double-quoted identifiers, $tag$ dollar quoting, -- comments,
 * nested block comments, and, as psql does, that a ';' inside parentheses or
 * inside the BEGIN ... END body of CREATE [OR REPLACE] FUNCTION/PROCEDURE
 * (BEGIN ATOMIC) does not end a statement. Plain strings follow
 * standard_conforming_strings = on (the default since PostgreSQL 9.1).
 */
#ifndef RUNNER_TEXT_PGSPLIT_H
#define RUNNER_TEXT_PGSPLIT_H

#include <stddef.h>

struct pgsplit {
	const char *s;
	size_t len;
	size_t pos;	/* where the next statement is looked for */
};

void pgsplit_init(struct pgsplit *p, const char *s, size_t len);

/*
 * The next statement holding code: *start is its first token (blanks and
 * comments before it are skipped), *end is just past its ';', or len when
 * the text ends first (an unterminated string or comment also runs to the
 * end: the server reports it). Returns 1, or 0 when only blanks, comments
 * and empty statements remain.
 */
int pgsplit_next(struct pgsplit *p, size_t *start, size_t *end);

/*
 * Whether the statement s[0, len) (starting at its first token, as
 * pgsplit_next gives it) would end the transaction it runs in: COMMIT,
 * END, ABORT, ROLLBACK (not ROLLBACK TO / PREPARED, not COMMIT PREPARED) or
 * PREPARE TRANSACTION.
 */
int pgsplit_ends_tx(const char *s, size_t len);

/*
 * Blanks out in place (spaces, newlines kept, so lengths and line numbers
 * stay) every top-level BEGIN, START TRANSACTION and transaction-ending
 * statement of the pg_dump script s[0, len): pg_dump wraps large objects'
 * data in BEGIN; ... COMMIT;, which would end the one transaction the
 * script must run in. psql meta-commands (\restrict ...) and COPY ... FROM
 * stdin data are skipped, as psql reads them. Returns how many statements
 * it blanked.
 */
size_t pgsplit_mask_tx(char *s, size_t len);

/* One token, for the parts that look at statements (lint, verify). */
enum pgsplit_tok_type {
	PGT_END,	/* no more tokens */
	PGT_WORD,	/* key word or bare identifier */
	PGT_STRING,	/* '...', E'...', $tag$...$tag$ (and x'', b'', U&'') */
	PGT_IDENT,	/* "quoted identifier" */
	PGT_NUMBER,
	PGT_PUNCT	/* any other character */
};

struct pgsplit_tok {
	enum pgsplit_tok_type type;
	size_t off, len;	/* in s */
};

/*
 * Reads the token at or after at in s[0, len), skipping blanks and
 * comments, into t; returns the offset just past it (len at the end).
 */
size_t pgsplit_token(const char *s, size_t len, size_t at,
    struct pgsplit_tok *t);

/*
 * What a statement (starting at its first token) does beyond the database
 * it runs in, by its key words; dynamic SQL (DO blocks, functions) is not
 * seen. cluster names the cluster-wide objects it changes ("roles",
 * "databases", "tablespaces", "role settings", "server settings (ALTER
 * SYSTEM)", "grants on databases", ...); external what it changes outside
 * the server's catalogs ("files or programs on the server (COPY)",
 * "subscriptions"); NULL for neither. notx: it cannot run inside a
 * transaction block. maintenance: VACUUM, ANALYZE, CLUSTER, REINDEX or
 * CHECKPOINT, which change no schema. txctl: transaction control (BEGIN,
 * COMMIT, SAVEPOINT ...); undoes: of those, ROLLBACK or ABORT, which throw
 * work away. concurrently: the offset of its CONCURRENTLY key word, or
 * (size_t)-1.
 */
struct pgsplit_class {
	const char *cluster;
	const char *external;
	int notx;
	int maintenance;
	int txctl;
	int undoes;
	size_t concurrently;
};

void pgsplit_classify(const char *s, size_t len, struct pgsplit_class *c);

#endif
