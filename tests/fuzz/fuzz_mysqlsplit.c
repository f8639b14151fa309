/*
 * libFuzzer harness for the MySQL splitter: any bytes, and checks that
 * statements come in order and inside the text, that an error stops the
 * split with its offset inside the text, and that every statement's
 * tokens and classification stay inside it.
 */
#include <stddef.h>
#include <stdint.h>

#include "text_mysqlsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_tokens(const char *s, size_t len)
{
	struct mysqlsplit_class c;
	struct mysqlsplit_tok t;
	size_t at = 0, next;

	do {
		next = mysqlsplit_token(s, len, at, &t);
		if (next < at || next > len || t.off + t.len > len)
			__builtin_trap();
		if (t.type != MYT_END && next == at)
			__builtin_trap();
		at = next;
	} while (t.type != MYT_END);
	mysqlsplit_classify(s, len, &c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct mysqlsplit p;
	size_t start, end, prev = 0;
	int r;

	mysqlsplit_init(&p, s, size);
	while ((r = mysqlsplit_next(&p, &start, &end)) > 0) {
		if (start < prev || end <= start || end > size)
			__builtin_trap();
		check_tokens(s + start, end - start);
		prev = end;
	}
	if (r < 0 && (p.error == NULL || p.error_at > size))
		__builtin_trap();
	return 0;
}
