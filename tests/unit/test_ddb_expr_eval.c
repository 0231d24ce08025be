/* test_ddb_expr_eval.c: the expression evaluator (ddb_expr_eval.c) and the legacy parameters
 * (ddb_expr_legacy.c), table-driven with exact results and DynamoDB's messages.
 *
 * Trees are written as small s-expressions so the tables stay readable without the parser:
 *   (= a.b[2] {"N":"1"})   (between n {"N":"1"} {"N":"9"})   (in n {"S":"x"} {"N":"5"})
 *   (and C C)  (or C C)  (not C)  (exists p)  (not_exists p)  (type p V)  (begins p V)
 *   (contains p V)  (size p)  (+ X Y)  (- X Y)  (if_not_exists p X)  (list_append X Y)
 * and updates as a list of actions: (SET p X) (REMOVE p) (ADD p V) (DELETE p V). A bare word
 * is a document path, a {...} is an attribute value (given the name ":v"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "core/arena.h"
#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_value.h"

static struct arena arena;
static struct ddb_expr_ctx ctx;
static json_t *keep; /* values the trees point to */

static int
setup(void **state)
{
    arena_init(&arena);
    memset(&ctx, 0, sizeof(ctx));
    ctx.arena = &arena;
    keep = json_array();
    return 0;
}

static int
teardown(void **state)
{
    json_decref(keep);
    arena_release(&arena);
    return 0;
}

static json_t *
J(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &err);

    if (!j)
        fail_msg("bad JSON in test: %s: %s", text, err.text);
    return j;
}

/* Parsed JSON that lives until the test ends. */
static const json_t *
K(const char *text)
{
    json_t *j = J(text);

    json_array_append_new(keep, j);
    return j;
}

/* ---- s-expressions to trees ------------------------------------------------------------------ */

struct sx {
    const char *p;
};

static void
skip_ws(struct sx *s)
{
    while (isspace((unsigned char)*s->p))
        s->p++;
}

static struct ddb_node *
new_node(enum ddb_node_type t, unsigned n)
{
    struct ddb_node *node = arena_calloc(&arena, sizeof(*node));

    node->type = t;
    node->n_args = n;
    node->args = n ? arena_calloc(&arena, n * sizeof(*node->args)) : NULL;
    return node;
}

/* a.b[2].c into a path */
static void
parse_path(const char *text, size_t len, struct ddb_path *p)
{
    char *t = arena_strndup(&arena, text, len);

    p->text = arena_strdup(&arena, t);
    p->e = arena_calloc(&arena, 16 * sizeof(*p->e));
    p->n = 0;
    for (char *c = t; *c;) {
        if (*c == '[') {
            p->e[p->n].name = NULL;
            p->e[p->n++].index = (unsigned)strtoul(c + 1, &c, 10);
            c++; /* ']' */
        } else {
            char *end = c + strcspn(c, ".[");

            p->e[p->n++].name = arena_strndup(&arena, c, (size_t)(end - c));
            c = end;
        }
        if (*c == '.')
            c++;
    }
}

static struct ddb_node *sx_expr(struct sx *s);

static struct ddb_node *
sx_value(struct sx *s)
{
    const char *start = s->p;
    int depth = 0;
    bool str = false;
    struct ddb_node *n;
    char *text;
    json_t *v;

    do {
        char c = *s->p++;

        if (str) {
            if (c == '\\')
                s->p++;
            else if (c == '"')
                str = false;
        } else if (c == '"')
            str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
    } while (depth > 0);
    text = arena_strndup(&arena, start, (size_t)(s->p - start));
    v = J(text);
    json_array_append_new(keep, v);
    n = new_node(DDB_N_VALUE, 0);
    n->value = v;
    n->value_name = ":v";
    return n;
}

static const struct {
    const char *word;
    enum ddb_node_type type;
    int sub; /* enum ddb_cmp or enum ddb_func */
} ops[] = {
    {"=", DDB_N_CMP, DDB_EQ},
    {"<>", DDB_N_CMP, DDB_NE},
    {"<", DDB_N_CMP, DDB_LT},
    {"<=", DDB_N_CMP, DDB_LE},
    {">", DDB_N_CMP, DDB_GT},
    {">=", DDB_N_CMP, DDB_GE},
    {"between", DDB_N_BETWEEN, 0},
    {"in", DDB_N_IN, 0},
    {"and", DDB_N_AND, 0},
    {"or", DDB_N_OR, 0},
    {"not", DDB_N_NOT, 0},
    {"+", DDB_N_PLUS, 0},
    {"-", DDB_N_MINUS, 0},
    {"exists", DDB_N_FUNC, DDB_F_ATTRIBUTE_EXISTS},
    {"not_exists", DDB_N_FUNC, DDB_F_ATTRIBUTE_NOT_EXISTS},
    {"type", DDB_N_FUNC, DDB_F_ATTRIBUTE_TYPE},
    {"begins", DDB_N_FUNC, DDB_F_BEGINS_WITH},
    {"contains", DDB_N_FUNC, DDB_F_CONTAINS},
    {"size", DDB_N_FUNC, DDB_F_SIZE},
    {"if_not_exists", DDB_N_FUNC, DDB_F_IF_NOT_EXISTS},
    {"list_append", DDB_N_FUNC, DDB_F_LIST_APPEND},
};

static size_t
word_len(const char *p)
{
    size_t n = 0;

    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != '(' && p[n] != ')')
        n++;
    return n;
}

static struct ddb_node *
sx_expr(struct sx *s)
{
    struct ddb_node *args[32], *n;
    unsigned na = 0;
    size_t len;
    size_t op;

    skip_ws(s);
    if (*s->p == '{')
        return sx_value(s);
    len = word_len(s->p);
    if (*s->p != '(') {
        n = new_node(DDB_N_PATH, 0);
        parse_path(s->p, len, &n->path);
        s->p += len;
        return n;
    }
    s->p++;
    skip_ws(s);
    len = word_len(s->p);
    for (op = 0; op < ARRAY_SIZE(ops); op++)
        if (strlen(ops[op].word) == len && strncmp(ops[op].word, s->p, len) == 0)
            break;
    if (op == ARRAY_SIZE(ops))
        fail_msg("unknown operator in test: %.*s", (int)len, s->p);
    s->p += len;
    for (skip_ws(s); *s->p != ')'; skip_ws(s))
        args[na++] = sx_expr(s);
    s->p++;
    n = new_node(ops[op].type, na);
    if (na)
        memcpy(n->args, args, na * sizeof(*args));
    if (ops[op].type == DDB_N_CMP)
        n->cmp = (enum ddb_cmp)ops[op].sub;
    if (ops[op].type == DDB_N_FUNC)
        n->fn = (enum ddb_func)ops[op].sub;
    return n;
}

static struct ddb_node *
X(const char *text)
{
    struct sx s = {text};

    return sx_expr(&s);
}

/* "(SET a X) (REMOVE b) ..." */
static struct ddb_update *
U(const char *text)
{
    struct ddb_update *u = arena_calloc(&arena, sizeof(*u));
    struct sx s = {text};

    u->a = arena_calloc(&arena, 32 * sizeof(*u->a));
    for (skip_ws(&s); *s.p; skip_ws(&s)) {
        struct ddb_update_action *a = &u->a[u->n++];
        size_t len;

        assert_int_equal(*s.p++, '(');
        len = word_len(s.p);
        a->op = strncmp(s.p, "SET", len) == 0      ? DDB_UPD_SET
                : strncmp(s.p, "REMOVE", len) == 0 ? DDB_UPD_REMOVE
                : strncmp(s.p, "ADD", len) == 0    ? DDB_UPD_ADD
                                                   : DDB_UPD_DELETE;
        s.p += len;
        skip_ws(&s);
        len = word_len(s.p);
        parse_path(s.p, len, &a->path);
        s.p += len;
        skip_ws(&s);
        if (*s.p != ')')
            a->value = sx_expr(&s);
        skip_ws(&s);
        assert_int_equal(*s.p++, ')');
    }
    return u;
}

/* ---- conditions ------------------------------------------------------------------------------ */

/* "hi there" is aGkgdGhlcmU=, "hi" aGk=, "here" aGVyZQ==; u is é then U+1D11E (3 UTF-16 units,
 * 6 UTF-8 bytes). */
static const char *const ITEM =
    "{\"s\":{\"S\":\"hello\"},\"n\":{\"N\":\"5\"},\"b\":{\"B\":\"aGkgdGhlcmU=\"},"
    "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"aGk=\"]},"
    "\"l\":{\"L\":[{\"N\":\"2\"},{\"S\":\"dog\"},{\"SS\":[\"x\"]}]},"
    "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"L\":[{\"N\":\"-1\"},{\"N\":\"2\"}]}}},"
    "\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true},\"u\":{\"S\":\"\xc3\xa9\xf0\x9d\x84\x9e\"}}";

