/* ddb_pq_exec.c: ExecuteStatement, and what the three PartiQL operations share
 * (ddb_pq_exec.h): statement checks, preparation (parameters, parse, plan), error hand-over,
 * capacity sums and the NextToken.
 *
 * A statement runs as the request its plan holds, through the operation that does the same
 * thing: a GetItem answering in ExecuteStatement's {"Items":[...]} shape, a Query per
 * partition key value or one Scan (ddb_read_partiql(): the WHERE clause may name keys), or a
 * PutItem / UpdateItem / DeleteItem. Limits, numbers, indexes and stream records are thus the
 * item operations' own. A read that stops early answers a NextToken: base64 of a small JSON
 * document holding the partition it stopped in, the LastEvaluatedKey, when it was made and a
 * digest of the statement and its parameters, so that it resumes only that statement.
 * Entry points: ddb_execute_statement(), ddb_execute_statement_writes(). */
#include "services/dynamodb/ddb_pq_exec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/log.h"
#include "store/store.h"

#define PQ_TOKEN_VERSION     1
#define PQ_TOKEN_TTL_MS      (60LL * 60 * 1000) /* DynamoDB's tokens expire after an hour */
#define QUERY_GSI_CONSISTENT "Consistent reads are not supported on global secondary indexes"

static const char *const pq_rcc[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const pq_rvccf[] = {"ALL_OLD", "NONE", NULL};

/* ---- errors taken off the request ------------------------------------------------------------ */

void
ddb_pq_exec_err_take(struct awslet_req *req, struct pq_err *e)
{
    e->err = req->err;
    e->msg = req->err_msg;
    e->extra = req->err_extra;
    req->err = NULL;
    req->err_msg = NULL;
    req->err_extra = NULL;
    req->status = 0;
}

void
ddb_pq_exec_err_release(struct pq_err *e)
{
    json_decref(e->extra);
    e->extra = NULL;
    e->err = NULL;
    e->msg = NULL;
}

void
ddb_pq_exec_inner_error(struct awslet_req *req)
{
    static const char *const prefixes[] = {
        "Invalid FilterExpression: ",       "Invalid ConditionExpression: ",
        "Invalid KeyConditionExpression: ", "Invalid UpdateExpression: ",
        "Invalid ProjectionExpression: ",
    };

    if (req->err != &ERR_VALIDATION || !req->err_msg)
        return;
    if (strcmp(req->err_msg, QUERY_GSI_CONSISTENT) == 0) {
        ddb_validation(req, "Strongly consistent read is not supported on Global Secondary "
                            "Indexes");
        return;
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);

        if (strncmp(req->err_msg, prefixes[i], n) == 0) {
            req->err_msg += n;
            return;
        }
    }
}

/* BatchStatementError.Code is the exception's name without "Exception" (the model's
 * BatchStatementErrorCodeEnum), with two spelled differently. */
const char *
ddb_pq_exec_error_code(const char *exception)
{
    static const char *const map[][2] = {
        {"ConditionalCheckFailedException", "ConditionalCheckFailed"},
        {"DuplicateItemException", "DuplicateItem"},
        {"ValidationException", "ValidationError"},
        {"SerializationException", "ValidationError"},
        {"ResourceNotFoundException", "ResourceNotFound"},
        {"ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceeded"},
        {"TransactionConflictException", "TransactionConflict"},
        {"ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded"},
        {"RequestLimitExceeded", "RequestLimitExceeded"},
        {"ThrottlingException", "ThrottlingError"},
        {"AccessDeniedException", "AccessDenied"},
    };

    for (size_t i = 0; exception && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(exception, map[i][0]) == 0)
            return map[i][1];
    return "InternalServerError";
}

/* ---- request checks -------------------------------------------------------------------------- */

/* A member of the wrong JSON kind stops DynamoDB's deserializer: SerializationException, the
 * first one standing (ddb_args.c words it the same way). */
