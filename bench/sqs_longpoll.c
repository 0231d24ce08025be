/* sqs_longpoll.c: many SQS long polls on an empty queue, then as many sends.
 *
 * Opens N connections (default 1000) and sends on each a ReceiveMessage with
 * WaitTimeSeconds 20 and MaxNumberOfMessages 1 (AWS JSON 1.0) on an empty queue of its own.
 * After a settling time (default 2 s; any answer in it is counted, and must not come) it
 * reads the daemon's thread count and memory from /proc/PID/status (--pid), then S sender
 * threads (default 8, one keep-alive connection each) SendMessage N messages as fast as they
 * are acknowledged. It reports the time from the first send until every poll has been
 * answered with a message, and from the last acknowledged send; how many polls were
 * answered empty (any empty answer here comes before its 20 s wait ended: the run is much
 * shorter); and checks that the MessageIds received are exactly those sent, once each.
 * Exit 1 when a poll is answered empty or not at all, or the ids do not match. Raises its
 * own RLIMIT_NOFILE to the hard limit; the daemon needs enough descriptors too.
 *
 * Usage: sqs_longpoll [-h host] [-p port] [-q queue] [--polls N] [--senders S] [--wait W]
 *                     [--settle secs] [--pid PID] [--json] [--label L] */
#define _GNU_SOURCE
#include "httpc.h"

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#define ID_LEN 36

static const char *opt_host = "127.0.0.1", *opt_port = "4566", *opt_queue = "longpoll";
static int opt_polls = 1000, opt_senders = 8, opt_wait = 20;
static double opt_settle = 2;
static long opt_pid;
static bool opt_json;
static const char *opt_label = "longpoll";

static char queue_url[512];
static char (*sent_ids)[ID_LEN + 1]; /* by send ticket */
static atomic_int next_send, send_errors;
static atomic_ullong t_sends_done; /* when the last send was acknowledged */

struct poll {
    struct httpc c;
    uint64_t t_sent, t_answer; /* 0 = not answered */
    int nmsg;
    char id[ID_LEN + 1];
};

/* Threads, VmRSS and VmHWM (kB) of the daemon; 0 if unknown. */
static void
proc_status(long *threads, long *rss_kb, long *hwm_kb)
{
    char path[64], line[256];
    FILE *f;

    *threads = *rss_kb = *hwm_kb = 0;
    snprintf(path, sizeof(path), "/proc/%ld/status", opt_pid);
    if (opt_pid <= 0 || !(f = fopen(path, "r")))
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Threads:", 8) == 0)
            *threads = atol(line + 8);
        else if (strncmp(line, "VmRSS:", 6) == 0)
            *rss_kb = atol(line + 6);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm_kb = atol(line + 6);
    }
    fclose(f);
}

static void *
sender(void *arg)
{
    struct httpc c;
    char req[1024];
    uint64_t done, prev;
    int t;

    (void)arg;
    if (httpc_open(&c, opt_host, opt_port, 30) != 0) {
        atomic_fetch_add(&send_errors, 1);
        return NULL;
    }
    while ((t = atomic_fetch_add(&next_send, 1)) < opt_polls) {
        snprintf(req, sizeof(req), "{\"QueueUrl\":\"%s\",\"MessageBody\":\"wake %d\"}", queue_url,
                 t);
        if (httpc_sqs(&c, "SendMessage", req) != 0 || c.status != 200 ||
            !httpc_json_str(c.body, "MessageId", sent_ids[t], ID_LEN + 1)) {
            atomic_fetch_add(&send_errors, 1);
            break;
        }
        done = httpc_now_ns();
        prev = atomic_load(&t_sends_done);
        while (prev < done && !atomic_compare_exchange_weak(&t_sends_done, &prev, done))
            ;
    }
    httpc_close(&c);
    return NULL;
}

/* Read the answer of a poll whose socket is readable. */
static void
poll_answer(struct poll *p, int epfd, int *answered, int *empty, int *errors)
{
    const char *q;
    char id[ID_LEN + 1];

    epoll_ctl(epfd, EPOLL_CTL_DEL, p->c.fd, NULL);
    (*answered)++;
    if (httpc_recv(&p->c) != 0 || p->c.status != 200) {
        p->t_answer = httpc_now_ns();
        if ((*errors)++ < 5)
            fprintf(stderr, "sqs_longpoll: a poll failed: %d %.300s\n", p->c.status,
                    p->c.status ? p->c.body : "(no answer)");
        return;
    }
    p->t_answer = httpc_now_ns();
    for (q = p->c.body; (q = httpc_json_str(q, "MessageId", id, sizeof(id)));) {
        if (p->nmsg++ == 0)
            memcpy(p->id, id, sizeof(id));
    }
    if (p->nmsg == 0)
        (*empty)++;
}

