/*
 * store_mysql_backup.c: snapshots of a MySQL/MariaDB database by
 * mariadb-dump (or mysqldump) in one consistent transaction, and their
 * restore by the mariadb (or mysql) client. The connection's settings reach
 * the tools in a private option file, never on their command line, where
 * ps shows the password. MySQL commits DDL implicitly, so a restore cannot
 * be one transaction: it is checked whole before anything changes, and
 * runs under the run lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "store_mysql.h"
#include "banned.h"

#ifndef MYSQL_PORT
#define MYSQL_PORT 3306
#endif
#ifndef MYSQL_UNIX_ADDR
#define MYSQL_UNIX_ADDR "/run/mysqld/mysqld.sock"
#endif

/*
 * Appends "key=value" as an option file line, the value quoted and its
 * quotes escaped: an unescaped one would end the quoted part, and a #
 * after it would start a comment.
 */
static void
opt_line(struct buf *out, const char *key, const char *value)
{
	const char *p;

	if (value == NULL)
		return;
	buf_addf(out, "%s=\"", key);
	for (p = value; *p; p++)
		if (*p == '\\')
			buf_adds(out, "\\\\");
		else if (*p == '\n')
			buf_adds(out, "\\n");
		else if (*p == '\r')
			buf_adds(out, "\\r");
		else if (*p == '\t')
			buf_adds(out, "\\t");
		else if (*p == '"' || *p == '\'')
			buf_addf(out, "\\%c", *p);
		else
			buf_addch(out, *p);
	buf_adds(out, "\"\n");
}

/*
 * The [client] group the tools read: where and as whom to connect, in
 * runner's own connection's character set (not the timeouts: mariadb-dump
 * knows no such option, and refuses the file).
 */
static void
options_text(const struct my_url *u, struct buf *out)
{
	buf_adds(out, "[client]\ndefault-character-set=utf8mb4\n");
	opt_line(out, "user", u->user);
	opt_line(out, "password", u->password);
	opt_line(out, "host", u->socket && !u->host ? "localhost" : u->host);
	if (u->port)
		buf_addf(out, "port=%u\n", u->port);
	opt_line(out, "socket", u->socket);
	opt_line(out, "ssl-ca", u->ssl_ca);
	opt_line(out, "ssl-capath", u->ssl_capath);
	opt_line(out, "ssl-cert", u->ssl_cert);
	opt_line(out, "ssl-key", u->ssl_key);
	opt_line(out, "ssl-cipher", u->ssl_cipher);
	if (u->ssl == 1 || u->ssl_ca || u->ssl_cert)
		buf_adds(out, "ssl\n");
	else if (u->ssl == 0)
		buf_adds(out, "skip-ssl\n");
	if (u->ssl_verify_server_cert == 1)
		buf_adds(out, "ssl-verify-server-cert\n");
	else if (u->ssl_verify_server_cert == 0)
		buf_adds(out, "skip-ssl-verify-server-cert\n");
}

/*
 * A private option file (mode 0600, in $TMPDIR) with s's settings; its
 * path into path. The caller unlinks it.
 */
static int
options_file(struct my_store *s, struct buf *path, struct buf *err)
{
	const char *dir = getenv("TMPDIR");
	struct buf text = BUF_INIT;
	size_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	buf_addf(path, "%s/.runner-mysql-%ld-XXXXXX", dir && *dir ? dir :
	    "/tmp", (long)getpid());
	if ((fd = mkstemp(path->buf)) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot create '%s': %s",
		    path->buf, strerror(errno));
	options_text(&s->where, &text);
	while (ret == 0 && off < text.len) {
		n = write(fd, text.buf + off, text.len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EINTR)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot write "
			    "'%s': %s", path->buf, strerror(errno));
	}
	if (close(fd) < 0 && ret == 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write '%s': %s",
		    path->buf, strerror(errno));
	if (ret < 0)
		unlink(path->buf);
	buf_release(&text);
	return ret;
}

/*
 * In the child: stdin from in (or /dev/null), stdout on /dev/null, stderr
 * into the pipe; then argv, or with its name replaced by alt (the MySQL
 * name of the MariaDB tool) when that is not installed.
 */
