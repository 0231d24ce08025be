/* ddb_stream.c: the write side of DynamoDB Streams: streams enabled and disabled with a
 * table's StreamSpecification, one record appended per item change, and the 24-hour trim.
 *
 * ddb_stream_append() runs inside the item write's transaction (ddb_item_store()), so a
 * record exists exactly when its change does. The record is stored as the JSON GetRecords
 * returns (the Record shape of the DynamoDB Streams API), so reading is a copy. Trimming is a
 * durable timer of kind "ddb.stream.trim" that reschedules itself hourly while any stream
 * exists; readers also apply the 24-hour window themselves (dynamodbstreams_store.c), so what a
 * client sees never depends on when the timer last ran. Numbering is explained in
 * services/dynamodbstreams/dynamodbstreams_int.h. */
#include "services/dynamodb/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/timer.h"
#include "core/uuid.h"
#include "services/dynamodbstreams/dynamodbstreams_int.h"
#include "store/store.h"

#define TRIM_TIMER_KIND "ddb.stream.trim"
#define TRIM_PERIOD_MS  (3600LL * 1000)

/* ---- sequence numbers and labels ------------------------------------------------------------ */

void
ddb_stream_seq_format(char out[DDB_STREAM_SEQ_LEN + 1], long long sid, long long n)
{
    unsigned long long a = (unsigned long long)sid % 1000000000ULL;
    unsigned long long b = (unsigned long long)n % (DDB_STREAM_SEQ_MAX_N + 1);

    /* Right to left, fixed width: text order is then numeric order. */
    out[DDB_STREAM_SEQ_LEN] = '\0';
    for (int i = DDB_STREAM_SEQ_LEN - 1; i >= 0; i--) {
        unsigned long long *v = i >= DDB_STREAM_SEQ_LEN - 12 ? &b : &a;

        out[i] = (char)('0' + *v % 10);
        *v /= 10;
    }
}

int
ddb_stream_seq_parse(const char *s, long long *sid, long long *n)
{
    long long a = 0, b = 0;

    if (!s || strlen(s) != DDB_STREAM_SEQ_LEN)
        return -1;
    for (int i = 0; i < DDB_STREAM_SEQ_LEN; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (i < DDB_STREAM_SEQ_LEN - 12)
            a = a * 10 + (s[i] - '0');
        else
            b = b * 10 + (s[i] - '0');
    }
    if (a == 0 || b == 0)
        return -1;
    *sid = a;
    *n = b;
    return 0;
}

/* The StreamLabel: "a timestamp, in ISO 8601 format" with milliseconds, UTC, no zone
 * suffix (the API reference's example: 2015-05-20T20:51:10.252). */
