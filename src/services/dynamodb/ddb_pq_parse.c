/* ddb_pq_parse.c: PartiQL statements (ddb_pq.h): DynamoDB's SELECT, INSERT, UPDATE, DELETE
 * and EXISTS(SELECT ...), turned into struct pq_statement by recursive descent over the
 * tokens of ddb_pq_lex(). Conditions, SET values and paths are ddb_pq_expr.c's; literals
 * (ddb_pq_literal.c) and `?` become AttributeValues as they are met, so the tree holds no
 * parameters. ddb_pq_is_select() is the dispatcher's cheap test.
 *
 * Messages. A syntax error is DynamoDB's "Statement wasn't well formed, can't be processed:
 * <detail>" with the details DynamoDB gives (as observed on AWS): "Expected data
 * manipulation", "Unexpected keyword", "Unexpected term" (also where the statement ends
 * before a term), "Unexpected token", "Unexpected operator" (WHERE IS NULL), "Unexpected
 * token after expression" (anything after a whole statement), "Missing right-hand side
 * expression of infix operator", "Expected identifier for simple path" (no table after
 * DELETE FROM), "Invalid path dot component", "Expected type name"; ours where AWS gives
 * no detail: "Unexpected end of input" (an unclosed quote, comment or bracket), "Invalid
 * character", "Nesting too deep". To every one we add where it happened and the token, in
 * one format:
 *     <detail> at line <L>, column <C>: <token>
 * e.g. "Statement wasn't well formed, can't be processed: Unexpected keyword at line 1,
 * column 15: FROM". Columns count characters from 1. The token is shown as written, except
 * that keywords are upper case and strings and quoted names are shown in their quotes; at
 * the end of the statement there is no token ("Unexpected term at line 1, column 21").
 *
 * Other errors carry DynamoDB's own text as is: some with DynamoDB's own position,
 * "at <line>:<column>:<length>" ("Unrecognized function: foo at 1:23:3", "Unexpected path
 * component at 1:8:16", "SET_ADD must have exactly two arguments at ..."), the rest without
 * ("Aliasing is not supported", "Empty bags are not supported", a number's "Number overflow.
 * ... under root.x", "Number of parameters in request and statement don't match.").
 * Order, as DynamoDB parses before it binds: a syntax error first, then the parameter
 * count, then what the values break. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "services/dynamodb/ddb_pq.h"
#include "services/dynamodb/ddb_pq_parse_int.h"
#include "services/dynamodb/ddb_value.h"

#define PQ_PREFIX   "Statement wasn't well formed, can't be processed: "
#define PQ_LEFTOVER "Unexpected token after expression" /* after a whole statement */
#define PQ_MAX_DEPTH                                                                               \
    200 /* nesting of parentheses and literals; DynamoDB's own limit (32                           \
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
    const struct pq_token *t = &p->t[p->i];

    return t->type == PQ_T_END || t->type == PQ_T_ERROR ? t : t + 1;
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
    if (!p->failed)
        p->syntax = true;
    if (t->type == PQ_T_END)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u", detail, t->line, t->column);
    if (t->type == PQ_T_STRING)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: '%s'", detail, t->line, t->column,
                       t->text);
    if (t->type == PQ_T_QIDENT)
        return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: \"%s\"", detail, t->line, t->column,
                       t->text);
    return pq_fail(p, PQ_PREFIX "%s at line %u, column %u: %s", detail, t->line, t->column,
                   t->text);
}

/* t is not what the grammar allows here: the detail says what kind of token it is. */
int
pq_unexpected(struct pq_parser *p, const struct pq_token *t)
{
    switch (t->type) {
    case PQ_T_END:
        return pq_fail_at(p, t, "Unexpected end of input");
    case PQ_T_KEYWORD:
        return pq_fail_at(p, t, "Unexpected keyword");
    case PQ_T_OP:
        return pq_fail_at(p, t, "Unexpected token");
    case PQ_T_ERROR:
        /* Where the lexer stopped: an unclosed quote or comment, or a foreign character. */
        if (t->text[0] == '\'' || t->text[0] == '"' || strcmp(t->text, "/*") == 0)
            return pq_fail_at(p, t, "Unexpected end of input");
        return pq_fail_at(p, t, "Invalid character");
    default:
        return pq_fail_at(p, t, "Unexpected term");
    }
}

/* t stands where a term (a name, a path, an operand, a literal) must start. DynamoDB says
 * "Unexpected term" when the statement ends there (or at a ';') and "Unexpected operator" at
 * an operator, keyword or not (WHERE IS NULL, a = LIKE). */
