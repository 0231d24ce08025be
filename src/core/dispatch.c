/* dispatch.c: decode → handler → encode, for every protocol.
 *
 * Handlers see one jansson tree whatever the wire was, and answer with one. This file is
 * where the wire comes back in: JSON bodies with __type errors (plus SQS's
 * x-amzn-query-error and DynamoDB's x-amz-crc32), query XML with <ErrorResponse>, REST-JSON
 * with x-amzn-ErrorType. Write operations run inside BEGIN IMMEDIATE..COMMIT, and the
 * response is only encoded after COMMIT returned: an acknowledged write is durable. */
#include "core/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/proto_json.h"
#include "core/proto_restjson.h"
#include "core/server.h"
#include "services/service.h"
#include "store/store.h"

/* Errors raised by the request framework itself rather than by a service: AWS reports these
 * in the coral namespace (com.amazon.coral.service#UnknownOperationException). */
static int
dispatch_is_framework_error(const struct awslet_error *e)
{
    return e == &ERR_UNKNOWN_OPERATION || e == &ERR_SERIALIZATION ||
           e == &ERR_REQUEST_TOO_LARGE || e == &ERR_INTERNAL_FAILURE ||
           e == &ERR_SERVICE_UNAVAILABLE;
}

static void
dispatch_set_body(struct awslet_req *req, struct buf *b, const char *content_type)
{
    free(req->raw_body);
    req->raw_len = b->len;
    req->raw_body = buf_steal(b);
    req->raw_content_type = content_type;
    if (!req->raw_body)
        req->raw_len = 0;
}

/* json_dump_callback into a buf: no intermediate string to copy and measure. */
static int
dispatch_dump_cb(const char *text, size_t len, void *b)
{
    return buf_append(b, text, len);
}

static const char *
dispatch_json_content_type(const struct awslet_req *req)
{
    return req->proto == PROTO_JSON_1_1 ? "application/x-amz-json-1.1"
                                        : "application/x-amz-json-1.0";
}

static void
dispatch_add_crc32(struct awslet_req *req)
{
    char crc[16];

    if (!req->svc || !(req->svc->flags & SVC_CRC32))
        return;
    snprintf(crc, sizeof(crc), "%lu", json_crc32(req->raw_body ? req->raw_body : "",
                                                 req->raw_len));
    req_add_header(req, "x-amz-crc32", crc);
}

void
dispatch_encode_error(struct awslet_req *req)
{
    const struct awslet_error *e = req->err ? req->err : &ERR_INTERNAL_FAILURE;
    const char *msg = req->err_msg ? req->err_msg : "";
    const struct awslet_service *svc = req->svc;
    struct buf b;
    char hdr[256];
    int rc = 0;

    buf_init(&b, 1 << 20);
    req->status = e->status;
    switch (req->proto) {
    case PROTO_QUERY:
        rc = query_encode_error(&b, svc && svc->model ? svc->model->xml_namespace : NULL, e,
                                msg, req->id);
        dispatch_set_body(req, &b, "text/xml");
        break;
    case PROTO_REST_JSON:
        /* Lambda's errors say who is at fault in a "Type" member; API Gateway's do not. */
        rc = rest_encode_error(&b,
                               svc && strcmp(svc->name, "lambda") == 0
                                   ? (e->fault == SENDER ? "User" : "Service")
                                   : NULL,
                               msg);
        req_add_header(req, "x-amzn-ErrorType", e->code);
        dispatch_set_body(req, &b, "application/json");
        break;
    default: {
        int framework = dispatch_is_framework_error(e);
        const char *ns = framework ? "com.amazon.coral.service"
                                   : (svc && svc->json_namespace ? svc->json_namespace : NULL);
        if (svc && e == &ERR_VALIDATION && svc->validation_namespace)
            ns = svc->validation_namespace;
        if (!svc)
            ns = NULL;
        rc = json_encode_error(&b, ns, e, msg, req->err_extra);
        if (svc && (svc->flags & SVC_QUERY_ERROR_HEADER) && !framework) {
            snprintf(hdr, sizeof(hdr), "%s;%s", error_query_code(e),
                     e->fault == SENDER ? "Sender" : "Receiver");
            req_add_header(req, "x-amzn-query-error", hdr);
        }
        dispatch_set_body(req, &b, req->proto == PROTO_NONE ? "application/json"
                                                            : dispatch_json_content_type(req));
        dispatch_add_crc32(req);
        break;
    }
    }
    buf_release(&b);
    if (rc != 0)
        log_error("cannot encode error '%s' for request '%s'", e->code, req->id);
}

