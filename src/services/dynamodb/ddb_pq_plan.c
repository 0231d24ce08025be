/* ddb_pq_plan.c: how a PartiQL statement runs (ddb_pq.h, "plans").
 *
 * A parsed statement becomes the request of the DynamoDB operation that does the same thing,
 * which the executor then runs through that operation's own code: a SELECT naming the whole
 * primary key with equalities and nothing else is a GetItem; one whose WHERE pins the
 * partition key (=, IN, an OR of such) is a Query per partition key value, with the whole
 * WHERE as its FilterExpression; anything else is a Scan. INSERT is a PutItem that must not
 * find the key, UPDATE an UpdateItem that must find it, DELETE a DeleteItem, EXISTS a
 * TransactWriteItems ConditionCheck. Writes must name the whole key with top-level equalities;
 * what else their WHERE says becomes the condition.
 *
 * Messages are DynamoDB's where known (the developer guide's PartiQL pages, and the texts
 * DynamoDB Local reports); the few without a known text say so at the call.
 * Entry points: ddb_pq_plan(), ddb_pq_plan_table(), ddb_pq_plan_release(). The writes'
 * planning is in ddb_pq_plan_write.c (ddb_pq_plan_int.h). */
#include "services/dynamodb/ddb_pq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq_plan_int.h"

int
plan_fail(struct plan *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    *p->code = &ERR_VALIDATION;
    return -1;
}

int
plan_nomem(struct plan *p)
{
    snprintf(p->err, p->errlen, "out of memory");
    *p->code = &ERR_INTERNAL_FAILURE;
    return -1;
}

/* ---- reading the WHERE clause --------------------------------------------------------------- */

/* The attribute a path names when it is a top-level attribute (`a`, not `a.b` or `a[0]`). */
static const char *
plan_attr(const struct pq_expr *e)
{
    if (e->type != PQ_E_PATH || e->path.n != 1 || !e->path.e[0].name)
        return NULL;
    return e->path.e[0].name;
}

/* Whether e is `attr = value` (either way round): sets *name and *value. */
bool
plan_attr_eq(const struct pq_expr *e, const char **name, json_t **value)
{
    const struct pq_expr *l, *r;

    if (e->type != PQ_E_CMP || e->cmp != DDB_EQ || e->n_args != 2)
        return false;
    l = e->args[0], r = e->args[1];
    if (plan_attr(l) && r->type == PQ_E_VALUE) {
        *name = plan_attr(l), *value = r->value;
        return true;
    }
    if (plan_attr(r) && l->type == PQ_E_VALUE) {
        *name = plan_attr(r), *value = l->value;
        return true;
    }
    return false;
}

static unsigned
plan_count_conjuncts(const struct pq_expr *e)
{
    if (!e)
        return 0;
    if (e->type == PQ_E_AND)
        return plan_count_conjuncts(e->args[0]) + plan_count_conjuncts(e->args[1]);
    return 1;
}

static void
plan_fill_conjuncts(const struct pq_expr *e, const struct pq_expr **out, unsigned *n)
{
    if (!e)
        return;
    if (e->type == PQ_E_AND) {
        plan_fill_conjuncts(e->args[0], out, n);
        plan_fill_conjuncts(e->args[1], out, n);
        return;
    }
    out[(*n)++] = e;
}

/* The top-level conjuncts of the WHERE clause (a AND b AND c), in the order written. */
const struct pq_expr **
plan_conjuncts(struct plan *p, unsigned *n)
{
    const struct pq_expr **c;
    unsigned want = plan_count_conjuncts(p->s->where);

    *n = 0;
    c = calloc(want ? want : 1, sizeof(*c));
    if (c)
        plan_fill_conjuncts(p->s->where, c, n);
    return c;
}

bool
plan_type_is(const json_t *v, const char *type)
{
    return type && strcmp(ddb_type_name(ddb_type_of(v)), type) == 0;
}

/* ---- writing the request ------------------------------------------------------------------- */

