/* test_ddb_table.c: CreateTable's rules in DynamoDB's words (attribute definitions against the
 * keys of the table and its indexes, LSI rules, billing mode and throughput, streams, SSE,
 * table class), the stored description built from a valid definition, and the TTL expiry
 * rule (an N attribute of epoch seconds; anything else never expires). Each case is a
 * CreateTable input as JSON and the exact message, or "" for a valid one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_table.h"

#define AD(n, t) "{\"AttributeName\":\"" n "\",\"AttributeType\":\"" t "\"}"
#define KS(n, t) "{\"AttributeName\":\"" n "\",\"KeyType\":\"" t "\"}"
#define PT       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}"
#define PPR      "\"BillingMode\":\"PAY_PER_REQUEST\""
#define INVALID  "One or more parameter values were invalid: "

struct def_case {
    const char *name;
    const char *in;   /* the CreateTable input (TableName left out: it is not checked here) */
    const char *want; /* the message, "" when valid */
};

static const struct def_case def_cases[] = {
    {"hash only",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS("pk", "HASH") "]," PPR "}",
     ""},
    {"hash and range, provisioned",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "N") "],\"KeySchema\":[" KS(
         "pk", "HASH") "," KS("sk", "RANGE") "]," PT "}",
     ""},
    {"unused definition without indexes",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("x", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR "}",
     INVALID "Number of attributes in KeySchema does not exactly match number of attributes "
             "defined in AttributeDefinitions"},
    {"unused definition with an index (both lists sorted)",
     "{\"AttributeDefinitions\":[" AD("Sales", "N") "," AD("Artist", "S") "," AD(
         "Album",
         "S") "],\"KeySchema\":[" KS("Artist",
                                     "HASH") "]," PPR ",\"GlobalSecondaryIndexes\":[{"
                                             "\"IndexName\":\"byAlbum\",\"KeySchema\":[" KS(
                                                 "Album", "HASH") "],\"Projection\":{"
                                                                  "\"ProjectionType\":\"ALL\"}}]}",
     INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: [Album, Artist, "
             "Sales], keys used: [Album, Artist]"},
    {"key without definition, more keys than definitions",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS("pk", "HASH") "," KS(
         "sk", "RANGE") "]," PPR "}",
     "Invalid KeySchema: Some index key attribute have no definition"},
    {"key without definition",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("x", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "," KS("sk", "RANGE") "]," PPR "}",
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, sk], "
             "AttributeDefinitions: [pk, x]"},
    {"duplicate definition",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("pk", "N") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR "}",
     "Attribute Name is duplicated: pk"},
    {"same hash and range",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("x", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "," KS("pk", "RANGE") "]," PPR "}",
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
    {"range first",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS("pk", "RANGE") "]," PPR "}",
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
    {"two hash keys",
     "{\"AttributeDefinitions\":[" AD("a", "S") "," AD("b", "S") "],\"KeySchema\":[" KS(
         "a", "HASH") "," KS("b", "HASH") "]," PPR "}",
     INVALID "The KeySchema exceeds the maximum allowed number of HASH key attributes"},
    {"on-demand with throughput",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS("pk", "HASH") "]," PPR
                                                                                      "," PT "}",
     INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
             "is PAY_PER_REQUEST"},
    {"provisioned without throughput",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS("pk", "HASH") "]}",
     INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
             "is PROVISIONED"},
    {"throughput out of bounds",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "],"
                       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000000000001,"
                       "\"WriteCapacityUnits\":1}}",
     "Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
    {"LSI without a table range key",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("x", "S") "],\"KeySchema\":[" KS(
         "pk",
         "HASH") "]," PPR
                 ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[" KS(
                     "pk",
                     "HASH") "," KS("x",
                                    "RANGE") "],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
     INVALID "Table KeySchema does not have a range key, which is required when specifying a "
             "LocalSecondaryIndex"},
    {"LSI with another hash key",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "S") "," AD(
         "x",
         "S") "],\"KeySchema\":[" KS("pk",
                                     "HASH") "," KS("sk",
                                                    "RANGE") "]," PPR
                                                             ",\"LocalSecondaryIndexes\":[{"
                                                             "\"IndexName\":\"lsi\",\"KeySchema\":"
                                                             "[" KS("x", "HASH") "," KS(
                                                                 "sk", "RANGE") "],\"Projection\":{"
                                                                                "\"ProjectionType\""
                                                                                ":\"ALL\"}}]}",
     INVALID "Index KeySchema does not have the same leading hash key as table KeySchema for "
             "index: lsi. index hash key: x, table hash key: pk"},
    {"LSI without a range key",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "," KS("sk", "RANGE") "]," PPR ",\"LocalSecondaryIndexes\":[{"
                                             "\"IndexName\":\"lsi\",\"KeySchema\":[" KS(
                                                 "pk", "HASH") "],\"Projection\":{"
                                                               "\"ProjectionType\":\"ALL\"}}]}",
     INVALID "Index KeySchema does not have a range key for index: lsi"},
    {"valid LSI",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "S") "," AD(
         "x",
         "N") "],\"KeySchema\":[" KS("pk",
                                     "HASH") "," KS("sk",
                                                    "RANGE") "]," PPR
                                                             ",\"LocalSecondaryIndexes\":[{"
                                                             "\"IndexName\":\"lsi\",\"KeySchema\":"
                                                             "[" KS("pk", "HASH") "," KS(
                                                                 "x", "RANGE") "],\"Projection\":{"
                                                                               "\"ProjectionType\":"
                                                                               "\"KEYS_ONLY\"}}]}",
     ""},
    {"GSI throughput on demand",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("g", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
                       "\"KeySchema\":[" KS(
                           "g", "HASH") "],\"Projection\":{\"ProjectionType\":\"ALL\"}," PT "}]}",
     INVALID "ProvisionedThroughput should not be specified for index: gsi when BillingMode is "
             "PAY_PER_REQUEST"},
    {"GSI without throughput when provisioned",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("g", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PT ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
                       "\"KeySchema\":[" KS(
                           "g", "HASH") "],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
     INVALID "ProvisionedThroughput is not specified for index: gsi"},
    {"INCLUDE without attributes",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("g", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
                       "\"KeySchema\":[" KS(
                           "g", "HASH") "],\"Projection\":{\"ProjectionType\":\"INCLUDE\"}}]}",
     INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
    {"KEYS_ONLY with attributes",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("g", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
                       "\"KeySchema\":[" KS(
                           "g", "HASH") "],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\","
                                        "\"NonKeyAttributes\":[\"a\"]}}]}",
     INVALID "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"},
    {"duplicate index name",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "S") "," AD(
         "g",
         "S") "],\"KeySchema\":[" KS("pk",
                                     "HASH") "," KS("sk",
                                                    "RANGE") "]," PPR
                                                             ",\"LocalSecondaryIndexes\":[{"
                                                             "\"IndexName\":\"ix\",\"KeySchema\":"
                                                             "[" KS("pk", "HASH") "," KS(
                                                                 "g",
                                                                 "RANGE") "],\"Projection\":{"
                                                                          "\"ProjectionType\":"
                                                                          "\"ALL\"}}],"
                                                                          "\"GlobalSecondaryIndexes"
                                                                          "\":[{\"IndexName\":"
                                                                          "\"ix\",\"KeySchema\":"
                                                                          "[" KS(
                                                                              "g",
                                                                              "HASH") "],"
                                                                                      "\"Projection"
                                                                                      "\":{"
                                                                                      "\"Projection"
                                                                                      "Type\":"
                                                                                      "\"ALL\"}}]}",
     INVALID "Duplicate index name: ix"},
    {"stream enabled without view type",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"StreamSpecification\":{\"StreamEnabled\":true}}",
     INVALID "Table is being created with a stream enabled, UpdateViewType is required"},
    {"SSE type without encryption",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"SSESpecification\":{\"Enabled\":false,\"SSEType\":\"KMS\"}}",
     INVALID "SSEType can not be specified if Enabled is false"},
    {"table class",
     "{\"AttributeDefinitions\":[" AD("pk", "S") "],\"KeySchema\":[" KS(
         "pk", "HASH") "]," PPR ",\"TableClass\":\"COLD\"}",
     "Invalid table-class parameter provided. Please try again with a valid table-class value: "
     "[STANDARD, STANDARD_INFREQUENT_ACCESS]."},
};

static void
test_ddb_table__definition_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(def_cases); i++) {
        const struct def_case *c = &def_cases[i];
        json_error_t jerr;
        json_t *in = json_loads(c->in, 0, &jerr);
        char err[2048] = "";
        int rc;

        print_message("case: %s\n", c->name);
        if (!in)
            print_message("bad case JSON: %s\n", jerr.text);
        assert_non_null(in);
        rc = ddb_table_def_check(in, err, sizeof(err));
        if (c->want[0] == '\0') {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(err, c->want);
        }
        json_decref(in);
    }
}

/* A valid definition becomes the description CreateTable answers: indexes CREATING, 0/0
 * throughput on demand, the index ARNs under the table's. */
static void
test_ddb_table__build(void **state)
{
    const char *text =
        "{\"AttributeDefinitions\":[" AD("pk", "S") "," AD("g", "N") "],\"KeySchema\":[" KS(
            "pk", "HASH") "]," PPR ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
                          "\"KeySchema\":[" KS(
                              "g", "HASH") "],\"Projection\":{\"ProjectionType\":\"INCLUDE\","
                                           "\"NonKeyAttributes\":[\"a\",\"b\"]}}]}";
    json_t *in = json_loads(text, 0, NULL), *d, *gsi;
    struct ddb_key_schema ks;

    (void)state;
    assert_non_null(in);
    d = ddb_table_def_build(in, "t1", "arn:aws:dynamodb:us-east-1:123456789012:table/t1", "id",
                            1700000000123LL);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "TableName")), "t1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "ProvisionedThroughput"),
                                                        "ReadCapacityUnits")),
                     0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(d, "BillingModeSummary"), "BillingMode")),
        "PAY_PER_REQUEST");
    gsi = json_array_get(json_object_get(d, "GlobalSecondaryIndexes"), 0);
    assert_string_equal(json_string_value(json_object_get(gsi, "IndexStatus")), "CREATING");
    assert_string_equal(json_string_value(json_object_get(gsi, "IndexArn")),
                        "arn:aws:dynamodb:us-east-1:123456789012:table/t1/index/gsi");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(gsi, "Projection"), "NonKeyAttributes")),
        2);
    assert_true(json_real_value(json_object_get(d, "CreationDateTime")) == 1700000000.123);
    assert_int_equal(ddb_table_def_keys(json_object_get(gsi, "KeySchema"),
                                        json_object_get(d, "AttributeDefinitions"), &ks),
                     0);
    assert_string_equal(ks.hash, "g");
    assert_string_equal(ks.hash_type, "N");
    assert_null(ks.range);
    json_decref(d);
    json_decref(in);
}

