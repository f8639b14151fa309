/*
 * cmd_lint.c: runner lint, which reads migration files (those named, or
 * the migrations directory's) and prints lint.c's warnings. It never opens
 * a database: --db (or DATABASE_URL) only says whose SQL the files are.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"
#include "error.h"
#include "lint.h"
#include "banned.h"

struct lint_totals {
	size_t files, warned, warnings, errors;
};

/* Lints one file; a file that cannot be read or parsed is an error. */
static void
lint_file(const char *path, int dialect, struct lint_totals *t)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct migration m;
	char *data = NULL;
	size_t len, n;

	t->files++;
	if (file_read(path, &data, &len, &err) < 0 ||
	    migration_parse(path, data, len, &m, &err) < 0) {
		t->errors++;
		free(data);
		cli_fail(&err, RUNNER_EFAIL);
		return;
	}
	free(data);
	n = lint_migration(path, &m, dialect, &out);
	fwrite(out.buf, 1, out.len, stdout);
	t->warnings += n;
	t->warned += n > 0;
	migration_release(&m);
	buf_release(&out);
}

/* The migrations directory's files; exit code on failure, else -1. */
static int
dir_paths(struct cli *c, char ***paths, size_t *n)
{
	struct migset ignored = MIGSET_INIT;	/* only for its warnings */
	struct buf err = BUF_INIT;
	int ret;

	ret = migset_paths(c->dir, paths, n, &ignored.warnings, &err);
	cli_warnings(&ignored);
	migset_release(&ignored);
	return ret < 0 ? cli_fail(&err, ret) : -1;
}

static void
lint_summary(const struct lint_totals *t)
{
	if (t->warnings)
		printf("%zu warning%s in %zu of %zu file%s", t->warnings,
		    t->warnings == 1 ? "" : "s", t->warned, t->files,
		    t->files == 1 ? "" : "s");
	else
		printf("No warnings in %zu file%s", t->files,
		    t->files == 1 ? "" : "s");
	if (t->errors)
		printf("; %zu file%s could not be read or parsed", t->errors,
		    t->errors == 1 ? "" : "s");
	puts(".");
}

int
cmd_lint(struct cli *c, struct args *a)
{
	struct lint_totals t = { 0, 0, 0, 0 };
	char **paths = NULL;
	size_t i, n = 0;
	int code, dialect = store_is_pg_url(c->db) ? LINT_POSTGRESQL :
	    LINT_SQLITE;

	if (a->npos == 0 && (code = dir_paths(c, &paths, &n)) >= 0)
		return code;
	for (i = 0; i < (a->npos ? (size_t)a->npos : n); i++)
		lint_file(a->npos ? a->pos[i] : paths[i], dialect, &t);
	paths_free(paths, n);
	if (!c->g->quiet)
		lint_summary(&t);
	if (t.errors)
		return EXIT_FAIL;
	return t.warnings && arg_flag(a, "--strict", NULL) ? EXIT_FAIL :
	    EXIT_OK;
}
