/* test_proto_query.c: unit tests for the query protocol codec (core/proto_query.c).
 *
 * Decoding runs the generated SQS (query-era, aws-cli 2.9) and SNS models over form bodies in
 * the exact shape botocore's QuerySerializer writes them; every expected tree was checked by
 * round-tripping botocore's serializer through query_decode(). The expected XML documents were
 * fed to botocore's QueryParser with the same models and parsed back to the input trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/proto_query.h"
#include "services/models.h"

#define SQS_NS   "http://queue.amazonaws.com/doc/2012-11-05/"
#define XML_DECL "<?xml version=\"1.0\"?>"

/* ----- helpers ----------------------------------------------------------------------- */

/* Decode body against model op's input and compare with the expected JSON text. */
static void
check_decode(const struct model *m, const char *op_name, const char *body, const char *want)
{
    const struct model_op *op = model_find_op(m, op_name);
    struct arena a;
    struct form f;
    json_t *got, *exp;
    json_error_t jerr;
    char err[256], *text;

    assert_non_null(op);
    arena_init(&a);
    assert_int_equal(form_parse(&a, body, strlen(body), &f), 0);
    got = query_decode(&f, op->input, err, sizeof(err));
    assert_non_null(got);
    exp = json_loads(want, 0, &jerr);
    assert_non_null(exp);
    if (!json_equal(got, exp)) {
        text = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
        print_error("decoded %s\nexpected %s\n", text, want);
        free(text);
        fail();
    }
    json_decref(got);
    json_decref(exp);
    arena_release(&a);
}

/* Encode out (JSON text or NULL) as op's response and compare with the expected document. */
static void
check_encode(const struct model *m, const char *op_name, const char *out, const char *want)
{
    const struct model_op *op = model_find_op(m, op_name);
    json_t *j = NULL;
    json_error_t jerr;
    struct buf b;

    assert_non_null(op);
    if (out) {
        j = json_loads(out, 0, &jerr);
        assert_non_null(j);
    }
    buf_init(&b, 1 << 20);
    assert_int_equal(query_encode_response(&b, m, op, j, "req-1"), 0);
    assert_string_equal(b.data, want);
    buf_release(&b);
    json_decref(j);
}

/* ----- decoding ---------------------------------------------------------------------- */

static void
test_query_decode__flattened_map_of_structures(void **state)
{
    /* SendMessage: MessageAttribute.N.Name / .Value.* (flattened map, locationName
     * MessageAttribute, key Name, value Value); the binary value stays base64 as in JSON. */
    (void)state;
    check_decode(
        &model_sqs_query, "SendMessage",
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fx%2F000000000000%2Fq"
        "&MessageBody=a%26b%3Dc+d&DelaySeconds=3"
        "&MessageAttribute.2.Name=bin&MessageAttribute.2.Value.DataType=Binary"
        "&MessageAttribute.2.Value.BinaryValue=AAE%3D"
        "&MessageAttribute.1.Name=str&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=v&MessageAttribute.1.Value.StringListValue.1=l1"
        "&MessageSystemAttribute.1.Name=AWSTraceHeader"
        "&MessageSystemAttribute.1.Value.DataType=String"
        "&MessageSystemAttribute.1.Value.StringValue=Root%3D1",
        "{\"QueueUrl\":\"http://x/000000000000/q\",\"MessageBody\":\"a&b=c d\","
        "\"DelaySeconds\":3,"
        "\"MessageAttributes\":{\"str\":{\"DataType\":\"String\",\"StringValue\":\"v\","
        "\"StringListValues\":[\"l1\"]},"
        "\"bin\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE=\"}},"
        "\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"DataType\":\"String\","
        "\"StringValue\":\"Root=1\"}}}");
}

static void
test_query_decode__flattened_list_sparse_unordered(void **state)
{
    /* AttributeNames is a flattened list whose element is named AttributeName, so botocore
     * writes AttributeName.N; indices are gathered in numeric (not byte) order. */
    (void)state;
    check_decode(&model_sqs_query, "ReceiveMessage",
                 "QueueUrl=u&AttributeName.10=SenderId&AttributeName.2=All"
                 "&AttributeName.1=SentTimestamp&MessageAttributeName.1=.*",
                 "{\"QueueUrl\":\"u\",\"AttributeNames\":[\"SentTimestamp\",\"All\",\"SenderId\"],"
                 "\"MessageAttributeNames\":[\".*\"]}");
}

