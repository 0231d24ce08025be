/* sqs_attrs.c: queue attributes: defaults, validation, and GetQueueAttributes /
 * SetQueueAttributes.
 *
 * One table lists every attribute name SQS knows (QueueAttributeName in the model) with its
 * kind and AWS's range. sqs_attrs_apply() validates an Attributes map from CreateQueue or
 * SetQueueAttributes against it and writes the values into a struct sqs_queue; the caller
 * saves the queue (or drops it: the write transaction rolls back on error). RedrivePolicy
 * is checked against the dead-letter queue itself: it must exist, be of the same type, and
 * its RedriveAllowPolicy must let this queue use it. sqs_attr_value() renders one attribute
 * the way GetQueueAttributes reports it (always a string). */
#include "services/sqs/sqs_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

enum attr_kind {
    ATTR_INT,           /* decimal integer in [min, max] */
    ATTR_BOOL,          /* "true" | "false" */
    ATTR_ENUM,          /* one of values */
    ATTR_TEXT,          /* any string ("" removes it) */
    ATTR_POLICY,        /* a JSON object ("" removes it) */
    ATTR_REDRIVE,       /* RedrivePolicy */
    ATTR_REDRIVE_ALLOW, /* RedriveAllowPolicy */
    ATTR_FIFO,          /* FifoQueue: only at creation */
    ATTR_COUNT,         /* Approximate*: computed, read-only */
    ATTR_READONLY,      /* QueueArn, timestamps */
};

enum attr_flags {
    ATTR_F_FIFO_ONLY = 1 << 0, /* unknown on standard queues */
};

struct attr_def {
    const char *name;
    enum attr_kind kind;
    unsigned flags;        /* enum attr_flags */
    long long min, max;    /* ATTR_INT */
    const char *values[3]; /* ATTR_ENUM, NULL-terminated */
};

/* In the order GetQueueAttributes answers with All. */
static const struct attr_def attr_defs[] = {
    {"QueueArn", ATTR_READONLY, 0, 0, 0, {NULL}},
    {"ApproximateNumberOfMessages", ATTR_COUNT, 0, 0, 0, {NULL}},
    {"ApproximateNumberOfMessagesNotVisible", ATTR_COUNT, 0, 0, 0, {NULL}},
    {"ApproximateNumberOfMessagesDelayed", ATTR_COUNT, 0, 0, 0, {NULL}},
    {"CreatedTimestamp", ATTR_READONLY, 0, 0, 0, {NULL}},
    {"LastModifiedTimestamp", ATTR_READONLY, 0, 0, 0, {NULL}},
    {"VisibilityTimeout", ATTR_INT, 0, 0, 43200, {NULL}},
    {"MaximumMessageSize", ATTR_INT, 0, 1024, SQS_MAX_MESSAGE_BYTES, {NULL}},
    {"MessageRetentionPeriod", ATTR_INT, 0, 60, 1209600, {NULL}},
    {"DelaySeconds", ATTR_INT, 0, 0, 900, {NULL}},
    {"ReceiveMessageWaitTimeSeconds", ATTR_INT, 0, 0, 20, {NULL}},
    {"Policy", ATTR_POLICY, 0, 0, 0, {NULL}},
    {"RedrivePolicy", ATTR_REDRIVE, 0, 0, 0, {NULL}},
    {"RedriveAllowPolicy", ATTR_REDRIVE_ALLOW, 0, 0, 0, {NULL}},
    {"KmsMasterKeyId", ATTR_TEXT, 0, 0, 0, {NULL}},
    {"KmsDataKeyReusePeriodSeconds", ATTR_INT, 0, 60, 86400, {NULL}},
    {"SqsManagedSseEnabled", ATTR_BOOL, 0, 0, 0, {NULL}},
    {"FifoQueue", ATTR_FIFO, 0, 0, 0, {NULL}},
    {"ContentBasedDeduplication", ATTR_BOOL, ATTR_F_FIFO_ONLY, 0, 0, {NULL}},
    {"DeduplicationScope", ATTR_ENUM, ATTR_F_FIFO_ONLY, 0, 0, {"queue", "messageGroup", NULL}},
    {"FifoThroughputLimit",
     ATTR_ENUM,
     ATTR_F_FIFO_ONLY,
     0,
     0,
     {"perQueue", "perMessageGroupId", NULL}},
};

