/* ddb_transact.c: TransactWriteItems and TransactGetItems, plus what batches share with them:
 * item identities (to refuse two operations on one item) and per-table capacity totals.
 *
 * TransactWriteItems parses every action with the shared write path (ddb_write_parse in
 * ddb_item.c), refuses two actions on one item, answers a repeated ClientRequestToken from
 * ddb_tx_tokens, then evaluates every condition before anything is written: a failure cancels
 * the request with TransactionCanceledException and one CancellationReason per action, in
 * action order. Otherwise each write is applied in the handler's savepoint; an action that the
 * change itself makes invalid (item too large, wrong operand type) cancels the request with a
 * ValidationError reason, and returning AWSLET_ERR rolls back what was already applied.
 * TransactGetItems reads every item inside one read transaction, so the answer is one snapshot.
 * Entry points: ddb_transact_write_items(), ddb_transact_get_items(). */
#include "services/dynamodb/ddb_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/digest.h"
#include "core/log.h"
#include "core/proto_json.h"
#include "store/store.h"

#define TX_MAX_ACTIONS  100
#define TX_MAX_BYTES    (4 * 1024 * 1024)  /* "aggregate size of the items ... 4 MB" */
#define TX_TOKEN_TTL_MS (10 * 60 * 1000)   /* a ClientRequestToken is valid for 10 minutes */
#define TX_TOKEN_SWEEP  128                /* purge expired tokens every this many stores */
#define TX_KEY_LIMIT    (64 * 1024)        /* encoded keys are far smaller (2048 + 1024) */
#define TX_TOO_BIG                                                                                 \
    "Collection size of items exceeded, which can also be caused by the aggregate size of the "  \
    "items in the transaction exceeding the 4MB limit"

static const char *const tx_capacity_modes[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const tx_metrics_modes[] = {"SIZE", "NONE", NULL};

/* ---- item identities ------------------------------------------------------------------ */

int
ddb_item_ref(struct arena *a, const struct ddb_table *t, const json_t *key,
             struct ddb_item_ref *ref)
{
    struct buf pk, sk;
    unsigned char *p;
    uint64_t id = (uint64_t)t->id;
    uint32_t n;
    int rc = -1;

    buf_init(&pk, TX_KEY_LIMIT);
    buf_init(&sk, TX_KEY_LIMIT);
    if (ddb_key_encode(&t->key, key, &pk, &sk) != 0)
        goto out;
    /* table id, the partition key's length, then both keys: the length keeps ("ab", "c")
     * apart from ("a", "bc") */
    ref->len = 8 + 4 + pk.len + sk.len;
    p = arena_alloc(a, ref->len);
    if (!p)
        goto out;
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(id >> (56 - 8 * i));
    n = (uint32_t)pk.len;
    for (int i = 0; i < 4; i++)
        p[8 + i] = (unsigned char)(n >> (24 - 8 * i));
    if (pk.len)
        memcpy(p + 12, pk.data, pk.len);
    if (sk.len)
        memcpy(p + 12 + pk.len, sk.data, sk.len);
    ref->bytes = p;
    rc = 0;
out:
    buf_release(&pk);
    buf_release(&sk);
    return rc;
}

int
ddb_item_refs_duplicate(const struct ddb_item_ref *refs, unsigned n)
{
    /* At most 100 refs: comparing every pair costs less than sorting copies. */
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = 0; j < i; j++)
            if (refs[i].len == refs[j].len &&
                memcmp(refs[i].bytes, refs[j].bytes, refs[i].len) == 0)
                return (int)i;
    return -1;
}

/* ---- capacity totals ------------------------------------------------------------------- */

static int
cap_add_member(json_t *o, const char *name, double units)
{
    json_t *v = json_object_get(o, name);

    if (v)
        return json_real_set(v, json_real_value(v) + units);
    return json_object_set_new(o, name, json_real(units));
}

int
ddb_capacity_acc(json_t *acc, const char *table, double read, double write,
                 const struct ddb_index *ix, double index_units)
{
    json_t *e = json_object_get(acc, table);

    if (!e) {
        if (json_object_set_new(acc, table, json_pack("{s:f, s:f, s:{}, s:{}}", "read", 0.0,
                                                      "write", 0.0, "gsi", "lsi")) != 0)
            return -1;
        e = json_object_get(acc, table);
    }
    if (cap_add_member(e, "read", read) != 0 || cap_add_member(e, "write", write) != 0)
        return -1;
    if (ix && cap_add_member(json_object_get(e, ix->global ? "gsi" : "lsi"), ix->name,
                             index_units) != 0)
        return -1;
    return 0;
}

