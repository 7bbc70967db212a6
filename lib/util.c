/* SPDX-License-Identifier: MIT */
/*
 * util.c -- allocation with overflow checks, and CPU feature detection for the
 * runtime kernel dispatch (done once per plan; the result lives in the plan,
 * so the library keeps no global state).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void *
ham__alloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return malloc(n * size != 0 ? n * size : 1);
}

void *
ham__calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *
ham__alloc_aligned(size_t n, size_t size)
{
    void *p = NULL;
    size_t bytes;
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    bytes = n * size;
    /* round up to the alignment, so SIMD tails may read a full vector */
    if (bytes > SIZE_MAX - 63)
        return NULL;
    bytes = (bytes + 63) & ~(size_t)63;
    if (bytes == 0)
        bytes = 64;
    if (posix_memalign(&p, 64, bytes) != 0)
        return NULL;
    return p;
}

void
ham__free_aligned(void *p)
{
    free(p);
}

ham__cpu
ham__cpu_detect(unsigned flags)
{
    ham__cpu c;
    c.isa = HAM__ISA_PORTABLE;
    c.has_vpopcntdq = 0;
#if defined(HAM_HAVE_X86_DISPATCH) && (defined(__x86_64__) || defined(__i386__))
    if (flags & HAM_F_NO_SIMD)
        return c;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("popcnt"))
        c.isa = HAM__ISA_AVX2;
    if (c.isa == HAM__ISA_AVX2 && !(flags & HAM_F_NO_AVX512) &&
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        c.isa = HAM__ISA_AVX512;
        c.has_vpopcntdq = __builtin_cpu_supports("avx512vpopcntdq") ? 1 : 0;
    }
#else
    (void)flags;
#endif
    return c;
}
