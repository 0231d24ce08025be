/* test_digest.c: SHA-256 as hex, against FIPS 180-2's test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/digest.h"

static void
test_vectors(void **state)
{
    char out[65];
    (void)state;

    assert_int_equal(sha256_hex("abc", 3, out), 0);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(sha256_hex("", 0, out), 0);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* a NUL inside the data counts: the digest is of len bytes, not of a C string */
    assert_int_equal(sha256_hex("a\0b", 3, out), 0);
    assert_int_equal(strlen(out), 64);
    assert_string_not_equal(out, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
