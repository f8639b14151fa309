/*
 * cmd_repair.c: runner repair, edited files' checksums accepted and
 * failed migrations' records cleared, after a question.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

/* Lists the records repair would change and asks: CLI_GO_ON or an exit code. */
static int
confirm_repair(struct cli *c, struct args *a, const struct runner *r)
{
	const struct plan_entry *e;
	struct buf q = BUF_INIT;
	size_t i, n = 0;
	int code;

	buf_addf(&q, "Repair the records of %zu migration%s on '%s' (",
	    r->plan.count[ENTRY_CHANGED] + r->plan.count[ENTRY_FAILED],
	    r->plan.count[ENTRY_CHANGED] + r->plan.count[ENTRY_FAILED] == 1 ?
	    "" : "s", c->shown);
	for (i = 0; i < r->plan.n; i++) {
		e = &r->plan.v[i];
		if (e->state == ENTRY_CHANGED || e->state == ENTRY_FAILED)
			buf_addf(&q, "%s%s %s: %s", n++ ? ", " : "",
			    e->row->version, e->row->name, e->state ==
			    ENTRY_CHANGED ? "changed" : e->row->state);
	}
	buf_adds(&q, ")? Review the files and the database first.");
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	return code;
}

int
cmd_repair(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct runner r;
	int ret, code;

	if ((code = cli_open_loaded(c, &r, &err)) != CLI_GO_ON)
		return code;
	if (r.plan.count[ENTRY_CHANGED] + r.plan.count[ENTRY_FAILED] == 0) {
		if (!c->g->quiet)
			puts("Nothing to repair.");
		return cli_finish(&r, &err, 0);
	}
	code = confirm_repair(c, a, &r);
	if (code != CLI_GO_ON) {
		cli_close(&r);
		return code;
	}
	ret = runner_repair(&r, &err);
	if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Nothing to repair.");
	return cli_finish(&r, &err, ret);
}
