/* ddb_expr_legacy.c: the legacy conditional parameters (developer guide, "Legacy conditional
 * parameters") turned into the trees of ddb_expr.h, so that one evaluator serves both:
 *
 *   Expected                      ConditionExpression       (PutItem, UpdateItem, DeleteItem)
 *   KeyConditions                 KeyConditionExpression    (Query)
 *   QueryFilter, ScanFilter       FilterExpression          (Query, Scan)
 *   AttributesToGet               ProjectionExpression
 *   AttributeUpdates              UpdateExpression          (UpdateItem)
 *
 * A ComparisonOperator maps onto the expression language as DynamoDB evaluates it: EQ is =,
 * NE is <> (true for an absent attribute), NULL and NOT_NULL are attribute_not_exists and
 * attribute_exists, CONTAINS and BEGINS_WITH the functions, and NOT_CONTAINS is false for an
 * absent attribute as well as for a containing one.
 *
 * The values are the request's own (borrowed; the request outlives the tree). They have not
 * been through ExpressionAttributeValues' checks, so they are checked and normalized here.
 * Validation follows DynamoDB's order and words: Exists/Value/AttributeValueList combinations,
 * then the number of arguments, then each argument's type, then BETWEEN's bounds.
 * AttributeUpdates come out as SET (PUT), ADD and DELETE actions whose values have no
 * value_name, which is how ddb_expr_apply_update() recognizes them (see ddb_expr_eval.c). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_value.h"

#define INVALID "One or more parameter values were invalid: "

static void *fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set ctx->err; returns NULL so that builders can "return fail(...)". */
static void *
fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return NULL;
}

/* ---- tree building --------------------------------------------------------------------------- */

static struct ddb_node *
node(struct ddb_expr_ctx *ctx, enum ddb_node_type type, unsigned n_args)
{
    struct ddb_node *n = arena_calloc(ctx->arena, sizeof(*n));

    if (!n)
        return fail(ctx, "out of memory");
    n->type = type;
    n->n_args = n_args;
    if (n_args && !(n->args = arena_calloc(ctx->arena, n_args * sizeof(*n->args))))
        return fail(ctx, "out of memory");
    return n;
}

/* A one-step path: legacy parameters name top-level attributes only. */
static int
make_path(struct ddb_expr_ctx *ctx, const char *name, struct ddb_path *p)
{
    p->e = arena_calloc(ctx->arena, sizeof(*p->e));
    p->text = arena_strdup(ctx->arena, name);
    if (!p->e || !p->text)
        return fail(ctx, "out of memory"), -1;
    p->n = 1;
    p->e[0].name = p->text;
    return 0;
}

static struct ddb_node *
path_node(struct ddb_expr_ctx *ctx, const char *name)
{
    struct ddb_node *n = node(ctx, DDB_N_PATH, 0);

    if (n && make_path(ctx, name, &n->path) < 0)
        return NULL;
    return n;
}

/* A request value: value_name stays NULL, it is not from ExpressionAttributeValues. */
static struct ddb_node *
value_node(struct ddb_expr_ctx *ctx, const json_t *v)
{
    struct ddb_node *n = node(ctx, DDB_N_VALUE, 0);

    if (n)
        n->value = v;
    return n;
}

static struct ddb_node *
func_node(struct ddb_expr_ctx *ctx, enum ddb_func fn, struct ddb_node *a, struct ddb_node *b)
{
    struct ddb_node *n;

    if (!a || (b == NULL) != (fn == DDB_F_ATTRIBUTE_EXISTS || fn == DDB_F_ATTRIBUTE_NOT_EXISTS))
        return NULL;
    n = node(ctx, DDB_N_FUNC, b ? 2 : 1);
    if (!n)
        return NULL;
    n->fn = fn;
    n->args[0] = a;
    if (b)
        n->args[1] = b;
    return n;
}

/* ---- ComparisonOperator ---------------------------------------------------------------------- */

enum legacy_op {
    OP_EQ,
    OP_NE,
    OP_LE,
    OP_LT,
    OP_GE,
    OP_GT,
    OP_NOT_NULL,
    OP_NULL,
    OP_CONTAINS,
    OP_NOT_CONTAINS,
    OP_BEGINS_WITH,
    OP_IN,
    OP_BETWEEN,
    OP_BAD
};

