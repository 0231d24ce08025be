/* startup.c: how fast awslet starts, how much memory it holds idle, how fast it stops.
 *
 * Each run picks a free port and a fresh data directory, takes the time, spawns
 * `awslet --port P --data-dir D [--in-memory] --log-level warn`, and then connects and sends
 * `GET /_awslet/health` in a tight loop (20 µs apart) until one is answered 200: that time is
 * "exec to first served request". After the last run it sends a few more requests, idles
 * 1 s and reads VmRSS and VmHWM from /proc/<pid>/status; every run ends with SIGTERM and the
 * time until the process has exited. As a floor for the start-up figure it also times
 * `awslet --version` (spawn, exec, dynamic linking, exit: no store, no server). Prints
 * min/median/max over the runs and, with --json, one JSON line. Not part of the test suite.
 *
 * Usage: startup --awslet PATH [--runs 20] [--in-memory] [--json] [--label NAME] [--verbose] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUN_TIMEOUT_MS  10000.0 /* a start slower than this is a failure */
#define STOP_TIMEOUT_MS 5000.0  /* then SIGKILL */
#define POLL_GAP_NS     20000   /* between connection attempts */

static const char *opt_awslet;
static int opt_runs = 20;
static bool opt_in_memory;
static bool opt_json;
static bool opt_verbose;
static const char *opt_label = "";

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
nap_ns(long ns)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ns};

    nanosleep(&ts, NULL);
}

/* A port nobody listens on right now (the kernel's choice for port 0). 0 on failure. */
static unsigned
free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    unsigned port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* One GET /_awslet/health on a new connection. 1 if answered 200, 0 if not (yet). */
static int
health_ok(unsigned port)
{
    static const char req[] = "GET /_awslet/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\n\r\n";
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    char buf[4096];
    size_t have = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok = 0;
    struct timeval tv = {.tv_sec = 2};

    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1))
        goto out;
    /* The status line is enough: the request has been served. */
    while (have < 12) {
        n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
        if (n <= 0)
            goto out;
        have += (size_t)n;
    }
    buf[have] = '\0';
    ok = strncmp(buf, "HTTP/1.1 200", 12) == 0 || strncmp(buf, "HTTP/1.0 200", 12) == 0;
    /* Drain the rest so the server is not left writing into a closed socket. */
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        ;
out:
    close(fd);
    return ok;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
rm_rf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Read a "Key:   123 kB" line of /proc/<pid>/status, in kB; -1 if missing. */
static long
proc_status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            kb = strtol(line + klen + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* posix_spawn argv with stdin and stdout (and stderr if quiet_err) on /dev/null. glibc
 * spawns with CLONE_VFORK, so the measurement does not include copying our page tables as a
 * fork() would. The pid, or -1. */
static pid_t
run_quiet(const char **argv, bool quiet_err)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (quiet_err)
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

static pid_t
spawn(unsigned port, const char *dir)
{
    char portbuf[16];
    const char *argv[12];
    int n = 0;

    snprintf(portbuf, sizeof(portbuf), "%u", port);
    argv[n++] = opt_awslet;
    argv[n++] = "--port";
    argv[n++] = portbuf;
    argv[n++] = "--data-dir";
    argv[n++] = dir;
    argv[n++] = "--log-level";
    argv[n++] = "warn";
    if (opt_in_memory)
        argv[n++] = "--in-memory";
    argv[n] = NULL;

    return run_quiet(argv, !opt_verbose);
}

/* SIGTERM, then wait; the milliseconds until it exited, or -1 if it had to be killed. */
static double
stop(pid_t pid, int *status)
{
    double t0 = now_ms();

    kill(pid, SIGTERM);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return now_ms() - t0;
        if (r < 0)
            return -1;
        if (now_ms() - t0 > STOP_TIMEOUT_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            return -1;
        }
        nap_ns(100000);
    }
}

