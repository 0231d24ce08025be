/* test_ddb_pq_plan.c: the PartiQL planner (ddb_pq_plan_table, ddb_pq_condition_text).
 *
 * Statements are built as trees (what the parser hands over) against tables built by hand,
 * and each plan is checked whole: the operation, the exact request (expression texts, names,
 * values) and the partition keys a Query reads. Every expression the planner writes is then
 * parsed again by the expression parser with the request's own names and values, which also
 * proves that no generated placeholder is left unused (the operations reject those). Which
 * SELECTs read partitions and which scan follows the developer guide (ql-reference.select);
 * messages are DynamoDB's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "core/arena.h"
#include "core/error.h"
#include "services/dynamodb/ddb_int.h"
#include "services/dynamodb/ddb_pq.h"

/* ---- building trees ------------------------------------------------------------------------ */

static struct arena A;
static json_t *owned; /* every value a tree points at, as pq_statement.values holds them */

static struct pq_expr *
node(enum pq_expr_type type, unsigned n, ...)
{
    struct pq_expr *e = arena_calloc(&A, sizeof(*e));
    va_list ap;

    assert_non_null(e);
    e->type = type;
    e->n_args = n;
    e->args = arena_calloc(&A, sizeof(*e->args) * (n ? n : 1));
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        e->args[i] = va_arg(ap, struct pq_expr *);
    va_end(ap);
    return e;
}

/* "a.b[2].c" as a path. */
static struct ddb_path
mkpath(const char *text)
{
    struct ddb_path p = {0, arena_calloc(&A, sizeof(struct ddb_path_elem) * 16), text};
    const char *s = text;

    while (*s) {
        if (*s == '[') {
            p.e[p.n].name = NULL;
            p.e[p.n++].index = (unsigned)strtoul(s + 1, (char **)&s, 10);
            s++; /* ] */
        } else {
            size_t len = strcspn(s, ".[");
            p.e[p.n++].name = arena_strndup(&A, s, len);
            s += len;
        }
        if (*s == '.')
            s++;
    }
    return p;
}

static struct pq_expr *
P(const char *text)
{
    struct pq_expr *e = node(PQ_E_PATH, 0);
    e->path = mkpath(text);
    return e;
}

/* A literal: the AttributeValue as JSON. */
static struct pq_expr *
V(const char *json)
{
    struct pq_expr *e = node(PQ_E_VALUE, 0);
    e->value = json_loads(json, 0, NULL);
    assert_non_null(e->value);
    assert_int_equal(json_array_append_new(owned, e->value), 0);
    return e;
}

static struct pq_expr *
S(const char *s)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "{\"S\":\"%s\"}", s);
    return V(buf);
}

static struct pq_expr *
N(const char *n)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "{\"N\":\"%s\"}", n);
    return V(buf);
}

static struct pq_expr *
CMP(enum ddb_cmp c, struct pq_expr *a, struct pq_expr *b)
{
    struct pq_expr *e = node(PQ_E_CMP, 2, a, b);
    e->cmp = c;
    return e;
}

#define EQ(a, b)  CMP(DDB_EQ, a, b)
#define AND(a, b) node(PQ_E_AND, 2, a, b)
#define OR(a, b)  node(PQ_E_OR, 2, a, b)
#define NOT(a)    node(PQ_E_NOT, 1, a)
#define IN(...)                                                                                    \
    node(PQ_E_IN,                                                                                  \
         (unsigned)(sizeof((struct pq_expr *[]){__VA_ARGS__}) / sizeof(struct pq_expr *)),         \
         __VA_ARGS__)
#define BETWEEN(a, b, c) node(PQ_E_BETWEEN, 3, a, b, c)

static struct pq_expr *
FN(const char *fn, unsigned n, ...)
{
    struct pq_expr *e = node(PQ_E_FUNC, 0);
    va_list ap;

    e->fn = fn;
    e->n_args = n;
    e->args = arena_calloc(&A, sizeof(*e->args) * (n ? n : 1));
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        e->args[i] = va_arg(ap, struct pq_expr *);
    va_end(ap);
    return e;
}

static struct pq_expr *
IS(struct pq_expr *x, bool is_null, bool negated)
{
    struct pq_expr *e = node(PQ_E_IS, 1, x);
    e->is_null = is_null, e->negated = negated;
    return e;
}

static struct pq_statement
SELECT(const char *table, struct pq_expr *where) {
    return (struct pq_statement){.kind = PQ_SELECT, .table = table, .star = true, .where = where};
}

static void
order_by(struct pq_statement *s, const char *key, bool desc)
{
    struct pq_order *o = arena_calloc(&A, sizeof(*o) * (s->n_order + 1));
    if (s->n_order)
        memcpy(o, s->order, sizeof(*o) * s->n_order);
    o[s->n_order].key = mkpath(key);
    o[s->n_order++].desc = desc;
    s->order = o;
}

static void
project(struct pq_statement *s, const char *path)
{
    struct ddb_path *p = arena_calloc(&A, sizeof(*p) * (s->n_proj + 1));
    if (s->n_proj)
        memcpy(p, s->proj, sizeof(*p) * s->n_proj);
    p[s->n_proj++] = mkpath(path);
    s->proj = p;
    s->star = false;
}

static void
set(struct pq_statement *s, enum pq_set_op op, const char *path, struct pq_expr *value)
{
    struct pq_set *x = arena_calloc(&A, sizeof(*x) * (s->n_sets + 1));
    if (s->n_sets)
        memcpy(x, s->sets, sizeof(*x) * s->n_sets);
    x[s->n_sets].op = op;
    x[s->n_sets].path = mkpath(path);
    x[s->n_sets++].value = value;
    s->sets = x;
}

/* ---- tables -------------------------------------------------------------------------------- */

/* Orders: OrderID (N) only, as in the developer guide's examples. */
static struct ddb_table orders = {.name = "Orders", .key = {"OrderID", "N", NULL, NULL}};

/* Music: Artist (S) + SongTitle (S); a GSI on Year (N) + SongTitle, an LSI on Album. */
static struct ddb_index music_ix[] = {
    {.name = "ByYear", .global = true, .key = {"Year", "N", "SongTitle", "S"}},
    {.name = "ByAlbum", .global = false, .key = {"Artist", "S", "Album", "S"}},
};
static struct ddb_table music = {
    .name = "Music", .key = {"Artist", "S", "SongTitle", "S"}, .indexes = music_ix, .n_indexes = 2};

static int
setup(void **state)
{
    (void)state;
    arena_init(&A);
    owned = json_array();
    return owned ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(owned);
    arena_release(&A);
    return 0;
}

/* ---- checking plans ------------------------------------------------------------------------ */

/* Parse every expression of the request back with its own names and values: each must be
 * valid DynamoDB expression text, and every name and value must be used. */
