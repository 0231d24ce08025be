/* test_sqs_move.c: unit tests for the pure rules of services/sqs/sqs_move.c.
 *
 * The message move task handle (AWS's format: base64 of {"taskId","sourceArn"}, checked
 * against the example in the SQS API reference), the ARN split that
 * SourceArn/DestinationArn go through, and the MaxNumberOfMessagesPerSecond and MaxResults
 * limits. The handlers and the background ticks are exercised by the integration tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/arena.h"

/* AWSLET_TESTABLE in sqs_move.c */
char *sqs_move_handle_encode(struct arena *a, const char *task_id, const char *source_arn);
int sqs_move_handle_decode(struct arena *a, const char *handle, const char **task_id,
                           const char **source_arn);
int sqs_move_arn_split(char *arn, const char **service, const char **region,
                       const char **account, const char **name);
bool sqs_move_rate_valid(long long rate);
bool sqs_move_max_results_valid(long long n);

/* The TaskHandle of the StartMessageMoveTask example in the Amazon SQS API reference. */
static const char aws_handle[] =
    "eyJ0YXNrSWQiOiJkYzE2OWUwNC0wZTU1LTQ0ZDItYWE5MC1jMDgwY2ExZjM2ZjciLCJzb3VyY2VBcm4iOiJhcm46YXdz"
    "OnNxczp1cy1lYXN0LTE6MTExMTExMTExMTExOk15RGVhZExldHRlclF1ZXVlIn0=";
static const char aws_task_id[] = "dc169e04-0e55-44d2-aa90-c080ca1f36f7";
static const char aws_source[] = "arn:aws:sqs:us-east-1:111111111111:MyDeadLetterQueue";

static void
test_sqs_move__handle_is_aws_format(void **state)
{
    struct arena a;
    const char *id = NULL, *arn = NULL;

    (void)state;
    arena_init(&a);
    /* Encoding the example's task id and ARN gives the example's handle byte for byte. */
    assert_string_equal(sqs_move_handle_encode(&a, aws_task_id, aws_source), aws_handle);
    assert_int_equal(sqs_move_handle_decode(&a, aws_handle, &id, &arn), 0);
    assert_string_equal(id, aws_task_id);
    assert_string_equal(arn, aws_source);
    arena_release(&a);
}

static void
test_sqs_move__handle_round_trip(void **state)
{
    static const char *const arns[] = {
        "arn:aws:sqs:eu-west-1:000000000000:dlq",
        "arn:aws:sqs:us-east-1:123456789012:orders-dlq.fifo",
        "arn:aws-cn:sqs:cn-north-1:123456789012:a",
        "arn:aws:sqs:r:1:\"quoted\\name\"", /* JSON escaping survives the trip */
    };
    struct arena a;

    (void)state;
    arena_init(&a);
    for (size_t i = 0; i < ARRAY_SIZE(arns); i++) {
        const char *id = NULL, *arn = NULL;
        char *h = sqs_move_handle_encode(&a, "0f8a3c1e-1111-2222-3333-444455556666", arns[i]);

        print_message("case %zu: %s\n", i, arns[i]);
        assert_non_null(h);
        assert_int_equal(sqs_move_handle_decode(&a, h, &id, &arn), 0);
        assert_string_equal(id, "0f8a3c1e-1111-2222-3333-444455556666");
        assert_string_equal(arn, arns[i]);
    }
    arena_release(&a);
}

static const char *const handle_bad[] = {
    "",
    "not base64!",
    "bm90IGpzb24=",                                         /* "not json" */
    "e30=",                                                 /* {} */
    "eyJ0YXNrSWQiOiJ4In0=",                                 /* {"taskId":"x"} */
    "eyJzb3VyY2VBcm4iOiJ4In0=",                             /* {"sourceArn":"x"} */
    "eyJ0YXNrSWQiOjEsInNvdXJjZUFybiI6IngifQ==",             /* taskId not a string */
    "eyJ0YXNrSWQiOiIiLCJzb3VyY2VBcm4iOiJ4In0=",             /* empty taskId */
    "WzEsMl0=",                                             /* [1,2] */
    "eyJ0YXNrSWQiOiJ4Iiwic291cmNlQXJuIjoieSJ9AA==",         /* NUL after the JSON */
};

