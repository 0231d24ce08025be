/* ddb_table.c: CreateTable, DescribeTable (the TableDescription as AWS returns it, with live
 * counts), ListTables and DeleteTable. Table records, their lookup and the status delays are
 * in ddb_table_cache.c; UpdateTable is in ddb_table_update.c. */
#include "services/dynamodb/ddb_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timer.h"
#include "core/uuid.h"
#include "store/store.h"

#define LIST_TABLES_MAX 100

/* ---- the TableDescription ------------------------------------------------------------------- */

static int
count_rows(sqlite3 *db, const char *sql, long long id, const char *iname, long long *n,
           long long *bytes)
{
    sqlite3_stmt *st = store_stmt(db, sql);

    *n = *bytes = 0;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (iname)
        sqlite3_bind_text(st, 2, iname, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        *bytes = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return 0;
}

static void
index_counts(sqlite3 *db, long long id, json_t *list)
{
    static const char sql[] = "SELECT count(*), coalesce(sum(size), 0) FROM ddb_index_items"
                              " WHERE tid = ?1 AND iname = ?2";
    json_t *ix;
    size_t i;

    json_array_foreach(list, i, ix)
    {
        long long n, bytes;
        count_rows(db, sql, id, json_string_value(json_object_get(ix, "IndexName")), &n, &bytes);
        json_object_set_new(ix, "IndexSizeBytes", json_integer(bytes));
        json_object_set_new(ix, "ItemCount", json_integer(n));
    }
}

/* The members of a TableDescription in the order DynamoDB sends them; NULL entries are the
 * live members filled in here. */
static const char *const desc_order[] = {
    "AttributeDefinitions",
    "TableName",
    "KeySchema",
    "TableStatus",
    "CreationDateTime",
    "ProvisionedThroughput",
    "TableSizeBytes",
    "ItemCount",
    "TableArn",
    "TableId",
    "BillingModeSummary",
    "LocalSecondaryIndexes",
    "GlobalSecondaryIndexes",
    "StreamSpecification",
    "LatestStreamLabel",
    "LatestStreamArn",
    "GlobalTableVersion",
    "Replicas",
    "RestoreSummary",
    "SSEDescription",
    "ArchivalSummary",
    "TableClassSummary",
    "DeletionProtectionEnabled",
    "OnDemandThroughput",
    "WarmThroughput",
    "MultiRegionConsistency",
};

json_t *
ddb_table_describe_as(sqlite3 *db, long long id, const json_t *stored, const char *status)
{
    static const char items_sql[] = "SELECT count(*), coalesce(sum(size), 0) FROM ddb_items"
                                    " WHERE tid = ?1";
    json_t *d = json_deep_copy(stored), *out, *warm;
    long long n = 0, bytes = 0;
    const char *k;
    json_t *v;

    if (!d)
        return NULL;
    if (strcmp(status, DDB_ACTIVE) == 0)
        ddb_table_desc_settle(d);
    if ((warm = json_object_get(d, "WarmThroughput")))
        json_object_set_new(warm, "Status",
                            json_string(strcmp(status, DDB_UPDATING) == 0 ? DDB_ACTIVE : status));
    count_rows(db, items_sql, id, NULL, &n, &bytes);
    index_counts(db, id, json_object_get(d, "LocalSecondaryIndexes"));
    index_counts(db, id, json_object_get(d, "GlobalSecondaryIndexes"));
    json_object_set_new(d, "TableStatus", json_string(status));
    json_object_set_new(d, "TableSizeBytes", json_integer(bytes));
    json_object_set_new(d, "ItemCount", json_integer(n));
    out = json_object();
    for (size_t i = 0; out && i < ARRAY_SIZE(desc_order); i++)
        if ((v = json_object_get(d, desc_order[i])))
            json_object_set(out, desc_order[i], v);
    json_object_foreach(d, k, v)
    {
        if (out && !json_object_get(out, k))
            json_object_set(out, k, v);
    }
    json_decref(d);
    return out;
}

json_t *
ddb_table_describe(sqlite3 *db, const struct ddb_table *t)
{
    json_t *stored, *out;

    if (t->desc)
        return ddb_table_describe_as(db, t->id, t->desc, t->status);
    /* A record from ddb_table_by_id carries no description: read it. */
    {
        sqlite3_stmt *st = store_stmt(db, "SELECT desc FROM ddb_tables WHERE id = ?1");
        if (!st)
            return NULL;
        sqlite3_bind_int64(st, 1, t->id);
        stored = sqlite3_step(st) == SQLITE_ROW
                     ? json_loadb((const char *)sqlite3_column_text(st, 0),
                                  (size_t)sqlite3_column_bytes(st, 0), 0, NULL)
                     : NULL;
        sqlite3_reset(st);
    }
    if (!stored)
        return NULL;
    out = ddb_table_describe_as(db, t->id, stored, t->status);
    json_decref(stored);
    return out;
}

/* ---- CreateTable ---------------------------------------------------------------------------- */

static int
tags_insert(sqlite3 *db, long long id, const json_t *tags)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO ddb_tags (tid, key, value) VALUES (?1, ?2, ?3)";
    const json_t *tag;
    size_t i;

    json_array_foreach(tags, i, tag)
    {
        sqlite3_stmt *st = store_stmt(db, sql);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(tag, "Key")), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json_string_value(json_object_get(tag, "Value")), -1,
                          SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* SSEDescription for SSESpecification Enabled: a KMS key (the AWS managed one unless the
 * caller named theirs). */
json_t *
ddb_table_sse_desc(struct awslet_req *req, const json_t *sse)
{
    const char *key = json_string_value(json_object_get(sse, "KMSMasterKeyId"));
    char id[AWSLET_UUID_LEN + 1];
    json_t *arn;

    if (key && strncmp(key, "arn:", 4) == 0) {
        arn = json_string(key);
    } else if (key && strncmp(key, "alias/", 6) != 0) {
        arn = json_sprintf("arn:aws:kms:%s:%s:key/%s", req->region, req->account, key);
    } else {
        awslet_uuid(id);
        arn = json_sprintf("arn:aws:kms:%s:%s:key/%s", req->region, req->account, id);
    }
    return json_pack("{s:s, s:s, s:o}", "Status", "ENABLED", "SSEType", "KMS", "KMSMasterKeyArn",
                     arn);
}

/* An existing row of that name: 1 if it stands in the way, 0 if there is none (a lapsed
 * DELETING one is purged here), -1 on error. */
static int
name_taken(sqlite3 *db, struct awslet_req *req, const char *name)
{
    sqlite3_stmt *st = store_stmt(db, ddb_table_by_name_sql);
    long long id, until;
    const char *status;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    id = sqlite3_column_int64(st, 0);
    until = sqlite3_column_int64(st, 3);
    status = ddb_table_status_now((const char *)sqlite3_column_text(st, 2), until, clock_now_ms());
    sqlite3_reset(st);
    if (status)
        return 1;
    return ddb_table_purge(db, id) == 0 ? 0 : -1;
}

static long long
table_insert(sqlite3 *db, struct awslet_req *req, const char *name, const char *arn, long long now,
             const char *status, long long until, const json_t *desc)
{
    static const char sql[] =
        "INSERT INTO ddb_tables (account, region, name, arn, created_ms, status, status_until_ms,"
        " desc, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    sqlite3_stmt *st = store_stmt(db, sql);
    char *text = json_dumps(desc, JSON_COMPACT);
    int rc;

    if (!st || !text) {
        free(text);
        return -1;
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, until);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, ddb_table_next_version(0));
    rc = sqlite3_step(st);
    free(text);
    if (rc != SQLITE_DONE) {
        log_error("dynamodb: cannot create table '%s': %s", name, sqlite3_errmsg(db));
        return -1;
    }
    return sqlite3_last_insert_rowid(db);
}

