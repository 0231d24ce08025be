/* ddb_pq_expr.c: the expressions inside PartiQL statements, for ddb_pq_parse.c (through
 * ddb_pq_parse_int.h): document paths (a."b c"[0]), WHERE conditions (OR, AND, NOT,
 * comparisons, BETWEEN, IN, IS [NOT] MISSING / NULL, begins_with, contains, attribute_type,
 * size and parentheses) and UPDATE's SET values (paths, literals, + and -, list_append,
 * set_add, set_delete, if_not_exists). Precedence, loosest first: OR, AND, NOT, then one
 * comparison, BETWEEN, IN or IS over operands; AND and OR associate to the left. Function
 * names are matched in any case and stored lower-case; one not known where it is used fails
 * with DynamoDB's "Unrecognized function: <name>". */
#include <string.h>

#include "services/dynamodb/ddb_pq_parse_int.h"

static struct pq_expr *pq_operand(struct pq_parser *p);

/* ---- paths -------------------------------------------------------------------------------- */

/* Where the token's text ends in the statement (quoted tokens are longer than their text). */
static size_t
pq_raw_end(const struct pq_parser *p, const struct pq_token *t)
{
    size_t i;
    char q;

    if (t->type != PQ_T_QIDENT && t->type != PQ_T_STRING)
        return t->offset + t->len;
    q = p->src[t->offset];
    for (i = t->offset + 1; p->src[i]; i++) {
        if (p->src[i] == q) {
            if (p->src[i + 1] != q)
                return i + 1;
            i++;
        }
    }
    return i;
}

static int
pq_path_push(struct pq_parser *p, struct ddb_path *out, unsigned *cap, const char *name,
             unsigned index)
{
    if (out->n == *cap) {
        unsigned ncap = *cap ? 2 * *cap : 4;
        struct ddb_path_elem *more = arena_alloc(p->a, ncap * sizeof(*more));

        if (!more)
            return pq_fail(p, "out of memory");
        if (out->n)
            memcpy(more, out->e, out->n * sizeof(*more));
        out->e = more;
        *cap = ncap;
    }
    out->e[out->n].name = name;
    out->e[out->n].index = index;
    out->n++;
    return 0;
}

/* a, "a b", a.b, a."b c", a[0], a[0].b[1]: names and list indexes, and the text as written. */
int
pq_path(struct pq_parser *p, struct ddb_path *out)
{
    const struct pq_token *first = pq_peek(p), *last = first;
    unsigned cap = 0;

    memset(out, 0, sizeof(*out));
    if (first->type != PQ_T_IDENT && first->type != PQ_T_QIDENT)
        return pq_no_term(p, first);
    if (first->type == PQ_T_QIDENT && first->len == 0)
        return pq_fail(p, "Path component cannot be an empty string");
    if (pq_path_push(p, out, &cap, first->text, 0))
        return -1;
    pq_next(p);
    for (;;) {
        const struct pq_token *t = pq_peek(p);

        if (pq_is_op(t, ".")) {
            pq_next(p);
            t = pq_peek(p);
            if (t->type != PQ_T_IDENT && t->type != PQ_T_QIDENT)
                return pq_fail_at(p, t, "Invalid path dot component");
            if (t->type == PQ_T_QIDENT && t->len == 0)
                return pq_fail(p, "Path component cannot be an empty string");
            if (pq_path_push(p, out, &cap, t->text, 0))
                return -1;
            last = pq_next(p);
        } else if (pq_is_op(t, "[")) {
            unsigned long long idx = 0;

            pq_next(p);
            t = pq_peek(p);
            if (t->type != PQ_T_NUMBER || strspn(t->text, "0123456789") != t->len || t->len > 9)
                return pq_unexpected(p, t);
            for (size_t i = 0; i < t->len; i++)
                idx = idx * 10 + (unsigned)(t->text[i] - '0');
            pq_next(p);
            last = pq_peek(p);
            if (pq_expect_op(p, "]") || pq_path_push(p, out, &cap, NULL, (unsigned)idx))
                return -1;
        } else {
            break;
        }
    }
    out->text = arena_strndup(p->a, p->src + first->offset, pq_raw_end(p, last) - first->offset);
    return out->text ? 0 : pq_fail(p, "out of memory");
}

/* ---- expressions -------------------------------------------------------------------------- */

