/* ddb_pq_exec.c: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction (ddb_pq.h).
 * PLACEHOLDER until the executor lands: every operation answers UnknownOperation's way. */
#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq.h"

static enum awslet_rc
pq_not_yet(struct awslet_req *req)
{
    return awslet_fail(req, &ERR_UNKNOWN_OPERATION, "Operation %s is not implemented yet.",
                       req->op_name);
}

enum awslet_rc
ddb_execute_statement(struct awslet_req *req, const json_t *in, json_t **out)
{
    (void)in, (void)out;
    return pq_not_yet(req);
}

enum awslet_rc
ddb_batch_execute_statement(struct awslet_req *req, const json_t *in, json_t **out)
{
    (void)in, (void)out;
    return pq_not_yet(req);
}

enum awslet_rc
ddb_execute_transaction(struct awslet_req *req, const json_t *in, json_t **out)
{
    (void)in, (void)out;
    return pq_not_yet(req);
}

bool
ddb_execute_statement_writes(const json_t *in)
{
    (void)in;
    return false;
}

bool
ddb_batch_execute_statement_writes(const json_t *in)
{
    (void)in;
    return false;
}

bool
ddb_execute_transaction_writes(const json_t *in)
{
    (void)in;
    return false;
}
