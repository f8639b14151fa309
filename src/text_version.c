/* text_version.c: versions compared part by part, each part as an integer. */
#include <string.h>

#include "text_version.h"
#include "banned.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_sep(char c)
{
	return c == '.' || c == '_';
}

int
version_valid_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (is_digit(s[i]))
			continue;
		/* A separator needs a digit on both sides. */
		if (!is_sep(s[i]) || i == 0 || i + 1 == n ||
		    !is_digit(s[i + 1]))
			return 0;
	}
	return 1;
}

int
version_valid(const char *s)
{
	return version_valid_n(s, strlen(s));
}

/*
 * The part at *p (before end) without its leading zeros ("0" for a missing
 * part), and *p moved past it and its separator.
 */
static const char *
next_part(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *start;

	if (s == end) {
		*len = 1;
		return "0";
	}
	while (s + 1 < end && *s == '0' && is_digit(s[1]))
		s++;
	start = s;
	while (s < end && is_digit(*s))
		s++;
	*len = (size_t)(s - start);
	*p = s < end && is_sep(*s) ? s + 1 : s;
	return start;
}

int
version_cmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ea = a + an, *eb = b + bn, *pa, *pb;
	int va = version_valid_n(a, an), vb = version_valid_n(b, bn), c;
	size_t la, lb;

	/* Versions sort first, other text (adopted tables) after. */
	if (!va || !vb) {
		if (va != vb)
			return va ? -1 : 1;
		c = memcmp(a, b, an < bn ? an : bn);
		if (c == 0)
			c = (an > bn) - (an < bn);
		return (c > 0) - (c < 0);
	}
	while (a < ea || b < eb) {
		pa = next_part(&a, ea, &la);
		pb = next_part(&b, eb, &lb);
		if (la != lb)
			return la < lb ? -1 : 1;
		c = memcmp(pa, pb, la);
		if (c)
			return (c > 0) - (c < 0);
	}
	return 0;
}

int
version_cmp(const char *a, const char *b)
{
	return version_cmp_n(a, strlen(a), b, strlen(b));
}

int
version_is_zero(const char *s)
{
	return version_valid(s) && version_cmp(s, "0") == 0;
}
