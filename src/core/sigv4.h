/* sigv4.h: reading who is calling from AWS Signature Version 4.
 *
 * The Authorization header (`AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/
 * aws4_request, SignedHeaders=..., Signature=...`) or a presigned URL's X-Amz-Credential
 * names the access key, region and service. awslet takes the region from the scope and the
 * account from a 12-digit access key id. Verifying the signature is a later, opt-in step. */
#ifndef AWSLET_SIGV4_H
#define AWSLET_SIGV4_H

#include <stddef.h>

struct sigv4_scope {
    char access_key[129];
    char date[9];        /* YYYYMMDD */
    char region[64];
    char service[64];
};

/* Parse the Credential=... part of an Authorization header value. 0 on success, -1 if the
 * header is not SigV4 or the credential is malformed (s is zeroed then). */
int sigv4_parse_authorization(const char *header, struct sigv4_scope *s);
/* Parse a presigned X-Amz-Credential value (already percent-decoded): AKID/date/region/
 * service/aws4_request. 0 or -1. */
int sigv4_parse_credential(const char *credential, struct sigv4_scope *s);
/* 1 if the access key is exactly 12 ASCII digits (then it is the account id). */
int sigv4_key_is_account(const char *access_key);

#endif
