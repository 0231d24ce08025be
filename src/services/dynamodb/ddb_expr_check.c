/* ddb_expr_check.c: the semantic passes over a parsed expression, in DynamoDB's order: the walk
 * over names, list indexes and functions; the node-by-node checks (operand counts and types,
 * distinct operands, each operator's own rules, the operator limit); the shapes a key
 * condition may take; ADD and DELETE operand types. Separate from the grammar in
 * ddb_expr_parse.c, which runs these passes once the syntax is known to be good. */
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

static const unsigned func_arity[] = {
    [DDB_F_ATTRIBUTE_EXISTS] = 1, [DDB_F_ATTRIBUTE_NOT_EXISTS] = 1, [DDB_F_ATTRIBUTE_TYPE] = 2,
    [DDB_F_BEGINS_WITH] = 2,      [DDB_F_CONTAINS] = 2,             [DDB_F_SIZE] = 1,
    [DDB_F_IF_NOT_EXISTS] = 2,    [DDB_F_LIST_APPEND] = 2,
};

static const char *const cmp_names[] = {
    [DDB_EQ] = "=", [DDB_NE] = "<>", [DDB_LT] = "<",
    [DDB_LE] = "<=", [DDB_GT] = ">", [DDB_GE] = ">=",
};

/* ---- the passes ----------------------------------------------------------------------------- */

/* The names, list indexes and functions of a path or operand tree, in the order written, as
 * DynamoDB checks them while it walks the parsed expression: a bare name may not be a
 * reserved word; a list index must fit a Java int; a function must exist, belong to this kind
 * of expression (condition functions and size() in conditions, if_not_exists() and
 * list_append() in updates) and stand where it may. nesting counts the comparisons, BETWEEN,
 * IN, functions and arithmetic around x: in a condition only size() goes inside one and only
 * the others stand outside; in an update only if_not_exists() nests. */
static bool
check_path_words(struct parser *p, const struct pnode *x)
{
    for (unsigned i = 0; i < x->n.path.n; i++) {
        const struct ddb_tok *t = &p->t[x->etok[i]];

        if (t->type == TK_NAME && ddb_reserved_word(p->text + t->off, t->len)) {
            ddb_expr_fail(p, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                          (int)t->len, p->text + t->off);
            return false;
        }
        if (x->bad_index == x->etok[i] + 1) {
            ddb_expr_fail(p, "List index is not within the allowable range; index: [%.*s]",
                          (int)t->len, p->text + t->off);
            return false;
        }
    }
    return true;
}

bool
ddb_expr_check_walk(struct parser *p, const struct pnode *x, unsigned nesting)
{
    bool update = p->kind == DDB_EXPR_UPDATE;

    switch (x->n.type) {
    case DDB_N_PATH:
        return check_path_words(p, x);
    case DDB_N_VALUE:
        return true;
    case DDB_N_AND:
    case DDB_N_OR:
    case DDB_N_NOT:
        break;
    case DDB_N_FUNC: {
        enum ddb_func f = x->n.fn;
        const struct ddb_tok *t = &p->t[x->tok];

        if (!x->known) {
            ddb_expr_fail(p, "Invalid function name; function: %.*s", (int)t->len,
                          p->text + t->off);
            return false;
        }
        if (update && f != DDB_F_IF_NOT_EXISTS && f != DDB_F_LIST_APPEND) {
            ddb_expr_fail(p, "The function is not allowed in an update expression; function: %s",
                 ddb_expr_func_names[f]);
            return false;
        }
        if (!update && (f == DDB_F_IF_NOT_EXISTS || f == DDB_F_LIST_APPEND)) {
            ddb_expr_fail(p, "The function is not allowed in a condition expression; function: %s",
                 ddb_expr_func_names[f]);
            return false;
        }
        if (update ? nesting > 0 && f != DDB_F_IF_NOT_EXISTS
                   : (nesting == 0) == (f == DDB_F_SIZE)) {
            ddb_expr_fail(p, "The function is not allowed to be used this way in an expression; "
                    "function: %s", ddb_expr_func_names[f]);
            return false;
        }
        nesting++;
        break;
    }
    default:
        nesting++;
        break;
    }
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (!ddb_expr_check_walk(p, ddb_expr_arg(x, i), nesting))
            return false;
    return true;
}

