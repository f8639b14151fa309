/*
 * file_migset.c: reading the migrations folders and their files: each folder's
 * entries go to text_layout.c, which says what migrations they are; their files
 * go to text_migration.c, which parses them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "file_migset.h"
#include "text_migration.h"
#include "banned.h"

extern char **environ;

static void
migfile_release(struct migfile *f)
{
	free(f->version);
	free(f->name);
	free(f->path);
	free(f->down_path);
	free(f->conf_path);
}

static char *
join_path(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(dir);

	buf_adds(&b, dir);
	if (n && dir[n - 1] != '/')
		buf_addch(&b, '/');
	buf_adds(&b, name);
	return buf_detach(&b, NULL);
}

/* A Flyway placeholder: FLYWAY_PLACEHOLDERS_<name>, without case. */
static const char *
placeholder_env(const char *table, const char *name, size_t len)
{
	static const char prefix[] = "FLYWAY_PLACEHOLDERS_";
	size_t n = sizeof(prefix) - 1;
	char **e;

	if (len == 12 && strncasecmp(name, "flyway:table", 12) == 0)
		return table ? table : TRACKING_TABLE;
	for (e = environ; e && *e; e++)
		if (strncmp(*e, prefix, n) == 0 &&
		    strncasecmp(*e + n, name, len) == 0 && (*e)[n + len] == '=')
			return *e + n + len + 1;
	return NULL;
}

/* What env_lookup's arg points to: NULL, or the tracking table's name. */
struct lookup_arg {
	const char *table;
};

static const char *
env_lookup(void *arg, const char *name, size_t len, int placeholder)
{
	const struct lookup_arg *a = arg;
	char **e;

	if (placeholder)
		return placeholder_env(a ? a->table : NULL, name, len);
	for (e = environ; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

const struct parse_env migset_env = { env_lookup, NULL };

/*
 * One folder's entries as readdir gave them, and its subfolders' names.
 * The entries' names share one buffer: status reads thousands of them.
 */
struct dir_list {
	struct dir_entry *v;
	unsigned char *types;	/* d_type of each */
	size_t *name_off;	/* each name's offset in names */
	size_t n, alloc;
	struct buf names;
};

static void
dir_list_release(struct dir_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->v[i].nchildren; j++)
			free((char *)l->v[i].children[j]);
		free((char **)l->v[i].children);
	}
	free(l->v);
	free(l->types);
	free(l->name_off);
	buf_release(&l->names);
	memset(l, 0, sizeof(*l));
}