static const struct attr_def *
attr_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(attr_defs); i++) {
        if (strcmp(attr_defs[i].name, name) == 0)
            return &attr_defs[i];
    }
    return NULL;
}

void
sqs_attrs_defaults(struct sqs_queue *q, bool fifo)
{
    q->fifo = fifo;
    q->delay_seconds = 0;
    q->maximum_message_size = SQS_MAX_MESSAGE_BYTES;
    q->retention_seconds = 345600;
    q->wait_seconds = 0;
    q->visibility_timeout = 30;
    q->content_dedup = false;
    q->dedup_scope = fifo ? "queue" : NULL;
    q->throughput_limit = fifo ? "perQueue" : NULL;
    q->policy = NULL;
    q->redrive_policy = NULL;
    q->redrive_allow = NULL;
    q->dlq_arn = NULL;
    q->max_receive_count = 0;
    q->kms_key = NULL;
    q->kms_reuse_seconds = 300;
    q->sse = "true";
    q->tags = "{}";
    q->purged_ms = 0;
}

/* A decimal integer, nothing around it. 0 or -1. */
AWSLET_TESTABLE int
attr_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;

    if (!s || !*s || !((*s >= '0' && *s <= '9') || (*s == '-' && s[1])))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* SQS accepts the booleans in any case ("True"). 0 or -1. */