static void
pq_kind_error(struct awslet_req *req, const json_t *v, const char *want)
{
    if (req->err)
        return;
    if (json_is_array(v))
        awslet_fail(req, &ERR_SERIALIZATION, "Start of list found where not expected");
    else if (json_is_object(v))
        awslet_fail(req, &ERR_SERIALIZATION, "Start of structure or map found where not expected.");
    else if (json_is_boolean(v))
        awslet_fail(req, &ERR_SERIALIZATION,
                    "class java.lang.Boolean can not be converted to an %s", want);
    else if (json_is_string(v))
        awslet_fail(req, &ERR_SERIALIZATION, "class java.lang.String can not be converted to an %s",
                    want);
    else
        awslet_fail(req, &ERR_SERIALIZATION,
                    "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                    "converted to an %s",
                    want);
}

/* Length as the model's constraints count it: Java characters (UTF-16 units). */
static size_t
pq_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1; /* a 4-byte sequence is a surrogate pair */
    }
    return n;
}

const char *
ddb_pq_exec_string_arg(struct ddb_args *a, const json_t *obj, const char *member, const char *at,
                       size_t min, size_t max, bool required)
{
    const json_t *v = json_object_get(obj, member);
    const char *s;
    size_t n;

    if (!v || json_is_null(v)) {
        if (required)
            ddb_args_add(a,
                         "Value null at '%s' failed to satisfy constraint: Member must not be "
                         "null",
                         at);
        return NULL;
    }
    if (!json_is_string(v)) {
        pq_kind_error(a->req, v, "String");
        return NULL;
    }
    s = json_string_value(v);
    n = pq_chars(s);
    if (n < min || n > max) {
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must have length %s "
                     "%zu",
                     s, at, n < min ? "greater than or equal to" : "less than or equal to",
                     n < min ? min : max);
        return NULL;
    }
    return s;
}

bool
ddb_pq_exec_check_statement(struct ddb_args *a, const json_t *st, const char *at)
{
    struct arena *ar = &a->req->arena;
    const json_t *params = json_object_get(st, "Parameters");
    const json_t *cr = json_object_get(st, "ConsistentRead");
    bool ok;

    ok = ddb_pq_exec_string_arg(a, st, "Statement", arena_printf(ar, "%sstatement", at), 1,
                                PQ_MAX_STATEMENT, true) != NULL;
    if (params && !json_is_null(params)) {
        if (!json_is_array(params)) {
            pq_kind_error(a->req, params, "List");
            ok = false;
        } else if (json_array_size(params) < 1) {
            ddb_args_add(a,
                         "Value '[]' at '%sparameters' failed to satisfy constraint: Member "
                         "must have length greater than or equal to 1",
                         at);
            ok = false;
        }
    }
    if (cr && !json_is_null(cr) && !json_is_boolean(cr)) {
        pq_kind_error(a->req, cr, "Boolean");
        ok = false;
    }
    ddb_args_enum(a, st, "ReturnValuesOnConditionCheckFailure",
                  arena_printf(ar, "%sreturnValuesOnConditionCheckFailure", at), pq_rvccf);
    return ok;
}

/* ---- preparation ----------------------------------------------------------------------------- */

int
ddb_pq_exec_parse(struct awslet_req *req, const char *text, const json_t *params, bool allow_exists,
                  struct pq_prepared *p)
{
    char err[1024];
    size_t i;
    json_t *v;

    memset(p, 0, sizeof(*p));
    if (json_is_array(params)) {
        /* Checked and normalized on a copy: the request's input stays as it came. */
        if (!(p->params = json_deep_copy(params)))
            return awslet_fail_nomem(req), -1;
        json_array_foreach(p->params, i, v)
        {
            if (ddb_value_check(v, err, sizeof(err)) != 0)
                return ddb_validation(req, "%s", err), -1;
        }
    }
    if (ddb_pq_parse(&req->arena, text, p->params, allow_exists, &p->st, err, sizeof(err)) != 0)
        return ddb_validation(req, "%s", err), -1;
    p->parsed = true;
    return 0;
}

int
ddb_pq_exec_plan(struct awslet_req *req, struct pq_prepared *p)
{
    if (ddb_pq_plan(req, req->db, &p->st, &p->plan) != 0)
        return -1;
    p->planned = true;
    return 0;
}

int
ddb_pq_exec_prepare(struct awslet_req *req, const char *text, const json_t *params,
                    bool allow_exists, struct pq_prepared *p)
{
    if (ddb_pq_exec_parse(req, text, params, allow_exists, p) != 0)
        return -1;
    return ddb_pq_exec_plan(req, p);
}

