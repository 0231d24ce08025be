/* sqs_int.h: what the SQS files share: the queue record, the error catalogue, argument
 * helpers, and the functions each topic file offers the others.
 *
 * Files: sqs.c (descriptor, op table, init), sqs_queue.c (URLs, ARNs, lookup, Create/Delete/
 * GetQueueUrl/ListQueues), sqs_attrs.c (queue attributes: defaults, validation, Get/Set),
 * sqs_tags.c (tags and permissions), sqs_args.c (reading the input tree), sqs_md5.c (the
 * digests SDKs verify), sqs_send.c (SendMessage[Batch], message attributes), sqs_receive.c
 * (ReceiveMessage, FIFO selection, dead-lettering, long-poll waiters), sqs_visibility.c
 * (receipt handles, Delete/ChangeMessageVisibility[Batch]), sqs_move.c (PurgeQueue,
 * ListDeadLetterSourceQueues, message move tasks).
 *
 * Times: every *_ms is milliseconds on the awslet clock (clock_now_ms()); AWS reports
 * timestamps in epoch seconds (queue attributes) or milliseconds (message attributes). */
#ifndef AWSLET_SQS_INT_H
#define AWSLET_SQS_INT_H

#include <stdbool.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/error.h"
#include "core/req.h"
#include "services/service.h"

/* JSON code (the model's shape name, or AWS's JSON exception name), query-era code (from the
 * query model Debian's aws-cli bundles; also sent in x-amzn-query-error), status. */
#define SQS_ERRORS(X)                                                                          \
    X(ERR_SQS_QUEUE_DOES_NOT_EXIST, "QueueDoesNotExist",                                       \
      "AWS.SimpleQueueService.NonExistentQueue", 400, SENDER)                                  \
    X(ERR_SQS_QUEUE_NAME_EXISTS, "QueueNameExists", "QueueAlreadyExists", 400, SENDER)         \
    X(ERR_SQS_QUEUE_DELETED_RECENTLY, "QueueDeletedRecently",                                  \
      "AWS.SimpleQueueService.QueueDeletedRecently", 400, SENDER)                              \
    X(ERR_SQS_INVALID_PARAMETER_VALUE, "InvalidParameterValueException",                       \
      "InvalidParameterValue", 400, SENDER)                                                    \
    X(ERR_SQS_MISSING_PARAMETER, "MissingRequiredParameterException", "MissingParameter", 400, \
      SENDER)                                                                                  \
    X(ERR_SQS_INVALID_ATTRIBUTE_NAME, "InvalidAttributeName", NULL, 400, SENDER)               \
    X(ERR_SQS_INVALID_ATTRIBUTE_VALUE, "InvalidAttributeValue", NULL, 400, SENDER)             \
    X(ERR_SQS_RECEIPT_HANDLE_INVALID, "ReceiptHandleIsInvalid", NULL, 400, SENDER)             \
    X(ERR_SQS_MESSAGE_NOT_INFLIGHT, "MessageNotInflight",                                      \
      "AWS.SimpleQueueService.MessageNotInflight", 400, SENDER)                                \
    X(ERR_SQS_TOO_MANY_ENTRIES, "TooManyEntriesInBatchRequest",                                \
      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, SENDER)                      \
    X(ERR_SQS_EMPTY_BATCH, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",    \
      400, SENDER)                                                                             \
    X(ERR_SQS_BATCH_IDS_NOT_DISTINCT, "BatchEntryIdsNotDistinct",                              \
      "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, SENDER)                          \
    X(ERR_SQS_BATCH_TOO_LONG, "BatchRequestTooLong",                                           \
      "AWS.SimpleQueueService.BatchRequestTooLong", 400, SENDER)                               \
    X(ERR_SQS_INVALID_BATCH_ENTRY_ID, "InvalidBatchEntryId",                                   \
      "AWS.SimpleQueueService.InvalidBatchEntryId", 400, SENDER)                               \
    X(ERR_SQS_PURGE_IN_PROGRESS, "PurgeQueueInProgress",                                       \
      "AWS.SimpleQueueService.PurgeQueueInProgress", 403, SENDER)                              \
    X(ERR_SQS_OVER_LIMIT, "OverLimit", "OverLimit", 403, SENDER)                               \
    X(ERR_SQS_UNSUPPORTED_OPERATION, "UnsupportedOperation",                                   \
      "AWS.SimpleQueueService.UnsupportedOperation", 400, SENDER)                              \
    X(ERR_SQS_INVALID_MESSAGE_CONTENTS, "InvalidMessageContents", NULL, 400, SENDER)           \
    X(ERR_SQS_INVALID_ID_FORMAT, "InvalidIdFormat", NULL, 400, SENDER)                         \
    X(ERR_SQS_RESOURCE_NOT_FOUND, "ResourceNotFoundException", NULL, 404, SENDER)              \
    X(ERR_SQS_INVALID_ADDRESS, "InvalidAddress", NULL, 404, SENDER)                            \
    X(ERR_SQS_INVALID_SECURITY, "InvalidSecurity", NULL, 403, SENDER)

