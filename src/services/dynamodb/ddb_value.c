/* ddb_value.c: DynamoDB attribute values (ddb_value.h): checking and normalizing what a
 * request sends, equality and order as DynamoDB defines them, item sizes, key bytes.
 *
 * ddb_value_check() follows DynamoDB's order of complaints: the members of one value in
 * the order they arrived, each checked fully (a nested map's problem is reported before a
 * sibling's), and "more than one datatypes" only once every member passed. Members that
 * are not a type name, or are null, are ignored as DynamoDB ignores them, and removed so
 * that what is stored is canonical. The texts are DynamoDB's own, oddities included
 * ("An string set  may not be empty", "[Yg==, Yg==]of type BS"). */
#include "services/dynamodb/ddb_value.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"

static const char *const type_names[] = {
    [DDB_BAD] = "",  [DDB_S] = "S",       [DDB_N] = "N",       [DDB_B] = "B",
    [DDB_SS] = "SS", [DDB_NS] = "NS",     [DDB_BS] = "BS",     [DDB_M] = "M",
    [DDB_L] = "L",   [DDB_NULL] = "NULL", [DDB_BOOL] = "BOOL",
};

#define INVALID "One or more parameter values were invalid: "

const char *
ddb_type_name(enum ddb_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "";
}

enum ddb_type
ddb_type_from_name(const char *name)
{
    for (unsigned t = DDB_S; t <= DDB_BOOL; t++)
        if (strcmp(name, type_names[t]) == 0)
            return (enum ddb_type)t;
    return DDB_BAD;
}

enum ddb_type
ddb_type_of(const json_t *av)
{
    if (!json_is_object(av) || json_object_size(av) != 1)
        return DDB_BAD;
    return ddb_type_from_name(json_object_iter_key(json_object_iter((json_t *)av)));
}

const json_t *
ddb_value_payload(const json_t *av)
{
    void *it = json_is_object(av) ? json_object_iter((json_t *)av) : NULL;

    return it ? json_object_iter_value(it) : NULL;
}

/* ---- checking ------------------------------------------------------------------------ */

struct check {
    char *err;
    size_t errlen;
};

static int fail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct check *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* DynamoDB's deserializer complaints for a JSON value of the wrong kind where a member of
 * type `want` ("String", "Boolean", "Blob") is expected. */
static int
fail_kind(struct check *c, const json_t *v, const char *want)
{
    const char *article = strcmp(want, "Blob") == 0 ? "a" : "an";

    if (json_is_array(v))
        return fail(c, "Start of list found where not expected");
    if (json_is_object(v))
        return fail(c, "Start of structure or map found where not expected.");
    if (json_is_boolean(v))
        return fail(c, "class java.lang.Boolean can not be converted to %s %s", article, want);
    return fail(c,
                "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                "converted to %s %s",
                article, want);
}

static int
want_string(struct check *c, const json_t *v)
{
    return json_is_string(v) ? 0 : fail_kind(c, v, "String");
}

static int
want_list(struct check *c, const json_t *v)
{
    if (json_is_array(v))
        return 0;
    if (json_is_object(v))
        return fail(c, "Start of structure or map found where not expected.");
    return fail(c, "Expected list or null");
}

/* A blob is standard base64 in whole quanta whose unused bits are zero. */
static int
check_blob(struct check *c, const json_t *v)
{
    const char *s;
    size_t len;

    if (!json_is_string(v))
        return fail_kind(c, v, "Blob");
    s = json_string_value(v);
    len = json_string_length(v);
    if (len % 4)
        return fail(c,
                    "'%s' can not be converted to a Blob: Base64 encoded length is expected a "
                    "multiple of 4 bytes but found: %zu",
                    s, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool ok = isalnum(ch) || ch == '+' || ch == '/' ||
                  (ch == '=' && (i + 1 == len || s[i + 1] == '='));
        if (!ok)
            return fail(c, "'%s' can not be converted to a Blob: Invalid Base64 character: '%c'", s,
                        ch == '=' ? s[i + 1] : ch);
    }
    long long n = base64_decoded_len(s, len, 0);
    bool canonical = n >= 0;
    if (canonical && len > 0) {
        unsigned char *raw = malloc((size_t)n + 1);
        char *back = malloc(len + 1);
        canonical = raw && back && base64_decode(raw, s, len, 0) == n &&
                    base64_encode(back, raw, (size_t)n, 0) == len && memcmp(back, s, len) == 0;
        free(raw);
        free(back);
    }
    if (!canonical)
        return fail(c,
                    "'%s' can not be converted to a Blob: Invalid last non-pad Base64 character "
                    "dectected",
                    s);
    return 0;
}