struct cond_case {
    const char *expr;
    int want;
};

static const struct cond_case cond_cases[] = {
    /* = and <>: same type and value; different types unequal; absent never equal */
    {"(= n {\"N\":\"5\"})", 1},
    {"(= n {\"N\":\"5.00\"})", 1},
    {"(= n {\"S\":\"5\"})", 0},
    {"(<> n {\"S\":\"5\"})", 1},
    {"(<> n {\"N\":\"5\"})", 0},
    {"(= s {\"S\":\"hello\"})", 1},
    {"(= ss {\"SS\":[\"b\",\"a\"]})", 1},
    {"(= ns {\"NS\":[\"2.50\",\"1\"]})", 1},
    {"(= l {\"L\":[{\"N\":\"2\"},{\"S\":\"dog\"},{\"SS\":[\"x\"]}]})", 1},
    {"(= m.y {\"L\":[{\"N\":\"-1\"},{\"N\":\"2\"}]})", 1},
    {"(= t {\"BOOL\":true})", 1},
    {"(= t {\"BOOL\":false})", 0},
    {"(= z {\"NULL\":true})", 1},
    {"(= q {\"N\":\"1\"})", 0},
    {"(<> q {\"N\":\"1\"})", 1},
    {"(= q r)", 0},
    {"(<> q r)", 1},
    {"(= n n)", 1},
    {"(= m.x {\"N\":\"1\"})", 1},
    {"(= m.y[1] {\"N\":\"2\"})", 1},
    {"(= m.y[2] {\"N\":\"2\"})", 0},
    {"(= l[1] {\"S\":\"dog\"})", 1},
    {"(= l.x {\"S\":\"dog\"})", 0},
    /* order: S, N, B only */
    {"(< n {\"N\":\"10\"})", 1},
    {"(< n {\"N\":\"-10\"})", 0},
    {"(<= n {\"N\":\"5\"})", 1},
    {"(<= n {\"N\":\"4.99\"})", 0},
    {"(> n {\"N\":\"4.99\"})", 1},
    {"(>= n {\"N\":\"5\"})", 1},
    {"(> n {\"N\":\"5\"})", 0},
    {"(< s {\"S\":\"help\"})", 1},
    {"(> s {\"S\":\"Hello\"})", 1},
    {"(< b {\"B\":\"aWk=\"})", 1},
    {"(< n {\"S\":\"9\"})", 0},
    {"(> n {\"S\":\"9\"})", 0},
    {"(< ss {\"SS\":[\"c\"]})", 0},
    {"(< t {\"BOOL\":true})", 0},
    {"(< q {\"N\":\"1\"})", 0},
    {"(>= q {\"N\":\"1\"})", 0},
    /* BETWEEN */
    {"(between n {\"N\":\"1\"} {\"N\":\"5\"})", 1},
    {"(between n {\"N\":\"5\"} {\"N\":\"9\"})", 1},
    {"(between n {\"N\":\"6\"} {\"N\":\"9\"})", 0},
    {"(between s {\"S\":\"a\"} {\"S\":\"z\"})", 1},
    {"(between n {\"S\":\"a\"} {\"S\":\"z\"})", 0},
    {"(between n m.x {\"N\":\"5\"})", 1},
    {"(between q {\"N\":\"1\"} {\"N\":\"9\"})", 0},
    {"(between n r {\"N\":\"9\"})", 0},
    /* IN: equality with any; values of mixed types allowed */
    {"(in n {\"S\":\"x\"} {\"N\":\"5\"})", 1},
    {"(in n {\"S\":\"x\"} {\"N\":\"6\"})", 0},
    {"(in ss {\"SS\":[\"a\",\"b\"]})", 1},
    {"(in q {\"N\":\"5\"})", 0},
    /* attribute_exists / attribute_not_exists / attribute_type */
    {"(exists s)", 1},
    {"(exists q)", 0},
    {"(exists m.y[1])", 1},
    {"(exists m.y[2])", 0},
    {"(exists m.x.z)", 0},
    {"(exists z)", 1},
    {"(not_exists q)", 1},
    {"(not_exists m.x)", 0},
    {"(type n {\"S\":\"N\"})", 1},
    {"(type n {\"S\":\"S\"})", 0},
    {"(type z {\"S\":\"NULL\"})", 1},
    {"(type t {\"S\":\"BOOL\"})", 1},
    {"(type ns {\"S\":\"NS\"})", 1},
    {"(type m {\"S\":\"M\"})", 1},
    {"(type l {\"S\":\"L\"})", 1},
    {"(type q {\"S\":\"S\"})", 0},
    /* begins_with: S and B */
    {"(begins s {\"S\":\"hel\"})", 1},
    {"(begins s {\"S\":\"hello\"})", 1},
    {"(begins s {\"S\":\"hello!\"})", 0},
    {"(begins s {\"S\":\"lo\"})", 0},
    {"(begins b {\"B\":\"aGk=\"})", 1},
    {"(begins b {\"B\":\"aGVy\"})", 0},
    {"(begins b {\"S\":\"hi\"})", 0},
    {"(begins n {\"S\":\"5\"})", 0},
    {"(begins q {\"S\":\"h\"})", 0},
    /* contains: substring, set member, list element */
    {"(contains s {\"S\":\"ell\"})", 1},
    {"(contains s {\"S\":\"elo\"})", 0},
    {"(contains ss {\"S\":\"b\"})", 1},
    {"(contains ss {\"S\":\"c\"})", 0},
    {"(contains ss {\"N\":\"1\"})", 0},
    {"(contains ns {\"N\":\"2.50\"})", 1},
    {"(contains ns {\"N\":\"3\"})", 0},
    {"(contains bs {\"B\":\"aGk=\"})", 1},
    {"(contains b {\"B\":\"aGVyZQ==\"})", 1},
    {"(contains b {\"B\":\"ZG9n\"})", 0},
    {"(contains b {\"SS\":[\"x\"]})", 0},
    {"(contains l {\"N\":\"2\"})", 1},
    {"(contains l {\"SS\":[\"x\"]})", 1},
    {"(contains l {\"S\":\"cat\"})", 0},
    {"(contains n {\"N\":\"5\"})", 0},
    {"(contains q {\"S\":\"a\"})", 0},
    {"(contains s m.q)", 0},
    /* size(): UTF-16 units of a string, bytes of a binary, elements of sets, lists, maps */
    {"(= (size s) {\"N\":\"5\"})", 1},
    {"(= (size u) {\"N\":\"3\"})", 1},
    {"(= (size b) {\"N\":\"8\"})", 1},
    {"(= (size ss) {\"N\":\"2\"})", 1},
    {"(= (size bs) {\"N\":\"1\"})", 1},
    {"(= (size l) {\"N\":\"3\"})", 1},
    {"(= (size m) {\"N\":\"2\"})", 1},
    {"(= (size m.y) {\"N\":\"2\"})", 1},
    {"(< (size s) {\"N\":\"6\"})", 1},
    {"(>= (size s) {\"N\":\"6\"})", 0},
    {"(= (size s) {\"S\":\"5\"})", 0},
    {"(= (size n) {\"N\":\"1\"})", 0},
    {"(= (size t) {\"N\":\"1\"})", 0},
    {"(= (size z) {\"N\":\"1\"})", 0},
    {"(= (size q) {\"N\":\"0\"})", 0},
    {"(= (size s) n)", 1},
    /* logic */
    {"(and (= n {\"N\":\"5\"}) (= s {\"S\":\"hello\"}))", 1},
    {"(and (= n {\"N\":\"5\"}) (= s {\"S\":\"bye\"}))", 0},
    {"(or (= n {\"N\":\"6\"}) (= s {\"S\":\"hello\"}))", 1},
    {"(or (= n {\"N\":\"6\"}) (exists q))", 0},
    {"(not (= n {\"N\":\"5\"}))", 0},
    {"(not (exists q))", 1},
    {"(and)", 1},
    {"(or)", 0},
};

static void
test_ddb_expr_eval__conditions(void **state)
{
    json_t *item = J(ITEM);

    for (size_t i = 0; i < ARRAY_SIZE(cond_cases); i++) {
        const struct cond_case *c = &cond_cases[i];
        int got = ddb_expr_eval(&ctx, X(c->expr), item);

        if (got != c->want)
            fail_msg("%s: got %d (%s), want %d", c->expr, got, got < 0 ? ctx.err : "", c->want);
    }
    json_decref(item);
}

