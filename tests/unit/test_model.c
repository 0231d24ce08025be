/* test_model.c: unit tests for core/model.c and the generated models (services/models.h).
 *
 * Checks what the codecs rely on: every model's operations are sorted for bsearch,
 * model_find_op/model_find_member hit and miss, and spot checks that tools/gen_model.py
 * resolved botocore's traits (wire names, flattened maps, payloads, status codes, literal
 * query constraints in URIs, error codes) the way the SDKs read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/model.h"
#include "services/models.h"

struct model_case {
    const struct model *m;
    const char *protocol;
    size_t n_ops; /* as in the model files the generator read */
};

static const struct model_case model_cases[] = {
    {&model_sqs_query, "query", 23}, /* 20 query-era + 3 move-task ops merged from JSON */
    {&model_sns, "query", 42},
    {&model_lambda, "rest-json", 85},
    {&model_apigateway, "rest-json", 124},
};

static void
test_model__ops_sorted(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(model_cases); i++) {
        const struct model *m = model_cases[i].m;

        print_message("model %s\n", m->service);
        assert_string_equal(m->protocol, model_cases[i].protocol);
        assert_int_equal(m->n_ops, model_cases[i].n_ops);
        for (size_t j = 1; j < m->n_ops; j++)
            assert_true(strcmp(m->ops[j - 1].name, m->ops[j].name) < 0);
        /* Every operation is found by its own name through the bsearch. */
        for (size_t j = 0; j < m->n_ops; j++)
            assert_ptr_equal(model_find_op(m, m->ops[j].name), &m->ops[j]);
    }
}

struct find_case {
    const struct model *m;
    const char *name;
    int found;
};

static const struct find_case find_cases[] = {
    {&model_sqs_query, "AddPermission", 1}, /* first */
    {&model_sqs_query, "UntagQueue", 1},    /* last */
    {&model_sqs_query, "SendMessage", 1},
    {&model_sqs_query, "sendmessage", 0}, /* names are case-sensitive */
    {&model_sqs_query, "SendMessages", 0},
    {&model_sqs_query, "", 0},
    {&model_sns, "Publish", 1},
    {&model_sns, "PublishBatch", 1},
    {&model_sns, "CreateQueue", 0},
    {&model_lambda, "Invoke", 1},
    {&model_lambda, "InvokeAsync", 1},
    {&model_lambda, "Invok", 0},
    {&model_apigateway, "ImportRestApi", 1},
    {&model_apigateway, "AAA", 0},
    {&model_apigateway, "zzz", 0},
};

static void
test_model__find_op(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(find_cases); i++) {
        const struct find_case *c = &find_cases[i];
        const struct model_op *op = model_find_op(c->m, c->name);

        print_message("case %zu: %s\n", i, c->name);
        if (c->found) {
            assert_non_null(op);
            assert_string_equal(op->name, c->name);
        } else {
            assert_null(op);
        }
    }
    assert_null(model_find_op(&model_lambda, NULL));
}

static void
test_model__find_member(void **state)
{
    const struct model_op *op = model_find_op(&model_lambda, "CreateFunction");

    (void)state;
    assert_non_null(op);
    assert_non_null(model_find_member(op->input, "FunctionName"));
    assert_string_equal(model_find_member(op->input, "Runtime")->name, "Runtime");
    assert_null(model_find_member(op->input, "functionname"));
    assert_null(model_find_member(op->input, "Nope"));
    assert_null(model_find_member(NULL, "FunctionName"));
    /* Required comes from the structure's "required" list. */
    assert_true(model_find_member(op->input, "FunctionName")->flags & MEMBER_REQUIRED);
    assert_false(model_find_member(op->input, "Runtime")->flags & MEMBER_REQUIRED);
}

