/* SPDX-License-Identifier: MIT */
/*
 * naive.c -- A1, direct comparison of the pattern with every window
 * (algorithms.md 3). Theta(n m) symbol comparisons, divided by the SIMD width:
 * the oracle-grade engine and the fastest one for short patterns.
 *
 * Variants (chosen per call by a cost model, or forced by tests/bench through
 * ham__naive_dist_variant):
 *   shiftpar   (3.2) vectorised across shifts: for each pattern position j,
 *              64 (AVX-512BW), 32 (AVX2) or 16 (portable) consecutive text
 *              symbols are compared with the broadcast P[j] and the equality
 *              mask is added to one 8-bit counter per shift; counters are
 *              widened to 32 bits every 255 positions. 4 vectors per block.
 *              32-bit symbols use 32-bit lanes, or 8-bit ids (alphabet
 *              compaction, 2.1) when the pattern has <= 255 distinct symbols.
 *   earlyexit  (3.4) one shift at a time, 64/32 symbols per compare, stops as
 *              soon as the count exceeds k: O(n (1 + k/64)) on unrelated text,
 *              the k-bounded form for small k.
 *   bitsliced  (3.3) for <= 15 distinct pattern symbols: ids in 2 or 4 bit
 *              planes; a window's mismatches are popcount(OR_r(window(T_r) XOR
 *              P_r)) over 64-bit words, 512 positions per AVX-512 VPOPCNTDQ
 *              vector.
 *   scalar     one shift at a time in plain C: the base case and the tail.
 *   kzero      k = 0 only (kzero.c): a few rare pattern symbols compared with
 *              64 text positions at once (AND of equality masks), candidates
 *              verified by 64-symbol compares; ~0.1-0.2 ns per shift.
 * Every variant handles a wildcard (positions skipped or masked out) and the
 * k-bounded form (d > k reported as k + 1, with early exit where it helps).
 *
 * Memory: O(m) per plan; O(m + block) per call. The CPU features come from
 * the plan (ham__cpu_detect at plan creation), never from global state.
 */
#include "internal.h"
#include "lce.h" /* the k = 0 variant (kzero.c) */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(HAM_HAVE_X86_DISPATCH) && defined(__x86_64__)
#define NAIVE_X86 1
#include <immintrin.h>
#define TARGET_AVX2   __attribute__((target("avx2,bmi2,popcnt")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,bmi2,popcnt")))
#define TARGET_AVX512_POPCNT                                                           \
    __attribute__((target("avx512f,avx512bw,avx512vpopcntdq,bmi2,popcnt")))
#else
#define NAIVE_X86 0
#endif

/* ---- Plan-time state ------------------------------------------------------ */

/* Early-exit chunk tables: chunk c compares the C symbols at off[c] and
 * counts the positions in mask[c]; the last chunk overlaps its predecessor
 * (off = m - C) so no load crosses the window, and its mask leaves out the
 * positions already counted. Wildcard positions are never in a mask. */
typedef struct chunks {
    size_t n; /* 0 when m < C (then the kernel uses masked loads or scalar) */
    uint32_t *off;
    uint64_t *mask;
    uint64_t short_mask; /* m < C: the care bits of positions 0..m-1 */
} chunks;

/* Bit slicing pays while the planes are few (4 code planes + 1, measured
 * against shift-parallel AVX-512 with bench/hambench). */
#define BS_MAX_SIGMA 15

typedef struct naive_state {
    size_t npos;    /* non-wildcard positions (m_eff) */
    uint32_t *pos;  /* their offsets in the pattern   */
    uint8_t *pb8;   /* 8-bit symbol at each of them (raw byte or id) */
    uint32_t *pb32; /* 32-bit symbol at each of them (u32 plans) */
    uint8_t *p8;    /* the pattern as 8-bit symbols, m bytes (wildcard: 0) */
    int ids8;       /* u32 plan whose kernels run on 8-bit ids (sigma <= 255) */
    chunks ch64, ch32, ch16, ch8;
    /* bit-sliced: the code id - 1 of each symbol in ncode bit planes, then
     * one "absent" plane (text symbols not in P; the pattern's word is 0) */
    int bitsliced;     /* available: sigma <= BS_MAX_SIGMA */
    int ncode;         /* ceil(log2(sigma)) */
    size_t nwords;     /* ceil(m / 64), padded to a multiple of 8 */
    uint64_t *pplanes; /* plane r at pplanes + r * nwords, ncode + 1 planes */
    uint64_t *care;    /* care[w]: bit b set iff position 64w + b < m, not wildcard */
    int has_kz;        /* k = 0 plans: the kzero filter is prepared */
    ham__kzero kz;
} naive_state;

static void
chunks_free(chunks *c)
{
    free(c->off);
    free(c->mask);
}

static int
chunks_build(chunks *c, const ham_plan *plan, size_t C)
{
    const size_t m = plan->m;
    size_t i, j;
    memset(c, 0, sizeof *c);
    if (m < C) {
        for (j = 0; j < m; j++)
            if (plan->pid[j] != HAM__WILD_ID)
                c->short_mask |= (uint64_t)1 << j;
        return HAM_OK;
    }
    c->n = (m + C - 1) / C;
    c->off = ham__alloc(c->n, sizeof *c->off);
    c->mask = ham__calloc(c->n, sizeof *c->mask);
    if (!c->off || !c->mask)
        return HAM_ENOMEM;
    for (i = 0; i < c->n; i++) {
        size_t first = i * C; /* first position this chunk is responsible for */
        size_t off = first + C <= m ? first : m - C;
        c->off[i] = (uint32_t)off;
        for (j = first; j < off + C && j < m; j++)
            if (plan->pid[j] != HAM__WILD_ID)
                c->mask[i] |= (uint64_t)1 << (j - off);
    }
    return HAM_OK;
}

static void
naive_release(ham_plan *plan)
{
    naive_state *st = plan->eng[HAM_ENGINE_NAIVE];
    if (!st)
        return;
    free(st->pos);
    free(st->pb8);
    free(st->pb32);
    free(st->p8);
    chunks_free(&st->ch64);
    chunks_free(&st->ch32);
    chunks_free(&st->ch16);
    chunks_free(&st->ch8);
    free(st->pplanes);
    free(st->care);
    ham__kzero_free(&st->kz);
    free(st);
    plan->eng[HAM_ENGINE_NAIVE] = NULL;
}

