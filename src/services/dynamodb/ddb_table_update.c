/* ddb_table_update.c: UpdateTable: billing mode and provisioned throughput, global secondary
 * indexes created (backfilled from the items already stored, in the same transaction),
 * updated or deleted, the stream turned on or off, encryption, table class and deletion
 * protection.
 *
 * The request is checked whole before anything changes, in DynamoDB's order and words; then
 * the stored description is changed into its UPDATING form (the answer), and stored as is
 * for the status delay or settled at once without one (ddb_table.c). */
#include "services/dynamodb/ddb_table.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

#define INVALID "One or more parameter values were invalid: "

static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const view_types[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                                         "KEYS_ONLY", NULL};
static const char *const key_types[] = {"HASH", "RANGE", NULL};
static const char *const projection_types[] = {"ALL", "KEYS_ONLY", "INCLUDE", NULL};

struct update {
    const json_t *in;
    const json_t *pt;              /* ProvisionedThroughput or NULL */
    bool on_demand_now, on_demand; /* billing before and after */
    bool switching;                /* BillingMode changes */
    const json_t *creates[DDB_MAX_GSI + 1], *updates[DDB_MAX_GSI + 1], *deletes[DDB_MAX_GSI + 1];
    size_t n_creates, n_updates, n_deletes;
    const json_t *stream, *sse;
    const char *table_class;
    const json_t *deletion_protection;
};

static const char *
str_member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static const json_t *
present(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    return v && !json_is_null(v) ? v : NULL;
}

/* ---- parameter constraints ------------------------------------------------------------------- */

static void
args_pt(struct ddb_args *a, const json_t *o, const char *at)
{
    const json_t *pt = present(o, "ProvisionedThroughput");
    char path[600];
    long long v;

    if (!pt)
        return;
    snprintf(path, sizeof(path), "%sprovisionedThroughput.readCapacityUnits", at);
    ddb_args_int(a, pt, "ReadCapacityUnits", path, 1, LLONG_MAX, &v);
    snprintf(path, sizeof(path), "%sprovisionedThroughput.writeCapacityUnits", at);
    ddb_args_int(a, pt, "WriteCapacityUnits", path, 1, LLONG_MAX, &v);
}

static void
args_gsi_updates(struct ddb_args *a, const json_t *in)
{
    const json_t *list = json_object_get(in, "GlobalSecondaryIndexUpdates"), *u, *act, *el;
    static const char *const kinds[] = {"Create", "Update", "Delete"};
    static const char *const ats[] = {"create", "update", "delete"};
    char path[512];
    size_t i, j;

    json_array_foreach(list, i, u)
    {
        for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
            const char *name;
            if (!(act = present(u, kinds[k])))
                continue;
            name = str_member(act, "IndexName");
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.%s.indexName",
                     i + 1, ats[k]);
            if (!name)
                ddb_args_add(a,
                             "Value null at '%s' failed to satisfy constraint: Member must "
                             "not be null",
                             path);
            else if (strlen(name) < 3 || strlen(name) > 255)
                ddb_args_add(a,
                             "Value '%s' at '%s' failed to satisfy constraint: Member must "
                             "have length %s",
                             name, path,
                             strlen(name) < 3 ? "greater than or equal to 3"
                                              : "less than or equal to 255");
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.%s.", i + 1,
                     ats[k]);
            args_pt(a, act, path);
            if (k != 0)
                continue;
            json_array_foreach(json_object_get(act, "KeySchema"), j, el)
            {
                snprintf(path, sizeof(path),
                         "globalSecondaryIndexUpdates.%zu.member.create.keySchema.%zu.member."
                         "keyType",
                         i + 1, j + 1);
                ddb_args_enum(a, el, "KeyType", path, key_types);
            }
            snprintf(path, sizeof(path),
                     "globalSecondaryIndexUpdates.%zu.member.create.projection.projectionType",
                     i + 1);
            ddb_args_enum(a, json_object_get(act, "Projection"), "ProjectionType", path,
                          projection_types);
        }
    }
}

/* ---- the rules ----------------------------------------------------------------------------- */

