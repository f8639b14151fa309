/*
 * store_pg_backup.c: snapshots of a PostgreSQL database, by pg_dump. Its
 * dump runs in one repeatable-read transaction, so it is consistent and
 * makes no writer wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "error.h"
#include "store_pg.h"
#include "banned.h"

/* libpq connection keywords and the variables its tools read them from. */
static const struct {
	const char *keyword, *env;
} conn_vars[] = {
	{ "host", "PGHOST" }, { "hostaddr", "PGHOSTADDR" },
	{ "port", "PGPORT" }, { "dbname", "PGDATABASE" },
	{ "user", "PGUSER" }, { "password", "PGPASSWORD" },
	{ "passfile", "PGPASSFILE" }, { "options", "PGOPTIONS" },
	{ "sslmode", "PGSSLMODE" }, { "sslrootcert", "PGSSLROOTCERT" },
	{ "sslcert", "PGSSLCERT" }, { "sslkey", "PGSSLKEY" },
	{ "connect_timeout", "PGCONNECT_TIMEOUT" },
};

/*
 * In the child: the connection's settings as environment variables, so
 * that the password never shows on a command line, where ps shows it.
 */
static void
export_conn(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *o;
	size_t i;

	for (o = opts; o && o->keyword; o++)
		for (i = 0; i < sizeof(conn_vars) / sizeof(conn_vars[0]); i++)
			if (o->val && *o->val &&
			    strcmp(o->keyword, conn_vars[i].keyword) == 0)
				setenv(conn_vars[i].env, o->val, 1);
	PQconninfoFree(opts);
}

/* Runs argv with its stderr into msg; its exit status, or -1. */
static int
run_tool(PGconn *conn, char *const argv[], struct buf *msg)
{
	char chunk[1024];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		export_conn(conn);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0 && msg->len < 4096)
			buf_add(msg, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
pg_snapshot(struct store *base, const char *path, struct buf *err)
{
	struct pg_store *s = pg_downcast(base);
	struct buf msg = BUF_INIT;
	char *argv[] = { (char *)"pg_dump", (char *)"--no-password",
	    (char *)"--file", (char *)path, NULL };
	int ret;

	ret = run_tool(s->conn, argv, &msg);
	if (ret != 0) {
		while (msg.len && msg.buf[msg.len - 1] == '\n')
			msg.buf[--msg.len] = '\0';
		store_scrub(s->url, &msg);
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot back up '%s' with "
		    "pg_dump: %s", base->display, msg.len ? msg.buf :
		    "it failed");
	}
	buf_release(&msg);
	return ret;
}
