/* config.c: DATABASE_URL, MIGRATIONS_DIR and BACKUP_DIR from the environment or .env. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
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

/* Whether [k, end) is a variable name: a letter or _, then also digits. */
static int
is_name(const char *k, const char *end)
{
	const char *p;

	if (k == end || (*k >= '0' && *k <= '9'))
		return 0;
	for (p = k; p < end; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/*
 * The value in [v, end): "..." or '...' with nothing but a comment after
 * the closing quote, else bare up to a " #" comment. NULL and a message
 * in err when it cannot be read.
 */
static char *
value_of(const char *v, const char *end, struct buf *err)
{
	const char *hash, *close, *rest, *rend;

	if (v < end && (*v == '"' || *v == '\'')) {
		close = memchr(v + 1, *v, (size_t)(end - v - 1));
		if (close == NULL) {
			buf_addf(err, "the value has no closing %c", *v);
			return NULL;
		}
		rest = trim(close + 1, end, &rend);
		if (rest < rend && *rest != '#') {
			buf_addf(err, "unexpected '%.*s' after the closing "
			    "quote", (int)(rend - rest), rest);
			return NULL;
		}
		return xstrndup(v + 1, (size_t)(close - v - 1));
	}
	for (hash = v; hash < end; hash++)
		if (*hash == '#' && hash > v && (hash[-1] == ' ' ||
		    hash[-1] == '\t'))
			break;
	v = trim(v, hash, &end);
	return xstrndup(v, (size_t)(end - v));
}

static void
add_var(struct dotenv *d, const char *k, const char *kend, char *value)
{
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n].key = xstrndup(k, (size_t)(kend - k));
	d->v[d->n].value = value;
	d->n++;
}

/* One line: nothing, or an assignment added to d; why not in why. */
static int
parse_line(const char *l, const char *le, struct dotenv *d, struct buf *why)
{
	const char *eq, *ke, *v, *ve;
	char *value;

	l = trim(l, le, &le);
	if (l == le || *l == '#')
		return 0;
	if (le - l > 7 && strncmp(l, "export ", 7) == 0)
		l = trim(l + 7, le, &le);
	if ((eq = memchr(l, '=', (size_t)(le - l))) == NULL) {
		buf_addf(why, "expected KEY=VALUE, found '%.*s'",
		    (int)(le - l), l);
		return -1;
	}
	trim(l, eq, &ke);
	if (!is_name(l, ke)) {
		buf_addf(why, "'%.*s' is not a variable name", (int)(ke - l), l);
		return -1;
	}
	v = trim(eq + 1, le, &ve);
	if ((value = value_of(v, ve, why)) == NULL)
		return -1;
	add_var(d, l, ke, value);
	return 0;
}

int
dotenv_parse(const char *path, const char *text, size_t len,
    struct dotenv *out, struct buf *err)
{
	const char *p = text, *end = text + len, *eol;
	struct buf why = BUF_INIT;
	int line = 1, ret = 0;

	out->v = NULL;
	out->n = 0;
	for (; p < end && ret == 0; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if (memchr(p, '\0', (size_t)(eol - p)))
			buf_adds(&why, "NUL byte in the line");
		if (why.len || parse_line(p, eol, out, &why) < 0)
			ret = buf_seterr(err, RUNNER_EUSAGE, "%s:%d: %s", path,
			    line, why.buf);
	}
	if (ret < 0)
		dotenv_release(out);
	buf_release(&why);
	return ret;
}

const char *
dotenv_get(const struct dotenv *d, const char *key)
{
	size_t i;

	for (i = d->n; i > 0; i--)
		if (strcmp(d->v[i - 1].key, key) == 0)
			return d->v[i - 1].value;
	return NULL;
}

void
dotenv_release(struct dotenv *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].value);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int
dotenv_load(const char *path, struct dotenv *out, struct buf *err)
{
	struct buf why = BUF_INIT;
	char *data = NULL;
	size_t len;
	int ret;

	out->v = NULL;
	out->n = 0;
	ret = file_read(path, &data, &len, &why);
	if (ret < 0 && ret != RUNNER_ENOENT)
		buf_seterr(err, RUNNER_EUSAGE, "%s", why.buf);
	buf_release(&why);
	if (ret < 0)
		return ret == RUNNER_ENOENT ? 0 : RUNNER_EUSAGE;
	ret = dotenv_parse(path, data, len, out, err);
	free(data);
	return ret;
}

char *
config_get(const struct dotenv *d, const char *key)
{
	const char *env = getenv(key), *v;

	if (env && *env)
		return xstrdup(env);
	v = d ? dotenv_get(d, key) : NULL;
	return v && *v ? xstrdup(v) : NULL;
}
