/* SPDX-License-Identifier: MIT */
/*
 * abrahamson.c -- A3, the `abrahamson` engine: frequent pattern symbols by FFT
 * correlation, infrequent ones by enumerating aligned pairs (algorithms.md 5;
 * K. Abrahamson, "Generalized string matching", SIAM J. Comput. 16(6), 1987).
 * Exact; O(n sqrt(m log m)) worst case, near-linear when every pattern symbol
 * is rare (large u32 alphabets). The baseline every benchmark compares to.
 *
 * Per text block of N symbols (overlapping by m - 1, 2.2): map to pattern
 * ids, bucket the positions by id and split the ids present into
 *   F  correlated by FFT (lib/fft.c: spectrum accumulation, one inverse per
 *      block, exactness checks, exact NTT recomputation of a failed block);
 *   E  enumerated: for each text position t of a symbol c and each pattern
 *      position j of c with 0 <= t - j < W (occ[c] is sorted, so j runs over
 *      a window found with two moving pointers), cnt[t - j] += 1; counters
 *      are uint16 when m_eff < 2^16 (a counter never exceeds m_eff), else
 *      uint32.
 * dist = m_eff - (FFT matches + cnt), clamped to k + 1 when k-bounded.
 *
 * The split is decided per block from the block's histogram by the cost
 * model (5, 10.2): c goes to F iff enumerating it costs more than one more
 * transform, kappa_e pairs_c + kappa_t t_c > price_c, where pairs_c =
 * t_c p_c ns / L is the expected number of aligned pairs (ns shifts, L
 * symbols in the block), and price_c is one r2c plus one multiply-accumulate
 * (plus one more r2c when c's spectrum cannot be cached). F is then dropped
 * altogether when its total gain does not pay for the inverse transform.
 * Worst-case cap: if the symbols left in E could still generate more than
 * 4 N sqrt(m log2 m) pairs (the bound sum t_c min(p_c, ns), which a text
 * clustered inside the block can reach), the most expensive ones move to F
 * until the bound holds, which keeps Abrahamson's O(N sqrt(m log m)) per
 * block whatever the estimates. The plan-level split used by the cost model
 * (for AUTO and the block size) is the same rule with rho_c = p_c / m, the
 * pattern standing in for the text (10.4).
 *
 * The threshold, measured (ham__abrahamson_tune on a plan, median of 5, the
 * machine of the cost model below): on the KJV English text, m = 20000,
 * n = 2^22, this split ran at 83-87 ns/shift, the best classical fixed
 * threshold (transform c iff p_c >= f) at 83-85 (f = 500 .. 663; f =
 * sqrt(m log2 n) = 663), f = 2 sqrt(m log2 n) = 1327 at 209, and scaling the
 * enumeration price by 0.5 .. 1.4 moved the split's time by < 6 %. On
 * protein (m = 16384, n = 2^21) it beat every fixed threshold, 83 against
 * 92 ns/shift at the best (f = 700), because it follows each block's text.
 * (The "2 sqrt(m log n)" of algorithms.md 5 came with a slower enumeration;
 * here a pair costs 0.3 ns.)
 *
 * Memory: per plan, O(sigma_P) plus the spectra of F symbols in lib/fft.c's
 * cache; per call about 40 N bytes (FFT buffers, ids, positions) plus the
 * W counters, O(m) as N <= 32 m.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Cost model ---------------------------------------------------------------- */

