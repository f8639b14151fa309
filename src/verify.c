/*
 * verify.c: checking migrations in a scratch database (does each down undo
 * its up?) and drift (does a database's schema still match what its
 * applied migrations produce?). Both compare schemas by meaning
 * (store_ops.describe), never by the text that created them.
 */
#include <string.h>

#include "error.h"
#include "runner.h"
#include "runner_int.h"
#include "banned.h"

static void
emit_verify(struct runner *r, enum runner_event_type type,
    const struct migfile *f, const struct buf *text)
{
	struct runner_event ev;

	if (r->emit == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.version = f->version;
	ev.name = f->name;
	ev.path = f->path;
	ev.text = text ? text->buf : NULL;
	ev.len = text ? text->len : 0;
	r->emit(r->arg, &ev);
}

/* Runs a section in its own transaction (unless it says otherwise). */
static int
run_section(struct runner *r, const struct section_run *s, struct buf *err)
{
	const struct store_ops *ops = r->store->ops;
	unsigned fl = store_flags(s->flags);
	int ret;

	ret = ops->begin(r->store, fl, err);
	if (ret == 0)
		ret = exec_section(r, s, err);
	if (ret == 0)
		ret = commit_section(r, s, fl, err);
	if (ret < 0)
		ops->rollback(r->store, fl);
	return ret;
}

static int
describe(struct runner *r, struct schema *out, struct buf *err)
{
	schema_release(out);
	if (r->store->ops->describe == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "the %s driver cannot "
		    "describe a schema yet", r->store->ops->name);
	return r->store->ops->describe(r->store, out, err);
}

/* Appends "  title:" and the differences from a to b, indented. */
static size_t
diff_block(const struct schema *a, const struct schema *b, const char *title,
    struct buf *out)
{
	struct buf lines = BUF_INIT;
	const char *p, *nl;
	size_t n = schema_diff(a, b, 0, &lines);

	if (n)
		buf_addf(out, "  %s:\n", title);
	for (p = lines.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		buf_addf(out, "    %.*s\n", (int)(nl - p), p);
	buf_release(&lines);
	return n;
}

/* The three schemas one reversible migration is checked with. */
struct cycle {
	struct schema up, down, again;
};

/*
 * Runs down then up again after the first up (whose schema is in c->up);
 * out gets the differences. Returns 0; 1 when up again failed (noted in
 * out: the schema is no longer what later migrations expect); or a
 * negative code: with fail set when the down section failed, with err
 * when describing failed.
 */
static int
check_cycle(struct runner *r, struct migration *m, const struct migfile *f,
    const struct schema *before, struct cycle *c, struct buf *out,
    struct buf *fail, struct buf *err)
{
	struct section_run s;
	int ret;

	section_of(&s, m, &m->down, f->path);
	if (run_section(r, &s, fail) < 0)
		return RUNNER_EFAIL;
	ret = describe(r, &c->down, err);
	if (ret < 0)
		return ret;
	diff_block(before, &c->down, "after down, compared with before up",
	    out);
	section_of(&s, m, &m->up, f->path);
	if (run_section(r, &s, fail) < 0) {
		/* Usually because the down left something behind. */
		buf_addf(out, "  up again failed: %s\n", fail->buf);
		buf_reset(fail);
		return 1;
	}
	ret = describe(r, &c->again, err);
	if (ret < 0)
		return ret;
	diff_block(&c->up, &c->again, "after up again, compared with the "
	    "first up", out);
	return 0;
}

static void
cycle_release(struct cycle *c)
{
	schema_release(&c->up);
	schema_release(&c->down);
	schema_release(&c->again);
}

/* Replaces *before with the schema the next migration starts from. */
static void
advance(struct schema *before, struct schema *next)
{
	schema_release(before);
	*before = *next;
	memset(next, 0, sizeof(*next));
}

/*
 * Emits what one migration came to, from ret (what running and comparing
 * returned). Returns 0 to go on, 1 to stop, or a negative code.
 */
static int
report(struct runner *r, const struct migfile *f, int reversible, int ret,
    const struct buf *out, const struct buf *fail, struct verify_counts *vc)
{
	enum runner_event_type type;

	if (ret < 0 && fail->len == 0)
		return ret;
	if (ret < 0) {
		vc->failed++;
		type = EV_VERIFY_FAILED;
		ret = 1;
	} else if (!reversible) {
		vc->irreversible++;
		type = EV_VERIFY_IRREVERSIBLE;
	} else if (out->len) {
		vc->asymmetric++;
		type = EV_VERIFY_ASYMMETRIC;
	} else {
		vc->ok++;
		type = EV_VERIFY_OK;
	}
	emit_verify(r, type, f, fail->len ? fail : out);
	return ret;
}

/*
 * Checks one migration starting from the schema in *before, which it
 * updates. Returns 0 when checked, 1 when the run must stop there (it
 * failed), or a negative code.
 */
static int
verify_one(struct runner *r, const struct migfile *f, struct schema *before,
    struct verify_counts *vc, struct buf *err)
{
	struct cycle c = { SCHEMA_INIT, SCHEMA_INIT, SCHEMA_INIT };
	struct buf out = BUF_INIT, fail = BUF_INIT;
	struct section_run s;
	struct migration m;
	int ret, reversible;

	ret = migfile_read(f, &m, err);
	if (ret < 0)
		return ret;
	reversible = migration_reversible(&m);
	section_of(&s, &m, &m.up, f->path);
	ret = run_section(r, &s, &fail);
	if (ret == 0)
		ret = describe(r, &c.up, err);
	if (ret == 0 && reversible)
		ret = check_cycle(r, &m, f, before, &c, &out, &fail, err);
	/* Go on from what up (again) left, as rollback and migrate would. */
	if (ret == 0)
		advance(before, reversible ? &c.again : &c.up);
	ret = report(r, f, reversible, ret, &out, &fail, vc);
	cycle_release(&c);
	migration_release(&m);
	buf_release(&out);
	buf_release(&fail);
	return ret;
}

/* Runs up, then (if reversible) down and up again, stopping at a failure. */
static int
run_cycle(struct runner *r, const struct migfile *f, struct buf *err)
{
	struct section_run s;
	struct migration m;
	int ret;

	ret = migfile_read(f, &m, err);
	if (ret < 0)
		return ret;
	section_of(&s, &m, &m.up, f->path);
	ret = run_section(r, &s, err);
	if (ret == 0 && migration_reversible(&m)) {
		section_of(&s, &m, &m.down, f->path);
		ret = run_section(r, &s, err);
		section_of(&s, &m, &m.up, f->path);
		if (ret == 0)
			ret = run_section(r, &s, err);
	}
	migration_release(&m);
	return ret;
}

/*
 * The slow check of migration k, by meaning: in a new scratch database,
 * replays what the fast check ran before it (so the schema is the same),
 * then checks it with describes. Returns as verify_one.
 */
static int
verify_slow(struct runner *r, const char *url, int lock_timeout, size_t k,
    struct verify_counts *vc, struct buf *err)
{
	struct schema before = SCHEMA_INIT;
	struct runner sr;
	size_t i;
	int ret;

	memset(&sr, 0, sizeof(sr));
	sr.emit = r->emit;
	sr.arg = r->arg;
	ret = store_open_scratch(url, lock_timeout, &sr.store, err);
	for (i = 0; ret == 0 && i < k; i++)
		ret = run_cycle(&sr, &r->files.v[i], err);
	if (ret == 0)
		ret = describe(&sr, &before, err);
	if (ret == 0)
		ret = verify_one(&sr, &r->files.v[k], &before, vc, err);
	schema_release(&before);
	store_close(sr.store);
	return ret;
}

/* Runs section sec of m; text (if not NULL) gets the schema's text after. */
static int
run_text(struct runner *r, struct migration *m, const struct section *sec,
    const char *path, struct buf *text, struct buf *fail, struct buf *err)
{
	struct section_run s;

	section_of(&s, m, sec, path);
	if (run_section(r, &s, fail) < 0)
		return RUNNER_EFAIL;
	if (text == NULL)
		return 0;
	buf_reset(text);
	return r->store->ops->schema(r->store, text, err);
}

/* Schema text before and after each step of the fast check. */
struct texts {
	struct buf before, up, down;
};

/*
 * The fast check of f: up, down, up again, comparing the schema's text
 * (equal text means equal meaning, store.h). Returns as verify_one, or 2
 * when the text differs (or up again failed) and only the slow check can
 * tell.
 */
static void
swap_buf(struct buf *a, struct buf *b)
{
	struct buf t = *a;

	*a = *b;
	*b = t;
}

static int
verify_fast(struct runner *r, const struct migfile *f, struct texts *t,
    struct verify_counts *vc, struct buf *err)
{
	struct buf fail = BUF_INIT, none = BUF_INIT;
	struct migration m;
	int ret, reversible, slow = 0;

	ret = migfile_read(f, &m, err);
	if (ret < 0)
		return ret;
	reversible = migration_reversible(&m);
	ret = run_text(r, &m, &m.up, f->path, &t->up, &fail, err);
	if (ret == 0 && reversible)
		ret = run_text(r, &m, &m.down, f->path, &t->down, &fail, err);
	if (ret == 0 && reversible) {
		/*
		 * Up again on the same schema text gives the same text; on
		 * another, or if it fails, the slow check compares meanings.
		 * Either way this database takes the step, to stay in step.
		 */
		slow = strcmp(t->down.buf, t->before.buf) != 0;
		ret = run_text(r, &m, &m.up, f->path, NULL, &fail, err);
		if (ret < 0 && fail.len)
			slow = 1;
	}
	migration_release(&m);
	ret = slow ? 2 : report(r, f, reversible, ret, &none, &fail, vc);
	if (ret == 0)
		swap_buf(&t->before, &t->up);
	buf_release(&fail);
	return ret;
}

int
runner_verify(struct runner *r, const char *url, int lock_timeout,
    struct verify_counts *vc, struct buf *err)
{
	struct texts t = { BUF_INIT, BUF_INIT, BUF_INIT };
	size_t i;
	int ret;

	memset(vc, 0, sizeof(*vc));
	ret = store_open_scratch(url, lock_timeout, &r->store, err);
	if (ret == 0)
		ret = r->store->ops->schema(r->store, &t.before, err);
	for (i = 0; ret == 0 && i < r->files.n; i++) {
		ret = verify_fast(r, &r->files.v[i], &t, vc, err);
		if (ret == 2) {
			ret = verify_slow(r, url, lock_timeout, i, vc, err);
			buf_reset(&t.before);
			if (ret == 0)
				ret = r->store->ops->schema(r->store, &t.before,
				    err);
		}
		if (ret == 1)
			vc->unchecked = r->files.n - i - 1;
	}
	store_close(r->store);
	r->store = NULL;
	buf_release(&t.before);
	buf_release(&t.up);
	buf_release(&t.down);
	return ret < 0 ? ret : 0;
}

void
drift_init(struct drift *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->why);
	buf_init(&d->diff);
}

void
drift_release(struct drift *d)
{
	buf_release(&d->why);
	buf_release(&d->diff);
}

/* Says in why when e cannot be replayed: what ran is not known. */
static int
unknown_past(const struct plan_entry *e, struct buf *why)
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

/* Replays the applied migrations' up sections into sr's store. */
static int
replay(struct runner *r, struct runner *sr, struct buf *why)
{
	const struct plan_entry *e;
	struct buf msg = BUF_INIT;
	struct section_run s;
	struct migration m;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < r->plan.n; i++) {
		e = &r->plan.v[i];
		if (e->row == NULL)
			continue;
		if (unknown_past(e, why))
			ret = 1;
		else if (migfile_read(e->file, &m, &msg) < 0)
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
runner_drift(struct runner *r, const char *url, int lock_timeout,
    struct drift *d, struct buf *err)
{
	struct schema want = SCHEMA_INIT, have = SCHEMA_INIT;
	struct buf scratch_err = BUF_INIT;
	struct runner sr;
	int ret;

	if (r->store == NULL) {
		buf_adds(&d->why, "the database does not exist");
		return 0;
	}
	memset(&sr, 0, sizeof(sr));
	/* No scratch database (say, no CREATEDB right): drift unknown. */
	ret = store_open_scratch(url, lock_timeout, &sr.store, &scratch_err);
	if (ret < 0) {
		buf_addf(&d->why, "no scratch database: %s", scratch_err.buf);
		buf_release(&scratch_err);
		return 0;
	}
	if (replay(r, &sr, &d->why)) {
		store_close(sr.store);
		return 0;
	}
	ret = describe(&sr, &want, err);
	if (ret == 0)
		ret = describe(r, &have, err);
	if (ret == 0) {
		d->checked = 1;
		d->n = schema_diff(&want, &have, 0, &d->diff);
	}
	store_close(sr.store);
	schema_release(&want);
	schema_release(&have);
	return ret;
}
