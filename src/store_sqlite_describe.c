/*
 * store_sqlite_describe.c: what an SQLite schema means. Columns, keys, UNIQUE
 * constraints, foreign keys and index columns come from the pragmas; what
 * they do not show (CHECK, a partial index's WHERE, index expressions,
 * triggers, views) comes from the stored SQL in a canonical form. Either
 * way a table rebuilt with other quoting, spacing or keyword case
 * describes the same.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "store_sqlite_describe.h"
#include "text_sqlite_lex.h"
#include "store_tracking.h"
#include "banned.h"

enum tok_type { TOK_END, TOK_WORD, TOK_STRING, TOK_PUNCT };

struct tok {
	enum tok_type type;
	const char *s;		/* a quoted identifier: inside the quotes */
	size_t len;
	char quote;		/* a quoted identifier's closing quote */
};

struct toks {
	struct tok *v;
	size_t n, alloc;
};

/* Appends normalized tokens to out. */
struct norm {
	struct buf *out;
	struct buf word;
	int started, glue, prev_word;
};

enum { Q_XINFO, Q_PK, Q_IXINFO, Q_FKEYS, Q_ORIGIN, Q_MAX };

static const char *const queries[Q_MAX] = {
	"SELECT name, type, \"notnull\", dflt_value, pk, hidden "
	    "FROM pragma_table_xinfo(?1) ORDER BY cid",
	"SELECT name FROM pragma_table_xinfo(?1) WHERE pk ORDER BY pk",
	"SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1) "
	    "WHERE key ORDER BY seqno",
	"SELECT id, \"table\", \"from\", \"to\", on_update, on_delete, match "
	    "FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
	"SELECT origin FROM pragma_index_list(?1) WHERE name = ?2",
};

/* What only a table's CREATE text says about a column. */
struct coltext {
	char *name;		/* lowercased */
	char *notnull;		/* its NOT NULL's " ON CONFLICT X", or NULL */
	char *gen;		/* a generated column's expression, or NULL */
};

/* A UNIQUE constraint with an ON CONFLICT clause. */
struct uniqtext {
	char *cols;		/* "a, b", as index_columns writes them */
	char *conflict;		/* " ON CONFLICT X" */
};

/*
 * What the text of the table described last says that no pragma does; an
 * autoindex's row follows its table's, so it is still at hand then.
 */
struct tabletext {
	char *table;		/* lowercased */
	char *pk;		/* the primary key's " ON CONFLICT X", or NULL */
	struct coltext *c;
	size_t nc;
	struct uniqtext *u;
	size_t nu;
};

struct describer {
	sqlite3 *db;
	sqlite3_stmt *q[Q_MAX];
	struct schema *out;
	struct buf name, def, tmp;
	struct tabletext tt;
};

/*
 * Reads the token at or after i into t (a quoted identifier as a word:
 * what is inside its quotes); returns the offset after it.
 */
static size_t
next_tok(const char *s, size_t len, size_t i, struct tok *t)
{
	static const enum tok_type types[] = { [SQT_END] = TOK_END,
	    [SQT_WORD] = TOK_WORD, [SQT_STRING] = TOK_STRING,
	    [SQT_IDENT] = TOK_WORD, [SQT_PUNCT] = TOK_PUNCT };
	struct sqlite_tok lt;

	i = sqlite_lex_token(s, len, i, &lt);
	t->type = types[lt.type];
	t->s = s + lt.off;
	t->len = lt.len;
	t->quote = 0;
	if (lt.type == SQT_IDENT) {
		t->quote = *t->s == '[' ? ']' : *t->s;
		t->s++;
		t->len -= lt.open ? 1 : 2;
	}
	return i;
}

