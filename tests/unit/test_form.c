/* test_form.c: unit tests for form_parse() and form_get() (core/proto_query.c).
 *
 * Table-driven: each case is a raw form body and the pairs expected after percent-decoding
 * and the stable sort by key, or a parse failure for bad escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/proto_query.h"

struct form_case {
    const char *body;
    int rc;               /* expected form_parse() result */
    size_t n;             /* expected pairs */
    const char *kv[8][2]; /* expected key, value in sorted order */
};

static const struct form_case form_cases[] = {
    {"", 0, 0, {{NULL}}},
    {"&&&", 0, 0, {{NULL}}},
    {"Action=SendMessage", 0, 1, {{"Action", "SendMessage"}}},
    {"b=2&a=1&c=3", 0, 3, {{"a", "1"}, {"b", "2"}, {"c", "3"}}},
    {"MessageBody=hello+world%21", 0, 1, {{"MessageBody", "hello world!"}}},
    {"v=%2B%2b+%25%3d", 0, 1, {{"v", "++ %="}}},
    {"k%2Ey=%e2%82%ac", 0, 1, {{"k.y", "\xe2\x82\xac"}}},
    {"flag&x=&=v", 0, 3, {{"", "v"}, {"flag", ""}, {"x", ""}}},
    {"a=1=2", 0, 1, {{"a", "1=2"}}},
    /* Equal keys keep body order (stable), and sorting is by bytes: "A.10" < "A.2". */
    {"a=second&A.2=y&a=third&A.10=x&a=fourth",
     0,
     5,
     {{"A.10", "x"}, {"A.2", "y"}, {"a", "second"}, {"a", "third"}, {"a", "fourth"}}},
    {"a=1&", 0, 1, {{"a", "1"}}},
    {"a=%", -1, 0, {{NULL}}},
    {"a=%4", -1, 0, {{NULL}}},
    {"a=%G1", -1, 0, {{NULL}}},
    {"a=%1g", -1, 0, {{NULL}}},
    {"%zz=1", -1, 0, {{NULL}}},
    {"ok=1&bad=%%", -1, 0, {{NULL}}},
    {"na%00me=1", -1, 0, {{NULL}}}, /* a NUL inside a parameter name is refused */
};

static void
test_form__table(void **state)
{
    const struct form_case *c;
    struct arena a;
    struct form f;
    size_t i, j;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(form_cases); i++) {
        c = &form_cases[i];
        arena_init(&a);
        print_message("case %zu: %s\n", i, c->body);
        assert_int_equal(form_parse(&a, c->body, strlen(c->body), &f), c->rc);
        if (c->rc == 0) {
            assert_int_equal(f.n, c->n);
            for (j = 0; j < c->n; j++) {
                assert_string_equal(f.pairs[j].key, c->kv[j][0]);
                assert_string_equal(f.pairs[j].value, c->kv[j][1]);
                assert_int_equal(f.pairs[j].value_len, strlen(c->kv[j][1]));
            }
        }
        arena_release(&a);
    }
}

static void
test_form__get_first_of_repeated(void **state)
{
    static const char body[] = "Action=X&Tag=one&Version=2012-11-05&Tag=two";
    struct arena a;
    struct form f;

    (void)state;
    arena_init(&a);
    assert_int_equal(form_parse(&a, body, strlen(body), &f), 0);
    assert_string_equal(form_get(&f, "Tag"), "one");
    assert_string_equal(form_get(&f, "Version"), "2012-11-05");
    assert_null(form_get(&f, "Ta"));
    assert_null(form_get(&f, "Tags"));
    assert_null(form_get(&f, ""));
    arena_release(&a);
}

static void
test_form__nul_in_value_and_length_bound(void **state)
{
    /* Only the first len bytes count: the trailing "&b=2" is outside the body. */
    static const char body[] = "a=x%00y&b=2";
    struct arena a;
    struct form f;

    (void)state;
    arena_init(&a);
    assert_int_equal(form_parse(&a, body, 7, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.pairs[0].value_len, 3);
    assert_memory_equal(f.pairs[0].value, "x\0y", 4);
    assert_null(form_get(&f, "b"));
    arena_release(&a);
}

static void
test_form__many_pairs_sorted(void **state)
{
    char body[20000];
    char key[32];
    struct arena a;
    struct form f;
    size_t len = 0, i;

    (void)state;
    for (i = 1000; i > 0; i--)
        len += (size_t)snprintf(body + len, sizeof(body) - len, "%sk%zu=%zu", len ? "&" : "", i, i);
    arena_init(&a);
    assert_int_equal(form_parse(&a, body, len, &f), 0);
    assert_int_equal(f.n, 1000);
    for (i = 1; i < f.n; i++)
        assert_true(strcmp(f.pairs[i - 1].key, f.pairs[i].key) < 0);
    for (i = 1; i <= 1000; i += 37) {
        snprintf(key, sizeof(key), "k%zu", i);
        assert_non_null(form_get(&f, key));
        assert_int_equal(atoi(form_get(&f, key)), (int)i);
    }
    arena_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form__table),
        cmocka_unit_test(test_form__get_first_of_repeated),
        cmocka_unit_test(test_form__nul_in_value_and_length_bound),
        cmocka_unit_test(test_form__many_pairs_sorted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
