/* SPDX-License-Identifier: MIT */
/*
 * kbounded.c -- K4, the structural k-mismatch engine (algorithms.md 7.4,
 * 7.5; in the spirit of Chan, Jin, Vassilevska Williams, Xu, FOCS 2023,
 * O(n + nk/sqrt(m)), and of Gawrychowski-Uznanski ICALP 2018 and
 * Chan-Golan-Kociumaka-Kopelowitz-Porat STOC 2020). doc/kbounded.md says
 * the same at more length, with proofs.
 *
 * Plan (O(m log m) + O(dmax k) time, O(m) memory):
 *   - the sampled-position filter for k (kzero.c): s rarest pattern
 *     positions, a shift is a candidate when at most k of them mismatch;
 *   - the self-distances SD(d) = #{j < m - d : P[j] != P[j + d]} for
 *     d <= dmax = min(m/2, max(k, 16), 1024), with early exit; the period
 *     d* minimises d + SD(d) among those with SD(d) <= 4k; and the
 *     second-difference list of P for d* (Lemma 3), bucketed by symbol id:
 *     Delta f_c[j] = [P[j] = c] - [P[j - d] = c], j in [0, m + d), at most
 *     2d + 2 SD(d) entries.
 *
 * Per call, all shifts: the filter gives candidate bits (O(n s / 64) vector
 * operations), and the candidates are resolved block by block, by whichever
 * of two exact methods the cost model prefers for that block:
 *   verify    the kangaroo walk of each candidate (lce.c: 64-symbol compares,
 *             exact LCE jumps on a lazily built suffix-array index): O(k)
 *             chunk compares or index queries per candidate;
 *   periodic  (plans with d*, blocks of W = m - d* shifts, so that any two
 *             shifts of a block have overlapping windows):
 *             Lemma 2 keeps only shifts whose windows have at most 2k + SD(d)
 *             text changes X[x] != X[x + d] (a shift with <= k mismatches
 *             has no more); with s1, s2 the first and last remaining
 *             candidates, Lemma 3 gives the exact match counts of every
 *             shift in [s1, s2] from the second differences of the text on
 *             the region [s1, s2 + m): R(i) = sum over symbols of the
 *             correlation of Delta f_c with Delta g_c (pairs of entries,
 *             at most (2d + 24k)(2d + 10k) per block), then
 *             C(i + d) = 2 C(i) - C(i - d) - R(i) from C = 0 left of the
 *             region. O(W + m + pairs) per block, independent of the number
 *             of candidates, where verification is O(k) or O(m/64) each.
 * Both are exact on every input; d* and the filter only decide speed. The
 * choice is made three times per block (before Lemma 2, after it, after
 * counting the pairs), and patterns too short for a periodic block ever to
 * beat verification (one or two chunks per walk) skip it in AUTO. Shifts go
 * in chunks of 8192 (or whole blocks): filter, fill with k + 1, resolve,
 * while the chunk is in cache. On unrelated text almost no block has a
 * candidate, and the engine costs the filter: ~0.25-0.45 ns per shift
 * through ham_kmis_u8 for DNA and English with k <= 8 (AVX-512).
 *
 * Complexity: O(n s/64 + C_f k) with C_f the candidates (filter + verify;
 * s <= 255), and O(n + n (d + k)^2 / m) for periodic blocks. Departures from
 * the literature and from algorithms.md 7.4 (doc/kbounded.md):
 *   - pair enumeration only: no per-symbol FFT of Delta f_c, Delta g_c and no
 *     CJVWX sumset, so heavy blocks cost O((d + k)^2) instead of
 *     O(k sqrt(m log m)); such blocks fall back to verification when that
 *     is cheaper, which the cost model decides per block;
 *   - the aperiodic filter is the SIMD sampled-position filter, not
 *     pigeonhole hashing or hashed colours (7.5); it is exact as a filter
 *     and on this hardware cheaper than either wherever a filter pays;
 *   - K3 (Amir-Lewenstein-Porat marking) is not used: on this machine its
 *     O(sqrt k) scattered vote increments per text position cost more than
 *     the sampled filter's O(s/64) vector compares at every k where
 *     filtering pays, and beyond that AUTO prefers exact engines;
 *   - d* may exceed k (up to max(k, 16)): (AB)^(m/2) with k = 1 has period
 *     2 > k, and the periodic path is still exact and fast there.
 * No wildcard (Lemmas 1-3 count pattern self-mismatches): forcing this
 * engine with one gives HAM_EUNSUPPORTED.
 *
 * Memory: O(m + sigma) per plan; per call one bit per shift of a chunk (on
 * the stack up to 8192 shifts), the kangaroo context (an index of O(m +
 * block) when built), one padded tail copy of O(m) symbols, and O(m + sigma)
 * block scratch for periodic plans.
 */
