/* error.h: the AWS error catalogue and how a request records its failure.
 *
 * Each entry pairs the modern code (the JSON protocols' __type shape name) with the code the
 * query protocol uses where they differ (SQS's "AWS.SimpleQueueService.NonExistentQueue"), the
 * HTTP status and the fault side. Services declare their own lists the same way in
 * <svc>_int.h with AWSLET_ERROR_DECLARE and define them with AWSLET_ERROR_DEFINE. */
#ifndef AWSLET_ERROR_H
#define AWSLET_ERROR_H

enum error_fault { SENDER = 0, RECEIVER = 1 };

struct awslet_error {
    const char *code;         /* JSON __type shape / REST x-amzn-ErrorType / query Code */
    const char *query_code;   /* query Code and x-amzn-query-error when different, else NULL */
    unsigned short status;    /* HTTP status */
    unsigned char fault;      /* enum error_fault */
};

#define AWSLET_ERROR_DECLARE(id, code, qcode, status, fault) extern const struct awslet_error id;
#define AWSLET_ERROR_DEFINE(id, code, qcode, status, fault)                                     \
    const struct awslet_error id = {code, qcode, status, fault};

/* Errors any protocol or service may raise. */
#define AWSLET_CORE_ERRORS(X)                                                                   \
    X(ERR_INTERNAL_FAILURE, "InternalFailure", NULL, 500, RECEIVER)                             \
    X(ERR_SERVICE_UNAVAILABLE, "ServiceUnavailable", NULL, 503, RECEIVER)                       \
    X(ERR_UNKNOWN_OPERATION, "UnknownOperationException", NULL, 400, SENDER)                    \
    X(ERR_UNKNOWN_OPERATION_REST, "UnknownOperationException", NULL, 404, SENDER)               \
    X(ERR_INVALID_ACTION, "InvalidAction", NULL, 400, SENDER)                                   \
    X(ERR_MISSING_ACTION, "MissingAction", NULL, 400, SENDER)                                   \
    X(ERR_SERIALIZATION, "SerializationException", NULL, 400, SENDER)                           \
    X(ERR_MALFORMED_QUERY, "MalformedQueryString", NULL, 400, SENDER)                           \
    X(ERR_REQUEST_TOO_LARGE, "RequestEntityTooLarge", NULL, 413, SENDER)                        \
    X(ERR_VALIDATION, "ValidationException", NULL, 400, SENDER)                                 \
    X(ERR_INVALID_PARAMETER_VALUE, "InvalidParameterValue", NULL, 400, SENDER)                  \
    X(ERR_MISSING_PARAMETER, "MissingParameter", NULL, 400, SENDER)                             \
    X(ERR_UNSUPPORTED_PROTOCOL, "UnsupportedProtocol", NULL, 400, SENDER)

AWSLET_CORE_ERRORS(AWSLET_ERROR_DECLARE)

/* The code a query-protocol response (or SQS's x-amzn-query-error header) carries. */
static inline const char *
error_query_code(const struct awslet_error *e)
{
    return e->query_code ? e->query_code : e->code;
}

#endif
