/* ddb_item.c: PutItem, GetItem, UpdateItem, DeleteItem, and the one-item write they share
 * with BatchWriteItem and TransactWriteItems (parse, check the condition, apply).
 *
 * A request is judged in DynamoDB's order: the members' constraints (all reported at once),
 * the attribute values, mixing of legacy and expression parameters, the expressions and
 * their unused names and values, then the table and the key against its schema. Values are
 * normalized in place inside the request's own input (numbers to their canonical text), which
 * saves copying every item. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

static const char *const item_return_values[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD",
                                                 "NONE",    "UPDATED_NEW", NULL};
static const char *const item_rcc[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const item_ricm[] = {"SIZE", "NONE", NULL};
static const char *const item_cond_op[] = {"OR", "AND", NULL};
static const char *const item_rv_ccf[] = {"ALL_OLD", "NONE", NULL};

static const char *
item_str(const json_t *in, const char *member)
{
    return json_string_value(json_object_get(in, member));
}

/* ---- shared request checks ---------------------------------------------------------------- */

int
ddb_values_check(struct awslet_req *req, const json_t *values)
{
    const char *k;
    json_t *v;
    char err[512];

    if (!values)
        return 0;
    /* Normalized in place: the request's input is ours for the request's lifetime. */
    json_object_foreach((json_t *)values, k, v)
    {
        if (ddb_value_check(v, err, sizeof(err)) != 0) {
            ddb_validation(req, "ExpressionAttributeValues contains invalid value: %s for key %s",
                           err, k);
            return -1;
        }
    }
    return 0;
}

static int
item_join_present(struct buf *b, const json_t *in, const char *const *names)
{
    int n = 0;
    for (; *names; names++) {
        if (!json_object_get(in, *names) || json_is_null(json_object_get(in, *names)))
            continue;
        if ((n++ && buf_puts(b, ", ")) || buf_puts(b, *names))
            return -1;
    }
    return n;
}

int
ddb_mixing_check(struct awslet_req *req, const json_t *in, const char *const *legacy,
                 const char *const *expressions)
{
    struct buf l, e;
    int nl, ne, rc = 0;

    buf_init(&l, 1024);
    buf_init(&e, 1024);
    nl = item_join_present(&l, in, legacy);
    ne = item_join_present(&e, in, expressions);
    if (nl < 0 || ne < 0) {
        awslet_fail_nomem(req);
        rc = -1;
    } else if (nl > 0 && ne > 0) {
        ddb_validation(req,
                       "Can not use both expression and non-expression parameters in the same "
                       "request: Non-expression parameters: {%s} Expression parameters: {%s}",
                       l.data, e.data);
        rc = -1;
    }
    buf_release(&l);
    buf_release(&e);
    return rc;
}

int
ddb_table_usable(struct awslet_req *req, const struct ddb_table *t)
{
    /* AWS answers data-plane requests on a table still being created or already being
     * deleted as if it did not exist (without naming it). UPDATING tables serve normally. */
    if (t->status && (strcmp(t->status, "CREATING") == 0 || strcmp(t->status, "DELETING") == 0)) {
        awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND, "Requested resource not found");
        return -1;
    }
    return 0;
}

int
ddb_table_for_data(struct awslet_req *req, sqlite3 *db, const char *name, struct ddb_table **out)
{
    if (ddb_table_get(req, db, name, out) != 0) {
        /* The data plane does not name the table it cannot find (DescribeTable does). */
        if (req->err == &ERR_DDB_RESOURCE_NOT_FOUND)
            awslet_fail(req, &ERR_DDB_RESOURCE_NOT_FOUND, "Requested resource not found");
        return -1;
    }
    return ddb_table_usable(req, *out);
}

/* ---- keys and items against the schema ----------------------------------------------------- */

/* The key-type name of a value ("S", "SS", "M", ...) for messages. */
static const char *
item_type_name(const json_t *av)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)av, k, v)
    {
        (void)v;
        return k;
    }
    return "";
}

/* An empty S or B key value: its word in DynamoDB's message, else NULL. */
static const char *
item_empty_key(const json_t *av)
{
    const json_t *p = ddb_value_payload(av);
    if (!json_is_string(p) || json_string_length(p) != 0)
        return NULL;
    return ddb_type_of(av) == DDB_B ? "binary" : "string";
}

