/* ddb_pq_plan.c: PartiQL plans (ddb_pq.h). PLACEHOLDER until the planner lands. */
#include <stdio.h>

#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq.h"

int
ddb_pq_plan(struct awslet_req *req, sqlite3 *db, const struct pq_statement *s, struct pq_plan *out)
{
    (void)db, (void)s, (void)out;
    ddb_validation(req, "PartiQL is not implemented yet");
    return -1;
}

void
ddb_pq_plan_release(struct pq_plan *p)
{
    (void)p;
}

int
ddb_pq_condition_text(const struct pq_expr *e, struct buf *out, json_t *names, json_t *values,
                      char *err, size_t errlen)
{
    (void)e, (void)out, (void)names, (void)values;
    snprintf(err, errlen, "PartiQL is not implemented yet");
    return -1;
}
