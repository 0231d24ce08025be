/* test_ddb_value.c: attribute values: DynamoDB's validation messages and their order,
 * normalization in place (numbers inside sets, maps and lists; ignored members), equality,
 * order, item sizes per the developer guide's rules, and key bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_value.h"

static json_t *
J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

    if (!v)
        fail_msg("bad test JSON '%s': %s", text, e.text);
    return v;
}

static void
assert_json(const json_t *v, const char *text)
{
    json_t *want = J(text);
    char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    print_message("got %s want %s\n", got, text);
    assert_true(json_equal((json_t *)v, want));
    free(got);
    json_decref(want);
}

struct ok_case {
    const char *in, *out;
};

static const struct ok_case ok_cases[] = {
    {"{\"S\":\"a\"}", "{\"S\":\"a\"}"},
    {"{\"S\":\"\"}", "{\"S\":\"\"}"}, /* empty strings are allowed outside keys */
    {"{\"N\":\"1.50\"}", "{\"N\":\"1.5\"}"},
    {"{\"N\":\"+5\"}", "{\"N\":\"5\"}"},
    {"{\"N\":\"-0\"}", "{\"N\":\"0\"}"},
    {"{\"B\":\"Yg==\"}", "{\"B\":\"Yg==\"}"},
    {"{\"B\":\"\"}", "{\"B\":\"\"}"},
    {"{\"NS\":[\"1.0\",\"2e1\"]}", "{\"NS\":[\"1\",\"20\"]}"},
    {"{\"SS\":[\"\",\"a\"]}", "{\"SS\":[\"\",\"a\"]}"},
    {"{\"BS\":[\"\",\"AA==\"]}", "{\"BS\":[\"\",\"AA==\"]}"},
    {"{\"M\":{\"a\":{\"N\":\"01\"},\"b\":{\"L\":[{\"N\":\"-0.50\"},{\"NS\":[\"1e2\"]}]}}}",
     "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"N\":\"-0.5\"},{\"NS\":[\"100\"]}]}}}"},
    {"{\"L\":[]}", "{\"L\":[]}"},
    {"{\"M\":{}}", "{\"M\":{}}"},
    {"{\"NULL\":true}", "{\"NULL\":true}"},
    {"{\"BOOL\":false}", "{\"BOOL\":false}"},
    {"{\"BOOL\":\"yes\"}", "{\"BOOL\":true}"},
    {"{\"BOOL\":\"False\"}", "{\"BOOL\":false}"},
    /* Members DynamoDB ignores: unknown names and nulls. */
    {"{\"S\":\"a\",\"X\":1}", "{\"S\":\"a\"}"},
    {"{\"N\":null,\"S\":\"a\"}", "{\"S\":\"a\"}"},
    {"{\"M\":{\"k\":{\"foo\":{},\"BOOL\":true}}}", "{\"M\":{\"k\":{\"BOOL\":true}}}"},
};

static void
test_ddb_value__valid_values_are_normalized(void **state)
{
    char err[512];

    for (size_t i = 0; i < ARRAY_SIZE(ok_cases); i++) {
        json_t *v = J(ok_cases[i].in);

        print_message("case %zu: %s\n", i, ok_cases[i].in);
        assert_int_equal(ddb_value_check(v, err, sizeof(err)), 0);
        assert_json(v, ok_cases[i].out);
        json_decref(v);
    }
}

struct bad_case {
    const char *in, *msg;
};

#define EMPTY                                                                                      \
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MULTI                                                                                      \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "    \
    "supported datatypes"
#define INV    "One or more parameter values were invalid: "
#define NOTNUM "The parameter cannot be converted to a numeric value"

