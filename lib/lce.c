/* SPDX-License-Identifier: MIT */
/*
 * lce.c -- longest common extensions for the k-mismatch engines
 * (algorithms.md 2.6) and the kangaroo walk built on them (7.2).
 *
 *   SA-IS      suffix array of an integer string in O(n) time (Nong, Zhang,
 *              Chan, DCC 2009): induced sorting of the LMS substrings,
 *              recursion on their names when they are not distinct, induced
 *              sorting of the suffixes from the sorted LMS suffixes. Any
 *              alphabet [0, K) (u32 texts after compaction have ids up to
 *              m), so no byte-only library (libdivsufsort) would do.
 *   LCP        Kasai et al. (CPM 2001), O(n).
 *   RMQ        minima of 32-entry blocks in a sparse table (O(n/32 log n)
 *              words); a query scans at most two partial blocks.
 *   index      per text block X: the arrays above for S = P' . 1 . X' . 0
 *              (lce.h); LCE(j, x) = min LCP between the ranks of P[j..] and
 *              X[x..], exact. Build O(m + |X|), query O(1) plus <= 62 reads.
 *   walks      kangaroo with direct SIMD chunks and the index built lazily
 *              per block (lce_tmpl.h), the context that kangaroo.c and
 *              kbounded.c share.
 *
 * Memory: the index of a block of L text symbols takes about 24 (m + L)
 * bytes plus SA-IS scratch; a walk context holds one index and a tail copy
 * of m + 2 HAM__KPAD symbols: O(m + block).
 */
#include "lce.h"

#include <stdlib.h>
#include <string.h>

/* ---- Padded patterns and text tails ---------------------------------------------- */

void *
ham__kpat_padded(const ham_plan *plan)
{
    const size_t m = plan->m, w = plan->width;
    unsigned char *p = ham__calloc(m + HAM__KPAD, w);
    if (p)
        memcpy(p, plan->pat.raw, m * w);
    return p;
}

size_t
ham__kinplace(size_t n, size_t m)
{
    /* a group of 64 shifts from i0 reads below i0 + 64 + m + 63 (a chunk of
     * 64 symbols at the last pattern position of its last shift) */
    if (n < m + 127)
        return 0;
    return (n - m - 127) / 64 * 64;
}

void *
ham__ktail(const void *text, size_t from, size_t n, unsigned width)
{
    unsigned char *c = ham__calloc(n - from + HAM__KPAD + 64, width);
    if (c)
        memcpy(c, (const unsigned char *)text + from * width, (n - from) * width);
    return c;
}

#if HAM__KX86
HAM__TARGET_AVX512 static void
fill32_avx512(uint32_t *d, size_t n, uint32_t v)
{
    const __m512i x = _mm512_set1_epi32((int)v);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_si512(d + i, x);
    if (i < n)
        _mm512_mask_storeu_epi32(d + i, (__mmask16)((1u << (n - i)) - 1), x);
}

HAM__TARGET_AVX2 static void
fill32_avx2(uint32_t *d, size_t n, uint32_t v)
{
    const __m256i x = _mm256_set1_epi32((int)v);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_si256((__m256i *)(d + i), x);
    for (; i < n; i++)
        d[i] = v;
}
#endif

void
ham__fill32(uint32_t *d, size_t n, uint32_t v, int isa)
{
    size_t i = 0;
#if HAM__KX86
    if (isa >= HAM__ISA_AVX512) {
        fill32_avx512(d, n, v);
        return;
    }
    if (isa >= HAM__ISA_AVX2) {
        fill32_avx2(d, n, v);
        return;
    }
#else
    (void)isa;
#endif
    for (; i + 4 <= n; i += 4) { /* let the compiler pair the stores */
        d[i] = v;
        d[i + 1] = v;
        d[i + 2] = v;
        d[i + 3] = v;
    }
    for (; i < n; i++)
        d[i] = v;
}

/* ---- SA-IS ----------------------------------------------------------------------- */

#define EMPTY UINT32_MAX

size_t
ham__sais_work(size_t n, size_t K)
{
    /* per level: n type bytes (as words) and two K-word bucket arrays;
     * levels shrink by half at least, names K' <= n / 2 */
    return 2 * ((n + 3) / 4 + 2) + 2 * K + 2 * n + 64;
}