static void
check_reparses(const struct ddb_table *t, const json_t *r)
{
    struct ddb_expr_ctx ctx;
    const char *text;
    bool any = false;

    ddb_expr_ctx_init(&ctx, &A, json_object_get(r, "ExpressionAttributeNames"),
                      json_object_get(r, "ExpressionAttributeValues"));
    if ((text = json_string_value(json_object_get(r, "KeyConditionExpression")))) {
        const struct ddb_key_schema *ks = &t->key;
        const char *ix = json_string_value(json_object_get(r, "IndexName"));
        struct ddb_key_cond kc;
        struct ddb_node *n = ddb_expr_parse_condition(&ctx, DDB_EXPR_KEY_CONDITION, text);
        if (ix)
            ks = &ddb_table_index(t, ix)->key;
        if (!n)
            fail_msg("KeyConditionExpression %s: %s", text, ctx.err);
        if (ddb_expr_key_condition(&ctx, n, ks->hash, ks->hash_type, ks->range, ks->range_type,
                                   &kc) != 0)
            fail_msg("KeyConditionExpression %s: %s", text, ctx.err);
        any = true;
    }
    static const char *const conds[] = {"FilterExpression", "ConditionExpression"};
    for (unsigned i = 0; i < 2; i++) {
        if ((text = json_string_value(json_object_get(r, conds[i])))) {
            if (!ddb_expr_parse_condition(&ctx, i ? DDB_EXPR_CONDITION : DDB_EXPR_FILTER, text))
                fail_msg("%s %s: %s", conds[i], text, ctx.err);
            any = true;
        }
    }
    if ((text = json_string_value(json_object_get(r, "UpdateExpression")))) {
        if (!ddb_expr_parse_update(&ctx, text))
            fail_msg("UpdateExpression %s: %s", text, ctx.err);
        any = true;
    }
    if ((text = json_string_value(json_object_get(r, "ProjectionExpression")))) {
        if (!ddb_expr_parse_projection(&ctx, text))
            fail_msg("ProjectionExpression %s: %s", text, ctx.err);
        any = true;
    }
    if (ddb_expr_check_unused(&ctx, any) != 0)
        fail_msg("unused: %s", ctx.err);
    ddb_expr_ctx_release(&ctx);
}

static char *
dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_non_null(s);
    return s;
}

/* Plan s on t; it must succeed as op with exactly the request want (JSON, compared with
 * sorted keys) and, for a Query, the partition keys want_pks (JSON array). */
static void
plan_ok(const struct ddb_table *t, const struct pq_statement *s, enum pq_plan_op op,
        const char *want, const char *want_pks)
{
    const struct awslet_error *code = NULL;
    struct pq_plan p;
    char err[1024] = "";
    json_t *w = json_loads(want, 0, NULL);
    char *got, *exp;

    if (!w)
        fail_msg("bad expected JSON: %s", want);
    if (ddb_pq_plan_table(&A, t, s, &p, &code, err, sizeof(err)) != 0)
        fail_msg("plan failed: %s", err);
    got = dump(p.request), exp = dump(w);
    if (strcmp(got, exp) != 0)
        fail_msg("request\n  got  %s\n  want %s", got, exp);
    free(got), free(exp);
    assert_int_equal(p.op, op);
    assert_string_equal(p.table, t->name);
    assert_int_equal(p.write, op != PQ_P_GET && op != PQ_P_QUERY && op != PQ_P_SCAN);
    if (want_pks) {
        json_t *wp = json_loads(want_pks, 0, NULL);
        assert_non_null(p.pks);
        got = dump(p.pks), exp = dump(wp);
        if (strcmp(got, exp) != 0)
            fail_msg("pks\n  got  %s\n  want %s", got, exp);
        free(got), free(exp);
        json_decref(wp);
    } else {
        assert_null(p.pks);
    }
    check_reparses(t, p.request);
    json_decref(w);
    ddb_pq_plan_release(&p);
}

/* Plan s on t; it must fail with ValidationException and exactly the message want. */
static void
plan_err(const struct ddb_table *t, const struct pq_statement *s, const char *want)
{
    const struct awslet_error *code = NULL;
    struct pq_plan p;
    char err[1024] = "";

    assert_int_equal(ddb_pq_plan_table(&A, t, s, &p, &code, err, sizeof(err)), -1);
    assert_ptr_equal(code, &ERR_VALIDATION);
    assert_string_equal(err, want);
    assert_null(p.request);
    assert_null(p.pks);
}

#define KEY_TYPE_MSG(k)                                                                            \
    "Key attribute's data type should match its data type in table's schema: Key " k
#define DML_KEY_MSG "Where clause does not contain a mandatory equality on all key attributes"
#define EXISTS_MSG  "EXISTS() must contain a single item read with additional condition"

/* ---- SELECT: which operation ---------------------------------------------------------------- */

static void
test_ddb_pq_plan__guide_reads_not_scans(void **state)
{
    struct pq_statement s;
    (void)state;

    /* WHERE OrderID = 100: the whole key, nothing else: GetItem */
    s = SELECT("Orders", EQ(P("OrderID"), N("100")));
    plan_ok(&orders, &s, PQ_P_GET,
            "{\"TableName\":\"Orders\",\"Key\":{\"OrderID\":{\"N\":\"100\"}}}", NULL);

    /* OrderID = 100 and Address='some address': one partition, the WHERE as filter */
    s = SELECT("Orders", AND(EQ(P("OrderID"), N("100")), EQ(P("Address"), S("some address"))));
    plan_ok(
        &orders, &s, PQ_P_QUERY,
        "{\"TableName\":\"Orders\",\"KeyConditionExpression\":\"#n0 = :pk\","
        "\"FilterExpression\":\"#n0 = :v0 AND #n1 = :v1\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\",\"#n1\":\"Address\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"100\"},\":v1\":{\"S\":\"some address\"},"
        "\":pk\":{\"N\":\"100\"}},\"ScanIndexForward\":true}",
        "[{\"N\":\"100\"}]");

    /* OrderID = 100 or OrderID = 200: two partitions */
    s = SELECT("Orders", OR(EQ(P("OrderID"), N("200")), EQ(P("OrderID"), N("100"))));
    plan_ok(&orders, &s, PQ_P_QUERY,
            "{\"TableName\":\"Orders\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 = :v0 OR #n0 = :v1\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"200\"},\":v1\":{\"N\":\"100\"},"
            "\":pk\":{\"N\":\"100\"}},\"ScanIndexForward\":true}",
            "[{\"N\":\"100\"},{\"N\":\"200\"}]");

    /* OrderID IN [100, 300, 234]: three partitions, read in key order (numeric) */
    s = SELECT("Orders", IN(P("OrderID"), N("100"), N("300"), N("234"), N("1e2")));
    plan_ok(&orders, &s, PQ_P_QUERY,
            "{\"TableName\":\"Orders\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 IN (:v0, :v1, :v2, :v3)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"100\"},\":v1\":{\"N\":\"300\"},"
            "\":v2\":{\"N\":\"234\"},\":v3\":{\"N\":\"1e2\"},\":pk\":{\"N\":\"100\"}},"
            "\"ScanIndexForward\":true}",
            "[{\"N\":\"100\"},{\"N\":\"234\"},{\"N\":\"300\"}]");
}

