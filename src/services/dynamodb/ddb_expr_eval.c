/* ddb_expr_eval.c: the evaluation half of ddb_expr.h: conditions and filters against an item,
 * update expressions applied to an item, projections, and the reduction of a key condition to
 * what a Query needs.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_value.h"

#define MSG_PATH_INVALID "The document path provided in the update expression is invalid for update"
#define MSG_OPERAND_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_NO_ATTRIBUTE                                                                           \
    "The provided expression refers to an attribute that does not exist in the item"
#define MSG_LEGACY_TYPE "Type mismatch for attribute to update"

static int fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return -1;
}

/* The member of an attribute value (its payload), writable: for values of our own copies. */
static json_t *
payload_mut(json_t *av)
{
    return json_object_iter_value(json_object_iter(av));
}

/* ---- paths ----------------------------------------------------------------------------------- */

static const json_t *
path_child(const json_t *av, const struct ddb_path_elem *e)
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
        v = path_child(v, &path->e[i]);
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
static char *
elem_key(enum ddb_type set, const json_t *elem, size_t *len)
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
        char *x = elem_key(st, a, &xn), *y = elem_key(st, b, &yn);
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
            return fail(ev->ctx,
                        "Invalid ConditionExpression: Incorrect operand type for operator "
                        "or function; operator or function: attribute_type, operand type: %s",
                        t ? ddb_type_name(ddb_type_of(t)) : "NULL");
        return fail(ev->ctx,
                    "Invalid ConditionExpression: Invalid attribute type name found; "
                    "type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                    json_string_value(ddb_value_payload(t)));
    }
    return v && ddb_type_of(v) == want;
}

static const char *const func_names[] = {
    [DDB_F_ATTRIBUTE_EXISTS] = "attribute_exists",
    [DDB_F_ATTRIBUTE_NOT_EXISTS] = "attribute_not_exists",
    [DDB_F_ATTRIBUTE_TYPE] = "attribute_type",
    [DDB_F_BEGINS_WITH] = "begins_with",
    [DDB_F_CONTAINS] = "contains",
    [DDB_F_SIZE] = "size",
    [DDB_F_IF_NOT_EXISTS] = "if_not_exists",
    [DDB_F_LIST_APPEND] = "list_append",
};

