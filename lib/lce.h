/* SPDX-License-Identifier: MIT */
/*
 * lce.h -- private to the k-mismatch engines (kangaroo.c, kbounded.c,
 * bitparallel.c, kzero.c, naive.c's k = 0 variant) and their tests:
 *
 *   - SIMD mismatch masks of up to 64 symbols (the "direct" LCE of
 *     algorithms.md 2.6, option 3), inline, one per ISA and width;
 *   - the exact LCE index of one text block (2.6 option 1): suffix array of
 *     P . sep . X by SA-IS, LCP by Kasai, block RMQ; lce.c;
 *   - the kangaroo walk (7.2) with direct comparison for short extensions
 *     and the index for long ones, built lazily per block (lce.c);
 *   - the sampled-position SIMD filter ("sieve", kzero.c) used for k = 0 by
 *     the naive engine and as the candidate filter of kbounded (7.4-7.5).
 *
 * Text convention of every kernel here: a kernel asked for shifts [0, S) of
 * a text may read symbols up to S + m - 1 + HAM__KPAD (whole 64-shift groups
 * and whole 64-symbol chunks); drivers run the last shifts from a padded
 * copy (ham__ktail_*). The pattern copies kept here carry the same padding.
 */
#ifndef HAM_LCE_H
#define HAM_LCE_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* Symbols of slack a kernel may read past the last window it serves, and
 * the granularity of its shift groups. */
#define HAM__KPAD 128

#if defined(__GNUC__)
#define HAM__ALWAYS_INLINE __attribute__((always_inline))
#define HAM__NOINLINE      __attribute__((noinline))
#else
#define HAM__ALWAYS_INLINE
#define HAM__NOINLINE
#endif

#if defined(HAM_HAVE_X86_DISPATCH) && defined(__x86_64__)
#define HAM__KX86 1
#include <immintrin.h>
#define HAM__TARGET_AVX2   __attribute__((target("avx2,bmi,bmi2,popcnt")))
#define HAM__TARGET_AVX512 __attribute__((target("avx512f,avx512bw,bmi,bmi2,popcnt")))
#else
#define HAM__KX86 0
#endif

/* Population count. In functions compiled for an ISA with POPCNT (the
 * target-attributed kernels) the builtin is one instruction; generic code
 * uses ham__popcount64_sw, since there the builtin is a libgcc call. */
static inline int
ham__popcount64(uint64_t x)
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

static inline int
ham__popcount64_sw(uint64_t x)
{
    x = x - (x >> 1 & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + (x >> 2 & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (int)((x * 0x0101010101010101u) >> 56);
}

static inline int
ham__ctz64(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int c = 0;
    while (!(x & 1)) {
        x >>= 1;
        c++;
    }
    return c;
#endif
}

/* Bits 0 .. len-1 set (len <= 64). */
static inline uint64_t
ham__lowbits(unsigned len)
{
    return len >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << len) - 1);
}

/* ---- Mismatch masks: bit l set iff a[l] != b[l], for l < len (1..64).
 * Both a and b must be readable for 64 symbols. ---------------------------- */

static inline uint64_t
ham__mism8_port(const uint8_t *a, const uint8_t *b, unsigned len)
{
    uint64_t x = 0;
    unsigned l;
    for (l = 0; l < len; l++)
        x |= (uint64_t)(a[l] != b[l]) << l;
    return x;
}

static inline uint64_t
ham__mism32_port(const uint32_t *a, const uint32_t *b, unsigned len)
{
    uint64_t x = 0;
    unsigned l;
    for (l = 0; l < len; l++)
        x |= (uint64_t)(a[l] != b[l]) << l;
    return x;
}

#if HAM__KX86
HAM__TARGET_AVX2 static inline uint64_t
ham__mism8_avx2(const uint8_t *a, const uint8_t *b, unsigned len)
{
    const __m256i e0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)a),
                                         _mm256_loadu_si256((const __m256i *)b));
    uint64_t eq = (uint32_t)_mm256_movemask_epi8(e0);
    if (len > 32) {
        const __m256i e1 =
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(a + 32)),
                              _mm256_loadu_si256((const __m256i *)(b + 32)));
        eq |= (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;
    }
    return ~eq & ham__lowbits(len);
}

