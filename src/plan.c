/* plan.c: what the database and the files say together, and what to run. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plan.h"
#include "banned.h"

const char *
entry_state_name(enum entry_state s)
{
	static const char *const names[] = {
		"applied", "pending", "changed", "missing", "failed"
	};

	return names[s];
}

int
checksum_differs(const char *applied, const char *file)
{
	/* Rows from before checksums, or of an unknown algorithm, cannot be compared. */
	if (applied == NULL || strncmp(applied, "crc32:", 6) != 0)
		return 0;
	return strcmp(applied, file) != 0;
}

static enum entry_state
entry_state(const struct migfile *f, const struct applied *r)
{
	if (r == NULL)
		return ENTRY_PENDING;
	if (r->state && strcmp(r->state, STATE_APPLIED) != 0)
		return ENTRY_FAILED;
	if (f == NULL)
		return ENTRY_MISSING;
	if (checksum_differs(r->checksum, f->checksum))
		return ENTRY_CHANGED;
	return ENTRY_APPLIED;
}

static void
plan_add(struct plan *p, const struct migfile *f, const struct applied *r)
{
	struct plan_entry *e = &p->v[p->n++];

	e->file = f;
	e->row = r;
	e->state = entry_state(f, r);
	p->count[e->state]++;
}

void
plan_build(struct plan *p, const struct migset *files,
    const struct applied_set *rows)
{
	size_t i = 0, j = 0;
	int c;

	memset(p, 0, sizeof(*p));
	p->v = xcalloc(files->n + rows->n + 1, sizeof(*p->v));
	while (i < files->n || j < rows->n) {
		if (i == files->n)
			c = 1;
		else if (j == rows->n)
			c = -1;
		else
			c = version_cmp(files->v[i].version, rows->v[j].version);
		if (c < 0)
			plan_add(p, &files->v[i++], NULL);
		else if (c > 0)
			plan_add(p, NULL, &rows->v[j++]);
		else
			plan_add(p, &files->v[i++], &rows->v[j++]);
	}
}

void
plan_release(struct plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static const char *
entry_version(const struct plan_entry *e)
{
	return e->file ? e->file->version : e->row->version;
}

static void
add_line(struct buf *err, const char *fmt, const char *a, const char *b,
    const char *c, const char *d)
{
	if (err->len)
		buf_addch(err, '\n');
	buf_addf(err, fmt, a, b, c, d);
}

static int
check_state(const struct plan *p, struct buf *err)
{
	const struct plan_entry *e;
	size_t i;

	if (err->len)
		return RUNNER_EFAIL;
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		if (e->state == ENTRY_CHANGED)
			add_line(err, "migration %s ('%s') has changed since it "
			    "was applied (applied %s, file %s)", e->file->version,
			    e->file->path, e->row->checksum, e->file->checksum);
		else if (e->state == ENTRY_FAILED)
			add_line(err, "migration %s (%s) is recorded as %s: %s",
			    entry_version(e), e->row->name, e->row->state,
			    e->row->error ? e->row->error :
			    "interrupted, or running in another process");
	}
	if (err->len == 0)
		return 0;
	if (p->count[ENTRY_CHANGED])
		buf_adds(err, "\nrestore the file as it was applied (and put the "
		    "change in a new migration), or, if the edit is intended, "
		    "run 'runner repair' to accept the new checksum");
	if (p->count[ENTRY_FAILED])
		buf_adds(err, "\nlook at the database and fix it by hand, then "
		    "run 'runner repair' to clear the failed state and retry");
	return RUNNER_EFAIL;
}

int
plan_check_migrate(const struct plan *p, const char *target, int allow_ooo,
    struct buf *err)
{
	const char *newest = NULL;
	const struct plan_entry *e;
	size_t i;

	if (check_state(p, err) < 0)
		return RUNNER_EFAIL;
	for (i = 0; i < p->n; i++)
		if (p->v[i].row)
			newest = entry_version(&p->v[i]);
	if (allow_ooo || newest == NULL)
		return 0;
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		if (target && version_cmp(entry_version(e), target) > 0)
			break;
		if (e->state == ENTRY_PENDING &&
		    version_cmp(e->file->version, newest) < 0)
			return buf_seterr(err, RUNNER_EFAIL,
			    "pending migration '%s' is older than the newest "
			    "applied migration %s; apply it anyway with "
			    "--allow-out-of-order", e->file->path, newest);
	}
	return 0;
}

