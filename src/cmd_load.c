/* cmd_load.c: runner load FILE, a new database from a schema file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* The database file load would create, or NULL (a server, or it exists). */
static char *
new_file(const char *url)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT, err = BUF_INIT;
	struct stat st;
	unsigned flags;
	char *path = NULL;

	if (store_driver(url, &ops, &target, &flags, &err) == 0 &&
	    driver_target_is_file(ops) && stat(target.buf, &st) < 0 &&
	    errno == ENOENT)
		path = buf_detach(&target, NULL);
	buf_release(&target);
	buf_release(&err);
	return path;
}

int
cmd_load(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT, side = BUF_INIT;
	char *created = new_file(c->db);
	struct runner r;
	int ret;

	ret = cli_open(c, &r, 0, 0, &err);
	if (ret == 0) {
		ret = runner_load_schema(&r, a->pos[0], &err);
		cli_close(&r);
	}
	if (ret == 0 && !c->g->quiet)
		printf("Loaded %s into '%s'.\n", a->pos[0], c->shown);
	/* A failed load leaves no database behind that was not there. */
	if (ret < 0 && created) {
		unlink(created);
		buf_addf(&side, "%s-journal", created);
		unlink(side.buf);
	}
	free(created);
	buf_release(&side);
	ret = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
	buf_release(&err);
	return ret;
}
