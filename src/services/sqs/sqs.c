/* sqs.c: the SQS service descriptor and its operation table.
 *
 * SQS speaks two protocols: AWS JSON 1.0 (X-Amz-Target: AmazonSQS.*, boto3 >= 1.34.90, the JS
 * SDK v3) and the query protocol (Action=... forms, Debian aws-cli v2), whose shapes come
 * from the query-era model (sqs_model.c). JSON errors carry x-amzn-query-error so clients can
 * map them back to the query-era codes. The operations arrive with the SQS issue; until a row
 * exists here an operation answers with the protocol's unknown-operation error. */
#include "services/models.h"
#include "services/service.h"

const struct awslet_service awslet_service_sqs = {
    .name = "sqs",
    .target_prefix = "AmazonSQS",
    .json_namespace = "com.amazonaws.sqs",
    .query_version = "2012-11-05",
    .protocols = PROTO_JSON_1_0 | PROTO_QUERY,
    .flags = SVC_QUERY_ERROR_HEADER,
    .model = &model_sqs_query,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
