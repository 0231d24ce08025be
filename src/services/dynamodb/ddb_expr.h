/* ddb_expr.h: DynamoDB's expression language: condition, filter, key-condition, update and
 * projection expressions.
 *
 * ddb_expr_parse.c (with ddb_expr_lex.c, the checks of ddb_expr_check.c and ddb_expr_paths.c
 * and the reserved-word list in ddb_reserved.c) turns the text into the tree below;
 * ddb_expr_names.c resolves #names and :values against the request's
 * ExpressionAttributeNames / ExpressionAttributeValues and records which were used, so that
 * after every expression of a request is parsed ddb_expr_check_unused() can report the
 * unused ones as DynamoDB does. ddb_expr_eval.c evaluates conditions against an item and
 * analyses key conditions, ddb_expr_update.c applies updates and ddb_expr_project.c
 * projections; ddb_expr_legacy.c turns the legacy parameters (Expected, KeyConditions,
 * QueryFilter, ScanFilter, AttributesToGet, AttributeUpdates) into the same trees.
 *
 * Every error is a ValidationException whose text is DynamoDB's own, e.g.
 *   Invalid ConditionExpression: Syntax error; token: "=", near: "a = = b"
 *   Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size
 *   Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}
 * written into ctx->err. All memory comes from ctx->arena (the request's). */
#ifndef AWSLET_DDB_EXPR_H
#define AWSLET_DDB_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"

enum ddb_expr_kind {
    DDB_EXPR_CONDITION,     /* ConditionExpression */
    DDB_EXPR_FILTER,        /* FilterExpression */
    DDB_EXPR_KEY_CONDITION, /* KeyConditionExpression */
    DDB_EXPR_UPDATE,        /* UpdateExpression */
    DDB_EXPR_PROJECTION,    /* ProjectionExpression */
};

/* One step of a document path: a.b[2].#c is name "a", name "b", index 2, name "c". */
struct ddb_path_elem {
    const char *name; /* attribute or map key (after #name substitution); NULL for an index */
    unsigned index;   /* list index when name is NULL */
};

struct ddb_path {
    unsigned n;
    struct ddb_path_elem *e;
    const char *text; /* the path as written, for messages: "a.b[2].#c" */
};

enum ddb_node_type {
    DDB_N_PATH,          /* path */
    DDB_N_VALUE,         /* value (an ExpressionAttributeValues entry) */
    DDB_N_CMP,           /* args[0] cmp args[1] */
    DDB_N_BETWEEN,       /* args[0] BETWEEN args[1] AND args[2] */
    DDB_N_IN,            /* args[0] IN (args[1..n-1]) */
    DDB_N_AND,           /* args[0] AND args[1] */
    DDB_N_OR,            /* args[0] OR args[1] */
    DDB_N_NOT,           /* NOT args[0] */
    DDB_N_FUNC,          /* fn(args...): conditions, size(), and update functions */
    DDB_N_PLUS,          /* update SET operand: args[0] + args[1] */
    DDB_N_MINUS,         /* args[0] - args[1] */
};

enum ddb_cmp { DDB_EQ, DDB_NE, DDB_LT, DDB_LE, DDB_GT, DDB_GE };

enum ddb_func {
    DDB_F_ATTRIBUTE_EXISTS,
    DDB_F_ATTRIBUTE_NOT_EXISTS,
    DDB_F_ATTRIBUTE_TYPE,
    DDB_F_BEGINS_WITH,
    DDB_F_CONTAINS,
    DDB_F_SIZE,          /* an operand, not a condition */
    DDB_F_IF_NOT_EXISTS, /* update SET operands */
    DDB_F_LIST_APPEND,
};

