/* ddb_backup.c: DynamoDB on-demand backups: CreateBackup, DescribeBackup, ListBackups,
 * DeleteBackup and DescribeContinuousBackups, and the backup record the restore
 * (ddb_restore.c) reads. See ddb_backup.h for how a backup is stored.
 *
 * CreateBackup runs inside the dispatcher's write transaction (OP_WRITE): the item copy is
 * one INSERT ... SELECT on the writer connection, so concurrent writes land wholly before or
 * wholly after it. Point-in-time recovery is not emulated: DescribeContinuousBackups
 * answers continuous backups ENABLED and PITR DISABLED, as a new table has on AWS. */
#include "services/dynamodb/ddb_backup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/uuid.h"
#include "services/dynamodb/ddb_table.h"
#include "store/store.h"

#define LIST_BACKUPS_MAX 100

/* ---- pure helpers ------------------------------------------------------------------------------
 */

int
ddb_backup_arn_format(char *out, size_t n, const char *region, const char *account,
                      const char *table, long long ms, const char *suffix8)
{
    int len = snprintf(out, n, "arn:aws:dynamodb:%s:%s:table/%s/backup/%014lld-%.8s", region,
                       account, table, ms, suffix8);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

long long
ddb_backup_arn_ms(const char *arn)
{
    const char *p = strstr(arn, "/backup/"), *q;
    long long ms = 0;

    if (!p || strncmp(arn, "arn:", 4) != 0)
        return -1;
    p += strlen("/backup/");
    for (q = p; *q >= '0' && *q <= '9'; q++) {
        if (q - p >= 18)
            return -1; /* more digits than any millisecond count */
        ms = ms * 10 + (*q - '0');
    }
    if (q == p || *q != '-')
        return -1;
    return ms;
}

long long
ddb_backup_bound_ms(const json_t *v)
{
    return (long long)llround(json_number_value(v) * 1000.0);
}

/* ---- the backup record ------------------------------------------------------------------------
 */

static const char *
col_str(struct awslet_req *req, sqlite3_stmt *st, int i)
{
    return arena_strdup(&req->arena, (const char *)sqlite3_column_text(st, i));
}

/* Fill b from a row of the columns id, arn, name, type, table_name, table_arn, table_id,
 * created_ms, size_bytes, item_count, desc, ttl_attr. 0 or -1. */
static int
backup_row(struct awslet_req *req, sqlite3_stmt *st, struct ddb_backup *b)
{
    memset(b, 0, sizeof(*b));
    b->id = sqlite3_column_int64(st, 0);
    b->arn = col_str(req, st, 1);
    b->name = col_str(req, st, 2);
    b->type = col_str(req, st, 3);
    b->table_name = col_str(req, st, 4);
    b->table_arn = col_str(req, st, 5);
    b->table_id = col_str(req, st, 6);
    b->created_ms = sqlite3_column_int64(st, 7);
    b->size_bytes = sqlite3_column_int64(st, 8);
    b->item_count = sqlite3_column_int64(st, 9);
    b->desc = json_loadb((const char *)sqlite3_column_text(st, 10),
                         (size_t)sqlite3_column_bytes(st, 10), 0, NULL);
    b->ttl_attr = sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL : col_str(req, st, 11);
    return b->arn && b->name && b->type && b->table_name && b->table_arn && b->table_id && b->desc
               ? 0
               : -1;
}

int
ddb_backup_find(struct awslet_req *req, sqlite3 *db, const char *arn, struct ddb_backup *b)
{
    static const char sql[] = "SELECT id, arn, name, type, table_name, table_arn, table_id,"
                              " created_ms, size_bytes, item_count, desc, ttl_attr"
                              " FROM ddb_backups WHERE arn = ?1 AND account = ?2 AND region = ?3";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    memset(b, 0, sizeof(*b));
    if (!st) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, req->region, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        awslet_fail(req, &ERR_DDB_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
        return -1;
    }
    if (rc != SQLITE_ROW || backup_row(req, st, b) != 0) {
        sqlite3_reset(st);
        ddb_backup_release(b);
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}

void
ddb_backup_release(struct ddb_backup *b)
{
    json_decref(b->desc);
    b->desc = NULL;
}

const char *
ddb_backup_arn_arg(struct ddb_args *a, const json_t *in, const char *member, const char *at)
{
    const json_t *v = json_object_get(in, member);
    const char *s;
    size_t len;

    if (!v || json_is_null(v)) {
        ddb_args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     at);
        return NULL;
    }
    if (!json_is_string(v)) {
        ddb_args_add(a, "Value at '%s' failed to satisfy constraint: Member must be a string", at);
        return NULL;
    }
    s = json_string_value(v);
    len = strlen(s);
    if (len < DDB_BACKUP_ARN_MIN) {
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                     "greater than or equal to %d",
                     s, at, DDB_BACKUP_ARN_MIN);
        return NULL;
    }
    if (len > DDB_BACKUP_ARN_MAX) {
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                     "less than or equal to %d",
                     s, at, DDB_BACKUP_ARN_MAX);
        return NULL;
    }
    return s;
}

