/*
 * store_pg_backup.c: snapshots of a PostgreSQL database, by pg_dump, and
 * their restore, by psql. The dump runs in one repeatable-read transaction,
 * so it is consistent and makes no writer wait; the restore runs in one
 * transaction, so it happens whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/*
 * Runs argv with its stderr into msg, stdin and stdout on /dev/null (psql
 * must neither prompt nor print); its exit status, or -1.
 */
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
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
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

/* Reads up to len bytes at off into b; the count read. */
static size_t
read_at(FILE *f, long off, char *b, size_t len)
{
	if (fseek(f, off, SEEK_SET) < 0)
		return 0;
	return fread(b, 1, len, f);
}

/*
 * After pg_dump's closing comment come only "--", blank lines and, since
 * the 2025 releases, "\unrestrict KEY".
 */
static int
tail_ok(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "\n");

		if (!(n == 0 || (n == 2 && strncmp(p, "--", 2) == 0) ||
		    strncmp(p, "\\unrestrict ", 12) == 0))
			return 0;
		p += n + (p[n] == '\n');
	}
	return 1;
}

/*
 * A plain pg_dump begins with its header comment and ends with "dump
 * complete": a dump cut short (a full disk, a killed pg_dump) lacks it.
 */
int
pg_check_image(const char *path, const char *name, struct buf *err)
{
	static const char head[] = "--\n-- PostgreSQL database dump\n";
	static const char done[] = "\n-- PostgreSQL database dump complete\n";
	char b[513], *p;
	FILE *f = fopen(path, "rb");
	long size;
	size_t n;
	int ret = 0;

	if (!f)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
		    path, strerror(errno));
	n = read_at(f, 0, b, sizeof(head) - 1);
	if (n != sizeof(head) - 1 || memcmp(b, head, n) != 0) {
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' does not hold a "
		    "PostgreSQL dump (pg_dump's plain SQL)", name);
		goto out;
	}
	size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	n = size < 0 ? 0 : read_at(f, size > 512 ? size - 512 : 0, b, 512);
	b[n] = '\0';
	if (memchr(b, '\0', n) || !(p = strstr(b, done)) ||
	    !tail_ok(p + sizeof(done) - 1))
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' holds an incomplete "
		    "PostgreSQL dump: it does not end with pg_dump's \"dump "
		    "complete\" line", name);
out:
	fclose(f);
	return ret;
}

/*
 * Before the dump, in its transaction: every schema but public and the
 * system's is dropped (the dump creates them again), then what public
 * holds, then the large objects, so that the database ends up as the dump
 * describes it and not merged with what came after.
 */
#define CLEAR_SQL \
    "DO $runner$ DECLARE q text; BEGIN " \
    "FOR q IN SELECT format('DROP SCHEMA %I CASCADE', n.nspname) " \
    "FROM pg_namespace n WHERE n.nspname NOT IN ('public', " \
    "'information_schema') AND n.nspname !~ '^pg_' AND NOT EXISTS " \
    "(SELECT 1 FROM pg_depend d WHERE d.classid = " \
    "'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e') " \
    "LOOP EXECUTE q; END LOOP; " \
    "FOR q IN " PG_DROP_OBJECTS("'public'") " LOOP EXECUTE q; END LOOP; " \
    "PERFORM pg_catalog.lo_unlink(oid) " \
    "FROM pg_catalog.pg_largeobject_metadata; END $runner$"

/* psql's "psql:PATH:LINE: " before a message becomes "dump line LINE: ". */
static void
name_lines(struct buf *msg, const char *path)
{
	struct buf out = BUF_INIT, pre = BUF_INIT;
	const char *p = msg->buf, *hit;

	buf_addf(&pre, "psql:%s:", path);
	while ((hit = strstr(p, pre.buf))) {
		buf_add(&out, p, (size_t)(hit - p));
		buf_adds(&out, "dump line ");
		p = hit + pre.len;
	}
	buf_adds(&out, p);
	buf_release(msg);
	*msg = out;
	buf_release(&pre);
}

/*
 * Loads the dump at path with psql, in one transaction after CLEAR_SQL,
 * stopping at the first error (which rolls everything back). The drops
 * wait for the application's locks up to the lock timeout; the dump then
 * sets its own.
 */
static int
load_dump(struct pg_store *s, const char *path, struct buf *err)
{
	struct buf pre = BUF_INIT, msg = BUF_INIT;
	char *argv[] = { (char *)"psql", (char *)"-X", (char *)"-q",
	    (char *)"--no-password", (char *)"-v", (char *)"ON_ERROR_STOP=1",
	    (char *)"--single-transaction", (char *)"-c", NULL,
	    (char *)"-f", (char *)path, NULL };
	int ret;

	if (s->lock_timeout > 0)
		buf_addf(&pre, "SET lock_timeout = '%ds'; ", s->lock_timeout);
	else
		buf_adds(&pre, "SET lock_timeout = '1ms'; ");
	buf_addf(&pre, "SET client_min_messages = warning; %s", CLEAR_SQL);
	argv[8] = pre.buf;
	ret = run_tool(s->conn, argv, &msg);
	if (ret != 0) {
		while (msg.len && msg.buf[msg.len - 1] == '\n')
			msg.buf[--msg.len] = '\0';
		store_scrub(s->url, &msg);
		name_lines(&msg, path);
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot load the dump into "
		    "'%s' (nothing was changed): %s%s", s->base.display,
		    msg.len ? msg.buf : "psql failed",
		    strstr(msg.buf, "due to lock timeout") ? "\n(the database "
		    "is in use: its tables were locked; see --lock-timeout)" :
		    "");
	}
	buf_release(&msg);
	buf_release(&pre);
	return ret;
}

/* Under the run lock, so that no runner migrates while psql loads. */
int
pg_replace(const char *target, int lock_timeout, const char *path,
    struct buf *err)
{
	struct store *base = NULL;
	int ret;

	ret = store_pg_ops.open(target, 0, lock_timeout, &base, err);
	if (ret == 0)
		ret = store_pg_ops.lock_run(base, err);
	if (ret == 0)
		ret = load_dump(pg_downcast(base), path, err);
	if (base)
		store_close(base);
	return ret;
}
