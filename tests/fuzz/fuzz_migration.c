/* libFuzzer harness: any bytes go straight to the migration-file parser. */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "migration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct migration m;

	if (migration_parse("fuzz.sql", (const char *)data, size, &m,
	    &err) == 0) {
		/* Sections must lie inside the text. */
		if (m.up.off + m.up.len > m.len ||
		    m.down.off + m.down.len > m.len)
			__builtin_trap();
		(void)migration_reversible(&m);
		migration_release(&m);
	}
	buf_release(&err);
	return 0;
}