/* DynamoDB's deserializer takes "true", "1", "yes" (any case) and the negatives for a
 * boolean; the value is rewritten as a JSON boolean. */
static int
check_bool(struct check *c, json_t *av, const char *key, json_t *v, bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (!json_is_string(v))
        return fail_kind(c, v, "Boolean");
    char up[16];
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n >= sizeof(up)) {
        /* Too long to be a boolean word; DynamoDB quotes it upper-cased. */
        char *u = strdup(s);
        for (char *p = u; p && *p; p++)
            *p = (char)toupper((unsigned char)*p);
        fail(c, "'%s' can not be converted to an Boolean", u ? u : s);
        free(u);
        return -1;
    }
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    if (!strcmp(up, "TRUE") || !strcmp(up, "1") || !strcmp(up, "YES"))
        *out = true;
    else if (!strcmp(up, "FALSE") || !strcmp(up, "0") || !strcmp(up, "NO"))
        *out = false;
    else
        return fail(c, "'%s' can not be converted to an Boolean", up);
    json_object_set_new(av, key, json_boolean(*out));
    return 0;
}

/* Check one number text and rewrite it normalized. */
static int
check_number(struct check *c, json_t *v)
{
    char buf[DDB_NUM_TEXT_MAX];
    struct ddb_num n;
    enum ddb_num_err e;

    if (want_string(c, v))
        return -1;
    if (json_string_length(v) == 0)
        return fail(c, "%s", ddb_num_errmsg(DDB_NUM_INVALID));
    e = ddb_num_parse(json_string_value(v), json_string_length(v), &n);
    if (e == DDB_NUM_INVALID)
        return fail(c, "%s: %s", ddb_num_errmsg(e), json_string_value(v));
    if (e)
        return fail(c, "%s", ddb_num_errmsg(e));
    ddb_num_format(&n, buf);
    if (strcmp(buf, json_string_value(v)) != 0)
        json_string_set((json_t *)v, buf);
    return 0;
}

struct span {
    const char *p;
    size_t len;
};

static int
span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* The set's strings sorted (by bytes) into a malloc'd array; NULL when out of memory. */
static struct span *
sorted_spans(const json_t *arr)
{
    size_t n = json_array_size(arr);
    struct span *s = malloc((n ? n : 1) * sizeof(*s));

    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        s[i].p = json_string_value(e);
        s[i].len = json_string_length(e);
    }
    qsort(s, n, sizeof(*s), span_cmp);
    return s;
}

/* Every member is canonical text by now (normalized numbers, canonical base64), so equal
 * texts are exactly equal members. 1 if a duplicate exists, 0 if not, -1 out of memory. */
static int
has_duplicate(const json_t *arr)
{
    size_t n = json_array_size(arr);
    struct span *s = sorted_spans(arr);
    int dup = 0;

    if (!s)
        return -1;
    for (size_t i = 1; i < n && !dup; i++)
        dup = span_cmp(&s[i - 1], &s[i]) == 0;
    free(s);
    return dup;
}

/* "[a, b]" as DynamoDB prints the collection. */
static void
print_collection(const json_t *arr, struct buf *b)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (i)
            buf_puts(b, ", ");
        buf_append(b, json_string_value(json_array_get(arr, i)),
                   json_string_length(json_array_get(arr, i)));
    }
    buf_putc(b, ']');
}

static int
fail_duplicates(struct check *c, const json_t *arr, const char *suffix)
{
    struct buf b;

    buf_init(&b, c->errlen);
    print_collection(arr, &b);
    fail(c, INVALID "Input collection %s%s", b.data ? b.data : "[]", suffix);
    buf_release(&b);
    return -1;
}

static int
check_set(struct check *c, enum ddb_type t, const json_t *arr)
{
    size_t n;
    int dup;

    if (want_list(c, arr))
        return -1;
    n = json_array_size(arr);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        if (t == DDB_BS ? check_blob(c, e) : want_string(c, e))
            return -1;
    }
    if (n == 0) {
        if (t == DDB_SS)
            return fail(c, INVALID "An string set  may not be empty");
        if (t == DDB_NS)
            return fail(c, INVALID "An number set  may not be empty");
        return fail(c, INVALID "Binary sets should not be empty");
    }
    if (t == DDB_NS)
        for (size_t i = 0; i < n; i++)
            if (check_number(c, json_array_get(arr, i)))
                return -1;
    dup = has_duplicate(arr);
    if (dup < 0)
        return fail(c, "out of memory");
    if (!dup)
        return 0;
    if (t == DDB_NS)
        return fail(c, "Input collection contains duplicates");
    return fail_duplicates(
        c, arr, t == DDB_SS ? " contains duplicates." : "of type BS contains duplicates.");
}