static int
is_lms(const uint8_t *t, size_t i)
{
    return i > 0 && t[i] && !t[i - 1];
}

static void
bucket_bounds(const uint32_t *cnt, uint32_t *bkt, size_t K, int end)
{
    size_t c;
    uint32_t sum = 0;
    for (c = 0; c < K; c++) {
        sum += cnt[c];
        bkt[c] = end ? sum : sum - cnt[c];
    }
}

static void
induce(const uint32_t *s, uint32_t *sa, size_t n, const uint8_t *t, const uint32_t *cnt,
       uint32_t *bkt, size_t K)
{
    size_t i;
    bucket_bounds(cnt, bkt, K, 0); /* L-type suffixes, left to right */
    for (i = 0; i < n; i++) {
        const uint32_t j = sa[i];
        if (j != EMPTY && j > 0 && !t[j - 1])
            sa[bkt[s[j - 1]]++] = j - 1;
    }
    bucket_bounds(cnt, bkt, K, 1); /* S-type suffixes, right to left */
    for (i = n; i-- > 0;) {
        const uint32_t j = sa[i];
        if (j != EMPTY && j > 0 && t[j - 1])
            sa[--bkt[s[j - 1]]] = j - 1;
    }
}

/* Equal LMS substrings starting at a and b (both LMS positions)? */
static int
lms_equal(const uint32_t *s, const uint8_t *t, size_t a, size_t b)
{
    size_t d;
    for (d = 0;; d++) {
        if (s[a + d] != s[b + d] || t[a + d] != t[b + d])
            return 0;
        if (d > 0) {
            const int la = is_lms(t, a + d), lb = is_lms(t, b + d);
            if (la || lb)
                return la && lb;
        }
        /* the unique sentinel ends every comparison before a or b runs off */
    }
}

static void
sais_rec(const uint32_t *s, uint32_t *sa, size_t n, size_t K, uint32_t *work)
{
    uint8_t *t = (uint8_t *)work;
    uint32_t *cnt = work + (n + 3) / 4 + 1;
    uint32_t *bkt = cnt + K;
    uint32_t *next = bkt + K; /* scratch of the recursion */
    size_t i, n1 = 0, names = 0, j;
    uint32_t *s1, *sa1;

    if (n == 1) {
        sa[0] = 0;
        return;
    }
    /* types: S (1) or L (0); the sentinel is S */
    t[n - 1] = 1;
    for (i = n - 1; i-- > 0;)
        t[i] = (uint8_t)(s[i] < s[i + 1] || (s[i] == s[i + 1] && t[i + 1]));
    memset(cnt, 0, K * sizeof *cnt);
    for (i = 0; i < n; i++)
        cnt[s[i]]++;

    /* 1. sort the LMS substrings: LMS positions at their bucket ends, induce */
    for (i = 0; i < n; i++)
        sa[i] = EMPTY;
    bucket_bounds(cnt, bkt, K, 1);
    for (i = n; i-- > 1;)
        if (is_lms(t, i))
            sa[--bkt[s[i]]] = (uint32_t)i;
    induce(s, sa, n, t, cnt, bkt, K);

    /* 2. name them: sorted LMS positions to the front, names at n1 + pos / 2
     * (LMS positions are at least two apart) */
    for (i = 0; i < n; i++)
        if (is_lms(t, sa[i]))
            sa[n1++] = sa[i];
    for (i = n1; i < n; i++)
        sa[i] = EMPTY;
    for (i = 0; i < n1; i++) {
        const uint32_t pos = sa[i];
        if (i == 0 || !lms_equal(s, t, pos, sa[i - 1]))
            names++;
        sa[n1 + pos / 2] = (uint32_t)(names - 1);
    }
    for (i = n, j = n; i-- > n1;) /* the reduced string, in text order, at the end */
        if (sa[i] != EMPTY)
            sa[--j] = sa[i];
    s1 = sa + n - n1;
    sa1 = sa;

    /* 3. sort the LMS suffixes: recursively unless the names are distinct */
    if (names < n1) {
        sais_rec(s1, sa1, n1, names, next);
    } else {
        for (i = 0; i < n1; i++)
            sa1[s1[i]] = (uint32_t)i;
    }
    for (i = 1, j = 0; i < n; i++) /* s1 <- LMS positions in text order */
        if (is_lms(t, i))
            s1[j++] = (uint32_t)i;
    for (i = 0; i < n1; i++)
        sa1[i] = s1[sa1[i]];

    /* 4. induce the suffix array from the sorted LMS suffixes */
    for (i = n1; i < n; i++)
        sa[i] = EMPTY;
    bucket_bounds(cnt, bkt, K, 1);
    for (i = n1; i-- > 0;) {
        const uint32_t p = sa[i];
        sa[i] = EMPTY;
        sa[--bkt[s[p]]] = p;
    }
    induce(s, sa, n, t, cnt, bkt, K);
}

