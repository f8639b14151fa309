/*
 * cli_fleet.c: one command over many databases (a fleet). The list comes
 * from --db (several, or SQLite globs), --db-list and DATABASE_URLS, with
 * one database named twice found; a pool of -j children each runs the
 * command on one database, with its own connection and the lock the
 * command takes anyway, and sends its result back through a pipe; the
 * parent prints a line per database as each finishes (or a JSON row),
 * progress on a terminal, and a closing summary. The migration files are
 * read and checked once, by the parent, before the first child starts;
 * what the parent keeps per database is its name, so memory grows with
 * the list and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_int.h"
#include "error.h"
#include "file.h"
#include "file_config.h"
#include "text_dblist.h"
#include "text_version.h"
#include "banned.h"

/* How one database ended, in the order the summary counts them. */
enum outcome {
	OUT_OK, OUT_BEHIND, OUT_CHANGED, OUT_DRIFTED, OUT_FAILED,
	OUT_INTERRUPTED, OUT_SKIPPED, OUT_N
};
static const char *const outcome_word[OUT_N] = {
	"ok", "behind", "changed", "drifted", "FAILED", "interrupted",
	"skipped"
};
static const char *const outcome_json[OUT_N] = {
	"ok", "behind", "changed", "drifted", "failed", "interrupted",
	"skipped"
};

/* The commands a fleet runs, and what each needs there. */
struct fleet_cmd {
	const char *name;
	const char *need;	/* a flag it must be given on a fleet */
	const char *ask;	/* destructive: the question, with the count */
	const char *idle;	/* its summary when it did nothing, or NULL */
	int files;		/* reads the migrations: in the parent */
	int create;		/* --create lets it create a database */
};

static const struct fleet_cmd fleet_cmds[] = {
	{ "status", NULL, NULL, NULL, 1, 0 },
	{ "migrate", NULL, NULL, "up to date", 1, 1 },
	{ "migrate-to", NULL, NULL, "up to date", 1, 1 },
	{ "init", NULL, NULL, NULL, 1, 1 },
	{ "rollback", NULL, "Roll back migrations on %zu databases? Their "
	    "down sections may delete data.", "nothing to roll back", 1, 0 },
	{ "redo", NULL, "Roll back and apply again the newest migration on "
	    "%zu databases? Its down section may delete data.",
	    "nothing to redo", 1, 0 },
	{ "repair", NULL, "Accept changed checksums and clear failed "
	    "migrations on %zu databases?", "nothing to repair", 1, 0 },
	{ "stamp", NULL, "Record migrations as applied without running them "
	    "on %zu databases?", NULL, 1, 0 },
	{ "verify", "--live", NULL, NULL, 1, 0 },
	{ "backup", NULL, NULL, NULL, 0, 0 },
};

/* One database of the fleet. */
struct member {
	char *url;
	char *shown;		/* without its password */
	char *where;		/* "list.txt:3", or NULL */
	char *bad;		/* why it is not run (a duplicate), or NULL */
};

/* A child at work. */
struct slot {
	pid_t pid;		/* 0: free */
	int fd;
	size_t i;		/* its member */
	struct buf in;		/* its record, as read so far */
};

/* Why the fleet stopped starting databases, for the skipped ones. */
struct reason {
	const char *why;
	size_t n;
};

struct fleet {
	struct cli *c;
	struct args *a;
	const struct fleet_cmd *fc;
	struct member *m;
	size_t n;
	struct runner pre;	/* the migrations, read once */
	int have_pre;
	int jobs, json, tty, status, gate;
	size_t count[OUT_N];
	struct reason skip[5];	/* locked, canary, fail-fast, stopped */
	size_t problems;	/* failed, interrupted or skipped so far */
	struct buf failed;	/* the first failed ones' names */
	size_t nfailed;
	char **ver;		/* status: each version seen... */
	size_t *nver;		/* ...and on how many databases */
	size_t nvers;
	size_t done, rows;
	const char *stop;	/* why no more start, or NULL */
	double t0;
};

#define FAILED_LISTED 20

/*
 * A fleet's child: what the command it runs did, from the hooks below,
 * for the report it sends.
 */
static struct {
	int on;
	size_t ev[EV_VERIFY_SKIPPED + 1];
	int ret;		/* the last RUNNER_E* code cli_fail saw */
	int kind;		/* status: OUT_*; -1 for the others */
	char version[128];	/* status: the newest applied, or "" */
	struct buf note;	/* status: its summary */
} kid = { 0, { 0 }, 0, -1, "", BUF_INIT };

void
fleet_event(int type)
{
	if (type >= 0 && type <= EV_VERIFY_SKIPPED)
		kid.ev[type]++;
}

void
fleet_error(int code)
{
	kid.ret = code;
}

