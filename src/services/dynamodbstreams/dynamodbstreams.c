/* dynamodbstreams.c: the DynamoDB Streams service descriptor and its operation table.
 *
 * AWS JSON 1.0 (X-Amz-Target: DynamoDBStreams_20120810.*). Its SigV4 signing name is
 * "dynamodb", like DynamoDB itself, which is why the router goes by X-Amz-Target, never by
 * the credential scope. The operations arrive with the DynamoDB issue. */
#include "services/service.h"

const struct awslet_service awslet_service_dynamodbstreams = {
    .name = "dynamodbstreams",
    .target_prefix = "DynamoDBStreams_20120810",
    .json_namespace = "com.amazonaws.dynamodb.v20120810",
    .protocols = PROTO_JSON_1_0,
    .flags = SVC_CRC32,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
