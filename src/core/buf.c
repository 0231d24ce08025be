/* buf.c: the capped, growable byte buffer declared in buf.h.
 *
 * Capacity doubles up to limit + 1 (room for the NUL). There is no "unlimited" buffer: the
 * limit is always the largest len allowed, so buf_init(&b, 0) makes a buffer that can only
 * stay empty. A failed append (limit or memory) leaves data and len exactly as they were. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_CAP 256

void
buf_init(struct buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit < SIZE_MAX ? limit : SIZE_MAX - 1; /* keep limit + 1 representable */
}

void
buf_release(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* Make room for n more bytes plus the NUL. 0 or -1. */
static int
buf_reserve(struct buf *b, size_t n)
{
    size_t want, cap;
    char *p;

    if (n > b->limit - b->len)
        return -1;
    want = b->len + n + 1;
    if (want <= b->cap)
        return 0;
    cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *
buf_steal(struct buf *b)
{
    char *p = b->data;

    /* Never appended to: hand out an empty string so callers can always use and free it. */
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
