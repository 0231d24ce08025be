/* sqs_send.c: SendMessage and SendMessageBatch.
 *
 * A message is checked as SQS checks it (body characters, message and system attributes, the
 * queue's MaximumMessageSize over body plus attributes, DelaySeconds, the FIFO identifiers),
 * then stored as one sqs_messages row; FIFO queues first consult the 5-minute deduplication
 * window (sqs_dedup), where a duplicate succeeds with the original MessageId and
 * SequenceNumber without storing anything. Receivers long-polling the queue are woken once
 * the write has committed. A batch reports each entry's fault in Failed, as AWS does, and
 * stores the others. The stored row format is described at the end of sqs_int.h.
 * Entry points: sqs_send_message(), sqs_send_message_batch(). */
#include "services/sqs/sqs_send.h"

#include "core/base64.h"
#include "core/digest.h"
#include "core/uuid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "core/clock.h"
#include "core/log.h"
#include "services/sqs/sqs_int.h"
#include "store/store.h"

#define SEND_MAX_NAME_CHARS 256 /* attribute names and data types (SendMessage API doc) */
#define SEND_MAX_ID_CHARS   128 /* MessageGroupId, MessageDeduplicationId */
#define SEND_MAX_BATCH_ID   80  /* batch entry Id */
#define SEND_MAX_DELAY      900
#define SEND_NUMBER_DIGITS  38  /* "up to 38 digits of precision" */
#define SEND_DEDUP_SWEEP    128 /* sweep expired dedup rows every this many FIFO sends */

#define SEND_ALLOWED_CHARS                                                                         \
    "the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | "        \
    "[#x10000-#x10FFFF]."
#define SEND_WRONG_QUEUE_TYPE "The request include parameter that is not valid for this queue type."

static const char *const send_kind_names[] = {NULL, "String", "Number", "Binary"};

/* ---- pure checks ------------------------------------------------------------------------ */

/* Decode one UTF-8 sequence at s[0..len): the code point and its length in *n, or -1 with
 * *n = 1 for a malformed sequence (overlong, surrogate, beyond U+10FFFF, truncated). */
static long
utf8_next(const unsigned char *s, size_t len, size_t *n)
{
    unsigned char c = s[0];
    long cp, min;
    size_t need, i;

    *n = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (len < need + 1)
        return -1;
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *n = need + 1;
    return cp;
}

/* The first character SQS does not allow in a body or a String value (#x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF), as a code point (the byte value for
 * malformed UTF-8); -1 when every character is allowed. */
AWSLET_TESTABLE long
sqs_send_bad_char(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    long cp;

    while (i < len) {
        if (p[i] >= 0x20 && p[i] < 0x80) { /* the common case, one byte at a time */
            i++;
            continue;
        }
        cp = utf8_next(p + i, len - i, &n);
        if (cp < 0)
            return p[i];
        if (!(cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000))
            return cp;
        i += n;
    }
    return -1;
}

/* Characters in a UTF-8 string (valid input assumed). */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A message attribute name: 1-256 characters of A-Z a-z 0-9 _ - . (AWS also accepts the
 * Latin letters U+00C0-U+017F: "attr.1øßä" is in LocalStack's AWS-validated tests), not
 * starting with "AWS." or "Amazon." in any case, no leading, trailing or doubled period. */
AWSLET_TESTABLE int
sqs_send_attr_name_check(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t len = strlen(name), i = 0, n;
    long cp;

    if (len == 0 || utf8_chars(name) > SEND_MAX_NAME_CHARS)
        return SQS_NAME_LENGTH;
    while (i < len) {
        cp = utf8_next(p + i, len - i, &n);
        if (!((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
              cp == '_' || cp == '-' || cp == '.' ||
              (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7)))
            return SQS_NAME_CHARS;
        i += n;
    }
    if (strncasecmp(name, "aws.", 4) == 0 || strncasecmp(name, "amazon.", 7) == 0 ||
        name[0] == '.' || name[len - 1] == '.')
        return SQS_NAME_RESERVED;
    if (strstr(name, ".."))
        return SQS_NAME_PERIODS;
    return SQS_NAME_OK;
}

/* The kind of a DataType: "String", "Number", "Binary", or one of them followed by "." and a
 * custom label ("Number.float", "Binary.png"); 0 for anything else. */
AWSLET_TESTABLE int
sqs_send_attr_kind(const char *type)
{
    for (int k = SQS_KIND_STRING; k <= SQS_KIND_BINARY; k++)
        if (strncmp(type, send_kind_names[k], 6) == 0 && (type[6] == '\0' || type[6] == '.'))
            return k;
    return 0;
}

/* A Number attribute value: a decimal with optional sign, fraction and exponent, at most 38
 * significant digits, and zero or between 10^-128 and 10^126 in magnitude (SendMessage API
 * doc, MessageAttributeValue). 1 if valid. */
AWSLET_TESTABLE int
sqs_send_number_ok(const char *s)
{
    const char *p = s, *first_sig = NULL, *last_sig = NULL;
    long long exp = 0, lead_pos = 0; /* power of ten of the first significant digit */
    long long int_digits = 0, digits = 0, pos = 0, sig = 0;
    bool in_frac = false, eneg = false;

    if (*p == '+' || *p == '-')
        p++;
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && !in_frac); p++) {
        if (*p == '.') {
            in_frac = true;
            continue;
        }
        digits++;
        if (!in_frac)
            int_digits++;
        if (*p != '0') {
            if (!first_sig) {
                first_sig = p;
                lead_pos = pos;
            }
            last_sig = p;
        }
        pos++;
    }
    if (digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if (exp < 100000)
                exp = exp * 10 + (*p - '0');
        if (eneg)
            exp = -exp;
    }
    if (*p != '\0')
        return 0;
    if (!first_sig)
        return 1; /* zero */
    /* Significant digits: from the first to the last non-zero digit, skipping the point. */
    for (const char *q = first_sig; q <= last_sig; q++)
        sig += *q != '.';
    if (sig > SEND_NUMBER_DIGITS)
        return 0;
    exp += int_digits - 1 - lead_pos;
    if (exp < -128 || exp > 126)
        return 0;
    if (exp == 126) {
        /* 10^126 itself is the largest: a leading 1 and nothing after it. */
        if (*first_sig != '1' || first_sig != last_sig)
            return 0;
    }
    return 1;
}