/* Turn the wire into req->in. 0, or -1 with the error set. */
static int
dispatch_decode(struct awslet_req *req, const struct form *form)
{
    char err[256] = "";
    json_t *headers;

    switch (req->proto) {
    case PROTO_JSON_1_0:
    case PROTO_JSON_1_1:
        req->in = json_decode_body(req->body, req->body_len, err, sizeof(err));
        if (!req->in) {
            awslet_fail(req, &ERR_SERIALIZATION, "%s", err);
            return -1;
        }
        return 0;
    case PROTO_QUERY:
        if (!req->mop || !req->mop->input) {
            req->in = json_object();
        } else {
            req->in = query_decode(form, req->mop->input, err, sizeof(err));
            if (!req->in) {
                awslet_fail(req, &ERR_MALFORMED_QUERY, "%s", err);
                return -1;
            }
        }
        return req->in ? 0 : (awslet_fail_nomem(req), -1);
    case PROTO_REST_JSON:
        headers = json_object();
        if (!headers) {
            awslet_fail_nomem(req);
            return -1;
        }
        if (server_request_headers(req, headers) != 0) {
            json_decref(headers);
            awslet_fail_nomem(req);
            return -1;
        }
        req->in = rest_decode(req->mop, req->path_params, req->query, headers, req->body,
                              req->body_len, err, sizeof(err));
        json_decref(headers);
        if (!req->in) {
            awslet_fail(req, &ERR_SERIALIZATION, "%s", err);
            return -1;
        }
        return 0;
    default:
        AWSLET_BUG("dispatch_decode: no codec for protocol");
    }
}

/* Run the handler's after-commit hooks once, in the order they were added. */
static void
dispatch_run_after_commit(struct awslet_req *req)
{
    struct req_hook *h = req->after_commit, *rev = NULL;

    req->after_commit = NULL;
    while (h) { /* the list is newest first */
        struct req_hook *next = h->next;
        h->next = rev;
        rev = h;
        h = next;
    }
    for (; rev; rev = rev->next)
        rev->fn(rev->arg);
}

/* The committer thread's call: the group holding req's changes has ended. */
static void
dispatch_committed(void *arg, int rc)
{
    req_commit_done(arg, rc);
}

static int
dispatch_encode_ok(struct awslet_req *req, json_t *out)
{
    struct buf b;
    int rc = 0;
    unsigned status = 200;
    json_t *headers = NULL;
    const char *ctype = NULL;

    buf_init(&b, awslet_cfg.max_body_size + (64u << 20));
    switch (req->proto) {
    case PROTO_QUERY:
        rc = query_encode_response(&b, req->svc->model, req->mop, out, req->id);
        ctype = "text/xml";
        break;
    case PROTO_REST_JSON: {
        const char *k;
        json_t *v;
        rc = rest_encode_response(req->mop, out, &status, &headers, &b, &ctype);
        if (rc == 0 && headers) {
            json_object_foreach(headers, k, v) {
                if (json_is_string(v))
                    req_add_header(req, k, json_string_value(v));
            }
        }
        json_decref(headers);
        break;
    }
    default: {
        if (req->json_body) {
            /* Already encoded (items spliced as stored, DynamoDB's reads): taken as it is. */
            b.data = req->json_body;
            b.len = req->json_body_len;
            b.cap = req->json_body_len + 1;
            req->json_body = NULL;
            req->json_body_len = 0;
        } else if (json_dump_callback(out, dispatch_dump_cb, &b, JSON_COMPACT) != 0) {
            rc = -1;
        }
        ctype = dispatch_json_content_type(req);
        break;
    }
    }
    if (rc != 0) {
        buf_release(&b);
        return -1;
    }
    req->status = status;
    dispatch_set_body(req, &b, ctype);
    buf_release(&b);
    if (req->proto & (PROTO_JSON_1_0 | PROTO_JSON_1_1))
        dispatch_add_crc32(req);
    return 0;
}

