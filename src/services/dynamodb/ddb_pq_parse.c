/* ddb_pq_parse.c: PartiQL statements (ddb_pq.h): DynamoDB's SELECT, INSERT, UPDATE, DELETE
 * and EXISTS(SELECT ...), turned into struct pq_statement by recursive descent over the
 * tokens of ddb_pq_lex(). Literals (ddb_pq_literal.c) and `?` become AttributeValues as they
 * are met, so the tree holds no parameters; ddb_pq_is_select() is the dispatcher's cheap test.
 *
 * Messages. A syntax error is DynamoDB's "Statement wasn't well formed, can't be processed:
 * <detail>" with the details DynamoDB uses ("Expected data manipulation", "Unexpected
 * keyword", "Unexpected term", "Unexpected token", "Expected identifier for simple path",
 * "Unexpected end of input"), to which we always add where it happened and the token, in
 * one format:
 *     <detail> at line <L>, column <C>: <token>
 * e.g. "Statement wasn't well formed, can't be processed: Unexpected keyword at line 1,
 * column 15: FROM". The token is shown as written, except that keywords are upper case and
 * strings and quoted names are shown in their quotes; at the end of the statement there is
 * no token ("Unexpected end of input at line 1, column 21"). Errors that are not about the
 * grammar carry DynamoDB's own text without a position (the parameter count's "Number of
 * parameters in request and statement don't match.", "Empty bags are not supported", a
 * number's range error from ddb_value_check(), ...). Syntax errors win over a parameter
 * count mismatch, as DynamoDB parses before it binds. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_pq.h"
#include "services/dynamodb/ddb_pq_parse_int.h"
#include "services/dynamodb/ddb_value.h"

#define PQ_PREFIX "Statement wasn't well formed, can't be processed: "
#define PQ_MAX_DEPTH 200 /* nesting of parentheses and literals; DynamoDB's own limit (32
                          * levels of M and L) is ddb_value_check's, well below this */

/* ---- tokens and errors ---------------------------------------------------------------------- */

const struct pq_token *
pq_peek(struct pq_parser *p)
{
    return &p->t[p->i];
}

const struct pq_token *
pq_peek2(struct pq_parser *p)
{
    return p->t[p->i].type == PQ_T_END ? &p->t[p->i] : &p->t[p->i + 1];
}

const struct pq_token *
pq_next(struct pq_parser *p)
{
    const struct pq_token *t = &p->t[p->i];

    if (t->type != PQ_T_END && t->type != PQ_T_ERROR)
        p->i++;
    return t;
}

bool
pq_is_op(const struct pq_token *t, const char *op)
{
    return t->type == PQ_T_OP && strcmp(t->text, op) == 0;
}

bool
pq_is_kw(const struct pq_token *t, const char *kw)
{
    return t->type == PQ_T_KEYWORD && strcmp(t->text, kw) == 0;
}

/* A word that is a keyword or a bare name (RETURNING, MODIFIED, NEW, OLD are not reserved). */
static bool
pq_is_word(const struct pq_token *t, const char *w)
{
    return (t->type == PQ_T_KEYWORD || t->type == PQ_T_IDENT) && strcasecmp(t->text, w) == 0;
}

/* The whole message, without DynamoDB's syntax prefix. Only the first error is kept. */
int
pq_fail(struct pq_parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return -1;
    p->failed = true;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A syntax error at token t: "<prefix><detail> at line L, column C: <token>". */
int
pq_fail_at(struct pq_parser *p, const struct pq_token *t, const char *detail)
{
    if (t->type == PQ_T_END)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u", detail, t->line, t->column);
    if (t->type == PQ_T_STRING)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: '%s'", detail, t->line,
                       t->column, t->text);
    if (t->type == PQ_T_QIDENT)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: \"%s\"", detail, t->line,
                       t->column, t->text);
    return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: %s", detail, t->line, t->column,
                   t->text);
}