/* A batch entry Id: 1-80 of A-Z a-z 0-9 _ -. 1 if valid. */
AWSLET_TESTABLE int
sqs_send_batch_id_ok(const char *id)
{
    size_t i;

    for (i = 0; id[i]; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return i >= 1 && i <= SEND_MAX_BATCH_ID;
}

/* MessageGroupId / MessageDeduplicationId: 1-128 alphanumeric and punctuation characters
 * (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~), i.e. printable ASCII without the space. */
AWSLET_TESTABLE int
sqs_send_fifo_id_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7E)
            return 0;
    return i >= 1 && i <= SEND_MAX_ID_CHARS;
}

/* ---- message checks --------------------------------------------------------------------- */

static int send_fail(struct sqs_send_fault *f, struct arena *a, const struct awslet_error *err,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
send_fail(struct sqs_send_fault *f, struct arena *a, const struct awslet_error *err,
          const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* A quoted value may be long: cut at a character boundary so the text stays UTF-8. */
    if (n >= (int)sizeof(buf)) {
        size_t last = sizeof(buf) - 2, need;
        unsigned char c;

        while (last > 0 && ((unsigned char)buf[last] & 0xC0) == 0x80)
            last--;
        c = (unsigned char)buf[last];
        need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (last + need > sizeof(buf) - 1)
            buf[last] = '\0'; /* the last character lost its tail */
    }
    f->err = err;
    f->msg = arena_strdup(a, buf);
    if (!f->msg)
        f->msg = "";
    return -1;
}


/* Check one attribute's value and add its normalized form to norm; *size grows by the bytes
 * AWS counts (name, DataType, value; binaries decoded). */
static int
send_check_value(struct arena *a, const char *name, const json_t *v, json_t *norm, size_t *size,
                 struct sqs_send_fault *f)
{
    const json_t *jt = sqs_arg_get(v, "DataType"), *jv;
    const char *type = json_string_value(jt), *val;
    size_t vlen;
    long long dec;
    long bad;
    int kind;
    json_t *o;

    if (!json_is_object(v))
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "The message attribute '%s' must contain non-empty message attribute "
                         "value.",
                         name);
    if (!type || !*type)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "The message attribute '%s' must contain non-empty message attribute "
                         "type.",
                         name);
    kind = sqs_send_attr_kind(type);
    if (!kind || sqs_send_bad_char(type, json_string_length(jt)) >= 0)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "The type of message (user) attribute '%s' is invalid. You must use "
                         "only the following supported type prefixes: Binary, Number, String.",
                         name);
    if (utf8_chars(type) > SEND_MAX_NAME_CHARS)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Message (user) attribute '%s' type must be shorter than %d bytes.", name,
                         SEND_MAX_NAME_CHARS + 1);

    jv = sqs_arg_get(v, kind == SQS_KIND_BINARY ? "BinaryValue" : "StringValue");
    val = json_string_value(jv);
    vlen = val ? json_string_length(jv) : 0;
    if (vlen == 0)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Message (user) attribute '%s' must contain a non-empty value of type "
                         "'%s'.",
                         name, send_kind_names[kind]);
    if (kind == SQS_KIND_BINARY) {
        dec = base64_decoded_len(val, vlen, 0);
        if (dec <= 0)
            return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                             "Message (user) attribute '%s' must contain a valid base64-encoded "
                             "value of type 'Binary'.",
                             name);
        *size += (size_t)dec;
    } else {
        bad = sqs_send_bad_char(val, vlen);
        if (bad >= 0)
            return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                             "Invalid binary character '#x%lX' was found in the message "
                             "attribute '%s' value, " SEND_ALLOWED_CHARS,
                             bad, name);
        if (kind == SQS_KIND_NUMBER && !sqs_send_number_ok(val))
            return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                             "Can't cast the value of message (user) attribute '%s' to a number.",
                             name);
        *size += vlen;
    }
    *size += strlen(name) + json_string_length(jt);

    o = json_pack("{s:s%, s:s%}", "DataType", type, json_string_length(jt),
                  kind == SQS_KIND_BINARY ? "BinaryValue" : "StringValue", val, vlen);
    if (!o || json_object_set_new(norm, name, o) != 0)
        return send_fail(f, a, &ERR_INTERNAL_FAILURE, "out of memory");
    return 0;
}

