/* ddb_num.c: DynamoDB numbers as exact decimals (ddb_num.h).
 *
 * A number is a sign, up to 38 significant digits and a decimal exponent, so parsing,
 * formatting, comparing and the arithmetic of UpdateExpression are all exact string and
 * digit work; no C double is involved anywhere. ddb_num_key() gives the order-preserving
 * bytes under which key values are stored, ddb_num_size() what an N costs in an item.
 *
 * Range: DynamoDB takes magnitudes from 1E-130 to 9.99..E+125. With value = 0.d * 10^exp
 * that is -129 <= exp <= 126; 38 digits can never exceed the upper bound inside it. */
#include "services/dynamodb/ddb_num.h"

#include <string.h>

#define EXP_MIN (-129)
#define EXP_MAX 126

/* DynamoDB's texts (ValidationException). An unparseable value gets ": <value>" appended
 * by the caller when it is not empty, as DynamoDB does. */
const char *
ddb_num_errmsg(enum ddb_num_err e)
{
    switch (e) {
    case DDB_NUM_OK:
        return "";
    case DDB_NUM_INVALID:
        return "The parameter cannot be converted to a numeric value";
    case DDB_NUM_OVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than "
               "supported range";
    case DDB_NUM_UNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than "
               "supported range";
    case DDB_NUM_PRECISION:
        return "Attempting to store more than 38 significant digits in a Number";
    }
    return "";
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Range first, then precision: DynamoDB reports an out-of-range value with too many digits
 * as an overflow or underflow. */
static enum ddb_num_err
check_range(long long exp, size_t sig)
{
    if (exp > EXP_MAX)
        return DDB_NUM_OVERFLOW;
    if (exp < EXP_MIN)
        return DDB_NUM_UNDERFLOW;
    if (sig > DDB_NUM_MAX_DIGITS)
        return DDB_NUM_PRECISION;
    return DDB_NUM_OK;
}

enum ddb_num_err
ddb_num_parse(const char *s, size_t len, struct ddb_num *out)
{
    size_t i = 0, int_start, int_len, frac_start, frac_len;
    bool neg = false;
    long long e = 0;

    memset(out, 0, sizeof(*out));
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    int_len = i - int_start;
    frac_start = i;
    frac_len = 0;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_len = i - frac_start;
    }
    if (int_len + frac_len == 0)
        return DDB_NUM_INVALID;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        size_t estart;

        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        estart = i;
        while (i < len && is_digit(s[i])) {
            /* Saturate: any exponent this large is out of range whatever the digits. */
            if (e < 1000000000LL)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (i == estart)
            return DDB_NUM_INVALID;
        if (eneg)
            e = -e;
    }
    if (i != len)
        return DDB_NUM_INVALID;

    /* The mantissa's digits are int then frac; digit k has place value 10^(int_len-1-k). */
    size_t total = int_len + frac_len, first = total, last = 0;
    for (size_t k = 0; k < total; k++) {
        char c = k < int_len ? s[int_start + k] : s[frac_start + k - int_len];
        if (c != '0') {
            if (first == total)
                first = k;
            last = k;
        }
    }
    if (first == total)
        return DDB_NUM_OK; /* zero, whatever its sign or exponent */

    long long exp = (long long)int_len - (long long)first + e;
    size_t sig = last - first + 1;
    enum ddb_num_err err = check_range(exp, sig);
    if (err)
        return err;
    out->neg = neg;
    out->exp = (int)exp;
    out->n = (unsigned char)sig;
    for (size_t k = first; k <= last; k++)
        out->d[k - first] = k < int_len ? s[int_start + k] : s[frac_start + k - int_len];
    return DDB_NUM_OK;
}

size_t
ddb_num_format(const struct ddb_num *n, char *buf)
{
    size_t o = 0;

    if (n->n == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    if (n->neg)
        buf[o++] = '-';
    if (n->exp <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int z = 0; z < -n->exp; z++)
            buf[o++] = '0';
        memcpy(buf + o, n->d, n->n);
        o += n->n;
    } else if (n->exp < n->n) {
        memcpy(buf + o, n->d, (size_t)n->exp);
        o += (size_t)n->exp;
        buf[o++] = '.';
        memcpy(buf + o, n->d + n->exp, (size_t)(n->n - n->exp));
        o += (size_t)(n->n - n->exp);
    } else {
        memcpy(buf + o, n->d, n->n);
        o += n->n;
        for (int z = n->n; z < n->exp; z++)
            buf[o++] = '0';
    }
    buf[o] = '\0';
    return o;
}

