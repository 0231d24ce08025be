/* test_sqs_receive.c: the pure rules behind ReceiveMessage and the receipt-handle
 * operations: receipt handles round-trip and anything else is refused, FIFO selection keeps
 * strict order per group and skips groups with a message in flight, and MessageAttributeNames
 * matches All, .*, prefix.* and exact names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "services/sqs/sqs_int.h"

/* ---- receipt handles -------------------------------------------------------------------- */

static void
test_receipt__round_trip(void **state)
{
    struct awslet_req req;
    char token[SQS_TOKEN_SIZE], again[SQS_TOKEN_SIZE], back[SQS_TOKEN_SIZE];
    long long qid, row;
    const char *h, *h2;

    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    assert_int_equal(sqs_receipt_token(1700000000123LL, token), 0);
    assert_true(sqs_receipt_token_ms(token) == 1700000000123LL);
    assert_int_equal(sqs_receipt_token(1700000000123LL, again), 0);
    assert_string_not_equal(token, again); /* every receive gets its own token */

    h = sqs_receipt_make(&req, 42, 9000000001LL, token);
    assert_non_null(h);
    assert_memory_equal(h, "AQEB", 4);
    assert_int_equal(sqs_receipt_parse(h, &qid, &row, back), 0);
    assert_true(qid == 42);
    assert_true(row == 9000000001LL);
    assert_string_equal(back, token);
    /* Only URL- and XML-safe characters. */
    for (const char *p = h; *p; p++)
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    /* A new token gives a different handle for the same message. */
    h2 = sqs_receipt_make(&req, 42, 9000000001LL, again);
    assert_string_not_equal(h, h2);
    arena_release(&req.arena);
}

/* base64url without padding, to forge handles. */
static void
enc(const char *text, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i, o = 0;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        out[o++] = a[v >> 18 & 63], out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63], out[o++] = a[v & 63];
    }
    if (n - i >= 1) {
        unsigned v = (unsigned)s[i] << 16 | (n - i == 2 ? (unsigned)s[i + 1] << 8 : 0);
        out[o++] = a[v >> 18 & 63], out[o++] = a[v >> 12 & 63];
        if (n - i == 2)
            out[o++] = a[v >> 6 & 63];
    }
    out[o] = '\0';
}

static void
test_receipt__rejects_what_we_did_not_make(void **state)
{
    static const char *const texts[] = {
        "v2:1:2:18bcfe56800-0123456789abcdef01234567",                    /* unknown version */
        "v1:0:2:18bcfe56800-0123456789abcdef01234567",                    /* id 0 */
        "v1:01:2:18bcfe56800-0123456789abcdef01234567",                   /* leading zero */
        "v1:-1:2:18bcfe56800-0123456789abcdef01234567",                   /* sign */
        "v1:1:2:18bcfe56800-0123456789abcdef0123456",                     /* short random part */
        "v1:1:2:18bcfe56800-0123456789ABCDEF01234567",                    /* upper-case hex */
        "v1:1:2:18bcfe568000123456789abcdef01234567",                     /* no dash */
        "v1:1:2:-0123456789abcdef01234567",                               /* no time */
        "v1:1:2",                                                         /* no token */
        "v1:1:2:18bcfe56800-0123456789abcdef01234567:x",                  /* trailing field */
        "v1:1:12345678901234567890:18bcfe56800-0123456789abcdef01234567", /* too big */
        "",
    };
    static const char *const raw[] = {
        "",
        "AQEB",
        "AQEA"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw", /* prefix */
        "aqeb"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw",
        "AQEB!!!!",
        "AQEB"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw=", /* padding */
        "AQEB"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2N", /* truncated */
        "AQEB"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nx", /* stray bits */
        "AQEB"
        "djE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw"
        "AAAA",
        "e1d2a3c4-0000-4000-8000-000000000000", /* a MessageId */
    };
    char buf[512], handle[600], token[SQS_TOKEN_SIZE];
    long long qid, row;

    /* The well-formed baseline of the raw table parses: the table rows fail for their
     * stated reason only. */
    enc("v1:1:2:18bcfe56800-0123456789abcdef01234567", buf);
    snprintf(handle, sizeof(handle), "AQEB%s", buf);
    assert_string_equal(handle, "AQEBdjE6MToyOjE4YmNmZTU2ODAwLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw");
    assert_int_equal(sqs_receipt_parse(handle, &qid, &row, token), 0);
    assert_true(qid == 1 && row == 2);

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        enc(texts[i], buf);
        snprintf(handle, sizeof(handle), "AQEB%s", buf);
        if (sqs_receipt_parse(handle, &qid, &row, token) == 0)
            fail_msg("accepted forged text '%s'", texts[i]);
    }
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        if (sqs_receipt_parse(raw[i], &qid, &row, token) == 0)
            fail_msg("accepted handle '%s'", raw[i]);
    }
    assert_int_equal(sqs_receipt_parse(NULL, &qid, &row, token), -1);
    /* Very long input is refused without reading past its end. */
    memset(handle, 'A', sizeof(handle) - 1);
    handle[sizeof(handle) - 1] = '\0';
    memcpy(handle, "AQEB", 4);
    assert_int_equal(sqs_receipt_parse(handle, &qid, &row, token), -1);
    assert_true(sqs_receipt_token_ms("zz-0123456789abcdef01234567") == -1);
}

