/* ddb_table_cache.c: DynamoDB tables as records: the lookup every item operation starts with,
 * and the CREATING/UPDATING/DELETING delays. The operations on tables are in ddb_table.c and
 * ddb_table_update.c.
 *
 * Lookup is hot (PutItem and GetItem call ddb_table_get on every request), so parsed table
 * records are cached process-wide by table id and checked against the row's version with one
 * indexed SELECT on the caller's connection: a reader always gets the definition its own
 * snapshot holds, and the writer the one its transaction holds. Versions are never handed
 * out twice by this process (ddb_table_next_version), so a definition from a write that was
 * rolled back can never be mistaken for a later one. Entries are reference-counted: a request
 * keeps its record until it finishes, whatever happens to the cache meanwhile.
 *
 * A status delay (--ddb-status-delay-ms) is a stored status plus status_until_ms: readers
 * compute the status as of now, a durable timer settles the row when the delay ends, and
 * writers settle a lapsed row before they use it. */
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

#define CACHE_BUCKETS 1024

struct table_entry {
    atomic_int refs; /* the cache's own reference plus one per request */
    long long id, version;
    struct arena arena;              /* every string and array of t */
    struct ddb_table t;              /* status is the stored one */
    const struct ddb_index *settled; /* the indexes once an UPDATING delay ended, or NULL */
    json_t *desc;                    /* the stored description */
    struct table_entry *next;        /* bucket chain */
};

static struct table_entry *cache[CACHE_BUCKETS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Only touched inside writes, which the writer lock serializes. */
static long long version_hwm;

static const char full_row_sql[] =
    "SELECT id, version, account, region, name, arn, created_ms, status, status_until_ms, desc,"
    " ttl_attr, ttl_status, stream_id FROM ddb_tables WHERE id = ?1";
const char ddb_table_by_name_sql[] = "SELECT id, version, status, status_until_ms FROM ddb_tables"
                                     " WHERE account = ?1 AND region = ?2 AND name = ?3";

long long
ddb_table_next_version(long long old)
{
    long long v = (version_hwm > old ? version_hwm : old) + 1;
    version_hwm = v;
    return v;
}

/* ---- status as of now ------------------------------------------------------------------------ */

/* The status a stored status shows at now: a lapsed CREATING/UPDATING is ACTIVE, a lapsed
 * DELETING is gone (NULL). */
const char *
ddb_table_status_now(const char *stored, long long until_ms, long long now)
{
    static const char *const all[] = {DDB_ACTIVE, DDB_CREATING, DDB_UPDATING, DDB_DELETING};
    const char *s = DDB_ACTIVE;

    /* A static string: the column text it came from dies with the statement's reset. */
    for (size_t i = 0; i < ARRAY_SIZE(all); i++)
        if (stored && strcmp(stored, all[i]) == 0)
            s = all[i];
    if (s == all[0] || until_ms > now)
        return s;
    if (s == all[3])
        return NULL;
    return DDB_ACTIVE;
}

/* The description once its delay ended: CREATING indexes ACTIVE, DELETING ones gone, warm
 * throughput ACTIVE. Changes d in place. */
void
ddb_table_desc_settle(json_t *d)
{
    json_t *gsis = json_object_get(d, "GlobalSecondaryIndexes"), *ix, *warm, *rs;
    size_t i;

    for (i = 0; i < json_array_size(gsis);) {
        const char *st;
        ix = json_array_get(gsis, i);
        st = json_string_value(json_object_get(ix, "IndexStatus"));
        if (st && strcmp(st, DDB_DELETING) == 0) {
            json_array_remove(gsis, i);
            continue;
        }
        json_object_set_new(ix, "IndexStatus", json_string(DDB_ACTIVE));
        json_object_del(ix, "Backfilling");
        if ((warm = json_object_get(ix, "WarmThroughput")))
            json_object_set_new(warm, "Status", json_string(DDB_ACTIVE));
        i++;
    }
    if (gsis && json_array_size(gsis) == 0)
        json_object_del(d, "GlobalSecondaryIndexes");
    if ((warm = json_object_get(d, "WarmThroughput")))
        json_object_set_new(warm, "Status", json_string(DDB_ACTIVE));
    /* A restored table's restore is over once it is ACTIVE (ddb_restore.c). */
    if ((rs = json_object_get(d, "RestoreSummary")))
        json_object_set_new(rs, "RestoreInProgress", json_false());
}

static void cache_drop(long long id);

int
ddb_table_purge(sqlite3 *db, long long id)
{
    static const char *const sqls[] = {
        "DELETE FROM ddb_items WHERE tid = ?1",
        "DELETE FROM ddb_index_items WHERE tid = ?1",
        "DELETE FROM ddb_tags WHERE tid = ?1",
        "DELETE FROM ddb_tables WHERE id = ?1",
    };

    for (size_t i = 0; i < ARRAY_SIZE(sqls); i++) {
        sqlite3_stmt *st = store_stmt(db, sqls[i]);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            log_error("dynamodb: cannot purge table %lld: %s", id, sqlite3_errmsg(db));
            return -1;
        }
    }
    /* A gone table's record is not looked up again. Harmless if this write rolls back: the
     * record is simply read again. */
    cache_drop(id);
    return 0;
}