static void
test_query_decode__empty_lists(void **state)
{
    /* botocore sends an empty list as "Member=" under the member's own (unreplaced) name. */
    (void)state;
    check_decode(&model_sqs_query, "ReceiveMessage",
                 "QueueUrl=u&AttributeNames=&MessageAttributeNames=",
                 "{\"QueueUrl\":\"u\",\"AttributeNames\":[],\"MessageAttributeNames\":[]}");
    check_decode(&model_sns, "CreateTopic", "Name=t&Tags=", "{\"Name\":\"t\",\"Tags\":[]}");
}

static void
test_query_decode__scalars_that_do_not_parse_stay_strings(void **state)
{
    (void)state;
    check_decode(&model_sqs_query, "ReceiveMessage",
                 "QueueUrl=u&MaxNumberOfMessages=abc&WaitTimeSeconds=-3&VisibilityTimeout=12x",
                 "{\"QueueUrl\":\"u\",\"MaxNumberOfMessages\":\"abc\",\"WaitTimeSeconds\":-3,"
                 "\"VisibilityTimeout\":\"12x\"}");
    check_decode(&model_sqs_query, "ReceiveMessage",
                 "QueueUrl=u&MaxNumberOfMessages=99999999999999999999999&WaitTimeSeconds=",
                 "{\"QueueUrl\":\"u\",\"MaxNumberOfMessages\":\"99999999999999999999999\","
                 "\"WaitTimeSeconds\":\"\"}");
    check_decode(&model_sns, "Subscribe",
                 "TopicArn=a&Protocol=sqs&Endpoint=e&ReturnSubscriptionArn=true",
                 "{\"TopicArn\":\"a\",\"Protocol\":\"sqs\",\"Endpoint\":\"e\","
                 "\"ReturnSubscriptionArn\":true}");
    check_decode(&model_sns, "Subscribe", "TopicArn=a&ReturnSubscriptionArn=yes",
                 "{\"TopicArn\":\"a\",\"ReturnSubscriptionArn\":\"yes\"}");
}

static void
test_query_decode__flattened_map_of_strings(void **state)
{
    /* CreateQueue: Attribute.N.Name/Value and Tag.N.Key/Value (member name "tags"). */
    (void)state;
    check_decode(&model_sqs_query, "CreateQueue",
                 "QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"
                 "&Attribute.3.Name=Policy&Attribute.3.Value=%7B%22a%22%3A1%7D"
                 "&Tag.1.Key=team&Tag.1.Value=core",
                 "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"5\","
                 "\"Policy\":\"{\\\"a\\\":1}\"},\"tags\":{\"team\":\"core\"}}");
}

static void
test_query_decode__non_flattened_list_and_map(void **state)
{
    /* SNS: Attributes.entry.N.key/value and Tags.member.N.Key/Value. */
    (void)state;
    check_decode(&model_sns, "CreateTopic",
                 "Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=D"
                 "&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=true"
                 "&Tags.member.2.Key=k2&Tags.member.2.Value=v2"
                 "&Tags.member.1.Key=k1&Tags.member.1.Value=v1",
                 "{\"Name\":\"t\",\"Attributes\":{\"DisplayName\":\"D\",\"FifoTopic\":\"true\"},"
                 "\"Tags\":[{\"Key\":\"k1\",\"Value\":\"v1\"},{\"Key\":\"k2\",\"Value\":\"v2\"}]}");
}

static void
test_query_decode__list_of_structures_with_nested_map(void **state)
{
    (void)state;
    check_decode(
        &model_sqs_query, "SendMessageBatch",
        "QueueUrl=u&SendMessageBatchRequestEntry.2.Id=b"
        "&SendMessageBatchRequestEntry.2.MessageBody=two"
        "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
        "&SendMessageBatchRequestEntry.1.DelaySeconds=2"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=1",
        "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"one\","
        "\"DelaySeconds\":2,\"MessageAttributes\":{\"n\":{\"DataType\":\"Number\","
        "\"StringValue\":\"1\"}}},{\"Id\":\"b\",\"MessageBody\":\"two\"}]}");
}

