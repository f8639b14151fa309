/*
 * runner_drift.c: the drift record, which says what the schema should be, so
 * that status need not replay the history to know. Every command that
 * changes the schema checks, before its first change, that the database
 * still matches the record (drift_start), and records the schema once its
 * changes are done (drift_settle): what runner itself did is never drift,
 * and drift found at the start is never recorded as expected. status
 * compares the database with the record (runner_drift), and replays the
 * applied migrations only where nothing usable is recorded.
 *
 * The record is one row of the drift table (<tracking table>_drift): a checksummed header and the
 * objects the driver keeps of a schema (store_ops.objects). The header:
 *
 *	runner drift record 1
 *	rows 3:...		digest of the applied rows it was made for
 *	fingerprint 3:...	the live schema's fingerprint then; "-" when
 *				the live schema did not match it
 *	objects 3:...		digest of the objects
 *	checksum crc32:...	of the lines above
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "file.h"
#include "runner.h"
#include "runner_int.h"
#include "banned.h"

#define RECORD_MAGIC "runner drift record 1"

struct record {
	int present;		/* a header is stored */
	int sound;		/* and it parses, with its checksum right */
	char rows[SCHEMA_DIGEST_LEN];
	char objects[SCHEMA_DIGEST_LEN];
	struct buf fp;
};

static void
record_release(struct record *rec)
{
	buf_release(&rec->fp);
}

/*
 * The digest of the rows whose migrations the schema holds: applied ones,
 * and those whose down section failed part-way (still applied until
 * repaired). A failed or running up section is not.
 */
static void
row_add(struct schema_digest *d, const char *version, const char *checksum,
    const char *state)
{
	if (state && (strcmp(state, STATE_RUNNING) == 0 ||
	    strcmp(state, STATE_FAILED) == 0))
		return;
	schema_digest_add(d, schema_obj_hash("row", version ? version : "",
	    checksum));
}

static void
rows_digest(const struct applied_set *rows, char *out)
{
	struct schema_digest d = SCHEMA_DIGEST_INIT;
	size_t i;

	for (i = 0; i < rows->n; i++)
		row_add(&d, rows->v[i].version, rows->v[i].checksum,
		    rows->v[i].state);
	schema_digest_format(&d, out);
}

static void
row_text(void *arg, const char *const v[TRACKING_NCOLS])
{
	row_add(arg, v[TC_VERSION], v[TC_CHECKSUM], v[TC_STATE]);
}

/* The digest of the rows now in the table, read without keeping them. */
static int
stored_rows_digest(struct store *s, char *out, struct buf *err)
{
	struct schema_digest d = SCHEMA_DIGEST_INIT;
	int ret;

	ret = store_applied_each(s, row_text, &d, NULL, err);
	schema_digest_format(&d, out);
	return ret;
}

static void
header_checksum(const char *text, size_t len, char *out)
{
	checksum_format(text_crc32(text, len), out);
}

static void
header_format(struct buf *out, const char *rows, const char *fp,
    const char *objects)
{
	char sum[CHECKSUM_LEN + 1];

	buf_addf(out, RECORD_MAGIC "\nrows %s\nfingerprint %s\nobjects %s\n",
	    rows, fp && *fp ? fp : "-", objects);
	header_checksum(out->buf, out->len, sum);
	buf_addf(out, "checksum %s\n", sum);
}

/* Copies the value of line "key value" at *p into out; 0 on success. */
static int
field(const char **p, const char *key, struct buf *out)
{
	size_t n = strlen(key);
	const char *nl;

	if (strncmp(*p, key, n) != 0 || (*p)[n] != ' ')
		return -1;
	*p += n + 1;
	nl = strchr(*p, '\n');
	if (nl == NULL)
		return -1;
	buf_reset(out);
	buf_add(out, *p, (size_t)(nl - *p));
	*p = nl + 1;
	return 0;
}

static int
short_field(const char **p, const char *key, char *out)
{
	struct buf v = BUF_INIT;
	int ret = field(p, key, &v);

	if (ret == 0 && v.len < SCHEMA_DIGEST_LEN)
		memcpy(out, v.buf, v.len + 1);
	else
		ret = -1;
	buf_release(&v);
	return ret;
}

