/* ddb_expr_parse.c: condition, filter, key-condition, update and projection expressions, from
 * text to the tree of ddb_expr.h, with DynamoDB's validation and DynamoDB's messages.
 *
 * Grammar (keywords case-insensitive, function names case-sensitive), lowest binding first:
 *   condition := or
 *   or        := and { OR and }
 *   and       := not { AND not }
 *   not       := NOT not | pred
 *   pred      := ( "(" or ")" | atom ) [ cmp operand | BETWEEN operand AND operand
 *                                       | IN "(" operand { "," operand } ")" ]
 *   operand   := "(" operand ")" | atom
 *   atom      := :value | name "(" arg { "," arg } ")" | path
 *   path      := (name | #name) { "." (name | #name) | "[" digits "]" }
 *   update    := { (SET set {"," set} | REMOVE path {"," path}
 *                  | ADD path :value {"," path :value} | DELETE path :value {...}) }
 *   set       := path "=" value          value := term [ ("+" | "-") term ]
 *   term      := "(" value ")" | atom     (function arguments are values in updates)
 *   projection:= path { "," path }
 * A parenthesized group may hold a condition or an operand, so the parser keeps a category per
 * node (condition, operand, or function call, which may be either) and reports a syntax error
 * at the token where an LL parser expecting the other category would have stopped.
 *
 * DynamoDB reports at most one error and checks in a fixed order, which the passes below
 * follow: the syntax of the whole expression (doubled parentheses, "((a))", are refused as
 * soon as they close); then one walk in the order written over names (reserved words), list
 * indexes, functions (unknown names, functions of the other kind of expression, functions in
 * the wrong place such as size() as a condition) and, in updates, repeated clauses; then node
 * by node, children first: a path's depth and #names, a :value's definition, each operator's
 * operand count, operand types, distinct operands and own rules (document paths,
 * attribute_type() names, BETWEEN bounds, IN's 100 values), and the 300-operator limit.
 * Updates put the paths they write into one tree (overlaps, conflicts) before checking
 * ADD / DELETE operands and then SET operands; projections put their paths into the same kind
 * of tree. Key conditions finally get the operators and shapes a key condition may use.
 *
 * This file holds the grammar, the error helpers and the entry points that run the passes in
 * that order; the passes live in ddb_expr_check.c (the walk, node by node, key-condition
 * shapes, ADD / DELETE operands), ddb_expr_paths.c (the tree of overlaps and conflicts) and
 * ddb_expr_names.c (the maps, #name and :value lookup, unused names and values). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

/* One table for the parser, the checks and evaluation (ddb_expr_int.h). */
const char *const ddb_expr_func_names[DDB_F_LIST_APPEND + 1] = {
    [DDB_F_ATTRIBUTE_EXISTS] = "attribute_exists",
    [DDB_F_ATTRIBUTE_NOT_EXISTS] = "attribute_not_exists",
    [DDB_F_ATTRIBUTE_TYPE] = "attribute_type",
    [DDB_F_BEGINS_WITH] = "begins_with",
    [DDB_F_CONTAINS] = "contains",
    [DDB_F_SIZE] = "size",
    [DDB_F_IF_NOT_EXISTS] = "if_not_exists",
    [DDB_F_LIST_APPEND] = "list_append",
};

/* ---- errors --------------------------------------------------------------------------------- */

static const char *
param_name(enum ddb_expr_kind kind)
{
    switch (kind) {
    case DDB_EXPR_CONDITION: return "ConditionExpression";
    case DDB_EXPR_FILTER: return "FilterExpression";
    case DDB_EXPR_KEY_CONDITION: return "KeyConditionExpression";
    case DDB_EXPR_UPDATE: return "UpdateExpression";
    case DDB_EXPR_PROJECTION: return "ProjectionExpression";
    }
    return "Expression";
}

/* Cut a message truncated to fit err back to whole UTF-8 characters: it quotes the request's
 * names, and the JSON encoder refuses broken UTF-8. */
