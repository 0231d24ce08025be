/* apigateway.c: the API Gateway service descriptor and its operation table.
 *
 * The control plane is REST-JSON (/restapis, /apikeys, /usageplans, /domainnames, ... from
 * apigateway_model.c). The data plane, /restapis/{id}/{stage}/_user_request_/... and Host
 * {id}.execute-api.*, is the one raw-HTTP route: apigateway_invoke() answers it. */
#include "services/apigateway/apigateway.h"

#include "services/models.h"
#include "services/service.h"

const struct awslet_service awslet_service_apigateway = {
    .name = "apigateway",
    .protocols = PROTO_REST_JSON | PROTO_RAW,
    .model = &model_apigateway,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
