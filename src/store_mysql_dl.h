/*
 * store_mysql_dl.h: MariaDB Connector/C (libmariadb, which speaks to MySQL
 * and MariaDB servers), loaded on first use so that other runs never load
 * it.
 */
#ifndef RUNNER_STORE_MYSQL_DL_H
#define RUNNER_STORE_MYSQL_DL_H

#include "buf.h"

/*
 * Loads libmariadb: $RUNNER_LIBMARIADB, else libmariadb.so.3. Call it
 * before any mysql_* function; later calls return at once.
 */
int my_load(struct buf *err);

#endif
