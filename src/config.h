/* config.h: settings from the environment and a .env file. */
#ifndef RUNNER_CONFIG_H
#define RUNNER_CONFIG_H

#include <stddef.h>

#include "buf.h"

struct dotenv_var {
	char *key;
	char *value;
};

/* The assignments of a .env file, in file order. */
struct dotenv {
	struct dotenv_var *v;
	size_t n;
};

#define DOTENV_INIT { NULL, 0 }

/*
 * Parses the text of a .env file; path names it in messages. Each line is
 * blank, a # comment, or [export ]KEY=VALUE, the value bare (ending at a
 * " #" comment) or in single or double quotes, taken as written. Any
 * other line is an error, "path:LINE: ...", with nothing in out; no I/O.
 * Release out with dotenv_release.
 */
int dotenv_parse(const char *path, const char *text, size_t len,
    struct dotenv *out, struct buf *err);
/* The last value assigned to key, or NULL. */
const char *dotenv_get(const struct dotenv *d, const char *key);
void dotenv_release(struct dotenv *d);

/*
 * Reads and parses the .env file at path. A missing file is an empty one;
 * one that cannot be read (or is not a regular file) or parsed is an
 * error naming it.
 */
int dotenv_load(const char *path, struct dotenv *out, struct buf *err);

/*
 * The value of key: the environment if set and non-empty, else d's if
 * non-empty, else NULL. Freed by the caller.
 */
char *config_get(const struct dotenv *d, const char *key);

#endif