void
ham__sais(const uint32_t *s, uint32_t *sa, size_t n, size_t K, uint32_t *work)
{
    HAM_ASSERT(n >= 1 && s[n - 1] == 0);
    sais_rec(s, sa, n, K, work);
}

/* ---- LCE index ------------------------------------------------------------------- */

#define RMQ_B 32

void
ham__lce_init(ham__lce *x)
{
    memset(x, 0, sizeof *x);
}

void
ham__lce_free(ham__lce *x)
{
    free(x->s);
    free(x->sa);
    free(x->rank);
    free(x->lcp);
    free(x->bmin);
    free(x->sparse);
    free(x->work);
    ham__lce_init(x);
}

static int
lce_reserve(ham__lce *x, size_t len, size_t K)
{
    const size_t wk = ham__sais_work(len, K);
    if (len > x->cap) {
        const size_t nb = (len + RMQ_B - 1) / RMQ_B;
        size_t lv = 1;
        while (((size_t)1 << lv) < nb)
            lv++;
        free(x->s);
        free(x->sa);
        free(x->rank);
        free(x->lcp);
        free(x->bmin);
        free(x->sparse);
        x->s = ham__alloc(len, sizeof *x->s);
        x->sa = ham__alloc(len, sizeof *x->sa);
        x->rank = ham__alloc(len, sizeof *x->rank);
        x->lcp = ham__alloc(len, sizeof *x->lcp);
        x->bmin = ham__alloc(nb, sizeof *x->bmin);
        x->sparse = ham__alloc(nb * (lv + 1), sizeof *x->sparse);
        x->cap = 0;
        if (!x->s || !x->sa || !x->rank || !x->lcp || !x->bmin || !x->sparse)
            return HAM_ENOMEM;
        x->cap = len;
    }
    if (wk > x->work_cap) {
        free(x->work);
        x->work = ham__alloc(wk, sizeof(uint32_t));
        x->work_cap = 0;
        if (!x->work)
            return HAM_ENOMEM;
        x->work_cap = wk;
    }
    return HAM_OK;
}

int
ham__lce_build(ham__lce *x, const uint32_t *pid, size_t m, uint32_t sigma,
               const uint32_t *xid, size_t L)
{
    const size_t len = m + L + 2, K = (size_t)sigma + 3;
    size_t i, h, b, l;
    uint32_t *s, *sa, *rank, *lcp;
    int rc = lce_reserve(x, len, K);
    if (rc != HAM_OK)
        return rc;
    x->m = m;
    x->len = len;
    s = x->s;
    sa = x->sa;
    rank = x->rank;
    lcp = x->lcp;
    for (i = 0; i < m; i++)
        s[i] = pid[i] + 2;
    s[m] = 1;
    for (i = 0; i < L; i++)
        s[m + 1 + i] = xid[i] + 2; /* absent symbols (id 0) -> 2 */
    s[len - 1] = 0;
    ham__sais(s, sa, len, K, x->work);

    /* Kasai: lcp[r] = LCP of the suffixes of ranks r - 1 and r */
    for (i = 0; i < len; i++)
        rank[sa[i]] = (uint32_t)i;
    lcp[0] = 0;
    for (i = 0, h = 0; i < len; i++) {
        if (rank[i] == 0) {
            h = 0;
            continue;
        }
        {
            const size_t j = sa[rank[i] - 1];
            while (s[i + h] == s[j + h]) /* the unique sentinel stops it */
                h++;
            lcp[rank[i]] = (uint32_t)h;
            if (h > 0)
                h--;
        }
    }

    /* block minima and their sparse table */
    x->nblk = (len + RMQ_B - 1) / RMQ_B;
    for (b = 0; b < x->nblk; b++) {
        const size_t e = (b + 1) * RMQ_B < len ? (b + 1) * RMQ_B : len;
        uint32_t v = UINT32_MAX;
        for (i = b * RMQ_B; i < e; i++)
            v = lcp[i] < v ? lcp[i] : v;
        x->bmin[b] = v;
    }
    memcpy(x->sparse, x->bmin, x->nblk * sizeof *x->sparse);
    for (l = 1; ((size_t)1 << l) <= x->nblk; l++) {
        const uint32_t *prev = x->sparse + (l - 1) * x->nblk;
        uint32_t *cur = x->sparse + l * x->nblk;
        const size_t half = (size_t)1 << (l - 1);
        for (b = 0; b + 2 * half <= x->nblk; b++)
            cur[b] = prev[b] < prev[b + half] ? prev[b] : prev[b + half];
    }
    x->levels = l;
    return HAM_OK;
}

