/* sqs_queue.c: queues as records: loading them, addressing them by URL, path or ARN, and the
 * operations that create, delete, find and list them.
 *
 * A queue is one row of sqs_queues, loaded whole into an arena-owned struct sqs_queue (every
 * send and receive needs most of its attributes). Requests address a queue by the QueueUrl
 * member or, in the query protocol, by the request path /{account}/{name}; only the path of a
 * URL matters, because clients use whatever host they reached us on. The region is always
 * the request's. Entry points: sqs_queue_from_request, sqs_queue_by_url / _by_arn / _load,
 * and the handlers CreateQueue, DeleteQueue, GetQueueUrl, ListQueues. */
#include "services/sqs/sqs_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#define LIST_QUEUES_MAX 1000 /* ListQueues answers at most 1000 URLs (API reference) */

static const char queue_select_sql[] =
    "SELECT id, account, region, name, fifo, delay_seconds, max_message_size,"
    " retention_seconds, wait_seconds, visibility_timeout, content_dedup, dedup_scope,"
    " throughput_limit, policy, redrive_policy, redrive_allow, dlq_arn, max_receive_count,"
    " kms_key, kms_reuse_seconds, sse, tags, created_s, modified_s, purged_ms"
    " FROM sqs_queues WHERE account = ?1 AND region = ?2 AND name = ?3";

static const char queue_insert_sql[] =
    "INSERT INTO sqs_queues (account, region, name, fifo, delay_seconds, max_message_size,"
    " retention_seconds, wait_seconds, visibility_timeout, content_dedup, dedup_scope,"
    " throughput_limit, policy, redrive_policy, redrive_allow, dlq_arn, max_receive_count,"
    " kms_key, kms_reuse_seconds, sse, tags, created_s, modified_s, purged_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24)";

/* fifo_seq belongs to the sender (sequence numbers) and is never written from here. */
static const char queue_update_sql[] =
    "UPDATE sqs_queues SET account = ?1, region = ?2, name = ?3, fifo = ?4,"
    " delay_seconds = ?5, max_message_size = ?6, retention_seconds = ?7, wait_seconds = ?8,"
    " visibility_timeout = ?9, content_dedup = ?10, dedup_scope = ?11, throughput_limit = ?12,"
    " policy = ?13, redrive_policy = ?14, redrive_allow = ?15, dlq_arn = ?16,"
    " max_receive_count = ?17, kms_key = ?18, kms_reuse_seconds = ?19, sse = ?20, tags = ?21,"
    " created_s = ?22, modified_s = ?23, purged_ms = ?24 WHERE id = ?25";

static const char deleted_select_sql[] =
    "SELECT deleted_ms FROM sqs_deleted WHERE account = ?1 AND region = ?2 AND name = ?3";
static const char deleted_insert_sql[] =
    "INSERT OR REPLACE INTO sqs_deleted (account, region, name, deleted_ms)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char deleted_prune_sql[] = "DELETE FROM sqs_deleted WHERE deleted_ms < ?1";
static const char queue_delete_sql[] = "DELETE FROM sqs_queues WHERE id = ?1";
static const char queue_list_sql[] =
    "SELECT name FROM sqs_queues WHERE account = ?1 AND region = ?2"
    " AND substr(name, 1, length(?3)) = ?3 AND name > ?4 ORDER BY name LIMIT ?5";

static const char *
queue_col(struct awslet_req *req, sqlite3_stmt *st, int i, bool *oom)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    char *c;

    if (!t)
        return NULL;
    c = arena_strdup(&req->arena, t);
    if (!c)
        *oom = true;
    return c;
}

