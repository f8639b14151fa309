/*
 * cli_confirm.c: the questions destructive commands ask on a terminal,
 * and --yes off one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

int
cli_confirm(const struct args *a, const char *question)
{
	char line[64];

	if (arg_flag(a, "--yes", NULL))
		return CLI_GO_ON;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "runner: '%s' is destructive: confirm with "
		    "--yes (standard input is not a terminal)\n", a->cmd->name);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) &&
	    (strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0))
		return CLI_GO_ON;
	fprintf(stderr, "runner: %s cancelled; nothing was changed\n",
	    a->cmd->name);
	return EXIT_FAIL;
}

int
cli_confirm_rollback(struct cli *c, struct args *a, struct runner *r,
    const char *target, int all, struct buf *err)
{
	const struct plan_entry **v = xcalloc(r->plan.n + 1, sizeof(*v));
	struct buf q = BUF_INIT;
	size_t i, n;
	int code = CLI_GO_ON;

	if (plan_rollback(&r->plan, target, all, v, &n, err) < 0)
		code = cli_fail(err, RUNNER_EFAIL);
	else if (n == 0) {
		if (!c->g->quiet && target)
			printf("Nothing to roll back: no applied migration is "
			    "above %s.\n", target);
		else if (!c->g->quiet)
			puts("Nothing to roll back: no migration is applied.");
		code = EXIT_OK;
	} else {
		buf_addf(&q, "Roll back %zu migration%s on '%s' (", n,
		    n == 1 ? "" : "s", c->shown);
		for (i = 0; i < n; i++)
			buf_addf(&q, "%s%s %s", i ? ", " : "",
			    v[i]->row->version, v[i]->row->name);
		buf_adds(&q, ")? Their down sections may delete data.");
		code = cli_confirm(a, q.buf);
	}
	buf_release(&q);
	free(v);
	return code;
}
