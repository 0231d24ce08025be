/* main.c: awslet's command line, start-up and shutdown.
 *
 * Configuration comes from flags, else AWSLET_* environment variables, else defaults. The
 * start-up order: store (open + migrate) → test-clock offset → services → scheduler →
 * HTTP server → port file. SIGTERM/SIGINT are taken synchronously with sigwait() on the main
 * thread (blocked in every other thread), and the stop runs the start-up in reverse. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awslet.h"
#include "core/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/server.h"
#include "core/timer.h"
#include "services/service.h"
#include "store/store.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: awslet [options]\n"
            "\n"
            "A local AWS emulator: SQS, SNS, DynamoDB (+ Streams), Lambda, API Gateway and\n"
            "CloudWatch Logs on one port, state in SQLite.\n"
            "\n"
            "  --host ADDR           listen address (AWSLET_HOST, default 127.0.0.1)\n"
            "  --port N              listen port, 0 = any free port (AWSLET_PORT, default 4566)\n"
            "  --data-dir DIR        state directory (AWSLET_DATA_DIR, default ./.awslet)\n"
            "  --in-memory           keep state in memory only (AWSLET_IN_MEMORY=1)\n"
            "  --region NAME         default region (AWSLET_REGION, default us-east-1)\n"
            "  --account-id ID       default 12-digit account (AWSLET_ACCOUNT_ID,\n"
            "                        default 000000000000)\n"
            "  --log-level LEVEL     debug|info|warn|error (AWSLET_LOG_LEVEL, default info)\n"
            "  --log-format FORMAT   text|json (AWSLET_LOG_FORMAT, default text)\n"
            "  --max-body-size N     largest request body in bytes (AWSLET_MAX_BODY_SIZE,\n"
            "                        default 16777216)\n"
            "  --threads N           HTTP worker threads (AWSLET_THREADS, default: CPUs, >= 2)\n"
            "  --test-clock          allow POST /_awslet/clock to advance time\n"
            "                        (AWSLET_TEST_CLOCK=1)\n"
            "  --port-file PATH      write the bound port here once listening\n"
            "                        (AWSLET_PORT_FILE)\n"
            "  --ddb-status-delay-ms N  how long a DynamoDB table stays CREATING, UPDATING or\n"
            "                        DELETING (AWSLET_DDB_STATUS_DELAY_MS, default 0)\n"
            "  --ttl-interval SECONDS   how often expired DynamoDB items are swept\n"
            "                        (AWSLET_TTL_INTERVAL, default 5)\n"
            "  --help                this text\n"
            "  --version             print the version\n");
}

static int
parse_uint(const char *name, const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v > max || s[0] == '-') {
        fprintf(stderr, "awslet: invalid %s '%s'\n", name, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int
parse_bool_env(const char *s)
{
    return s && (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0);
}

/* Apply one setting; the same path for flags and environment. 0 or -1 (message printed). */
static int
config_set(int opt, const char *val)
{
    unsigned long long v;

    switch (opt) {
    case 'H':
        awslet_cfg.host = val;
        break;
    case 'p':
        if (parse_uint("port", val, 65535, &v) != 0)
            return -1;
        awslet_cfg.port = (unsigned)v;
        break;
    case 'd':
        if (!*val) {
            fprintf(stderr, "awslet: the data dir must not be empty\n");
            return -1;
        }
        awslet_cfg.data_dir = val;
        break;
    case 'm':
        awslet_cfg.in_memory = true;
        break;
    case 'r':
        if (!*val) {
            fprintf(stderr, "awslet: the region must not be empty\n");
            return -1;
        }
        awslet_cfg.region = val;
        break;
    case 'a':
        if (strlen(val) != 12 || strspn(val, "0123456789") != 12) {
            fprintf(stderr, "awslet: invalid account id '%s': 12 digits expected\n", val);
            return -1;
        }
        awslet_cfg.account_id = val;
        break;
    case 'l':
        if (log_set_level(val) != 0) {
            fprintf(stderr, "awslet: invalid log level '%s'\n", val);
            return -1;
        }
        awslet_cfg.log_level = val;
        break;
    case 'f':
        if (log_set_format(val) != 0) {
            fprintf(stderr, "awslet: invalid log format '%s'\n", val);
            return -1;
        }
        awslet_cfg.log_format = val;
        break;
    case 'b':
        if (parse_uint("max body size", val, (1ull << 31), &v) != 0 || v == 0)
            return -1;
        awslet_cfg.max_body_size = (size_t)v;
        break;
    case 't':
        if (parse_uint("thread count", val, 256, &v) != 0 || v == 0)
            return -1;
        awslet_cfg.threads = (unsigned)v;
        break;
    case 'c':
        awslet_cfg.test_clock = true;
        break;
    case 'P':
        awslet_cfg.port_file = val;
        break;
    case 'D':
        if (parse_uint("DynamoDB status delay", val, 3600000, &v) != 0)
            return -1;
        awslet_cfg.ddb_status_delay_ms = (long long)v;
        break;
    case 'T':
        if (parse_uint("TTL interval", val, 86400, &v) != 0 || v == 0)
            return -1;
        awslet_cfg.ttl_interval_s = (unsigned)v;
        break;
    }
    return 0;
}

