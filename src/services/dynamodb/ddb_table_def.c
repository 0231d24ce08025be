/* ddb_table_def.c: a table definition as CreateTable receives it: the parameter constraints,
 * DynamoDB's rules for key schemas, attribute definitions, secondary indexes, billing and
 * streams (checked in the order DynamoDB reports them, so the first broken rule is the one
 * answered), and the stored description built from a valid definition.
 *
 * Entry points: ddb_table_def_args (constraints, collected into one "N validation errors"
 * message), ddb_table_def_check (the rules), ddb_table_def_build, ddb_table_def_keys. */
#include "services/dynamodb/ddb_table.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const key_types[] = {"HASH", "RANGE", NULL};
static const char *const attr_types[] = {"S", "N", "B", NULL};
static const char *const projection_types[] = {"ALL", "KEYS_ONLY", "INCLUDE", NULL};
static const char *const view_types[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                                         "KEYS_ONLY", NULL};
static const char *const sse_types[] = {"AES256", "KMS", NULL};

/* On-demand tables and indexes start warm at these rates (developer guide, "warm
 * throughput"). */
#define WARM_READ_ON_DEMAND  12000
#define WARM_WRITE_ON_DEMAND 4000

json_t *
ddb_time(long long ms)
{
    return json_real((double)ms / 1000.0);
}

static const char *
str_member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static bool
is_pay_per_request(const json_t *in)
{
    const char *mode = str_member(in, "BillingMode");
    return mode && strcmp(mode, "PAY_PER_REQUEST") == 0;
}

/* ---- parameter constraints --------------------------------------------------------------- */

static void
args_not_null(struct ddb_args *a, const json_t *o, const char *member, const char *at)
{
    const json_t *v = json_object_get(o, member);
    if (!v || json_is_null(v))
        ddb_args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     at);
}

/* An index or attribute name: length bounds and, for index names, the name pattern. */
static void
args_name(struct ddb_args *a, const json_t *o, const char *member, const char *at, size_t min,
          size_t max, bool pattern)
{
    const char *s = str_member(o, member);
    size_t n;

    if (!s) {
        args_not_null(a, o, member, at);
        return;
    }
    n = strlen(s);
    if (pattern &&
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: [a-zA-Z0-9_.-]+",
                     s, at);
    if (n < min)
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                     "greater than or equal to %zu",
                     s, at, min);
    if (n > max)
        ddb_args_add(a,
                     "Value '%s' at '%s' failed to satisfy constraint: Member must have length "
                     "less than or equal to %zu",
                     s, at, max);
}

static void
args_key_schema(struct ddb_args *a, const json_t *o, const char *at)
{
    const json_t *ks = json_object_get(o, "KeySchema"), *el;
    char path[600];
    size_t i;

    snprintf(path, sizeof(path), "%skeySchema", at);
    if (!ks || json_is_null(ks)) {
        ddb_args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     path);
        return;
    }
    if (json_array_size(ks) < 1)
        ddb_args_add(a,
                     "Value '[]' at '%s' failed to satisfy constraint: Member must have length "
                     "greater than or equal to 1",
                     path);
    json_array_foreach(ks, i, el)
    {
        snprintf(path, sizeof(path), "%skeySchema.%zu.member.attributeName", at, i + 1);
        args_name(a, el, "AttributeName", path, 1, 255, false);
        snprintf(path, sizeof(path), "%skeySchema.%zu.member.keyType", at, i + 1);
        if (!str_member(el, "KeyType"))
            args_not_null(a, el, "KeyType", path);
        else
            ddb_args_enum(a, el, "KeyType", path, key_types);
    }
}

static void
args_throughput(struct ddb_args *a, const json_t *o, const char *at)
{
    const json_t *pt = json_object_get(o, "ProvisionedThroughput");
    char path[600];
    long long v;

    if (!pt || json_is_null(pt))
        return;
    snprintf(path, sizeof(path), "%sprovisionedThroughput.readCapacityUnits", at);
    if (!json_object_get(pt, "ReadCapacityUnits"))
        args_not_null(a, pt, "ReadCapacityUnits", path);
    else
        ddb_args_int(a, pt, "ReadCapacityUnits", path, 1, LLONG_MAX, &v);
    snprintf(path, sizeof(path), "%sprovisionedThroughput.writeCapacityUnits", at);
    if (!json_object_get(pt, "WriteCapacityUnits"))
        args_not_null(a, pt, "WriteCapacityUnits", path);
    else
        ddb_args_int(a, pt, "WriteCapacityUnits", path, 1, LLONG_MAX, &v);
}

