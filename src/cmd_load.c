/*
 * cmd_load.c: runner load FILE, a new database from a schema file, and
 * the schema file itself (--schema-file), rewritten after the commands
 * that change the database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

int
cli_schema_file(struct cli *c, int code)
{
	struct buf err = BUF_INIT;
	struct store *s = NULL;
	int ret;

	if (c->schema_file == NULL)
		return code;
	ret = store_open(c->db, STORE_NOCREATE, c->g->lock_timeout, &s, &err);
	if (ret == RUNNER_ENOENT) {
		buf_release(&err);
		return code;
	}
	if (ret == 0)
		ret = store_set_table(s, c->table, &err);
	if (ret == 0)
		ret = schema_file_write(s, c->schema_file, &err);
	store_close(s);
	if (ret < 0) {
		buf_addf(&err, "\nthe schema file '%s' was left as it was",
		    c->schema_file);
		ret = cli_fail(&err, ret);
		return code == EXIT_OK ? ret : code;
	}
	buf_release(&err);
	return code;
}

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