static const struct bad_case bad_cases[] = {
    {"{}", EMPTY},
    {"{\"a\":\"\"}", EMPTY},
    {"{\"S\":null}", EMPTY},
    {"{\"M\":{\"a\":{}}}", EMPTY},
    {"{\"L\":[{}]}", EMPTY},
    {"{\"L\":[{\"a\":{}}]}", EMPTY},
    {"{\"S\":\"a\",\"N\":\"1\"}", MULTI},
    {"{\"S\":\"a\",\"BOOL\":true,\"NULL\":true}", MULTI},
    /* A member's own problem comes before the count of types. */
    {"{\"S\":\"\",\"N\":\"\"}", NOTNUM},
    {"{\"S\":\"a\",\"N\":\"b\"}", NOTNUM ": b"},
    {"{\"N\":\"\"}", NOTNUM},
    {"{\"N\":\"b\"}", NOTNUM ": b"},
    {"{\"N\":\" 1\"}", NOTNUM ":  1"},
    {"{\"NS\":[\"1\",\"\"]}", NOTNUM},
    {"{\"NS\":[\"1\",\"b\",\"a\"]}", NOTNUM ": b"},
    {"{\"N\":\"123456789012345678901234567890123456789\"}",
     "Attempting to store more than 38 significant digits in a Number"},
    {"{\"N\":\"-1.23456789012345678901234567890123456789\"}",
     "Attempting to store more than 38 significant digits in a Number"},
    {"{\"N\":\"1e126\"}",
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"{\"N\":\"-1e-131\"}", "Number underflow. Attempting to store a number with magnitude "
                            "smaller than supported range"},
    {"{\"NULL\":false}", INV "Null attribute value types must have the value of true"},
    {"{\"NULL\":\"no\"}", INV "Null attribute value types must have the value of true"},
    {"{\"SS\":[]}", INV "An string set  may not be empty"},
    {"{\"NS\":[]}", INV "An number set  may not be empty"},
    {"{\"BS\":[]}", INV "Binary sets should not be empty"},
    {"{\"SS\":[\"a\",\"a\"]}", INV "Input collection [a, a] contains duplicates."},
    {"{\"SS\":[\"b\",\"a\",\"c\",\"a\"]}",
     INV "Input collection [b, a, c, a] contains duplicates."},
    {"{\"NS\":[\"1\",\"1\"]}", "Input collection contains duplicates"},
    {"{\"NS\":[\"1\",\"2\",\"1.0\"]}", "Input collection contains duplicates"},
    {"{\"BS\":[\"Yg==\",\"Yg==\"]}",
     INV "Input collection [Yg==, Yg==]of type BS contains duplicates."},
    {"{\"M\":{\"x\":{\"SS\":[]}}}", INV "An string set  may not be empty"},
    {"{\"L\":[{\"S\":\"a\"},{\"NULL\":false}]}",
     INV "Null attribute value types must have the value of true"},
    /* What DynamoDB's deserializer refuses (a SerializationException there). */
    {"{\"B\":\"Yg=\"}", "'Yg=' can not be converted to a Blob: Base64 encoded length is expected "
                        "a multiple of 4 bytes but found: 3"},
    {"{\"B\":\"Y!==\"}", "'Y!==' can not be converted to a Blob: Invalid Base64 character: '!'"},
    {"{\"B\":\"Yh==\"}",
     "'Yh==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
    {"{\"S\":1}", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                  "converted to an String"},
    {"{\"S\":true}", "class java.lang.Boolean can not be converted to an String"},
    {"{\"S\":[]}", "Start of list found where not expected"},
    {"{\"N\":{}}", "Start of structure or map found where not expected."},
    {"{\"BOOL\":\"maybe\"}", "'MAYBE' can not be converted to an Boolean"},
    {"{\"SS\":\"a\"}", "Expected list or null"},
    {"{\"M\":[]}", "Start of list found where not expected"},
    {"{\"M\":\"a\"}", "Expected map or null"},
    {"{\"L\":[\"a\"]}", "Expected null"},
    {"[]", "Start of list found where not expected"},
    {"null", EMPTY},
    {"{\"M\":{\"a\":null}}", EMPTY},
};

static void
test_ddb_value__invalid_values_get_dynamodb_messages(void **state)
{
    char err[512];

    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        json_t *v = J(bad_cases[i].in);

        print_message("case %zu: %s\n", i, bad_cases[i].in);
        assert_int_equal(ddb_value_check(v, err, sizeof(err)), -1);
        assert_string_equal(err, bad_cases[i].msg);
        json_decref(v);
    }
}

