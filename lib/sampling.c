/* SPDX-License-Identifier: MIT */
/*
 * sampling.c -- X1, the `sampling` engine: (1+eps)-approximate distances by
 * random colourings of the alphabet (Kopelowitz and Porat, "A simple
 * algorithm for approximating the text-to-pattern Hamming distance", SOSA
 * 2018; algorithms.md 8.1; derivation in doc/approx.md).
 *
 * Repetition rep colours the pattern ids 1..sigma into c colours with a
 * table drawn from the stream (seed, X1, rep); text symbols absent from the
 * pattern (id 0) get colour 0, which matches nothing. The coloured strings'
 * exact distances D_h are computed by FFT (one correlation per colour,
 * accumulated in one spectrum, one inverse transform per block). A colouring
 * only merges symbols, so D_h <= D always; a mismatch a != b survives with
 * probability 1 - 1/c, so by Markov P[D_h < (1 - e') D] <= 1/(c e'), e' =
 * eps_g/(1 + eps_g), and the maximum g of r independent repetitions falls
 * below (1 - e') D with probability <= (c e')^-r <= delta_s. The output
 * floor((1 + eps_g) g) is then in [D, (1 + eps) D] (eps_g a hair below eps,
 * so that rounding never crosses the bound), and g itself is a
 * deterministic lower bound (the `lo` of algorithms.md 1.3). D = 0 gives 0.
 *
 * c and r: r = ceil(ln(1/delta_s) / ln(c e')) with c minimising r (c + 1)
 * (transforms per block and repetition: c forward, one inverse). When that
 * exceeds the sigma + 1 transforms of one exact pass, colouring cannot pay:
 * the engine then runs one repetition with the identity colouring, which is
 * exact (and therefore a valid approximate answer).
 *
 * Exactness of each D_h: the a posteriori checks of algorithms.md 2.3 on
 * every block (all N cyclic outputs within 1/8 of an integer, and their sum
 * equal to sum_col t_col p_col); a block that fails is recomputed by
 * ham__ntt_matches on the colour strings.
 *
 * Time: O(r c n log m) (plus O(r c m log m) per call for the pattern
 * spectra). Memory: O(sigma + N) per call, plus the c pattern spectra of one
 * repetition, (N/2 + 1) 16 bytes each, when they fit in
 * HAM__FFT_SPECTRA_BUDGET (else they are recomputed per block).
 */
#include "approx.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The largest colour count tried (beyond it colouring never pays). */
#define MAX_COLOURS 65535u

typedef struct sp_state {
    uint32_t c, r;  /* colours and repetitions */
    int exact;      /* identity colouring, one repetition */
    double factor;  /* 1 + eps_g: the output is floor(factor g) */
    double log_inv; /* ln(1/delta_s) */
    uint32_t force_c, force_r;
} sp_state;

/* Repetitions for c colours: the smallest r with (c e')^r >= 1/delta_s. */
static uint32_t
reps_for(double c, double ep, double log_inv)
{
    const double q = log(c * ep);
    double r;
    if (!(q > 0.0))
        return UINT32_MAX;
    r = ceil(log_inv / q);
    return r > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

/* Choose c and r (or exact mode) for the plan's sigma and params. */
static void
choose(const ham_plan *plan, sp_state *st)
{
    const double ep = (st->factor - 1.0) / st->factor; /* e' = eps_g / (1 + eps_g) */
    double best = HUGE_VAL;
    uint32_t c, c0 = (uint32_t)floor(1.0 / ep) + 1u, bc = 0, br = 0;
    if (st->force_c > 0) {
        st->c = st->force_c;
        st->r = st->force_r > 0 ? st->force_r : reps_for(st->c, ep, st->log_inv);
        st->exact = 0;
        return;
    }
    for (c = c0; c <= MAX_COLOURS && (double)c < 64.0 / ep + 2.0; c++) {
        const uint32_t r = reps_for(c, ep, st->log_inv);
        const double cost = (double)r * ((double)c + 1.0);
        if (r != UINT32_MAX && cost < best) {
            best = cost;
            bc = c;
            br = r;
        }
    }
    if (bc == 0 || (double)plan->sigma + 1.0 <= best || bc >= plan->sigma) {
        st->exact = 1;
        st->c = plan->sigma;
        st->r = 1;
    } else {
        st->exact = 0;
        st->c = bc;
        st->r = br;
    }
}

static int
sp_prepare(ham_plan *plan)
{
    sp_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_SAMPLING] = st;
    /* eps_g = F - 1 exactly (F a double in [1, 2)), a relative 2^-20
     * below eps: derivations use eps_g, outputs floor(F g) <= (1 + eps) D
     * with room for the rounding of the product */
    st->factor = 1.0 + plan->params.epsilon * (1.0 - 0x1p-20);
    st->log_inv = ham__approx_log_inv(plan->params.delta, 1.0);
    choose(plan, st);
    return HAM_OK;
}

