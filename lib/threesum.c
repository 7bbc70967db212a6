/* SPDX-License-Identifier: MIT */
/*
 * threesum.c -- X3, the `3sum` engine: (1+eps)-approximate distances by
 * sampling the 3SUM solutions (matches) of each shift and counting them in
 * batches (algorithms.md 8.3, the practical pipeline of Chan, Jin, Vassilevska
 * Williams and Xu, "Faster algorithms for text-to-pattern Hamming distances",
 * FOCS 2023; the derivations are in doc/approx.md).
 *
 * 3SUM view. With x_a = a + B col(T[a]) and y_b = -b - B col(P[b]) (B larger
 * than any position), the matches of shift s are the pairs with
 * x_a + y_b = s: 3SUM solutions. Here col is the alphabet compaction (2.1),
 * an injective colouring: a random colouring into fewer colours merges
 * symbols and biases every count low by up to D/c, which one colouring cannot
 * bound with probability 1 - delta_s (doc/approx.md, "Why no lossy
 * colouring").
 *
 * Sampling. A random order of the m_eff non-wildcard pattern positions is
 * drawn once per plan from the seed; level l samples its first K_l positions
 * (K_l = K_1 2^(l-1), nested, each a uniform K_l-subset). At a shift with D
 * mismatches the sampled mismatches Y are hypergeometric, so the binomial
 * Chernoff bound in KL form holds (Hoeffding 1963, Thm 4): with L =
 * ln(1/delta_b), f = D/m_eff lies in [f_lo(Y), f_hi(Y)] except with
 * probability 2 delta_b. The shift is *certified* at level l when
 * f_hi <= (1 + eps) f_lo; it then gets floor(m_eff f_hi), which is in
 * [D, (1+eps) D] on that event. Otherwise the next level adds K_l more
 * positions. Shifts still open after the last level (K < m_eff / 2) have
 * small D (below k0, doc/approx.md) and are settled exactly by comparing all
 * m_eff positions. D = 0 is never certified (f_lo(0) = 0), so it is always
 * reported exactly. K_1 is the smallest sample that certifies a random
 * window of the pattern's own symbol distribution, so on texts like the
 * pattern one level does it, at O(K_1) per shift whatever m.
 *
 * Batched counting (Fredman's trick as an equality product). Shifts are cut
 * into groups of 64 (s = 64 x + y): for every sampled position j, one SIMD
 * compare of the broadcast code of P[j] with the 64 codes T[64x + j + y],
 * y < 64, and a masked add into 64 lane counters counts the (x, j) entry of
 * the equality product for the whole group, i.e. 64 3SUM candidates per
 * instruction (level 1 runs four groups per pass). Codes are raw bytes (u8
 * plans), or pattern ids in 8 or 16 bits (u32 plans with at most 255 or 65535
 * distinct symbols), or raw 32-bit symbols. u32 plans with more than 255
 * symbols split level 1: positions of frequent symbols are compared as
 * 8-bit dense codes, those of rare symbols are counted by a sort-merge join
 * on the symbol (each text occurrence of a rare symbol meets the sampled
 * positions of that symbol), which costs about their frequency per shift.
 * Exact shifts are compared group-wise when clustered, window-wise when
 * isolated.
 *
 * Time: O(n K_1 / w) for texts whose windows certify at level 1 (w = lanes
 * per vector), plus O(K_l / w) per group holding an open shift at level l,
 * plus O(m_eff / w) per shift settled exactly; plan creation O(m log m + K_1)
 * (the order, level 1's verdicts). Memory: O(m) per plan; per call
 * O(m + chunk) with chunks of max(2^16, 4m) shifts.
 */
#include "approx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(HAM_HAVE_X86_DISPATCH) && defined(__x86_64__)
#define TS_X86 1
#include <immintrin.h>
#define TARGET_AVX2   __attribute__((target("avx2,bmi2,popcnt")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,bmi2,popcnt")))
#else
#define TS_X86 0
#endif

/* Shifts per kernel call: one AVX-512 vector of byte counters. */
#define GROUP 64

/* A verdict per (level, y): 0 not computed yet (per-call memo), 1 open,
 * hi + 2 certified with output hi. */
#define V_UNSET 0u
#define V_OPEN  1u

/* ---- Chernoff-KL confidence bounds ---------------------------------------------- */

/* KL(a || f) of Bernoulli laws, 0 ln 0 = 0; f in (0, 1). */
static double
kl(double a, double f)
{
    double r = 0.0;
    if (a > 0.0)
        r += a * log(a / f);
    if (a < 1.0)
        r += (1.0 - a) * log((1.0 - a) / (1.0 - f));
    return r;
}

/*
 * Largest f >= a with K KL(a || f) <= L, from above: phi(f) = KL(a || f) is
 * increasing and convex on (a, 1), so Newton iterates started right of the
 * root stay right of it (each tangent lies below phi) -- every iterate is a
 * valid, conservative bound, whatever the number of steps. Both starts are
 * right of the root: the lower-tail Chernoff form KL >= (f - a)^2 / (2 f)
 * and KL >= a ln a + (1 - a) ln((1 - a)/(1 - f)).
 */
double
ham__3sum_f_hi(double y, double K, double L)
{
    const double a = y / K, t = L / K;
    double f, fs, fb;
    int it;
    if (a >= 1.0)
        return 1.0;
    if (a <= 0.0)
        return -expm1(-t); /* KL(0 || f) = -ln(1 - f) */
    fs = a + t + sqrt(2.0 * a * t + t * t);
    fb = 1.0 - (1.0 - a) * exp(-(t - a * log(a)) / (1.0 - a));
    f = fs < fb ? fs : fb;
    if (!(f < 1.0))
        return 1.0;
    for (it = 0; it < 60; it++) {
        const double g = kl(a, f) - t, d = (f - a) / (f * (1.0 - f));
        double nf;
        if (!(g > 0.0) || !(d > 0.0))
            break;
        nf = f - g / d;
        if (!(nf < f) || nf <= a)
            break;
        if (f - nf <= 1e-15 * f) {
            f = nf;
            break;
        }
        f = nf;
    }
    return f;
}

/* Smallest f <= a with K KL(a || f) <= L, from below (phi decreasing and
 * convex on (0, a); starts from the upper-tail form KL >= (a - f)^2/(a + f)
 * and from KL >= a ln(a/f) + (1 - a) ln(1 - a), both left of the root). */
double
ham__3sum_f_lo(double y, double K, double L)
{
    const double a = y / K, t = L / K;
    double f, f0, fc;
    int it;
    if (a <= 0.0)
        return 0.0;
    if (a >= 1.0)
        return exp(-t); /* KL(1 || f) = -ln f */
    f0 = a - 0.5 * (-t + sqrt(t * t + 8.0 * a * t));
    fc = a * exp(-(t - (1.0 - a) * log1p(-a)) / a);
    f = f0 > fc ? f0 : fc;
    if (!(f > 0.0))
        return 0.0;
    for (it = 0; it < 60; it++) {
        const double g = kl(a, f) - t, d = (a - f) / (f * (1.0 - f));
        double nf;
        if (!(g > 0.0) || !(d > 0.0))
            break;
        nf = f + g / d;
        if (!(nf > f) || nf >= a)
            break;
        if (nf - f <= 1e-15 * f) {
            f = nf;
            break;
        }
        f = nf;
    }
    return f;
}

