/* schema.c: the schema-by-meaning list and the comparison of two. */
#include <stdlib.h>
#include <string.h>

#include "schema.h"
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

size_t
schema_diff(const struct schema *a, const struct schema *b, struct buf *out)
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
		if (c < 0) {
			if (!part_of_lone_table(&a->v[i], a, b))
				buf_addf(out, "removed %s %s\n", a->v[i].kind,
				    a->v[i].name), n++;
			i++;
		} else if (c > 0) {
			if (!part_of_lone_table(&b->v[j], b, a))
				buf_addf(out, "added %s %s\n", b->v[j].kind,
				    b->v[j].name), n++;
			j++;
		} else {
			if (strcmp(a->v[i].def, b->v[j].def) != 0) {
				buf_addf(out, "changed %s %s: %s -> %s\n",
				    a->v[i].kind, a->v[i].name, a->v[i].def,
				    b->v[j].def);
				n++;
			}
			i++, j++;
		}
	}
	return n;
}
