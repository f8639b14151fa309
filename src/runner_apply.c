/*
 * runner_apply.c: migrate, rollback, reset, init, repair and stamp. Each
 * migration runs
 * in one transaction with its tracking row, taken with the write lock and
 * re-checked inside it, so concurrent runners apply it exactly once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "file.h"
#include "runner.h"
#include "runner_peer.h"
#include "runner_int.h"
#include "banned.h"

void
runner_stop(struct runner *r)
{
	r->stop = 1;
	if (r->store)
		store_interrupt(r->store);
}

static int
check_stop(const struct runner *r, const char *version, struct buf *err)
{
	if (!r->stop)
		return 0;
	return buf_seterr(err, RUNNER_EINTR, "interrupted before migration "
	    "%s started", version);
}

static void
emit(struct runner *r, const struct runner_event *ev)
{
	if (r->emit != NULL)
		r->emit(r->arg, ev);
}

static void
emit_event(struct runner *r, enum runner_event_type type, const char *version,
    const char *name, const char *path, double ms)
{
	struct runner_event ev = { .type = type, .version = version,
	    .name = name, .path = path, .ms = ms };

	emit(r, &ev);
}

static void
emit_text(struct runner *r, enum runner_event_type type, const char *path,
    const char *text, size_t len, unsigned flags)
{
	struct runner_event ev = { .type = type, .path = path, .text = text,
	    .len = len, .flags = flags };

	emit(r, &ev);
}

/* Files read before: the next runner_init takes them (runner_preread). */
static struct migset *preread;

void
runner_preread(struct migset *files)
{
	preread = files;
}

int
runner_init(struct runner *r, char *const *dirs, size_t ndirs,
    struct buf *err)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->files.warnings);
	buf_init(&r->files.errors);
	buf_init(&r->pre_header);
	buf_init(&r->pre_fp);
	if (preread) {
		r->files = *preread;
		memset(preread, 0, sizeof(*preread));
		preread = NULL;
		return 0;
	}
	return migset_load(&r->files, dirs, ndirs, 0, err);
}

void
runner_release(struct runner *r)
{
	buf_release(&r->pre_header);
	buf_release(&r->pre_fp);
	plan_release(&r->plan);
	applied_set_release(&r->rows);
	migset_release(&r->files);
}

/* Re-reads the rows and re-plans; inside a transaction for a fresh view. */
static int
reload(struct runner *r, struct buf *err)
{
	plan_release(&r->plan);
	applied_set_release(&r->rows);
	if (r->store && store_load_applied(r->store, &r->rows, err) < 0)
		return RUNNER_EFAIL;
	/* No history of runner's own: another tool's must not be missed. */
	if (r->store && peer_refuse(r->store, r->rows.found, r->rows.n, err) < 0)
		return RUNNER_EFAIL;
	plan_build(&r->plan, &r->files, &r->rows);
	return 0;
}

int
runner_load(struct runner *r, struct buf *err)
{
	return reload(r, err);
}

/*
 * reload, for rollback and repair, which write rows: a Story Hub table
 * gains the columns they write.
 */
static int
reload_to_write(struct runner *r, struct buf *err)
{
	int ret = reload(r, err);

	if (ret == 0 && r->rows.n)
		ret = store_ensure_table(r->store, err);
	return ret;
}

struct db_job {
	const char *url;
	const char *table;
	int lock_timeout;
	int drift;
	struct store *store;
	struct applied_set rows;
	struct buf header, fp;	/* with drift: the record's and the live */
	struct buf err;
	int ret;
};

static void *
db_job_run(void *arg)
{
	struct db_job *j = arg;

	j->ret = store_open(j->url, STORE_NOCREATE, j->lock_timeout,
	    &j->store, &j->err);
	if (j->ret == 0 && j->table)
		j->ret = store_set_table(j->store, j->table, &j->err);
	if (j->ret == RUNNER_ENOENT) {
		buf_reset(&j->err);
		j->ret = 0;
	} else if (j->ret == 0)
		j->ret = store_load_applied(j->store, &j->rows, &j->err);
	if (j->ret == 0 && j->store && j->drift) {
		j->ret = store_record_read(j->store, &j->header, NULL, &j->err);
		if (j->ret == 0)
			j->ret = store_fingerprint(j->store, &j->fp, &j->err);
	}
	return NULL;
}

int
runner_open_readonly(struct runner *r, char *const *dirs, size_t ndirs,
    const char *url, const char *table, int lock_timeout, int drift,
    struct buf *err)
{
	struct db_job j;
	pthread_t t;
	int ret, threaded;

	memset(&j, 0, sizeof(j));
	buf_init(&j.err);
	buf_init(&j.header);
	buf_init(&j.fp);
	j.url = url;
	j.table = table;
	j.lock_timeout = lock_timeout;
	j.drift = drift;
	/* SQLite parsing the schema and us reading files overlap. */
	threaded = pthread_create(&t, NULL, db_job_run, &j) == 0;
	ret = runner_init(r, dirs, ndirs, err);
	if (ret == RUNNER_ENOENT)
		ret = RUNNER_EFAIL;
	if (threaded)
		pthread_join(t, NULL);
	else
		db_job_run(&j);
	r->store = j.store;
	r->url = url;
	r->lock_timeout = lock_timeout;
	r->rows = j.rows;
	r->pre_header = j.header;
	r->pre_fp = j.fp;
	r->prefetched = j.store && drift && j.ret == 0;
	if (ret == 0 && j.ret < 0)
		ret = buf_seterr(err, j.ret, "%s", j.err.buf);
	if (ret == 0 && r->store)
		ret = peer_refuse(r->store, r->rows.found, r->rows.n, err);
	if (ret == 0)
		plan_build(&r->plan, &r->files, &r->rows);
	buf_release(&j.err);
	return ret;
}

