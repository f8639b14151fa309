/*
 * cli.h: the command-line front end as main() sees it: the global
 * options (cli_int.h), then cli_run() with the rest.
 */
#ifndef RUNNER_CLI_H
#define RUNNER_CLI_H

#include "cli_int.h"

/* Runs the command in argv[0] (argc may be 0); returns the exit code. */
int cli_run(struct globals *g, int argc, char **argv);
/* Prints the main usage to stdout (ok) or stderr (!ok). */
void cli_usage(int ok);

#endif
