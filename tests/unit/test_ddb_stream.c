/* test_ddb_stream.c: DynamoDB Streams' pure parts: sequence numbers, stream labels, the
 * records' shape per StreamViewType (services/dynamodb/ddb_stream.c) and the shard iterator
 * codec (services/dynamodbstreams/dynamodbstreams_iter.c), including garbage and tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base64.h"
#include "services/dynamodbstreams/dynamodbstreams_int.h"

#define ARN "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-11-23T14:03:04.123"

/* ---- sequence numbers ------------------------------------------------------------------ */

static void
test_ddb_stream__seq_format(void **state)
{
    char s[DDB_STREAM_SEQ_LEN + 1];
    long long sid, n;

    (void)state;
    ddb_stream_seq_format(s, 1, 1);
    assert_string_equal(s, "000000001000000000001");
    ddb_stream_seq_format(s, 42, 999999999999LL);
    assert_string_equal(s, "000000042999999999999");
    assert_int_equal(strlen(s), 21);
    assert_int_equal(ddb_stream_seq_parse(s, &sid, &n), 0);
    assert_int_equal(sid, 42);
    assert_int_equal(n, 999999999999LL);
}

/* Fixed width: text order is numeric order, within a stream and across numbers of every
 * length (botocore and the KCL compare them as strings or as big integers). */
static void
test_ddb_stream__seq_order(void **state)
{
    static const long long ns[] = {
        1, 2, 9, 10, 11, 99, 100, 12345, 999999, 1000000, 123456789012LL};
    char prev[DDB_STREAM_SEQ_LEN + 1], cur[DDB_STREAM_SEQ_LEN + 1];

    (void)state;
    ddb_stream_seq_format(prev, 7, ns[0]);
    for (size_t i = 1; i < sizeof(ns) / sizeof(ns[0]); i++) {
        ddb_stream_seq_format(cur, 7, ns[i]);
        assert_true(strcmp(prev, cur) < 0);
        assert_int_equal(strlen(cur), DDB_STREAM_SEQ_LEN);
        memcpy(prev, cur, sizeof(cur));
    }
}

static void
test_ddb_stream__seq_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "1",
        "00000000100000000000",   /* 20 digits */
        "0000000010000000000011", /* 22 */
        "00000000100000000000a",
        "000000000000000000001", /* stream 0 */
        "000000001000000000000", /* record 0 */
        "-00000001000000000001",
        " 00000001000000000001",
    };
    long long sid, n;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ddb_stream_seq_parse(bad[i], &sid, &n), -1);
    assert_int_equal(ddb_stream_seq_parse(NULL, &sid, &n), -1);
}

static void
test_ddb_stream__label(void **state)
{
    char l[32];

    (void)state;
    ddb_stream_label(l, 1432154670252LL);
    assert_string_equal(l, "2015-05-20T20:44:30.252");
    ddb_stream_label(l, 1795960984007LL);
    assert_string_equal(l, "2026-11-29T14:03:04.007");
}

/* ---- records --------------------------------------------------------------------------- */

struct shape_case {
    const char *view;
    int event; /* 0 INSERT, 1 MODIFY, 2 REMOVE */
    const char *name;
    int has_new, has_old;
    long long size;
};

/* keys {"pk":S "a"} = 3 bytes; old {"pk","v":S "xyz"} = 7; new {"pk","v":S "hello"} = 9. */
static const struct shape_case shape_cases[] = {
    {"KEYS_ONLY", 0, "INSERT", 0, 0, 3},           {"KEYS_ONLY", 1, "MODIFY", 0, 0, 3},
    {"KEYS_ONLY", 2, "REMOVE", 0, 0, 3},           {"NEW_IMAGE", 0, "INSERT", 1, 0, 12},
    {"NEW_IMAGE", 1, "MODIFY", 1, 0, 12},          {"NEW_IMAGE", 2, "REMOVE", 0, 0, 3},
    {"OLD_IMAGE", 0, "INSERT", 0, 0, 3},           {"OLD_IMAGE", 1, "MODIFY", 0, 1, 10},
    {"OLD_IMAGE", 2, "REMOVE", 0, 1, 10},          {"NEW_AND_OLD_IMAGES", 0, "INSERT", 1, 0, 12},
    {"NEW_AND_OLD_IMAGES", 1, "MODIFY", 1, 1, 19}, {"NEW_AND_OLD_IMAGES", 2, "REMOVE", 0, 1, 10},
};

