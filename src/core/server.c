/* server.c: libmicrohttpd glue: accepting requests, reading bodies, suspending and resuming,
 * writing responses, and a graceful stop.
 *
 * Each request is a struct srv_req (the public struct awslet_req plus the server's own
 * state). libmicrohttpd calls access_cb() once when the headers arrive, once per body chunk,
 * once when the body is complete, and once more after every resume; completed_cb() then
 * frees the request. Body chunks go into a capped buffer: past --max-body-size the rest is
 * read and dropped, and the request is answered 413 in its protocol. */
#include "core/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/admin.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/dispatch.h"
#include "core/log.h"
#include "core/router.h"
#include "core/timer.h"
#include "core/uuid.h"
#include "services/apigateway/apigateway.h"
#include "services/service.h"

enum srv_state {
    SRV_RUNNING,      /* a worker thread is handling it (or it has not been suspended) */
    SRV_SUSPENDED,    /* MHD_suspend_connection() done; waiting for req_resume() */
    SRV_WAKE_PENDING, /* req_resume() came while the handler was still running */
};

struct srv_req {
    struct awslet_req r;
    struct buf body;
    struct form query;        /* URL arguments, decoded */
    struct form form;         /* query protocol: URL + body parameters */
    enum route_kind route;
    bool routed, too_large, answered;
    enum srv_state state;     /* guarded by srv_lock */
    long deadline_timer;      /* vtimer id of req_resume_at(), 0 if none */
    struct srv_req *prev, *next; /* the suspended list, guarded by srv_lock */
};

static struct MHD_Daemon *srv_daemon;
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t srv_idle = PTHREAD_COND_INITIALIZER;
static pthread_cond_t srv_commit_cv = PTHREAD_COND_INITIALIZER; /* a group commit ended */
static struct srv_req *srv_suspended;  /* every request in SRV_SUSPENDED */
static unsigned long srv_active;       /* requests between access_cb and completed_cb */
static bool srv_stopping;
/* Set when the daemon stops: new connections are refused by the accept policy. (Not
 * MHD_quiesce_daemon(): with a thread pool it races the workers' own removal of the listen
 * socket from their epoll sets, and libmicrohttpd 0.9.75 aborts when it loses that race:
 * "Failed to remove listen FD from epoll set".) */
static atomic_bool srv_refusing;

static struct srv_req *
srv_of(struct awslet_req *req)
{
    return (struct srv_req *)((char *)req - offsetof(struct srv_req, r));
}

/* ---- request lifecycle ------------------------------------------------------------------ */

struct hdr_collect {
    struct awslet_req *req;
    json_t *obj;
    int rc;
};

static enum MHD_Result
srv_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct hdr_collect *c = cls;
    char name[256];
    size_t i;

    for (i = 0; key[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)tolower((unsigned char)key[i]);
    name[i] = '\0';
    if (json_object_set_new(c->obj, name, json_string(value ? value : "")) != 0)
        c->rc = -1;
    return MHD_YES;
}

int
server_request_headers(struct awslet_req *req, json_t *obj)
{
    struct hdr_collect c = {req, obj, 0};
    if (!req->conn)
        return 0;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, srv_collect_header, &c);
    return c.rc;
}

/* URL arguments arrive raw (srv_unescape keeps them so); rebuild "k=v&..." and decode it
 * with the same form parser the query protocol uses, so '+' and %XX mean one thing. */
struct arg_collect {
    struct buf b;
};

static enum MHD_Result
srv_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct arg_collect *c = cls;
    if (c->b.len)
        buf_putc(&c->b, '&');
    buf_puts(&c->b, key);
    if (value) {
        buf_putc(&c->b, '=');
        buf_puts(&c->b, value);
    }
    return MHD_YES;
}

static void
srv_parse_query(struct srv_req *s)
{
    struct arg_collect c;

    buf_init(&c.b, 1 << 20);
    MHD_get_connection_values(s->r.conn, MHD_GET_ARGUMENT_KIND, srv_collect_arg, &c);
    if (c.b.len == 0 || form_parse(&s->r.arena, c.b.data, c.b.len, &s->query) != 0) {
        s->query.pairs = NULL;
        s->query.n = 0;
    }
    buf_release(&c.b);
    s->r.query = &s->query;
}