json_t *
ddb_capacity_list(const json_t *acc, const char *mode, bool split)
{
    const char *table;
    json_t *e, *list, *c;
    double r, w;

    if (!mode || (strcmp(mode, "TOTAL") != 0 && strcmp(mode, "INDEXES") != 0))
        return NULL;
    list = json_array();
    if (!list)
        return NULL;
    json_object_foreach((json_t *)acc, table, e) {
        r = json_real_value(json_object_get(e, "read"));
        w = json_real_value(json_object_get(e, "write"));
        c = ddb_capacity_split(mode, table, r + w, w == 0, json_object_get(e, "gsi"),
                               json_object_get(e, "lsi"));
        if (!c)
            continue;
        /* Transactions say how much of the total was reads and how much writes (index
         * writes are writes). */
        if (split) {
            double ix = json_real_value(json_object_get(c, "CapacityUnits")) - r - w;

            if (r > 0)
                json_object_set_new(c, "ReadCapacityUnits", json_real(r));
            if (w > 0)
                json_object_set_new(c, "WriteCapacityUnits", json_real(w + ix));
        }
        json_array_append_new(list, c);
    }
    return list;
}

int
ddb_capacity_charge_write(json_t *acc, const struct ddb_table *t, const json_t *old,
                          const json_t *new_item, double factor)
{
    size_t so = old ? ddb_item_size(old) : 0, sn = new_item ? ddb_item_size(new_item) : 0;

    /* a write is charged on the larger of the item before and after */
    if (ddb_capacity_acc(acc, t->name, 0, factor * ddb_write_units(so > sn ? so : sn), NULL,
                         0) != 0)
        return -1;
    /* Each index pays for its own entry: nothing when it did not change, one write to add,
     * remove or rewrite it, two when its key moved (a delete and a put). */
    for (unsigned i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        json_t *po = old ? ddb_index_project(t, ix, old) : NULL;
        json_t *pn = new_item ? ddb_index_project(t, ix, new_item) : NULL;
        size_t a = po ? ddb_item_size(po) : 0, b = pn ? ddb_item_size(pn) : 0;
        double u = 0;
        int rc = 0;

        if (po && pn) {
            bool moved = !ddb_value_equal(json_object_get(po, ix->key.hash),
                                          json_object_get(pn, ix->key.hash)) ||
                         (ix->key.range && !ddb_value_equal(json_object_get(po, ix->key.range),
                                                            json_object_get(pn, ix->key.range)));
            if (moved)
                u = ddb_write_units(a) + ddb_write_units(b);
            else if (!ddb_item_equal(po, pn))
                u = ddb_write_units(a > b ? a : b);
        } else if (po || pn) {
            u = ddb_write_units(po ? a : b);
        }
        if (u > 0)
            rc = ddb_capacity_acc(acc, t->name, 0, 0, ix, factor * u);
        json_decref(po);
        json_decref(pn);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- the request digest and cancellation reasons (unit-tested) ------------------------ */

/* The SHA-256 (hex) of the request without its ClientRequestToken, as compact JSON with
 * sorted keys: member order does not matter, any other change does. 0 or -1. */
AWSLET_TESTABLE int
ddb_transact_digest(const json_t *in, char out[65])
{
    json_t *copy;
    char *text;
    int rc;

    copy = json_copy((json_t *)in); /* shallow: removing the token leaves in untouched */
    if (!copy)
        return -1;
    json_object_del(copy, "ClientRequestToken");
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(copy);
    if (!text)
        return -1;
    rc = sha256_hex(text, strlen(text), out);
    free(text);
    return rc;
}

/* One CancellationReason: {"Code":"None"} for an action that was fine, else the code, the
 * message and, for a failed condition with ReturnValuesOnConditionCheckFailure ALL_OLD, the
 * item as it was (item may be NULL). */
json_t *
ddb_transact_reason(const char *code, const char *message, const json_t *item)
{
    json_t *r = json_pack("{s:s}", "Code", code);

    if (!r)
        return NULL;
    if (message)
        json_object_set_new(r, "Message", json_string(message));
    if (item)
        json_object_set(r, "Item", (json_t *)item);
    return r;
}

/* DynamoDB's message for a cancelled transaction: every reason's code, in action order:
 * "Transaction cancelled, please refer cancellation reasons for specific reasons
 * [ConditionalCheckFailed, None]". In the arena; NULL without memory. */
char *
ddb_transact_cancel_message(struct arena *a, const json_t *reasons)
{
    struct buf b;
    size_t i;
    json_t *r;
    char *s;

    buf_init(&b, 64 * 1024);
    buf_puts(&b, "Transaction cancelled, please refer cancellation reasons for specific reasons [");
    json_array_foreach(reasons, i, r) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, json_string_value(json_object_get(r, "Code")));
    }
    buf_putc(&b, ']');
    s = b.data ? arena_strdup(a, b.data) : NULL;
    buf_release(&b);
    return s;
}

