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
    {"AddPermission",                 sqs_add_permission,                    OP_WRITE},
    {"CancelMessageMoveTask",         sqs_cancel_message_move_task,          OP_WRITE},
    {"ChangeMessageVisibility",       sqs_change_message_visibility,         OP_WRITE},
    {"ChangeMessageVisibilityBatch",  sqs_change_message_visibility_batch,   OP_WRITE},
    {"CreateQueue",                   sqs_create_queue,                      OP_WRITE},
    {"DeleteMessage",                 sqs_delete_message,                    OP_WRITE},
    {"DeleteMessageBatch",            sqs_delete_message_batch,              OP_WRITE},
    {"DeleteQueue",                   sqs_delete_queue,                      OP_WRITE},
    {"GetQueueAttributes",            sqs_get_queue_attributes,              0},
    {"GetQueueUrl",                   sqs_get_queue_url,                     0},
    {"ListDeadLetterSourceQueues",    sqs_list_dead_letter_source_queues,    0},
    {"ListMessageMoveTasks",          sqs_list_message_move_tasks,           0},
    {"ListQueueTags",                 sqs_list_queue_tags,                   0},
    {"ListQueues",                    sqs_list_queues,                       0},
    {"PurgeQueue",                    sqs_purge_queue,                       OP_WRITE},
    {"ReceiveMessage",                sqs_receive_message,                   OP_WRITE | OP_MAY_SUSPEND},
    {"RemovePermission",              sqs_remove_permission,                 OP_WRITE},
    {"SendMessage",                   sqs_send_message,                      OP_WRITE},
    {"SendMessageBatch",              sqs_send_message_batch,                OP_WRITE},
    {"SetQueueAttributes",            sqs_set_queue_attributes,              OP_WRITE},
    {"StartMessageMoveTask",          sqs_start_message_move_task,           OP_WRITE},
    {"TagQueue",                      sqs_tag_queue,                         OP_WRITE},
    {"UntagQueue",                    sqs_untag_queue,                       OP_WRITE},
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
