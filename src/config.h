/* config.h: settings from the environment and a .env file. */
#ifndef RUNNER_CONFIG_H
#define RUNNER_CONFIG_H

#include "buf.h"

/*
 * The value of key: the environment if set and non-empty, else the .env
 * file at path, else NULL. The result is freed by the caller.
 */
char *config_get(const char *dotenv, const char *key);

/* The value of key in the .env text, or NULL; no I/O. Freed by the caller. */
char *dotenv_parse(const char *text, size_t len, const char *key);

#endif