/* Fail req with TransactionCanceledException carrying reasons (taken). */
static enum awslet_rc
tx_cancel(struct awslet_req *req, json_t *reasons)
{
    char *msg = ddb_transact_cancel_message(&req->arena, reasons);

    if (!msg) {
        json_decref(reasons);
        return awslet_fail_nomem(req);
    }
    /* AWS spells this one's text "Message"; carried whole here (a hundred reasons are longer
     * than awslet_fail() keeps). */
    json_decref(req->err_extra);
    req->err_extra = json_pack("{s:o,s:s}", "CancellationReasons", reasons, "Message", msg);
    return awslet_fail(req, &ERR_DDB_TRANSACTION_CANCELED, "%s", msg);
}

/* ---- shared request checks -------------------------------------------------------------- */

/* Java's rendering of a list of structures in DynamoDB's messages ("[...TransactGetItem@1a2b]"),
 * with a content hash standing in for the object's. */
const char *
ddb_transact_java_list(struct arena *a, const json_t *list, const char *shape)
{
    struct buf b;
    size_t i;
    json_t *e;
    char *text, *s;

    buf_init(&b, 256 * 1024);
    buf_putc(&b, '[');
    json_array_foreach(list, i, e) {
        text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        buf_printf(&b, "%scom.amazonaws.dynamodb.v20120810.%s@%lx", i ? ", " : "", shape,
                   text ? json_crc32(text, strlen(text)) & 0xffffffffUL : 0UL);
        free(text);
    }
    buf_putc(&b, ']');
    s = arena_strdup(a, b.data ? b.data : "[]");
    buf_release(&b);
    return s ? s : "[]";
}

