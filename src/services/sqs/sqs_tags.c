/* sqs_tags.c: queue tags (TagQueue, UntagQueue, ListQueueTags) and the permissions that
 * AddPermission / RemovePermission keep in the queue's Policy document.
 *
 * Tags live in sqs_queues.tags as a JSON object. AddPermission writes the statement AWS
 * generates ({"Sid": Label, "Effect": "Allow", "Principal": {"AWS": ...}, "Action":
 * "SQS:..." , "Resource": queue ARN}) into the Policy attribute, creating the document
 * ({"Version": "2012-10-17", "Id": "{arn}/SQSDefaultPolicy", "Statement": []}) on first use;
 * RemovePermission takes the statement out again and drops an emptied policy. */
#include "services/sqs/sqs_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define SQS_MAX_TAGS           50
#define SQS_MAX_TAG_KEY        128
#define SQS_MAX_TAG_VALUE      256
#define SQS_MAX_POLICY_ACTIONS 7 /* "a maximum of seven actions per statement" */

/* Dump a JSON document into the arena; NULL on failure. */
static const char *
tags_dump(struct awslet_req *req, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *r = text ? arena_strdup(&req->arena, text) : NULL;

    free(text);
    return r;
}

static json_t *
tags_load(const struct sqs_queue *q)
{
    json_t *t = json_loads(q->tags ? q->tags : "{}", 0, NULL);

    if (!json_is_object(t)) {
        json_decref(t);
        t = json_object();
    }
    return t;
}

int
sqs_tags_merge(struct awslet_req *req, struct sqs_queue *q, const json_t *tags)
{
    json_t *cur = tags_load(q);
    const char *key;
    const json_t *v;

    if (!cur) {
        awslet_fail_nomem(req);
        return -1;
    }
    json_object_foreach((json_t *)tags, key, v)
    {
        size_t klen = strlen(key);

        if (klen < 1 || klen > SQS_MAX_TAG_KEY) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Tag keys must be between 1 and 128 characters in length.");
            goto fail;
        }
        if (!json_is_string(v) || json_string_length(v) > SQS_MAX_TAG_VALUE) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Tag values may only be up to 256 characters in length.");
            goto fail;
        }
        if (json_object_set(cur, key, (json_t *)v) != 0) {
            awslet_fail_nomem(req);
            goto fail;
        }
    }
    if (json_object_size(cur) > SQS_MAX_TAGS) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE, "Too many tags added for queue %s.",
                    q->name);
        goto fail;
    }
    q->tags = tags_dump(req, cur);
    json_decref(cur);
    if (!q->tags) {
        awslet_fail_nomem(req);
        return -1;
    }
    return 0;
fail:
    json_decref(cur);
    return -1;
}

