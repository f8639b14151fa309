/*
 * runner_section.c: running one section of a migration (or of stored or
 * seed SQL) in its transaction, and the row it leaves; what the
 * operations and the drift record have in common.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "file.h"
#include "runner_int.h"
#include "banned.h"

unsigned
store_flags(unsigned section_flags)
{
	return ((section_flags & SECTION_NOTX) ? STORE_NOTX : 0) |
	    ((section_flags & SECTION_FKOFF) ? STORE_FKOFF : 0);
}

/* Runs a section; on failure err gets "where:line: message". */
int
exec_section(struct runner *r, const struct section_run *s, struct buf *err)
{
	struct buf msg = BUF_INIT;
	size_t pos = 0, at;
	int ret;

	/* An empty section (a template, a no-op down) runs nothing. */
	if (!sql_has_code(s->text + s->off, s->len))
		return 0;
	ret = store_exec(r->store, s->text + s->off, s->len, &pos,
	    &msg);
	/* The database's storage failed: no line of the file is to blame. */
	if (ret == RUNNER_EIO)
		buf_seterr(err, ret, "%s (while running %s)", msg.buf, s->where);
	if (ret < 0) {
		at = sql_skip_space(s->text, s->off + s->len, s->off + pos);
		buf_seterr(err, ret, "%s:%d: %s", s->where,
		    text_line_at(s->text, s->tlen, at), msg.buf);
	}
	buf_release(&msg);
	return ret;
}

/* Commits; an error found at commit (a foreign key check) names the file. */
int
commit_section(struct runner *r, const struct section_run *s, unsigned fl,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	int ret;

	ret = store_commit(r->store, fl, &msg);
	if (ret < 0)
		buf_seterr(err, ret, "%s: %s", s->where, msg.buf);
	buf_release(&msg);
	return ret;
}

/* Runs a section in its own transaction (unless it says otherwise). */
int
run_section(struct runner *r, const struct section_run *s, struct buf *err)
{
	unsigned fl = store_flags(s->flags);
	int ret;

	ret = store_begin(r->store, fl, err);
	if (ret == 0)
		ret = exec_section(r, s, err);
	if (ret == 0)
		ret = commit_section(r, s, fl, err);
	if (ret < 0)
		store_rollback(r->store, fl);
	return ret;
}

static void
add_step(void *arg, size_t start, size_t end, const char *commits)
{
	struct steps *st = arg;

	if ((st->n & (st->n - 1)) == 0)
		st->v = xreallocarray(st->v, st->n ? 2 * st->n : 1,
		    sizeof(*st->v));
	st->v[st->n].start = start;
	st->v[st->n].end = end;
	st->v[st->n].commits = commits ? xstrdup(commits) : NULL;
	st->ncommit += commits != NULL;
	st->n++;
}

int
section_steps(struct runner *r, const struct section_run *s,
    struct steps *st, struct buf *err)
{
	struct buf msg = BUF_INIT;
	size_t pos = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = store_statements(r->store, s->text + s->off, s->len, add_step,
	    st, &pos, &msg);
	if (ret < 0)
		buf_seterr(err, ret, "%s:%d: %s", s->where,
		    text_line_at(s->text, s->tlen, s->off + pos), msg.buf);
	buf_release(&msg);
	return ret;
}

void
steps_release(struct steps *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->v[i].commits);
	free(st->v);
	memset(st, 0, sizeof(*st));
}

int
exec_step(struct runner *r, const struct section_run *s,
    const struct steps *st, size_t i, struct buf *err)
{
	struct buf msg = BUF_INIT;
	size_t off = s->off + st->v[i].start;
	int ret;

	ret = store_exec_one(r->store, s->text + off, st->v[i].end -
	    st->v[i].start, &msg);
	if (ret < 0)
		buf_seterr(err, ret, "%s:%d: %s", s->where,
		    text_line_at(s->text, s->tlen, off), msg.buf);
	buf_release(&msg);
	return ret;
}