/* TransactItems: present, a list of 1..100. Returns the count, or 0 when reported. */
static size_t
tx_items_arg(struct ddb_args *a, const json_t *in, const char *shape)
{
    const json_t *items = json_object_get(in, "TransactItems");
    size_t n;

    if (!items || json_is_null(items)) {
        ddb_args_add(a, "Value null at 'transactItems' failed to satisfy constraint: Member must "
                        "not be null");
        return 0;
    }
    if (!json_is_array(items)) {
        ddb_args_add(a, "Value at 'transactItems' failed to satisfy constraint: Member must be a "
                        "list");
        return 0;
    }
    n = json_array_size(items);
    if (n < 1 || n > TX_MAX_ACTIONS) {
        ddb_args_add(a, "Value '%s' at 'transactItems' failed to satisfy constraint: Member must "
                        "have length %s",
                     ddb_transact_java_list(&a->req->arena, items, shape),
                     n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        return 0;
    }
    return n;
}

/* A required member of action i's structure ("transactItems.1.member.put.item"). */
static bool
tx_required(struct ddb_args *a, const json_t *obj, size_t i, const char *at_struct,
            const char *member, const char *at)
{
    const json_t *v = json_object_get(obj, member);

    if (v && !json_is_null(v))
        return true;
    ddb_args_add(a, "Value null at 'transactItems.%zu.member.%s%s%s' failed to satisfy "
                    "constraint: Member must not be null",
                 i + 1, at_struct, *at_struct ? "." : "", at);
    return false;
}

/* ---- TransactWriteItems --------------------------------------------------------------------- */

struct tx_action {
    struct ddb_write w;
    bool parsed;           /* ddb_write_parse() was called: release w */
    json_t *old;           /* the item before the transaction, or NULL */
    json_t *new_item;      /* after it (Put, Update), or NULL */
    struct ddb_item_ref ref;
};

static const struct {
    const char *member, *at; /* in the request, in messages */
    enum ddb_write_kind kind;
} tx_kinds[] = {
    {"ConditionCheck", "conditionCheck", DDB_W_CHECK},
    {"Put", "put", DDB_W_PUT},
    {"Delete", "delete", DDB_W_DELETE},
    {"Update", "update", DDB_W_UPDATE},
};

/* Which of Put, Update, Delete, ConditionCheck action i holds; -1 when not exactly one
 * (reported). Records its required members' absence in a. */
static int
tx_action_kind(struct ddb_args *a, const json_t *item, size_t i, bool *complete)
{
    int found = -1, count = 0;
    const json_t *body;

    for (unsigned k = 0; k < ARRAY_SIZE(tx_kinds); k++)
        if (json_is_object(json_object_get(item, tx_kinds[k].member)))
            found = (int)k, count++;
    if (count != 1)
        return -1;
    body = json_object_get(item, tx_kinds[found].member);
    *complete = tx_required(a, body, i, tx_kinds[found].at, "TableName", "tableName");
    switch (tx_kinds[found].kind) {
    case DDB_W_PUT:
        *complete &= tx_required(a, body, i, "put", "Item", "item");
        break;
    case DDB_W_UPDATE:
        *complete &= tx_required(a, body, i, "update", "Key", "key");
        *complete &= tx_required(a, body, i, "update", "UpdateExpression", "updateExpression");
        break;
    case DDB_W_DELETE:
        *complete &= tx_required(a, body, i, "delete", "Key", "key");
        break;
    case DDB_W_CHECK:
        *complete &= tx_required(a, body, i, "conditionCheck", "Key", "key");
        *complete &= tx_required(a, body, i, "conditionCheck", "ConditionExpression",
                                 "conditionExpression");
        break;
    }
    return found;
}

static const char sql_token_find[] = "SELECT digest, created_ms FROM ddb_tx_tokens"
                                     " WHERE account = ?1 AND region = ?2 AND token = ?3";
static const char sql_token_put[] =
    "INSERT OR REPLACE INTO ddb_tx_tokens (account, region, token, digest, created_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_token_sweep[] = "DELETE FROM ddb_tx_tokens WHERE created_ms <= ?1";

static int
tx_db_fail(struct awslet_req *req, sqlite3_stmt *st, const char *what)
{
    log_error("cannot %s: %s", what, sqlite3_errmsg(req->db));
    if (st)
        sqlite3_reset(st);
    awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    return -1;
}

/* A ClientRequestToken seen within the last 10 minutes: 1 when it came with the same
 * request (answer without writing), 0 when unknown or expired, -1 with the request failed
 * (IdempotentParameterMismatchException, or a store error). */
static int
tx_token_find(struct awslet_req *req, const char *token, const char *digest, long long now)
{
    sqlite3_stmt *st = store_stmt(req->db, sql_token_find);
    int rc = 0;

    if (!st)
        return tx_db_fail(req, NULL, "look a transaction token up");
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        if (sqlite3_column_int64(st, 1) + TX_TOKEN_TTL_MS > now)
            rc = strcmp((const char *)sqlite3_column_text(st, 0), digest) == 0 ? 1 : 2;
        break;
    case SQLITE_DONE:
        break;
    default:
        return tx_db_fail(req, st, "look a transaction token up");
    }
    sqlite3_reset(st);
    if (rc == 2) {
        awslet_fail(req, &ERR_DDB_IDEMPOTENT_MISMATCH,
                    "The request uses the same client token as a previous, but non-identical "
                    "request. Do not reuse a client token with different requests, unless the "
                    "requests are identical.");
        return -1;
    }
    return rc;
}

