/*
 * text_layout.c: a migrations folder's entries told apart by their names, and
 * paired into migrations. No I/O: file_migset.c gives it what readdir saw.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "text_layout.h"
#include "text_migration.h"
#include "text_version.h"
#include "banned.h"

static const char *const layout_names[NLAYOUTS] = {
	"none", "runner", "dbmate", "goose", "golang-migrate", "sqlx",
	"diesel", "flyway"
};

const char *
layout_name(enum layout l)
{
	return (unsigned)l < NLAYOUTS ? layout_names[l] : "none";
}

int
layout_from_name(const char *name)
{
	int i;

	for (i = LAYOUT_RUNNER; i < NLAYOUTS; i++)
		if (strcmp(layout_names[i], name) == 0)
			return i;
	return -1;
}

/* One entry as its name classifies it. */
struct cand {
	enum entry_kind kind;
	const struct dir_entry *e;
	const char *v;		/* its version: in e->name, or own */
	size_t vlen;
	char *own;
	const char *name;	/* in e->name */
	size_t nlen;
	int dash;
	int has_down, has_meta;	/* diesel */
};

static size_t
span_digits(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Whether s ends in ".sql" in any case, as Flyway allows. */
static int
ends_sql_ci(const char *s, size_t len)
{
	const char *p = s + len - 4;

	return len >= 4 && p[0] == '.' && (p[1] | 0x20) == 's' &&
	    (p[2] | 0x20) == 'q' && (p[3] | 0x20) == 'l';
}

static int
is_foreign_ext(const char *s, size_t len, const char **ext)
{
	static const char *const exts[] = { ".js", ".mjs", ".cjs", ".ts",
	    ".go", ".py", ".rb" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(s, len, exts[i])) {
			*ext = exts[i];
			return 1;
		}
	return 0;
}

/* Where "__" first occurs in s[from, len), or NULL. */
static const char *
find_sep(const char *s, size_t from, size_t len)
{
	size_t i;

	for (i = from; i + 1 < len; i++)
		if (s[i] == '_' && s[i + 1] == '_')
			return s + i;
	return NULL;
}

/* V<version>__<description>.sql (len excludes ".sql"), U..., R__..., B... */
static int
parse_flyway(const char *dir, const char *f, size_t len, struct cand *c,
    struct buf *err)
{
	const char *sep = find_sep(f, 1, len);
	size_t vlen;

	if (f[0] == 'R')
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' is a Flyway "
		    "repeatable migration, which runner does not support: make "
		    "it a versioned migration (V<next>__%s) or move it out of "
		    "the folder", dir, f, sep ? sep + 2 : f + 1);
	if (f[0] == 'B')
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' is a Flyway "
		    "baseline migration, which runner does not support: move it "
		    "out of the folder", dir, f);
	if (sep == NULL)
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' is not named like "
		    "a Flyway migration, %c<version>__<description>.sql (two "
		    "underscores after the version)", dir, f, f[0]);
	vlen = (size_t)(sep - f) - 1;
	if (!version_valid_n(f + 1, vlen))
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s': cannot parse "
		    "Flyway version '%.*s' (expected digits joined by '.' or "
		    "'_', such as 1.2.3)", dir, f, (int)vlen, f + 1);
	c->kind = f[0] == 'V' ? KIND_FLYWAY_V : KIND_FLYWAY_U;
	c->v = f + 1;
	c->vlen = vlen;
	c->name = sep + 2;
	c->nlen = (size_t)(f + len - c->name);
	return 0;
}

static int
flyway_like(const char *f, size_t len)
{
	return len > 1 && strchr("VURB", f[0]) && ((f[1] >= '0' &&
	    f[1] <= '9') || find_sep(f, 1, len) != NULL);
}

/* NNN_name.up.sql, NNN_name.down.sql, NNN_name.sql, NNN-name.sql */
static void
parse_numbered(const char *f, size_t len, size_t d, struct cand *c)
{
	size_t end = len - 4;

	c->kind = KIND_SINGLE;
	if (f[d] == '_' && ends_with(f, len, ".up.sql") && len - 7 > d) {
		c->kind = KIND_UP;
		end = len - 7;
	} else if (f[d] == '_' && ends_with(f, len, ".down.sql") &&
	    len - 9 > d) {
		c->kind = KIND_DOWN;
		end = len - 9;
	}
	c->dash = f[d] == '-';
	c->v = f;
	c->vlen = d;
	c->name = f + d + 1;
	c->nlen = end - d - 1;
}