static int
naive_prepare(ham_plan *plan)
{
    const size_t m = plan->m;
    naive_state *st = calloc(1, sizeof *st);
    size_t j, w;
    int rc;

    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_NAIVE] = st;
    st->npos = plan->m_eff;
    st->ids8 = plan->width == 4 && plan->sigma <= 255;
    st->pos = ham__alloc(st->npos, sizeof *st->pos);
    st->pb8 = ham__alloc(st->npos, 1);
    st->p8 = ham__calloc(m, 1);
    if (!st->pos || !st->pb8 || !st->p8)
        return HAM_ENOMEM;
    if (plan->width == 4) {
        st->pb32 = ham__alloc(st->npos, sizeof *st->pb32);
        if (!st->pb32)
            return HAM_ENOMEM;
    }
    for (j = 0; j < m; j++) {
        uint32_t id = plan->pid[j];
        if (id == HAM__WILD_ID)
            continue;
        /* u8: raw bytes (no text mapping needed); u32: ids when they fit */
        st->p8[j] = plan->width == 1 ? plan->pat.u8[j] : (uint8_t)(st->ids8 ? id : 0);
    }
    for (j = 0; j < st->npos; j++) {
        size_t q = plan->nonwild[j];
        st->pos[j] = (uint32_t)q;
        st->pb8[j] = st->p8[q];
        if (st->pb32)
            st->pb32[j] = plan->pat.u32[q];
    }
    if ((rc = chunks_build(&st->ch64, plan, 64)) != HAM_OK ||
        (rc = chunks_build(&st->ch32, plan, 32)) != HAM_OK ||
        (rc = chunks_build(&st->ch16, plan, 16)) != HAM_OK ||
        (rc = chunks_build(&st->ch8, plan, 8)) != HAM_OK)
        return rc;

    if (plan->params.max_dist == 0) {
        st->has_kz = 1;
        if ((rc = ham__kzero_prepare(&st->kz, plan)) != HAM_OK)
            return rc;
    }

    /* bit-sliced planes of the codes id - 1; the extra plane flags text
     * symbols absent from P (id 0), which always mismatch: its pattern word
     * is 0, so it only contributes where the text has such a symbol, and a
     * block without any (pure ACGT against a DNA pattern) skips it */
    if (plan->sigma <= BS_MAX_SIGMA) {
        int r;
        st->bitsliced = 1;
        while (((uint32_t)1 << st->ncode) < plan->sigma)
            st->ncode++;
        st->nwords = ((m + 63) / 64 + 7) & ~(size_t)7;
        st->pplanes =
            ham__calloc(st->nwords * (size_t)(st->ncode + 1), sizeof *st->pplanes);
        st->care = ham__calloc(st->nwords, sizeof *st->care);
        if (!st->pplanes || !st->care)
            return HAM_ENOMEM;
        for (j = 0; j < m; j++) {
            uint32_t id = plan->pid[j];
            if (id == HAM__WILD_ID)
                continue;
            w = j / 64;
            st->care[w] |= (uint64_t)1 << (j % 64);
            for (r = 0; r < st->ncode; r++)
                if ((id - 1) >> r & 1)
                    st->pplanes[(size_t)r * st->nwords + w] |= (uint64_t)1 << (j % 64);
        }
    }
    return HAM_OK;
}

/* ---- Portable kernels ------------------------------------------------------ */

#define PORT_LANES 64

#define SYM    uint8_t
#define SUF(x) x##_u8
#define ROUND  255
#include "naive_tmpl.h"
#undef SYM
#undef SUF
#undef ROUND

#define SYM    uint32_t
#define SUF(x) x##_u32
#define ROUND  1024
#include "naive_tmpl.h"
#undef SYM
#undef SUF
#undef ROUND

static inline int
popcount64(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_popcountll(x);
#else
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
#endif
}

/* ---- Shift-parallel SIMD kernels (3.2) ------------------------------------- */

/* A block kernel counts matches for LANES consecutive shifts starting at t;
 * t must be readable up to LANES + m - 2. */
typedef void (*block8_fn)(const uint8_t *t, const uint32_t *pos, const uint8_t *pb,
                          size_t npos, uint32_t k, uint32_t *cnt);
typedef void (*block32_fn)(const uint32_t *t, const uint32_t *pos, const uint32_t *pb,
                           size_t npos, uint32_t k, uint32_t *cnt);

#if NAIVE_X86

/* 256 shifts: four 64-byte vectors of 8-bit counters, widened every 255
 * positions into 32-bit counters held in memory. */
#define AVX512_LANES8 256
TARGET_AVX512 static void
block8_avx512(const uint8_t *t, const uint32_t *pos, const uint8_t *pb, size_t npos,
              uint32_t k, uint32_t *cnt)
{
    const __m512i one = _mm512_set1_epi8(1);
    __m512i c32[16];
    size_t j = 0;
    int q;
    for (q = 0; q < 16; q++)
        c32[q] = _mm512_setzero_si512();
    while (j < npos) {
        const size_t end = npos - j > 255 ? j + 255 : npos;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        for (; j < end; j++) {
            const uint8_t *s = t + pos[j];
            const __m512i p = _mm512_set1_epi8((char)pb[j]);
            a0 = _mm512_mask_add_epi8(
                a0, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s), p), a0, one);
            a1 = _mm512_mask_add_epi8(
                a1, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 64), p), a1, one);
            a2 = _mm512_mask_add_epi8(
                a2, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 128), p), a2, one);
            a3 = _mm512_mask_add_epi8(
                a3, _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + 192), p), a3, one);
        }
        {
            const __m512i a[4] = {a0, a1, a2, a3};
            for (q = 0; q < 16; q++) {
                __m128i b = _mm512_extracti32x4_epi32(a[q >> 2], 0);
                switch (q & 3) { /* extract needs an immediate */
                case 1:
                    b = _mm512_extracti32x4_epi32(a[q >> 2], 1);
                    break;
                case 2:
                    b = _mm512_extracti32x4_epi32(a[q >> 2], 2);
                    break;
                case 3:
                    b = _mm512_extracti32x4_epi32(a[q >> 2], 3);
                    break;
                default:
                    break;
                }
                c32[q] = _mm512_add_epi32(c32[q], _mm512_cvtepu8_epi32(b));
            }
        }
        if (k != UINT32_MAX) {
            __m512i mx = c32[0];
            for (q = 1; q < 16; q++)
                mx = _mm512_max_epu32(mx, c32[q]);
            if (j - (size_t)_mm512_reduce_max_epu32(mx) > k)
                break; /* every shift of the block has > k mismatches */
        }
    }
    for (q = 0; q < 16; q++)
        _mm512_storeu_si512(cnt + 16 * q, c32[q]);
}

