/* sqs_md5.c: the digests SQS returns and SDKs verify (AWS-FACTS.md section 3).
 *
 * MD5OfMessageBody is the MD5 of the body's bytes. MD5OfMessageAttributes and
 * MD5OfMessageSystemAttributes hash a canonical encoding of the attribute map: names in byte
 * order, each as length-prefixed name, length-prefixed DataType, one transport byte (1 for
 * String and Number types, 2 for Binary ones, custom ".suffix" types included) and the
 * length-prefixed value, raw bytes for binaries (base64 in the tree). The JS, Java, Go, .NET,
 * PHP and Ruby SDKs recompute these and raise on a mismatch.
 * Entry points: sqs_md5_hex(), sqs_md5_of_attributes(), sqs_md5_of_system_attributes(). */
#include "services/sqs/sqs_int.h"

#include "core/base64.h"

/* The one-shot MD5_* functions are deprecated in OpenSSL 3 in favour of EVP, whose context
 * lives on the heap; the send path hashes every message, so keep the stack context. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SQS_TRANSPORT_STRING 1
#define SQS_TRANSPORT_BINARY 2

static void
md5_hex_final(MD5_CTX *ctx, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[MD5_DIGEST_LENGTH];

    MD5_Final(d, ctx);
    for (int i = 0; i < MD5_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[32] = '\0';
}

void
sqs_md5_hex(const void *data, size_t len, char out[33])
{
    MD5_CTX ctx;

    MD5_Init(&ctx);
    MD5_Update(&ctx, data, len);
    md5_hex_final(&ctx, out);
}

/* ---- attribute digests ------------------------------------------------------------------ */

static void
md5_len_bytes(MD5_CTX *ctx, const void *p, size_t len)
{
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len};

    MD5_Update(ctx, be, 4);
    MD5_Update(ctx, p, len);
}

/* Hash base64 text as its raw bytes, a few kilobytes at a time (values reach 1 MiB and this
 * path has no allocator). */
static int
md5_base64_value(MD5_CTX *ctx, const char *b64, size_t len)
{
    unsigned char chunk[3072], be[4];
    size_t n = len, off;
    long long dec = base64_decoded_len(b64, len, 0);

    if (dec < 0 || dec > UINT32_MAX)
        return -1;
    while (n > 0 && b64[n - 1] == '=')
        n--; /* valid padding (checked above); decode the data part in slices */
    be[0] = (unsigned char)(dec >> 24);
    be[1] = (unsigned char)(dec >> 16);
    be[2] = (unsigned char)(dec >> 8);
    be[3] = (unsigned char)dec;
    MD5_Update(ctx, be, 4);
    /* 4096 characters are 3072 bytes: whole quanta until the tail. */
    for (off = 0; off < n; off += 4096) {
        size_t take = n - off < 4096 ? n - off : 4096;
        MD5_Update(ctx, chunk, (size_t)base64_decode(chunk, b64 + off, take, 0));
    }
    return 0;
}

/* 1 if type names a binary attribute: "Binary" or "Binary.<custom>". */
static int
type_is_binary(const char *type)
{
    return strncmp(type, "Binary", 6) == 0 && (type[6] == '\0' || type[6] == '.');
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The algorithm both attribute digests share. */
static int
md5_of_map(const json_t *attrs, char out[33])
{
    const char *names[64], **sorted = names, *key;
    size_t n = json_object_size(attrs), i = 0;
    json_t *v;
    MD5_CTX ctx;
    int rc = -1;

    if (!json_is_object(attrs))
        return -1;
    if (n > ARRAY_SIZE(names)) {
        /* More than SQS allows; only reached by callers hashing unvalidated input. */
        sorted = malloc(n * sizeof(*sorted));
        if (!sorted)
            return -1;
    }
    json_object_foreach((json_t *)attrs, key, v) sorted[i++] = key;
    qsort(sorted, n, sizeof(*sorted), name_cmp);

    MD5_Init(&ctx);
    for (i = 0; i < n; i++) {
        const json_t *a = json_object_get(attrs, sorted[i]);
        const json_t *t = json_object_get(a, "DataType"), *val;
        const char *type = json_string_value(t);

        if (!type)
            goto out;
        md5_len_bytes(&ctx, sorted[i], strlen(sorted[i]));
        md5_len_bytes(&ctx, type, json_string_length(t));
        if (type_is_binary(type)) {
            unsigned char transport = SQS_TRANSPORT_BINARY;
            val = json_object_get(a, "BinaryValue");
            if (!json_is_string(val))
                goto out;
            MD5_Update(&ctx, &transport, 1);
            if (md5_base64_value(&ctx, json_string_value(val), json_string_length(val)) != 0)
                goto out;
        } else {
            unsigned char transport = SQS_TRANSPORT_STRING;
            val = json_object_get(a, "StringValue");
            if (!json_is_string(val))
                goto out;
            MD5_Update(&ctx, &transport, 1);
            md5_len_bytes(&ctx, json_string_value(val), json_string_length(val));
        }
    }
    md5_hex_final(&ctx, out);
    rc = 0;
out:
    if (sorted != names)
        free(sorted);
    return rc;
}

int
sqs_md5_of_attributes(const json_t *attrs, char out[33])
{
    return md5_of_map(attrs, out);
}

int
sqs_md5_of_system_attributes(const json_t *attrs, char out[33])
{
    /* MessageSystemAttributes carry the same value shape (MessageSystemAttributeValue). */
    return md5_of_map(attrs, out);
}