/*
 * ham__abr_kappa_e(plan, W) ns per enumerated pair (a counter increment at an
 * offset t - j inside the block's window of W counters), HAM__ABR_KAPPA_T ns
 * per enumerated text position (the window pointers, the call per symbol),
 * HAM__ABR_KAPPA_PT ns per block point (mapping to ids, counting, bucketing,
 * output) plus ham__fft_map_ns for u32, HAM__ABR_KAPPA_MAC and the
 * transforms as in fft_engine.c.
 *
 * The pair price depends on where the counters live. The enumeration runs
 * symbol by symbol, and each symbol's text positions sweep the whole window,
 * so the W counters (2 bytes each while m_eff < 2^16, else 4) are re-read
 * once per symbol: while they fit in L2 a pair costs 0.41 ns (16-bit) or
 * 0.53-0.61 ns (32-bit, m = 2^16 .. 2^20: the m-wide slice a text position
 * touches leaves L1), and past L2 the price grows with the window's size.
 * Measured with every symbol enumerated (HAM__ABR_ALL_E) and the block size
 * forced (ham__fft_test_size), uniform bytes, n = 2^22, min of 3 CPU-time
 * runs (AMD EPYC Zen 4, 1 MiB L2 per core, 32 MiB L3, 2 vCPU shared VM,
 * gcc 12 -O2), ns per pair by window size:
 *
 *       m    <= 1 MiB   2 MiB   4 MiB   8 MiB   12-15 MiB
 *     2^14     0.41       -       -       -        -      (16-bit, <= 1 MiB)
 *     2^16     0.54     0.55    0.57    0.66       -
 *     2^17     0.55     0.59    0.61    0.81     1.10
 *     2^18     0.56     0.62    0.65    0.78     0.95
 *     2^20     0.62     0.66    0.73    0.78     0.82
 *
 * The model below: 0.41 (16-bit) or 0.53 + 0.02 log2(m / 2^16) (32-bit) up
 * to 1 MiB, + 0.04 per doubling to 4 MiB, + 0.18 per doubling beyond (within
 * 20 % of every cell). Before this, the price depended on m alone, so the
 * block-size rule took the largest block (32 m) for enumeration-heavy
 * patterns: 15 MiB of counters at m = 2^17, 1.76x slower than a block of
 * 1.5 m (2.03 s against 1.15 s, uniform bytes, n = 2^22).
 */
double
ham__abr_kappa_e(const ham_plan *plan, size_t W)
{
    const int wide = plan->m_eff >= 65536;
    const double mib = (double)W * (wide ? 4.0 : 2.0) / 1048576.0;
    double k = 0.41;
    if (wide) {
        const double lm = log2((double)plan->m) - 16.0;
        k = 0.53 + 0.02 * (lm > 0.0 ? lm : 0.0);
    }
    if (mib > 1.0) {
        const double d = log2(mib);
        k += 0.04 * (d < 2.0 ? d : 2.0) + (d > 2.0 ? 0.18 * (d - 2.0) : 0.0);
    }
    return k;
}

typedef struct abr_state {
    ham__fft_head head; /* first: reached by ham__fft_head_of */
    uint32_t *order;    /* ids by decreasing p_c                       */
    double *sq_suf;     /* sq_suf[i] = sum_{k >= i} p_{order[k]}^2      */
    double *p_suf;      /* p_suf[i] = sum_{k >= i} p_{order[k]}         */
    int wide;           /* counters need 32 bits (m_eff >= 2^16)        */
    double scale;       /* ham__abrahamson_tune: enumeration cost factor,
                           or the fixed threshold of HAM__ABR_FIXED */
    int force;          /* ham__abrahamson_tune: HAM__ABR_*               */
} abr_state;

