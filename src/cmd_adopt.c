/*
 * cmd_adopt.c: runner adopt, for a database another tool has been
 * migrating: its history becomes runner's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* Lists what adopt would record and asks: CLI_GO_ON or an exit code. */
static int
confirm_adopt(struct cli *c, struct args *a, const struct adopt_plan *p)
{
	const char *tool = peer_name(p->h.tool);
	struct buf q = BUF_INIT;
	size_t i;
	int code;

	buf_addf(&q, "Adopt %s's history on '%s': record %zu migration%s as "
	    "applied without running %s", tool, c->shown, p->n, p->n == 1 ?
	    "" : "s", p->n == 1 ? "it" : "them");
	for (i = 0; i < p->n; i++)
		buf_addf(&q, "%s%s %s%s", i ? ", " : " (", p->v[i].version,
		    p->v[i].name, p->v[i].file ? "" : " [no file]");
	buf_adds(&q, p->n ? ")" : "");
	if (p->kept)
		buf_addf(&q, ", and rename %s's table %s to %s", tool,
		    p->h.table, p->kept);
	buf_adds(&q, "?");
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	return code;
}

static void
summary(const struct cli *c, const struct adopt_plan *p)
{
	const char *tool = peer_name(p->h.tool);

	if (c->g->quiet)
		return;
	printf("%zu migration%s adopted from %s's history", p->n, p->n == 1 ?
	    "" : "s", tool);
	if (p->missing)
		printf(" (%zu without a file, irreversible)", p->missing);
	if (p->kept)
		printf("; its table is kept as %s", p->kept);
	else
		printf("; its table %s was left as it was", p->h.table);
	puts(". 'runner migrate' applies the rest.");
}

/* --from and --allow-missing: CLI_GO_ON, or an exit code. */
static int
parse_opts(struct args *a, struct adopt_opts *o)
{
	const char *from;

	o->from = -1;
	o->allow_missing = arg_flag(a, "--allow-missing", NULL);
	if (!arg_flag(a, "--from", &from))
		return CLI_GO_ON;
	o->from = peer_parse(from);
	if (o->from < 0) {
		fprintf(stderr, "runner: --from '%s' is not a tool runner "
		    "knows (%s)\n", from, peer_names());
		return EXIT_USAGE;
	}
	return CLI_GO_ON;
}

int
cmd_adopt(struct cli *c, struct args *a)
{
	struct adopt_opts o;
	struct adopt_plan p;
	struct buf err = BUF_INIT;
	struct runner r;
	int ret, code;

	if ((code = parse_opts(a, &o)) != CLI_GO_ON)
		return code;
	/* A missing database is more likely a wrong --db than one to adopt. */
	ret = cli_open(c, &r, STORE_NOCREATE, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	ret = runner_adopt_plan(&r, &o, &p, &err);
	code = ret < 0 ? cli_fail(&err, ret) : confirm_adopt(c, a, &p);
	adopt_plan_release(&p);
	if (code == CLI_GO_ON) {
		ret = runner_adopt(&r, &o, &p, &err);
		code = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
		if (ret == 0)
			summary(c, &p);
		adopt_plan_release(&p);
	}
	cli_close(&r);
	buf_release(&err);
	return cli_schema_file(c, code);
}
