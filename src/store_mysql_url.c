/*
 * store_mysql_url.c: the MySQL/MariaDB driver's database URLs,
 * mysql://user:pass@host:port/db?param=value&..., taken apart for
 * mysql_real_connect and mysql_options.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "store_mysql.h"
#include "banned.h"

void
my_url_free(struct my_url *u)
{
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->socket);
	free(u->db);
	free(u->ssl_ca);
	free(u->ssl_capath);
	free(u->ssl_cert);
	free(u->ssl_key);
	free(u->ssl_cipher);
	memset(u, 0, sizeof(*u));
}

static char *
decoded(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	url_decode(s, len, &b);
	return buf_detach(&b, NULL);
}

/* A number of seconds, 0 to a day. */
static int
seconds(const char *v, unsigned *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end || n < 0 || n > 86400)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
boolean(const char *v)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		return 1;
	if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		return 0;
	return -1;
}

/* ssl-mode as MySQL's client names its values. */
static int
ssl_mode(struct my_url *u, const char *v)
{
	if (!strcasecmp(v, "disabled"))
		u->ssl = 0;
	else if (!strcasecmp(v, "preferred"))
		u->ssl = -1;
	else if (!strcasecmp(v, "required"))
		u->ssl = 1;
	else if (!strcasecmp(v, "verify_ca") ||
	    !strcasecmp(v, "verify_identity"))
		u->ssl = u->ssl_verify_server_cert = 1;
	else
		return -1;
	return 0;
}

/* One key=value of the query string (value decoded); -1: not valid. */
static int
param(struct my_url *u, const char *key, const char *v, int *known)
{
	char **str = NULL;
	int b;

	*known = 1;
	if (!strcmp(key, "socket"))
		str = &u->socket;
	else if (!strcmp(key, "password"))
		str = &u->password;
	else if (!strcmp(key, "ssl-ca"))
		str = &u->ssl_ca;
	else if (!strcmp(key, "ssl-capath"))
		str = &u->ssl_capath;
	else if (!strcmp(key, "ssl-cert"))
		str = &u->ssl_cert;
	else if (!strcmp(key, "ssl-key"))
		str = &u->ssl_key;
	else if (!strcmp(key, "ssl-cipher"))
		str = &u->ssl_cipher;
	if (str) {
		free(*str);
		*str = xstrdup(v);
		return 0;
	}
	if (!strcmp(key, "ssl") || !strcmp(key, "tls")) {
		if ((b = boolean(v)) < 0)
			return -1;
		u->ssl = b;
		return 0;
	}
	if (!strcmp(key, "ssl-verify-server-cert")) {
		if ((b = boolean(v)) < 0)
			return -1;
		u->ssl_verify_server_cert = b;
		return 0;
	}
	if (!strcmp(key, "ssl-mode"))
		return ssl_mode(u, v);
	if (!strcmp(key, "connect-timeout"))
		return seconds(v, &u->connect_timeout);
	if (!strcmp(key, "read-timeout"))
		return seconds(v, &u->read_timeout);
	if (!strcmp(key, "write-timeout"))
		return seconds(v, &u->write_timeout);
	*known = 0;
	return -1;
}

static int
parse_query(const char *q, struct my_url *u, struct buf *err)
{
	const char *p, *amp, *eq;
	struct buf key = BUF_INIT;
	char *v, *c;
	int known, ret = 0;

	for (p = q; ret == 0 && *p; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		buf_reset(&key);
		buf_add(&key, p, (size_t)((eq ? eq : amp) - p));
		/* ssl_ca and ssl-ca alike, as the client's options are. */
		for (c = key.buf; *c; c++)
			if (*c == '_')
				*c = '-';
		v = eq ? decoded(eq + 1, (size_t)(amp - eq - 1)) : xstrdup("");
		if (param(u, key.buf, v, &known) < 0)
			ret = known ? buf_seterr(err, RUNNER_EUSAGE, "bad value "
			    "for '%s' in a MySQL database URL", key.buf) :
			    buf_seterr(err, RUNNER_EUSAGE, "unknown parameter "
			    "'%s' in a MySQL database URL (known: socket, "
			    "password, ssl, ssl-mode, ssl-ca, ssl-capath, "
			    "ssl-cert, ssl-key, ssl-cipher, "
			    "ssl-verify-server-cert, connect_timeout, "
			    "read_timeout, write_timeout)", key.buf);
		free(v);
	}
	buf_release(&key);
	return ret;
}