int
ddb_table_save(sqlite3 *db, long long id, long long old_version, const json_t *desc,
               const char *status, long long until_ms)
{
    static const char sql[] =
        "UPDATE ddb_tables SET desc = ?2, version = ?3, status = coalesce(?4, status),"
        " status_until_ms = CASE WHEN ?5 < 0 THEN status_until_ms ELSE ?5 END WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(db, sql);
    char *text = json_dumps(desc, JSON_COMPACT);
    int rc;

    if (!st || !text) {
        free(text);
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ddb_table_next_version(old_version));
    if (status)
        sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, until_ms);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        log_error("dynamodb: cannot save table %lld: %s", id, sqlite3_errmsg(db));
    free(text);
    return rc;
}

int
ddb_table_schedule_settle(sqlite3 *db, long long id, long long due_ms)
{
    char ref[32];

    snprintf(ref, sizeof(ref), "%lld", id);
    return timer_schedule(db, due_ms, DDB_TIMER_SETTLE, ref, "") < 0 ? -1 : 0;
}

/* End a lapsed delay of table id in the caller's write: a DELETING table is purged, a
 * CREATING or UPDATING one becomes ACTIVE. 1 when the table is (now) gone, 0, or -1. */
static int
table_settle(sqlite3 *db, long long id, long long now)
{
    sqlite3_stmt *st = store_stmt(db, full_row_sql);
    const char *status;
    long long until, version;
    json_t *desc;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 1;
    if (rc != SQLITE_ROW)
        return -1;
    version = sqlite3_column_int64(st, 1);
    status = (const char *)sqlite3_column_text(st, 7);
    until = sqlite3_column_int64(st, 8);
    if (strcmp(status, DDB_ACTIVE) == 0 || until > now)
        return 0;
    if (strcmp(status, DDB_DELETING) == 0) {
        sqlite3_reset(st);
        return ddb_table_purge(db, id) == 0 ? 1 : -1;
    }
    desc = json_loadb((const char *)sqlite3_column_text(st, 9), (size_t)sqlite3_column_bytes(st, 9),
                      0, NULL);
    sqlite3_reset(st);
    if (!desc)
        return -1;
    ddb_table_desc_settle(desc);
    rc = ddb_table_save(db, id, version, desc, DDB_ACTIVE, 0);
    json_decref(desc);
    return rc;
}

/* The durable timer at the end of a delay. A later change may have moved the deadline: then
 * its own timer settles it. */
static int
table_settle_timer(sqlite3 *db, const char *ref, const char *payload)
{
    (void)payload;
    return table_settle(db, strtoll(ref, NULL, 10), clock_now_ms()) < 0 ? -1 : 0;
}

int
ddb_table_init_timers(void)
{
    return timer_register(DDB_TIMER_SETTLE, table_settle_timer);
}

