/* ddb_expr_eval.c: the evaluation half of ddb_expr.h: conditions and filters against an item
 * and the reduction of a key condition to what a Query needs, with the path and value helpers
 * (ddb_expr_int.h) that ddb_expr_update.c (updates applied to an item) and ddb_expr_project.c
 * (projections) use too. The notes below hold for all three.
 *
 * The semantics are DynamoDB's (developer guide: "Condition and filter expressions, operators,
 * and functions", "Update expressions", "Projection expressions"), including what it does
 * beyond the guide:
 *  - a comparison with an absent operand, or of two different types, is false; <> is then
 *    true (an absent attribute is "not equal" to anything, even another absent one);
 *  - <, <=, >, >= and BETWEEN order only S with S, N with N, B with B;
 *  - functions of an absent attribute are false; size() of an absent attribute or of an N,
 *    BOOL or NULL has no value, so comparing it behaves like comparing an absent attribute;
 *    size() of a string counts UTF-16 code units (what DynamoDB's Java strings count);
 *  - every action of an update reads the item as it was before the update ("SET a = :v,
 *    b = a" copies the old a), and list indexes name the positions before the update:
 *    "REMOVE a[1] SET a[3] = :v" on [2,3,4,5,6,7] gives [2,4,:v,6,7]; SET past the end of a
 *    list appends (several such in index order), REMOVE past the end does nothing.
 *
 * Updates from the legacy AttributeUpdates parameter (ddb_expr_legacy.c) arrive in the same
 * tree. They are told apart by their values, which come from the request rather than from
 * ExpressionAttributeValues and so have no value_name, and by DELETE without a value (remove
 * the attribute). They keep their own rules and messages: ADD also appends to a list, a type
 * clash is "Type mismatch for attribute to update". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

int
ddb_expr_eval_fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return -1;
}

/* The member of an attribute value (its payload), writable: for values of our own copies. */
json_t *
ddb_expr_payload_mut(json_t *av)
{
    return json_object_iter_value(json_object_iter(av));
}

/* ---- paths ----------------------------------------------------------------------------------- */

const json_t *
ddb_expr_path_child(const json_t *av, const struct ddb_path_elem *e)
{
    enum ddb_type t = ddb_type_of(av);

    if (e->name)
        return t == DDB_M ? json_object_get(ddb_value_payload(av), e->name) : NULL;
    return t == DDB_L ? json_array_get(ddb_value_payload(av), e->index) : NULL;
}

const json_t *
ddb_path_get(const json_t *item, const struct ddb_path *path)
{
    const json_t *v;

    if (!item || path->n == 0 || !path->e[0].name)
        return NULL;
    v = json_object_get(item, path->e[0].name);
    for (unsigned i = 1; v && i < path->n; i++)
        v = ddb_expr_path_child(v, &path->e[i]);
    return v;
}

/* ---- values ---------------------------------------------------------------------------------- */

/* UTF-16 code units of UTF-8 text: one per character, two for those beyond the BMP (lead
 * byte 0xF0 and up). Checked strings are valid UTF-8, so counting lead bytes suffices. */
static unsigned long long
utf16_units(const char *s, size_t len)
{
    unsigned long long n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* The decoded bytes of base64 text into a malloc'd buffer (NULL for none); -1 if invalid. */
static long long
b64_bytes(const char *s, size_t len, unsigned char **out)
{
    long long n = base64_decoded_len(s, len, 0);

    *out = NULL;
    if (n <= 0)
        return n;
    *out = malloc((size_t)n);
    if (!*out)
        return -1;
    return base64_decode(*out, s, len, 0);
}

static long long
av_bytes(const json_t *av, unsigned char **out)
{
    const json_t *p = ddb_value_payload(av);

    return b64_bytes(json_string_value(p), json_string_length(p), out);
}

/* Whether needle occurs in hay (bytes). */
static bool
contains_bytes(const unsigned char *hay, size_t hn, const unsigned char *needle, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            return true;
    return false;
}

/* The canonical bytes of one set element (a JSON string), so that equal elements have equal
 * keys: numbers normalized, binaries re-encoded with padding, strings as they are. A malloc'd
 * buffer and its length in *len; NULL on malformed input (never for checked values) or
 * allocation failure. */
char *
ddb_expr_elem_key(enum ddb_type set, const json_t *elem, size_t *len)
{
    const char *s = json_string_value(elem);
    size_t n = json_string_length(elem);
    char *out;

    if (!s)
        return NULL;
    if (set == DDB_NS) {
        struct ddb_num num;
        char buf[DDB_NUM_TEXT_MAX];

        if (ddb_num_parse(s, n, &num) != DDB_NUM_OK)
            return NULL;
        *len = ddb_num_format(&num, buf);
        out = malloc(*len + 1);
        if (out)
            memcpy(out, buf, *len + 1);
        return out;
    }
    if (set == DDB_BS) {
        unsigned char *bytes;
        long long bn = b64_bytes(s, n, &bytes);

        if (bn < 0)
            return NULL;
        out = malloc(base64_encoded_len((size_t)bn, 0) + 1);
        if (out)
            *len = base64_encode(out, bytes, (size_t)bn, 0);
        free(bytes);
        return out;
    }
    out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
        *len = n;
    }
    return out;
}

