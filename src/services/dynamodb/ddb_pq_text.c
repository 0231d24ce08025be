/* ddb_pq_text.c: PartiQL trees written as DynamoDB expression text (ddb_pq.h).
 *
 * The planner hands the executor ordinary requests, so a statement's WHERE clause and SET
 * clauses become FilterExpression / ConditionExpression / UpdateExpression text. Names never
 * appear raw (a PartiQL attribute may be a DynamoDB reserved word, or hold a dot): each
 * distinct name gets a generated #n0, #n1, ... and each literal a :v0, :v1, ..., created only
 * when written, so that a request holds no unused placeholder (the operations reject those).
 * Entry points: the pieces (ddb_pq_text_path(), _value(), _condition(), _operand(),
 * _conjuncts()), the whole expressions the planner puts in a request (ddb_pq_text_guarded(),
 * _key_condition(), _projection(), _update()), and ddb_pq_condition_text() for a condition on
 * its own. */
#include "services/dynamodb/ddb_pq.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_value.h"

static int text_fail(struct pq_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
text_fail(struct pq_text *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->err, t->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int
text_put(struct pq_text *t, const char *s)
{
    if (buf_puts(t->out, s) != 0)
        return text_fail(t, "expression text too long");
    return 0;
}

/* Write name's placeholder into ph, reusing the one already given to the same name. */
static int
text_name(struct pq_text *t, const char *name, char ph[32])
{
    const char *k;
    json_t *v;

    json_object_foreach(t->names, k, v)
    {
        if (strcmp(json_string_value(v), name) == 0) {
            snprintf(ph, 32, "%s", k);
            return 0;
        }
    }
    snprintf(ph, 32, "#n%zu", json_object_size(t->names));
    return json_object_set_new(t->names, ph, json_string(name));
}

int
ddb_pq_text_path(struct pq_text *t, const struct ddb_path *p)
{
    char idx[24];

    for (unsigned i = 0; i < p->n; i++) {
        if (p->e[i].name) {
            char ph[32];
            if (text_name(t, p->e[i].name, ph) != 0)
                return text_fail(t, "out of memory");
            if ((i && text_put(t, ".")) || text_put(t, ph))
                return -1;
        } else {
            snprintf(idx, sizeof(idx), "[%u]", p->e[i].index);
            if (text_put(t, idx))
                return -1;
        }
    }
    return 0;
}

/* A value's placeholder: the same json_t (one literal of the statement, written once as
 * filter and again as key condition) keeps its placeholder. */
int
ddb_pq_text_value(struct pq_text *t, json_t *v)
{
    const char *k;
    json_t *have;
    char key[32];

    json_object_foreach(t->values, k, have)
    {
        if (have == v)
            return text_put(t, k);
    }
    snprintf(key, sizeof(key), ":v%zu", json_object_size(t->values));
    if (json_object_set(t->values, key, v) != 0)
        return text_fail(t, "out of memory");
    return text_put(t, key);
}

static const char *const text_cmp[] = {"=", "<>", "<", "<=", ">", ">="};

/* The functions DynamoDB's condition expressions know; the expression parser judges where
 * each may be used once the executor runs the request. */
static const char *const text_cond_fns[] = {
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
};

static bool
text_known_fn(const char *fn, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fn, list[i]) == 0)
            return true;
    }
    return false;
}

static int text_cond(struct pq_text *t, const struct pq_expr *e);

/* fn(args), each argument written as a condition operand. */
static int
text_call(struct pq_text *t, const struct pq_expr *e,
          int (*arg)(struct pq_text *, const struct pq_expr *))
{
    if (text_put(t, e->fn) || text_put(t, "("))
        return -1;
    for (unsigned i = 0; i < e->n_args; i++) {
        if ((i && text_put(t, ", ")) || arg(t, e->args[i]))
            return -1;
    }
    return text_put(t, ")");
}

/* An operand of a comparison, BETWEEN, IN or a function: a path, a value or size(). */
static int
text_cond_operand(struct pq_text *t, const struct pq_expr *e)
{
    switch (e->type) {
    case PQ_E_PATH:
        return ddb_pq_text_path(t, &e->path);
    case PQ_E_VALUE:
        return ddb_pq_text_value(t, e->value);
    default:
        return text_cond(t, e);
    }
}

