/* req.h: one HTTP request as the router, the codecs and the handlers see it.
 *
 * server.c creates a request when libmicrohttpd reports a new one, fills in what arrived,
 * router.c decides which service, protocol and operation it is, a codec decodes the body
 * into req->in, the handler answers, and the codec encodes the answer. Handlers never see
 * XML, forms or HTTP; they read req->in and set *out, or fail with awslet_fail().
 *
 * Thread rules: a request is handled by one libmicrohttpd worker thread at a time. The only
 * call another thread may make on it is req_resume(), and only between the handler returning
 * AWSLET_SUSPEND and the finish hooks running (services unregister waiters in a finish hook). */
#ifndef AWSLET_REQ_H
#define AWSLET_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "awslet.h"
#include "core/arena.h"
#include "core/error.h"

struct MHD_Connection;
struct awslet_service;
struct awslet_op;
struct model_op;
struct form;

enum awslet_proto {
    PROTO_NONE = 0,
    PROTO_QUERY = 1 << 0,     /* form-encoded Action=..., XML out */
    PROTO_JSON_1_0 = 1 << 1,  /* X-Amz-Target, application/x-amz-json-1.0 */
    PROTO_JSON_1_1 = 1 << 2,  /* X-Amz-Target, application/x-amz-json-1.1 */
    PROTO_REST_JSON = 1 << 3, /* method + URI template */
    PROTO_RAW = 1 << 4,       /* the handler writes the HTTP answer itself (API GW data plane) */
};

struct req_header {
    const char *name;
    const char *value;
    struct req_header *next;
};

enum req_commit {
    REQ_COMMIT_NONE,    /* no write waiting */
    REQ_COMMIT_PENDING, /* answer encoded, suspended until the committer calls back */
    REQ_COMMIT_DONE,    /* committed (or failed: commit_rc): send the answer */
};

struct req_hook {
    void (*fn)(void *arg);
    void *arg;
    struct req_hook *next;
};

struct awslet_req {
    struct arena arena;                /* everything below that is not const-borrowed */
    char id[AWSLET_UUID_LEN + 1];      /* request id sent back to the client */
    long long start_us;                /* monotonic, for the access log */

    /* What arrived. Borrowed from libmicrohttpd, valid until the request finishes. */
    struct MHD_Connection *conn;
    const char *method;                /* "POST" */
    const char *path;                  /* URL path, percent-decoded by libmicrohttpd */
    const char *host;                  /* Host header or "" */
    const char *content_type;          /* or "" */
    const char *body;                  /* NUL-terminated, body_len bytes */
    size_t body_len;
    const struct form *query;          /* URL query arguments, percent-decoded */

    /* Identity, from the SigV4 Authorization header or presigned query (sigv4.c). */
    const char *access_key;            /* "" when unsigned */
    const char *region;                /* credential scope region, else --region */
    const char *account;               /* 12-digit access key, else --account-id */
    const char *signing_service;       /* credential scope service or "" */

    /* What the router decided. */
    const struct awslet_service *svc;
    enum awslet_proto proto;
    const char *op_name;               /* AWS operation name, "" for raw routes */
    const struct awslet_op *op;        /* NULL: not implemented */
    const struct model_op *mop;        /* model entry, for query and rest codecs */
    json_t *path_params;               /* rest: {"FunctionName": "f"}; owned */
    json_t *in;                        /* decoded input; owned */

    sqlite3 *db;                       /* this thread's store connection */

    /* The answer. */
    unsigned status;                   /* 0 until set */
    const struct awslet_error *err;    /* set by awslet_fail() */
    const char *err_msg;
    json_t *err_extra;                 /* JSON errors: more members of the error document
                                        * (DynamoDB's Item, CancellationReasons); owned */
    struct req_header *resp_headers;   /* extra response headers, arena-owned */
    char *raw_body;                    /* PROTO_RAW and codecs: malloc'd, freed by server */
    size_t raw_len;
    char *json_body;                   /* JSON protocols: the answer already encoded by the
                                        * handler (malloc'd, freed by the server), sent instead
                                        * of encoding its out; it must say what out says */
    size_t json_body_len;
    const char *raw_content_type;

    /* Suspension (long polls). */
    unsigned resumes;                  /* how many times the handler has been re-entered */
    bool stopping;                     /* resumed because the daemon stops: answer now */
    void *state;                       /* the handler's own state across re-entries (arena) */

    enum req_commit commit;            /* an OP_WRITE answer waiting for its group commit */
    int commit_rc;                     /* the group commit's result, once REQ_COMMIT_DONE */
    struct req_hook *after_commit;     /* run once the write transaction has committed */
    struct req_hook *on_finish;        /* run when the request is done, in any outcome */
};

/* Record an AWS error and return AWSLET_ERR. The message is formatted into the arena. */
enum awslet_rc awslet_fail(struct awslet_req *req, const struct awslet_error *err,
                           const char *fmt, ...) __attribute__((format(printf, 3, 4)));
enum awslet_rc awslet_fail_nomem(struct awslet_req *req);

/* A request header (case-insensitive), or NULL. */
const char *req_header(const struct awslet_req *req, const char *name);
/* A query-string argument, or NULL. */
const char *req_query_arg(const struct awslet_req *req, const char *name);

/* Add a response header; name and value are copied into the arena. 0 or -1. */
int req_add_header(struct awslet_req *req, const char *name, const char *value);

/* Run fn(arg) after the handler's write transaction commits (never if it rolls back). */
int awslet_after_commit(struct awslet_req *req, void (*fn)(void *), void *arg);
/* Run fn(arg) when the request is finished, whatever happened. */
int req_on_finish(struct awslet_req *req, void (*fn)(void *), void *arg);

/* Wake a suspended request: its handler runs again on a worker thread. Safe from any thread,
 * idempotent, and harmless if the handler is still running (it is simply re-run once). */
void req_resume(struct awslet_req *req);
/* The committer's word that req's group commit ended with rc (0 = durable): record it and
 * resume the request so that its answer is sent. */
void req_commit_done(struct awslet_req *req, int rc);
/* Resume the request at deadline_ms on the awslet clock unless woken earlier. 0 or -1. */
int req_resume_at(struct awslet_req *req, long long deadline_ms);

#endif
