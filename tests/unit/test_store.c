/* test_store.c: the SQLite store: migrations, per-thread connections, the statement cache,
 * the serialized write path, wipe, and both file and in-memory databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/store.h"

static char dir[256];

static int
setup_file(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/awslet-test-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, false), 0);
    return 0;
}

static int
setup_memory(void **state)
{
    dir[0] = '\0';
    assert_int_equal(store_open(NULL, true), 0);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[300];
    store_close();
    if (dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
    return 0;
}

static long long
count_rows(sqlite3 *db, const char *table)
{
    char sql[128];
    sqlite3_stmt *st;
    long long n = -1;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void
test_store__migrates_to_newest_version(void **state)
{
    sqlite3 *db = store_conn();
    sqlite3_stmt *st;
    assert_non_null(db);
    st = store_stmt(db, "PRAGMA user_version");
    assert_non_null(st);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), store_migrations[store_n_migrations - 1].version);
    sqlite3_reset(st);
    assert_int_equal(count_rows(db, "timers"), 0);
    assert_int_equal(count_rows(db, "meta"), 0);
}

static void
test_store__migrations_are_increasing(void **state)
{
    for (int i = 1; i < store_n_migrations; i++)
        assert_true(store_migrations[i].version > store_migrations[i - 1].version);
}

static void
test_store__file_db_uses_wal(void **state)
{
    sqlite3 *db = store_conn();
    sqlite3_stmt *st = store_stmt(db, "PRAGMA journal_mode");
    assert_non_null(st);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_reset(st);
    assert_non_null(strstr(store_path(), "awslet.db"));
}

static void
test_store__statement_cache_returns_same_statement(void **state)
{
    static const char sql[] = "SELECT ?1 + 1";
    sqlite3 *db = store_conn();
    sqlite3_stmt *a = store_stmt(db, sql);
    assert_non_null(a);
    sqlite3_bind_int(a, 1, 41);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 42);
    /* Same SQL address: same statement, reset and with bindings cleared. */
    sqlite3_stmt *b = store_stmt(db, sql);
    assert_ptr_equal(a, b);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
    sqlite3_reset(b);
}

static void
test_store__statement_cache_grows(void **state)
{
    /* More distinct statements than the initial table holds. */
    static char sqls[200][32];
    sqlite3 *db = store_conn();
    for (int i = 0; i < 200; i++) {
        snprintf(sqls[i], sizeof(sqls[i]), "SELECT %d", i);
        sqlite3_stmt *st = store_stmt(db, sqls[i]);
        assert_non_null(st);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), i);
        sqlite3_reset(st);
    }
    for (int i = 0; i < 200; i++) {
        sqlite3_stmt *st = store_stmt(db, sqls[i]);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), i);
        sqlite3_reset(st);
    }
}

static void
test_store__rollback_discards_commit_keeps(void **state)
{
    sqlite3 *r = store_conn();
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_ptr_not_equal(db, r);
    assert_true(store_in_write());
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('a', '1')"), 0);
    store_write_rollback(db);
    assert_false(store_in_write());
    assert_int_equal(count_rows(r, "meta"), 0);

    db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('b', '2')"), 0);
    /* Not visible to readers before the commit... */
    assert_int_equal(count_rows(r, "meta"), 0);
    assert_int_equal(store_write_commit(db), 0);
    /* ...and visible once store_write_commit() has returned. */
    assert_int_equal(count_rows(r, "meta"), 1);
}

static void
test_store__failed_commit_rolls_back(void **state)
{
    sqlite3 *r = store_conn();
    /* A deferred foreign-key violation makes COMMIT itself fail. */
    assert_int_equal(store_exec(r, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                   "CREATE TABLE c (pid INTEGER REFERENCES p(id)"
                                   " DEFERRABLE INITIALLY DEFERRED)"),
                     0);
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO c VALUES (7)"), 0);
    assert_int_equal(store_write_commit(db), -1);
    assert_false(store_in_write());
    assert_int_equal(count_rows(r, "c"), 0);
    /* The write lock was released and a new group starts cleanly. */
    db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO p VALUES (1)"), 0);
    assert_int_equal(store_write_commit(db), 0);
    assert_int_equal(count_rows(r, "p"), 1);
}

struct writer_arg {
    int id;
    int n;
};

static void *
writer_thread(void *p)
{
    struct writer_arg *a = p;
    char sql[128];
    for (int i = 0; i < a->n; i++) {
        sqlite3 *db = store_write_begin();
        if (!db)
            return (void *)1;
        snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('t%d-%d', 'x')", a->id, i);
        if (store_exec(db, sql) != 0) {
            store_write_rollback(db);
            return (void *)1;
        }
        if (store_write_commit(db) != 0)
            return (void *)1;
    }
    store_conn_release();
    return NULL;
}

static void
test_store__concurrent_writers_serialize(void **state)
{
    pthread_t t[4];
    struct writer_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct writer_arg){i, 50};
        assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        assert_null(ret);
    }
    assert_int_equal(count_rows(store_conn(), "meta"), 200);
}

static void *
late_writer(void *p)
{
    sqlite3 *db = store_write_begin();
    if (!db || store_exec(db, "INSERT INTO meta VALUES ('late', 'x')") != 0)
        return (void *)1;
    return store_write_commit(db) == 0 ? NULL : (void *)1;
}

static void
test_store__queued_writers_share_one_commit(void **state)
{
    sqlite3 *r = store_conn();
    pthread_t t;
    void *ret;
    unsigned long shared = store_group_commits();

    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('early', 'x')"), 0);
    assert_int_equal(pthread_create(&t, NULL, late_writer, NULL), 0);
    for (int i = 0; i < 2000 && store_write_waiting() == 0; i++)
        usleep(1000);
    assert_int_equal(store_write_waiting(), 1);
    /* A writer is queued: this commit hands the open transaction on and returns only once
     * the late writer has committed both. */
    assert_int_equal(store_write_commit(db), 0);
    assert_int_equal(count_rows(r, "meta"), 2);
    pthread_join(t, &ret);
    assert_null(ret);
    assert_int_equal(store_group_commits() - shared, 2);
}

