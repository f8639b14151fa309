/*
 * cmd_backups.c: runner backups, the list of the database's backups;
 * read-only but for sweeping its own abandoned temporary files.
 */
#include <stdio.h>
#include <string.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "file.h"
#include "banned.h"

/* Each line of lines as "runner: warning: line" on stderr. */
static void
print_warnings(const struct buf *lines)
{
	const char *p, *nl;

	for (p = lines->buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "runner: warning: %.*s\n", (int)(nl - p), p);
}

/* What the listing leaves out or cannot vouch for, on stderr. */
static void
list_notes(const struct cli *c, const struct backup_list *l)
{
	if (c->g->quiet)
		return;
	if (l->unmarked)
		fprintf(stderr, "runner: %zu of these (marked '?') carry no "
		    "database identity (older backups): they may be another "
		    "database's of the same name, and --keep never removes "
		    "them\n", l->unmarked);
	if (l->others)
		fprintf(stderr, "runner: %zu backup%s of another database "
		    "named like these %s in %s/ (not listed)\n", l->others,
		    l->others == 1 ? "" : "s", l->others == 1 ? "is" : "are",
		    c->backup_dir);
}

int
cmd_backups(struct cli *c, struct args *a)
{
	struct backup_list l;
	struct buf err = BUF_INIT, swept = BUF_INIT;
	char size[32];
	size_t i;
	int ret;

	(void)a;
	if (!c->g->quiet && dir_check_private(c->backup_dir, "backup folder",
	    0, &err) < 0)
		fprintf(stderr, "runner: warning: %s\n", err.buf);
	buf_reset(&err);
	backup_sweep(c->db, c->backup_dir, &swept);
	cli_notes(c, &swept);
	buf_release(&swept);
	ret = backup_list(c->db, c->backup_dir, &l, &err);
	if (ret < 0) {
		ret = cli_fail(&err, ret);
		buf_release(&err);
		return ret;
	}
	if (l.n == 0 && !c->g->quiet)
		printf("No backups of '%s' in %s/.\n", c->shown, c->backup_dir);
	else if (l.n)
		printf("%-23s  %10s  %s\n", "TIME", "SIZE", "PATH");
	for (i = 0; i < l.n; i++)
		printf("%-23s  %10s  %s%s\n", l.v[i].time, size_text(size,
		    sizeof(size), l.v[i].size), l.v[i].path, l.v[i].ours ? "" :
		    " ?");
	list_notes(c, &l);
	print_warnings(&l.problems);
	backup_list_release(&l);
	buf_release(&err);
	return EXIT_OK;
}
