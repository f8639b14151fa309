/*
 * runner_int.h: what runner.c shares with verify.c: running one section
 * the way migrate does, with errors naming the file and line.
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
/* Points s at section sec of m; where names it in messages. */
void section_of(struct section_run *s, const struct migration *m,
    const struct section *sec, const char *where);
/* Runs s on r->store; on failure err gets "where:line: message". */
int exec_section(struct runner *r, const struct section_run *s,
    struct buf *err);
/* Commits with flags fl; an error found then (foreign keys) names s. */
int commit_section(struct runner *r, const struct section_run *s,
    unsigned fl, struct buf *err);

/*
 * Takes the run lock (store.h's lock_run), when the driver has one:
 * whole commands that change the database never interleave.
 */
int runner_lock_run(struct runner *r, struct buf *err);
/*
 * A tracking row for file f as migration m recorded it (its checksum and
 * down section): row borrows f's strings; free row->down_sql.
 */
void runner_fill_row(struct applied *row, const struct migfile *f,
    const struct migration *m, double ms, const char *state);

#endif
