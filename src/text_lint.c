/*
 * text_lint.c: the rules text_lint.h lists, over statements and their key
 * words. Each dialect's section is cut and read with that dialect's one
 * lexer: SQLite's (text_sqlite_lex.c, which describe reads stored SQL
 * with), PostgreSQL's (text_pgsplit.c) and MySQL's (text_mysqlsplit.c),
 * the ones the drivers split sections with, so that dollar quotes, E''
 * strings, nested comments, BEGIN ATOMIC bodies, backticks, # comments,
 * DELIMITER lines and versioned comments are read as the servers read
 * them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text_lint.h"
#include "text_mysqlsplit.h"
#include "text_pgsplit.h"
#include "text_sqlite_lex.h"
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
	int dialect;		/* LINT_*: whose lexical rules */
};

/* Cuts a section into statements, by its dialect's splitter. */
struct cutter {
	int dialect;
	struct sqlite_lex sq;
	struct pgsplit pg;
	struct mysqlsplit my;	/* keeps the DELIMITER from one to the next */
};

#define NFIRST 8

struct stmt {
	size_t off;		/* its first token */
	size_t end;		/* just past its ';', or the end of the section */
	int dialect;
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
	int dialect;		/* LINT_*: whose SQL the migration is */
	struct name *created;	/* tables the section creates, so far */
	size_t ncreated;
};

/* A token by PostgreSQL's rules: numbers count as words, as SQLite's do. */
static enum tok
lex_pg(struct lexer *lx, struct token *t)
{
	struct pgsplit_tok pt;

	lx->pos = pgsplit_token(lx->s, lx->end, lx->pos, &pt);
	t->off = pt.off;
	t->len = pt.len;
	switch (pt.type) {
	case PGT_END:
		t->type = T_END;
		t->off = lx->end;
		break;
	case PGT_WORD:
	case PGT_NUMBER:
		t->type = T_WORD;
		break;
	case PGT_STRING:
		t->type = T_STRING;
		break;
	case PGT_IDENT:
		t->type = T_IDENT;
		break;
	default:
		t->type = T_PUNCT;
		break;
	}
	return t->type;
}

/* A token by MySQL's rules: numbers count as words here too. */
static enum tok
lex_mysql(struct lexer *lx, struct token *t)
{
	static const enum tok types[] = { [MYT_END] = T_END,
	    [MYT_WORD] = T_WORD, [MYT_STRING] = T_STRING,
	    [MYT_IDENT] = T_IDENT, [MYT_NUMBER] = T_WORD,
	    [MYT_PUNCT] = T_PUNCT };
	struct mysqlsplit_tok mt;

	lx->pos = mysqlsplit_token(lx->s, lx->end, lx->pos, &mt);
	t->type = types[mt.type];
	t->off = mt.off;
	t->len = mt.len;
	return t->type;
}