SQS_ERRORS(AWSLET_ERROR_DECLARE)

/* AWS's limits (SQS developer guide, quotas; AWS-FACTS.md section 3). */
#define SQS_MAX_MESSAGE_BYTES 1048576     /* body + attributes, and a whole batch */
#define SQS_MAX_BATCH 10
#define SQS_MAX_MESSAGE_ATTRIBUTES 10
#define SQS_DEDUP_WINDOW_MS (5 * 60 * 1000)
#define SQS_DELETED_RECENTLY_MS (60 * 1000)
#define SQS_PURGE_INTERVAL_MS (60 * 1000)
#define SQS_MAX_INFLIGHT_STANDARD 120000
#define SQS_MAX_INFLIGHT_FIFO 120000

/* One queue as stored in sqs_queues. Strings are arena-owned (the request's) or NULL. */
struct sqs_queue {
    long long id;                /* sqs_queues.id */
    const char *account;
    const char *region;
    const char *name;
    const char *arn;             /* arn:aws:sqs:{region}:{account}:{name} */
    bool fifo;
    int delay_seconds;           /* 0-900 */
    int maximum_message_size;    /* 1024-1048576 */
    int retention_seconds;       /* 60-1209600 */
    int wait_seconds;            /* ReceiveMessageWaitTimeSeconds 0-20 */
    int visibility_timeout;      /* 0-43200 */
    bool content_dedup;          /* ContentBasedDeduplication */
    const char *dedup_scope;     /* "queue" | "messageGroup" (FIFO) */
    const char *throughput_limit; /* "perQueue" | "perMessageGroupId" (FIFO) */
    const char *policy;          /* Policy JSON text or NULL */
    const char *redrive_policy;  /* RedrivePolicy JSON text or NULL */
    const char *redrive_allow;   /* RedriveAllowPolicy JSON text or NULL */
    const char *dlq_arn;         /* parsed from redrive_policy, or NULL */
    int max_receive_count;       /* parsed from redrive_policy, 0 if none */
    const char *kms_key;         /* KmsMasterKeyId or NULL */
    int kms_reuse_seconds;       /* KmsDataKeyReusePeriodSeconds, default 300 */
    const char *sse;             /* SqsManagedSseEnabled "true"/"false" */
    const char *tags;            /* JSON object text */
    long long created_s, modified_s;
    long long purged_ms;         /* last PurgeQueue, 0 if never */
};

/* ---- sqs_args.c: reading the input tree (same tree for JSON and query) --------------------
 * Each fails the request with SQS's own error and message and returns -1. */
int sqs_arg_str(struct awslet_req *req, const json_t *in, const char *name, const char **out);
/* Optional string: *out untouched when absent. */
/* Member name of in, or NULL when absent or JSON null (SDKs send null for unset members). */
const json_t *sqs_arg_get(const json_t *in, const char *name);
/* How a value is quoted back in an error message: strings bare, as SQS does, anything else
 * as compact JSON (arena-owned). */
const char *sqs_arg_text(struct arena *a, const json_t *v);
int sqs_arg_str_opt(struct awslet_req *req, const json_t *in, const char *name,
                    const char **out);
/* Optional integer in [min, max] (query values that did not parse arrive as strings and are
 * rejected here with AWS's message); *out untouched when absent. */
