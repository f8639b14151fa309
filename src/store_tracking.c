/*
 * store_tracking.c: the tracking table's rows and the SQL that names it
 * and its drift table, for every driver.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text_version.h"
#include "store_tracking.h"
#include "banned.h"

const char *const tracking_extra[TRACKING_NEXTRA] = {
	"duration_ms", "down_sql", "down_options", "state", "error"
};

#define OR_TEXT(t) ((t) ? (t) : "TEXT")

static void
add_extra_decl(struct buf *sql, const struct tracking_dialect *d, size_t i)
{
	if (i == 0)
		buf_adds(sql, d->duration);
	else if (strcmp(tracking_extra[i], "state") == 0)
		buf_addf(sql, "%s NOT NULL DEFAULT '" STATE_APPLIED "'",
		    OR_TEXT(d->short_text));
	else
		buf_adds(sql, OR_TEXT(d->long_text));
}

void
tracking_ddl(struct buf *sql, const struct tracking_dialect *d,
    const char *table, int exists, unsigned have)
{
	struct buf t = BUF_INIT;
	size_t i;

	tracking_sql_q(&t, table, "{T}", d->quote);
	if (exists) {
		/* Adopt an older (Story Hub) table: add what it lacks. */
		for (i = 0; i < TRACKING_NEXTRA; i++)
			if (!(have & (1u << i))) {
				buf_addf(sql, "ALTER TABLE %s ADD COLUMN %s ",
				    t.buf, tracking_extra[i]);
				add_extra_decl(sql, d, i);
				buf_addch(sql, ';');
			}
		buf_release(&t);
		return;
	}
	buf_addf(sql, "CREATE TABLE %s (\n"
	    "    id %s,\n"
	    "    version %s UNIQUE NOT NULL,\n"
	    "    name %s NOT NULL DEFAULT '',\n"
	    "    applied_at %s,\n"
	    "    checksum %s", t.buf, d->id, OR_TEXT(d->key_text),
	    OR_TEXT(d->short_text), d->applied_at, OR_TEXT(d->long_text));
	for (i = 0; i < TRACKING_NEXTRA; i++) {
		buf_addf(sql, ",\n    %s ", tracking_extra[i]);
		add_extra_decl(sql, d, i);
	}
	buf_adds(sql, "\n)");
	if (d->table_options)
		buf_adds(sql, d->table_options);
	buf_release(&t);
}

void
tracking_select(struct buf *sql, const struct tracking_dialect *d,
    const char *table, unsigned have)
{
	size_t i;

	buf_addf(sql, "SELECT version, name, %s, checksum",
	    d->applied_at_text);
	for (i = 0; i < TRACKING_NEXTRA; i++)
		if (!(have & (1u << i)))
			buf_adds(sql, ", NULL");
		else if (strcmp(tracking_extra[i], "down_sql") == 0)
			buf_adds(sql, ", down_sql IS NOT NULL");
		else
			buf_addf(sql, ", %s", tracking_extra[i]);
	tracking_sql_q(sql, table, " FROM {T}", d->quote);
}

/* Appends s quoted with q, which is doubled inside. */
static void
add_quoted(struct buf *out, const char *s, char q)
{
	buf_addch(out, q);
	for (; *s; s++) {
		if (*s == q)
			buf_addch(out, q);
		buf_addch(out, *s);
	}
	buf_addch(out, q);
}

/*
 * Whether name needs no quotes in SQLite and PostgreSQL alike: lowercase
 * (PostgreSQL folds unquoted names) and not a keyword either reserves.
 */
static int
plain_ident(const char *name)
{
	static const char *const reserved[] = {
		"all", "and", "as", "by", "check", "create", "default",
		"delete", "drop", "from", "group", "in", "index", "insert",
		"into", "is", "key", "limit", "not", "null", "offset", "on",
		"or", "order", "primary", "references", "select", "set",
		"table", "to", "union", "update", "user", "values", "where",
		NULL
	};
	const char *p;
	size_t i;

	if (*name == '\0' || (*name >= '0' && *name <= '9'))
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return 0;
	for (i = 0; reserved[i]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return 0;
	return 1;
}

void
tracking_sql(struct buf *out, const char *table, const char *tmpl)
{
	tracking_sql_q(out, table, tmpl, '"');
}

void
tracking_sql_q(struct buf *out, const char *table, const char *tmpl,
    char quote)
{
	struct buf ident = BUF_INIT;
	const char *p;

	if (plain_ident(table))
		buf_adds(&ident, table);
	else
		add_quoted(&ident, table, quote ? quote : '"');
	for (p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] && p[2] == '}' && strchr("TLN", p[1])) {
			if (p[1] == 'T')
				buf_add(out, ident.buf, ident.len);
			else
				add_quoted(out, p[1] == 'L' ? ident.buf : table,
				    '\'');
			p += 2;
		} else
			buf_addch(out, *p);
	}
	buf_release(&ident);
}

