/* proto_query.c: the AWS query protocol, form in and XML out (see proto_query.h).
 *
 * form_parse() percent-decodes a body into pairs sorted by key, so every lookup below is a
 * binary search or a scan of one contiguous key range. query_decode() is botocore's
 * QuerySerializer (serialize.py) run backwards: it walks the input shape, computes the key
 * prefix each member would have been written under and rebuilds the JSON tree. The encoder
 * mirrors what botocore's QueryParser (parsers.py) reads: element names, flattened lists and
 * maps, the result wrapper and ResponseMetadata. */
#include "core/proto_query.h"

#include "core/pct.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------------------------
 * Form parsing
 * ------------------------------------------------------------------------------------- */

/* Percent-decode s[0..len) into a new arena string; '+' is a space (form encoding).
 * NULL on a bad escape or no memory. */
static char *
form_decode(struct arena *a, const char *s, size_t len, size_t *outlen)
{
    char *out = arena_alloc(a, len + 1);
    ssize_t n;

    if (!out || (n = pct_decode(out, s, len, PCT_PLUS_IS_SPACE | PCT_STRICT)) < 0)
        return NULL;
    *outlen = (size_t)n;
    return out;
}

/* Stable merge sort by key: repeated keys keep their order in the body. */
static void
form_sort(struct form_pair *p, struct form_pair *tmp, size_t n)
{
    size_t mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2)
        return;
    form_sort(p, tmp, mid);
    form_sort(p + mid, tmp, n - mid);
    while (i < mid && j < n)
        tmp[k++] = strcmp(p[j].key, p[i].key) < 0 ? p[j++] : p[i++];
    while (i < mid)
        tmp[k++] = p[i++];
    while (j < n)
        tmp[k++] = p[j++];
    memcpy(p, tmp, n * sizeof(*p));
}

int
form_parse(struct arena *a, const char *s, size_t len, struct form *f)
{
    size_t i, start, n = 1, klen, vlen;
    const char *seg, *eq;
    struct form_pair *pairs, *tmp;
    char *key;

    f->pairs = NULL;
    f->n = 0;
    for (i = 0; i < len; i++)
        n += s[i] == '&';
    pairs = arena_alloc(a, n * sizeof(*pairs));
    tmp = arena_alloc(a, n * sizeof(*tmp));
    if (!pairs || !tmp)
        return -1;

    n = 0;
    for (start = 0; start <= len; start = i + 1) {
        for (i = start; i < len && s[i] != '&'; i++)
            ;
        if (i == start)
            continue; /* "a=1&&b=2", a trailing '&' or an empty body */
        seg = s + start;
        eq = memchr(seg, '=', i - start);
        key = form_decode(a, seg, eq ? (size_t)(eq - seg) : i - start, &klen);
        if (!key || strlen(key) != klen)
            return -1; /* bad escape, no memory, or a NUL inside a parameter name */
        pairs[n].key = key;
        if (eq) {
            pairs[n].value = form_decode(a, eq + 1, (size_t)(s + i - eq - 1), &vlen);
            if (!pairs[n].value)
                return -1;
        } else {
            pairs[n].value = "";
            vlen = 0;
        }
        pairs[n].value_len = vlen;
        n++;
    }
    form_sort(pairs, tmp, n);
    f->pairs = pairs;
    f->n = n;
    return 0;
}

