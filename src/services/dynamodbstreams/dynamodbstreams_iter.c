/* dynamodbstreams_iter.c: shard iterators, the opaque strings GetShardIterator hands out and
 * GetRecords takes back.
 *
 * AWS's iterators read "<stream ARN>|1|<base64>" (the API reference's examples); awslet keeps
 * that form. The base64 blob holds a version byte, the stream id, the next record number to
 * read and the issue time (big-endian 64-bit each), then 16 bytes of HMAC-SHA256 over the
 * ARN and those fields. Nothing is stored server-side: an iterator is valid because awslet
 * made it, and a client that edits or invents one gets a ValidationException, not a read of
 * someone else's stream. The key is fixed so that iterators survive a restart of the daemon
 * (they only live 15 minutes anyway); this is tamper evidence, not secrecy. */
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/base64.h"

#define ITER_VERSION 1
#define ITER_FIELDS  (1 + 3 * 8)
#define ITER_MAC     16
#define ITER_BLOB    (ITER_FIELDS + ITER_MAC)
#define ITER_SEP     "|1|"

static const char iter_key[] = "awslet/dynamodbstreams/shard-iterator/v1";

static void
put_be64(unsigned char *p, long long v)
{
    unsigned long long u = (unsigned long long)v;

    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)(u & 0xff);
}

static long long
get_be64(const unsigned char *p)
{
    unsigned long long u = 0;

    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    return (long long)u;
}

/* HMAC-SHA256(arn NUL fields), truncated. 0 or -1. */
static int
iter_mac(const char *arn, size_t arn_len, const unsigned char *fields, unsigned char out[ITER_MAC])
{
    unsigned char msg[1100 + ITER_FIELDS], md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (arn_len > 1100)
        return -1;
    memcpy(msg, arn, arn_len);
    msg[arn_len] = '\0';
    memcpy(msg + arn_len + 1, fields, ITER_FIELDS);
    if (!HMAC(EVP_sha256(), iter_key, (int)(sizeof(iter_key) - 1), msg, arn_len + 1 + ITER_FIELDS,
              md, &md_len) ||
        md_len < ITER_MAC)
        return -1;
    memcpy(out, md, ITER_MAC);
    return 0;
}

char *
dstreams_iter_encode(struct arena *a, const char *stream_arn, const struct dstreams_iter *it)
{
    unsigned char blob[ITER_BLOB];
    size_t arn_len = strlen(stream_arn), b64 = base64_encoded_len(ITER_BLOB, 0);
    char *out;

    blob[0] = ITER_VERSION;
    put_be64(blob + 1, it->sid);
    put_be64(blob + 9, it->pos);
    put_be64(blob + 17, it->issued_ms);
    if (iter_mac(stream_arn, arn_len, blob, blob + ITER_FIELDS) != 0)
        return NULL;
    out = arena_alloc(a, arn_len + strlen(ITER_SEP) + b64 + 1);
    if (!out)
        return NULL;
    memcpy(out, stream_arn, arn_len);
    memcpy(out + arn_len, ITER_SEP, strlen(ITER_SEP));
    base64_encode(out + arn_len + strlen(ITER_SEP), blob, ITER_BLOB, 0);
    return out;
}

int
dstreams_iter_decode(struct arena *a, const char *text, struct dstreams_iter *it,
                     const char **arn_out)
{
    unsigned char blob[ITER_BLOB], mac[ITER_MAC];
    const char *bar, *b64;
    size_t arn_len;

    /* The ARN never holds '|': the last one ends the "|1|" separator. */
    bar = text ? strrchr(text, '|') : NULL;
    if (!bar || bar - text < 2 || memcmp(bar - 2, ITER_SEP, strlen(ITER_SEP)) != 0)
        return -1;
    arn_len = (size_t)(bar - 2 - text);
    b64 = bar + 1;
    if (arn_len == 0 || base64_decoded_len(b64, strlen(b64), 0) != ITER_BLOB ||
        base64_decode(blob, b64, strlen(b64), 0) != ITER_BLOB || blob[0] != ITER_VERSION)
        return -1;
    if (iter_mac(text, arn_len, blob, mac) != 0 ||
        CRYPTO_memcmp(mac, blob + ITER_FIELDS, ITER_MAC) != 0)
        return -1;
    it->sid = get_be64(blob + 1);
    it->pos = get_be64(blob + 9);
    it->issued_ms = get_be64(blob + 17);
    if (it->sid <= 0 || it->pos <= 0)
        return -1;
    *arn_out = arena_strndup(a, text, arn_len);
    return *arn_out ? 0 : -1;
}
