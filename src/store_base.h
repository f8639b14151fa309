/*
 * store_base.h: what every open database is, whatever its driver: the
 * struct each driver's own starts with, and the flags of the calls.
 */
#ifndef RUNNER_STORE_BASE_H
#define RUNNER_STORE_BASE_H

/* open flags */
#define STORE_NOCREATE	0x1	/* fail with RUNNER_ENOENT if it does not exist */
#define STORE_READONLY	0x2	/* open read-only (mode=ro, immutable=1) */

/* begin/commit flags: the options of the section being run */
#define STORE_NOTX	0x1	/* no wrapping transaction */
#define STORE_FKOFF	0x2	/* foreign keys off; checked before commit */

/* A driver: opaque above the drivers (store_driver.h). */
struct store_ops;

struct store {
	const struct store_ops *ops;
	char *display;		/* the database as shown to users */
	/*
	 * Set by a driver that notices the schema changed between two of its
	 * own statements, by someone else (SQLite: the schema cookie moved
	 * while runner held no transaction); runner_drift.c then trusts nothing it
	 * did not replay itself.
	 */
	int foreign_ddl;
	char *table;		/* the tracking table's name (store_set_table);
				   drivers start it as TRACKING_TABLE */
};

#endif