/* first index i in order[lo..hi) with p_{order[i]}^2 <= thr (p decreasing) */
static size_t
first_below(const ham_plan *plan, const abr_state *st, size_t lo, size_t hi, double thr)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double p = (double)plan->pcount[st->order[mid]];
        if (p * p > thr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct cost_arg {
    const ham_plan *plan;
    const abr_state *st;
} cost_arg;

/* Static split for size N: the number of transformed symbols (a prefix of
 * order) and the block cost. */
static double
static_block(const ham_plan *plan, const abr_state *st, size_t N, size_t W, size_t *nf)
{
    const double T = ham__fft_transform_ns(N), m = (double)plan->m;
    const double mac = HAM__ABR_KAPPA_MAC * (double)(N / 2 + 1);
    const double cached =
        floor((double)HAM__FFT_SPECTRA_BUDGET / ((double)(N / 2 + 1) * 16.0));
    const size_t sigma = plan->sigma;
    const double ppair = ham__abr_kappa_e(plan, W) * (double)W / m; /* per p_c^2 */
    const double ptext = HAM__ABR_KAPPA_T * (double)N / m;          /* per p_c   */
    const double fixed =
        (HAM__ABR_KAPPA_PT + ham__fft_map_ns(plan)) * (double)N + HAM__ABR_KAPPA_BLOCK;
    size_t f, capn = cached < (double)sigma ? (size_t)cached : sigma;
    double with, without;
    /* enumerating c costs ppair p^2 + ptext p; transforming it T + mac:
     * ignore the linear term for the threshold (it only helps enumeration
     * look dearer), then solve p^2 > (T + mac) / ppair */
    f = first_below(plan, st, 0, capn, (T + mac) / ppair);
    if (f == capn && capn < sigma) /* past the budget a symbol costs 2 T */
        f = first_below(plan, st, capn, sigma, (2.0 * T + mac) / ppair);
    without = ppair * st->sq_suf[0] + ptext * st->p_suf[0] + fixed;
    with = (double)(f + 1) * T + (double)f * mac +
           (f > capn ? (double)(f - capn) * T : 0.0) + ppair * st->sq_suf[f] +
           ptext * st->p_suf[f] + fixed;
    if (f == 0 || without <= with) {
        *nf = 0;
        return without;
    }
    *nf = f;
    return with;
}

static double
block_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    size_t nf;
    return static_block(a->plan, a->st, N, W, &nf);
}

static double
setup_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    size_t nf;
    static_block(a->plan, a->st, N, W, &nf);
    /* FFTW plans (about two transforms) and the spectra, if any FFT */
    return nf ? (2.0 + (double)nf) * ham__fft_transform_ns(N) : 0.0;
}

static size_t
pick(const ham_plan *plan, size_t n, double *total)
{
    cost_arg a;
    a.plan = plan;
    a.st = plan->eng[HAM_ENGINE_ABRAHAMSON];
    return ham__fft_pick_size(plan->m, n, block_ns, setup_ns, &a, total);
}

static size_t
abr_block_size(const ham_plan *plan, size_t n)
{
    double total;
    return pick(plan, n < plan->m ? plan->m : n, &total);
}

static double
abr_cost(const ham_plan *plan, size_t n)
{
    double total;
    if (plan->sigma == 0)
        return (double)(n - plan->m + 1);
    if (pick(plan, n, &total) == 0)
        return HUGE_VAL;
    return total;
}

/* ---- Plan state ---------------------------------------------------------------- */

static void
abr_release(ham_plan *plan)
{
    abr_state *st = plan->eng[HAM_ENGINE_ABRAHAMSON];
    if (!st)
        return;
    ham__fft_ctx_destroy(st->head.fft);
    free(st->order);
    free(st->sq_suf);
    free(st->p_suf);
    free(st);
    plan->eng[HAM_ENGINE_ABRAHAMSON] = NULL;
}

static int
abr_prepare(ham_plan *plan)
{
    const size_t sigma = plan->sigma;
    abr_state *st = calloc(1, sizeof *st);
    uint32_t *bucket_start;
    size_t c, i;
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_ABRAHAMSON] = st;
    st->head.block_size = abr_block_size;
    st->wide = plan->m_eff >= 65536;
    st->scale = 1.0;
    st->order = ham__alloc(sigma + 1, sizeof *st->order);
    st->sq_suf = ham__alloc(sigma + 1, sizeof *st->sq_suf);
    st->p_suf = ham__alloc(sigma + 1, sizeof *st->p_suf);
    /* counting sort of the ids by decreasing p_c (p_c <= m) */
    bucket_start = ham__calloc(plan->m + 2, sizeof *bucket_start);
    if (!st->order || !st->sq_suf || !st->p_suf || !bucket_start) {
        free(bucket_start);
        return HAM_ENOMEM;
    }
    for (c = 1; c <= sigma; c++)
        bucket_start[plan->m - plan->pcount[c] + 1]++;
    for (i = 1; i <= plan->m + 1; i++)
        bucket_start[i] += bucket_start[i - 1];
    for (c = 1; c <= sigma; c++)
        st->order[bucket_start[plan->m - plan->pcount[c]]++] = (uint32_t)c;
    free(bucket_start);
    st->sq_suf[sigma] = 0.0;
    st->p_suf[sigma] = 0.0;
    for (i = sigma; i-- > 0;) {
        const double p = (double)plan->pcount[st->order[i]];
        st->sq_suf[i] = st->sq_suf[i + 1] + p * p;
        st->p_suf[i] = st->p_suf[i + 1] + p;
    }
    return ham__fft_ctx_create(&st->head.fft, plan);
}

