/*
 * check.h -- assertions shared by the cmocka tests.
 *
 * CHECK is cmocka's assert_true with a printf-style message, so that a
 * failing property says which case and which numbers broke it (cmocka's
 * own assertions print integers in hex and nothing else).  Include after
 * <cmocka.h>.
 */
#ifndef TEMPITCH_TESTS_CHECK_H
#define TEMPITCH_TESTS_CHECK_H

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            fail_msg(__VA_ARGS__);                                             \
    } while (0)

/* Elements of an array (not a pointer). */
#define COUNT(a) (sizeof(a) / sizeof *(a))

#endif /* TEMPITCH_TESTS_CHECK_H */