static void
sp_release(ham_plan *plan)
{
    free(plan->eng[HAM_ENGINE_SAMPLING]);
    plan->eng[HAM_ENGINE_SAMPLING] = NULL;
}

/* ---- Cost model -------------------------------------------------------------- */

/* Per block and repetition: the present colours' forward transforms and one
 * inverse, their multiply-accumulates (KAPPA_MAC per point), and per point
 * the id mapping, colouring, indicator writes and checks (KAPPA_PT; the
 * constants of lib/fft_engine.c, whose loop this one resembles). */
#define KAPPA_MAC 0.3
#define KAPPA_PT  2.5

typedef struct cost_arg {
    const ham_plan *plan;
    const sp_state *st;
} cost_arg;

static int
spectra_cached(const sp_state *st, size_t N)
{
    return (double)st->c * (double)(N / 2 + 1) * sizeof(fftw_complex) <=
           (double)HAM__FFT_SPECTRA_BUDGET;
}

static double
block_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    const double T = ham__fft_transform_ns(N);
    const double c = (double)a->st->c;
    double per = (c + 1.0) * T + c * KAPPA_MAC * (double)(N / 2 + 1) +
                 (KAPPA_PT + ham__fft_map_ns(a->plan)) * (double)N;
    (void)W;
    if (!spectra_cached(a->st, N))
        per += c * T;
    return (double)a->st->r * per;
}

static double
setup_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    (void)W;
    return (2.0 + (double)a->st->r * (double)a->st->c) * ham__fft_transform_ns(N);
}

static size_t
pick(const ham_plan *plan, const sp_state *st, size_t n, double *total)
{
    cost_arg a;
    a.plan = plan;
    a.st = st;
    return ham__fft_pick_size(plan->m, n, block_ns, setup_ns, &a, total);
}

static double
sp_cost(const ham_plan *plan, size_t n)
{
    const sp_state *st = plan->eng[HAM_ENGINE_SAMPLING];
    double total;
    if (!st)
        return HUGE_VAL;
    if (plan->m_eff == 0)
        return (double)(n - plan->m + 1);
    if (pick(plan, st, n, &total) == 0)
        return HUGE_VAL;
    return total;
}

/* ---- Distances ------------------------------------------------------------------ */

typedef struct work {
    size_t N, W;
    fftw_plan r2c, c2r;
    double *x, *y;         /* N reals */
    fftw_complex *X, *acc; /* N/2 + 1 */
    fftw_complex *spec;    /* c (N/2 + 1): one repetition's pattern spectra, or NULL */
    fftw_complex *pspec;   /* N/2 + 1: one spectrum when not cached */
    uint32_t *ids;         /* N */
    uint32_t *col;         /* N: the block's colours */
    uint32_t *tab;         /* sigma + 1: the colouring */
    uint32_t *pcnt, *tcnt; /* c + 1 */
    uint32_t *cstart, *cpos; /* pattern positions by colour (CSR) */
    uint32_t *tstart, *tpos; /* block positions by colour (CSR) */
} work;

static void
work_free(work *w)
{
    if (w->r2c || w->c2r) {
        ham__fftw_lock();
        if (w->r2c)
            fftw_destroy_plan(w->r2c);
        if (w->c2r)
            fftw_destroy_plan(w->c2r);
        ham__fftw_unlock();
    }
    fftw_free(w->x);
    fftw_free(w->y);
    fftw_free(w->X);
    fftw_free(w->acc);
    fftw_free(w->spec);
    fftw_free(w->pspec);
    free(w->ids);
    free(w->col);
    free(w->tab);
    free(w->pcnt);
    free(w->tcnt);
    free(w->cstart);
    free(w->cpos);
    free(w->tstart);
    free(w->tpos);
}

