/* text_schema.c: the schema-by-meaning list and the comparison of two. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_schema.h"
#include "banned.h"

void
schema_add(struct schema *s, const char *kind, const char *name,
    const char *def)
{
	struct schema_obj *o;

	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = xreallocarray(s->v, s->alloc, sizeof(*s->v));
	}
	o = &s->v[s->n++];
	o->kind = xstrdup(kind);
	o->name = xstrdup(name);
	o->def = xstrdup(def ? def : "");
}

static int
obj_cmp(const void *pa, const void *pb)
{
	const struct schema_obj *a = pa, *b = pb;
	int c = strcmp(a->kind, b->kind);

	return c ? c : strcmp(a->name, b->name);
}

/* Equal names (which a driver should avoid) still sort the same way. */
static int
obj_cmp_def(const void *pa, const void *pb)
{
	const struct schema_obj *a = pa, *b = pb;
	int c = obj_cmp(pa, pb);

	return c ? c : strcmp(a->def, b->def);
}

void
schema_sort(struct schema *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), obj_cmp_def);
}

void
schema_release(struct schema *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].kind);
		free(s->v[i].name);
		free(s->v[i].def);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

static int
has(const struct schema *s, const char *kind, const char *name)
{
	struct schema_obj key;

	key.kind = (char *)kind;
	key.name = (char *)name;
	return s->n && bsearch(&key, s->v, s->n, sizeof(*s->v), obj_cmp);
}

/*
 * Whether o is a part ("t.x") of a table that s has and other lacks: the
 * table's own line says it all.
 */
static int
part_of_lone_table(const struct schema_obj *o, const struct schema *s,
    const struct schema *other)
{
	const char *dot = strchr(o->name, '.');
	char *table;
	int ret;

	if (dot == NULL || strcmp(o->kind, "table") == 0)
		return 0;
	table = xstrndup(o->name, (size_t)(dot - o->name));
	ret = has(s, "table", table) && !has(other, "table", table);
	free(table);
	return ret;
}

/* Splits a column-order def ("a, \"b, c\", d") into its names. */
static size_t
order_names(const char *def, char ***out)
{
	const char *p = def, *start;
	char **v = NULL;
	size_t n = 0;
	int quoted;

	while (*p) {
		start = p;
		for (quoted = 0; *p && (quoted || p[0] != ',' ||
		    p[1] != ' '); p++)
			if (*p == '"')
				quoted = !quoted;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrndup(start, (size_t)(p - start));
		if (*p)
			p += 2;
	}
	*out = v;
	return n;
}

static int
in_names(char **v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Whether the columns two tables share come in the same order: a column
 * only one side has is reported as itself, not as a change of order.
 */
static int
same_order(const char *a, const char *b)
{
	char **va, **vb;
	size_t na = order_names(a, &va), nb = order_names(b, &vb), i, j = 0;
	int same = 1;

	for (i = 0; same && i < na; i++) {
		if (!in_names(vb, nb, va[i]))
			continue;
		while (j < nb && !in_names(va, na, vb[j]))
			j++;
		same = j < nb && strcmp(va[i], vb[j++]) == 0;
	}
	for (i = 0; i < na; i++)
		free(va[i]);
	for (i = 0; i < nb; i++)
		free(vb[i]);
	free(va);
	free(vb);
	return same;
}

static int
is_order(const struct schema_obj *o)
{
	return strcmp(o->kind, SCHEMA_COLUMN_ORDER) == 0;
}

/* Appends the line for a and b of one kind and name; returns 1 if any. */
static int
diff_same(const struct schema_obj *a, const struct schema_obj *b,
    unsigned flags, struct buf *out)
{
	if (strcmp(a->def, b->def) == 0)
		return 0;
	if (is_order(a) && ((flags & SCHEMA_IGNORE_COLUMN_ORDER) ||
	    same_order(a->def, b->def)))
		return 0;
	buf_addf(out, "changed %s %s: %s -> %s\n", a->kind, a->name, a->def,
	    b->def);
	return 1;
}

/* Appends "what kind name" unless the line another one says covers it. */
static int
diff_lone(const struct schema_obj *o, const struct schema *s,
    const struct schema *other, const char *what, struct buf *out)
{
	/* A table's column order comes and goes with the table. */
	if (is_order(o) || part_of_lone_table(o, s, other))
		return 0;
	buf_addf(out, "%s %s %s\n", what, o->kind, o->name);
	return 1;
}

size_t
schema_diff(const struct schema *a, const struct schema *b, unsigned flags,
    struct buf *out)
{
	size_t i = 0, j = 0, n = 0;
	int c;

	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = obj_cmp(&a->v[i], &b->v[j]);
		if (c < 0)
			n += diff_lone(&a->v[i++], a, b, "removed", out);
		else if (c > 0)
			n += diff_lone(&b->v[j++], b, a, "added", out);
		else
			n += diff_same(&a->v[i++], &b->v[j++], flags, out);
	}
	return n;
}