int
pq_no_term(struct pq_parser *p, const struct pq_token *t)
{
    static const char *const ops[] = {"AND", "OR", "IS", "IN", "LIKE", "BETWEEN", "=", "<>", "!=",
                                      "<",   "<=", ">",  ">=", "+",    "-",       "*", "/"};

    if (t->type == PQ_T_END || pq_is_op(t, ";"))
        return pq_fail_at(p, t, "Unexpected term");
    if (t->type == PQ_T_KEYWORD || t->type == PQ_T_OP)
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (strcmp(t->text, ops[i]) == 0)
                return pq_fail_at(p, t, "Unexpected operator");
    return pq_unexpected(p, t);
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

int
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

/* ---- names ------------------------------------------------------------------------------ */

/* A table or index name: bare or "quoted". The target of INSERT, UPDATE and DELETE is a
 * "simple path" to DynamoDB, and a missing one is reported as such (DELETE FROM WHERE ...). */
static int
pq_name(struct pq_parser *p, const char **out, bool target)
{
    const struct pq_token *t = pq_peek(p);

    if (t->type != PQ_T_IDENT && t->type != PQ_T_QIDENT)
        return target ? pq_fail_at(p, t, "Expected identifier for simple path") : pq_no_term(p, t);
    if (t->len == 0)
        return pq_fail(p, "Path component cannot be an empty string"); /* FROM "t"."" */
    *out = t->text;
    pq_next(p);
    return 0;
}

/* After a table or a SELECT list path: "x AS y" or "x y" is an alias, which DynamoDB refuses
 * with its own message. */
static int
pq_no_alias(struct pq_parser *p)
{
    const struct pq_token *t = pq_peek(p);

    if (pq_is_kw(t, "AS") || t->type == PQ_T_IDENT || t->type == PQ_T_QIDENT)
        return pq_fail(p, "Aliasing is not supported");
    return 0;
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
    if (pq_name(p, &s->table, false))
        return -1;
    if (!index || !pq_is_op(pq_peek(p), "."))
        return pq_no_alias(p);
    pq_next(p);
    if (pq_name(p, &s->index, false))
        return -1;
    if (pq_is_op(pq_peek(p), "."))
        return pq_fail(p, "A path may contain at most 2 components in the FROM clause");
    return pq_no_alias(p);
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
    const struct pq_token *t;
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
            t = pq_peek(p);
            if ((t->type == PQ_T_IDENT || t->type == PQ_T_KEYWORD) && pq_is_op(pq_peek2(p), "("))
                return pq_fail(p, "Unexpected path component at %u:%u:%zu", t->line, t->column,
                               t->len); /* SELECT size(a) ... */
            if (pq_path(p, &s->proj[s->n_proj]) || pq_no_alias(p))
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

    if (pq_expect_kw(p, "INTO") || pq_name(p, &s->table, true))
        return -1;
    t = pq_peek(p);
    if (pq_is_kw(t, "VALUES"))
        return pq_fail(p, "Unsupported operation: Inserting multiple items in a single "
                          "statement is not supported, use \"INSERT INTO tableName VALUE "
                          "item\" instead");
    if (!pq_is_kw(t, "VALUE"))
        return t->type == PQ_T_END || t->type == PQ_T_ERROR ? pq_unexpected(p, t)
                                                            : pq_fail_at(p, t, PQ_LEFTOVER);
    pq_next(p);
    t = pq_peek(p);
    if (!pq_is_op(t, "{") && t->type != PQ_T_PARAM)
        return pq_is_op(t, "[") || pq_is_op(t, "<<") || t->type == PQ_T_STRING ||
                       t->type == PQ_T_NUMBER
                   ? pq_fail(p, "Unsupported format in item expression. Please use struct "
                                "format {...} to express item values for insert statement.")
                   : pq_no_term(p, t);
    p->item = true; /* the tuple is the item: each attribute's value is a root of its own */
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
        if (set && pq_expect_op(p, "="))
            return -1;
        if (set && !(x->value = pq_set_value(p)))
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

    if (pq_name(p, &s->table, true) || pq_no_alias(p))
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
    if (pq_expect_kw(p, "FROM") || pq_name(p, &s->table, true) || pq_no_alias(p) || pq_where(p, s))
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
    if (pq_peek(p)->type == PQ_T_ERROR)
        return pq_unexpected(p, pq_peek(p));
    if (pq_peek(p)->type != PQ_T_END)
        return pq_fail_at(p, pq_peek(p), PQ_LEFTOVER);
    return 0;
}

/* The statement's `?`, all of them (the parse may have stopped before some). */
static size_t
pq_count_params(const struct pq_parser *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++)
        n += p->t[i].type == PQ_T_PARAM;
    return n;
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
    /* DynamoDB parses, then binds: a syntax error comes first, then the count, then what the
     * values themselves break (a `?` missing its value stands for NULL until then). */
    if (pq_statement(&p, out, allow_exists) != 0 && p.syntax) {
        ddb_pq_statement_release(out);
        return -1;
    }
    if (pq_count_params(&p) != p.n_params) {
        snprintf(err, errlen, "Number of parameters in request and statement don't match.");
        p.failed = true;
    }
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