/* min lcp[lo..hi], lo <= hi */
static uint32_t
rmq(const ham__lce *x, size_t lo, size_t hi)
{
    const uint32_t *lcp = x->lcp;
    const size_t bl = lo / RMQ_B, bh = hi / RMQ_B;
    uint32_t v = UINT32_MAX;
    size_t i;
    if (bh - bl <= 1) {
        for (i = lo; i <= hi; i++)
            v = lcp[i] < v ? lcp[i] : v;
        return v;
    }
    for (i = lo; i < (bl + 1) * RMQ_B; i++)
        v = lcp[i] < v ? lcp[i] : v;
    for (i = bh * RMQ_B; i <= hi; i++)
        v = lcp[i] < v ? lcp[i] : v;
    {
        /* blocks bl + 1 .. bh - 1 by two overlapping powers of two */
        const size_t a = bl + 1, cnt = bh - 1 - a + 1;
        size_t l = 0;
        uint32_t u, w;
        while (((size_t)2 << l) <= cnt)
            l++;
        u = x->sparse[l * x->nblk + a];
        w = x->sparse[l * x->nblk + bh - ((size_t)1 << l)];
        u = u < w ? u : w;
        v = u < v ? u : v;
    }
    return v;
}

size_t
ham__lce_query(const ham__lce *x, size_t j, size_t xpos)
{
    size_t a = x->rank[j], b = x->rank[x->m + 1 + xpos];
    if (a > b) {
        size_t c = a;
        a = b;
        b = c;
    }
    return rmq(x, a + 1, b);
}

/* ---- Kangaroo walks -------------------------------------------------------------- */

size_t
ham__kg_block(size_t m)
{
    /* the pattern and the overlap (2m) are re-sorted with every block:
     * blocks of 4m keep that at a third of the build; 16384 amortises the
     * per-build overheads of short patterns */
    const size_t b = 4 * m;
    return b > 16384 ? b : 16384;
}

/* Build the index of the block at g->blk_b. */
static int
kg_build(ham__kg *g)
{
    const ham_plan *plan = g->plan;
    const size_t L0 = g->B + g->m - 1;
    const size_t L = g->n - g->blk_b < L0 ? g->n - g->blk_b : L0;
    int rc;
    if (!g->ids) {
        g->ids = ham__alloc(L0, sizeof *g->ids);
        if (!g->ids)
            return HAM_ENOMEM;
    }
    ham__map_ids(plan, (const unsigned char *)g->text + g->blk_b * plan->width, L,
                 g->ids);
    rc = ham__lce_build(&g->lce, plan->pid, g->m, plan->sigma, g->ids, L);
    if (rc != HAM_OK)
        return rc;
    g->built = 1;
    g->builds++;
    return HAM_OK;
}

/* The index of the block holding shift iabs, if it exists or the ski
 * rental says to build it now; 0 means "compare chunks". */
static HAM__NOINLINE int
kg_index_for(ham__kg *g, size_t iabs)
{
    if (iabs - g->blk_b >= g->B) { /* a new block: fresh index and budget */
        g->blk_b = iabs / g->B * g->B;
        g->built = 0;
        g->eq_work = 0;
    }
    if (g->built)
        return 1;
    if (g->mode == HAM__KG_DIRECT || g->failed)
        return 0;
    if (g->mode == HAM__KG_AUTO && ++g->eq_work < g->budget)
        return 0;
    if (kg_build(g) != HAM_OK) {
        g->failed = 1; /* out of memory: direct chunks are exact too */
        return 0;
    }
    return 1;
}