int
runner_read_file(struct runner *r, const struct migfile *f,
    struct migration *m, struct buf *err)
{
	r->files.table = r->store ? r->store->table : NULL;
	return migset_read(&r->files, f, m, err);
}

/* Takes the write lock; *found says whether version is already recorded. */
static int
lock_and_find(struct runner *r, const char *version, unsigned flags,
    int *found, struct buf *err)
{
	char *state = NULL;
	int ret;

	ret = store_begin(r->store, flags, err);
	if (ret < 0)
		return ret;
	ret = store_find(r->store, version, found, &state, err);
	if (ret == 0 && *found && state && strcmp(state, STATE_APPLIED) != 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "migration %s is recorded "
		    "as %s (interrupted, or running in another process); see "
		    "'runner status'", version, state);
	free(state);
	if (ret < 0)
		store_rollback(r->store, flags);
	return ret;
}

/* The up section in its own transaction with its row. */
static int
apply_tx(struct runner *r, const struct migfile *f, struct migration *m,
    const struct section_run *s, struct buf *err)
{
	unsigned fl = store_flags(s->flags);
	struct applied row;
	double t0, ms;
	int found = 0, ret;

	ret = lock_and_find(r, f->version, fl, &found, err);
	if (ret < 0 || found) {
		if (found)
			store_rollback(r->store, fl);
		return ret;
	}
	t0 = clock_ms();
	ret = exec_section(r, s, err);
	ms = clock_ms() - t0;
	if (ret == 0) {
		runner_fill_row(&row, f, m, ms, STATE_APPLIED);
		ret = store_insert(r->store, &row, err);
		applied_release(&row);
	}
	if (ret == 0)
		ret = commit_section(r, s, fl, err);
	if (ret < 0) {
		store_rollback(r->store, fl);
		return ret;
	}
	r->done++;
	emit_event(r, EV_APPLIED, f->version, f->name, f->path, ms);
	return 0;
}

/*
 * After a transaction:false section failed part-way: records state with
 * the error, and tells the user what to do (or that even that failed).
 */
static void
record_failure_as(struct runner *r, const char *version, const char *state,
    const char *stored, struct buf *err, const char *what)
{
	struct buf why = BUF_INIT;

	if (store_set_state(r->store, version, state, -1, stored, &why) == 0)
		buf_addf(err, "\n%s and is recorded as %s: check the database, "
		    "then run 'runner repair'", what, state);
	else
		buf_addf(err, "\n%s, and recording it as %s failed too (%s): "
		    "check the database, then run 'runner repair'", what, state,
		    why.buf);
	buf_release(&why);
}

static void
record_failure(struct runner *r, const char *version, const char *state,
    struct buf *err, const char *what)
{
	char *stored = xstrdup(err->buf);

	record_failure_as(r, version, state, stored, err, what);
	free(stored);
}

/*
 * Records the schema once a run's changes are done, in a transaction of
 * its own. A failure is only a warning: the changes stand, and status
 * replays the history until the next run records it.
 */
static void
settle_run(struct runner *r)
{
	struct buf err = BUF_INIT, msg = BUF_INIT;

	if (r->drift == DRIFT_OFF || r->drift == DRIFT_KEEP ||
	    r->done == r->settled)
		return;
	if (store_begin(r->store, 0, &err) == 0 && drift_settle(r, &err) == 0 &&
	    store_commit(r->store, 0, &err) == 0)
		goto out;
	store_rollback(r->store, 0);
	buf_addf(&msg, "the schema could not be recorded for drift checks: "
	    "%s", err.buf);
	emit_text(r, EV_WARNING, r->store->display, msg.buf, msg.len, 0);
out:
	buf_release(&err);
	buf_release(&msg);
}

/*
 * Before a transaction:false section, inside the transaction that records
 * it as started: the record must say what the schema was before it, since
 * a failure part-way leaves what no one can replay.
 */
static int
settle_before_notx(struct runner *r, struct buf *err)
{
	if (r->drift != DRIFT_CLEAN || r->done == r->settled)
		return 0;
	return drift_settle(r, err);
}

/* After a transaction:false section failed part-way. */
static void
notx_failed(struct runner *r)
{
	/* The record written before it is right; a replay is as good. */
	if (r->drift == DRIFT_CLEAN && r->done == r->settled)
		r->drift = DRIFT_KEEP;
	else if (r->drift != DRIFT_OFF)
		r->drift = DRIFT_DIRTY;
}

/*
 * Runs a transaction:false section whose row already says it is under
 * way; *ms is how long it took. A failure part-way is recorded in the row
 * as state, with what says how it ran.
 */
static int
run_notx(struct runner *r, const char *version, const struct section_run *s,
    const char *state, const char *what, double *ms, struct buf *err)
{
	double t0 = clock_ms();
	int ret;

	ret = run_section(r, s, err);
	*ms = clock_ms() - t0;
	if (ret < 0) {
		notx_failed(r);
		record_failure(r, version, state, err, what);
	}
	return ret;
}

/*
 * Records f as running, committed before any of its statements runs, so a
 * failure or a kill part-way leaves a record of it. Returns 1 when another
 * runner applied it meanwhile.
 */
