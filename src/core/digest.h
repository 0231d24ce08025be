/* digest.h: SHA-256 as hex, for the ids and request digests services derive from content
 * (SQS content-based deduplication ids, DynamoDB transaction tokens, PartiQL NextTokens). */
#ifndef AWSLET_DIGEST_H
#define AWSLET_DIGEST_H

#include <stddef.h>

/* The SHA-256 of data[0..len) as 64 lowercase hex digits and a NUL. 0, or -1 (out is ""). */
int sha256_hex(const void *data, size_t len, char out[65]);

#endif
