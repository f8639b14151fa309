/* cmd_status.c: `runner status`, as text in the Story Hub layout or as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* A row another tool inserted has no name: the file has one. */
static const char *
entry_name(const struct plan_entry *e)
{
	if (e->row && (*e->row->name || e->file == NULL))
		return e->row->name;
	return e->file->name;
}

static void
print_entry(const struct plan_entry *e)
{
	static const char marks[] = { 'X', ' ', '!', '?', 'F' };
	const struct applied *r = e->row;

	printf("  [%c] %s: %s", marks[e->state], r ? r->version :
	    e->file->version, entry_name(e));
	if (r && r->applied_at)
		printf(" (%s)", r->applied_at);
	if (e->file && e->file->empty)
		printf(" (empty: no SQL to run)");
	if (e->state == ENTRY_CHANGED)
		printf(" changed since applied: applied %s, file %s",
		    r->checksum, e->file->checksum);
	else if (e->state == ENTRY_MISSING)
		printf(" file is missing");
	else if (e->state == ENTRY_FAILED)
		printf(" %s: %s; check the database, then run 'runner repair'",
		    r->state, r->error ? r->error :
		    "interrupted, or running in another process");
	putchar('\n');
}

static void
last_line(const struct plan *p, const struct drift *d)
{
	size_t pending = p->count[ENTRY_PENDING];
	size_t problems = p->count[ENTRY_CHANGED] + p->count[ENTRY_MISSING] +
	    p->count[ENTRY_FAILED];

	if (problems)
		printf("%zu pending migration%s; %zu applied migration%s need%s "
		    "attention (marked [!], [?] or [F] above).\n", pending,
		    plural(pending), problems, plural(problems),
		    problems == 1 ? "s" : "");
	else if (pending)
		printf("%zu pending migration%s: run 'runner migrate' to apply "
		    "%s.\n", pending, plural(pending), pending == 1 ? "it" :
		    "them");
	else if (d->n)
		printf("All migrations are applied, but the schema has changed "
		    "outside them (%zu difference%s above).\n", d->n,
		    plural(d->n));
	else
		puts("Database is up to date!");
}

/*
 * drift: whether to print drift's section (a database, a check asked
 * for); shown: the database, when it does not exist.
 */
static void
print_text(const struct plan *p, const struct drift *d, int drift,
    const char *missing)
{
	size_t i, applied = p->n - p->count[ENTRY_PENDING];

	if (missing)
		printf("Database '%s' does not exist: every migration is "
		    "pending.\n", missing);
	printf("=== Migration Status ===\nApplied migrations: %zu\n"
	    "Pending migrations: %zu\n", applied, p->count[ENTRY_PENDING]);
	if (p->count[ENTRY_CHANGED])
		printf("Changed since applied: %zu\n", p->count[ENTRY_CHANGED]);
	if (p->count[ENTRY_MISSING])
		printf("Missing files: %zu\n", p->count[ENTRY_MISSING]);
	if (p->count[ENTRY_FAILED])
		printf("Failed: %zu\n", p->count[ENTRY_FAILED]);
	if (applied) {
		puts("\nApplied migrations:");
		for (i = p->n; i-- > 0;)
			if (p->v[i].row)
				print_entry(&p->v[i]);
	}
	if (p->count[ENTRY_PENDING]) {
		puts("\nPending migrations:");
		for (i = 0; i < p->n; i++)
			if (!p->v[i].row)
				print_entry(&p->v[i]);
	}
	if (drift)
		cli_print_drift(d, 0);
	putchar('\n');
	last_line(p, d);
}

static void
json_key(struct buf *b, const char *key, const char *val)
{
	buf_addf(b, ", \"%s\": ", key);
	cli_json_str(b, val);
}

static void
json_entry(struct buf *b, const struct plan_entry *e)
{
	const struct applied *r = e->row;

	buf_adds(b, "{\"version\": ");
	cli_json_str(b, r ? r->version : e->file->version);
	json_key(b, "name", entry_name(e));
	json_key(b, "state", entry_state_name(e->state));
	json_key(b, "file", e->file ? e->file->path : NULL);
	json_key(b, "applied_at", r ? r->applied_at : NULL);
	json_key(b, "checksum", r ? r->checksum : NULL);
	json_key(b, "file_checksum", e->file ? e->file->checksum : NULL);
	if (r && r->duration_ms >= 0)
		buf_addf(b, ", \"duration_ms\": %.3f", r->duration_ms);
	else
		buf_adds(b, ", \"duration_ms\": null");
	json_key(b, "error", r ? r->error : NULL);
	buf_addf(b, ", \"empty\": %s", e->file && e->file->empty ? "true" :
	    "false");
	buf_addch(b, '}');
}

