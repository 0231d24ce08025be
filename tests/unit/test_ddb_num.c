/* test_ddb_num.c: DynamoDB numbers: parsing and normalized text (incl. the range limits and
 * 38 digits), exact addition and subtraction, the order of key bytes, and item-size bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_num.h"

struct parse_case {
    const char *in;
    enum ddb_num_err err;
    const char *out; /* normalized text when err is DDB_NUM_OK */
};

/* 1E-130 and the largest magnitude, written out. */
static char tiny[200], tiny_neg[210], huge[200];

static void
build_limits(void)
{
    size_t o = 0;

    o += (size_t)sprintf(tiny + o, "0.");
    for (int i = 0; i < 129; i++)
        tiny[o++] = '0';
    tiny[o++] = '1';
    tiny[o] = '\0';
    snprintf(tiny_neg, sizeof(tiny_neg), "-%s", tiny);
    o = 0;
    for (int i = 0; i < 38; i++)
        huge[o++] = '9';
    for (int i = 0; i < 88; i++)
        huge[o++] = '0';
    huge[o] = '\0';
}

static const struct parse_case parse_cases[] = {
    {"0", DDB_NUM_OK, "0"},
    {"-0", DDB_NUM_OK, "0"},
    {"+0", DDB_NUM_OK, "0"},
    {"0.000", DDB_NUM_OK, "0"},
    {"-0e10", DDB_NUM_OK, "0"},
    {"0e999999999999999999", DDB_NUM_OK, "0"},
    {"+5", DDB_NUM_OK, "5"},
    {"-7", DDB_NUM_OK, "-7"},
    {"1e3", DDB_NUM_OK, "1000"},
    {"1e+2", DDB_NUM_OK, "100"},
    {"1.5E+3", DDB_NUM_OK, "1500"},
    {"1.50", DDB_NUM_OK, "1.5"},
    {"0.001E-2", DDB_NUM_OK, "0.00001"},
    {"007", DDB_NUM_OK, "7"},
    {"00.0100", DDB_NUM_OK, "0.01"},
    {".5", DDB_NUM_OK, "0.5"},
    {"5.", DDB_NUM_OK, "5"},
    {"-1.5e-3", DDB_NUM_OK, "-0.0015"},
    {"123.456", DDB_NUM_OK, "123.456"},
    {"123456e-3", DDB_NUM_OK, "123.456"},
    {"1200", DDB_NUM_OK, "1200"},
    {"12E-1", DDB_NUM_OK, "1.2"},
    {"1000000000000000000000000000000000000000000", DDB_NUM_OK,
     "1000000000000000000000000000000000000000000"},
    {"1.0000000000000000000000000000000000000000000", DDB_NUM_OK, "1"},
    {"12345678901234567890123456789012345678", DDB_NUM_OK,
     "12345678901234567890123456789012345678"},
    {"-0.12345678901234567890123456789012345678", DDB_NUM_OK,
     "-0.12345678901234567890123456789012345678"},
    {"123456789012345678901234567890123456789", DDB_NUM_PRECISION, NULL},
    {"-1.23456789012345678901234567890123456789", DDB_NUM_PRECISION, NULL},
    {"1e126", DDB_NUM_OVERFLOW, NULL},
    {"-1e126", DDB_NUM_OVERFLOW, NULL},
    {"10E125", DDB_NUM_OVERFLOW, NULL},
    {"1e99999999999999999999", DDB_NUM_OVERFLOW, NULL},
    {"1e-131", DDB_NUM_UNDERFLOW, NULL},
    {"-1e-131", DDB_NUM_UNDERFLOW, NULL},
    {"0.1E-130", DDB_NUM_UNDERFLOW, NULL},
    {"1e-99999999999999999999", DDB_NUM_UNDERFLOW, NULL},
    /* Out of range and too long: the range is reported. */
    {"123456789012345678901234567890123456789e200", DDB_NUM_OVERFLOW, NULL},
    {"", DDB_NUM_INVALID, NULL},
    {"-", DDB_NUM_INVALID, NULL},
    {"+", DDB_NUM_INVALID, NULL},
    {".", DDB_NUM_INVALID, NULL},
    {"e5", DDB_NUM_INVALID, NULL},
    {"1e", DDB_NUM_INVALID, NULL},
    {"1e+", DDB_NUM_INVALID, NULL},
    {" 1", DDB_NUM_INVALID, NULL},
    {"1 ", DDB_NUM_INVALID, NULL},
    {"abc", DDB_NUM_INVALID, NULL},
    {"NaN", DDB_NUM_INVALID, NULL},
    {"Infinity", DDB_NUM_INVALID, NULL},
    {"0x10", DDB_NUM_INVALID, NULL},
    {"1.2.3", DDB_NUM_INVALID, NULL},
    {"--1", DDB_NUM_INVALID, NULL},
    {"+-1", DDB_NUM_INVALID, NULL},
    {"1e5.5", DDB_NUM_INVALID, NULL},
    {"1,5", DDB_NUM_INVALID, NULL},
};

