/* apigateway.h: what the core calls in API Gateway: the data plane. */
#ifndef AWSLET_APIGATEWAY_H
#define AWSLET_APIGATEWAY_H

#include "core/req.h"

/* Answer a data-plane request (a stage invocation). Sets req->status, raw_body and
 * raw_content_type. */
void apigateway_invoke(struct awslet_req *req);

#endif
