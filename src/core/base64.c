/* base64.c: RFC 4648 base64 (base64.h): message attributes, receipt and task handles, REST
 * jsonvalue headers. */
#include "core/base64.h"

#include <stdint.h>

static const char base64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
base64_val(unsigned char c, unsigned flags)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == ((flags & BASE64_URL) ? '-' : '+'))
        return 62;
    if (c == ((flags & BASE64_URL) ? '_' : '/'))
        return 63;
    return -1;
}

size_t
base64_encoded_len(size_t n, unsigned flags)
{
    if (!(flags & BASE64_NOPAD))
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t
base64_encode(char *out, const void *in, size_t n, unsigned flags)
{
    const char *abc = (flags & BASE64_URL) ? base64_url : base64_std;
    const unsigned char *p = in;
    size_t i, o = 0;

    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
        out[o++] = abc[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = abc[v >> 6 & 63];
        else if (!(flags & BASE64_NOPAD))
            out[o++] = '=';
        if (!(flags & BASE64_NOPAD))
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

/* Length of the data part (padding stripped) in *data_len and the decoded size, or -1. */
static long long
base64_shape(const char *in, size_t len, unsigned flags, size_t *data_len)
{
    size_t n = len, pad = 0;

    while (n > 0 && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (pad > 0 && ((flags & BASE64_NOPAD) || len % 4 != 0))
        return -1; /* padding only ever completes a quantum */
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (base64_val((unsigned char)in[i], flags) < 0)
            return -1;
    *data_len = n;
    return (long long)(n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));
}

long long
base64_decoded_len(const char *in, size_t len, unsigned flags)
{
    size_t n;

    return base64_shape(in, len, flags, &n);
}

long long
base64_decode(unsigned char *out, const char *in, size_t len, unsigned flags)
{
    size_t n, i, o = 0;
    uint32_t v;

    if (base64_shape(in, len, flags, &n) < 0)
        return -1;
    for (i = 0; i + 4 <= n; i += 4) {
        v = (uint32_t)base64_val((unsigned char)in[i], flags) << 18 |
            (uint32_t)base64_val((unsigned char)in[i + 1], flags) << 12 |
            (uint32_t)base64_val((unsigned char)in[i + 2], flags) << 6 |
            (uint32_t)base64_val((unsigned char)in[i + 3], flags);
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (n - i >= 2) {
        v = (uint32_t)base64_val((unsigned char)in[i], flags) << 18 |
            (uint32_t)base64_val((unsigned char)in[i + 1], flags) << 12;
        if (n - i == 3)
            v |= (uint32_t)base64_val((unsigned char)in[i + 2], flags) << 6;
        out[o++] = (unsigned char)(v >> 16);
        if (n - i == 3)
            out[o++] = (unsigned char)(v >> 8);
    }
    return (long long)o;
}