static void
test_ddb_pq_plan__guide_scans(void **state)
{
    struct pq_statement s;
    (void)state;

    s = SELECT("Orders", CMP(DDB_GT, P("OrderID"), N("1")));
    plan_ok(&orders, &s, PQ_P_SCAN,
            "{\"TableName\":\"Orders\",\"FilterExpression\":\"#n0 > :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}",
            NULL);

    s = SELECT("Orders", EQ(P("Address"), S("some address")));
    plan_ok(&orders, &s, PQ_P_SCAN,
            "{\"TableName\":\"Orders\",\"FilterExpression\":\"#n0 = :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Address\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"some address\"}}}",
            NULL);

    s = SELECT("Orders", OR(EQ(P("OrderID"), N("100")), EQ(P("Address"), S("some address"))));
    plan_ok(
        &orders, &s, PQ_P_SCAN,
        "{\"TableName\":\"Orders\",\"FilterExpression\":\"#n0 = :v0 OR #n1 = :v1\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\",\"#n1\":\"Address\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"100\"},\":v1\":{\"S\":\"some address\"}}}",
        NULL);

    /* no WHERE: the whole table */
    s = SELECT("Orders", NULL);
    plan_ok(&orders, &s, PQ_P_SCAN, "{\"TableName\":\"Orders\"}", NULL);

    /* NOT of a pin pins nothing; a nested attribute is not the key */
    s = SELECT("Orders", NOT(EQ(P("OrderID"), N("1"))));
    plan_ok(&orders, &s, PQ_P_SCAN,
            "{\"TableName\":\"Orders\",\"FilterExpression\":\"NOT (#n0 = :v0)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}",
            NULL);
    s = SELECT("Orders", EQ(P("OrderID.x"), N("1")));
    plan_ok(&orders, &s, PQ_P_SCAN,
            "{\"TableName\":\"Orders\",\"FilterExpression\":\"#n0.#n1 = :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\",\"#n1\":\"x\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}",
            NULL);
}

static void
test_ddb_pq_plan__pins_through_and_or(void **state)
{
    struct pq_statement s;
    (void)state;

    /* (pk = a AND x = 1) OR pk IN [b, a]: every branch pins; the union, deduplicated */
    s = SELECT("Music", OR(AND(EQ(S("a"), P("Artist")), EQ(P("x"), N("1"))),
                           IN(P("Artist"), S("b"), S("a"))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"(:v0 = #n0 AND #n1 = :v1) OR #n0 IN (:v2, :v3)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"x\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"N\":\"1\"},"
            "\":v2\":{\"S\":\"b\"},\":v3\":{\"S\":\"a\"},\":pk\":{\"S\":\"a\"}},"
            "\"ScanIndexForward\":true}",
            "[{\"S\":\"a\"},{\"S\":\"b\"}]");

    /* a pin on the right of an AND, the sort key on both sides: a Query, not a GetItem */
    s = SELECT("Music", AND(EQ(P("SongTitle"), S("t")),
                            AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t")))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk AND #n1 = :v0\","
            "\"FilterExpression\":\"#n1 = :v0 AND #n0 = :v1 AND #n1 = :v2\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"t\"},\":v1\":{\"S\":\"a\"},"
            "\":v2\":{\"S\":\"t\"},\":pk\":{\"S\":\"a\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"a\"}]");

    /* an OR with one branch that does not pin scans */
    s = SELECT("Music", OR(EQ(P("Artist"), S("a")), AND(EQ(P("x"), N("1")), EQ(P("y"), N("2")))));
    plan_ok(&music, &s, PQ_P_SCAN,
            "{\"TableName\":\"Music\","
            "\"FilterExpression\":\"#n0 = :v0 OR (#n1 = :v1 AND #n2 = :v2)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"x\",\"#n2\":\"y\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"N\":\"1\"},"
            "\":v2\":{\"N\":\"2\"}}}",
            NULL);
}

static void
test_ddb_pq_plan__get_needs_exactly_the_key(void **state)
{
    struct pq_statement s;
    (void)state;

    s = SELECT("Music", AND(EQ(P("SongTitle"), S("t")), EQ(P("Artist"), S("a"))));
    project(&s, "Artist");
    project(&s, "info.tags[1]");
    project(&s, "Year");
    plan_ok(
        &music, &s, PQ_P_GET,
        /* a SELECT list reads the whole item: the executor picks the paths */
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}}}",
        NULL);

    /* the partition key alone on a table with a sort key: a Query */
    s = SELECT("Music", EQ(P("Artist"), S("a")));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 = :v0\",\"ExpressionAttributeNames\":{\"#n0\":\"Artist\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":pk\":{\"S\":\"a\"}},"
            "\"ScanIndexForward\":true}",
            "[{\"S\":\"a\"}]");

    /* a key value of the wrong type */
    s = SELECT("Orders", EQ(P("OrderID"), S("100")));
    plan_err(&orders, &s, KEY_TYPE_MSG("OrderID"));
    s = SELECT("Orders", IN(P("OrderID"), N("1"), S("2")));
    plan_err(&orders, &s, KEY_TYPE_MSG("OrderID"));
}

/* A SELECT list answers each path under its last map key and the indexes after it; two
 * paths with one such name are refused. */
static void
test_ddb_pq_plan__select_list_names(void **state)
{
    struct pq_statement s;
    struct ddb_path p;
    char name[64];
    json_t *item, *got, *want;
    (void)state;

    p = mkpath("a");
    ddb_pq_select_name(&p, name, sizeof(name));
    assert_string_equal(name, "a");
    p = mkpath("m.x");
    ddb_pq_select_name(&p, name, sizeof(name));
    assert_string_equal(name, "x");
    p = mkpath("l[1]");
    ddb_pq_select_name(&p, name, sizeof(name));
    assert_string_equal(name, "l[1]");
    p = mkpath("a.b[0][2]");
    ddb_pq_select_name(&p, name, sizeof(name));
    assert_string_equal(name, "b[0][2]");
    p = mkpath("a[1].c");
    ddb_pq_select_name(&p, name, sizeof(name));
    assert_string_equal(name, "c");

    s = SELECT("Orders", EQ(P("OrderID"), N("1")));
    project(&s, "m.x");
    project(&s, "l[1]");
    project(&s, "gone");
    item = json_loads("{\"OrderID\":{\"N\":\"1\"},\"m\":{\"M\":{\"x\":{\"N\":\"3\"},"
                      "\"y\":{\"S\":\"n\"}}},\"l\":{\"L\":[{\"S\":\"e0\"},{\"S\":\"e1\"}]}}",
                      0, NULL);
    assert_non_null(item);
    got = ddb_pq_select_project(&s, item);
    assert_non_null(got);
    want = json_loads("{\"x\":{\"N\":\"3\"},\"l[1]\":{\"S\":\"e1\"}}", 0, NULL);
    assert_true(json_equal(got, want));
    json_decref(want);
    json_decref(got);
    json_decref(item);

    project(&s, "o.x");
    plan_err(&orders, &s, "Duplicate identifiers in select clause: x");
    s = SELECT("Orders", EQ(P("OrderID"), N("1")));
    project(&s, "n");
    project(&s, "n");
    plan_err(&orders, &s, "Duplicate identifiers in select clause: n");
}

