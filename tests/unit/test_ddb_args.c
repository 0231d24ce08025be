/* test_ddb_args.c: DynamoDB's "N validation errors detected" texts from the argument
 * collector (table names, enums, integers, the ten-error cap), SerializationException for a
 * parameter of the wrong JSON kind, and ddb_validation() keeping long texts whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_int.h"

static struct awslet_req req;

static int
setup(void **state)
{
    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    return 0;
}

static int
teardown(void **state)
{
    arena_release(&req.arena);
    return 0;
}

static json_t *
J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);

    if (!v)
        fail_msg("bad test JSON '%s': %s", text, e.text);
    return v;
}

#define TN_PATTERN "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
#define TN_MIN     "Member must have length greater than or equal to 3"

struct name_case {
    const char *in;  /* the request body */
    const char *msg; /* NULL: valid */
};

static const struct name_case name_cases[] = {
    {"{\"TableName\":\"abc\"}", NULL},
    {"{\"TableName\":\"My_Table.v-1\"}", NULL},
    {"{\"TableName\":\"arn:aws:dynamodb:us-east-1:000000000000:table/My_Table\"}", NULL},
    {"{}", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
           "Member must not be null"},
    {"{\"TableName\":null}", "1 validation error detected: Value null at 'tableName' failed to "
                             "satisfy constraint: Member must not be null"},
    {"{\"TableName\":\"ab\"}", "1 validation error detected: Value 'ab' at 'tableName' failed to "
                               "satisfy constraint: " TN_MIN},
    {"{\"TableName\":\"\"}",
     "2 validation errors detected: Value '' at 'tableName' failed to satisfy "
     "constraint: " TN_PATTERN "; Value '' at 'tableName' failed to satisfy constraint: " TN_MIN},
    {"{\"TableName\":\"a;\"}",
     "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy "
     "constraint: " TN_PATTERN "; Value 'a;' at 'tableName' failed to satisfy constraint: " TN_MIN},
    {"{\"TableName\":\"abc;\"}", "1 validation error detected: Value 'abc;' at 'tableName' failed "
                                 "to satisfy constraint: " TN_PATTERN},
};

static void
test_ddb_args__table_names(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++) {
        const struct name_case *c = &name_cases[i];
        json_t *in = J(c->in);
        struct ddb_args a;
        const char *name;

        print_message("case %zu: %s\n", i, c->in);
        setup(NULL);
        ddb_args_init(&a, &req);
        name = ddb_args_table_name(&a, in, "TableName", "tableName", true);
        if (!c->msg) {
            assert_non_null(name);
            assert_string_equal(name, json_string_value(json_object_get(in, "TableName")));
            assert_int_equal(ddb_args_done(&a), 0);
            assert_null(req.err);
        } else {
            assert_null(name);
            assert_int_equal(ddb_args_done(&a), -1);
            assert_ptr_equal(req.err, &ERR_VALIDATION);
            assert_int_equal(req.status, 400);
            assert_string_equal(req.err_msg, c->msg);
        }
        teardown(NULL);
        json_decref(in);
    }
}

static void
test_ddb_args__long_table_name_kept_whole(void **state)
{
    char name[257], body[300], want[600];
    json_t *in;
    struct ddb_args a;

    memset(name, 'a', 256);
    name[256] = '\0';
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", name);
    in = J(body);
    ddb_args_init(&a, &req);
    assert_null(ddb_args_table_name(&a, in, "TableName", "tableName", true));
    /* Optional and absent: nothing to say. */
    assert_null(ddb_args_table_name(&a, in, "IndexName", "indexName", false));
    assert_int_equal(ddb_args_done(&a), -1);
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%s' at 'tableName' failed to satisfy "
             "constraint: Member must have length less than or equal to 255",
             name);
    assert_string_equal(req.err_msg, want);
    json_decref(in);
}

