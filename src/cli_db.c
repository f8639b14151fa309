/*
 * cli_db.c: the migrations and the database a command works on: opened
 * and closed alike for every command, waited for (runner wait, --wait),
 * and the schema file rewritten after a change.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* A bad migration is reported before any database is touched. */
int
cli_open_files(struct cli *c, struct runner *r, struct buf *err)
{
	int ret;

	ret = runner_init(r, c->dirs, c->ndirs, err);
	r->emit = cli_on_event;
	r->arg = c;
	cli_warnings(&r->files);
	if (ret < 0) {
		cli_close(r);
		return RUNNER_EFAIL;
	}
	return 0;
}

/* r's files are read already; r is closed on failure. */
int
cli_open_db(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err)
{
	int ret;

	if (c->nocreate) {	/* a fleet's: a typo must not make a tenant */
		flags |= STORE_NOCREATE;
		missing_ok = 0;
	}
	ret = store_open(c->db, flags, c->g->lock_timeout, &r->store, err);
	r->url = c->db;
	r->lock_timeout = c->g->lock_timeout;
	if (ret == 0)
		ret = store_set_table(r->store, c->table, err);
	if (ret == RUNNER_ENOENT && missing_ok) {
		buf_reset(err);
		ret = 0;
	}
	if (ret < 0) {
		cli_close(r);
		return ret == RUNNER_ENOENT ? RUNNER_EFAIL : ret;
	}
	cli_watch_runner(r);
	return 0;
}

int
cli_open(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err)
{
	int ret = cli_open_files(c, r, err);

	return ret < 0 ? ret : cli_open_db(c, r, flags, missing_ok, err);
}

int
cli_open_loaded(struct cli *c, struct runner *r, struct buf *err)
{
	int ret;

	ret = cli_open(c, r, STORE_NOCREATE, 0, err);
	if (ret < 0)
		return cli_fail(err, ret);
	ret = runner_load(r, err);
	if (ret < 0)
		return cli_finish(r, err, ret);
	return CLI_GO_ON;
}

void
cli_close(struct runner *r)
{
	struct store *s = r->store;

	cli_watch_runner(NULL);
	runner_release(r);
	store_close(s);
	r->store = NULL;
}

int
cli_finish(struct runner *r, struct buf *err, int ret)
{
	int code = ret < 0 ? cli_fail(err, ret) : EXIT_OK;

	cli_close(r);
	buf_release(err);
	return code;
}

int
cli_schema_file(struct cli *c, int code)
{
	struct buf err = BUF_INIT;
	struct store *s = NULL;
	int ret;

	if (c->schema_file == NULL)
		return code;
	ret = store_open(c->db, STORE_NOCREATE, c->g->lock_timeout, &s, &err);
	if (ret == RUNNER_ENOENT) {
		buf_release(&err);
		return code;
	}
	if (ret == 0)
		ret = store_set_table(s, c->table, &err);
	if (ret == 0)
		ret = schema_file_write(s, c->schema_file, &err);
	store_close(s);
	if (ret < 0) {
		buf_addf(&err, "\nthe schema file '%s' was left as it was",
		    c->schema_file);
		ret = cli_fail(&err, ret);
		return code == EXIT_OK ? ret : code;
	}
	buf_release(&err);
	return code;
}

static void
on_waiting(void *arg, const char *why)
{
	const struct cli *c = arg;

	fprintf(stderr, "runner: waiting for database '%s' (%s)\n", c->shown,
	    why);
	fflush(stderr);
}

int
cli_wait(struct cli *c, int timeout)
{
	struct buf err = BUF_INIT;
	int ret;

	catch_signals();
	ret = runner_wait(c->db, timeout, &cli_stopped, on_waiting, c, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	buf_release(&err);
	return CLI_GO_ON;
}
