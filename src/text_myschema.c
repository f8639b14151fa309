/*
 * text_myschema.c: SHOW CREATE text made stable and described by meaning;
 * see text_myschema.h. It reads the server's own output, whose shape is
 * fixed: "CREATE TABLE name (", one column, key or constraint a line,
 * ") options".
 */
#include <stdlib.h>
#include <string.h>

#include "text_myschema.h"
#include "banned.h"

/*
 * The length of the quoted token at p (`ident`, 'string' or "string"):
 * up to just past its closing quote, or to the end of p.
 */
static size_t
quoted_len(const char *p)
{
	char q = p[0];
	size_t i = 1;

	while (p[i]) {
		if (p[i] == '\\' && q != '`' && p[i + 1])
			i += 2;
		else if (p[i] == q && p[i + 1] == q)
			i += 2;
		else if (p[i++] == q)
			break;
	}
	return i;
}

static int
is_quote(char c)
{
	return c == '`' || c == '\'' || c == '"';
}

/*
 * The offset of the first character of stop in s from i on, outside
 * quotes and parentheses (a ')' closing none counts), or strlen(s).
 */
static size_t
scan_to(const char *s, size_t i, const char *stop)
{
	int depth = 0;

	while (s[i]) {
		if (is_quote(s[i])) {
			i += quoted_len(s + i);
			continue;
		}
		if (depth == 0 && strchr(stop, s[i]))
			return i;
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		i++;
	}
	return i;
}

/*
 * Reads the identifier at *p, backquoted or plain (then up to a blank or a
 * parenthesis), into name without its quotes; *p goes past it.
 */
static int
read_ident(const char **p, struct buf *name)
{
	const char *s = *p;
	size_t n, i;

	buf_reset(name);
	if (*s == '`') {
		n = quoted_len(s);
		if (n < 2 || s[n - 1] != '`')
			return -1;
		for (i = 1; i < n - 1; i++) {
			buf_addch(name, s[i]);
			if (s[i] == '`')
				i++;
		}
		*p = s + n;
		return 0;
	}
	for (n = 0; s[n] && s[n] != ' ' && s[n] != '(' && s[n] != '\n'; n++)
		;
	if (n == 0)
		return -1;
	buf_add(name, s, n);
	*p = s + n;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What one line of a CREATE TABLE's body is. */
enum part { P_COLUMN, P_PRIMARY, P_INDEX, P_CONSTRAINT, P_OTHER };

struct item {
	enum part part;
	const char *text;	/* the line, without its comma */
	size_t len;
	const char *type;	/* P_INDEX: "", "UNIQUE ", "FULLTEXT " ... */
	struct buf name;	/* unquoted */
	const char *ident;	/* P_INDEX: the name as written, its length */
	size_t ident_len;
	const char *rest;	/* after the name */
};

/* Index lines, by what they start with: CREATE INDEX's word for each. */
static const struct {
	const char *key, *type;
} index_kinds[] = {
	{ "KEY ", "" }, { "UNIQUE KEY ", "UNIQUE " },
	{ "FULLTEXT KEY ", "FULLTEXT " }, { "SPATIAL KEY ", "SPATIAL " },
	{ "VECTOR KEY ", "VECTOR " }, { "INDEX ", "" },
};

/* Sorts out one body line, it->text (a NUL-terminated copy). */
static int
item_read(struct item *it)
{
	const char *p = it->text;
	size_t i;

	if (starts(p, "PRIMARY KEY ")) {
		it->part = P_PRIMARY;
		buf_adds(&it->name, "PRIMARY");
		return 0;
	}
	if (starts(p, "PERIOD FOR ")) {
		it->part = P_OTHER;
		return 0;
	}
	for (i = 0; i < sizeof(index_kinds) / sizeof(index_kinds[0]); i++)
		if (starts(p, index_kinds[i].key)) {
			it->part = P_INDEX;
			it->type = index_kinds[i].type;
			p += strlen(index_kinds[i].key);
			it->ident = p;
			if (read_ident(&p, &it->name) < 0)
				return -1;
			it->ident_len = (size_t)(p - it->ident);
			it->rest = p;
			return 0;
		}
	if (starts(p, "CONSTRAINT ")) {
		it->part = P_CONSTRAINT;
		p += strlen("CONSTRAINT ");
		if (read_ident(&p, &it->name) < 0 || *p != ' ')
			return -1;
		it->rest = p + 1;
		return 0;
	}
	it->part = P_COLUMN;
	if (read_ident(&p, &it->name) < 0)
		return -1;
	it->rest = *p == ' ' ? p + 1 : p;
	return 0;
}

/* Appends opts without its AUTO_INCREMENT=N (the counter moves with data). */
static void
strip_counter(const char *opts, struct buf *out)
{
	static const char key[] = "AUTO_INCREMENT=";
	const char *p = opts;
	size_t n;

	while (*p) {
		if (is_quote(*p)) {
			n = quoted_len(p);
			buf_add(out, p, n);
			p += n;
		} else if ((p == opts || p[-1] == ' ') && starts(p, key)) {
			p += sizeof(key) - 1;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p == ' ')
				p++;
			else if (out->len && out->buf[out->len - 1] == ' ')
				out->buf[--out->len] = '\0';
		} else
			buf_addch(out, *p++);
	}
}

