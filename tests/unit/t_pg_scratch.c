/*
 * The PostgreSQL driver's describe and open_scratch, which verify and
 * drift detection will use. Needs a server: tests/t2200-pg-scratch.sh runs
 * it with RUNNER_TEST_PG_URL set; alone it skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"

#ifdef HAVE_LIBPQ
#include <libpq-fe.h>

#include "store_pg.h"
#include "tap.h"

/* Opens a scratch database and runs sql in it, as a migration would. */
static struct store *
scratch_with(const char *url, const char *sql)
{
	struct buf err = BUF_INIT;
	struct store *s = NULL;
	size_t pos;
	int ret;

	ret = store_open_scratch(url, 5, &s, &err);
	if (ret == 0)
		ret = s->ops->begin(s, 0, &err);
	if (ret == 0)
		ret = s->ops->ensure_table(s, &err);
	if (ret == 0)
		ret = s->ops->exec(s, sql, strlen(sql), &pos, &err);
	if (ret == 0)
		ret = s->ops->commit(s, 0, &err);
	ok(ret == 0, "scratch database set up%s%s", err.len ? ": " : "",
	    err.buf);
	buf_release(&err);
	return s;
}

static const struct schema_obj *
find(const struct schema *sc, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (!strcmp(sc->v[i].kind, kind) && !strcmp(sc->v[i].name, name))
			return &sc->v[i];
	return NULL;
}

static void
describe(struct store *s, struct schema *sc)
{
	struct buf err = BUF_INIT;

	ok(s && s->ops->describe && s->ops->describe(s, sc, &err) == 0,
	    "describe%s%s", err.len ? ": " : "", err.buf);
	buf_release(&err);
}

/* How many databases named runner_scratch_* the server has. */
static long
scratch_count(const char *url)
{
	const char *keys[] = { "dbname", NULL }, *vals[] = { url, NULL };
	struct buf err = BUF_INIT;
	PGconn *c;
	PGresult *r;
	long n;

	if (pq_load(&err) < 0) {
		buf_release(&err);
		return -1;
	}
	c = PQconnectdbParams(keys, vals, 1);
	r = PQexec(c, "SELECT count(*) FROM pg_database "
	    "WHERE datname LIKE 'runner\\_scratch\\_%'");
	n = PQresultStatus(r) == PGRES_TUPLES_OK ?
	    atol(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	PQfinish(c);
	return n;
}

static const char schema_a[] =
    "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL "
    "UNIQUE, age int CHECK (age > 0));\n"
    "CREATE INDEX users_age ON users (age);\n"
    "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;\n"
    "CREATE TYPE mood AS ENUM ('sad', 'ok');\n";

/* The same meaning, written differently. */
static const char schema_b[] =
    "create type MOOD as enum ('sad', 'ok');\n"
    "create table USERS (\n  ID serial primary key,\n"
    "  EMAIL TEXT not null unique,\n  AGE integer check (AGE>0)\n);\n"
    "create index USERS_AGE on USERS(AGE);\n"
    "create view ADULTS as select ID from USERS where AGE>=18;\n";

static void
test_describe(const char *url)
{
	struct schema a = SCHEMA_INIT, b = SCHEMA_INIT;
	struct buf diff = BUF_INIT, err = BUF_INIT;
	const struct schema_obj *o;
	struct store *sa, *sb;
	size_t pos;

	sa = scratch_with(url, schema_a);
	sb = scratch_with(url, schema_b);
	is_int(scratch_count(url), 2, "two scratch databases exist");
	describe(sa, &a);
	describe(sb, &b);
	o = find(&a, "column", "users.email");
	is_str(o ? o->def : NULL, "text NOT NULL", "a column by meaning");
	ok(find(&a, "table", "users") && find(&a, "index", "users.users_age") &&
	    find(&a, "view", "adults") && find(&a, "type", "mood") &&
	    find(&a, "constraint", "users.users_age_check") &&
	    find(&a, "sequence", "users_id_seq"), "every kind of object");
	ok(!find(&a, "table", TRACKING_TABLE) &&
	    !find(&a, "column", TRACKING_TABLE ".version"),
	    "the tracking table is left out");
	is_int(schema_diff(&a, &b, 0, &diff), 0, "same meaning, no difference");
	if (diff.len)
		diag("# %s", diff.buf);
	buf_reset(&diff);
	ok(sb->ops->exec(sb, "ALTER TABLE users ADD COLUMN extra text", 39,
	    &pos, &err) == 0, "alter one");
	schema_release(&b);
	describe(sb, &b);
	is_int(schema_diff(&a, &b, 0, &diff), 1, "one difference");
	is_str(diff.buf, "added column users.extra\n", "named");
	store_close(sa);
	store_close(sb);
	is_int(scratch_count(url), 0, "closing drops the scratch databases");
	schema_release(&a);
	schema_release(&b);
	buf_release(&diff);
	buf_release(&err);
}

static void
test_no_createdb(const char *url)
{
	struct buf err = BUF_INIT;
	struct store *s = NULL;

	is_int(store_open_scratch(url, 5, &s, &err), -1,
	    "a user without CREATEDB gets no scratch database");
	ok(strstr(err.buf, "CREATEDB") != NULL, "and is told why: %s",
	    err.buf);
	ok(s == NULL, "and no store");
	buf_release(&err);
}

int
main(void)
{
	const char *url = getenv("RUNNER_TEST_PG_URL");
	const char *nocreate = getenv("RUNNER_TEST_PG_NOCREATE_URL");

	if (url == NULL) {
		puts("1..0 # SKIP needs a server: run by t2200-pg-scratch.sh");
		return 0;
	}
	test_describe(url);
	if (nocreate)
		test_no_createdb(nocreate);
	return done_testing();
}
#else
int
main(void)
{
	puts("1..0 # SKIP runner was built without libpq");
	return 0;
}
#endif
