/* clock.c: the awslet clock: wall time plus a test offset.
 *
 * Every timer in the daemon (scheduler, long-poll deadlines, retention) reads
 * clock_now_ms(), so a test that advances the offset moves all of them at once. The offset
 * is kept in the store by admin.c so that it survives a restart. */
#include "core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic long long clock_offset;
static _Atomic bool clock_test;
static void (*clock_listener)(void);

long long
clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&clock_offset);
}

long long
clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
clock_advance_ms(long long ms)
{
    if (ms <= 0)
        return;
    atomic_fetch_add(&clock_offset, ms);
    if (clock_listener)
        clock_listener();
}

void
clock_set_offset_ms(long long ms)
{
    atomic_store(&clock_offset, ms);
    if (clock_listener)
        clock_listener();
}

long long
clock_offset_ms(void)
{
    return atomic_load(&clock_offset);
}

void
clock_set_listener(void (*fn)(void))
{
    clock_listener = fn;
}

void
clock_enable_test(bool on)
{
    atomic_store(&clock_test, on);
}

bool
clock_test_enabled(void)
{
    return atomic_load(&clock_test);
}
