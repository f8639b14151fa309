/* Unit tests for planning (status states, migrate checks, rollback range, stamp) and .env parsing. */
#include <stdlib.h>

#include "tap.h"
#include "config.h"
#include "error.h"
#include "plan.h"

static struct migset files = MIGSET_INIT;
static struct applied_set rows;

static void
add_file(const char *version, const char *name, const char *sum, int rev)
{
	struct migfile *f;

	files.v = xreallocarray(files.v, files.n + 1, sizeof(*files.v));
	f = &files.v[files.n++];
	memset(f, 0, sizeof(*f));
	f->version = xstrdup(version);
	f->name = xstrdup(name);
	f->path = xstrdup(name);
	snprintf(f->checksum, sizeof(f->checksum), "%s", sum);
	f->reversible = rev;
}

static void
add_row(const char *version, const char *sum, const char *state,
    const char *down)
{
	struct applied *a;

	rows.v = xreallocarray(rows.v, rows.n + 1, sizeof(*rows.v));
	a = &rows.v[rows.n++];
	memset(a, 0, sizeof(*a));
	a->version = xstrdup(version);
	a->name = xstrdup("n");
	a->checksum = sum ? xstrdup(sum) : NULL;
	a->state = state ? xstrdup(state) : NULL;
	a->has_down = down != NULL;
}

static void
reset_all(void)
{
	migset_release(&files);
	applied_set_release(&rows);
}

static void
test_states(void)
{
	struct plan p;

	add_file("1", "a", "crc32:00000001", 1);
	add_file("2", "b", "crc32:00000002", 1);
	add_file("10", "c", "crc32:00000003", 1);
	add_row("001", "crc32:00000001", "applied", NULL);
	add_row("2", "crc32:ffffffff", NULL, NULL);
	add_row("5", "crc32:00000005", "applied", "DROP TABLE x;");
	add_row("7", NULL, "failed", NULL);
	plan_build(&p, &files, &rows);
	is_int(p.n, 5, "merged entries");
	is_int(p.v[0].state, ENTRY_APPLIED, "001 row matches file 1");
	is_int(p.v[1].state, ENTRY_CHANGED, "different checksum: changed");
	is_int(p.v[2].state, ENTRY_MISSING, "row without file: missing");
	is_int(p.v[3].state, ENTRY_FAILED, "failed state");
	is_int(p.v[4].state, ENTRY_PENDING, "10 sorts after 7: pending");
	plan_release(&p);
	reset_all();
}

static void
test_migrate_checks(void)
{
	struct buf err = BUF_INIT;
	struct plan p;

	add_file("1", "a", "crc32:00000001", 1);
	add_file("2", "b", "crc32:00000002", 1);
	add_file("3", "c", "crc32:00000003", 1);
	add_row("1", "crc32:00000001", "applied", NULL);
	add_row("3", "crc32:00000003", "applied", NULL);
	plan_build(&p, &files, &rows);
	ok(plan_check_migrate(&p, NULL, 0, &err) == RUNNER_EFAIL,
	    "pending 2 older than applied 3: refused");
	ok(strstr(err.buf, "--allow-out-of-order") != NULL,
	    "message names the option");
	buf_reset(&err);
	ok(plan_check_migrate(&p, NULL, 1, &err) == 0, "allowed with the option");
	plan_release(&p);
	reset_all();

	add_file("1", "a", "crc32:00000001", 1);
	add_row("1", "crc32:0000000f", "applied", NULL);
	add_row("2", "legacy-md5", "applied", NULL);
	plan_build(&p, &files, &rows);
	ok(plan_check_migrate(&p, NULL, 0, &err) == RUNNER_EFAIL,
	    "changed checksum: refused");
	ok(strstr(err.buf, "repair") != NULL, "message says how to proceed");
	ok(!checksum_differs("legacy-md5", "crc32:00000001"),
	    "unknown algorithm is not a mismatch");
	ok(!checksum_differs(NULL, "crc32:00000001"), "NULL is not a mismatch");
	plan_release(&p);
	reset_all();
	buf_release(&err);
}

static void
test_rollback(void)
{
	const struct plan_entry *v[8];
	struct buf err = BUF_INIT;
	struct plan p;
	size_t n;

	add_file("1", "a", "crc32:00000001", 0);
	add_file("2", "b", "crc32:00000002", 1);
	add_file("3", "c", "crc32:00000003", 1);
	add_row("1", NULL, NULL, NULL);
	add_row("2", NULL, NULL, NULL);
	add_row("3", NULL, NULL, NULL);
	add_row("4", NULL, NULL, "DROP TABLE d;");
	plan_build(&p, &files, &rows);
	ok(plan_rollback(&p, NULL, v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0]->row->version, "4") == 0,
	    "no target: the newest, even with its file gone");
	ok(plan_rollback(&p, "1", v, &n, &err) == 0 && n == 3 &&
	    strcmp(v[2]->row->version, "2") == 0, "to 1: 4, 3, 2");
	ok(plan_rollback(&p, "0", v, &n, &err) == RUNNER_EFAIL,
	    "to 0 crosses irreversible 1: refused");
	ok(strstr(err.buf, "irreversible") != NULL, "says irreversible");
	buf_reset(&err);
	ok(plan_rollback(&p, "9", v, &n, &err) == RUNNER_EFAIL,
	    "target not applied: refused");
	plan_release(&p);
	reset_all();
	buf_release(&err);
}

