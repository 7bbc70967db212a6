/* SPDX-License-Identifier: MIT */
/*
 * version.c -- the version of the loaded library, which may differ from the
 * header an application was compiled with (xxHash's XXH_versionNumber).
 */
#include "internal.h"

unsigned
ham_version_number(void)
{
    return HAM_VERSION_NUMBER;
}

const char *
ham_version_string(void)
{
    return HAM_VERSION_STRING;
}

size_t
ham_ndist(size_t n, size_t m)
{
    return HAM_NDIST(n, m);
}