/* ---- Kernels: match counts of 64 consecutive shifts ----------------------------- */

/* cnt[l] = #{i < npos : t[pos[i] + l] == sym[i]} for l < 64, where t and sym
 * hold codes of the state's width. t[pos[i] + 63] must be readable. */
typedef void (*count_fn)(const void *t, const uint32_t *pos, const void *sym,
                         size_t npos, uint32_t *cnt);

#define DEFINE_COUNT_PORTABLE(NAME, T)                                                 \
    static void NAME(const void *tv, const uint32_t *pos, const void *symv,            \
                     size_t npos, uint32_t *cnt)                                       \
    {                                                                                  \
        const T *t = tv, *sym = symv;                                                  \
        size_t i;                                                                      \
        int l;                                                                         \
        for (l = 0; l < GROUP; l++)                                                    \
            cnt[l] = 0;                                                                \
        for (i = 0; i < npos; i++) {                                                   \
            const T *s = t + pos[i], p = sym[i];                                       \
            for (l = 0; l < GROUP; l++)                                                \
                cnt[l] += (uint32_t)(s[l] == p);                                       \
        }                                                                              \
    }
DEFINE_COUNT_PORTABLE(count8_portable, uint8_t)
DEFINE_COUNT_PORTABLE(count16_portable, uint16_t)
DEFINE_COUNT_PORTABLE(count32_portable, uint32_t)

#if TS_X86
/* Byte lanes: two accumulators (even and odd i) break the add chain; each
 * takes at most 127 increments before both are widened to 32 bits. */
TARGET_AVX512 static void
count8_avx512(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
              uint32_t *cnt)
{
    const uint8_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi8(1);
    __m512i w[4];
    size_t i = 0;
    int q;
    for (q = 0; q < 4; q++)
        w[q] = _mm512_setzero_si512();
    while (i < npos) {
        const size_t end = npos - i > 254 ? i + 254 : npos;
        __m512i a = _mm512_setzero_si512(), b = a;
        for (; i + 1 < end; i += 2) {
            const __mmask64 m0 = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(t + pos[i]),
                                                        _mm512_set1_epi8((char)sym[i]));
            const __mmask64 m1 = _mm512_cmpeq_epi8_mask(
                _mm512_loadu_si512(t + pos[i + 1]), _mm512_set1_epi8((char)sym[i + 1]));
            a = _mm512_mask_add_epi8(a, m0, a, one);
            b = _mm512_mask_add_epi8(b, m1, b, one);
        }
        if (i < end) {
            const __mmask64 m0 = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(t + pos[i]),
                                                        _mm512_set1_epi8((char)sym[i]));
            a = _mm512_mask_add_epi8(a, m0, a, one);
            i++;
        }
        a = _mm512_add_epi8(a, b); /* <= 254 */
        w[0] = _mm512_add_epi32(w[0],
                                _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(a, 0)));
        w[1] = _mm512_add_epi32(w[1],
                                _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(a, 1)));
        w[2] = _mm512_add_epi32(w[2],
                                _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(a, 2)));
        w[3] = _mm512_add_epi32(w[3],
                                _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(a, 3)));
    }
    for (q = 0; q < 4; q++)
        _mm512_storeu_si512(cnt + 16 * q, w[q]);
}

/* 16-bit lanes: 64 shifts in two vectors, widened every 65535 positions. */
TARGET_AVX512 static void
count16_avx512(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
               uint32_t *cnt)
{
    const uint16_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi16(1);
    __m512i w[4];
    size_t i = 0;
    int q;
    for (q = 0; q < 4; q++)
        w[q] = _mm512_setzero_si512();
    while (i < npos) {
        const size_t end = npos - i > 65535 ? i + 65535 : npos;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0;
        for (; i < end; i++) {
            const uint16_t *s = t + pos[i];
            const __m512i p = _mm512_set1_epi16((short)sym[i]);
            a0 = _mm512_mask_add_epi16(
                a0, _mm512_cmpeq_epi16_mask(_mm512_loadu_si512(s), p), a0, one);
            a1 = _mm512_mask_add_epi16(
                a1, _mm512_cmpeq_epi16_mask(_mm512_loadu_si512(s + 32), p), a1, one);
        }
        w[0] = _mm512_add_epi32(
            w[0], _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(a0, 0)));
        w[1] = _mm512_add_epi32(
            w[1], _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(a0, 1)));
        w[2] = _mm512_add_epi32(
            w[2], _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(a1, 0)));
        w[3] = _mm512_add_epi32(
            w[3], _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(a1, 1)));
    }
    for (q = 0; q < 4; q++)
        _mm512_storeu_si512(cnt + 16 * q, w[q]);
}

TARGET_AVX512 static void
count32_avx512(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
               uint32_t *cnt)
{
    const uint32_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi32(1);
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    size_t i;
    for (i = 0; i < npos; i++) {
        const uint32_t *s = t + pos[i];
        const __m512i p = _mm512_set1_epi32((int)sym[i]);
        a0 = _mm512_mask_add_epi32(
            a0, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s), p), a0, one);
        a1 = _mm512_mask_add_epi32(
            a1, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 16), p), a1, one);
        a2 = _mm512_mask_add_epi32(
            a2, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 32), p), a2, one);
        a3 = _mm512_mask_add_epi32(
            a3, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 48), p), a3, one);
    }
    _mm512_storeu_si512(cnt, a0);
    _mm512_storeu_si512(cnt + 16, a1);
    _mm512_storeu_si512(cnt + 32, a2);
    _mm512_storeu_si512(cnt + 48, a3);
}

/* Wide forms for level 1, where every group is needed: 256 shifts per
 * pass over the sample, so that each broadcast and each index load serves
 * four vectors, and the four loads of a position are one contiguous 256-byte
 * run (u8). Counts are widened into cnt[0..256) in memory. */
/* c[0..64) += the 64 byte lanes of a; c[0..32) += the 32 word lanes. */
TARGET_AVX512 static inline void
widen8(uint32_t *c, __m512i a)
{
    _mm512_storeu_si512(
        c, _mm512_add_epi32(_mm512_loadu_si512(c),
                            _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(a, 0))));
    _mm512_storeu_si512(c + 16, _mm512_add_epi32(_mm512_loadu_si512(c + 16),
                                                 _mm512_cvtepu8_epi32(
                                                     _mm512_extracti32x4_epi32(a, 1))));
    _mm512_storeu_si512(c + 32, _mm512_add_epi32(_mm512_loadu_si512(c + 32),
                                                 _mm512_cvtepu8_epi32(
                                                     _mm512_extracti32x4_epi32(a, 2))));
    _mm512_storeu_si512(c + 48, _mm512_add_epi32(_mm512_loadu_si512(c + 48),
                                                 _mm512_cvtepu8_epi32(
                                                     _mm512_extracti32x4_epi32(a, 3))));
}

