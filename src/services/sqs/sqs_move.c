/* sqs_move.c: PurgeQueue, ListDeadLetterSourceQueues and the message move tasks
 * (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask).
 *
 * A move task is a row of sqs_move_tasks plus one durable timer of kind "sqs.move" (ref: the
 * task handle; payload: the highest message id the source held when the task started, which
 * marks "the messages present at the start"). Each tick runs in its own write transaction on
 * the scheduler thread, moves up to the task's rate of the source's visible messages by
 * re-pointing their rows at the destination, and schedules the next tick a second later on
 * the awslet clock: tasks survive a restart, and the test clock speeds them up. Long polls on
 * a destination are woken once the tick has committed. */
#include "services/sqs/sqs_int.h"

#include "core/base64.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/timer.h"
#include "store/store.h"

#define MOVE_TIMER_KIND "sqs.move"
#define MOVE_TICK_MS 1000
#define MOVE_RATE_MAX 500     /* AWS: "The maximum value for messages per second is 500." */
#define MOVE_RATE_DEFAULT 500 /* AWS picks a "system-optimized" rate when none is given */
#define MOVE_LIST_DEFAULT 1   /* ListMessageMoveTasks: "The default is 1" */
#define MOVE_LIST_MAX 10      /* "... The upper limit is 10." */
#define MOVE_KEEP_TASKS 10    /* tasks kept per source: ListMessageMoveTasks shows 10 at most */
#define DLQ_SOURCES_MAX 1000  /* ListDeadLetterSourceQueues: MaxResults 1 to 1000 */

/* What ListMessageMoveTasks reports (the model's documented values). */
#define MOVE_RUNNING "RUNNING"
#define MOVE_COMPLETED "COMPLETED"
#define MOVE_CANCELLING "CANCELLING"
#define MOVE_CANCELLED "CANCELLED"
#define MOVE_FAILED "FAILED"

/* FailureReason values, as the SQS developer guide's DLQ redrive troubleshooting shows them. */
#define MOVE_FAIL_NO_QUEUE "AWS.SimpleQueueService.NonExistentQueue"
#define MOVE_FAIL_NO_SOURCE "CouldNotDetermineMessageSource"

/* ---- base64 into the arena (task handles and tokens are base64 JSON) ------------------ */

/* Encode n bytes into the arena; NULL when out of memory. */
static char *
move_b64_encode(struct arena *a, const unsigned char *in, size_t n)
{
    char *out = arena_alloc(a, base64_encoded_len(n, 0) + 1);

    if (out)
        base64_encode(out, in, n, 0);
    return out;
}

/* Decode base64 into the arena (NUL-terminated, length in *len). NULL for text that is not
 * base64, or out of memory. */
static unsigned char *
move_b64_decode(struct arena *a, const char *in, size_t *len)
{
    long long n = base64_decoded_len(in, strlen(in), 0);
    unsigned char *out = n >= 0 ? arena_alloc(a, (size_t)n + 1) : NULL;

    if (!out || base64_decode(out, in, strlen(in), 0) != n)
        return NULL;
    out[n] = '\0';
    *len = (size_t)n;
    return out;
}

/* ---- pure rules (unit-tested) ------------------------------------------------------------ */

/* AWS's task handle: base64 of {"taskId":"<uuid>","sourceArn":"<arn>"} (the API reference's
 * example decodes to exactly that). Arena-owned, or NULL when out of memory. */
AWSLET_TESTABLE char *
sqs_move_handle_encode(struct arena *a, const char *task_id, const char *source_arn)
{
    json_t *j = json_pack("{s:s, s:s}", "taskId", task_id, "sourceArn", source_arn);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *out = text ? move_b64_encode(a, (const unsigned char *)text, strlen(text)) : NULL;

    free(text);
    json_decref(j);
    return out;
}

/* Split a handle back into its task id and source ARN (arena copies). 0, or -1 for anything
 * that is not such a handle. */
AWSLET_TESTABLE int
sqs_move_handle_decode(struct arena *a, const char *handle, const char **task_id,
                       const char **source_arn)
{
    size_t len;
    unsigned char *text = move_b64_decode(a, handle, &len);
    json_t *j, *id, *arn;
    int rc = -1;

    if (!text || len == 0 || strlen((const char *)text) != len)
        return -1;
    j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
    id = json_object_get(j, "taskId");
    arn = json_object_get(j, "sourceArn");
    if (json_is_string(id) && json_is_string(arn) && json_string_length(id) > 0 &&
        json_string_length(arn) > 0) {
        *task_id = arena_strdup(a, json_string_value(id));
        *source_arn = arena_strdup(a, json_string_value(arn));
        rc = *task_id && *source_arn ? 0 : -1;
    }
    json_decref(j);
    return rc;
}

