/* test_proto_restjson.c: unit tests for the REST-JSON codec (core/proto_restjson.c).
 *
 * Routing runs against the generated Lambda and API Gateway models plus a small hand-built
 * model with greedy labels (no Lambda or API Gateway template has one, nor a literal and a
 * label competing for one segment). Decoding and encoding use real operations: Invoke's
 * headers, query and raw payload; CreateFunction's JSON body; API Gateway's renamed members
 * ("httpMethod", "item"); Invoke's status/header/payload output; the error body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/proto_query.h"
#include "core/proto_restjson.h"
#include "services/models.h"

/* A model with the template shapes the real ones lack: greedy labels, a literal segment
 * competing with a label, a greedy label followed by a literal. */
static const struct model_shape t_string = {"String", SHAPE_STRING, 0, 0, NULL, NULL, NULL, 0};
static const struct model_shape t_long = {"Long", SHAPE_LONG, 0, 0, NULL, NULL, NULL, 0};
static const struct model_member t_obj_members[] = {
    {"Bucket", NULL, &t_string, LOC_URI, MEMBER_REQUIRED},
    {"Key", NULL, &t_string, LOC_URI, MEMBER_REQUIRED},
    {"Version", "v", &t_long, LOC_URI, 0},
};
static const struct model_shape t_obj_input = {
    "ObjInput", SHAPE_STRUCTURE, 0, 3, t_obj_members, NULL, NULL, 0};
static const struct model_op t_ops[] = {
    {"GetAcl", "GET", "/{Bucket}/{Key+}?acl", &t_obj_input, NULL, NULL, 0},
    {"GetMeta", "GET", "/files/{Key+}/meta", &t_obj_input, NULL, NULL, 0},
    {"GetObject", "GET", "/{Bucket}/{Key+}", &t_obj_input, NULL, NULL, 0},
    {"GetStatic", "GET", "/{Bucket}/static/{Key}", &t_obj_input, NULL, NULL, 0},
    {"GetVersion", "GET", "/versions/{v}", &t_obj_input, NULL, NULL, 0},
    {"ListBuckets", "GET", "/", NULL, NULL, NULL, 0},
    {"ListObjects", "GET", "/{Bucket}", &t_obj_input, NULL, NULL, 0},
    {"ListStatic", "GET", "/static", NULL, NULL, NULL, 0},
};
static const struct model t_model = {"test", "rest-json", "2020-01-01",
                                     NULL,   t_ops,       ARRAY_SIZE(t_ops)};

struct match_case {
    const struct model *m;
    const char *method, *path, *query;
    const char *op;                  /* NULL: no match */
    const char *label, *label_value; /* one label to check, or NULL */
};

#define FN_ARN     "arn:aws:lambda:us-east-1:000000000000:function:my-fn"
#define FN_ARN_ENC "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-fn"