/* ---- parsing a row into a record --------------------------------------------------------- */

static const char *
a_strdup(struct arena *a, const char *s, bool *oom)
{
    char *c;

    if (!s)
        return NULL;
    c = arena_strdup(a, s);
    if (!c)
        *oom = true;
    return c;
}

static void
keys_copy(struct arena *a, struct ddb_key_schema *k, bool *oom)
{
    k->hash = a_strdup(a, k->hash, oom);
    k->hash_type = a_strdup(a, k->hash_type, oom);
    k->range = a_strdup(a, k->range, oom);
    k->range_type = a_strdup(a, k->range_type, oom);
}

static enum ddb_projection_type
projection_of(const json_t *ix)
{
    const char *p =
        json_string_value(json_object_get(json_object_get(ix, "Projection"), "ProjectionType"));
    if (p && strcmp(p, "KEYS_ONLY") == 0)
        return DDB_PROJ_KEYS_ONLY;
    if (p && strcmp(p, "INCLUDE") == 0)
        return DDB_PROJ_INCLUDE;
    return DDB_PROJ_ALL;
}

int
ddb_table_index_parse(struct arena *a, const json_t *ix, const json_t *defs, bool global,
                      struct ddb_index *out)
{
    const json_t *nka = json_object_get(json_object_get(ix, "Projection"), "NonKeyAttributes");
    const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
    bool oom = false;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (ddb_table_def_keys(json_object_get(ix, "KeySchema"), defs, &out->key) != 0)
        return -1;
    keys_copy(a, &out->key, &oom);
    out->name = a_strdup(a, json_string_value(json_object_get(ix, "IndexName")), &oom);
    out->global = global;
    out->proj = projection_of(ix);
    out->status = global ? a_strdup(a, st ? st : DDB_ACTIVE, &oom) : DDB_ACTIVE;
    if (json_array_size(nka) > 0) {
        out->include = arena_alloc(a, json_array_size(nka) * sizeof(*out->include));
        if (!out->include)
            return -1;
        for (i = 0; i < json_array_size(nka); i++)
            out->include[i] = a_strdup(a, json_string_value(json_array_get(nka, i)), &oom);
        out->n_include = (unsigned)json_array_size(nka);
    }
    return oom ? -1 : 0;
}

/* The indexes writes maintain: every GSI but DELETING ones, then the LSIs. */
static int
indexes_parse(struct arena *a, const json_t *desc, struct ddb_table *t)
{
    const json_t *defs = json_object_get(desc, "AttributeDefinitions");
    const json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes");
    const json_t *lsis = json_object_get(desc, "LocalSecondaryIndexes"), *ix;
    size_t n = json_array_size(gsis) + json_array_size(lsis), i;

    t->indexes = NULL;
    t->n_indexes = 0;
    if (n == 0)
        return 0;
    t->indexes = arena_calloc(a, n * sizeof(*t->indexes));
    if (!t->indexes)
        return -1;
    json_array_foreach(gsis, i, ix)
    {
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        if (st && strcmp(st, DDB_DELETING) == 0)
            continue;
        if (ddb_table_index_parse(a, ix, defs, true, &t->indexes[t->n_indexes]) != 0)
            return -1;
        t->n_indexes++;
    }
    json_array_foreach(lsis, i, ix)
    {
        if (ddb_table_index_parse(a, ix, defs, false, &t->indexes[t->n_indexes]) != 0)
            return -1;
        t->n_indexes++;
    }
    return 0;
}

