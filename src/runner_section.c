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
