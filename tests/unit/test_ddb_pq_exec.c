/* test_ddb_pq_exec.c: unit tests for the pure rules of the PartiQL operations
 * (services/dynamodb/ddb_pq_exec.c): the NextToken (a round trip, another statement's token,
 * an expired one, garbage), the digest binding a token to statement and parameters, the
 * BatchStatementError codes mapped from exceptions, capacity added up over pages and per
 * table, and the statement members' constraint messages. The operations themselves are
 * exercised by the integration tests against the daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_pq_exec.h"

static struct awslet_req req;

static int
setup(void **state)
{
    (void)state;
    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(req.err_extra);
    arena_release(&req.arena);
    return 0;
}

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
digest_of(const char *statement, const char *params, char out[65])
{
    json_t *p = params ? J(params) : NULL;

    assert_int_equal(ddb_pq_exec_digest(statement, p, out), 0);
    json_decref(p);
}

static void
test_ddb_pq_exec__token_round_trip(void **state)
{
    char d[65], *tok;
    json_t *lek = J("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"7\"}}"), *back = NULL;
    unsigned part = 99;
    const char *why = "unset";

    (void)state;
    digest_of("SELECT * FROM t WHERE pk IN [?, ?]", "[{\"S\":\"a\"},{\"S\":\"b\"}]", d);
    tok = ddb_pq_exec_token_encode(d, 1, lek, 1000);
    assert_non_null(tok);
    assert_true(strlen(tok) <= PQ_MAX_TOKEN);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d, 1000 + 59 * 60 * 1000, &part, &back, &why),
                     0);
    assert_null(why);
    assert_int_equal(part, 1);
    assert_true(json_equal(back, lek));
    json_decref(back);
    free(tok);

    /* a token that starts the next partition from its first item */
    tok = ddb_pq_exec_token_encode(d, 2, NULL, 5);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d, 6, &part, &back, &why), 0);
    assert_int_equal(part, 2);
    assert_null(back);
    free(tok);
    json_decref(lek);
}

static void
test_ddb_pq_exec__token_of_another_statement(void **state)
{
    char d1[65], d2[65], d3[65], *tok;
    json_t *lek = J("{\"pk\":{\"S\":\"a\"}}"), *back = NULL;
    unsigned part = 0;
    const char *why = NULL;

    (void)state;
    digest_of("SELECT * FROM t", NULL, d1);
    digest_of("SELECT * FROM u", NULL, d2);
    digest_of("SELECT * FROM t", "[{\"S\":\"x\"}]", d3);
    assert_string_not_equal(d1, d2);
    assert_string_not_equal(d1, d3);
    tok = ddb_pq_exec_token_encode(d1, 0, lek, 0);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d2, 0, &part, &back, &why), -1);
    assert_string_equal(why, "NextToken does not match request");
    assert_null(back);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d3, 0, &part, &back, &why), -1);
    assert_string_equal(why, "NextToken does not match request");
    free(tok);
    json_decref(lek);
}

static void
test_ddb_pq_exec__token_expires_after_an_hour(void **state)
{
    char d[65], *tok;
    json_t *back = NULL;
    unsigned part;
    const char *why = NULL;

    (void)state;
    digest_of("SELECT * FROM t", NULL, d);
    tok = ddb_pq_exec_token_encode(d, 0, NULL, 1000);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d, 1000 + 3600 * 1000 - 1, &part, &back, &why),
                     0);
    assert_int_equal(ddb_pq_exec_token_decode(tok, d, 1000 + 3600 * 1000, &part, &back, &why), -1);
    assert_string_equal(why, "Given NextToken has already expired");
    free(tok);
}

static void
test_ddb_pq_exec__garbage_tokens_are_invalid(void **state)
{
    static const char *const bad[] = {
        "x",                                        /* not base64 */
        "bm90IGpzb24=",                             /* "not json" */
        "e30=",                                     /* {} */
        "eyJ2IjoyLCJoIjoiYSIsInAiOjAsInQiOjB9",     /* {"v":2,"h":"a","p":0,"t":0} */
        "eyJ2IjoxLCJoIjoiYSIsInAiOi0xLCJ0IjowfQ==", /* {"v":1,"h":"a","p":-1,"t":0} */
    };
    char d[65];
    json_t *back = NULL;
    unsigned part;
    const char *why = NULL;

    (void)state;
    digest_of("SELECT * FROM t", NULL, d);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ddb_pq_exec_token_decode(bad[i], d, 0, &part, &back, &why), -1);
        assert_string_equal(why, "Invalid NextToken");
        assert_null(back);
    }
}

