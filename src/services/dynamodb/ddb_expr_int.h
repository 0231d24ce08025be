/* ddb_expr_int.h: what the expression files share and nothing else may use. The lexer
 * (ddb_expr_lex.c) hands the parser its tokens. The parser (ddb_expr_parse.c) builds the nodes
 * and runs the passes of ddb_expr_check.c, ddb_expr_paths.c and ddb_expr_names.c over them, all
 * reporting through the parser's error helpers. Evaluation (ddb_expr_eval.c) lends
 * ddb_expr_update.c and ddb_expr_project.c its helpers for values and paths. */
#ifndef AWSLET_DDB_EXPR_INT_H
#define AWSLET_DDB_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_value.h"

enum ddb_tok_type {
    TK_EOF,
    TK_NAME,     /* attribute name, keyword or function name: [A-Za-z_][A-Za-z0-9_]* */
    TK_HASH,     /* #name (expression attribute name) */
    TK_COLON,    /* :name (expression attribute value) */
    TK_NUM,      /* [0-9]+, only meaningful as a list index */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOT,
    TK_EQ,
    TK_NE,       /* <> */
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    TK_BAD,      /* anything else: one character (a whole UTF-8 sequence), a lone # or : */
};

struct ddb_tok {
    enum ddb_tok_type type;
    size_t off, len;        /* the token's bytes in the expression text */
};

/* The tokens of text, always ending with one TK_EOF (whose off is the text's length).
 * Lexing never fails on content (bad characters become TK_BAD for the parser to report);
 * -1 only when the arena is exhausted. */
int ddb_expr_lex(struct arena *arena, const char *text, struct ddb_tok **toks, unsigned *n);

/* ---- the parser and its passes ----------------------------------------------------------- */

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
    unsigned operators;      /* counted towards MAX_OPERATORS by ddb_expr_check_node() */
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

/* DynamoDB's function names, indexed by enum ddb_func (parser, evaluation, messages). */
extern const char *const ddb_expr_func_names[DDB_F_LIST_APPEND + 1];

/* Errors (ddb_expr_parse.c): the first error of a request wins. */
void ddb_expr_ctx_fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void *ddb_expr_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *ddb_expr_fail_raw(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void *ddb_expr_oom(struct parser *p);
char *ddb_expr_tok_dup(struct parser *p, unsigned i);
struct pnode *ddb_expr_arg(const struct pnode *x, unsigned i);

/* Names and values (ddb_expr_names.c). */
int ddb_expr_check_maps(struct ddb_expr_ctx *ctx);
bool ddb_expr_resolve_path(struct parser *p, struct pnode *x);
bool ddb_expr_resolve_value(struct parser *p, struct pnode *x);

/* Paths (ddb_expr_paths.c). */
struct trie;
bool ddb_expr_path_equal(const struct ddb_path *a, const struct ddb_path *b);
const char *ddb_expr_path_list(struct parser *p, const struct ddb_path *path);
struct trie *ddb_expr_trie_new(struct parser *p);
bool ddb_expr_trie_insert(struct parser *p, struct trie *root, const struct ddb_path *path);

/* The passes (ddb_expr_check.c). */
bool ddb_expr_check_walk(struct parser *p, const struct pnode *x, unsigned nesting);
bool ddb_expr_check_node(struct parser *p, struct pnode *x);
bool ddb_expr_check_key_shape(struct parser *p, const struct pnode *x);
bool ddb_expr_check_key_once(struct parser *p, const struct pnode *x, const char **seen,
                             unsigned *n);
bool ddb_expr_check_add_delete(struct parser *p, const struct ddb_update_action *a);

/* ---- evaluation helpers (ddb_expr_eval.c) ------------------------------------------------- */

/* Set ctx->err from fmt; returns -1. */
int ddb_expr_eval_fail(struct ddb_expr_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
json_t *ddb_expr_payload_mut(json_t *av);
const json_t *ddb_expr_path_child(const json_t *av, const struct ddb_path_elem *e);
char *ddb_expr_elem_key(enum ddb_type set, const json_t *elem, size_t *len);

#endif
