/* SPDX-License-Identifier: MIT */
/*
 * xy.c -- the X+Y machinery shared by the CJVX exact engines (lib/packed.c,
 * lib/hashed.c) and ham_sumset_count (lib/sumset.c): slot packing of sparse
 * 0/1 vectors into base-2^b digits for a double-precision FFT, the exact
 * digit decoding with its sum check, pair enumeration, and the seeded
 * xoshiro256** streams. Chan, Jin, Vassilevska Williams and Xu, "Faster
 * Algorithms for Text-to-Pattern Hamming Distances", FOCS 2023
 * (arXiv:2310.13174): their X+Y lemma computes a sumset whose universe is
 * within a polylogarithmic factor of |X||Y| with a bit-packed FFT, hashing
 * and recursion; this file is our reconstruction of the bit-packed part in
 * FFTW doubles (algorithms.md 6.3; the paper's body was not available, see
 * doc/algorithms.md).
 *
 * Slot packing. Positions d L .. d L + L - 1 of a 0/1 vector become one point
 * X[d] = sum_r x[d L + r] B^r, B = 2^b. A product of two packed points
 * carries the pairs of positions with digit r_x + r_y (2L - 1 digits, 0 ..
 * 2L - 2), so a cyclic convolution of n/L points computes the convolution of
 * n points: the count at index z = d L + e is digit e of point d plus digit
 * e + L of point d - 1 (e <= L - 2). Correlations use the pattern's digits
 * reversed (rev), which moves index z to d L + e - (L - 1). One transform of
 * n/L points replaces one of n: the gain is the "log factor" of 6.2 paid in
 * bits instead of points.
 *
 * Exactness. (1) The caller checks the a priori rule of algorithms.md 2.3 on
 * the packed vectors, sum ||X|| ||Y|| ceil(log2 n) <= 2^44 (ham__xy_pack
 * returns ||X||^2 exactly), so every output rounds to the exact integer v
 * (and |v| <= ||X|| ||Y|| < 2^52). (2) Every pair of ones lands in exactly
 * one digit of one cyclic output; the caller counts the pairs that land in
 * the points it uses (all of them, |X| |Y|, for a linear convolution; for a
 * block correlation, a pair (x, y) lands in point floor(x/L) - floor(y/L),
 * counted by ham__xy_pairs_in). Decoding an exact v in base B with the top digit
 * unbounded gives digits whose sum is the true sum minus (B - 1) per carry,
 * and a carry stays inside its point: the digit sum of the used points
 * equals that count if and only if none of their digits overflowed, and
 * then every digit is the true pair count. A
 * failed check is never wrong output: the caller redoes the work with fewer
 * vectors per transform, smaller L, or without packing (recursion).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* ---- Enumeration ------------------------------------------------------------------
 */

/*
 * Abrahamson's pair enumeration (abrahamson.c, packed.c, hashed.c): the
 * valid pattern positions j of text position t form the
 * window [t - ns + 1, t]; both ends move right with t, so two pointers find
 * them in O(pc + tc) overall; then one counter increment per pair.
 */
#define ENUM_BODY(CT)                                                                  \
    size_t lo = 0, hi = 0, i;                                                          \
    for (i = 0; i < tc; i++) {                                                         \
        const uint32_t t = tp[i];                                                      \
        CT *const base = cnt + t;                                                      \
        size_t k;                                                                      \
        while (lo < pc && (size_t)op[lo] + ns <= t)                                    \
            lo++;                                                                      \
        while (hi < pc && op[hi] <= t)                                                 \
            hi++;                                                                      \
        for (k = lo; k + 4 <= hi; k += 4) {                                            \
            base[-(ptrdiff_t)op[k]]++;                                                 \
            base[-(ptrdiff_t)op[k + 1]]++;                                             \
            base[-(ptrdiff_t)op[k + 2]]++;                                             \
            base[-(ptrdiff_t)op[k + 3]]++;                                             \
        }                                                                              \
        for (; k < hi; k++)                                                            \
            base[-(ptrdiff_t)op[k]]++;                                                 \
    }

void
ham__xy_enum16(uint16_t *restrict cnt, const uint32_t *restrict tp, size_t tc,
               const uint32_t *restrict op, size_t pc, size_t ns)
{
    ENUM_BODY(uint16_t)
}

void
ham__xy_enum32(uint32_t *restrict cnt, const uint32_t *restrict tp, size_t tc,
               const uint32_t *restrict op, size_t pc, size_t ns)
{
    ENUM_BODY(uint32_t)
}

