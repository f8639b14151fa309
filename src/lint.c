/*
 * lint.c: a small SQL tokenizer, just enough to cut a section into
 * statements and to see their keywords, and the rules lint.h lists.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"
#include "banned.h"

enum tok {
	T_END,		/* no more tokens */
	T_WORD,		/* keyword, bare identifier or number */
	T_STRING,	/* 'text' */
	T_IDENT,	/* "name", `name` or [name] */
	T_PUNCT		/* any other single character */
};

struct token {
	enum tok type;
	size_t off, len;	/* in the whole text */
};

struct lexer {
	const char *s;
	size_t end;		/* the end of the section */
	size_t pos;
};

#define NFIRST 8

struct stmt {
	size_t off;		/* its first token */
	size_t end;		/* just past its ';', or the end of the section */
	struct token first[NFIRST];	/* its first tokens; T_END after */
};

/* A name as written, without quotes. */
struct name {
	const char *p;
	size_t len;
};

struct lint {
	const char *path;
	const char *text;	/* the whole file */
	size_t len;
	struct buf *out;
	size_t count;
	size_t line_off;	/* line_at's cursor: text[line_off] is on line */
	int line;
	struct name *renamed;	/* what the up section renames tables to */
	size_t nrenamed;
};

/* Past a quoted token opened at off; a doubled close quote escapes. */
static size_t
skip_quoted(const char *s, size_t end, size_t off, char close)
{
	for (off++; off < end; off++) {
		if (s[off] != close)
			continue;
		if (close != ']' && off + 1 < end && s[off + 1] == close) {
			off++;
			continue;
		}
		return off + 1;
	}
	return end;
}

static int
is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static enum tok
lex(struct lexer *lx, struct token *t)
{
	const char *s = lx->s;
	size_t p = sql_skip_space(s, lx->end, lx->pos);

	t->off = p;
	if (p >= lx->end)
		t->type = T_END;
	else if (s[p] == '\'')
		t->type = T_STRING, p = skip_quoted(s, lx->end, p, '\'');
	else if (s[p] == '"' || s[p] == '`')
		t->type = T_IDENT, p = skip_quoted(s, lx->end, p, s[p]);
	else if (s[p] == '[')
		t->type = T_IDENT, p = skip_quoted(s, lx->end, p, ']');
	else if (is_word_char((unsigned char)s[p])) {
		t->type = T_WORD;
		while (p < lx->end && is_word_char((unsigned char)s[p]))
			p++;
	} else
		t->type = T_PUNCT, p++;
	t->len = p - t->off;
	lx->pos = p;
	return t->type;
}

static int
word_is(const char *s, const struct token *t, const char *w)
{
	size_t n = strlen(w);

	return t->type == T_WORD && t->len == n &&
	    strncasecmp(s + t->off, w, n) == 0;
}

static int
punct_is(const char *s, const struct token *t, char c)
{
	return t->type == T_PUNCT && s[t->off] == c;
}

/*
 * Follows a CREATE TRIGGER's body, whose statements end in ';' too: it
 * starts at BEGIN and ends at the END that closes no CASE.
 */
static void
track_trigger(const char *s, const struct stmt *st, const struct token *t,
    size_t n, int *body, int *cases)
{
	if (!word_is(s, &st->first[0], "CREATE") ||
	    !(word_is(s, &st->first[1], "TRIGGER") ||
	    word_is(s, &st->first[2], "TRIGGER")) || n < 3)
		return;
	if (!*body && word_is(s, t, "BEGIN"))
		*body = 1;
	else if (*body && word_is(s, t, "CASE"))
		(*cases)++;
	else if (*body && word_is(s, t, "END") && *cases > 0)
		(*cases)--;
	else if (*body && word_is(s, t, "END"))
		*body = 0;
}

/* The next statement from lx->pos; 0 when there is none. */
static int
next_stmt(struct lexer *lx, struct stmt *st)
{
	struct token t;
	size_t n = 0;
	int body = 0, cases = 0;

	memset(st, 0, sizeof(*st));
	while (lex(lx, &t) != T_END) {
		if (n == 0 && punct_is(lx->s, &t, ';'))
			continue;
		if (n == 0)
			st->off = t.off;
		if (n < NFIRST)
			st->first[n] = t;
		n++;
		if (punct_is(lx->s, &t, ';') && !body)
			break;
		track_trigger(lx->s, st, &t, n, &body, &cases);
	}
	st->end = lx->pos;
	return n > 0;
}

/* Whether the statement has word w outside parentheses; *at gets it. */
static int
has_word(const char *s, const struct stmt *st, const char *w,
    struct token *at)
{
	struct lexer lx = { s, st->end, st->off };
	struct token t;
	int depth = 0;