static int
cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, ID_LEN);
}

static void
usage(FILE *f)
{
    fprintf(f, "usage: sqs_longpoll [-h host] [-p port] [-q queue] [--polls N] [--senders S]\n"
               "                    [--wait W] [--settle secs] [--pid PID] [--json] [--label L]\n");
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},  {"port", required_argument, NULL, 'p'},
        {"queue", required_argument, NULL, 'q'}, {"polls", required_argument, NULL, 1},
        {"senders", required_argument, NULL, 2}, {"wait", required_argument, NULL, 3},
        {"settle", required_argument, NULL, 4},  {"pid", required_argument, NULL, 5},
        {"json", no_argument, NULL, 6},          {"label", required_argument, NULL, 7},
        {"help", no_argument, NULL, 8},          {NULL, 0, NULL, 0},
    };
    struct rlimit rl;
    struct httpc ctl;
    struct poll *polls;
    struct epoll_event evs[256];
    pthread_t *th;
    char req[640], (*got)[ID_LEN + 1];
    uint64_t t0, t_end, t_settle, t_last = 0, *lat;
    int opt, i, n, answered = 0, early = 0, early_empty = 0, empty = 0, errors = 0, multi = 0;
    int epfd, ngot = 0, matched = 0, dup = 0, with_msg = 0, empty_early = 0;
    long threads, rss, hwm, threads_after, rss_after, hwm_after;
    double all_ms, after_ms, sends_ms, p50_ms;
    bool pass;

    while ((opt = getopt_long(argc, argv, "h:p:q:", longopts, NULL)) != -1) {
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
        case 1:
            opt_polls = atoi(optarg);
            break;
        case 2:
            opt_senders = atoi(optarg);
            break;
        case 3:
            opt_wait = atoi(optarg);
            break;
        case 4:
            opt_settle = atof(optarg);
            break;
        case 5:
            opt_pid = atol(optarg);
            break;
        case 6:
            opt_json = true;
            break;
        case 7:
            opt_label = optarg;
            break;
        case 8:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || opt_polls < 1 || opt_senders < 1 || opt_wait < 1 || opt_wait > 20 ||
        opt_settle < 0) {
        usage(stderr);
        return 2;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    polls = calloc((size_t)opt_polls, sizeof(*polls));
    sent_ids = calloc((size_t)opt_polls, sizeof(*sent_ids));
    got = calloc((size_t)opt_polls, sizeof(*got));
    lat = calloc((size_t)opt_polls, sizeof(*lat));
    th = calloc((size_t)opt_senders, sizeof(*th));
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!polls || !sent_ids || !got || !lat || !th || epfd < 0) {
        fprintf(stderr, "sqs_longpoll: out of memory\n");
        return 2;
    }

    /* A queue of our own, empty. */
    if (httpc_open(&ctl, opt_host, opt_port, 30) != 0) {
        fprintf(stderr, "sqs_longpoll: cannot connect to %s:%s\n", opt_host, opt_port);
        return 1;
    }
    if (httpc_sqs_create_queue(&ctl, opt_queue, queue_url, sizeof(queue_url)) != 0) {
        fprintf(stderr, "sqs_longpoll: CreateQueue failed\n");
        return 1;
    }

    /* The polls. */
    snprintf(req, sizeof(req),
             "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":%d,\"MaxNumberOfMessages\":1}", queue_url,
             opt_wait);
    for (i = 0; i < opt_polls; i++) {
        struct poll *p = &polls[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};

        if (httpc_open(&p->c, opt_host, opt_port, opt_wait + 10) != 0 ||
            httpc_send(&p->c, "AmazonSQS.ReceiveMessage", "application/x-amz-json-1.0", req,
                       strlen(req)) != 0 ||
            epoll_ctl(epfd, EPOLL_CTL_ADD, p->c.fd, &ev) != 0) {
            perror("sqs_longpoll: cannot open a poll connection");
            return 1;
        }
        p->t_sent = httpc_now_ns();
    }
    /* Settle: let the daemon take every poll in; nothing should be answered meanwhile. */
    t_settle = httpc_now_ns() + (uint64_t)(opt_settle * 1e9);
    while (httpc_now_ns() < t_settle) {
        n = epoll_wait(epfd, evs, 256, 50);
        for (i = 0; i < n; i++)
            poll_answer(evs[i].data.ptr, epfd, &answered, &empty, &errors);
    }
    early = answered;
    early_empty = empty;
    proc_status(&threads, &rss, &hwm);

    /* The sends, and the answers they release. */
    t0 = httpc_now_ns();
    for (i = 0; i < opt_senders; i++)
        if (pthread_create(&th[i], NULL, sender, NULL) != 0) {
            fprintf(stderr, "sqs_longpoll: cannot start a thread\n");
            return 2;
        }
    t_end = t0 + (uint64_t)(opt_wait + 5) * 1000000000u;
    while (answered < opt_polls && httpc_now_ns() < t_end) {
        n = epoll_wait(epfd, evs, 256, 100);
        for (i = 0; i < n; i++)
            poll_answer(evs[i].data.ptr, epfd, &answered, &empty, &errors);
    }
    for (i = 0; i < opt_senders; i++)
        pthread_join(th[i], NULL);
    proc_status(&threads_after, &rss_after, &hwm_after);
    (void)threads_after;

    /* The books. */
    for (i = 0; i < opt_polls; i++) {
        struct poll *p = &polls[i];

        if (p->nmsg > 0) {
            with_msg++;
            memcpy(got[ngot++], p->id, ID_LEN + 1);
            lat[with_msg - 1] = p->t_answer - t0;
            if (p->t_answer > t_last)
                t_last = p->t_answer;
        }
        if (p->nmsg > 1)
            multi++;
        if (p->nmsg == 0 && p->t_answer && p->c.status == 200 &&
            p->t_answer - p->t_sent < (uint64_t)opt_wait * 1000000000u)
            empty_early++; /* answered empty before its wait ended */
        httpc_close(&p->c);
    }
    qsort(sent_ids, (size_t)opt_polls, sizeof(*sent_ids), cmp_id);
    qsort(got, (size_t)ngot, sizeof(*got), cmp_id);
    for (i = 0; i < ngot; i++) {
        if (i > 0 && memcmp(got[i], got[i - 1], ID_LEN) == 0)
            dup++;
        else if (bsearch(got[i], sent_ids, (size_t)opt_polls, sizeof(*sent_ids), cmp_id))
            matched++;
    }
    qsort(lat, (size_t)with_msg, sizeof(*lat), httpc_cmp_u64);

    all_ms = t_last ? (double)(t_last - t0) / 1e6 : -1;
    after_ms = t_last && atomic_load(&t_sends_done)
                   ? ((double)t_last - (double)atomic_load(&t_sends_done)) / 1e6
                   : -1;
    sends_ms = atomic_load(&t_sends_done) ? (double)(atomic_load(&t_sends_done) - t0) / 1e6 : -1;
    p50_ms = with_msg ? httpc_pct_ms(lat, (size_t)with_msg, 50) : -1; /* nearest rank */
    pass = with_msg == opt_polls && empty == 0 && errors == 0 && matched == opt_polls && dup == 0 &&
           multi == 0 && atomic_load(&send_errors) == 0;

    printf("%s: %d long polls (WaitTimeSeconds %d) waiting %.1f s, then %d sends from %d "
           "connections\n",
           opt_label, opt_polls, opt_wait, opt_settle, opt_polls, opt_senders);
    printf("  while waiting: daemon threads %ld, VmRSS %.1f MB (VmHWM %.1f MB); "
           "answered before the sends: %d (%d empty)\n",
           threads, rss / 1024.0, hwm / 1024.0, early, early_empty);
    printf("  first send -> all %d polls answered: %.1f ms (sends took %.1f ms; last answer "
           "%.1f ms after the last send; median answer %.1f ms)\n",
           with_msg, all_ms, sends_ms, after_ms, p50_ms);
    printf("  answered with a message %d, empty %d (%d before their wait ended), failed %d, "
           "unanswered %d; ids matched %d, "
           "duplicates %d; send errors %d -> %s\n",
           with_msg, empty, empty_early, errors, opt_polls - answered, matched, dup,
           atomic_load(&send_errors), pass ? "PASS" : "FAIL");
    printf("  after: VmRSS %.1f MB, VmHWM %.1f MB\n", rss_after / 1024.0, hwm_after / 1024.0);
    if (opt_json)
        printf("{\"label\":\"%s\",\"polls\":%d,\"threads\":%ld,\"rss_kb\":%ld,\"hwm_kb\":%ld,"
               "\"early\":%d,\"early_empty\":%d,\"all_ms\":%.1f,\"sends_ms\":%.1f,"
               "\"after_sends_ms\":%.1f,\"p50_ms\":%.1f,\"with_message\":%d,\"empty\":%d,"
               "\"empty_early\":%d,"
               "\"failed\":%d,\"unanswered\":%d,\"matched\":%d,\"duplicates\":%d,"
               "\"hwm_after_kb\":%ld,\"pass\":%d}\n",
               opt_label, opt_polls, threads, rss, hwm, early, early_empty, all_ms, sends_ms,
               after_ms, p50_ms, with_msg, empty, empty_early, errors, opt_polls - answered,
               matched, dup, hwm_after, pass ? 1 : 0);
    httpc_close(&ctl);
    return pass ? 0 : 1;
}
