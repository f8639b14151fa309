/*
 * file_gz.c: gzip with zlib. Compression splits the input into blocks that
 * threads deflate independently, each primed with the 32 KiB before it and
 * ended with a sync flush, so the concatenation is one deflate stream (the
 * scheme pigz uses); a writer thread puts them out in order and combines
 * their CRCs. Decompression is zlib's inflate with the gzip wrapper.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "error.h"
#include "file_gz.h"
#include "banned.h"

#define BLOCK		(256 * 1024)
#define WINDOW		32768
#define MAXTHREADS	16
#define CHUNK		(256 * 1024)

enum slot_state { S_FREE, S_FILLED, S_BUSY, S_DONE };

struct slot {
	enum slot_state state;
	unsigned char *in, *dict, *out;
	size_t inlen, dictlen, outlen, outcap;
	uLong crc;
	int last;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* broadcast on every state change */
	struct slot *slots;
	size_t nslots;
	uint64_t filled;	/* blocks handed to the workers */
	uint64_t taken;		/* blocks a worker has started */
	int eof;		/* the last block is among the filled */
	int failed;
	int level;
	int out_fd;
	uint64_t out_size;
	const struct gz_opts *opts;
	struct buf err;
	struct buf msg;		/* the filling thread's scratch */
};

static void
pool_fail(struct pool *p, const char *fmt, const char *detail)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed)
		buf_seterr(&p->err, RUNNER_EFAIL, fmt, detail);
	p->failed = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *q = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, q, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		q += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads up to len bytes, short only at end of file; -1 on error. */
static ssize_t
read_full(int fd, void *data, size_t len)
{
	char *q = data;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, q + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int
deflate_block(z_stream *zs, struct slot *s)
{
	int rc;

	if (deflateReset(zs) != Z_OK)
		return -1;
	if (s->dictlen && deflateSetDictionary(zs, s->dict,
	    (uInt)s->dictlen) != Z_OK)
		return -1;
	zs->next_in = s->in;
	zs->avail_in = (uInt)s->inlen;
	zs->next_out = s->out;
	zs->avail_out = (uInt)s->outcap;
	rc = deflate(zs, s->last ? Z_FINISH : Z_SYNC_FLUSH);
	if (s->last ? rc != Z_STREAM_END :
	    rc != Z_OK || zs->avail_in || !zs->avail_out)
		return -1;
	s->outlen = s->outcap - zs->avail_out;
	s->crc = crc32(0L, s->in, (uInt)s->inlen);
	return 0;
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	z_stream zs;
	struct slot *s;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, p->level, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		pool_fail(p, "cannot compress: %s", "zlib has no memory");
		return NULL;
	}
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->failed && p->taken == p->filled && !p->eof)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed || p->taken == p->filled)
			break;
		s = &p->slots[p->taken++ % p->nslots];
		s->state = S_BUSY;
		pthread_mutex_unlock(&p->mu);
		if (deflate_block(&zs, s) < 0)
			pool_fail(p, "cannot compress: %s", "deflate failed");
		pthread_mutex_lock(&p->mu);
		s->state = S_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	deflateEnd(&zs);
	return NULL;
}

static int
put(struct pool *p, const void *data, size_t len)
{
	struct buf m = BUF_INIT;

	if (write_all(p->out_fd, data, len) < 0) {
		buf_addf(&m, "cannot write '%s': %s", p->opts->out_name ?
		    p->opts->out_name : "the compressed file", strerror(errno));
		pool_fail(p, "%s", m.buf);
		buf_release(&m);
		return -1;
	}
	p->out_size += len;
	return 0;
}

static void
put_le32(unsigned char *q, uLong v)
{
	q[0] = v & 0xff;
	q[1] = (v >> 8) & 0xff;
	q[2] = (v >> 16) & 0xff;
	q[3] = (v >> 24) & 0xff;
}

#define FEXTRA	4