/* Fill t (strings in a) from a full_row_sql row. *desc_out gets the parsed description. */
static int
row_parse(struct arena *a, sqlite3_stmt *st, struct ddb_table *t, json_t **desc_out)
{
    const json_t *ss;
    json_t *desc;
    const char *ttl_status;
    bool oom = false;

    memset(t, 0, sizeof(*t));
    desc = json_loadb((const char *)sqlite3_column_text(st, 9), (size_t)sqlite3_column_bytes(st, 9),
                      0, NULL);
    if (!desc)
        return -1;
    t->id = sqlite3_column_int64(st, 0);
    t->version = sqlite3_column_int64(st, 1);
    t->account = a_strdup(a, (const char *)sqlite3_column_text(st, 2), &oom);
    t->region = a_strdup(a, (const char *)sqlite3_column_text(st, 3), &oom);
    t->name = a_strdup(a, (const char *)sqlite3_column_text(st, 4), &oom);
    t->arn = a_strdup(a, (const char *)sqlite3_column_text(st, 5), &oom);
    t->created_ms = sqlite3_column_int64(st, 6);
    t->status = a_strdup(a, (const char *)sqlite3_column_text(st, 7), &oom);
    ttl_status = (const char *)sqlite3_column_text(st, 11);
    if (ttl_status && strcmp(ttl_status, "ENABLED") == 0)
        t->ttl_attr = a_strdup(a, (const char *)sqlite3_column_text(st, 10), &oom);
    t->stream_id = sqlite3_column_int64(st, 12);
    ss = json_object_get(desc, "StreamSpecification");
    if (t->stream_id && json_is_true(json_object_get(ss, "StreamEnabled")))
        t->stream_view_type =
            a_strdup(a, json_string_value(json_object_get(ss, "StreamViewType")), &oom);
    t->deletion_protection = json_is_true(json_object_get(desc, "DeletionProtectionEnabled"));
    if (ddb_table_def_keys(json_object_get(desc, "KeySchema"),
                           json_object_get(desc, "AttributeDefinitions"), &t->key) != 0) {
        json_decref(desc);
        return -1;
    }
    keys_copy(a, &t->key, &oom);
    if (oom || indexes_parse(a, desc, t) != 0) {
        json_decref(desc);
        return -1;
    }
    *desc_out = desc;
    return 0;
}

/* ---- the cache ------------------------------------------------------------------------------- */

static void
entry_unref(struct table_entry *e)
{
    if (atomic_fetch_sub(&e->refs, 1) != 1)
        return;
    json_decref(e->desc);
    arena_release(&e->arena);
    free(e);
}

static void
entry_unref_hook(void *arg)
{
    entry_unref(arg);
}

/* A new entry from the full row of table id on db (1 reference, the caller's), or NULL. */
static struct table_entry *
entry_load(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = store_stmt(db, full_row_sql);
    struct table_entry *e;
    int rc;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            log_error("dynamodb: cannot read table %lld: %s", id, sqlite3_errmsg(db));
        return NULL;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        sqlite3_reset(st);
        return NULL;
    }
    arena_init(&e->arena);
    atomic_init(&e->refs, 1);
    if (row_parse(&e->arena, st, &e->t, &e->desc) != 0) {
        sqlite3_reset(st);
        log_error("dynamodb: unreadable definition of table %lld", id);
        arena_release(&e->arena);
        free(e);
        return NULL;
    }
    sqlite3_reset(st);
    e->id = e->t.id;
    e->version = e->t.version;
    e->t.desc = e->desc;
    /* Readers may see an UPDATING delay end before the timer rewrites the row. */
    if (strcmp(e->t.status, DDB_UPDATING) == 0) {
        struct ddb_index *ix = NULL;
        if (e->t.n_indexes) {
            ix = arena_alloc(&e->arena, e->t.n_indexes * sizeof(*ix));
            if (!ix) {
                entry_unref(e);
                return NULL;
            }
            memcpy(ix, e->t.indexes, e->t.n_indexes * sizeof(*ix));
            for (unsigned i = 0; i < e->t.n_indexes; i++)
                ix[i].status = DDB_ACTIVE;
        }
        e->settled = ix;
    }
    return e;
}

/* The cached entry for (id, version) with a reference for the caller, or NULL. */
static struct table_entry *
cache_find(long long id, long long version)
{
    struct table_entry *e;

    pthread_mutex_lock(&cache_lock);
    for (e = cache[(unsigned long long)id % CACHE_BUCKETS]; e; e = e->next)
        if (e->id == id && e->version == version) {
            atomic_fetch_add(&e->refs, 1);
            break;
        }
    pthread_mutex_unlock(&cache_lock);
    return e;
}

