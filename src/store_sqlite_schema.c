/*
 * store_sqlite_schema.c: what the SQLite driver's drift records keep of a
 * schema (its CREATE statements, as sqlite_schema holds them), their
 * fingerprint and the record's table (a scratch store's objects are
 * followed in store_sqlite_watch.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "store_sqlite_describe.h"
#include "store_sqlite.h"
#include "banned.h"

/*
 * The fingerprint of a whole schema, read row by row; the rows are chosen
 * here (kept) rather than in SQL, whose LIKE and lower() cost more than
 * the scan itself (status runs this every time).
 */
static int
scan_digest(sqlite3 *db, const char *table, char *out, struct buf *err)
{
	static const char sql[] = "SELECT type, name, tbl_name, sql "
	    "FROM sqlite_schema";
	struct schema_digest d = SCHEMA_DIGEST_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(db, "cannot read the schema", err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite_kept(sqlite_col(st, 2), sqlite_col(st, 3), table))
			schema_digest_add(&d, schema_obj_hash(sqlite_col(st, 0),
			    sqlite_col(st, 1), sqlite_col(st, 3)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sqlite_fail(db, "cannot read the schema", err);
	schema_digest_format(&d, out);
	return 0;
}

int
sqlite_objects(struct store *base, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err)
{
	static const char sql[] = "SELECT type, name, sql, tbl_name "
	    "FROM sqlite_schema ORDER BY rowid";
	sqlite3 *db = sqlite_downcast(base)->db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(db, "cannot read the schema", err);
	/* In creation order, which is the order they can be made again in. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite_kept(sqlite_col(st, 3), sqlite_col(st, 2), base->table))
			each(arg, sqlite_col(st, 0), sqlite_col(st, 1), sqlite_col(st, 2));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sqlite_fail(db, "cannot read the schema", err);
	return 0;
}

/* Tables first, then what refers to them. */
static int
kind_rank(const char *kind)
{
	if (strcmp(kind, "table") == 0)
		return 0;
	if (strcmp(kind, "index") == 0)
		return 1;
	return strcmp(kind, "view") == 0 ? 2 : 3;
}

/* Makes objs again in db, in order: tables, indexes, views, triggers. */
static int
rebuild(sqlite3 *db, const struct schema *objs, struct buf *err)
{
	const struct schema_obj *o;
	const char *msg;
	size_t i;
	int rank;

	for (rank = 0; rank < 4; rank++)
		for (i = 0; i < objs->n; i++) {
			o = &objs->v[i];
			if (kind_rank(o->kind) != rank ||
			    sqlite3_exec(db, o->def, NULL, NULL, NULL) ==
			    SQLITE_OK)
				continue;
			msg = sqlite3_errmsg(db);
			/* A virtual table made its shadow tables already. */
			if (strstr(msg, "already exists"))
				continue;
			return buf_seterr(err, RUNNER_EFAIL, "cannot rebuild "
			    "the recorded %s %s: %s", o->kind, o->name, msg);
		}
	return 0;
}

int
sqlite_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err)
{
	sqlite3 *db = NULL;
	int ret = RUNNER_EFAIL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		buf_seterr(err, RUNNER_EFAIL, "cannot open a database in "
		    "memory: %s", db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	ret = rebuild(db, objs, err);
	if (ret == 0)
		ret = sqlite_describe(db, TRACKING_TABLE, out, err);
out:
	sqlite3_close(db);
	return ret;
}

int
sqlite_record_read(struct store *base, struct buf *header,
    struct buf *objects, struct buf *err)
{
	sqlite3 *db = sqlite_downcast(base)->db;
	struct buf name = BUF_INIT, sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	/* A lookup in the parsed schema, not a query: no table, no record. */
	buf_addf(&name, "%s" DRIFT_SUFFIX, base->table);
	rc = sqlite3_table_column_metadata(db, "main", name.buf, "objects",
	    NULL, NULL, NULL, NULL, NULL);
	buf_release(&name);
	if (rc != SQLITE_OK)
		return 0;
	drift_sql(&sql, base->table, objects ? "SELECT header, objects FROM "
	    "{T} WHERE id = 1" : "SELECT header FROM {T} WHERE id = 1");
	rc = sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return sqlite_fail(db, "cannot read the drift record", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		buf_adds(header, sqlite_col(st, 0) ? sqlite_col(st, 0) : "");
		if (objects)
			buf_adds(objects, sqlite_col(st, 1) ? sqlite_col(st, 1) : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_fail(db, "cannot read the drift record", err);
	return 0;
}

int
sqlite_record_write(struct store *base, const char *header,
    const char *objects, struct buf *err)
{
	struct sqlite_store *s = sqlite_downcast(base);
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	drift_sql(&sql, base->table, drift_table_ddl);
	rc = sqlite3_exec(s->db, sql.buf, NULL, NULL, NULL);
	buf_reset(&sql);
	if (rc != SQLITE_OK) {
		buf_release(&sql);
		return sqlite_fail(s->db, "cannot create the drift record", err);
	}
	sqlite_cookie(s, 0);
	drift_sql(&sql, base->table, header == NULL ? "DELETE FROM {T}" :
	    objects == NULL ? "UPDATE {T} SET header = ?1 WHERE id = 1" :
	    "INSERT INTO {T} (id, header, objects) VALUES (1, ?1, ?2) "
	    "ON CONFLICT (id) DO UPDATE SET header = excluded.header, "
	    "objects = excluded.objects");
	rc = sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return sqlite_fail(s->db, "cannot write the drift record", err);
	if (header)
		sqlite3_bind_text(st, 1, header, -1, SQLITE_STATIC);
	if (header && objects)
		sqlite3_bind_text(st, 2, objects, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sqlite_fail(s->db, "cannot write the drift record", err);
	return 0;
}

int
sqlite_fingerprint(struct store *base, struct buf *out, struct buf *err)
{
	struct sqlite_store *s = sqlite_downcast(base);
	char d[SCHEMA_DIGEST_LEN];
	int ret;

	if (!s->scratch) {
		sqlite_cookie(s, 0);
		ret = scan_digest(s->db, base->table, d, err);
	} else {
		if (s->watch == NULL)
			s->watch = sqlite_watch_new(base->table);
		ret = sqlite_watch_update(s->watch, s->db, err);
		sqlite_watch_digest(s->watch, d);
	}
	if (ret == 0)
		buf_adds(out, d);
	return ret;
}
