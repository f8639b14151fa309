/*
 * file_config.c: settings from the environment or a .env file, whose values
 * may refer to the environment and to earlier lines as ${VAR}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file_config.h"
#include "error.h"
#include "file.h"
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

/* The assignments read so far: name, then value, each NUL-ended. */
struct vars {
	char **v;
	size_t n;
};

static const char *
vars_get(const struct vars *vs, const char *name, size_t len)
{
	size_t i;

	for (i = vs->n; i >= 2; i -= 2)
		if (strlen(vs->v[i - 2]) == len &&
		    strncmp(vs->v[i - 2], name, len) == 0)
			return vs->v[i - 1];
	return NULL;
}

static void
vars_add(struct vars *vs, const char *name, size_t len, char *value)
{
	vs->v = xreallocarray(vs->v, vs->n + 2, sizeof(*vs->v));
	vs->v[vs->n++] = xstrndup(name, len);
	vs->v[vs->n++] = value;
}

static void
vars_release(struct vars *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		free(vs->v[i]);
	free(vs->v);
}

/* What one line is being read: for expansion and its messages. */
struct line {
	const char *path;
	int no;
	const char *key;	/* the name being assigned */
	size_t klen;
	const struct vars *vs;
	const char *(*env)(const char *name);
};

/* The value of ${name}: the environment, else an earlier line. */
static const char *
lookup(const struct line *l, const char *name, size_t len, int *self)
{
	char tmp[256];
	const char *v;

	*self = 0;
	if (l->env && len < sizeof(tmp)) {
		memcpy(tmp, name, len);
		tmp[len] = '\0';
		if ((v = l->env(tmp)) != NULL)
			return v;
	}
	if ((v = vars_get(l->vs, name, len)) != NULL)
		return v;
	*self = len == l->klen && strncmp(name, l->key, len) == 0;
	return NULL;
}

/* Expands one ${...} at p (just after "${"); *end is past its '}'. */
static int
expand_one(const struct line *l, const char *p, const char *lim,
    const char **end, struct buf *out, struct buf *err)
{
	const char *close = memchr(p, '}', (size_t)(lim - p)), *dflt, *v;
	size_t nlen;
	int self, colon;

	if (close == NULL)
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: unterminated "
		    "'${' in the value of '%.*s'", l->path, l->no,
		    (int)l->klen, l->key);
	nlen = strcspn(p, ":-}");
	if (p + nlen > close)
		nlen = (size_t)(close - p);
	colon = p[nlen] == ':' && p + nlen + 1 < close && p[nlen + 1] == '-';
	dflt = colon ? p + nlen + 2 : p[nlen] == '-' ? p + nlen + 1 : NULL;
	if (nlen == 0 || (p[nlen] != '}' && dflt == NULL))
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: '${%.*s}' is not "
		    "${VAR} or ${VAR:-default}", l->path, l->no,
		    (int)(close - p), p);
	v = lookup(l, p, nlen, &self);
	if (dflt && (v == NULL || (colon && *v == '\0')))
		buf_add(out, dflt, (size_t)(close - dflt));
	else if (v)
		buf_adds(out, v);
	else if (self)
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: '%.*s' refers to "
		    "itself and has no earlier value (not in the environment, "
		    "nor on an earlier line)", l->path, l->no, (int)nlen, p);
	*end = close + 1;
	return 0;
}

static int
expand(const struct line *l, const char *v, const char *end,
    struct buf *out, struct buf *err)
{
	const char *p;

	for (p = v; p < end;) {
		if (p[0] == '$' && p + 1 < end && p[1] == '{') {
			if (expand_one(l, p + 2, end, &p, out, err) < 0)
				return RUNNER_EUSAGE;
		} else
			buf_addch(out, *p++);
	}
	return 0;
}

/*
 * Unquotes "..." (expanded) or '...' (as it is); an unquoted value ends
 * at " #" and is expanded.
 */
static int
value_of(const struct line *l, const char *v, const char *end,
    struct buf *out, struct buf *err)
{
	const char *hash, *close, *rest, *rend;