/* Put e in the cache in place of any other version of its table. */
static void
cache_put(struct table_entry *e)
{
    struct table_entry **p, *old = NULL;

    pthread_mutex_lock(&cache_lock);
    for (p = &cache[(unsigned long long)e->id % CACHE_BUCKETS]; *p; p = &(*p)->next)
        if ((*p)->id == e->id) {
            old = *p;
            *p = old->next;
            break;
        }
    atomic_fetch_add(&e->refs, 1);
    e->next = cache[(unsigned long long)e->id % CACHE_BUCKETS];
    cache[(unsigned long long)e->id % CACHE_BUCKETS] = e;
    pthread_mutex_unlock(&cache_lock);
    if (old)
        entry_unref(old);
}

static void
cache_drop(long long id)
{
    struct table_entry **p, *old = NULL;

    pthread_mutex_lock(&cache_lock);
    for (p = &cache[(unsigned long long)id % CACHE_BUCKETS]; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            old = *p;
            *p = old->next;
            break;
        }
    pthread_mutex_unlock(&cache_lock);
    if (old)
        entry_unref(old);
}

void
ddb_table_cache_clear(void)
{
    struct table_entry *all = NULL, *e, *next;

    pthread_mutex_lock(&cache_lock);
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        for (e = cache[b]; e; e = next) {
            next = e->next;
            e->next = all;
            all = e;
        }
        cache[b] = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
    for (e = all; e; e = next) {
        next = e->next;
        entry_unref(e);
    }
}

/* ---- lookup ------------------------------------------------------------------------------------
 */

/* The table name in a TableName member that may be an ARN of this account and region;
 * NULL when the ARN names another (so no table of ours). */
const char *
ddb_table_name_of(struct awslet_req *req, const char *name_or_arn)
{
    const char *p;
    char prefix[256];

    if (strncmp(name_or_arn, "arn:", 4) != 0)
        return name_or_arn;
    snprintf(prefix, sizeof(prefix), "arn:aws:dynamodb:%s:%s:table/", req->region, req->account);
    if (strncmp(name_or_arn, prefix, strlen(prefix)) != 0)
        return NULL;
    p = name_or_arn + strlen(prefix);
    return strchr(p, '/') ? NULL : p;
}

static int
not_found(struct awslet_req *req, const char *name)
{
    awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                "Requested resource not found: Table: %s not found", name);
    return -1;
}

int
ddb_table_get(struct awslet_req *req, sqlite3 *db, const char *name_or_arn, struct ddb_table **out)
{
    const char *name = ddb_table_name_of(req, name_or_arn), *status;
    long long id, version, until, now = clock_now_ms();
    struct table_entry *e;
    struct ddb_table *t;
    sqlite3_stmt *st;
    int rc;

    if (!name)
        return not_found(req, name_or_arn);
    for (int pass = 0;; pass++) {
        if (!(st = store_stmt(db, ddb_table_by_name_sql))) {
            awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
            return -1;
        }
        sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            if (rc == SQLITE_DONE)
                return not_found(req, name);
            awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
            return -1;
        }
        id = sqlite3_column_int64(st, 0);
        version = sqlite3_column_int64(st, 1);
        status = ddb_table_status_now((const char *)sqlite3_column_text(st, 2),
                                      sqlite3_column_int64(st, 3), now);
        until = sqlite3_column_int64(st, 3);
        sqlite3_reset(st);
        /* A writer settles a lapsed delay before it uses the table, so that what it changes
         * is the table as it now is. */
        if (pass == 0 && store_in_write() && until != 0 && until <= now) {
            rc = table_settle(db, id, now);
            if (rc < 0) {
                awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
                return -1;
            }
            continue;
        }
        break;
    }
    if (!status)
        return not_found(req, name);

    e = cache_find(id, version);
    if (!e) {
        e = entry_load(db, id);
        if (!e) {
            awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
            return -1;
        }
        cache_put(e);
    }
    t = arena_alloc(&req->arena, sizeof(*t));
    if (!t || req_on_finish(req, entry_unref_hook, e) != 0) {
        entry_unref(e);
        awslet_fail_nomem(req);
        return -1;
    }
    *t = e->t;
    t->status = status;
    if (e->settled && strcmp(status, DDB_ACTIVE) == 0)
        t->indexes = (struct ddb_index *)e->settled;
    *out = t;
    return 0;
}

