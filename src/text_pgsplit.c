/*
 * text_pgsplit.c: a statement splitter following PostgreSQL's lexical rules
 * (and psql's heuristics for where a statement ends); see text_pgsplit.h.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "text_pgsplit.h"
#include "banned.h"

enum tok { TOK_BLANK, TOK_CODE, TOK_WORD, TOK_SEMI };

/* The scanner's state within one statement. */
struct lex {
	const char *s;
	size_t len;
	size_t i;
	int paren;		/* depth of ( ) */
	int body;		/* depth of BEGIN ... END in a routine's body */
	unsigned nword;		/* identifiers seen in this statement */
	char lead[4];		/* first letters of its first keywords, see track */
	enum pgsplit_tok_type kind;	/* of the last token lex_token read */
};

static void
lex_init(struct lex *l, const char *s, size_t len, size_t at)
{
	memset(l, 0, sizeof(*l));
	l->s = s;
	l->len = len;
	l->i = at;
}

static int
ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static int
ident_cont(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int
word_is(const char *w, size_t n, const char *kw)
{
	return n == strlen(kw) && strncasecmp(w, kw, n) == 0;
}

static int
at(const struct lex *l, size_t i, char c)
{
	return i < l->len && l->s[i] == c;
}

/* Past a string or quoted identifier; l->i is just after its opening q. */
static void
skip_quoted(struct lex *l, char q, int backslash)
{
	while (l->i < l->len) {
		if (backslash && l->s[l->i] == '\\') {
			l->i += 2;
		} else if (l->s[l->i] == q) {
			l->i++;
			if (!at(l, l->i, q))
				return;
			l->i++;		/* a doubled quote stands for itself */
		} else
			l->i++;
	}
	l->i = l->len;
}

/* Past a block comment, which nests in PostgreSQL; l->i is at its slash. */
static void
skip_block_comment(struct lex *l)
{
	int depth = 0;

	while (l->i < l->len) {
		if (l->s[l->i] == '/' && at(l, l->i + 1, '*')) {
			depth++;
			l->i += 2;
		} else if (l->s[l->i] == '*' && at(l, l->i + 1, '/')) {
			l->i += 2;
			if (--depth == 0)
				return;
		} else
			l->i++;
	}
}

/*
 * At a '$': past a dollar-quoted string and 1, or 0 when it does not open
 * one ($1, or a '$' with no tag after it).
 */
static int
skip_dollar(struct lex *l)
{
	size_t j = l->i + 1, taglen, k;

	if (j < l->len && ident_start((unsigned char)l->s[j]))
		while (j < l->len && ident_cont((unsigned char)l->s[j]) &&
		    l->s[j] != '$')
			j++;
	if (!at(l, j, '$'))
		return 0;
	taglen = j + 1 - l->i;
	for (k = j + 1; k + taglen <= l->len; k++)
		if (l->s[k] == '$' &&
		    memcmp(l->s + k, l->s + l->i, taglen) == 0) {
			l->i = k + taglen;
			return 1;
		}
	l->i = l->len;
	return 1;
}

/*
 * psql's heuristic: in CREATE [OR REPLACE] FUNCTION/PROCEDURE, outside
 * parentheses, BEGIN opens a body (BEGIN ATOMIC) that END closes, and CASE
 * inside one also ends with END; semicolons inside do not end the statement.
 */
static void
track(struct lex *l, const char *w, size_t n)
{
	const char *lead = l->lead;
	int routine;

	if (l->nword < sizeof(l->lead))
		l->lead[l->nword] = (word_is(w, n, "create") ||
		    word_is(w, n, "function") || word_is(w, n, "procedure") ||
		    word_is(w, n, "or") || word_is(w, n, "replace")) ?
		    (char)tolower((unsigned char)w[0]) : 0;
	if (l->nword < 1000)
		l->nword++;
	routine = lead[0] == 'c' && (lead[1] == 'f' || lead[1] == 'p' ||
	    (lead[1] == 'o' && lead[2] == 'r' &&
	    (lead[3] == 'f' || lead[3] == 'p')));
	if (!routine || l->paren > 0)
		return;
	if (word_is(w, n, "begin"))
		l->body++;
	else if (word_is(w, n, "case") && l->body > 0)
		l->body++;
	else if (word_is(w, n, "end") && l->body > 0)
		l->body--;
}

/* An identifier or key word, or an E'' string. */
static enum tok
lex_word(struct lex *l)
{
	size_t b = l->i;

	while (l->i < l->len && ident_cont((unsigned char)l->s[l->i]))
		l->i++;
	if (l->i - b == 1 && (l->s[b] == 'e' || l->s[b] == 'E') &&
	    at(l, l->i, '\'')) {
		l->i++;
		skip_quoted(l, '\'', 1);
		l->kind = PGT_STRING;
		return TOK_CODE;
	}
	/* x'1F', b'01', n'x': the prefix and its string are one token. */
	if (l->i - b == 1 && strchr("xXbBnN", l->s[b]) && at(l, l->i, '\'')) {
		l->i++;
		skip_quoted(l, '\'', 0);
		l->kind = PGT_STRING;
		return TOK_CODE;
	}
	track(l, l->s + b, l->i - b);
	l->kind = PGT_WORD;
	return TOK_WORD;
}

/* Consumes one token (or blank, or comment) at l->i and says what it was. */
static enum tok
lex_token(struct lex *l)
{
	unsigned char c = (unsigned char)l->s[l->i];

	l->kind = PGT_PUNCT;
	if (isspace(c)) {
		l->i++;
		return TOK_BLANK;
	}
	if (c == '-' && at(l, l->i + 1, '-')) {
		while (l->i < l->len && l->s[l->i] != '\n')
			l->i++;
		return TOK_BLANK;
	}
	if (c == '/' && at(l, l->i + 1, '*')) {
		skip_block_comment(l);
		return TOK_BLANK;
	}
	if (c == '\'' || c == '"') {
		l->i++;
		skip_quoted(l, (char)c, 0);
		l->kind = c == '"' ? PGT_IDENT : PGT_STRING;
		return TOK_CODE;
	}
	if (c == '$' && skip_dollar(l)) {
		l->kind = PGT_STRING;
		return TOK_CODE;
	}
	if (ident_start(c))
		return lex_word(l);
	if (c >= '0' && c <= '9') {
		/* 42, 1.5e3, 0x1F, 1_000: none can hold a quote or a ';'. */
		while (l->i < l->len && (isalnum((unsigned char)l->s[l->i]) ||
		    l->s[l->i] == '_' || l->s[l->i] == '.'))
			l->i++;
		l->kind = PGT_NUMBER;
		return TOK_CODE;
	}
	l->i++;
	if (c == '(')
		l->paren++;
	else if (c == ')' && l->paren > 0)
		l->paren--;
	else if (c == ';' && l->paren == 0 && l->body == 0)
		return TOK_SEMI;
	return TOK_CODE;
}

void
pgsplit_init(struct pgsplit *p, const char *s, size_t len)
{
	p->s = s;
	p->len = len;
	p->pos = 0;
}

int
pgsplit_next(struct pgsplit *p, size_t *start, size_t *end)
{
	struct lex l;
	size_t tok;
	enum tok t;
	int have = 0;

	lex_init(&l, p->s, p->len, p->pos);
	while (l.i < l.len) {
		tok = l.i;
		t = lex_token(&l);
		if (t == TOK_BLANK)
			continue;
		if (t == TOK_SEMI && !have) {
			lex_init(&l, p->s, p->len, l.i);	/* empty statement */
			continue;
		}
		if (t == TOK_SEMI) {
			*end = p->pos = l.i;
			return 1;
		}
		if (!have)
			*start = tok;
		have = 1;
	}
	p->pos = l.len;
	*end = l.len;
	return have;
}

/* The next key word of the statement into w[0, *n); 0 when none follows. */
static int
next_word(struct lex *l, const char **w, size_t *n)
{
	size_t b;
	enum tok t;

	while (l->i < l->len) {
		b = l->i;
		t = lex_token(l);
		if (t == TOK_BLANK)
			continue;
		if (t != TOK_WORD)
			return 0;
		*w = l->s + b;
		*n = l->i - b;
		return 1;
	}
	return 0;
}

int
pgsplit_ends_tx(const char *s, size_t len)
{
	const char *w[3] = { "", "", "" };
	size_t n[3] = { 0, 0, 0 };
	struct lex l;
	int i, k = 1;

	lex_init(&l, s, len, 0);
	for (i = 0; i < 3; i++)
		if (!next_word(&l, &w[i], &n[i]))
			break;
	if (word_is(w[0], n[0], "end") || word_is(w[0], n[0], "abort"))
		return 1;
	if (word_is(w[0], n[0], "prepare"))
		return word_is(w[1], n[1], "transaction");
	if (word_is(w[0], n[0], "commit"))
		return !word_is(w[1], n[1], "prepared");
	if (!word_is(w[0], n[0], "rollback"))
		return 0;
	/* ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name keeps it open. */
	if (word_is(w[1], n[1], "work") || word_is(w[1], n[1], "transaction"))
		k = 2;
	return !word_is(w[k], n[k], "to") && !word_is(w[1], n[1], "prepared");
}

/* BEGIN [WORK | TRANSACTION | ISOLATION ...] or START TRANSACTION. */
static int
begins_tx(const char *s, size_t len)
{
	const char *w[2] = { "", "" };
	size_t n[2] = { 0, 0 };
	struct lex l;

	lex_init(&l, s, len, 0);
	if (!next_word(&l, &w[0], &n[0]))
		return 0;
	(void)next_word(&l, &w[1], &n[1]);
	if (word_is(w[0], n[0], "start"))
		return word_is(w[1], n[1], "transaction");
	return word_is(w[0], n[0], "begin") && !word_is(w[1], n[1], "atomic");
}

/* Just past the end of the line holding s[at]. */
static size_t
line_after(const char *s, size_t len, size_t at)
{
	const char *nl = memchr(s + at, '\n', len - at);

	return nl ? (size_t)(nl - s) + 1 : len;
}

/* Whether the statement s[0, len) is COPY ... FROM stdin; (data follows). */
static int
copy_from_stdin(const char *s, size_t len)
{
	static const char tail[] = "from stdin";
	size_t k = sizeof(tail) - 1;

	while (len && (s[len - 1] == ';' || isspace((unsigned char)s[len - 1])))
		len--;
	return len > 4 + k && strncasecmp(s, "copy", 4) == 0 &&
	    isspace((unsigned char)s[4]) && strncasecmp(s + len - k, tail, k) == 0;
}

/* Just past COPY data that begins on the line after s[at]: past "\\.". */
static size_t
copy_data_end(const char *s, size_t len, size_t at)
{
	size_t i = line_after(s, len, at);

	while (i < len) {
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '.' &&
		    (i + 2 == len || s[i + 2] == '\n' || s[i + 2] == '\r'))
			return line_after(s, len, i);
		i = line_after(s, len, i);
	}
	return len;
}

