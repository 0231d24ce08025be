/* test_ddb_transact.c: unit tests for the pure rules of services/dynamodb/ddb_transact.c.
 *
 * The ClientRequestToken digest (member order does not matter, the token itself is left out,
 * any other change counts), the CancellationReasons and the message DynamoDB builds from them
 * ("Transaction cancelled, please refer cancellation reasons for specific reasons [...]"),
 * and item identities: two operations on one item are found whatever the spelling of the key
 * (numbers by value), and keys that only concatenate alike stay apart; capacity added up
 * per table with the transactions' read/write split. The handlers are exercised by the
 * integration tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "services/dynamodb/ddb_int.h"

/* AWSLET_TESTABLE in ddb_transact.c */
int ddb_transact_digest(const json_t *in, char out[65]);
json_t *ddb_transact_reason(const char *code, const char *message, const json_t *item);
char *ddb_transact_cancel_message(struct arena *a, const json_t *reasons);

static json_t *
parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    assert_non_null(j);
    return j;
}

static void
digest_of(const char *text, char out[65])
{
    json_t *j = parse(text);

    assert_int_equal(ddb_transact_digest(j, out), 0);
    json_decref(j);
}

static void
test_ddb_transact__digest_ignores_member_order_and_token(void **state)
{
    char a[65], b[65], c[65];

    (void)state;
    digest_of("{\"ClientRequestToken\":\"t1\",\"TransactItems\":[{\"Put\":{\"TableName\":\"t\","
              "\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}}}]}",
              a);
    digest_of("{\"TransactItems\":[{\"Put\":{\"Item\":{\"n\":{\"N\":\"1\"},\"pk\":{\"S\":\"a\"}},"
              "\"TableName\":\"t\"}}],\"ClientRequestToken\":\"t1\"}",
              b);
    /* the token is what is being checked, not part of what it guards */
    digest_of("{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"},"
              "\"n\":{\"N\":\"1\"}}}}],\"ClientRequestToken\":\"other\"}",
              c);
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
}

static void
test_ddb_transact__digest_sees_every_other_change(void **state)
{
    static const char *const variants[] = {
        /* a value, an action's order, an extra parameter, another table */
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"b\"}}}},"
        "{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"c\"}}}}]}",
        "{\"TransactItems\":[{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"c\"}}}},"
        "{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"}}}}]}",
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"}}}},"
        "{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"c\"}}}}],"
        "\"ReturnConsumedCapacity\":\"TOTAL\"}",
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"u\",\"Item\":{\"pk\":{\"S\":\"a\"}}}},"
        "{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"c\"}}}}]}",
    };
    char base[65], d[65];

    (void)state;
    digest_of("{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"}}}},"
              "{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"c\"}}}}]}",
              base);
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        digest_of(variants[i], d);
        assert_string_not_equal(base, d);
    }
}

static void
test_ddb_transact__reasons_and_message(void **state)
{
    struct arena a;
    json_t *reasons = json_array(), *item = parse("{\"pk\":{\"S\":\"a\"}}"), *r;
    char *text;

    (void)state;
    arena_init(&a);
    json_array_append_new(reasons, ddb_transact_reason("ConditionalCheckFailed",
                                                       "The conditional request failed", item));
    json_array_append_new(reasons, ddb_transact_reason("None", NULL, NULL));
    json_array_append_new(reasons, ddb_transact_reason("ConditionalCheckFailed",
                                                       "The conditional request failed", NULL));

    /* a passing action is {"Code":"None"} and nothing else */
    r = json_array_get(reasons, 1);
    assert_int_equal(json_object_size(r), 1);
    assert_string_equal(json_string_value(json_object_get(r, "Code")), "None");
    /* ALL_OLD puts the item in; without it there is no Item member */
    r = json_array_get(reasons, 0);
    assert_true(json_equal(json_object_get(r, "Item"), item));
    assert_string_equal(json_string_value(json_object_get(r, "Message")),
                        "The conditional request failed");
    assert_null(json_object_get(json_array_get(reasons, 2), "Item"));

    text = ddb_transact_cancel_message(&a, reasons);
    assert_string_equal(text, "Transaction cancelled, please refer cancellation reasons for "
                              "specific reasons [ConditionalCheckFailed, None, "
                              "ConditionalCheckFailed]");
    json_decref(reasons);
    json_decref(item);
    arena_release(&a);
}

static void
test_ddb_transact__item_refs_find_duplicates(void **state)
{
    struct ddb_table t = {0}, u = {0};
    struct ddb_item_ref refs[6];
    struct arena a;
    static const char *const keys[] = {
        "{\"pk\":{\"S\":\"ab\"},\"sk\":{\"S\":\"c\"}}",
        "{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"bc\"}}", /* same bytes run together: another item */
        "{\"pk\":{\"S\":\"ab\"},\"sk\":{\"S\":\"d\"}}",
    };

    (void)state;
    arena_init(&a);
    t.id = 1;
    t.key.hash = "pk", t.key.hash_type = "S", t.key.range = "sk", t.key.range_type = "S";
    u = t;
    u.id = 2;
    for (size_t i = 0; i < 3; i++) {
        json_t *k = parse(keys[i]);

        assert_int_equal(ddb_item_ref(&a, &t, k, &refs[i]), 0);
        /* the same key in another table is another item */
        assert_int_equal(ddb_item_ref(&a, &u, k, &refs[3 + i]), 0);
        json_decref(k);
    }
    assert_int_equal(ddb_item_refs_duplicate(refs, 6), -1);
    refs[4] = refs[0];
    assert_int_equal(ddb_item_refs_duplicate(refs, 6), 4);
    assert_int_equal(ddb_item_refs_duplicate(refs, 1), -1);
    arena_release(&a);
}

