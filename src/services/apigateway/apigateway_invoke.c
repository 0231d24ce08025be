/* apigateway_invoke.c: the API Gateway data plane.
 *
 * A stage is invoked at /restapis/{id}/{stage}/_user_request_/{path} or on the Host
 * {id}.execute-api.<domain>. No REST API can exist before the control plane's CreateRestApi
 * lands (the API Gateway issue), so every request matches no route, which API Gateway
 * answers with 403 {"message":"Missing Authentication Token"}. */
#include "services/apigateway/apigateway.h"

#include <stdlib.h>
#include <string.h>

void
apigateway_invoke(struct awslet_req *req)
{
    static const char body[] = "{\"message\":\"Missing Authentication Token\"}";

    req->status = 403;
    req->raw_content_type = "application/json";
    req->raw_body = strdup(body);
    req->raw_len = req->raw_body ? sizeof(body) - 1 : 0;
    req_add_header(req, "x-amzn-ErrorType", "MissingAuthenticationTokenException");
}