static int
classify_file(const char *dir, const struct dir_entry *e, struct cand *c,
    struct buf *err)
{
	const char *f = e->name, *ext;
	size_t len = strlen(f), d;

	if (f[0] == '.')
		return 0;
	if (ends_with(f, len, ".sql.conf") && flyway_like(f, len - 9)) {
		if (parse_flyway(dir, f, len - 9, c, err) < 0)
			return RUNNER_EFAIL;
		c->kind = KIND_FLYWAY_CONF;
		return 0;
	}
	if (ends_sql_ci(f, len) && flyway_like(f, len - 4))
		return parse_flyway(dir, f, len - 4, c, err);
	d = span_digits(f, len);
	if (d && d < len && (f[d] == '_' || f[d] == '-')) {
		if (ends_with(f, len, ".sql")) {
			parse_numbered(f, len, d, c);
			return 0;
		}
		if (is_foreign_ext(f, len, &ext))
			return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' looks like "
			    "another tool's migration (a numbered %s file), which "
			    "runner cannot run: it reads SQL migrations only; move "
			    "it out of the folder", dir, f, ext);
	}
	if (ends_sql_ci(f, len))
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' fits no migration "
		    "layout runner reads (NNN_name.sql, NNN_name.up.sql with "
		    ".down.sql, V1__name.sql, NNN_name/up.sql; see the README): "
		    "rename it or move it out of the folder", dir, f);
	return 0;
}

/* A folder: diesel's NNN_name/ with up.sql, down.sql, metadata.toml. */
static int
classify_dir(const char *dir, const struct dir_entry *e, struct cand *c,
    struct buf *err)
{
	const char *f = e->name, *us;
	size_t i, visible = 0, vlen;
	int has_up = 0;

	if (f[0] == '.' || strcmp(f, "seeds") == 0)
		return 0;
	if (ends_sql_ci(f, strlen(f)))
		return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s/%s': is a "
		    "directory", dir, f);
	for (i = 0; i < e->nchildren; i++) {
		visible += e->children[i][0] != '.';
		has_up |= strcmp(e->children[i], "up.sql") == 0;
		c->has_down |= strcmp(e->children[i], "down.sql") == 0;
		c->has_meta |= strcmp(e->children[i], "metadata.toml") == 0;
	}
	/* Other folders are not migrations; empty ones diesel skips too. */
	if (!has_up && !c->has_down && !(visible && f[0] >= '0' &&
	    f[0] <= '9'))
		return 0;
	if (!has_up)
		return buf_seterr(err, RUNNER_EFAIL, "diesel migration folder "
		    "'%s/%s' has no up.sql", dir, f);
	us = strchr(f, '_');
	vlen = us ? (size_t)(us - f) : strlen(f);
	c->own = xmalloc(vlen + 1);
	for (i = 0, c->vlen = 0; i < vlen; i++)
		if (f[i] != '-')
			c->own[c->vlen++] = f[i];	/* as diesel records it */
	c->own[c->vlen] = '\0';
	c->v = c->own;
	if (!version_valid_n(c->v, c->vlen) || strchr(c->v, '.'))
		return buf_seterr(err, RUNNER_EFAIL, "diesel migration folder "
		    "'%s/%s': its version '%.*s' is not digits", dir, f,
		    (int)vlen, f);
	c->kind = KIND_DIESEL;
	c->name = us ? us + 1 : f + vlen;
	c->nlen = strlen(c->name);
	return 0;
}

/* Which layouts' groups a kind belongs to, for the mixing check. */
enum layout_group { G_SINGLE, G_PAIR, G_FLYWAY, G_DIESEL, NGROUPS };

static const char *const group_desc[NGROUPS] = {
	"NNN_name.sql files",
	"golang-migrate/sqlx pairs (NNN_name.up.sql, NNN_name.down.sql)",
	"Flyway files (V<version>__<description>.sql)",
	"diesel folders (NNN_name/up.sql)"
};

