/* logs.c: the CloudWatch Logs service descriptor and its operation table.
 *
 * AWS JSON 1.1 (X-Amz-Target: Logs_20140328.*). Lambda writes its function logs here; the
 * operations arrive with the Lambda issue. */
#include "services/service.h"

const struct awslet_service awslet_service_logs = {
    .name = "logs",
    .target_prefix = "Logs_20140328",
    .json_namespace = "com.amazonaws.logs",
    .protocols = PROTO_JSON_1_1,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