void
fleet_status(const struct plan *p, const struct drift *d)
{
	size_t i, pending = p->count[ENTRY_PENDING], problems =
	    p->count[ENTRY_CHANGED] + p->count[ENTRY_MISSING] +
	    p->count[ENTRY_FAILED];
	const char *v = NULL;

	if (!kid.on)
		return;
	for (i = 0; i < p->n; i++)
		if (p->v[i].row)
			v = p->v[i].row->version;
	snprintf(kid.version, sizeof(kid.version), "%s", v ? v : "");
	buf_reset(&kid.note);
	if (v)
		buf_addf(&kid.note, "at %s", v);
	else
		buf_adds(&kid.note, "nothing applied");
	kid.kind = problems ? OUT_CHANGED : pending ? OUT_BEHIND : d->n ?
	    OUT_DRIFTED : OUT_OK;
	if (pending)
		buf_addf(&kid.note, ", %zu pending", pending);
	if (p->count[ENTRY_CHANGED])
		buf_addf(&kid.note, ", %zu changed", p->count[ENTRY_CHANGED]);
	if (p->count[ENTRY_MISSING])
		buf_addf(&kid.note, ", %zu missing", p->count[ENTRY_MISSING]);
	if (p->count[ENTRY_FAILED])
		buf_addf(&kid.note, ", %zu failed", p->count[ENTRY_FAILED]);
	if (d->n)
		buf_addf(&kid.note, ", schema drifted (%zu difference%s)",
		    d->n, d->n == 1 ? "" : "s");
	if (kid.kind == OUT_OK)
		buf_adds(&kid.note, ", up to date");
}

/* The parent's SIGINT and SIGTERM: stop starting, tell the children. */
static int sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t stopped;

static void
on_stop(int sig)
{
	int e = errno;

	stopped = sig;
	/* a full pipe has a wake-up waiting already */
	(void)!write(sigpipe[1], "", 1);
	errno = e;
}

/* A second signal ends the parent at once; the children finish alone. */
static int
catch_stop(void)
{
	struct sigaction sa;

	if (pipe(sigpipe) < 0)
		return -1;
	fcntl(sigpipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sigpipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

/* Reads f (from its start) into b. */
static int
read_stream(FILE *f, struct buf *b)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	return ferror(f) ? -1 : 0;
}

/* The fleet as named: --db..., --db-list..., else DATABASE_URLS. */
static int
gather(const struct cli *c, struct dblist *l, struct dblist *bad,
    struct buf *err)
{
	const struct globals *g = c->g;
	struct buf text = BUF_INIT;
	char *urls = NULL;
	FILE *f;
	int i, ret = 0;

	for (i = 0; i < g->ndbs; i++)
		dblist_add(l, g->dbs[i], NULL);
	for (i = 0; ret == 0 && i < g->nlists; i++) {
		buf_reset(&text);
		f = strcmp(g->lists[i], "-") == 0 ? stdin :
		    fopen(g->lists[i], "r");
		if (f == NULL || read_stream(f, &text) < 0) {
			dblist_add(bad, g->lists[i], strerror(errno));
			if (f && f != stdin)
				fclose(f);
			continue;
		}
		if (f != stdin)
			fclose(f);
		ret = dblist_add_lines(l, strcmp(g->lists[i], "-") == 0 ?
		    "(standard input)" : g->lists[i], text.buf, text.len, err);
	}
	if (ret == 0 && g->ndbs == 0 && g->nlists == 0)
		ret = config_get(g->env_file ? g->env_file : ".env",
		    g->env_file != NULL, "DATABASE_URLS", &urls, err);
	if (urls)
		dblist_add_words(l, urls, "DATABASE_URLS");
	free(urls);
	buf_release(&text);
	return ret;
}

static void
add_member(struct fleet *f, const char *url, const char *where,
    const char *bad)
{
	struct member *m;

	f->m = xreallocarray(f->m, f->n + 1, sizeof(*f->m));
	m = &f->m[f->n++];
	m->url = xstrdup(url);
	m->shown = store_display_url(url);
	m->where = where ? xstrdup(where) : NULL;
	m->bad = bad ? xstrdup(bad) : NULL;
}

/* Each name, a glob's matches in their place. */
static void
expand(struct fleet *f, const struct dblist *l)
{
	struct buf why = BUF_INIT;
	glob_t gl;
	size_t i, j;
	int r;

	for (i = 0; i < l->n; i++) {
		if (!dblist_is_glob(l->v[i])) {
			add_member(f, l->v[i], l->where[i], NULL);
			continue;
		}
		r = glob(l->v[i], 0, NULL, &gl);
		if (r != 0) {
			buf_reset(&why);
			buf_addf(&why, "%s", r == GLOB_NOMATCH ? "the glob "
			    "matches no file" : "the glob could not be read");
			add_member(f, l->v[i], l->where[i], why.buf);
			continue;
		}
		for (j = 0; j < gl.gl_pathc; j++)
			add_member(f, gl.gl_pathv[j], l->where[i], NULL);
		globfree(&gl);
	}
	buf_release(&why);
}

/*
 * The key one database has however it is named: a file's device and
 * inode when it exists, else its path as written, cleaned; a server's
 * URL without its password. A name no driver takes is bad.
 */
static char *
member_key(struct member *m)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT, err = BUF_INIT, key = BUF_INIT;
	unsigned flags;
	struct stat st;
	char *k;

	if (store_driver(m->url, &ops, &target, &flags, &err) < 0) {
		m->bad = buf_detach(&err, NULL);
		buf_release(&target);
		return NULL;
	}
	if (!driver_target_is_file(ops))
		k = dblist_url_key(target.buf);
	else {
		/* t/x/../a.db is t/a.db even when there is no t/x */
		k = dblist_path_key(target.buf);
		if (stat(target.buf, &st) == 0 || stat(k, &st) == 0)
			buf_addf(&key, "file %llu %llu",
			    (unsigned long long)st.st_dev,
			    (unsigned long long)st.st_ino);
		else
			buf_addf(&key, "path %s", k);
		free(k);
		k = buf_detach(&key, NULL);
	}
	buf_release(&target);
	buf_release(&err);
	return k;
}

