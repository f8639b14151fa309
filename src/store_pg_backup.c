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
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "error.h"
#include "text_pgsplit.h"
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
	{ "sslcrl", "PGSSLCRL" }, { "sslcrldir", "PGSSLCRLDIR" },
	{ "gssencmode", "PGGSSENCMODE" }, { "krbsrvname", "PGKRBSRVNAME" },
	{ "channel_binding", "PGCHANNELBINDING" },
	{ "require_auth", "PGREQUIREAUTH" },
	{ "target_session_attrs", "PGTARGETSESSIONATTRS" },
	{ "connect_timeout", "PGCONNECT_TIMEOUT" },
};

/*
 * In the child: the connection's settings as environment variables, so
 * that the password never shows on a command line, where ps shows it. The
 * host and port are the server this connection reached, not the URL's
 * list of them, so the tool works where runner holds the run lock.
 */
static void
export_conn(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *o;
	const char *v;
	size_t i;

	for (o = opts; o && o->keyword; o++)
		for (i = 0; i < sizeof(conn_vars) / sizeof(conn_vars[0]); i++)
			if (o->val && *o->val &&
			    strcmp(o->keyword, conn_vars[i].keyword) == 0)
				setenv(conn_vars[i].env, o->val, 1);
	PQconninfoFree(opts);
	if ((v = PQhost(conn)) && *v)
		setenv("PGHOST", v, 1);
	if ((v = PQport(conn)) && *v)
		setenv("PGPORT", v, 1);
	if (getenv("PGHOSTADDR") && (v = PQhostaddr(conn)) && *v)
		setenv("PGHOSTADDR", v, 1);
}

/* In the child: stdin and stdout on /dev/null, stderr into the pipe. */
static void
exec_tool(PGconn *conn, char *const argv[], const int fds[2])
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(fds[1], STDERR_FILENO) < 0)
		_exit(127);
	if (null > STDERR_FILENO)
		close(null);
	if (fds[1] > STDERR_FILENO)
		close(fds[1]);
	close(fds[0]);
	export_conn(conn);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Appends to msg, keeping its last 32 to 64 KiB: errors come last. */
static void
keep_tail(struct buf *msg, const char *p, size_t n)
{
	size_t drop;

	buf_add(msg, p, n);
	if (msg->len <= 65536)
		return;
	drop = msg->len - 32768;
	memmove(msg->buf, msg->buf + drop, msg->len - drop + 1);
	msg->len -= drop;
}

#define TOOL_STOPPED	(-2)

/*
 * Runs argv (psql must neither prompt nor print) with its stderr into msg;
 * its exit status, -1 when it could not run or died, or TOOL_STOPPED when
 * a signal to runner (SIGINT, SIGTERM: their handlers interrupt the wait)
 * made it pass SIGINT on, as a terminal's Ctrl-C would: psql and pg_dump
 * then cancel their query on the server and exit, and psql's transaction
 * is rolled back.
 */
