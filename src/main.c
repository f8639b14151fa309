/*
 * main.c: the global options, accepted before or after the command name;
 * everything else goes to cli_run().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
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
		exit(EXIT_USAGE);
	}
	*val = argv[++*i];
	return 1;
}

static int
parse_timeout(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 86400) {
		fprintf(stderr, "runner: --lock-timeout '%s' is not a number "
		    "of seconds (0 to 86400)\n", s);
		exit(EXIT_USAGE);
	}
	return (int)v;
}

int
main(int argc, char **argv)
{
	struct globals g = { NULL, NULL, 0, NULL, 30, 0, 0, 0 };
	const char *timeout, *dir;
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	int i, n = 0, ret, ended = 0;

	g.dirs = xcalloc((size_t)argc + 1, sizeof(*g.dirs));
	for (i = 1; i < argc; i++) {
		if (ended)
			rest[n++] = argv[i];
		else if (strcmp(argv[i], "--") == 0)
			rest[n++] = argv[i], ended = 1;
		else if (option_value("--db", argc, argv, &i, &g.db) ||
		    option_value("--backup-dir", argc, argv, &i,
		    &g.backup_dir))
			continue;
		else if (option_value("--dir", argc, argv, &i, &dir))
			g.dirs[g.ndirs++] = dir;	/* several are merged */
		else if (option_value("--lock-timeout", argc, argv, &i,
		    &timeout))
			g.lock_timeout = parse_timeout(timeout);
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			g.quiet = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			g.help = 1;
		else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			g.version = 1;
		else
			rest[n++] = argv[i];
	}
	ret = cli_run(&g, n, rest);
	free(rest);
	free(g.dirs);
	return ret;
}