struct ddb_table *
ddb_table_by_id(struct arena *arena, sqlite3 *db, long long id)
{
    sqlite3_stmt *st = store_stmt(db, full_row_sql);
    struct ddb_table *t;
    json_t *desc = NULL;
    const char *status;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return NULL;
    }
    t = arena_alloc(arena, sizeof(*t));
    if (!t || row_parse(arena, st, t, &desc) != 0) {
        sqlite3_reset(st);
        return NULL;
    }
    status = ddb_table_status_now(t->status, sqlite3_column_int64(st, 8), clock_now_ms());
    sqlite3_reset(st);
    /* The record outlives nothing it could point into: no description (see ddb_int.h). */
    json_decref(desc);
    t->desc = NULL;
    if (!status)
        return NULL;
    if (strcmp(status, t->status) != 0 && strcmp(t->status, DDB_UPDATING) == 0)
        for (unsigned i = 0; i < t->n_indexes; i++)
            t->indexes[i].status = DDB_ACTIVE;
    t->status = status;
    return t;
}

const struct ddb_index *
ddb_table_index(const struct ddb_table *t, const char *name)
{
    for (unsigned i = 0; i < t->n_indexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    return NULL;
}

int
ddb_table_require_active(struct awslet_req *req, const struct ddb_table *t)
{
    const char *what;

    if (strcmp(t->status, DDB_ACTIVE) == 0)
        return 0;
    what = strcmp(t->status, DDB_CREATING) == 0   ? "created"
           : strcmp(t->status, DDB_DELETING) == 0 ? "deleted"
                                                  : "updated";
    awslet_fail(req, &ERR_DDB_RESOURCE_IN_USE,
                "Attempt to change a resource which is still in use: Table is being %s: %s", what,
                t->name);
    return -1;
}

int
ddb_table_by_arn(struct awslet_req *req, sqlite3 *db, const char *arn, struct ddb_table **out)
{
    char prefix[256];
    const char *rest;

    if (strncmp(arn, "arn:", 4) != 0) {
        ddb_validation(req,
                       "One or more parameter values were invalid: ARNs must start with "
                       "'arn:': %s",
                       arn);
        return -1;
    }
    if (strncmp(arn, "arn:aws:dynamodb:", 17) != 0) {
        ddb_validation(req,
                       "One or more parameter values were invalid: Provided Arn is not a "
                       "DynamoDB resource arn: %s",
                       arn);
        return -1;
    }
    snprintf(prefix, sizeof(prefix), "arn:aws:dynamodb:%s:", req->region);
    if (strncmp(arn, prefix, strlen(prefix)) != 0) {
        ddb_validation(req, "Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
        return -1;
    }
    rest = strstr(arn + strlen(prefix), ":table/");
    if (!rest || strchr(rest + 7, '/')) {
        ddb_validation(req,
                       "One or more parameter values were invalid: Invalid resource arn "
                       "provided, only table or stream is accepted. Provided resource arn: %s",
                       arn);
        return -1;
    }
    snprintf(prefix, sizeof(prefix), "arn:aws:dynamodb:%s:%s:table/", req->region, req->account);
    if (strncmp(arn, prefix, strlen(prefix)) != 0 ||
        ddb_table_get(req, db, arn + strlen(prefix), out) != 0) {
        awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND,
                    "Requested resource not found: ResourcArn: %s not found", arn);
        return -1;
    }
    return 0;
}
