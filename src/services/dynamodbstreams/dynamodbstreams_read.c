/* dynamodbstreams_read.c: GetShardIterator and GetRecords.
 *
 * A position is a record number (dynamodbstreams_int.h): TRIM_HORIZON is the oldest record
 * still inside the 24-hour window, LATEST the number the next record will get,
 * AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER that record or the one after it. GetRecords
 * reads forward from the position and hands back a fresh iterator at the next one; once the
 * shard is closed (stream disabled) and nothing is left to read, NextShardIterator is absent,
 * which is how consumers learn the shard is finished. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

static enum awslet_rc
read_trimmed(struct awslet_req *req)
{
    return awslet_fail(req, &ERR_DDB_TRIMMED_DATA,
                       "The data you are trying to access has been trimmed");
}

static enum awslet_rc
read_internal(struct awslet_req *req)
{
    return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
}

/* The position a GetShardIterator request asks for: 0 with *pos, or -1 with the request
 * failed. */
static int
iterator_position(struct awslet_req *req, const struct dstreams_stream *s, const char *type,
                  const char *seq, long long now, long long *pos)
{
    long long first = dstreams_first_kept(req->db, s, now), sid, n;

    if (first < 0) {
        read_internal(req);
        return -1;
    }
    if (strcmp(type, "TRIM_HORIZON") == 0) {
        *pos = first;
        return 0;
    }
    if (strcmp(type, "LATEST") == 0) {
        *pos = s->next_seq;
        return 0;
    }
    if (!seq) {
        awslet_fail(req, &ERR_VALIDATION, "Must provide SequenceNumber for ShardIteratorType %s",
                    type);
        return -1;
    }
    /* A number this shard has issued: right stream, and not beyond its last record. */
    if (ddb_stream_seq_parse(seq, &sid, &n) != 0 || sid != s->id % 1000000000LL ||
        n >= s->next_seq) {
        awslet_fail(req, &ERR_VALIDATION, "Invalid SequenceNumber %s for shard %s", seq,
                    s->shard_id);
        return -1;
    }
    if (n < first) {
        read_trimmed(req);
        return -1;
    }
    *pos = strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0 ? n + 1 : n;
    return 0;
}

/* GetShardIterator: in StreamArn, ShardId, ShardIteratorType, SequenceNumber?
 * out: ShardIterator */
enum awslet_rc
dstreams_get_shard_iterator(struct awslet_req *req, const json_t *in, json_t **out)
{
    static const char *const types[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                        "AFTER_SEQUENCE_NUMBER", NULL};
    struct dstreams_args a;
    struct dstreams_stream s;
    struct dstreams_iter it;
    const char *arn, *shard, *type, *seq;
    long long now = clock_now_ms();
    char *text;
    int found;

    dstreams_args_init(&a, req);
    arn = dstreams_args_str(&a, in, "StreamArn", "streamArn", 37, 1024, true);
    shard = dstreams_args_str(&a, in, "ShardId", "shardId", 28, 65, true);
    type = dstreams_args_enum(&a, in, "ShardIteratorType", "shardIteratorType", types, true);
    seq = dstreams_args_str(&a, in, "SequenceNumber", "sequenceNumber", 21, 40, false);
    if (dstreams_args_done(&a) != 0)
        return AWSLET_ERR;

    found = dstreams_stream_by_arn(&req->arena, req->db, req->account, req->region, arn, &s);
    if (found < 0)
        return read_internal(req);
    if (!found)
        return dstreams_no_stream(req, arn);
    if (strcmp(shard, s.shard_id) != 0) {
        dstreams_stream_release(&s);
        return awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                           "Requested resource not found: Shard does not exist");
    }
    it.sid = s.id;
    it.issued_ms = now;
    if (iterator_position(req, &s, type, seq, now, &it.pos) != 0) {
        dstreams_stream_release(&s);
        return AWSLET_ERR;
    }
    text = dstreams_iter_encode(&req->arena, s.arn, &it);
    dstreams_stream_release(&s);
    if (!text)
        return awslet_fail_nomem(req);
    *out = json_pack("{s:s}", "ShardIterator", text);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
}