static const json_t *
gsi_of(const json_t *desc, const char *name)
{
    const json_t *ix;
    size_t i;

    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, ix)
    {
        const char *st = str_member(ix, "IndexStatus");
        if (strcmp(str_member(ix, "IndexName"), name) == 0 &&
            !(st && strcmp(st, DDB_DELETING) == 0))
            return ix;
    }
    return NULL;
}

static bool
index_exists(const json_t *desc, const char *name)
{
    static const char *const lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    const json_t *ix;
    size_t i;

    for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
        json_array_foreach(json_object_get(desc, lists[l]), i, ix)
        {
            if (strcmp(str_member(ix, "IndexName"), name) == 0)
                return true;
        }
    return false;
}

/* Sort the GlobalSecondaryIndexUpdates into creates, updates and deletes. */
static int
classify(struct awslet_req *req, struct update *u)
{
    const json_t *list = present(u->in, "GlobalSecondaryIndexUpdates"), *g;
    const char *names[3 * (DDB_MAX_GSI + 1)];
    size_t n_names = 0, i;

    if (!list)
        return 0;
    if (json_array_size(list) == 0)
        return ddb_validation(req, INVALID "List of GlobalSecondaryIndexUpdates is empty"), -1;
    json_array_foreach(list, i, g)
    {
        const json_t *c = present(g, "Create"), *up = present(g, "Update"),
                     *d = present(g, "Delete");
        const json_t *act = c ? c : up ? up : d;
        const char *name;
        int n = !!c + !!up + !!d;

        if (n == 0)
            return ddb_validation(req, INVALID "One of GlobalSecondaryIndexUpdate.Update, "
                                               "GlobalSecondaryIndexUpdate.Create, "
                                               "GlobalSecondaryIndexUpdate.Delete must not be "
                                               "null"),
                   -1;
        if (n > 1)
            return ddb_validation(req, INVALID "Only one global secondary index action is "
                                               "allowed per GlobalSecondaryIndexUpdate object"),
                   -1;
        name = str_member(act, "IndexName");
        for (size_t j = 0; j < n_names; j++)
            if (strcmp(names[j], name) == 0)
                return ddb_validation(req,
                                      INVALID "Only one global secondary index update per "
                                              "index is allowed simultaneously. Index: %s",
                                      name),
                       -1;
        if (n_names == ARRAY_SIZE(names) || u->n_creates > DDB_MAX_GSI ||
            u->n_updates > DDB_MAX_GSI || u->n_deletes > DDB_MAX_GSI)
            return awslet_fail(req, &ERR_DDB_LIMIT_EXCEEDED,
                               "Subscriber limit exceeded: Only 1 online index can be created or "
                               "deleted simultaneously per table"),
                   -1;
        names[n_names++] = name;
        if (c)
            u->creates[u->n_creates++] = c;
        else if (up)
            u->updates[u->n_updates++] = up;
        else
            u->deletes[u->n_deletes++] = d;
    }
    /* One online index build or removal at a time (developer guide, GSI quotas). */
    if (u->n_creates + u->n_deletes > 1)
        return awslet_fail(req, &ERR_DDB_LIMIT_EXCEEDED,
                           "Subscriber limit exceeded: Only 1 online index can be created or "
                           "deleted simultaneously per table"),
               -1;
    return 0;
}

/* Operations that must come alone, and pairs DynamoDB refuses together. */
static int
check_combinations(struct awslet_req *req, const struct update *u)
{
    bool billing = u->pt || present(u->in, "BillingMode");
    bool index_change = u->n_creates + u->n_deletes > 0;
    int ops = billing + (u->n_creates + u->n_updates + u->n_deletes > 0) + !!u->stream + !!u->sse +
              !!u->table_class + !!u->deletion_protection;

    if (u->sse && ops > 1)
        return ddb_validation(req, INVALID "Server-Side Encryption modification must be the only "
                                           "operation in the request"),
               -1;
    if (u->table_class && ops > 1)
        return ddb_validation(req, INVALID "TableClass modification must be the only operation "
                                           "in the request"),
               -1;
    if (u->deletion_protection && ops > 1)
        return ddb_validation(req, INVALID "DeletionProtection modification must be the only "
                                           "operation in the request"),
               -1;
    if (u->stream && index_change)
        return ddb_validation(req, INVALID "You cannot create or delete index while changing "
                                           "stream status"),
               -1;
    if (u->pt && u->stream)
        return ddb_validation(req, INVALID "You cannot modify stream status while updating table "
                                           "IOPS"),
               -1;
    if (u->pt && index_change)
        return ddb_validation(req, INVALID "You cannot create or delete index while updating "
                                           "table IOPS"),
               -1;
    return 0;
}

