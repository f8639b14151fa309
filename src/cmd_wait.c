/*
 * cmd_wait.c: runner wait, for containers whose database starts with
 * them (the global --wait is the same wait, in cli_db.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

int
cmd_wait(struct cli *c, struct args *a)
{
	const char *v = "60";
	char *end;
	long t;
	int code;

	arg_flag(a, "--timeout", &v);
	t = strtol(v, &end, 10);
	if (end == v || *end || t < 0 || t > 86400)
		return cli_usage_error(a, "--timeout '%s' is not a number of "
		    "seconds (0 to 86400)", v);
	code = cli_wait(c, (int)t);
	return code == CLI_GO_ON ? EXIT_OK : code;
}
