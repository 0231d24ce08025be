/* test_sqs_queue.c: SQS queue rules that need no HTTP: queue-name validation, queue URL,
 * request-path and ARN parsing, ListQueues tokens, the argument helpers' errors, and the
 * attribute table (every attribute's bounds, bad values and the errors AWS gives), including
 * RedrivePolicy / RedriveAllowPolicy checks against queues in an in-memory store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "services/sqs/sqs_int.h"
#include "store/store.h"

int queue_url_parse(struct arena *a, const char *url, const char **region, const char **account,
                    const char **name);
int queue_path_parse(struct arena *a, const char *path, const char **account, const char **name);
char *queue_token_encode(struct arena *a, const char *name);
char *queue_token_decode(struct arena *a, const char *token);
int attr_parse_int(const char *s, long long *out);
int attr_parse_bool(const char *s, bool *out);
int attr_redrive_allowed(const char *allow_policy, const char *source_arn);

#define ACCOUNT "123456789012"
#define REGION  "us-east-1"

static struct awslet_req req;

static void
req_fresh(void)
{
    arena_release(&req.arena);
    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    req.account = ACCOUNT;
    req.region = REGION;
    req.host = "localhost:4566";
    req.db = store_conn();
}

static int
setup(void **state)
{
    assert_int_equal(store_open(NULL, true), 0);
    arena_init(&req.arena);
    return 0;
}

static int
teardown(void **state)
{
    arena_release(&req.arena);
    store_close();
    return 0;
}

static void
test_sqs_name__validation(void **state)
{
    static const struct {
        const char *name;
        bool fifo;
        int ok;
    } cases[] = {
        {"a", false, 1},
        {"orders-in_1", false, 1},
        {"", false, 0},
        {"has space", false, 0},
        {"dot.name", false, 0},
        {"x.fifo", false, 0},
        {"x.fifo", true, 1},
        {"x", true, 0},
        {".fifo", true, 0},
        {"a*b.fifo", true, 0},
        {"ünï", false, 0},
        /* 80 characters is the limit, the .fifo suffix included */
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false,
         1},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false,
         0},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.fifo", true,
         1},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.fifo", true,
         0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (sqs_name_valid(cases[i].name, cases[i].fifo) != cases[i].ok)
            fail_msg("name '%s' fifo=%d: expected %d", cases[i].name, cases[i].fifo, cases[i].ok);
    }
}

