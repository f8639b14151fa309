/*
 * cli_options.c: the global options, taken before the command name or
 * after it, and each command's own, as its table entry lists them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "banned.h"

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

/* A count option's value: 1 to hi. */
static int
parse_count(const char *name, const char *s, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > hi) {
		fprintf(stderr, "runner: %s '%s' is not a number from 1 to "
		    "%d\n", name, s, hi);
		return -1;
	}
	*out = (int)v;
	return 1;
}

/* The fleet's options: -j N (also -jN, --jobs), --canary N, --db-list. */
static int
fleet_option(struct globals *g, int argc, char **argv, int *i)
{
	const char *v = NULL;
	int r;

	if (strncmp(argv[*i], "-j", 2) == 0 && argv[*i][2] &&
	    argv[*i][2] != '=')
		return parse_count("-j", argv[*i] + 2, 1024, &g->jobs);
	if ((r = option_value("-j", argc, argv, i, &v)) != 0 ||
	    (r = option_value("--jobs", argc, argv, i, &v)) != 0)
		return r < 0 ? r : parse_count("-j", v, 1024, &g->jobs);
	if ((r = option_value("--canary", argc, argv, i, &v)) != 0)
		return r < 0 ? r : parse_count("--canary", v, 1000000,
		    &g->canary);
	if ((r = option_value("--db-list", argc, argv, i, &v)) != 0) {
		if (r > 0)
			g->lists[g->nlists++] = v;
		return r;
	}
	if (strcmp(argv[*i], "--fail-fast") == 0)
		return g->fail_fast = 1;
	if (strcmp(argv[*i], "--create") == 0)
		return g->create = 1;
	return 0;
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

	if ((r = fleet_option(g, argc, argv, i)) != 0)
		return r;
	if ((r = option_value("--db", argc, argv, i, &v)) != 0 ||
	    (r = option_value("--url", argc, argv, i, &v)) != 0) {
		if (r > 0)
			g->dbs[g->ndbs++] = g->db = v;	/* a fleet */
		return r;
	}
	if ((r = option_value("--backup-dir", argc, argv, i, &g->backup_dir)) ||
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

int
number_flag(const struct args *a, const char *name, int lo, int hi, int *out)
{
	const char *v;
	char *end;
	long n;

	if (!arg_flag(a, name, &v))
		return CLI_GO_ON;
	n = strtol(v, &end, 10);
	if (end == v || *end || n < lo || n > hi) {
		fprintf(stderr, "runner: %s '%s' is not a number from %d to "
		    "%d\n", name, v, lo, hi);
		return cli_usage_error(a, "%s", "bad option value");
	}
	*out = (int)n;
	return CLI_GO_ON;
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

/* A command option's value is never taken for a global option. */
int
cli_parse_args(const struct command *cmd, struct globals *g, int argc,
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
			return cli_usage_error(a, "unknown option '%s'",
			    argv[i]);
		if (strchr(cmd->opts[f].name, '=') && v == NULL) {
			if (i + 1 >= argc)
				return cli_usage_error(a, "option '%s' needs a "
				    "value", argv[i]);
			v = argv[++i];
		}
		a->val[f] = v ? v : "";
	}
	if (g->help)
		return CLI_GO_ON;
	if (a->npos < cmd->minpos)
		return cli_usage_error(a, "'%s' needs an argument", cmd->name);
	if (a->npos > cmd->maxpos)
		return cli_usage_error(a, "unexpected argument '%s'",
		    a->pos[cmd->maxpos]);
	return CLI_GO_ON;
}
