/*
 * store_mysql_schema.c: the MySQL/MariaDB schema as runner reads it: the
 * server's own SHOW CREATE text of every object of the database, made
 * stable (text_myschema.c), serves show-schema and describe alike, so they
 * cannot disagree about what is in the schema; a fingerprint of
 * information_schema tells status, in one query, whether it changed since
 * the drift record was written.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "text_myschema.h"
#include "store_mysql.h"
#include "banned.h"

/* The server's error for a table that does not exist. */
#define MY_NO_SUCH_TABLE 1146

/* Groups, in show-schema's order; a table's triggers print with it. */
enum { G_SEQUENCE, G_TABLE, G_ROUTINE, G_VIEW, G_EVENT };

struct obj {
	int grp;
	char *tbl;	/* the table a trigger is on; else the name */
	int ord;	/* 0: the object itself; 1: a trigger of tbl */
	const char *kind;	/* describe's */
	char *name;	/* describe's ("table.trigger" for a trigger) */
	char *text;	/* SHOW CREATE's; cleaned but for a table's */
};

struct objs {
	struct obj *v;
	size_t n;
	struct my_store *s;
	int all;	/* the tracking table too (show-schema) */
};

static void
objs_release(struct objs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].tbl);
		free(o->v[i].name);
		free(o->v[i].text);
	}
	free(o->v);
}

static int
obj_cmp(const void *pa, const void *pb)
{
	const struct obj *a = pa, *b = pb;
	int c;

	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	if ((c = strcmp(a->tbl, b->tbl)) != 0)
		return c;
	if (a->ord != b->ord)
		return a->ord < b->ord ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * What each kind of object is: its group, the SHOW CREATE that gives its
 * text, that statement's column count and the column of the text.
 */
static const struct kind {
	const char *type;	/* as information_schema names it */
	const char *kind;
	int grp;
	const char *show;
	int ncols, col;
} kinds[] = {
	{ "BASE TABLE", "table", G_TABLE, "TABLE", 2, 1 },
	{ "SYSTEM VERSIONED", "table", G_TABLE, "TABLE", 2, 1 },
	{ "SEQUENCE", "sequence", G_SEQUENCE, "SEQUENCE", 2, 1 },
	{ "VIEW", "view", G_VIEW, "VIEW", 4, 1 },
	{ "TRIGGER", "trigger", G_TABLE, "TRIGGER", 7, 2 },
	{ "PROCEDURE", "procedure", G_ROUTINE, "PROCEDURE", 6, 2 },
	{ "FUNCTION", "function", G_ROUTINE, "FUNCTION", 6, 2 },
	{ "EVENT", "event", G_EVENT, "EVENT", 7, 3 },
};

/* Every object of the database: its name, type and (a trigger's) table. */
static const char list_sql[] =
    "SELECT TABLE_NAME, TABLE_TYPE, NULL FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() "
    "UNION ALL SELECT TRIGGER_NAME, 'TRIGGER', EVENT_OBJECT_TABLE "
    "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
    "UNION ALL SELECT ROUTINE_NAME, ROUTINE_TYPE, NULL "
    "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
    "AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') "
    "UNION ALL SELECT EVENT_NAME, 'EVENT', NULL "
    "FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()";

/* Whether table is one runner leaves out: bookkeeping, or (all) its own. */
static int
left_out(const struct objs *o, const char *table)
{
	const char *tracking = o->s->base.table;

	return o->all ? tracking_is_drift(table, tracking) :
	    tracking_is_bookkeeping(table, tracking);
}

static int
list_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct objs *o = arg;
	const struct kind *k = NULL;
	struct obj *ob;
	size_t i;

	(void)len;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && v[1]; i++)
		if (strcmp(v[1], kinds[i].type) == 0)
			k = &kinds[i];
	/* Temporary tables, packages: not part of the schema. */
	if (k == NULL || v[0] == NULL)
		return 0;
	if (left_out(o, k->grp == G_TABLE && v[2] ? v[2] : v[0]))
		return 0;
	o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
	ob = &o->v[o->n++];
	memset(ob, 0, sizeof(*ob));
	ob->grp = k->grp;
	ob->kind = k->kind;
	ob->tbl = xstrdup(v[2] ? v[2] : v[0]);
	ob->ord = v[2] != NULL;
	ob->name = xstrdup(v[0]);
	return 0;
}

