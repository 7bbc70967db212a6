/* SPDX-License-Identifier: MIT */
/*
 * kzero.c -- exact matching (k = 0, algorithms.md 1.2) and the
 * sampled-position SIMD filter ("sieve") that it shares with kbounded.
 *
 * Sieve. s pattern positions j_1..j_s ("samples") are compared with the
 * text for 64 consecutive shifts at once: one vector compare of
 * T[i0 + j_q .. i0 + j_q + 63] with the broadcast P[j_q] per sample, the
 * equality masks added to one 8-bit counter per shift (k = 0: simply ANDed,
 * the generalisation of a first/last-symbol memchr prefilter to s symbols).
 * A shift is a candidate when at least s - k samples match; a shift with at
 * most k mismatches always is (it has at most k among the samples), so the
 * filter only adds false candidates, which the caller's verification
 * removes. Cost O(n s / 64) vector operations, independent of m.
 *
 * Samples are the pattern's rarest symbols first: the pattern's symbol
 * frequencies p_c / m stand in for the text's (algorithms.md 10.4), and s is
 * the one that minimises s * c_sample + P(candidate) * c_verify, with
 * P(candidate) the probability that at most k of the s samples mismatch
 * when each matches independently with its symbol's frequency (an O(s k)
 * dynamic programme at plan time). On DNA this picks s ~ 6-8 for k = 0 and
 * ~ 12-16 for k = 2; on English fewer.
 *
 * k = 0 (the naive engine's HAM__NV_KZERO variant): sieve candidates are
 * verified by 64-symbol compares, wildcard positions masked out. About
 * 0.1-0.2 ns per shift on unrelated text with AVX-512 (one text load and
 * compare per sample and 64 shifts), Theta(nm/64) when every shift is a
 * candidate (a^n against a^m).
 *
 * Memory: O(m) per plan (samples, padded pattern, care masks); per call a
 * bit per shift of a chunk and one padded tail copy of m + 2 HAM__KPAD
 * symbols.
 */
#include "lce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Sample choice --------------------------------------------------------------- */

/* Per-sample cost per shift, fixed cost per shift, and the cost of one false
 * candidate, in ns, for the ISA and width. The per-sample costs follow from
 * the kernels (AVX-512 bytes: a load, a compare into a mask and a masked add
 * per 64 shifts, ~2.5 cycles; u32: four of each); the totals were checked on
 * the AMD EPYC Zen 4 development VM (2 vCPU, gcc 12 -O2) with
 *   bench/hambench --kmis-grid --data-dir=$HAM_DATA_DIR
 *     --engines=naive,fft,abrahamson,kangaroo,kbounded,bitparallel,auto
 * and the same with --alphabet=tokens32 --n=4M: the model stays within
 * 0.05-0.15 ns per shift of the measured filter + output for k <= 8 (the
 * rest is the scan's own work). The false-candidate cost is a mispredicted
 * branch plus a one- or two-chunk walk. */
typedef struct sieve_costs {
    double sample, fixed, verify;
} sieve_costs;

static sieve_costs
costs_for(const ham_plan *plan, int isa, uint32_t k)
{
    sieve_costs c;
    const int wide = plan->width == 4;
    if (isa >= HAM__ISA_AVX512) {
        c.sample = wide ? 0.030 : (k == 0 ? 0.0065 : 0.0085);
        c.fixed = wide ? 0.15 : 0.07;
    } else if (isa >= HAM__ISA_AVX2) {
        c.sample = wide ? 0.045 : (k == 0 ? 0.010 : 0.013);
        c.fixed = wide ? 0.15 : 0.08;
    } else {
        c.sample = wide ? 0.6 : 0.5;
        c.fixed = 0.3;
    }
    /* a false candidate: a mispredicted branch, a walk over one or two
     * chunks, the dist write */
    c.verify = (isa >= HAM__ISA_AVX2 ? 6.0 : 15.0) + (wide ? 2.0 : 0.0);
    return c;
}

typedef struct rank_item {
    uint32_t count, pos;
} rank_item;