void
drift_sql(struct buf *out, const char *table, const char *tmpl)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s" DRIFT_SUFFIX, table);
	tracking_sql(out, name.buf, tmpl);
	buf_release(&name);
}

int
tracking_is_drift(const char *name, const char *table)
{
	size_t n = strlen(table);

	return strncasecmp(name, table, n) == 0 &&
	    strcasecmp(name + n, DRIFT_SUFFIX) == 0;
}

void
tracking_kept_name(struct buf *out, const char *table, const char *tool)
{
	buf_addf(out, "%s_", table);
	for (; *tool; tool++)
		buf_addch(out, *tool == '-' ? '_' : *tool);
}

/* Other tools' default tables, and the suffixes adopt keeps them under. */
static const char *const peer_tables[] = {
	"schema_migrations", "goose_db_version", "flyway_schema_history",
	"_sqlx_migrations", "__diesel_schema_migrations", NULL
};
static const char *const peer_suffixes[] = {
	"_dbmate", "_goose", "_golang_migrate", "_flyway", "_sqlx", "_diesel",
	NULL
};

int
tracking_is_bookkeeping(const char *name, const char *table)
{
	size_t i, n = strlen(table);

	if (strcasecmp(name, table) == 0 || tracking_is_drift(name, table))
		return 1;
	for (i = 0; peer_tables[i]; i++)
		if (strcasecmp(name, peer_tables[i]) == 0)
			return 1;
	if (strncasecmp(name, table, n) != 0)
		return 0;
	for (i = 0; peer_suffixes[i]; i++)
		if (strcasecmp(name + n, peer_suffixes[i]) == 0)
			return 1;
	return 0;
}

/* Whether the column list (each name followed by '\n') holds col. */
static int
has_column(const char *cols, const char *col)
{
	size_t n = strlen(col);
	const char *p;

	for (p = cols; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, col, n) == 0 && p[n] == '\n')
			return 1;
	return 0;
}

unsigned
tracking_columns(const char *cols, int exists, enum tracking_found *found)
{
	unsigned have = 0;
	size_t i;

	for (i = 0; i < TRACKING_NEXTRA; i++)
		if (has_column(cols, tracking_extra[i]))
			have |= 1u << i;
	if (!exists)
		*found = TRACKING_NONE;
	else if (has_column(cols, "version") && has_column(cols, "name"))
		*found = TRACKING_OURS;
	else
		*found = TRACKING_OTHER;
	return have;
}

int
tracking_name_valid(const char *name)
{
	size_t i;

	if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' &&
	    *name <= 'Z') || *name == '_'))
		return 0;
	for (i = 1; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '_'))
			return 0;
	/*
	 * PostgreSQL cuts identifiers at 63 bytes: the names derived from it
	 * (<name>_drift, adopt's <name>_golang_migrate) must fit too.
	 */
	return i <= TRACKING_NAME_MAX;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
applied_from_text(struct applied *a, const char *const v[TRACKING_NCOLS])
{
	memset(a, 0, sizeof(*a));
	a->version = xstrdup(v[0] ? v[0] : "");
	a->name = xstrdup(v[1] ? v[1] : "");
	a->applied_at = dup_or_null(v[2]);
	a->checksum = dup_or_null(v[3]);
	a->duration_ms = v[4] ? strtod(v[4], NULL) : -1;
	a->has_down = v[5] && (v[5][0] == '1' || v[5][0] == 't');
	a->down_options = dup_or_null(v[6]);
	a->state = dup_or_null(v[7]);
	a->error = dup_or_null(v[8]);
}

void
applied_collect(void *arg, const char *const v[TRACKING_NCOLS])
{
	struct applied_set *s = arg;

	/* Grows by powers of two: n itself says when it is full. */
	if ((s->n & (s->n - 1)) == 0 && s->n >= 32)
		s->v = xreallocarray(s->v, 2 * s->n, sizeof(*s->v));
	else if (s->n == 0)
		s->v = xreallocarray(NULL, 32, sizeof(*s->v));
	applied_from_text(&s->v[s->n++], v);
}


const char drift_table_ddl[] =
    "CREATE TABLE IF NOT EXISTS {T} (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    header TEXT NOT NULL,\n"
    "    objects TEXT NOT NULL\n"
    ")";