/* The 10-byte header, then the extra field if there is one. */
static int
put_header(struct pool *p)
{
	unsigned char header[16] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	const struct gz_opts *o = p->opts;
	size_t n = o->field_id ? o->field_len : 0;

	if (o->field_id == NULL)
		return put(p, header, 10);
	header[3] = FEXTRA;
	header[10] = (unsigned char)((n + 4) & 0xff);
	header[11] = (unsigned char)((n + 4) >> 8);
	header[12] = (unsigned char)o->field_id[0];
	header[13] = (unsigned char)o->field_id[1];
	header[14] = (unsigned char)(n & 0xff);
	header[15] = (unsigned char)(n >> 8);
	if (put(p, header, sizeof(header)) < 0)
		return -1;
	return put(p, o->field, n);
}

/* Writes the blocks in order between a gzip header and trailer. */
static void *
writer(void *arg)
{
	struct pool *p = arg;
	unsigned char trailer[8];
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t seq, isize = 0;
	struct slot *s;

	if (put_header(p) < 0)
		return NULL;
	for (seq = 0;; seq++) {
		s = &p->slots[seq % p->nslots];
		pthread_mutex_lock(&p->mu);
		while (!p->failed && !(seq < p->filled && s->state == S_DONE) &&
		    !(p->eof && seq == p->filled))
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->failed || seq == p->filled)
			break;
		if (put(p, s->out, s->outlen) < 0)
			return NULL;
		crc = crc32_combine(crc, s->crc, (z_off_t)s->inlen);
		isize += s->inlen;
		pthread_mutex_lock(&p->mu);
		s->state = S_FREE;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	if (p->failed)
		return NULL;
	put_le32(trailer, crc);
	put_le32(trailer + 4, (uLong)(isize & 0xffffffffu));
	put(p, trailer, sizeof(trailer));
	return NULL;
}

/* Hands the next block to the workers once its slot is free. */
static int
fill(struct pool *p, int in_fd, uint64_t seq, uint64_t *done, uint64_t size)
{
	struct slot *s = &p->slots[seq % p->nslots];
	struct slot *prev = &p->slots[(seq + p->nslots - 1) % p->nslots];
	ssize_t n;

	pthread_mutex_lock(&p->mu);
	while (!p->failed && s->state != S_FREE)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	if (p->failed)
		return -1;
	n = read_full(in_fd, s->in, BLOCK);
	if (n < 0 || (n < BLOCK && *done + (uint64_t)n != size)) {
		buf_addf(&p->msg, "cannot read '%s': %s", p->opts->in_name ?
		    p->opts->in_name : "the data to compress", n < 0 ?
		    strerror(errno) : "it changed size");
		pool_fail(p, "%s", p->msg.buf);
		return -1;
	}
	/* The previous block's input is intact: only this thread fills. */
	s->dictlen = seq == 0 ? 0 : prev->inlen < WINDOW ? prev->inlen : WINDOW;
	memcpy(s->dict, prev->in + prev->inlen - s->dictlen, s->dictlen);
	s->inlen = (size_t)n;
	*done += (uint64_t)n;
	s->last = *done == size;
	pthread_mutex_lock(&p->mu);
	s->state = S_FILLED;
	p->filled++;
	p->eof = s->last;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static int
thread_count(int want)
{
	long n = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAXTHREADS ? MAXTHREADS : (int)n;
}

static void
pool_init(struct pool *p, int level, int out_fd, int nthreads)
{
	size_t i, cap = deflateBound(NULL, BLOCK) + 64;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	buf_init(&p->err);
	buf_init(&p->msg);
	p->level = level;
	p->out_fd = out_fd;
	p->nslots = 2 * (size_t)nthreads + 2;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < p->nslots; i++) {
		p->slots[i].in = xmalloc(BLOCK);
		p->slots[i].dict = xmalloc(WINDOW);
		p->slots[i].out = xmalloc(cap);
		p->slots[i].outcap = cap;
	}
}

static void
pool_release(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->nslots; i++) {
		free(p->slots[i].in);
		free(p->slots[i].dict);
		free(p->slots[i].out);
	}
	free(p->slots);
	buf_release(&p->err);
	buf_release(&p->msg);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}