static void
test_ddb_transact__item_refs_compare_numbers_by_value(void **state)
{
    struct ddb_table t = {0};
    struct ddb_item_ref refs[3];
    struct arena a;
    json_t *k1 = parse("{\"id\":{\"N\":\"1\"},\"x\":{\"S\":\"not a key\"}}");
    json_t *k2 = parse("{\"id\":{\"N\":\"1.0\"}}");
    json_t *k3 = parse("{\"id\":{\"N\":\"10\"}}");
    char err[256];

    (void)state;
    arena_init(&a);
    t.id = 7;
    t.key.hash = "id", t.key.hash_type = "N";
    /* values reach the write path checked and normalized */
    assert_int_equal(ddb_item_check(k2, err, sizeof(err)), 0);
    assert_int_equal(ddb_item_ref(&a, &t, k1, &refs[0]), 0);
    assert_int_equal(ddb_item_ref(&a, &t, k2, &refs[1]), 0);
    assert_int_equal(ddb_item_ref(&a, &t, k3, &refs[2]), 0);
    assert_int_equal(ddb_item_refs_duplicate(refs, 3), 1);
    assert_int_equal(ddb_item_refs_duplicate((struct ddb_item_ref[]){refs[0], refs[2]}, 2), -1);
    json_decref(k1);
    json_decref(k2);
    json_decref(k3);
    arena_release(&a);
}

static void
test_ddb_transact__capacity_totals_per_table(void **state)
{
    struct ddb_index gsi = {.name = "g", .global = true}, lsi = {.name = "l", .global = false};
    json_t *acc = json_object(), *list, *c;

    (void)state;
    /* a transaction: a ConditionCheck read (2 units), two writes (2 + 4), one GSI write */
    assert_int_equal(ddb_capacity_acc(acc, "t", 2, 0, NULL, 0), 0);
    assert_int_equal(ddb_capacity_acc(acc, "t", 0, 2, NULL, 0), 0);
    assert_int_equal(ddb_capacity_acc(acc, "u", 0, 4, NULL, 0), 0);
    assert_int_equal(ddb_capacity_acc(acc, "t", 0, 0, &gsi, 2), 0);
    assert_int_equal(ddb_capacity_acc(acc, "u", 0, 0, &lsi, 1), 0);

    assert_null(ddb_capacity_list(acc, "NONE", true));
    assert_null(ddb_capacity_list(acc, NULL, true));

    /* tables in the order first charged; the total counts the indexes; transactions split
     * reads from writes (index writes are writes) */
    list = ddb_capacity_list(acc, "TOTAL", true);
    assert_int_equal(json_array_size(list), 2);
    c = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(c, "TableName")), "t");
    assert_true(json_number_value(json_object_get(c, "CapacityUnits")) == 6.0);
    assert_true(json_number_value(json_object_get(c, "ReadCapacityUnits")) == 2.0);
    assert_true(json_number_value(json_object_get(c, "WriteCapacityUnits")) == 4.0);
    assert_null(json_object_get(c, "GlobalSecondaryIndexes"));
    c = json_array_get(list, 1);
    assert_true(json_number_value(json_object_get(c, "CapacityUnits")) == 5.0);
    assert_null(json_object_get(c, "ReadCapacityUnits"));
    json_decref(list);

    /* batches report the total only; INDEXES breaks it down, GSIs and LSIs apart */
    list = ddb_capacity_list(acc, "INDEXES", false);
    c = json_array_get(list, 0);
    assert_null(json_object_get(c, "WriteCapacityUnits"));
    assert_true(json_number_value(json_object_get(json_object_get(c, "Table"),
                                                  "CapacityUnits")) == 4.0);
    assert_non_null(json_object_get(json_object_get(c, "GlobalSecondaryIndexes"), "g"));
    c = json_array_get(list, 1);
    assert_non_null(json_object_get(json_object_get(c, "LocalSecondaryIndexes"), "l"));
    assert_null(json_object_get(c, "GlobalSecondaryIndexes"));
    json_decref(list);
    json_decref(acc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_transact__digest_ignores_member_order_and_token),
        cmocka_unit_test(test_ddb_transact__digest_sees_every_other_change),
        cmocka_unit_test(test_ddb_transact__reasons_and_message),
        cmocka_unit_test(test_ddb_transact__item_refs_find_duplicates),
        cmocka_unit_test(test_ddb_transact__item_refs_compare_numbers_by_value),
        cmocka_unit_test(test_ddb_transact__capacity_totals_per_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