struct keyed {
	char *key;
	size_t i;
};

static int
keyed_cmp(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int r = strcmp(a->key, b->key);

	return r ? r : a->i < b->i ? -1 : a->i > b->i;
}

/* A database named twice runs once: the later names are bad. */
static void
find_duplicates(struct fleet *f)
{
	struct keyed *k = xcalloc(f->n + 1, sizeof(*k));
	struct buf why = BUF_INIT;
	size_t i, nk = 0;

	for (i = 0; i < f->n; i++) {
		if (f->m[i].bad)
			continue;
		k[nk].key = member_key(&f->m[i]);
		if (k[nk].key)
			k[nk++].i = i;
	}
	qsort(k, nk, sizeof(*k), keyed_cmp);
	for (i = 1; i < nk; i++) {
		struct member *first, *dup;

		if (strcmp(k[i].key, k[i - 1].key) != 0)
			continue;
		first = &f->m[k[i - 1].i];
		dup = &f->m[k[i].i];
		buf_reset(&why);
		buf_addf(&why, "the same database as '%s'%s%s%s: run once",
		    first->shown, first->where ? " (" : "", first->where ?
		    first->where : "", first->where ? ")" : "");
		dup->bad = xstrdup(why.buf);
		k[i].i = k[i - 1].i;	/* a third names the first too */
	}
	for (i = 0; i < nk; i++)
		free(k[i].key);
	free(k);
	buf_release(&why);
}

static void
fleet_release(struct fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->m[i].url);
		free(f->m[i].shown);
		free(f->m[i].where);
		free(f->m[i].bad);
	}
	free(f->m);
	for (i = 0; i < f->nvers; i++)
		free(f->ver[i]);
	free(f->ver);
	free(f->nver);
	buf_release(&f->failed);
	if (f->have_pre)
		runner_release(&f->pre);
}

/* ---- the children ---- */

/* The last non-empty line of out, without its full stop. */
static void
last_line(struct buf *b, const struct buf *out)
{
	size_t end = out->len, start;

	while (end && (out->buf[end - 1] == '\n' || out->buf[end - 1] == ' '))
		end--;
	start = end;
	while (start && out->buf[start - 1] != '\n')
		start--;
	if (end > start && out->buf[end - 1] == '.')
		end--;
	buf_add(b, out->buf + start, end - start);
}

/* out's last paragraph: why verify --live failed, which it prints. */
static void
last_paragraph(struct buf *b, const struct buf *out)
{
	size_t end = out->len, start;

	while (end && out->buf[end - 1] == '\n')
		end--;
	for (start = end; start > 1; start--)
		if (out->buf[start - 1] == '\n' && out->buf[start - 2] == '\n')
			break;
	if (start == 1)
		start = 0;
	buf_add(b, out->buf + start, end - start);
	buf_addch(b, '\n');
}