/* Turn the table's stream on: a new stream, its ARN and label in desc. 0 or -1. */
int
ddb_table_stream_on(struct awslet_req *req, sqlite3 *db, long long id, const char *name,
                    json_t *desc, const char *view_type)
{
    static const char sql[] = "UPDATE ddb_tables SET stream_id = ?2 WHERE id = ?1";
    const char *arn, *label;
    long long sid;
    sqlite3_stmt *st;

    sid = ddb_stream_enable(&req->arena, db, id, req->account, req->region, name, view_type,
                            json_object_get(desc, "KeySchema"), &arn, &label);
    if (sid < 0 || !(st = store_stmt(db, sql)))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, sid);
    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    json_object_set_new(desc, "StreamSpecification",
                        json_pack("{s:b, s:s}", "StreamEnabled", 1, "StreamViewType", view_type));
    json_object_set_new(desc, "LatestStreamLabel", json_string(label));
    json_object_set_new(desc, "LatestStreamArn", json_string(arn));
    return 0;
}

enum awslet_rc
ddb_create_table(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *ss = json_object_get(in, "StreamSpecification");
    const json_t *sse = json_object_get(in, "SSESpecification");
    long long now = clock_now_ms(), delay = awslet_cfg.ddb_status_delay_ms, id;
    const char *name, *arn;
    char err[2048], table_id[AWSLET_UUID_LEN + 1];
    struct ddb_args a;
    json_t *desc, *stored = NULL, *answer = NULL;
    int rc;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    ddb_table_def_args(&a, in);
    ddb_tags_args(&a, in, "Tags", "tags");
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_table_def_check(in, err, sizeof(err)) != 0)
        return ddb_validation(req, "%s", err);
    if (ddb_tags_check(req, json_object_get(in, "Tags"), 0) != 0)
        return AWSLET_ERR;
    if (strncmp(name, "arn:", 4) == 0) {
        const char *n = ddb_table_name_of(req, name);
        if (!n)
            return awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                               "Requested resource not found: Table: %s not found", name);
        name = n;
    }
    rc = name_taken(req->db, req, name);
    if (rc < 0)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    if (rc > 0)
        return awslet_fail(req, &ERR_DDB_RESOURCE_IN_USE, "Table already exists: %s", name);

    arn = arena_printf(&req->arena, "arn:aws:dynamodb:%s:%s:table/%s", req->region, req->account,
                       name);
    awslet_uuid(table_id);
    desc = arn ? ddb_table_def_build(in, name, arn, table_id, now) : NULL;
    if (!desc)
        return awslet_fail_nomem(req);
    if (json_is_true(json_object_get(sse, "Enabled")))
        json_object_set_new(desc, "SSEDescription", ddb_table_sse_desc(req, sse));

    id = table_insert(req->db, req, name, arn, now, delay > 0 ? DDB_CREATING : DDB_ACTIVE,
                      delay > 0 ? now + delay : 0, desc);
    if (id < 0)
        goto fail;
    if (json_is_true(json_object_get(ss, "StreamEnabled")) &&
        ddb_table_stream_on(req, req->db, id, name, desc,
                            json_string_value(json_object_get(ss, "StreamViewType"))) != 0)
        goto fail;
    if (tags_insert(req->db, id, json_object_get(in, "Tags")) != 0)
        goto fail;
    /* The answer says CREATING even without a delay, as DynamoDB's does. */
    answer = ddb_table_describe_as(req->db, id, desc, DDB_CREATING);
    stored = json_deep_copy(desc);
    if (!answer || !stored)
        goto fail;
    if (delay <= 0)
        ddb_table_desc_settle(stored);
    if (ddb_table_save(req->db, id, 0, stored, NULL, -1) != 0 ||
        (delay > 0 && ddb_table_schedule_settle(req->db, id, now + delay) != 0))
        goto fail;
    json_decref(desc);
    json_decref(stored);
    *out = json_pack("{s:o}", "TableDescription", answer);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