/* Index of the first pair whose key is >= key. */
static size_t
form_lower_bound(const struct form *f, const char *key)
{
    size_t lo = 0, hi = f->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (strcmp(f->pairs[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct form_pair *
form_find(const struct form *f, const char *key)
{
    size_t i = form_lower_bound(f, key);

    return i < f->n && strcmp(f->pairs[i].key, key) == 0 ? &f->pairs[i] : NULL;
}

const char *
form_get(const struct form *f, const char *key)
{
    const struct form_pair *p = form_find(f, key);

    return p ? p->value : NULL;
}

/* ---------------------------------------------------------------------------------------
 * Decoding: form -> JSON tree
 * ------------------------------------------------------------------------------------- */

/* Longest key prefix we build; a deeper key cannot come from a real SDK and is ignored,
 * which also bounds recursion on self-referencing shapes. */
#define QD_PREFIX_MAX 512
/* List and map indices above this are not something any SDK sends; such keys are ignored. */
#define QD_INDEX_MAX 1000000000ULL

struct qd {
    const struct form *f;
    char *err;
    size_t errlen;
    int failed; /* an error is recorded in err; unwind */
};

struct qd_index {
    unsigned long long value; /* numeric index, for ordering */
    const char *text;         /* the digits exactly as in the key (borrowed from the form) */
    size_t len;
};

static json_t *qd_value(struct qd *q, const struct model_shape *s, int flat, const char *prefix);

static void
qd_fail(struct qd *q, const char *msg, const char *subject)
{
    if (!q->failed && q->err && q->errlen)
        snprintf(q->err, q->errlen, "%s%s%s", msg, subject ? ": " : "", subject ? subject : "");
    q->failed = 1;
}

/* prefix "." comp (or just comp when prefix is empty) into out; -1 when too long. */
static int
qd_join(char *out, const char *prefix, const char *comp, size_t comp_len)
{
    size_t plen = strlen(prefix);

    if (plen + 1 + comp_len + 1 > QD_PREFIX_MAX)
        return -1;
    memcpy(out, prefix, plen);
    if (plen)
        out[plen++] = '.';
    memcpy(out + plen, comp, comp_len);
    out[plen + comp_len] = '\0';
    return 0;
}

/* 1 if some key starts with "prefix." */
static int
qd_has_children(const struct form *f, const char *prefix)
{
    char dotted[QD_PREFIX_MAX + 1];
    size_t plen = strlen(prefix), i;

    if (plen + 2 > sizeof(dotted))
        return 0;
    memcpy(dotted, prefix, plen);
    dotted[plen] = '.';
    dotted[plen + 1] = '\0';
    i = form_lower_bound(f, dotted);
    return i < f->n && strncmp(f->pairs[i].key, dotted, plen + 1) == 0;
}

static int
qd_index_cmp(const void *a, const void *b)
{
    const struct qd_index *x = a, *y = b;

    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->text, y->text, x->len);
}

/* Collect the distinct N of every key "base.N" or "base.N.…", in numeric order. Indices
 * may be sparse or out of order in the body. Returns a malloc'd array (NULL when empty). */
static struct qd_index *
qd_indices(struct qd *q, const char *base, size_t *count)
{
    char dotted[QD_PREFIX_MAX + 1];
    size_t blen = strlen(base), i, n = 0, cap = 0, d, out;
    struct qd_index *idx = NULL, *grown;
    const char *k;
    unsigned long long v;

    *count = 0;
    if (blen + 2 > sizeof(dotted))
        return NULL;
    memcpy(dotted, base, blen);
    dotted[blen] = '.';
    dotted[blen + 1] = '\0';
    for (i = form_lower_bound(q->f, dotted); i < q->f->n; i++) {
        k = q->f->pairs[i].key;
        if (strncmp(k, dotted, blen + 1) != 0)
            break;
        k += blen + 1;
        for (d = 0, v = 0; k[d] >= '0' && k[d] <= '9' && v <= QD_INDEX_MAX; d++)
            v = v * 10 + (unsigned)(k[d] - '0');
        if (d == 0 || v == 0 || v > QD_INDEX_MAX || (k[d] != '\0' && k[d] != '.'))
            continue; /* not an index: a key the shape does not know */
        if (n && idx[n - 1].len == d && memcmp(idx[n - 1].text, k, d) == 0)
            continue; /* same element as the previous key */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(idx, cap * sizeof(*idx));
            if (!grown) {
                free(idx);
                qd_fail(q, "out of memory", NULL);
                return NULL;
            }
            idx = grown;
        }
        idx[n].value = v;
        idx[n].text = k;
        idx[n].len = d;
        n++;
    }
    if (n == 0)
        return idx;
    qsort(idx, n, sizeof(*idx), qd_index_cmp);
    for (i = 1, out = 1; i < n; i++)
        if (qd_index_cmp(&idx[out - 1], &idx[i]) != 0)
            idx[out++] = idx[i];
    *count = out;
    return idx;
}

static int
qd_member_flat(const struct model_member *m)
{
    return (m->flags & MEMBER_FLATTENED) || (m->shape->flags & SHAPE_F_FLATTENED);
}

static json_t *
qd_string(struct qd *q, const struct form_pair *p)
{
    json_t *j = json_stringn(p->value, p->value_len);

    if (!j)
        qd_fail(q, "parameter value is not valid UTF-8", p->key);
    return j;
}

/* Scalars keep their text when it does not parse as the shape's type: the handler then
 * reports the service's own validation error, as AWS does. */
static json_t *
qd_scalar(struct qd *q, const struct model_shape *s, const char *key)
{
    const struct form_pair *p = form_find(q->f, key);
    const char *v;
    char *end;
    long long ll;
    double d;
    json_t *j = NULL;

    if (!p)
        return NULL;
    v = p->value;
    switch (s->type) {
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        if ((v[0] >= '0' && v[0] <= '9') || v[0] == '-' || v[0] == '+') {
            errno = 0;
            ll = strtoll(v, &end, 10);
            if (errno == 0 && end != v && (size_t)(end - v) == p->value_len)
                j = json_integer(ll);
        }
        break;
    case SHAPE_FLOAT:
    case SHAPE_DOUBLE:
        if (p->value_len && !(v[0] == ' ' || (v[0] >= '\t' && v[0] <= '\r'))) {
            errno = 0;
            d = strtod(v, &end);
            if (errno == 0 && (size_t)(end - v) == p->value_len && isfinite(d))
                j = json_real(d);
        }
        break;
    case SHAPE_BOOLEAN:
        if (strcmp(v, "true") == 0)
            j = json_true();
        else if (strcmp(v, "false") == 0)
            j = json_false();
        break;
    default:
        break; /* strings, timestamps and base64 blobs travel as text in JSON too */
    }
    if (j)
        return j;
    return qd_string(q, p);
}

static json_t *
qd_structure(struct qd *q, const struct model_shape *s, const char *prefix)
{
    char mp[QD_PREFIX_MAX];
    const struct model_member *m;
    const char *wn;
    json_t *obj, *v;
    unsigned i;

    if (prefix[0] && !qd_has_children(q->f, prefix))
        return NULL;
    obj = json_object();
    if (!obj) {
        qd_fail(q, "out of memory", NULL);
        return NULL;
    }
    for (i = 0; i < s->n_members; i++) {
        m = &s->members[i];
        if (m->location != LOC_BODY)
            continue;
        wn = m->wire ? m->wire : m->name;
        if (qd_join(mp, prefix, wn, strlen(wn)) != 0)
            continue;
        v = qd_value(q, m->shape, qd_member_flat(m), mp);
        if (q->failed) {
            json_decref(obj);
            return NULL;
        }
        if (v && json_object_set_new(obj, m->name, v) != 0) {
            qd_fail(q, "out of memory", NULL);
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

static json_t *
qd_list(struct qd *q, const struct model_shape *s, int flat, const char *prefix)
{
    const struct model_member *elem = &s->members[0];
    char base[QD_PREFIX_MAX], ep[QD_PREFIX_MAX];
    const char *dot;
    struct qd_index *idx;
    size_t n, i, keep;
    json_t *arr, *v;

    if (s->n_members < 1)
        return NULL;
    if (flat && elem->wire) {
        /* botocore replaces the member's own last name component with the element's
         * locationName: AttributeNames (list of AttributeName) -> AttributeName.1 */
        dot = strrchr(prefix, '.');
        keep = dot ? (size_t)(dot - prefix) + 1 : 0; /* up to and including the '.' */
        if (keep + strlen(elem->wire) + 1 > sizeof(base))
            return NULL;
        memcpy(base, prefix, keep);
        memcpy(base + keep, elem->wire, strlen(elem->wire) + 1);
    } else if (flat) {
        snprintf(base, sizeof(base), "%s", prefix);
    } else {
        if (qd_join(base, prefix, elem->wire ? elem->wire : "member",
                    strlen(elem->wire ? elem->wire : "member")) != 0)
            return NULL;
    }

    idx = qd_indices(q, base, &n);
    if (q->failed)
        return NULL;
    /* An empty list is sent as "Prefix=" under the member's original prefix. */
    if (n == 0 && !form_find(q->f, prefix)) {
        free(idx);
        return NULL;
    }
    arr = json_array();
    if (!arr) {
        free(idx);
        qd_fail(q, "out of memory", NULL);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (qd_join(ep, base, idx[i].text, idx[i].len) != 0)
            continue;
        v = qd_value(q, elem->shape, qd_member_flat(elem), ep);
        if (q->failed)
            break;
        if (v && json_array_append_new(arr, v) != 0) {
            qd_fail(q, "out of memory", NULL);
            break;
        }
    }
    free(idx);
    if (q->failed) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *
qd_map(struct qd *q, const struct model_shape *s, int flat, const char *prefix)
{
    const struct model_member *km = &s->members[0], *vm = &s->members[1];
    const char *kname = km->wire ? km->wire : "key", *vname = vm->wire ? vm->wire : "value";
    char base[QD_PREFIX_MAX], ep[QD_PREFIX_MAX], kp[QD_PREFIX_MAX], vp[QD_PREFIX_MAX];
    const struct form_pair *kpair;
    struct qd_index *idx;
    size_t n, i;
    json_t *obj, *v;

    if (s->n_members < 2)
        return NULL;
    if (flat)
        snprintf(base, sizeof(base), "%s", prefix);
    else if (qd_join(base, prefix, "entry", 5) != 0)
        return NULL;
    idx = qd_indices(q, base, &n);
    if (q->failed || n == 0) {
        free(idx);
        return NULL; /* botocore sends nothing at all for an empty map */
    }
    obj = json_object();
    if (!obj) {
        free(idx);
        qd_fail(q, "out of memory", NULL);
        return NULL;
    }
    for (i = 0; i < n && !q->failed; i++) {
        if (qd_join(ep, base, idx[i].text, idx[i].len) != 0 ||
            qd_join(kp, ep, kname, strlen(kname)) != 0 || qd_join(vp, ep, vname, strlen(vname)))
            continue;
        kpair = form_find(q->f, kp);
        if (!kpair)
            continue; /* an entry without a key cannot be placed in the map */
        if (strlen(kpair->value) != kpair->value_len) {
            qd_fail(q, "map key contains a NUL character", kp);
            break;
        }
        v = qd_value(q, vm->shape, qd_member_flat(vm), vp);
        if (q->failed)
            break;
        /* A structure value sent with no fields still names the entry: keep it as {} so
         * the handler's validation can say what is missing. */
        if (!v && vm->shape->type == SHAPE_STRUCTURE)
            v = json_object();
        if (!v)
            continue;
        if (json_object_set_new(obj, kpair->value, v) != 0)
            qd_fail(q, "map key is not valid UTF-8", kp);
    }
    free(idx);
    if (q->failed) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The value of shape s written under prefix, NULL when absent (or on failure, with
 * q->failed set). */
static json_t *
qd_value(struct qd *q, const struct model_shape *s, int flat, const char *prefix)
{
    switch (s->type) {
    case SHAPE_STRUCTURE:
        return qd_structure(q, s, prefix);
    case SHAPE_LIST:
        return qd_list(q, s, flat, prefix);
    case SHAPE_MAP:
        return qd_map(q, s, flat, prefix);
    default:
        return qd_scalar(q, s, prefix);
    }
}

json_t *
query_decode(const struct form *f, const struct model_shape *input, char *err, size_t errlen)
{
    struct qd q = {.f = f, .err = err, .errlen = errlen, .failed = 0};
    json_t *root;

    if (err && errlen)
        err[0] = '\0';
    if (!input)
        return json_object(); /* the operation takes nothing: every parameter is ignored */
    if (input->type != SHAPE_STRUCTURE) {
        qd_fail(&q, "input shape is not a structure", input->name);
        return NULL;
    }
    root = qd_structure(&q, input, "");
    if (!root && !q.failed)
        qd_fail(&q, "out of memory", NULL);
    return root;
}

/* ---------------------------------------------------------------------------------------
 * Encoding: JSON tree -> XML
 * ------------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not valid:
 * overlong forms, surrogates and code points above U+10FFFF are rejected. */
static size_t
xml_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len, i;

    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

int
xml_escape(struct buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0, n;
    const char *rep;

    while (i < len) {
        rep = NULL;
        n = 1;
        if (u[i] < 0x80) {
            switch (u[i]) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\r': /* a raw CR would be normalised to \n by the client's parser */
                rep = "&#xD;";
                break;
            case '\t':
            case '\n':
                break;
            default:
                /* Other C0 controls cannot appear in XML 1.0 at all, not even as
                 * character references: drop them. */
                if (u[i] < 0x20)
                    rep = "";
            }
        } else {
            n = xml_utf8_len(u + i, len - i);
            if (n == 0) {
                n = 1;
                rep = "\xEF\xBF\xBD"; /* invalid UTF-8 byte -> U+FFFD */
            } else if (n == 3 && u[i] == 0xEF && u[i + 1] == 0xBF && u[i + 2] >= 0xBE) {
                rep = "\xEF\xBF\xBD"; /* U+FFFE, U+FFFF are not XML characters */
            }
        }
        if (!rep) {
            run += n;
            i += n;
            continue;
        }
        if (run && buf_append(b, s + i - run, run) != 0)
            return -1;
        run = 0;
        if (buf_puts(b, rep) != 0)
            return -1;
        i += n;
    }
    return run ? buf_append(b, s + len - run, run) : 0;
}

/* Shortest decimal text that reads back as the same double, like Python's repr(). */
static int
xml_put_double(struct buf *b, double d)
{
    char tmp[64];
    int prec;

    if (isnan(d))
        return buf_puts(b, "NaN");
    if (isinf(d))
        return buf_puts(b, d < 0 ? "-Infinity" : "Infinity");
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    return buf_puts(b, tmp);
}

/* Epoch seconds as ISO-8601 with milliseconds, the query protocol's timestamp format. */
static int
xml_put_timestamp(struct buf *b, double secs)
{
    struct tm tm;
    time_t t;
    double fl = floor(secs);
    long ms;

    if (!isfinite(secs) || fl < -62135596800.0 || fl > 253402300799.0)
        return -1; /* outside years 1..9999: a handler bug, not something to print */
    t = (time_t)fl;
    ms = lround((secs - fl) * 1000.0);
    if (ms > 999)
        ms = 999;
    if (!gmtime_r(&t, &tm))
        return -1;
    return buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static int xe_member(struct buf *b, const struct model_member *m, const json_t *v);

/* Scalar text for any shape type; a JSON string always passes through as text. */
static int
xe_scalar(struct buf *b, const struct model_shape *s, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xml_escape(b, json_string_value(v), json_string_length(v));
    case JSON_TRUE:
        return buf_puts(b, "true");
    case JSON_FALSE:
        return buf_puts(b, "false");
    case JSON_INTEGER:
        if (s->type == SHAPE_TIMESTAMP &&
            !(s->timestamp_format && strcmp(s->timestamp_format, "unixTimestamp") == 0))
            return xml_put_timestamp(b, (double)json_integer_value(v));
        return buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        if (s->type == SHAPE_TIMESTAMP &&
            !(s->timestamp_format && strcmp(s->timestamp_format, "unixTimestamp") == 0))
            return xml_put_timestamp(b, json_real_value(v));
        return xml_put_double(b, json_real_value(v));
    default:
        return -1; /* an object or array where the model wants a scalar: handler bug */
    }
}

static int
xe_open(struct buf *b, const char *name)
{
    return buf_printf(b, "<%s>", name);
}

static int
xe_close(struct buf *b, const char *name)
{
    return buf_printf(b, "</%s>", name);
}

/* The content (children or text) of an element holding v as shape s. */
static int
xe_content(struct buf *b, const struct model_shape *s, const json_t *v)
{
    const char *el, *kname, *vname, *key;
    const json_t *item;
    size_t i;
    unsigned k;

    switch (s->type) {
    case SHAPE_STRUCTURE:
        if (!json_is_object(v))
            return -1;
        for (k = 0; k < s->n_members; k++) {
            item = json_object_get(v, s->members[k].name);
            if (item && !json_is_null(item) && xe_member(b, &s->members[k], item) != 0)
                return -1;
        }
        return 0;
    case SHAPE_LIST:
        if (!json_is_array(v) || s->n_members < 1)
            return -1;
        el = s->members[0].wire ? s->members[0].wire : "member";
        json_array_foreach(v, i, item)
        {
            if (json_is_null(item))
                continue;
            if (xe_open(b, el) || xe_content(b, s->members[0].shape, item) || xe_close(b, el))
                return -1;
        }
        return 0;
    case SHAPE_MAP:
        if (!json_is_object(v) || s->n_members < 2)
            return -1;
        kname = s->members[0].wire ? s->members[0].wire : "key";
        vname = s->members[1].wire ? s->members[1].wire : "value";
        json_object_foreach((json_t *)v, key, item)
        {
            if (json_is_null(item))
                continue;
            if (buf_puts(b, "<entry>") || xe_open(b, kname) || xml_escape(b, key, strlen(key)) ||
                xe_close(b, kname) || xe_open(b, vname) ||
                xe_content(b, s->members[1].shape, item) || xe_close(b, vname) ||
                buf_puts(b, "</entry>"))
                return -1;
        }
        return 0;
    default:
        return xe_scalar(b, s, v);
    }
}

/* One structure member: a single element, or for flattened lists and maps one element per
 * item with no wrapper (botocore _member_key_name, _handle_map). */
static int
xe_member(struct buf *b, const struct model_member *m, const json_t *v)
{
    const struct model_shape *s = m->shape;
    const char *name = m->wire ? m->wire : m->name, *kname, *vname, *key;
    const json_t *item;
    size_t i;

    if (!qd_member_flat(m) || (s->type != SHAPE_LIST && s->type != SHAPE_MAP))
        return xe_open(b, name) || xe_content(b, s, v) || xe_close(b, name) ? -1 : 0;

    if (s->type == SHAPE_LIST) {
        if (!json_is_array(v) || s->n_members < 1)
            return -1;
        if (s->members[0].wire)
            name = s->members[0].wire;
        json_array_foreach(v, i, item)
        {
            if (json_is_null(item))
                continue;
            if (xe_open(b, name) || xe_content(b, s->members[0].shape, item) || xe_close(b, name))
                return -1;
        }
        return 0;
    }

    if (!json_is_object(v) || s->n_members < 2)
        return -1;
    kname = s->members[0].wire ? s->members[0].wire : "key";
    vname = s->members[1].wire ? s->members[1].wire : "value";
    json_object_foreach((json_t *)v, key, item)
    {
        if (json_is_null(item))
            continue;
        if (xe_open(b, name) || xe_open(b, kname) || xml_escape(b, key, strlen(key)) ||
            xe_close(b, kname) || xe_open(b, vname) || xe_content(b, s->members[1].shape, item) ||
            xe_close(b, vname) || xe_close(b, name))
            return -1;
    }
    return 0;
}

/* Undo a partial document so a failed encode leaves b as it was. */
static int
xe_rollback(struct buf *b, size_t len)
{
    if (b->data) {
        b->len = len;
        b->data[len] = '\0';
    }
    return -1;
}

/* The XML declaration and "<{name}{suffix} xmlns=\"ns\">". */
static int
xe_root_open(struct buf *b, const char *name, const char *suffix, const char *ns)
{
    if (buf_puts(b, "<?xml version=\"1.0\"?>") || buf_printf(b, "<%s%s", name, suffix))
        return -1;
    if (ns && (buf_puts(b, " xmlns=\"") || xml_escape(b, ns, strlen(ns)) || buf_putc(b, '"')))
        return -1;
    return buf_putc(b, '>');
}

static int
xe_request_id(struct buf *b, const char *request_id)
{
    return buf_puts(b, "<RequestId>") ||
                   xml_escape(b, request_id ? request_id : "",
                              request_id ? strlen(request_id) : 0) ||
                   buf_puts(b, "</RequestId>")
               ? -1
               : 0;
}

int
query_encode_response(struct buf *b, const struct model *m, const struct model_op *op,
                      const json_t *out, const char *request_id)
{
    size_t start = b->len;
    const char *wrap = op->output ? op->result_wrapper : NULL;
    json_t *empty = NULL;
    int rc = -1;

    if (xe_root_open(b, op->name, "Response", m->xml_namespace) != 0)
        return xe_rollback(b, start);

    if (op->output) {
        if (!out) {
            out = empty = json_object(); /* a bare result element, as AWS sends */
            if (!empty)
                return xe_rollback(b, start);
        }
        /* Without a resultWrapper botocore reads the members straight under the root. */
        if ((wrap && xe_open(b, wrap)) || xe_content(b, op->output, out) ||
            (wrap && xe_close(b, wrap)))
            goto out;
    }
    if (buf_puts(b, "<ResponseMetadata>") || xe_request_id(b, request_id) ||
        buf_puts(b, "</ResponseMetadata>") || buf_printf(b, "</%sResponse>", op->name))
        goto out;
    rc = 0;
out:
    json_decref(empty);
    return rc == 0 ? 0 : xe_rollback(b, start);
}

int
query_encode_error(struct buf *b, const char *ns, const struct awslet_error *err,
                   const char *message, const char *request_id)
{
    size_t start = b->len;
    const char *code = error_query_code(err);

    if (xe_root_open(b, "ErrorResponse", "", ns) || buf_puts(b, "<Error><Type>") ||
        buf_puts(b, err->fault == RECEIVER ? "Receiver" : "Sender") ||
        buf_puts(b, "</Type><Code>") || xml_escape(b, code, strlen(code)) || buf_puts(b, "</Code>"))
        return xe_rollback(b, start);
    if (message && (buf_puts(b, "<Message>") || xml_escape(b, message, strlen(message)) ||
                    buf_puts(b, "</Message>")))
        return xe_rollback(b, start);
    if (buf_puts(b, "<Detail/></Error>") || xe_request_id(b, request_id) ||
        buf_puts(b, "</ErrorResponse>"))
        return xe_rollback(b, start);
    return 0;
}
