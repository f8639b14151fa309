/*
 * main.c: the global options before the command name; the rest (where
 * global options may follow, unless they would be a command option's
 * value) goes to cli_run().
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	struct globals g = GLOBALS_INIT;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		r = globals_option(&g, argc, argv, &i);
		if (r < 0)
			return EXIT_USAGE;
		if (r == 0) {
			fprintf(stderr, "runner: unknown option '%s'\n",
			    argv[i]);
			cli_usage(0);
			return EXIT_USAGE;
		}
	}
	return cli_run(&g, argc - i, argv + i);
}