static int
cmp_rank(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

void
ham__sieve_free(ham__sieve *sv)
{
    free(sv->pos);
    free(sv->sym);
    memset(sv, 0, sizeof *sv);
}

int
ham__sieve_build(ham__sieve *sv, const ham_plan *plan, uint32_t k)
{
    const size_t me = plan->m_eff;
    const size_t smax = me < 255 ? me : 255;
    const sieve_costs c = costs_for(plan, plan->cpu.isa, k);
    rank_item *it;
    double *pr, best;
    size_t q, d, bs;
    memset(sv, 0, sizeof *sv);
    sv->k = k;
    sv->fpr = 1.0;
    sv->ns = c.fixed + c.verify;
    if ((uint64_t)k >= smax) /* samples cannot reject: every shift is a candidate */
        return HAM_OK;
    it = ham__alloc(me, sizeof *it);
    pr = ham__calloc((size_t)k + 2, sizeof *pr);
    if (!it || !pr) {
        free(it);
        free(pr);
        return HAM_ENOMEM;
    }
    for (q = 0; q < me; q++) {
        it[q].pos = (uint32_t)plan->nonwild[q];
        it[q].count = plan->pcount[plan->pid[it[q].pos]];
    }
    qsort(it, me, sizeof *it, cmp_rank);

    /* pr[d]: probability that exactly d of the first q samples mismatch,
     * for d <= k (mass beyond k is rejected and dropped) */
    pr[0] = 1.0;
    best = c.fixed + c.verify; /* s = 0 */
    bs = 0;
    for (q = 0; q < smax; q++) {
        /* match probability: the pattern frequency of the symbol, pulled
         * half-way up to 1/sigma. Taking the pattern's rarest symbols picks
         * the ones whose frequency the pattern under-states (a 20-symbol DNA
         * pattern has some base 2-3 times, not 5), and too few samples cost
         * far more (false candidates) than a few more samples do. */
        const double f = (double)it[q].count / (double)me;
        const double r = fmax(f, 0.5 * (f + 1.0 / (double)plan->sigma));
        double fp = 0.0, cost;
        for (d = (q < k ? q + 1 : k); d > 0; d--)
            pr[d] = pr[d] * r + pr[d - 1] * (1.0 - r);
        pr[0] *= r;
        for (d = 0; d <= k; d++)
            fp += pr[d];
        cost = c.fixed + (double)(q + 1) * c.sample + fp * c.verify;
        if (cost < best) {
            best = cost;
            bs = q + 1;
            sv->fpr = fp;
        }
    }
    free(pr);
    sv->ns = best;
    sv->s = bs;
    sv->need = (uint32_t)(bs - k);
    if (bs > 0) {
        sv->pos = ham__alloc(bs, sizeof *sv->pos);
        sv->sym = ham__alloc(bs, sizeof *sv->sym);
        if (!sv->pos || !sv->sym) {
            free(it);
            ham__sieve_free(sv);
            return HAM_ENOMEM;
        }
        /* in position order: the loads of one group then walk forward */
        for (q = 0; q < bs; q++)
            sv->pos[q] = it[q].pos;
        for (q = 1; q < bs; q++) { /* insertion sort, bs <= 255 */
            uint32_t v = sv->pos[q];
            size_t r = q;
            for (; r > 0 && sv->pos[r - 1] > v; r--)
                sv->pos[r] = sv->pos[r - 1];
            sv->pos[r] = v;
        }
        for (q = 0; q < bs; q++)
            sv->sym[q] =
                plan->width == 1 ? plan->pat.u8[sv->pos[q]] : plan->pat.u32[sv->pos[q]];
    }
    free(it);
    return HAM_OK;
}

/* ---- Sieve kernels --------------------------------------------------------------- */

/* Portable: per shift, stop once more than k samples mismatch. */
#define DEFINE_SIEVE_PORT(NAME, SYM)                                                   \
    static void NAME(const ham__sieve *sv, const SYM *t, size_t S, uint64_t *bits)     \
    {                                                                                  \
        size_t i, q;                                                                   \
        memset(bits, 0, (S + 63) / 64 * sizeof *bits);                                 \
        for (i = 0; i < S; i++) {                                                      \
            uint32_t bad = 0;                                                          \
            for (q = 0; q < sv->s && bad <= sv->k; q++)                                \
                bad += t[i + sv->pos[q]] != (SYM)sv->sym[q];                           \
            if (bad <= sv->k)                                                          \
                bits[i / 64] |= (uint64_t)1 << (i % 64);                               \
        }                                                                              \
    }
DEFINE_SIEVE_PORT(sieve8_port, uint8_t)
DEFINE_SIEVE_PORT(sieve32_port, uint32_t)

#if HAM__KX86
/* Four groups of 64 shifts per sample: one broadcast serves four compares. */
HAM__TARGET_AVX512 static void
sieve8_avx512(const ham__sieve *sv, const uint8_t *t, size_t S, uint64_t *bits)
{
    const size_t s = sv->s, ng = (S + 63) / 64;
    const __m512i one = _mm512_set1_epi8(1);
    const __m512i need = _mm512_set1_epi8((char)sv->need);
    size_t g = 0, q;
    if (sv->k == 0) {
        for (; g + 4 <= ng; g += 4) {
            const uint8_t *b = t + 64 * g;
            __mmask64 m0 = ~(__mmask64)0, m1 = m0, m2 = m0, m3 = m0;
            for (q = 0; q < s; q++) {
                const uint8_t *x = b + sv->pos[q];
                const __m512i p = _mm512_set1_epi8((char)sv->sym[q]);
                m0 = _mm512_mask_cmpeq_epi8_mask(m0, _mm512_loadu_si512(x), p);
                m1 = _mm512_mask_cmpeq_epi8_mask(m1, _mm512_loadu_si512(x + 64), p);
                m2 = _mm512_mask_cmpeq_epi8_mask(m2, _mm512_loadu_si512(x + 128), p);
                m3 = _mm512_mask_cmpeq_epi8_mask(m3, _mm512_loadu_si512(x + 192), p);
            }
            bits[g] = m0;
            bits[g + 1] = m1;
            bits[g + 2] = m2;
            bits[g + 3] = m3;
        }
        for (; g < ng; g++) {
            __mmask64 m0 = ~(__mmask64)0;
            for (q = 0; q < s; q++)
                m0 = _mm512_mask_cmpeq_epi8_mask(
                    m0, _mm512_loadu_si512(t + 64 * g + sv->pos[q]),
                    _mm512_set1_epi8((char)sv->sym[q]));
            bits[g] = m0;
        }
    } else {
        for (; g + 4 <= ng; g += 4) {
            const uint8_t *b = t + 64 * g;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (q = 0; q < s; q++) {
                const uint8_t *x = b + sv->pos[q];
                const __m512i p = _mm512_set1_epi8((char)sv->sym[q]);
                a0 = _mm512_mask_add_epi8(
                    a0, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(x), p), a0, one);
                a1 = _mm512_mask_add_epi8(
                    a1, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(x + 64), p), a1, one);
                a2 = _mm512_mask_add_epi8(
                    a2, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(x + 128), p), a2,
                    one);
                a3 = _mm512_mask_add_epi8(
                    a3, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(x + 192), p), a3,
                    one);
            }
            bits[g] = _mm512_cmpge_epu8_mask(a0, need);
            bits[g + 1] = _mm512_cmpge_epu8_mask(a1, need);
            bits[g + 2] = _mm512_cmpge_epu8_mask(a2, need);
            bits[g + 3] = _mm512_cmpge_epu8_mask(a3, need);
        }
        for (; g < ng; g++) {
            __m512i a0 = _mm512_setzero_si512();
            for (q = 0; q < s; q++)
                a0 = _mm512_mask_add_epi8(
                    a0,
                    _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(t + 64 * g + sv->pos[q]),
                                           _mm512_set1_epi8((char)sv->sym[q])),
                    a0, one);
            bits[g] = _mm512_cmpge_epu8_mask(a0, need);
        }
    }
    if (S % 64)
        bits[ng - 1] &= ham__lowbits((unsigned)(S % 64));
}

