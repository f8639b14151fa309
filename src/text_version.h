/*
 * text_version.h: the one version type every part of runner compares: digits
 * ("003", "20261121104500"), or Flyway's parts of digits joined by '.' or
 * '_' ("1.2.3", "1_2"). Pure functions on strings.
 */
#ifndef RUNNER_TEXT_VERSION_H
#define RUNNER_TEXT_VERSION_H

#include <stddef.h>

/* Whether s is a version: parts of ASCII digits joined by single '.' or '_'. */
int version_valid(const char *s);
/* The same for the n bytes at s. */
int version_valid_n(const char *s, size_t n);

/*
 * Compares versions part by part, each part as an integer of any width;
 * a missing part counts as 0, so 9 < 10, 001 == 1 and 1.0 == 1 (as Flyway
 * compares them). Text that is not a version (an adopted table's) sorts
 * after every version, as text. Returns <0, 0 or >0.
 */
int version_cmp(const char *a, const char *b);
/* The same for a[0, an) and b[0, bn). */
int version_cmp_n(const char *a, size_t an, const char *b, size_t bn);

/* Whether version s is zero in every part ("0", "000", "0.0"). */
int version_is_zero(const char *s);

#endif