struct ddb_node {
    enum ddb_node_type type;
    enum ddb_cmp cmp;          /* DDB_N_CMP */
    enum ddb_func fn;          /* DDB_N_FUNC */
    struct ddb_path path;      /* DDB_N_PATH */
    const json_t *value;       /* DDB_N_VALUE: borrowed from the request's values */
    const char *value_name;    /* DDB_N_VALUE: ":v", for messages; NULL for a value of a
                                * legacy parameter (ddb_expr_legacy.c), which is how
                                * ddb_expr_apply_update() tells AttributeUpdates apart */
    unsigned n_args;
    struct ddb_node **args;
};

enum ddb_update_op { DDB_UPD_SET, DDB_UPD_REMOVE, DDB_UPD_ADD, DDB_UPD_DELETE };

struct ddb_update_action {
    enum ddb_update_op op;
    struct ddb_path path;
    struct ddb_node *value; /* SET: the operand tree; ADD / DELETE: a DDB_N_VALUE; REMOVE: NULL */
    /* (AttributeUpdates' DELETE without a Value is a DELETE with value NULL: remove it.) */
};

struct ddb_update {
    unsigned n;
    struct ddb_update_action *a; /* in the order written within each clause */
};

struct ddb_projection {
    unsigned n;
    struct ddb_path *paths;
};

/* Per request: the attribute names and values every expression of it may use. */
struct ddb_expr_ctx {
    struct arena *arena;
    const json_t *names;  /* ExpressionAttributeNames, or NULL */
    const json_t *values; /* ExpressionAttributeValues (already ddb_value_check'ed), or NULL */
    json_t *used;         /* internal: the #names and :values seen so far (set by the parser) */
    char err[1024];       /* DynamoDB's message when a call fails */
};

/* ---- parsing (ddb_expr_parse.c; the context: ddb_expr_names.c) ---------------------------- */

void ddb_expr_ctx_init(struct ddb_expr_ctx *ctx, struct arena *arena, const json_t *names,
                       const json_t *values);
void ddb_expr_ctx_release(struct ddb_expr_ctx *ctx);

/* A condition, filter or key-condition expression. NULL on error (ctx->err). Checks the
 * grammar, reserved words, undefined #names / :values, functions' arity and operand kinds
 * (e.g. "Invalid ConditionExpression: The function is not allowed to be used this way in an
 * expression; function: size"), and, for key conditions, the operators a key condition may use. */
struct ddb_node *ddb_expr_parse_condition(struct ddb_expr_ctx *ctx, enum ddb_expr_kind kind,
                                          const char *text);
/* An UpdateExpression: SET, REMOVE, ADD and DELETE clauses (each at most once), checking for
 * overlapping and conflicting paths ("Two document paths overlap with each other; must remove
 * or rewrite one of these paths; path one: [a], path two: [a, b]"). NULL on error. */
struct ddb_update *ddb_expr_parse_update(struct ddb_expr_ctx *ctx, const char *text);
/* A ProjectionExpression: comma-separated paths, without overlaps. NULL on error. */
struct ddb_projection *ddb_expr_parse_projection(struct ddb_expr_ctx *ctx, const char *text);
/* After parsing every expression of the request: 0, or -1 if ExpressionAttributeNames or
 * ExpressionAttributeValues hold entries no expression used (DynamoDB's message, names
 * first). Also -1 when either map was given but is empty ("ExpressionAttributeValues must not
 * be empty"), and when names or values were given without any expression
 * ("ExpressionAttributeNames can only be specified when using expressions"). has_expression
 * says whether the request had any expression at all. */
int ddb_expr_check_unused(struct ddb_expr_ctx *ctx, bool has_expression);
/* The same, worded per operation as DynamoDB does when ExpressionAttributeValues come without
 * an expression that can use them (a ProjectionExpression cannot): has_value_expression says
 * whether one was given, value_params names the operation's, completing "ExpressionAttribute
 * Values can only be specified when using expressions: <value_params>": "ConditionExpression
 * is null" (PutItem, DeleteItem), "UpdateExpression and ConditionExpression are null"
 * (UpdateItem), "FilterExpression is null" (Scan), "FilterExpression and
 * KeyConditionExpression are null" (Query). */
