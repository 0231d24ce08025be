/* proto_restjson.c: the REST-JSON protocol (Lambda, API Gateway control plane).
 *
 * rest_match() picks the operation whose method and URI template (from the generated model)
 * fit the request, ranking candidates by specificity. rest_decode() is botocore's
 * RestJSONSerializer (serialize.py) run backwards: URI labels, query parameters, headers and
 * the body each fill the members the model places there, with wire names (locationName)
 * mapped back to member names. rest_encode_response() and rest_encode_error() go the other
 * way, as botocore's RestJSONParser (parsers.py) reads them. */
#define _GNU_SOURCE /* strptime, timegm */
#include "core/proto_restjson.h"

#include "core/base64.h"
#include "core/pct.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REST_MAX_LABELS      16 /* the models use at most 5 labels per template */
#define REST_MAX_CONSTRAINTS 8

/* ---------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------- */

static void rest_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
rest_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Percent-decode s[0..n) into a new heap string (caller frees). A '%' that does not start a
 * valid escape is kept as is, like most HTTP servers do; '+' stays '+' in a path. */
static char *
rest_pct_decode(const char *s, size_t n, size_t *outlen)
{
    char *out = malloc(n + 1);

    if (!out)
        return NULL;
    *outlen = (size_t)pct_decode(out, s, n, 0);
    return out;
}

/* 1 if s is valid UTF-8 (jansson refuses anything else as a key or string). */
static int
rest_utf8_ok(const char *s)
{
    json_t *j = json_string(s);

    json_decref(j);
    return j != NULL;
}

static const char *
rest_wire(const struct model_member *mm)
{
    return mm->wire ? mm->wire : mm->name;
}

/* The pairs of f whose key is key: [*lo, *hi). Pairs are sorted by key (proto_query.h). */
static void
rest_form_range(const struct form *f, const char *key, size_t *lo, size_t *hi)
{
    size_t a = 0, b = f ? f->n : 0;

    while (a < b) {
        size_t mid = a + (b - a) / 2;

        if (strcmp(f->pairs[mid].key, key) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (f && a < f->n && strcmp(f->pairs[a].key, key) == 0)
        a++;
    *hi = a;
}

/* ---------------------------------------------------------------------------------------
 * URI template matching
 * ------------------------------------------------------------------------------------- */

struct rest_label {
    const char *name; /* points into the template */
    size_t name_len;
    const char *value; /* points into the raw (still percent-encoded) path */
    size_t value_len;
};

struct rest_binding {
    struct rest_label labels[REST_MAX_LABELS];
    int n;
};

/* How specific a matching template is; compared field by field (rest_rank_better). */
struct rest_rank {
    int literals;    /* non-empty literal path segments */
    int greedy;      /* 1 if a {Name+} label is used */
    int constraints; /* literal query constraints after '?' */
};

static size_t
rest_seg_len(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);

    return slash ? (size_t)(slash - s) : n;
}

/* Match template segments t[0..tn) against path p[0..pn), both without their leading '/'.
 * Labels are appended to b; on failure b->n is restored. 1 on a match. */
static int
rest_match_segs(const char *t, size_t tn, const char *p, size_t pn, struct rest_binding *b,
                struct rest_rank *rank)
{
    size_t ts = rest_seg_len(t, tn), ps = rest_seg_len(p, pn);
    int saved = b->n;

    if (ts >= 2 && t[0] == '{' && t[ts - 1] == '}') {
        int greedy = ts >= 3 && t[ts - 2] == '+';
        struct rest_label *l;

        if (b->n == REST_MAX_LABELS)
            return 0;
        l = &b->labels[b->n++];
        l->name = t + 1;
        l->name_len = ts - 2 - (size_t)greedy;
        l->value = p;
        if (greedy) {
            /* {Name+} spans slashes: try the longest value first, as a router must so
             * that a following literal segment can still match. */
            rank->greedy = 1;
            for (size_t end = pn; end > 0; end--) {
                if (end < pn && p[end] != '/')
                    continue;
                l->value_len = end;
                if (ts == tn && end == pn)
                    return 1;
                if (ts < tn && end < pn &&
                    rest_match_segs(t + ts + 1, tn - ts - 1, p + end + 1, pn - end - 1, b, rank))
                    return 1;
            }
            b->n = saved;
            return 0;
        }
        if (ps == 0) {
            b->n = saved;
            return 0;
        }
        l->value_len = ps;
    } else {
        if (ts != ps || memcmp(t, p, ts) != 0)
            return 0;
        if (ts > 0)
            rank->literals++;
    }
    if (ts == tn && ps == pn)
        return 1;
    if (ts == tn || ps == pn) {
        b->n = saved;
        return 0;
    }
    if (rest_match_segs(t + ts + 1, tn - ts - 1, p + ps + 1, pn - ps - 1, b, rank))
        return 1;
    b->n = saved;
    return 0;
}

/* Check the literal query constraints of a template ("mode=import&x"): each key=value must
 * be present among the request's values, each bare key must be present. Returns the number
 * of constraints, or -1 if one fails. */
static int
rest_match_query(const char *q, const struct form *query)
{
    int count = 0;

    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        char key[128];
        size_t klen = eq ? (size_t)(eq - q) : n, lo, hi, i;
        int found = 0;

        if (klen > 0) {
            if (klen >= sizeof(key))
                return -1;
            memcpy(key, q, klen);
            key[klen] = '\0';
            rest_form_range(query, key, &lo, &hi);
            for (i = lo; i < hi && !found; i++) {
                const struct form_pair *fp = &query->pairs[i];
                size_t vlen = eq ? n - klen - 1 : 0;

                found = !eq || (fp->value_len == vlen && memcmp(fp->value, eq + 1, vlen) == 0);
            }
            if (!found)
                return -1;
            count++;
        }
        q += n;
        if (*q == '&')
            q++;
    }
    return count;
}