static void
record_parse(const char *text, struct record *rec)
{
	char sum[CHECKSUM_LEN + 1];
	const char *p = text;
	struct buf given = BUF_INIT;
	size_t len;

	rec->present = *text != '\0';
	if (strncmp(p, RECORD_MAGIC "\n", sizeof(RECORD_MAGIC)) != 0)
		return;
	p += sizeof(RECORD_MAGIC);
	if (short_field(&p, "rows", rec->rows) < 0 ||
	    field(&p, "fingerprint", &rec->fp) < 0 ||
	    short_field(&p, "objects", rec->objects) < 0)
		return;
	len = (size_t)(p - text);
	header_checksum(text, len, sum);
	rec->sound = field(&p, "checksum", &given) == 0 && *p == '\0' &&
	    strcmp(given.buf, sum) == 0;
	if (strcmp(rec->fp.buf, "-") == 0)
		buf_reset(&rec->fp);
	buf_release(&given);
}

static int
record_load(struct store *s, struct record *rec, struct buf *err)
{
	struct buf header = BUF_INIT;
	int ret;

	memset(rec, 0, sizeof(*rec));
	buf_init(&rec->fp);
	ret = store_record_read(s, &header, NULL, err);
	if (ret == 0)
		record_parse(header.buf, rec);
	buf_release(&header);
	return ret;
}

/*
 * The record's objects, checked against its header's digest: *damaged
 * when they do not match (then out is empty).
 */
static int
record_objects(struct store *s, const struct record *rec, struct schema *out,
    int *damaged, struct buf *err)
{
	struct buf header = BUF_INIT, text = BUF_INIT;
	char d[SCHEMA_DIGEST_LEN];
	int ret;

	*damaged = 0;
	ret = store_record_read(s, &header, &text, err);
	if (ret == 0 && schema_decode(text.buf, out) < 0)
		*damaged = 1;
	if (ret == 0 && !*damaged) {
		schema_digest_of(out, d);
		*damaged = strcmp(d, rec->objects) != 0;
	}
	if (*damaged)
		schema_release(out);
	buf_release(&header);
	buf_release(&text);
	return ret;
}

/* Whether the live fingerprint says the schema is what rec records. */
static int
fingerprint_matches(struct store *s, const struct record *rec,
    const char *fp)
{
	if (rec->fp.len && strcmp(rec->fp.buf, fp) == 0)
		return 1;
	/* A content fingerprint is the digest of the objects themselves. */
	return store_fingerprint_content(s) && strcmp(rec->objects, fp) == 0;
}

/*
 * Compares the live schema with expected objects, by meaning: *n gets how
 * many differences (their lines in diff, if not NULL).
 */
static int
compare_objects(struct store *s, const struct schema *objs, unsigned flags,
    size_t *n, struct buf *diff, struct buf *err)
{
	struct schema want = SCHEMA_INIT, have = SCHEMA_INIT;
	struct buf lines = BUF_INIT;
	int ret;

	ret = store_objects_describe(s, objs, &want, err);
	if (ret == 0)
		ret = store_describe(s, &have, err);
	if (ret == 0)
		*n = schema_diff(&want, &have, flags, diff ? diff : &lines);
	schema_release(&want);
	schema_release(&have);
	buf_release(&lines);
	return ret;
}

static void
warn(struct runner *r, const char *fmt, const char *arg)
{
	struct runner_event ev;
	struct buf msg = BUF_INIT;

	if (r->emit == NULL)
		return;
	buf_addf(&msg, fmt, arg);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_WARNING;
	ev.path = r->store->display;
	ev.text = msg.buf;
	ev.len = msg.len;
	r->emit(r->arg, &ev);
	buf_release(&msg);
}

static const char damaged_msg[] = "the drift record is damaged: its "
    "checksum does not match%s";

/*
 * DRIFT_CLEAN when the live schema is what rec says the applied rows
 * produce, else DRIFT_DIRTY; or a negative code.
 */
