/* Unit tests for planning (status states, migrate checks, rollback range, stamp) and .env parsing. */
#include <stdlib.h>

#include "tap.h"
#include "file_config.h"
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
	ok(plan_rollback(&p, NULL, 0, v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0]->row->version, "4") == 0,
	    "no target: the newest, even with its file gone");
	ok(plan_rollback(&p, "1", 0, v, &n, &err) == 0 && n == 3 &&
	    strcmp(v[2]->row->version, "2") == 0, "to 1: 4, 3, 2");
	ok(plan_rollback(&p, "0", 0, v, &n, &err) == RUNNER_EFAIL,
	    "to 0 (no migration 0: all) crosses irreversible 1: refused");
	ok(strstr(err.buf, "irreversible") != NULL, "says irreversible");
	buf_reset(&err);
	ok(plan_rollback(&p, NULL, 1, v, &n, &err) == RUNNER_EFAIL,
	    "--all crosses irreversible 1: refused");
	ok(strstr(err.buf, "irreversible") != NULL, "says irreversible");
	buf_reset(&err);
	ok(plan_rollback(&p, "9", 0, v, &n, &err) == RUNNER_EFAIL,
	    "target not applied: refused");
	plan_release(&p);
	reset_all();
	buf_release(&err);
}

/* rollback VERSION keeps VERSION, also 0 when a migration has it. */
static void
test_rollback_zero(void)
{
	const struct plan_entry *v[8];
	struct buf err = BUF_INIT;
	struct plan p;
	size_t n;

	add_file("0000", "zero", "crc32:00000001", 1);
	add_file("1.1", "a", "crc32:00000002", 1);
	add_file("1.2", "b", "crc32:00000003", 1);
	add_row("0000", NULL, NULL, NULL);
	add_row("1.1", NULL, NULL, NULL);
	add_row("1.2", NULL, NULL, NULL);
	plan_build(&p, &files, &rows);
	ok(plan_rollback(&p, "0", 0, v, &n, &err) == 0 && n == 2 &&
	    strcmp(v[1]->row->version, "1.1") == 0,
	    "rollback 0 with a migration 0000 keeps it");
	ok(plan_rollback(&p, "1_1", 0, v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0]->row->version, "1.2") == 0,
	    "rollback 1_1 keeps 1.1: versions compare part by part");
	ok(plan_rollback(&p, NULL, 1, v, &n, &err) == 0 && n == 3 &&
	    strcmp(v[2]->row->version, "0000") == 0, "--all undoes 0000 too");
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

/* dotenv_parse's value of key in text, or its error, as one string. */
static char *
dotenv(const char *text, const char *key, const char *(*env)(const char *))
{
	struct buf err = BUF_INIT;
	char *v = NULL;

	if (dotenv_parse(".env", text, strlen(text), key, env, &v, &err) < 0)
		return buf_detach(&err, NULL);
	buf_release(&err);
	return v;
}

static const char *
fake_env(const char *name)
{
	if (strcmp(name, "HOME") == 0)
		return "/home/u";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "PATH") == 0)
		return "/bin";
	return NULL;
}

static void
check_env(const char *text, const char *key, const char *want,
    const char *what)
{
	char *v = dotenv(text, key, fake_env);

	is_str(v, want, "%s", what);
	free(v);
}

static void
test_dotenv_nul(void)
{
	static const char nul[] = "A=1\nB\0=2\n";
	struct buf err = BUF_INIT;
	char *v = NULL;

	ok(dotenv_parse(".env", nul, sizeof(nul) - 1, "A", fake_env, &v,
	    &err) < 0, "a NUL byte is an error");
	is_str(err.buf, ".env:2: NUL byte in the line", "... naming its line");
	free(v);
	buf_release(&err);
}

static void
test_dotenv(void)
{
	const char *env = "# comment\nexport DATABASE_URL = \"sqlite:a b.db\"\n"
	    "MIGRATIONS_DIR=db/migrations # where they live\n"
	    "OTHER=1\nMIGRATIONS_DIRX=no\n";
	char *big;

	check_env(env, "DATABASE_URL", "sqlite:a b.db", "quoted value with "
	    "export");
	check_env(env, "MIGRATIONS_DIR", "db/migrations", "inline comment "
	    "stripped");
	check_env("DATABASE_URL=\"app2.db\"  # local\n", "DATABASE_URL",
	    "app2.db", "quoted value followed by a comment");
	check_env(env, "NOPE", NULL, "absent key");
	check_env("APP=shop\nDATABASE_URL=sqlite:db/${APP}.sqlite3\n",
	    "DATABASE_URL", "sqlite:db/shop.sqlite3", "${VAR} from an earlier "
	    "line");
	check_env("D=${HOME}/x\n", "D", "/home/u/x", "${VAR} from the "
	    "environment");
	check_env("D=${NOPE:-fallback}/${EMPTY:-e}/${EMPTY-kept}\n", "D",
	    "fallback/e/", "defaults: :- when unset or empty, - when unset");
	check_env("D=a${NOPE}b\n", "D", "ab", "an unset variable is empty");
	check_env("D='${HOME}'\n", "D", "${HOME}", "single quotes: no "
	    "expansion");
	check_env("D=\"${HOME} x\"\n", "D", "/home/u x", "double quotes: "
	    "expanded");
	check_env("PATH=${PATH}:/x\n", "PATH", "/bin:/x", "self-reference "
	    "with a value in the environment");
	check_env("A=1\nA=${A}2\n", "A", "12", "self-reference with an "
	    "earlier value");
	check_env("A=${A}\n", "A", ".env:1: 'A' refers to itself and has no "
	    "earlier value (not in the environment, nor on an earlier line)",
	    "self-reference with no value: an error naming file and line");
	check_env("X=1\nD=sqlite:${APP\n", "X", ".env:2: unterminated '${' "
	    "in the value of 'D'", "unterminated ${: an error, whatever key");
	check_env("D=${}\n", "D", ".env:1: '${}' is not ${VAR} or "
	    "${VAR:-default}", "empty name");
	big = xcalloc(DOTENV_LINE_MAX + 16, 1);
	memcpy(big, "\nD=", 3);
	memset(big + 3, 'x', DOTENV_LINE_MAX);
	check_env(big, "D", ".env:2: line too long (65538 bytes; at most "
	    "65536)", "a line over the limit");
	free(big);
	check_env("A=1\r\n\n  \nA='2'\n", "A", "2", "the last one wins");
	check_env("A=x#y\n", "A", "x#y", "a # inside a bare value stays");
	check_env("A=1\nDATABASE_URL\n", "A", ".env:2: expected KEY=VALUE, "
	    "found 'DATABASE_URL'", "a line without = is an error");
	check_env("A B=1\n", "A", ".env:1: 'A B' is not a variable name",
	    "a bad name is an error");
	check_env("=1\n", "A", ".env:1: '' is not a variable name",
	    "an empty name is an error");
	check_env("\n\nA=\"open\n", "A", ".env:3: the value has no closing \"",
	    "an unclosed quote is an error");
	check_env("A='x' y\n", "A", ".env:1: unexpected 'y' after the closing "
	    "quote", "text after the quote is an error");
	test_dotenv_nul();
}

int
main(void)
{
	test_states();
	test_migrate_checks();
	test_rollback();
	test_rollback_zero();
	test_stamp();
	test_dotenv();
	return done_testing();
}
