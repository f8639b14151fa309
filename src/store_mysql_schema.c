/*
 * store_mysql_schema.c: the MySQL/MariaDB schema as runner reads it:
 * show-schema from SHOW CREATE, describe for drift, the drift record.
 * SKELETON on branch mysql-base: every function fails until the schema
 * helper's branch fills it in. Not built into any runner that registers
 * the driver.
 */
#include "error.h"
#include "store_mysql.h"
#include "banned.h"

static int
not_yet(struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "the MySQL driver's schema support is not written yet");
}

int my_schema(struct store *s, struct buf *out, struct buf *err)
{ (void)s; (void)out; return not_yet(err); }
int my_describe(struct store *s, struct schema *out, struct buf *err)
{ (void)s; (void)out; return not_yet(err); }
int my_fingerprint(struct store *s, struct buf *out, struct buf *err)
{ (void)s; (void)out; return not_yet(err); }
int my_objects(struct store *s, void (*each)(void *arg, const char *kind,
    const char *name, const char *def), void *arg, struct buf *err)
{ (void)s; (void)each; (void)arg; return not_yet(err); }
int my_objects_describe(const struct schema *objs, struct schema *out,
    struct buf *err)
{ (void)objs; (void)out; return not_yet(err); }
int my_record_read(struct store *s, struct buf *header, struct buf *objects,
    struct buf *err)
{ (void)s; (void)header; (void)objects; return not_yet(err); }
int my_record_write(struct store *s, const char *header, const char *objects,
    struct buf *err)
{ (void)s; (void)header; (void)objects; return not_yet(err); }