static struct sqs_queue *
queue_from_row(struct awslet_req *req, sqlite3_stmt *st)
{
    struct sqs_queue *q = arena_calloc(&req->arena, sizeof(*q));
    bool oom = false;

    if (!q)
        return NULL;
    q->id = sqlite3_column_int64(st, 0);
    q->account = queue_col(req, st, 1, &oom);
    q->region = queue_col(req, st, 2, &oom);
    q->name = queue_col(req, st, 3, &oom);
    q->fifo = sqlite3_column_int(st, 4) != 0;
    q->delay_seconds = sqlite3_column_int(st, 5);
    q->maximum_message_size = sqlite3_column_int(st, 6);
    q->retention_seconds = sqlite3_column_int(st, 7);
    q->wait_seconds = sqlite3_column_int(st, 8);
    q->visibility_timeout = sqlite3_column_int(st, 9);
    q->content_dedup = sqlite3_column_int(st, 10) != 0;
    q->dedup_scope = queue_col(req, st, 11, &oom);
    q->throughput_limit = queue_col(req, st, 12, &oom);
    q->policy = queue_col(req, st, 13, &oom);
    q->redrive_policy = queue_col(req, st, 14, &oom);
    q->redrive_allow = queue_col(req, st, 15, &oom);
    q->dlq_arn = queue_col(req, st, 16, &oom);
    q->max_receive_count = sqlite3_column_int(st, 17);
    q->kms_key = queue_col(req, st, 18, &oom);
    q->kms_reuse_seconds = sqlite3_column_int(st, 19);
    q->sse = queue_col(req, st, 20, &oom);
    q->tags = queue_col(req, st, 21, &oom);
    q->created_s = sqlite3_column_int64(st, 22);
    q->modified_s = sqlite3_column_int64(st, 23);
    q->purged_ms = sqlite3_column_int64(st, 24);
    if (oom || !q->account || !q->region || !q->name)
        return NULL;
    q->arn = arena_printf(&req->arena, "arn:aws:sqs:%s:%s:%s", q->region, q->account, q->name);
    return q->arn ? q : NULL;
}

/* The row, or NULL: *failed says whether that is an error (already set) or just absence. */
static struct sqs_queue *
queue_fetch(struct awslet_req *req, const char *account, const char *region, const char *name,
            bool *failed)
{
    sqlite3_stmt *st = store_stmt(req->db, queue_select_sql);
    struct sqs_queue *q = NULL;
    int rc;

    *failed = false;
    if (!st) {
        *failed = true;
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read queues");
        return NULL;
    }
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        q = queue_from_row(req, st);
        if (!q) {
            *failed = true;
            awslet_fail_nomem(req);
        }
    } else if (rc != SQLITE_DONE) {
        *failed = true;
        log_error("cannot read queue '%s': %s", name, sqlite3_errmsg(req->db));
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read queue");
    }
    sqlite3_reset(st);
    return q;
}

struct sqs_queue *
sqs_queue_lookup(struct awslet_req *req, const char *account, const char *region, const char *name)
{
    bool failed;

    return queue_fetch(req, account, region, name, &failed);
}

struct sqs_queue *
sqs_queue_load(struct awslet_req *req, const char *account, const char *region, const char *name)
{
    bool failed;
    struct sqs_queue *q = queue_fetch(req, account, region, name, &failed);

    if (!q && !failed)
        awslet_fail(req, &ERR_SQS_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    return q;
}

/* Split the path of a queue URL. Accepted: {scheme}://{host}/{account}/{name},
 * {host}/{account}/{name}, /{account}/{name}, each with an optional trailing slash, and
 * LocalStack's path style .../queue/{region}/{account}/{name} (then *region is set, else
 * NULL). Outputs are arena copies. 0, or -1 when the URL names no queue. */
AWSLET_TESTABLE int
queue_url_parse(struct arena *a, const char *url, const char **region, const char **account,
                const char **name)
{
    const char *p = url, *s;
    char *path, *seg[4], *save = NULL, *t;
    size_t len;
    int n = 0;

    *region = *account = *name = NULL;
    if ((s = strstr(p, "://")) != NULL) {
        p = strchr(s + 3, '/');
    } else if (*p != '/') {
        p = strchr(p, '/');
    }
    if (!p)
        return -1;
    len = strcspn(p, "?#");
    path = arena_strndup(a, p, len);
    if (!path)
        return -1;
    if (len > 1 && path[len - 1] == '/')
        path[len - 1] = '\0';
    if (strstr(path, "//"))
        return -1;
    for (t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (n == 4)
            return -1;
        seg[n++] = t;
    }
    if (n == 2) {
        *account = seg[0];
        *name = seg[1];
        return 0;
    }
    if (n == 4 && strcmp(seg[0], "queue") == 0) {
        *region = seg[1];
        *account = seg[2];
        *name = seg[3];
        return 0;
    }
    return -1;
}

struct sqs_queue *
sqs_queue_by_url(struct awslet_req *req, const char *url)
{
    const char *region, *account, *name;

    if (queue_url_parse(&req->arena, url, &region, &account, &name) != 0) {
        awslet_fail(req, &ERR_SQS_INVALID_ADDRESS, "The address %s is not valid for this endpoint.",
                    url);
        return NULL;
    }
    return sqs_queue_load(req, account, region ? region : req->region, name);
}

int
sqs_arn_split(struct awslet_req *req, const char *arn, const char **region, const char **account,
              const char **name)
{
    char *copy = arena_strdup(&req->arena, arn ? arn : "");
    char *part[6];
    int n = 0;

    if (!copy) {
        awslet_fail_nomem(req);
        return -1;
    }
    /* arn:{partition}:sqs:{region}:{account}:{name}: exactly six parts, none empty. */
    part[0] = copy;
    for (char *p = copy; *p; p++) {
        if (*p != ':')
            continue;
        if (++n == 6)
            break;
        *p = '\0';
        part[n] = p + 1;
    }
    if (n != 5 || strcmp(part[0], "arn") != 0 || strcmp(part[2], "sqs") != 0) {
        goto bad;
    }
    for (int i = 1; i < 6; i++) {
        if (!*part[i])
            goto bad;
    }
    *region = part[3];
    *account = part[4];
    *name = part[5];
    return 0;
bad:
    /* A default for callers that do not phrase their own message. */
    awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE, "%s is not a valid SQS ARN.",
                arn ? arn : "");
    return -1;
}

