/*
 * text_dblist.c: the databases of a fleet as given in lists and in
 * DATABASE_URLS, and the keys that find one database named twice.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "text_dblist.h"
#include "banned.h"

void
dblist_release(struct dblist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
		free(l->where[i]);
	}
	free(l->v);
	free(l->where);
	memset(l, 0, sizeof(*l));
}

static void
add_n(struct dblist *l, const char *name, size_t len, const char *where)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 16;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
		l->where = xreallocarray(l->where, l->alloc, sizeof(*l->where));
	}
	l->v[l->n] = xstrndup(name, len);
	l->where[l->n] = where ? xstrdup(where) : NULL;
	l->n++;
}

void
dblist_add(struct dblist *l, const char *name, const char *where)
{
	add_n(l, name, strlen(name), where);
}

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* The name on one line [p, end): comment and blanks cut; may be empty. */
static size_t
line_name(const char *p, const char *end, const char **start)
{
	const char *q;

	while (p < end && blank((unsigned char)*p))
		p++;
	for (q = p; q < end; q++)
		if (*q == '#' && (q == p || blank((unsigned char)q[-1])))
			break;
	while (q > p && blank((unsigned char)q[-1]))
		q--;
	*start = p;
	return (size_t)(q - p);
}

int
dblist_add_lines(struct dblist *l, const char *path, const char *text,
    size_t len, struct buf *err)
{
	struct buf where = BUF_INIT;
	const char *p = text, *end = text + len, *nl, *name;
	size_t line = 0, n;
	int ret = 0;

	for (; p < end; p = nl + 1) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (memchr(p, '\0', (size_t)(nl - p))) {
			ret = buf_seterr(err, RUNNER_EUSAGE, "%s:%zu: a NUL "
			    "byte: not a list of databases", path, line);
			break;
		}
		n = line_name(p, nl, &name);
		if (n == 0)
			continue;
		buf_reset(&where);
		buf_addf(&where, "%s:%zu", path, line);
		add_n(l, name, n, where.buf);
	}
	buf_release(&where);
	return ret;
}

void
dblist_add_words(struct dblist *l, const char *text, const char *where)
{
	const char *p = text, *q;

	for (;;) {
		while (*p && blank((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q && !blank((unsigned char)*q); q++)
			;
		add_n(l, p, (size_t)(q - p), where);
		p = q;
	}
}

int
dblist_is_glob(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	/* A URL (sqlite:x.db?mode=ro, postgres://...) is never a glob. */
	if (n > 0 && name[n] == ':' && isalpha((unsigned char)name[0]))
		return 0;
	return strpbrk(name, "*?[") != NULL;
}

/* Drops "." parts, empty parts and "x/.." pairs; keeps a leading '/'. */
char *
dblist_path_key(const char *path)
{
	struct buf out = BUF_INIT;
	size_t *starts, depth = 0, n, up = 0;
	const char *p = path, *q;
	int abs = *path == '/';

	starts = xcalloc(strlen(path) / 2 + 2, sizeof(*starts));
	if (abs)
		buf_addch(&out, '/');
	for (; *p; p = *q ? q + 1 : q) {
		q = p + strcspn(p, "/");
		n = (size_t)(q - p);
		if (n == 0 || (n == 1 && *p == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.' && depth > up) {
			out.len = starts[--depth];
			out.buf[out.len] = '\0';
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.' && abs)
			continue;	/* "/.." is "/" */
		if (n == 2 && p[0] == '.' && p[1] == '.')
			up++;	/* a leading "..": kept, never undone */
		starts[depth++] = out.len;
		if (out.len && out.buf[out.len - 1] != '/')
			buf_addch(&out, '/');
		buf_add(&out, p, n);
	}
	free(starts);
	if (out.len == 0)
		buf_addch(&out, '.');
	return buf_detach(&out, NULL);
}

static void
add_lower(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addch(b, tolower((unsigned char)s[i]));
}

/* The default port of scheme s (lower case), or NULL. */
static const char *
default_port(const char *s)
{
	return strcmp(s, "postgres") == 0 ? "5432" : strcmp(s, "mysql") == 0 ?
	    "3306" : NULL;
}

char *
dblist_url_key(const char *url)
{
	struct buf out = BUF_INIT, scheme = BUF_INIT;
	const char *sep = strstr(url, "://"), *auth, *at, *colon, *end, *rest;
	const char *port, *host_end;
	size_t hn;

	if (sep == NULL)
		return xstrdup(url);
	add_lower(&scheme, url, (size_t)(sep - url));
	if (strcmp(scheme.buf, "postgresql") == 0)
		buf_reset(&scheme), buf_adds(&scheme, "postgres");
	else if (strcmp(scheme.buf, "mariadb") == 0)
		buf_reset(&scheme), buf_adds(&scheme, "mysql");
	buf_addf(&out, "%s://", scheme.buf);
	auth = sep + 3;
	end = auth + strcspn(auth, "/?");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at) {
		/* the user stays, the password goes */
		colon = memchr(auth, ':', (size_t)(at - auth));
		buf_add(&out, auth, (size_t)((colon ? colon : at) - auth));
		buf_addch(&out, '@');
		auth = at + 1;
	}
	/* [::1]:5432: the port's ':' follows the ']' */
	host_end = *auth == '[' ? memchr(auth, ']', (size_t)(end - auth)) :
	    NULL;
	host_end = host_end ? host_end : auth;
	colon = memchr(host_end, ':', (size_t)(end - host_end));
	hn = (size_t)((colon ? colon : end) - auth);
	add_lower(&out, auth, hn);
	port = default_port(scheme.buf);
	if (colon && !(port && (size_t)(end - colon - 1) == strlen(port) &&
	    strncmp(colon + 1, port, strlen(port)) == 0))
		buf_add(&out, colon, (size_t)(end - colon));
	rest = end;
	end = rest + strcspn(rest, "?");
	while (end > rest && end[-1] == '/')
		end--;
	buf_add(&out, rest, (size_t)(end - rest));
	buf_adds(&out, rest + strcspn(rest, "?"));
	buf_release(&scheme);
	return buf_detach(&out, NULL);
}