/* MessageAttributes: at most 10, valid names, types and values. *norm: the normalized map
 * (new reference) or NULL when there are none; *size: the bytes they count for. */
AWSLET_TESTABLE int
sqs_send_check_attrs(struct arena *a, const json_t *attrs, json_t **norm, size_t *size,
                     struct sqs_send_fault *f)
{
    const char *name;
    json_t *v;

    *norm = NULL;
    *size = 0;
    if (!attrs || (json_is_object(attrs) && json_object_size(attrs) == 0))
        return 0;
    if (!json_is_object(attrs))
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Value %s for parameter MessageAttributes is invalid. Reason: Must be a "
                         "map.",
                         sqs_arg_text(a, attrs));
    if (json_object_size(attrs) > SQS_MAX_MESSAGE_ATTRIBUTES)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Number of message attributes [%zu] exceeds the allowed maximum [%d].",
                         json_object_size(attrs), SQS_MAX_MESSAGE_ATTRIBUTES);
    *norm = json_object();
    if (!*norm)
        return send_fail(f, a, &ERR_INTERNAL_FAILURE, "out of memory");
    json_object_foreach((json_t *)attrs, name, v)
    {
        int rc = sqs_send_attr_name_check(name);

        if (rc == SQS_NAME_LENGTH)
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "Message (user) attribute names must be 1 to %d characters long.",
                      SEND_MAX_NAME_CHARS);
        else if (rc == SQS_NAME_CHARS)
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "Message (user) attributes name can only contain upper and lower score "
                      "characters, digits, periods, hyphens and underscores.");
        else if (rc == SQS_NAME_RESERVED)
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "You can't use message attribute names beginning with 'AWS.' or "
                      "'Amazon.'. These strings are reserved for internal use. Additionally, "
                      "they cannot start or end with '.'.");
        else if (rc == SQS_NAME_PERIODS)
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "Message (user) attribute name '%s' can't contain two consecutive "
                      "periods.",
                      name);
        if (rc != SQS_NAME_OK || send_check_value(a, name, v, *norm, size, f) != 0) {
            json_decref(*norm);
            *norm = NULL;
            *size = 0;
            return -1;
        }
    }
    return 0;
}

/* MessageSystemAttributes: only AWSTraceHeader, a String. They do not count towards the
 * message size (SendMessage API doc). *norm as for sqs_send_check_attrs(). */
AWSLET_TESTABLE int
sqs_send_check_system_attrs(struct arena *a, const json_t *attrs, json_t **norm,
                            struct sqs_send_fault *f)
{
    const char *name;
    const json_t *v, *jt, *jv;

    *norm = NULL;
    if (!attrs || (json_is_object(attrs) && json_object_size(attrs) == 0))
        return 0;
    if (!json_is_object(attrs))
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Value %s for parameter MessageSystemAttributes is invalid. Reason: "
                         "Must be a map.",
                         sqs_arg_text(a, attrs));
    json_object_foreach((json_t *)attrs, name, v)
    {
        if (strcmp(name, "AWSTraceHeader") != 0)
            return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                             "Message system attribute name '%s' is invalid.", name);
    }
    v = json_object_get(attrs, "AWSTraceHeader");
    jt = sqs_arg_get(v, "DataType");
    jv = sqs_arg_get(v, "StringValue");
    if (!json_is_string(jt) || strcmp(json_string_value(jt), "String") != 0)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Message system attribute 'AWSTraceHeader' must be of type 'String'.");
    if (!json_is_string(jv) || json_string_length(jv) == 0)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Message system attribute 'AWSTraceHeader' must contain a non-empty "
                         "value of type 'String'.");
    if (sqs_send_bad_char(json_string_value(jv), json_string_length(jv)) >= 0)
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Message system attribute 'AWSTraceHeader' contains invalid "
                         "characters.");
    *norm = json_pack("{s:{s:s, s:s%}}", "AWSTraceHeader", "DataType", "String", "StringValue",
                      json_string_value(jv), json_string_length(jv));
    if (!*norm)
        return send_fail(f, a, &ERR_INTERNAL_FAILURE, "out of memory");
    return 0;
}

