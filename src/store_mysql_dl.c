/*
 * store_mysql_dl.c: libmariadb, loaded with dlopen() the first time a
 * MySQL or MariaDB database is opened, for the reason store_pg_dl.c loads
 * libpq: linking it would make every run pay for it and its TLS
 * libraries. The functions below have the library's names and signatures,
 * checked against mysql.h, and forward to the library's. A function the
 * driver needs is one more line in MY_FUNCS.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include <mysql.h>

#include "error.h"
#include "store_mysql_dl.h"
#include "banned.h"

/*
 * Every libmariadb function the driver calls, as X(return type, name,
 * (params), (args)), or V(name, (params), (args)) for those returning void.
 */
#define MY_FUNCS(X, V) \
	X(MYSQL *, mysql_init, (MYSQL *m), (m)) \
	X(int, mysql_options, (MYSQL *m, enum mysql_option o, const void *a), \
	    (m, o, a)) \
	X(MYSQL *, mysql_real_connect, (MYSQL *m, const char *host, \
	    const char *user, const char *pw, const char *db, unsigned port, \
	    const char *sock, unsigned long flags), \
	    (m, host, user, pw, db, port, sock, flags)) \
	V(mysql_close, (MYSQL *m), (m)) \
	X(int, mysql_real_query, (MYSQL *m, const char *q, unsigned long n), \
	    (m, q, n)) \
	X(MYSQL_RES *, mysql_store_result, (MYSQL *m), (m)) \
	X(MYSQL_RES *, mysql_use_result, (MYSQL *m), (m)) \
	V(mysql_free_result, (MYSQL_RES *r), (r)) \
	X(MYSQL_ROW, mysql_fetch_row, (MYSQL_RES *r), (r)) \
	X(unsigned long *, mysql_fetch_lengths, (MYSQL_RES *r), (r)) \
	X(unsigned int, mysql_num_fields, (MYSQL_RES *r), (r)) \
	X(my_ulonglong, mysql_num_rows, (MYSQL_RES *r), (r)) \
	X(unsigned int, mysql_field_count, (MYSQL *m), (m)) \
	X(my_bool, mysql_more_results, (MYSQL *m), (m)) \
	X(int, mysql_next_result, (MYSQL *m), (m)) \
	X(my_ulonglong, mysql_affected_rows, (MYSQL *m), (m)) \
	X(unsigned int, mysql_errno, (MYSQL *m), (m)) \
	X(const char *, mysql_error, (MYSQL *m), (m)) \
	X(const char *, mysql_sqlstate, (MYSQL *m), (m)) \
	X(unsigned int, mysql_warning_count, (MYSQL *m), (m)) \
	X(unsigned long, mysql_thread_id, (MYSQL *m), (m)) \
	X(unsigned long, mysql_real_escape_string, (MYSQL *m, char *to, \
	    const char *from, unsigned long n), (m, to, from, n)) \
	X(int, mysql_set_character_set, (MYSQL *m, const char *cs), (m, cs)) \
	X(int, mysql_select_db, (MYSQL *m, const char *db), (m, db)) \
	X(int, mysql_ping, (MYSQL *m), (m)) \
	X(char *, mysql_get_server_info, (MYSQL *m), (m)) \
	X(unsigned long, mysql_get_server_version, (MYSQL *m), (m)) \
	X(const char *, mysql_get_client_info, (void), ())

#define POINTER(ret, name, params, args) static ret (*p_##name) params;
#define POINTER_V(name, params, args) static void (*p_##name) params;
MY_FUNCS(POINTER, POINTER_V)

/*
 * The forwarders. my_load succeeded before any of them runs (the driver
 * calls it before connecting), and the pointers never change afterwards.
 */
#define FORWARD(ret, name, params, args) \
	ret STDCALL name params { return p_##name args; }
#define FORWARD_V(name, params, args) \
	void STDCALL name params { p_##name args; }
MY_FUNCS(FORWARD, FORWARD_V)

static void *lib;

int
my_load(struct buf *err)
{
	const char *path = getenv("RUNNER_LIBMARIADB");
	void *sym;

	if (lib)
		return 0;
	if (!path || !*path)
		path = "libmariadb.so.3";
	if (!(lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
		return buf_seterr(err, RUNNER_EFAIL, "cannot load libmariadb, "
		    "which MySQL and MariaDB databases need (Debian: apt "
		    "install libmariadb3): %s", dlerror());
	/* POSIX lets a dlsym result be converted to a function pointer. */
#define RESOLVE(ret, name, params, args) \
	if (!(sym = dlsym(lib, #name))) \
		goto missing; \
	p_##name = (ret (*) params)sym;
#define RESOLVE_V(name, params, args) RESOLVE(void, name, params, args)
	MY_FUNCS(RESOLVE, RESOLVE_V)
	return 0;
missing:
	/* Not dlclose: the pointers already set would point nowhere. */
	lib = NULL;
	return buf_seterr(err, RUNNER_EFAIL, "cannot use libmariadb '%s': %s",
	    path, dlerror());
}