TARGET_AVX512 static inline void
widen16(uint32_t *c, __m512i a)
{
    _mm512_storeu_si512(
        c, _mm512_add_epi32(_mm512_loadu_si512(c),
                            _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(a, 0))));
    _mm512_storeu_si512(c + 16, _mm512_add_epi32(_mm512_loadu_si512(c + 16),
                                                 _mm512_cvtepu16_epi32(
                                                     _mm512_extracti64x4_epi64(a, 1))));
}

TARGET_AVX512 static void
count8_avx512_w(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
                uint32_t *cnt)
{
    const uint8_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi8(1);
    size_t i = 0;
    int q;
    memset(cnt, 0, 4 * GROUP * sizeof *cnt);
    while (i < npos) {
        const size_t end = npos - i > 255 ? i + 255 : npos;
        __m512i a[4];
        a[0] = a[1] = a[2] = a[3] = _mm512_setzero_si512();
        for (; i < end; i++) {
            const uint8_t *s = t + pos[i];
            const __m512i p = _mm512_set1_epi8((char)sym[i]);
            a[0] = _mm512_mask_add_epi8(
                a[0], _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s), p), a[0], one);
            a[1] = _mm512_mask_add_epi8(
                a[1], _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 64), p), a[1], one);
            a[2] = _mm512_mask_add_epi8(
                a[2], _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 128), p), a[2],
                one);
            a[3] = _mm512_mask_add_epi8(
                a[3], _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 192), p), a[3],
                one);
        }
        for (q = 0; q < 4; q++)
            widen8(cnt + 64 * q, a[q]);
    }
}

TARGET_AVX512 static void
count16_avx512_w(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
                 uint32_t *cnt)
{
    const uint16_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi16(1);
    size_t i = 0;
    int q;
    memset(cnt, 0, 4 * GROUP * sizeof *cnt);
    while (i < npos) {
        const size_t end = npos - i > 65535 ? i + 65535 : npos;
        __m512i a[8];
        for (q = 0; q < 8; q++)
            a[q] = _mm512_setzero_si512();
        for (; i < end; i++) {
            const uint16_t *s = t + pos[i];
            const __m512i p = _mm512_set1_epi16((short)sym[i]);
            for (q = 0; q < 8; q++)
                a[q] = _mm512_mask_add_epi16(
                    a[q], _mm512_cmpeq_epi16_mask(_mm512_loadu_si512(s + 32 * q), p),
                    a[q], one);
        }
        for (q = 0; q < 8; q++)
            widen16(cnt + 32 * q, a[q]);
    }
}

TARGET_AVX512 static void
count32_avx512_w(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
                 uint32_t *cnt)
{
    const uint32_t *t = tv, *sym = symv;
    const __m512i one = _mm512_set1_epi32(1);
    __m512i a[16];
    size_t i;
    int q;
    for (q = 0; q < 16; q++)
        a[q] = _mm512_setzero_si512();
    for (i = 0; i < npos; i++) {
        const uint32_t *s = t + pos[i];
        const __m512i p = _mm512_set1_epi32((int)sym[i]);
        for (q = 0; q < 16; q++)
            a[q] = _mm512_mask_add_epi32(
                a[q], _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 16 * q), p), a[q],
                one);
    }
    for (q = 0; q < 16; q++)
        _mm512_storeu_si512(cnt + 16 * q, a[q]);
}

/* AVX2: equal lanes are -1, so subtracting the compare adds one. */
TARGET_AVX2 static void
count8_avx2(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
            uint32_t *cnt)
{
    const uint8_t *t = tv, *sym = symv;
    __m256i w[8];
    size_t i = 0;
    int q;
    for (q = 0; q < 8; q++)
        w[q] = _mm256_setzero_si256();
    while (i < npos) {
        const size_t end = npos - i > 255 ? i + 255 : npos;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0;
        for (; i < end; i++) {
            const uint8_t *s = t + pos[i];
            const __m256i p = _mm256_set1_epi8((char)sym[i]);
            a0 = _mm256_sub_epi8(
                a0, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)s), p));
            a1 = _mm256_sub_epi8(
                a1,
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(s + 32)), p));
        }
        for (q = 0; q < 8; q++) {
            const __m256i a = q < 4 ? a0 : a1;
            __m128i h =
                (q & 2) ? _mm256_extracti128_si256(a, 1) : _mm256_castsi256_si128(a);
            if (q & 1)
                h = _mm_srli_si128(h, 8);
            w[q] = _mm256_add_epi32(w[q], _mm256_cvtepu8_epi32(h));
        }
    }
    for (q = 0; q < 8; q++)
        _mm256_storeu_si256((__m256i *)(cnt + 8 * q), w[q]);
}

TARGET_AVX2 static void
count16_avx2(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
             uint32_t *cnt)
{
    const uint16_t *t = tv, *sym = symv;
    __m256i w[8];
    size_t i = 0;
    int q;
    for (q = 0; q < 8; q++)
        w[q] = _mm256_setzero_si256();
    while (i < npos) {
        const size_t end = npos - i > 65535 ? i + 65535 : npos;
        __m256i a[4];
        a[0] = a[1] = a[2] = a[3] = _mm256_setzero_si256();
        for (; i < end; i++) {
            const uint16_t *s = t + pos[i];
            const __m256i p = _mm256_set1_epi16((short)sym[i]);
            for (q = 0; q < 4; q++)
                a[q] = _mm256_sub_epi16(
                    a[q], _mm256_cmpeq_epi16(
                              _mm256_loadu_si256((const __m256i *)(s + 16 * q)), p));
        }
        for (q = 0; q < 8; q++) {
            const __m256i v = a[q >> 1];
            const __m128i h =
                (q & 1) ? _mm256_extracti128_si256(v, 1) : _mm256_castsi256_si128(v);
            w[q] = _mm256_add_epi32(w[q], _mm256_cvtepu16_epi32(h));
        }
    }
    for (q = 0; q < 8; q++)
        _mm256_storeu_si256((__m256i *)(cnt + 8 * q), w[q]);
}

TARGET_AVX2 static void
count32_avx2(const void *tv, const uint32_t *pos, const void *symv, size_t npos,
             uint32_t *cnt)
{
    const uint32_t *t = tv, *sym = symv;
    __m256i a[8];
    size_t i;
    int q;
    for (q = 0; q < 8; q++)
        a[q] = _mm256_setzero_si256();
    for (i = 0; i < npos; i++) {
        const uint32_t *s = t + pos[i];
        const __m256i p = _mm256_set1_epi32((int)sym[i]);
        for (q = 0; q < 8; q++)
            a[q] = _mm256_sub_epi32(
                a[q], _mm256_cmpeq_epi32(
                          _mm256_loadu_si256((const __m256i *)(s + 8 * q)), p));
    }
    for (q = 0; q < 8; q++)
        _mm256_storeu_si256((__m256i *)(cnt + 8 * q), a[q]);
}
#endif /* TS_X86 */

/* Four groups (256 shifts) with a 64-shift kernel. */
#define DEFINE_WIDE(NAME, BASE, T)                                                     \
    static void NAME(const void *tv, const uint32_t *pos, const void *symv,            \
                     size_t npos, uint32_t *cnt)                                       \
    {                                                                                  \
        int q;                                                                         \
        for (q = 0; q < 4; q++)                                                        \
            BASE((const T *)tv + GROUP * q, pos, symv, npos, cnt + GROUP * q);         \
    }