int sqs_arg_int_opt(struct awslet_req *req, const json_t *in, const char *name, long long min,
                    long long max, long long *out);
/* Optional boolean. */
int sqs_arg_bool_opt(struct awslet_req *req, const json_t *in, const char *name, bool *out);

/* ---- sqs_queue.c ------------------------------------------------------------------------ */
/* Find the queue a request addresses: the QueueUrl member, else the request path
 * (/{account}/{name}). NULL with QueueDoesNotExist (or MissingParameter) set. */
struct sqs_queue *sqs_queue_from_request(struct awslet_req *req, const json_t *in);
/* Look a queue up by its URL (any host), by ARN, or by account/region/name. NULL with the
 * error set when missing. */
struct sqs_queue *sqs_queue_by_url(struct awslet_req *req, const char *url);
struct sqs_queue *sqs_queue_by_arn(struct awslet_req *req, const char *arn);
struct sqs_queue *sqs_queue_load(struct awslet_req *req, const char *account,
                                 const char *region, const char *name);
/* "http://{Host the client used}/{account}/{name}", arena-owned. */
const char *sqs_queue_url(struct awslet_req *req, const struct sqs_queue *q);
/* Split an SQS ARN; 0 or -1. Outputs point into an arena copy. */
int sqs_arn_split(struct awslet_req *req, const char *arn, const char **region,
                  const char **account, const char **name);
/* 1 if name is a valid queue name (1-80 of [A-Za-z0-9_-], ".fifo" suffix iff fifo). */
int sqs_name_valid(const char *name, bool fifo);

/* ---- sqs_attrs.c ------------------------------------------------------------------------ */
/* Apply the attribute map of CreateQueue/SetQueueAttributes onto q (validated; AWS's
 * InvalidAttributeName / InvalidAttributeValue errors). creating: FifoQueue may be set. */
int sqs_attrs_apply(struct awslet_req *req, struct sqs_queue *q, const json_t *attrs,
                    bool creating);
/* Defaults for a new queue. */
void sqs_attrs_defaults(struct sqs_queue *q, bool fifo);
/* Write every stored column of q (insert when q->id == 0, which sets q->id). 0 or -1. */
int sqs_queue_save(struct awslet_req *req, struct sqs_queue *q);

/* ---- sqs_md5.c -------------------------------------------------------------------------- */
/* Hex MD5 of bytes into out[33]. */
void sqs_md5_hex(const void *data, size_t len, char out[33]);
/* MD5OfMessageAttributes over a MessageAttributes object as the API carries it
 * ({"name": {"DataType", "StringValue" | "BinaryValue" (base64)}}), AWS's algorithm: names
 * sorted; per attribute 4-byte big-endian length + name, length + DataType, one transport
 * byte (1 string/number, 2 binary), length + value. 0, or -1 for a malformed attribute. */
int sqs_md5_of_attributes(const json_t *attrs, char out[33]);

/* ---- handlers (the op table in sqs.c) ---------------------------------------------------- */
awslet_op_fn sqs_add_permission, sqs_cancel_message_move_task, sqs_change_message_visibility,
    sqs_change_message_visibility_batch, sqs_create_queue, sqs_delete_message,
    sqs_delete_message_batch, sqs_delete_queue, sqs_get_queue_attributes, sqs_get_queue_url,
    sqs_list_dead_letter_source_queues, sqs_list_message_move_tasks, sqs_list_queue_tags,
    sqs_list_queues, sqs_purge_queue, sqs_receive_message, sqs_remove_permission,
    sqs_send_message, sqs_send_message_batch, sqs_set_queue_attributes,
    sqs_start_message_move_task, sqs_tag_queue, sqs_untag_queue;

/* ---- sqs_receive.c: long-poll waiters ----------------------------------------------------- */
/* Wake up to n requests long-polling queue_id (after a send commits). */
void sqs_waiters_wake(long long queue_id, int n);
/* Forget every waiter (reset). */
void sqs_waiters_clear(void);

/* ---- sqs_queue.c / sqs_attrs.c: more for the other SQS files ------------------------------ */
/* Like sqs_queue_load, but a missing queue is no error: NULL with req->err untouched. A store
 * failure also gives NULL, with req->err set (check it). */