#include "lce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct dp_entry {
    uint32_t j; /* position (pattern) or offset (text region) */
    int32_t u;  /* +1 or -1 */
} dp_entry;

typedef struct kb_state {
    void *p;            /* padded pattern */
    ham__sieve sv;      /* for the plan's k */
    size_t d;           /* d*, 0: no usable period */
    uint32_t sd;        /* SD(d*) */
    int periodic;       /* AUTO considers periodic blocks (the forced path always) */
    uint32_t *dp_start; /* CSR by id: Delta f entries of id c at dp[dp_start[c] ..] */
    dp_entry *dp;
} kb_state;

static void
kb_free(kb_state *st)
{
    free(st->p);
    ham__sieve_free(&st->sv);
    free(st->dp_start);
    free(st->dp);
    memset(st, 0, sizeof *st);
}

/* d* and SD(d*) for bound k: smallest d + SD(d) with SD(d) <= 4k. */
static void
choose_period(const ham_plan *plan, uint32_t k, size_t *d_out, uint32_t *sd_out)
{
    const size_t m = plan->m;
    const uint32_t *pid = plan->pid;
    const uint64_t lim = 4 * (uint64_t)k;
    uint64_t best = UINT64_MAX;
    size_t dmax = m / 2, d;
    *d_out = 0;
    *sd_out = 0;
    if (dmax > (k > 16 ? k : 16))
        dmax = k > 16 ? k : 16;
    if (dmax > 1024) /* bounds plan time at O(1024 k); any d is exact */
        dmax = 1024;
    for (d = 1; d <= dmax && d < best; d++) {
        /* to improve: d + SD < best */
        const uint64_t cap = best - d - 1 < lim ? best - d - 1 : lim;
        uint64_t sd = 0;
        size_t j;
        for (j = 0; j + d < m && sd <= cap; j++)
            sd += pid[j] != pid[j + d];
        if (sd <= cap) {
            best = d + sd;
            *d_out = d;
            *sd_out = (uint32_t)sd;
        }
    }
}

/* Per-block choice, in ns: a candidate's verification when it is an
 * occurrence walks the whole window (~1.15 ns per 64-symbol chunk with
 * bytes); the periodic path costs per block symbol for Lemma 2 (~1.4), per
 * region symbol for ids, Delta g and the recurrence (~3.2), and per
 * enumerated pair. Measured on (AB)^n texts with substitutions at rate
 * 1/300 .. 1/2000, m = 200, 1000, 10000, k = 4, 8, through
 * ham__kbounded_dist_path with each path forced (tests' hook; the periodic
 * path is 8.5-14 ns per shift, verification 3 / 10 / 210 ns per shift),
 * Zen 4 VM, gcc 12 -O2. */
typedef struct kb_costs {
    double occ, good, region, pair;
} kb_costs;

static kb_costs
block_costs(const ham_plan *plan)
{
    kb_costs c;
    const double chunks = ceil((double)plan->m / 64.0);
    const int wide = plan->width == 4;
    const int simd = plan->cpu.isa >= HAM__ISA_AVX2;
    c.occ = simd ? (wide ? 2.0 + 3.5 * chunks : 1.0 + 1.15 * chunks)
                 : 2.0 + 0.9 * (double)plan->m;
    c.good = 1.4;
    c.region = 3.2;
    c.pair = 1.5;
    return c;
}

