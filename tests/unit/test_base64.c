/* test_base64.c: RFC 4648 vectors both ways, the strict decoding rules (the cases formerly
 * in test_sqs_md5.c and test_sqs_move.c), and the URL-safe unpadded form receipt handles use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "awslet.h"
#include "core/base64.h"

struct vector {
    const char *plain;
    const char *coded;   /* standard alphabet, padded */
    const char *url;     /* URL-safe alphabet, unpadded */
};

/* RFC 4648 section 10, plus bytes that differ between the alphabets. */
static const struct vector vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"\xfb\xff\xbf", "+/+/", "-_-_"},
};

static void
test_base64__vectors_both_ways(void **state)
{
    char out[64];
    unsigned char back[64];

    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
        const struct vector *v = &vectors[i];
        size_t n = strlen(v->plain);

        assert_int_equal(base64_encoded_len(n, 0), strlen(v->coded));
        assert_int_equal(base64_encode(out, v->plain, n, 0), strlen(v->coded));
        assert_string_equal(out, v->coded);
        assert_int_equal(base64_encoded_len(n, BASE64_URL | BASE64_NOPAD), strlen(v->url));
        assert_int_equal(base64_encode(out, v->plain, n, BASE64_URL | BASE64_NOPAD),
                         strlen(v->url));
        assert_string_equal(out, v->url);

        assert_int_equal(base64_decode(back, v->coded, strlen(v->coded), 0), (long long)n);
        assert_memory_equal(back, v->plain, n);
        assert_int_equal(base64_decode(back, v->url, strlen(v->url), BASE64_URL | BASE64_NOPAD),
                         (long long)n);
        assert_memory_equal(back, v->plain, n);
    }
}

struct decode_case {
    const char *in;
    long long len;     /* decoded length, -1 if malformed */
    const char *bytes; /* expected bytes */
};

static const struct decode_case std_cases[] = {
    {"", 0, ""},
    {"YQ==", 1, "a"},
    {"YQ", 1, "a"}, /* padding is optional */
    {"YWI=", 2, "ab"},
    {"YWI", 2, "ab"},
    {"YWJj", 3, "abc"},
    {"+/+/", 3, "\xfb\xff\xbf"},
    {"Y", -1, NULL},        /* one char of a quantum carries no byte */
    {"Z", -1, NULL},
    {"Y===", -1, NULL},
    {"Zm9vY===", -1, NULL}, /* at most two pad characters */
    {"YQ=", -1, NULL},      /* padding must complete the quantum */
    {"YQ==YQ==", -1, NULL}, /* padding only at the end */
    {"Z=m9", -1, NULL},
    {"YW I=", -1, NULL},    /* no whitespace */
    {"Zm 9v", -1, NULL},
    {"Zm9v!", -1, NULL},    /* not in the alphabet */
    {"YW-_", -1, NULL},     /* the URL-safe alphabet is not standard base64 */
    {"-_-_", -1, NULL},
};

static void
test_base64__standard_decoding_rules(void **state)
{
    unsigned char out[16];

    for (size_t i = 0; i < ARRAY_SIZE(std_cases); i++) {
        const struct decode_case *c = &std_cases[i];
        size_t n = strlen(c->in);

        print_message("case %zu: '%s'\n", i, c->in);
        assert_int_equal(base64_decoded_len(c->in, n, 0), c->len);
        assert_int_equal(base64_decode(out, c->in, n, 0), c->len);
        if (c->len > 0)
            assert_memory_equal(out, c->bytes, (size_t)c->len);
    }
}

static void
test_base64__url_nopad_refuses_padding_and_standard_alphabet(void **state)
{
    unsigned char out[16];
    static const char *const bad[] = {"Zg==", "Zm8=", "+/+/", "Z"};

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(base64_decode(out, bad[i], strlen(bad[i]), BASE64_URL | BASE64_NOPAD),
                         -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64__vectors_both_ways),
        cmocka_unit_test(test_base64__standard_decoding_rules),
        cmocka_unit_test(test_base64__url_nopad_refuses_padding_and_standard_alphabet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
