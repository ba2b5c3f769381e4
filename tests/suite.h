/*
** cmocka with the headers it needs before it, in the order it needs them.
** Every suite includes this instead of cmocka.h.
*/
#ifndef ATESQL_TEST_SUITE_H
#define ATESQL_TEST_SUITE_H

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#endif /* ATESQL_TEST_SUITE_H */
