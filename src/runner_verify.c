/*
 * runner_verify.c: checking migrations in a scratch database: does each down
 * undo its up? Schemas are compared by meaning (store_ops.describe), never by
 * the text that created them. Where the driver's fingerprint is a digest of
 * the schema that stays cheap section after section (SQLite), each step is
 * compared by fingerprint first, and only a migration whose fingerprints
 * differ is described, in a second scratch database that replays the same
 * steps; otherwise (PostgreSQL) every step is described.
 */
#include <string.h>

#include "error.h"
#include "file.h"
#include "runner.h"
#include "runner_int.h"
#include "banned.h"

/* One run of verify. */
struct verify {
	struct runner *r;	/* r->store is the scratch database */
	const char *url;
	int lock_timeout;
	unsigned flags;		/* schema_diff's */
	struct verify_counts *vc;
};

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

/* Appends "  title:" and the differences from a to b, indented. */
static size_t
diff_block(const struct verify *v, const struct schema *a,
    const struct schema *b, const char *title, struct buf *out)
{
	struct buf lines = BUF_INIT;
	const char *p, *nl;
	size_t n = schema_diff(a, b, v->flags, &lines);

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

/* Runs section sec of m on r's store; on failure fail gets file:line. */
static int
run_part(struct runner *r, struct migration *m, const struct section *sec,
    const char *path, struct buf *fail)
{
	struct section_run s;

	section_of(&s, m, sec, path);
	return run_section(r, &s, fail);
}

/*
 * Runs down then up again after the first up (whose schema is in c->up);
 * out gets the differences. Returns 0; 1 when up again failed (noted in
 * out: the schema is no longer what later migrations expect); or a
 * negative code: with fail set when the down section failed (or cannot be
 * run here, RUNNER_ECLUSTER), with err when describing failed.
 */
static int
check_cycle(const struct verify *v, struct migration *m,
    const struct migfile *f, const struct schema *before, struct cycle *c,
    struct buf *out, struct buf *fail, struct buf *err)
{
	struct runner *r = v->r;
	int ret;

	ret = run_part(r, m, &m->down, f->path, fail);
	if (ret < 0)
		return ret;
	ret = store_describe(r->store, &c->down, err);
	if (ret < 0)
		return ret;
	diff_block(v, before, &c->down, "after down, compared with before up",
	    out);
	if (run_part(r, m, &m->up, f->path, fail) < 0) {
		/* Usually because the down left something behind. */
		buf_addf(out, "  up again failed: %s\n", fail->buf);
		buf_reset(fail);
		return 1;
	}
	ret = store_describe(r->store, &c->again, err);
	if (ret < 0)
		return ret;
	diff_block(v, &c->up, &c->again, "after up again, compared with the "
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
report(const struct verify *v, const struct migfile *f, int reversible,
    int ret, const struct buf *out, const struct buf *fail)
{
	struct verify_counts *vc = v->vc;
	enum runner_event_type type;

	if (ret < 0 && fail->len == 0)
		return ret;
	if (ret == RUNNER_ECLUSTER) {
		/* Not run, so the scratch database can go on without it. */
		vc->skipped++;
		type = EV_VERIFY_SKIPPED;
		ret = 0;
	} else if (ret < 0) {
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
	emit_verify(v->r, type, f, fail->len ? fail : out);
	return ret;
}

/*
 * Checks one migration by meaning, starting from the schema in *before,
 * which it updates. Returns 0 when checked, 1 when the run must stop
 * there (it failed), or a negative code.
 */
static int
verify_one(const struct verify *v, const struct migfile *f,
    struct schema *before, struct buf *err)
{
	struct cycle c = { SCHEMA_INIT, SCHEMA_INIT, SCHEMA_INIT };
	struct buf out = BUF_INIT, fail = BUF_INIT;
	struct migration m;
	int ret, reversible, up = 0;

	ret = runner_read_file(v->r, f, &m, err);
	if (ret < 0)
		return ret;
	reversible = migration_reversible(&m);
	ret = run_part(v->r, &m, &m.up, f->path, &fail);
	if (ret == 0)
		ret = store_describe(v->r->store, &c.up, err);
	up = ret == 0;
	if (ret == 0 && reversible)
		ret = check_cycle(v, &m, f, before, &c, &out, &fail, err);
	/* Go on from what up (again) left, as rollback and migrate would. */
	if (ret >= 0)
		advance(before, reversible && ret == 0 ? &c.again : &c.up);
	else if (ret == RUNNER_ECLUSTER && up)
		advance(before, &c.up);	/* the down could not run */
	ret = report(v, f, reversible, ret, &out, &fail);
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
	struct migration m;
	int ret;

	ret = runner_read_file(r, f, &m, err);
	if (ret < 0)
		return ret;
	ret = run_part(r, &m, &m.up, f->path, err);
	if (ret == 0 && migration_reversible(&m)) {
		ret = run_part(r, &m, &m.down, f->path, err);
		if (ret == 0)
			ret = run_part(r, &m, &m.up, f->path, err);
	}
	migration_release(&m);
	/* The fast check went on past this one too. */
	if (ret == RUNNER_ECLUSTER) {
		buf_reset(err);
		ret = 0;
	}
	return ret;
}

/*
 * The slow check of migration k, by meaning: in a new scratch database,
 * replays what the fast check ran before it (so the schema is the same),
 * then checks it with describes. Returns as verify_one.
 */
static int
verify_slow(const struct verify *v, size_t k, struct buf *err)
{
	struct schema before = SCHEMA_INIT;
	struct verify sv = *v;
	struct runner sr;
	size_t i;
	int ret;

	memset(&sr, 0, sizeof(sr));
	sr.emit = v->r->emit;
	sr.arg = v->r->arg;
	sv.r = &sr;
	ret = store_open_scratch(v->url, v->lock_timeout, &sr.store, err);
	for (i = 0; ret == 0 && i < k; i++)
		ret = run_cycle(&sr, &v->r->files.v[i], err);
	if (ret == 0)
		ret = store_describe(sr.store, &before, err);
	if (ret == 0)
		ret = verify_one(&sv, &v->r->files.v[k], &before, err);
	schema_release(&before);
	store_close(sr.store);
	return ret;
}

/* Runs section sec of m; fp (if not NULL) gets the fingerprint after. */
static int
run_fp(struct runner *r, struct migration *m, const struct section *sec,
    const char *path, struct buf *fp, struct buf *fail, struct buf *err)
{
	int ret = run_part(r, m, sec, path, fail);

	if (ret < 0 || fp == NULL)
		return ret;
	return store_fingerprint(r->store, fp, err);
}

/* Fingerprints before and after each step of the fast check. */
struct prints {
	struct buf before, up, down, again;
};

static void
swap_buf(struct buf *a, struct buf *b)
{
	struct buf t = *a;

	*a = *b;
	*b = t;
}

/*
 * The fast check of f: up, down, up again, comparing fingerprints (equal
 * content fingerprints mean an equal schema, store.h). Returns as
 * verify_one, or 2 when they differ (or up again failed) and only the slow
 * check can tell.
 */
static int
verify_fast(const struct verify *v, const struct migfile *f,
    struct prints *p, struct buf *err)
{
	struct buf fail = BUF_INIT, none = BUF_INIT;
	struct runner *r = v->r;
	struct migration m;
	int ret, reversible, slow = 0;

	ret = runner_read_file(r, f, &m, err);
	if (ret < 0)
		return ret;
	reversible = migration_reversible(&m);
	ret = run_fp(r, &m, &m.up, f->path, &p->up, &fail, err);
	if (ret == 0 && reversible)
		ret = run_fp(r, &m, &m.down, f->path, &p->down, &fail, err);
	if (ret == 0 && reversible) {
		/* Either way this database takes the step, to stay in step. */
		slow = strcmp(p->down.buf, p->before.buf) != 0;
		ret = run_fp(r, &m, &m.up, f->path, &p->again, &fail, err);
		if ((ret < 0 && fail.len && ret != RUNNER_ECLUSTER) ||
		    (ret == 0 && strcmp(p->again.buf, p->up.buf) != 0))
			slow = 1;
	}
	migration_release(&m);
	ret = slow ? 2 : report(v, f, reversible, ret, &none, &fail);
	if (ret == 0 && p->up.len)
		swap_buf(&p->before, &p->up);
	buf_reset(&p->up);
	buf_release(&fail);
	return ret;
}

static void
prints_release(struct prints *p)
{
	buf_release(&p->before);
	buf_release(&p->up);
	buf_release(&p->down);
	buf_release(&p->again);
}

/* Every migration by fingerprint, the ones that differ by meaning. */
static int
verify_by_fingerprint(const struct verify *v, struct buf *err)
{
	struct prints p = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct runner *r = v->r;
	size_t i;
	int ret;

	ret = store_fingerprint(r->store, &p.before, err);
	for (i = 0; ret == 0 && i < r->files.n; i++) {
		ret = verify_fast(v, &r->files.v[i], &p, err);
		if (ret == 2) {
			ret = verify_slow(v, i, err);
			if (ret == 0)
				ret = store_fingerprint(r->store, &p.before,
				    err);
		}
		if (ret == 1)
			v->vc->unchecked = r->files.n - i - 1;
	}
	prints_release(&p);
	return ret;
}

/* Every migration by meaning, in the one scratch database. */
static int
verify_by_meaning(const struct verify *v, struct buf *err)
{
	struct schema before = SCHEMA_INIT;
	struct runner *r = v->r;
	size_t i;
	int ret;

	ret = store_describe(r->store, &before, err);
	for (i = 0; ret == 0 && i < r->files.n; i++) {
		ret = verify_one(v, &r->files.v[i], &before, err);
		if (ret == 1)
			v->vc->unchecked = r->files.n - i - 1;
	}
	schema_release(&before);
	return ret;
}

int
runner_verify(struct runner *r, const char *url, int lock_timeout,
    unsigned flags, struct verify_counts *vc, struct buf *err)
{
	struct verify v = { r, url, lock_timeout, flags, vc };
	int ret;

	memset(vc, 0, sizeof(*vc));
	ret = store_open_scratch(url, lock_timeout, &r->store, err);
	if (ret == 0 && store_fingerprint_content(r->store))
		ret = verify_by_fingerprint(&v, err);
	else if (ret == 0)
		ret = verify_by_meaning(&v, err);
	store_close(r->store);
	r->store = NULL;
	return ret < 0 ? ret : 0;
}