static void
test_stamp(void)
{
	const struct plan_entry *v[8];
	struct buf err = BUF_INIT;
	struct plan p;
	size_t n;

	add_file("1", "a", "crc32:00000001", 1);
	add_file("2", "b", "crc32:00000002", 1);
	add_file("3", "c", "crc32:00000003", 1);
	add_file("4", "d", "crc32:00000004", 1);
	add_row("2", "crc32:00000002", NULL, NULL);
	add_row("9", "crc32:00000009", NULL, NULL);
	plan_build(&p, &files, &rows);
	ok(plan_stamp(&p, "003", v, &n, &err) == 0 && n == 2 &&
	    strcmp(v[0]->file->version, "1") == 0 &&
	    strcmp(v[1]->file->version, "3") == 0,
	    "up to 3: the pending 1 and 3, oldest first, not applied 2");
	ok(plan_stamp(&p, "2", v, &n, &err) == 0 && n == 1,
	    "up to an applied one: the pending below it");
	ok(plan_stamp(&p, "9", v, &n, &err) == RUNNER_EFAIL && n == 0,
	    "9 is applied but has no file: refused");
	is_str(err.buf, "no migration file has version 9", "says so");
	plan_release(&p);
	reset_all();
	buf_reset(&err);

	add_file("1", "a", "crc32:00000001", 1);
	add_file("2", "b", "crc32:00000002", 1);
	add_file("3", "c", "crc32:00000003", 1);
	add_row("1", "crc32:00000001", "failed", NULL);
	add_row("2", "crc32:ffffffff", NULL, NULL);
	plan_build(&p, &files, &rows);
	ok(plan_stamp(&p, "1", v, &n, &err) == RUNNER_EFAIL &&
	    strstr(err.buf, "recorded as failed") && strstr(err.buf, "repair"),
	    "a failed migration up to target: refused, pointing at repair");
	buf_reset(&err);
	plan_release(&p);
	applied_set_release(&rows);
	add_row("2", "crc32:ffffffff", NULL, NULL);
	plan_build(&p, &files, &rows);
	ok(plan_stamp(&p, "3", v, &n, &err) == RUNNER_EFAIL &&
	    strstr(err.buf, "has changed") && strstr(err.buf, "repair"),
	    "a changed one: refused, pointing at repair");
	ok(plan_stamp(&p, "1", v, &n, &err) == 0 && n == 1,
	    "below the changed one: fine");
	plan_release(&p);
	reset_all();
	buf_release(&err);
}

/* The value of key after parsing text, or NULL; "ERR:" and the message. */
static char *
env_value(const char *text, const char *key)
{
	struct dotenv d;
	struct buf err = BUF_INIT;
	const char *v;
	char *out;

	if (dotenv_parse(".env", text, strlen(text), &d, &err) < 0) {
		out = xstrdup(err.buf);
		buf_release(&err);
		return out;
	}
	v = dotenv_get(&d, key);
	out = v ? xstrdup(v) : NULL;
	dotenv_release(&d);
	return out;
}

static void
test_dotenv_nul(void)
{
	static const char nul[] = "A=1\nB\0=2\n";
	struct dotenv d;
	struct buf err = BUF_INIT;

	ok(dotenv_parse(".env", nul, sizeof(nul) - 1, &d, &err) < 0,
	    "a NUL byte is an error");
	is_str(err.buf, ".env:2: NUL byte in the line", "... naming its line");
	buf_release(&err);
}

static void
test_dotenv(void)
{
	static const struct {
		const char *text, *key, *want, *title;
	} cases[] = {
		{ "# comment\nexport DATABASE_URL = \"sqlite:a b.db\"\n",
		    "DATABASE_URL", "sqlite:a b.db", "quoted value with export" },
		{ "MIGRATIONS_DIR=db/migrations # where they live\n",
		    "MIGRATIONS_DIR", "db/migrations", "inline comment stripped" },
		{ "DATABASE_URL=\"app2.db\"  # local\n", "DATABASE_URL",
		    "app2.db", "quoted value followed by a comment" },
		{ "OTHER=1\nMIGRATIONS_DIRX=no\n", "NOPE", NULL, "absent key" },
		{ "A=1\r\n\n  \nA='2'\n", "A", "2", "the last one wins" },
		{ "A=x#y\n", "A", "x#y", "a # inside a bare value stays" },
		{ "A=1\nDATABASE_URL\n", "A",
		    ".env:2: expected KEY=VALUE, found 'DATABASE_URL'",
		    "a line without = is an error" },
		{ "A B=1\n", "A", ".env:1: 'A B' is not a variable name",
		    "a bad name is an error" },
		{ "\n\nA=\"open\n", "A", ".env:3: the value has no closing \"",
		    "an unclosed quote is an error" },
		{ "A='x' y\n", "A",
		    ".env:1: unexpected 'y' after the closing quote",
		    "text after the quote is an error" },
		{ "=1\n", "A", ".env:1: '' is not a variable name",
		    "an empty name is an error" },
	};
	size_t i;
	char *v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = env_value(cases[i].text, cases[i].key);
		if (cases[i].want)
			is_str(v, cases[i].want, cases[i].title);
		else
			ok(v == NULL, "%s", cases[i].title);
		free(v);
	}
	test_dotenv_nul();
}

int
main(void)
{
	test_states();
	test_migrate_checks();
	test_rollback();
	test_stamp();
	test_dotenv();
	return done_testing();
}
