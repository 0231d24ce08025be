/* arena.h: request-lifetime bump allocator.
 *
 * Everything a request allocates for itself (decoded strings, copies of SQLite columns, the
 * error message) comes from req->arena and is released at once when libmicrohttpd reports
 * the request complete. Allocation failure returns NULL; nothing here aborts. */
#ifndef AWSLET_ARENA_H
#define AWSLET_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* newest chunk first */
    size_t used;              /* bytes handed out in head */
    size_t total;             /* bytes handed out overall, for limits and tests */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);             /* frees every chunk; a stays usable */
void *arena_alloc(struct arena *a, size_t n);    /* 16-byte aligned, uninitialised */
void *arena_calloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);          /* NULL s gives NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