static void
test_ddb_pq_plan__sort_key_conditions(void **state)
{
    struct pq_statement s;
    (void)state;

    /* v < sk is written sk > v; the value keeps its placeholder in both expressions */
    s = SELECT("Music", AND(EQ(P("Artist"), S("a")), CMP(DDB_LT, S("m"), P("SongTitle"))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk AND #n1 > :v0\","
            "\"FilterExpression\":\"#n0 = :v1 AND :v0 < #n1\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"m\"},\":v1\":{\"S\":\"a\"},"
            "\":pk\":{\"S\":\"a\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"a\"}]");

    s = SELECT("Music", AND(BETWEEN(P("SongTitle"), S("a"), S("c")), EQ(P("Artist"), S("x"))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\","
            "\"KeyConditionExpression\":\"#n0 = :pk AND #n1 BETWEEN :v0 AND :v1\","
            "\"FilterExpression\":\"#n1 BETWEEN :v0 AND :v1 AND #n0 = :v2\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"S\":\"c\"},"
            "\":v2\":{\"S\":\"x\"},\":pk\":{\"S\":\"x\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"x\"}]");

    /* begins_with; a <> on the sort key is only a filter; the first usable conjunct wins */
    s = SELECT("Music", AND(AND(EQ(P("Artist"), S("x")), CMP(DDB_NE, P("SongTitle"), S("q"))),
                            AND(FN("begins_with", 2, P("SongTitle"), S("Lo")),
                                CMP(DDB_GE, P("SongTitle"), S("L")))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\","
            "\"KeyConditionExpression\":\"#n0 = :pk AND begins_with(#n1, :v0)\","
            "\"FilterExpression\":\"#n0 = :v1 AND #n1 <> :v2 AND begins_with(#n1, :v0) AND "
            "#n1 >= :v3\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"Lo\"},\":v1\":{\"S\":\"x\"},"
            "\":v2\":{\"S\":\"q\"},\":v3\":{\"S\":\"L\"},\":pk\":{\"S\":\"x\"}},"
            "\"ScanIndexForward\":true}",
            "[{\"S\":\"x\"}]");

    /* a sort-key condition across partitions: it holds in each of them */
    s = SELECT("Music", AND(IN(P("Artist"), S("b"), S("a")), CMP(DDB_LE, P("SongTitle"), S("m"))));
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk AND #n1 <= :v0\","
            "\"FilterExpression\":\"#n0 IN (:v1, :v2) AND #n1 <= :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"m\"},\":v1\":{\"S\":\"b\"},"
            "\":v2\":{\"S\":\"a\"},\":pk\":{\"S\":\"a\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"a\"},{\"S\":\"b\"}]");

    /* the sort key compared with a value of the wrong type */
    s = SELECT("Music", AND(EQ(P("Artist"), S("x")), CMP(DDB_GT, P("SongTitle"), N("1"))));
    plan_err(&music, &s, KEY_TYPE_MSG("SongTitle"));
}

/* ---- SELECT: conditions as text ------------------------------------------------------------- */

static void
test_ddb_pq_plan__condition_text(void **state)
{
    static const struct {
        const char *name;
        const char *want;
    } cases[] = {
        {"and-or", "(#n0 = :v0 OR #n1 <> :v1) AND NOT (#n2 < :v2)"},
        {"chains", "(#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2) OR #n3 = :v3"},
        {"or-of-ands", "#n0 <= :v0 OR (#n1 >= :v1 AND (#n2 > :v2 OR #n0 = :v3))"},
        {"missing", "attribute_not_exists(#n0) AND attribute_exists(#n1.#n2[0])"},
        {"null", "#n0 = :v0 AND NOT (#n1 = :v1)"},
        {"functions", "contains(#n0, :v0) OR attribute_type(#n1, :v1) OR size(#n2) > :v2"},
        {"not-not", "NOT (NOT (#n0 IN (:v0)))"},
        {"reserved", "#n0 = :v0 AND #n1.#n2 = :v1"},
    };
    struct pq_expr *trees[ARRAY_SIZE(cases)];
    (void)state;

    trees[0] =
        AND(OR(EQ(P("a"), N("1")), CMP(DDB_NE, P("b"), N("2"))), NOT(CMP(DDB_LT, P("c"), N("3"))));
    trees[1] = OR(AND(AND(EQ(P("a"), N("1")), EQ(P("b"), N("2"))), EQ(P("c"), N("3"))),
                  EQ(P("d"), N("4")));
    trees[2] =
        OR(CMP(DDB_LE, P("a"), N("1")),
           AND(CMP(DDB_GE, P("b"), N("2")), OR(CMP(DDB_GT, P("c"), N("3")), EQ(P("a"), N("4")))));
    trees[3] = AND(IS(P("x"), false, false), IS(P("y.z[0]"), false, true));
    trees[4] = AND(IS(P("x"), true, false), IS(P("y"), true, true));
    trees[5] =
        OR(OR(FN("contains", 2, P("tags"), S("red")), FN("attribute_type", 2, P("x"), S("N"))),
           CMP(DDB_GT, FN("size", 1, P("l")), N("3")));
    trees[6] = NOT(NOT(IN(P("a"), N("1"))));
    /* DynamoDB reserved words and a name with a dot never reach the text raw */
    trees[7] = AND(EQ(P("size"), N("1")), EQ(P("year.x y"), N("2")));

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *names = json_object(), *values = json_object();
        struct ddb_expr_ctx ctx;
        struct buf b;
        char err[256] = "";

        buf_init(&b, 1 << 16);
        if (ddb_pq_condition_text(trees[i], &b, names, values, err, sizeof(err)) != 0)
            fail_msg("%s: %s", cases[i].name, err);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("%s\n  got  %s\n  want %s", cases[i].name, b.data, cases[i].want);
        /* every placeholder is used and the text is DynamoDB's grammar */
        ddb_expr_ctx_init(&ctx, &A, json_object_size(names) ? names : NULL,
                          json_object_size(values) ? values : NULL);
        if (!ddb_expr_parse_condition(&ctx, DDB_EXPR_FILTER, b.data) ||
            ddb_expr_check_unused(&ctx, true) != 0)
            fail_msg("%s: %s", cases[i].name, ctx.err);
        ddb_expr_ctx_release(&ctx);
        if (i == 4) {
            /* IS NULL: equal to the NULL value (a missing attribute is not NULL) */
            json_t *null = json_pack("{s:b}", "NULL", 1);
            assert_true(json_equal(json_object_get(values, ":v0"), null));
            assert_true(json_equal(json_object_get(values, ":v1"), null));
            json_decref(null);
        }
        if (i == 7) {
            assert_string_equal(json_string_value(json_object_get(names, "#n0")), "size");
            assert_string_equal(json_string_value(json_object_get(names, "#n1")), "year");
            assert_string_equal(json_string_value(json_object_get(names, "#n2")), "x y");
        }
        buf_release(&b);
        json_decref(names);
        json_decref(values);
    }
}

static void
test_ddb_pq_plan__condition_text_errors(void **state)
{
    static const char *const want[] = {
        "Unrecognized function: lower",
        "Unsupported operator in Condition Expression. Operator: +",
        "Unrecognized function: set_add",
    };
    struct pq_expr *trees[3];
    (void)state;

    trees[0] = EQ(FN("lower", 1, P("a")), S("x"));
    trees[1] = EQ(node(PQ_E_PLUS, 2, P("a"), N("1")), N("2"));
    trees[2] = FN("set_add", 2, P("a"), V("{\"SS\":[\"x\"]}"));
    for (unsigned i = 0; i < ARRAY_SIZE(trees); i++) {
        json_t *names = json_object(), *values = json_object();
        struct buf b;
        char err[256] = "";

        buf_init(&b, 1 << 16);
        assert_int_equal(ddb_pq_condition_text(trees[i], &b, names, values, err, sizeof(err)), -1);
        assert_string_equal(err, want[i]);
        buf_release(&b);
        json_decref(names);
        json_decref(values);
    }
}

/* ---- SELECT: ORDER BY and indexes ------------------------------------------------------------ */

static void
test_ddb_pq_plan__order_by(void **state)
{
    struct pq_statement s;
    (void)state;

    s = SELECT("Music", NULL);
    order_by(&s, "SongTitle", false);
    plan_err(&music, &s, "Must have WHERE clause in the statement when using ORDER BY clause.");

    s = SELECT("Music", EQ(P("SongTitle"), S("t")));
    order_by(&s, "SongTitle", false);
    plan_err(&music, &s,
             "Must have at least one non-optional hash key condition in WHERE clause when "
             "using ORDER BY clause.");

    s = SELECT("Music", EQ(P("Artist"), S("a")));
    order_by(&s, "Album", false);
    plan_err(&music, &s,
             "Variable reference Album in ORDER BY clause must be part of the "
             "primary key");

    /* DESC on the sort key reads each partition backwards */
    s = SELECT("Music", EQ(P("Artist"), S("a")));
    order_by(&s, "SongTitle", true);
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 = :v0\",\"ExpressionAttributeNames\":{\"#n0\":\"Artist\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":pk\":{\"S\":\"a\"}},"
            "\"ScanIndexForward\":false}",
            "[{\"S\":\"a\"}]");

    /* DESC on the partition key reads the partitions in reverse order; ASC changes nothing */
    s = SELECT("Music", IN(P("Artist"), S("a"), S("c"), S("b")));
    order_by(&s, "Artist", true);
    order_by(&s, "SongTitle", false);
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 IN (:v0, :v1, :v2)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"S\":\"c\"},"
            "\":v2\":{\"S\":\"b\"},\":pk\":{\"S\":\"c\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"c\"},{\"S\":\"b\"},{\"S\":\"a\"}]");

    /* on an index, its own keys: Year/SongTitle, not the table's Artist */
    s = SELECT("Music", EQ(P("Year"), N("1999")));
    s.index = "ByYear";
    order_by(&s, "Artist", false);
    plan_err(&music, &s,
             "Variable reference Artist in ORDER BY clause must be part of the "
             "primary key");
    s = SELECT("Music", EQ(P("Year"), N("1999")));
    s.index = "ByYear";
    order_by(&s, "SongTitle", true);
    plan_ok(&music, &s, PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"IndexName\":\"ByYear\","
            "\"KeyConditionExpression\":\"#n0 = :pk\",\"FilterExpression\":\"#n0 = :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Year\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1999\"},\":pk\":{\"N\":\"1999\"}},"
            "\"ScanIndexForward\":false}",
            "[{\"N\":\"1999\"}]");

    /* a GetItem may carry an ORDER BY on its key (one item: nothing to order) */
    s = SELECT("Orders", EQ(P("OrderID"), N("1")));
    order_by(&s, "OrderID", true);
    plan_ok(&orders, &s, PQ_P_GET, "{\"TableName\":\"Orders\",\"Key\":{\"OrderID\":{\"N\":\"1\"}}}",
            NULL);
}

