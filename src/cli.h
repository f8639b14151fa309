/* cli.h: the command-line front end: one table of commands. */
#ifndef RUNNER_CLI_H
#define RUNNER_CLI_H

#define RUNNER_VERSION "0.1.0"

/* Exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* the operation failed, or a check found something */
	EXIT_USAGE = 2,	/* bad usage, or a bad .env */
	EXIT_AFTER = 3	/* the change was made, but a step after it failed */
};

struct globals {
	const char *db;		/* --db or --url, or NULL */
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
};

#define GLOBALS_INIT { NULL, NULL, 0, NULL, NULL, NULL, NULL, 30, 0, 0, 0, 0 }

/*
 * If argv[*i] is a global option, takes it (and its value, advancing *i)
 * into g and returns 1; 0 when it is not one; -1 after printing why its
 * value is bad.
 */
int globals_option(struct globals *g, int argc, char **argv, int *i);

/* Runs the command in argv[0] (argc may be 0); returns the exit code. */
int cli_run(struct globals *g, int argc, char **argv);
/* Prints the main usage to stdout (ok) or stderr (!ok). */
void cli_usage(int ok);
void cli_version(void);

#endif
