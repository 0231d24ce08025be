/* ddb_pending.c: TEMPORARY placeholders while the DynamoDB files are written in parallel.
 * Each line is deleted when the real function lands; the file goes before the merge. */
#include "services/dynamodb/ddb_int.h"

#define PENDING(fn)                                                                            \
    enum awslet_rc fn(struct awslet_req *req, const json_t *in, json_t **out)                  \
    {                                                                                          \
        (void)in;                                                                              \
        (void)out;                                                                             \
        return awslet_fail(req, &ERR_UNKNOWN_OPERATION, "not yet implemented");                \
    }

/* control plane */
