/* error.c: the core error catalogue (error.h) and the last-resort bug trap. */
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>

#include "awslet.h"

AWSLET_CORE_ERRORS(AWSLET_ERROR_DEFINE)

void
awslet_bug(const char *file, int line, const char *msg)
{
    fprintf(stderr, "awslet: bug at %s:%d: %s\n", file, line, msg);
    abort();
}
