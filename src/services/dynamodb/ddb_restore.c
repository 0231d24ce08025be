/* ddb_restore.c: RestoreTableFromBackup: a new table with a backup's definition (or the
 * caller's overrides) holding exactly the backup's items.
 *
 * The table is created by CreateTable's own code (ddb_create_table() with an input built from
 * the backup by ddb_restore_input()), so it is CREATING for --ddb-status-delay-ms like any new
 * table, then gets its RestoreSummary and every backed-up item through ddb_item_store()
 * (which writes the index rows), all inside the one write transaction of the request. The
 * restore counts as in progress while the table is CREATING; settling the table's delay
 * turns RestoreInProgress false (ddb_table_desc_settle). */
#include "services/dynamodb/ddb_backup.h"

#include <string.h>

#include "core/clock.h"
#include "services/dynamodb/ddb_table.h"
#include "store/store.h"

/* ---- the CreateTable input of a restore --------------------------------------------------- */

static const char *
str_member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static json_t *
capacities(const json_t *pt)
{
    return json_pack("{s:I, s:I}", "ReadCapacityUnits",
                     json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
                     "WriteCapacityUnits",
                     json_integer_value(json_object_get(pt, "WriteCapacityUnits")));
}

/* Add the attribute names of a KeySchema to the set names ({name: true}). */
static void
key_names(json_t *names, const json_t *key_schema)
{
    const json_t *k;
    size_t i;

    json_array_foreach(key_schema, i, k)
    {
        const char *n = str_member(k, "AttributeName");
        if (n)
            json_object_set_new(names, n, json_true());
    }
}

/* The backup's indexes of one kind as CreateTable takes them. throughput (GSIs of a
 * provisioned restore) is the capacity for an index that had none stored (an on-demand
 * source); NULL for LSIs and on-demand restores. */
static json_t *
stored_indexes(const json_t *list, bool global, bool provisioned, bool source_provisioned,
               const json_t *table_pt)
{
    json_t *out = json_array(), *ix;
    size_t i;

    json_array_foreach(list, i, ix)
    {
        const char *st = str_member(ix, "IndexStatus");
        json_t *one;

        if (st && strcmp(st, DDB_DELETING) == 0)
            continue;
        one = json_pack("{s:O, s:O, s:O}", "IndexName", json_object_get(ix, "IndexName"),
                        "KeySchema", json_object_get(ix, "KeySchema"), "Projection",
                        json_object_get(ix, "Projection"));
        if (one && global && provisioned) {
            const json_t *pt =
                source_provisioned ? json_object_get(ix, "ProvisionedThroughput") : table_pt;
            if (pt)
                json_object_set_new(one, "ProvisionedThroughput", capacities(pt));
        }
        json_array_append_new(out, one);
    }
    return out;
}

/* Set member of out to the override (when in has it) or else to the stored list; empty lists
 * are left out, as CreateTable refuses them. */
static void
set_indexes(json_t *out, const char *member, const json_t *override, json_t *stored)
{
    json_t *list = override ? json_deep_copy(override) : stored;

    if (override)
        json_decref(stored);
    if (json_array_size(list) > 0)
        json_object_set_new(out, member, list);
    else
        json_decref(list);
}

/* Keep the attribute definitions some key of the new table uses (CreateTable refuses
 * unused ones). */
static json_t *
used_definitions(const json_t *out, const json_t *defs)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    json_t *names = json_object(), *keep = json_array(), *d, *ix;
    size_t i;

    key_names(names, json_object_get(out, "KeySchema"));
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
        json_array_foreach(json_object_get(out, lists[l]), i, ix)
            key_names(names, json_object_get(ix, "KeySchema"));
    json_array_foreach(defs, i, d)
    {
        const char *n = str_member(d, "AttributeName");
        if (n && json_object_get(names, n))
            json_array_append_new(keep, json_pack("{s:s, s:s}", "AttributeName", n, "AttributeType",
                                                  str_member(d, "AttributeType")));
    }
    json_decref(names);
    return keep;
}

