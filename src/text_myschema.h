/*
 * text_myschema.h: the text of MySQL and MariaDB's SHOW CREATE statements
 * made stable (no AUTO_INCREMENT counter, no DEFINER, no event start
 * time) and, for tables, taken apart into objects by meaning, with no I/O.
 * The driver (store_mysql_schema.c) reads the text with
 * sql_quote_show_create off, so identifiers are quoted only where the
 * server must quote them.
 */
#ifndef RUNNER_TEXT_MYSCHEMA_H
#define RUNNER_TEXT_MYSCHEMA_H

#include "buf.h"
#include "text_schema.h"

/*
 * One table's SHOW CREATE TABLE text. Appends to ddl (if not NULL) the
 * statements that make it, for show-schema: the CREATE TABLE without its
 * AUTO_INCREMENT counter, holding the primary key, the constraints and the
 * indexes foreign keys are named after, then one CREATE INDEX per other
 * index. Adds to out (if not NULL) the table (def: its options), each
 * column, index and constraint ("name.part"; def: its definition without
 * its name) and its column order. Returns 0, or -1 for text that is not a
 * CREATE TABLE it can read (then nothing is added).
 */
int myschema_table(const char *name, const char *create, struct buf *ddl,
    struct schema *out);

/*
 * Appends the statement of SHOW CREATE VIEW, TRIGGER, PROCEDURE, FUNCTION,
 * EVENT or SEQUENCE without what differs between servers and between runs
 * of the same migrations: the DEFINER clause, a view's default
 * ALGORITHM=UNDEFINED and SQL SECURITY DEFINER, an event's STARTS time.
 */
void myschema_clean(const char *create, struct buf *out);

#endif
