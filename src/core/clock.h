/* clock.h: the one clock every awslet timer reads.
 *
 * Wall-clock milliseconds plus an offset that tests may advance through
 * POST /_awslet/clock when the daemon runs with --test-clock, so that five-minute dedup
 * windows or 60-second purge limits are tested without sleeping. Waiting code converts a
 * deadline on this clock into a real wait with clock_wait_ns(), and the scheduler is woken
 * whenever the clock jumps. */
#ifndef AWSLET_CLOCK_H
#define AWSLET_CLOCK_H

#include <stdbool.h>

/* Milliseconds since the Unix epoch, as awslet sees them. Thread-safe. */
long long clock_now_ms(void);
/* Monotonic microseconds, for measuring latency only (not affected by the offset). */
long long clock_mono_us(void);
/* Move the clock forward by ms (> 0). Calls the registered listener. */
void clock_advance_ms(long long ms);
/* Set the offset outright (restoring the persisted one at start-up, or a reset). */
void clock_set_offset_ms(long long ms);
/* How far the clock has been advanced. */
long long clock_offset_ms(void);
/* One listener is told of every jump (the scheduler's wake-up). */
void clock_set_listener(void (*fn)(void));
/* Whether POST /_awslet/clock may move the clock (--test-clock). */
void clock_enable_test(bool on);
bool clock_test_enabled(void);

#endif
