/* timer.c: the scheduler thread behind timer.h.
 *
 * The loop: run due volatile timers (a min-heap in memory), then fire due durable timers
 * from the `timers` table one transaction each, then sleep on a condition variable until
 * the earlier of the next durable due time and the heap's top, or until kicked (a new timer,
 * a clock jump, stop). Waits are measured on CLOCK_MONOTONIC but deadlines are on the awslet
 * clock, so an advanced test clock takes effect at the next kick. */
#include "core/timer.h"

#include <limits.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#define TIMER_MAX_KINDS 64
#define TIMER_BATCH 64             /* durable timers fired per look at the table */
#define TIMER_RETRY_MS 1000        /* back-off after a handler asked to roll back */
#define TIMER_ORPHAN_MS 60000      /* back-off for a kind nobody registered */

struct vtimer {
    long long due_ms;
    long id;
    vtimer_fn *fn;
    void *arg;
};

static struct {
    const char *kind;
    timer_fn *fn;
} timer_kinds[TIMER_MAX_KINDS];
static int timer_n_kinds;

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;     /* wakes the scheduler (CLOCK_MONOTONIC) */
static pthread_cond_t timer_done;     /* a volatile callback finished */
static pthread_t timer_thread;
static bool timer_running, timer_kicked;
static struct vtimer *vheap;
static size_t vheap_n, vheap_cap;
static long vtimer_next_id = 1;
static long vtimer_running_id;

/* Set by timer_schedule(); the commit hook kicks the scheduler once the timer is durable. */
static _Atomic bool timer_pending;

int
timer_register(const char *kind, timer_fn *fn)
{
    if (timer_n_kinds == TIMER_MAX_KINDS)
        return -1;
    timer_kinds[timer_n_kinds].kind = kind;
    timer_kinds[timer_n_kinds].fn = fn;
    timer_n_kinds++;
    return 0;
}

static timer_fn *
timer_find_kind(const char *kind)
{
    for (int i = 0; i < timer_n_kinds; i++)
        if (strcmp(timer_kinds[i].kind, kind) == 0)
            return timer_kinds[i].fn;
    return NULL;
}

long long
timer_schedule(sqlite3 *db, long long due_ms, const char *kind, const char *ref,
               const char *payload)
{
    static const char sql[] =
        "INSERT INTO timers (due_ms, kind, ref, payload) VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = store_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, due_ms);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ref ? ref : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, payload ? payload : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        log_error("cannot schedule timer '%s': %s", kind, sqlite3_errmsg(db));
        return -1;
    }
    atomic_store(&timer_pending, true);
    return sqlite3_last_insert_rowid(db);
}

int
timer_cancel(sqlite3 *db, const char *kind, const char *ref)
{
    static const char sql[] = "DELETE FROM timers WHERE kind = ?1 AND ref = ?2";
    sqlite3_stmt *st = store_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

void
timer_kick(void)
{
    pthread_mutex_lock(&timer_lock);
    timer_kicked = true;
    pthread_cond_signal(&timer_cond);
    pthread_mutex_unlock(&timer_lock);
}

void
timer_kick_pending(void)
{
    if (atomic_exchange(&timer_pending, false))
        timer_kick();
}

/* Min-heap on (due_ms, id) so equal deadlines fire in the order they were added. */
static bool
vheap_less(const struct vtimer *a, const struct vtimer *b)
{
    return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->id < b->id);
}

static void
vheap_swap(size_t i, size_t j)
{
    struct vtimer t = vheap[i];
    vheap[i] = vheap[j];
    vheap[j] = t;
}

static void
vheap_up(size_t i)
{
    while (i > 0 && vheap_less(&vheap[i], &vheap[(i - 1) / 2])) {
        vheap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void
vheap_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < vheap_n && vheap_less(&vheap[l], &vheap[m]))
            m = l;
        if (r < vheap_n && vheap_less(&vheap[r], &vheap[m]))
            m = r;
        if (m == i)
            return;
        vheap_swap(i, m);
        i = m;
    }
}

static void
vheap_remove_at(size_t i)
{
    vheap[i] = vheap[--vheap_n];
    if (i < vheap_n) {
        vheap_up(i);
        vheap_down(i);
    }
}

long
vtimer_add(long long due_ms, vtimer_fn *fn, void *arg)
{
    long id;

    pthread_mutex_lock(&timer_lock);
    if (vheap_n == vheap_cap) {
        size_t cap = vheap_cap ? vheap_cap * 2 : 256;
        struct vtimer *h = realloc(vheap, cap * sizeof(*h));
        if (!h) {
            pthread_mutex_unlock(&timer_lock);
            return -1;
        }
        vheap = h;
        vheap_cap = cap;
    }
    id = vtimer_next_id++;
    vheap[vheap_n] = (struct vtimer){due_ms, id, fn, arg};
    vheap_up(vheap_n++);
    if (vheap[0].id == id) { /* a new earliest deadline: the sleeper must recompute */
        timer_kicked = true;
        pthread_cond_signal(&timer_cond);
    }
    pthread_mutex_unlock(&timer_lock);
    return id;
}

int
vtimer_cancel(long id)
{
    int found = 0;

    pthread_mutex_lock(&timer_lock);
    for (size_t i = 0; i < vheap_n; i++) {
        if (vheap[i].id == id) {
            vheap_remove_at(i);
            found = 1;
            break;
        }
    }
    /* Like del_timer_sync(): once this returns, the callback is not running, so the caller
     * may free what it points at. */
    while (!found && vtimer_running_id == id && !pthread_equal(pthread_self(), timer_thread))
        pthread_cond_wait(&timer_done, &timer_lock);
    pthread_mutex_unlock(&timer_lock);
    return found;
}