/* 128 shifts: four 32-byte vectors of 8-bit counters. */
#define AVX2_LANES8 128
TARGET_AVX2 static void
block8_avx2(const uint8_t *t, const uint32_t *pos, const uint8_t *pb, size_t npos,
            uint32_t k, uint32_t *cnt)
{
    __m256i c32[16];
    size_t j = 0;
    int q;
    for (q = 0; q < 16; q++)
        c32[q] = _mm256_setzero_si256();
    while (j < npos) {
        const size_t end = npos - j > 255 ? j + 255 : npos;
        __m256i a[4];
        a[0] = a[1] = a[2] = a[3] = _mm256_setzero_si256();
        for (; j < end; j++) {
            const uint8_t *s = t + pos[j];
            const __m256i p = _mm256_set1_epi8((char)pb[j]);
            /* cmpeq gives 0xFF (= -1) for equal bytes: subtracting adds 1 */
            a[0] = _mm256_sub_epi8(
                a[0], _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)s), p));
            a[1] = _mm256_sub_epi8(
                a[1],
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(s + 32)), p));
            a[2] = _mm256_sub_epi8(
                a[2],
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(s + 64)), p));
            a[3] = _mm256_sub_epi8(
                a[3],
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(s + 96)), p));
        }
        for (q = 0; q < 16; q++) {
            __m128i h = (q & 2) ? _mm256_extracti128_si256(a[q >> 2], 1)
                                : _mm256_castsi256_si128(a[q >> 2]);
            if (q & 1)
                h = _mm_srli_si128(h, 8);
            c32[q] = _mm256_add_epi32(c32[q], _mm256_cvtepu8_epi32(h));
        }
        if (k != UINT32_MAX) {
            __m256i mx = c32[0];
            uint32_t v[8], best = 0;
            int l;
            for (q = 1; q < 16; q++)
                mx = _mm256_max_epu32(mx, c32[q]);
            _mm256_storeu_si256((__m256i *)v, mx);
            for (l = 0; l < 8; l++)
                best = v[l] > best ? v[l] : best;
            if (j - best > k)
                break;
        }
    }
    for (q = 0; q < 16; q++)
        _mm256_storeu_si256((__m256i *)(cnt + 8 * q), c32[q]);
}

/* 32-bit symbols: 64 shifts in four vectors of sixteen 32-bit counters. */
#define AVX512_LANES32 64
TARGET_AVX512 static void
block32_avx512(const uint32_t *t, const uint32_t *pos, const uint32_t *pb, size_t npos,
               uint32_t k, uint32_t *cnt)
{
    const __m512i one = _mm512_set1_epi32(1);
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    size_t j = 0;
    while (j < npos) {
        const size_t end = npos - j > 1024 ? j + 1024 : npos;
        for (; j < end; j++) {
            const uint32_t *s = t + pos[j];
            const __m512i p = _mm512_set1_epi32((int)pb[j]);
            a0 = _mm512_mask_add_epi32(
                a0, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s), p), a0, one);
            a1 = _mm512_mask_add_epi32(
                a1, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 16), p), a1, one);
            a2 = _mm512_mask_add_epi32(
                a2, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 32), p), a2, one);
            a3 = _mm512_mask_add_epi32(
                a3, _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(s + 48), p), a3, one);
        }
        if (k != UINT32_MAX) {
            __m512i mx =
                _mm512_max_epu32(_mm512_max_epu32(a0, a1), _mm512_max_epu32(a2, a3));
            if (j - (size_t)_mm512_reduce_max_epu32(mx) > k)
                break;
        }
    }
    _mm512_storeu_si512(cnt, a0);
    _mm512_storeu_si512(cnt + 16, a1);
    _mm512_storeu_si512(cnt + 32, a2);
    _mm512_storeu_si512(cnt + 48, a3);
}

#define AVX2_LANES32 32
TARGET_AVX2 static void
block32_avx2(const uint32_t *t, const uint32_t *pos, const uint32_t *pb, size_t npos,
             uint32_t k, uint32_t *cnt)
{
    __m256i a[4];
    size_t j = 0;
    a[0] = a[1] = a[2] = a[3] = _mm256_setzero_si256();
    while (j < npos) {
        const size_t end = npos - j > 1024 ? j + 1024 : npos;
        for (; j < end; j++) {
            const uint32_t *s = t + pos[j];
            const __m256i p = _mm256_set1_epi32((int)pb[j]);
            a[0] = _mm256_sub_epi32(
                a[0], _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)s), p));
            a[1] = _mm256_sub_epi32(
                a[1],
                _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(s + 8)), p));
            a[2] = _mm256_sub_epi32(
                a[2],
                _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(s + 16)), p));
            a[3] = _mm256_sub_epi32(
                a[3],
                _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(s + 24)), p));
        }
        if (k != UINT32_MAX) {
            __m256i mx = _mm256_max_epu32(_mm256_max_epu32(a[0], a[1]),
                                          _mm256_max_epu32(a[2], a[3]));
            uint32_t v[8], best = 0;
            int l;
            _mm256_storeu_si256((__m256i *)v, mx);
            for (l = 0; l < 8; l++)
                best = v[l] > best ? v[l] : best;
            if (j - best > k)
                break;
        }
    }
    _mm256_storeu_si256((__m256i *)cnt, a[0]);
    _mm256_storeu_si256((__m256i *)(cnt + 8), a[1]);
    _mm256_storeu_si256((__m256i *)(cnt + 16), a[2]);
    _mm256_storeu_si256((__m256i *)(cnt + 24), a[3]);
}