/* Names in the order DynamoDB lists its enum in validation messages. */
static const struct {
    const char *name;
    enum legacy_op op;
} op_names[] = {
    {"IN", OP_IN},
    {"NULL", OP_NULL},
    {"BETWEEN", OP_BETWEEN},
    {"LT", OP_LT},
    {"NOT_CONTAINS", OP_NOT_CONTAINS},
    {"EQ", OP_EQ},
    {"GT", OP_GT},
    {"NOT_NULL", OP_NOT_NULL},
    {"NE", OP_NE},
    {"LE", OP_LE},
    {"BEGINS_WITH", OP_BEGINS_WITH},
    {"GE", OP_GE},
    {"CONTAINS", OP_CONTAINS},
};

static enum legacy_op
op_from_name(const char *s)
{
    for (size_t i = 0; s && i < sizeof(op_names) / sizeof(op_names[0]); i++)
        if (strcmp(op_names[i].name, s) == 0)
            return op_names[i].op;
    return OP_BAD;
}

/* The member name as DynamoDB's validation messages write it: first letter lower case. */
static void
lower_first(const char *param, char *buf, size_t len)
{
    snprintf(buf, len, "%s", param);
    buf[0] = (char)tolower((unsigned char)buf[0]);
}

static void *
bad_operator(struct ddb_expr_ctx *ctx, const char *param, const char *attr, const json_t *op)
{
    char at[64];

    lower_first(param, at, sizeof(at));
    if (!op)
        return fail(ctx,
                    "1 validation error detected: Value null at '%s.%s.member."
                    "comparisonOperator' failed to satisfy constraint: Member must not be null",
                    at, attr);
    return fail(ctx,
                "1 validation error detected: Value '%s' at '%s.%s.member.comparisonOperator' "
                "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, "
                "BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
                json_is_string(op) ? json_string_value(op) : "", at, attr);
}

/* Whether the operator takes an argument of type t. */
static bool
op_takes(enum legacy_op op, enum ddb_type t)
{
    bool scalar = t == DDB_S || t == DDB_N || t == DDB_B;

    switch (op) {
    case OP_EQ:
    case OP_NE:
        return true;
    case OP_CONTAINS:
    case OP_NOT_CONTAINS:
        return scalar || t == DDB_BOOL || t == DDB_NULL;
    case OP_BEGINS_WITH:
        return t == DDB_S || t == DDB_B;
    default:
        return scalar;
    }
}

/* Check the arguments of op (already counted right): each one valid, of a type op takes, all
 * of one type, and BETWEEN's bounds in order. */
static int
check_args(struct ddb_expr_ctx *ctx, enum legacy_op op, const char *op_name, const json_t **v,
           unsigned n)
{
    int cmp;

    for (unsigned i = 0; i < n; i++) {
        enum ddb_type t;

        if (ddb_value_check((json_t *)v[i], ctx->err, sizeof(ctx->err)) < 0)
            return -1;
        t = ddb_type_of(v[i]);
        if (!op_takes(op, t))
            return fail(ctx,
                        INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
                        op_name, ddb_type_name(t)),
                   -1;
        if (t != ddb_type_of(v[0]))
            return fail(ctx,
                        INVALID "AttributeValues inside AttributeValueList must be of same type"),
                   -1;
    }
    if (op == OP_BETWEEN && ddb_value_cmp(v[0], v[1], &cmp) == 0 && cmp > 0)
        return fail(ctx, "The BETWEEN condition was provided a range where the lower bound is "
                         "greater than the upper bound"),
               -1;
    return 0;
}