HAM__TARGET_AVX512 static void
sieve32_avx512(const ham__sieve *sv, const uint32_t *t, size_t S, uint64_t *bits)
{
    const size_t s = sv->s, ng = (S + 63) / 64;
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i need = _mm512_set1_epi32((int)sv->need);
    size_t g, q;
    for (g = 0; g < ng; g++) {
        const uint32_t *b = t + 64 * g;
        uint64_t w;
        if (sv->k == 0) {
            __mmask16 m0 = 0xFFFF, m1 = m0, m2 = m0, m3 = m0;
            for (q = 0; q < s; q++) {
                const uint32_t *x = b + sv->pos[q];
                const __m512i p = _mm512_set1_epi32((int)sv->sym[q]);
                m0 = _mm512_mask_cmpeq_epi32_mask(m0, _mm512_loadu_si512(x), p);
                m1 = _mm512_mask_cmpeq_epi32_mask(m1, _mm512_loadu_si512(x + 16), p);
                m2 = _mm512_mask_cmpeq_epi32_mask(m2, _mm512_loadu_si512(x + 32), p);
                m3 = _mm512_mask_cmpeq_epi32_mask(m3, _mm512_loadu_si512(x + 48), p);
            }
            w = (uint64_t)m0 | (uint64_t)m1 << 16 | (uint64_t)m2 << 32 |
                (uint64_t)m3 << 48;
        } else {
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (q = 0; q < s; q++) {
                const uint32_t *x = b + sv->pos[q];
                const __m512i p = _mm512_set1_epi32((int)sv->sym[q]);
                a0 = _mm512_mask_add_epi32(
                    a0, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(x), p), a0, one);
                a1 = _mm512_mask_add_epi32(
                    a1, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(x + 16), p), a1,
                    one);
                a2 = _mm512_mask_add_epi32(
                    a2, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(x + 32), p), a2,
                    one);
                a3 = _mm512_mask_add_epi32(
                    a3, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(x + 48), p), a3,
                    one);
            }
            w = (uint64_t)_mm512_cmpge_epu32_mask(a0, need) |
                (uint64_t)_mm512_cmpge_epu32_mask(a1, need) << 16 |
                (uint64_t)_mm512_cmpge_epu32_mask(a2, need) << 32 |
                (uint64_t)_mm512_cmpge_epu32_mask(a3, need) << 48;
        }
        bits[g] = w;
    }
    if (S % 64)
        bits[ng - 1] &= ham__lowbits((unsigned)(S % 64));
}

