/* sqs_receive.c: ReceiveMessage, FIFO selection, dead-lettering and long-poll waiters.
 *
 * A receive runs in the writer transaction: it picks visible messages (standard: oldest
 * visible first; FIFO: group by group, strictly in order, never from a group with a message
 * in flight), moves those received maxReceiveCount times to the dead-letter queue, and gives
 * each picked message a new receipt token and visibility timeout. With nothing to give and a
 * wait left, the request registers as a waiter of its queue and suspends (no thread held):
 * sqs_waiters_wake() after a send, a timer at the deadline or at the next message to become
 * visible, or the daemon stopping runs the handler again.
 * Entry points: sqs_receive_message(), sqs_waiters_wake(), sqs_waiters_clear(). */
#include "services/sqs/sqs_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#define RECV_MAX_VISIBILITY_S 43200
#define RECV_MAX_WAIT_S       20
#define RECV_ATTEMPT_MS       (5 * 60 * 1000)  /* ReceiveRequestAttemptId is good for 5 minutes */
#define RECV_ATTEMPT_CAP      100000           /* remembered attempts, oldest dropped first */
#define RECV_PAGE             64               /* standard: candidates read per statement */
#define FIFO_PAGE             1024             /* FIFO: rows read per statement */
#define FIFO_WINDOW           (16 * FIFO_PAGE) /* FIFO: rows looked at per receive, oldest first */

/* ---- long-poll waiters ------------------------------------------------------------------ *
 * A hash of queue id → waiters in arrival order. A waiter is listed only while its request
 * is suspended (or about to be): the handler unlists itself whenever it runs, so a wake-up
 * always goes to a request that will look at the queue afterwards. */

#define WAITER_BUCKETS 1024

struct sqs_waiter {
    struct awslet_req *req;
    long long queue_id;
    struct sqs_waiter *prev, *next;
    bool listed;
};

static pthread_mutex_t waiters_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    struct sqs_waiter *head, *tail;
} waiters[WAITER_BUCKETS];

static size_t
waiter_bucket(long long queue_id)
{
    return (size_t)((unsigned long long)queue_id % WAITER_BUCKETS);
}

/* Caller holds waiters_lock. */
static void
waiter_unlink(struct sqs_waiter *w)
{
    size_t b = waiter_bucket(w->queue_id);

    if (!w->listed)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        waiters[b].head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        waiters[b].tail = w->prev;
    w->prev = w->next = NULL;
    w->listed = false;
}

static void
waiter_add(struct sqs_waiter *w, long long queue_id)
{
    size_t b;

    pthread_mutex_lock(&waiters_lock);
    waiter_unlink(w);
    w->queue_id = queue_id;
    b = waiter_bucket(queue_id);
    w->prev = waiters[b].tail;
    w->next = NULL;
    if (waiters[b].tail)
        waiters[b].tail->next = w;
    else
        waiters[b].head = w;
    waiters[b].tail = w;
    w->listed = true;
    pthread_mutex_unlock(&waiters_lock);
}

static void
waiter_remove(void *arg)
{
    struct sqs_waiter *w = arg;

    pthread_mutex_lock(&waiters_lock);
    waiter_unlink(w);
    pthread_mutex_unlock(&waiters_lock);
}

void
sqs_waiters_wake(long long queue_id, int n)
{
    size_t b = waiter_bucket(queue_id);
    struct sqs_waiter *w, *next;

    pthread_mutex_lock(&waiters_lock);
    for (w = waiters[b].head; w && n > 0; w = next) {
        next = w->next;
        if (w->queue_id != queue_id)
            continue;
        waiter_unlink(w);
        /* Under waiters_lock: the request cannot finish (its finish hook takes the lock). */
        req_resume(w->req);
        n--;
    }
    pthread_mutex_unlock(&waiters_lock);
}

/* ---- ReceiveRequestAttemptId: what a FIFO receive returned, for 5 minutes ---------------- */

#define ATTEMPT_BUCKETS 256

struct attempt {
    long long queue_id;
    char *id; /* ReceiveRequestAttemptId, malloc'd */
    long long expires_ms;
    size_t n;
    long long rows[SQS_MAX_BATCH];
    char tokens[SQS_MAX_BATCH][SQS_TOKEN_SIZE];
    struct attempt *chain; /* next in its hash bucket */
    struct attempt *newer; /* next in insertion order */
};

static pthread_mutex_t attempts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct attempt *attempt_buckets[ATTEMPT_BUCKETS];
static struct attempt *attempts_oldest, *attempts_newest;
static size_t attempts_count;

static size_t
attempt_hash(long long queue_id, const char *id)
{
    size_t h = (size_t)queue_id * 2654435761u;

    for (; *id; id++)
        h = h * 31 + (unsigned char)*id;
    return h % ATTEMPT_BUCKETS;
}

/* Drop the oldest entry. Caller holds attempts_lock. */
static void
attempt_drop_oldest(void)
{
    struct attempt *a = attempts_oldest, **pp;

    if (!a)
        return;
    for (pp = &attempt_buckets[attempt_hash(a->queue_id, a->id)]; *pp; pp = &(*pp)->chain) {
        if (*pp == a) {
            *pp = a->chain;
            break;
        }
    }
    attempts_oldest = a->newer;
    if (!attempts_oldest)
        attempts_newest = NULL;
    attempts_count--;
    free(a->id);
    free(a);
}

