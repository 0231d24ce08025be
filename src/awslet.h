/* awslet.h: the few basics every file of the daemon may use.
 *
 * Kept deliberately small (see docs/architecture.md): array sizes, bug traps, the handler
 * return codes and the version. Anything bigger belongs in the module that owns it. */
#ifndef AWSLET_H
#define AWSLET_H

#include <stddef.h>

#define AWSLET_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Impossible state: log where and abort. Never used on anything a client controls. */
#define AWSLET_BUG(msg) awslet_bug(__FILE__, __LINE__, (msg))
void awslet_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

/* Static functions that a unit test needs are AWSLET_TESTABLE: static in the daemon,
 * visible in the test build (AWSLET_TESTING). */
#ifdef AWSLET_TESTING
#define AWSLET_TESTABLE
#else
#define AWSLET_TESTABLE static
#endif

/* What an operation handler returns. */
enum awslet_rc {
    AWSLET_OK = 0,      /* *out holds the answer */
    AWSLET_ERR = -1,    /* the AWS error is already set on the request */
    AWSLET_SUSPEND = 1, /* a waiter is registered; the handler runs again when resumed */
};

#define AWSLET_UUID_LEN 36
#define AWSLET_MD5_HEX_LEN 32

#endif
