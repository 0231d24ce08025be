/* ddb_batch.c: BatchGetItem and BatchWriteItem, and the item collection metrics that the
 * writes report.
 *
 * Both take RequestItems, a map of table name (or ARN) to that table's part of the batch.
 * Every key and item is validated through the shared write path (ddb_write_parse in
 * ddb_item.c) so that messages are the single-item operations' own; two requests on one item
 * are refused as DynamoDB refuses them. BatchGetItem stops at 16 MB of items and returns
 * the rest in UnprocessedKeys; BatchWriteItem writes every request through ddb_item_store(),
 * so indexes and streams follow, and as the handler of an OP_WRITE operation it gets
 * all-or-nothing from the dispatcher's savepoint when a request turns out invalid.
 * Entry points: ddb_batch_get_item(), ddb_batch_write_item(). */
#include "services/dynamodb/ddb_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/proto_json.h"
#include "store/store.h"

#define BATCH_GET_MAX       100                 /* keys per BatchGetItem, all tables */
#define BATCH_GET_MAX_BYTES (16 * 1024 * 1024)  /* "up to 16 MB of data" */
#define BATCH_WRITE_MAX     25                  /* requests per BatchWriteItem */
#define BATCH_MSG_LIMIT     (256 * 1024)

static const char *const batch_capacity_modes[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const batch_metrics_modes[] = {"SIZE", "NONE", NULL};

/* ---- item collection metrics -------------------------------------------------------------- */

static const char sql_collection_base[] =
    "SELECT COALESCE(SUM(size), 0) FROM ddb_items WHERE tid = ?1 AND pk = ?2";
static const char sql_collection_index[] =
    "SELECT COALESCE(SUM(size), 0) FROM ddb_index_items WHERE tid = ?1 AND iname = ?2 AND pk = ?3";

static long long
collection_sum(sqlite3 *db, const char *sql, long long tid, const char *iname,
               const struct buf *pk)
{
    sqlite3_stmt *st = store_stmt(db, sql);
    long long sum = -1;
    int i = 1;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, i++, tid);
    if (iname)
        sqlite3_bind_text(st, i++, iname, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, i, pk->len ? pk->data : "", (int)pk->len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        sum = sqlite3_column_int64(st, 0);
    else
        log_error("cannot size an item collection: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
    return sum;
}

json_t *
ddb_item_collection_metrics(sqlite3 *db, const struct ddb_table *t, const json_t *key)
{
    struct buf pk, sk;
    long long bytes, part;
    double gb, low;
    bool has_lsi = false;
    json_t *m = NULL;

    for (unsigned i = 0; i < t->n_indexes; i++)
        has_lsi |= !t->indexes[i].global;
    if (!has_lsi)
        return NULL;
    buf_init(&pk, 64 * 1024);
    buf_init(&sk, 64 * 1024);
    if (ddb_key_encode(&t->key, key, &pk, &sk) != 0)
        goto out;
    /* The collection is every item with this partition key plus its local index entries. */
    bytes = collection_sum(db, sql_collection_base, t->id, NULL, &pk);
    for (unsigned i = 0; i < t->n_indexes && bytes >= 0; i++) {
        if (t->indexes[i].global)
            continue;
        part = collection_sum(db, sql_collection_index, t->id, t->indexes[i].name, &pk);
        bytes = part < 0 ? -1 : bytes + part;
    }
    if (bytes < 0)
        goto out;
    /* An estimate in whole gigabytes, as DynamoDB gives it: [0.0, 1.0] below 1 GB. */
    gb = (double)bytes / (1024.0 * 1024.0 * 1024.0);
    low = floor(gb);
    m = json_pack("{s:{s:O}, s:[f, f]}", "ItemCollectionKey", t->key.hash,
                  json_object_get(key, t->key.hash), "SizeEstimateRangeGB", low, low + 1.0);
out:
    buf_release(&pk);
    buf_release(&sk);
    return m;
}

/* ---- shared checks ----------------------------------------------------------------------- */

/* Java's rendering of a list of structures in DynamoDB's messages, with a content hash
 * standing in for the object's ("[com.amazonaws.dynamodb.v20120810.WriteRequest@1a2b3c]"). */
static void
batch_java_list(struct buf *b, const json_t *list, const char *shape)
{
    size_t i;
    json_t *e;
    char *text;

    buf_putc(b, '[');
    json_array_foreach(list, i, e) {
        text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        buf_printf(b, "%scom.amazonaws.dynamodb.v20120810.%s@%lx", i ? ", " : "", shape,
                   text ? json_crc32(text, strlen(text)) & 0xffffffffUL : 0UL);
        free(text);
    }
    buf_putc(b, ']');
}

/* Java's rendering of a list of keys: [{pk={S: a,}, sk={N: 1,}}, ...]. */
static void
batch_java_keys(struct buf *b, const json_t *keys)
{
    const char *name, *type;
    json_t *key, *av, *payload;
    size_t i, j;

    buf_putc(b, '[');
    json_array_foreach(keys, i, key) {
        buf_puts(b, i ? ", {" : "{");
        j = 0;
        json_object_foreach(key, name, av) {
            buf_printf(b, "%s%s={", j++ ? ", " : "", name);
            json_object_foreach(av, type, payload) {
                char *text = json_is_string(payload)
                                 ? NULL
                                 : json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
                buf_printf(b, "%s: %s,", type,
                           text ? text : json_string_value(payload));
                free(text);
            }
            buf_putc(b, '}');
        }
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* RequestItems: present and a map of 1..max tables. Its size, or 0 when reported. */
static size_t
batch_request_items(struct ddb_args *a, const json_t *in, size_t max)
{
    const json_t *ri = json_object_get(in, "RequestItems");
    size_t n;

    if (!ri || json_is_null(ri)) {
        ddb_args_add(a, "Value null at 'requestItems' failed to satisfy constraint: Member must "
                        "not be null");
        return 0;
    }
    if (!json_is_object(ri)) {
        ddb_args_add(a, "Value at 'requestItems' failed to satisfy constraint: Member must be a "
                        "map");
        return 0;
    }
    n = json_object_size(ri);
    if (n < 1 || n > max) {
        ddb_args_add(a, "Value '%s' at 'requestItems' failed to satisfy constraint: Member must "
                        "have length %s %zu",
                     n < 1 ? "{}" : "{...}",
                     n < 1 ? "greater than or equal to" : "less than or equal to", n < 1 ? 1 : max);
        return 0;
    }
    return n;
}

int
ddb_batch_not_found(struct awslet_req *req)
{
    if (req->err == &ERR_DDB_RESOURCE_NOT_FOUND)
        awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND, "Requested resource not found");
    return -1;
}

/* Validate key through the shared write path as a DeleteItem of it: the table lookup
 * (ResourceNotFoundException) and GetItem's key checks. 0 or -1 (request failed). */
static int
batch_key_parse(struct awslet_req *req, const char *table, const json_t *key, struct ddb_write *w)
{
    json_t *kin = json_pack("{s:s, s:O}", "TableName", table, "Key", key);
    int rc;

    if (!kin)
        return awslet_fail_nomem(req), -1;
    rc = ddb_write_parse(req, req->db, DDB_W_DELETE, kin, w);
    json_decref(kin);
    return rc == 0 ? 0 : ddb_batch_not_found(req);
}

/* ---- BatchGetItem ------------------------------------------------------------------------- */

struct batch_get_table {
    const char *name;                /* as the request gave it (name or ARN) */
    const json_t *spec;              /* its KeysAndAttributes */
    bool consistent;
    struct ddb_expr_ctx ctx;
    bool ctx_init;
    struct ddb_projection *proj;     /* or NULL: whole items */
    unsigned first, n;               /* its keys in the flat array */
};

struct batch_get_key {
    struct ddb_write w;              /* table and validated key */
    bool parsed;                     /* ddb_write_parse() was called: release w */
    struct ddb_item_ref ref;
};

/* Check the counts of every table's Keys (1..100 each, 100 in all). 0 or -1. */
static int
batch_get_counts(struct awslet_req *req, const json_t *in, size_t *total)
{
    struct ddb_args a;
    const json_t *ri = json_object_get(in, "RequestItems"), *spec, *keys;
    const char *name;
    struct buf v;
    size_t n;

    ddb_args_init(&a, req);
    *total = 0;
    if (batch_request_items(&a, in, BATCH_GET_MAX)) {
        json_object_foreach((json_t *)ri, name, spec) {
            keys = json_object_get(spec, "Keys");
            if (!json_is_object(spec) || !keys || json_is_null(keys)) {
                ddb_args_add(&a, "Value null at 'requestItems.%s.member.keys' failed to satisfy "
                                 "constraint: Member must not be null",
                             name);
                continue;
            }
            n = json_array_size(keys);
            /* One table's Keys beyond 100 break the list's own constraint; 100 in all
             * across tables is the "Too many items" check below. */
            if (!json_is_array(keys) || n < 1 || n > BATCH_GET_MAX) {
                buf_init(&v, BATCH_MSG_LIMIT);
                batch_java_keys(&v, keys);
                ddb_args_add(&a, "Value '%s' at 'requestItems.%s.member.keys' failed to satisfy "
                                 "constraint: Member must have length %s",
                             v.data ? v.data : "[]", name,
                             n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
                buf_release(&v);
                continue;
            }
            *total += n;
        }
    }
    ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                  batch_capacity_modes);
    if (ddb_args_done(&a) != 0)
        return -1;
    if (*total > BATCH_GET_MAX)
        return ddb_validation(req, "Too many items requested for the BatchGetItem call"), -1;
    return 0;
}

/* One table's projection: ProjectionExpression or AttributesToGet (not both), with its
 * names. 0 or -1 (request failed). */
static int
batch_get_projection(struct awslet_req *req, struct batch_get_table *bt)
{
    const json_t *names = json_object_get(bt->spec, "ExpressionAttributeNames");
    const json_t *atg = json_object_get(bt->spec, "AttributesToGet");
    const char *pe = json_string_value(json_object_get(bt->spec, "ProjectionExpression"));

    if (pe && atg)
        return ddb_validation(req, "Can not use both expression and non-expression parameters "
                                   "in the same request: Non-expression parameters: "
                                   "{AttributesToGet} Expression parameters: "
                                   "{ProjectionExpression}"),
               -1;
    ddb_expr_ctx_init(&bt->ctx, &req->arena, json_is_object(names) ? names : NULL, NULL);
    bt->ctx_init = true;
    if (pe)
        bt->proj = ddb_expr_parse_projection(&bt->ctx, pe);
    else if (atg)
        bt->proj = ddb_legacy_attributes_to_get(&bt->ctx, atg);
    if ((pe || atg) && !bt->proj)
        return ddb_validation(req, "%s", bt->ctx.err), -1;
    if (ddb_expr_check_unused(&bt->ctx, pe != NULL) != 0)
        return ddb_validation(req, "%s", bt->ctx.err), -1;
    return 0;
}

/* Add key to UnprocessedKeys under its table, with the table's other parameters. */
static int
batch_get_unprocessed(json_t *unprocessed, const struct batch_get_table *bt, const json_t *key)
{
    json_t *e = json_object_get(unprocessed, bt->name);

    if (!e) {
        e = json_copy((json_t *)bt->spec); /* Keys replaced, the rest as asked */
        if (!e || json_object_set_new(e, "Keys", json_array()) != 0 ||
            json_object_set_new(unprocessed, bt->name, e) != 0)
            return -1;
    }
    return json_array_append(json_object_get(e, "Keys"), (json_t *)key);
}

/* BatchGetItem: up to 100 items from one or more tables, at most 16 MB of them; the rest is
 * returned in UnprocessedKeys.
 * in: RequestItems, ReturnConsumedCapacity?   out: Responses, UnprocessedKeys, ConsumedCapacity? */
enum awslet_rc
ddb_batch_get_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *ri = json_object_get(in, "RequestItems"), *spec;
    const char *name, *cap_mode = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    struct batch_get_table *tables = NULL;
    struct batch_get_key *keys = NULL;
    struct ddb_item_ref *refs;
    json_t *responses = NULL, *unprocessed = NULL, *acc = NULL, *item, *v;
    size_t total, n_tables = 0, bytes = 0, k = 0, i;
    enum awslet_rc rc = AWSLET_ERR;
    bool full = false;
    int err = 0;

    if (batch_get_counts(req, in, &total) != 0)
        return AWSLET_ERR;
    tables = arena_calloc(&req->arena, json_object_size(ri) * sizeof(*tables));
    keys = arena_calloc(&req->arena, total * sizeof(*keys));
    refs = arena_calloc(&req->arena, total * sizeof(*refs));
    if (!tables || !keys || !refs)
        return awslet_fail_nomem(req);

    /* Repeated keys are refused before the tables are looked up, on the keys as written
     * (numbers spelled differently are caught once the keys are parsed, below). */
    json_object_foreach((json_t *)ri, name, spec) {
        const json_t *ks = json_object_get(spec, "Keys");

        for (size_t x = 1; x < json_array_size(ks); x++)
            for (size_t y = 0; y < x; y++)
                if (json_equal(json_array_get(ks, x), json_array_get(ks, y)))
                    return ddb_validation(req, "Provided list of item keys contains duplicates");
    }
    /* Validate everything before reading anything. */
    json_object_foreach((json_t *)ri, name, spec) {
        struct batch_get_table *bt = &tables[n_tables++];
        const json_t *key;
        size_t j;

        bt->name = name;
        bt->spec = spec;
        bt->consistent = json_is_true(json_object_get(spec, "ConsistentRead"));
        bt->first = (unsigned)k;
        json_array_foreach(json_object_get(spec, "Keys"), j, key) {
            keys[k++].parsed = true; /* released even when the parse fails */
            if (batch_key_parse(req, name, key, &keys[k - 1].w) != 0)
                goto out;
            if (ddb_item_ref(&req->arena, keys[k - 1].w.table, keys[k - 1].w.key,
                             &refs[k - 1]) != 0) {
                awslet_fail_nomem(req);
                goto out;
            }
        }
        bt->n = (unsigned)(k - bt->first);
        if (batch_get_projection(req, bt) != 0)
            goto out;
    }
    if (ddb_item_refs_duplicate(refs, (unsigned)k) >= 0) {
        ddb_validation(req, "Provided list of item keys contains duplicates");
        goto out;
    }

    responses = json_object();
    unprocessed = json_object();
    acc = json_object();
    if (!responses || !unprocessed || !acc) {
        awslet_fail_nomem(req);
        goto out;
    }
    for (size_t t = 0; t < n_tables; t++) {
        struct batch_get_table *bt = &tables[t];
        const json_t *keys_in = json_object_get(bt->spec, "Keys");
        json_t *list = json_array();

        if (!list || json_object_set_new(responses, bt->name, list) != 0) {
            awslet_fail_nomem(req);
            goto out;
        }
        for (i = bt->first; i < bt->first + bt->n; i++) {
            struct ddb_write *w = &keys[i].w;
            size_t sz;

            item = full ? NULL : ddb_item_load(req->db, w->table, w->key, &err);
            if (err) {
                awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
                goto out;
            }
            sz = item ? ddb_item_size(item) : 0;
            if (item && bt->proj) {
                v = ddb_expr_project(bt->proj, item);
                json_decref(item);
                item = v;
                if (!item) {
                    awslet_fail_nomem(req);
                    goto out;
                }
            }
            /* The answer stays within 16 MB: from the first item that would pass it, the
             * keys are left in UnprocessedKeys for the caller to retry. */
            if (full || (item && bytes + ddb_item_size(item) > BATCH_GET_MAX_BYTES)) {
                json_decref(item);
                full = true;
                if (batch_get_unprocessed(unprocessed, bt, json_array_get(keys_in, i - bt->first))
                    != 0) {
                    awslet_fail_nomem(req);
                    goto out;
                }
                continue;
            }
            /* each item is rounded up on its own; a missing one costs the minimum */
            ddb_capacity_acc(acc, w->table->name, ddb_read_units(sz, bt->consistent), 0,
                             NULL, 0);
            if (!item)
                continue;
            bytes += ddb_item_size(item);
            json_array_append_new(list, item);
        }
    }
    *out = json_pack("{s:O, s:O}", "Responses", responses, "UnprocessedKeys", unprocessed);
    if (*out && (v = ddb_capacity_list(acc, cap_mode, false)))
        json_object_set_new(*out, "ConsumedCapacity", v);
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    for (i = 0; i < k; i++)
        if (keys[i].parsed)
            ddb_write_release(&keys[i].w);
    for (i = 0; i < n_tables; i++)
        if (tables[i].ctx_init)
            ddb_expr_ctx_release(&tables[i].ctx);
    json_decref(responses);
    json_decref(unprocessed);
    json_decref(acc);
    return rc;
}

/* ---- BatchWriteItem ----------------------------------------------------------------------- */

struct batch_write {
    struct ddb_write w;
    bool parsed;                     /* ddb_write_parse() was called: release w */
    struct ddb_item_ref ref;
    json_t *old, *new_item;
};

/* Check RequestItems' shape (1..25 tables of 1..25 requests, 25 in all) and the enums. The
 * number of requests, or 0 with the request failed. */
static size_t
batch_write_counts(struct awslet_req *req, const json_t *in)
{
    struct ddb_args a;
    const json_t *ri = json_object_get(in, "RequestItems"), *list;
    const char *name;
    size_t total = 0, n;
    struct buf v;
    bool bad = false;

    ddb_args_init(&a, req);
    if (batch_request_items(&a, in, BATCH_WRITE_MAX)) {
        buf_init(&v, BATCH_MSG_LIMIT);
        json_object_foreach((json_t *)ri, name, list) {
            const json_t *wr;
            size_t j;

            n = json_array_size(list);
            if (!json_is_array(list) || n < 1 || n > BATCH_WRITE_MAX)
                bad = true;
            total += n;
            /* a PutRequest needs its Item, a DeleteRequest its Key */
            json_array_foreach(list, j, wr) {
                const json_t *del = json_object_get(wr, "DeleteRequest");
                const json_t *put = json_object_get(wr, "PutRequest");

                if (json_is_object(del) && !json_is_object(json_object_get(del, "Key")))
                    ddb_args_add(&a, "Value null at 'requestItems.%s.member.%zu.member."
                                     "deleteRequest.key' failed to satisfy constraint: Member "
                                     "must not be null",
                                 name, j + 1);
                if (json_is_object(put) && !json_is_object(json_object_get(put, "Item")))
                    ddb_args_add(&a, "Value null at 'requestItems.%s.member.%zu.member."
                                     "putRequest.item' failed to satisfy constraint: Member "
                                     "must not be null",
                                 name, j + 1);
            }
        }
        if (bad) {
            /* One error for the whole map, rendered as Java prints it: {t=[...], u=[...]} */
            buf_putc(&v, '{');
            size_t j = 0;
            json_object_foreach((json_t *)ri, name, list) {
                buf_printf(&v, "%s%s=", j++ ? ", " : "", name);
                batch_java_list(&v, json_is_array(list) ? list : NULL, "WriteRequest");
            }
            buf_putc(&v, '}');
            ddb_args_add(&a, "Value '%s' at 'requestItems' failed to satisfy constraint: Map value "
                             "must satisfy constraint: [Member must have length less than or "
                             "equal to 25, Member must have length greater than or equal to 1]",
                         v.data ? v.data : "{}");
        }
        buf_release(&v);
    }
    ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                  batch_capacity_modes);
    ddb_args_enum(&a, in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                  batch_metrics_modes);
    if (ddb_args_done(&a) != 0)
        return 0;
    if (total > BATCH_WRITE_MAX)
        return ddb_validation(req, "Too many items requested for the BatchWriteItem call"), 0;
    return total;
}

/* Parse one WriteRequest of table name as the PutItem or DeleteItem it stands for (no
 * condition, no return values). 0 or -1 (request failed). */
static int
batch_write_parse(struct awslet_req *req, const char *name, const json_t *wr, struct ddb_write *w)
{
    const json_t *put = json_object_get(wr, "PutRequest");
    const json_t *del = json_object_get(wr, "DeleteRequest");
    json_t *win;
    int rc;

    if (json_is_null(put))
        put = NULL;
    if (json_is_null(del))
        del = NULL;
    /* DynamoDB words a WriteRequest without exactly one request as it words an attribute
     * value without exactly one type. */
    if (!put == !del)
        return ddb_validation(req, "Supplied AttributeValue has more than one datatypes set, "
                                   "must contain exactly one of the supported datatypes"),
               -1;
    if (put)
        win = json_pack("{s:s, s:O?}", "TableName", name, "Item", json_object_get(put, "Item"));
    else
        win = json_pack("{s:s, s:O?}", "TableName", name, "Key", json_object_get(del, "Key"));
    if (!win)
        return awslet_fail_nomem(req), -1;
    rc = ddb_write_parse(req, req->db, put ? DDB_W_PUT : DDB_W_DELETE, win, w);
    json_decref(win);
    return rc == 0 ? 0 : ddb_batch_not_found(req);
}

/* BatchWriteItem: up to 25 puts and deletes over one or more tables.
 * in: RequestItems, ReturnConsumedCapacity?, ReturnItemCollectionMetrics?
 * out: UnprocessedItems, ItemCollectionMetrics?, ConsumedCapacity? */
enum awslet_rc
ddb_batch_write_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *ri = json_object_get(in, "RequestItems"), *list, *wr;
    const char *name, *cap_mode = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    const char *metrics_mode =
        json_string_value(json_object_get(in, "ReturnItemCollectionMetrics"));
    struct batch_write *ws;
    struct ddb_item_ref *refs;
    json_t *acc = NULL, *metrics = NULL, *m, *v;
    size_t total, k = 0, i, j;
    enum awslet_rc rc = AWSLET_ERR;

    total = batch_write_counts(req, in);
    if (!total)
        return AWSLET_ERR;
    ws = arena_calloc(&req->arena, total * sizeof(*ws));
    refs = arena_calloc(&req->arena, total * sizeof(*refs));
    if (!ws || !refs)
        return awslet_fail_nomem(req);
    json_object_foreach((json_t *)ri, name, list) {
        json_array_foreach(list, j, wr) {
            ws[k++].parsed = true; /* released even when the parse fails */
            if (batch_write_parse(req, name, wr, &ws[k - 1].w) != 0)
                goto out;
            if (ddb_item_ref(&req->arena, ws[k - 1].w.table, ws[k - 1].w.key, &refs[k - 1]) != 0) {
                awslet_fail_nomem(req);
                goto out;
            }
        }
    }
    if (ddb_item_refs_duplicate(refs, (unsigned)k) >= 0) {
        ddb_validation(req, "Provided list of item keys contains duplicates");
        goto out;
    }

    acc = json_object();
    metrics = json_object();
    if (!acc || !metrics) {
        awslet_fail_nomem(req);
        goto out;
    }
    for (i = 0; i < k; i++) {
        struct batch_write *b = &ws[i];

        /* Without a condition the check only loads the item being replaced or deleted. */
        if (ddb_write_check(req, req->db, &b->w, &b->old) < 0 ||
            ddb_write_apply(req, req->db, &b->w, b->old, &b->new_item) != 0)
            goto out;
        if (ddb_capacity_charge_write(acc, b->w.table, b->old, b->new_item, 1) != 0) {
            awslet_fail_nomem(req);
            goto out;
        }
    }
    /* Collections are measured once every write is in. */
    if (metrics_mode && strcmp(metrics_mode, "SIZE") == 0) {
        for (i = 0; i < k; i++) {
            m = ddb_item_collection_metrics(req->db, ws[i].w.table, ws[i].w.key);
            if (!m)
                continue;
            v = json_object_get(metrics, ws[i].w.table->name);
            if (!v) {
                v = json_array();
                json_object_set_new(metrics, ws[i].w.table->name, v);
            }
            json_array_append_new(v, m);
        }
    }
    *out = json_pack("{s:{}}", "UnprocessedItems");
    if (*out && json_object_size(metrics))
        json_object_set(*out, "ItemCollectionMetrics", metrics);
    if (*out && (v = ddb_capacity_list(acc, cap_mode, false)))
        json_object_set_new(*out, "ConsumedCapacity", v);
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    for (i = 0; i < k; i++) {
        if (ws[i].parsed)
            ddb_write_release(&ws[i].w);
        json_decref(ws[i].old);
        json_decref(ws[i].new_item);
    }
    json_decref(acc);
    json_decref(metrics);
    return rc;
}