static enum tok
lex(struct lexer *lx, struct token *t)
{
	static const enum tok types[] = { [SQT_END] = T_END,
	    [SQT_WORD] = T_WORD, [SQT_STRING] = T_STRING,
	    [SQT_IDENT] = T_IDENT, [SQT_PUNCT] = T_PUNCT };
	struct sqlite_tok st;

	if (lx->dialect == LINT_POSTGRESQL)
		return lex_pg(lx, t);
	if (lx->dialect == LINT_MYSQL)
		return lex_mysql(lx, t);
	lx->pos = sqlite_lex_token(lx->s, lx->end, lx->pos, &st);
	t->type = types[st.type];
	t->off = st.off;
	t->len = st.len;
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

static void
cutter_init(struct cutter *c, int dialect, const char *s,
    const struct section *sec)
{
	size_t end = sec->off + sec->len;

	c->dialect = dialect;
	sqlite_lex_init(&c->sq, s, end);
	pgsplit_init(&c->pg, s, end);
	mysqlsplit_init(&c->my, s, end);
	c->sq.pos = c->pg.pos = c->my.pos = sec->off;
}

/*
 * The next statement, with its first tokens: 1; 0 when there is none; -1
 * for a DELIMITER line the MySQL client refuses (c->my.error says why).
 */
static int
next_stmt(struct cutter *c, struct stmt *st)
{
	struct lexer in;
	size_t n;
	int r;

	memset(st, 0, sizeof(*st));
	st->dialect = c->dialect;
	if (c->dialect == LINT_POSTGRESQL)
		r = pgsplit_next(&c->pg, &st->off, &st->end);
	else if (c->dialect == LINT_MYSQL)
		r = mysqlsplit_next(&c->my, &st->off, &st->end);
	else
		r = sqlite_lex_next(&c->sq, &st->off, &st->end);
	if (r <= 0)
		return r;
	in.s = c->sq.s;
	in.pos = st->off;
	in.end = st->end;
	in.dialect = c->dialect;
	for (n = 0; n < NFIRST && lex(&in, &st->first[n]) != T_END; n++)
		;
	return 1;
}

/* Whether the statement has word w outside parentheses; *at gets it. */
static int
has_word(const char *s, const struct stmt *st, const char *w,
    struct token *at)
{
	struct lexer lx = { s, st->end, st->off, st->dialect };
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
	struct lexer lx = { s, st->end, 0, st->dialect };
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
	struct cutter c;
	struct token to;
	struct stmt st;
	size_t alloc = 0;

	cutter_init(&c, l->dialect, l->text, sec);
	while (next_stmt(&c, &st) > 0) {
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

/* A statement's first words as a warning names them: "CREATE DATABASE". */
static void
verb_text(const char *s, const struct stmt *st, struct buf *out)
{
	size_t i, n = word_is(s, &st->first[0], "CREATE") ||
	    word_is(s, &st->first[0], "ALTER") ||
	    word_is(s, &st->first[0], "DROP") ? 2 : 1;

	for (i = 0; i < n && st->first[i].type == T_WORD; i++) {
		if (i)
			buf_addch(out, ' ');
		buf_add(out, s + st->first[i].off, st->first[i].len);
	}
	for (i = 0; i < out->len; i++)
		out->buf[i] = (char)toupper((unsigned char)out->buf[i]);
}

/* What PostgreSQL refuses, or runner does, inside the transaction. */
static void
check_notx_pg(struct lint *l, const struct stmt *st)
{
	struct pgsplit_class c;
	struct buf verb = BUF_INIT;

	pgsplit_classify(l->text + st->off, st->end - st->off, &c);
	if (c.concurrently != (size_t)-1)
		buf_adds(&verb, "CONCURRENTLY");
	else if (c.notx || (c.txctl && (pgsplit_ends_tx(l->text + st->off,
	    st->end - st->off) || word_is(l->text, &st->first[0], "BEGIN") ||
	    word_is(l->text, &st->first[0], "START"))))
		verb_text(l->text, st, &verb);
	if (verb.len)
		warn(l, line_at(l, st->off), "%s cannot run inside the "
		    "transaction runner wraps this section in; add "
		    "transaction:false to its marker", verb.buf);
	buf_release(&verb);
}

static int
created(const struct lint *l, struct name n)
{
	size_t i;

	for (i = 0; i < l->ncreated; i++)
		if (cmp_name(&l->created[i], &n) == 0)
			return 1;
	return 0;
}

/* The (last part of the) name starting at token t; *t moves past it. */
static int
table_name(struct lexer *lx, struct token *t, struct name *out)
{
	struct token dot;
	struct lexer peek;

	if (t->type != T_WORD && t->type != T_IDENT)
		return 0;
	for (;;) {
		*out = unquote(lx->s, t);
		peek = *lx;
		if (lex(&peek, &dot) != T_PUNCT || lx->s[dot.off] != '.')
			return 1;
		lex(&peek, t);
		*lx = peek;
	}
}

/* Notes the table a CREATE TABLE makes: work on it locks no one out. */
static void
note_created(struct lint *l, const struct stmt *st)
{
	struct lexer lx = { l->text, st->end, st->off,
	    LINT_POSTGRESQL };
	struct token t;
	struct name n;

	if (!word_is(l->text, &st->first[0], "CREATE") ||
	    !has_word(l->text, st, "TABLE", &t))
		return;
	lx.pos = t.off + t.len;
	lex(&lx, &t);
	if (word_is(l->text, &t, "IF")) {
		lex(&lx, &t);
		lex(&lx, &t);
		lex(&lx, &t);
	}
	if (!table_name(&lx, &t, &n))
		return;
	l->created = xreallocarray(l->created, l->ncreated + 1,
	    sizeof(*l->created));
	l->created[l->ncreated++] = n;
}

/* CREATE INDEX without CONCURRENTLY on a table the migration did not make. */
static void
check_index_pg(struct lint *l, const struct stmt *st)
{
	struct lexer lx = { l->text, st->end, st->off,
	    LINT_POSTGRESQL };
	struct token on, t;
	struct name n;
	size_t i = 1;

	if (!word_is(l->text, &st->first[0], "CREATE"))
		return;
	if (word_is(l->text, &st->first[1], "UNIQUE"))
		i = 2;
	if (!word_is(l->text, &st->first[i], "INDEX") ||
	    word_is(l->text, &st->first[i + 1], "CONCURRENTLY") ||
	    !has_word(l->text, st, "ON", &on))
		return;
	lx.pos = on.off + on.len;
	lex(&lx, &t);
	if (word_is(l->text, &t, "ONLY"))
		lex(&lx, &t);
	if (!table_name(&lx, &t, &n) || created(l, n))
		return;
	warn(l, line_at(l, st->off), "CREATE INDEX without CONCURRENTLY "
	    "blocks writes to '%.*s' while it builds; use CREATE INDEX "
	    "CONCURRENTLY in a transaction:false section", (int)n.len, n.p);
}

/* Whether the ALTER TABLE subcommand at lx, up to to, adds a column. */
static int
adds_column(const char *s, struct lexer lx, size_t to, struct token *name)
{
	static const char *const not_columns[] = { "CONSTRAINT", "PRIMARY",
	    "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE" };
	struct token t;
	size_t i;

	lx.end = to;
	if (lex(&lx, &t) != T_WORD || !word_is(s, &t, "ADD") ||
	    lex(&lx, &t) == T_END)
		return 0;
	if (word_is(s, &t, "COLUMN") && lex(&lx, &t) == T_END)
		return 0;
	if (word_is(s, &t, "IF")) {
		lex(&lx, &t);
		lex(&lx, &t);
		lex(&lx, &t);
	}
	for (i = 0; i < sizeof(not_columns) / sizeof(not_columns[0]); i++)
		if (word_is(s, &t, not_columns[i]))
			return 0;
	*name = t;
	return t.type == T_WORD || t.type == T_IDENT;
}

/* One ADD [COLUMN] subcommand: NOT NULL with no DEFAULT to fill it. */
static void
check_added(struct lint *l, const struct stmt *st, struct lexer lx,
    size_t to, struct name table)
{
	struct stmt part = *st;
	struct token col;
	struct name n;

	if (!adds_column(l->text, lx, to, &col))
		return;
	part.off = lx.pos;
	part.end = to;
	if (!has_word(l->text, &part, "NULL", NULL) ||
	    !has_word(l->text, &part, "NOT", NULL) ||
	    has_word(l->text, &part, "DEFAULT", NULL) ||
	    has_word(l->text, &part, "GENERATED", NULL))
		return;
	n = unquote(l->text, &col);
	warn(l, line_at(l, st->off), "ALTER TABLE ... ADD COLUMN %.*s ... NOT "
	    "NULL without a DEFAULT fails when '%.*s' has rows", (int)n.len,
	    n.p, (int)table.len, table.p);
}

/* ALTER TABLE ... ADD COLUMN ... NOT NULL, without DEFAULT, on a table with rows. */
static void
check_add_column_pg(struct lint *l, const struct stmt *st)
{
	struct lexer lx = { l->text, st->end, st->off,
	    LINT_POSTGRESQL }, sub;
	struct token t;
	struct name table;
	size_t from;
	int depth = 0;

	if (!word_is(l->text, &st->first[0], "ALTER") ||
	    !word_is(l->text, &st->first[1], "TABLE"))
		return;
	lex(&lx, &t);
	lex(&lx, &t);
	lex(&lx, &t);
	if (word_is(l->text, &t, "IF")) {
		lex(&lx, &t);
		lex(&lx, &t);
	}
	if (word_is(l->text, &t, "ONLY"))
		lex(&lx, &t);
	if (!table_name(&lx, &t, &table) || created(l, table))
		return;
	/* The subcommands, split at the commas outside parentheses. */
	for (from = lx.pos; lex(&lx, &t) != T_END;) {
		if (punct_is(l->text, &t, '('))
			depth++;
		else if (punct_is(l->text, &t, ')') && depth)
			depth--;
		else if (depth == 0 && (punct_is(l->text, &t, ',') ||
		    punct_is(l->text, &t, ';'))) {
			sub = lx;
			sub.pos = from;
			check_added(l, st, sub, t.off, table);
			from = lx.pos;
		}
	}
	sub = lx;
	sub.pos = from;
	check_added(l, st, sub, st->end, table);
}

/* What a MySQL section holds so far: whether it can be atomic. */
struct mysql_tx {
	const char *section;	/* "up" or "down" */
	size_t n;		/* statements */
	size_t commit;		/* the first that commits implicitly */
	char what[40];		/* what that one is, "" before there is one */
	int warned;
};

/* MySQL: BEGIN, START TRANSACTION, COMMIT, ROLLBACK (not ROLLBACK TO). */
static int
ends_tx_mysql(const char *s, const struct stmt *st)
{
	const struct token *f = st->first;

	return word_is(s, &f[0], "BEGIN") || word_is(s, &f[0], "COMMIT") ||
	    (word_is(s, &f[0], "START") &&
	    word_is(s, &f[1], "TRANSACTION")) ||
	    (word_is(s, &f[0], "ROLLBACK") && !has_word(s, st, "TO", NULL));
}

/*
 * A MySQL statement, outside transaction:false: once the section has a
 * statement that commits implicitly (DDL, as the server's list has it)
 * and another, it cannot be atomic, which is said once, at the first such
 * statement; transaction control ends the transaction runner wraps the
 * section in.
 */
static void
check_tx_mysql(struct lint *l, const struct stmt *st, struct mysql_tx *tx)
{
	struct mysqlsplit_class c;
	struct buf verb = BUF_INIT;
	int ends;

	tx->n++;
	mysqlsplit_classify(l->text + st->off, st->end - st->off, &c);
	ends = c.txctl && ends_tx_mysql(l->text, st);
	if (c.commits[0] && !ends && !tx->what[0]) {
		tx->commit = st->off;
		snprintf(tx->what, sizeof(tx->what), "%s", c.commits);
	}
	if (tx->what[0] && tx->n >= 2 && !tx->warned) {
		tx->warned = 1;
		warn(l, line_at(l, tx->commit), "%s commits implicitly on "
		    "MySQL and MariaDB, so this %s section cannot be atomic: "
		    "if one of its statements fails, those before it stay "
		    "applied; give each statement that commits a migration "
		    "of its own", tx->what, tx->section);
	}
	if (!ends)
		return;
	verb_text(l->text, st, &verb);
	if (word_is(l->text, &st->first[0], "START"))
		buf_adds(&verb, " TRANSACTION");
	warn(l, line_at(l, st->off), "%s cannot run inside the transaction "
	    "runner wraps this section in; add transaction:false to its "
	    "marker", verb.buf);
	buf_release(&verb);
}

/* The checks of the section's dialect for one statement. */
static void
check_stmt(struct lint *l, const struct section *sec, int up,
    const struct stmt *st, struct mysql_tx *tx)
{
	/* First, so that warnings come in the order of their lines. */
	if (l->dialect == LINT_MYSQL && !(sec->flags & SECTION_NOTX))
		check_tx_mysql(l, st, tx);
	if (up)
		check_drop(l, st);
	check_where(l, st);
	if (l->dialect == LINT_POSTGRESQL && up) {
		check_index_pg(l, st);
		check_add_column_pg(l, st);
		note_created(l, st);
	}
	if (sec->flags & SECTION_NOTX)
		return;
	if (l->dialect == LINT_POSTGRESQL)
		check_notx_pg(l, st);
	else if (l->dialect == LINT_SQLITE)
		check_notx(l, st);
}

static void
lint_section(struct lint *l, const struct section *sec, int up)
{
	struct mysql_tx tx;
	struct cutter c;
	struct stmt st;
	int r;

	memset(&tx, 0, sizeof(tx));
	tx.section = up ? "up" : "down";
	l->ncreated = 0;
	if (up)
		collect_renames(l, sec);
	cutter_init(&c, l->dialect, l->text, sec);
	while ((r = next_stmt(&c, &st)) > 0)
		check_stmt(l, sec, up, &st, &tx);
	if (r < 0)
		warn(l, line_at(l, c.my.error_at), "%s, as the mysql client "
		    "says: the rest of this section cannot be read",
		    c.my.error);
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
lint_migration(const char *path, const struct migration *m, int dialect,
    struct buf *out)
{
	struct lint l;

	memset(&l, 0, sizeof(l));
	l.out = out;
	lint_use(&l, &m->up, path);
	if (m->up.empty)
		warn(&l, m->up.marker_line, "the up section is empty: migrate "
		    "records it as applied without running anything");
	l.dialect = dialect;
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
	free(l.created);
	return l.count;
}