/* What the child did, in a few words: "3 applied". */
static void
child_summary(struct buf *b, const struct buf *out, int code,
    const char *idle)
{
	static const struct {
		int ev;
		const char *word;
	} words[] = {
		{ EV_ROLLED_BACK, "rolled back" }, { EV_APPLIED, "applied" },
		{ EV_DRYRUN, "would be applied" }, { EV_STAMPED, "stamped" },
		{ EV_REPAIRED, "repaired" }, { EV_SEEDED, "seeded" },
		{ EV_ADOPTED, "adopted" },
	};
	size_t i;

	if (kid.kind >= 0) {
		buf_adds(b, kid.note.buf);
		return;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (kid.ev[words[i].ev])
			buf_addf(b, "%s%zu %s", b->len ? ", " : "",
			    kid.ev[words[i].ev], words[i].word);
	if (b->len == 0 && code == EXIT_OK && idle)
		buf_adds(b, idle);
	if (b->len == 0 && code == EXIT_OK)
		last_line(b, out);
	if (b->len == 0 && code == EXIT_OK)
		buf_adds(b, "done");
}

/*
 * The record a child sends: a line "code ret ms kind nsum nerr nout
 * version", then the summary, its stderr and (for JSON) its stdout.
 */
static void
child_send(int fd, int code, double ms, const struct buf *out,
    const struct buf *err, int with_out, const char *idle)
{
	struct buf rec = BUF_INIT, sum = BUF_INIT;

	child_summary(&sum, out, code, idle);
	buf_addf(&rec, "%d %d %.3f %d %zu %zu %zu %s\n", code, kid.ret, ms,
	    kid.kind, sum.len, err->len, with_out ? out->len : 0,
	    *kid.version ? kid.version : "-");
	buf_add(&rec, sum.buf, sum.len);
	buf_add(&rec, err->buf, err->len);
	if (with_out)
		buf_add(&rec, out->buf, out->len);
	file_write_all(fd, rec.buf, rec.len);
	buf_release(&rec);
	buf_release(&sum);
}

/* Never returns: runs the command on member i, sends the record on fd. */
static void
child(struct fleet *f, struct slot *slots, size_t i, int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct cli *c = f->c;
	FILE *fo = tmpfile(), *fe = tmpfile();
	double t0 = clock_ms();
	int code = CLI_GO_ON, j, null;

	setpgid(0, 0);	/* a terminal's Ctrl-C reaches the parent alone */
	close(sigpipe[0]);
	close(sigpipe[1]);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	catch_signals();
	for (j = 0; j < f->jobs; j++)
		if (slots[j].pid)
			close(slots[j].fd);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	if (fo == NULL || fe == NULL) {
		buf_addf(&err, "runner: a temporary file for the output: %s\n",
		    strerror(errno));
		child_send(fd, EXIT_FAIL, 0, &out, &err, 0, NULL);
		_exit(EXIT_FAIL);
	}
	dup2(fileno(fo), STDOUT_FILENO);
	dup2(fileno(fe), STDERR_FILENO);
	kid.on = 1;
	/* The member's strings stand in for the parent's, freed first. */
	free(c->db);
	free(c->shown);
	c->db = f->m[i].url;
	c->shown = f->m[i].shown;
	c->nocreate = !(f->fc->create && c->g->create);
	c->schema_file = NULL;
	if (f->have_pre)
		runner_preread(&f->pre.files);
	if (c->g->wait)
		code = cli_wait(c, 60);
	if (code == CLI_GO_ON)
		code = f->a->cmd->fn(c, f->a);
	fflush(stdout);
	fflush(stderr);
	rewind(fo);
	rewind(fe);
	read_stream(fo, &out);
	read_stream(fe, &err);
	if (code != EXIT_OK && err.len == 0)
		last_paragraph(&err, &out);
	child_send(fd, code, clock_ms() - t0, &out, &err, f->json &&
	    f->status, f->fc->idle);
	_exit(code);
}

/* ---- the report ---- */

static void
progress_clear(const struct fleet *f)
{
	if (f->tty)
		fputs("\r\033[K", stderr);
}

static void
progress(const struct fleet *f)
{
	size_t bad = f->count[OUT_FAILED] + f->count[OUT_INTERRUPTED];

	if (!f->tty || f->done == f->n)
		return;
	fprintf(stderr, "[%zu/%zu] %zu ok", f->done, f->n, f->count[OUT_OK]);
	if (bad)
		fprintf(stderr, ", %zu failed", bad);
	fflush(stderr);
}

static void
print_time(FILE *out, double ms)
{
	if (ms >= 1000)
		fprintf(out, "%.1f s", ms / 1000);
	else
		fprintf(out, "%.0f ms", ms);
}

/* "runner: x\n..." as the lines a user reads: no prefix, no warnings. */
static void
error_lines(struct buf *b, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p >= 8 && strncmp(p, "runner: ", 8) == 0)
			p += 8;
		if (nl - p >= 9 && strncmp(p, "warning: ", 9) == 0)
			continue;
		if (nl > p)
			buf_addf(b, "%s%.*s", b->len ? "\n" : "", (int)(nl - p),
			    p);
	}
}