static int
item_key_sizes(struct awslet_req *req, const struct ddb_table *t, const json_t *obj)
{
    const json_t *h = json_object_get(obj, t->key.hash);
    const json_t *r = t->key.range ? json_object_get(obj, t->key.range) : NULL;

    if (h && ddb_key_size(h) > DDB_MAX_PARTITION_KEY_BYTES) {
        ddb_validation(req, "One or more parameter values were invalid: Size of hashkey has "
                            "exceeded the maximum size limit of2048 bytes");
        return -1;
    }
    if (r && ddb_key_size(r) > DDB_MAX_SORT_KEY_BYTES) {
        ddb_validation(req, "One or more parameter values were invalid: Aggregated size of all "
                            "range keys has exceeded the size limit of 1024 bytes");
        return -1;
    }
    return 0;
}

/* A Key parameter: exactly the table's key attributes with their types. */
static int
item_key_check(struct awslet_req *req, const struct ddb_table *t, const json_t *key)
{
    const char *names[2] = {t->key.hash, t->key.range};
    const char *types[2] = {t->key.hash_type, t->key.range_type};
    unsigned n = t->key.range ? 2 : 1;
    const char *empty;

    if (json_object_size(key) != n)
        goto mismatch;
    for (unsigned i = 0; i < n; i++) {
        const json_t *av = json_object_get(key, names[i]);
        if (!av || !json_object_get(av, types[i]))
            goto mismatch;
    }
    for (unsigned i = 0; i < n; i++) {
        if ((empty = item_empty_key(json_object_get(key, names[i])))) {
            ddb_validation(req,
                           "One or more parameter values are not valid. The AttributeValue for "
                           "a key attribute cannot contain an empty %s value. Key: %s",
                           empty, names[i]);
            return -1;
        }
    }
    return item_key_sizes(req, t, key);
mismatch:
    ddb_validation(req, "The provided key element does not match the schema");
    return -1;
}

static int
item_index_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct ddb_index *const *)a)->name,
                  (*(const struct ddb_index *const *)b)->name);
}

/* A whole item about to be stored: the table's key attributes present and typed, secondary
 * index key attributes (where present) typed and not empty, and the size limit. updated: the
 * item came out of UpdateItem, whose messages differ. */
static int
item_check_stored(struct awslet_req *req, const struct ddb_table *t, const json_t *item,
                  bool updated)
{
    const char *names[2] = {t->key.hash, t->key.range};
    const char *types[2] = {t->key.hash_type, t->key.range_type};
    const struct ddb_index *order[64];
    unsigned n_order = 0;
    const char *empty;

    for (unsigned i = 0; i < 2 && names[i]; i++) {
        const json_t *av = json_object_get(item, names[i]);
        if (!av) {
            ddb_validation(req,
                           "One or more parameter values were invalid: Missing the key %s "
                           "in the item",
                           names[i]);
            return -1;
        }
        if (!json_object_get(av, types[i])) {
            ddb_validation(req,
                           "One or more parameter values were invalid: Type mismatch for "
                           "key %s expected: %s actual: %s",
                           names[i], types[i], item_type_name(av));
            return -1;
        }
        if ((empty = item_empty_key(av))) {
            ddb_validation(req,
                           "One or more parameter values are not valid. The AttributeValue for "
                           "a key attribute cannot contain an empty %s value. Key: %s",
                           empty, names[i]);
            return -1;
        }
    }
    if (item_key_sizes(req, t, item) != 0)
        return -1;

    /* DynamoDB reports the first offending index in name order. */
    for (unsigned i = 0; i < t->n_indexes && n_order < 64; i++)
        order[n_order++] = &t->indexes[i];
    qsort(order, n_order, sizeof(order[0]), item_index_cmp);
    for (unsigned i = 0; i < n_order; i++) {
        const struct ddb_index *ix = order[i];
        const char *inames[2] = {ix->key.hash, ix->key.range};
        const char *itypes[2] = {ix->key.hash_type, ix->key.range_type};
        for (unsigned k = 0; k < 2 && inames[k]; k++) {
            const json_t *av = json_object_get(item, inames[k]);
            if (!av)
                continue;
            if (!json_object_get(av, itypes[k])) {
                ddb_validation(req,
                               "One or more parameter values were invalid: Type mismatch "
                               "for Index Key %s Expected: %s Actual: %s IndexName: %s",
                               inames[k], itypes[k], item_type_name(av), ix->name);
                return -1;
            }
            if ((empty = item_empty_key(av))) {
                if (updated)
                    ddb_validation(req,
                                   "One or more parameter values are not valid. The "
                                   "update expression attempted to update a secondary "
                                   "index key to a value that is not supported. The "
                                   "AttributeValue for a key attribute cannot contain an "
                                   "empty %s value.",
                                   empty);
                else
                    ddb_validation(req,
                                   "One or more parameter values are not valid. A value "
                                   "specified for a secondary index key is not supported. "
                                   "The AttributeValue for a key attribute cannot contain "
                                   "an empty %s value. IndexName: %s, IndexKey: %s",
                                   empty, ix->name, inames[k]);
                return -1;
            }
        }
    }
    if (ddb_item_size(item) > DDB_MAX_ITEM_BYTES) {
        ddb_validation(req, updated ? "Item size to update has exceeded the maximum allowed size"
                                    : "Item size has exceeded the maximum allowed size");
        return -1;
    }
    return 0;
}