/* A child of AND / OR / NOT: parenthesized unless it is a chain of the parent's own
 * operator (AND and OR are associative) or needs none (a comparison, a call). DynamoDB
 * binds NOT tighter than AND, AND tighter than OR, so parentheses keep the tree's shape. */
static int
text_child(struct pq_text *t, const struct pq_expr *parent, const struct pq_expr *e)
{
    bool paren = (e->type == PQ_E_AND || e->type == PQ_E_OR) && e->type != parent->type;

    if (parent->type == PQ_E_NOT)
        paren = true;
    if (paren && text_put(t, "("))
        return -1;
    if (text_cond(t, e))
        return -1;
    return paren ? text_put(t, ")") : 0;
}

/* IS [NOT] MISSING / NULL. MISSING is attribute_not_exists: "Returns TRUE if the item does
 * not contain the attribute specified" (developer guide, ql-functions.missing). NULL is
 * PartiQL's type test ("IS: TRUE if the operand is a given PartiQL data type, including NULL
 * or MISSING", ql-operators): only an attribute of type NULL is NULL, a missing attribute is
 * not (DynamoDB Local writes IS NULL as an equality with the NULL value, the same thing), so
 * IS NULL is `p = :null` and IS NOT NULL its negation, true for a missing attribute. */
static int
text_is(struct pq_text *t, const struct pq_expr *e)
{
    const struct pq_expr *x = e->n_args == 1 ? e->args[0] : NULL;
    json_t *null;
    int rc;

    if (!x || (x->type != PQ_E_PATH && x->type != PQ_E_VALUE))
        return text_fail(t, "The left hand side argument to IS must be a Variable Reference, "
                            "Literal, or Path");
    if (!e->is_null) {
        if (text_put(t, e->negated ? "attribute_exists(" : "attribute_not_exists(") ||
            text_cond_operand(t, x))
            return -1;
        return text_put(t, ")");
    }
    if (e->negated && text_put(t, "NOT ("))
        return -1;
    if (text_cond_operand(t, x) || text_put(t, " = "))
        return -1;
    null = json_pack("{s:b}", "NULL", 1);
    if (!null)
        return text_fail(t, "out of memory");
    rc = ddb_pq_text_value(t, null);
    json_decref(null); /* values holds its own reference */
    if (rc)
        return -1;
    return e->negated ? text_put(t, ")") : 0;
}

static int
text_cond(struct pq_text *t, const struct pq_expr *e)
{
    switch (e->type) {
    case PQ_E_PATH:
    case PQ_E_VALUE:
        return text_cond_operand(t, e);
    case PQ_E_CMP:
        if (text_cond_operand(t, e->args[0]) || text_put(t, " ") || text_put(t, text_cmp[e->cmp]) ||
            text_put(t, " "))
            return -1;
        return text_cond_operand(t, e->args[1]);
    case PQ_E_BETWEEN:
        if (text_cond_operand(t, e->args[0]) || text_put(t, " BETWEEN ") ||
            text_cond_operand(t, e->args[1]) || text_put(t, " AND "))
            return -1;
        return text_cond_operand(t, e->args[2]);
    case PQ_E_IN:
        if (text_cond_operand(t, e->args[0]) || text_put(t, " IN ("))
            return -1;
        for (unsigned i = 1; i < e->n_args; i++) {
            if ((i > 1 && text_put(t, ", ")) || text_cond_operand(t, e->args[i]))
                return -1;
        }
        return text_put(t, ")");
    case PQ_E_AND:
    case PQ_E_OR:
        if (text_child(t, e, e->args[0]) || text_put(t, e->type == PQ_E_AND ? " AND " : " OR "))
            return -1;
        return text_child(t, e, e->args[1]);
    case PQ_E_NOT:
        if (text_put(t, "NOT "))
            return -1;
        return text_child(t, e, e->args[0]);
    case PQ_E_IS:
        return text_is(t, e);
    case PQ_E_FUNC:
        if (!text_known_fn(e->fn, text_cond_fns, ARRAY_SIZE(text_cond_fns)))
            return text_fail(t, "Unrecognized function: %s", e->fn);
        return text_call(t, e, text_cond_operand);
    case PQ_E_PLUS:
    case PQ_E_MINUS:
        /* DynamoDB's conditions have no arithmetic. */
        return text_fail(t, "Unsupported operator in Condition Expression. Operator: %s",
                         e->type == PQ_E_PLUS ? "+" : "-");
    }
    return text_fail(t, "unexpected expression in WHERE clause");
}

