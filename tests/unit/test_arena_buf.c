/* test_arena_buf.c: unit tests for the request arena (core/arena.c) and the capped byte
 * buffer (core/buf.c).
 *
 * The arena must hand out 16-byte aligned, non-overlapping blocks of any size and free them
 * all at once; the buffer must refuse to grow past its limit without touching what it
 * already holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "awslet.h"
#include "core/arena.h"
#include "core/buf.h"

static void
test_arena__alignment_and_independence(void **state)
{
    static const size_t sizes[] = {0, 1, 3, 15, 16, 17, 100, 4000, 4097, 20000, 1, 7, 70000};
    unsigned char *blocks[ARRAY_SIZE(sizes)];
    struct arena a;
    size_t i, j;

    (void)state;
    arena_init(&a);
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        blocks[i] = arena_alloc(&a, sizes[i]);
        assert_non_null(blocks[i]);
        assert_int_equal((uintptr_t)blocks[i] % 16, 0);
        memset(blocks[i], (int)i + 1, sizes[i]);
    }
    /* Writing every block in full must not have clobbered any other one. */
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
        for (j = 0; j < sizes[i]; j++)
            assert_int_equal(blocks[i][j], (unsigned char)(i + 1));
    assert_true(a.total >= 4000 + 4097 + 20000 + 70000);
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void
test_arena__large_block_keeps_current_chunk(void **state)
{
    struct arena a;
    void *head_before;
    char *small1, *big, *small2;

    (void)state;
    arena_init(&a);
    small1 = arena_alloc(&a, 32);
    head_before = a.head;
    big = arena_alloc(&a, 100000);
    small2 = arena_alloc(&a, 32);
    assert_non_null(small1);
    assert_non_null(big);
    assert_non_null(small2);
    /* The big block got its own chunk; small allocations continue in the old one. */
    assert_ptr_equal(a.head, head_before);
    assert_ptr_equal(small2, small1 + 32);
    arena_release(&a);
}

static void
test_arena__strings(void **state)
{
    struct arena a;
    char *p;
    unsigned char *z;
    size_t i;

    (void)state;
    arena_init(&a);
    assert_null(arena_strdup(&a, NULL));
    assert_string_equal(arena_strdup(&a, "hello"), "hello");
    p = arena_strndup(&a, "hello world", 5);
    assert_string_equal(p, "hello");
    p = arena_printf(&a, "%s-%d-%05.1f", "x", 42, 3.14159);
    assert_string_equal(p, "x-42-003.1");
    z = arena_calloc(&a, 300);
    for (i = 0; i < 300; i++)
        assert_int_equal(z[i], 0);
    /* The arena stays usable after a release. */
    arena_release(&a);
    assert_string_equal(arena_strdup(&a, "again"), "again");
    arena_release(&a);
}

static void
test_arena__overflowing_size_fails(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a);
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    assert_null(arena_strndup(&a, "x", SIZE_MAX));
    arena_release(&a);
}

static void
test_buf__append_and_nul(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 1024);
    assert_null(b.data);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_putc(&b, '-'), 0);
    assert_int_equal(buf_append(&b, "x\0y", 3), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abc-x\0y", 8); /* includes the terminating NUL */
    assert_int_equal(buf_printf(&b, "[%d:%s]", 12, "z"), 0);
    assert_string_equal(b.data + 7, "[12:z]");
    buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void
test_buf__limit_leaves_contents(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 10);
    assert_int_equal(buf_puts(&b, "0123456789"), 0); /* exactly the limit is fine */
    assert_int_equal(buf_putc(&b, 'x'), -1);
    assert_int_equal(buf_puts(&b, "yz"), -1);
    assert_int_equal(buf_printf(&b, "%d", 7), -1);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    buf_release(&b);

    buf_init(&b, 5);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_printf(&b, "%s", "def"), -1); /* would end at 6 > 5 */
    assert_string_equal(b.data, "abc");
    buf_release(&b);
}

static void
test_buf__zero_limit_holds_nothing(void **state)
{
    struct buf b;
    char *s;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_int_equal(buf_putc(&b, 'a'), -1);
    s = buf_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void
test_buf__growth_and_steal(void **state)
{
    struct buf b;
    char *s;
    size_t i;

    (void)state;
    buf_init(&b, 1 << 20);
    for (i = 0; i < 10000; i++)
        assert_int_equal(buf_printf(&b, "%05zu", i), 0);
    assert_int_equal(b.len, 50000);
    assert_memory_equal(b.data + 5 * 9999, "09999", 6);
    assert_true(b.cap <= (1 << 20) + 1);
    s = buf_steal(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(strlen(s), 50000);
    free(s);
    /* A stolen-from buffer is empty and reusable under the same limit. */
    assert_int_equal(buf_puts(&b, "ok"), 0);
    assert_string_equal(b.data, "ok");
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena__alignment_and_independence),
        cmocka_unit_test(test_arena__large_block_keeps_current_chunk),
        cmocka_unit_test(test_arena__strings),
        cmocka_unit_test(test_arena__overflowing_size_fails),
        cmocka_unit_test(test_buf__append_and_nul),
        cmocka_unit_test(test_buf__limit_leaves_contents),
        cmocka_unit_test(test_buf__zero_limit_holds_nothing),
        cmocka_unit_test(test_buf__growth_and_steal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
