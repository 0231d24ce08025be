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
 * of tree. Key conditions finally get the operators and shapes a key condition may use. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

/* What a node can stand for, syntactically. A function call is either until the function
 * checks decide (size() is an operand, begins_with() a condition). */
enum cat { CAT_OPERAND, CAT_COND, CAT_FUNC };

/* A node as the parser builds it. The public node comes first, so the tree handed out is a
 * tree of struct ddb_node and the passes can get back to the parse facts. */
struct pnode {
    struct ddb_node n;
    enum cat cat;
    unsigned groups;   /* parentheses written directly around it */
    unsigned tok;      /* FUNC: its name; PATH: first token; VALUE: the :value; else operator */
    unsigned *etok;    /* PATH: the token of each element */
    unsigned cap_args;
    unsigned bad_index; /* PATH: 1 + the token of an index too large for a list, or 0 */
    bool known;        /* FUNC: the name is one of DynamoDB's functions */
    bool resolved;     /* PATH / VALUE: names and value looked up */
};

struct parser {
    struct ddb_expr_ctx *ctx;
    enum ddb_expr_kind kind;
    const char *text;
    struct ddb_tok *t;
    unsigned n, pos;
    bool failed;
    const char *dup_section; /* update: the first clause written twice ... */
    unsigned dup_after;       /* ... whose last action is this one */
    unsigned operators;      /* counted towards MAX_OPERATORS by check_node() */
};

/* "Constraints in Amazon DynamoDB", expression parameters: an expression string is at most
 * 4 KB (4096 UTF-16 code units, as Java counts them), holds at most 300 operators or
 * functions, and IN takes at most 100 values. The size limit also bounds the parser's
 * recursion (one level per parenthesis or NOT at most). */
#define MAX_EXPRESSION_SIZE 4096 /* UTF-16 code units */
#define MAX_OPERATORS 300
#define MAX_IN_OPERANDS 100
/* Items nest at most 32 levels, and so may a document path. */
#define MAX_PATH_DEPTH 32

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

static const unsigned func_arity[] = {
    [DDB_F_ATTRIBUTE_EXISTS] = 1, [DDB_F_ATTRIBUTE_NOT_EXISTS] = 1, [DDB_F_ATTRIBUTE_TYPE] = 2,
    [DDB_F_BEGINS_WITH] = 2,      [DDB_F_CONTAINS] = 2,             [DDB_F_SIZE] = 1,
    [DDB_F_IF_NOT_EXISTS] = 2,    [DDB_F_LIST_APPEND] = 2,
};

static const char *const cmp_names[] = {
    [DDB_EQ] = "=", [DDB_NE] = "<>", [DDB_LT] = "<",
    [DDB_LE] = "<=", [DDB_GT] = ">", [DDB_GE] = ">=",
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
static void __attribute__((format(printf, 2, 3)))
ctx_fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verr(ctx, NULL, fmt, ap);
    va_end(ap);
}

/* Record the first error of this expression, prefixed with its parameter; returns NULL so
 * that callers can `return fail(...)`. */
static void *__attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
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

static void *__attribute__((format(printf, 2, 3)))
fail_raw(struct parser *p, const char *fmt, ...)
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

static void *
oom(struct parser *p)
{
    return fail_raw(p, "The expression could not be parsed: out of memory");
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
        return fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"", (int)(end - start),
                    p->text + start);
    if (p->t[i + 1].type != TK_EOF)
        end = p->t[i + 1].off + p->t[i + 1].len;
    return fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)t->len, p->text + t->off,
                (int)(end - start), p->text + start);
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