/* Copy of a remembered attempt into *out; 1 found (and not expired), else 0. */
static int
attempt_find(long long queue_id, const char *id, long long now, struct attempt *out)
{
    struct attempt *a;
    int found = 0;

    pthread_mutex_lock(&attempts_lock);
    for (a = attempt_buckets[attempt_hash(queue_id, id)]; a; a = a->chain) {
        if (a->queue_id == queue_id && strcmp(a->id, id) == 0 && a->expires_ms > now) {
            *out = *a;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&attempts_lock);
    return found;
}

/* After commit: remember what this attempt returned (arg: an arena struct attempt). */
static void
attempt_remember(void *arg)
{
    const struct attempt *src = arg;
    struct attempt *a = malloc(sizeof(*a));
    size_t b;

    if (a)
        *a = *src;
    if (!a || !(a->id = strdup(src->id))) {
        free(a);
        log_warn("cannot remember ReceiveRequestAttemptId: out of memory");
        return;
    }
    pthread_mutex_lock(&attempts_lock);
    /* Same expiry span for all: the oldest expire first. */
    while (attempts_oldest &&
           (attempts_oldest->expires_ms <= clock_now_ms() || attempts_count >= RECV_ATTEMPT_CAP))
        attempt_drop_oldest();
    b = attempt_hash(a->queue_id, a->id);
    a->chain = attempt_buckets[b];
    attempt_buckets[b] = a;
    a->newer = NULL;
    if (attempts_newest)
        attempts_newest->newer = a;
    else
        attempts_oldest = a;
    attempts_newest = a;
    attempts_count++;
    pthread_mutex_unlock(&attempts_lock);
}

void
sqs_waiters_clear(void)
{
    pthread_mutex_lock(&waiters_lock);
    for (size_t b = 0; b < WAITER_BUCKETS; b++) {
        while (waiters[b].head) {
            struct sqs_waiter *w = waiters[b].head;
            waiter_unlink(w);
            req_resume(w->req);
        }
    }
    pthread_mutex_unlock(&waiters_lock);
    /* The tables were wiped: remembered attempts name rows that are gone. */
    pthread_mutex_lock(&attempts_lock);
    while (attempts_oldest)
        attempt_drop_oldest();
    pthread_mutex_unlock(&attempts_lock);
}

/* ---- pure rules ------------------------------------------------------------------------- */

int
sqs_attr_name_wanted(const char *const *patterns, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = patterns[i];
        size_t len = strlen(p);

        if (strcmp(p, "All") == 0 || strcmp(p, ".*") == 0)
            return 1;
        /* "bar.*": every attribute whose name starts with "bar." (ReceiveMessage API). */
        if (len > 2 && strcmp(p + len - 2, ".*") == 0) {
            if (strncmp(name, p, len - 1) == 0)
                return 1;
        } else if (strcmp(p, name) == 0) {
            return 1;
        }
    }
    return 0;
}

int
sqs_fifo_select(const struct sqs_fifo_row *rows, size_t n, bool *blocked, size_t n_groups,
                size_t max, size_t *out)
{
    size_t *next = NULL, *last = NULL, count = 0;
    const size_t none = (size_t)-1;

    if (n == 0 || max == 0)
        return 0;
    next = malloc(n * sizeof(*next));
    last = malloc((n_groups ? n_groups : 1) * sizeof(*last));
    if (!next || !last) {
        free(next);
        free(last);
        return -1;
    }
    for (size_t g = 0; g < n_groups; g++)
        last[g] = none;
    /* Link each row to the next row of its group; a message in flight blocks its group. */
    for (size_t i = 0; i < n; i++) {
        size_t g = (size_t)rows[i].group;
        next[i] = none;
        if (last[g] != none)
            next[last[g]] = i;
        last[g] = i;
        if (rows[i].inflight)
            blocked[g] = true;
    }
    /* Groups in the order of their oldest message; each gives its messages in order up to
     * the first one not receivable, and the batch fills from as few groups as possible.
     * blocked[] doubles as "already looked at". */
    for (size_t i = 0; i < n && count < max; i++) {
        size_t g = (size_t)rows[i].group;
        if (blocked[g])
            continue;
        blocked[g] = true;
        for (size_t j = i; j != none && count < max; j = next[j]) {
            if (!rows[j].visible)
                break;
            out[count++] = j;
        }
    }
    free(next);
    free(last);
    return (int)count;
}

/* ---- request arguments ------------------------------------------------------------------ */

enum sys_attr {
    SYS_SENT = 1 << 0,
    SYS_RECEIVE_COUNT = 1 << 1,
    SYS_FIRST_RECEIVE = 1 << 2,
    SYS_SENDER = 1 << 3,
    SYS_GROUP = 1 << 4,
    SYS_DEDUP = 1 << 5,
    SYS_SEQUENCE = 1 << 6,
    SYS_TRACE = 1 << 7,
    SYS_DLQ_SOURCE = 1 << 8,
};

