/*
 * file_gz.h: gzip files with zlib. Compression runs on several threads and
 * still writes one standard gzip member; decompression checks everything
 * gzip -t checks and refuses what it would only warn about.
 */
#ifndef RUNNER_FILE_GZ_H
#define RUNNER_FILE_GZ_H

#include <signal.h>
#include <stdint.h>

#include "buf.h"

/* Called with the bytes read so far and the total; may be NULL. */
typedef void gz_progress_fn(void *arg, uint64_t done, uint64_t total);

struct gz_opts {
	int level;		/* 0 to 9 */
	int threads;		/* compressing threads; <= 0: one per core */
	gz_progress_fn *progress;
	void *arg;
	volatile sig_atomic_t *stop;	/* when set, fail as interrupted */
	/*
	 * One subfield of the header's extra field (RFC 1952 2.3.1.1), when
	 * field_id is not NULL: its two-letter id, and field_len (< 65000)
	 * bytes at field. gzip and zlib skip it.
	 */
	const char *field_id;
	const void *field;
	size_t field_len;
	const char *in_name, *out_name;	/* the files, for messages */
};

/*
 * Compresses the regular file in_fd (from offset 0, whole) into out_fd as
 * one gzip member. Blocks of the input are compressed independently on
 * o->threads threads, each primed with the 32 KiB before it, so the output
 * is within a fraction of a percent of single-threaded deflate's. Memory
 * does not depend on the input size. *out_size gets the bytes written.
 */
int gz_compress(int in_fd, int out_fd, const struct gz_opts *o,
    uint64_t *out_size, struct buf *err);

/*
 * Decompresses the gzip file in_fd into out_fd (-1 to check only), and
 * fails on anything but one or more complete gzip members with good CRC
 * and length: an empty file, a file that is not gzip, truncation, corrupt
 * data and trailing garbage each get their own message, naming path.
 * *out_size gets the decompressed size.
 */
int gz_decompress(int in_fd, int out_fd, const char *path, uint64_t *out_size,
    struct buf *err);

/*
 * Reads the gzip header at the start of in_fd and the subfield id (two
 * letters) of its extra field into out: 1 when found, 0 when the header
 * has none, RUNNER_EFAIL (naming path) when the file is not gzip or
 * cannot be read.
 */
int gz_read_field(int in_fd, const char *path, const char *id,
    struct buf *out, struct buf *err);

#endif
