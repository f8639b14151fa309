/*
 * store_url.h: database URLs as text, shared by the drivers and the
 * registry: their prefixes, %XX decoding, and hiding their passwords.
 */
#ifndef RUNNER_STORE_URL_H
#define RUNNER_STORE_URL_H

#include <stddef.h>

#include "buf.h"

/* Whether s starts with prefix, ignoring case. */
int url_has_prefix(const char *s, const char *prefix);
/* Appends s[0, len) to out with %XX sequences decoded. */
void url_decode(const char *s, size_t len, struct buf *out);
/* Whether url names a PostgreSQL database (built in or not). */
int store_is_pg_url(const char *url);
/* Whether url names a MySQL or MariaDB database (built in or not). */
int store_is_mysql_url(const char *url);
/*
 * url as it may be shown to users: a server URL's password (user:PASS@ and
 * password=PASS) becomes ***. Freed by the caller.
 */
char *store_display_url(const char *url);
/*
 * Replaces each occurrence of url's password in msg, as written in url and
 * percent-decoded, with ***: for messages (libpq's) that may echo it.
 */
void store_scrub(const char *url, struct buf *msg);

#endif