static void
args_projection(struct ddb_args *a, const json_t *ix, const char *at)
{
    const json_t *p = json_object_get(ix, "Projection"), *nka;
    char path[600];

    snprintf(path, sizeof(path), "%sprojection", at);
    if (!p || json_is_null(p)) {
        ddb_args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     path);
        return;
    }
    snprintf(path, sizeof(path), "%sprojection.projectionType", at);
    ddb_args_enum(a, p, "ProjectionType", path, projection_types);
    nka = json_object_get(p, "NonKeyAttributes");
    if (json_is_array(nka) && json_array_size(nka) > 20)
        ddb_args_add(a,
                     "Value '%zu' at '%sprojection.nonKeyAttributes' failed to satisfy constraint: "
                     "Member must have length less than or equal to 20",
                     json_array_size(nka), at);
}

static void
args_indexes(struct ddb_args *a, const json_t *in, const char *member, const char *at, bool global)
{
    const json_t *list = json_object_get(in, member), *ix;
    char path[512];
    size_t i;

    json_array_foreach(list, i, ix)
    {
        snprintf(path, sizeof(path), "%s.%zu.member.indexName", at, i + 1);
        args_name(a, ix, "IndexName", path, 3, 255, true);
        snprintf(path, sizeof(path), "%s.%zu.member.", at, i + 1);
        args_key_schema(a, ix, path);
        args_projection(a, ix, path);
        if (global)
            args_throughput(a, ix, path);
    }
}

void
ddb_table_def_args(struct ddb_args *a, const json_t *in)
{
    const json_t *defs = json_object_get(in, "AttributeDefinitions"), *d, *ss, *sse;
    char path[128];
    size_t i;

    if (!defs || json_is_null(defs))
        args_not_null(a, in, "AttributeDefinitions", "attributeDefinitions");
    json_array_foreach(defs, i, d)
    {
        snprintf(path, sizeof(path), "attributeDefinitions.%zu.member.attributeName", i + 1);
        args_name(a, d, "AttributeName", path, 1, 255, false);
        snprintf(path, sizeof(path), "attributeDefinitions.%zu.member.attributeType", i + 1);
        if (!str_member(d, "AttributeType"))
            args_not_null(a, d, "AttributeType", path);
        else
            ddb_args_enum(a, d, "AttributeType", path, attr_types);
    }
    args_key_schema(a, in, "");
    args_indexes(a, in, "LocalSecondaryIndexes", "localSecondaryIndexes", false);
    args_indexes(a, in, "GlobalSecondaryIndexes", "globalSecondaryIndexes", true);
    ddb_args_enum(a, in, "BillingMode", "billingMode", billing_modes);
    args_throughput(a, in, "");
    ss = json_object_get(in, "StreamSpecification");
    if (json_is_object(ss)) {
        args_not_null(a, ss, "StreamEnabled", "streamSpecification.streamEnabled");
        ddb_args_enum(a, ss, "StreamViewType", "streamSpecification.streamViewType", view_types);
    }
    sse = json_object_get(in, "SSESpecification");
    if (json_is_object(sse))
        ddb_args_enum(a, sse, "SSEType", "sSESpecification.sSEType", sse_types);
}

/* ---- the rules ------------------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#define INVALID "One or more parameter values were invalid: "

/* "[a, b]" of the AttributeName members of a list (definitions or a key schema). */
static void
name_list(const json_t *list, struct buf *b)
{
    const json_t *el;
    size_t i;

    buf_putc(b, '[');
    json_array_foreach(list, i, el)
    {
        const char *n = str_member(el, "AttributeName");
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, n ? n : "null");
    }
    buf_putc(b, ']');
}

