/* sqs_cycle.c: the SQS send -> receive -> delete cycle benchmark.
 *
 * P producer threads (default 4) SendMessage N messages (default 200,000) between them over
 * AWS JSON 1.0, one keep-alive connection and one request at a time each; C consumer
 * threads (default 4) ReceiveMessage (MaxNumberOfMessages 10, WaitTimeSeconds 1) and
 * DeleteMessageBatch what they got, until every sent message has been deleted. Every
 * MessageId is tracked: the producer records it when its send is acknowledged, the consumer
 * when it is received and when its delete succeeds. The figure is N / (time from the start
 * to the last successful delete). At the end the queue's ApproximateNumberOfMessages,
 * ...NotVisible and ...Delayed must all be 0, every acknowledged MessageId must have been
 * received and deleted, and no unknown MessageId may have been received; otherwise the run
 * fails (exit 1). Not part of the test suite.
 *
 * Usage: sqs_cycle [-h host] [-p port] [-q queue] [-n messages] [--producers P]
 *                  [--consumers C] [--body-size B] [--max-time secs] [--json] [--label L] */
#define _GNU_SOURCE
#include "httpc.h"

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_LEN    36 /* a MessageId is a UUID */
#define BATCH_MAX 10

static const char *opt_host = "127.0.0.1", *opt_port = "4566", *opt_queue = "cycle";
static long opt_messages = 200000;
static int opt_producers = 4, opt_consumers = 4, opt_body_size = 100;
static double opt_max_time = 180;
static bool opt_json;
static const char *opt_label = "cycle";

static char queue_url[512];
static uint64_t t_start, t_deadline;
static atomic_ullong t_last_delete;
static atomic_long next_ticket; /* producers: messages handed out */
static atomic_long deleted;     /* distinct MessageIds deleted */
static atomic_long errors;      /* failed calls (I/O or non-2xx) */
static atomic_long receives, empty_receives, received_total, delete_failed;
static atomic_bool stop;

/* ---- MessageId table: open addressing, one lock (a few 10^4 operations/s) ---------------- */
struct id_slot {
    char id[ID_LEN + 1];
    bool used, sent, deleted;
    unsigned received; /* times received */
};

