/*
 * text_mysqlsplit.c: a statement splitter following the MySQL and MariaDB
 * servers' lexical rules and the mysql client's DELIMITER command, and the
 * servers' list of statements that commit implicitly; see text_mysqlsplit.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "text_mysqlsplit.h"
#include "banned.h"

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static int
word_is(const char *w, size_t n, const char *kw)
{
	return n == strlen(kw) && strncasecmp(w, kw, n) == 0;
}

/* Past a string or backtick identifier; i is just after its opening q. */
static size_t
skip_quoted(const char *s, size_t len, size_t i, char q)
{
	while (i < len) {
		if (s[i] == '\\' && q != '`') {
			i += 2;
		} else if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q)
				i += 2;	/* a doubled quote stands for itself */
			else
				return i + 1;
		} else
			i++;
	}
	return len;
}

/*
 * The length of the comment or versioned-comment marker at s[i], or 0 when
 * there is none. A versioned comment's opening (with its version number)
 * and its closing "* /" are markers only: the text between is code.
 */
static size_t
comment_len(const char *s, size_t len, size_t i)
{
	size_t j;

	if (s[i] == '#' || (s[i] == '-' && i + 1 < len && s[i + 1] == '-' &&
	    (i + 2 == len || is_blank((unsigned char)s[i + 2])))) {
		for (j = i; j < len && s[j] != '\n'; j++)
			;
		return j - i;
	}
	if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
		return 2;	/* closes a versioned comment */
	if (s[i] != '/' || i + 1 >= len || s[i + 1] != '*')
		return 0;
	j = i + 2;
	if (j < len && s[j] == 'M' && j + 1 < len && s[j + 1] == '!')
		j++;
	if (j < len && s[j] == '!') {
		for (j++; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			;
		return j - i;
	}
	for (j = i + 2; j + 1 < len; j++)
		if (s[j] == '*' && s[j + 1] == '/')
			return j + 2 - i;
	return len - i;
}

/* Whether the comment at s[i] is a versioned comment's marker. */
static int
is_marker(const char *s, size_t i)
{
	return s[i] == '/' && (s[i + 2] == '!' || s[i + 2] == 'M');
}

/*
 * Past blanks and comments from i; with markers, past versioned comments'
 * markers too (for tokens); without, it stops at one (a statement sent to
 * the server starts there).
 */
static size_t
skip_space(const char *s, size_t len, size_t i, int markers)
{
	size_t n;

	while (i < len) {
		if (is_blank((unsigned char)s[i]))
			i++;
		else if ((n = comment_len(s, len, i)) > 0 &&
		    (markers || (s[i] != '*' && (n < 3 || !is_marker(s, i)))))
			i += n;
		else
			break;
	}
	return i;
}

size_t
mysqlsplit_token(const char *s, size_t len, size_t at,
    struct mysqlsplit_tok *t)
{
	size_t i = skip_space(s, len, at, 1), j;
	unsigned char c;

	t->off = i;
	t->len = 0;
	t->type = MYT_END;
	if (i >= len)
		return len;
	c = (unsigned char)s[i];
	if (c == '\'' || c == '"') {
		t->type = MYT_STRING;
		j = skip_quoted(s, len, i + 1, (char)c);
	} else if (c == '`') {
		t->type = MYT_IDENT;
		j = skip_quoted(s, len, i + 1, '`');
	} else if ((c == 'x' || c == 'X' || c == 'b' || c == 'B' ||
	    c == 'n' || c == 'N') && i + 1 < len && s[i + 1] == '\'') {
		t->type = MYT_STRING;
		j = skip_quoted(s, len, i + 2, '\'');
	} else if (c >= '0' && c <= '9') {
		t->type = MYT_NUMBER;
		for (j = i; j < len && (ident_char((unsigned char)s[j]) ||
		    s[j] == '.'); j++)
			;
	} else if (ident_char(c)) {
		t->type = MYT_WORD;
		for (j = i; j < len && ident_char((unsigned char)s[j]); j++)
			;
	} else {
		t->type = MYT_PUNCT;
		j = i + 1;
	}
	t->len = j - i;
	return j;
}

void
mysqlsplit_init(struct mysqlsplit *p, const char *s, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->len = len;
	p->delim[0] = ';';
	p->dlen = 1;
}

static int
fail(struct mysqlsplit *p, size_t at, const char *why)
{
	p->error = why;
	p->error_at = at;
	p->pos = p->len;
	return -1;
}

/*
 * At a statement's first token i: when it is the client's DELIMITER
 * command, takes its argument (a word, or a quoted string) as the new
 * delimiter, sets *next past the line and returns 1; 0 when it is not one.
 */
static int
delimiter_line(struct mysqlsplit *p, size_t i, size_t *next)
{
	const char *s = p->s;
	size_t j = i, k, n;
	char q = 0;

	while (j < p->len && ident_char((unsigned char)s[j]))
		j++;
	if (!word_is(s + i, j - i, "delimiter") ||
	    (j < p->len && !is_blank((unsigned char)s[j])))
		return 0;
	while (j < p->len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j < p->len && (s[j] == '\'' || s[j] == '"' || s[j] == '`'))
		q = s[j++];
	for (k = j; k < p->len && s[k] != '\n' &&
	    (q ? s[k] != q : !is_blank((unsigned char)s[k])); k++)
		;
	n = k - j;
	if (n == 0)
		return fail(p, i, "DELIMITER must be followed by a delimiter "
		    "character or string");
	if (memchr(s + j, '\\', n) != NULL)
		return fail(p, i, "DELIMITER cannot contain a backslash "
		    "character");
	if (n >= sizeof(p->delim))
		return fail(p, i, "DELIMITER is longer than 15 characters");
	memcpy(p->delim, s + j, n);
	p->delim[n] = '\0';
	p->dlen = n;
	while (k < p->len && s[k] != '\n')
		k++;
	*next = k;
	return 1;
}

/* Where the statement from i ends: the offset of its delimiter, or len. */
static size_t
statement_end(const struct mysqlsplit *p, size_t i)
{
	const char *s = p->s;
	size_t n;
	char c;

	while (i < p->len) {
		c = s[i];
		if (p->len - i >= p->dlen &&
		    memcmp(s + i, p->delim, p->dlen) == 0)
			return i;
		if (c == '\'' || c == '"' || c == '`')
			i = skip_quoted(s, p->len, i + 1, c);
		else if ((n = comment_len(s, p->len, i)) > 0)
			i += n;
		else
			i++;
	}
	return p->len;
}

int
mysqlsplit_next(struct mysqlsplit *p, size_t *start, size_t *end)
{
	size_t i, e, next;
	int r;

	for (;;) {
		i = skip_space(p->s, p->len, p->pos, 0);
		if (i >= p->len) {
			p->pos = p->len;
			return 0;
		}
		if ((r = delimiter_line(p, i, &next)) != 0) {
			if (r < 0)
				return -1;
			p->pos = next;
			continue;
		}
		e = statement_end(p, i);
		p->pos = e < p->len ? e + p->dlen : p->len;
		if (e == i)
			continue;	/* an empty statement */
		while (e > i && is_blank((unsigned char)p->s[e - 1]))
			e--;
		*start = i;
		*end = e;
		return 1;
	}
}

/* ---- classification ---- */

#define MAXWORDS 8

/* A statement's leading key words, with the clauses that do not matter
 * here (OR REPLACE, DEFINER = ..., ALGORITHM = ..., SQL SECURITY ...,
 * IF [NOT] EXISTS) left out. */
struct words {
	const char *s;
	size_t n;
	struct mysqlsplit_tok w[MAXWORDS];
};

static int
is(const struct words *ws, size_t k, const char *kw)
{
	return k < ws->n && word_is(ws->s + ws->w[k].off, ws->w[k].len, kw);
}

static size_t
skip_user(const char *s, size_t len, size_t at)
{
	struct mysqlsplit_tok t;
	size_t next = mysqlsplit_token(s, len, at, &t), after;

	if (t.type == MYT_WORD && word_is(s + t.off, t.len, "current_user")) {
		after = mysqlsplit_token(s, len, next, &t);
		if (t.type == MYT_PUNCT && s[t.off] == '(') {
			after = mysqlsplit_token(s, len, after, &t);
			return after;	/* past the ')' */
		}
		return next;
	}
	after = mysqlsplit_token(s, len, next, &t);
	if (t.type == MYT_PUNCT && s[t.off] == '@')
		return mysqlsplit_token(s, len, after, &t);
	return next;
}

static void
leading_words(const char *s, size_t len, struct words *ws)
{
	struct mysqlsplit_tok t;
	size_t at = 0, next;

	ws->s = s;
	ws->n = 0;
	while (ws->n < MAXWORDS) {
		next = mysqlsplit_token(s, len, at, &t);
		if (t.type != MYT_WORD)
			break;
		if (word_is(s + t.off, t.len, "definer") ||
		    word_is(s + t.off, t.len, "algorithm")) {
			int definer = word_is(s + t.off, t.len, "definer");

			at = mysqlsplit_token(s, len, next, &t);
			if (t.type != MYT_PUNCT || s[t.off] != '=')
				break;
			at = definer ? skip_user(s, len, at) :
			    mysqlsplit_token(s, len, at, &t);
			continue;
		}
		ws->w[ws->n++] = t;
		at = next;
		if (ws->n >= 2 && is(ws, ws->n - 2, "or") &&
		    is(ws, ws->n - 1, "replace"))
			ws->n -= 2;
		else if (ws->n >= 2 && is(ws, ws->n - 2, "sql") &&
		    is(ws, ws->n - 1, "security")) {
			ws->n -= 2;
			at = mysqlsplit_token(s, len, at, &t);
		}
	}
}

/* What CREATE, ALTER and DROP name, and which of them commit implicitly. */
#define V_CREATE 1u
#define V_ALTER 2u
#define V_DROP 4u
#define V_ALL (V_CREATE | V_ALTER | V_DROP)

struct object {
	const char *word;	/* the key word after the verb */
	const char *name;	/* as the message names it */
	const char *cluster;
	unsigned verbs;
};

static const struct object objects[] = {
	{ "table", "TABLE", NULL, V_ALL },
	{ "tables", "TABLE", NULL, V_DROP },
	{ "index", "INDEX", NULL, V_CREATE | V_DROP },
	{ "view", "VIEW", NULL, V_ALL },
	{ "trigger", "TRIGGER", NULL, V_CREATE | V_DROP },
	{ "procedure", "PROCEDURE", NULL, V_ALL },
	{ "function", "FUNCTION", NULL, V_ALL },
	{ "event", "EVENT", NULL, V_ALL },
	{ "sequence", "SEQUENCE", NULL, V_ALL },
	{ "package", "PACKAGE", NULL, V_CREATE | V_DROP },
	{ "database", "DATABASE", "databases", V_ALL },
	{ "schema", "DATABASE", "databases", V_ALL },
	{ "user", "USER", "users", V_ALL },
	{ "role", "ROLE", "roles", V_CREATE | V_DROP },
	{ "server", "SERVER", "servers", V_ALL },
	{ "tablespace", "TABLESPACE", "tablespaces", V_ALL },
	{ "logfile", "LOGFILE GROUP", "tablespaces", V_ALL },
	{ "spatial", "SPATIAL REFERENCE SYSTEM", "spatial reference systems",
	    V_CREATE | V_DROP },
	{ "resource", "RESOURCE GROUP", "resource groups", V_ALL },
	{ "instance", "INSTANCE", "server settings", V_ALTER },
};

/* The other statements of the servers' list of implicit commits. */
struct rule {
	const char *verb;	/* first key word */
	const char *object;	/* second, or NULL for any */
	const char *commits;
	const char *cluster;
};

static const struct rule rules[] = {
	{ "rename", "table", "RENAME TABLE", NULL },
	{ "rename", "tables", "RENAME TABLE", NULL },
	{ "rename", "user", "RENAME USER", "users" },
	{ "truncate", NULL, "TRUNCATE TABLE", NULL },
	{ "grant", NULL, "GRANT", "grants" },
	{ "revoke", NULL, "REVOKE", "grants" },
	{ "install", NULL, "INSTALL PLUGIN", "plugins" },
	{ "uninstall", NULL, "UNINSTALL PLUGIN", "plugins" },
	{ "lock", NULL, "LOCK TABLES", NULL },
	{ "unlock", "tables", "UNLOCK TABLES", NULL },
	{ "unlock", "table", "UNLOCK TABLES", NULL },
	{ "analyze", NULL, "ANALYZE TABLE", NULL },
	{ "check", NULL, "CHECK TABLE", NULL },
	{ "optimize", NULL, "OPTIMIZE TABLE", NULL },
	{ "repair", NULL, "REPAIR TABLE", NULL },
	{ "cache", NULL, "CACHE INDEX", NULL },
	{ "load", "index", "LOAD INDEX INTO CACHE", NULL },
	{ "flush", NULL, "FLUSH", NULL },
	{ "reset", "master", "RESET MASTER", "replication" },
	{ "reset", "slave", "RESET SLAVE", "replication" },
	{ "reset", "replica", "RESET REPLICA", "replication" },
	{ "change", NULL, "CHANGE MASTER TO", "replication" },
	{ "start", "slave", "START SLAVE", "replication" },
	{ "start", "replica", "START REPLICA", "replication" },
	{ "stop", "slave", "STOP SLAVE", "replication" },
	{ "stop", "replica", "STOP REPLICA", "replication" },
	{ "start", "transaction", "START TRANSACTION", NULL },
};

/* Words between CREATE/DROP and the object that do not change the rule. */
static size_t
object_at(const struct words *ws)
{
	size_t k = 1;

	while (is(ws, k, "unique") || is(ws, k, "fulltext") ||
	    (is(ws, k, "spatial") && (is(ws, k + 1, "index") ||
	    is(ws, k + 1, "key"))) || is(ws, k, "online") ||
	    is(ws, k, "offline") || is(ws, k, "ignore") ||
	    is(ws, k, "aggregate") || is(ws, k, "undo"))
		k++;
	return k;
}

/* Whether the statement has the bare word kw, anywhere. */
static int
has_word(const char *s, size_t len, const char *kw)
{
	struct mysqlsplit_tok t;
	size_t at = 0;

	do {
		at = mysqlsplit_token(s, len, at, &t);
		if (t.type == MYT_WORD && word_is(s + t.off, t.len, kw))
			return 1;
	} while (t.type != MYT_END);
	return 0;
}

/* SET GLOBAL x, SET PERSIST x, SET @@global.x: not SET @global = 1. */
static int
sets_global(const char *s, size_t len)
{
	struct mysqlsplit_tok t, prev[2];
	size_t at = 0;

	memset(prev, 0, sizeof(prev));
	for (;;) {
		at = mysqlsplit_token(s, len, at, &t);
		if (t.type == MYT_END)
			return 0;
		if (t.type == MYT_WORD && (word_is(s + t.off, t.len, "global") ||
		    word_is(s + t.off, t.len, "persist") ||
		    word_is(s + t.off, t.len, "persist_only")) &&
		    !(prev[1].type == MYT_PUNCT && s[prev[1].off] == '@' &&
		    !(prev[0].type == MYT_PUNCT && s[prev[0].off] == '@')))
			return 1;
		prev[0] = prev[1];
		prev[1] = t;
	}
}

static void
classify_set(const char *s, size_t len, const struct words *ws,
    struct mysqlsplit_class *c)
{
	if (is(ws, 1, "password")) {
		snprintf(c->commits, sizeof(c->commits), "SET PASSWORD");
		c->cluster = "users";
	} else if (is(ws, 1, "default") && is(ws, 2, "role")) {
		snprintf(c->commits, sizeof(c->commits), "SET DEFAULT ROLE");
		c->cluster = "roles";
	} else if (is(ws, 1, "transaction") ||
	    (is(ws, 1, "session") && is(ws, 2, "transaction"))) {
		c->txctl = 1;
	} else {
		if (sets_global(s, len))
			c->cluster = "global variables";
		/* SET autocommit = 1 commits; any SET of it is control. */
		if (has_word(s, len, "autocommit"))
			c->txctl = 1;
	}
}

/* CREATE, ALTER or DROP of an object that commits: 1, with c filled. */
static int
classify_ddl(const struct words *ws, size_t k, struct mysqlsplit_class *c)
{
	static const char *const verbs[] = { "create", "alter", "drop" };
	size_t v, i;

	for (v = 0; v < 3 && !is(ws, 0, verbs[v]); v++)
		;
	if (v == 3)
		return 0;
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if ((objects[i].verbs & (1u << v)) &&
		    is(ws, k, objects[i].word)) {
			snprintf(c->commits, sizeof(c->commits), "%s %s",
			    v == 0 ? "CREATE" : v == 1 ? "ALTER" : "DROP",
			    objects[i].name);
			c->cluster = objects[i].cluster;
			return 1;
		}
	return 1;
}

void
mysqlsplit_classify(const char *s, size_t len, struct mysqlsplit_class *c)
{
	struct words ws;
	size_t i, k;

	memset(c, 0, sizeof(*c));
	leading_words(s, len, &ws);
	if (ws.n == 0)
		return;
	if (is(&ws, 0, "set")) {
		classify_set(s, len, &ws, c);
		return;
	}
	if (is(&ws, 0, "commit") || is(&ws, 0, "rollback") ||
	    is(&ws, 0, "savepoint") || is(&ws, 0, "release") ||
	    is(&ws, 0, "xa") || (is(&ws, 0, "begin") &&
	    !is(&ws, 1, "not"))) {
		c->txctl = 1;
		if (is(&ws, 0, "begin"))
			snprintf(c->commits, sizeof(c->commits), "BEGIN");
		return;
	}
	/* CREATE TEMPORARY TABLE and DROP TEMPORARY TABLE do not commit. */
	if (is(&ws, 1, "temporary"))
		return;
	k = object_at(&ws);
	if (classify_ddl(&ws, k, c))
		return;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!is(&ws, 0, rules[i].verb))
			continue;
		if (rules[i].object != NULL && !is(&ws, 1, rules[i].object))
			continue;
		snprintf(c->commits, sizeof(c->commits), "%s",
		    rules[i].commits);
		c->cluster = rules[i].cluster;
		break;
	}
	if (c->commits[0] != '\0' && (is(&ws, 0, "lock") || is(&ws, 0, "unlock") ||
	    is(&ws, 0, "start")))
		c->txctl = 1;
}
