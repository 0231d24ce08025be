/* sqs.c: the SQS service descriptor and its operation table.
 *
 * SQS speaks two protocols: AWS JSON 1.0 (X-Amz-Target: AmazonSQS.*, boto3 >= 1.34.90, the JS
 * SDK v3) and the query protocol (Action=... forms, Debian aws-cli v2), whose shapes come
 * from the query-era model (sqs_model.c). Handlers see the same input tree either way; JSON
 * errors carry x-amzn-query-error so that clients map them back to the query-era codes. */
#include "services/sqs/sqs_int.h"

#include "core/timer.h"
#include "services/models.h"
#include "services/service.h"

SQS_ERRORS(AWSLET_ERROR_DEFINE)

/* Sorted by name: the router uses bsearch (tests/unit/test_router.c checks the order). */
static const struct awslet_op sqs_ops[] = {
    /* name                           handler                                flags */
    {"AddPermission",                 sqs_add_permission,                    OP_WRITE, NULL},
    {"CancelMessageMoveTask",         sqs_cancel_message_move_task,          OP_WRITE, NULL},
    {"ChangeMessageVisibility",       sqs_change_message_visibility,         OP_WRITE, NULL},
    {"ChangeMessageVisibilityBatch",  sqs_change_message_visibility_batch,   OP_WRITE, NULL},
    {"CreateQueue",                   sqs_create_queue,                      OP_WRITE, NULL},
    {"DeleteMessage",                 sqs_delete_message,                    OP_WRITE, NULL},
    {"DeleteMessageBatch",            sqs_delete_message_batch,              OP_WRITE, NULL},
    {"DeleteQueue",                   sqs_delete_queue,                      OP_WRITE, NULL},
    {"GetQueueAttributes",            sqs_get_queue_attributes,              0, NULL},
    {"GetQueueUrl",                   sqs_get_queue_url,                     0, NULL},
    {"ListDeadLetterSourceQueues",    sqs_list_dead_letter_source_queues,    0, NULL},
    {"ListMessageMoveTasks",          sqs_list_message_move_tasks,           0, NULL},
    {"ListQueueTags",                 sqs_list_queue_tags,                   0, NULL},
    {"ListQueues",                    sqs_list_queues,                       0, NULL},
    {"PurgeQueue",                    sqs_purge_queue,                       OP_WRITE, NULL},
    {"ReceiveMessage",                sqs_receive_message,                   OP_WRITE | OP_MAY_SUSPEND, NULL},
    {"RemovePermission",              sqs_remove_permission,                 OP_WRITE, NULL},
    {"SendMessage",                   sqs_send_message,                      OP_WRITE, NULL},
    {"SendMessageBatch",              sqs_send_message_batch,                OP_WRITE, NULL},
    {"SetQueueAttributes",            sqs_set_queue_attributes,              OP_WRITE, NULL},
    {"StartMessageMoveTask",          sqs_start_message_move_task,           OP_WRITE, NULL},
    {"TagQueue",                      sqs_tag_queue,                         OP_WRITE, NULL},
    {"UntagQueue",                    sqs_untag_queue,                       OP_WRITE, NULL},
};

int sqs_move_init(void);

static int
sqs_init(void)
{
    return sqs_move_init();
}

static void
sqs_reset(void)
{
    sqs_waiters_clear();
}

const struct awslet_service awslet_service_sqs = {
    .name = "sqs",
    .target_prefix = "AmazonSQS",
    .json_namespace = "com.amazonaws.sqs",
    .query_version = "2012-11-05",
    .protocols = PROTO_JSON_1_0 | PROTO_QUERY,
    .flags = SVC_QUERY_ERROR_HEADER,
    .model = &model_sqs_query,
    .ops = sqs_ops,
    .n_ops = ARRAY_SIZE(sqs_ops),
    .init = sqs_init,
    .reset = sqs_reset,
};