static void *
timed_reader(void *p)
{
    long long *ms = p, t0 = clock_mono_us();
    long long n = count_rows(store_conn(), "meta");
    *ms = (clock_mono_us() - t0) / 1000;
    store_conn_release();
    return n >= 0 ? NULL : (void *)1;
}

/* A write that rolls back alone must not leave the group transaction open: in the memdb VFS
 * that held its locks and stalled every reader for the busy timeout. */
static void
test_store__lone_rollback_leaves_readers_free(void **state)
{
    pthread_t t;
    void *ret;
    long long ms = -1;

    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('gone', 'x')"), 0);
    store_write_rollback(db);
    assert_int_equal(pthread_create(&t, NULL, timed_reader, &ms), 0);
    pthread_join(t, &ret);
    assert_null(ret);
    assert_true(ms < 1000);
    assert_int_equal(count_rows(store_conn(), "meta") >= 0, 1);
}

static void
test_store__rollback_inside_group_keeps_others(void **state)
{
    sqlite3 *r = store_conn();
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('keep', 'x')"), 0);
    assert_int_equal(store_write_commit(db), 0);
    db = store_write_begin();
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('drop', 'x')"), 0);
    store_write_rollback(db);
    assert_int_equal(count_rows(r, "meta"), 1);
}

struct async_result {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls, rc, rows_seen;
};

static void
async_done(void *arg, int rc)
{
    struct async_result *r = arg;
    pthread_mutex_lock(&r->lock);
    r->calls++;
    r->rc = rc;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void
async_wait(struct async_result *r, int calls)
{
    pthread_mutex_lock(&r->lock);
    while (r->calls < calls)
        pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

static void
test_store__async_commit_calls_back_once_durable(void **state)
{
    struct async_result r = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 99, 0};
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('async', 'x')"), 0);
    /* Returns at once; the committer commits and calls back. */
    assert_int_equal(store_write_commit_async(db, async_done, &r), 0);
    assert_false(store_in_write());
    async_wait(&r, 1);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(count_rows(store_conn(), "meta"), 1);
}

static void
test_store__async_commit_reports_a_failed_group(void **state)
{
    struct async_result r = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 99, 0};
    sqlite3 *rd = store_conn();
    assert_int_equal(store_exec(rd, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                    "CREATE TABLE c (pid INTEGER REFERENCES p(id)"
                                    " DEFERRABLE INITIALLY DEFERRED)"),
                     0);
    sqlite3 *db = store_write_begin();
    assert_int_equal(store_exec(db, "INSERT INTO c VALUES (7)"), 0);
    assert_int_equal(store_write_commit_async(db, async_done, &r), 0);
    async_wait(&r, 1);
    assert_int_equal(r.rc, -1);
    assert_int_equal(count_rows(rd, "c"), 0);
}

static void
test_store__wipe_empties_every_table(void **state)
{
    sqlite3 *db = store_conn();
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('k', 'v');"
                                    "INSERT INTO timers (due_ms, kind) VALUES (1, 'x')"),
                     0);
    assert_int_equal(count_rows(db, "meta"), 1);
    assert_int_equal(store_wipe(), 0);
    assert_int_equal(count_rows(db, "meta"), 0);
    assert_int_equal(count_rows(db, "timers"), 0);
}

static void
test_store__reopen_keeps_committed_data(void **state)
{
    sqlite3 *db = store_write_begin();
    assert_non_null(db);
    assert_int_equal(store_exec(db, "INSERT INTO meta VALUES ('durable', 'yes')"), 0);
    assert_int_equal(store_write_commit(db), 0);
    store_close();
    /* A clean close checkpoints and removes the WAL. */
    char wal[300];
    struct stat sb;
    snprintf(wal, sizeof(wal), "%s/awslet.db-wal", dir);
    assert_int_not_equal(stat(wal, &sb), 0);
    assert_int_equal(store_open(dir, false), 0);
    assert_int_equal(count_rows(store_conn(), "meta"), 1);
}

static void
test_store__memory_db_is_shared_between_threads(void **state)
{
    pthread_t t;
    struct writer_arg a = {9, 10};
    assert_int_equal(pthread_create(&t, NULL, writer_thread, &a), 0);
    pthread_join(t, NULL);
    assert_int_equal(count_rows(store_conn(), "meta"), 10);
    assert_string_equal(store_path(), ":memdb:");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store__migrates_to_newest_version, setup_file,
                                        teardown),
        cmocka_unit_test(test_store__migrations_are_increasing),
        cmocka_unit_test_setup_teardown(test_store__file_db_uses_wal, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__statement_cache_returns_same_statement,
                                        setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__statement_cache_grows, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__rollback_discards_commit_keeps, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__failed_commit_rolls_back, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__concurrent_writers_serialize, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__queued_writers_share_one_commit,
                                        setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__rollback_inside_group_keeps_others,
                                        setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__async_commit_calls_back_once_durable,
                                        setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__async_commit_reports_a_failed_group,
                                        setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_store__wipe_empties_every_table, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__reopen_keeps_committed_data, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__migrates_to_newest_version, setup_memory,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__memory_db_is_shared_between_threads,
                                        setup_memory, teardown),
        cmocka_unit_test_setup_teardown(test_store__lone_rollback_leaves_readers_free, setup_memory,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__lone_rollback_leaves_readers_free, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__concurrent_writers_serialize, setup_memory,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
