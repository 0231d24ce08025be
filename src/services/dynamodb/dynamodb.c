/* dynamodb.c: the DynamoDB service descriptor and its operation table.
 *
 * AWS JSON 1.0 (X-Amz-Target: DynamoDB_20120810.*); every response carries x-amz-crc32,
 * which botocore checks. The operations arrive with the DynamoDB issue; until a row exists
 * here an operation answers UnknownOperationException. */
#include "services/service.h"

const struct awslet_service awslet_service_dynamodb = {
    .name = "dynamodb",
    .target_prefix = "DynamoDB_20120810",
    .json_namespace = "com.amazonaws.dynamodb.v20120810",
    .protocols = PROTO_JSON_1_0,
    .flags = SVC_CRC32,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