static long long
pt_value(const json_t *pt, const char *member)
{
    return json_integer_value(json_object_get(pt, member));
}

static int
same_throughput(struct awslet_req *req, const json_t *cur, const json_t *want, const char *what)
{
    long long cr = pt_value(cur, "ReadCapacityUnits"), cw = pt_value(cur, "WriteCapacityUnits");
    long long r = pt_value(want, "ReadCapacityUnits"), w = pt_value(want, "WriteCapacityUnits");

    if (cr != r || cw != w)
        return 0;
    return ddb_validation(req,
                          "The provisioned throughput for %s will not change. The requested "
                          "value equals the current value. Current ReadCapacityUnits "
                          "provisioned for %s: %lld. Requested ReadCapacityUnits: %lld. "
                          "Current WriteCapacityUnits provisioned for %s: %lld. Requested "
                          "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer "
                          "Guide for current limits and how to request higher limits.",
                          what, strncmp(what, "the index", 9) == 0 ? "the index" : "the table", cr,
                          r, strncmp(what, "the index", 9) == 0 ? "the index" : "the table", cw, w),
           -1;
}

static int
check_billing(struct awslet_req *req, const struct update *u, const json_t *desc)
{
    const json_t *ix;
    size_t i;

    if (u->on_demand && u->pt)
        return ddb_validation(req, INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can "
                                           "be specified when BillingMode is PAY_PER_REQUEST"),
               -1;
    if (!u->on_demand && u->switching && !u->pt)
        return ddb_validation(req, INVALID "ProvisionedThroughput must be specified when "
                                           "BillingMode is PROVISIONED"),
               -1;
    if (!u->on_demand && u->switching) {
        /* Every GSI needs its throughput too, from an Update action of this request. */
        json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, ix)
        {
            const char *name = str_member(ix, "IndexName");
            bool given = false;
            for (size_t k = 0; k < u->n_updates; k++)
                if (strcmp(str_member(u->updates[k], "IndexName"), name) == 0 &&
                    present(u->updates[k], "ProvisionedThroughput"))
                    given = true;
            for (size_t k = 0; k < u->n_deletes; k++)
                if (strcmp(str_member(u->deletes[k], "IndexName"), name) == 0)
                    given = true;
            if (!given)
                return ddb_validation(req,
                                      INVALID "ProvisionedThroughput must be specified for "
                                              "index: %s",
                                      name),
                       -1;
        }
    }
    if (u->pt && !u->switching &&
        same_throughput(req, json_object_get(desc, "ProvisionedThroughput"), u->pt, "the table") !=
            0)
        return -1;
    return 0;
}

