/*
 * cli_usage.c: the usage and help texts, all made from the command
 * table and the global options' table, so that what help says and what
 * the parser accepts are one.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "banned.h"

const struct opt global_opts[] = {
	{ "--backup-dir=", "DIR", "where backups go (default backups)",
	    "BACKUP_DIR" },
	{ "--canary=", "N", "a fleet: first the first N databases, and "
	    "stop if any failed", NULL },
	{ "--create", NULL, "a fleet: migrate, migrate-to and init may create "
	    "a database", NULL },
	{ "--db=", "URL", "the database: a path, sqlite:PATH, file:PATH or "
	    "postgres://... (default app.db); repeat it, or quote a glob, "
	    "for a fleet", "DATABASE_URL" },
	{ "--db-list=", "FILE", "a fleet: a database a line, # comments (-: "
	    "standard input)", "DATABASE_URLS" },
	{ "--dir=", "DIR", "a migrations folder, in any tool's layout; "
	    "repeat it (or A:B) for several (default migrations)",
	    "MIGRATIONS_DIR" },
	{ "--env-file=", "FILE", "read settings from FILE instead of .env",
	    NULL },
	{ "--fail-fast", NULL, "a fleet: start no database after a failure",
	    NULL },
	{ "-j", "N", "a fleet: N databases at a time, by default the cores "
	    "(also --jobs)", NULL },
	{ "--lock-timeout=", "SECONDS", "how long to wait for another "
	    "runner's lock (default 30; 0: do not wait)", NULL },
	{ "--schema-file=", "FILE", "after migrate, rollback and redo, write "
	    "the schema and the applied versions to FILE", "RUNNER_SCHEMA_FILE" },
	{ "--table=", "NAME", "runner's tracking table (default "
	    TRACKING_TABLE ")", "RUNNER_TABLE" },
	{ "--url=", "URL", "the same as --db", "DATABASE_URL" },
	{ "--wait", NULL, "first wait (up to 60 s) until the database accepts "
	    "connections", NULL },
	{ "-q", NULL, "print only errors and warnings (also --quiet)", NULL },
	{ "-h", NULL, "show usage (also --help)", NULL },
	{ "-V", NULL, "show the version and drivers (also --version)", NULL },
	{ NULL, NULL, NULL, NULL }
};

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

const struct command *
command_find(const struct command_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0 || (t->v[i].alias &&
		    strcmp(t->v[i].alias, name) == 0))
			return &t->v[i];
	return NULL;
}

void
cli_version(void)
{
	struct buf b = BUF_INIT;

	store_drivers(&b);
	printf("runner %s (drivers: %s)\n", RUNNER_VERSION, b.buf);
	buf_release(&b);
}

void
usage_print(const struct command_table *t, int ok)
{
	FILE *f = ok ? stdout : stderr;
	size_t i;

	fputs("usage: " GLOBAL_USAGE "\n\ncommands:\n", f);
	for (i = 0; i < t->n; i++) {
		fprintf(f, "  %-17s %s", t->v[i].name, t->v[i].summary);
		if (t->v[i].alias)
			fprintf(f, " (also: %s)", t->v[i].alias);
		fputc('\n', f);
	}
	fputs("\nglobal options, before or after the command:\n", f);
	print_options(f, global_opts);
	fputs("\nEach migrations folder is read in its own layout (runner, "
	    "dbmate, goose,\ngolang-migrate, sqlx, diesel, flyway); several "
	    "are merged by version.\n", f);
	fputs("\nAn option's [$VARIABLE] sets it too, from the environment or "
	    "a .env file\n(--env-file), the environment winning. Run 'runner "
	    "help COMMAND' for a\ncommand's options.\n", f);
}

void
command_usage(const struct command *cmd, int ok)
{
	FILE *f = ok ? stdout : stderr;

	fprintf(f, "usage: runner %s%s%s\n", cmd->name, *cmd->usage ? " " : "",
	    cmd->usage);
	if (!ok)
		return;
	fprintf(f, "\n%s", cmd->summary);
	if (cmd->alias)
		fprintf(f, " (also: runner %s)", cmd->alias);
	fputs("\n", f);
	if (cmd->opts[0].name) {
		fputs("\noptions:\n", f);
		print_options(f, cmd->opts);
	}
	fputs("\nglobal options, before or after the command:\n", f);
	print_options(f, global_opts);
}

int
cli_usage_error(const struct args *a, const char *fmt, const char *arg)
{
	fputs("runner: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	command_usage(a->cmd, 0);
	return EXIT_USAGE;
}