/* Match one template against method-less path p[0..pn) (leading '/' stripped, one trailing
 * '/' ignored). 1 on a match, with labels in b and specificity in rank. */
static int
rest_match_uri(const char *uri, const char *p, size_t pn, const struct form *query,
               struct rest_binding *b, struct rest_rank *rank)
{
    const char *qmark = strchr(uri, '?');
    size_t tn = qmark ? (size_t)(qmark - uri) : strlen(uri);
    int nc = 0;

    memset(rank, 0, sizeof(*rank));
    b->n = 0;
    if (tn > 0 && uri[0] == '/') {
        uri++;
        tn--;
    }
    /* SDKs disagree on a trailing slash (botocore sends GET /2015-03-31/functions/ for
     * ListFunctions, whose template has none), so it never decides a match. */
    if (tn > 0 && uri[tn - 1] == '/')
        tn--;
    if (!rest_match_segs(uri, tn, p, pn, b, rank))
        return 0;
    if (qmark) {
        nc = rest_match_query(qmark + 1, query);
        if (nc < 0)
            return 0;
    }
    rank->constraints = nc;
    return 1;
}

static int
rest_rank_better(const struct rest_rank *a, const struct rest_rank *b)
{
    if (a->literals != b->literals)
        return a->literals > b->literals;
    if (a->greedy != b->greedy)
        return a->greedy < b->greedy;
    return a->constraints > b->constraints;
}

/* The label values as a JSON object, percent-decoded. NULL if a value is not UTF-8 (such
 * a path cannot name anything in a JSON API) or on no memory. */