static int
check_gsi_actions(struct awslet_req *req, const struct update *u, const json_t *desc, json_t *defs)
{
    size_t active = 0, i;
    const json_t *ix;
    char err[2048];

    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, ix)
    {
        const char *st = str_member(ix, "IndexStatus");
        if (!(st && strcmp(st, DDB_DELETING) == 0))
            active++;
    }
    for (size_t k = 0; k < u->n_creates; k++) {
        const json_t *c = u->creates[k], *pt = present(c, "ProvisionedThroughput");
        const char *name = str_member(c, "IndexName");
        if (index_exists(desc, name))
            return ddb_validation(req, "Attempting to create an index which already exists"), -1;
        if (!present(u->in, "AttributeDefinitions"))
            return ddb_validation(req,
                                  INVALID "AttributeDefinitions is not specified for index: "
                                          "%s",
                                  name),
                   -1;
        if (ddb_table_def_check_index(c, defs, err, sizeof(err)) != 0)
            return ddb_validation(req, "%s", err), -1;
        if (u->on_demand && pt)
            return ddb_validation(req,
                                  INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits "
                                          "can be specified for index: %s when BillingMode "
                                          "is PAY_PER_REQUEST",
                                  name),
                   -1;
        if (!u->on_demand && !pt)
            return ddb_validation(req,
                                  INVALID "ProvisionedThroughput must be specified for "
                                          "index: %s",
                                  name),
                   -1;
        if (active + 1 > DDB_MAX_GSI)
            return awslet_fail(req, &ERR_DDB_LIMIT_EXCEEDED,
                               "GlobalSecondaryIndex count exceeds the per-table limit of %d",
                               DDB_MAX_GSI),
                   -1;
    }
    for (size_t k = 0; k < u->n_updates; k++) {
        const json_t *up = u->updates[k], *pt = present(up, "ProvisionedThroughput");
        const char *name = str_member(up, "IndexName");
        if (!(ix = gsi_of(desc, name)))
            return ddb_validation(req,
                                  "Cannot update an index that is not a "
                                  "GlobalSecondaryIndex: %s",
                                  name),
                   -1;
        if (u->on_demand && pt)
            return ddb_validation(req,
                                  INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits "
                                          "can be specified for index: %s when BillingMode "
                                          "is PAY_PER_REQUEST",
                                  name),
                   -1;
        if (!u->on_demand && !pt)
            return ddb_validation(req,
                                  INVALID "Both ReadCapacityUnits and WriteCapacityUnits "
                                          "must be specified for index: %s",
                                  name),
                   -1;
        if (pt && !u->switching) {
            char what[320];
            snprintf(what, sizeof(what), "the index %s", name);
            if (same_throughput(req, json_object_get(ix, "ProvisionedThroughput"), pt, what))
                return -1;
        }
    }
    for (size_t k = 0; k < u->n_deletes; k++) {
        const char *name = str_member(u->deletes[k], "IndexName");
        if (!gsi_of(desc, name))
            return ddb_validation(req,
                                  "Cannot delete an index that is not a "
                                  "GlobalSecondaryIndex: %s",
                                  name),
                   -1;
    }
    return 0;
}

static int
check_stream_sse(struct awslet_req *req, const struct update *u, const struct ddb_table *t,
                 const json_t *desc)
{
    if (u->stream) {
        bool on = json_is_true(json_object_get(u->stream, "StreamEnabled"));
        bool view = str_member(u->stream, "StreamViewType") != NULL;
        if (on && !view)
            return ddb_validation(req, INVALID "If stream is being enabled then UpdateViewType is "
                                               "required"),
                   -1;
        if (!on && view)
            return ddb_validation(req, INVALID "If stream is being disabled, then UpdateViewType "
                                               "must not be specified"),
                   -1;
        if (on && t->stream_id)
            return ddb_validation(req, "Table already has an enabled stream: TableName: %s",
                                  t->name),
                   -1;
        if (!on && !t->stream_id)
            return ddb_validation(req, "Table has no stream to disable: TableName: %s", t->name),
                   -1;
    }
    if (u->sse) {
        bool on = json_is_true(json_object_get(u->sse, "Enabled"));
        const json_t *cur = json_object_get(desc, "SSEDescription");
        const char *key = str_member(u->sse, "KMSMasterKeyId");
        if (!on && !cur)
            return ddb_validation(req, INVALID "Table is already encrypted by default"), -1;
        if (on && cur && (!key || strcmp(key, str_member(cur, "KMSMasterKeyArn")) == 0))
            return ddb_validation(req, INVALID "Table is already encrypted with given "
                                               "KMSMasterKeyId. Use KMSMasterKeyId parameter if "
                                               "you want to change Master Key"),
                   -1;
    }
    if (u->table_class && strcmp(u->table_class, "STANDARD") != 0 &&
        strcmp(u->table_class, "STANDARD_INFREQUENT_ACCESS") != 0)
        return ddb_validation(req, "Invalid table-class parameter provided. Please try again with "
                                   "a valid table-class value: [STANDARD, "
                                   "STANDARD_INFREQUENT_ACCESS]."),
               -1;
    return 0;
}

/* ---- applying ------------------------------------------------------------------------------- */

