/*
 * store_sqlite_watch.c: a scratch SQLite store's objects, followed section
 * by section so that verify's fingerprint after each one costs what
 * changed, not the whole schema; and the helpers the driver's schema part
 * shares with it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "store_sqlite_watch.h"
#include "banned.h"

int
sqlite_fail(sqlite3 *db, const char *what, struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "%s: %s", what,
	    sqlite3_errmsg(db));
}

const char *
sqlite_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : NULL;
}

int
sqlite_kept(const char *tbl, const char *sql, const char *table)
{
	return sql && tbl && strncasecmp(tbl, "sqlite_", 7) != 0 &&
	    strcasecmp(tbl, table) != 0 && !tracking_is_drift(tbl, table);
}

/*
 * A scratch store's sqlite_schema, mirrored: each row's rowid, name and
 * table, and the hash it adds to the digest. Rows come in rowid order, as
 * SQLite appends new ones; a hash index finds them by name.
 */
struct wrow {
	sqlite3_int64 rowid;
	uint64_t h;
	uint32_t tblhash;
	int counted;		/* sqlite_kept(): part of the digest */
	int dead;
	int trigger;		/* triggers have names of their own */
	char *name;		/* lowercased, as SQLite compares names */
	char *tbl;
};

struct sqlite_watch {
	struct wrow *v;
	size_t n, alloc, live;
	size_t *slot;		/* index into v, or SIZE_MAX; 2^k of them */
	size_t nslot;
	struct schema_digest d;
	int full;		/* read everything at the next fingerprint */
	char **drops;		/* what sections dropped: "o:name", "t:name" */
	size_t ndrops;
	const char *table;	/* the store's tracking table (borrowed) */
};

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s ? s : "");
	char *p;

	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static uint32_t
name_hash(int trigger, const char *s)
{
	uint32_t h = trigger ? 0x9e3779b9u : 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
index_put(struct sqlite_watch *w, size_t i)
{
	size_t k = name_hash(w->v[i].trigger, w->v[i].name) & (w->nslot - 1);

	while (w->slot[k] != SIZE_MAX)
		k = (k + 1) & (w->nslot - 1);
	w->slot[k] = i;
}

/* Drops the dead rows and rebuilds the index, with room to grow. */
static void
compact(struct sqlite_watch *w)
{
	size_t i, j = 0;

	for (i = 0; i < w->n; i++) {
		if (w->v[i].dead) {
			free(w->v[i].name);
			free(w->v[i].tbl);
			continue;
		}
		w->v[j++] = w->v[i];
	}
	w->n = j;
	for (w->nslot = 64; w->nslot < 4 * (w->n + 1); w->nslot *= 2)
		;
	free(w->slot);
	w->slot = xreallocarray(NULL, w->nslot, sizeof(*w->slot));
	for (i = 0; i < w->nslot; i++)
		w->slot[i] = SIZE_MAX;
	for (i = 0; i < w->n; i++)
		index_put(w, i);
}

static void
watch_add(struct sqlite_watch *w, sqlite3_stmt *st)
{
	const char *type = sqlite_col(st, 1), *sql = sqlite_col(st, 4);
	struct wrow *r;

	if (2 * (w->n + 1) > w->nslot)
		compact(w);
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 256;
		w->v = xreallocarray(w->v, w->alloc, sizeof(*w->v));
	}
	r = &w->v[w->n];
	memset(r, 0, sizeof(*r));
	r->rowid = sqlite3_column_int64(st, 0);
	r->trigger = type && strcmp(type, "trigger") == 0;
	r->name = lower_dup(sqlite_col(st, 2));
	r->tbl = lower_dup(sqlite_col(st, 3));
	r->tblhash = name_hash(0, r->tbl);
	r->counted = sqlite_kept(sqlite_col(st, 3), sql, w->table);
	if (r->counted) {
		r->h = schema_obj_hash(type ? type : "", sqlite_col(st, 2), sql);
		schema_digest_add(&w->d, r->h);
	}
	index_put(w, w->n++);
	w->live++;
}

static void
watch_kill(struct sqlite_watch *w, struct wrow *r)
{
	if (r->dead)
		return;
	if (r->counted)
		schema_digest_remove(&w->d, r->h);
	r->dead = 1;
	w->live--;
}

static void
watch_clear(struct sqlite_watch *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		w->v[i].dead = 1;
	compact(w);
	memset(&w->d, 0, sizeof(w->d));
	w->live = 0;
}