static void
test_query_decode__unknown_and_malformed_keys_ignored(void **state)
{
    /* Action/Version/signature parameters, keys of other operations, non-numeric or zero
     * indices and map entries without a key are all skipped. */
    (void)state;
    check_decode(&model_sqs_query, "DeleteQueue",
                 "Action=DeleteQueue&Version=2012-11-05&X-Amz-Signature=abc&QueueUrl=u"
                 "&QueueName=ignored&Attribute.1.Name=x",
                 "{\"QueueUrl\":\"u\"}");
    check_decode(&model_sqs_query, "CreateQueue",
                 "QueueName=q&Attribute.x.Name=a&Attribute.0.Name=b&Attribute.0.Value=c"
                 "&Attribute.2.Value=orphan&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0",
                 "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"0\"}}");
    /* A message attribute named but sent without any Value fields is kept as {} so the
     * SQS handler can report the missing DataType itself. */
    check_decode(&model_sqs_query, "SendMessage",
                 "QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=a",
                 "{\"QueueUrl\":\"u\",\"MessageBody\":\"b\",\"MessageAttributes\":{\"a\":{}}}");
}

static void
test_query_decode__invalid_utf8_fails(void **state)
{
    static const char body[] = "QueueUrl=u&MessageBody=%FF%FE";
    const struct model_op *op = model_find_op(&model_sqs_query, "SendMessage");
    struct arena a;
    struct form f;
    char err[128];

    (void)state;
    arena_init(&a);
    assert_int_equal(form_parse(&a, body, strlen(body), &f), 0);
    assert_null(query_decode(&f, op->input, err, sizeof(err)));
    assert_non_null(strstr(err, "MessageBody"));
    arena_release(&a);
}

static void
test_query_decode__no_input_shape(void **state)
{
    struct arena a;
    struct form f;
    json_t *j;

    (void)state;
    arena_init(&a);
    assert_int_equal(form_parse(&a, "Action=X&Foo=1", 14, &f), 0);
    j = query_decode(&f, NULL, NULL, 0);
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 0);
    json_decref(j);
    arena_release(&a);
}

/* ----- encoding ---------------------------------------------------------------------- */

static void
test_query_encode__receive_message_two_messages(void **state)
{
    /* Flattened Message list, flattened Attribute and MessageAttribute maps, and the
     * escaping of & < > " and \r in a body (\n passes through). */
    (void)state;
    check_encode(
        &model_sqs_query, "ReceiveMessage",
        "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"r1\",\"MD5OfBody\":\"d1\","
        "\"Body\":\"a & <b> \\\"q\\\"\\r\\n\",\"Attributes\":{\"SentTimestamp\":\"1700000000000\","
        "\"ApproximateReceiveCount\":\"1\"},\"MD5OfMessageAttributes\":\"x1\","
        "\"MessageAttributes\":{\"s\":{\"DataType\":\"String\",\"StringValue\":\"v\"},"
        "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE=\"}}},"
        "{\"MessageId\":\"m2\",\"ReceiptHandle\":\"r2\",\"MD5OfBody\":\"d2\",\"Body\":\"two\"}]}",
        XML_DECL "<ReceiveMessageResponse xmlns=\"" SQS_NS "\"><ReceiveMessageResult>"
                 "<Message><MessageId>m1</MessageId><ReceiptHandle>r1</ReceiptHandle>"
                 "<MD5OfBody>d1</MD5OfBody><Body>a &amp; &lt;b&gt; &quot;q&quot;&#xD;\n</Body>"
                 "<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>"
                 "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"
                 "<MD5OfMessageAttributes>x1</MD5OfMessageAttributes>"
                 "<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue>"
                 "<DataType>String</DataType></Value></MessageAttribute>"
                 "<MessageAttribute><Name>b</Name><Value><BinaryValue>AAE=</BinaryValue>"
                 "<DataType>Binary</DataType></Value></MessageAttribute></Message>"
                 "<Message><MessageId>m2</MessageId><ReceiptHandle>r2</ReceiptHandle>"
                 "<MD5OfBody>d2</MD5OfBody><Body>two</Body></Message>"
                 "</ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId>"
                 "</ResponseMetadata></ReceiveMessageResponse>");
}

