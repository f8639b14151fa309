/*
 * cmd_create_migration.c: runner create-migration NAME, a new migration
 * in the folder's layout with the next version.
 */
#include <stdio.h>

#include "cli_int.h"
#include "banned.h"

int
cmd_create_migration(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	const char *desc = NULL, *layout = NULL;
	char **paths = NULL;
	size_t i, n = 0;
	int ret, l = LAYOUT_NONE;

	arg_flag(a, "--description", &desc);
	if (arg_flag(a, "--layout", &layout) &&
	    (l = layout_from_name(layout)) < 0)
		return cli_usage_error(a, "unknown layout '%s' (runner, dbmate, "
		    "goose, golang-migrate, sqlx, diesel, flyway)", layout);
	ret = runner_create(c->dirs, c->ndirs, a->pos[0], desc,
	    (enum layout)l, &paths, &n, &err);
	if (ret < 0) {
		ret = cli_fail(&err, ret);
		buf_release(&err);
		return ret;
	}
	for (i = 0; i < n; i++)
		puts(paths[i]);
	paths_free(paths, n);
	return EXIT_OK;
}
