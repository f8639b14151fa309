/*
 * runner_peer.h: the histories other migration tools keep in a database
 * (dbmate,
 * goose, golang-migrate, Flyway, sqlx, diesel): recognising their tables
 * and reading what they recorded, over the driver interface.
 */
#ifndef RUNNER_RUNNER_PEER_H
#define RUNNER_RUNNER_PEER_H

#include <stddef.h>

#include "buf.h"
#include "store.h"

enum peer {
	PEER_DBMATE,
	PEER_GOOSE,
	PEER_GOLANG_MIGRATE,
	PEER_FLYWAY,
	PEER_SQLX,
	PEER_DIESEL,
	PEER_MAX
};

/* What a tool's latest entry for a version says. */
enum peer_state {
	PEER_APPLIED,
	PEER_FAILED,		/* Flyway success = false, sqlx success = false */
	PEER_NOT_APPLIED	/* goose: the latest row has is_applied false */
};

struct peer_row {
	char *version;		/* as the tool recorded it */
	char *name;		/* its description, or NULL */
	char *applied_at;	/* "YYYY-MM-DD HH:MM:SS[+HH:MM]", or NULL */
	char *where;		/* the row, for messages: "id=4" */
	enum peer_state state;
};

/* One tool's history as found in the database. */
struct peer_history {
	enum peer tool;
	char *table;		/* where it was found */
	struct peer_row *v;	/* one per version, sorted by version */
	size_t n;
	/*
	 * golang-migrate (its one row) and Flyway (a baseline): every
	 * migration up to this version counts as applied; NULL otherwise.
	 */
	struct peer_row *upto;
	int dirty;		/* golang-migrate's dirty flag */
};

/* Where each tool's table was found (NULL: not there). */
struct peer_found {
	char *table[PEER_MAX];
	size_t n;
};

/* "dbmate", "golang-migrate", ...; and back (-1 when unknown). */
const char *peer_name(enum peer p);
int peer_parse(const char *name);
/* "dbmate, goose, golang-migrate, flyway, sqlx, diesel" */
const char *peer_names(void);

/*
 * Looks for every tool's table: dbmate's and golang-migrate's under
 * runner's table name (table) or their default schema_migrations, the
 * others under their own names. A table that carries a tool's name but
 * not its columns is an error naming both. Release f with
 * peer_found_release.
 */
int peer_detect(struct store *s, const char *table, struct peer_found *f,
    struct buf *err);
void peer_found_release(struct peer_found *f);

/*
 * After load_applied found no history of runner's own (found is its
 * answer, nrows its rows): fails, naming the tool and what to run, when
 * another tool has one (beside an empty runner table: one that records
 * something), or when runner's table name holds something that is
 * neither runner's nor a tool's; 0 when runner's history is not empty or
 * the database has none yet.
 */
int peer_refuse(struct store *s, enum tracking_found found, size_t nrows,
    struct buf *err);

/*
 * Reads tool's history from the table peer_detect found it in. NULL,
 * duplicate and non-numeric versions, and rows no tool writes, are errors
 * naming the table and the row. Release h with peer_history_release.
 */
int peer_read(struct store *s, enum peer tool, const char *table,
    struct peer_history *h, struct buf *err);
void peer_history_release(struct peer_history *h);

/*
 * A tool's timestamp text ("2024-01-02T03:04:05.678+00") as runner
 * stores it: "2024-01-02 03:04:05", with "+00:00" when it had a zone.
 * Appends nothing when raw is not a timestamp. No I/O.
 */
void peer_time(const char *raw, struct buf *out);

#endif
