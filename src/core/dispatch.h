/* dispatch.h: running one operation: decode the wire into req->in with the protocol's codec,
 * call the handler (inside a write transaction for OP_WRITE operations), then encode the
 * answer or the error in the protocol the client spoke. */
#ifndef AWSLET_DISPATCH_H
#define AWSLET_DISPATCH_H

#include "core/proto_query.h"
#include "core/req.h"

/* Run req->op (routed as ROUTE_OP). form: the query parameters when req->proto is
 * PROTO_QUERY. Returns AWSLET_SUSPEND when the handler suspended (nothing encoded yet);
 * otherwise the response is in req->status / raw_body / raw_content_type / resp_headers. */
enum awslet_rc dispatch_op(struct awslet_req *req, const struct form *form);

/* Encode req->err in the protocol of req (req->svc may be NULL: bare JSON). */
void dispatch_encode_error(struct awslet_req *req);

#endif