static void
exec_tool(char *argv[], const char *alt, int in, const int fds[2])
{
	int null = open("/dev/null", O_RDWR);
	const char *name;

	if (null < 0 || dup2(in >= 0 ? in : null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(fds[1], STDERR_FILENO) < 0)
		_exit(127);
	if (null > STDERR_FILENO)
		close(null);
	if (in > STDERR_FILENO)
		close(in);
	if (fds[1] > STDERR_FILENO)
		close(fds[1]);
	close(fds[0]);
	name = argv[0];
	execvp(name, argv);
	if (errno == ENOENT) {
		argv[0] = (char *)alt;
		execvp(alt, argv);
	}
	dprintf(STDERR_FILENO, "cannot run %s%s%s: %s (Debian: apt install "
	    "mariadb-client)", name, errno == ENOENT ? " or " : "",
	    errno == ENOENT ? alt : "", strerror(errno));
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
 * Runs argv with its stderr into msg; its exit status, -1 when it could
 * not run or died, or TOOL_STOPPED when a signal to runner (its handlers
 * interrupt the wait) made it pass SIGINT on, as a terminal's Ctrl-C
 * would: the tools then kill their query on the server and exit.
 */
static int
run_tool(char *argv[], const char *alt, int in, struct buf *msg)
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
		exec_tool(argv, alt, in, fds);
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

static void
trim(struct buf *msg)
{
	while (msg->len && strchr("\n ", msg->buf[msg->len - 1]))
		msg->buf[--msg->len] = '\0';
}

/*
 * "--defaults-file=PATH", which must come first: that file only, not the
 * option files a tool reads besides (/etc/mysql/my.cnf, ~/.my.cnf), whose
 * user, host or password would otherwise override runner's, even lead the
 * tool to another server than the one whose run lock runner holds, as
 * --defaults-extra-file would let ~/.my.cnf do.
 */
static char *
defaults_arg(const char *path)
{
	struct buf arg = BUF_INIT;

	buf_addf(&arg, "--defaults-file=%s", path);
	return buf_detach(&arg, NULL);
}

/*
 * mariadb-dump of the whole database: one transaction (--single-
 * transaction: consistent, and no writer waits), with routines, events
 * and triggers, and no LOCK TABLES in the dump.
 */
int
my_snapshot(struct store *base, const char *path, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf opts = BUF_INIT, msg = BUF_INIT, result = BUF_INIT;
	char *argv[] = { (char *)"mariadb-dump", NULL,
	    (char *)"--single-transaction", (char *)"--routines",
	    (char *)"--events", (char *)"--triggers",
	    (char *)"--skip-add-locks", (char *)"--hex-blob", NULL,
	    (char *)"--", s->where.db, NULL };
	int ret;

	if ((ret = options_file(s, &opts, err)) < 0) {
		buf_release(&opts);
		return ret;
	}
	buf_addf(&result, "--result-file=%s", path);
	argv[1] = defaults_arg(opts.buf);
	argv[8] = result.buf;
	ret = run_tool(argv, "mysqldump", -1, &msg);
	unlink(opts.buf);
	if (ret == TOOL_STOPPED)
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted");
	else if (ret != 0) {
		trim(&msg);
		store_scrub(s->url, &msg);
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot back up '%s' with "
		    "mariadb-dump: %s", base->display, msg.len ? msg.buf :
		    "it failed");
	} else
		ret = my_check_image(path, path, err);
	free(argv[1]);
	buf_release(&opts);
	buf_release(&msg);
	buf_release(&result);
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

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * The dump's header, after the line with which MariaDB's dumps since 2024
 * turn the sandbox mode on: "-- MariaDB dump" or mysqldump's "-- MySQL
 * dump".
 */
static int
head_ok(const char *b)
{
	if (starts(b, "/*M!999999\\- enable the sandbox mode */"))
		b += strcspn(b, "\n") + (b[strcspn(b, "\n")] == '\n');
	return starts(b, "-- MariaDB dump ") || starts(b, "-- MySQL dump ");
}

/* The last line but blank ones is "-- Dump completed[ on DATE]". */
static int
tail_ok(const char *b, size_t n)
{
	static const char done[] = "-- Dump completed";
	size_t end = n, start;

	while (end && strchr("\n ", b[end - 1]))
		end--;
	for (start = end; start && b[start - 1] != '\n'; start--)
		;
	return start > 0 && end - start >= sizeof(done) - 1 &&
	    memcmp(b + start, done, sizeof(done) - 1) == 0 &&
	    memchr(b + start, '\0', end - start) == NULL;
}

/*
 * A dump begins with its tool's header comment and ends with "-- Dump
 * completed": one cut short (a full disk, a killed mariadb-dump) lacks it.
 */
int
my_check_image(const char *path, const char *name, struct buf *err)
{
	char b[513];
	FILE *f = fopen(path, "rb");
	off_t size;
	size_t n;
	int ret = 0;

	if (!f)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
		    path, strerror(errno));
	n = read_at(f, 0, b, sizeof(b) - 1);
	b[n] = '\0';
	if (!head_ok(b)) {
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' does not hold a "
		    "MySQL/MariaDB dump (mariadb-dump's SQL)", name);
		goto out;
	}
	size = fseeko(f, 0, SEEK_END) == 0 ? ftello(f) : -1;
	n = size < 0 ? 0 : read_at(f, size > 512 ? size - 512 : 0, b, 512);
	if (!tail_ok(b, n))
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' holds an incomplete "
		    "MySQL/MariaDB dump: it does not end with mariadb-dump's "
		    "\"Dump completed\" line", name);
out:
	fclose(f);
	return ret;
}

/*
 * From the client's stderr, the error: "ERROR 1064 (42000) at line 12:
 * ..." becomes "dump line 12: ERROR 1064 (42000): ...".
 */