/* t is not what the grammar allows here: the detail says what kind of token it is. */
int
pq_unexpected(struct pq_parser *p, const struct pq_token *t)
{
    switch (t->type) {
    case PQ_T_END: return pq_fail_at(p, t, "Unexpected end of input");
    case PQ_T_KEYWORD: return pq_fail_at(p, t, "Unexpected keyword");
    case PQ_T_OP: return pq_fail_at(p, t, "Unexpected token");
    case PQ_T_ERROR:
        /* Where the lexer stopped: an unclosed quote or comment, or a foreign character. */
        if (t->text[0] == '\'' || t->text[0] == '"' || strcmp(t->text, "/*") == 0)
            return pq_fail_at(p, t, "Unexpected end of input");
        return pq_fail_at(p, t, "Invalid character");
    default: return pq_fail_at(p, t, "Unexpected term");
    }
}

/* Consume the operator op or fail on whatever is there. */
int
pq_expect_op(struct pq_parser *p, const char *op)
{
    if (!pq_is_op(pq_peek(p), op))
        return pq_unexpected(p, pq_peek(p));
    pq_next(p);
    return 0;
}

static int
pq_expect_kw(struct pq_parser *p, const char *kw)
{
    if (!pq_is_kw(pq_peek(p), kw))
        return pq_unexpected(p, pq_peek(p));
    pq_next(p);
    return 0;
}

int
pq_enter(struct pq_parser *p)
{
    if (++p->depth > PQ_MAX_DEPTH)
        return pq_fail_at(p, pq_peek(p), "Nesting too deep");
    return 0;
}

/* ---- paths and names ---------------------------------------------------------------------- */

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