size_t
pgsplit_mask_tx(char *s, size_t len)
{
	struct pgsplit p;
	size_t start, end, i, n = 0;

	pgsplit_init(&p, s, len);
	while (pgsplit_next(&p, &start, &end)) {
		if (s[start] == '\\') {		/* a meta-command: one line */
			p.pos = line_after(s, len, start);
			continue;
		}
		if (copy_from_stdin(s + start, end - start)) {
			p.pos = copy_data_end(s, len, end - 1);
			continue;
		}
		if (!begins_tx(s + start, end - start) &&
		    !pgsplit_ends_tx(s + start, end - start))
			continue;
		for (i = start; i < end; i++)
			if (s[i] != '\n')
				s[i] = ' ';
		n++;
	}
	return n;
}

size_t
pgsplit_token(const char *s, size_t len, size_t at, struct pgsplit_tok *t)
{
	struct lex l;
	size_t b;

	lex_init(&l, s, len, at);
	while (l.i < l.len) {
		b = l.i;
		if (lex_token(&l) == TOK_BLANK)
			continue;
		t->type = l.kind;
		t->off = b;
		t->len = l.i - b;
		return l.i;
	}
	t->type = PGT_END;
	t->off = t->len = 0;
	return len;
}

#define NWORDS 8

/* The first key words of a statement, and what follows them. */
struct words {
	const char *s;
	size_t len;
	struct pgsplit_tok w[NWORDS];	/* the first NWORDS tokens */
	size_t n;
};