DEFINE_WIDE(count8_portable_w, count8_portable, uint8_t)
DEFINE_WIDE(count16_portable_w, count16_portable, uint16_t)
DEFINE_WIDE(count32_portable_w, count32_portable, uint32_t)
#if TS_X86
DEFINE_WIDE(count8_avx2_w, count8_avx2, uint8_t)
DEFINE_WIDE(count16_avx2_w, count16_avx2, uint16_t)
DEFINE_WIDE(count32_avx2_w, count32_avx2, uint32_t)
#endif

/* The kernel for 4 GROUP shifts at once. */
static count_fn
pick_wide(unsigned code, int isa)
{
#if TS_X86
    if (isa >= HAM__ISA_AVX512)
        return code == 1   ? count8_avx512_w
               : code == 2 ? count16_avx512_w
                           : count32_avx512_w;
    if (isa >= HAM__ISA_AVX2)
        return code == 1 ? count8_avx2_w : code == 2 ? count16_avx2_w : count32_avx2_w;
#else
    (void)isa;
#endif
    return code == 1   ? count8_portable_w
           : code == 2 ? count16_portable_w
                       : count32_portable_w;
}

static count_fn
pick_kernel(unsigned code, int isa)
{
#if TS_X86
    if (isa >= HAM__ISA_AVX512)
        return code == 1 ? count8_avx512 : code == 2 ? count16_avx512 : count32_avx512;
    if (isa >= HAM__ISA_AVX2)
        return code == 1 ? count8_avx2 : code == 2 ? count16_avx2 : count32_avx2;
#else
    (void)isa;
#endif
    return code == 1   ? count8_portable
           : code == 2 ? count16_portable
                       : count32_portable;
}

/* Matches of one window: #{j < m : care bit j and t[j] == p[j]}. */
typedef uint32_t (*horiz_fn)(const void *t, const void *p, const uint64_t *care,
                             size_t m);

/* Open shifts of a group settled one by one below this many (a vertical
 * pass costs the same for 1 or 64 shifts; a window compare ~1/16 of it). */
#define HORIZ_MAX 4

static inline uint64_t
care_bits(const uint64_t *care, size_t j, unsigned w)
{
    /* bits j .. j + w - 1 of the care bitmap (w <= 64); care has a spare
     * word at the end */
    const size_t q = j >> 6;
    const unsigned r = (unsigned)(j & 63);
    uint64_t v = care[q] >> r;
    if (r + w > 64)
        v |= care[q + 1] << (64 - r);
    return w == 64 ? v : v & (((uint64_t)1 << w) - 1);
}

#define DEFINE_HORIZ_PORTABLE(NAME, T)                                                 \
    static uint32_t NAME(const void *tv, const void *pv, const uint64_t *care,         \
                         size_t m)                                                     \
    {                                                                                  \
        const T *t = tv, *p = pv;                                                      \
        uint32_t c = 0;                                                                \
        size_t j;                                                                      \
        for (j = 0; j < m; j++)                                                        \
            c += (uint32_t)((t[j] == p[j]) & (care[j >> 6] >> (j & 63)));              \
        return c;                                                                      \
    }
DEFINE_HORIZ_PORTABLE(horiz8_portable, uint8_t)
DEFINE_HORIZ_PORTABLE(horiz16_portable, uint16_t)
DEFINE_HORIZ_PORTABLE(horiz32_portable, uint32_t)

#if TS_X86
TARGET_AVX512 static uint32_t
horiz8_avx512(const void *tv, const void *pv, const uint64_t *care, size_t m)
{
    const uint8_t *t = tv, *p = pv;
    uint64_t c = 0;
    size_t j;
    for (j = 0; j + 64 <= m; j += 64)
        c += (uint64_t)__builtin_popcountll(
            _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(t + j),
                                   _mm512_loadu_si512(p + j)) &
            care[j >> 6]);
    if (j < m) {
        const __mmask64 k = _bzhi_u64(~(uint64_t)0, (unsigned)(m - j));
        c += (uint64_t)__builtin_popcountll(
            _mm512_cmpeq_epi8_mask(_mm512_maskz_loadu_epi8(k, t + j),
                                   _mm512_maskz_loadu_epi8(k, p + j)) &
            k & care[j >> 6]);
    }
    return (uint32_t)c;
}

TARGET_AVX512 static uint32_t
horiz16_avx512(const void *tv, const void *pv, const uint64_t *care, size_t m)
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

TARGET_AVX512 static uint32_t
horiz32_avx512(const void *tv, const void *pv, const uint64_t *care, size_t m)
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
#endif

static horiz_fn
pick_horiz(unsigned code, int isa)
{
#if TS_X86
    if (isa >= HAM__ISA_AVX512)
        return code == 1 ? horiz8_avx512 : code == 2 ? horiz16_avx512 : horiz32_avx512;
#else
    (void)isa;
#endif
    return code == 1   ? horiz8_portable
           : code == 2 ? horiz16_portable
                       : horiz32_portable;
}

/* ---- Plan state ------------------------------------------------------------------ */

/* The positions a level adds (or, for the exact stage, all of them). */
typedef struct sample {
    uint32_t K;    /* cumulative sample size after this level */
    uint32_t npos; /* positions added: K - K_prev */
    uint32_t *pos; /* increasing offsets in the pattern */
    void *sym;     /* their codes */
} sample;

typedef struct ts_state {
    unsigned code; /* bytes per code: 1, 2 or 4 */
    int ids;       /* codes are pattern ids (u32 plans), else raw symbols */
    uint32_t ne;   /* m_eff */
    double eps, L; /* L = ln(1/delta_b), one bound's budget */
    double f_pred; /* mismatch fraction of a random window (pattern statistics) */
    uint32_t nlev; /* sampled levels; 0: every shift exact */
    sample lev[HAM__3SUM_MAX_LEVELS];
    sample all;     /* every non-wildcard position, for the exact stage */
    uint32_t *tab1; /* level 1 verdicts, K_1 + 1 entries */
    count_fn count; /* GROUP shifts */
    count_fn wide;  /* 4 GROUP shifts */
    /* Hybrid level 1 (u32 plans with sigma > 255): the sampled positions of
     * frequent symbols (pattern frequency >= DENSE_FREQ, at most 255 of
     * them) are compared as 8-bit dense codes by count8 kernels (d1); the
     * others are enumerated by symbol (sp_start/sp_pos: CSR by id). */
    void *pcodes;   /* m codes of the pattern (wildcard: anything) */
    uint64_t *care; /* ceil(m/64) + 1 words: bit j set iff P[j] is not the wildcard */
    horiz_fn horiz;
    int hybrid;
    uint8_t *dtab;       /* sigma + 1: id -> dense code, 0 = sparse or absent */
    sample d1;           /* level 1's dense positions, codes from dtab */
    uint32_t *sp_start;  /* sigma + 2 */
    uint32_t *sp_pos;    /* level 1's sparse positions, by id, increasing */
    double sparse_pairs; /* expected enumerated pairs per shift (pattern statistics) */
    count_fn wide8;
} ts_state;

