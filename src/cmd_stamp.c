/*
 * cmd_stamp.c: runner stamp VERSION, for adopting a database whose schema
 * was built without runner: the migrations up to VERSION are recorded as
 * applied without running them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* Lists what the stamp would record and asks: CLI_GO_ON or an exit code. */
static int
confirm_stamp(struct cli *c, struct args *a, struct runner *r,
    const char *target, struct buf *err)
{
	const struct plan_entry **v = xcalloc(r->plan.n + 1, sizeof(*v));
	struct buf q = BUF_INIT;
	size_t i, n;
	int code = CLI_GO_ON;

	if (plan_stamp(&r->plan, target, v, &n, err) < 0)
		code = cli_fail(err, RUNNER_EFAIL);
	else if (n == 0) {
		if (!c->g->quiet)
			printf("Nothing to stamp: every migration up to %s is "
			    "already applied.\n", target);
		code = EXIT_OK;
	} else {
		buf_addf(&q, "Record %zu migration%s on '%s' as applied "
		    "without running %s (", n, n == 1 ? "" : "s", c->shown,
		    n == 1 ? "it" : "them");
		for (i = 0; i < n; i++)
			buf_addf(&q, "%s%s %s", i ? ", " : "",
			    v[i]->file->version, v[i]->file->name);
		buf_adds(&q, ")? Only do this if the database already has "
		    "their changes.");
		code = cli_confirm(a, q.buf);
	}
	buf_release(&q);
	free(v);
	return code;
}

int
cmd_stamp(struct cli *c, struct args *a)
{
	const char *target = a->pos[0];
	struct buf err = BUF_INIT;
	struct runner r;
	int ret = 0, code;

	if (!version_valid(target))
		return cli_usage_error(a, "'%s' is not a version (digits, "
		    "such as 003)", target);
	/* A missing database is more likely a wrong --db than one to adopt. */
	if ((code = cli_open_loaded(c, &r, &err)) != CLI_GO_ON)
		return code;
	code = confirm_stamp(c, a, &r, target, &err);
	if (code == CLI_GO_ON) {
		ret = runner_stamp(&r, target, &err);
		code = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
	}
	if (ret == 0 && code == EXIT_OK && r.done && !c->g->quiet)
		printf("%zu migration%s recorded as applied; 'runner migrate' "
		    "applies the rest.\n", r.done, r.done == 1 ? "" : "s");
	cli_close(&r);
	buf_release(&err);
	return code;
}