static int
group_of(enum entry_kind k)
{
	switch (k) {
	case KIND_SINGLE:
		return G_SINGLE;
	case KIND_UP:
	case KIND_DOWN:
		return G_PAIR;
	case KIND_FLYWAY_V:
	case KIND_FLYWAY_U:
	case KIND_FLYWAY_CONF:
		return G_FLYWAY;
	case KIND_DIESEL:
		return G_DIESEL;
	default:
		return -1;
	}
}

/* The names of a group of files, at most three and a count of the rest. */
struct names {
	const char *desc;
	const char *v[3];
	size_t n;
};

static void
names_add(struct names *g, const char *name)
{
	if (g->n < 3)
		g->v[g->n] = name;
	g->n++;
}

/* relative: the names are in dir (else paths already). */
static int
mix_error(const char *dir, const struct names *g, size_t ng, int relative,
    struct buf *err)
{
	struct buf b = BUF_INIT;
	size_t i, j;
	int ret;

	buf_addf(&b, "migrations folder '%s' mixes migration layouts, and "
	    "runner reads one layout per folder (put each in its own folder and "
	    "give both with --dir):", dir);
	for (i = 0; i < ng; i++) {
		if (g[i].n == 0)
			continue;
		buf_addf(&b, "\n  %s:", g[i].desc);
		for (j = 0; j < g[i].n && j < 3; j++)
			buf_addf(&b, "%s '%s%s%s'", j ? "," : "",
			    relative ? dir : "", relative ? "/" : "", g[i].v[j]);
		if (g[i].n > 3)
			buf_addf(&b, " and %zu more", g[i].n - 3);
	}
	ret = buf_seterr(err, RUNNER_EFAIL, "%s", b.buf);
	buf_release(&b);
	return ret;
}

/* Single files and pairs may meet (sqlx); any other two groups may not. */
static int
check_mixing(const char *dir, const struct cand *c, size_t n,
    struct buf *err)
{
	struct names g[NGROUPS];
	size_t i, used = 0;
	int k;

	memset(g, 0, sizeof(g));
	for (i = 0; i < NGROUPS; i++)
		g[i].desc = group_desc[i];
	for (i = 0; i < n; i++)
		if ((k = group_of(c[i].kind)) >= 0)
			names_add(&g[k], c[i].e->name);
	for (i = 0; i < NGROUPS; i++)
		used += g[i].n > 0;
	if (used <= 1 || (used == 2 && g[G_SINGLE].n && g[G_PAIR].n))
		return 0;
	return mix_error(dir, g, NGROUPS, 1, err);
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = version_cmp_n(x->v, x->vlen, y->v, y->vlen);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->e->name, y->e->name);
}

/* The cands of one version, by kind: the first of each and how many. */
struct version_group {
	const struct cand *first[KIND_DIESEL + 1];
	size_t count[KIND_DIESEL + 1];
};

static int
group_check(const char *dir, const struct version_group *g, struct buf *err)
{
	static const enum entry_kind twice[] = { KIND_DOWN, KIND_FLYWAY_V,
	    KIND_FLYWAY_U, KIND_FLYWAY_CONF, KIND_DIESEL };
	const struct cand *a = NULL, *b = NULL;
	size_t i;

	if (g->count[KIND_SINGLE] + g->count[KIND_UP] > 1) {
		a = g->first[KIND_SINGLE] ? g->first[KIND_SINGLE] :
		    g->first[KIND_UP];
		b = g->first[KIND_UP] && a != g->first[KIND_UP] ?
		    g->first[KIND_UP] : a + 1;
	}
	for (i = 0; a == NULL && i < sizeof(twice) / sizeof(twice[0]); i++)
		if (g->count[twice[i]] > 1) {
			a = g->first[twice[i]];
			b = a + 1;
		}
	if (a)
		return buf_seterr(err, RUNNER_EFAIL, "duplicate migration "
		    "version %.*s: '%s/%s' and '%s/%s'", (int)b->vlen, b->v,
		    dir, a->e->name, dir, b->e->name);
	if (g->count[KIND_DOWN] && !g->count[KIND_UP])
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' is a down file "
		    "without its up file ('%.*s.up.sql')", dir,
		    g->first[KIND_DOWN]->e->name,
		    (int)(strlen(g->first[KIND_DOWN]->e->name) - 9),
		    g->first[KIND_DOWN]->e->name);
	if (g->count[KIND_FLYWAY_U] && !g->count[KIND_FLYWAY_V])
		return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' is a Flyway undo "
		    "migration without its versioned migration (V%.*s__...)",
		    dir, g->first[KIND_FLYWAY_U]->e->name,
		    (int)g->first[KIND_FLYWAY_U]->vlen,
		    g->first[KIND_FLYWAY_U]->v);
	return 0;
}

