/* SPDX-License-Identifier: MIT */
/*
 * fft_engine.c -- A2, the `fft` engine: one FFT correlation per distinct
 * pattern symbol with spectrum accumulation (algorithms.md 4; the classical
 * method of Fischer and Paterson, "String matching and other products",
 * 1974). Exact; O(sigma_P n log m) time with blocks of N = Theta(m).
 *
 * Per text block of N symbols (blocks overlap by m - 1, 2.2): map symbols to
 * pattern ids and count them, then for every id c present in the block add
 * DFT(x_c) * conj(DFT(q_c)) to one accumulated spectrum (x_c built by one
 * vectorised pass over the block, or from c's bucketed positions when c is
 * sparse and many ids are present) and run a single inverse transform:
 * matches M(s), distance m_eff - M(s), where
 * m_eff counts the pattern positions that are not the wildcard (the text has
 * no wildcard; a wildcard pattern position has no id, so it is in no q_c and
 * matches everything). k-bounded output is the exact distance clamped to
 * k + 1.
 *
 * One transform fewer (4): when every pattern symbol occurs in the block and
 * the pattern has no wildcard, [P[j] = c*] = 1 - sum_{c != c*} [P[j] = c]
 * gives M(s) = W_c*(s) + sum_{c != c*} corr(x_c - x_c*, q_c)(s), where W_c*(s)
 * counts c* in the window (a sliding count). c* is the symbol most frequent
 * in the block. DNA blocks then need 3 forward transforms instead of 4 and
 * binary ones 1 instead of 2: measured 1.18-1.36x faster on E. coli DNA and
 * 1.28-1.76x on a binary text (m = 1024 .. 65536, n = 2^20). With a
 * wildcard the identity needs the non-wildcard indicator in place of 1,
 * i.e. one more transform: no gain, so the trick is off.
 *
 * Exactness: the a priori bound and the a posteriori checks of lib/fft.c per
 * block, plus the range 0 <= M(s) <= m_eff; a block that fails is recomputed
 * exactly by ham__ntt_matches (2.3, 2.4).
 *
 * Memory: per plan, the spectra of lib/fft.c's cache ((N/2 + 1) 16 bytes per
 * pattern symbol and block size, at most HAM__FFT_SPECTRA_BUDGET); per call
 * about 40 N bytes (three FFT buffers, ids, positions, counts) plus
 * O(sigma_P), i.e. O(m) since N <= 32 m.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Cost model ---------------------------------------------------------------- */

/*
 * Per block of size N with q forward transforms: (q + 1) transforms
 * (ham__fft_transform_ns), q multiply-accumulates of N/2 + 1 complex points
 * (KAPPA_MAC each), per point the id mapping (ham__fft_map_ns), counting,
 * indicator building, rounding, checks and output (KAPPA_PT), and a fixed
 * KAPPA_BLOCK. Per call, the FFTW plans (about two transforms of work for
 * FFTW_ESTIMATE: it computes its twiddle tables) and the pattern spectra.
 * Fitted (least squares, relative error) to 39 runs of this engine with
 * forced block sizes N = 4096 .. 655360, m = 1024 .. 131072, n = 2^20, on
 * the DNA, protein and English texts of bench/hambench (AMD EPYC Zen 4,
 * 2 vCPU shared VM, gcc 12 -O2, FFTW 3.3.10): the transform estimate came
 * out at 0.97 of the measured time, the rest at 1.7 ns per point, the MAC
 * below the fit's resolution (0.3 ns is its memory traffic). Predictions
 * are within +-20 % of those runs, and AUTO's naive/fft crossover on DNA
 * (m = 4096) matches
 *   bench/hambench --modes=exact --n=1Mi --reps=5
 *     --alphabet=dna,protein,english,uniform256,zipf32
 *     --m=256,512,1024,2048,4096,8192,16384,32768,65536,131072
 *     --engines=naive,fft,abrahamson,auto
 * (see issue 3's note).
 */
#define KAPPA_MAC   0.3
#define KAPPA_PT    1.7
#define KAPPA_BLOCK 2000.0

typedef struct fft_state {
    ham__fft_head head; /* first: reached by ham__fft_head_of */
} fft_state;

typedef struct cost_arg {
    const ham_plan *plan;
} cost_arg;