/* Spawn `awslet --version` and wait: the cost of starting the process at all. ms or -1. */
static double
exec_floor_ms(void)
{
    const char *argv[] = {opt_awslet, "--version", NULL};
    double t0 = now_ms();
    int status;
    pid_t pid = run_quiet(argv, false);

    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    return now_ms() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"awslet", required_argument, NULL, 'a'},
        {"runs", required_argument, NULL, 'n'},
        {"in-memory", no_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"label", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    double *start_ms, *stop_ms, *floor_ms, smin, smax, smed, tmed, fmed;
    long rss_kb = -1, hwm_kb = -1;
    int opt, i, status, stops = 0;

    while ((opt = getopt_long(argc, argv, "a:n:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'a':
            opt_awslet = optarg;
            break;
        case 'n':
            opt_runs = atoi(optarg);
            break;
        case 'm':
            opt_in_memory = true;
            break;
        case 'j':
            opt_json = true;
            break;
        case 'l':
            opt_label = optarg;
            break;
        case 'v':
            opt_verbose = true;
            break;
        default:
            fprintf(stderr, "usage: startup --awslet PATH [--runs N] [--in-memory] [--json] "
                            "[--label NAME] [--verbose]\n");
            return 2;
        }
    }
    if (!opt_awslet || opt_runs < 1 || access(opt_awslet, X_OK) != 0) {
        fprintf(stderr, "startup: --awslet must name the awslet executable\n");
        return 2;
    }
    start_ms = calloc((size_t)opt_runs, sizeof(double));
    stop_ms = calloc((size_t)opt_runs, sizeof(double));
    floor_ms = calloc((size_t)opt_runs, sizeof(double));
    if (!start_ms || !stop_ms || !floor_ms)
        return 1;

    for (i = 0; i < opt_runs; i++)
        if ((floor_ms[i] = exec_floor_ms()) < 0) {
            fprintf(stderr, "startup: '%s --version' failed\n", opt_awslet);
            return 1;
        }

    for (i = 0; i < opt_runs; i++) {
        char dir[4096];
        unsigned port = free_port();
        double t0, t1;
        pid_t pid;

        snprintf(dir, sizeof(dir), "%s/awslet-startup-XXXXXX", tmp);
        if (port == 0 || !mkdtemp(dir)) {
            fprintf(stderr, "startup: cannot get a port or a temporary directory\n");
            return 1;
        }
        t0 = now_ms();
        pid = spawn(port, dir);
        if (pid < 0) {
            fprintf(stderr, "startup: cannot start '%s': %s\n", opt_awslet, strerror(errno));
            return 1;
        }
        while (!health_ok(port)) {
            if (waitpid(pid, &status, WNOHANG) == pid) {
                fprintf(stderr,
                        "startup: awslet exited before serving (status %d); rerun "
                        "with --verbose\n",
                        status);
                rm_rf(dir);
                return 1;
            }
            if (now_ms() - t0 > RUN_TIMEOUT_MS) {
                fprintf(stderr, "startup: no 200 from /_awslet/health within %.0f ms\n",
                        RUN_TIMEOUT_MS);
                stop(pid, &status);
                rm_rf(dir);
                return 1;
            }
            nap_ns(POLL_GAP_NS);
        }
        t1 = now_ms();
        start_ms[i] = t1 - t0;

        if (i == opt_runs - 1) {
            int k;

            /* Idle memory after a little real work. */
            for (k = 0; k < 10; k++)
                health_ok(port);
            sleep(1);
            rss_kb = proc_status_kb(pid, "VmRSS");
            hwm_kb = proc_status_kb(pid, "VmHWM");
        }
        stop_ms[i] = stop(pid, &status);
        if (stop_ms[i] < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr,
                    "startup: run %d: awslet did not stop cleanly on SIGTERM "
                    "(status %d)\n",
                    i + 1, status);
            stop_ms[i] = STOP_TIMEOUT_MS;
        } else {
            stops++;
        }
        rm_rf(dir);
    }

    smed = median(start_ms, opt_runs); /* sorts */
    smin = start_ms[0];
    smax = start_ms[opt_runs - 1];
    tmed = median(stop_ms, opt_runs);
    fmed = median(floor_ms, opt_runs);
    printf("%s%sstartup (exec to first 200) over %d runs: min %.2f  median %.2f  max %.2f ms\n",
           opt_label, *opt_label ? ": " : "", opt_runs, smin, smed, smax);
    printf("  floor: spawn+exec+exit of 'awslet --version': median %.2f ms\n", fmed);
    printf("  idle after 1 s: VmRSS %.1f MB  VmHWM %.1f MB\n", (double)rss_kb / 1024.0,
           (double)hwm_kb / 1024.0);
    printf("  SIGTERM to exit: median %.2f ms  (%d/%d clean stops)\n", tmed, stops, opt_runs);
    if (opt_json)
        printf("{\"label\":\"%s\",\"runs\":%d,\"start_min_ms\":%.3f,\"start_median_ms\":%.3f,"
               "\"start_max_ms\":%.3f,\"rss_kb\":%ld,\"hwm_kb\":%ld,\"stop_median_ms\":%.3f,"
               "\"clean_stops\":%d,\"exec_floor_median_ms\":%.3f}\n",
               opt_label, opt_runs, smin, smed, smax, rss_kb, hwm_kb, tmed, stops, fmed);
    free(start_ms);
    free(stop_ms);
    free(floor_ms);
    return stops == opt_runs ? 0 : 1;
}
