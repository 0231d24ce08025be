/* test_ddb_capacity.c: read and write units as the developer guide defines them (4 KB and
 * 1 KB, rounded up, at least one, eventually consistent reads half) and the shape of the
 * ConsumedCapacity object for TOTAL and INDEXES. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_int.h"

static void
test_ddb_capacity__units(void **state)
{
    assert_true(ddb_read_units(0, true) == 1.0);
    assert_true(ddb_read_units(1, true) == 1.0);
    assert_true(ddb_read_units(4096, true) == 1.0);
    assert_true(ddb_read_units(4097, true) == 2.0);
    assert_true(ddb_read_units(1, false) == 0.5);
    assert_true(ddb_read_units(4097, false) == 1.0);
    assert_true(ddb_read_units(3 * 4096 + 1, false) == 2.0);
    assert_true(ddb_write_units(0) == 1.0);
    assert_true(ddb_write_units(1024) == 1.0);
    assert_true(ddb_write_units(1025) == 2.0);
    assert_true(ddb_write_units(400 * 1024) == 400.0);
}

static void
assert_json(json_t *got, const char *want_text)
{
    json_t *want = json_loads(want_text, 0, NULL);
    char *text = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

    print_message("got %s\n", text);
    assert_non_null(want);
    assert_true(json_equal(got, want));
    free(text);
    json_decref(want);
}

static void
test_ddb_capacity__shapes(void **state)
{
    json_t *gsi = json_pack("{s:f}", "byDate", 1.0);
    json_t *lsi = json_pack("{s:f, s:f}", "byName", 2.0, "byAge", 1.0);
    json_t *c;

    assert_null(ddb_capacity(NULL, "t", 1.0, false, NULL));
    assert_null(ddb_capacity("NONE", "t", 1.0, false, NULL));

    c = ddb_capacity("TOTAL", "t", 0.5, true, NULL);
    assert_json(c, "{\"TableName\":\"t\",\"CapacityUnits\":0.5}");
    json_decref(c);

    /* TOTAL counts the indexes in, without the breakdown. */
    c = ddb_capacity("TOTAL", "t", 1.0, false, gsi);
    assert_json(c, "{\"TableName\":\"t\",\"CapacityUnits\":2.0}");
    json_decref(c);

    c = ddb_capacity("INDEXES", "t", 1.0, false, NULL);
    assert_json(c, "{\"TableName\":\"t\",\"CapacityUnits\":1.0,\"Table\":{\"CapacityUnits\":1.0}}");
    json_decref(c);

    c = ddb_capacity("INDEXES", "t", 1.0, false, gsi);
    assert_json(c, "{\"TableName\":\"t\",\"CapacityUnits\":2.0,\"Table\":{\"CapacityUnits\":1.0},"
                   "\"GlobalSecondaryIndexes\":{\"byDate\":{\"CapacityUnits\":1.0}}}");
    json_decref(c);

    c = ddb_capacity_split("INDEXES", "t", 1.0, false, gsi, lsi);
    assert_json(c, "{\"TableName\":\"t\",\"CapacityUnits\":5.0,\"Table\":{\"CapacityUnits\":1.0},"
                   "\"GlobalSecondaryIndexes\":{\"byDate\":{\"CapacityUnits\":1.0}},"
                   "\"LocalSecondaryIndexes\":{\"byName\":{\"CapacityUnits\":2.0},"
                   "\"byAge\":{\"CapacityUnits\":1.0}}}");
    json_decref(c);

    json_decref(gsi);
    json_decref(lsi);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_capacity__units),
        cmocka_unit_test(test_ddb_capacity__shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
