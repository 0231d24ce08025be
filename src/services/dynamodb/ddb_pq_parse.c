/* ddb_pq_parse.c: PartiQL statements (ddb_pq.h). PLACEHOLDER until the parser lands. */
#include <stdio.h>

#include "services/dynamodb/ddb_pq.h"

int
ddb_pq_parse(struct arena *a, const char *text, const json_t *params, bool allow_exists,
             struct pq_statement *out, char *err, size_t errlen)
{
    (void)a, (void)text, (void)params, (void)allow_exists, (void)out;
    snprintf(err, errlen, "PartiQL is not implemented yet");
    return -1;
}

void
ddb_pq_statement_release(struct pq_statement *s)
{
    (void)s;
}

bool
ddb_pq_is_select(const char *text)
{
    (void)text;
    return false;
}