fail:
    json_decref(desc);
    json_decref(stored);
    json_decref(answer);
    if (req->err)
        return AWSLET_ERR;
    return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
}

/* ---- DescribeTable, ListTables ------------------------------------------------------------- */

enum awslet_rc
ddb_describe_table(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct ddb_table *t;
    struct ddb_args a;
    const char *name;
    json_t *d;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_table_get(req, req->db, name, &t) != 0)
        return AWSLET_ERR;
    d = ddb_table_describe(req->db, t);
    if (!d)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    *out = json_pack("{s:o}", "Table", d);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

enum awslet_rc
ddb_list_tables(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] =
        "SELECT name FROM ddb_tables WHERE account = ?1 AND region = ?2 AND name > ?3"
        " AND (status <> 'DELETING' OR status_until_ms > ?4) ORDER BY name LIMIT ?5";
    long long limit = LIST_TABLES_MAX;
    const char *start;
    struct ddb_args a;
    sqlite3_stmt *st;
    json_t *names, *last = NULL;
    int rc;

    ddb_args_init(&a, req);
    start =
        ddb_args_table_name(&a, in, "ExclusiveStartTableName", "exclusiveStartTableName", false);
    ddb_args_int(&a, in, "Limit", "limit", 1, LIST_TABLES_MAX, &limit);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    st = store_stmt(req->db, sql);
    names = json_array();
    if (!st || !names) {
        json_decref(names);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, start ? start : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, clock_now_ms());
    sqlite3_bind_int64(st, 5, limit + 1); /* one more tells whether more remain */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long long)json_array_size(names) == limit) {
            last = json_incref(json_array_get(names, json_array_size(names) - 1));
            break;
        }
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(names);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    *out = json_pack("{s:o}", "TableNames", names);
    if (*out && last)
        json_object_set_new(*out, "LastEvaluatedTableName", last);
    else
        json_decref(last);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- DeleteTable -------------------------------------------------------------------------- */

