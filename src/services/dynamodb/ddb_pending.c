/* ddb_pending.c: TEMPORARY placeholders while the DynamoDB files are written in parallel.
 * Each line is deleted when the real function lands; the file goes before the merge. */
#include "services/dynamodb/ddb_int.h"

#define PENDING(fn)                                                                            \
    enum awslet_rc fn(struct awslet_req *req, const json_t *in, json_t **out)                  \
    {                                                                                          \
        (void)in;                                                                              \
        (void)out;                                                                             \
        return awslet_fail(req, &ERR_UNKNOWN_OPERATION, "not yet implemented");                \
    }

PENDING(ddb_create_table)
PENDING(ddb_describe_table)
PENDING(ddb_list_tables)
PENDING(ddb_update_table)
PENDING(ddb_delete_table)
PENDING(ddb_describe_time_to_live)
PENDING(ddb_update_time_to_live)
PENDING(ddb_tag_resource)
PENDING(ddb_untag_resource)
PENDING(ddb_list_tags_of_resource)
PENDING(ddb_describe_limits)
PENDING(ddb_describe_endpoints)
PENDING(ddb_query)
PENDING(ddb_scan)
/* control plane */
int ddb_ttl_init(void) { return 0; }
void ddb_ttl_shutdown(void) {}
void ddb_table_cache_clear(void) {}
