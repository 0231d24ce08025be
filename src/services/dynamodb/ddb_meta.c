/* ddb_meta.c: a table's settings besides its definition: tags (TagResource, UntagResource,
 * ListTagsOfResource, by table ARN), time to live (DescribeTimeToLive, UpdateTimeToLive), and
 * the account-level answers DescribeLimits and DescribeEndpoints.
 *
 * Tags live in ddb_tags (one row per key). TTL is ddb_tables.ttl_attr/ttl_status; turning it
 * on fills ddb_items.expires for the items already stored and arms the table's sweep timer
 * (ddb_ttl.c), turning it off clears both. Both change the table's version, since the cached
 * record carries the TTL attribute the write path fills expires from. */
#include "services/dynamodb/ddb_table.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

/* DescribeLimits: the default quotas of a region (DynamoDB developer guide, "Service, account,
 * and table quotas"). */
#define LIMIT_ACCOUNT_UNITS    80000
#define LIMIT_TABLE_UNITS      40000
#define ENDPOINT_CACHE_MINUTES 1440

static const char *
str_member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* ---- tags -------------------------------------------------------------------------------------
 */

void
ddb_tags_args(struct ddb_args *a, const json_t *in, const char *member, const char *at)
{
    const json_t *tags = json_object_get(in, member), *tag;
    size_t i;

    json_array_foreach(tags, i, tag)
    {
        const char *k = str_member(tag, "Key"), *v = str_member(tag, "Value");
        if (!k)
            ddb_args_add(a,
                         "Value null at '%s.%zu.member.key' failed to satisfy constraint: "
                         "Member must not be null",
                         at, i + 1);
        else if (strlen(k) < 1 || strlen(k) > 128)
            ddb_args_add(a,
                         "Value '%s' at '%s.%zu.member.key' failed to satisfy constraint: "
                         "Member must have length %s",
                         k, at, i + 1,
                         strlen(k) < 1 ? "greater than or equal to 1"
                                       : "less than or equal to 128");
        if (!v)
            ddb_args_add(a,
                         "Value null at '%s.%zu.member.value' failed to satisfy constraint: "
                         "Member must not be null",
                         at, i + 1);
        else if (strlen(v) > 256)
            ddb_args_add(a,
                         "Value '%s' at '%s.%zu.member.value' failed to satisfy constraint: "
                         "Member must have length less than or equal to 256",
                         v, at, i + 1);
    }
}

/* Tag keys and values take letters, digits, white space and _ . : / = + - @ (any UTF-8
 * letter too: bytes above 0x7f are let through). */
static bool
tag_text_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr(" _.:/=+-@", c))
            continue;
        return false;
    }
    return true;
}

int
ddb_tags_check(struct awslet_req *req, const json_t *tags, long long existing)
{
    const json_t *tag;
    size_t i, j;

    json_array_foreach(tags, i, tag)
    {
        const char *k = str_member(tag, "Key"), *v = str_member(tag, "Value");
        if (!tag_text_ok(k))
            return ddb_validation(req, "The Tag Key provided is invalid, Key: %s", k), -1;
        if (strncmp(k, "aws:", 4) == 0)
            return ddb_validation(req, "Tag Key cannot be prefixed with aws:, Key: %s", k), -1;
        if (!tag_text_ok(v))
            return ddb_validation(req, "The Tag Value provided is invalid, Value: %s", v), -1;
        for (j = 0; j < i; j++)
            if (strcmp(str_member(json_array_get(tags, j), "Key"), k) == 0)
                return ddb_validation(req,
                                      "Duplicate Tag Keys provided as input: Duplicate Tag "
                                      "Key found %s",
                                      k),
                       -1;
    }
    if (existing + (long long)json_array_size(tags) > DDB_MAX_TAGS)
        return ddb_validation(req, "Number of Tags exceed the current limit for the provided "
                                   "ResourceArn"),
               -1;
    return 0;
}

static const char *
resource_arn(struct ddb_args *a, const json_t *in)
{
    const char *arn = str_member(in, "ResourceArn");

    if (!arn)
        ddb_args_add(a, "Value null at 'resourceArn' failed to satisfy constraint: Member must "
                        "not be null");
    else if (strlen(arn) < 1 || strlen(arn) > 1283)
        ddb_args_add(a,
                     "Value '%s' at 'resourceArn' failed to satisfy constraint: Member must "
                     "have length %s",
                     arn,
                     strlen(arn) < 1 ? "greater than or equal to 1" : "less than or equal to 1283");
    return arn;
}

/* The keys of tags that the table does not have yet. */
static long long
tags_new_count(sqlite3 *db, long long id, const json_t *tags, long long *existing)
{
    static const char count_sql[] = "SELECT count(*) FROM ddb_tags WHERE tid = ?1";
    static const char has_sql[] = "SELECT 1 FROM ddb_tags WHERE tid = ?1 AND key = ?2";
    sqlite3_stmt *st = store_stmt(db, count_sql);
    const json_t *tag;
    long long replaced = 0;
    size_t i;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    *existing = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    json_array_foreach(tags, i, tag)
    {
        if (!(st = store_stmt(db, has_sql)))
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, str_member(tag, "Key"), -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            replaced++;
        sqlite3_reset(st);
    }
    *existing -= replaced; /* a tag that is replaced does not count twice */
    return 0;
}

