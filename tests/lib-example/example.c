/*
 * example.c: a program that migrates its own SQLite database at start-up
 * with librunner, from the migrations compiled into it (migrations.c,
 * written by `runner embed`) or from a folder, then reports its status.
 *
 *	example [-1] [-d DIR] [-T TABLE] [-t VERSION] DATABASE
 *
 * Built with: cc example.c migrations.c $(pkg-config --cflags --libs runner)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librunner.h>

LIBRUNNER_DECLARE_EMBEDDED(runner_migrations);

static int
fail(struct librunner *db, const char *what, int code)
{
	fprintf(stderr, "example: %s failed (%d): %s\n", what, code,
	    librunner_errmsg(db));
	librunner_close(db);
	return 1;
}

int
main(int argc, char **argv)
{
	struct librunner_options opts = { NULL, 0 };
	struct librunner_status st;
	struct librunner *db;
	const char *dir = NULL, *target = NULL;
	unsigned flags = 0;
	size_t applied;
	int c, ret;

	while ((c = getopt(argc, argv, "1d:T:t:")) != -1) {
		switch (c) {
		case '1':
			flags |= LIBRUNNER_ONE_TRANSACTION;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'T':
			opts.table = optarg;
			break;
		case 't':
			target = optarg;
			break;
		default:
			fprintf(stderr, "usage: example [-1] [-d DIR] "
			    "[-T TABLE] [-t VERSION] DATABASE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: example [-1] [-d DIR] [-T TABLE] "
		    "[-t VERSION] DATABASE\n");
		return 2;
	}
	/* The handle is set even when opening fails: it holds the message. */
	if ((ret = librunner_open(argv[optind], &opts, &db)) != 0)
		return fail(db, "open", ret);
	ret = dir ? librunner_load_dir(db, dir) :
	    librunner_load_embedded(db, runner_migrations,
	    runner_migrations_count);
	if (ret != 0)
		return fail(db, "load", ret);
	if ((ret = librunner_migrate(db, target, flags, &applied)) != 0)
		return fail(db, "migrate", ret);
	if ((ret = librunner_status(db, &st)) != 0)
		return fail(db, "status", ret);
	printf("librunner %s: applied %zu now; version %s, %zu applied, "
	    "%zu pending, %zu changed, %zu missing, %zu failed\n",
	    librunner_version(), applied, st.version ? st.version : "none",
	    st.applied, st.pending, st.changed, st.missing, st.failed);
	librunner_close(db);
	return 0;
}