/* Two groups of 64 shifts (four 32-byte vectors) per sample. */
HAM__TARGET_AVX2 static void
sieve8_avx2(const ham__sieve *sv, const uint8_t *t, size_t S, uint64_t *bits)
{
    const size_t s = sv->s, ng = (S + 63) / 64;
    const __m256i need = _mm256_set1_epi8((char)sv->need);
    size_t g, q;
    int v;
    for (g = 0; g < ng; g += 2) {
        const uint8_t *b = t + 64 * g;
        const int nv = g + 1 < ng ? 4 : 2; /* a lone last group reads 64 only */
        __m256i a[4];
        uint64_t w[4] = {0, 0, 0, 0};
        if (sv->k == 0) {
            a[0] = a[1] = a[2] = a[3] = _mm256_set1_epi8(-1);
            for (q = 0; q < s; q++) {
                const uint8_t *x = b + sv->pos[q];
                const __m256i p = _mm256_set1_epi8((char)sv->sym[q]);
                for (v = 0; v < nv; v++)
                    a[v] = _mm256_and_si256(
                        a[v],
                        _mm256_cmpeq_epi8(
                            _mm256_loadu_si256((const __m256i *)(x + 32 * v)), p));
            }
        } else {
            a[0] = a[1] = a[2] = a[3] = _mm256_setzero_si256();
            for (q = 0; q < s; q++) {
                const uint8_t *x = b + sv->pos[q];
                const __m256i p = _mm256_set1_epi8((char)sv->sym[q]);
                /* cmpeq is -1 on equal bytes: subtracting counts matches */
                for (v = 0; v < nv; v++)
                    a[v] = _mm256_sub_epi8(
                        a[v],
                        _mm256_cmpeq_epi8(
                            _mm256_loadu_si256((const __m256i *)(x + 32 * v)), p));
            }
            for (v = 0; v < nv; v++) /* count >= need  <=>  max(count, need) == count */
                a[v] = _mm256_cmpeq_epi8(_mm256_max_epu8(a[v], need), a[v]);
        }
        for (v = 0; v < nv; v++)
            w[v] = (uint32_t)_mm256_movemask_epi8(a[v]);
        bits[g] = w[0] | w[1] << 32;
        if (g + 1 < ng)
            bits[g + 1] = w[2] | w[3] << 32;
    }
    if (S % 64)
        bits[ng - 1] &= ham__lowbits((unsigned)(S % 64));
}

