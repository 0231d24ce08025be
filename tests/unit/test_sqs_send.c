/* test_sqs_send.c: SendMessage's and SendMessageBatch's checks (services/sqs/sqs_send.c).
 *
 * Table-driven: the characters a body may hold, attribute names, DataTypes and Number values,
 * batch entry Ids and FIFO identifiers, then whole messages and batches against a standard and
 * a FIFO queue: which error and which of AWS's messages each fault gets, and the size SQS
 * counts (body plus attribute names, types and values, binaries decoded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/sqs/sqs_send.h"
#include "services/sqs/sqs_int.h"

/* ---- body characters -------------------------------------------------------------------- */

struct char_case {
    const char *s;
    size_t len; /* 0: strlen */
    long bad;   /* expected first disallowed character, -1 if none */
};

static const struct char_case char_cases[] = {
    {"hello world", 0, -1},
    {"\t\n\r", 0, -1},
    {"~\x7f", 0, -1}, /* DEL is in #x20-#xD7FF */
    {"h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\xa6\x80", 0, -1},
    {"\xc2\x80", 0, -1},         /* U+0080 */
    {"\xed\x9f\xbf", 0, -1},     /* U+D7FF, last before the surrogates */
    {"\xee\x80\x80", 0, -1},     /* U+E000 */
    {"\xef\xbf\xbd", 0, -1},     /* U+FFFD */
    {"\xf0\x90\x80\x80", 0, -1}, /* U+10000 */
    {"\xf4\x8f\xbf\xbf", 0, -1}, /* U+10FFFF */
    {"a\x01", 0, 0x1},
    {"ok\0no", 5, 0x0},
    {"\x08", 0, 0x8},
    {"x\x0b", 0, 0xB},
    {"\x1f", 0, 0x1F},
    {"ab\xef\xbf\xbe", 0, 0xFFFE},
    {"\xef\xbf\xbf", 0, 0xFFFF},
    /* Malformed UTF-8 reports the offending byte. */
    {"\xed\xa0\x80", 0, 0xED},     /* an encoded surrogate */
    {"\xc0\xaf", 0, 0xC0},         /* overlong */
    {"\xe6\x97", 0, 0xE6},         /* truncated */
    {"\xf4\x90\x80\x80", 0, 0xF4}, /* beyond U+10FFFF */
    {"\xff", 0, 0xFF},
    {"\x80", 0, 0x80}, /* lone continuation byte */
};

static void
test_sqs_send__body_characters(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(char_cases); i++) {
        const struct char_case *c = &char_cases[i];
        size_t len = c->len ? c->len : strlen(c->s);
        assert_int_equal(sqs_send_bad_char(c->s, len), c->bad);
    }
}

/* ---- attribute names, types, numbers ---------------------------------------------------- */

struct name_case {
    const char *name;
    int fault;
};

static char long_name[258];