/* TagQueue: add or overwrite tags.   in: QueueUrl, Tags {k: v} */
enum awslet_rc
sqs_tag_queue(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const json_t *tags;

    if (!q)
        return AWSLET_ERR;
    tags = json_object_get(in, "Tags");
    if (!json_is_object(tags) || json_object_size(tags) == 0)
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter Tags.");
    if (sqs_tags_merge(req, q, tags) != 0 || sqs_queue_save(req, q) != 0)
        return AWSLET_ERR;
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* UntagQueue: remove tags by key; absent keys are no error.   in: QueueUrl, TagKeys [..] */
enum awslet_rc
sqs_untag_queue(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const json_t *keys, *k;
    json_t *cur;
    size_t i;

    if (!q)
        return AWSLET_ERR;
    keys = json_object_get(in, "TagKeys");
    if (!keys || json_is_null(keys))
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter TagKeys.");
    if (!json_is_array(keys) || json_array_size(keys) == 0)
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Tag keys must be between 1 and 128 characters in length.");
    cur = tags_load(q);
    if (!cur)
        return awslet_fail_nomem(req);
    json_array_foreach(keys, i, k)
    {
        if (!json_is_string(k) || json_string_length(k) < 1 ||
            json_string_length(k) > SQS_MAX_TAG_KEY) {
            json_decref(cur);
            return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                               "Tag keys must be between 1 and 128 characters in length.");
        }
        json_object_del(cur, json_string_value(k));
    }
    q->tags = tags_dump(req, cur);
    json_decref(cur);
    if (!q->tags)
        return awslet_fail_nomem(req);
    if (sqs_queue_save(req, q) != 0)
        return AWSLET_ERR;
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ListQueueTags.   in: QueueUrl   out: Tags? (left out when there are none) */
enum awslet_rc
sqs_list_queue_tags(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    json_t *tags;

    if (!q)
        return AWSLET_ERR;
    tags = tags_load(q);
    *out = json_object();
    if (!tags || !*out) {
        json_decref(tags);
        json_decref(*out);
        *out = NULL;
        return awslet_fail_nomem(req);
    }
    if (json_object_size(tags))
        json_object_set_new(*out, "Tags", tags);
    else
        json_decref(tags);
    return AWSLET_OK;
}

/* Actions AddPermission may share; the rest only the owner may call. */
static const char *const perm_shareable[] = {
    "*",           "ChangeMessageVisibility",    "DeleteMessage", "GetQueueAttributes",
    "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",    "ReceiveMessage",
    "SendMessage",
};
static const char *const perm_owner_only[] = {
    "AddPermission",
    "CreateQueue",
    "DeleteQueue",
    "ListQueues",
    "RemovePermission",
    "SetQueueAttributes",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
    "CancelMessageMoveTask",
    "ListMessageMoveTasks",
    "StartMessageMoveTask",
    "ChangeMessageVisibilityBatch",
    "DeleteMessageBatch",
    "SendMessageBatch",
};

static int
perm_in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return 1;
    }
    return 0;
}

/* Labels follow the queue-name alphabet: 1-80 of [A-Za-z0-9_-]. */
AWSLET_TESTABLE int
perm_label_valid(const char *label)
{
    return sqs_name_valid(label, false);
}

static int
perm_account_valid(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return i == 12;
}

/* "x" for one entry, ["x", "y"] for more: the shape AWS generates. */
static json_t *
perm_one_or_list(json_t *list)
{
    json_t *r = json_array_size(list) == 1 ? json_incref(json_array_get(list, 0)) : list;

    if (r != list)
        json_decref(list);
    return r;
}

/* The queue's policy document, or a fresh one; NULL if the stored one is no object (a
 * Policy set through SetQueueAttributes is always one). */
static json_t *
perm_policy_load(const struct sqs_queue *q)
{
    json_t *doc = q->policy ? json_loads(q->policy, 0, NULL) : NULL;

    if (!doc)
        doc = json_pack("{s:s, s:s+, s:[]}", "Version", "2012-10-17", "Id", q->arn,
                        "/SQSDefaultPolicy", "Statement");
    if (doc && !json_is_array(json_object_get(doc, "Statement"))) {
        json_t *one = json_object_get(doc, "Statement");

        json_object_set_new(doc, "Statement", one ? json_pack("[O]", one) : json_array());
    }
    return doc;
}

static int
perm_has_sid(const json_t *statements, const char *label)
{
    size_t i;
    const json_t *s;

    json_array_foreach(statements, i, s)
    {
        const char *sid = json_string_value(json_object_get(s, "Sid"));
        if (sid && strcmp(sid, label) == 0)
            return 1;
    }
    return 0;
}

