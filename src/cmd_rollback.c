/*
 * cmd_rollback.c: runner rollback [VERSION], the newest migration, every
 * one above VERSION, or --all undone by their down sections.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_rollback(struct cli *c, struct args *a)
{
	const char *target = a->npos ? a->pos[0] : NULL;
	int all = arg_flag(a, "--all", NULL), ret, code;
	struct buf err = BUF_INIT;
	struct runner r;
	double t0;

	if (target && !version_valid(target))
		return cli_usage_error(a, "'%s' is not a version (digits, such "
		    "as 003, or 1.2)", target);
	if (target && all)
		return cli_usage_error(a, "--all and a VERSION ('%s') do not "
		    "go together", target);
	if ((code = cli_open_loaded(c, &r, &err)) != CLI_GO_ON)
		return code;
	code = cli_confirm_rollback(c, a, &r, target, all, &err);
	if (code == CLI_GO_ON)
		code = cli_backup_first(c, a, NULL);
	if (code != CLI_GO_ON) {
		cli_close(&r);
		buf_release(&err);
		return code;
	}
	t0 = clock_ms();
	ret = runner_rollback(&r, target, all, &err);
	if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Nothing to roll back.");
	else if (ret == 0)
		cli_summary(c, r.done, "rolled back", clock_ms() - t0);
	return cli_schema_file(c, cli_finish(&r, &err, ret));
}