/* Starts the threads, feeds them the input, and waits for them. */
static void
pool_run(struct pool *p, int in_fd, uint64_t size, int nthreads,
    const struct gz_opts *o)
{
	pthread_t th[MAXTHREADS + 1];
	int i, started = 0;
	uint64_t seq, done = 0;

	for (i = 0; i <= nthreads; i++) {
		if (pthread_create(&th[i], NULL, i ? worker : writer, p)) {
			pool_fail(p, "cannot start a thread: %s",
			    strerror(errno));
			break;
		}
		started++;
	}
	for (seq = 0; !p->failed; seq++) {
		if (o->stop && *o->stop) {
			pool_fail(p, "%s", "interrupted");
			break;
		}
		if (fill(p, in_fd, seq, &done, size) < 0)
			break;
		if (o->progress)
			o->progress(o->arg, done, size);
		if (done == size)
			break;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

int
gz_compress(int in_fd, int out_fd, const struct gz_opts *o,
    uint64_t *out_size, struct buf *err)
{
	struct pool p;
	struct stat st;
	int nthreads = thread_count(o->threads), ret = 0;

	if (o->level < 0 || o->level > 9)
		return buf_seterr(err, RUNNER_EUSAGE, "compression level %d "
		    "is not between 0 and 9", o->level);
	if (fstat(in_fd, &st) < 0 || lseek(in_fd, 0, SEEK_SET) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read the data to "
		    "compress: %s", strerror(errno));
	if (o->field_id && o->field_len >= 65000)
		return buf_seterr(err, RUNNER_EUSAGE, "gzip header field too "
		    "long");
	pool_init(&p, o->level, out_fd, nthreads);
	p.opts = o;
	pool_run(&p, in_fd, (uint64_t)st.st_size, nthreads, o);
	if (p.failed)
		ret = buf_seterr(err, RUNNER_EFAIL, "%s", p.err.buf);
	*out_size = p.out_size;
	pool_release(&p);
	return ret;
}

struct inflater {
	z_stream zs;
	int in_fd, out_fd;
	const char *path;
	unsigned char *in, *out;
	uint64_t consumed;	/* input bytes before zs.next_in */
	uint64_t produced;
};

/* Refills the input, keeping the unread bytes; 0 at end of file. */
static ssize_t
refill(struct inflater *f, struct buf *err)
{
	ssize_t n;

	f->consumed += (uint64_t)(f->zs.next_in - f->in);
	memmove(f->in, f->zs.next_in, f->zs.avail_in);
	f->zs.next_in = f->in;
	n = read_full(f->in_fd, f->in + f->zs.avail_in, CHUNK - f->zs.avail_in);
	if (n < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s",
		    f->path, strerror(errno));
	f->zs.avail_in += (uInt)n;
	return n;
}

static int
inflate_error(struct inflater *f, int rc, struct buf *err)
{
	const char *msg = f->zs.msg ? f->zs.msg : "invalid data";
	uint64_t at = f->consumed + (uint64_t)(f->zs.next_in - f->in);

	if (rc == Z_MEM_ERROR)
		return buf_seterr(err, RUNNER_EFAIL, "cannot decompress '%s': "
		    "out of memory", f->path);
	if (strcmp(msg, "incorrect data check") == 0)
		return buf_seterr(err, RUNNER_EFAIL, "'%s' is corrupt: its "
		    "CRC-32 does not match its data", f->path);
	if (strcmp(msg, "incorrect length check") == 0)
		return buf_seterr(err, RUNNER_EFAIL, "'%s' is corrupt: its "
		    "recorded length does not match its data", f->path);
	return buf_seterr(err, RUNNER_EFAIL, "'%s' is corrupt near byte "
	    "%llu: %s", f->path, (unsigned long long)at, msg);
}

/*
 * After a member ends: another member may follow (gzip reads them as one
 * file); anything else is garbage. 1 if a member follows, 0 at the end.
 */
static int
next_member(struct inflater *f, struct buf *err)
{
	if (f->zs.avail_in < 2 && refill(f, err) < 0)
		return RUNNER_EFAIL;
	if (f->zs.avail_in == 0)
		return 0;
	if (f->zs.avail_in < 2 || f->zs.next_in[0] != 0x1f ||
	    f->zs.next_in[1] != 0x8b)
		return buf_seterr(err, RUNNER_EFAIL, "'%s' has trailing "
		    "garbage after the compressed data (at byte %llu)",
		    f->path, (unsigned long long)(f->consumed +
		    (uint64_t)(f->zs.next_in - f->in)));
	if (inflateReset(&f->zs) != Z_OK)
		return inflate_error(f, Z_STREAM_ERROR, err);
	return 1;
}

static int
drain(struct inflater *f, struct buf *err)
{
	size_t n = CHUNK - f->zs.avail_out;

	if (n && f->out_fd >= 0 && write_all(f->out_fd, f->out, n) < 0)
		return buf_seterr(err, RUNNER_EFAIL, "cannot write the "
		    "decompressed data of '%s': %s", f->path, strerror(errno));
	f->produced += n;
	f->zs.next_out = f->out;
	f->zs.avail_out = CHUNK;
	return 0;
}

static int
inflate_all(struct inflater *f, struct buf *err)
{
	ssize_t n;
	int rc;

	for (;;) {
		if (f->zs.avail_in == 0) {
			n = refill(f, err);
			if (n < 0)
				return RUNNER_EFAIL;
			if (n == 0)
				return buf_seterr(err, RUNNER_EFAIL, "'%s' is "
				    "truncated: it ends inside the compressed "
				    "data", f->path);
		}
		rc = inflate(&f->zs, Z_NO_FLUSH);
		if (drain(f, err) < 0)
			return RUNNER_EFAIL;
		if (rc == Z_STREAM_END) {
			rc = next_member(f, err);
			if (rc <= 0)
				return rc;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return inflate_error(f, rc, err);
		}
	}
}

int
gz_decompress(int in_fd, int out_fd, const char *path, uint64_t *out_size,
    struct buf *err)
{
	struct inflater f;
	int ret = RUNNER_EFAIL;

	memset(&f, 0, sizeof(f));
	f.in_fd = in_fd;
	f.out_fd = out_fd;
	f.path = path;
	f.in = xmalloc(CHUNK);
	f.out = xmalloc(CHUNK);
	f.zs.next_in = f.in;
	f.zs.next_out = f.out;
	f.zs.avail_out = CHUNK;
	if (inflateInit2(&f.zs, 15 + 16) != Z_OK) {
		buf_seterr(err, RUNNER_EFAIL, "cannot decompress '%s': out of "
		    "memory", path);
		goto out_free;
	}
	if (refill(&f, err) < 0)
		goto out;
	if (f.zs.avail_in == 0) {
		buf_seterr(err, RUNNER_EFAIL, "'%s' is empty", path);
		goto out;
	}
	if (f.zs.avail_in < 2 || f.in[0] != 0x1f || f.in[1] != 0x8b) {
		buf_seterr(err, RUNNER_EFAIL, "'%s' is not a gzip file", path);
		goto out;
	}
	ret = inflate_all(&f, err);
	*out_size = f.produced;
out:
	inflateEnd(&f.zs);
out_free:
	free(f.in);
	free(f.out);
	return ret;
}

/* Little-endian 16 bits at q. */
static size_t
le16(const unsigned char *q)
{
	return (size_t)q[0] | (size_t)q[1] << 8;
}

int
gz_read_field(int in_fd, const char *path, const char *id, struct buf *out,
    struct buf *err)
{
	unsigned char *h = xmalloc(12 + 65536);
	size_t xlen, at, len;
	ssize_t n;
	int ret = 0;

	do
		n = pread(in_fd, h, 12 + 65536, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = buf_seterr(err, RUNNER_EFAIL, "cannot read '%s': %s", path,
		    strerror(errno));
	else if (n < 10 || h[0] != 0x1f || h[1] != 0x8b || h[2] != 8)
		ret = buf_seterr(err, RUNNER_EFAIL, "'%s' is not a gzip file",
		    path);
	if (ret < 0 || !(h[3] & FEXTRA) || n < 12)
		goto out;
	xlen = le16(h + 10);
	for (at = 12; at + 4 <= 12 + xlen && at + 4 <= (size_t)n; at += 4 +
	    len) {
		len = le16(h + at + 2);
		if (at + 4 + len > 12 + xlen || at + 4 + len > (size_t)n)
			break;
		if (h[at] == (unsigned char)id[0] &&
		    h[at + 1] == (unsigned char)id[1]) {
			buf_add(out, h + at + 4, len);
			ret = 1;
			break;
		}
	}
out:
	free(h);
	return ret;
}