static void
test_query_encode__empty_and_no_output(void **state)
{
    (void)state;
    /* A flattened empty list has no element at all (AWS sends an empty result). */
    check_encode(&model_sqs_query, "ReceiveMessage", "{\"Messages\":[]}",
                 XML_DECL "<ReceiveMessageResponse xmlns=\"" SQS_NS "\"><ReceiveMessageResult>"
                          "</ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId>"
                          "</ResponseMetadata></ReceiveMessageResponse>");
    /* Output shape but no tree from the handler: still the result element. */
    check_encode(&model_sqs_query, "ListQueues", NULL,
                 XML_DECL "<ListQueuesResponse xmlns=\"" SQS_NS "\"><ListQueuesResult>"
                          "</ListQueuesResult><ResponseMetadata><RequestId>req-1</RequestId>"
                          "</ResponseMetadata></ListQueuesResponse>");
    /* No output shape: no result element; a stray tree is ignored. */
    check_encode(&model_sqs_query, "DeleteQueue", "{\"x\":1}",
                 XML_DECL "<DeleteQueueResponse xmlns=\"" SQS_NS "\"><ResponseMetadata>"
                          "<RequestId>req-1</RequestId></ResponseMetadata></DeleteQueueResponse>");
}

static void
test_query_encode__flattened_lists_and_maps(void **state)
{
    (void)state;
    check_encode(&model_sqs_query, "ListQueues", "{\"QueueUrls\":[\"u1\",\"u2\"]}",
                 XML_DECL "<ListQueuesResponse xmlns=\"" SQS_NS "\"><ListQueuesResult>"
                          "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>"
                          "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                          "</ListQueuesResponse>");
    check_encode(&model_sqs_query, "ListQueueTags", "{\"Tags\":{\"a\":\"b\"}}",
                 XML_DECL "<ListQueueTagsResponse xmlns=\"" SQS_NS "\"><ListQueueTagsResult>"
                          "<Tag><Key>a</Key><Value>b</Value></Tag></ListQueueTagsResult>"
                          "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                          "</ListQueueTagsResponse>");
    check_encode(
        &model_sqs_query, "SendMessageBatch",
        "{\"Successful\":[{\"Id\":\"1\",\"MessageId\":\"m\",\"MD5OfMessageBody\":\"x\"}],"
        "\"Failed\":[{\"Id\":\"2\",\"SenderFault\":true,\"Code\":\"C\",\"Message\":\"M\"}]}",
        XML_DECL "<SendMessageBatchResponse xmlns=\"" SQS_NS "\"><SendMessageBatchResult>"
                 "<SendMessageBatchResultEntry><Id>1</Id><MessageId>m</MessageId>"
                 "<MD5OfMessageBody>x</MD5OfMessageBody></SendMessageBatchResultEntry>"
                 "<BatchResultErrorEntry><Id>2</Id><SenderFault>true</SenderFault>"
                 "<Code>C</Code><Message>M</Message></BatchResultErrorEntry>"
                 "</SendMessageBatchResult><ResponseMetadata><RequestId>req-1</RequestId>"
                 "</ResponseMetadata></SendMessageBatchResponse>");
}

static void
test_query_encode__non_flattened_lists_and_maps(void **state)
{
#define SNS_NS "http://sns.amazonaws.com/doc/2010-03-31/"
    (void)state;
    check_encode(&model_sns, "GetTopicAttributes", "{\"Attributes\":{\"A\":\"1\",\"B\":\"x<y\"}}",
                 XML_DECL
                 "<GetTopicAttributesResponse xmlns=\"" SNS_NS "\">"
                 "<GetTopicAttributesResult><Attributes><entry><key>A</key><value>1</value>"
                 "</entry><entry><key>B</key><value>x&lt;y</value></entry></Attributes>"
                 "</GetTopicAttributesResult><ResponseMetadata><RequestId>req-1</RequestId>"
                 "</ResponseMetadata></GetTopicAttributesResponse>");
    check_encode(&model_sns, "ListTopics",
                 "{\"Topics\":[{\"TopicArn\":\"a\"},{\"TopicArn\":\"b\"}],\"NextToken\":\"n\"}",
                 XML_DECL
                 "<ListTopicsResponse xmlns=\"" SNS_NS "\"><ListTopicsResult><Topics>"
                 "<member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member>"
                 "</Topics><NextToken>n</NextToken></ListTopicsResult><ResponseMetadata>"
                 "<RequestId>req-1</RequestId></ResponseMetadata></ListTopicsResponse>");
    /* A non-flattened empty list keeps its wrapper, which botocore reads as []. */
    check_encode(&model_sns, "ListTagsForResource", "{\"Tags\":[]}",
                 XML_DECL "<ListTagsForResourceResponse xmlns=\"" SNS_NS "\">"
                          "<ListTagsForResourceResult><Tags></Tags></ListTagsForResourceResult>"
                          "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                          "</ListTagsForResourceResponse>");
#undef SNS_NS
}

/* Hand-made shapes for what the SQS/SNS query models never return: timestamps, doubles,
 * longs, a flattened list whose element has no name of its own, and a missing wrapper. */
static const struct model_shape t_string = {"S", SHAPE_STRING, 0, 0, NULL, NULL, NULL, 0};
static const struct model_shape t_ts = {"T", SHAPE_TIMESTAMP, 0, 0, NULL, NULL, NULL, 0};
static const struct model_shape t_double = {"D", SHAPE_DOUBLE, 0, 0, NULL, NULL, NULL, 0};
static const struct model_shape t_long = {"L", SHAPE_LONG, 0, 0, NULL, NULL, NULL, 0};
static const struct model_shape t_bool = {"B", SHAPE_BOOLEAN, 0, 0, NULL, NULL, NULL, 0};
static const struct model_member t_list_m[] = {{"member", NULL, &t_string, LOC_BODY, 0}};
static const struct model_shape t_flat_list = {
    "FL", SHAPE_LIST, SHAPE_F_FLATTENED, 1, t_list_m, NULL, NULL, 0};
static const struct model_member t_out_m[] = {
    {"When", NULL, &t_ts, LOC_BODY, 0},
    {"Later", NULL, &t_ts, LOC_BODY, 0},
    {"Ratio", "ratio", &t_double, LOC_BODY, 0},
    {"Big", NULL, &t_long, LOC_BODY, 0},
    {"Ok", NULL, &t_bool, LOC_BODY, 0},
    {"Items", "Item", &t_flat_list, LOC_BODY, MEMBER_FLATTENED},
};
static const struct model_shape t_out = {
    "Out", SHAPE_STRUCTURE, 0, ARRAY_SIZE(t_out_m), t_out_m, NULL, NULL, 0};
static const struct model_op t_ops[] = {
    {"Plain", "POST", "/", NULL, &t_out, NULL, 0},
    {"Wrapped", "POST", "/", NULL, &t_out, "WrappedResult", 0},
};
static const struct model t_model = {"t", "query", "2020-01-01", NULL, t_ops, ARRAY_SIZE(t_ops)};

static void
test_query_encode__scalars_timestamps_and_names(void **state)
{
    (void)state;
    check_encode(&t_model, "Wrapped",
                 "{\"When\":1704164645.25,\"Later\":\"2024-01-02T03:04:05Z\",\"Ratio\":0.1,"
                 "\"Big\":9007199254740993,\"Ok\":false,\"Items\":[\"x\",\"y\"]}",
                 XML_DECL "<WrappedResponse><WrappedResult>"
                          "<When>2024-01-02T03:04:05.250Z</When><Later>2024-01-02T03:04:05Z</Later>"
                          "<ratio>0.1</ratio><Big>9007199254740993</Big><Ok>false</Ok>"
                          "<Item>x</Item><Item>y</Item></WrappedResult><ResponseMetadata>"
                          "<RequestId>req-1</RequestId></ResponseMetadata></WrappedResponse>");
    /* Without a resultWrapper botocore reads members straight under the root element. */
    check_encode(&t_model, "Plain", "{\"When\":0,\"Ratio\":2.5,\"Ok\":true}",
                 XML_DECL
                 "<PlainResponse><When>1970-01-01T00:00:00.000Z</When>"
                 "<ratio>2.5</ratio><Ok>true</Ok><ResponseMetadata><RequestId>req-1</RequestId>"
                 "</ResponseMetadata></PlainResponse>");
}

static void
test_query_encode__failure_leaves_buffer_unchanged(void **state)
{
    const struct model_op *op = model_find_op(&model_sqs_query, "ListQueues");
    json_t *j = json_pack("{s:[s,s]}", "QueueUrls", "http://a/1", "http://b/2");
    struct buf b;

    (void)state;
    buf_init(&b, 120);
    assert_int_equal(buf_puts(&b, "keep"), 0);
    assert_int_equal(query_encode_response(&b, &model_sqs_query, op, j, "r"), -1);
    assert_string_equal(b.data, "keep");
    /* A tree of the wrong type for the shape is a handler bug: refused, not printed. */
    json_decref(j);
    j = json_pack("{s:s}", "QueueUrls", "not-a-list");
    buf_release(&b);
    buf_init(&b, 4096);
    assert_int_equal(query_encode_response(&b, &model_sqs_query, op, j, "r"), -1);
    assert_int_equal(b.len, 0);
    buf_release(&b);
    json_decref(j);
}

static void
test_query_encode__error_document(void **state)
{
    static const struct awslet_error nonexistent = {
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, SENDER};
    static const struct awslet_error internal = {"InternalError", NULL, 500, RECEIVER};
    struct buf b;

    (void)state;
    buf_init(&b, 4096);
    assert_int_equal(
        query_encode_error(&b, SQS_NS, &nonexistent, "The queue \"q\" & <x>\r", "req-9"), 0);
    assert_string_equal(b.data,
                        XML_DECL "<ErrorResponse xmlns=\"" SQS_NS "\"><Error><Type>Sender</Type>"
                                 "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                                 "<Message>The queue &quot;q&quot; &amp; &lt;x&gt;&#xD;</Message>"
                                 "<Detail/></Error><RequestId>req-9</RequestId></ErrorResponse>");
    buf_release(&b);

    buf_init(&b, 4096);
    assert_int_equal(query_encode_error(&b, NULL, &internal, NULL, "r"), 0);
    assert_string_equal(b.data, XML_DECL "<ErrorResponse><Error><Type>Receiver</Type>"
                                         "<Code>InternalError</Code><Detail/></Error>"
                                         "<RequestId>r</RequestId></ErrorResponse>");
    buf_release(&b);
}

/* ----- xml_escape -------------------------------------------------------------------- */

struct escape_case {
    const char *in;
    size_t len;
    const char *out;
};

#define ESC(lit, out)                                                                              \
    {                                                                                              \
        lit, sizeof(lit) - 1, out                                                                  \
    }

static const struct escape_case escape_cases[] = {
    ESC("plain text", "plain text"),
    ESC("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e'f"),
    ESC("line1\r\nline2\tx", "line1&#xD;\nline2\tx"),
    ESC("\x01"
        "a\x1f"
        "b\x00"
        "c\x7f",
        "ab"
        "c\x7f"), /* C0 controls dropped */
    ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
    ESC("bad\xff"
        "x",
        "bad\xef\xbf\xbd"
        "x"),                                                    /* invalid byte -> U+FFFD */
    ESC("\xc3", "\xef\xbf\xbd"),                                 /* truncated sequence */
    ESC("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"),                 /* overlong '/' */
    ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* surrogate */
    ESC("\xef\xbf\xbf\xef\xbf\xbe", "\xef\xbf\xbd\xef\xbf\xbd"), /* U+FFFF, U+FFFE */
    ESC("", ""),
};

static void
test_xml_escape__table(void **state)
{
    struct buf b;
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(escape_cases); i++) {
        buf_init(&b, 1024);
        assert_int_equal(buf_puts(&b, ""), 0);
        assert_int_equal(xml_escape(&b, escape_cases[i].in, escape_cases[i].len), 0);
        assert_string_equal(b.data, escape_cases[i].out);
        buf_release(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_decode__flattened_map_of_structures),
        cmocka_unit_test(test_query_decode__flattened_list_sparse_unordered),
        cmocka_unit_test(test_query_decode__empty_lists),
        cmocka_unit_test(test_query_decode__scalars_that_do_not_parse_stay_strings),
        cmocka_unit_test(test_query_decode__flattened_map_of_strings),
        cmocka_unit_test(test_query_decode__non_flattened_list_and_map),
        cmocka_unit_test(test_query_decode__list_of_structures_with_nested_map),
        cmocka_unit_test(test_query_decode__unknown_and_malformed_keys_ignored),
        cmocka_unit_test(test_query_decode__invalid_utf8_fails),
        cmocka_unit_test(test_query_decode__no_input_shape),
        cmocka_unit_test(test_query_encode__receive_message_two_messages),
        cmocka_unit_test(test_query_encode__empty_and_no_output),
        cmocka_unit_test(test_query_encode__flattened_lists_and_maps),
        cmocka_unit_test(test_query_encode__non_flattened_lists_and_maps),
        cmocka_unit_test(test_query_encode__scalars_timestamps_and_names),
        cmocka_unit_test(test_query_encode__failure_leaves_buffer_unchanged),
        cmocka_unit_test(test_query_encode__error_document),
        cmocka_unit_test(test_xml_escape__table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