static void
test_ddb_pq_plan__indexes(void **state)
{
    struct pq_statement s;
    (void)state;

    s = SELECT("Music", EQ(P("Artist"), S("a")));
    s.index = "Nope";
    plan_err(&music, &s, "The table does not have the specified index");

    /* the table's whole key on a GSI is not the GSI's key: a Scan of the index */
    s = SELECT("Music", AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t"))));
    s.index = "ByYear";
    plan_ok(&music, &s, PQ_P_SCAN,
            "{\"TableName\":\"Music\",\"IndexName\":\"ByYear\","
            "\"FilterExpression\":\"#n0 = :v0 AND #n1 = :v1\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"S\":\"t\"}}}",
            NULL);

    /* an LSI shares the table's partition key; its sort key is Album; never a GetItem */
    s = SELECT("Music", AND(EQ(P("Artist"), S("a")), EQ(P("Album"), S("b"))));
    s.index = "ByAlbum";
    project(&s, "SongTitle");
    plan_ok(
        &music, &s, PQ_P_QUERY,
        "{\"TableName\":\"Music\",\"IndexName\":\"ByAlbum\","
        "\"KeyConditionExpression\":\"#n0 = :pk AND #n1 = :v0\","
        "\"FilterExpression\":\"#n0 = :v1 AND #n1 = :v0\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"Album\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"b\"},\":v1\":{\"S\":\"a\"},"
        "\":pk\":{\"S\":\"a\"}},\"ScanIndexForward\":true}",
        "[{\"S\":\"a\"}]");

    /* no write names an index */
    s = (struct pq_statement){
        .kind = PQ_DELETE, .table = "Music", .index = "ByYear", .where = EQ(P("Artist"), S("a"))};
    plan_err(&music, &s, "Writes on indexes are not supported: ByYear");
    s = (struct pq_statement){.kind = PQ_EXISTS,
                              .table = "Music",
                              .index = "ByYear",
                              .star = true,
                              .where = EQ(P("Artist"), S("a"))};
    plan_err(&music, &s, "Operations on indices are not supported in transactions");
}

static void
test_ddb_pq_plan__index_filter_projection(void **state)
{
    const char *inc[] = {"inc"};
    struct ddb_index ix[] = {
        {.name = "gsi-inc",
         .global = true,
         .key = {"g", "S", NULL, NULL},
         .proj = DDB_PROJ_INCLUDE,
         .include = inc,
         .n_include = 1},
        {.name = "lsi-keys",
         .global = false,
         .key = {"pk", "S", "l2", "S"},
         .proj = DDB_PROJ_KEYS_ONLY},
    };
    struct ddb_table t = {
        .name = "T", .key = {"pk", "S", "sk", "S"}, .indexes = ix, .n_indexes = 2};
    struct pq_statement s;
    (void)state;

    /* attributes the index lacks, each once, in the order the WHERE names them */
    s = SELECT("T", AND(AND(EQ(P("g"), S("y")), EQ(P("np"), S("x"))),
                        OR(EQ(P("np.a"), S("x")), FN("contains", 2, P("zz"), S("x")))));
    s.index = "gsi-inc";
    plan_err(&t, &s,
             "One or more parameter values were invalid: Secondary index gsi-inc does "
             "not project one or more filter attributes: [np, zz]");
    s = SELECT("T", AND(EQ(P("pk"), S("p")), EQ(P("np"), S("x"))));
    s.index = "lsi-keys";
    plan_err(&t, &s,
             "One or more parameter values were invalid: Secondary index lsi-keys does "
             "not project one or more filter attributes: [np]");

    /* keys of the table and the index, and included attributes, are there */
    s = SELECT("T", AND(AND(EQ(P("g"), S("y")), EQ(P("inc"), S("i"))),
                        AND(EQ(P("pk"), S("p")), EQ(P("sk"), S("s")))));
    s.index = "gsi-inc";
    plan_ok(&t, &s, PQ_P_QUERY,
            "{\"TableName\":\"T\",\"IndexName\":\"gsi-inc\",\"KeyConditionExpression\":"
            "\"#n0 = :pk\",\"FilterExpression\":\"#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2 AND "
            "#n3 = :v3\",\"ExpressionAttributeNames\":{\"#n0\":\"g\",\"#n1\":\"inc\","
            "\"#n2\":\"pk\",\"#n3\":\"sk\"},\"ExpressionAttributeValues\":{\":v0\":{\"S\":"
            "\"y\"},\":v1\":{\"S\":\"i\"},\":v2\":{\"S\":\"p\"},\":v3\":{\"S\":\"s\"},"
            "\":pk\":{\"S\":\"y\"}},\"ScanIndexForward\":true}",
            "[{\"S\":\"y\"}]");
    s = SELECT("T", EQ(P("l2"), S("k")));
    s.index = "lsi-keys";
    plan_ok(&t, &s, PQ_P_SCAN,
            "{\"TableName\":\"T\",\"IndexName\":\"lsi-keys\",\"FilterExpression\":"
            "\"#n0 = :v0\",\"ExpressionAttributeNames\":{\"#n0\":\"l2\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"k\"}}}",
            NULL);
}

/* ---- INSERT ------------------------------------------------------------------------------------
 */

static void
test_ddb_pq_plan__insert(void **state)
{
    struct pq_statement s = {.kind = PQ_INSERT, .table = "Music"};
    json_t *item = json_loads("{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"},"
                              "\"Year\":{\"N\":\"1999\"}}",
                              0, NULL);
    (void)state;

    json_array_append_new(owned, item);
    s.item = item;
    plan_ok(
        &music, &s, PQ_P_PUT,
        "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"},"
        "\"Year\":{\"N\":\"1999\"}},\"ConditionExpression\":\"attribute_not_exists(#n0)\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\"}}",
        NULL);

    s.returning = PQ_RET_ALL_OLD;
    plan_err(&music, &s, "RETURNING is not supported in INSERT");
    s.returning = PQ_RET_NONE;

    s.item = json_pack("{s:{s:s}}", "Artist", "S", "a");
    json_array_append_new(owned, s.item);
    plan_err(&music, &s, "Key attribute should be present in the item: Key SongTitle");

    s.item = json_pack("{s:{s:s},s:{s:s}}", "Artist", "N", "1", "SongTitle", "S", "t");
    json_array_append_new(owned, s.item);
    plan_err(&music, &s, KEY_TYPE_MSG("Artist"));
}

