/* ddb_expr_project.c: a projection applied to an item: the attributes and document paths it
 * names, copied into a new item, list elements kept in their source order. Separate because it
 * builds a new value rather than evaluating or updating one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

/* ---- projections ----------------------------------------------------------------------------- */

/* While a projection is built, a list holding some of its source's elements is an object
 * under "L" keyed by the zero-padded source index, so that elements land in index order
 * whatever the order of the paths; ddb_expr_project() turns them into arrays at the end. */
#define SPARSE_KEY_LEN 11

static void
sparse_key(unsigned index, char *buf)
{
    snprintf(buf, SPARSE_KEY_LEN, "%010u", index);
}

/* Copy v, found at path in the source, into out at the same path. 0 or -1 (memory). */
static int
project_one(json_t *out, const struct ddb_path *p, const json_t *v)
{
    json_t *container = out, *next;
    char key[SPARSE_KEY_LEN];

    for (unsigned i = 0; i < p->n; i++) {
        const struct ddb_path_elem *e = &p->e[i];
        const char *k = e->name;

        if (!k) {
            sparse_key(e->index, key);
            k = key;
        }
        if (i == p->n - 1) {
            json_t *copy = json_deep_copy(v);

            return copy && json_object_set_new(container, k, copy) == 0 ? 0 : -1;
        }
        next = json_object_get(container, k);
        if (!next) {
            /* the source holds a map or a list here, as the next step says */
            next = json_pack("{s:o}", p->e[i + 1].name ? "M" : "L", json_object());
            if (!next || json_object_set_new(container, k, next) < 0)
                return -1;
        }
        container = ddb_expr_payload_mut(next);
        if (!json_is_object(container))
            return 0; /* already copied whole (an overlapping path); nothing to add */
    }
    return 0;
}

static int
sparse_key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Turn the sparse lists of a projected value into arrays, depth first. */
static int
project_finish(json_t *av)
{
    enum ddb_type t = ddb_type_of(av);
    json_t *p = ddb_expr_payload_mut(av), *v, *arr;
    const char *k, **keys;
    size_t n = 0;

    if (t == DDB_M) {
        json_object_foreach(p, k, v)
        {
            if (project_finish(v) < 0)
                return -1;
        }
        return 0;
    }
    if (t != DDB_L || !json_is_object(p))
        return 0;
    keys = malloc((json_object_size(p) + 1) * sizeof(*keys));
    arr = json_array();
    if (!keys || !arr)
        goto ddb_expr_eval_fail;
    json_object_foreach(p, k, v)
    {
        keys[n++] = k;
    }
    qsort(keys, n, sizeof(*keys), sparse_key_cmp);
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(p, keys[i]);
        if (project_finish(v) < 0 || json_array_append(arr, v) < 0)
            goto ddb_expr_eval_fail;
    }
    free(keys);
    return json_object_set_new(av, "L", arr);
ddb_expr_eval_fail:
    free(keys);
    json_decref(arr);
    return -1;
}

json_t *
ddb_expr_project(const struct ddb_projection *p, const json_t *item)
{
    json_t *out = json_object(), *v;
    const char *k;

    if (!out)
        return NULL;
    for (unsigned i = 0; i < p->n; i++) {
        const json_t *src = ddb_path_get(item, &p->paths[i]);

        if (src && project_one(out, &p->paths[i], src) < 0)
            goto ddb_expr_eval_fail;
    }
    json_object_foreach(out, k, v)
    {
        if (project_finish(v) < 0)
            goto ddb_expr_eval_fail;
    }
    return out;
ddb_expr_eval_fail:
    json_decref(out);
    return NULL;
}
