/*
 * cmd_lint.c: runner lint, which reads migration files (those named, or
 * the migrations directory's) and prints lint.c's warnings. It never opens
 * a database: --db (or DATABASE_URL) only says whose SQL the files are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "text_lint.h"
#include "banned.h"

struct lint_totals {
	size_t files, warned, warnings, errors;
};

static void
lint_parsed(const char *path, const struct migration *m, int dialect,
    struct lint_totals *t)
{
	struct buf out = BUF_INIT;
	size_t n;

	n = lint_migration(path, m, dialect, &out);
	fwrite(out.buf, 1, out.len, stdout);
	t->warnings += n;
	t->warned += n > 0;
	buf_release(&out);
}

/*
 * Lints a file named on the command line, read in the layout its name
 * suggests; a file that cannot be read or parsed is an error.
 */
static void
lint_file(const char *path, int dialect, struct lint_totals *t)
{
	struct migration_src src;
	struct buf err = BUF_INIT;
	struct migration m;
	char *data = NULL;
	size_t len;
	unsigned flags;

	t->files++;
	memset(&src, 0, sizeof(src));
	src.format = (enum text_format)layout_file_format(path, &flags);
	src.flags = flags;
	src.env = &migset_env;
	src.path = path;
	if (file_read(path, &data, &len, &err) == 0) {
		src.data = data;
		src.len = len;
	}
	if (data == NULL || migration_parse_src(&src, &m, &err) < 0) {
		t->errors++;
		free(data);
		cli_fail(&err, RUNNER_EFAIL);
		return;
	}
	free(data);
	lint_parsed(path, &m, dialect, t);
	migration_release(&m);
}

/*
 * Lints every migration of the migrations folders, each in its folder's
 * layout; a bad file is reported and the others still linted.
 */
static void
lint_dirs(struct cli *c, int dialect, struct lint_totals *t)
{
	struct migset s = MIGSET_INIT;
	struct buf err = BUF_INIT;
	struct migration m;
	const char *p, *nl;
	size_t i;

	if (migset_load(&s, c->dirs, c->ndirs, MIGSET_KEEP_GOING, &err) < 0) {
		t->errors++;
		cli_fail(&err, RUNNER_EFAIL);
	}
	for (p = s.errors.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		fprintf(stderr, "runner: %.*s\n", (int)(nl - p), p);
		t->files++;
		t->errors++;
	}
	for (i = 0; i < s.n; i++) {
		t->files++;
		if (migset_read(&s, &s.v[i], &m, &err) < 0) {
			t->errors++;
			cli_fail(&err, RUNNER_EFAIL);
			continue;
		}
		lint_parsed(s.v[i].path, &m, dialect, t);
		migration_release(&m);
	}
	migset_release(&s);
	buf_release(&err);
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
	int i, dialect = store_is_pg_url(c->db) ? LINT_POSTGRESQL :
	    store_is_mysql_url(c->db) ? LINT_MYSQL : LINT_SQLITE;

	if (a->npos == 0)
		lint_dirs(c, dialect, &t);
	for (i = 0; i < a->npos; i++)
		lint_file(a->pos[i], dialect, &t);
	if (!c->g->quiet)
		lint_summary(&t);
	if (t.errors)
		return EXIT_FAIL;
	return t.warnings && arg_flag(a, "--strict", NULL) ? EXIT_FAIL :
	    EXIT_OK;
}