static int
tx_token_store(struct awslet_req *req, const char *token, const char *digest, long long now)
{
    static unsigned long stores;
    sqlite3_stmt *st = store_stmt(req->db, sql_token_put);

    if (!st)
        return tx_db_fail(req, NULL, "store a transaction token");
    sqlite3_bind_text(st, 1, req->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, req->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return tx_db_fail(req, st, "store a transaction token");
    sqlite3_reset(st);
    /* Expired tokens are dead rows (every SDK sends a token): sweep now and then. */
    if (__atomic_add_fetch(&stores, 1, __ATOMIC_RELAXED) % TX_TOKEN_SWEEP == 0) {
        st = store_stmt(req->db, sql_token_sweep);
        if (!st)
            return tx_db_fail(req, NULL, "sweep transaction tokens");
        sqlite3_bind_int64(st, 1, now - TX_TOKEN_TTL_MS);
        if (sqlite3_step(st) != SQLITE_DONE)
            return tx_db_fail(req, st, "sweep transaction tokens");
        sqlite3_reset(st);
    }
    return 0;
}

/* ItemCollectionMetrics ({table: [metrics]}) for the actions that wrote, or NULL if none
 * applies (no table with a local secondary index). */
static json_t *
tx_collection_metrics(struct awslet_req *req, struct tx_action *acts, size_t n)
{
    json_t *all = json_object(), *m, *list;

    if (!all)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (acts[i].w.kind == DDB_W_CHECK)
            continue;
        m = ddb_item_collection_metrics(req->db, acts[i].w.table, acts[i].w.key);
        if (!m)
            continue;
        list = json_object_get(all, acts[i].w.table->name);
        if (!list) {
            list = json_array();
            json_object_set_new(all, acts[i].w.table->name, list);
        }
        json_array_append_new(list, m);
    }
    if (json_object_size(all) == 0) {
        json_decref(all);
        return NULL;
    }
    return all;
}

/* The answer: {} with ConsumedCapacity and ItemCollectionMetrics when asked. A replay of an
 * earlier request by its token wrote nothing: as the API reference says, it reports the read
 * units of reading the items rather than the write units of the first call. */
static json_t *
tx_write_answer(struct awslet_req *req, struct tx_action *acts, size_t n, const char *cap_mode,
                const char *metrics_mode, bool replay)
{
    json_t *res = json_object(), *acc = json_object(), *v;

    if (!res || !acc)
        goto fail;
    if (cap_mode && strcmp(cap_mode, "NONE") != 0) {
        for (size_t i = 0; i < n; i++) {
            struct tx_action *x = &acts[i];
            size_t sz = x->old ? ddb_item_size(x->old) : 0;
            int rc;

            if (replay || x->w.kind == DDB_W_CHECK)
                rc = ddb_capacity_acc(acc, x->w.table->name,
                                      2 * ddb_read_units(sz, true), 0, NULL, 0);
            else
                rc = ddb_capacity_charge_write(acc, x->w.table, x->old, x->new_item, 2);
            if (rc != 0)
                goto fail;
        }
        v = ddb_capacity_list(acc, cap_mode, true);
        if (v)
            json_object_set_new(res, "ConsumedCapacity", v);
    }
    if (metrics_mode && strcmp(metrics_mode, "SIZE") == 0) {
        v = tx_collection_metrics(req, acts, n);
        if (v)
            json_object_set_new(res, "ItemCollectionMetrics", v);
    }
    json_decref(acc);
    return res;
fail:
    json_decref(res);
    json_decref(acc);
    return NULL;
}