/* Appends a column's name to a column order, quoted when it must be. */
static void
order_name(const char *name, struct buf *out)
{
	const char *p;

	if (strchr(name, ',') == NULL && strchr(name, '"') == NULL) {
		buf_adds(out, name);
		return;
	}
	buf_addch(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			buf_addch(out, '"');
		buf_addch(out, *p);
	}
	buf_addch(out, '"');
}

struct table {
	const char *name;
	const char *head;	/* "CREATE TABLE name (" */
	size_t head_len;
	const char *ident;	/* the name as written, and its length */
	size_t ident_len;
	struct item *v;
	size_t n;
	struct buf opts;	/* without the counter */
};

/* Whether index it is named after one of the table's foreign keys. */
static int
names_foreign_key(const struct table *t, const struct item *it)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].part == P_CONSTRAINT &&
		    starts(t->v[i].rest, "FOREIGN KEY ") &&
		    strcmp(t->v[i].name.buf, it->name.buf) == 0)
			return 1;
	return 0;
}

/* Whether it stays in the CREATE TABLE rather than a CREATE INDEX. */
static int
inline_item(const struct table *t, const struct item *it)
{
	return it->part != P_INDEX || names_foreign_key(t, it);
}

static void
table_ddl(const struct table *t, struct buf *ddl)
{
	const struct item *it;
	size_t i;
	int first = 1;

	buf_add(ddl, t->head, t->head_len);
	for (i = 0; i < t->n; i++) {
		if (!inline_item(t, &t->v[i]))
			continue;
		buf_adds(ddl, first ? "\n  " : ",\n  ");
		buf_add(ddl, t->v[i].text, t->v[i].len);
		first = 0;
	}
	buf_addf(ddl, "\n)%s%s;\n", t->opts.len ? " " : "", t->opts.buf);
	for (i = 0; i < t->n; i++) {
		it = &t->v[i];
		if (inline_item(t, it))
			continue;
		buf_addf(ddl, "CREATE %sINDEX ", it->type);
		buf_add(ddl, it->ident, it->ident_len);
		buf_adds(ddl, " ON ");
		buf_add(ddl, t->ident, t->ident_len);
		buf_addf(ddl, "%s;\n", it->rest);
	}
}

static void
add_part(struct schema *out, const char *kind, const char *table,
    const char *part, const char *def)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s.%s", table, part);
	schema_add(out, kind, name.buf, def);
	buf_release(&name);
}

static void
table_describe(const struct table *t, struct schema *out)
{
	struct buf def = BUF_INIT, order = BUF_INIT;
	const struct item *it;
	size_t i;

	for (i = 0; i < t->n; i++) {
		it = &t->v[i];
		buf_reset(&def);
		if (it->part == P_COLUMN) {
			add_part(out, "column", t->name, it->name.buf,
			    it->rest);
			if (order.len)
				buf_adds(&order, ", ");
			order_name(it->name.buf, &order);
		} else if (it->part == P_PRIMARY)
			add_part(out, "index", t->name, it->name.buf, it->text);
		else if (it->part == P_INDEX) {
			buf_addf(&def, "%sKEY%s", it->type, it->rest);
			add_part(out, "index", t->name, it->name.buf, def.buf);
		} else if (it->part == P_CONSTRAINT)
			add_part(out, "constraint", t->name, it->name.buf,
			    it->rest);
	}
	/* The table's options, and what else it holds (PERIOD FOR ...). */
	buf_reset(&def);
	buf_adds(&def, t->opts.buf);
	for (i = 0; i < t->n; i++)
		if (t->v[i].part == P_OTHER)
			buf_addf(&def, "; %s", t->v[i].text);
	schema_add(out, "table", t->name, def.buf);
	schema_add(out, SCHEMA_COLUMN_ORDER, t->name, order.buf);
	buf_release(&def);
	buf_release(&order);
}