struct text {
	int col;
	struct buf *out;
};

static int
text_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct text *t = arg;

	if (v[t->col])
		buf_add(t->out, v[t->col], len[t->col]);
	return 0;
}

/* ob's SHOW CREATE text, into ob->text. */
static int
read_text(struct my_store *s, struct obj *ob, struct buf *err)
{
	const struct kind *k = NULL;
	struct buf sql = BUF_INIT, text = BUF_INIT, clean = BUF_INIT;
	struct text t;
	size_t i;
	int ret;

	for (i = 0; k == NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(ob->kind, kinds[i].kind) == 0)
			k = &kinds[i];
	buf_addf(&sql, "SHOW CREATE %s ", k->show);
	my_quote_ident(&sql, ob->name);
	t.col = k->col;
	t.out = &text;
	ret = my_query(s, sql.buf, k->ncols, text_row, &t, "cannot read the "
	    "schema", err);
	if (ret == 0 && strcmp(ob->kind, "table") != 0) {
		myschema_clean(text.buf, &clean);
		ob->text = buf_detach(&clean, NULL);
	} else if (ret == 0)
		ob->text = buf_detach(&text, NULL);
	buf_release(&sql);
	buf_release(&text);
	buf_release(&clean);
	return ret;
}

/*
 * Reads every object the schema holds (all: the tracking table too),
 * sorted in show-schema's order, with its text. Identifiers are quoted
 * only where they must be (sql_quote_show_create off), as show-schema
 * prints them, for this read only.
 */
static int
read_objects(struct my_store *s, int all, struct objs *o, struct buf *err)
{
	struct buf ignore = BUF_INIT;
	size_t i;
	int ret;

	memset(o, 0, sizeof(*o));
	o->s = s;
	o->all = all;
	ret = my_query(s, list_sql, 3, list_row, o, "cannot read the schema",
	    err);
	if (ret == 0)
		ret = my_run(s, "SET SESSION sql_quote_show_create = 0",
		    "cannot read the schema", err);
	for (i = 0; ret == 0 && i < o->n; i++)
		ret = read_text(s, &o->v[i], err);
	(void)my_run(s, "SET SESSION sql_quote_show_create = 1",
	    "cannot read the schema", &ignore);
	buf_release(&ignore);
	if (ret == 0 && o->n)
		qsort(o->v, o->n, sizeof(*o->v), obj_cmp);
	return ret;
}

/* A statement with ; in it (a routine's body) needs another delimiter. */
static void
add_statement(struct buf *out, const char *text)
{
	if (strchr(text, ';'))
		buf_addf(out, "DELIMITER ;;\n%s;;\nDELIMITER ;\n", text);
	else
		buf_addf(out, "%s;\n", text);
}

int
my_schema(struct store *base, struct buf *out, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct obj *ob, *prev = NULL;
	struct objs o;
	size_t i;
	int ret;

	ret = read_objects(s, 1, &o, err);
	/* Tables come in name order: one may refer to one further on. */
	if (ret == 0 && o.n)
		buf_adds(out, "SET FOREIGN_KEY_CHECKS = 0;\n");
	for (i = 0; ret == 0 && i < o.n; i++) {
		ob = &o.v[i];
		if (prev == NULL || prev->grp != ob->grp ||
		    strcmp(prev->tbl, ob->tbl) != 0)
			buf_addch(out, '\n');
		prev = ob;
		if (strcmp(ob->kind, "table") != 0 ||
		    myschema_table(ob->name, ob->text, out, NULL) < 0)
			add_statement(out, ob->text);
	}
	if (ret == 0 && o.n)
		buf_adds(out, "\nSET FOREIGN_KEY_CHECKS = 1;\n");
	objs_release(&o);
	return ret;
}

