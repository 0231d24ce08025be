/* sqs_args.c: reading request members out of the decoded input tree.
 *
 * Both wires decode into the same tree (JSON member names), but the query codec keeps the
 * text of a scalar that did not parse as its shape's type, so an integer member may arrive as
 * a string: these helpers reject such values with SQS's own InvalidParameterValue wording
 * ("Value abc for parameter DelaySeconds is invalid. Reason: ...") and report a missing
 * member as MissingParameter ("The request must contain the parameter QueueUrl."). */
#include "services/sqs/sqs_int.h"

#include <stdlib.h>
#include <string.h>

/* A member, or NULL when absent or JSON null (SDKs send null for unset members). */
const json_t *
sqs_arg_get(const json_t *in, const char *name)
{
    const json_t *v = json_is_object(in) ? json_object_get(in, name) : NULL;

    return json_is_null(v) ? NULL : v;
}

const char *
sqs_arg_text(struct arena *a, const json_t *v)
{
    char *s;
    const char *r;

    if (json_is_string(v))
        return json_string_value(v);
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    r = arena_strdup(a, s ? s : "");
    free(s);
    return r ? r : "";
}

int
sqs_arg_str(struct awslet_req *req, const json_t *in, const char *name, const char **out)
{
    const json_t *v = sqs_arg_get(in, name);

    if (!v) {
        awslet_fail(req, &ERR_SQS_MISSING_PARAMETER, "The request must contain the parameter %s.",
                    name);
        return -1;
    }
    return sqs_arg_str_opt(req, in, name, out);
}

int
sqs_arg_str_opt(struct awslet_req *req, const json_t *in, const char *name, const char **out)
{
    const json_t *v = sqs_arg_get(in, name);

    if (!v)
        return 0;
    if (!json_is_string(v)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter %s is invalid. Reason: Must be a string.",
                    sqs_arg_text(&req->arena, v), name);
        return -1;
    }
    /* JSON may carry \u0000; a C string would silently end there and name something else. */
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value for parameter %s is invalid. Reason: Must not contain the character "
                    "#x0.",
                    name);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int
sqs_arg_int_opt(struct awslet_req *req, const json_t *in, const char *name, long long min,
                long long max, long long *out)
{
    const json_t *v = sqs_arg_get(in, name);
    long long n;

    if (!v)
        return 0;
    if (!json_is_integer(v)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter %s is invalid. Reason: Must be an integer.",
                    sqs_arg_text(&req->arena, v), name);
        return -1;
    }
    n = (long long)json_integer_value(v);
    if (n < min || n > max) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %lld for parameter %s is invalid. Reason: Must be >= %lld and <= %lld.",
                    n, name, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int
sqs_arg_bool_opt(struct awslet_req *req, const json_t *in, const char *name, bool *out)
{
    const json_t *v = sqs_arg_get(in, name);

    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter %s is invalid. Reason: Must be true or false.",
                    sqs_arg_text(&req->arena, v), name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}