static void
tokenize(const char *sql, struct toks *out)
{
	size_t i = 0, len = strlen(sql);
	struct tok t;

	for (;;) {
		i = next_tok(sql, len, i, &t);
		if (t.type == TOK_END)
			break;
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? 2 * out->alloc : 64;
			out->v = xreallocarray(out->v, out->alloc,
			    sizeof(*out->v));
		}
		out->v[out->n++] = t;
	}
}

/* Whether t is the bare keyword kw (any case). */
static int
is_kw(const struct tok *t, const char *kw)
{
	return t->type == TOK_WORD && !t->quote && t->len == strlen(kw) &&
	    strncasecmp(t->s, kw, t->len) == 0;
}

static int
is_punct(const struct tok *t, char c)
{
	return t->type == TOK_PUNCT && t->s[0] == c;
}

/* The index of the ')' closing the '(' at v[i], or n. */
static size_t
close_paren(const struct toks *tk, size_t i)
{
	int depth = 0;

	for (; i < tk->n; i++) {
		if (is_punct(&tk->v[i], '('))
			depth++;
		else if (is_punct(&tk->v[i], ')') && --depth == 0)
			return i;
	}
	return tk->n;
}

/* An identifier or keyword as compared: lowercased, quotes undone. */
static int
word_text(const struct tok *t, struct buf *w)
{
	int plain = t->len > 0;
	size_t i;
	char ch;

	buf_reset(w);
	for (i = 0; i < t->len; i++) {
		ch = t->s[i];
		if (t->quote && t->quote != ']' && ch == t->quote)
			i++;	/* a doubled quote stands for one */
		buf_addch(w, tolower((unsigned char)ch));
		if (!sqlite_lex_is_word_char((unsigned char)ch))
			plain = 0;
	}
	return plain;
}

static void
norm_word(struct norm *n, const struct tok *t)
{
	size_t i;

	if (!word_text(t, &n->word)) {
		buf_addch(n->out, '"');
		for (i = 0; i < n->word.len; i++) {
			if (n->word.buf[i] == '"')
				buf_addch(n->out, '"');
			buf_addch(n->out, n->word.buf[i]);
		}
		buf_addch(n->out, '"');
		return;
	}
	if (sqlite3_keyword_check(n->word.buf, (int)n->word.len))
		for (i = 0; i < n->word.len; i++)
			n->word.buf[i] = (char)toupper(
			    (unsigned char)n->word.buf[i]);
	buf_add(n->out, n->word.buf, n->word.len);
}

static void
norm_add(struct norm *n, const struct tok *t)
{
	int c = t->type == TOK_PUNCT ? t->s[0] : 0;

	if (n->started && !n->glue && c != ')' && c != ',' && c != '.' &&
	    c != ';' && !(c == '(' && n->prev_word))
		buf_addch(n->out, ' ');
	n->started = 1;
	if (t->type == TOK_WORD)
		norm_word(n, t);
	else if (t->len == 2 && strncmp(t->s, "<>", 2) == 0)
		buf_adds(n->out, "!=");
	else if (t->len == 2 && strncmp(t->s, "==", 2) == 0)
		buf_addch(n->out, '=');
	else
		buf_add(n->out, t->s, t->len);
	n->glue = c == '(' || c == '.';
	n->prev_word = t->type == TOK_WORD;
}

/* Appends the tokens v[from, to) normalized. */
static void
norm_range(const struct toks *tk, size_t from, size_t to, struct buf *out)
{
	struct norm n;

	memset(&n, 0, sizeof(n));
	n.out = out;
	buf_init(&n.word);
	for (; from < to && from < tk->n; from++)
		norm_add(&n, &tk->v[from]);
	buf_release(&n.word);
}

void
sqlite_sql_normalize(const char *sql, size_t len, struct buf *out)
{
	struct toks tk = { NULL, 0, 0 };
	char *copy = xstrndup(sql, len);

	tokenize(copy, &tk);
	norm_range(&tk, 0, tk.n, out);
	free(tk.v);
	free(copy);
}

static void
add_lower(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		buf_addch(b, tolower((unsigned char)*s));
}