static int
kb_build(kb_state *st, const ham_plan *plan, uint32_t k)
{
    const size_t m = plan->m;
    const uint32_t keff = k < m ? k : (uint32_t)m;
    size_t j, d;
    int rc;
    memset(st, 0, sizeof *st);
    st->p = ham__kpat_padded(plan);
    if (!st->p)
        return HAM_ENOMEM;
    rc = ham__sieve_build(&st->sv, plan, k);
    if (rc != HAM_OK)
        return rc;
    if (m < 2)
        return HAM_OK;
    choose_period(plan, keff, &st->d, &st->sd);
    d = st->d;
    if (d == 0)
        return HAM_OK;
    {
        /* A periodic block costs about good + region per symbol of its
         * W + m, whatever its candidates; verifying it costs occ per
         * candidate, at most W of them. Short patterns (one or two chunks
         * per verification) never gain: AUTO then skips the Lemma 2 step. */
        const kb_costs c = block_costs(plan);
        const double W = (double)(m - d);
        st->periodic = c.occ * W > (c.good + c.region) * (W + (double)m);
    }
    /* Delta f over j in [0, m + d): [P[j] = c] - [P[j - d] = c] */
    st->dp_start = ham__calloc((size_t)plan->sigma + 2, sizeof *st->dp_start);
    st->dp = ham__alloc(2 * (d + st->sd) + 1, sizeof *st->dp);
    if (!st->dp_start || !st->dp)
        return HAM_ENOMEM;
    for (j = 0; j < m + d; j++) {
        const uint32_t a = j < m ? plan->pid[j] : 0, b = j >= d ? plan->pid[j - d] : 0;
        if (a != b) {
            if (a)
                st->dp_start[a + 1]++;
            if (b)
                st->dp_start[b + 1]++;
        }
    }
    for (j = 1; j <= (size_t)plan->sigma + 1; j++)
        st->dp_start[j] += st->dp_start[j - 1];
    {
        uint32_t *cur = ham__alloc((size_t)plan->sigma + 1, sizeof *cur);
        if (!cur)
            return HAM_ENOMEM;
        memcpy(cur, st->dp_start, ((size_t)plan->sigma + 1) * sizeof *cur);
        for (j = 0; j < m + d; j++) {
            const uint32_t a = j < m ? plan->pid[j] : 0,
                           b = j >= d ? plan->pid[j - d] : 0;
            if (a != b) {
                if (a)
                    st->dp[cur[a]++] = (dp_entry){(uint32_t)j, +1};
                if (b)
                    st->dp[cur[b]++] = (dp_entry){(uint32_t)j, -1};
            }
        }
        free(cur);
    }
    return HAM_OK;
}

static void
kbounded_release(ham_plan *plan)
{
    kb_state *st = plan->eng[HAM_ENGINE_KBOUNDED];
    if (!st)
        return;
    kb_free(st);
    free(st);
    plan->eng[HAM_ENGINE_KBOUNDED] = NULL;
}

static int
kbounded_prepare(ham_plan *plan)
{
    kb_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_KBOUNDED] = st;
    return kb_build(st, plan, plan->params.max_dist);
}

/* ---- Cost model ------------------------------------------------------------------ */

/* ns on unrelated text: per shift the filter, its false candidates and the
 * dense output (4 bytes per shift, then read by the caller's scan); per
 * call the set-up (filter tail copy, walk context), ~70 ns more than the
 * naive engine's, whose model leaves its own ~35 ns out. Set on the Zen 4
 * VM (gcc 12 -O2) with the two commands quoted at kangaroo_cost
 * (kangaroo.c): --kmis-grid per shift, n = 100 .. 3000 per call. */
static double
kbounded_cost(const ham_plan *plan, size_t n)
{
    const kb_state *st = plan->eng[HAM_ENGINE_KBOUNDED];
    return 70.0 + (st->sv.ns + 0.08) * (double)(n - plan->m + 1);
}

