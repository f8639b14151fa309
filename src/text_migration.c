/*
 * text_migration.c: the migration parser. It takes a migration's files as bytes
 * (a single file with markers, or whole-file sections: an up file and its
 * down file) and returns the up and down sections with their options; it
 * never touches a file or a database.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "error.h"
#include "text_migration.h"
#include "text_subst.h"
#include "banned.h"

enum marker {
	MARK_NONE,	/* an ordinary line */
	MARK_UP,
	MARK_DOWN,
	MARK_NOTX,	/* goose's NO TRANSACTION: both sections */
	MARK_ENVSUB_ON,	/* goose's ENVSUB ON and OFF */
	MARK_ENVSUB_OFF,
	MARK_FOREIGN,	/* sql-migrate's -- +migrate, a layout runner cannot read */
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

/* crc continued over text[0, len). */
static uint32_t
crc_more(uint32_t start, const char *text, size_t len)
{
	uLong crc = start;

	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		crc = crc32(crc, (const Bytef *)text, n);
		text += n;
		len -= n;
	}
	return (uint32_t)crc;
}

uint32_t
text_crc32(const char *text, size_t len)
{
	return crc_more((uint32_t)crc32(0L, Z_NULL, 0), text, len);
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

/* Whether p[0, n) is the words a and b with blanks between, in any case. */
static int
two_words(const char *p, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *q;

	if (n < la + 1 + lb || strncasecmp(p, a, la) != 0)
		return 0;
	q = skip_blank(p + la, p + n);
	return q > p + la && (size_t)(p + n - q) == lb &&
	    strncasecmp(q, b, lb) == 0;
}

/* goose annotations, in any case as goose reads them: "-- +goose Up", ... */
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
	if (two_words(p, n, "no", "transaction"))
		return MARK_NOTX;
	if (two_words(p, n, "envsub", "on"))
		return MARK_ENVSUB_ON;
	if (two_words(p, n, "envsub", "off"))
		return MARK_ENVSUB_OFF;
	return MARK_BAD;
}

/* Whether p[0, end) starts with word w, then a blank or the end. */
static int
starts_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0 &&
	    ((size_t)(end - p) == n || p[n] == ' ' || p[n] == '\t');
}

/*
 * Classifies one line; *marks gets the MARKS_* of a marker-like line. For
 * dbmate markers *opts is set to the text after "migrate:up" / "migrate:down".
 */
static enum marker
classify(const char *line, const char *end, const char **opts,
    unsigned *marks)
{
	const char *p = skip_blank(line, end);
	size_t n;

	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return MARK_NONE;
	p = skip_blank(p + 2, end);
	if (starts_word(p, end, "+goose")) {
		*marks |= MARKS_GOOSE;
		return line[0] == '-' && memcmp(p, "+goose", 6) == 0 ?
		    classify_goose(p + 6, end) : MARK_BAD;
	}
	if (starts_word(p, end, "+migrate"))
		return MARK_FOREIGN;
	if (end - p < 8 || strncasecmp(p, "migrate:", 8) != 0)
		return MARK_NONE;
	*marks |= MARKS_DBMATE;
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

static int
foreign_marker(const char *path, int line, const char *p, const char *eol,
    struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "%s:%d: '%.*s' is sql-migrate's "
	    "marker, and runner does not read sql-migrate's layout (write "
	    "'-- migrate:up' and '-- migrate:down' instead)", path, line,
	    (int)(eol - p), p);
}

/* What split_sections saw besides the sections. */
struct split {
	size_t first;		/* where the first section marker starts */
	int notx;		/* goose's NO TRANSACTION */
	int envsub;		/* goose's ENVSUB ON */
	int goose_down;		/* the down marker is goose's */
};

/* Finds the markers and cuts the text into sections. */
static int
split_sections(const char *path, struct migration *m, struct split *sp,
    struct buf *err)
{
	const char *p = m->text, *end = m->text + m->len, *eol, *opts;
	struct section *cur = NULL;
	unsigned marks;
	enum marker k;
	int line = 1;

