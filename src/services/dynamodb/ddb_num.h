/* ddb_num.h: DynamoDB numbers: exact decimals, never a C double.
 *
 * DynamoDB's N type holds up to 38 significant digits with a magnitude between 1E-130 and
 * 9.9999999999999999999999999999999999999E+125 (positive or negative), or zero. Numbers
 * travel as strings; DynamoDB answers them normalized (plain decimal notation, no exponent,
 * no leading or trailing zeros, no "+", "-0" is "0"). Arithmetic (UpdateExpression's + and
 * -, ADD) is exact and fails when the result leaves the range or needs more than 38 digits. */
#ifndef AWSLET_DDB_NUM_H
#define AWSLET_DDB_NUM_H

#include <stdbool.h>
#include <stddef.h>

#define DDB_NUM_MAX_DIGITS 38
/* The longest normalized text: "-0." + 129 zeros + 38 digits, or 126 digits; plus NUL. */
#define DDB_NUM_TEXT_MAX 176

/* value = (neg ? -1 : 1) * 0.d[0]d[1]...d[n-1] * 10^exp; zero has n == 0 (and neg false).
 * d holds ASCII digits with no leading or trailing zero. */
struct ddb_num {
    bool neg;
    unsigned char n;
    int exp;
    char d[DDB_NUM_MAX_DIGITS];
};

enum ddb_num_err {
    DDB_NUM_OK = 0,
    DDB_NUM_INVALID,   /* not a number at all */
    DDB_NUM_OVERFLOW,  /* magnitude above 9.99..E+125 */
    DDB_NUM_UNDERFLOW, /* non-zero magnitude below 1E-130 */
    DDB_NUM_PRECISION, /* more than 38 significant digits */
};

/* Parse DynamoDB's number syntax (optional sign, digits, optional fraction, optional
 * exponent; leading/trailing spaces are not allowed). */
enum ddb_num_err ddb_num_parse(const char *s, size_t len, struct ddb_num *out);
/* DynamoDB's message for a parse or arithmetic failure (ValidationException text). */
const char *ddb_num_errmsg(enum ddb_num_err e);
/* The normalized text into buf (at least DDB_NUM_TEXT_MAX bytes); returns its length. */
size_t ddb_num_format(const struct ddb_num *n, char *buf);
/* Numeric order: <0, 0, >0. */
int ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b);
/* Exact a + b and a - b, checked against the range and precision. */
enum ddb_num_err ddb_num_add(const struct ddb_num *a, const struct ddb_num *b, struct ddb_num *out);
enum ddb_num_err ddb_num_sub(const struct ddb_num *a, const struct ddb_num *b, struct ddb_num *out);
/* An order-preserving byte string: memcmp order of two encodings (shorter first on a tie of
 * the common prefix) is numeric order. At most DDB_NUM_KEY_MAX bytes; returns the length. */
#define DDB_NUM_KEY_MAX 24
size_t ddb_num_key(const struct ddb_num *n, unsigned char *out);
/* The bytes DynamoDB counts for the number in item size: 1 byte per two significant digits
 * plus 1 (developer guide, "Item sizes"). */
size_t ddb_num_size(const struct ddb_num *n);

#endif
