/* uuid.c: version-4 UUIDs from a per-thread pool of random bytes.
 *
 * Every request gets an id and every stored message another, so this is on the hot path.
 * libuuid's uuid_generate_random() makes several system calls per id, which on a VM costs
 * more than the SQLite INSERT beside it; one getrandom() here refills 256 ids at a time. */
#include "core/uuid.h"

#include <errno.h>
#include <sys/random.h>
#include <uuid/uuid.h>

void
awslet_uuid(char out[AWSLET_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    static __thread unsigned char pool[4096];
    static __thread size_t used = sizeof(pool);
    unsigned char *b;
    size_t got = 0;
    int o = 0;

    if (used + 16 > sizeof(pool)) {
        while (got < sizeof(pool)) {
            ssize_t n = getrandom(pool + got, sizeof(pool) - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                uuid_t u; /* no getrandom(): libuuid has its own fallbacks */
                uuid_generate_random(u);
                uuid_unparse_lower(u, out);
                return;
            }
            got += (size_t)n;
        }
        used = 0;
    }
    b = pool + used;
    used += 16;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}
