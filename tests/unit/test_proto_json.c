/* test_proto_json.c: unit tests for the AWS JSON protocol helpers (core/proto_json.c).
 *
 * Request bodies: empty means {}, anything but an object is refused with a message.
 * Errors: the {"__type","message"} document. CRC-32: zlib's check values, which is what
 * botocore compares DynamoDB's x-amz-crc32 header against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/proto_json.h"

struct body_case {
    const char *body;
    int ok;             /* 1: decodes to an object */
    const char *detail; /* ok: expected compact JSON; else a substring of the message */
};

static const struct body_case body_cases[] = {
    {"", 1, "{}"},
    {" \r\n\t", 1, "{}"},
    {"{}", 1, "{}"},
    {"{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"5\"}}", 1,
     "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"5\"}}"},
    {"[1,2]", 0, "Start of list found where not expected"},
    {"\"text\"", 0, "Unexpected token received from parser"},
    {"42", 0, "Unexpected token received from parser"},
    {"{\"a\":", 0, "Unable to parse request body"},
    {"{\"a\":1} trailing", 0, "Unable to parse request body"},
    {"{'a':1}", 0, "Unable to parse request body"},
};

static void
test_json_decode_body__table(void **state)
{
    const struct body_case *c;
    char err[256], *text;
    json_t *j;
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(body_cases); i++) {
        c = &body_cases[i];
        strcpy(err, "untouched");
        j = json_decode_body(c->body, strlen(c->body), err, sizeof(err));
        if (c->ok) {
            assert_non_null(j);
            text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
            assert_string_equal(text, c->detail);
            free(text);
            json_decref(j);
        } else {
            assert_null(j);
            assert_non_null(strstr(err, c->detail));
        }
    }
}

static void
test_json_decode_body__length_is_respected(void **state)
{
    /* Only the first len bytes are the body. */
    static const char body[] = "{\"a\":1}{\"b\":2}";
    char err[64];
    json_t *j;

    (void)state;
    j = json_decode_body(body, 7, err, sizeof(err));
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
    assert_null(json_object_get(j, "b"));
    json_decref(j);
}

static void
test_json_decode_body__keeps_escaped_nul(void **state)
{
    static const char body[] = "{\"MessageBody\":\"ok\\u0000ok\"}";
    char err[256];
    json_t *in = json_decode_body(body, sizeof(body) - 1, err, sizeof(err));
    json_t *v;

    /* The codec passes \u0000 through with its length; the handler decides (SQS rejects it
     * as InvalidMessageContents, which it could not if the codec failed the request). */
    assert_non_null(in);
    v = json_object_get(in, "MessageBody");
    assert_int_equal(json_string_length(v), 5);
    assert_memory_equal(json_string_value(v), "ok\0ok", 5);
    json_decref(in);
}

static void
test_json_encode_error__documents(void **state)
{
    static const struct awslet_error qdne = {
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, SENDER};
    static const struct awslet_error rnf = {"ResourceNotFoundException", NULL, 400, SENDER};
    struct buf b;

    (void)state;
    buf_init(&b, 4096);
    assert_int_equal(json_encode_error(&b, "com.amazonaws.sqs", &qdne,
                                       "The specified queue \"q\" does not exist.", NULL),
                     0);
    assert_string_equal(b.data, "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
                                "\"message\":\"The specified queue \\\"q\\\" does not exist.\"}");
    buf_release(&b);

    buf_init(&b, 4096);
    assert_int_equal(json_encode_error(&b, NULL, &rnf, NULL, NULL), 0);
    {
        /* extra members join the document (DynamoDB's ConditionalCheckFailed Item) */
        struct buf e;
        json_t *extra = json_pack("{s:{s:{s:s}}}", "Item", "id", "S", "1");
        buf_init(&e, 4096);
        assert_int_equal(json_encode_error(&e, "ns", &rnf, "m", extra), 0);
        assert_string_equal(e.data, "{\"__type\":\"ns#ResourceNotFoundException\","
                                    "\"message\":\"m\",\"Item\":{\"id\":{\"S\":\"1\"}}}");
        json_decref(extra);
        buf_release(&e);
        /* an extra "Message" replaces "message" (TransactionCanceledException) */
        buf_init(&e, 4096);
        extra = json_pack("{s:[],s:s}", "CancellationReasons", "Message", "M");
        assert_int_equal(json_encode_error(&e, "ns", &rnf, "m", extra), 0);
        assert_string_equal(e.data, "{\"__type\":\"ns#ResourceNotFoundException\","
                                    "\"CancellationReasons\":[],\"Message\":\"M\"}");
        json_decref(extra);
        buf_release(&e);
    }
    assert_string_equal(b.data, "{\"__type\":\"ResourceNotFoundException\"}");
    buf_release(&b);

    /* A message that is not UTF-8 must not lose the error itself. */
    buf_init(&b, 4096);
    assert_int_equal(json_encode_error(&b, "ns", &rnf, "bad \xff", NULL), 0);
    assert_non_null(strstr(b.data, "\"__type\":\"ns#ResourceNotFoundException\""));
    buf_release(&b);

    /* Over the buffer limit: -1 and the buffer as it was. */
    buf_init(&b, 20);
    assert_int_equal(buf_puts(&b, "x"), 0);
    assert_int_equal(json_encode_error(&b, "com.amazonaws.sqs", &qdne, "m", NULL), -1);
    assert_string_equal(b.data, "x");
    buf_release(&b);
}

static void
test_json_crc32__check_values(void **state)
{
    static const struct {
        const char *data;
        unsigned long crc;
    } cases[] = {
        {"", 0UL},
        {"123456789", 3421780262UL}, /* the standard CRC-32 check value 0xCBF43926 */
        {"{}", 2745614147UL},
        {"{\"Item\":{}}", 49613676UL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(cases); i++)
        assert_int_equal(json_crc32(cases[i].data, strlen(cases[i].data)), cases[i].crc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_decode_body__table),
        cmocka_unit_test(test_json_decode_body__length_is_respected),
        cmocka_unit_test(test_json_decode_body__keeps_escaped_nul),
        cmocka_unit_test(test_json_encode_error__documents),
        cmocka_unit_test(test_json_crc32__check_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