static void
table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free((char *)t->v[i].text);
		buf_release(&t->v[i].name);
	}
	free(t->v);
	buf_release(&t->opts);
}

/* Splits create's body into items; -1 when it is not a CREATE TABLE. */
static int
table_read(struct table *t, const char *create)
{
	static const char head[] = "CREATE TABLE ";
	size_t i, start, end;
	struct item *it;

	if (!starts(create, head))
		return -1;
	i = scan_to(create, sizeof(head) - 1, "(");
	if (create[i] != '(')
		return -1;
	t->head = create;
	t->head_len = i + 1;
	t->ident = create + sizeof(head) - 1;
	t->ident_len = i - (sizeof(head) - 1);
	while (t->ident_len && t->ident[t->ident_len - 1] == ' ')
		t->ident_len--;
	for (i++; create[i] != ')'; i++) {
		start = i;
		i = scan_to(create, i, ",)");
		if (create[i] == '\0')
			return -1;
		for (end = i; end > start && strchr(" \n", create[end - 1]);
		    end--)
			;
		while (start < end && strchr(" \n", create[start]))
			start++;
		if (start == end)
			return -1;
		t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
		it = &t->v[t->n++];
		memset(it, 0, sizeof(*it));
		buf_init(&it->name);
		it->len = end - start;
		it->text = xstrndup(create + start, it->len);
		if (item_read(it) < 0)
			return -1;
		if (create[i] == ')')
			break;
	}
	for (i++; create[i] == ' '; i++)
		;
	strip_counter(create + i, &t->opts);
	return 0;
}

int
myschema_table(const char *name, const char *create, struct buf *ddl,
    struct schema *out)
{
	struct table t;
	int ret;

	memset(&t, 0, sizeof(t));
	buf_init(&t.opts);
	t.name = name;
	ret = table_read(&t, create);
	if (ret == 0 && ddl)
		table_ddl(&t, ddl);
	if (ret == 0 && out)
		table_describe(&t, out);
	table_release(&t);
	return ret;
}

/* Past DEFINER=user@host (each part backquoted or plain) and its blank. */
static const char *
past_definer(const char *p)
{
	p += strlen("DEFINER=");
	if (*p == '`')
		p += quoted_len(p);
	else
		p += strcspn(p, "@ ");
	if (*p == '@')
		p++;
	if (*p == '`')
		p += quoted_len(p);
	else
		p += strcspn(p, " ");
	return *p == ' ' ? p + 1 : p;
}

/* Appends an event's text but its STARTS time, which is when it was made. */
static void
strip_starts(const char *p, struct buf *out)
{
	static const char key[] = " STARTS '";
	size_t n;

	while (*p && !starts(p, " DO ")) {
		if (is_quote(*p)) {
			n = quoted_len(p);
			buf_add(out, p, n);
			p += n;
		} else if (starts(p, key))
			p += sizeof(key) - 2 + quoted_len(p + sizeof(key) - 2);
		else
			buf_addch(out, *p++);
	}
	buf_adds(out, p);
}

void
myschema_clean(const char *create, struct buf *out)
{
	const char *p = create;
	size_t n;

	if (!starts(p, "CREATE ")) {
		buf_adds(out, create);
		return;
	}
	buf_adds(out, "CREATE ");
	p += strlen("CREATE ");
	for (;;) {
		if (starts(p, "ALGORITHM=UNDEFINED "))
			p += strlen("ALGORITHM=UNDEFINED ");
		else if (starts(p, "SQL SECURITY DEFINER "))
			p += strlen("SQL SECURITY DEFINER ");
		else if (starts(p, "DEFINER="))
			p = past_definer(p);
		else if (starts(p, "ALGORITHM=")) {
			n = strcspn(p, " ") + (p[strcspn(p, " ")] == ' ');
			buf_add(out, p, n);
			p += n;
		} else
			break;
	}
	if (starts(p, "EVENT "))
		strip_starts(p, out);
	else
		buf_adds(out, p);
}
