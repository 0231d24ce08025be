/* ddb_ttl.c: time to live: the expiry time of an item and the sweep that deletes expired ones.
 *
 * The write path stores each item's expiry (ddb_ttl_expiry) in ddb_items.expires; every table
 * with TTL enabled has a durable timer that fires every --ttl-interval seconds on the awslet
 * clock, deletes a bounded batch of items whose expiry has passed (through ddb_item_store, so
 * index rows go with them and the stream records a service deletion) and re-arms itself:
 * at once while a full batch came back, else one interval later. Being durable, the sweep
 * survives a restart; a reset wipes it with the tables it served. Items past their expiry
 * stay visible until swept, as in DynamoDB.
 *
 * Entry points: ddb_ttl_expiry, ddb_ttl_fill, ddb_ttl_arm/disarm, ddb_ttl_init (which also
 * registers the table status timer, ddb_table.c). */
#include "services/dynamodb/ddb_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timer.h"
#include "store/store.h"

#define TTL_TIMER      "ddb-ttl-sweep"
#define TTL_BATCH      100 /* items deleted per sweep transaction */
#define TTL_FILL_CHUNK 500 /* items re-read per step when TTL is turned on */

long long
ddb_ttl_expiry(const json_t *item, const char *ttl_attr)
{
    const json_t *av;
    const char *text;
    char *end;
    double v;

    if (!item || !ttl_attr || !(av = json_object_get(item, ttl_attr)) || ddb_type_of(av) != DDB_N)
        return -1;
    text = json_string_value(ddb_value_payload(av));
    if (!text)
        return -1;
    v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0)
        return -1;
    /* Fractions of a second do not matter; a time past what an int64 holds never comes. */
    if (v >= 9.2e18)
        return 9200000000000000000LL;
    return (long long)floor(v);
}

/* ---- filling expires when TTL is turned on or off -------------------------------------------- */

struct fill_row {
    void *pk, *sk;
    int pk_len, sk_len;
    long long expires;
};

static void
fill_rows_free(struct fill_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].pk);
        free(rows[i].sk);
    }
}

static void *
blob_dup(sqlite3_stmt *st, int col, int *len)
{
    const void *p = sqlite3_column_blob(st, col);
    void *c;

    *len = sqlite3_column_bytes(st, col);
    c = malloc(*len ? (size_t)*len : 1);
    if (c && *len)
        memcpy(c, p, (size_t)*len);
    return c;
}

/* Read up to TTL_FILL_CHUNK items after (pk, sk) (first chunk: after nothing) and compute
 * their expiry. Returns how many, or -1. */
static long
fill_read(sqlite3 *db, long long id, const char *attr, const struct fill_row *after,
          struct fill_row *rows)
{
    static const char first_sql[] = "SELECT pk, sk, item FROM ddb_items WHERE tid = ?1"
                                    " ORDER BY pk, sk LIMIT ?2";
    static const char next_sql[] = "SELECT pk, sk, item FROM ddb_items WHERE tid = ?1"
                                   " AND (pk, sk) > (?3, ?4) ORDER BY pk, sk LIMIT ?2";
    sqlite3_stmt *st = store_stmt(db, after ? next_sql : first_sql);
    long n = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, TTL_FILL_CHUNK);
    if (after) {
        sqlite3_bind_blob(st, 3, after->pk, after->pk_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, after->sk, after->sk_len, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *item =
            json_loadb(sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2), 0, NULL);
        struct fill_row *r = &rows[n];
        r->pk = blob_dup(st, 0, &r->pk_len);
        r->sk = blob_dup(st, 1, &r->sk_len);
        r->expires = ddb_ttl_expiry(item, attr);
        json_decref(item);
        n++;
        if (!r->pk || !r->sk) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fill_rows_free(rows, (size_t)n);
        return -1;
    }
    return n;
}

