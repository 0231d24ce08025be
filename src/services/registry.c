/* registry.c: every service awslet serves, and the lookups the router makes over them.
 *
 * The list is small and fixed, so lookups are linear scans; the per-service operation
 * tables are sorted and searched with bsearch. */
#include "services/service.h"

#include <stdlib.h>
#include <string.h>

extern const struct awslet_service awslet_service_sqs;
extern const struct awslet_service awslet_service_sns;
extern const struct awslet_service awslet_service_dynamodb;
extern const struct awslet_service awslet_service_dynamodbstreams;
extern const struct awslet_service awslet_service_logs;
extern const struct awslet_service awslet_service_lambda;
extern const struct awslet_service awslet_service_apigateway;

const struct awslet_service *const awslet_services[] = {
    &awslet_service_sqs,    &awslet_service_sns,    &awslet_service_dynamodb,
    &awslet_service_dynamodbstreams, &awslet_service_logs, &awslet_service_lambda,
    &awslet_service_apigateway,
};
const size_t awslet_n_services = ARRAY_SIZE(awslet_services);

const struct awslet_service *
service_by_name(const char *name)
{
    for (size_t i = 0; i < awslet_n_services; i++)
        if (strcmp(awslet_services[i]->name, name) == 0)
            return awslet_services[i];
    return NULL;
}

const struct awslet_service *
service_by_target(const char *target_prefix, size_t len)
{
    for (size_t i = 0; i < awslet_n_services; i++) {
        const char *p = awslet_services[i]->target_prefix;
        if (p && strlen(p) == len && memcmp(p, target_prefix, len) == 0)
            return awslet_services[i];
    }
    return NULL;
}

const struct awslet_service *
service_by_query_version(const char *version)
{
    for (size_t i = 0; i < awslet_n_services; i++) {
        const char *v = awslet_services[i]->query_version;
        if (v && strcmp(v, version) == 0)
            return awslet_services[i];
    }
    return NULL;
}

static int
service_op_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct awslet_op *)elem)->name);
}

const struct awslet_op *
service_find_op(const struct awslet_service *svc, const char *op)
{
    if (!svc->ops || svc->n_ops == 0)
        return NULL;
    return bsearch(op, svc->ops, svc->n_ops, sizeof(*svc->ops), service_op_cmp);
}