/* The scalar type a set holds. */
static enum ddb_type
elem_type(enum ddb_type set)
{
    return set == DDB_SS ? DDB_S : set == DDB_NS ? DDB_N : set == DDB_BS ? DDB_B : DDB_BAD;
}

/* Whether two elements of a set of type st are the same element. */
static bool
elem_equal(enum ddb_type st, const json_t *a, const json_t *b)
{
    size_t an = json_string_length(a), bn = json_string_length(b);

    if (st == DDB_SS)
        return an == bn && memcmp(json_string_value(a), json_string_value(b), an) == 0;
    if (st == DDB_NS) {
        struct ddb_num x, y;

        return ddb_num_parse(json_string_value(a), an, &x) == DDB_NUM_OK &&
               ddb_num_parse(json_string_value(b), bn, &y) == DDB_NUM_OK &&
               ddb_num_cmp(&x, &y) == 0;
    }
    {
        size_t xn = 0, yn = 0;
        char *x = ddb_expr_elem_key(st, a, &xn), *y = ddb_expr_elem_key(st, b, &yn);
        bool eq = x && y && xn == yn && memcmp(x, y, xn) == 0;

        free(x);
        free(y);
        return eq;
    }
}

/* Whether the set holds the scalar v (which must be of the set's element type). */
static bool
set_has(const json_t *set, const json_t *v)
{
    enum ddb_type st = ddb_type_of(set);
    const json_t *e;
    size_t i;

    if (elem_type(st) != ddb_type_of(v))
        return false;
    json_array_foreach(ddb_value_payload(set), i, e)
    {
        if (elem_equal(st, e, ddb_value_payload(v)))
            return true;
    }
    return false;
}

/* size(): 0 and *out, or -1 when the type has no size (N, BOOL, NULL). */
static int
value_size(const json_t *av, unsigned long long *out)
{
    const json_t *p = ddb_value_payload(av);
    long long n;

    switch (ddb_type_of(av)) {
    case DDB_S:
        *out = utf16_units(json_string_value(p), json_string_length(p));
        return 0;
    case DDB_B:
        n = base64_decoded_len(json_string_value(p), json_string_length(p), 0);
        if (n < 0)
            return -1;
        *out = (unsigned long long)n;
        return 0;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
    case DDB_L:
        *out = json_array_size(p);
        return 0;
    case DDB_M:
        *out = json_object_size(p);
        return 0;
    default:
        return -1;
    }
}

/* "{N:10}" as DynamoDB shows a value in BETWEEN's messages. */
static const char *
show_value(const json_t *av, char *buf, size_t len)
{
    const json_t *p = ddb_value_payload(av);

    snprintf(buf, len, "{%s:%s}", ddb_type_name(ddb_type_of(av)),
             json_is_string(p) ? json_string_value(p) : "");
    return buf;
}

/* ---- conditions ------------------------------------------------------------------------------ */

struct eval {
    struct ddb_expr_ctx *ctx;
    const json_t *item;
    json_t *temps; /* values made on the way (size()), freed with the evaluation; made when
                    * first needed, as most conditions need none */
};

/* An operand's value, or NULL when it has none (absent attribute, size() of an N). */
static const json_t *
operand(struct eval *ev, const struct ddb_node *n)
{
    unsigned long long size;
    const json_t *v;
    char buf[32];
    json_t *num;

    switch (n->type) {
    case DDB_N_PATH:
        return ddb_path_get(ev->item, &n->path);
    case DDB_N_VALUE:
        return n->value;
    case DDB_N_FUNC:
        if (n->fn != DDB_F_SIZE || n->n_args != 1)
            return NULL;
        v = operand(ev, n->args[0]);
        if (!v || value_size(v, &size) < 0)
            return NULL;
        snprintf(buf, sizeof(buf), "%llu", size);
        if (!ev->temps && !(ev->temps = json_array()))
            return NULL;
        num = json_pack("{s:s}", "N", buf);
        if (!num || json_array_append_new(ev->temps, num) < 0)
            return NULL;
        return num;
    default:
        return NULL;
    }
}