static void
error_line(struct buf *msg)
{
	struct buf out = BUF_INIT;
	const char *p = strstr(msg->buf, "ERROR "), *at, *colon;

	if (p && (at = strstr(p, " at line ")) && (colon = strchr(at, ':')) &&
	    memchr(p, '\n', (size_t)(at - p)) == NULL) {
		buf_addf(&out, "dump line %.*s: ", (int)(colon - at - 9),
		    at + 9);
		buf_add(&out, p, (size_t)(at - p));
		buf_adds(&out, colon);
		buf_release(msg);
		*msg = out;
	}
	trim(msg);
}

/*
 * Runs the client on s's database with stdin from in (-1: /dev/null) and
 * the extra arguments, stopping at the first error.
 */
static int
client(struct my_store *s, const char *opts, int in, const char *execute,
    struct buf *msg)
{
	char *argv[] = { (char *)"mariadb", NULL, (char *)"--batch",
	    (char *)"--binary-mode", NULL, NULL, NULL, NULL, NULL };
	struct buf init = BUF_INIT;
	int ret, i = 5;

	argv[1] = defaults_arg(opts);
	/* Its DDL waits for the application's tables as runner's would. */
	buf_addf(&init, "--init-command=SET SESSION lock_wait_timeout = %d",
	    s->lock_timeout > 0 ? s->lock_timeout : 0);
	argv[4] = init.buf;
	if (execute) {
		argv[i++] = (char *)"--execute";
		argv[i++] = (char *)execute;
	}
	argv[i++] = s->where.db;
	ret = run_tool(argv, "mysql", in, msg);
	free(argv[1]);
	buf_release(&init);
	return ret;
}

/*
 * s holds the run lock (restore_lock), so no runner migrates meanwhile.
 * The client first proves it can connect (nothing is changed if it
 * cannot); then what the database holds goes (reset's drops), so it ends
 * as the dump describes it, and the client loads the dump, stopping at
 * its first error.
 */
int
my_replace(struct store *base, const char *target, const char *path,
    struct buf *notes, struct buf *err)
{
	struct my_store *s = my_downcast(base);
	struct buf opts = BUF_INIT, timeout = BUF_INIT, msg = BUF_INIT;
	int ret, in = -1;

	(void)target, (void)notes;
	if ((ret = options_file(s, &opts, err)) < 0) {
		buf_release(&opts);
		return ret;
	}
	if ((in = open(path, O_RDONLY)) < 0) {
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	ret = client(s, opts.buf, -1, "SELECT 1", &msg);
	if (ret == TOOL_STOPPED)
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted; nothing was "
		    "changed");
	else if (ret != 0) {
		trim(&msg);
		store_scrub(s->url, &msg);
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot restore '%s' "
		    "(nothing was changed): %s", base->display, msg.len ?
		    msg.buf : "the mariadb client failed");
	}
	if (ret < 0)
		goto out;
	buf_reset(&msg);
	buf_addf(&timeout, "SET SESSION lock_wait_timeout = %d",
	    s->lock_timeout > 0 ? s->lock_timeout : 0);
	ret = my_run(s, timeout.buf, "cannot set the lock timeout", err);
	if (ret < 0)
		goto out;
	if ((ret = store_drop_all(base, &msg)) < 0) {
		ret = buf_seterr(err, ret, "cannot empty '%s' for the dump, "
		    "which may now be partly emptied: %s", base->display,
		    msg.buf);
		goto out;
	}
	buf_reset(&msg);
	ret = client(s, opts.buf, in, NULL, &msg);
	if (ret == TOOL_STOPPED)
		ret = buf_seterr(err, RUNNER_EINTR, "interrupted: the database "
		    "'%s' is partly restored; restore it again", base->display);
	else if (ret != 0) {
		store_scrub(s->url, &msg);
		error_line(&msg);
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot load the dump into "
		    "'%s', which is now partly restored (MySQL commits each "
		    "CREATE and DROP at once): %s", base->display, msg.len ?
		    msg.buf : "the mariadb client failed");
	}
out:
	if (in >= 0)
		close(in);
	unlink(opts.buf);
	buf_release(&opts);
	buf_release(&timeout);
	buf_release(&msg);
	return ret;
}

/*
 * host:port/db, or socket/db when the client library would take the Unix
 * socket (no host, or localhost), as the URL says, without connecting: a
 * backup is listed, and retention works, while the server is down.
 */
int
my_identity(const char *target, struct buf *out, struct buf *err)
{
	struct my_url u;
	int ret;

	ret = my_url_parse(target, &u, err);
	if (ret == 0 && (u.host == NULL || strcmp(u.host, "localhost") == 0))
		buf_addf(out, "mysql://%s/%s", u.socket ? u.socket :
		    MYSQL_UNIX_ADDR, u.db ? u.db : "");
	else if (ret == 0)
		buf_addf(out, "mysql://%s:%u/%s", u.host, u.port ? u.port :
		    MYSQL_PORT, u.db ? u.db : "");
	my_url_free(&u);
	return ret;
}