static int
matches_record(struct runner *r, const struct record *rec, struct buf *err)
{
	struct schema objs = SCHEMA_INIT;
	struct buf fp = BUF_INIT;
	size_t n = 1;
	int ret, damaged;

	ret = store_fingerprint(r->store, &fp, err);
	if (ret == 0 && fingerprint_matches(r->store, rec, fp.buf))
		n = 0;
	else if (ret == 0)
		ret = record_objects(r->store, rec, &objs, &damaged, err);
	if (ret == 0 && n && damaged)
		warn(r, damaged_msg, ": it will be replaced");
	else if (ret == 0 && n)
		ret = compare_objects(r->store, &objs, 0, &n, NULL, err);
	schema_release(&objs);
	buf_release(&fp);
	if (ret < 0)
		return ret;
	return n == 0 ? DRIFT_CLEAN : DRIFT_DIRTY;
}

/* Whether the live schema has no objects at all (nothing applied yet). */
static int
live_empty(struct runner *r, int *empty, struct buf *err)
{
	struct schema objs = SCHEMA_INIT;
	char none[SCHEMA_DIGEST_LEN];
	struct buf fp = BUF_INIT;
	int ret;

	schema_digest_of(&objs, none);
	ret = store_fingerprint(r->store, &fp, err);
	if (ret == 0 && store_fingerprint_content(r->store))
		*empty = strcmp(fp.buf, none) == 0;
	else if (ret == 0) {
		ret = store_objects(r->store, &objs, err);
		*empty = objs.n == 0;
	}
	schema_release(&objs);
	buf_release(&fp);
	return ret;
}

/* The digest of no rows at all: a database with nothing applied. */
static int
no_rows(const char *digest)
{
	struct applied_set none = { NULL, 0, TRACKING_NONE };
	char d[SCHEMA_DIGEST_LEN];

	rows_digest(&none, d);
	return strcmp(digest, d) == 0;
}

/* What the start of a run knows, DRIFT_CLEAN or _DIRTY; or a negative code. */
static int
start_state(struct runner *r, const struct record *rec, const char *rows,
    struct buf *err)
{
	int ret, empty = 0;

	if (!rec->present && no_rows(rows)) {
		/* Nothing applied: nothing should be there. */
		ret = live_empty(r, &empty, err);
		return ret < 0 ? ret : empty ? DRIFT_CLEAN : DRIFT_DIRTY;
	}
	if (rec->present && !rec->sound) {
		warn(r, damaged_msg, ": it will be replaced");
		return DRIFT_DIRTY;
	}
	/* No record, or one of other rows: the settle replays. */
	if (!rec->present || strcmp(rec->rows, rows) != 0)
		return DRIFT_DIRTY;
	return matches_record(r, rec, err);
}

/*
 * Never stops a run: what cannot be checked is replayed when the run
 * records the schema (and if that fails too, it says so and records none).
 */
void
drift_start(struct runner *r)
{
	struct buf msg = BUF_INIT;
	char rows[SCHEMA_DIGEST_LEN];
	struct record rec;
	int ret;

	r->drift = DRIFT_OFF;
	r->settled = r->done;
	r->store->foreign_ddl = 0;
	ret = record_load(r->store, &rec, &msg);
	rows_digest(&r->rows, rows);
	if (ret == 0)
		ret = start_state(r, &rec, rows, &msg);
	r->drift = ret > 0 ? ret : DRIFT_DIRTY;
	if (ret < 0)
		warn(r, "cannot compare the schema with its drift record: %s",
		    msg.buf);
	record_release(&rec);
	buf_release(&msg);
}