static int
work_init(work *w, const ham_plan *plan, const sp_state *st, size_t N)
{
    const size_t nc = (size_t)st->c + 1, H = N / 2 + 1;
    const unsigned flags =
        (plan->params.flags & HAM_F_MEASURE) ? FFTW_MEASURE : FFTW_ESTIMATE;
    memset(w, 0, sizeof *w);
    w->N = N;
    w->W = N - plan->m + 1;
    w->x = fftw_alloc_real(N);
    w->y = fftw_alloc_real(N);
    w->X = fftw_alloc_complex(H);
    w->acc = fftw_alloc_complex(H);
    if (spectra_cached(st, N))
        w->spec = fftw_alloc_complex(H * (size_t)st->c);
    else
        w->pspec = fftw_alloc_complex(H);
    w->ids = ham__alloc(N, sizeof *w->ids);
    w->col = ham__alloc(N, sizeof *w->col);
    w->tab = ham__alloc((size_t)plan->sigma + 1, sizeof *w->tab);
    w->pcnt = ham__alloc(nc, sizeof *w->pcnt);
    w->tcnt = ham__alloc(nc, sizeof *w->tcnt);
    w->cstart = ham__alloc(nc + 1, sizeof *w->cstart);
    w->cpos = ham__alloc(plan->m_eff, sizeof *w->cpos);
    w->tstart = ham__alloc(nc + 1, sizeof *w->tstart);
    w->tpos = ham__alloc(N, sizeof *w->tpos);
    if (!w->x || !w->y || !w->X || !w->acc || (!w->spec && !w->pspec) || !w->ids ||
        !w->col || !w->tab || !w->pcnt || !w->tcnt || !w->cstart || !w->cpos ||
        !w->tstart || !w->tpos)
        return HAM_ENOMEM;
    /* the arrays are still unused: FFTW_MEASURE may scribble on them */
    ham__fftw_lock();
    w->r2c = fftw_plan_dft_r2c_1d((int)N, w->x, w->X, flags | FFTW_PRESERVE_INPUT);
    w->c2r = fftw_plan_dft_c2r_1d((int)N, w->acc, w->y, flags | FFTW_DESTROY_INPUT);
    ham__fftw_unlock();
    if (!w->r2c || !w->c2r)
        return HAM_EFFTW;
    return HAM_OK;
}

/* Colouring of repetition rep into w->tab; pattern positions by colour. */
static void
colour(const ham_plan *plan, const sp_state *st, work *w, uint32_t rep)
{
    const uint32_t c = st->c;
    uint32_t i;
    size_t j;
    w->tab[0] = 0;
    if (st->exact) {
        for (i = 1; i <= plan->sigma; i++)
            w->tab[i] = i;
    } else {
        ham__rng rng;
        ham__rng_seed(&rng, plan->params.seed, HAM__RNG_SAMPLING, rep);
        for (i = 1; i <= plan->sigma; i++)
            w->tab[i] = 1u + (uint32_t)ham__rng_below(&rng, c);
    }
    memset(w->pcnt, 0, ((size_t)c + 1) * sizeof *w->pcnt);
    for (j = 0; j < plan->m_eff; j++)
        w->pcnt[w->tab[plan->pid[plan->nonwild[j]]]]++;
    w->cstart[0] = 0;
    for (i = 0; i <= c; i++)
        w->cstart[i + 1] = w->cstart[i] + w->pcnt[i];
    for (j = 0; j < plan->m_eff; j++) {
        const size_t p = plan->nonwild[j];
        const uint32_t cc = w->tab[plan->pid[p]];
        w->cpos[w->cstart[cc]++] = (uint32_t)p;
    }
    for (i = c + 1; i > 0; i--) /* restore the starts */
        w->cstart[i] = w->cstart[i - 1];
    w->cstart[0] = 0;
}

