/* ddb_args.c: DynamoDB's checks of top-level request parameters and its way of reporting
 * them (ddb_int.h, "request arguments").
 *
 * DynamoDB collects every constraint failure of a request's parameters and answers them in
 * one ValidationException: "2 validation errors detected: Value null at 'tableName' failed
 * to satisfy constraint: Member must not be null; Value 'hi' at 'returnValues' failed to
 * satisfy constraint: Member must satisfy enum value set: [...]". It lists at most ten.
 * A parameter of the wrong JSON kind is a SerializationException instead, raised at once
 * (DynamoDB's deserializer stops there); ddb_args_done() then reports that failure. */
#include "services/dynamodb/ddb_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGS_MAX_ERRORS 10
#define ARGS_MSG_LIMIT  (64 * 1024)

#define TABLE_NAME_PATTERN "[a-zA-Z0-9_.-]+"

/* vsnprintf into a new malloc'd string (the length in *len); NULL when out of memory. */
static char *
vformat(const char *fmt, va_list ap, int *len)
{
    va_list copy;
    char *text;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !(text = malloc((size_t)n + 1)))
        return NULL;
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    *len = n;
    return text;
}

static char *format(int *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
format(int *len, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = vformat(fmt, ap, len);
    va_end(ap);
    return text;
}

void
ddb_args_init(struct ddb_args *a, struct awslet_req *req)
{
    a->req = req;
    a->n = 0;
    buf_init(&a->msg, ARGS_MSG_LIMIT);
}

void
ddb_args_add(struct ddb_args *a, const char *fmt, ...)
{
    va_list ap;
    char *text;
    int len;

    if (a->n >= ARGS_MAX_ERRORS)
        return;
    va_start(ap, fmt);
    text = vformat(fmt, ap, &len);
    va_end(ap);
    if (!text)
        return;
    if (a->n > 0)
        buf_puts(&a->msg, "; ");
    buf_append(&a->msg, text, (size_t)len);
    a->n++;
    free(text);
}

/* Fail req with code and text, keeping all of a long text (awslet_fail()'s own formatting
 * stops at 1 KB, and several 255-character names can pass that). */
static enum awslet_rc
fail_text(struct awslet_req *req, const struct awslet_error *code, const char *text)
{
    enum awslet_rc rc = awslet_fail(req, code, "%s", text);
    const char *full;

    if (req->err_msg && strlen(req->err_msg) < strlen(text) &&
        (full = arena_strdup(&req->arena, text)) != NULL)
        req->err_msg = full;
    return rc;
}

/* What DynamoDB's deserializer says for a value of the wrong JSON kind where a member of
 * type want ("String", "Integer") belongs. */
static void
fail_kind(struct ddb_args *a, const json_t *v, const char *want)
{
    char text[256];

    if (a->req->err)
        return; /* the first one stands, as DynamoDB stops there */
    if (json_is_array(v))
        snprintf(text, sizeof(text), "Start of list found where not expected");
    else if (json_is_object(v))
        snprintf(text, sizeof(text), "Start of structure or map found where not expected.");
    else if (json_is_boolean(v))
        snprintf(text, sizeof(text), "class java.lang.Boolean can not be converted to an %s", want);
    else if (json_is_string(v))
        snprintf(text, sizeof(text), "class java.lang.String can not be converted to an %s", want);
    else
        snprintf(text, sizeof(text),
                 "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                 "converted to an %s",
                 want);
    fail_text(a->req, &ERR_SERIALIZATION, text);
}

static bool
matches_table_pattern(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* The last component of a member path: "transactItems.1.member.put.tableName" -> "tableName". */
static const char *
last_component(const char *at)
{
    const char *dot = strrchr(at, '.');

    return dot ? dot + 1 : at;
}

#define CONSTRAINT "Value '%s' at '%s' failed to satisfy constraint: "

const char *
ddb_args_table_name(struct ddb_args *a, const json_t *in, const char *member, const char *at,
                    bool required)
{
    const json_t *v = json_object_get(in, member);
    const char *s;
    size_t len;
    bool ok = true;

    if (!v || json_is_null(v)) {
        if (required)
            ddb_args_add(
                a, "Value null at '%s' failed to satisfy constraint: Member must not be null", at);
        return NULL;
    }
    if (!json_is_string(v)) {
        fail_kind(a, v, "String");
        return NULL;
    }
    s = json_string_value(v);
    len = strlen(s);
    /* TableName also takes the table's ARN (1 to 1024 characters, no pattern). */
    if (strcmp(last_component(at), "tableName") == 0 && strncmp(s, "arn:", 4) == 0) {
        if (len > 1024) {
            ddb_args_add(a, CONSTRAINT "Member must have length less than or equal to 1024", s, at);
            return NULL;
        }
        return s;
    }
    /* DynamoDB's order: the pattern, then the lower bound, then the upper one. */
    if (!matches_table_pattern(s)) {
        ddb_args_add(
            a, CONSTRAINT "Member must satisfy regular expression pattern: " TABLE_NAME_PATTERN, s,
            at);
        ok = false;
    }
    if (len < 3) {
        ddb_args_add(a, CONSTRAINT "Member must have length greater than or equal to 3", s, at);
        ok = false;
    }
    if (len > 255) {
        ddb_args_add(a, CONSTRAINT "Member must have length less than or equal to 255", s, at);
        ok = false;
    }
    return ok ? s : NULL;
}

const char *
ddb_args_enum(struct ddb_args *a, const json_t *in, const char *member, const char *at,
              const char *const *choices)
{
    const json_t *v = json_object_get(in, member);
    const char *s;
    struct buf set;

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        fail_kind(a, v, "String");
        return NULL;
    }
    s = json_string_value(v);
    for (const char *const *c = choices; *c; c++)
        if (strcmp(s, *c) == 0)
            return *c;
    buf_init(&set, ARGS_MSG_LIMIT);
    for (const char *const *c = choices; *c; c++) {
        if (c != choices)
            buf_puts(&set, ", ");
        buf_puts(&set, *c);
    }
    ddb_args_add(a, CONSTRAINT "Member must satisfy enum value set: [%s]", s, at,
                 set.data ? set.data : "");
    buf_release(&set);
    return NULL;
}

int
ddb_args_int(struct ddb_args *a, const json_t *in, const char *member, const char *at,
             long long min, long long max, long long *out)
{
    const json_t *v = json_object_get(in, member);
    long long n;

    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        n = (long long)json_integer_value(v);
    } else if (json_is_real(v)) {
        /* DynamoDB truncates a fractional number given for an integer. */
        double d = json_real_value(v);
        if (d >= 9.2e18 || d <= -9.2e18) {
            n = d > 0 ? max + 1 : min - 1;
        } else {
            n = (long long)d;
            if ((double)n > d)
                n--; /* floor, for negative fractions */
        }
    } else {
        fail_kind(a, v, "Integer");
        return -1;
    }
    if (n < min) {
        ddb_args_add(a,
                     "Value '%lld' at '%s' failed to satisfy constraint: Member must have "
                     "value greater than or equal to %lld",
                     n, at, min);
        return -1;
    }
    if (n > max) {
        ddb_args_add(a,
                     "Value '%lld' at '%s' failed to satisfy constraint: Member must have "
                     "value less than or equal to %lld",
                     n, at, max);
        return -1;
    }
    *out = n;
    return 1;
}

int
ddb_args_done(struct ddb_args *a)
{
    int rc = 0;

    if (a->req->err) {
        rc = -1; /* a SerializationException already stands */
    } else if (a->n > 0) {
        int len;
        char *text = format(&len, "%u validation error%s detected: %s", a->n, a->n > 1 ? "s" : "",
                            a->msg.data ? a->msg.data : "");
        if (!text) {
            awslet_fail_nomem(a->req);
        } else {
            fail_text(a->req, &ERR_VALIDATION, text);
            free(text);
        }
        rc = -1;
    }
    buf_release(&a->msg);
    a->n = 0;
    return rc;
}

enum awslet_rc
ddb_validation(struct awslet_req *req, const char *fmt, ...)
{
    va_list ap;
    char *text;
    enum awslet_rc rc;
    int len;

    va_start(ap, fmt);
    text = vformat(fmt, ap, &len);
    va_end(ap);
    if (!text)
        return awslet_fail_nomem(req);
    rc = fail_text(req, &ERR_VALIDATION, text);
    free(text);
    return rc;
}
