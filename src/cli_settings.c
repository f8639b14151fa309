/*
 * cli_settings.c: the settings every command gets (struct cli), each
 * resolved once: the option, else the environment or .env, else the
 * default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_backup.h"
#include "cli_int.h"
#include "file_config.h"
#include "banned.h"

/*
 * A setting: the option, else the variable (environment, .env), else
 * fallback. CLI_GO_ON, or an exit code.
 */
static int
setting(const struct globals *g, const char *given, const char *key,
    const char *fallback, char **out)
{
	struct buf err = BUF_INIT;
	int ret;

	*out = NULL;
	if (given) {
		*out = xstrdup(given);
		return CLI_GO_ON;
	}
	ret = config_get(g->env_file ? g->env_file : ".env",
	    g->env_file != NULL, key, out, &err);
	if (ret < 0)
		return cli_fail(&err, ret);
	if (*out == NULL && fallback)
		*out = xstrdup(fallback);
	return CLI_GO_ON;
}

/*
 * The migrations folders: each --dir, else $MIGRATIONS_DIR (environment,
 * .env), whose folders ':' separates, else migrations; c->dir shows them
 * joined. CLI_GO_ON, or an exit code.
 */
static int
resolve_dirs(const struct globals *g, struct cli *c)
{
	struct buf shown = BUF_INIT;
	char *v = NULL, *p, *sep;
	size_t i;
	int code;

	c->dirs = xcalloc((size_t)g->ndirs + 2, sizeof(*c->dirs));
	for (i = 0; i < (size_t)g->ndirs; i++)
		c->dirs[c->ndirs++] = xstrdup(g->dirs[i]);
	if (g->ndirs == 0 && (code = setting(g, NULL, "MIGRATIONS_DIR",
	    "migrations", &v)) != CLI_GO_ON)
		return code;
	for (p = v; p; p = sep ? sep + 1 : NULL) {
		sep = strchr(p, ':');
		if (sep == p || *p == '\0') {
			fprintf(stderr, "runner: MIGRATIONS_DIR '%s' names an "
			    "empty folder (folders are separated by ':')\n", v);
			free(v);
			return EXIT_USAGE;
		}
		c->dirs = xreallocarray(c->dirs, c->ndirs + 2, sizeof(*c->dirs));
		c->dirs[c->ndirs++] = sep ? xstrndup(p, (size_t)(sep - p)) :
		    xstrdup(p);
	}
	free(v);
	for (i = 0; i < c->ndirs; i++)
		buf_addf(&shown, "%s%s", i ? ":" : "", c->dirs[i]);
	c->dir = buf_detach(&shown, NULL);
	return CLI_GO_ON;
}

void
cli_settings_release(struct cli *c)
{
	free(c->shown);
	free(c->db);
	paths_free(c->dirs, c->ndirs);
	free(c->dir);
	free(c->backup_dir);
	free(c->table);
	free(c->schema_file);
}

int
cli_settings(struct cli *c, const struct globals *g)
{
	int code;

	memset(c, 0, sizeof(*c));
	c->g = g;
	if ((code = setting(g, g->db, "DATABASE_URL", "app.db",
	    &c->db)) != CLI_GO_ON ||
	    (code = resolve_dirs(g, c)) != CLI_GO_ON ||
	    (code = setting(g, g->backup_dir, "BACKUP_DIR", BACKUP_DIR_DEFAULT,
	    &c->backup_dir)) != CLI_GO_ON ||
	    (code = setting(g, g->table, "RUNNER_TABLE", TRACKING_TABLE,
	    &c->table)) != CLI_GO_ON ||
	    (code = setting(g, g->schema_file, "RUNNER_SCHEMA_FILE", NULL,
	    &c->schema_file)) != CLI_GO_ON)
		return code;
	c->shown = store_display_url(c->db);
	if (!tracking_name_valid(c->table)) {
		fprintf(stderr, "runner: '%s' cannot name the tracking table "
		    "(--table, RUNNER_TABLE: letters, digits and '_', not "
		    "starting with a digit, at most %d)\n", c->table,
		    TRACKING_NAME_MAX);
		return EXIT_USAGE;
	}
	return CLI_GO_ON;
}

int
cli_empty_option(const struct globals *g)
{
	const char *name = g->db && !*g->db ? "--db" : NULL;
	int i;

	for (i = 0; name == NULL && i < g->ndirs; i++)
		if (!*g->dirs[i])
			name = "--dir";
	if (name == NULL)
		name = g->backup_dir && !*g->backup_dir ? "--backup-dir" :
		    g->table && !*g->table ? "--table" : g->env_file &&
		    !*g->env_file ? "--env-file" : g->schema_file &&
		    !*g->schema_file ? "--schema-file" : NULL;
	if (name == NULL)
		return CLI_GO_ON;
	fprintf(stderr, "runner: %s must not be empty\n", name);
	return EXIT_USAGE;
}

