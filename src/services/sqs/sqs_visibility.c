/* sqs_visibility.c: receipt handles and the operations that take them.
 *
 * Each receive stores a fresh random token in sqs_messages.receipt and hands out a handle
 * that names the queue, the row and that token; DeleteMessage, ChangeMessageVisibility and
 * their batch forms act only when the handle carries the message's current token, so an old
 * handle of a since re-received message is told apart (AWS: deleting with it succeeds but
 * does nothing). The token also records when the receive happened, which bounds the total
 * visibility timeout at 12 hours from that receive.
 * Entry points: sqs_receipt_*(), sqs_delete_message[_batch](),
 * sqs_change_message_visibility[_batch](). */
#include "services/sqs/sqs_int.h"

#include "core/base64.h"

#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/store.h"

#define RECEIPT_PREFIX   "AQEB"
#define RECEIPT_MAX_TEXT 128 /* "v1:<id>:<id>:<token>" is at most ~90 bytes */
#define MAX_VISIBILITY_S 43200
#define RECEIPT_B64      (BASE64_URL | BASE64_NOPAD) /* handles travel in URLs and forms */

/* ---- receipt handles -------------------------------------------------------------------- */

int
sqs_receipt_token(long long now_ms, char out[SQS_TOKEN_SIZE])
{
    unsigned char r[12];
    int n;

    if (RAND_bytes(r, sizeof(r)) != 1)
        return -1;
    n = snprintf(out, SQS_TOKEN_SIZE, "%llx-", now_ms < 0 ? 0 : now_ms);
    for (size_t i = 0; i < sizeof(r); i++)
        n += snprintf(out + n, SQS_TOKEN_SIZE - (size_t)n, "%02x", r[i]);
    return 0;
}

