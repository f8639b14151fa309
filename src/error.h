/* error.h: the error codes core functions return (0 is success). */
#ifndef RUNNER_ERROR_H
#define RUNNER_ERROR_H

enum runner_error {
	RUNNER_OK = 0,
	RUNNER_EFAIL = -1,	/* the operation failed; the message says why */
	RUNNER_EUSAGE = -2,	/* the caller asked for something impossible */
	RUNNER_ENOENT = -3,	/* the database or directory does not exist */
	RUNNER_EBUSY = -4,	/* the lock could not be taken in time */
	RUNNER_EINTR = -5,	/* interrupted by a signal */
	RUNNER_ECLUSTER = -6,	/* would change the server beyond one database */
	RUNNER_EAFTER = -7,	/* the change was made; a step after it failed */
	RUNNER_EIO = -8		/* the database's storage failed, not the SQL */
};

#endif