static void
words_read(struct words *ws, const char *s, size_t len)
{
	size_t at = 0;

	memset(ws, 0, sizeof(*ws));
	ws->s = s;
	ws->len = len;
	while (ws->n < NWORDS) {
		at = pgsplit_token(s, len, at, &ws->w[ws->n]);
		if (ws->w[ws->n].type == PGT_END)
			break;
		ws->n++;
	}
}

/* Whether token i is the key word kw. */
static int
is(const struct words *ws, size_t i, const char *kw)
{
	return i < ws->n && ws->w[i].type == PGT_WORD &&
	    word_is(ws->s + ws->w[i].off, ws->w[i].len, kw);
}

/* The first token at or after from that is kw (outside parentheses), or n. */
static size_t
find_kw(const char *s, size_t len, size_t from, const char *kw)
{
	struct pgsplit_tok t;
	size_t at = from;
	int depth = 0;

	for (;;) {
		at = pgsplit_token(s, len, at, &t);
		if (t.type == PGT_END)
			return (size_t)-1;
		if (t.type == PGT_PUNCT && s[t.off] == '(')
			depth++;
		else if (t.type == PGT_PUNCT && s[t.off] == ')' && depth)
			depth--;
		else if (depth == 0 && t.type == PGT_WORD &&
		    word_is(s + t.off, t.len, kw))
			return t.off;
	}
}

