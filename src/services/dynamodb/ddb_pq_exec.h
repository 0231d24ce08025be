/* ddb_pq_exec.h: what the PartiQL operations share: ddb_pq_exec.c (ExecuteStatement, the
 * helpers below) and ddb_pq_batch.c (BatchExecuteStatement, ExecuteTransaction).
 *
 * A statement is prepared (its parameters checked, parsed, planned) with
 * ddb_pq_exec_prepare(); the plan's request then goes to the item operations, Query, Scan,
 * TransactGetItems or TransactWriteItems in-process. A batch answers each statement's failure
 * in its own response, so an inner operation's error is taken off the request (struct
 * pq_err) before the next statement runs. The pure rules (NextToken, error codes, capacity
 * sums) are unit-tested in tests/unit/test_ddb_pq_exec.c. */
#ifndef AWSLET_DDB_PQ_EXEC_H
#define AWSLET_DDB_PQ_EXEC_H

#include <stdbool.h>

#include <jansson.h>

#include "core/req.h"
#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq.h"

#define PQ_MAX_STATEMENT 8192  /* PartiQLStatement: 1..8192 characters */
#define PQ_MAX_TOKEN     32768 /* PartiQLNextToken: 1..32768 characters */

/* An error taken off the request: the inner operation's code, message and extra members
 * (Item for a failed condition with ALL_OLD, CancellationReasons). */
struct pq_err {
    const struct awslet_error *err; /* NULL: none */
    const char *msg;                /* in the request's arena */
    json_t *extra;                  /* owned, or NULL */
};

/* Move req's error into e and clear it from req, so that the next statement starts clean. */
void ddb_pq_exec_err_take(struct awslet_req *req, struct pq_err *e);
void ddb_pq_exec_err_release(struct pq_err *e);

/* After an inner operation failed: its ValidationException in PartiQL's words. The
 * "Invalid FilterExpression: " (Condition-, KeyCondition-, Update-, Projection-) prefix
 * names a request member the statement's author never wrote, so it goes; a GSI's consistent
 * read is "Strongly consistent read is not supported on Global Secondary Indexes". */
void ddb_pq_exec_inner_error(struct awslet_req *req);
/* The BatchStatementErrorCodeEnum value for an exception code ("ConditionalCheckFailedException"
 * -> "ConditionalCheckFailed", "ValidationException" -> "ValidationError", ...); anything
 * unknown is "InternalServerError". */
const char *ddb_pq_exec_error_code(const char *exception);

/* Check one statement's members (Statement, Parameters, ConsistentRead,
 * ReturnValuesOnConditionCheckFailure) into a, at is the member path prefix ("" for
 * ExecuteStatement, "statements.3.member." in a batch). Whether the statement is usable. */
bool ddb_pq_exec_check_statement(struct ddb_args *a, const json_t *st, const char *at);
/* A string member of obj with length bounds (Java characters), 'at' naming it in messages.
 * The string, or NULL (absent, or a failure recorded in a). */
const char *ddb_pq_exec_string_arg(struct ddb_args *a, const json_t *obj, const char *member,
                                   const char *at, size_t min, size_t max, bool required);

/* A statement made ready to run: parameters checked and normalized, parsed, planned. */
struct pq_prepared {
    struct pq_statement st;
    struct pq_plan plan;
    json_t *params; /* the checked copy of Parameters, or NULL (owned) */
    bool parsed, planned;
};

/* Check the parameters, parse text with them and plan it. 0, or -1 with the request failed
 * (the parameter's, the parser's or the planner's error). Release p in any case. The two
 * halves apart: ddb_pq_exec_parse() (parameters and parse) and ddb_pq_exec_plan(). */
int ddb_pq_exec_prepare(struct awslet_req *req, const char *text, const json_t *params,
                        bool allow_exists, struct pq_prepared *p);
int ddb_pq_exec_parse(struct awslet_req *req, const char *text, const json_t *params,
                      bool allow_exists, struct pq_prepared *p);
int ddb_pq_exec_plan(struct awslet_req *req, struct pq_prepared *p);
void ddb_pq_exec_prepared_release(struct pq_prepared *p);

/* Add the numbers of one ConsumedCapacity object (src) into dst, member by member
 * (CapacityUnits, Table, GlobalSecondaryIndexes.<name>.CapacityUnits, ...), copying what
 * dst lacks. 0 or -1 (no memory). */
int ddb_pq_exec_capacity_add(json_t *dst, const json_t *src);
/* Add cc (a ConsumedCapacity object or NULL) to list, one entry per TableName. 0 or -1. */
int ddb_pq_exec_capacity_list_add(json_t *list, const json_t *cc);

/* ---- NextToken ------------------------------------------------------------------------------ */

/* The digest a token carries: SHA-256 (hex) of the statement and its parameters, so that a
 * token resumes only the statement it came from. 0 or -1. */
int ddb_pq_exec_digest(const char *statement, const json_t *params, char out[65]);
/* A token to resume at partition part (the Query's index into plan.pks; 0 for a Scan) after
 * lek (the LastEvaluatedKey, or NULL to start that partition from its first item). malloc'd;
 * NULL without memory. now_ms dates it: DynamoDB's tokens expire after an hour. */
char *ddb_pq_exec_token_encode(const char digest[65], unsigned part, const json_t *lek,
                               long long now_ms);
/* Read a token back. 0 with *part and *lek (a new reference or NULL), or -1 with DynamoDB's
 * message in *why: "Invalid NextToken", "NextToken does not match request" (another
 * statement's token) or "Given NextToken has already expired". */
int ddb_pq_exec_token_decode(const char *token, const char digest[65], long long now_ms,
                             unsigned *part, json_t **lek, const char **why);

#endif