/* host, [v6 address] or either with :port, in s[0, len). */
static int
parse_host(const char *s, size_t len, struct my_url *u, struct buf *err)
{
	const char *colon = NULL, *end = s + len;
	char *port, *stop;
	long n;

	if (len && *s == '[') {
		const char *close = memchr(s, ']', len);

		if (close == NULL)
			return buf_seterr(err, RUNNER_EUSAGE, "bad host in a "
			    "MySQL database URL: no ']'");
		u->host = decoded(s + 1, (size_t)(close - s - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		if ((colon ? colon : end) > s)
			u->host = decoded(s, (size_t)((colon ? colon : end) - s));
	}
	if (colon == NULL)
		return 0;
	port = xstrndup(colon + 1, (size_t)(end - colon - 1));
	n = strtol(port, &stop, 10);
	if (*port == '\0' || *stop || n <= 0 || n > 65535) {
		free(port);
		return buf_seterr(err, RUNNER_EUSAGE, "bad port in a MySQL "
		    "database URL");
	}
	free(port);
	u->port = (unsigned)n;
	return 0;
}

/*
 * The password may hold an unescaped '@' or '/': the user part ends at
 * the last '@' before the query, as store_display_url reads it.
 */
int
my_url_parse(const char *url, struct my_url *u, struct buf *err)
{
	const char *p = strstr(url, "://"), *q, *at = NULL, *v, *slash, *colon;

	memset(u, 0, sizeof(*u));
	u->ssl = u->ssl_verify_server_cert = -1;
	u->connect_timeout = 10;
	u->read_timeout = 600;
	u->write_timeout = 60;
	if (p == NULL || !store_is_mysql_url(url))
		return buf_seterr(err, RUNNER_EUSAGE, "not a MySQL database "
		    "URL");
	p += 3;
	q = p + strcspn(p, "?");
	for (v = p; v < q; v++)
		if (*v == '@')
			at = v;
	if (at) {
		colon = memchr(p, ':', (size_t)(at - p));
		u->user = decoded(p, (size_t)((colon ? colon : at) - p));
		if (colon)
			u->password = decoded(colon + 1,
			    (size_t)(at - colon - 1));
		p = at + 1;
	}
	slash = memchr(p, '/', (size_t)(q - p));
	if (parse_host(p, (size_t)((slash ? slash : q) - p), u, err) < 0)
		return RUNNER_EUSAGE;
	if (slash && q > slash + 1)
		u->db = decoded(slash + 1, (size_t)(q - slash - 1));
	if (*q && parse_query(q + 1, u, err) < 0)
		return RUNNER_EUSAGE;
	if (u->db == NULL || strchr(u->db, '/'))
		return buf_seterr(err, RUNNER_EUSAGE, "a MySQL database URL "
		    "must name one database: mysql://user@host/DATABASE");
	return 0;
}

/* The URL as given, once it parses: the driver parses it again to open. */
int
my_target(const char *url, struct buf *out, unsigned *flags,
    struct buf *err)
{
	struct my_url u;
	struct buf msg = BUF_INIT;
	char *shown;
	int ret;

	(void)flags;
	ret = my_url_parse(url, &u, &msg);
	my_url_free(&u);
	if (ret < 0) {
		shown = store_display_url(url);
		buf_seterr(err, ret, "%s: %s", shown, msg.buf);
		free(shown);
	} else
		buf_adds(out, url);
	buf_release(&msg);
	return ret;
}