/* Replays plan's applied migrations' up sections into sr's store. */
int
drift_replay(const struct plan *plan, struct runner *sr, struct buf *why)
{
	const struct plan_entry *e;
	struct buf msg = BUF_INIT;
	struct section_run s;
	struct migration m;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < plan->n; i++) {
		e = &plan->v[i];
		if (e->row == NULL)
			continue;
		if (drift_unknown_past(e, why))
			ret = 1;
		else if (runner_read_file(sr, e->file, &m, &msg) < 0)
			ret = 1;
		else {
			section_of(&s, &m, &m.up, e->file->path);
			ret = run_section(sr, &s, &msg) < 0;
			migration_release(&m);
		}
	}
	if (ret && msg.len)
		buf_addf(why, "replaying the applied migrations failed: %s",
		    msg.buf);
	buf_release(&msg);
	return ret;
}

int
drift_unknown_past(const struct plan_entry *e, struct buf *why)
{
	const char *v = e->row->version;

	if (e->state == ENTRY_CHANGED)
		buf_addf(why, "migration %s changed since it was applied", v);
	else if (e->state == ENTRY_MISSING)
		buf_addf(why, "the file of applied migration %s is missing", v);
	else if (e->state == ENTRY_FAILED)
		buf_addf(why, "migration %s is recorded as %s", v,
		    e->row->state);
	return why->len != 0;
}

/*
 * What the applied rows produce, by replaying them in a scratch database:
 * its objects into objs. Returns 0, or 1 with why saying why it could not
 * (a file changed or missing, a replay failing, no scratch database).
 */
static int
replay_objects(struct runner *r, const struct applied_set *rows,
    struct schema *objs, struct buf *why)
{
	struct plan plan = PLAN_INIT;
	struct runner sr;
	struct buf msg = BUF_INIT;
	int ret;

	memset(&sr, 0, sizeof(sr));
	ret = store_open_scratch(r->url, r->lock_timeout, &sr.store, &msg);
	if (ret < 0) {
		buf_addf(why, "no scratch database: %s", msg.buf);
		buf_release(&msg);
		return 1;
	}
	plan_build(&plan, &r->files, rows);
	ret = drift_replay(&plan, &sr, why);
	if (ret == 0 && store_objects(sr.store, objs, &msg) < 0) {
		buf_addf(why, "%s", msg.buf);
		ret = 1;
	}
	plan_release(&plan);
	store_close(sr.store);
	buf_release(&msg);
	return ret;
}

/* Writes the record of the objects' text and digest, for rows. */
static int
write_text(struct runner *r, const char *rows, const char *fp,
    const char *digest, const char *text, struct buf *err)
{
	struct buf header = BUF_INIT;
	int ret;

	header_format(&header, rows, fp, digest);
	ret = store_record_write(r->store, header.buf, text, err);
	buf_release(&header);
	return ret;
}

/* Writes the record of objs for rows; fp: the live one, if it matches. */
static int
write_record(struct runner *r, const char *rows, const char *fp,
    const struct schema *objs, struct buf *err)
{
	struct buf text = BUF_INIT;
	char d[SCHEMA_DIGEST_LEN];
	int ret;

	schema_digest_of(objs, d);
	schema_encode(objs, &text);
	ret = write_text(r, rows, fp, d, text.buf, err);
	buf_release(&text);
	return ret;
}

/*
 * The live schema is what runner made it: record it as it is, written out
 * as it is read (migrate's memory stays what it was).
 */
static int
settle_live(struct runner *r, const char *rows, struct buf *err)
{
	struct buf fp = BUF_INIT, text = BUF_INIT;
	char d[SCHEMA_DIGEST_LEN];
	int ret;

	ret = store_objects_text(r->store, &text, d, err);
	if (ret == 0 && store_fingerprint_content(r->store))
		buf_adds(&fp, d);
	else if (ret == 0)
		ret = store_fingerprint(r->store, &fp, err);
	if (ret == 0)
		ret = write_text(r, rows, fp.buf, d, text.buf, err);
	buf_release(&text);
	buf_release(&fp);
	return ret;
}

/*
 * The live schema cannot be trusted: record what the applied migrations
 * produce, replayed; or, when they cannot be replayed, no record at all.
 */