static void
test_ddb_stream__record_shape(void **state)
{
    json_t *keys = json_loads("{\"pk\":{\"S\":\"a\"}}", 0, NULL);
    json_t *old_item = json_loads("{\"pk\":{\"S\":\"a\"},\"v\":{\"S\":\"xyz\"}}", 0, NULL);
    json_t *new_item = json_loads("{\"pk\":{\"S\":\"a\"},\"v\":{\"S\":\"hello\"}}", 0, NULL);

    (void)state;
    for (size_t i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
        const struct shape_case *c = &shape_cases[i];
        const json_t *o = c->event == 0 ? NULL : old_item;
        const json_t *n = c->event == 2 ? NULL : new_item;
        json_t *r = ddb_stream_record_new(c->view, "eu-west-1", keys, o, n, NULL,
                                          "000000001000000000005", 1700000000999LL);
        json_t *d = json_object_get(r, "dynamodb");
        const char *id = json_string_value(json_object_get(r, "eventID"));

        assert_non_null(r);
        assert_string_equal(json_string_value(json_object_get(r, "eventName")), c->name);
        assert_string_equal(json_string_value(json_object_get(r, "eventVersion")), "1.1");
        assert_string_equal(json_string_value(json_object_get(r, "eventSource")), "aws:dynamodb");
        assert_string_equal(json_string_value(json_object_get(r, "awsRegion")), "eu-west-1");
        assert_non_null(id);
        assert_int_equal(strlen(id), 32);
        assert_int_equal(strspn(id, "0123456789abcdef"), 32);
        assert_null(json_object_get(r, "userIdentity"));
        /* Whole epoch seconds as a JSON integer, rounded down. */
        assert_true(json_is_integer(json_object_get(d, "ApproximateCreationDateTime")));
        assert_int_equal(json_integer_value(json_object_get(d, "ApproximateCreationDateTime")),
                         1700000000);
        assert_true(json_equal(json_object_get(d, "Keys"), keys));
        assert_int_equal(json_object_get(d, "NewImage") != NULL, c->has_new);
        assert_int_equal(json_object_get(d, "OldImage") != NULL, c->has_old);
        if (c->has_new)
            assert_true(json_equal(json_object_get(d, "NewImage"), new_item));
        if (c->has_old)
            assert_true(json_equal(json_object_get(d, "OldImage"), old_item));
        assert_string_equal(json_string_value(json_object_get(d, "SequenceNumber")),
                            "000000001000000000005");
        assert_int_equal(json_integer_value(json_object_get(d, "SizeBytes")), c->size);
        assert_string_equal(json_string_value(json_object_get(d, "StreamViewType")), c->view);
        assert_int_equal(json_object_size(d), 5 + c->has_new + c->has_old);
        json_decref(r);
    }
    json_decref(keys);
    json_decref(old_item);
    json_decref(new_item);
}

/* TTL deletions carry the service's identity. */
static void
test_ddb_stream__record_user_identity(void **state)
{
    json_t *keys = json_loads("{\"pk\":{\"N\":\"1\"}}", 0, NULL);
    json_t *who =
        json_pack("{s:s, s:s}", "Type", "Service", "PrincipalId", "dynamodb.amazonaws.com");
    json_t *r = ddb_stream_record_new("KEYS_ONLY", "us-east-1", keys, keys, NULL, who,
                                      "000000001000000000001", 0);

    (void)state;
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "eventName")), "REMOVE");
    /* Spelled as DynamoDB sends it ("type", "principalId"), whichever spelling came in. */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "userIdentity"), "type")), "Service");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "userIdentity"), "principalId")),
        "dynamodb.amazonaws.com");
    assert_int_equal(json_object_size(json_object_get(r, "userIdentity")), 2);
    json_decref(r);
    json_decref(who);
    json_decref(keys);
}

/* Two records never share an eventID. */
static void
test_ddb_stream__record_ids_differ(void **state)
{
    json_t *keys = json_loads("{\"pk\":{\"S\":\"a\"}}", 0, NULL);
    json_t *a = ddb_stream_record_new("KEYS_ONLY", "us-east-1", keys, NULL, keys, NULL,
                                      "000000001000000000001", 0);
    json_t *b = ddb_stream_record_new("KEYS_ONLY", "us-east-1", keys, NULL, keys, NULL,
                                      "000000001000000000002", 0);

    (void)state;
    assert_string_not_equal(json_string_value(json_object_get(a, "eventID")),
                            json_string_value(json_object_get(b, "eventID")));
    json_decref(a);
    json_decref(b);
    json_decref(keys);
}