static const struct match_case match_cases[] = {
    /* Lambda */
    {&model_lambda, "POST", "/2015-03-31/functions/my-fn/invocations", "", "Invoke", "FunctionName",
     "my-fn"},
    {&model_lambda, "POST", "/2015-03-31/functions/" FN_ARN_ENC "/invocations", "Qualifier=1",
     "Invoke", "FunctionName", FN_ARN},
    {&model_lambda, "PUT", "/2015-03-31/functions/my-fn/invocations", "", NULL, NULL, NULL},
    {&model_lambda, "GET", "/2015-03-31/functions/", "", "ListFunctions", NULL, NULL},
    {&model_lambda, "GET", "/2015-03-31/functions", "MaxItems=5", "ListFunctions", NULL, NULL},
    {&model_lambda, "GET", "/2015-03-31/functions/my-fn", "", "GetFunction", "FunctionName",
     "my-fn"},
    {&model_lambda, "GET", "/2015-03-31/functions/my-fn/configuration", "",
     "GetFunctionConfiguration", "FunctionName", "my-fn"},
    {&model_lambda, "POST", "/2015-03-31/functions", "", "CreateFunction", NULL, NULL},
    {&model_lambda, "DELETE", "/2015-03-31/functions/my-fn", "", "DeleteFunction", "FunctionName",
     "my-fn"},
    {&model_lambda, "POST", "/2014-11-13/functions/f/invoke-async/", "", "InvokeAsync",
     "FunctionName", "f"},
    /* A literal query constraint beats the same template without one... */
    {&model_lambda, "GET", "/2018-10-31/layers", "find=LayerVersion&Arn=x", "GetLayerVersionByArn",
     NULL, NULL},
    {&model_lambda, "GET", "/2018-10-31/layers", "find=Other", "ListLayers", NULL, NULL},
    {&model_lambda, "GET", "/2018-10-31/layers", "", "ListLayers", NULL, NULL},
    {&model_lambda, "GET", "/2019-09-30/functions/f/provisioned-concurrency", "List=ALL",
     "ListProvisionedConcurrencyConfigs", "FunctionName", "f"},
    {&model_lambda, "GET", "/2019-09-30/functions/f/provisioned-concurrency", "Qualifier=1",
     "GetProvisionedConcurrencyConfig", "FunctionName", "f"},
    {&model_lambda, "GET", "/2015-03-31/functions/my-fn/invocations/extra", "", NULL, NULL, NULL},
    {&model_lambda, "GET", "/nope", "", NULL, NULL, NULL},
    {&model_lambda, "GET", "", "", NULL, NULL, NULL},
    /* ...and a label never matches an empty segment. */
    {&model_lambda, "GET", "/2015-03-31/functions//configuration", "", NULL, NULL, NULL},
    /* API Gateway */
    {&model_apigateway, "POST", "/restapis", "mode=import&failonwarnings=true", "ImportRestApi",
     NULL, NULL},
    {&model_apigateway, "POST", "/restapis", "", "CreateRestApi", NULL, NULL},
    {&model_apigateway, "POST", "/restapis", "mode=merge", "CreateRestApi", NULL, NULL},
    {&model_apigateway, "PUT", "/restapis/abc123", "mode=overwrite", "PutRestApi", "restapi_id",
     "abc123"},
    {&model_apigateway, "GET", "/restapis/abc123/resources/r1", "", "GetResource", "resource_id",
     "r1"},
    {&model_apigateway, "PUT", "/restapis/a/resources/r/methods/GET/integration", "",
     "PutIntegration", "http_method", "GET"},
    {&model_apigateway, "POST", "/apikeys", "mode=import&format=csv", "ImportApiKeys", NULL, NULL},
    {&model_apigateway, "POST", "/apikeys", "", "CreateApiKey", NULL, NULL},
    /* Hand-built: greedy labels, literal beats label, literal beats greedy. */
    {&t_model, "GET", "/", "", "ListBuckets", NULL, NULL},
    {&t_model, "GET", "/bkt", "", "ListObjects", "Bucket", "bkt"},
    {&t_model, "GET", "/static", "", "ListStatic", NULL, NULL},
    {&t_model, "GET", "/bkt/a", "", "GetObject", "Key", "a"},
    {&t_model, "GET", "/bkt/a/b/c.txt", "", "GetObject", "Key", "a/b/c.txt"},
    {&t_model, "GET", "/bkt/dir%2Fx/y%20z", "", "GetObject", "Key", "dir/x/y z"},
    {&t_model, "GET", "/bkt/a/b", "acl", "GetAcl", "Key", "a/b"},
    {&t_model, "GET", "/bkt/static/logo", "", "GetStatic", "Key", "logo"},
    {&t_model, "GET", "/bkt/static/logo/big", "", "GetObject", "Key", "static/logo/big"},
    {&t_model, "GET", "/files/a/b/meta", "", "GetMeta", "Key", "a/b"},
    {&t_model, "GET", "/files/meta", "", "GetObject", "Key", "meta"},
    {&t_model, "GET", "/versions/12", "", "GetVersion", "v", "12"},
    {&t_model, "POST", "/bkt", "", NULL, NULL, NULL},
};