static int
settle_replayed(struct runner *r, const struct applied_set *rows,
    const char *digest, struct buf *err)
{
	struct schema objs = SCHEMA_INIT;
	struct buf why = BUF_INIT, fp = BUF_INIT;
	char d[SCHEMA_DIGEST_LEN];
	int ret;

	if (replay_objects(r, rows, &objs, &why)) {
		warn(r, "the schema was not recorded, so status checks drift "
		    "by replaying the history: %s", why.buf);
		ret = store_record_write(r->store, NULL, NULL, err);
		goto out;
	}
	schema_digest_of(&objs, d);
	ret = store_fingerprint(r->store, &fp, err);
	/* Drift may have gone since: then the fast path works again. */
	if (ret == 0 && !(store_fingerprint_content(r->store) &&
	    strcmp(fp.buf, d) == 0))
		buf_reset(&fp);
	if (ret == 0)
		ret = write_record(r, digest, fp.buf, &objs, err);
	if (ret == 0 && fp.len)
		r->drift = DRIFT_CLEAN;
out:
	schema_release(&objs);
	buf_release(&why);
	buf_release(&fp);
	return ret;
}

int
drift_settle(struct runner *r, struct buf *err)
{
	struct applied_set rows = { NULL, 0, TRACKING_NONE };
	char digest[SCHEMA_DIGEST_LEN];
	int ret;

	if (r->drift == DRIFT_OFF || r->drift == DRIFT_KEEP)
		return 0;
	if (r->store->foreign_ddl)
		r->drift = DRIFT_DIRTY;
	ret = stored_rows_digest(r->store, digest, err);
	/* Only a replay needs the rows themselves. */
	if (ret == 0 && r->drift != DRIFT_CLEAN)
		ret = store_load_applied(r->store, &rows, err);
	if (ret < 0)
		return ret;
	if (r->drift == DRIFT_CLEAN)
		ret = settle_live(r, digest, err);
	else
		ret = settle_replayed(r, &rows, digest, err);
	if (ret == 0)
		r->settled = r->done;
	applied_set_release(&rows);
	return ret;
}

int
drift_rows_changed(struct runner *r, const struct applied_set *before,
    struct buf *err)
{
	struct applied_set rows = { NULL, 0, TRACKING_NONE };
	struct buf header = BUF_INIT;
	struct record rec;
	char was[SCHEMA_DIGEST_LEN], now[SCHEMA_DIGEST_LEN];
	int ret;

	ret = record_load(r->store, &rec, err);
	rows_digest(before, was);
	if (ret < 0 || !rec.sound || strcmp(rec.rows, was) != 0)
		goto out;
	ret = store_load_applied(r->store, &rows, err);
	if (ret < 0)
		goto out;
	rows_digest(&rows, now);
	/* The schema is as it was: only the rows it belongs to changed. */
	if (strcmp(now, was) != 0) {
		header_format(&header, now, rec.fp.buf, rec.objects);
		ret = store_record_write(r->store, header.buf, NULL, err);
	}
out:
	applied_set_release(&rows);
	buf_release(&header);
	record_release(&rec);
	return ret;
}

void
drift_init(struct drift *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->why);
	buf_init(&d->diff);
	buf_init(&d->note);
}

void
drift_release(struct drift *d)
{
	buf_release(&d->why);
	buf_release(&d->diff);
	buf_release(&d->note);
}

/* Status by replaying the history, where no record can be used. */
static int
drift_by_replay(struct runner *r, const char *url, int lock_timeout,
    struct drift *d, struct buf *err)
{
	struct schema want = SCHEMA_INIT, have = SCHEMA_INIT;
	struct buf scratch_err = BUF_INIT;
	struct runner sr;
	int ret;

	d->source = "replay";
	memset(&sr, 0, sizeof(sr));
	/* No scratch database (say, no CREATEDB right): drift unknown. */
	ret = store_open_scratch(url, lock_timeout, &sr.store, &scratch_err);
	if (ret < 0) {
		buf_addf(&d->why, "no scratch database: %s", scratch_err.buf);
		buf_release(&scratch_err);
		return 0;
	}
	if (drift_replay(&r->plan, &sr, &d->why)) {
		store_close(sr.store);
		return 0;
	}
	ret = store_describe(sr.store, &want, err);
	if (ret == 0)
		ret = store_describe(r->store, &have, err);
	if (ret == 0) {
		d->checked = 1;
		d->n = schema_diff(&want, &have, d->flags, &d->diff);
	}
	store_close(sr.store);
	schema_release(&want);
	schema_release(&have);
	return ret;
}

