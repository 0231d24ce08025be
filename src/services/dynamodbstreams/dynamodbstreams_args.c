/* dynamodbstreams_args.c: reading the operations' parameters the way DynamoDB Streams checks
 * them.
 *
 * Like DynamoDB, the service checks every top-level constraint of the model (required,
 * length, enum, range) before anything else and reports all failures in one
 * ValidationException: "2 validation errors detected: Value null at 'streamArn' failed to
 * satisfy constraint: Member must not be null; Value '0' at 'limit' failed to satisfy
 * constraint: Member must have value greater than or equal to 1". A member of the wrong JSON
 * type cannot be deserialized at all and is a SerializationException. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include <stdarg.h>
#include <string.h>

#include "core/error.h"
#include "core/req.h"

#define ARGS_MAX_MSG 4096

void
dstreams_args_init(struct dstreams_args *a, struct awslet_req *req)
{
    a->req = req;
    a->n = 0;
    a->serial = NULL;
    buf_init(&a->msg, ARGS_MAX_MSG);
}

static void args_add(struct dstreams_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
args_add(struct dstreams_args *a, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (a->n++)
        buf_puts(&a->msg, "; ");
    buf_puts(&a->msg, line);
}

/* Characters of UTF-8 text, which is what the model's lengths count. */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

const char *
dstreams_args_str(struct dstreams_args *a, const json_t *in, const char *member, const char *at,
                  size_t min, size_t max, bool required)
{
    const json_t *v = json_object_get(in, member);
    const char *s;
    size_t n;

    if (!v || json_is_null(v)) {
        if (required)
            args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     at);
        return NULL;
    }
    if (!json_is_string(v)) {
        if (!a->serial)
            a->serial = json_is_number(v) ? "NUMBER_VALUE can not be converted to a String"
                                          : "Unexpected value type in payload";
        return NULL;
    }
    s = json_string_value(v);
    n = utf8_chars(s);
    if (n < min)
        args_add(a,
                 "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                 "greater than or equal to %zu",
                 s, at, min);
    else if (n > max)
        args_add(a,
                 "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                 "less than or equal to %zu",
                 s, at, max);
    else
        return s;
    return NULL;
}

const char *
dstreams_args_table_name(struct dstreams_args *a, const json_t *in, const char *member,
                         const char *at)
{
    const json_t *v = json_object_get(in, member);
    unsigned before = a->n;
    const char *s = dstreams_args_str(a, in, member, at, 3, 255, false);

    /* The pattern is a constraint of its own: a short name with a bad character fails
     * twice, as DynamoDB reports it. */
    if (!s && json_is_string(v))
        s = json_string_value(v);
    else if (!s)
        return NULL;
    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
        strlen(s)) {
        args_add(a,
                 "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular "
                 "expression pattern: [a-zA-Z0-9_.-]+",
                 s, at);
        return NULL;
    }
    return a->n == before ? s : NULL;
}

const char *
dstreams_args_enum(struct dstreams_args *a, const json_t *in, const char *member, const char *at,
                   const char *const *choices, bool required)
{
    const char *s = dstreams_args_str(a, in, member, at, 0, (size_t)-1, required);
    char set[256] = "";

    if (!s)
        return NULL;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0)
            return s;
        if (i)
            strncat(set, ", ", sizeof(set) - strlen(set) - 1);
        strncat(set, choices[i], sizeof(set) - strlen(set) - 1);
    }
    args_add(a,
             "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value "
             "set: [%s]",
             s, at, set);
    return NULL;
}

int
dstreams_args_int(struct dstreams_args *a, const json_t *in, const char *member, const char *at,
                  long long min, long long max, long long *out)
{
    const json_t *v = json_object_get(in, member);
    long long n;

    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v)) {
        if (!a->serial)
            a->serial = json_is_string(v) ? "STRING_VALUE can not be converted to an Integer"
                                          : "Unexpected value type in payload";
        return -1;
    }
    n = json_integer_value(v);
    if (n < min)
        args_add(a,
                 "Value '%lld' at '%s' failed to satisfy constraint: Member must have value "
                 "greater than or equal to %lld",
                 n, at, min);
    else if (n > max)
        args_add(a,
                 "Value '%lld' at '%s' failed to satisfy constraint: Member must have value "
                 "less than or equal to %lld",
                 n, at, max);
    else {
        *out = n;
        return 1;
    }
    return -1;
}

int
dstreams_args_done(struct dstreams_args *a)
{
    int rc = 0;

    if (a->serial) {
        awslet_fail(a->req, &ERR_SERIALIZATION, "%s", a->serial);
        rc = -1;
    } else if (a->n) {
        awslet_fail(a->req, &ERR_VALIDATION, "%u validation error%s detected: %s", a->n,
                    a->n == 1 ? "" : "s", a->msg.data ? a->msg.data : "");
        rc = -1;
    }
    buf_release(&a->msg);
    return rc;
}
