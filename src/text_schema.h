/*
 * text_schema.h: a database schema described by meaning, as a sorted list of
 * objects, so two schemas can be compared whatever text created them.
 * Drivers fill it (store_ops.describe); verify and drift compare two. The
 * same list also carries the objects a drift record keeps (runner_drift.c),
 * so it can be written as text, read back and digested.
 */
#ifndef RUNNER_TEXT_SCHEMA_H
#define RUNNER_TEXT_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * One object. kind is "table", "column", "index", "trigger", "view" or
 * what else the driver describes ("constraint", "sequence", "function",
 * "type" ...). name is qualified for parts of a table ("users.email").
 * def is a canonical description: equal meaning gives equal text, so
 * two objects are the same when kind, name and def are equal.
 *
 * Kind SCHEMA_COLUMN_ORDER (named by its table, def the table's columns in
 * order, "id, name, email") is compared apart: only the relative order of
 * the columns both sides have counts, so an added or removed column is
 * reported once, as itself.
 */
struct schema_obj {
	char *kind;
	char *name;
	char *def;
};

struct schema {
	struct schema_obj *v;	/* sorted by kind, then name, by schema_sort */
	size_t n, alloc;
};
#define SCHEMA_INIT { NULL, 0, 0 }

#define SCHEMA_COLUMN_ORDER "column order"

/* Copies the three strings. */
void schema_add(struct schema *s, const char *kind, const char *name,
    const char *def);
void schema_sort(struct schema *s);
void schema_release(struct schema *s);

/* schema_diff flags */
#define SCHEMA_IGNORE_COLUMN_ORDER	0x1

/*
 * Compares two sorted schemas. Appends one line per difference to out,
 * "added KIND NAME", "removed KIND NAME" or "changed KIND NAME: OLD -> NEW"
 * (from a to b), and returns how many there were. The parts of a table
 * only one schema has ("t.x" when table t is added or removed) are left
 * out: the table's line covers them.
 */
size_t schema_diff(const struct schema *a, const struct schema *b,
    unsigned flags, struct buf *out);

/*
 * An order-free digest of a set of objects: the count and the sum of a
 * 64-bit hash of each (kind, name, def). Equal sets give equal digests
 * whatever order they are added in, and one object can be taken out again.
 */
struct schema_digest {
	uint64_t sum;
	uint64_t n;
};
#define SCHEMA_DIGEST_INIT { 0, 0 }
/* "count:sum in hex": at most this long, with its NUL */
#define SCHEMA_DIGEST_LEN 40

uint64_t schema_obj_hash(const char *kind, const char *name, const char *def);
void schema_digest_add(struct schema_digest *d, uint64_t h);
void schema_digest_remove(struct schema_digest *d, uint64_t h);
/* Writes the digest as text into out[SCHEMA_DIGEST_LEN]. */
void schema_digest_format(const struct schema_digest *d, char *out);
/* The digest of every object of s, as text. */
void schema_digest_of(const struct schema *s, char *out);

/*
 * Appends s as text, one object per line, "kind TAB name TAB def", with
 * backslash, tab and newline escaped; schema_decode reads it back (unsorted,
 * in the order written). Returns 0, or -1 for text that is not such lines.
 */
void schema_encode(const struct schema *s, struct buf *out);
/* One object's line of schema_encode. */
void schema_encode_obj(const char *kind, const char *name, const char *def,
    struct buf *out);
int schema_decode(const char *text, struct schema *out);

#endif
