/* ddb_pq_plan_write.c: how PartiQL's writes run (ddb_pq.h, "plans"): INSERT as a PutItem
 * that must not find the key, UPDATE as an UpdateItem that must find it, DELETE as a
 * DeleteItem, EXISTS as a TransactWriteItems ConditionCheck. Each must name the whole key with
 * top-level equalities; what else its WHERE says becomes the condition. */
#include "services/dynamodb/ddb_pq_plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key a write's WHERE fixes with top-level `k = v` conjuncts, and the other conjuncts.
 * DML (UPDATE, DELETE): a second equality on a key must repeat the first; EXISTS: only the
 * first equality on each key attribute is the key, later ones are conditions. */
static int
plan_write_key(struct plan *p, const struct pq_expr **c, unsigned n, bool check,
               const struct pq_expr **rest, unsigned *n_rest)
{
    const struct ddb_key_schema *ks = &p->t->key;
    const char *name;
    json_t *key = json_object(), *v, *have;

    if (!key || json_object_set_new(p->out->request, "Key", key) != 0)
        return plan_nomem(p);
    *n_rest = 0;
    for (unsigned i = 0; i < n; i++) {
        bool is_key = plan_attr_eq(c[i], &name, &v) &&
                      (strcmp(name, ks->hash) == 0 || (ks->range && !strcmp(name, ks->range)));
        have = is_key ? json_object_get(key, name) : NULL;
        if (is_key && have && check)
            is_key = false;
        if (!is_key) {
            rest[(*n_rest)++] = c[i];
            continue;
        }
        if (have && !ddb_value_equal(have, v))
            return plan_fail(p,
                             "Multiple conditions on same key %s. Only single item "
                             "Update/Insert/Delete are supported",
                             name);
        if (!have && json_object_set(key, name, v) != 0)
            return plan_nomem(p);
    }
    if (!json_object_get(key, ks->hash) || (ks->range && !json_object_get(key, ks->range)))
        return check ? plan_fail(p, "EXISTS() must contain a single item read with additional "
                                    "condition")
                     : plan_fail(p, "Where clause does not contain a mandatory equality on all "
                                    "key attributes");
    return 0;
}

/* The key's values against the schema (after the key was found, as DynamoDB checks). A DML
 * key must be a scalar key type first. */
static int
plan_key_types(struct plan *p, bool check)
{
    const struct ddb_key_schema *ks = &p->t->key;
    const json_t *key = json_object_get(p->out->request, "Key");

    for (int k = 0; k < (ks->range ? 2 : 1); k++) {
        const char *name = k ? ks->range : ks->hash, *type = k ? ks->range_type : ks->hash_type;
        const json_t *v = json_object_get(key, name);
        enum ddb_type vt = ddb_type_of(v);
        if (!check && vt != DDB_S && vt != DDB_N && vt != DDB_B)
            return plan_fail(p,
                             "Key value must be of type S, N, or B. Key name: %s, Key type: "
                             "%s",
                             name, ddb_type_name(vt));
        if (!plan_type_is(v, type))
            return plan_fail(p,
                             "Key attribute's data type should match its data type in "
                             "table's schema: Key %s",
                             name);
    }
    return 0;
}

static const char *
plan_return_values(enum pq_returning r)
{
    switch (r) {
    case PQ_RET_ALL_OLD:
        return "ALL_OLD";
    case PQ_RET_MODIFIED_OLD:
        return "UPDATED_OLD";
    case PQ_RET_ALL_NEW:
        return "ALL_NEW";
    case PQ_RET_MODIFIED_NEW:
        return "UPDATED_NEW";
    default:
        return NULL;
    }
}

int
plan_insert(struct plan *p)
{
    const struct ddb_key_schema *ks = &p->t->key;
    json_t *r = p->out->request, *v;

    if (p->s->returning != PQ_RET_NONE)
        return plan_fail(p, "RETURNING is not supported in INSERT");
    if (!json_is_object(p->s->item))
        return plan_fail(p, "Unsupported format in item expression. Please use struct format "
                            "{...} to express item values for insert statement.");
    for (int k = 0; k < (ks->range ? 2 : 1); k++) {
        const char *name = k ? ks->range : ks->hash;
        if (!(v = json_object_get(p->s->item, name)))
            return plan_fail(p, "Key attribute should be present in the item: Key %s", name);
        if (!plan_type_is(v, k ? ks->range_type : ks->hash_type))
            return plan_fail(p,
                             "Key attribute's data type should match its data type in "
                             "table's schema: Key %s",
                             name);
    }
    p->out->op = PQ_P_PUT;
    if (json_object_set(r, "Item", p->s->item) != 0)
        return plan_nomem(p);
    return plan_condition(p, "ConditionExpression", "attribute_not_exists", NULL, 0, false);
}

static int
plan_update_expression(struct plan *p)
{
    return plan_emit(p, "UpdateExpression", ddb_pq_text_update(&p->tx, p->s));
}

/* UPDATE, DELETE and EXISTS: the key from the WHERE, the rest as the condition. */
int
plan_keyed(struct plan *p)
{
    const struct pq_statement *s = p->s;
    const struct pq_expr **c, **rest;
    const char *rv = NULL;
    unsigned n, n_rest;
    int rc = -1;

    c = plan_conjuncts(p, &n);
    rest = calloc(n ? n : 1, sizeof(*rest));
    if (!c || !rest) {
        plan_nomem(p);
        goto out;
    }
    if (s->kind == PQ_EXISTS) {
        /* EXISTS names one item and says something more about it (DynamoDB's text). */
        if (!s->where) {
            plan_fail(p, "EXISTS() must contain a single item read with additional condition");
            goto out;
        }
        if (plan_write_key(p, c, n, true, rest, &n_rest))
            goto out;
        if (!n_rest) {
            plan_fail(p, "EXISTS() must contain a single item read with additional condition");
            goto out;
        }
        p->out->op = PQ_P_CHECK;
        if (plan_key_types(p, true) == 0)
            rc = plan_condition(p, "ConditionExpression", "attribute_exists", rest, n_rest,
                                s->negated);
        goto out;
    }
    if (plan_write_key(p, c, n, false, rest, &n_rest) || plan_key_types(p, false))
        goto out;
    if (s->kind == PQ_UPDATE) {
        p->out->op = PQ_P_UPDATE;
        rv = plan_return_values(s->returning);
        if (plan_condition(p, "ConditionExpression", "attribute_exists", rest, n_rest, false) ||
            plan_update_expression(p))
            goto out;
    } else {
        static const char *const words[] = {"", "ALL OLD *", "MODIFIED OLD *", "ALL NEW *",
                                            "MODIFIED NEW *"};
        p->out->op = PQ_P_DELETE;
        if (s->returning != PQ_RET_NONE && s->returning != PQ_RET_ALL_OLD) {
            plan_fail(p,
                      "Invalid returning clause: RETURNING %s. Only RETURNING ALL OLD * is "
                      "allowed in DELETE statements.",
                      words[s->returning]);
            goto out;
        }
        rv = plan_return_values(s->returning);
        if (n_rest && plan_condition(p, "ConditionExpression", NULL, rest, n_rest, false))
            goto out;
    }
    if (rv && json_object_set_new(p->out->request, "ReturnValues", json_string(rv)) != 0) {
        plan_nomem(p);
        goto out;
    }
    rc = 0;
out:
    free(c);
    free(rest);
    return rc;
}