int
my_describe(struct store *base, struct schema *out, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf name = BUF_INIT;
	struct obj *ob;
	struct objs o;
	size_t i;
	int ret;

	ret = read_objects(s, 0, &o, err);
	for (i = 0; ret == 0 && i < o.n; i++) {
		ob = &o.v[i];
		buf_reset(&name);
		if (ob->ord)
			buf_addf(&name, "%s.", ob->tbl);
		buf_adds(&name, ob->name);
		/* Text it cannot take apart still compares whole. */
		if (strcmp(ob->kind, "table") != 0 ||
		    myschema_table(ob->name, ob->text, NULL, out) < 0)
			schema_add(out, ob->kind, name.buf, ob->text);
	}
	objs_release(&o);
	buf_release(&name);
	schema_sort(out);
	return ret;
}

/*
 * The catalogs a fingerprint sums, and the columns of each that describe's
 * text depends on (never the counters, row counts and times that move with
 * the data). TABLES' CREATE_TIME changes at every ALTER TABLE (the server
 * writes the table's definition anew), the rest catches a change within
 * the same second. KEY_COLUMN_USAGE and TABLE_CONSTRAINTS are left out:
 * they open every table in full, which would make status several times
 * slower, and what they hold shows in STATISTICS, REFERENTIAL_CONSTRAINTS
 * and CHECK_CONSTRAINTS or in CREATE_TIME. Triggers come from SHOW
 * TRIGGERS, four times as fast as information_schema.TRIGGERS.
 */
static const struct {
	const char *table, *schema, *owner, *cols;
} catalogs[] = {
	{ "TABLES", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_NAME, TABLE_TYPE, "
	    "ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT, "
	    "CREATE_TIME" },
	{ "COLUMNS", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_NAME, COLUMN_NAME, "
	    "ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, "
	    "COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION" },
	{ "STATISTICS", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_NAME, INDEX_NAME, "
	    "SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, "
	    "INDEX_COMMENT, COLLATION" },
	{ "REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME",
	    "TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, "
	    "UNIQUE_CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE" },
	{ "CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME", "TABLE_NAME, "
	    "CONSTRAINT_NAME, CHECK_CLAUSE" },
	{ "ROUTINES", "ROUTINE_SCHEMA", NULL, "ROUTINE_TYPE, ROUTINE_NAME, "
	    "DTD_IDENTIFIER, ROUTINE_DEFINITION, IS_DETERMINISTIC, "
	    "SQL_DATA_ACCESS, SECURITY_TYPE, CREATED, LAST_ALTERED, "
	    "ROUTINE_COMMENT" },
	{ "PARAMETERS", "SPECIFIC_SCHEMA", NULL, "SPECIFIC_NAME, ROUTINE_TYPE, "
	    "ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, "
	    "DTD_IDENTIFIER" },
	{ "VIEWS", "TABLE_SCHEMA", NULL, "TABLE_NAME, VIEW_DEFINITION, "
	    "CHECK_OPTION, SECURITY_TYPE, ALGORITHM" },
	{ "EVENTS", "EVENT_SCHEMA", NULL, "EVENT_NAME, EVENT_DEFINITION, "
	    "EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, ENDS, "
	    "STATUS, ON_COMPLETION, CREATED, LAST_ALTERED, EVENT_COMMENT" },
};

/* Appends "QUOTE(a), QUOTE(b), ...": NULL and '' hash apart. */
static void
quoted_cols(struct buf *sql, const char *cols)
{
	size_t n;

	while (*cols) {
		n = strcspn(cols, ",");
		buf_adds(sql, "QUOTE(");
		buf_add(sql, cols, n);
		buf_addch(sql, ')');
		cols += n;
		if (*cols) {
			buf_adds(sql, ", ");
			cols += strspn(cols, ", ");
		}
	}
}