static int
record_running(struct runner *r, const struct migfile *f,
    const struct migration *m, struct buf *err)
{
	struct applied row;
	int found = 0, ret;

	ret = lock_and_find(r, f->version, 0, &found, err);
	if (ret < 0 || found) {
		if (found)
			store_rollback(r->store, 0);
		return ret < 0 ? ret : 1;
	}
	ret = settle_before_notx(r, err);
	runner_fill_row(&row, f, m, -1, STATE_RUNNING);
	if (ret == 0)
		ret = store_insert(r->store, &row, err);
	applied_release(&row);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	return ret;
}

/*
 * A transaction:false up section: the row is written first as "running",
 * so a failure or a kill part-way leaves a record of it.
 */
static int
apply_notx(struct runner *r, const struct migfile *f, struct migration *m,
    const struct section_run *s, struct buf *err)
{
	double ms;
	int ret;

	ret = record_running(r, f, m, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	ret = run_notx(r, f->version, s, STATE_FAILED, "the migration ran "
	    "without a transaction", &ms, err);
	if (ret < 0)
		return ret;
	ret = store_set_state(r->store, f->version, STATE_APPLIED, ms, NULL,
	    err);
	if (ret == 0) {
		r->done++;
		emit_event(r, EV_APPLIED, f->version, f->name, f->path, ms);
	}
	return ret;
}

/*
 * Statements [i, j) of st, none committing implicitly, in one transaction
 * with the row's update: applied when they are the last, else running
 * with j committed. *failed: the failing statement.
 */
static int
step_group(struct runner *r, const char *version, const struct section_run *s,
    const struct steps *st, size_t i, size_t j, double t0, size_t *failed,
    struct buf *err)
{
	struct buf note = BUF_INIT;
	int ret;

	ret = store_begin(r->store, 0, err);
	for (*failed = i; ret == 0 && *failed < j; (*failed)++)
		ret = exec_step(r, s, st, *failed, err);
	if (ret < 0)
		(*failed)--;
	if (ret == 0 && j == st->n)
		ret = store_set_state(r->store, version, STATE_APPLIED,
		    clock_ms() - t0, NULL, err);
	else if (ret == 0) {
		steps_note(s, st, j, j, STEP_NONE, &note);
		ret = store_set_state(r->store, version, STATE_RUNNING, -1,
		    note.buf, err);
	}
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	buf_release(&note);
	return ret;
}

/*
 * Statement i, which commits implicitly: recorded as started before it
 * runs and as committed after, since nothing can tie its commit to the
 * row's.
 */
static int
step_ddl(struct runner *r, const char *version, const struct section_run *s,
    const struct steps *st, size_t i, double t0, struct buf *err)
{
	struct buf note = BUF_INIT;
	int ret;

	steps_note(s, st, i, i, STEP_STARTED, &note);
	ret = store_set_state(r->store, version, STATE_RUNNING, -1, note.buf,
	    err);
	if (ret == 0)
		ret = store_begin(r->store, STORE_NOTX, err);
	if (ret == 0)
		ret = exec_step(r, s, st, i, err);
	buf_reset(&note);
	steps_note(s, st, i + 1, i + 1, STEP_NONE, &note);
	if (ret == 0)
		ret = store_set_state(r->store, version, i + 1 == st->n ?
		    STATE_APPLIED : STATE_RUNNING, i + 1 == st->n ?
		    clock_ms() - t0 : -1, i + 1 == st->n ? NULL : note.buf,
		    err);
	buf_release(&note);
	return ret;
}

/*
 * An up section holding DDL that commits implicitly (MySQL) cannot be
 * atomic: its row is written first as running, then its progress as it
 * goes, so that after a failure or a kill the row says which statements
 * are committed. Between two such statements the others run in one
 * transaction with the row's update.
 */
static int
apply_steps(struct runner *r, const struct migfile *f, struct migration *m,
    const struct section_run *s, const struct steps *st, struct buf *err)
{
	struct buf note = BUF_INIT, stored = BUF_INIT;
	size_t i = 0, j, failed = 0;
	double t0;
	int ret;

	ret = record_running(r, f, m, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	t0 = clock_ms();
	while (ret == 0 && i < st->n) {
		for (j = i; j < st->n && !st->v[j].commits; j++)
			;
		failed = i;
		if (j > i)
			ret = step_group(r, f->version, s, st, i, j, t0,
			    &failed, err);
		else
			ret = step_ddl(r, f->version, s, st, i, t0, err);
		if (ret == 0)
			i = j > i ? j : i + 1;
	}
	if (ret < 0) {
		notx_failed(r);
		steps_note(s, st, i, failed, STEP_FAILED, &note);
		buf_addf(&stored, "%s; %s", err->buf, note.buf);
		buf_addf(err, "\n%s", note.buf);
		record_failure_as(r, f->version, STATE_FAILED, stored.buf, err,
		    "its DDL commits implicitly, so the migration ran "
		    "statement by statement,");
		buf_release(&note);
		buf_release(&stored);
		return ret;
	}
	r->done++;
	emit_event(r, EV_APPLIED, f->version, f->name, f->path,
	    clock_ms() - t0);
	return 0;
}

/* An empty up section is recorded as applied: say so. */
static void
warn_empty(struct runner *r, const struct migfile *f)
{
	if (f->empty)
		emit_text(r, EV_WARNING, f->path, "the up section is empty: "
		    "recording the migration as applied without running "
		    "anything", 0, 0);
}

/* *atomic: whether a failure left nothing of it behind. */
static int
apply_one(struct runner *r, const struct migfile *f, int *atomic,
    struct buf *err)
{
	struct section_run s;
	struct migration m;
	struct steps st;
	int ret;

	*atomic = !(f->upflags & SECTION_NOTX);
	ret = runner_read_file(r, f, &m, err);
	if (ret < 0)
		return ret;
	warn_empty(r, f);
	section_of(&s, &m, &m.up, f->path);
	memset(&st, 0, sizeof(st));
	if (m.up.flags & SECTION_NOTX)
		ret = apply_notx(r, f, &m, &s, err);
	/* begin() refuses foreign_keys:off where it means nothing. */
	else if (!(m.up.flags & SECTION_FKOFF) &&
	    (ret = section_steps(r, &s, &st, err)) < 0)
		;
	else if (st.ncommit) {
		*atomic = 0;
		ret = apply_steps(r, f, &m, &s, &st, err);
	} else
		ret = apply_tx(r, f, &m, &s, err);
	steps_release(&st);
	migration_release(&m);
	return ret;
}

static int
check_target(const struct runner *r, const char *target, struct buf *err)
{
	const struct plan_entry *e;
	const char *newest = NULL;
	size_t i, above = 0;

	if (!version_valid(target))
		return buf_seterr(err, RUNNER_EUSAGE, "'%s' is not a version "
		    "(expected digits, such as 003)", target);
	if (migset_find(&r->files, target) == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "no migration file has "
		    "version %s", target);
	for (i = 0; i < r->plan.n; i++) {
		e = &r->plan.v[i];
		if (e->row && version_cmp(e->row->version, target) > 0) {
			above++;
			newest = e->row->version;
		}
	}
	if (above)
		return buf_seterr(err, RUNNER_EFAIL, "%zu applied migration%s "
		    "above %s (newest %s); to go back to %s, run 'runner "
		    "rollback %s'", above, above == 1 ? " is" : "s are", target,
		    newest, target, target);
	return 0;
}

/* The pending files up to target, in order, into a new array. */
static const struct migfile **
pending_files(const struct runner *r, const char *target, size_t *n)
{
	const struct migfile **v = xcalloc(r->plan.n + 1, sizeof(*v));
	const struct plan_entry *e;
	size_t i;

	*n = 0;
	for (i = 0; i < r->plan.n; i++) {
		e = &r->plan.v[i];
		if (target && e->file &&
		    version_cmp(e->file->version, target) > 0)
			break;
		if (e->state == ENTRY_PENDING)
			v[(*n)++] = e->file;
	}
	return v;
}

static int
check_migrate(struct runner *r, const struct migrate_opts *o,
    struct buf *err)
{
	if (reload(r, err) < 0)
		return RUNNER_EFAIL;
	if (o->target && check_target(r, o->target, err) < 0)
		return RUNNER_EFAIL;
	return plan_check_migrate(&r->plan, o->target, o->allow_ooo, err);
}

/* In migrate's first transaction: the tracking table, then the plan. */
static int
migrate_checks(struct runner *r, const struct migrate_opts *o,
    struct buf *err)
{
	int ret = store_ensure_table(r->store, err);

	return ret < 0 ? ret : check_migrate(r, o, err);
}

/* Refuses a one-transaction run over sections that need their own. */
static int
check_one_tx(const struct migfile **v, size_t n, const char *what,
    struct buf *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i]->upflags & (SECTION_NOTX | SECTION_FKOFF))
			return buf_seterr(err, RUNNER_EFAIL, "%s is refused: "
			    "'%s' says %s, which cannot run inside a shared "
			    "transaction", what, v[i]->path,
			    section_options_text(v[i]->upflags));
	return 0;
}