/* What a document path may stand for, as DynamoDB spells the set in messages. */
#define ANY_TYPE "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"

/* The types x can have, as DynamoDB names them in "operand type: ..." (one type bare). */
static const char *
operand_types(const struct pnode *x)
{
    switch (x->n.type) {
    case DDB_N_VALUE: {
        void *it = json_object_iter((json_t *)x->n.value);

        return it ? json_object_iter_key(it) : ANY_TYPE;
    }
    case DDB_N_FUNC:
        if (x->n.fn == DDB_F_SIZE)
            return "N";
        if (x->n.fn == DDB_F_LIST_APPEND)
            return "L";
        return ANY_TYPE;
    case DDB_N_PLUS:
    case DDB_N_MINUS:
        return "N";
    default:
        return ANY_TYPE;
    }
}

static bool
type_in(const char *type, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(type, *allowed) == 0)
            return true;
    return false;
}

/* The operator's name in messages. */
static const char *
op_name(const struct pnode *x)
{
    switch (x->n.type) {
    case DDB_N_CMP: return cmp_names[x->n.cmp];
    case DDB_N_BETWEEN: return "BETWEEN";
    case DDB_N_IN: return "IN";
    case DDB_N_FUNC: return ddb_expr_func_names[x->n.fn];
    case DDB_N_PLUS: return "+";
    case DDB_N_MINUS: return "-";
    default: return "";
    }
}

/* Every operand's possible types must meet the operator's: <, <=, >, >= and BETWEEN order
 * strings, numbers and binaries; begins_with() takes strings and binaries, size() what has a
 * size, list_append() lists, + and - numbers. Paths can be anything and always pass. */
static bool
check_operand_types(struct parser *p, const struct pnode *x)
{
    static const char *const ordered[] = {"S", "N", "B", NULL};
    static const char *const s_or_b[] = {"S", "B", NULL};
    static const char *const sizable[] = {"S", "B", "SS", "NS", "BS", "L", "M", NULL};
    static const char *const numeric[] = {"N", NULL};
    static const char *const list[] = {"L", NULL};
    const char *const *allowed = NULL;

    switch (x->n.type) {
    case DDB_N_CMP:
        if (x->n.cmp != DDB_EQ && x->n.cmp != DDB_NE)
            allowed = ordered;
        break;
    case DDB_N_BETWEEN: allowed = ordered; break;
    case DDB_N_PLUS:
    case DDB_N_MINUS: allowed = numeric; break;
    case DDB_N_FUNC:
        if (x->n.fn == DDB_F_BEGINS_WITH)
            allowed = s_or_b;
        else if (x->n.fn == DDB_F_SIZE)
            allowed = sizable;
        else if (x->n.fn == DDB_F_LIST_APPEND)
            allowed = list;
        break;
    default:
        break;
    }
    if (!allowed)
        return true;
    for (unsigned i = 0; i < x->n.n_args; i++) {
        const char *type = operand_types(ddb_expr_arg(x, i));

        if (strcmp(type, ANY_TYPE) != 0 && !type_in(type, allowed)) {
            ddb_expr_fail(p,
                          "Incorrect operand type for operator or function; operator or function: "
                          "%s, operand type: %s",
                          op_name(x), type);
            return false;
        }
    }
    return true;
}

/* a = a, a BETWEEN a AND :x, contains(a, a), if_not_exists(a, a): no later operand may be the
 * first operand's path again (arithmetic and list_append() excepted). */