static int
compare(enum ddb_cmp op, const json_t *a, const json_t *b)
{
    int c;

    if (op == DDB_EQ)
        return a && b && ddb_value_equal(a, b);
    if (op == DDB_NE)
        return !(a && b && ddb_value_equal(a, b));
    if (!a || !b || ddb_value_cmp(a, b, &c) < 0)
        return 0;
    switch (op) {
    case DDB_LT:
        return c < 0;
    case DDB_LE:
        return c <= 0;
    case DDB_GT:
        return c > 0;
    case DDB_GE:
        return c >= 0;
    default:
        return 0;
    }
}

static int
begins_with(const json_t *a, const json_t *b)
{
    enum ddb_type t = ddb_type_of(a);
    unsigned char *x, *y;
    long long xn, yn;
    int r;

    if (!a || !b || t != ddb_type_of(b))
        return 0;
    if (t == DDB_S) {
        const json_t *pa = ddb_value_payload(a), *pb = ddb_value_payload(b);
        size_t an = json_string_length(pa), bn = json_string_length(pb);

        return bn <= an && memcmp(json_string_value(pa), json_string_value(pb), bn) == 0;
    }
    if (t != DDB_B)
        return 0;
    xn = av_bytes(a, &x);
    yn = av_bytes(b, &y);
    r = xn >= 0 && yn >= 0 && yn <= xn && (yn == 0 || memcmp(x, y, (size_t)yn) == 0);
    free(x);
    free(y);
    return r;
}

/* contains(a, b): a substring of a string or binary, a member of a set, an element of a
 * list; false for anything else. */
