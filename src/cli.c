/*
 * cli.c: the table of commands and one thin cmd_<name>() each: parse the
 * arguments, call the core, turn the result into output and an exit code.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "cli_int.h"
#include "config.h"
#include "error.h"
#include "banned.h"

struct command {
	const char *name;
	const char *alias;	/* a second name, or NULL */
	int (*fn)(struct cli *c, struct args *a);
	const char *usage;
	const char *summary;
	struct opt opts[MAX_FLAGS];
	int minpos, maxpos;
	int nodb;		/* never opens the database: --wait does not wait */
};

static int cmd_migrate(struct cli *, struct args *);
static int cmd_migrate_to(struct cli *, struct args *);
static int cmd_rollback(struct cli *, struct args *);
static int cmd_create(struct cli *, struct args *);
static int cmd_init(struct cli *, struct args *);
static int cmd_reset(struct cli *, struct args *);
static int cmd_repair(struct cli *, struct args *);
static int cmd_show_schema(struct cli *, struct args *);
static int cmd_help(struct cli *, struct args *);

#define O_YES { "--yes", NULL, "do not ask (needed off a terminal)", NULL }
#define O_NO_BACKUP { "--no-backup", NULL, "skip the backup taken first", \
	NULL }
#define O_OOO { "--allow-out-of-order", NULL, "apply a pending migration " \
	"older than the newest applied one", NULL }
#define O_BACKUP { "--backup", NULL, "take a backup first if anything is " \
	"pending", NULL }
