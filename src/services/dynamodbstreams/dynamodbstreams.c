/* dynamodbstreams.c: the DynamoDB Streams service descriptor and its operation table.
 *
 * AWS JSON 1.0 (X-Amz-Target: DynamoDBStreams_20120810.*). Its SigV4 signing name is
 * "dynamodb", like DynamoDB itself, which is why the router goes by X-Amz-Target, never by
 * the credential scope. Handlers: dynamodbstreams_list.c (ListStreams, DescribeStream) and
 * dynamodbstreams_read.c (GetShardIterator, GetRecords); the records themselves are written
 * by services/dynamodb/ddb_stream.c with each item change. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include "services/dynamodb/ddb_int.h"

/* Sorted by name: the router uses bsearch (tests/unit/test_services.c checks the order). */
static const struct awslet_op dstreams_ops[] = {
    /* name                 handler                       flags */
    {"DescribeStream",      dstreams_describe_stream,     0, NULL},
    {"GetRecords",          dstreams_get_records,         0, NULL},
    {"GetShardIterator",    dstreams_get_shard_iterator,  0, NULL},
    {"ListStreams",         dstreams_list_streams,        0, NULL},
};

/* The records' 24-hour trim is a durable timer; its kind is registered before the scheduler
 * starts, whichever of the two DynamoDB services initializes first. */
static int
dstreams_init(void)
{
    return ddb_stream_init();
}

const struct awslet_service awslet_service_dynamodbstreams = {
    .name = "dynamodbstreams",
    .target_prefix = "DynamoDBStreams_20120810",
    .json_namespace = "com.amazonaws.dynamodb.v20120810",
    .validation_namespace = "com.amazon.coral.validate",
    .protocols = PROTO_JSON_1_0,
    .flags = SVC_CRC32,
    .ops = dstreams_ops,
    .n_ops = ARRAY_SIZE(dstreams_ops),
    .init = dstreams_init,
};