static void
test_sqs_move__handle_rejects(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a);
    for (size_t i = 0; i < ARRAY_SIZE(handle_bad); i++) {
        const char *id = NULL, *arn = NULL;

        print_message("case %zu: '%s'\n", i, handle_bad[i]);
        assert_int_equal(sqs_move_handle_decode(&a, handle_bad[i], &id, &arn), -1);
    }
    arena_release(&a);
}

struct arn_case {
    const char *arn;
    int rc;
    const char *service, *region, *account, *name;
};

static const struct arn_case arn_cases[] = {
    {"arn:aws:sqs:us-east-1:123456789012:dlq", 0, "sqs", "us-east-1", "123456789012", "dlq"},
    {"arn:aws:sqs:eu-west-1:000000000000:q.fifo", 0, "sqs", "eu-west-1", "000000000000",
     "q.fifo"},
    {"arn:aws-us-gov:sqs:us-gov-west-1:1:x", 0, "sqs", "us-gov-west-1", "1", "x"},
    /* Another service is well-formed (the handler then finds no such queue). */
    {"arn:aws:sns:us-east-1:123456789012:topic", 0, "sns", "us-east-1", "123456789012", "topic"},
    {"", -1, NULL, NULL, NULL, NULL},
    {"invalid", -1, NULL, NULL, NULL, NULL},
    {"arn:aws:sqs:us-east-1:123456789012", -1, NULL, NULL, NULL, NULL}, /* no resource */
    {"arn:aws:sqs:us-east-1:123456789012:", -1, NULL, NULL, NULL, NULL},
    {"arn:aws:sqs::123456789012:dlq", -1, NULL, NULL, NULL, NULL},      /* no region */
    {"arn:aws:sqs:us-east-1::dlq", -1, NULL, NULL, NULL, NULL},         /* no account */
    {"arn::sqs:us-east-1:1:dlq", -1, NULL, NULL, NULL, NULL},           /* no partition */
    {"urn:aws:sqs:us-east-1:1:dlq", -1, NULL, NULL, NULL, NULL},
    {"arn:aws:sqs:us-east-1:1:a:b", -1, NULL, NULL, NULL, NULL}, /* queue names have no ':' */
    {"http://localhost:4566/000000000000/dlq", -1, NULL, NULL, NULL, NULL}, /* a URL */
};

static void
test_sqs_move__arn_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(arn_cases); i++) {
        const struct arn_case *c = &arn_cases[i];
        const char *service = NULL, *region = NULL, *account = NULL, *name = NULL;
        char copy[128];

        print_message("case %zu: '%s'\n", i, c->arn);
        snprintf(copy, sizeof(copy), "%s", c->arn);
        assert_int_equal(sqs_move_arn_split(copy, &service, &region, &account, &name), c->rc);
        if (c->rc == 0) {
            assert_string_equal(service, c->service);
            assert_string_equal(region, c->region);
            assert_string_equal(account, c->account);
            assert_string_equal(name, c->name);
        }
    }
}

struct limit_case {
    long long v;
    bool rate_ok;   /* MaxNumberOfMessagesPerSecond: 1 to 500 */
    bool results_ok; /* ListMessageMoveTasks MaxResults: 1 to 10 */
};

static const struct limit_case limit_cases[] = {
    {-1, false, false},  {0, false, false},   {1, true, true},      {10, true, true},
    {11, true, false},   {499, true, false},  {500, true, false},   {501, false, false},
    {1000, false, false}, {-9223372036854775807LL, false, false},
    {9223372036854775807LL, false, false},
};

static void
test_sqs_move__limits(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(limit_cases); i++) {
        const struct limit_case *c = &limit_cases[i];

        print_message("case %zu: %lld\n", i, c->v);
        assert_int_equal(sqs_move_rate_valid(c->v), c->rate_ok);
        assert_int_equal(sqs_move_max_results_valid(c->v), c->results_ok);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqs_move__handle_is_aws_format),
        cmocka_unit_test(test_sqs_move__handle_round_trip),
        cmocka_unit_test(test_sqs_move__handle_rejects),
        cmocka_unit_test(test_sqs_move__arn_split),
        cmocka_unit_test(test_sqs_move__limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
