/* req.c: what handlers and codecs may do with a request: fail it with an AWS error, read its
 * headers and query arguments, add response headers, and hook work after its commit or at
 * its end. Suspension (req_resume) lives in server.c beside libmicrohttpd. */
#include "core/req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "core/log.h"
#include "core/proto_query.h"

enum awslet_rc
awslet_fail(struct awslet_req *req, const struct awslet_error *err, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    req->err = err;
    req->err_msg = arena_strdup(&req->arena, msg);
    if (!req->err_msg)
        req->err_msg = "";
    req->status = err->status;
    return AWSLET_ERR;
}

enum awslet_rc
awslet_fail_nomem(struct awslet_req *req)
{
    log_error("cannot answer request '%s': out of memory", req->id);
    req->err = &ERR_INTERNAL_FAILURE;
    req->err_msg = "out of memory";
    req->status = ERR_INTERNAL_FAILURE.status;
    return AWSLET_ERR;
}

const char *
req_header(const struct awslet_req *req, const char *name)
{
    if (!req->conn)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
req_query_arg(const struct awslet_req *req, const char *name)
{
    return req->query ? form_get(req->query, name) : NULL;
}

int
req_add_header(struct awslet_req *req, const char *name, const char *value)
{
    struct req_header *h = arena_alloc(&req->arena, sizeof(*h));
    if (!h)
        return -1;
    h->name = arena_strdup(&req->arena, name);
    h->value = arena_strdup(&req->arena, value);
    if (!h->name || !h->value)
        return -1;
    h->next = req->resp_headers;
    req->resp_headers = h;
    return 0;
}

static int
req_hook_push(struct awslet_req *req, struct req_hook **list, void (*fn)(void *), void *arg)
{
    struct req_hook *h = arena_alloc(&req->arena, sizeof(*h));
    if (!h)
        return -1;
    h->fn = fn;
    h->arg = arg;
    h->next = *list;
    *list = h;
    return 0;
}

int
awslet_after_commit(struct awslet_req *req, void (*fn)(void *), void *arg)
{
    return req_hook_push(req, &req->after_commit, fn, arg);
}

int
req_on_finish(struct awslet_req *req, void (*fn)(void *), void *arg)
{
    return req_hook_push(req, &req->on_finish, fn, arg);
}