static void
json_drift(struct buf *b, const struct drift *d)
{
	const char *p, *nl;
	int first = 1;

	buf_addf(b, ",\n \"drift\": {\"checked\": %s", d->checked ? "true" :
	    "false");
	json_key(b, "reason", d->checked || d->why.len == 0 ? NULL :
	    d->why.buf);
	json_key(b, "source", d->source);
	json_key(b, "note", d->note.len ? d->note.buf : NULL);
	buf_adds(b, ", \"differences\": [");
	for (p = d->diff.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		buf_adds(b, first ? "" : ", ");
		first = 0;
		cli_json_strn(b, p, (size_t)(nl - p));
	}
	buf_adds(b, "]}");
}

/* Each folder and the layout it was read in. */
static void
json_layouts(struct buf *b, const struct migset *files)
{
	size_t i;

	buf_adds(b, ", \"layouts\": [");
	for (i = 0; i < files->ndirs; i++) {
		buf_adds(b, i ? ", {\"dir\": " : "{\"dir\": ");
		cli_json_str(b, files->dirs[i].path);
		json_key(b, "layout", layout_name(files->dirs[i].layout));
		buf_addch(b, '}');
	}
	buf_addch(b, ']');
}

static void
print_json(const struct cli *c, const struct migset *files,
    const struct plan *p, const struct drift *d, int exists)
{
	struct buf b = BUF_INIT;
	size_t i, problems = p->count[ENTRY_CHANGED] +
	    p->count[ENTRY_MISSING] + p->count[ENTRY_FAILED];

	buf_adds(&b, "{\"format\": 1, \"database\": ");
	cli_json_str(&b, c->shown);
	buf_addf(&b, ", \"database_exists\": %s", exists ? "true" : "false");
	json_key(&b, "table", c->table);
	json_key(&b, "migrations_dir", c->dir);
	json_layouts(&b, files);
	buf_addf(&b, ", \"applied\": %zu, \"pending\": %zu, \"changed\": %zu, "
	    "\"missing\": %zu, \"failed\": %zu, \"up_to_date\": %s,\n"
	    " \"migrations\": [", p->n - p->count[ENTRY_PENDING],
	    p->count[ENTRY_PENDING], p->count[ENTRY_CHANGED],
	    p->count[ENTRY_MISSING], p->count[ENTRY_FAILED],
	    p->count[ENTRY_PENDING] + problems + d->n ? "false" : "true");
	for (i = 0; i < p->n; i++) {
		buf_adds(&b, i ? ",\n  " : "\n  ");
		json_entry(&b, &p->v[i]);
	}
	buf_adds(&b, "\n]");
	json_drift(&b, d);
	buf_adds(&b, "}\n");
	fwrite(b.buf, 1, b.len, stdout);
	buf_release(&b);
}

/* The database's name as the driver sees it: a path for SQLite. */
static char *
db_name(const char *url)
{
	const struct store_ops *ops;
	struct buf target = BUF_INIT, err = BUF_INIT;
	unsigned flags;

	if (store_driver(url, &ops, &target, &flags, &err) < 0 ||
	    !driver_target_is_file(ops)) {
		buf_release(&target);
		buf_release(&err);
		return store_display_url(url);
	}
	buf_release(&err);
	return buf_detach(&target, NULL);
}

int
cmd_status(struct cli *c, struct args *a)
{
	struct buf err = BUF_INIT;
	struct drift d;
	struct runner r;
	const struct plan *p;
	char *missing = NULL;
	int ret, code = EXIT_OK, no_drift = arg_flag(a, "--no-drift", NULL);
	int quiet = arg_flag(a, "--quiet", NULL);

	drift_init(&d);
	if (arg_flag(a, "--ignore-column-order", NULL))
		d.flags |= SCHEMA_IGNORE_COLUMN_ORDER;
	/* The replay costs about what migrating from scratch in memory does. */
	ret = runner_open_readonly(&r, c->dirs, c->ndirs, c->db, c->table,
	    c->g->lock_timeout, !no_drift && !quiet, &err);
	cli_warnings(&r.files);
	if (ret == 0 && r.store && (no_drift || quiet))
		buf_adds(&d.why, "skipped (--no-drift)");
	else if (ret == 0 && r.store)
		ret = runner_drift(&r, c->db, c->g->lock_timeout, &d, &err);
	if (ret < 0) {
		code = cli_fail(&err, ret);
		goto out;
	}
	p = &r.plan;
	if (r.store == NULL) {
		missing = db_name(c->db);
		buf_addf(&d.why, "the database '%s' does not exist", missing);
	}
	if (r.store == NULL && c->nocreate) {
		fprintf(stderr, "runner: database '%s' does not exist\n",
		    missing);
		code = EXIT_FAIL;
		goto out;
	}
	fleet_status(p, &d);
	if (quiet)
		;
	else if (arg_flag(a, "--json", NULL))
		print_json(c, &r.files, p, &d, r.store != NULL);
	else
		print_text(p, &d, r.store != NULL && !no_drift, missing);
	if ((quiet || arg_flag(a, "--exit-code", NULL)) &&
	    (p->count[ENTRY_APPLIED] != p->n || d.n))
		code = EXIT_FAIL;
out:
	free(missing);
	cli_close(&r);
	drift_release(&d);
	buf_release(&err);
	return code;
}