static struct id_slot *ids;
static size_t ids_mask;
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of id (created if absent); NULL when the table is full. Caller holds ids_lock. */
static struct id_slot *
id_slot(const char *id)
{
    uint64_t h = 1469598103934665603u;
    size_t i, n;

    for (i = 0; i < ID_LEN; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211u;
    for (i = h & ids_mask, n = 0; n <= ids_mask; i = (i + 1) & ids_mask, n++) {
        if (!ids[i].used) {
            ids[i].used = true;
            memcpy(ids[i].id, id, ID_LEN);
            return &ids[i];
        }
        if (memcmp(ids[i].id, id, ID_LEN) == 0)
            return &ids[i];
    }
    return NULL;
}

enum id_event { ID_SENT, ID_RECEIVED, ID_DELETED };

static void
id_mark(const char *id, enum id_event ev)
{
    struct id_slot *s;

    pthread_mutex_lock(&ids_lock);
    s = id_slot(id);
    if (s) {
        if (ev == ID_SENT)
            s->sent = true;
        else if (ev == ID_RECEIVED)
            s->received++;
        else if (!s->deleted) {
            s->deleted = true;
            if (atomic_fetch_add(&deleted, 1) + 1 >= opt_messages) {
                atomic_store(&t_last_delete, httpc_now_ns());
                atomic_store(&stop, true);
            }
        }
    }
    pthread_mutex_unlock(&ids_lock);
    if (!s) {
        fprintf(stderr, "sqs_cycle: MessageId table full\n");
        atomic_fetch_add(&errors, 1);
        atomic_store(&stop, true);
    }
}

static bool
call_ok(struct httpc *c, const char *op, const char *json)
{
    if (httpc_sqs(c, op, json) != 0 || c->status != 200) {
        if (atomic_fetch_add(&errors, 1) < 5)
            fprintf(stderr, "sqs_cycle: %s failed: %d %.300s\n", op, c->status,
                    c->status ? c->body : "(no answer)");
        return false;
    }
    return true;
}

static void *
producer(void *arg)
{
    struct httpc c;
    char *req = malloc(sizeof(queue_url) + (size_t)opt_body_size + 128), id[ID_LEN + 1];
    long t;
    int n;

    (void)arg;
    if (!req || httpc_open(&c, opt_host, opt_port, 30) != 0) {
        fprintf(stderr, "sqs_cycle: producer cannot connect\n");
        atomic_fetch_add(&errors, 1);
        atomic_store(&stop, true);
        free(req);
        return NULL;
    }
    while (!atomic_load(&stop) && httpc_now_ns() < t_deadline &&
           (t = atomic_fetch_add(&next_ticket, 1)) < opt_messages) {
        n = sprintf(req, "{\"QueueUrl\":\"%s\",\"MessageBody\":\"m%09ld", queue_url, t);
        memset(req + n, 'x', (size_t)(opt_body_size > 10 ? opt_body_size - 10 : 0));
        n += opt_body_size > 10 ? opt_body_size - 10 : 0;
        strcpy(req + n, "\"}");
        if (!call_ok(&c, "SendMessage", req) ||
            !httpc_json_str(c.body, "MessageId", id, sizeof(id)) || strlen(id) != ID_LEN) {
            atomic_store(&stop, true);
            break;
        }
        id_mark(id, ID_SENT);
    }
    httpc_close(&c);
    free(req);
    return NULL;
}

static void *
consumer(void *arg)
{
    struct httpc c;
    char recv_req[640], *del = malloc(16384), id[ID_LEN + 1], handle[1024], sid[16];
    const char *p, *q, *end;
    int k, i, n, ok;

    (void)arg;
    if (!del || httpc_open(&c, opt_host, opt_port, 30) != 0) {
        fprintf(stderr, "sqs_cycle: consumer cannot connect\n");
        atomic_fetch_add(&errors, 1);
        atomic_store(&stop, true);
        free(del);
        return NULL;
    }
    snprintf(recv_req, sizeof(recv_req),
             "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":1}", queue_url);
    while (!atomic_load(&stop) && httpc_now_ns() < t_deadline) {
        if (!call_ok(&c, "ReceiveMessage", recv_req))
            break;
        atomic_fetch_add(&receives, 1);
        n = sprintf(del, "{\"QueueUrl\":\"%s\",\"Entries\":[", queue_url);
        for (k = 0, p = c.body;
             k < BATCH_MAX && (p = httpc_json_str(p, "MessageId", id, sizeof(id))); k++) {
            if (!(p = httpc_json_str(p, "ReceiptHandle", handle, sizeof(handle))))
                break;
            id_mark(id, ID_RECEIVED);
            n += sprintf(del + n, "%s{\"Id\":\"%d\",\"ReceiptHandle\":\"%s\"}", k ? "," : "", k,
                         handle);
        }
        if (k == 0) {
            atomic_fetch_add(&empty_receives, 1);
            continue;
        }
        atomic_fetch_add(&received_total, k);
        strcpy(del + n, "]}");
        /* remember which entry is which message: the ids, in entry order */
        {
            char ents[BATCH_MAX][ID_LEN + 1];
            int j = 0;

            for (p = c.body; j < k && (p = httpc_json_str(p, "MessageId", ents[j], ID_LEN + 1));
                 j++)
                ;
            if (!call_ok(&c, "DeleteMessageBatch", del))
                break;
            /* Successful: [{"Id":"3"}, ...] up to its closing bracket (Ids hold none). */
            q = strstr(c.body, "\"Successful\":[");
            end = q ? strchr(q, ']') : NULL;
            ok = 0;
            for (p = q; end && (p = httpc_json_str(p, "Id", sid, sizeof(sid))) && p < end;) {
                i = atoi(sid);
                if (i >= 0 && i < j) {
                    id_mark(ents[i], ID_DELETED);
                    ok++;
                }
            }
            if (ok != k)
                atomic_fetch_add(&delete_failed, k - ok);
        }
    }
    httpc_close(&c);
    free(del);
    return NULL;
}

/* An attribute's value from GetQueueAttributes, or -1. */
static long
queue_attr(const char *body, const char *name)
{
    char v[32];

    return httpc_json_str(body, name, v, sizeof(v)) ? atol(v) : -1;
}

static void
usage(FILE *f)
{
    fprintf(f, "usage: sqs_cycle [-h host] [-p port] [-q queue] [-n messages] [--producers P]\n"
               "                 [--consumers C] [--body-size B] [--max-time secs] [--json]\n"
               "                 [--label L]\n");
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"queue", required_argument, NULL, 'q'},
        {"messages", required_argument, NULL, 'n'},
        {"producers", required_argument, NULL, 1},
        {"consumers", required_argument, NULL, 2},
        {"body-size", required_argument, NULL, 3},
        {"max-time", required_argument, NULL, 4},
        {"json", no_argument, NULL, 5},
        {"label", required_argument, NULL, 6},
        {"help", no_argument, NULL, 7},
        {NULL, 0, NULL, 0},
    };
    pthread_t *th;
    struct httpc c;
    char req[640];
    long sent = 0, recv_distinct = 0, recv_dup = 0, foreign = 0, lost = 0, vis, nvis, dly;
    size_t cap, i;
    int opt, nth, t;
    double secs, rate;
    bool pass;

    while ((opt = getopt_long(argc, argv, "h:p:q:n:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            opt_host = optarg;
            break;
        case 'p':
            opt_port = optarg;
            break;
        case 'q':
            opt_queue = optarg;
            break;
        case 'n':
            opt_messages = atol(optarg);
            break;
        case 1:
            opt_producers = atoi(optarg);
            break;
        case 2:
            opt_consumers = atoi(optarg);
            break;
        case 3:
            opt_body_size = atoi(optarg);
            break;
        case 4:
            opt_max_time = atof(optarg);
            break;
        case 5:
            opt_json = true;
            break;
        case 6:
            opt_label = optarg;
            break;
        case 7:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || opt_messages < 1 || opt_producers < 1 || opt_consumers < 1 ||
        opt_body_size < 1 || opt_body_size > 200000 || opt_max_time <= 0) {
        usage(stderr);
        return 2;
    }
    for (cap = 1024; cap < (size_t)opt_messages * 2; cap *= 2)
        ;
    ids = calloc(cap, sizeof(*ids));
    ids_mask = cap - 1;
    th = calloc((size_t)(opt_producers + opt_consumers), sizeof(*th));
    if (!ids || !th) {
        fprintf(stderr, "sqs_cycle: out of memory\n");
        return 2;
    }

    /* A queue of our own, empty at the start. */
    if (httpc_open(&c, opt_host, opt_port, 30) != 0) {
        fprintf(stderr, "sqs_cycle: cannot connect to %s:%s\n", opt_host, opt_port);
        return 1;
    }
    if (httpc_sqs_create_queue(&c, opt_queue, queue_url, sizeof(queue_url)) != 0) {
        fprintf(stderr, "sqs_cycle: CreateQueue failed: %d %.300s\n", c.status,
                c.status ? c.body : "(no answer)");
        return 1;
    }
    snprintf(req, sizeof(req), "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", queue_url);
    if (!call_ok(&c, "GetQueueAttributes", req))
        return 1;
    if (queue_attr(c.body, "ApproximateNumberOfMessages") != 0 ||
        queue_attr(c.body, "ApproximateNumberOfMessagesNotVisible") != 0) {
        fprintf(stderr, "sqs_cycle: queue %s is not empty\n", opt_queue);
        return 1;
    }

    t_start = httpc_now_ns();
    t_deadline = t_start + (uint64_t)(opt_max_time * 1e9);
    nth = opt_producers + opt_consumers;
    for (t = 0; t < nth; t++)
        if (pthread_create(&th[t], NULL, t < opt_producers ? producer : consumer, NULL) != 0) {
            fprintf(stderr, "sqs_cycle: cannot start a thread\n");
            return 2;
        }
    for (t = 0; t < nth; t++)
        pthread_join(th[t], NULL);

    /* The books: every acknowledged send received and deleted, nothing unknown received. */
    for (i = 0; i < cap; i++) {
        if (!ids[i].used)
            continue;
        sent += ids[i].sent;
        if (!ids[i].sent)
            foreign++;
        if (ids[i].received)
            recv_distinct++;
        if (ids[i].received > 1)
            recv_dup += ids[i].received - 1;
        if (ids[i].sent && (!ids[i].received || !ids[i].deleted))
            lost++;
    }
    /* And the queue itself is empty. */
    if (!call_ok(&c, "GetQueueAttributes", req))
        return 1;
    vis = queue_attr(c.body, "ApproximateNumberOfMessages");
    nvis = queue_attr(c.body, "ApproximateNumberOfMessagesNotVisible");
    dly = queue_attr(c.body, "ApproximateNumberOfMessagesDelayed");
    httpc_close(&c);

    secs = atomic_load(&t_last_delete) ? (double)(atomic_load(&t_last_delete) - t_start) / 1e9
                                       : (double)(httpc_now_ns() - t_start) / 1e9;
    rate = (double)atomic_load(&deleted) / secs;
    pass = sent == opt_messages && atomic_load(&deleted) == opt_messages && lost == 0 &&
           foreign == 0 && vis == 0 && nvis == 0 && dly == 0 && atomic_load(&errors) == 0;

    printf("%s: %ld messages sent, received and deleted in %.2f s by %d producers and %d "
           "consumers\n",
           opt_label, atomic_load(&deleted), secs, opt_producers, opt_consumers);
    printf("  messages/s %.1f (end to end)\n", rate);
    printf("  sent (acknowledged) %ld, received distinct %ld (+%ld again), deleted %ld, "
           "lost %ld, unknown %ld\n",
           sent, recv_distinct, recv_dup, atomic_load(&deleted), lost, foreign);
    printf("  receives %ld (%ld empty, %.2f messages each), failed deletes %ld, errors %ld\n",
           atomic_load(&receives), atomic_load(&empty_receives),
           atomic_load(&receives)
               ? (double)atomic_load(&received_total) / (double)atomic_load(&receives)
               : 0.0,
           atomic_load(&delete_failed), atomic_load(&errors));
    printf("  queue at the end: visible %ld, not visible %ld, delayed %ld -> %s\n", vis, nvis, dly,
           pass ? "PASS: none lost" : "FAIL");
    if (opt_json)
        printf("{\"label\":\"%s\",\"messages\":%ld,\"seconds\":%.3f,\"msgs_per_s\":%.1f,"
               "\"sent\":%ld,\"received_distinct\":%ld,\"received_again\":%ld,\"deleted\":%ld,"
               "\"lost\":%ld,\"unknown\":%ld,\"receives\":%ld,\"empty_receives\":%ld,"
               "\"failed_deletes\":%ld,\"errors\":%ld,\"visible_end\":%ld,"
               "\"not_visible_end\":%ld,\"delayed_end\":%ld,\"pass\":%d}\n",
               opt_label, opt_messages, secs, rate, sent, recv_distinct, recv_dup,
               atomic_load(&deleted), lost, foreign, atomic_load(&receives),
               atomic_load(&empty_receives), atomic_load(&delete_failed), atomic_load(&errors), vis,
               nvis, dly, pass ? 1 : 0);
    free(ids);
    free(th);
    return pass ? 0 : 1;
}
