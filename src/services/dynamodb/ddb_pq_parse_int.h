/* ddb_pq_parse_int.h: what the PartiQL parser's files share: ddb_pq_parse.c (tokens, errors,
 * statements), ddb_pq_expr.c (paths, conditions, SET values) and ddb_pq_literal.c (Ion-like
 * literals and `?`): the parser's state and its token and error helpers. Private to them. */
#ifndef AWSLET_DDB_PQ_PARSE_INT_H
#define AWSLET_DDB_PQ_PARSE_INT_H

#include "services/dynamodb/ddb_pq.h"

struct pq_parser {
    struct arena *a;
    const char *src;             /* the statement */
    const struct pq_token *t;    /* its tokens, the last PQ_T_END or PQ_T_ERROR */
    size_t n, i;                 /* count, next */
    const json_t *params;        /* Parameters (borrowed), or NULL */
    size_t n_params, next_param; /* next_param counts every `?`, even past n_params */
    json_t *values;              /* the statement's values (every AttributeValue made) */
    bool item;                   /* the next literal is INSERT's item tuple */
    char vpath[256];             /* where in the literal we are, for number messages: */
    size_t vlen;                 /* "root", "root.x", "root[1]" (DynamoDB's notation) */
    unsigned depth;              /* nesting, against PQ_MAX_DEPTH */
    bool failed;
    bool syntax; /* the error is a syntax error (pq_fail_at) */
    char *err;
    size_t errlen;
};

/* Tokens: the current one, the one after it, consume (never past the end). */
const struct pq_token *pq_peek(struct pq_parser *p);
const struct pq_token *pq_peek2(struct pq_parser *p);
const struct pq_token *pq_next(struct pq_parser *p);
bool pq_is_op(const struct pq_token *t, const char *op);
bool pq_is_kw(const struct pq_token *t, const char *kw);
int pq_expect_op(struct pq_parser *p, const char *op);
int pq_expect_kw(struct pq_parser *p, const char *kw);
/* One more level of nesting; -1 (and the error) past the limit. The caller decrements. */
int pq_enter(struct pq_parser *p);

/* Errors: each returns -1 and keeps only the first message. pq_fail takes the whole text;
 * pq_fail_at writes a syntax error at t in the one format of ddb_pq_parse.c's header;
 * pq_unexpected picks the detail from t's type; pq_no_term is for where a term must start. */
int pq_fail(struct pq_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pq_fail_at(struct pq_parser *p, const struct pq_token *t, const char *detail);
int pq_unexpected(struct pq_parser *p, const struct pq_token *t);
int pq_no_term(struct pq_parser *p, const struct pq_token *t);

/* ddb_pq_literal.c: a literal or `?` at the current token as a new AttributeValue, checked
 * and normalized with ddb_value_check() (a bare `?` is taken as given: Parameters are checked
 * by the caller). NULL on error. */
json_t *pq_literal_checked(struct pq_parser *p);

/* ddb_pq_expr.c: a document path; a condition (WHERE); UPDATE's SET value. 0 / the node, or
 * -1 / NULL with the error set. */
int pq_path(struct pq_parser *p, struct ddb_path *out);
struct pq_expr *pq_or(struct pq_parser *p);
struct pq_expr *pq_set_value(struct pq_parser *p);

#endif