/* The live row named name (a trigger's, or any other's), or NULL. */
static struct wrow *
watch_find(struct sqlite_watch *w, int trigger, const char *name)
{
	size_t k;
	struct wrow *r;

	if (w->nslot == 0)
		return NULL;
	k = name_hash(trigger, name) & (w->nslot - 1);
	for (; w->slot[k] != SIZE_MAX; k = (k + 1) & (w->nslot - 1)) {
		r = &w->v[w->slot[k]];
		if (!r->dead && r->trigger == trigger &&
		    strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

/* A dropped table takes its indexes and triggers along. */
static void
watch_drop(struct sqlite_watch *w, const char *drop)
{
	int trigger = drop[0] == 't';
	const char *name = drop + 2;
	struct wrow *r = watch_find(w, trigger, name);
	uint32_t th;
	size_t i;

	if (r == NULL)
		return;
	watch_kill(w, r);
	if (trigger)
		return;
	th = name_hash(0, name);
	for (i = 0; i < w->n; i++)
		if (!w->v[i].dead && w->v[i].tblhash == th &&
		    strcmp(w->v[i].tbl, name) == 0)
			watch_kill(w, &w->v[i]);
}

static void
clear_drops(struct sqlite_watch *w)
{
	size_t i;

	for (i = 0; i < w->ndrops; i++)
		free(w->drops[i]);
	free(w->drops);
	w->drops = NULL;
	w->ndrops = 0;
}

static void
note_drop(struct sqlite_watch *w, int trigger, const char *name)
{
	struct buf b = BUF_INIT;
	char *low = lower_dup(name);

	buf_addf(&b, "%c:%s", trigger ? 't' : 'o', low);
	free(low);
	w->drops = xreallocarray(w->drops, w->ndrops + 1, sizeof(*w->drops));
	w->drops[w->ndrops++] = buf_detach(&b, NULL);
}

void
sqlite_watch_auth(struct sqlite_watch *w, int action, const char *a1,
    const char *a2, const char *db)
{
	(void)a2;
	if (w == NULL || w->full)
		return;
	switch (action) {
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_VIEW:
		if (a1 && (db == NULL || strcmp(db, "main") == 0))
			note_drop(w, 0, a1);
		break;
	case SQLITE_DROP_TRIGGER:
		if (a1 && (db == NULL || strcmp(db, "main") == 0))
			note_drop(w, 1, a1);
		break;
	case SQLITE_ALTER_TABLE:	/* may rewrite other objects' SQL */
	case SQLITE_CREATE_VTABLE:	/* shadow tables come and go */
	case SQLITE_DROP_VTABLE:
	case SQLITE_ATTACH:		/* VACUUM renumbers sqlite_schema */
		w->full = 1;
		break;
	case SQLITE_PRAGMA:		/* then sqlite_schema may be edited */
		if (a1 && strcasecmp(a1, "writable_schema") == 0)
			w->full = 1;
		break;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		if (a1 && strcmp(a1, "ROLLBACK") == 0)
			w->full = 1;
		break;
	default:
		break;
	}
}

void
sqlite_watch_reset(struct sqlite_watch *w)
{
	if (w)
		w->full = 1;
}

void
sqlite_watch_free(struct sqlite_watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		free(w->v[i].name);
		free(w->v[i].tbl);
	}
	clear_drops(w);
	free(w->v);
	free(w->slot);
	free(w);
}

/* Adds every row of sqlite_schema above rowid after. */
static int
read_rows(struct sqlite_watch *w, sqlite3 *db, sqlite3_int64 after,
    struct buf *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT rowid, type, name, tbl_name, sql "
	    "FROM sqlite_schema WHERE rowid > ?1 ORDER BY rowid", -1, &st,
	    NULL) != SQLITE_OK)
		return sqlite_fail(db, "cannot read the schema", err);
	sqlite3_bind_int64(st, 1, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		watch_add(w, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sqlite_fail(db, "cannot read the schema", err);
}

/* The highest rowid in sqlite_schema, 0 when empty; -1 on error. */
static sqlite3_int64
max_rowid(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 m = -1;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(rowid), 0) FROM "
	    "sqlite_schema", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		m = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return m;
}

static sqlite3_int64
last_live(const struct sqlite_watch *w)
{
	size_t i;

	for (i = w->n; i-- > 0;)
		if (!w->v[i].dead)
			return w->v[i].rowid;
	return 0;
}

/*
 * Brings the mirror up to date: the drops the sections made, then the rows
 * they added, which SQLite numbers past every row left. When the highest
 * rowid is then not the mirror's, or a section did what this cannot
 * follow, everything is read again.
 */
int
sqlite_watch_update(struct sqlite_watch *w, sqlite3 *db, struct buf *err)
{
	size_t i;
	int ret;

	if (!w->full) {
		for (i = 0; i < w->ndrops; i++)
			watch_drop(w, w->drops[i]);
		clear_drops(w);
		ret = read_rows(w, db, last_live(w), err);
		if (ret < 0)
			return ret;
		if (max_rowid(db) == last_live(w))
			return 0;
	}
	clear_drops(w);
	watch_clear(w);
	w->full = 0;
	return read_rows(w, db, 0, err);
}

struct sqlite_watch *
sqlite_watch_new(const char *table)
{
	struct sqlite_watch *w = xcalloc(1, sizeof(*w));

	w->full = 1;
	w->table = table;
	return w;
}

void
sqlite_watch_digest(const struct sqlite_watch *w, char *digest)
{
	schema_digest_format(&w->d, digest);
}