/* The names in subfolder name of dirfd (diesel's up.sql, down.sql). */
static int
list_children(int dirfd, const char *dir, const char *name,
    struct dir_entry *e, struct buf *err)
{
	struct dirent *de;
	size_t alloc = 0;
	char **v = NULL;
	DIR *d;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return buf_seterr(err, RUNNER_EFAIL, "cannot open migrations "
		    "folder '%s/%s': %s", dir, name, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (e->nchildren == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[e->nchildren++] = xstrdup(de->d_name);
	}
	closedir(d);
	e->children = (const char *const *)v;
	return 0;
}

static int
is_folder(int dirfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return 0;
	return fstatat(dirfd, de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int
list_add(struct dir_list *l, int dirfd, const char *dir,
    const struct dirent *de, struct buf *err)
{
	struct dir_entry *e;

	if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
		return 0;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
		l->types = xreallocarray(l->types, l->alloc, 1);
		l->name_off = xreallocarray(l->name_off, l->alloc,
		    sizeof(*l->name_off));
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	l->name_off[l->n] = l->names.len;
	buf_add(&l->names, de->d_name, strlen(de->d_name) + 1);
	l->types[l->n++] = de->d_type;
	e->is_dir = de->d_name[0] != '.' && is_folder(dirfd, de);
	/* Subfolders are rare: diesel's migrations, seeds/. */
	if (e->is_dir && strcmp(de->d_name, "seeds") != 0)
		return list_children(dirfd, dir, de->d_name, e, err);
	return 0;
}

static int
list_dir(DIR *d, const char *dir, struct dir_list *l, struct buf *err)
{
	struct dirent *de;
	size_t i;
	int ret = 0;

	for (errno = 0; ret == 0 && (de = readdir(d)) != NULL; errno = 0)
		ret = list_add(l, dirfd(d), dir, de, err);
	if (ret == 0 && errno)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot read migrations "
		    "directory '%s': %s", dir, strerror(errno));
	for (i = 0; i < l->n; i++)
		l->v[i].name = l->names.buf + l->name_off[i];
	return ret;
}

/* How a scanned item's files are parsed. */
static void
item_format(const struct layout_item *it, struct migration_src *src)
{
	switch (it->kind) {
	case KIND_SINGLE:
		/* NNN-name.sql is dbmate's; NNN_name.sql may be sqlx's too. */
		src->format = it->dash ? FORMAT_MARKERS : FORMAT_AUTO;
		src->flags = PARSE_NOTX_COMMENT;
		break;
	case KIND_UP:
		src->format = FORMAT_WHOLE;
		src->flags = PARSE_NOTX_COMMENT;
		break;
	case KIND_FLYWAY_V:
		src->format = FORMAT_WHOLE;
		src->flags = PARSE_PLACEHOLDERS | PARSE_CONF_FLYWAY;
		break;
	default:
		src->format = FORMAT_WHOLE;
		src->flags = PARSE_CONF_DIESEL;
		break;
	}
	src->env = &migset_env;
}

void
migfile_fill(struct migfile *f, const struct migration_src *src,
    const struct migration *m)
{
	checksum_format(m->crc, f->checksum);
	f->format = (unsigned char)(src->format != FORMAT_AUTO ? src->format :
	    m->marks ? FORMAT_MARKERS : FORMAT_WHOLE);
	f->pflags = (unsigned char)src->flags;
	f->upflags = m->up.flags;
	f->downflags = m->down.flags;
	f->reversible = migration_reversible(m);
	f->empty = m->up.empty;
}

/* Reads path, in folder dir (dirfd), into b; e is its entry, if known. */
static int
read_part(int dirfd, const char *dir, const char *path,
    const struct dir_list *l, const struct dir_entry *e, struct buf *b,
    struct buf *err)
{
	unsigned char type = e ? l->types[e - l->v] : DT_UNKNOWN;

	return file_read_at(dirfd, path + strlen(dir) + 1, path, type, b, err);
}

/* The buffers one item's files are read into, reused for the next. */
struct scratch {
	struct buf up, down, conf;
};

/* Reads and parses one item; f gets its checksum and options. */
static int
load_item(struct migfile *f, const char *dir, const struct layout_item *it,
    int dirfd, const struct dir_list *l, struct scratch *b, unsigned *marks,
    struct buf *err)
{
	struct migration_src src;
	struct migration m;

	memset(&src, 0, sizeof(src));
	item_format(it, &src);
	if (read_part(dirfd, dir, it->up, l, it->up_e, &b->up, err) < 0 ||
	    (it->down && read_part(dirfd, dir, it->down, l, it->down_e,
	    &b->down, err) < 0) ||
	    (it->conf && read_part(dirfd, dir, it->conf, l, NULL, &b->conf,
	    err) < 0))
		return RUNNER_EFAIL;
	src.path = it->up;
	src.data = b->up.buf;
	src.len = b->up.len;
	src.dpath = it->down;
	src.ddata = b->down.buf;
	src.dlen = b->down.len;
	src.cpath = it->conf;
	src.cdata = b->conf.buf;
	src.clen = b->conf.len;
	if (migration_parse_src(&src, &m, err) < 0)
		return RUNNER_EFAIL;
	migfile_fill(f, &src, &m);
	*marks = m.marks;
	migration_release(&m);
	return 0;
}

/* Adds f to s, taking over the item's strings. */
static void
migset_add(struct migset *s, const struct migfile *f, struct layout_item *it)
{
	struct migfile *to;

	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 64;
		s->v = xreallocarray(s->v, s->alloc, sizeof(*s->v));
	}
	to = &s->v[s->n++];
	*to = *f;
	to->version = it->version;
	to->name = it->name;
	to->path = it->up;
	to->down_path = it->down;
	to->conf_path = it->conf;
	it->version = it->name = it->up = it->down = it->conf = NULL;
	to->dir = s->ndirs - 1;
}

/* One thread's share of a folder's items: [from, to). */
struct reader {
	const char *dir;
	int dirfd;
	const struct dir_list *l;
	const struct layout_scan *sc;
	struct migfile *f;
	unsigned char *marks;
	char **errs;		/* each item's error, or NULL */
	size_t from, to;
	int keep_going;
};

static void *
read_range(void *arg)
{
	struct reader *r = arg;
	struct scratch b = { BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf msg = BUF_INIT;
	unsigned mk = 0;
	size_t i;

	for (i = r->from; i < r->to; i++) {
		if (load_item(&r->f[i], r->dir, &r->sc->v[i], r->dirfd, r->l,
		    &b, &mk, &msg) == 0) {
			r->marks[i] = (unsigned char)mk;
			continue;
		}
		r->marks[i] = MARKS_UNREAD;
		r->errs[i] = buf_detach(&msg, NULL);
		if (!r->keep_going)
			break;	/* only the first error is reported */
	}
	buf_release(&b.up);
	buf_release(&b.down);
	buf_release(&b.conf);
	buf_release(&msg);
	return NULL;
}

/* Below this many items one thread reads them all: a thread costs more. */
#define READ_THREAD_MIN 256

/*
 * Parses the scanned items of one folder into f (an array of sc->n), in
 * two threads for a long history: status reads every file, and for pairs
 * twice as many. With MIGSET_KEEP_GOING a bad one becomes a line of
 * s->errors, and its marks MARKS_UNREAD; else the first one fails.
 */
static int
load_items(struct migset *s, const char *dir, int dirfd,
    const struct dir_list *l, const struct layout_scan *sc,
    struct migfile *f, unsigned char *marks, unsigned flags,
    struct buf *err)
{
	struct reader r[2];
	char **errs = xcalloc(sc->n + 1, sizeof(*errs));
	pthread_t t;
	size_t i;
	int threaded = 0, ret = 0;

	memset(r, 0, sizeof(r));
	r[0].dir = dir;
	r[0].dirfd = dirfd;
	r[0].l = l;
	r[0].sc = sc;
	r[0].f = f;
	r[0].marks = marks;
	r[0].errs = errs;
	r[0].keep_going = (flags & MIGSET_KEEP_GOING) != 0;
	r[0].to = sc->n;
	if (sc->n >= READ_THREAD_MIN) {
		r[1] = r[0];
		r[0].to = r[1].from = sc->n / 2;
		threaded = pthread_create(&t, NULL, read_range, &r[1]) == 0;
		if (!threaded)
			r[0].to = sc->n;
	}
	read_range(&r[0]);
	if (threaded)
		pthread_join(t, NULL);
	for (i = 0; i < sc->n; i++) {
		if (errs[i] && r[0].keep_going)
			buf_addf(&s->errors, "%s\n", errs[i]);
		else if (errs[i] && ret == 0)
			ret = buf_seterr(err, RUNNER_EFAIL, "%s", errs[i]);
		free(errs[i]);
	}
	free(errs);
	return ret;
}

/* Reads the folder's items, decides its layout, then adds them to s. */
static int
load_folder(struct migset *s, const char *dir, int dirfd,
    const struct dir_list *l, struct layout_scan *sc, unsigned flags,
    struct buf *err)
{
	struct migfile *f = xcalloc(sc->n + 1, sizeof(*f));
	unsigned char *marks = xcalloc(sc->n + 1, 1);
	size_t i;
	int ret;

	ret = load_items(s, dir, dirfd, l, sc, f, marks, flags, err);
	if (ret == 0)
		ret = layout_decide(dir, sc, marks, &s->dirs[s->ndirs - 1].layout,
		    err);
	for (i = 0; ret == 0 && i < sc->n; i++)
		if (!(marks[i] & MARKS_UNREAD))
			migset_add(s, &f[i], &sc->v[i]);
	free(f);
	free(marks);
	return ret;
}

/* dir without trailing slashes, for messages ("migrations/" -> "migrations"). */
static char *
dir_display(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xstrndup(dir, n);
}

static int
load_dir(struct migset *s, const char *path, unsigned flags,
    struct buf *err)
{
	struct layout_scan sc = LAYOUT_SCAN_INIT;
	struct dir_list l = { NULL, NULL, NULL, 0, 0, BUF_INIT };
	struct migdir *md;
	char *dir = dir_display(path);
	DIR *d;
	int ret;

	d = opendir(path);
	if (d == NULL) {
		ret = buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open migrations directory '%s': %s",
		    path, strerror(errno));
		free(dir);
		return ret;
	}
	s->dirs = xreallocarray(s->dirs, s->ndirs + 1, sizeof(*s->dirs));
	md = &s->dirs[s->ndirs++];
	md->path = dir;
	md->layout = LAYOUT_NONE;
	ret = list_dir(d, dir, &l, err);
	if (ret == 0)
		ret = layout_scan(dir, l.v, l.n, &sc, err);
	if (ret == 0)
		ret = load_folder(s, dir, dirfd(d), &l, &sc, flags, err);
	closedir(d);
	layout_scan_release(&sc);
	dir_list_release(&l);
	return ret;
}

static int
cmp_migfile(const void *a, const void *b)
{
	const struct migfile *x = a, *y = b;
	int c = version_cmp(x->version, y->version);

	return c ? c : strcmp(x->path, y->path);
}

/* Each folder's versions are its own; two folders must not share one. */
static int
check_duplicates(const struct migset *s, struct buf *err)
{
	size_t i;

	for (i = 1; i < s->n; i++)
		if (version_cmp(s->v[i - 1].version, s->v[i].version) == 0)
			return buf_seterr(err, RUNNER_EFAIL, "migration version %s "
			    "is in two folders: '%s' and '%s'", s->v[i].version,
			    s->v[i - 1].path, s->v[i].path);
	return 0;
}

int
migset_load(struct migset *s, char *const *dirs, size_t n, unsigned flags,
    struct buf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++)
		ret = load_dir(s, dirs[i], flags, err);
	if (ret < 0)
		return ret;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_migfile);
	return check_duplicates(s, err);
}

