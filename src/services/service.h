/* service.h: how a service describes itself to the router.
 *
 * Each service folder defines one `const struct awslet_service awslet_service_<name>` with a
 * table of its operations sorted by name (the router uses bsearch; tests/unit/test_services.c
 * checks the order). An operation the table does not list is answered with the protocol's
 * own unknown-operation error. registry.c lists every service. */
#ifndef AWSLET_SERVICE_H
#define AWSLET_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "awslet.h"
#include "core/model.h"
#include "core/req.h"

enum op_flags {
    OP_WRITE = 1 << 0,       /* dispatcher wraps the call in BEGIN IMMEDIATE..COMMIT */
    OP_MAY_SUSPEND = 1 << 1, /* handler may return AWSLET_SUSPEND (long poll, sync invoke) */
};

/* in: the decoded input (borrowed). out: a new reference the core owns after return. */
typedef enum awslet_rc awslet_op_fn(struct awslet_req *req, const json_t *in, json_t **out);

/* Whether one request of an operation writes, for operations that only know it from their
 * input (DynamoDB's PartiQL: a SELECT reads, an INSERT writes). */
typedef bool awslet_op_writes_fn(const json_t *in);

struct awslet_op {
    const char *name;  /* AWS operation name, exactly as on the wire */
    awslet_op_fn *fn;
    unsigned flags;    /* enum op_flags */
    awslet_op_writes_fn *writes; /* or NULL: OP_WRITE decides; else true makes this call a
                                  * write as if OP_WRITE were set */
};

enum service_flags {
    SVC_CRC32 = 1 << 0,            /* JSON responses carry x-amz-crc32 (DynamoDB) */
    SVC_QUERY_ERROR_HEADER = 1 << 1, /* JSON errors carry x-amzn-query-error (SQS) */
};

struct awslet_service {
    const char *name;              /* signing name and health key: "sqs" */
    const char *target_prefix;     /* JSON: X-Amz-Target prefix, "AmazonSQS"; else NULL */
    const char *json_namespace;    /* JSON __type prefix, "com.amazonaws.sqs"; else NULL */
    const char *validation_namespace; /* JSON: ValidationException's own __type prefix where
                                       * the service differs (DynamoDB:
                                       * "com.amazon.coral.validate"); else NULL */
    const char *query_version;     /* query: Version that names the service, else NULL */
    unsigned protocols;            /* enum awslet_proto: what clients may speak to it */
    unsigned flags;                /* enum service_flags */
    const struct model *model;     /* query/rest models (generated), or NULL */
    const struct awslet_op *ops;   /* sorted by name */
    size_t n_ops;
    int (*init)(void);             /* after the store is open; 0 or -1 */
    void (*shutdown)(void);        /* before the store closes */
    void (*reset)(void);           /* after POST /_awslet/reset wiped the tables */
};

/* Every service, in the order health lists them. */
extern const struct awslet_service *const awslet_services[];
extern const size_t awslet_n_services;

const struct awslet_service *service_by_name(const char *name);
const struct awslet_service *service_by_target(const char *target_prefix, size_t len);
const struct awslet_service *service_by_query_version(const char *version);
/* The handler row for op, or NULL if the service does not implement it. */
const struct awslet_op *service_find_op(const struct awslet_service *svc, const char *op);

#endif