/* ---- UPDATE ------------------------------------------------------------------------------------
 */

static void
test_ddb_pq_plan__update(void **state)
{
    struct pq_statement s = {.kind = PQ_UPDATE, .table = "Music"};
    (void)state;

    s.where = AND(AND(EQ(P("Artist"), S("a")), CMP(DDB_GT, P("plays"), N("3"))),
                  EQ(P("SongTitle"), S("t")));
    set(&s, PQ_SET, "Year", N("2001"));
    set(&s, PQ_REMOVE, "old", NULL);
    set(&s, PQ_SET, "plays", node(PQ_E_PLUS, 2, P("plays"), N("1")));
    set(&s, PQ_SET, "tags", FN("set_add", 2, P("tags"), V("{\"SS\":[\"x\"]}")));
    set(&s, PQ_SET, "l", FN("list_append", 2, P("l"), V("{\"L\":[{\"N\":\"1\"}]}")));
    set(&s, PQ_SET, "gone", FN("set_delete", 2, P("gone"), V("{\"NS\":[\"1\"]}")));
    set(&s, PQ_SET, "c", FN("if_not_exists", 2, P("c"), N("0")));
    set(&s, PQ_SET, "d", node(PQ_E_MINUS, 2, P("d"), P("c")));
    s.returning = PQ_RET_MODIFIED_NEW;
    plan_ok(
        &music, &s, PQ_P_UPDATE,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}},"
        "\"ConditionExpression\":\"attribute_exists(#n0) AND #n1 > :v0\","
        "\"UpdateExpression\":\"SET #n2 = :v1, #n1 = #n1 + :v2, #n3 = list_append(#n3, :v3), "
        "#n4 = if_not_exists(#n4, :v4), #n5 = #n5 - #n4 REMOVE #n6 ADD #n7 :v5 "
        "DELETE #n8 :v6\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"plays\",\"#n2\":\"Year\","
        "\"#n3\":\"l\",\"#n4\":\"c\",\"#n5\":\"d\",\"#n6\":\"old\",\"#n7\":\"tags\","
        "\"#n8\":\"gone\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"3\"},\":v1\":{\"N\":\"2001\"},"
        "\":v2\":{\"N\":\"1\"},\":v3\":{\"L\":[{\"N\":\"1\"}]},\":v4\":{\"N\":\"0\"},"
        "\":v5\":{\"SS\":[\"x\"]},\":v6\":{\"NS\":[\"1\"]}},"
        "\"ReturnValues\":\"UPDATED_NEW\"}",
        NULL);

    /* only the key in the WHERE (repeated with the same value): attribute_exists alone */
    s = (struct pq_statement){.kind = PQ_UPDATE, .table = "Orders"};
    s.where = AND(EQ(P("OrderID"), N("7")), EQ(N("7.0"), P("OrderID")));
    set(&s, PQ_SET, "a.b[2]", S("x"));
    plan_ok(&orders, &s, PQ_P_UPDATE,
            "{\"TableName\":\"Orders\",\"Key\":{\"OrderID\":{\"N\":\"7\"}},"
            "\"ConditionExpression\":\"attribute_exists(#n0)\","
            "\"UpdateExpression\":\"SET #n1.#n2[2] = :v0\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\",\"#n1\":\"a\",\"#n2\":\"b\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"x\"}}}",
            NULL);
}

static void
test_ddb_pq_plan__update_returning(void **state)
{
    static const struct {
        enum pq_returning r;
        const char *want;
    } cases[] = {
        {PQ_RET_ALL_OLD, "ALL_OLD"},
        {PQ_RET_MODIFIED_OLD, "UPDATED_OLD"},
        {PQ_RET_ALL_NEW, "ALL_NEW"},
        {PQ_RET_MODIFIED_NEW, "UPDATED_NEW"},
    };
    (void)state;

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        struct pq_statement s = {.kind = PQ_UPDATE,
                                 .table = "Orders",
                                 .where = EQ(P("OrderID"), N("1")),
                                 .returning = cases[i].r};
        const struct awslet_error *code;
        struct pq_plan p;
        char err[256];

        set(&s, PQ_REMOVE, "x", NULL);
        assert_int_equal(ddb_pq_plan_table(&A, &orders, &s, &p, &code, err, sizeof(err)), 0);
        assert_string_equal(json_string_value(json_object_get(p.request, "ReturnValues")),
                            cases[i].want);
        ddb_pq_plan_release(&p);
    }
}