static const struct {
    const char *name;
    unsigned bit;
} sys_attrs[] = {
    {"SentTimestamp", SYS_SENT},
    {"ApproximateReceiveCount", SYS_RECEIVE_COUNT},
    {"ApproximateFirstReceiveTimestamp", SYS_FIRST_RECEIVE},
    {"SenderId", SYS_SENDER},
    {"MessageGroupId", SYS_GROUP},
    {"MessageDeduplicationId", SYS_DEDUP},
    {"SequenceNumber", SYS_SEQUENCE},
    {"AWSTraceHeader", SYS_TRACE},
    {"DeadLetterQueueSourceArn", SYS_DLQ_SOURCE},
};

struct recv_args {
    long long max;           /* MaxNumberOfMessages */
    long long visibility;    /* seconds */
    long long wait;          /* seconds */
    unsigned sys;            /* enum sys_attr: system attributes to return */
    const char **attr_names; /* MessageAttributeNames */
    size_t n_attr_names;
    const char *attempt_id; /* FIFO ReceiveRequestAttemptId or NULL */
};

/* A list of strings member (absent: n = 0). 0 or -1 with the error set. */
static int
arg_str_list(struct awslet_req *req, const json_t *in, const char *name, const char ***out,
             size_t *n)
{
    const json_t *v = json_object_get(in, name), *e;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value for parameter %s is invalid. Reason: Must be a list of strings.", name);
        return -1;
    }
    *out = arena_alloc(&req->arena, (json_array_size(v) + 1) * sizeof(**out));
    if (!*out) {
        awslet_fail_nomem(req);
        return -1;
    }
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Value for parameter %s is invalid. Reason: Must be a list of strings.",
                        name);
            return -1;
        }
        (*out)[(*n)++] = json_string_value(e);
    }
    return 0;
}

/* 1-128 of the characters the API reference allows: alphanumerics and punctuation. */
static int
attempt_id_valid(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] <= ' ' || id[i] > '~')
            return 0;
    return 1;
}

static int
recv_read_args(struct awslet_req *req, const json_t *in, const struct sqs_queue *q,
               struct recv_args *a)
{
    static const char *const lists[] = {"AttributeNames", "MessageSystemAttributeNames"};
    const char **names;
    size_t n;

    a->max = 1;
    a->visibility = q->visibility_timeout;
    a->wait = q->wait_seconds;
    if (sqs_arg_int_opt(req, in, "MaxNumberOfMessages", -(1LL << 62), 1LL << 62, &a->max) ||
        sqs_arg_int_opt(req, in, "VisibilityTimeout", -(1LL << 62), 1LL << 62, &a->visibility) ||
        sqs_arg_int_opt(req, in, "WaitTimeSeconds", -(1LL << 62), 1LL << 62, &a->wait))
        return -1;
    if (a->max < 1 || a->max > SQS_MAX_BATCH) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %lld for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                    "between 1 and 10, if provided.",
                    a->max);
        return -1;
    }
    if (a->visibility < 0 || a->visibility > RECV_MAX_VISIBILITY_S) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %lld for parameter VisibilityTimeout is invalid. Reason: Must be >= "
                    "0 and <= 43200, if provided.",
                    a->visibility);
        return -1;
    }
    if (a->wait < 0 || a->wait > RECV_MAX_WAIT_S) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %lld for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                    "and <= 20, if provided.",
                    a->wait);
        return -1;
    }
    /* Both lists name system attributes; the older one is kept for compatibility and also
     * accepts queue attribute names, which messages do not have. */
    a->sys = 0;
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        if (arg_str_list(req, in, lists[l], &names, &n) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(names[i], "All") == 0)
                a->sys = ~0u;
            for (size_t k = 0; k < ARRAY_SIZE(sys_attrs); k++)
                if (strcmp(names[i], sys_attrs[k].name) == 0)
                    a->sys |= sys_attrs[k].bit;
        }
    }
    if (arg_str_list(req, in, "MessageAttributeNames", &a->attr_names, &a->n_attr_names) != 0)
        return -1;
    a->attempt_id = NULL;
    if (sqs_arg_str_opt(req, in, "ReceiveRequestAttemptId", &a->attempt_id) != 0)
        return -1;
    if (!q->fifo) {
        a->attempt_id = NULL; /* "This parameter applies only to FIFO queues" */
    } else if (a->attempt_id && !attempt_id_valid(a->attempt_id)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter ReceiveRequestAttemptId is invalid. Reason: It can "
                    "only contain alphanumeric characters and punctuation, and be at most 128 "
                    "characters long.",
                    a->attempt_id);
        return -1;
    }
    return 0;
}

/* ---- one receive ------------------------------------------------------------------------ */

struct recv {
    struct awslet_req *req;
    struct sqs_queue *q;
    struct recv_args a;
    long long now;
    json_t *messages;        /* the answer's Messages */
    struct attempt *attempt; /* arena: rows and tokens handed out, for the attempt id */
    struct sqs_queue *dlq;   /* loaded on first need */
    bool dlq_looked_up;
    int moved; /* messages dead-lettered by this receive */
};

/* Put "Name": text into obj (created on demand). 0 or -1. */
static int
obj_set_str(json_t **obj, const char *name, const char *text)
{
    if (!*obj && !(*obj = json_object()))
        return -1;
    return json_object_set_new(*obj, name, json_string(text));
}