static int
fill_write(sqlite3 *db, long long id, const struct fill_row *rows, long n)
{
    static const char sql[] = "UPDATE ddb_items SET expires = ?4 WHERE tid = ?1 AND pk = ?2"
                              " AND sk = ?3";

    for (long i = 0; i < n; i++) {
        sqlite3_stmt *st = store_stmt(db, sql);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, rows[i].pk, rows[i].pk_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, rows[i].sk, rows[i].sk_len, SQLITE_STATIC);
        if (rows[i].expires >= 0)
            sqlite3_bind_int64(st, 4, rows[i].expires);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

int
ddb_ttl_fill(sqlite3 *db, long long id, const char *attr)
{
    static const char clear_sql[] = "UPDATE ddb_items SET expires = NULL WHERE tid = ?1"
                                    " AND expires IS NOT NULL";
    struct fill_row *rows, last = {0};
    bool have_last = false;
    long n;
    int rc = 0;

    if (!attr) {
        sqlite3_stmt *st = store_stmt(db, clear_sql);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    /* Read a chunk, then write it: never update rows under a running SELECT. */
    rows = calloc(TTL_FILL_CHUNK, sizeof(*rows));
    if (!rows)
        return -1;
    do {
        n = fill_read(db, id, attr, have_last ? &last : NULL, rows);
        if (n < 0 || fill_write(db, id, rows, n) != 0) {
            if (n > 0)
                fill_rows_free(rows, (size_t)n);
            rc = -1;
            break;
        }
        if (have_last)
            fill_rows_free(&last, 1);
        if (n > 0) {
            last = rows[n - 1];
            have_last = true;
            fill_rows_free(rows, (size_t)n - 1);
        }
    } while (n == TTL_FILL_CHUNK);
    if (have_last)
        fill_rows_free(&last, 1);
    free(rows);
    if (rc)
        log_error("dynamodb: cannot fill TTL expiry of table %lld", id);
    return rc;
}

/* ---- the sweep ---------------------------------------------------------------------------------
 */

static long long
interval_ms(void)
{
    return (awslet_cfg.ttl_interval_s ? (long long)awslet_cfg.ttl_interval_s : 1) * 1000;
}

int
ddb_ttl_arm(sqlite3 *db, long long id)
{
    char ref[32];

    snprintf(ref, sizeof(ref), "%lld", id);
    if (timer_cancel(db, TTL_TIMER, ref) != 0)
        return -1;
    return timer_schedule(db, clock_now_ms() + interval_ms(), TTL_TIMER, ref, "") < 0 ? -1 : 0;
}

int
ddb_ttl_disarm(sqlite3 *db, long long id)
{
    char ref[32];

    snprintf(ref, sizeof(ref), "%lld", id);
    return timer_cancel(db, TTL_TIMER, ref);
}

/* Load up to TTL_BATCH expired items of table id into items. How many, or -1. */
static long
sweep_pick(sqlite3 *db, long long id, long long now_s, json_t **items)
{
    static const char sql[] = "SELECT item FROM ddb_items WHERE tid = ?1 AND expires IS NOT NULL"
                              " AND expires <= ?2 AND expires >= ?3 LIMIT ?4";
    sqlite3_stmt *st = store_stmt(db, sql);
    long n = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_s);
    sqlite3_bind_int64(st, 3, now_s - DDB_TTL_MAX_AGE_S);
    sqlite3_bind_int(st, 4, TTL_BATCH);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        items[n] =
            json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), 0, NULL);
        if (items[n])
            n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        while (n > 0)
            json_decref(items[--n]);
        return -1;
    }
    return n;
}

/* The durable timer: one batch of one table, then the next firing. */
static int
ttl_sweep(sqlite3 *db, const char *ref, const char *payload)
{
    long long id = strtoll(ref, NULL, 10), now = clock_now_ms();
    json_t *items[TTL_BATCH], *who;
    struct ddb_table *t;
    struct arena arena;
    long n, i;
    int rc = 0;

    (void)payload;
    arena_init(&arena);
    t = ddb_table_by_id(&arena, db, id);
    if (!t || !t->ttl_attr || strcmp(t->status, DDB_DELETING) == 0) {
        arena_release(&arena); /* gone or TTL off: the sweep ends */
        return 0;
    }
    n = sweep_pick(db, id, now / 1000, items);
    if (n < 0) {
        arena_release(&arena);
        return -1;
    }
    /* The stream record of a TTL deletion names the service as the one who deleted. */
    who = json_pack("{s:s, s:s}", "type", "Service", "principalId", "dynamodb.amazonaws.com");
    for (i = 0; i < n; i++) {
        if (rc == 0 && (!who || ddb_item_store(db, t, items[i], NULL, who) != 0))
            rc = -1;
        json_decref(items[i]);
    }
    json_decref(who);
    if (rc == 0) {
        char next[32];
        snprintf(next, sizeof(next), "%lld", id);
        if (timer_schedule(db, n == TTL_BATCH ? now : now + interval_ms(), TTL_TIMER, next, "") < 0)
            rc = -1;
    }
    if (rc != 0)
        log_warn("dynamodb: TTL sweep of table %lld failed; retried", id);
    arena_release(&arena);
    return rc;
}

int
ddb_ttl_init(void)
{
    if (timer_register(TTL_TIMER, ttl_sweep) != 0 || ddb_table_init_timers() != 0)
        return -1;
    return 0;
}

/* The sweep is a durable timer: nothing to stop here (the scheduler stops first). */
void
ddb_ttl_shutdown(void)
{
}