/* Append the records from it->pos on (at most limit, and about 1 MB) to records; *next is
 * the number after the last one read (it->pos when none). 0 or -1. */
static int
read_records(sqlite3 *db, const struct dstreams_iter *it, long long limit, json_t *records,
             long long *next)
{
    static const char sql[] = "SELECT seq, record FROM ddb_stream_records WHERE sid = ?1 "
                              "AND seq >= ?2 ORDER BY seq LIMIT ?3";
    sqlite3_stmt *st = store_stmt(db, sql);
    size_t bytes = 0;
    int rc;

    *next = it->pos;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, it->sid);
    sqlite3_bind_int64(st, 2, it->pos);
    sqlite3_bind_int64(st, 3, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        json_t *rec;

        /* The first record always goes, however large; the rest while under 1 MB. */
        if (bytes && bytes + len > DDB_STREAM_GET_BYTES)
            break;
        rec = json_loadb((const char *)sqlite3_column_text(st, 1), len, 0, NULL);
        if (!rec || json_array_append_new(records, rec) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        bytes += len;
        *next = sqlite3_column_int64(st, 0) + 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return 0;
    log_error("cannot read stream %lld: %s", it->sid, sqlite3_errmsg(db));
    return -1;
}

/* GetRecords: in ShardIterator, Limit?   out: Records, NextShardIterator? */
enum awslet_rc
dstreams_get_records(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct dstreams_args a;
    struct dstreams_stream s;
    struct dstreams_iter it, next;
    const char *text, *arn;
    long long limit = DDB_STREAM_GET_MAX, now = clock_now_ms(), first;
    json_t *records, *res;
    int found;

    dstreams_args_init(&a, req);
    text = dstreams_args_str(&a, in, "ShardIterator", "shardIterator", 1, 2048, true);
    dstreams_args_int(&a, in, "Limit", "limit", 1, DDB_STREAM_GET_MAX, &limit);
    if (dstreams_args_done(&a) != 0)
        return AWSLET_ERR;
    if (dstreams_iter_decode(&req->arena, text, &it, &arn) != 0)
        return awslet_fail(req, &ERR_VALIDATION, "Invalid ShardIterator");
    if (now - it.issued_ms > DDB_STREAM_ITER_TTL_MS)
        return awslet_fail(req, &ERR_DDB_EXPIRED_ITERATOR,
                           "The provided iterator exceeds the maximum age allowed.");

    /* The ARN must still name that stream in the caller's account and region. */
    found = dstreams_stream_by_arn(&req->arena, req->db, req->account, req->region, arn, &s);
    if (found < 0)
        return read_internal(req);
    if (!found || s.id != it.sid) {
        if (found)
            dstreams_stream_release(&s);
        return dstreams_no_stream(req, arn);
    }
    first = dstreams_first_kept(req->db, &s, now);
    if (first < 0 || it.pos < first) {
        dstreams_stream_release(&s);
        return first < 0 ? read_internal(req) : read_trimmed(req);
    }

    records = json_array();
    res = json_object();
    next = it;
    next.issued_ms = now;
    if (!records || !res || read_records(req->db, &it, limit, records, &next.pos) != 0) {
        dstreams_stream_release(&s);
        json_decref(records);
        json_decref(res);
        return read_internal(req);
    }
    json_object_set_new(res, "Records", records);
    if (!dstreams_closed(&s) || next.pos < s.next_seq) {
        char *nt = dstreams_iter_encode(&req->arena, s.arn, &next);

        if (!nt) {
            dstreams_stream_release(&s);
            json_decref(res);
            return awslet_fail_nomem(req);
        }
        json_object_set_new(res, "NextShardIterator", json_string(nt));
    }
    dstreams_stream_release(&s);
    *out = res;
    return AWSLET_OK;
}