static struct srv_req *
srv_req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct srv_req *s = calloc(1, sizeof(*s));
    const char *v;

    if (!s)
        return NULL;
    arena_init(&s->r.arena);
    buf_init(&s->body, awslet_cfg.max_body_size);
    awslet_uuid(s->r.id);
    s->r.start_us = clock_mono_us();
    s->r.conn = conn;
    s->r.method = arena_strdup(&s->r.arena, method);
    s->r.path = arena_strdup(&s->r.arena, url);
    v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    s->r.host = arena_strdup(&s->r.arena, v ? v : "");
    v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    s->r.content_type = arena_strdup(&s->r.arena, v ? v : "");
    s->r.op_name = "";
    s->state = SRV_RUNNING;
    if (!s->r.method || !s->r.path || !s->r.host || !s->r.content_type) {
        arena_release(&s->r.arena);
        free(s);
        return NULL;
    }
    srv_parse_query(s);
    return s;
}

static void
srv_req_free(struct srv_req *s)
{
    for (struct req_hook *h = s->r.on_finish; h; h = h->next)
        h->fn(h->arg);
    pthread_mutex_lock(&srv_lock);
    long timer = s->deadline_timer;
    pthread_mutex_unlock(&srv_lock);
    if (timer > 0)
        vtimer_cancel(timer);
    json_decref(s->r.in);
    json_decref(s->r.path_params);
    json_decref(s->r.err_extra);
    free(s->r.raw_body);
    free(s->r.json_body);
    buf_release(&s->body);
    arena_release(&s->r.arena);
    free(s);
}

/* ---- suspension ------------------------------------------------------------------------- */

static void
srv_list_remove(struct srv_req *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else if (srv_suspended == s)
        srv_suspended = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

/* With srv_lock held: wake s (see req_resume). */
static void
srv_resume_locked(struct srv_req *s)
{
    if (s->state == SRV_SUSPENDED) {
        srv_list_remove(s);
        s->state = SRV_RUNNING;
        MHD_resume_connection(s->r.conn);
    } else if (s->state == SRV_RUNNING) {
        s->state = SRV_WAKE_PENDING;
    }
}

void
req_commit_done(struct awslet_req *req, int rc)
{
    /* One lock hold for the result and the wake-up: once the worker sees the result it may
     * answer and free the request, so nothing may touch req after the unlock. */
    pthread_mutex_lock(&srv_lock);
    req->commit_rc = rc;
    req->commit = REQ_COMMIT_DONE;
    pthread_cond_broadcast(&srv_commit_cv);
    srv_resume_locked(srv_of(req));
    pthread_mutex_unlock(&srv_lock);
}

void
req_resume(struct awslet_req *req)
{
    pthread_mutex_lock(&srv_lock);
    srv_resume_locked(srv_of(req));
    pthread_mutex_unlock(&srv_lock);
}

/* The timer id stays recorded after it fires: srv_req_free() cancels it synchronously, which
 * waits for a callback still running, so the request is never freed under it. */
static void
srv_deadline_fired(void *arg)
{
    struct srv_req *s = arg;
    req_resume(&s->r);
}

int
req_resume_at(struct awslet_req *req, long long deadline_ms)
{
    struct srv_req *s = srv_of(req);
    long old, id;

    pthread_mutex_lock(&srv_lock);
    old = s->deadline_timer;
    s->deadline_timer = 0;
    pthread_mutex_unlock(&srv_lock);
    if (old > 0)
        vtimer_cancel(old);
    id = vtimer_add(deadline_ms, srv_deadline_fired, s);
    if (id < 0)
        return -1;
    pthread_mutex_lock(&srv_lock);
    s->deadline_timer = id;
    pthread_mutex_unlock(&srv_lock);
    return 0;
}

/* After the handler said AWSLET_SUSPEND: suspend, unless a wake-up (or a stop) already came,
 * in which case the handler must simply run again. Returns 1 if suspended. */
static int
srv_try_suspend(struct srv_req *s)
{
    int suspended = 0;

    pthread_mutex_lock(&srv_lock);
    if (s->state == SRV_WAKE_PENDING) {
        s->state = SRV_RUNNING;
    } else if (srv_stopping) {
        /* Nothing may be suspended once the daemon stops: libmicrohttpd refuses to stop with
         * a suspended connection (and a kept-alive client may still send a request after
         * the in-flight ones drained). A long poll answers at once; a write waits here for
         * its group commit, which the committer, alive until the store closes, makes soon. */
        while (s->r.commit == REQ_COMMIT_PENDING)
            pthread_cond_wait(&srv_commit_cv, &srv_lock);
        if (s->r.commit == REQ_COMMIT_NONE)
            s->r.stopping = true;
        s->state = SRV_RUNNING;
    } else {
        MHD_suspend_connection(s->r.conn);
        s->state = SRV_SUSPENDED;
        s->next = srv_suspended;
        s->prev = NULL;
        if (srv_suspended)
            srv_suspended->prev = s;
        srv_suspended = s;
        suspended = 1;
    }
    pthread_mutex_unlock(&srv_lock);
    return suspended;
}

/* ---- responses -------------------------------------------------------------------------- */

static void
srv_add_cors(struct srv_req *s, struct MHD_Response *resp)
{
    const char *origin = req_header(&s->r, "Origin");
    if (!origin)
        return;
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(resp, "Vary", "Origin");
    MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                            "x-amzn-RequestId, x-amz-request-id, x-amz-id-2, x-amz-crc32, "
                            "x-amzn-ErrorType, x-amzn-query-error, x-amz-apigw-id, "
                            "X-Amz-Function-Error, X-Amz-Log-Result, X-Amz-Executed-Version, "
                            "ETag, Date");
}