/* The output pass: restrict pointers, so that it vectorises (with the counts
 * in a struct, GCC 12 reloaded every pointer per element: 15 % of a block
 * on uniform texts over 1024 symbols). */
void
ham__xy_finish32(uint32_t *restrict dist, const uint32_t *restrict a,
                 const uint32_t *restrict b, const uint32_t *restrict cnt, size_t ns,
                 uint32_t me, uint32_t k)
{
    size_t i;
    for (i = 0; i < ns; i++) {
        const uint32_t d = me - (a[i] + b[i] + cnt[i]);
        dist[i] = d > k ? k + 1 : d;
    }
}

void
ham__xy_finish16(uint32_t *restrict dist, const uint32_t *restrict a,
                 const uint32_t *restrict b, const uint16_t *restrict cnt, size_t ns,
                 uint32_t me, uint32_t k)
{
    size_t i;
    for (i = 0; i < ns; i++) {
        const uint32_t d = me - (a[i] + b[i] + cnt[i]);
        dist[i] = d > k ? k + 1 : d;
    }
}

/* ---- Slot packing -----------------------------------------------------------------
 */

double
ham__xy_pack(double *restrict X, size_t npts, const uint32_t *restrict pos, size_t cnt,
             uint32_t off, unsigned L, unsigned bits, int rev)
{
    double pw[8], sq = 0.0;
    size_t i;
    unsigned r;
    HAM_ASSERT(L >= 1 && L <= 8);
    for (r = 0; r < L; r++)
        pw[r] = ldexp(1.0, (int)(bits * (rev ? L - 1 - r : r)));
    if (L == 1) {
        for (i = 0; i < cnt; i++) {
            HAM_ASSERT(pos[i] - off < npts);
            X[pos[i] - off] += 1.0;
        }
        return (double)cnt;
    }
    for (i = 0; i < cnt; i++) {
        const uint32_t p = pos[i] - off, d = p / L;
        HAM_ASSERT(d < npts);
        X[d] += pw[p - d * L];
    }
    (void)npts;
    /* ||X||^2 over the touched points: positions are increasing, so a
     * point's slots are consecutive in pos */
    for (i = 0; i < cnt;) {
        const uint32_t d = (pos[i] - off) / L;
        sq += X[d] * X[d];
        while (i < cnt && (pos[i] - off) / L == d)
            i++;
    }
    return sq;
}

uint64_t
ham__xy_pairs_in(const uint32_t *tp, size_t tc, const uint32_t *op, size_t pc,
                 unsigned L, int64_t lo, int64_t hi)
{
    /* the window [y' + lo, y' + hi], y' = y rounded down to a multiple of L,
     * moves right with y */
    size_t a = 0, b = 0, j;
    uint64_t n = 0;
    for (j = 0; j < pc; j++) {
        const int64_t y = (int64_t)(op[j] - op[j] % L);
        while (a < tc && (int64_t)tp[a] < y + lo)
            a++;
        if (b < a)
            b = a;
        while (b < tc && (int64_t)tp[b] <= y + hi)
            b++;
        n += b - a;
    }
    return n;
}

int
ham__xy_decode(const double *restrict y, size_t np, size_t pused, unsigned L,
               unsigned bits, size_t off, uint32_t *restrict out, size_t nout,
               uint64_t *dsum)
{
    const double scale = 1.0 / (double)np, magic = 0x1.8p52;
    const unsigned nd = 2 * L - 1;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    uint64_t sum = 0;
    double res = 0.0;
    size_t d;
    int bad = 0;
    HAM_ASSERT(pused <= np);
    for (d = 0; d < pused; d++) {
        const double v = y[d] * scale, q = (v + magic) - magic;
        const double r = fabs(v - q);
        uint64_t u;
        unsigned e;
        res = r > res ? r : res;
        /* a correct value is a non-negative integer below 2^52; NaN fails
         * the comparisons */
        if (!(q > -0.5 && q < 0x1p52)) {
            bad = 1;
            break;
        }
        u = (uint64_t)q;
        if (u == 0)
            continue;
        for (e = 0; e < nd; e++) {
            const uint64_t dig = e + 1 < nd ? u & mask : u;
            const size_t z = d * L + e;
            u = e + 1 < nd ? u >> bits : 0;
            sum += dig;
            if (dig && z >= off && z - off < nout)
                out[z - off] += (uint32_t)dig;
        }
    }
    *dsum = sum;
    return bad || !(res <= 0.125);
}
