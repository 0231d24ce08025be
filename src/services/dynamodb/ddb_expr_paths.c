/* ddb_expr_paths.c: document paths as the parser's checks compare them: equality, DynamoDB's
 * text for a path in messages, and the tree in which an update's or a projection's paths meet
 * to find overlaps and conflicts. Separate because reproducing which pair of paths DynamoDB
 * reports takes a model of Java's HashMap iteration, a topic of its own. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

/* ---- paths: equality, overlap, conflict, text ---------------------------------------------- */

static bool
elem_equal(const struct ddb_path_elem *a, const struct ddb_path_elem *b)
{
    if (a->name && b->name)
        return strcmp(a->name, b->name) == 0;
    return !a->name && !b->name && a->index == b->index;
}

bool
ddb_expr_path_equal(const struct ddb_path *a, const struct ddb_path *b)
{
    if (a->n != b->n)
        return false;
    for (unsigned i = 0; i < a->n; i++)
        if (!elem_equal(&a->e[i], &b->e[i]))
            return false;
    return true;
}

/* DynamoDB's rendering of a path in messages: [a, b, [2], c]. */
const char *
ddb_expr_path_list(struct parser *p, const struct ddb_path *path)
{
    size_t size = 3;
    char *s, *o;

    for (unsigned i = 0; i < path->n; i++)
        size += (path->e[i].name ? strlen(path->e[i].name) : 12) + 2;
    if (!(s = arena_alloc(p->ctx->arena, size)))
        return "[]";
    o = s;
    *o++ = '[';
    for (unsigned i = 0; i < path->n; i++) {
        if (i)
            o += sprintf(o, ", ");
        if (path->e[i].name)
            o += sprintf(o, "%s", path->e[i].name);
        else
            o += sprintf(o, "[%u]", path->e[i].index);
    }
    sprintf(o, "]");
    return s;
}

/* Overlapping and conflicting paths, found the way DynamoDB finds them: the paths go one by one
 * into a tree of their elements; a path that ends where another continues, or continues where
 * another ends, overlaps it; one that steps into a list where another steps into a map (or
 * the reverse) conflicts with it. The message names as "path one" a path already in the tree,
 * reached by taking at each level the first child in the iteration order of a Java HashMap
 * keyed by the element (which is why "a, b, a" is reported as [b] against [a]), and as
 * "path two" the path being added. */
struct trie_kid {
    const struct ddb_path_elem *e;
    struct trie *child; /* NULL: a path ends here */
    uint32_t hash;
};

struct trie {
    struct trie_kid *kids;
    unsigned n, cap;
};