static const struct option options[] = {
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"data-dir", required_argument, NULL, 'd'},
    {"in-memory", no_argument, NULL, 'm'},
    {"region", required_argument, NULL, 'r'},
    {"account-id", required_argument, NULL, 'a'},
    {"log-level", required_argument, NULL, 'l'},
    {"log-format", required_argument, NULL, 'f'},
    {"max-body-size", required_argument, NULL, 'b'},
    {"threads", required_argument, NULL, 't'},
    {"test-clock", no_argument, NULL, 'c'},
    {"port-file", required_argument, NULL, 'P'},
    {"ddb-status-delay-ms", required_argument, NULL, 'D'},
    {"ttl-interval", required_argument, NULL, 'T'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const struct {
    const char *env;
    int opt;
    bool flag; /* boolean: set when the variable is 1/true/yes */
} env_options[] = {
    {"AWSLET_HOST", 'H', false},          {"AWSLET_PORT", 'p', false},
    {"AWSLET_DATA_DIR", 'd', false},      {"AWSLET_IN_MEMORY", 'm', true},
    {"AWSLET_REGION", 'r', false},        {"AWSLET_ACCOUNT_ID", 'a', false},
    {"AWSLET_LOG_LEVEL", 'l', false},     {"AWSLET_LOG_FORMAT", 'f', false},
    {"AWSLET_MAX_BODY_SIZE", 'b', false}, {"AWSLET_THREADS", 't', false},
    {"AWSLET_TEST_CLOCK", 'c', true},     {"AWSLET_PORT_FILE", 'P', false},
    {"AWSLET_DDB_STATUS_DELAY_MS", 'D', false}, {"AWSLET_TTL_INTERVAL", 'T', false},
};

/* 0 to run, 1 to exit 0 (help/version), 2 for a usage error. */
static int
config_load(int argc, char **argv)
{
    int opt;

    for (size_t i = 0; i < ARRAY_SIZE(env_options); i++) {
        const char *v = getenv(env_options[i].env);
        if (!v)
            continue;
        if (env_options[i].flag) {
            if (parse_bool_env(v) && config_set(env_options[i].opt, v) != 0)
                return 2;
        } else if (config_set(env_options[i].opt, v) != 0) {
            fprintf(stderr, "awslet: (from %s)\n", env_options[i].env);
            return 2;
        }
    }
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 1;
        }
        if (opt == 'V') {
            printf("awslet %s\n", AWSLET_VERSION);
            return 1;
        }
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "awslet: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
        if (config_set(opt, optarg) != 0)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "awslet: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (awslet_cfg.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        awslet_cfg.threads = n < 2 ? 2 : (n > 16 ? 16 : (unsigned)n);
    }
    return 0;
}

/* Write the bound port atomically, so a reader never sees a half-written file. */
static int
write_port_file(const char *path, unsigned port)
{
    char tmp[PATH_MAX];
    FILE *f;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return -1;
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int
services_init(void)
{
    for (size_t i = 0; i < awslet_n_services; i++) {
        if (awslet_services[i]->init && awslet_services[i]->init() != 0) {
            log_error("cannot start service '%s'", awslet_services[i]->name);
            return -1;
        }
    }
    return 0;
}

static void
services_shutdown(void)
{
    for (size_t i = awslet_n_services; i-- > 0;)
        if (awslet_services[i]->shutdown)
            awslet_services[i]->shutdown();
}

int
main(int argc, char **argv)
{
    sigset_t sigs;
    int sig, rc;

    rc = config_load(argc, argv);
    if (rc)
        return rc == 1 ? 0 : 2;
    awslet_cfg.started_ms = clock_now_ms();
    clock_enable_test(awslet_cfg.test_clock);

    /* Block the stop signals before any thread exists so that only sigwait() sees them;
     * a client hanging up must never kill the daemon with SIGPIPE. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (store_open(awslet_cfg.data_dir, awslet_cfg.in_memory) != 0)
        return 1;
    if (admin_restore_clock() != 0 || services_init() != 0 || timer_start() != 0) {
        store_close();
        return 1;
    }
    if (server_start() != 0) {
        timer_stop();
        services_shutdown();
        store_close();
        return 1;
    }
    if (awslet_cfg.port_file && write_port_file(awslet_cfg.port_file, awslet_cfg.bound_port)) {
        log_error("cannot write port file '%s': %s", awslet_cfg.port_file, strerror(errno));
        server_stop(0);
        timer_stop();
        services_shutdown();
        store_close();
        return 1;
    }
    log_info("awslet %s listening on http://%s:%u (%s)", AWSLET_VERSION, awslet_cfg.host,
             awslet_cfg.bound_port, awslet_cfg.in_memory ? "in memory" : store_path());

    do {
        if (sigwait(&sigs, &sig) != 0)
            sig = SIGTERM;
    } while (sig != SIGTERM && sig != SIGINT);

    log_info("stopping on signal %d", sig);
    server_stop(10000);
    timer_stop();
    services_shutdown();
    store_close();
    log_info("stopped");
    return 0;
}
