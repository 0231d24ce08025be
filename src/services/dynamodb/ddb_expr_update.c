/* ddb_expr_update.c: an update applied to an item: SET (with + and -, if_not_exists() and
 * list_append()), REMOVE, ADD and DELETE, from an UpdateExpression or the legacy
 * AttributeUpdates, with every action reading the item as it was before the update and list
 * indexes naming positions before it (see ddb_expr_eval.c for the semantics). Separate from
 * condition evaluation because it writes: it works on a copy with pending list changes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

#define MSG_PATH_INVALID "The document path provided in the update expression is invalid for update"
#define MSG_OPERAND_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_NO_ATTRIBUTE                                                                           \
    "The provided expression refers to an attribute that does not exist in the item"
#define MSG_LEGACY_TYPE "Type mismatch for attribute to update"

/* ---- updates --------------------------------------------------------------------------------- */

static bool
is_set(enum ddb_type t)
{
    return t == DDB_SS || t == DDB_NS || t == DDB_BS;
}

/* The type names of ADD's and DELETE's "Incorrect operand type" messages. */
static const char *
long_type_name(enum ddb_type t)
{
    switch (t) {
    case DDB_S:
        return "STRING";
    case DDB_N:
        return "NUMBER";
    case DDB_B:
        return "BINARY";
    case DDB_SS:
        return "STRING_SET";
    case DDB_NS:
        return "NUMBER_SET";
    case DDB_BS:
        return "BINARY_SET";
    case DDB_M:
        return "MAP";
    case DDB_L:
        return "LIST";
    case DDB_NULL:
        return "NULL";
    case DDB_BOOL:
        return "BOOLEAN";
    default:
        return "UNKNOWN";
    }
}

/* An action from AttributeUpdates rather than an UpdateExpression (see the top). */
static bool
is_legacy(const struct ddb_update_action *a)
{
    if (!a->value)
        return a->op == DDB_UPD_DELETE;
    return a->value->type == DDB_N_VALUE && !a->value->value_name;
}

/* The checks of a SET operand that need no item: operand types of literal values, and
 * if_not_exists' path. The parser normally reports these first; kept here so that a tree
 * from anywhere is safe to apply. */
static int
check_set_operand(struct ddb_expr_ctx *ctx, const struct ddb_node *n)
{
    const char *op;
    enum ddb_type want;

    switch (n->type) {
    case DDB_N_PATH:
    case DDB_N_VALUE:
        return 0;
    case DDB_N_PLUS:
    case DDB_N_MINUS:
        op = n->type == DDB_N_PLUS ? "+" : "-";
        want = DDB_N;
        break;
    case DDB_N_FUNC:
        if (n->fn == DDB_F_IF_NOT_EXISTS && n->n_args == 2) {
            if (n->args[0]->type != DDB_N_PATH)
                return ddb_expr_eval_fail(
                    ctx, "Invalid UpdateExpression: Operator or function requires a "
                         "document path; operator or function: if_not_exists");
            return check_set_operand(ctx, n->args[1]);
        }
        if (n->fn == DDB_F_LIST_APPEND && n->n_args == 2) {
            op = "list_append";
            want = DDB_L;
            break;
        }
        return ddb_expr_eval_fail(
            ctx,
            "Invalid UpdateExpression: The function is not allowed to be used this "
            "way in an expression; function: %s",
            (unsigned)n->fn < sizeof(ddb_expr_func_names) / sizeof(ddb_expr_func_names[0])
                ? ddb_expr_func_names[n->fn]
                : "?");
    default:
        return ddb_expr_eval_fail(ctx, "Invalid UpdateExpression: The expression is not a value");
    }
    for (unsigned i = 0; i < 2; i++) {
        const struct ddb_node *a = n->args[i];

        if (a->type == DDB_N_VALUE && ddb_type_of(a->value) != want)
            return ddb_expr_eval_fail(ctx,
                        "Invalid UpdateExpression: Incorrect operand type for operator or "
                        "function; operator or function: %s, operand type: %s",
                        op, ddb_type_name(ddb_type_of(a->value)));
        if (check_set_operand(ctx, a) < 0)
            return -1;
    }
    return 0;
}