static uint32_t
verdict(const ts_state *st, uint32_t y, uint32_t K)
{
    const double ne = (double)st->ne;
    const double fh = ham__3sum_f_hi((double)y, (double)K, st->L);
    const double fl = ham__3sum_f_lo((double)y, (double)K, st->L);
    /* the 1e-12 margins absorb the rounding of these products: certified
     * means floor(ne fh) >= D and <= (1 + eps) ne fl <= (1 + eps) D on the
     * event that f is in [fl, fh] */
    const double hi = ne * fh * (1.0 + 1e-12);
    double v;
    if (!(hi <= (1.0 + st->eps) * ne * fl * (1.0 - 1e-12)))
        return V_OPEN;
    v = floor(hi);
    if (v > ne)
        v = ne;
    return (uint32_t)v + 2u;
}

/* Would a random window of the pattern's own statistics (Y near K f_pred,
 * within 2.5 standard deviations) certify with a sample of K? */
static int
certifies(const ts_state *st, uint32_t K)
{
    const double f = st->f_pred, Kd = (double)K;
    const double sd = sqrt(Kd * f * (1.0 - f)), c = Kd * f;
    double y[3];
    int i;
    y[0] = floor(c - 2.5 * sd);
    y[1] = floor(c + 0.5);
    y[2] = ceil(c + 2.5 * sd);
    for (i = 0; i < 3; i++) {
        double v = y[i] < 0.0 ? 0.0 : y[i] > Kd ? Kd : y[i];
        if (verdict(st, (uint32_t)v, K) == V_OPEN)
            return 0;
    }
    return 1;
}

static void
sample_free(sample *s)
{
    free(s->pos);
    free(s->sym);
    memset(s, 0, sizeof *s);
}

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* The code of pattern position j. */
static uint32_t
pat_code(const ham_plan *plan, const ts_state *st, size_t j)
{
    if (plan->width == 1)
        return plan->pat.u8[j];
    return st->ids ? plan->pid[j] : plan->pat.u32[j];
}

/* pos[0..n) (n >= 1; sorted here) and their codes into s. */
static int
sample_build(const ham_plan *plan, const ts_state *st, sample *s, const uint32_t *pos,
             uint32_t n, uint32_t K)
{
    uint32_t i;
    s->K = K;
    s->npos = n;
    s->pos = ham__alloc(n, sizeof *s->pos);
    s->sym = ham__alloc(n, st->code);
    if (!s->pos || !s->sym)
        return HAM_ENOMEM;
    memcpy(s->pos, pos, (size_t)n * sizeof *pos);
    qsort(s->pos, n, sizeof *s->pos, cmp_u32);
    for (i = 0; i < n; i++) {
        const uint32_t c = pat_code(plan, st, s->pos[i]);
        if (st->code == 1)
            ((uint8_t *)s->sym)[i] = (uint8_t)c;
        else if (st->code == 2)
            ((uint16_t *)s->sym)[i] = (uint16_t)c;
        else
            ((uint32_t *)s->sym)[i] = c;
    }
    return HAM_OK;
}

/* Level 1 of a hybrid plan: its positions split into dense (8-bit codes,
 * kept in d1) and sparse (by id in sp_start/sp_pos). */
static int
hybrid_build(const ham_plan *plan, ts_state *st)
{
    const sample *s1 = &st->lev[0];
    const uint32_t sigma = plan->sigma;
    uint32_t *dpos, i, nd = 0;
    int rc = HAM_OK;
    st->sp_start = ham__calloc((size_t)sigma + 2, sizeof *st->sp_start);
    st->sp_pos = ham__alloc(s1->npos, sizeof *st->sp_pos);
    dpos = ham__alloc(s1->npos, sizeof *dpos);
    if (!st->sp_start || !st->sp_pos || !dpos) {
        free(dpos);
        return HAM_ENOMEM;
    }
    /* s1->pos is increasing, so each id's list comes out increasing */
    for (i = 0; i < s1->npos; i++) {
        const uint32_t id = plan->pid[s1->pos[i]];
        if (st->dtab[id]) {
            dpos[nd++] = s1->pos[i];
        } else {
            st->sp_start[id + 1]++;
            st->sparse_pairs += (double)plan->pcount[id] / (double)plan->m_eff;
        }
    }
    for (i = 0; i <= sigma; i++)
        st->sp_start[i + 1] += st->sp_start[i];
    for (i = 0; i < s1->npos; i++) {
        const uint32_t id = plan->pid[s1->pos[i]];
        if (!st->dtab[id])
            st->sp_pos[st->sp_start[id]++] = s1->pos[i];
    }
    for (i = sigma + 1; i > 0; i--)
        st->sp_start[i] = st->sp_start[i - 1];
    st->sp_start[0] = 0;
    if (nd > 0) {
        /* d1's codes: sample_build stores pat_code (the raw symbol); the
         * dense code replaces it */
        uint8_t *sym = ham__alloc(nd, 1);
        st->d1.K = s1->K;
        st->d1.npos = nd;
        st->d1.pos = dpos;
        st->d1.sym = sym;
        dpos = NULL;
        if (!sym)
            rc = HAM_ENOMEM;
        for (i = 0; rc == HAM_OK && i < nd; i++)
            sym[i] = st->dtab[plan->pid[st->d1.pos[i]]];
    }
    free(dpos);
    return rc;
}

/*
 * Cost constants, ns (AMD EPYC Zen 4, 2 vCPU shared VM, gcc 12 -O2,
 * AVX-512; medians of /tmp-style runs of ham__3sum_dist_stats on uniform
 * bytes, uniform 256 and zipf32 texts, m = 2^11 .. 2^20, checked against
 * bench/hambench --modes=approx --engines=3sum, see doc/approx.md):
 *   KAPPA_CMP[b]  one sampled position at one shift, b-byte codes: the
 *                 per-lane share of a vertical compare and masked add
 *                 including the loads from the text window
 *   KAPPA_ENUM    one enumerated pair (a sparse sampled position matching a
 *                 text position): an index load and a counter increment
 *                 within m of the previous ones (L1/L2)
 *   KAPPA_SHIFT   per shift: verdict lookup, output, level bookkeeping
 *   KAPPA_HYB     per shift of a hybrid plan: the dense-code lookup and the
 *                 enumeration loop's per-position overhead
 */
static const double KAPPA_CMP[5] = {0.0, 0.0125, 0.020, 0.0, 0.036};
#define KAPPA_ENUM  2.0
#define KAPPA_SHIFT 1.0
#define KAPPA_HYB   5.0

/* Which symbols a hybrid plan compares densely: those with pattern
 * frequency >= DENSE_FREQ, the 255 most frequent at most. Enumerating a
 * sampled position of symbol c costs KAPPA_ENUM per text occurrence of c,
 * about KAPPA_ENUM p_c per shift if the text is like the pattern; a dense
 * 8-bit compare costs KAPPA_CMP[1] per shift: the break-even frequency is
 * their ratio. */
#define DENSE_FREQ (KAPPA_CMP[1] / KAPPA_ENUM)

static int
cmp_count_desc(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a < b) - (a > b);
}