/* ---- Distances ------------------------------------------------------------------- */

typedef struct contrib {
    double g;   /* t_c min(p_c, ns): at most this many pairs */
    uint32_t c; /* the id */
} contrib;

typedef struct scratch {
    uint32_t *ids, *pos;             /* N                                 */
    uint32_t *hist, *start;          /* sigma + 1, sigma + 2              */
    uint32_t *present, *fset, *eset; /* sigma each                       */
    contrib *order;                  /* sigma + 1: the cap's sort         */
    int32_t *r;                      /* W: FFT part                       */
    uint32_t *exact;                 /* W: exact FFT part after a failure */
    void *cnt;                       /* W counters                        */
} scratch;

static void
scratch_free(scratch *s)
{
    free(s->ids);
    free(s->pos);
    free(s->hist);
    free(s->start);
    free(s->present);
    free(s->fset);
    free(s->eset);
    free(s->order);
    free(s->r);
    free(s->exact);
    free(s->cnt);
}

static int
scratch_init(scratch *s, const ham_plan *plan, size_t N, size_t W, int wide)
{
    const size_t sg = (size_t)plan->sigma + 2;
    memset(s, 0, sizeof *s);
    s->ids = ham__alloc(N, sizeof *s->ids);
    s->pos = ham__alloc(N, sizeof *s->pos);
    s->hist = ham__calloc(sg, sizeof *s->hist);
    s->start = ham__alloc(sg, sizeof *s->start);
    s->present = ham__alloc(sg, sizeof *s->present);
    s->fset = ham__alloc(sg, sizeof *s->fset);
    s->eset = ham__alloc(sg, sizeof *s->eset);
    s->order = ham__alloc(sg, sizeof *s->order);
    s->r = ham__alloc(W, sizeof *s->r);
    s->exact = ham__alloc(W, sizeof *s->exact);
    s->cnt = ham__alloc(W, wide ? sizeof(uint32_t) : sizeof(uint16_t));
    if (!s->ids || !s->pos || !s->hist || !s->start || !s->present || !s->fset ||
        !s->eset || !s->order || !s->r || !s->exact || !s->cnt)
        return HAM_ENOMEM;
    return HAM_OK;
}

static int
cmp_contrib_desc(const void *a, const void *b)
{
    const contrib *x = a, *y = b;
    if (x->g != y->g)
        return x->g < y->g ? 1 : -1;
    return (x->c > y->c) - (x->c < y->c); /* ties by id: deterministic */
}

/* Split the np present ids of a block of L symbols and ns shifts into
 * s->fset[0..*nf) and s->eset[0..*ne). */
