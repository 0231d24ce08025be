/* ddb_pq.h: DynamoDB's PartiQL dialect: lexer, parser, planner and the three statement
 * operations.
 *
 * A statement goes through three stages. ddb_pq_lex.c and ddb_pq_parse.c turn the text into
 * the tree below, binding each `?` to the next entry of Parameters as it is met, so that a
 * parsed statement holds only literals (AttributeValues). ddb_pq_plan.c decides how the
 * statement runs on the table it names and writes it as the request of the operation that
 * does the same thing: a SELECT pinning the whole primary key with equalities becomes a
 * GetItem, one pinning the partition key (=, IN, or an OR of such) a Query per partition
 * (ORDER BY on the sort key allowed), anything else a Scan; INSERT becomes a PutItem that
 * must not find the key, UPDATE an UpdateItem that must find it, DELETE a DeleteItem, and
 * EXISTS(SELECT ...) a ConditionCheck. The WHERE clause goes into the request whole, as a
 * FilterExpression or ConditionExpression over generated #names and :values, so that the
 * expression evaluator, the item write path (indexes, stream records) and every limit and
 * number rule are the same ones the rest of the API uses. ddb_pq_exec.c runs the plans for
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
 *
 * Messages are DynamoDB's: a syntax error is a ValidationException "Statement wasn't well
 * formed, can't be processed: <what>" (e.g. "Unexpected keyword", "Unexpected term",
 * "Expected data manipulation", "unexpected token ... at line 1, column 15"); a parameter
 * count mismatch "Number of parameters in request and statement don't match."; an UPDATE or
 * DELETE whose WHERE does not fix the whole key "Where clause does not contain a mandatory
 * equality on all key attributes". */
#ifndef AWSLET_DDB_PQ_H
#define AWSLET_DDB_PQ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/req.h"
#include "services/dynamodb/ddb_expr.h"

/* ---- tokens (ddb_pq_lex.c) ----------------------------------------------------------------- */

enum pq_tok_type {
    PQ_T_END,      /* end of the statement */
    PQ_T_KEYWORD,  /* a reserved word of PartiQL (SELECT, FROM, WHERE, AND, MISSING, ...) */
    PQ_T_IDENT,    /* an unquoted identifier (not a keyword) */
    PQ_T_QIDENT,   /* a "double-quoted" identifier; text holds it unquoted, "" unescaped */
    PQ_T_STRING,   /* a 'single-quoted' string; text holds it unquoted, '' unescaped */
    PQ_T_NUMBER,   /* 12, -1.5e3 (the sign is an operator; text as written) */
    PQ_T_PARAM,    /* ? */
    PQ_T_OP,       /* = <> != < <= > >= + - * / . , ( ) [ ] { } : << >> */
    PQ_T_ERROR,    /* an unterminated string or identifier, or a character PartiQL lacks */
};

struct pq_token {
    enum pq_tok_type type;
    const char *text; /* NUL-terminated, in the arena; keywords upper-cased */
    size_t len;
    unsigned line, column; /* 1-based, for messages */
    size_t offset;         /* in the statement */
};

/* Split text into tokens (the last one PQ_T_END, or PQ_T_ERROR where lexing stopped). Line
 * and block comments (-- and / * * /) are skipped. NULL only without memory. */
struct pq_token *ddb_pq_lex(struct arena *a, const char *text, size_t *n_out);
/* Whether word (any case) is one of PartiQL's reserved words. */
bool ddb_pq_keyword(const char *word, size_t len);

/* ---- statements (ddb_pq_parse.c) ----------------------------------------------------------- */

enum pq_kind { PQ_SELECT, PQ_INSERT, PQ_UPDATE, PQ_DELETE, PQ_EXISTS };

enum pq_expr_type {
    PQ_E_PATH,    /* path */
    PQ_E_VALUE,   /* value: a literal or a bound parameter, as an AttributeValue */
    PQ_E_CMP,     /* args[0] cmp args[1] */
    PQ_E_BETWEEN, /* args[0] BETWEEN args[1] AND args[2] */
    PQ_E_IN,      /* args[0] IN [args[1..n-1]] (or parenthesized) */
    PQ_E_AND,     /* args[0] AND args[1] */
    PQ_E_OR,
    PQ_E_NOT,     /* NOT args[0] */
    PQ_E_IS,      /* args[0] IS [NOT] MISSING / NULL (is_null, negated) */
    PQ_E_FUNC,    /* fn(args): begins_with, contains, attribute_type, size, and in UPDATE's
                   * SET: list_append, set_add, set_delete, if_not_exists */
    PQ_E_PLUS,    /* args[0] + args[1] (UPDATE's SET) */
    PQ_E_MINUS,
};

