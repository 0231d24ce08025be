/* ddb_pq_literal.c: PartiQL's Ion-like literals as DynamoDB AttributeValues, for the parser
 * (ddb_pq_parse.c, through ddb_pq_parse_int.h).
 *
 * "Data types" in the developer guide's PartiQL reference: 'text' is S, 12 / -1.5 / 1e3 are
 * N, TRUE / FALSE are BOOL, NULL is NULL, {'k': v, ...} is M, [v, ...] is L and <<v, ...>> a
 * set (SS or NS: DynamoDB's bags hold string or number literals only), nested in any
 * combination; `?` takes the next entry of Parameters, of any type (SS, NS and BS included).
 * Numbers are checked as they are read, and a bad one is reported with where it sits in the
 * value, as DynamoDB does: "Number overflow. ... under root.m[1]" (the literal is the root;
 * in INSERT's item each attribute's value is). The finished value goes through
 * ddb_value_check(), so numbers come out normalized ("1.50" is "1.5") and sets refuse
 * duplicates, with DynamoDB's messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_pq_parse_int.h"
#include "services/dynamodb/ddb_value.h"

static json_t *pq_literal(struct pq_parser *p);

/* The value path for messages: back to len, then append (truncated, never overflowing). */
static void __attribute__((format(printf, 3, 4)))
pq_vpath(struct pq_parser *p, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n;

    p->vlen = len < sizeof(p->vpath) ? len : sizeof(p->vpath) - 1;
    p->vpath[p->vlen] = '\0';
    if (!fmt)
        return;
    va_start(ap, fmt);
    n = vsnprintf(p->vpath + p->vlen, sizeof(p->vpath) - p->vlen, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->vlen += (size_t)n;
    if (p->vlen >= sizeof(p->vpath))
        p->vlen = sizeof(p->vpath) - 1;
}

static json_t *
pq_nomem(struct pq_parser *p, json_t *drop)
{
    json_decref(drop);
    pq_fail(p, "out of memory");
    return NULL;
}

/* {type: payload}, stealing payload. */
static json_t *
pq_av(struct pq_parser *p, const char *type, json_t *payload)
{
    json_t *v;

    if (!payload)
        return pq_nomem(p, NULL);
    v = json_object();
    if (!v || json_object_set_new(v, type, payload) != 0)
        return pq_nomem(p, v);
    return v;
}

/* `?`: a copy of the next parameter. Past the last one a NULL stands in, so that parsing goes
 * on to find syntax errors, which DynamoDB reports before the count. */
static json_t *
pq_param(struct pq_parser *p)
{
    size_t i = p->next_param++;
    json_t *v;

    pq_next(p);
    if (i >= p->n_params)
        return pq_av(p, "NULL", json_true());
    v = json_deep_copy(json_array_get(p->params, i));
    return v ? v : pq_nomem(p, NULL);
}

/* 12, -1.5, +3, 1e3 (the sign is its own token). */
static json_t *
pq_number(struct pq_parser *p)
{
    const struct pq_token *t = pq_peek(p);
    bool neg = false;
    enum ddb_num_err err;
    struct ddb_num num;

    if (pq_is_op(t, "-") || pq_is_op(t, "+")) {
        neg = pq_is_op(t, "-");
        pq_next(p);
        t = pq_peek(p);
        if (t->type != PQ_T_NUMBER) {
            pq_unexpected(p, t);
            return NULL;
        }
    }
    pq_next(p);
    /* DynamoDB names where in the value a number breaks its rules: "... under root.x" */
    if ((err = ddb_num_parse(t->text, t->len, &num)) != DDB_NUM_OK) {
        pq_fail(p, "%s under %s", ddb_num_errmsg(err), p->vpath);
        return NULL;
    }
    /* -0.0 is an Ion decimal negative zero, which DynamoDB refuses (-0 and -0e0 are fine) */
    if (neg && num.n == 0 && strchr(t->text, '.') && !strpbrk(t->text, "eE")) {
        pq_fail(p, "Negative zero decimal is not supported under key %s", p->vpath);
        return NULL;
    }
    if (neg) {
        char *s = arena_printf(p->a, "-%s", t->text);

        return s ? pq_av(p, "N", json_string(s)) : pq_nomem(p, NULL);
    }
    return pq_av(p, "N", json_string(t->text));
}

/* {'k': v, ...}: keys are string literals, each at most once. */
static json_t *
pq_tuple(struct pq_parser *p)
{
    json_t *m = json_object();
    size_t at = p->vlen;
    bool item = p->item;

    p->item = false;
    if (!m)
        return pq_nomem(p, NULL);
    pq_next(p); /* { */
    if (!pq_is_op(pq_peek(p), "}")) {
        for (;;) {
            const struct pq_token *k = pq_peek(p);
            json_t *v;

            if (k->type != PQ_T_STRING) {
                pq_unexpected(p, k);
                goto fail;
            }
            if (json_object_get(m, k->text)) {
                pq_vpath(p, at, NULL);
                pq_fail(p, "Duplicate keys in tuple. Key: %s under %s", k->text, p->vpath);
                goto fail;
            }
            pq_next(p);
            if (pq_expect_op(p, ":"))
                goto fail;
            if (item)
                pq_vpath(p, 0, "root"); /* each attribute's value is a root */
            else
                pq_vpath(p, at, ".%s", k->text);
            v = pq_literal(p);
            pq_vpath(p, at, NULL);
            if (!v)
                goto fail;
            if (json_object_set_new(m, k->text, v) != 0) {
                pq_nomem(p, NULL);
                goto fail;
            }
            if (!pq_is_op(pq_peek(p), ","))
                break;
            pq_next(p);
        }
    }
    if (pq_expect_op(p, "}"))
        goto fail;
    return pq_av(p, "M", m);
fail:
    json_decref(m);
    return NULL;
}

/* [v, ...] */
static json_t *
pq_list(struct pq_parser *p)
{
    json_t *l = json_array();
    size_t at = p->vlen;

    if (!l)
        return pq_nomem(p, NULL);
    pq_next(p); /* [ */
    if (!pq_is_op(pq_peek(p), "]")) {
        for (;;) {
            json_t *v;

            pq_vpath(p, at, "[%zu]", json_array_size(l));
            v = pq_literal(p);
            pq_vpath(p, at, NULL);

            if (!v)
                goto fail;
            if (json_array_append_new(l, v) != 0) {
                pq_nomem(p, NULL);
                goto fail;
            }
            if (!pq_is_op(pq_peek(p), ","))
                break;
            pq_next(p);
        }
    }
    if (pq_expect_op(p, "]"))
        goto fail;
    return pq_av(p, "L", l);
fail:
    json_decref(l);
    return NULL;
}

/* <<v, ...>>: a set of string literals (SS) or of number literals (NS), never empty. DynamoDB
 * takes nothing else in a bag, not even a `?` (a set goes as one SS, NS or BS parameter). */
static json_t *
pq_bag(struct pq_parser *p)
{
    static const char *const bag_msg =
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags";
    json_t *elems = json_array();
    enum ddb_type type = DDB_BAD;
    size_t at = p->vlen;

    if (!elems)
        return pq_nomem(p, NULL);
    pq_next(p); /* << */
    if (pq_is_op(pq_peek(p), ">>")) {
        pq_fail(p, "Empty bags are not supported");
        goto fail;
    }
    for (;;) {
        const struct pq_token *t = pq_peek(p);
        bool number = t->type == PQ_T_NUMBER || pq_is_op(t, "-") || pq_is_op(t, "+");
        json_t *v;

        if ((!number && t->type != PQ_T_STRING) ||
            (type != DDB_BAD && type != (number ? DDB_N : DDB_S))) {
            if (t->type == PQ_T_END || t->type == PQ_T_ERROR)
                pq_unexpected(p, t);
            else
                pq_fail(p, "%s", bag_msg);
            goto fail;
        }
        type = number ? DDB_N : DDB_S;
        pq_vpath(p, at, "[%zu]", json_array_size(elems));
        v = pq_literal(p);
        pq_vpath(p, at, NULL);
        if (!v)
            goto fail;
        if (json_array_append(elems, (json_t *)ddb_value_payload(v)) != 0) {
            json_decref(v);
            pq_nomem(p, NULL);
            goto fail;
        }
        json_decref(v);
        if (!pq_is_op(pq_peek(p), ","))
            break;
        pq_next(p);
    }
    if (pq_expect_op(p, ">>"))
        goto fail;
    return pq_av(p, type == DDB_N ? "NS" : "SS", elems);
fail:
    json_decref(elems);
    return NULL;
}

/* Any literal at the current token, unchecked. */
static json_t *
pq_literal(struct pq_parser *p)
{
    const struct pq_token *t = pq_peek(p);
    json_t *v;

    switch (t->type) {
    case PQ_T_STRING:
        pq_next(p);
        return pq_av(p, "S", json_string(t->text));
    case PQ_T_NUMBER:
        return pq_number(p);
    case PQ_T_PARAM:
        return pq_param(p);
    case PQ_T_KEYWORD:
        if (pq_is_kw(t, "TRUE") || pq_is_kw(t, "FALSE")) {
            pq_next(p);
            return pq_av(p, "BOOL", json_boolean(pq_is_kw(t, "TRUE")));
        }
        if (pq_is_kw(t, "NULL")) {
            pq_next(p);
            return pq_av(p, "NULL", json_true());
        }
        break;
    case PQ_T_OP:
        if (pq_is_op(t, "-") || pq_is_op(t, "+"))
            return pq_number(p);
        if (!pq_is_op(t, "{") && !pq_is_op(t, "[") && !pq_is_op(t, "<<"))
            break;
        if (pq_enter(p))
            return NULL;
        v = pq_is_op(t, "{") ? pq_tuple(p) : pq_is_op(t, "[") ? pq_list(p) : pq_bag(p);
        p->depth--;
        return v;
    case PQ_T_IDENT:
        if (pq_is_op(pq_peek2(p), "(")) { /* a call where a value must be: {'a': set_add(...)} */
            pq_fail(p, "Unsupported data type: %s under key %s at %u:%u:%zu", t->text, p->vpath,
                    t->line, t->column, t->len);
            return NULL;
        }
        break;
    default:
        break;
    }
    pq_no_term(p, t);
    return NULL;
}

json_t *
pq_literal_checked(struct pq_parser *p)
{
    bool bare_param = pq_peek(p)->type == PQ_T_PARAM;
    json_t *v;
    char msg[512];

    pq_vpath(p, 0, "root");
    v = pq_literal(p);
    p->item = false;

    if (!v || bare_param)
        return v;
    if (ddb_value_check(v, msg, sizeof(msg)) != 0) {
        json_decref(v);
        pq_fail(p, "%s", msg);
        return NULL;
    }
    return v;
}
