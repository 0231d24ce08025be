/* test_timer.c: the scheduler and the clock: durable timers fire once, in due order, in a
 * transaction with the deletion of their row, and only when the (test-advanced) clock says
 * so; volatile timers run in order and can be cancelled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/timer.h"
#include "store/store.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char fired[16][32];
static int n_fired;
static int fail_once;

static int
record_fn(sqlite3 *db, const char *ref, const char *payload)
{
    if (fail_once) {
        fail_once = 0;
        return -1;
    }
    /* Runs inside the scheduler's write transaction: a write here commits with it. */
    char sql[128];
    snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('fired-%s', '%s')", ref, payload);
    if (store_exec(db, sql) != 0)
        return -1;
    pthread_mutex_lock(&lock);
    if (n_fired < 16)
        snprintf(fired[n_fired++], sizeof(fired[0]), "%s:%s", ref, payload);
    pthread_mutex_unlock(&lock);
    return 0;
}

static int
fired_count(void)
{
    pthread_mutex_lock(&lock);
    int n = n_fired;
    pthread_mutex_unlock(&lock);
    return n;
}

/* Poll (never a fixed sleep) for up to two seconds. */
static int
wait_fired(int n)
{
    for (int i = 0; i < 400; i++) {
        if (fired_count() >= n)
            return 1;
        usleep(5000);
    }
    return 0;
}

static long long
count_sql(const char *sql)
{
    sqlite3 *db = store_conn();
    sqlite3_stmt *st;
    long long n = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int
setup(void **state)
{
    static int registered;
    n_fired = 0;
    fail_once = 0;
    clock_set_offset_ms(0);
    assert_int_equal(store_open(NULL, true), 0);
    if (!registered) {
        assert_int_equal(timer_register("test.record", record_fn), 0);
        registered = 1;
    }
    assert_int_equal(timer_start(), 0);
    return 0;
}

static int
teardown(void **state)
{
    timer_stop();
    store_close();
    return 0;
}

static void
schedule(long long due, const char *ref, const char *payload)
{
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_true(timer_schedule(db, due, "test.record", ref, payload) > 0);
    assert_int_equal(store_write_commit(db), 0);
    timer_kick_pending();
}

static void
test_timer__durable_waits_for_the_clock(void **state)
{
    long long now = clock_now_ms();
    schedule(now + 3600 * 1000, "q1", "hour");
    usleep(50000);
    assert_int_equal(fired_count(), 0);
    /* An hour passes in an instant on the test clock. */
    clock_advance_ms(3600 * 1000);
    assert_true(wait_fired(1));
    assert_string_equal(fired[0], "q1:hour");
    /* The row is gone and the handler's own write committed with it. */
    assert_int_equal(count_sql("SELECT count(*) FROM timers"), 0);
    assert_int_equal(count_sql("SELECT count(*) FROM meta WHERE key = 'fired-q1'"), 1);
}

static void
test_timer__durable_fire_in_due_order(void **state)
{
    long long now = clock_now_ms();
    schedule(now + 300, "c", "3");
    schedule(now + 100, "a", "1");
    schedule(now + 200, "b", "2");
    clock_advance_ms(1000);
    assert_true(wait_fired(3));
    assert_string_equal(fired[0], "a:1");
    assert_string_equal(fired[1], "b:2");
    assert_string_equal(fired[2], "c:3");
}

static void
test_timer__failed_handler_is_retried(void **state)
{
    fail_once = 1;
    schedule(clock_now_ms() - 1, "r", "again");
    /* The first attempt rolls back and postpones by a second of awslet time. */
    usleep(100000);
    assert_int_equal(fired_count(), 0);
    assert_int_equal(count_sql("SELECT count(*) FROM timers"), 1);
    clock_advance_ms(2000);
    assert_true(wait_fired(1));
    assert_string_equal(fired[0], "r:again");
    assert_int_equal(count_sql("SELECT count(*) FROM timers"), 0);
}

static void
test_timer__cancel_removes_durable(void **state)
{
    schedule(clock_now_ms() + 1000, "gone", "x");
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(timer_cancel(db, "test.record", "gone"), 0);
    assert_int_equal(store_write_commit(db), 0);
    clock_advance_ms(5000);
    usleep(100000);
    assert_int_equal(fired_count(), 0);
}

static char vorder[8];
static int vn;

static void
vrecord(void *arg)
{
    pthread_mutex_lock(&lock);
    vorder[vn++] = *(const char *)arg;
    pthread_mutex_unlock(&lock);
}

static void
test_timer__volatile_run_in_order_and_cancel(void **state)
{
    static const char a = 'a', b = 'b', c = 'c';
    long long now = clock_now_ms();
    vn = 0;
    assert_true(vtimer_add(now + 60000, vrecord, (void *)&c) > 0);
    long id_b = vtimer_add(now + 50000, vrecord, (void *)&b);
    assert_true(vtimer_add(now + 40000, vrecord, (void *)&a) > 0);
    assert_true(id_b > 0);
    assert_int_equal(vtimer_cancel(id_b), 1);
    clock_advance_ms(61000);
    for (int i = 0; i < 400 && vn < 2; i++)
        usleep(5000);
    usleep(20000);
    assert_int_equal(vn, 2);
    assert_int_equal(vorder[0], 'a');
    assert_int_equal(vorder[1], 'c');
    /* Cancelling one that already ran reports so. */
    assert_int_equal(vtimer_cancel(id_b), 0);
}

static void
test_timer__volatile_real_time(void **state)
{
    static const char x = 'x';
    vn = 0;
    long long t0 = clock_now_ms();
    assert_true(vtimer_add(t0 + 30, vrecord, (void *)&x) > 0);
    for (int i = 0; i < 400 && vn < 1; i++)
        usleep(2000);
    assert_int_equal(vn, 1);
    assert_true(clock_now_ms() - t0 >= 30);
}

static void
test_clock__advance_moves_now(void **state)
{
    long long before = clock_now_ms();
    clock_advance_ms(5 * 60 * 1000);
    assert_true(clock_now_ms() - before >= 5 * 60 * 1000);
    assert_true(clock_offset_ms() >= 5 * 60 * 1000);
    clock_advance_ms(-5); /* ignored: the clock never goes back */
    assert_true(clock_offset_ms() >= 5 * 60 * 1000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timer__durable_waits_for_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer__durable_fire_in_due_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer__failed_handler_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer__cancel_removes_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer__volatile_run_in_order_and_cancel, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_timer__volatile_real_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock__advance_moves_now, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