/* Applies files inside the caller's transaction; ms[i] gets each time. */
static int
apply_in_tx(struct runner *r, const struct migfile **v, size_t n,
    double *ms, struct buf *err)
{
	struct section_run s;
	struct migration m;
	struct applied row;
	double t0;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		ret = runner_read_file(r, v[i], &m, err);
		if (ret < 0)
			break;
		warn_empty(r, v[i]);
		section_of(&s, &m, &m.up, v[i]->path);
		t0 = clock_ms();
		ret = exec_section(r, &s, err);
		ms[i] = clock_ms() - t0;
		if (ret == 0) {
			runner_fill_row(&row, v[i], &m, ms[i], STATE_APPLIED);
			ret = store_insert(r->store, &row, err);
			applied_release(&row);
		}
		migration_release(&m);
	}
	return ret;
}

static void
emit_applied(struct runner *r, const struct migfile **v, size_t n,
    const double *ms)
{
	size_t i;

	for (i = 0; i < n; i++)
		emit_event(r, EV_APPLIED, v[i]->version, v[i]->name, v[i]->path,
		    ms[i]);
	r->done += n;
}

/*
 * Why file f's up section cannot be atomic on this store, into why
 * (empty when it can): 1 when it cannot.
 */
static int
unatomic_file(struct runner *r, const struct migfile *f, struct buf *why,
    struct buf *err)
{
	struct section_run s;
	struct migration m;
	int ret;

	if (!store_ddl_commits(r->store) || (f->upflags & SECTION_NOTX))
		return 0;
	ret = runner_read_file(r, f, &m, err);
	if (ret < 0)
		return ret;
	section_of(&s, &m, &m.up, f->path);
	ret = section_unatomic(r, &s, why, err);
	migration_release(&m);
	return ret;
}

