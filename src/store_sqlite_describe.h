/*
 * store_sqlite_describe.h: an SQLite schema described by meaning
 * (text_schema.h), for the SQLite driver's describe operation.
 */
#ifndef RUNNER_STORE_SQLITE_DESCRIBE_H
#define RUNNER_STORE_SQLITE_DESCRIBE_H

#include <stddef.h>

#include <sqlite3.h>

#include "buf.h"
#include "text_schema.h"

/*
 * Appends to out every user table (its columns, primary key, UNIQUE, CHECK
 * and FOREIGN KEY constraints, from SQLite's pragmas where they describe
 * them), index, trigger and view, leaving out sqlite_ objects and the
 * bookkeeping tables (tracking_is_bookkeeping, table being runner's), and
 * sorts it. Names are lowercased, as SQLite compares
 * them. Returns 0 or RUNNER_EFAIL with a message in err.
 */
int sqlite_describe(sqlite3 *db, const char *table, struct schema *out,
    struct buf *err);

/*
 * Appends sql[0, len) to out in a canonical form: comments dropped, one
 * space between tokens (none inside parentheses or around '.'), keywords
 * uppercased, identifiers lowercased and quoted only when they must be.
 * Text that means the same to SQLite but is spaced, quoted or cased
 * differently gives the same result.
 */
void sqlite_sql_normalize(const char *sql, size_t len, struct buf *out);

#endif
