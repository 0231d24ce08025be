/* server.h: the HTTP server (libmicrohttpd) and the life of a request inside it.
 *
 * An internal thread pool over epoll serves every connection; a request that must wait (a
 * long poll) is suspended with MHD_suspend_connection() and holds no thread until
 * req_resume() wakes it. server_stop() stops accepting, answers every suspended request,
 * waits for in-flight requests to finish, then stops the pool. */
#ifndef AWSLET_SERVER_H
#define AWSLET_SERVER_H

#include <jansson.h>

#include "core/req.h"

/* Bind and start serving per awslet_cfg; sets awslet_cfg.bound_port. 0 or -1. */
int server_start(void);
/* Graceful stop; returns once no request is in flight (or after grace_ms). */
void server_stop(unsigned grace_ms);

/* Copy the request's headers into obj with lower-case names (REST-JSON decoding). 0 or -1. */
int server_request_headers(struct awslet_req *req, json_t *obj);

#endif