static void
test_ddb_expr_eval__no_item_means_every_path_absent(void **state)
{
    assert_int_equal(ddb_expr_eval(&ctx, X("(not_exists pk)"), NULL), 1);
    assert_int_equal(ddb_expr_eval(&ctx, X("(exists pk)"), NULL), 0);
    assert_int_equal(ddb_expr_eval(&ctx, X("(<> a {\"N\":\"1\"})"), NULL), 1);
    assert_int_equal(ddb_expr_eval(&ctx, X("(= a {\"N\":\"1\"})"), NULL), 0);
    assert_int_equal(ddb_expr_eval(&ctx, X("(contains a {\"S\":\"x\"})"), NULL), 0);
}

struct err_case {
    const char *expr;
    const char *msg;
};

static const struct err_case cond_errors[] = {
    {"(type n {\"S\":\"DOG\"})", "Invalid ConditionExpression: Invalid attribute type name found; "
                                 "type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
    /* an invalid type is an error even when the attribute is absent */
    {"(type q {\"S\":\"s\"})", "Invalid ConditionExpression: Invalid attribute type name found; "
                               "type: s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
    {"(type n {\"N\":\"1\"})",
     "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
     "function: attribute_type, operand type: N"},
    {"(begins s {\"N\":\"1\"})", "Invalid ConditionExpression: Incorrect operand type for operator "
                                 "or function; operator or function: begins_with, operand type: N"},
    {"(exists {\"N\":\"1\"})", "Invalid ConditionExpression: Operator or function requires a "
                               "document path; operator or function: attribute_exists"},
    {"(between n {\"N\":\"2\"} {\"N\":\"1\"})",
     "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
     "equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
     "AttributeValue: {N:1}"},
    {"(between q {\"N\":\"2\"} {\"S\":\"dog\"})",
     "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and "
     "upper bounds; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
     "AttributeValue: {S:dog}"},
};

static void
test_ddb_expr_eval__condition_errors(void **state)
{
    json_t *item = J(ITEM);

    for (size_t i = 0; i < ARRAY_SIZE(cond_errors); i++) {
        assert_int_equal(ddb_expr_eval(&ctx, X(cond_errors[i].expr), item), -1);
        assert_string_equal(ctx.err, cond_errors[i].msg);
    }
    json_decref(item);
}

static void
test_ddb_expr_eval__path_get(void **state)
{
    json_t *item = J(ITEM);
    struct ddb_path p;

    parse_path("m.y[1]", 6, &p);
    assert_true(json_equal(ddb_path_get(item, &p), K("{\"N\":\"2\"}")));
    parse_path("m.y[9]", 6, &p);
    assert_null(ddb_path_get(item, &p));
    parse_path("s.x", 3, &p);
    assert_null(ddb_path_get(item, &p));
    parse_path("l[1]", 4, &p);
    assert_true(json_equal(ddb_path_get(item, &p), K("{\"S\":\"dog\"}")));
    assert_null(ddb_path_get(NULL, &p));
    json_decref(item);
}

/* ---- updates --------------------------------------------------------------------------------- */

struct upd_case {
    const char *item;
    const char *update;
    const char *want; /* the item after, or NULL when the update fails */
    const char *msg;  /* the message when it fails */
};

#define N(x) "{\"N\":\"" x "\"}"
#define S(x) "{\"S\":\"" x "\"}"

static const struct upd_case upd_cases[] = {
    /* SET from values and paths */
    {"{}", "(SET a " N("1") ")", "{\"a\":" N("1") "}", NULL},
    {"{\"a\":" S("x") "}", "(SET b a)", "{\"a\":" S("x") ",\"b\":" S("x") "}", NULL},
    {"{\"a\":" S("x") "}", "(SET c z)", NULL,
     "The provided expression refers to an attribute that does not exist in the item"},
    /* every operand reads the item as it was: "SET x = :v, y = x" fails when x was absent */
    {"{}", "(SET x " N("4") ") (SET y x)", NULL,
     "The provided expression refers to an attribute that does not exist in the item"},
    {"{\"a\":" S("x") "}", "(REMOVE a) (SET b a)", "{\"b\":" S("x") "}", NULL},
    /* a copied map is not shared with its source */
    {"{\"a\":{\"M\":{\"k\":" N("1") "}}}", "(SET b a) (SET a.k " N("2") ")",
     "{\"a\":{\"M\":{\"k\":" N("2") "}},\"b\":{\"M\":{\"k\":" N("1") "}}}", NULL},
    /* + and -, exactly */
    {"{\"n\":" N("5") "}", "(SET n (+ n " N("1") "))", "{\"n\":" N("6") "}", NULL},
    {"{\"n\":" N("5") "}", "(SET n (- n " N("7") "))", "{\"n\":" N("-2") "}", NULL},
    {"{\"x\":" N("0.1") "}", "(SET x (+ x " N("0.2") "))", "{\"x\":" N("0.3") "}", NULL},
    {"{\"x\":" N("0.3") "}", "(SET x (- x " N("0.1") "))", "{\"x\":" N("0.2") "}", NULL},
    {"{}", "(SET x (+ " N("99999999999999999999999999999999999999") " " N("1") "))",
     "{\"x\":" N("100000000000000000000000000000000000000") "}", NULL},
    {"{}", "(SET x (- " N("100000000000000000000000000000000000000") " " N("1") "))",
     "{\"x\":" N("99999999999999999999999999999999999999") "}", NULL},
    {"{}", "(SET x (+ " N("12345678901234567890123456789012345678") " " N("0.1") "))", NULL,
     "Attempting to store more than 38 significant digits in a Number"},
    {"{}", "(SET x (+ " N("9.9999999999999999999999999999999999999E+125") " " N("9E+125") "))",
     NULL,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"{}", "(SET x (- " N("1.5E-130") " " N("1E-130") "))", NULL,
     "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
    {"{\"n\":" N("5") "}", "(SET n (+ n q))", NULL,
     "The provided expression refers to an attribute that does not exist in the item"},
    {"{\"n\":" N("5") ",\"s\":" S("x") "}", "(SET n (+ n s))", NULL,
     "An operand in the update expression has an incorrect data type"},
    {"{}", "(SET n (+ " S("x") " " N("1") "))", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
     "function: +, operand type: S"},
    {"{}", "(SET n (- " N("1") " {\"L\":[]}))", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
     "function: -, operand type: L"},
    /* list_append, both orders */
    {"{\"l\":{\"L\":[" N("1") "]}}", "(SET l (list_append l {\"L\":[" N("2") "]}))",
     "{\"l\":{\"L\":[" N("1") "," N("2") "]}}", NULL},
    {"{\"l\":{\"L\":[" N("1") "]}}", "(SET l (list_append {\"L\":[" N("2") "]} l))",
     "{\"l\":{\"L\":[" N("2") "," N("1") "]}}", NULL},
    {"{\"l\":{\"L\":[" N("1") "]}}", "(SET k (list_append l l))",
     "{\"l\":{\"L\":[" N("1") "]},\"k\":{\"L\":[" N("1") "," N("1") "]}}", NULL},
    {"{}", "(SET l (list_append l {\"L\":[]}))", NULL,
     "The provided expression refers to an attribute that does not exist in the item"},
    {"{\"l\":" N("1") "}", "(SET l (list_append l {\"L\":[]}))", NULL,
     "An operand in the update expression has an incorrect data type"},
    {"{}", "(SET l (list_append {\"L\":[]} " S("x") "))", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
     "function: list_append, operand type: S"},
    /* if_not_exists */
    {"{\"n\":" N("5") "}", "(SET n (if_not_exists n " N("7") "))", "{\"n\":" N("5") "}", NULL},
    {"{}", "(SET n (if_not_exists n " N("7") "))", "{\"n\":" N("7") "}", NULL},
    {"{\"a\":" N("2") "}", "(SET b (if_not_exists a " N("7") "))",
     "{\"a\":" N("2") ",\"b\":" N("2") "}", NULL},
    {"{}", "(SET c (+ (if_not_exists c " N("0") ") " N("1") "))", "{\"c\":" N("1") "}", NULL},
    {"{}", "(SET l (list_append (if_not_exists l {\"L\":[]}) {\"L\":[" S("a") "]}))",
     "{\"l\":{\"L\":[" S("a") "]}}", NULL},
    {"{}", "(SET c (if_not_exists " N("1") " " N("0") "))", NULL,
     "Invalid UpdateExpression: Operator or function requires a document path; operator or "
     "function: if_not_exists"},
    /* nested paths */
    {"{\"m\":{\"M\":{\"x\":" N("1") "}}}", "(SET m.y " N("2") ")",
     "{\"m\":{\"M\":{\"x\":" N("1") ",\"y\":" N("2") "}}}", NULL},
    {"{\"m\":{\"M\":{\"x\":" N("1") "}}}", "(REMOVE m.x)", "{\"m\":{\"M\":{}}}", NULL},
    {"{\"a\":{\"M\":{\"c\":{\"L\":[" S("hi") ",{\"M\":{\"x\":{\"M\":{\"y\":{\"L\":[" N("3") ","
     N("5") "," N("7") "]}}}}}]}}}}",
     "(SET a.c[1].x.y[1] " N("9") ")",
     "{\"a\":{\"M\":{\"c\":{\"L\":[" S("hi") ",{\"M\":{\"x\":{\"M\":{\"y\":{\"L\":[" N("3") ","
     N("9") "," N("7") "]}}}}}]}}}}", NULL},
    {"{}", "(SET q.c " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    {"{\"s\":" S("x") "}", "(SET s.c " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    {"{\"l\":{\"L\":[]}}", "(SET l.c " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    {"{\"m\":{\"M\":{}}}", "(SET m[0] " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    {"{\"s\":" S("x") "}", "(REMOVE q.c)", NULL,
     "The document path provided in the update expression is invalid for update"},
    {"{\"l\":{\"L\":[" N("1") "]}}", "(SET l[3].x " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    /* list indexes: replace, append past the end in index order, remove by original index */
    {"{\"a\":{\"L\":[" S("one") "," S("two") "," S("three") "]}}", "(SET a[1] " S("hello") ")",
     "{\"a\":{\"L\":[" S("one") "," S("hello") "," S("three") "]}}", NULL},
    {"{\"a\":{\"L\":[" S("one") "]}}", "(SET a[7] " S("hello") ")",
     "{\"a\":{\"L\":[" S("one") "," S("hello") "]}}", NULL},
    {"{\"a\":{\"L\":[" S("one") "]}}",
     "(SET a[84] " S("a1") ") (SET a[37] " S("a2") ") (SET a[17] " S("a3") ") "
     "(SET a[50] " S("a4") ")",
     "{\"a\":{\"L\":[" S("one") "," S("a3") "," S("a2") "," S("a4") "," S("a1") "]}}", NULL},
    {"{\"a\":{\"L\":[" N("4") "," N("5") "," N("6") "]}}", "(REMOVE a[17])",
     "{\"a\":{\"L\":[" N("4") "," N("5") "," N("6") "]}}", NULL},
    {"{\"a\":{\"L\":[" N("4") "," N("5") "," N("6") "]}}", "(REMOVE a[0]) (REMOVE a[2])",
     "{\"a\":{\"L\":[" N("5") "]}}", NULL},
    {"{\"a\":{\"L\":[" N("1") "]}}", "(REMOVE a[0])", "{\"a\":{\"L\":[]}}", NULL},
    {"{\"a\":{\"L\":[" N("2") "," N("3") "," N("4") "," N("5") "," N("6") "," N("7") "]}}",
     "(REMOVE a[1]) (SET a[3] " N("17") ")",
     "{\"a\":{\"L\":[" N("2") "," N("4") "," N("17") "," N("6") "," N("7") "]}}", NULL},
    {"{\"a\":{\"L\":[" N("2") "," N("3") "," N("4") "," N("5") "," N("6") "," N("7") "]}}",
     "(SET a[3] " N("17") ") (REMOVE a[1])",
     "{\"a\":{\"L\":[" N("2") "," N("4") "," N("17") "," N("6") "," N("7") "]}}", NULL},
    {"{\"a\":{\"L\":[" N("1") "," N("2") "]}}", "(REMOVE a[0]) (SET a[5] " N("9") ")",
     "{\"a\":{\"L\":[" N("2") "," N("9") "]}}", NULL},
    /* ADD: numbers (absent is 0) and sets (absent is empty) */
    {"{\"n\":" N("5") "}", "(ADD n " N("3") ")", "{\"n\":" N("8") "}", NULL},
    {"{\"n\":" N("5") "}", "(ADD n " N("-5.5") ")", "{\"n\":" N("-0.5") "}", NULL},
    {"{}", "(ADD n " N("7") ")", "{\"n\":" N("7") "}", NULL},
    {"{\"x\":" N("0.1") "}", "(ADD x " N("0.2") ")", "{\"x\":" N("0.3") "}", NULL},
    {"{\"n\":" N("99999999999999999999999999999999999999") "}", "(ADD n " N("0.5") ")", NULL,
     "Attempting to store more than 38 significant digits in a Number"},
    {"{\"ss\":{\"SS\":[\"a\",\"b\"]}}", "(ADD ss {\"SS\":[\"b\",\"c\"]})",
     "{\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]}}", NULL},
    {"{\"ns\":{\"NS\":[\"1\",\"2.5\"]}}", "(ADD ns {\"NS\":[\"2.50\",\"3\"]})",
     "{\"ns\":{\"NS\":[\"1\",\"2.5\",\"3\"]}}", NULL},
    {"{\"bs\":{\"BS\":[\"aGk=\"]}}", "(ADD bs {\"BS\":[\"aGk=\",\"aGVyZQ==\"]})",
     "{\"bs\":{\"BS\":[\"aGk=\",\"aGVyZQ==\"]}}", NULL},
    {"{}", "(ADD ss {\"SS\":[\"x\"]})", "{\"ss\":{\"SS\":[\"x\"]}}", NULL},
    {"{\"m\":{\"M\":{\"x\":" N("1") "}}}", "(ADD m.x " N("1") ")",
     "{\"m\":{\"M\":{\"x\":" N("2") "}}}", NULL},
    {"{\"m\":{\"M\":{}}}", "(ADD m.tags {\"SS\":[\"x\"]})",
     "{\"m\":{\"M\":{\"tags\":{\"SS\":[\"x\"]}}}}", NULL},
    {"{\"ss\":{\"SS\":[\"a\"]}}", "(ADD ss {\"NS\":[\"1\"]})", NULL,
     "An operand in the update expression has an incorrect data type"},
    {"{\"s\":" S("x") "}", "(ADD s " N("1") ")", NULL,
     "An operand in the update expression has an incorrect data type"},
    {"{}", "(ADD a " S("x") ")", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
     "operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
    {"{}", "(ADD a {\"L\":[]})", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
     "operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"},
    {"{}", "(ADD q.x " N("1") ")", NULL,
     "The document path provided in the update expression is invalid for update"},
    /* DELETE from sets; an emptied set goes away */
    {"{\"ss\":{\"SS\":[\"a\",\"b\"]}}", "(DELETE ss {\"SS\":[\"a\",\"z\"]})",
     "{\"ss\":{\"SS\":[\"b\"]}}", NULL},
    {"{\"ss\":{\"SS\":[\"a\",\"b\"]},\"k\":" N("1") "}", "(DELETE ss {\"SS\":[\"b\",\"a\"]})",
     "{\"k\":" N("1") "}", NULL},
    {"{\"ns\":{\"NS\":[\"1\",\"2.5\"]}}", "(DELETE ns {\"NS\":[\"2.50\"]})",
     "{\"ns\":{\"NS\":[\"1\"]}}", NULL},
    {"{}", "(DELETE ss {\"SS\":[\"a\"]})", "{}", NULL},
    {"{\"m\":{\"M\":{\"s\":{\"SS\":[\"a\"]}}}}", "(DELETE m.s {\"SS\":[\"a\"]})",
     "{\"m\":{\"M\":{}}}", NULL},
    {"{\"s\":" S("x") "}", "(DELETE s {\"SS\":[\"x\"]})", NULL,
     "An operand in the update expression has an incorrect data type"},
    {"{}", "(DELETE s " N("1") ")", NULL,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, "
     "operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
    /* key attributes */
    {"{\"pk\":" S("k") "}", "(SET pk " S("x") ")", NULL,
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
     "part of the key"},
    {"{\"pk\":" S("k") "}", "(REMOVE sk)", NULL,
     "One or more parameter values were invalid: Cannot update attribute sk. This attribute is "
     "part of the key"},
    {"{\"pk\":" S("k") "}", "(ADD sk " N("1") ")", NULL,
     "One or more parameter values were invalid: Cannot update attribute sk. This attribute is "
     "part of the key"},
    {"{\"pk\":" S("k") "}", "(SET other pk)", "{\"pk\":" S("k") ",\"other\":" S("k") "}", NULL},
    {"{\"pk\":" S("k") "}", "(SET pk.x " N("1") ")", NULL,
     "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
     "Key: pk"},
    {"{\"pk\":" S("k") "}", "(SET other (if_not_exists sk[0] " N("1") "))", NULL,
     "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
     "Key: sk"},
};

static void
test_ddb_expr_eval__updates(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(upd_cases); i++) {
        const struct upd_case *c = &upd_cases[i];
        json_t *item = J(c->item), *before = J(c->item);
        int r = ddb_expr_apply_update(&ctx, U(c->update), item, "pk", "sk");

        if (c->want) {
            const json_t *want = K(c->want);

            if (r != 0)
                fail_msg("%s: failed: %s", c->update, ctx.err);
            if (!json_equal(item, want)) {
                char *got = json_dumps(item, JSON_SORT_KEYS);

                fail_msg("%s: got %s, want %s", c->update, got, c->want);
            }
        } else {
            if (r != -1)
                fail_msg("%s: succeeded, want \"%s\"", c->update, c->msg);
            if (strcmp(ctx.err, c->msg) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", c->update, ctx.err, c->msg);
            /* a failed update leaves the item as it was */
            assert_true(json_equal(item, before));
        }
        json_decref(item);
        json_decref(before);
    }
}

/* A value set inside a map counts toward the nesting limit of the attribute holding it. */
static void
test_ddb_expr_eval__update_nesting_limit(void **state)
{
    char deep[31 * 16 + 64] = "", *end = deep;
    char update[sizeof(deep) + 32];
    json_t *item = J("{\"m\":{\"M\":{}}}");

    for (int i = 0; i < 31; i++) /* 31 maps around a number: 32 levels, the most allowed */
        end += sprintf(end, "{\"M\":{\"x\":");
    end += sprintf(end, "{\"N\":\"1\"}");
    for (int i = 0; i < 31; i++)
        end += sprintf(end, "}}");
    snprintf(update, sizeof(update), "(SET top %s)", deep);
    assert_int_equal(ddb_expr_apply_update(&ctx, U(update), item, "pk", NULL), 0);
    snprintf(update, sizeof(update), "(SET m.a %s)", deep);
    assert_int_equal(ddb_expr_apply_update(&ctx, U(update), item, "pk", NULL), -1);
    assert_string_equal(ctx.err, "Nesting Levels have exceeded supported limits: Attributes in the "
                                 "item have nested levels beyond supported limit");
    assert_null(json_object_get(json_object_get(json_object_get(item, "m"), "M"), "a"));
    json_decref(item);
}

/* ---- projections ----------------------------------------------------------------------------- */

struct proj_case {
    const char *paths; /* comma-separated */
    const char *want;
};

static const struct proj_case proj_cases[] = {
    {"s", "{\"s\":" S("hello") "}"},
    {"s,q,m.q,l[9]", "{\"s\":" S("hello") "}"},
    {"m.y[1]", "{\"m\":{\"M\":{\"y\":{\"L\":[" N("2") "]}}}}"},
    {"m.x,m.y", "{\"m\":{\"M\":{\"x\":" N("1") ",\"y\":{\"L\":[" N("-1") "," N("2") "]}}}}"},
    /* list elements compacted, in index order whatever the order of the paths */
    {"l[2],l[0]", "{\"l\":{\"L\":[" N("2") ",{\"SS\":[\"x\"]}]}}"},
    {"l[1],m.y[0],n", "{\"l\":{\"L\":[" S("dog") "]},\"m\":{\"M\":{\"y\":{\"L\":[" N("-1") "]}}},"
                      "\"n\":" N("5") "}"},
    {"s.x,l.x,m[0]", "{}"},
};

static void
test_ddb_expr_eval__projections(void **state)
{
    json_t *item = J(ITEM);

    for (size_t i = 0; i < ARRAY_SIZE(proj_cases); i++) {
        struct ddb_projection p = {0};
        char *paths = arena_strdup(&arena, proj_cases[i].paths), *save = NULL;
        json_t *got, *want = J(proj_cases[i].want);

        p.paths = arena_calloc(&arena, 16 * sizeof(*p.paths));
        for (char *t = strtok_r(paths, ",", &save); t; t = strtok_r(NULL, ",", &save))
            parse_path(t, strlen(t), &p.paths[p.n++]);
        got = ddb_expr_project(&p, item);
        if (!json_equal(got, want))
            fail_msg("%s: got %s, want %s", proj_cases[i].paths, json_dumps(got, JSON_SORT_KEYS),
                     proj_cases[i].want);
        json_decref(got);
        json_decref(want);
    }
    /* nested lists inside lists */
    {
        json_t *it = J("{\"a\":{\"L\":[{\"L\":[" N("1") "," N("2") "]},{\"L\":[" N("3") "]}]}}");
        struct ddb_projection p = {0};
        json_t *got;

        p.paths = arena_calloc(&arena, 2 * sizeof(*p.paths));
        parse_path("a[1][0]", 7, &p.paths[p.n++]);
        parse_path("a[0][1]", 7, &p.paths[p.n++]);
        got = ddb_expr_project(&p, it);
        assert_true(json_equal(got, K("{\"a\":{\"L\":[{\"L\":[" N("2") "]},"
                                      "{\"L\":[" N("3") "]}]}}")));
        json_decref(got);
        json_decref(it);
    }
    json_decref(item);
}

/* ---- key conditions -------------------------------------------------------------------------- */

struct key_case {
    const char *expr;
    const char *range_key; /* NULL: a table without a sort key */
    enum ddb_sk_op op;
    const char *msg; /* NULL: succeeds */
};

static const struct key_case key_cases[] = {
    {"(= pk " S("p") ")", "sk", DDB_SK_NONE, NULL},
    {"(= pk " S("p") ")", NULL, DDB_SK_NONE, NULL},
    {"(and (= pk " S("p") ") (= sk " N("1") "))", "sk", DDB_SK_EQ, NULL},
    {"(and (= pk " S("p") ") (< sk " N("1") "))", "sk", DDB_SK_LT, NULL},
    {"(and (= pk " S("p") ") (<= sk " N("1") "))", "sk", DDB_SK_LE, NULL},
    {"(and (= pk " S("p") ") (> sk " N("1") "))", "sk", DDB_SK_GT, NULL},
    {"(and (= pk " S("p") ") (>= sk " N("1") "))", "sk", DDB_SK_GE, NULL},
    {"(and (< " N("1") " sk) (= " S("p") " pk))", "sk", DDB_SK_GT, NULL},
    {"(and (= pk " S("p") ") (between sk " N("1") " " N("5") "))", "sk", DDB_SK_BETWEEN, NULL},
    {"(and (= sk " N("1") ") (= pk " S("p") "))", "sk", DDB_SK_EQ, NULL},
    {"(= sk " N("1") ")", "sk", DDB_SK_NONE, "Query condition missed key schema element: pk"},
    {"(= other " S("p") ")", "sk", DDB_SK_NONE, "Query condition missed key schema element: pk"},
    {"(> pk " S("p") ")", "sk", DDB_SK_NONE, "Query key condition not supported"},
    {"(begins pk " S("p") ")", "sk", DDB_SK_NONE, "Query key condition not supported"},
    {"(and (= pk " S("p") ") (= pk " S("q") "))", "sk", DDB_SK_NONE,
     "KeyConditionExpressions must only contain one condition per key"},
    {"(and (= pk " S("p") ") (> sk " N("1") ") (< sk " N("9") "))", "sk", DDB_SK_NONE,
     "KeyConditionExpressions must only contain one condition per key"},
    {"(and (= pk " S("p") ") (= other " S("x") "))", "sk", DDB_SK_NONE,
     "Query condition missed key schema element: sk"},
    {"(and (= pk " S("p") ") (= other " S("x") "))", NULL, DDB_SK_NONE,
     "Query key condition not supported"},
    {"(= pk " N("1") ")", "sk", DDB_SK_NONE,
     "One or more parameter values were invalid: Condition parameter type does not match schema "
     "type"},
    {"(and (= pk " S("p") ") (= sk " S("1") "))", "sk", DDB_SK_NONE,
     "One or more parameter values were invalid: Condition parameter type does not match schema "
     "type"},
    {"(and (= pk " S("p") ") (begins sk " S("1") "))", "sk", DDB_SK_NONE,
     "One or more parameter values were invalid: Condition parameter type does not match schema "
     "type"},
    {"(and (= pk " S("p") ") (begins sk " N("1") "))", "sk", DDB_SK_NONE,
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator "
     "or function: begins_with, operand type: N"},
    {"(= pk " S("") ")", "sk", DDB_SK_NONE,
     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
     "contain an empty string value. Key: pk"},
    {"(and (= pk " S("p") ") (between sk " N("5") " " N("1") "))", "sk", DDB_SK_NONE,
     "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
     "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
     "operand: AttributeValue: {N:1}"},
    {"(or (= pk " S("p") ") (= pk " S("q") "))", "sk", DDB_SK_NONE,
     "Invalid operator used in KeyConditionExpression: OR"},
    {"(and (= pk " S("p") ") (<> sk " N("1") "))", "sk", DDB_SK_NONE,
     "Invalid operator used in KeyConditionExpression: <>"},
    {"(and (= pk " S("p") ") (exists sk))", "sk", DDB_SK_NONE,
     "Invalid operator used in KeyConditionExpression: "
     "attribute_exists"},
    {"(= pk.x " S("p") ")", "sk", DDB_SK_NONE,
     "KeyConditionExpressions cannot have conditions on nested "
     "attributes"},
};

static void
test_ddb_expr_eval__key_conditions(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(key_cases); i++) {
        const struct key_case *c = &key_cases[i];
        struct ddb_key_cond kc;
        int r = ddb_expr_key_condition(&ctx, X(c->expr), "pk", "S", c->range_key,
                                       c->range_key ? "N" : NULL, &kc);

        if (c->msg) {
            if (r != -1 || strcmp(ctx.err, c->msg) != 0)
                fail_msg("%s: got %d \"%s\", want \"%s\"", c->expr, r, r ? ctx.err : "", c->msg);
            continue;
        }
        if (r != 0)
            fail_msg("%s: failed: %s", c->expr, ctx.err);
        assert_true(json_equal(kc.pk, K(S("p"))));
        assert_int_equal(kc.sk_op, c->op);
    }
}

static void
test_ddb_expr_eval__key_condition_operands(void **state)
{
    struct ddb_key_cond kc;

    assert_int_equal(ddb_expr_key_condition(&ctx, X("(and (= pk " S("p") ") (between sk " N("1")
                                                    " " N("5") "))"),
                                            "pk", "S", "sk", "N", &kc), 0);
    assert_true(json_equal(kc.sk1, K(N("1"))));
    assert_true(json_equal(kc.sk2, K(N("5"))));
    assert_int_equal(ddb_expr_key_condition(&ctx, X("(and (= pk " S("p") ") (begins sk "
                                                    "{\"B\":\"aGk=\"}))"),
                                            "pk", "S", "sk", "B", &kc), 0);
    assert_int_equal(kc.sk_op, DDB_SK_BEGINS_WITH);
    assert_true(json_equal(kc.sk1, K("{\"B\":\"aGk=\"}")));
    assert_null(kc.sk2);
}

/* ---- legacy parameters ----------------------------------------------------------------------- */

struct legacy_case {
    const char *expected;  /* the Expected map */
    const char *op;        /* ConditionalOperator or NULL */
    int want;              /* against ITEM, when msg is NULL */
    const char *msg;
};

static const struct legacy_case expected_cases[] = {
    {"{\"s\":{\"Value\":" S("hello") "}}", NULL, 1, NULL},
    {"{\"s\":{\"Value\":" S("bye") "}}", NULL, 0, NULL},
    {"{\"s\":{\"Exists\":true,\"Value\":" S("hello") "}}", NULL, 1, NULL},
    {"{\"q\":{\"Exists\":false}}", NULL, 1, NULL},
    {"{\"s\":{\"Exists\":false}}", NULL, 0, NULL},
    {"{\"n\":{\"ComparisonOperator\":\"GT\",\"AttributeValueList\":[" N("4") "]}}", NULL, 1, NULL},
    {"{\"n\":{\"ComparisonOperator\":\"LE\",\"Value\":" N("4") "}}", NULL, 0, NULL},
    {"{\"q\":{\"ComparisonOperator\":\"NE\",\"AttributeValueList\":[" N("4") "]}}", NULL, 1, NULL},
    {"{\"n\":{\"ComparisonOperator\":\"NE\",\"AttributeValueList\":[" S("5") "]}}", NULL, 1, NULL},
    {"{\"q\":{\"ComparisonOperator\":\"NULL\"}}", NULL, 1, NULL},
    {"{\"s\":{\"ComparisonOperator\":\"NOT_NULL\"}}", NULL, 1, NULL},
    {"{\"s\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":[" S("ell") "]}}", NULL, 1,
     NULL},
    {"{\"ss\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":[" S("a") "]}}", NULL, 1,
     NULL},
    {"{\"s\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":[" S("dog") "]}}",
     NULL,
     1, NULL},
    {"{\"s\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":[" S("ell") "]}}",
     NULL,
     0, NULL},
    /* NOT_CONTAINS is false for an absent attribute (unlike NE) */
    {"{\"q\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":[" N("1") "]}}", NULL,
     0, NULL},
    {"{\"s\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":[" S("he") "]}}",
     NULL, 1,
     NULL},
    {"{\"n\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[" N("1") "," N("5") "]}}", NULL,
     1, NULL},
    {"{\"n\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[" N("1") "," N("5") "]}}",
     NULL, 1, NULL},
    {"{\"n\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[" N("6") "," N("9") "]}}",
     NULL, 0, NULL},
    /* several: AND by default, OR on request */
    {"{\"s\":{\"Value\":" S("hello") "},\"n\":{\"Value\":" N("6") "}}", NULL, 0, NULL},
    {"{\"s\":{\"Value\":" S("hello") "},\"n\":{\"Value\":" N("6") "}}", "AND", 0, NULL},
    {"{\"s\":{\"Value\":" S("hello") "},\"n\":{\"Value\":" N("6") "}}", "OR", 1, NULL},
    {"{}", NULL, 1, NULL},
    /* DynamoDB's validation, in its order */
    {"{\"a\":{\"Exists\":true,\"ComparisonOperator\":\"EQ\"}}", NULL, 0,
     "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used "
     "together for Attribute: a"},
    {"{\"a\":{\"Value\":" S("x") ",\"AttributeValueList\":[" S("x") "],\"ComparisonOperator\":"
     "\"EQ\"}}", NULL, 0,
     "One or more parameter values were invalid: Value and AttributeValueList cannot be used "
     "together for Attribute: a"},
    {"{\"a\":{\"AttributeValueList\":[" S("x") "]}}", NULL, 0,
     "One or more parameter values were invalid: AttributeValueList can only be used with a "
     "ComparisonOperator for Attribute: a"},
    {"{\"a\":{\"Exists\":false,\"Value\":" S("x") "}}", NULL, 0,
     "One or more parameter values were invalid: Value cannot be used when Exists is false for "
     "Attribute: a"},
    {"{\"a\":{}}", NULL, 0,
     "One or more parameter values were invalid: Value must be provided when Exists is null for "
     "Attribute: a"},
    {"{\"a\":{\"Exists\":true}}", NULL, 0,
     "One or more parameter values were invalid: Value must be provided when Exists is true for "
     "Attribute: a"},
    {"{\"a\":{\"ComparisonOperator\":\"EQ\"}}", NULL, 0,
     "One or more parameter values were invalid: Value or AttributeValueList must be used with "
     "ComparisonOperator: EQ for Attribute: a"},
    {"{\"a\":{\"ComparisonOperator\":\"NULL\",\"AttributeValueList\":[" S("a") "]}}", NULL, 0,
     "One or more parameter values were invalid: Invalid number of argument(s) for the NULL "
     "ComparisonOperator"},
    {"{\"a\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[" S("a") "," S("b") "]}}",
     NULL, 0,
     "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
     "ComparisonOperator"},
    {"{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[" S("a") "]}}", NULL, 0,
     "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
     "ComparisonOperator"},
    {"{\"a\":{\"ComparisonOperator\":\"LE\",\"AttributeValueList\":[{\"SS\":[\"a\"]}]}}", NULL, 0,
     "One or more parameter values were invalid: ComparisonOperator LE is not valid for SS "
     "AttributeValue type"},
    {"{\"a\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":[" N("1") "]}}", NULL,
     0,
     "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N "
     "AttributeValue type"},
    {"{\"a\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[{\"L\":[]}]}}", NULL, 0,
     "One or more parameter values were invalid: ComparisonOperator IN is not valid for L "
     "AttributeValue type"},
    {"{\"a\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[" S("b") "," N("1") "]}}", NULL,
     0,
     "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be "
     "of same type"},
    {"{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[" S("b") "," S("a") "]}}",
     NULL, 0,
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper "
     "bound"},
    {"{\"a\":{\"ComparisonOperator\":\"XX\",\"AttributeValueList\":[" S("b") "]}}", NULL, 0,
     "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' failed to "
     "satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
     "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
    {"{\"s\":{\"Value\":" S("hello") "}}", "OR", 0,
     "ConditionalOperator can only be used when Filter or Expected has two or more elements"},
    {"{}", "AND", 0, "ConditionalOperator cannot be used without Filter or Expected"},
};