static void
trim_utf8(char *s)
{
    size_t len = strlen(s), lead = len, need;
    unsigned char c;

    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    c = (unsigned char)s[lead - 1];
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

static void
verr(struct ddb_expr_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
{
    int n = 0, m;

    if (prefix)
        n = snprintf(ctx->err, sizeof(ctx->err), "Invalid %s: ", prefix);
    if (n < 0 || (size_t)n >= sizeof(ctx->err))
        n = 0;
    m = vsnprintf(ctx->err + n, sizeof(ctx->err) - (size_t)n, fmt, ap);
    if (m < 0 || (size_t)m >= sizeof(ctx->err) - (size_t)n)
        trim_utf8(ctx->err);
}

/* An error without the "Invalid <Parameter>: " prefix (the map checks, key conditions). */
void __attribute__((format(printf, 2, 3)))
ddb_expr_ctx_fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verr(ctx, NULL, fmt, ap);
    va_end(ap);
}

/* Record the first error of this expression, prefixed with its parameter; returns NULL so
 * that callers can `return ddb_expr_fail(...)`. */
void *__attribute__((format(printf, 2, 3)))
ddb_expr_fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return NULL;
    p->failed = true;
    va_start(ap, fmt);
    verr(p->ctx, param_name(p->kind), fmt, ap);
    va_end(ap);
    return NULL;
}

void *__attribute__((format(printf, 2, 3)))
ddb_expr_fail_raw(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return NULL;
    p->failed = true;
    va_start(ap, fmt);
    verr(p->ctx, NULL, fmt, ap);
    va_end(ap);
    return NULL;
}

void *
ddb_expr_oom(struct parser *p)
{
    return ddb_expr_fail_raw(p, "The expression could not be parsed: out of memory");
}

/* Syntax error at token i. DynamoDB quotes the token and, as "near", the token before it, the
 * token and the token after it with the whitespace between them (and the whitespace before
 * the first token or after the last): token: "-", near: "a-b"; token: ":", near:
 * "hits : incr"; at the end: token: "<EOF>", near: ":type". */
static void *
syntax(struct parser *p, unsigned i)
{
    const struct ddb_tok *t = &p->t[i];
    size_t start = i > 0 ? p->t[i - 1].off : 0, end = strlen(p->text);

    if (t->type == TK_EOF)
        return ddb_expr_fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"",
                             (int)(end - start), p->text + start);
    if (p->t[i + 1].type != TK_EOF)
        end = p->t[i + 1].off + p->t[i + 1].len;
    return ddb_expr_fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)t->len,
                         p->text + t->off, (int)(end - start), p->text + start);
}

/* ---- tokens --------------------------------------------------------------------------------- */

static const struct ddb_tok *
cur(const struct parser *p)
{
    return &p->t[p->pos];
}

static bool
tok_is_word(const struct parser *p, unsigned i, const char *word)
{
    const struct ddb_tok *t = &p->t[i];
    size_t len = strlen(word);

    if (t->type != TK_NAME || t->len != len)
        return false;
    for (size_t k = 0; k < len; k++) {
        char c = p->text[t->off + k];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != word[k])
            return false;
    }
    return true;
}

/* The words that are grammar, not names: DynamoDB's one lexer makes tokens of these in every
 * kind of expression ("SET a = and" and "a = set" are syntax errors, not reserved words). */
static bool
is_keyword(const struct parser *p, unsigned i)
{
    static const char *const kw[] = {"ADD", "AND", "BETWEEN", "DELETE", "IN", "NOT", "OR",
                                     "REMOVE", "SET"};

    if (p->t[i].type != TK_NAME)
        return false;
    for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
        if (tok_is_word(p, i, kw[k]))
            return true;
    return false;
}