static void
test_sqs_queue__url_parsing(void **state)
{
    static const struct {
        const char *url, *region, *account, *name; /* account NULL: rejected */
    } cases[] = {
        {"http://localhost:4566/123456789012/q1", NULL, "123456789012", "q1"},
        {"https://sqs.eu-west-1.amazonaws.com/123456789012/q1/", NULL, "123456789012", "q1"},
        {"http://127.0.0.1:9/000000000000/a.fifo", NULL, "000000000000", "a.fifo"},
        {"localhost:4566/123456789012/q1", NULL, "123456789012", "q1"},
        {"/123456789012/q1", NULL, "123456789012", "q1"},
        {"http://h/queue/eu-west-1/123456789012/q1", "eu-west-1", "123456789012", "q1"},
        {"http://h/123456789012/q1?x=1", NULL, "123456789012", "q1"},
        {"http://h/123456789012", NULL, NULL, NULL},
        {"http://h/123456789012/q1/extra", NULL, NULL, NULL},
        {"http://h//123456789012/q1", NULL, NULL, NULL},
        {"http://h", NULL, NULL, NULL},
        {"q1", NULL, NULL, NULL},
        {"", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *r, *a, *n;
        int rc = queue_url_parse(&req.arena, cases[i].url, &r, &a, &n);

        if (!cases[i].account) {
            if (rc == 0)
                fail_msg("url '%s' should be rejected", cases[i].url);
            continue;
        }
        if (rc != 0)
            fail_msg("url '%s' rejected", cases[i].url);
        assert_string_equal(a, cases[i].account);
        assert_string_equal(n, cases[i].name);
        if (cases[i].region)
            assert_string_equal(r, cases[i].region);
        else
            assert_null(r);
    }
}

static void
test_sqs_queue__request_path(void **state)
{
    const char *a, *n;

    assert_int_equal(queue_path_parse(&req.arena, "/123456789012/q1", &a, &n), 0);
    assert_string_equal(a, "123456789012");
    assert_string_equal(n, "q1");
    assert_int_equal(queue_path_parse(&req.arena, "/123456789012/q1/", &a, &n), 0);
    assert_string_equal(n, "q1");
    assert_int_equal(queue_path_parse(&req.arena, "/", &a, &n), -1);
    assert_int_equal(queue_path_parse(&req.arena, "/12345678901/q1", &a, &n), -1);
    assert_int_equal(queue_path_parse(&req.arena, "/1234567890123/q1", &a, &n), -1);
    assert_int_equal(queue_path_parse(&req.arena, "/123456789012/", &a, &n), -1);
    assert_int_equal(queue_path_parse(&req.arena, "/123456789012/q1/x", &a, &n), -1);
    assert_int_equal(queue_path_parse(&req.arena, NULL, &a, &n), -1);
}

static void
test_sqs_queue__arn_split(void **state)
{
    const char *r, *a, *n;

    req_fresh();
    assert_int_equal(sqs_arn_split(&req, "arn:aws:sqs:us-east-1:123456789012:q1", &r, &a, &n), 0);
    assert_string_equal(r, "us-east-1");
    assert_string_equal(a, "123456789012");
    assert_string_equal(n, "q1");
    assert_int_equal(sqs_arn_split(&req, "arn:aws-cn:sqs:cn-north-1:1:q.fifo", &r, &a, &n), 0);
    assert_string_equal(n, "q.fifo");
    assert_null(req.err);
    static const char *const bad[] = {
        "",
        "arn:aws:sqs:us-east-1:123456789012",
        "arn:aws:sns:us-east-1:123456789012:q",
        "arn:aws:sqs::123456789012:q",
        "arn:aws:sqs:us-east-1:123456789012:q:x",
        "nra:aws:sqs:us-east-1:123456789012:q",
        "arn:aws:sqs:us-east-1::q",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req_fresh();
        if (sqs_arn_split(&req, bad[i], &r, &a, &n) != -1)
            fail_msg("arn '%s' accepted", bad[i]);
        assert_ptr_equal(req.err, &ERR_SQS_INVALID_PARAMETER_VALUE);
    }
}

static void
test_sqs_queue__list_token_round_trip(void **state)
{
    char *t = queue_token_encode(&req.arena, "orders-1.fifo");

    assert_non_null(t);
    assert_string_equal(queue_token_decode(&req.arena, t), "orders-1.fifo");
    assert_null(queue_token_decode(&req.arena, ""));
    assert_null(queue_token_decode(&req.arena, "abc"));  /* odd length */
    assert_null(queue_token_decode(&req.arena, "zz"));   /* not hex */
    assert_null(queue_token_decode(&req.arena, "2f2f")); /* "//" is no queue name */
    assert_null(queue_token_decode(&req.arena, "4A"));   /* upper case is not ours */
}

static void
test_sqs_queue__url_uses_request_host(void **state)
{
    struct sqs_queue q = {.account = ACCOUNT, .name = "q1"};

    req_fresh();
    assert_string_equal(sqs_queue_url(&req, &q), "http://localhost:4566/123456789012/q1");
    req.host = "";
    assert_string_equal(sqs_queue_url(&req, &q), "http://localhost/123456789012/q1");
}

static void
test_sqs_args__errors(void **state)
{
    json_t *in = json_pack("{s:s, s:i, s:s, s:i, s:b, s:s, s:n}", "QueueUrl", "u", "DelaySeconds",
                           901, "Wait", "abc", "Max", 5, "Flag", 1, "NotBool", "yes", "Null");
    const char *s = NULL;
    long long n = -1;
    bool b = false;

    req_fresh();
    assert_int_equal(sqs_arg_str(&req, in, "QueueUrl", &s), 0);
    assert_string_equal(s, "u");
    assert_int_equal(sqs_arg_str(&req, in, "Missing", &s), -1);
    assert_ptr_equal(req.err, &ERR_SQS_MISSING_PARAMETER);
    assert_string_equal(req.err_msg, "The request must contain the parameter Missing.");
    req_fresh();
    assert_int_equal(sqs_arg_str(&req, in, "Null", &s), -1); /* JSON null is absence */
    req_fresh();
    assert_int_equal(sqs_arg_str_opt(&req, in, "Null", &s), 0);
    assert_int_equal(sqs_arg_str_opt(&req, in, "Max", &s), -1);
    assert_ptr_equal(req.err, &ERR_SQS_INVALID_PARAMETER_VALUE);

    req_fresh();
    assert_int_equal(sqs_arg_int_opt(&req, in, "Max", 1, 10, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(sqs_arg_int_opt(&req, in, "Absent", 1, 10, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(sqs_arg_int_opt(&req, in, "DelaySeconds", 0, 900, &n), -1);
    assert_ptr_equal(req.err, &ERR_SQS_INVALID_PARAMETER_VALUE);
    assert_string_equal(req.err_msg, "Value 901 for parameter DelaySeconds is invalid. Reason: "
                                     "Must be >= 0 and <= 900.");
    req_fresh();
    assert_int_equal(sqs_arg_int_opt(&req, in, "Wait", 0, 20, &n), -1);
    assert_string_equal(req.err_msg,
                        "Value abc for parameter Wait is invalid. Reason: Must be an integer.");

    req_fresh();
    assert_int_equal(sqs_arg_bool_opt(&req, in, "Flag", &b), 0);
    assert_true(b);
    assert_int_equal(sqs_arg_bool_opt(&req, in, "NotBool", &b), -1);
    assert_ptr_equal(req.err, &ERR_SQS_INVALID_PARAMETER_VALUE);
    json_decref(in);
}

static void
test_sqs_attrs__parsers(void **state)
{
    long long n;
    bool b;

    assert_int_equal(attr_parse_int("0", &n), 0);
    assert_int_equal(attr_parse_int("-5", &n), 0);
    assert_int_equal(n, -5);
    assert_int_equal(attr_parse_int("", &n), -1);
    assert_int_equal(attr_parse_int(" 5", &n), -1);
    assert_int_equal(attr_parse_int("5 ", &n), -1);
    assert_int_equal(attr_parse_int("1.5", &n), -1);
    assert_int_equal(attr_parse_int("-", &n), -1);
    assert_int_equal(attr_parse_int("99999999999999999999", &n), -1);
    assert_int_equal(attr_parse_bool("TRUE", &b), 0);
    assert_true(b);
    assert_int_equal(attr_parse_bool("false", &b), 0);
    assert_false(b);
    assert_int_equal(attr_parse_bool("1", &b), -1);
    assert_int_equal(attr_parse_bool("", &b), -1);
}

static struct sqs_queue *
new_queue(const char *name, bool fifo)
{
    struct sqs_queue *q = arena_calloc(&req.arena, sizeof(*q));

    q->account = ACCOUNT;
    q->region = REGION;
    q->name = name;
    q->arn = arena_printf(&req.arena, "arn:aws:sqs:%s:%s:%s", REGION, ACCOUNT, name);
    sqs_attrs_defaults(q, fifo);
    return q;
}

/* Apply {name: value} to a fresh queue; NULL error means accepted and then reported as
 * `shown` by GetQueueAttributes (shown NULL: same as value). */
struct attr_case {
    bool fifo;
    const char *name, *value;
    const struct awslet_error *err;
    const char *msg; /* expected message, or NULL not to check */
    const char *shown;
};

static const struct attr_case attr_cases[] = {
    /* bounds of every integer attribute */
    {false, "DelaySeconds", "0", NULL, NULL, NULL},
    {false, "DelaySeconds", "900", NULL, NULL, NULL},
    {false, "DelaySeconds", "901", &ERR_SQS_INVALID_ATTRIBUTE_VALUE,
     "Invalid value for the parameter DelaySeconds.", NULL},
    {false, "DelaySeconds", "-1", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "DelaySeconds", "abc", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "DelaySeconds", "", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "MaximumMessageSize", "1024", NULL, NULL, NULL},
    {false, "MaximumMessageSize", "1048576", NULL, NULL, NULL},
    {false, "MaximumMessageSize", "1023", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "MaximumMessageSize", "1048577", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "MessageRetentionPeriod", "60", NULL, NULL, NULL},
    {false, "MessageRetentionPeriod", "1209600", NULL, NULL, NULL},
    {false, "MessageRetentionPeriod", "59", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "MessageRetentionPeriod", "1209601", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "ReceiveMessageWaitTimeSeconds", "0", NULL, NULL, NULL},
    {false, "ReceiveMessageWaitTimeSeconds", "20", NULL, NULL, NULL},
    {false, "ReceiveMessageWaitTimeSeconds", "21", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "VisibilityTimeout", "0", NULL, NULL, NULL},
    {false, "VisibilityTimeout", "43200", NULL, NULL, NULL},
    {false, "VisibilityTimeout", "43201", &ERR_SQS_INVALID_ATTRIBUTE_VALUE,
     "Invalid value for the parameter VisibilityTimeout.", NULL},
    {false, "KmsDataKeyReusePeriodSeconds", "59", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "KmsDataKeyReusePeriodSeconds", "86401", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    /* the reuse period is only reported along with a KMS key */
    {false, "KmsDataKeyReusePeriodSeconds", "86400", NULL, NULL, ""},
    {false, "KmsMasterKeyId", "alias/aws/sqs", NULL, NULL, NULL},
    {false, "KmsMasterKeyId", "", NULL, NULL, ""},
    {false, "SqsManagedSseEnabled", "false", NULL, NULL, NULL},
    {false, "SqsManagedSseEnabled", "True", NULL, NULL, "true"},
    {false, "SqsManagedSseEnabled", "yes", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    /* policies */
    {false, "Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[]}", NULL, NULL, NULL},
    {false, "Policy", "", NULL, NULL, ""},
    {false, "Policy", "not json", &ERR_SQS_INVALID_ATTRIBUTE_VALUE,
     "Invalid value for the parameter Policy.", NULL},
    {false, "Policy", "[1]", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy", "{\"redrivePermission\":\"allowAll\"}", NULL, NULL, NULL},
    {false, "RedriveAllowPolicy", "{\"redrivePermission\":\"denyAll\"}", NULL, NULL, NULL},
    {false, "RedriveAllowPolicy",
     "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"arn:aws:sqs:us-east-1:"
     "123456789012:src\"]}",
     NULL, NULL, NULL},
    {false, "RedriveAllowPolicy", "{\"redrivePermission\":\"byQueue\"}",
     &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy",
     "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"a1\",\"a2\",\"a3\",\"a4\","
     "\"a5\",\"a6\",\"a7\",\"a8\",\"a9\",\"a10\",\"a11\"]}",
     &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy",
     "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"not-an-arn\"]}",
     &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy",
     "{\"redrivePermission\":\"allowAll\",\"sourceQueueArns\":[\"arn:aws:sqs:us-east-1:"
     "123456789012:src\"]}",
     &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy", "{\"redrivePermission\":\"some\"}",
     &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy", "{", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "RedriveAllowPolicy", "", NULL, NULL, ""},
    /* RedrivePolicy: the DLQs "dlq", "dlq.fifo" and "closed" (denyAll) exist */
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":\"5\"}",
     NULL, NULL,
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":5}"},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":1000}",
     NULL, NULL, NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":1001}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":1001} for parameter RedrivePolicy is invalid. Reason: Invalid value "
     "for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.",
     NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":0}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy", "{\"maxReceiveCount\":3}", &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value {\"maxReceiveCount\":3} for parameter RedrivePolicy is invalid. Reason: Redrive "
     "policy does not contain mandatory attribute: deadLetterTargetArn.",
     NULL},
    {false, "RedrivePolicy", "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\"}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:nope\","
     "\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:123456789012:dlq\","
     "\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy", "{\"deadLetterTargetArn\":\"x\",\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq.fifo\","
     "\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {true, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\","
     "\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {true, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq.fifo\","
     "\"maxReceiveCount\":3}",
     NULL, NULL, NULL},
    {false, "RedrivePolicy",
     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:closed\","
     "\"maxReceiveCount\":3}",
     &ERR_SQS_INVALID_PARAMETER_VALUE,
     "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:closed\","
     "\"maxReceiveCount\":3} for parameter RedrivePolicy is invalid. Reason: Queue "
     "arn:aws:sqs:us-east-1:123456789012:closed does not allow this queue to use it as a "
     "dead-letter queue.",
     NULL},
    {false, "RedrivePolicy", "[]", &ERR_SQS_INVALID_PARAMETER_VALUE, NULL, NULL},
    {false, "RedrivePolicy", "", NULL, NULL, ""},
    /* FIFO attributes */
    {true, "ContentBasedDeduplication", "true", NULL, NULL, NULL},
    {true, "ContentBasedDeduplication", "maybe", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {true, "DeduplicationScope", "messageGroup", NULL, NULL, NULL},
    {true, "DeduplicationScope", "group", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {true, "FifoThroughputLimit", "perQueue", NULL, NULL, NULL},
    /* perMessageGroupId needs DeduplicationScope messageGroup */
    {true, "FifoThroughputLimit", "perMessageGroupId", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL,
     NULL},
    {true, "FifoThroughputLimit", "perGroup", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "ContentBasedDeduplication", "true", &ERR_SQS_INVALID_ATTRIBUTE_NAME,
     "Unknown Attribute ContentBasedDeduplication.", NULL},
    {false, "DeduplicationScope", "queue", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {false, "FifoThroughputLimit", "perQueue", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {true, "FifoQueue", "true", NULL, NULL, NULL},
    {true, "FifoQueue", "false", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "FifoQueue", "true", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    {false, "FifoQueue", "nope", &ERR_SQS_INVALID_ATTRIBUTE_VALUE, NULL, NULL},
    /* unknown and read-only names */
    {false, "Colour", "blue", &ERR_SQS_INVALID_ATTRIBUTE_NAME, "Unknown Attribute Colour.", NULL},
    {false, "QueueArn", "x", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {false, "ApproximateNumberOfMessages", "1", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {false, "CreatedTimestamp", "1", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {false, "All", "1", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
    {false, "delayseconds", "1", &ERR_SQS_INVALID_ATTRIBUTE_NAME, NULL, NULL},
};

static void
save_queue(struct sqs_queue *q)
{
    q->created_s = q->modified_s = 1;
    q->id = 0;
    assert_int_equal(sqs_queue_save(&req, q), 0);
}

static int
setup_dlqs(void **state)
{
    struct sqs_queue *q;

    setup(state);
    assert_int_equal(store_exec(store_conn(), "BEGIN"), 0);
    req_fresh();
    save_queue(new_queue("dlq", false));
    save_queue(new_queue("dlq.fifo", true));
    q = new_queue("closed", false);
    q->redrive_allow = "{\"redrivePermission\":\"denyAll\"}";
    save_queue(q);
    assert_int_equal(store_exec(store_conn(), "COMMIT"), 0);
    return 0;
}

static void
test_sqs_attrs__validation_table(void **state)
{
    for (size_t i = 0; i < sizeof(attr_cases) / sizeof(attr_cases[0]); i++) {
        const struct attr_case *c = &attr_cases[i];
        struct sqs_queue *q;
        json_t *attrs = json_pack("{s:s}", c->name, c->value);
        int rc;

        req_fresh();
        q = new_queue(c->fifo ? "src.fifo" : "src", c->fifo);
        rc = sqs_attrs_apply(&req, q, attrs, false);
        json_decref(attrs);
        if (c->err) {
            if (rc != -1 || req.err != c->err)
                fail_msg("case %zu %s=%s: expected %s, got rc %d %s", i, c->name, c->value,
                         c->err->code, rc, req.err ? req.err->code : "no error");
            if (c->msg)
                assert_string_equal(req.err_msg, c->msg);
            continue;
        }
        if (rc != 0)
            fail_msg("case %zu %s=%s rejected: %s", i, c->name, c->value, req.err_msg);
        const char *want = c->shown ? c->shown : c->value;
        const char *got = sqs_attr_value(&req, q, c->name);
        if (*want == '\0')
            assert_null(got);
        else
            assert_string_equal(got, want);
    }
}

static void
test_sqs_attrs__defaults_as_reported(void **state)
{
    static const char *const std_attrs[][2] = {
        {"DelaySeconds", "0"},
        {"MaximumMessageSize", "1048576"},
        {"MessageRetentionPeriod", "345600"},
        {"ReceiveMessageWaitTimeSeconds", "0"},
        {"VisibilityTimeout", "30"},
        {"SqsManagedSseEnabled", "true"},
        {"QueueArn", "arn:aws:sqs:us-east-1:123456789012:q"},
    };
    struct sqs_queue *q, *f;

    req_fresh();
    q = new_queue("q", false);
    for (size_t i = 0; i < sizeof(std_attrs) / sizeof(std_attrs[0]); i++)
        assert_string_equal(sqs_attr_value(&req, q, std_attrs[i][0]), std_attrs[i][1]);
    static const char *const absent[] = {
        "Policy",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "Nonsense",
    };
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        assert_null(sqs_attr_value(&req, q, absent[i]));
    f = new_queue("f.fifo", true);
    assert_string_equal(sqs_attr_value(&req, f, "FifoQueue"), "true");
    assert_string_equal(sqs_attr_value(&req, f, "ContentBasedDeduplication"), "false");
    assert_string_equal(sqs_attr_value(&req, f, "DeduplicationScope"), "queue");
    assert_string_equal(sqs_attr_value(&req, f, "FifoThroughputLimit"), "perQueue");
}

static void
test_sqs_attrs__combined_rules(void **state)
{
    struct sqs_queue *q;
    json_t *a;

    /* high throughput: both attributes in one call */
    req_fresh();
    q = new_queue("ht.fifo", true);
    a = json_pack("{s:s, s:s}", "FifoThroughputLimit", "perMessageGroupId", "DeduplicationScope",
                  "messageGroup");
    assert_int_equal(sqs_attrs_apply(&req, q, a, true), 0);
    json_decref(a);
    assert_string_equal(sqs_attr_value(&req, q, "FifoThroughputLimit"), "perMessageGroupId");

    /* a KMS key turns SSE-SQS off; asking for both at once is refused */
    req_fresh();
    q = new_queue("k", false);
    a = json_pack("{s:s, s:s}", "KmsMasterKeyId", "alias/x", "KmsDataKeyReusePeriodSeconds", "600");
    assert_int_equal(sqs_attrs_apply(&req, q, a, false), 0);
    json_decref(a);
    assert_string_equal(sqs_attr_value(&req, q, "SqsManagedSseEnabled"), "false");
    assert_string_equal(sqs_attr_value(&req, q, "KmsDataKeyReusePeriodSeconds"), "600");
    a = json_pack("{s:s, s:s}", "KmsMasterKeyId", "alias/x", "SqsManagedSseEnabled", "true");
    assert_int_equal(sqs_attrs_apply(&req, q, a, false), -1);
    assert_ptr_equal(req.err, &ERR_SQS_INVALID_ATTRIBUTE_VALUE);
    json_decref(a);

    /* JSON numbers and booleans are taken as their text */
    req_fresh();
    q = new_queue("n", false);
    a = json_pack("{s:i, s:b}", "DelaySeconds", 7, "SqsManagedSseEnabled", 0);
    assert_int_equal(sqs_attrs_apply(&req, q, a, false), 0);
    json_decref(a);
    assert_int_equal(q->delay_seconds, 7);
    assert_string_equal(q->sse, "false");

    /* RedrivePolicy parses into dlq_arn / max_receive_count, "" clears them */
    req_fresh();
    q = new_queue("src", false);
    a = json_pack("{s:s}", "RedrivePolicy",
                  "{\"maxReceiveCount\":4,\"deadLetterTargetArn\":"
                  "\"arn:aws:sqs:us-east-1:123456789012:dlq\"}");
    assert_int_equal(sqs_attrs_apply(&req, q, a, false), 0);
    json_decref(a);
    assert_string_equal(q->dlq_arn, "arn:aws:sqs:us-east-1:123456789012:dlq");
    assert_int_equal(q->max_receive_count, 4);
    a = json_pack("{s:s}", "RedrivePolicy", "");
    assert_int_equal(sqs_attrs_apply(&req, q, a, false), 0);
    json_decref(a);
    assert_null(q->dlq_arn);
    assert_int_equal(q->max_receive_count, 0);
}

static void
test_sqs_attrs__redrive_allow_policy(void **state)
{
    static const char by_queue[] = "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":"
                                   "[\"arn:aws:sqs:us-east-1:123456789012:a\"]}";

    assert_int_equal(attr_redrive_allowed(NULL, "arn:x"), 1);
    assert_int_equal(attr_redrive_allowed("{\"redrivePermission\":\"allowAll\"}", "arn:x"), 1);
    assert_int_equal(attr_redrive_allowed("{\"redrivePermission\":\"denyAll\"}", "arn:x"), 0);
    assert_int_equal(attr_redrive_allowed(by_queue, "arn:aws:sqs:us-east-1:123456789012:a"), 1);
    assert_int_equal(attr_redrive_allowed(by_queue, "arn:aws:sqs:us-east-1:123456789012:b"), 0);
}

static void
test_sqs_queue__save_and_load(void **state)
{
    struct sqs_queue *q, *l;

    assert_int_equal(store_exec(store_conn(), "BEGIN"), 0);
    req_fresh();
    q = new_queue("roundtrip.fifo", true);
    q->policy = "{\"Statement\":[]}";
    q->content_dedup = true;
    q->visibility_timeout = 99;
    q->tags = "{\"k\":\"v\"}";
    save_queue(q);
    assert_true(q->id > 0);
    l = sqs_queue_load(&req, ACCOUNT, REGION, "roundtrip.fifo");
    assert_non_null(l);
    assert_int_equal(l->id, q->id);
    assert_true(l->fifo);
    assert_true(l->content_dedup);
    assert_int_equal(l->visibility_timeout, 99);
    assert_string_equal(l->policy, q->policy);
    assert_string_equal(l->tags, q->tags);
    assert_string_equal(l->dedup_scope, "queue");
    assert_null(l->redrive_policy);
    assert_string_equal(l->arn, "arn:aws:sqs:us-east-1:123456789012:roundtrip.fifo");

    l->visibility_timeout = 5;
    assert_int_equal(sqs_queue_save(&req, l), 0);
    l = sqs_queue_by_url(&req, "http://elsewhere:1/123456789012/roundtrip.fifo/");
    assert_non_null(l);
    assert_int_equal(l->visibility_timeout, 5);
    l = sqs_queue_by_arn(&req, "arn:aws:sqs:us-east-1:123456789012:roundtrip.fifo");
    assert_non_null(l);

    assert_null(sqs_queue_load(&req, ACCOUNT, "eu-west-1", "roundtrip.fifo"));
    assert_ptr_equal(req.err, &ERR_SQS_QUEUE_DOES_NOT_EXIST);
    assert_string_equal(req.err_msg, "The specified queue does not exist.");
    req_fresh();
    assert_null(sqs_queue_lookup(&req, ACCOUNT, REGION, "nope"));
    assert_null(req.err);
    assert_null(sqs_queue_by_url(&req, "nonsense"));
    assert_ptr_equal(req.err, &ERR_SQS_INVALID_ADDRESS);
    assert_int_equal(store_exec(store_conn(), "ROLLBACK"), 0);
}

static void
test_sqs_queue__from_request(void **state)
{
    json_t *in = json_object();

    assert_int_equal(store_exec(store_conn(), "BEGIN"), 0);
    req_fresh();
    save_queue(new_queue("bypath", false));
    /* no QueueUrl: the query protocol may name the queue by the request path */
    req.path = "/123456789012/bypath";
    assert_non_null(sqs_queue_from_request(&req, in));
    req.path = "/";
    assert_null(sqs_queue_from_request(&req, in));
    assert_ptr_equal(req.err, &ERR_SQS_MISSING_PARAMETER);
    assert_string_equal(req.err_msg, "The request must contain the parameter QueueUrl.");
    json_object_set_new(in, "QueueUrl", json_string("http://x/123456789012/other"));
    req_fresh();
    req.path = "/123456789012/bypath"; /* the member wins */
    assert_null(sqs_queue_from_request(&req, in));
    assert_ptr_equal(req.err, &ERR_SQS_QUEUE_DOES_NOT_EXIST);
    json_decref(in);
    assert_int_equal(store_exec(store_conn(), "ROLLBACK"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqs_name__validation),
        cmocka_unit_test(test_sqs_queue__url_parsing),
        cmocka_unit_test(test_sqs_queue__request_path),
        cmocka_unit_test(test_sqs_queue__arn_split),
        cmocka_unit_test(test_sqs_queue__list_token_round_trip),
        cmocka_unit_test(test_sqs_queue__url_uses_request_host),
        cmocka_unit_test(test_sqs_args__errors),
        cmocka_unit_test(test_sqs_attrs__parsers),
        cmocka_unit_test(test_sqs_attrs__validation_table),
        cmocka_unit_test(test_sqs_attrs__defaults_as_reported),
        cmocka_unit_test(test_sqs_attrs__combined_rules),
        cmocka_unit_test(test_sqs_attrs__redrive_allow_policy),
        cmocka_unit_test(test_sqs_queue__save_and_load),
        cmocka_unit_test(test_sqs_queue__from_request),
    };
    return cmocka_run_group_tests(tests, setup_dlqs, teardown);
}
