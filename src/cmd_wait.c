/*
 * cmd_wait.c: runner wait and the global --wait, for containers whose
 * database starts with them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

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
	return 0;
}

int
cmd_wait(struct cli *c, struct args *a)
{
	const char *v = "60";
	char *end;
	long t;

	arg_flag(a, "--timeout", &v);
	t = strtol(v, &end, 10);
	if (end == v || *end || t < 0 || t > 86400)
		return cli_usage_error(a, "--timeout '%s' is not a number of "
		    "seconds (0 to 86400)", v);
	return cli_wait(c, (int)t);
}