static void
test_ddb_pq_plan__update_errors(void **state)
{
    struct pq_statement s;
    (void)state;

    /* the sort key missing, or only in an OR, or only compared with < */
    s = (struct pq_statement){
        .kind = PQ_UPDATE, .table = "Music", .where = EQ(P("Artist"), S("a"))};
    set(&s, PQ_SET, "x", N("1"));
    plan_err(&music, &s, DML_KEY_MSG);
    s.where = AND(EQ(P("Artist"), S("a")), OR(EQ(P("SongTitle"), S("t")), EQ(P("x"), N("1"))));
    plan_err(&music, &s, DML_KEY_MSG);
    s.where = AND(EQ(P("Artist"), S("a")), CMP(DDB_LE, P("SongTitle"), S("t")));
    plan_err(&music, &s, DML_KEY_MSG);
    s.where = NULL;
    plan_err(&music, &s, DML_KEY_MSG);

    /* two different values for one key */
    s.where =
        AND(AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t"))), EQ(P("Artist"), S("b")));
    plan_err(&music, &s,
             "Multiple conditions on same key Artist. Only single item "
             "Update/Insert/Delete are supported");

    /* key values: a scalar key type, then the schema's type */
    s.where = AND(EQ(P("Artist"), V("{\"L\":[]}")), EQ(P("SongTitle"), S("t")));
    plan_err(&music, &s, "Key value must be of type S, N, or B. Key name: Artist, Key type: L");
    s.where = AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), V("{\"B\":\"YQ==\"}")));
    plan_err(&music, &s, KEY_TYPE_MSG("SongTitle"));

    /* set_add / set_delete must name the path they set and add a set */
    s = (struct pq_statement){
        .kind = PQ_UPDATE, .table = "Orders", .where = EQ(P("OrderID"), N("1"))};
    set(&s, PQ_SET, "tags", FN("set_add", 2, P("other"), V("{\"SS\":[\"x\"]}")));
    plan_err(&orders, &s, "The first argument to SET_ADD must equal the assignment value");
    s.sets[0].value = FN("set_delete", 2, P("tags"), S("x"));
    plan_err(&orders, &s, "The second argument to SET_DELETE must be a value with type SET");
    s.sets[0].value = FN("set_add", 1, P("tags"));
    plan_err(&orders, &s, "SET_ADD must have exactly two arguments");
    s.sets[0].value = FN("set_add", 2, P("tags[1]"), V("{\"SS\":[\"x\"]}"));
    plan_err(&orders, &s, "The first argument to SET_ADD must equal the assignment value");
    s.sets[0].value = IS(P("tags"), false, false);
    plan_err(&orders, &s, "IS operator is not supported in update expressions");
}

/* ---- DELETE ------------------------------------------------------------------------------------
 */

static void
test_ddb_pq_plan__delete(void **state)
{
    struct pq_statement s = {.kind = PQ_DELETE, .table = "Music"};
    (void)state;

    /* the key only: no condition, no names or values at all */
    s.where = AND(EQ(P("SongTitle"), S("t")), EQ(P("Artist"), S("a")));
    plan_ok(
        &music, &s, PQ_P_DELETE,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}}}",
        NULL);

    /* other conjuncts are the condition; RETURNING ALL OLD * */
    s.where = AND(AND(EQ(P("SongTitle"), S("t")), OR(IS(P("x"), false, false), EQ(P("x"), N("0")))),
                  AND(EQ(P("Artist"), S("a")), CMP(DDB_LT, P("y"), N("5"))));
    s.returning = PQ_RET_ALL_OLD;
    plan_ok(
        &music, &s, PQ_P_DELETE,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}},"
        "\"ConditionExpression\":\"(attribute_not_exists(#n0) OR #n0 = :v0) AND #n1 < :v1\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"x\",\"#n1\":\"y\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"0\"},\":v1\":{\"N\":\"5\"}},"
        "\"ReturnValues\":\"ALL_OLD\"}",
        NULL);

    s.returning = PQ_RET_MODIFIED_NEW;
    plan_err(&music, &s,
             "Invalid returning clause: RETURNING MODIFIED NEW *. Only RETURNING "
             "ALL OLD * is allowed in DELETE statements.");
    s.returning = PQ_RET_ALL_NEW;
    plan_err(&music, &s,
             "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING "
             "ALL OLD * is allowed in DELETE statements.");

    s.returning = PQ_RET_NONE;
    s.where = EQ(P("SongTitle"), S("t"));
    plan_err(&music, &s, DML_KEY_MSG);
}

/* ---- EXISTS
 * -------------------------------------------------------------------------------------- */

static void
test_ddb_pq_plan__exists(void **state)
{
    struct pq_statement s = {.kind = PQ_EXISTS, .table = "Music", .star = true};
    (void)state;

    s.where = AND(AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t"))),
                  IS(P("Awards"), false, false));
    plan_ok(
        &music, &s, PQ_P_CHECK,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}},"
        "\"ConditionExpression\":\"attribute_exists(#n0) AND attribute_not_exists(#n1)\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"Awards\"}}",
        NULL);

    /* NOT EXISTS: the negation; a second equality on a key is a condition, not the key */
    s.negated = true;
    s.where = AND(AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t"))),
                  OR(EQ(P("Artist"), S("b")), CMP(DDB_GT, P("n"), N("1"))));
    plan_ok(
        &music, &s, PQ_P_CHECK,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"t\"}},"
        "\"ConditionExpression\":\"NOT (attribute_exists(#n0) AND (#n0 = :v0 OR #n1 > :v1))\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"n\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"b\"},\":v1\":{\"N\":\"1\"}}}",
        NULL);

    /* the key and nothing else, or not the whole key, or no WHERE */
    s.where = AND(EQ(P("Artist"), S("a")), EQ(P("SongTitle"), S("t")));
    plan_err(&music, &s, EXISTS_MSG);
    s.where = AND(EQ(P("Artist"), S("a")), CMP(DDB_GT, P("n"), N("1")));
    plan_err(&music, &s, EXISTS_MSG);
    s.where = NULL;
    plan_err(&music, &s, EXISTS_MSG);
    s.where = AND(AND(EQ(P("Artist"), N("1")), EQ(P("SongTitle"), S("t"))), IS(P("x"), 0, 0));
    plan_err(&music, &s, KEY_TYPE_MSG("Artist"));
}

/* ---- whole statements, through the parser ------------------------------------------------------
 */

/* Parse text (params: JSON array or NULL; EXISTS allowed) and plan it on t. */
static void
stmt_ok(const struct ddb_table *t, const char *text, const char *params, enum pq_plan_op op,
        const char *want, const char *want_pks)
{
    json_t *pj = params ? json_loads(params, 0, NULL) : NULL;
    struct pq_statement s;
    char err[1024] = "";

    if (ddb_pq_parse(&A, text, pj, true, &s, err, sizeof(err)) != 0)
        fail_msg("%s: %s", text, err);
    plan_ok(t, &s, op, want, want_pks);
    ddb_pq_statement_release(&s);
    json_decref(pj);
}

static void
stmt_err(const struct ddb_table *t, const char *text, const char *want)
{
    struct pq_statement s;
    char err[1024] = "";

    if (ddb_pq_parse(&A, text, NULL, true, &s, err, sizeof(err)) != 0)
        fail_msg("%s: %s", text, err);
    plan_err(t, &s, want);
    ddb_pq_statement_release(&s);
}

