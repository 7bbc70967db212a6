/* GCC 12.2 miscompiles this at -O1 -fsanitize=null (or =alignment) on an
 * AVX-512 CPU: the mask-and-popcount loops of lib/threesum.c's horiz16/32
 * return wrong counts. Right at -O1, -O2 -fsanitize=null, and with clang.
 *   gcc -O1 -fsanitize=null gcc12_mask_null_check.c && ./a.out
 * prints bad16=179 bad32=186 (expected 0 0). doc/reliability.md section 5. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static inline uint64_t
care_bits(const uint64_t *care, size_t j, unsigned w)
{
    const size_t q = j >> 6;
    const unsigned r = (unsigned)(j & 63);
    uint64_t v = care[q] >> r;
    if (r + w > 64)
        v |= care[q + 1] << (64 - r);
    return w == 64 ? v : v & (((uint64_t)1 << w) - 1);
}
__attribute__((target("avx512f,avx512bw,bmi2,popcnt"), noinline)) static uint32_t
h16(const void *tv, const void *pv, const uint64_t *care, size_t m)
{
    const uint16_t *t = tv, *p = pv;
    uint64_t c = 0;
    size_t j;
    for (j = 0; j + 32 <= m; j += 32)
        c += (uint64_t)__builtin_popcountll(
            (uint64_t)_mm512_cmpeq_epi16_mask(_mm512_loadu_si512(t + j),
                                              _mm512_loadu_si512(p + j)) &
            care_bits(care, j, 32));
    for (; j < m; j++)
        c += (uint64_t)((t[j] == p[j]) & (care[j >> 6] >> (j & 63)));
    return (uint32_t)c;
}
__attribute__((target("avx512f,avx512bw,bmi2,popcnt"), noinline)) static uint32_t
h32(const void *tv, const void *pv, const uint64_t *care, size_t m)
{
    const uint32_t *t = tv, *p = pv;
    uint64_t c = 0;
    size_t j;
    for (j = 0; j + 16 <= m; j += 16)
        c += (uint64_t)__builtin_popcountll(
            (uint64_t)_mm512_cmpeq_epi32_mask(_mm512_loadu_si512(t + j),
                                              _mm512_loadu_si512(p + j)) &
            care_bits(care, j, 16));
    for (; j < m; j++)
        c += (uint64_t)((t[j] == p[j]) & (care[j >> 6] >> (j & 63)));
    return (uint32_t)c;
}
int
main(void)
{
    enum { M = 1000 };
    static uint16_t a[M + 64], b[M + 64];
    static uint32_t A[M + 64], B[M + 64];
    static uint64_t care[M / 64 + 2];
    int bad16 = 0, bad32 = 0;
    srand(1);
    for (int it = 0; it < 200; it++) {
        for (int i = 0; i < M; i++) {
            a[i] = rand() % 3;
            b[i] = rand() % 3;
            A[i] = a[i];
            B[i] = b[i];
        }
        for (int i = 0; i < M / 64 + 2; i++)
            care[i] = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 2) ^ rand();
        size_t m = 1 + rand() % M;
        uint32_t r = 0;
        for (size_t j = 0; j < m; j++)
            r += (a[j] == b[j]) & (care[j >> 6] >> (j & 63));
        if (h16(a, b, care, m) != r)
            bad16++;
        if (h32(A, B, care, m) != r)
            bad32++;
    }
    printf("bad16=%d bad32=%d\n", bad16, bad32);
    return 0;
}