HAM__TARGET_AVX2 static inline uint64_t
ham__mism32_avx2(const uint32_t *a, const uint32_t *b, unsigned len)
{
    uint64_t eq = 0;
    unsigned q;
    for (q = 0; q * 8 < len; q++) {
        const __m256i e =
            _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(a + 8 * q)),
                               _mm256_loadu_si256((const __m256i *)(b + 8 * q)));
        eq |= (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(e)) << (8 * q);
    }
    return ~eq & ham__lowbits(len);
}

HAM__TARGET_AVX512 static inline uint64_t
ham__mism8_avx512(const uint8_t *a, const uint8_t *b, unsigned len)
{
    return _mm512_cmpneq_epi8_mask(_mm512_loadu_si512(a), _mm512_loadu_si512(b)) &
           ham__lowbits(len);
}

HAM__TARGET_AVX512 static inline uint64_t
ham__mism32_avx512(const uint32_t *a, const uint32_t *b, unsigned len)
{
    uint64_t ne = (uint16_t)_mm512_cmpneq_epi32_mask(_mm512_loadu_si512(a),
                                                     _mm512_loadu_si512(b));
    unsigned q;
    for (q = 1; q * 16 < len; q++)
        ne |= (uint64_t)(uint16_t)_mm512_cmpneq_epi32_mask(
                  _mm512_loadu_si512(a + 16 * q), _mm512_loadu_si512(b + 16 * q))
              << (16 * q);
    return ne & ham__lowbits(len);
}
#endif

/* ---- Padded pattern and text tails -------------------------------------- */

/* d[0..n) = v with the ISA's widest stores: every k-bounded engine writes
 * k + 1 for nearly all shifts, and a scalar loop (what -O2 makes of it) costs
 * a quarter of a nanosecond per shift. */
void ham__fill32(uint32_t *d, size_t n, uint32_t v, int isa);

/* The raw pattern followed by HAM__KPAD zero symbols, so that chunk loads at
 * any j < m stay inside it. */
void *ham__kpat_padded(const ham_plan *plan);

/* Shifts a kernel may serve in place in a text of n >= m symbols: every
 * shift of a whole group of 64 whose reads (see above) stay below n. */
size_t ham__kinplace(size_t n, size_t m);

/* A padded copy of text[from .. n) (width symbols) followed by HAM__KPAD + 64
 * zero symbols; NULL on allocation failure. Release with free(). */
void *ham__ktail(const void *text, size_t from, size_t n, unsigned width);

/* ---- Exact LCE index of one text block (lce.c) ------------------------------
 *
 * For a block X = text[b .. b + L) the integer string
 *     S = P' . 1 . X' . 0,  P' = id + 2 (>= 3), X' = id + 2, or 2 for id 0
 * (0 the unique end sentinel, 1 the unique separator, 2 "absent from P")
 * gets its suffix array (SA-IS, O(|S|)), inverse, LCP (Kasai, O(|S|)) and a
 * block RMQ: minima of 32-entry blocks in a sparse table. LCE(j, x) of
 * P[j..m) and X[x..L) is the minimum LCP between their ranks; the separator
 * caps it at m - j and the sentinel at L - x. Always exact.
 * Memory: about 24 |S| bytes plus the SA-IS recursion (<= 12 |S|).
 */
typedef struct ham__lce {
    size_t m, cap, len; /* pattern length, capacity and length of S */
    uint32_t *s, *sa, *rank, *lcp, *bmin, *sparse;
    size_t nblk, levels;
    void *work; /* SA-IS scratch */
    size_t work_cap;
} ham__lce;

/* Suffix array of s[0..n-1] over the integer alphabet [0, K): s[n-1] == 0 and
 * no other 0. work: scratch of ham__sais_work(n, K) words. Exposed for tests. */
size_t ham__sais_work(size_t n, size_t K);
void ham__sais(const uint32_t *s, uint32_t *sa, size_t n, size_t K, uint32_t *work);

