/*
 * cli_backup.c: backups as the commands take them: runner backup's, and
 * the one destructive commands take first.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* Databases smaller than this finish too fast for a progress line. */
#define PROGRESS_MIN	(64ULL << 20)

/* arg: the percentage shown last, so the line changes only when it does. */
static void
on_progress(void *arg, uint64_t done, uint64_t total)
{
	int *shown = arg, pct;

	if (total < PROGRESS_MIN)
		return;
	pct = (int)(done * 100 / total);
	if (pct == *shown)
		return;
	*shown = pct;
	fprintf(stderr, "\rbackup: %3d%% of ", pct);
	print_size(stderr, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void
report(const struct cli *c, const struct backup_result *res)
{
	if (c->g->quiet)
		return;
	printf("Backed up '%s' (", c->shown);
	print_size(stdout, res->db_size);
	printf(") to %s (", res->path);
	print_size(stdout, res->gz_size);
	fputs(") in ", stdout);
	print_ms(stdout, res->ms);
	puts(".");
	if (res->removed)
		printf("Removed %zu older backup%s (--keep).\n", res->removed,
		    res->removed == 1 ? "" : "s");
	fflush(stdout);
}

int
cli_backup(struct cli *c, struct backup_opts *o, int missing_ok)
{
	struct backup_result res;
	struct buf err = BUF_INIT;
	int ret, shown = -1;

	o->url = c->db;
	o->dir = c->backup_dir;
	o->lock_timeout = c->g->lock_timeout;
	o->progress = isatty(STDERR_FILENO) && !c->g->quiet ? on_progress :
	    NULL;
	o->arg = &shown;
	o->stop = &cli_stopped;
	catch_signals();
	ret = backup_create(o, &res, &err);
	cli_notes(c, &res.notes);
	if (ret == 0 || res.path)
		report(c, &res);
	backup_result_release(&res);
	if (ret == RUNNER_ENOENT && missing_ok)
		ret = 0;
	ret = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
	buf_release(&err);
	return ret;
}

int
cli_backup_first(struct cli *c, struct args *a, const char *want_flag)
{
	struct backup_opts o;
	int code;

	if (want_flag ? !arg_flag(a, want_flag, NULL) :
	    arg_flag(a, "--no-backup", NULL))
		return CLI_GO_ON;
	memset(&o, 0, sizeof(o));
	o.level = 6;
	code = cli_backup(c, &o, 1);
	if (code != EXIT_OK)
		fputs("runner: stopped before changing anything: the backup "
		    "failed (--no-backup skips it)\n", stderr);
	/* Even a backup written with a problem after: nothing was changed. */
	return code == EXIT_OK ? CLI_GO_ON : code == EXIT_AFTER ? EXIT_FAIL :
	    code;
}
