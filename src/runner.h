/*
 * runner.h: the operations behind the commands, over the driver interface.
 * Nothing here prints: progress goes to the emit callback, errors to err.
 */
#ifndef RUNNER_RUNNER_H
#define RUNNER_RUNNER_H

#include <signal.h>

#include "buf.h"
#include "clock.h"
#include "file_migset.h"
#include "runner_peer.h"
#include "plan.h"
#include "store.h"

enum runner_event_type {
	EV_APPLIED,	/* a migration's up section ran and was recorded */
	EV_ROLLED_BACK,	/* a down section ran and the row was removed */
	EV_DRYRUN,	/* text: the SQL migrate would run */
	EV_SEEDED,	/* path: a seed file ran */
	EV_REPAIRED,	/* text: what repair changed */
	EV_STAMPED,	/* a migration was recorded as applied, not run */
	EV_ADOPTED,	/* another tool's record became runner's; text: when */
	EV_WARNING,	/* text: something the user should know */
	EV_VERIFY_OK,	/* verify: down undoes up exactly */
	EV_VERIFY_IRREVERSIBLE,	/* verify: no down section */
	EV_VERIFY_ASYMMETRIC,	/* verify: text: the differences, indented */
	EV_VERIFY_FAILED,	/* verify: text: "file:line: message" */
	EV_VERIFY_SKIPPED	/* verify: text: why it was not run */
};

struct runner_event {
	enum runner_event_type type;
	const char *version;
	const char *name;
	const char *path;
	const char *text;
	size_t len;
	unsigned flags;		/* the section's SECTION_* options */
	double ms;
};

struct runner {
	struct store *store;	/* borrowed; NULL: the database does not exist */
	const char *url;	/* the database's, for scratch databases */
	int lock_timeout;
	struct migset files;
	struct applied_set rows;
	struct plan plan;
	void (*emit)(void *arg, const struct runner_event *ev);
	void *arg;
	size_t done;		/* migrations applied or rolled back so far */
	int drift;		/* what this run knows of the schema (runner_drift.c) */
	size_t settled;		/* done when the drift record was last written */
	/*
	 * Read by runner_open_readonly's second thread with the rows, for
	 * runner_drift: the record's header and the live fingerprint.
	 */
	int prefetched;
	struct buf pre_header, pre_fp;
	volatile sig_atomic_t stop;	/* set by runner_stop */
};

struct migrate_opts {
	const char *target;	/* stop after this version; NULL for all */
	int dry_run;
	int single_tx;
	int allow_ooo;
};


/*
 * Asks the running operation to stop: the statement running now fails, its
 * transaction rolls back, and no further migration starts. Safe to call
 * from a signal handler.
 */
void runner_stop(struct runner *r);

/*
 * Reads the ndirs migrations folders dirs; 0, RUNNER_ENOENT or
 * RUNNER_EFAIL. Set r->store afterwards: files are checked before the
 * database is opened.
 */
int runner_init(struct runner *r, char *const *dirs, size_t ndirs,
    struct buf *err);
void runner_release(struct runner *r);
/*
 * Hands files, read and checked already (by a fleet's parent, before it
 * forks the child that calls this), to the next runner_init in this
 * process, which takes them instead of reading its folders; the caller
 * gives them up. A second runner_init reads the folders again.
 */
void runner_preread(struct migset *files);

/* Reads the applied rows (no lock) and builds r->plan. */
int runner_load(struct runner *r, struct buf *err);

/*
 * For read-only commands: runner_init and runner_load in one, reading the
 * migrations directory while a second thread opens the database (never
 * creating it; a missing one leaves r->store NULL) and reads its rows, and
 * with drift, what runner_drift first needs. The caller closes r->store
 * after runner_release.
 */
int runner_open_readonly(struct runner *r, char *const *dirs, size_t ndirs,
    const char *url, const char *table, int lock_timeout, int drift,
    struct buf *err);

int runner_migrate(struct runner *r, const struct migrate_opts *o,
    struct buf *err);
/*
 * Undoes the newest applied migration (target NULL), every one above
 * target (which stays applied; a 0 no migration has: all), or with all
 * every applied one.
 */
int runner_rollback(struct runner *r, const char *target, int all,
    struct buf *err);
/* Drops everything and applies every migration again. */
int runner_reset(struct runner *r, struct buf *err);
/* Applies every migration to a database with none, then each DIR/seeds. */
int runner_setup(struct runner *r, struct buf *err);
/*
 * Accepts changed checksums and forgets failed migrations, in one
 * transaction; an EV_REPAIRED per change once it is committed.
 */
int runner_repair(struct runner *r, struct buf *err);
/*
 * Records every pending migration up to target as applied without running
 * it (with its current checksum and down section), in one transaction
 * under the write lock; an EV_STAMPED each once committed. Refuses a target
 * no file has, and changed or failed migrations up to it.
 */
int runner_stamp(struct runner *r, const char *target, struct buf *err);

/* adopt: which tool's history (-1: the one there is), and what to allow. */
struct adopt_opts {
	int from;		/* enum peer, or -1 */
	int allow_missing;	/* record versions without a file */
};

