/* dynamodbstreams_int.h: what the DynamoDB Streams files share, and what ddb_stream.c (the
 * write side, in services/dynamodb/) offers them.
 *
 * Files: dynamodbstreams.c (descriptor, op table, init), dynamodbstreams_args.c (parameter
 * checks and their ValidationException texts), dynamodbstreams_store.c (reading
 * ddb_streams and ddb_stream_records), dynamodbstreams_iter.c (the opaque shard iterator),
 * dynamodbstreams_list.c (ListStreams, DescribeStream), dynamodbstreams_read.c
 * (GetShardIterator, GetRecords). ddb_stream.c writes the records with each item change.
 *
 * A stream has exactly one shard. Its records are numbered 1, 2, 3... (ddb_stream_records.seq,
 * from ddb_streams.next_seq); the wire's SequenceNumber is that number made unique across
 * streams: 21 decimal digits, the stream id in the first 9 and the record number in the last
 * 12, so that text order is numeric order and a number from another shard is recognized. */
#ifndef AWSLET_DYNAMODBSTREAMS_INT_H
#define AWSLET_DYNAMODBSTREAMS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/req.h"
#include "services/service.h"

/* "Stream records ... are retained for 24 hours" and "A shard iterator expires 15 minutes
 * after it is returned to the requester" (DynamoDB Streams API reference). */
#define DDB_STREAM_RETENTION_MS (24LL * 3600 * 1000)
#define DDB_STREAM_ITER_TTL_MS  (15LL * 60 * 1000)
/* GetRecords: "a maximum of 1 MB of data or 1000 stream records, whichever comes first". */
#define DDB_STREAM_GET_MAX   1000
#define DDB_STREAM_GET_BYTES (1024 * 1024)

#define DDB_STREAM_SEQ_LEN   21
#define DDB_STREAM_SEQ_MAX_N 999999999999LL /* 12 digits of record number */

/* ---- sequence numbers (ddb_stream.c) ------------------------------------------------------ */

/* The SequenceNumber of record n of stream sid, into out (22 bytes with the NUL). */
void ddb_stream_seq_format(char out[DDB_STREAM_SEQ_LEN + 1], long long sid, long long n);
/* Parse a SequenceNumber: 0 with *sid and *n, or -1 when s is not one awslet could have
 * issued (length, digits, record number 0). */
int ddb_stream_seq_parse(const char *s, long long *sid, long long *n);

/* ---- one stream (dynamodbstreams_store.c) ------------------------------------------------- */

struct dstreams_stream {
    long long id; /* ddb_streams.id */
    const char *arn, *label, *table_name, *view_type, *shard_id, *region;
    json_t *key_schema; /* the table's KeySchema (owned: json_decref) */
    long long created_ms;
    long long disabled_ms; /* 0 while ENABLED */
    long long next_seq;    /* the number the next record will get */
};

/* The stream with this ARN in the account and region, still visible (enabled, or disabled
 * less than 24 hours ago). 1 found, 0 not, -1 database error. Strings in the arena. */
int dstreams_stream_by_arn(struct arena *a, sqlite3 *db, const char *account, const char *region,
                           const char *arn, struct dstreams_stream *s);
/* The same by id (shard iterators carry the id). */
int dstreams_stream_by_id(struct arena *a, sqlite3 *db, long long id, struct dstreams_stream *s);
void dstreams_stream_release(struct dstreams_stream *s);
/* The first record number still inside the retention window at now_ms (s->next_seq when
 * every record written has been trimmed, or none was written). -1 on a database error. */
long long dstreams_first_kept(sqlite3 *db, const struct dstreams_stream *s, long long now_ms);
/* Whether the shard is closed (the stream was disabled). */
static inline bool
dstreams_closed(const struct dstreams_stream *s)
{
    return s->disabled_ms != 0;
}

/* ---- shard iterators (dynamodbstreams_iter.c) --------------------------------------------- */

/* What an iterator says: read stream sid from record number pos on; issued at issued_ms. */
struct dstreams_iter {
    long long sid;
    long long pos;
    long long issued_ms;
};

/* The iterator's text, AWS's form "<stream ARN>|1|<base64 blob>", into the arena (NULL when
 * out of memory). The blob is authenticated with the ARN, so a changed byte is noticed. */
char *dstreams_iter_encode(struct arena *a, const char *stream_arn, const struct dstreams_iter *it);
/* Decode and verify; 0, or -1 for anything awslet did not issue (garbage, tampering, wrong
 * version). *arn_out points into the arena. */
int dstreams_iter_decode(struct arena *a, const char *text, struct dstreams_iter *it,
                         const char **arn_out);

/* ---- parameters (dynamodbstreams_args.c) -------------------------------------------------- */

/* Collects the constraint failures of one request (at: the member's camelCase name). */
struct dstreams_args {
    struct awslet_req *req;
    unsigned n;         /* failures so far */
    struct buf msg;     /* their texts, "; "-separated */
    const char *serial; /* a member of the wrong JSON type: SerializationException */
};

void dstreams_args_init(struct dstreams_args *a, struct awslet_req *req);
/* A string member with the model's length bounds; NULL when absent or failed. */
const char *dstreams_args_str(struct dstreams_args *a, const json_t *in, const char *member,
                              const char *at, size_t min, size_t max, bool required);
/* An optional TableName: 3 to 255 of [a-zA-Z0-9_.-]. */
const char *dstreams_args_table_name(struct dstreams_args *a, const json_t *in, const char *member,
                                     const char *at);
/* A string that must be one of the NULL-terminated choices. */
const char *dstreams_args_enum(struct dstreams_args *a, const json_t *in, const char *member,
                               const char *at, const char *const *choices, bool required);
/* An integer member within [min, max]: 1 set in *out, 0 absent, -1 failed. */
int dstreams_args_int(struct dstreams_args *a, const json_t *in, const char *member, const char *at,
                      long long min, long long max, long long *out);
/* 0 if every check passed; else fails the request and returns -1. Releases a. */
int dstreams_args_done(struct dstreams_args *a);

/* ---- operations --------------------------------------------------------------------------- */

/* Fail with "Requested resource not found: Stream: <arn> not found". */
enum awslet_rc dstreams_no_stream(struct awslet_req *req, const char *arn);

awslet_op_fn dstreams_list_streams, dstreams_describe_stream, dstreams_get_shard_iterator,
    dstreams_get_records;

/* ---- record shaping, visible to the unit tests (ddb_stream.c) ----------------------------- */

#ifdef AWSLET_TESTING
struct ddb_key_schema;
/* The record for one change, as GetRecords returns it (a new reference, NULL out of memory).
 * keys: the item's key attributes; old/new NULL per event. */
json_t *ddb_stream_record_new(const char *view_type, const char *region, const json_t *keys,
                              const json_t *old_item, const json_t *new_item,
                              const json_t *user_identity, const char *seq, long long now_ms);
/* The label of a stream created at ms: "2026-11-23T14:03:04.123" (UTC). */
void ddb_stream_label(char out[32], long long ms);
#endif

#endif
