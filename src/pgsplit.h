/*
 * pgsplit.h: splitting PostgreSQL SQL text into statements by the server's
 * lexical rules, the way psql does, with no I/O (so it can be fuzzed).
 *
 * It knows single-quoted strings ('' inside), E'' strings (backslash
 * escapes), double-quoted identifiers, $tag$ dollar quoting, -- comments,
 * nested block comments, and, as psql does, that a ';' inside parentheses or
 * inside the BEGIN ... END body of CREATE [OR REPLACE] FUNCTION/PROCEDURE
 * (BEGIN ATOMIC) does not end a statement. Plain strings follow
 * standard_conforming_strings = on (the default since PostgreSQL 9.1).
 */
#ifndef RUNNER_PGSPLIT_H
#define RUNNER_PGSPLIT_H

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

#endif
