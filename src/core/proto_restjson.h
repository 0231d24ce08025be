/* proto_restjson.h: the REST-JSON protocol (Lambda, API Gateway control plane).
 *
 * Requests are matched against the method and URI templates of the service model
 * (`/2015-03-31/functions/{FunctionName}/invocations`, greedy `{proxy+}`, literal query
 * constraints such as `?mode=import`). The input tree is assembled from URI labels, query
 * parameters, headers and the JSON body (or the raw payload member) as the model places
 * them; the output goes back the same way: header members become headers, a status member
 * the status, a payload member the whole body, the rest a JSON body. */
#ifndef AWSLET_PROTO_RESTJSON_H
#define AWSLET_PROTO_RESTJSON_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/model.h"
#include "core/proto_query.h"

/* Find the operation of m whose method and URI template match. When several match, the
 * most specific wins: more literal segments, then no greedy label, then more literal query
 * constraints. On a match *params receives a new object of the URI labels (percent-decoded,
 * "{Name+}" labels keep their slashes). NULL if nothing matches. */
const struct model_op *rest_match(const struct model *m, const char *method, const char *path,
                                  const struct form *query, json_t **params);

/* Build the input tree. params: from rest_match (borrowed). headers: an object of request
 * headers with lower-case names (borrowed). body/len: the raw body. Returns a new reference,
 * or NULL with a message in err (bad JSON body, a label that does not fit its type). */
json_t *rest_decode(const struct model_op *op, const json_t *params, const struct form *query,
                    const json_t *headers, const char *body, size_t len, char *err,
                    size_t errlen);

/* Split the handler's output. *status: the model's status, or a status member's value.
 * *headers: a new object of header name -> string value. body: the payload member's bytes
 * (a string or blob payload as is, a structure payload as JSON), else the remaining body
 * members as a JSON object (nothing at all when the output has no body members and no
 * payload). *content_type: "application/json" or, for a blob payload,
 * "application/octet-stream" (borrowed static strings). 0 or -1. */
int rest_encode_response(const struct model_op *op, const json_t *out, unsigned *status,
                         json_t **headers, struct buf *body, const char **content_type);

/* Append the REST-JSON error body `{"message":"..."}` (Lambda adds "Type":"User"/"Service";
 * pass type NULL to leave it out). The caller sets x-amzn-ErrorType and the status. */
int rest_encode_error(struct buf *b, const char *type, const char *message);

#endif
