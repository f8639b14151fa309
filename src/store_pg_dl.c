/*
 * store_pg_dl.c: libpq, loaded with dlopen() the first time a PostgreSQL
 * database is opened. Linking it would make every run, SQLite ones too,
 * load its 22 libraries (TLS, Kerberos, LDAP): 3.5 ms and 5 MiB more for
 * `runner status`. The functions below have libpq's names and signatures,
 * checked against libpq-fe.h, and forward to the library's.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "error.h"
#include "store_pg_dl.h"
#include "banned.h"

/*
 * Every libpq function the driver calls, as X(return type, name, (params),
 * (args)), or V(name, (params), (args)) for those returning void.
 */
#define PQ_FUNCS(X, V) \
	V(PQclear, (PGresult *r), (r)) \
	X(char *, PQgetvalue, (const PGresult *r, int t, int f), (r, t, f)) \
	X(int, PQgetisnull, (const PGresult *r, int t, int f), (r, t, f)) \
	X(int, PQntuples, (const PGresult *r), (r)) \
	X(ExecStatusType, PQresultStatus, (const PGresult *r), (r)) \
	X(char *, PQresultErrorField, (const PGresult *r, int c), (r, c)) \
	X(char *, PQcmdStatus, (PGresult *r), (r)) \
	X(PGresult *, PQexec, (PGconn *c, const char *q), (c, q)) \
	X(PGresult *, PQexecParams, (PGconn *c, const char *q, int n, \
	    const Oid *t, const char *const *v, const int *l, const int *f, \
	    int rf), (c, q, n, t, v, l, f, rf)) \
	X(int, PQsendQuery, (PGconn *c, const char *q), (c, q)) \
	X(PGresult *, PQgetResult, (PGconn *c), (c)) \
	X(int, PQgetCopyData, (PGconn *c, char **b, int a), (c, b, a)) \
	X(int, PQputCopyEnd, (PGconn *c, const char *m), (c, m)) \
	X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *c), \
	    (c)) \
	X(ConnStatusType, PQstatus, (const PGconn *c), (c)) \
	X(char *, PQerrorMessage, (const PGconn *c), (c)) \
	X(char *, PQhost, (const PGconn *c), (c)) \
	X(char *, PQhostaddr, (const PGconn *c), (c)) \
	X(char *, PQport, (const PGconn *c), (c)) \
	X(int, PQclientEncoding, (const PGconn *c), (c)) \
	X(int, PQserverVersion, (const PGconn *c), (c)) \
	X(int, PQmblen, (const char *s, int e), (s, e)) \
	X(char *, PQescapeLiteral, (PGconn *c, const char *s, size_t n), \
	    (c, s, n)) \
	X(char *, PQescapeIdentifier, (PGconn *c, const char *s, size_t n), \
	    (c, s, n)) \
	V(PQfreemem, (void *p), (p)) \
	X(PGconn *, PQconnectdbParams, (const char *const *k, \
	    const char *const *v, int e), (k, v, e)) \
	V(PQfinish, (PGconn *c), (c)) \
	X(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *c, \
	    PQnoticeReceiver p, void *a), (c, p, a)) \
	X(PGcancel *, PQgetCancel, (PGconn *c), (c)) \
	V(PQfreeCancel, (PGcancel *c), (c)) \
	X(int, PQcancel, (PGcancel *c, char *b, int n), (c, b, n)) \
	X(PQconninfoOption *, PQconninfo, (PGconn *c), (c)) \
	X(PQconninfoOption *, PQconninfoParse, (const char *c, char **e), \
	    (c, e)) \
	X(PQconninfoOption *, PQconndefaults, (void), ()) \
	V(PQconninfoFree, (PQconninfoOption *o), (o)) \
	X(int, PQlibVersion, (void), ())

#define POINTER(ret, name, params, args) static ret (*p_##name) params;
#define POINTER_V(name, params, args) static void (*p_##name) params;
PQ_FUNCS(POINTER, POINTER_V)

/*
 * The forwarders. pq_load succeeded before any of them runs (the driver
 * calls it before connecting), so the pointers are set, and never change
 * afterwards: the driver's signal handler may call PQcancel's.
 */
#define FORWARD(ret, name, params, args) \
	ret name params { return p_##name args; }
#define FORWARD_V(name, params, args) \
	void name params { p_##name args; }
PQ_FUNCS(FORWARD, FORWARD_V)

static void *lib;

int
pq_load(struct buf *err)
{
	const char *path = getenv("RUNNER_LIBPQ");
	void *sym;

	if (lib)
		return 0;
	if (!path || !*path)
		path = "libpq.so.5";
	if (!(lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
		return buf_seterr(err, RUNNER_EFAIL, "cannot load libpq, which "
		    "PostgreSQL databases need (Debian: apt install libpq5): "
		    "%s", dlerror());
	/* POSIX lets a dlsym result be converted to a function pointer. */
#define RESOLVE(ret, name, params, args) \
	if (!(sym = dlsym(lib, #name))) \
		goto missing; \
	p_##name = (ret (*) params)sym;
#define RESOLVE_V(name, params, args) RESOLVE(void, name, params, args)
	PQ_FUNCS(RESOLVE, RESOLVE_V)
	return 0;
missing:
	/* Not dlclose: the pointers already set would point nowhere. */
	lib = NULL;
	return buf_seterr(err, RUNNER_EFAIL, "cannot use libpq '%s': %s",
	    path, dlerror());
}