static bool
check_distinct(struct parser *p, const struct pnode *x)
{
    const struct pnode *first;

    if (x->n.type == DDB_N_PLUS || x->n.type == DDB_N_MINUS || x->n.n_args < 2 ||
        (x->n.type == DDB_N_FUNC && x->n.fn == DDB_F_LIST_APPEND))
        return true;
    first = ddb_expr_arg(x, 0);
    if (first->n.type != DDB_N_PATH)
        return true;
    for (unsigned i = 1; i < x->n.n_args; i++) {
        const struct pnode *later = ddb_expr_arg(x, i);

        if (later->n.type == DDB_N_PATH && ddb_expr_path_equal(&first->n.path, &later->n.path)) {
            ddb_expr_fail(p,
                          "The first operand must be distinct from the remaining operands for this "
                          "operator or function; operator: %s, first operand: %s",
                          op_name(x), ddb_expr_path_list(p, &first->n.path));
            return false;
        }
    }
    return true;
}

/* "{N:10}", as DynamoDB shows a value in BETWEEN's messages. */
static const char *
show_value(struct parser *p, const json_t *av)
{
    void *it = json_object_iter((json_t *)av);
    const json_t *v = it ? json_object_iter_value(it) : NULL;
    char *s = arena_printf(p->ctx->arena, "{%s:%s}", it ? json_object_iter_key(it) : "",
                           json_is_string(v) ? json_string_value(v) : "");

    return s ? s : "{}";
}

/* What each operator checks of its own operands once they are known to be well typed. */
static bool
check_operator_rules(struct parser *p, const struct pnode *x)
{
    static const char *const types[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L",
                                        "M", NULL};
    const struct pnode *a;

    switch (x->n.type) {
    case DDB_N_FUNC:
        switch (x->n.fn) {
        case DDB_F_ATTRIBUTE_EXISTS:
        case DDB_F_ATTRIBUTE_NOT_EXISTS:
        case DDB_F_IF_NOT_EXISTS:
            if (ddb_expr_arg(x, 0)->n.type == DDB_N_PATH)
                return true;
            ddb_expr_fail(p,
                          "Operator or function requires a document path; operator or function: %s",
                          ddb_expr_func_names[x->n.fn]);
            return false;
        case DDB_F_ATTRIBUTE_TYPE: {
            const json_t *name;

            a = ddb_expr_arg(x, 1);
            if (a->n.type != DDB_N_VALUE || !(name = json_object_get(a->n.value, "S"))) {
                ddb_expr_fail(p, "Incorrect operand type for operator or function; operator or "
                        "function: attribute_type, operand type: %s", operand_types(a));
                return false;
            }
            if (type_in(json_string_value(name), types))
                return true;
            ddb_expr_fail(p, "Invalid attribute type name found; type: %s, valid types: "
                    "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}", json_string_value(name));
            return false;
        }
        default:
            return true;
        }
    case DDB_N_BETWEEN: {
        const struct pnode *lo = ddb_expr_arg(x, 1), *hi = ddb_expr_arg(x, 2);
        const char *lt, *ht;
        int c;

        if (lo->n.type != DDB_N_VALUE || hi->n.type != DDB_N_VALUE)
            return true;
        lt = operand_types(lo);
        ht = operand_types(hi);
        if (strcmp(lt, ht) != 0) {
            ddb_expr_fail(
                p,
                "The BETWEEN operator requires same data type for lower and upper bounds; "
                "lower bound operand: AttributeValue: %s, upper bound operand: "
                "AttributeValue: %s",
                show_value(p, lo->n.value), show_value(p, hi->n.value));
            return false;
        }
        if (ddb_value_cmp(lo->n.value, hi->n.value, &c) == 0 && c > 0) {
            ddb_expr_fail(
                p,
                "The BETWEEN operator requires upper bound to be greater than or equal to "
                "lower bound; lower bound operand: AttributeValue: %s, upper bound operand: "
                "AttributeValue: %s",
                show_value(p, lo->n.value), show_value(p, hi->n.value));
            return false;
        }
        return true;
    }
    case DDB_N_IN:
        if (x->n.n_args - 1 <= MAX_IN_OPERANDS)
            return true;
        ddb_expr_fail(p,
                      "The IN operator is provided with too many operands; number of operands: %u",
                      x->n.n_args - 1);
        return false;
    default:
        return true;
    }
}