static struct pq_expr *
pq_node(struct pq_parser *p, enum pq_expr_type type, const struct pq_token *at, unsigned n_args)
{
    struct pq_expr *e = arena_calloc(p->a, sizeof(*e));

    if (!e || (n_args && !(e->args = arena_calloc(p->a, n_args * sizeof(*e->args))))) {
        pq_fail(p, "out of memory");
        return NULL;
    }
    e->type = type;
    e->n_args = n_args;
    e->line = at->line;
    e->column = at->column;
    return e;
}

/* A PQ_E_VALUE node for v (a new reference, which the statement's values take). */
static struct pq_expr *
pq_value_node(struct pq_parser *p, json_t *v, const struct pq_token *at)
{
    struct pq_expr *e;

    if (json_array_append_new(p->values, v) != 0) {
        pq_fail(p, "out of memory");
        return NULL;
    }
    e = pq_node(p, PQ_E_VALUE, at, 0);
    if (e)
        e->value = v;
    return e;
}

/* Functions by where they may appear (conditions, with size() as an operand; SET values), with
 * their number of arguments. */
static const struct pq_func_def {
    const char *name;
    bool update;
    unsigned n_args;
} pq_funcs[] = {
    {"attribute_exists", false, 1}, {"attribute_not_exists", false, 1},
    {"attribute_type", false, 2},   {"begins_with", false, 2},
    {"contains", false, 2},         {"size", false, 1},
    {"if_not_exists", true, 2},     {"list_append", true, 2},
    {"set_add", true, 2},           {"set_delete", true, 2},
};

static const struct pq_func_def *
pq_find_func(const char *name, bool update)
{
    for (size_t i = 0; i < sizeof(pq_funcs) / sizeof(pq_funcs[0]); i++)
        if (pq_funcs[i].update == update && strcmp(pq_funcs[i].name, name) == 0)
            return &pq_funcs[i];
    return NULL;
}

/* What DynamoDB checks of a call as soon as it is read, with its messages: the number of
 * arguments, and a path where attribute_exists / attribute_not_exists need one. Whether
 * set_add's arguments fit the assignment is the planner's business. */
static int
pq_check_call(struct pq_parser *p, const struct pq_func_def *f, const struct pq_token *at,
              struct pq_expr **args, unsigned n)
{
    if (n != f->n_args && strncmp(f->name, "set_", 4) == 0)
        return pq_fail(p, "SET_%s must have exactly two arguments at %u:%u:%zu",
                       f->name[4] == 'a' ? "ADD" : "DELETE", at->line, at->column, at->len);
    if (n != f->n_args)
        return pq_fail(p,
                       "Incorrect number of operands for operator or function; operator or "
                       "function: %s, number of operands: %u",
                       f->name, n);
    if (strncmp(f->name, "attribute_", 10) == 0 && f->n_args == 1 && args[0]->type != PQ_E_PATH)
        return pq_fail(p,
                       "Operator or function requires a document path; operator or "
                       "function: %s",
                       f->name);
    return 0;
}

/* name(arg, ...): the name (a bare word, reserved or not) is stored lower-case. An unknown
 * one is DynamoDB's "Unrecognized function: name at line:column:length". */