/* --single-transaction: no pending section may commit implicitly. */
static int
check_atomic(struct runner *r, const struct migfile **v, size_t n,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++)
		ret = unatomic_file(r, v[i], &why, err);
	if (ret > 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "--single-transaction is "
		    "refused: '%s' cannot run inside a shared transaction on "
		    "%s, where %s commits it implicitly", v[i - 1]->path,
		    store_name(r->store), why.buf);
	buf_release(&why);
	return ret;
}

static int
migrate_single(struct runner *r, const struct migrate_opts *o,
    struct buf *err)
{
	const struct migfile **v = NULL;
	double *ms = NULL;
	size_t n = 0;
	int ret;

	ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = migrate_checks(r, o, err);
	if (ret == 0) {
		v = pending_files(r, o->target, &n);
		ms = xcalloc(n + 1, sizeof(*ms));
		ret = check_one_tx(v, n, "--single-transaction", err);
	}
	if (ret == 0)
		ret = check_atomic(r, v, n, err);
	if (ret == 0 && n)
		drift_start(r);
	if (ret == 0)
		ret = apply_in_tx(r, v, n, ms, err);
	if (ret == 0 && n)
		ret = drift_settle(r, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0) {
		store_rollback(r->store, 0);
		if (n && v)
			buf_adds(err, "\nthe whole run was rolled back: no "
			    "migration was applied");
	} else
		emit_applied(r, v, n, ms);
	free(v);
	free(ms);
	return ret;
}

static int
migrate_each(struct runner *r, const struct migrate_opts *o,
    struct buf *err)
{
	const struct migfile **v = NULL;
	size_t i, n = 0;
	int atomic, ret;

	ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = migrate_checks(r, o, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0) {
		store_rollback(r->store, 0);
		if (ret == RUNNER_EINTR) {
			buf_reset(err);
			buf_seterr(err, ret, "interrupted before any migration "
			    "started; nothing was changed");
		}
		return ret;
	}
	v = pending_files(r, o->target, &n);
	if (n)
		drift_start(r);
	for (i = 0; ret == 0 && i < n; i++) {
		ret = check_stop(r, v[i]->version, err);
		if (ret < 0)
			break;
		ret = apply_one(r, v[i], &atomic, err);
		if (ret < 0 && atomic)
			buf_addf(err, "\nmigration %s was rolled back; %zu "
			    "migration%s applied before it in this run", 
			    v[i]->version, r->done, r->done == 1 ? " was" :
			    "s were");
	}
	settle_run(r);
	free(v);
	return ret;
}

/* For --dry-run: a pending migration that cannot be atomic here. */
static int
warn_unatomic(struct runner *r, const struct migfile *f, struct buf *err)
{
	struct buf why = BUF_INIT, msg = BUF_INIT;
	int ret;

	ret = unatomic_file(r, f, &why, err);
	if (ret > 0) {
		buf_addf(&msg, "cannot be atomic on %s: %s commits implicitly, "
		    "so it will run statement by statement, its progress "
		    "recorded, and a failure part-way leaves the statements "
		    "before it applied", store_name(r->store), why.buf);
		emit_text(r, EV_WARNING, f->path, msg.buf, msg.len, 0);
		ret = 0;
	}
	buf_release(&why);
	buf_release(&msg);
	return ret;
}

static int
migrate_dry(struct runner *r, const struct migrate_opts *o, struct buf *err)
{
	const struct migfile **v;
	struct migration m;
	size_t i, n;
	int ret = 0;

	if (check_migrate(r, o, err) < 0)
		return RUNNER_EFAIL;
	v = pending_files(r, o->target, &n);
	for (i = 0; ret == 0 && i < n; i++) {
		ret = runner_read_file(r, v[i], &m, err);
		if (ret < 0)
			break;
		emit_text(r, EV_DRYRUN, v[i]->path, m.up.text + m.up.off,
		    m.up.len, m.up.flags);
		migration_release(&m);
		if (r->store)
			ret = warn_unatomic(r, v[i], err);
	}
	r->done = n;
	free(v);
	return ret;
}

int
runner_migrate(struct runner *r, const struct migrate_opts *o,
    struct buf *err)
{
	int ret;

	if (o->dry_run)
		return migrate_dry(r, o, err);
	ret = runner_lock_run(r, err);
	if (ret < 0)
		return ret;	/* RUNNER_EBUSY: a fleet counts it locked */
	if (o->single_tx)
		return migrate_single(r, o, err);
	return migrate_each(r, o, err);
}

/*
 * The down section to run for an entry: the file's, else the one stored
 * when it was applied (*stored, freed by the caller).
 */
static int
down_of(struct runner *r, const struct plan_entry *e, struct migration *m,
    struct section_run *s, char **stored, struct buf *where, struct buf *err)
{
	const char *sql;

	if (e->file) {
		if (runner_read_file(r, e->file, m, err) < 0)
			return RUNNER_EFAIL;
		section_of(s, m, &m->down, e->file->path);
		if (e->state == ENTRY_CHANGED)
			emit_text(r, EV_WARNING, e->file->path, "the file "
			    "changed since it was applied; running its current "
			    "down section", 0, 0);
		return 0;
	}
	if (store_load_down(r->store, e->row->version, stored,
	    err) < 0)
		return RUNNER_EFAIL;
	sql = *stored ? *stored : "";
	buf_addf(where, "%s(version=%s).down_sql", r->store->table,
	    e->row->version);
	memset(s, 0, sizeof(*s));
	s->text = sql;
	s->tlen = s->len = strlen(sql);
	s->flags = section_options_parse(e->row->down_options);
	s->where = where->buf;
	return 0;
}

