/* test_sigv4.c: unit tests for reading the SigV4 credential scope (core/sigv4.c).
 *
 * The header table covers the spellings real clients send (botocore/aws-cli, the JS and Go
 * SDKs, comma-only and extra whitespace variants) and malformed or non-SigV4 headers, which
 * must fail with the scope zeroed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/sigv4.h"

struct auth_case {
    const char *header;
    int rc;
    const char *key, *date, *region, *service;
};

#define SIG "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

static const struct auth_case auth_cases[] = {
    /* botocore / aws-cli */
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, " SIG,
     0, "AKIDEXAMPLE", "20150830", "us-east-1", "service"},
    /* JS SDK v3 / Go v2: same layout, more signed headers */
    {"AWS4-HMAC-SHA256 Credential=000000000000/20240101/eu-west-1/sqs/aws4_request, "
     "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
     "x-amz-date;x-amz-target;x-amz-user-agent, " SIG,
     0, "000000000000", "20240101", "eu-west-1", "sqs"},
    /* commas without spaces (Java v1, some older SDKs) */
    {"AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request,"
     "SignedHeaders=host;x-amz-date," SIG,
     0, "test", "20240101", "us-east-1", "dynamodb"},
    /* extra whitespace everywhere, different parameter order */
    {"  AWS4-HMAC-SHA256   SignedHeaders=host ,  " SIG " ,\tCredential=K/20240101/ap-south-1/"
     "lambda/aws4_request  ",
     0, "K", "20240101", "ap-south-1", "lambda"},
    /* unknown extra parameters are tolerated */
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/sns/aws4_request, SignedHeaders=host, " SIG
     ", Extra=1",
     0, "K", "20240101", "us-east-1", "sns"},

    /* not SigV4 at all */
    {"", -1, NULL, NULL, NULL, NULL},
    {"Bearer abc", -1, NULL, NULL, NULL, NULL},
    {"AWS AKIDEXAMPLE:signature", -1, NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256", -1, NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256Credential=K/20240101/us-east-1/s/aws4_request", -1, NULL, NULL, NULL, NULL},
    {"AWS4-ECDSA-P256-SHA256 Credential=K/20240101/sqs/aws4_request, SignedHeaders=host, " SIG, -1,
     NULL, NULL, NULL, NULL},
    {"aws4-hmac-sha256 Credential=K/20240101/us-east-1/s/aws4_request, SignedHeaders=host, " SIG,
     -1, NULL, NULL, NULL, NULL},
    /* missing parts */
    {"AWS4-HMAC-SHA256 SignedHeaders=host, " SIG, -1, NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/s/aws4_request, " SIG, -1, NULL, NULL, NULL,
     NULL},
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/s/aws4_request, SignedHeaders=host", -1,
     NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, " SIG, -1, NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential K/20240101/us-east-1/s/aws4_request, SignedHeaders=host, " SIG,
     -1, NULL, NULL, NULL, NULL},
    /* malformed credential scope */
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/s, SignedHeaders=host, " SIG, -1, NULL, NULL,
     NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/2024011/us-east-1/s/aws4_request, SignedHeaders=h, " SIG, -1,
     NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/2024010a/us-east-1/s/aws4_request, SignedHeaders=h, " SIG, -1,
     NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/20240101//s/aws4_request, SignedHeaders=h, " SIG, -1, NULL,
     NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=/20240101/us-east-1/s/aws4_request, SignedHeaders=h, " SIG, -1,
     NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/s/aws4_requestX, SignedHeaders=h, " SIG, -1,
     NULL, NULL, NULL, NULL},
    {"AWS4-HMAC-SHA256 Credential=K/20240101/us-east-1/s/x/aws4_request, SignedHeaders=h, " SIG, -1,
     NULL, NULL, NULL, NULL},
    /* two credentials are ambiguous */
    {"AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/s/aws4_request, Credential=B/20240101/"
     "us-east-1/s/aws4_request, SignedHeaders=h, " SIG,
     -1, NULL, NULL, NULL, NULL},
};

static void
test_sigv4__authorization_table(void **state)
{
    static const struct sigv4_scope zero;
    const struct auth_case *c;
    struct sigv4_scope s;
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(auth_cases); i++) {
        c = &auth_cases[i];
        memset(&s, 0x5a, sizeof(s));
        print_message("case %zu\n", i);
        assert_int_equal(sigv4_parse_authorization(c->header, &s), c->rc);
        if (c->rc == 0) {
            assert_string_equal(s.access_key, c->key);
            assert_string_equal(s.date, c->date);
            assert_string_equal(s.region, c->region);
            assert_string_equal(s.service, c->service);
        } else {
            assert_memory_equal(&s, &zero, sizeof(s));
        }
    }
    assert_int_equal(sigv4_parse_authorization(NULL, &s), -1);
}

static void
test_sigv4__long_fields_refused(void **state)
{
    char header[1024], key[200];
    struct sigv4_scope s;

    (void)state;
    /* A 128-character key fits; 129 does not (the struct holds 128 + NUL). */
    memset(key, 'A', 128);
    key[128] = '\0';
    snprintf(header, sizeof(header),
             "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/sqs/aws4_request, "
             "SignedHeaders=host, Signature=x",
             key);
    assert_int_equal(sigv4_parse_authorization(header, &s), 0);
    assert_int_equal(strlen(s.access_key), 128);
    memset(key, 'A', 129);
    key[129] = '\0';
    snprintf(header, sizeof(header),
             "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/sqs/aws4_request, "
             "SignedHeaders=host, Signature=x",
             key);
    assert_int_equal(sigv4_parse_authorization(header, &s), -1);
}

static void
test_sigv4__presigned_credential(void **state)
{
    struct sigv4_scope s;

    (void)state;
    assert_int_equal(sigv4_parse_credential("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                                            "aws4_request",
                                            &s),
                     0);
    assert_string_equal(s.access_key, "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(s.date, "20130524");
    assert_string_equal(s.region, "us-east-1");
    assert_string_equal(s.service, "s3");
    assert_int_equal(sigv4_parse_credential("AKID/20130524/us-east-1/s3", &s), -1);
    assert_string_equal(s.access_key, "");
    assert_int_equal(sigv4_parse_credential("AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request", &s),
                     -1); /* must already be decoded */
    assert_int_equal(sigv4_parse_credential("AK ID/20130524/us-east-1/s3/aws4_request", &s), -1);
    assert_int_equal(sigv4_parse_credential("", &s), -1);
    assert_int_equal(sigv4_parse_credential(NULL, &s), -1);
}

static void
test_sigv4__key_is_account(void **state)
{
    (void)state;
    assert_true(sigv4_key_is_account("000000000000"));
    assert_true(sigv4_key_is_account("123456789012"));
    assert_false(sigv4_key_is_account("12345678901"));
    assert_false(sigv4_key_is_account("1234567890123"));
    assert_false(sigv4_key_is_account("12345678901a"));
    assert_false(sigv4_key_is_account("AKIAIOSFODNN7EXAMPLE"));
    assert_false(sigv4_key_is_account(" 23456789012"));
    assert_false(sigv4_key_is_account(""));
    assert_false(sigv4_key_is_account(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigv4__authorization_table),
        cmocka_unit_test(test_sigv4__long_fields_refused),
        cmocka_unit_test(test_sigv4__presigned_credential),
        cmocka_unit_test(test_sigv4__key_is_account),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
