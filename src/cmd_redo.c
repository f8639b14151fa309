/*
 * cmd_redo.c: runner redo, the edit loop: the newest migration rolled
 * back and applied again from its file as it is now.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* The newest applied entry, if redo can run it again. */
static const struct plan_entry *
redoable(const struct runner *r, struct buf *err)
{
	const struct plan_entry *e = NULL;
	size_t i;

	for (i = 0; i < r->plan.n; i++)
		if (r->plan.v[i].row)
			e = &r->plan.v[i];
	if (e == NULL)
		return NULL;
	if (e->file == NULL) {
		buf_seterr(err, RUNNER_EFAIL, "cannot redo migration %s: its "
		    "file is missing", e->row->version);
		return NULL;
	}
	for (i = 0; i < r->plan.n; i++)
		if (r->plan.v[i].state == ENTRY_PENDING &&
		    version_cmp(r->plan.v[i].file->version, e->file->version) < 0) {
			buf_seterr(err, RUNNER_EFAIL, "cannot redo migration %s: "
			    "pending migration '%s' is older; run 'runner "
			    "migrate --allow-out-of-order' first",
			    e->file->version, r->plan.v[i].file->path);
			return NULL;
		}
	return e;
}

static int
redo(struct cli *c, struct runner *r, const char *version, struct buf *err)
{
	struct migrate_opts o = { version, 0, 0, 0 };
	int ret;

	ret = runner_rollback(r, NULL, 0, err);
	if (ret == 0)
		ret = runner_migrate(r, &o, err);
	if (ret == 0 && !c->g->quiet)
		printf("Redone %s.\n", version);
	return ret;
}

int
cmd_redo(struct cli *c, struct args *a)
{
	const struct plan_entry *e;
	struct buf err = BUF_INIT;
	struct runner r;
	char *version = NULL;
	int ret, code;

	if ((code = cli_open_loaded(c, &r, &err)) != CLI_GO_ON)
		return code;
	e = redoable(&r, &err);
	if (err.len)
		code = cli_fail(&err, RUNNER_EFAIL);
	else if (e == NULL) {
		if (!c->g->quiet)
			puts("Nothing to redo: no migration is applied.");
		code = EXIT_OK;
	} else {
		version = xstrdup(e->file->version);
		code = cli_confirm_rollback(c, a, &r, NULL, 0, &err);
	}
	if (code == CLI_GO_ON)
		code = cli_backup_first(c, a, NULL);
	if (code == CLI_GO_ON) {
		ret = redo(c, &r, version, &err);
		code = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
		code = cli_schema_file(c, code);
	}
	free(version);
	cli_close(&r);
	buf_release(&err);
	return code;
}