/* An optional string member of a message; -1 with the fault when it is not a string. */
static int
send_str_opt(struct arena *a, const json_t *in, const char *name, const char **out,
             struct sqs_send_fault *f)
{
    const json_t *v = sqs_arg_get(in, name);

    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Value %s for parameter %s is invalid. Reason: Must be a string.",
                         sqs_arg_text(a, v), name);
    *out = json_string_value(v);
    return 0;
}

AWSLET_TESTABLE void
sqs_send_msg_release(struct sqs_send_msg *m)
{
    json_decref(m->attrs);
    json_decref(m->sys);
    m->attrs = m->sys = NULL;
}

/* Check one message (SendMessage's input, or one batch entry) against q. 0 with *m filled
 * (release it with sqs_send_msg_release), or -1 with the fault. */
AWSLET_TESTABLE int
sqs_send_check_message(struct arena *a, const json_t *in, const struct sqs_queue *q,
                       struct sqs_send_msg *m, struct sqs_send_fault *f)
{
    const json_t *jb = sqs_arg_get(in, "MessageBody"), *jd;
    size_t attr_size;
    long bad;

    memset(m, 0, sizeof(*m));
    m->delay = -1;
    if (jb && !json_is_string(jb))
        return send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                         "Value %s for parameter MessageBody is invalid. Reason: Must be a "
                         "string.",
                         sqs_arg_text(a, jb));
    if (!jb || json_string_length(jb) == 0)
        return send_fail(f, a, &ERR_SQS_MISSING_PARAMETER,
                         "The request must contain the parameter MessageBody.");
    m->body = json_string_value(jb);
    m->body_len = json_string_length(jb);
    bad = sqs_send_bad_char(m->body, m->body_len);
    if (bad >= 0)
        return send_fail(
            f, a, &ERR_SQS_INVALID_MESSAGE_CONTENTS,
            "Invalid binary character '#x%lX' was found in the message body, " SEND_ALLOWED_CHARS,
            bad);

    if (sqs_send_check_attrs(a, sqs_arg_get(in, "MessageAttributes"), &m->attrs, &attr_size, f) !=
            0 ||
        sqs_send_check_system_attrs(a, sqs_arg_get(in, "MessageSystemAttributes"), &m->sys, f) != 0)
        goto fail;
    m->size = m->body_len + attr_size;
    if (m->size > (size_t)q->maximum_message_size) {
        send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                  "One or more parameters are invalid. Reason: Message must be shorter than %d "
                  "bytes.",
                  q->maximum_message_size);
        goto fail;
    }

    jd = sqs_arg_get(in, "DelaySeconds");
    if (jd) {
        long long d;
        if (!json_is_integer(jd)) {
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "Value %s for parameter DelaySeconds is invalid. Reason: Must be an "
                      "integer.",
                      sqs_arg_text(a, jd));
            goto fail;
        }
        d = (long long)json_integer_value(jd);
        if (d < 0 || d > SEND_MAX_DELAY) {
            send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                      "Value %lld for parameter DelaySeconds is invalid. Reason: Must be >= 0 "
                      "and <= %d.",
                      d, SEND_MAX_DELAY);
            goto fail;
        }
        /* FIFO queues only have a queue-level delay (SendMessage API doc, DelaySeconds). */
        if (q->fifo && d != 0) {
            send_fail(
                f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                "Value %lld for parameter DelaySeconds is invalid. Reason: " SEND_WRONG_QUEUE_TYPE,
                d);
            goto fail;
        }
        m->delay = d;
    }

    if (send_str_opt(a, in, "MessageGroupId", &m->group_id, f) != 0 ||
        send_str_opt(a, in, "MessageDeduplicationId", &m->dedup_id, f) != 0)
        goto fail;
    if (q->fifo && !m->group_id) {
        send_fail(f, a, &ERR_SQS_MISSING_PARAMETER,
                  "The request must contain the parameter MessageGroupId.");
        goto fail;
    }
    /* Standard queues accept MessageGroupId (fair queues) but not deduplication. */
    if (m->group_id && !sqs_send_fifo_id_ok(m->group_id)) {
        send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                  "Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
                  "only include alphanumeric and punctuation characters. 1 to 128 in length.",
                  m->group_id);
        goto fail;
    }
    if (m->dedup_id && !q->fifo) {
        send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                  "Value %s for parameter MessageDeduplicationId is invalid. "
                  "Reason: " SEND_WRONG_QUEUE_TYPE,
                  m->dedup_id);
        goto fail;
    }
    if (m->dedup_id && !sqs_send_fifo_id_ok(m->dedup_id)) {
        send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                  "Value %s for parameter MessageDeduplicationId is invalid. Reason: "
                  "MessageDeduplicationId can only include alphanumeric and punctuation "
                  "characters. 1 to 128 in length.",
                  m->dedup_id);
        goto fail;
    }
    if (q->fifo && !m->dedup_id && !q->content_dedup) {
        send_fail(f, a, &ERR_SQS_INVALID_PARAMETER_VALUE,
                  "The queue should either have ContentBasedDeduplication enabled or "
                  "MessageDeduplicationId provided explicitly");
        goto fail;
    }
    return 0;
