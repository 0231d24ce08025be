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

/* ---- base64 (standard alphabet; '=' padding optional, as SDKs always pad) -------------- */

static int
b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Length of the data part (padding stripped) and the decoded size; -1 if malformed. */
static long long
b64_shape(const char *in, size_t len, size_t *data_len)
{
    size_t n = len, pad = 0;

    while (n > 0 && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (pad > 0 && len % 4 != 0)
        return -1; /* padding only ever completes a quantum */
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (b64_val((unsigned char)in[i]) < 0)
            return -1;
    *data_len = n;
    return (long long)(n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));
}

/* Decode in[0..n) (no padding, validated by b64_shape) into out; returns the bytes written. */
static size_t
b64_decode_raw(const char *in, size_t n, unsigned char *out)
{
    size_t i, o = 0;
    uint32_t v;

    for (i = 0; i + 4 <= n; i += 4) {
        v = (uint32_t)b64_val((unsigned char)in[i]) << 18 |
            (uint32_t)b64_val((unsigned char)in[i + 1]) << 12 |
            (uint32_t)b64_val((unsigned char)in[i + 2]) << 6 |
            (uint32_t)b64_val((unsigned char)in[i + 3]);
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (n - i >= 2) {
        v = (uint32_t)b64_val((unsigned char)in[i]) << 18 |
            (uint32_t)b64_val((unsigned char)in[i + 1]) << 12;
        if (n - i == 3)
            v |= (uint32_t)b64_val((unsigned char)in[i + 2]) << 6;
        out[o++] = (unsigned char)(v >> 16);
        if (n - i == 3)
            out[o++] = (unsigned char)(v >> 8);
    }
    return o;
}

long long
sqs_base64_decoded_len(const char *in, size_t len)
{
    size_t n;

    return b64_shape(in, len, &n);
}

long long
sqs_base64_decode(const char *in, size_t len, unsigned char *out)
{
    size_t n;

    if (b64_shape(in, len, &n) < 0)
        return -1;
    return (long long)b64_decode_raw(in, n, out);
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
    size_t n, off;
    long long dec = b64_shape(b64, len, &n);

    if (dec < 0 || dec > UINT32_MAX)
        return -1;
    be[0] = (unsigned char)(dec >> 24);
    be[1] = (unsigned char)(dec >> 16);
    be[2] = (unsigned char)(dec >> 8);
    be[3] = (unsigned char)dec;
    MD5_Update(ctx, be, 4);
    /* 4096 characters are 3072 bytes: whole quanta until the tail. */
    for (off = 0; off < n; off += 4096) {
        size_t take = n - off < 4096 ? n - off : 4096;
        MD5_Update(ctx, chunk, b64_decode_raw(b64 + off, take, chunk));
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
