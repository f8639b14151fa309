/* file_config.h: settings from the environment and a .env file. */
#ifndef RUNNER_FILE_CONFIG_H
#define RUNNER_FILE_CONFIG_H

#include <stddef.h>

#include "buf.h"

/* A .env line longer than this is an error, not a value. */
#define DOTENV_LINE_MAX 65536

/*
 * The value of key in *out (NULL when unset): the environment if set and
 * non-empty, else the .env file at path. A missing file sets nothing,
 * unless must_exist (--env-file): then it is an error. A bad line is an
 * error naming the file and the line. *out is freed by the caller.
 */
int config_get(const char *path, int must_exist, const char *key,
    char **out, struct buf *err);

/*
 * The value the .env text gives key (the last assignment wins) into *out,
 * or NULL; no I/O. Values are unquoted ('...' taken as it is, "..." and
 * bare values expanded): ${VAR} and ${VAR:-default} take VAR from env()
 * (when not NULL and it has VAR) or else from an earlier line. Errors name
 * path and the line: an unterminated ${, a variable that refers to itself
 * with no earlier value, a line over DOTENV_LINE_MAX. *out is freed by the
 * caller.
 */
int dotenv_parse(const char *path, const char *text, size_t len,
    const char *key, const char *(*env)(const char *name), char **out,
    struct buf *err);

#endif