/* CREATE/ALTER/DROP of an object that lives in no one database. */
static void
classify_ddl(const struct words *ws, struct pgsplit_class *c)
{
	int create = is(ws, 0, "create"), drop = is(ws, 0, "drop");

	if ((is(ws, 1, "role") || is(ws, 1, "user") || is(ws, 1, "group")) &&
	    !is(ws, 2, "mapping"))
		c->cluster = is(ws, 0, "alter") && find_kw(ws->s, ws->len, 0,
		    "set") != (size_t)-1 ? "role settings" : "roles";
	else if (is(ws, 1, "database")) {
		c->cluster = "databases";
		c->notx = create || drop || find_kw(ws->s, ws->len, 0,
		    "tablespace") != (size_t)-1;
	} else if (is(ws, 1, "tablespace")) {
		c->cluster = "tablespaces";
		c->notx = create || drop;
	} else if (is(ws, 1, "subscription")) {
		c->external = "subscriptions";
		c->notx = 1;
	} else if (is(ws, 0, "alter") && is(ws, 1, "system")) {
		c->cluster = "server settings (ALTER SYSTEM)";
		c->notx = 1;
	}
}

/* GRANT/REVOKE: role membership, or privileges on cluster-wide objects. */
static void
classify_grant(const struct words *ws, struct pgsplit_class *c)
{
	size_t on = find_kw(ws->s, ws->len, 0, "on");
	size_t to = find_kw(ws->s, ws->len, 0, is(ws, 0, "grant") ? "to" :
	    "from");
	struct pgsplit_tok t;

	if (on == (size_t)-1 || (to != (size_t)-1 && to < on)) {
		c->cluster = "role memberships";
		return;
	}
	pgsplit_token(ws->s, ws->len, on + 2, &t);
	if (t.type == PGT_WORD && (word_is(ws->s + t.off, t.len, "database") ||
	    word_is(ws->s + t.off, t.len, "tablespace") ||
	    word_is(ws->s + t.off, t.len, "parameter")))
		c->cluster = "grants on databases, tablespaces or parameters";
}