#define O_ICO { "--ignore-column-order", NULL, "a table whose columns " \
	"differ only in order has not drifted", NULL }
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
	    "[--allow-out-of-order] [--backup] [--dry-run] "
	    "[--single-transaction]",
	    "apply every pending migration",
	    { O_OOO, O_BACKUP, O_DRY, { "--single-transaction", NULL,
	    "apply them all in one transaction: all or nothing", NULL } },
	    0, 0, 0 },
	{ "migrate-to", NULL, cmd_migrate_to,
	    "[--allow-out-of-order] [--backup] [--dry-run] VERSION",
	    "apply pending migrations up to VERSION",
	    { O_OOO, O_BACKUP, O_DRY }, 1, 1, 0 },
	{ "rollback", "down", cmd_rollback,
	    "[--all] [--no-backup] [--yes] [VERSION]",
	    "undo the newest migration, every one above VERSION, or --all",
	    { { "--all", NULL, "undo every applied migration (a VERSION "
	    "given instead stays applied)", NULL },
	    O_NO_BACKUP, O_YES }, 0, 1, 0 },
	{ "redo", NULL, cmd_redo, "[--no-backup] [--yes]",
	    "roll back the newest migration and apply it again",
	    { O_NO_BACKUP, O_YES }, 0, 0, 0 },
	{ "create-migration", "new", cmd_create,
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
	{ "verify", NULL, cmd_verify, "[--ignore-column-order] [--live]",
	    "check that each down undoes its up (--live: and schema drift)",
	    { O_ICO, { "--live", NULL, "also compare the database with what "
	    "its migrations produce", NULL } }, 0, 0, 0 },
	{ "backup", NULL, cmd_backup,
	    "[--force] [--keep N] [--level 0-9] [--output PATH]",
	    "write a compressed, consistent backup of the database",
	    { { "--force", NULL, "replace an existing --output file", NULL },
	    { "--keep=", "N", "then remove all but the newest N backups",
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
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0 || (commands[i].alias &&
		    strcmp(commands[i].alias, name) == 0))
			return &commands[i];
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
cli_usage(int ok)
{
	FILE *f = ok ? stdout : stderr;
	size_t i;

	fputs("usage: " GLOBAL_USAGE "\n\ncommands:\n", f);
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %-17s %s", commands[i].name,
		    commands[i].summary);
		if (commands[i].alias)
			fprintf(f, " (also: %s)", commands[i].alias);
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

static void
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

static int
usage_error(const struct command *cmd, const char *fmt, const char *arg)
{
	fputs("runner: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	command_usage(cmd, 0);
	return EXIT_USAGE;
}

int
cli_usage_error(const struct args *a, const char *fmt, const char *arg)
{
	return usage_error(a->cmd, fmt, arg);
}

int
arg_flag(const struct args *a, const char *name, const char **val)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < MAX_FLAGS && a->cmd->opts[i].name; i++)
		if (strncmp(a->cmd->opts[i].name, name, n) == 0 &&
		    (a->cmd->opts[i].name[n] == '\0' ||
		    a->cmd->opts[i].name[n] == '=') && a->val[i]) {
			if (val)
				*val = a->val[i];
			return 1;
		}
	return 0;
}

/* Matches arg against the command's flags; -1 when unknown. */
static int
match_flag(const struct command *cmd, const char *arg, const char **inline_val)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	int i;

	if (strcmp(arg, "-y") == 0)
		arg = "--yes", n = 5;
	else if (strcmp(arg, "-q") == 0 && strcmp(cmd->name, "status") == 0)
		arg = "--quiet", n = 7;
	for (i = 0; i < MAX_FLAGS && cmd->opts[i].name; i++) {
		if (strncmp(cmd->opts[i].name, arg, n) != 0)
			continue;
		if (cmd->opts[i].name[n] == '\0' && eq == NULL)
			return i;
		if (cmd->opts[i].name[n] == '=') {
			*inline_val = eq ? eq + 1 : NULL;
			return i;
		}
	}
	return -1;
}

/*
 * Returns -1 to go on, else an exit code (a usage error). An option that
 * is not the command's may be a global one; a command option's value is
 * never taken for one.
 */
static int
parse_args(const struct command *cmd, struct globals *g, int argc,
    char **argv, struct args *a)
{
	const char *v;
	int i, f, gl, ended = 0;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->pos = xcalloc((size_t)argc + 1, sizeof(*a->pos));
	for (i = 1; i < argc; i++) {
		if (ended || argv[i][0] != '-' || argv[i][1] == '\0') {
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			ended = 1;
			continue;
		}
		v = NULL;
		f = match_flag(cmd, argv[i], &v);
		if (f < 0 && (gl = globals_option(g, argc, argv, &i)) != 0) {
			if (gl < 0)
				return EXIT_USAGE;
			continue;
		}
		if (f < 0)
			return usage_error(cmd, "unknown option '%s'", argv[i]);
		if (strchr(cmd->opts[f].name, '=') && v == NULL) {
			if (i + 1 >= argc)
				return usage_error(cmd, "option '%s' needs a "
				    "value", argv[i]);
			v = argv[++i];
		}
		a->val[f] = v ? v : "";
	}
	if (g->help)
		return -1;
	if (a->npos < cmd->minpos)
		return usage_error(cmd, "'%s' needs an argument", cmd->name);
	if (a->npos > cmd->maxpos)
		return usage_error(cmd, "unexpected argument '%s'",
		    a->pos[cmd->maxpos]);
	return -1;
}

int
cli_fail(struct buf *err, int code)
{
	const char *p, *nl;

	if (err->len == 0)
		buf_adds(err, "failed");
	for (p = err->buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(stderr, "runner: %.*s\n", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
	buf_release(err);
	if (code == RUNNER_EAFTER)
		return EXIT_AFTER;
	return code == RUNNER_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}

void
cli_warnings(const struct migset *files)
{
	const char *p = files->warnings.buf, *nl;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "runner: warning: %.*s\n", (int)(nl - p), p);
}

void
print_ms(FILE *f, double ms)
{
	if (ms >= 1000)
		fprintf(f, "%.2f s", ms / 1000);
	else
		fprintf(f, "%.1f ms", ms);
}

/* Prints a section's SQL without its leading and trailing blank lines. */
static void
print_sql(const char *text, size_t len)
{
	while (len && (*text == '\n' || *text == ' ' || *text == '\t'))
		text++, len--;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t'))
		len--;
	printf("%.*s\n", (int)len, text);
}

void
cli_on_event(void *arg, const struct runner_event *ev)
{
	const struct cli *c = arg;

	if (ev->type == EV_WARNING) {
		fprintf(stderr, "runner: warning: %s: %s\n", ev->path, ev->text);
		return;
	}
	if (c->g->quiet)
		return;
	switch (ev->type) {
	case EV_APPLIED:
	case EV_ROLLED_BACK:
		printf("%s %s: %s (", ev->type == EV_APPLIED ? "Applied" :
		    "Rolled back", ev->version, ev->name);
		print_ms(stdout, ev->ms);
		puts(")");
		break;
	case EV_DRYRUN:
		printf("-- %s", ev->path);
		if (section_options_text(ev->flags))
			printf(" (%s)", section_options_text(ev->flags));
		putchar('\n');
		print_sql(ev->text, ev->len);
		putchar('\n');
		break;
	case EV_SEEDED:
		printf("Seeded %s\n", ev->path);
		break;
	case EV_REPAIRED:
		printf("Repaired %.*s\n", (int)ev->len, ev->text);
		break;
	case EV_STAMPED:
		printf("Stamped %s: %s\n", ev->version, ev->name);
		break;
	case EV_ADOPTED:
		printf("Adopted %s: %s", ev->version, ev->name);
		if (ev->text)
			printf(" (applied %s)", ev->text);
		if (ev->path == NULL)
			printf(" (no file: recorded as irreversible)");
		putchar('\n');
		break;
	default:	/* EV_WARNING; verify's events in cmd_verify.c */
		break;
	}
	fflush(stdout);
}

/* The runner a SIGINT or SIGTERM stops. */
static struct runner *volatile active;
static struct store *volatile active_store;
volatile sig_atomic_t cli_stopped;

static void
on_signal(int sig)
{
	(void)sig;
	cli_stopped = 1;
	if (active)
		runner_stop(active);
	if (active_store)
		active_store->ops->interrupt(active_store);
}

void
cli_watch(struct store *s)
{
	active_store = s;
	catch_signals();
	/* A signal that came before: as if it came now. */
	if (s && cli_stopped)
		s->ops->interrupt(s);
}

/* A second signal kills at once: the database's journal keeps it safe. */
void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Reads the migrations; a bad file is reported before any database is touched. */
static int
open_files(struct cli *c, struct runner *r, struct buf *err)
{
	int ret;

	ret = runner_init(r, c->dirs, c->ndirs, err);
	r->emit = cli_on_event;
	r->arg = c;
	cli_warnings(&r->files);
	if (ret < 0) {
		cli_close(r);
		return RUNNER_EFAIL;
	}
	return 0;
}

/* Opens the database for r, whose files are read; closes r on failure. */
static int
open_db(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err)
{
	int ret;

	ret = store_open(c->db, flags, c->g->lock_timeout, &r->store, err);
	r->url = c->db;
	r->lock_timeout = c->g->lock_timeout;
	if (ret == 0)
		ret = store_set_table(r->store, c->table, err);
	if (ret == RUNNER_ENOENT && missing_ok) {
		buf_reset(err);
		ret = 0;
	}
	if (ret < 0) {
		cli_close(r);
		return ret == RUNNER_ENOENT ? RUNNER_EFAIL : ret;
	}
	active = r;
	catch_signals();
	return 0;
}

int
cli_open(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err)
{
	int ret = open_files(c, r, err);

	return ret < 0 ? ret : open_db(c, r, flags, missing_ok, err);
}

void
cli_close(struct runner *r)
{
	struct store *s = r->store;

	active = NULL;
	runner_release(r);
	store_close(s);
	r->store = NULL;
}

int
cli_confirm(const struct args *a, const char *question)
{
	char line[64];

	if (arg_flag(a, "--yes", NULL))
		return -1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "runner: '%s' is destructive: confirm with "
		    "--yes (standard input is not a terminal)\n", a->cmd->name);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) &&
	    (strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0))
		return -1;
	fprintf(stderr, "runner: %s cancelled; nothing was changed\n",
	    a->cmd->name);
	return EXIT_FAIL;
}

