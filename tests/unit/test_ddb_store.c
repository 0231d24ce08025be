/* test_ddb_store.c: the DynamoDB item write path (services/dynamodb/ddb_store.c).
 *
 * Key encoding of items, projections onto indexes (KEYS_ONLY, INCLUDE, ALL, sparse), and
 * ddb_item_store() keeping the base row and every index's rows in step against a real
 * in-memory store: entries added, moved when the index key changes, removed when the item
 * leaves the index or is deleted, and nothing written for a write that changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/dynamodb/ddb_int.h"
#include "store/store.h"

static const char *g2_include[] = {"a"};

static struct ddb_index test_indexes[] = {
    {.name = "g1",
     .global = true,
     .key = {"gpk", "S", NULL, NULL},
     .proj = DDB_PROJ_KEYS_ONLY,
     .status = "ACTIVE"},
    {.name = "g2",
     .global = true,
     .key = {"gpk", "S", "gsk", "N"},
     .proj = DDB_PROJ_INCLUDE,
     .include = g2_include,
     .n_include = 1,
     .status = "ACTIVE"},
    {.name = "l1", .global = false, .key = {"pk", "S", "lsk", "S"}, .proj = DDB_PROJ_ALL},
};

static struct ddb_table test_table = {
    .id = 7,
    .name = "t",
    .status = "ACTIVE",
    .key = {"pk", "S", "sk", "N"},
    .indexes = test_indexes,
    .n_indexes = 3,
};

static json_t *
item(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

static int
setup(void **state)
{
    (void)state;
    assert_int_equal(store_open(NULL, true), 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    store_close();
    return 0;
}

static long long
count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long n = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The projected item stored for index iname (one row expected), as a new reference. */
static json_t *
index_row(sqlite3 *db, const char *iname)
{
    sqlite3_stmt *st;
    json_t *j = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT item FROM ddb_index_items WHERE iname = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, iname, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        j = json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), 0, NULL);
    sqlite3_finalize(st);
    return j;
}

static long long
index_rows(sqlite3 *db, const char *iname)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM ddb_index_items WHERE iname = '%s'", iname);
    return count(db, sql);
}

/* ---- keys ---------------------------------------------------------------------------------- */

static void
test_ddb_store__key_encoding(void **state)
{
    struct ddb_key_schema hash_only = {"id", "B", NULL, NULL};
    struct buf pk, sk, want;
    json_t *it = item("{\"pk\":{\"S\":\"abc\"},\"sk\":{\"N\":\"10\"},\"x\":{\"S\":\"y\"}}");
    json_t *n10 = item("{\"N\":\"10\"}"), *n9 = item("{\"N\":\"9\"}");
    (void)state;

    buf_init(&pk, 4096);
    buf_init(&sk, 4096);
    buf_init(&want, 4096);
    assert_int_equal(ddb_key_encode(&test_table.key, it, &pk, &sk), 0);
    assert_int_equal(pk.len, 3);
    assert_memory_equal(pk.data, "abc", 3);
    assert_int_equal(ddb_key_bytes(n10, &want), 0);
    assert_int_equal(sk.len, want.len);
    assert_memory_equal(sk.data, want.data, want.len);
    /* The encoding keeps numeric order: 9 sorts before 10. */
    want.len = 0;
    assert_int_equal(ddb_key_bytes(n9, &want), 0);
    assert_true(memcmp(want.data, sk.data, want.len < sk.len ? want.len : sk.len) < 0);

    /* A missing or mistyped key attribute has no encoding. */
    json_object_del(it, "sk");
    assert_int_equal(ddb_key_encode(&test_table.key, it, &pk, &sk), -1);
    json_object_set_new(it, "sk", json_pack("{s:s}", "S", "10"));
    assert_int_equal(ddb_key_encode(&test_table.key, it, &pk, &sk), -1);

    /* Without a range key the sort key stays empty; B keys are their decoded bytes. */
    pk.len = sk.len = 0;
    json_decref(it);
    it = item("{\"id\":{\"B\":\"AAEC\"}}");
    assert_int_equal(ddb_key_encode(&hash_only, it, &pk, &sk), 0);
    assert_int_equal(pk.len, 3);
    assert_memory_equal(pk.data, "\x00\x01\x02", 3);
    assert_int_equal(sk.len, 0);

    buf_release(&pk);
    buf_release(&sk);
    buf_release(&want);
    json_decref(it);
    json_decref(n10);
    json_decref(n9);
}

/* ---- projections --------------------------------------------------------------------------- */

static void
test_ddb_store__index_projection(void **state)
{
    json_t *it = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"gpk\":{\"S\":\"g\"},"
                      "\"gsk\":{\"N\":\"5\"},\"lsk\":{\"S\":\"l\"},\"a\":{\"S\":\"A\"},"
                      "\"b\":{\"S\":\"B\"}}");
    json_t *p, *want;
    (void)state;

    /* KEYS_ONLY: the table's keys and the index's. */
    p = ddb_index_project(&test_table, &test_indexes[0], it);
    want = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"gpk\":{\"S\":\"g\"}}");
    assert_true(json_equal(p, want));
    json_decref(p);
    json_decref(want);

    /* INCLUDE: plus the named attributes. */
    p = ddb_index_project(&test_table, &test_indexes[1], it);
    want = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"gpk\":{\"S\":\"g\"},"
                "\"gsk\":{\"N\":\"5\"},\"a\":{\"S\":\"A\"}}");
    assert_true(json_equal(p, want));
    json_decref(p);
    json_decref(want);

    /* ALL: everything. */
    p = ddb_index_project(&test_table, &test_indexes[2], it);
    assert_true(json_equal(p, it));
    json_decref(p);

    /* Sparse: an item without the index's sort key, or with a mistyped one, is not in it. */
    json_object_del(it, "gsk");
    assert_null(ddb_index_project(&test_table, &test_indexes[1], it));
    p = ddb_index_project(&test_table, &test_indexes[0], it);
    assert_non_null(p);
    json_decref(p);
    json_object_set_new(it, "gpk", json_pack("{s:s}", "N", "3"));
    assert_null(ddb_index_project(&test_table, &test_indexes[0], it));
    json_decref(it);
}