AWSLET_TESTABLE void
ddb_stream_label(char out[32], long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char day[24];

    gmtime_r(&t, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03lld", day, ms % 1000);
}

/* ---- enable, disable ----------------------------------------------------------------------- */

/* Make sure one trim timer is pending (inside the caller's write transaction). */
static int
stream_trim_arm(sqlite3 *db)
{
    static const char sql[] = "SELECT 1 FROM timers WHERE kind = ?1 LIMIT 1";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, TRIM_TIMER_KIND, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return -1;
    if (timer_schedule(db, clock_now_ms() + TRIM_PERIOD_MS, TRIM_TIMER_KIND, NULL, NULL) < 0)
        return -1;
    return 0;
}

static int
stream_arn_taken(sqlite3 *db, const char *arn)
{
    static const char sql[] = "SELECT 1 FROM ddb_streams WHERE arn = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

long long
ddb_stream_enable(struct arena *arena, sqlite3 *db, long long table_id, const char *account,
                  const char *region, const char *table_name, const char *view_type,
                  const json_t *key_schema, const char **arn, const char **label)
{
    static const char sql[] =
        "INSERT INTO ddb_streams (tid, account, region, table_name, arn, label, view_type, "
        "key_schema, shard_id, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    long long ms = clock_now_ms();
    char lbl[32], uuid[AWSLET_UUID_LEN + 1], shard[64];
    char *a = NULL, *ks = NULL;
    sqlite3_stmt *st;
    long long id = -1;

    /* The label is the creation time; a table re-enabled within the same millisecond gets
     * the next one, because the ARN (table and label) must name one stream only. */
    for (;;) {
        int taken;

        ddb_stream_label(lbl, ms);
        a = arena_printf(arena, "arn:aws:dynamodb:%s:%s:table/%s/stream/%s", region, account,
                         table_name, lbl);
        if (!a)
            return -1;
        taken = stream_arn_taken(db, a);
        if (taken < 0)
            return -1;
        if (!taken)
            break;
        ms++;
    }
    /* AWS's shard ids: "shardId-" + 20 digits (a creation time in ms) + "-" + 8 hex. */
    awslet_uuid(uuid);
    snprintf(shard, sizeof(shard), "shardId-%020lld-%.8s", ms, uuid);
    ks = json_dumps(key_schema, JSON_COMPACT);
    st = store_stmt(db, sql);
    if (!ks || !st)
        goto out;
    sqlite3_bind_int64(st, 1, table_id);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, table_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, lbl, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, view_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, ks, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, shard, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, ms);
    if (sqlite3_step(st) != SQLITE_DONE) {
        log_error("cannot create stream '%s': %s", a, sqlite3_errmsg(db));
        sqlite3_reset(st);
        goto out;
    }
    sqlite3_reset(st);
    id = sqlite3_last_insert_rowid(db);
    if (stream_trim_arm(db) != 0) {
        id = -1;
        goto out;
    }
    *arn = a;
    *label = arena_strdup(arena, lbl);
    if (!*label)
        id = -1;
out:
    free(ks);
    return id;
}

int
ddb_stream_disable(sqlite3 *db, long long stream_id)
{
    static const char sql[] =
        "UPDATE ddb_streams SET disabled_ms = ?2 WHERE id = ?1 AND disabled_ms IS NULL";
    sqlite3_stmt *st = store_stmt(db, sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, clock_now_ms());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("cannot disable stream %lld: %s", stream_id, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* ---- records ------------------------------------------------------------------------------- */

/* The key attributes of item under the table's key schema (a new object). */
static json_t *
stream_keys(const struct ddb_table *t, const json_t *item)
{
    json_t *keys = json_object();
    const char *names[2] = {t->key.hash, t->key.range};

    if (!keys)
        return NULL;
    for (int i = 0; i < 2; i++) {
        json_t *v = names[i] ? json_object_get(item, names[i]) : NULL;

        if (v && json_object_set(keys, names[i], v) != 0) {
            json_decref(keys);
            return NULL;
        }
    }
    return keys;
}

/* userIdentity as DynamoDB writes it: {"type", "principalId"} in lower camel case (the
 * developer guide's "DynamoDB Streams and Time to Live" and the API reference's Record page),
 * even though the service model spells the Identity members PrincipalId and Type; SDKs that
 * go by the model therefore see an empty userIdentity, exactly as against AWS. Either spelling
 * is accepted from the caller. */
static json_t *
stream_identity(const json_t *who)
{
    const json_t *t = json_object_get(who, "type"), *p = json_object_get(who, "principalId");
    json_t *out = json_object();

    if (!t)
        t = json_object_get(who, "Type");
    if (!p)
        p = json_object_get(who, "PrincipalId");
    if (out && t && json_object_set(out, "type", (json_t *)t) != 0) {
        json_decref(out);
        return NULL;
    }
    if (out && p && json_object_set(out, "principalId", (json_t *)p) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Shaped as the StreamRecord of the API reference: Keys always, NewImage and OldImage as
 * the StreamViewType says, SizeBytes counting the keys and the images carried (DynamoDB's
 * item-size rules). ApproximateCreationDateTime is whole epoch seconds, a JSON number. */
AWSLET_TESTABLE json_t *
ddb_stream_record_new(const char *view_type, const char *region, const json_t *keys,
                      const json_t *old_item, const json_t *new_item, const json_t *user_identity,
                      const char *seq, long long now_ms)
{
    bool want_new =
        strcmp(view_type, "NEW_IMAGE") == 0 || strcmp(view_type, "NEW_AND_OLD_IMAGES") == 0;
    bool want_old =
        strcmp(view_type, "OLD_IMAGE") == 0 || strcmp(view_type, "NEW_AND_OLD_IMAGES") == 0;
    const char *event = !old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY";
    size_t size = ddb_item_size(keys);
    char uuid[AWSLET_UUID_LEN + 1], id[33];
    json_t *rec, *ddb;
    int bad = 0;

    /* eventID: "A globally unique identifier for the event", 32 hex digits on the wire. */
    awslet_uuid(uuid);
    for (int i = 0, j = 0; uuid[i]; i++)
        if (uuid[i] != '-')
            id[j++] = uuid[i];
    id[32] = '\0';

    ddb = json_object();
    rec = json_object();
    if (!ddb || !rec) {
        json_decref(ddb);
        json_decref(rec);
        return NULL;
    }
    bad |= json_object_set_new(ddb, "ApproximateCreationDateTime", json_integer(now_ms / 1000));
    bad |= json_object_set(ddb, "Keys", (json_t *)keys);
    if (want_new && new_item) {
        bad |= json_object_set(ddb, "NewImage", (json_t *)new_item);
        size += ddb_item_size(new_item);
    }
    if (want_old && old_item) {
        bad |= json_object_set(ddb, "OldImage", (json_t *)old_item);
        size += ddb_item_size(old_item);
    }
    bad |= json_object_set_new(ddb, "SequenceNumber", json_string(seq));
    bad |= json_object_set_new(ddb, "SizeBytes", json_integer((json_int_t)size));
    bad |= json_object_set_new(ddb, "StreamViewType", json_string(view_type));

    bad |= json_object_set_new(rec, "eventID", json_string(id));
    bad |= json_object_set_new(rec, "eventName", json_string(event));
    bad |= json_object_set_new(rec, "eventVersion", json_string("1.1"));
    bad |= json_object_set_new(rec, "eventSource", json_string("aws:dynamodb"));
    bad |= json_object_set_new(rec, "awsRegion", json_string(region));
    bad |= json_object_set_new(rec, "dynamodb", ddb);
    if (user_identity)
        bad |= json_object_set_new(rec, "userIdentity", stream_identity(user_identity));
    if (bad) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

int
ddb_stream_append(sqlite3 *db, const struct ddb_table *t, const json_t *old_item,
                  const json_t *new_item, const json_t *user_identity)
{
    /* Take the next number and learn the view type in one statement; a disabled stream
     * (the table's cached record may lag a moment behind) takes no more records. */
    static const char take_sql[] =
        "UPDATE ddb_streams SET next_seq = next_seq + 1 WHERE id = ?1 AND disabled_ms IS NULL "
        "RETURNING next_seq - 1, view_type";
    static const char put_sql[] =
        "INSERT INTO ddb_stream_records (sid, seq, created_ms, record) VALUES (?1, ?2, ?3, ?4)";
    long long now = clock_now_ms(), n;
    char view[32], seq[DDB_STREAM_SEQ_LEN + 1];
    json_t *keys = NULL, *rec = NULL;
    char *text = NULL;
    sqlite3_stmt *st;
    int rc = -1, step;

    if (!t->stream_id || (!old_item && !new_item))
        return 0;
    st = store_stmt(db, take_sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->stream_id);
    step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        sqlite3_reset(st);
        return step == SQLITE_DONE ? 0 : -1; /* no enabled stream: nothing to record */
    }
    n = sqlite3_column_int64(st, 0);
    snprintf(view, sizeof(view), "%s", (const char *)sqlite3_column_text(st, 1));
    while (sqlite3_step(st) == SQLITE_ROW)
        ;
    sqlite3_reset(st);

    ddb_stream_seq_format(seq, t->stream_id, n);
    keys = stream_keys(t, new_item ? new_item : old_item);
    rec = keys ? ddb_stream_record_new(view, t->region, keys, old_item, new_item, user_identity,
                                       seq, now)
               : NULL;
    text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    st = text ? store_stmt(db, put_sql) : NULL;
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, t->stream_id);
    sqlite3_bind_int64(st, 2, n);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    else
        log_error("cannot append to stream %lld: %s", t->stream_id, sqlite3_errmsg(db));
    sqlite3_reset(st);
out:
    free(text);
    json_decref(rec);
    json_decref(keys);
    return rc;
}

/* ---- the 24-hour trim ------------------------------------------------------------------------ */

int
ddb_stream_trim(sqlite3 *db)
{
    static const char *const sqls[] = {
        "DELETE FROM ddb_stream_records WHERE created_ms < ?1",
        "DELETE FROM ddb_stream_records WHERE sid IN (SELECT id FROM ddb_streams "
        "WHERE disabled_ms IS NOT NULL AND disabled_ms < ?1)",
        "DELETE FROM ddb_streams WHERE disabled_ms IS NOT NULL AND disabled_ms < ?1",
    };
    long long cutoff = clock_now_ms() - DDB_STREAM_RETENTION_MS;

    for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
        sqlite3_stmt *st = store_stmt(db, sqls[i]);
        int rc;

        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, cutoff);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            log_error("cannot trim streams: %s", sqlite3_errmsg(db));
            return -1;
        }
    }
    return 0;
}

/* The timer: trim, then come back in an hour while any stream is left to watch. */
static int
stream_trim_tick(sqlite3 *db, const char *ref, const char *payload)
{
    static const char sql[] = "SELECT 1 FROM ddb_streams LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    (void)ref;
    (void)payload;
    if (ddb_stream_trim(db) != 0 || !(st = store_stmt(db, sql)))
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW &&
        timer_schedule(db, clock_now_ms() + TRIM_PERIOD_MS, TRIM_TIMER_KIND, NULL, NULL) < 0)
        return -1;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
ddb_stream_init(void)
{
    return timer_register(TRIM_TIMER_KIND, stream_trim_tick);
}