/* 1 if s is lowercase hex digits only, of length in [min, max]. */
static int
is_hex(const char *s, size_t len, size_t min, size_t max)
{
    if (len < min || len > max)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

long long
sqs_receipt_token_ms(const char *token)
{
    const char *dash = token ? strchr(token, '-') : NULL;

    if (!dash || !is_hex(token, (size_t)(dash - token), 1, 15) ||
        !is_hex(dash + 1, strlen(dash + 1), 24, 24))
        return -1;
    return strtoll(token, NULL, 16);
}

const char *
sqs_receipt_make(struct awslet_req *req, long long queue_id, long long row_id, const char *token)
{
    char text[RECEIPT_MAX_TEXT];
    char *out;
    int n;

    n = snprintf(text, sizeof(text), "v1:%lld:%lld:%s", queue_id, row_id, token);
    if (n < 0 || (size_t)n >= sizeof(text))
        return NULL;
    out = arena_alloc(&req->arena,
                      sizeof(RECEIPT_PREFIX) + base64_encoded_len((size_t)n, RECEIPT_B64));
    if (!out)
        return NULL;
    memcpy(out, RECEIPT_PREFIX, sizeof(RECEIPT_PREFIX) - 1);
    base64_encode(out + sizeof(RECEIPT_PREFIX) - 1, text, (size_t)n, RECEIPT_B64);
    return out;
}

/* A positive decimal id without sign or leading zero; the value or -1. */
static long long
parse_id(const char *s, size_t len)
{
    long long v = 0;

    if (len == 0 || len > 18 || s[0] == '0')
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int
sqs_receipt_parse(const char *handle, long long *queue_id, long long *row_id,
                  char token[SQS_TOKEN_SIZE])
{
    size_t plen = sizeof(RECEIPT_PREFIX) - 1, len;
    unsigned char text[RECEIPT_MAX_TEXT + 1];
    char again[RECEIPT_MAX_TEXT * 2];
    const char *p, *c1, *c2, *tok;
    long long n;

    if (!handle || strncmp(handle, RECEIPT_PREFIX, plen) != 0)
        return -1;
    len = strlen(handle + plen);
    if (len == 0 || len > sizeof(again) - 1)
        return -1;
    n = base64_decoded_len(handle + plen, len, RECEIPT_B64);
    if (n < 0 || n > RECEIPT_MAX_TEXT)
        return -1;
    base64_decode(text, handle + plen, len, RECEIPT_B64);
    text[n] = '\0';
    /* Only the encoding we produce: no stray trailing bits, no second spelling. */
    base64_encode(again, text, (size_t)n, RECEIPT_B64);
    if (strcmp(again, handle + plen) != 0 || memchr(text, '\0', (size_t)n))
        return -1;
    p = (const char *)text;
    if (strncmp(p, "v1:", 3) != 0)
        return -1;
    p += 3;
    c1 = strchr(p, ':');
    c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return -1;
    tok = c2 + 1;
    *queue_id = parse_id(p, (size_t)(c1 - p));
    *row_id = parse_id(c1 + 1, (size_t)(c2 - c1 - 1));
    if (*queue_id < 0 || *row_id < 0 || strlen(tok) >= SQS_TOKEN_SIZE ||
        sqs_receipt_token_ms(tok) < 0)
        return -1;
    strcpy(token, tok);
    return 0;
}

/* ---- the outcome of one handle --------------------------------------------------------- */

enum vis_outcome {
    VIS_OK,
    VIS_BAD_HANDLE,   /* does not parse, or names another queue */
    VIS_GONE,         /* ChangeMessageVisibility: deleted, or an older receipt */
    VIS_NOT_INFLIGHT, /* current receipt, but its visibility timeout is over */
    VIS_EXPIRED,      /* DeleteMessage on FIFO with a receipt whose timeout is over */
    VIS_TOO_LONG,     /* beyond 12 hours from the receive */
    VIS_BAD_TIMEOUT,  /* VisibilityTimeout below 0 */
    VIS_STORE,        /* a statement failed */
};

struct vis_ctx {
    struct awslet_req *req;
    const struct sqs_queue *q;
    long long now;
    long long *wake_id; /* arena copy of q->id once a wake-up is scheduled */
};

/* Waiters run on other threads: wake them once the change is committed. */
static void
vis_wake(void *arg)
{
    sqs_waiters_wake(*(long long *)arg, 1);
}

static int
vis_schedule_wake(struct vis_ctx *c)
{
    if (c->wake_id)
        return 0;
    c->wake_id = arena_alloc(&c->req->arena, sizeof(*c->wake_id));
    if (!c->wake_id)
        return -1;
    *c->wake_id = c->q->id;
    return awslet_after_commit(c->req, vis_wake, c->wake_id);
}

/* The message's current receipt and visibility. 1 found, 0 not, -1 store error. */
static int
vis_load(struct vis_ctx *c, long long row, char receipt[SQS_TOKEN_SIZE], long long *visible)
{
    static const char sql[] =
        "SELECT receipt, visible_ms FROM sqs_messages WHERE id = ?1 AND queue_id = ?2";
    sqlite3_stmt *st = store_stmt(c->req->db, sql);
    const unsigned char *r;
    int rc, found = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_int64(st, 2, c->q->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r = sqlite3_column_text(st, 0);
        snprintf(receipt, SQS_TOKEN_SIZE, "%s", r ? (const char *)r : "");
        *visible = sqlite3_column_int64(st, 1);
        found = 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

static enum vis_outcome
vis_delete(struct vis_ctx *c, const char *handle)
{
    static const char del[] = "DELETE FROM sqs_messages WHERE id = ?1";
    char token[SQS_TOKEN_SIZE], receipt[SQS_TOKEN_SIZE];
    long long qid, row, visible;
    sqlite3_stmt *st;
    int found, rc;

    if (sqs_receipt_parse(handle, &qid, &row, token) != 0 || qid != c->q->id)
        return VIS_BAD_HANDLE;
    found = vis_load(c, row, receipt, &visible);
    if (found < 0)
        return VIS_STORE;
    /* Already deleted, or an older receipt of a message received again since: AWS answers
     * success and leaves the message alone (DeleteMessage API reference). */
    if (!found || strcmp(receipt, token) != 0)
        return VIS_OK;
    /* FIFO receipts lapse with their visibility timeout: the group may be handed to another
     * consumer, so a late delete must not remove what that consumer is processing. */
    if (c->q->fifo && visible <= c->now)
        return VIS_EXPIRED;
    st = store_stmt(c->req->db, del);
    if (!st)
        return VIS_STORE;
    sqlite3_bind_int64(st, 1, row);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return VIS_STORE;
    /* The next message of its group is receivable now. */
    if (c->q->fifo && vis_schedule_wake(c) != 0)
        return VIS_STORE;
    return VIS_OK;
}

static enum vis_outcome
vis_change(struct vis_ctx *c, const char *handle, long long timeout)
{
    static const char upd[] = "UPDATE sqs_messages SET visible_ms = ?1 WHERE id = ?2";
    char token[SQS_TOKEN_SIZE], receipt[SQS_TOKEN_SIZE];
    long long qid, row, visible, until, received;
    sqlite3_stmt *st;
    int found, rc;

    if (timeout < 0)
        return VIS_BAD_TIMEOUT;
    if (timeout > MAX_VISIBILITY_S)
        return VIS_TOO_LONG;
    if (sqs_receipt_parse(handle, &qid, &row, token) != 0 || qid != c->q->id)
        return VIS_BAD_HANDLE;
    found = vis_load(c, row, receipt, &visible);
    if (found < 0)
        return VIS_STORE;
    if (!found || strcmp(receipt, token) != 0)
        return VIS_GONE;
    if (visible <= c->now)
        return VIS_NOT_INFLIGHT;
    /* "If you attempt to set the VisibilityTimeout to a value greater than the maximum time
     * left, Amazon SQS returns an error": 12 hours from the receive. */
    until = c->now + timeout * 1000;
    received = sqs_receipt_token_ms(token);
    if (until - received > (long long)MAX_VISIBILITY_S * 1000)
        return VIS_TOO_LONG;
    st = store_stmt(c->req->db, upd);
    if (!st)
        return VIS_STORE;
    sqlite3_bind_int64(st, 1, until);
    sqlite3_bind_int64(st, 2, row);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return VIS_STORE;
    /* Visible sooner than a long poll's timer expects (0: right now): wake one to look. */
    if (until < visible && vis_schedule_wake(c) != 0)
        return VIS_STORE;
    return VIS_OK;
}

/* Fail a single-message request with the outcome's AWS error. */
static enum awslet_rc
vis_fail(struct awslet_req *req, enum vis_outcome o, const char *handle, long long timeout)
{
    switch (o) {
    case VIS_OK:
        return AWSLET_OK;
    case VIS_BAD_HANDLE:
        return awslet_fail(req, &ERR_SQS_RECEIPT_HANDLE_INVALID,
                           "The input receipt handle \"%s\" is not a valid receipt handle.",
                           handle);
    case VIS_GONE:
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter ReceiptHandle is invalid. Reason: Message "
                           "does not exist or is not available for visibility timeout change.",
                           handle);
    case VIS_NOT_INFLIGHT:
        return awslet_fail(req, &ERR_SQS_MESSAGE_NOT_INFLIGHT,
                           "The message referred to isn't in flight.");
    case VIS_EXPIRED:
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter ReceiptHandle is invalid. Reason: The "
                           "receipt handle has expired.",
                           handle);
    case VIS_TOO_LONG:
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %lld for parameter VisibilityTimeout is invalid. Reason: "
                           "Total VisibilityTimeout for the message is beyond the limit "
                           "[43200 seconds]",
                           timeout);
    case VIS_BAD_TIMEOUT:
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %lld for parameter VisibilityTimeout is invalid. Reason: "
                           "Must be >= 0 and <= 43200, if provided.",
                           timeout);
    case VIS_STORE:
        break;
    }
    return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot update the message");
}