static void
test_model__sqs_send_message_attributes(void **state)
{
    const struct model_op *op = model_find_op(&model_sqs_query, "SendMessage");
    const struct model_member *mm, *list;
    const struct model_shape *map, *value;

    (void)state;
    assert_non_null(op);
    assert_string_equal(op->result_wrapper, "SendMessageResult");
    assert_string_equal(model_sqs_query.xml_namespace,
                        "http://queue.amazonaws.com/doc/2012-11-05/");
    mm = model_find_member(op->input, "MessageAttributes");
    assert_non_null(mm);
    assert_string_equal(mm->wire, "MessageAttribute");
    assert_true(mm->flags & MEMBER_FLATTENED); /* from the shape's own "flattened" */
    map = mm->shape;
    assert_int_equal(map->type, SHAPE_MAP);
    assert_true(map->flags & SHAPE_F_FLATTENED);
    assert_int_equal(map->n_members, 2);
    assert_string_equal(map->members[0].name, "key");
    assert_string_equal(map->members[0].wire, "Name");
    assert_string_equal(map->members[1].name, "value");
    assert_string_equal(map->members[1].wire, "Value");

    /* A member-level "flattened" (the shape itself is not flattened). */
    value = map->members[1].shape;
    list = model_find_member(value, "StringListValues");
    assert_non_null(list);
    assert_true(list->flags & MEMBER_FLATTENED);
    assert_false(list->shape->flags & SHAPE_F_FLATTENED);
    assert_string_equal(list->wire, "StringListValue");
    assert_int_equal(list->shape->type, SHAPE_LIST);
    assert_string_equal(list->shape->members[0].name, "member");
    assert_string_equal(list->shape->members[0].wire, "StringListValue");

    /* Members keep the model's order (the XML writer depends on it). */
    assert_string_equal(op->input->members[0].name, "QueueUrl");
    assert_string_equal(op->input->members[1].name, "MessageBody");
}

/* The message move tasks are merged into the query-era model from botocore's JSON model
 * (tools/gen_model.py --merge-missing-from), given the query wire's conventions. */
static void
test_model__sqs_query_merged_move_tasks(void **state)
{
    const struct model_op *op = model_find_op(&model_sqs_query, "StartMessageMoveTask");
    const struct model_member *mm;

    (void)state;
    assert_non_null(op);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->result_wrapper, "StartMessageMoveTaskResult");
    mm = model_find_member(op->input, "SourceArn");
    assert_non_null(mm);
    assert_true(mm->flags & MEMBER_REQUIRED);
    assert_int_equal(mm->shape->type, SHAPE_STRING);
    mm = model_find_member(op->input, "MaxNumberOfMessagesPerSecond");
    assert_non_null(mm);
    assert_int_equal(mm->shape->type, SHAPE_INTEGER);
    assert_false(mm->flags & MEMBER_REQUIRED);
    assert_non_null(model_find_member(op->output, "TaskHandle"));

    op = model_find_op(&model_sqs_query, "ListMessageMoveTasks");
    assert_non_null(op);
    assert_string_equal(op->result_wrapper, "ListMessageMoveTasksResult");
    mm = model_find_member(op->output, "Results");
    assert_non_null(mm);
    assert_true(mm->flags & MEMBER_FLATTENED);
    assert_int_equal(mm->shape->type, SHAPE_LIST);
    /* AWS's query wire names each entry <ListMessageMoveTasksResultEntry>. */
    assert_string_equal(mm->shape->members[0].wire, "ListMessageMoveTasksResultEntry");
    mm = model_find_member(mm->shape->members[0].shape, "StartedTimestamp");
    assert_int_equal(mm->shape->type, SHAPE_LONG);

    op = model_find_op(&model_sqs_query, "CancelMessageMoveTask");
    assert_non_null(op);
    assert_string_equal(op->result_wrapper, "CancelMessageMoveTaskResult");
    assert_true(model_find_member(op->input, "TaskHandle")->flags & MEMBER_REQUIRED);

    /* Where both models define a shape, the query-era one (with its query code) is kept. */
    op = model_find_op(&model_sqs_query, "ListDeadLetterSourceQueues");
    assert_non_null(model_find_member(op->output, "queueUrls"));
}

