/* test_ddb_backup.c: the pure parts of on-demand backups: backup ARNs (DynamoDB's shape,
 * arn:...:table/<t>/backup/<14-digit ms>-<8 hex>, and reading the milliseconds back for
 * ListBackups paging), ListBackups time bounds, and the CreateTable input a restore builds
 * from a backed-up description and RestoreTableFromBackup's overrides. Each restore case
 * starts from a description made by CreateTable's own ddb_table_def_build(), compares the
 * whole input built, and checks it against CreateTable's rules (ddb_table_def_check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "services/dynamodb/ddb_backup.h"
#include "services/dynamodb/ddb_table.h"

/* ---- ARNs -------------------------------------------------------------------------------------
 */

static void
test_ddb_backup__arn_format(void **state)
{
    char arn[256], tiny[40];

    (void)state;
    assert_int_equal(ddb_backup_arn_format(arn, sizeof(arn), "us-east-1", "000000000000", "t-1",
                                           1681997703770LL, "aa93528e0123"),
                     0);
    assert_string_equal(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/t-1/backup/"
                             "01681997703770-aa93528e");
    /* Small epochs are zero-padded to 14 digits too. */
    assert_int_equal(ddb_backup_arn_format(arn, sizeof(arn), "eu-west-1", "123", "abc", 5,
                                           "0000"
                                           "ffff"),
                     0);
    assert_string_equal(arn,
                        "arn:aws:dynamodb:eu-west-1:123:table/abc/backup/00000000000005-0000ffff");
    assert_int_equal(
        ddb_backup_arn_format(tiny, sizeof(tiny), "us-east-1", "000000000000", "t", 1, "01234567"),
        -1);
}

static void
test_ddb_backup__arn_ms(void **state)
{
    static const struct {
        const char *arn;
        long long ms;
    } cases[] = {
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/01681997703770-aa93528e", 1681997703770LL},
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/00000000000005-0000ffff", 5},
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/1-x", 1},
        {"arn:aws:dynamodb:us-east-1:1:table/t", -1},                      /* a table ARN */
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/-aa93528e", -1},     /* no digits */
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/0168199770377", -1}, /* no suffix */
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/12ab-aa93528e", -1},
        {"arn:aws:dynamodb:us-east-1:1:table/t/backup/1234567890123456789-a", -1}, /* too long */
        {"table/t/backup/01681997703770-aa93528e", -1},                            /* not an ARN */
    };
    char arn[256];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        long long got = ddb_backup_arn_ms(cases[i].arn);
        if (got != cases[i].ms)
            fail_msg("%s: got %lld, want %lld", cases[i].arn, got, cases[i].ms);
    }
    /* What the formatter writes, the parser reads. */
    for (long long ms = 1; ms < 4000000000000LL; ms = ms * 7 + 3) {
        assert_int_equal(ddb_backup_arn_format(arn, sizeof(arn), "r", "a", "t", ms, "deadbeef"), 0);
        assert_int_equal(ddb_backup_arn_ms(arn), ms);
    }
}

static void
test_ddb_backup__time_bounds(void **state)
{
    json_t *v;

    (void)state;
    v = json_real(1700000000.123);
    assert_int_equal(ddb_backup_bound_ms(v), 1700000000123LL);
    json_decref(v);
    v = json_integer(1700000000);
    assert_int_equal(ddb_backup_bound_ms(v), 1700000000000LL);
    json_decref(v);
    /* Two timestamps that print differently but name the same millisecond. */
    v = json_real(1763916531.0989999);
    assert_int_equal(ddb_backup_bound_ms(v), 1763916531099LL);
    json_decref(v);
}

/* ---- the restore's CreateTable input ------------------------------------------------------ */

#define AD(n, t)   "{\"AttributeName\":\"" n "\",\"AttributeType\":\"" t "\"}"
#define KS(n, t)   "{\"AttributeName\":\"" n "\",\"KeyType\":\"" t "\"}"
#define PROJ_ALL   "\"Projection\":{\"ProjectionType\":\"ALL\"}"
#define PROJ_KEYS  "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}"
#define TPUT(r, w) "{\"ReadCapacityUnits\":" #r ",\"WriteCapacityUnits\":" #w "}"

