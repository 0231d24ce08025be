/* ceiling.c: the "ceiling" server awslet's throughput is compared with.
 *
 * The least work libmicrohttpd can do per request with the daemon's own set-up (the flags
 * and limits of src/core/server.c: a pool of N internal threads over epoll, suspend/resume
 * allowed): every request (any method, any path, body read and dropped) is answered 200 OK
 * with one fixed 200-byte JSON body, from a response each worker thread builds once (so the
 * threads share no response lock). Whatever awslet adds on top (routing, request objects,
 * JSON, logging) is what bench/run.sh's awslet/ceiling ratio shows.
 *
 * Usage: ceiling [--host 127.0.0.1] [--port 0] [--threads N] [--port-file PATH]
 * Runs until SIGINT or SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define BODY_SIZE 200

static char body[BODY_SIZE];
static __thread struct MHD_Response *fixed; /* this worker thread's response */
static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* Answer every request with the shared response once its body (if any) has been read. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    static int first_call_marker;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &first_call_marker; /* headers only so far */
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* drop the body */
        return MHD_YES;
    }
    if (!fixed) {
        fixed = MHD_create_response_from_buffer(BODY_SIZE, body, MHD_RESPMEM_PERSISTENT);
        if (!fixed || MHD_add_response_header(fixed, "Content-Type", "application/json") != MHD_YES)
            return MHD_NO;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, fixed);
}

/* Build the 200-byte body: a JSON object padded to size. */
static void
make_body(char *out)
{
    static const char head[] = "{\"status\":\"running\",\"server\":\"ceiling\",\"pad\":\"";
    size_t n = sizeof(head) - 1;

    memcpy(out, head, n);
    memset(out + n, 'x', BODY_SIZE - n - 2);
    memcpy(out + BODY_SIZE - 2, "\"}", 2);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"threads", required_argument, NULL, 't'},
        {"port-file", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 1},
        {NULL, 0, NULL, 0},
    };
    const char *host = "127.0.0.1", *port_file = NULL;
    unsigned port = 0, threads;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    struct sigaction act = {.sa_handler = on_signal};
    sigset_t mask, old;
    int opt;

    threads = ncpu > 2 ? (unsigned)ncpu : 2; /* awslet's default: CPUs, at least 2 */
    while ((opt = getopt_long(argc, argv, "h:p:t:f:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            host = optarg;
            break;
        case 'p':
            port = (unsigned)atoi(optarg);
            break;
        case 't':
            threads = (unsigned)atoi(optarg);
            break;
        case 'f':
            port_file = optarg;
            break;
        case 1:
            printf("usage: ceiling [--host H] [--port P] [--threads N] [--port-file PATH]\n");
            return 0;
        default:
            return 2;
        }
    }
    if (threads < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "ceiling: bad --host, --port or --threads\n");
        return 2;
    }
    sa.sin_port = htons((unsigned short)port);

    /* Block the stop signals before MHD starts its threads (they inherit the mask), and
     * wait for them with sigsuspend on this thread so none slips in before we sleep. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, &old);

    make_body(body);

    /* The same flags and limits as server_start() in src/core/server.c (keep them in step:
     * the memory limit matters, libmicrohttpd zeroes the pool for every request):
     * automatic polling (epoll on Linux) in a pool of internal threads, suspend/resume. */
    d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
                             MHD_USE_ERROR_LOG,
                         0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned int)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "ceiling: cannot listen on %s:%u\n", host, port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : port;
    if (port_file) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file)) {
            fprintf(stderr, "ceiling: cannot write '%s'\n", port_file);
            MHD_stop_daemon(d);
            return 1;
        }
    }
    fprintf(stderr, "ceiling: listening on %s:%u with %u threads\n", host, port, threads);

    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    while (!stopping)
        sigsuspend(&old);

    MHD_stop_daemon(d);
    return 0;
}