static void
count_version(struct fleet *f, const char *v)
{
	size_t i;

	for (i = 0; i < f->nvers; i++)
		if (strcmp(f->ver[i], v) == 0) {
			f->nver[i]++;
			return;
		}
	/* newest first, "(none)" last: the summary reads in a stable order */
	for (i = 0; i < f->nvers && strcmp(f->ver[i], "(none)") != 0 &&
	    (strcmp(v, "(none)") == 0 || version_cmp(f->ver[i], v) > 0); i++)
		;
	f->ver = xreallocarray(f->ver, f->nvers + 1, sizeof(*f->ver));
	f->nver = xreallocarray(f->nver, f->nvers + 1, sizeof(*f->nver));
	memmove(f->ver + i + 1, f->ver + i, (f->nvers - i) * sizeof(*f->ver));
	memmove(f->nver + i + 1, f->nver + i, (f->nvers - i) *
	    sizeof(*f->nver));
	f->ver[i] = xstrdup(v);
	f->nver[i] = 1;
	f->nvers++;
}

/* What one database's report says. */
struct result {
	enum outcome o;
	const char *reason;	/* skipped: why */
	const char *summary;
	const char *error;	/* lines, or NULL */
	const char *status;	/* status --json: the child's document */
	size_t nstatus;
	double ms;		/* < 0: not run */
	int code;
};

static void
json_row(struct fleet *f, const struct member *m, const struct result *r)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, f->rows++ ? ",\n  " : "\n  ");
	buf_adds(&b, "{\"database\": ");
	cli_json_str(&b, m->shown);
	buf_adds(&b, ", \"result\": ");
	cli_json_str(&b, outcome_json[r->o]);
	buf_adds(&b, ", \"reason\": ");
	cli_json_str(&b, r->reason);
	buf_adds(&b, ", \"summary\": ");
	cli_json_str(&b, r->summary && *r->summary ? r->summary : NULL);
	buf_adds(&b, ", \"error\": ");
	cli_json_str(&b, r->error);
	if (r->ms >= 0)
		buf_addf(&b, ", \"duration_ms\": %.3f, \"exit\": %d", r->ms,
		    r->code);
	else
		buf_adds(&b, ", \"duration_ms\": null, \"exit\": null");
	if (r->nstatus) {
		buf_adds(&b, ", \"status\": ");
		buf_add(&b, r->status, r->nstatus);
		while (b.len && b.buf[b.len - 1] == '\n')
			b.buf[--b.len] = '\0';
	}
	buf_addch(&b, '}');
	fwrite(b.buf, 1, b.len, stdout);
	buf_release(&b);
}

