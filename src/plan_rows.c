/*
 * plan_rows.c: sets of tracking rows: sorting, finding, freeing.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_rows.h"
#include "text_version.h"
#include "banned.h"

void
applied_release(struct applied *a)
{
	free(a->version);
	free(a->name);
	free(a->applied_at);
	free(a->checksum);
	free(a->down_sql);
	free(a->down_options);
	free(a->state);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

void
applied_set_release(struct applied_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		applied_release(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
cmp_applied(const void *a, const void *b)
{
	return version_cmp(((const struct applied *)a)->version,
	    ((const struct applied *)b)->version);
}

void
applied_set_sort(struct applied_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_applied);
}

const struct applied *
applied_find(const struct applied_set *s, const char *version)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (version_cmp(s->v[i].version, version) == 0)
			return &s->v[i];
	return NULL;
}