static int
function(struct eval *ev, const struct ddb_node *n)
{
    switch (n->fn) {
    case DDB_F_ATTRIBUTE_EXISTS:
    case DDB_F_ATTRIBUTE_NOT_EXISTS:
        if (n->n_args != 1 || n->args[0]->type != DDB_N_PATH)
            return fail(ev->ctx,
                        "Invalid ConditionExpression: Operator or function requires a "
                        "document path; operator or function: %s",
                        func_names[n->fn]);
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
                return fail(ev->ctx,
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
    return fail(ev->ctx,
                "Invalid ConditionExpression: The function is not allowed to be used "
                "this way in an expression; function: %s",
                (unsigned)n->fn < sizeof(func_names) / sizeof(func_names[0]) ? func_names[n->fn]
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
        return fail(ctx,
                    "Invalid %s: The BETWEEN operator requires same data type for lower and "
                    "upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: "
                    "AttributeValue: %s",
                    param, show_value(lo->value, a, sizeof(a)),
                    show_value(hi->value, b, sizeof(b)));
    if (ddb_value_cmp(lo->value, hi->value, &c) == 0 && c > 0)
        return fail(ctx,
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
        return fail(ev->ctx, "Invalid ConditionExpression: The expression is not a condition");
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
                return fail(ctx, "Invalid UpdateExpression: Operator or function requires a "
                                 "document path; operator or function: if_not_exists");
            return check_set_operand(ctx, n->args[1]);
        }
        if (n->fn == DDB_F_LIST_APPEND && n->n_args == 2) {
            op = "list_append";
            want = DDB_L;
            break;
        }
        return fail(ctx,
                    "Invalid UpdateExpression: The function is not allowed to be used this "
                    "way in an expression; function: %s",
                    (unsigned)n->fn < sizeof(func_names) / sizeof(func_names[0]) ? func_names[n->fn]
                                                                                 : "?");
    default:
        return fail(ctx, "Invalid UpdateExpression: The expression is not a value");
    }
    for (unsigned i = 0; i < 2; i++) {
        const struct ddb_node *a = n->args[i];

        if (a->type == DDB_N_VALUE && ddb_type_of(a->value) != want)
            return fail(ctx,
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
        return fail(ctx,
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
        return fail(ctx, MSG_PATH_INVALID);
    switch (a->op) {
    case DDB_UPD_SET:
        if (!a->value || check_set_operand(ctx, a->value) < 0)
            return a->value ? -1 : fail(ctx, "Invalid UpdateExpression: SET needs a value");
        break;
    case DDB_UPD_REMOVE:
        break;
    case DDB_UPD_ADD:
        if (!a->value || a->value->type != DDB_N_VALUE)
            return fail(ctx, "Invalid UpdateExpression: Syntax error; ADD needs a value");
        t = ddb_type_of(a->value->value);
        if (legacy && t != DDB_N && t != DDB_L && !is_set(t))
            return fail(ctx,
                        "One or more parameter values were invalid: ADD action is not "
                        "supported for the type %s",
                        ddb_type_name(t));
        if (!legacy && t != DDB_N && !is_set(t))
            return fail(ctx,
                        "Invalid UpdateExpression: Incorrect operand type for operator or "
                        "function; operator: ADD, operand type: %s, typeSet: "
                        "ALLOWED_FOR_ADD_OPERAND",
                        long_type_name(t));
        break;
    case DDB_UPD_DELETE:
        if (!a->value)
            break; /* AttributeUpdates' DELETE without a value: remove the attribute */
        if (a->value->type != DDB_N_VALUE)
            return fail(ctx, "Invalid UpdateExpression: Syntax error; DELETE needs a value");
        t = ddb_type_of(a->value->value);
        if (legacy && !is_set(t))
            return fail(ctx,
                        "One or more parameter values were invalid: DELETE action with value "
                        "is not supported for the type %s",
                        ddb_type_name(t));
        if (!legacy && !is_set(t))
            return fail(ctx,
                        "Invalid UpdateExpression: Incorrect operand type for operator or "
                        "function; operator: DELETE, operand type: %s, typeSet: "
                        "ALLOWED_FOR_DELETE_OPERAND",
                        long_type_name(t));
        break;
    }
    if (is_key(first, hash_key, range_key)) {
        if (a->path.n > 1)
            return fail(ctx,
                        "Key attributes must be scalars; list random access '[]' and map "
                        "lookup '.' are not allowed: Key: %s",
                        first);
        return fail(ctx,
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
        return fail(ctx, "%s", ddb_num_errmsg(DDB_NUM_INVALID));
    e = subtract ? ddb_num_sub(&x, &y, &r) : ddb_num_add(&x, &y, &r);
    if (e != DDB_NUM_OK)
        return fail(ctx, "%s", ddb_num_errmsg(e));
    *out = ddb_value_from_num(&r);
    return *out ? 0 : fail(ctx, "out of memory");
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
            fail(ctx, MSG_NO_ATTRIBUTE);
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
            fail(ctx, MSG_OPERAND_TYPE);
            return NULL;
        }
        y = set_value(ctx, n->args[1], item);
        if (y && ddb_type_of(y) != DDB_N)
            fail(ctx, MSG_OPERAND_TYPE);
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
            fail(ctx, MSG_OPERAND_TYPE);
            return NULL;
        }
        y = set_value(ctx, n->args[1], item);
        if (y && ddb_type_of(y) != DDB_L)
            fail(ctx, MSG_OPERAND_TYPE);
        else if (y && !(r = list_concat(x, y)))
            fail(ctx, "out of memory");
        json_decref(x);
        json_decref(y);
        return r;
    default:
        fail(ctx, "Invalid UpdateExpression: The expression is not a value");
        return NULL;
    }
    r = json_deep_copy(v);
    if (!r)
        fail(ctx, "out of memory");
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
            return fail(u->ctx, "out of memory");
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
                return fail(u->ctx, "out of memory");
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
        v = (json_t *)path_child(v, &p->e[i]);
    if (!v)
        return -1;
    t = ddb_type_of(v);
    if (last->name && t == DDB_M)
        *obj = payload_mut(v);
    else if (!last->name && t == DDB_L)
        *arr = payload_mut(v);
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
        return fail(u->ctx, "out of memory");
    if (obj)
        return json_object_set_new(obj, e->name, value) < 0 ? fail(u->ctx, "out of memory") : 0;
    if (e->index < json_array_size(arr))
        return json_array_set_new(arr, e->index, value) < 0 ? fail(u->ctx, "out of memory") : 0;
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
        return fail(u->ctx, "out of memory");
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
        k = elem_key(t, e, &n);
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
            k = elem_key(t, e, &n);
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
            k = elem_key(t, e, &n);
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
        return fail(u->ctx, "%s", is_legacy(a) ? MSG_LEGACY_TYPE : MSG_OPERAND_TYPE);
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
        return fail(u->ctx, "%s", is_legacy(a) ? MSG_LEGACY_TYPE : MSG_OPERAND_TYPE);
    r = set_combine(cur, a->value->value, false, &empty);
    if (!r)
        return empty ? target_remove(u, obj, arr, e, seq) : fail(u->ctx, "out of memory");
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
            return fail(u->ctx, MSG_PATH_INVALID);
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
        return fail(ctx, "out of memory");
    /* every SET operand reads the item before any action changes it */
    for (unsigned i = 0; i < upd->n; i++)
        if (upd->a[i].op == DDB_UPD_SET && !(vals[i] = set_value(ctx, upd->a[i].value, item)))
            goto out;
    /* the actions change a copy, so that a failure leaves the item as it was */
    u.work = json_deep_copy(item);
    u.removed = json_object();
    if (!u.work || !u.removed) {
        fail(ctx, "out of memory");
        goto out;
    }
    if (apply_actions(&u, upd, vals) < 0)
        goto out;
    json_object_clear(item);
    if (json_object_update(item, u.work) < 0) {
        fail(ctx, "out of memory");
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
        container = payload_mut(next);
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
    json_t *p = payload_mut(av), *v, *arr;
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
        goto fail;
    json_object_foreach(p, k, v)
    {
        keys[n++] = k;
    }
    qsort(keys, n, sizeof(*keys), sparse_key_cmp);
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(p, keys[i]);
        if (project_finish(v) < 0 || json_array_append(arr, v) < 0)
            goto fail;
    }
    free(keys);
    return json_object_set_new(av, "L", arr);
fail:
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
            goto fail;
    }
    json_object_foreach(out, k, v)
    {
        if (project_finish(v) < 0)
            goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
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
            return fail(ctx, "Invalid operator used in KeyConditionExpression: <>");
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
            return fail(ctx, "Invalid operator used in KeyConditionExpression: %s",
                        (unsigned)n->fn < sizeof(func_names) / sizeof(func_names[0])
                            ? func_names[n->fn]
                            : "?");
        if (n->n_args == 2 && n->args[0]->type == DDB_N_PATH && n->args[1]->type == DDB_N_VALUE) {
            path = n->args[0];
            kp.v1 = n->args[1]->value;
        }
        kp.op = DDB_SK_BEGINS_WITH;
        break;
    case DDB_N_OR:
        return fail(ctx, "Invalid operator used in KeyConditionExpression: OR");
    case DDB_N_NOT:
        return fail(ctx, "Invalid operator used in KeyConditionExpression: NOT");
    case DDB_N_IN:
        return fail(ctx, "Invalid operator used in KeyConditionExpression: IN");
    default:
        return fail(ctx, "Invalid condition in KeyConditionExpression");
    }
    if (!path)
        return fail(ctx, "Invalid condition in KeyConditionExpression");
    if (path->path.n != 1 || !path->path.e[0].name)
        return fail(ctx, "KeyConditionExpressions cannot have conditions on nested "
                         "attributes");
    if (*np == KEY_PARTS_MAX)
        return fail(ctx, "KeyConditionExpressions must only contain one condition per key");
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
        return fail(ctx, "One or more parameter values were invalid: Condition parameter type "
                         "does not match schema type");
    if (ddb_type_of(v) == DDB_S && json_string_length(p) == 0)
        return fail(ctx,
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
            return fail(ctx, "KeyConditionExpressions must only contain one condition per key");
        *slot = kp;
    }
    if (!hash)
        return fail(ctx, "Query condition missed key schema element: %s", hash_key);
    if (hash->op != DDB_SK_EQ)
        return fail(ctx, "Query key condition not supported");
    if (other)
        return range_key ? fail(ctx, "Query condition missed key schema element: %s", range_key)
                         : fail(ctx, "Query key condition not supported");
    if (check_key_value(ctx, hash_key, hash_type, hash->v1) < 0)
        return -1;
    out->pk = hash->v1;
    out->sk_op = DDB_SK_NONE;
    if (!range)
        return 0;
    if (range->op == DDB_SK_BEGINS_WITH) {
        enum ddb_type t = ddb_type_of(range->v1);

        if (t != DDB_S && t != DDB_B)
            return fail(ctx,
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