static void
text_line(const struct fleet *f, const struct member *m,
    const struct result *r)
{
	const char *p, *nl;

	if (f->c->g->quiet && r->o == OUT_OK)
		return;
	printf("%s %s", outcome_word[r->o], m->shown);
	if (r->o == OUT_SKIPPED)
		printf(" (%s)", r->reason);
	if (r->summary && *r->summary)
		printf(": %s", r->summary);
	if (r->error) {
		nl = strchr(r->error, '\n');
		printf("%s%.*s", r->summary && *r->summary ? "; " : ": ",
		    nl ? (int)(nl - r->error) : (int)strlen(r->error),
		    r->error);
	}
	if (r->ms >= 0) {
		fputs(" (", stdout);
		print_time(stdout, r->ms);
		putchar(')');
	}
	putchar('\n');
	/* the error's other lines (drift's differences...), indented */
	for (p = r->error ? strchr(r->error, '\n') : NULL; p; p = nl) {
		p++;
		nl = strchr(p, '\n');
		printf("    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
}

static void
skip_count(struct fleet *f, const char *why)
{
	size_t i;

	for (i = 0; f->skip[i].why && strcmp(f->skip[i].why, why) != 0; i++)
		;
	f->skip[i].why = why;
	f->skip[i].n++;
}

static void
report(struct fleet *f, size_t i, const struct result *r)
{
	const struct member *m = &f->m[i];

	f->done++;
	f->count[r->o]++;
	if (r->o == OUT_SKIPPED)
		skip_count(f, r->reason);
	if (r->o >= OUT_FAILED)
		f->problems++;
	if ((r->o == OUT_FAILED || r->o == OUT_INTERRUPTED) &&
	    f->nfailed++ < FAILED_LISTED)
		buf_addf(&f->failed, "  %s\n", m->shown);
	progress_clear(f);
	if (f->json)
		json_row(f, m, r);
	else
		text_line(f, m, r);
	fflush(stdout);
	progress(f);
	if (r->o >= OUT_FAILED && r->o != OUT_SKIPPED && f->c->g->fail_fast &&
	    f->stop == NULL)
		f->stop = "--fail-fast";
	if (r->o == OUT_SKIPPED && r->reason && strcmp(r->reason, "locked") ==
	    0 && f->c->g->fail_fast && f->stop == NULL)
		f->stop = "--fail-fast";
}

/* A member that is not run: a bad name, or the fleet stopped before it. */
static void
report_unrun(struct fleet *f, size_t i, const char *why)
{
	struct result r = { OUT_SKIPPED, why, NULL, NULL, NULL, 0, -1, 0 };

	if (f->m[i].bad) {
		r.o = OUT_FAILED;
		r.reason = NULL;
		r.error = f->m[i].bad;
	}
	report(f, i, &r);
}

/* The child's record in s->in (and its wait status) as a result. */
static void
report_child(struct fleet *f, struct slot *s, int wstatus)
{
	struct buf sum = BUF_INIT, err = BUF_INIT;
	struct result r = { OUT_FAILED, NULL, NULL, NULL, NULL, 0, -1, 1 };
	size_t nsum, nerr, nout;
	char *body, version[128] = "";
	int code, ret, kind, used = 0;
	double ms;

	if (sscanf(s->in.buf, "%d %d %lf %d %zu %zu %zu %n", &code, &ret, &ms,
	    &kind, &nsum, &nerr, &nout, &used) != 7 || used == 0 ||
	    (body = strchr(s->in.buf, '\n')) == NULL ||
	    (size_t)(body + 1 - s->in.buf) + nsum + nerr + nout != s->in.len) {
		if (WIFSIGNALED(wstatus))
			buf_addf(&err, "its process was killed by signal %d",
			    WTERMSIG(wstatus));
		else
			buf_addf(&err, "its process ended (exit %d) without a "
			    "report", WEXITSTATUS(wstatus));
		r.error = err.buf;
		report(f, s->i, &r);
		buf_release(&err);
		return;
	}
	if (body > s->in.buf + used)
		snprintf(version, sizeof(version), "%.*s",
		    (int)(body - s->in.buf - used), s->in.buf + used);
	if (strcmp(version, "-") == 0)
		*version = '\0';	/* nothing applied */
	body++;
	buf_add(&sum, body, nsum);
	error_lines(&err, body + nsum, nerr);
	r.summary = sum.buf;
	r.error = err.len ? err.buf : NULL;
	r.ms = ms;
	r.code = code;
	r.status = body + nsum + nerr;
	r.nstatus = nout;
	if (ret == RUNNER_EINTR || (stopped && code != EXIT_OK && kind < 0))
		r.o = OUT_INTERRUPTED;
	else if (ret == RUNNER_EBUSY) {
		r.o = OUT_SKIPPED;
		r.reason = "locked";
	}
	else if (kind >= 0 && ret == 0)
		r.o = (enum outcome)kind;
	else
		r.o = code == EXIT_OK ? OUT_OK : OUT_FAILED;
	if (r.o < OUT_FAILED && r.o != OUT_OK)
		r.error = NULL;	/* status's lines say it */
	if (kind >= 0 && ret == 0)
		count_version(f, *version ? version : "(none)");
	report(f, s->i, &r);
	buf_release(&sum);
	buf_release(&err);
}

/* ---- the pool ---- */

static int
start(struct fleet *f, struct slot *slots, struct slot *s, size_t i)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(f, slots, i, p[1]);
	}
	close(p[1]);
	s->pid = pid;
	s->fd = p[0];
	s->i = i;
	buf_reset(&s->in);
	return 0;
}

/* Tells each child at work to stop as a signal to runner would. */
static void
forward_stop(struct fleet *f, struct slot *slots)
{
	int j;

	for (j = 0; j < f->jobs; j++)
		if (slots[j].pid)
			kill(slots[j].pid, SIGINT);
}