static void
test_ddb_expr_eval__legacy_expected(void **state)
{
    json_t *item = J(ITEM);

    for (size_t i = 0; i < ARRAY_SIZE(expected_cases); i++) {
        const struct legacy_case *c = &expected_cases[i];
        json_t *expected = J(c->expected);
        struct ddb_node *n;
        int got;

        json_array_append_new(keep, expected);
        n = ddb_legacy_expected(&ctx, expected, c->op);
        if (c->msg) {
            if (n || strcmp(ctx.err, c->msg) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", c->expected, n ? "" : ctx.err, c->msg);
            continue;
        }
        if (!n)
            fail_msg("%s: failed: %s", c->expected, ctx.err);
        got = ddb_expr_eval(&ctx, n, item);
        if (got != c->want)
            fail_msg("%s: got %d, want %d", c->expected, got, c->want);
    }
    json_decref(item);
}

static void
test_ddb_expr_eval__legacy_conditions(void **state)
{
    json_t *item = J(ITEM), *c;
    struct ddb_key_cond kc;
    struct ddb_node *n;

    c = J("{\"s\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[" S("hello") "]},"
          "\"n\":{\"ComparisonOperator\":\"LT\",\"AttributeValueList\":[" N("5") "]}}");
    json_array_append_new(keep, c);
    n = ddb_legacy_conditions(&ctx, "ScanFilter", c, NULL);
    assert_non_null(n);
    assert_int_equal(ddb_expr_eval(&ctx, n, item), 0);
    n = ddb_legacy_conditions(&ctx, "ScanFilter", c, "OR");
    assert_int_equal(ddb_expr_eval(&ctx, n, item), 1);

    /* numbers are normalized as any request value */
    c = J("{\"n\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[" N("5.000") "]}}");
    json_array_append_new(keep, c);
    assert_non_null(ddb_legacy_conditions(&ctx, "QueryFilter", c, NULL));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_object_get(c, "n"),
                                                           "AttributeValueList"), 0), "N")),
                        "5");

    c = J("{\"a\":{\"AttributeValueList\":[" S("b") "]}}");
    json_array_append_new(keep, c);
    assert_null(ddb_legacy_conditions(&ctx, "QueryFilter", c, NULL));
    assert_string_equal(ctx.err, "1 validation error detected: Value null at 'queryFilter.a.member."
                                 "comparisonOperator' failed to satisfy constraint: Member must "
                                 "not be null");

    /* KeyConditions reduce like a KeyConditionExpression */
    c = J("{\"pk\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[" S("p") "]},"
          "\"sk\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":[" S("a") "]}}");
    json_array_append_new(keep, c);
    n = ddb_legacy_conditions(&ctx, "KeyConditions", c, NULL);
    assert_non_null(n);
    assert_int_equal(ddb_expr_key_condition(&ctx, n, "pk", "S", "sk", "S", &kc), 0);
    assert_int_equal(kc.sk_op, DDB_SK_BEGINS_WITH);
    assert_true(json_equal(kc.sk1, K(S("a"))));

    c = J("{\"pk\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[" S("p") "]},"
          "\"sk\":{\"ComparisonOperator\":\"NE\",\"AttributeValueList\":[" S("a") "]}}");
    json_array_append_new(keep, c);
    assert_null(ddb_legacy_conditions(&ctx, "KeyConditions", c, NULL));
    assert_string_equal(ctx.err, "Query key condition not supported");

    c = J("{\"a\":{\"ComparisonOperator\":\"NULL\"},\"b\":{\"ComparisonOperator\":\"NULL\"},"
          "\"c\":{\"ComparisonOperator\":\"NULL\"}}");
    json_array_append_new(keep, c);
    assert_null(ddb_legacy_conditions(&ctx, "KeyConditions", c, NULL));
    assert_string_equal(ctx.err, "Conditions can be of length 1 or 2 only");
    json_decref(item);
}