struct due_timer {
    long long id;
    char *kind, *ref, *payload;
};

/* Fire up to TIMER_BATCH due durable timers; returns the next due time or LLONG_MAX. db is
 * the scheduler's read connection; each firing runs on the writer connection. */
static long long
timer_fire_durable(sqlite3 *db, long long now)
{
    sqlite3 *w;
    static const char sel[] = "SELECT id, kind, ref, payload FROM timers WHERE due_ms <= ?1"
                              " ORDER BY due_ms, id LIMIT " "64";
    static const char del[] = "DELETE FROM timers WHERE id = ?1";
    static const char later[] = "UPDATE timers SET due_ms = ?2 WHERE id = ?1";
    static const char next[] = "SELECT min(due_ms) FROM timers";
    struct due_timer due[TIMER_BATCH];
    int n = 0;
    sqlite3_stmt *st;

    st = store_stmt(db, sel);
    if (!st)
        return now + TIMER_RETRY_MS;
    sqlite3_bind_int64(st, 1, now);
    while (n < TIMER_BATCH && sqlite3_step(st) == SQLITE_ROW) {
        due[n].id = sqlite3_column_int64(st, 0);
        due[n].kind = strdup((const char *)sqlite3_column_text(st, 1));
        due[n].ref = strdup((const char *)sqlite3_column_text(st, 2));
        due[n].payload = strdup((const char *)sqlite3_column_text(st, 3));
        n++;
    }
    sqlite3_reset(st);

    for (int i = 0; i < n; i++) {
        struct due_timer *t = &due[i];
        timer_fn *fn = t->kind ? timer_find_kind(t->kind) : NULL;
        long long retry_at = 0;

        if (!t->kind || !t->ref || !t->payload) {
            retry_at = now + TIMER_RETRY_MS; /* out of memory: try again shortly */
        } else if ((w = store_write_begin()) != NULL) {
            int rc = fn ? fn(w, t->ref, t->payload) : -1;
            /* Deleting by id also makes a timer that a concurrent writer already cancelled
             * fire at most once. */
            if (rc == 0 && (st = store_stmt(w, del)) != NULL) {
                sqlite3_bind_int64(st, 1, t->id);
                rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
            }
            if (rc == 0 && store_write_commit(w) == 0) {
                timer_kick_pending();
            } else {
                if (rc != 0)
                    store_write_rollback(w);
                if (!fn)
                    log_warn("timer kind '%s' has no handler; postponed", t->kind);
                retry_at = now + (fn ? TIMER_RETRY_MS : TIMER_ORPHAN_MS);
            }
        }
        if (retry_at && (w = store_write_begin()) != NULL) {
            if ((st = store_stmt(w, later)) != NULL) {
                sqlite3_bind_int64(st, 1, t->id);
                sqlite3_bind_int64(st, 2, retry_at);
                sqlite3_step(st);
            }
            store_write_commit(w);
        }
        free(t->kind);
        free(t->ref);
        free(t->payload);
    }
    if (n == TIMER_BATCH)
        return now; /* more may be due: look again at once */

    long long next_due = LLONG_MAX;
    st = store_stmt(db, next);
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        next_due = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return next_due;
}

static void *
timer_main(void *unused)
{
    sqlite3 *db = store_conn();

    pthread_mutex_lock(&timer_lock);
    while (timer_running) {
        long long now = clock_now_ms();

        while (vheap_n > 0 && vheap[0].due_ms <= now) {
            struct vtimer t = vheap[0];
            vheap_remove_at(0);
            vtimer_running_id = t.id;
            pthread_mutex_unlock(&timer_lock);
            t.fn(t.arg);
            pthread_mutex_lock(&timer_lock);
            vtimer_running_id = 0;
            pthread_cond_broadcast(&timer_done);
        }
        timer_kicked = false;
        pthread_mutex_unlock(&timer_lock);
        long long next = db ? timer_fire_durable(db, now) : LLONG_MAX;
        pthread_mutex_lock(&timer_lock);
        if (!timer_running)
            break;
        if (vheap_n > 0 && vheap[0].due_ms < next)
            next = vheap[0].due_ms;
        if (timer_kicked)
            continue;
        now = clock_now_ms();
        if (next <= now)
            continue;
        if (next == LLONG_MAX) {
            pthread_cond_wait(&timer_cond, &timer_lock);
        } else {
            struct timespec ts;
            long long wait_ms = next - now;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += wait_ms / 1000;
            ts.tv_nsec += (wait_ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
        }
    }
    pthread_mutex_unlock(&timer_lock);
    store_conn_release();
    return NULL;
}

int
timer_start(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&timer_cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&timer_done, NULL);
    clock_set_listener(timer_kick);
    store_set_commit_hook(timer_kick_pending);
    timer_running = true;
    if (pthread_create(&timer_thread, NULL, timer_main, NULL) != 0) {
        timer_running = false;
        log_error("cannot start the scheduler thread");
        return -1;
    }
    return 0;
}

void
timer_stop(void)
{
    pthread_mutex_lock(&timer_lock);
    if (!timer_running) {
        pthread_mutex_unlock(&timer_lock);
        return;
    }
    timer_running = false;
    pthread_cond_signal(&timer_cond);
    pthread_mutex_unlock(&timer_lock);
    pthread_join(timer_thread, NULL);
    clock_set_listener(NULL);
    store_set_commit_hook(NULL);
    /* Volatile timers die with the process: their owners (suspended requests) were already
     * answered by the server's stop. */
    free(vheap);
    vheap = NULL;
    vheap_n = vheap_cap = 0;
}
