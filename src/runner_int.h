/*
 * runner_int.h: what the operations (runner_*.c) share: running one section
 * the way migrate does, with errors naming the file and line
 * (runner_section.c), and the drift record's hooks (runner_drift.c).
 */
#ifndef RUNNER_RUNNER_INT_H
#define RUNNER_RUNNER_INT_H

#include "runner.h"

/* What one section run needs: its SQL and where it came from. */
struct section_run {
	const char *text;	/* whole text the section lives in */
	size_t tlen;
	size_t off;		/* the section: text[off, off + len) */
	size_t len;
	unsigned flags;		/* SECTION_* */
	const char *where;	/* file path, or a description of stored SQL */
};

/* The STORE_* flags for a section's SECTION_* options. */
unsigned store_flags(unsigned section_flags);
/*
 * Reads the SQL file at path whole into s (its text, normalized, in
 * *text, freed by the caller); a NUL byte is an error naming the line.
 */
int sql_file_section(const char *path, char **text, struct section_run *s,
    struct buf *err);
/*
 * Points s at section sec of m; messages name sec's file (where, only
 * for a section without one).
 */
void section_of(struct section_run *s, const struct migration *m,
    const struct section *sec, const char *where);
/* Runs s on r->store; on failure err gets "where:line: message". */
int exec_section(struct runner *r, const struct section_run *s,
    struct buf *err);
/* Commits with flags fl; an error found then (foreign keys) names s. */
int commit_section(struct runner *r, const struct section_run *s,
    unsigned fl, struct buf *err);
/* Runs s in its own transaction (unless it says otherwise), as migrate does. */
int run_section(struct runner *r, const struct section_run *s,
    struct buf *err);

/*
 * A section's statements, on a store whose DDL commits implicitly
 * (store_ddl_commits: MySQL), where a section holding such a statement
 * cannot be atomic and runs statement by statement.
 */
struct step {
	size_t start, end;	/* in the section */
	char *commits;		/* why it commits implicitly, or NULL */
};
struct steps {
	struct step *v;
	size_t n;
	size_t ncommit;		/* how many commit implicitly */
};
/* Splits s into st (nothing on other stores); errors name file:line. */
int section_steps(struct runner *r, const struct section_run *s,
    struct steps *st, struct buf *err);
void steps_release(struct steps *st);
/* Runs statement i of st alone; on failure err gets "where:line: message". */
int exec_step(struct runner *r, const struct section_run *s,
    const struct steps *st, size_t i, struct buf *err);
/*
 * What the tracking row says of a section run statement by statement:
 * statements [0, done) are committed, and statement at (when below st->n)
 * failed (STEP_FAILED) or was started (STEP_STARTED). The text of one
 * partly applied begins with STEPS_PARTLY.
 */
enum { STEP_NONE, STEP_FAILED, STEP_STARTED };
#define STEPS_PARTLY "partly applied: "
void steps_note(const struct section_run *s, const struct steps *st,
    size_t done, size_t at, int what, struct buf *out);
/*
 * Whether s cannot be atomic on r->store: a statement of it commits
 * implicitly; why then says which ("line 3's CREATE TABLE").
 */
int section_unatomic(struct runner *r, const struct section_run *s,
    struct buf *why, struct buf *err);

/*
 * runner_drift.c, around the changes a command makes. r->drift says what the
 * run knows: DRIFT_OFF, no record kept (or not started); DRIFT_CLEAN, the
 * schema was what the record says when the run began and only runner has
 * changed it since, so it can be recorded as it is; DRIFT_DIRTY, it cannot
 * be trusted (drift, no record), so the record is replayed; DRIFT_KEEP, a
 * record written part-way is right and must stay (a transaction:false
 * section failed after it).
 */
enum { DRIFT_OFF, DRIFT_CLEAN, DRIFT_DIRTY, DRIFT_KEEP };

/* Before a run's first change, with r->rows current: sets r->drift. */
void drift_start(struct runner *r);
/*
 * Records the schema for the rows now applied, inside the caller's
 * transaction: as it is (DRIFT_CLEAN), else as replayed.
 */
int drift_settle(struct runner *r, struct buf *err);
/*
 * After a change to the rows alone (repair), inside its transaction: a
 * record that was right for before stays right, for the new rows.
 */
int drift_rows_changed(struct runner *r, const struct applied_set *before,
    struct buf *err);
/*
 * Replays the up sections of the migrations plan shows applied into sr's
 * store; 1 with why set when it cannot (drift_unknown_past, a failure).
 */
int drift_replay(const struct plan *plan, struct runner *sr, struct buf *why);
/* Says in why when e cannot be replayed: what ran is not known. */
int drift_unknown_past(const struct plan_entry *e, struct buf *why);

/*
 * Takes the run lock (store.h's lock_run), when the driver has one:
 * whole commands that change the database never interleave.
 */
int runner_lock_run(struct runner *r, struct buf *err);
/*
 * A tracking row for file f as migration m recorded it (its checksum and
 * down section), with copies of its strings: applied_release it.
 */
void runner_fill_row(struct applied *row, const struct migfile *f,
    const struct migration *m, double ms, const char *state);
/*
 * migset_read of f, one of r's files, with ${flyway:table} naming r's
 * tracking table.
 */
int runner_read_file(struct runner *r, const struct migfile *f,
    struct migration *m, struct buf *err);

#endif