/* A batch entry's failure: {Id, SenderFault, Code, Message} as BatchResultErrorEntry. */
static json_t *
vis_batch_failure(struct awslet_req *req, const char *id, enum vis_outcome o, const char *handle,
                  long long timeout)
{
    const char *msg;

    if (vis_fail(req, o, handle, timeout) != AWSLET_ERR)
        return NULL;
    msg = req->err_msg;
    req->err = NULL;
    req->err_msg = NULL;
    req->status = 0;
    switch (o) {
    case VIS_BAD_HANDLE:
        return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault", 1, "Code",
                         "ReceiptHandleIsInvalid", "Message", msg);
    case VIS_GONE:
        /* In a batch AWS reports a vanished message as an invalid handle. */
        return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault", 1, "Code",
                         "ReceiptHandleIsInvalid", "Message",
                         "Message does not exist or is not available for visibility timeout "
                         "change");
    case VIS_NOT_INFLIGHT:
        return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault", 1, "Code",
                         "MessageNotInflight", "Message", msg);
    default:
        return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault", 1, "Code",
                         "InvalidParameterValue", "Message", msg);
    }
}

/* ---- the operations --------------------------------------------------------------------- */

/* DeleteMessage. in: QueueUrl, ReceiptHandle   out: {} */
enum awslet_rc
sqs_delete_message(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct vis_ctx c = {.req = req};
    const char *handle;
    enum vis_outcome o;

    c.q = sqs_queue_from_request(req, in);
    if (!c.q || sqs_arg_str(req, in, "ReceiptHandle", &handle) != 0)
        return AWSLET_ERR;
    c.now = clock_now_ms();
    o = vis_delete(&c, handle);
    if (o != VIS_OK)
        return vis_fail(req, o, handle, 0);
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ChangeMessageVisibility. in: QueueUrl, ReceiptHandle, VisibilityTimeout   out: {} */
enum awslet_rc
sqs_change_message_visibility(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct vis_ctx c = {.req = req};
    long long timeout = -1;
    const char *handle;
    enum vis_outcome o;

    c.q = sqs_queue_from_request(req, in);
    if (!c.q || sqs_arg_str(req, in, "ReceiptHandle", &handle) != 0)
        return AWSLET_ERR;
    if (!json_object_get(in, "VisibilityTimeout") ||
        json_is_null(json_object_get(in, "VisibilityTimeout")))
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter VisibilityTimeout.");
    if (sqs_arg_int_opt(req, in, "VisibilityTimeout", -(1LL << 62), 1LL << 62, &timeout) != 0)
        return AWSLET_ERR;
    c.now = clock_now_ms();
    o = vis_change(&c, handle, timeout);
    if (o != VIS_OK)
        return vis_fail(req, o, handle, timeout);
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* 1 if id is a valid batch entry id: 1-80 of [A-Za-z0-9_-]. */
static int
batch_id_valid(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 80)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

/* The checks every batch shares: 1-10 entries, valid and distinct ids, each entry an object
 * with a ReceiptHandle. The entries array, or NULL with the error set. */
static const json_t *
batch_entries(struct awslet_req *req, const json_t *in, const char *entry_shape)
{
    const json_t *entries = json_object_get(in, "Entries"), *e;
    const char *id, *handle;
    size_t i, j;

    if (!entries || json_is_null(entries)) {
        awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                    "The request must contain the parameter Entries.");
        return NULL;
    }
    if (!json_is_array(entries)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value for parameter Entries is invalid. Reason: Must be a list.");
        return NULL;
    }
    if (json_array_size(entries) == 0) {
        awslet_fail(req, &ERR_SQS_EMPTY_BATCH, "There should be at least one %s in the request.",
                    entry_shape);
        return NULL;
    }
    if (json_array_size(entries) > SQS_MAX_BATCH) {
        awslet_fail(req, &ERR_SQS_TOO_MANY_ENTRIES,
                    "Maximum number of entries per request are %d. You have sent %zu.",
                    SQS_MAX_BATCH, json_array_size(entries));
        return NULL;
    }
    json_array_foreach(entries, i, e)
    {
        if (!json_is_object(e)) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Value for parameter Entries is invalid. Reason: Must be a list of "
                        "%s.",
                        entry_shape);
            return NULL;
        }
        id = "";
        if (sqs_arg_str_opt(req, e, "Id", &id) != 0)
            return NULL;
        if (!batch_id_valid(id)) {
            awslet_fail(req, &ERR_SQS_INVALID_BATCH_ENTRY_ID,
                        "A batch entry id can only contain alphanumeric characters, hyphens "
                        "and underscores. It can be at most 80 letters long.");
            return NULL;
        }
        if (sqs_arg_str(req, e, "ReceiptHandle", &handle) != 0)
            return NULL;
    }
    for (i = 0; i < json_array_size(entries); i++) {
        id = json_string_value(json_object_get(json_array_get(entries, i), "Id"));
        for (j = 0; j < i; j++) {
            if (strcmp(id, json_string_value(json_object_get(json_array_get(entries, j), "Id"))) ==
                0) {
                awslet_fail(req, &ERR_SQS_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", id);
                return NULL;
            }
        }
    }
    return entries;
}