static bool
is_key(const char *name, const char *hash_key, const char *range_key)
{
    return name && ((hash_key && strcmp(name, hash_key) == 0) ||
                    (range_key && strcmp(name, range_key) == 0));
}

/* A key attribute is a scalar: a path into one, written or read, names nothing. */
static int
check_key_paths(struct ddb_expr_ctx *ctx, const struct ddb_node *n, const char *hash_key,
                const char *range_key)
{
    if (n->type == DDB_N_PATH && n->path.n > 1 && is_key(n->path.e[0].name, hash_key, range_key))
        return ddb_expr_eval_fail(ctx,
                    "Key attributes must be scalars; list random access '[]' and map lookup "
                    "'.' are not allowed: Key: %s",
                    n->path.e[0].name);
    for (unsigned i = 0; i < n->n_args; i++)
        if (check_key_paths(ctx, n->args[i], hash_key, range_key) < 0)
            return -1;
    return 0;
}

/* What DynamoDB refuses before looking at the item: operands of the wrong type and updates
 * of key attributes. */
static int
check_action(struct ddb_expr_ctx *ctx, const struct ddb_update_action *a, const char *hash_key,
             const char *range_key)
{
    bool legacy = is_legacy(a);
    const char *first = a->path.n ? a->path.e[0].name : NULL;
    enum ddb_type t;

    if (!first)
        return ddb_expr_eval_fail(ctx, MSG_PATH_INVALID);
    switch (a->op) {
    case DDB_UPD_SET:
        if (!a->value || check_set_operand(ctx, a->value) < 0)
            return a->value
                       ? -1
                       : ddb_expr_eval_fail(ctx, "Invalid UpdateExpression: SET needs a value");
        break;
    case DDB_UPD_REMOVE:
        break;
    case DDB_UPD_ADD:
        if (!a->value || a->value->type != DDB_N_VALUE)
            return ddb_expr_eval_fail(ctx,
                                      "Invalid UpdateExpression: Syntax error; ADD needs a value");
        t = ddb_type_of(a->value->value);
        if (legacy && t != DDB_N && t != DDB_L && !is_set(t))
            return ddb_expr_eval_fail(ctx,
                        "One or more parameter values were invalid: ADD action is not "
                        "supported for the type %s",
                        ddb_type_name(t));
        if (!legacy && t != DDB_N && !is_set(t))
            return ddb_expr_eval_fail(ctx,
                        "Invalid UpdateExpression: Incorrect operand type for operator or "
                        "function; operator: ADD, operand type: %s, typeSet: "
                        "ALLOWED_FOR_ADD_OPERAND",
                        long_type_name(t));
        break;
    case DDB_UPD_DELETE:
        if (!a->value)
            break; /* AttributeUpdates' DELETE without a value: remove the attribute */
        if (a->value->type != DDB_N_VALUE)
            return ddb_expr_eval_fail(
                ctx, "Invalid UpdateExpression: Syntax error; DELETE needs a value");
        t = ddb_type_of(a->value->value);
        if (legacy && !is_set(t))
            return ddb_expr_eval_fail(ctx,
                        "One or more parameter values were invalid: DELETE action with value "
                        "is not supported for the type %s",
                        ddb_type_name(t));
        if (!legacy && !is_set(t))
            return ddb_expr_eval_fail(ctx,
                        "Invalid UpdateExpression: Incorrect operand type for operator or "
                        "function; operator: DELETE, operand type: %s, typeSet: "
                        "ALLOWED_FOR_DELETE_OPERAND",
                        long_type_name(t));
        break;
    }
    if (is_key(first, hash_key, range_key)) {
        if (a->path.n > 1)
            return ddb_expr_eval_fail(ctx,
                        "Key attributes must be scalars; list random access '[]' and map "
                        "lookup '.' are not allowed: Key: %s",
                        first);
        return ddb_expr_eval_fail(ctx,
                    "One or more parameter values were invalid: Cannot update attribute %s. "
                    "This attribute is part of the key",
                    first);
    }
    if (a->op == DDB_UPD_SET)
        return check_key_paths(ctx, a->value, hash_key, range_key);
    return 0;
}

