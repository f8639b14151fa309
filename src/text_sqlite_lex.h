/*
 * text_sqlite_lex.h: SQLite's lexical rules, the one tokenizer of that
 * dialect: lint cuts SQLite sections into statements with it, and the
 * SQLite driver reads stored SQL with it to describe a schema (whose
 * canonical text drift records keep, so its tokens must not change). No
 * I/O, so it can be fuzzed.
 *
 * It knows '...' strings ('' inside), identifiers quoted with "" or ``
 * (the quote doubled inside) or [], -- and block comments (as
 * sql_skip_space skips them), words (letters, digits, '_', '$' and any
 * byte from 0x80: key words, bare names and numbers alike), and operators
 * of two or three characters.
 */
#ifndef RUNNER_TEXT_SQLITE_LEX_H
#define RUNNER_TEXT_SQLITE_LEX_H

#include <stddef.h>

enum sqlite_tok_type {
	SQT_END,	/* no more tokens */
	SQT_WORD,	/* key word, bare identifier or number */
	SQT_STRING,	/* 'text' */
	SQT_IDENT,	/* "name", `name` or [name] */
	SQT_PUNCT	/* an operator or any other character */
};

struct sqlite_tok {
	enum sqlite_tok_type type;
	size_t off, len;	/* in s, quotes included */
	int open;		/* a string or identifier the text ends in */
};

/*
 * Reads the token at or after at in s[0, len), skipping blanks and
 * comments, into t; returns the offset just past it (len at the end,
 * where t->off is len too). An operator is a character of "<>!=|" and one
 * of "<>=|" after it, "->" or "->>" (pairing more than SQLite does, for
 * text SQLite would refuse, as describe always has); any other
 * punctuation is one character.
 */
size_t sqlite_lex_token(const char *s, size_t len, size_t at,
    struct sqlite_tok *t);

/* Whether c may be part of a word: a name made of them needs no quotes. */
int sqlite_lex_is_word_char(unsigned char c);

/* Whether t is the bare word w, in any case. */
int sqlite_lex_word_is(const char *s, const struct sqlite_tok *t,
    const char *w);

struct sqlite_lex {
	const char *s;
	size_t len;
	size_t pos;	/* where the next statement is looked for */
};

void sqlite_lex_init(struct sqlite_lex *p, const char *s, size_t len);

/*
 * The next statement holding code: *start is its first token, *end is just
 * past its ';', or len when the text ends first. A ';' inside the BEGIN
 * ... END body of a CREATE [TEMP] TRIGGER (END closing a CASE aside) does
 * not end it. Returns 1, or 0 when only blanks, comments and empty
 * statements remain.
 */
int sqlite_lex_next(struct sqlite_lex *p, size_t *start, size_t *end);

#endif
