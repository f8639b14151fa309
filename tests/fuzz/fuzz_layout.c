/*
 * libFuzzer harness for the layouts. The input is a folder listing, a
 * blank line, then a migration's text:
 *
 *   - each line of the listing is an entry's name; "name/" makes a folder,
 *     "name/child" a file in it; the listing goes to the folder scanner
 *     (layout_scan, then layout_decide) and each name to the version
 *     comparison and layout_file_format;
 *   - the text's first byte picks the format and the parse flags, and
 *     whether the rest is an up file and a down file (split in half) and a
 *     configuration file; it goes to migration_parse_src with a fake
 *     environment (goose's ENVSUB, Flyway's placeholders), then to lint.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text_layout.h"
#include "text_lint.h"
#include "text_migration.h"

#define MAXE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct listing {
	struct dir_entry e[MAXE];
	const char *kids[MAXE][8];
	char *names[MAXE * 2];
	size_t n, nnames;
};

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Version comparison is a total order: reflexive, antisymmetric. */
static void
check_versions(char *const *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (version_cmp(v[i], v[i]) != 0)
			__builtin_trap();
		for (j = 0; j < n; j++)
			if (sign(version_cmp(v[i], v[j])) !=
			    -sign(version_cmp(v[j], v[i])) ||
			    version_cmp(v[i], v[j]) != version_cmp_n(v[i],
			    strlen(v[i]), v[j], strlen(v[j])))
				__builtin_trap();
	}
}

static void
add_line(struct listing *l, const char *p, size_t len)
{
	char *name = strndup(p, len), *slash;
	size_t i;

	/* A real name holds no NUL: it ends the copy. */
	if (name == NULL || l->nnames == MAXE * 2)
		abort();
	slash = strchr(name, '/');
	l->names[l->nnames++] = name;
	if (slash == NULL) {
		if (l->n < MAXE && *name)
			l->e[l->n++].name = name;
		return;
	}
	*slash = '\0';
	for (i = 0; i < l->n; i++)
		if (l->e[i].is_dir && strcmp(l->e[i].name, name) == 0)
			break;
	if (i == l->n && (l->n == MAXE || !*name))
		return;
	if (i == l->n) {
		l->e[i].name = name;
		l->e[i].is_dir = 1;
		l->e[i].children = l->kids[i];
		l->n++;
	}
	if (slash[1] && l->e[i].nchildren < 8)
		l->kids[i][l->e[i].nchildren++] = slash + 1;
}

static void
scan_listing(const char *p, size_t len)
{
	struct layout_scan s = LAYOUT_SCAN_INIT;
	struct buf err = BUF_INIT;
	struct listing l;
	unsigned char marks[MAXE * 2];
	const char *nl, *end = p + len;
	unsigned flags;
	enum layout lay;
	size_t i;

	memset(&l, 0, sizeof(l));
	for (; p < end && l.nnames < MAXE * 2; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		add_line(&l, p, (size_t)(nl - p));
	}
	for (i = 0; i < l.nnames; i++)
		(void)layout_file_format(l.names[i], &flags);
	check_versions(l.names, l.nnames);
	if (layout_scan("m", l.e, l.n, &s, &err) == 0) {
		for (i = 0; i < s.n; i++) {
			/* Items are sorted, one per version, paths in m/. */
			if ((i && version_cmp(s.v[i - 1].version,
			    s.v[i].version) >= 0) || strncmp(s.v[i].up, "m/", 2))
				__builtin_trap();
			marks[i] = (unsigned char)(s.v[i].name[0] & 3);
		}
		(void)layout_decide("m", &s, marks, &lay, &err);
	} else if (err.len == 0)
		__builtin_trap();	/* an error always says why */
	layout_scan_release(&s);
	buf_release(&err);
	for (i = 0; i < l.nnames; i++)
		free(l.names[i]);
}

static const char *
lookup(void *arg, const char *name, size_t len, int placeholder)
{
	(void)arg;
	(void)placeholder;
	if (len && (name[0] == 'A' || name[0] == 'a'))
		return "value";
	if (len && name[0] == 'E')
		return "";
	return NULL;
}

static const struct parse_env env = { lookup, NULL };

static void
parse_text(const uint8_t *data, size_t size)
{
	struct migration_src src;
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct migration m;
	size_t third;

	if (size == 0)
		return;
	memset(&src, 0, sizeof(src));
	src.format = (enum text_format)(1 + data[0] % 3);
	src.flags = (data[0] >> 2) & 0xf;
	src.env = &env;
	src.path = "m/up.sql";
	src.data = (const char *)data + 1;
	src.len = size - 1;
	third = src.len / 3;
	if (data[0] & 0x80) {	/* the last third is a configuration file */
		src.cpath = "m/conf";
		src.cdata = src.data + src.len - third;
		src.clen = third;
		src.len -= third;
	}
	if ((data[0] & 0x40) && src.format == FORMAT_WHOLE) {
		src.dpath = "m/down.sql";
		src.ddata = src.data + src.len / 2;
		src.dlen = src.len - src.len / 2;
		src.len /= 2;
	}
	if (migration_parse_src(&src, &m, &err) == 0) {
		if (m.up.off + m.up.len > m.up.tlen || (m.down.present &&
		    m.down.off + m.down.len > m.down.tlen))
			__builtin_trap();
		(void)lint_migration("m/up.sql", &m, LINT_SQLITE, &out);
		migration_release(&m);
	} else if (err.len == 0)
		__builtin_trap();
	buf_release(&err);
	buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *blank = NULL;
	size_t i;

	for (i = 0; i + 1 < size; i++)
		if (data[i] == '\n' && data[i + 1] == '\n') {
			blank = data + i;
			break;
		}
	scan_listing((const char *)data, blank ? (size_t)(blank - data) :
	    size);
	if (blank)
		parse_text(blank + 2, size - (size_t)(blank - data) - 2);
	return 0;
}