static int
undo_tx(struct runner *r, const char *version, const struct section_run *s,
    double *ms, struct buf *err)
{
	unsigned fl = store_flags(s->flags);
	double t0;
	int found = 0, ret;

	ret = lock_and_find(r, version, fl, &found, err);
	if (ret < 0 || !found) {
		if (ret == 0)
			store_rollback(r->store, fl);
		*ms = -1;	/* rolled back by another runner */
		return ret;
	}
	t0 = clock_ms();
	ret = exec_section(r, s, err);
	*ms = clock_ms() - t0;
	if (ret == 0)
		ret = store_remove(r->store, version, err);
	if (ret == 0)
		ret = commit_section(r, s, fl, err);
	if (ret < 0)
		store_rollback(r->store, fl);
	return ret;
}

static int
undo_notx(struct runner *r, const char *version, const struct section_run *s,
    double *ms, struct buf *err)
{
	int found = 0, ret;

	ret = lock_and_find(r, version, 0, &found, err);
	if (ret == 0 && found)
		ret = settle_before_notx(r, err);
	if (ret == 0 && found)
		ret = store_set_state(r->store, version, STATE_ROLLING_BACK, -1,
		    NULL, err);
	if (ret == 0 && found)
		ret = store_commit(r->store, 0, err);
	if (ret < 0 || !found) {
		store_rollback(r->store, 0);
		*ms = -1;
		return ret;
	}
	ret = run_notx(r, version, s, STATE_ROLLBACK_FAILED, "the down section "
	    "ran without a transaction", ms, err);
	if (ret < 0)
		return ret;
	return store_remove(r->store, version, err);
}

static int
undo_one(struct runner *r, const struct plan_entry *e, struct buf *err)
{
	const char *version = e->row->version;
	struct buf where = BUF_INIT, why = BUF_INIT;
	struct section_run s;
	struct migration m;
	char *stored = NULL;
	double ms;
	int ret;

	memset(&m, 0, sizeof(m));
	ret = down_of(r, e, &m, &s, &stored, &where, err);
	/* DDL that commits implicitly: as without a transaction. */
	if (ret == 0 && !(s.flags & SECTION_NOTX) &&
	    (ret = section_unatomic(r, &s, &why, err)) > 0)
		ret = 0, s.flags |= SECTION_NOTX;
	if (ret == 0 && (s.flags & SECTION_NOTX))
		ret = undo_notx(r, version, &s, &ms, err);
	else if (ret == 0)
		ret = undo_tx(r, version, &s, &ms, err);
	if (ret == 0 && ms >= 0) {
		r->done++;
		/* A row another tool inserted has no name; its file has. */
		emit_event(r, EV_ROLLED_BACK, version, *e->row->name || !e->file ?
		    e->row->name : e->file->name, e->file ? e->file->path :
		    NULL, ms);
	}
	migration_release(&m);
	free(stored);
	buf_release(&where);
	buf_release(&why);
	return ret;
}

int
runner_rollback(struct runner *r, const char *target, int all,
    struct buf *err)
{
	const struct plan_entry **v;
	size_t i, n = 0;
	int ret;

	if (target && !version_valid(target))
		return buf_seterr(err, RUNNER_EUSAGE, "'%s' is not a version "
		    "(expected digits, such as 003, or 1.2)", target);
	ret = runner_lock_run(r, err);
	if (ret < 0)
		return ret;
	ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = reload_to_write(r, err);
	v = xcalloc(r->plan.n + 1, sizeof(*v));
	if (ret == 0)
		ret = plan_rollback(&r->plan, target, all, v, &n, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	if (ret == 0 && n)
		drift_start(r);
	for (i = 0; ret == 0 && i < n; i++) {
		ret = check_stop(r, v[i]->row->version, err);
		if (ret == 0)
			ret = undo_one(r, v[i], err);
	}
	if (ret < 0 && i > 0 && i <= n)
		buf_addf(err, "\nmigration %s is still applied; %zu rolled back "
		    "before it in this run", v[i - 1]->row->version, r->done);
	settle_run(r);
	free(v);
	return ret;
}

/* The options of all up sections together. */
static unsigned
all_upflags(const struct migset *files)
{
	unsigned flags = 0;
	size_t i;

	for (i = 0; i < files->n; i++)
		flags |= files->v[i].upflags;
	return flags;
}

static const struct migfile **
all_files(const struct runner *r)
{
	const struct migfile **v = xcalloc(r->files.n + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < r->files.n; i++)
		v[i] = &r->files.v[i];
	return v;
}

/* Runs seed files, each whole, inside the caller's transaction. */
static int
run_seeds(struct runner *r, char **paths, size_t n, struct buf *err)
{
	struct section_run s;
	char *text;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		ret = sql_file_section(paths[i], &text, &s, err);
		if (ret == 0)
			ret = exec_section(r, &s, err);
		free(text);
	}
	return ret;
}

static void
emit_seeds(struct runner *r, char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		emit_event(r, EV_SEEDED, NULL, NULL, paths[i], 0);
}

/* Refuses init on a database that has applied migrations. */
static int
check_empty(struct runner *r, struct buf *err)
{
	if (reload(r, err) < 0)
		return RUNNER_EFAIL;
	if (r->rows.n)
		return buf_seterr(err, RUNNER_EFAIL, "the database already has "
		    "%zu applied migration%s; init is for a new database (use "
		    "'runner migrate')", r->rows.n, r->rows.n == 1 ? "" : "s");
	return 0;
}