/* ---- the write path ------------------------------------------------------------------------ */

static void
test_ddb_store__base_and_index_rows(void **state)
{
    sqlite3 *db = store_write_begin();
    json_t *v1, *v2, *v3, *key, *got, *row;
    int err, changes;
    (void)state;

    assert_non_null(db);
    v1 = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"gpk\":{\"S\":\"g\"},"
              "\"gsk\":{\"N\":\"5\"},\"a\":{\"S\":\"A\"},\"b\":{\"S\":\"B\"}}");
    key = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"}}");

    /* Insert: the base row, and entries in g1 and g2; not in l1 (no lsk). */
    assert_int_equal(ddb_item_store(db, &test_table, NULL, v1, NULL), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM ddb_items"), 1);
    assert_int_equal(index_rows(db, "g1"), 1);
    assert_int_equal(index_rows(db, "g2"), 1);
    assert_int_equal(index_rows(db, "l1"), 0);
    got = ddb_item_load(db, &test_table, key, &err);
    assert_int_equal(err, 0);
    assert_true(json_equal(got, v1));
    json_decref(got);

    /* The same item again writes nothing. */
    changes = sqlite3_total_changes(db);
    assert_int_equal(ddb_item_store(db, &test_table, v1, v1, NULL), 0);
    assert_int_equal(sqlite3_total_changes(db), changes);

    /* Change an attribute g1 does not project: g1 keeps its row untouched, g2 too (b is not
     * included); the base row changes. */
    v2 = json_deep_copy(v1);
    json_object_set_new(v2, "b", json_pack("{s:s}", "S", "B2"));
    changes = sqlite3_total_changes(db);
    assert_int_equal(ddb_item_store(db, &test_table, v1, v2, NULL), 0);
    assert_int_equal(sqlite3_total_changes(db), changes + 1);

    /* Move the GSI key and enter the LSI: g1/g2 rows move (still one each), l1 gains one. */
    v3 = json_deep_copy(v2);
    json_object_set_new(v3, "gpk", json_pack("{s:s}", "S", "h"));
    json_object_set_new(v3, "lsk", json_pack("{s:s}", "S", "x"));
    assert_int_equal(ddb_item_store(db, &test_table, v2, v3, NULL), 0);
    assert_int_equal(index_rows(db, "g1"), 1);
    assert_int_equal(index_rows(db, "g2"), 1);
    assert_int_equal(index_rows(db, "l1"), 1);
    row = index_row(db, "g1");
    assert_string_equal(json_string_value(json_object_get(json_object_get(row, "gpk"), "S")), "h");
    assert_null(json_object_get(row, "a"));
    json_decref(row);
    row = index_row(db, "l1");
    assert_true(json_equal(row, v3));
    json_decref(row);

    /* Leave g2 (drop gsk): its row goes, g1 stays. */
    json_decref(v1);
    v1 = json_deep_copy(v3);
    json_object_del(v1, "gsk");
    assert_int_equal(ddb_item_store(db, &test_table, v3, v1, NULL), 0);
    assert_int_equal(index_rows(db, "g1"), 1);
    assert_int_equal(index_rows(db, "g2"), 0);

    /* Delete: every row goes. */
    assert_int_equal(ddb_item_store(db, &test_table, v1, NULL, NULL), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM ddb_items"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM ddb_index_items"), 0);
    got = ddb_item_load(db, &test_table, key, &err);
    assert_null(got);
    assert_int_equal(err, 0);

    store_write_rollback(db);
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
    json_decref(key);
}

static void
test_ddb_store__ttl_expiry_column(void **state)
{
    sqlite3 *db = store_write_begin();
    struct ddb_table t = test_table;
    json_t *v = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"2\"},\"exp\":{\"N\":\"1700000000\"}}");
    json_t *w = item("{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"2\"},\"exp\":{\"S\":\"soon\"}}");
    (void)state;

    t.ttl_attr = "exp";
    assert_int_equal(ddb_item_store(db, &t, NULL, v, NULL), 0);
    assert_int_equal(ddb_item_store(db, &t, NULL, w, NULL), 0);
    assert_int_equal(count(db, "SELECT expires FROM ddb_items WHERE pk = X'70'"), 1700000000);
    /* A TTL attribute that is not a number does not expire the item. */
    assert_int_equal(count(db, "SELECT count(*) FROM ddb_items WHERE expires IS NULL"), 1);
    store_write_rollback(db);
    json_decref(v);
    json_decref(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_store__key_encoding),
        cmocka_unit_test(test_ddb_store__index_projection),
        cmocka_unit_test_setup_teardown(test_ddb_store__base_and_index_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_store__ttl_expiry_column, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