static struct pq_expr *
pq_func(struct pq_parser *p, bool update)
{
    const struct pq_token *at = pq_next(p);
    const struct pq_func_def *f;
    struct pq_expr *args[8], *e;
    unsigned n = 0;
    char *name = arena_strdup(p->a, at->text);

    if (!name) {
        pq_fail(p, "out of memory");
        return NULL;
    }
    for (char *c = name; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (!(f = pq_find_func(name, update))) {
        pq_fail(p, "Unrecognized function: %s at %u:%u:%zu", name, at->line, at->column, at->len);
        return NULL;
    }
    pq_next(p); /* ( */
    if (!pq_is_op(pq_peek(p), ")")) {
        for (;;) {
            if (n == sizeof(args) / sizeof(args[0])) {
                pq_unexpected(p, pq_peek(p));
                return NULL;
            }
            args[n] = update ? pq_set_value(p) : pq_operand(p);
            if (!args[n++])
                return NULL;
            if (!pq_is_op(pq_peek(p), ","))
                break;
            pq_next(p);
        }
    }
    if (pq_expect_op(p, ")") || pq_check_call(p, f, at, args, n))
        return NULL;
    e = pq_node(p, PQ_E_FUNC, at, n);
    if (!e)
        return NULL;
    e->fn = name;
    memcpy(e->args, args, n * sizeof(*args));
    return e;
}

static bool
pq_starts_func(struct pq_parser *p)
{
    const struct pq_token *t = pq_peek(p);

    return (t->type == PQ_T_IDENT || t->type == PQ_T_KEYWORD) && pq_is_op(pq_peek2(p), "(");
}

/* A path or a literal (the shared part of conditions' and SET's operands). */
static struct pq_expr *
pq_path_or_value(struct pq_parser *p)
{
    const struct pq_token *at = pq_peek(p);
    struct pq_expr *e;
    json_t *v;

    if (at->type == PQ_T_IDENT || at->type == PQ_T_QIDENT) {
        e = pq_node(p, PQ_E_PATH, at, 0);
        return e && pq_path(p, &e->path) == 0 ? e : NULL;
    }
    v = pq_literal_checked(p);
    return v ? pq_value_node(p, v, at) : NULL;
}

/* A condition's operand: ( condition ), a function call, a path or a literal. */
static struct pq_expr *
pq_operand(struct pq_parser *p)
{
    struct pq_expr *e;

    if (pq_is_op(pq_peek(p), "(")) {
        if (pq_enter(p))
            return NULL;
        pq_next(p);
        e = pq_or(p);
        if (!e || pq_expect_op(p, ")"))
            return NULL;
        p->depth--;
        return e;
    }
    if (pq_starts_func(p))
        return pq_func(p, false);
    return pq_path_or_value(p);
}

/* After an infix operator (AND, OR, a comparison): the statement must not end there. */
static int
pq_infix_end(struct pq_parser *p)
{
    const struct pq_token *t = pq_peek(p);

    if (t->type == PQ_T_END || pq_is_op(t, ";"))
        return pq_fail_at(p, t, "Missing right-hand side expression of infix operator");
    return 0;
}

static const struct {
    const char *op;
    enum ddb_cmp cmp;
} pq_cmps[] = {
    {"=", DDB_EQ},  {"<>", DDB_NE}, {"!=", DDB_NE}, {"<", DDB_LT},
    {"<=", DDB_LE}, {">", DDB_GT},  {">=", DDB_GE},
};

/* IN [a, b] or IN (a, b), after IN: the list's operands appended to left's node. */
static struct pq_expr *
pq_in_list(struct pq_parser *p, struct pq_expr *left, const struct pq_token *at)
{
    const struct pq_token *open = pq_peek(p);
    const char *close = pq_is_op(open, "[") ? "]" : ")";
    struct pq_expr **items = NULL, *e;
    unsigned n = 0, cap = 0;

    if (!pq_is_op(open, "[") && !pq_is_op(open, "(")) {
        pq_unexpected(p, open);
        return NULL;
    }
    pq_next(p);
    if (pq_is_op(pq_peek(p), close)) {
        pq_fail(p, "IN operator must have a left hand argument of type Variable Reference and "
                   "right hand argument of type Seq with at least one member");
        return NULL;
    }
    for (;;) {
        struct pq_expr *x = pq_operand(p);

        if (!x)
            return NULL;
        if (n == cap) {
            struct pq_expr **more;

            cap = cap ? 2 * cap : 8;
            more = arena_alloc(p->a, cap * sizeof(*more));
            if (!more) {
                pq_fail(p, "out of memory");
                return NULL;
            }
            if (n)
                memcpy(more, items, n * sizeof(*more));
            items = more;
        }
        items[n++] = x;
        if (!pq_is_op(pq_peek(p), ","))
            break;
        pq_next(p);
    }
    if (pq_expect_op(p, close))
        return NULL;
    e = pq_node(p, PQ_E_IN, at, n + 1);
    if (!e)
        return NULL;
    e->args[0] = left;
    memcpy(e->args + 1, items, n * sizeof(*items));
    return e;
}

static struct pq_expr *
pq_wrap_not(struct pq_parser *p, struct pq_expr *e, bool negate, const struct pq_token *at)
{
    struct pq_expr *n;

    if (!e || !negate)
        return e;
    n = pq_node(p, PQ_E_NOT, at, 1);
    if (n)
        n->args[0] = e;
    return n;
}

/* operand [cmp operand | [NOT] BETWEEN a AND b | [NOT] IN list | IS [NOT] MISSING/NULL] */
static struct pq_expr *
pq_predicate(struct pq_parser *p)
{
    const struct pq_token *at = pq_peek(p), *t;
    struct pq_expr *left = pq_operand(p), *e;
    bool negate = false;

    if (!left)
        return NULL;
    t = pq_peek(p);
    for (size_t i = 0; i < sizeof(pq_cmps) / sizeof(pq_cmps[0]); i++) {
        if (pq_is_op(t, pq_cmps[i].op)) {
            pq_next(p);
            if (pq_infix_end(p))
                return NULL;
            e = pq_node(p, PQ_E_CMP, at, 2);
            if (!e || !(e->args[1] = pq_operand(p)))
                return NULL;
            e->cmp = pq_cmps[i].cmp;
            e->args[0] = left;
            return e;
        }
    }
    if (pq_is_kw(t, "IS")) {
        pq_next(p);
        e = pq_node(p, PQ_E_IS, at, 1);
        if (!e)
            return NULL;
        e->args[0] = left;
        if (pq_is_kw(pq_peek(p), "NOT")) {
            pq_next(p);
            e->negated = true;
        }
        t = pq_peek(p);
        if (pq_is_kw(t, "NULL")) {
            e->is_null = true;
        } else if (!pq_is_kw(t, "MISSING")) {
            /* Only MISSING and NULL: PartiQL's other type tests (IS STRING, ...) are not
             * DynamoDB's; a word that is no type at all is "Expected type name". */
            if (t->type == PQ_T_KEYWORD || t->type == PQ_T_END || t->type == PQ_T_ERROR)
                pq_unexpected(p, t);
            else
                pq_fail_at(p, t, "Expected type name");
            return NULL;
        }
        pq_next(p);
        return e;
    }
    if (pq_is_kw(t, "NOT") && (pq_is_kw(pq_peek2(p), "IN") || pq_is_kw(pq_peek2(p), "BETWEEN"))) {
        pq_next(p);
        negate = true;
        t = pq_peek(p);
    }
    if (pq_is_kw(t, "IN")) {
        pq_next(p);
        return pq_wrap_not(p, pq_in_list(p, left, at), negate, at);
    }
    if (pq_is_kw(t, "BETWEEN")) {
        pq_next(p);
        e = pq_node(p, PQ_E_BETWEEN, at, 3);
        if (!e || !(e->args[1] = pq_operand(p)) || pq_expect_kw(p, "AND") ||
            !(e->args[2] = pq_operand(p)))
            return NULL;
        e->args[0] = left;
        return pq_wrap_not(p, e, negate, at);
    }
    return left;
}

static struct pq_expr *
pq_not(struct pq_parser *p)
{
    const struct pq_token *at = pq_peek(p);
    struct pq_expr *e;

    if (!pq_is_kw(at, "NOT"))
        return pq_predicate(p);
    if (pq_enter(p))
        return NULL;
    pq_next(p);
    e = pq_wrap_not(p, pq_not(p), true, at);
    p->depth--;
    return e;
}

/* A left-associative chain of one binary operator over sub. */
static struct pq_expr *
pq_chain(struct pq_parser *p, const char *kw, enum pq_expr_type type,
         struct pq_expr *(*sub)(struct pq_parser *))
{
    const struct pq_token *at = pq_peek(p);
    struct pq_expr *left = sub(p);

    while (left && pq_is_kw(pq_peek(p), kw)) {
        struct pq_expr *e;

        pq_next(p);
        if (pq_infix_end(p))
            return NULL;
        e = pq_node(p, type, at, 2);
        if (!e || !(e->args[1] = sub(p)))
            return NULL;
        e->args[0] = left;
        left = e;
    }
    return left;
}

static struct pq_expr *
pq_and(struct pq_parser *p)
{
    return pq_chain(p, "AND", PQ_E_AND, pq_not);
}

struct pq_expr *
pq_or(struct pq_parser *p)
{
    return pq_chain(p, "OR", PQ_E_OR, pq_and);
}

/* UPDATE's SET value: operand {(+|-) operand}, operands being paths, literals and the update
 * functions. */
static struct pq_expr *
pq_set_operand(struct pq_parser *p)
{
    struct pq_expr *e;

    if (!pq_starts_func(p))
        return pq_path_or_value(p);
    if (pq_enter(p))
        return NULL;
    e = pq_func(p, true);
    p->depth--;
    return e;
}

struct pq_expr *
pq_set_value(struct pq_parser *p)
{
    const struct pq_token *at = pq_peek(p);
    struct pq_expr *left = pq_set_operand(p);

    while (left && (pq_is_op(pq_peek(p), "+") || pq_is_op(pq_peek(p), "-"))) {
        enum pq_expr_type type = pq_is_op(pq_peek(p), "+") ? PQ_E_PLUS : PQ_E_MINUS;
        struct pq_expr *e;

        pq_next(p);
        e = pq_node(p, type, at, 2);
        if (!e || !(e->args[1] = pq_set_operand(p)))
            return NULL;
        e->args[0] = left;
        left = e;
    }
    return left;
}