static void
test_proto_restjson__match(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(match_cases); i++) {
        const struct match_case *c = &match_cases[i];
        const struct model_op *op;
        struct arena a;
        struct form q;
        json_t *params = NULL;

        print_message("case %zu: %s %s?%s\n", i, c->method, c->path, c->query);
        arena_init(&a);
        assert_int_equal(form_parse(&a, c->query, strlen(c->query), &q), 0);
        op = rest_match(c->m, c->method, c->path, &q, &params);
        if (!c->op) {
            assert_null(op);
            assert_null(params);
        } else {
            assert_non_null(op);
            assert_string_equal(op->name, c->op);
            assert_non_null(params);
            if (c->label)
                assert_string_equal(json_string_value(json_object_get(params, c->label)),
                                    c->label_value);
        }
        json_decref(params);
        arena_release(&a);
    }
}

/* Decode one request; query and headers are given as text ("k=v&..." / JSON object). */
static json_t *
decode(const struct model *m, const char *method, const char *path, const char *query,
       const char *headers_json, const char *body, size_t len, char *err, size_t errlen)
{
    struct arena a;
    struct form q;
    json_t *params = NULL, *headers, *in;
    const struct model_op *op;

    arena_init(&a);
    assert_int_equal(form_parse(&a, query, strlen(query), &q), 0);
    op = rest_match(m, method, path, &q, &params);
    assert_non_null(op);
    headers = json_loads(headers_json, 0, NULL);
    assert_non_null(headers);
    in = rest_decode(op, params, &q, headers, body, len, err, errlen);
    json_decref(headers);
    json_decref(params);
    arena_release(&a);
    return in;
}

static void
test_proto_restjson__decode_invoke(void **state)
{
    static const char payload[] = "{\"k\":\"v\"}\0\xff raw";
    char err[256] = "";
    json_t *in, *p;

    (void)state;
    in = decode(&model_lambda, "POST", "/2015-03-31/functions/" FN_ARN_ENC "/invocations",
                "Qualifier=prod",
                "{\"x-amz-invocation-type\":\"Event\",\"x-amz-log-type\":\"Tail\","
                "\"content-type\":\"application/json\"}",
                payload, sizeof(payload) - 1, err, sizeof(err));
    assert_non_null(in);
    assert_string_equal(json_string_value(json_object_get(in, "FunctionName")), FN_ARN);
    assert_string_equal(json_string_value(json_object_get(in, "InvocationType")), "Event");
    assert_string_equal(json_string_value(json_object_get(in, "LogType")), "Tail");
    assert_string_equal(json_string_value(json_object_get(in, "Qualifier")), "prod");
    assert_null(json_object_get(in, "ClientContext"));
    /* The payload is the body's bytes, NUL and non-UTF-8 included. */
    p = json_object_get(in, "Payload");
    assert_non_null(p);
    assert_int_equal(json_string_length(p), sizeof(payload) - 1);
    assert_memory_equal(json_string_value(p), payload, sizeof(payload) - 1);
    assert_int_equal(json_object_size(in), 5);
    json_decref(in);

    /* No body: no Payload member at all. */
    in = decode(&model_lambda, "POST", "/2015-03-31/functions/f/invocations", "", "{}", NULL, 0,
                err, sizeof(err));
    assert_non_null(in);
    assert_null(json_object_get(in, "Payload"));
    assert_int_equal(json_object_size(in), 1);
    json_decref(in);
}

struct scalar_case {
    const struct model *m;
    const char *method, *path, *query, *headers;
    const char *member;
    const char *expect_json; /* the member's value as compact JSON, or NULL: decode fails */
};

