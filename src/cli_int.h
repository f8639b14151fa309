/*
 * cli_int.h: the base of the command-line layer, what the dispatcher
 * (cli.c), the command files (cmd_*.c) and the helpers beneath them
 * (cli_*.c) share. The commands call only the helpers and the core, never
 * the dispatcher or each other; the helpers call no command.
 */
#ifndef RUNNER_CLI_INT_H
#define RUNNER_CLI_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "runner.h"

#define RUNNER_VERSION "0.1.0"

/* Exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* the operation failed, or a check found something */
	EXIT_USAGE = 2,	/* bad usage, or a bad .env */
	EXIT_AFTER = 3	/* the change was made, but a step after it failed */
};

#define MAX_FLAGS 8

#define GLOBAL_USAGE "runner [--backup-dir DIR] [--canary N] [--create] " \
	"[--db URL] [--db-list FILE] [--dir DIR] [--env-file FILE] " \
	"[--fail-fast] [-j N] [--lock-timeout SECONDS] [--schema-file FILE] " \
	"[--table NAME] [--wait] [-q] COMMAND [ARGS]"

/*
 * Go on, or stop: every step that may end a command early (parsing its
 * options, asking for confirmation, the backup taken first, resolving
 * the settings, waiting for the database) returns CLI_GO_ON when the
 * command should go on, and otherwise the exit code (EXIT_*, never
 * negative) it should stop with, after printing why. EXIT_OK is a stop
 * too: "nothing to roll back" ends the command successfully.
 */
#define CLI_GO_ON (-1)

struct args;
struct backup_opts;
struct cli;

/* One option, as parsed and as "runner help" describes it. */
struct opt {
	const char *name;	/* "--json"; "--keep=" takes a value */
	const char *arg;	/* the value's name in help: "N" */
	const char *help;
	const char *env;	/* the variable that sets it, or NULL */
};

/* One entry of the command table (cli.c). */
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

/* The table, as the dispatcher hands it to help. */
struct command_table {
	const struct command *v;
	size_t n;
};

/* A command's parsed arguments. */
struct args {
	const struct command *cmd;
	const struct command_table *table;	/* every command */
	char **pos;		/* operands */
	int npos;
	const char *val[MAX_FLAGS];	/* flag i's value, or "" if set */
};

/* What every command gets: settings resolved once. */
struct cli {
	const struct globals *g;
	char *db;		/* --db, $DATABASE_URL, .env, or app.db */
	char *shown;		/* db as shown to users: no password */
	char **dirs;		/* --dir..., $MIGRATIONS_DIR (A:B), .env, or migrations */
	size_t ndirs;
	char *dir;		/* dirs as shown: joined by ':' */
	char *backup_dir;	/* --backup-dir, $BACKUP_DIR, .env, or backups */
	char *table;		/* --table, $RUNNER_TABLE, .env, or the default */
	char *schema_file;	/* --schema-file, $RUNNER_SCHEMA_FILE, .env, or NULL */
	int nocreate;		/* a fleet's, without --create: a missing
				   database is an error, never created */
};

/* cli_options.c: the global options and each command's own. */

struct globals {
	const char *db;		/* the last --db or --url, or NULL */
	const char **dbs;	/* each --db, in order (room for argc) */
	int ndbs;
	const char **lists;	/* each --db-list FILE ("-": stdin) */
	int nlists;
	const char **dirs;	/* each --dir, in order (room for argc) */
	int ndirs;
	const char *backup_dir;	/* --backup-dir, or NULL */
	const char *table;	/* --table, or NULL */
	const char *env_file;	/* --env-file, or NULL for .env */
	const char *schema_file;	/* --schema-file, or NULL */
	int lock_timeout;	/* seconds */
	int quiet;
	int help;
	int version;
	int wait;		/* --wait: until the database answers */
	int jobs;		/* -j N: databases at a time; 0: the cores */
	int canary;		/* --canary N: the first N first */
	int fail_fast;		/* --fail-fast */
	int create;		/* --create: a fleet may create a database */
};

#define GLOBALS_INIT { NULL, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, NULL, \
	NULL, 30, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * If argv[*i] is a global option, takes it (and its value, advancing *i)
 * into g and returns 1; 0 when it is not one; -1 after printing why its
 * value is bad. (A match, not a step: see CLI_GO_ON.)
 */