fail:
    sqs_send_msg_release(m);
    return -1;
}

/* The bytes a batch entry counts for in the 1 MiB batch limit: body plus attributes, taken
 * as sent (the entry may still fail its own checks). */
AWSLET_TESTABLE size_t
sqs_send_entry_payload(const json_t *entry)
{
    const json_t *attrs = sqs_arg_get(entry, "MessageAttributes"), *v, *x;
    const char *name;
    size_t n = json_string_length(sqs_arg_get(entry, "MessageBody"));

    if (!json_is_object(attrs))
        return n;
    json_object_foreach((json_t *)attrs, name, v)
    {
        long long dec;
        n += strlen(name) + json_string_length(sqs_arg_get(v, "DataType"));
        if ((x = sqs_arg_get(v, "StringValue")))
            n += json_string_length(x);
        if ((x = sqs_arg_get(v, "BinaryValue"))) {
            dec = base64_decoded_len(json_string_value(x), json_string_length(x), 0);
            n += dec >= 0 ? (size_t)dec : json_string_length(x);
        }
    }
    return n;
}

/* ---- storing ---------------------------------------------------------------------------- */

/* What a send answers: the message stored, or the original of a deduplicated one. */
struct send_result {
    char message_id[AWSLET_UUID_LEN + 1];
    char sequence[24]; /* "" on standard queues */
    char md5_body[33], md5_attrs[33], md5_sys[33];
    bool stored; /* false: a FIFO duplicate inside the deduplication window */
};

static const char sql_dedup_find[] = "SELECT message_id, sequence_number FROM sqs_dedup"
                                     " WHERE queue_id = ?1 AND dedup_key = ?2 AND expires_ms > ?3";
static const char sql_dedup_put[] =
    "INSERT OR REPLACE INTO sqs_dedup (queue_id, dedup_key, message_id, sequence_number,"
    " expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_dedup_sweep[] =
    "DELETE FROM sqs_dedup WHERE queue_id = ?1 AND expires_ms <= ?2";
static const char sql_next_seq[] =
    "UPDATE sqs_queues SET fifo_seq = fifo_seq + 1 WHERE id = ?1 RETURNING fifo_seq";
static const char sql_insert[] =
    "INSERT INTO sqs_messages (queue_id, message_id, body, attributes, system_attributes,"
    " md5_body, md5_attributes, md5_system, sent_ms, visible_ms, expires_ms, sender_id,"
    " group_id, dedup_id, sequence_number)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

static int
send_db_fail(struct awslet_req *req, sqlite3_stmt *st)
{
    const char *e = sqlite3_errmsg(req->db);

    if (st)
        sqlite3_reset(st);
    log_error("cannot store message: %s", e);
    awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot store the message");
    return -1;
}

/* JSON text of a normalized map in the arena, or NULL for none; -1 on no memory. */
static int
send_json_text(struct awslet_req *req, const json_t *j, const char **out)
{
    char *s;

    *out = NULL;
    if (!j)
        return 0;
    s = json_dumps(j, JSON_COMPACT);
    if (s)
        *out = arena_strdup(&req->arena, s);
    free(s);
    if (!*out) {
        awslet_fail_nomem(req);
        return -1;
    }
    return 0;
}

/* FIFO: the deduplication id and the key of the queue's window ("dedup" or "group\ndedup"
 * with DeduplicationScope messageGroup). If the key is in the window, fill r with the
 * original and return 1. -1 on a store error. */