/* ---- shard iterators ------------------------------------------------------------------- */

static void
test_ddb_stream__iter_round_trip(void **state)
{
    struct arena a;
    struct dstreams_iter in = {12, 345, 1700000000123LL}, out;
    const char *arn;
    char *text;

    (void)state;
    arena_init(&a);
    text = dstreams_iter_encode(&a, ARN, &in);
    assert_non_null(text);
    /* AWS's form: the stream ARN, "|1|", then an opaque blob. */
    assert_memory_equal(text, ARN "|1|", strlen(ARN "|1|"));
    assert_true(strlen(text) <= 2048);
    memset(&out, 0, sizeof(out));
    assert_int_equal(dstreams_iter_decode(&a, text, &out, &arn), 0);
    assert_string_equal(arn, ARN);
    assert_int_equal(out.sid, 12);
    assert_int_equal(out.pos, 345);
    assert_int_equal(out.issued_ms, 1700000000123LL);
    arena_release(&a);
}

static void
test_ddb_stream__iter_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "x",
        "|1|",
        "abc|1|",
        ARN,
        ARN "|1|",
        ARN "|2|AAAA",
        ARN "|1|not base64!",
        ARN "|1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "|1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAHAB/7nooId/YHFtbxkG8nWQeVQYrjLG5oyn1c0uNYGDV7+NLkViy7Tzw5Yj0nXwTrbEHtKI",
    };
    struct arena a;
    struct dstreams_iter out;
    const char *arn;

    (void)state;
    arena_init(&a);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(dstreams_iter_decode(&a, bad[i], &out, &arn), -1);
    assert_int_equal(dstreams_iter_decode(&a, NULL, &out, &arn), -1);
    arena_release(&a);
}

/* Changing any byte of the blob, or the ARN in front of it, is noticed. */
static void
test_ddb_stream__iter_tampering(void **state)
{
    struct arena a;
    struct dstreams_iter in = {3, 7, 1700000000000LL}, out;
    unsigned char blob[64];
    const char *arn;
    char *text, *b64, *forged;
    long long n;
    size_t prefix = strlen(ARN "|1|");

    (void)state;
    arena_init(&a);
    text = dstreams_iter_encode(&a, ARN, &in);
    assert_non_null(text);
    b64 = text + prefix;
    n = base64_decode(blob, b64, strlen(b64), 0);
    assert_true(n > 0 && n <= (long long)sizeof(blob));
    for (long long i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            char enc[128];

            blob[i] ^= (unsigned char)(1 << bit);
            base64_encode(enc, blob, (size_t)n, 0);
            forged = arena_printf(&a, "%s|1|%s", ARN, enc);
            assert_int_equal(dstreams_iter_decode(&a, forged, &out, &arn), -1);
            blob[i] ^= (unsigned char)(1 << bit);
        }
    }
    /* The same blob presented for another stream. */
    forged = arena_printf(&a, "%s|1|%s",
                          "arn:aws:dynamodb:us-east-1:000000000000:table/U/stream/"
                          "2026-11-23T14:03:04.123",
                          b64);
    assert_int_equal(dstreams_iter_decode(&a, forged, &out, &arn), -1);
    /* Truncated. */
    forged = arena_strndup(&a, text, strlen(text) - 4);
    assert_int_equal(dstreams_iter_decode(&a, forged, &out, &arn), -1);
    arena_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_stream__seq_format),
        cmocka_unit_test(test_ddb_stream__seq_order),
        cmocka_unit_test(test_ddb_stream__seq_parse_rejects),
        cmocka_unit_test(test_ddb_stream__label),
        cmocka_unit_test(test_ddb_stream__record_shape),
        cmocka_unit_test(test_ddb_stream__record_user_identity),
        cmocka_unit_test(test_ddb_stream__record_ids_differ),
        cmocka_unit_test(test_ddb_stream__iter_round_trip),
        cmocka_unit_test(test_ddb_stream__iter_garbage),
        cmocka_unit_test(test_ddb_stream__iter_tampering),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