/*
 * In one transaction: drop everything (reset) or check the database is new
 * (init), apply every migration, then the seeds.
 */
static int
apply_atomic(struct runner *r, int drop, char **seeds, size_t nseeds,
    struct buf *err)
{
	const struct migfile **v = all_files(r);
	double *ms = xcalloc(r->files.n + 1, sizeof(*ms));
	/* A table rebuild needs foreign keys off: then off for the whole run. */
	unsigned fl = store_flags(all_upflags(&r->files) & SECTION_FKOFF);
	int ret;

	ret = store_begin(r->store, fl, err);
	if (ret < 0)
		goto out;
	ret = drop ? store_drop_all(r->store, err) : check_empty(r, err);
	if (ret == 0)
		ret = store_ensure_table(r->store, err);
	/* After the drop, all there will be is what runner makes. */
	if (ret == 0 && drop)
		r->drift = DRIFT_CLEAN;
	else if (ret == 0)
		drift_start(r);
	if (ret == 0)
		ret = apply_in_tx(r, v, r->files.n, ms, err);
	if (ret == 0)
		ret = run_seeds(r, seeds, nseeds, err);
	if (ret == 0)
		ret = drift_settle(r, err);
	if (ret == 0)
		ret = store_commit(r->store, fl, err);
	if (ret < 0) {
		store_rollback(r->store, fl);
		buf_adds(err, "\nnothing was changed: the whole run was rolled "
		    "back");
		goto out;
	}
	emit_applied(r, v, r->files.n, ms);
	emit_seeds(r, seeds, nseeds);
out:
	free(v);
	free(ms);
	return ret;
}

int
runner_reset(struct runner *r, struct buf *err)
{
	struct migrate_opts o = { NULL, 0, 0, 0 };
	int ret;

	if ((ret = runner_lock_run(r, err)) < 0)
		return ret;
	if (!(all_upflags(&r->files) & SECTION_NOTX) &&
	    !store_ddl_commits(r->store))
		return apply_atomic(r, 1, NULL, 0, err);
	/* Some section needs its own transaction: drop, then migrate. */
	ret = store_begin(r->store, 0, err);
	if (ret == 0)
		ret = store_drop_all(r->store, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0) {
		store_rollback(r->store, 0);
		return ret;
	}
	return migrate_each(r, &o, err);
}

/* The seed files of every migrations folder, folder by folder. */
static int
all_seeds(const struct runner *r, char ***seeds, size_t *n, struct buf *err)
{
	char **v;
	size_t i, j, k;
	int ret = 0;

	*seeds = NULL;
	*n = 0;
	for (i = 0; ret == 0 && i < r->files.ndirs; i++) {
		ret = seeds_list(r->files.dirs[i].path, &v, &k, err);
		if (ret < 0 || k == 0)
			continue;
		*seeds = xreallocarray(*seeds, *n + k, sizeof(**seeds));
		for (j = 0; j < k; j++)
			(*seeds)[(*n)++] = v[j];
		free(v);
	}
	return ret;
}

int
runner_setup(struct runner *r, struct buf *err)
{
	struct migrate_opts o = { NULL, 0, 0, 0 };
	char **seeds = NULL;
	size_t nseeds = 0;
	int ret;

	if ((ret = runner_lock_run(r, err)) < 0)
		return ret;
	ret = all_seeds(r, &seeds, &nseeds, err);
	if (ret < 0)
		goto out;
	if (!(all_upflags(&r->files) & SECTION_NOTX) &&
	    !store_ddl_commits(r->store)) {
		ret = apply_atomic(r, 0, seeds, nseeds, err);
		goto out;
	}
	ret = check_empty(r, err);
	if (ret == 0)
		ret = migrate_each(r, &o, err);
	if (ret == 0)
		ret = store_begin(r->store, 0, err);
	if (ret == 0)
		ret = run_seeds(r, seeds, nseeds, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	else
		emit_seeds(r, seeds, nseeds);
out:
	paths_free(seeds, nseeds);
	return ret;
}

static int
down_failed(const struct applied *row)
{
	return strcmp(row->state, STATE_ROLLING_BACK) == 0 ||
	    strcmp(row->state, STATE_ROLLBACK_FAILED) == 0;
}

/* The checksum of a row whose file changed, set to the file's. */
static int
repair_checksum(struct runner *r, const struct plan_entry *e,
    struct buf *msg, struct buf *err)
{
	if (e->file == NULL || !checksum_differs(e->row->checksum,
	    e->file->checksum))
		return 0;
	buf_addf(msg, "%s: checksum %s -> %s\n", e->row->version,
	    e->row->checksum, e->file->checksum);
	return store_set_checksum(r->store, e->row->version,
	    e->file->checksum, err);
}

/*
 * A migration run statement by statement (its DDL commits implicitly)
 * that failed or was killed part-way: what of it is committed, which
 * running it again from the top would meet.
 */
static void
partly_applied(const struct applied *row, struct buf *msg)
{
	const char *note = row->error ? strstr(row->error, STEPS_PARTLY) :
	    NULL;

	if (note == NULL && row->error && strstr(row->error, "may have "
	    "committed"))
		note = row->error;
	if (note == NULL)
		return;
	buf_addf(msg, " from its first statement, but it ran statement by "
	    "statement (%s): undo what is committed by hand first, or make "
	    "those statements safe to run twice (IF NOT EXISTS...)", note +
	    (note == row->error ? 0 : strlen(STEPS_PARTLY)));
}

/* Repairs one entry; msg gets a line per change. */
static int
repair_one(struct runner *r, const struct plan_entry *e, struct buf *msg,
    struct buf *err)
{

	if (e->state == ENTRY_CHANGED)
		return repair_checksum(r, e, msg, err);
	if (e->state != ENTRY_FAILED)
		return 0;
	if (!down_failed(e->row)) {
		buf_addf(msg, "%s: removed the %s record; 'runner migrate' "
		    "will run it again", e->row->version, e->row->state);
		partly_applied(e->row, msg);
		buf_addch(msg, '\n');
		return store_remove(r->store, e->row->version, err);
	}
	/* The down section stopped part-way: still applied. */
	buf_addf(msg, "%s: %s -> applied; 'runner rollback' will run its "
	    "down section again\n", e->row->version, e->row->state);
	if (store_set_state(r->store, e->row->version, STATE_APPLIED, -1,
	    NULL, err) < 0)
		return RUNNER_EFAIL;
	return repair_checksum(r, e, msg, err);
}

static int
repair_entries(struct runner *r, struct buf *msg, struct buf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < r->plan.n; i++)
		ret = repair_one(r, &r->plan.v[i], msg, err);
	return ret;
}