/* Pure kangaroo (HAM__KG_INDEX): one index query per extension. */
static uint32_t
kg_walk_index(ham__kg *g, size_t iabs)
{
    const size_t m = g->m;
    size_t j = 0;
    uint32_t d = 0;
    for (;;) {
        j += ham__lce_query(&g->lce, j, iabs - g->blk_b + j);
        if (j >= m)
            return d;
        if (++d > g->k)
            return g->k + 1;
        if (++j >= m)
            return d;
    }
}

#define SYM    uint8_t
#define SUF(x) x##_u8_port
#define MISM   ham__mism8_port
#define TARGET
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET

#define SYM    uint32_t
#define SUF(x) x##_u32_port
#define MISM   ham__mism32_port
#define TARGET
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET

#if HAM__KX86
#define SYM    uint8_t
#define SUF(x) x##_u8_avx2
#define MISM   ham__mism8_avx2
#define TARGET HAM__TARGET_AVX2
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET

#define SYM    uint32_t
#define SUF(x) x##_u32_avx2
#define MISM   ham__mism32_avx2
#define TARGET HAM__TARGET_AVX2
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET

#define SYM    uint8_t
#define SUF(x) x##_u8_avx512
#define MISM   ham__mism8_avx512
#define TARGET HAM__TARGET_AVX512
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET

#define SYM    uint32_t
#define SUF(x) x##_u32_avx512
#define MISM   ham__mism32_avx512
#define TARGET HAM__TARGET_AVX512
#include "lce_tmpl.h"
#undef SYM
#undef SUF
#undef MISM
#undef TARGET
#endif

int
ham__kg_init(ham__kg *g, const ham_plan *plan, const void *p, const void *text,
             size_t n, uint32_t k, int mode)
{
    memset(g, 0, sizeof *g);
    ham__lce_init(&g->lce);
    g->plan = plan;
    g->p = p;
    g->m = plan->m;
    g->k = k < plan->m ? k : (uint32_t)plan->m;
    g->mode = mode;
    g->isa = plan->cpu.isa;
    g->text = text;
    g->n = n;
    g->B = ham__kg_block(plan->m);
    g->blk_b = SIZE_MAX - g->B; /* no block yet */
    g->S_in = ham__kinplace(n, plan->m);
    /* Ski rental: build once the chunks compared inside long runs of equal
     * symbols in this block cost what a build does. A build costs about
     * HAM__KG_BUILD_CHUNKS chunk compares per symbol of S (lce.h). */
    g->budget = (uint64_t)HAM__KG_BUILD_CHUNKS * (uint64_t)(g->B + 2 * g->m);
    return HAM_OK;
}

void
ham__kg_free(ham__kg *g)
{
    ham__lce_free(&g->lce);
    free(g->ids);
    if (g->tail_owned)
        free(g->tail);
    g->ids = NULL;
    g->tail = NULL;
}

void
ham__kg_use_tail(ham__kg *g, const void *tail, size_t from)
{
    HAM_ASSERT(from <= g->S_in && !g->tail);
    g->tail = (unsigned char *)(uintptr_t)tail; /* read only */
    g->tail_from = from;
    g->tail_owned = 0;
}

/* The text holding shift iabs with HAM__KPAD symbols of slack: the caller's
 * text for the in-place shifts, else the tail copy (made once). *base gets
 * the absolute position of its first symbol. NULL: out of memory. */
static const void *
kg_text_for(ham__kg *g, size_t iabs, size_t *base)
{
    if (iabs < g->S_in) {
        *base = 0;
        return g->text;
    }
    if (!g->tail) {
        g->tail = ham__ktail(g->text, g->S_in, g->n, g->plan->width);
        if (!g->tail)
            return NULL;
        g->tail_from = g->S_in;
        g->tail_owned = 1;
    }
    *base = g->tail_from;
    return g->tail;
}