static int
obj_set_int(json_t **obj, const char *name, long long v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%lld", v);
    return obj_set_str(obj, name, buf);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Columns every statement returning a message row yields, in this order. */
#define MSG_COLUMNS                                                                                \
    "message_id, body, attributes, system_attributes, md5_body, sent_ms, receive_count, "          \
    "first_receive_ms, sender_id, group_id, dedup_id, sequence_number, source_arn, id"

/* The system attributes asked for. 0 or -1. */
static int
recv_sys_attributes(struct recv *r, sqlite3_stmt *st, json_t **attrs)
{
    unsigned want = r->a.sys;
    const char *t;

    if ((want & SYS_SENT) && obj_set_int(attrs, "SentTimestamp", sqlite3_column_int64(st, 5)))
        return -1;
    if ((want & SYS_RECEIVE_COUNT) &&
        obj_set_int(attrs, "ApproximateReceiveCount", sqlite3_column_int64(st, 6)))
        return -1;
    if ((want & SYS_FIRST_RECEIVE) &&
        obj_set_int(attrs, "ApproximateFirstReceiveTimestamp", sqlite3_column_int64(st, 7)))
        return -1;
    if ((want & SYS_SENDER) && (t = col_text(st, 8)) && obj_set_str(attrs, "SenderId", t))
        return -1;
    if ((want & SYS_GROUP) && (t = col_text(st, 9)) && obj_set_str(attrs, "MessageGroupId", t))
        return -1;
    if ((want & SYS_DEDUP) && (t = col_text(st, 10)) &&
        obj_set_str(attrs, "MessageDeduplicationId", t))
        return -1;
    if ((want & SYS_SEQUENCE) && (t = col_text(st, 11)) && obj_set_str(attrs, "SequenceNumber", t))
        return -1;
    if ((want & SYS_DLQ_SOURCE) && (t = col_text(st, 12)) &&
        obj_set_str(attrs, "DeadLetterQueueSourceArn", t))
        return -1;
    if ((want & SYS_TRACE) && (t = col_text(st, 3))) {
        json_t *sys = json_loads(t, 0, NULL);
        const char *trace = json_string_value(
            json_object_get(json_object_get(sys, "AWSTraceHeader"), "StringValue"));
        int rc = trace ? obj_set_str(attrs, "AWSTraceHeader", trace) : 0;
        json_decref(sys);
        if (rc)
            return -1;
    }
    return 0;
}

/* The message attributes asked for, with their digest. 0 or -1. */
static int
recv_msg_attributes(struct recv *r, sqlite3_stmt *st, json_t *m)
{
    const char *text = col_text(st, 2), *name;
    json_t *all, *keep, *v;
    char md5[33];
    int rc = -1;

    if (!text || r->a.n_attr_names == 0)
        return 0;
    all = json_loads(text, 0, NULL);
    keep = json_object();
    if (!all || !keep)
        goto out;
    json_object_foreach(all, name, v)
    {
        if (sqs_attr_name_wanted(r->a.attr_names, r->a.n_attr_names, name) &&
            json_object_set(keep, name, v) != 0)
            goto out;
    }
    if (json_object_size(keep) > 0) {
        /* SDKs check the digest against exactly the attributes they got. */
        if (sqs_md5_of_attributes(keep, md5) != 0 ||
            json_object_set_new(m, "MD5OfMessageAttributes", json_string(md5)) != 0 ||
            json_object_set(m, "MessageAttributes", keep) != 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(all);
    json_decref(keep);
    return rc;
}

/* Add the message row st stands on to the answer, with handle token. 0 or -1 (nomem). */
static int
recv_answer_row(struct recv *r, sqlite3_stmt *st, const char *token)
{
    const char *handle = sqs_receipt_make(r->req, r->q->id, sqlite3_column_int64(st, 13), token);
    const char *body = (const char *)sqlite3_column_blob(st, 1);
    size_t body_len = (size_t)sqlite3_column_bytes(st, 1);
    json_t *m, *attrs = NULL, *jbody;

    if (!handle)
        return -1;
    jbody = json_stringn(body ? body : "", body_len);
    if (!jbody)
        jbody = json_stringn_nocheck(body ? body : "", body_len);
    m = json_pack("{s:s, s:s, s:s, s:o}", "MessageId", col_text(st, 0), "ReceiptHandle", handle,
                  "MD5OfBody", col_text(st, 4), "Body", jbody);
    if (!m)
        return -1;
    if (recv_sys_attributes(r, st, &attrs) != 0) {
        json_decref(attrs);
        json_decref(m);
        return -1;
    }
    /* json_object_set_new() and json_array_append_new() take the reference even on error. */
    if ((attrs && json_object_set_new(m, "Attributes", attrs) != 0) ||
        recv_msg_attributes(r, st, m) != 0) {
        json_decref(m);
        return -1;
    }
    return json_array_append_new(r->messages, m);
}

/* Hand out one message: count the receive, new token, new visibility, answer it.
 * 1 done, 0 the row is gone, -1 error (set). */
static int
recv_take(struct recv *r, long long row)
{
    static const char sql[] =
        "UPDATE sqs_messages SET receive_count = receive_count + 1,"
        " first_receive_ms = CASE first_receive_ms WHEN 0 THEN ?1 ELSE first_receive_ms END,"
        " receipt = ?2, visible_ms = ?3 WHERE id = ?4 RETURNING " MSG_COLUMNS;
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    char token[SQS_TOKEN_SIZE];
    int rc, done = 0;

    if (!st || sqs_receipt_token(r->now, token) != 0) {
        awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot receive the message");
        return -1;
    }
    sqlite3_bind_int64(st, 1, r->now);
    sqlite3_bind_text(st, 2, token, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, r->now + r->a.visibility * 1000);
    sqlite3_bind_int64(st, 4, row);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (recv_answer_row(r, st, token) != 0) {
            sqlite3_reset(st);
            awslet_fail_nomem(r->req);
            return -1;
        }
        if (r->attempt && r->attempt->n < SQS_MAX_BATCH) {
            r->attempt->rows[r->attempt->n] = row;
            memcpy(r->attempt->tokens[r->attempt->n++], token, SQS_TOKEN_SIZE);
        }
        done = 1;
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot receive the message");
        return -1;
    }
    return done;
}

static int
recv_delete_row(struct recv *r, long long row)
{
    static const char sql[] = "DELETE FROM sqs_messages WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, row);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The dead-letter queue, if the queue has one that still exists (else NULL, no error). */
static struct sqs_queue *
recv_dlq(struct recv *r)
{
    if (r->dlq_looked_up)
        return r->dlq;
    r->dlq_looked_up = true;
    if (!r->q->dlq_arn || r->q->max_receive_count <= 0)
        return NULL;
    r->dlq = sqs_queue_by_arn(r->req, r->q->dlq_arn);
    if (!r->dlq || r->dlq->id == r->q->id) {
        /* Gone (or pointing at itself): deliver normally, as if there were no policy. */
        r->req->err = NULL;
        r->req->err_msg = NULL;
        r->req->status = 0;
        r->dlq = NULL;
    }
    return r->dlq;
}

static void
recv_wake_dlq(void *arg)
{
    const struct recv *r = arg;

    sqs_waiters_wake(r->dlq->id, r->moved);
}

/* Move a message that was received maxReceiveCount times to the DLQ: it keeps its id, body,
 * attributes and SentTimestamp; the DLQ's retention counts from the original send. */
static int
recv_dead_letter(struct recv *r, long long row)
{
    static const char sql[] =
        "UPDATE sqs_messages SET queue_id = ?1, receipt = NULL, visible_ms = ?2,"
        " expires_ms = sent_ms + ?3, source_arn = ?4 WHERE id = ?5";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, r->dlq->id);
    sqlite3_bind_int64(st, 2, r->now);
    sqlite3_bind_int64(st, 3, (long long)r->dlq->retention_seconds * 1000);
    sqlite3_bind_text(st, 4, r->q->arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, row);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    if (r->moved++ == 0 && awslet_after_commit(r->req, recv_wake_dlq, r) != 0)
        return -1;
    return 0;
}

/* What to do with a picked row: 1 hand it out, 0 it was removed (expired or dead-lettered),
 * -1 error (set). */
static int
recv_triage(struct recv *r, long long row, long long expires_ms, long long receive_count)
{
    if (expires_ms <= r->now) {
        /* Past its retention period: "expired messages disappear". */
        if (recv_delete_row(r, row) != 0)
            goto fail;
        return 0;
    }
    if (r->q->max_receive_count > 0 && receive_count >= r->q->max_receive_count && recv_dlq(r)) {
        if (recv_dead_letter(r, row) != 0)
            goto fail;
        return 0;
    }
    return 1;
fail:
    awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot update the queue");
    return -1;
}

/* Messages in flight on the queue, or -1. */
static long long
recv_inflight(struct recv *r)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM sqs_messages WHERE queue_id = ?1 AND visible_ms > ?2"
        " AND receipt IS NOT NULL";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    long long n = -1;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, r->q->id);
    sqlite3_bind_int64(st, 2, r->now);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

/* Standard queue: the oldest visible messages (by when they became visible, then send order;
 * the index gives that order without sorting). 0 or -1. */
static int
recv_standard(struct recv *r, long long want)
{
    static const char sql[] =
        "SELECT id, visible_ms, expires_ms, receive_count FROM sqs_messages"
        " WHERE queue_id = ?1 AND visible_ms <= ?2 AND (visible_ms, id) > (?3, ?4)"
        " ORDER BY visible_ms, id LIMIT ?5";
    long long ids[RECV_PAGE], exp[RECV_PAGE], cnt[RECV_PAGE], last_vis = -1, last_id = 0;
    long long got = 0, taken[SQS_MAX_BATCH];

    for (;;) {
        sqlite3_stmt *st = store_stmt(r->req->db, sql);
        int n = 0, rc;

        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, r->q->id);
        sqlite3_bind_int64(st, 2, r->now);
        sqlite3_bind_int64(st, 3, last_vis);
        sqlite3_bind_int64(st, 4, last_id);
        sqlite3_bind_int(st, 5, RECV_PAGE);
        /* Read the page first: the rows change below. */
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            ids[n] = sqlite3_column_int64(st, 0);
            last_vis = sqlite3_column_int64(st, 1);
            exp[n] = sqlite3_column_int64(st, 2);
            cnt[n++] = sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            goto fail;
        for (int i = 0; i < n && got < want; i++) {
            int t;
            /* With VisibilityTimeout 0 a message handed out stays visible and may show up
             * again further on: once per receive. */
            for (t = 0; t < got && taken[t] != ids[i]; t++)
                ;
            if (t < got)
                continue;
            t = recv_triage(r, ids[i], exp[i], cnt[i]);
            if (t < 0)
                return -1;
            if (t > 0) {
                t = recv_take(r, ids[i]);
                if (t < 0)
                    return -1;
                if (t > 0)
                    taken[got++] = ids[i];
            }
        }
        if (got >= want || n < RECV_PAGE)
            return 0;
        last_id = ids[n - 1];
    }
fail:
    awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot read the queue");
    return -1;
}

