/* base64.h: RFC 4648 base64, the standard and the URL-safe alphabets.
 *
 * Decoding is strict (what AWS accepts): only the alphabet, at most two '=' which must
 * complete the last quantum, never a lone trailing character; padding is optional, as SDKs
 * always send it but some clients do not. BASE64_NOPAD refuses '=' on input and writes none. */
#ifndef AWSLET_BASE64_H
#define AWSLET_BASE64_H

#include <stddef.h>

enum base64_flags {
    BASE64_URL = 1 << 0,   /* '-' and '_' instead of '+' and '/' */
    BASE64_NOPAD = 1 << 1, /* no '=' written, none accepted */
};

/* Characters base64_encode() writes for n bytes (without the NUL). */
size_t base64_encoded_len(size_t n, unsigned flags);
/* Encode in[0..n) into out (room for base64_encoded_len() + 1); NUL-terminates; returns the
 * length written. */
size_t base64_encode(char *out, const void *in, size_t n, unsigned flags);

/* The decoded size of in[0..len), or -1 if it is not base64 under the rules above. */
long long base64_decoded_len(const char *in, size_t len, unsigned flags);
/* Decode in[0..len) into out (room for base64_decoded_len() bytes); the bytes written, or -1
 * if it is not base64. */
long long base64_decode(unsigned char *out, const char *in, size_t len, unsigned flags);

#endif