/* A ProvisionedThroughputDescription moved to r/w, recording an increase or a decrease. */
static json_t *
pt_moved(const json_t *cur, long long r, long long w, long long now)
{
    long long cr = pt_value(cur, "ReadCapacityUnits"), cw = pt_value(cur, "WriteCapacityUnits");
    long long decreases = pt_value(cur, "NumberOfDecreasesToday");
    json_t *inc = json_object_get(cur, "LastIncreaseDateTime");
    json_t *dec = json_object_get(cur, "LastDecreaseDateTime");
    json_t *out = json_object();

    if (r > cr || w > cw)
        json_object_set_new(out, "LastIncreaseDateTime", ddb_time(now));
    else if (inc)
        json_object_set(out, "LastIncreaseDateTime", inc);
    if (r < cr || w < cw) {
        json_object_set_new(out, "LastDecreaseDateTime", ddb_time(now));
        decreases++;
    } else if (dec) {
        json_object_set(out, "LastDecreaseDateTime", dec);
    }
    json_object_set_new(out, "NumberOfDecreasesToday", json_integer(decreases));
    json_object_set_new(out, "ReadCapacityUnits", json_integer(r));
    json_object_set_new(out, "WriteCapacityUnits", json_integer(w));
    return out;
}

static json_t *
pt_zero(const json_t *cur)
{
    return json_pack("{s:I, s:I, s:I}", "NumberOfDecreasesToday",
                     (json_int_t)pt_value(cur, "NumberOfDecreasesToday"), "ReadCapacityUnits",
                     (json_int_t)0, "WriteCapacityUnits", (json_int_t)0);
}

static json_t *
warm(long long r, long long w, const char *status)
{
    return json_pack("{s:I, s:I, s:s}", "ReadUnitsPerSecond", (json_int_t)r, "WriteUnitsPerSecond",
                     (json_int_t)w, "Status", status);
}

static json_t *
on_demand_limits(void)
{
    return json_pack("{s:I, s:I}", "MaxReadRequestUnits", (json_int_t)-1, "MaxWriteRequestUnits",
                     (json_int_t)-1);
}

/* Billing mode and the table's and GSIs' throughput. */
static void
apply_billing(const struct update *u, json_t *desc, long long now)
{
    json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes"), *ix;
    json_t *bms = json_object_get(desc, "BillingModeSummary");
    size_t i;

    if (u->switching && u->on_demand) {
        /* On-demand reports 0/0; leaving provisioned capacity is not a decrease. */
        json_object_set_new(desc, "ProvisionedThroughput",
                            pt_zero(json_object_get(desc, "ProvisionedThroughput")));
        json_object_set_new(desc, "BillingModeSummary",
                            json_pack("{s:s, s:o}", "BillingMode", "PAY_PER_REQUEST",
                                      "LastUpdateToPayPerRequestDateTime", ddb_time(now)));
        json_object_set_new(desc, "OnDemandThroughput", on_demand_limits());
        json_object_set_new(desc, "WarmThroughput", warm(12000, 4000, DDB_ACTIVE));
        json_array_foreach(gsis, i, ix)
        {
            json_object_set_new(ix, "ProvisionedThroughput",
                                pt_zero(json_object_get(ix, "ProvisionedThroughput")));
            json_object_set_new(ix, "OnDemandThroughput", on_demand_limits());
            json_object_set_new(ix, "WarmThroughput", warm(12000, 4000, DDB_ACTIVE));
        }
        return;
    }
    if (u->switching) {
        json_t *last = json_object_get(bms, "LastUpdateToPayPerRequestDateTime");
        json_t *nb = json_pack("{s:s}", "BillingMode", "PROVISIONED");
        if (last)
            json_object_set(nb, "LastUpdateToPayPerRequestDateTime", last);
        json_object_set_new(desc, "BillingModeSummary", nb);
        json_object_del(desc, "OnDemandThroughput");
        json_array_foreach(gsis, i, ix) json_object_del(ix, "OnDemandThroughput");
    }
    if (u->pt) {
        long long r = pt_value(u->pt, "ReadCapacityUnits"),
                  w = pt_value(u->pt, "WriteCapacityUnits");
        json_object_set_new(desc, "ProvisionedThroughput",
                            pt_moved(json_object_get(desc, "ProvisionedThroughput"), r, w, now));
        json_object_set_new(desc, "WarmThroughput", warm(r, w, DDB_ACTIVE));
    }
}