/* FIFO candidates: interned group names, rows in send order. */
struct fifo_set {
    struct awslet_req *req;
    struct sqs_fifo_row *rows;
    long long *ids, *exp, *cnt;
    size_t n, cap;
    const char **groups; /* group index → name */
    bool *blocked0;      /* group has a message in flight (from the store) */
    size_t n_groups, groups_cap;
    size_t *hash; /* open addressing: group index + 1, 0 = empty */
    size_t hash_cap;
};

static size_t
str_hash(const char *s)
{
    size_t h = 5381;

    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

/* The dense index of group name (added when new), or -1 when out of memory. */
static long
fifo_group(struct fifo_set *f, const char *name)
{
    size_t h, i;

    if (f->n_groups * 2 >= f->hash_cap) {
        size_t cap = f->hash_cap ? f->hash_cap * 2 : 256;
        size_t *nh = arena_calloc(&f->req->arena, cap * sizeof(*nh));
        if (!nh)
            return -1;
        for (size_t g = 0; g < f->n_groups; g++) {
            for (i = str_hash(f->groups[g]) % cap; nh[i]; i = (i + 1) % cap)
                ;
            nh[i] = g + 1;
        }
        f->hash = nh;
        f->hash_cap = cap;
    }
    h = str_hash(name);
    for (i = h % f->hash_cap; f->hash[i]; i = (i + 1) % f->hash_cap)
        if (strcmp(f->groups[f->hash[i] - 1], name) == 0)
            return (long)(f->hash[i] - 1);
    if (f->n_groups == f->groups_cap) {
        size_t cap = f->groups_cap ? f->groups_cap * 2 : 64;
        const char **ng = arena_alloc(&f->req->arena, cap * sizeof(*ng));
        bool *nb = arena_calloc(&f->req->arena, cap * sizeof(*nb));
        if (!ng || !nb)
            return -1;
        if (f->n_groups) {
            memcpy(ng, f->groups, f->n_groups * sizeof(*ng));
            memcpy(nb, f->blocked0, f->n_groups * sizeof(*nb));
        }
        f->groups = ng;
        f->blocked0 = nb;
        f->groups_cap = cap;
    }
    f->groups[f->n_groups] = arena_strdup(&f->req->arena, name);
    if (!f->groups[f->n_groups])
        return -1;
    f->hash[i] = f->n_groups + 1;
    return (long)f->n_groups++;
}

static int
fifo_push(struct fifo_set *f, long long id, long g, bool visible, bool inflight, long long exp,
          long long cnt)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : FIFO_PAGE;
        struct sqs_fifo_row *nr = arena_alloc(&f->req->arena, cap * sizeof(*nr));
        long long *ni = arena_alloc(&f->req->arena, cap * sizeof(*ni) * 3);
        if (!nr || !ni)
            return -1;
        if (f->n) {
            memcpy(nr, f->rows, f->n * sizeof(*nr));
            memcpy(ni, f->ids, f->n * sizeof(*ni));
            memcpy(ni + cap, f->exp, f->n * sizeof(*ni));
            memcpy(ni + 2 * cap, f->cnt, f->n * sizeof(*ni));
        }
        f->rows = nr;
        f->ids = ni;
        f->exp = ni + cap;
        f->cnt = ni + 2 * cap;
        f->cap = cap;
    }
    f->rows[f->n] =
        (struct sqs_fifo_row){.group = (int)g, .visible = visible, .inflight = inflight};
    f->ids[f->n] = id;
    f->exp[f->n] = exp;
    f->cnt[f->n++] = cnt;
    return 0;
}