static int check_value(struct check *c, json_t *av, unsigned level);

/* A member that should hold an attribute value (a map's or list's element). */
static int
check_child(struct check *c, json_t *v, unsigned level)
{
    if (json_is_array(v))
        return fail(c, "Start of list found where not expected");
    if (json_is_null(v)) /* no value at all: nothing of a supported type */
        return fail(c, "Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes");
    if (!json_is_object(v))
        return fail(c, "Expected null"); /* DynamoDB's deserializer, for a bare scalar */
    return check_value(c, v, level);
}

static int
check_member(struct check *c, json_t *av, const char *key, enum ddb_type t, json_t *v,
             unsigned level)
{
    bool flag;

    switch (t) {
    case DDB_S:
        return want_string(c, v);
    case DDB_N:
        return check_number(c, v);
    case DDB_B:
        return check_blob(c, v);
    case DDB_BOOL:
        return check_bool(c, av, key, v, &flag);
    case DDB_NULL:
        if (check_bool(c, av, key, v, &flag))
            return -1;
        return flag ? 0 : fail(c, INVALID "Null attribute value types must have the value of true");
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        return check_set(c, t, v);
    case DDB_M: {
        const char *k;
        json_t *child;
        if (json_is_array(v))
            return fail(c, "Start of list found where not expected");
        if (!json_is_object(v))
            return fail(c, "Expected map or null");
        json_object_foreach(v, k, child)
        {
            if (check_child(c, child, level + 1))
                return -1;
        }
        return 0;
    }
    case DDB_L: {
        size_t i;
        json_t *child;
        if (want_list(c, v))
            return -1;
        json_array_foreach(v, i, child)
        {
            if (check_child(c, child, level + 1))
                return -1;
        }
        return 0;
    }
    case DDB_BAD:
        break;
    }
    return 0;
}

/* level: 1 for an attribute's own value, one more inside each map or list. */
static int
check_value(struct check *c, json_t *av, unsigned level)
{
    const char *key;
    json_t *v;
    void *tmp;
    unsigned types = 0;

    if (level > DDB_MAX_DEPTH)
        return fail(c, "Nesting Levels have exceeded supported limits: Attributes in the item "
                       "have nested levels beyond supported limit");
    json_object_foreach(av, key, v)
    {
        enum ddb_type t = ddb_type_from_name(key);
        if (t == DDB_BAD || json_is_null(v))
            continue;
        types++;
        if (check_member(c, av, key, t, v, level))
            return -1;
    }
    if (types == 0)
        return fail(c, "Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes");
    if (types > 1)
        return fail(c, "Supplied AttributeValue has more than one datatypes set, must contain "
                       "exactly one of the supported datatypes");
    /* Drop what DynamoDB ignored so that the stored value is the bare {type: payload}. */
    json_object_foreach_safe(av, tmp, key, v)
    {
        if (ddb_type_from_name(key) == DDB_BAD || json_is_null(v))
            json_object_del(av, key);
    }
    return 0;
}

int
ddb_value_check(json_t *av, char *err, size_t errlen)
{
    struct check c = {err, errlen};

    if (errlen)
        err[0] = '\0';
    return check_child(&c, av, 1);
}

int
ddb_item_check(json_t *item, char *err, size_t errlen)
{
    struct check c = {err, errlen};
    const char *name;
    json_t *v;

    if (errlen)
        err[0] = '\0';
    if (json_is_array(item))
        return fail(&c, "Start of list found where not expected");
    if (!json_is_object(item))
        return fail(&c, "Expected map or null");
    json_object_foreach(item, name, v)
    {
        if (name[0] == '\0')
            return fail(&c, INVALID "An AttributeValue may not contain an empty attribute name");
        if (check_child(&c, v, 1))
            return -1;
    }
    return 0;
}

/* ---- equality and order ------------------------------------------------------------------ */

int
ddb_value_num(const json_t *av, struct ddb_num *out)
{
    const json_t *p;

    if (ddb_type_of(av) != DDB_N)
        return -1;
    p = ddb_value_payload(av);
    if (!json_is_string(p))
        return -1;
    return ddb_num_parse(json_string_value(p), json_string_length(p), out) == DDB_NUM_OK ? 0 : -1;
}

