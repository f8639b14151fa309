/*
 * cmd_init.c: runner init, a new database with every migration and the
 * seeds; a failure leaves no new database behind.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_init(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct runner r;
	double t0 = clock_ms();
	int ret;

	(void)a;
	ret = cli_open(c, &r, 0, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	ret = runner_setup(&r, &err);
	if (ret == 0)
		cli_summary(c, r.done, "applied", clock_ms() - t0);
	else
		store_discard_created(r.store);
	return cli_finish(&r, &err, ret);
}