/* A scalar inside `wraps` maps. */
static json_t *
nested(unsigned wraps)
{
    json_t *v = json_pack("{s:s}", "S", "x");

    for (unsigned i = 0; i < wraps; i++)
        v = json_pack("{s:{s:o}}", "M", "k", v);
    return v;
}

static void
test_ddb_value__nesting_limit(void **state)
{
    char err[512];
    json_t *ok = nested(31), *deep = nested(32);
    json_t *list = json_pack("{s:[o]}", "L", nested(30)); /* a list counts as a level too */
    json_t *list_deep = json_pack("{s:[o]}", "L", nested(31));

    assert_int_equal(ddb_value_check(ok, err, sizeof(err)), 0);
    assert_int_equal(ddb_value_check(list, err, sizeof(err)), 0);
    assert_int_equal(ddb_value_check(deep, err, sizeof(err)), -1);
    assert_string_equal(err, "Nesting Levels have exceeded supported limits: Attributes in the "
                             "item have nested levels beyond supported limit");
    assert_int_equal(ddb_value_check(list_deep, err, sizeof(err)), -1);
    json_decref(ok);
    json_decref(deep);
    json_decref(list);
    json_decref(list_deep);
}

static void
test_ddb_value__item_check(void **state)
{
    char err[512];
    json_t *item =
        J("{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"1e2\"},\"m\":{\"M\":{\"\":{\"N\":\"5.0\"}}}}");
    json_t *bad = J("{\"id\":{\"S\":\"a\"},\"v\":{\"NS\":[]}}");
    json_t *noname = J("{\"\":{\"S\":\"a\"}}");

    assert_int_equal(ddb_item_check(item, err, sizeof(err)), 0);
    assert_json(item,
                "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"100\"},\"m\":{\"M\":{\"\":{\"N\":\"5\"}}}}");
    assert_int_equal(ddb_item_check(bad, err, sizeof(err)), -1);
    assert_string_equal(err, INV "An number set  may not be empty");
    assert_int_equal(ddb_item_check(noname, err, sizeof(err)), -1);
    assert_string_equal(err, INV "An AttributeValue may not contain an empty attribute name");
    json_decref(item);
    json_decref(bad);
    json_decref(noname);
}

static void
test_ddb_value__types(void **state)
{
    json_t *v = J("{\"NS\":[\"1\"]}");

    assert_int_equal(ddb_type_of(v), DDB_NS);
    assert_string_equal(ddb_type_name(DDB_NS), "NS");
    assert_int_equal(ddb_type_from_name("BOOL"), DDB_BOOL);
    assert_int_equal(ddb_type_from_name("X"), DDB_BAD);
    assert_true(json_is_array(ddb_value_payload(v)));
    json_decref(v);
    v = J("{\"S\":\"a\",\"N\":\"1\"}");
    assert_int_equal(ddb_type_of(v), DDB_BAD);
    json_decref(v);
    for (unsigned t = DDB_S; t <= DDB_BOOL; t++)
        assert_int_equal(ddb_type_from_name(ddb_type_name((enum ddb_type)t)), t);
}

static bool
eq(const char *a, const char *b)
{
    json_t *x = J(a), *y = J(b);
    bool r = ddb_value_equal(x, y);

    assert_int_equal(ddb_value_equal(y, x), r);
    json_decref(x);
    json_decref(y);
    return r;
}