/* A table or index name: bare or "quoted". */
static int
pq_name(struct pq_parser *p, const char **out)
{
    const struct pq_token *t = pq_peek(p);

    if (t->type != PQ_T_IDENT && t->type != PQ_T_QIDENT)
        return pq_unexpected(p, t);
    *out = t->text;
    pq_next(p);
    return 0;
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
        return pq_unexpected(p, first);
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
                return pq_fail_at(p, t, "Expected identifier for simple path");
            if (t->type == PQ_T_QIDENT && t->len == 0)
                return pq_fail(p, "Path component cannot be an empty string");
            if (pq_path_push(p, out, &cap, t->text, 0))
                return -1;
            last = pq_next(p);
        } else if (pq_is_op(t, "[")) {
            unsigned long long idx = 0;

            pq_next(p);
            t = pq_peek(p);
            if (t->type != PQ_T_NUMBER || strspn(t->text, "0123456789") != t->len ||
                t->len > 9)
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

/* Functions by where they may appear: conditions (and size() as an operand) or SET values. */
static const char *const pq_cond_funcs[] = {
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
    "size",
};
static const char *const pq_set_funcs[] = {
    "if_not_exists", "list_append", "set_add", "set_delete", "size",
};

static bool
pq_known_func(const char *name, bool update)
{
    const char *const *f = update ? pq_set_funcs : pq_cond_funcs;
    size_t n = update ? sizeof(pq_set_funcs) / sizeof(*f) : sizeof(pq_cond_funcs) / sizeof(*f);

    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return true;
    return false;
}

static struct pq_expr *pq_or(struct pq_parser *p);
static struct pq_expr *pq_set_value(struct pq_parser *p);

/* name(arg, ...): the name (a bare word, reserved or not) is stored lower-case. */
static struct pq_expr *
pq_func(struct pq_parser *p, bool update)
{
    const struct pq_token *at = pq_next(p);
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
    if (!pq_known_func(name, update)) {
        pq_fail(p, "Unrecognized function: %s", name);
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
    if (pq_expect_op(p, ")"))
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
struct pq_expr *
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

static const struct {
    const char *op;
    enum ddb_cmp cmp;
} pq_cmps[] = {
    {"=", DDB_EQ}, {"<>", DDB_NE}, {"!=", DDB_NE}, {"<", DDB_LT},
    {"<=", DDB_LE}, {">", DDB_GT}, {">=", DDB_GE},
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
        if (pq_is_kw(t, "NULL"))
            e->is_null = true;
        else if (!pq_is_kw(t, "MISSING")) {
            pq_unexpected(p, t);
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

static struct pq_expr *
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

static struct pq_expr *
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

/* ---- statements --------------------------------------------------------------------------- */

static int
pq_where(struct pq_parser *p, struct pq_statement *s)
{
    if (!pq_is_kw(pq_peek(p), "WHERE"))
        return 0;
    pq_next(p);
    s->where = pq_or(p);
    return s->where ? 0 : -1;
}

/* RETURNING (ALL|MODIFIED) (OLD|NEW) *: all four forms; which one a statement may have is the
 * planner's business. */
static int
pq_returning(struct pq_parser *p, struct pq_statement *s)
{
    const struct pq_token *t;
    bool all, old;

    if (!pq_is_word(pq_peek(p), "RETURNING"))
        return 0;
    pq_next(p);
    t = pq_peek(p);
    if (!pq_is_word(t, "ALL") && !pq_is_word(t, "MODIFIED"))
        return pq_unexpected(p, t);
    all = pq_is_word(t, "ALL");
    pq_next(p);
    t = pq_peek(p);
    if (!pq_is_word(t, "OLD") && !pq_is_word(t, "NEW"))
        return pq_unexpected(p, t);
    old = pq_is_word(t, "OLD");
    pq_next(p);
    if (!pq_is_op(pq_peek(p), "*"))
        return pq_fail(p, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING "
                          "clause");
    pq_next(p);
    s->returning = all ? (old ? PQ_RET_ALL_OLD : PQ_RET_ALL_NEW)
                       : (old ? PQ_RET_MODIFIED_OLD : PQ_RET_MODIFIED_NEW);
    return 0;
}

/* The table, and for SELECT an index: FROM "t" or FROM "t"."ix". */
static int
pq_from(struct pq_parser *p, struct pq_statement *s, bool index)
{
    if (pq_name(p, &s->table))
        return -1;
    if (!index || !pq_is_op(pq_peek(p), "."))
        return 0;
    pq_next(p);
    if (pq_name(p, &s->index))
        return -1;
    if (pq_is_op(pq_peek(p), "."))
        return pq_fail(p, "A path may contain at most 2 components in the FROM clause");
    return 0;
}

static int
pq_order_by(struct pq_parser *p, struct pq_statement *s)
{
    unsigned cap = 0;

    if (!pq_is_kw(pq_peek(p), "ORDER"))
        return 0;
    pq_next(p);
    if (pq_expect_kw(p, "BY"))
        return -1;
    for (;;) {
        if (s->n_order == cap) {
            struct pq_order *more;

            cap = cap ? 2 * cap : 4;
            more = arena_calloc(p->a, cap * sizeof(*more));
            if (!more)
                return pq_fail(p, "out of memory");
            if (s->n_order)
                memcpy(more, s->order, s->n_order * sizeof(*more));
            s->order = more;
        }
        if (pq_path(p, &s->order[s->n_order].key))
            return -1;
        if (pq_is_kw(pq_peek(p), "ASC") || pq_is_kw(pq_peek(p), "DESC"))
            s->order[s->n_order].desc = pq_is_kw(pq_next(p), "DESC");
        s->n_order++;
        if (!pq_is_op(pq_peek(p), ","))
            return 0;
        pq_next(p);
    }
}

/* SELECT * | path {, path} FROM table[.index] [WHERE cond] [ORDER BY ...], after SELECT. */
static int
pq_select(struct pq_parser *p, struct pq_statement *s)
{
    unsigned cap = 0;

    if (pq_is_op(pq_peek(p), "*")) {
        pq_next(p);
        s->star = true;
        if (pq_is_op(pq_peek(p), ","))
            return pq_fail(p, "Other attributes should not be present in the projection when "
                              "'*' is used.");
    } else {
        for (;;) {
            if (s->n_proj == cap) {
                struct ddb_path *more;

                cap = cap ? 2 * cap : 4;
                more = arena_alloc(p->a, cap * sizeof(*more));
                if (!more)
                    return pq_fail(p, "out of memory");
                if (s->n_proj)
                    memcpy(more, s->proj, s->n_proj * sizeof(*more));
                s->proj = more;
            }
            if (pq_path(p, &s->proj[s->n_proj]))
                return -1;
            s->n_proj++;
            if (!pq_is_op(pq_peek(p), ","))
                break;
            pq_next(p);
        }
    }
    if (pq_expect_kw(p, "FROM") || pq_from(p, s, true) || pq_where(p, s))
        return -1;
    return pq_order_by(p, s);
}

/* INSERT INTO table VALUE {'k': v, ...} | ?, after INSERT. */
static int
pq_insert(struct pq_parser *p, struct pq_statement *s)
{
    const struct pq_token *t;
    json_t *v;

    if (pq_expect_kw(p, "INTO") || pq_name(p, &s->table))
        return -1;
    t = pq_peek(p);
    if (pq_is_kw(t, "VALUES"))
        return pq_fail(p, "Unsupported operation: Inserting multiple items in a single "
                          "statement is not supported, use \"INSERT INTO tableName VALUE "
                          "item\" instead");
    if (pq_expect_kw(p, "VALUE"))
        return -1;
    t = pq_peek(p);
    if (!pq_is_op(t, "{") && t->type != PQ_T_PARAM)
        return pq_is_op(t, "[") || pq_is_op(t, "<<") || t->type == PQ_T_STRING ||
                       t->type == PQ_T_NUMBER
                   ? pq_fail(p, "Unsupported format in item expression. Please use struct "
                                "format {...} to express item values for insert statement.")
                   : pq_unexpected(p, t);
    v = pq_literal_checked(p);
    if (!v)
        return -1;
    if (json_array_append_new(p->values, v) != 0)
        return pq_fail(p, "out of memory");
    if (ddb_type_of(v) != DDB_M)
        return pq_fail(p, "Unsupported format in item expression. Please use struct format "
                          "{...} to express item values for insert statement.");
    s->item = (json_t *)ddb_value_payload(v);
    if (pq_is_word(pq_peek(p), "RETURNING"))
        return pq_fail(p, "RETURNING is not supported in INSERT");
    return 0;
}

static int
pq_update_clause(struct pq_parser *p, struct pq_statement *s, unsigned *cap)
{
    bool set = pq_is_kw(pq_next(p), "SET");

    for (;;) {
        struct pq_set *x;

        if (s->n_sets == *cap) {
            struct pq_set *more;

            *cap = *cap ? 2 * *cap : 4;
            more = arena_calloc(p->a, *cap * sizeof(*more));
            if (!more)
                return pq_fail(p, "out of memory");
            if (s->n_sets)
                memcpy(more, s->sets, s->n_sets * sizeof(*more));
            s->sets = more;
        }
        x = &s->sets[s->n_sets];
        x->op = set ? PQ_SET : PQ_REMOVE;
        if (pq_path(p, &x->path))
            return -1;
        if (set && (pq_expect_op(p, "=") || !(x->value = pq_set_value(p))))
            return -1;
        s->n_sets++;
        if (!pq_is_op(pq_peek(p), ","))
            return 0;
        pq_next(p);
    }
}

/* UPDATE table (SET ... | REMOVE ...)+ [WHERE cond] [RETURNING ...], after UPDATE. */
static int
pq_update(struct pq_parser *p, struct pq_statement *s)
{
    unsigned cap = 0;

    if (pq_name(p, &s->table))
        return -1;
    for (;;) {
        const struct pq_token *t = pq_peek(p);

        if (pq_is_kw(t, "SET") || pq_is_kw(t, "REMOVE")) {
            if (pq_update_clause(p, s, &cap))
                return -1;
        } else if (s->n_sets && (pq_is_kw(t, "ADD") || pq_is_kw(t, "DELETE"))) {
            return pq_fail(p, "Only SET and REMOVE are supported in update expressions at "
                              "this time");
        } else if (s->n_sets) {
            break;
        } else {
            return pq_unexpected(p, t);
        }
    }
    if (pq_where(p, s))
        return -1;
    return pq_returning(p, s);
}

/* DELETE FROM table [WHERE cond] [RETURNING ...], after DELETE. */
static int
pq_delete(struct pq_parser *p, struct pq_statement *s)
{
    if (pq_expect_kw(p, "FROM") || pq_name(p, &s->table) || pq_where(p, s))
        return -1;
    return pq_returning(p, s);
}

/* [NOT] EXISTS(SELECT ...), at [NOT]. */
static int
pq_exists(struct pq_parser *p, struct pq_statement *s)
{
    if (pq_is_kw(pq_peek(p), "NOT")) {
        pq_next(p);
        s->negated = true;
    }
    if (pq_expect_kw(p, "EXISTS") || pq_expect_op(p, "(") || pq_expect_kw(p, "SELECT") ||
        pq_select(p, s))
        return -1;
    return pq_expect_op(p, ")");
}

static int
pq_statement(struct pq_parser *p, struct pq_statement *s, bool allow_exists)
{
    const struct pq_token *t = pq_peek(p);
    int rc;

    if (pq_is_kw(t, "EXISTS") || (pq_is_kw(t, "NOT") && pq_is_kw(pq_peek2(p), "EXISTS"))) {
        if (!allow_exists)
            return pq_fail(p, "EXISTS can only be used in ExecuteTransaction write requests.");
        s->kind = PQ_EXISTS;
        rc = pq_exists(p, s);
    } else if (pq_is_kw(t, "SELECT")) {
        s->kind = PQ_SELECT;
        pq_next(p);
        rc = pq_select(p, s);
    } else if (pq_is_kw(t, "INSERT")) {
        s->kind = PQ_INSERT;
        pq_next(p);
        rc = pq_insert(p, s);
    } else if (pq_is_kw(t, "UPDATE")) {
        s->kind = PQ_UPDATE;
        pq_next(p);
        rc = pq_update(p, s);
    } else if (pq_is_kw(t, "DELETE")) {
        s->kind = PQ_DELETE;
        pq_next(p);
        rc = pq_delete(p, s);
    } else if (t->type == PQ_T_END || t->type == PQ_T_ERROR) {
        return pq_unexpected(p, t);
    } else {
        return pq_fail_at(p, t, "Expected data manipulation");
    }
    if (rc)
        return -1;
    if (pq_is_op(pq_peek(p), ";"))
        pq_next(p);
    if (pq_peek(p)->type != PQ_T_END)
        return pq_unexpected(p, pq_peek(p));
    return 0;
}

int
ddb_pq_parse(struct arena *a, const char *text, const json_t *params, bool allow_exists,
             struct pq_statement *out, char *err, size_t errlen)
{
    struct pq_parser p = {.a = a, .src = text, .params = params, .err = err, .errlen = errlen};
    size_t n;

    memset(out, 0, sizeof(*out));
    p.n_params = json_is_array(params) ? json_array_size(params) : 0;
    p.t = ddb_pq_lex(a, text, &n);
    p.values = json_array();
    if (!p.t || !p.values) {
        json_decref(p.values);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p.n = n;
    out->values = p.values;
    if (pq_statement(&p, out, allow_exists) == 0 && p.next_param != p.n_params)
        pq_fail(&p, "Number of parameters in request and statement don't match.");
    if (p.failed) {
        ddb_pq_statement_release(out);
        return -1;
    }
    return 0;
}

void
ddb_pq_statement_release(struct pq_statement *s)
{
    json_decref(s->values);
    memset(s, 0, sizeof(*s));
}

/* Skip blanks, comments and opening parentheses; then SELECT as a whole word. */
bool
ddb_pq_is_select(const char *text)
{
    const char *s = text;

    if (!s)
        return false;
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v' ||
            *s == '(') {
            s++;
        } else if (s[0] == '-' && s[1] == '-') {
            s += strcspn(s, "\n");
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");

            if (!end)
                return false;
            s = end + 2;
        } else {
            break;
        }
    }
    if (strncasecmp(s, "select", 6) != 0)
        return false;
    s += 6;
    return !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
             *s == '_' || *s == '$');
}