static void
apply_gsi_updates(const struct update *u, json_t *desc, long long now)
{
    for (size_t k = 0; k < u->n_updates; k++) {
        const json_t *pt = present(u->updates[k], "ProvisionedThroughput");
        json_t *ix = (json_t *)gsi_of(desc, str_member(u->updates[k], "IndexName"));
        long long r, w;
        if (!ix || !pt)
            continue;
        r = pt_value(pt, "ReadCapacityUnits");
        w = pt_value(pt, "WriteCapacityUnits");
        json_object_set_new(ix, "IndexStatus", json_string(DDB_UPDATING));
        json_object_set_new(ix, "ProvisionedThroughput",
                            pt_moved(json_object_get(ix, "ProvisionedThroughput"), r, w, now));
        json_object_set_new(ix, "WarmThroughput", warm(r, w, DDB_ACTIVE));
    }
}

/* Drop attribute definitions no key uses any more (after an index deletion). */
static void
prune_definitions(json_t *desc)
{
    static const char *const lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    size_t i = 0;

    while (i < json_array_size(defs)) {
        const char *name = str_member(json_array_get(defs, i), "AttributeName");
        bool used = false;
        const json_t *ix, *el;
        size_t j, k;
        json_array_foreach(json_object_get(desc, "KeySchema"), k, el)
        {
            if (strcmp(str_member(el, "AttributeName"), name) == 0)
                used = true;
        }
        for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
            json_array_foreach(json_object_get(desc, lists[l]), j, ix)
            {
                const char *st = str_member(ix, "IndexStatus");
                if (st && strcmp(st, DDB_DELETING) == 0)
                    continue;
                json_array_foreach(json_object_get(ix, "KeySchema"), k, el)
                {
                    if (strcmp(str_member(el, "AttributeName"), name) == 0)
                        used = true;
                }
            }
        if (used)
            i++;
        else
            json_array_remove(defs, i);
    }
}