static void
split(const ham_plan *plan, const abr_state *st, ham__fft_ctx *ctx, scratch *s,
      size_t np, size_t N, size_t L, size_t ns, size_t *nf, size_t *ne)
{
    const double T = ham__fft_transform_ns(N);
    const double price = T + HAM__ABR_KAPPA_MAC * (double)(N / 2 + 1);
    const double frac = (double)ns / (double)L, ke = ham__abr_kappa_e(plan, ns);
    const int room = ham__fft_spectra_fit(ctx, N, 1.0);
    double gain = 0.0, bound = 0.0, cap;
    size_t i, f = 0, e = 0;

    if (st->force != HAM__ABR_MODEL) {
        for (i = 0; i < np; i++) {
            const uint32_t c = s->present[i];
            if (st->force == HAM__ABR_ALL_F ||
                (st->force == HAM__ABR_MIXED && (c & 1)) ||
                (st->force == HAM__ABR_FIXED && (double)plan->pcount[c] >= st->scale))
                s->fset[f++] = c;
            else
                s->eset[e++] = c;
        }
        *nf = f;
        *ne = e;
        return;
    }
    for (i = 0; i < np; i++) {
        const uint32_t c = s->present[i];
        const double t = (double)s->hist[c], p = (double)plan->pcount[c];
        /* an uncached symbol costs one more r2c per block once the budget
         * is spent (a cached one costs its spectrum once per plan) */
        const double pr = room || ham__fft_has_spectrum(ctx, N, c) ? price : price + T;
        const double en = st->scale * (ke * t * p * frac + HAM__ABR_KAPPA_T * t);
        if (en > pr) {
            s->fset[f++] = c;
            gain += en - pr;
        } else {
            s->eset[e++] = c;
            bound += t * (p < (double)ns ? p : (double)ns);
        }
    }
    if (f > 0 && gain <= T) {
        /* the transforms would not pay for the inverse: enumerate all */
        for (i = 0; i < f; i++) {
            const uint32_t c = s->fset[i];
            s->eset[e++] = c;
            bound += (double)s->hist[c] *
                     (double)(plan->pcount[c] < ns ? plan->pcount[c] : ns);
        }
        f = 0;
    }
    /* worst-case cap: at most 4 N sqrt(m log2 m) pairs enumerated, bounded
     * by sum t_c min(p_c, ns) (a text position meets at most ns pattern
     * positions of its symbol inside the block's window of shifts) */
    cap = 4.0 * (double)N * sqrt((double)plan->m * log2((double)plan->m + 1.0));
    if (bound > cap) {
        /* move the symbols of largest contribution to F until the bound
         * holds: sort E by decreasing contribution (rare: only when a few
         * symbols are far off their estimates) */
        size_t j, keep = 0;
        for (j = 0; j < e; j++) {
            const uint32_t c = s->eset[j], p = plan->pcount[c];
            s->order[j].g = (double)s->hist[c] * (double)(p < ns ? p : ns);
            s->order[j].c = c;
        }
        qsort(s->order, e, sizeof *s->order, cmp_contrib_desc);
        for (j = 0; j < e && bound > cap; j++) {
            s->fset[f++] = s->order[j].c;
            bound -= s->order[j].g;
            keep = j + 1;
        }
        for (j = keep; j < e; j++)
            s->eset[j - keep] = s->order[j].c;
        e -= keep;
    }
    *nf = f;
    *ne = e;
}

int
ham__abr_fft_part(const ham_plan *plan, ham__fft_ctx *ctx, ham__fft_work **fw,
                  const uint32_t *ids, const uint32_t *hist, const uint32_t *start,
                  const uint32_t *pos, const uint32_t *fset, size_t nf, size_t N,
                  size_t L, size_t ns, int32_t *r, uint32_t *exact, int *exact_path)
{
    double normsum = 0.0, pf = 0.0;
    size_t i;
    int rc = HAM_OK;
    *exact_path = 0;
    if (nf == 0) {
        memset(exact, 0, ns * sizeof *exact);
        return HAM_OK;
    }
    if (!*fw)
        rc = ham__fft_work_create(fw, ctx, N);
    if (rc != HAM_OK)
        return rc;
    for (i = 0; i < nf; i++) {
        const uint32_t c = fset[i];
        normsum += sqrt((double)hist[c] * (double)plan->pcount[c]);
        pf += plan->pcount[c];
    }
    rc = 1; /* 1: a check failed, recompute exactly */
    if (ham__fft_apriori_ok(ctx, N, normsum)) {
        ham__fft_block_begin(*fw, ids, L, 0, 0, NULL);
        for (i = 0; i < nf; i++) {
            const uint32_t c = fset[i], t = hist[c];
            /* a symbol filling more than 1/8 of the block: dense indicator */
            rc = ham__fft_block_add(*fw, c, t,
                                    (size_t)t * 8 < L ? pos + start[c] : NULL);
            if (rc != HAM_OK)
                return rc;
        }
        rc = ham__fft_block_end(*fw, ns, r);
        for (i = 0; i < ns && rc == HAM_OK; i++) {
            if (r[i] < 0 || (double)r[i] > pf)
                rc = 1;
            else
                exact[i] = (uint32_t)r[i];
        }
    }
    if (rc == 1) {
        ham__fft_count_fallback(ctx);
        *exact_path = 1;
        rc = ham__ntt_matches(plan, ids, L, ns, fset, nf, exact);
    }
    return rc;
}