/* a + b or a - b of two N values into *out (a new value). */
static int
num_arith(struct ddb_expr_ctx *ctx, const json_t *a, const json_t *b, bool subtract, json_t **out)
{
    struct ddb_num x, y, r;
    enum ddb_num_err e;

    if (ddb_value_num(a, &x) < 0 || ddb_value_num(b, &y) < 0)
        return ddb_expr_eval_fail(ctx, "%s", ddb_num_errmsg(DDB_NUM_INVALID));
    e = subtract ? ddb_num_sub(&x, &y, &r) : ddb_num_add(&x, &y, &r);
    if (e != DDB_NUM_OK)
        return ddb_expr_eval_fail(ctx, "%s", ddb_num_errmsg(e));
    *out = ddb_value_from_num(&r);
    return *out ? 0 : ddb_expr_eval_fail(ctx, "out of memory");
}

/* {"L": a's elements then b's}, copies. */
static json_t *
list_concat(const json_t *a, const json_t *b)
{
    json_t *l = json_deep_copy(ddb_value_payload(a)), *tail = json_deep_copy(ddb_value_payload(b));
    json_t *r = NULL;

    if (l && tail && json_array_extend(l, tail) == 0)
        r = json_pack("{s:O}", "L", l);
    json_decref(l);
    json_decref(tail);
    return r;
}

/* The value of a SET operand, read from the item as it was before the update: a new value,
 * or NULL with ctx->err set. */
static json_t *
set_value(struct ddb_expr_ctx *ctx, const struct ddb_node *n, const json_t *item)
{
    const json_t *v;
    json_t *x, *y, *r = NULL;

    switch (n->type) {
    case DDB_N_VALUE:
        v = n->value;
        break;
    case DDB_N_PATH:
        v = ddb_path_get(item, &n->path);
        if (!v) {
            ddb_expr_eval_fail(ctx, MSG_NO_ATTRIBUTE);
            return NULL;
        }
        break;
    case DDB_N_PLUS:
    case DDB_N_MINUS:
        x = set_value(ctx, n->args[0], item);
        if (!x)
            return NULL;
        if (ddb_type_of(x) != DDB_N) {
            json_decref(x);
            ddb_expr_eval_fail(ctx, MSG_OPERAND_TYPE);
            return NULL;
        }
        y = set_value(ctx, n->args[1], item);
        if (y && ddb_type_of(y) != DDB_N)
            ddb_expr_eval_fail(ctx, MSG_OPERAND_TYPE);
        else if (y)
            num_arith(ctx, x, y, n->type == DDB_N_MINUS, &r);
        json_decref(x);
        json_decref(y);
        return r;
    case DDB_N_FUNC:
        if (n->fn == DDB_F_IF_NOT_EXISTS) {
            v = ddb_path_get(item, &n->args[0]->path);
            if (!v)
                return set_value(ctx, n->args[1], item);
            break;
        }
        x = set_value(ctx, n->args[0], item);
        if (!x)
            return NULL;
        if (ddb_type_of(x) != DDB_L) {
            json_decref(x);
            ddb_expr_eval_fail(ctx, MSG_OPERAND_TYPE);
            return NULL;
        }
        y = set_value(ctx, n->args[1], item);
        if (y && ddb_type_of(y) != DDB_L)
            ddb_expr_eval_fail(ctx, MSG_OPERAND_TYPE);
        else if (y && !(r = list_concat(x, y)))
            ddb_expr_eval_fail(ctx, "out of memory");
        json_decref(x);
        json_decref(y);
        return r;
    default:
        ddb_expr_eval_fail(ctx, "Invalid UpdateExpression: The expression is not a value");
        return NULL;
    }
    r = json_deep_copy(v);
    if (!r)
        ddb_expr_eval_fail(ctx, "out of memory");
    return r;
}

/* A list changed by index: removed elements are marked until the end of the update, and
 * elements set past the end are appended then, in index order. */