/* Waits for output, reads it, and reports the children that ended. */
static void
wait_some(struct fleet *f, struct slot *slots, size_t *running)
{
	struct pollfd *pfd = xcalloc((size_t)f->jobs + 1, sizeof(*pfd));
	int *who = xcalloc((size_t)f->jobs + 1, sizeof(*who));
	char chunk[16384];
	int j, np = 0, st;
	ssize_t n;

	for (j = 0; j < f->jobs; j++)
		if (slots[j].pid) {
			pfd[np].fd = slots[j].fd;
			pfd[np].events = POLLIN;
			who[np++] = j;
		}
	pfd[np].fd = sigpipe[0];
	pfd[np].events = POLLIN;
	if (poll(pfd, (nfds_t)np + 1, -1) < 0 && errno != EINTR)
		goto out;
	if (stopped && f->stop == NULL) {
		f->stop = "interrupted";
		forward_stop(f, slots);
	}
	while (read(sigpipe[0], chunk, sizeof(chunk)) > 0)
		;
	for (j = 0; j < np; j++) {
		struct slot *s = &slots[who[j]];

		if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(s->fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_add(&s->in, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		close(s->fd);
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
		s->pid = 0;
		(*running)--;
		report_child(f, s, st);
	}
out:
	free(pfd);
	free(who);
}

/* The canary's, then the others': -j at a time, until told to stop. */
static void
run_pool(struct fleet *f)
{
	struct slot *slots = xcalloc((size_t)f->jobs, sizeof(*slots));
	size_t next = 0, running = 0, limit;
	int j;

	limit = f->c->g->canary && (size_t)f->c->g->canary < f->n ?
	    (size_t)f->c->g->canary : f->n;
	for (;;) {
		for (j = 0; j < f->jobs && !f->stop && !stopped &&
		    next < limit; j++) {
			if (slots[j].pid)
				continue;
			if (f->m[next].bad) {
				report_unrun(f, next++, NULL);
				continue;
			}
			if (start(f, slots, &slots[j], next) < 0) {
				struct result r = { OUT_FAILED, NULL, NULL,
				    strerror(errno), NULL, 0, -1, 1 };

				report(f, next++, &r);
				continue;
			}
			next++;
			running++;
		}
		if (stopped && f->stop == NULL)
			f->stop = "interrupted";
		if (running == 0 && !f->stop && next == limit && limit < f->n) {
			if (f->problems)
				f->stop = "the canary failed";
			else
				limit = f->n;
			continue;
		}
		if (running == 0 && (f->stop || next == f->n))
			break;
		if (running)
			wait_some(f, slots, &running);
	}
	for (; next < f->n; next++)
		report_unrun(f, next, f->stop);
	for (j = 0; j < f->jobs; j++)
		buf_release(&slots[j].in);
	free(slots);
}

/* ---- the summary ---- */

static void
summary_text(struct fleet *f)
{
	size_t i;
	int o;

	progress_clear(f);
	if (f->status && f->nvers) {
		fputs("Versions:", stdout);
		for (i = 0; i < f->nvers; i++)
			printf("%s %s on %zu database%s", i ? "," : "",
			    f->ver[i], f->nver[i], f->nver[i] == 1 ? "" : "s");
		putchar('\n');
	}
	printf("%zu ok", f->count[OUT_OK]);
	for (o = OUT_BEHIND; o < OUT_SKIPPED; o++)
		if (f->count[o])
			printf(", %zu %s", f->count[o], o == OUT_FAILED ?
			    "failed" : outcome_word[o]);
	for (i = 0; f->skip[i].why; i++)
		printf(", %zu skipped (%s)", f->skip[i].n, f->skip[i].why);
	printf(" of %zu database%s in ", f->n, f->n == 1 ? "" : "s");
	print_time(stdout, clock_ms() - f->t0);
	puts(".");
	if (f->nfailed) {
		printf("Failed:\n%s", f->failed.buf);
		if (f->nfailed > FAILED_LISTED)
			printf("  and %zu more\n", f->nfailed - FAILED_LISTED);
	}
}

static void
summary_json(struct fleet *f)
{
	struct buf b = BUF_INIT;
	size_t i;
	int o;

	buf_addf(&b, "\n], \"databases\": %zu", f->n);
	for (o = 0; o < OUT_N; o++)
		buf_addf(&b, ", \"%s\": %zu", outcome_json[o], f->count[o]);
	if (f->status) {
		buf_adds(&b, ", \"versions\": {");
		for (i = 0; i < f->nvers; i++) {
			buf_adds(&b, i ? ", " : "");
			cli_json_str(&b, f->ver[i]);
			buf_addf(&b, ": %zu", f->nver[i]);
		}
		buf_addch(&b, '}');
	}
	buf_addf(&b, ", \"duration_ms\": %.3f}\n", clock_ms() - f->t0);
	fwrite(b.buf, 1, b.len, stdout);
	buf_release(&b);
}

/* ---- the command ---- */

static const struct fleet_cmd *
fleet_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fleet_cmds) / sizeof(fleet_cmds[0]); i++)
		if (strcmp(fleet_cmds[i].name, name) == 0)
			return &fleet_cmds[i];
	return NULL;
}

/* Whether the options ask for a fleet rather than one database. */
static int
wants_fleet(const struct cli *c, const struct args *a)
{
	const struct globals *g = c->g;
	int i;

	if (g->ndbs > 1 || g->nlists || g->jobs || g->canary ||
	    g->fail_fast)
		return 1;
	for (i = 0; i < g->ndbs; i++)
		if (dblist_is_glob(g->dbs[i]))
			return 1;
	/* --json on a command that has none for one database */
	return arg_flag(a, "--json", NULL) && strcmp(a->cmd->name, "status");
}