AWSLET_TESTABLE int
attr_parse_bool(const char *s, bool *out)
{
    if (s && strcasecmp(s, "true") == 0)
        *out = true;
    else if (s && strcasecmp(s, "false") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

/* An attribute value as text: the API carries strings, but be lenient with JSON scalars. */
static const char *
attr_text(struct awslet_req *req, const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return arena_printf(&req->arena, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

static int
attr_bad_value(struct awslet_req *req, const char *name)
{
    awslet_fail(req, &ERR_SQS_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", name);
    return -1;
}

static int
attr_bad_value_why(struct awslet_req *req, const char *name, const char *why)
{
    awslet_fail(req, &ERR_SQS_INVALID_ATTRIBUTE_VALUE,
                "Invalid value for the parameter %s. Reason: %s", name, why);
    return -1;
}

static int
redrive_bad(struct awslet_req *req, const char *value, const char *why)
{
    awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                "Value %s for parameter RedrivePolicy is invalid. Reason: %s", value, why);
    return -1;
}

/* Whether the dead-letter queue's RedriveAllowPolicy lets source use it. 1 or 0. */
AWSLET_TESTABLE int
attr_redrive_allowed(const char *allow_policy, const char *source_arn)
{
    json_t *p, *arns, *a;
    const char *perm;
    size_t i;
    int ok = 1;

    if (!allow_policy)
        return 1; /* no policy: allowAll */
    p = json_loads(allow_policy, 0, NULL);
    perm = json_string_value(json_object_get(p, "redrivePermission"));
    if (perm && strcmp(perm, "denyAll") == 0) {
        ok = 0;
    } else if (perm && strcmp(perm, "byQueue") == 0) {
        ok = 0;
        arns = json_object_get(p, "sourceQueueArns");
        json_array_foreach(arns, i, a)
        {
            if (json_is_string(a) && strcmp(json_string_value(a), source_arn) == 0)
                ok = 1;
        }
    }
    json_decref(p);
    return ok;
}

/* RedrivePolicy {"deadLetterTargetArn": arn, "maxReceiveCount": 1-1000 (number or numeric
 * string)}: stored normalized as AWS reports it, with dlq_arn and max_receive_count parsed
 * out for the receiver. "" removes it. */
static int
attr_apply_redrive(struct awslet_req *req, struct sqs_queue *q, const char *value)
{
    json_t *p, *arn, *cnt, *norm;
    const char *region, *account, *name, *dlq_arn;
    struct sqs_queue *dlq;
    long long n = 0;
    char *text, msg[300];
    int rc = -1;

    if (!*value) {
        q->redrive_policy = q->dlq_arn = NULL;
        q->max_receive_count = 0;
        return 0;
    }
    p = json_loads(value, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return redrive_bad(req, value, "Redrive policy is not a valid JSON map.");
    }
    arn = json_object_get(p, "deadLetterTargetArn");
    cnt = json_object_get(p, "maxReceiveCount");
    if (!arn) {
        redrive_bad(req, value,
                    "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
        goto out;
    }
    if (!cnt) {
        redrive_bad(req, value,
                    "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
        goto out;
    }
    if (json_is_integer(cnt))
        n = json_integer_value(cnt);
    else if (!json_is_string(cnt) || attr_parse_int(json_string_value(cnt), &n) != 0)
        n = 0;
    if (n < 1 || n > 1000) {
        char *c = json_dumps(cnt, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(msg, sizeof(msg),
                 "Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both "
                 "inclusive.",
                 json_is_string(cnt) ? json_string_value(cnt) : (c ? c : ""));
        free(c);
        redrive_bad(req, value, msg);
        goto out;
    }
    if (!json_is_string(arn) ||
        sqs_arn_split(req, json_string_value(arn), &region, &account, &name) != 0) {
        redrive_bad(req, value, "Invalid value for deadLetterTargetArn.");
        goto out;
    }
    dlq_arn = arena_strdup(&req->arena, json_string_value(arn));
    /* The dead-letter queue lives in the source's account and region (RedriveAllowPolicy
     * doc: "in this AWS account in the same Region"). */
    dlq = NULL;
    if (strcmp(account, q->account) == 0 && strcmp(region, q->region) == 0) {
        dlq = sqs_queue_lookup(req, account, region, name);
        if (!dlq && req->err)
            goto out;
    }
    if (!dlq) {
        redrive_bad(req, value, "Dead letter target does not exist.");
        goto out;
    }
    if (dlq->fifo != q->fifo) {
        redrive_bad(req, value, "Dead-letter queue must be same type of queue as the source.");
        goto out;
    }
    if (!attr_redrive_allowed(dlq->redrive_allow, q->arn)) {
        snprintf(msg, sizeof(msg),
                 "Queue %s does not allow this queue to use it as a dead-letter queue.", dlq->arn);
        redrive_bad(req, value, msg);
        goto out;
    }
    norm =
        json_pack("{s:s, s:I}", "deadLetterTargetArn", dlq_arn, "maxReceiveCount", (json_int_t)n);
    text = norm ? json_dumps(norm, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(norm);
    q->redrive_policy = text ? arena_strdup(&req->arena, text) : NULL;
    free(text);
    if (!q->redrive_policy || !dlq_arn) {
        awslet_fail_nomem(req);
        goto out;
    }
    q->dlq_arn = dlq_arn;
    q->max_receive_count = (int)n;
    rc = 0;
out:
    json_decref(p);
    return rc;
}

/* RedriveAllowPolicy {"redrivePermission": allowAll|denyAll|byQueue, "sourceQueueArns":
 * [1-10 ARNs], only with byQueue}. Stored compact; "" removes it. */
AWSLET_TESTABLE const char *
attr_check_redrive_allow(struct awslet_req *req, const char *value)
{
    static const char name[] = "RedriveAllowPolicy";
    json_t *p, *perm, *arns, *a, *norm;
    const char *pv, *region, *account, *qname, *r = NULL;
    char *text;
    size_t i;

    p = json_loads(value, 0, NULL);
    if (!json_is_object(p)) {
        attr_bad_value_why(req, name, "The policy is not a valid JSON map.");
        goto out;
    }
    perm = json_object_get(p, "redrivePermission");
    arns = json_object_get(p, "sourceQueueArns");
    pv = json_string_value(perm);
    if (!pv ||
        (strcmp(pv, "allowAll") != 0 && strcmp(pv, "denyAll") != 0 && strcmp(pv, "byQueue") != 0)) {
        attr_bad_value_why(req, name,
                           "redrivePermission must be one of allowAll, denyAll or byQueue.");
        goto out;
    }
    if (strcmp(pv, "byQueue") != 0) {
        if (arns) {
            attr_bad_value_why(req, name,
                               "sourceQueueArns can be specified only when redrivePermission "
                               "is byQueue.");
            goto out;
        }
    } else {
        if (!json_is_array(arns) || json_array_size(arns) < 1 || json_array_size(arns) > 10) {
            attr_bad_value_why(req, name,
                               "sourceQueueArns must list 1 to 10 queue ARNs when "
                               "redrivePermission is byQueue.");
            goto out;
        }
        json_array_foreach(arns, i, a)
        {
            if (!json_is_string(a) ||
                sqs_arn_split(req, json_string_value(a), &region, &account, &qname) != 0) {
                attr_bad_value_why(req, name, "sourceQueueArns must hold SQS queue ARNs.");
                goto out;
            }
        }
    }
    norm = arns ? json_pack("{s:O, s:O}", "redrivePermission", perm, "sourceQueueArns", arns)
                : json_pack("{s:O}", "redrivePermission", perm);
    text = norm ? json_dumps(norm, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(norm);
    r = text ? arena_strdup(&req->arena, text) : NULL;
    free(text);
    if (!r)
        awslet_fail_nomem(req);
out:
    json_decref(p);
    return r;
}

/* Policy: a JSON object (AWS parses it as an IAM policy document). */
static int
attr_policy_ok(const char *value)
{
    json_t *p = json_loads(value, 0, NULL);
    int ok = json_is_object(p);

    json_decref(p);
    return ok;
}

int
sqs_attrs_apply(struct awslet_req *req, struct sqs_queue *q, const json_t *attrs, bool creating)
{
    const char *key, *text;
    const json_t *v;
    bool b, kms_set = false, sse_set = false;
    long long n;

    if (!attrs)
        return 0;
    json_object_foreach((json_t *)attrs, key, v)
    {
        const struct attr_def *d = attr_find(key);

        if (!d || d->kind == ATTR_COUNT || d->kind == ATTR_READONLY ||
            ((d->flags & ATTR_F_FIFO_ONLY) && !q->fifo)) {
            awslet_fail(req, &ERR_SQS_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", key);
            return -1;
        }
        text = attr_text(req, v);
        if (!text)
            return attr_bad_value(req, key);
        switch (d->kind) {
        case ATTR_INT:
            if (attr_parse_int(text, &n) != 0 || n < d->min || n > d->max)
                return attr_bad_value(req, key);
            if (strcmp(key, "VisibilityTimeout") == 0)
                q->visibility_timeout = (int)n;
            else if (strcmp(key, "MaximumMessageSize") == 0)
                q->maximum_message_size = (int)n;
            else if (strcmp(key, "MessageRetentionPeriod") == 0)
                q->retention_seconds = (int)n;
            else if (strcmp(key, "DelaySeconds") == 0)
                q->delay_seconds = (int)n;
            else if (strcmp(key, "ReceiveMessageWaitTimeSeconds") == 0)
                q->wait_seconds = (int)n;
            else
                q->kms_reuse_seconds = (int)n;
            break;
        case ATTR_BOOL:
            if (attr_parse_bool(text, &b) != 0)
                return attr_bad_value(req, key);
            if (strcmp(key, "ContentBasedDeduplication") == 0) {
                q->content_dedup = b;
            } else {
                q->sse = b ? "true" : "false";
                sse_set = b;
                if (b && !kms_set)
                    q->kms_key = NULL; /* SSE-SQS replaces SSE-KMS */
            }
            break;
        case ATTR_ENUM: {
            const char *const *e = d->values;

            while (*e && strcmp(*e, text) != 0)
                e++;
            if (!*e)
                return attr_bad_value(req, key);
            if (strcmp(key, "DeduplicationScope") == 0)
                q->dedup_scope = *e;
            else
                q->throughput_limit = *e;
            break;
        }
        case ATTR_TEXT: /* KmsMasterKeyId */
            q->kms_key = *text ? arena_strdup(&req->arena, text) : NULL;
            if (q->kms_key) {
                kms_set = true;
                q->sse = "false";
            }
            break;
        case ATTR_POLICY:
            if (*text && !attr_policy_ok(text))
                return attr_bad_value(req, key);
            q->policy = *text ? arena_strdup(&req->arena, text) : NULL;
            break;
        case ATTR_REDRIVE:
            if (attr_apply_redrive(req, q, text) != 0)
                return -1;
            break;
        case ATTR_REDRIVE_ALLOW:
            if (!*text) {
                q->redrive_allow = NULL;
            } else {
                q->redrive_allow = attr_check_redrive_allow(req, text);
                if (!q->redrive_allow)
                    return -1;
            }
            break;
        case ATTR_FIFO:
            if (attr_parse_bool(text, &b) != 0)
                return attr_bad_value(req, key);
            /* The type is fixed at creation (CreateQueue doc: "You can't change it for an
             * existing queue"); restating it is harmless. */
            if (b != q->fifo)
                return attr_bad_value_why(req, key,
                                          creating ? "The queue name must end with .fifo."
                                                   : "Modifying queue type is not supported.");
            break;
        case ATTR_COUNT:
        case ATTR_READONLY:
            break;
        }
    }
    if (kms_set && sse_set)
        return attr_bad_value_why(req, "SqsManagedSseEnabled",
                                  "You can use one type of server-side encryption (SSE) at one "
                                  "time. You can either enable KMS SSE or SQS SSE.");
    if (q->fifo && q->throughput_limit && q->dedup_scope &&
        strcmp(q->throughput_limit, "perMessageGroupId") == 0 &&
        strcmp(q->dedup_scope, "messageGroup") != 0)
        return attr_bad_value_why(req, "FifoThroughputLimit",
                                  "The perMessageGroupId value is allowed only when the value "
                                  "for DeduplicationScope is messageGroup.");
    return 0;
}

const char *
sqs_attr_value(struct awslet_req *req, const struct sqs_queue *q, const char *name)
{
    const struct attr_def *d = attr_find(name);
    struct arena *a = &req->arena;

    if (!d || ((d->flags & ATTR_F_FIFO_ONLY) && !q->fifo))
        return NULL;
    if (strcmp(name, "QueueArn") == 0)
        return q->arn;
    if (strcmp(name, "CreatedTimestamp") == 0)
        return arena_printf(a, "%lld", q->created_s);
    if (strcmp(name, "LastModifiedTimestamp") == 0)
        return arena_printf(a, "%lld", q->modified_s);
    if (strcmp(name, "VisibilityTimeout") == 0)
        return arena_printf(a, "%d", q->visibility_timeout);
    if (strcmp(name, "MaximumMessageSize") == 0)
        return arena_printf(a, "%d", q->maximum_message_size);
    if (strcmp(name, "MessageRetentionPeriod") == 0)
        return arena_printf(a, "%d", q->retention_seconds);
    if (strcmp(name, "DelaySeconds") == 0)
        return arena_printf(a, "%d", q->delay_seconds);
    if (strcmp(name, "ReceiveMessageWaitTimeSeconds") == 0)
        return arena_printf(a, "%d", q->wait_seconds);
    if (strcmp(name, "Policy") == 0)
        return q->policy;
    if (strcmp(name, "RedrivePolicy") == 0)
        return q->redrive_policy;
    if (strcmp(name, "RedriveAllowPolicy") == 0)
        return q->redrive_allow;
    if (strcmp(name, "KmsMasterKeyId") == 0)
        return q->kms_key;
    /* The reuse period only means something with a KMS key, and only then does SQS report
     * it. */
    if (strcmp(name, "KmsDataKeyReusePeriodSeconds") == 0)
        return q->kms_key ? arena_printf(a, "%d", q->kms_reuse_seconds) : NULL;
    if (strcmp(name, "SqsManagedSseEnabled") == 0)
        return q->kms_key ? "false" : (q->sse ? q->sse : "true");
    if (!q->fifo)
        return NULL;
    if (strcmp(name, "FifoQueue") == 0)
        return "true";
    if (strcmp(name, "ContentBasedDeduplication") == 0)
        return q->content_dedup ? "true" : "false";
    if (strcmp(name, "DeduplicationScope") == 0)
        return q->dedup_scope ? q->dedup_scope : "queue";
    if (strcmp(name, "FifoThroughputLimit") == 0)
        return q->throughput_limit ? q->throughput_limit : "perQueue";
    return NULL;
}

static const char queue_counts_sql[] = "SELECT coalesce(sum(visible_ms <= ?1), 0),"
                                       " coalesce(sum(visible_ms > ?1 AND receipt IS NOT NULL), 0),"
                                       " coalesce(sum(visible_ms > ?1 AND receipt IS NULL), 0)"
                                       " FROM sqs_messages WHERE queue_id = ?2 AND expires_ms > ?1";

/* Visible (receivable now), in flight (received, not yet visible again), delayed (never
 * received, not yet visible). Expired messages count nowhere. 0 or -1 (error set). */
static int
attr_counts(struct awslet_req *req, const struct sqs_queue *q, long long counts[3])
{
    sqlite3_stmt *st = store_stmt(req->db, queue_counts_sql);
    int rc;

    if (!st) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot count messages");
        return -1;
    }
    sqlite3_bind_int64(st, 1, clock_now_ms());
    sqlite3_bind_int64(st, 2, q->id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < 3; i++)
            counts[i] = sqlite3_column_int64(st, i);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        log_error("cannot count messages of '%s': %s", q->name, sqlite3_errmsg(req->db));
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot count messages");
        return -1;
    }
    return 0;
}

/* GetQueueAttributes: the named attributes, or every one for "All"; attributes the queue
 * does not have are left out, and so is an empty map.
 * in: QueueUrl, AttributeNames?   out: Attributes? {name: string} */
enum awslet_rc
sqs_get_queue_attributes(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const json_t *names, *v;
    bool want[ARRAY_SIZE(attr_defs)] = {false}, any_count = false;
    long long counts[3] = {0, 0, 0};
    json_t *map;
    size_t i;

    if (!q)
        return AWSLET_ERR;
    names = json_object_get(in, "AttributeNames");
    if (names && !json_is_null(names) && !json_is_array(names))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter AttributeNames is invalid. Reason: Must be a "
                           "list.");
    json_array_foreach(names, i, v)
    {
        const char *n = json_string_value(v);
        const struct attr_def *d;

        if (n && strcmp(n, "All") == 0) {
            for (size_t k = 0; k < ARRAY_SIZE(attr_defs); k++)
                want[k] = true;
            continue;
        }
        if (!n)
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "Value for parameter AttributeNames is invalid. Reason: Must be a "
                               "list of strings.");
        d = attr_find(n);
        if (!d)
            return awslet_fail(req, &ERR_SQS_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", n);
        want[d - attr_defs] = true;
    }
    for (size_t k = 0; k < ARRAY_SIZE(attr_defs); k++)
        any_count |= want[k] && attr_defs[k].kind == ATTR_COUNT;
    if (any_count && attr_counts(req, q, counts) != 0)
        return AWSLET_ERR;

    map = json_object();
    if (!map)
        return awslet_fail_nomem(req);
    for (size_t k = 0, c = 0; k < ARRAY_SIZE(attr_defs); k++) {
        const char *val;

        if (attr_defs[k].kind == ATTR_COUNT) {
            val = want[k] ? arena_printf(&req->arena, "%lld", counts[c]) : NULL;
            c++;
        } else {
            val = want[k] ? sqs_attr_value(req, q, attr_defs[k].name) : NULL;
        }
        if (val && json_object_set_new(map, attr_defs[k].name, json_string(val)) != 0) {
            json_decref(map);
            return awslet_fail_nomem(req);
        }
    }
    *out = json_object();
    if (!*out) {
        json_decref(map);
        return awslet_fail_nomem(req);
    }
    if (json_object_size(map))
        json_object_set_new(*out, "Attributes", map);
    else
        json_decref(map);
    return AWSLET_OK;
}

/* Re-date every stored message's expiry to its send time plus the queue's retention. */
static int
attrs_retention_restamp(struct awslet_req *req, const struct sqs_queue *q)
{
    static const char sql[] =
        "UPDATE sqs_messages SET expires_ms = sent_ms + ?1 WHERE queue_id = ?2";
    sqlite3_stmt *st = store_stmt(req->db, sql);
    int rc;

    if (!st)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot update message retention"), -1;
    sqlite3_bind_int64(st, 1, (long long)q->retention_seconds * 1000);
    sqlite3_bind_int64(st, 2, q->id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    if (rc != 0)
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot update message retention");
    return rc;
}

/* SetQueueAttributes: validate all, then save (the transaction makes it all or nothing).
 * in: QueueUrl, Attributes */
enum awslet_rc
sqs_set_queue_attributes(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const json_t *attrs;

    if (!q)
        return AWSLET_ERR;
    attrs = json_object_get(in, "Attributes");
    if (!attrs || json_is_null(attrs))
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter Attributes.");
    if (!json_is_object(attrs))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter Attributes is invalid. Reason: Must be a map.");
    int old_retention = q->retention_seconds;
    if (sqs_attrs_apply(req, q, attrs, false) != 0)
        return AWSLET_ERR;
    q->modified_s = clock_now_ms() / 1000;
    if (sqs_queue_save(req, q) != 0)
        return AWSLET_ERR;
    /* A new retention period applies to the messages already stored too (CreateQueue API
     * reference: "impacts existing messages in the queue"), counted from each one's send. */
    if (q->retention_seconds != old_retention && attrs_retention_restamp(req, q) != 0)
        return AWSLET_ERR;
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}