/* Split arn:<partition>:<service>:<region>:<account-id>:<resource-id> in place (arn is the
 * caller's copy); every part must be present. 0 or -1. */
AWSLET_TESTABLE int
sqs_move_arn_split(char *arn, const char **service, const char **region, const char **account,
                   const char **name)
{
    char *part[6];
    int i;

    for (i = 0; i < 6; i++) {
        part[i] = arn;
        arn = i < 5 ? strchr(arn, ':') : NULL;
        if (i < 5 && !arn)
            return -1;
        if (arn)
            *arn++ = '\0';
        if (part[i][0] == '\0')
            return -1;
    }
    if (strcmp(part[0], "arn") != 0 || strchr(part[5], ':'))
        return -1;
    *service = part[2];
    *region = part[3];
    *account = part[4];
    *name = part[5];
    return 0;
}

/* MaxNumberOfMessagesPerSecond: 1 to 500. */
AWSLET_TESTABLE bool
sqs_move_rate_valid(long long rate)
{
    return rate >= 1 && rate <= MOVE_RATE_MAX;
}

/* ListMessageMoveTasks MaxResults: 1 to 10. */
AWSLET_TESTABLE bool
sqs_move_max_results_valid(long long n)
{
    return n >= 1 && n <= MOVE_LIST_MAX;
}

/* ---- queues by ARN (also used off-request, by the ticks) --------------------------------- */

/* The id of the queue an ARN names (and whether it is FIFO): 1 found, 0 not found (or not an
 * SQS ARN), -1 malformed ARN or a database error. */
static int
move_queue_by_arn(sqlite3 *db, const char *arn, long long *id, bool *fifo)
{
    static const char sql[] = "SELECT id, fifo FROM sqs_queues"
                              " WHERE account = ?1 AND region = ?2 AND name = ?3";
    const char *service, *region, *account, *name;
    char *copy = strdup(arn);
    sqlite3_stmt *st;
    int rc;

    if (!copy)
        return -1;
    if (sqs_move_arn_split(copy, &service, &region, &account, &name) != 0) {
        free(copy);
        return -1;
    }
    if (strcmp(service, "sqs") != 0) {
        free(copy);
        return 0;
    }
    st = store_stmt(db, sql);
    if (!st) {
        free(copy);
        return -1;
    }
    sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (fifo)
            *fifo = sqlite3_column_int(st, 1) != 0;
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_reset(st);
    free(copy);
    return rc;
}

/* Resolve SourceArn/DestinationArn of a request, failing it with AWS's wording. */
static int
move_req_queue(struct awslet_req *req, const char *member, const char *arn, long long *id,
               bool *fifo)
{
    char *copy = arena_strdup(&req->arena, arn);
    const char *service, *region, *account, *name;
    int rc;

    if (!copy) {
        awslet_fail_nomem(req);
        return -1;
    }
    if (sqs_move_arn_split(copy, &service, &region, &account, &name) != 0) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "You must use this format to specify the %s: "
                    "arn:<partition>:<service>:<region>:<account-id>:<resource-id>",
                    member);
        return -1;
    }
    rc = move_queue_by_arn(req->db, arn, id, fifo);
    if (rc < 0) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot look up queue");
        return -1;
    }
    if (rc == 0) {
        awslet_fail(req, &ERR_SQS_RESOURCE_NOT_FOUND,
                    "The resource that you specified for the %s parameter doesn't exist.", member);
        return -1;
    }
    return 0;
}

/* ---- PurgeQueue -------------------------------------------------------------------------- */

/* PurgeQueue: delete every message of the queue at once (AWS promises "within 60 seconds"),
 * at most once per 60 s per queue.   in: QueueUrl   out: nothing */
