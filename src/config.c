/* config.c: DATABASE_URL and MIGRATIONS_DIR from the environment or .env. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "migset.h"
#include "banned.h"

static const char *
trim(const char *s, const char *end, const char **out_end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*out_end = end;
	return s;
}

/* Unquotes "..." or '...'; an unquoted value ends at " #". */
static char *
value_of(const char *v, const char *end)
{
	const char *hash, *close;

	if (end - v >= 2 && (*v == '"' || *v == '\'')) {
		close = memchr(v + 1, *v, (size_t)(end - v - 1));
		if (close)
			return xstrndup(v + 1, (size_t)(close - v - 1));
	}
	for (hash = v; hash < end; hash++)
		if (*hash == '#' && hash > v && (hash[-1] == ' ' ||
		    hash[-1] == '\t'))
			break;
	v = trim(v, hash, &end);
	return xstrndup(v, (size_t)(end - v));
}

char *
dotenv_parse(const char *text, size_t len, const char *key)
{
	const char *p = text, *end = text + len, *eol, *l, *le, *eq, *ke;
	size_t klen = strlen(key);
	char *found = NULL;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		l = trim(p, eol, &le);
		if (le - l > 7 && strncmp(l, "export ", 7) == 0)
			l = trim(l + 7, le, &le);
		eq = memchr(l, '=', (size_t)(le - l));
		if (eq == NULL || *l == '#')
			continue;
		trim(l, eq, &ke);
		if ((size_t)(ke - l) != klen || strncmp(l, key, klen) != 0)
			continue;
		free(found);	/* the last assignment wins, as in a shell */
		l = trim(eq + 1, le, &le);
		found = value_of(l, le);
	}
	return found;
}

char *
config_get(const char *dotenv, const char *key)
{
	struct buf ignore = BUF_INIT;
	const char *env = getenv(key);
	char *data = NULL, *val = NULL;
	size_t len;

	if (env && *env)
		return xstrdup(env);
	if (dotenv && file_read(dotenv, &data, &len, &ignore) == 0) {
		val = dotenv_parse(data, len, key);
		free(data);
	}
	buf_release(&ignore);
	if (val && *val == '\0') {
		free(val);
		val = NULL;
	}
	return val;
}