/* Groups with a message in flight anywhere in the queue. 0 or -1. */
static int
fifo_load_blocked(struct recv *r, struct fifo_set *f)
{
    static const char sql[] =
        "SELECT DISTINCT group_id FROM sqs_messages WHERE queue_id = ?1 AND visible_ms > ?2"
        " AND receipt IS NOT NULL AND group_id IS NOT NULL";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, r->q->id);
    sqlite3_bind_int64(st, 2, r->now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long g = fifo_group(f, col_text(st, 0));
        if (g < 0)
            break;
        f->blocked0[g] = true;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Read the next page of rows in send order. The number read, or -1. */
static int
fifo_load_page(struct recv *r, struct fifo_set *f, long long after)
{
    static const char sql[] =
        "SELECT id, group_id, visible_ms, receipt IS NOT NULL, expires_ms, receive_count"
        " FROM sqs_messages WHERE queue_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    int rc, n = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, r->q->id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, FIFO_PAGE);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *group = col_text(st, 1);
        long long vis = sqlite3_column_int64(st, 2);
        long g = fifo_group(f, group ? group : "");
        if (g < 0 || fifo_push(f, sqlite3_column_int64(st, 0), g, vis <= r->now,
                               vis > r->now && sqlite3_column_int(st, 3),
                               sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

/* Run the selection over the rows not yet consumed. The count or -1. */
static int
fifo_pick(struct fifo_set *f, const bool *gone, size_t want, size_t *pick)
{
    struct sqs_fifo_row *rows = arena_alloc(&f->req->arena, (f->n + 1) * sizeof(*rows));
    size_t *map = arena_alloc(&f->req->arena, (f->n + 1) * sizeof(*map));
    bool *blocked = arena_alloc(&f->req->arena, f->n_groups + 1);
    size_t m = 0;
    int k;

    if (!rows || !map || !blocked)
        return -1;
    for (size_t i = 0; i < f->n; i++) {
        if (!gone[i]) {
            map[m] = i;
            rows[m++] = f->rows[i];
        }
    }
    if (f->n_groups)
        memcpy(blocked, f->blocked0, f->n_groups);
    k = sqs_fifo_select(rows, m, blocked, f->n_groups, want, pick);
    for (int i = 0; i < k; i++)
        pick[i] = map[pick[i]];
    return k;
}

/* FIFO: strict order per group, groups with a message in flight skipped. 0 or -1. */
static int
recv_fifo(struct recv *r, long long want)
{
    struct fifo_set f = {.req = r->req};
    size_t pick[SQS_MAX_BATCH];
    bool *gone = NULL;
    long long got = 0;
    int k, n;

    if (fifo_load_blocked(r, &f) != 0)
        goto fail;
    /* Read pages until the batch can be filled or the window ends. */
    do {
        n = fifo_load_page(r, &f, f.n ? f.ids[f.n - 1] : 0);
        if (n < 0)
            goto fail;
        gone = arena_calloc(&r->req->arena, f.n + 1);
        if (!gone)
            goto fail;
        k = fifo_pick(&f, gone, (size_t)want, pick);
        if (k < 0)
            goto fail;
    } while (k < want && n == FIFO_PAGE && f.n < FIFO_WINDOW);

    /* Hand out in order; a row that expired or went to the DLQ frees its group's next
     * message, so pick again over what is left. */
    while (got < want && k > 0) {
        bool again = false;
        for (int i = 0; i < k && got < want; i++) {
            size_t j = pick[i];
            int t = recv_triage(r, f.ids[j], f.exp[j], f.cnt[j]);
            if (t < 0)
                return -1;
            gone[j] = true;
            if (t == 0) {
                again = true;
                continue;
            }
            t = recv_take(r, f.ids[j]);
            if (t < 0)
                return -1;
            got += t;
        }
        if (!again)
            break;
        k = fifo_pick(&f, gone, (size_t)(want - got), pick);
        if (k < 0)
            goto fail;
    }
    return 0;
fail:
    awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot read the queue");
    return -1;
}

/* A retried FIFO receive with the same ReceiveRequestAttemptId: the same messages and
 * receipt handles, visibility timeout restarted, if none of them changed since. 1 answered,
 * 0 not applicable, -1 error. */
static int
recv_replay(struct recv *r)
{
    static const char check[] =
        "SELECT 1 FROM sqs_messages WHERE id = ?1 AND queue_id = ?2 AND receipt = ?3"
        " AND visible_ms > ?4";
    static const char renew[] =
        "UPDATE sqs_messages SET visible_ms = ?1 WHERE id = ?2 RETURNING " MSG_COLUMNS;
    struct attempt a;
    sqlite3_stmt *st;
    int rc;

    if (!r->a.attempt_id || !attempt_find(r->q->id, r->a.attempt_id, r->now, &a))
        return 0;
    for (size_t i = 0; i < a.n; i++) {
        if (!(st = store_stmt(r->req->db, check)))
            goto fail;
        sqlite3_bind_int64(st, 1, a.rows[i]);
        sqlite3_bind_int64(st, 2, r->q->id);
        sqlite3_bind_text(st, 3, a.tokens[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, r->now);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return 0; /* deleted, or its visibility changed: receive afresh */
        if (rc != SQLITE_ROW)
            goto fail;
    }
    for (size_t i = 0; i < a.n; i++) {
        if (!(st = store_stmt(r->req->db, renew)))
            goto fail;
        sqlite3_bind_int64(st, 1, r->now + r->a.visibility * 1000);
        sqlite3_bind_int64(st, 2, a.rows[i]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && recv_answer_row(r, st, a.tokens[i]) != 0) {
            sqlite3_reset(st);
            awslet_fail_nomem(r->req);
            return -1;
        }
        if (rc == SQLITE_ROW)
            rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            goto fail;
    }
    return 1;
fail:
    awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot read the queue");
    return -1;
}

/* The earliest time a message of the queue becomes visible after now (end of a delay or of
 * a visibility timeout), or 0 if none. */
static long long
recv_next_visible(struct recv *r)
{
    static const char sql[] =
        "SELECT MIN(visible_ms) FROM sqs_messages WHERE queue_id = ?1 AND visible_ms > ?2";
    sqlite3_stmt *st = store_stmt(r->req->db, sql);
    long long t = 0;

    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, r->q->id);
    sqlite3_bind_int64(st, 2, r->now);
    if (sqlite3_step(st) == SQLITE_ROW)
        t = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return t;
}

/* Select and hand out up to the requested number of messages. 0 or -1 (error set). */
static int
recv_select(struct recv *r)
{
    long long want = r->a.max, inflight;
    int rc;

    if (r->a.attempt_id) {
        r->attempt = arena_calloc(&r->req->arena, sizeof(*r->attempt));
        if (!r->attempt) {
            awslet_fail_nomem(r->req);
            return -1;
        }
        rc = recv_replay(r);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    inflight = recv_inflight(r);
    if (inflight < 0) {
        awslet_fail(r->req, &ERR_INTERNAL_FAILURE, "cannot read the queue");
        return -1;
    }
    if (!r->q->fifo && inflight >= SQS_MAX_INFLIGHT_STANDARD) {
        awslet_fail(r->req, &ERR_SQS_OVER_LIMIT,
                    "Too many messages in flight: the queue has %lld messages in flight, the "
                    "limit is %d.",
                    inflight, SQS_MAX_INFLIGHT_STANDARD);
        return -1;
    }
    /* At its in-flight limit a FIFO queue returns nothing, without an error. */
    if (r->q->fifo && want > SQS_MAX_INFLIGHT_FIFO - inflight)
        want = SQS_MAX_INFLIGHT_FIFO - inflight;
    if (want <= 0)
        return 0;
    rc = r->q->fifo ? recv_fifo(r, want) : recv_standard(r, want);
    if (rc == 0 && r->attempt && r->attempt->n > 0) {
        r->attempt->queue_id = r->q->id;
        r->attempt->id = (char *)r->a.attempt_id;
        r->attempt->expires_ms = r->now + RECV_ATTEMPT_MS;
        if (awslet_after_commit(r->req, attempt_remember, r->attempt) != 0) {
            awslet_fail_nomem(r->req);
            return -1;
        }
    }
    return rc;
}

/* What survives between runs of one long poll. */
struct recv_state {
    long long deadline_ms;
    struct sqs_waiter waiter;
    bool hooked;
};

/* ReceiveMessage.
 * in: QueueUrl, MaxNumberOfMessages?, VisibilityTimeout?, WaitTimeSeconds?, AttributeNames?,
 *     MessageSystemAttributeNames?, MessageAttributeNames?, ReceiveRequestAttemptId?
 * out: {Messages?: [{MessageId, ReceiptHandle, MD5OfBody, Body, Attributes?,
 *       MD5OfMessageAttributes?, MessageAttributes?}]} */
enum awslet_rc
sqs_receive_message(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct recv_state *s = req->state;
    struct recv *r;
    long long wake;

    /* Running again: whatever woke us, we are no longer waiting. */
    if (s)
        waiter_remove(&s->waiter);
    r = arena_calloc(&req->arena, sizeof(*r));
    if (!r)
        return awslet_fail_nomem(req);
    r->req = req;
    r->q = sqs_queue_from_request(req, in);
    if (!r->q || recv_read_args(req, in, r->q, &r->a) != 0)
        return AWSLET_ERR;
    r->now = clock_now_ms();
    if (!s) {
        s = arena_calloc(&req->arena, sizeof(*s));
        if (!s)
            return awslet_fail_nomem(req);
        s->deadline_ms = r->now + r->a.wait * 1000;
        s->waiter.req = req;
        req->state = s;
    }
    r->messages = json_array();
    if (!r->messages)
        return awslet_fail_nomem(req);
    if (recv_select(r) != 0) {
        json_decref(r->messages);
        return AWSLET_ERR;
    }
    if (json_array_size(r->messages) > 0) {
        *out = json_pack("{s:o}", "Messages", r->messages);
        return *out ? AWSLET_OK : awslet_fail_nomem(req);
    }
    json_decref(r->messages);
    if (r->now >= s->deadline_ms || req->stopping) {
        *out = json_object(); /* AWS leaves Messages out of an empty answer */
        return *out ? AWSLET_OK : awslet_fail_nomem(req);
    }

    /* Long poll: sleep until a send (or a visibility change to 0) wakes us, the next
     * message becomes visible, or the wait ends. Our own transaction holds the writer, so
     * no commit can slip between the empty selection above and the registration. */
    if (!s->hooked) {
        if (req_on_finish(req, waiter_remove, &s->waiter) != 0)
            return awslet_fail_nomem(req);
        s->hooked = true;
    }
    wake = recv_next_visible(r);
    if (wake <= 0 || wake > s->deadline_ms)
        wake = s->deadline_ms;
    if (req_resume_at(req, wake) != 0)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot arm the long-poll timer");
    waiter_add(&s->waiter, r->q->id);
    return AWSLET_SUSPEND;
}