static int
dense_build(const ham_plan *plan, ts_state *st)
{
    const uint32_t sigma = plan->sigma;
    uint64_t *key = ham__alloc(sigma, sizeof *key);
    uint32_t i, nd = 0;
    st->dtab = ham__calloc((size_t)sigma + 1, 1);
    if (!key || !st->dtab) {
        free(key);
        return HAM_ENOMEM;
    }
    /* (count, id) packed so that a sort by count, ties by id, is one key */
    for (i = 0; i < sigma; i++)
        key[i] =
            ((uint64_t)plan->pcount[i + 1] << 32) | (uint64_t)(UINT32_MAX - (i + 1));
    qsort(key, sigma, sizeof *key, cmp_count_desc);
    for (i = 0; i < sigma && nd < 255; i++) {
        const uint32_t cnt = (uint32_t)(key[i] >> 32);
        const uint32_t id = UINT32_MAX - (uint32_t)key[i];
        if ((double)cnt < DENSE_FREQ * (double)plan->m_eff)
            break;
        st->dtab[id] = (uint8_t)++nd;
    }
    free(key);
    return HAM_OK;
}

/* The sampled levels and level 1's verdicts, from st->L (K_1 = k1 when
 * non-zero, else the rule). */
static int
levels_build(const ham_plan *plan, ts_state *st, uint32_t k1)
{
    const size_t ne = plan->m_eff;
    uint32_t *order, K, i, nl = 1, prev = 0, lim;
    double Kmin;
    ham__rng rng;
    int rc = HAM_OK;

    if (ne < 4 || ne >= (size_t)UINT32_MAX - 2)
        return HAM_OK; /* exact only (a verdict needs ne + 2 to fit) */
    if (k1 > 0) {
        K = k1;
    } else {
        /* K_1: the smallest sample (steps of 1/16) that certifies a window
         * of the pattern's own statistics; never below L / ln(1 + eps), the
         * size at which even Y = K (all mismatches) certifies */
        Kmin = ceil(st->L / log1p(st->eps));
        if (Kmin < 16.0)
            Kmin = 16.0;
        if (Kmin > (double)(ne / 2))
            return HAM_OK;
        K = (uint32_t)Kmin;
        while (K <= ne / 2 && !certifies(st, K))
            K += K / 16 > 1 ? K / 16 : 1;
    }
    if (K > ne / 2)
        return HAM_OK;
    /* levels K_1 2^l while they stay <= ne / 2 */
    while (nl < HAM__3SUM_MAX_LEVELS && ((uint64_t)K << nl) <= ne / 2)
        nl++;
    lim = K << (nl - 1);

    /* the random order of the non-wildcard positions: a partial
     * Fisher-Yates shuffle as far as the last level */
    order = ham__alloc(ne, sizeof *order);
    if (!order)
        return HAM_ENOMEM;
    for (i = 0; i < ne; i++)
        order[i] = (uint32_t)plan->nonwild[i];
    ham__rng_seed(&rng, plan->params.seed, HAM__RNG_3SUM, 0);
    for (i = 0; i < lim; i++) {
        const uint32_t r = i + (uint32_t)ham__rng_below(&rng, ne - i);
        const uint32_t tmp = order[i];
        order[i] = order[r];
        order[r] = tmp;
    }
    for (i = 0; i < nl && rc == HAM_OK; i++) {
        const uint32_t Kl = K << i;
        rc = sample_build(plan, st, &st->lev[i], order + prev, Kl - prev, Kl);
        prev = Kl;
    }
    free(order);
    if (rc == HAM_OK && st->hybrid)
        rc = hybrid_build(plan, st);
    if (rc != HAM_OK)
        return rc;
    st->tab1 = ham__alloc((size_t)K + 1, sizeof *st->tab1);
    if (!st->tab1)
        return HAM_ENOMEM;
    for (i = 0; i <= K; i++)
        st->tab1[i] = verdict(st, i, K);
    st->nlev = nl;
    return HAM_OK;
}

static void
levels_free(ts_state *st)
{
    uint32_t l;
    for (l = 0; l < HAM__3SUM_MAX_LEVELS; l++)
        sample_free(&st->lev[l]);
    free(st->tab1);
    st->tab1 = NULL;
    st->nlev = 0;
    sample_free(&st->d1);
    free(st->sp_start);
    free(st->sp_pos);
    st->sp_start = st->sp_pos = NULL;
    st->sparse_pairs = 0.0;
}

static void
ts_release(ham_plan *plan)
{
    ts_state *st = plan->eng[HAM_ENGINE_3SUM];
    if (!st)
        return;
    levels_free(st);
    sample_free(&st->all);
    free(st->dtab);
    free(st->pcodes);
    free(st->care);
    free(st);
    plan->eng[HAM_ENGINE_3SUM] = NULL;
}

/* ln(1/delta_b) for the plan's delta: at most log2(ne) + 1 levels, two
 * bounds each (doc/approx.md), plus a relative 1e-9 of slack for the
 * rounding of the bounds (see ham__3sum_f_hi). */
static double
budget(const ham_plan *plan)
{
    unsigned lg;
    for (lg = 1; lg < 63 && ((size_t)1 << lg) <= plan->m_eff; lg++)
        ;
    return ham__approx_log_inv(plan->params.delta, 2.0 * (double)lg) * (1.0 + 1e-9) +
           1e-9;
}

static int
ts_prepare(ham_plan *plan)
{
    ts_state *st = calloc(1, sizeof *st);
    const size_t ne = plan->m_eff;
    uint32_t i;
    double sq = 0.0;
    int rc;

    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_3SUM] = st;
    st->eps = plan->params.epsilon;
    st->ne = (uint32_t)ne;
    if (plan->width == 1) {
        st->code = 1;
    } else if (plan->sigma <= 255) {
        st->code = 1;
        st->ids = 1;
    } else if (plan->sigma <= 65535) {
        st->code = 2;
        st->ids = 1;
        st->hybrid = 1;
    } else {
        st->code = 4;
        st->hybrid = 1;
    }
    st->count = pick_kernel(st->code, plan->cpu.isa);
    st->wide = pick_wide(st->code, plan->cpu.isa);
    st->wide8 = pick_wide(1, plan->cpu.isa);
    if (st->hybrid) {
        rc = dense_build(plan, st);
        if (rc != HAM_OK)
            return rc;
    }
    for (i = 1; i <= plan->sigma; i++) {
        const double p = (double)plan->pcount[i] / (double)(ne ? ne : 1);
        sq += p * p;
    }
    st->f_pred = ne ? 1.0 - sq : 0.0;
    st->L = budget(plan);
    if (ne == 0)
        return HAM_OK;
    {
        uint32_t *nw = ham__alloc(ne, sizeof *nw);
        if (!nw)
            return HAM_ENOMEM;
        for (i = 0; i < ne; i++)
            nw[i] = (uint32_t)plan->nonwild[i];
        rc = sample_build(plan, st, &st->all, nw, (uint32_t)ne, (uint32_t)ne);
        free(nw);
        if (rc != HAM_OK)
            return rc;
    }
    {
        const size_t m = plan->m;
        st->horiz = pick_horiz(st->code, plan->cpu.isa);
        st->pcodes = ham__calloc(m, st->code);
        st->care = ham__calloc(m / 64 + 2, sizeof *st->care);
        if (!st->pcodes || !st->care)
            return HAM_ENOMEM;
        for (i = 0; i < m; i++) {
            if (plan->pid[i] == HAM__WILD_ID)
                continue;
            st->care[i >> 6] |= (uint64_t)1 << (i & 63);
            if (st->code == 1)
                ((uint8_t *)st->pcodes)[i] = (uint8_t)pat_code(plan, st, i);
            else if (st->code == 2)
                ((uint16_t *)st->pcodes)[i] = (uint16_t)pat_code(plan, st, i);
            else
                ((uint32_t *)st->pcodes)[i] = pat_code(plan, st, i);
        }
    }
    return levels_build(plan, st, 0);
}

