/*
 * runner_adopt.c: taking over the history another tool recorded. What it
 * recorded as applied becomes applied in runner's table, or nothing does:
 * every doubt (a dirty or failed migration, a version without a file, a
 * file skipped below the newest) refuses the whole adoption.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "file.h"
#include "runner_int.h"
#include "banned.h"

void
adopt_plan_release(struct adopt_plan *p)
{
	peer_history_release(&p->h);
	free(p->kept);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* The tool to adopt from: the one found, or o->from. */
static int
choose(struct runner *r, const struct adopt_opts *o,
    const struct peer_found *f, struct buf *err)
{
	struct buf list = BUF_INIT;
	int i, ret = -1;

	for (i = 0; i < PEER_MAX; i++)
		if (f->table[i])
			buf_addf(&list, "%s%s (table %s)", list.len ? ", " : "",
			    peer_name(i), f->table[i]);
	if (f->n == 0)
		buf_seterr(err, RUNNER_EFAIL, "no other tool's history in '%s': "
		    "runner looks for the tables of %s; nothing was changed",
		    r->store->display, peer_names());
	else if (o->from >= 0 && f->table[o->from] == NULL)
		buf_seterr(err, RUNNER_EFAIL, "no %s history in '%s' (it has "
		    "%s's); nothing was changed", peer_name(o->from),
		    r->store->display, list.buf);
	else if (o->from >= 0)
		ret = o->from;
	else if (f->n > 1)
		buf_seterr(err, RUNNER_EFAIL, "several tools recorded histories "
		    "in '%s': %s; choose one with --from TOOL; nothing was "
		    "changed", r->store->display, list.buf);
	else
		for (i = 0; i < PEER_MAX; i++)
			if (f->table[i])
				ret = i;
	buf_release(&list);
	return ret;
}

/* Runner's own history must be empty: adopt never merges two. */
static int
check_own(struct runner *r, struct buf *err)
{
	applied_set_release(&r->rows);
	if (store_load_applied(r->store, &r->rows, err) < 0)
		return RUNNER_EFAIL;
	if (r->rows.n)
		return buf_seterr(err, RUNNER_EFAIL, "runner already keeps a "
		    "history in '%s' (%zu migration%s applied): adopt is for a "
		    "database another tool migrated; nothing was changed",
		    r->store->display, r->rows.n, r->rows.n == 1 ? "" : "s");
	return 0;
}

static void
line(struct buf *why, const char *fmt, const char *a, const char *b,
    const char *c)
{
	if (why->len)
		buf_addch(why, '\n');
	buf_addf(why, fmt, a, b, c);
}

/* The tool's own doubts: dirty, failed, or latest entry not applied. */
static void
tool_refusals(const struct peer_history *h, struct buf *why)
{
	const char *tool = peer_name(h->tool);
	size_t i;

	if (h->dirty)
		line(why, "%s marked version %s dirty: a migration failed "
		    "part-way; fix the database, clear the flag with %s's "
		    "'force', then adopt", tool, h->upto ? h->upto->version :
		    "-1", tool);
	for (i = 0; i < h->n; i++)
		if (h->v[i].state == PEER_FAILED)
			line(why, "%s recorded migration %s as failed (row %s); "
			    "fix the database and its record with that tool "
			    "first", tool, h->v[i].version, h->v[i].where ?
			    h->v[i].where : "success = false");
		else if (h->v[i].state == PEER_NOT_APPLIED)
			line(why, "%s's latest entry for version %s (row %s) "
			    "says it is not applied; remove those rows if the "
			    "migration was rolled back", tool, h->v[i].version,
			    h->v[i].where ? h->v[i].where : "?");
}

static struct adopt_entry *
add_entry(struct adopt_plan *p, const struct migfile *f,
    const struct peer_row *row)
{
	struct adopt_entry *e;

	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	e = &p->v[p->n++];
	e->file = f;
	e->version = f ? f->version : row->version;
	e->name = f ? f->name : row->name ? row->name : "";
	e->applied_at = row->applied_at;
	return e;
}

static int
cmp_entry(const void *a, const void *b)
{
	return version_cmp(((const struct adopt_entry *)a)->version,
	    ((const struct adopt_entry *)b)->version);
}

static int
recorded(const struct adopt_plan *p, const char *version)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (version_cmp(p->v[i].version, version) == 0)
			return 1;
	return 0;
}

/* Each version the tool recorded, with its file; missing ones in why. */
static void
add_recorded(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *missing)
{
	const struct peer_history *h = &p->h;
	const struct migfile *f;
	size_t i;

	for (i = 0; i < h->n; i++) {
		f = migset_find(&r->files, h->v[i].version);
		if (f == NULL)
			buf_addf(missing, "%s%s", missing->len ? ", " : "",
			    h->v[i].version);
		if (f || o->allow_missing)
			add_entry(p, f, &h->v[i]);
	}
	if (h->upto == NULL)
		return;
	/* golang-migrate's version must be a file; Flyway's baseline need not. */
	f = migset_find(&r->files, h->upto->version);
	if (f == NULL && h->tool == PEER_GOLANG_MIGRATE) {
		buf_addf(missing, "%s%s", missing->len ? ", " : "",
		    h->upto->version);
		if (o->allow_missing)
			add_entry(p, NULL, h->upto);
	}
	for (i = 0; i < r->files.n; i++)
		if (version_cmp(r->files.v[i].version, h->upto->version) <= 0 &&
		    !recorded(p, r->files.v[i].version))
			add_entry(p, &r->files.v[i], h->upto);
}