/* The condition "attribute name satisfies op with arguments v[0..n)". */
static struct ddb_node *
condition(struct ddb_expr_ctx *ctx, const char *name, const char *op_name, const json_t **v,
          unsigned n)
{
    enum legacy_op op = op_from_name(op_name);
    static const enum ddb_cmp cmps[] = {[OP_EQ] = DDB_EQ, [OP_NE] = DDB_NE, [OP_LE] = DDB_LE,
                                        [OP_LT] = DDB_LT, [OP_GE] = DDB_GE, [OP_GT] = DDB_GT};
    bool count_ok;
    struct ddb_node *c, *x;

    switch (op) {
    case OP_NULL:
    case OP_NOT_NULL:
        count_ok = n == 0;
        break;
    case OP_IN:
        count_ok = n >= 1;
        break;
    case OP_BETWEEN:
        count_ok = n == 2;
        break;
    default:
        count_ok = n == 1;
        break;
    }
    if (!count_ok)
        return fail(ctx, INVALID "Invalid number of argument(s) for the %s ComparisonOperator",
                    op_name);
    if (check_args(ctx, op, op_name, v, n) < 0)
        return NULL;
    switch (op) {
    case OP_EQ:
    case OP_NE:
    case OP_LE:
    case OP_LT:
    case OP_GE:
    case OP_GT:
        c = node(ctx, DDB_N_CMP, 2);
        if (!c || !(c->args[0] = path_node(ctx, name)) || !(c->args[1] = value_node(ctx, v[0])))
            return NULL;
        c->cmp = cmps[op];
        return c;
    case OP_NOT_NULL:
        return func_node(ctx, DDB_F_ATTRIBUTE_EXISTS, path_node(ctx, name), NULL);
    case OP_NULL:
        return func_node(ctx, DDB_F_ATTRIBUTE_NOT_EXISTS, path_node(ctx, name), NULL);
    case OP_CONTAINS:
        return func_node(ctx, DDB_F_CONTAINS, path_node(ctx, name), value_node(ctx, v[0]));
    case OP_BEGINS_WITH:
        return func_node(ctx, DDB_F_BEGINS_WITH, path_node(ctx, name), value_node(ctx, v[0]));
    case OP_NOT_CONTAINS:
        /* attribute_exists(a) AND NOT contains(a, v): DynamoDB says false when a is absent */
        c = node(ctx, DDB_N_AND, 2);
        x = node(ctx, DDB_N_NOT, 1);
        if (!c || !x)
            return NULL;
        x->args[0] = func_node(ctx, DDB_F_CONTAINS, path_node(ctx, name), value_node(ctx, v[0]));
        c->args[0] = func_node(ctx, DDB_F_ATTRIBUTE_EXISTS, path_node(ctx, name), NULL);
        c->args[1] = x;
        return c->args[0] && x->args[0] ? c : NULL;
    case OP_IN:
    case OP_BETWEEN:
        c = node(ctx, op == OP_IN ? DDB_N_IN : DDB_N_BETWEEN, n + 1);
        if (!c || !(c->args[0] = path_node(ctx, name)))
            return NULL;
        for (unsigned i = 0; i < n; i++)
            if (!(c->args[i + 1] = value_node(ctx, v[i])))
                return NULL;
        return c;
    default:
        return NULL;
    }
}

/* The values of AttributeValueList (or a lone Value) into an arena array. */
static const json_t **
arg_list(struct ddb_expr_ctx *ctx, const json_t *list, const json_t *value, unsigned *n)
{
    const json_t **v;
    const json_t *e;
    size_t i;

    *n = list ? (unsigned)json_array_size(list) : value ? 1 : 0;
    v = arena_calloc(ctx->arena, (*n + 1) * sizeof(*v));
    if (!v)
        return fail(ctx, "out of memory");
    if (list) {
        json_array_foreach(list, i, e)
        {
            v[i] = e;
        }
    } else if (value)
        v[0] = value;
    return v;
}

/* Join the conditions with AND or OR (an empty AND is true: no condition at all). */
static struct ddb_node *
join(struct ddb_expr_ctx *ctx, struct ddb_node **c, unsigned n, const char *conditional_operator)
{
    struct ddb_node *j;
    bool or_ = false;

    if (conditional_operator) {
        if (strcmp(conditional_operator, "OR") == 0)
            or_ = true;
        else if (strcmp(conditional_operator, "AND") != 0)
            return fail(
                ctx,
                "1 validation error detected: Value '%s' at 'conditionalOperator' "
                "failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]",
                conditional_operator);
        if (n == 0)
            return fail(ctx, "ConditionalOperator cannot be used without Filter or Expected");
        if (n == 1)
            return fail(ctx, "ConditionalOperator can only be used when Filter or Expected has two "
                             "or more elements");
    }
    if (n == 1)
        return c[0];
    j = node(ctx, or_ ? DDB_N_OR : DDB_N_AND, 0);
    if (!j)
        return NULL;
    j->n_args = n;
    j->args = c;
    return j;
}

/* ---- Expected -------------------------------------------------------------------------------- */