struct pq_expr {
    enum pq_expr_type type;
    enum ddb_cmp cmp;      /* PQ_E_CMP */
    struct ddb_path path;  /* PQ_E_PATH: names and list indexes, as DynamoDB paths */
    json_t *value;         /* PQ_E_VALUE: an AttributeValue ({"S": "x"}), owned by the
                            * statement (pq_statement.values holds a reference) */
    const char *fn;        /* PQ_E_FUNC: the name, lower-case */
    bool negated;          /* PQ_E_IS: IS NOT */
    bool is_null;          /* PQ_E_IS: NULL rather than MISSING */
    unsigned n_args;
    struct pq_expr **args;
    unsigned line, column; /* where it starts, for messages */
};

enum pq_set_op { PQ_SET, PQ_REMOVE };

struct pq_set {
    enum pq_set_op op;
    struct ddb_path path;
    struct pq_expr *value; /* SET: the new value's expression; REMOVE: NULL */
};

/* RETURNING ... * (UPDATE: all four; DELETE: ALL OLD only). */
enum pq_returning { PQ_RET_NONE, PQ_RET_ALL_OLD, PQ_RET_MODIFIED_OLD, PQ_RET_ALL_NEW,
                    PQ_RET_MODIFIED_NEW };

struct pq_order {
    struct ddb_path key;
    bool desc;
};

struct pq_statement {
    enum pq_kind kind;
    const char *table;            /* FROM / INTO / UPDATE / DELETE FROM target */
    const char *index;            /* SELECT FROM "t"."ix", else NULL */
    /* SELECT (and the SELECT inside EXISTS) */
    bool star;                    /* SELECT * */
    struct ddb_path *proj;        /* else the projected paths */
    unsigned n_proj;
    struct pq_order *order;       /* ORDER BY keys, in order */
    unsigned n_order;
    /* SELECT, UPDATE, DELETE, EXISTS */
    struct pq_expr *where;        /* or NULL */
    /* INSERT: the VALUE tuple as an item ({"pk": {"S": "a"}, ...}), owned (values holds it) */
    json_t *item;
    /* UPDATE: SET and REMOVE clauses in the order written */
    struct pq_set *sets;
    unsigned n_sets;
    enum pq_returning returning;
    /* EXISTS: NOT EXISTS(...) */
    bool negated;
    json_t *values;               /* every AttributeValue the tree points at (owned) */
};

/* Parse one statement, binding `?` in order to params (the request's Parameters, a JSON
 * array of AttributeValues, already checked with ddb_value_check(), or NULL). EXISTS(...) is
 * accepted only when allow_exists (ExecuteTransaction). 0, or -1 with DynamoDB's message
 * (the whole text, "Statement wasn't well formed, can't be processed: ..." or the parameter
 * count's) in err. On success release the statement with ddb_pq_statement_release(). */
int ddb_pq_parse(struct arena *a, const char *text, const json_t *params, bool allow_exists,
                 struct pq_statement *out, char *err, size_t errlen);
void ddb_pq_statement_release(struct pq_statement *s);
/* Whether the statement text begins with SELECT (after blanks, comments and parentheses):
 * the dispatcher's cheap test of whether a request writes, before anything is parsed. */
bool ddb_pq_is_select(const char *text);

/* ---- plans (ddb_pq_plan.c) ------------------------------------------------------------------ */

enum pq_plan_op {
    PQ_P_GET,    /* GetItem: request is its input */
    PQ_P_QUERY,  /* Query: one per partition key value in pks, request's KeyConditionExpression
                  * names :pk, whose value the executor sets to each in turn */
    PQ_P_SCAN,   /* Scan */
    PQ_P_PUT,    /* PutItem (INSERT, with attribute_not_exists on the partition key) */
    PQ_P_UPDATE, /* UpdateItem (with attribute_exists on the partition key) */
    PQ_P_DELETE, /* DeleteItem */
    PQ_P_CHECK,  /* a TransactWriteItems ConditionCheck (EXISTS / NOT EXISTS) */
};

struct pq_plan {
    enum pq_plan_op op;
    /* The equivalent request, without NextToken / Limit / ConsistentRead /
     * ReturnConsumedCapacity / ReturnValuesOnConditionCheckFailure, which the executor adds
     * from ExecuteStatement's own parameters. TableName, IndexName, Key / Item,
     * KeyConditionExpression, FilterExpression / ConditionExpression, UpdateExpression,
     * ProjectionExpression, ExpressionAttributeNames, ExpressionAttributeValues,
     * ScanIndexForward, ReturnValues. Owned. */
    json_t *request;
    json_t *pks;         /* PQ_P_QUERY: the partition key values (AttributeValues), in the
                          * order they are read (sorted by key bytes, duplicates removed) */
    const char *table;   /* the table's name (arena) */
    const struct ddb_table *t; /* its record, as the planner found it (the request's) */
    bool write;          /* PUT, UPDATE, DELETE, CHECK */
};