static void
add_upper(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		buf_addch(b, toupper((unsigned char)*s));
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : NULL;
}

static int
fail(struct describer *d, struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "cannot describe the schema: %s",
	    sqlite3_errmsg(d->db));
}

/* Binds name (and name2) to query which, ready to step. */
static sqlite3_stmt *
query(struct describer *d, int which, const char *name, const char *name2)
{
	sqlite3_stmt *st = d->q[which];

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (name2)
		sqlite3_bind_text(st, 2, name2, -1, SQLITE_TRANSIENT);
	return st;
}

static void
add_obj(struct describer *d, const char *kind)
{
	schema_add(d->out, kind, d->name.buf, d->def.buf);
	buf_reset(&d->name);
	buf_reset(&d->def);
}

/* " COLLATE X" unless X is the default, BINARY. */
static void
add_collate(struct buf *b, const char *coll)
{
	if (coll && *coll && strcasecmp(coll, "BINARY") != 0) {
		buf_adds(b, " COLLATE ");
		add_upper(b, coll);
	}
}

static void
tabletext_release(struct tabletext *tt)
{
	size_t i;

	for (i = 0; i < tt->nc; i++) {
		free(tt->c[i].name);
		free(tt->c[i].notnull);
		free(tt->c[i].gen);
	}
	for (i = 0; i < tt->nu; i++) {
		free(tt->u[i].cols);
		free(tt->u[i].conflict);
	}
	free(tt->c);
	free(tt->u);
	free(tt->table);
	free(tt->pk);
	memset(tt, 0, sizeof(*tt));
}

static char *
lower_word(const struct tok *t)
{
	struct buf w = BUF_INIT;

	word_text(t, &w);
	return buf_detach(&w, NULL);
}

/*
 * " ON CONFLICT X" when v[i] starts ON CONFLICT X, else NULL; ABORT, the
 * default, is as good as none.
 */
static char *
conflict_at(const struct toks *tk, size_t i, size_t end)
{
	struct buf b = BUF_INIT;

	if (i + 2 >= end || !is_kw(&tk->v[i], "ON") ||
	    !is_kw(&tk->v[i + 1], "CONFLICT") || is_kw(&tk->v[i + 2], "ABORT"))
		return NULL;
	buf_adds(&b, " ON CONFLICT ");
	buf_add(&b, tk->v[i + 2].s, tk->v[i + 2].len);
	for (i = 13; i < b.len; i++)
		b.buf[i] = (char)toupper((unsigned char)b.buf[i]);
	return buf_detach(&b, NULL);
}

static void
add_unique(struct tabletext *tt, char *cols, char *conflict)
{
	tt->u = xreallocarray(tt->u, tt->nu + 1, sizeof(*tt->u));
	tt->u[tt->nu].cols = cols;
	tt->u[tt->nu++].conflict = conflict;
}

/* The column names in the parentheses at v[open], as "a, b". */
static char *
name_list(const struct toks *tk, size_t open)
{
	size_t i, end = close_paren(tk, open);
	struct buf b = BUF_INIT, w = BUF_INIT;
	int first = 1;

	for (i = open + 1; i < end; i++) {
		if (tk->v[i].type != TOK_WORD)
			continue;
		/* The first word of each item: its column. */
		if (i == open + 1 || is_punct(&tk->v[i - 1], ',')) {
			word_text(&tk->v[i], &w);
			buf_addf(&b, "%s%s", first ? "" : ", ", w.buf);
			first = 0;
		}
	}
	buf_release(&w);
	return buf_detach(&b, NULL);
}

/* A table constraint v[a, b): a PRIMARY KEY's or UNIQUE's ON CONFLICT. */
static void
text_constraint(const struct toks *tk, size_t a, size_t b,
    struct tabletext *tt)
{
	size_t open = a + 1, end, i;
	char *conflict = NULL;