static void
test_model__lambda_invoke(void **state)
{
    const struct model_op *op = model_find_op(&model_lambda, "Invoke");
    const struct model_member *mm;

    (void)state;
    assert_non_null(op);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->uri, "/2015-03-31/functions/{FunctionName}/invocations");
    assert_true(op->status == 0 || op->status == 200);
    assert_null(op->result_wrapper);

    mm = model_find_member(op->input, "Payload");
    assert_non_null(mm);
    assert_true(mm->flags & MEMBER_PAYLOAD);
    assert_int_equal(mm->shape->type, SHAPE_BLOB);
    mm = model_find_member(op->input, "FunctionName");
    assert_int_equal(mm->location, LOC_URI);
    assert_true(mm->flags & MEMBER_REQUIRED);
    mm = model_find_member(op->input, "InvocationType");
    assert_int_equal(mm->location, LOC_HEADER);
    assert_string_equal(mm->wire, "X-Amz-Invocation-Type");
    mm = model_find_member(op->input, "Qualifier");
    assert_int_equal(mm->location, LOC_QUERYSTRING);

    mm = model_find_member(op->output, "StatusCode");
    assert_int_equal(mm->location, LOC_STATUS);
    assert_int_equal(mm->shape->type, SHAPE_INTEGER);
    mm = model_find_member(op->output, "Payload");
    assert_true(mm->flags & MEMBER_PAYLOAD);

    assert_int_equal(model_find_op(&model_lambda, "InvokeAsync")->status, 202);
}

static void
test_model__apigateway_uris(void **state)
{
    const struct model_op *op = model_find_op(&model_apigateway, "ImportRestApi");
    const struct model_member *mm;

    (void)state;
    assert_non_null(op);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->uri, "/restapis?mode=import");
    assert_int_equal(op->status, 201);
    mm = model_find_member(op->input, "failOnWarnings");
    assert_string_equal(mm->wire, "failonwarnings");
    assert_int_equal(mm->shape->type, SHAPE_BOOLEAN);
    assert_int_equal(model_find_member(op->input, "parameters")->shape->type, SHAPE_MAP);
    assert_true(model_find_member(op->input, "body")->flags & MEMBER_PAYLOAD);

    /* Body members keep their locationName: API Gateway lists are "item" on the wire. */
    op = model_find_op(&model_apigateway, "GetRestApis");
    mm = model_find_member(op->output, "items");
    assert_string_equal(mm->wire, "item");
    op = model_find_op(&model_apigateway, "PutIntegration");
    assert_string_equal(model_find_member(op->input, "restApiId")->wire, "restapi_id");
    assert_string_equal(model_find_member(op->input, "integrationHttpMethod")->wire, "httpMethod");
    assert_null(model_find_member(op->input, "type")->wire);
}

struct error_case {
    const struct model_shape *const *table;
    const char *shape;
    const char *code; /* NULL: the model sets none */
    unsigned status;
};

static const struct error_case error_cases[] = {
    {model_sqs_query_errors, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400},
    {model_sqs_query_errors, "OverLimit", "OverLimit", 403},
    /* Kept from the query-era model although the merged JSON model defines it too. */
    {model_sqs_query_errors, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
     400},
    {model_sqs_query_errors, "ResourceNotFoundException", NULL, 0}, /* merged from JSON */
    {model_sns_errors, "NotFoundException", "NotFound", 404},
    {model_lambda_errors, "ResourceNotFoundException", NULL, 404},
    {model_apigateway_errors, "ConflictException", NULL, 409},
};

static void
test_model__errors(void **state)
{
    const struct model_shape *const *tables[] = {model_sqs_query_errors, model_sns_errors,
                                                 model_lambda_errors, model_apigateway_errors};

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        size_t n = 0;

        for (; tables[i][n]; n++) {
            assert_true(tables[i][n]->flags & SHAPE_F_EXCEPTION);
            if (n > 0)
                assert_true(strcmp(tables[i][n - 1]->name, tables[i][n]->name) < 0);
        }
        assert_true(n > 5);
    }
    for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
        const struct error_case *c = &error_cases[i];
        const struct model_shape *s = NULL;

        print_message("case %zu: %s\n", i, c->shape);
        for (size_t j = 0; c->table[j]; j++) {
            if (strcmp(c->table[j]->name, c->shape) == 0)
                s = c->table[j];
        }
        assert_non_null(s);
        if (c->code)
            assert_string_equal(s->error_code, c->code);
        else
            assert_null(s->error_code);
        assert_int_equal(s->error_status, c->status);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__ops_sorted),
        cmocka_unit_test(test_model__find_op),
        cmocka_unit_test(test_model__find_member),
        cmocka_unit_test(test_model__sqs_send_message_attributes),
        cmocka_unit_test(test_model__sqs_query_merged_move_tasks),
        cmocka_unit_test(test_model__lambda_invoke),
        cmocka_unit_test(test_model__apigateway_uris),
        cmocka_unit_test(test_model__errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