static void
test_ddb_num__parse_and_format(void **state)
{
    char buf[DDB_NUM_TEXT_MAX];
    struct ddb_num n;

    for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];

        print_message("case %zu: '%s'\n", i, c->in);
        assert_int_equal(ddb_num_parse(c->in, strlen(c->in), &n), c->err);
        if (c->err == DDB_NUM_OK) {
            assert_int_equal(ddb_num_format(&n, buf), strlen(c->out));
            assert_string_equal(buf, c->out);
        }
    }
}

static void
test_ddb_num__range_limits(void **state)
{
    char buf[DDB_NUM_TEXT_MAX];
    struct ddb_num n;
    static const char *const max = "9.9999999999999999999999999999999999999E+125";

    build_limits();
    assert_int_equal(ddb_num_parse("1E-130", 6, &n), DDB_NUM_OK);
    ddb_num_format(&n, buf);
    assert_string_equal(buf, tiny);
    assert_int_equal(ddb_num_parse("-1E-130", 7, &n), DDB_NUM_OK);
    assert_int_equal(ddb_num_format(&n, buf), 133);
    assert_string_equal(buf, tiny_neg);
    assert_int_equal(ddb_num_parse(max, strlen(max), &n), DDB_NUM_OK);
    assert_int_equal(ddb_num_format(&n, buf), 126);
    assert_string_equal(buf, huge);
    /* The normalized text parses back to the same number. */
    assert_int_equal(ddb_num_parse(huge, strlen(huge), &n), DDB_NUM_OK);
    ddb_num_format(&n, buf);
    assert_string_equal(buf, huge);
    assert_int_equal(ddb_num_parse(tiny, strlen(tiny), &n), DDB_NUM_OK);
    /* The longest text fits DDB_NUM_TEXT_MAX: -0.(129 zeros)(38 digits). */
    assert_int_equal(ddb_num_parse("-1.2345678901234567890123456789012345678E-130", 45, &n),
                     DDB_NUM_OK);
    assert_int_equal(ddb_num_format(&n, buf), 3 + 129 + 38);
    assert_true(strlen(buf) < DDB_NUM_TEXT_MAX);
}

static void
test_ddb_num__messages(void **state)
{
    assert_string_equal(ddb_num_errmsg(DDB_NUM_INVALID),
                        "The parameter cannot be converted to a numeric value");
    assert_string_equal(ddb_num_errmsg(DDB_NUM_OVERFLOW),
                        "Number overflow. Attempting to store a number with magnitude larger "
                        "than supported range");
    assert_string_equal(ddb_num_errmsg(DDB_NUM_UNDERFLOW),
                        "Number underflow. Attempting to store a number with magnitude smaller "
                        "than supported range");
    assert_string_equal(ddb_num_errmsg(DDB_NUM_PRECISION),
                        "Attempting to store more than 38 significant digits in a Number");
}

struct arith_case {
    const char *a, *b;
    bool sub;
    enum ddb_num_err err;
    const char *out;
};