static int
set_flag(struct args *a, const char *name)
{
	int i;

	for (i = 0; i < MAX_FLAGS && a->cmd->opts[i].name; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0) {
			a->val[i] = "";
			return 0;
		}
	return -1;
}

/* What a fleet refuses, and the question a destructive command asks. */
static int
fleet_check(struct fleet *f)
{
	struct buf q = BUF_INIT;
	size_t i, good = 0;
	int code = CLI_GO_ON;

	if (f->fc->need && !arg_flag(f->a, f->fc->need, NULL)) {
		fprintf(stderr, "runner: '%s' runs on a fleet only with %s\n",
		    f->fc->name, f->fc->need);
		return EXIT_USAGE;
	}
	if (arg_flag(f->a, "--output", NULL)) {
		fprintf(stderr, "runner: backup --output names one file: a "
		    "fleet's backups are named after each database\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < f->n; i++)
		good += f->m[i].bad == NULL;
	if (f->fc->ask && good) {
		buf_addf(&q, f->fc->ask, good);
		code = cli_confirm(f->a, q.buf);
		if (code == CLI_GO_ON)
			set_flag(f->a, "--yes");
	}
	buf_release(&q);
	return code;
}

/* The migrations, read and checked before any database is touched. */
static int
read_files(struct fleet *f)
{
	struct buf err = BUF_INIT;
	int ret;

	ret = runner_init(&f->pre, f->c->dirs, f->c->ndirs, &err);
	f->have_pre = 1;
	cli_warnings(&f->pre.files);
	if (ret < 0)
		return cli_fail(&err, ret);
	buf_release(&err);
	return CLI_GO_ON;
}

static int
fleet_jobs(const struct globals *g)
{
	long n;

	if (g->jobs)
		return g->jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int
fleet_exit(const struct fleet *f)
{
	if (f->problems)
		return EXIT_FAIL;
	if (f->gate && f->count[OUT_OK] != f->n)
		return EXIT_FAIL;
	return EXIT_OK;
}

static int
fleet_go(struct fleet *f)
{
	int code;

	if ((code = fleet_check(f)) != CLI_GO_ON)
		return code;
	if (f->fc->files && (code = read_files(f)) != CLI_GO_ON)
		return code;
	if (f->c->schema_file)
		fprintf(stderr, "runner: the schema file '%s' is not written "
		    "on a fleet\n", f->c->schema_file);
	if (catch_stop() < 0) {
		fprintf(stderr, "runner: a pipe: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	f->jobs = fleet_jobs(f->c->g);
	if ((size_t)f->jobs > f->n)
		f->jobs = (int)f->n;
	f->tty = !f->json && isatty(STDERR_FILENO);
	f->t0 = clock_ms();
	if (f->json)
		printf("{\"format\": 1, \"command\": \"%s\", \"results\": [",
		    f->fc->name);
	run_pool(f);
	if (f->json)
		summary_json(f);
	else
		summary_text(f);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	close(sigpipe[0]);
	close(sigpipe[1]);
	return fleet_exit(f);
}

int
cli_fleet(struct cli *c, struct args *a)
{
	struct fleet f;
	struct dblist l = DBLIST_INIT, bad = DBLIST_INIT;
	struct buf err = BUF_INIT;
	size_t i;
	int code;

	if (!wants_fleet(c, a) && (c->g->ndbs || c->g->nlists))
		return CLI_GO_ON;
	memset(&f, 0, sizeof(f));
	buf_init(&f.failed);
	if (gather(c, &l, &bad, &err) < 0) {
		code = cli_fail(&err, RUNNER_EUSAGE);
		goto out;
	}
	code = CLI_GO_ON;
	if (l.n + bad.n == 0)
		goto out;	/* one database: DATABASE_URL, .env, app.db */
	f.c = c;
	f.a = a;
	f.fc = fleet_cmd(a->cmd->name);
	f.json = arg_flag(a, "--json", NULL);
	f.status = strcmp(a->cmd->name, "status") == 0;
	f.gate = f.status && (arg_flag(a, "--exit-code", NULL) ||
	    arg_flag(a, "--quiet", NULL));
	if (f.fc == NULL) {
		fprintf(stderr, "runner: '%s' does not run on a fleet of "
		    "databases: name one with --db\n", a->cmd->name);
		code = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < bad.n; i++) {
		buf_reset(&err);
		buf_addf(&err, "the list could not be read: %s", bad.where[i]);
		add_member(&f, bad.v[i], NULL, err.buf);
	}
	expand(&f, &l);
	find_duplicates(&f);
	code = fleet_go(&f);
out:
	fleet_release(&f);
	dblist_release(&l);
	dblist_release(&bad);
	buf_release(&err);
	return code;
}