/*
 * A 64-bit hash of s and then a separator, eight bytes at a step (status
 * hashes the whole schema's text each time).
 */
static uint64_t
hash_add(uint64_t h, const char *s)
{
	size_t n = strlen(s), i;
	uint64_t w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	for (w = 0; i < n; i++)
		w = (w << 8) | (unsigned char)s[i];
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t
schema_obj_hash(const char *kind, const char *name, const char *def)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = hash_add(h, kind);
	h = hash_add(h, name);
	h = hash_add(h, def ? def : "");
	/* A final mix, so that sums of related objects do not cancel out. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void
schema_digest_add(struct schema_digest *d, uint64_t h)
{
	d->sum += h;
	d->n++;
}

void
schema_digest_remove(struct schema_digest *d, uint64_t h)
{
	d->sum -= h;
	d->n--;
}

void
schema_digest_format(const struct schema_digest *d, char *out)
{
	snprintf(out, SCHEMA_DIGEST_LEN, "%llu:%016llx",
	    (unsigned long long)d->n, (unsigned long long)d->sum);
}

void
schema_digest_of(const struct schema *s, char *out)
{
	struct schema_digest d = SCHEMA_DIGEST_INIT;
	size_t i;

	for (i = 0; i < s->n; i++)
		schema_digest_add(&d, schema_obj_hash(s->v[i].kind,
		    s->v[i].name, s->v[i].def));
	schema_digest_format(&d, out);
}

static void
encode_field(const char *s, struct buf *out)
{
	for (; *s; s++)
		if (*s == '\\')
			buf_adds(out, "\\\\");
		else if (*s == '\t')
			buf_adds(out, "\\t");
		else if (*s == '\n')
			buf_adds(out, "\\n");
		else
			buf_addch(out, *s);
}

void
schema_encode_obj(const char *kind, const char *name, const char *def,
    struct buf *out)
{
	encode_field(kind, out);
	buf_addch(out, '\t');
	encode_field(name, out);
	buf_addch(out, '\t');
	encode_field(def, out);
	buf_addch(out, '\n');
}

void
schema_encode(const struct schema *s, struct buf *out)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		schema_encode_obj(s->v[i].kind, s->v[i].name, s->v[i].def, out);
}

/* Decodes text up to the next unescaped tab or newline; past it in *p. */
static int
decode_field(const char **p, int last, struct buf *out)
{
	const char *s = *p;

	buf_reset(out);
	for (; *s && *s != '\t' && *s != '\n'; s++) {
		if (*s != '\\') {
			buf_addch(out, *s);
			continue;
		}
		s++;
		if (*s == 't')
			buf_addch(out, '\t');
		else if (*s == 'n')
			buf_addch(out, '\n');
		else if (*s == '\\')
			buf_addch(out, '\\');
		else
			return -1;
	}
	if (*s != (last ? '\n' : '\t'))
		return -1;
	*p = s + 1;
	return 0;
}

int
schema_decode(const char *text, struct schema *out)
{
	struct buf f[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *p = text;
	int i, ret = 0;

	while (*p && ret == 0) {
		for (i = 0; i < 3 && ret == 0; i++)
			ret = decode_field(&p, i == 2, &f[i]);
		if (ret == 0)
			schema_add(out, f[0].buf, f[1].buf, f[2].buf);
	}
	for (i = 0; i < 3; i++)
		buf_release(&f[i]);
	return ret;
}