#endif /* NAIVE_X86 */

/* Runs a block kernel over shifts [0, S) of t, of which tlen symbols are
 * readable; the last blocks, which would read past tlen, run on a padded
 * copy. Writes k-bounded distances. pad holds lanes + m - 1 symbols. */
#define DEFINE_SHIFTPAR_RUN(NAME, SYM, BLOCKFN, PB)                                    \
    static void NAME(const naive_state *st, BLOCKFN blk, size_t lanes, const SYM *t,   \
                     size_t S, size_t tlen, size_t m, uint32_t *dist, uint32_t k,      \
                     SYM *pad, uint32_t *cnt)                                          \
    {                                                                                  \
        size_t i0, l;                                                                  \
        for (i0 = 0; i0 < S; i0 += lanes) {                                            \
            const size_t nl = S - i0 < lanes ? S - i0 : lanes;                         \
            const SYM *src = t + i0;                                                   \
            if (i0 + lanes + m - 1 > tlen) {                                           \
                memcpy(pad, t + i0, (tlen - i0) * sizeof(SYM));                        \
                memset(pad + (tlen - i0), 0,                                           \
                       (lanes + m - 1 - (tlen - i0)) * sizeof(SYM));                   \
                src = pad;                                                             \
            }                                                                          \
            blk(src, st->pos, st->PB, st->npos, k, cnt);                               \
            for (l = 0; l < nl; l++) {                                                 \
                uint32_t d = (uint32_t)st->npos - cnt[l];                              \
                dist[i0 + l] = d > k ? k + 1 : d;                                      \
            }                                                                          \
        }                                                                              \
    }
DEFINE_SHIFTPAR_RUN(shiftpar_run8, uint8_t, block8_fn, pb8)
DEFINE_SHIFTPAR_RUN(shiftpar_run32, uint32_t, block32_fn, pb32)

/* ---- Early-exit kernels (3.4) ------------------------------------------------ */