json_t *
ddb_value_from_num(const struct ddb_num *n)
{
    char buf[DDB_NUM_TEXT_MAX];

    ddb_num_format(n, buf);
    return json_pack("{s:s}", "N", buf);
}

long long
ddb_value_bytes(const json_t *av, unsigned char **out)
{
    const json_t *p = ddb_value_payload(av);
    long long n;

    *out = NULL;
    if (!json_is_string(p))
        return -1;
    n = base64_decoded_len(json_string_value(p), json_string_length(p), 0);
    if (n < 0)
        return -1;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return -1;
    if (base64_decode(*out, json_string_value(p), json_string_length(p), 0) != n) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return n;
}

static bool
strings_equal(const json_t *a, const json_t *b)
{
    return json_is_string(a) && json_is_string(b) &&
           json_string_length(a) == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
}

static bool
numbers_equal(const json_t *a, const json_t *b)
{
    struct ddb_num x, y;

    if (!json_is_string(a) || !json_is_string(b))
        return false;
    if (ddb_num_parse(json_string_value(a), json_string_length(a), &x) ||
        ddb_num_parse(json_string_value(b), json_string_length(b), &y))
        return strings_equal(a, b);
    return ddb_num_cmp(&x, &y) == 0;
}

/* Sets as sets. Members are canonical (checked values), so sorted texts compare; numbers
 * are compared numerically all the same, in case a member was not normalized. */
static int
num_text_cmp(const void *a, const void *b)
{
    const struct ddb_num *x = a, *y = b;
    return ddb_num_cmp(x, y);
}

static bool
sets_equal(enum ddb_type t, const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a);
    bool eq = true;

    if (!json_is_array(a) || !json_is_array(b) || n != json_array_size(b))
        return false;
    if (t == DDB_NS) {
        struct ddb_num *x = malloc((n ? n : 1) * sizeof(*x)), *y = malloc((n ? n : 1) * sizeof(*y));
        for (size_t i = 0; eq && x && y && i < n; i++) {
            const json_t *ea = json_array_get(a, i), *eb = json_array_get(b, i);
            eq = json_is_string(ea) && json_is_string(eb) &&
                 !ddb_num_parse(json_string_value(ea), json_string_length(ea), &x[i]) &&
                 !ddb_num_parse(json_string_value(eb), json_string_length(eb), &y[i]);
        }
        if (eq && x && y) {
            qsort(x, n, sizeof(*x), num_text_cmp);
            qsort(y, n, sizeof(*y), num_text_cmp);
            for (size_t i = 0; eq && i < n; i++)
                eq = ddb_num_cmp(&x[i], &y[i]) == 0;
        }
        eq = eq && x && y;
        free(x);
        free(y);
        return eq;
    }
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_array_get(a, i)) || !json_is_string(json_array_get(b, i)))
            return false;
    struct span *x = sorted_spans(a), *y = sorted_spans(b);
    eq = x && y;
    for (size_t i = 0; eq && i < n; i++)
        eq = span_cmp(&x[i], &y[i]) == 0;
    free(x);
    free(y);
    return eq;
}

bool
ddb_value_equal(const json_t *a, const json_t *b)
{
    enum ddb_type t = ddb_type_of(a);
    const json_t *pa, *pb;

    if (t == DDB_BAD || t != ddb_type_of(b))
        return false;
    pa = ddb_value_payload(a);
    pb = ddb_value_payload(b);
    switch (t) {
    case DDB_S:
    case DDB_B:
        return strings_equal(pa, pb);
    case DDB_N:
        return numbers_equal(pa, pb);
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        return sets_equal(t, pa, pb);
    case DDB_M:
        return ddb_item_equal(pa, pb);
    case DDB_L:
        if (!json_is_array(pa) || !json_is_array(pb) || json_array_size(pa) != json_array_size(pb))
            return false;
        for (size_t i = 0; i < json_array_size(pa); i++)
            if (!ddb_value_equal(json_array_get(pa, i), json_array_get(pb, i)))
                return false;
        return true;
    case DDB_NULL:
        return true;
    case DDB_BOOL:
        return json_is_boolean(pa) && json_is_boolean(pb) && json_is_true(pa) == json_is_true(pb);
    case DDB_BAD:
        break;
    }
    return false;
}

bool
ddb_item_equal(const json_t *a, const json_t *b)
{
    const char *name;
    json_t *v;

    if (!json_is_object(a) || !json_is_object(b) || json_object_size(a) != json_object_size(b))
        return false;
    json_object_foreach((json_t *)a, name, v)
    {
        const json_t *w = json_object_get(b, name);
        if (!w || !ddb_value_equal(v, w))
            return false;
    }
    return true;
}

