/*
 * store_driver.h: what a driver implements, private to the drivers and the
 * wrappers in store.c (store_*.c include it; nothing above them does).
 * Each member does what its store_* wrapper in store.h says; all are
 * required but discard_created. A driver's struct starts with struct store
 * and checks base.ops before casting down.
 */
#ifndef RUNNER_STORE_DRIVER_H
#define RUNNER_STORE_DRIVER_H

#include "buf.h"
#include "text_schema.h"
#include "store_base.h"
#include "store_tracking.h"
#include "store_url.h"

struct store_ops {
	const char *name;
	/*
	 * url (one the registry gave this driver) as the target open takes,
	 * and the open flags its parameters ask for.
	 */
	int (*target)(const char *url, struct buf *target, unsigned *flags,
	    struct buf *err);
	/* Appends the driver and its library's version: "sqlite 3.40.1". */
	void (*version)(struct buf *out);
	int (*open)(const char *target, unsigned flags, int lock_timeout,
	    struct store **out, struct buf *err);
	void (*close)(struct store *s);
	int (*begin)(struct store *s, unsigned flags, struct buf *err);
	int (*commit)(struct store *s, unsigned flags, struct buf *err);
	void (*rollback)(struct store *s, unsigned flags);
	int (*ensure_table)(struct store *s, struct buf *err);
	int (*applied_each)(struct store *s, void (*each)(void *arg,
	    const char *const v[TRACKING_NCOLS]), void *arg,
	    enum tracking_found *found, struct buf *err);
	int (*load_down)(struct store *s, const char *version, char **sql,
	    struct buf *err);
	int (*find)(struct store *s, const char *version, int *found,
	    char **state, struct buf *err);
	int (*insert)(struct store *s, const struct applied *row,
	    struct buf *err);
	int (*set_state)(struct store *s, const char *version,
	    const char *state, double duration_ms, const char *error,
	    struct buf *err);
	int (*set_checksum)(struct store *s, const char *version,
	    const char *checksum, struct buf *err);
	int (*remove)(struct store *s, const char *version, struct buf *err);
	int (*exec)(struct store *s, const char *sql, size_t len,
	    size_t *errpos, struct buf *err);
	int (*drop_all)(struct store *s, struct buf *err);
	int (*schema)(struct store *s, struct buf *out, struct buf *err);
	int (*describe)(struct store *s, struct schema *out, struct buf *err);
	int (*open_scratch)(const char *target, int lock_timeout,
	    struct store **out, struct buf *err);
	int (*snapshot)(struct store *s, const char *path, struct buf *err);
	const char *backup_suffix;	/* of backup file names: ".db.gz" */
	const char *image_kind;		/* "an SQLite database" */
	const char *image_checked;	/* what check_image found: "integrity ok" */
	int target_is_file;
	int (*check_image)(const char *path, const char *name,
	    struct buf *err);
	int (*replace)(struct store *s, const char *target, const char *path,
	    struct buf *notes, struct buf *err);
	int (*identity)(const char *target, struct buf *out, struct buf *err);
	void (*interrupt)(struct store *s);
	int (*lock_run)(struct store *s, struct buf *err);
	int (*fingerprint)(struct store *s, struct buf *out, struct buf *err);
	int fingerprint_content;
	int (*objects)(struct store *s, void (*each)(void *arg,
	    const char *kind, const char *name, const char *def), void *arg,
	    struct buf *err);
	int (*objects_describe)(const struct schema *objs, struct schema *out,
	    struct buf *err);
	int (*record_read)(struct store *s, struct buf *header,
	    struct buf *objects, struct buf *err);
	int (*record_write)(struct store *s, const char *header,
	    const char *objects, struct buf *err);
	int (*columns)(struct store *s, const char *table, struct buf *cols,
	    int *exists, struct buf *err);
	int (*query)(struct store *s, const char *sql, int ncols,
	    int (*row)(void *arg, const char *const *v), void *arg,
	    struct buf *err);
	int (*rename_table)(struct store *s, const char *from, const char *to,
	    struct buf *err);
	/* NULL when the driver never creates databases. */
	void (*discard_created)(struct store *s);
	/*
	 * NULL when DDL is transactional (SQLite, PostgreSQL); else see
	 * store_statements.
	 */
	int (*statements)(const char *sql, size_t len, void (*each)(void *arg,
	    size_t start, size_t end, const char *commits), void *arg,
	    size_t *errpos, struct buf *err);
	/* Runs one statement statements gave, as it is (NULL: exec). */
	int (*exec_one)(struct store *s, const char *sql, size_t len,
	    struct buf *err);
};

/* The drivers, for the registry (store_registry.c). */
extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;	/* when built with libpq */
extern const struct store_ops store_mysql_ops;	/* with libmariadb */

#endif