static void
srv_preflight(struct srv_req *s)
{
    const char *hdrs = req_header(&s->r, "Access-Control-Request-Headers");

    s->r.status = 200;
    req_add_header(&s->r, "Access-Control-Allow-Methods",
                   "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    req_add_header(&s->r, "Access-Control-Allow-Headers",
                   hdrs ? hdrs
                        : "authorization, content-type, x-amz-date, x-amz-target, "
                          "x-amz-security-token, x-amz-user-agent, amz-sdk-invocation-id, "
                          "amz-sdk-request");
    req_add_header(&s->r, "Access-Control-Max-Age", "86400");
}

static enum MHD_Result
srv_respond(struct srv_req *s)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *body = s->r.raw_body;
    size_t len = s->r.raw_len;

    s->r.raw_body = NULL; /* the response owns it now */
    s->r.raw_len = 0;
    resp = MHD_create_response_from_buffer_with_free_callback(len, body ? body : (char *)"",
                                                              body ? free : NULL);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (s->r.raw_content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, s->r.raw_content_type);
    MHD_add_response_header(resp, "x-amzn-RequestId", s->r.id);
    MHD_add_response_header(resp, "x-amz-request-id", s->r.id);
    for (const struct req_header *h = s->r.resp_headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    srv_add_cors(s, resp);
    if (!s->r.status)
        s->r.status = 500;
    ret = MHD_queue_response(s->r.conn, s->r.status, resp);
    MHD_destroy_response(resp);
    s->answered = true;
    return ret;
}

/* The protocol a request spoke, guessed before routing, to answer 413 in its shape. */
static void
srv_too_large(struct srv_req *s)
{
    struct form unused;

    s->route = router_route(&s->r, &unused);
    if (s->route != ROUTE_OP && s->route != ROUTE_BAD) {
        /* Not yet a known operation (a big form whose Action we will not parse): still
         * answer in the protocol the headers announce. */
        if (strncasecmp(s->r.content_type, "application/x-www-form-urlencoded", 33) == 0) {
            s->r.proto = PROTO_QUERY;
            /* The dropped body held the Action; the SigV4 scope still names the service,
             * whose XML namespace the error should carry. */
            if (!s->r.svc && s->r.signing_service[0])
                s->r.svc = service_by_name(s->r.signing_service);
        } else if (!s->r.proto)
            s->r.proto = PROTO_NONE;
    }
    awslet_fail(&s->r, &ERR_REQUEST_TOO_LARGE,
                "Request body is larger than the limit of %zu bytes", awslet_cfg.max_body_size);
    dispatch_encode_error(&s->r);
}

static enum MHD_Result
srv_handle(struct srv_req *s)
{
    s->r.body = s->body.data ? s->body.data : "";
    s->r.body_len = s->body.len;

    if (s->too_large) {
        srv_too_large(s);
        return srv_respond(s);
    }
    if (!s->routed) {
        s->routed = true;
        s->route = router_route(&s->r, &s->form);
    } else {
        s->r.resumes++;
    }

    switch (s->route) {
    case ROUTE_ADMIN:
        admin_handle(&s->r);
        break;
    case ROUTE_PREFLIGHT:
        srv_preflight(s);
        break;
    case ROUTE_RAW:
        apigateway_invoke(&s->r);
        break;
    case ROUTE_OP:
        for (;;) {
            if (dispatch_op(&s->r, &s->form) != AWSLET_SUSPEND)
                break;
            if (srv_try_suspend(s))
                return MHD_YES;
            s->r.resumes++;
        }
        break;
    case ROUTE_BAD:
        dispatch_encode_error(&s->r);
        break;
    case ROUTE_NONE:
        s->r.proto = PROTO_NONE;
        awslet_fail(&s->r, &ERR_UNKNOWN_OPERATION_REST,
                    "No AWS service operation matches %s %s", s->r.method, s->r.path);
        dispatch_encode_error(&s->r);
        break;
    }
    return srv_respond(s);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct srv_req *s = *con_cls;

    if (!s) {
        s = srv_req_new(conn, url, method);
        if (!s)
            return MHD_NO;
        *con_cls = s;
        pthread_mutex_lock(&srv_lock);
        srv_active++;
        pthread_mutex_unlock(&srv_lock);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > awslet_cfg.max_body_size)
            s->too_large = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Past the limit, keep reading and dropping so the client gets its 413. */
        if (!s->too_large && buf_append(&s->body, upload_data, *upload_data_size) != 0)
            s->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (s->answered)
        return MHD_YES;
    return srv_handle(s);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct srv_req *s = *con_cls;

    if (!s)
        return;
    *con_cls = NULL;
    log_request(s->r.svc ? s->r.svc->name : (s->route == ROUTE_ADMIN ? "awslet" : "-"),
                s->r.op_name ? s->r.op_name : "", s->answered ? s->r.status : 0,
                (double)(clock_mono_us() - s->r.start_us) / 1000.0, s->r.id, s->r.method,
                s->r.path);
    srv_req_free(s);
    pthread_mutex_lock(&srv_lock);
    if (--srv_active == 0)
        pthread_cond_broadcast(&srv_idle);
    pthread_mutex_unlock(&srv_lock);
}

