/* cli_int.h: what the command files share with cli.c. */
#ifndef RUNNER_CLI_INT_H
#define RUNNER_CLI_INT_H

#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "runner.h"

#define MAX_FLAGS 8

#define GLOBAL_USAGE "runner [--backup-dir DIR] [--db URL] [--dir DIR] " \
	"[--env-file FILE] [--lock-timeout SECONDS] [--schema-file FILE] " \
	"[--table NAME] [--wait] [-q] COMMAND [ARGS]"

struct command;

/* One option, as parsed and as "runner help" describes it. */
struct opt {
	const char *name;	/* "--json"; "--keep=" takes a value */
	const char *arg;	/* the value's name in help: "N" */
	const char *help;
	const char *env;	/* the variable that sets it, or NULL */
};

/* The global options (cli_options.c), ended by a NULL name. */
extern const struct opt global_opts[];
/* One line per option: name, value, what it does, its variable. */
void print_options(FILE *f, const struct opt *o);

/* A command's parsed arguments. */
struct args {
	const struct command *cmd;
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
};

/* Set by SIGINT or SIGTERM once catch_signals() ran. */
extern volatile sig_atomic_t cli_stopped;
void catch_signals(void);
/* SIGINT and SIGTERM interrupt s too (NULL: none). */
void cli_watch(struct store *s);
void print_ms(FILE *f, double ms);

/*
 * Before a destructive command: a backup of the database unless --no-backup
 * (or, with want_flag, only when --backup was given). -1 to go on (also
 * when there is no database to back up), else an exit code.
 */
int cli_backup_first(struct cli *c, struct args *a, const char *want_flag);

/*
 * Prints "runner: " fmt (with one %s for arg) and the command's usage line
 * to stderr; returns EXIT_USAGE.
 */
int cli_usage_error(const struct args *a, const char *fmt, const char *arg);

/* Whether flag name was given; its value in *val (may be NULL). */
int arg_flag(const struct args *a, const char *name, const char **val);

/*
 * Prints each line of err as "runner: line", releases err, and maps code
 * to an exit code.
 */
int cli_fail(struct buf *err, int code);
void cli_warnings(const struct migset *files);

/*
 * Opens the database and reads the migrations directory into r. With
 * nocreate, a missing database leaves r->store NULL (if missing_ok) or
 * fails. Release with cli_close.
 */
int cli_open(struct cli *c, struct runner *r, unsigned flags, int missing_ok,
    struct buf *err);
void cli_close(struct runner *r);

/*
 * Prints drift's section of status or verify --live: the differences, or
 * why drift was not checked; "no drift" only when always.
 */
void cli_print_drift(const struct drift *d, int always);

int cmd_status(struct cli *c, struct args *a);
int cmd_backup(struct cli *c, struct args *a);
int cmd_backups(struct cli *c, struct args *a);
int cmd_restore(struct cli *c, struct args *a);
int cmd_verify(struct cli *c, struct args *a);
int cmd_stamp(struct cli *c, struct args *a);
int cmd_lint(struct cli *c, struct args *a);
int cmd_adopt(struct cli *c, struct args *a);
int cmd_redo(struct cli *c, struct args *a);
int cmd_wait(struct cli *c, struct args *a);
int cmd_version(struct cli *c, struct args *a);
int cmd_load(struct cli *c, struct args *a);
int cmd_embed(struct cli *c, struct args *a);

/*
 * After a command that changed the database: rewrites --schema-file, if
 * one is set; code is the command's exit code, returned unless writing
 * failed.
 */
int cli_schema_file(struct cli *c, int code);
/*
 * Waits up to timeout seconds until the database accepts connections
 * (cmd_wait.c); 0, or an exit code after saying why not.
 */
int cli_wait(struct cli *c, int timeout);
/* The events of migrate, rollback and friends, printed (cli.c). */
void cli_on_event(void *arg, const struct runner_event *ev);
/* Lists what a rollback to target would undo and asks; -1 to go on. */
int cli_confirm_rollback(struct cli *c, struct args *a, struct runner *r,
    const char *target, int all, struct buf *err);

/*
 * Destructive commands ask question on a terminal and need --yes
 * otherwise. Returns -1 to go on, else an exit code.
 */
int cli_confirm(const struct args *a, const char *question);

#endif
