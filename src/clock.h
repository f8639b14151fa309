/*
 * clock.h: the monotonic clock that durations are measured with.
 */
#ifndef RUNNER_CLOCK_H
#define RUNNER_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC, from an unspecified start. */
double clock_ms(void);

#endif