void
ddb_pq_exec_prepared_release(struct pq_prepared *p)
{
    if (p->planned)
        ddb_pq_plan_release(&p->plan);
    if (p->parsed)
        ddb_pq_statement_release(&p->st);
    json_decref(p->params);
    memset(p, 0, sizeof(*p));
}

/* ---- consumed capacity ----------------------------------------------------------------------- */

int
ddb_pq_exec_capacity_add(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v, *d;

    json_object_foreach((json_t *)src, k, v)
    {
        d = json_object_get(dst, k);
        if (json_is_number(v) && json_is_number(d)) {
            if (json_object_set_new(dst, k, json_real(json_number_value(d) + json_number_value(v))))
                return -1;
        } else if (json_is_object(v) && json_is_object(d)) {
            if (ddb_pq_exec_capacity_add(d, v) != 0)
                return -1;
        } else if (!d && json_object_set_new(dst, k, json_deep_copy(v)) != 0) {
            return -1;
        }
    }
    return 0;
}

int
ddb_pq_exec_capacity_list_add(json_t *list, const json_t *cc)
{
    const char *table = json_string_value(json_object_get(cc, "TableName"));
    size_t i;
    json_t *e;

    if (!json_is_object(cc))
        return 0;
    json_array_foreach(list, i, e)
    {
        const char *t = json_string_value(json_object_get(e, "TableName"));
        if (t && table && strcmp(t, table) == 0)
            return ddb_pq_exec_capacity_add(e, cc);
    }
    return json_array_append_new(list, json_deep_copy(cc));
}

/* ---- NextToken ------------------------------------------------------------------------------- */

int
ddb_pq_exec_digest(const char *statement, const json_t *params, char out[65])
{
    /* The statement with its NUL, then the parameters as compact JSON with sorted keys. */
    size_t slen = strlen(statement) + 1, plen;
    char *text = NULL, *all;
    int rc;

    text = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    if (params && !text)
        return -1;
    plen = text ? strlen(text) : 0;
    if (!(all = malloc(slen + plen + 1))) {
        free(text);
        return -1;
    }
    memcpy(all, statement, slen);
    memcpy(all + slen, text ? text : "", plen + 1);
    rc = sha256_hex(all, slen + plen, out);
    free(all);
    free(text);
    return rc;
}

char *
ddb_pq_exec_token_encode(const char digest[65], unsigned part, const json_t *lek, long long now_ms)
{
    json_t *doc;
    char *text, *out = NULL;
    size_t len;

    doc = json_pack("{s:i, s:s, s:I, s:I, s:O?}", "v", PQ_TOKEN_VERSION, "h", digest, "p",
                    (json_int_t)part, "t", (json_int_t)now_ms, "k", (json_t *)lek);
    text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text)
        return NULL;
    len = strlen(text);
    if ((out = malloc(base64_encoded_len(len, 0) + 1)) != NULL)
        base64_encode(out, text, len, 0);
    free(text);
    return out;
}

int
ddb_pq_exec_token_decode(const char *token, const char digest[65], long long now_ms, unsigned *part,
                         json_t **lek, const char **why)
{
    size_t len = strlen(token);
    long long n = base64_decoded_len(token, len, 0);
    unsigned char *raw = NULL;
    json_t *doc = NULL, *k;
    const char *h;
    json_int_t p, t;
    int rc = -1;

    *why = "Invalid NextToken";
    *lek = NULL;
    if (n <= 0 || !(raw = malloc((size_t)n)) || base64_decode(raw, token, len, 0) != n)
        goto out;
    doc = json_loadb((const char *)raw, (size_t)n, 0, NULL);
    if (!json_is_object(doc) || json_integer_value(json_object_get(doc, "v")) != PQ_TOKEN_VERSION ||
        !(h = json_string_value(json_object_get(doc, "h"))) ||
        !json_is_integer(json_object_get(doc, "p")) || !json_is_integer(json_object_get(doc, "t")))
        goto out;
    p = json_integer_value(json_object_get(doc, "p"));
    t = json_integer_value(json_object_get(doc, "t"));
    k = json_object_get(doc, "k");
    if (p < 0 || p > UINT_MAX || (k && !json_is_null(k) && !json_is_object(k)))
        goto out;
    if (strcmp(h, digest) != 0) {
        *why = "NextToken does not match request";
        goto out;
    }
    if (now_ms - t >= PQ_TOKEN_TTL_MS) {
        *why = "Given NextToken has already expired";
        goto out;
    }
    *part = (unsigned)p;
    *lek = json_is_object(k) ? json_incref(k) : NULL;
    *why = NULL;
    rc = 0;
out:
    json_decref(doc);
    free(raw);
    return rc;
}