/*
 * Status against a record whose rows are the applied ones. Returns 1 when
 * the record cannot be used after all (d->note says why).
 */
static int
drift_by_record(struct runner *r, const struct record *rec, struct drift *d,
    struct buf *err)
{
	struct schema objs = SCHEMA_INIT, want = SCHEMA_INIT, have = SCHEMA_INIT;
	struct buf fp = BUF_INIT, msg = BUF_INIT;
	int ret = 0, damaged = 0;

	d->source = "record";
	if (r->prefetched)
		buf_add(&fp, r->pre_fp.buf, r->pre_fp.len);
	else
		ret = store_fingerprint(r->store, &fp, err);
	if (ret == 0 && fingerprint_matches(r->store, rec, fp.buf)) {
		d->checked = 1;
		goto out;
	}
	if (ret == 0)
		ret = record_objects(r->store, rec, &objs, &damaged, err);
	if (ret == 0 && damaged) {
		buf_addf(&d->note, damaged_msg, "");
		ret = 1;
	} else if (ret == 0 &&
	    store_objects_describe(r->store, &objs, &want, &msg) < 0) {
		buf_addf(&d->note, "the recorded schema cannot be rebuilt: %s",
		    msg.buf);
		ret = 1;
	} else if (ret == 0)
		ret = store_describe(r->store, &have, err);
	if (ret == 0) {
		d->checked = 1;
		d->n = schema_diff(&want, &have, d->flags, &d->diff);
	}
out:
	schema_release(&objs);
	schema_release(&want);
	schema_release(&have);
	buf_release(&fp);
	buf_release(&msg);
	return ret;
}

/* Nothing applied and nothing recorded: whatever is there is drift. */
static int
drift_of_nothing(struct runner *r, struct drift *d, struct buf *err)
{
	struct schema none = SCHEMA_INIT, have = SCHEMA_INIT;
	int ret, empty = 0;

	d->source = "record";
	ret = live_empty(r, &empty, err);
	if (ret == 0 && !empty)
		ret = store_describe(r->store, &have, err);
	if (ret == 0) {
		d->checked = 1;
		d->n = schema_diff(&none, &have, d->flags, &d->diff);
	}
	schema_release(&have);
	return ret;
}

int
runner_drift(struct runner *r, const char *url, int lock_timeout,
    struct drift *d, struct buf *err)
{
	char rows[SCHEMA_DIGEST_LEN];
	struct record rec;
	int ret;

	if (r->store == NULL) {
		buf_adds(&d->why, "the database does not exist");
		return 0;
	}
	if (r->prefetched) {
		memset(&rec, 0, sizeof(rec));
		buf_init(&rec.fp);
		record_parse(r->pre_header.buf, &rec);
		ret = 0;
	} else
		ret = record_load(r->store, &rec, err);
	rows_digest(&r->rows, rows);
	if (ret < 0)
		goto out;
	if (rec.sound && strcmp(rec.rows, rows) == 0)
		ret = drift_by_record(r, &rec, d, err);
	else if (rec.present && !rec.sound)
		buf_addf(&d->note, damaged_msg, "");
	else if (rec.present)
		buf_addf(&d->note, "the drift record is of other migrations "
		    "than the applied ones: a run was interrupted, or another "
		    "tool changed %s", r->store->table);
	else if (no_rows(rows))
		ret = drift_of_nothing(r, d, err);
	else
		buf_adds(&d->note, "none was written yet; the next command "
		    "that changes the database writes one");
	if (ret == 1)
		ret = 0;
	if (ret == 0 && !d->checked)
		ret = drift_by_replay(r, url, lock_timeout, d, err);
out:
	record_release(&rec);
	return ret;
}