static void
test_ddb_pq_plan__parsed_statements(void **state)
{
    (void)state;

    stmt_ok(&orders, "SELECT * FROM \"Orders\" WHERE OrderID = 100", NULL, PQ_P_GET,
            "{\"TableName\":\"Orders\",\"Key\":{\"OrderID\":{\"N\":\"100\"}}}", NULL);
    stmt_ok(&orders,
            "SELECT OrderID, Total FROM Orders WHERE OrderID IN [1, 3, 2] "
            "ORDER BY OrderID DESC",
            NULL, PQ_P_QUERY,
            "{\"TableName\":\"Orders\",\"KeyConditionExpression\":\"#n0 = :pk\","
            "\"FilterExpression\":\"#n0 IN (:v0, :v1, :v2)\","
            "\"ScanIndexForward\":true,\"ExpressionAttributeNames\":{\"#n0\":\"OrderID\"},"
            "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"},"
            "\":v1\":{\"N\":\"3\"},\":v2\":{\"N\":\"2\"},\":pk\":{\"N\":\"3\"}}}",
            "[{\"N\":\"3\"},{\"N\":\"2\"},{\"N\":\"1\"}]");
    stmt_ok(&music,
            "SELECT * FROM \"Music\".\"ByYear\" WHERE \"Year\" = ? AND SongTitle "
            "BETWEEN 'a' AND 'm'",
            "[{\"N\":\"1999\"}]", PQ_P_QUERY,
            "{\"TableName\":\"Music\",\"IndexName\":\"ByYear\","
            "\"KeyConditionExpression\":\"#n0 = :pk AND #n1 BETWEEN :v0 AND :v1\","
            "\"FilterExpression\":\"#n0 = :v2 AND #n1 BETWEEN :v0 AND :v1\","
            "\"ScanIndexForward\":true,\"ExpressionAttributeNames\":{\"#n0\":\"Year\","
            "\"#n1\":\"SongTitle\"},\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},"
            "\":v1\":{\"S\":\"m\"},\":v2\":{\"N\":\"1999\"},\":pk\":{\"N\":\"1999\"}}}",
            "[{\"N\":\"1999\"}]");
    /* the developer guide's UPDATE example (ql-reference.update) */
    stmt_ok(&music,
            "UPDATE \"Music\" SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} "
            "WHERE Artist='Acme Band' AND SongTitle='PartiQL Rocks' RETURNING ALL NEW *",
            NULL, PQ_P_UPDATE,
            "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"Acme Band\"},"
            "\"SongTitle\":{\"S\":\"PartiQL Rocks\"}},"
            "\"ConditionExpression\":\"attribute_exists(#n0)\","
            "\"UpdateExpression\":\"SET #n1 = :v0, #n2 = :v1\",\"ReturnValues\":\"ALL_NEW\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"AwardsWon\","
            "\"#n2\":\"AwardDetail\"},\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"},"
            "\":v1\":{\"M\":{\"Grammys\":{\"L\":[{\"N\":\"2020\"},{\"N\":\"2018\"}]}}}}}",
            NULL);
    stmt_ok(&music,
            "UPDATE Music SET BandMembers = set_add(BandMembers, <<'newmember'>>) "
            "REMOVE AwardDetail.Grammys[2] WHERE Artist='Acme Band' AND "
            "SongTitle='PartiQL Rocks' AND size(BandMembers) < 5",
            NULL, PQ_P_UPDATE,
            "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"Acme Band\"},"
            "\"SongTitle\":{\"S\":\"PartiQL Rocks\"}},"
            "\"ConditionExpression\":\"attribute_exists(#n0) AND size(#n1) < :v0\","
            "\"UpdateExpression\":\"REMOVE #n2.#n3[2] ADD #n1 :v1\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"BandMembers\","
            "\"#n2\":\"AwardDetail\",\"#n3\":\"Grammys\"},\"ExpressionAttributeValues\":"
            "{\":v0\":{\"N\":\"5\"},\":v1\":{\"SS\":[\"newmember\"]}}}",
            NULL);
    stmt_ok(
        &music, "UPDATE Music SET n = n + ? WHERE Artist = ? AND SongTitle = ?",
        "[{\"N\":\"1\"},{\"S\":\"a\"},{\"S\":\"b\"}]", PQ_P_UPDATE,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"b\"}},"
        "\"ConditionExpression\":\"attribute_exists(#n0)\","
        "\"UpdateExpression\":\"SET #n1 = #n1 + :v0\",\"ExpressionAttributeNames\":"
        "{\"#n0\":\"Artist\",\"#n1\":\"n\"},\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}",
        NULL);
    stmt_ok(&music,
            "DELETE FROM \"Music\" WHERE \"Artist\" = 'Acme Band' AND \"SongTitle\" = "
            "'PartiQL Rocks' RETURNING ALL OLD *",
            NULL, PQ_P_DELETE,
            "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"Acme Band\"},"
            "\"SongTitle\":{\"S\":\"PartiQL Rocks\"}},\"ReturnValues\":\"ALL_OLD\"}",
            NULL);
    stmt_ok(&music,
            "INSERT INTO \"Music\" VALUE {'Artist' : 'Acme Band','SongTitle' : "
            "'PartiQL Rocks', 'n': 1.50}",
            NULL, PQ_P_PUT,
            "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"Acme Band\"},"
            "\"SongTitle\":{\"S\":\"PartiQL Rocks\"},\"n\":{\"N\":\"1.5\"}},"
            "\"ConditionExpression\":\"attribute_not_exists(#n0)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\"}}",
            NULL);
    /* the developer guide's ExecuteTransaction EXISTS example */
    stmt_ok(&music,
            "EXISTS(SELECT * FROM \"Music\" WHERE \"Artist\" = 'Acme Band' AND "
            "\"SongTitle\" = 'PartiQL Rocks' AND \"Awards\" IS MISSING)",
            NULL, PQ_P_CHECK,
            "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"Acme Band\"},"
            "\"SongTitle\":{\"S\":\"PartiQL Rocks\"}},"
            "\"ConditionExpression\":\"attribute_exists(#n0) AND attribute_not_exists(#n1)\","
            "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"Awards\"}}",
            NULL);
    stmt_ok(
        &music,
        "NOT EXISTS(SELECT * FROM Music WHERE Artist = 'a' AND SongTitle = 'b' AND "
        "x IS NOT NULL)",
        NULL, PQ_P_CHECK,
        "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"b\"}},"
        "\"ConditionExpression\":\"NOT (attribute_exists(#n0) AND NOT (#n1 = :v0))\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"Artist\",\"#n1\":\"x\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"NULL\":true}}}",
        NULL);

    stmt_err(&music,
             "DELETE FROM Music WHERE Artist = 'a' AND SongTitle = 'b' RETURNING "
             "MODIFIED OLD *",
             "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is "
             "allowed in DELETE statements.");
    stmt_err(&music, "SELECT * FROM \"Music\".\"nope\" WHERE Artist = 'a'",
             "The table does not have the specified index");
    stmt_err(&music,
             "UPDATE Music SET x = set_delete(y, <<1>>) WHERE Artist = 'a' AND "
             "SongTitle = 'b'",
             "The first argument to SET_DELETE must equal the assignment value");
    stmt_err(&music, "UPDATE Music SET x = 1 WHERE Artist = 'a'", DML_KEY_MSG);
    stmt_err(&music, "INSERT INTO Music VALUE {'Artist': 'a', 'SongTitle': 2}",
             KEY_TYPE_MSG("SongTitle"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__guide_reads_not_scans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__guide_scans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__select_list_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__pins_through_and_or, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__get_needs_exactly_the_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__sort_key_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__condition_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__condition_text_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__order_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__index_filter_projection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__insert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__update_returning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__update_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_plan__parsed_statements, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
