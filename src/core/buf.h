/* buf.h: a growable byte buffer with a hard cap.
 *
 * Used for request bodies, XML and JSON output. Every buffer has a limit; appending past it
 * fails with -1 and leaves the contents as they were, so callers can answer "too large"
 * instead of growing without bound. The data is always NUL-terminated. */
#ifndef AWSLET_BUF_H
#define AWSLET_BUF_H

#include <stddef.h>

struct buf {
    char *data;   /* heap, NUL-terminated; NULL until the first append */
    size_t len;   /* bytes used, not counting the NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* largest len allowed */
};

void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);   /* 0 or -1 (limit or memory) */
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_steal(struct buf *b); /* caller frees with free(); b is left empty */

#endif
