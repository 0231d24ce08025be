/* ddb_value.h: DynamoDB attribute values and items as DynamoDB defines them.
 *
 * An attribute value is kept exactly as on the wire, a jansson object with one member naming
 * its type: {"S":"x"}, {"N":"1.5"}, {"B":"<base64>"}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]},
 * {"M":{name: value}}, {"L":[value]}, {"NULL":true}, {"BOOL":false}. An item is an object of
 * attribute name -> value. ddb_value_check() validates a value from a request and normalizes
 * it in place (numbers to DynamoDB's normalized text, inside sets, maps and lists too), so that
 * everything stored, compared and returned afterwards is canonical.
 *
 * Keys are stored under an order-preserving byte encoding (ddb_key_bytes): memcmp order of the
 * encodings is DynamoDB's sort order for the type (bytes for S and B, numeric for N), which
 * makes a Query a range scan of SQLite's primary key. */
#ifndef AWSLET_DDB_VALUE_H
#define AWSLET_DDB_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "services/dynamodb/ddb_num.h"

enum ddb_type {
    DDB_BAD = 0, /* not a valid attribute value */
    DDB_S,
    DDB_N,
    DDB_B,
    DDB_SS,
    DDB_NS,
    DDB_BS,
    DDB_M,
    DDB_L,
    DDB_NULL,
    DDB_BOOL,
};

#define DDB_MAX_ITEM_BYTES (400 * 1024)
#define DDB_MAX_PARTITION_KEY_BYTES 2048
#define DDB_MAX_SORT_KEY_BYTES 1024
#define DDB_MAX_DEPTH 32 /* nesting of M and L */

/* The type of a value already checked (or stored); DDB_BAD for anything else. Fast: looks
 * at the single member's name only. */
enum ddb_type ddb_type_of(const json_t *av);
/* "S", "N", ..., "NULL", "BOOL" (the wire names, which attribute_type() also takes). */
const char *ddb_type_name(enum ddb_type t);
/* The wire name back to a type, DDB_BAD if unknown. */
enum ddb_type ddb_type_from_name(const char *name);
/* The member's payload: the string of S/N/B, the array of sets and L, the object of M. */
const json_t *ddb_value_payload(const json_t *av);

/* Validate one attribute value from a request and normalize it in place. On failure returns
 * -1 with DynamoDB's ValidationException message in err (e.g. "Supplied AttributeValue is
 * empty, must contain exactly one of the supported datatypes", "One or more parameter values
 * were invalid: An string set  may not be empty", "Input collection [a, a] contains
 * duplicates.", a number's range or precision error). */
int ddb_value_check(json_t *av, char *err, size_t errlen);
/* Every value of an item (an object of name -> value); names must be non-empty. */
int ddb_item_check(json_t *item, char *err, size_t errlen);

/* DynamoDB equality: same type and value; sets compare as sets (order does not matter);
 * numbers numerically; M and L recursively. */
bool ddb_value_equal(const json_t *a, const json_t *b);
/* Order for <, <=, >, >=, BETWEEN: only S with S (bytes), N with N (numeric), B with B
 * (bytes). Returns 0 and sets *cmp (<0, 0, >0), or -1 when the two are not comparable. */
int ddb_value_cmp(const json_t *a, const json_t *b, int *cmp);
/* Two items are the same (every attribute equal): a write that changes nothing. */
bool ddb_item_equal(const json_t *a, const json_t *b);

/* Parse an N value's text (already checked) into a number; 0 or -1. */
int ddb_value_num(const json_t *av, struct ddb_num *out);
/* A new {"N": "<normalized>"} value. */
json_t *ddb_value_from_num(const struct ddb_num *n);
/* The decoded bytes of a B value (base64 on the wire) into a malloc'd buffer; -1 if invalid. */
long long ddb_value_bytes(const json_t *av, unsigned char **out);

/* Size as DynamoDB counts it ("Item sizes and formats" in the developer guide): names in
 * UTF-8 bytes plus values: S = UTF-8 bytes, N = ddb_num_size, B = raw bytes, BOOL and NULL 1,
 * sets the sum of their elements, M and L 3 bytes plus 1 per element plus the elements. */
size_t ddb_value_size(const json_t *av);
size_t ddb_item_size(const json_t *item);

/* The order-preserving encoding of a key value (S, N or B) appended to out: S = the UTF-8
 * bytes, B = the decoded bytes, N = ddb_num_key. 0, or -1 for another type. */
int ddb_key_bytes(const json_t *av, struct buf *out);
/* The size DynamoDB checks against the key limits (2048 / 1024): bytes for S and B. */
size_t ddb_key_size(const json_t *av);

#endif