	while (lex(&lx, &t) != T_END) {
		if (punct_is(s, &t, '('))
			depth++;
		else if (punct_is(s, &t, ')') && depth > 0)
			depth--;
		else if (depth == 0 && word_is(s, &t, w)) {
			if (at)
				*at = t;
			return 1;
		}
	}
	return 0;
}

static int
line_at(struct lint *l, size_t off)
{
	if (off < l->line_off) {
		l->line_off = 0;
		l->line = 1;
	}
	for (; l->line_off < off && l->line_off < l->len; l->line_off++)
		if (l->text[l->line_off] == '\n')
			l->line++;
	return l->line;
}

__attribute__((format(printf, 3, 4)))
static void
warn(struct lint *l, int line, const char *fmt, ...)
{
	va_list ap;

	buf_addf(l->out, "%s:%d: warning: ", l->path, line);
	va_start(ap, fmt);
	buf_vaddf(l->out, fmt, ap);
	va_end(ap);
	buf_addch(l->out, '\n');
	l->count++;
}

/* The main verb of a DML statement, after any WITH clause; 0 if none. */
static int
dml_verb(const char *s, const struct stmt *st, struct token *verb)
{
	static const char *const verbs[] = { "DELETE", "UPDATE", "INSERT",
	    "REPLACE", "SELECT" };
	struct token best, t;
	size_t i;
	int found = 0;

	if (!word_is(s, &st->first[0], "WITH")) {
		*verb = st->first[0];
		return st->first[0].type == T_WORD;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (has_word(s, st, verbs[i], &t) &&
		    (!found || t.off < best.off)) {
			best = t;
			found = 1;
		}
	if (found)
		*verb = best;
	return found;
}

static void
check_where(struct lint *l, const struct stmt *st)
{
	struct token verb;

	if (!dml_verb(l->text, st, &verb) || has_word(l->text, st, "WHERE",
	    NULL))
		return;
	if (word_is(l->text, &verb, "DELETE"))
		warn(l, line_at(l, st->off), "DELETE without WHERE deletes "
		    "every row");
	else if (word_is(l->text, &verb, "UPDATE"))
		warn(l, line_at(l, st->off), "UPDATE without WHERE changes "
		    "every row");
}

/* An identifier without its quotes. */
static struct name
unquote(const char *s, const struct token *t)
{
	struct name n = { s + t->off, t->len };

	if (t->type == T_IDENT && n.len >= 2)
		n.p++, n.len -= 2;
	return n;
}

static int
cmp_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strncasecmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* The table a DROP TABLE names (its last part, after any schema). */
static struct token
dropped_table(const char *s, const struct stmt *st)
{
	size_t i = 2;

	if (word_is(s, &st->first[2], "IF") &&
	    word_is(s, &st->first[3], "EXISTS"))
		i = 4;
	if (punct_is(s, &st->first[i + 1], '.') && i + 2 < NFIRST)
		i += 2;
	return st->first[i];
}

/* The new name in an ALTER TABLE ... RENAME TO name; 0 if it is not one. */
static int
rename_target(const char *s, const struct stmt *st, struct token *to)
{
	struct lexer lx = { s, st->end, 0 };
	struct token rename, t;

	if (!word_is(s, &st->first[0], "ALTER") ||
	    !has_word(s, st, "RENAME", &rename))
		return 0;
	lx.pos = rename.off + rename.len;
	return lex(&lx, &t) == T_WORD && word_is(s, &t, "TO") &&
	    lex(&lx, to) != T_END;
}

/*
 * Collects, sorted, the names tables are renamed to in the section: a DROP
 * TABLE of one of them is part of the table-rebuild procedure (the old
 * table goes and a copy takes its name; or the old one is renamed aside,
 * copied back and dropped), which keeps the data.
 */
static void
collect_renames(struct lint *l, const struct section *sec)
{
	struct lexer lx = { l->text, sec->off + sec->len, sec->off };
	struct token to;
	struct stmt st;
	size_t alloc = 0;

	while (next_stmt(&lx, &st)) {
		if (!rename_target(l->text, &st, &to))
			continue;
		if (l->nrenamed == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			l->renamed = xreallocarray(l->renamed, alloc,
			    sizeof(*l->renamed));
		}
		l->renamed[l->nrenamed++] = unquote(l->text, &to);
	}
	if (l->nrenamed)
		qsort(l->renamed, l->nrenamed, sizeof(*l->renamed), cmp_name);
}

static void
check_drop(struct lint *l, const struct stmt *st)
{
	const char *s = l->text;
	struct token name;
	struct name key;

	if (word_is(s, &st->first[0], "DROP") &&
	    word_is(s, &st->first[1], "TABLE")) {
		name = dropped_table(s, st);
		key = unquote(s, &name);
		if (name.type != T_END && l->nrenamed && bsearch(&key,
		    l->renamed, l->nrenamed, sizeof(key), cmp_name))
			return;
		warn(l, line_at(l, st->off), "DROP TABLE in an up section "
		    "loses the table's data; a rollback cannot bring it back");
	} else if (word_is(s, &st->first[0], "ALTER") &&
	    word_is(s, &st->first[1], "TABLE") &&
	    has_word(s, st, "DROP", NULL))
		warn(l, line_at(l, st->off), "ALTER TABLE ... DROP COLUMN in "
		    "an up section loses the column's data; a rollback cannot "
		    "bring it back");
}

/* PRAGMA [schema.]name: the name token; T_END when not a pragma. */
static struct token
pragma_name(const char *s, const struct stmt *st, int *sets)
{
	struct token none = { T_END, 0, 0 };
	size_t i = 1;

	if (!word_is(s, &st->first[0], "PRAGMA"))
		return none;
	if (punct_is(s, &st->first[2], '.'))
		i = 3;
	*sets = punct_is(s, &st->first[i + 1], '=') ||
	    punct_is(s, &st->first[i + 1], '(');
	return st->first[i];
}

static void
check_pragma(struct lint *l, const struct stmt *st)
{
	static const char *const notx[] = { "journal_mode", "synchronous",
	    "wal_checkpoint" };
	const char *s = l->text;
	struct token name;
	size_t i;
	int sets = 0;

	name = pragma_name(s, st, &sets);
	if (word_is(s, &name, "foreign_keys") && sets)
		warn(l, line_at(l, st->off), "PRAGMA foreign_keys is ignored "
		    "inside a transaction; use the foreign_keys:off option on "
		    "this section's marker instead");
	for (i = 0; i < sizeof(notx) / sizeof(notx[0]); i++)
		if (word_is(s, &name, notx[i]) && (sets || i == 2))
			warn(l, line_at(l, st->off), "PRAGMA %s cannot take "
			    "effect inside a transaction; add transaction:false "
			    "to this section's marker", notx[i]);
}

/* What SQLite refuses inside the transaction runner wraps a section in. */
static void
check_notx(struct lint *l, const struct stmt *st)
{
	static const char *const verbs[] = { "VACUUM", "BEGIN", "COMMIT",
	    "END", "ROLLBACK" };
	const char *s = l->text;
	size_t i;

	check_pragma(l, st);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!word_is(s, &st->first[0], verbs[i]))
			continue;
		/* ROLLBACK TO a savepoint is fine. */
		if (i == 4 && has_word(s, st, "TO", NULL))
			continue;
		warn(l, line_at(l, st->off), "%s cannot run inside the "
		    "transaction runner wraps this section in; add "
		    "transaction:false to its marker", verbs[i]);
	}
}

