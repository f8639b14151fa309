/*
 * cmd_restore.c: runner restore FILE: the backup checked first, then,
 * under the run lock and after a backup of what it replaces, put in the
 * database's place at once.
 */
#include <stdio.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* "Checked 'FILE': gzip intact, ..." and where the backup came from. */
static void
report_checked(const struct cli *c, const char *file, const struct restore *r)
{
	if (c->g->quiet)
		return;
	printf("Checked '%s': gzip intact, %s of ", file,
	    driver_image_kind(r->ops));
	print_size(stdout, r->size);
	printf(", %s.\n", driver_image_checked(r->ops));
	if (r->foreign)
		printf("It is a backup of another database: %s.\n", r->origin);
	fflush(stdout);
}

/*
 * Asks, then takes the run lock and the backup of what is replaced:
 * CLI_GO_ON, or an exit code.
 */
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
	if (code != CLI_GO_ON)
		return code;
	if ((ret = restore_open(r, err)) == 0) {
		cli_watch(r->db);
		ret = restore_lock(r, err);
	}
	if (ret < 0)
		return cli_fail(err, ret);
	if (r->db)
		code = cli_backup_first(c, a, NULL);
	if (code == CLI_GO_ON && cli_stopped)
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
	cli_notes(c, &r.notes);
	buf_reset(&r.notes);
	if (ret < 0) {
		code = cli_fail(&err, ret);
		goto out;
	}
	report_checked(c, a->pos[0], &r);
	if ((code = confirm_and_lock(c, a, &r, &err)) != CLI_GO_ON)
		goto out;
	ret = restore_commit(&r, &err);
	cli_notes(c, &r.notes);
	if ((ret == 0 || ret == RUNNER_EAFTER) && !c->g->quiet)
		printf("Restored '%s' from '%s'.\n", c->shown, a->pos[0]);
	code = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
out:
	cli_watch(NULL);
	restore_release(&r);
	buf_release(&err);
	return code;
}
