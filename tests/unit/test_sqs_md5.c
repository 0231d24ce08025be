/* test_sqs_md5.c: the digests SDKs verify (services/sqs/sqs_md5.c).
 *
 * Vectors: the AWS SDK's own test vector for MD5OfMessageAttributes, plus vectors computed
 * independently (a Python reimplementation of AWS's documented algorithm) for Number, Binary,
 * custom ".suffix" types, unsorted input, UTF-8 names and values, and values large enough to
 * cross the streaming base64 decoder's chunk boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base64.h"
#include "services/sqs/sqs_int.h"

struct md5_case {
    const char *attrs; /* JSON text of a MessageAttributes map */
    const char *md5;   /* expected hex digest, NULL if the map is malformed */
};

static const struct md5_case md5_cases[] = {
    /* AWS SDK test vector (aws-md5-of-message-attributes). */
    {"{\"attribName1\": {\"DataType\": \"String\", \"StringValue\": \"attribValue 1\"}}",
     "19e27d4e946b072f3f58da80d94fd778"},
    {"{\"count\": {\"DataType\": \"Number\", \"StringValue\": \"-12.5e3\"}}",
     "b7e3fde87f79aec220d808b0e9f0d727"},
    /* Binary is hashed as its raw bytes, not the base64 text. */
    {"{\"b\": {\"DataType\": \"Binary\", \"BinaryValue\": \"YQ==\"}}",
     "bfe3c8a707cab19b253ae412badbf1b1"},
    {"{\"b\": {\"DataType\": \"Binary\", \"BinaryValue\": \"YWI=\"}}",
     "157ff23bb01d006981c7207fd0741734"},
    {"{\"blob\": {\"DataType\": \"Binary\", \"BinaryValue\": "
     "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQ"
     "kNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh"
     "4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLz"
     "M3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==\"}}",
     "81647240d2090e687c76bd9be52d880f"},
    /* Custom types: Number.x and String.x are transport 1, Binary.x transport 2. */
    {"{\"price\": {\"DataType\": \"Number.float\", \"StringValue\": \"3.14\"},"
     " \"img\": {\"DataType\": \"Binary.png\", \"BinaryValue\": \"iVBORw0KGgoA\"},"
     " \"doc\": {\"DataType\": \"String.json\", \"StringValue\": \"{\\\"a\\\":1}\"}}",
     "e733501f75972f1ef607ca5eec7d23d8"},
    /* Input order does not matter; names sort by bytes ("Alpha" < "_u" < "a.b" < "alpha"). */
    {"{\"zeta\": {\"DataType\": \"String\", \"StringValue\": \"last\"},"
     " \"Alpha\": {\"DataType\": \"String\", \"StringValue\": \"upper first\"},"
     " \"alpha\": {\"DataType\": \"Number\", \"StringValue\": \"1\"},"
     " \"_u\": {\"DataType\": \"String\", \"StringValue\": \"underscore\"},"
     " \"a.b\": {\"DataType\": \"String\", \"StringValue\": \"dot\"}}",
     "3c8ec828e897c10c92345ff4043e1aa7"},
    {"{\"a.b\": {\"DataType\": \"String\", \"StringValue\": \"dot\"},"
     " \"_u\": {\"DataType\": \"String\", \"StringValue\": \"underscore\"},"
     " \"alpha\": {\"DataType\": \"Number\", \"StringValue\": \"1\"},"
     " \"zeta\": {\"DataType\": \"String\", \"StringValue\": \"last\"},"
     " \"Alpha\": {\"DataType\": \"String\", \"StringValue\": \"upper first\"}}",
     "3c8ec828e897c10c92345ff4043e1aa7"},
    /* UTF-8: lengths count bytes. */
    {"{\"attr.1\xc3\xb8\xc3\x9f\xc3\xa4\": {\"DataType\": \"String\", \"StringValue\": "
     "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\xa6\x80 \xc3\xbcn\xc3\xaf"
     "c\xc3\xb6"
     "d\xc3\xa9\"}}",
     "e50124f0ce613be36eb513d8f8a2fe31"},
    /* Malformed: no DataType, no value of the type's kind, bad base64, not an object. */
    {"{\"a\": {\"StringValue\": \"x\"}}", NULL},
    {"{\"a\": {\"DataType\": \"String\", \"BinaryValue\": \"YQ==\"}}", NULL},
    {"{\"a\": {\"DataType\": \"Binary\", \"StringValue\": \"x\"}}", NULL},
    {"{\"a\": {\"DataType\": \"Binary\", \"BinaryValue\": \"Y$==\"}}", NULL},
    {"{\"a\": \"String\"}", NULL},
    {"[]", NULL},
};

static void
test_sqs_md5__attribute_vectors(void **state)
{
    char out[33];

    for (size_t i = 0; i < ARRAY_SIZE(md5_cases); i++) {
        json_error_t err;
        json_t *j = json_loads(md5_cases[i].attrs, JSON_DECODE_ANY, &err);

        assert_non_null(j);
        if (md5_cases[i].md5) {
            assert_int_equal(sqs_md5_of_attributes(j, out), 0);
            assert_string_equal(out, md5_cases[i].md5);
        } else {
            assert_int_equal(sqs_md5_of_attributes(j, out), -1);
        }
        json_decref(j);
    }
}

static void
test_sqs_md5__system_attributes_trace_header(void **state)
{
    char out[33];
    json_t *j = json_pack("{s:{s:s, s:s}}", "AWSTraceHeader", "DataType", "String", "StringValue",
                          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
                          "Sampled=1");

    assert_int_equal(sqs_md5_of_system_attributes(j, out), 0);
    assert_string_equal(out, "5ae4d5d7636402d80f4eb6d213245a88");
    json_decref(j);
}

static void
test_sqs_md5__body(void **state)
{
    char out[33];

    sqs_md5_hex("", 0, out);
    assert_string_equal(out, "d41d8cd98f00b204e9800998ecf8427e");
    sqs_md5_hex("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac", 13, out);
    assert_string_equal(out, "fd2e790ebd6d2d673cd2fc16c4acc4fa");
}

/* Test input: base64 text of p[0..n) (malloc'd; the encoder has its own tests). */
static char *
b64_encode(const unsigned char *p, size_t n)
{
    char *out = malloc(base64_encoded_len(n, 0) + 1);

    if (out)
        base64_encode(out, p, n, 0);
    return out;
}

/* 10000 binary bytes are 13336 base64 characters: several 4096-character chunks and a tail. */
static void
test_sqs_md5__large_values_cross_chunks(void **state)
{
    unsigned char bin[10000];
    char s[5001], out[33], *b64;
    json_t *j;

    for (size_t i = 0; i < sizeof(bin); i++)
        bin[i] = (unsigned char)((i * 7 + 3) % 256);
    memset(s, 'x', 5000);
    s[5000] = '\0';
    b64 = b64_encode(bin, sizeof(bin));
    j = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "big", "DataType", "Binary.raw", "BinaryValue",
                  b64, "s", "DataType", "String", "StringValue", s);
    assert_non_null(j);
    assert_int_equal(sqs_md5_of_attributes(j, out), 0);
    assert_string_equal(out, "fab55df97964a815a926885c0609a741");
    json_decref(j);
    free(b64);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqs_md5__attribute_vectors),
        cmocka_unit_test(test_sqs_md5__system_attributes_trace_header),
        cmocka_unit_test(test_sqs_md5__body),
        cmocka_unit_test(test_sqs_md5__large_values_cross_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
