/* ddb_pq_lex.c: PartiQL's tokens (ddb_pq.h). PLACEHOLDER until the lexer lands. */
#include "services/dynamodb/ddb_pq.h"

struct pq_token *
ddb_pq_lex(struct arena *a, const char *text, size_t *n_out)
{
    (void)a, (void)text, (void)n_out;
    return NULL;
}

bool
ddb_pq_keyword(const char *word, size_t len)
{
    (void)word, (void)len;
    return false;
}
