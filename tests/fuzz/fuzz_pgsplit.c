/*
 * libFuzzer harness for the PostgreSQL splitter: any bytes, and checks that
 * statements come in order, inside the text, start on a token, and split
 * the same way when split on their own; and that masking a pg_dump
 * script's transaction control only turns bytes into spaces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text_pgsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_alone(const char *s, size_t start, size_t end)
{
	struct pgsplit p;
	size_t a, b;

	pgsplit_init(&p, s + start, end - start);
	if (!pgsplit_next(&p, &a, &b) || a != 0 || b != end - start)
		__builtin_trap();
	(void)pgsplit_ends_tx(s + start, end - start);
}

/* Masking keeps the length and every newline, and only writes spaces. */
static void
check_mask(const char *s, size_t size)
{
	char *m = malloc(size ? size : 1);
	size_t i;

	if (!m)
		return;
	memcpy(m, s, size);
	(void)pgsplit_mask_tx(m, size);
	for (i = 0; i < size; i++)
		if (m[i] != s[i] && (m[i] != ' ' || s[i] == '\n'))
			__builtin_trap();
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct pgsplit p;
	size_t start, end, prev = 0, n = 0;

	pgsplit_init(&p, s, size);
	while (pgsplit_next(&p, &start, &end)) {
		if (start < prev || start >= end || end > size)
			__builtin_trap();
		if (s[start] == ' ' || s[start] == '\n' || s[start] == ';')
			__builtin_trap();
		check_alone(s, start, end);
		prev = end;
		if (++n > size)
			__builtin_trap();	/* no progress */
	}
	check_mask(s, size);
	return 0;
}