/* Run one batch: change (with timeouts) or delete each entry; per-entry failures go to
 * Failed, store errors fail the whole request (its changes roll back). */
static enum awslet_rc
vis_batch(struct awslet_req *req, const json_t *in, json_t **out, bool change)
{
    struct vis_ctx c = {.req = req};
    const json_t *entries, *e;
    json_t *ok = NULL, *failed = NULL, *item;
    size_t i;

    c.q = sqs_queue_from_request(req, in);
    if (!c.q)
        return AWSLET_ERR;
    entries = batch_entries(req, in,
                            change ? "ChangeMessageVisibilityBatchRequestEntry"
                                   : "DeleteMessageBatchRequestEntry");
    if (!entries)
        return AWSLET_ERR;
    /* Timeouts that are not integers fail the request before anything changes. */
    if (change) {
        json_array_foreach(entries, i, e)
        {
            long long t = 0;
            if (sqs_arg_int_opt(req, e, "VisibilityTimeout", -(1LL << 62), 1LL << 62, &t))
                return AWSLET_ERR;
        }
    }
    c.now = clock_now_ms();
    ok = json_array();
    failed = json_array();
    if (!ok || !failed)
        goto nomem;
    json_array_foreach(entries, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "Id"));
        const char *handle = json_string_value(json_object_get(e, "ReceiptHandle"));
        long long timeout = 0; /* optional in the model; absent means 0 */
        enum vis_outcome o;

        if (change) {
            sqs_arg_int_opt(req, e, "VisibilityTimeout", -(1LL << 62), 1LL << 62, &timeout);
            o = vis_change(&c, handle, timeout);
        } else {
            o = vis_delete(&c, handle);
        }
        if (o == VIS_STORE) {
            json_decref(ok);
            json_decref(failed);
            return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot update the message");
        }
        item = o == VIS_OK ? json_pack("{s:s}", "Id", id)
                           : vis_batch_failure(req, id, o, handle, timeout);
        if (!item || json_array_append_new(o == VIS_OK ? ok : failed, item) != 0)
            goto nomem;
    }
    *out = json_pack("{s:o, s:o}", "Successful", ok, "Failed", failed);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
nomem:
    json_decref(ok);
    json_decref(failed);
    return awslet_fail_nomem(req);
}

/* DeleteMessageBatch. in: QueueUrl, Entries [{Id, ReceiptHandle}]
 * out: {Successful [{Id}], Failed [{Id, SenderFault, Code, Message}]} */
enum awslet_rc
sqs_delete_message_batch(struct awslet_req *req, const json_t *in, json_t **out)
{
    return vis_batch(req, in, out, false);
}

/* ChangeMessageVisibilityBatch. in: QueueUrl, Entries [{Id, ReceiptHandle,
 * VisibilityTimeout}]   out: as DeleteMessageBatch */
enum awslet_rc
sqs_change_message_visibility_batch(struct awslet_req *req, const json_t *in, json_t **out)
{
    return vis_batch(req, in, out, true);
}
