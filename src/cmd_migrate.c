/*
 * cmd_migrate.c: runner migrate and runner migrate-to VERSION, every
 * pending migration or those up to VERSION: one command with a target,
 * so one file.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

/* migrate --backup: a backup when something is pending; see do_migrate. */
static int
backup_if_pending(struct cli *c, struct args *a, struct runner *r,
    struct buf *err)
{
	int ret, code;

	ret = runner_load(r, err);
	if (ret < 0 || r->plan.count[ENTRY_PENDING] == 0)
		return ret;
	code = cli_backup_first(c, a, "--backup");
	return code == CLI_GO_ON ? 0 : code;
}

static int
do_migrate(struct cli *c, struct args *a, const char *target)
{
	struct migrate_opts o = { target, 0, 0, 0 };
	struct buf err = BUF_INIT;
	struct runner r;
	double t0 = clock_ms();
	int ret;

	o.dry_run = arg_flag(a, "--dry-run", NULL);
	o.single_tx = arg_flag(a, "--single-transaction", NULL);
	o.allow_ooo = arg_flag(a, "--allow-out-of-order", NULL);
	ret = cli_open(c, &r, o.dry_run ? STORE_NOCREATE : 0, 1, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	if (!o.dry_run && arg_flag(a, "--backup", NULL) &&
	    (ret = backup_if_pending(c, a, &r, &err)) != 0) {
		if (ret < 0)
			return cli_finish(&r, &err, ret);
		cli_close(&r);
		return ret;
	}
	ret = runner_migrate(&r, &o, &err);
	if (ret == 0 && o.dry_run && !c->g->quiet)
		printf("-- dry run: %zu migration%s would be applied; nothing "
		    "was changed\n", r.done, r.done == 1 ? "" : "s");
	else if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Database is up to date: nothing to migrate.");
	else if (ret == 0)
		cli_summary(c, r.done, "applied", clock_ms() - t0);
	ret = cli_finish(&r, &err, ret);
	return o.dry_run ? ret : cli_schema_file(c, ret);
}

int
cmd_migrate(struct cli *c, struct args *a)
{
	return do_migrate(c, a, NULL);
}

int
cmd_migrate_to(struct cli *c, struct args *a)
{
	if (!version_valid(a->pos[0]))
		return cli_usage_error(a, "'%s' is not a version (digits, "
		    "such as 003, or 1.2)", a->pos[0]);
	return do_migrate(c, a, a->pos[0]);
}