static void
test_ddb_value__equality(void **state)
{
    assert_true(eq("{\"S\":\"a\"}", "{\"S\":\"a\"}"));
    assert_false(eq("{\"S\":\"a\"}", "{\"S\":\"A\"}"));
    assert_false(eq("{\"S\":\"1\"}", "{\"N\":\"1\"}"));
    assert_true(eq("{\"N\":\"1\"}", "{\"N\":\"1.0\"}"));
    assert_false(eq("{\"N\":\"1\"}", "{\"N\":\"-1\"}"));
    assert_true(eq("{\"B\":\"AAE=\"}", "{\"B\":\"AAE=\"}"));
    assert_false(eq("{\"B\":\"AAE=\"}", "{\"B\":\"AAI=\"}"));
    assert_true(eq("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}"));
    assert_false(eq("{\"SS\":[\"a\"]}", "{\"SS\":[\"a\",\"b\"]}"));
    assert_false(eq("{\"SS\":[\"a\",\"c\"]}", "{\"SS\":[\"a\",\"b\"]}"));
    assert_true(eq("{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"2.0\",\"1\"]}"));
    assert_false(eq("{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"1\",\"3\"]}"));
    assert_true(eq("{\"BS\":[\"AA==\",\"AQ==\"]}", "{\"BS\":[\"AQ==\",\"AA==\"]}"));
    assert_true(eq("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"x\"}}}",
                   "{\"M\":{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"1\"}}}"));
    assert_false(
        eq("{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"x\"}}}"));
    assert_false(eq("{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"b\":{\"N\":\"1\"}}}"));
    assert_true(
        eq("{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}", "{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}"));
    assert_false(
        eq("{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}", "{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}"));
    assert_false(eq("{\"L\":[]}", "{\"M\":{}}"));
    assert_true(eq("{\"NULL\":true}", "{\"NULL\":true}"));
    assert_true(eq("{\"BOOL\":true}", "{\"BOOL\":true}"));
    assert_false(eq("{\"BOOL\":true}", "{\"BOOL\":false}"));
}

static void
test_ddb_value__item_equality(void **state)
{
    json_t *a = J("{\"id\":{\"S\":\"a\"},\"v\":{\"NS\":[\"1\",\"2\"]}}");
    json_t *b = J("{\"v\":{\"NS\":[\"2\",\"1\"]},\"id\":{\"S\":\"a\"}}");
    json_t *c = J("{\"id\":{\"S\":\"a\"}}");

    assert_true(ddb_item_equal(a, b));
    assert_false(ddb_item_equal(a, c));
    assert_false(ddb_item_equal(c, a));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

/* cmp of a and b: -1, 0, 1, or 2 when not comparable. */
static int
order(const char *a, const char *b)
{
    json_t *x = J(a), *y = J(b);
    int c = 99, rc = ddb_value_cmp(x, y, &c);

    json_decref(x);
    json_decref(y);
    if (rc)
        return 2;
    return c < 0 ? -1 : c > 0;
}

static void
test_ddb_value__order(void **state)
{
    assert_int_equal(order("{\"S\":\"a\"}", "{\"S\":\"b\"}"), -1);
    assert_int_equal(order("{\"S\":\"a\"}", "{\"S\":\"aa\"}"), -1);
    assert_int_equal(order("{\"S\":\"Z\"}", "{\"S\":\"a\"}"), -1);
    assert_int_equal(order("{\"S\":\"\u00e9\"}", "{\"S\":\"z\"}"), 1); /* UTF-8 bytes */
    assert_int_equal(order("{\"S\":\"x\"}", "{\"S\":\"x\"}"), 0);
    assert_int_equal(order("{\"N\":\"-1\"}", "{\"N\":\"0.5\"}"), -1);
    assert_int_equal(order("{\"N\":\"10\"}", "{\"N\":\"9\"}"), 1);
    assert_int_equal(order("{\"N\":\"1.0\"}", "{\"N\":\"1\"}"), 0);
    assert_int_equal(order("{\"B\":\"AA==\"}", "{\"B\":\"/w==\"}"), -1); /* 0x00 < 0xff */
    assert_int_equal(order("{\"B\":\"AA==\"}", "{\"B\":\"AAA=\"}"), -1);
    assert_int_equal(order("{\"S\":\"1\"}", "{\"N\":\"1\"}"), 2);
    assert_int_equal(order("{\"SS\":[\"a\"]}", "{\"SS\":[\"a\"]}"), 2);
    assert_int_equal(order("{\"BOOL\":true}", "{\"BOOL\":false}"), 2);
}

struct size_case {
    const char *item;
    size_t size;
};

static const struct size_case size_cases[] = {
    {"{\"a\":{\"S\":\"abc\"}}", 1 + 3},
    {"{\"\u00e9\":{\"S\":\"\u65e5\u672c\"}}", 2 + 6},
    {"{\"n\":{\"N\":\"27\"}}", 1 + 2},
    {"{\"n\":{\"N\":\"-27\"}}", 1 + 3},
    {"{\"n\":{\"N\":\"0\"}}", 1 + 1},
    {"{\"bin\":{\"B\":\"AAEC\"}}", 3 + 3},
    {"{\"t\":{\"BOOL\":true},\"u\":{\"NULL\":true}}", 2 + 2},
    {"{\"m\":{\"M\":{}}}", 1 + 3},
    {"{\"l\":{\"L\":[]}}", 1 + 3},
    {"{\"m\":{\"M\":{\"ab\":{\"S\":\"xyz\"}}}}", 1 + 3 + (2 + 3 + 1)},
    {"{\"l\":{\"L\":[{\"S\":\"a\"},{\"N\":\"1.5\"}]}}", 1 + 3 + (1 + 1) + (3 + 1)},
    {"{\"ss\":{\"SS\":[\"a\",\"bb\"]}}", 2 + 3},
    {"{\"ns\":{\"NS\":[\"1\",\"-27\"]}}", 2 + 2 + 3},
    {"{\"bs\":{\"BS\":[\"AA==\",\"AAE=\"]}}", 2 + 1 + 2},
    {"{\"id\":{\"S\":\"k\"},\"m\":{\"M\":{\"x\":{\"L\":[{\"M\":{}}]}}}}",
     (2 + 1) + 1 + 3 + (1 + (3 + (3 + 1)) + 1)},
};

static void
test_ddb_value__item_size(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(size_cases); i++) {
        json_t *item = J(size_cases[i].item);

        print_message("case %zu: %s\n", i, size_cases[i].item);
        assert_int_equal(ddb_item_size(item), size_cases[i].size);
        json_decref(item);
    }
}

