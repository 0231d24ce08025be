/* sigv4.c: who is calling, read from an AWS Signature Version 4 header or presigned URL.
 *
 * sigv4_parse_authorization() accepts the header spellings the SDKs produce (botocore and
 * aws-cli "Credential=…, SignedHeaders=…, Signature=…", comma-only and extra whitespace
 * variants) and fills struct sigv4_scope from the credential scope. The signature itself is
 * not checked here. sigv4_key_is_account() tells whether an access key doubles as an
 * account id, as LocalStack-style emulators treat 12-digit keys. */
#include "core/sigv4.h"

#include <string.h>

#define SIGV4_ALGORITHM  "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"

static int
sigv4_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Copy the next '/'-terminated field of *p into out (size outsz). It must be non-empty,
 * fit, and hold only visible ASCII. Advances *p past the '/'. 0 or -1. */
static int
sigv4_field(const char **p, const char *end, char *out, size_t outsz)
{
    const char *s = *p, *slash;
    size_t n, i;

    slash = memchr(s, '/', (size_t)(end - s));
    if (!slash)
        return -1;
    n = (size_t)(slash - s);
    if (n == 0 || n >= outsz)
        return -1;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = slash + 1;
    return 0;
}

/* Parse AKID/YYYYMMDD/region/service/aws4_request from c[0..len). */
static int
sigv4_credential(const char *c, size_t len, struct sigv4_scope *s)
{
    const char *p = c, *end = c + len;
    int i;

    memset(s, 0, sizeof(*s));
    if (sigv4_field(&p, end, s->access_key, sizeof(s->access_key)) ||
        sigv4_field(&p, end, s->date, sizeof(s->date)) ||
        sigv4_field(&p, end, s->region, sizeof(s->region)) ||
        sigv4_field(&p, end, s->service, sizeof(s->service)))
        goto bad;
    for (i = 0; i < 8; i++)
        if (s->date[i] < '0' || s->date[i] > '9')
            goto bad;
    if ((size_t)(end - p) != strlen(SIGV4_TERMINATOR) ||
        memcmp(p, SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR)) != 0)
        goto bad;
    return 0;
bad:
    memset(s, 0, sizeof(*s));
    return -1;
}

int
sigv4_parse_credential(const char *credential, struct sigv4_scope *s)
{
    if (!credential) {
        memset(s, 0, sizeof(*s));
        return -1;
    }
    return sigv4_credential(credential, strlen(credential), s);
}

int
sigv4_parse_authorization(const char *header, struct sigv4_scope *s)
{
    const char *p = header, *name, *eq, *val, *cred = NULL;
    size_t nlen, vlen, cred_len = 0;
    int have_signed = 0, have_sig = 0;

    memset(s, 0, sizeof(*s));
    if (!p)
        return -1;
    while (sigv4_is_space(*p))
        p++;
    if (strncmp(p, SIGV4_ALGORITHM, strlen(SIGV4_ALGORITHM)) != 0)
        return -1;
    p += strlen(SIGV4_ALGORITHM);
    if (!sigv4_is_space(*p))
        return -1; /* "AWS4-HMAC-SHA256X" is another scheme (or SigV4a's AWS4-ECDSA-…) */

    /* Parameters are Name=Value, separated by commas and/or whitespace in any mix. */
    for (;;) {
        while (sigv4_is_space(*p) || *p == ',')
            p++;
        if (*p == '\0')
            break;
        name = p;
        while (*p && *p != '=' && *p != ',' && !sigv4_is_space(*p))
            p++;
        if (*p != '=')
            goto bad;
        eq = p;
        nlen = (size_t)(eq - name);
        val = ++p;
        while (*p && *p != ',' && !sigv4_is_space(*p))
            p++;
        vlen = (size_t)(p - val);
        if (vlen == 0)
            goto bad;
        if (nlen == 10 && memcmp(name, "Credential", 10) == 0) {
            if (cred)
                goto bad; /* two credentials: ambiguous, refuse */
            cred = val;
            cred_len = vlen;
        } else if (nlen == 13 && memcmp(name, "SignedHeaders", 13) == 0) {
            have_signed = 1;
        } else if (nlen == 9 && memcmp(name, "Signature", 9) == 0) {
            have_sig = 1;
        }
        /* Unknown parameters are tolerated: SigV4 may grow, and we only read the scope. */
    }
    if (!cred || !have_signed || !have_sig)
        goto bad;
    return sigv4_credential(cred, cred_len, s);
bad:
    memset(s, 0, sizeof(*s));
    return -1;
}

int
sigv4_key_is_account(const char *access_key)
{
    int i;

    if (!access_key)
        return 0;
    for (i = 0; i < 12; i++)
        if (access_key[i] < '0' || access_key[i] > '9')
            return 0;
    return access_key[12] == '\0';
}