/* A .sql.conf configures the V file of its name; nothing else. */
static int
conf_check(const char *dir, const struct version_group *g, struct buf *err)
{
	const struct cand *c = g->first[KIND_FLYWAY_CONF];
	const struct cand *v = g->first[KIND_FLYWAY_V];
	size_t len = c ? strlen(c->e->name) - 5 : 0;

	if (c == NULL || (v && strlen(v->e->name) == len &&
	    memcmp(v->e->name, c->e->name, len) == 0))
		return 0;
	return buf_seterr(err, RUNNER_EFAIL, "'%s/%s' configures no versioned "
	    "migration in the folder (runner reads a .sql.conf only beside "
	    "its V file)", dir, c->e->name);
}

static char *
join3(const char *dir, const char *a, const char *b)
{
	struct buf p = BUF_INIT;

	buf_addf(&p, "%s/%s%s%s", dir, a, b ? "/" : "", b ? b : "");
	return buf_detach(&p, NULL);
}

static void
group_item(const char *dir, const struct version_group *g,
    struct layout_item *it)
{
	const struct cand *c;
	size_t i;

	memset(it, 0, sizeof(*it));
	c = g->first[KIND_SINGLE] ? g->first[KIND_SINGLE] :
	    g->first[KIND_UP] ? g->first[KIND_UP] :
	    g->first[KIND_FLYWAY_V] ? g->first[KIND_FLYWAY_V] :
	    g->first[KIND_DIESEL];
	it->kind = c->kind;
	it->version = xstrndup(c->v, c->vlen);
	for (i = 0; c->kind == KIND_FLYWAY_V && i < c->vlen; i++)
		if (it->version[i] == '_')
			it->version[i] = '.';	/* as Flyway records it */
	it->name = xstrndup(c->name, c->nlen);
	it->dash = c->dash;
	if (c->kind == KIND_DIESEL) {
		it->up = join3(dir, c->e->name, "up.sql");
		it->down = c->has_down ? join3(dir, c->e->name, "down.sql") :
		    NULL;
		it->conf = c->has_meta ? join3(dir, c->e->name,
		    "metadata.toml") : NULL;
		return;
	}
	it->up = join3(dir, c->e->name, NULL);
	it->up_e = c->e;
	if (g->first[KIND_DOWN])
		it->down_e = g->first[KIND_DOWN]->e;
	if (g->first[KIND_FLYWAY_U])
		it->down_e = g->first[KIND_FLYWAY_U]->e;
	if (it->down_e)
		it->down = join3(dir, it->down_e->name, NULL);
	if (g->first[KIND_FLYWAY_CONF])
		it->conf = join3(dir, g->first[KIND_FLYWAY_CONF]->e->name, NULL);
}

/* Walks the sorted cands version by version into s's items. */
static int
pair_up(const char *dir, const struct cand *c, size_t n,
    struct layout_scan *s, struct buf *err)
{
	struct version_group g;
	size_t i = 0, j;

	s->v = xcalloc(n + 1, sizeof(*s->v));
	while (i < n) {
		memset(&g, 0, sizeof(g));
		for (j = i; j < n && version_cmp_n(c[i].v, c[i].vlen, c[j].v,
		    c[j].vlen) == 0; j++) {
			if (g.first[c[j].kind] == NULL)
				g.first[c[j].kind] = &c[j];
			g.count[c[j].kind]++;
		}
		if (group_check(dir, &g, err) < 0 ||
		    conf_check(dir, &g, err) < 0)
			return RUNNER_EFAIL;
		group_item(dir, &g, &s->v[s->n++]);
		i = j;
	}
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp((*(const struct dir_entry *const *)a)->name,
	    (*(const struct dir_entry *const *)b)->name);
}

