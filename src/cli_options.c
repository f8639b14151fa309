/*
 * cli_options.c: the global options, taken before the command name or
 * after it, and the help lines every option gets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "banned.h"

const struct opt global_opts[] = {
	{ "--backup-dir=", "DIR", "where backups go (default backups)",
	    "BACKUP_DIR" },
	{ "--db=", "URL", "the database: a path, sqlite:PATH, file:PATH or "
	    "postgres://... (default app.db)", "DATABASE_URL" },
	{ "--dir=", "DIR", "a migrations folder, in any tool's layout; "
	    "repeat it (or A:B) for several (default migrations)",
	    "MIGRATIONS_DIR" },
	{ "--env-file=", "FILE", "read settings from FILE instead of .env",
	    NULL },
	{ "--lock-timeout=", "SECONDS", "how long to wait for another "
	    "runner's lock (default 30; 0: do not wait)", NULL },
	{ "--schema-file=", "FILE", "after migrate, rollback and redo, write "
	    "the schema and the applied versions to FILE", "RUNNER_SCHEMA_FILE" },
	{ "--table=", "NAME", "runner's tracking table (default "
	    TRACKING_TABLE ")", "RUNNER_TABLE" },
	{ "--url=", "URL", "the same as --db", "DATABASE_URL" },
	{ "--wait", NULL, "first wait (up to 60 s) until the database accepts "
	    "connections", NULL },
	{ "-q", NULL, "print only errors and warnings", NULL },
	{ "-h", NULL, "show usage (also --help)", NULL },
	{ "-V", NULL, "show the version and drivers (also --version)", NULL },
	{ NULL, NULL, NULL, NULL }
};

/* Matches "--name VALUE" and "--name=VALUE"; *i advances past the value. */
static int
option_value(const char *name, int argc, char **argv, int *i,
    const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "runner: option '%s' needs a value\n", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

static int
parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 86400) {
		fprintf(stderr, "runner: --lock-timeout '%s' is not a number "
		    "of seconds (0 to 86400)\n", s);
		return -1;
	}
	*out = (int)v;
	return 1;
}

static int
is(const char *arg, const char *a, const char *b)
{
	return strcmp(arg, a) == 0 || (b && strcmp(arg, b) == 0);
}

int
globals_option(struct globals *g, int argc, char **argv, int *i)
{
	const char *const a = argv[*i], *v = NULL;
	int r;

	if ((r = option_value("--db", argc, argv, i, &g->db)) ||
	    (r = option_value("--url", argc, argv, i, &g->db)) ||
	    (r = option_value("--backup-dir", argc, argv, i, &g->backup_dir)) ||
	    (r = option_value("--table", argc, argv, i, &g->table)) ||
	    (r = option_value("--env-file", argc, argv, i, &g->env_file)) ||
	    (r = option_value("--schema-file", argc, argv, i,
	    &g->schema_file)))
		return r;
	if ((r = option_value("--dir", argc, argv, i, &v)) != 0) {
		if (r > 0)
			g->dirs[g->ndirs++] = v;	/* several are merged */
		return r;
	}
	if ((r = option_value("--lock-timeout", argc, argv, i, &v)) != 0)
		return r < 0 ? r : parse_timeout(v, &g->lock_timeout);
	if (is(a, "-q", "--quiet"))
		return g->quiet = 1;
	if (is(a, "-h", "--help"))
		return g->help = 1;
	if (is(a, "-V", "--version"))
		return g->version = 1;
	if (is(a, "--wait", NULL))
		return g->wait = 1;
	return 0;
}

void
print_options(FILE *f, const struct opt *o)
{
	char left[64];

	for (; o->name; o++) {
		snprintf(left, sizeof(left), "%.*s%s%s",
		    (int)strcspn(o->name, "="), o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s", left, o->help);
		if (o->env)
			fprintf(f, " [$%s]", o->env);
		fputc('\n', f);
	}
}