/* ---- FIFO selection --------------------------------------------------------------------- */

struct fifo_case {
    const char *name;
    const char *rows;    /* one char per row: group letter; case: upper visible, lower not;
                          * '*' after a letter marks it in flight */
    const char *blocked; /* groups known to be in flight elsewhere */
    size_t max;
    const char *want; /* indexes of the picked rows, as digits */
};

static size_t
parse_rows(const char *spec, struct sqs_fifo_row *rows)
{
    size_t n = 0;

    for (const char *p = spec; *p; p++) {
        if (*p == '*') {
            rows[n - 1].inflight = true;
            continue;
        }
        rows[n].group = (*p >= 'a' ? *p - 'a' : *p - 'A');
        rows[n].visible = *p < 'a';
        rows[n].inflight = false;
        n++;
    }
    return n;
}

static void
test_fifo_select__groups_in_order(void **state)
{
    static const struct fifo_case cases[] = {
        {"empty", "", "", 10, ""},
        {"one group in order", "AAA", "", 10, "012"},
        {"max caps the batch", "AAA", "", 2, "01"},
        /* Fill from as few groups as possible: all of A before any of B. */
        {"group first", "ABABA", "", 3, "024"},
        {"then the next group", "ABABA", "", 4, "0241"},
        {"oldest group first", "BAAB", "", 10, "0312"},
        /* A message in flight blocks its whole group, wherever it is. */
        {"in flight blocks", "a*AAB", "", 10, "3"},
        {"in flight later blocks", "ABA*", "", 10, "1"},
        {"blocked from outside", "AABB", "a", 10, "23"},
        /* Strict order: a message not yet visible (delayed) stops its group. */
        {"not visible stops group", "AaAB", "", 10, "03"},
        {"head not visible", "aAB", "", 10, "2"},
        {"all blocked", "A*BB*", "", 10, ""},
        {"max one", "BA", "", 1, "0"},
    };
    struct sqs_fifo_row rows[32];
    bool blocked[26];
    size_t out[32];
    char got[40];

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t n = parse_rows(cases[c].rows, rows);
        int k;

        memset(blocked, 0, sizeof(blocked));
        for (const char *b = cases[c].blocked; *b; b++)
            blocked[*b - 'a'] = true;
        k = sqs_fifo_select(rows, n, blocked, 26, cases[c].max, out);
        assert_true(k >= 0);
        for (int i = 0; i < k; i++)
            got[i] = (char)('0' + out[i]);
        got[k] = '\0';
        if (strcmp(got, cases[c].want) != 0)
            fail_msg("%s: picked '%s', want '%s'", cases[c].name, got, cases[c].want);
    }
}

/* ---- MessageAttributeNames -------------------------------------------------------------- */

static void
test_attr_names__all_prefix_exact(void **state)
{
    static const struct {
        const char *patterns[3];
        size_t n;
        const char *name;
        int want;
    } cases[] = {
        {{"All"}, 1, "anything", 1},
        {{".*"}, 1, "anything", 1},
        {{"color"}, 1, "color", 1},
        {{"color"}, 1, "Color", 0},  /* case-sensitive */
        {{"color"}, 1, "colors", 0}, /* exact, not a prefix */
        {{"bar.*"}, 1, "bar.baz", 1},
        {{"bar.*"}, 1, "bar.x.y", 1},
        {{"bar.*"}, 1, "bar", 0}, /* the prefix is "bar." */
        {{"bar.*"}, 1, "barn", 0},
        {{"bar.*"}, 1, "foo.bar", 0},
        {{"x", "bar.*"}, 2, "bar.q", 1},
        {{"x", "y"}, 2, "y", 1},
        {{"all"}, 1, "z", 0}, /* only "All" */
        {{NULL}, 0, "z", 0},  /* none asked */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = sqs_attr_name_wanted(cases[i].patterns, cases[i].n, cases[i].name);
        if (got != cases[i].want)
            fail_msg("case %zu (%s): got %d", i, cases[i].name, got);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipt__round_trip),
        cmocka_unit_test(test_receipt__rejects_what_we_did_not_make),
        cmocka_unit_test(test_fifo_select__groups_in_order),
        cmocka_unit_test(test_attr_names__all_prefix_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