/*
 * One query: for each catalog, how many rows of this database it has and
 * the sum of a 64-bit hash of each row. The tracking and drift tables are
 * left out: the drift table is created after the first fingerprint is
 * taken, which must still match.
 */
static void
fingerprint_sql(struct my_store *s, struct buf *sql)
{
	struct buf drift = BUF_INIT;
	size_t i;

	buf_addf(&drift, "%s" DRIFT_SUFFIX, s->base.table);
	buf_adds(sql, "SELECT CONCAT_WS(',', 'my'");
	for (i = 0; i < sizeof(catalogs) / sizeof(catalogs[0]); i++) {
		buf_adds(sql, ", (SELECT CONCAT(COUNT(*), '.', COALESCE(SUM("
		    "CAST(CONV(LEFT(MD5(CONCAT_WS('/', ");
		quoted_cols(sql, catalogs[i].cols);
		buf_addf(sql, ")), 16), 16, 10) AS UNSIGNED)), 0)) "
		    "FROM information_schema.%s WHERE %s = DATABASE()",
		    catalogs[i].table, catalogs[i].schema);
		if (catalogs[i].owner) {
			buf_addf(sql, " AND %s NOT IN (", catalogs[i].owner);
			my_quote(s, sql, s->base.table);
			buf_adds(sql, ", ");
			my_quote(s, sql, drift.buf);
			buf_addch(sql, ')');
		}
		buf_addch(sql, ')');
	}
	buf_addch(sql, ')');
	buf_release(&drift);
}

static int
fp_row(void *arg, const char *const *v, const unsigned long *len)
{
	if (v[0])
		buf_add(arg, v[0], len[0]);
	return 0;
}

/* SHOW TRIGGERS' columns a trigger's text depends on, in its order. */
enum { T_NAME, T_EVENT, T_TABLE, T_STATEMENT, T_TIMING, T_CREATED, T_NCOLS };

struct triggers {
	struct my_store *s;
	struct schema_digest d;
	struct buf def;
};

static int
trigger_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct triggers *t = arg;
	int i;

	(void)len;
	if (v[T_NAME] == NULL || v[T_TABLE] == NULL ||
	    strcmp(v[T_TABLE], t->s->base.table) == 0)
		return 0;
	buf_reset(&t->def);
	for (i = T_EVENT; i < T_NCOLS; i++)
		buf_addf(&t->def, "%s\n", v[i] ? v[i] : "");
	schema_digest_add(&t->d, schema_obj_hash("trigger", v[T_NAME],
	    t->def.buf));
	return 0;
}

int
my_fingerprint(struct store *base, struct buf *out, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct triggers t = { s, SCHEMA_DIGEST_INIT, BUF_INIT };
	char d[SCHEMA_DIGEST_LEN];
	struct buf sql = BUF_INIT;
	int ret;

	fingerprint_sql(s, &sql);
	ret = my_query(s, sql.buf, 1, fp_row, out, "cannot read the schema",
	    err);
	if (ret == 0)
		ret = my_query(s, "SHOW TRIGGERS", T_NCOLS, trigger_row, &t,
		    "cannot read the schema", err);
	if (ret == 0) {
		schema_digest_format(&t.d, d);
		buf_addf(out, ",t%s", d);
	}
	buf_release(&sql);
	buf_release(&t.def);
	return ret;
}

/* A record keeps describe's own objects: they are their description. */
int
my_objects(struct store *s, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err)
{
	struct schema objs = SCHEMA_INIT;
	size_t i;
	int ret;

	ret = my_describe(s, &objs, err);
	for (i = 0; ret == 0 && i < objs.n; i++)
		each(arg, objs.v[i].kind, objs.v[i].name, objs.v[i].def);
	schema_release(&objs);
	return ret;
}

int
my_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err)
{
	size_t i;

	(void)err;
	for (i = 0; i < objs->n; i++)
		schema_add(out, objs->v[i].kind, objs->v[i].name,
		    objs->v[i].def);
	schema_sort(out);
	return 0;
}