static const char *const rcc[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const rv[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const char *const ricm[] = {"SIZE", "NONE", NULL};

/* PutItem's checks in DynamoDB's order, as the dynalite suite recorded them. */
static void
test_ddb_args__several_errors_in_one_message(void **state)
{
    json_t *in = J("{\"TableName\":\"abc;\",\"ReturnConsumedCapacity\":\"hi\","
                   "\"ReturnItemCollectionMetrics\":\"hi\",\"ReturnValues\":\"hi\"}");
    struct ddb_args a;

    ddb_args_init(&a, &req);
    assert_null(ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", rcc));
    ddb_args_table_name(&a, in, "TableName", "tableName", true);
    if (!json_object_get(in, "Item"))
        ddb_args_add(&a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     "item");
    assert_null(ddb_args_enum(&a, in, "ReturnValues", "returnValues", rv));
    assert_null(
        ddb_args_enum(&a, in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", ricm));
    assert_int_equal(ddb_args_done(&a), -1);
    assert_string_equal(
        req.err_msg,
        "5 validation errors detected: "
        "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value 'abc;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value null at 'item' failed to satisfy constraint: Member must not be null; "
        "Value 'hi' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
        "Member must satisfy enum value set: [SIZE, NONE]");
    json_decref(in);
}

static void
test_ddb_args__enum_accepts_choices(void **state)
{
    json_t *in = J("{\"ReturnConsumedCapacity\":\"TOTAL\"}");
    struct ddb_args a;

    ddb_args_init(&a, &req);
    assert_string_equal(
        ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", rcc), "TOTAL");
    assert_null(ddb_args_enum(&a, in, "ReturnValues", "returnValues", rv));
    assert_int_equal(ddb_args_done(&a), 0);
    assert_null(req.err);
    json_decref(in);
}

static void
test_ddb_args__integers(void **state)
{
    json_t *in = J("{\"Limit\":5,\"Zero\":0,\"Big\":101,\"Frac\":1.7}");
    struct ddb_args a;
    long long v = -7;

    ddb_args_init(&a, &req);
    assert_int_equal(ddb_args_int(&a, in, "Absent", "absent", 1, 100, &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(ddb_args_int(&a, in, "Limit", "limit", 1, 100, &v), 1);
    assert_int_equal(v, 5);
    assert_int_equal(ddb_args_int(&a, in, "Frac", "frac", 1, 100, &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(ddb_args_int(&a, in, "Zero", "limit", 1, 100, &v), -1);
    assert_int_equal(ddb_args_int(&a, in, "Big", "totalSegments", 1, 100, &v), -1);
    assert_int_equal(ddb_args_done(&a), -1);
    assert_string_equal(req.err_msg,
                        "2 validation errors detected: Value '0' at 'limit' failed to satisfy "
                        "constraint: Member must have value greater than or equal to 1; "
                        "Value '101' at 'totalSegments' failed to satisfy constraint: "
                        "Member must have value less than or equal to 100");
    json_decref(in);
}

static void
test_ddb_args__wrong_kind_is_a_serialization_error(void **state)
{
    json_t *in = J("{\"TableName\":5,\"Limit\":\"x\"}");
    struct ddb_args a;
    long long v;

    ddb_args_init(&a, &req);
    assert_null(ddb_args_table_name(&a, in, "TableName", "tableName", true));
    assert_int_equal(ddb_args_int(&a, in, "Limit", "limit", 1, 100, &v), -1);
    assert_int_equal(ddb_args_done(&a), -1);
    assert_ptr_equal(req.err, &ERR_SERIALIZATION);
    assert_string_equal(req.err_msg, "class com.amazon.coral.value.json.numbers."
                                     "TruncatingBigNumber can not be converted to an String");
    json_decref(in);

    teardown(NULL);
    setup(NULL);
    in = J("{\"Limit\":\"x\"}");
    ddb_args_init(&a, &req);
    assert_int_equal(ddb_args_int(&a, in, "Limit", "limit", 1, 100, &v), -1);
    assert_int_equal(ddb_args_done(&a), -1);
    assert_string_equal(req.err_msg, "class java.lang.String can not be converted to an Integer");
    json_decref(in);
}

static void
test_ddb_args__at_most_ten_errors(void **state)
{
    struct ddb_args a;
    char want[1024];
    size_t o;

    ddb_args_init(&a, &req);
    for (int i = 0; i < 12; i++)
        ddb_args_add(&a, "e%d", i);
    assert_int_equal(ddb_args_done(&a), -1);
    o = (size_t)snprintf(want, sizeof(want), "10 validation errors detected: ");
    for (int i = 0; i < 10; i++)
        o += (size_t)snprintf(want + o, sizeof(want) - o, "%se%d", i ? "; " : "", i);
    assert_string_equal(req.err_msg, want);
}

static void
test_ddb_args__validation_keeps_long_text(void **state)
{
    char big[3000];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ddb_validation(&req, "Invalid: %s", big), AWSLET_ERR);
    assert_ptr_equal(req.err, &ERR_VALIDATION);
    assert_int_equal(strlen(req.err_msg), strlen("Invalid: ") + sizeof(big) - 1);
    assert_int_equal(strncmp(req.err_msg, "Invalid: xxx", 12), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_args__table_names),
        cmocka_unit_test_setup_teardown(test_ddb_args__long_table_name_kept_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__several_errors_in_one_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__enum_accepts_choices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__integers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__wrong_kind_is_a_serialization_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__at_most_ten_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_args__validation_keeps_long_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
