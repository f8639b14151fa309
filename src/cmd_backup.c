/*
 * cmd_backup.c: backup, backups and restore, and the backup destructive
 * commands take first.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "error.h"
#include "file.h"
#include "store.h"
#include "banned.h"

/* Databases smaller than this finish too fast for a progress line. */
#define PROGRESS_MIN	(64ULL << 20)

/* "812 bytes", "3.2 KiB", "1.1 GiB" into out. */
static const char *
size_text(char *out, size_t len, uint64_t n)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB",
	    "TiB" };
	double v = (double)n;
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	if (i == 0)
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
	else
		snprintf(out, len, "%.1f %s", v, unit[i]);
	return out;
}

static void
print_size(FILE *f, uint64_t n)
{
	char s[32];

	fputs(size_text(s, sizeof(s), n), f);
}

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

/* Parses a number flag in [lo, hi]; -1 when given but bad. */
static int
number_flag(const struct args *a, const char *name, int lo, int hi, int *out)
{
	const char *v;
	char *end;
	long n;

	if (!arg_flag(a, name, &v))
		return 0;
	n = strtol(v, &end, 10);
	if (end == v || *end || n < lo || n > hi) {
		fprintf(stderr, "runner: %s '%s' is not a number from %d to "
		    "%d\n", name, v, lo, hi);
		return -1;
	}
	*out = (int)n;
	return 0;
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

/* Each line of notes as "runner: line" on stderr, unless -q. */
static void
print_notes(const struct cli *c, const struct buf *notes)
{
	const char *p, *nl;

	if (c->g->quiet)
		return;
	for (p = notes->buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "runner: %.*s\n", (int)(nl - p), p);
}

/* With missing_ok, a database that does not exist is nothing to back up. */
static int
run_backup(struct cli *c, struct backup_opts *o, int missing_ok)
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
	print_notes(c, &res.notes);
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
cmd_backup(struct cli *c, struct args *a)
{
	struct backup_opts o;
	const char *output = NULL;

	memset(&o, 0, sizeof(o));
	o.level = 6;
	if (number_flag(a, "--level", 0, 9, &o.level) < 0 ||
	    number_flag(a, "--keep", 1, 1000000, &o.keep) < 0)
		return cli_usage_error(a, "%s", "bad option value");
	if (arg_flag(a, "--output", &output) && !*output)
		return cli_usage_error(a, "%s", "--output must not be empty");
	if (output && o.keep)
		return cli_usage_error(a, "%s", "--keep applies to the backup "
		    "folder, not to --output");
	o.output = output;
	o.force = arg_flag(a, "--force", NULL);
	return run_backup(c, &o, 0);
}

int
cli_backup_first(struct cli *c, struct args *a, const char *want_flag)
{
	struct backup_opts o;
	int code;

	if (want_flag ? !arg_flag(a, want_flag, NULL) :
	    arg_flag(a, "--no-backup", NULL))
		return -1;
	memset(&o, 0, sizeof(o));
	o.level = 6;
	code = run_backup(c, &o, 1);
	if (code != EXIT_OK)
		fputs("runner: stopped before changing anything: the backup "
		    "failed (--no-backup skips it)\n", stderr);
	/* Even a backup written with a problem after: nothing was changed. */
	return code == EXIT_OK ? -1 : code == EXIT_AFTER ? EXIT_FAIL : code;
}

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
	print_notes(c, &swept);
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

/* "Checked 'FILE': gzip intact, ..." and where the backup came from. */
static void
report_checked(const struct cli *c, const char *file, const struct restore *r)
{
	if (c->g->quiet)
		return;
	printf("Checked '%s': gzip intact, %s of ", file, driver_image_kind(r->ops));
	print_size(stdout, r->size);
	printf(", %s.\n", driver_image_checked(r->ops));
	if (r->foreign)
		printf("It is a backup of another database: %s.\n", r->origin);
	fflush(stdout);
}

/* Asks, then takes the run lock and the backup of what is replaced. */
static int
confirm_and_lock(struct cli *c, struct args *a, struct restore *r,
    struct buf *err)
{
	struct buf q = BUF_INIT;
	int code, ret;

	buf_addf(&q, "Replace database '%s' with the one in '%s'?%s", c->shown,
	    a->pos[0], r->exists ? " Its current contents are lost (a backup "
	    "is taken first unless --no-backup)." : "");
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	if (code >= 0)
		return code;
	if ((ret = restore_open(r, err)) == 0) {
		cli_watch(r->db);
		ret = restore_lock(r, err);
	}
	if (ret < 0)
		return cli_fail(err, ret);
	if (r->db)
		code = cli_backup_first(c, a, NULL);
	if (code < 0 && cli_stopped)
		return cli_fail(err, buf_seterr(err, RUNNER_EINTR,
		    "interrupted"));
	return code;
}

int
cmd_restore(struct cli *c, struct args *a)
{
	struct restore r;
	struct buf err = BUF_INIT;
	int ret, code;

	catch_signals();
	ret = restore_prepare(c->db, a->pos[0], c->g->lock_timeout, &r, &err);
	print_notes(c, &r.notes);
	buf_reset(&r.notes);
	if (ret < 0) {
		code = cli_fail(&err, ret);
		goto out;
	}
	report_checked(c, a->pos[0], &r);
	if ((code = confirm_and_lock(c, a, &r, &err)) >= 0)
		goto out;
	ret = restore_commit(&r, &err);
	print_notes(c, &r.notes);
	if ((ret == 0 || ret == RUNNER_EAFTER) && !c->g->quiet)
		printf("Restored '%s' from '%s'.\n", c->shown, a->pos[0]);
	code = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
out:
	cli_watch(NULL);
	restore_release(&r);
	buf_release(&err);
	return code;
}
