/*
 * text_sqlite_lex.c: SQLite's tokens and statements; see text_sqlite_lex.h.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "text_migration.h"
#include "text_sqlite_lex.h"
#include "banned.h"

int
sqlite_lex_is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/*
 * Past the quoted token opened at off; a doubled close quote stands for
 * itself (not in [...]). *open is set when the text ends first.
 */
static size_t
skip_quoted(const char *s, size_t len, size_t off, char close, int *open)
{
	for (off++; off < len; off++) {
		if (s[off] != close)
			continue;
		if (close != ']' && off + 1 < len && s[off + 1] == close) {
			off++;
			continue;
		}
		return off + 1;
	}
	*open = 1;
	return len;
}

/* The length of the operator or punctuation at s[i]. */
static size_t
punct_len(const char *s, size_t len, size_t i)
{
	char c = s[i], d = i + 1 < len ? s[i + 1] : '\0';

	if (c == '-' && d == '>')
		return i + 2 < len && s[i + 2] == '>' ? 3 : 2;
	if (c != '\0' && d != '\0' && strchr("<>!=|", c) && strchr("<>=|", d))
		return 2;
	return 1;
}

size_t
sqlite_lex_token(const char *s, size_t len, size_t at, struct sqlite_tok *t)
{
	size_t p = sql_skip_space(s, len, at);
	char c;

	t->type = SQT_END;
	t->off = p;
	t->len = 0;
	t->open = 0;
	if (p >= len)
		return len;
	c = s[p];
	if (c == '\'') {
		t->type = SQT_STRING;
		p = skip_quoted(s, len, p, '\'', &t->open);
	} else if (c == '"' || c == '`' || c == '[') {
		t->type = SQT_IDENT;
		p = skip_quoted(s, len, p, c == '[' ? ']' : c, &t->open);
	} else if (sqlite_lex_is_word_char((unsigned char)c)) {
		t->type = SQT_WORD;
		while (p < len && sqlite_lex_is_word_char((unsigned char)s[p]))
			p++;
	} else {
		t->type = SQT_PUNCT;
		p += punct_len(s, len, p);
	}
	t->len = p - t->off;
	return p;
}

int
sqlite_lex_word_is(const char *s, const struct sqlite_tok *t, const char *w)
{
	size_t n = strlen(w);

	return t->type == SQT_WORD && t->len == n &&
	    strncasecmp(s + t->off, w, n) == 0;
}

void
sqlite_lex_init(struct sqlite_lex *p, const char *s, size_t len)
{
	p->s = s;
	p->len = len;
	p->pos = 0;
}

/* Whether a statement starting first[0..2] is a CREATE [TEMP] TRIGGER. */
static int
is_trigger(const char *s, const struct sqlite_tok *first)
{
	return sqlite_lex_word_is(s, &first[0], "CREATE") &&
	    (sqlite_lex_word_is(s, &first[1], "TRIGGER") ||
	    sqlite_lex_word_is(s, &first[2], "TRIGGER"));
}

/*
 * Follows a trigger's body, whose statements end in ';' too: it starts at
 * BEGIN and ends at the END that closes no CASE.
 */
static void
track_body(const char *s, const struct sqlite_tok *t, int *body, int *cases)
{
	if (!*body && sqlite_lex_word_is(s, t, "BEGIN"))
		*body = 1;
	else if (*body && sqlite_lex_word_is(s, t, "CASE"))
		(*cases)++;
	else if (*body && sqlite_lex_word_is(s, t, "END") && *cases > 0)
		(*cases)--;
	else if (*body && sqlite_lex_word_is(s, t, "END"))
		*body = 0;
}

int
sqlite_lex_next(struct sqlite_lex *p, size_t *start, size_t *end)
{
	struct sqlite_tok t, first[3];
	size_t n = 0;
	int trigger = 0, body = 0, cases = 0;

	for (;;) {
		p->pos = sqlite_lex_token(p->s, p->len, p->pos, &t);
		if (t.type == SQT_END)
			break;
		if (t.type == SQT_PUNCT && p->s[t.off] == ';' && n == 0)
			continue;
		if (n == 0)
			*start = t.off;
		if (n < 3)
			first[n] = t;
		if (++n == 3)
			trigger = is_trigger(p->s, first);
		if (t.type == SQT_PUNCT && p->s[t.off] == ';' && !body)
			break;
		if (trigger)
			track_body(p->s, &t, &body, &cases);
	}
	*end = p->pos;
	return n > 0;
}
