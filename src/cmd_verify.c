/*
 * cmd_verify.c: `runner verify`: each migration's down checked against its
 * up in a scratch database; with --live, the database's drift too.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* Prints text's lines, each indented by two spaces. */
static void
print_indented(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		printf("  %.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}
}

static void
on_verify(void *arg, const struct runner_event *ev)
{
	const struct cli *c = arg;
	const char *label;

	switch (ev->type) {
	case EV_VERIFY_OK:
		label = "ok";
		break;
	case EV_VERIFY_IRREVERSIBLE:
		label = "irreversible";
		break;
	case EV_VERIFY_ASYMMETRIC:
		label = "ASYMMETRIC";
		break;
	case EV_VERIFY_FAILED:
		label = "FAILED";
		break;
	case EV_VERIFY_SKIPPED:
		label = "not checked";
		break;
	default:
		return;
	}
	if (c->g->quiet && ev->len == 0)
		return;
	printf("%-12s %s %s\n", label, ev->version, ev->name);
	/* Asymmetry lines come indented already. */
	if (ev->type == EV_VERIFY_FAILED || ev->type == EV_VERIFY_SKIPPED)
		print_indented(ev->text, ev->len);
	else if (ev->len)
		fwrite(ev->text, 1, ev->len, stdout);
	fflush(stdout);
}

static void
add_count(struct buf *b, size_t n, const char *what)
{
	if (n)
		buf_addf(b, ", %zu %s", n, what);
}

static void
print_summary(const struct verify_counts *vc)
{
	struct buf b = BUF_INIT;
	size_t checked = vc->ok + vc->irreversible + vc->asymmetric +
	    vc->failed, n = checked + vc->skipped + vc->unchecked;

	buf_addf(&b, "%zu migration%s, %zu checked: %zu ok", n,
	    n == 1 ? "" : "s", checked, vc->ok);
	add_count(&b, vc->irreversible, "irreversible (no down section)");
	add_count(&b, vc->asymmetric, "asymmetric");
	add_count(&b, vc->failed, "failed");
	add_count(&b, vc->skipped, "not checked (cluster-wide changes)");
	add_count(&b, vc->unchecked, "not checked (after the failure)");
	printf("%s.\n", b.buf);
	buf_release(&b);
}

/* The migrations, each checked in a scratch database. */
static int
verify_files(struct cli *c, struct runner *r, unsigned flags,
    struct verify_counts *vc, struct buf *err)
{
	int ret;

	r->emit = on_verify;
	r->arg = c;
	ret = runner_verify(r, c->db, c->g->lock_timeout, flags, vc, err);
	if (ret == 0 && !c->g->quiet)
		print_summary(vc);
	return ret;
}

/* --live: the database against what its applied migrations produce. */
static int
verify_live(struct cli *c, struct runner *r, unsigned flags, int *drifted,
    struct buf *err)
{
	struct drift d;
	int ret;

	drift_init(&d);
	d.flags = flags;
	ret = store_open(c->db, STORE_NOCREATE, c->g->lock_timeout, &r->store,
	    err);
	if (ret == 0)
		ret = store_set_table(r->store, c->table, err);
	if (ret == 0)
		ret = runner_load(r, err);
	if (ret == 0)
		ret = runner_drift(r, c->db, c->g->lock_timeout, &d, err);
	if (ret == 0) {
		cli_print_drift(&d, 1);
		*drifted = !d.checked || d.n;
	}
	store_close(r->store);
	r->store = NULL;
	drift_release(&d);
	return ret == RUNNER_ENOENT ? RUNNER_EFAIL : ret;
}

int
cmd_verify(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct verify_counts vc;
	struct runner r;
	unsigned flags = 0;
	int ret, drifted = 0, code = EXIT_OK;

	if (arg_flag(a, "--ignore-column-order", NULL))
		flags |= SCHEMA_IGNORE_COLUMN_ORDER;
	ret = runner_init(&r, c->dirs, c->ndirs, &err);
	cli_warnings(&r.files);
	if (ret == 0)
		ret = verify_files(c, &r, flags, &vc, &err);
	if (ret == 0 && arg_flag(a, "--live", NULL))
		ret = verify_live(c, &r, flags, &drifted, &err);
	if (ret < 0)
		code = cli_fail(&err, ret == RUNNER_ENOENT ? RUNNER_EFAIL :
		    ret);
	else if (vc.asymmetric || vc.failed || drifted)
		code = EXIT_FAIL;
	runner_release(&r);
	buf_release(&err);
	return code;
}