enum awslet_rc
sqs_purge_queue(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char del[] = "DELETE FROM sqs_messages WHERE queue_id = ?1";
    static const char mark[] = "UPDATE sqs_queues SET purged_ms = ?2 WHERE id = ?1";
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    long long now = clock_now_ms();
    sqlite3_stmt *st;
    int rc;

    if (!q)
        return AWSLET_ERR;
    if (q->purged_ms > 0 && now - q->purged_ms < SQS_PURGE_INTERVAL_MS)
        return awslet_fail(req, &ERR_SQS_PURGE_IN_PROGRESS,
                           "Only one PurgeQueue operation on %s is allowed every 60 seconds.",
                           q->name);
    if (!(st = store_stmt(req->db, del)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot purge queue");
    sqlite3_bind_int64(st, 1, q->id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || !(st = store_stmt(req->db, mark)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot purge queue");
    sqlite3_bind_int64(st, 1, q->id);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot purge queue");
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- ListDeadLetterSourceQueues ---------------------------------------------------------- */

/* NextToken: base64 of {"dlq": "<this queue's ARN>", "after": "<last name returned>"}. */
static const char *
dlq_token_encode(struct awslet_req *req, const char *dlq_arn, const char *after)
{
    json_t *j = json_pack("{s:s, s:s}", "dlq", dlq_arn, "after", after);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    const char *out =
        text ? move_b64_encode(&req->arena, (const unsigned char *)text, strlen(text)) : NULL;

    free(text);
    json_decref(j);
    return out;
}

/* The name to continue after, or NULL with the error set. */
static const char *
dlq_token_decode(struct awslet_req *req, const char *token, const char *dlq_arn)
{
    size_t len;
    unsigned char *text = move_b64_decode(&req->arena, token, &len);
    json_t *j = text ? json_loadb((const char *)text, len, 0, NULL) : NULL;
    const char *dlq = json_string_value(json_object_get(j, "dlq"));
    const char *after = json_string_value(json_object_get(j, "after"));
    const char *out = NULL;

    if (!dlq || !after)
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE, "Invalid or expired next token.");
    else if (strcmp(dlq, dlq_arn) != 0)
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Invalid NextToken value. If you are passing in NextToken, you must not "
                    "change the other request parameters.");
    else if (!(out = arena_strdup(&req->arena, after)))
        awslet_fail_nomem(req);
    json_decref(j);
    return out;
}

/* ListDeadLetterSourceQueues: the queues whose RedrivePolicy targets this queue, by name.
 * in: QueueUrl, MaxResults? (1-1000), NextToken?   out: queueUrls (lower-case q, as the
 * model has it), NextToken (only when MaxResults was given and more remain) */
enum awslet_rc
sqs_list_dead_letter_source_queues(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] = "SELECT name FROM sqs_queues WHERE dlq_arn = ?1 AND account = ?2"
                              " AND region = ?3 AND name > ?4 ORDER BY name LIMIT ?5";
    struct sqs_queue *q = sqs_queue_from_request(req, in), src;
    long long max = LLONG_MIN, limit, n = 0;
    const char *token = NULL, *after = "", *last = NULL, *url;
    json_t *urls, *res;
    sqlite3_stmt *st;
    bool more = false;
    int rc;

    if (!q)
        return AWSLET_ERR;
    if (sqs_arg_int_opt(req, in, "MaxResults", LLONG_MIN + 1, LLONG_MAX, &max) ||
        sqs_arg_str_opt(req, in, "NextToken", &token))
        return AWSLET_ERR;
    if (max != LLONG_MIN && (max < 1 || max > DLQ_SOURCES_MAX))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter MaxResults is invalid. Reason: MaxResults must "
                           "be an integer between 1 and 1000.");
    if (token && token[0] && !(after = dlq_token_decode(req, token, q->arn)))
        return AWSLET_ERR;
    if (!(st = store_stmt(req->db, sql)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list queues");
    res = json_object();
    urls = json_array();
    if (!res || !urls || json_object_set_new(res, "queueUrls", urls) != 0) {
        json_decref(res);
        sqlite3_reset(st);
        return awslet_fail_nomem(req);
    }
    sqlite3_bind_text(st, 1, q->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, q->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, after, -1, SQLITE_STATIC);
    /* One more than a page tells whether a NextToken is due. */
    limit = max == LLONG_MIN ? DLQ_SOURCES_MAX : max;
    sqlite3_bind_int64(st, 5, limit + 1);
    memset(&src, 0, sizeof(src));
    src.account = q->account;
    src.region = q->region;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            rc = SQLITE_DONE;
            break;
        }
        src.name = last = arena_strdup(&req->arena, (const char *)sqlite3_column_text(st, 0));
        url = last ? sqs_queue_url(req, &src) : NULL;
        if (!url || json_array_append_new(urls, json_string(url)) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(res);
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list queues");
    }
    /* "Token value is null if there are no additional results to request, or if you did
     * not set MaxResults in the request." */
    if (more && max != LLONG_MIN &&
        (!(token = dlq_token_encode(req, q->arn, last)) ||
         json_object_set_new(res, "NextToken", json_string(token)) != 0)) {
        json_decref(res);
        return awslet_fail_nomem(req);
    }
    *out = res;
    return AWSLET_OK;
}

/* ---- StartMessageMoveTask ---------------------------------------------------------------- */

/* 1 if some queue's RedrivePolicy names arn as its dead-letter queue, 0 if none, -1 error. */
static int
move_is_dlq(sqlite3 *db, const char *arn)
{
    static const char sql[] = "SELECT 1 FROM sqs_queues WHERE dlq_arn = ?1 LIMIT 1";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Run a statement that returns one integer (a count, a max): the value, 0 when it is NULL,
 * or -1 with *err set. It binds whichever of :arn, :a, :b, :c the SQL names. */
static long long
move_scalar(sqlite3 *db, const char *sql, const char *arn, long long a, long long b,
            long long c, int *err)
{
    sqlite3_stmt *st = store_stmt(db, sql);
    long long v = 0;
    int i, rc;

    if (!st) {
        *err = 1;
        return -1;
    }
    if ((i = sqlite3_bind_parameter_index(st, ":arn")) > 0)
        sqlite3_bind_text(st, i, arn, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":a")) > 0)
        sqlite3_bind_int64(st, i, a);
    if ((i = sqlite3_bind_parameter_index(st, ":b")) > 0)
        sqlite3_bind_int64(st, i, b);
    if ((i = sqlite3_bind_parameter_index(st, ":c")) > 0)
        sqlite3_bind_int64(st, i, c);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        *err = 1;
    sqlite3_reset(st);
    return *err ? -1 : v;
}

/* StartMessageMoveTask: checks in the order AWS reports them, then one row and the first
 * tick (due at once).   in: SourceArn, DestinationArn?, MaxNumberOfMessagesPerSecond?
 * out: TaskHandle */
enum awslet_rc
sqs_start_message_move_task(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char active[] = "SELECT count(*) FROM sqs_move_tasks WHERE source_arn = :arn"
                                 " AND status IN ('RUNNING', 'CANCELLING')";
    static const char last_start[] = "SELECT max(started_ms) FROM sqs_move_tasks"
                                     " WHERE source_arn = :arn";
    static const char present[] = "SELECT count(*) FROM sqs_messages WHERE queue_id = :a"
                                  " AND expires_ms > :b";
    static const char boundary[] = "SELECT max(id) FROM sqs_messages WHERE queue_id = :a";
    static const char ins[] =
        "INSERT INTO sqs_move_tasks (handle, source_arn, destination_arn, rate, status, moved,"
        " to_move, started_ms) VALUES (?1, ?2, ?3, ?4, 'RUNNING', 0, ?5, ?6)";
    static const char prune[] =
        "DELETE FROM sqs_move_tasks WHERE source_arn = ?1 AND started_ms <"
        " (SELECT started_ms FROM sqs_move_tasks WHERE source_arn = ?1"
        "  ORDER BY started_ms DESC LIMIT 1 OFFSET ?2)";
    const char *src_arn, *dst_arn = NULL, *handle;
    long long rate = LLONG_MIN, src_id, dst_id, now = clock_now_ms(), started, to_move, top;
    bool src_fifo, dst_fifo;
    char task_id[AWSLET_UUID_LEN + 1], top_text[24];
    sqlite3_stmt *st;
    uuid_t u;
    int err = 0, rc;

    if (sqs_arg_str(req, in, "SourceArn", &src_arn) ||
        sqs_arg_str_opt(req, in, "DestinationArn", &dst_arn) ||
        sqs_arg_int_opt(req, in, "MaxNumberOfMessagesPerSecond", LLONG_MIN + 1, LLONG_MAX,
                        &rate))
        return AWSLET_ERR;
    if (move_req_queue(req, "SourceArn", src_arn, &src_id, &src_fifo))
        return AWSLET_ERR;
    /* "Only ARNs of dead-letter queues (DLQs) whose sources are other Amazon SQS queues are
     * accepted." */
    rc = move_is_dlq(req->db, src_arn);
    if (rc < 0)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot look up queue");
    if (rc == 0)
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Source queue must be configured as a Dead Letter Queue.");
    if (dst_arn) {
        if (move_req_queue(req, "DestinationArn", dst_arn, &dst_id, &dst_fifo))
            return AWSLET_ERR;
        if (dst_id == src_id)
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "Source queue arn and destination queue arn cannot be the same.");
        if (dst_fifo != src_fifo)
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "The source queue and destination queue must be of the same "
                               "queue type.");
    }
    if (rate != LLONG_MIN && !sqs_move_rate_valid(rate))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter MaxNumberOfMessagesPerSecond is invalid. "
                           "Reason: You must enter a number that's between 1 and 500.");
    if (move_scalar(req->db, active, src_arn, 0, 0, 0, &err) > 0)
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "There is already a task running. Only one active task is allowed "
                           "for a source queue arn at a given time.");
    /* Tasks list newest first by StartedTimestamp: keep it strictly increasing per source,
     * even for two tasks started within one millisecond. */
    started = move_scalar(req->db, last_start, src_arn, 0, 0, 0, &err) + 1;
    if (started < now)
        started = now;
    to_move = move_scalar(req->db, present, NULL, src_id, now, 0, &err);
    top = move_scalar(req->db, boundary, NULL, src_id, 0, 0, &err);
    if (err)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read queue");

    uuid_generate(u);
    uuid_unparse_lower(u, task_id);
    handle = sqs_move_handle_encode(&req->arena, task_id, src_arn);
    if (!handle)
        return awslet_fail_nomem(req);
    if (!(st = store_stmt(req->db, ins)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot store task");
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, src_arn, -1, SQLITE_STATIC);
    if (dst_arn)
        sqlite3_bind_text(st, 3, dst_arn, -1, SQLITE_STATIC);
    if (rate != LLONG_MIN)
        sqlite3_bind_int64(st, 4, rate);
    sqlite3_bind_int64(st, 5, to_move);
    sqlite3_bind_int64(st, 6, started);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot store task");
    if ((st = store_stmt(req->db, prune)) != NULL) {
        sqlite3_bind_text(st, 1, src_arn, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, MOVE_KEEP_TASKS - 1);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    snprintf(top_text, sizeof(top_text), "%lld", top);
    if (timer_schedule(req->db, now, MOVE_TIMER_KIND, handle, top_text) < 0)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot schedule task");
    *out = json_pack("{s:s}", "TaskHandle", handle);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- ListMessageMoveTasks ---------------------------------------------------------------- */

/* One ListMessageMoveTasksResultEntry from the current row of the list statement. */
static json_t *
move_entry(sqlite3_stmt *st, const char *src_arn)
{
    const char *status = (const char *)sqlite3_column_text(st, 1);
    json_t *e = json_object();
    int bad = !e || !status;

    /* "only populated for tasks that are in RUNNING status" */
    if (!bad && strcmp(status, MOVE_RUNNING) == 0)
        bad |= json_object_set_new(e, "TaskHandle",
                                   json_string((const char *)sqlite3_column_text(st, 0)));
    if (!bad)
        bad |= json_object_set_new(e, "Status", json_string(status)) ||
               json_object_set_new(e, "SourceArn", json_string(src_arn));
    if (!bad && sqlite3_column_type(st, 2) != SQLITE_NULL)
        bad |= json_object_set_new(e, "DestinationArn",
                                   json_string((const char *)sqlite3_column_text(st, 2)));
    if (!bad && sqlite3_column_type(st, 3) != SQLITE_NULL)
        bad |= json_object_set_new(e, "MaxNumberOfMessagesPerSecond",
                                   json_integer(sqlite3_column_int64(st, 3)));
    if (!bad)
        bad |= json_object_set_new(e, "ApproximateNumberOfMessagesMoved",
                                   json_integer(sqlite3_column_int64(st, 4))) ||
               json_object_set_new(e, "ApproximateNumberOfMessagesToMove",
                                   json_integer(sqlite3_column_int64(st, 5)));
    if (!bad && sqlite3_column_type(st, 6) != SQLITE_NULL)
        bad |= json_object_set_new(e, "FailureReason",
                                   json_string((const char *)sqlite3_column_text(st, 6)));
    if (!bad)
        bad |= json_object_set_new(e, "StartedTimestamp",
                                   json_integer(sqlite3_column_int64(st, 7)));
    if (bad) {
        json_decref(e);
        return NULL;
    }
    return e;
}

/* ListMessageMoveTasks: a source's most recent tasks, newest first.
 * in: SourceArn, MaxResults? (1-10, default 1)   out: Results [...] */
enum awslet_rc
sqs_list_message_move_tasks(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] =
        "SELECT handle, status, destination_arn, rate, moved, to_move, failure_reason,"
        " started_ms FROM sqs_move_tasks WHERE source_arn = ?1"
        " ORDER BY started_ms DESC LIMIT ?2";
    const char *src_arn;
    long long max = MOVE_LIST_DEFAULT, src_id;
    json_t *res, *list, *e;
    sqlite3_stmt *st;
    int rc;

    if (sqs_arg_str(req, in, "SourceArn", &src_arn) ||
        sqs_arg_int_opt(req, in, "MaxResults", LLONG_MIN + 1, LLONG_MAX, &max))
        return AWSLET_ERR;
    if (move_req_queue(req, "SourceArn", src_arn, &src_id, NULL))
        return AWSLET_ERR;
    if (!sqs_move_max_results_valid(max))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter MaxResults is invalid. Reason: You must enter a "
                           "number that's between 1 and 10.");
    if (!(st = store_stmt(req->db, sql)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list tasks");
    res = json_object();
    list = json_array();
    if (!res || !list || json_object_set_new(res, "Results", list) != 0) {
        json_decref(res);
        return awslet_fail_nomem(req);
    }
    sqlite3_bind_text(st, 1, src_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, max);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        e = move_entry(st, src_arn);
        if (!e || json_array_append_new(list, e) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(res);
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list tasks");
    }
    *out = res;
    return AWSLET_OK;
}

/* ---- CancelMessageMoveTask --------------------------------------------------------------- */

/* CancelMessageMoveTask: RUNNING -> CANCELLING; the next tick makes it CANCELLED without
 * moving more. Messages already moved stay moved.   in: TaskHandle
 * out: ApproximateNumberOfMessagesMoved */
enum awslet_rc
sqs_cancel_message_move_task(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sel[] = "SELECT status, moved FROM sqs_move_tasks WHERE handle = ?1";
    static const char upd[] = "UPDATE sqs_move_tasks SET status = 'CANCELLING' WHERE handle = ?1";
    const char *handle, *task_id, *src_arn;
    long long src_id, moved = 0;
    bool running = false;
    sqlite3_stmt *st;
    int rc;

    if (sqs_arg_str(req, in, "TaskHandle", &handle))
        return AWSLET_ERR;
    if (sqs_move_handle_decode(&req->arena, handle, &task_id, &src_arn) != 0)
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter TaskHandle is invalid.");
    if (move_req_queue(req, "SourceArn", src_arn, &src_id, NULL))
        return AWSLET_ERR;
    if (!(st = store_stmt(req->db, sel)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read task");
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        running = strcmp((const char *)sqlite3_column_text(st, 0), MOVE_RUNNING) == 0;
        moved = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return awslet_fail(req, &ERR_SQS_RESOURCE_NOT_FOUND, "Task does not exist.");
    if (rc != SQLITE_ROW)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read task");
    /* "A message movement can only be cancelled when the current status is RUNNING." */
    if (!running)
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Only active tasks can be cancelled.");
    if (!(st = store_stmt(req->db, upd)))
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot cancel task");
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot cancel task");
    *out = json_pack("{s:I}", "ApproximateNumberOfMessagesMoved", (json_int_t)moved);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- the tick ---------------------------------------------------------------------------- */

/* Destinations to wake once the tick's transaction has committed. Only the scheduler thread
 * touches this (the tick and the volatile timer that flushes it both run there). */
struct move_wake {
    long long queue_id;
    int n;
};
static struct move_wake *move_wakes;
static size_t move_n_wakes, move_cap_wakes;

static void
move_wake_flush(void *unused)
{
    size_t i;

    (void)unused;
    for (i = 0; i < move_n_wakes; i++)
        sqs_waiters_wake(move_wakes[i].queue_id, move_wakes[i].n);
    move_n_wakes = 0;
}

static void
move_wake_add(long long queue_id, int n)
{
    size_t i;

    for (i = 0; i < move_n_wakes; i++) {
        if (move_wakes[i].queue_id == queue_id) {
            move_wakes[i].n += n;
            return;
        }
    }
    if (move_n_wakes == move_cap_wakes) {
        size_t cap = move_cap_wakes ? move_cap_wakes * 2 : 8;
        struct move_wake *w = realloc(move_wakes, cap * sizeof(*w));

        if (!w) {
            sqs_waiters_wake(queue_id, n); /* too early, but better than never */
            return;
        }
        move_wakes = w;
        move_cap_wakes = cap;
    }
    move_wakes[move_n_wakes++] = (struct move_wake){queue_id, n};
}

struct move_task {
    char *source_arn, *destination_arn, *status;
    long long rate, moved;
};

/* Finish a task: status (and failure reason), the moved count. 0 or -1. */
static int
move_save(sqlite3 *db, const char *handle, const char *status, const char *reason,
          long long moved)
{
    static const char sql[] = "UPDATE sqs_move_tasks SET status = ?2, failure_reason = ?3,"
                              " moved = ?4 WHERE handle = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, moved);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Load a task; 1 found, 0 gone, -1 error. Strings are malloc'd (move_task_free). */
static int
move_load(sqlite3 *db, const char *handle, struct move_task *t)
{
    static const char sql[] = "SELECT source_arn, destination_arn, rate, status, moved"
                              " FROM sqs_move_tasks WHERE handle = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);
    const char *d;
    int rc;

    memset(t, 0, sizeof(*t));
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->source_arn = strdup((const char *)sqlite3_column_text(st, 0));
        d = (const char *)sqlite3_column_text(st, 1);
        t->destination_arn = d ? strdup(d) : NULL;
        t->rate = sqlite3_column_int64(st, 2);
        if (!sqs_move_rate_valid(t->rate)) /* NULL: none given */
            t->rate = MOVE_RATE_DEFAULT;
        t->status = strdup((const char *)sqlite3_column_text(st, 3));
        t->moved = sqlite3_column_int64(st, 4);
        rc = t->source_arn && t->status && (!d || t->destination_arn) ? 1 : -1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_reset(st);
    return rc;
}

static void
move_task_free(struct move_task *t)
{
    free(t->source_arn);
    free(t->destination_arn);
    free(t->status);
}

/* Up to rate of the source's visible, unexpired messages present at the start (id <= top),
 * oldest first. Collected before any is moved: the scan must not see its own updates. */
struct move_batch {
    long long *ids;
    char **origins; /* each message's source_arn (malloc'd) or NULL */
    size_t n;
};

static int
move_pick(sqlite3 *db, long long src_id, long long top, long long now, long long rate,
          struct move_batch *b)
{
    static const char sql[] = "SELECT id, source_arn FROM sqs_messages WHERE queue_id = ?1"
                              " AND id <= ?2 AND visible_ms <= ?3 AND expires_ms > ?3"
                              " ORDER BY id LIMIT ?4";
    sqlite3_stmt *st = store_stmt(db, sql);
    const char *o;
    int rc;

    memset(b, 0, sizeof(*b));
    b->ids = calloc((size_t)rate, sizeof(*b->ids));
    b->origins = calloc((size_t)rate, sizeof(*b->origins));
    if (!st || !b->ids || !b->origins)
        return -1;
    sqlite3_bind_int64(st, 1, src_id);
    sqlite3_bind_int64(st, 2, top);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, rate);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && b->n < (size_t)rate) {
        b->ids[b->n] = sqlite3_column_int64(st, 0);
        o = (const char *)sqlite3_column_text(st, 1);
        if (o && !(b->origins[b->n] = strdup(o))) {
            rc = SQLITE_NOMEM;
            break;
        }
        b->n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void
move_batch_free(struct move_batch *b)
{
    size_t i;

    for (i = 0; b->origins && i < b->n; i++)
        free(b->origins[i]);
    free(b->origins);
    free(b->ids);
}

/* Re-point one message at its destination as if newly arrived there: visible now, never
 * received, no longer a dead letter. */
static int
move_one(sqlite3 *db, long long id, long long dst_id, long long now)
{
    static const char sql[] = "UPDATE sqs_messages SET queue_id = ?2, receive_count = 0,"
                              " first_receive_ms = 0, receipt = NULL, visible_ms = ?3,"
                              " source_arn = NULL WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, dst_id);
    sqlite3_bind_int64(st, 3, now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Move the batch; stops at the first message that cannot go anywhere, naming why in
 * *reason. Returns how many moved, or -1 on a database error. */
static long long
move_batch_run(sqlite3 *db, const struct move_task *t, const struct move_batch *b,
               long long now, const char **reason)
{
    long long dst_id = 0, moved = 0;
    const char *cached = NULL; /* the origin ARN dst_id was resolved for */
    size_t i;
    int rc;

    if (t->destination_arn) {
        rc = move_queue_by_arn(db, t->destination_arn, &dst_id, NULL);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            *reason = MOVE_FAIL_NO_QUEUE; /* the destination was deleted under the task */
            return 0;
        }
    }
    for (i = 0; i < b->n; i++) {
        if (!t->destination_arn) {
            /* No DestinationArn: back to the queue each message was dead-lettered from. */
            if (!b->origins[i]) {
                *reason = MOVE_FAIL_NO_SOURCE;
                break;
            }
            if (!cached || strcmp(cached, b->origins[i]) != 0) {
                rc = move_queue_by_arn(db, b->origins[i], &dst_id, NULL);
                if (rc < 0)
                    return -1;
                if (rc == 0) {
                    *reason = MOVE_FAIL_NO_QUEUE;
                    break;
                }
                cached = b->origins[i];
            }
        }
        if (move_one(db, b->ids[i], dst_id, now) != 0)
            return -1;
        move_wake_add(dst_id, 1);
        moved++;
    }
    return moved;
}

/* The durable timer: one second's worth of a task. */
static int
move_tick(sqlite3 *db, const char *handle, const char *payload)
{
    static const char remain[] = "SELECT count(*) FROM sqs_messages WHERE queue_id = :a"
                                 " AND id <= :b AND expires_ms > :c";
    long long now = clock_now_ms(), top = strtoll(payload, NULL, 10), src_id = 0, moved;
    const char *reason = NULL, *status = MOVE_RUNNING;
    struct move_task t;
    struct move_batch b;
    int rc, err = 0;

    rc = move_load(db, handle, &t);
    if (rc <= 0) {
        move_task_free(&t);
        return rc; /* gone (a reset): nothing to do; a read error: retried */
    }
    if (strcmp(t.status, MOVE_CANCELLING) == 0) {
        rc = move_save(db, handle, MOVE_CANCELLED, NULL, t.moved);
        move_task_free(&t);
        return rc;
    }
    if (strcmp(t.status, MOVE_RUNNING) != 0) {
        move_task_free(&t);
        return 0;
    }
    rc = move_queue_by_arn(db, t.source_arn, &src_id, NULL);
    if (rc <= 0) {
        /* The DLQ itself was deleted under the task. */
        rc = rc < 0 ? -1 : move_save(db, handle, MOVE_FAILED, MOVE_FAIL_NO_QUEUE, t.moved);
        move_task_free(&t);
        return rc;
    }
    if (move_pick(db, src_id, top, now, t.rate, &b) != 0 ||
        (moved = move_batch_run(db, &t, &b, now, &reason)) < 0) {
        move_batch_free(&b);
        move_task_free(&t);
        return -1;
    }
    move_batch_free(&b);
    t.moved += moved;
    if (reason)
        status = MOVE_FAILED;
    else if (move_scalar(db, remain, NULL, src_id, top, now, &err) == 0)
        status = MOVE_COMPLETED;
    rc = err ? -1 : move_save(db, handle, status, reason, t.moved);
    if (rc == 0 && strcmp(status, MOVE_RUNNING) == 0 &&
        timer_schedule(db, now + MOVE_TICK_MS, MOVE_TIMER_KIND, handle, payload) < 0)
        rc = -1;
    if (rc == 0 && moved > 0 && vtimer_add(now, move_wake_flush, NULL) < 0)
        move_wake_flush(NULL);
    if (rc != 0)
        log_warn("message move task tick failed; retried");
    move_task_free(&t);
    return rc;
}

int
sqs_move_init(void)
{
    return timer_register(MOVE_TIMER_KIND, move_tick);
}
