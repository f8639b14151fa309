/*
 * runner_schemafile.c: the schema file (--schema-file), as dbmate's
 * db/schema.sql: show-schema's output and the applied versions, replaced
 * atomically; and building a new database from one (load).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "runner_int.h"
#include "banned.h"

static void
sql_string(struct buf *out, const char *s)
{
	if (s == NULL) {
		buf_adds(out, "NULL");
		return;
	}
	buf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addch(out, '\'');
		buf_addch(out, *s);
	}
	buf_addch(out, '\'');
}

int
schema_file_text(struct store *s, struct buf *out, struct buf *err)
{
	struct applied_set rows;
	size_t i;
	int ret;

	memset(&rows, 0, sizeof(rows));
	buf_adds(out, "-- The schema, and the migrations applied, as 'runner "
	    "migrate' and 'runner rollback'\n-- leave them. Build a new "
	    "database from this file with 'runner load FILE'.\n\n");
	ret = store_schema(s, out, err);
	if (ret == 0)
		ret = store_load_applied(s, &rows, err);
	for (i = 0; ret == 0 && i < rows.n; i++) {
		if (i == 0)
			tracking_sql(out, s->table, "\n-- Applied migrations\n"
			    "INSERT INTO {T} (version, name, checksum) VALUES");
		buf_adds(out, i ? ",\n    (" : "\n    (");
		sql_string(out, rows.v[i].version);
		buf_adds(out, ", ");
		sql_string(out, rows.v[i].name);
		buf_adds(out, ", ");
		sql_string(out, rows.v[i].checksum);
		buf_addch(out, ')');
	}
	if (ret == 0 && rows.n)
		buf_adds(out, ";\n");
	applied_set_release(&rows);
	return ret;
}

/* Writes data to a temporary file beside path, syncs it, renames it. */
static int
replace_file(const char *path, const char *data, size_t len,
    struct buf *err)
{
	struct buf tmp = BUF_INIT;
	const char *slash = strrchr(path, '/');
	ssize_t n;
	size_t off = 0;
	int fd, ret = 0;

	if (slash)
		buf_add(&tmp, path, (size_t)(slash - path + 1));
	buf_adds(&tmp, ".runner-schema-XXXXXX");
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write schema file "
		    "'%s': %s", path, strerror(errno));
		goto out;
	}
	while (ret == 0 && off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = buf_seterr(err, RUNNER_EFAIL, "cannot write schema "
			    "file '%s': %s", path, strerror(errno));
		else
			off += (size_t)n;
	}
	if (ret == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write schema file "
		    "'%s': %s", path, strerror(errno));
	close(fd);
	if (ret == 0 && rename(tmp.buf, path) < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot write schema file "
		    "'%s': %s", path, strerror(errno));
	if (ret < 0)
		unlink(tmp.buf);
out:
	buf_release(&tmp);
	return ret;
}

int
schema_file_write(struct store *s, const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	int ret;

	ret = schema_file_text(s, &text, err);
	if (ret == 0)
		ret = replace_file(path, text.buf, text.len, err);
	buf_release(&text);
	return ret;
}

/* load: the database must hold nothing yet. */
static int
check_new(struct runner *r, struct buf *err)
{
	struct buf schema = BUF_INIT;
	int ret;

	ret = store_schema(r->store, &schema, err);
	if (ret == 0 && schema.len)
		ret = buf_seterr(err, RUNNER_EFAIL, "database '%s' is not "
		    "empty: load builds a new database from a schema file",
		    r->store->display);
	buf_release(&schema);
	return ret;
}

int
runner_load_schema(struct runner *r, const char *path, struct buf *err)
{
	struct section_run s;
	char *text = NULL;
	int ret;

	ret = sql_file_section(path, &text, &s, err);
	if (ret == 0)
		ret = runner_lock_run(r, err);
	if (ret == 0)
		ret = store_begin(r->store, 0, err);
	if (ret == 0) {
		ret = check_new(r, err);
		if (ret == 0)
			ret = exec_section(r, &s, err);
		/* The file made the schema: record what the migrations make. */
		if (ret == 0) {
			r->drift = DRIFT_DIRTY;
			ret = drift_settle(r, err);
		}
		if (ret == 0)
			ret = commit_section(r, &s, 0, err);
		if (ret < 0)
			store_rollback(r->store, 0);
	}
	free(text);
	return ret;
}