/* Node by node, children first, as DynamoDB validates a parsed expression: a path's depth and
 * #names, a :value's definition, then each operator's operand count, operand types, distinct
 * operands and own rules, counting operators (comparisons, BETWEEN, IN, functions, + and -;
 * not AND, OR, NOT) against the limit of 300 as it goes. Resolves #names and :values. */
bool
ddb_expr_check_node(struct parser *p, struct pnode *x)
{
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (!ddb_expr_check_node(p, ddb_expr_arg(x, i)))
            return false;
    switch (x->n.type) {
    case DDB_N_PATH:
        return ddb_expr_resolve_path(p, x);
    case DDB_N_VALUE:
        return ddb_expr_resolve_value(p, x);
    case DDB_N_AND:
    case DDB_N_OR:
    case DDB_N_NOT:
        return true;
    default:
        break;
    }
    if (x->n.type == DDB_N_FUNC && x->n.n_args != func_arity[x->n.fn]) {
        ddb_expr_fail(
            p,
            "Incorrect number of operands for operator or function; operator or function: "
            "%s, number of operands: %u",
            ddb_expr_func_names[x->n.fn], x->n.n_args);
        return false;
    }
    if (!check_operand_types(p, x) || !check_distinct(p, x) || !check_operator_rules(p, x))
        return false;
    if (++p->operators > MAX_OPERATORS) {
        ddb_expr_fail(p, "The expression contains too many operators; operator count: %u",
                      p->operators);
        return false;
    }
    return true;
}

/* ---- key conditions ------------------------------------------------------------------------- */

static unsigned
count_paths(const struct pnode *x, unsigned from)
{
    unsigned n = 0;

    for (unsigned i = from; i < x->n.n_args; i++)
        n += ddb_expr_arg(x, i)->n.type == DDB_N_PATH;
    return n;
}

static bool
nested(const struct pnode *x)
{
    return x->n.type == DDB_N_PATH && x->n.path.n > 1;
}

/* What a KeyConditionExpression may hold: key = :v, key < :v ... , key BETWEEN :a AND :b,
 * begins_with(key, :v), joined by AND; each condition on one top-level attribute. These
 * messages carry no "Invalid KeyConditionExpression:" prefix on AWS. */