	if (is_kw(&tk->v[a], "PRIMARY"))
		open++;
	if (!(is_kw(&tk->v[a], "PRIMARY") || is_kw(&tk->v[a], "UNIQUE")) ||
	    open >= b || !is_punct(&tk->v[open], '('))
		return;
	end = close_paren(tk, open);
	for (i = end + 1; i < b && conflict == NULL; i++)
		conflict = conflict_at(tk, i, b);
	if (conflict == NULL)
		return;
	if (is_kw(&tk->v[a], "PRIMARY") && tt->pk == NULL)
		tt->pk = conflict;
	else if (is_kw(&tk->v[a], "UNIQUE"))
		add_unique(tt, name_list(tk, open), conflict);
	else
		free(conflict);
}

/* A column definition v[a, b): ON CONFLICT clauses and AS (expression). */
static void
text_column(const struct toks *tk, size_t a, size_t b, struct tabletext *tt)
{
	struct coltext *c;
	struct buf gen = BUF_INIT;
	char last = 0, *conflict;
	size_t i;

	tt->c = xreallocarray(tt->c, tt->nc + 1, sizeof(*tt->c));
	c = &tt->c[tt->nc++];
	memset(c, 0, sizeof(*c));
	c->name = lower_word(&tk->v[a]);
	for (i = a + 1; i < b; i++) {
		if (is_punct(&tk->v[i], '(')) {
			i = close_paren(tk, i);
			continue;
		}
		if (is_kw(&tk->v[i], "NULL") && is_kw(&tk->v[i - 1], "NOT"))
			last = 'n';
		else if (is_kw(&tk->v[i], "PRIMARY"))
			last = 'p';
		else if (is_kw(&tk->v[i], "UNIQUE"))
			last = 'u';
		else if (is_kw(&tk->v[i], "CHECK") || is_kw(&tk->v[i],
		    "DEFAULT") || is_kw(&tk->v[i], "REFERENCES"))
			last = 0;
		else if (is_kw(&tk->v[i], "AS") && i + 1 < b &&
		    is_punct(&tk->v[i + 1], '(') && c->gen == NULL) {
			norm_range(tk, i + 2, close_paren(tk, i + 1), &gen);
			c->gen = buf_detach(&gen, NULL);
		} else if ((conflict = conflict_at(tk, i, b)) != NULL) {
			if (last == 'n' && c->notnull == NULL)
				c->notnull = conflict;
			else if (last == 'p' && tt->pk == NULL)
				tt->pk = conflict;
			else if (last == 'u')
				add_unique(tt, xstrdup(c->name), conflict);
			else
				free(conflict);
			i += 2;
		}
	}
	buf_release(&gen);
}

/* Reads the column definitions and constraints of a CREATE TABLE. */
static void
text_parse(const struct toks *tk, const char *table, struct tabletext *tt)
{
	size_t open, close, from, i, a;
	int depth = 0;

	tabletext_release(tt);
	tt->table = xstrdup(table);
	for (open = 0; open < tk->n && !is_punct(&tk->v[open], '('); open++)
		;
	close = close_paren(tk, open);
	for (i = from = open + 1; i <= close && i < tk->n; i++) {
		if (is_punct(&tk->v[i], '('))
			depth++;
		else if (is_punct(&tk->v[i], ')') && depth)
			depth--;
		else if (depth == 0 && (i == close ||
		    is_punct(&tk->v[i], ','))) {
			a = from;
			if (a + 1 < i && is_kw(&tk->v[a], "CONSTRAINT"))
				a += 2;
			if (a < i && (is_kw(&tk->v[a], "PRIMARY") ||
			    is_kw(&tk->v[a], "UNIQUE") || is_kw(&tk->v[a],
			    "CHECK") || is_kw(&tk->v[a], "FOREIGN")))
				text_constraint(tk, a, i, tt);
			else if (a < i && tk->v[a].type == TOK_WORD)
				text_column(tk, a, i, tt);
			from = i + 1;
		}
	}
}