static const struct arith_case arith_cases[] = {
    {"1", "2", false, DDB_NUM_OK, "3"},
    {"0.1", "0.2", false, DDB_NUM_OK, "0.3"},
    {"9.99", "0.01", false, DDB_NUM_OK, "10"},
    {"99999999999999999999999999999999999999", "1", false, DDB_NUM_OK,
     "100000000000000000000000000000000000000"},
    {"-99999999999999999999999999999999999999", "-1", false, DDB_NUM_OK,
     "-100000000000000000000000000000000000000"},
    {"1", "2", true, DDB_NUM_OK, "-1"},
    {"-5", "3", false, DDB_NUM_OK, "-2"},
    {"5", "-5", false, DDB_NUM_OK, "0"},
    {"-5", "-5", true, DDB_NUM_OK, "0"},
    {"1000", "0.001", true, DDB_NUM_OK, "999.999"},
    {"100", "99.99", true, DDB_NUM_OK, "0.01"},
    {"0", "7", true, DDB_NUM_OK, "-7"},
    {"7", "0", true, DDB_NUM_OK, "7"},
    {"0", "0", false, DDB_NUM_OK, "0"},
    {"-0.5", "0.5", true, DDB_NUM_OK, "-1"},
    {"3", "-4.5", false, DDB_NUM_OK, "-1.5"},
    {"-3", "4.5", false, DDB_NUM_OK, "1.5"},
    {"-3", "-4.5", true, DDB_NUM_OK, "1.5"},
    {"1000000000000000000", "0.0000000000000000001", false, DDB_NUM_OK,
     "1000000000000000000.0000000000000000001"},
    {"10000000000000000000", "0.0000000000000000001", false, DDB_NUM_PRECISION, NULL},
    {"1E100", "1", false, DDB_NUM_PRECISION, NULL},
    {"12345678901234567890123456789012345678", "0.1", false, DDB_NUM_PRECISION, NULL},
    {"9.9999999999999999999999999999999999999E+125", "1E+88", false, DDB_NUM_OVERFLOW, NULL},
    {"-9.9999999999999999999999999999999999999E+125", "1E+88", true, DDB_NUM_OVERFLOW, NULL},
    {"9.9999999999999999999999999999999999999E+125", "-1E+88", false, DDB_NUM_OK,
     "99999999999999999999999999999999999998" /* followed by 88 zeros, checked below */},
    {"1.0000000000000000000000000000000000001E-100", "1E-100", true, DDB_NUM_UNDERFLOW, NULL},
    {"1E-130", "1E-130", true, DDB_NUM_OK, "0"},
    {"1E-130", "1E-130", false, DDB_NUM_OK, NULL /* 2E-130 */},
};

static void
test_ddb_num__arithmetic(void **state)
{
    char buf[DDB_NUM_TEXT_MAX];
    struct ddb_num a, b, r, expect;

    for (size_t i = 0; i < ARRAY_SIZE(arith_cases); i++) {
        const struct arith_case *c = &arith_cases[i];
        enum ddb_num_err err;

        print_message("case %zu: %s %c %s\n", i, c->a, c->sub ? '-' : '+', c->b);
        assert_int_equal(ddb_num_parse(c->a, strlen(c->a), &a), DDB_NUM_OK);
        assert_int_equal(ddb_num_parse(c->b, strlen(c->b), &b), DDB_NUM_OK);
        err = c->sub ? ddb_num_sub(&a, &b, &r) : ddb_num_add(&a, &b, &r);
        assert_int_equal(err, c->err);
        if (err != DDB_NUM_OK)
            continue;
        ddb_num_format(&r, buf);
        if (i == 24) {
            assert_int_equal(strlen(buf), 126);
            assert_memory_equal(buf, c->out, 38);
            assert_int_equal(strspn(buf + 38, "0"), 88);
        } else if (!c->out) {
            assert_int_equal(ddb_num_parse("2E-130", 6, &expect), DDB_NUM_OK);
            assert_int_equal(ddb_num_cmp(&r, &expect), 0);
        } else {
            assert_string_equal(buf, c->out);
        }
    }
}