static int
run_tool(PGconn *conn, char *const argv[], struct buf *msg)
{
	char chunk[1024];
	int fds[2], status, stopped = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		exec_tool(conn, argv, fds);
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n > 0)
			keep_tail(msg, chunk, (size_t)n);
		else if (errno != EINTR)
			break;
		else if (!stopped)
			stopped = kill(pid, SIGINT) == 0;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (!stopped)
			stopped = kill(pid, SIGINT) == 0;
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || !stopped))
		return WEXITSTATUS(status);
	return stopped ? TOOL_STOPPED : -1;
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
	if (ret == TOOL_STOPPED) {
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted");
	} else if (ret != 0) {
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
read_at(FILE *f, off_t off, char *b, size_t len)
{
	if (fseeko(f, off, SEEK_SET) < 0)
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
	off_t size;
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
	size = fseeko(f, 0, SEEK_END) == 0 ? ftello(f) : -1;
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
 * Before the dump, in its transaction, what the database holds goes: event
 * triggers first (one could fire on the drops), every schema but public
 * and the system's (the dump creates them again), what public holds, then
 * what lives outside schemas and pg_dump dumps: publications, foreign-data
 * wrappers (with their servers and user mappings), casts, large objects.
 * So the database ends as the dump describes it, not merged with what came
 * after the backup.
 */
#define CLEAR_LOOP(query) "FOR q IN " query " LOOP EXECUTE q; END LOOP; "
#define CLEAR_SQL \
    "DO $runner$ DECLARE q text; BEGIN " \
    CLEAR_LOOP("SELECT format('DROP EVENT TRIGGER %I', e.evtname) " \
    "FROM pg_event_trigger e WHERE " PG_OWN("pg_event_trigger", "e.oid")) \
    CLEAR_LOOP("SELECT format('DROP SCHEMA %I CASCADE', n.nspname) " \
    "FROM pg_namespace n WHERE n.nspname NOT IN ('public', " \
    "'information_schema') AND n.nspname !~ '^pg_' AND " \
    PG_OWN("pg_namespace", "n.oid")) \
    CLEAR_LOOP(PG_DROP_OBJECTS("'public'")) \
    CLEAR_LOOP("SELECT format('DROP PUBLICATION %I', p.pubname) " \
    "FROM pg_publication p") \
    CLEAR_LOOP("SELECT format('DROP FOREIGN DATA WRAPPER %I CASCADE', " \
    "w.fdwname) FROM pg_foreign_data_wrapper w WHERE " \
    PG_OWN("pg_foreign_data_wrapper", "w.oid")) \
    CLEAR_LOOP("SELECT format('DROP CAST (%s AS %s)', " \
    "c.castsource::regtype, c.casttarget::regtype) FROM pg_cast c " \
    "WHERE c.oid >= 16384 AND " PG_OWN("pg_cast", "c.oid")) \
    "PERFORM pg_catalog.lo_unlink(oid) " \
    "FROM pg_catalog.pg_largeobject_metadata; END $runner$"

/*
 * From psql's stderr, the error: ON_ERROR_STOP stops at the first one, and
 * the warnings before it only hide it. Its "psql:PATH:LINE: " becomes
 * "dump line LINE: ".
 */
static void
error_lines(struct buf *msg, const char *path)
{
	struct buf out = BUF_INIT, pre = BUF_INIT;
	const char *p = msg->buf, *hit;

	if ((hit = strstr(p, "ERROR:")) || (hit = strstr(p, "FATAL:"))) {
		while (hit > p && hit[-1] != '\n')
			hit--;
		p = hit;
	}
	buf_addf(&pre, "psql:%s:", path);
	while ((hit = strstr(p, pre.buf))) {
		buf_add(&out, p, (size_t)(hit - p));
		buf_adds(&out, "dump line ");
		p = hit + pre.len;
	}
	buf_adds(&out, p);
	while (out.len && out.buf[out.len - 1] == '\n')
		out.buf[--out.len] = '\0';
	buf_release(msg);
	*msg = out;
	buf_release(&pre);
}

/*
 * Blanks out the dump's own BEGIN; and COMMIT; (around large objects):
 * the first COMMIT would end the transaction the whole restore runs in.
 */
static int
mask_tx(const char *path, struct buf *err)
{
	struct stat st;
	char *map = MAP_FAILED;
	int fd = open(path, O_RDWR), ret = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || (st.st_size > 0 &&
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0)) == MAP_FAILED))
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot prepare '%s': %s",
		    path, strerror(errno));
	if (map != MAP_FAILED) {
		(void)pgsplit_mask_tx(map, (size_t)st.st_size);
		munmap(map, (size_t)st.st_size);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Loads the dump at path with psql: BEGIN and CLEAR_SQL, the dump, COMMIT,
 * stopping at the first error. A stop before the COMMIT closes psql's
 * connection with the transaction open, which the server rolls back: so
 * nothing changes unless everything does. (Not psql's -1, which before
 * its 2022 releases committed after an error of its own, such as a
 * meta-command it does not know.) Each drop waits for the application's
 * locks up to the lock timeout; the dump then sets its own.
 */
static int
load_dump(struct pg_store *s, const char *path, struct buf *err)
{
	struct buf pre = BUF_INIT, msg = BUF_INIT;
	char *argv[] = { (char *)"psql", (char *)"-X", (char *)"-q",
	    (char *)"--no-password", (char *)"-v", (char *)"ON_ERROR_STOP=1",
	    (char *)"-c", NULL, (char *)"-f", (char *)path, (char *)"-c",
	    (char *)"COMMIT", NULL };
	int ret;

	if ((ret = mask_tx(path, err)) < 0)
		return ret;
	buf_adds(&pre, "BEGIN; ");
	if (s->lock_timeout > 0)
		buf_addf(&pre, "SET lock_timeout = '%ds'; ", s->lock_timeout);
	else
		buf_adds(&pre, "SET lock_timeout = '1ms'; ");
	buf_addf(&pre, "SET client_min_messages = warning; %s", CLEAR_SQL);
	argv[7] = pre.buf;
	ret = run_tool(s->conn, argv, &msg);
	if (ret == TOOL_STOPPED) {
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted: psql was "
		    "stopped before it committed; nothing was changed");
	} else if (ret != 0) {
		store_scrub(s->url, &msg);
		error_lines(&msg, path);
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

/* s holds the run lock (restore_lock), so no runner migrates meanwhile. */
int
pg_replace(struct store *s, const char *target, const char *path,
    struct buf *notes, struct buf *err)
{
	(void)target, (void)notes;
	return load_dump(pg_downcast(s), path, err);
}

/*
 * host:port/dbname as libpq would reach them from the URL and the PG*
 * variables, without connecting: a backup is listed, and retention works,
 * while the server is down.
 */
int
pg_identity(const char *target, struct buf *out, struct buf *err)
{
	static const char *const keys[] = { "host", "port", "dbname" };
	PQconninfoOption *url = NULL, *def = NULL, *o;
	const char *v[3] = { NULL, NULL, NULL };
	char *msg = NULL;
	size_t i;
	int ret = 0;

	if ((ret = pq_load(err)) < 0)
		return ret;
	url = PQconninfoParse(target, &msg);
	def = PQconndefaults();
	if (url == NULL) {
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot read the database "
		    "URL: %s", msg ? msg : "out of memory");
		goto out;
	}
	for (i = 0; i < 3; i++) {
		for (o = url; o->keyword && !v[i]; o++)
			if (strcmp(o->keyword, keys[i]) == 0 && o->val && *o->val)
				v[i] = o->val;
		for (o = def; o && o->keyword && !v[i]; o++)
			if (strcmp(o->keyword, keys[i]) == 0 && o->val && *o->val)
				v[i] = o->val;
	}
	buf_addf(out, "postgres://%s:%s/%s", v[0] ? v[0] : "", v[1] ? v[1] :
	    "5432", v[2] ? v[2] : "");
out:
	if (msg)
		PQfreemem(msg);
	if (url)
		PQconninfoFree(url);
	if (def)
		PQconninfoFree(def);
	return ret;
}