/* AddPermission.   in: QueueUrl, Label, AWSAccountIds [..], Actions [..] */
enum awslet_rc
sqs_add_permission(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const char *label;
    const json_t *ids, *actions, *v;
    json_t *doc = NULL, *principals = NULL, *acts = NULL, *st;
    enum awslet_rc rc = AWSLET_ERR;
    size_t i;

    if (!q || sqs_arg_str(req, in, "Label", &label) != 0)
        return AWSLET_ERR;
    ids = json_object_get(in, "AWSAccountIds");
    actions = json_object_get(in, "Actions");
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter AWSAccountIds.");
    if (!json_is_array(actions) || json_array_size(actions) == 0)
        return awslet_fail(req, &ERR_SQS_MISSING_PARAMETER,
                           "The request must contain the parameter Actions.");
    if (!perm_label_valid(label))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter Label is invalid. Reason: Can only include "
                           "alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
                           label);
    if (json_array_size(actions) > SQS_MAX_POLICY_ACTIONS)
        return awslet_fail(req, &ERR_SQS_OVER_LIMIT,
                           "%zu Actions were found, maximum allowed is %d.",
                           json_array_size(actions), SQS_MAX_POLICY_ACTIONS);

    principals = json_array();
    acts = json_array();
    if (!principals || !acts) {
        awslet_fail_nomem(req);
        goto out;
    }
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);

        if (!id || !perm_account_valid(id)) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Value [%s] for parameter PrincipalId is invalid. Reason: Unable to "
                        "verify.",
                        id ? id : "");
            goto out;
        }
        json_array_append_new(principals, json_sprintf("arn:aws:iam::%s:root", id));
    }
    json_array_foreach(actions, i, v)
    {
        const char *a = json_string_value(v);

        if (!a || !perm_in(a, perm_shareable, ARRAY_SIZE(perm_shareable))) {
            awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                        "Value SQS:%s for parameter ActionName is invalid. Reason: %s", a ? a : "",
                        a && perm_in(a, perm_owner_only, ARRAY_SIZE(perm_owner_only))
                            ? "Only the queue owner is allowed to invoke this action."
                            : "Please refer to the appropriate WSDL for a list of valid actions.");
            goto out;
        }
        json_array_append_new(acts, json_sprintf("SQS:%s", a));
    }

    doc = perm_policy_load(q);
    if (!doc) {
        awslet_fail_nomem(req);
        goto out;
    }
    if (perm_has_sid(json_object_get(doc, "Statement"), label)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter Label is invalid. Reason: Already exists.", label);
        goto out;
    }
    st = json_pack("{s:s, s:s, s:{s:o}, s:o, s:s}", "Sid", label, "Effect", "Allow", "Principal",
                   "AWS", perm_one_or_list(principals), "Action", perm_one_or_list(acts),
                   "Resource", q->arn);
    principals = acts = NULL; /* stolen by the pack */
    if (!st || json_array_append_new(json_object_get(doc, "Statement"), st) != 0) {
        awslet_fail_nomem(req);
        goto out;
    }
    q->policy = tags_dump(req, doc);
    if (!q->policy) {
        awslet_fail_nomem(req);
        goto out;
    }
    q->modified_s = clock_now_ms() / 1000; /* Policy is a queue attribute */
    if (sqs_queue_save(req, q) != 0)
        goto out;
    *out = json_object();
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    json_decref(principals);
    json_decref(acts);
    json_decref(doc);
    return rc;
}

/* RemovePermission: drop the statement with Sid == Label.   in: QueueUrl, Label */
enum awslet_rc
sqs_remove_permission(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q = sqs_queue_from_request(req, in);
    const char *label;
    json_t *doc, *sts, *s;
    size_t i, left;
    int found = 0;

    if (!q || sqs_arg_str(req, in, "Label", &label) != 0)
        return AWSLET_ERR;
    doc = q->policy ? json_loads(q->policy, 0, NULL) : NULL;
    sts = json_object_get(doc, "Statement");
    json_array_foreach(sts, i, s)
    {
        const char *sid = json_string_value(json_object_get(s, "Sid"));

        if (sid && strcmp(sid, label) == 0) {
            json_array_remove(sts, i);
            found = 1;
            break;
        }
    }
    if (!found) {
        json_decref(doc);
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter Label is invalid. Reason: can't find label on "
                           "existing policy.",
                           label);
    }
    /* The last statement gone, the queue has no policy at all again. */
    left = json_array_size(sts);
    q->policy = left ? tags_dump(req, doc) : NULL;
    json_decref(doc);
    if (left && !q->policy)
        return awslet_fail_nomem(req);
    q->modified_s = clock_now_ms() / 1000;
    if (sqs_queue_save(req, q) != 0)
        return AWSLET_ERR;
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}