static void
test_ddb_value__key_bytes(void **state)
{
    struct buf b;
    json_t *s = J("{\"S\":\"abc\"}"), *bin = J("{\"B\":\"AAEC\"}"), *n = J("{\"N\":\"1.5\"}");
    json_t *ss = J("{\"SS\":[\"a\"]}");
    unsigned char want[DDB_NUM_KEY_MAX];
    struct ddb_num num;

    buf_init(&b, 4096);
    assert_int_equal(ddb_key_bytes(s, &b), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "abc", 3);
    b.len = 0;
    assert_int_equal(ddb_key_bytes(bin, &b), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "\x00\x01\x02", 3);
    b.len = 0;
    assert_int_equal(ddb_key_bytes(n, &b), 0);
    assert_int_equal(ddb_num_parse("1.5", 3, &num), DDB_NUM_OK);
    assert_int_equal(b.len, ddb_num_key(&num, want));
    assert_memory_equal(b.data, want, b.len);
    assert_int_equal(ddb_key_bytes(ss, &b), -1);
    assert_int_equal(ddb_key_size(s), 3);
    assert_int_equal(ddb_key_size(bin), 3);
    buf_release(&b);
    json_decref(s);
    json_decref(bin);
    json_decref(n);
    json_decref(ss);
}

static void
test_ddb_value__numbers_and_bytes(void **state)
{
    struct ddb_num n;
    json_t *v = J("{\"N\":\"-12.50\"}"), *back;
    unsigned char *raw;
    json_t *b = J("{\"B\":\"aGk=\"}");

    assert_int_equal(ddb_value_num(v, &n), 0);
    back = ddb_value_from_num(&n);
    assert_json(back, "{\"N\":\"-12.5\"}");
    assert_int_equal(ddb_value_num(b, &n), -1);
    assert_int_equal(ddb_value_bytes(b, &raw), 2);
    assert_memory_equal(raw, "hi", 2);
    free(raw);
    json_decref(v);
    json_decref(back);
    json_decref(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_value__valid_values_are_normalized),
        cmocka_unit_test(test_ddb_value__invalid_values_get_dynamodb_messages),
        cmocka_unit_test(test_ddb_value__nesting_limit),
        cmocka_unit_test(test_ddb_value__item_check),
        cmocka_unit_test(test_ddb_value__types),
        cmocka_unit_test(test_ddb_value__equality),
        cmocka_unit_test(test_ddb_value__item_equality),
        cmocka_unit_test(test_ddb_value__order),
        cmocka_unit_test(test_ddb_value__item_size),
        cmocka_unit_test(test_ddb_value__key_bytes),
        cmocka_unit_test(test_ddb_value__numbers_and_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