/* Source tables as CreateTable inputs. */
#define SRC_KEYS                                                                                   \
    "\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "N") "," AD("g", "S") "," AD(          \
        "l", "N") "],\"KeySchema\":[" KS("pk", "HASH") "," KS("sk", "RANGE") "]"
#define SRC_LSI                                                                                    \
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[" KS("pk", "HASH") "," KS(   \
        "l", "RANGE") "]," PROJ_KEYS "}]"
#define SRC_GSI(pt)                                                                                \
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[" KS(                       \
        "g", "HASH") "]," PROJ_ALL pt "}]"
#define ON_DEMAND_SRC                                                                              \
    "{" SRC_KEYS "," SRC_LSI "," SRC_GSI("") ",\"BillingMode\":\"PAY_PER_REQUEST\"}"
#define PROVISIONED_SRC                                                                            \
    "{" SRC_KEYS "," SRC_LSI "," SRC_GSI(",\"ProvisionedThroughput\":" TPUT(                       \
        3, 4)) ",\"BillingMode\":"                                                                 \
               "\"PROVISIONED\",\"ProvisionedThroughput\":" TPUT(5, 6) "}"

/* Expected pieces. */
#define OUT_LSI                                                                                    \
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[" KS("pk", "HASH") "," KS(   \
        "l", "RANGE") "]," PROJ_KEYS "}]"
#define OUT_GSI(pt)                                                                                \
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[" KS(                       \
        "g", "HASH") "]," PROJ_ALL pt "}]"
#define OUT_ALL_DEFS                                                                               \
    "\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "N") "," AD("g", "S") "," AD("l",      \
                                                                                         "N") "]"
#define OUT_KEYS "\"TableName\":\"dst\",\"KeySchema\":[" KS("pk", "HASH") "," KS("sk", "RANGE") "]"

struct restore_case {
    const char *name;
    const char *source;  /* the CreateTable input of the backed-up table */
    const char *extra;   /* members added to its stored description, or NULL */
    const char *request; /* RestoreTableFromBackup's overrides */
    const char *want;    /* the CreateTable input expected */
    bool valid;          /* whether CreateTable's rules accept it */
};