/* ---- Periodic blocks ------------------------------------------------------------- */

typedef struct kb_work {
    uint32_t *xr;  /* ids of the region, W + m */
    uint32_t *cnt; /* sigma + 2 */
    dp_entry *dx;  /* Delta g entries bucketed by id, 2 (W + m + d) */
    int32_t *R;    /* W + m */
    int64_t *C;    /* W + m + 2d */
} kb_work;

static void
work_free(kb_work *w)
{
    free(w->xr);
    free(w->cnt);
    free(w->dx);
    free(w->R);
    free(w->C);
}

static int
work_alloc(kb_work *w, const ham_plan *plan, size_t d)
{
    const size_t m = plan->m, W = m - d;
    memset(w, 0, sizeof *w);
    w->xr = ham__alloc(W + m, sizeof *w->xr);
    w->cnt = ham__alloc((size_t)plan->sigma + 2, sizeof *w->cnt);
    w->dx = ham__alloc(2 * (W + m + d), sizeof *w->dx);
    w->R = ham__alloc(W + m, sizeof *w->R);
    w->C = ham__alloc(W + m + 2 * d, sizeof *w->C);
    if (!w->xr || !w->cnt || !w->dx || !w->R || !w->C)
        return HAM_ENOMEM;
    return HAM_OK;
}

static size_t
count_bits(const uint64_t *bits, size_t i0, size_t i1)
{
    size_t w, c = 0;
    for (w = i0 / 64; w * 64 < i1; w++) {
        uint64_t b = bits[w];
        if (w * 64 < i0)
            b &= ~ham__lowbits((unsigned)(i0 - w * 64));
        if ((w + 1) * 64 > i1)
            b &= ham__lowbits((unsigned)(i1 - w * 64));
        c += (size_t)ham__popcount64_sw(b);
    }
    return c;
}

static int
bit(const uint64_t *bits, size_t i)
{
    return (int)(bits[i / 64] >> (i % 64) & 1);
}

/* Lemma 2 on the block of shifts X[0 .. Wb) (candidate bits rb .. rb + Wb):
 * clear the bits of shifts whose window [s, s + m - d) has more than
 * 2k + SD(d) changes X[x] != X[x + d]. Returns the remaining candidates;
 * *s1, *s2 get the first and last (block-relative). */
#define DEFINE_GOOD(NAME, SYM)                                                         \
    static size_t NAME(const SYM *X, size_t m, size_t d, size_t Wb, uint64_t thr,      \
                       uint64_t *bits, size_t rb, size_t *s1, size_t *s2)              \
    {                                                                                  \
        uint64_t cw = 0;                                                               \
        size_t x, s, c = 0;                                                            \
        for (x = 0; x < m - d; x++)                                                    \
            cw += X[x] != X[x + d];                                                    \
        for (s = 0; s < Wb; s++) {                                                     \
            if (bit(bits, rb + s)) {                                                   \
                if (cw > thr) {                                                        \
                    bits[(rb + s) / 64] &= ~((uint64_t)1 << ((rb + s) % 64));          \
                } else {                                                               \
                    if (c++ == 0)                                                      \
                        *s1 = s;                                                       \
                    *s2 = s;                                                           \
                }                                                                      \
            }                                                                          \
            if (s + 1 < Wb) /* slide: drop x = s, add x = s + m - d */                 \
                cw = cw - (X[s] != X[s + d]) + (X[s + m - d] != X[s + m]);             \
        }                                                                              \
        return c;                                                                      \
    }
DEFINE_GOOD(good_u8, uint8_t)
DEFINE_GOOD(good_u32, uint32_t)

/*
 * Exact distances of the candidates in [s1, s2] of the block whose text
 * starts at X (candidate bits from rb, distances to distb[s]) by Lemma 3,
 * unless (AUTO) verification is estimated cheaper. Returns 1 when done, 0
 * when the caller should verify instead.
 */