/* Keep the URL path and arguments exactly as sent: REST labels are percent-decoded per
 * segment by the codec (so an encoded '/' inside an ARN stays inside its label), and query
 * arguments by form_parse. */
static size_t
srv_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

static void
srv_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("libmicrohttpd: %s", msg);
}

/* libmicrohttpd's accept policy: every connection while running, none once stopping. */
static enum MHD_Result
accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls;
    (void)addr;
    (void)addrlen;
    return atomic_load(&srv_refusing) ? MHD_NO : MHD_YES;
}

int
server_start(void)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;

    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, awslet_cfg.host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)awslet_cfg.port);
        sslen = sizeof(*in4);
    } else if (inet_pton(AF_INET6, awslet_cfg.host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)awslet_cfg.port);
        sslen = sizeof(*in6);
        flags |= MHD_USE_IPv6;
    } else {
        log_error("cannot listen on '%s': not an IPv4 or IPv6 address", awslet_cfg.host);
        return -1;
    }
    (void)sslen;
    /* The connection memory pool holds headers and body chunks; libmicrohttpd zeroes it for
     * every request, so it is kept small (64 KiB: SigV4 headers are ~1 KiB). */
    atomic_store(&srv_refusing, false);
    srv_daemon = MHD_start_daemon(
        flags, (uint16_t)awslet_cfg.port, accept_cb, NULL, access_cb, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)awslet_cfg.threads,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL, MHD_OPTION_UNESCAPE_CALLBACK,
        srv_unescape, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned int)1024, MHD_OPTION_EXTERNAL_LOGGER, srv_mhd_log, NULL, MHD_OPTION_END);
    if (!srv_daemon) {
        log_error("cannot listen on %s:%u: %s", awslet_cfg.host, awslet_cfg.port,
                  errno ? strerror(errno) : "libmicrohttpd refused to start");
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv_daemon, MHD_DAEMON_INFO_BIND_PORT);
    awslet_cfg.bound_port = info && info->port ? info->port : awslet_cfg.port;
    return 0;
}

void
server_stop(unsigned grace_ms)
{
    struct timespec ts;

    if (!srv_daemon)
        return;
    /* 1. Stop accepting: connections that arrive from now on are closed at once. */
    atomic_store(&srv_refusing, true);
    /* 2. Answer every suspended request now: handlers see req->stopping. */
    pthread_mutex_lock(&srv_lock);
    srv_stopping = true;
    for (struct srv_req *s = srv_suspended, *next; s; s = next) {
        next = s->next;
        if (s->r.commit == REQ_COMMIT_PENDING)
            continue; /* answered when its group commits: the committer outlives us */
        srv_list_remove(s);
        s->state = SRV_RUNNING;
        s->r.stopping = true;
        MHD_resume_connection(s->r.conn);
    }
    /* 3. Let in-flight requests finish, within the grace period. */
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += grace_ms / 1000;
    ts.tv_nsec += (long)(grace_ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    while (srv_active > 0) {
        if (pthread_cond_timedwait(&srv_idle, &srv_lock, &ts) == ETIMEDOUT) {
            log_warn("stopping with %lu request(s) still in flight", srv_active);
            break;
        }
    }
    pthread_mutex_unlock(&srv_lock);
    /* 4. Stop the pool (idle keep-alive connections are closed). */
    MHD_stop_daemon(srv_daemon);
    srv_daemon = NULL;
}
