/*
 * store_pg.h: what the PostgreSQL driver's two files (store_pg.c, the
 * connection and migrations; store_pg_schema.c, the catalogs) share. Not an
 * API: the commands see only store.h.
 */
#ifndef RUNNER_STORE_PG_H
#define RUNNER_STORE_PG_H

#include <signal.h>

#include <libpq-fe.h>

#include "text_schema.h"
#include "store_driver.h"
#include "store_pg_dl.h"

struct pg_store {
	struct store base;
	PGconn *conn;
	PGcancel *cancel;	/* for interrupt(), made at open */
	char *url;		/* as given: to scrub its password from messages */
	int lock_timeout;
	int locked;		/* holds the session's advisory lock */
	int in_tx;		/* inside a transaction begin() opened */
	int begin_pending;	/* that BEGIN is not sent yet, see flush_begin */
	volatile sig_atomic_t stop;		/* interrupt() was called */
	volatile sig_atomic_t cancelable;	/* may cancel what runs now */
	PGconn *admin;		/* a scratch store: the connection that made it */
	char *scratch;		/* a scratch store: its database's name */
	/*
	 * A scratch store runs everything inside one transaction that is
	 * rolled back at close (a section in a savepoint of it), so that what
	 * migrations do to the cluster (roles, grants, settings) is undone.
	 */
	int contained;
};

/*
 * Scratch databases are SCRATCH_PREFIX followed by a number, and the
 * connection that made one holds the advisory lock (SCRATCH_LOCK, number)
 * while it lives: one whose lock no one holds was left by a killed run.
 */
#define SCRATCH_PREFIX	"runner_scratch_"
#define SCRATCH_LOCK	1920298606	/* "runn" */

/*
 * A query of the DROP statements for everything in the schema named by
 * the SQL expression ns, but what extensions own: relations, routines,
 * types, extensions, collations, operators and their families, text search
 * configurations and dictionaries, conversions. CASCADE takes indexes,
 * triggers, constraints and owned sequences along; IF EXISTS skips what an
 * earlier CASCADE took. Used by reset (the current schema) and restore.
 */
#define PG_OWN(cat, oid) \
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.deptype = 'e' " \
    "AND d.classid = '" cat "'::regclass AND d.objid = " oid ")"
#define PG_QNAME(name) "quote_ident(ns.nspname) || '.' || quote_ident(" name ")"
#define PG_DROP_OBJECTS(ns) \
    "WITH ns AS (SELECT oid, nspname FROM pg_namespace " \
    "WHERE nspname = " ns ") " \
    "SELECT format('DROP %s IF EXISTS %s CASCADE', kind, obj) FROM (" \
    "SELECT 1 AS ord, CASE c.relkind WHEN 'v' THEN 'VIEW' " \
    "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' " \
    "WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, " \
    "c.oid::regclass::text AS obj FROM pg_class c, ns " \
    "WHERE c.relnamespace = ns.oid " \
    "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " \
    PG_OWN("pg_class", "c.oid") \
    " UNION ALL SELECT 2, CASE p.prokind WHEN 'a' THEN 'AGGREGATE' " \
    "WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, " \
    "p.oid::regprocedure::text FROM pg_proc p, ns " \
    "WHERE p.pronamespace = ns.oid AND " PG_OWN("pg_proc", "p.oid") \
    " UNION ALL SELECT 3, CASE t.typtype WHEN 'd' THEN 'DOMAIN' " \
    "ELSE 'TYPE' END, t.oid::regtype::text FROM pg_type t, ns " \
    "WHERE t.typnamespace = ns.oid AND (t.typtype IN ('e', 'r', 'd') " \
    "OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class " \
    "WHERE oid = t.typrelid) = 'c')) AND " PG_OWN("pg_type", "t.oid") \
    " UNION ALL SELECT 4, 'OPERATOR', o.oid::regoperator::text " \
    "FROM pg_operator o, ns WHERE o.oprnamespace = ns.oid AND " \
    PG_OWN("pg_operator", "o.oid") \
    " UNION ALL SELECT 5, 'OPERATOR FAMILY', " PG_QNAME("f.opfname") \
    " || ' USING ' || quote_ident(a.amname) FROM pg_opfamily f " \
    "JOIN pg_am a ON a.oid = f.opfmethod, ns " \
    "WHERE f.opfnamespace = ns.oid AND " PG_OWN("pg_opfamily", "f.oid") \
    " UNION ALL SELECT 6, 'COLLATION', " PG_QNAME("l.collname") \
    " FROM pg_collation l, ns WHERE l.collnamespace = ns.oid AND " \
    PG_OWN("pg_collation", "l.oid") \
    " UNION ALL SELECT 7, 'TEXT SEARCH CONFIGURATION', " \
    PG_QNAME("g.cfgname") " FROM pg_ts_config g, ns " \
    "WHERE g.cfgnamespace = ns.oid AND " PG_OWN("pg_ts_config", "g.oid") \
    " UNION ALL SELECT 8, 'TEXT SEARCH DICTIONARY', " \
    PG_QNAME("y.dictname") " FROM pg_ts_dict y, ns " \
    "WHERE y.dictnamespace = ns.oid AND " PG_OWN("pg_ts_dict", "y.oid") \
    " UNION ALL SELECT 9, 'CONVERSION', " PG_QNAME("v.conname") \
    " FROM pg_conversion v, ns WHERE v.connamespace = ns.oid AND " \
    PG_OWN("pg_conversion", "v.oid") \
    " UNION ALL SELECT 10, 'EXTENSION', quote_ident(e.extname) " \
    "FROM pg_extension e, ns WHERE e.extnamespace = ns.oid" \
    ") AS x ORDER BY ord, obj COLLATE \"C\""

struct pg_store *pg_downcast(struct store *s);

/*
 * Runs sql with text parameters. Returns the result (PQclear it) when the
 * command succeeded; otherwise NULL with "what: server message" in err.
 */
PGresult *pg_query(struct pg_store *s, const char *sql, int nparams,
    const char *const *params, const char *what, struct buf *err);

/* store_ops.snapshot: the whole database as SQL, by pg_dump. */
int pg_snapshot(struct store *s, const char *path, struct buf *err);
/*
 * store_ops.check_image and replace: a complete plain pg_dump, loaded by
 * psql in one transaction that first drops what the database holds.
 */
int pg_check_image(const char *path, const char *name, struct buf *err);
int pg_replace(struct store *s, const char *target, const char *path,
    struct buf *notes, struct buf *err);
/* store_ops.identity: host:port/dbname as libpq resolves them. */
int pg_identity(const char *target, struct buf *out, struct buf *err);

/* store_ops.schema and store_ops.describe, from the catalogs. */
int pg_schema(struct store *s, struct buf *out, struct buf *err);
int pg_describe(struct store *s, struct schema *out, struct buf *err);
/* store_ops' drift record operations (store_pg_schema.c). */
int pg_fingerprint(struct store *s, struct buf *out, struct buf *err);
int pg_objects(struct store *s, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err);
int pg_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err);
int pg_record_read(struct store *s, struct buf *header, struct buf *objects,
    struct buf *err);
int pg_record_write(struct store *s, const char *header, const char *objects,
    struct buf *err);

/* store_pg_url.c: url as libpq takes it. */
int pg_target(const char *url, struct buf *out, unsigned *flags,
    struct buf *err);

#endif
