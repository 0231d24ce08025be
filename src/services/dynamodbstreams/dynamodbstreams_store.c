/* dynamodbstreams_store.c: reading streams and their positions from the store.
 *
 * A stream stays visible for 24 hours after it was disabled (its table deleted or its
 * StreamSpecification turned off), then it is gone for every operation, whether or not the
 * trim timer has run yet. Likewise records older than 24 hours count as trimmed as soon as
 * they are that old. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#define STREAM_COLS                                                                                \
    "id, arn, label, table_name, view_type, shard_id, region, key_schema, created_ms, "            \
    "COALESCE(disabled_ms, 0), next_seq"
#define STREAM_VISIBLE "(disabled_ms IS NULL OR disabled_ms >= ?9)"

/* Copy the row under st into s. 0 or -1 (out of memory). */
static int
stream_row(struct arena *a, sqlite3_stmt *st, struct dstreams_stream *s)
{
    const char **strs[] = {&s->arn,       &s->label,    &s->table_name,
                           &s->view_type, &s->shard_id, &s->region};

    memset(s, 0, sizeof(*s));
    s->id = sqlite3_column_int64(st, 0);
    for (int i = 0; i < 6; i++) {
        *strs[i] = arena_strdup(a, (const char *)sqlite3_column_text(st, 1 + i));
        if (!*strs[i])
            return -1;
    }
    s->key_schema = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
    s->created_ms = sqlite3_column_int64(st, 8);
    s->disabled_ms = sqlite3_column_int64(st, 9);
    s->next_seq = sqlite3_column_int64(st, 10);
    return s->key_schema ? 0 : -1;
}

static int
stream_fetch(struct arena *a, sqlite3 *db, sqlite3_stmt *st, struct dstreams_stream *s)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        rc = stream_row(a, st, s) == 0 ? 1 : -1;
    else if (rc == SQLITE_DONE)
        rc = 0;
    else {
        log_error("cannot read stream: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_reset(st);
    return rc;
}

int
dstreams_stream_by_arn(struct arena *a, sqlite3 *db, const char *account, const char *region,
                       const char *arn, struct dstreams_stream *s)
{
    static const char sql[] = "SELECT " STREAM_COLS " FROM ddb_streams "
                              "WHERE arn = ?1 AND account = ?2 AND region = ?3 AND " STREAM_VISIBLE;
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, clock_now_ms() - DDB_STREAM_RETENTION_MS);
    return stream_fetch(a, db, st, s);
}

int
dstreams_stream_by_id(struct arena *a, sqlite3 *db, long long id, struct dstreams_stream *s)
{
    static const char sql[] =
        "SELECT " STREAM_COLS " FROM ddb_streams WHERE id = ?1 AND " STREAM_VISIBLE;
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 9, clock_now_ms() - DDB_STREAM_RETENTION_MS);
    return stream_fetch(a, db, st, s);
}

void
dstreams_stream_release(struct dstreams_stream *s)
{
    json_decref(s->key_schema);
    s->key_schema = NULL;
}

long long
dstreams_first_kept(sqlite3 *db, const struct dstreams_stream *s, long long now_ms)
{
    /* Records are numbered in time order, so the first young enough one is the horizon;
     * the scan in key order stops there (older rows go with the hourly trim). */
    static const char sql[] = "SELECT seq FROM ddb_stream_records WHERE sid = ?1 AND "
                              "created_ms >= ?2 ORDER BY seq LIMIT 1";
    sqlite3_stmt *st = store_stmt(db, sql);
    long long first;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, s->id);
    sqlite3_bind_int64(st, 2, now_ms - DDB_STREAM_RETENTION_MS);
    rc = sqlite3_step(st);
    first = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? s->next_seq : -1;
    sqlite3_reset(st);
    if (first < 0)
        log_error("cannot read stream %lld: %s", s->id, sqlite3_errmsg(db));
    return first;
}
