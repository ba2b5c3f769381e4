/*
** COUNT(a): the number of elements of an array (not a pointer).
*/
#ifndef ATESQL_UTIL_COUNT_H
#define ATESQL_UTIL_COUNT_H

#include <stddef.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif /* ATESQL_UTIL_COUNT_H */