int ddb_expr_check_unused_values(struct ddb_expr_ctx *ctx, bool has_expression,
                                 bool has_value_expression, const char *value_params);
/* Whether word (any case) is one of DynamoDB's reserved words. */
bool ddb_reserved_word(const char *word, size_t len);

/* ---- evaluation (ddb_expr_eval.c, _update.c, _project.c) ---------------------------------- */

/* The value at path in item (an object of name -> value), or NULL if absent. */
const json_t *ddb_path_get(const json_t *item, const struct ddb_path *path);

/* Evaluate a condition against item (NULL = no item: every path is absent). 1 true, 0 false,
 * -1 on an error DynamoDB reports at run time (ctx->err). Comparisons of different types
 * are false, as are functions on absent attributes. */
int ddb_expr_eval(struct ddb_expr_ctx *ctx, const struct ddb_node *cond, const json_t *item);

/* Apply an update to *item in place (an object; created empty by the caller for a new item).
 * hash_key and range_key (NULL if none) may not be touched: "Cannot update attribute pk.
 * This attribute is part of the key". Type errors carry DynamoDB's texts ("An operand in the
 * update expression has an incorrect data type", "The document path provided in the update
 * expression is invalid for update"). 0 or -1. Validates the result's numbers and sets
 * (an emptied set removes the attribute, as DELETE does on AWS). */
int ddb_expr_apply_update(struct ddb_expr_ctx *ctx, const struct ddb_update *u, json_t *item,
                          const char *hash_key, const char *range_key);

/* A new item holding only the projected paths of item (nested paths keep their parents;
 * list elements are compacted in index order, as DynamoDB does). */
json_t *ddb_expr_project(const struct ddb_projection *p, const json_t *item);

/* A key condition reduced to what a Query needs. */
enum ddb_sk_op { DDB_SK_NONE, DDB_SK_EQ, DDB_SK_LT, DDB_SK_LE, DDB_SK_GT, DDB_SK_GE,
                 DDB_SK_BETWEEN, DDB_SK_BEGINS_WITH };

struct ddb_key_cond {
    const json_t *pk;     /* the partition key's value */
    enum ddb_sk_op sk_op;
    const json_t *sk1;    /* the operand, or BETWEEN's low bound */
    const json_t *sk2;    /* BETWEEN's high bound */
};

/* Check a parsed KeyConditionExpression against the table's or index's key schema and reduce
 * it. Errors as DynamoDB words them: "Query condition missed key schema element: pk",
 * "Query key condition not supported", "KeyConditionExpressions must only contain one
 * condition per key", "One or more parameter values were invalid: Condition parameter type
 * does not match schema type". hash_type/range_type are "S", "N" or "B". 0 or -1. */
int ddb_expr_key_condition(struct ddb_expr_ctx *ctx, const struct ddb_node *cond,
                           const char *hash_key, const char *hash_type, const char *range_key,
                           const char *range_type, struct ddb_key_cond *out);

/* ---- legacy parameters (ddb_expr_legacy.c) ------------------------------------------------- */

/* Expected (PutItem/UpdateItem/DeleteItem; ConditionalOperator AND|OR or NULL). */
struct ddb_node *ddb_legacy_expected(struct ddb_expr_ctx *ctx, const json_t *expected,
                                     const char *conditional_operator);
/* QueryFilter / ScanFilter / KeyConditions ({name: {AttributeValueList, ComparisonOperator}}). */
struct ddb_node *ddb_legacy_conditions(struct ddb_expr_ctx *ctx, const char *param,
                                       const json_t *conditions,
                                       const char *conditional_operator);
/* AttributesToGet. */
struct ddb_projection *ddb_legacy_attributes_to_get(struct ddb_expr_ctx *ctx,
                                                    const json_t *names);
/* AttributeUpdates ({name: {Value, Action PUT|ADD|DELETE}}). */
struct ddb_update *ddb_legacy_attribute_updates(struct ddb_expr_ctx *ctx, const json_t *updates);

#endif