/* The entries' cands, in name order (so errors do not depend on readdir). */
static int
classify_all(const char *dir, const struct dir_entry *e, size_t n,
    struct cand *c, size_t *nc, struct buf *err)
{
	const struct dir_entry **by = xcalloc(n + 1, sizeof(*by));
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++)
		by[i] = &e[i];
	qsort(by, n, sizeof(*by), cmp_entry);
	*nc = 0;
	for (i = 0; ret == 0 && i < n; i++) {
		memset(&c[*nc], 0, sizeof(c[*nc]));
		c[*nc].e = by[i];
		ret = by[i]->is_dir ? classify_dir(dir, by[i], &c[*nc], err) :
		    classify_file(dir, by[i], &c[*nc], err);
		if (c[*nc].kind != KIND_IGNORED)
			(*nc)++;
		else
			free(c[*nc].own);
	}
	free(by);
	return ret;
}

int
layout_scan(const char *dir, const struct dir_entry *e, size_t n,
    struct layout_scan *s, struct buf *err)
{
	struct cand *c = xcalloc(n + 1, sizeof(*c));
	size_t i, nc = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = classify_all(dir, e, n, c, &nc, err);
	for (i = 0; i < nc; i++)
		s->kinds |= 1u << c[i].kind;
	if (ret == 0)
		ret = check_mixing(dir, c, nc, err);
	if (ret == 0) {
		qsort(c, nc, sizeof(*c), cmp_cand);
		ret = pair_up(dir, c, nc, s, err);
	}
	for (i = 0; i < nc; i++)
		free(c[i].own);
	free(c);
	return ret;
}

void
layout_scan_release(struct layout_scan *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].version);
		free(s->v[i].name);
		free(s->v[i].up);
		free(s->v[i].down);
		free(s->v[i].conf);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* runner's, dbmate's or goose's, as the newest single file is written. */
static enum layout
family_layout(const struct layout_scan *s, const unsigned char *marks)
{
	const struct layout_item *it = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].kind == KIND_SINGLE && !(marks[i] & MARKS_UNREAD))
			it = &s->v[i];
	if ((marks[it - s->v] & (MARKS_GOOSE | MARKS_DBMATE)) == MARKS_GOOSE)
		return LAYOUT_GOOSE;
	if (it->dash || strlen(it->version) == 14)
		return LAYOUT_DBMATE;
	return LAYOUT_RUNNER;
}

int
layout_decide(const char *dir, const struct layout_scan *s,
    const unsigned char *marks, enum layout *out, struct buf *err)
{
	struct names g[3];
	size_t i;

	memset(g, 0, sizeof(g));
	g[0].desc = "files with markers (runner, dbmate, goose)";
	g[1].desc = "files without markers (sqlx's, the whole file the up)";
	g[2].desc = group_desc[G_PAIR];
	for (i = 0; i < s->n; i++) {
		if (marks[i] & MARKS_UNREAD)
			continue;
		if (s->v[i].kind == KIND_SINGLE)
			names_add(&g[marks[i] ? 0 : 1], s->v[i].up);
		else if (s->v[i].kind == KIND_UP)
			names_add(&g[2], s->v[i].up);
	}
	if (g[0].n && (g[1].n || g[2].n))
		return mix_error(dir, g, 3, 0, err);
	if (s->n == 0)
		*out = LAYOUT_NONE;
	else if (s->kinds & (1u << KIND_FLYWAY_V))
		*out = LAYOUT_FLYWAY;
	else if (s->kinds & (1u << KIND_DIESEL))
		*out = LAYOUT_DIESEL;
	else if (g[1].n)
		*out = LAYOUT_SQLX;
	else if (g[0].n == 0)
		*out = LAYOUT_GOLANG_MIGRATE;
	else
		*out = family_layout(s, marks);
	return 0;
}

int
layout_file_format(const char *fname, unsigned *flags)
{
	const char *base = strrchr(fname, '/');
	size_t len, d;

	base = base ? base + 1 : fname;
	len = strlen(base);
	d = span_digits(base, len);
	*flags = PARSE_NOTX_COMMENT;
	if (ends_sql_ci(base, len) && flyway_like(base, len - 4)) {
		*flags = PARSE_PLACEHOLDERS;
		return FORMAT_WHOLE;
	}
	if (strcmp(base, "up.sql") == 0 || strcmp(base, "down.sql") == 0) {
		*flags = 0;
		return FORMAT_WHOLE;
	}
	if (ends_with(base, len, ".up.sql") || ends_with(base, len,
	    ".down.sql"))
		return FORMAT_WHOLE;
	if (d && d < len && base[d] == '-')
		return FORMAT_MARKERS;
	return FORMAT_AUTO;
}