void ham__lce_init(ham__lce *x);
void ham__lce_free(ham__lce *x);
/* Build for pattern ids pid[0..m) (plan->pid, no wildcard) and the block's
 * text ids xid[0..L). Returns HAM_OK or HAM_ENOMEM. */
int ham__lce_build(ham__lce *x, const uint32_t *pid, size_t m, uint32_t sigma,
                   const uint32_t *xid, size_t L);
/* LCE of P[j..m) and X[x..L), j < m, x < L. */
size_t ham__lce_query(const ham__lce *x, size_t j, size_t xpos);

/* ---- Kangaroo walks (lce.c) --------------------------------------------------
 *
 * A context serves increasing shifts of one text (the dist call's): d(i) or
 * k + 1 by chunks of 64 symbols (popcount of mismatch masks, early exit
 * above k); a run of equal chunks longer than HAM__KG_RUN switches to an
 * exact LCE jump once the block's index exists. The index of a block (text
 * shifts [b, b + B), B = ham__kg_block(m)) is built lazily, ski-rental
 * style: when the chunks spent inside long runs of the block reach the
 * estimated build cost, which keeps the total within twice the better of
 * "never build" and "build at once" for that block.
 */
enum {
    HAM__KG_AUTO = 0, /* direct chunks, index when the ski rental says so     */
    HAM__KG_DIRECT,   /* never build the index (K1 with skipping)             */
    HAM__KG_INDEX,    /* pure K2: every extension by an index LCE query        */
    HAM__KG_COUNT_
};

/* Equal chunks in a row before an extension counts as long and asks the
 * index: an index query (~40 ns, a cache miss per array) costs about as many
 * 64-symbol compares (~1 ns each), so only longer runs can gain from it.
 * Measured on the Zen 4 VM, gcc 12 -O2, by timing ham__lce_build and 10^6
 * random ham__lce_query calls (m = 100 .. 6000, L = 16384 .. 30000,
 * sigma = 1 .. 30) against kangaroo's chunk walk on the same texts; the
 * kangaroo_builds test keeps the rental honest (an index must get built on
 * a text of long extensions). */
#define HAM__KG_RUN 32
/* Cost of an index build per symbol of S, in 64-symbol chunk compares: the
 * same measurement gave 22-52 ns per symbol (SA-IS + Kasai + RMQ). */
#define HAM__KG_BUILD_CHUNKS 48

typedef struct ham__kg {
    const ham_plan *plan;
    const void *p; /* padded pattern (plan width) */
    size_t m;
    uint32_t k; /* min(k, m): above it the walk stops */
    int mode, isa;
    const void *text; /* the call's text, n symbols */
    size_t n;
    size_t S_in;         /* shifts served in place; the rest from tail */
    unsigned char *tail; /* padded copy of text[tail_from .. n), on demand */
    size_t tail_from;    /* <= S_in */
    int tail_owned;
    /* lazy index of the block of shifts [blk_b, blk_b + B) */
    size_t B, blk_b;
    ham__lce lce;
    uint32_t *ids; /* block ids, B + m - 1 */
    int built;     /* index valid for blk_b */
    int failed;    /* an allocation failed: direct chunks from now on */
    uint64_t eq_work, budget;
    size_t builds; /* statistics, for tests */
} ham__kg;

/* Shifts per index block for pattern length m. */
size_t ham__kg_block(size_t m);
/* A context for bound k over the call's text[0..n) (plan width), with the
 * padded pattern p; mode HAM__KG_*. The text needs no padding: the last
 * shifts are served from a padded copy (made on demand, or the caller's
 * through ham__kg_use_tail). Returns HAM_OK. */
int ham__kg_init(ham__kg *g, const ham_plan *plan, const void *p, const void *text,
                 size_t n, uint32_t k, int mode);
void ham__kg_free(ham__kg *g);
/* Use the caller's padded copy of text[from .. n) (ham__ktail, from <= the
 * context's in-place limit, kept alive by the caller) instead of making one. */
void ham__kg_use_tail(ham__kg *g, const void *tail, size_t from);
/* Dense k-bounded distances of shifts [0, n - m] of the context's text,
 * in place where possible and from a padded tail copy at the end. */