static void
test_ddb_pq_exec__digest_sees_parameter_values_not_spelling(void **state)
{
    char a[65], b[65], c[65];

    (void)state;
    digest_of("SELECT * FROM t WHERE a = ?", "[{\"M\":{\"x\":{\"S\":\"1\"},\"y\":{\"S\":\"2\"}}}]",
              a);
    digest_of("SELECT * FROM t WHERE a = ?", "[{\"M\":{\"y\":{\"S\":\"2\"},\"x\":{\"S\":\"1\"}}}]",
              b);
    digest_of("SELECT * FROM t WHERE a = ?", "[{\"M\":{\"y\":{\"S\":\"2\"},\"x\":{\"S\":\"3\"}}}]",
              c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

static void
test_ddb_pq_exec__error_codes(void **state)
{
    static const char *const cases[][2] = {
        {"ConditionalCheckFailedException", "ConditionalCheckFailed"},
        {"DuplicateItemException", "DuplicateItem"},
        {"ValidationException", "ValidationError"},
        {"ResourceNotFoundException", "ResourceNotFound"},
        {"ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceeded"},
        {"TransactionConflictException", "TransactionConflict"},
        {"ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded"},
        {"ThrottlingException", "ThrottlingError"},
        {"RequestLimitExceeded", "RequestLimitExceeded"},
        {"InternalServerError", "InternalServerError"},
        {"InternalFailure", "InternalServerError"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(ddb_pq_exec_error_code(cases[i][0]), cases[i][1]);
    assert_string_equal(ddb_pq_exec_error_code(NULL), "InternalServerError");
}

static void
test_ddb_pq_exec__capacity_sums_pages_and_tables(void **state)
{
    json_t *acc =
        J("{\"TableName\":\"t\",\"CapacityUnits\":0.5,\"Table\":{\"CapacityUnits\":0.5}}");
    json_t *page = J("{\"TableName\":\"t\",\"CapacityUnits\":1.5,\"Table\":{\"CapacityUnits\":1.0},"
                     "\"GlobalSecondaryIndexes\":{\"g\":{\"CapacityUnits\":0.5}}}");
    json_t *list = json_array(), *other = J("{\"TableName\":\"u\",\"CapacityUnits\":1.0}");

    (void)state;
    assert_int_equal(ddb_pq_exec_capacity_add(acc, page), 0);
    assert_true(json_number_value(json_object_get(acc, "CapacityUnits")) == 2.0);
    assert_true(
        json_number_value(json_object_get(json_object_get(acc, "Table"), "CapacityUnits")) == 1.5);
    assert_true(json_number_value(json_object_get(
                    json_object_get(json_object_get(acc, "GlobalSecondaryIndexes"), "g"),
                    "CapacityUnits")) == 0.5);
    assert_string_equal(json_string_value(json_object_get(acc, "TableName")), "t");

    /* per table, in the order first charged */
    assert_int_equal(ddb_pq_exec_capacity_list_add(list, page), 0);
    assert_int_equal(ddb_pq_exec_capacity_list_add(list, other), 0);
    assert_int_equal(ddb_pq_exec_capacity_list_add(list, page), 0);
    assert_int_equal(ddb_pq_exec_capacity_list_add(list, NULL), 0);
    assert_int_equal(json_array_size(list), 2);
    assert_true(json_number_value(json_object_get(json_array_get(list, 0), "CapacityUnits")) ==
                3.0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "TableName")),
                        "u");
    /* the page itself is left as it was */
    assert_true(json_number_value(json_object_get(page, "CapacityUnits")) == 1.5);
    json_decref(acc);
    json_decref(page);
    json_decref(list);
    json_decref(other);
}

static void
test_ddb_pq_exec__inner_errors_in_partiql_words(void **state)
{
    static const char *const cases[][2] = {
        {"Invalid FilterExpression: Incorrect operand type for operator or function; operator or "
         "function: <, operand type: BOOL",
         "Incorrect operand type for operator or function; operator or function: <, operand "
         "type: BOOL"},
        {"Invalid UpdateExpression: An operand in the update expression has an incorrect data type",
         "An operand in the update expression has an incorrect data type"},
        {"Consistent reads are not supported on global secondary indexes",
         "Strongly consistent read is not supported on Global Secondary Indexes"},
        {"One or more parameter values were invalid: Missing the key pk in the item",
         "One or more parameter values were invalid: Missing the key pk in the item"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ddb_validation(&req, "%s", cases[i][0]);
        ddb_pq_exec_inner_error(&req);
        assert_ptr_equal(req.err, &ERR_VALIDATION);
        assert_string_equal(req.err_msg, cases[i][1]);
    }
    /* only ValidationExceptions are re-worded */
    awslet_fail(&req, &ERR_DDB_CONDITIONAL_CHECK_FAILED, "Invalid FilterExpression: x");
    ddb_pq_exec_inner_error(&req);
    assert_string_equal(req.err_msg, "Invalid FilterExpression: x");
}

struct check_case {
    const char *in;  /* one statement's members */
    const char *at;  /* member path prefix */
    bool ok;         /* the statement itself is usable */
    const char *msg; /* the request's error, or NULL */
};

static void
test_ddb_pq_exec__statement_constraints(void **state)
{
    static const struct check_case cases[] = {
        {"{\"Statement\":\"SELECT * FROM t\"}", "", true, NULL},
        {"{\"Statement\":\"SELECT * FROM "
         "t\",\"Parameters\":[{\"S\":\"a\"}],\"ConsistentRead\":true,"
         "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}",
         "", true, NULL},
        {"{}", "", false,
         "1 validation error detected: Value null at 'statement' failed to satisfy constraint: "
         "Member must not be null"},
        {"{\"Statement\":\"\"}", "statements.2.member.", false,
         "1 validation error detected: Value '' at 'statements.2.member.statement' failed to "
         "satisfy constraint: Member must have length greater than or equal to 1"},
        {"{\"Statement\":\"SELECT * FROM t\",\"Parameters\":[]}", "", false,
         "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"},
        {"{\"Statement\":\"SELECT * FROM t\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_NEW\"}",
         "", true,
         "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
         "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"},
        {"{\"Statement\":5}", "", false,
         "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
         "an String"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ddb_args a;
        json_t *in = J(cases[i].in);
        bool ok;
        int done;

        req.err = NULL;
        req.err_msg = NULL;
        ddb_args_init(&a, &req);
        ok = ddb_pq_exec_check_statement(&a, in, cases[i].at);
        done = ddb_args_done(&a);
        assert_int_equal(ok, cases[i].ok);
        if (cases[i].msg) {
            assert_int_equal(done, -1);
            assert_string_equal(req.err_msg, cases[i].msg);
        } else {
            assert_int_equal(done, 0);
            assert_null(req.err);
        }
        json_decref(in);
    }
}

static void
test_ddb_pq_exec__statement_length_counts_characters(void **state)
{
    struct ddb_args a;
    char *text = malloc(PQ_MAX_STATEMENT * 2 + 16);
    json_t *in;
    size_t i;

    (void)state;
    /* 8192 two-byte characters fit; one more does not */
    for (i = 0; i < PQ_MAX_STATEMENT; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[2 * i] = '\0';
    in = json_pack("{s:s}", "Statement", text);
    ddb_args_init(&a, &req);
    assert_true(ddb_pq_exec_check_statement(&a, in, ""));
    assert_int_equal(ddb_args_done(&a), 0);
    json_decref(in);

    memcpy(text + 2 * i, "x", 2);
    in = json_pack("{s:s}", "Statement", text);
    ddb_args_init(&a, &req);
    assert_false(ddb_pq_exec_check_statement(&a, in, ""));
    assert_int_equal(ddb_args_done(&a), -1);
    assert_non_null(strstr(req.err_msg, "Member must have length less than or equal to 8192"));
    json_decref(in);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_pq_exec__token_round_trip),
        cmocka_unit_test(test_ddb_pq_exec__token_of_another_statement),
        cmocka_unit_test(test_ddb_pq_exec__token_expires_after_an_hour),
        cmocka_unit_test(test_ddb_pq_exec__garbage_tokens_are_invalid),
        cmocka_unit_test(test_ddb_pq_exec__digest_sees_parameter_values_not_spelling),
        cmocka_unit_test(test_ddb_pq_exec__error_codes),
        cmocka_unit_test(test_ddb_pq_exec__capacity_sums_pages_and_tables),
        cmocka_unit_test_setup_teardown(test_ddb_pq_exec__inner_errors_in_partiql_words, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_exec__statement_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddb_pq_exec__statement_length_counts_characters, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