static int
periodic_region(const ham_plan *plan, const kb_state *st, kb_work *w, const void *X,
                size_t s1, size_t s2, size_t ncand, uint32_t k, int force,
                const kb_costs *c, const uint64_t *bits, size_t rb, uint32_t *distb)
{
    const size_t m = plan->m, d = st->d, sigma = plan->sigma;
    const size_t rlen = s2 - s1 + m; /* region [s1, s2 + m) */
    const size_t xend = rlen + d;    /* Delta g over [s1, s2 + m + d) */
    const int64_t lo = (int64_t)s1 - (int64_t)m - (int64_t)d + 1,
                  hi = (int64_t)s2 - (int64_t)d;
    const int64_t cbase = lo - (int64_t)d; /* C index of C[0] */
    size_t x, cidx;
    uint64_t pairs = 0;
    int64_t i;

    ham__map_ids(plan, (const unsigned char *)X + s1 * plan->width, rlen, w->xr);
    /* Delta g entries by id (counting sort): offsets relative to s1 */
    memset(w->cnt, 0, (sigma + 2) * sizeof *w->cnt);
    for (x = 0; x < xend; x++) {
        const uint32_t a = x < rlen ? w->xr[x] : 0, p = x >= d ? w->xr[x - d] : 0;
        if (a != p) {
            w->cnt[a + 1] += a != 0;
            w->cnt[p + 1] += p != 0;
        }
    }
    for (cidx = 1; cidx <= sigma + 1; cidx++) {
        pairs += (uint64_t)w->cnt[cidx] *
                 (st->dp_start[cidx] - st->dp_start[cidx - 1]); /* id cidx - 1 */
        w->cnt[cidx] += w->cnt[cidx - 1];
    }
    if (!force && c->pair * (double)pairs > c->occ * (double)ncand)
        return 0;
    for (x = 0; x < xend; x++) {
        const uint32_t a = x < rlen ? w->xr[x] : 0, p = x >= d ? w->xr[x - d] : 0;
        if (a != p) {
            if (a)
                w->dx[w->cnt[a]++] = (dp_entry){(uint32_t)x, +1};
            if (p)
                w->dx[w->cnt[p]++] = (dp_entry){(uint32_t)x, -1};
        }
    }
    /* now cnt[c] is the end of id c's entries (and the start of c + 1's) */

    /* R(i) for i in [lo, hi], i = (s1 + x) - j */
    memset(w->R, 0, (size_t)(hi - lo + 1) * sizeof *w->R);
    for (cidx = 1; cidx <= sigma; cidx++) {
        const dp_entry *pe = st->dp + st->dp_start[cidx],
                       *pend = st->dp + st->dp_start[cidx + 1];
        const dp_entry *xe = w->dx + w->cnt[cidx - 1], *xend_e = w->dx + w->cnt[cidx];
        const dp_entry *q, *r;
        for (q = xe; q < xend_e; q++) {
            const int64_t xa = (int64_t)s1 + q->j;
            for (r = pe; r < pend; r++) {
                const int64_t ii = xa - (int64_t)r->j;
                if (ii >= lo && ii <= hi)
                    w->R[ii - lo] += q->u * r->u;
            }
        }
    }
    /* C(i) = 0 for i <= s1 - m; C(i + d) = 2 C(i) - C(i - d) - R(i) */
    for (i = cbase; i < lo + (int64_t)d; i++)
        w->C[i - cbase] = 0;
    for (i = lo; i <= hi; i++)
        w->C[i + (int64_t)d - cbase] =
            2 * w->C[i - cbase] - w->C[i - (int64_t)d - cbase] - w->R[i - lo];
    /* the candidates' windows lie inside the region: C is their match count */
    {
        size_t s;
        for (s = s1; s <= s2; s++) {
            if (bit(bits, rb + s)) {
                const int64_t mm = w->C[(int64_t)s - cbase];
                const uint64_t dd = (uint64_t)((int64_t)m - mm);
                HAM_ASSERT(mm >= 0 && mm <= (int64_t)m);
                if (dd <= k)
                    distb[s] = (uint32_t)dd;
            }
        }
    }
    return 1;
}

