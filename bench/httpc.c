/* httpc.c: the blocking keep-alive HTTP/1.1 client of the SQS benchmarks (see httpc.h). */
#define _GNU_SOURCE
#include "httpc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define HTTPC_MAX_ANSWER (64u << 20) /* larger answers are refused */

uint64_t
httpc_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
httpc_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

double
httpc_pct_ms(const uint64_t *v, size_t n, double p)
{
    size_t rank;

    if (n == 0)
        return 0;
    rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)v[rank - 1] / 1e6;
}

int
httpc_open(struct httpc *c, const char *host, const char *port, double timeout_s)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    struct timeval tv;
    int one = 1;

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->host = host;
    c->port = port;
    c->timeout_s = timeout_s;
    if (getaddrinfo(host, port, &hints, &ai) != 0) {
        errno = EINVAL;
        return -1;
    }
    c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int e = errno;

        freeaddrinfo(ai);
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        errno = e;
        return -1;
    }
    freeaddrinfo(ai);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    tv.tv_sec = (time_t)timeout_s;
    tv.tv_usec = (suseconds_t)((timeout_s - (double)tv.tv_sec) * 1e6);
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    c->cap = 16384;
    c->buf = malloc(c->cap);
    c->reqcap = 4096;
    c->req = malloc(c->reqcap);
    if (!c->buf || !c->req) {
        httpc_close(c);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void
httpc_close(struct httpc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    free(c->req);
    c->buf = c->req = NULL;
}

int
httpc_send(struct httpc *c, const char *target, const char *ctype, const char *body,
           size_t body_len)
{
    size_t need = body_len + strlen(c->host) + strlen(ctype) + (target ? strlen(target) : 0) + 160;
    size_t off = 0;
    ssize_t n;
    int h;

    if (c->fd < 0)
        return -1;
    if (need > c->reqcap) {
        char *p = realloc(c->req, need);

        if (!p)
            return -1;
        c->req = p;
        c->reqcap = need;
    }
    h = snprintf(c->req, c->reqcap,
                 "POST / HTTP/1.1\r\nHost: %s:%s\r\n%s%s%sContent-Type: %s\r\n"
                 "Content-Length: %zu\r\n\r\n",
                 c->host, c->port, target ? "X-Amz-Target: " : "", target ? target : "",
                 target ? "\r\n" : "", ctype, body_len);
    memcpy(c->req + h, body, body_len);
    while (off < (size_t)h + body_len) {
        n = send(c->fd, c->req + off, (size_t)h + body_len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* Parse the header block buf[0..hlen): status and Content-Length. 0 or -1. */
static int
parse_head(struct httpc *c, size_t *clen)
{
    char *line = c->buf, *end = c->buf + c->hlen, *eol;
    bool has_len = false;

    if (c->hlen < 12 || strncmp(line, "HTTP/1.", 7) != 0)
        return -1;
    c->status = atoi(line + 9);
    while ((eol = memmem(line, (size_t)(end - line), "\r\n", 2)) && eol != line) {
        if (strncasecmp(line, "content-length:", 15) == 0) {
            *clen = strtoull(line + 15, NULL, 10);
            has_len = true;
        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            return -1; /* chunked: not needed for awslet */
        }
        line = eol + 2;
    }
    if (!has_len)
        *clen = 0; /* awslet always sends one; a missing one means an empty body */
    return 0;
}

int
httpc_recv(struct httpc *c)
{
    size_t clen = 0;
    ssize_t n;
    char *eoh;

    c->len = c->hlen = 0;
    c->status = 0;
    for (;;) {
        if (c->len + 1 >= c->cap) {
            char *p;

            if (c->cap >= HTTPC_MAX_ANSWER || !(p = realloc(c->buf, c->cap * 2)))
                return -1;
            c->buf = p;
            c->cap *= 2;
        }
        n = recv(c->fd, c->buf + c->len, c->cap - 1 - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1; /* closed, error or timeout */
        c->len += (size_t)n;
        if (c->hlen == 0) {
            eoh = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (!eoh)
                continue;
            c->hlen = (size_t)(eoh - c->buf) + 2;
            if (parse_head(c, &clen) != 0)
                return -1;
            if (c->status == 100) { /* 100 Continue: drop it and read on */
                memmove(c->buf, eoh + 4, c->len - (c->hlen + 2));
                c->len -= c->hlen + 2;
                c->hlen = 0;
                continue;
            }
        }
        if (c->len >= c->hlen + 2 + clen)
            break;
    }
    if (c->len != c->hlen + 2 + clen)
        return -1; /* bytes nobody asked for */
    c->buf[c->len] = '\0';
    c->body = c->buf + c->hlen + 2;
    c->body_len = clen;
    return 0;
}

int
httpc_call(struct httpc *c, const char *target, const char *ctype, const char *body,
           size_t body_len)
{
    if (httpc_send(c, target, ctype, body, body_len) != 0)
        return -1;
    return httpc_recv(c);
}

int
httpc_sqs(struct httpc *c, const char *op, const char *json)
{
    char target[96];

    snprintf(target, sizeof(target), "AmazonSQS.%s", op);
    return httpc_call(c, target, "application/x-amz-json-1.0", json, strlen(json));
}

int
httpc_sqs_create_queue(struct httpc *c, const char *name, char *url, size_t cap)
{
    char req[640];

    snprintf(req, sizeof(req), "{\"QueueName\":\"%s\"}", name);
    if (httpc_sqs(c, "CreateQueue", req) != 0 || c->status != 200 ||
        !httpc_json_str(c->body, "QueueUrl", url, cap))
        return -1;
    return 0;
}

const char *
httpc_json_str(const char *p, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *v, *e;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    v = strstr(p, pat);
    if (!v)
        return NULL;
    v += strlen(pat);
    e = strchr(v, '"');
    if (!e || (size_t)(e - v) >= cap)
        return NULL;
    memcpy(out, v, (size_t)(e - v));
    out[e - v] = '\0';
    return e + 1;
}