static struct ddb_node *
expected_one(struct ddb_expr_ctx *ctx, const char *name, const json_t *e)
{
    const json_t *exists = json_object_get(e, "Exists"), *value = json_object_get(e, "Value");
    const json_t *list = json_object_get(e, "AttributeValueList");
    const json_t *op = json_object_get(e, "ComparisonOperator");
    const json_t **v;
    unsigned n;

    if (json_is_null(exists))
        exists = NULL;
    if (json_is_null(value))
        value = NULL;
    if (json_is_null(list))
        list = NULL;
    if (json_is_null(op))
        op = NULL;
    /* the request's shape is checked before its meaning */
    if (op && op_from_name(json_string_value(op)) == OP_BAD)
        return bad_operator(ctx, "Expected", name, op);
    if (exists && op)
        return fail(ctx,
                    INVALID "Exists and ComparisonOperator cannot be used together for "
                            "Attribute: %s",
                    name);
    if (value && list)
        return fail(ctx,
                    INVALID "Value and AttributeValueList cannot be used together for "
                            "Attribute: %s",
                    name);
    if (!op && list)
        return fail(ctx,
                    INVALID "AttributeValueList can only be used with a ComparisonOperator "
                            "for Attribute: %s",
                    name);
    if (exists && json_is_false(exists) && value)
        return fail(ctx, INVALID "Value cannot be used when Exists is false for Attribute: %s",
                    name);
    if (!value && !list) {
        const char *o = json_string_value(op);

        if (o && strcmp(o, "NULL") != 0 && strcmp(o, "NOT_NULL") != 0)
            return fail(ctx,
                        INVALID "Value or AttributeValueList must be used with "
                                "ComparisonOperator: %s for Attribute: %s",
                        o, name);
        if (!o && !exists)
            return fail(ctx, INVALID "Value must be provided when Exists is null for Attribute: %s",
                        name);
        if (!o && json_is_true(exists))
            return fail(ctx, INVALID "Value must be provided when Exists is true for Attribute: %s",
                        name);
    }
    if (op) {
        if (list && !json_is_array(list))
            return fail(ctx, INVALID "AttributeValueList must be a list for Attribute: %s", name);
        v = arg_list(ctx, list, value, &n);
        return v ? condition(ctx, name, json_string_value(op), v, n) : NULL;
    }
    if (!value) /* Exists: false */
        return func_node(ctx, DDB_F_ATTRIBUTE_NOT_EXISTS, path_node(ctx, name), NULL);
    v = arg_list(ctx, NULL, value, &n);
    return v ? condition(ctx, name, "EQ", v, n) : NULL;
}

struct ddb_node *
ddb_legacy_expected(struct ddb_expr_ctx *ctx, const json_t *expected,
                    const char *conditional_operator)
{
    struct ddb_node **c;
    const char *name;
    const json_t *e;
    unsigned n = 0;

    if (!json_is_object(expected))
        return fail(ctx, "Expected must be a map");
    c = arena_calloc(ctx->arena, (json_object_size(expected) + 1) * sizeof(*c));
    if (!c)
        return fail(ctx, "out of memory");
    json_object_foreach((json_t *)expected, name, e)
    {
        if (!json_is_object(e))
            return fail(ctx, INVALID "ExpectedAttributeValue must not be null for Attribute: %s",
                        name);
        if (!(c[n++] = expected_one(ctx, name, e)))
            return NULL;
    }
    return join(ctx, c, n, conditional_operator);
}

/* ---- KeyConditions, QueryFilter, ScanFilter -------------------------------------------------- */

/* The operators a key condition can use. */
static bool
indexable(enum legacy_op op)
{
    return op == OP_EQ || op == OP_LE || op == OP_LT || op == OP_GE || op == OP_GT ||
           op == OP_BEGINS_WITH || op == OP_BETWEEN;
}

struct ddb_node *
ddb_legacy_conditions(struct ddb_expr_ctx *ctx, const char *param, const json_t *conditions,
                      const char *conditional_operator)
{
    bool key = strcmp(param, "KeyConditions") == 0;
    struct ddb_node **c;
    const char *name;
    const json_t *e;
    unsigned n = 0;

    if (!json_is_object(conditions))
        return fail(ctx, "%s must be a map", param);
    if (key && json_object_size(conditions) > 2)
        return fail(ctx, "Conditions can be of length 1 or 2 only");
    c = arena_calloc(ctx->arena, (json_object_size(conditions) + 1) * sizeof(*c));
    if (!c)
        return fail(ctx, "out of memory");
    json_object_foreach((json_t *)conditions, name, e)
    {
        const json_t *op = json_object_get(e, "ComparisonOperator");
        const json_t *list = json_object_get(e, "AttributeValueList");
        const json_t **v;
        unsigned nv;

        if (json_is_null(list))
            list = NULL;
        if (!json_is_object(e))
            return fail(ctx, INVALID "Condition must not be null for Attribute: %s", name);
        if (op_from_name(json_string_value(op)) == OP_BAD)
            return bad_operator(ctx, param, name, json_is_null(op) ? NULL : op);
        if (list && !json_is_array(list))
            return fail(ctx, INVALID "AttributeValueList must be a list for Attribute: %s", name);
        v = arg_list(ctx, list, NULL, &nv);
        if (!v || !(c[n] = condition(ctx, name, json_string_value(op), v, nv)))
            return NULL;
        if (key && !indexable(op_from_name(json_string_value(op))))
            return fail(ctx, "Query key condition not supported");
        n++;
    }
    if (key)
        conditional_operator = NULL; /* KeyConditions are always ANDed */
    return join(ctx, c, n, conditional_operator);
}

