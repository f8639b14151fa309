/*
 * store.c: the wrappers the operations call, each passing its call to the
 * driver that the database's URL chose.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store.h"
#include "store_driver.h"
#include "banned.h"

int
store_open(const char *url, unsigned flags, int lock_timeout,
    struct store **out, struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	unsigned uflags;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, &uflags, err);
	if (ret == 0)
		ret = ops->open(target.buf, flags | uflags, lock_timeout, out,
		    err);
	buf_release(&target);
	return ret;
}

int
store_open_scratch(const char *url, int lock_timeout, struct store **out,
    struct buf *err)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT;
	unsigned uflags;
	int ret;

	*out = NULL;
	ret = store_driver(url, &ops, &target, &uflags, err);
	if (ret == 0)
		ret = ops->open_scratch(target.buf, lock_timeout, out, err);
	buf_release(&target);
	return ret;
}

int
store_set_table(struct store *s, const char *table, struct buf *err)
{
	if (!tracking_name_valid(table))
		return buf_seterr(err, RUNNER_EUSAGE, "'%s' cannot name the "
		    "tracking table (letters, digits and '_', not starting "
		    "with a digit, at most 63)", table);
	free(s->table);
	s->table = xstrdup(table);
	return 0;
}


int
store_load_applied(struct store *s, struct applied_set *out, struct buf *err)
{
	int ret;

	out->v = NULL;
	out->n = 0;
	out->found = TRACKING_NONE;
	ret = s->ops->applied_each(s, applied_collect, out, &out->found, err);
	if (ret < 0)
		applied_set_release(out);
	else
		applied_set_sort(out);
	return ret;
}

int
store_fingerprint(struct store *s, struct buf *out, struct buf *err)
{
	buf_reset(out);
	return s->ops->fingerprint(s, out, err);
}

static void
collect(void *arg, const char *kind, const char *name, const char *def)
{
	schema_add(arg, kind, name, def);
}

int
store_objects(struct store *s, struct schema *out, struct buf *err)
{
	schema_release(out);
	return s->ops->objects(s, collect, out, err);
}

struct text_job {
	struct buf *text;
	struct schema_digest d;
};

static void
encode_one(void *arg, const char *kind, const char *name, const char *def)
{
	struct text_job *j = arg;

	schema_encode_obj(kind, name, def, j->text);
	schema_digest_add(&j->d, schema_obj_hash(kind, name, def));
}

int
store_objects_text(struct store *s, struct buf *text, char *digest,
    struct buf *err)
{
	struct text_job j = { text, SCHEMA_DIGEST_INIT };
	int ret;

	ret = s->ops->objects(s, encode_one, &j, err);
	schema_digest_format(&j.d, digest);
	return ret;
}

int
store_objects_describe(struct store *s, const struct schema *objs,
    struct schema *out, struct buf *err)
{
	schema_release(out);
	return s->ops->objects_describe(objs, out, err);
}

int
store_record_read(struct store *s, struct buf *header, struct buf *objects,
    struct buf *err)
{
	buf_reset(header);
	if (objects)
		buf_reset(objects);
	return s->ops->record_read(s, header, objects, err);
}

int
store_record_write(struct store *s, const char *header, const char *objects,
    struct buf *err)
{
	return s->ops->record_write(s, header, objects, err);
}

int
store_describe(struct store *s, struct schema *out, struct buf *err)
{
	schema_release(out);
	return s->ops->describe(s, out, err);
}

void
store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

int
store_columns(struct store *s, const char *table, struct buf *cols,
    int *exists, struct buf *err)
{
	return s->ops->columns(s, table, cols, exists, err);
}

int
store_query(struct store *s, const char *sql, int ncols,
    int (*row)(void *arg, const char *const *v), void *arg,
    struct buf *err)
{
	return s->ops->query(s, sql, ncols, row, arg, err);
}

void
store_discard_created(struct store *s)
{
	if (s && s->ops->discard_created)
		s->ops->discard_created(s);
}

const char *
store_name(const struct store *s)
{
	return s->ops->name;
}

int
store_begin(struct store *s, unsigned flags, struct buf *err)
{
	return s->ops->begin(s, flags, err);
}

int
store_commit(struct store *s, unsigned flags, struct buf *err)
{
	return s->ops->commit(s, flags, err);
}

void
store_rollback(struct store *s, unsigned flags)
{
	s->ops->rollback(s, flags);
}

int
store_lock_run(struct store *s, struct buf *err)
{
	return s->ops->lock_run(s, err);
}

void
store_interrupt(struct store *s)
{
	s->ops->interrupt(s);
}

int
store_ensure_table(struct store *s, struct buf *err)
{
	return s->ops->ensure_table(s, err);
}

int
store_applied_each(struct store *s, void (*each)(void *arg,
    const char *const v[TRACKING_NCOLS]), void *arg,
    enum tracking_found *found, struct buf *err)
{
	return s->ops->applied_each(s, each, arg, found, err);
}

int
store_load_down(struct store *s, const char *version, char **sql,
    struct buf *err)
{
	return s->ops->load_down(s, version, sql, err);
}

int
store_find(struct store *s, const char *version, int *found, char **state,
    struct buf *err)
{
	return s->ops->find(s, version, found, state, err);
}

int
store_insert(struct store *s, const struct applied *row, struct buf *err)
{
	return s->ops->insert(s, row, err);
}

int
store_set_state(struct store *s, const char *version, const char *state,
    double duration_ms, const char *error, struct buf *err)
{
	return s->ops->set_state(s, version, state, duration_ms, error, err);
}

int
store_set_checksum(struct store *s, const char *version,
    const char *checksum, struct buf *err)
{
	return s->ops->set_checksum(s, version, checksum, err);
}

int
store_remove(struct store *s, const char *version, struct buf *err)
{
	return s->ops->remove(s, version, err);
}

int
store_exec(struct store *s, const char *sql, size_t len, size_t *errpos,
    struct buf *err)
{
	return s->ops->exec(s, sql, len, errpos, err);
}

int
store_ddl_commits(const struct store *s)
{
	return s->ops->statements != NULL;
}

int
store_statements(struct store *s, const char *sql, size_t len,
    void (*each)(void *arg, size_t start, size_t end, const char *commits),
    void *arg, size_t *errpos, struct buf *err)
{
	*errpos = 0;
	if (s->ops->statements == NULL)
		return 0;
	return s->ops->statements(sql, len, each, arg, errpos, err);
}

int
store_exec_one(struct store *s, const char *sql, size_t len,
    struct buf *err)
{
	size_t pos;

	if (s->ops->exec_one == NULL)
		return s->ops->exec(s, sql, len, &pos, err);
	return s->ops->exec_one(s, sql, len, err);
}

int
store_drop_all(struct store *s, struct buf *err)
{
	return s->ops->drop_all(s, err);
}

int
store_rename_table(struct store *s, const char *from, const char *to,
    struct buf *err)
{
	return s->ops->rename_table(s, from, to, err);
}

int
store_schema(struct store *s, struct buf *out, struct buf *err)
{
	return s->ops->schema(s, out, err);
}

int
store_snapshot(struct store *s, const char *path, struct buf *err)
{
	return s->ops->snapshot(s, path, err);
}

int
store_replace(const struct store_ops *d, struct store *s, const char *target,
    const char *path, struct buf *notes, struct buf *err)
{
	return d->replace(s, target, path, notes, err);
}

int
store_fingerprint_content(const struct store *s)
{
	return s->ops->fingerprint_content;
}

const char *
driver_name(const struct store_ops *d)
{
	return d->name;
}

const char *
driver_backup_suffix(const struct store_ops *d)
{
	return d->backup_suffix;
}

const char *
driver_image_kind(const struct store_ops *d)
{
	return d->image_kind;
}

const char *
driver_image_checked(const struct store_ops *d)
{
	return d->image_checked;
}

int
driver_target_is_file(const struct store_ops *d)
{
	return d->target_is_file;
}

int
driver_open(const struct store_ops *d, const char *target, unsigned flags,
    int lock_timeout, struct store **out, struct buf *err)
{
	return d->open(target, flags, lock_timeout, out, err);
}

int
driver_check_image(const struct store_ops *d, const char *path,
    const char *name, struct buf *err)
{
	return d->check_image(path, name, err);
}

int
driver_identity(const struct store_ops *d, const char *target,
    struct buf *out, struct buf *err)
{
	return d->identity(target, out, err);
}