/* Validate the top-level arguments and parse every action. 0, or -1 with the request failed. */
static int
tx_write_parse(struct awslet_req *req, const json_t *in, struct tx_action **out, size_t *n_out,
               const char **cap_mode, const char **metrics_mode, const char **token)
{
    struct ddb_args a;
    const json_t *items = json_object_get(in, "TransactItems"), *tok;
    struct tx_action *acts;
    size_t n, i;
    int *kinds;
    bool complete = true;

    ddb_args_init(&a, req);
    n = tx_items_arg(&a, in, "TransactWriteItem");
    *cap_mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                              tx_capacity_modes);
    *metrics_mode = ddb_args_enum(&a, in, "ReturnItemCollectionMetrics",
                                  "returnItemCollectionMetrics", tx_metrics_modes);
    tok = json_object_get(in, "ClientRequestToken");
    *token = json_string_value(tok);
    if (*token && (strlen(*token) < 1 || strlen(*token) > 36))
        ddb_args_add(&a, "Value '%s' at 'clientRequestToken' failed to satisfy constraint: "
                         "Member must have length %s",
                     *token, strlen(*token) < 1 ? "greater than or equal to 1"
                                                : "less than or equal to 36");
    kinds = n ? arena_calloc(&req->arena, n * sizeof(*kinds)) : NULL;
    if (n && !kinds) {
        ddb_args_done(&a);
        return awslet_fail_nomem(req), -1;
    }
    for (i = 0; i < n; i++) {
        bool ok = true;

        kinds[i] = tx_action_kind(&a, json_array_get(items, i), i, &ok);
        complete &= ok;
    }
    if (ddb_args_done(&a) != 0)
        return -1;
    for (i = 0; i < n; i++)
        if (kinds[i] < 0)
            return ddb_validation(req, "TransactItems can only contain one of Check, Put, Update "
                                       "or Delete"),
                   -1;

    acts = arena_calloc(&req->arena, n * sizeof(*acts));
    if (!acts)
        return awslet_fail_nomem(req), -1;
    *out = acts;
    *n_out = n;
    for (i = 0; i < n; i++) {
        const json_t *body = json_object_get(json_array_get(items, i), tx_kinds[kinds[i]].member);

        acts[i].parsed = true; /* released even when the parse fails */
        if (ddb_write_parse(req, req->db, tx_kinds[kinds[i]].kind, body, &acts[i].w) != 0)
            return ddb_batch_not_found(req);
        if (ddb_item_ref(&req->arena, acts[i].w.table, acts[i].w.key, &acts[i].ref) != 0)
            return awslet_fail_nomem(req), -1;
    }
    return 0;
}

/* The request-side size of the transaction: the items it puts and the keys it names. */
static size_t
tx_request_bytes(const struct tx_action *acts, size_t n)
{
    size_t total = 0;

    for (size_t i = 0; i < n; i++)
        total += ddb_item_size(acts[i].w.kind == DDB_W_PUT ? acts[i].w.item : acts[i].w.key);
    return total;
}

/* The items the transaction leaves or touches: new items for writes, the old one for a
 * Delete or a ConditionCheck. */
static size_t
tx_item_bytes(const struct tx_action *acts, size_t n)
{
    size_t total = 0;

    for (size_t i = 0; i < n; i++) {
        const json_t *it = acts[i].new_item ? acts[i].new_item : acts[i].old;

        total += it ? ddb_item_size(it) : 0;
    }
    return total;
}

/* Evaluate every condition against the items as they are. 0 when all hold, 1 when the
 * request was cancelled, -1 on an error (request failed). */
static int
tx_check_all(struct awslet_req *req, struct tx_action *acts, size_t n)
{
    json_t *reasons = json_array();
    bool failed = false;
    int r;

    if (!reasons)
        return awslet_fail_nomem(req), -1;
    for (size_t i = 0; i < n; i++) {
        struct tx_action *x = &acts[i];
        bool all_old = x->w.return_on_ccf && strcmp(x->w.return_on_ccf, "ALL_OLD") == 0;

        r = ddb_write_check(req, req->db, &x->w, &x->old);
        if (r < 0) {
            json_decref(reasons);
            return -1;
        }
        if (r == 0)
            failed = true;
        json_array_append_new(reasons, r ? ddb_transact_reason("None", NULL, NULL)
                                         : ddb_transact_reason("ConditionalCheckFailed",
                                                               "The conditional request failed",
                                                               all_old ? x->old : NULL));
    }
    if (!failed) {
        json_decref(reasons);
        return 0;
    }
    tx_cancel(req, reasons);
    return 1;
}

/* Apply every write. An action the change makes invalid (DynamoDB's ValidationError reasons)
 * cancels the request; the caller's AWSLET_ERR rolls back the writes already made.
 * 0, 1 when cancelled, -1 on an error. */
static int
tx_apply_all(struct awslet_req *req, struct tx_action *acts, size_t n)
{
    json_t *reasons = json_array();
    bool failed = false;

    if (!reasons)
        return awslet_fail_nomem(req), -1;
    for (size_t i = 0; i < n; i++) {
        struct tx_action *x = &acts[i];

        if (ddb_write_apply(req, req->db, &x->w, x->old, &x->new_item) == 0) {
            json_array_append_new(reasons, ddb_transact_reason("None", NULL, NULL));
            continue;
        }
        if (req->err != &ERR_VALIDATION) {
            json_decref(reasons);
            return -1;
        }
        failed = true;
        json_array_append_new(reasons, ddb_transact_reason("ValidationError", req->err_msg, NULL));
    }
    if (!failed) {
        json_decref(reasons);
        return 0;
    }
    tx_cancel(req, reasons);
    return 1;
}

