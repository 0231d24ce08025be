/* lambda.c: the Lambda service descriptor and its operation table.
 *
 * REST-JSON: operations are found by the method and URI templates of lambda_model.c, which
 * carry many date prefixes (/2015-03-31/functions, /2017-03-31/tags, /2021-10-31/...). The
 * operations arrive with the Lambda issue; until then each answers 404
 * UnknownOperationException. */
#include "services/models.h"
#include "services/service.h"

const struct awslet_service awslet_service_lambda = {
    .name = "lambda",
    .protocols = PROTO_REST_JSON,
    .model = &model_lambda,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
