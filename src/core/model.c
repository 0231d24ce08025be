/* model.c: lookups in the generated AWS models (core/model.h).
 *
 * The models themselves are data written by tools/gen_model.py; this file only finds an
 * operation by name (the generator sorts operations with strcmp order, so bsearch works) and
 * a member of a shape by name. Entry points: model_find_op, model_find_member. */
#include "core/model.h"

#include <stdlib.h>
#include <string.h>

static int
model_op_cmp(const void *key, const void *elem)
{
    const struct model_op *op = elem;

    return strcmp(key, op->name);
}

const struct model_op *
model_find_op(const struct model *m, const char *name)
{
    if (!m || !name || !m->ops)
        return NULL;
    return bsearch(name, m->ops, m->n_ops, sizeof(m->ops[0]), model_op_cmp);
}

/* Structures have a few dozen members at most, so a linear scan in model order is enough
 * (and keeps the member order the XML writer needs). */
const struct model_member *
model_find_member(const struct model_shape *s, const char *name)
{
    if (!s || !name)
        return NULL;
    for (size_t i = 0; i < s->n_members; i++) {
        if (strcmp(s->members[i].name, name) == 0)
            return &s->members[i];
    }
    return NULL;
}