/* Key words of the object a COMMENT ON or SECURITY LABEL ON names. */
static void
classify_label(const struct words *ws, struct pgsplit_class *c)
{
	size_t on = find_kw(ws->s, ws->len, 0, "on");
	struct pgsplit_tok t;

	if (on == (size_t)-1)
		return;
	pgsplit_token(ws->s, ws->len, on + 2, &t);
	if (t.type == PGT_WORD && (word_is(ws->s + t.off, t.len, "role") ||
	    word_is(ws->s + t.off, t.len, "database") ||
	    word_is(ws->s + t.off, t.len, "tablespace")))
		c->cluster = "comments or labels on roles, databases or "
		    "tablespaces";
}

/* COPY ... TO 'file', TO PROGRAM, FROM PROGRAM: outside the catalogs. */
static void
classify_copy(const struct words *ws, struct pgsplit_class *c)
{
	size_t to = find_kw(ws->s, ws->len, 0, "to");
	struct pgsplit_tok t;

	if (find_kw(ws->s, ws->len, 0, "program") != (size_t)-1) {
		c->external = "programs run on the server (COPY PROGRAM)";
		return;
	}
	if (to == (size_t)-1)
		return;
	pgsplit_token(ws->s, ws->len, to + 2, &t);
	if (t.type == PGT_STRING)
		c->external = "files on the server (COPY TO)";
}

static void
classify_tx(const struct words *ws, struct pgsplit_class *c)
{
	c->txctl = 1;
	if (pgsplit_ends_tx(ws->s, ws->len) && !is(ws, 0, "commit") &&
	    !is(ws, 0, "end") && !is(ws, 0, "prepare"))
		c->undoes = 1;
	/* They commit or roll back a transaction someone prepared. */
	if ((is(ws, 0, "commit") || is(ws, 0, "rollback")) &&
	    is(ws, 1, "prepared")) {
		c->cluster = "prepared transactions";
		c->notx = 1;
	}
}

/* CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX, REINDEX, DETACH. */
static void
classify_concurrently(const struct words *ws, struct pgsplit_class *c)
{
	size_t k = find_kw(ws->s, ws->len, 0, "concurrently");

	if (k == (size_t)-1)
		return;
	if (((is(ws, 0, "create") || is(ws, 0, "drop")) && (is(ws, 1, "index") ||
	    (is(ws, 1, "unique") && is(ws, 2, "index")))) ||
	    (is(ws, 0, "alter") && is(ws, 1, "table") &&
	    find_kw(ws->s, ws->len, 0, "detach") != (size_t)-1)) {
		c->concurrently = k;
		c->notx = 1;
	}
}

void
pgsplit_classify(const char *s, size_t len, struct pgsplit_class *c)
{
	struct words ws;

	memset(c, 0, sizeof(*c));
	c->concurrently = (size_t)-1;
	words_read(&ws, s, len);
	if (is(&ws, 0, "create") || is(&ws, 0, "alter") || is(&ws, 0, "drop"))
		classify_ddl(&ws, c);
	if (is(&ws, 0, "grant") || is(&ws, 0, "revoke"))
		classify_grant(&ws, c);
	else if (is(&ws, 0, "comment") || (is(&ws, 0, "security") &&
	    is(&ws, 1, "label")))
		classify_label(&ws, c);
	else if ((is(&ws, 0, "reassign") || is(&ws, 0, "drop")) &&
	    is(&ws, 1, "owned"))
		c->cluster = "roles' objects (REASSIGN OWNED, DROP OWNED)";
	else if (is(&ws, 0, "copy"))
		classify_copy(&ws, c);
	else if (is(&ws, 0, "vacuum") || is(&ws, 0, "analyze") ||
	    is(&ws, 0, "analyse") || is(&ws, 0, "cluster") ||
	    is(&ws, 0, "reindex") || is(&ws, 0, "checkpoint")) {
		c->maintenance = 1;
		c->notx = !is(&ws, 0, "analyze") && !is(&ws, 0, "analyse");
	} else if (is(&ws, 0, "begin") || is(&ws, 0, "start") ||
	    is(&ws, 0, "commit") || is(&ws, 0, "end") ||
	    is(&ws, 0, "rollback") || is(&ws, 0, "abort") ||
	    is(&ws, 0, "savepoint") || is(&ws, 0, "release") ||
	    is(&ws, 0, "prepare"))
		classify_tx(&ws, c);
	classify_concurrently(&ws, c);
}
