/*
 * store_url.c: database URLs as text: prefixes, %XX decoding, and showing
 * a URL without its password.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_url.h"
#include "banned.h"

static int hexval(int c);

int
url_has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int
store_is_pg_url(const char *url)
{
	return url_has_prefix(url, "postgres://") ||
	    url_has_prefix(url, "postgresql://");
}

int
store_is_mysql_url(const char *url)
{
	return url_has_prefix(url, "mysql://") ||
	    url_has_prefix(url, "mariadb://");
}

void
url_decode(const char *s, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			buf_addch(out, hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			buf_addch(out, s[i]);
}
#define MAX_SECRETS 8

/*
 * Where url's passwords are: the one in user:PASS@ (up to the last '@'
 * before the query, as a password may hold an unescaped '@' or '/') and
 * each password= query value. Returns how many, filling off[] and len[].
 */
static size_t
password_spans(const char *url, size_t *off, size_t *len)
{
	const char *p = strstr(url, "://"), *q, *at, *colon, *v;
	size_t n = 0;

	if (!(store_is_pg_url(url) || store_is_mysql_url(url)) || p == NULL)
		return 0;
	p += 3;
	q = p + strcspn(p, "?");
	for (at = NULL, v = p; v < q; v++)
		if (*v == '@')
			at = v;
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (colon && at > colon + 1) {
		off[n] = (size_t)(colon + 1 - url);
		len[n++] = (size_t)(at - colon - 1);
	}
	for (v = q; *v && n < MAX_SECRETS; v += strcspn(v + 1, "&") + 1) {
		if (!url_has_prefix(v + 1, "password="))
			continue;
		off[n] = (size_t)(v + 10 - url);
		len[n] = strcspn(v + 10, "&");
		if (len[n])
			n++;
	}
	return n;
}

char *
store_display_url(const char *url)
{
	size_t off[MAX_SECRETS], len[MAX_SECRETS], n, i, done = 0;
	struct buf b = BUF_INIT;

	n = password_spans(url, off, len);
	for (i = 0; i < n; i++) {
		buf_add(&b, url + done, off[i] - done);
		buf_adds(&b, "***");
		done = off[i] + len[i];
	}
	buf_adds(&b, url + done);
	return buf_detach(&b, NULL);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Replaces every occurrence of secret in msg with ***. */
static void
replace_all(struct buf *msg, const char *secret, size_t slen)
{
	struct buf b = BUF_INIT;
	size_t i = 0;

	if (slen == 0)
		return;
	while (i < msg->len) {
		if (msg->len - i >= slen &&
		    memcmp(msg->buf + i, secret, slen) == 0) {
			buf_adds(&b, "***");
			i += slen;
		} else
			buf_addch(&b, msg->buf[i++]);
	}
	buf_release(msg);
	*msg = b;
}

void
store_scrub(const char *url, struct buf *msg)
{
	size_t off[MAX_SECRETS], len[MAX_SECRETS], n, i;
	struct buf dec = BUF_INIT;

	n = password_spans(url, off, len);
	for (i = 0; i < n; i++) {
		buf_reset(&dec);
		url_decode(url + off[i], len[i], &dec);
		replace_all(msg, url + off[i], len[i]);
		replace_all(msg, dec.buf, dec.len);
	}
	buf_release(&dec);
}