/*
 * main.c: the global options before the command name; the rest (where
 * global options may follow, unless they would be a command option's
 * value) goes to cli_run().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	struct globals g = GLOBALS_INIT;
	int i, r, ret = EXIT_USAGE;

	/* Each --dir is kept, before or after the command: argc bounds them. */
	g.dirs = xcalloc((size_t)argc + 1, sizeof(*g.dirs));
	g.dbs = xcalloc((size_t)argc + 1, sizeof(*g.dbs));
	g.lists = xcalloc((size_t)argc + 1, sizeof(*g.lists));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		r = globals_option(&g, argc, argv, &i);
		if (r < 0)
			goto out;
		if (r == 0) {
			fprintf(stderr, "runner: unknown option '%s'\n",
			    argv[i]);
			cli_usage(0);
			goto out;
		}
	}
	ret = cli_run(&g, argc - i, argv + i);
out:
	free(g.dirs);
	free(g.dbs);
	free(g.lists);
	return ret;
}