enum awslet_rc
dispatch_op(struct awslet_req *req, const struct form *form)
{
    json_t *out = NULL;
    enum awslet_rc rc;
    int writing;

    /* Re-entered while waiting for the group commit (a spurious wake), or after it. */
    if (req->commit == REQ_COMMIT_PENDING)
        return AWSLET_SUSPEND;
    if (req->commit == REQ_COMMIT_DONE) {
        req->commit = REQ_COMMIT_NONE;
        if (req->commit_rc != 0) {
            free(req->raw_body);
            req->raw_body = NULL;
            req->raw_len = 0;
            req->resp_headers = NULL;
            awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot commit the transaction");
            dispatch_encode_error(req);
            return AWSLET_ERR;
        }
        dispatch_run_after_commit(req);
        return AWSLET_OK;
    }

    /* Decode first: a body that is not even JSON is a SerializationException whatever the
     * operation, as AWS answers it. A query action outside the model has no shape to decode
     * with and is simply unknown. */
    if (!req->in && (req->proto != PROTO_QUERY || req->mop) && dispatch_decode(req, form) != 0) {
        dispatch_encode_error(req);
        return AWSLET_ERR;
    }
    if (!req->op) {
        if (req->proto == PROTO_QUERY)
            awslet_fail(req, &ERR_INVALID_ACTION,
                        "The action %s is not valid for this web service.", req->op_name);
        else if (req->proto == PROTO_REST_JSON)
            awslet_fail(req, &ERR_UNKNOWN_OPERATION_REST,
                        "Operation %s is not implemented by awslet yet.", req->op_name);
        else
            awslet_fail(req, &ERR_UNKNOWN_OPERATION,
                        "Operation %s.%s is not implemented by awslet yet.",
                        req->svc->target_prefix, req->op_name);
        dispatch_encode_error(req);
        return AWSLET_ERR;
    }
    /* Writers run on the writer connection inside the group transaction; readers on this
     * thread's own connection. */
    writing = (req->op->flags & OP_WRITE) != 0 ||
              (req->op->writes && req->op->writes(req->in));
    req->db = writing ? store_write_begin() : store_conn();
    if (!req->db) {
        awslet_fail(req, &ERR_SERVICE_UNAVAILABLE, "the store is not available");
        dispatch_encode_error(req);
        return AWSLET_ERR;
    }
    rc = req->op->fn(req, req->in, &out);
    if (rc == AWSLET_OK) {
        if (!out)
            out = json_object();
        if (!out || dispatch_encode_ok(req, out) != 0)
            rc = awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot encode the response");
    }
    json_decref(out);

    if (writing) {
        sqlite3 *db = req->db;
        req->db = NULL; /* the writer connection is not ours once the write ends */
        if (rc == AWSLET_ERR) {
            store_write_rollback(db);
        } else if (rc == AWSLET_OK) {
            /* The answer is ready but not sent: the request sleeps until the committer has
             * made the group holding its changes durable (dispatch_committed). */
            req->commit = REQ_COMMIT_PENDING;
            if (store_write_commit_async(db, dispatch_committed, req) == 0)
                return AWSLET_SUSPEND;
            req->commit = REQ_COMMIT_NONE;
            rc = awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot keep the changes");
        } else if (store_write_commit_async(db, NULL, NULL) != 0) {
            /* A suspending handler (an empty long poll) acknowledges nothing: its changes
             * join the group without anyone waiting for them. */
            rc = awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot keep the changes");
        }
    }
    if (rc != AWSLET_ERR)
        dispatch_run_after_commit(req);
    req->after_commit = NULL;
    if (rc == AWSLET_ERR)
        dispatch_encode_error(req);
    return rc;
}