struct sqs_queue *
sqs_queue_by_arn(struct awslet_req *req, const char *arn)
{
    const char *region, *account, *name;

    if (sqs_arn_split(req, arn, &region, &account, &name) != 0) {
        awslet_fail(req, &ERR_SQS_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
        return NULL;
    }
    return sqs_queue_load(req, account, region, name);
}

/* /{12-digit account}/{name}[/]: the query protocol's way of naming the queue. */
AWSLET_TESTABLE int
queue_path_parse(struct arena *a, const char *path, const char **account, const char **name)
{
    const char *p = path, *slash;
    size_t len;

    if (!p || *p++ != '/')
        return -1;
    for (int i = 0; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
    }
    if (p[12] != '/' || !p[13])
        return -1;
    slash = strchr(p + 13, '/');
    len = slash ? (size_t)(slash - (p + 13)) : strlen(p + 13);
    if (!len || (slash && slash[1]))
        return -1;
    *account = arena_strndup(a, p, 12);
    *name = arena_strndup(a, p + 13, len);
    return *account && *name ? 0 : -1;
}

struct sqs_queue *
sqs_queue_from_request(struct awslet_req *req, const json_t *in)
{
    const char *url = NULL, *account, *name;

    if (sqs_arg_str_opt(req, in, "QueueUrl", &url) != 0)
        return NULL;
    if (url)
        return sqs_queue_by_url(req, url);
    if (queue_path_parse(&req->arena, req->path, &account, &name) == 0)
        return sqs_queue_load(req, account, req->region, name);
    awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                "The request must contain the parameter QueueUrl.");
    return NULL;
}

const char *
sqs_queue_url(struct awslet_req *req, const struct sqs_queue *q)
{
    const char *host = req->host && *req->host ? req->host : "localhost";

    return arena_printf(&req->arena, "http://%s/%s/%s", host, q->account, q->name);
}

static int
name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

int
sqs_name_valid(const char *name, bool fifo)
{
    size_t len = name ? strlen(name) : 0, base = len;

    if (len < 1 || len > 80)
        return 0;
    if (fifo) {
        if (len <= 5 || strcmp(name + len - 5, ".fifo") != 0)
            return 0;
        base = len - 5;
    }
    for (size_t i = 0; i < base; i++) {
        if (!name_char_ok(name[i]))
            return 0;
    }
    return 1;
}

static int
queue_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

