/* loadgen.c: a small HTTP/1.1 keep-alive load generator for awslet's benchmarks.
 *
 * N connections (default 64) spread over T threads (default 1), each thread one epoll loop
 * over non-blocking sockets. Every connection sends one request, reads the whole response
 * (Content-Length, chunked, or until close), records the latency and sends the next. A
 * warm-up phase is run and discarded first; then the run lasts a fixed time (-d) or until a
 * fixed number of requests have completed (-n), and a hard limit (--max-time) always ends
 * it. It prints requests/s, latency p50/p90/p99/max, and the count of non-2xx answers and
 * of errors; --json adds one machine-readable line. Not part of the test suite.
 *
 * Usage: loadgen [-h host] [-p port] [-c conns] [-t threads] [-d secs | -n count] [-w secs]
 *                [-m method] [-u path] [-H 'Name: value']... [-b body | -b @file] [-f reqfile]
 *                [--json] [--label name] [--timeout secs] [--max-time secs] */
#define _GNU_SOURCE
#include "httpc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RBUF_SIZE    65536       /* a response's header block must fit in this */
#define MAX_SAMPLES  (64u << 20) /* hard cap on recorded latencies per thread (512 MiB) */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Where a connection's response parser stands. */
enum parse_state {
    P_HEADERS,     /* waiting for the blank line */
    P_BODY_LEN,    /* Content-Length bytes still to come */
    P_CHUNK_SIZE,  /* waiting for a chunk-size line */
    P_CHUNK_DATA,  /* inside a chunk */
    P_CHUNK_CRLF,  /* the CRLF after a chunk's data */
    P_TRAILERS,    /* after the last chunk: trailer lines until a blank one */
    P_UNTIL_CLOSE, /* no length given: the body ends when the server closes */
};

struct conn {
    int fd;
    bool connecting;   /* non-blocking connect() in progress */
    bool busy;         /* a request is outstanding */
    bool want_out;     /* EPOLLOUT is registered */
    size_t sent;       /* bytes of the request written so far */
    char *req;         /* --random-keys: this connection's copy of the request, else NULL */
    uint64_t rng;      /* --random-keys: xorshift state */
    uint64_t start_ns; /* when the request was first written */
    enum parse_state st;
    int status;         /* HTTP status of the response being read */
    bool close_after;   /* the server said Connection: close */
    uint64_t remaining; /* body or chunk bytes still to skip */
    char buf[RBUF_SIZE];
    size_t len; /* bytes in buf */
};

struct worker {
    pthread_t thread;
    int epfd;
    struct conn *conns;
    int nconns;
    uint64_t *lat; /* latencies in ns of measured requests */
    size_t nlat, caplat;
    uint64_t non2xx;
    uint64_t err_connect, err_io, err_parse, err_timeout;
    uint64_t warm_done; /* requests completed in the warm-up (not measured) */
};

/* Options and shared run state. */
static const char *opt_host = "127.0.0.1";
static const char *opt_port = "4566";
static int opt_conns = 64;
static int opt_threads = 1;
static double opt_duration = 10.0;
static long long opt_count = 0; /* > 0: stop after this many measured requests */
static double opt_warmup = 1.0;
static double opt_timeout = 10.0;
static double opt_max_time = 0; /* 0: derived from the other options */
static bool opt_json = false;
static const char *opt_label = "";

static char *request; /* the exact request bytes */
static size_t request_len;
/* --random-keys N: every RANDKEY_MARK in the request becomes a random decimal key below N,
 * zero-padded to the marker's width so that Content-Length stays right (DynamoDB PutItem and
 * GetItem on random keys). */
#define RANDKEY_MARK "RANDKEY00000"
static unsigned long long opt_random_keys;
static bool request_is_head;

static struct addrinfo *addr;
static uint64_t t_start, t_measure, t_end, t_hard;
static atomic_llong measured;     /* -n mode: tickets handed out to completed requests */
static atomic_ullong t_last_done; /* -n mode: when the last counted request completed */
static atomic_bool stop;