void
migset_release(struct migset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		migfile_release(&s->v[i]);
	for (i = 0; i < s->ndirs; i++)
		free(s->dirs[i].path);
	free(s->v);
	free(s->dirs);
	buf_release(&s->warnings);
	buf_release(&s->errors);
	s->v = NULL;
	s->dirs = NULL;
	s->n = s->alloc = s->ndirs = 0;
}

const struct migfile *
migset_find(const struct migset *s, const char *version)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = version_cmp(s->v[mid].version, version);
		if (c == 0)
			return &s->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The files of f, as migset_read reads them. */
struct parts {
	char *up, *down, *conf;
	size_t ulen, dlen, clen;
};

static int
read_parts(const struct migfile *f, struct parts *p, struct buf *err)
{
	memset(p, 0, sizeof(*p));
	if (file_read(f->path, &p->up, &p->ulen, err) < 0 ||
	    (f->down_path && file_read(f->down_path, &p->down, &p->dlen,
	    err) < 0) ||
	    (f->conf_path && file_read(f->conf_path, &p->conf, &p->clen,
	    err) < 0))
		return RUNNER_EFAIL;
	return 0;
}

int
migset_read(const struct migset *s, const struct migfile *f,
    struct migration *m, struct buf *err)
{
	char sum[CHECKSUM_LEN + 1];
	struct lookup_arg arg = { s->table };
	struct parse_env env = { env_lookup, &arg };
	struct migration_src src;
	struct parts p;
	int ret;