#if NAIVE_X86
TARGET_AVX512 static void
earlyexit8_avx512(const naive_state *st, const uint8_t *t, size_t S, size_t m,
                  uint32_t *dist, uint32_t k)
{
    const chunks *c = &st->ch64;
    const uint8_t *p = st->p8;
    size_t i, q;
    if (c->n == 0) { /* m < 64: one masked compare per shift */
        const __mmask64 len = _bzhi_u64(~(uint64_t)0, (unsigned)m);
        const __m512i pv = _mm512_maskz_loadu_epi8(len, p);
        for (i = 0; i < S; i++) {
            __mmask64 ne = _mm512_mask_cmpneq_epi8_mask(
                (__mmask64)c->short_mask, _mm512_maskz_loadu_epi8(len, t + i), pv);
            uint32_t d = (uint32_t)_mm_popcnt_u64(ne);
            dist[i] = d > k ? k + 1 : d;
        }
        return;
    }
    for (i = 0; i < S; i++) {
        const uint8_t *w = t + i;
        uint32_t d = 0;
        for (q = 0; q < c->n; q++) {
            const uint32_t o = c->off[q];
            __mmask64 ne = _mm512_mask_cmpneq_epi8_mask((__mmask64)c->mask[q],
                                                        _mm512_loadu_si512(w + o),
                                                        _mm512_loadu_si512(p + o));
            d += (uint32_t)_mm_popcnt_u64(ne);
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}

TARGET_AVX2 static void
earlyexit8_avx2(const naive_state *st, const uint8_t *t, size_t S, size_t m,
                uint32_t *dist, uint32_t k)
{
    const chunks *c = &st->ch32;
    const uint8_t *p = st->p8;
    size_t i, q;
    (void)m;
    for (i = 0; i < S; i++) {
        const uint8_t *w = t + i;
        uint32_t d = 0;
        for (q = 0; q < c->n; q++) {
            const uint32_t o = c->off[q];
            __m256i eq =
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(w + o)),
                                  _mm256_loadu_si256((const __m256i *)(p + o)));
            uint32_t ne = ~(uint32_t)_mm256_movemask_epi8(eq) & (uint32_t)c->mask[q];
            d += (uint32_t)_mm_popcnt_u32(ne);
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}

TARGET_AVX512 static void
earlyexit32_avx512(const naive_state *st, const uint32_t *t, const uint32_t *p,
                   size_t S, size_t m, uint32_t *dist, uint32_t k)
{
    const chunks *c = &st->ch16;
    size_t i, q;
    if (c->n == 0) { /* m < 16 */
        const __mmask16 len = (__mmask16)((1u << m) - 1);
        const __m512i pv = _mm512_maskz_loadu_epi32(len, p);
        for (i = 0; i < S; i++) {
            __mmask16 ne = _mm512_mask_cmpneq_epi32_mask(
                (__mmask16)c->short_mask, _mm512_maskz_loadu_epi32(len, t + i), pv);
            uint32_t d = (uint32_t)_mm_popcnt_u32(ne);
            dist[i] = d > k ? k + 1 : d;
        }
        return;
    }
    for (i = 0; i < S; i++) {
        const uint32_t *w = t + i;
        uint32_t d = 0;
        for (q = 0; q < c->n; q++) {
            const uint32_t o = c->off[q];
            __mmask16 ne = _mm512_mask_cmpneq_epi32_mask((__mmask16)c->mask[q],
                                                         _mm512_loadu_si512(w + o),
                                                         _mm512_loadu_si512(p + o));
            d += (uint32_t)_mm_popcnt_u32(ne);
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}

TARGET_AVX2 static void
earlyexit32_avx2(const naive_state *st, const uint32_t *t, const uint32_t *p, size_t S,
                 size_t m, uint32_t *dist, uint32_t k)
{
    const chunks *c = &st->ch8;
    size_t i, q;
    (void)m;
    for (i = 0; i < S; i++) {
        const uint32_t *w = t + i;
        uint32_t d = 0;
        for (q = 0; q < c->n; q++) {
            const uint32_t o = c->off[q];
            __m256i eq =
                _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(w + o)),
                                   _mm256_loadu_si256((const __m256i *)(p + o)));
            uint32_t ne = ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(eq)) &
                          (uint32_t)c->mask[q];
            d += (uint32_t)_mm_popcnt_u32(ne);
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}
#endif /* NAIVE_X86 */

/* ---- Bit-sliced kernels (3.3) ----------------------------------------------- */

/* Text planes of ids[0..L-1]: plane r < ncode word x holds bit r of
 * ids[64x .. 64x+63] - 1, plane ncode flags id 0 (absent from P). tp has
 * ncode + 1 planes of tw words each (tw >= ceil(L/64) + 9, zero padded so a
 * shift's window loads never leave the buffer). Returns whether any symbol
 * was absent (else the kernels skip the last plane). */
static int
planes_build(const uint8_t *ids, size_t L, int ncode, uint64_t *tp, size_t tw)
{
    uint64_t any = 0;
    size_t b;
    int r;
    memset(tp, 0, (size_t)(ncode + 1) * tw * sizeof *tp);
    for (b = 0; b < L; b++) {
        const size_t x = b / 64;
        const uint64_t bit = (uint64_t)1 << (b % 64);
        if (ids[b] == 0) {
            tp[(size_t)ncode * tw + x] |= bit;
            any = 1;
            continue;
        }
        for (r = 0; r < ncode; r++)
            if ((ids[b] - 1) >> r & 1)
                tp[(size_t)r * tw + x] |= bit;
    }
    return any != 0;
}

#if NAIVE_X86
TARGET_AVX512 static int
planes_build_avx512(const uint8_t *ids, size_t L, int ncode, uint64_t *tp, size_t tw)
{
    const __m512i one = _mm512_set1_epi8(1);
    uint64_t any = 0;
    size_t x;
    int r;
    memset(tp, 0, (size_t)(ncode + 1) * tw * sizeof *tp);
    for (x = 0; x < (L + 63) / 64; x++) {
        const size_t rem = L - 64 * x;
        const __mmask64 ld =
            rem >= 64 ? ~(__mmask64)0 : _bzhi_u64(~(uint64_t)0, (unsigned)rem);
        const __m512i v = _mm512_maskz_loadu_epi8(ld, ids + 64 * x);
        const __m512i code = _mm512_subs_epu8(v, one);
        const __mmask64 absent =
            _mm512_mask_cmpeq_epi8_mask(ld, v, _mm512_setzero_si512());
        for (r = 0; r < ncode; r++)
            tp[(size_t)r * tw + x] =
                _mm512_test_epi8_mask(code, _mm512_set1_epi8((char)(1 << r)));
        tp[(size_t)ncode * tw + x] = absent;
        any |= absent;
    }
    return any != 0;
}
#endif

/* Mismatches of the window at bit offset i, over nw (useful) pattern words. */
static void
bitsliced_portable(const naive_state *st, const uint64_t *tp, size_t tw, size_t S,
                   size_t m, uint32_t *dist, uint32_t k, int np)
{
    const size_t nw = (m + 63) / 64;
    size_t i, w;
    int r;
    for (i = 0; i < S; i++) {
        const size_t q0 = i / 64;
        const unsigned sh = (unsigned)(i % 64);
        uint32_t d = 0;
        for (w = 0; w < nw; w++) {
            uint64_t x = 0;
            for (r = 0; r < np; r++) {
                const uint64_t *pl = tp + (size_t)r * tw + q0 + w;
                uint64_t win = sh ? (pl[0] >> sh) | (pl[1] << (64 - sh)) : pl[0];
                x |= win ^ st->pplanes[(size_t)r * st->nwords + w];
            }
            d += (uint32_t)popcount64(x & st->care[w]);
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}

#if NAIVE_X86
/* Vectorised across shifts: 32 consecutive shifts i0 .. i0+31 (i0 a multiple
 * of 32, so all of them start in text word q0 = i0 / 64 and lane l's window
 * is the funnel shift of words q0 + w, q0 + w + 1 by (i0 % 64) + l bits).
 * Per pattern word w and plane r, the two text words are broadcast once and
 * shifted by a different count in each lane (vpsrlvq / vpsllvq; a count of
 * 64 gives 0, so no branch for lane shift 0); the mismatch word of each lane
 * is popcounted into that lane's own counter, so nothing is reduced across
 * lanes. About 12 vector operations per 8 shifts x 64 positions, and the only
 * memory traffic is broadcasts: this is what makes bit slicing pay. */
/* Body for a compile-time plane count NP, so that the compiler keeps the
 * four lane vectors in registers (the generic loops over planes and vectors
 * spill them at -O2). */
#define BS_WINDOW(v, lo, hi)                                                           \
    _mm512_or_si512(_mm512_srlv_epi64(lo, shr##v), _mm512_sllv_epi64(hi, shl##v))
TARGET_AVX512_POPCNT static inline __attribute__((always_inline)) void
bitsliced_avx512_np(const naive_state *st, const uint64_t *tp, size_t tw, size_t S,
                    size_t m, uint32_t *dist, uint32_t k, const int NP)
{
    const size_t nw = (m + 63) / 64;
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i sixty4 = _mm512_set1_epi64(64);
    const __m512i kk = _mm512_set1_epi64((long long)k);
    size_t i0, w;
    int r;
    for (i0 = 0; i0 < S; i0 += 32) {
        const size_t q0 = i0 / 64;
        const __m512i shr0 =
            _mm512_add_epi64(lane, _mm512_set1_epi64((long long)(i0 % 64)));
        const __m512i shr1 = _mm512_add_epi64(shr0, _mm512_set1_epi64(8));
        const __m512i shr2 = _mm512_add_epi64(shr0, _mm512_set1_epi64(16));
        const __m512i shr3 = _mm512_add_epi64(shr0, _mm512_set1_epi64(24));
        const __m512i shl0 = _mm512_sub_epi64(sixty4, shr0);
        const __m512i shl1 = _mm512_sub_epi64(sixty4, shr1);
        const __m512i shl2 = _mm512_sub_epi64(sixty4, shr2);
        const __m512i shl3 = _mm512_sub_epi64(sixty4, shr3);
        __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        uint64_t out[32];
        size_t l, nl = S - i0 < 32 ? S - i0 : 32;
        for (w = 0; w < nw; w++) {
            __m512i x0 = _mm512_setzero_si512(), x1 = x0, x2 = x0, x3 = x0, care;
            for (r = 0; r < NP; r++) {
                const uint64_t *pl = tp + (size_t)r * tw + q0 + w;
                const __m512i lo = _mm512_set1_epi64((long long)pl[0]);
                const __m512i hi = _mm512_set1_epi64((long long)pl[1]);
                const __m512i pw = _mm512_set1_epi64(
                    (long long)st->pplanes[(size_t)r * st->nwords + w]);
                /* x |= window ^ pattern word in one ternary-logic op: imm 0xF6 is
                 * the truth table of a | (b ^ c), indexed by (a << 2 | b << 1 | c) */
                x0 = _mm512_ternarylogic_epi64(x0, BS_WINDOW(0, lo, hi), pw, 0xF6);
                x1 = _mm512_ternarylogic_epi64(x1, BS_WINDOW(1, lo, hi), pw, 0xF6);
                x2 = _mm512_ternarylogic_epi64(x2, BS_WINDOW(2, lo, hi), pw, 0xF6);
                x3 = _mm512_ternarylogic_epi64(x3, BS_WINDOW(3, lo, hi), pw, 0xF6);
            }
            care = _mm512_set1_epi64((long long)st->care[w]);
            acc0 =
                _mm512_add_epi64(acc0, _mm512_popcnt_epi64(_mm512_and_si512(x0, care)));
            acc1 =
                _mm512_add_epi64(acc1, _mm512_popcnt_epi64(_mm512_and_si512(x1, care)));
            acc2 =
                _mm512_add_epi64(acc2, _mm512_popcnt_epi64(_mm512_and_si512(x2, care)));
            acc3 =
                _mm512_add_epi64(acc3, _mm512_popcnt_epi64(_mm512_and_si512(x3, care)));
            if (k != UINT32_MAX && (w & 7) == 7 &&
                (_mm512_cmple_epu64_mask(acc0, kk) | _mm512_cmple_epu64_mask(acc1, kk) |
                 _mm512_cmple_epu64_mask(acc2, kk) |
                 _mm512_cmple_epu64_mask(acc3, kk)) == 0)
                break; /* every lane is past k */
        }
        _mm512_storeu_si512(out, acc0);
        _mm512_storeu_si512(out + 8, acc1);
        _mm512_storeu_si512(out + 16, acc2);
        _mm512_storeu_si512(out + 24, acc3);
        for (l = 0; l < nl; l++)
            dist[i0 + l] = out[l] > k ? k + 1 : (uint32_t)out[l];
    }
}
#undef BS_WINDOW

/* np = planes to use: the code planes, plus the absent plane if needed. */
TARGET_AVX512_POPCNT static void
bitsliced_avx512(const naive_state *st, const uint64_t *tp, size_t tw, size_t S,
                 size_t m, uint32_t *dist, uint32_t k, int np)
{
    switch (np) { /* one body per plane count, for the register allocator */
    case 0:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 0);
        break;
    case 1:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 1);
        break;
    case 2:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 2);
        break;
    case 3:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 3);
        break;
    case 4:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 4);
        break;
    default:
        bitsliced_avx512_np(st, tp, tw, S, m, dist, k, 5);
        break;
    }
}
#endif

/* ---- Dispatch ----------------------------------------------------------------- */

/* Shifts per block when the text has to be converted first (ids, planes). */
#define MAP_BLOCK ((size_t)1 << 14)

/* 8-bit symbols of text[a .. a+L): raw bytes for u8 plans, ids otherwise. */
static void
text8(const ham_plan *plan, const void *text, size_t a, size_t L, uint8_t *out, int ids)
{
    size_t x;
    if (plan->width == 1) {
        const uint8_t *t = (const uint8_t *)text + a;
        if (!ids) {
            memcpy(out, t, L);
            return;
        }
        for (x = 0; x < L; x++)
            out[x] = (uint8_t)plan->map8[t[x]];
    } else {
        const uint32_t *t = (const uint32_t *)text + a;
        for (x = 0; x < L; x++)
            out[x] = (uint8_t)ham__symtab_get(&plan->tab, t[x]);
    }
}

static int
isa_cap(const ham_plan *plan, int isa)
{
    return isa < plan->cpu.isa ? isa : plan->cpu.isa;
}

static int
run_shiftpar(const ham_plan *plan, const naive_state *st, int isa, const void *text,
             size_t n, uint32_t *dist, uint32_t k)
{
    const size_t m = plan->m, S = n - m + 1;
    size_t lanes = PORT_LANES;
    uint32_t cnt[256];
    void *pad;

    if (plan->width == 4 && !st->ids8) {
        block32_fn blk = shiftpar_block_u32;
#if NAIVE_X86
        if (isa >= HAM__ISA_AVX512) {
            blk = block32_avx512;
            lanes = AVX512_LANES32;
        } else if (isa >= HAM__ISA_AVX2) {
            blk = block32_avx2;
            lanes = AVX2_LANES32;
        }
#endif
        pad = ham__alloc(lanes + m, sizeof(uint32_t));
        if (!pad)
            return HAM_ENOMEM;
        shiftpar_run32(st, blk, lanes, text, S, n, m, dist, k, pad, cnt);
        free(pad);
        return HAM_OK;
    } else {
        block8_fn blk = shiftpar_block_u8;
#if NAIVE_X86
        if (isa >= HAM__ISA_AVX512) {
            blk = block8_avx512;
            lanes = AVX512_LANES8;
        } else if (isa >= HAM__ISA_AVX2) {
            blk = block8_avx2;
            lanes = AVX2_LANES8;
        }
#endif
        if (plan->width == 1) { /* raw bytes, in place */
            pad = ham__alloc(lanes + m, 1);
            if (!pad)
                return HAM_ENOMEM;
            shiftpar_run8(st, blk, lanes, text, S, n, m, dist, k, pad, cnt);
            free(pad);
        } else { /* u32 text mapped to 8-bit ids block by block */
            const size_t B = MAP_BLOCK;
            uint8_t *ids = ham__alloc(B + m - 1, 1);
            size_t s;
            pad = ham__alloc(lanes + m, 1);
            if (!pad || !ids) {
                free(pad);
                free(ids);
                return HAM_ENOMEM;
            }
            for (s = 0; s < S; s += B) {
                const size_t nb = S - s < B ? S - s : B;
                text8(plan, text, s, nb + m - 1, ids, 1);
                shiftpar_run8(st, blk, lanes, ids, nb, nb + m - 1, m, dist + s, k, pad,
                              cnt);
            }
            free(ids);
            free(pad);
        }
        return HAM_OK;
    }
}

static int
run_earlyexit(const ham_plan *plan, const naive_state *st, int isa, const void *text,
              size_t n, uint32_t *dist, uint32_t k)
{
    const size_t m = plan->m, S = n - m + 1;
#if NAIVE_X86
    if (plan->width == 1) {
        if (isa >= HAM__ISA_AVX512) {
            earlyexit8_avx512(st, text, S, m, dist, k);
            return HAM_OK;
        }
        if (isa >= HAM__ISA_AVX2 && st->ch32.n > 0) {
            earlyexit8_avx2(st, text, S, m, dist, k);
            return HAM_OK;
        }
    } else {
        if (isa >= HAM__ISA_AVX512) {
            earlyexit32_avx512(st, text, plan->pat.u32, S, m, dist, k);
            return HAM_OK;
        }
        if (isa >= HAM__ISA_AVX2 && st->ch8.n > 0) {
            earlyexit32_avx2(st, text, plan->pat.u32, S, m, dist, k);
            return HAM_OK;
        }
    }
#else
    (void)isa;
#endif
    if (plan->width == 1)
        scalar_u8(text, S, plan->pat.u8, st->pos, st->npos, dist, k);
    else
        scalar_u32(text, S, plan->pat.u32, st->pos, st->npos, dist, k);
    return HAM_OK;
}

static int
run_bitsliced(const ham_plan *plan, const naive_state *st, int isa, const void *text,
              size_t n, uint32_t *dist, uint32_t k)
{
    const size_t m = plan->m, S = n - m + 1, B = MAP_BLOCK;
    const size_t tw = (B + m - 1 + 63) / 64 + 9;
    uint8_t *ids;
    uint64_t *tp;
    size_t s;
    if (!st->bitsliced)
        return HAM_EUNSUPPORTED;
    ids = ham__alloc(B + m - 1, 1);
    tp = ham__alloc_aligned(tw * (size_t)(st->ncode + 1), sizeof *tp);
    if (!ids || !tp) {
        free(ids);
        ham__free_aligned(tp);
        return HAM_ENOMEM;
    }
    for (s = 0; s < S; s += B) {
        const size_t nb = S - s < B ? S - s : B, L = nb + m - 1;
        int absent;
        text8(plan, text, s, L, ids, 1);
#if NAIVE_X86
        if (isa >= HAM__ISA_AVX512) {
            absent = planes_build_avx512(ids, L, st->ncode, tp, tw);
            if (plan->cpu.has_vpopcntdq) {
                bitsliced_avx512(st, tp, tw, nb, m, dist + s, k, st->ncode + absent);
                continue;
            }
        } else
#endif
            absent = planes_build(ids, L, st->ncode, tp, tw);
        bitsliced_portable(st, tp, tw, nb, m, dist + s, k, st->ncode + absent);
    }
    (void)isa;
    free(ids);
    ham__free_aligned(tp);
    return HAM_OK;
}

/* ---- Cost model ------------------------------------------------------------------ */

/* Nanoseconds per shift of each variant, and the ISA it should run with.
 * Constants measured with bench/hambench (naive variant rows, DNA and
 * uniform texts, m = 8 .. 16384) on the development machine: AMD EPYC
 * (Zen 4: AVX-512 with 512-bit operations split in two halves, VPOPCNTDQ),
 * 2 vCPU, gcc 12 -O2. They only rank the variants of one engine; +-30 %
 * noise rarely changes a choice, and every variant gives the same output. */
typedef struct variant_cost {
    double ns[HAM__NV_COUNT_];
    int isa[HAM__NV_COUNT_];
} variant_cost;

/* round x up to a multiple of q (the granularity of early-exit checks) */
static double
roundup(double x, double q)
{
    return ceil(x / q) * q;
}

static variant_cost
costs(const ham_plan *plan, const naive_state *st, uint32_t k)
{
    const int isa = plan->cpu.isa;
    const int simd = isa >= HAM__ISA_AVX2;
    const double m = (double)plan->m;
    const double me = (double)(st->npos ? st->npos : 1);
    const int wide = plan->width == 4 && !st->ids8; /* 32-bit lanes */
    /* symbol -> id per text symbol: cuckoo lookup (u32), table (u8) */
    const double map = plan->width == 4 ? 1.8 : 0.3;
    variant_cost c;
    double q, exam;
    int v;

    for (v = 0; v < HAM__NV_COUNT_; v++) {
        c.ns[v] = HUGE_VAL;
        c.isa[v] = isa;
    }
    /* positions a k-bounded scan examines per shift on unrelated text, where
     * a position mismatches with probability about q = 1 - 1/sigma */
    q = plan->sigma > 1 ? 1.0 - 1.0 / (double)plan->sigma : 0.5;
    exam = k == HAM_UNBOUNDED ? me : ((double)k + 1.0) / q;
    if (exam > me)
        exam = me;

    /* scalar: checks k every 16 positions */
    c.ns[HAM__NV_SCALAR] = 1.0 + 0.65 * fmin(me, roundup(exam, 16));

    /* shift-parallel: per (shift, position) pair; k-bounded blocks stop
     * after the first 255-position round in which every lane passed k. On
     * Zen 4 the AVX2 and AVX-512 kernels run at the same speed. */
    {
        const double pair = wide ? (simd ? 0.034 : 0.14) : (simd ? 0.0088 : 0.045);
        const double used = k == HAM_UNBOUNDED ? me : fmin(me, roundup(exam, 255));
        c.ns[HAM__NV_SHIFTPAR] =
            0.5 + pair * used + (plan->width == 4 && st->ids8 ? map : 0.0);
    }

    /* early exit: the first compare is cheap, later ones cost more (the
     * loop-carried count and a branch per chunk). exam is a mean: scans that
     * need a second chunk are common once exam nears one chunk, and the
     * exit branch then mispredicts, so chunks are counted for 1.5 exam and
     * charged ~3 ns of mispredicts. AVX2's 32-byte compares beat AVX-512's
     * 64-byte ones on Zen 4 except below 64 symbols (one masked compare). */
    if (simd) {
        /* the early-exit kernels compare raw symbols: 32-bit lanes for every
         * u32 plan, 8-bit ids or not (issue 4: with `wide` here, u32
         * patterns of <= 255 symbols were costed as bytes, 2-3x too low) */
        const int ew = plan->width == 4;
        const double c2 = ew ? 8 : 32, c5 = ew ? 16 : 64;
        const double ex = fmin(me, 1.5 * exam);
        const double n2 = ceil(ex / c2), n5 = ceil(ex / c5);
        const double t2 = plan->m >= (size_t)c2
                              ? (ew ? 0.93 : 0.92) + (ew ? 2.2 : 1.4) * (n2 - 1) +
                                    (n2 > 1 ? 3.0 : 0.0)
                              : HUGE_VAL;
        const double t5 = isa >= HAM__ISA_AVX512
                              ? (plan->m < (size_t)c5 ? 0.62 : 1.1) +
                                    (ew ? 2.7 : 1.7) * (n5 - 1) + (n5 > 1 ? 3.0 : 0.0)
                              : HUGE_VAL;
        if (t2 <= t5) {
            c.ns[HAM__NV_EARLYEXIT] = t2;
            c.isa[HAM__NV_EARLYEXIT] = HAM__ISA_AVX2;
        } else {
            c.ns[HAM__NV_EARLYEXIT] = t5;
            c.isa[HAM__NV_EARLYEXIT] = HAM__ISA_AVX512;
        }
        if (c.ns[HAM__NV_EARLYEXIT] == HUGE_VAL) /* m < 32 without AVX-512: scalar */
            c.ns[HAM__NV_EARLYEXIT] = c.ns[HAM__NV_SCALAR];
    } else {
        c.ns[HAM__NV_EARLYEXIT] =
            c.ns[HAM__NV_SCALAR]; /* the portable form is scalar */
    }

    /* bit-sliced: per 64-bit word and plane, the absent plane counted as
     * half (blocks without absent symbols skip it); checks k every 8 words;
     * plus building the planes, about one id lookup per shift */
    if (st->bitsliced) {
        const double planes = (double)st->ncode + 0.5;
        const double words = ceil(m / 64.0);
        const double used =
            k == HAM_UNBOUNDED ? words : fmin(words, roundup(exam / 64, 8));
        const int fast = isa >= HAM__ISA_AVX512 && plan->cpu.has_vpopcntdq;
        c.ns[HAM__NV_BITSLICED] =
            (fast ? 0.5 : 1.5) + map + (fast ? 0.12 : 1.2) * planes * used;
    }

    /* kzero: the filter's own estimate (kzero.c), only for k = 0 plans */
    if (k == 0 && st->has_kz)
        c.ns[HAM__NV_KZERO] = ham__kzero_cost(&st->kz, plan);
    return c;
}

static int
pick_variant(const ham_plan *plan, const naive_state *st, uint32_t k, int *isa)
{
    variant_cost c = costs(plan, st, k);
    int v, best = HAM__NV_SHIFTPAR;
    for (v = HAM__NV_SCALAR; v < HAM__NV_COUNT_; v++)
        if (c.ns[v] < c.ns[best])
            best = v;
    *isa = c.isa[best];
    return best;
}

static double
naive_cost(const ham_plan *plan, size_t n)
{
    const naive_state *st = plan->eng[HAM_ENGINE_NAIVE];
    int isa;
    variant_cost c = costs(plan, st, plan->params.max_dist);
    return c.ns[pick_variant(plan, st, plan->params.max_dist, &isa)] *
           (double)(n - plan->m + 1);
}

int
ham__naive_dist_variant(const ham_plan *plan, const void *text, size_t n,
                        uint32_t *dist, uint32_t k, int variant, int isa)
{
    const naive_state *st = plan->eng[HAM_ENGINE_NAIVE];
    const size_t S = n - plan->m + 1;
    HAM_ASSERT(st != NULL && n >= plan->m);
    if (variant == HAM__NV_AUTO) {
        int pick_isa;
        variant = pick_variant(plan, st, k, &pick_isa);
        isa = pick_isa < isa ? pick_isa : isa;
    }
    isa = isa_cap(plan, isa);
    switch (variant) {
    case HAM__NV_SCALAR:
        if (plan->width == 1)
            scalar_u8(text, S, plan->pat.u8, st->pos, st->npos, dist, k);
        else
            scalar_u32(text, S, plan->pat.u32, st->pos, st->npos, dist, k);
        return HAM_OK;
    case HAM__NV_SHIFTPAR:
        return run_shiftpar(plan, st, isa, text, n, dist, k);
    case HAM__NV_EARLYEXIT:
        return run_earlyexit(plan, st, isa, text, n, dist, k);
    case HAM__NV_BITSLICED:
        return run_bitsliced(plan, st, isa, text, n, dist, k);
    case HAM__NV_KZERO: /* exact matching only; built here if the plan's k != 0 */
        if (k != 0)
            return HAM_EUNSUPPORTED;
        return ham__kzero_dist(st->has_kz ? &st->kz : NULL, plan, isa, text, n, dist);
    default:
        return HAM_EINVAL;
    }
}

static int
naive_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    return ham__naive_dist_variant(plan, text, n, dist, k, HAM__NV_AUTO, plan->cpu.isa);
}

const ham__engine_ops ham__naive_ops = {
    .id = HAM_ENGINE_NAIVE,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = naive_prepare,
    .release = naive_release,
    .cost = naive_cost,
    .dist = naive_dist,
};
