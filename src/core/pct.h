/* pct.h: percent-decoding, shared by the form parser (query protocol, URL arguments) and the
 * REST URI-label matcher, which differ only in two rules chosen by flags. */
#ifndef AWSLET_PCT_H
#define AWSLET_PCT_H

#include <stddef.h>
#include <sys/types.h>

enum pct_flags {
    PCT_PLUS_IS_SPACE = 1 << 0, /* forms: '+' decodes to ' ' (in a path it stays '+') */
    PCT_STRICT = 1 << 1,        /* a '%' not followed by two hex digits is an error; else
                                 * it is kept as is, as HTTP servers do with paths */
};

/* Decode s[0..len) into out, which has room for len + 1 bytes; NUL-terminates. Returns the
 * decoded length, or -1 for a bad escape under PCT_STRICT. */
ssize_t pct_decode(char *out, const char *s, size_t len, unsigned flags);

#endif