static void
test_sqs_send__attribute_names(void **state)
{
    static const struct name_case cases[] = {
        {"attr", SQS_NAME_OK},
        {"SOME_Valid.attribute-Name", SQS_NAME_OK},
        {"123", SQS_NAME_OK},
        {"attr.1\xc3\xb8\xc3\x9f\xc3\xa4", SQS_NAME_OK}, /* "attr.1øßä", accepted by AWS */
        {"AWSome", SQS_NAME_OK},
        {"Amazonian", SQS_NAME_OK},
        {"aws", SQS_NAME_OK},
        {"", SQS_NAME_LENGTH},
        {"Invalid-!-attr", SQS_NAME_CHARS},
        {"Invalid-\"-attr", SQS_NAME_CHARS},
        {"Invalid-\xc2\xa7-attr", SQS_NAME_CHARS}, /* § */
        {"Invalid-(-attr", SQS_NAME_CHARS},
        {"Invalid-?-attr", SQS_NAME_CHARS},
        {"sp ace", SQS_NAME_CHARS},
        {"\xe6\x97\xa5", SQS_NAME_CHARS},
        {"a\xc3\x97"
         "b",
         SQS_NAME_CHARS}, /* × is not a letter */
        {"aWs.x", SQS_NAME_RESERVED},
        {"AWS.", SQS_NAME_RESERVED},
        {"AMAZON.x", SQS_NAME_RESERVED},
        {"amazon.x", SQS_NAME_RESERVED},
        {".-Invalid-attr", SQS_NAME_RESERVED},
        {"Invalid.", SQS_NAME_RESERVED},
        {"two..dots", SQS_NAME_PERIODS},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        assert_int_equal(sqs_send_attr_name_check(cases[i].name), cases[i].fault);

    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    assert_int_equal(sqs_send_attr_name_check(long_name), SQS_NAME_OK);
    long_name[256] = 'n';
    long_name[257] = '\0';
    assert_int_equal(sqs_send_attr_name_check(long_name), SQS_NAME_LENGTH);
}

static void
test_sqs_send__attribute_kinds(void **state)
{
    static const struct {
        const char *type;
        int kind;
    } cases[] = {
        {"String", SQS_KIND_STRING},
        {"Number", SQS_KIND_NUMBER},
        {"Binary", SQS_KIND_BINARY},
        {"String.json", SQS_KIND_STRING},
        {"Number.float", SQS_KIND_NUMBER},
        {"Binary.png", SQS_KIND_BINARY},
        {"Number.", SQS_KIND_NUMBER},
        {"String.a.b", SQS_KIND_STRING},
        {"string", SQS_KIND_NONE},
        {"Strings", SQS_KIND_NONE},
        {"Str", SQS_KIND_NONE},
        {"Invalid", SQS_KIND_NONE},
        {"", SQS_KIND_NONE},
        {"StringList", SQS_KIND_NONE},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        assert_int_equal(sqs_send_attr_kind(cases[i].type), cases[i].kind);
}

static void
test_sqs_send__numbers(void **state)
{
    static const char *const valid[] = {
        "0",
        "-0",
        "0.000",
        "+7",
        "-1",
        "3.14",
        ".5",
        "5.",
        "00042",
        "6.02e23",
        "6.02E+23",
        "1e126",
        "-1e126",
        "1e-128",
        "100e124",
        "1.0e126",
        "0.01e-126",
        "-12.5e3",
        "12345678901234567890123456789012345678", /* 38 digits */
        "1.10000000000000000000000000000000000000000000",
        "0.000000000000000000000000000000000000000000000000001",
    };
    static const char *const invalid[] = {
        "",
        "-",
        "+",
        ".",
        "e5",
        "abc",
        "1e",
        "1e+",
        "1.2.3",
        "1,000",
        " 1",
        "1 ",
        "0x10",
        "NaN",
        "Infinity",
        "1e127",
        "2e126",
        "1.1e126",
        "1e-129",
        "0.1e-128",
        "--1",
        "123456789012345678901234567890123456789", /* 39 digits */
        "1e99999999999999999999",
        "1e-99999999999999999999",
    };

    for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
        if (!sqs_send_number_ok(valid[i]))
            fail_msg("'%s' should be a valid Number", valid[i]);
    for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
        if (sqs_send_number_ok(invalid[i]))
            fail_msg("'%s' should not be a valid Number", invalid[i]);
}

/* ---- identifiers ------------------------------------------------------------------------ */

static void
test_sqs_send__batch_ids(void **state)
{
    char id[82];

    assert_true(sqs_send_batch_id_ok("a"));
    assert_true(sqs_send_batch_id_ok("msg-1_A"));
    assert_false(sqs_send_batch_id_ok(""));
    assert_false(sqs_send_batch_id_ok("a.b"));
    assert_false(sqs_send_batch_id_ok("a b"));
    assert_false(sqs_send_batch_id_ok("\xc3\xa9"));
    memset(id, 'x', 80);
    id[80] = '\0';
    assert_true(sqs_send_batch_id_ok(id));
    id[80] = 'x';
    id[81] = '\0';
    assert_false(sqs_send_batch_id_ok(id));
}

static void
test_sqs_send__fifo_ids(void **state)
{
    char id[130];

    assert_true(sqs_send_fifo_id_ok("group-1"));
    assert_true(sqs_send_fifo_id_ok("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"));
    assert_false(sqs_send_fifo_id_ok(""));
    assert_false(sqs_send_fifo_id_ok("a b"));
    assert_false(sqs_send_fifo_id_ok("tab\t"));
    assert_false(sqs_send_fifo_id_ok("\xc3\xa9"));
    memset(id, 'g', 128);
    id[128] = '\0';
    assert_true(sqs_send_fifo_id_ok(id));
    id[128] = 'g';
    id[129] = '\0';
    assert_false(sqs_send_fifo_id_ok(id));
}

/* ---- whole attribute maps --------------------------------------------------------------- */

struct attrs_case {
    const char *json;
    const struct awslet_error *err; /* NULL: accepted */
    const char *msg;                /* the whole message, or NULL when accepted */
    size_t size;                    /* bytes counted, when accepted */
    const char *norm;               /* normalized JSON (compact, sorted keys), when accepted */
};

static const struct attrs_case attrs_cases[] = {
    {"{}", NULL, NULL, 0, NULL},
    {"{\"a\": {\"DataType\": \"String\", \"StringValue\": \"xyz\"}}", NULL, NULL, 1 + 6 + 3,
     "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"xyz\"}}"},
    /* Binaries count decoded; extra members are dropped from the stored form. */
    {"{\"bin\": {\"DataType\": \"Binary.png\", \"BinaryValue\": \"YWJj\", \"StringValue\": \"x\"},"
     " \"n\": {\"DataType\": \"Number\", \"StringValue\": \"-1.5\", \"StringListValues\": []}}",
     NULL, NULL, 3 + 10 + 3 + 1 + 6 + 4,
     "{\"bin\":{\"BinaryValue\":\"YWJj\",\"DataType\":\"Binary.png\"},"
     "\"n\":{\"DataType\":\"Number\",\"StringValue\":\"-1.5\"}}"},
    {"{\"\xc3\xa9t\xc3\xa9\": {\"DataType\": \"String.\xe6\x97\xa5\", \"StringValue\": "
     "\"\xc3\xa9\"}}",
     NULL, NULL, 5 + 10 + 2,
     "{\"\xc3\xa9t\xc3\xa9\":{\"DataType\":\"String.\xe6\x97\xa5\",\"StringValue\":\"\xc3\xa9\"}}"},
    {"{\"a\": {\"DataType\": \"String\", \"StringValue\": \"\"}}", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Message (user) attribute 'a' must contain a non-empty value of type 'String'.", 0, NULL},
    {"{\"a\": {\"DataType\": \"Number.int\"}}", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Message (user) attribute 'a' must contain a non-empty value of type 'Number'.", 0, NULL},
    {"{\"a\": {\"DataType\": \"Binary\", \"StringValue\": \"x\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'.", 0, NULL},
    {"{\"a\": {\"DataType\": \"Binary\", \"BinaryValue\": \"!!!!\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Message (user) attribute 'a' must contain a valid base64-encoded value of type 'Binary'.", 0,
     NULL},
    {"{\"a\": {\"StringValue\": \"x\"}}", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "The message attribute 'a' must contain non-empty message attribute type.", 0, NULL},
    {"{\"a\": {\"DataType\": \"Invalid\", \"StringValue\": \"x\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "The type of message (user) attribute 'a' is invalid. You must use only the following "
     "supported type prefixes: Binary, Number, String.",
     0, NULL},
    {"{\"a\": {\"DataType\": \"Number\", \"StringValue\": \"ten\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Can't cast the value of message (user) attribute 'a' to a number.", 0, NULL},
    {"{\"a\": {\"DataType\": \"String\", \"StringValue\": \"bad\\u0008\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Invalid binary character '#x8' was found in the message attribute 'a' value, the set of "
     "allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | "
     "[#x10000-#x10FFFF].",
     0, NULL},
    {"{\"aws.x\": {\"DataType\": \"String\", \"StringValue\": \"x\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings "
     "are reserved for internal use. Additionally, they cannot start or end with '.'.",
     0, NULL},
    {"{\"a!\": {\"DataType\": \"String\", \"StringValue\": \"x\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Message (user) attributes name can only contain upper and lower score characters, digits, "
     "periods, hyphens and underscores.",
     0, NULL},
    {"{\"a\": \"x\"}", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "The message attribute 'a' must contain non-empty message attribute value.", 0, NULL},
    {"[1]", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value [1] for parameter MessageAttributes is invalid. Reason: Must be a map.", 0, NULL},
    {"{\"a1\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a2\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a3\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a4\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a5\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a6\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a7\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a8\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a9\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a10\": {\"DataType\": \"String\", \"StringValue\": \"x\"},"
     " \"a11\": {\"DataType\": \"String\", \"StringValue\": \"x\"}}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Number of message attributes [11] exceeds the allowed maximum [10].", 0, NULL},
};

static void
test_sqs_send__attribute_maps(void **state)
{
    struct arena a;

    arena_init(&a);
    for (size_t i = 0; i < ARRAY_SIZE(attrs_cases); i++) {
        const struct attrs_case *c = &attrs_cases[i];
        json_t *in = json_loads(c->json, JSON_DECODE_ANY, NULL), *norm = NULL;
        struct sqs_send_fault f = {0};
        size_t size = 12345;
        int rc;

        assert_non_null(in);
        rc = sqs_send_check_attrs(&a, in, &norm, &size, &f);
        if (c->err) {
            assert_int_equal(rc, -1);
            assert_ptr_equal(f.err, c->err);
            assert_string_equal(f.msg, c->msg);
            assert_null(norm);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(size, c->size);
            if (c->norm) {
                char *text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
                assert_string_equal(text, c->norm);
                free(text);
            } else {
                assert_null(norm);
            }
        }
        json_decref(norm);
        json_decref(in);
    }
    arena_release(&a);
}

static void
test_sqs_send__system_attributes(void **state)
{
    struct arena a;
    struct sqs_send_fault f = {0};
    json_t *norm, *in;

    arena_init(&a);
    in = json_loads("{\"AWSTraceHeader\": {\"DataType\": \"String\", \"StringValue\": \"Root=1\","
                    " \"BinaryValue\": \"YQ==\"}}",
                    0, NULL);
    assert_int_equal(sqs_send_check_system_attrs(&a, in, &norm, &f), 0);
    assert_int_equal(json_object_size(json_object_get(norm, "AWSTraceHeader")), 2);
    json_decref(norm);
    json_decref(in);

    in = json_loads("{\"Other\": {\"DataType\": \"String\", \"StringValue\": \"x\"}}", 0, NULL);
    assert_int_equal(sqs_send_check_system_attrs(&a, in, &norm, &f), -1);
    assert_ptr_equal(f.err, &ERR_SQS_INVALID_PARAMETER_VALUE);
    assert_string_equal(f.msg, "Message system attribute name 'Other' is invalid.");
    json_decref(in);

    in = json_loads("{\"AWSTraceHeader\": {\"DataType\": \"Number\", \"StringValue\": \"1\"}}", 0,
                    NULL);
    assert_int_equal(sqs_send_check_system_attrs(&a, in, &norm, &f), -1);
    json_decref(in);

    in = json_loads("{\"AWSTraceHeader\": {\"DataType\": \"String\", \"StringValue\": \"\"}}", 0,
                    NULL);
    assert_int_equal(sqs_send_check_system_attrs(&a, in, &norm, &f), -1);
    json_decref(in);
    arena_release(&a);
}

/* ---- whole messages --------------------------------------------------------------------- */

struct msg_case {
    const char *json;
    bool fifo, content_dedup;
    const struct awslet_error *err; /* NULL: accepted */
    const char *msg;
    size_t size;     /* when accepted */
    long long delay; /* when accepted */
};

static const struct msg_case msg_cases[] = {
    {"{\"MessageBody\": \"hello\"}", false, false, NULL, NULL, 5, -1},
    {"{\"MessageBody\": \"hello\", \"DelaySeconds\": 900, \"MessageGroupId\": \"g\","
     " \"MessageAttributes\": {\"k\": {\"DataType\": \"String\", \"StringValue\": \"v\"}},"
     " \"MessageSystemAttributes\": {\"AWSTraceHeader\": {\"DataType\": \"String\","
     " \"StringValue\": \"Root=1-5759e988-bd862e3fe1be46a994272793\"}}}",
     false, false, NULL, NULL, 5 + 1 + 6 + 1, 900},
    {"{\"MessageBody\": \"\"}", false, false, &ERR_SQS_MISSING_PARAMETER,
     "The request must contain the parameter MessageBody.", 0, 0},
    {"{}", false, false, &ERR_SQS_MISSING_PARAMETER,
     "The request must contain the parameter MessageBody.", 0, 0},
    {"{\"MessageBody\": null}", false, false, &ERR_SQS_MISSING_PARAMETER,
     "The request must contain the parameter MessageBody.", 0, 0},
    {"{\"MessageBody\": 5}", false, false, &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value 5 for parameter MessageBody is invalid. Reason: Must be a string.", 0, 0},
    {"{\"MessageBody\": \"x\\u0001\"}", false, false, &ERR_SQS_INVALID_MESSAGE_CONTENTS,
     "Invalid binary character '#x1' was found in the message body, the set of allowed "
     "characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
     0, 0},
    {"{\"MessageBody\": \"x\\uffff\"}", false, false, &ERR_SQS_INVALID_MESSAGE_CONTENTS,
     "Invalid binary character '#xFFFF' was found in the message body, the set of allowed "
     "characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
     0, 0},
    {"{\"MessageBody\": \"hello\", \"DelaySeconds\": 901}", false, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value 901 for parameter DelaySeconds is invalid. Reason: Must be >= 0 and <= 900.", 0, 0},
    {"{\"MessageBody\": \"hello\", \"DelaySeconds\": -1}", false, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value -1 for parameter DelaySeconds is invalid. Reason: Must be >= 0 and <= 900.", 0, 0},
    {"{\"MessageBody\": \"hello\", \"DelaySeconds\": \"abc\"}", false, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value abc for parameter DelaySeconds is invalid. Reason: Must be an integer.", 0, 0},
    {"{\"MessageBody\": \"hello\", \"MessageDeduplicationId\": \"d\"}", false, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value d for parameter MessageDeduplicationId is invalid. Reason: The request include "
     "parameter that is not valid for this queue type.",
     0, 0},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"a b\"}", false, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value a b for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
     "include alphanumeric and punctuation characters. 1 to 128 in length.",
     0, 0},
    /* FIFO */
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\", \"MessageDeduplicationId\": \"d\"}",
     true, false, NULL, NULL, 5, -1},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\"}", true, true, NULL, NULL, 5, -1},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\", \"DelaySeconds\": 0}", true, true,
     NULL, NULL, 5, 0},
    {"{\"MessageBody\": \"hello\"}", true, true, &ERR_SQS_MISSING_PARAMETER,
     "The request must contain the parameter MessageGroupId.", 0, 0},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\"}", true, false,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
     "provided explicitly",
     0, 0},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\", \"DelaySeconds\": 5}", true, true,
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that "
     "is not valid for this queue type.",
     0, 0},
    {"{\"MessageBody\": \"hello\", \"MessageGroupId\": \"g\", \"MessageDeduplicationId\": \"\"}",
     true, false, &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value  for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can "
     "only include alphanumeric and punctuation characters. 1 to 128 in length.",
     0, 0},
};

static void
test_sqs_send__messages(void **state)
{
    struct arena a;

    arena_init(&a);
    for (size_t i = 0; i < ARRAY_SIZE(msg_cases); i++) {
        const struct msg_case *c = &msg_cases[i];
        struct sqs_queue q = {.fifo = c->fifo,
                              .content_dedup = c->content_dedup,
                              .maximum_message_size = 262144,
                              .dedup_scope = "queue"};
        json_t *in = json_loads(c->json, 0, NULL);
        struct sqs_send_msg m;
        struct sqs_send_fault f = {0};
        int rc;

        assert_non_null(in);
        rc = sqs_send_check_message(&a, in, &q, &m, &f);
        if (c->err) {
            if (rc != -1)
                fail_msg("case %zu accepted", i);
            assert_ptr_equal(f.err, c->err);
            assert_string_equal(f.msg, c->msg);
        } else {
            if (rc != 0)
                fail_msg("case %zu refused: %s", i, f.msg);
            assert_int_equal(m.size, c->size);
            assert_int_equal(m.delay, c->delay);
            sqs_send_msg_release(&m);
        }
        json_decref(in);
    }
    arena_release(&a);
}

/* The queue's MaximumMessageSize bounds body plus attributes: exactly the limit passes. */
static void
test_sqs_send__size_limit(void **state)
{
    struct sqs_queue q = {.maximum_message_size = 1024};
    struct sqs_send_msg m;
    struct sqs_send_fault f = {0};
    struct arena a;
    char body[1100];
    json_t *in;

    arena_init(&a);
    memset(body, 'x', sizeof(body));
    /* 1024 - (1 + 6 + 3) = 1014 body bytes with a {"k": String "abc"} attribute. */
    in = json_pack("{s:s%, s:{s:{s:s, s:s}}}", "MessageBody", body, (size_t)1014,
                   "MessageAttributes", "k", "DataType", "String", "StringValue", "abc");
    assert_int_equal(sqs_send_check_message(&a, in, &q, &m, &f), 0);
    assert_int_equal(m.size, 1024);
    sqs_send_msg_release(&m);
    json_decref(in);

    in = json_pack("{s:s%, s:{s:{s:s, s:s}}}", "MessageBody", body, (size_t)1015,
                   "MessageAttributes", "k", "DataType", "String", "StringValue", "abc");
    assert_int_equal(sqs_send_check_message(&a, in, &q, &m, &f), -1);
    assert_ptr_equal(f.err, &ERR_SQS_INVALID_PARAMETER_VALUE);
    assert_string_equal(f.msg, "One or more parameters are invalid. Reason: Message must be "
                               "shorter than 1024 bytes.");
    json_decref(in);
    arena_release(&a);
}

/* A long quoted value is cut at a character boundary: the message stays valid UTF-8. */
static void
test_sqs_send__long_message_stays_utf8(void **state)
{
    struct sqs_queue q = {.maximum_message_size = 262144};
    struct sqs_send_msg m;
    struct sqs_send_fault f = {0};
    struct arena a;
    char s[3 * 500 + 1];
    json_t *in;

    arena_init(&a);
    for (int shift = 0; shift < 3; shift++) {
        /* Shift the text by one byte each time so that the cut falls inside a character. */
        memset(s, 'x', (size_t)shift);
        for (int i = 0; i < 500 - 1; i++)
            memcpy(s + shift + 3 * i, "\xe6\x97\xa5", 3);
        s[shift + 3 * 499] = '\0';
        in = json_pack("{s:[s]}", "MessageBody", s);
        assert_int_equal(sqs_send_check_message(&a, in, &q, &m, &f), -1);
        assert_true(strlen(f.msg) < 1024);
        assert_int_equal(sqs_send_bad_char(f.msg, strlen(f.msg)), -1);
        assert_memory_equal(f.msg, "Value [\"", 8);
        json_decref(in);
    }
    arena_release(&a);
}

/* ---- batches ---------------------------------------------------------------------------- */

struct batch_case {
    const char *json;
    const struct awslet_error *err;
    const char *msg;
};

static const struct batch_case batch_cases[] = {
    {"[{\"Id\": \"a\", \"MessageBody\": \"x\"}, {\"Id\": \"b\", \"MessageBody\": \"\"}]", NULL,
     NULL},
    {"[]", &ERR_SQS_EMPTY_BATCH,
     "There should be at least one SendMessageBatchRequestEntry in the request."},
    {"[{\"Id\": \"1\"}, {\"Id\": \"2\"}, {\"Id\": \"3\"}, {\"Id\": \"4\"}, {\"Id\": \"5\"},"
     " {\"Id\": \"6\"}, {\"Id\": \"7\"}, {\"Id\": \"8\"}, {\"Id\": \"9\"}, {\"Id\": \"10\"},"
     " {\"Id\": \"11\"}]",
     &ERR_SQS_TOO_MANY_ENTRIES, "Maximum number of entries per request are 10. You have sent 11."},
    {"[{\"Id\": \"a.b\", \"MessageBody\": \"x\"}]", &ERR_SQS_INVALID_BATCH_ENTRY_ID,
     "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
     "can be at most 80 letters long."},
    {"[{\"Id\": \"\", \"MessageBody\": \"x\"}]", &ERR_SQS_INVALID_BATCH_ENTRY_ID,
     "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
     "can be at most 80 letters long."},
    {"[{\"MessageBody\": \"x\"}]", &ERR_SQS_MISSING_PARAMETER,
     "The request must contain the parameter SendMessageBatchRequestEntry.1.Id."},
    {"[{\"Id\": \"a\", \"MessageBody\": \"x\"}, {\"Id\": \"b\", \"MessageBody\": \"x\"},"
     " {\"Id\": \"a\", \"MessageBody\": \"x\"}]",
     &ERR_SQS_BATCH_IDS_NOT_DISTINCT, "Id a repeated."},
};

static void
test_sqs_send__batch_checks(void **state)
{
    struct arena a;

    arena_init(&a);
    for (size_t i = 0; i < ARRAY_SIZE(batch_cases); i++) {
        const struct batch_case *c = &batch_cases[i];
        json_t *in = json_loads(c->json, 0, NULL);
        struct sqs_send_fault f = {0};

        assert_non_null(in);
        if (c->err) {
            assert_int_equal(sqs_send_check_batch(&a, in, &f), -1);
            assert_ptr_equal(f.err, c->err);
            assert_string_equal(f.msg, c->msg);
        } else {
            assert_int_equal(sqs_send_check_batch(&a, in, &f), 0);
        }
        json_decref(in);
    }
    /* A missing list is an empty batch. */
    {
        struct sqs_send_fault f = {0};
        assert_int_equal(sqs_send_check_batch(&a, NULL, &f), -1);
        assert_ptr_equal(f.err, &ERR_SQS_EMPTY_BATCH);
    }
    arena_release(&a);
}

/* The 1 MiB batch limit counts bodies and attributes over all entries. */
static void
test_sqs_send__batch_size(void **state)
{
    struct arena a;
    struct sqs_send_fault f = {0};
    size_t part = SQS_MAX_MESSAGE_BYTES / 4;
    char *body = malloc(part + 1);
    json_t *entries = json_array(), *e;

    arena_init(&a);
    memset(body, 'x', part);
    body[part] = '\0';
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof(id), "e%d", i);
        json_array_append_new(entries, json_pack("{s:s, s:s}", "Id", id, "MessageBody", body));
    }
    assert_int_equal(sqs_send_check_batch(&a, entries, &f), 0);

    e = json_pack("{s:s, s:s, s:{s:{s:s, s:s}}}", "Id", "e4", "MessageBody", "",
                  "MessageAttributes", "k", "DataType", "Binary", "BinaryValue", "YQ==");
    assert_int_equal(sqs_send_entry_payload(e), 1 + 6 + 1);
    json_array_append_new(entries, e);
    assert_int_equal(sqs_send_check_batch(&a, entries, &f), -1);
    assert_ptr_equal(f.err, &ERR_SQS_BATCH_TOO_LONG);
    assert_string_equal(f.msg, "Batch requests cannot be longer than 1048576 bytes. You have sent "
                               "1048584 bytes.");
    json_decref(entries);
    free(body);
    arena_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqs_send__body_characters),
        cmocka_unit_test(test_sqs_send__attribute_names),
        cmocka_unit_test(test_sqs_send__attribute_kinds),
        cmocka_unit_test(test_sqs_send__numbers),
        cmocka_unit_test(test_sqs_send__batch_ids),
        cmocka_unit_test(test_sqs_send__fifo_ids),
        cmocka_unit_test(test_sqs_send__attribute_maps),
        cmocka_unit_test(test_sqs_send__system_attributes),
        cmocka_unit_test(test_sqs_send__messages),
        cmocka_unit_test(test_sqs_send__size_limit),
        cmocka_unit_test(test_sqs_send__long_message_stays_utf8),
        cmocka_unit_test(test_sqs_send__batch_checks),
        cmocka_unit_test(test_sqs_send__batch_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