int
ham__3sum_tune(ham_plan *plan, double L, uint32_t K1)
{
    ts_state *st = plan->eng[HAM_ENGINE_3SUM];
    if (!st)
        return HAM_EINVAL;
    levels_free(st);
    st->L = L > 0.0 ? L : budget(plan);
    return levels_build(plan, st, K1);
}

/* ---- Cost model --------------------------------------------------------------------
 */

/* Per shift, from the plan alone: the level-1 work (K_1 compares, or for
 * hybrid plans the dense compares plus the expected enumerated pairs and
 * the id mapping), or every position when there is no sampled level. Shifts
 * are assumed to certify at level 1, which K_1 is chosen for when the text
 * is like the pattern. */
static double
per_shift_ns(const ham_plan *plan, const ts_state *st)
{
    double k = KAPPA_CMP[st->code], per;
    if (plan->cpu.isa < HAM__ISA_AVX2)
        k *= 12.0; /* portable loops: about one lane per cycle */
    else if (plan->cpu.isa < HAM__ISA_AVX512)
        k *= 1.6; /* half the lanes, same loads */
    if (st->nlev == 0)
        return KAPPA_SHIFT + k * (double)st->ne +
               (plan->width == 4 && st->ids ? ham__fft_map_ns(plan) : 0.0);
    if (st->hybrid) {
        double k8 = KAPPA_CMP[1] * k / KAPPA_CMP[st->code];
        per = KAPPA_SHIFT + KAPPA_HYB + ham__fft_map_ns(plan) +
              k8 * (double)st->d1.npos + KAPPA_ENUM * st->sparse_pairs;
    } else {
        per = KAPPA_SHIFT + k * (double)st->lev[0].K;
        if (plan->width == 4 && st->ids)
            per += ham__fft_map_ns(plan);
    }
    return per;
}

static double
ts_cost(const ham_plan *plan, size_t n)
{
    const ts_state *st = plan->eng[HAM_ENGINE_3SUM];
    if (!st)
        return HUGE_VAL;
    return (double)(n - plan->m + 1) * per_shift_ns(plan, st);
}

/* ---- Distances ------------------------------------------------------------------- */

typedef struct call {
    const ham_plan *plan;
    const ts_state *st;
    uint32_t k;
    uint32_t ythr[HAM__3SUM_MAX_LEVELS]; /* y >= ythr: (1 + eps) D > k surely */
    uint32_t *memo[HAM__3SUM_MAX_LEVELS];
    ham__3sum_stats *stats;
} call;

/* Smallest y in [0, K] with (1 + eps) ne f_lo(y) > k, or K + 1 (f_lo grows
 * with y). */