static int
contains(const json_t *a, const json_t *b)
{
    enum ddb_type t = ddb_type_of(a);
    const json_t *e;
    size_t i;

    if (!a || !b)
        return 0;
    switch (t) {
    case DDB_S: {
        const json_t *pa = ddb_value_payload(a), *pb = ddb_value_payload(b);

        if (ddb_type_of(b) != DDB_S)
            return 0;
        return contains_bytes((const unsigned char *)json_string_value(pa), json_string_length(pa),
                              (const unsigned char *)json_string_value(pb), json_string_length(pb));
    }
    case DDB_B: {
        unsigned char *x, *y;
        long long xn, yn;
        int r;

        if (ddb_type_of(b) != DDB_B)
            return 0;
        xn = av_bytes(a, &x);
        yn = av_bytes(b, &y);
        r = xn >= 0 && yn >= 0 && contains_bytes(x, (size_t)xn, y, (size_t)yn);
        free(x);
        free(y);
        return r;
    }
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        return set_has(a, b);
    case DDB_L:
        json_array_foreach(ddb_value_payload(a), i, e)
        {
            if (ddb_value_equal(e, b))
                return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* attribute_type's type must name a type; DynamoDB refuses anything else whatever the item
 * (the parser normally catches it with the expression's own name; this is the fallback). */
static int
attribute_type(struct eval *ev, const struct ddb_node *n)
{
    const json_t *v = operand(ev, n->args[0]), *t = operand(ev, n->args[1]);
    enum ddb_type want = DDB_BAD;

    if (t && ddb_type_of(t) == DDB_S)
        want = ddb_type_from_name(json_string_value(ddb_value_payload(t)));
    if (want == DDB_BAD) {
        if (!t || ddb_type_of(t) != DDB_S)
            return ddb_expr_eval_fail(ev->ctx,
                        "Invalid ConditionExpression: Incorrect operand type for operator "
                        "or function; operator or function: attribute_type, operand type: %s",
                        t ? ddb_type_name(ddb_type_of(t)) : "NULL");
        return ddb_expr_eval_fail(ev->ctx,
                    "Invalid ConditionExpression: Invalid attribute type name found; "
                    "type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                    json_string_value(ddb_value_payload(t)));
    }
    return v && ddb_type_of(v) == want;
}


static int
function(struct eval *ev, const struct ddb_node *n)
{
    switch (n->fn) {
    case DDB_F_ATTRIBUTE_EXISTS:
    case DDB_F_ATTRIBUTE_NOT_EXISTS:
        if (n->n_args != 1 || n->args[0]->type != DDB_N_PATH)
            return ddb_expr_eval_fail(ev->ctx,
                        "Invalid ConditionExpression: Operator or function requires a "
                        "document path; operator or function: %s",
                        ddb_expr_func_names[n->fn]);
        return (ddb_path_get(ev->item, &n->args[0]->path) != NULL) ==
               (n->fn == DDB_F_ATTRIBUTE_EXISTS);
    case DDB_F_ATTRIBUTE_TYPE:
        if (n->n_args != 2)
            break;
        return attribute_type(ev, n);
    case DDB_F_BEGINS_WITH:
        if (n->n_args != 2)
            break;
        for (unsigned i = 0; i < 2; i++) {
            enum ddb_type t =
                n->args[i]->type == DDB_N_VALUE ? ddb_type_of(n->args[i]->value) : DDB_S;

            if (t != DDB_S && t != DDB_B)
                return ddb_expr_eval_fail(ev->ctx,
                            "Invalid ConditionExpression: Incorrect operand type for "
                            "operator or function; operator or function: begins_with, operand "
                            "type: %s",
                            ddb_type_name(t));
        }
        return begins_with(operand(ev, n->args[0]), operand(ev, n->args[1]));
    case DDB_F_CONTAINS:
        if (n->n_args != 2)
            break;
        return contains(operand(ev, n->args[0]), operand(ev, n->args[1]));
    default:
        break;
    }
    return ddb_expr_eval_fail(ev->ctx,
                              "Invalid ConditionExpression: The function is not allowed to be used "
                              "this way in an expression; function: %s",
                              (unsigned)n->fn <
                                      sizeof(ddb_expr_func_names) / sizeof(ddb_expr_func_names[0])
                                  ? ddb_expr_func_names[n->fn]
                                  : "?");
}

/* BETWEEN's bounds, when both are written in the request, must be of one type and in order
 * whatever the item (the parser leaves this to evaluation). */
static int
between_bounds(struct ddb_expr_ctx *ctx, const char *param, const struct ddb_node *lo,
               const struct ddb_node *hi)
{
    char a[96], b[96];
    int c;

    if (lo->type != DDB_N_VALUE || hi->type != DDB_N_VALUE)
        return 0;
    if (ddb_type_of(lo->value) != ddb_type_of(hi->value))
        return ddb_expr_eval_fail(ctx,
                    "Invalid %s: The BETWEEN operator requires same data type for lower and "
                    "upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: "
                    "AttributeValue: %s",
                    param, show_value(lo->value, a, sizeof(a)),
                    show_value(hi->value, b, sizeof(b)));
    if (ddb_value_cmp(lo->value, hi->value, &c) == 0 && c > 0)
        return ddb_expr_eval_fail(ctx,
                    "Invalid %s: The BETWEEN operator requires upper bound to be greater than "
                    "or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound "
                    "operand: AttributeValue: %s",
                    param, show_value(lo->value, a, sizeof(a)),
                    show_value(hi->value, b, sizeof(b)));
    return 0;
}

static int
cond(struct eval *ev, const struct ddb_node *n)
{
    const json_t *a, *b;
    int r, lo, hi;

    switch (n->type) {
    case DDB_N_AND: /* of any number of conditions: none is true (an empty Expected) */
        for (unsigned i = 0; i < n->n_args; i++)
            if ((r = cond(ev, n->args[i])) != 1)
                return r;
        return 1;
    case DDB_N_OR:
        for (unsigned i = 0; i < n->n_args; i++)
            if ((r = cond(ev, n->args[i])) != 0)
                return r;
        return 0;
    case DDB_N_NOT:
        r = cond(ev, n->args[0]);
        return r < 0 ? r : !r;
    case DDB_N_CMP:
        return compare(n->cmp, operand(ev, n->args[0]), operand(ev, n->args[1]));
    case DDB_N_BETWEEN:
        if (between_bounds(ev->ctx, "ConditionExpression", n->args[1], n->args[2]) < 0)
            return -1;
        a = operand(ev, n->args[0]);
        b = operand(ev, n->args[1]);
        if (!a || !b || ddb_value_cmp(a, b, &lo) < 0)
            return 0;
        b = operand(ev, n->args[2]);
        if (!b || ddb_value_cmp(a, b, &hi) < 0)
            return 0;
        return lo >= 0 && hi <= 0;
    case DDB_N_IN:
        a = operand(ev, n->args[0]);
        if (!a)
            return 0;
        for (unsigned i = 1; i < n->n_args; i++) {
            b = operand(ev, n->args[i]);
            if (b && ddb_value_equal(a, b))
                return 1;
        }
        return 0;
    case DDB_N_FUNC:
        return function(ev, n);
    default:
        return ddb_expr_eval_fail(ev->ctx,
                                  "Invalid ConditionExpression: The expression is not a condition");
    }
}

int
ddb_expr_eval(struct ddb_expr_ctx *ctx, const struct ddb_node *c, const json_t *item)
{
    struct eval ev = {.ctx = ctx, .item = item};
    int r;

    r = cond(&ev, c);
    json_decref(ev.temps);
    return r;
}

/* ---- key conditions -------------------------------------------------------------------------- */

/* The parser reports a key condition's shape first, in these words (AWS puts no parameter
 * prefix on them); they are repeated here for trees from elsewhere. Operand type errors do
 * carry the prefix. */
#define KC_PREFIX "Invalid KeyConditionExpression: "

/* More conditions than this cannot name distinct key attributes anyway. */
#define KEY_PARTS_MAX 8

/* One condition of a key condition: its attribute, operator and values. */
struct key_part {
    const char *name;
    enum ddb_sk_op op;
    const json_t *v1, *v2;
};

/* Collect the conditions joined by AND; -1 for anything a key condition cannot hold. */
static int
key_parts(struct ddb_expr_ctx *ctx, const struct ddb_node *n, struct key_part *parts, unsigned *np)
{
    static const enum ddb_sk_op by_cmp[] = {
        [DDB_EQ] = DDB_SK_EQ, [DDB_LT] = DDB_SK_LT, [DDB_LE] = DDB_SK_LE,
        [DDB_GT] = DDB_SK_GT, [DDB_GE] = DDB_SK_GE,
    };
    /* the same comparison with its operands swapped (":v < sk" is "sk > :v") */
    static const enum ddb_cmp mirror[] = {
        [DDB_EQ] = DDB_EQ, [DDB_NE] = DDB_NE, [DDB_LT] = DDB_GT,
        [DDB_LE] = DDB_GE, [DDB_GT] = DDB_LT, [DDB_GE] = DDB_LE,
    };
    const struct ddb_node *path = NULL;
    struct key_part kp = {0};
    enum ddb_cmp cmp;

    switch (n->type) {
    case DDB_N_AND:
        for (unsigned i = 0; i < n->n_args; i++)
            if (key_parts(ctx, n->args[i], parts, np) < 0)
                return -1;
        return 0;
    case DDB_N_CMP:
        cmp = n->cmp;
        if (cmp == DDB_NE)
            return ddb_expr_eval_fail(ctx, "Invalid operator used in KeyConditionExpression: <>");
        if (n->args[0]->type == DDB_N_PATH && n->args[1]->type == DDB_N_VALUE) {
            path = n->args[0];
            kp.v1 = n->args[1]->value;
        } else if (n->args[1]->type == DDB_N_PATH && n->args[0]->type == DDB_N_VALUE) {
            path = n->args[1];
            kp.v1 = n->args[0]->value;
            cmp = mirror[cmp];
        }
        kp.op = by_cmp[cmp];
        break;
    case DDB_N_BETWEEN:
        if (n->args[0]->type == DDB_N_PATH && n->args[1]->type == DDB_N_VALUE &&
            n->args[2]->type == DDB_N_VALUE) {
            path = n->args[0];
            kp.v1 = n->args[1]->value;
            kp.v2 = n->args[2]->value;
        }
        kp.op = DDB_SK_BETWEEN;
        break;
    case DDB_N_FUNC:
        if (n->fn != DDB_F_BEGINS_WITH)
            return ddb_expr_eval_fail(ctx, "Invalid operator used in KeyConditionExpression: %s",
                                      (unsigned)n->fn < sizeof(ddb_expr_func_names) /
                                                            sizeof(ddb_expr_func_names[0])
                                          ? ddb_expr_func_names[n->fn]
                                          : "?");
        if (n->n_args == 2 && n->args[0]->type == DDB_N_PATH && n->args[1]->type == DDB_N_VALUE) {
            path = n->args[0];
            kp.v1 = n->args[1]->value;
        }
        kp.op = DDB_SK_BEGINS_WITH;
        break;
    case DDB_N_OR:
        return ddb_expr_eval_fail(ctx, "Invalid operator used in KeyConditionExpression: OR");
    case DDB_N_NOT:
        return ddb_expr_eval_fail(ctx, "Invalid operator used in KeyConditionExpression: NOT");
    case DDB_N_IN:
        return ddb_expr_eval_fail(ctx, "Invalid operator used in KeyConditionExpression: IN");
    default:
        return ddb_expr_eval_fail(ctx, "Invalid condition in KeyConditionExpression");
    }
    if (!path)
        return ddb_expr_eval_fail(ctx, "Invalid condition in KeyConditionExpression");
    if (path->path.n != 1 || !path->path.e[0].name)
        return ddb_expr_eval_fail(ctx, "KeyConditionExpressions cannot have conditions on nested "
                         "attributes");
    if (*np == KEY_PARTS_MAX)
        return ddb_expr_eval_fail(
            ctx, "KeyConditionExpressions must only contain one condition per key");
    kp.name = path->path.e[0].name;
    parts[(*np)++] = kp;
    return 0;
}

/* A key value must have the key's type (and a string key cannot be empty). */
static int
check_key_value(struct ddb_expr_ctx *ctx, const char *name, const char *type, const json_t *v)
{
    const json_t *p = ddb_value_payload(v);

    if (strcmp(ddb_type_name(ddb_type_of(v)), type) != 0)
        return ddb_expr_eval_fail(
            ctx, "One or more parameter values were invalid: Condition parameter type "
                 "does not match schema type");
    if (ddb_type_of(v) == DDB_S && json_string_length(p) == 0)
        return ddb_expr_eval_fail(ctx,
                    "One or more parameter values are not valid. The AttributeValue for a "
                    "key attribute cannot contain an empty string value. Key: %s",
                    name);
    return 0;
}

int
ddb_expr_key_condition(struct ddb_expr_ctx *ctx, const struct ddb_node *c, const char *hash_key,
                       const char *hash_type, const char *range_key, const char *range_type,
                       struct ddb_key_cond *out)
{
    struct key_part parts[KEY_PARTS_MAX];
    const struct key_part *hash = NULL, *range = NULL, *other = NULL;
    unsigned n = 0;

    memset(out, 0, sizeof(*out));
    if (key_parts(ctx, c, parts, &n) < 0)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        const struct key_part *kp = &parts[i];
        const struct key_part **slot;

        if (strcmp(kp->name, hash_key) == 0)
            slot = &hash;
        else if (range_key && strcmp(kp->name, range_key) == 0)
            slot = &range;
        else
            slot = &other;
        if (*slot && slot != &other)
            return ddb_expr_eval_fail(
                ctx, "KeyConditionExpressions must only contain one condition per key");
        *slot = kp;
    }
    if (!hash)
        return ddb_expr_eval_fail(ctx, "Query condition missed key schema element: %s", hash_key);
    if (hash->op != DDB_SK_EQ)
        return ddb_expr_eval_fail(ctx, "Query key condition not supported");
    if (other)
        return range_key ? ddb_expr_eval_fail(ctx, "Query condition missed key schema element: %s",
                                              range_key)
                         : ddb_expr_eval_fail(ctx, "Query key condition not supported");
    if (check_key_value(ctx, hash_key, hash_type, hash->v1) < 0)
        return -1;
    out->pk = hash->v1;
    out->sk_op = DDB_SK_NONE;
    if (!range)
        return 0;
    if (range->op == DDB_SK_BEGINS_WITH) {
        enum ddb_type t = ddb_type_of(range->v1);

        if (t != DDB_S && t != DDB_B)
            return ddb_expr_eval_fail(ctx,
                        KC_PREFIX "Incorrect operand type for operator or function; operator "
                                  "or function: begins_with, operand type: %s",
                        ddb_type_name(t));
    }
    if (check_key_value(ctx, range_key, range_type, range->v1) < 0 ||
        (range->v2 && check_key_value(ctx, range_key, range_type, range->v2) < 0))
        return -1;
    if (range->op == DDB_SK_BETWEEN) {
        struct ddb_node lo = {.type = DDB_N_VALUE, .value = range->v1};
        struct ddb_node hi = {.type = DDB_N_VALUE, .value = range->v2};

        if (between_bounds(ctx, "KeyConditionExpression", &lo, &hi) < 0)
            return -1;
    }
    out->sk_op = range->op;
    out->sk1 = range->v1;
    out->sk2 = range->v2;
    return 0;
}
