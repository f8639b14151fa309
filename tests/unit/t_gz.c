/*
 * Unit tests for gz.c: parallel compression round trips through zlib and
 * through the system's gzip, and every way decompression must refuse.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "error.h"
#include "file_gz.h"

static char dir[] = "/tmp/t_gz.XXXXXX";

/*
 * A file of n bytes that compresses like text with some noise, or (seed 0)
 * does not compress at all.
 */
static int
make_input(const char *path, size_t n, unsigned seed)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	srand(seed);
	for (i = 0; f && i < n; i++)
		fputc(seed && rand() % 7 ? "the quick brown fox "[i % 20] :
		    rand() & 0xff, f);
	return f && fclose(f) == 0 ? 0 : -1;
}

static int
compress_file(const char *in, const char *out, int level, int threads,
    uint64_t *size, struct buf *err)
{
	struct gz_opts o;
	FILE *fi = fopen(in, "rb"), *fo = fopen(out, "wb");
	int ret;

	memset(&o, 0, sizeof(o));
	o.level = level;
	o.threads = threads;
	ret = gz_compress(fileno(fi), fileno(fo), &o, size, err);

	fclose(fi);
	fclose(fo);
	return ret;
}

static int
decompress_file(const char *in, const char *out, uint64_t *size,
    struct buf *err)
{
	FILE *fi = fopen(in, "rb"), *fo = out ? fopen(out, "wb") : NULL;
	int ret = gz_decompress(fileno(fi), fo ? fileno(fo) : -1, in, size,
	    err);

	fclose(fi);
	if (fo)
		fclose(fo);
	return ret;
}

/* Runs a shell command with $D set to the scratch directory. */
static int
sh(const char *cmd)
{
	return system(cmd);
}

static void
round_trip(size_t n, int level, int threads)
{
	struct buf err = BUF_INIT;
	uint64_t zsize = 0, size = 0;
	char in[128], gz[128], out[128];
	int ret;

	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(gz, sizeof(gz), "%s/in.gz", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	make_input(in, n, level == 9 ? 0 : (unsigned)n + 1);
	ret = compress_file(in, gz, level, threads, &zsize, &err);
	is_int(ret, 0, "%zu bytes, level %d, %d threads: compresses (%s)", n,
	    level, threads, err.buf);
	ret = decompress_file(gz, out, &size, &err);
	ok(ret == 0 && size == n, "  our inflate reads it back (%s)", err.buf);
	ok(sh("cmp -s $D/in $D/out") == 0, "  the bytes are equal");
	ok(sh("gzip -t $D/in.gz && gzip -dc $D/in.gz | cmp -s - $D/in") == 0,
	    "  gzip -t accepts it and gzip -d gives the same bytes");
	buf_release(&err);
}

static void
refuse(const char *what, const char *make, const char *want)
{
	struct buf err = BUF_INIT;
	uint64_t size;
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/bad", dir);
	sh(make);
	ret = decompress_file(path, NULL, &size, &err);
	ok(ret == RUNNER_EFAIL && strstr(err.buf, want), "%s is refused: %s",
	    what, err.buf);
	buf_release(&err);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 1000, 262143, 262144, 262145,
	    3 * 262144 + 77, 2000000 };
	size_t i;

	if (!mkdtemp(dir))
		return 99;
	setenv("D", dir, 1);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		round_trip(sizes[i], 6, 3);
	round_trip(2000000, 0, 2);
	round_trip(2000000, 1, 1);
	round_trip(2000000, 9, 4);	/* incompressible input */
	round_trip(600000, 9, 1);
	round_trip(2000000, 6, 0);

	sh("head -c 1000000 /dev/urandom > $D/in && gzip -c $D/in > $D/good.gz");
	refuse("an empty file", ": > $D/bad", "is empty");
	refuse("plain text", "echo hello > $D/bad", "is not a gzip file");
	refuse("random bytes", "head -c 5000 /dev/urandom | tr '\\037' x > "
	    "$D/bad", "is not a gzip file");
	refuse("a truncated file", "head -c 500000 $D/good.gz > $D/bad",
	    "is truncated");
	refuse("a file cut inside the trailer", "head -c $(($(stat -c %s "
	    "$D/good.gz) - 3)) $D/good.gz > $D/bad", "truncated");
	refuse("a flipped byte in the trailer's CRC", "cp $D/good.gz $D/bad && "
	    "at=$(($(stat -c %s $D/bad) - 6)) && printf \"\\\\$(printf %o "
	    "$(($(od -An -tu1 -j$at -N1 $D/good.gz) ^ 255)))\" | dd of=$D/bad "
	    "bs=1 seek=$at conv=notrunc 2>/dev/null", "CRC-32");
	/* The byte's bits inverted, so it surely changes. */
	refuse("a flipped byte in the data", "cp $D/good.gz $D/bad && "
	    "printf \"\\\\$(printf %o $(($(od -An -tu1 -j1000 -N1 "
	    "$D/good.gz) ^ 255)))\" | dd of=$D/bad bs=1 seek=1000 "
	    "conv=notrunc 2>/dev/null && ! cmp -s $D/good.gz $D/bad",
	    "corrupt");
	refuse("trailing garbage", "cp $D/good.gz $D/bad && echo junk >> "
	    "$D/bad", "trailing garbage");
	sh("cat $D/good.gz $D/good.gz > $D/two.gz");
	{
		struct buf err = BUF_INIT;
		char path[128];
		uint64_t size = 0;

		snprintf(path, sizeof(path), "%s/two.gz", dir);
		ok(decompress_file(path, NULL, &size, &err) == 0 &&
		    size == 2000000, "two concatenated members are one file "
		    "(%s)", err.buf);
		buf_release(&err);
	}
	sh("rm -rf $D");
	return done_testing();
}