int
sqs_queue_save(struct awslet_req *req, struct sqs_queue *q)
{
    sqlite3_stmt *st = store_stmt(req->db, q->id ? queue_update_sql : queue_insert_sql);
    int rc;

    if (!st) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot write queue");
        return -1;
    }
    queue_bind_text(st, 1, q->account);
    queue_bind_text(st, 2, q->region);
    queue_bind_text(st, 3, q->name);
    sqlite3_bind_int(st, 4, q->fifo);
    sqlite3_bind_int(st, 5, q->delay_seconds);
    sqlite3_bind_int(st, 6, q->maximum_message_size);
    sqlite3_bind_int(st, 7, q->retention_seconds);
    sqlite3_bind_int(st, 8, q->wait_seconds);
    sqlite3_bind_int(st, 9, q->visibility_timeout);
    sqlite3_bind_int(st, 10, q->content_dedup);
    queue_bind_text(st, 11, q->dedup_scope);
    queue_bind_text(st, 12, q->throughput_limit);
    queue_bind_text(st, 13, q->policy);
    queue_bind_text(st, 14, q->redrive_policy);
    queue_bind_text(st, 15, q->redrive_allow);
    queue_bind_text(st, 16, q->dlq_arn);
    sqlite3_bind_int(st, 17, q->max_receive_count);
    queue_bind_text(st, 18, q->kms_key);
    sqlite3_bind_int(st, 19, q->kms_reuse_seconds);
    queue_bind_text(st, 20, q->sse);
    queue_bind_text(st, 21, q->tags ? q->tags : "{}");
    sqlite3_bind_int64(st, 22, q->created_s);
    sqlite3_bind_int64(st, 23, q->modified_s);
    sqlite3_bind_int64(st, 24, q->purged_ms);
    if (q->id)
        sqlite3_bind_int64(st, 25, q->id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("cannot write queue '%s': %s", q->name, sqlite3_errmsg(req->db));
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot write queue");
        return -1;
    }
    if (!q->id)
        q->id = sqlite3_last_insert_rowid(req->db);
    return 0;
}

/* Run a statement that returns no rows; the binder fills its parameters. 0 or -1 (set). */
static int
queue_exec(struct awslet_req *req, sqlite3_stmt *st, const char *what)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

    if (st)
        sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("cannot %s: %s", what, sqlite3_errmsg(req->db));
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot %s", what);
        return -1;
    }
    return 0;
}

/* 1 if the name was deleted less than 60 s ago, 0 if not, -1 on a store error (set). */
static int
queue_deleted_recently(struct awslet_req *req, const char *name, long long now)
{
    sqlite3_stmt *st = store_stmt(req->db, deleted_select_sql);
    int rc, recent = 0;

    if (!st) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read deleted queues");
        return -1;
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        recent = now - sqlite3_column_int64(st, 0) < SQS_DELETED_RECENTLY_MS;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot read deleted queues");
        return -1;
    }
    return recent;
}

/* Tags of CreateQueue: the JSON model calls the member "tags", older clients "Tags". */
static const json_t *
queue_create_tags(const json_t *in)
{
    const json_t *t = json_object_get(in, "tags");

    if (!t || json_is_null(t))
        t = json_object_get(in, "Tags");
    return json_is_null(t) ? NULL : t;
}

/* Compare each attribute the caller named with the existing queue's; NULL if all agree,
 * else the first name that differs. */
static const char *
queue_attr_conflict(struct awslet_req *req, const struct sqs_queue *want,
                    const struct sqs_queue *have, const json_t *attrs)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)attrs, key, v)
    {
        const char *a = sqs_attr_value(req, want, key), *b = sqs_attr_value(req, have, key);

        /* Reported only along with a KMS key, but a setting all the same. */
        if (strcmp(key, "KmsDataKeyReusePeriodSeconds") == 0 &&
            want->kms_reuse_seconds != have->kms_reuse_seconds)
            return key;
        if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
            return key;
    }
    return NULL;
}

/* CreateQueue: validate name and attributes; an existing queue with the same attributes
 * answers its URL (the call is idempotent), a different one QueueNameExists.
 * in: QueueName, Attributes?, tags?   out: QueueUrl */
