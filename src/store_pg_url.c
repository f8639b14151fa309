/*
 * store_pg_url.c: the PostgreSQL driver's database URLs, with dbmate's
 * parameters translated for libpq.
 */
#include <string.h>

#include "error.h"
#include "store_pg.h"
#include "banned.h"

/*
 * dbmate's PostgreSQL parameters in libpq's words: socket=DIR is host=DIR,
 * search_path=S is options=-c search_path=S. Everything else as written.
 */
int
pg_target(const char *url, struct buf *out, unsigned *flags,
    struct buf *err)
{
	const char *q = strchr(url, '?'), *p, *amp;
	struct buf opts = BUF_INIT;
	size_t n;
	int sep = '?';

	(void)flags;
	(void)err;
	if (q == NULL) {
		buf_adds(out, url);
		return 0;
	}
	buf_add(out, url, (size_t)(q - url));
	for (p = q + 1; *p; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		n = (size_t)(amp - p);
		if (n > 7 && strncmp(p, "socket=", 7) == 0) {
			buf_addf(out, "%chost=%.*s", sep, (int)(n - 7), p + 7);
		} else if (n > 12 && strncmp(p, "search_path=", 12) == 0) {
			buf_addf(&opts, "%s-c%%20search_path%%3D%.*s",
			    opts.len ? "%20" : "", (int)(n - 12), p + 12);
			continue;
		} else if (n > 8 && strncmp(p, "options=", 8) == 0) {
			buf_addf(&opts, "%s%.*s", opts.len ? "%20" : "",
			    (int)(n - 8), p + 8);
			continue;
		} else if (n)
			buf_addf(out, "%c%.*s", sep, (int)n, p);
		else
			continue;
		sep = '&';
	}
	if (opts.len)
		buf_addf(out, "%coptions=%s", sep, opts.buf);
	buf_release(&opts);
	return 0;
}