static const struct scalar_case scalar_cases[] = {
    {&model_lambda, "GET", "/2015-03-31/functions/", "MaxItems=5", "{}", "MaxItems", "5"},
    {&model_lambda, "GET", "/2015-03-31/functions/", "MaxItems=abc", "{}", "MaxItems", NULL},
    {&model_lambda, "GET", "/2015-03-31/functions/", "MaxItems=", "{}", "MaxItems", NULL},
    {&model_lambda, "GET", "/2015-03-31/functions/", "Marker=a%20b", "{}", "Marker", "\"a b\""},
    /* A list in the query string takes every value of its key, in order. */
    {&model_lambda, "DELETE", "/2017-03-31/tags/arn", "tagKeys=b&tagKeys=a", "{}", "TagKeys",
     "[\"b\",\"a\"]"},
    {&model_apigateway, "GET", "/apikeys/k1", "includeValue=true", "{}", "includeValue", "true"},
    {&model_apigateway, "GET", "/apikeys/k1", "includeValue=FALSE", "{}", "includeValue", "false"},
    {&model_apigateway, "GET", "/apikeys/k1", "includeValue=yes", "{}", "includeValue", NULL},
    {&model_apigateway, "GET", "/apikeys/k1", "", "{}", "apiKey", "\"k1\""},
    /* A querystring map takes the parameters nothing else claims (not mode, not
     * failonwarnings). */
    {&model_apigateway, "POST", "/restapis", "mode=import&failonwarnings=true&basepath=split", "{}",
     "parameters", "{\"basepath\":\"split\"}"},
    {&model_apigateway, "POST", "/restapis", "mode=import&failonwarnings=true", "{}",
     "failOnWarnings", "true"},
    {&model_apigateway, "GET", "/restapis/a/stages/s/exports/oas30", "extensions=x&b=1",
     "{\"accept\":\"application/yaml\"}", "parameters", "{\"b\":\"1\",\"extensions\":\"x\"}"},
    {&model_apigateway, "GET", "/restapis/a/stages/s/exports/oas30", "",
     "{\"accept\":\"application/yaml\"}", "accepts", "\"application/yaml\""},
};

static void
test_proto_restjson__decode_scalars(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(scalar_cases); i++) {
        const struct scalar_case *c = &scalar_cases[i];
        char err[256] = "";
        json_t *in;

        print_message("case %zu: %s %s?%s\n", i, c->method, c->path, c->query);
        in = decode(c->m, c->method, c->path, c->query, c->headers, "", 0, err, sizeof(err));
        if (!c->expect_json) {
            assert_null(in);
            assert_true(err[0] != '\0');
            continue;
        }
        assert_non_null(in);
        {
            char *got = json_dumps(json_object_get(in, c->member),
                                   JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

            assert_non_null(got);
            assert_string_equal(got, c->expect_json);
            free(got);
        }
        json_decref(in);
    }
}

static void
test_proto_restjson__decode_json_body(void **state)
{
    static const char body[] =
        "{\"FunctionName\":\"f\",\"Runtime\":\"python3.12\",\"Timeout\":30,"
        "\"Code\":{\"ZipFile\":\"UEsDBA==\",\"Bogus\":1},"
        "\"Environment\":{\"Variables\":{\"A\":\"1\",\"B\":\"2\"}},"
        "\"Architectures\":[\"arm64\"],\"Unknown\":true,\"Description\":null}";
    char err[256] = "";
    json_t *in, *code;

    (void)state;
    in = decode(&model_lambda, "POST", "/2015-03-31/functions", "", "{}", body, sizeof(body) - 1,
                err, sizeof(err));
    assert_non_null(in);
    assert_string_equal(json_string_value(json_object_get(in, "FunctionName")), "f");
    assert_string_equal(json_string_value(json_object_get(in, "Runtime")), "python3.12");
    assert_int_equal(json_integer_value(json_object_get(in, "Timeout")), 30);
    code = json_object_get(in, "Code");
    assert_string_equal(json_string_value(json_object_get(code, "ZipFile")), "UEsDBA==");
    assert_null(json_object_get(code, "Bogus")); /* keys the model does not know are dropped */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(in, "Environment"), "Variables"), "B")),
                        "2");
    assert_string_equal(json_string_value(json_array_get(json_object_get(in, "Architectures"), 0)),
                        "arm64");
    assert_null(json_object_get(in, "Unknown"));
    assert_null(json_object_get(in, "Description")); /* null is absent */
    json_decref(in);

    /* Wire names map back to member names, at the top and in URI labels. */
    {
        static const char ibody[] = "{\"type\":\"AWS_PROXY\",\"httpMethod\":\"POST\"}";

        in = decode(&model_apigateway, "PUT", "/restapis/a1/resources/r1/methods/ANY/integration",
                    "", "{}", ibody, sizeof(ibody) - 1, err, sizeof(err));
    }
    assert_non_null(in);
    assert_string_equal(json_string_value(json_object_get(in, "restApiId")), "a1");
    assert_string_equal(json_string_value(json_object_get(in, "resourceId")), "r1");
    assert_string_equal(json_string_value(json_object_get(in, "httpMethod")), "ANY");
    assert_string_equal(json_string_value(json_object_get(in, "integrationHttpMethod")), "POST");
    assert_string_equal(json_string_value(json_object_get(in, "type")), "AWS_PROXY");
    json_decref(in);

    /* An empty or blank body is no members, not an error. */
    in = decode(&model_lambda, "POST", "/2015-03-31/functions", "", "{}", " \n", 2, err,
                sizeof(err));
    assert_non_null(in);
    assert_int_equal(json_object_size(in), 0);
    json_decref(in);
}

