/*
 * librunner.h: runner as a C library, for a program that migrates its own
 * database at start-up, from a migrations folder or from migrations
 * compiled into it (`runner embed DIR > migrations.c`). Installed as
 * <librunner.h>; link with `pkg-config --libs runner` (or --static).
 *
 * Errors: every function that can fail returns LIBRUNNER_OK (0) or a
 * negative LIBRUNNER_E* code, and leaves one message, lowercase and
 * complete ("near \"CREAT\": syntax error" with the file and line where
 * there is one), that librunner_errmsg(db) returns. The library never
 * prints, never exits, never installs signal handlers and never aborts on
 * bad input (NULL arguments, bad URLs, bad migrations are errors); only
 * running out of memory aborts. A migration that fails is rolled back
 * with its tracking row: the database is as it was before that migration.
 *
 * Ownership: strings passed in are borrowed for the duration of the call,
 * except the migrations given to librunner_load_embedded, which must stay
 * valid until the handle is closed or loads others (`runner embed` writes
 * them as static const data). Strings returned are owned by the handle and
 * valid until the next call on it. A handle is used by one thread at a
 * time; different handles are independent.
 */
#ifndef LIBRUNNER_H
#define LIBRUNNER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBRUNNER_VERSION "0.1.0"

/* Return codes: 0, or one of these (the same as runner's own). */
#define LIBRUNNER_OK		0
#define LIBRUNNER_EFAIL		(-1)	/* failed; the message says why */
#define LIBRUNNER_EUSAGE	(-2)	/* a bad argument: NULL, URL, name */
#define LIBRUNNER_ENOENT	(-3)	/* the folder does not exist */
#define LIBRUNNER_EBUSY		(-4)	/* a lock was not free in time */
#define LIBRUNNER_EINTR		(-5)	/* interrupted */
#define LIBRUNNER_ECLUSTER	(-6)	/* would change a whole server */
#define LIBRUNNER_EAFTER	(-7)	/* done, but a step after it failed */
#define LIBRUNNER_EIO		(-8)	/* the database's storage failed */

/* One database, opened by librunner_open. */
struct librunner;

/*
 * One migration compiled into a program, as `runner embed` writes it:
 * its files' text as written (the parser reads it at load time exactly
 * as runner reads the files, with the same checksum). Fill it by hand
 * only through runner embed: format and flags are its.
 */
struct librunner_migration {
	const char *version;	/* as recorded: "003", "20260101120000" */
	const char *name;	/* "add_comments" */
	const char *path;	/* the file it came from, for messages */
	const char *text;	/* the file's (the up file's) text */
	size_t text_len;
	const char *down_path;	/* a separate down file, or NULL */
	const char *down_text;
	size_t down_len;
	const char *conf_path;	/* diesel's or Flyway's settings, or NULL */
	const char *conf_text;
	size_t conf_len;
	unsigned format;	/* how the text is read */
	unsigned flags;
	const char *checksum;	/* "crc32:..." as the tracking table has it */
};

/*
 * Declares the array name and its length name_count that
 * `runner embed --name name` defines (default: runner_migrations).
 */
#define LIBRUNNER_DECLARE_EMBEDDED(name) \
	extern const struct librunner_migration name[]; \
	extern const size_t name##_count

/* librunner_open's settings; NULL for all defaults. */
struct librunner_options {
	const char *table;	/* the tracking table: NULL, "schema_migrations" */
	int lock_timeout;	/* seconds to wait for a lock; 0: 30; -1: none */
};

/* What librunner_status found, with the migrations loaded. */
struct librunner_status {
	const char *version;	/* the newest applied, or NULL: none */
	size_t applied;		/* applied, file unchanged */
	size_t pending;		/* not applied yet */
	size_t changed;		/* applied, but the file has changed since */
	size_t missing;		/* applied, but no migration has its version */
	size_t failed;		/* a transaction:false migration that failed */
};

/* librunner_migrate flags */
#define LIBRUNNER_ONE_TRANSACTION	0x1	/* all or nothing */
#define LIBRUNNER_OUT_OF_ORDER		0x2	/* apply ones older than the newest */

/*
 * Opens (creating it if needed) the database url names: a path, or
 * sqlite:PATH, sqlite:///PATH, postgres://... as runner's --db takes it.
 * *out is set even on failure (unless out is NULL: LIBRUNNER_EUSAGE), to a
 * handle that then only holds the message; close it either way.
 */
int librunner_open(const char *url, const struct librunner_options *opts,
    struct librunner **out);
/* Closes db and frees everything it owns; NULL is a no-op. */
void librunner_close(struct librunner *db);

/*
 * The migrations to migrate to and report on, replacing any loaded
 * before: every migration in folder dir, in any layout runner reads; or
 * the n migrations v (borrowed until close or the next load), which are
 * parsed and checked against their checksums here.
 */
int librunner_load_dir(struct librunner *db, const char *dir);
int librunner_load_embedded(struct librunner *db,
    const struct librunner_migration *v, size_t n);

/*
 * Applies the pending migrations up to version target (NULL: all), each
 * in its own transaction with its tracking row unless
 * LIBRUNNER_ONE_TRANSACTION; *applied (if not NULL) gets how many were.
 * Refuses, changing nothing, when an applied migration's file changed or
 * one failed. On a failure the migrations before the failing one stay
 * applied (none with LIBRUNNER_ONE_TRANSACTION). From the first call the
 * handle holds runner's run lock on the database until librunner_close
 * (another runner's migrate or rollback waits for it): close the handle
 * once the program has migrated.
 */
int librunner_migrate(struct librunner *db, const char *target,
    unsigned flags, size_t *applied);

/* Reads the tracking table and compares it with the migrations loaded. */
int librunner_status(struct librunner *db, struct librunner_status *st);

/*
 * The message of the last call on db that failed ("" after one that did
 * not), owned by db; for a NULL db, a message saying so.
 */
const char *librunner_errmsg(const struct librunner *db);

/* LIBRUNNER_VERSION of the library linked. */
const char *librunner_version(void);

#ifdef __cplusplus
}
#endif

#endif
