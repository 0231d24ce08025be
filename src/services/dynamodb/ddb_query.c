/* ddb_query.c: Query and Scan, one reader for both.
 *
 * A Query is a range scan of SQLite's primary key: the partition's encoded key fixed, the
 * sort key bounded by the key condition as a half-open byte range [lo, hi) (every operator
 * reduces to one: "> v" starts at v followed by a 0 byte, begins_with(p) ends at p with its
 * last byte raised). Index entries are ordered by (index sort key, base key), so a page of an
 * index resumes after a tuple. A Scan walks the whole table (or index) in key order; parallel
 * segments split it by a hash of the partition key, so segments are disjoint and together
 * cover everything.
 *
 * As on DynamoDB, Limit counts the items read before the filter, a page also ends once 1 MB
 * of items has been read, and LastEvaluatedKey is returned exactly when one of those two
 * stopped the page. Capacity is charged for everything read. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

#define READ_KEY_LIMIT  8192
#define READ_PAGE_BYTES (1024 * 1024) /* the 1 MB a Query or Scan reads per call */

static const char *const read_select[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
                                          "ALL_PROJECTED_ATTRIBUTES", NULL};
static const char *const read_rcc[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const read_cond_op[] = {"OR", "AND", NULL};

/* A position in key order: base tables use k[0] (the sort key, or for a Scan the partition
 * key then the sort key); index entries add the base key. */
struct read_tuple {
    struct buf k[4];
    unsigned n;
};

struct read {
    struct awslet_req *req;
    const json_t *in;
    bool query;
    struct ddb_table *t;
    const struct ddb_index *ix;      /* NULL: the table itself */
    const struct ddb_key_schema *ks; /* the key being read: the index's or the table's */
    struct ddb_expr_ctx ctx;
    struct ddb_node *filter;
    bool legacy_filter; /* QueryFilter / ScanFilter rather than FilterExpression */
    struct ddb_projection *proj;
    const char *select; /* as given, or NULL */
    bool count_only;
    bool fetch_base; /* LSI: read attributes it does not project from the table */
    long long limit; /* 0: none */
    long long segment, total_segments;
    bool consistent, forward;
    struct ddb_key_cond kc;
    const json_t *esk;        /* ExclusiveStartKey */
    struct buf pk;            /* Query: the partition */
    struct read_tuple lo, hi; /* lo <= row < hi; hi.n == 0: unbounded */
    bool partiql;             /* a PartiQL SELECT: keys may be filtered, nothing spliced */
};

static const char *
read_str(const json_t *in, const char *member)
{
    return json_string_value(json_object_get(in, member));
}

/* ---- byte bounds ----------------------------------------------------------------------------- */

static void
read_tuple_init(struct read_tuple *t)
{
    for (unsigned i = 0; i < 4; i++)
        buf_init(&t->k[i], READ_KEY_LIMIT);
    t->n = 0;
}

static void
read_tuple_release(struct read_tuple *t)
{
    for (unsigned i = 0; i < 4; i++)
        buf_release(&t->k[i]);
}

static int
read_buf_cmp(const struct buf *a, const struct buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int
read_tuple_cmp(const struct read_tuple *a, const struct read_tuple *b)
{
    for (unsigned i = 0; i < a->n && i < b->n; i++) {
        int c = read_buf_cmp(&a->k[i], &b->k[i]);
        if (c)
            return c;
    }
    return 0;
}

static int
read_tuple_copy(struct read_tuple *dst, const struct read_tuple *src)
{
    dst->n = src->n;
    for (unsigned i = 0; i < src->n; i++) {
        dst->k[i].len = 0;
        if (src->k[i].len && buf_append(&dst->k[i], src->k[i].data, src->k[i].len))
            return -1;
    }
    return 0;
}

/* Raise a prefix to the first byte string after everything it begins: drop trailing 0xFF
 * bytes and add one to the last. 0, or 1 when no such string exists (all 0xFF or empty). */
static int
read_prefix_end(struct buf *b)
{
    while (b->len && (unsigned char)b->data[b->len - 1] == 0xFF)
        b->len--;
    if (!b->len)
        return 1;
    b->data[b->len - 1] = (char)((unsigned char)b->data[b->len - 1] + 1);
    b->data[b->len] = '\0';
    return 0;
}

static int
read_bind_buf(sqlite3_stmt *st, int i, const struct buf *b)
{
    return sqlite3_bind_blob(st, i, b->len ? b->data : "", (int)b->len, SQLITE_STATIC);
}

/* ---- request checks ------------------------------------------------------------------------- */

static int
read_fail(struct read *r, const char *msg)
{
    ddb_validation(r->req, "%s", msg);
    return -1;
}

/* The top-level attribute names a condition tree reads, into names (an object used as a set). */
static void
read_tree_names(const struct ddb_node *n, json_t *names)
{
    if (!n)
        return;
    if (n->type == DDB_N_PATH && n->path.n && n->path.e[0].name)
        json_object_set_new(names, n->path.e[0].name, json_true());
    for (unsigned i = 0; i < n->n_args; i++)
        read_tree_names(n->args[i], names);
}

/* Whether the index stores attribute name. */
static bool
read_projects(const struct read *r, const char *name)
{
    const struct ddb_index *ix = r->ix;
    if (!ix || ix->proj == DDB_PROJ_ALL)
        return true;
    if (!strcmp(name, r->t->key.hash) || (r->t->key.range && !strcmp(name, r->t->key.range)) ||
        !strcmp(name, ix->key.hash) || (ix->key.range && !strcmp(name, ix->key.range)))
        return true;
    if (ix->proj == DDB_PROJ_INCLUDE)
        for (unsigned i = 0; i < ix->n_include; i++)
            if (!strcmp(name, ix->include[i]))
                return true;
    return false;
}

/* Select against the projection parameters: DynamoDB's static rules. */
static int
read_check_select(struct read *r)
{
    const char *sel = r->select;
    const char *which = json_object_get(r->in, "ProjectionExpression") ? "ProjectionExpression"
                        : json_object_get(r->in, "AttributesToGet")    ? "AttributesToGet"
                                                                       : NULL;

    if (which && sel && strcmp(sel, "SPECIFIC_ATTRIBUTES") != 0) {
        const char *what = !strcmp(sel, "COUNT") ? "only the Count" : sel;
        /* Query words this as a constraint failure; Scan does not. */
        ddb_validation(r->req, "%sCannot specify the %s when choosing to get %s",
                       r->query ? "1 validation error detected: " : "", which, what);
        return -1;
    }
    if (sel && !strcmp(sel, "SPECIFIC_ATTRIBUTES") && !which)
        return read_fail(r, "Must specify the AttributesToGet or ProjectionExpression when "
                            "choosing to get SPECIFIC_ATTRIBUTES");
    if (sel && !strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") && !json_object_get(r->in, "IndexName"))
        return read_fail(r, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                            "IndexName");
    r->count_only = sel && !strcmp(sel, "COUNT");
    return 0;
}

/* What an index read can answer from the index itself, and what it must fetch. */
static int
read_check_index_attrs(struct read *r)
{
    json_t *names;
    const char *k;
    json_t *v;
    int rc = 0;

    if (!r->ix || r->ix->proj == DDB_PROJ_ALL)
        return 0;
    if (r->select && !strcmp(r->select, "ALL_ATTRIBUTES")) {
        if (r->ix->global) {
            ddb_validation(r->req,
                           "One or more parameter values were invalid: Select type "
                           "ALL_ATTRIBUTES is not supported for global secondary index "
                           "%s because its projection type is not ALL",
                           r->ix->name);
            return -1;
        }
        r->fetch_base = true;
        return 0;
    }
    if (!(names = json_object())) {
        awslet_fail_nomem(r->req);
        return -1;
    }
    for (unsigned i = 0; r->proj && i < r->proj->n; i++)
        if (r->proj->paths[i].n && r->proj->paths[i].e[0].name)
            json_object_set_new(names, r->proj->paths[i].e[0].name, json_true());
    if (!r->ix->global)
        read_tree_names(r->filter, names); /* an LSI fetches what a filter needs, too */
    json_object_foreach(names, k, v)
    {
        (void)v;
        if (read_projects(r, k))
            continue;
        if (r->ix->global) {
            ddb_validation(r->req,
                           "One or more parameter values were invalid: Global secondary "
                           "index %s does not project [%s]",
                           r->ix->name, k);
            rc = -1;
            break;
        }
        r->fetch_base = true;
    }
    json_decref(names);
    return rc;
}

/* A Query's filter may not test the key it queries by. */
static int
read_check_filter_keys(struct read *r)
{
    json_t *names;
    const char *keys[2] = {r->ks->hash, r->ks->range};
    int rc = 0;

    if (!r->query || !r->filter)
        return 0;
    if (!(names = json_object())) {
        awslet_fail_nomem(r->req);
        return -1;
    }
    read_tree_names(r->filter, names);
    for (unsigned i = 0; i < 2 && keys[i]; i++) {
        if (json_object_get(names, keys[i])) {
            ddb_validation(r->req,
                           "%s can only contain non-primary key attributes: Primary key "
                           "attribute: %s",
                           r->legacy_filter ? "QueryFilter" : "Filter Expression", keys[i]);
            rc = -1;
            break;
        }
    }
    json_decref(names);
    return rc;
}

/* ExclusiveStartKey: exactly the table's key attributes, plus the index's when reading one. */
static int
read_check_start_key(struct read *r, struct read_tuple *pos)
{
    const struct ddb_key_schema *tk = &r->t->key;
    const char *names[4] = {tk->hash, tk->range, NULL, NULL};
    size_t want = tk->range ? 2 : 1;
    const char *bad_shape = r->ix ? "The provided starting key is invalid"
                                  : "The provided starting key is invalid: The provided key "
                                    "element does not match the schema";
    struct buf ipk, isk, bpk, bsk;
    int rc = -1;

    if (r->ix) {
        names[2] = r->ix->key.hash;
        names[3] = r->ix->key.range;
        for (unsigned i = 2; i < 4; i++)
            if (names[i] && strcmp(names[i], names[0]) && (!names[1] || strcmp(names[i], names[1])))
                want++;
    }
    if (json_object_size(r->esk) != want)
        return read_fail(r, bad_shape);
    for (unsigned i = 0; i < 4; i++)
        if (names[i] && !json_object_get(r->esk, names[i]))
            return read_fail(r, bad_shape);

    buf_init(&ipk, READ_KEY_LIMIT);
    buf_init(&isk, READ_KEY_LIMIT);
    buf_init(&bpk, READ_KEY_LIMIT);
    buf_init(&bsk, READ_KEY_LIMIT);
    if (ddb_key_encode(tk, r->esk, &bpk, &bsk) != 0 ||
        (r->ix && ddb_key_encode(&r->ix->key, r->esk, &ipk, &isk) != 0)) {
        read_fail(r, "The provided starting key is invalid: The provided key element does not "
                     "match the schema");
        goto out;
    }
    if (r->query) {
        const struct buf *qpk = r->ix ? &ipk : &bpk, *qsk = r->ix ? &isk : &bsk;
        struct read_tuple one;
        if (read_buf_cmp(qpk, &r->pk) != 0) {
            read_fail(r, "The provided starting key is outside query boundaries based on "
                         "provided conditions");
            goto out;
        }
        /* The sort key must itself satisfy the key condition's range. */
        read_tuple_init(&one);
        one.n = 1;
        buf_append(&one.k[0], qsk->data ? qsk->data : "", qsk->len);
        if (read_buf_cmp(&one.k[0], &r->lo.k[0]) < 0 ||
            (r->hi.n && read_buf_cmp(&one.k[0], &r->hi.k[0]) >= 0)) {
            read_tuple_release(&one);
            read_fail(r, "The provided starting key does not match the range key predicate");
            goto out;
        }
        read_tuple_release(&one);
    }
    /* The position itself: (sk[, bpk, bsk]) for a Query, (pk, sk[, bpk, bsk]) for a Scan. */
    pos->n = 0;
    if (!r->query)
        buf_append(&pos->k[pos->n++],
                   (r->ix ? &ipk : &bpk)->data ? (r->ix ? &ipk : &bpk)->data : "",
                   (r->ix ? &ipk : &bpk)->len);
    if (r->ix) {
        buf_append(&pos->k[pos->n++], isk.data ? isk.data : "", isk.len);
        buf_append(&pos->k[pos->n++], bpk.data ? bpk.data : "", bpk.len);
        buf_append(&pos->k[pos->n++], bsk.data ? bsk.data : "", bsk.len);
    } else {
        buf_append(&pos->k[pos->n++], bsk.data ? bsk.data : "", bsk.len);
    }
    rc = 0;
out:
    buf_release(&ipk);
    buf_release(&isk);
    buf_release(&bpk);
    buf_release(&bsk);
    return rc;
}

/* The Query's sort-key range as [lo, hi), from the reduced key condition. */
static int
read_key_range(struct read *r)
{
    struct buf *lo = &r->lo.k[0], *hi = &r->hi.k[0];
    int rc = 0;

    r->lo.n = 1;
    r->hi.n = 0;
    if (ddb_key_bytes(r->kc.pk, &r->pk) != 0)
        return -1;
    switch (r->kc.sk_op) {
    case DDB_SK_NONE:
        break;
    case DDB_SK_EQ:
        rc = ddb_key_bytes(r->kc.sk1, lo) || ddb_key_bytes(r->kc.sk1, hi) || buf_putc(hi, 0);
        r->hi.n = 1;
        break;
    case DDB_SK_LT:
        rc = ddb_key_bytes(r->kc.sk1, hi);
        r->hi.n = 1;
        break;
    case DDB_SK_LE:
        rc = ddb_key_bytes(r->kc.sk1, hi) || buf_putc(hi, 0);
        r->hi.n = 1;
        break;
    case DDB_SK_GT:
        rc = ddb_key_bytes(r->kc.sk1, lo) || buf_putc(lo, 0);
        break;
    case DDB_SK_GE:
        rc = ddb_key_bytes(r->kc.sk1, lo);
        break;
    case DDB_SK_BETWEEN:
        rc = ddb_key_bytes(r->kc.sk1, lo) || ddb_key_bytes(r->kc.sk2, hi) || buf_putc(hi, 0);
        r->hi.n = 1;
        break;
    case DDB_SK_BEGINS_WITH:
        rc = ddb_key_bytes(r->kc.sk1, lo) || ddb_key_bytes(r->kc.sk1, hi);
        r->hi.n = rc == 0 && read_prefix_end(hi) == 0 ? 1 : 0;
        break;
    }
    /* Index entries sort by (index sort key, base key): widen the bounds to tuples. */
    if (r->ix) {
        r->lo.n = 3;
        if (r->hi.n)
            r->hi.n = 3;
    }
    return rc ? -1 : 0;
}

/* Narrow the range to what follows the start key in the reading direction. */
static int
read_apply_start(struct read *r, struct read_tuple *pos)
{
    if (r->forward) {
        /* Strictly after pos: pos with a 0 byte added to its last part. */
        if (buf_putc(&pos->k[pos->n - 1], 0))
            return -1;
        if (read_tuple_cmp(pos, &r->lo) > 0)
            return read_tuple_copy(&r->lo, pos);
    } else if (!r->hi.n || read_tuple_cmp(pos, &r->hi) < 0) {
        return read_tuple_copy(&r->hi, pos);
    }
    return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

static const char q_base_asc[] = "SELECT item, size FROM ddb_items WHERE tid = ?1 AND pk = ?2"
                                 " AND sk >= ?3 ORDER BY sk";
static const char q_base_asc_hi[] = "SELECT item, size FROM ddb_items WHERE tid = ?1 AND pk = ?2"
                                    " AND sk >= ?3 AND sk < ?4 ORDER BY sk";
static const char q_base_desc[] = "SELECT item, size FROM ddb_items WHERE tid = ?1 AND pk = ?2"
                                  " AND sk >= ?3 ORDER BY sk DESC";
static const char q_base_desc_hi[] = "SELECT item, size FROM ddb_items WHERE tid = ?1 AND pk = ?2"
                                     " AND sk >= ?3 AND sk < ?4 ORDER BY sk DESC";
static const char q_ix_asc[] = "SELECT item, size FROM ddb_index_items WHERE tid = ?1 AND"
                               " iname = ?2 AND pk = ?3 AND (sk, bpk, bsk) >= (?4, ?5, ?6)"
                               " ORDER BY sk, bpk, bsk";
static const char q_ix_asc_hi[] = "SELECT item, size FROM ddb_index_items WHERE tid = ?1 AND"
                                  " iname = ?2 AND pk = ?3 AND (sk, bpk, bsk) >= (?4, ?5, ?6)"
                                  " AND (sk, bpk, bsk) < (?7, ?8, ?9) ORDER BY sk, bpk, bsk";
static const char q_ix_desc[] = "SELECT item, size FROM ddb_index_items WHERE tid = ?1 AND"
                                " iname = ?2 AND pk = ?3 AND (sk, bpk, bsk) >= (?4, ?5, ?6)"
                                " ORDER BY sk DESC, bpk DESC, bsk DESC";
static const char q_ix_desc_hi[] = "SELECT item, size FROM ddb_index_items WHERE tid = ?1 AND"
                                   " iname = ?2 AND pk = ?3 AND (sk, bpk, bsk) >= (?4, ?5, ?6)"
                                   " AND (sk, bpk, bsk) < (?7, ?8, ?9)"
                                   " ORDER BY sk DESC, bpk DESC, bsk DESC";
static const char s_base[] = "SELECT item, size, pk FROM ddb_items WHERE tid = ?1"
                             " AND (pk, sk) >= (?2, ?3) ORDER BY pk, sk";
static const char s_ix[] = "SELECT item, size, pk FROM ddb_index_items WHERE tid = ?1 AND"
                           " iname = ?2 AND (pk, sk, bpk, bsk) >= (?3, ?4, ?5, ?6)"
                           " ORDER BY pk, sk, bpk, bsk";

static sqlite3_stmt *
read_prepare(struct read *r)
{
    sqlite3 *db = r->req->db;
    sqlite3_stmt *st;
    int i = 1;

    if (r->query) {
        bool hi = r->hi.n > 0;
        const char *sql =
            r->ix ? (r->forward ? (hi ? q_ix_asc_hi : q_ix_asc) : (hi ? q_ix_desc_hi : q_ix_desc))
                  : (r->forward ? (hi ? q_base_asc_hi : q_base_asc)
                                : (hi ? q_base_desc_hi : q_base_desc));
        if (!(st = store_stmt(db, sql)))
            return NULL;
        sqlite3_bind_int64(st, i++, r->t->id);
        if (r->ix)
            sqlite3_bind_text(st, i++, r->ix->name, -1, SQLITE_STATIC);
        read_bind_buf(st, i++, &r->pk);
        for (unsigned k = 0; k < r->lo.n; k++)
            read_bind_buf(st, i++, &r->lo.k[k]);
        for (unsigned k = 0; k < r->hi.n; k++)
            read_bind_buf(st, i++, &r->hi.k[k]);
        return st;
    }
    if (!(st = store_stmt(db, r->ix ? s_ix : s_base)))
        return NULL;
    sqlite3_bind_int64(st, i++, r->t->id);
    if (r->ix)
        sqlite3_bind_text(st, i++, r->ix->name, -1, SQLITE_STATIC);
    for (unsigned k = 0; k < r->lo.n; k++)
        read_bind_buf(st, i++, &r->lo.k[k]);
    return st;
}

/* Which parallel-scan segment a partition belongs to (FNV-1a of its encoded key). */
static long long
read_segment_of(const void *pk, int len, long long total)
{
    const unsigned char *p = pk;
    unsigned long long h = 1469598103934665603ULL;
    for (int i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return (long long)(h % (unsigned long long)total);
}

/* The key of an item as LastEvaluatedKey carries it: the table's key and the index's. */
static json_t *
read_last_key(const struct read *r, const json_t *item)
{
    const char *names[4] = {r->t->key.hash, r->t->key.range, r->ix ? r->ix->key.hash : NULL,
                            r->ix ? r->ix->key.range : NULL};
    json_t *key = json_object();

    for (unsigned i = 0; key && i < 4; i++) {
        json_t *av = names[i] ? json_object_get(item, names[i]) : NULL;
        if (av && json_object_set(key, names[i], av) != 0) {
            json_decref(key);
            return NULL;
        }
    }
    return key;
}

struct read_page {
    /* raw: the items go into the answer as stored (no filter, projection, LSI fetch or
     * COUNT): each one's text, comma-separated, in rawbuf; items stays empty. */
    bool raw;
    struct buf rawbuf;
    json_t *items;
    long long count, scanned;
    size_t bytes, fetched_bytes;
    json_t *last; /* the last item evaluated */
    bool stopped; /* Limit or the 1 MB page ended the read early */
};

static int
read_run(struct read *r, struct read_page *pg)
{
    sqlite3_stmt *st = read_prepare(r);
    int rc, ret = -1;

    if (!st) {
        awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *item, *full = NULL, *shown;
        int keep = 1;

        if (r->total_segments > 1 &&
            read_segment_of(sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2),
                            r->total_segments) != r->segment)
            continue;
        if (pg->raw) {
            /* The stored text is json_dumps(item, JSON_COMPACT) (ddb_store.c), which is what
             * parsing it and encoding the answer would produce again. */
            const void *text = sqlite3_column_blob(st, 0);
            size_t n = (size_t)sqlite3_column_bytes(st, 0);
            pg->scanned++;
            pg->count++;
            pg->bytes += (size_t)sqlite3_column_int64(st, 1);
            if ((pg->count > 1 && buf_putc(&pg->rawbuf, ',') != 0) ||
                buf_append(&pg->rawbuf, text, n) != 0) {
                awslet_fail_nomem(r->req);
                goto out;
            }
            if ((r->limit && pg->scanned >= r->limit) || pg->bytes >= READ_PAGE_BYTES) {
                /* Only the last item is needed as an object: for LastEvaluatedKey. */
                pg->last = json_loadb(text, n, JSON_ALLOW_NUL, NULL);
                if (!pg->last) {
                    log_error("dynamodb: unreadable item in table %lld", r->t->id);
                    awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
                    goto out;
                }
                pg->stopped = true;
                break;
            }
            continue;
        }
        item = json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                          JSON_ALLOW_NUL, NULL);
        if (!item) {
            log_error("dynamodb: unreadable item in table %lld", r->t->id);
            awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
            goto out;
        }
        pg->scanned++;
        pg->bytes += (size_t)sqlite3_column_int64(st, 1);
        json_decref(pg->last);
        pg->last = json_incref(item);

        full = item;
        if (r->fetch_base) {
            /* An LSI answers attributes it does not hold from the table, at a read's cost. */
            int err;
            json_t *base = ddb_item_load(r->req->db, r->t, item, &err);
            if (err) {
                json_decref(item);
                awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
                goto out;
            }
            if (base) {
                pg->fetched_bytes += ddb_item_size(base);
                full = base;
                json_decref(item);
            }
        }
        if (r->filter && (keep = ddb_expr_eval(&r->ctx, r->filter, full)) < 0) {
            json_decref(full);
            ddb_validation(r->req, "%s", r->ctx.err);
            goto out;
        }
        if (keep) {
            pg->count++;
            if (!r->count_only) {
                shown = r->proj ? ddb_expr_project(r->proj, full) : json_incref(full);
                if (!shown || json_array_append_new(pg->items, shown) != 0) {
                    json_decref(full);
                    awslet_fail_nomem(r->req);
                    goto out;
                }
            }
        }
        json_decref(full);
        if ((r->limit && pg->scanned >= r->limit) || pg->bytes >= READ_PAGE_BYTES) {
            pg->stopped = true;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("dynamodb: cannot read items: %s", sqlite3_errmsg(r->req->db));
        awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
        goto out;
    }
    ret = 0;
out:
    sqlite3_reset(st);
    return ret;
}

static int
read_answer(struct read *r, struct read_page *pg, json_t **out)
{
    const char *mode = read_str(r->in, "ReturnConsumedCapacity");
    json_t *res = json_object(), *lek, *cc, *idx = NULL;

    if (!res)
        return -1;
    if (!r->count_only && !pg->raw && json_object_set(res, "Items", pg->items))
        goto fail;
    if (json_object_set_new(res, "Count", json_integer(pg->count)) ||
        json_object_set_new(res, "ScannedCount", json_integer(pg->scanned)))
        goto fail;
    if (pg->stopped && pg->last) {
        if (!(lek = read_last_key(r, pg->last)) ||
            json_object_set_new(res, "LastEvaluatedKey", lek))
            goto fail;
    }
    if (mode && strcmp(mode, "NONE") != 0) {
        double units = ddb_read_units(pg->bytes, r->consistent), table_units = units;
        if (r->ix) {
            idx = json_pack("{s:f}", r->ix->name, units);
            table_units = pg->fetched_bytes ? ddb_read_units(pg->fetched_bytes, r->consistent) : 0;
        }
        cc = ddb_capacity_split(mode, r->t->name, table_units, true,
                                r->ix && r->ix->global ? idx : NULL,
                                r->ix && !r->ix->global ? idx : NULL);
        json_decref(idx);
        if (cc && json_object_set_new(res, "ConsumedCapacity", cc))
            goto fail;
    }
    if (pg->raw) {
        /* The answer with Items first, as stored, then the rest as encoded here; out keeps
         * the rest (dispatch sends json_body). */
        struct buf b;
        char *rest = json_dumps(res, JSON_COMPACT);
        int bad;
        if (!rest)
            goto fail;
        buf_init(&b, SIZE_MAX - 1);
        bad = buf_puts(&b, "{\"Items\":[") ||
              buf_append(&b, pg->rawbuf.data ? pg->rawbuf.data : "", pg->rawbuf.len) ||
              buf_puts(&b, "],") || buf_puts(&b, rest + 1);
        free(rest);
        if (bad) {
            buf_release(&b);
            goto fail;
        }
        free(r->req->json_body);
        r->req->json_body_len = b.len;
        r->req->json_body = buf_steal(&b);
    }
    *out = res;
    return 0;
fail:
    json_decref(res);
    return -1;
}

/* ---- the two operations ---------------------------------------------------------------------- */

static const char *const query_legacy[] = {"AttributesToGet", "QueryFilter", "ConditionalOperator",
                                           "KeyConditions", NULL};
static const char *const query_legacy_kc[] = {"AttributesToGet", "QueryFilter",
                                              "ConditionalOperator", NULL};
static const char *const query_expr[] = {"ProjectionExpression", "FilterExpression",
                                         "KeyConditionExpression", NULL};
static const char *const scan_legacy[] = {"AttributesToGet", "ScanFilter", "ConditionalOperator",
                                          NULL};
static const char *const scan_expr[] = {"ProjectionExpression", "FilterExpression", NULL};

static int
read_fail_expr(struct read *r)
{
    ddb_validation(r->req, "%s", r->ctx.err);
    return -1;
}

/* Everything before the first row is read. 0 or -1 (request failed). */
static int
read_prepare_request(struct read *r)
{
    struct ddb_args a;
    const json_t *in = r->in;
    const char *table, *index, *text;
    const json_t *values = json_object_get(in, "ExpressionAttributeValues");
    struct ddb_node *kcond = NULL;
    struct read_tuple pos;
    char err[512];
    const char *k;
    json_t *v;
    int seg, tot, rc;

    ddb_expr_ctx_init(&r->ctx, &r->req->arena, json_object_get(in, "ExpressionAttributeNames"),
                      values);
    read_tuple_init(&r->lo);
    read_tuple_init(&r->hi);
    buf_init(&r->pk, READ_KEY_LIMIT);
    r->forward = !json_is_false(json_object_get(in, "ScanIndexForward"));
    r->consistent = json_is_true(json_object_get(in, "ConsistentRead"));
    r->esk = json_object_get(in, "ExclusiveStartKey");

    ddb_args_init(&a, r->req);
    table = ddb_args_table_name(&a, in, "TableName", "tableName", true);
    index = ddb_args_table_name(&a, in, "IndexName", "indexName", false);
    r->select = ddb_args_enum(&a, in, "Select", "select", read_select);
    ddb_args_int(&a, in, "Limit", "limit", 1, LLONG_MAX, &r->limit);
    ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", read_rcc);
    ddb_args_enum(&a, in, "ConditionalOperator", "conditionalOperator", read_cond_op);
    if (json_is_array(json_object_get(in, "AttributesToGet")) &&
        json_array_size(json_object_get(in, "AttributesToGet")) == 0)
        ddb_args_add(&a, "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member "
                         "must have length greater than or equal to 1");
    r->segment = -1;
    r->total_segments = 0;
    seg = r->query ? 0 : ddb_args_int(&a, in, "Segment", "segment", 0, 999999, &r->segment);
    tot = r->query ? 0
                   : ddb_args_int(&a, in, "TotalSegments", "totalSegments", 1, 1000000,
                                  &r->total_segments);
    if (ddb_args_done(&a) != 0)
        return -1;
    if (!r->query) {
        if (tot > 0 && seg == 0)
            return read_fail(r, "The Segment parameter is required but was not present in the "
                                "request when parameter TotalSegments is present");
        if (seg > 0 && tot == 0)
            return read_fail(r, "The TotalSegments parameter is required but was not present in "
                                "the request when Segment parameter is present");
        if (seg > 0 && r->segment >= r->total_segments) {
            ddb_validation(r->req,
                           "The Segment parameter is zero-based and must be less than "
                           "parameter TotalSegments: Segment: %lld is not less than "
                           "TotalSegments: %lld",
                           r->segment, r->total_segments);
            return -1;
        }
    }

    /* Values, normalized in place. */
    json_object_foreach((json_t *)r->esk, k, v)
    {
        if (ddb_value_check(v, err, sizeof(err)) != 0) {
            ddb_validation(r->req, "The provided starting key is invalid: %s", err);
            return -1;
        }
    }
    if (ddb_values_check(r->req, values) != 0)
        return -1;

    /* KeyConditions may go with expressions as long as KeyConditionExpression is absent. */
    if (r->query ? ddb_mixing_check(r->req, in,
                                    json_object_get(in, "KeyConditionExpression") ? query_legacy
                                                                                  : query_legacy_kc,
                                    query_expr)
                 : ddb_mixing_check(r->req, in, scan_legacy, scan_expr))
        return -1;
    if (r->query && !json_object_get(in, "KeyConditionExpression") &&
        !json_object_get(in, "KeyConditions"))
        return read_fail(r, "Either the KeyConditions or KeyConditionExpression parameter must "
                            "be specified in the request.");
    if (read_check_select(r) != 0)
        return -1;

    /* Expressions. */
    if (r->query) {
        if ((text = read_str(in, "KeyConditionExpression"))) {
            if (!(kcond = ddb_expr_parse_condition(&r->ctx, DDB_EXPR_KEY_CONDITION, text)))
                return read_fail_expr(r);
        } else if (!(kcond = ddb_legacy_conditions(&r->ctx, "KeyConditions",
                                                   json_object_get(in, "KeyConditions"), NULL))) {
            return read_fail_expr(r);
        }
    }
    if ((text = read_str(in, "FilterExpression"))) {
        if (!(r->filter = ddb_expr_parse_condition(&r->ctx, DDB_EXPR_FILTER, text)))
            return read_fail_expr(r);
    } else {
        const char *param = r->query ? "QueryFilter" : "ScanFilter";
        const json_t *f = json_object_get(in, param);
        if (f && !(r->filter = ddb_legacy_conditions(&r->ctx, param, f,
                                                     read_str(in, "ConditionalOperator"))))
            return read_fail_expr(r);
        r->legacy_filter = f != NULL;
        if (!f && read_str(in, "ConditionalOperator"))
            return read_fail(r, "ConditionalOperator cannot be used without Filter or Expected");
    }
    if ((text = read_str(in, "ProjectionExpression"))) {
        if (!(r->proj = ddb_expr_parse_projection(&r->ctx, text)))
            return read_fail_expr(r);
    } else if (json_object_get(in, "AttributesToGet")) {
        if (!(r->proj =
                  ddb_legacy_attributes_to_get(&r->ctx, json_object_get(in, "AttributesToGet"))))
            return read_fail_expr(r);
    }
    if (ddb_expr_check_unused(&r->ctx, json_object_get(in, "KeyConditionExpression") ||
                                           json_object_get(in, "FilterExpression") ||
                                           json_object_get(in, "ProjectionExpression")) != 0)
        return read_fail_expr(r);

    /* The table, the index, the key. */
    if (ddb_table_for_data(r->req, r->req->db, table, &r->t) != 0)
        return -1;
    r->ks = &r->t->key;
    if (index) {
        if (!(r->ix = ddb_table_index(r->t, index))) {
            ddb_validation(r->req, "The table does not have the specified index: %s", index);
            return -1;
        }
        if (r->ix->global && r->consistent)
            return read_fail(r, "Consistent reads are not supported on global secondary indexes");
        if (r->ix->global && r->ix->status && strcmp(r->ix->status, "CREATING") == 0) {
            ddb_validation(r->req, "Cannot read from backfilling global secondary index: %s",
                           index);
            return -1;
        }
        r->ks = &r->ix->key;
    }
    if (r->query) {
        if (ddb_expr_key_condition(&r->ctx, kcond, r->ks->hash, r->ks->hash_type, r->ks->range,
                                   r->ks->range_type, &r->kc) != 0)
            return read_fail_expr(r);
        if (read_key_range(r) != 0) {
            awslet_fail(r->req, &ERR_DDB_INTERNAL, "Internal server error");
            return -1;
        }
    } else {
        r->lo.n = r->ix ? 4 : 2; /* from the very first row */
    }
    if ((!r->partiql && read_check_filter_keys(r) != 0) || read_check_index_attrs(r) != 0)
        return -1;
    if (r->esk) {
        read_tuple_init(&pos);
        rc = read_check_start_key(r, &pos);
        if (rc == 0 && read_apply_start(r, &pos) != 0) {
            awslet_fail_nomem(r->req);
            rc = -1;
        }
        read_tuple_release(&pos);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static enum awslet_rc
read_op(struct awslet_req *req, const json_t *in, json_t **out, bool query, bool partiql)
{
    struct read r;
    struct read_page pg;
    enum awslet_rc rc = AWSLET_ERR;
    bool snapshot;

    memset(&r, 0, sizeof(r));
    memset(&pg, 0, sizeof(pg));
    r.req = req;
    r.in = in;
    r.query = query;
    r.partiql = partiql;
    /* The table's record and the items from one snapshot, under one WAL read lock. */
    snapshot = store_read_begin(req->db);
    if (read_prepare_request(&r) != 0)
        goto out;
    pg.raw = !r.partiql && !r.filter && !r.proj && !r.fetch_base && !r.count_only;
    buf_init(&pg.rawbuf, SIZE_MAX - 1);
    if (!(pg.items = json_array())) {
        rc = awslet_fail_nomem(req);
        goto out;
    }
    if (read_run(&r, &pg) != 0)
        goto out;
    if (read_answer(&r, &pg, out) != 0) {
        rc = awslet_fail_nomem(req);
        goto out;
    }
    rc = AWSLET_OK;
out:
    json_decref(pg.items);
    json_decref(pg.last);
    buf_release(&pg.rawbuf);
    store_read_end(req->db, snapshot);
    read_tuple_release(&r.lo);
    read_tuple_release(&r.hi);
    buf_release(&r.pk);
    ddb_expr_ctx_release(&r.ctx);
    return rc;
}

/* Query: the items of one partition of the table or of an index, in sort-key order.
 * in: TableName, IndexName?, KeyConditionExpression | KeyConditions, FilterExpression |
 * QueryFilter, ProjectionExpression | AttributesToGet, Select, Limit, ExclusiveStartKey,
 * ScanIndexForward, ConsistentRead, ReturnConsumedCapacity.
 * out: Items?, Count, ScannedCount, LastEvaluatedKey?, ConsumedCapacity? */
enum awslet_rc
ddb_query(struct awslet_req *req, const json_t *in, json_t **out)
{
    return read_op(req, in, out, true, false);
}

/* Scan: every item of the table or index (or of one parallel segment), a page at a time. */
enum awslet_rc
ddb_scan(struct awslet_req *req, const json_t *in, json_t **out)
{
    return read_op(req, in, out, false, false);
}

/* A PartiQL SELECT's Query or Scan (ddb_int.h). */
enum awslet_rc
ddb_read_partiql(struct awslet_req *req, const json_t *in, bool query, json_t **out)
{
    return read_op(req, in, out, query, true);
}