/* ---- Dispatch -------------------------------------------------------------------- */

/* Shifts per chunk: filter, fill and resolve one chunk while its text, bits
 * and distances are in cache. */
#define KB_CHUNK ((size_t)8192)

int
ham__kbounded_dist_path(const ham_plan *plan, const void *text, size_t n,
                        uint32_t *dist, uint32_t k, int path, ham__kb_stats *stats)
{
    const size_t m = plan->m, S = n - m + 1, w8 = plan->width;
    const size_t ain = ham__kinplace(n, m);
    const kb_state *st = plan->eng[HAM_ENGINE_KBOUNDED];
    const int may_periodic = path != HAM__KB_VERIFY && path != HAM__KB_NOFILTER;
    const int force = path == HAM__KB_PERIODIC;
    kb_state own;
    ham__sieve svk;
    const ham__sieve *sv;
    uint64_t stackbits[2 * KB_CHUNK / 64], *heapbits = NULL, *bits, *tmpbits;
    unsigned char *tail = NULL;
    size_t tail_from = 0, W = 0, CH, c0;
    kb_costs costs = block_costs(plan);
    uint64_t thr = 0;
    ham__kg g;
    kb_work w;
    int rc = HAM_OK, have_svk = 0, have_g = 0;
    ham__kb_stats stt;

    HAM_ASSERT(n >= m && k != HAM_UNBOUNDED);
    memset(&stt, 0, sizeof stt);
    memset(&w, 0, sizeof w);
    memset(&own, 0, sizeof own);
    if (!st) { /* tests force the engine's code on other plans */
        rc = kb_build(&own, plan, k);
        if (rc != HAM_OK)
            goto out;
        st = &own;
    }
    sv = &st->sv;
    if (sv->k != k) { /* a bound other than the plan's (internal callers) */
        rc = ham__sieve_build(&svk, plan, k);
        if (rc != HAM_OK)
            goto out;
        have_svk = 1;
        sv = &svk;
    }
    stt.period = st->d;
    /* chunks are whole periodic blocks of W = m - d shifts, or 8192 shifts */
    CH = KB_CHUNK;
    if (st->d && may_periodic && (st->periodic || force)) {
        W = m - st->d;
        CH = W * (KB_CHUNK / W > 0 ? KB_CHUNK / W : 1);
        thr = 2 * (uint64_t)k + st->sd;
        rc = work_alloc(&w, plan, st->d);
        if (rc != HAM_OK)
            goto out;
    }
    /* short calls (records, lines) are common: no allocation when a chunk's
     * bits fit on the stack */
    if (CH <= KB_CHUNK) {
        bits = stackbits;
    } else {
        bits = heapbits = ham__alloc(2 * ((CH + 63) / 64), sizeof *bits);
        if (!bits) {
            rc = HAM_ENOMEM;
            goto out;
        }
    }
    tmpbits = bits + (CH + 63) / 64;
    ham__kg_init(&g, plan, st->p, text, n, k, HAM__KG_AUTO);
    have_g = 1;

    for (c0 = 0; rc == HAM_OK && c0 < S; c0 += CH) {
        const size_t c1 = S - c0 < CH ? S : c0 + CH, len = c1 - c0;
        uint32_t *d = dist + c0;
        size_t b;
        /* candidates: in place while the filter's reads stay in the text,
         * then from one padded copy of the rest */
        if (path == HAM__KB_NOFILTER) {
            memset(bits, 0xff, (len + 63) / 64 * sizeof *bits);
        } else {
            const unsigned char *src = (const unsigned char *)text + c0 * w8;
            if (c1 > ain) {
                if (!tail) {
                    tail = ham__ktail(text, c0, n, plan->width);
                    if (!tail) {
                        rc = HAM_ENOMEM;
                        break;
                    }
                    tail_from = c0;
                    if (c0 <= g.S_in) /* verification reads the same copy */
                        ham__kg_use_tail(&g, tail, c0);
                }
                src = tail + (c0 - tail_from) * w8;
            }
            ham__sieve_bits(sv, plan, plan->cpu.isa, src, len, bits);
        }
        if (len % 64)
            bits[len / 64] &= ham__lowbits((unsigned)(len % 64));
        ham__fill32(d, len, k + 1, plan->cpu.isa);
        if (!W) { /* filter + verification */
            if (stats) {
                const size_t cnt = count_bits(bits, 0, len);
                stt.candidates += cnt;
                stt.verified += cnt;
            }
            stt.blocks++;
            rc = ham__kg_dist_bits(&g, bits, c0, c1, d);
            continue;
        }
        for (b = 0; rc == HAM_OK && b < len; b += W) { /* periodic blocks */
            size_t Wb, cnt, s1 = 0, s2 = 0, nx = b / 64;
            const unsigned char *X;
            /* jump to the block of the next candidate: on unrelated text
             * most blocks have none, and short blocks (small W) add up */
            uint64_t word = bits[nx] & ~ham__lowbits((unsigned)(b % 64));
            while (!word && ++nx < (len + 63) / 64)
                word = bits[nx];
            if (!word)
                break;
            b = (nx * 64 + (size_t)ham__ctz64(word)) / W * W;
            Wb = len - b < W ? len - b : W;
            X = (const unsigned char *)text + (c0 + b) * w8;
            cnt = count_bits(bits, b, b + Wb);
            stt.blocks++;
            stt.candidates += cnt;
            /* the periodic path costs about good + region per block symbol
             * (whatever the candidates); verification occ per candidate */
            if (force || costs.occ * (double)cnt >
                             (costs.good + costs.region) * (double)(Wb + m)) {
                cnt = plan->width == 1
                          ? good_u8(X, m, st->d, Wb, thr, bits, b, &s1, &s2)
                          : good_u32((const uint32_t *)(const void *)X, m, st->d, Wb,
                                     thr, bits, b, &s1, &s2);
                if (cnt == 0)
                    continue;
                if ((force || costs.occ * (double)cnt >
                                  costs.region * (double)(s2 - s1 + m + 2 * st->d)) &&
                    periodic_region(plan, st, &w, X, s1, s2, cnt, k, force, &costs,
                                    bits, b, d + b)) {
                    stt.periodic_blocks++;
                    continue;
                }
            }
            stt.verified += cnt;
            /* bits relative to the block: shift c0 + b + r is bit b + r */
            if (b % 64 == 0) {
                rc = ham__kg_dist_bits(&g, bits + b / 64, c0 + b, c0 + b + Wb, d + b);
            } else { /* realign the block's bits to a word boundary */
                const unsigned sh = (unsigned)(b % 64);
                size_t q;
                for (q = 0; q < (Wb + 63) / 64; q++) {
                    const size_t wq = b / 64 + q;
                    uint64_t v = bits[wq] >> sh;
                    if ((wq + 1) * 64 < len) /* the next word is in use */
                        v |= bits[wq + 1] << (64 - sh);
                    tmpbits[q] = v;
                }
                rc = ham__kg_dist_bits(&g, tmpbits, c0 + b, c0 + b + Wb, d + b);
            }
        }
    }
out:
    if (have_g)
        ham__kg_free(&g);
    work_free(&w);
    free(heapbits);
    free(tail);
    if (have_svk)
        ham__sieve_free(&svk);
    kb_free(&own);
    if (stats)
        *stats = stt;
    return rc;
}

static int
kbounded_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
              uint32_t k)
{
    return ham__kbounded_dist_path(plan, text, n, dist, k, HAM__KB_AUTO, NULL);
}

const ham__engine_ops ham__kbounded_ops = {
    .id = HAM_ENGINE_KBOUNDED,
    .caps = HAM__CAP_KBOUND | HAM__CAP_U32,
    .prepare = kbounded_prepare,
    .release = kbounded_release,
    .cost = kbounded_cost,
    .dist = kbounded_dist,
};
