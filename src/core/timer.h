/* timer.h: the background scheduler, one thread for every delayed thing awslet does.
 *
 * Durable timers live in the `timers` table, written in the same transaction as the change
 * that needs them (a delayed SQS message, a retry, a TTL sweep), and fire after a restart
 * too. When one is due the scheduler opens a write transaction, calls the kind's handler and
 * deletes the row in that same transaction, so each fires exactly once. Volatile timers are
 * in memory only (a long poll's deadline) and run a callback on the scheduler thread. Both
 * read the awslet clock. The scheduler sleeps on a condition variable until the earliest
 * deadline; there is no polling loop. */
#ifndef AWSLET_TIMER_H
#define AWSLET_TIMER_H

#include <sqlite3.h>

/* A durable timer's handler. Runs on the scheduler thread inside a write transaction on db;
 * return 0 to commit (the timer row is deleted) or -1 to roll back (the timer is retried
 * after a short back-off). It may schedule further timers. */
typedef int timer_fn(sqlite3 *db, const char *ref, const char *payload);

/* Register a handler for kind (a static string). Call from a service's init. 0 or -1. */
int timer_register(const char *kind, timer_fn *fn);
/* Schedule a durable timer inside the caller's write transaction. The row id, or -1. The
 * scheduler is kicked after the group commit that makes it durable (a store commit hook). */
long long timer_schedule(sqlite3 *db, long long due_ms, const char *kind, const char *ref,
                         const char *payload);
/* Remove durable timers of kind for ref (inside the caller's write transaction). */
int timer_cancel(sqlite3 *db, const char *kind, const char *ref);
/* Tell the scheduler to look at the table again. */
void timer_kick(void);
/* timer_kick() if a durable timer was scheduled since the last call (the commit hook). */
void timer_kick_pending(void);

typedef void vtimer_fn(void *arg);
/* Run fn(arg) on the scheduler thread at due_ms (awslet clock). A positive id, or -1. */
long vtimer_add(long long due_ms, vtimer_fn *fn, void *arg);
/* Cancel; 1 if it was still pending (fn will not run), 0 if it ran or is running. */
int vtimer_cancel(long id);

/* Start and stop the scheduler thread. timer_stop() waits for a running handler. */
int timer_start(void);
void timer_stop(void);

#endif