int
ddb_pq_text_condition(struct pq_text *t, const struct pq_expr *e)
{
    return text_cond(t, e);
}

int
ddb_pq_text_operand(struct pq_text *t, const struct pq_expr *e)
{
    switch (e->type) {
    case PQ_E_PATH:
        return ddb_pq_text_path(t, &e->path);
    case PQ_E_VALUE:
        return ddb_pq_text_value(t, e->value);
    case PQ_E_PLUS:
    case PQ_E_MINUS:
        if (ddb_pq_text_operand(t, e->args[0]) || text_put(t, e->type == PQ_E_PLUS ? " + " : " - "))
            return -1;
        return ddb_pq_text_operand(t, e->args[1]);
    case PQ_E_FUNC:
        if (strcmp(e->fn, "list_append") != 0 && strcmp(e->fn, "if_not_exists") != 0)
            /* unverified wording: DynamoDB's text for a condition function in SET */
            return text_fail(t, "Unsupported function in update expression: %s", e->fn);
        return text_call(t, e, ddb_pq_text_operand);
    case PQ_E_IS:
        return text_fail(t, "IS operator is not supported in update expressions");
    case PQ_E_CMP:
        return text_fail(t, "Unsupported operator in Update Expression. Operator: %s",
                         text_cmp[e->cmp]);
    default:
        /* unverified wording */
        return text_fail(t, "Unsupported expression in update expression");
    }
}

int
ddb_pq_text_conjuncts(struct pq_text *t, const struct pq_expr *const *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        bool paren = c[i]->type == PQ_E_OR;
        if ((i && text_put(t, " AND ")) || (paren && text_put(t, "(")))
            return -1;
        if (text_cond(t, c[i]) || (paren && text_put(t, ")")))
            return -1;
    }
    return 0;
}

/* ---- UPDATE's SET and REMOVE clauses --------------------------------------------------------- */

static bool
text_is_fn(const struct pq_expr *e, const char *fn)
{
    return e && e->type == PQ_E_FUNC && strcmp(e->fn, fn) == 0;
}

/* SET p = set_add(p, <<...>>) / set_delete(...): DynamoDB's ADD / DELETE of set elements,
 * allowed only on the path being set and with a set. Texts as DynamoDB reports them. */
static int
text_set_fn_check(struct pq_text *t, const struct pq_set *st, const char *upper)
{
    const struct pq_expr *f = st->value, *a;
    enum ddb_type vt;
    bool same;

    if (f->n_args != 2)
        return text_fail(t, "SET_%s must have exactly two arguments", upper);
    a = f->args[0];
    same = a->type == PQ_E_PATH && a->path.n == st->path.n;
    for (unsigned i = 0; same && i < a->path.n; i++) {
        const struct ddb_path_elem *x = &a->path.e[i], *y = &st->path.e[i];
        same = (x->name && y->name) ? strcmp(x->name, y->name) == 0
                                    : (!x->name && !y->name && x->index == y->index);
    }
    if (!same)
        return text_fail(t, "The first argument to SET_%s must equal the assignment value", upper);
    vt = f->args[1]->type == PQ_E_VALUE ? ddb_type_of(f->args[1]->value) : DDB_BAD;
    if (vt != DDB_SS && vt != DDB_NS && vt != DDB_BS)
        return text_fail(t, "The second argument to SET_%s must be a value with type SET", upper);
    return 0;
}

/* One clause of the UpdateExpression: the plain SETs (fn NULL), the REMOVEs, or the
 * set_add ("ADD") / set_delete ("DELETE") assignments, each in the order written. */