static int
send_dedup_find(struct awslet_req *req, const struct sqs_queue *q, struct sqs_send_msg *m,
                long long now, const char **key, struct send_result *r)
{
    sqlite3_stmt *st;
    int rc;

    if (!m->dedup_id) {
        char *h = arena_alloc(&req->arena, 65);
        if (!h) {
            awslet_fail_nomem(req);
            return -1;
        }
        sha256_hex(m->body, m->body_len, h);
        m->dedup_id = h;
    }
    if (q->dedup_scope && strcmp(q->dedup_scope, "messageGroup") == 0)
        *key = arena_printf(&req->arena, "%s\n%s", m->group_id, m->dedup_id);
    else
        *key = m->dedup_id;
    if (!*key) {
        awslet_fail_nomem(req);
        return -1;
    }
    st = store_stmt(req->db, sql_dedup_find);
    if (!st)
        return send_db_fail(req, NULL);
    sqlite3_bind_int64(st, 1, q->id);
    sqlite3_bind_text(st, 2, *key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(r->message_id, sizeof(r->message_id), "%s",
                 (const char *)sqlite3_column_text(st, 0));
        snprintf(r->sequence, sizeof(r->sequence), "%s", (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
        return 1;
    }
    if (rc != SQLITE_DONE)
        return send_db_fail(req, st);
    sqlite3_reset(st);
    return 0;
}

/* FIFO: take the queue's next sequence number (20-digit zero-padded decimal). */
static int
send_next_seq(struct awslet_req *req, const struct sqs_queue *q, char out[24], long long *seq)
{
    sqlite3_stmt *st = store_stmt(req->db, sql_next_seq);

    if (!st)
        return send_db_fail(req, NULL);
    sqlite3_bind_int64(st, 1, q->id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return send_db_fail(req, st);
    *seq = sqlite3_column_int64(st, 0);
    /* Step to the end so the UPDATE completes before the reset. */
    if (sqlite3_step(st) != SQLITE_DONE)
        return send_db_fail(req, st);
    sqlite3_reset(st);
    snprintf(out, 24, "%020lld", *seq);
    return 0;
}

static int
send_dedup_put(struct awslet_req *req, const struct sqs_queue *q, const char *key,
               const struct send_result *r, long long now, long long seq)
{
    sqlite3_stmt *st = store_stmt(req->db, sql_dedup_put);

    if (!st)
        return send_db_fail(req, NULL);
    sqlite3_bind_int64(st, 1, q->id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->sequence, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now + SQS_DEDUP_WINDOW_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        return send_db_fail(req, st);
    sqlite3_reset(st);
    /* Expired windows are dead rows: sweep them now and then rather than on every send. */
    if (seq % SEND_DEDUP_SWEEP == 0) {
        st = store_stmt(req->db, sql_dedup_sweep);
        if (!st)
            return send_db_fail(req, NULL);
        sqlite3_bind_int64(st, 1, q->id);
        sqlite3_bind_int64(st, 2, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            return send_db_fail(req, st);
        sqlite3_reset(st);
    }
    return 0;
}

/* Store m in q (or find its FIFO original) and fill r. 0, or -1 with the request failed. */
static int
send_store(struct awslet_req *req, const struct sqs_queue *q, struct sqs_send_msg *m, long long now,
           struct send_result *r)
{
    const char *attrs_text, *sys_text, *key = NULL;
    const char *sender = req->access_key && *req->access_key ? req->access_key : req->account;
    long long seq = 0, delay = m->delay >= 0 ? m->delay : q->delay_seconds;
    sqlite3_stmt *st;

    memset(r, 0, sizeof(*r));
    sqs_md5_hex(m->body, m->body_len, r->md5_body);
    if ((m->attrs && sqs_md5_of_attributes(m->attrs, r->md5_attrs) != 0) ||
        (m->sys && sqs_md5_of_system_attributes(m->sys, r->md5_sys) != 0)) {
        awslet_fail(req, &ERR_INTERNAL_FAILURE, "cannot digest the message attributes");
        return -1;
    }
    if (q->fifo) {
        int dup = send_dedup_find(req, q, m, now, &key, r);
        if (dup != 0)
            return dup < 0 ? -1 : 0;
        if (send_next_seq(req, q, r->sequence, &seq) != 0)
            return -1;
    }
    if (send_json_text(req, m->attrs, &attrs_text) != 0 ||
        send_json_text(req, m->sys, &sys_text) != 0)
        return -1;
    awslet_uuid(r->message_id);

    st = store_stmt(req->db, sql_insert);
    if (!st)
        return send_db_fail(req, NULL);
    sqlite3_bind_int64(st, 1, q->id);
    sqlite3_bind_text(st, 2, r->message_id, AWSLET_UUID_LEN, SQLITE_STATIC);
    /* The body is borrowed from the input tree, which outlives the step: no copy of up to
     * 1 MiB. */
    sqlite3_bind_text(st, 3, m->body, (int)m->body_len, SQLITE_STATIC);
    if (attrs_text)
        sqlite3_bind_text(st, 4, attrs_text, -1, SQLITE_STATIC);
    if (sys_text)
        sqlite3_bind_text(st, 5, sys_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->md5_body, 32, SQLITE_STATIC);
    if (m->attrs)
        sqlite3_bind_text(st, 7, r->md5_attrs, 32, SQLITE_STATIC);
    if (m->sys)
        sqlite3_bind_text(st, 8, r->md5_sys, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, now + delay * 1000);
    sqlite3_bind_int64(st, 11, now + (long long)q->retention_seconds * 1000);
    sqlite3_bind_text(st, 12, sender ? sender : "", -1, SQLITE_STATIC);
    if (m->group_id)
        sqlite3_bind_text(st, 13, m->group_id, -1, SQLITE_STATIC);
    if (m->dedup_id)
        sqlite3_bind_text(st, 14, m->dedup_id, -1, SQLITE_STATIC);
    if (q->fifo)
        sqlite3_bind_text(st, 15, r->sequence, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return send_db_fail(req, st);
    sqlite3_reset(st);
    if (q->fifo && send_dedup_put(req, q, key, r, now, seq) != 0)
        return -1;
    r->stored = true;
    return 0;
}

/* ---- waking receivers ------------------------------------------------------------------- */

struct send_wake {
    long long queue_id;
    int n;
};

static void
send_wake(void *arg)
{
    struct send_wake *w = arg;

    sqs_waiters_wake(w->queue_id, w->n);
}

/* After COMMIT, wake up to n long polls of q. Delayed messages wake them too: a waiter
 * that finds nothing receivable yet re-arms its deadline for the earliest visible_ms. */
static int
send_wake_after_commit(struct awslet_req *req, long long queue_id, int n)
{
    struct send_wake *w;

    if (n <= 0)
        return 0;
    w = arena_alloc(&req->arena, sizeof(*w));
    if (!w || awslet_after_commit(req, send_wake, w) != 0) {
        awslet_fail_nomem(req);
        return -1;
    }
    w->queue_id = queue_id;
    w->n = n;
    return 0;
}

/* ---- answers ---------------------------------------------------------------------------- */

/* The members SendMessage and a Successful entry share; absent digests are left out. */
static int
send_result_members(json_t *o, const struct send_result *r, const struct sqs_send_msg *m)
{
    if (json_object_set_new(o, "MessageId", json_string(r->message_id)) != 0 ||
        json_object_set_new(o, "MD5OfMessageBody", json_string(r->md5_body)) != 0)
        return -1;
    if (m->attrs &&
        json_object_set_new(o, "MD5OfMessageAttributes", json_string(r->md5_attrs)) != 0)
        return -1;
    if (m->sys &&
        json_object_set_new(o, "MD5OfMessageSystemAttributes", json_string(r->md5_sys)) != 0)
        return -1;
    if (r->sequence[0] && json_object_set_new(o, "SequenceNumber", json_string(r->sequence)) != 0)
        return -1;
    return 0;
}

/* SendMessage: check one message, store it (or find its FIFO original), wake receivers.
 * in: QueueUrl, MessageBody, DelaySeconds?, MessageAttributes?, MessageSystemAttributes?,
 *     MessageDeduplicationId?, MessageGroupId?
 * out: MessageId, MD5OfMessageBody, MD5OfMessageAttributes?, MD5OfMessageSystemAttributes?,
 *      SequenceNumber? */
enum awslet_rc
sqs_send_message(struct awslet_req *req, const json_t *in, json_t **out)
{
    struct sqs_queue *q;
    struct sqs_send_msg m;
    struct sqs_send_fault f;
    struct send_result r;
    enum awslet_rc rc = AWSLET_ERR;

    q = sqs_queue_from_request(req, in);
    if (!q)
        return AWSLET_ERR;
    if (sqs_send_check_message(&req->arena, in, q, &m, &f) != 0)
        return awslet_fail(req, f.err, "%s", f.msg);
    if (send_store(req, q, &m, clock_now_ms(), &r) != 0 ||
        (r.stored && send_wake_after_commit(req, q->id, 1) != 0))
        goto out;
    *out = json_object();
    if (!*out || send_result_members(*out, &r, &m) != 0) {
        json_decref(*out);
        *out = NULL;
        rc = awslet_fail_nomem(req);
        goto out;
    }
    rc = AWSLET_OK;
out:
    sqs_send_msg_release(&m);
    return rc;
}

/* Whole-request checks of a batch: 1-10 entries, valid and distinct Ids, at most 1 MiB in
 * all. 0, or -1 with the fault. */
AWSLET_TESTABLE int
sqs_send_check_batch(struct arena *a, const json_t *entries, struct sqs_send_fault *f)
{
    size_t n = json_array_size(entries), total = 0;

    if (n == 0)
        return send_fail(f, a, &ERR_SQS_EMPTY_BATCH,
                         "There should be at least one SendMessageBatchRequestEntry in the "
                         "request.");
    if (n > SQS_MAX_BATCH)
        return send_fail(f, a, &ERR_SQS_TOO_MANY_ENTRIES,
                         "Maximum number of entries per request are %d. You have sent %zu.",
                         SQS_MAX_BATCH, n);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(entries, i);
        const char *id = json_string_value(sqs_arg_get(e, "Id"));

        if (!json_is_object(e) || !id)
            return send_fail(f, a, &ERR_SQS_MISSING_PARAMETER,
                             "The request must contain the parameter "
                             "SendMessageBatchRequestEntry.%zu.Id.",
                             i + 1);
        if (!sqs_send_batch_id_ok(id))
            return send_fail(f, a, &ERR_SQS_INVALID_BATCH_ENTRY_ID,
                             "A batch entry id can only contain alphanumeric characters, "
                             "hyphens and underscores. It can be at most %d letters long.",
                             SEND_MAX_BATCH_ID);
    }
    for (size_t i = 1; i < n; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(entries, i), "Id"));
        for (size_t j = 0; j < i; j++)
            if (strcmp(id, json_string_value(json_object_get(json_array_get(entries, j), "Id"))) ==
                0)
                return send_fail(f, a, &ERR_SQS_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", id);
    }
    for (size_t i = 0; i < n; i++)
        total += sqs_send_entry_payload(json_array_get(entries, i));
    if (total > SQS_MAX_MESSAGE_BYTES)
        return send_fail(f, a, &ERR_SQS_BATCH_TOO_LONG,
                         "Batch requests cannot be longer than %d bytes. You have sent %zu "
                         "bytes.",
                         SQS_MAX_MESSAGE_BYTES, total);
    return 0;
}

static json_t *
send_failed_entry(const char *id, const struct sqs_send_fault *f)
{
    return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault", 1, "Code",
                     error_query_code(f->err), "Message", f->msg);
}

/* SendMessageBatch: the batch checks fail the request; each entry's own fault goes to Failed
 * while the other entries are stored.
 * in: QueueUrl, Entries [{Id, MessageBody, DelaySeconds?, MessageAttributes?,
 *     MessageSystemAttributes?, MessageDeduplicationId?, MessageGroupId?}]
 * out: Successful [{Id, MessageId, MD5OfMessageBody, MD5OfMessageAttributes?,
 *      MD5OfMessageSystemAttributes?, SequenceNumber?}], Failed [{Id, SenderFault, Code,
 *      Message}] */
enum awslet_rc
sqs_send_message_batch(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *entries = sqs_arg_get(in, "Entries");
    json_t *ok = NULL, *failed = NULL, *answer = NULL, *e;
    struct sqs_queue *q;
    struct sqs_send_fault f;
    long long now;
    int stored = 0;
    size_t i;

    q = sqs_queue_from_request(req, in);
    if (!q)
        return AWSLET_ERR;
    if (entries && !json_is_array(entries))
        return awslet_fail(req, &ERR_SQS_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter Entries is invalid. Reason: Must be a list.",
                           sqs_arg_text(&req->arena, entries));
    if (sqs_send_check_batch(&req->arena, entries, &f) != 0)
        return awslet_fail(req, f.err, "%s", f.msg);

    ok = json_array();
    failed = json_array();
    if (!ok || !failed)
        goto nomem;
    now = clock_now_ms();
    json_array_foreach(entries, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "Id"));
        struct sqs_send_msg m;
        struct send_result r;
        json_t *o;

        if (sqs_send_check_message(&req->arena, e, q, &m, &f) != 0) {
            if (json_array_append_new(failed, send_failed_entry(id, &f)) != 0)
                goto nomem;
            continue;
        }
        if (send_store(req, q, &m, now, &r) != 0) {
            sqs_send_msg_release(&m);
            goto fail;
        }
        stored += r.stored;
        o = json_pack("{s:s}", "Id", id);
        if (!o || send_result_members(o, &r, &m) != 0) {
            json_decref(o);
            sqs_send_msg_release(&m);
            goto nomem;
        }
        sqs_send_msg_release(&m);
        if (json_array_append_new(ok, o) != 0)
            goto nomem;
    }
    if (send_wake_after_commit(req, q->id, stored) != 0)
        goto fail;
    answer = json_pack("{s:o, s:o}", "Successful", ok, "Failed", failed);
    ok = failed = NULL;
    if (!answer)
        goto nomem;
    *out = answer;
    return AWSLET_OK;
nomem:
    awslet_fail_nomem(req);
fail:
    json_decref(ok);
    json_decref(failed);
    return AWSLET_ERR;
}