/* forward transforms per block: one per symbol, one fewer with the trick */
static double
transforms(const ham_plan *plan)
{
    double q = (double)plan->sigma;
    if (plan->params.wildcard < 0 && plan->sigma >= 2)
        q -= 1.0;
    return q;
}

static double
block_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    const ham_plan *plan = a->plan;
    const double T = ham__fft_transform_ns(N), q = transforms(plan);
    const double per_spec = (double)(N / 2 + 1) * 16.0;
    double uncached =
        (double)plan->sigma - floor((double)HAM__FFT_SPECTRA_BUDGET / per_spec);
    (void)W;
    if (uncached < 0)
        uncached = 0;
    return (q + 1.0 + uncached) * T + q * KAPPA_MAC * (double)(N / 2 + 1) +
           (KAPPA_PT + ham__fft_map_ns(plan)) * (double)N + KAPPA_BLOCK;
}

static double
setup_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    (void)W;
    return (2.0 + (double)a->plan->sigma) * ham__fft_transform_ns(N);
}

static size_t
pick(const ham_plan *plan, size_t n, double *total)
{
    cost_arg a;
    a.plan = plan;
    return ham__fft_pick_size(plan->m, n, block_ns, setup_ns, &a, total);
}

static size_t
fft_block_size(const ham_plan *plan, size_t n)
{
    double total;
    return pick(plan, n < plan->m ? plan->m : n, &total);
}

static double
fft_cost(const ham_plan *plan, size_t n)
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
fft_release(ham_plan *plan)
{
    fft_state *st = plan->eng[HAM_ENGINE_FFT];
    if (!st)
        return;
    ham__fft_ctx_destroy(st->head.fft);
    free(st);
    plan->eng[HAM_ENGINE_FFT] = NULL;
}

static int
fft_prepare(ham_plan *plan)
{
    fft_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_FFT] = st;
    st->head.block_size = fft_block_size;
    /* plans and spectra come on first use (lib/fft.c) */
    return ham__fft_ctx_create(&st->head.fft, plan);
}

/* ---- Distances ----------------------------------------------------------------- */

typedef struct scratch {
    uint32_t *ids;     /* N + 1: the block as pattern ids, a sentinel */
    uint32_t *pos;     /* N: positions bucketed by id                 */
    uint32_t *hist;    /* sigma + 1: t_c (0: absent), 0 between blocks */
    uint32_t *start;   /* sigma + 2: bucket offsets                   */
    uint32_t *present; /* sigma + 1: ids present in the block         */
    int32_t *r;        /* W: rounded correlation sums                  */
    uint32_t *match;   /* W: exact matches M(s)                         */
} scratch;

static void
scratch_free(scratch *s)
{
    free(s->ids);
    free(s->pos);
    free(s->hist);
    free(s->start);
    free(s->present);
    free(s->r);
    free(s->match);
}

static int
scratch_init(scratch *s, const ham_plan *plan, size_t N, size_t W)
{
    memset(s, 0, sizeof *s);
    s->ids = ham__alloc(N + 1, sizeof *s->ids);
    s->pos = ham__alloc(N, sizeof *s->pos);
    s->hist = ham__calloc((size_t)plan->sigma + 1, sizeof *s->hist);
    s->start = ham__alloc((size_t)plan->sigma + 2, sizeof *s->start);
    s->present = ham__alloc((size_t)plan->sigma + 1, sizeof *s->present);
    s->r = ham__alloc(W, sizeof *s->r);
    s->match = ham__alloc(W, sizeof *s->match);
    if (!s->ids || !s->pos || !s->hist || !s->start || !s->present || !s->r ||
        !s->match)
        return HAM_ENOMEM;
    return HAM_OK;
}

/* Dense indicators (one vectorised pass over the block per symbol) beat
 * scattering a symbol's positions once it fills more than 1/DENSE of the
 * block; with at most SPARSE_MIN ids present the positions are not even
 * bucketed. */
#define DENSE      8
#define SPARSE_MIN 8

/* Distances dist[0..ns) of one block by FFT (clamped to k + 1); returns
 * HAM_OK, 1 (check failed: recompute exactly) or an error. */