/* TransactWriteItems: up to 100 Put / Update / Delete / ConditionCheck actions, all or none.
 * in: TransactItems, ReturnConsumedCapacity?, ReturnItemCollectionMetrics?,
 * ClientRequestToken?   out: ConsumedCapacity?, ItemCollectionMetrics? */
enum awslet_rc
ddb_transact_write_items(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct tx_action *acts = NULL;
    size_t n = 0, i;
    const char *cap_mode = NULL, *metrics_mode = NULL, *token = NULL;
    struct ddb_item_ref *refs;
    char digest[65];
    long long now = clock_now_ms();
    enum awslet_rc rc = AWSLET_ERR;
    int r;

    if (tx_write_parse(req, in, &acts, &n, &cap_mode, &metrics_mode, &token) != 0)
        goto out;
    refs = arena_alloc(&req->arena, n * sizeof(*refs));
    if (!refs) {
        awslet_fail_nomem(req);
        goto out;
    }
    for (i = 0; i < n; i++)
        refs[i] = acts[i].ref;
    if (ddb_item_refs_duplicate(refs, (unsigned)n) >= 0) {
        ddb_validation(req, "Transaction request cannot include multiple operations on one item");
        goto out;
    }
    if (tx_request_bytes(acts, n) > TX_MAX_BYTES) {
        ddb_validation(req, TX_TOO_BIG);
        goto out;
    }

    if (token) {
        if (ddb_transact_digest(in, digest) != 0) {
            awslet_fail_nomem(req);
            goto out;
        }
        r = tx_token_find(req, token, digest, now);
        if (r < 0)
            goto out;
        if (r == 1) {
            /* The same request again: it succeeded before, so succeed without writing. */
            int err = 0;

            for (i = 0; i < n && !err; i++)
                acts[i].old = ddb_item_load(req->db, acts[i].w.table, acts[i].w.key, &err);
            if (err) {
                tx_db_fail(req, NULL, "read a transaction's items");
                goto out;
            }
            *out = tx_write_answer(req, acts, n, cap_mode, metrics_mode, true);
            rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
            goto out;
        }
    }

    if (tx_check_all(req, acts, n) != 0 || tx_apply_all(req, acts, n) != 0)
        goto out;
    /* Updates make items whose size only now is known; AWSLET_ERR undoes the writes. */
    if (tx_item_bytes(acts, n) > TX_MAX_BYTES) {
        ddb_validation(req, TX_TOO_BIG);
        goto out;
    }
    if (token && tx_token_store(req, token, digest, now) != 0)
        goto out;
    *out = tx_write_answer(req, acts, n, cap_mode, metrics_mode, false);
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    for (i = 0; i < n; i++) {
        if (acts[i].parsed)
            ddb_write_release(&acts[i].w);
        json_decref(acts[i].old);
        json_decref(acts[i].new_item);
    }
    return rc;
}

/* ---- TransactGetItems ----------------------------------------------------------------------- */

struct tx_get {
    struct ddb_write key;            /* the table and the validated key (a parsed Delete) */
    bool parsed;           /* ddb_write_parse() was called: release w */
    struct ddb_projection *proj;     /* or NULL: the whole item */
    struct ddb_expr_ctx ctx;
    bool ctx_init;
};

/* Parse one Get: the key through the shared write path (so its checks and messages are
 * GetItem's), the projection with its names. 0 or -1 (request failed). */
static int
tx_get_parse(struct awslet_req *req, const json_t *get, struct tx_get *g)
{
    const json_t *names = json_object_get(get, "ExpressionAttributeNames");
    const char *pe = json_string_value(json_object_get(get, "ProjectionExpression"));
    json_t *kin;
    int rc;

    kin = json_pack("{s:O, s:O}", "TableName", json_object_get(get, "TableName"), "Key",
                    json_object_get(get, "Key"));
    if (!kin)
        return awslet_fail_nomem(req), -1;
    g->parsed = true; /* released even when the parse fails */
    rc = ddb_write_parse(req, req->db, DDB_W_DELETE, kin, &g->key);
    json_decref(kin);
    if (rc != 0)
        return ddb_batch_not_found(req);
    ddb_expr_ctx_init(&g->ctx, &req->arena, json_is_object(names) ? names : NULL, NULL);
    g->ctx_init = true;
    if (pe) {
        g->proj = ddb_expr_parse_projection(&g->ctx, pe);
        if (!g->proj)
            return ddb_validation(req, "%s", g->ctx.err), -1;
    }
    if (ddb_expr_check_unused(&g->ctx, pe != NULL) != 0)
        return ddb_validation(req, "%s", g->ctx.err), -1;
    return 0;
}