/* Magnitudes of two non-zero numbers. */
static int
cmp_abs(const struct ddb_num *a, const struct ddb_num *b)
{
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    for (int i = 0; i < a->n || i < b->n; i++) {
        char x = i < a->n ? a->d[i] : '0', y = i < b->n ? b->d[i] : '0';
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static int
sign_of(const struct ddb_num *a)
{
    return a->n == 0 ? 0 : a->neg ? -1 : 1;
}

int
ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b)
{
    int sa = sign_of(a), sb = sign_of(b);

    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    return sa > 0 ? cmp_abs(a, b) : -cmp_abs(a, b);
}

/* Digits by place: slot p holds the digit of 10^(p - PLACE_LOW). Operands reach down to
 * 10^(EXP_MIN - 38) and up to 10^(EXP_MAX - 1); a sum carries one place higher. */
#define PLACE_LOW (-(EXP_MIN - DDB_NUM_MAX_DIGITS) + 1)
#define PLACES    (PLACE_LOW + EXP_MAX + 2)

static void
spread(const struct ddb_num *a, signed char *v)
{
    memset(v, 0, PLACES);
    for (int i = 0; i < a->n; i++)
        v[a->exp - 1 - i + PLACE_LOW] = (signed char)(a->d[i] - '0');
}

/* Exact |a| + |b| or |a| - |b| (|a| >= |b|) with the given sign, then the range and
 * precision checks. */
static enum ddb_num_err
combine(const struct ddb_num *a, const struct ddb_num *b, bool subtract, bool neg,
        struct ddb_num *out)
{
    signed char va[PLACES], vb[PLACES];
    int carry = 0, hi = -1, lo = -1;

    spread(a, va);
    spread(b, vb);
    for (int p = 0; p < PLACES; p++) {
        int d = subtract ? va[p] - vb[p] - carry : va[p] + vb[p] + carry;
        carry = 0;
        if (d < 0) {
            d += 10;
            carry = 1;
        } else if (d > 9) {
            d -= 10;
            carry = 1;
        }
        va[p] = (signed char)d;
        if (d != 0) {
            if (lo < 0)
                lo = p;
            hi = p;
        }
    }
    memset(out, 0, sizeof(*out));
    if (hi < 0)
        return DDB_NUM_OK; /* exactly zero */
    long long exp = (long long)hi - PLACE_LOW + 1;
    enum ddb_num_err err = check_range(exp, (size_t)(hi - lo + 1));
    if (err)
        return err;
    out->neg = neg;
    out->exp = (int)exp;
    out->n = (unsigned char)(hi - lo + 1);
    for (int p = hi; p >= lo; p--)
        out->d[hi - p] = (char)('0' + va[p]);
    return DDB_NUM_OK;
}

enum ddb_num_err
ddb_num_add(const struct ddb_num *a, const struct ddb_num *b, struct ddb_num *out)
{
    if (b->n == 0) {
        *out = *a;
        return DDB_NUM_OK;
    }
    if (a->n == 0) {
        *out = *b;
        return DDB_NUM_OK;
    }
    if (a->neg == b->neg)
        return combine(a, b, false, a->neg, out);
    /* Opposite signs: the larger magnitude gives the sign. */
    if (cmp_abs(a, b) >= 0)
        return combine(a, b, true, a->neg, out);
    return combine(b, a, true, b->neg, out);
}

enum ddb_num_err
ddb_num_sub(const struct ddb_num *a, const struct ddb_num *b, struct ddb_num *out)
{
    struct ddb_num nb = *b;

    if (nb.n)
        nb.neg = !nb.neg;
    return ddb_num_add(a, &nb, out);
}

/* Key bytes. Class byte first (negative < zero < positive). Then, for a positive number,
 * exp + 129 (0..255) and the digits two to a byte as d1 * 11 + d2 + 1, where a missing
 * last digit counts as -1: "1" (11) sorts before "10".."19" (12..21), so a number that is
 * a prefix of another sorts first, as it is smaller. A negative number has every byte after
 * the class complemented so that larger magnitudes sort first, and ends in 0xFF so that
 * -0.12 sorts after -0.123 although its encoding is a prefix (complemented digit bytes are
 * at most 244). */
#define KEY_NEG  0x01
#define KEY_ZERO 0x02
#define KEY_POS  0x03

size_t
ddb_num_key(const struct ddb_num *n, unsigned char *out)
{
    size_t o = 0;

    if (n->n == 0) {
        out[o++] = KEY_ZERO;
        return o;
    }
    out[o++] = n->neg ? KEY_NEG : KEY_POS;
    out[o++] = (unsigned char)(n->exp - EXP_MIN);
    for (int i = 0; i < n->n; i += 2) {
        int d1 = n->d[i] - '0', d2 = i + 1 < n->n ? n->d[i + 1] - '0' : -1;
        out[o++] = (unsigned char)(d1 * 11 + d2 + 1);
    }
    if (n->neg) {
        for (size_t i = 1; i < o; i++)
            out[i] = (unsigned char)(0xFF - out[i]);
        out[o++] = 0xFF;
    }
    return o;
}

/* DynamoDB stores a number as an exponent byte plus base-100 digits aligned on the decimal
 * point (two decimal digits per byte, but "1.5" needs two: 01|50), plus one byte more for a
 * negative number. The developer guide's "1 byte per two significant digits plus 1" is the
 * approximation of this; measurements against DynamoDB (item size limit bisection) fit the
 * aligned form: 27 -> 2, -27 -> 3, 461 -> 3, 1.5 -> 3. Zero takes 1 byte. */
static int
floor_div2(int x)
{
    return x >= 0 ? x / 2 : -((-x + 1) / 2);
}

size_t
ddb_num_size(const struct ddb_num *n)
{
    if (n->n == 0)
        return 1;
    /* Digit i has place 10^(exp-1-i); base-100 digit of place p is floor(p/2). */
    int top = floor_div2(n->exp - 1), bottom = floor_div2(n->exp - n->n);
    return 1 + (size_t)(top - bottom + 1) + (n->neg ? 1 : 0);
}