static int
block_fft(const ham_plan *plan, ham__fft_ctx *ctx, ham__fft_work *w, scratch *s,
          size_t np, size_t N, size_t L, size_t ns, uint32_t *dist, uint32_t k)
{
    const size_t m = plan->m;
    const int use_pos = np > SPARSE_MIN;
    uint32_t cstar = 0;
    size_t i, nneg = 0;
    double normsum = 0.0;
    int rc;

    if (plan->params.wildcard < 0 && np == plan->sigma && np >= 2) {
        /* every symbol present: the one-transform-fewer identity holds */
        for (i = 0; i < np; i++)
            if (cstar == 0 || s->hist[s->present[i]] > s->hist[cstar])
                cstar = s->present[i];
        nneg = s->hist[cstar];
    }
    for (i = 0; i < np; i++) {
        const uint32_t c = s->present[i];
        if (c != cstar)
            normsum +=
                sqrt(((double)s->hist[c] + (double)nneg) * (double)plan->pcount[c]);
    }
    if (!ham__fft_apriori_ok(ctx, N, normsum))
        return 1;
    if (use_pos)
        ham__fft_bucket(s->ids, L, s->hist, s->present, np, s->start, s->pos);
    ham__fft_block_begin(w, s->ids, L, cstar, nneg,
                         use_pos && cstar ? s->pos + s->start[cstar] : NULL);
    for (i = 0; i < np; i++) {
        const uint32_t c = s->present[i], t = s->hist[c];
        if (c == cstar)
            continue;
        rc = ham__fft_block_add(
            w, c, t, use_pos && (size_t)t * DENSE < L ? s->pos + s->start[c] : NULL);
        if (rc != HAM_OK)
            return rc;
    }
    rc = ham__fft_block_end(w, ns, s->r);
    if (rc != HAM_OK)
        return rc;
    {
        /* M(s) = r(s) + W_c*(s) (W_c*(s) = c* in ids[s .. s+m), sliding;
         * ids[L] is a 0 sentinel), range-checked without branches */
        const uint32_t *ids = s->ids, me = (uint32_t)plan->m_eff;
        const uint32_t cs = cstar ? cstar : UINT32_MAX;
        const int32_t *r = s->r;
        int32_t win = 0;
        uint32_t bad = 0;
        if (cstar)
            for (i = 0; i < m; i++)
                win += ids[i] == cs;
        for (i = 0; i < ns; i++) {
            const uint32_t v = (uint32_t)(r[i] + win), d = me - v;
            bad |= (uint32_t)(v > me); /* also catches v < 0 */
            dist[i] = d > k ? k + 1 : d;
            win += (int32_t)(ids[i + m] == cs) - (int32_t)(ids[i] == cs);
        }
        return bad ? 1 : HAM_OK;
    }
}

static int
fft_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    const fft_state *st = plan->eng[HAM_ENGINE_FFT];
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
        /* only wildcards: every distance is 0 */
        memset(dist, 0, S * sizeof *dist);
        return HAM_OK;
    }
    N = ham__fft_forced_size(ctx);
    if (N <= m)
        N = pick(plan, n, &total);
    if (N == 0)
        return HAM_ENOMEM; /* m too large for any transform */
    W = N - m + 1;
    rc = scratch_init(&s, plan, N, W < S ? W : S);
    if (rc == HAM_OK)
        rc = ham__fft_work_create(&w, ctx, N);
    for (b = 0; rc == HAM_OK && b < S; b += W) {
        const size_t ns = S - b < W ? S - b : W, L = ns + m - 1;
        size_t np;
        np = ham__fft_map_hist(plan, (const char *)text + b * plan->width, L, s.ids,
                               s.hist, s.present);
        s.ids[L] = 0; /* sentinel for the sliding count */
        rc = block_fft(plan, ctx, w, &s, np, N, L, ns, dist + b, k);
        if (rc == 1) {
            /* a priori bound or a posteriori check failed: exact path */
            ham__fft_count_fallback(ctx);
            rc = ham__ntt_matches(plan, s.ids, L, ns, s.present, np, s.match);
            for (i = 0; rc == HAM_OK && i < ns; i++) {
                const uint32_t d = me - s.match[i];
                dist[b + i] = d > k ? k + 1 : d;
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

const ham__engine_ops ham__fft_ops = {
    .id = HAM_ENGINE_FFT,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = fft_prepare,
    .release = fft_release,
    .cost = fft_cost,
    .dist = fft_dist,
};