	memset(sp, 0, sizeof(*sp));
	sp->first = m->len;
	for (; p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		opts = NULL;
		marks = 0;
		k = classify(p, eol, &opts, &marks);
		m->marks |= marks;
		if (k == MARK_BAD)
			return buf_seterr(err, RUNNER_EFAIL,
			    "%s:%d: unknown marker '%.*s' (expected "
			    "'-- migrate:up' or '-- migrate:down' at the start "
			    "of a line)", path, line, (int)(eol - p), p);
		if (k == MARK_FOREIGN)
			return foreign_marker(path, line, p, eol, err);
		sp->notx |= k == MARK_NOTX;
		sp->envsub |= k == MARK_ENVSUB_ON;
		if (k != MARK_UP && k != MARK_DOWN)
			continue;
		if (cur)
			cur->len = (size_t)(p - m->text) - cur->off;
		else
			sp->first = (size_t)(p - m->text);
		if (start_section(path, m, k, line, opts, eol, err) < 0)
			return RUNNER_EFAIL;
		cur = k == MARK_UP ? &m->up : &m->down;
		if (k == MARK_DOWN)
			sp->goose_down = (marks & MARKS_GOOSE) != 0;
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
	return 0;
}

/* Whether line [p, end) holds only a "--" comment. */
static int
comment_line(const char *p, const char *end)
{
	p = skip_blank(p, end);
	return end - p >= 2 && p[0] == '-' && p[1] == '-';
}

/*
 * goose's ENVSUB: the lines between ENVSUB ON and OFF (markers and comment
 * lines aside) with their variables expanded; m->text is replaced.
 */
static int
apply_envsub(const char *path, struct migration *m,
    const struct parse_env *env, struct buf *err)
{
	struct buf out = BUF_INIT;
	const char *p = m->text, *end = m->text + m->len, *eol, *opts;
	unsigned marks = 0;
	enum marker k;
	int on = 0, line = 1, ret = 0;

	for (; ret == 0 && p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		k = classify(p, eol, &opts, &marks);
		if (k == MARK_ENVSUB_ON || k == MARK_ENVSUB_OFF)
			on = k == MARK_ENVSUB_ON;
		if (on && k == MARK_NONE && !comment_line(p, eol))
			ret = envsub_line(path, line, p, eol, env, &out, err);
		else
			buf_add(&out, p, (size_t)(eol - p));
		if (eol < end)
			buf_addch(&out, '\n');
	}
	if (ret == 0) {
		free(m->text);
		m->text = buf_detach(&out, &m->len);
	}
	buf_release(&out);
	return ret;
}

static void
section_set(struct section *s, const char *text, size_t tlen,
    const char *path)
{
	s->text = text;
	s->tlen = tlen;
	s->path = path;
	s->empty = !sql_has_code(text + s->off, s->len);
}

/*
 * A single file with sections. With autodetect, a file without a single
 * marker line is left for parse_whole (*whole set).
 */
static int
parse_markers(const struct migration_src *src, struct migration *m,
    int autodetect, int *whole, struct buf *err)
{
	struct split sp;

	if (split_sections(src->path, m, &sp, err) < 0)
		return RUNNER_EFAIL;
	if (sp.envsub) {
		memset(&m->up, 0, sizeof(m->up));
		memset(&m->down, 0, sizeof(m->down));
		if (apply_envsub(src->path, m, src->env, err) < 0 ||
		    split_sections(src->path, m, &sp, err) < 0)
			return RUNNER_EFAIL;
	}
	if (autodetect && m->marks == 0 && !m->up.present &&
	    !m->down.present) {
		*whole = 1;
		return 0;
	}
	if (check_sections(src->path, m, sp.first, err) < 0)
		return RUNNER_EFAIL;
	section_set(&m->up, m->text, m->len, src->path);
	section_set(&m->down, m->text, m->len, src->path);
	if (sp.notx) {
		m->up.flags |= SECTION_NOTX;
		m->down.flags |= SECTION_NOTX;
	}
	/* goose runs an empty Down as a no-op; runner's and dbmate's have none. */
	m->reversible = m->down.present && (!m->down.empty || sp.goose_down);
	return 0;
}

static int
check_nul(const char *path, const char *text, size_t len, struct buf *err)
{
	const char *nul = memchr(text, '\0', len);

	if (nul == NULL)
		return 0;
	return buf_seterr(err, RUNNER_EFAIL, "%s:%d: NUL byte in file", path,
	    text_line_at(text, len, (size_t)(nul - text)));
}

/* In a file that is one section, a marker would silently be a comment. */
static int
check_no_markers(const char *path, const char *text, size_t len,
    struct buf *err)
{
	const char *p = text, *end = text + len, *eol, *opts;
	unsigned marks = 0;
	enum marker k;
	int line = 1;