/* Sorted strictly ascending. */
static const char *const sorted[] = {
    "-9.9999999999999999999999999999999999999E+125",
    "-1E+125",
    "-123456789012345678901234567890",
    "-1000000",
    "-999999",
    "-1001",
    "-1000",
    "-999.5",
    "-101",
    "-100",
    "-12.5",
    "-12.34",
    "-12.3",
    "-12",
    "-11",
    "-10",
    "-2",
    "-1.000000000000000000000000000000000001",
    "-1",
    "-0.999",
    "-0.123",
    "-0.12",
    "-0.1",
    "-0.01",
    "-1E-130",
    "0",
    "1E-130",
    "1.1E-130",
    "0.00001",
    "0.001",
    "0.01",
    "0.1",
    "0.10000000000000000000000000000000000001",
    "0.11",
    "0.12",
    "0.123",
    "0.5",
    "1",
    "1.000000000000000000000000000000000001",
    "1.5",
    "2",
    "9",
    "10",
    "10.01",
    "11",
    "19",
    "99",
    "100",
    "101",
    "110",
    "1000",
    "123456789012345678901234567890",
    "1E+125",
    "9.9999999999999999999999999999999999999E+125",
};

static int
key_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static void
test_ddb_num__key_bytes_sort_numerically(void **state)
{
    unsigned char keys[ARRAY_SIZE(sorted)][DDB_NUM_KEY_MAX];
    size_t lens[ARRAY_SIZE(sorted)];
    struct ddb_num nums[ARRAY_SIZE(sorted)];

    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        assert_int_equal(ddb_num_parse(sorted[i], strlen(sorted[i]), &nums[i]), DDB_NUM_OK);
        lens[i] = ddb_num_key(&nums[i], keys[i]);
        assert_true(lens[i] >= 1 && lens[i] <= DDB_NUM_KEY_MAX);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(sorted); j++) {
            int want = i < j ? -1 : i > j ? 1 : 0;
            int kc = key_cmp(keys[i], lens[i], keys[j], lens[j]);
            int nc = ddb_num_cmp(&nums[i], &nums[j]);

            print_message("%s vs %s\n", sorted[i], sorted[j]);
            assert_int_equal(kc < 0 ? -1 : kc > 0, want);
            assert_int_equal(nc < 0 ? -1 : nc > 0, want);
        }
    }
}

static void
test_ddb_num__equal_values_have_equal_keys(void **state)
{
    static const char *const same[][2] = {
        {"1.50", "1.5"}, {"-0", "0"}, {"1e3", "1000"}, {"0.001E-2", "0.00001"}, {"+5", "5"},
    };
    unsigned char ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
    struct ddb_num a, b;

    for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
        assert_int_equal(ddb_num_parse(same[i][0], strlen(same[i][0]), &a), DDB_NUM_OK);
        assert_int_equal(ddb_num_parse(same[i][1], strlen(same[i][1]), &b), DDB_NUM_OK);
        size_t la = ddb_num_key(&a, ka), lb = ddb_num_key(&b, kb);
        assert_int_equal(la, lb);
        assert_memory_equal(ka, kb, la);
        assert_int_equal(ddb_num_cmp(&a, &b), 0);
    }
}

static void
test_ddb_num__size(void **state)
{
    static const struct {
        const char *n;
        size_t size;
    } cases[] = {
        {"0", 1},
        {"1", 2},
        {"27", 2},
        {"-27", 3},
        {"99", 2},
        {"100", 2},
        {"461", 3},
        {"1000", 2},
        {"11000", 3},
        {"1.5", 3},
        {"12.34", 3},
        {"0.001", 2},
        {"0.01", 2},
        {"0.00123", 3},
        {"1786461547", 6},
        {"99999999999999999999999999999999999999", 20},
        {"1.2345678901234567890123456789012345678", 21},
        {"-1.2345678901234567890123456789012345678", 22},
        {"1E+125", 2},
    };
    struct ddb_num n;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        print_message("case %s\n", cases[i].n);
        assert_int_equal(ddb_num_parse(cases[i].n, strlen(cases[i].n), &n), DDB_NUM_OK);
        assert_int_equal(ddb_num_size(&n), cases[i].size);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_num__parse_and_format),
        cmocka_unit_test(test_ddb_num__range_limits),
        cmocka_unit_test(test_ddb_num__messages),
        cmocka_unit_test(test_ddb_num__arithmetic),
        cmocka_unit_test(test_ddb_num__key_bytes_sort_numerically),
        cmocka_unit_test(test_ddb_num__equal_values_have_equal_keys),
        cmocka_unit_test(test_ddb_num__size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