enum awslet_rc
ddb_delete_table(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const sqls[] = {
        "DELETE FROM ddb_items WHERE tid = ?1",
        "DELETE FROM ddb_index_items WHERE tid = ?1",
        "DELETE FROM ddb_tags WHERE tid = ?1",
    };
    long long delay = awslet_cfg.ddb_status_delay_ms, now = clock_now_ms();
    struct ddb_table *t;
    struct ddb_args a;
    const char *name;
    json_t *d;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_table_get(req, req->db, name, &t) != 0 || ddb_table_require_active(req, t) != 0)
        return AWSLET_ERR;
    if (t->deletion_protection)
        return ddb_validation(req, "Resource cannot be deleted as it is currently protected "
                                   "against deletion. Disable deletion protection first.");
    /* The answer describes the table as it was, DELETING. */
    d = ddb_table_describe_as(req->db, t->id, t->desc, DDB_DELETING);
    if (!d)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    if (t->stream_id && ddb_stream_disable(req->db, t->stream_id) != 0)
        goto fail;
    if (delay > 0) {
        for (size_t i = 0; i < ARRAY_SIZE(sqls); i++) {
            sqlite3_stmt *st = store_stmt(req->db, sqls[i]);
            if (!st)
                goto fail;
            sqlite3_bind_int64(st, 1, t->id);
            if (sqlite3_step(st) != SQLITE_DONE)
                goto fail;
        }
        if (ddb_table_save(req->db, t->id, t->version, t->desc, DDB_DELETING, now + delay) != 0 ||
            ddb_table_schedule_settle(req->db, t->id, now + delay) != 0)
            goto fail;
    } else if (ddb_table_purge(req->db, t->id) != 0) {
        goto fail;
    }
    *out = json_pack("{s:o}", "TableDescription", d);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
fail:
    json_decref(d);
    return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
}