enum awslet_rc
sqs_create_queue(struct awslet_req *req, const json_t *in, json_t **out)
{
    const char *name, *conflict;
    const json_t *attrs, *tags, *fv;
    struct sqs_queue *q, *old;
    long long now = clock_now_ms();
    bool fifo, failed;
    int recent;

    if (sqs_arg_str(req, in, "QueueName", &name) != 0)
        return AWSLET_ERR;
    attrs = json_object_get(in, "Attributes");
    if (json_is_null(attrs))
        attrs = NULL;
    if (attrs && !json_is_object(attrs))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value for parameter Attributes is invalid. Reason: Must be a map.");
    /* The queue type decides which names are valid; its value is validated with the rest. */
    fv = attrs ? json_object_get(attrs, "FifoQueue") : NULL;
    fifo =
        json_is_true(fv) || (json_is_string(fv) && strcasecmp(json_string_value(fv), "true") == 0);
    if (!sqs_name_valid(name, fifo)) {
        if (fifo)
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "The name of a FIFO queue can only include alphanumeric "
                               "characters, hyphens, or underscores, must end with .fifo "
                               "suffix and be 1 to 80 in length.");
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Can only include alphanumeric characters, hyphens, or underscores. "
                           "1 to 80 in length");
    }

    q = arena_calloc(&req->arena, sizeof(*q));
    if (!q)
        return awslet_fail_nomem(req);
    q->account = req->account;
    q->region = req->region;
    q->name = name;
    q->arn = arena_printf(&req->arena, "arn:aws:sqs:%s:%s:%s", q->region, q->account, name);
    if (!q->arn)
        return awslet_fail_nomem(req);
    sqs_attrs_defaults(q, fifo);
    if (sqs_attrs_apply(req, q, attrs, true) != 0)
        return AWSLET_ERR;
    tags = queue_create_tags(in);
    if (tags) {
        if (!json_is_object(tags))
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "Value for parameter Tags is invalid. Reason: Must be a map.");
        if (sqs_tags_merge(req, q, tags) != 0)
            return AWSLET_ERR;
    }

    old = queue_fetch(req, q->account, q->region, name, &failed);
    if (failed)
        return AWSLET_ERR;
    if (old) {
        conflict = attrs ? queue_attr_conflict(req, q, old, attrs) : NULL;
        if (conflict)
            return awslet_fail(req, &ERR_SQS_QUEUE_NAME_EXISTS,
                               "A queue already exists with the same name and a different "
                               "value for attribute %s",
                               conflict);
        *out = json_pack("{s:s}", "QueueUrl", sqs_queue_url(req, old));
        return *out ? AWSLET_OK : awslet_fail_nomem(req);
    }
    recent = queue_deleted_recently(req, name, now);
    if (recent < 0)
        return AWSLET_ERR;
    if (recent)
        return awslet_fail(req, &ERR_SQS_QUEUE_DELETED_RECENTLY,
                           "You must wait 60 seconds after deleting a queue before you can "
                           "create another queue with the same name.");

    q->created_s = q->modified_s = now / 1000;
    if (sqs_queue_save(req, q) != 0)
        return AWSLET_ERR;
    *out = json_pack("{s:s}", "QueueUrl", sqs_queue_url(req, q));
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

static const char move_tasks_delete_sql[] = "DELETE FROM sqs_move_tasks WHERE source_arn = ?1";

/* After the delete commits: long polls on the queue answer at once (their queue is gone). */
static void
queue_wake_all(void *arg)
{
    sqs_waiters_wake(*(long long *)arg, INT_MAX);
}

/* DeleteQueue: the queue and (by foreign-key cascade) its messages and dedup entries go at
 * once; the name stays reserved for 60 s (QueueDeletedRecently).   in: QueueUrl */