int ham__kg_dist(ham__kg *g, uint32_t *dist);
/* The same for the shifts i in [i0, i1) whose bit is set in bits, both
 * relative to i0: bit r of bits (bit r % 64 of bits[r / 64]) is shift i0 + r,
 * whose distance goes to dist[r]; other entries untouched. */
int ham__kg_dist_bits(ham__kg *g, const uint64_t *bits, size_t i0, size_t i1,
                      uint32_t *dist);

/* ---- The sampled-position filter (kzero.c) -----------------------------------
 *
 * s pattern positions are compared with the text for 64 consecutive shifts
 * at once (one vector compare per position, 8-bit match counters); a shift
 * is a candidate when at least s - k of them match. Every shift with at most
 * k mismatches is a candidate (mismatches among the samples <= all
 * mismatches), so the filter never loses an occurrence. Positions are the
 * pattern's rarest symbols first (their pattern frequency standing in for
 * the text's, algorithms.md 10.4) and s minimises the expected cost
 * s * (compare) + P(candidate) * (verification) on unrelated text.
 */
typedef struct ham__sieve {
    uint32_t k;    /* the bound it was built for                            */
    size_t s;      /* samples (0: every shift is a candidate)               */
    uint32_t need; /* matches needed: s - k                                 */
    uint32_t *pos; /* sample positions                                      */
    uint32_t *sym; /* their raw symbols (u8 plans: byte values)             */
    double fpr;    /* expected candidate rate on unrelated text             */
    double ns;     /* expected ns/shift of filter + verification            */
} ham__sieve;

void ham__sieve_free(ham__sieve *sv);
/* Choose the samples for bound k (wildcard positions never sampled). */
int ham__sieve_build(ham__sieve *sv, const ham_plan *plan, uint32_t k);
/* Candidate bits of shifts [0, S) (bit i % 64 of bits[i / 64]; bits past S
 * in the last word are 0). text readable up to S + m - 1 + HAM__KPAD. */
void ham__sieve_bits(const ham__sieve *sv, const ham_plan *plan, int isa,
                     const void *text, size_t S, uint64_t *bits);

/* ---- k = 0 (kzero.c), the naive engine's HAM__NV_KZERO variant -------------- */

typedef struct ham__kzero {
    ham__sieve sv;  /* built for k = 0 */
    void *p;        /* padded pattern */
    uint64_t *care; /* per 64 positions: not the wildcard (NULL: no wildcard) */
} ham__kzero;

int ham__kzero_prepare(ham__kzero *z, const ham_plan *plan);
void ham__kzero_free(ham__kzero *z);
/* Expected ns per shift. */
double ham__kzero_cost(const ham__kzero *z, const ham_plan *plan);
/* Exact matching: dist[i] = 0 where the window equals P (wildcards match
 * anything), else 1 (= k + 1 for k = 0). z may be NULL (built on the fly). */
int ham__kzero_dist(const ham__kzero *z, const ham_plan *plan, int isa,
                    const void *text, size_t n, uint32_t *dist);

/* ---- Internal entry points for tests and bench ------------------------------- */

/* kangaroo with a forced HAM__KG_* mode; *builds (may be NULL) gets the
 * number of index builds. */
int ham__kangaroo_dist_mode(const ham_plan *plan, const void *text, size_t n,
                            uint32_t *dist, uint32_t k, int mode, size_t *builds);

/* kbounded paths, forced per block. */
enum {
    HAM__KB_AUTO = 0, /* per block, by estimated cost                        */
    HAM__KB_VERIFY,   /* sieve + kangaroo verification of every candidate    */
    HAM__KB_PERIODIC, /* Lemma 2/3 periodic blocks wherever the plan has d*  */
    HAM__KB_NOFILTER, /* every shift a candidate (tests the verification)    */
    HAM__KB_COUNT_
};
typedef struct ham__kb_stats {
    size_t blocks, periodic_blocks, candidates, verified;
    size_t period; /* d* of the plan, 0 if none */
} ham__kb_stats;
int ham__kbounded_dist_path(const ham_plan *plan, const void *text, size_t n,
                            uint32_t *dist, uint32_t k, int path, ham__kb_stats *st);

#endif /* HAM_LCE_H */