static void
test_ddb_expr_eval__legacy_attributes_to_get(void **state)
{
    json_t *item = J(ITEM), *names = J("[\"s\",\"q\",\"n\"]"), *got;
    struct ddb_projection *p;

    p = ddb_legacy_attributes_to_get(&ctx, names);
    assert_non_null(p);
    got = ddb_expr_project(p, item);
    assert_true(json_equal(got, K("{\"s\":" S("hello") ",\"n\":" N("5") "}")));
    json_decref(got);
    json_decref(names);

    names = J("[\"a\",\"b\",\"a\"]");
    assert_null(ddb_legacy_attributes_to_get(&ctx, names));
    assert_string_equal(ctx.err, "One or more parameter values were invalid: Duplicate value in "
                                 "attribute name: a");
    json_decref(names);
    json_decref(item);
}

static const struct upd_case legacy_upd_cases[] = {
    {"{}", "{\"a\":{\"Value\":" N("1") "}}", "{\"a\":" N("1") "}", NULL},
    {"{\"a\":" S("x") "}", "{\"a\":{\"Action\":\"PUT\",\"Value\":" N("1") "}}",
     "{\"a\":" N("1") "}",
     NULL},
    {"{\"n\":" N("5") "}", "{\"n\":{\"Action\":\"ADD\",\"Value\":" N("0.5") "}}",
     "{\"n\":" N("5.5") "}", NULL},
    {"{}", "{\"n\":{\"Action\":\"ADD\",\"Value\":" N("2") "}}", "{\"n\":" N("2") "}", NULL},
    {"{\"l\":{\"L\":[" S("a") "]}}", "{\"l\":{\"Action\":\"ADD\",\"Value\":{\"L\":[" S("a") "]}}}",
     "{\"l\":{\"L\":[" S("a") "," S("a") "]}}", NULL},
    {"{\"ss\":{\"SS\":[\"a\"]}}", "{\"ss\":{\"Action\":\"ADD\",\"Value\":{\"SS\":[\"b\"]}}}",
     "{\"ss\":{\"SS\":[\"a\",\"b\"]}}", NULL},
    {"{\"ss\":{\"SS\":[\"a\"]},\"k\":" N("1") "}", "{\"ss\":{\"Action\":\"DELETE\"}}",
     "{\"k\":" N("1") "}", NULL},
    {"{}", "{\"ss\":{\"Action\":\"DELETE\"}}", "{}", NULL},
    {"{\"ss\":{\"SS\":[\"a\",\"b\"]}}",
     "{\"ss\":{\"Action\":\"DELETE\",\"Value\":{\"SS\":[\"a\"]}}}",
     "{\"ss\":{\"SS\":[\"b\"]}}", NULL},
    {"{}", "{}", "{}", NULL},
    {"{\"s\":" S("x") "}", "{\"s\":{\"Action\":\"ADD\",\"Value\":" N("1") "}}", NULL,
     "Type mismatch for attribute to update"},
    {"{\"s\":" S("x") "}", "{\"s\":{\"Action\":\"DELETE\",\"Value\":{\"SS\":[\"x\"]}}}", NULL,
     "Type mismatch for attribute to update"},
    {"{\"pk\":" S("k") "}", "{\"pk\":{\"Value\":" S("x") "}}", NULL,
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
     "part of the key"},
};