struct bad_body_case {
    const char *body;
    const char *err_part;
};

static const struct bad_body_case bad_body_cases[] = {
    {"{\"FunctionName\":", "malformed JSON"},
    {"{\"a\":1}}", "malformed JSON"},
    {"not json", "malformed JSON"},
    {"[1,2]", "JSON object"},
    {"\"str\"", "JSON object"},
};

static void
test_proto_restjson__decode_bad_body(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad_body_cases); i++) {
        const struct bad_body_case *c = &bad_body_cases[i];
        char err[256] = "";
        json_t *in;

        print_message("case %zu: %s\n", i, c->body);
        in = decode(&model_lambda, "POST", "/2015-03-31/functions", "", "{}", c->body,
                    strlen(c->body), err, sizeof(err));
        assert_null(in);
        assert_non_null(strstr(err, c->err_part));
    }
}

static const char *
header(const json_t *headers, const char *name)
{
    return json_string_value(json_object_get(headers, name));
}

static void
test_proto_restjson__encode_invoke(void **state)
{
    static const char payload[] = "{\"errorMessage\":\"boom\"}\0tail";
    const struct model_op *op = model_find_op(&model_lambda, "Invoke");
    const char *ctype = NULL;
    unsigned status = 0;
    json_t *out, *headers = NULL;
    struct buf body;

    (void)state;
    out = json_pack("{s:i, s:s, s:s, s:s, s:s%}", "StatusCode", 200, "FunctionError", "Unhandled",
                    "ExecutedVersion", "$LATEST", "LogResult", "bG9n\r\nX: y", "Payload", payload,
                    sizeof(payload) - 1);
    assert_non_null(out);
    buf_init(&body, 1 << 20);
    assert_int_equal(rest_encode_response(op, out, &status, &headers, &body, &ctype), 0);
    assert_int_equal(status, 200);
    assert_string_equal(ctype, "application/octet-stream");
    assert_string_equal(header(headers, "X-Amz-Function-Error"), "Unhandled");
    assert_string_equal(header(headers, "X-Amz-Executed-Version"), "$LATEST");
    /* A handler's CR/LF can never split the header block. */
    assert_string_equal(header(headers, "X-Amz-Log-Result"), "bG9n  X: y");
    assert_int_equal(json_object_size(headers), 3);
    assert_int_equal(body.len, sizeof(payload) - 1);
    assert_memory_equal(body.data, payload, sizeof(payload) - 1);
    json_decref(headers);
    buf_release(&body);
    json_decref(out);

    /* The status member decides the status: Event invocations answer 202, no body. */
    out = json_pack("{s:i}", "StatusCode", 202);
    buf_init(&body, 1 << 20);
    assert_int_equal(rest_encode_response(op, out, &status, &headers, &body, &ctype), 0);
    assert_int_equal(status, 202);
    assert_int_equal(body.len, 0);
    assert_int_equal(json_object_size(headers), 0);
    json_decref(headers);
    buf_release(&body);
    json_decref(out);
}

