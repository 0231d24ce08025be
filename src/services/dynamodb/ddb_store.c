/* ddb_store.c: the item write path: one item's base row, its secondary-index rows and its
 * stream record, kept together inside the caller's write transaction.
 *
 * An item is stored as compact DynamoDB JSON under the order-preserving encoding of its key
 * (ddb_value.h), so that a Query is a range scan of SQLite's primary key. Each secondary
 * index holds, per base item that has the index's key attributes, one ddb_index_items row
 * keyed by the index key then the base key, carrying the item projected as the index
 * declares (KEYS_ONLY, INCLUDE or ALL). Items lacking an index key attribute are simply not
 * in that index (a sparse index), as on AWS. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

/* Large enough for any key value: 2048 bytes of S or B, or a number's encoding. */
#define STORE_KEY_LIMIT 8192

/* ---- keys ---------------------------------------------------------------------------------- */

/* The value of attribute name in item when it is of the key type type ("S", "N", "B"). */
static const json_t *
store_key_attr(const json_t *item, const char *name, const char *type)
{
    const json_t *av = json_object_get(item, name);
    if (!av || !json_object_get(av, type) || json_object_size(av) != 1)
        return NULL;
    return av;
}

int
ddb_key_encode(const struct ddb_key_schema *ks, const json_t *item, struct buf *pk, struct buf *sk)
{
    const json_t *h = store_key_attr(item, ks->hash, ks->hash_type), *r = NULL;

    if (!h)
        return -1;
    if (ks->range && !(r = store_key_attr(item, ks->range, ks->range_type)))
        return -1;
    if (ddb_key_bytes(h, pk) != 0)
        return -1;
    if (r && ddb_key_bytes(r, sk) != 0)
        return -1;
    return 0;
}

/* Bind a key encoding; an empty one must be X'' rather than NULL (hash-only tables). */
static int
store_bind_key(sqlite3_stmt *st, int i, const struct buf *b)
{
    return sqlite3_bind_blob(st, i, b->len ? b->data : "", (int)b->len, SQLITE_STATIC);
}

/* ---- projection ---------------------------------------------------------------------------- */

static int
store_copy_attr(json_t *out, const json_t *item, const char *name)
{
    json_t *av;

    if (!name || !(av = json_object_get(item, name)))
        return 0;
    return json_object_set(out, name, av);
}

json_t *
ddb_index_project(const struct ddb_table *t, const struct ddb_index *ix, const json_t *item)
{
    json_t *out;

    if (!store_key_attr(item, ix->key.hash, ix->key.hash_type) ||
        (ix->key.range && !store_key_attr(item, ix->key.range, ix->key.range_type)))
        return NULL; /* sparse: the item is not in this index */
    if (ix->proj == DDB_PROJ_ALL)
        return json_incref((json_t *)item); /* shared, never modified */

    out = json_object();
    if (!out)
        return NULL;
    if (store_copy_attr(out, item, t->key.hash) || store_copy_attr(out, item, t->key.range) ||
        store_copy_attr(out, item, ix->key.hash) || store_copy_attr(out, item, ix->key.range))
        goto fail;
    if (ix->proj == DDB_PROJ_INCLUDE) {
        for (unsigned i = 0; i < ix->n_include; i++)
            if (store_copy_attr(out, item, ix->include[i]))
                goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* ---- reading ------------------------------------------------------------------------------- */

json_t *
ddb_item_load(sqlite3 *db, const struct ddb_table *t, const json_t *key, int *err)
{
    static const char sql[] = "SELECT item FROM ddb_items WHERE tid = ?1 AND pk = ?2 AND sk = ?3";
    struct buf pk, sk;
    sqlite3_stmt *st;
    json_t *item = NULL;
    int rc;

    *err = 0;
    buf_init(&pk, STORE_KEY_LIMIT);
    buf_init(&sk, STORE_KEY_LIMIT);
    if (ddb_key_encode(&t->key, key, &pk, &sk) != 0)
        goto out; /* no such key can be stored */
    st = store_stmt(db, sql);
    if (!st) {
        *err = -1;
        goto out;
    }
    sqlite3_bind_int64(st, 1, t->id);
    store_bind_key(st, 2, &pk);
    store_bind_key(st, 3, &sk);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        item = json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                          JSON_ALLOW_NUL, NULL);
        if (!item) {
            log_error("dynamodb: unreadable item in table %lld", t->id);
            *err = -1;
        }
    } else if (rc != SQLITE_DONE) {
        log_error("dynamodb: cannot read item: %s", sqlite3_errmsg(db));
        *err = -1;
    }
    sqlite3_reset(st);
out:
    buf_release(&pk);
    buf_release(&sk);
    return item;
}

/* ---- writing ------------------------------------------------------------------------------- */

static int
store_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("dynamodb: cannot %s: %s", what, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int
store_base_put(sqlite3 *db, const struct ddb_table *t, const struct buf *pk, const struct buf *sk,
               const json_t *item)
{
    static const char sql[] = "INSERT OR REPLACE INTO ddb_items (tid, pk, sk, item, size, expires)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *st = store_stmt(db, sql);
    char *text;
    long long expires = t->ttl_attr ? ddb_ttl_expiry(item, t->ttl_attr) : -1;
    int rc;

    if (!st)
        return -1;
    text = json_dumps(item, JSON_COMPACT);
    if (!text)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    store_bind_key(st, 2, pk);
    store_bind_key(st, 3, sk);
    sqlite3_bind_blob(st, 4, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)ddb_item_size(item));
    if (expires >= 0)
        sqlite3_bind_int64(st, 6, expires);
    else
        sqlite3_bind_null(st, 6);
    rc = store_step_done(db, st, "store an item");
    free(text);
    return rc;
}