static uint32_t
over_k_threshold(const ts_state *st, uint32_t K, uint32_t k)
{
    uint32_t lo = 0, hi = K + 1;
    if (k == HAM_UNBOUNDED)
        return K + 1;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        const double fl = ham__3sum_f_lo((double)mid, (double)K, st->L);
        if ((1.0 + st->eps) * (double)st->ne * fl * (1.0 - 1e-12) > (double)k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Output for a shift from its verdict v at level l and y; 0 = still open. */
static inline int
settle(const call *c, uint32_t l, uint32_t y, uint32_t v, uint32_t *out)
{
    if (v >= 2u) {
        const uint32_t hi = v - 2u;
        *out = hi > c->k ? c->k + 1 : hi;
        if (c->stats)
            c->stats->certified[l]++;
        return 1;
    }
    if (y >= c->ythr[l]) {
        *out = c->k + 1;
        if (c->stats)
            c->stats->over_k++;
        return 1;
    }
    return 0;
}

static uint32_t
level_verdict(call *c, uint32_t l, uint32_t y)
{
    const ts_state *st = c->st;
    uint32_t *memo;
    if (l == 0)
        return st->tab1[y];
    memo = c->memo[l];
    if (!memo) {
        memo = ham__calloc((size_t)st->lev[l].K + 1, sizeof *memo);
        if (!memo) /* no memory for the memo: recompute every time */
            return verdict(st, y, st->lev[l].K);
        c->memo[l] = memo;
    }
    if (memo[y] == V_UNSET)
        memo[y] = verdict(st, y, st->lev[l].K);
    return memo[y];
}

/* Codes of text[0..L) into buf, zero padding up to cap; ids, when not
 * NULL, already holds the text's pattern ids (hybrid plans). */
static void
fill_codes(const ham_plan *plan, const ts_state *st, const void *text, size_t L,
           void *buf, size_t cap, const uint32_t *ids)
{
    size_t i;
    if (ids && st->ids && st->code == 2) {
        uint16_t *b = buf;
        for (i = 0; i < L; i++)
            b[i] = (uint16_t)ids[i];
    } else if (plan->width == 1 || !st->ids) {
        memcpy(buf, text, L * st->code);
    } else {
        const uint32_t *t = text;
        const ham__symtab tab = plan->tab;
        if (st->code == 1) {
            uint8_t *b = buf;
            for (i = 0; i < L; i++)
                b[i] = (uint8_t)ham__symtab_get(&tab, t[i]);
        } else {
            uint16_t *b = buf;
            for (i = 0; i < L; i++)
                b[i] = (uint16_t)ham__symtab_get(&tab, t[i]);
        }
    }
    memset((char *)buf + L * st->code, 0, (cap - L) * st->code);
}

int
ham__3sum_dist_stats(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
                     uint32_t k, ham__3sum_stats *stats)
{
    const ts_state *st = plan->eng[HAM_ENGINE_3SUM];
    const size_t m = plan->m, S = n - m + 1;
    const unsigned cb = st->code;
    size_t CH, cap, c0;
    unsigned char *codes = NULL, *dcodes = NULL;
    uint32_t *yv = NULL, *list = NULL, *list2 = NULL, *ids = NULL, *xs = NULL, l;
    uint32_t cnt[4 * GROUP];
    call c;
    int rc = HAM_OK;

    HAM_ASSERT(n >= m);
    if (st->ne == 0) {
        memset(dist, 0, S * sizeof *dist); /* only wildcards */
        return HAM_OK;
    }
    memset(&c, 0, sizeof c);
    c.plan = plan;
    c.st = st;
    c.k = k;
    c.stats = stats;
    for (l = 0; l < st->nlev; l++)
        c.ythr[l] = over_k_threshold(st, st->lev[l].K, k);

    /* chunks of shifts, a multiple of 4 GROUP, at least 4m so that the m - 1
     * codes of overlap cost at most 25 % of the code mapping */
    CH = (size_t)1 << 16;
    if (m <= SIZE_MAX / 8 && CH < 4 * m)
        CH = 4 * m;
    if (CH > S)
        CH = S;
    CH = (CH + 4 * GROUP - 1) / (4 * GROUP) * (4 * GROUP);
    cap = CH + m + 4 * GROUP;
    codes = ham__alloc_aligned(cap, cb);
    yv = ham__alloc(CH, sizeof *yv);
    list = ham__alloc(CH, sizeof *list);
    list2 = ham__alloc(CH, sizeof *list2);
    if (st->hybrid && st->nlev > 0) {
        ids = ham__alloc(CH + m, sizeof *ids);
        xs = ham__alloc(CH, sizeof *xs);
        dcodes = ham__alloc_aligned(cap, 1);
        if (!ids || !xs || !dcodes) {
            rc = HAM_ENOMEM;
            goto out;
        }
    }
    if (!codes || !yv || !list || !list2) {
        rc = HAM_ENOMEM;
        goto out;
    }
    for (c0 = 0; c0 < S; c0 += CH) {
        const size_t ns = S - c0 < CH ? S - c0 : CH, L = ns + m - 1;
        const void *tc = (const char *)text + c0 * plan->width;
        size_t g, i, nl = 0;
        if (ids) {
            /* hybrid level 1: dense codes, and the sparse matches of each
             * shift counted by symbol -- for every text position a of a
             * sparse id, the sampled pattern positions j of that id give
             * the shifts a - j (sort-merge join on the symbol, in text
             * order so that the counters touched stay within m of a) */
            const sample *s = &st->d1;
            ham__map_ids(plan, tc, L, ids);
            for (i = 0; i < L; i++)
                dcodes[i] = st->dtab[ids[i]];
            memset(dcodes + L, 0, cap - L);
            memset(xs, 0, ns * sizeof *xs);
            for (i = 0; i < L; i++) {
                const uint32_t id = ids[i];
                uint32_t q;
                for (q = st->sp_start[id]; q < st->sp_start[id + 1]; q++) {
                    const size_t sh = i - st->sp_pos[q]; /* wraps when j > i */
                    if (st->sp_pos[q] > i)
                        break;
                    if (sh < ns)
                        xs[sh]++;
                }
            }
            for (g = 0; g < ns; g += 4 * GROUP) {
                const size_t ng = ns - g < 4 * GROUP ? ns - g : 4 * GROUP;
                if (s->npos)
                    st->wide8(dcodes + g, s->pos, s->sym, s->npos, cnt);
                else
                    memset(cnt, 0, sizeof cnt);
                for (i = 0; i < ng; i++) {
                    const uint32_t y = st->lev[0].npos - cnt[i] - xs[g + i];
                    if (!settle(&c, 0, y, st->tab1[y], &dist[c0 + g + i])) {
                        yv[g + i] = y;
                        list[nl++] = (uint32_t)(g + i);
                    }
                }
            }
            if (nl > 0) /* codes for the deeper levels */
                fill_codes(plan, st, tc, L, codes, cap, ids);
        } else {
            fill_codes(plan, st, tc, L, codes, cap, NULL);
        }
        if (ids) {
            /* level 1 done above */
        } else if (st->nlev > 0) {
            /* level 1 at every shift */
            const sample *s = &st->lev[0];
            for (g = 0; g < ns; g += 4 * GROUP) {
                const size_t ng = ns - g < 4 * GROUP ? ns - g : 4 * GROUP;
                st->wide(codes + g * cb, s->pos, s->sym, s->npos, cnt);
                for (i = 0; i < ng; i++) {
                    const uint32_t y = s->npos - cnt[i];
                    if (!settle(&c, 0, y, st->tab1[y], &dist[c0 + g + i])) {
                        yv[g + i] = y;
                        list[nl++] = (uint32_t)(g + i);
                    }
                }
            }
        } else {
            for (i = 0; i < ns; i++)
                list[nl++] = (uint32_t)i;
        }
        /* deeper levels for the open shifts, group by group */
        for (l = 1; l < st->nlev && nl > 0; l++) {
            const sample *s = &st->lev[l];
            size_t a = 0, nl2 = 0;
            while (a < nl) {
                const size_t gs = list[a] & ~(size_t)(GROUP - 1);
                st->count(codes + gs * cb, s->pos, s->sym, s->npos, cnt);
                for (; a < nl && list[a] < gs + GROUP; a++) {
                    const uint32_t sh = list[a];
                    const uint32_t y = yv[sh] + s->npos - cnt[sh - gs];
                    if (!settle(&c, l, y, level_verdict(&c, l, y), &dist[c0 + sh])) {
                        yv[sh] = y;
                        list2[nl2++] = sh;
                    }
                }
            }
            {
                uint32_t *t = list;
                list = list2;
                list2 = t;
            }
            nl = nl2;
        }
        /* the rest exactly: a group with many open shifts by the vertical
         * kernel (64 shifts per compare), an isolated shift by comparing its
         * window with the pattern (contiguous, V positions per compare) */
        {
            size_t a = 0;
            while (a < nl) {
                const size_t gs = list[a] & ~(size_t)(GROUP - 1);
                size_t b = a;
                while (b < nl && list[b] < gs + GROUP)
                    b++;
                if (b - a >= HORIZ_MAX) {
                    st->count(codes + gs * cb, st->all.pos, st->all.sym, st->all.npos,
                              cnt);
                    for (; a < b; a++) {
                        const uint32_t d = st->ne - cnt[list[a] - gs];
                        dist[c0 + list[a]] = d > k ? k + 1 : d;
                    }
                } else {
                    for (; a < b; a++) {
                        const uint32_t d =
                            st->ne - st->horiz(codes + (size_t)list[a] * cb, st->pcodes,
                                               st->care, m);
                        dist[c0 + list[a]] = d > k ? k + 1 : d;
                    }
                }
            }
            if (stats)
                stats->exact += nl;
        }
    }
out:
    for (l = 0; l < HAM__3SUM_MAX_LEVELS; l++)
        free(c.memo[l]);
    ham__free_aligned(codes);
    ham__free_aligned(dcodes);
    free(ids);
    free(xs);
    free(yv);
    free(list);
    free(list2);
    return rc;
}

static int
ts_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    return ham__3sum_dist_stats(plan, text, n, dist, k, NULL);
}

int
ham__3sum_info_get(const ham_plan *plan, ham__3sum_info *info)
{
    const ts_state *st = plan->eng[HAM_ENGINE_3SUM];
    uint32_t l;
    memset(info, 0, sizeof *info);
    if (!st)
        return HAM_EINVAL;
    info->levels = st->nlev;
    for (l = 0; l < st->nlev; l++)
        info->K[l] = st->lev[l].K;
    info->log_inv = st->L;
    info->f_pred = st->f_pred;
    info->code_bytes = st->code;
    info->hybrid = st->hybrid && st->nlev > 0;
    info->dense = st->d1.npos;
    info->sparse_pairs = st->sparse_pairs;
    info->ns_per_shift = per_shift_ns(plan, st);
    return HAM_OK;
}

const ham__engine_ops ham__3sum_ops = {
    .id = HAM_ENGINE_3SUM,
    .caps = HAM__CAP_APPROX | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = ts_prepare,
    .release = ts_release,
    .cost = ts_cost,
    .dist = ts_dist,
};