static int
entry_reversible(const struct plan_entry *e)
{
	/* Only a reversible migration's down section is ever stored. */
	return e->file ? e->file->reversible : e->row->has_down;
}

/* Whether a file or a row has version v. */
static int
plan_has(const struct plan *p, const char *v)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (version_cmp(entry_version(&p->v[i]), v) == 0)
			return 1;
	return 0;
}

static int
rollback_range(const struct plan *p, const char *target, size_t *from,
    struct buf *err)
{
	size_t i;

	/* "rollback 0" keeps a migration 0; without one it means --all. */
	if (version_is_zero(target) && !plan_has(p, target)) {
		*from = 0;
		return 0;
	}
	for (i = 0; i < p->n; i++)
		if (p->v[i].row && version_cmp(entry_version(&p->v[i]),
		    target) == 0) {
			*from = i + 1;
			return 0;
		}
	return buf_seterr(err, RUNNER_EFAIL, "cannot roll back to %s: it is "
	    "not an applied migration (use --all to roll back everything)",
	    target);
}

static int
rollback_check(const struct plan_entry *e, struct buf *err)
{
	const char *what = e->file ? e->file->path : e->row->name;

	if (e->state == ENTRY_FAILED)
		return buf_seterr(err, RUNNER_EFAIL, "migration %s (%s) is "
		    "recorded as %s; fix the database by hand and run "
		    "'runner repair' first", entry_version(e), what,
		    e->row->state);
	if (!entry_reversible(e))
		return buf_seterr(err, RUNNER_EFAIL, "cannot roll back "
		    "migration %s ('%s'): it has no down section "
		    "(irreversible); nothing was rolled back",
		    entry_version(e), what);
	return 0;
}

int
plan_rollback(const struct plan *p, const char *target, int all,
    const struct plan_entry **out, size_t *n, struct buf *err)
{
	size_t i, from = 0;

	*n = 0;
	if (!all && target && rollback_range(p, target, &from, err) < 0)
		return RUNNER_EFAIL;
	for (i = p->n; i-- > from;) {
		if (p->v[i].row == NULL)
			continue;
		if (rollback_check(&p->v[i], err) < 0)
			return RUNNER_EFAIL;
		out[(*n)++] = &p->v[i];
		if (target == NULL && !all)
			break;
	}
	return 0;
}

static int
stamp_check(const struct plan_entry *e, struct buf *err)
{
	if (e->state == ENTRY_CHANGED)
		return buf_seterr(err, RUNNER_EFAIL, "migration %s ('%s') has "
		    "changed since it was applied (applied %s, file %s); "
		    "review it and run 'runner repair' first",
		    e->file->version, e->file->path, e->row->checksum,
		    e->file->checksum);
	if (e->state == ENTRY_FAILED)
		return buf_seterr(err, RUNNER_EFAIL, "migration %s (%s) is "
		    "recorded as %s; fix the database by hand and run 'runner "
		    "repair' first", entry_version(e), e->row->name,
		    e->row->state);
	return 0;
}

int
plan_stamp(const struct plan *p, const char *target,
    const struct plan_entry **out, size_t *n, struct buf *err)
{
	const struct plan_entry *e;
	size_t i;
	int found = 0;

	*n = 0;
	for (i = 0; i < p->n; i++)
		if (p->v[i].file &&
		    version_cmp(p->v[i].file->version, target) == 0)
			found = 1;
	if (!found)
		return buf_seterr(err, RUNNER_EFAIL, "no migration file has "
		    "version %s", target);
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		if (version_cmp(entry_version(e), target) > 0)
			break;
		if (stamp_check(e, err) < 0)
			return RUNNER_EFAIL;
		if (e->state == ENTRY_PENDING)
			out[(*n)++] = e;
	}
	return 0;
}