/* One EV_REPAIRED per line of msg. */
static void
emit_lines(struct runner *r, enum runner_event_type type,
    const struct buf *msg)
{
	const char *p = msg->buf, *nl;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		emit_text(r, type, NULL, p, (size_t)(nl - p), 0);
		r->done++;
	}
}

int
runner_repair(struct runner *r, struct buf *err)
{
	struct buf msg = BUF_INIT;
	int ret;

	ret = runner_lock_run(r, err);
	if (ret == 0)
		ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = reload_to_write(r, err);
	if (ret == 0)
		ret = repair_entries(r, &msg, err);
	if (ret == 0)
		ret = drift_rows_changed(r, &r->rows, err);
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	else
		emit_lines(r, EV_REPAIRED, &msg);
	buf_release(&msg);
	return ret;
}

/* Inserts an applied row for each entry, inside the caller's transaction. */
static int
stamp_rows(struct runner *r, const struct plan_entry **v, size_t n,
    struct buf *err)
{
	struct migration m;
	struct applied row;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		ret = runner_read_file(r, v[i]->file, &m, err);
		if (ret < 0)
			break;
		/* No duration: it never ran here. */
		runner_fill_row(&row, v[i]->file, &m, -1, STATE_APPLIED);
		ret = store_insert(r->store, &row, err);
		applied_release(&row);
		migration_release(&m);
	}
	return ret;
}

int
runner_stamp(struct runner *r, const char *target, struct buf *err)
{
	const struct plan_entry **v = NULL;
	size_t i, n = 0;
	int ret;

	if (!version_valid(target))
		return buf_seterr(err, RUNNER_EUSAGE, "'%s' is not a version "
		    "(expected digits, such as 003)", target);
	ret = runner_lock_run(r, err);
	if (ret == 0)
		ret = store_begin(r->store, 0, err);
	if (ret < 0)
		return ret;
	ret = store_ensure_table(r->store, err);
	if (ret == 0)
		ret = reload(r, err);
	v = xcalloc(r->plan.n + 1, sizeof(*v));
	if (ret == 0)
		ret = plan_stamp(&r->plan, target, v, &n, err);
	if (ret == 0)
		ret = stamp_rows(r, v, n, err);
	/*
	 * The schema was made without runner: what the record must say is
	 * what the migrations make, not what is there.
	 */
	if (ret == 0 && n) {
		r->drift = DRIFT_DIRTY;
		ret = drift_settle(r, err);
	}
	if (ret == 0)
		ret = store_commit(r->store, 0, err);
	if (ret < 0)
		store_rollback(r->store, 0);
	for (i = 0; ret == 0 && i < n; i++)
		emit_event(r, EV_STAMPED, v[i]->file->version, v[i]->file->name,
		    v[i]->file->path, -1);
	if (ret == 0)
		r->done = n;
	free(v);
	return ret;
}

int
runner_wait(const char *url, int timeout, volatile sig_atomic_t *stop,
    void (*waiting)(void *arg, const char *why), void *arg,
    struct buf *err)
{
	struct timespec ts = { 0, 250 * 1000000L };
	struct buf why = BUF_INIT;
	struct store *s = NULL;
	double t0 = clock_ms();
	int ret, tries = 0;

	for (;;) {
		buf_reset(&why);
		ret = store_open(url, STORE_NOCREATE, 0, &s, &why);
		store_close(s);
		s = NULL;
		if (ret == 0 || ret == RUNNER_ENOENT || ret == RUNNER_EUSAGE)
			break;
		if (tries++ == 0 && waiting)
			waiting(arg, why.buf);
		if ((stop && *stop) || clock_ms() - t0 >= timeout * 1000.0)
			break;
		nanosleep(&ts, NULL);
	}
	if (ret == RUNNER_ENOENT)
		ret = 0;
	else if (ret < 0)
		ret = buf_seterr(err, ret == RUNNER_EUSAGE ? ret : RUNNER_EFAIL,
		    "%s%s", ret == RUNNER_EUSAGE ? "" : stop && *stop ?
		    "interrupted while waiting for the database: " :
		    "the database did not accept connections in time: ",
		    why.buf);
	buf_release(&why);
	return ret;
}