/* Java's String.hashCode() over the UTF-16 form of a UTF-8 name. */
static uint32_t
java_string_hash(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t h = 0;

    while (*u) {
        uint32_t cp = *u++;
        int more = 0;

        if (cp >= 0xF0) {
            cp &= 0x07;
            more = 3;
        } else if (cp >= 0xE0) {
            cp &= 0x0F;
            more = 2;
        } else if (cp >= 0xC0) {
            cp &= 0x1F;
            more = 1;
        }
        for (; more > 0 && (*u & 0xC0) == 0x80; more--)
            cp = (cp << 6) | (*u++ & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return h;
}

/* The element's hashCode(): HashCodeBuilder(8191, 127) over the name or the index. */
static uint32_t
elem_hash(const struct ddb_path_elem *e)
{
    return 8191u * 127u + (e->name ? java_string_hash(e->name) : e->index);
}

/* The child a java.util.HashMap would iterate first: lowest bucket of the table the map has
 * grown to (16, doubled past 3/4 full), the earlier insertion within a bucket. */
static const struct trie_kid *
trie_first(const struct trie *t)
{
    uint32_t cap = 16, best_bucket = UINT32_MAX;
    const struct trie_kid *best = NULL;

    while (t->n > cap / 4 * 3)
        cap *= 2;
    for (unsigned i = 0; i < t->n; i++) {
        uint32_t h = t->kids[i].hash, bucket = (h ^ (h >> 16)) & (cap - 1);

        if (bucket < best_bucket) {
            best_bucket = bucket;
            best = &t->kids[i];
        }
    }
    return best;
}

/* The elements of path before depth, then the tree's first branch from t down to its end. */
static const char *
trie_branch(struct parser *p, const struct ddb_path *path, unsigned depth, const struct trie *t)
{
    struct ddb_path out = {0, NULL, NULL};
    unsigned cap = depth + 8;

    if (!(out.e = arena_alloc(p->ctx->arena, cap * sizeof(*out.e))))
        return "[]";
    for (unsigned i = 0; i < depth; i++)
        out.e[out.n++] = path->e[i];
    while (t && t->n) {
        const struct trie_kid *k = trie_first(t);

        if (out.n == cap) {
            struct ddb_path_elem *more = arena_alloc(p->ctx->arena, 2 * cap * sizeof(*more));

            if (!more)
                return "[]";
            memcpy(more, out.e, cap * sizeof(*more));
            out.e = more;
            cap *= 2;
        }
        out.e[out.n++] = *k->e;
        t = k->child;
    }
    return ddb_expr_path_list(p, &out);
}

struct trie *
ddb_expr_trie_new(struct parser *p)
{
    struct trie *t = arena_calloc(p->ctx->arena, sizeof(*t));

    if (!t)
        ddb_expr_oom(p);
    return t;
}

static bool
trie_add_kid(struct parser *p, struct trie *t, const struct ddb_path_elem *e, struct trie *child)
{
    if (t->n == t->cap) {
        unsigned cap = t->cap ? 2 * t->cap : 4;
        struct trie_kid *kids = arena_alloc(p->ctx->arena, cap * sizeof(*kids));

        if (!kids) {
            ddb_expr_oom(p);
            return false;
        }
        if (t->n)
            memcpy(kids, t->kids, t->n * sizeof(*kids));
        t->kids = kids;
        t->cap = cap;
    }
    t->kids[t->n].e = e;
    t->kids[t->n].child = child;
    t->kids[t->n].hash = elem_hash(e);
    t->n++;
    return true;
}

/* Add path to the tree rooted at root; false (reported) on an overlap or a conflict. */
bool
ddb_expr_trie_insert(struct parser *p, struct trie *root, const struct ddb_path *path)
{
    struct trie *t = root;

    for (unsigned depth = 0;; depth++) {
        const struct ddb_path_elem *e = &path->e[depth];
        struct trie_kid *k = NULL;

        for (unsigned i = 0; i < t->n && !k; i++)
            if (elem_equal(t->kids[i].e, e))
                k = &t->kids[i];
        if (!k) {
            struct trie *child = NULL, *parent;

            if (t->n && !t->kids[0].e->name != !e->name) {
                ddb_expr_fail(p,
                              "Two document paths conflict with each other; must remove or rewrite "
                              "one of these paths; path one: %s, path two: %s",
                              trie_branch(p, path, depth, t), ddb_expr_path_list(p, path));
                return false;
            }
            /* The rest of the path as a chain of single children. */
            if (depth + 1 < path->n && !(child = ddb_expr_trie_new(p)))
                return false;
            if (!trie_add_kid(p, t, e, child))
                return false;
            for (unsigned i = depth + 1; i < path->n; i++) {
                parent = child;
                child = i + 1 < path->n ? ddb_expr_trie_new(p) : NULL;
                if ((i + 1 < path->n && !child) || !trie_add_kid(p, parent, &path->e[i], child))
                    return false;
            }
            return true;
        }
        if (k->child && depth + 1 < path->n) {
            t = k->child;
            continue;
        }
        ddb_expr_fail(p,
                      "Two document paths overlap with each other; must remove or rewrite one of "
                      "these paths; path one: %s, path two: %s",
                      trie_branch(p, path, depth, t), ddb_expr_path_list(p, path));
        return false;
    }
}