static const struct restore_case restore_cases[] = {
    {"on-demand as it was", ON_DEMAND_SRC, NULL, "{}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"," OUT_LSI "," OUT_GSI("") "," OUT_ALL_DEFS
                                                                                  "}",
     true},
    {"provisioned as it was", PROVISIONED_SRC, NULL, "{}",
     "{" OUT_KEYS ",\"BillingMode\":\"PROVISIONED\",\"ProvisionedThroughput\":" TPUT(
         5, 6) "," OUT_LSI "," OUT_GSI(",\"ProvisionedThroughput\":" TPUT(3, 4)) "," OUT_ALL_DEFS
                                                                                 "}",
     true},
    {"on-demand made provisioned", ON_DEMAND_SRC, NULL,
     "{\"BillingModeOverride\":\"PROVISIONED\",\"ProvisionedThroughputOverride\":" TPUT(7, 3) "}",
     "{" OUT_KEYS ",\"BillingMode\":\"PROVISIONED\",\"ProvisionedThroughput\":" TPUT(
         7, 3) "," OUT_LSI "," OUT_GSI(",\"ProvisionedThroughput\":" TPUT(7, 3)) "," OUT_ALL_DEFS
                                                                                 "}",
     true},
    /* Nothing to take the capacity from: CreateTable's own rule answers. */
    {"on-demand made provisioned without capacity", ON_DEMAND_SRC, NULL,
     "{\"BillingModeOverride\":\"PROVISIONED\"}",
     "{" OUT_KEYS ",\"BillingMode\":\"PROVISIONED\"," OUT_LSI "," OUT_GSI("") "," OUT_ALL_DEFS "}",
     false},
    {"provisioned made on-demand", PROVISIONED_SRC, NULL,
     "{\"BillingModeOverride\":\"PAY_PER_REQUEST\"}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"," OUT_LSI "," OUT_GSI("") "," OUT_ALL_DEFS
                                                                                  "}",
     true},
    {"no indexes", ON_DEMAND_SRC, NULL,
     "{\"GlobalSecondaryIndexOverride\":[],\"LocalSecondaryIndexOverride\":[]}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[" AD(
         "pk", "S") "," AD("sk", "N") "]}",
     true},
    {"another GSI", ON_DEMAND_SRC, NULL,
     "{\"GlobalSecondaryIndexOverride\":[{\"IndexName\":\"byL2\",\"KeySchema\":[" KS(
         "l", "HASH") "]," PROJ_KEYS "}]}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"," OUT_LSI
     ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byL2\",\"KeySchema\":[" KS(
         "l", "HASH") "]," PROJ_KEYS
                      "}],\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "N") "," AD(
                          "l", "N") "]}",
     true},
    /* A stream and deletion protection are not restored; the encryption key and the table
     * class are; an index being deleted is gone. */
    {"features", ON_DEMAND_SRC,
     "{\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"},"
     "\"DeletionProtectionEnabled\":true,\"TableClassSummary\":{\"TableClass\":"
     "\"STANDARD_INFREQUENT_ACCESS\"},\"SSEDescription\":{\"Status\":\"ENABLED\",\"SSEType\":"
     "\"KMS\",\"KMSMasterKeyArn\":\"arn:aws:kms:r:a:key/k1\"},\"GlobalSecondaryIndexes\":[{"
     "\"IndexName\":\"byG\",\"KeySchema\":[" KS("g", "HASH") "]," PROJ_ALL
                                                             ",\"IndexStatus\":\"DELETING\"}]}",
     "{}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"," OUT_LSI
     ",\"AttributeDefinitions\":[" AD("pk", "S") "," AD("sk", "N") "," AD(
         "l", "N") "],"
                   "\"SSESpecification\":{\"Enabled\":true,\"SSEType\":\"KMS\",\"KMSMasterKeyId\":"
                   "\"arn:aws:kms:r:a:key/k1\"},\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\"}",
     true},
    {"encryption overridden", ON_DEMAND_SRC,
     "{\"SSEDescription\":{\"Status\":\"ENABLED\",\"SSEType\":\"KMS\",\"KMSMasterKeyArn\":"
     "\"arn:aws:kms:r:a:key/k1\"}}",
     "{\"SSESpecificationOverride\":{\"Enabled\":false}}",
     "{" OUT_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"," OUT_LSI
     "," OUT_GSI("") "," OUT_ALL_DEFS ",\"SSESpecification\":{\"Enabled\":false}}",
     true},
};

static json_t *
parse(const char *what, const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    if (!j)
        fail_msg("%s: bad JSON at %d: %s\n%s", what, e.position, e.text, text);
    return j;
}

static void
test_ddb_backup__restore_input(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(restore_cases); i++) {
        const struct restore_case *c = &restore_cases[i];
        json_t *src = parse(c->name, c->source), *req = parse(c->name, c->request);
        json_t *want = parse(c->name, c->want), *desc, *got;
        char err[1024] = "";
        int valid;

        /* The description as CreateTable stores it, once ACTIVE. */
        desc = ddb_table_def_build(src, "src", "arn:aws:dynamodb:r:a:table/src", "id-1", 1000);
        assert_non_null(desc);
        ddb_table_desc_settle(desc);
        if (c->extra) {
            json_t *extra = parse(c->name, c->extra);
            json_object_update(desc, extra);
            json_decref(extra);
        }
        got = ddb_restore_input(desc, req, "dst");
        assert_non_null(got);
        if (!json_equal(got, want)) {
            char *g = json_dumps(got, JSON_SORT_KEYS), *w = json_dumps(want, JSON_SORT_KEYS);
            fail_msg("%s:\n got  %s\n want %s", c->name, g, w);
        }
        valid = ddb_table_def_check(got, err, sizeof(err)) == 0;
        if (valid != c->valid)
            fail_msg("%s: CreateTable's rules say %s (%s)", c->name, valid ? "valid" : "invalid",
                     err);
        json_decref(src);
        json_decref(req);
        json_decref(want);
        json_decref(desc);
        json_decref(got);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_backup__arn_format),
        cmocka_unit_test(test_ddb_backup__arn_ms),
        cmocka_unit_test(test_ddb_backup__time_bounds),
        cmocka_unit_test(test_ddb_backup__restore_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