/* conj(DFT_N(q_cc)) into out, q_cc the indicator of colour cc in P. */
static void
pattern_spectrum(const ham_plan *plan, work *w, uint32_t cc, fftw_complex *out)
{
    size_t i;
    const size_t H = w->N / 2 + 1;
    (void)plan;
    memset(w->x, 0, w->N * sizeof *w->x);
    for (i = w->cstart[cc]; i < w->cstart[cc + 1]; i++)
        w->x[w->cpos[i]] = 1.0;
    fftw_execute_dft_r2c(w->r2c, w->x, out);
    for (i = 0; i < H; i++)
        out[i][1] = -out[i][1];
}

/* Exact match counts of the coloured block by NTT (the checks failed):
 * the colours as ids of a shadow plan whose occurrence lists are the
 * colour classes. */
static int
block_exact(const ham_plan *plan, const sp_state *st, work *w, size_t L, size_t ns,
            uint32_t *match)
{
    ham_plan sh = *plan;
    uint32_t *syms = ham__alloc((size_t)st->c, sizeof *syms), i, np = 0;
    int rc;
    if (!syms)
        return HAM_ENOMEM;
    for (i = 1; i <= st->c; i++)
        if (w->pcnt[i] > 0 && w->tcnt[i] > 0)
            syms[np++] = i;
    sh.sigma = st->c;
    sh.occ_start = w->cstart;
    sh.occ = w->cpos;
    rc = ham__ntt_matches(&sh, w->col, L, ns, syms, np, match);
    free(syms);
    return rc;
}

/* Fold D_h of block [b, b + ns) into g = dist (max). */
static int
block_run(const ham_plan *plan, const sp_state *st, work *w, const void *text, size_t b,
          size_t ns, uint32_t *g)
{
    const size_t m = plan->m, L = ns + m - 1, N = w->N, H = N / 2 + 1;
    const uint32_t c = st->c, ne = (uint32_t)plan->m_eff;
    const double inv = 1.0 / (double)N;
    uint64_t want = 0, sum = 0;
    uint32_t i;
    size_t j;
    int first = 1, bad = 0;

    ham__map_ids(plan, (const char *)text + b * plan->width, L, w->ids);
    memset(w->tcnt, 0, ((size_t)c + 1) * sizeof *w->tcnt);
    for (j = 0; j < L; j++) {
        const uint32_t cc = w->tab[w->ids[j]];
        w->col[j] = cc;
        w->tcnt[cc]++;
    }
    w->tstart[0] = 0;
    for (i = 0; i <= c; i++)
        w->tstart[i + 1] = w->tstart[i] + w->tcnt[i];
    for (j = 0; j < L; j++)
        w->tpos[w->tstart[w->col[j]]++] = (uint32_t)j;
    for (i = c + 1; i > 0; i--)
        w->tstart[i] = w->tstart[i - 1];
    w->tstart[0] = 0;

    for (i = 1; i <= c; i++) {
        const fftw_complex *Q;
        size_t p;
        if (w->pcnt[i] == 0 || w->tcnt[i] == 0)
            continue;
        want += (uint64_t)w->pcnt[i] * w->tcnt[i];
        if (w->spec) {
            Q = w->spec + (size_t)(i - 1) * H;
        } else {
            pattern_spectrum(plan, w, i, w->pspec);
            Q = w->pspec;
        }
        memset(w->x, 0, N * sizeof *w->x);
        for (p = w->tstart[i]; p < w->tstart[i + 1]; p++)
            w->x[w->tpos[p]] = 1.0;
        fftw_execute_dft_r2c(w->r2c, w->x, w->X);
        if (first) {
            for (p = 0; p < H; p++) {
                w->acc[p][0] = w->X[p][0] * Q[p][0] - w->X[p][1] * Q[p][1];
                w->acc[p][1] = w->X[p][0] * Q[p][1] + w->X[p][1] * Q[p][0];
            }
            first = 0;
        } else {
            for (p = 0; p < H; p++) {
                w->acc[p][0] += w->X[p][0] * Q[p][0] - w->X[p][1] * Q[p][1];
                w->acc[p][1] += w->X[p][0] * Q[p][1] + w->X[p][1] * Q[p][0];
            }
        }
    }
    if (first) { /* no colour in common: D_h = ne everywhere */
        for (j = 0; j < ns; j++)
            g[b + j] = ne;
        return HAM_OK;
    }
    fftw_execute_dft_c2r(w->c2r, w->acc, w->y);
    /* checks of algorithms.md 2.3 on all N cyclic outputs */
    for (j = 0; j < N; j++) {
        const double v = w->y[j] * inv, r = nearbyint(v);
        bad |= !(fabs(v - r) <= 0.125) || r < 0.0;
        sum += (uint64_t)(r < 0.0 ? 0.0 : r);
    }
    if (bad || sum != want) {
        uint32_t *match = ham__alloc(ns, sizeof *match);
        int rc;
        if (!match)
            return HAM_ENOMEM;
        rc = block_exact(plan, st, w, L, ns, match);
        for (j = 0; rc == HAM_OK && j < ns; j++) {
            const uint32_t d = ne - match[j];
            g[b + j] = d > g[b + j] ? d : g[b + j];
        }
        free(match);
        return rc;
    }
    for (j = 0; j < ns; j++) {
        const double r = nearbyint(w->y[j] * inv);
        const uint32_t mh = r > (double)ne ? ne : (uint32_t)r;
        const uint32_t d = ne - mh;
        g[b + j] = d > g[b + j] ? d : g[b + j];
    }
    return HAM_OK;
}