static char *
tok_dup(struct parser *p, unsigned i)
{
    return arena_strndup(p->ctx->arena, p->text + p->t[i].off, p->t[i].len);
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static struct pnode *
mk(struct parser *p, enum ddb_node_type type, enum cat cat, unsigned tok)
{
    struct pnode *x = arena_calloc(p->ctx->arena, sizeof(*x));

    if (!x)
        return oom(p);
    x->n.type = type;
    x->cat = cat;
    x->tok = tok;
    return x;
}

static struct pnode *
arg(const struct pnode *x, unsigned i)
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
            oom(p);
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
        fail(p, "The expression has redundant parentheses;");
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
        return oom(p);
    for (;;) {
        const struct ddb_tok *t = &p->t[p->pos];

        if (n == cap) {
            unsigned *bigger = arena_alloc(p->ctx->arena, 2 * cap * sizeof(*bigger));

            if (!bigger)
                return oom(p);
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
        return oom(p);
    /* Indexes are known now; names wait for the #name checks (resolve_path). */
    for (unsigned i = 0; i < n; i++) {
        const struct ddb_tok *t = &p->t[etok[i]];
        unsigned long long v = 0;

        if (t->type != TK_NUM)
            continue;
        for (size_t k = 0; k < t->len && v <= 0x7fffffffULL; k++)
            v = v * 10 + (unsigned)(p->text[t->off + k] - '0');
        /* Beyond a Java int: refused once the whole expression has parsed (check_walk). */
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
    for (unsigned f = 0; f < sizeof(func_names) / sizeof(func_names[0]); f++)
        if (strlen(func_names[f]) == name->len &&
            memcmp(func_names[f], p->text + name->off, name->len) == 0) {
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

static struct pnode *
parse_and(struct parser *p)
{
    struct pnode *x = parse_not(p), *y;

    while (x && tok_is_word(p, p->pos, "AND")) {
        unsigned op = p->pos;

        if (!need_cond(p, x))
            return NULL;
        p->pos++;
        if (!(y = parse_not(p)) || !need_cond(p, y))
            return NULL;
        x = mk2(p, DDB_N_AND, CAT_COND, op, x, y);
    }
    return x;
}

static struct pnode *
parse_or(struct parser *p)
{
    struct pnode *x = parse_and(p), *y;

    while (x && tok_is_word(p, p->pos, "OR")) {
        unsigned op = p->pos;

        if (!need_cond(p, x))
            return NULL;
        p->pos++;
        if (!(y = parse_and(p)) || !need_cond(p, y))
            return NULL;
        x = mk2(p, DDB_N_OR, CAT_COND, op, x, y);
    }
    return x;
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

/* ---- maps, names and values ----------------------------------------------------------------- */

static bool
valid_placeholder(const char *key, char sigil)
{
    if (key[0] != sigil || key[1] == '\0')
        return false;
    for (const char *c = key + 1; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return false;
    return true;
}

/* What DynamoDB checks of ExpressionAttributeNames / Values before any expression. */
static int
check_maps(struct ddb_expr_ctx *ctx)
{
    const char *key;
    json_t *v;

    if (ctx->names && json_object_size(ctx->names) == 0) {
        ctx_fail(ctx, "ExpressionAttributeNames must not be empty");
        return -1;
    }
    if (ctx->names)
        json_object_foreach((json_t *)ctx->names, key, v)
            if (!valid_placeholder(key, '#')) {
                ctx_fail(ctx, "ExpressionAttributeNames contains invalid key: Syntax error; "
                              "key: \"%s\"", key);
                return -1;
            }
    if (ctx->values && json_object_size(ctx->values) == 0) {
        ctx_fail(ctx, "ExpressionAttributeValues must not be empty");
        return -1;
    }
    if (ctx->values)
        json_object_foreach((json_t *)ctx->values, key, v)
            if (!valid_placeholder(key, ':')) {
                ctx_fail(ctx, "ExpressionAttributeValues contains invalid key: Syntax error; "
                              "key: \"%s\"", key);
                return -1;
            }
    return 0;
}

/* The #name or :value of token i, or NULL (reported) when the request does not define it. */
static const json_t *
lookup(struct parser *p, unsigned i)
{
    const struct ddb_tok *t = &p->t[i];
    const json_t *map = t->type == TK_HASH ? p->ctx->names : p->ctx->values;
    char *key = tok_dup(p, i);
    const json_t *v;

    if (!key)
        return oom(p);
    v = map ? json_object_get(map, key) : NULL;
    if (!v) {
        if (t->type == TK_HASH)
            return fail(p, "An expression attribute name used in the document path is not "
                           "defined; attribute name: %s", key);
        return fail(p, "An expression attribute value used in expression is not defined; "
                       "attribute value: %s", key);
    }
    if (p->ctx->used)
        json_object_set_new(p->ctx->used, key, json_true());
    return v;
}

static bool
resolve_path(struct parser *p, struct pnode *x)
{
    if (x->resolved)
        return true;
    if (x->n.path.n > MAX_PATH_DEPTH) {
        fail(p, "The document path has too many nesting levels; nesting levels: %u",
             x->n.path.n);
        return false;
    }
    for (unsigned i = 0; i < x->n.path.n; i++) {
        const struct ddb_tok *t = &p->t[x->etok[i]];

        if (t->type == TK_NUM)
            continue;
        if (t->type == TK_HASH) {
            const json_t *name = lookup(p, x->etok[i]);

            if (!name)
                return false;
            x->n.path.e[i].name = arena_strdup(p->ctx->arena, json_string_value(name));
            /* A #name mapped to something other than a string names nothing usable. */
            if (!x->n.path.e[i].name)
                x->n.path.e[i].name = "";
        } else {
            x->n.path.e[i].name = tok_dup(p, x->etok[i]);
            if (!x->n.path.e[i].name) {
                oom(p);
                return false;
            }
        }
    }
    x->resolved = true;
    return true;
}

static bool
resolve_value(struct parser *p, struct pnode *x)
{
    if (x->resolved)
        return true;
    if (!(x->n.value = lookup(p, x->tok)))
        return false;
    if (!(x->n.value_name = tok_dup(p, x->tok))) {
        oom(p);
        return false;
    }
    x->resolved = true;
    return true;
}

/* ---- paths: equality, overlap, conflict, text ---------------------------------------------- */

static bool
elem_equal(const struct ddb_path_elem *a, const struct ddb_path_elem *b)
{
    if (a->name && b->name)
        return strcmp(a->name, b->name) == 0;
    return !a->name && !b->name && a->index == b->index;
}

static bool
path_equal(const struct ddb_path *a, const struct ddb_path *b)
{
    if (a->n != b->n)
        return false;
    for (unsigned i = 0; i < a->n; i++)
        if (!elem_equal(&a->e[i], &b->e[i]))
            return false;
    return true;
}

/* DynamoDB's rendering of a path in messages: [a, b, [2], c]. */
static const char *
path_list(struct parser *p, const struct ddb_path *path)
{
    size_t size = 3;
    char *s, *o;

    for (unsigned i = 0; i < path->n; i++)
        size += (path->e[i].name ? strlen(path->e[i].name) : 12) + 2;
    if (!(s = arena_alloc(p->ctx->arena, size)))
        return "[]";
    o = s;
    *o++ = '[';
    for (unsigned i = 0; i < path->n; i++) {
        if (i)
            o += sprintf(o, ", ");
        if (path->e[i].name)
            o += sprintf(o, "%s", path->e[i].name);
        else
            o += sprintf(o, "[%u]", path->e[i].index);
    }
    sprintf(o, "]");
    return s;
}

/* Overlapping and conflicting paths, found the way DynamoDB finds them: the paths go one by one
 * into a tree of their elements; a path that ends where another continues, or continues where
 * another ends, overlaps it; one that steps into a list where another steps into a map (or
 * the reverse) conflicts with it. The message names as "path one" a path already in the tree,
 * reached by taking at each level the first child in the iteration order of a Java HashMap
 * keyed by the element (which is why "a, b, a" is reported as [b] against [a]), and as
 * "path two" the path being added. */
struct trie_kid {
    const struct ddb_path_elem *e;
    struct trie *child; /* NULL: a path ends here */
    uint32_t hash;
};

struct trie {
    struct trie_kid *kids;
    unsigned n, cap;
};

/* Java's String.hashCode() over the UTF-16 form of a UTF-8 name. */
static uint32_t
java_string_hash(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t h = 0;

    while (*u) {
        uint32_t cp = *u++;
        int more = 0;

        if (cp >= 0xF0) {
            cp &= 0x07;
            more = 3;
        } else if (cp >= 0xE0) {
            cp &= 0x0F;
            more = 2;
        } else if (cp >= 0xC0) {
            cp &= 0x1F;
            more = 1;
        }
        for (; more > 0 && (*u & 0xC0) == 0x80; more--)
            cp = (cp << 6) | (*u++ & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return h;
}

/* The element's hashCode(): HashCodeBuilder(8191, 127) over the name or the index. */
static uint32_t
elem_hash(const struct ddb_path_elem *e)
{
    return 8191u * 127u + (e->name ? java_string_hash(e->name) : e->index);
}

/* The child a java.util.HashMap would iterate first: lowest bucket of the table the map has
 * grown to (16, doubled past 3/4 full), the earlier insertion within a bucket. */
static const struct trie_kid *
trie_first(const struct trie *t)
{
    uint32_t cap = 16, best_bucket = UINT32_MAX;
    const struct trie_kid *best = NULL;

    while (t->n > cap / 4 * 3)
        cap *= 2;
    for (unsigned i = 0; i < t->n; i++) {
        uint32_t h = t->kids[i].hash, bucket = (h ^ (h >> 16)) & (cap - 1);

        if (bucket < best_bucket) {
            best_bucket = bucket;
            best = &t->kids[i];
        }
    }
    return best;
}

/* The elements of path before depth, then the tree's first branch from t down to its end. */
static const char *
trie_branch(struct parser *p, const struct ddb_path *path, unsigned depth, const struct trie *t)
{
    struct ddb_path out = {0, NULL, NULL};
    unsigned cap = depth + 8;

    if (!(out.e = arena_alloc(p->ctx->arena, cap * sizeof(*out.e))))
        return "[]";
    for (unsigned i = 0; i < depth; i++)
        out.e[out.n++] = path->e[i];
    while (t && t->n) {
        const struct trie_kid *k = trie_first(t);

        if (out.n == cap) {
            struct ddb_path_elem *more = arena_alloc(p->ctx->arena, 2 * cap * sizeof(*more));

            if (!more)
                return "[]";
            memcpy(more, out.e, cap * sizeof(*more));
            out.e = more;
            cap *= 2;
        }
        out.e[out.n++] = *k->e;
        t = k->child;
    }
    return path_list(p, &out);
}

static struct trie *
trie_new(struct parser *p)
{
    struct trie *t = arena_calloc(p->ctx->arena, sizeof(*t));

    if (!t)
        oom(p);
    return t;
}

static bool
trie_add_kid(struct parser *p, struct trie *t, const struct ddb_path_elem *e, struct trie *child)
{
    if (t->n == t->cap) {
        unsigned cap = t->cap ? 2 * t->cap : 4;
        struct trie_kid *kids = arena_alloc(p->ctx->arena, cap * sizeof(*kids));

        if (!kids) {
            oom(p);
            return false;
        }
        if (t->n)
            memcpy(kids, t->kids, t->n * sizeof(*kids));
        t->kids = kids;
        t->cap = cap;
    }
    t->kids[t->n].e = e;
    t->kids[t->n].child = child;
    t->kids[t->n].hash = elem_hash(e);
    t->n++;
    return true;
}

/* Add path to the tree rooted at root; false (reported) on an overlap or a conflict. */
static bool
trie_insert(struct parser *p, struct trie *root, const struct ddb_path *path)
{
    struct trie *t = root;

    for (unsigned depth = 0;; depth++) {
        const struct ddb_path_elem *e = &path->e[depth];
        struct trie_kid *k = NULL;

        for (unsigned i = 0; i < t->n && !k; i++)
            if (elem_equal(t->kids[i].e, e))
                k = &t->kids[i];
        if (!k) {
            struct trie *child = NULL, *parent;

            if (t->n && !t->kids[0].e->name != !e->name) {
                fail(p, "Two document paths conflict with each other; must remove or rewrite "
                        "one of these paths; path one: %s, path two: %s",
                     trie_branch(p, path, depth, t), path_list(p, path));
                return false;
            }
            /* The rest of the path as a chain of single children. */
            if (depth + 1 < path->n && !(child = trie_new(p)))
                return false;
            if (!trie_add_kid(p, t, e, child))
                return false;
            for (unsigned i = depth + 1; i < path->n; i++) {
                parent = child;
                child = i + 1 < path->n ? trie_new(p) : NULL;
                if ((i + 1 < path->n && !child) || !trie_add_kid(p, parent, &path->e[i], child))
                    return false;
            }
            return true;
        }
        if (k->child && depth + 1 < path->n) {
            t = k->child;
            continue;
        }
        fail(p, "Two document paths overlap with each other; must remove or rewrite one of "
                "these paths; path one: %s, path two: %s",
             trie_branch(p, path, depth, t), path_list(p, path));
        return false;
    }
}

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
            fail(p, "Attribute name is a reserved keyword; reserved keyword: %.*s", (int)t->len,
                 p->text + t->off);
            return false;
        }
        if (x->bad_index == x->etok[i] + 1) {
            fail(p, "List index is not within the allowable range; index: [%.*s]", (int)t->len,
                 p->text + t->off);
            return false;
        }
    }
    return true;
}

static bool
check_walk(struct parser *p, const struct pnode *x, unsigned nesting)
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
            fail(p, "Invalid function name; function: %.*s", (int)t->len, p->text + t->off);
            return false;
        }
        if (update && f != DDB_F_IF_NOT_EXISTS && f != DDB_F_LIST_APPEND) {
            fail(p, "The function is not allowed in an update expression; function: %s",
                 func_names[f]);
            return false;
        }
        if (!update && (f == DDB_F_IF_NOT_EXISTS || f == DDB_F_LIST_APPEND)) {
            fail(p, "The function is not allowed in a condition expression; function: %s",
                 func_names[f]);
            return false;
        }
        if (update ? nesting > 0 && f != DDB_F_IF_NOT_EXISTS
                   : (nesting == 0) == (f == DDB_F_SIZE)) {
            fail(p, "The function is not allowed to be used this way in an expression; "
                    "function: %s", func_names[f]);
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
        if (!check_walk(p, arg(x, i), nesting))
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
    case DDB_N_FUNC: return func_names[x->n.fn];
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
        const char *type = operand_types(arg(x, i));

        if (strcmp(type, ANY_TYPE) != 0 && !type_in(type, allowed)) {
            fail(p, "Incorrect operand type for operator or function; operator or function: "
                    "%s, operand type: %s", op_name(x), type);
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
    first = arg(x, 0);
    if (first->n.type != DDB_N_PATH)
        return true;
    for (unsigned i = 1; i < x->n.n_args; i++) {
        const struct pnode *later = arg(x, i);

        if (later->n.type == DDB_N_PATH && path_equal(&first->n.path, &later->n.path)) {
            fail(p, "The first operand must be distinct from the remaining operands for this "
                    "operator or function; operator: %s, first operand: %s", op_name(x),
                 path_list(p, &first->n.path));
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
            if (arg(x, 0)->n.type == DDB_N_PATH)
                return true;
            fail(p, "Operator or function requires a document path; operator or function: %s",
                 func_names[x->n.fn]);
            return false;
        case DDB_F_ATTRIBUTE_TYPE: {
            const json_t *name;

            a = arg(x, 1);
            if (a->n.type != DDB_N_VALUE || !(name = json_object_get(a->n.value, "S"))) {
                fail(p, "Incorrect operand type for operator or function; operator or "
                        "function: attribute_type, operand type: %s", operand_types(a));
                return false;
            }
            if (type_in(json_string_value(name), types))
                return true;
            fail(p, "Invalid attribute type name found; type: %s, valid types: "
                    "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}", json_string_value(name));
            return false;
        }
        default:
            return true;
        }
    case DDB_N_BETWEEN: {
        const struct pnode *lo = arg(x, 1), *hi = arg(x, 2);
        const char *lt, *ht;
        int c;

        if (lo->n.type != DDB_N_VALUE || hi->n.type != DDB_N_VALUE)
            return true;
        lt = operand_types(lo);
        ht = operand_types(hi);
        if (strcmp(lt, ht) != 0) {
            fail(p, "The BETWEEN operator requires same data type for lower and upper bounds; "
                    "lower bound operand: AttributeValue: %s, upper bound operand: "
                    "AttributeValue: %s", show_value(p, lo->n.value), show_value(p, hi->n.value));
            return false;
        }
        if (ddb_value_cmp(lo->n.value, hi->n.value, &c) == 0 && c > 0) {
            fail(p, "The BETWEEN operator requires upper bound to be greater than or equal to "
                    "lower bound; lower bound operand: AttributeValue: %s, upper bound operand: "
                    "AttributeValue: %s", show_value(p, lo->n.value), show_value(p, hi->n.value));
            return false;
        }
        return true;
    }
    case DDB_N_IN:
        if (x->n.n_args - 1 <= MAX_IN_OPERANDS)
            return true;
        fail(p, "The IN operator is provided with too many operands; number of operands: %u",
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
static bool
check_node(struct parser *p, struct pnode *x)
{
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (!check_node(p, arg(x, i)))
            return false;
    switch (x->n.type) {
    case DDB_N_PATH:
        return resolve_path(p, x);
    case DDB_N_VALUE:
        return resolve_value(p, x);
    case DDB_N_AND:
    case DDB_N_OR:
    case DDB_N_NOT:
        return true;
    default:
        break;
    }
    if (x->n.type == DDB_N_FUNC && x->n.n_args != func_arity[x->n.fn]) {
        fail(p, "Incorrect number of operands for operator or function; operator or function: "
                "%s, number of operands: %u", func_names[x->n.fn], x->n.n_args);
        return false;
    }
    if (!check_operand_types(p, x) || !check_distinct(p, x) || !check_operator_rules(p, x))
        return false;
    if (++p->operators > MAX_OPERATORS) {
        fail(p, "The expression contains too many operators; operator count: %u", p->operators);
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
        n += arg(x, i)->n.type == DDB_N_PATH;
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
static bool
check_key_shape(struct parser *p, const struct pnode *x)
{
    const char *bad = NULL;

    switch (x->n.type) {
    case DDB_N_AND:
        return check_key_shape(p, arg(x, 0)) && check_key_shape(p, arg(x, 1));
    case DDB_N_OR: bad = "OR"; break;
    case DDB_N_NOT: bad = "NOT"; break;
    case DDB_N_IN: bad = "IN"; break;
    case DDB_N_FUNC:
        if (x->n.fn != DDB_F_BEGINS_WITH)
            bad = func_names[x->n.fn];
        break;
    case DDB_N_CMP:
        if (x->n.cmp == DDB_NE)
            bad = "<>";
        break;
    default:
        break;
    }
    if (bad) {
        fail_raw(p, "Invalid operator used in KeyConditionExpression: %s", bad);
        return false;
    }
    if (x->n.type == DDB_N_BETWEEN || x->n.type == DDB_N_FUNC) {
        const char *op = x->n.type == DDB_N_BETWEEN ? "BETWEEN" : "begins_with";

        if (arg(x, 0)->n.type != DDB_N_PATH) {
            fail_raw(p, "Invalid condition in KeyConditionExpression: %s operator must have the "
                        "key attribute as its first operand", op);
            return false;
        }
        if (count_paths(x, 1)) {
            fail_raw(p, "Invalid condition in KeyConditionExpression: Multiple attribute names "
                        "used in one condition");
            return false;
        }
    }
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (arg(x, i)->n.type == DDB_N_FUNC) {
            fail_raw(p, "KeyConditionExpressions cannot contain nested operations");
            return false;
        }
    if (x->n.type == DDB_N_CMP) {
        if (nested(arg(x, 0))) {
            fail_raw(p, "KeyConditionExpressions cannot have conditions on nested attributes");
            return false;
        }
        if (count_paths(x, 0) == 2) {
            fail_raw(p, "Invalid condition in KeyConditionExpression: Multiple attribute names "
                        "used in one condition");
            return false;
        }
        if (count_paths(x, 0) == 0) {
            fail_raw(p, "Invalid condition in KeyConditionExpression: No key attribute "
                        "specified");
            return false;
        }
    }
    for (unsigned i = 0; i < x->n.n_args; i++)
        if (nested(arg(x, i))) {
            fail_raw(p, "KeyConditionExpressions cannot have conditions on nested attributes");
            return false;
        }
    return true;
}

/* The attribute each condition of a key condition is on; one condition per attribute, which
 * DynamoDB checks before it looks at the table's key schema. */
static bool
check_key_once(struct parser *p, const struct pnode *x, const char **seen, unsigned *n)
{
    const struct pnode *key = NULL;

    if (x->n.type == DDB_N_AND)
        return check_key_once(p, arg(x, 0), seen, n) && check_key_once(p, arg(x, 1), seen, n);
    for (unsigned i = 0; i < x->n.n_args && !key; i++)
        if (arg(x, i)->n.type == DDB_N_PATH)
            key = arg(x, i);
    if (!key)
        return true;
    for (unsigned i = 0; i < *n; i++)
        if (strcmp(seen[i], key->n.path.e[0].name) == 0) {
            fail_raw(p, "KeyConditionExpressions must only contain one condition per key");
            return false;
        }
    seen[(*n)++] = key->n.path.e[0].name;
    return true;
}

/* ---- entry points --------------------------------------------------------------------------- */

void
ddb_expr_ctx_init(struct ddb_expr_ctx *ctx, struct arena *arena, const json_t *names,
                  const json_t *values)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = arena;
    ctx->names = names;
    ctx->values = values;
    ctx->used = json_object();
}

void
ddb_expr_ctx_release(struct ddb_expr_ctx *ctx)
{
    json_decref(ctx->used);
    ctx->used = NULL;
}

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
    if (check_maps(ctx))
        return -1;
    /* Only the empty string is empty: blanks are a syntax error at <EOF>. */
    if (!text || !*text) {
        fail(p, "The expression can not be empty;");
        return -1;
    }
    if ((size = utf16_length(text)) > MAX_EXPRESSION_SIZE) {
        if (kind == DDB_EXPR_UPDATE || kind == DDB_EXPR_PROJECTION)
            fail(p, "Expression size has exceeded the maximum allowed size;");
        else
            fail(p, "Expression size has exceeded the maximum allowed size; expression size: %zu",
                 size);
        return -1;
    }
    if (ddb_expr_lex(ctx->arena, text, &p->t, &p->n)) {
        oom(p);
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
    if (!check_walk(&p, x, 0) || !check_node(&p, x))
        return NULL;
    if (kind == DDB_EXPR_KEY_CONDITION) {
        /* No more conditions than tokens. */
        const char **seen = arena_alloc(ctx->arena, p.n * sizeof(*seen));
        unsigned n = 0;

        if (!seen)
            return oom(&p);
        if (!check_key_shape(&p, x) || !check_key_once(&p, x, seen, &n))
            return NULL;
    }
    return &x->n;
}

/* ADD takes a number or a set, DELETE a set; DynamoDB names the refused type in full. */
static bool
check_add_delete(struct parser *p, const struct ddb_update_action *a)
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
    fail(p, "Incorrect operand type for operator or function; operator: %s, operand type: %s, "
            "typeSet: ALLOWED_FOR_%s_OPERAND",
         a->op == DDB_UPD_ADD ? "ADD" : "DELETE", type, a->op == DDB_UPD_ADD ? "ADD" : "DELETE");
    return false;
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
        return oom(&p);
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
                    return oom(&p);
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
        if (!check_walk(&p, targets[i], 0) ||
            (u->a[i].value && !check_walk(&p, (struct pnode *)u->a[i].value, 0)))
            return NULL;
        if (p.dup_section && p.dup_after == i)
            return fail(&p, "The \"%s\" section can only be used once in an update "
                            "expression;", p.dup_section);
    }
    /* The paths written to, their #names first, then as one tree (overlaps, conflicts). */
    for (unsigned i = 0; i < u->n; i++) {
        if (!resolve_path(&p, targets[i]))
            return NULL;
        u->a[i].path = targets[i]->n.path;
    }
    if (!(root = trie_new(&p)))
        return NULL;
    for (unsigned i = 0; i < u->n; i++)
        if (!trie_insert(&p, root, &u->a[i].path))
            return NULL;
    /* Then what ADD and DELETE take (DynamoDB reports these before any SET operand), then the
     * SET operands. */
    for (unsigned i = 0; i < u->n; i++)
        if (u->a[i].op != DDB_UPD_SET && u->a[i].value &&
            (!check_node(&p, (struct pnode *)u->a[i].value) || !check_add_delete(&p, &u->a[i])))
            return NULL;
    for (unsigned i = 0; i < u->n; i++)
        if (u->a[i].op == DDB_UPD_SET && !check_node(&p, (struct pnode *)u->a[i].value))
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
        return oom(&p);
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
        if (!check_walk(&p, xs[i], 0))
            return NULL;
    for (unsigned i = 0; i < pr->n; i++) {
        if (!resolve_path(&p, xs[i]))
            return NULL;
        pr->paths[i] = xs[i]->n.path;
    }
    if (!(root = trie_new(&p)))
        return NULL;
    for (unsigned i = 0; i < pr->n; i++)
        if (!trie_insert(&p, root, &pr->paths[i]))
            return NULL;
    return pr;
}

/* "{#a, #b}": the keys of map that no expression used, or NULL when all were. */
static char *
unused_keys(struct ddb_expr_ctx *ctx, const json_t *map)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)map, key, v) {
        size_t need = strlen(key) + 4;

        if (ctx->used && json_object_get(ctx->used, key))
            continue;
        if (len + need + 2 > cap) {
            size_t bigger = (cap + need + 2) * 2;
            char *s = arena_alloc(ctx->arena, bigger);

            if (!s)
                return NULL;
            if (out)
                memcpy(s, out, len + 1);
            out = s;
            cap = bigger;
        }
        len += (size_t)sprintf(out + len, "%s%s", len ? ", " : "{", key);
    }
    if (!out)
        return NULL;
    sprintf(out + len, "}");
    return out;
}

int
ddb_expr_check_unused_values(struct ddb_expr_ctx *ctx, bool has_expression,
                             bool has_value_expression, const char *value_params)
{
    char *keys;

    if (!has_expression && ctx->names) {
        ctx_fail(ctx, "ExpressionAttributeNames can only be specified when using expressions");
        return -1;
    }
    if (!has_value_expression && ctx->values) {
        if (value_params)
            ctx_fail(ctx, "ExpressionAttributeValues can only be specified when using "
                          "expressions: %s", value_params);
        else
            ctx_fail(ctx, "ExpressionAttributeValues can only be specified when using "
                          "expressions");
        return -1;
    }
    if (!has_expression)
        return 0;
    if (check_maps(ctx))
        return -1;
    if (ctx->names && (keys = unused_keys(ctx, ctx->names))) {
        ctx_fail(ctx, "Value provided in ExpressionAttributeNames unused in expressions: keys: %s",
                 keys);
        return -1;
    }
    if (ctx->values && (keys = unused_keys(ctx, ctx->values))) {
        ctx_fail(ctx, "Value provided in ExpressionAttributeValues unused in expressions: "
                      "keys: %s", keys);
        return -1;
    }
    return 0;
}

int
ddb_expr_check_unused(struct ddb_expr_ctx *ctx, bool has_expression)
{
    return ddb_expr_check_unused_values(ctx, has_expression, has_expression, NULL);
}
