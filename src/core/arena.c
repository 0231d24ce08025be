/* arena.c: the request-lifetime bump allocator declared in arena.h.
 *
 * Memory comes in chunks of ARENA_CHUNK bytes, newest first; a request that needs more than a
 * quarter chunk gets a chunk of its own, linked behind the current one so the free space of
 * the current chunk is not wasted. arena_release() frees every chunk at once. All sizes are
 * checked for overflow; failures return NULL and never abort. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN       16
#define ARENA_CHUNK       ((size_t)16384) /* payload bytes of an ordinary chunk */
#define ARENA_ALIGN_UP(n) (((n) + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1))

struct arena_chunk {
    struct arena_chunk *next; /* older chunk */
    size_t size;              /* payload bytes after the (aligned) header */
};

/* The payload starts at the first 16-byte boundary after the header. */
#define ARENA_HDR ARENA_ALIGN_UP(sizeof(struct arena_chunk))

static unsigned char *
arena_payload(struct arena_chunk *c)
{
    return (unsigned char *)c + ARENA_HDR;
}

static struct arena_chunk *
arena_chunk_new(size_t size)
{
    struct arena_chunk *c;
    void *p;

    if (size > SIZE_MAX - ARENA_HDR - ARENA_ALIGN)
        return NULL;
    size = ARENA_ALIGN_UP(size);
    if (posix_memalign(&p, ARENA_ALIGN, ARENA_HDR + size) != 0)
        return NULL;
    c = p;
    c->next = NULL;
    c->size = size;
    return c;
}

void
arena_init(struct arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

void
arena_release(struct arena *a)
{
    struct arena_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        free(c);
        c = next;
    }
    arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
    struct arena_chunk *c;
    size_t need;
    void *p;

    if (n == 0)
        n = 1; /* distinct non-NULL pointers, like malloc(1) */
    if (n > SIZE_MAX - 2 * ARENA_ALIGN - ARENA_HDR)
        return NULL;
    need = ARENA_ALIGN_UP(n);

    if (a->head && a->head->size - a->used >= need) {
        p = arena_payload(a->head) + a->used;
        a->used += need;
        a->total += need;
        return p;
    }

    /* Large blocks get a dedicated chunk behind head, keeping head's free tail usable. */
    if (need > ARENA_CHUNK / 4 && a->head) {
        c = arena_chunk_new(need);
        if (!c)
            return NULL;
        c->next = a->head->next;
        a->head->next = c;
        a->total += need;
        return arena_payload(c);
    }

    c = arena_chunk_new(need > ARENA_CHUNK ? need : ARENA_CHUNK);
    if (!c)
        return NULL;
    c->next = a->head;
    a->head = c;
    a->used = need;
    a->total += need;
    return arena_payload(c);
}

void *
arena_calloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);

    if (p)
        memset(p, 0, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p;

    if (!s)
        return NULL;
    if (n == SIZE_MAX)
        return NULL;
    p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