struct pending {
    json_t *list;   /* a reference to the list's array in the working copy */
    unsigned index; /* the position the action named */
    unsigned seq;   /* the action's order, to keep the sort stable */
    json_t *value;  /* the value to append, or NULL when the list holds removed marks */
};

struct upd {
    struct ddb_expr_ctx *ctx;
    json_t *work;    /* the copy of the item being updated */
    json_t *removed; /* the mark of a removed list element (compared by address) */
    struct pending *pend;
    unsigned n_pend, cap_pend;
};

/* Takes value (NULL: a removal mark). */
static int
pend_add(struct upd *u, json_t *list, unsigned index, unsigned seq, json_t *value)
{
    if (u->n_pend == u->cap_pend) {
        unsigned cap = u->cap_pend ? u->cap_pend * 2 : 8;
        struct pending *p = realloc(u->pend, cap * sizeof(*p));

        if (!p) {
            json_decref(value);
            return ddb_expr_eval_fail(u->ctx, "out of memory");
        }
        u->pend = p;
        u->cap_pend = cap;
    }
    u->pend[u->n_pend++] = (struct pending){json_incref(list), index, seq, value};
    return 0;
}

static int
pend_cmp(const void *x, const void *y)
{
    const struct pending *a = x, *b = y;

    if (a->list != b->list)
        return (uintptr_t)a->list < (uintptr_t)b->list ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Drop the removed marks and append what was set past the end, list by list. */
static int
finish_lists(struct upd *u)
{
    if (u->n_pend)
        qsort(u->pend, u->n_pend, sizeof(*u->pend), pend_cmp);
    for (unsigned i = 0; i < u->n_pend; i++) {
        struct pending *p = &u->pend[i];

        if (i == 0 || u->pend[i - 1].list != p->list)
            for (size_t j = json_array_size(p->list); j-- > 0;)
                if (json_array_get(p->list, j) == u->removed)
                    json_array_remove(p->list, j);
        if (p->value) {
            if (json_array_append_new(p->list, p->value) < 0) {
                p->value = NULL;
                return ddb_expr_eval_fail(u->ctx, "out of memory");
            }
            p->value = NULL;
        }
    }
    return 0;
}

static void
pend_release(struct upd *u)
{
    for (unsigned i = 0; i < u->n_pend; i++) {
        json_decref(u->pend[i].list);
        json_decref(u->pend[i].value);
    }
    free(u->pend);
}

/* Where the last step of path lives in the working copy: *obj (the item's attributes or a
 * map's members) or *arr (a list's elements). -1 when an earlier step is missing or the
 * container is not of the kind the step needs. */
static int
target(struct upd *u, const struct ddb_path *p, json_t **obj, json_t **arr)
{
    const struct ddb_path_elem *last = &p->e[p->n - 1];
    json_t *v;
    enum ddb_type t;

    *obj = *arr = NULL;
    if (p->n == 1) {
        *obj = u->work;
        return 0;
    }
    v = json_object_get(u->work, p->e[0].name);
    for (unsigned i = 1; v && i < p->n - 1; i++)
        v = (json_t *)ddb_expr_path_child(v, &p->e[i]);
    if (!v)
        return -1;
    t = ddb_type_of(v);
    if (last->name && t == DDB_M)
        *obj = ddb_expr_payload_mut(v);
    else if (!last->name && t == DDB_L)
        *arr = ddb_expr_payload_mut(v);
    else
        return -1;
    return 0;
}

static json_t *
target_get(struct upd *u, json_t *obj, json_t *arr, const struct ddb_path_elem *e)
{
    json_t *v;

    if (obj)
        return json_object_get(obj, e->name);
    v = json_array_get(arr, e->index);
    return v == u->removed ? NULL : v;
}

/* Store value (taken) at the step. */
static int
target_put(struct upd *u, json_t *obj, json_t *arr, const struct ddb_path_elem *e, json_t *value,
           unsigned seq)
{
    if (!value)
        return ddb_expr_eval_fail(u->ctx, "out of memory");
    if (obj)
        return json_object_set_new(obj, e->name, value) < 0
                   ? ddb_expr_eval_fail(u->ctx, "out of memory")
                   : 0;
    if (e->index < json_array_size(arr))
        return json_array_set_new(arr, e->index, value) < 0
                   ? ddb_expr_eval_fail(u->ctx, "out of memory")
                   : 0;
    return pend_add(u, arr, e->index, seq, value);
}

static int
target_remove(struct upd *u, json_t *obj, json_t *arr, const struct ddb_path_elem *e, unsigned seq)
{
    if (obj) {
        json_object_del(obj, e->name);
        return 0;
    }
    if (e->index >= json_array_size(arr))
        return 0;
    if (json_array_set(arr, e->index, u->removed) < 0)
        return ddb_expr_eval_fail(u->ctx, "out of memory");
    return pend_add(u, arr, e->index, seq, NULL);
}

/* a ∪ b (add) or a − b of two sets of one type: a new value (a's elements first, in their
 * order), or NULL with *empty set when a difference leaves nothing. */
static json_t *
set_combine(const json_t *a, const json_t *b, bool add, bool *empty)
{
    enum ddb_type t = ddb_type_of(a);
    json_t *seen = json_object(), *out = json_array(), *r = NULL;
    const json_t *e;
    size_t i, n;
    char *k;

    *empty = false;
    if (!seen || !out)
        goto done;
    /* seen: the keys of a (add) or of b (difference) */
    json_array_foreach(ddb_value_payload(add ? a : b), i, e)
    {
        k = ddb_expr_elem_key(t, e, &n);
        if (!k || json_object_setn_new(seen, k, n, json_true()) < 0) {
            free(k);
            goto done;
        }
        free(k);
    }
    if (add) {
        if (json_array_extend(out, (json_t *)ddb_value_payload(a)) < 0)
            goto done;
        json_array_foreach(ddb_value_payload(b), i, e)
        {
            k = ddb_expr_elem_key(t, e, &n);
            if (!k)
                goto done;
            if (!json_object_getn(seen, k, n) &&
                (json_object_setn_new(seen, k, n, json_true()) < 0 ||
                 json_array_append(out, (json_t *)e) < 0)) {
                free(k);
                goto done;
            }
            free(k);
        }
    } else {
        json_array_foreach(ddb_value_payload(a), i, e)
        {
            k = ddb_expr_elem_key(t, e, &n);
            if (!k)
                goto done;
            if (!json_object_getn(seen, k, n) && json_array_append(out, (json_t *)e) < 0) {
                free(k);
                goto done;
            }
            free(k);
        }
        if (json_array_size(out) == 0) {
            *empty = true;
            goto done;
        }
    }
    r = json_pack("{s:O}", ddb_type_name(t), out);
done:
    json_decref(seen);
    json_decref(out);
    return r;
}

static int
add_action(struct upd *u, const struct ddb_update_action *a, json_t *obj, json_t *arr, unsigned seq)
{
    const struct ddb_path_elem *e = &a->path.e[a->path.n - 1];
    const json_t *v = a->value->value, *cur = target_get(u, obj, arr, e);
    enum ddb_type vt = ddb_type_of(v);
    json_t *r = NULL;
    bool empty;

    if (cur && ddb_type_of(cur) != vt)
        return ddb_expr_eval_fail(u->ctx, "%s", is_legacy(a) ? MSG_LEGACY_TYPE : MSG_OPERAND_TYPE);
    if (!cur)
        r = json_deep_copy(v); /* an absent number counts as 0, an absent set as empty */
    else if (vt == DDB_N) {
        if (num_arith(u->ctx, cur, v, false, &r) < 0)
            return -1;
    } else if (vt == DDB_L)
        r = list_concat(cur, v);
    else
        r = set_combine(cur, v, true, &empty);
    return target_put(u, obj, arr, e, r, seq);
}

static int
delete_action(struct upd *u, const struct ddb_update_action *a, json_t *obj, json_t *arr,
              unsigned seq)
{
    const struct ddb_path_elem *e = &a->path.e[a->path.n - 1];
    const json_t *cur;
    json_t *r;
    bool empty;

    if (!a->value)
        return target_remove(u, obj, arr, e, seq);
    cur = target_get(u, obj, arr, e);
    if (!cur)
        return 0;
    if (ddb_type_of(cur) != ddb_type_of(a->value->value))
        return ddb_expr_eval_fail(u->ctx, "%s", is_legacy(a) ? MSG_LEGACY_TYPE : MSG_OPERAND_TYPE);
    r = set_combine(cur, a->value->value, false, &empty);
    if (!r)
        return empty ? target_remove(u, obj, arr, e, seq)
                     : ddb_expr_eval_fail(u->ctx, "out of memory");
    return target_put(u, obj, arr, e, r, seq);
}

/* Re-check the top-level attributes that SET and ADD wrote, as DynamoDB checks the item it
 * would store: a value set deep inside a map can go past the nesting limit. */
static int
recheck(struct upd *u, const struct ddb_update *upd)
{
    for (unsigned i = 0; i < upd->n; i++) {
        const struct ddb_update_action *a = &upd->a[i];
        json_t *v;

        if (a->op != DDB_UPD_SET && a->op != DDB_UPD_ADD)
            continue;
        v = json_object_get(u->work, a->path.e[0].name);
        if (v && ddb_value_check(v, u->ctx->err, sizeof(u->ctx->err)) < 0)
            return -1;
    }
    return 0;
}

static int
apply_actions(struct upd *u, const struct ddb_update *upd, json_t **vals)
{
    for (unsigned i = 0; i < upd->n; i++) {
        const struct ddb_update_action *a = &upd->a[i];
        const struct ddb_path_elem *e = &a->path.e[a->path.n - 1];
        json_t *obj, *arr;
        int r = 0;

        if (target(u, &a->path, &obj, &arr) < 0)
            return ddb_expr_eval_fail(u->ctx, MSG_PATH_INVALID);
        switch (a->op) {
        case DDB_UPD_SET:
            r = target_put(u, obj, arr, e, vals[i], i);
            vals[i] = NULL;
            break;
        case DDB_UPD_REMOVE:
            r = target_remove(u, obj, arr, e, i);
            break;
        case DDB_UPD_ADD:
            r = add_action(u, a, obj, arr, i);
            break;
        case DDB_UPD_DELETE:
            r = delete_action(u, a, obj, arr, i);
            break;
        }
        if (r < 0)
            return -1;
    }
    return finish_lists(u) < 0 ? -1 : recheck(u, upd);
}

int
ddb_expr_apply_update(struct ddb_expr_ctx *ctx, const struct ddb_update *upd, json_t *item,
                      const char *hash_key, const char *range_key)
{
    struct upd u = {.ctx = ctx};
    json_t **vals;
    int r = -1;

    for (unsigned i = 0; i < upd->n; i++)
        if (check_action(ctx, &upd->a[i], hash_key, range_key) < 0)
            return -1;
    vals = calloc(upd->n ? upd->n : 1, sizeof(*vals));
    if (!vals)
        return ddb_expr_eval_fail(ctx, "out of memory");
    /* every SET operand reads the item before any action changes it */
    for (unsigned i = 0; i < upd->n; i++)
        if (upd->a[i].op == DDB_UPD_SET && !(vals[i] = set_value(ctx, upd->a[i].value, item)))
            goto out;
    /* the actions change a copy, so that a failure leaves the item as it was */
    u.work = json_deep_copy(item);
    u.removed = json_object();
    if (!u.work || !u.removed) {
        ddb_expr_eval_fail(ctx, "out of memory");
        goto out;
    }
    if (apply_actions(&u, upd, vals) < 0)
        goto out;
    json_object_clear(item);
    if (json_object_update(item, u.work) < 0) {
        ddb_expr_eval_fail(ctx, "out of memory");
        goto out;
    }
    r = 0;
out:
    for (unsigned i = 0; i < upd->n; i++)
        json_decref(vals[i]);
    free(vals);
    pend_release(&u);
    json_decref(u.work);
    json_decref(u.removed);
    return r;
}