static int
abr_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    const abr_state *st = plan->eng[HAM_ENGINE_ABRAHAMSON];
    ham__fft_ctx *ctx = st->head.fft;
    const size_t m = plan->m, S = n - m + 1;
    const uint32_t me = (uint32_t)plan->m_eff;
    ham__fft_work *w = NULL;
    scratch s;
    size_t N, W, b, i;
    double total;
    int rc;

    HAM_ASSERT(n >= m);
    if (plan->sigma == 0) {
        memset(dist, 0, S * sizeof *dist);
        return HAM_OK;
    }
    N = ham__fft_forced_size(ctx);
    if (N <= m)
        N = pick(plan, n, &total);
    if (N == 0)
        return HAM_ENOMEM;
    W = N - m + 1;
    rc = scratch_init(&s, plan, N, W < S ? W : S, st->wide);
    for (b = 0; rc == HAM_OK && b < S; b += W) {
        const size_t ns = S - b < W ? S - b : W, L = ns + m - 1;
        size_t np, nf, ne;
        int exact_path;
        np = ham__fft_map_hist(plan, (const char *)text + b * plan->width, L, s.ids,
                               s.hist, s.present);
        ham__fft_bucket(s.ids, L, s.hist, s.present, np, s.start, s.pos);
        split(plan, st, ctx, &s, np, N, L, ns, &nf, &ne);
        rc = ham__abr_fft_part(plan, ctx, &w, s.ids, s.hist, s.start, s.pos, s.fset, nf,
                               N, L, ns, s.r, s.exact, &exact_path);
        if (rc == HAM_OK) {
            if (st->wide) {
                uint32_t *cnt = s.cnt;
                memset(cnt, 0, ns * sizeof *cnt);
                for (i = 0; i < ne; i++) {
                    const uint32_t c = s.eset[i];
                    ham__xy_enum32(cnt, s.pos + s.start[c], s.hist[c],
                                   plan->occ + plan->occ_start[c], plan->pcount[c], ns);
                }
                for (i = 0; i < ns; i++) {
                    const uint32_t d = me - (s.exact[i] + cnt[i]);
                    dist[b + i] = d > k ? k + 1 : d;
                }
            } else {
                uint16_t *cnt = s.cnt;
                memset(cnt, 0, ns * sizeof *cnt);
                for (i = 0; i < ne; i++) {
                    const uint32_t c = s.eset[i];
                    ham__xy_enum16(cnt, s.pos + s.start[c], s.hist[c],
                                   plan->occ + plan->occ_start[c], plan->pcount[c], ns);
                }
                for (i = 0; i < ns; i++) {
                    const uint32_t d = me - (s.exact[i] + cnt[i]);
                    dist[b + i] = d > k ? k + 1 : d;
                }
            }
        }
        for (i = 0; i < np; i++)
            s.hist[s.present[i]] = 0;
        s.hist[0] = 0;
    }
    ham__fft_work_destroy(w);
    scratch_free(&s);
    return rc;
}

const ham__engine_ops ham__abrahamson_ops = {
    .id = HAM_ENGINE_ABRAHAMSON,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = abr_prepare,
    .release = abr_release,
    .cost = abr_cost,
    .dist = abr_dist,
};

void
ham__abrahamson_tune(ham_plan *plan, double arg, int force)
{
    abr_state *st = plan->eng[HAM_ENGINE_ABRAHAMSON];
    if (!st)
        return;
    st->scale = arg;
    st->force = force;
}