static const struct coltext *
text_of(const struct describer *d, const char *column)
{
	size_t i;

	for (i = 0; i < d->tt.nc; i++)
		if (strcasecmp(d->tt.c[i].name, column) == 0)
			return &d->tt.c[i];
	return NULL;
}

static void
column_def(struct describer *d, sqlite3_stmt *st, const char *table)
{
	const char *type = col_str(st, 1), *dflt = col_str(st, 3);
	const struct coltext *ct = text_of(d, col_str(st, 0));
	const char *coll = NULL;
	int hidden = sqlite3_column_int(st, 5);

	if (type && *type) {
		buf_reset(&d->tmp);
		sqlite_sql_normalize(type, strlen(type), &d->tmp);
		add_upper(&d->def, d->tmp.buf);
	} else
		buf_adds(&d->def, "(no type)");
	if (sqlite3_column_int(st, 2))
		buf_addf(&d->def, " NOT NULL%s", ct && ct->notnull ?
		    ct->notnull : "");
	if (dflt) {
		buf_adds(&d->def, " DEFAULT ");
		sqlite_sql_normalize(dflt, strlen(dflt), &d->def);
	}
	if (sqlite3_table_column_metadata(d->db, "main", table,
	    col_str(st, 0), NULL, &coll, NULL, NULL, NULL) == SQLITE_OK)
		add_collate(&d->def, coll);
	if (hidden)
		buf_adds(&d->def, hidden == 1 ? " HIDDEN" : hidden == 2 ?
		    " GENERATED VIRTUAL" : " GENERATED STORED");
	if (hidden >= 2 && ct && ct->gen)
		buf_addf(&d->def, " AS (%s)", ct->gen);
}

/* A column's name as a column-order list writes it: quoted if need be. */
static void
add_order_name(struct buf *b, const char *name)
{
	const char *p;
	int plain = *name != '\0';

	for (p = name; *p; p++)
		if (!sqlite_lex_is_word_char((unsigned char)*p))
			plain = 0;
	if (plain) {
		add_lower(b, name);
		return;
	}
	buf_addch(b, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			buf_addch(b, '"');
		buf_addch(b, tolower((unsigned char)*p));
	}
	buf_addch(b, '"');
}

static int
describe_columns(struct describer *d, const char *table, struct buf *err)
{
	sqlite3_stmt *st = query(d, Q_XINFO, table, NULL);
	struct buf order = BUF_INIT;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		add_lower(&d->name, table);
		buf_addch(&d->name, '.');
		add_lower(&d->name, col_str(st, 0));
		column_def(d, st, table);
		add_obj(d, "column");
		if (order.len)
			buf_adds(&order, ", ");
		add_order_name(&order, col_str(st, 0));
	}
	sqlite3_reset(st);
	add_lower(&d->name, table);
	buf_add(&d->def, order.buf, order.len);
	add_obj(d, SCHEMA_COLUMN_ORDER);
	buf_release(&order);
	return rc == SQLITE_DONE ? 0 : fail(d, err);
}

/* "PRIMARY KEY(a, b)" in key order, or nothing for a rowid table. */
static int
primary_key(struct describer *d, const char *table, struct buf *out,
    struct buf *err)
{
	sqlite3_stmt *st = query(d, Q_PK, table, NULL);
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_adds(out, n++ ? ", " : "PRIMARY KEY(");
		add_lower(out, col_str(st, 0));
	}
	if (n)
		buf_addch(out, ')');
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(d, err);
}

/* What only the CREATE TABLE text says about the table itself. */
static void
table_flags(const struct toks *tk, struct buf *out)
{
	size_t i, body = tk->n;

	for (i = 0; i < tk->n; i++) {
		if (body == tk->n && is_punct(&tk->v[i], '('))
			body = close_paren(tk, i);
		if (is_kw(&tk->v[i], "AUTOINCREMENT"))
			buf_adds(out, " AUTOINCREMENT");
		if (i > body && is_kw(&tk->v[i], "ROWID"))
			buf_adds(out, " WITHOUT ROWID");
		if (i > body && is_kw(&tk->v[i], "STRICT"))
			buf_adds(out, " STRICT");
	}
}

