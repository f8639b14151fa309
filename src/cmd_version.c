/* cmd_version.c: runner version, the newest applied version for scripts. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

int
cmd_version(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	const char *newest = NULL;
	struct runner r;
	size_t i;
	int ret, code = EXIT_OK;

	(void)a;
	ret = runner_open_readonly(&r, c->dirs, c->ndirs, c->db, c->table,
	    c->g->lock_timeout, 0, &err);
	cli_warnings(&r.files);
	if (ret == 0 && r.store == NULL)
		ret = store_open(c->db, STORE_NOCREATE, 0, &r.store, &err);
	for (i = 0; ret == 0 && i < r.plan.n; i++)
		if (r.plan.v[i].row && r.plan.v[i].state != ENTRY_FAILED)
			newest = r.plan.v[i].row->version;
	if (ret < 0)
		code = cli_fail(&err, ret);
	else if (newest)
		printf("%s\n", newest);
	else {
		fprintf(stderr, "runner: no migration is applied to '%s'\n",
		    c->shown);
		code = EXIT_FAIL;
	}
	cli_close(&r);
	buf_release(&err);
	return code;
}
