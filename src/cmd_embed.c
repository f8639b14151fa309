/*
 * cmd_embed.c: runner embed, which writes the migrations folders'
 * migrations as C data for librunner_load_embedded: each file's text as
 * written, with the format, flags and checksum runner read it with, so a
 * program migrated from them records what runner migrate would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

#define EMBED_NAME_DEFAULT "runner_migrations"

/* Appends s[0, len) as a C string literal, a line of source per line. */
static void
add_literal(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	buf_addch(out, '"');
	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			buf_adds(out, i + 1 < len ? "\\n\"\n\t    \"" : "\\n");
		} else if (p[i] == '\t')
			buf_adds(out, "\\t");
		else if (p[i] == '"' || p[i] == '\\')
			buf_addf(out, "\\%c", p[i]);
		else if (p[i] == '?')	/* no trigraphs ("??=") */
			buf_adds(out, "\\?");
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			buf_addf(out, "\\%03o", p[i]);
		else
			buf_addch(out, p[i]);
	}
	buf_addch(out, '"');
}

static void
add_field(struct buf *out, const char *field, const char *s)
{
	buf_addf(out, "\t    .%s = ", field);
	if (s)
		add_literal(out, s, strlen(s));
	else
		buf_adds(out, "NULL");
	buf_adds(out, ",\n");
}

/* A file's text and length (none for a NULL path). */
static void
add_text(struct buf *out, const char *field, const char *path,
    const char *data, size_t len, const char *lenfield)
{
	if (path == NULL)
		return;
	buf_addf(out, "\t    .%s = ", field);
	add_literal(out, data, len);
	buf_addf(out, ",\n\t    .%s = %zu,\n", lenfield, len);
}

/*
 * Reads f's files and checks them as migset_read does (the checksum is
 * the one migset_load took), then appends its initializer.
 */
static int
add_migration(struct buf *out, const struct migset *s, struct migfile *f,
    struct buf *err)
{
	struct migration_src src;
	struct migration m;
	char *up = NULL, *down = NULL, *conf = NULL;
	size_t ulen = 0, dlen = 0, clen = 0;
	int ret = RUNNER_EFAIL;

	if (file_read(f->path, &up, &ulen, err) < 0 || (f->down_path &&
	    file_read(f->down_path, &down, &dlen, err) < 0) ||
	    (f->conf_path && file_read(f->conf_path, &conf, &clen, err) < 0))
		goto out;
	memset(&src, 0, sizeof(src));
	src.path = f->path;
	src.data = up;
	src.len = ulen;
	src.dpath = f->down_path;
	src.ddata = down;
	src.dlen = dlen;
	src.cpath = f->conf_path;
	src.cdata = conf;
	src.clen = clen;
	src.format = (enum text_format)f->format;
	src.flags = f->pflags;
	src.env = &migset_env;
	f->src = &src;
	ret = migset_read(s, f, &m, err);
	f->src = NULL;
	if (ret < 0)
		goto out;
	migration_release(&m);
	buf_adds(out, "\t{\n");
	add_field(out, "version", f->version);
	add_field(out, "name", f->name);
	add_field(out, "path", f->path);
	add_text(out, "text", f->path, up, ulen, "text_len");
	add_field(out, "down_path", f->down_path);
	add_text(out, "down_text", f->down_path, down, dlen, "down_len");
	add_field(out, "conf_path", f->conf_path);
	add_text(out, "conf_text", f->conf_path, conf, clen, "conf_len");
	buf_addf(out, "\t    .format = %u,\n\t    .flags = %u,\n",
	    (unsigned)f->format, (unsigned)f->pflags);
	add_field(out, "checksum", f->checksum);
	buf_adds(out, "\t},\n");
out:
	free(up);
	free(down);
	free(conf);
	return ret;
}

static int
embed_text(const struct migset *s, const char *dirs, const char *name,
    struct buf *out, struct buf *err)
{
	size_t i;
	int ret = 0;

	buf_addf(out, "/*\n * Written by runner embed from %s: its %zu "
	    "migration%s for\n * librunner_load_embedded(db, %s, "
	    "%s_count).\n * Do not edit: run runner embed again.\n */\n",
	    dirs, s->n, s->n == 1 ? "" : "s", name, name);
	buf_addf(out, "#include <librunner.h>\n\nLIBRUNNER_DECLARE_EMBEDDED"
	    "(%s);\n\nconst size_t %s_count = %zu;\n", name, name, s->n);
	/* C has no empty arrays: one zeroed element, not counted. */
	buf_addf(out, "const struct librunner_migration %s[] = {\n", name);
	for (i = 0; ret == 0 && i < s->n; i++)
		ret = add_migration(out, s, &s->v[i], err);
	if (s->n == 0)
		buf_adds(out, "\t{ .version = NULL }\n");
	buf_adds(out, "};\n");
	return ret;
}

static int
c_identifier(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i > 0 && i <= 64;
}

int
cmd_embed(struct cli *c, struct args *a)
{
	struct migset s = MIGSET_INIT;
	struct buf out = BUF_INIT, err = BUF_INIT, shown = BUF_INIT;
	const char *name = EMBED_NAME_DEFAULT;
	char **dirs = a->npos ? a->pos : c->dirs;
	size_t i, n = a->npos ? (size_t)a->npos : c->ndirs;
	int ret, code = EXIT_OK;

	arg_flag(a, "--name", &name);
	if (!c_identifier(name))
		return cli_usage_error(a, "'%s' is not a C identifier (--name: "
		    "letters, digits and '_', not starting with a digit, at "
		    "most 64)", name);
	for (i = 0; i < n; i++)
		buf_addf(&shown, "%s%s", i ? ":" : "", dirs[i]);
	/* The folders are named in a comment: nothing may end it early. */
	for (i = 1; i < shown.len; i++)
		if (shown.buf[i - 1] == '*' && shown.buf[i] == '/')
			shown.buf[i] = '|';
	ret = migset_load(&s, dirs, n, 0, &err);
	cli_warnings(&s);
	if (ret == 0)
		ret = embed_text(&s, shown.buf, name, &out, &err);
	if (ret < 0)
		code = cli_fail(&err, ret);
	else if (fwrite(out.buf, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "runner: cannot write to standard output: %s\n",
		    strerror(errno));
		code = EXIT_FAIL;
	}
	migset_release(&s);
	buf_release(&out);
	buf_release(&err);
	buf_release(&shown);
	return code;
}