HAM__TARGET_AVX2 static void
sieve32_avx2(const ham__sieve *sv, const uint32_t *t, size_t S, uint64_t *bits)
{
    const size_t s = sv->s, ng = (S + 63) / 64;
    const __m256i need = _mm256_set1_epi32((int)sv->need);
    size_t g, q;
    int v;
    for (g = 0; g < ng; g++) {
        const uint32_t *b = t + 64 * g;
        __m256i a[8];
        uint64_t w = 0;
        for (v = 0; v < 8; v++)
            a[v] = sv->k == 0 ? _mm256_set1_epi32(-1) : _mm256_setzero_si256();
        for (q = 0; q < s; q++) {
            const uint32_t *x = b + sv->pos[q];
            const __m256i p = _mm256_set1_epi32((int)sv->sym[q]);
            for (v = 0; v < 8; v++) {
                const __m256i e = _mm256_cmpeq_epi32(
                    _mm256_loadu_si256((const __m256i *)(x + 8 * v)), p);
                a[v] =
                    sv->k == 0 ? _mm256_and_si256(a[v], e) : _mm256_sub_epi32(a[v], e);
            }
        }
        for (v = 0; v < 8; v++) {
            __m256i ok = a[v];
            if (sv->k != 0)
                ok = _mm256_cmpeq_epi32(_mm256_max_epu32(a[v], need), a[v]);
            w |= (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(ok))
                 << (8 * v);
        }
        bits[g] = w;
    }
    if (S % 64)
        bits[ng - 1] &= ham__lowbits((unsigned)(S % 64));
}
#endif

void
ham__sieve_bits(const ham__sieve *sv, const ham_plan *plan, int isa, const void *text,
                size_t S, uint64_t *bits)
{
    const size_t nw = (S + 63) / 64;
    const int wide = plan->width == 4;
    if (S == 0)
        return;
    if (sv->s == 0) { /* no filter */
        memset(bits, 0xff, nw * sizeof *bits);
        if (S % 64)
            bits[nw - 1] = ham__lowbits((unsigned)(S % 64));
        return;
    }
#if HAM__KX86
    if (isa >= HAM__ISA_AVX512) {
        if (wide)
            sieve32_avx512(sv, text, S, bits);
        else
            sieve8_avx512(sv, text, S, bits);
        return;
    }
    if (isa >= HAM__ISA_AVX2) {
        if (wide)
            sieve32_avx2(sv, text, S, bits);
        else
            sieve8_avx2(sv, text, S, bits);
        return;
    }
#else
    (void)isa;
#endif
    if (wide)
        sieve32_port(sv, text, S, bits);
    else
        sieve8_port(sv, text, S, bits);
}

/* ---- k = 0 ----------------------------------------------------------------------- */

void
ham__kzero_free(ham__kzero *z)
{
    ham__sieve_free(&z->sv);
    free(z->p);
    free(z->care);
    z->p = NULL;
    z->care = NULL;
}

int
ham__kzero_prepare(ham__kzero *z, const ham_plan *plan)
{
    const size_t m = plan->m;
    int rc;
    memset(z, 0, sizeof *z);
    rc = ham__sieve_build(&z->sv, plan, 0);
    if (rc != HAM_OK)
        return rc;
    z->p = ham__kpat_padded(plan);
    if (!z->p)
        return HAM_ENOMEM;
    if (plan->m_eff < m) {
        size_t j;
        z->care = ham__calloc((m + 63) / 64, sizeof *z->care);
        if (!z->care)
            return HAM_ENOMEM;
        for (j = 0; j < m; j++)
            if (plan->pid[j] != HAM__WILD_ID)
                z->care[j / 64] |= (uint64_t)1 << (j % 64);
    }
    return HAM_OK;
}

double
ham__kzero_cost(const ham__kzero *z, const ham_plan *plan)
{
    /* the filter and its false candidates, plus writing 4 bytes per shift */
    (void)plan;
    return z->sv.ns + 0.06;
}

/* dist[i] = 0 for the candidates i in [i0, i1) whose window equals P on the
 * care positions (t[0] is absolute position base); others stay 1. */
