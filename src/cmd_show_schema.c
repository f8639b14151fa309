/*
 * cmd_show_schema.c: runner show-schema, the schema as stable, diffable
 * SQL on stdout.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_show_schema(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct store *s = NULL;
	int ret;

	(void)a;
	ret = store_open(c->db, STORE_NOCREATE, c->g->lock_timeout, &s, &err);
	if (ret == 0)
		ret = store_schema(s, &out, &err);
	if (ret == 0)
		fwrite(out.buf, 1, out.len, stdout);
	store_close(s);
	buf_release(&out);
	ret = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
	buf_release(&err);
	return ret;
}
