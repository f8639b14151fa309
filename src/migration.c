/*
 * migration.c: the migration-file parser. It takes bytes and returns the
 * up and down sections with their options; it never touches a file or a
 * database.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "error.h"
#include "migration.h"
#include "banned.h"

enum marker {
	MARK_NONE,	/* an ordinary line */
	MARK_UP,
	MARK_DOWN,
	MARK_NOTX,	/* goose's NO TRANSACTION: both sections */
	MARK_BAD	/* looks like a marker but is not one we know */
};

char *
text_normalize(const char *data, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i = 0, n = 0;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	if (memchr(data + i, '\r', len - i) == NULL) {
		/* The usual case: nothing to convert. */
		n = len - i;
		memcpy(out, data + i, n);
		i = len;
	}
	for (; i < len; i++) {
		if (data[i] == '\r') {
			out[n++] = '\n';
			if (i + 1 < len && data[i + 1] == '\n')
				i++;
		} else
			out[n++] = data[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

uint32_t
text_crc32(const char *text, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		crc = crc32(crc, (const Bytef *)text, n);
		text += n;
		len -= n;
	}
	return (uint32_t)crc;
}

void
checksum_format(uint32_t crc, char *out)
{
	snprintf(out, CHECKSUM_LEN + 1, "crc32:%08x", (unsigned)crc);
}

size_t
sql_skip_space(const char *s, size_t len, size_t off)
{
	const char *end;

	while (off < len) {
		if (isspace((unsigned char)s[off])) {
			off++;
		} else if (s[off] == '-' && off + 1 < len && s[off + 1] == '-') {
			end = memchr(s + off, '\n', len - off);
			off = end ? (size_t)(end - s) + 1 : len;
		} else if (s[off] == '/' && off + 1 < len && s[off + 1] == '*') {
			off += 2;
			while (off < len && !(s[off] == '*' && off + 1 < len &&
			    s[off + 1] == '/'))
				off++;
			off = off < len ? off + 2 : len;
		} else
			break;
	}
	return off;
}

int
sql_has_code(const char *s, size_t len)
{
	return sql_skip_space(s, len, 0) < len;
}

int
text_line_at(const char *s, size_t len, size_t off)
{
	int line = 1;
	size_t i;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/* Skips spaces and tabs from *p up to end. */
static const char *
skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static size_t
word_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != ' ' && *q != '\t')
		q++;
	return (size_t)(q - p);
}

/* goose annotations: "-- +goose Up", "Down", "StatementBegin", ... */
static enum marker
classify_goose(const char *p, const char *end)
{
	size_t n;

	p = skip_blank(p, end);
	n = (size_t)(end - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 2 && strncasecmp(p, "up", 2) == 0)
		return MARK_UP;
	if (n == 4 && strncasecmp(p, "down", 4) == 0)
		return MARK_DOWN;
	if ((n == 14 && strncasecmp(p, "statementbegin", 14) == 0) ||
	    (n == 12 && strncasecmp(p, "statementend", 12) == 0))
		return MARK_NONE;
	if (n >= 2 && strncasecmp(p, "no", 2) == 0) {
		const char *q = skip_blank(p + 2, p + n);

		if ((size_t)(p + n - q) == 11 &&
		    strncasecmp(q, "transaction", 11) == 0 && q > p + 2)
			return MARK_NOTX;
	}
	return MARK_BAD;
}

/*
 * Classifies one line. For dbmate markers *opts is set to the text after
 * "migrate:up" / "migrate:down".
 */
static enum marker
classify(const char *line, const char *end, const char **opts)
{
	const char *p = skip_blank(line, end);
	size_t n;

	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return MARK_NONE;
	p = skip_blank(p + 2, end);
	if (end - p >= 6 && strncasecmp(p, "+goose", 6) == 0 &&
	    (end - p == 6 || p[6] == ' ' || p[6] == '\t'))
		return line[0] == '-' && memcmp(p, "+goose", 6) == 0 ?
		    classify_goose(p + 6, end) : MARK_BAD;
	if (end - p < 8 || strncasecmp(p, "migrate:", 8) != 0)
		return MARK_NONE;
	/*
	 * An indented or differently cased marker would silently become a
	 * comment, and the down SQL part of the up section.
	 */
	if (line[0] != '-' || memcmp(p, "migrate:", 8) != 0)
		return MARK_BAD;
	p += 8;
	n = word_len(p, end);
	*opts = p + n;
	if (n == 2 && memcmp(p, "up", 2) == 0)
		return MARK_UP;
	if (n == 4 && memcmp(p, "down", 4) == 0)
		return MARK_DOWN;
	return MARK_BAD;
}

static const struct {
	const char *text;
	unsigned set, clear;
} known_options[] = {
	{ "transaction:false", SECTION_NOTX, 0 },
	{ "transaction:true", 0, SECTION_NOTX },
	{ "foreign_keys:off", SECTION_FKOFF, 0 },
	{ "foreign_keys:on", 0, SECTION_FKOFF },
};

static int
parse_option(const char *w, size_t n, unsigned *flags)
{
	size_t i;

	for (i = 0; i < sizeof(known_options) / sizeof(known_options[0]); i++) {
		if (strlen(known_options[i].text) == n &&
		    memcmp(known_options[i].text, w, n) == 0) {
			*flags = (*flags | known_options[i].set) &
			    ~known_options[i].clear;
			return 0;
		}
	}
	return -1;
}

const char *
section_options_text(unsigned flags)
{
	switch (flags & (SECTION_NOTX | SECTION_FKOFF)) {
	case SECTION_NOTX:
		return "transaction:false";
	case SECTION_FKOFF:
		return "foreign_keys:off";
	case SECTION_NOTX | SECTION_FKOFF:
		return "transaction:false foreign_keys:off";
	}
	return NULL;
}

unsigned
section_options_parse(const char *text)
{
	const char *end;
	unsigned flags = 0;
	size_t n;

	if (text == NULL)
		return 0;
	end = text + strlen(text);
	for (text = skip_blank(text, end); text < end;
	    text = skip_blank(text + n, end)) {
		n = word_len(text, end);
		parse_option(text, n, &flags);
	}
	return flags;
}

static int
parse_options(const char *path, int line, const char *p, const char *end,
    unsigned *flags, struct buf *err)
{
	size_t n;

	for (p = skip_blank(p, end); p < end; p = skip_blank(p + n, end)) {
		n = word_len(p, end);
		if (parse_option(p, n, flags) < 0)
			return buf_seterr(err, RUNNER_EFAIL,
			    "%s:%d: unknown option '%.*s' (known: "
			    "transaction:false, foreign_keys:off)",
			    path, line, (int)n, p);
	}
	return 0;
}

static int
start_section(const char *path, struct migration *m, enum marker k,
    int line, const char *opts, const char *eol, struct buf *err)
{
	struct section *s = k == MARK_UP ? &m->up : &m->down;
	const char *what = k == MARK_UP ? "up" : "down";

	if (s->present)
		return buf_seterr(err, RUNNER_EFAIL,
		    "%s:%d: a second %s marker (the first is on line %d)",
		    path, line, what, s->marker_line);
	s->present = 1;
	s->marker_line = line;
	s->off = (size_t)(eol - m->text) + (eol < m->text + m->len);
	if (opts)
		return parse_options(path, line, opts, eol, &s->flags, err);
	return 0;
}

/* Finds the markers and cuts the text into sections. */
static int
split_sections(const char *path, struct migration *m, size_t *first,
    int *notx, struct buf *err)
{
	const char *p = m->text, *end = m->text + m->len, *eol, *opts;
	struct section *cur = NULL;
	enum marker k;
	int line = 1;

	*first = m->len;
	for (; p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		opts = NULL;
		k = classify(p, eol, &opts);
		if (k == MARK_BAD)
			return buf_seterr(err, RUNNER_EFAIL,
			    "%s:%d: unknown marker '%.*s' (expected "
			    "'-- migrate:up' or '-- migrate:down' at the start "
			    "of a line)", path, line, (int)(eol - p), p);
		if (k == MARK_NOTX)
			*notx = 1;
		if (k != MARK_UP && k != MARK_DOWN)
			continue;
		if (cur)
			cur->len = (size_t)(p - m->text) - cur->off;
		else
			*first = (size_t)(p - m->text);
		if (start_section(path, m, k, line, opts, eol, err) < 0)
			return RUNNER_EFAIL;
		cur = k == MARK_UP ? &m->up : &m->down;
	}
	if (cur)
		cur->len = m->len - cur->off;
	return 0;
}

static int
check_sections(const char *path, struct migration *m, size_t first,
    struct buf *err)
{
	size_t code;

	if (!m->up.present)
		return buf_seterr(err, RUNNER_EFAIL,
		    "%s: no '-- migrate:up' marker", path);
	code = sql_skip_space(m->text, first, 0);
	if (code < first)
		return buf_seterr(err, RUNNER_EFAIL,
		    "%s:%d: SQL before the first marker (only comments may "
		    "come before '-- migrate:up')", path,
		    text_line_at(m->text, m->len, code));
	if (!sql_has_code(m->text + m->up.off, m->up.len))
		return buf_seterr(err, RUNNER_EFAIL,
		    "%s:%d: the up section is empty", path,
		    m->up.marker_line);
	return 0;
}

int
migration_parse(const char *path, const char *data, size_t len,
    struct migration *m, struct buf *err)
{
	const char *nul;
	size_t first;
	int notx = 0;

	memset(m, 0, sizeof(*m));
	m->text = text_normalize(data, len, &m->len);
	m->crc = text_crc32(m->text, m->len);
	nul = memchr(m->text, '\0', m->len);
	if (nul) {
		buf_seterr(err, RUNNER_EFAIL, "%s:%d: NUL byte in file", path,
		    text_line_at(m->text, m->len, (size_t)(nul - m->text)));
		goto fail;
	}
	if (split_sections(path, m, &first, &notx, err) < 0 ||
	    check_sections(path, m, first, err) < 0)
		goto fail;
	if (notx) {
		m->up.flags |= SECTION_NOTX;
		m->down.flags |= SECTION_NOTX;
	}
	return 0;
fail:
	migration_release(m);
	return RUNNER_EFAIL;
}

void
migration_release(struct migration *m)
{
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int
migration_reversible(const struct migration *m)
{
	return m->down.present && sql_has_code(m->text + m->down.off,
	    m->down.len);
}

int
migration_parse_filename(const char *fname, size_t *vlen, size_t *nlen)
{
	size_t i = 0, j, len = strlen(fname);

	if (len < 4 || strcmp(fname + len - 4, ".sql") != 0)
		return 0;
	len -= 4;
	while (i < len && isdigit((unsigned char)fname[i]))
		i++;
	if (i == 0 || i >= len || fname[i] != '_')
		return 0;
	for (j = i + 1; j < len; j++)
		if (!isalnum((unsigned char)fname[j]) && fname[j] != '_' &&
		    fname[j] != '-')
			return 0;
	if (j == i + 1)
		return 0;
	*vlen = i;
	*nlen = len - i - 1;
	return 1;
}

int
version_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
version_cmp(const char *a, const char *b)
{
	size_t la, lb;
	int c;

	/* Digit versions sort first, other text (adopted tables) after. */
	if (!version_valid(a) || !version_valid(b)) {
		if (version_valid(a) != version_valid(b))
			return version_valid(a) ? -1 : 1;
		c = strcmp(a, b);
		return (c > 0) - (c < 0);
	}
	while (a[0] == '0' && a[1])
		a++;
	while (b[0] == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = memcmp(a, b, la);
	return (c > 0) - (c < 0);
}