/* ---- ExecuteStatement ------------------------------------------------------------------------ */

/* What the three kinds of statement need from the request. */
struct stmt_ctx {
    const json_t *in;
    const char *text;  /* Statement */
    const char *mode;  /* ReturnConsumedCapacity, or NULL */
    const char *token; /* NextToken, or NULL */
    long long limit;   /* Limit, 0 when absent */
    struct pq_prepared p;
};

/* Add ExecuteStatement's read options to the plan's request. 0 or -1 (no memory). */
static int
stmt_read_options(struct stmt_ctx *c, json_t *r)
{
    if (json_is_true(json_object_get(c->in, "ConsistentRead")) &&
        json_object_set_new(r, "ConsistentRead", json_true()) != 0)
        return -1;
    if (c->mode && json_object_set_new(r, "ReturnConsumedCapacity", json_string(c->mode)) != 0)
        return -1;
    return 0;
}

/* The statement's digest into digest, once ("" until then): only requests that bring or
 * answer a NextToken need it. 0, or -1 with the request failed. */
static int
stmt_digest(struct awslet_req *req, struct stmt_ctx *c, char digest[65])
{
    if (digest[0] || ddb_pq_exec_digest(c->text, c->p.params, digest) == 0)
        return 0;
    return awslet_fail_nomem(req), -1;
}

/* Where the request's NextToken (if any) resumes: *part (< nparts) and *start (the
 * LastEvaluatedKey, or NULL). digest starts "" and is filled when a token is checked. 0, or
 * -1 with the request failed. */
static int
stmt_token(struct awslet_req *req, struct stmt_ctx *c, size_t nparts, char digest[65],
           unsigned *part, json_t **start)
{
    const char *why;

    *part = 0;
    *start = NULL;
    if (!c->token)
        return 0;
    if (stmt_digest(req, c, digest) != 0)
        return -1;
    if (ddb_pq_exec_token_decode(c->token, digest, clock_now_ms(), part, start, &why) != 0)
        return ddb_validation(req, "%s", why), -1;
    if (*part >= nparts) {
        json_decref(*start);
        *start = NULL;
        return ddb_validation(req, "Invalid NextToken"), -1;
    }
    return 0;
}

/* A SELECT naming the whole key: GetItem, answering {"Items":[item]} itself. It never pages,
 * so only a token it could have made is let through. */
static json_t *stmt_read_answer(json_t *items, const char *next, const json_t *lek, json_t *cc);

static enum awslet_rc
stmt_get(struct awslet_req *req, struct stmt_ctx *c, json_t **out)
{
    char digest[65] = "";
    unsigned part;
    json_t *start, *o = NULL, *item, *items = NULL;
    enum awslet_rc rc;

    if (stmt_token(req, c, 1, digest, &part, &start) != 0)
        return AWSLET_ERR;
    json_decref(start);
    if (stmt_read_options(c, c->p.plan.request) != 0)
        return awslet_fail_nomem(req);
    if (c->p.st.star) /* the item as stored, spliced into {"Items":[...]} */
        rc = ddb_get_item_statement(req, c->p.plan.t, json_object_get(c->p.plan.request, "Key"),
                                    c->mode, json_is_true(json_object_get(c->in, "ConsistentRead")),
                                    out);
    else if ((rc = ddb_get_item_partiql(req, c->p.plan.request, false, &o)) == AWSLET_OK) {
        item = json_object_get(o, "Item");
        if (!(items = json_array()) ||
            (item && json_array_append_new(items, ddb_pq_select_project(&c->p.st, item))) ||
            !(*out = stmt_read_answer(items, NULL, NULL,
                                      json_incref(json_object_get(o, "ConsumedCapacity"))))) {
            json_decref(o);
            return awslet_fail_nomem(req);
        }
    }
    json_decref(o);
    if (rc != AWSLET_OK) {
        ddb_pq_exec_inner_error(req);
        return AWSLET_ERR;
    }
    return AWSLET_OK;
}

