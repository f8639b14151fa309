/*
 * cli.c: the dispatcher: the table of commands, and cli_run(), which finds
 * the command, parses its arguments, resolves the settings and calls it.
 * What the commands share lives beneath them in cli_*.c (cli_int.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

#define O_YES { "--yes", NULL, "do not ask; needed off a terminal (also -y)", \
	NULL }
#define O_NO_BACKUP { "--no-backup", NULL, "skip the backup taken first", \
	NULL }
#define O_OOO { "--allow-out-of-order", NULL, "apply a pending migration " \
	"older than the newest applied one", NULL }
#define O_BACKUP { "--backup", NULL, "take a backup first if anything is " \
	"pending", NULL }
#define O_ICO { "--ignore-column-order", NULL, "a table whose columns " \
	"differ only in order has not drifted", NULL }
#define O_JSON { "--json", NULL, "on a fleet: one JSON document, a row " \
	"per database", NULL }
#define O_DRY { "--dry-run", NULL, "print the SQL that would run; change " \
	"nothing", NULL }

static const struct command commands[] = {
	{ "status", NULL, cmd_status,
	    "[--exit-code] [--ignore-column-order] [--json] [--no-drift] "
	    "[--quiet]",
	    "show applied, pending, changed and missing migrations, and drift",
	    { { "--exit-code", NULL, "exit 1 if anything is pending, changed, "
	    "missing or failed, or the schema drifted", NULL },
	    O_ICO,
	    { "--json", NULL, "print one JSON document (format 1)", NULL },
	    { "--no-drift", NULL, "skip the schema drift check", NULL },
	    { "--quiet", NULL, "print nothing; implies --exit-code (also -q)",
	    NULL } }, 0, 0, 0 },
	{ "migrate", "up", cmd_migrate,
	    "[--allow-out-of-order] [--backup] [--dry-run] [--json] "
	    "[--single-transaction]",
	    "apply every pending migration",
	    { O_OOO, O_BACKUP, O_DRY, O_JSON, { "--single-transaction", NULL,
	    "apply them all in one transaction: all or nothing", NULL } },
	    0, 0, 0 },
	{ "migrate-to", NULL, cmd_migrate_to,
	    "[--allow-out-of-order] [--backup] [--dry-run] [--json] VERSION",
	    "apply pending migrations up to VERSION",
	    { O_OOO, O_BACKUP, O_DRY, O_JSON }, 1, 1, 0 },
	{ "rollback", "down", cmd_rollback,
	    "[--all] [--json] [--no-backup] [--yes] [VERSION]",
	    "undo the newest migration, every one above VERSION, or --all",
	    { { "--all", NULL, "undo every applied migration (a VERSION "
	    "given instead stays applied)", NULL },
	    O_JSON, O_NO_BACKUP, O_YES }, 0, 1, 0 },
	{ "redo", NULL, cmd_redo, "[--json] [--no-backup] [--yes]",
	    "roll back the newest migration and apply it again",
	    { O_JSON, O_NO_BACKUP, O_YES }, 0, 0, 0 },
	{ "create-migration", "new", cmd_create_migration,
	    "[--description TEXT] [--layout NAME] NAME",
	    "write a new migration in the folder's layout, with the next "
	    "version",
	    { { "--description=", "TEXT", "a comment for the file's first "
	    "line", NULL },
	    { "--layout=", "NAME", "the layout of a new folder: runner, dbmate, "
	    "goose, golang-migrate, sqlx, diesel or flyway", NULL } },
	    1, 1, 1 },
	{ "init", NULL, cmd_init, "",
	    "apply every migration and the seeds to a new database",
	    { { NULL, NULL, NULL, NULL } }, 0, 0, 0 },
	{ "reset", NULL, cmd_reset, "[--no-backup] [--yes]",
	    "drop everything and apply every migration again",
	    { O_NO_BACKUP, O_YES }, 0, 0, 0 },
	{ "repair", NULL, cmd_repair, "[--yes]",
	    "accept edited files' checksums and clear failed migrations",
	    { O_YES }, 0, 0, 0 },
	{ "stamp", NULL, cmd_stamp, "[--yes] VERSION",
	    "record migrations up to VERSION as applied without running them",
	    { O_YES }, 1, 1, 0 },
	{ "adopt", NULL, cmd_adopt, "[--allow-missing] [--yes] [--from TOOL]",
	    "take over the history another tool recorded (dbmate, goose, ...)",
	    { { "--allow-missing", NULL, "record versions that have no file "
	    "as irreversible", NULL }, O_YES, { "--from=", "TOOL",
	    "the tool whose history to take: dbmate, goose, golang-migrate, "
	    "flyway, sqlx or diesel", NULL } }, 0, 0, 0 },
	{ "lint", NULL, cmd_lint, "[--strict] [FILE ...]",
	    "warn about migrations that tend to hurt in production",
	    { { "--strict", NULL, "exit 1 when there are warnings", NULL } },
	    0, 99, 1 },
	{ "show-schema", NULL, cmd_show_schema, "",
	    "print the schema as stable, diffable SQL",
	    { { NULL, NULL, NULL, NULL } }, 0, 0, 0 },
	{ "load", NULL, cmd_load, "FILE",
	    "build a new database from a schema file (--schema-file)",
	    { { NULL, NULL, NULL, NULL } }, 1, 1, 0 },
	{ "verify", NULL, cmd_verify,
	    "[--ignore-column-order] [--json] [--live]",
	    "check that each down undoes its up (--live: and schema drift)",
	    { O_ICO, O_JSON, { "--live", NULL, "also compare the database "
	    "with what its migrations produce", NULL } }, 0, 0, 0 },
	{ "backup", NULL, cmd_backup,
	    "[--force] [--json] [--keep N] [--level 0-9] [--output PATH]",
	    "write a compressed, consistent backup of the database",
	    { { "--force", NULL, "replace an existing --output file", NULL },
	    O_JSON, { "--keep=", "N", "then remove all but the newest N backups",
	    NULL },
	    { "--level=", "0-9", "the gzip level (default 6)", NULL },
	    { "--output=", "PATH", "write the backup exactly there", NULL } },
	    0, 0, 0 },
	{ "backups", NULL, cmd_backups, "", "list the backups of the database",
	    { { NULL, NULL, NULL, NULL } }, 0, 0, 1 },
	{ "restore", NULL, cmd_restore, "[--no-backup] [--yes] FILE",
	    "check a backup, then replace the database with it",
	    { O_NO_BACKUP, O_YES }, 1, 1, 0 },
	{ "embed", NULL, cmd_embed, "[--name NAME] [DIR ...]",
	    "write the migrations as C data for librunner, on stdout",
	    { { "--name=", "NAME", "the array's C name (default "
	    "runner_migrations)", NULL } }, 0, 99, 1 },
	{ "wait", NULL, cmd_wait, "[--timeout SECONDS]",
	    "wait until the database accepts connections",
	    { { "--timeout=", "SECONDS", "give up after this long (default "
	    "60)", NULL } }, 0, 0, 1 },
	{ "version", NULL, cmd_version, "",
	    "print the newest applied version, alone on a line",
	    { { NULL, NULL, NULL, NULL } }, 0, 0, 0 },
	{ "help", NULL, cmd_help, "[COMMAND]", "show usage",
	    { { NULL, NULL, NULL, NULL } }, 0, 1, 1 },
};
static const struct command_table table = {
	commands, sizeof(commands) / sizeof(commands[0])
};

void
cli_usage(int ok)
{
	usage_print(&table, ok);
}

static int
run_command(const struct command *cmd, struct globals *g, struct args *a)
{
	struct cli c;
	int code;

	/* Past a file size limit, fail with EFBIG instead of dying. */
	signal(SIGXFSZ, SIG_IGN);
	code = cli_settings(&c, g);
	if (code == CLI_GO_ON)
		code = cli_fleet(&c, a);
	if (code == CLI_GO_ON && g->wait && !cmd->nodb)
		code = cli_wait(&c, 60);
	if (code == CLI_GO_ON)
		code = cmd->fn(&c, a);
	cli_settings_release(&c);
	return code;
}

int
cli_run(struct globals *g, int argc, char **argv)
{
	const struct command *cmd;
	struct args a;
	int code;

	if (g->version) {
		cli_version();
		return EXIT_OK;
	}
	if (argc == 0) {
		cli_usage(g->help);
		return g->help ? EXIT_OK : EXIT_USAGE;
	}
	cmd = command_find(&table, argv[0]);
	if (cmd == NULL) {
		fprintf(stderr, "runner: unknown command '%s'\n", argv[0]);
		cli_usage(0);
		return EXIT_USAGE;
	}
	code = cli_parse_args(cmd, g, argc, argv, &a);
	a.table = &table;
	if (code == CLI_GO_ON && g->help) {
		command_usage(cmd, 1);
		code = EXIT_OK;
	}
	if (code == CLI_GO_ON)
		code = cli_empty_option(g);
	if (code == CLI_GO_ON)
		code = run_command(cmd, g, &a);
	free(a.pos);
	return code;
}