struct sqs_queue *sqs_queue_lookup(struct awslet_req *req, const char *account,
                                   const char *region, const char *name);
/* A queue attribute as GetQueueAttributes reports it (arena string), or NULL when the queue
 * does not report it (unset optional attribute, FIFO attribute of a standard queue, or a
 * name that is not an attribute). Approximate* counts are not handled here. */
const char *sqs_attr_value(struct awslet_req *req, const struct sqs_queue *q, const char *name);

/* ---- sqs_md5.c (appended by the send engineer) ------------------------------------------- */
/* MD5OfMessageSystemAttributes: the same algorithm over MessageSystemAttributes
 * ({"AWSTraceHeader": {"DataType": "String", "StringValue": ...}}). 0 or -1. */
int sqs_md5_of_system_attributes(const json_t *attrs, char out[33]);

/* ---- sqs_send.c: what a stored message looks like (appended by the send engineer) ---------
 * sqs_messages.attributes: JSON text {"name": {"DataType": t, "StringValue": v}} for String and
 * Number types (custom suffixes included), {"name": {"DataType": t, "BinaryValue": base64}} for
 * Binary ones, NULL when the message has none. system_attributes: the same shape holding only
 * AWSTraceHeader, or NULL. md5_attributes / md5_system: the digests over those maps (NULL when
 * absent). sequence_number: 20-digit zero-padded decimal (FIFO only). */

/* ---- sqs_visibility.c: receipt handles (appended by the receive engineer) ----------------
 * A receipt handle is "AQEB" + base64url("v1:<queue id>:<row id>:<token>"). The token is what
 * sqs_messages.receipt holds for the message's latest receive: "<receive time, ms, hex>-<24
 * random hex digits>", so every receive yields a new handle and an older one is told apart. */
#define SQS_TOKEN_SIZE 48 /* room for a token and its NUL */
/* A fresh token for a receive at now_ms into out. 0, or -1 if no random bytes. */
int sqs_receipt_token(long long now_ms, char out[SQS_TOKEN_SIZE]);
/* The receive time a token records, or -1 if it is not one of ours. */
long long sqs_receipt_token_ms(const char *token);
/* The handle for a message row and token, arena-owned (NULL when out of memory). */
const char *sqs_receipt_make(struct awslet_req *req, long long queue_id, long long row_id,
                             const char *token);
/* Split a handle: 0, or -1 when it is not a handle awslet made. */
int sqs_receipt_parse(const char *handle, long long *queue_id, long long *row_id,
                      char token[SQS_TOKEN_SIZE]);

/* ---- sqs_receive.c: pure rules, exported for the unit tests ------------------------------ */
/* 1 if a MessageAttributeNames list (All, .*, "prefix.*", exact names) asks for name. */
int sqs_attr_name_wanted(const char *const *patterns, size_t n, const char *name);
/* One candidate row of a FIFO queue, in send (row id) order. */
struct sqs_fifo_row {
    int group;     /* dense index of its MessageGroupId, 0 <= group < n_groups */
    bool visible;  /* visible_ms <= now: receivable unless its group is blocked */
    bool inflight; /* received and visible_ms > now: blocks its whole group */
};
/* FIFO selection: a group with a message in flight (in rows, or blocked[g] preset by the
 * caller) gives nothing; other groups give their messages from the oldest on, in order, up
 * to the first one not visible; the batch is filled group by group (oldest group first) so it
 * comes from as few groups as possible. Writes up to max row indexes to out, in delivery
 * order; blocked (n_groups entries) is used as scratch. The count, or -1 when out of memory. */
int sqs_fifo_select(const struct sqs_fifo_row *rows, size_t n, bool *blocked, size_t n_groups,
                    size_t max, size_t *out);

/* sqs_tags.c: merge a Tags map ({key: value}) into q->tags (arena text), enforcing AWS's
 * limits (at most 50 tags, key 1-128, value 0-256 characters). 0 or -1 (error set). */
int sqs_tags_merge(struct awslet_req *req, struct sqs_queue *q, const json_t *tags);

#endif