static void
lint_section(struct lint *l, const struct section *sec, int up)
{
	struct lexer lx = { l->text, sec->off + sec->len, sec->off };
	struct stmt st;

	if (up)
		collect_renames(l, sec);
	while (next_stmt(&lx, &st)) {
		if (up)
			check_drop(l, &st);
		check_where(l, &st);
		if (!(sec->flags & SECTION_NOTX))
			check_notx(l, &st);
	}
}

/* Points l at the text and the file of section sec (of path). */
static void
lint_use(struct lint *l, const struct section *sec, const char *path)
{
	l->text = sec->text;
	l->len = sec->tlen;
	l->path = sec->path ? sec->path : path;
	l->line_off = 0;
	l->line = 1;
}

size_t
lint_migration(const char *path, const struct migration *m,
    struct buf *out)
{
	struct lint l;

	memset(&l, 0, sizeof(l));
	l.out = out;
	lint_use(&l, &m->up, path);
	if (m->up.empty)
		warn(&l, m->up.marker_line, "the up section is empty: migrate "
		    "records it as applied without running anything");
	if (!m->down.present)
		warn(&l, m->up.marker_line, "no down %s: this migration "
		    "cannot be rolled back", m->marks ? "section" : "file");
	lint_section(&l, &m->up, 1);
	if (m->down.present)
		lint_use(&l, &m->down, path);
	if (m->down.present && !migration_reversible(m))
		warn(&l, m->down.marker_line, "the down section is empty: "
		    "this migration cannot be rolled back");
	if (m->down.present)
		lint_section(&l, &m->down, 0);
	free(l.renamed);
	return l.count;
}
