/* ddb_pq_plan_int.h: what the planner's two files share: ddb_pq_plan.c (helpers, SELECT,
 * the entry points) and ddb_pq_plan_write.c (INSERT, UPDATE, DELETE, EXISTS). */
#ifndef AWSLET_DDB_PQ_PLAN_INT_H
#define AWSLET_DDB_PQ_PLAN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq.h"

#define PLAN_TEXT_MAX (1024 * 1024) /* generated expression text; DynamoDB's own cap is 4 KB */

/* One planning: the statement, its table, and the names and values the request builds. */
struct plan {
    const struct ddb_table *t;
    const struct pq_statement *s;
    const struct awslet_error **code;
    char *err;
    size_t errlen;
    json_t *names;  /* ExpressionAttributeNames being built */
    json_t *values; /* ExpressionAttributeValues being built */
    struct pq_plan *out;
    struct buf text;   /* the expression being written */
    struct pq_text tx; /* writes into text, names and values */
};

/* Fail the planning with ValidationException and a message (or without memory). -1. */
int plan_fail(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int plan_nomem(struct plan *p);
/* Whether e is `attr = value` (either way round): sets *name and *value. */
bool plan_attr_eq(const struct pq_expr *e, const char **name, json_t **value);
/* The top-level conjuncts of the WHERE clause, in the order written (malloc'd; NULL: no memory). */
const struct pq_expr **plan_conjuncts(struct plan *p, unsigned *n);
/* Whether an AttributeValue is of type ("S", "N", ...; NULL: never). */
bool plan_type_is(const json_t *v, const char *type);
/* request[member] = the expression just written (rc: the writer's result). 0 or -1. */
int plan_emit(struct plan *p, const char *member, int rc);
/* request[member] = [NOT (] [fn(#pk) AND] conjuncts [)]. 0 or -1. */
int plan_condition(struct plan *p, const char *member, const char *fn, const struct pq_expr **c,
                   unsigned n, bool negate);

/* The writes (ddb_pq_plan_write.c): INSERT; UPDATE, DELETE and EXISTS. 0 or -1. */
int plan_insert(struct plan *p);
int plan_keyed(struct plan *p);

#endif