static int
bytes_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
}

int
ddb_value_cmp(const json_t *a, const json_t *b, int *cmp)
{
    enum ddb_type t = ddb_type_of(a);
    const json_t *pa = ddb_value_payload(a), *pb = ddb_value_payload(b);

    if (t != ddb_type_of(b))
        return -1;
    if (t == DDB_S) {
        if (!json_is_string(pa) || !json_is_string(pb))
            return -1;
        /* UTF-8 bytes, unsigned: DynamoDB orders strings by their binary encoding. */
        *cmp = bytes_cmp((const unsigned char *)json_string_value(pa), json_string_length(pa),
                         (const unsigned char *)json_string_value(pb), json_string_length(pb));
        return 0;
    }
    if (t == DDB_N) {
        struct ddb_num x, y;
        if (ddb_value_num(a, &x) || ddb_value_num(b, &y))
            return -1;
        *cmp = ddb_num_cmp(&x, &y);
        return 0;
    }
    if (t == DDB_B) {
        unsigned char *x, *y;
        long long xn = ddb_value_bytes(a, &x), yn = ddb_value_bytes(b, &y);
        int rc = -1;
        if (xn >= 0 && yn >= 0) {
            *cmp = bytes_cmp(x, (size_t)xn, y, (size_t)yn);
            rc = 0;
        }
        free(x);
        free(y);
        return rc;
    }
    return -1;
}

/* ---- sizes and keys ------------------------------------------------------------------------ */

static size_t
blob_size(const json_t *s)
{
    long long n =
        json_is_string(s) ? base64_decoded_len(json_string_value(s), json_string_length(s), 0) : -1;

    return n > 0 ? (size_t)n : 0;
}

static size_t
number_size(const json_t *s)
{
    struct ddb_num n;

    if (!json_is_string(s) || ddb_num_parse(json_string_value(s), json_string_length(s), &n))
        return json_string_length(s);
    return ddb_num_size(&n);
}

size_t
ddb_value_size(const json_t *av)
{
    enum ddb_type t = ddb_type_of(av);
    const json_t *p = ddb_value_payload(av), *e;
    size_t size = 0, i;
    const char *k;

    switch (t) {
    case DDB_S:
        return json_string_length(p);
    case DDB_N:
        return number_size(p);
    case DDB_B:
        return blob_size(p);
    case DDB_NULL:
    case DDB_BOOL:
        return 1;
    case DDB_SS:
        json_array_foreach(p, i, e) size += json_string_length(e);
        return size;
    case DDB_NS:
        json_array_foreach(p, i, e) size += number_size(e);
        return size;
    case DDB_BS:
        json_array_foreach(p, i, e) size += blob_size(e);
        return size;
    case DDB_M:
        /* 3 bytes for the map, and per entry its name, its value and 1 byte. */
        size = 3;
        json_object_foreach((json_t *)p, k, e) size += strlen(k) + ddb_value_size(e) + 1;
        return size;
    case DDB_L:
        size = 3;
        json_array_foreach(p, i, e) size += ddb_value_size(e) + 1;
        return size;
    case DDB_BAD:
        break;
    }
    return 0;
}

size_t
ddb_item_size(const json_t *item)
{
    const char *name;
    json_t *v;
    size_t size = 0;

    json_object_foreach((json_t *)item, name, v) size += strlen(name) + ddb_value_size(v);
    return size;
}

int
ddb_key_bytes(const json_t *av, struct buf *out)
{
    enum ddb_type t = ddb_type_of(av);
    const json_t *p = ddb_value_payload(av);

    if (t == DDB_S)
        return json_is_string(p) ? buf_append(out, json_string_value(p), json_string_length(p))
                                 : -1;
    if (t == DDB_N) {
        unsigned char key[DDB_NUM_KEY_MAX];
        struct ddb_num n;
        if (ddb_value_num(av, &n))
            return -1;
        return buf_append(out, key, ddb_num_key(&n, key));
    }
    if (t == DDB_B) {
        unsigned char *raw;
        long long n = ddb_value_bytes(av, &raw);
        int rc = n < 0 ? -1 : buf_append(out, raw, (size_t)n);
        free(raw);
        return rc;
    }
    return -1;
}

size_t
ddb_key_size(const json_t *av)
{
    switch (ddb_type_of(av)) {
    case DDB_S:
        return json_string_length(ddb_value_payload(av));
    case DDB_B:
        return blob_size(ddb_value_payload(av));
    case DDB_N:
        return number_size(ddb_value_payload(av));
    default:
        return 0;
    }
}