	if (v < end && (*v == '"' || *v == '\'')) {
		close = memchr(v + 1, *v, (size_t)(end - v - 1));
		if (close == NULL)
			return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: the value "
			    "has no closing %c", l->path, l->no, *v);
		rest = trim(close + 1, end, &rend);
		if (rest < rend && *rest != '#')
			return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: unexpected "
			    "'%.*s' after the closing quote", l->path, l->no,
			    (int)(rend - rest), rest);
		if (*v == '\'') {
			buf_add(out, v + 1, (size_t)(close - v - 1));
			return 0;
		}
		return expand(l, v + 1, close, out, err);
	}
	for (hash = v; hash < end; hash++)
		if (*hash == '#' && hash > v && (hash[-1] == ' ' ||
		    hash[-1] == '\t'))
			break;
	v = trim(v, hash, &end);
	return expand(l, v, end, out, err);
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
 * Reads one line into vs: blank, a # comment, or [export ]KEY=VALUE;
 * anything else is an error naming the line, never skipped.
 */
static int
parse_line(struct line *l, const char *p, const char *eol, struct vars *vs,
    struct buf *err)
{
	const char *s, *le, *eq, *ke;
	struct buf val = BUF_INIT;

	if (eol - p > DOTENV_LINE_MAX)
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: line too long "
		    "(%zu bytes; at most %d)", l->path, l->no,
		    (size_t)(eol - p), DOTENV_LINE_MAX);
	if (memchr(p, '\0', (size_t)(eol - p)))
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: NUL byte in the "
		    "line", l->path, l->no);
	s = trim(p, eol, &le);
	if (s == le || *s == '#')
		return 0;
	if (le - s > 7 && strncmp(s, "export ", 7) == 0)
		s = trim(s + 7, le, &le);
	if ((eq = memchr(s, '=', (size_t)(le - s))) == NULL)
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: expected "
		    "KEY=VALUE, found '%.*s'", l->path, l->no, (int)(le - s), s);
	trim(s, eq, &ke);
	if (!is_name(s, ke))
		return buf_seterr(err, RUNNER_EUSAGE, "%s:%d: '%.*s' is not a "
		    "variable name", l->path, l->no, (int)(ke - s), s);
	l->key = s;
	l->klen = (size_t)(ke - s);
	s = trim(eq + 1, le, &le);
	if (value_of(l, s, le, &val, err) < 0) {
		buf_release(&val);
		return RUNNER_EUSAGE;
	}
	vars_add(vs, l->key, l->klen, buf_detach(&val, NULL));
	return 0;
}

int
dotenv_parse(const char *path, const char *text, size_t len,
    const char *key, const char *(*env)(const char *name), char **out,
    struct buf *err)
{
	const char *p = text, *end = text + len, *eol, *v;
	struct vars vs = { NULL, 0 };
	struct line l;
	int ret = 0;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.path = path;
	l.vs = &vs;
	l.env = env;
	for (; ret == 0 && p < end; p = eol + 1) {
		l.no++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		ret = parse_line(&l, p, eol, &vs, err);
	}
	v = vars_get(&vs, key, strlen(key));
	if (ret == 0 && v)
		*out = xstrdup(v);
	vars_release(&vs);
	return ret;
}

static const char *
env_lookup(const char *name)
{
	return getenv(name);
}

int
config_get(const char *path, int must_exist, const char *key, char **out,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	const char *env = getenv(key);
	char *data = NULL;
	size_t len;
	int ret;

	*out = NULL;
	if (env && *env) {
		*out = xstrdup(env);
		return 0;
	}
	ret = file_read(path, &data, &len, &why);
	if (ret == RUNNER_ENOENT && !must_exist)
		ret = 0;
	else if (ret < 0)
		ret = buf_seterr(err, RUNNER_EUSAGE, "%s", why.buf);
	else
		ret = dotenv_parse(path, data, len, key, env_lookup, out, err);
	free(data);
	buf_release(&why);
	if (ret == 0 && *out && **out == '\0') {
		free(*out);
		*out = NULL;
	}
	return ret;
}