int globals_option(struct globals *g, int argc, char **argv, int *i);

/*
 * Takes argv[1..argc) as cmd's operands and flags into a (release
 * a->pos with free); an option that is not the command's may be a
 * global one, into g. CLI_GO_ON, or EXIT_USAGE after saying why.
 */
int cli_parse_args(const struct command *cmd, struct globals *g, int argc,
    char **argv, struct args *a);
/* Whether flag name was given; its value in *val (may be NULL). */
int arg_flag(const struct args *a, const char *name, const char **val);
/*
 * Flag name's number into *out when it was given (else *out stays):
 * CLI_GO_ON, or EXIT_USAGE when it is not a number in [lo, hi].
 */
int number_flag(const struct args *a, const char *name, int lo, int hi,
    int *out);

/* cli_usage.c: usage and help texts, all from the tables. */

/* The global options, ended by a NULL name. */
extern const struct opt global_opts[];
/* One line per option: name, value, what it does, its variable. */
void print_options(FILE *f, const struct opt *o);

/* "runner -V": the version and the drivers built in. */
void cli_version(void);
/* The command named name (or aliased), or NULL. */
const struct command *command_find(const struct command_table *t,
    const char *name);
/* The main usage to stdout (ok) or stderr (!ok). */
void usage_print(const struct command_table *t, int ok);
/* A command's usage line; with ok, to stdout and with every option. */
void command_usage(const struct command *cmd, int ok);
/*
 * Prints "runner: " fmt (with one %s for arg) and the command's usage line
 * to stderr; returns EXIT_USAGE.
 */
int cli_usage_error(const struct args *a, const char *fmt, const char *arg);

/* cli_settings.c: the settings every command gets. */

/*
 * Resolves every setting of c from g, the environment and .env:
 * CLI_GO_ON, or an exit code after saying which is bad. Release with
 * cli_settings_release (also after a failure).
 */
int cli_settings(struct cli *c, const struct globals *g);
void cli_settings_release(struct cli *c);
/* A global option given empty (--db ''): EXIT_USAGE after saying which. */
int cli_empty_option(const struct globals *g);

/* cli_print.c: what commands print, and errors mapped to exit codes. */

/*
 * Prints each line of err as "runner: line", releases err, and maps code
 * to an exit code.
 */
int cli_fail(struct buf *err, int code);
void cli_warnings(const struct migset *files);
/* Each line of notes as "runner: line" on stderr, unless -q. */
void cli_notes(const struct cli *c, const struct buf *notes);
void print_ms(FILE *f, double ms);
/* s[0, len) as a JSON string, quoted, into b. */
void cli_json_strn(struct buf *b, const char *s, size_t len);
/* s as a JSON string, or null for NULL. */
void cli_json_str(struct buf *b, const char *s);
/* "812 bytes", "3.2 KiB", "1.1 GiB" into out, which it returns. */
const char *size_text(char *out, size_t len, uint64_t n);
void print_size(FILE *f, uint64_t n);
/* "N migrations VERB in T." unless -q. */
void cli_summary(const struct cli *c, size_t n, const char *verb, double ms);
/* The events of migrate, rollback and friends, printed. */
void cli_on_event(void *arg, const struct runner_event *ev);
/*
 * Prints drift's section of status or verify --live: the differences, or
 * why drift was not checked; "no drift" only when always.
 */
void cli_print_drift(const struct drift *d, int always);

/* cli_signal.c: SIGINT and SIGTERM, which stop a command safely. */

/* Set by SIGINT or SIGTERM once catch_signals() ran. */
extern volatile sig_atomic_t cli_stopped;
void catch_signals(void);
/* SIGINT and SIGTERM stop r too (NULL: none). */
void cli_watch_runner(struct runner *r);
/*
 * SIGINT and SIGTERM interrupt s too (NULL: none), such as a wait for
 * its lock.
 */
void cli_watch(struct store *s);

/* cli_db.c: the database and migrations a command works on. */

/*
 * Opens the database and reads the migrations directory into r. With
 * nocreate, a missing database leaves r->store NULL (if missing_ok) or
 * fails. Release with cli_close. 0 or a negative RUNNER_E* code.
 */