/* ---- answers -----------------------------------------------------------------------------------
 */

json_t *
ddb_backup_details(const struct ddb_backup *b, const char *status)
{
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:o}", "BackupArn", b->arn, "BackupName", b->name,
                     "BackupSizeBytes", (json_int_t)b->size_bytes, "BackupStatus", status,
                     "BackupType", b->type, "BackupCreationDateTime", ddb_time(b->created_ms));
}

static const char *
billing_mode(const json_t *desc)
{
    const char *m = json_string_value(
        json_object_get(json_object_get(desc, "BillingModeSummary"), "BillingMode"));
    return m ? m : "PROVISIONED";
}

/* ProvisionedThroughput as the input shape has it: the two capacities only. */
static json_t *
throughput_in(const json_t *pt)
{
    return json_pack("{s:I, s:I}", "ReadCapacityUnits",
                     json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
                     "WriteCapacityUnits",
                     json_integer_value(json_object_get(pt, "WriteCapacityUnits")));
}

/* Copy the members of src named in keys (NULL-terminated) into a new object. */
static json_t *
pick(const json_t *src, const char *const *keys)
{
    json_t *out = json_object(), *v;

    for (; out && *keys; keys++)
        if ((v = json_object_get(src, *keys)))
            json_object_set_new(out, *keys, json_deep_copy(v));
    return out;
}

/* LocalSecondaryIndexInfo / GlobalSecondaryIndexInfo list of a stored index list. */
static json_t *
index_infos(const json_t *list, bool global)
{
    static const char *const keys[] = {"IndexName", "KeySchema", "Projection", NULL};
    json_t *out = json_array(), *ix;
    size_t i;

    json_array_foreach(list, i, ix)
    {
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        json_t *info;

        if (st && strcmp(st, DDB_DELETING) == 0)
            continue;
        info = pick(ix, keys);
        if (global && info) {
            json_object_set_new(info, "ProvisionedThroughput",
                                throughput_in(json_object_get(ix, "ProvisionedThroughput")));
            if (json_object_get(ix, "OnDemandThroughput"))
                json_object_set_new(info, "OnDemandThroughput",
                                    json_deep_copy(json_object_get(ix, "OnDemandThroughput")));
        }
        json_array_append_new(out, info);
    }
    return out;
}

static json_t *
source_table_details(const struct ddb_backup *b)
{
    const json_t *d = b->desc;
    json_t *out;

    out = json_pack("{s:s, s:s, s:s, s:I, s:O, s:O, s:o, s:I, s:s}", "TableName", b->table_name,
                    "TableId", b->table_id, "TableArn", b->table_arn, "TableSizeBytes",
                    (json_int_t)b->size_bytes, "KeySchema", json_object_get(d, "KeySchema"),
                    "TableCreationDateTime", json_object_get(d, "CreationDateTime"),
                    "ProvisionedThroughput",
                    throughput_in(json_object_get(d, "ProvisionedThroughput")), "ItemCount",
                    (json_int_t)b->item_count, "BillingMode", billing_mode(d));
    if (out && json_object_get(d, "OnDemandThroughput"))
        json_object_set_new(out, "OnDemandThroughput",
                            json_deep_copy(json_object_get(d, "OnDemandThroughput")));
    return out;
}