char *
ddb_expr_tok_dup(struct parser *p, unsigned i)
{
    return arena_strndup(p->ctx->arena, p->text + p->t[i].off, p->t[i].len);
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static struct pnode *
mk(struct parser *p, enum ddb_node_type type, enum cat cat, unsigned tok)
{
    struct pnode *x = arena_calloc(p->ctx->arena, sizeof(*x));

    if (!x)
        return ddb_expr_oom(p);
    x->n.type = type;
    x->cat = cat;
    x->tok = tok;
    return x;
}

struct pnode *
ddb_expr_arg(const struct pnode *x, unsigned i)
{
    return (struct pnode *)x->n.args[i];
}

static bool
add_arg(struct parser *p, struct pnode *x, struct pnode *a)
{
    if (x->n.n_args == x->cap_args) {
        unsigned cap = x->cap_args ? 2 * x->cap_args : 2;
        struct ddb_node **args = arena_alloc(p->ctx->arena, cap * sizeof(*args));

        if (!args) {
            ddb_expr_oom(p);
            return false;
        }
        if (x->n.n_args)
            memcpy(args, x->n.args, x->n.n_args * sizeof(*args));
        x->n.args = args;
        x->cap_args = cap;
    }
    x->n.args[x->n.n_args++] = &a->n;
    return true;
}

static struct pnode *
mk2(struct parser *p, enum ddb_node_type type, enum cat cat, unsigned tok, struct pnode *a,
    struct pnode *b)
{
    struct pnode *x = mk(p, type, cat, tok);

    if (!x || !add_arg(p, x, a) || (b && !add_arg(p, x, b)))
        return NULL;
    return x;
}

/* Parentheses around x. A second pair directly around the first is what DynamoDB calls
 * redundant; it reports that as soon as the outer pair closes, before any syntax error
 * further on ("(a)between(((b.c)).d)and(c)" is refused for its parentheses). */
static bool
group(struct parser *p, struct pnode *x)
{
    if (x->groups++) {
        ddb_expr_fail(p, "The expression has redundant parentheses;");
        return false;
    }
    return true;
}

/* ---- syntax --------------------------------------------------------------------------------- */

static bool
path_start(const struct parser *p)
{
    const struct ddb_tok *t = cur(p);

    return (t->type == TK_NAME && !is_keyword(p, p->pos)) || t->type == TK_HASH;
}

static struct pnode *
parse_path(struct parser *p)
{
    unsigned first = p->pos, n = 0, cap = 4, *etok;
    struct pnode *x;
    const struct ddb_tok *last;

    if (!path_start(p))
        return syntax(p, p->pos);
    x = mk(p, DDB_N_PATH, CAT_OPERAND, first);
    etok = arena_alloc(p->ctx->arena, cap * sizeof(*etok));
    if (!x || !etok)
        return ddb_expr_oom(p);
    for (;;) {
        const struct ddb_tok *t = &p->t[p->pos];

        if (n == cap) {
            unsigned *bigger = arena_alloc(p->ctx->arena, 2 * cap * sizeof(*bigger));

            if (!bigger)
                return ddb_expr_oom(p);
            memcpy(bigger, etok, cap * sizeof(*bigger));
            etok = bigger;
            cap *= 2;
        }
        if (t->type == TK_NUM) {
            /* A list index; the closing bracket was checked by the caller of this step. */
            etok[n++] = p->pos++;
            if (cur(p)->type != TK_RBRACKET)
                return syntax(p, p->pos);
            p->pos++;
        } else {
            etok[n++] = p->pos++;
        }
        if (cur(p)->type == TK_DOT) {
            p->pos++;
            if (!path_start(p))
                return syntax(p, p->pos);
        } else if (cur(p)->type == TK_LBRACKET) {
            p->pos++;
            if (cur(p)->type != TK_NUM)
                return syntax(p, p->pos);
        } else {
            break;
        }
    }
    x->etok = etok;
    x->n.path.n = n;
    x->n.path.e = arena_calloc(p->ctx->arena, n * sizeof(*x->n.path.e));
    last = &p->t[p->pos - 1];
    x->n.path.text = arena_strndup(p->ctx->arena, p->text + p->t[first].off,
                                   last->off + last->len - p->t[first].off);
    if (!x->n.path.e || !x->n.path.text)
        return ddb_expr_oom(p);
    /* Indexes are known now; names wait for the #name checks (ddb_expr_resolve_path). */
    for (unsigned i = 0; i < n; i++) {
        const struct ddb_tok *t = &p->t[etok[i]];
        unsigned long long v = 0;

        if (t->type != TK_NUM)
            continue;
        for (size_t k = 0; k < t->len && v <= 0x7fffffffULL; k++)
            v = v * 10 + (unsigned)(p->text[t->off + k] - '0');
        /* Beyond a Java int: refused once the whole expression has parsed (ddb_expr_check_walk). */
        if (v > 0x7fffffffULL && !x->bad_index)
            x->bad_index = etok[i] + 1;
        x->n.path.e[i].index = v > 0x7fffffffULL ? 0 : (unsigned)v;
    }
    return x;
}

static struct pnode *parse_operand(struct parser *p);
static struct pnode *parse_set_value(struct parser *p);

static struct pnode *
parse_call(struct parser *p)
{
    struct pnode *x = mk(p, DDB_N_FUNC, CAT_FUNC, p->pos);
    const struct ddb_tok *name = cur(p);

    if (!x)
        return NULL;
    for (unsigned f = 0; f < sizeof(ddb_expr_func_names) / sizeof(ddb_expr_func_names[0]); f++)
        if (strlen(ddb_expr_func_names[f]) == name->len &&
            memcmp(ddb_expr_func_names[f], p->text + name->off, name->len) == 0) {
            x->known = true;
            x->n.fn = (enum ddb_func)f;
        }
    p->pos += 2; /* the name and "(" */
    for (;;) {
        struct pnode *a = p->kind == DDB_EXPR_UPDATE ? parse_set_value(p) : parse_operand(p);

        if (!a || !add_arg(p, x, a))
            return NULL;
        if (cur(p)->type == TK_COMMA) {
            p->pos++;
        } else if (cur(p)->type == TK_RPAREN) {
            p->pos++;
            return x;
        } else {
            return syntax(p, p->pos);
        }
    }
}

static struct pnode *
parse_atom(struct parser *p)
{
    const struct ddb_tok *t = &p->t[p->pos];

    if (t->type == TK_COLON) {
        return mk(p, DDB_N_VALUE, CAT_OPERAND, p->pos++);
    }
    if (t->type == TK_NAME && !is_keyword(p, p->pos) && p->t[p->pos + 1].type == TK_LPAREN)
        return parse_call(p);
    return parse_path(p);
}

/* An operand of a comparison, BETWEEN, IN or a function in a condition. */
static struct pnode *
parse_operand(struct parser *p)
{
    struct pnode *x;

    if (cur(p)->type != TK_LPAREN)
        return parse_atom(p);
    p->pos++;
    x = parse_operand(p);
    if (!x)
        return NULL;
    if (cur(p)->type != TK_RPAREN)
        return syntax(p, p->pos);
    p->pos++;
    return group(p, x) ? x : NULL;
}

/* Where a condition is required, a bare operand ends in a syntax error at the next token. */
static bool
need_cond(struct parser *p, const struct pnode *x)
{
    if (x->cat != CAT_OPERAND)
        return true;
    syntax(p, p->pos);
    return false;
}

static bool
cmp_of(enum ddb_tok_type t, enum ddb_cmp *c)
{
    switch (t) {
    case TK_EQ: *c = DDB_EQ; return true;
    case TK_NE: *c = DDB_NE; return true;
    case TK_LT: *c = DDB_LT; return true;
    case TK_LE: *c = DDB_LE; return true;
    case TK_GT: *c = DDB_GT; return true;
    case TK_GE: *c = DDB_GE; return true;
    default: return false;
    }
}

static struct pnode *parse_or(struct parser *p);

static struct pnode *
parse_pred(struct parser *p)
{
    struct pnode *x, *y;
    enum ddb_cmp c;
    unsigned op = 0;

    if (cur(p)->type == TK_LPAREN) {
        p->pos++;
        x = parse_or(p);
        if (!x)
            return NULL;
        if (cur(p)->type != TK_RPAREN)
            return syntax(p, p->pos);
        p->pos++;
        if (!group(p, x))
            return NULL;
    } else {
        x = parse_atom(p);
        if (!x)
            return NULL;
    }
    if (x->cat == CAT_COND)
        return x;
    op = p->pos;
    if (cmp_of(cur(p)->type, &c)) {
        p->pos++;
        if (!(y = parse_operand(p)) || !(x = mk2(p, DDB_N_CMP, CAT_COND, op, x, y)))
            return NULL;
        x->n.cmp = c;
        return x;
    }
    if (tok_is_word(p, op, "BETWEEN")) {
        struct pnode *lo, *hi;

        p->pos++;
        if (!(lo = parse_operand(p)))
            return NULL;
        if (!tok_is_word(p, p->pos, "AND"))
            return syntax(p, p->pos);
        p->pos++;
        if (!(hi = parse_operand(p)) || !(x = mk2(p, DDB_N_BETWEEN, CAT_COND, op, x, lo)) ||
            !add_arg(p, x, hi))
            return NULL;
        return x;
    }
    if (tok_is_word(p, op, "IN")) {
        p->pos++;
        if (cur(p)->type != TK_LPAREN)
            return syntax(p, p->pos);
        p->pos++;
        if (!(x = mk2(p, DDB_N_IN, CAT_COND, op, x, NULL)))
            return NULL;
        for (;;) {
            if (!(y = parse_operand(p)) || !add_arg(p, x, y))
                return NULL;
            if (cur(p)->type == TK_COMMA) {
                p->pos++;
            } else if (cur(p)->type == TK_RPAREN) {
                p->pos++;
                return x;
            } else {
                return syntax(p, p->pos);
            }
        }
    }
    return x;
}

static struct pnode *
parse_not(struct parser *p)
{
    struct pnode *x;
    unsigned op = p->pos;

    if (!tok_is_word(p, op, "NOT"))
        return parse_pred(p);
    p->pos++;
    if (!(x = parse_not(p)) || !need_cond(p, x))
        return NULL;
    return mk2(p, DDB_N_NOT, CAT_COND, op, x, NULL);
}

/* operand (word operand)*: a left-associative chain of AND or OR, both of conditions. */
static struct pnode *
parse_chain(struct parser *p, const char *word, enum ddb_node_type type,
            struct pnode *(*operand)(struct parser *))
{
    struct pnode *x = operand(p), *y;

    while (x && tok_is_word(p, p->pos, word)) {
        unsigned op = p->pos;

        if (!need_cond(p, x))
            return NULL;
        p->pos++;
        if (!(y = operand(p)) || !need_cond(p, y))
            return NULL;
        x = mk2(p, type, CAT_COND, op, x, y);
    }
    return x;
}

static struct pnode *
parse_and(struct parser *p)
{
    return parse_chain(p, "AND", DDB_N_AND, parse_not);
}

static struct pnode *
parse_or(struct parser *p)
{
    return parse_chain(p, "OR", DDB_N_OR, parse_and);
}

/* An update's SET operand term and value (one + or - at most). */
static struct pnode *
parse_set_term(struct parser *p)
{
    struct pnode *x;

    if (cur(p)->type != TK_LPAREN)
        return parse_atom(p);
    p->pos++;
    if (!(x = parse_set_value(p)))
        return NULL;
    if (cur(p)->type != TK_RPAREN)
        return syntax(p, p->pos);
    p->pos++;
    return group(p, x) ? x : NULL;
}

static struct pnode *
parse_set_value(struct parser *p)
{
    struct pnode *x = parse_set_term(p), *y;
    unsigned op = p->pos;
    enum ddb_node_type type;

    if (!x)
        return NULL;
    if (cur(p)->type == TK_PLUS)
        type = DDB_N_PLUS;
    else if (cur(p)->type == TK_MINUS)
        type = DDB_N_MINUS;
    else
        return x;
    p->pos++;
    if (!(y = parse_set_term(p)))
        return NULL;
    return mk2(p, type, CAT_OPERAND, op, x, y);
}

/* ---- entry points --------------------------------------------------------------------------- */

/* The length DynamoDB measures an expression in: UTF-16 code units, as Java counts them. */
static size_t
utf16_length(const char *text)
{
    size_t n = 0;

    for (const unsigned char *u = (const unsigned char *)text; *u; u++)
        if ((*u & 0xC0) != 0x80)
            n += *u >= 0xF0 ? 2 : 1;
    return n;
}

/* Common start: the maps, an empty text, the tokens. */
static int
begin(struct parser *p, struct ddb_expr_ctx *ctx, enum ddb_expr_kind kind, const char *text)
{
    size_t size;

    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->kind = kind;
    p->text = text ? text : "";
    ctx->err[0] = '\0';
    if (ddb_expr_check_maps(ctx))
        return -1;
    /* Only the empty string is empty: blanks are a syntax error at <EOF>. */
    if (!text || !*text) {
        ddb_expr_fail(p, "The expression can not be empty;");
        return -1;
    }
    if ((size = utf16_length(text)) > MAX_EXPRESSION_SIZE) {
        if (kind == DDB_EXPR_UPDATE || kind == DDB_EXPR_PROJECTION)
            ddb_expr_fail(p, "Expression size has exceeded the maximum allowed size;");
        else
            ddb_expr_fail(
                p, "Expression size has exceeded the maximum allowed size; expression size: %zu",
                size);
        return -1;
    }
    if (ddb_expr_lex(ctx->arena, text, &p->t, &p->n)) {
        ddb_expr_oom(p);
        return -1;
    }
    return 0;
}

struct ddb_node *
ddb_expr_parse_condition(struct ddb_expr_ctx *ctx, enum ddb_expr_kind kind, const char *text)
{
    struct parser p;
    struct pnode *x;

    if (begin(&p, ctx, kind, text))
        return NULL;
    if (!(x = parse_or(&p)) || !need_cond(&p, x))
        return NULL;
    if (cur(&p)->type != TK_EOF)
        return syntax(&p, p.pos);
    if (!ddb_expr_check_walk(&p, x, 0) || !ddb_expr_check_node(&p, x))
        return NULL;
    if (kind == DDB_EXPR_KEY_CONDITION) {
        /* No more conditions than tokens. */
        const char **seen = arena_alloc(ctx->arena, p.n * sizeof(*seen));
        unsigned n = 0;

        if (!seen)
            return ddb_expr_oom(&p);
        if (!ddb_expr_check_key_shape(&p, x) || !ddb_expr_check_key_once(&p, x, seen, &n))
            return NULL;
    }
    return &x->n;
}

struct ddb_update *
ddb_expr_parse_update(struct ddb_expr_ctx *ctx, const char *text)
{
    static const char *const sections[] = {"SET", "REMOVE", "ADD", "DELETE"};
    static const enum ddb_update_op ops[] = {DDB_UPD_SET, DDB_UPD_REMOVE, DDB_UPD_ADD,
                                             DDB_UPD_DELETE};
    struct parser p;
    struct ddb_update *u;
    struct pnode **targets;
    struct trie *root;
    bool seen[4] = {false, false, false, false};
    const char *dup;
    unsigned cap = 8;

    if (begin(&p, ctx, DDB_EXPR_UPDATE, text))
        return NULL;
    u = arena_calloc(ctx->arena, sizeof(*u));
    targets = arena_alloc(ctx->arena, cap * sizeof(*targets));
    if (!u || !(u->a = arena_alloc(ctx->arena, cap * sizeof(*u->a))) || !targets)
        return ddb_expr_oom(&p);
    while (cur(&p)->type != TK_EOF) {
        unsigned s = 0;

        while (s < 4 && !tok_is_word(&p, p.pos, sections[s]))
            s++;
        if (s == 4)
            return syntax(&p, p.pos);
        dup = seen[s] ? sections[s] : NULL;
        seen[s] = true;
        p.pos++;
        do {
            struct ddb_update_action *a;
            struct pnode *target, *value = NULL;

            if (u->n == cap) {
                struct ddb_update_action *more = arena_alloc(ctx->arena, 2 * cap * sizeof(*more));
                struct pnode **more_t = arena_alloc(ctx->arena, 2 * cap * sizeof(*more_t));

                if (!more || !more_t)
                    return ddb_expr_oom(&p);
                memcpy(more, u->a, cap * sizeof(*more));
                memcpy(more_t, targets, cap * sizeof(*more_t));
                u->a = more;
                targets = more_t;
                cap *= 2;
            }
            if (!(target = parse_path(&p)))
                return NULL;
            if (ops[s] == DDB_UPD_SET) {
                if (cur(&p)->type != TK_EQ)
                    return syntax(&p, p.pos);
                p.pos++;
                if (!(value = parse_set_value(&p)))
                    return NULL;
            } else if (ops[s] == DDB_UPD_ADD || ops[s] == DDB_UPD_DELETE) {
                if (cur(&p)->type != TK_COLON)
                    return syntax(&p, p.pos);
                if (!(value = parse_atom(&p)))
                    return NULL;
            }
            a = &u->a[u->n];
            a->op = ops[s];
            a->value = value ? &value->n : NULL;
            targets[u->n++] = target;
            if (cur(&p)->type != TK_COMMA)
                break;
            p.pos++;
        } while (true);
        /* A clause ends at the next clause keyword or the end. */
        if (cur(&p)->type != TK_EOF && !is_keyword(&p, p.pos))
            return syntax(&p, p.pos);
        /* DynamoDB refuses a repeated clause where it ends (in its walk of the actions). */
        if (dup && !p.dup_section) {
            p.dup_section = dup;
            p.dup_after = u->n - 1;
        }
    }
    for (unsigned i = 0; i < u->n; i++) {
        if (!ddb_expr_check_walk(&p, targets[i], 0) ||
            (u->a[i].value && !ddb_expr_check_walk(&p, (struct pnode *)u->a[i].value, 0)))
            return NULL;
        if (p.dup_section && p.dup_after == i)
            return ddb_expr_fail(&p, "The \"%s\" section can only be used once in an update "
                            "expression;", p.dup_section);
    }
    /* The paths written to, their #names first, then as one tree (overlaps, conflicts). */
    for (unsigned i = 0; i < u->n; i++) {
        if (!ddb_expr_resolve_path(&p, targets[i]))
            return NULL;
        u->a[i].path = targets[i]->n.path;
    }
    if (!(root = ddb_expr_trie_new(&p)))
        return NULL;
    for (unsigned i = 0; i < u->n; i++)
        if (!ddb_expr_trie_insert(&p, root, &u->a[i].path))
            return NULL;
    /* Then what ADD and DELETE take (DynamoDB reports these before any SET operand), then the
     * SET operands. */
    for (unsigned i = 0; i < u->n; i++)
        if (u->a[i].op != DDB_UPD_SET && u->a[i].value &&
            (!ddb_expr_check_node(&p, (struct pnode *)u->a[i].value) ||
             !ddb_expr_check_add_delete(&p, &u->a[i])))
            return NULL;
    for (unsigned i = 0; i < u->n; i++)
        if (u->a[i].op == DDB_UPD_SET && !ddb_expr_check_node(&p, (struct pnode *)u->a[i].value))
            return NULL;
    return u;
}

struct ddb_projection *
ddb_expr_parse_projection(struct ddb_expr_ctx *ctx, const char *text)
{
    struct parser p;
    struct ddb_projection *pr;
    struct pnode **xs;
    struct trie *root;
    unsigned cap;

    if (begin(&p, ctx, DDB_EXPR_PROJECTION, text))
        return NULL;
    cap = p.n; /* never more paths than tokens */
    pr = arena_calloc(ctx->arena, sizeof(*pr));
    xs = arena_alloc(ctx->arena, cap * sizeof(*xs));
    if (!pr || !xs || !(pr->paths = arena_alloc(ctx->arena, cap * sizeof(*pr->paths))))
        return ddb_expr_oom(&p);
    for (;;) {
        if (!(xs[pr->n++] = parse_path(&p)))
            return NULL;
        if (cur(&p)->type == TK_EOF)
            break;
        if (cur(&p)->type != TK_COMMA)
            return syntax(&p, p.pos);
        p.pos++;
    }
    for (unsigned i = 0; i < pr->n; i++)
        if (!ddb_expr_check_walk(&p, xs[i], 0))
            return NULL;
    for (unsigned i = 0; i < pr->n; i++) {
        if (!ddb_expr_resolve_path(&p, xs[i]))
            return NULL;
        pr->paths[i] = xs[i]->n.path;
    }
    if (!(root = ddb_expr_trie_new(&p)))
        return NULL;
    for (unsigned i = 0; i < pr->n; i++)
        if (!ddb_expr_trie_insert(&p, root, &pr->paths[i]))
            return NULL;
    return pr;
}