json_t *
ddb_restore_input(const json_t *desc, const json_t *in, const char *target)
{
    const char *source_mode =
        str_member(json_object_get(desc, "BillingModeSummary"), "BillingMode");
    const char *mode = str_member(in, "BillingModeOverride");
    const json_t *pt_override = json_object_get(in, "ProvisionedThroughputOverride");
    const json_t *odt = json_object_get(in, "OnDemandThroughputOverride");
    const json_t *sse = json_object_get(in, "SSESpecificationOverride");
    const json_t *sse_desc = json_object_get(desc, "SSEDescription");
    const char *table_class = str_member(json_object_get(desc, "TableClassSummary"), "TableClass");
    bool source_provisioned = !source_mode || strcmp(source_mode, "PAY_PER_REQUEST") != 0;
    bool provisioned;
    const json_t *table_pt;
    json_t *out;

    if (!mode)
        mode = source_provisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
    provisioned = strcmp(mode, "PAY_PER_REQUEST") != 0;
    out = json_pack("{s:s, s:O, s:s}", "TableName", target, "KeySchema",
                    json_object_get(desc, "KeySchema"), "BillingMode", mode);
    if (!out)
        return NULL;

    /* An on-demand source has no capacity to carry over: a provisioned restore of it needs
     * ProvisionedThroughputOverride (CreateTable's own message says so otherwise). */
    table_pt = pt_override          ? pt_override
               : source_provisioned ? json_object_get(desc, "ProvisionedThroughput")
                                    : NULL;
    if (provisioned && table_pt)
        json_object_set_new(out, "ProvisionedThroughput", capacities(table_pt));
    if (odt && !json_is_null(odt))
        json_object_set_new(out, "OnDemandThroughput", json_deep_copy(odt));

    set_indexes(
        out, "LocalSecondaryIndexes", json_object_get(in, "LocalSecondaryIndexOverride"),
        stored_indexes(json_object_get(desc, "LocalSecondaryIndexes"), false, false, false, NULL));
    set_indexes(out, "GlobalSecondaryIndexes", json_object_get(in, "GlobalSecondaryIndexOverride"),
                stored_indexes(json_object_get(desc, "GlobalSecondaryIndexes"), true, provisioned,
                               source_provisioned, table_pt));
    json_object_set_new(out, "AttributeDefinitions",
                        used_definitions(out, json_object_get(desc, "AttributeDefinitions")));

    if (sse && !json_is_null(sse)) {
        json_object_set_new(out, "SSESpecification", json_deep_copy(sse));
    } else if (sse_desc && str_member(sse_desc, "KMSMasterKeyArn")) {
        json_object_set_new(out, "SSESpecification",
                            json_pack("{s:b, s:s, s:s}", "Enabled", 1, "SSEType", "KMS",
                                      "KMSMasterKeyId", str_member(sse_desc, "KMSMasterKeyArn")));
    }
    if (table_class)
        json_object_set_new(out, "TableClass", json_string(table_class));
    return out;
}

/* ---- RestoreTableFromBackup ---------------------------------------------------------------- */

/* Whether the target name is free: TableAlreadyExistsException for a table that stands,
 * TableInUseException for one being created or deleted. 0 or -1 (request failed). */
static int
restore_target_free(struct awslet_req *req, sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = store_stmt(db, ddb_table_by_name_sql);
    const char *status = NULL;
    int rc;

    if (!st) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = ddb_table_status_now((const char *)sqlite3_column_text(st, 2),
                                      sqlite3_column_int64(st, 3), clock_now_ms());
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    if (!status)
        return 0;
    if (strcmp(status, DDB_CREATING) == 0 || strcmp(status, DDB_DELETING) == 0) {
        awslet_fail(req, &ERR_DDB_TABLE_IN_USE, "Table is being %s: %s",
                    strcmp(status, DDB_CREATING) == 0 ? "created" : "deleted", name);
        return -1;
    }
    awslet_fail(req, &ERR_DDB_TABLE_ALREADY_EXISTS, "Table already exists: %s", name);
    return -1;
}