/* Files the tool never applied that sort below its newest. */
static void
out_of_order(struct runner *r, const struct adopt_plan *p, struct buf *ooo)
{
	const char *newest = NULL;
	size_t i;

	for (i = 0; i < p->h.n; i++)
		if (newest == NULL || version_cmp(p->h.v[i].version, newest) > 0)
			newest = p->h.v[i].version;
	if (p->h.upto && (newest == NULL ||
	    version_cmp(p->h.upto->version, newest) > 0))
		newest = p->h.upto->version;
	for (i = 0; newest && i < r->files.n; i++)
		if (version_cmp(r->files.v[i].version, newest) < 0 &&
		    !recorded(p, r->files.v[i].version))
			buf_addf(ooo, "%s'%s'", ooo->len ? ", " : "",
			    r->files.v[i].path);
}

/* The entries, and every reason to refuse in why. */
static void
plan_entries(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *why)
{
	struct buf missing = BUF_INIT, ooo = BUF_INIT;
	const char *tool = peer_name(p->h.tool);
	size_t i;

	tool_refusals(&p->h, why);
	add_recorded(r, o, p, &missing);
	out_of_order(r, p, &ooo);
	if (missing.len && !o->allow_missing)
		line(why, "%s recorded version%s %s, which no migration file "
		    "has: restore the files, or record them as irreversible "
		    "with --allow-missing", tool, strchr(missing.buf, ',') ?
		    "s" : "", missing.buf);
	if (ooo.len)
		line(why, "%s never applied %s, below its newest migration: "
		    "apply or remove %s with that tool first, then adopt",
		    tool, ooo.buf, strchr(ooo.buf, ',') ? "them" : "it");
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_entry);
	for (i = 0; i < p->n; i++)
		p->missing += p->v[i].file == NULL;
	buf_release(&missing);
	buf_release(&ooo);
}

/* When the tool's table has runner's table's name, the name it keeps. */
static int
plan_kept(struct runner *r, struct adopt_plan *p, struct buf *err)
{
	struct buf name = BUF_INIT, cols = BUF_INIT;
	int exists = 0, ret = 0;

	if (strcasecmp(p->h.table, r->store->table) != 0)
		return 0;
	tracking_kept_name(&name, r->store->table, peer_name(p->h.tool));
	ret = store_columns(r->store, name.buf, &cols, &exists, err);
	if (ret == 0 && exists)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot keep %s's table "
		    "'%s' under the name '%s': a table of that name exists; "
		    "nothing was changed", peer_name(p->h.tool), p->h.table,
		    name.buf);
	if (ret == 0)
		p->kept = buf_detach(&name, NULL);
	buf_release(&name);
	buf_release(&cols);
	return ret;
}

int
runner_adopt_plan(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *err)
{
	struct buf why = BUF_INIT;
	struct peer_found f;
	int tool, ret;

	memset(p, 0, sizeof(*p));
	ret = check_own(r, err);
	if (ret == 0)
		ret = peer_detect(r->store, r->store->table, &f, err);
	if (ret < 0)
		return ret;
	tool = choose(r, o, &f, err);
	if (tool >= 0)
		ret = peer_read(r->store, tool, f.table[tool], &p->h, err);
	peer_found_release(&f);
	if (tool < 0 || ret < 0)
		return RUNNER_EFAIL;
	plan_entries(r, o, p, &why);
	if (why.len) {
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot adopt %s's history: "
		    "%s\nnothing was changed", peer_name(p->h.tool), why.buf);
		adopt_plan_release(p);
	} else
		ret = plan_kept(r, p, err);
	buf_release(&why);
	return ret;
}

/* Records each entry as applied, inside the caller's transaction. */
static int
record_entries(struct runner *r, const struct adopt_plan *p,
    struct buf *err)
{
	struct migration m;
	struct applied row;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < p->n; i++) {
		memset(&m, 0, sizeof(m));
		memset(&row, 0, sizeof(row));
		if (p->v[i].file) {
			ret = runner_read_file(r, p->v[i].file, &m, err);
			if (ret < 0)
				break;
			runner_fill_row(&row, p->v[i].file, &m, -1,
			    STATE_APPLIED);
		} else {
			row.version = xstrdup(p->v[i].version);
			row.name = xstrdup(p->v[i].name);
			row.duration_ms = -1;
			row.state = xstrdup(STATE_APPLIED);
		}
		if (p->v[i].applied_at)
			row.applied_at = xstrdup(p->v[i].applied_at);
		ret = store_insert(r->store, &row, err);
		applied_release(&row);
		migration_release(&m);
	}
	return ret;
}

static void
emit_adopted(struct runner *r, const struct adopt_plan *p)
{
	struct runner_event ev;
	size_t i;

	for (i = 0; r->emit && i < p->n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_ADOPTED;
		ev.version = p->v[i].version;
		ev.name = p->v[i].name;
		ev.path = p->v[i].file ? p->v[i].file->path : NULL;
		ev.text = p->v[i].applied_at;
		r->emit(r->arg, &ev);
	}
	r->done = p->n;
}

int
runner_adopt(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *err)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = runner_lock_run(r, err);
	if (ret == 0)
		ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = runner_adopt_plan(r, o, p, err);
	if (ret == 0 && p->kept)
		ret = store_rename_table(r->store, p->h.table, p->kept, err);
	if (ret == 0)
		ret = store_ensure_table(r->store, err);
	if (ret == 0)
		ret = record_entries(r, p, err);
	/*
	 * As after stamp: another tool made the schema, so the drift record
	 * says what the adopted migrations make, not what is there.
	 */
	if (ret == 0 && p->n) {
		r->drift = DRIFT_DIRTY;
		ret = drift_settle(r, err);
	}
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0) {
		store_rollback(r->store, 0);
		return ret;
	}
	emit_adopted(r, p);
	return 0;
}
