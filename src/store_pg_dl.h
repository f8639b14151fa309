/*
 * store_pg_dl.h: libpq, loaded on first use so that SQLite runs never
 * load it.
 */
#ifndef RUNNER_STORE_PG_DL_H
#define RUNNER_STORE_PG_DL_H

#include "buf.h"

/*
 * Loads libpq : $RUNNER_LIBPQ, else libpq.so.5. Call it before
 * any libpq function; later calls return at once.
 */
int pq_load(struct buf *err);

#endif