/* ---- AttributesToGet ------------------------------------------------------------------------- */

struct ddb_projection *
ddb_legacy_attributes_to_get(struct ddb_expr_ctx *ctx, const json_t *names)
{
    struct ddb_projection *p;
    const json_t *e;
    size_t i;

    if (!json_is_array(names))
        return fail(ctx, "AttributesToGet must be a list");
    if (json_array_size(names) == 0)
        return fail(ctx, "1 validation error detected: Value '[]' at 'attributesToGet' failed to "
                         "satisfy constraint: Member must have length greater than or equal to 1");
    p = arena_calloc(ctx->arena, sizeof(*p));
    if (!p || !(p->paths = arena_calloc(ctx->arena, json_array_size(names) * sizeof(*p->paths))))
        return fail(ctx, "out of memory");
    json_array_foreach(names, i, e)
    {
        const char *name = json_string_value(e);

        if (!name)
            return fail(ctx, "AttributesToGet must hold strings");
        for (unsigned j = 0; j < p->n; j++)
            if (strcmp(p->paths[j].e[0].name, name) == 0)
                return fail(ctx, INVALID "Duplicate value in attribute name: %s", name);
        if (make_path(ctx, name, &p->paths[p->n]) < 0)
            return NULL;
        p->n++;
    }
    return p;
}

/* ---- AttributeUpdates ------------------------------------------------------------------------ */

struct ddb_update *
ddb_legacy_attribute_updates(struct ddb_expr_ctx *ctx, const json_t *updates)
{
    struct ddb_update *u;
    const char *name;
    const json_t *e;

    if (!json_is_object(updates))
        return fail(ctx, "AttributeUpdates must be a map");
    u = arena_calloc(ctx->arena, sizeof(*u));
    if (!u || !(u->a = arena_calloc(ctx->arena, (json_object_size(updates) + 1) * sizeof(*u->a))))
        return fail(ctx, "out of memory");
    json_object_foreach((json_t *)updates, name, e)
    {
        struct ddb_update_action *a = &u->a[u->n];
        const json_t *value = json_object_get(e, "Value"), *action = json_object_get(e, "Action");
        const char *act = json_is_string(action) ? json_string_value(action) : "PUT";
        enum ddb_type t;

        if (!json_is_object(e))
            return fail(ctx, "AttributeValueUpdate must not be null: %s is null", name);
        if (json_is_null(value))
            value = NULL;
        if (strcmp(act, "PUT") != 0 && strcmp(act, "ADD") != 0 && strcmp(act, "DELETE") != 0)
            return fail(ctx,
                        "1 validation error detected: Value '%s' at 'attributeUpdates.%s."
                        "member.action' failed to satisfy constraint: Member must satisfy enum "
                        "value set: [ADD, PUT, DELETE]",
                        act, name);
        if (value && ddb_value_check((json_t *)value, ctx->err, sizeof(ctx->err)) < 0)
            return NULL;
        if (!value && strcmp(act, "DELETE") != 0)
            return fail(ctx, INVALID "Only DELETE action is allowed when no attribute value is "
                                     "specified");
        t = value ? ddb_type_of(value) : DDB_BAD;
        if (value && strcmp(act, "DELETE") == 0 && t != DDB_SS && t != DDB_NS && t != DDB_BS)
            return fail(ctx, INVALID "DELETE action with value is not supported for the type %s",
                        ddb_type_name(t));
        if (strcmp(act, "ADD") == 0 && t != DDB_N && t != DDB_L && t != DDB_SS && t != DDB_NS &&
            t != DDB_BS)
            return fail(ctx, INVALID "ADD action is not supported for the type %s",
                        ddb_type_name(t));
        a->op = strcmp(act, "PUT") == 0   ? DDB_UPD_SET
                : strcmp(act, "ADD") == 0 ? DDB_UPD_ADD
                                          : DDB_UPD_DELETE;
        if (make_path(ctx, name, &a->path) < 0 || (value && !(a->value = value_node(ctx, value))))
            return NULL;
        u->n++;
    }
    return u;
}