	memset(&src, 0, sizeof(src));
	memset(&p, 0, sizeof(p));
	if (f->src) {
		src = *f->src;
		src.env = &env;
		ret = migration_parse_src(&src, m, err);
	} else if ((ret = read_parts(f, &p, err)) == 0) {
		src.path = f->path;
		src.data = p.up;
		src.len = p.ulen;
		src.dpath = f->down_path;
		src.ddata = p.down;
		src.dlen = p.dlen;
		src.cpath = f->conf_path;
		src.cdata = p.conf;
		src.clen = p.clen;
		src.format = (enum text_format)f->format;
		src.flags = f->pflags;
		src.env = &env;
		ret = migration_parse_src(&src, m, err);
	}
	free(p.up);
	free(p.down);
	free(p.conf);
	if (ret < 0)
		return RUNNER_EFAIL;
	checksum_format(m->crc, sum);
	if (strcmp(sum, f->checksum) != 0) {
		migration_release(m);
		return buf_seterr(err, RUNNER_EFAIL,
		    "'%s' changed while runner was running", f->path);
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted paths of the .sql files in dir; RUNNER_ENOENT if it is absent. */
static int
sql_paths(const char *dir, const char *what, char ***paths, size_t *n,
    struct buf *err)
{
	struct dirent *de;
	size_t alloc = 0, len;
	DIR *d;

	*paths = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return buf_seterr(err, errno == ENOENT ? RUNNER_ENOENT :
		    RUNNER_EFAIL, "cannot open %s directory '%s': %s", what,
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			*paths = xreallocarray(*paths, alloc, sizeof(**paths));
		}
		(*paths)[(*n)++] = join_path(dir, de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*paths, *n, sizeof(**paths), cmp_str);
	return 0;
}

int
seeds_list(const char *dir, char ***paths, size_t *n, struct buf *err)
{
	char *sdir = join_path(dir, "seeds");
	int ret;

	ret = sql_paths(sdir, "seeds", paths, n, err);
	if (ret == RUNNER_ENOENT) {
		buf_reset(err);
		ret = 0;
	}
	free(sdir);
	return ret;
}

void
paths_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