/* One "constraint" per CHECK, which no pragma shows: named by its text. */
static void
table_checks(struct describer *d, const char *table, const struct toks *tk)
{
	size_t i, end;

	for (i = 0; i + 1 < tk->n; i++) {
		if (!is_kw(&tk->v[i], "CHECK") ||
		    !is_punct(&tk->v[i + 1], '('))
			continue;
		end = close_paren(tk, i + 1);
		add_lower(&d->name, table);
		buf_adds(&d->name, ".CHECK(");
		norm_range(tk, i + 2, end, &d->name);
		buf_addch(&d->name, ')');
		add_obj(d, "constraint");
	}
}

/* A foreign key being read: its rows share an id. */
struct fkey {
	struct buf from, to, parent, actions;
	int id;
};

static int primary_key(struct describer *d, const char *table,
    struct buf *out, struct buf *err);

/*
 * "REFERENCES p" names p's primary key: written so, it is the same
 * constraint as "REFERENCES p(id)".
 */
static void
parent_key(struct describer *d, struct fkey *fk)
{
	struct buf pk = BUF_INIT, ignored = BUF_INIT;

	if (primary_key(d, fk->parent.buf, &pk, &ignored) == 0 &&
	    pk.len > 13) {
		/* "PRIMARY KEY(a, b)": the list inside. */
		buf_add(&fk->to, pk.buf + 12, pk.len - 13);
	}
	buf_release(&pk);
	buf_release(&ignored);
}

static void
fkey_flush(struct describer *d, const char *table, struct fkey *fk)
{
	if (fk->id < 0)
		return;
	if (fk->to.len == 0)
		parent_key(d, fk);
	add_lower(&d->name, table);
	buf_addf(&d->name, ".FOREIGN KEY(%s)", fk->from.buf);
	buf_addf(&d->def, "REFERENCES %s", fk->parent.buf);
	if (fk->to.len)
		buf_addf(&d->def, "(%s)", fk->to.buf);
	buf_add(&d->def, fk->actions.buf, fk->actions.len);
	add_obj(d, "constraint");
	buf_reset(&fk->from);
	buf_reset(&fk->to);
	buf_reset(&fk->parent);
	buf_reset(&fk->actions);
}

/* A row of foreign_key_list: id, table, from, to, on_update, on_delete, match. */
static void
fkey_row(struct describer *d, const char *table, sqlite3_stmt *st,
    struct fkey *fk)
{
	const char *to = col_str(st, 3), *match = col_str(st, 6);

	if (sqlite3_column_int(st, 0) != fk->id) {
		fkey_flush(d, table, fk);
		fk->id = sqlite3_column_int(st, 0);
		add_lower(&fk->parent, col_str(st, 1));
		buf_addf(&fk->actions, " ON UPDATE %s ON DELETE %s",
		    col_str(st, 4), col_str(st, 5));
		if (match && strcasecmp(match, "NONE") != 0)
			buf_addf(&fk->actions, " MATCH %s", match);
	} else
		buf_adds(&fk->from, ", ");
	add_lower(&fk->from, col_str(st, 2));
	if (to) {
		buf_adds(&fk->to, fk->to.len ? ", " : "");
		add_lower(&fk->to, to);
	}
}

/* One "constraint" per foreign key, named by its columns. */
static int
foreign_keys(struct describer *d, const char *table, struct buf *err)
{
	sqlite3_stmt *st = query(d, Q_FKEYS, table, NULL);
	struct fkey fk = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, -1 };
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fkey_row(d, table, st, &fk);
	fkey_flush(d, table, &fk);
	sqlite3_reset(st);
	buf_release(&fk.from);
	buf_release(&fk.to);
	buf_release(&fk.parent);
	buf_release(&fk.actions);
	return rc == SQLITE_DONE ? 0 : fail(d, err);
}