static const struct err_case legacy_upd_errors[] = {
    {"{\"a\":{\"Action\":\"PUT\"}}",
     "One or more parameter values were invalid: Only DELETE action is allowed when no attribute "
     "value is specified"},
    {"{\"a\":{\"Action\":\"ADD\",\"Value\":" S("x") "}}",
     "One or more parameter values were invalid: ADD action is not supported for the type S"},
    {"{\"a\":{\"Action\":\"DELETE\",\"Value\":" S("x") "}}",
     "One or more parameter values were invalid: DELETE action with value is not supported for "
     "the type S"},
    {"{\"a\":{\"Action\":\"MOVE\",\"Value\":" S("x") "}}",
     "1 validation error detected: Value 'MOVE' at 'attributeUpdates.a.member.action' failed to "
     "satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"},
};

static void
test_ddb_expr_eval__legacy_attribute_updates(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(legacy_upd_cases); i++) {
        const struct upd_case *c = &legacy_upd_cases[i];
        json_t *item = J(c->item), *updates = J(c->update);
        struct ddb_update *u = ddb_legacy_attribute_updates(&ctx, updates);
        int r;

        if (!u)
            fail_msg("%s: %s", c->update, ctx.err);
        r = ddb_expr_apply_update(&ctx, u, item, "pk", NULL);
        if (c->want) {
            if (r != 0 || !json_equal(item, K(c->want)))
                fail_msg("%s: got %s (%s), want %s", c->update, json_dumps(item, JSON_SORT_KEYS),
                         r ? ctx.err : "", c->want);
        } else if (r != -1 || strcmp(ctx.err, c->msg) != 0)
            fail_msg("%s: got %d \"%s\", want \"%s\"", c->update, r, ctx.err, c->msg);
        json_decref(item);
        json_decref(updates);
    }
    for (size_t i = 0; i < ARRAY_SIZE(legacy_upd_errors); i++) {
        json_t *updates = J(legacy_upd_errors[i].expr);

        assert_null(ddb_legacy_attribute_updates(&ctx, updates));
        assert_string_equal(ctx.err, legacy_upd_errors[i].msg);
        json_decref(updates);
    }
}

