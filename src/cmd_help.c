/*
 * cmd_help.c: runner help [COMMAND], from the command table the
 * dispatcher hands over.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_help(struct cli *c, struct args *a)
{
	const struct command *cmd;

	(void)c;
	if (a->npos == 0) {
		usage_print(a->table, 1);
		return EXIT_OK;
	}
	cmd = command_find(a->table, a->pos[0]);
	if (cmd == NULL) {
		fprintf(stderr, "runner: unknown command '%s'\n", a->pos[0]);
		usage_print(a->table, 0);
		return EXIT_USAGE;
	}
	command_usage(cmd, 1);
	return EXIT_OK;
}
