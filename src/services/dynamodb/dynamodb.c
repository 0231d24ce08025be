/* dynamodb.c: the DynamoDB service descriptor and its operation table.
 *
 * AWS JSON 1.0 (X-Amz-Target: DynamoDB_20120810.*); every response carries x-amz-crc32,
 * which botocore checks. The files behind each row are listed in ddb_int.h. */
#include "services/dynamodb/ddb_int.h"

DDB_ERRORS(AWSLET_ERROR_DEFINE)

/* Sorted by name: the router uses bsearch (tests/unit/test_services.c checks the order). */
static const struct awslet_op ddb_ops[] = {
    {"BatchExecuteStatement",     ddb_batch_execute_statement,     0,
     ddb_batch_execute_statement_writes},
    {"BatchGetItem",              ddb_batch_get_item,              0, NULL},
    {"BatchWriteItem",            ddb_batch_write_item,            OP_WRITE, NULL},
    {"CreateBackup",              ddb_create_backup,               OP_WRITE, NULL},
    {"CreateTable",               ddb_create_table,                OP_WRITE, NULL},
    {"DeleteBackup",              ddb_delete_backup,               OP_WRITE, NULL},
    {"DeleteItem",                ddb_delete_item,                 OP_WRITE, NULL},
    {"DeleteTable",               ddb_delete_table,                OP_WRITE, NULL},
    {"DescribeBackup",            ddb_describe_backup,             0, NULL},
    {"DescribeContinuousBackups", ddb_describe_continuous_backups, 0, NULL},
    {"DescribeEndpoints",         ddb_describe_endpoints,          0, NULL},
    {"DescribeLimits",            ddb_describe_limits,             0, NULL},
    {"DescribeTable",             ddb_describe_table,              0, NULL},
    {"DescribeTimeToLive",        ddb_describe_time_to_live,       0, NULL},
    {"ExecuteStatement",          ddb_execute_statement,           0,
     ddb_execute_statement_writes},
    {"ExecuteTransaction",        ddb_execute_transaction,         0,
     ddb_execute_transaction_writes},
    {"GetItem",                   ddb_get_item,                    0, NULL},
    {"ListBackups",               ddb_list_backups,                0, NULL},
    {"ListTables",                ddb_list_tables,                 0, NULL},
    {"ListTagsOfResource",        ddb_list_tags_of_resource,       0, NULL},
    {"PutItem",                   ddb_put_item,                    OP_WRITE, NULL},
    {"Query",                     ddb_query,                       0, NULL},
    {"RestoreTableFromBackup",    ddb_restore_table_from_backup,   OP_WRITE, NULL},
    {"Scan",                      ddb_scan,                        0, NULL},
    {"TagResource",               ddb_tag_resource,                OP_WRITE, NULL},
    {"TransactGetItems",          ddb_transact_get_items,          0, NULL},
    {"TransactWriteItems",        ddb_transact_write_items,        OP_WRITE, NULL},
    {"UntagResource",             ddb_untag_resource,              OP_WRITE, NULL},
    {"UpdateItem",                ddb_update_item,                 OP_WRITE, NULL},
    {"UpdateTable",               ddb_update_table,                OP_WRITE, NULL},
    {"UpdateTimeToLive",          ddb_update_time_to_live,         OP_WRITE, NULL},
};

static int
ddb_init(void)
{
    return ddb_ttl_init();
}

static void
ddb_shutdown(void)
{
    ddb_ttl_shutdown();
}

static void
ddb_reset(void)
{
    ddb_table_cache_clear();
}

const struct awslet_service awslet_service_dynamodb = {
    .name = "dynamodb",
    .target_prefix = "DynamoDB_20120810",
    .json_namespace = "com.amazonaws.dynamodb.v20120810",
    .validation_namespace = "com.amazon.coral.validate",
    .protocols = PROTO_JSON_1_0,
    .flags = SVC_CRC32,
    .ops = ddb_ops,
    .n_ops = ARRAY_SIZE(ddb_ops),
    .init = ddb_init,
    .shutdown = ddb_shutdown,
    .reset = ddb_reset,
};