#define DEFINE_VERIFY0(NAME, SYM, MISM, TARGET)                                        \
    TARGET static void NAME(const ham__kzero *z, size_t m, const SYM *t, size_t base,  \
                            const uint64_t *bits, size_t i0, size_t i1,                \
                            uint32_t *dist)                                            \
    {                                                                                  \
        const SYM *p = (const SYM *)z->p;                                              \
        size_t w;                                                                      \
        for (w = i0 / 64; w * 64 < i1; w++) {                                          \
            uint64_t b = bits[w - i0 / 64];                                            \
            while (b) {                                                                \
                const size_t i = w * 64 + (size_t)ham__ctz64(b);                       \
                const SYM *x = t + (i - base);                                         \
                size_t j = 0;                                                          \
                b &= b - 1;                                                            \
                for (; j < m; j += 64) {                                               \
                    const unsigned len = m - j < 64 ? (unsigned)(m - j) : 64u;         \
                    uint64_t ne = MISM(x + j, p + j, len);                             \
                    if (z->care)                                                       \
                        ne &= z->care[j / 64];                                         \
                    if (ne)                                                            \
                        break;                                                         \
                }                                                                      \
                if (j >= m)                                                            \
                    dist[i - i0] = 0;                                                  \
            }                                                                          \
        }                                                                              \
    }
DEFINE_VERIFY0(verify0_u8_port, uint8_t, ham__mism8_port, )
DEFINE_VERIFY0(verify0_u32_port, uint32_t, ham__mism32_port, )
#if HAM__KX86
DEFINE_VERIFY0(verify0_u8_avx2, uint8_t, ham__mism8_avx2, HAM__TARGET_AVX2)
DEFINE_VERIFY0(verify0_u32_avx2, uint32_t, ham__mism32_avx2, HAM__TARGET_AVX2)
DEFINE_VERIFY0(verify0_u8_avx512, uint8_t, ham__mism8_avx512, HAM__TARGET_AVX512)
DEFINE_VERIFY0(verify0_u32_avx512, uint32_t, ham__mism32_avx512, HAM__TARGET_AVX512)
#endif

/* Shifts per chunk: the candidate bits (128 words) and the chunk's dist
 * entries stay in L1 between the filter and the verification. */
#define KZ_CHUNK ((size_t)8192)

static void
kzero_part(const ham__kzero *z, const ham_plan *plan, int isa, const void *t,
           size_t base, size_t i0, size_t i1, uint32_t *dist, uint64_t *bits)
{
    const unsigned w = plan->width;
    const size_t m = plan->m;
    size_t c0;
    for (c0 = i0; c0 < i1; c0 += KZ_CHUNK) {
        const size_t c1 = i1 - c0 < KZ_CHUNK ? i1 : c0 + KZ_CHUNK;
        uint32_t *d = dist + c0;
        ham__sieve_bits(&z->sv, plan, isa, (const unsigned char *)t + (c0 - base) * w,
                        c1 - c0, bits);
        ham__fill32(d, c1 - c0, 1, isa);
#if HAM__KX86
        if (isa >= HAM__ISA_AVX512) {
            if (w == 4)
                verify0_u32_avx512(z, m, t, base, bits, c0, c1, d);
            else
                verify0_u8_avx512(z, m, t, base, bits, c0, c1, d);
            continue;
        }
        if (isa >= HAM__ISA_AVX2) {
            if (w == 4)
                verify0_u32_avx2(z, m, t, base, bits, c0, c1, d);
            else
                verify0_u8_avx2(z, m, t, base, bits, c0, c1, d);
            continue;
        }
#endif
        if (w == 4)
            verify0_u32_port(z, m, t, base, bits, c0, c1, d);
        else
            verify0_u8_port(z, m, t, base, bits, c0, c1, d);
    }
}

int
ham__kzero_dist(const ham__kzero *z, const ham_plan *plan, int isa, const void *text,
                size_t n, uint32_t *dist)
{
    const size_t m = plan->m, S = n - m + 1;
    const size_t a = ham__kinplace(n, m) < S ? ham__kinplace(n, m) : S;
    ham__kzero tmp;
    uint64_t bits[KZ_CHUNK / 64]; /* no allocation for short calls (records) */
    void *tail = NULL;
    int rc = HAM_OK;
    HAM_ASSERT(n >= m);
    if (!z) {
        rc = ham__kzero_prepare(&tmp, plan);
        if (rc != HAM_OK) {
            ham__kzero_free(&tmp);
            return rc;
        }
        z = &tmp;
    }
    if (a > 0)
        kzero_part(z, plan, isa, text, 0, 0, a, dist, bits);
    if (a < S) {
        tail = ham__ktail(text, a, n, plan->width);
        if (!tail) {
            rc = HAM_ENOMEM;
            goto out;
        }
        kzero_part(z, plan, isa, tail, a, a, S, dist, bits);
    }
out:
    free(tail);
    if (z == &tmp)
        ham__kzero_free(&tmp);
    return rc;
}