/* Shifts [i0, i1) of one text part (in place, or the tail) into dist[i0..). */
static void
kg_range(ham__kg *g, const void *t, size_t base, size_t i0, size_t i1, uint32_t *dist)
{
    const int wide = g->plan->width == 4;
    size_t i;
    if (g->mode == HAM__KG_INDEX) {
        for (i = i0; i < i1; i++) {
            if (kg_index_for(g, i)) {
                dist[i - i0] = kg_walk_index(g, i);
                continue;
            }
            /* no memory for the index: the chunked walk is exact too */
            dist[i - i0] = wide ? walk_u32_port(g, t, i - base, i)
                                : walk_u8_port(g, t, i - base, i);
        }
        return;
    }
#if HAM__KX86
    if (g->isa >= HAM__ISA_AVX512) {
        if (wide)
            walk_range_u32_avx512(g, t, i0 - base, i1 - base, base, dist);
        else
            walk_range_u8_avx512(g, t, i0 - base, i1 - base, base, dist);
        return;
    }
    if (g->isa >= HAM__ISA_AVX2) {
        if (wide)
            walk_range_u32_avx2(g, t, i0 - base, i1 - base, base, dist);
        else
            walk_range_u8_avx2(g, t, i0 - base, i1 - base, base, dist);
        return;
    }
#endif
    if (wide)
        walk_range_u32_port(g, t, i0 - base, i1 - base, base, dist);
    else
        walk_range_u8_port(g, t, i0 - base, i1 - base, base, dist);
}

static void
kg_bits(ham__kg *g, const void *t, size_t base, const uint64_t *bits, size_t r0,
        size_t r1, size_t i0, uint32_t *dist)
{
    const int wide = g->plan->width == 4;
    if (g->mode == HAM__KG_INDEX) {
        size_t w;
        for (w = r0 / 64; w * 64 < r1; w++) {
            uint64_t b = bits[w];
            if (w * 64 < r0)
                b &= ~ham__lowbits((unsigned)(r0 - w * 64));
            if ((w + 1) * 64 > r1)
                b &= ham__lowbits((unsigned)(r1 - w * 64));
            while (b) {
                const size_t r = w * 64 + (size_t)ham__ctz64(b);
                b &= b - 1;
                kg_range(g, t, base, i0 + r, i0 + r + 1, dist + r);
            }
        }
        return;
    }
#if HAM__KX86
    if (g->isa >= HAM__ISA_AVX512) {
        if (wide)
            walk_bits_u32_avx512(g, t, base, bits, r0, r1, i0, dist);
        else
            walk_bits_u8_avx512(g, t, base, bits, r0, r1, i0, dist);
        return;
    }
    if (g->isa >= HAM__ISA_AVX2) {
        if (wide)
            walk_bits_u32_avx2(g, t, base, bits, r0, r1, i0, dist);
        else
            walk_bits_u8_avx2(g, t, base, bits, r0, r1, i0, dist);
        return;
    }
#endif
    if (wide)
        walk_bits_u32_port(g, t, base, bits, r0, r1, i0, dist);
    else
        walk_bits_u8_port(g, t, base, bits, r0, r1, i0, dist);
}

int
ham__kg_dist(ham__kg *g, uint32_t *dist)
{
    const size_t S = g->n - g->m + 1;
    const size_t a = g->S_in < S ? g->S_in : S;
    size_t base;
    const void *t;
    if (a > 0)
        kg_range(g, g->text, 0, 0, a, dist);
    if (a == S)
        return HAM_OK;
    t = kg_text_for(g, a, &base);
    if (!t)
        return HAM_ENOMEM;
    kg_range(g, t, base, a, S, dist + a);
    return HAM_OK;
}

int
ham__kg_dist_bits(ham__kg *g, const uint64_t *bits, size_t i0, size_t i1,
                  uint32_t *dist)
{
    const size_t a = g->S_in < i0 ? i0 : (g->S_in < i1 ? g->S_in : i1);
    size_t base;
    const void *t;
    if (a > i0)
        kg_bits(g, g->text, 0, bits, 0, a - i0, i0, dist);
    if (a == i1)
        return HAM_OK;
    t = kg_text_for(g, a, &base);
    if (!t)
        return HAM_ENOMEM;
    kg_bits(g, t, base, bits, a - i0, i1 - i0, i0, dist);
    return HAM_OK;
}