bool
ddb_expr_check_key_shape(struct parser *p, const struct pnode *x)
{
    const char *bad = NULL;

    switch (x->n.type) {
    case DDB_N_AND:
        return ddb_expr_check_key_shape(p, ddb_expr_arg(x, 0)) &&
               ddb_expr_check_key_shape(p, ddb_expr_arg(x, 1));
    case DDB_N_OR: bad = "OR"; break;
    case DDB_N_NOT: bad = "NOT"; break;
    case DDB_N_IN: bad = "IN"; break;
    case DDB_N_FUNC:
        if (x->n.fn != DDB_F_BEGINS_WITH)
            bad = ddb_expr_func_names[x->n.fn];
        break;
    case DDB_N_CMP:
        if (x->n.cmp == DDB_NE)
            bad = "<>";
        break;
    default:
        break;
    }
    if (bad) {
        ddb_expr_fail_raw(p, "Invalid operator used in KeyConditionExpression: %s", bad);
        return false;
    }
    if (x->n.type == DDB_N_BETWEEN || x->n.type == DDB_N_FUNC) {
        const char *op = x->n.type == DDB_N_BETWEEN ? "BETWEEN" : "begins_with";

        if (ddb_expr_arg(x, 0)->n.type != DDB_N_PATH) {
            ddb_expr_fail_raw(
                p,
                "Invalid condition in KeyConditionExpression: %s operator must have the "
                "key attribute as its first operand",
                op);
            return false;
        }
        if (count_paths(x, 1)) {
            ddb_expr_fail_raw(
                p, "Invalid condition in KeyConditionExpression: Multiple attribute names "
                   "used in one condition");
            return false;
        }
    }
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (ddb_expr_arg(x, i)->n.type == DDB_N_FUNC) {
            ddb_expr_fail_raw(p, "KeyConditionExpressions cannot contain nested operations");
            return false;
        }
    if (x->n.type == DDB_N_CMP) {
        if (nested(ddb_expr_arg(x, 0))) {
            ddb_expr_fail_raw(
                p, "KeyConditionExpressions cannot have conditions on nested attributes");
            return false;
        }
        if (count_paths(x, 0) == 2) {
            ddb_expr_fail_raw(
                p, "Invalid condition in KeyConditionExpression: Multiple attribute names "
                   "used in one condition");
            return false;
        }
        if (count_paths(x, 0) == 0) {
            ddb_expr_fail_raw(p, "Invalid condition in KeyConditionExpression: No key attribute "
                        "specified");
            return false;
        }
    }
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (nested(ddb_expr_arg(x, i))) {
            ddb_expr_fail_raw(
                p, "KeyConditionExpressions cannot have conditions on nested attributes");
            return false;
        }
    return true;
}

/* The attribute each condition of a key condition is on; one condition per attribute, which
 * DynamoDB checks before it looks at the table's key schema. */
bool
ddb_expr_check_key_once(struct parser *p, const struct pnode *x, const char **seen, unsigned *n)
{
    const struct pnode *key = NULL;

    if (x->n.type == DDB_N_AND)
        return ddb_expr_check_key_once(p, ddb_expr_arg(x, 0), seen, n) &&
               ddb_expr_check_key_once(p, ddb_expr_arg(x, 1), seen, n);
    for (unsigned i = 0; i < x->n.n_args && !key; i++)
        if (ddb_expr_arg(x, i)->n.type == DDB_N_PATH)
            key = ddb_expr_arg(x, i);
    if (!key)
        return true;
    for (unsigned i = 0; i < *n; i++)
        if (strcmp(seen[i], key->n.path.e[0].name) == 0) {
            ddb_expr_fail_raw(p, "KeyConditionExpressions must only contain one condition per key");
            return false;
        }
    seen[(*n)++] = key->n.path.e[0].name;
    return true;
}

/* ADD takes a number or a set, DELETE a set; DynamoDB names the refused type in full. */
bool
ddb_expr_check_add_delete(struct parser *p, const struct ddb_update_action *a)
{
    static const struct { const char *code, *name; } names[] = {
        {"S", "STRING"}, {"N", "NUMBER"},   {"B", "BINARY"}, {"BOOL", "BOOLEAN"},
        {"NULL", "NULL"}, {"M", "MAP"},     {"L", "LIST"},
    };
    const char *type;

    if (a->op != DDB_UPD_ADD && a->op != DDB_UPD_DELETE)
        return true;
    type = operand_types((const struct pnode *)a->value);
    if (!strcmp(type, "SS") || !strcmp(type, "NS") || !strcmp(type, "BS") ||
        (a->op == DDB_UPD_ADD && !strcmp(type, "N")))
        return true;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(type, names[i].code)) {
            type = names[i].name;
            break;
        }
    /* AWS names the allowed-type set after the operand type */
    ddb_expr_fail(
        p,
        "Incorrect operand type for operator or function; operator: %s, operand type: %s, "
        "typeSet: ALLOWED_FOR_%s_OPERAND",
        a->op == DDB_UPD_ADD ? "ADD" : "DELETE", type, a->op == DDB_UPD_ADD ? "ADD" : "DELETE");
    return false;
}
