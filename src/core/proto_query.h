/* proto_query.h: the AWS query protocol (SQS's legacy wire, SNS, IAM, STS, CloudFormation).
 *
 * In: an application/x-www-form-urlencoded body (or URL query) whose keys flatten the input
 * structure (`Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`,
 * `Tags.member.1.Key`). query_decode() walks the operation's input shape and rebuilds the
 * same jansson tree the JSON protocols carry, so handlers never know which wire was spoken.
 * Out: the handler's tree serialized as `<OpResponse xmlns=...><OpResult>...` XML following
 * the output shape, or an `<ErrorResponse>`. */
#ifndef AWSLET_PROTO_QUERY_H
#define AWSLET_PROTO_QUERY_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/model.h"

struct form_pair {
    const char *key;   /* percent-decoded, arena-owned */
    const char *value; /* percent-decoded ('+' is a space), arena-owned, NUL-terminated */
    size_t value_len;  /* values may contain NUL bytes after decoding */
};

/* Pairs sorted by key (stable for equal keys), so lookups and prefix scans are bsearch. */
struct form {
    struct form_pair *pairs;
    size_t n;
};

/* Parse a form body or URL query string into f (arena-owned). 0, or -1 on bad encoding or
 * no memory. A key without '=' has the empty value. */
int form_parse(struct arena *a, const char *s, size_t len, struct form *f);
/* The first value for key, or NULL. */
const char *form_get(const struct form *f, const char *key);

/* Build the input tree for shape from the form. Keys the shape does not know (Action,
 * Version, signature parameters) are ignored. Scalars that do not parse as their type stay
 * strings, so the handler's validation answers with the service's own error. Returns a new
 * reference, or NULL with a message in err. */
json_t *query_decode(const struct form *f, const struct model_shape *input, char *err,
                     size_t errlen);

/* Append `<{Op}Response xmlns="ns"><{Op}Result>...</{Op}Result><ResponseMetadata>
 * <RequestId>id</RequestId></ResponseMetadata></{Op}Response>` to b. out may be NULL when
 * the operation returns nothing. 0 or -1 (buffer limit or memory). */
int query_encode_response(struct buf *b, const struct model *m, const struct model_op *op,
                          const json_t *out, const char *request_id);

/* Append the `<ErrorResponse>` document for err. ns may be NULL (no xmlns attribute). */
int query_encode_error(struct buf *b, const char *ns, const struct awslet_error *err,
                       const char *message, const char *request_id);

/* Append s with XML escaping: & < > " as entities, and \r as &#xD; as SQS does. */
int xml_escape(struct buf *b, const char *s, size_t len);

#endif