/* Store the expression just written through p->tx as request[member] (rc: the writer's
 * result; on failure its message is in err) and empty the text for the next one. */
int
plan_emit(struct plan *p, const char *member, int rc)
{
    if (rc == 0 && json_object_set_new(p->out->request, member,
                                       json_string(p->text.data ? p->text.data : "")) != 0)
        rc = plan_nomem(p);
    else if (rc != 0 && !*p->code)
        *p->code = &ERR_VALIDATION;
    p->text.len = 0;
    if (p->text.data)
        p->text.data[0] = '\0';
    return rc ? -1 : 0;
}

/* request[member] = [NOT (] [fn(#pk) AND] conjuncts [)] (ddb_pq_text_guarded()). */
int
plan_condition(struct plan *p, const char *member, const char *fn, const struct pq_expr **c,
               unsigned n, bool negate)
{
    return plan_emit(p, member, ddb_pq_text_guarded(&p->tx, fn, p->t->key.hash, c, n, negate));
}

/* A SELECT list is not a ProjectionExpression: each path answers under its collapsed name
 * (ddb_pq_select_name: m.x as "x"), so the plan reads whole items and the executor picks the
 * paths (ddb_pq_select_project). Two paths with one name are refused, as DynamoDB does. */
static int
plan_projection(struct plan *p)
{
    char a[512], b[512];

    for (unsigned i = 0; !p->s->star && i < p->s->n_proj; i++) {
        ddb_pq_select_name(&p->s->proj[i], a, sizeof(a));
        for (unsigned j = 0; j < i; j++) {
            ddb_pq_select_name(&p->s->proj[j], b, sizeof(b));
            if (strcmp(a, b) == 0)
                return plan_fail(p, "Duplicate identifiers in select clause: %s", a);
        }
    }
    return 0;
}

/* The names and values, when there are any (an empty map is an error to the operations). */
static int
plan_finish(struct plan *p)
{
    json_t *r = p->out->request;

    if (json_object_size(p->names) && json_object_set(r, "ExpressionAttributeNames", p->names) != 0)
        return plan_nomem(p);
    if (json_object_size(p->values) &&
        json_object_set(r, "ExpressionAttributeValues", p->values) != 0)
        return plan_nomem(p);
    return 0;
}

/* ---- SELECT ---------------------------------------------------------------------------------- */

static json_t *plan_pins(const struct pq_expr *e, const char *hash);

/* The partition key values e pins (a new array), or NULL when it does not pin the key: every
 * item e is true of has one of them as hash. `k = v`, `k IN [v, ...]`, an AND with such a
 * conjunct, an OR whose every branch pins (the union). The developer guide's examples
 * (ql-reference.select): `OrderID = 100`, `OrderID = 100 and Address='some address'`,
 * `OrderID = 100 or OrderID = 200`, `OrderID IN [100, 300, 234]` read partitions; `OrderID > 1`,
 * `Address='some address'`, `OrderID = 100 OR Address='some address'` scan. */
static json_t *
plan_pins_or(const struct pq_expr *e, const char *hash)
{
    json_t *l = plan_pins(e->args[0], hash), *r;

    if (!l)
        return NULL;
    r = plan_pins(e->args[1], hash);
    if (!r || json_array_extend(l, r) != 0) {
        json_decref(l);
        json_decref(r);
        return NULL;
    }
    json_decref(r);
    return l;
}

