/*
 * text_lint.h: warnings about migrations that tend to hurt in production, found
 * in a parsed migration alone (no file or database I/O), so that they can
 * be unit-tested and fuzzed.
 */
#ifndef RUNNER_TEXT_LINT_H
#define RUNNER_TEXT_LINT_H

#include <stddef.h>

#include "buf.h"
#include "text_migration.h"

/*
 * Appends to out one line "path:line: warning: what\n" for each problem in
 * m, which was parsed from path and is written for dialect (LINT_*: the
 * lexer and the rules of that engine); line is where the offending
 * statement starts (for a missing or empty down section, the marker's
 * line). Returns how many lines it added. The warnings:
 *
 *   - no down section, or an empty one: the migration cannot be rolled back;
 *   - DROP TABLE or ALTER TABLE ... DROP COLUMN in an up section (a DROP
 *     TABLE x that a later ALTER TABLE ... RENAME TO x in the same section
 *     replaces is the table-rebuild procedure, and is left alone);
 *   - DELETE or UPDATE without a WHERE, in any section;
 *   - outside transaction:false, what SQLite cannot do inside a
 *     transaction: VACUUM, BEGIN/COMMIT/END/ROLLBACK, and setting PRAGMA
 *     journal_mode, synchronous or wal_checkpoint;
 *   - outside transaction:false, setting PRAGMA foreign_keys, which SQLite
 *     ignores inside a transaction;
 *   - PostgreSQL, outside transaction:false: what cannot run in a
 *     transaction block (a CONCURRENTLY statement, VACUUM, CREATE DATABASE
 *     ...) and transaction control runner refuses (COMMIT, ROLLBACK, BEGIN);
 *   - PostgreSQL, in an up section: CREATE INDEX without CONCURRENTLY, and
 *     ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT, on a table
 *     the section did not create;
 *   - MySQL/MariaDB, outside transaction:false: BEGIN, START TRANSACTION,
 *     COMMIT, ROLLBACK (not ROLLBACK TO); and, once per section, a section
 *     of two statements or more of which one commits implicitly (DDL, by
 *     text_mysqlsplit.h's list), which cannot be atomic;
 *   - MySQL/MariaDB: a DELIMITER line the mysql client refuses.
 *
 * Keywords inside strings, quoted identifiers, comments and trigger bodies
 * (SQLite), dollar quotes and BEGIN ATOMIC bodies (PostgreSQL), and
 * DELIMITER-ended bodies (MySQL) do not count; a MySQL versioned comment's
 * text (slash-star-bang) is code, as the server runs it.
 */
#define LINT_SQLITE	0
#define LINT_POSTGRESQL	1
#define LINT_MYSQL	2
size_t lint_migration(const char *path, const struct migration *m,
    int dialect, struct buf *out);

#endif