static bool
defined(const json_t *defs, const char *name)
{
    const json_t *d;
    size_t i;

    json_array_foreach(defs, i, d)
    {
        const char *n = str_member(d, "AttributeName");
        if (n && name && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

static bool
key_type_is(const json_t *el, const char *type)
{
    const char *kt = str_member(el, "KeyType");
    return kt && strcmp(kt, type) == 0;
}

/* The key-schema rules every schema shares (table and indexes). */
static int
check_key_schema(const json_t *ks, const json_t *defs, bool table, char *err, size_t errlen)
{
    const json_t *el;
    unsigned hashes = 0, ranges = 0;
    size_t i, n = json_array_size(ks);
    const char *k0, *k1;

    json_array_foreach(ks, i, el)
    {
        const char *kt = str_member(el, "KeyType");
        if (kt && strcmp(kt, "HASH") == 0)
            hashes++;
        else
            ranges++;
    }
    if (hashes > 1)
        return fail(err, errlen,
                    INVALID
                    "The KeySchema exceeds the maximum allowed number of HASH key attributes");
    if (ranges > 1)
        return fail(err, errlen,
                    INVALID
                    "The KeySchema exceeds the maximum allowed number of RANGE key attributes");
    if (table && n > json_array_size(defs))
        return fail(err, errlen, "Invalid KeySchema: Some index key attribute have no definition");
    json_array_foreach(ks, i, el)
    {
        if (!defined(defs, str_member(el, "AttributeName"))) {
            struct buf k, d;
            buf_init(&k, 1 << 16);
            buf_init(&d, 1 << 20);
            name_list(ks, &k);
            name_list(defs, &d);
            fail(err, errlen,
                 INVALID "Some index key attributes are not defined in AttributeDefinitions. "
                         "Keys: %s, AttributeDefinitions: %s",
                 k.data ? k.data : "[]", d.data ? d.data : "[]");
            buf_release(&k);
            buf_release(&d);
            return -1;
        }
    }
    k0 = str_member(json_array_get(ks, 0), "AttributeName");
    k1 = n > 1 ? str_member(json_array_get(ks, 1), "AttributeName") : NULL;
    if (k0 && k1 && strcmp(k0, k1) == 0)
        return fail(
            err, errlen,
            "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (!key_type_is(json_array_get(ks, 0), "HASH"))
        return fail(err, errlen,
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (n > 1 && !key_type_is(json_array_get(ks, 1), "RANGE"))
        return fail(err, errlen,
                    "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return 0;
}

static int
check_projection(const json_t *ix, char *err, size_t errlen)
{
    const json_t *p = json_object_get(ix, "Projection"),
                 *nka = json_object_get(p, "NonKeyAttributes");
    const char *type = str_member(p, "ProjectionType");
    size_t i, j;

    if (!type)
        return fail(err, errlen, INVALID "Unknown ProjectionType: null");
    if (nka && !json_is_null(nka) && strcmp(type, "INCLUDE") != 0)
        return fail(err, errlen, INVALID "ProjectionType is %s, but NonKeyAttributes is specified",
                    type);
    if (strcmp(type, "INCLUDE") == 0 && json_array_size(nka) == 0)
        return fail(err, errlen,
                    INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    for (i = 0; i < json_array_size(nka); i++)
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(nka, i), json_array_get(nka, j)))
                return fail(err, errlen, INVALID "Duplicate element in NonKeyAttributes: %s",
                            json_string_value(json_array_get(nka, i)));
    return 0;
}

static bool
name_seen(const json_t *in, const char *name, const char *upto_list, size_t upto)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};

    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        const json_t *list = json_object_get(in, lists[l]);
        size_t n = strcmp(lists[l], upto_list) == 0 ? upto : json_array_size(list);
        for (size_t i = 0; i < n; i++) {
            const char *other = str_member(json_array_get(list, i), "IndexName");
            if (other && strcmp(other, name) == 0)
                return true;
        }
        if (strcmp(lists[l], upto_list) == 0)
            break;
    }
    return false;
}

static int
check_lsis(const json_t *in, char *err, size_t errlen)
{
    const json_t *lsis = json_object_get(in, "LocalSecondaryIndexes"), *ix;
    const json_t *defs = json_object_get(in, "AttributeDefinitions");
    const json_t *ks = json_object_get(in, "KeySchema");
    const char *table_hash = str_member(json_array_get(ks, 0), "AttributeName");
    size_t i;

    if (!lsis || json_is_null(lsis))
        return 0;
    if (json_array_size(lsis) == 0)
        return fail(err, errlen, INVALID "List of LocalSecondaryIndexes is empty");
    if (json_array_size(ks) != 2)
        return fail(err, errlen,
                    INVALID "Table KeySchema does not have a range key, which is required when "
                            "specifying a LocalSecondaryIndex");
    json_array_foreach(lsis, i, ix)
    {
        const char *name = str_member(ix, "IndexName");
        const json_t *iks = json_object_get(ix, "KeySchema");
        const char *hash;

        if (check_key_schema(iks, defs, false, err, errlen) != 0)
            return -1;
        if (json_array_size(iks) != 2)
            return fail(err, errlen,
                        INVALID "Index KeySchema does not have a range key for index: %s", name);
        hash = str_member(json_array_get(iks, 0), "AttributeName");
        if (strcmp(hash, table_hash) != 0)
            return fail(err, errlen,
                        INVALID "Index KeySchema does not have the same leading hash key as table "
                                "KeySchema for index: %s. index hash key: %s, table hash key: %s",
                        name, hash, table_hash);
        if (check_projection(ix, err, errlen) != 0)
            return -1;
        if (name_seen(in, name, "LocalSecondaryIndexes", i))
            return fail(err, errlen, INVALID "Duplicate index name: %s", name);
    }
    if (json_array_size(lsis) > DDB_MAX_LSI)
        return fail(err, errlen,
                    INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of %d",
                    DDB_MAX_LSI);
    return 0;
}

static int
check_gsis(const json_t *in, char *err, size_t errlen)
{
    const json_t *gsis = json_object_get(in, "GlobalSecondaryIndexes"), *ix;
    const json_t *defs = json_object_get(in, "AttributeDefinitions");
    bool on_demand = is_pay_per_request(in);
    size_t i;

    if (!gsis || json_is_null(gsis))
        return 0;
    if (json_array_size(gsis) == 0)
        return fail(err, errlen, INVALID "List of GlobalSecondaryIndexes is empty");
    json_array_foreach(gsis, i, ix)
    {
        const char *name = str_member(ix, "IndexName");
        const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
        bool has_pt = pt && !json_is_null(pt);

        if (check_key_schema(json_object_get(ix, "KeySchema"), defs, false, err, errlen) != 0 ||
            check_projection(ix, err, errlen) != 0)
            return -1;
        if (on_demand && has_pt)
            return fail(err, errlen,
                        INVALID "ProvisionedThroughput should not be specified for index: %s when "
                                "BillingMode is PAY_PER_REQUEST",
                        name);
        if (!on_demand && !has_pt)
            return fail(err, errlen, INVALID "ProvisionedThroughput is not specified for index: %s",
                        name);
        if (has_pt) {
            long long r = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
            long long w = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
            if (r > DDB_MAX_THROUGHPUT)
                return fail(err, errlen, "Given value %lld for ReadCapacityUnits is out of bounds",
                            r);
            if (w > DDB_MAX_THROUGHPUT)
                return fail(err, errlen, "Given value %lld for WriteCapacityUnits is out of bounds",
                            w);
        }
        if (name_seen(in, name, "GlobalSecondaryIndexes", i))
            return fail(err, errlen, INVALID "Duplicate index name: %s", name);
    }
    if (json_array_size(gsis) > DDB_MAX_GSI)
        return fail(err, errlen,
                    INVALID "GlobalSecondaryIndex count exceeds the per-table limit of %d",
                    DDB_MAX_GSI);
    return 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Attribute names used by a key schema, added to names (no duplicates). */
static void
keys_used(const json_t *ks, const char **names, size_t *n, size_t cap)
{
    const json_t *el;
    size_t i, j;

    json_array_foreach(ks, i, el)
    {
        const char *k = str_member(el, "AttributeName");
        for (j = 0; j < *n && strcmp(names[j], k) != 0; j++)
            ;
        if (j == *n && *n < cap)
            names[(*n)++] = k;
    }
}

/* With secondary indexes, every definition must be some key's attribute. DynamoDB lists
 * both sides sorted by name. */
static int
check_unused(const json_t *in, char *err, size_t errlen)
{
    const json_t *defs = json_object_get(in, "AttributeDefinitions"), *ix;
    const char *used[64], *all[64];
    size_t n_used = 0, n_all = 0, i;
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    bool unused = false;
    struct buf b;

    keys_used(json_object_get(in, "KeySchema"), used, &n_used, ARRAY_SIZE(used));
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
        json_array_foreach(json_object_get(in, lists[l]), i, ix)
            keys_used(json_object_get(ix, "KeySchema"), used, &n_used, ARRAY_SIZE(used));
    keys_used(defs, all, &n_all, ARRAY_SIZE(all));
    for (i = 0; i < n_all; i++) {
        size_t j;
        for (j = 0; j < n_used && strcmp(used[j], all[i]) != 0; j++)
            ;
        if (j == n_used)
            unused = true;
    }
    if (!unused)
        return 0;
    qsort(used, n_used, sizeof(used[0]), cmp_str);
    qsort(all, n_all, sizeof(all[0]), cmp_str);
    buf_init(&b, 1 << 20);
    buf_puts(&b, INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: [");
    for (i = 0; i < n_all; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", all[i]);
    buf_puts(&b, "], keys used: [");
    for (i = 0; i < n_used; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", used[i]);
    buf_puts(&b, "]");
    fail(err, errlen, "%s", b.data ? b.data : INVALID);
    buf_release(&b);
    return -1;
}

static int
check_billing(const json_t *in, char *err, size_t errlen)
{
    const json_t *pt = json_object_get(in, "ProvisionedThroughput");
    bool has_pt = pt && !json_is_null(pt);
    long long r, w;

    if (is_pay_per_request(in)) {
        if (has_pt)
            return fail(err, errlen,
                        INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                                "when BillingMode is PAY_PER_REQUEST");
        return 0;
    }
    if (!has_pt || !json_object_get(pt, "ReadCapacityUnits") ||
        !json_object_get(pt, "WriteCapacityUnits"))
        return fail(err, errlen,
                    INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                            "BillingMode is PROVISIONED");
    r = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    w = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    if (r > DDB_MAX_THROUGHPUT)
        return fail(err, errlen, "Given value %lld for ReadCapacityUnits is out of bounds", r);
    if (w > DDB_MAX_THROUGHPUT)
        return fail(err, errlen, "Given value %lld for WriteCapacityUnits is out of bounds", w);
    return 0;
}

static int
check_stream_sse_class(const json_t *in, char *err, size_t errlen)
{
    const json_t *ss = json_object_get(in, "StreamSpecification");
    const json_t *sse = json_object_get(in, "SSESpecification");
    const char *tc = str_member(in, "TableClass");

    if (json_is_object(ss)) {
        bool on = json_is_true(json_object_get(ss, "StreamEnabled"));
        bool view = str_member(ss, "StreamViewType") != NULL;
        if (on && !view)
            return fail(err, errlen,
                        INVALID "Table is being created with a stream enabled, UpdateViewType is "
                                "required");
        if (!on && view)
            return fail(err, errlen,
                        INVALID "Table is being created with a stream disabled, UpdateViewType "
                                "should not be specified");
    }
    if (json_is_object(sse)) {
        bool on = json_is_true(json_object_get(sse, "Enabled"));
        const char *type = str_member(sse, "SSEType");
        const char *key = str_member(sse, "KMSMasterKeyId");
        if (!on && type)
            return fail(err, errlen, INVALID "SSEType can not be specified if Enabled is false");
        if (!on && key)
            return fail(err, errlen,
                        INVALID "KMSMasterKeyId can not be specified if Enabled is false");
        if (type && strcmp(type, "AES256") == 0)
            return fail(err, errlen, INVALID "SSEType AES256 is not supported");
        if (key && !(type && strcmp(type, "KMS") == 0))
            return fail(err, errlen,
                        INVALID "SSEType KMS is required if KMSMasterKeyId is specified");
    }
    if (tc && strcmp(tc, "STANDARD") != 0 && strcmp(tc, "STANDARD_INFREQUENT_ACCESS") != 0)
        return fail(err, errlen,
                    "Invalid table-class parameter provided. Please try again with a valid "
                    "table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].");
    return 0;
}

int
ddb_table_def_check(const json_t *in, char *err, size_t errlen)
{
    const json_t *defs = json_object_get(in, "AttributeDefinitions");
    const json_t *ks = json_object_get(in, "KeySchema");
    bool indexes = json_object_get(in, "LocalSecondaryIndexes") ||
                   json_object_get(in, "GlobalSecondaryIndexes");
    size_t i, j;

    if (check_billing(in, err, errlen) != 0)
        return -1;
    for (i = 0; i < json_array_size(defs); i++)
        for (j = 0; j < i; j++) {
            const char *a = str_member(json_array_get(defs, i), "AttributeName");
            const char *b = str_member(json_array_get(defs, j), "AttributeName");
            if (strcmp(a, b) == 0)
                return fail(err, errlen, "Attribute Name is duplicated: %s", a);
        }
    if (check_key_schema(ks, defs, true, err, errlen) != 0)
        return -1;
    if (!indexes && json_array_size(ks) != json_array_size(defs))
        return fail(err, errlen,
                    INVALID "Number of attributes in KeySchema does not exactly match number of "
                            "attributes defined in AttributeDefinitions");
    if (check_lsis(in, err, errlen) != 0 || check_gsis(in, err, errlen) != 0)
        return -1;
    if (indexes && check_unused(in, err, errlen) != 0)
        return -1;
    return check_stream_sse_class(in, err, errlen);
}

int
ddb_table_def_check_index(const json_t *ix, const json_t *defs, char *err, size_t errlen)
{
    if (check_key_schema(json_object_get(ix, "KeySchema"), defs, false, err, errlen) != 0)
        return -1;
    return check_projection(ix, err, errlen);
}

/* ---- the stored description ------------------------------------------------------------------ */

int
ddb_table_def_keys(const json_t *key_schema, const json_t *attr_defs, struct ddb_key_schema *out)
{
    const json_t *el, *d;
    size_t i, j;

    memset(out, 0, sizeof(*out));
    json_array_foreach(key_schema, i, el)
    {
        const char *name = str_member(el, "AttributeName"), *kt = str_member(el, "KeyType");
        const char *type = NULL;
        if (!name || !kt)
            return -1;
        json_array_foreach(attr_defs, j, d)
        {
            if (strcmp(str_member(d, "AttributeName"), name) == 0)
                type = str_member(d, "AttributeType");
        }
        if (!type)
            return -1;
        if (strcmp(kt, "HASH") == 0) {
            out->hash = name;
            out->hash_type = type;
        } else {
            out->range = name;
            out->range_type = type;
        }
    }
    return out->hash ? 0 : -1;
}

/* Only the members a KeySchema / AttributeDefinitions element has, in DynamoDB's order. */
static json_t *
copy_pairs(const json_t *list, const char *k1, const char *k2)
{
    json_t *out = json_array(), *el;
    size_t i;

    json_array_foreach(list, i, el)
    {
        json_array_append_new(
            out, json_pack("{s:s, s:s}", k1, str_member(el, k1), k2, str_member(el, k2)));
    }
    return out;
}

static json_t *
throughput_desc(const json_t *pt, bool on_demand)
{
    long long r = on_demand ? 0 : json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    long long w = on_demand ? 0 : json_integer_value(json_object_get(pt, "WriteCapacityUnits"));

    return json_pack("{s:I, s:I, s:I}", "NumberOfDecreasesToday", (json_int_t)0,
                     "ReadCapacityUnits", (json_int_t)r, "WriteCapacityUnits", (json_int_t)w);
}

static json_t *
warm_desc(const json_t *pt, bool on_demand, const char *status)
{
    long long r = WARM_READ_ON_DEMAND, w = WARM_WRITE_ON_DEMAND;

    if (!on_demand) {
        r = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
        w = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    }
    return json_pack("{s:I, s:I, s:s}", "ReadUnitsPerSecond", (json_int_t)r, "WriteUnitsPerSecond",
                     (json_int_t)w, "Status", status);
}

static json_t *
on_demand_desc(void)
{
    return json_pack("{s:I, s:I}", "MaxReadRequestUnits", (json_int_t)-1, "MaxWriteRequestUnits",
                     (json_int_t)-1);
}

json_t *
ddb_table_def_index(const json_t *ix, const char *table_arn, bool global, bool pay_per_request,
                    const char *status)
{
    const char *name = str_member(ix, "IndexName");
    const json_t *p = json_object_get(ix, "Projection");
    const json_t *nka = json_object_get(p, "NonKeyAttributes");
    json_t *out, *proj;

    proj = json_pack("{s:s}", "ProjectionType", str_member(p, "ProjectionType"));
    if (json_array_size(nka) > 0)
        json_object_set_new(proj, "NonKeyAttributes", json_deep_copy(nka));
    out = json_pack("{s:s, s:o, s:o}", "IndexName", name, "KeySchema",
                    copy_pairs(json_object_get(ix, "KeySchema"), "AttributeName", "KeyType"),
                    "Projection", proj);
    if (global) {
        const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
        json_object_set_new(out, "IndexStatus", json_string(status));
        json_object_set_new(out, "ProvisionedThroughput", throughput_desc(pt, pay_per_request));
    }
    json_object_set_new(out, "IndexArn", json_sprintf("%s/index/%s", table_arn, name));
    if (global) {
        if (pay_per_request)
            json_object_set_new(out, "OnDemandThroughput", on_demand_desc());
        json_object_set_new(
            out, "WarmThroughput",
            warm_desc(json_object_get(ix, "ProvisionedThroughput"), pay_per_request, status));
    }
    return out;
}

static json_t *
indexes_desc(const json_t *in, const char *member, const char *arn, bool global, bool on_demand)
{
    const json_t *list = json_object_get(in, member), *ix;
    json_t *out = json_array();
    size_t i;

    json_array_foreach(list, i, ix)
    {
        json_array_append_new(out, ddb_table_def_index(ix, arn, global, on_demand, DDB_CREATING));
    }
    return out;
}

json_t *
ddb_table_def_build(const json_t *in, const char *name, const char *arn, const char *table_id,
                    long long now_ms)
{
    bool on_demand = is_pay_per_request(in);
    const json_t *pt = json_object_get(in, "ProvisionedThroughput");
    const char *tc = str_member(in, "TableClass");
    json_t *d;

    d = json_pack(
        "{s:o, s:s, s:o, s:o, s:o, s:s, s:s}", "AttributeDefinitions",
        copy_pairs(json_object_get(in, "AttributeDefinitions"), "AttributeName", "AttributeType"),
        "TableName", name, "KeySchema",
        copy_pairs(json_object_get(in, "KeySchema"), "AttributeName", "KeyType"),
        "CreationDateTime", ddb_time(now_ms), "ProvisionedThroughput",
        throughput_desc(pt, on_demand), "TableArn", arn, "TableId", table_id);
    if (!d)
        return NULL;
    if (on_demand)
        json_object_set_new(d, "BillingModeSummary",
                            json_pack("{s:s, s:o}", "BillingMode", "PAY_PER_REQUEST",
                                      "LastUpdateToPayPerRequestDateTime", ddb_time(now_ms)));
    if (json_array_size(json_object_get(in, "LocalSecondaryIndexes")) > 0)
        json_object_set_new(d, "LocalSecondaryIndexes",
                            indexes_desc(in, "LocalSecondaryIndexes", arn, false, on_demand));
    if (json_array_size(json_object_get(in, "GlobalSecondaryIndexes")) > 0)
        json_object_set_new(d, "GlobalSecondaryIndexes",
                            indexes_desc(in, "GlobalSecondaryIndexes", arn, true, on_demand));
    if (tc)
        json_object_set_new(d, "TableClassSummary", json_pack("{s:s}", "TableClass", tc));
    json_object_set_new(
        d, "DeletionProtectionEnabled",
        json_boolean(json_is_true(json_object_get(in, "DeletionProtectionEnabled"))));
    if (on_demand)
        json_object_set_new(d, "OnDemandThroughput", on_demand_desc());
    json_object_set_new(d, "WarmThroughput", warm_desc(pt, on_demand, DDB_CREATING));
    return d;
}
