/*
 * cmd_backup.c: runner backup, a compressed, consistent copy of the
 * database in the backup folder (or at --output).
 */
#include <string.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "banned.h"

int
cmd_backup(struct cli *c, struct args *a)
{
	struct backup_opts o;
	const char *output = NULL;
	int code;

	memset(&o, 0, sizeof(o));
	o.level = 6;
	if ((code = number_flag(a, "--level", 0, 9, &o.level)) != CLI_GO_ON ||
	    (code = number_flag(a, "--keep", 1, 1000000, &o.keep)) != CLI_GO_ON)
		return code;
	if (arg_flag(a, "--output", &output) && !*output)
		return cli_usage_error(a, "%s", "--output must not be empty");
	if (output && o.keep)
		return cli_usage_error(a, "%s", "--keep applies to the backup "
		    "folder, not to --output");
	o.output = output;
	o.force = arg_flag(a, "--force", NULL);
	return cli_backup(c, &o, 0);
}