enum awslet_rc
sqs_delete_queue(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    long long now = clock_now_ms(), *id;
    sqlite3_stmt *st;

    if (!q)
        return AWSLET_ERR;
    st = store_stmt(req->db, queue_delete_sql);
    if (st)
        sqlite3_bind_int64(st, 1, q->id);
    if (queue_exec(req, st, "delete queue") != 0)
        return AWSLET_ERR;
    st = store_stmt(req->db, deleted_prune_sql);
    if (st)
        sqlite3_bind_int64(st, 1, now - SQS_DELETED_RECENTLY_MS);
    if (queue_exec(req, st, "prune deleted queues") != 0)
        return AWSLET_ERR;
    st = store_stmt(req->db, deleted_insert_sql);
    if (st) {
        sqlite3_bind_text(st, 1, q->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, q->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, q->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
    }
    if (queue_exec(req, st, "record deleted queue") != 0)
        return AWSLET_ERR;
    /* Its move tasks go too: a queue created later under the same ARN starts with none. */
    st = store_stmt(req->db, move_tasks_delete_sql);
    if (st)
        sqlite3_bind_text(st, 1, q->arn, -1, SQLITE_STATIC);
    if (queue_exec(req, st, "delete move tasks") != 0)
        return AWSLET_ERR;
    id = arena_alloc(&req->arena, sizeof(*id));
    if (!id)
        return awslet_fail_nomem(req);
    *id = q->id;
    awslet_after_commit(req, queue_wake_all, id);
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* GetQueueUrl.   in: QueueName, QueueOwnerAWSAccountId?   out: QueueUrl */
enum awslet_rc
sqs_get_queue_url(struct awslet_req *req, const json_t *in, json_t **out)
{
    const char *name, *owner = NULL;
    struct sqs_queue *q;

    if (sqs_arg_str(req, in, "QueueName", &name) != 0 ||
        sqs_arg_str_opt(req, in, "QueueOwnerAWSAccountId", &owner) != 0)
        return AWSLET_ERR;
    q = sqs_queue_load(req, owner && *owner ? owner : req->account, req->region, name);
    if (!q)
        return AWSLET_ERR;
    *out = json_pack("{s:s}", "QueueUrl", sqs_queue_url(req, q));
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ListQueues paging token: the hex of the last name answered (names are at most 80 bytes).
 * The client treats it as opaque. */
AWSLET_TESTABLE char *
queue_token_encode(struct arena *a, const char *name)
{
    size_t n = strlen(name);
    char *t = arena_alloc(a, 2 * n + 1);

    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(t + 2 * i, 3, "%02x", (unsigned char)name[i]);
    t[2 * n] = '\0';
    return t;
}

static int
hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The name a token stands for, or NULL when it is no token of ours. */
AWSLET_TESTABLE char *
queue_token_decode(struct arena *a, const char *token)
{
    size_t n = strlen(token);
    char *name;

    if (n == 0 || n % 2 || n > 160)
        return NULL;
    name = arena_alloc(a, n / 2 + 1);
    if (!name)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_val(token[2 * i]), lo = hex_val(token[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return NULL;
        name[i] = (char)(hi << 4 | lo);
    }
    name[n / 2] = '\0';
    return sqs_name_valid(name, false) || sqs_name_valid(name, true) ? name : NULL;
}

/* ListQueues: the caller's account and region, by name.
 * in: QueueNamePrefix?, MaxResults? (1-1000), NextToken?   out: QueueUrls?, NextToken? */
enum awslet_rc
sqs_list_queues(struct awslet_req *req, const json_t *in, json_t **out)
{
    const char *prefix = "", *token = NULL, *after = "";
    long long max = 0;
    json_t *urls;
    sqlite3_stmt *st;
    int rc, n = 0, limit;
    char *last = NULL;

    if (sqs_arg_str_opt(req, in, "QueueNamePrefix", &prefix) != 0 ||
        sqs_arg_int_opt(req, in, "MaxResults", 1, LIST_QUEUES_MAX, &max) != 0 ||
        sqs_arg_str_opt(req, in, "NextToken", &token) != 0)
        return AWSLET_ERR;
    if (token && *token) {
        after = queue_token_decode(&req->arena, token);
        if (!after)
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE, "Invalid NextToken value.");
    }
    /* Without MaxResults AWS answers up to 1000 URLs and never a token. */
    limit = max ? (int)max : LIST_QUEUES_MAX;
    st = store_stmt(req->db, queue_list_sql);
    if (!st)
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list queues");
    urls = json_array();
    if (!urls)
        return awslet_fail_nomem(req);
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, after, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, limit + 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);

        if (n == limit)
            break; /* one more exists: the answer gets a token */
        last = arena_strdup(&req->arena, name);
        if (!last ||
            json_array_append_new(
                urls, json_string(arena_printf(&req->arena, "http://%s/%s/%s",
                                               req->host && *req->host ? req->host : "localhost",
                                               req->account, last))) != 0) {
            sqlite3_reset(st);
            json_decref(urls);
            return awslet_fail_nomem(req);
        }
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(urls);
        return awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot list queues");
    }
    *out = json_object();
    if (!*out) {
        json_decref(urls);
        return awslet_fail_nomem(req);
    }
    if (n)
        json_object_set_new(*out, "QueueUrls", urls);
    else
        json_decref(urls);
    if (rc == SQLITE_ROW && max && last)
        json_object_set_new(*out, "NextToken", json_string(queue_token_encode(&req->arena, last)));
    return AWSLET_OK;
}