static int
text_update_clause(struct pq_text *t, const struct pq_statement *s, const char *word,
                   enum pq_set_op op, const char *fn)
{
    bool first = true;

    for (unsigned i = 0; i < s->n_sets; i++) {
        const struct pq_set *st = &s->sets[i];
        bool setfn = text_is_fn(st->value, "set_add") || text_is_fn(st->value, "set_delete");
        if (st->op != op)
            continue;
        if (op == PQ_SET && (fn ? !text_is_fn(st->value, fn) : setfn))
            continue;
        if (first && ((t->out->len && text_put(t, " ")) || text_put(t, word) || text_put(t, " ")))
            return -1;
        if (!first && text_put(t, ", "))
            return -1;
        first = false;
        if (ddb_pq_text_path(t, &st->path))
            return -1;
        if (op == PQ_REMOVE)
            continue;
        if (fn) {
            if (text_put(t, " ") || ddb_pq_text_value(t, st->value->args[1]->value))
                return -1;
        } else if (text_put(t, " = ") || ddb_pq_text_operand(t, st->value)) {
            return -1;
        }
    }
    return 0;
}

int
ddb_pq_text_update(struct pq_text *t, const struct pq_statement *s)
{
    for (unsigned i = 0; i < s->n_sets; i++) {
        const struct pq_set *st = &s->sets[i];
        if (st->op != PQ_SET)
            continue;
        if (text_is_fn(st->value, "set_add") && text_set_fn_check(t, st, "ADD"))
            return -1;
        if (text_is_fn(st->value, "set_delete") && text_set_fn_check(t, st, "DELETE"))
            return -1;
    }
    if (text_update_clause(t, s, "SET", PQ_SET, NULL) ||
        text_update_clause(t, s, "REMOVE", PQ_REMOVE, NULL) ||
        text_update_clause(t, s, "ADD", PQ_SET, "set_add") ||
        text_update_clause(t, s, "DELETE", PQ_SET, "set_delete"))
        return -1;
    return 0;
}

/* ---- whole expressions of a request ---------------------------------------------------------- */

int
ddb_pq_text_guarded(struct pq_text *t, const char *fn, const char *hash,
                    const struct pq_expr *const *c, unsigned n, bool negate)
{
    struct ddb_path pk = {1, &(struct ddb_path_elem){hash, 0}, hash};

    if (negate && text_put(t, "NOT ("))
        return -1;
    if (fn && (text_put(t, fn) || text_put(t, "(") || ddb_pq_text_path(t, &pk) ||
               text_put(t, ")") || (n && text_put(t, " AND "))))
        return -1;
    if (ddb_pq_text_conjuncts(t, c, n))
        return -1;
    return negate ? text_put(t, ")") : 0;
}

int
ddb_pq_text_key_condition(struct pq_text *t, const char *hash, const struct pq_expr *sk)
{
    static const enum ddb_cmp flip[] = {DDB_EQ, DDB_NE, DDB_GT, DDB_GE, DDB_LT, DDB_LE};
    struct ddb_path pk = {1, &(struct ddb_path_elem){hash, 0}, hash};

    if (ddb_pq_text_path(t, &pk) || text_put(t, " = :pk"))
        return -1;
    if (!sk)
        return 0;
    if (text_put(t, " AND "))
        return -1;
    if (sk->type == PQ_E_CMP && sk->args[0]->type == PQ_E_VALUE) {
        /* `v < sk` is written `sk > v`: a key condition names the key first. */
        if (text_cond_operand(t, sk->args[1]) || text_put(t, " ") ||
            text_put(t, text_cmp[flip[sk->cmp]]) || text_put(t, " "))
            return -1;
        return text_cond_operand(t, sk->args[0]);
    }
    return text_cond(t, sk);
}

int
ddb_pq_condition_text(const struct pq_expr *e, struct buf *out, json_t *names, json_t *values,
                      char *err, size_t errlen)
{
    struct pq_text t = {out, names, values, err, errlen};

    return text_cond(&t, e);
}
