/*
 * text_subst.c: goose's ENVSUB expansion (the grammar of mfridman/interpolate,
 * which goose uses) and Flyway's placeholder replacement. No I/O.
 */
#include <string.h>
#include <strings.h>

#include "error.h"
#include "text_subst.h"
#include "banned.h"

/* One line being expanded. */
struct envsub {
	const char *path;
	int line;
	const struct parse_env *env;
	const char *end;	/* the end of the line */
	struct buf *err;
};

static const char *
lookup(const struct parse_env *env, const char *name, size_t len,
    int placeholder)
{
	if (env == NULL || env->lookup == NULL)
		return NULL;
	return env->lookup(env->arg, name, len, placeholder);
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_ident(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* A variable name at *p (a letter, then letters, digits and '_'). */
static int
scan_name(struct envsub *x, const char **p, const char **name, size_t *len)
{
	const char *s = *p;

	if (s >= x->end || !is_alpha(*s))
		return buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: '$' must "
		    "be followed by a variable name (write '$$' for a '$')",
		    x->path, x->line);
	while (s < x->end && is_ident(*s))
		s++;
	*name = *p;
	*len = (size_t)(s - *p);
	*p = s;
	return 0;
}

static int
unset(struct envsub *x, const char *name, size_t len)
{
	return buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: variable '%.*s' "
	    "is not set (set it, or give a default: ${%.*s:-default})",
	    x->path, x->line, (int)len, name, (int)len, name);
}

static int expand(struct envsub *x, const char **p, int in_brace,
    struct buf *out, int eval);

/* ${NAME op WORD}: after NAME, at the operator. */
static int
brace_op(struct envsub *x, const char **p, const char *name, size_t len,
    struct buf *out, int eval)
{
	const char *v = eval ? lookup(x->env, name, len, 0) : NULL;
	struct buf word = BUF_INIT;
	int op = **p, use, ret;

	if (op == ':' && *p + 1 < x->end && (*p)[1] == '-')
		(*p)++;
	else if (op == ':')
		return buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: "
		    "'${%.*s:...}' (a substring) is not supported", x->path,
		    x->line, (int)len, name);
	else if (op != '-' && op != '?')
		return buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: "
		    "unexpected '%c' after '${%.*s'", x->path, x->line, op,
		    (int)len, name);
	(*p)++;
	use = eval && (v == NULL || (op == ':' && *v == '\0'));
	ret = expand(x, p, 1, &word, use);
	if (ret == 0 && (*p >= x->end || **p != '}'))
		ret = buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: "
		    "'${%.*s' has no closing '}'", x->path, x->line, (int)len,
		    name);
	(*p)++;
	if (ret == 0 && use && op == '?')
		ret = buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: "
		    "variable '%.*s' is not set: %s", x->path, x->line,
		    (int)len, name, word.len ? word.buf : "not set");
	if (ret == 0 && eval)
		buf_adds(out, use ? word.buf : v);
	buf_release(&word);
	return ret;
}

/* One expansion: *p is at the '$'. */
static int
expansion(struct envsub *x, const char **p, struct buf *out, int eval)
{
	const char *name = NULL, *v;
	size_t len = 0;
	int brace;

	(*p)++;
	brace = *p < x->end && **p == '{';
	*p += brace;
	if (scan_name(x, p, &name, &len) < 0)
		return RUNNER_EFAIL;
	if (brace && *p >= x->end)
		return buf_seterr(x->err, RUNNER_EFAIL, "%s:%d: ENVSUB: "
		    "'${%.*s' has no closing '}'", x->path, x->line, (int)len,
		    name);
	if (brace && **p != '}')
		return brace_op(x, p, name, len, out, eval);
	*p += brace;
	if (!eval)
		return 0;
	v = lookup(x->env, name, len, 0);
	if (v == NULL)
		return unset(x, name, len);
	buf_adds(out, v);
	return 0;
}

/*
 * Text and expansions up to the line's end (or, in a brace, its '}').
 * Without eval nothing is looked up or written, but the syntax is checked.
 */
static int
expand(struct envsub *x, const char **pp, int in_brace, struct buf *out,
    int eval)
{
	const char *p = *pp;
	int ret = 0;

	while (ret == 0 && p < x->end && !(in_brace && *p == '}')) {
		if (p + 1 < x->end && p[0] == '\\' && p[1] == '\\') {
			if (eval)
				buf_add(out, p, 2);
			p += 2;
		} else if (p + 1 < x->end && (p[0] == '\\' || p[0] == '$') &&
		    p[1] == '$') {
			if (eval)
				buf_addch(out, '$');
			p += 2;
		} else if (p + 1 < x->end && p[0] == '$' && p[1] != '(') {
			ret = expansion(x, &p, out, eval);
		} else {
			if (eval)
				buf_addch(out, *p);
			p++;
		}
	}
	*pp = p;
	return ret;
}

int
envsub_line(const char *path, int line, const char *p, const char *end,
    const struct parse_env *env, struct buf *out, struct buf *err)
{
	struct envsub x;

	x.path = path;
	x.line = line;
	x.env = env;
	x.end = end;
	x.err = err;
	return expand(&x, &p, 0, out, 1);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The value of placeholder name[0, len), or an error. */
static int
placeholder(const char *path, int line, const char *name, size_t len,
    const struct parse_env *env, struct buf *out, struct buf *err)
{
	const char *v;

	if (len == 15 && strncasecmp(name, "flyway:filename", 15) == 0) {
		buf_adds(out, base_name(path));
		return 0;
	}
	v = lookup(env, name, len, 1);
	if (v) {
		buf_adds(out, v);
		return 0;
	}
	if (len > 7 && strncasecmp(name, "flyway:", 7) == 0)
		return buf_seterr(err, RUNNER_EFAIL, "%s:%d: Flyway's built-in "
		    "placeholder '${%.*s}' has no value in runner (it knows "
		    "${flyway:filename} and ${flyway:table})", path, line,
		    (int)len, name);
	return buf_seterr(err, RUNNER_EFAIL, "%s:%d: no value for the Flyway "
	    "placeholder '${%.*s}': set FLYWAY_PLACEHOLDERS_%.*s in the "
	    "environment", path, line, (int)len, name, (int)len, name);
}

int
placeholders_replace(const char *path, const char *text, size_t len,
    const struct parse_env *env, struct buf *out, struct buf *err)
{
	const char *p = text, *end = text + len, *open, *close;
	int line = 1;

	while ((open = memchr(p, '$', (size_t)(end - p))) != NULL) {
		buf_add(out, p, (size_t)(open - p));
		for (; p < open; p++)
			line += *p == '\n';
		if (open + 1 >= end || open[1] != '{') {
			buf_addch(out, '$');
			p = open + 1;
			continue;
		}
		close = memchr(open + 2, '}', (size_t)(end - open - 2));
		if (close == NULL)
			return buf_seterr(err, RUNNER_EFAIL, "%s:%d: Flyway "
			    "placeholder '${' has no closing '}'", path, line);
		if (placeholder(path, line, open + 2, (size_t)(close - open -
		    2), env, out, err) < 0)
			return RUNNER_EFAIL;
		for (p = open; p <= close; p++)
			line += *p == '\n';
	}
	buf_add(out, p, (size_t)(end - p));
	return 0;
}