static int
store_base_delete(sqlite3 *db, const struct ddb_table *t, const struct buf *pk,
                  const struct buf *sk)
{
    static const char sql[] = "DELETE FROM ddb_items WHERE tid = ?1 AND pk = ?2 AND sk = ?3";
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    store_bind_key(st, 2, pk);
    store_bind_key(st, 3, sk);
    return store_step_done(db, st, "delete an item");
}

/* One index entry of one base item: its index key and its projection. */
struct store_entry {
    json_t *proj; /* NULL: the item is not in the index */
    struct buf pk, sk;
};

static int
store_entry_init(struct store_entry *e, const struct ddb_table *t, const struct ddb_index *ix,
                 const json_t *item)
{
    buf_init(&e->pk, STORE_KEY_LIMIT);
    buf_init(&e->sk, STORE_KEY_LIMIT);
    e->proj = item ? ddb_index_project(t, ix, item) : NULL;
    if (e->proj && ddb_key_encode(&ix->key, item, &e->pk, &e->sk) != 0)
        return -1;
    return 0;
}

static void
store_entry_release(struct store_entry *e)
{
    json_decref(e->proj);
    buf_release(&e->pk);
    buf_release(&e->sk);
}

static bool
store_buf_eq(const struct buf *a, const struct buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int
store_index_delete(sqlite3 *db, const struct ddb_table *t, const struct ddb_index *ix,
                   const struct store_entry *e, const struct buf *bpk, const struct buf *bsk)
{
    static const char sql[] = "DELETE FROM ddb_index_items WHERE tid = ?1 AND iname = ?2"
                              " AND pk = ?3 AND sk = ?4 AND bpk = ?5 AND bsk = ?6";
    sqlite3_stmt *st = store_stmt(db, sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_text(st, 2, ix->name, -1, SQLITE_STATIC);
    store_bind_key(st, 3, &e->pk);
    store_bind_key(st, 4, &e->sk);
    store_bind_key(st, 5, bpk);
    store_bind_key(st, 6, bsk);
    return store_step_done(db, st, "delete an index entry");
}

static int
store_index_put(sqlite3 *db, const struct ddb_table *t, const struct ddb_index *ix,
                const struct store_entry *e, const struct buf *bpk, const struct buf *bsk)
{
    static const char sql[] = "INSERT OR REPLACE INTO ddb_index_items"
                              " (tid, iname, pk, sk, bpk, bsk, item, size)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *st = store_stmt(db, sql);
    char *text;
    int rc;

    if (!st)
        return -1;
    text = json_dumps(e->proj, JSON_COMPACT);
    if (!text)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_text(st, 2, ix->name, -1, SQLITE_STATIC);
    store_bind_key(st, 3, &e->pk);
    store_bind_key(st, 4, &e->sk);
    store_bind_key(st, 5, bpk);
    store_bind_key(st, 6, bsk);
    sqlite3_bind_blob(st, 7, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)ddb_item_size(e->proj));
    rc = store_step_done(db, st, "store an index entry");
    free(text);
    return rc;
}

/* Bring one index in line with the change: remove the old entry if the item left the index
 * or its index key moved, write the new one unless it is exactly what is stored. */
static int
store_index_update(sqlite3 *db, const struct ddb_table *t, const struct ddb_index *ix,
                   const json_t *old_item, const json_t *new_item, const struct buf *bpk,
                   const struct buf *bsk)
{
    struct store_entry o, n;
    bool same_key;
    int rc = -1;

    if (store_entry_init(&o, t, ix, old_item) != 0 || store_entry_init(&n, t, ix, new_item) != 0)
        goto out;
    same_key = o.proj && n.proj && store_buf_eq(&o.pk, &n.pk) && store_buf_eq(&o.sk, &n.sk);
    if (same_key && ddb_item_equal(o.proj, n.proj)) {
        rc = 0; /* attributes the index does not project changed */
        goto out;
    }
    if (o.proj && !same_key && store_index_delete(db, t, ix, &o, bpk, bsk) != 0)
        goto out;
    if (n.proj && store_index_put(db, t, ix, &n, bpk, bsk) != 0)
        goto out;
    rc = 0;
out:
    store_entry_release(&o);
    store_entry_release(&n);
    return rc;
}

int
ddb_item_store(sqlite3 *db, const struct ddb_table *t, const json_t *old_item,
               const json_t *new_item, const json_t *user_identity)
{
    struct buf pk, sk;
    int rc = -1;

    if (!old_item && !new_item)
        return 0;
    if (old_item && new_item && ddb_item_equal(old_item, new_item))
        return 0; /* DynamoDB records no change, and neither does the stream */

    buf_init(&pk, STORE_KEY_LIMIT);
    buf_init(&sk, STORE_KEY_LIMIT);
    if (ddb_key_encode(&t->key, new_item ? new_item : old_item, &pk, &sk) != 0) {
        log_error("dynamodb: item without a valid key in table %lld", t->id);
        goto out;
    }
    if (new_item ? store_base_put(db, t, &pk, &sk, new_item) : store_base_delete(db, t, &pk, &sk))
        goto out;
    for (unsigned i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        /* A GSI being deleted is going away with all its rows; one being created is
         * backfilled from the base rows and must also follow the writes meanwhile. */
        if (ix->status && strcmp(ix->status, "DELETING") == 0)
            continue;
        if (store_index_update(db, t, ix, old_item, new_item, &pk, &sk) != 0)
            goto out;
    }
    if (t->stream_id && ddb_stream_append(db, t, old_item, new_item, user_identity) != 0)
        goto out;
    rc = 0;
out:
    buf_release(&pk);
    buf_release(&sk);
    return rc;
}
