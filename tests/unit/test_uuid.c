/* test_uuid.c: request and message ids are well-formed, version-4 and do not repeat, also
 * across the refill of the random pool and across threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/uuid.h"

#define N 2000 /* > 256 ids per pool: crosses several refills */

static int
cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void
check_format(const char *u)
{
    assert_int_equal(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_true(isxdigit((unsigned char)u[i]) && !isupper((unsigned char)u[i]));
    }
    assert_int_equal(u[14], '4');             /* version 4 */
    assert_non_null(strchr("89ab", u[19]));   /* RFC 4122 variant */
}

static void
test_uuid__format_and_unique(void **state)
{
    static char ids[N][AWSLET_UUID_LEN + 1];
    for (int i = 0; i < N; i++) {
        awslet_uuid(ids[i]);
        check_format(ids[i]);
    }
    qsort(ids, N, sizeof(ids[0]), cmp);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
}

static char thread_ids[2][N][AWSLET_UUID_LEN + 1];

static void *
fill(void *p)
{
    char (*ids)[AWSLET_UUID_LEN + 1] = p;
    for (int i = 0; i < N; i++)
        awslet_uuid(ids[i]);
    return NULL;
}

static void
test_uuid__threads_do_not_share_a_pool(void **state)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fill, thread_ids[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    qsort(thread_ids, 2 * N, sizeof(thread_ids[0][0]), cmp);
    const char(*all)[AWSLET_UUID_LEN + 1] = thread_ids[0];
    for (int i = 1; i < 2 * N; i++)
        assert_string_not_equal(all[i - 1], all[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid__format_and_unique),
        cmocka_unit_test(test_uuid__threads_do_not_share_a_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