/* Plan a parsed statement against its table, looked up on db for the request's account and
 * region. Fails the request and returns -1 on an unknown table (ResourceNotFoundException
 * "Requested resource not found") or index (ValidationException "The table does not have
 * the specified index", without the name, unlike Query's), a write that does not name the
 * whole key, an ORDER BY that is not on a key of a read of partitions, a RETURNING the
 * statement cannot have, an update function whose first argument is not the path it sets,
 * and the like. */
int ddb_pq_plan(struct awslet_req *req, sqlite3 *db, const struct pq_statement *s,
                struct pq_plan *out);
struct ddb_table;
/* ddb_pq_plan() without the lookup (what it calls once it has the table; the unit tests call
 * it with a table built by hand). 0, or -1 with *code (ERR_VALIDATION, or
 * ERR_INTERNAL_FAILURE without memory) and DynamoDB's message in err. out->table is a (a). */
int ddb_pq_plan_table(struct arena *a, const struct ddb_table *t, const struct pq_statement *s,
                      struct pq_plan *out, const struct awslet_error **code, char *err,
                      size_t errlen);
void ddb_pq_plan_release(struct pq_plan *p);

/* The name a SELECT list path answers under: its last map key followed by the list indexes
 * after it (m.x is "x", l[1] is "l[1]", a.b[0][2] is "b[0][2]"), as DynamoDB's PartiQL names
 * it. Truncated to size. */
void ddb_pq_select_name(const struct ddb_path *path, char *out, size_t size);
/* A SELECT's answer item from a whole item: item itself (a new reference) for SELECT *, else
 * each listed path's value under its ddb_pq_select_name(), absent paths left out. NULL only
 * without memory. */
json_t *ddb_pq_select_project(const struct pq_statement *s, const json_t *item);

/* Write a condition of the statement's tree as DynamoDB expression text over generated
 * names (#n0, #n1, ...) and values (:v0, ...), adding them to names and values (objects).
 * Exposed for the unit tests; the planner is its only other caller. 0 or -1 (err). */
int ddb_pq_condition_text(const struct pq_expr *e, struct buf *out, json_t *names, json_t *values,
                          char *err, size_t errlen);

/* The text writer behind it (ddb_pq_text.c), shared by the planner's pieces of a request:
 * every expression of one request writes through one pq_text, so that a name or a value
 * used twice (the WHERE as filter and as key condition) gets one placeholder. */
struct pq_text {
    struct buf *out;      /* where text is appended */
    json_t *names;        /* ExpressionAttributeNames being built: "#n0" -> name */
    json_t *values;       /* ExpressionAttributeValues being built: ":v0" -> value */
    char *err;            /* the message when a call fails */
    size_t errlen;
};
/* Append a path (#n0.#n1[2]), a value's placeholder, a condition, an update operand (SET's
 * right-hand side: paths, values, +, -, list_append, if_not_exists). 0 or -1 (t->err). */
int ddb_pq_text_path(struct pq_text *t, const struct ddb_path *p);
int ddb_pq_text_value(struct pq_text *t, json_t *v);
int ddb_pq_text_condition(struct pq_text *t, const struct pq_expr *e);
int ddb_pq_text_operand(struct pq_text *t, const struct pq_expr *e);
/* Conditions joined by AND (an OR among them parenthesized). 0 or -1. */
int ddb_pq_text_conjuncts(struct pq_text *t, const struct pq_expr *const *c, unsigned n);
/* UPDATE's SET and REMOVE clauses as an UpdateExpression: SET ... REMOVE ... ADD ... DELETE
 * (set_add / set_delete become ADD / DELETE, checked as DynamoDB does). 0 or -1. */
int ddb_pq_text_update(struct pq_text *t, const struct pq_statement *s);
/* [NOT (] [fn(#hash) AND] conjuncts [)]: a write's condition (fn attribute_exists or
 * attribute_not_exists on the partition key, or NULL). 0 or -1. */
int ddb_pq_text_guarded(struct pq_text *t, const char *fn, const char *hash,
                        const struct pq_expr *const *c, unsigned n, bool negate);
/* A Query's KeyConditionExpression: `#hash = :pk` [AND the sort-key conjunct sk, its key
 * named first]. 0 or -1. */
int ddb_pq_text_key_condition(struct pq_text *t, const char *hash, const struct pq_expr *sk);

#endif