/* The table's key attributes of item (already checked) as a new object. */
static json_t *
item_key_of(const struct ddb_table *t, const json_t *item)
{
    json_t *key = json_object();
    if (!key)
        return NULL;
    if (json_object_set(key, t->key.hash, json_object_get(item, t->key.hash)) ||
        (t->key.range && json_object_set(key, t->key.range, json_object_get(item, t->key.range)))) {
        json_decref(key);
        return NULL;
    }
    return key;
}

/* ---- the shared write ---------------------------------------------------------------------- */

static const char *const item_put_legacy[] = {"Expected", "ConditionalOperator", NULL};
static const char *const item_put_expr[] = {"ConditionExpression", NULL};
static const char *const item_update_legacy[] = {"AttributeUpdates", "Expected",
                                                 "ConditionalOperator", NULL};
static const char *const item_update_expr[] = {"UpdateExpression", "ConditionExpression", NULL};

static int
item_fail_expr(struct awslet_req *req, struct ddb_expr_ctx *ctx)
{
    ddb_validation(req, "%s", ctx->err);
    return -1;
}

int
ddb_write_parse(struct awslet_req *req, sqlite3 *db, enum ddb_write_kind kind, const json_t *in,
                struct ddb_write *w)
{
    struct ddb_args a;
    const char *table, *rv, *cond_text, *upd_text;
    const char *obj_member = kind == DDB_W_PUT ? "Item" : "Key";
    json_t *obj = json_object_get(in, obj_member);
    const json_t *names = json_object_get(in, "ExpressionAttributeNames");
    const json_t *values = json_object_get(in, "ExpressionAttributeValues");
    char err[512];

    memset(w, 0, sizeof(*w));
    w->kind = kind;
    w->return_values = "NONE";
    w->return_on_ccf = "NONE";
    /* The values are checked below, before any expression looks at them. */
    ddb_expr_ctx_init(&w->ctx, &req->arena, names, values);

