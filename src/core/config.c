/* config.c: the configuration's defaults; main.c overrides them from flags and env. */
#include "core/config.h"

struct awslet_config awslet_cfg = {
    .host = "127.0.0.1",
    .port = 4566,
    .data_dir = "./.awslet",
    .region = "us-east-1",
    .account_id = "000000000000",
    .log_level = "info",
    .log_format = "text",
    .max_body_size = 16u << 20,
    .threads = 0,
    .ddb_status_delay_ms = 0,
    .ttl_interval_s = 5,
};