static int
step_line(const struct section_run *s, const struct steps *st, size_t i)
{
	return text_line_at(s->text, s->tlen, s->off + st->v[i].start);
}

void
steps_note(const struct section_run *s, const struct steps *st,
    size_t done, size_t at, int what, struct buf *out)
{
	if (done == 1)
		buf_addf(out, STEPS_PARTLY "statement 1 of %zu (line %d) is "
		    "committed", st->n, step_line(s, st, 0));
	else if (done)
		buf_addf(out, STEPS_PARTLY "statements 1-%zu of %zu (lines "
		    "%d-%d) are committed", done, st->n, step_line(s, st, 0),
		    step_line(s, st, done - 1));
	else
		buf_addf(out, "no statement of its %zu is committed", st->n);
	if (at >= st->n || what == STEP_NONE)
		return;
	if (what == STEP_FAILED && done + 1 == st->n)
		buf_addf(out, "; statement %zu (%s:%d) failed and is not "
		    "applied", at + 1, s->where, step_line(s, st, at));
	else if (what == STEP_FAILED)
		buf_addf(out, "; statement %zu (%s:%d) failed: statements "
		    "%zu-%zu are not applied", at + 1, s->where,
		    step_line(s, st, at), done + 1, st->n);
	else
		buf_addf(out, "; statement %zu (%s:%d, %s) was started and may "
		    "have committed too", at + 1, s->where,
		    step_line(s, st, at), st->v[at].commits ?
		    st->v[at].commits : "");
}

int
section_unatomic(struct runner *r, const struct section_run *s,
    struct buf *why, struct buf *err)
{
	struct steps st;
	size_t i;
	int ret;

	if (!store_ddl_commits(r->store))
		return 0;
	ret = section_steps(r, s, &st, err);
	for (i = 0; ret == 0 && i < st.n; i++)
		if (st.v[i].commits) {
			buf_addf(why, "line %d's %s", step_line(s, &st, i),
			    st.v[i].commits);
			ret = 1;
		}
	steps_release(&st);
	return ret;
}

/*
 * Serializes whole commands that change the database (store.h): then a
 * command's plan still holds when each of its migrations runs.
 */
int
runner_lock_run(struct runner *r, struct buf *err)
{
	return store_lock_run(r->store, err);
}

void
section_of(struct section_run *s, const struct migration *m,
    const struct section *sec, const char *where)
{
	(void)m;
	s->text = sec->text;
	s->tlen = sec->tlen;
	s->off = sec->off;
	s->len = sec->len;
	s->flags = sec->flags;
	s->where = sec->path ? sec->path : where;
}

int
sql_file_section(const char *path, char **text, struct section_run *s,
    struct buf *err)
{
	char *data = NULL, *nul;
	size_t len, tlen;

	*text = NULL;
	if (file_read(path, &data, &len, err) < 0)
		return RUNNER_EFAIL;
	*text = text_normalize(data, len, &tlen);
	free(data);
	memset(s, 0, sizeof(*s));
	s->text = *text;
	s->tlen = s->len = tlen;
	s->where = path;
	if ((nul = memchr(*text, '\0', tlen)) != NULL)
		return buf_seterr(err, RUNNER_EFAIL, "%s:%d: NUL byte in file",
		    path, text_line_at(*text, tlen, (size_t)(nul - *text)));
	return 0;
}

void
runner_fill_row(struct applied *row, const struct migfile *f,
    const struct migration *m, double ms, const char *state)
{
	const char *opts;

	memset(row, 0, sizeof(*row));
	row->version = xstrdup(f->version);
	row->name = xstrdup(f->name);
	row->checksum = xstrdup(f->checksum);
	row->duration_ms = ms;
	row->state = xstrdup(state);
	if (migration_reversible(m)) {
		row->down_sql = xstrndup(m->down.text + m->down.off,
		    m->down.len);
		opts = section_options_text(m->down.flags);
		row->down_options = opts ? xstrdup(opts) : NULL;
	}
}
