/*
 * libFuzzer harness for SQLite's lexer: any bytes, and checks that tokens
 * come in order, inside the text and each at least one byte long, that an
 * open string or identifier runs to the end, and that statements come in
 * order, inside the text, starting at a token, and cover every token but
 * the empty statements' semicolons.
 */
#include <stddef.h>
#include <stdint.h>

#include "text_sqlite_lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tokens of s[at, len); returns how many are not a lone ';'. */
static size_t
check_tokens(const char *s, size_t len, size_t at)
{
	struct sqlite_tok t;
	size_t next, n = 0;

	for (;;) {
		next = sqlite_lex_token(s, len, at, &t);
		if (next < at || next > len || t.off < at ||
		    t.off + t.len != next)
			__builtin_trap();
		if (t.type == SQT_END && t.off != len)
			__builtin_trap();
		if (t.type == SQT_END)
			return n;
		if (t.len == 0 || (t.open && next != len))
			__builtin_trap();
		n += !(t.type == SQT_PUNCT && s[t.off] == ';');
		at = next;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct sqlite_lex p;
	struct sqlite_tok t;
	size_t start, end, prev = 0, code = 0;

	check_tokens(s, size, 0);
	sqlite_lex_init(&p, s, size);
	while (sqlite_lex_next(&p, &start, &end)) {
		if (start < prev || end <= start || end > size ||
		    sqlite_lex_token(s, size, prev, &t) > end ||
		    (t.off != start && !(t.type == SQT_PUNCT &&
		    s[t.off] == ';')))
			__builtin_trap();
		code += check_tokens(s, end, start);
		prev = end;
	}
	/* Every token that is not an empty statement's ';' is in one. */
	if (code != check_tokens(s, size, 0))
		__builtin_trap();
	return 0;
}
