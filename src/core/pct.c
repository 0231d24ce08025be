/* pct.c: percent-decoding (pct.h). */
#include "core/pct.h"

static int
pct_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ssize_t
pct_decode(char *out, const char *s, size_t len, unsigned flags)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        int hi = -1, lo = -1;

        if (s[i] == '%' && len - i >= 3) {
            hi = pct_hexval((unsigned char)s[i + 1]);
            lo = pct_hexval((unsigned char)s[i + 2]);
        }
        if (hi >= 0 && lo >= 0) {
            out[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '%' && (flags & PCT_STRICT)) {
            return -1;
        } else if (s[i] == '+' && (flags & PCT_PLUS_IS_SPACE)) {
            out[n++] = ' ';
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return (ssize_t)n;
}