static json_t *
rest_labels_json(const struct rest_binding *b)
{
    json_t *obj = json_object();

    for (int i = 0; obj && i < b->n; i++) {
        const struct rest_label *l = &b->labels[i];
        char name[128];
        size_t vlen;
        char *v;
        json_t *js;

        if (l->name_len >= sizeof(name))
            goto fail;
        memcpy(name, l->name, l->name_len);
        name[l->name_len] = '\0';
        v = rest_pct_decode(l->value, l->value_len, &vlen);
        if (!v)
            goto fail;
        js = json_stringn(v, vlen);
        free(v);
        if (!js || json_object_set_new(obj, name, js) != 0)
            goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

const struct model_op *
rest_match(const struct model *m, const char *method, const char *path, const struct form *query,
           json_t **params)
{
    const struct model_op *best = NULL;
    struct rest_binding bind, best_bind;
    struct rest_rank rank, best_rank;
    size_t pn;

    if (params)
        *params = NULL;
    if (!m || !method || !path || path[0] != '/')
        return NULL;
    path++;
    pn = strcspn(path, "?"); /* tolerate a caller that left the query string on */
    if (pn > 0 && path[pn - 1] == '/')
        pn--;

    memset(&best_bind, 0, sizeof(best_bind));
    memset(&best_rank, 0, sizeof(best_rank));
    for (size_t i = 0; i < m->n_ops; i++) {
        const struct model_op *op = &m->ops[i];

        if (!op->method || !op->uri || strcmp(op->method, method) != 0)
            continue;
        if (!rest_match_uri(op->uri, path, pn, query, &bind, &rank))
            continue;
        if (!best || rest_rank_better(&rank, &best_rank)) {
            best = op;
            best_bind = bind;
            best_rank = rank;
        }
    }
    if (best && params) {
        *params = rest_labels_json(&best_bind);
        if (!*params)
            return NULL;
    }
    return best;
}

/* ---------------------------------------------------------------------------------------
 * Scalars on the wire: timestamps, base64
 * ------------------------------------------------------------------------------------- */

/* Parse "2024-05-01T12:30:00[.123][Z|+hh:mm]" into epoch seconds. 0 or -1. */
static int
rest_parse_iso8601(const char *s, double *out)
{
    struct tm tm;
    const char *p;
    double frac = 0;
    long off = 0;

    memset(&tm, 0, sizeof(tm));
    p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return -1;
    if (*p == '.') {
        char *end;

        frac = strtod(p, &end);
        p = end;
    }
    if (*p == 'Z') {
        p++;
    } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
               isdigit((unsigned char)p[2])) {
        int sign = *p == '-' ? -1 : 1;
        long hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = 0;

        p += 3;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
            mm = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
        off = sign * (hh * 3600 + mm * 60);
    }
    if (*p)
        return -1;
    *out = (double)(timegm(&tm) - off) + frac;
    return 0;
}

/* A timestamp from a header or query value: epoch seconds, ISO 8601 (botocore's default in
 * query strings) or RFC 822 (its default in headers). 0 or -1. */
static int
rest_parse_timestamp(const char *s, double *out)
{
    struct tm tm;
    char *end;
    const char *p;

    errno = 0;
    *out = strtod(s, &end);
    if (end != s && !*end && errno == 0 && isfinite(*out))
        return 0;
    if (rest_parse_iso8601(s, out) == 0)
        return 0;
    memset(&tm, 0, sizeof(tm));
    p = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
    if (p && (strcmp(p, " GMT") == 0 || strcmp(p, " UTC") == 0 || !*p)) {
        *out = (double)timegm(&tm);
        return 0;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * Decoding a request
 * ------------------------------------------------------------------------------------- */

/* Turn one wire string (label, query value, header) into the member's JSON type. A value
 * that does not fit its type is an error: botocore never sends one. Returns a new
 * reference or NULL with err set. */
static json_t *
rest_scalar(const struct model_shape *s, const char *what, const char *v, size_t len, char *err,
            size_t errlen)
{
    char *end;
    json_t *j = NULL;

    switch (s->type) {
    case SHAPE_INTEGER:
    case SHAPE_LONG: {
        long long n;

        errno = 0;
        n = strtoll(v, &end, 10);
        if (len == 0 || end != v + len || errno != 0 || isspace((unsigned char)v[0]))
            break;
        j = json_integer((json_int_t)n);
        break;
    }
    case SHAPE_FLOAT:
    case SHAPE_DOUBLE: {
        double d;

        errno = 0;
        d = strtod(v, &end);
        if (len == 0 || end != v + len || errno != 0 || !isfinite(d))
            break;
        j = json_real(d);
        break;
    }
    case SHAPE_BOOLEAN:
        if (strcasecmp(v, "true") == 0)
            j = json_true();
        else if (strcasecmp(v, "false") == 0)
            j = json_false();
        break;
    case SHAPE_TIMESTAMP: {
        double t;

        if (strlen(v) != len || rest_parse_timestamp(v, &t) != 0)
            break;
        j = t == floor(t) && fabs(t) < 9e15 ? json_integer((json_int_t)t) : json_real(t);
        break;
    }
    default:
        j = json_stringn(v, len);
        break;
    }
    if (!j)
        rest_errf(err, errlen, "%s: '%.64s' is not a valid %s", what, v,
                  s->type == SHAPE_STRING || s->type == SHAPE_BLOB ? "UTF-8 string"
                  : s->type == SHAPE_BOOLEAN                       ? "boolean"
                  : s->type == SHAPE_TIMESTAMP                     ? "timestamp"
                                                                   : "number");
    return j;
}

/* A header value for member shape s: lists are comma-separated (botocore joins them so);
 * jsonvalue members carry base64-encoded JSON. */
static json_t *
rest_header_value(const struct model_member *mm, const struct model_shape *s, const char *v,
                  char *err, size_t errlen)
{
    if (mm && (mm->flags & MEMBER_JSONVALUE)) {
        long long n = base64_decoded_len(v, strlen(v), 0);
        unsigned char *raw = n >= 0 ? malloc((size_t)n + 1) : NULL;
        json_t *j = raw && base64_decode(raw, v, strlen(v), 0) == n
                        ? json_loadb((const char *)raw, (size_t)n, JSON_DECODE_ANY, NULL)
                        : NULL;

        free(raw);
        if (!j)
            rest_errf(err, errlen, "header %s: not base64-encoded JSON", rest_wire(mm));
        return j;
    }
    if (s->type == SHAPE_LIST && s->n_members == 1) {
        json_t *arr = json_array();
        const char *p = v;

        while (arr && *p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char *item;
            json_t *j;

            while (n > 0 && isspace((unsigned char)*p)) {
                p++;
                n--;
            }
            while (n > 0 && isspace((unsigned char)p[n - 1]))
                n--;
            item = strndup(p, n);
            j = item ? rest_scalar(s->members[0].shape, "header", item, n, err, errlen) : NULL;
            free(item);
            if (!j || json_array_append_new(arr, j) != 0) {
                json_decref(arr);
                return NULL;
            }
            p += strcspn(p, ",");
            if (*p == ',')
                p++;
        }
        return arr;
    }
    return rest_scalar(s, "header", v, strlen(v), err, errlen);
}

enum rest_dir { REST_FROM_WIRE, REST_TO_WIRE };

/* Copy a body value, renaming structure members between wire (locationName) and member
 * names at every depth, as API Gateway's `item` lists need. Keys a structure does not know
 * are dropped both ways, as AWS ignores them. A value of the wrong JSON type is passed
 * through for the handler's validation to judge. Returns a new reference, NULL only on no
 * memory. */
static json_t *
rest_rename(const struct model_shape *s, json_t *v, enum rest_dir dir)
{
    json_t *out;

    if (s->type == SHAPE_STRUCTURE && json_is_object(v)) {
        out = json_object();
        for (size_t i = 0; out && i < s->n_members; i++) {
            const struct model_member *mm = &s->members[i];
            const char *from = dir == REST_FROM_WIRE ? rest_wire(mm) : mm->name;
            const char *to = dir == REST_FROM_WIRE ? mm->name : rest_wire(mm);
            json_t *c = json_object_get(v, from), *n;

            if (!c || json_is_null(c))
                continue;
            n = rest_rename(mm->shape, c, dir);
            if (!n || json_object_set_new(out, to, n) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (s->type == SHAPE_LIST && s->n_members == 1 && json_is_array(v)) {
        size_t i;
        json_t *c;

        out = json_array();
        json_array_foreach(v, i, c)
        {
            json_t *n = out ? rest_rename(s->members[0].shape, c, dir) : NULL;

            if (!n || json_array_append_new(out, n) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (s->type == SHAPE_MAP && s->n_members == 2 && json_is_object(v)) {
        const char *k;
        json_t *c;

        out = json_object();
        json_object_foreach(v, k, c)
        {
            json_t *n = out ? rest_rename(s->members[1].shape, c, dir) : NULL;

            if (!n || json_object_set_new(out, k, n) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return json_incref(v);
}

static int
rest_is_blank(const char *body, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isspace((unsigned char)body[i]))
            return 0;
    }
    return 1;
}

/* 1 if key is a query parameter that another part of op claims: a literal constraint of
 * the template or a querystring member of its own. Such keys stay out of a map member. */
static int
rest_query_claimed(const struct model_op *op, const char *key)
{
    const char *q = strchr(op->uri, '?');
    size_t klen = strlen(key);

    while (q && *q) {
        size_t n;

        q++;
        n = strcspn(q, "=&");
        if (n == klen && memcmp(q, key, n) == 0)
            return 1;
        q = strchr(q, '&');
    }
    for (size_t i = 0; i < op->input->n_members; i++) {
        const struct model_member *mm = &op->input->members[i];

        if (mm->location == LOC_QUERYSTRING && mm->shape->type != SHAPE_MAP &&
            strcmp(rest_wire(mm), key) == 0)
            return 1;
    }
    return 0;
}

/* The value of a querystring member: a list takes every value of its key, a map every
 * parameter nobody else claims, anything else the first value. NULL with *absent set when
 * the request does not carry it; NULL with err set on a bad value. */
static json_t *
rest_query_member(const struct model_op *op, const struct model_member *mm,
                  const struct form *query, int *absent, char *err, size_t errlen)
{
    const struct model_shape *s = mm->shape;
    size_t lo, hi, i;
    json_t *out;

    *absent = 0;
    if (s->type == SHAPE_MAP && s->n_members == 2) {
        const struct model_shape *vs = s->members[1].shape;
        int many = vs->type == SHAPE_LIST && vs->n_members == 1;

        out = json_object();
        for (i = 0; out && query && i < query->n; i++) {
            const struct form_pair *fp = &query->pairs[i];
            const struct model_shape *es = many ? vs->members[0].shape : vs;
            json_t *cur, *j;

            if (rest_query_claimed(op, fp->key))
                continue;
            if (!rest_utf8_ok(fp->key))
                continue; /* not UTF-8: cannot be a JSON key */
            j = rest_scalar(es, fp->key, fp->value, fp->value_len, err, errlen);
            if (!j)
                goto fail;
            cur = json_object_get(out, fp->key);
            if (many) {
                if (!cur) {
                    cur = json_array();
                    if (!cur || json_object_set_new(out, fp->key, cur) != 0) {
                        json_decref(j);
                        goto fail;
                    }
                }
                if (json_array_append_new(cur, j) != 0)
                    goto fail;
            } else if (cur) {
                json_decref(j); /* repeated key of a plain map: the first value wins */
            } else if (json_object_set_new(out, fp->key, j) != 0) {
                goto fail;
            }
        }
        if (out && json_object_size(out) == 0) {
            json_decref(out);
            *absent = 1;
            return NULL;
        }
        if (!out)
            rest_errf(err, errlen, "out of memory");
        return out;
    fail:
        json_decref(out);
        return NULL;
    }

    rest_form_range(query, rest_wire(mm), &lo, &hi);
    if (lo == hi) {
        *absent = 1;
        return NULL;
    }
    if (s->type == SHAPE_LIST && s->n_members == 1) {
        out = json_array();
        for (i = lo; out && i < hi; i++) {
            const struct form_pair *fp = &query->pairs[i];
            json_t *j =
                rest_scalar(s->members[0].shape, fp->key, fp->value, fp->value_len, err, errlen);

            if (!j || json_array_append_new(out, j) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    return rest_scalar(s, query->pairs[lo].key, query->pairs[lo].value, query->pairs[lo].value_len,
                       err, errlen);
}

/* Every header starting with the member's prefix, the prefix cut off (x-amz-meta-*). */
static json_t *
rest_headers_member(const struct model_member *mm, const json_t *headers, char *err, size_t errlen)
{
    const struct model_shape *vs = mm->shape->n_members == 2 ? mm->shape->members[1].shape : NULL;
    size_t plen = strlen(rest_wire(mm));
    const char *k;
    json_t *v, *out = json_object();

    json_object_foreach((json_t *)headers, k, v)
    {
        json_t *j;

        if (!out || !json_is_string(v) || strlen(k) <= plen ||
            strncasecmp(k, rest_wire(mm), plen) != 0)
            continue;
        j = vs ? rest_scalar(vs, k, json_string_value(v), json_string_length(v), err, errlen)
               : json_incref(v);
        if (!j || json_object_set_new(out, k + plen, j) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *
rest_header_member(const struct model_member *mm, const json_t *headers, int *absent, char *err,
                   size_t errlen)
{
    char name[256];
    size_t i;
    const char *w = rest_wire(mm);
    json_t *v;

    *absent = 1;
    for (i = 0; w[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)tolower((unsigned char)w[i]);
    name[i] = '\0';
    v = json_object_get(headers, name);
    if (!json_is_string(v))
        return NULL;
    *absent = 0;
    return rest_header_value(mm, mm->shape, json_string_value(v), err, errlen);
}

/* Put the JSON body (or the raw payload) into in. 0 or -1 with err set. */
static int
rest_decode_body(const struct model_shape *s, json_t *in, const char *body, size_t len, char *err,
                 size_t errlen)
{
    const struct model_member *payload = NULL;
    int has_body = 0;
    json_error_t jerr;
    json_t *doc, *v;

    for (size_t i = 0; i < s->n_members; i++) {
        if (s->members[i].flags & MEMBER_PAYLOAD)
            payload = &s->members[i];
        else if (s->members[i].location == LOC_BODY)
            has_body = 1;
    }
    if (payload && payload->shape->type != SHAPE_STRUCTURE) {
        /* Blob and string payloads are the body itself, bytes and all (Invoke's Payload). */
        if (len == 0)
            return 0;
        v = json_stringn_nocheck(body ? body : "", len);
        if (!v || json_object_set_new(in, payload->name, v) != 0) {
            rest_errf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    if ((!payload && !has_body) || len == 0 || rest_is_blank(body, len))
        return 0;
    doc = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!doc) {
        rest_errf(err, errlen, "malformed JSON body: %s", jerr.text);
        return -1;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        rest_errf(err, errlen, "the request body must be a JSON object");
        return -1;
    }
    if (payload) {
        v = rest_rename(payload->shape, doc, REST_FROM_WIRE);
        if (!v || json_object_set_new(in, payload->name, v) != 0)
            goto nomem;
    } else {
        for (size_t i = 0; i < s->n_members; i++) {
            const struct model_member *mm = &s->members[i];
            json_t *c = json_object_get(doc, rest_wire(mm));

            if (mm->location != LOC_BODY || !c || json_is_null(c))
                continue;
            v = rest_rename(mm->shape, c, REST_FROM_WIRE);
            if (!v || json_object_set_new(in, mm->name, v) != 0)
                goto nomem;
        }
    }
    json_decref(doc);
    return 0;
nomem:
    json_decref(doc);
    rest_errf(err, errlen, "out of memory");
    return -1;
}

json_t *
rest_decode(const struct model_op *op, const json_t *params, const struct form *query,
            const json_t *headers, const char *body, size_t len, char *err, size_t errlen)
{
    const struct model_shape *s = op ? op->input : NULL;
    json_t *in = json_object();

    if (!in) {
        rest_errf(err, errlen, "out of memory");
        return NULL;
    }
    if (!s)
        return in;
    for (size_t i = 0; i < s->n_members; i++) {
        const struct model_member *mm = &s->members[i];
        json_t *v = NULL, *label;
        int absent = 0;

        switch (mm->location) {
        case LOC_URI:
            label = json_object_get(params, rest_wire(mm));
            if (!json_is_string(label))
                continue;
            v = rest_scalar(mm->shape, rest_wire(mm), json_string_value(label),
                            json_string_length(label), err, errlen);
            break;
        case LOC_QUERYSTRING:
            v = rest_query_member(op, mm, query, &absent, err, errlen);
            break;
        case LOC_HEADER:
            v = rest_header_member(mm, headers, &absent, err, errlen);
            break;
        case LOC_HEADERS:
            v = rest_headers_member(mm, headers, err, errlen);
            if (v && json_object_size(v) == 0) {
                json_decref(v);
                v = NULL;
                absent = 1;
            }
            break;
        default:
            continue; /* body members below; a status code is never input */
        }
        if (absent)
            continue;
        if (!v || json_object_set_new(in, mm->name, v) != 0) {
            json_decref(in);
            return NULL;
        }
    }
    if (rest_decode_body(s, in, body, len, err, errlen) != 0) {
        json_decref(in);
        return NULL;
    }
    return in;
}

/* ---------------------------------------------------------------------------------------
 * Encoding a response
 * ------------------------------------------------------------------------------------- */

/* Format a timestamp for a header: RFC 822 unless the shape says otherwise (botocore's
 * rest parsers default header timestamps to rfc822). */
static int
rest_fmt_timestamp(struct buf *b, const struct model_shape *s, const json_t *v)
{
    const char *fmt = s->timestamp_format;
    time_t t;
    struct tm tm;
    char out[64];

    if (json_is_string(v))
        return buf_puts(b, json_string_value(v));
    if (!json_is_number(v) || fabs(json_number_value(v)) > 1e15)
        return -1; /* not a time a calendar can show (and out of time_t's reach) */
    if (fmt && strcmp(fmt, "unixTimestamp") == 0)
        return buf_printf(b, "%.15g", json_number_value(v));
    t = (time_t)json_number_value(v);
    if (!gmtime_r(&t, &tm))
        return -1;
    if (fmt && strcmp(fmt, "iso8601") == 0)
        strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        strftime(out, sizeof(out), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf_puts(b, out);
}

static int
rest_dump_cb(const char *p, size_t n, void *data)
{
    return buf_append(data, p, n);
}

/* The text of one header value. CR and LF become spaces: a handler's string must never
 * split the response's header block. 0 or -1 (a value that has no header form). */
static int
rest_fmt_header(struct buf *b, const struct model_member *mm, const struct model_shape *s,
                const json_t *v)
{
    if (mm && (mm->flags & MEMBER_JSONVALUE)) {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char *coded = text ? malloc(base64_encoded_len(strlen(text), 0) + 1) : NULL;
        int rc = -1;

        if (coded)
            rc = buf_append(b, coded, base64_encode(coded, text, strlen(text), 0));
        free(coded);
        free(text);
        return rc;
    }
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *p = json_string_value(v);
        size_t n = json_string_length(v);

        for (size_t i = 0; i < n; i++) {
            char c = p[i] == '\r' || p[i] == '\n' || p[i] == '\0' ? ' ' : p[i];

            if (buf_putc(b, c) != 0)
                return -1;
        }
        return 0;
    }
    case JSON_INTEGER:
    case JSON_REAL:
        if (s->type == SHAPE_TIMESTAMP)
            return rest_fmt_timestamp(b, s, v);
        if (json_is_integer(v))
            return buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf_printf(b, "%.17g", json_real_value(v));
    case JSON_TRUE:
        return buf_puts(b, "true");
    case JSON_FALSE:
        return buf_puts(b, "false");
    case JSON_ARRAY: {
        size_t i;
        json_t *c;

        json_array_foreach(v, i, c)
        {
            if ((i > 0 && buf_puts(b, ",") != 0) ||
                rest_fmt_header(b, NULL, s->n_members ? s->members[0].shape : s, c) != 0)
                return -1;
        }
        return 0;
    }
    default:
        return -1;
    }
}

static int
rest_set_header(json_t *headers, const char *name, const struct model_member *mm,
                const struct model_shape *s, const json_t *v)
{
    struct buf b;
    int rc = -1;

    buf_init(&b, 64 * 1024);
    if (rest_fmt_header(&b, mm, s, v) == 0) {
        json_t *js = json_string_nocheck(b.data ? b.data : "");

        rc = js && json_object_set_new(headers, name, js) == 0 ? 0 : -1;
    }
    buf_release(&b);
    return rc;
}

int
rest_encode_response(const struct model_op *op, const json_t *out, unsigned *status,
                     json_t **headers, struct buf *body, const char **content_type)
{
    const struct model_shape *s = op ? op->output : NULL;
    json_t *doc = NULL;
    int has_body = 0, rc = -1;

    *status = op && op->status ? op->status : 200;
    *content_type = "application/json";
    *headers = json_object();
    if (!*headers)
        return -1;
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n_members; i++) {
        const struct model_member *mm = &s->members[i];
        json_t *v = json_object_get(out, mm->name);

        if (mm->location == LOC_BODY && !(mm->flags & MEMBER_PAYLOAD))
            has_body = 1;
        if (!v || json_is_null(v))
            continue;
        switch (mm->location) {
        case LOC_STATUS:
            if (json_is_integer(v) && json_integer_value(v) >= 100 && json_integer_value(v) <= 599)
                *status = (unsigned)json_integer_value(v);
            break;
        case LOC_HEADER:
            if (rest_set_header(*headers, rest_wire(mm), mm, mm->shape, v) != 0)
                goto out;
            break;
        case LOC_HEADERS: {
            const struct model_shape *vs =
                mm->shape->n_members == 2 ? mm->shape->members[1].shape : mm->shape;
            const char *k;
            json_t *c;

            json_object_foreach((json_t *)v, k, c)
            {
                char name[512];

                snprintf(name, sizeof(name), "%s%s", rest_wire(mm), k);
                if (rest_set_header(*headers, name, NULL, vs, c) != 0)
                    goto out;
            }
            break;
        }
        case LOC_BODY:
            if (mm->flags & MEMBER_PAYLOAD) {
                if (json_is_string(v)) {
                    /* Raw bytes (Invoke's Payload): the tree holds them as they are. */
                    if (mm->shape->type == SHAPE_BLOB)
                        *content_type = "application/octet-stream";
                    if (buf_append(body, json_string_value(v), json_string_length(v)) != 0)
                        goto out;
                } else {
                    json_t *w = rest_rename(mm->shape, v, REST_TO_WIRE);

                    if (!w || json_dump_callback(w, rest_dump_cb, body,
                                                 JSON_COMPACT | JSON_ENCODE_ANY) != 0) {
                        json_decref(w);
                        goto out;
                    }
                    json_decref(w);
                }
            }
            break;
        default:
            break; /* uri and querystring members have no place in a response */
        }
    }
    if (has_body) {
        doc = rest_rename(s, (json_t *)out, REST_TO_WIRE);
        /* rest_rename keeps only members: drop those that travelled elsewhere. */
        for (size_t i = 0; doc && i < s->n_members; i++) {
            const struct model_member *mm = &s->members[i];

            if (mm->location != LOC_BODY || (mm->flags & MEMBER_PAYLOAD))
                json_object_del(doc, rest_wire(mm));
        }
        if (!json_is_object(doc)) {
            json_decref(doc);
            doc = json_object();
        }
        if (!doc || json_dump_callback(doc, rest_dump_cb, body, JSON_COMPACT) != 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(doc);
    if (rc != 0) {
        json_decref(*headers);
        *headers = NULL;
    }
    return rc;
}

int
rest_encode_error(struct buf *b, const char *type, const char *message)
{
    json_t *doc = json_object(), *msg;
    int rc = -1;

    if (!doc)
        return -1;
    msg = json_string(message ? message : "");
    if (!msg) {
        /* Not UTF-8 (a client's bytes quoted in the message): keep the ASCII, mark the rest. */
        char *copy = strdup(message);

        for (char *p = copy; p && *p; p++) {
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        }
        msg = copy ? json_string(copy) : NULL;
        free(copy);
    }
    /* Lambda's clients read "Type" first; jansson keeps insertion order. */
    if (type && json_object_set_new(doc, "Type", json_string(type)) != 0) {
        json_decref(msg);
        goto out;
    }
    if (!msg || json_object_set_new(doc, "message", msg) != 0)
        goto out;
    rc = json_dump_callback(doc, rest_dump_cb, b, JSON_COMPACT | JSON_PRESERVE_ORDER) ? -1 : 0;
out:
    json_decref(doc);
    return rc;
}
