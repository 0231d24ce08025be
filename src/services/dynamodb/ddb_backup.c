/* ddb_backup.c: on-demand backups. PLACEHOLDER until the backups land. */
#include "services/dynamodb/ddb_int.h"

#define BACKUP_STUB(fn)                                                                      \
    enum awslet_rc fn(struct awslet_req *req, const json_t *in, json_t **out)                \
    {                                                                                        \
        (void)in, (void)out;                                                                 \
        return awslet_fail(req, &ERR_UNKNOWN_OPERATION, "Operation %s is not implemented yet.", \
                           req->op_name);                                                    \
    }

BACKUP_STUB(ddb_create_backup)
BACKUP_STUB(ddb_describe_backup)
BACKUP_STUB(ddb_list_backups)
BACKUP_STUB(ddb_delete_backup)
BACKUP_STUB(ddb_restore_table_from_backup)
BACKUP_STUB(ddb_describe_continuous_backups)