/* SourceTableFeatureDetails: only the features the table had; NULL when it had none. */
static json_t *
source_features(const struct ddb_backup *b)
{
    const json_t *d = b->desc, *ss = json_object_get(d, "StreamSpecification");
    json_t *out = json_object(), *l;

    if (!out)
        return NULL;
    l = index_infos(json_object_get(d, "LocalSecondaryIndexes"), false);
    if (json_array_size(l) > 0)
        json_object_set_new(out, "LocalSecondaryIndexes", l);
    else
        json_decref(l);
    l = index_infos(json_object_get(d, "GlobalSecondaryIndexes"), true);
    if (json_array_size(l) > 0)
        json_object_set_new(out, "GlobalSecondaryIndexes", l);
    else
        json_decref(l);
    if (json_is_true(json_object_get(ss, "StreamEnabled")))
        json_object_set_new(out, "StreamDescription", json_deep_copy(ss));
    if (b->ttl_attr)
        json_object_set_new(
            out, "TimeToLiveDescription",
            json_pack("{s:s, s:s}", "TimeToLiveStatus", "ENABLED", "AttributeName", b->ttl_attr));
    if (json_object_get(d, "SSEDescription"))
        json_object_set_new(out, "SSEDescription",
                            json_deep_copy(json_object_get(d, "SSEDescription")));
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *
ddb_backup_description(const struct ddb_backup *b, const char *status)
{
    json_t *out = json_pack("{s:o, s:o}", "BackupDetails", ddb_backup_details(b, status),
                            "SourceTableDetails", source_table_details(b));
    json_t *f = source_features(b);

    if (out && f)
        json_object_set_new(out, "SourceTableFeatureDetails", f);
    else
        json_decref(f);
    return out;
}

/* ---- CreateBackup -----------------------------------------------------------------------------
 */

/* The source table as the backup operations look it up: a missing table is
 * TableNotFoundException ("Table not found: <name>"). 0 or -1 (request failed). */
static int
backup_table(struct awslet_req *req, sqlite3 *db, const char *name, struct ddb_table **t)
{
    if (ddb_table_get(req, db, name, t) == 0)
        return 0;
    if (req->err == &ERR_DDB_RESOURCE_NOT_FOUND) {
        const char *n = ddb_table_name_of(req, name);
        awslet_fail(req, &ERR_DDB_TABLE_NOT_FOUND, "Table not found: %s", n ? n : name);
    }
    return -1;
}

static long long
backup_insert(struct awslet_req *req, sqlite3 *db, const struct ddb_table *t, const char *arn,
              const char *name, long long now, const char *desc)
{
    static const char sql[] =
        "INSERT INTO ddb_backups (account, region, arn, name, type, table_name, table_arn,"
        " table_id, created_ms, size_bytes, item_count, desc, ttl_attr)"
        " VALUES (?1, ?2, ?3, ?4, 'USER', ?5, ?6, ?7, ?8, 0, 0, ?9, ?10)";
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, t->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, json_string_value(json_object_get(t->desc, "TableId")), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_text(st, 9, desc, -1, SQLITE_STATIC);
    if (t->ttl_attr)
        sqlite3_bind_text(st, 10, t->ttl_attr, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        log_error("dynamodb: cannot store backup '%s': %s", arn, sqlite3_errmsg(db));
        return -1;
    }
    return sqlite3_last_insert_rowid(db);
}

/* Copy the table's items into backup bid and record their count and size. 0 or -1. */
static int
backup_copy_items(sqlite3 *db, long long bid, long long tid)
{
    static const char copy_sql[] = "INSERT INTO ddb_backup_items (bid, pk, sk, item, size)"
                                   " SELECT ?1, pk, sk, item, size FROM ddb_items WHERE tid = ?2";
    static const char count_sql[] =
        "UPDATE ddb_backups SET (item_count, size_bytes) = (SELECT count(*), coalesce(sum(size), 0)"
        " FROM ddb_backup_items WHERE bid = ?1) WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(db, copy_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, bid);
    sqlite3_bind_int64(st, 2, tid);
    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    if (!(st = store_stmt(db, count_sql)))
        return -1;
    sqlite3_bind_int64(st, 1, bid);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

enum awslet_rc
ddb_create_backup(struct awslet_req *req, const json_t *in, json_t **out)
{
    long long now = clock_now_ms(), bid;
    const char *table, *name;
    char uuid[AWSLET_UUID_LEN + 1], arn[2048], *text = NULL;
    struct ddb_backup b = {0};
    struct ddb_table *t;
    struct ddb_args a;
    json_t *desc;

    ddb_args_init(&a, req);
    table = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    name = ddb_args_table_name(&a, in, "BackupName", "backupName", true);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (backup_table(req, req->db, table, &t) != 0)
        return AWSLET_ERR;
    if (strcmp(t->status, DDB_ACTIVE) != 0)
        return awslet_fail(req, &ERR_DDB_TABLE_IN_USE, "Table is being %s: %s",
                           strcmp(t->status, DDB_CREATING) == 0   ? "created"
                           : strcmp(t->status, DDB_DELETING) == 0 ? "deleted"
                                                                  : "updated",
                           t->name);

    awslet_uuid(uuid);
    if (ddb_backup_arn_format(arn, sizeof(arn), req->region, req->account, t->name, now, uuid))
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    /* The definition as the table now stands (a lapsed delay's indexes ACTIVE). */
    desc = json_deep_copy(t->desc);
    if (desc)
        ddb_table_desc_settle(desc);
    text = desc ? json_dumps(desc, JSON_COMPACT) : NULL;
    json_decref(desc);
    if (!text)
        return awslet_fail_nomem(req);
    bid = backup_insert(req, req->db, t, arn, name, now, text);
    free(text);
    if (bid < 0 || backup_copy_items(req->db, bid, t->id) != 0 ||
        ddb_backup_find(req, req->db, arn, &b) != 0) {
        ddb_backup_release(&b);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    *out = json_pack("{s:o}", "BackupDetails", ddb_backup_details(&b, "AVAILABLE"));
    ddb_backup_release(&b);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- DescribeBackup, DeleteBackup ----------------------------------------------------------- */

enum awslet_rc
ddb_describe_backup(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct ddb_backup b;
    struct ddb_args a;
    const char *arn;

    ddb_args_init(&a, req);
    arn = ddb_backup_arn_arg(&a, in, "BackupArn", "backupArn");
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_backup_find(req, req->db, arn, &b) != 0)
        return AWSLET_ERR;
    *out = json_pack("{s:o}", "BackupDescription", ddb_backup_description(&b, "AVAILABLE"));
    ddb_backup_release(&b);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* 1 when a table is being restored from the backup (its target still CREATING), 0 if not,
 * -1 on error. */
static int
backup_restoring(struct awslet_req *req, sqlite3 *db, const char *arn)
{
    static const char sql[] =
        "SELECT status, status_until_ms FROM ddb_tables WHERE account = ?1 AND region = ?2"
        " AND status = 'CREATING' AND json_extract(desc, '$.RestoreSummary.SourceBackupArn') = ?3";
    sqlite3_stmt *st = store_stmt(db, sql);
    long long now = clock_now_ms();
    int rc, found = 0;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s = ddb_table_status_now((const char *)sqlite3_column_text(st, 0),
                                             sqlite3_column_int64(st, 1), now);
        if (s && strcmp(s, DDB_CREATING) == 0)
            found = 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? found : -1;
}

enum awslet_rc
ddb_delete_backup(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const sqls[] = {
        "DELETE FROM ddb_backup_items WHERE bid = ?1",
        "DELETE FROM ddb_backups WHERE id = ?1",
    };
    struct ddb_backup b;
    struct ddb_args a;
    const char *arn;
    int rc;

    ddb_args_init(&a, req);
    arn = ddb_backup_arn_arg(&a, in, "BackupArn", "backupArn");
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_backup_find(req, req->db, arn, &b) != 0)
        return AWSLET_ERR;
    rc = backup_restoring(req, req->db, arn);
    if (rc != 0) {
        ddb_backup_release(&b);
        if (rc < 0)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return awslet_fail(req, &ERR_DDB_BACKUP_IN_USE,
                           "Backup is being used to restore a table: %s", arn);
    }
    *out = json_pack("{s:o}", "BackupDescription", ddb_backup_description(&b, "DELETED"));
    for (size_t i = 0; *out && i < ARRAY_SIZE(sqls); i++) {
        sqlite3_stmt *st = store_stmt(req->db, sqls[i]);
        if (st)
            sqlite3_bind_int64(st, 1, b.id);
        if (!st || sqlite3_step(st) != SQLITE_DONE) {
            json_decref(*out);
            *out = NULL;
            ddb_backup_release(&b);
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        }
    }
    ddb_backup_release(&b);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- ListBackups --------------------------------------------------------------------------- */

/* A timestamp member: a JSON number of epoch seconds. 1 present, 0 absent, -1 wrong. */
static int
time_arg(struct ddb_args *a, const json_t *in, const char *member, const char *at, long long *ms)
{
    const json_t *v = json_object_get(in, member);

    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v)) {
        ddb_args_add(a, "Value at '%s' failed to satisfy constraint: Member must be a timestamp",
                     at);
        return -1;
    }
    *ms = ddb_backup_bound_ms(v);
    return 1;
}

/* The page's rows into list; *more set when a row beyond limit exists. 0 or -1. */
static int
list_rows(struct awslet_req *req, sqlite3_stmt *st, long long limit, json_t *list, bool *more)
{
    struct ddb_backup b;
    int rc;

    *more = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long long)json_array_size(list) == limit) {
            *more = true;
            break;
        }
        if (backup_row(req, st, &b) != 0) {
            ddb_backup_release(&b);
            return -1;
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I}", "TableName",
                            b.table_name, "TableId", b.table_id, "TableArn", b.table_arn,
                            "BackupArn", b.arn, "BackupName", b.name, "BackupCreationDateTime",
                            ddb_time(b.created_ms), "BackupStatus", "AVAILABLE", "BackupType",
                            b.type, "BackupSizeBytes", (json_int_t)b.size_bytes));
        ddb_backup_release(&b);
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

