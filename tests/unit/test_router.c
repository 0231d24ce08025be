/* test_router.c: the pure parts of routing (queue-URL paths, execute-api hosts, data-plane
 * paths) and the service registry the router searches (lookups, sorted operation tables). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/router.h"
#include "services/service.h"

static void
test_router__queue_path(void **state)
{
    static const struct {
        const char *path;
        int want;
    } cases[] = {
        {"/000000000000/orders", 1},
        {"/123456789012/orders.fifo", 1},
        {"/000000000000/orders/", 1},
        {"/000000000000/", 0},
        {"/00000000000/orders", 0},    /* 11 digits */
        {"/0000000000001/orders", 0},  /* 13 digits */
        {"/abcdefghijkl/orders", 0},
        {"/", 0},
        {"", 0},
        {"/2015-03-31/functions", 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        assert_int_equal(router_is_queue_path(cases[i].path), cases[i].want);
}

static void
test_router__execute_api_host(void **state)
{
    char id[64];
    assert_int_equal(router_execute_api_host("abc123defg.execute-api.localhost:4566", id,
                                             sizeof(id)),
                     1);
    assert_string_equal(id, "abc123defg");
    assert_int_equal(router_execute_api_host("x1.execute-api.us-east-1.amazonaws.com", id,
                                             sizeof(id)),
                     1);
    assert_string_equal(id, "x1");
    assert_int_equal(router_execute_api_host("localhost:4566", id, sizeof(id)), 0);
    assert_int_equal(router_execute_api_host(".execute-api.localhost", id, sizeof(id)), 0);
    assert_int_equal(router_execute_api_host("sqs.us-east-1.localhost", id, sizeof(id)), 0);
    assert_int_equal(router_execute_api_host("abc.execute-apix.localhost", id, sizeof(id)), 0);
    /* An id longer than the buffer is refused, not truncated. */
    assert_int_equal(router_execute_api_host("abcdefgh.execute-api.localhost", id, 4), 0);
}

static void
test_router__user_request_path(void **state)
{
    assert_int_equal(router_is_user_request_path("/restapis/a1/prod/_user_request_/orders"), 1);
    assert_int_equal(router_is_user_request_path("/restapis/a1/prod/_user_request_"), 1);
    assert_int_equal(router_is_user_request_path("/restapis/a1/prod/_user_request_/"), 1);
    assert_int_equal(router_is_user_request_path("/restapis/a1/prod/_user_request_x"), 0);
    assert_int_equal(router_is_user_request_path("/restapis/a1/stages/prod"), 0);
    assert_int_equal(router_is_user_request_path("/restapis//prod/_user_request_/x"), 0);
    assert_int_equal(router_is_user_request_path("/restapis"), 0);
}

static void
test_services__lookups(void **state)
{
    assert_non_null(service_by_name("sqs"));
    assert_null(service_by_name("s3"));
    assert_string_equal(service_by_target("AmazonSQS", 9)->name, "sqs");
    assert_string_equal(service_by_target("DynamoDB_20120810", 17)->name, "dynamodb");
    assert_string_equal(service_by_target("DynamoDBStreams_20120810", 24)->name,
                        "dynamodbstreams");
    assert_string_equal(service_by_target("Logs_20140328", 13)->name, "logs");
    /* A prefix of a prefix is not a match. */
    assert_null(service_by_target("DynamoDB", 8));
    assert_string_equal(service_by_query_version("2012-11-05")->name, "sqs");
    assert_string_equal(service_by_query_version("2010-03-31")->name, "sns");
    assert_null(service_by_query_version("2011-06-15x"));
}

static void
test_services__op_tables_sorted_and_complete(void **state)
{
    for (size_t i = 0; i < awslet_n_services; i++) {
        const struct awslet_service *svc = awslet_services[i];
        for (size_t j = 0; j < svc->n_ops; j++) {
            assert_non_null(svc->ops[j].fn);
            if (j > 0)
                assert_true(strcmp(svc->ops[j - 1].name, svc->ops[j].name) < 0);
            assert_ptr_equal(service_find_op(svc, svc->ops[j].name), &svc->ops[j]);
            /* Query and REST services: every implemented operation exists in the model. */
            if (svc->model)
                assert_non_null(model_find_op(svc->model, svc->ops[j].name));
        }
        assert_null(service_find_op(svc, "NoSuchOperation"));
        /* Each service speaks at least one protocol, and the JSON ones have a target. */
        assert_true(svc->protocols != 0);
        if (svc->protocols & (PROTO_JSON_1_0 | PROTO_JSON_1_1))
            assert_non_null(svc->target_prefix);
        if (svc->protocols & (PROTO_QUERY | PROTO_REST_JSON))
            assert_non_null(svc->model);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router__queue_path),
        cmocka_unit_test(test_router__execute_api_host),
        cmocka_unit_test(test_router__user_request_path),
        cmocka_unit_test(test_services__lookups),
        cmocka_unit_test(test_services__op_tables_sorted_and_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