/* TransactGetItems: up to 100 Gets read as one snapshot; Responses in request order, {} for
 * an item that does not exist.
 * in: TransactItems, ReturnConsumedCapacity?   out: Responses, ConsumedCapacity? */
enum awslet_rc
ddb_transact_get_items(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct ddb_args a;
    const json_t *items = json_object_get(in, "TransactItems");
    const char *cap_mode;
    struct tx_get *gets = NULL;
    struct ddb_item_ref *refs;
    json_t *responses = NULL, *acc = NULL, *item, *v;
    size_t n, i, total = 0;
    bool in_tx = false;
    enum awslet_rc rc = AWSLET_ERR;
    int err = 0;

    ddb_args_init(&a, req);
    n = tx_items_arg(&a, in, "TransactGetItem");
    cap_mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                             tx_capacity_modes);
    for (i = 0; i < n; i++)
        if (tx_required(&a, json_array_get(items, i), i, "", "Get", "get")) {
            const json_t *get = json_object_get(json_array_get(items, i), "Get");

            tx_required(&a, get, i, "get", "TableName", "tableName");
            tx_required(&a, get, i, "get", "Key", "key");
        }
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;

    gets = arena_calloc(&req->arena, n * sizeof(*gets));
    refs = arena_calloc(&req->arena, n * sizeof(*refs));
    if (!gets || !refs)
        return awslet_fail_nomem(req);
    for (i = 0; i < n; i++) {
        if (tx_get_parse(req, json_object_get(json_array_get(items, i), "Get"), &gets[i]) != 0)
            goto out;
        if (ddb_item_ref(&req->arena, gets[i].key.table, gets[i].key.key, &refs[i]) != 0) {
            awslet_fail_nomem(req);
            goto out;
        }
    }
    if (ddb_item_refs_duplicate(refs, (unsigned)n) >= 0) {
        ddb_validation(req, "Transaction request cannot include multiple operations on one item");
        goto out;
    }

    responses = json_array();
    acc = json_object();
    if (!responses || !acc) {
        awslet_fail_nomem(req);
        goto out;
    }
    /* One read transaction: every Get sees the same committed state. */
    if (sqlite3_get_autocommit(req->db)) {
        if (store_exec(req->db, "BEGIN") != 0) {
            tx_db_fail(req, NULL, "begin a read transaction");
            goto out;
        }
        in_tx = true;
    }
    for (i = 0; i < n; i++) {
        size_t sz;

        item = ddb_item_load(req->db, gets[i].key.table, gets[i].key.key, &err);
        if (err) {
            tx_db_fail(req, NULL, "read a transaction's items");
            goto out;
        }
        sz = item ? ddb_item_size(item) : 0;
        total += sz;
        ddb_capacity_acc(acc, gets[i].key.table->name, 2 * ddb_read_units(sz, true), 0,
                         NULL, 0);
        if (item && gets[i].proj) {
            v = ddb_expr_project(gets[i].proj, item);
            json_decref(item);
            item = v;
        }
        json_array_append_new(responses, item ? json_pack("{s:o}", "Item", item) : json_object());
    }
    if (total > TX_MAX_BYTES) {
        ddb_validation(req, TX_TOO_BIG);
        goto out;
    }
    *out = json_pack("{s:O}", "Responses", responses);
    if (*out && (v = ddb_capacity_list(acc, cap_mode, true)))
        json_object_set_new(*out, "ConsumedCapacity", v);
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    if (in_tx)
        store_exec(req->db, "COMMIT");
    for (i = 0; gets && i < n; i++) {
        if (gets[i].parsed)
            ddb_write_release(&gets[i].key);
        if (gets[i].ctx_init)
            ddb_expr_ctx_release(&gets[i].ctx);
    }
    json_decref(responses);
    json_decref(acc);
    return rc;
}