/* ---- through the parser ---------------------------------------------------------------------- */

static const char *const NAMES = "{\"#n\":\"n\",\"#dot\":\"a.b\"}";
static const char *const VALUES =
    "{\":five\":{\"N\":\"5\"},\":six\":{\"N\":\"6\"},\":one\":{\"N\":\"1\"},"
    "\":nine\":{\"N\":\"9\"},\":two\":{\"N\":\"2\"},\":tenth2\":{\"N\":\"0.2\"},"
    "\":hel\":{\"S\":\"hel\"},\":p\":{\"S\":\"p\"},\":b\":{\"S\":\"b\"},"
    "\":tnull\":{\"S\":\"NULL\"},\":ssa\":{\"SS\":[\"a\",\"b\"]},"
    "\":list\":{\"L\":[{\"S\":\"z\"}]}}";

struct parsed_case {
    const char *text;
    int want;
};

static const struct parsed_case parsed_conditions[] = {
    {"n = :five", 1},
    {"#n = :five AND size(s) < :six", 1},
    {"#n <> :five OR size(s) >= :six", 0},
    {"begins_with(s, :hel) AND attribute_not_exists(q)", 1},
    {"NOT (n BETWEEN :one AND :nine)", 0},
    {"n BETWEEN :six AND :nine", 0},
    {"n IN (:one, :five, :p)", 1},
    {"contains(ss, :b) AND contains(s, :hel)", 1},
    {"attribute_type(z, :tnull)", 1},
    {"m.y[1] = :two AND size(m.y) = :two", 1},
    {"attribute_exists(#dot)", 0},
    {"(n = :one OR n = :five) AND (NOT contains(l, :p))", 1},
};

