/*
 * libFuzzer harness: any bytes go straight to the migration-file parser,
 * and whatever parses goes on to lint, which tokenizes the SQL, by
 * SQLite's rules, by PostgreSQL's and by MySQL's.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "text_lint.h"
#include "text_migration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct migration m;
	size_t n;
	int dialect;

	if (migration_parse("fuzz.sql", (const char *)data, size, &m,
	    &err) == 0) {
		/* Sections must lie inside the text. */
		if (m.up.off + m.up.len > m.len ||
		    m.down.off + m.down.len > m.len)
			__builtin_trap();
		(void)migration_reversible(&m);
		for (dialect = LINT_SQLITE; dialect <= LINT_MYSQL;
		    dialect++) {
			buf_reset(&out);
			n = lint_migration("fuzz.sql", &m, dialect, &out);
			/* One line per warning, each ending in a newline. */
			if ((n == 0) != (out.len == 0) ||
			    (out.len && out.buf[out.len - 1] != '\n'))
				__builtin_trap();
		}
		migration_release(&m);
	}
	buf_release(&out);
	buf_release(&err);
	return 0;
}