/* Appends item k (0-based) of the list in the parentheses at v[open]. */
static void
list_item(const struct toks *tk, size_t open, int k, struct buf *out)
{
	size_t i, from = open + 1, end = close_paren(tk, open);
	int depth = 0;

	for (i = open + 1; i <= end && i < tk->n; i++) {
		if (is_punct(&tk->v[i], '('))
			depth++;
		else if (is_punct(&tk->v[i], ')') && depth)
			depth--;
		else if (depth == 0 && (i == end ||
		    is_punct(&tk->v[i], ','))) {
			if (k-- == 0) {
				norm_range(tk, from, i, out);
				return;
			}
			from = i + 1;
		}
	}
}

/* The key columns of index (by name, or as written for an expression). */
static int
index_columns(struct describer *d, const char *index, const struct toks *tk,
    size_t open, struct buf *out, struct buf *err)
{
	sqlite3_stmt *st = query(d, Q_IXINFO, index, NULL);
	int rc, k;

	for (k = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; k++) {
		if (k)
			buf_adds(out, ", ");
		if (sqlite3_column_int(st, 0) == -2 && tk) {
			list_item(tk, open, k, out);
			continue;
		}
		if (sqlite3_column_int(st, 0) == -1)
			buf_adds(out, "rowid");
		else
			add_lower(out, col_str(st, 1));
		if (sqlite3_column_int(st, 2))
			buf_adds(out, " DESC");
		add_collate(out, col_str(st, 3));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(d, err);
}

/* "[UNIQUE ]ON table(columns)[ WHERE condition]" */
static int
describe_index(struct describer *d, const char *index, const char *table,
    const char *sql, struct buf *err)
{
	struct toks tk = { NULL, 0, 0 };
	size_t open, close;
	int ret;

	tokenize(sql, &tk);
	for (open = 0; open < tk.n && !is_punct(&tk.v[open], '('); open++)
		;
	close = close_paren(&tk, open);
	if (tk.n > 1 && is_kw(&tk.v[1], "UNIQUE"))
		buf_adds(&d->def, "UNIQUE ");
	buf_adds(&d->def, "ON ");
	add_lower(&d->def, table);
	buf_addch(&d->def, '(');
	ret = index_columns(d, index, &tk, open, &d->def, err);
	buf_addch(&d->def, ')');
	if (close + 1 < tk.n && is_kw(&tk.v[close + 1], "WHERE")) {
		buf_adds(&d->def, " WHERE ");
		norm_range(&tk, close + 2, tk.n, &d->def);
	}
	add_lower(&d->name, index);
	if (ret == 0)
		add_obj(d, "index");
	free(tk.v);
	return ret;
}

/* The ON CONFLICT clause of table's UNIQUE (cols), as the def. */
static void
unique_conflict(struct describer *d, const char *table, const char *cols)
{
	size_t i;

	if (d->tt.table == NULL || strcasecmp(d->tt.table, table) != 0)
		return;
	for (i = 0; i < d->tt.nu; i++)
		if (strcmp(d->tt.u[i].cols, cols) == 0) {
			buf_adds(&d->def, d->tt.u[i].conflict + 1);
			return;
		}
}

/*
 * An index SQLite made for a UNIQUE constraint (or a primary key, which
 * the table's def already has): described as the constraint, not by the
 * name SQLite generated for it.
 */
static int
describe_autoindex(struct describer *d, const char *index, const char *table,
    struct buf *err)
{
	sqlite3_stmt *st = query(d, Q_ORIGIN, table, index);
	int rc = sqlite3_step(st), unique;

	unique = rc == SQLITE_ROW && strcmp(col_str(st, 0), "u") == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(d, err);
	if (!unique)
		return 0;
	buf_reset(&d->tmp);
	if (index_columns(d, index, NULL, 0, &d->tmp, err) < 0)
		return RUNNER_EFAIL;
	add_lower(&d->name, table);
	buf_addf(&d->name, ".UNIQUE(%s)", d->tmp.buf);
	unique_conflict(d, table, d->tmp.buf);
	add_obj(d, "constraint");
	return 0;
}

static int
describe_table(struct describer *d, const char *table, const char *sql,
    struct buf *err)
{
	struct toks tk = { NULL, 0, 0 };
	int ret;

	add_lower(&d->name, table);
	if (strncasecmp(sql, "CREATE VIRTUAL", 14) == 0) {
		sqlite_sql_normalize(sql, strlen(sql), &d->def);
		add_obj(d, "table");
		return 0;
	}
	tokenize(sql, &tk);
	text_parse(&tk, table, &d->tt);
	ret = primary_key(d, table, &d->def, err);
	if (ret < 0) {
		free(tk.v);
		return ret;
	}
	if (d->def.len == 0)
		buf_adds(&d->def, "no PRIMARY KEY");
	else if (d->tt.pk)
		buf_adds(&d->def, d->tt.pk);
	table_flags(&tk, &d->def);
	add_obj(d, "table");
	table_checks(d, table, &tk);
	free(tk.v);
	ret = describe_columns(d, table, err);
	if (ret == 0)
		ret = foreign_keys(d, table, err);
	return ret;
}

/* One row of sqlite_schema: type, name, tbl_name, sql. */
static int
describe_row(struct describer *d, sqlite3_stmt *st, struct buf *err)
{
	const char *type = col_str(st, 0), *name = col_str(st, 1);
	const char *table = col_str(st, 2), *sql = col_str(st, 3);

	if (type == NULL || name == NULL || table == NULL)
		return 0;
	if (strcmp(type, "table") == 0 && sql)
		return describe_table(d, name, sql, err);
	if (strcmp(type, "index") == 0)
		return sql ? describe_index(d, name, table, sql, err) :
		    describe_autoindex(d, name, table, err);
	if (sql == NULL)
		return 0;
	add_lower(&d->name, name);
	sqlite_sql_normalize(sql, strlen(sql), &d->def);
	add_obj(d, type);
	return 0;
}

int
sqlite_describe(sqlite3 *db, const char *table, struct schema *out,
    struct buf *err)
{
	static const char list_sql[] =
	    "SELECT type, name, tbl_name, sql FROM sqlite_schema "
	    "WHERE tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
	const char *tbl;
	struct describer d;
	sqlite3_stmt *st = NULL;
	int i, rc, ret = RUNNER_EFAIL;

	memset(&d, 0, sizeof(d));
	d.db = db;
	d.out = out;
	buf_init(&d.name);
	buf_init(&d.def);
	buf_init(&d.tmp);
	for (i = 0; i < Q_MAX; i++)
		if (sqlite3_prepare_v2(db, queries[i], -1, &d.q[i], NULL) !=
		    SQLITE_OK) {
			fail(&d, err);
			goto out;
		}
	if (sqlite3_prepare_v2(db, list_sql, -1, &st, NULL) != SQLITE_OK) {
		fail(&d, err);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tbl = (const char *)sqlite3_column_text(st, 2);
		if (tbl && tracking_is_bookkeeping(tbl, table))
			continue;
		if (describe_row(&d, st, err) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		fail(&d, err);
		goto out;
	}
	schema_sort(out);
	ret = 0;
out:
	sqlite3_finalize(st);
	for (i = 0; i < Q_MAX; i++)
		sqlite3_finalize(d.q[i]);
	buf_release(&d.name);
	buf_release(&d.def);
	buf_release(&d.tmp);
	tabletext_release(&d.tt);
	return ret;
}