/* The table a tag operation names, refused while it is being created or deleted. */
static int
tag_table(struct awslet_req *req, const char *arn, struct ddb_table **t)
{
    if (ddb_table_by_arn(req, req->db, arn, t) != 0)
        return -1;
    if (strcmp((*t)->status, DDB_CREATING) == 0 || strcmp((*t)->status, DDB_DELETING) == 0)
        return ddb_table_require_active(req, *t);
    return 0;
}

enum awslet_rc
ddb_tag_resource(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO ddb_tags (tid, key, value) VALUES (?1, ?2, ?3)";
    const json_t *tags = json_object_get(in, "Tags"), *tag;
    struct ddb_table *t;
    struct ddb_args a;
    long long existing;
    const char *arn;
    size_t i;

    ddb_args_init(&a, req);
    arn = resource_arn(&a, in);
    if (!tags || json_is_null(tags))
        ddb_args_add(&a, "Value null at 'tags' failed to satisfy constraint: Member must not be "
                         "null");
    ddb_tags_args(&a, in, "Tags", "tags");
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (json_array_size(tags) == 0)
        return ddb_validation(req, "Atleast one Tag needs to be provided as Input.");
    if (tag_table(req, arn, &t) != 0)
        return AWSLET_ERR;
    if (tags_new_count(req->db, t->id, tags, &existing) != 0)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    if (ddb_tags_check(req, tags, existing) != 0)
        return AWSLET_ERR;
    json_array_foreach(tags, i, tag)
    {
        sqlite3_stmt *st = store_stmt(req->db, sql);
        if (!st)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        sqlite3_bind_int64(st, 1, t->id);
        sqlite3_bind_text(st, 2, str_member(tag, "Key"), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, str_member(tag, "Value"), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

enum awslet_rc
ddb_untag_resource(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] = "DELETE FROM ddb_tags WHERE tid = ?1 AND key = ?2";
    const json_t *keys = json_object_get(in, "TagKeys"), *k;
    struct ddb_table *t;
    struct ddb_args a;
    const char *arn;
    size_t i;

    ddb_args_init(&a, req);
    arn = resource_arn(&a, in);
    if (!keys || json_is_null(keys))
        ddb_args_add(&a, "Value null at 'tagKeys' failed to satisfy constraint: Member must not "
                         "be null");
    json_array_foreach(keys, i, k)
    {
        size_t n = strlen(json_string_value(k) ? json_string_value(k) : "");
        if (n < 1 || n > 128)
            ddb_args_add(&a,
                         "Value '%s' at 'tagKeys.%zu.member' failed to satisfy constraint: "
                         "Member must have length %s",
                         json_string_value(k) ? json_string_value(k) : "", i + 1,
                         n < 1 ? "greater than or equal to 1" : "less than or equal to 128");
    }
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (json_array_size(keys) == 0)
        return ddb_validation(req, "Atleast one Tag Key needs to be provided as Input.");
    json_array_foreach(keys, i, k)
    {
        if (!tag_text_ok(json_string_value(k)))
            return ddb_validation(req, "The Tag Key provided is invalid, Key: %s",
                                  json_string_value(k));
    }
    if (tag_table(req, arn, &t) != 0)
        return AWSLET_ERR;
    json_array_foreach(keys, i, k)
    {
        sqlite3_stmt *st = store_stmt(req->db, sql);
        if (!st)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        sqlite3_bind_int64(st, 1, t->id);
        sqlite3_bind_text(st, 2, json_string_value(k), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    *out = json_object();
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

enum awslet_rc
ddb_list_tags_of_resource(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] = "SELECT key, value FROM ddb_tags WHERE tid = ?1 ORDER BY key";
    struct ddb_table *t;
    struct ddb_args a;
    sqlite3_stmt *st;
    const char *arn;
    json_t *tags;

    ddb_args_init(&a, req);
    arn = resource_arn(&a, in);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    /* At most 50 tags: one page always holds them all, so NextToken is never answered. */
    if (ddb_table_by_arn(req, req->db, arn, &t) != 0)
        return AWSLET_ERR;
    if (!(st = store_stmt(req->db, sql)) || !(tags = json_array()))
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    sqlite3_bind_int64(st, 1, t->id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(tags, json_pack("{s:s, s:s}", "Key", sqlite3_column_text(st, 0),
                                              "Value", sqlite3_column_text(st, 1)));
    sqlite3_reset(st);
    *out = json_pack("{s:o}", "Tags", tags);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- time to live ---------------------------------------------------------------------------- */

enum awslet_rc
ddb_describe_time_to_live(struct awslet_req *req, const json_t *in, json_t **out)
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
    if (strcmp(t->status, DDB_CREATING) == 0 || strcmp(t->status, DDB_DELETING) == 0)
        return ddb_validation(req,
                              "Cannot describe time to live while table is in %s state: "
                              "Current table state is %s",
                              t->status, t->status);
    if (t->ttl_attr)
        d = json_pack("{s:s, s:s}", "TimeToLiveStatus", "ENABLED", "AttributeName", t->ttl_attr);
    else
        d = json_pack("{s:s}", "TimeToLiveStatus", "DISABLED");
    *out = json_pack("{s:o}", "TimeToLiveDescription", d);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

static int
ttl_save(sqlite3 *db, const struct ddb_table *t, const char *attr, bool on)
{
    static const char sql[] =
        "UPDATE ddb_tables SET ttl_attr = ?2, ttl_status = ?3, version = ?4 WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    if (on)
        sqlite3_bind_text(st, 2, attr, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, on ? "ENABLED" : "DISABLED", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ddb_table_next_version(t->version));
    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    if (on)
        return ddb_ttl_fill(db, t->id, attr) == 0 && ddb_ttl_arm(db, t->id) == 0 ? 0 : -1;
    return ddb_ttl_fill(db, t->id, NULL) == 0 && ddb_ttl_disarm(db, t->id) == 0 ? 0 : -1;
}

enum awslet_rc
ddb_update_time_to_live(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *spec = json_object_get(in, "TimeToLiveSpecification");
    const char *name, *attr = NULL;
    struct ddb_table *t;
    struct ddb_args a;
    bool on = false;

    ddb_args_init(&a, req);
    name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (!spec || json_is_null(spec)) {
        ddb_args_add(&a, "Value null at 'timeToLiveSpecification' failed to satisfy constraint: "
                         "Member must not be null");
    } else {
        const json_t *en = json_object_get(spec, "Enabled");
        attr = str_member(spec, "AttributeName");
        on = json_is_true(en);
        if (!en || json_is_null(en))
            ddb_args_add(&a, "Value null at 'timeToLiveSpecification.enabled' failed to satisfy "
                             "constraint: Member must not be null");
        if (!attr)
            ddb_args_add(&a, "Value null at 'timeToLiveSpecification.attributeName' failed to "
                             "satisfy constraint: Member must not be null");
        else if (strlen(attr) < 1 || strlen(attr) > 255)
            ddb_args_add(&a,
                         "Value '%s' at 'timeToLiveSpecification.attributeName' failed to "
                         "satisfy constraint: Member must have length %s",
                         attr,
                         strlen(attr) < 1 ? "greater than or equal to 1"
                                          : "less than or equal to 255");
    }
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (ddb_table_get(req, req->db, name, &t) != 0 || ddb_table_require_active(req, t) != 0)
        return AWSLET_ERR;
    if (on && t->ttl_attr && strcmp(t->ttl_attr, attr) == 0)
        return ddb_validation(req, "TimeToLive is already enabled");
    if (t->ttl_attr && strcmp(t->ttl_attr, attr) != 0)
        return ddb_validation(req,
                              "TimeToLive is active on a different AttributeName: current "
                              "AttributeName is %s",
                              t->ttl_attr);
    if (!on && !t->ttl_attr)
        return ddb_validation(req, "TimeToLive is already disabled");
    if (ttl_save(req->db, t, attr, on) != 0)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    *out = json_pack("{s:{s:b, s:s}}", "TimeToLiveSpecification", "Enabled", on, "AttributeName",
                     attr);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* ---- DescribeLimits, DescribeEndpoints --------------------------------------------------------
 */

enum awslet_rc
ddb_describe_limits(struct awslet_req *req, const json_t *in, json_t **out)
{
    (void)in;
    *out = json_pack("{s:I, s:I, s:I, s:I}", "AccountMaxReadCapacityUnits",
                     (json_int_t)LIMIT_ACCOUNT_UNITS, "AccountMaxWriteCapacityUnits",
                     (json_int_t)LIMIT_ACCOUNT_UNITS, "TableMaxReadCapacityUnits",
                     (json_int_t)LIMIT_TABLE_UNITS, "TableMaxWriteCapacityUnits",
                     (json_int_t)LIMIT_TABLE_UNITS);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* The endpoint is wherever the client reached us, so that endpoint discovery keeps it here. */
enum awslet_rc
ddb_describe_endpoints(struct awslet_req *req, const json_t *in, json_t **out)
{
    const char *host = req->host;

    (void)in;
    if (!host || !*host)
        host = arena_printf(&req->arena, "%s:%u", awslet_cfg.host, awslet_cfg.bound_port);
    *out = json_pack("{s:[{s:s, s:I}]}", "Endpoints", "Address", host ? host : "",
                     "CachePeriodInMinutes", (json_int_t)ENDPOINT_CACHE_MINUTES);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}
