/* dynamodbstreams_list.c: ListStreams and DescribeStream.
 *
 * ListStreams pages through the account's streams in creation order (optionally of one
 * table); DescribeStream reports a stream and its one shard. A shard whose stream is
 * disabled is closed: its SequenceNumberRange gains an EndingSequenceNumber, and the stream
 * stays listed, DISABLED, for 24 hours. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

/* "The maximum number of streams to return. The upper limit is 100." (ListStreams, and
 * the same for DescribeStream's shards). */
#define LIST_MAX 100

/* "Requested resource not found: Stream: <arn> not found" */
enum awslet_rc
dstreams_no_stream(struct awslet_req *req, const char *arn)
{
    return awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Stream: %s not found", arn);
}

/* The id of the stream called arn in the account and region, visible or not; 0 if none. */
static long long
list_start_id(sqlite3 *db, const char *account, const char *region, const char *arn)
{
    static const char sql[] =
        "SELECT id FROM ddb_streams WHERE arn = ?1 AND account = ?2 AND region = ?3";
    sqlite3_stmt *st = store_stmt(db, sql);
    long long id = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, region, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        id = -1;
    sqlite3_reset(st);
    return id;
}

/* Whether the table exists in the account and region (any status). 1, 0 or -1. */
static int
list_table_exists(sqlite3 *db, const char *account, const char *region, const char *name)
{
    static const char sql[] =
        "SELECT 1 FROM ddb_tables WHERE account = ?1 AND region = ?2 AND name = ?3";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ListStreams: in TableName?, Limit?, ExclusiveStartStreamArn?
 * out: Streams [{StreamArn, TableName, StreamLabel}], LastEvaluatedStreamArn? */
enum awslet_rc
dstreams_list_streams(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char sql[] =
        "SELECT arn, table_name, label FROM ddb_streams WHERE account = ?1 AND region = ?2 "
        "AND (?3 IS NULL OR table_name = ?3) AND id > ?4 "
        "AND (disabled_ms IS NULL OR disabled_ms >= ?5) ORDER BY id LIMIT ?6";
    struct dstreams_args a;
    const char *table, *start;
    long long limit = LIST_MAX, after = 0;
    json_t *streams, *res;
    sqlite3_stmt *st;
    int rc, n = 0;

    dstreams_args_init(&a, req);
    table = dstreams_args_table_name(&a, in, "TableName", "tableName");
    dstreams_args_int(&a, in, "Limit", "limit", 1, 0x7fffffff, &limit);
    start = dstreams_args_str(&a, in, "ExclusiveStartStreamArn", "exclusiveStartStreamArn", 37,
                              1024, false);
    if (dstreams_args_done(&a) != 0)
        return AWSLET_ERR;
    if (limit > LIST_MAX)
        limit = LIST_MAX;
    if (start) {
        after = list_start_id(req->db, req->account, req->region, start);
        if (after < 0)
            return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        if (after == 0)
            return dstreams_no_stream(req, start);
    }

    st = store_stmt(req->db, sql);
    streams = json_array();
    res = json_object();
    if (!st || !streams || !res) {
        json_decref(streams);
        json_decref(res);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_TRANSIENT);
    if (table)
        sqlite3_bind_text(st, 3, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, after);
    sqlite3_bind_int64(st, 5, clock_now_ms() - DDB_STREAM_RETENTION_MS);
    sqlite3_bind_int64(st, 6, limit + 1); /* one more tells whether a next page exists */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *arn = (const char *)sqlite3_column_text(st, 0);

        if (n++ == limit) {
            json_object_set_new(res, "LastEvaluatedStreamArn",
                                json_string(json_string_value(json_object_get(
                                    json_array_get(streams, (size_t)limit - 1), "StreamArn"))));
            break;
        }
        json_array_append_new(streams,
                              json_pack("{s:s, s:s, s:s}", "StreamArn", arn, "TableName",
                                        (const char *)sqlite3_column_text(st, 1), "StreamLabel",
                                        (const char *)sqlite3_column_text(st, 2)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("cannot list streams: %s", sqlite3_errmsg(req->db));
        json_decref(streams);
        json_decref(res);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    /* A table that does not exist and left no stream behind is not found. */
    if (table && n == 0 && !start &&
        list_table_exists(req->db, req->account, req->region, table) == 0) {
        json_decref(streams);
        json_decref(res);
        return awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                           "Requested resource not found: Table: %s not found", table);
    }
    json_object_set_new(res, "Streams", streams);
    *out = res;
    return AWSLET_OK;
}

/* The shard as DescribeStream shows it (a new object). */
static json_t *
describe_shard(const struct dstreams_stream *s)
{
    char first[DDB_STREAM_SEQ_LEN + 1], last[DDB_STREAM_SEQ_LEN + 1];
    json_t *range;

    ddb_stream_seq_format(first, s->id, 1);
    range = json_pack("{s:s}", "StartingSequenceNumber", first);
    if (range && dstreams_closed(s)) {
        /* The last record written, or the start itself for a shard that never had one. */
        ddb_stream_seq_format(last, s->id, s->next_seq > 1 ? s->next_seq - 1 : 1);
        json_object_set_new(range, "EndingSequenceNumber", json_string(last));
    }
    return range ? json_pack("{s:s, s:o}", "ShardId", s->shard_id, "SequenceNumberRange", range)
                 : NULL;
}

/* DescribeStream: in StreamArn, Limit?, ExclusiveStartShardId?, ShardFilter?
 * out: StreamDescription {StreamArn, StreamLabel, StreamStatus, StreamViewType,
 * CreationRequestDateTime, TableName, KeySchema, Shards} */
enum awslet_rc
dstreams_describe_stream(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const filter_types[] = {"CHILD_SHARDS", NULL};
    struct dstreams_args a;
    struct dstreams_stream s;
    const char *arn, *start;
    const json_t *filter = json_object_get(in, "ShardFilter");
    long long limit = LIST_MAX;
    json_t *shards, *desc;
    int found;

    dstreams_args_init(&a, req);
    arn = dstreams_args_str(&a, in, "StreamArn", "streamArn", 37, 1024, true);
    dstreams_args_int(&a, in, "Limit", "limit", 1, 0x7fffffff, &limit);
    start =
        dstreams_args_str(&a, in, "ExclusiveStartShardId", "exclusiveStartShardId", 28, 65, false);
    if (filter && !json_is_null(filter)) {
        if (!json_is_object(filter)) {
            a.serial = "Unexpected value type in payload";
        } else {
            dstreams_args_enum(&a, filter, "Type", "shardFilter.type", filter_types, true);
            dstreams_args_str(&a, filter, "ShardId", "shardFilter.shardId", 28, 65, false);
        }
    }
    if (dstreams_args_done(&a) != 0)
        return AWSLET_ERR;

    found = dstreams_stream_by_arn(&req->arena, req->db, req->account, req->region, arn, &s);
    if (found < 0)
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    if (!found)
        return dstreams_no_stream(req, arn);

    shards = json_array();
    /* One shard, never split: it has no children (CHILD_SHARDS finds none), and a page that
     * starts after it (shard ids sort by creation time) is empty. */
    if (shards && !(filter && json_is_object(filter)) && !(start && strcmp(start, s.shard_id) >= 0))
        json_array_append_new(shards, describe_shard(&s));
    desc = json_pack("{s:s, s:s, s:s, s:s, s:f, s:s, s:O, s:o}", "StreamArn", s.arn, "StreamLabel",
                     s.label, "StreamStatus", dstreams_closed(&s) ? "DISABLED" : "ENABLED",
                     "StreamViewType", s.view_type, "CreationRequestDateTime",
                     (double)s.created_ms / 1000.0, "TableName", s.table_name, "KeySchema",
                     s.key_schema, "Shards", shards);
    dstreams_stream_release(&s);
    *out = desc ? json_pack("{s:o}", "StreamDescription", desc) : NULL;
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}