struct adopt_entry {
	const struct migfile *file;	/* NULL: recorded, but no file */
	const char *version;		/* the file's, else the tool's */
	const char *name;
	const char *applied_at;		/* the tool's time, or NULL */
};

/* What adopt would record (and, after runner_adopt, did). */
struct adopt_plan {
	struct peer_history h;
	char *kept;		/* the tool's table's new name, or NULL */
	struct adopt_entry *v;	/* in version order */
	size_t n;
	size_t missing;		/* entries without a file */
};

void adopt_plan_release(struct adopt_plan *p);

/*
 * Plans adopting another tool's history on r->store (r->files read): the
 * migrations it recorded as applied, each with its file. Refuses, with
 * every reason in err (one a line): runner's own history not empty, no
 * tool's history or several without o->from, a golang-migrate dirty flag,
 * Flyway or sqlx failures, goose versions whose latest row says not
 * applied, recorded versions without a file (unless allow_missing),
 * files the tool never applied below its newest (out of order).
 */
int runner_adopt_plan(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *err);
/*
 * Plans again under the run lock and, in one transaction, renames the
 * tool's table if it has runner's table's name, creates runner's table
 * and records each entry as applied with the file's checksum and down
 * section and the tool's time; an EV_ADOPTED each once committed.
 */
int runner_adopt(struct runner *r, const struct adopt_opts *o,
    struct adopt_plan *p, struct buf *err);

/*
 * The schema file's text: the schema as show-schema prints it, then an
 * INSERT of the applied rows' versions, names and checksums.
 */
int schema_file_text(struct store *s, struct buf *out, struct buf *err);
/* Replaces the file at path with schema_file_text, atomically. */
int schema_file_write(struct store *s, const char *path, struct buf *err);
/*
 * Runs the SQL file at path on an empty database, in one transaction
 * under the run lock; refuses a database that holds anything.
 */
int runner_load_schema(struct runner *r, const char *path, struct buf *err);
/*
 * Until the database at url accepts connections, trying every quarter of
 * a second for up to timeout seconds or until *stop; waiting(arg, why)
 * is called once, at the first failure. A missing SQLite file counts as
 * ready (migrate creates it).
 */
int runner_wait(const char *url, int timeout, volatile sig_atomic_t *stop,
    void (*waiting)(void *arg, const char *why), void *arg,
    struct buf *err);

/* What runner_verify found, migration by migration. */
struct verify_counts {
	size_t ok, irreversible, asymmetric, failed;
	size_t skipped;		/* not run: it changes cluster-wide objects */
	size_t unchecked;	/* after a failure: not run */
};

/*
 * Checks every migration in r->files, in order, in a new scratch database
 * of the kind url names (store_open_scratch; url itself is never touched):
 * runs its up section; if it has a down, runs the down and compares the
 * schema with the one before the up, then the up again and compares with
 * the first up, by meaning (schema_diff with flags). Sections run as
 * migrate runs them (their transaction and foreign key options). Where
 * the driver has a content fingerprint, schemas are compared by it first,
 * and described only when it differs. A migration the scratch database
 * cannot run without changing the server outside it (RUNNER_ECLUSTER) is
 * reported as skipped, and the others are still checked; after one that
 * fails, nothing more is run. Emits one EV_VERIFY_* per migration. Returns
 * 0 when it could check (whatever it found), else a negative code.
 */
int runner_verify(struct runner *r, const char *url, int lock_timeout,
    unsigned flags, struct verify_counts *c, struct buf *err);

/* Drift: how a database's schema differs from its migrations'. */
struct drift {
	unsigned flags;		/* in: schema_diff's (SCHEMA_IGNORE_...) */
	int checked;		/* 0: why says why it could not be */
	struct buf why;
	struct buf diff;	/* "added table x\n"...: migrations' -> real */
	size_t n;		/* lines in diff */
	const char *source;	/* "record", "replay", or NULL: not checked */
	struct buf note;	/* why it replayed instead of using the record */
};

void drift_init(struct drift *d);
void drift_release(struct drift *d);

/*
 * Compares r->store's schema with what its applied migrations produce, by
 * meaning (with d->flags). That is the drift record's (runner_drift.c), when
 * one
 * was written for the applied rows: its fingerprint alone says there is no
 * drift, without describing anything. Otherwise (a database migrated by an
 * older runner, an interrupted run, a damaged record: d->note says which)
 * the up sections of the migrations r->plan shows applied are replayed into
 * a new scratch database of the kind url names; drift cannot be checked
 * (d->why) when an applied migration's file is missing or changed, a
 * migration is recorded as failed, or a replay fails. r->store may be NULL
 * (no database: nothing to check). Returns 0, or a negative code when
 * reading or describing a schema failed.
 */
int runner_drift(struct runner *r, const char *url, int lock_timeout,
    struct drift *d, struct buf *err);

/*
 * Writes a new, empty migration into dirs[0] in that folder's layout (a
 * new folder: want's, or runner's), with the next version above every
 * folder's in the layout's numbering (sequential or timestamps). *paths
 * gets the n files written (free with paths_free). name is cleaned to
 * [a-z0-9_]; a want that would mix layouts is refused.
 */
int runner_create(char *const *dirs, size_t ndirs, const char *name,
    const char *description, enum layout want, char ***paths, size_t *n,
    struct buf *err);

#endif