/* The answer of a read: the items, where to resume, the capacity. Takes items and cc. */
static json_t *
stmt_read_answer(json_t *items, const char *next, const json_t *lek, json_t *cc)
{
    json_t *o = json_pack("{s:o}", "Items", items);

    if (!o) {
        json_decref(cc);
        return NULL;
    }
    if ((next && json_object_set_new(o, "NextToken", json_string(next)) != 0) ||
        (lek && json_object_set(o, "LastEvaluatedKey", (json_t *)lek) != 0) ||
        (cc && json_object_set_new(o, "ConsumedCapacity", cc) != 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A SELECT read by Query (one per partition key value, in the plan's order) or Scan. Limit
 * counts the items evaluated over all the partitions read; a page that stops early (Limit, or
 * the 1 MB a page reads) ends the answer with a NextToken. */
static enum awslet_rc
stmt_read(struct awslet_req *req, struct stmt_ctx *c, json_t **out)
{
    bool query = c->p.plan.op == PQ_P_QUERY;
    json_t *r = c->p.plan.request, *start = NULL, *items = NULL, *cc = NULL, *o = NULL;
    json_t *values, *lek = NULL, *v;
    size_t nparts = query ? json_array_size(c->p.plan.pks) : 1, k;
    long long left = c->limit;
    unsigned part = 0;
    char digest[65] = "", *next = NULL;
    enum awslet_rc rc = AWSLET_ERR;

    if (stmt_token(req, c, nparts, digest, &part, &start) != 0)
        return AWSLET_ERR;
    if (!(items = json_array()) || stmt_read_options(c, r) != 0)
        goto nomem;
    values = json_object_get(r, "ExpressionAttributeValues");
    for (; part < nparts; part++) {
        if (query && (!json_is_object(values) ||
                      json_object_set(values, ":pk", json_array_get(c->p.plan.pks, part)) != 0))
            goto nomem;
        if (start) {
            int failed = json_object_set_new(r, "ExclusiveStartKey", start); /* taken */
            start = NULL;
            if (failed)
                goto nomem;
        } else {
            json_object_del(r, "ExclusiveStartKey");
        }
        if (left > 0 && json_object_set_new(r, "Limit", json_integer(left)) != 0)
            goto nomem;
        json_decref(o);
        o = NULL;
        if (ddb_read_partiql(req, r, query, &o) != AWSLET_OK) {
            ddb_pq_exec_inner_error(req);
            goto out;
        }
        json_array_foreach(json_object_get(o, "Items"), k, v)
        {
            if (json_array_append_new(items, ddb_pq_select_project(&c->p.st, v)) != 0)
                goto nomem;
        }
        if (json_is_object(json_object_get(o, "ConsumedCapacity"))) {
            if (!cc ? !(cc = json_deep_copy(json_object_get(o, "ConsumedCapacity")))
                    : ddb_pq_exec_capacity_add(cc, json_object_get(o, "ConsumedCapacity")) != 0)
                goto nomem;
        }
        if (left > 0)
            left -= json_integer_value(json_object_get(o, "ScannedCount"));
        if ((lek = json_object_get(o, "LastEvaluatedKey")) != NULL) {
            if (stmt_digest(req, c, digest) != 0)
                goto out;
            if (!(next = ddb_pq_exec_token_encode(digest, part, lek, clock_now_ms())))
                goto nomem;
            break;
        }
        if (c->limit > 0 && left <= 0) {
            if (part + 1 < nparts && stmt_digest(req, c, digest) != 0)
                goto out;
            if (part + 1 < nparts &&
                !(next = ddb_pq_exec_token_encode(digest, part + 1, NULL, clock_now_ms())))
                goto nomem;
            break;
        }
    }
    *out = stmt_read_answer(items, next, lek, cc);
    items = cc = NULL;
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
    goto out;
nomem:
    rc = awslet_fail_nomem(req);
out:
    json_decref(start);
    json_decref(items);
    json_decref(cc);
    json_decref(o);
    free(next);
    return rc;
}

/* INSERT, UPDATE or DELETE as PutItem, UpdateItem or DeleteItem. An INSERT whose key exists
 * fails its attribute_not_exists condition: DynamoDB reports that as DuplicateItemException.
 * The answer is {"Items":[]}, or the RETURNING item as its only entry. */
static enum awslet_rc
stmt_write(struct awslet_req *req, struct stmt_ctx *c, json_t **out)
{
    json_t *r = c->p.plan.request, *o = NULL, *attrs, *cc;
    const char *rvccf =
        json_string_value(json_object_get(c->in, "ReturnValuesOnConditionCheckFailure"));
    enum awslet_rc rc;

    if ((rvccf &&
         json_object_set_new(r, "ReturnValuesOnConditionCheckFailure", json_string(rvccf)) != 0) ||
        (c->mode && json_object_set_new(r, "ReturnConsumedCapacity", json_string(c->mode)) != 0))
        return awslet_fail_nomem(req);
    if (c->p.plan.op == PQ_P_PUT)
        rc = ddb_put_item(req, r, &o);
    else if (c->p.plan.op == PQ_P_UPDATE)
        rc = ddb_update_item(req, r, &o);
    else
        rc = ddb_delete_item(req, r, &o);
    if (rc != AWSLET_OK) {
        json_decref(o);
        if (c->p.plan.op == PQ_P_PUT && req->err == &ERR_DDB_CONDITIONAL_CHECK_FAILED) {
            json_decref(req->err_extra);
            req->err_extra = NULL;
            return awslet_fail(req, &ERR_DDB_DUPLICATE_ITEM,
                               "Duplicate primary key exists in table");
        }
        ddb_pq_exec_inner_error(req);
        return rc;
    }
    attrs = json_object_get(o, "Attributes");
    cc = json_object_get(o, "ConsumedCapacity");
    *out = attrs ? json_pack("{s:[O]}", "Items", attrs) : json_pack("{s:[]}", "Items");
    if (*out && cc && json_object_set(*out, "ConsumedCapacity", cc) != 0) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(o);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ExecuteStatement: one PartiQL statement.
 * in: Statement, Parameters?, ConsistentRead?, NextToken?, ReturnConsumedCapacity?, Limit?,
 * ReturnValuesOnConditionCheckFailure?   out: Items, NextToken?, LastEvaluatedKey?,
 * ConsumedCapacity? */
enum awslet_rc
ddb_execute_statement(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct ddb_args a;
    struct stmt_ctx c;
    enum awslet_rc rc = AWSLET_ERR;
    bool snapshot = false;

    memset(&c, 0, sizeof(c));
    c.in = in;
    ddb_args_init(&a, req);
    ddb_pq_exec_check_statement(&a, in, "");
    c.token = ddb_pq_exec_string_arg(&a, in, "NextToken", "nextToken", 1, PQ_MAX_TOKEN, false);
    c.mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", pq_rcc);
    ddb_args_int(&a, in, "Limit", "limit", 1, LLONG_MAX, &c.limit);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    c.text = json_string_value(json_object_get(in, "Statement"));
    snapshot = store_read_begin(req->db);
    if (ddb_pq_exec_prepare(req, c.text, json_object_get(in, "Parameters"), false, &c.p) != 0)
        goto out;
    /* The dispatcher chose the connection from the text alone; a write must be on the writer. */
    if (c.p.plan.write && !ddb_execute_statement_writes(in)) {
        log_error("dynamodb: PartiQL write classified as a read: '%s'", c.text);
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        goto out;
    }
    switch (c.p.plan.op) {
    case PQ_P_GET:
        rc = stmt_get(req, &c, out);
        break;
    case PQ_P_QUERY:
    case PQ_P_SCAN:
        rc = stmt_read(req, &c, out);
        break;
    case PQ_P_PUT:
    case PQ_P_UPDATE:
    case PQ_P_DELETE:
        rc = stmt_write(req, &c, out);
        break;
    case PQ_P_CHECK:
        rc = ddb_validation(req, "EXISTS can only be used in ExecuteTransaction write requests.");
        break;
    }
out:
    store_read_end(req->db, snapshot);
    ddb_pq_exec_prepared_release(&c.p);
    return rc;
}

bool
ddb_execute_statement_writes(const json_t *in)
{
    const char *text = json_string_value(json_object_get(in, "Statement"));

    return text && !ddb_pq_is_select(text);
}