static json_t *
plan_pins(const struct pq_expr *e, const char *hash)
{
    const char *name;
    json_t *v, *a;

    switch (e->type) {
    case PQ_E_CMP:
        if (!plan_attr_eq(e, &name, &v) || strcmp(name, hash) != 0)
            return NULL;
        return json_pack("[O]", v);
    case PQ_E_IN:
        if (!plan_attr(e->args[0]) || strcmp(plan_attr(e->args[0]), hash) != 0)
            return NULL;
        a = json_array();
        for (unsigned i = 1; a && i < e->n_args; i++) {
            if (e->args[i]->type != PQ_E_VALUE || json_array_append(a, e->args[i]->value)) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    case PQ_E_AND:
        a = plan_pins(e->args[0], hash);
        return a ? a : plan_pins(e->args[1], hash);
    case PQ_E_OR:
        return plan_pins_or(e, hash);
    default:
        return NULL;
    }
}

struct plan_key {
    json_t *v;
    struct buf bytes;
    size_t pos; /* in the statement: of equal keys, the first written is kept */
};

static int
plan_key_cmp(const void *x, const void *y)
{
    const struct plan_key *a = x, *b = y;
    size_t n = a->bytes.len < b->bytes.len ? a->bytes.len : b->bytes.len;
    int c = n ? memcmp(a->bytes.data, b->bytes.data, n) : 0;

    if (c)
        return c;
    if (a->bytes.len != b->bytes.len)
        return a->bytes.len < b->bytes.len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static bool
plan_key_same(const struct plan_key *a, const struct plan_key *b)
{
    return a->bytes.len == b->bytes.len &&
           (!a->bytes.len || memcmp(a->bytes.data, b->bytes.data, a->bytes.len) == 0);
}

/* pins as the Query reads them: each of the key's type (else DynamoDB's schema message),
 * sorted by key bytes, duplicates removed. A new array, or NULL (failed). */
static json_t *
plan_sort_pks(struct plan *p, json_t *pins, const char *hash, const char *type)
{
    size_t n = json_array_size(pins), i;
    struct plan_key *k = calloc(n ? n : 1, sizeof(*k));
    json_t *out = NULL;

    if (!k) {
        plan_nomem(p);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        k[i].v = json_array_get(pins, i);
        k[i].pos = i;
        buf_init(&k[i].bytes, PLAN_TEXT_MAX);
        if (!plan_type_is(k[i].v, type)) {
            plan_fail(p,
                      "Key attribute's data type should match its data type in table's "
                      "schema: Key %s",
                      hash);
            goto out;
        }
        if (ddb_key_bytes(k[i].v, &k[i].bytes) != 0) {
            plan_nomem(p);
            goto out;
        }
    }
    qsort(k, n, sizeof(*k), plan_key_cmp);
    out = json_array();
    for (i = 0; out && i < n; i++) {
        if (i && plan_key_same(&k[i - 1], &k[i]))
            continue;
        if (json_array_append(out, k[i].v) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out)
        plan_nomem(p);
out:
    for (i = 0; i < n; i++)
        buf_release(&k[i].bytes);
    free(k);
    return out;
}

/* GetItem when the WHERE is exactly one equality per key attribute of the table. */
static bool
plan_is_get(struct plan *p, const struct pq_expr **c, unsigned n)
{
    const struct ddb_key_schema *ks = &p->t->key;
    unsigned want = ks->range ? 2 : 1, seen_hash = 0, seen_range = 0;
    const char *name;
    json_t *v;

    if (p->s->index || n != want)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (!plan_attr_eq(c[i], &name, &v))
            return false;
        if (strcmp(name, ks->hash) == 0)
            seen_hash++;
        else if (ks->range && strcmp(name, ks->range) == 0)
            seen_range++;
        else
            return false;
    }
    return seen_hash == 1 && seen_range == (ks->range ? 1u : 0u);
}

static int
plan_get(struct plan *p, const struct pq_expr **c, unsigned n)
{
    json_t *key = json_object(), *v = NULL;
    const char *name = NULL;

    if (!key || json_object_set_new(p->out->request, "Key", key) != 0)
        return plan_nomem(p);
    for (unsigned i = 0; i < n; i++) {
        if (!plan_attr_eq(c[i], &name, &v)) /* plan_is_get() saw to it that all are */
            return plan_fail(p, "Where clause does not contain a mandatory equality on all key "
                                "attributes");
        if (!plan_type_is(v, strcmp(name, p->t->key.hash) == 0 ? p->t->key.hash_type
                                                               : p->t->key.range_type))
            return plan_fail(p,
                             "Key attribute's data type should match its data type in "
                             "table's schema: Key %s",
                             name);
        if (json_object_set(key, name, v) != 0)
            return plan_nomem(p);
    }
    p->out->op = PQ_P_GET;
    return plan_projection(p);
}

/* The sort-key conjunct a Query can use as its key condition: `sk op v` (op not <>, either
 * way round), `sk BETWEEN v AND w`, `begins_with(sk, v)`. NULL if none. */
static const struct pq_expr *
plan_sk_conjunct(const struct pq_expr **c, unsigned n, const char *range)
{
    for (unsigned i = 0; range && i < n; i++) {
        const struct pq_expr *e = c[i];
        const char *a0 = e->n_args ? plan_attr(e->args[0]) : NULL;
        switch (e->type) {
        case PQ_E_CMP:
            if (e->cmp == DDB_NE)
                break;
            if ((a0 && strcmp(a0, range) == 0 && e->args[1]->type == PQ_E_VALUE) ||
                (plan_attr(e->args[1]) && strcmp(plan_attr(e->args[1]), range) == 0 &&
                 e->args[0]->type == PQ_E_VALUE))
                return e;
            break;
        case PQ_E_BETWEEN:
            if (a0 && strcmp(a0, range) == 0 && e->args[1]->type == PQ_E_VALUE &&
                e->args[2]->type == PQ_E_VALUE)
                return e;
            break;
        case PQ_E_FUNC:
            if (strcmp(e->fn, "begins_with") == 0 && e->n_args == 2 && a0 &&
                strcmp(a0, range) == 0 && e->args[1]->type == PQ_E_VALUE)
                return e;
            break;
        default:
            break;
        }
    }
    return NULL;
}

/* `#pk = :pk [AND <sort-key condition>]` */
static int
plan_key_condition(struct plan *p, const struct ddb_key_schema *ks, const struct pq_expr *sk)
{
    if (sk) {
        for (unsigned i = 0; i < sk->n_args; i++) {
            if (sk->args[i]->type == PQ_E_VALUE &&
                !plan_type_is(sk->args[i]->value, ks->range_type))
                return plan_fail(p,
                                 "Key attribute's data type should match its data type in "
                                 "table's schema: Key %s",
                                 ks->range);
        }
    }
    return plan_emit(p, "KeyConditionExpression", ddb_pq_text_key_condition(&p->tx, ks->hash, sk));
}

/* ORDER BY: only on a key of what is read (table or index), only when partitions are read.
 * Texts as DynamoDB reports them. A DESC partition key reads the partitions in reverse. */
static int
plan_order(struct plan *p, const struct ddb_key_schema *ks, bool pinned, bool *backward)
{
    const struct pq_statement *s = p->s;

    *backward = false;
    if (!s->n_order)
        return 0;
    if (!s->where)
        return plan_fail(p, "Must have WHERE clause in the statement when using ORDER BY "
                            "clause.");
    if (!pinned)
        return plan_fail(p, "Must have at least one non-optional hash key condition in WHERE "
                            "clause when using ORDER BY clause.");
    for (unsigned i = 0; i < s->n_order; i++) {
        const struct ddb_path *k = &s->order[i].key;
        const char *name = k->n == 1 ? k->e[0].name : NULL;
        if (!name || (strcmp(name, ks->hash) != 0 && (!ks->range || strcmp(name, ks->range))))
            return plan_fail(p,
                             "Variable reference %s in ORDER BY clause must be part of the "
                             "primary key",
                             k->text ? k->text
                             : name  ? name
                                     : "");
        if (strcmp(name, ks->hash) == 0) {
            if (s->order[i].desc && p->out->pks) {
                /* reverse the partitions */
                json_t *r = json_array();
                for (size_t j = json_array_size(p->out->pks); r && j-- > 0;)
                    json_array_append(r, json_array_get(p->out->pks, j));
                if (!r)
                    return plan_nomem(p);
                json_decref(p->out->pks);
                p->out->pks = r;
            }
        } else {
            *backward = s->order[i].desc;
        }
    }
    return 0;
}

/* Whether an index holds attribute name: its projection, the table's and its own keys. */
static bool
plan_projects(const struct ddb_table *t, const struct ddb_index *ix, const char *name)
{
    const char *keys[] = {t->key.hash, t->key.range, ix->key.hash, ix->key.range};

    if (ix->proj == DDB_PROJ_ALL)
        return true;
    for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
        if (keys[i] && strcmp(keys[i], name) == 0)
            return true;
    }
    for (unsigned i = 0; ix->proj == DDB_PROJ_INCLUDE && i < ix->n_include; i++) {
        if (strcmp(ix->include[i], name) == 0)
            return true;
    }
    return false;
}

/* Append to b ("a, b") each attribute e names that ix does not hold, once. */
static int
plan_unprojected(struct plan *p, const struct ddb_index *ix, const struct pq_expr *e, struct buf *b,
                 json_t *seen)
{
    if (e->type == PQ_E_PATH && e->path.n && e->path.e[0].name) {
        const char *name = e->path.e[0].name;
        if (plan_projects(p->t, ix, name) || json_object_get(seen, name))
            return 0;
        if (json_object_set_new(seen, name, json_true()) != 0 || (b->len && buf_puts(b, ", ")) ||
            buf_puts(b, name))
            return -1;
        return 0;
    }
    for (unsigned i = 0; i < e->n_args; i++) {
        if (plan_unprojected(p, ix, e->args[i], b, seen))
            return -1;
    }
    return 0;
}

/* A read of an index filters only on what the index holds; DynamoDB names the attributes it
 * lacks (for either kind of index, as observed on DynamoDB). */
static int
plan_check_filter_projection(struct plan *p, const struct ddb_index *ix)
{
    json_t *seen;
    struct buf b;
    int rc = 0;

    if (ix->proj == DDB_PROJ_ALL || !p->s->where)
        return 0;
    seen = json_object();
    buf_init(&b, PLAN_TEXT_MAX);
    if (!seen || plan_unprojected(p, ix, p->s->where, &b, seen))
        rc = plan_nomem(p);
    else if (b.len)
        rc = plan_fail(p,
                       "One or more parameter values were invalid: Secondary index %s does "
                       "not project one or more filter attributes: [%s]",
                       ix->name, b.data);
    buf_release(&b);
    json_decref(seen);
    return rc;
}

/* A SELECT list read from a global secondary index may only name what the index holds (a
 * local one fetches the rest from the table), in Query's words. */
static int
plan_check_list_projection(struct plan *p, const struct ddb_index *ix)
{
    for (unsigned i = 0; ix->global && !p->s->star && i < p->s->n_proj; i++) {
        const char *name = p->s->proj[i].n ? p->s->proj[i].e[0].name : NULL;
        if (name && !plan_projects(p->t, ix, name))
            return plan_fail(p,
                             "One or more parameter values were invalid: Global secondary "
                             "index %s does not project [%s]",
                             ix->name, name);
    }
    return 0;
}

static int
plan_select(struct plan *p)
{
    const struct pq_statement *s = p->s;
    const struct ddb_key_schema *ks = &p->t->key;
    const struct pq_expr **c;
    json_t *r = p->out->request, *pins = NULL;
    unsigned n;
    bool backward;
    int rc = -1;

    if (s->index) {
        const struct ddb_index *ix = ddb_table_index(p->t, s->index);
        if (!ix)
            /* Unlike Query and Scan, PartiQL does not name the index (measured on AWS, as
             * quoted in nubo-db/dynoxide#179 and paritysuite/dynamodb-conformance#171). */
            return plan_fail(p, "The table does not have the specified index");
        ks = &ix->key;
        if (plan_check_list_projection(p, ix) || plan_check_filter_projection(p, ix))
            return -1;
        if (json_object_set_new(r, "IndexName", json_string(ix->name)) != 0)
            return plan_nomem(p);
    }
    c = plan_conjuncts(p, &n);
    if (!c)
        return plan_nomem(p);
    if (plan_is_get(p, c, n)) {
        rc = plan_get(p, c, n);
        if (rc == 0)
            rc = plan_order(p, ks, true, &backward);
        goto out;
    }
    pins = s->where ? plan_pins(s->where, ks->hash) : NULL;
    if (pins) {
        p->out->op = PQ_P_QUERY;
        p->out->pks = plan_sort_pks(p, pins, ks->hash, ks->hash_type);
        if (!p->out->pks || plan_key_condition(p, ks, plan_sk_conjunct(c, n, ks->range)))
            goto out;
    } else {
        p->out->op = PQ_P_SCAN;
    }
    if (plan_order(p, ks, pins != NULL, &backward))
        goto out;
    if (s->where) {
        if (plan_emit(p, "FilterExpression", ddb_pq_text_condition(&p->tx, s->where)))
            goto out;
    }
    if (plan_projection(p))
        goto out;
    if (pins) {
        /* :pk stands for each partition in turn; the first is a placeholder. */
        if (json_object_set(p->values, ":pk", json_array_get(p->out->pks, 0)) != 0 ||
            json_object_set_new(r, "ScanIndexForward", json_boolean(!backward)) != 0) {
            plan_nomem(p);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(pins);
    free(c);
    return rc;
}

/* ---- entry points ---------------------------------------------------------------------------- */

int
ddb_pq_plan_table(struct arena *a, const struct ddb_table *t, const struct pq_statement *s,
                  struct pq_plan *out, const struct awslet_error **code, char *err, size_t errlen)
{
    struct plan p = {.t = t,
                     .s = s,
                     .code = code,
                     .err = err,
                     .errlen = errlen,
                     .names = json_object(),
                     .values = json_object(),
                     .out = out};
    int rc = -1;

    buf_init(&p.text, PLAN_TEXT_MAX);
    p.tx = (struct pq_text){&p.text, p.names, p.values, err, errlen};
    memset(out, 0, sizeof(*out));
    *code = NULL;
    out->request = json_pack("{s:s}", "TableName", t->name);
    out->table = arena_strdup(a, t->name);
    out->t = t;
    out->write = s->kind != PQ_SELECT;
    if (!p.names || !p.values || !out->request || !out->table) {
        plan_nomem(&p);
        goto out;
    }
    if (s->index && s->kind != PQ_SELECT) {
        if (s->kind == PQ_EXISTS)
            plan_fail(&p, "Operations on indices are not supported in transactions");
        else /* unverified wording */
            plan_fail(&p, "Writes on indexes are not supported: %s", s->index);
        goto out;
    }
    switch (s->kind) {
    case PQ_SELECT:
        rc = plan_select(&p);
        break;
    case PQ_INSERT:
        rc = plan_insert(&p);
        break;
    case PQ_UPDATE:
    case PQ_DELETE:
    case PQ_EXISTS:
        rc = plan_keyed(&p);
        break;
    }
    if (rc == 0)
        rc = plan_finish(&p);
out:
    json_decref(p.names);
    json_decref(p.values);
    buf_release(&p.text);
    if (rc != 0)
        ddb_pq_plan_release(out);
    return rc;
}

int
ddb_pq_plan(struct awslet_req *req, sqlite3 *db, const struct pq_statement *s, struct pq_plan *out)
{
    const struct awslet_error *code;
    struct ddb_table *t;
    char err[1024];

    memset(out, 0, sizeof(*out));
    if (ddb_table_for_data(req, db, s->table, &t) != 0)
        return -1;
    if (ddb_pq_plan_table(&req->arena, t, s, out, &code, err, sizeof(err)) == 0)
        return 0;
    if (code == &ERR_VALIDATION)
        ddb_validation(req, "%s", err);
    else
        awslet_fail_nomem(req);
    return -1;
}

void
ddb_pq_plan_release(struct pq_plan *p)
{
    json_decref(p->request);
    json_decref(p->pks);
    p->request = p->pks = NULL;
}
