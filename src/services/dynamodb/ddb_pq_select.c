/* ddb_pq_select.c: what a PartiQL SELECT list answers (ddb_pq.h).
 *
 * DynamoDB does not answer a SELECT list the way a ProjectionExpression does (the paths'
 * parent maps and lists rebuilt around them): each path's value comes back at the top level
 * of the item, named after the path's last map key and the list indexes after it, so
 * `SELECT m.x, l[1]` answers {"x": ..., "l[1]": ...}; two paths with one such name are
 * refused by the planner ("Duplicate identifiers in select clause: x"). */
#include "services/dynamodb/ddb_pq.h"

#include <stdio.h>
#include <string.h>

void
ddb_pq_select_name(const struct ddb_path *path, char *out, size_t size)
{
    unsigned last = 0;
    size_t len = 0;
    int n;

    if (!size)
        return;
    out[0] = '\0';
    for (unsigned i = 0; i < path->n; i++)
        if (path->e[i].name)
            last = i;
    for (unsigned i = last; i < path->n && len < size; i++) {
        n = path->e[i].name ? snprintf(out + len, size - len, "%s", path->e[i].name)
                            : snprintf(out + len, size - len, "[%u]", path->e[i].index);
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

json_t *
ddb_pq_select_project(const struct pq_statement *s, const json_t *item)
{
    char name[512];
    json_t *o;

    if (s->star || !s->n_proj)
        return json_incref((json_t *)item);
    if (!(o = json_object()))
        return NULL;
    for (unsigned i = 0; i < s->n_proj; i++) {
        const json_t *v = ddb_path_get(item, &s->proj[i]);
        if (!v)
            continue;
        ddb_pq_select_name(&s->proj[i], name, sizeof(name));
        if (json_object_set(o, name, (json_t *)v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