/* The drift table's name, quoted, into out. */
static void
drift_ident(struct my_store *s, struct buf *out)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s" DRIFT_SUFFIX, s->base.table);
	my_quote_ident(out, name.buf);
	buf_release(&name);
}

/*
 * Runs sql on the drift table: *missing (and 0) when it failed only
 * because the table does not exist.
 */
static int
on_record(struct my_store *s, const char *sql, int (*row)(void *arg,
    const char *const *v, const unsigned long *len), void *arg,
    const char *what, int *missing, struct buf *err)
{
	int ret;

	ret = row ? my_query(s, sql, 2, row, arg, what, err) :
	    my_run(s, sql, what, err);
	*missing = ret < 0 && mysql_errno(s->conn) == MY_NO_SUCH_TABLE;
	if (*missing) {
		buf_reset(err);
		ret = 0;
	}
	return ret;
}

struct record {
	struct buf *header, *objects;
};

static int
record_row(void *arg, const char *const *v, const unsigned long *len)
{
	struct record *r = arg;

	if (v[0])
		buf_add(r->header, v[0], len[0]);
	if (r->objects && v[1])
		buf_add(r->objects, v[1], len[1]);
	return 0;
}

int
my_record_read(struct store *base, struct buf *header, struct buf *objects,
    struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct record r = { header, objects };
	struct buf sql = BUF_INIT;
	int ret, missing;

	/* Not a look in information_schema first: status pays for each. */
	buf_adds(&sql, objects ? "SELECT header, objects FROM " :
	    "SELECT header, NULL FROM ");
	drift_ident(s, &sql);
	buf_adds(&sql, " WHERE id = 1");
	ret = on_record(s, sql.buf, record_row, &r, "cannot read the drift "
	    "record", &missing, err);
	buf_release(&sql);
	return ret;
}

/*
 * The drift table: its objects can outgrow TEXT's 64 KiB, and their text
 * compares byte by byte.
 */
static int
record_create(struct my_store *s, struct buf *err)
{
	struct buf sql = BUF_INIT;
	int ret;

	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	drift_ident(s, &sql);
	buf_adds(&sql, " (id INTEGER PRIMARY KEY, header TEXT NOT NULL, "
	    "objects LONGTEXT NOT NULL) DEFAULT CHARSET=utf8mb4 "
	    "COLLATE=utf8mb4_bin");
	ret = my_run(s, sql.buf, "cannot create the drift record", err);
	buf_release(&sql);
	return ret;
}

/*
 * Writes without CREATE TABLE IF NOT EXISTS first: DDL commits the open
 * transaction implicitly, so the table is created only when the write
 * finds it missing (once per database).
 */
int
my_record_write(struct store *base, const char *header, const char *objects,
    struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf sql = BUF_INIT;
	int ret, missing;

	if (header == NULL)
		buf_adds(&sql, "DELETE FROM ");
	else if (objects == NULL)
		buf_adds(&sql, "UPDATE ");
	else
		buf_adds(&sql, "INSERT INTO ");
	drift_ident(s, &sql);
	if (header && objects == NULL) {
		buf_adds(&sql, " SET header = ");
		my_quote(s, &sql, header);
		buf_adds(&sql, " WHERE id = 1");
	} else if (header) {
		buf_adds(&sql, " (id, header, objects) VALUES (1, ");
		my_quote(s, &sql, header);
		buf_adds(&sql, ", ");
		my_quote(s, &sql, objects);
		buf_adds(&sql, ") ON DUPLICATE KEY UPDATE header = "
		    "VALUES(header), objects = VALUES(objects)");
	}
	ret = on_record(s, sql.buf, NULL, NULL, "cannot write the drift "
	    "record", &missing, err);
	/* No table: nothing to delete or update; a new record makes it. */
	if (ret == 0 && missing && header && objects) {
		ret = record_create(s, err);
		if (ret == 0)
			ret = my_run(s, sql.buf, "cannot write the drift "
			    "record", err);
	}
	buf_release(&sql);
	return ret;
}