struct ttl_case {
    const char *item;
    long long want;
};

static const struct ttl_case ttl_cases[] = {
    {"{\"exp\":{\"N\":\"1700000000\"}}", 1700000000LL},
    {"{\"exp\":{\"N\":\"1700000000.9\"}}", 1700000000LL}, /* fractions do not count */
    {"{\"exp\":{\"N\":\"0\"}}", 0},
    {"{\"exp\":{\"N\":\"-5\"}}", -1},         /* before the epoch: never */
    {"{\"exp\":{\"S\":\"1700000000\"}}", -1}, /* only numbers */
    {"{\"exp\":{\"NS\":[\"1\"]}}", -1},
    {"{\"other\":{\"N\":\"1\"}}", -1},
    {"{\"exp\":{\"N\":\"1E+30\"}}", 9200000000000000000LL}, /* far future: never comes */
};

static void
test_ddb_table__ttl_expiry(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(ttl_cases); i++) {
        json_t *item = json_loads(ttl_cases[i].item, 0, NULL);
        print_message("item: %s\n", ttl_cases[i].item);
        assert_non_null(item);
        assert_true(ddb_ttl_expiry(item, "exp") == ttl_cases[i].want);
        json_decref(item);
    }
    assert_true(ddb_ttl_expiry(NULL, "exp") == -1);
    /* Items whose time is more than five years past are not deleted by TTL (the sweep skips
     * them); the rule's bound. */
    assert_true(DDB_TTL_MAX_AGE_S == 5LL * 365 * 86400);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_table__definition_rules),
        cmocka_unit_test(test_ddb_table__build),
        cmocka_unit_test(test_ddb_table__ttl_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