	for (; p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		k = classify(p, eol, &opts, &marks);
		if (k == MARK_FOREIGN)
			return foreign_marker(path, line, p, eol, err);
		if (k != MARK_NONE)
			return buf_seterr(err, RUNNER_EFAIL, "%s:%d: '%.*s' is a "
			    "section marker, but in this layout a file is one "
			    "section (a down goes in a file of its own)", path,
			    line, (int)(eol - p), p);
	}
	return 0;
}

/* What a migration's configuration file says. */
struct conf {
	unsigned flags;		/* SECTION_* for the up (diesel: and down) */
	int no_placeholders;	/* Flyway's placeholderReplacement=false */
};

/* A "key = value" line of metadata.toml or a .sql.conf: the value. */
static int
conf_value(const char *p, const char *end, const char *key, char sep,
    const char **v, size_t *vlen)
{
	size_t n = strlen(key);

	if ((size_t)(end - p) < n || memcmp(p, key, n) != 0)
		return 0;
	p = skip_blank(p + n, end);
	if (p == end || (*p != sep && !(sep == '=' && *p == ':')))
		return 0;
	p = skip_blank(p + 1, end);
	*v = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '#')
		p++;
	*vlen = (size_t)(p - *v);
	return 1;
}

static int
conf_bool(const char *path, int line, const char *key, const char *v,
    size_t n, int *out, struct buf *err)
{
	if (n == 4 && strncasecmp(v, "true", 4) == 0)
		*out = 1;
	else if (n == 5 && strncasecmp(v, "false", 5) == 0)
		*out = 0;
	else
		return buf_seterr(err, RUNNER_EFAIL, "%s:%d: %s must be true "
		    "or false, not '%.*s'", path, line, key, (int)n, v);
	return 0;
}

/*
 * diesel's metadata.toml: run_in_transaction = false runs both sections
 * without a transaction; as in diesel, a file without the key means false.
 */
static int
diesel_line(const char *path, int line, const char *p, const char *end,
    int *tx, struct buf *err)
{
	const char *v;
	size_t n;

	if (!conf_value(p, end, "run_in_transaction", '=', &v, &n))
		return 0;
	return conf_bool(path, line, "run_in_transaction", v, n, tx, err);
}

/* One setting of a Flyway .sql.conf. */
static int
flyway_line(const char *path, int line, const char *p, const char *end,
    int *tx, int *ph, struct buf *err)
{
	const char *v;
	size_t n;

	if (conf_value(p, end, "executeInTransaction", '=', &v, &n))
		return conf_bool(path, line, "executeInTransaction", v, n, tx,
		    err);
	if (conf_value(p, end, "placeholderReplacement", '=', &v, &n))
		return conf_bool(path, line, "placeholderReplacement", v, n, ph,
		    err);
	if (conf_value(p, end, "encoding", '=', &v, &n) && ((n == 5 &&
	    strncasecmp(v, "UTF-8", 5) == 0) || (n == 4 &&
	    strncasecmp(v, "UTF8", 4) == 0)))
		return 0;
	return buf_seterr(err, RUNNER_EFAIL, "%s:%d: the Flyway script setting "
	    "'%.*s' is not supported (runner reads executeInTransaction, "
	    "placeholderReplacement and encoding=UTF-8)", path, line,
	    (int)(end - p), p);
}

static int
parse_conf(const struct migration_src *src, const char *text, size_t len,
    struct conf *c, struct buf *err)
{
	const char *p = text, *end = text + len, *eol, *l;
	int line = 1, ret = 0, tx = src->flags & PARSE_CONF_FLYWAY, ph = 1;

	for (; ret == 0 && p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		l = skip_blank(p, eol);
		if (l == eol || *l == '#' || *l == '!' || *l == '[')
			continue;
		if (src->flags & PARSE_CONF_FLYWAY)
			ret = flyway_line(src->cpath, line, l, eol, &tx, &ph,
			    err);
		else
			ret = diesel_line(src->cpath, line, l, eol, &tx, err);
	}
	c->flags = tx ? 0 : SECTION_NOTX;
	c->no_placeholders = !ph;
	return ret;
}

