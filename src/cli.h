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
	const char *db;		/* --db, or NULL */
	const char *dir;	/* --dir, or NULL */
	const char *backup_dir;	/* --backup-dir, or NULL */
	int lock_timeout;	/* seconds */
	int quiet;
	int help;
	int version;
};

/* Runs the command in argv[0] (argc may be 0); returns the exit code. */
int cli_run(const struct globals *g, int argc, char **argv);
/* Prints the main usage to stdout (ok) or stderr (!ok). */
void cli_usage(int ok);
void cli_version(void);

#endif
