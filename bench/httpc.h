/* httpc.h: a compact blocking HTTP/1.1 keep-alive client for the SQS benchmarks.
 *
 * One connection, one request at a time: httpc_call() writes a POST / and reads the whole
 * answer (Content-Length bodies only, which is what awslet sends). Socket timeouts bound
 * every read and write, so a stuck server fails a benchmark instead of hanging it. Used by
 * bench/sqs_cycle.c and bench/sqs_longpoll.c; bench/loadgen.c has its own non-blocking
 * engine and takes only the clock and the percentile helpers from here, so that every
 * program measures and ranks latencies the same way. */
#ifndef AWSLET_BENCH_HTTPC_H
#define AWSLET_BENCH_HTTPC_H

#include <stddef.h>
#include <stdint.h>

struct httpc {
    int fd;
    const char *host, *port; /* Host header and where to connect */
    double timeout_s;        /* per read/write */
    char *buf;               /* the last answer: headers, body, then a NUL */
    size_t cap, len, hlen;   /* buf's size, bytes read, header block length */
    char *req;               /* request build buffer */
    size_t reqcap;
    int status;       /* HTTP status of the last answer */
    const char *body; /* into buf, NUL-terminated */
    size_t body_len;
};

/* Monotonic clock in nanoseconds. */
uint64_t httpc_now_ns(void);
/* qsort comparator for uint64_t (latencies in ns). */
int httpc_cmp_u64(const void *a, const void *b);
/* Nearest-rank percentile of sorted v (p in 0..100), in ms; 0 when n is 0. */
double httpc_pct_ms(const uint64_t *v, size_t n, double p);

/* Connect (blocking, TCP_NODELAY). 0, or -1 with errno set. */
int httpc_open(struct httpc *c, const char *host, const char *port, double timeout_s);
void httpc_close(struct httpc *c);

/* Write one POST / with the given X-Amz-Target (NULL: none) and Content-Type. 0 or -1. */
int httpc_send(struct httpc *c, const char *target, const char *ctype, const char *body,
               size_t body_len);
/* Read one whole answer into c->status / c->body. 0, or -1 (I/O error, timeout, or an answer
 * this client does not understand). */
int httpc_recv(struct httpc *c);
/* httpc_send + httpc_recv. */
int httpc_call(struct httpc *c, const char *target, const char *ctype, const char *body,
               size_t body_len);

/* An AWS JSON 1.0 SQS call: X-Amz-Target: AmazonSQS.<op>. 0 or -1 (I/O). */
int httpc_sqs(struct httpc *c, const char *op, const char *json);
/* CreateQueue name; its QueueUrl into url (cap bytes). 0, or -1 (I/O, not 200, or no
 * QueueUrl in the answer: c->status and c->body tell which). */
int httpc_sqs_create_queue(struct httpc *c, const char *name, char *url, size_t cap);

/* The string value after `"key":"` at or after p, copied into out (cap bytes); the position
 * after it, or NULL. Not a JSON parser: awslet's answers are compact and the values read
 * here (ids, handles, URLs, numbers as strings) hold no escaped quote. */
const char *httpc_json_str(const char *p, const char *key, char *out, size_t cap);

#endif