static void
die(const char *fmt, const char *arg)
{
    fprintf(stderr, "loadgen: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

/* Read a whole file into a malloc'd buffer; *len gets its size. Exits on failure. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        die("cannot open '%s'", path);
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        die("cannot size '%s'", path);
    data = malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n)
        die("cannot read '%s'", path);
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* Assemble "METHOD PATH HTTP/1.1" + Host + the user's headers + Content-Length + body. */
static void
build_request(const char *method, const char *path, char **headers, int nheaders, const char *body,
              size_t body_len)
{
    bool has_host = false, has_ctype = false;
    size_t cap = strlen(method) + strlen(path) + strlen(opt_host) + body_len + 256;
    char *p;
    int i;

    for (i = 0; i < nheaders; i++) {
        cap += strlen(headers[i]) + 2;
        if (strncasecmp(headers[i], "host:", 5) == 0)
            has_host = true;
        if (strncasecmp(headers[i], "content-type:", 13) == 0)
            has_ctype = true;
    }
    request = p = malloc(cap);
    if (!request)
        die("%s", "out of memory");
    p += sprintf(p, "%s %s HTTP/1.1\r\n", method, path);
    if (!has_host)
        p += sprintf(p, "Host: %s:%s\r\n", opt_host, opt_port);
    for (i = 0; i < nheaders; i++)
        p += sprintf(p, "%s\r\n", headers[i]);
    if (body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        if (!has_ctype && body_len > 0)
            p += sprintf(p, "Content-Type: application/octet-stream\r\n");
        p += sprintf(p, "Content-Length: %zu\r\n", body_len);
    }
    p += sprintf(p, "\r\n");
    memcpy(p, body, body_len);
    request_len = (size_t)(p - request) + body_len;
    request_is_head = strcmp(method, "HEAD") == 0;
}

static void
conn_close(struct worker *w, struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->busy = false;
    c->connecting = false;
    c->want_out = false;
    c->len = 0;
}

static void
conn_set_out(struct worker *w, struct conn *c, bool out)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = c};

    if (c->want_out == out)
        return;
    c->want_out = out;
    epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Open a non-blocking connection; 0, or -1 (counted as a connect error). */
static int
conn_open(struct worker *w, struct conn *c)
{
    struct epoll_event ev;
    int one = 1;

    c->fd = socket(addr->ai_family, addr->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   addr->ai_protocol);
    if (c->fd < 0) {
        w->err_connect++;
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->connecting = connect(c->fd, addr->ai_addr, addr->ai_addrlen) != 0;
    if (c->connecting && errno != EINPROGRESS) {
        w->err_connect++;
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->want_out = true;
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = c;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        w->err_connect++;
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->busy = false;
    c->len = 0;
    return 0;
}

/* Give c a copy of the request whose key markers hold a fresh random key. */
static void
randomize_request(struct conn *c)
{
    const size_t mlen = sizeof(RANDKEY_MARK) - 1;
    char digits[32];

    if (!c->req) {
        c->req = malloc(request_len);
        if (!c->req)
            return; /* the plain request is sent: still a valid measurement, fewer keys */
        c->rng = (uint64_t)(uintptr_t)c ^ httpc_now_ns();
    }
    memcpy(c->req, request, request_len);
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    snprintf(digits, sizeof(digits), "%0*llu", (int)mlen,
             (unsigned long long)(c->rng % opt_random_keys));
    for (char *p = c->req; (p = memmem(p, request_len - (size_t)(p - c->req), RANDKEY_MARK,
                                       mlen)) != NULL;
         p += mlen)
        memcpy(p, digits, mlen);
}

/* Write (the rest of) the current request. 0, or -1 after closing on an error. */
static int
conn_send(struct worker *w, struct conn *c)
{
    ssize_t n;

    if (!c->busy) {
        c->busy = true;
        c->sent = 0;
        c->start_ns = httpc_now_ns();
        c->st = P_HEADERS;
        c->status = 0;
        c->close_after = false;
        if (opt_random_keys)
            randomize_request(c);
    }
    while (c->sent < request_len) {
        n = send(c->fd, (c->req ? c->req : request) + c->sent, request_len - c->sent,
                 MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            conn_set_out(w, c, true);
            return 0;
        }
        if (n <= 0) {
            w->err_io++;
            conn_close(w, c);
            return -1;
        }
        c->sent += (size_t)n;
    }
    conn_set_out(w, c, false);
    return 0;
}

/* Remember one finished request. Only requests started after the warm-up count, and in -d
 * mode only those that finished before the end. */
static void
record(struct worker *w, struct conn *c, uint64_t done)
{
    if (c->start_ns < t_measure) {
        w->warm_done++;
        return;
    }
    if (opt_count > 0) {
        if (atomic_fetch_add(&measured, 1) >= opt_count) {
            atomic_store(&stop, true);
            return;
        }
        atomic_store(&t_last_done, done);
    } else if (done > t_end) {
        return;
    }
    if (c->status < 200 || c->status > 299)
        w->non2xx++;
    if (w->nlat == w->caplat) {
        size_t cap = w->caplat ? w->caplat * 2 : 65536;
        uint64_t *p;

        if (cap > MAX_SAMPLES || !(p = realloc(w->lat, cap * sizeof(*p)))) {
            atomic_store(&stop, true);
            return;
        }
        w->lat = p;
        w->caplat = cap;
    }
    w->lat[w->nlat++] = done - c->start_ns;
}

/* Parse the status line and headers in buf[0..hlen). 0 or -1. */
static int
parse_headers(struct conn *c, size_t hlen)
{
    char *line = c->buf, *end = c->buf + hlen, *eol;
    bool chunked = false, has_len = false;
    unsigned long long clen = 0;

    if (hlen < 12 || strncmp(line, "HTTP/1.", 7) != 0)
        return -1;
    c->status = atoi(line + 9);
    if (c->status < 100 || c->status > 999)
        return -1;
    if (strncmp(line, "HTTP/1.0", 8) == 0)
        c->close_after = true;
    for (;;) {
        eol = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (!eol || eol == line)
            break;
        *eol = '\0';
        if (strncasecmp(line, "content-length:", 15) == 0) {
            has_len = true;
            clen = strtoull(line + 15, NULL, 10);
        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            chunked = strcasestr(line + 18, "chunked") != NULL;
        } else if (strncasecmp(line, "connection:", 11) == 0) {
            if (strcasestr(line + 11, "close"))
                c->close_after = true;
            else if (strcasestr(line + 11, "keep-alive"))
                c->close_after = false;
        }
        line = eol + 2;
    }
    /* RFC 9112 6.3: no body for HEAD, 1xx, 204 and 304. */
    if (request_is_head || c->status < 200 || c->status == 204 || c->status == 304) {
        c->remaining = 0;
        c->st = P_BODY_LEN;
    } else if (chunked) {
        c->st = P_CHUNK_SIZE;
    } else if (has_len) {
        c->remaining = clen;
        c->st = P_BODY_LEN;
    } else {
        c->st = P_UNTIL_CLOSE;
        c->close_after = true;
    }
    return 0;
}

/* Consume as much of buf as the parser can. 1 when the response is complete, 0 if more
 * bytes are needed, -1 on a malformed response. */
static int
parse(struct conn *c)
{
    size_t pos = 0, take;
    char *eol;
    int done = 0;

    while (!done) {
        switch (c->st) {
        case P_HEADERS:
            eol = memmem(c->buf + pos, c->len - pos, "\r\n\r\n", 4);
            if (!eol) {
                if (c->len - pos >= RBUF_SIZE - 1)
                    return -1;
                goto need_more;
            }
            memmove(c->buf, c->buf + pos, c->len - pos);
            c->len -= pos;
            pos = 0;
            eol = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (parse_headers(c, (size_t)(eol - c->buf) + 2) != 0)
                return -1;
            pos = (size_t)(eol - c->buf) + 4;
            if (c->status >= 100 && c->status < 200 && c->status != 101)
                c->st = P_HEADERS; /* interim response (100 Continue): the real one follows */
            break;
        case P_BODY_LEN:
            take = c->len - pos < c->remaining ? c->len - pos : (size_t)c->remaining;
            pos += take;
            c->remaining -= take;
            if (c->remaining > 0)
                goto need_more;
            done = 1;
            break;
        case P_CHUNK_SIZE:
            eol = memmem(c->buf + pos, c->len - pos, "\r\n", 2);
            if (!eol) {
                if (c->len - pos > 1024)
                    return -1;
                goto need_more;
            }
            {
                char *endp;

                c->remaining = strtoull(c->buf + pos, &endp, 16);
                if (endp == c->buf + pos)
                    return -1;
            }
            pos = (size_t)(eol - c->buf) + 2;
            c->st = c->remaining ? P_CHUNK_DATA : P_TRAILERS;
            break;
        case P_CHUNK_DATA:
            take = c->len - pos < c->remaining ? c->len - pos : (size_t)c->remaining;
            pos += take;
            c->remaining -= take;
            if (c->remaining > 0)
                goto need_more;
            c->st = P_CHUNK_CRLF;
            break;
        case P_CHUNK_CRLF:
            if (c->len - pos < 2)
                goto need_more;
            if (memcmp(c->buf + pos, "\r\n", 2) != 0)
                return -1;
            pos += 2;
            c->st = P_CHUNK_SIZE;
            break;
        case P_TRAILERS:
            eol = memmem(c->buf + pos, c->len - pos, "\r\n", 2);
            if (!eol) {
                if (c->len - pos > RBUF_SIZE / 2)
                    return -1;
                goto need_more;
            }
            if (eol == c->buf + pos)
                done = 1;
            pos = (size_t)(eol - c->buf) + 2;
            break;
        case P_UNTIL_CLOSE:
            pos = c->len; /* everything is body; EOF completes it */
            goto need_more;
        }
    }
    /* Leftover bytes would be a response nobody asked for. */
    if (pos != c->len)
        return -1;
    c->len = 0;
    return 1;

need_more:
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
    return 0;
}

/* The request on c is answered: record it and send the next one (or reconnect). */
static void
conn_complete(struct worker *w, struct conn *c, uint64_t done)
{
    record(w, c, done);
    c->busy = false;
    if (c->close_after) {
        conn_close(w, c);
        if (!atomic_load(&stop))
            conn_open(w, c);
        return;
    }
    if (!atomic_load(&stop))
        conn_send(w, c);
}

static void
conn_readable(struct worker *w, struct conn *c)
{
    ssize_t n;
    int rc;

    for (;;) {
        n = recv(c->fd, c->buf + c->len, RBUF_SIZE - 1 - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == 0) {
            /* EOF: the end of an until-close body, else a dropped connection. */
            if (c->busy && c->st == P_UNTIL_CLOSE) {
                conn_complete(w, c, httpc_now_ns());
                return;
            }
            if (c->busy)
                w->err_io++;
            conn_close(w, c);
            if (!atomic_load(&stop))
                conn_open(w, c);
            return;
        }
        if (n < 0) {
            w->err_io++;
            conn_close(w, c);
            if (!atomic_load(&stop))
                conn_open(w, c);
            return;
        }
        if (!c->busy) {
            w->err_parse++; /* bytes nobody asked for */
            conn_close(w, c);
            conn_open(w, c);
            return;
        }
        c->len += (size_t)n;
        rc = parse(c);
        if (rc < 0) {
            w->err_parse++;
            conn_close(w, c);
            if (!atomic_load(&stop))
                conn_open(w, c);
            return;
        }
        if (rc == 1) {
            conn_complete(w, c, httpc_now_ns());
            return; /* level-triggered: the next response is read on the next wake-up */
        }
    }
}

/* Close requests that waited longer than --timeout and reopen their connections. */
static void
check_timeouts(struct worker *w, uint64_t now)
{
    uint64_t limit = (uint64_t)(opt_timeout * 1e9);
    int i;

    /* Nothing answered and connections keep failing: the server is not there. */
    if (w->err_connect > 0 && w->nlat == 0 && w->warm_done == 0 && now - t_start > limit) {
        fprintf(stderr, "loadgen: cannot connect to %s:%s\n", opt_host, opt_port);
        atomic_store(&stop, true);
        return;
    }
    for (i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];

        if (c->fd >= 0 && c->busy && now - c->start_ns > limit) {
            w->err_timeout++;
            conn_close(w, c);
            conn_open(w, c);
        } else if (c->fd < 0) {
            conn_open(w, c); /* retry a connection that failed to open */
        }
    }
}

static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[256];
    uint64_t now, last_check = 0;
    int i, n;

    for (i = 0; i < w->nconns; i++) {
        w->conns[i].fd = -1;
        conn_open(w, &w->conns[i]);
    }
    while (!atomic_load(&stop)) {
        now = httpc_now_ns();
        if ((opt_count == 0 && now >= t_end) || now >= t_hard) {
            atomic_store(&stop, true);
            break;
        }
        if (now - last_check > 100000000u) {
            check_timeouts(w, now);
            last_check = now;
        }
        n = epoll_wait(w->epfd, evs, ARRAY_LEN(evs), 50);
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;

            if (c->fd < 0)
                continue;
            if (c->connecting) {
                int err = 0;
                socklen_t len = sizeof(err);

                if (!(evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                    continue;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    w->err_connect++;
                    conn_close(w, c);
                    continue; /* check_timeouts() retries it */
                }
                c->connecting = false;
                conn_send(w, c);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                conn_readable(w, c);
            if (c->fd >= 0 && c->busy && (evs[i].events & EPOLLOUT) && c->sent < request_len)
                conn_send(w, c);
        }
    }
    for (i = 0; i < w->nconns; i++) {
        conn_close(w, &w->conns[i]);
        free(w->conns[i].req);
        w->conns[i].req = NULL;
    }
    return NULL;
}

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: loadgen [options]\n"
            "  -h, --host HOST        server address (127.0.0.1)\n"
            "  -p, --port PORT        server port (4566)\n"
            "  -c, --connections N    keep-alive connections (64)\n"
            "  -t, --threads N        event-loop threads (1)\n"
            "  -d, --duration SECS    measured time (10)\n"
            "  -n, --requests N       stop after N measured requests instead of -d\n"
            "  -w, --warmup SECS      unmeasured warm-up first (1)\n"
            "  -m, --method METHOD    request method (GET)\n"
            "  -u, --path PATH        request target (/_awslet/health)\n"
            "  -H, --header 'N: V'    extra request header (repeatable)\n"
            "  -b, --body DATA|@FILE  request body\n"
            "  -f, --request-file F   send F's exact bytes as the request (overrides -m/-u/-H/-b)\n"
            "      --timeout SECS     a request waiting longer is an error (10)\n"
            "      --max-time SECS    hard limit on the whole run (default: warm-up + -d + 30)\n"
            "      --random-keys N    replace each RANDKEY00000 in the request by a random\n"
            "                         zero-padded key below N, per request\n"
            "      --json             also print one JSON line of results\n"
            "      --label NAME       name put in the JSON line\n"
            "      --help\n");
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"connections", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"requests", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"method", required_argument, NULL, 'm'},
        {"path", required_argument, NULL, 'u'},
        {"header", required_argument, NULL, 'H'},
        {"body", required_argument, NULL, 'b'},
        {"request-file", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 1},
        {"max-time", required_argument, NULL, 2},
        {"json", no_argument, NULL, 3},
        {"label", required_argument, NULL, 4},
        {"help", no_argument, NULL, 5},
        {"random-keys", required_argument, NULL, 6},
        {NULL, 0, NULL, 0},
    };
    const char *method = "GET", *path = "/_awslet/health", *body = "", *reqfile = NULL;
    char **headers = calloc((size_t)argc, sizeof(char *)), *body_file = NULL;
    size_t body_len = 0, total = 0, k;
    int nheaders = 0, opt, i, rc;
    struct worker *workers;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    uint64_t *all, non2xx = 0, e_conn = 0, e_io = 0, e_parse = 0, e_to = 0, warm = 0;
    double secs, rps, p50, p90, p99, pmax;

    while ((opt = getopt_long(argc, argv, "h:p:c:t:d:n:w:m:u:H:b:f:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            opt_host = optarg;
            break;
        case 'p':
            opt_port = optarg;
            break;
        case 'c':
            opt_conns = atoi(optarg);
            break;
        case 't':
            opt_threads = atoi(optarg);
            break;
        case 'd':
            opt_duration = atof(optarg);
            break;
        case 'n':
            opt_count = atoll(optarg);
            break;
        case 'w':
            opt_warmup = atof(optarg);
            break;
        case 'm':
            method = optarg;
            break;
        case 'u':
            path = optarg;
            break;
        case 'H':
            headers[nheaders++] = optarg;
            break;
        case 'b':
            if (optarg[0] == '@') {
                free(body_file);
                body = body_file = slurp(optarg + 1, &body_len);
            } else {
                body = optarg;
                body_len = strlen(optarg);
            }
            break;
        case 'f':
            reqfile = optarg;
            break;
        case 1:
            opt_timeout = atof(optarg);
            break;
        case 2:
            opt_max_time = atof(optarg);
            break;
        case 3:
            opt_json = true;
            break;
        case 4:
            opt_label = optarg;
            break;
        case 5:
            usage(stdout);
            return 0;
        case 6:
            opt_random_keys = strtoull(optarg, NULL, 10);
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || opt_conns < 1 || opt_threads < 1 || opt_duration <= 0 || opt_warmup < 0 ||
        opt_timeout <= 0) {
        usage(stderr);
        return 2;
    }
    if (opt_threads > opt_conns)
        opt_threads = opt_conns;

    if (reqfile) {
        request = slurp(reqfile, &request_len);
        request_is_head = strncmp(request, "HEAD ", 5) == 0;
    } else {
        build_request(method, path, headers, nheaders, body, body_len);
    }
    rc = getaddrinfo(opt_host, opt_port, &hints, &addr);
    if (rc != 0)
        die("cannot resolve host: %s", gai_strerror(rc));

    t_start = httpc_now_ns();
    t_measure = t_start + (uint64_t)(opt_warmup * 1e9);
    t_end = t_measure + (uint64_t)(opt_duration * 1e9);
    if (opt_max_time <= 0)
        opt_max_time = opt_warmup + (opt_count > 0 ? 60 : opt_duration) + 30;
    t_hard = t_start + (uint64_t)(opt_max_time * 1e9);

    workers = calloc((size_t)opt_threads, sizeof(*workers));
    if (!workers)
        die("%s", "out of memory");
    for (i = 0; i < opt_threads; i++) {
        struct worker *w = &workers[i];

        w->nconns = opt_conns / opt_threads + (i < opt_conns % opt_threads);
        w->conns = calloc((size_t)w->nconns, sizeof(struct conn));
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (!w->conns || w->epfd < 0)
            die("%s", "cannot set up a worker");
        if (pthread_create(&w->thread, NULL, worker_run, w) != 0)
            die("%s", "cannot start a thread");
    }
    for (i = 0; i < opt_threads; i++) {
        pthread_join(workers[i].thread, NULL);
        total += workers[i].nlat;
    }

    all = malloc((total ? total : 1) * sizeof(*all));
    if (!all)
        die("%s", "out of memory");
    for (i = 0, k = 0; i < opt_threads; i++) {
        struct worker *w = &workers[i];

        if (w->nlat)
            memcpy(all + k, w->lat, w->nlat * sizeof(*all));
        k += w->nlat;
        non2xx += w->non2xx;
        e_conn += w->err_connect;
        e_io += w->err_io;
        e_parse += w->err_parse;
        e_to += w->err_timeout;
        warm += w->warm_done;
    }
    qsort(all, total, sizeof(*all), httpc_cmp_u64);

    if (opt_count > 0 && total > 0)
        secs = (double)(atomic_load(&t_last_done) - t_measure) / 1e9;
    else
        secs = (double)((httpc_now_ns() < t_end ? httpc_now_ns() : t_end) - t_measure) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    rps = (double)total / secs;
    p50 = httpc_pct_ms(all, total, 50);
    p90 = httpc_pct_ms(all, total, 90);
    p99 = httpc_pct_ms(all, total, 99);
    pmax = total ? (double)all[total - 1] / 1e6 : 0;

    printf("%s%s%zu requests in %.2f s over %d connections (%d thread%s; %llu warm-up "
           "requests discarded)\n",
           opt_label, *opt_label ? ": " : "", total, secs, opt_conns, opt_threads,
           opt_threads == 1 ? "" : "s", (unsigned long long)warm);
    printf("  requests/s %.1f\n", rps);
    printf("  latency ms p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", p50, p90, p99, pmax);
    printf("  non-2xx %llu  errors: connect %llu, io %llu, parse %llu, timeout %llu\n",
           (unsigned long long)non2xx, (unsigned long long)e_conn, (unsigned long long)e_io,
           (unsigned long long)e_parse, (unsigned long long)e_to);
    if (opt_json)
        printf("{\"label\":\"%s\",\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.1f,"
               "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
               "\"non2xx\":%llu,\"errors\":%llu,\"connections\":%d,\"threads\":%d,"
               "\"warmup_requests\":%llu}\n",
               opt_label, total, secs, rps, p50, p90, p99, pmax, (unsigned long long)non2xx,
               (unsigned long long)(e_conn + e_io + e_parse + e_to), opt_conns, opt_threads,
               (unsigned long long)warm);
    fflush(stdout);
    for (i = 0; i < opt_threads; i++) {
        free(workers[i].lat);
        free(workers[i].conns);
        close(workers[i].epfd);
    }
    free(workers);
    free(all);
    free(headers);
    free(body_file);
    free(request);
    freeaddrinfo(addr);
    /* Failing runs fail loudly: nothing measured, or errors on the wire. */
    return total == 0 || e_io + e_parse + e_to > 0 ? 1 : 0;
}
