/* router.h: deciding, per request, which service, protocol and operation it is.
 *
 * The order (docs/protocols.md): the daemon's own /_awslet/ endpoints; the API Gateway data
 * plane (execute-api Host or /restapis/{id}/{stage}/_user_request_/); CORS preflight;
 * X-Amz-Target (JSON protocols); the method + URI templates of the REST-JSON models; a
 * form-encoded Action (query protocol), whose service comes from the SigV4 scope, else from
 * Version, else from a queue-URL path. */
#ifndef AWSLET_ROUTER_H
#define AWSLET_ROUTER_H

#include "core/proto_query.h"
#include "core/req.h"

enum route_kind {
    ROUTE_NONE,      /* nothing matched: 404 UnknownOperationException */
    ROUTE_ADMIN,     /* /_awslet/... */
    ROUTE_PREFLIGHT, /* CORS preflight OPTIONS */
    ROUTE_OP,        /* a service operation: req->svc, proto, op_name (op may be NULL) */
    ROUTE_RAW,       /* a raw-HTTP route of req->svc (API Gateway data plane) */
    ROUTE_BAD,       /* matched a protocol but the request is malformed: error already set */
};

/* Fill in identity (SigV4) and routing on req; for query requests *form receives the
 * decoded parameters (URL and body together). */
enum route_kind router_route(struct awslet_req *req, struct form *form);

/* Pure helpers, unit-tested. */
/* 1 if path is /{12 digits}/{queue name}[/...]: a legacy SQS queue URL. */
int router_is_queue_path(const char *path);
/* If host is "{id}.execute-api.<anything>", copy id into out and return 1. */
int router_execute_api_host(const char *host, char *out, size_t outlen);
/* 1 if path is /restapis/{id}/{stage}/_user_request_[/...]. */
int router_is_user_request_path(const char *path);

#endif