/*
 * A file that is one section (an up file, a down file, sqlx's single
 * file): *text is replaced by its text with placeholders substituted.
 */
static int
parse_whole(const struct migration_src *src, const char *path, char **text,
    size_t *len, int markers_checked, int placeholders, struct section *s,
    struct buf *err)
{
	struct buf out = BUF_INIT;

	if (check_nul(path, *text, *len, err) < 0 || (!markers_checked &&
	    check_no_markers(path, *text, *len, err) < 0))
		return RUNNER_EFAIL;
	memset(s, 0, sizeof(*s));
	s->present = 1;
	s->marker_line = 1;
	if ((src->flags & PARSE_NOTX_COMMENT) &&
	    strncmp(*text, "-- no-transaction", 17) == 0)
		s->flags |= SECTION_NOTX;	/* as sqlx reads it */
	if (placeholders && (src->flags & PARSE_PLACEHOLDERS)) {
		if (placeholders_replace(path, *text, *len, src->env, &out,
		    err) < 0) {
			buf_release(&out);
			return RUNNER_EFAIL;
		}
		free(*text);
		*text = buf_detach(&out, len);
	}
	s->len = *len;
	section_set(s, *text, *len, path);
	return 0;
}

/* The down file of a pair: its own text, its checksum added to m's. */
static int
parse_down_file(const struct migration_src *src, struct migration *m,
    struct buf *err)
{
	m->dtext = text_normalize(src->ddata, src->dlen, &m->dlen);
	m->crc = crc_more(m->crc, "\0down\n", 6);
	m->crc = crc_more(m->crc, m->dtext, m->dlen);
	if (parse_whole(src, src->dpath, &m->dtext, &m->dlen, 0, 1, &m->down,
	    err) < 0)
		return RUNNER_EFAIL;
	m->reversible = 1;	/* even an empty down file: a no-op down */
	return 0;
}

/* The configuration file, parsed; *text (freed by the caller) for the checksum. */
static int
read_conf(const struct migration_src *src, struct conf *c, char **text,
    size_t *len, struct buf *err)
{
	*text = text_normalize(src->cdata, src->clen, len);
	if (check_nul(src->cpath, *text, *len, err) < 0)
		return RUNNER_EFAIL;
	return parse_conf(src, *text, *len, c, err);
}

int
migration_parse_src(const struct migration_src *src, struct migration *m,
    struct buf *err)
{
	struct conf c = { 0, 0 };
	char *ctext = NULL;
	size_t clen = 0;
	int whole = src->format == FORMAT_WHOLE;

	memset(m, 0, sizeof(*m));
	m->text = text_normalize(src->data, src->len, &m->len);
	m->crc = text_crc32(m->text, m->len);
	if (check_nul(src->path, m->text, m->len, err) < 0 ||
	    (src->cpath && read_conf(src, &c, &ctext, &clen, err) < 0))
		goto fail;
	if (!whole && parse_markers(src, m, src->format == FORMAT_AUTO,
	    &whole, err) < 0)
		goto fail;
	if (whole && parse_whole(src, src->path, &m->text, &m->len,
	    src->format == FORMAT_AUTO, !c.no_placeholders, &m->up, err) < 0)
		goto fail;
	if (src->dpath && parse_down_file(src, m, err) < 0)
		goto fail;
	if (src->cpath) {
		m->crc = crc_more(m->crc, "\0conf\n", 6);
		m->crc = crc_more(m->crc, ctext, clen);
	}
	free(ctext);
	m->up.flags |= c.flags;
	if (src->flags & PARSE_CONF_DIESEL)
		m->down.flags |= c.flags;
	return 0;
fail:
	free(ctext);
	migration_release(m);
	return RUNNER_EFAIL;
}

int
migration_parse(const char *path, const char *data, size_t len,
    struct migration *m, struct buf *err)
{
	struct migration_src src;

	memset(&src, 0, sizeof(src));
	src.path = path;
	src.data = data;
	src.len = len;
	src.format = FORMAT_MARKERS;
	return migration_parse_src(&src, m, err);
}

void
migration_release(struct migration *m)
{
	free(m->text);
	free(m->dtext);
	memset(m, 0, sizeof(*m));
}

int
migration_reversible(const struct migration *m)
{
	return m->reversible;
}
