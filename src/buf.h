/* buf.h: a growable, always NUL-terminated byte buffer, and the allocators. */
#ifndef RUNNER_BUF_H
#define RUNNER_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	size_t alloc;
	size_t len;
	char *buf;	/* never NULL; points at a static "" until first growth */
};

extern char buf_empty[];
#define BUF_INIT { 0, 0, buf_empty }

void buf_init(struct buf *b);
/* Frees the contents; the buffer is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Returns the contents, owned by the caller (free()); the buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Sets the error message unless b already holds one; returns code. */
int buf_seterr(struct buf *b, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation failure is the only fatal error: these abort with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