static void
test_ddb_expr_eval__through_the_parser(void **state)
{
    json_t *item = J(ITEM), *names = J(NAMES), *values = J(VALUES);
    struct ddb_expr_ctx pc;

    for (size_t i = 0; i < ARRAY_SIZE(parsed_conditions); i++) {
        const struct parsed_case *c = &parsed_conditions[i];
        struct ddb_node *n;
        int got;

        ddb_expr_ctx_init(&pc, &arena, names, values);
        n = ddb_expr_parse_condition(&pc, DDB_EXPR_CONDITION, c->text);
        if (!n)
            fail_msg("%s: %s", c->text, pc.err);
        got = ddb_expr_eval(&pc, n, item);
        if (got != c->want)
            fail_msg("%s: got %d (%s), want %d", c->text, got, got < 0 ? pc.err : "", c->want);
        ddb_expr_ctx_release(&pc);
    }
    json_decref(item);
    json_decref(names);
    json_decref(values);
}

static void
test_ddb_expr_eval__update_through_the_parser(void **state)
{
    json_t *item = J("{\"pk\":" S("k") ",\"n\":" N("5") ",\"x\":" N("0.1") ","
                     "\"l\":{\"L\":[" N("1") "," N("2") "," N("3") "]},"
                     "\"ss\":{\"SS\":[\"a\",\"b\"]},\"m\":{\"M\":{}}}");
    json_t *names = J(NAMES), *values = J(VALUES);
    struct ddb_expr_ctx pc;
    struct ddb_update *u;

    ddb_expr_ctx_init(&pc, &arena, names, values);
    u = ddb_expr_parse_update(&pc, "SET x = x + :tenth2, l[5] = :five, "
                                   "#n = if_not_exists(#n, :one), "
                                   "m.k = list_append(:list, :list), #dot = :one "
                                   "REMOVE l[0] ADD c :one DELETE ss :ssa");
    if (!u)
        fail_msg("%s", pc.err);
    assert_int_equal(ddb_expr_apply_update(&pc, u, item, "pk", NULL), 0);
    assert_true(json_equal(item, K("{\"pk\":" S("k") ",\"n\":" N("5") ",\"x\":" N("0.3") ","
                                   "\"l\":{\"L\":[" N("2") "," N("3") "," N("5") "]},"
                                   "\"m\":{\"M\":{\"k\":{\"L\":[" S("z") "," S("z") "]}}},"
                                   "\"a.b\":" N("1") ",\"c\":" N("1") "}")));
    ddb_expr_ctx_release(&pc);

    ddb_expr_ctx_init(&pc, &arena, NULL, values);
    u = ddb_expr_parse_update(&pc, "SET pk = :p");
    assert_non_null(u);
    assert_int_equal(ddb_expr_apply_update(&pc, u, item, "pk", NULL), -1);
    assert_string_equal(pc.err, "One or more parameter values were invalid: Cannot update "
                                "attribute pk. This attribute is part of the key");
    ddb_expr_ctx_release(&pc);
    json_decref(item);
    json_decref(names);
    json_decref(values);
}

static void
test_ddb_expr_eval__projection_and_key_through_the_parser(void **state)
{
    json_t *item = J(ITEM), *values = J(VALUES), *got;
    struct ddb_expr_ctx pc;
    struct ddb_projection *p;
    struct ddb_key_cond kc;
    struct ddb_node *n;

    ddb_expr_ctx_init(&pc, &arena, NULL, NULL);
    p = ddb_expr_parse_projection(&pc, "m.y[1], s, l[2], l[0]");
    assert_non_null(p);
    got = ddb_expr_project(p, item);
    assert_true(json_equal(got, K("{\"m\":{\"M\":{\"y\":{\"L\":[" N("2") "]}}},\"s\":"
                                  S("hello") ",\"l\":{\"L\":[" N("2") ",{\"SS\":[\"x\"]}]}}")));
    json_decref(got);
    ddb_expr_ctx_release(&pc);

    ddb_expr_ctx_init(&pc, &arena, NULL, values);
    n = ddb_expr_parse_condition(&pc, DDB_EXPR_KEY_CONDITION,
                                 "pk = :p AND sk BETWEEN :one AND :nine");
    assert_non_null(n);
    assert_int_equal(ddb_expr_key_condition(&pc, n, "pk", "S", "sk", "N", &kc), 0);
    assert_int_equal(kc.sk_op, DDB_SK_BETWEEN);
    assert_true(json_equal(kc.sk1, K(N("1"))));
    assert_true(json_equal(kc.sk2, K(N("9"))));
    ddb_expr_ctx_release(&pc);

    ddb_expr_ctx_init(&pc, &arena, NULL, values);
    n = ddb_expr_parse_condition(&pc, DDB_EXPR_KEY_CONDITION, "begins_with(sk, :hel) AND pk = :p");
    assert_non_null(n);
    assert_int_equal(ddb_expr_key_condition(&pc, n, "pk", "S", "sk", "S", &kc), 0);
    assert_int_equal(kc.sk_op, DDB_SK_BEGINS_WITH);
    assert_int_equal(ddb_expr_key_condition(&pc, n, "pk", "S", "other", "S", &kc), -1);
    assert_string_equal(pc.err, "Query condition missed key schema element: other");
    ddb_expr_ctx_release(&pc);

    ddb_expr_ctx_init(&pc, &arena, NULL, values);
    /* reversed bounds are refused while parsing, before any data is read (as DynamoDB's
     * validator does), so a Query of an empty table fails too */
    n = ddb_expr_parse_condition(&pc, DDB_EXPR_KEY_CONDITION,
                                 "pk = :p AND sk BETWEEN :nine AND :one");
    assert_null(n);
    assert_string_equal(pc.err, "Invalid KeyConditionExpression: The BETWEEN operator requires "
                                "upper bound to be greater than or equal to lower bound; lower "
                                "bound operand: AttributeValue: {N:9}, upper bound operand: "
                                "AttributeValue: {N:1}");
    ddb_expr_ctx_release(&pc);
    json_decref(item);
    json_decref(values);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__no_item_means_every_path_absent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__condition_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__path_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__update_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__projections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__key_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__key_condition_operands, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__legacy_expected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__legacy_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__legacy_attributes_to_get, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__legacy_attribute_updates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__through_the_parser, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__update_through_the_parser, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_expr_eval__projection_and_key_through_the_parser,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