static int
finish(struct runner *r, struct buf *err, int ret)
{
	int code = ret < 0 ? cli_fail(err, ret) : EXIT_OK;

	cli_close(r);
	buf_release(err);
	return code;
}

static void
summary(const struct cli *c, size_t n, const char *verb, double ms)
{
	if (c->g->quiet)
		return;
	printf("%zu migration%s %s in ", n, n == 1 ? "" : "s", verb);
	print_ms(stdout, ms);
	puts(".");
}

/* migrate --backup: a backup when something is pending; see do_migrate. */
static int
backup_if_pending(struct cli *c, struct args *a, struct runner *r,
    struct buf *err)
{
	int ret, code;

	ret = runner_load(r, err);
	if (ret < 0 || r->plan.count[ENTRY_PENDING] == 0)
		return ret;
	code = cli_backup_first(c, a, "--backup");
	return code < 0 ? 0 : code;
}

static int
do_migrate(struct cli *c, struct args *a, const char *target)
{
	struct migrate_opts o = { target, 0, 0, 0 };
	struct buf err = BUF_INIT;
	struct runner r;
	double t0 = clock_ms();
	int ret;

	o.dry_run = arg_flag(a, "--dry-run", NULL);
	o.single_tx = arg_flag(a, "--single-transaction", NULL);
	o.allow_ooo = arg_flag(a, "--allow-out-of-order", NULL);
	ret = cli_open(c, &r, o.dry_run ? STORE_NOCREATE : 0, 1, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	if (!o.dry_run && arg_flag(a, "--backup", NULL) &&
	    (ret = backup_if_pending(c, a, &r, &err)) != 0) {
		if (ret < 0)
			return finish(&r, &err, ret);
		cli_close(&r);
		return ret;
	}
	ret = runner_migrate(&r, &o, &err);
	if (ret == 0 && o.dry_run && !c->g->quiet)
		printf("-- dry run: %zu migration%s would be applied; nothing "
		    "was changed\n", r.done, r.done == 1 ? "" : "s");
	else if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Database is up to date: nothing to migrate.");
	else if (ret == 0)
		summary(c, r.done, "applied", clock_ms() - t0);
	ret = finish(&r, &err, ret);
	return o.dry_run ? ret : cli_schema_file(c, ret);
}

static int
cmd_migrate(struct cli *c, struct args *a)
{
	return do_migrate(c, a, NULL);
}

static int
cmd_migrate_to(struct cli *c, struct args *a)
{
	if (!version_valid(a->pos[0]))
		return usage_error(a->cmd, "'%s' is not a version (digits, "
		    "such as 003, or 1.2)", a->pos[0]);
	return do_migrate(c, a, a->pos[0]);
}

int
cli_confirm_rollback(struct cli *c, struct args *a, struct runner *r,
    const char *target, int all, struct buf *err)
{
	const struct plan_entry **v = xcalloc(r->plan.n + 1, sizeof(*v));
	struct buf q = BUF_INIT;
	size_t i, n;
	int code = -1;

	if (plan_rollback(&r->plan, target, all, v, &n, err) < 0)
		code = cli_fail(err, RUNNER_EFAIL);
	else if (n == 0) {
		if (!c->g->quiet && target)
			printf("Nothing to roll back: no applied migration is "
			    "above %s.\n", target);
		else if (!c->g->quiet)
			puts("Nothing to roll back: no migration is applied.");
		code = EXIT_OK;
	} else {
		buf_addf(&q, "Roll back %zu migration%s on '%s' (", n,
		    n == 1 ? "" : "s", c->shown);
		for (i = 0; i < n; i++)
			buf_addf(&q, "%s%s %s", i ? ", " : "",
			    v[i]->row->version, v[i]->row->name);
		buf_adds(&q, ")? Their down sections may delete data.");
		code = cli_confirm(a, q.buf);
	}
	buf_release(&q);
	free(v);
	return code;
}

static int
cmd_rollback(struct cli *c, struct args *a)
{
	const char *target = a->npos ? a->pos[0] : NULL;
	int all = arg_flag(a, "--all", NULL), ret, code;
	struct buf err = BUF_INIT;
	struct runner r;
	double t0;

	if (target && !version_valid(target))
		return usage_error(a->cmd, "'%s' is not a version (digits, such "
		    "as 003, or 1.2)", target);
	if (target && all)
		return usage_error(a->cmd, "--all and a VERSION ('%s') do not "
		    "go together", target);
	ret = cli_open(c, &r, STORE_NOCREATE, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	ret = runner_load(&r, &err);
	if (ret < 0)
		return finish(&r, &err, ret);
	code = cli_confirm_rollback(c, a, &r, target, all, &err);
	if (code < 0)
		code = cli_backup_first(c, a, NULL);
	if (code >= 0) {
		cli_close(&r);
		buf_release(&err);
		return code;
	}
	t0 = clock_ms();
	ret = runner_rollback(&r, target, all, &err);
	if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Nothing to roll back.");
	else if (ret == 0)
		summary(c, r.done, "rolled back", clock_ms() - t0);
	return cli_schema_file(c, finish(&r, &err, ret));
}

static int
cmd_create(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	const char *desc = NULL, *layout = NULL;
	char **paths = NULL;
	size_t i, n = 0;
	int ret, l = LAYOUT_NONE;

	arg_flag(a, "--description", &desc);
	if (arg_flag(a, "--layout", &layout) &&
	    (l = layout_from_name(layout)) < 0)
		return usage_error(a->cmd, "unknown layout '%s' (runner, dbmate, "
		    "goose, golang-migrate, sqlx, diesel, flyway)", layout);
	ret = runner_create(c->dirs, c->ndirs, a->pos[0], desc,
	    (enum layout)l, &paths, &n, &err);
	if (ret < 0) {
		ret = cli_fail(&err, ret);
		buf_release(&err);
		return ret;
	}
	for (i = 0; i < n; i++)
		puts(paths[i]);
	paths_free(paths, n);
	return EXIT_OK;
}

static int
cmd_init(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct runner r;
	double t0 = clock_ms();
	int ret;

	(void)a;
	ret = cli_open(c, &r, 0, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	ret = runner_setup(&r, &err);
	if (ret == 0)
		summary(c, r.done, "applied", clock_ms() - t0);
	else
		store_discard_created(r.store);
	return finish(&r, &err, ret);
}

static int
cmd_reset(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT, q = BUF_INIT;
	struct runner r;
	double t0;
	int ret, code;

	ret = open_files(c, &r, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	buf_addf(&q, "Drop every table, view, index and trigger in '%s' and "
	    "apply all %zu migrations again? All data will be lost.", c->shown,
	    r.files.n);
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	if (code < 0)
		code = cli_backup_first(c, a, NULL);
	if (code >= 0) {
		cli_close(&r);
		return code;
	}
	ret = open_db(c, &r, 0, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	t0 = clock_ms();
	ret = runner_reset(&r, &err);
	if (ret == 0)
		summary(c, r.done, "applied", clock_ms() - t0);
	return finish(&r, &err, ret);
}

/* Lists the records repair would change and asks; -1 to go on. */
static int
confirm_repair(struct cli *c, struct args *a, const struct runner *r)
{
	const struct plan_entry *e;
	struct buf q = BUF_INIT;
	size_t i, n = 0;
	int code;

	buf_addf(&q, "Repair the records of %zu migration%s on '%s' (",
	    r->plan.count[ENTRY_CHANGED] + r->plan.count[ENTRY_FAILED],
	    r->plan.count[ENTRY_CHANGED] + r->plan.count[ENTRY_FAILED] == 1 ?
	    "" : "s", c->shown);
	for (i = 0; i < r->plan.n; i++) {
		e = &r->plan.v[i];
		if (e->state == ENTRY_CHANGED || e->state == ENTRY_FAILED)
			buf_addf(&q, "%s%s %s: %s", n++ ? ", " : "",
			    e->row->version, e->row->name, e->state ==
			    ENTRY_CHANGED ? "changed" : e->row->state);
	}
	buf_adds(&q, ")? Review the files and the database first.");
	code = cli_confirm(a, q.buf);
	buf_release(&q);
	return code;
}

static int
cmd_repair(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct runner r;
	int ret, code;

	ret = cli_open(c, &r, STORE_NOCREATE, 0, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	ret = runner_load(&r, &err);
	if (ret < 0)
		return finish(&r, &err, ret);
	if (r.plan.count[ENTRY_CHANGED] + r.plan.count[ENTRY_FAILED] == 0) {
		if (!c->g->quiet)
			puts("Nothing to repair.");
		return finish(&r, &err, 0);
	}
	code = confirm_repair(c, a, &r);
	if (code >= 0) {
		cli_close(&r);
		return code;
	}
	ret = runner_repair(&r, &err);
	if (ret == 0 && r.done == 0 && !c->g->quiet)
		puts("Nothing to repair.");
	return finish(&r, &err, ret);
}

static int
cmd_show_schema(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct store *s = NULL;
	int ret;

	(void)a;
	ret = store_open(c->db, STORE_NOCREATE, c->g->lock_timeout, &s, &err);
	if (ret == 0)
		ret = s->ops->schema(s, &out, &err);
	if (ret == 0)
		fwrite(out.buf, 1, out.len, stdout);
	store_close(s);
	buf_release(&out);
	ret = ret < 0 ? cli_fail(&err, ret) : EXIT_OK;
	buf_release(&err);
	return ret;
}

static int
cmd_help(struct cli *c, struct args *a)
{
	const struct command *cmd;

	(void)c;
	if (a->npos == 0) {
		cli_usage(1);
		return EXIT_OK;
	}
	cmd = find_command(a->pos[0]);
	if (cmd == NULL) {
		fprintf(stderr, "runner: unknown command '%s'\n", a->pos[0]);
		cli_usage(0);
		return EXIT_USAGE;
	}
	command_usage(cmd, 1);
	return EXIT_OK;
}

/* A setting: the option, else the variable (environment, .env). */
static int
setting(const struct globals *g, const char *given, const char *key,
    const char *fallback, char **out)
{
	struct buf err = BUF_INIT;
	int ret;

	*out = NULL;
	if (given) {
		*out = xstrdup(given);
		return 0;
	}
	ret = config_get(g->env_file ? g->env_file : ".env",
	    g->env_file != NULL, key, out, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	if (*out == NULL && fallback)
		*out = xstrdup(fallback);
	return 0;
}

/*
 * The migrations folders: each --dir, else $MIGRATIONS_DIR (environment,
 * .env), whose folders ':' separates, else migrations; c->dir shows them
 * joined. 0, or an exit code.
 */
static int
resolve_dirs(const struct globals *g, struct cli *c)
{
	struct buf shown = BUF_INIT;
	char *v = NULL, *p, *sep;
	size_t i;
	int code = 0;

	c->dirs = xcalloc((size_t)g->ndirs + 2, sizeof(*c->dirs));
	for (i = 0; i < (size_t)g->ndirs; i++)
		c->dirs[c->ndirs++] = xstrdup(g->dirs[i]);
	if (g->ndirs == 0 &&
	    (code = setting(g, NULL, "MIGRATIONS_DIR", "migrations", &v)) != 0)
		return code;
	for (p = v; p; p = sep ? sep + 1 : NULL) {
		sep = strchr(p, ':');
		if (sep == p || *p == '\0') {
			fprintf(stderr, "runner: MIGRATIONS_DIR '%s' names an "
			    "empty folder (folders are separated by ':')\n", v);
			free(v);
			return EXIT_USAGE;
		}
		c->dirs = xreallocarray(c->dirs, c->ndirs + 2, sizeof(*c->dirs));
		c->dirs[c->ndirs++] = sep ? xstrndup(p, (size_t)(sep - p)) :
		    xstrdup(p);
	}
	free(v);
	for (i = 0; i < c->ndirs; i++)
		buf_addf(&shown, "%s%s", i ? ":" : "", c->dirs[i]);
	c->dir = buf_detach(&shown, NULL);
	return 0;
}

static void
settings_release(struct cli *c)
{
	free(c->shown);
	free(c->db);
	paths_free(c->dirs, c->ndirs);
	free(c->dir);
	free(c->backup_dir);
	free(c->table);
	free(c->schema_file);
}

/* Every setting resolved once; an exit code when one is bad. */
static int
settings(struct cli *c, struct globals *g)
{
	int code;

	memset(c, 0, sizeof(*c));
	c->g = g;
	if ((code = setting(g, g->db, "DATABASE_URL", "app.db", &c->db)) ||
	    (code = resolve_dirs(g, c)) ||
	    (code = setting(g, g->backup_dir, "BACKUP_DIR", BACKUP_DIR_DEFAULT,
	    &c->backup_dir)) ||
	    (code = setting(g, g->table, "RUNNER_TABLE", TRACKING_TABLE,
	    &c->table)) ||
	    (code = setting(g, g->schema_file, "RUNNER_SCHEMA_FILE", NULL,
	    &c->schema_file)))
		return code;
	c->shown = store_display_url(c->db);
	if (!tracking_name_valid(c->table)) {
		fprintf(stderr, "runner: '%s' cannot name the tracking table "
		    "(--table, RUNNER_TABLE: letters, digits and '_', not "
		    "starting with a digit, at most %d)\n", c->table,
		    TRACKING_NAME_MAX);
		return EXIT_USAGE;
	}
	return 0;
}

/* Whether a global option was given empty (--db ''): which, printed. */
static int
empty_option(const struct globals *g)
{
	const char *name = g->db && !*g->db ? "--db" : NULL;
	int i;

	for (i = 0; name == NULL && i < g->ndirs; i++)
		if (!*g->dirs[i])
			name = "--dir";
	if (name == NULL)
		name = g->backup_dir && !*g->backup_dir ? "--backup-dir" :
		    g->table && !*g->table ? "--table" : g->env_file &&
		    !*g->env_file ? "--env-file" : g->schema_file &&
		    !*g->schema_file ? "--schema-file" : NULL;
	if (name == NULL)
		return -1;
	fprintf(stderr, "runner: %s must not be empty\n", name);
	return EXIT_USAGE;
}

static int
run_command(const struct command *cmd, struct globals *g, struct args *a)
{
	struct cli c;
	int code;

	/* Past a file size limit, fail with EFBIG instead of dying. */
	signal(SIGXFSZ, SIG_IGN);
	code = settings(&c, g);
	if (code == 0 && g->wait && !cmd->nodb)
		code = cli_wait(&c, 60);
	if (code == 0)
		code = cmd->fn(&c, a);
	settings_release(&c);
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
	cmd = find_command(argv[0]);
	if (cmd == NULL) {
		fprintf(stderr, "runner: unknown command '%s'\n", argv[0]);
		cli_usage(0);
		return EXIT_USAGE;
	}
	code = parse_args(cmd, g, argc, argv, &a);
	if (code < 0 && g->help) {
		command_usage(cmd, 1);
		code = EXIT_OK;
	}
	if (code < 0)
		code = empty_option(g);
	if (code < 0)
		code = run_command(cmd, g, &a);
	free(a.pos);
	return code;
}