    ddb_args_init(&a, req);
    table = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (!json_is_object(obj))
        ddb_args_add(&a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     kind == DDB_W_PUT ? "item" : "key");
    rv = ddb_args_enum(&a, in, "ReturnValues", "returnValues", item_return_values);
    ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", item_rcc);
    ddb_args_enum(&a, in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", item_ricm);
    ddb_args_enum(&a, in, "ConditionalOperator", "conditionalOperator", item_cond_op);
    if (ddb_args_enum(&a, in, "ReturnValuesOnConditionCheckFailure",
                      "returnValuesOnConditionCheckFailure", item_rv_ccf))
        w->return_on_ccf = item_str(in, "ReturnValuesOnConditionCheckFailure");
    if (ddb_args_done(&a) != 0)
        return -1;
    if (rv) {
        if ((kind == DDB_W_PUT || kind == DDB_W_DELETE) && strcmp(rv, "NONE") != 0 &&
            strcmp(rv, "ALL_OLD") != 0) {
            ddb_validation(req, "ReturnValues can only be ALL_OLD or NONE");
            return -1;
        }
        w->return_values = rv;
    }

    /* The values, normalized in place. */
    if (kind == DDB_W_PUT) {
        if (ddb_item_check(obj, err, sizeof(err)) != 0) {
            ddb_validation(req, "%s", err);
            return -1;
        }
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(obj, k, v)
        {
            if (ddb_value_check(v, err, sizeof(err)) != 0) {
                ddb_validation(req, "%s", err);
                return -1;
            }
        }
    }
    if (ddb_values_check(req, values) != 0)
        return -1;

    /* The expressions (or their legacy forms). */
    if (kind == DDB_W_UPDATE ? ddb_mixing_check(req, in, item_update_legacy, item_update_expr)
                             : ddb_mixing_check(req, in, item_put_legacy, item_put_expr))
        return -1;
    cond_text = item_str(in, "ConditionExpression");
    upd_text = kind == DDB_W_UPDATE ? item_str(in, "UpdateExpression") : NULL;
    if (upd_text) {
        if (!(w->update = ddb_expr_parse_update(&w->ctx, upd_text)))
            return item_fail_expr(req, &w->ctx);
    } else if (kind == DDB_W_UPDATE && json_object_get(in, "AttributeUpdates")) {
        if (!(w->update =
                  ddb_legacy_attribute_updates(&w->ctx, json_object_get(in, "AttributeUpdates"))))
            return item_fail_expr(req, &w->ctx);
    }
    if (cond_text) {
        if (!(w->condition = ddb_expr_parse_condition(&w->ctx, DDB_EXPR_CONDITION, cond_text)))
            return item_fail_expr(req, &w->ctx);
    } else if (json_object_get(in, "Expected")) {
        if (!(w->condition = ddb_legacy_expected(&w->ctx, json_object_get(in, "Expected"),
                                                 item_str(in, "ConditionalOperator"))))
            return item_fail_expr(req, &w->ctx);
    } else if (item_str(in, "ConditionalOperator")) {
        ddb_validation(req, "ConditionalOperator cannot be used without Filter or Expected");
        return -1;
    }
    if (ddb_expr_check_unused(&w->ctx, cond_text || upd_text) != 0)
        return item_fail_expr(req, &w->ctx);

    /* The table and the key. */
    if (ddb_table_for_data(req, db, table, &w->table) != 0)
        return -1;
    if (kind == DDB_W_PUT) {
        if (item_check_stored(req, w->table, obj, false) != 0)
            return -1;
        w->item = json_incref(obj);
        w->key = item_key_of(w->table, obj);
    } else {
        if (item_key_check(req, w->table, obj) != 0)
            return -1;
        w->key = json_incref(obj);
    }
    if (!w->key) {
        awslet_fail_nomem(req);
        return -1;
    }
    return 0;
}

int
ddb_write_check(struct awslet_req *req, sqlite3 *db, struct ddb_write *w, json_t **old)
{
    int err, rc;

    *old = ddb_item_load(db, w->table, w->key, &err);
    if (err) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    if (!w->condition)
        return 1;
    rc = ddb_expr_eval(&w->ctx, w->condition, *old);
    if (rc < 0)
        return item_fail_expr(req, &w->ctx);
    return rc;
}

int
ddb_write_apply(struct awslet_req *req, sqlite3 *db, struct ddb_write *w, const json_t *old,
                json_t **new_item)
{
    json_t *item = NULL;

    *new_item = NULL;
    switch (w->kind) {
    case DDB_W_CHECK:
        return 0;
    case DDB_W_PUT:
        item = json_incref(w->item);
        break;
    case DDB_W_DELETE:
        break;
    case DDB_W_UPDATE:
        /* UpdateItem creates the item when there is none, starting from its key. */
        item = json_deep_copy(old ? old : w->key);
        if (!item) {
            awslet_fail_nomem(req);
            return -1;
        }
        if (w->update && ddb_expr_apply_update(&w->ctx, w->update, item, w->table->key.hash,
                                               w->table->key.range) != 0) {
            json_decref(item);
            return item_fail_expr(req, &w->ctx);
        }
        if (item_check_stored(req, w->table, item, true) != 0) {
            json_decref(item);
            return -1;
        }
        break;
    }
    if (ddb_item_store(db, w->table, old, item, NULL) != 0) {
        json_decref(item);
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    *new_item = item;
    return 0;
}

void
ddb_write_release(struct ddb_write *w)
{
    json_decref(w->key);
    json_decref(w->item);
    ddb_expr_ctx_release(&w->ctx);
    w->key = w->item = NULL;
}

/* ---- answers ------------------------------------------------------------------------------- */

/* The attributes an update touched, as they are in item (UPDATED_OLD / UPDATED_NEW). */
static json_t *
item_updated_attrs(struct awslet_req *req, const struct ddb_update *u, const json_t *item)
{
    struct ddb_projection p;

    if (!u || !item || !u->n)
        return NULL;
    p.n = u->n;
    p.paths = arena_alloc(&req->arena, sizeof(*p.paths) * u->n);
    if (!p.paths)
        return NULL;
    for (unsigned i = 0; i < u->n; i++)
        p.paths[i] = u->a[i].path;
    return ddb_expr_project(&p, item);
}

static int
item_set_attributes(json_t *out, json_t *attrs)
{
    if (!attrs)
        return 0;
    if (json_object_size(attrs) == 0) {
        json_decref(attrs);
        return 0; /* DynamoDB leaves Attributes out rather than sending {} */
    }
    return json_object_set_new(out, "Attributes", attrs);
}

/* Write units for one change of one row (the larger of before and after). */
static double
item_change_units(const json_t *old, const json_t *new_item)
{
    size_t a = old ? ddb_item_size(old) : 0, b = new_item ? ddb_item_size(new_item) : 0;
    return ddb_write_units(a > b ? a : b);
}

/* What each secondary index was charged for the change, into gsi or lsi ({name: units}):
 * nothing if its entry did not change, one write to add, remove or rewrite it, two when its
 * index key moved. */
static void
item_index_units(const struct ddb_table *t, const json_t *old, const json_t *new_item, json_t *gsi,
                 json_t *lsi)
{
    for (unsigned i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        json_t *o = old ? ddb_index_project(t, ix, old) : NULL;
        json_t *n = new_item ? ddb_index_project(t, ix, new_item) : NULL;
        double u = 0;

        if (o && n) {
            bool moved = !ddb_value_equal(json_object_get(o, ix->key.hash),
                                          json_object_get(n, ix->key.hash)) ||
                         (ix->key.range && !ddb_value_equal(json_object_get(o, ix->key.range),
                                                            json_object_get(n, ix->key.range)));
            if (moved)
                u = ddb_write_units(ddb_item_size(o)) + ddb_write_units(ddb_item_size(n));
            else if (!ddb_item_equal(o, n))
                u = item_change_units(o, n);
        } else if (o || n) {
            u = ddb_write_units(ddb_item_size(o ? o : n));
        }
        json_decref(o);
        json_decref(n);
        if (u > 0)
            json_object_set_new(ix->global ? gsi : lsi, ix->name, json_real(u));
    }
}

static int
item_capacity_write(json_t *out, const json_t *in, const struct ddb_table *t, const json_t *old,
                    const json_t *new_item)
{
    const char *mode = item_str(in, "ReturnConsumedCapacity");
    json_t *gsi, *lsi, *cc;
    double units;

    if (!mode || strcmp(mode, "NONE") == 0)
        return 0;
    gsi = json_object();
    lsi = json_object();
    if (!gsi || !lsi) {
        json_decref(gsi);
        json_decref(lsi);
        return -1;
    }
    item_index_units(t, old, new_item, gsi, lsi);
    /* A write that changes nothing still costs what the item's size says. */
    units = item_change_units(old, new_item);
    cc = ddb_capacity_split(mode, t->name, units, false, gsi, lsi);
    json_decref(gsi);
    json_decref(lsi);
    return cc ? json_object_set_new(out, "ConsumedCapacity", cc) : 0;
}

/* ReturnItemCollectionMetrics SIZE, for tables with local secondary indexes: the collection
 * (every item sharing the partition key, with their LSI entries) and DynamoDB's estimate of
 * its size as a 1 GB range. */
static int
item_collection_metrics(json_t *out, sqlite3 *db, const json_t *in, const struct ddb_table *t,
                        const json_t *key)
{
    static const char base_sql[] = "SELECT total(size) FROM ddb_items WHERE tid = ?1 AND pk = ?2";
    static const char lsi_sql[] = "SELECT total(size) FROM ddb_index_items"
                                  " WHERE tid = ?1 AND iname = ?2 AND pk = ?3";
    const char *mode = item_str(in, "ReturnItemCollectionMetrics");
    bool has_lsi = false;
    struct buf pk, sk;
    double bytes = 0, gb;
    sqlite3_stmt *st;
    json_t *m;

    for (unsigned i = 0; i < t->n_indexes; i++)
        has_lsi |= !t->indexes[i].global;
    if (!mode || strcmp(mode, "SIZE") != 0 || !has_lsi)
        return 0;
    buf_init(&pk, 8192);
    buf_init(&sk, 8192);
    if (ddb_key_encode(&t->key, key, &pk, &sk) != 0)
        goto done;
    if ((st = store_stmt(db, base_sql))) {
        sqlite3_bind_int64(st, 1, t->id);
        sqlite3_bind_blob(st, 2, pk.data, (int)pk.len, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            bytes += sqlite3_column_double(st, 0);
        sqlite3_reset(st);
    }
    for (unsigned i = 0; i < t->n_indexes; i++) {
        if (t->indexes[i].global || !(st = store_stmt(db, lsi_sql)))
            continue;
        sqlite3_bind_int64(st, 1, t->id);
        sqlite3_bind_text(st, 2, t->indexes[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, pk.data, (int)pk.len, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            bytes += sqlite3_column_double(st, 0);
        sqlite3_reset(st);
    }
done:
    buf_release(&pk);
    buf_release(&sk);
    gb = floor(bytes / (1024.0 * 1024.0 * 1024.0));
    m = json_pack("{s:{s:O}, s:[f, f]}", "ItemCollectionKey", t->key.hash,
                  json_object_get(key, t->key.hash), "SizeEstimateRangeGB", gb, gb + 1.0);
    return m ? json_object_set_new(out, "ItemCollectionMetrics", m) : -1;
}

/* ConditionalCheckFailedException, with the item when the caller asked for it. */
static enum awslet_rc
item_condition_failed(struct awslet_req *req, const struct ddb_write *w, const json_t *old)
{
    if (old && strcmp(w->return_on_ccf, "ALL_OLD") == 0) {
        json_decref(req->err_extra);
        req->err_extra = json_pack("{s:O}", "Item", old);
    }
    return awslet_fail(req, &ERR_DDB_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

/* Whether a write can go ahead without the current item: a PutItem with no condition that
 * returns nothing of the old item and reports no capacity (its size depends on the old item),
 * on a table where no index row or stream record depends on what it replaces. */
static bool
item_blind_put(const struct ddb_write *w, const json_t *in)
{
    const char *rcc = item_str(in, "ReturnConsumedCapacity");

    return w->kind == DDB_W_PUT && !w->condition && strcmp(w->return_values, "NONE") == 0 &&
           (!rcc || strcmp(rcc, "NONE") == 0) && w->table->n_indexes == 0 && !w->table->stream_id;
}

/* PutItem, UpdateItem and DeleteItem: parse, check, apply, answer. */
static enum awslet_rc
item_write(struct awslet_req *req, enum ddb_write_kind kind, const json_t *in, json_t **out)
{
    struct ddb_write w;
    json_t *old = NULL, *new_item = NULL, *res = NULL;
    enum awslet_rc rc = AWSLET_ERR;
    const char *rv;
    int ok;

    if (ddb_write_parse(req, req->db, kind, in, &w) != 0)
        goto out;
    /* A plain PutItem on a table without indexes or stream needs nothing of the item it
     * replaces, so it skips reading it: the write is the same, and it is the common case. */
    if (item_blind_put(&w, in))
        ok = 1;
    else
        ok = ddb_write_check(req, req->db, &w, &old);
    if (ok < 0)
        goto out;
    if (ok == 0) {
        item_condition_failed(req, &w, old);
        goto out;
    }
    if (ddb_write_apply(req, req->db, &w, old, &new_item) != 0)
        goto out;

    if (!(res = json_object()))
        goto nomem;
    rv = w.return_values;
    if (strcmp(rv, "ALL_OLD") == 0 && old)
        ok = item_set_attributes(res, json_incref(old));
    else if (strcmp(rv, "ALL_NEW") == 0 && new_item)
        ok = item_set_attributes(res, json_incref(new_item));
    else if (strcmp(rv, "UPDATED_OLD") == 0)
        ok = item_set_attributes(res, item_updated_attrs(req, w.update, old));
    else if (strcmp(rv, "UPDATED_NEW") == 0)
        ok = item_set_attributes(res, item_updated_attrs(req, w.update, new_item));
    else
        ok = 0;
    if (ok != 0 || item_capacity_write(res, in, w.table, old, new_item) != 0 ||
        item_collection_metrics(res, req->db, in, w.table, w.key) != 0)
        goto nomem;
    *out = res;
    res = NULL;
    rc = AWSLET_OK;
    goto out;
nomem:
    rc = awslet_fail_nomem(req);
out:
    json_decref(res);
    json_decref(old);
    json_decref(new_item);
    ddb_write_release(&w);
    return rc;
}

/* PutItem: create or replace one item. in: TableName, Item, ConditionExpression | Expected,
 * ReturnValues (NONE | ALL_OLD), ...   out: Attributes?, ConsumedCapacity?, ItemCollectionMetrics?
 */
enum awslet_rc
ddb_put_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    return item_write(req, DDB_W_PUT, in, out);
}

/* UpdateItem: edit an item's attributes, creating the item if there is none. */
enum awslet_rc
ddb_update_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    return item_write(req, DDB_W_UPDATE, in, out);
}

/* DeleteItem: remove one item (deleting an absent item succeeds). */
enum awslet_rc
ddb_delete_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    return item_write(req, DDB_W_DELETE, in, out);
}

/* ---- GetItem ------------------------------------------------------------------------------- */

static const char *const item_get_legacy[] = {"AttributesToGet", NULL};
static const char *const item_get_expr[] = {"ProjectionExpression", NULL};

/* GetItem's common case (no projection): the answer is {"Item":<stored text>} plus its other
 * members, with the item spliced in as stored: its text is json_dumps(item, JSON_COMPACT)
 * (ddb_store.c), what parsing and encoding it again would give. 1 and req->json_body set, 0
 * when there is no such item (nothing set), -1 on a store error. */
static int
item_get_raw(struct awslet_req *req, const struct ddb_table *t, const json_t *key, json_t *res,
             const char *mode, bool consistent, bool items_shape)
{
    static const char sql[] =
        "SELECT item, size FROM ddb_items WHERE tid = ?1 AND pk = ?2 AND sk = ?3";
    struct buf pk, sk, b;
    sqlite3_stmt *st;
    char *rest = NULL;
    int rc = 0, step;

    buf_init(&pk, 8192);
    buf_init(&sk, 8192);
    buf_init(&b, SIZE_MAX - 1);
    if (ddb_key_encode(&t->key, key, &pk, &sk) != 0)
        goto out; /* no such key can be stored */
    if (!(st = store_stmt(req->db, sql))) {
        rc = -1;
        goto out;
    }
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_blob(st, 2, pk.len ? pk.data : "", (int)pk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, sk.len ? sk.data : "", (int)sk.len, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (mode && strcmp(mode, "NONE") != 0) {
            json_t *cc = ddb_capacity(
                mode, t->name, ddb_read_units((size_t)sqlite3_column_int64(st, 1), consistent),
                true, NULL);
            if (cc && json_object_set_new(res, "ConsumedCapacity", cc) != 0)
                rc = -1;
        }
        rest = rc == 0 ? json_dumps(res, JSON_COMPACT) : NULL;
        if (!rest || buf_puts(&b, items_shape ? "{\"Items\":[" : "{\"Item\":") ||
            buf_append(&b, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) ||
            (items_shape && buf_puts(&b, "]")) ||
            buf_puts(&b, json_object_size(res) ? "," : "}") ||
            (json_object_size(res) && buf_puts(&b, rest + 1))) {
            rc = -1;
        } else {
            free(req->json_body);
            req->json_body_len = b.len;
            req->json_body = buf_steal(&b);
            rc = 1;
        }
    } else if (step != SQLITE_DONE) {
        log_error("dynamodb: cannot read item: %s", sqlite3_errmsg(req->db));
        rc = -1;
    }
    sqlite3_reset(st);
out:
    free(rest);
    buf_release(&pk);
    buf_release(&sk);
    buf_release(&b);
    return rc;
}

/* How an answer is given: GetItem's own, spliced (GET_SPLICE) or not (GET_PLAIN), or
 * ExecuteStatement's Items list, spliced (GET_ITEMS). */
enum item_get_shape { GET_SPLICE, GET_PLAIN, GET_ITEMS };

static enum awslet_rc item_get(struct awslet_req *req, const json_t *in, json_t **out,
                               enum item_get_shape shape);

/* GetItem: one item by its key, projected if asked.
 * in: TableName, Key, ConsistentRead?, ProjectionExpression | AttributesToGet,
 * ExpressionAttributeNames?, ReturnConsumedCapacity?   out: Item?, ConsumedCapacity? */
enum awslet_rc
ddb_get_item(struct awslet_req *req, const json_t *in, json_t **out)
{
    return item_get(req, in, out, GET_SPLICE);
}

enum awslet_rc
ddb_get_item_partiql(struct awslet_req *req, const json_t *in, bool items_shape, json_t **out)
{
    return item_get(req, in, out, items_shape ? GET_ITEMS : GET_PLAIN);
}

enum awslet_rc
ddb_get_item_statement(struct awslet_req *req, const struct ddb_table *t, const json_t *key,
                       const char *mode, bool consistent, json_t **out)
{
    json_t *res, *cc;
    int found;

    if (item_key_check(req, t, key) != 0)
        return AWSLET_ERR;
    if (!(res = json_object()))
        return awslet_fail_nomem(req);
    found = item_get_raw(req, t, key, res, mode, consistent, true);
    if (found < 0) {
        json_decref(res);
        return awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    }
    if (!found) {
        /* No item: the answer is built here, charged as GetItem charges a miss. */
        cc = mode && strcmp(mode, "NONE") != 0
                 ? ddb_capacity(mode, t->name, ddb_read_units(0, consistent), true, NULL)
                 : NULL;
        if (json_object_set_new(res, "Items", json_array()) != 0 ||
            (cc && json_object_set_new(res, "ConsumedCapacity", cc) != 0)) {
            json_decref(res);
            return awslet_fail_nomem(req);
        }
    }
    *out = res; /* when found, the rest of the answer; json_body holds all of it */
    return AWSLET_OK;
}

static enum awslet_rc
item_get(struct awslet_req *req, const json_t *in, json_t **out, enum item_get_shape shape)
{
    struct ddb_args a;
    struct ddb_expr_ctx ctx;
    struct ddb_projection *proj = NULL;
    struct ddb_table *t;
    const char *table, *pe, *mode;
    json_t *key = json_object_get(in, "Key"), *atg = json_object_get(in, "AttributesToGet");
    json_t *item = NULL, *res = NULL, *cc;
    bool consistent = json_is_true(json_object_get(in, "ConsistentRead"));
    enum awslet_rc rc = AWSLET_ERR;
    char err[512];
    const char *k;
    json_t *v;
    int dberr;
    bool snapshot = false;

    ddb_expr_ctx_init(&ctx, &req->arena, json_object_get(in, "ExpressionAttributeNames"), NULL);
    ddb_args_init(&a, req);
    table = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (!json_is_object(key))
        ddb_args_add(&a,
                     "Value null at 'key' failed to satisfy constraint: Member must not be null");
    mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", item_rcc);
    if (atg && (!json_is_array(atg) || json_array_size(atg) < 1))
        ddb_args_add(&a, "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member "
                         "must have length greater than or equal to 1");
    if (ddb_args_done(&a) != 0)
        goto out;
    json_object_foreach(key, k, v)
    {
        if (ddb_value_check(v, err, sizeof(err)) != 0) {
            ddb_validation(req, "%s", err);
            goto out;
        }
    }
    if (ddb_mixing_check(req, in, item_get_legacy, item_get_expr) != 0)
        goto out;
    pe = item_str(in, "ProjectionExpression");
    if (pe && !(proj = ddb_expr_parse_projection(&ctx, pe)))
        goto expr_err;
    if (!pe && atg && !(proj = ddb_legacy_attributes_to_get(&ctx, atg)))
        goto expr_err;
    if (ddb_expr_check_unused(&ctx, pe != NULL) != 0)
        goto expr_err;

    /* One read transaction for the table's record and the item: one snapshot, and one WAL
     * read lock taken and dropped instead of two. */
    snapshot = store_read_begin(req->db);
    if (ddb_table_for_data(req, req->db, table, &t) != 0 || item_key_check(req, t, key) != 0)
        goto out;
    if (!proj && shape != GET_PLAIN) {
        if (!(res = json_object()))
            goto nomem;
        dberr = item_get_raw(req, t, key, res, mode, consistent, shape == GET_ITEMS);
        if (dberr < 0) {
            awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
            goto out;
        }
        if (dberr > 0) {
            *out = res; /* the rest of the answer; json_body holds all of it */
            res = NULL;
            rc = AWSLET_OK;
            goto out;
        }
        json_decref(res);
        res = NULL;
    }
    item = ddb_item_load(req->db, t, key, &dberr);
    if (dberr) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        goto out;
    }
    if (!(res = json_object()))
        goto nomem;
    if (item) {
        json_t *shown = proj ? ddb_expr_project(proj, item) : json_incref(item);
        if (!shown || (shape == GET_ITEMS ? json_object_set_new(res, "Items", json_pack("[o]", shown))
                                          : json_object_set_new(res, "Item", shown)) != 0)
            goto nomem;
    } else if (shape == GET_ITEMS && json_object_set_new(res, "Items", json_array()) != 0) {
        goto nomem;
    }
    if (mode && strcmp(mode, "NONE") != 0) {
        /* Reads are charged for the whole item, whatever the projection keeps. */
        cc = ddb_capacity(mode, t->name, ddb_read_units(item ? ddb_item_size(item) : 0, consistent),
                          true, NULL);
        if (cc && json_object_set_new(res, "ConsumedCapacity", cc) != 0)
            goto nomem;
    }
    *out = res;
    res = NULL;
    rc = AWSLET_OK;
    goto out;
expr_err:
    ddb_validation(req, "%s", ctx.err);
    goto out;
nomem:
    rc = awslet_fail_nomem(req);
out:
    store_read_end(req->db, snapshot);
    json_decref(item);
    json_decref(res);
    ddb_expr_ctx_release(&ctx);
    return rc;
}
