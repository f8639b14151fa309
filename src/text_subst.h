/*
 * text_subst.h: values substituted into a migration's SQL: goose's ENVSUB
 * ($VAR, ${VAR}, ${VAR:-default}, ...) and Flyway's ${placeholder}s. Pure:
 * values come from a struct parse_env; nothing is read here.
 */
#ifndef RUNNER_TEXT_SUBST_H
#define RUNNER_TEXT_SUBST_H

#include <stddef.h>

#include "buf.h"

/* Where ENVSUB variables and Flyway placeholders get their values. */
struct parse_env {
	/*
	 * The value of variable name[0, len) (placeholder: a Flyway
	 * placeholder, matched as Flyway does, without case), borrowed; NULL
	 * when it is not set.
	 */
	const char *(*lookup)(void *arg, const char *name, size_t len,
	    int placeholder);
	void *arg;
};

/*
 * Appends line [p, end), line number line of path, to out with goose's
 * ENVSUB expansions done: $VAR, ${VAR}, ${VAR:-default} (also when VAR is
 * empty), ${VAR-default}, ${VAR?message}; $$ and \$ are a '$'. Unlike
 * goose, a variable that is not set and has no default is an error naming
 * it, path and line. Returns 0 or RUNNER_EFAIL.
 */
int envsub_line(const char *path, int line, const char *p, const char *end,
    const struct parse_env *env, struct buf *out, struct buf *err);

/*
 * Appends text[0, len) of path to out with every Flyway placeholder
 * ${name} replaced by its value (matched without case, as Flyway does);
 * ${flyway:filename} is path's file name. A placeholder without a value,
 * or a ${ without its }, is an error naming it, path and line.
 */
int placeholders_replace(const char *path, const char *text, size_t len,
    const struct parse_env *env, struct buf *out, struct buf *err);

#endif
