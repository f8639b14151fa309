/*
 * cmd_reset.c: runner reset, everything in the database dropped and every
 * migration applied again, after a question and a backup.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_reset(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT, q = BUF_INIT;
	struct runner r;
	double t0;
	int ret, code;

	ret = cli_open_files(c, &r, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	buf_addf(&q, "Drop every table, view, index and trigger in '%s' and "
	    "apply all %zu migrations again? All data will be lost.", c->shown,
	    r.files.n);
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	if (code == CLI_GO_ON)
		code = cli_backup_first(c, a, NULL);
	if (code != CLI_GO_ON) {
		cli_close(&r);
		return code;
	}
	ret = cli_open_db(c, &r, 0, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	t0 = clock_ms();
	ret = runner_reset(&r, &err);
	if (ret == 0)
		cli_summary(c, r.done, "applied", clock_ms() - t0);
	return cli_finish(&r, &err, ret);
}