static int
apply_gsi_deletes(sqlite3 *db, const struct update *u, const struct ddb_table *t, json_t *desc)
{
    static const char sql[] = "DELETE FROM ddb_index_items WHERE tid = ?1 AND iname = ?2";

    for (size_t k = 0; k < u->n_deletes; k++) {
        const char *name = str_member(u->deletes[k], "IndexName");
        json_t *ix = (json_t *)gsi_of(desc, name);
        sqlite3_stmt *st = store_stmt(db, sql);
        if (!ix || !st)
            return -1;
        json_object_set_new(ix, "IndexStatus", json_string(DDB_DELETING));
        sqlite3_bind_int64(st, 1, t->id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    if (u->n_deletes)
        prune_definitions(desc);
    return 0;
}

/* Index every stored item under a new GSI, as the write path would have. */
static int
backfill(sqlite3 *db, const struct ddb_table *t, const struct ddb_index *ix)
{
    static const char sel[] = "SELECT pk, sk, item FROM ddb_items WHERE tid = ?1";
    static const char ins[] = "INSERT OR REPLACE INTO ddb_index_items"
                              " (tid, iname, pk, sk, bpk, bsk, item, size)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *st = store_stmt(db, sel);
    int rc, fail = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *item = json_loadb(sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
                                  JSON_ALLOW_NUL, NULL);
        json_t *proj = item ? ddb_index_project(t, ix, item) : NULL;
        struct buf pk, sk;
        sqlite3_stmt *w;
        char *text;

        buf_init(&pk, 1 << 16);
        buf_init(&sk, 1 << 16);
        if (proj && ddb_key_encode(&ix->key, item, &pk, &sk) == 0 &&
            (text = json_dumps(proj, JSON_COMPACT))) {
            if (!(w = store_stmt(db, ins))) {
                fail = 1;
            } else {
                sqlite3_bind_int64(w, 1, t->id);
                sqlite3_bind_text(w, 2, ix->name, -1, SQLITE_STATIC);
                sqlite3_bind_blob(w, 3, pk.data ? pk.data : "", (int)pk.len, SQLITE_STATIC);
                sqlite3_bind_blob(w, 4, sk.data ? sk.data : "", (int)sk.len, SQLITE_STATIC);
                /* An empty blob reads back as NULL: bind it as empty again (no sort key). */
                for (int col = 0; col < 2; col++) {
                    const void *b = sqlite3_column_blob(st, col);
                    sqlite3_bind_blob(w, 5 + col, b ? b : "", sqlite3_column_bytes(st, col),
                                      SQLITE_TRANSIENT);
                }
                sqlite3_bind_blob(w, 7, text, (int)strlen(text), SQLITE_STATIC);
                sqlite3_bind_int64(w, 8, (sqlite3_int64)ddb_item_size(proj));
                if (sqlite3_step(w) != SQLITE_DONE) {
                    log_error("dynamodb: cannot index an item: %s", sqlite3_errmsg(db));
                    fail = 1;
                }
            }
            free(text);
        }
        buf_release(&pk);
        buf_release(&sk);
        json_decref(proj);
        json_decref(item);
    }
    sqlite3_reset(st);
    if (fail || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
        log_error("dynamodb: cannot backfill index '%s' of table %lld", ix->name, t->id);
        return -1;
    }
    return 0;
}

static const json_t *
def_of(const json_t *defs, const char *name)
{
    const json_t *d;
    size_t i;

    json_array_foreach(defs, i, d)
    {
        if (strcmp(str_member(d, "AttributeName"), name) == 0)
            return d;
    }
    return NULL;
}

static int
apply_gsi_creates(struct awslet_req *req, const struct update *u, const struct ddb_table *t,
                  json_t *desc, const json_t *merged)
{
    json_t *defs = json_object_get(desc, "AttributeDefinitions");

    for (size_t k = 0; k < u->n_creates; k++) {
        const json_t *c = u->creates[k], *el;
        json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes"), *ixd;
        struct ddb_index ix;
        size_t i;

        json_array_foreach(json_object_get(c, "KeySchema"), i, el)
        {
            const char *name = str_member(el, "AttributeName");
            if (!def_of(defs, name))
                json_array_append_new(defs, json_deep_copy(def_of(merged, name)));
        }
        ixd = ddb_table_def_index(c, t->arn, true, u->on_demand, DDB_CREATING);
        if (!ixd)
            return -1;
        if (!gsis) {
            gsis = json_array();
            json_object_set_new(desc, "GlobalSecondaryIndexes", gsis);
        }
        json_array_append_new(gsis, ixd);
        if (ddb_table_index_parse(&req->arena, ixd, defs, true, &ix) != 0 ||
            backfill(req->db, t, &ix) != 0)
            return -1;
    }
    return 0;
}

static int
apply_stream(struct awslet_req *req, const struct update *u, const struct ddb_table *t,
             json_t *desc)
{
    static const char sql[] = "UPDATE ddb_tables SET stream_id = NULL WHERE id = ?1";
    sqlite3_stmt *st;

    if (!u->stream)
        return 0;
    if (json_is_true(json_object_get(u->stream, "StreamEnabled")))
        return ddb_table_stream_on(req, req->db, t->id, t->name, desc,
                                   str_member(u->stream, "StreamViewType"));
    /* The stream stays readable for 24 hours; the table keeps naming it as its latest. */
    if (ddb_stream_disable(req->db, t->stream_id) != 0 || !(st = store_stmt(req->db, sql)))
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    json_object_del(desc, "StreamSpecification");
    return 0;
}

static void
apply_settings(struct awslet_req *req, const struct update *u, json_t *desc, long long now)
{
    if (u->sse) {
        if (json_is_true(json_object_get(u->sse, "Enabled")))
            json_object_set_new(desc, "SSEDescription", ddb_table_sse_desc(req, u->sse));
        else
            json_object_del(desc, "SSEDescription");
    }
    if (u->table_class)
        json_object_set_new(desc, "TableClassSummary",
                            json_pack("{s:s, s:o}", "TableClass", u->table_class,
                                      "LastUpdateDateTime", ddb_time(now)));
    if (u->deletion_protection)
        json_object_set_new(desc, "DeletionProtectionEnabled",
                            json_boolean(json_is_true(u->deletion_protection)));
}

/* The table's definitions plus the request's new ones (the table's win). */
static json_t *
merged_definitions(const json_t *desc, const json_t *in)
{
    json_t *m = json_deep_copy(json_object_get(desc, "AttributeDefinitions"));
    const json_t *d;
    size_t i;

    json_array_foreach(json_object_get(in, "AttributeDefinitions"), i, d)
    {
        const char *n = str_member(d, "AttributeName"), *ty = str_member(d, "AttributeType");
        if (n && ty && !def_of(m, n))
            json_array_append_new(m,
                                  json_pack("{s:s, s:s}", "AttributeName", n, "AttributeType", ty));
    }
    return m;
}

enum awslet_rc
ddb_update_table(struct awslet_req *req, const json_t *in, json_t **out)
{
    long long delay = awslet_cfg.ddb_status_delay_ms, now = clock_now_ms();
    struct update u = {.in = in};
    const char *name, *mode, *cur_mode;
    json_t *desc = NULL, *merged = NULL, *answer = NULL, *stored = NULL;
    struct ddb_table *t;
    struct ddb_args a;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    mode = ddb_args_enum(&a, in, "BillingMode", "billingMode", billing_modes);
    args_pt(&a, in, "");
    args_gsi_updates(&a, in);
    if ((u.stream = present(in, "StreamSpecification"))) {
        if (!present(u.stream, "StreamEnabled"))
            ddb_args_add(&a, "Value null at 'streamSpecification.streamEnabled' failed to "
                             "satisfy constraint: Member must not be null");
        ddb_args_enum(&a, u.stream, "StreamViewType", "streamSpecification.streamViewType",
                      view_types);
    }
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    u.pt = present(in, "ProvisionedThroughput");
    u.sse = present(in, "SSESpecification");
    u.table_class = str_member(in, "TableClass");
    u.deletion_protection = present(in, "DeletionProtectionEnabled");
    if (!u.pt && !mode && !u.stream && !present(in, "GlobalSecondaryIndexUpdates") && !u.sse &&
        !present(in, "ReplicaUpdates") && !u.deletion_protection &&
        !present(in, "OnDemandThroughput") && !present(in, "WarmThroughput") && !u.table_class &&
        !present(in, "MultiRegionConsistency"))
        return ddb_validation(req, "At least one of ProvisionedThroughput, BillingMode, "
                                   "UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
                                   "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
                                   "ReplicaTransitRoleArn, MultiRegionConsistency, "
                                   "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput "
                                   "or TableClass is required");
    if (ddb_table_get(req, req->db, name, &t) != 0 || ddb_table_require_active(req, t) != 0)
        return AWSLET_ERR;

    cur_mode = str_member(json_object_get(t->desc, "BillingModeSummary"), "BillingMode");
    u.on_demand_now = cur_mode && strcmp(cur_mode, "PAY_PER_REQUEST") == 0;
    u.on_demand = mode ? strcmp(mode, "PAY_PER_REQUEST") == 0 : u.on_demand_now;
    u.switching = u.on_demand != u.on_demand_now;
    merged = merged_definitions(t->desc, in);
    if (!merged)
        return awslet_fail_nomem(req);
    if (classify(req, &u) != 0 || check_combinations(req, &u) != 0 ||
        check_gsi_actions(req, &u, t->desc, merged) != 0 || check_billing(req, &u, t->desc) != 0 ||
        check_stream_sse(req, &u, t, t->desc) != 0)
        goto out;

    if (!(desc = json_deep_copy(t->desc)))
        goto fail;
    apply_billing(&u, desc, now);
    apply_gsi_updates(&u, desc, now);
    if (apply_gsi_deletes(req->db, &u, t, desc) != 0 ||
        apply_gsi_creates(req, &u, t, desc, merged) != 0 || apply_stream(req, &u, t, desc) != 0)
        goto fail;
    apply_settings(req, &u, desc, now);

    answer = ddb_table_describe_as(req->db, t->id, desc, DDB_UPDATING);
    stored = json_deep_copy(desc);
    if (!answer || !stored)
        goto fail;
    if (delay <= 0)
        ddb_table_desc_settle(stored);
    if (ddb_table_save(req->db, t->id, t->version, stored, delay > 0 ? DDB_UPDATING : DDB_ACTIVE,
                       delay > 0 ? now + delay : 0) != 0 ||
        (delay > 0 && ddb_table_schedule_settle(req->db, t->id, now + delay) != 0))
        goto fail;
    *out = json_pack("{s:O}", "TableDescription", answer);
    if (!*out)
        goto fail;
    json_decref(answer);
    json_decref(stored);
    json_decref(desc);
    json_decref(merged);
    return AWSLET_OK;
fail:
    if (!req->err)
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
out:
    json_decref(answer);
    json_decref(stored);
    json_decref(desc);
    json_decref(merged);
    return AWSLET_ERR;
}