static int
sp_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    const sp_state *st = plan->eng[HAM_ENGINE_SAMPLING];
    const size_t m = plan->m, S = n - m + 1;
    const uint32_t ne = (uint32_t)plan->m_eff;
    size_t N, b, j;
    uint32_t rep;
    double total;
    work w;
    int rc;

    HAM_ASSERT(n >= m);
    memset(dist, 0, S * sizeof *dist);
    if (ne == 0)
        return HAM_OK; /* only wildcards */
    N = pick(plan, st, n, &total);
    if (N == 0)
        return HAM_ENOMEM;
    rc = work_init(&w, plan, st, N);
    /* repetitions outermost: one repetition's pattern spectra serve all
     * blocks; the maximum is order-independent */
    for (rep = 0; rc == HAM_OK && rep < st->r; rep++) {
        uint32_t i;
        colour(plan, st, &w, rep);
        if (w.spec)
            for (i = 1; i <= st->c; i++)
                if (w.pcnt[i] > 0)
                    pattern_spectrum(plan, &w, i,
                                     w.spec + (size_t)(i - 1) * (N / 2 + 1));
        for (b = 0; rc == HAM_OK && b < S; b += w.W)
            rc = block_run(plan, st, &w, text, b, S - b < w.W ? S - b : w.W, dist);
    }
    work_free(&w);
    if (rc != HAM_OK)
        return rc;
    for (j = 0; j < S; j++) {
        uint32_t hi = dist[j];
        if (!st->exact) {
            const double v = floor(st->factor * (double)hi);
            hi = v >= (double)ne ? ne : (uint32_t)v;
        }
        dist[j] = hi > k ? k + 1 : hi;
    }
    return HAM_OK;
}

int
ham__sampling_info_get(const ham_plan *plan, ham__sampling_info *info)
{
    const sp_state *st = plan->eng[HAM_ENGINE_SAMPLING];
    memset(info, 0, sizeof *info);
    if (!st)
        return HAM_EINVAL;
    info->colours = st->c;
    info->reps = st->r;
    info->exact = st->exact;
    info->log_inv = st->log_inv;
    return HAM_OK;
}

void
ham__sampling_force(ham_plan *plan, uint32_t colours, uint32_t reps)
{
    sp_state *st = plan->eng[HAM_ENGINE_SAMPLING];
    if (!st)
        return;
    st->force_c = colours > MAX_COLOURS ? MAX_COLOURS : colours;
    st->force_r = reps;
    choose(plan, st);
}

const ham__engine_ops ham__sampling_ops = {
    .id = HAM_ENGINE_SAMPLING,
    .caps = HAM__CAP_APPROX | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = sp_prepare,
    .release = sp_release,
    .cost = sp_cost,
    .dist = sp_dist,
};
