/* GCC 12.2 miscompiles this at -O1 -fsanitize=pointer-overflow (AVX-512 CPU):
 * mism() returns bits for equal lanes. Right at -O0, -O2, without the
 * sanitizer, and with clang. The shape of ham__mism32_avx512 (lib/lce.h).
 *   gcc -O1 -fsanitize=pointer-overflow gcc12_mask_pointer_overflow.c && ./a.out
 * prints bad=47 (expected bad=0). doc/reliability.md section 5. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
__attribute__((target("avx512f,avx512bw"), noinline)) static uint64_t
mism(const uint32_t *a, const uint32_t *b, unsigned len)
{
    uint64_t ne = (uint16_t)_mm512_cmpneq_epi32_mask(_mm512_loadu_si512(a),
                                                     _mm512_loadu_si512(b));
    unsigned q;
    for (q = 1; q * 16 < len; q++)
        ne |= (uint64_t)(uint16_t)_mm512_cmpneq_epi32_mask(
                  _mm512_loadu_si512(a + 16 * q), _mm512_loadu_si512(b + 16 * q))
              << (16 * q);
    return ne & (len >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << len) - 1));
}
int
main(void)
{
    static uint32_t a[256], b[256];
    int bad = 0;
    for (unsigned len = 1; len <= 64; len++) {
        for (int i = 0; i < 256; i++) {
            a[i] = 7;
            b[i] = i < (int)len ? 7 : 0;
        }
        if (mism(a, b, len))
            bad++;
    }
    printf("bad=%d\n", bad);
    return 0;
}
