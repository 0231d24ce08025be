/* config.h: the daemon's configuration, filled once by main.c from flags and environment
 * and read-only afterwards (every thread may read it without locking). */
#ifndef AWSLET_CONFIG_H
#define AWSLET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct awslet_config {
    const char *host;         /* listen address, "127.0.0.1" */
    unsigned port;            /* 4566; 0 = any free port */
    unsigned bound_port;      /* the port actually bound (set by server_start) */
    const char *data_dir;     /* "./.awslet" */
    bool in_memory;           /* keep the database in memory (throwaway CI runs) */
    const char *region;       /* default region when a request names none */
    const char *account_id;   /* default account */
    const char *log_level;
    const char *log_format;
    size_t max_body_size;     /* request bodies above this answer 413 */
    unsigned threads;         /* libmicrohttpd worker threads */
    bool test_clock;          /* POST /_awslet/clock allowed */
    const char *port_file;    /* write the bound port here once listening, or NULL */
    long long started_ms;     /* wall clock at start, for uptime */
    long long ddb_status_delay_ms; /* DynamoDB CREATING/UPDATING/DELETING lasts this long */
    unsigned ttl_interval_s;  /* DynamoDB TTL sweep period */
};

extern struct awslet_config awslet_cfg;

#endif