int cli_open(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err);
/* cli_open in two steps: the migrations (cli_open_files), then the database. */
int cli_open_files(struct cli *c, struct runner *r, struct buf *err);
int cli_open_db(struct cli *c, struct runner *r, unsigned flags,
    int missing_ok, struct buf *err);
/*
 * cli_open on a database that exists, then its history read: CLI_GO_ON
 * with r open, or an exit code after saying why (r closed, err released).
 */
int cli_open_loaded(struct cli *c, struct runner *r, struct buf *err);
void cli_close(struct runner *r);
/* Closes r and releases err; the exit code for ret (0 or RUNNER_E*). */
int cli_finish(struct runner *r, struct buf *err, int ret);
/*
 * After a command that changed the database: rewrites --schema-file, if
 * one is set; code is the command's exit code, returned unless writing
 * failed.
 */
int cli_schema_file(struct cli *c, int code);
/*
 * Waits up to timeout seconds until the database accepts connections:
 * CLI_GO_ON, or an exit code after saying why not.
 */
int cli_wait(struct cli *c, int timeout);

/* cli_fleet.c: one command over many databases (a fleet). */

/*
 * When the options name a fleet (--db given twice or as a glob,
 * --db-list, DATABASE_URLS, -j, --canary, --fail-fast, or --json on a
 * command whose single run has none), runs a's command on each database
 * and returns the fleet's exit code; otherwise CLI_GO_ON: the command
 * runs on c->db alone.
 */
int cli_fleet(struct cli *c, struct args *a);
/*
 * In a fleet's child, what the command did, for the parent's report (no
 * effect elsewhere): an event (enum runner_event_type), the RUNNER_E*
 * code of an error, and status's findings.
 */
void fleet_event(int type);
void fleet_error(int code);
void fleet_status(const struct plan *p, const struct drift *d);

/* cli_confirm.c: the questions destructive commands ask. */

/*
 * Destructive commands ask question on a terminal and need --yes
 * otherwise: CLI_GO_ON, or an exit code.
 */
int cli_confirm(const struct args *a, const char *question);
/*
 * Lists what a rollback to target would undo and asks: CLI_GO_ON, or an
 * exit code (EXIT_OK when there is nothing to undo).
 */
int cli_confirm_rollback(struct cli *c, struct args *a, struct runner *r,
    const char *target, int all, struct buf *err);

/* cli_backup.c: backups as commands take them. */

/*
 * Writes a backup as o says (url, folder and lock timeout from c), with
 * progress on a terminal; with missing_ok, a database that does not
 * exist is nothing to back up. An exit code.
 */
int cli_backup(struct cli *c, struct backup_opts *o, int missing_ok);
/*
 * Before a destructive command: a backup of the database unless --no-backup
 * (or, with want_flag, only when --backup was given). CLI_GO_ON (also
 * when there is no database to back up), else an exit code.
 */
int cli_backup_first(struct cli *c, struct args *a, const char *want_flag);

/* The commands, one file each (cmd_migrate.c holds migrate-to too). */
int cmd_status(struct cli *c, struct args *a);
int cmd_migrate(struct cli *c, struct args *a);
int cmd_migrate_to(struct cli *c, struct args *a);
int cmd_rollback(struct cli *c, struct args *a);
int cmd_redo(struct cli *c, struct args *a);
int cmd_create_migration(struct cli *c, struct args *a);
int cmd_init(struct cli *c, struct args *a);
int cmd_reset(struct cli *c, struct args *a);
int cmd_repair(struct cli *c, struct args *a);
int cmd_stamp(struct cli *c, struct args *a);
int cmd_adopt(struct cli *c, struct args *a);
int cmd_lint(struct cli *c, struct args *a);
int cmd_show_schema(struct cli *c, struct args *a);
int cmd_load(struct cli *c, struct args *a);
int cmd_embed(struct cli *c, struct args *a);
int cmd_verify(struct cli *c, struct args *a);
int cmd_backup(struct cli *c, struct args *a);
int cmd_backups(struct cli *c, struct args *a);
int cmd_restore(struct cli *c, struct args *a);
int cmd_wait(struct cli *c, struct args *a);
int cmd_version(struct cli *c, struct args *a);
int cmd_help(struct cli *c, struct args *a);

#endif