enum awslet_rc
ddb_list_backups(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const types[] = {"USER", "SYSTEM", "AWS_BACKUP", "ALL", NULL};
    static const char sql[] =
        "SELECT id, arn, name, type, table_name, table_arn, table_id, created_ms, size_bytes,"
        " item_count, desc, ttl_attr FROM ddb_backups"
        " WHERE account = ?1 AND region = ?2 AND (?3 IS NULL OR table_name = ?3)"
        " AND created_ms >= ?4 AND created_ms < ?5 AND (?6 = 'ALL' OR type = ?6)"
        " AND (created_ms > ?7 OR (created_ms = ?7 AND arn > ?8))"
        " ORDER BY created_ms, arn LIMIT ?9";
    long long limit = LIST_BACKUPS_MAX, lower = 0, upper = (1LL << 62), start_ms = -1;
    const char *table = NULL, *type, *start = NULL;
    const json_t *v;
    struct ddb_args a;
    sqlite3_stmt *st;
    json_t *list;
    bool more;

    ddb_args_init(&a, req);
    if ((v = json_object_get(in, "TableName")) && !json_is_null(v))
        table = ddb_args_table_name(&a, in, "TableName", "tableName", false);
    ddb_args_int(&a, in, "Limit", "limit", 1, LIST_BACKUPS_MAX, &limit);
    time_arg(&a, in, "TimeRangeLowerBound", "timeRangeLowerBound", &lower);
    time_arg(&a, in, "TimeRangeUpperBound", "timeRangeUpperBound", &upper);
    if ((v = json_object_get(in, "ExclusiveStartBackupArn")) && !json_is_null(v))
        start = ddb_backup_arn_arg(&a, in, "ExclusiveStartBackupArn", "exclusiveStartBackupArn");
    type = ddb_args_enum(&a, in, "BackupType", "backupType", types);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    /* USER unless another type is asked for (API_ListBackups). */
    if (!type)
        type = "USER";
    if (start && (start_ms = ddb_backup_arn_ms(start)) < 0)
        return ddb_validation(req, "Invalid ExclusiveStartBackupArn: %s", start);
    if (table && !(table = ddb_table_name_of(req, table)))
        table = ""; /* another account's or region's table: none of ours */

    st = store_stmt(req->db, sql);
    list = json_array();
    if (!st || !list) {
        json_decref(list);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    if (table)
        sqlite3_bind_text(st, 3, table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, lower);
    sqlite3_bind_int64(st, 5, upper);
    sqlite3_bind_text(st, 6, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, start_ms);
    sqlite3_bind_text(st, 8, start ? start : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, limit + 1); /* one more tells whether more remain */
    if (list_rows(req, st, limit, list, &more) != 0) {
        sqlite3_reset(st);
        json_decref(list);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    sqlite3_reset(st);
    *out = json_pack("{s:o}", "BackupSummaries", list);
    if (*out && more) {
        json_t *last = json_array_get(list, json_array_size(list) - 1);
        json_object_set(*out, "LastEvaluatedBackupArn", json_object_get(last, "BackupArn"));
    }
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- DescribeContinuousBackups ----------------------------------------------------------------
 */

enum awslet_rc
ddb_describe_continuous_backups(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct ddb_table *t;
    struct ddb_args a;
    const char *name;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (backup_table(req, req->db, name, &t) != 0)
        return AWSLET_ERR;
    *out = json_pack("{s:{s:s, s:{s:s}}}", "ContinuousBackupsDescription",
                     "ContinuousBackupsStatus", "ENABLED", "PointInTimeRecoveryDescription",
                     "PointInTimeRecoveryStatus", "DISABLED");
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}
