/* proto_json.h: AWS JSON 1.0 / 1.1 (SQS, DynamoDB, DynamoDB Streams, CloudWatch Logs).
 *
 * The body is the operation's input as JSON; the answer is the output as JSON. Errors are
 * `{"__type":"<namespace>#<Code>","message":"..."}`; SQS adds x-amzn-query-error so that
 * clients can map back to the query-era codes, and DynamoDB signs every body with
 * x-amz-crc32 (both handled by the dispatcher from the service flags). */
#ifndef AWSLET_PROTO_JSON_H
#define AWSLET_PROTO_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"

/* Parse a request body. An empty body is {}. Anything but a JSON object fails: NULL with a
 * message in err (the caller answers SerializationException). */
json_t *json_decode_body(const char *body, size_t len, char *err, size_t errlen);

/* Append `{"__type":"ns#Code","message":"..."}` to b; ns may be NULL (bare code). extra, if
 * not NULL, adds its members (DynamoDB's Item, CancellationReasons) to the document; an extra
 * "Message" member takes the place of "message". */
int json_encode_error(struct buf *b, const char *ns, const struct awslet_error *err,
                      const char *message, const json_t *extra);

/* CRC-32 (zlib) of the exact bytes, as DynamoDB's x-amz-crc32 carries it in decimal. */
unsigned long json_crc32(const char *data, size_t len);

#endif
