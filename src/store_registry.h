/*
 * store_registry.h: which driver a database URL names.
 */
#ifndef RUNNER_STORE_REGISTRY_H
#define RUNNER_STORE_REGISTRY_H

#include "buf.h"

struct store_ops;

/*
 * The driver for url, what it gets as target in *target (a path, or the
 * server URL with dbmate's parameters translated for libpq) and its open
 * flags (STORE_READONLY for mode=ro). sqlite:, sqlite3: and file: names
 * are read case-insensitively, their query string is never part of the
 * path, and an unknown parameter is an error (RUNNER_EUSAGE).
 */
int store_driver(const char *url, const struct store_ops **ops,
    struct buf *target, unsigned *flags, struct buf *err);
/* Appends the drivers built in, with their library versions. */
void store_drivers(struct buf *out);

#endif