struct encode_case {
    const struct model *m;
    const char *op;
    const char *out_json; /* handler output, or NULL */
    unsigned status;
    const char *body; /* expected body bytes */
};

static const struct encode_case encode_cases[] = {
    /* Member wire names on the way out (API Gateway's lists are "item"), in model order. */
    {&model_apigateway, "GetRestApis",
     "{\"items\":[{\"id\":\"a1\",\"name\":\"n\",\"Nope\":1}],\"position\":\"p\"}", 200,
     "{\"position\":\"p\",\"item\":[{\"id\":\"a1\",\"name\":\"n\"}]}"},
    {&model_apigateway, "CreateRestApi", "{\"id\":\"a1\",\"createdDate\":1700000000}", 201,
     "{\"id\":\"a1\",\"createdDate\":1700000000}"},
    /* An output with body members is a JSON object even when empty. */
    {&model_apigateway, "CreateRestApi", NULL, 201, "{}"},
    /* No output shape: status from the model, no body at all. */
    {&model_apigateway, "DeleteRestApi", NULL, 202, ""},
    /* Only a status member: no body. */
    {&model_lambda, "DeleteFunction", "{\"StatusCode\":204}", 204, ""},
    {&model_lambda, "GetFunctionConfiguration", "{\"FunctionName\":\"f\",\"Timeout\":3}", 200,
     "{\"FunctionName\":\"f\",\"Timeout\":3}"},
};

static void
test_proto_restjson__encode_body(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(encode_cases); i++) {
        const struct encode_case *c = &encode_cases[i];
        const struct model_op *op = model_find_op(c->m, c->op);
        json_t *out = c->out_json ? json_loads(c->out_json, 0, NULL) : NULL, *headers = NULL;
        const char *ctype = NULL;
        unsigned status = 0;
        struct buf body;

        print_message("case %zu: %s\n", i, c->op);
        assert_non_null(op);
        buf_init(&body, 1 << 20);
        assert_int_equal(rest_encode_response(op, out, &status, &headers, &body, &ctype), 0);
        assert_int_equal(status, c->status);
        assert_string_equal(ctype, "application/json");
        assert_non_null(headers);
        assert_int_equal(body.len, strlen(c->body));
        if (body.len)
            assert_string_equal(body.data, c->body);
        json_decref(headers);
        json_decref(out);
        buf_release(&body);
    }
}

struct error_case {
    const char *type, *message;
    const char *body;
};

static const struct error_case error_cases[] = {
    {"User", "Function not found: f", "{\"Type\":\"User\",\"message\":\"Function not found: f\"}"},
    {NULL, "Invalid API identifier", "{\"message\":\"Invalid API identifier\"}"},
    {"Service", "quote \" and \\ and\nnewline",
     "{\"Type\":\"Service\",\"message\":\"quote \\\" and \\\\ and\\nnewline\"}"},
    {NULL, "bad \xff byte", "{\"message\":\"bad ? byte\"}"},
    {NULL, NULL, "{\"message\":\"\"}"},
};

static void
test_proto_restjson__encode_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
        const struct error_case *c = &error_cases[i];
        struct buf b;

        print_message("case %zu\n", i);
        buf_init(&b, 4096);
        assert_int_equal(rest_encode_error(&b, c->type, c->message), 0);
        assert_string_equal(b.data, c->body);
        buf_release(&b);
    }
    /* A buffer limit is reported, not overrun. */
    {
        struct buf b;

        buf_init(&b, 8);
        assert_int_equal(rest_encode_error(&b, "User", "a long message"), -1);
        assert_true(b.len <= 8);
        buf_release(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_restjson__match),
        cmocka_unit_test(test_proto_restjson__decode_invoke),
        cmocka_unit_test(test_proto_restjson__decode_scalars),
        cmocka_unit_test(test_proto_restjson__decode_json_body),
        cmocka_unit_test(test_proto_restjson__decode_bad_body),
        cmocka_unit_test(test_proto_restjson__encode_invoke),
        cmocka_unit_test(test_proto_restjson__encode_body),
        cmocka_unit_test(test_proto_restjson__encode_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