/* Write every item of backup bid into t. 0 or -1. */
static int
restore_items(sqlite3 *db, long long bid, const struct ddb_table *t)
{
    static const char sql[] = "SELECT item FROM ddb_backup_items WHERE bid = ?1 ORDER BY pk, sk";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, bid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *item = json_loadb((const char *)sqlite3_column_blob(st, 0),
                                  (size_t)sqlite3_column_bytes(st, 0), 0, NULL);
        int bad = !item || ddb_item_store(db, t, NULL, item, NULL) != 0;

        json_decref(item);
        if (bad) {
            sqlite3_reset(st);
            return -1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Give the new table its RestoreSummary; *answer is its TableDescription as the restore
 * answers it (CREATING, restore in progress). 0 or -1 (request failed). */
static int
restore_summary(struct awslet_req *req, const struct ddb_table *t, const struct ddb_backup *b,
                json_t **answer)
{
    json_t *stored = json_deep_copy(t->desc), *shown = NULL, *rs;
    int rc = -1;

    *answer = NULL;
    rs = json_pack("{s:s, s:s, s:o, s:b}", "SourceBackupArn", b->arn, "SourceTableArn",
                   b->table_arn, "RestoreDateTime", ddb_time(b->created_ms), "RestoreInProgress",
                   strcmp(t->status, DDB_CREATING) == 0);
    if (!stored || !rs)
        goto out;
    json_object_set(stored, "RestoreSummary", rs);
    if (ddb_table_save(req->db, t->id, t->version, stored, NULL, -1) != 0)
        goto out;
    shown = json_deep_copy(stored);
    if (!shown)
        goto out;
    json_object_set_new(json_object_get(shown, "RestoreSummary"), "RestoreInProgress", json_true());
    *answer = ddb_table_describe_as(req->db, t->id, shown, DDB_CREATING);
    rc = *answer ? 0 : -1;
out:
    json_decref(stored);
    json_decref(shown);
    json_decref(rs);
    if (rc != 0)
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    return rc;
}

enum awslet_rc
ddb_restore_table_from_backup(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
    const char *target, *arn;
    struct ddb_backup b;
    struct ddb_table *t;
    struct ddb_args a;
    json_t *create_in, *created = NULL, *answer = NULL;
    enum awslet_rc rc;

    ddb_args_init(&a, req);
    target = ddb_args_table_name(&a, in, "TargetTableName", "targetTableName", true);
    arn = ddb_backup_arn_arg(&a, in, "BackupArn", "backupArn");
    ddb_args_enum(&a, in, "BillingModeOverride", "billingModeOverride", modes);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_backup_find(req, req->db, arn, &b) != 0)
        return AWSLET_ERR;
    if (restore_target_free(req, req->db, target) != 0) {
        ddb_backup_release(&b);
        return AWSLET_ERR;
    }

    /* CreateTable's checks, defaults, status delay and settle timer, as for any new table. */
    create_in = ddb_restore_input(b.desc, in, target);
    if (!create_in) {
        ddb_backup_release(&b);
        return awslet_fail_nomem(req);
    }
    rc = ddb_create_table(req, create_in, &created);
    json_decref(create_in);
    json_decref(created);
    if (rc != AWSLET_OK) {
        ddb_backup_release(&b);
        return rc;
    }
    if (ddb_table_get(req, req->db, target, &t) != 0 || restore_summary(req, t, &b, &answer) != 0)
        goto fail;
    /* The summary changed the table's version: write the items with the current record. */
    if (ddb_table_get(req, req->db, target, &t) != 0)
        goto fail;
    if (restore_items(req->db, b.id, t) != 0) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        goto fail;
    }
    ddb_backup_release(&b);
    *out = json_pack("{s:o}", "TableDescription", answer);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
fail:
    ddb_backup_release(&b);
    json_decref(answer);
    return AWSLET_ERR;
}
