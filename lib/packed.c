/* SPDX-License-Identifier: MIT */
/*
 * packed.c -- A4p, the `packed` engine: Abrahamson's frequent/infrequent
 * split with several pattern symbols per transform as base-B digits
 * (algorithms.md 6.4), after the bit-packed FFT of Chan, Jin, Vassilevska
 * Williams and Xu, "Faster Algorithms for Text-to-Pattern Hamming
 * Distances", FOCS 2023 (arXiv:2310.13174). Exact on every input; no
 * randomness. O(n sqrt(m log m)) worst case like A3; per block the
 * transforms of the packed symbols drop by up to a factor g.
 *
 * Groups (per plan): the ids sorted by p_c, cut into groups of g consecutive
 * ids (similar densities). For a group G = (c_0 .. c_{g-1}) and a block X:
 *   a[x] = B^i        if X[x] = c_i     (text; built per block)
 *   q[y] = B^(g-1-i)  if P[y] = c_i     (pattern; spectrum cached per plan)
 *   v = corr(a, q),   v[s] = sum_e D_e(s) B^e,  e in [0, 2g - 2]
 * D_{g-1}(s) counts the matches of the group's symbols at shift s, the
 * other digits count pairs of different group symbols. Groups share one
 * inverse transform per "bundle" (spectrum accumulation, as A2): the digits
 * then hold the bundle's sums. Bundles are filled while the sum of their
 * groups' expected digit loads (t_i p_i' / N per digit) stays below B / 4.
 *
 * Exactness, per bundle and block:
 *  - doubles (g = 2): B = 2^b with b the largest value for which the whole
 *    pattern at once would pass the a priori rule of 2.3, B^2 sqrt(N m)
 *    ceil(log2 N) <= 2^44 (by Cauchy-Schwarz every bundle then passes; its
 *    exact norm sum is checked anyway, against the fft context's limit, which
 *    tests lower): every output rounds to the exact integer v[s];
 *  - NTT (g = 3 or 4, modulo p = 2^64 - 2^32 + 1, lib/ntt.c): exact
 *    arithmetic; v[s] <= P_bundle B^(2g - 2) < p is kept by the bundle rule;
 *  - digit check (6.4), on the used shifts s < ns only: their digits sum
 *    to the number of group pairs at those lags (two pointers over the
 *    sorted positions, O(t + p) per symbol pair) if and only if no digit of
 *    theirs overflowed (xy.c explains why); then D_{g-1} is exact. (The
 *    design's check over all N cyclic outputs is sound too, but it fails
 *    whenever a discarded wrapped output overflows: a pattern occurrence
 *    near the start of the next block did that to 2 blocks of 6 at
 *    m = 2^17.) A failed bundle is split (bundle_rec) into pieces that
 *    cannot overflow -- groups re-bundled with sum p_c < B -- and single
 *    symbols for the rest: one 0/1 indicator per symbol (lib/fft.c, with
 *    its own checks and NTT recomputation), which cannot overflow.
 *
 * The split per block follows abrahamson.c's cost model with a packed
 * group's price (one transform for g symbols) in place of one transform per
 * symbol; a group whose own load exceeds B / 4 is not packed (its symbols
 * take Abrahamson's decision). Symbols whose enumeration is cheap are
 * enumerated.
 *
 * Memory: per plan O(sigma_P) plus cached group spectra (doubles: (N/2 + 1)
 * 16 bytes per group and size; NTT: 8 n per group, n the power of two >= N),
 * capped by HAM__FFT_SPECTRA_BUDGET, beyond which a spectrum is recomputed
 * per block; per call about 80 N bytes (plus 16 n with the NTT).
 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define G_MAX 4

/* ---- Cost constants (see the cost model below) ------------------------------------
 */

/* Abrahamson's constants (HAM__ABR_*, internal.h) price enumeration, block
 * points, MACs and blocks; these are packed's own, fitted likewise. */
/* Per point of a bundle's inverse: rounding, 2g - 1 digits, the sum (measured
 * on the bench grid of doc/algorithms.md: 1.6 ns with g = 2). */
#define KAPPA_DEC 1.6
/* A Goldilocks NTT of size n (lib/ntt.c, scalar) against an FFTW r2c of the
 * same size: measured 12-22x for n = 2^13 .. 2^19 (5x at 2^21, where FFTW
 * leaves the caches too); the model takes 15. */
#define NTT_FACTOR 15.0

/* ---- Plan state -------------------------------------------------------------------
 */

/* Cached group spectra for one block size. */
typedef struct pk_size {
    struct pk_size *next;
    size_t N, n2;     /* FFT size; NTT size (power of two >= N) */
    unsigned bits;    /* digit base 2^bits of the double path */
    unsigned nbits;   /* digit base of the NTT path */
    double **spec;    /* [ngroups]: conj(DFT_N(q_G)), N/2 + 1 points */
    uint64_t **nspec; /* [ngroups]: NTT of the reversed q_G */
    ham__ntt *ntt;
} pk_size;

typedef struct pk_state {
    ham__fft_head head; /* first: reached by ham__fft_head_of */
    pthread_mutex_t mu;
    int mu_ok;
    unsigned g;          /* symbols per group of the active path */
    int mode;            /* HAM__PK_*: double, NTT or the model's choice */
    unsigned force_bits; /* test hook: digit bits (0 = the rule) */
    double load;         /* share of B a bundle's load may reach */
    double *sq_suf;      /* [ngroups + 1]: sum of p_c^2 from group G on */
    double *p_suf;       /* [ngroups + 1]: sum of p_c from group G on */
    size_t ngroups;
    uint32_t *gsym;      /* [ngroups * G_MAX], 0 = empty slot */
    uint32_t *group_of;  /* [sigma + 1]: group of an id */
    uint32_t *role;      /* [sigma + 1]: its slot in the group */
    size_t budget, used; /* bytes of cached spectra */
    pk_size *sizes;
    ham__cjvx_stats stats;
} pk_state;

static pk_state *
state_of(const ham_plan *plan)
{
    return plan->eng[HAM_ENGINE_PACKED];
}

static void
pk_release(ham_plan *plan)
{
    pk_state *st = state_of(plan);
    pk_size *z, *next;
    size_t i;
    if (!st)
        return;
    for (z = st->sizes; z; z = next) {
        next = z->next;
        for (i = 0; i < st->ngroups; i++) {
            if (z->spec)
                ham__fft_free(z->spec[i]);
            if (z->nspec)
                free(z->nspec[i]);
        }
        free(z->spec);
        free(z->nspec);
        ham__ntt_destroy(z->ntt);
        free(z);
    }
    ham__fft_ctx_destroy(st->head.fft);
    if (st->mu_ok)
        pthread_mutex_destroy(&st->mu);
    free(st->gsym);
    free(st->group_of);
    free(st->role);
    free(st->sq_suf);
    free(st->p_suf);
    free(st);
    plan->eng[HAM_ENGINE_PACKED] = NULL;
}

/* Groups of g consecutive ids in order of decreasing p_c. */
static int
make_groups(const ham_plan *plan, pk_state *st, unsigned g)
{
    const size_t sigma = plan->sigma;
    uint32_t *order = ham__alloc(sigma + 1, sizeof *order);
    uint32_t *bucket = ham__calloc(plan->m + 2, sizeof *bucket);
    size_t c, i;
    if (!order || !bucket) {
        free(order);
        free(bucket);
        return HAM_ENOMEM;
    }
    for (c = 1; c <= sigma; c++)
        bucket[plan->m - plan->pcount[c] + 1]++;
    for (i = 1; i <= plan->m + 1; i++)
        bucket[i] += bucket[i - 1];
    for (c = 1; c <= sigma; c++)
        order[bucket[plan->m - plan->pcount[c]]++] = (uint32_t)c;
    free(bucket);
    free(st->gsym);
    st->g = g;
    st->ngroups = (sigma + g - 1) / g;
    st->gsym = ham__calloc(st->ngroups * G_MAX + 1, sizeof *st->gsym);
    if (!st->gsym) {
        free(order);
        return HAM_ENOMEM;
    }
    for (i = 0; i < sigma; i++) {
        st->gsym[(i / g) * G_MAX + i % g] = order[i];
        st->group_of[order[i]] = (uint32_t)(i / g);
        st->role[order[i]] = (uint32_t)(i % g);
    }
    free(order);
    free(st->sq_suf);
    free(st->p_suf);
    st->sq_suf = ham__calloc(st->ngroups + 1, sizeof *st->sq_suf);
    st->p_suf = ham__calloc(st->ngroups + 1, sizeof *st->p_suf);
    if (!st->sq_suf || !st->p_suf)
        return HAM_ENOMEM;
    for (i = st->ngroups; i-- > 0;) {
        unsigned r;
        st->sq_suf[i] = st->sq_suf[i + 1];
        st->p_suf[i] = st->p_suf[i + 1];
        for (r = 0; r < g; r++) {
            const uint32_t id = st->gsym[i * G_MAX + r];
            const double p = id ? (double)plan->pcount[id] : 0.0;
            st->sq_suf[i] += p * p;
            st->p_suf[i] += p;
        }
    }
    return HAM_OK;
}

static size_t pk_block_size(const ham_plan *plan, size_t n);

static int
pk_prepare(ham_plan *plan)
{
    pk_state *st = calloc(1, sizeof *st);
    int rc;
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_PACKED] = st;
    st->head.block_size = pk_block_size;
    if (pthread_mutex_init(&st->mu, NULL) != 0)
        return HAM_ENOMEM;
    st->mu_ok = 1;
    st->mode = HAM__PK_AUTO;
    st->load = 0.25;
    st->budget = HAM__FFT_SPECTRA_BUDGET;
    st->group_of = ham__calloc((size_t)plan->sigma + 1, sizeof *st->group_of);
    st->role = ham__calloc((size_t)plan->sigma + 1, sizeof *st->role);
    if (!st->group_of || !st->role)
        return HAM_ENOMEM;
    rc = make_groups(plan, st, 2);
    if (rc != HAM_OK)
        return rc;
    return ham__fft_ctx_create(&st->head.fft, plan);
}

/* ---- Digit bases ------------------------------------------------------------------
 */

/* Doubles, g = 2: the largest b with B^2 sqrt(N m) ceil(log2 N) <= 2^44. */
static unsigned
double_bits(const ham_plan *plan, size_t N)
{
    double b = floor(
        (44.0 - 0.5 * log2((double)N * (double)plan->m) - log2(ceil(log2((double)N)))) /
        2.0);
    return b < 2.0 ? 0 : b > 16.0 ? 16 : (unsigned)b;
}

/* NTT, g symbols: the largest b with m B^(2g - 2) < 2^63 (a bundle's value
 * is at most P_bundle B^(2g - 2) <= m B^(2g - 2) < p). */
static unsigned
ntt_bits(const ham_plan *plan, unsigned g)
{
    double b = floor((63.0 - log2((double)plan->m + 1.0)) / (2.0 * (g - 1)));
    return b < 2.0 ? 0 : b > 16.0 ? 16 : (unsigned)b;
}

/* Whether this plan packs with the NTT (else doubles, g = 2). */
static int
use_ntt(const pk_state *st)
{
    return st->mode == HAM__PK_NTT;
}

/* ---- Cost model -------------------------------------------------------------------
 */

/*
 * Static estimate per block (rho_c = p_c / m, the pattern standing in for the
 * text, 10.4): groups in order; a group is packed when its symbols'
 * enumeration costs more than one packed transform (T + MAC, or the NTT's
 * price) and its own load fits, else each symbol takes abrahamson's rule
 * (transform iff enumeration costs more than T + MAC). Bundles: the packed
 * loads summed, divided by the bundle limit. Plus one inverse for the plain
 * symbols, and the per-point costs.
 */
static double
static_block(const ham_plan *plan, const pk_state *st, size_t N, size_t W,
             double *nspec)
{
    const double T = ham__fft_transform_ns(N), m = (double)plan->m;
    const double mac = HAM__ABR_KAPPA_MAC * (double)(N / 2 + 1);
    const double ke = ham__abr_kappa_e(plan, W) * (double)W / m,
                 kt = HAM__ABR_KAPPA_T * (double)N / m;
    const int ntt = use_ntt(st);
    const unsigned g = st->g;
    const unsigned bits = ntt ? ntt_bits(plan, g) : double_bits(plan, N);
    const double B = ldexp(1.0, (int)(bits ? bits : 1));
    const double price = ntt ? NTT_FACTOR * T * 1.3 : T + mac;
    const double limit = st->load * B;
    double cost = 0.0, load = 0.0, nplain = 0.0;
    size_t G, i;
    for (G = 0; G < st->ngroups; G++) {
        double en = 0.0, gl = 0.0;
        for (i = 0; i < g; i++) {
            const uint32_t c = st->gsym[G * G_MAX + i];
            double p;
            if (!c)
                continue;
            p = (double)plan->pcount[c];
            en += ke * p * p + kt * p;
            gl += p * p / m; /* expected matches per shift, t_c = p_c N / m */
        }
        if (en <= (price < T + mac ? price : T + mac)) {
            /* this group and, the ids being sorted by p_c, every later one
             * are enumerated: their cost from the suffix sums (O(1), so that
             * AUTO's choice stays cheap for large alphabets) */
            cost += ke * st->sq_suf[G] + kt * st->p_suf[G];
            break;
        }
        if (bits && en > price && gl <= limit) {
            cost += price;
            load += gl;
            *nspec += 1.0;
            continue;
        }
        for (i = 0; i < g; i++) {
            const uint32_t c = st->gsym[G * G_MAX + i];
            double p, e1;
            if (!c)
                continue;
            p = (double)plan->pcount[c];
            e1 = ke * p * p + kt * p;
            if (e1 > T + mac) {
                cost += T + mac;
                nplain += 1.0;
                *nspec += 1.0;
            } else {
                cost += e1;
            }
        }
    }
    if (load > 0.0) {
        const double nb = ceil(load / limit);
        cost += nb * ((ntt ? NTT_FACTOR * T : T) + KAPPA_DEC * (double)N);
    }
    if (nplain > 0.0)
        cost += T;
    return cost + (HAM__ABR_KAPPA_PT + ham__fft_map_ns(plan)) * (double)N +
           HAM__ABR_KAPPA_BLOCK;
}

typedef struct cost_arg {
    const ham_plan *plan;
    const pk_state *st;
} cost_arg;

static double
block_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    double nspec = 0.0;
    return static_block(a->plan, a->st, N, W, &nspec);
}

static double
setup_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    double nspec = 0.0;
    static_block(a->plan, a->st, N, W, &nspec);
    /* plans and the spectra of the packed groups and plain symbols (one
     * transform each), if any transform at all */
    return nspec > 0.0 ? (2.0 + nspec) * ham__fft_transform_ns(N) : 0.0;
}

static size_t
pick(const ham_plan *plan, size_t n, double *total)
{
    cost_arg a;
    a.plan = plan;
    a.st = state_of(plan);
    return ham__fft_pick_size(plan->m, n, block_ns, setup_ns, &a, total);
}

static size_t
pk_block_size(const ham_plan *plan, size_t n)
{
    double total;
    return pick(plan, n < plan->m ? plan->m : n, &total);
}

/*
 * The structural model above, times a factor fitted on the calibration grid
 * (uniform texts over K = 16 .. 1448 symbols, m = 2^11 .. 2^17, n = 2^20;
 * interleaved runs of abrahamson, packed and hashed, median of 3; AMD EPYC
 * Zen 4 VM, gcc 12 -O2, FFTW 3.3.10): the model came out at 0.68-0.78 of
 * the measured time (bundle decoding, the pair counts of the digit check and
 * failing bundles at occurrences are priced low or not at all). With the
 * factor AUTO picks packed only where it measured faster than abrahamson,
 * and a tie (every symbol enumerated) goes to abrahamson.
 */
#define FIT_FACTOR 1.33

static double
pk_cost(const ham_plan *plan, size_t n)
{
    double total;
    if (plan->sigma == 0)
        return (double)(n - plan->m + 1);
    if (pick(plan, n, &total) == 0)
        return HUGE_VAL;
    return FIT_FACTOR * total;
}

/* ---- Group spectra ----------------------------------------------------------------
 */

/* The cache entry for size N (made on first use, under st->mu). */
static int
size_entry(pk_state *st, const ham_plan *plan, size_t N, pk_size **out)
{
    pk_size *z;
    int rc = HAM_OK;
    pthread_mutex_lock(&st->mu);
    for (z = st->sizes; z; z = z->next)
        if (z->N == N)
            break;
    if (!z) {
        z = calloc(1, sizeof *z);
        if (z) {
            z->N = N;
            z->n2 = 1;
            while (z->n2 < N)
                z->n2 <<= 1;
            z->bits = st->force_bits ? st->force_bits : double_bits(plan, N);
            z->nbits = st->force_bits ? st->force_bits : ntt_bits(plan, st->g);
            z->spec = calloc(st->ngroups + 1, sizeof *z->spec);
            z->nspec = calloc(st->ngroups + 1, sizeof *z->nspec);
            if (!z->spec || !z->nspec) {
                free(z->spec);
                free(z->nspec);
                free(z);
                z = NULL;
            }
        }
        if (z) {
            z->next = st->sizes;
            st->sizes = z;
        } else {
            rc = HAM_ENOMEM;
        }
    }
    if (z && use_ntt(st) && !z->ntt)
        rc = ham__ntt_create(&z->ntt, z->n2);
    pthread_mutex_unlock(&st->mu);
    *out = z;
    return rc;
}

/* Per-call buffers. */
typedef struct pk_work {
    const ham_plan *plan;
    pk_state *st;
    pk_size *z;
    const ham__fft_raw *raw;
    int simd;
    size_t N;
    double *a, *X, *acc, *y, *sp; /* N, N/2+1 (c), N/2+1 (c), N, N/2+1 (c) */
    uint64_t *a64, *acc64, *sp64; /* n2 each (NTT) */
} pk_work;

/* conj(DFT_N(q_G)) into dst (doubles), q_G[y] = B^(g-1-i) for P[y] = c_i. */
static void
group_spectrum(pk_work *w, size_t G, unsigned bits, double *dst)
{
    const ham_plan *plan = w->plan;
    const pk_state *st = w->st;
    const size_t N = w->N;
    unsigned i;
    size_t k;
    memset(w->a, 0, N * sizeof *w->a);
    for (i = 0; i < st->g; i++) {
        const uint32_t c = st->gsym[G * G_MAX + i];
        const double v = ldexp(1.0, (int)(bits * (st->g - 1 - i)));
        if (!c)
            continue;
        for (k = plan->occ_start[c]; k < plan->occ_start[c + 1]; k++)
            w->a[plan->occ[k]] = v;
    }
    ham__fft_raw_r2c(w->raw, w->a, dst);
    for (k = 0; k <= N / 2; k++)
        dst[2 * k + 1] = -dst[2 * k + 1];
    memset(w->a, 0, N * sizeof *w->a);
}

/* NTT of the reversed q_G (so that a product gives the correlation). */
static void
group_spectrum_ntt(pk_work *w, size_t G, unsigned bits, uint64_t *dst)
{
    const ham_plan *plan = w->plan;
    const pk_state *st = w->st;
    const size_t n2 = w->z->n2;
    unsigned i;
    size_t k;
    memset(dst, 0, n2 * sizeof *dst);
    for (i = 0; i < st->g; i++) {
        const uint32_t c = st->gsym[G * G_MAX + i];
        const uint64_t v = (uint64_t)1 << (bits * (st->g - 1 - i));
        if (!c)
            continue;
        for (k = plan->occ_start[c]; k < plan->occ_start[c + 1]; k++)
            dst[(n2 - plan->occ[k]) & (n2 - 1)] = v;
    }
    ham__ntt_forward(w->z->ntt, dst);
}

/* The cached spectrum of group G, or one computed into scratch. */
static const void *
get_spectrum(pk_work *w, size_t G, int ntt)
{
    pk_state *st = w->st;
    pk_size *z = w->z;
    const size_t bytes = ntt ? z->n2 * 8 : (w->N / 2 + 1) * 16;
    const void *out;
    pthread_mutex_lock(&st->mu);
    if (ntt ? !z->nspec[G] : !z->spec[G]) {
        if (st->used + bytes <= st->budget) {
            if (ntt) {
                uint64_t *s = ham__alloc(z->n2, sizeof *s);
                if (s) {
                    group_spectrum_ntt(w, G, z->nbits, s);
                    z->nspec[G] = s;
                    st->used += bytes;
                }
            } else {
                double *s = ham__fft_alloc_cplx(w->N / 2 + 1);
                if (s) {
                    group_spectrum(w, G, z->bits, s);
                    z->spec[G] = s;
                    st->used += bytes;
                }
            }
        }
    }
    out = ntt ? (const void *)z->nspec[G] : (const void *)z->spec[G];
    pthread_mutex_unlock(&st->mu);
    if (out)
        return out;
    if (ntt) {
        group_spectrum_ntt(w, G, z->nbits, w->sp64);
        return w->sp64;
    }
    group_spectrum(w, G, z->bits, w->sp);
    return w->sp;
}

/* ---- Per-call scratch -------------------------------------------------------------
 */

typedef struct scratch {
    uint32_t *ids, *pos;                     /* N */
    uint32_t *hist, *start, *present;        /* sigma + 2 */
    uint32_t *eset, *fset, *pgroups, *split; /* sigma + 2 */
    double *gload;                           /* ngroups */
    uint32_t *pk, *tmp, *exact;              /* W */
    int32_t *r;                              /* W */
    void *cnt;                               /* W counters */
} scratch;

static void
scratch_free(scratch *s)
{
    free(s->ids);
    free(s->pos);
    free(s->hist);
    free(s->start);
    free(s->present);
    free(s->eset);
    free(s->fset);
    free(s->pgroups);
    free(s->split);
    free(s->gload);
    free(s->pk);
    free(s->tmp);
    free(s->exact);
    free(s->r);
    free(s->cnt);
}

static int
scratch_init(scratch *s, const ham_plan *plan, const pk_state *st, size_t N, size_t W,
             int wide)
{
    const size_t sg = (size_t)plan->sigma + 2;
    memset(s, 0, sizeof *s);
    s->ids = ham__alloc(N, sizeof *s->ids);
    s->pos = ham__alloc(N, sizeof *s->pos);
    s->hist = ham__calloc(sg, sizeof *s->hist);
    s->start = ham__alloc(sg, sizeof *s->start);
    s->present = ham__alloc(sg, sizeof *s->present);
    s->eset = ham__alloc(sg, sizeof *s->eset);
    s->fset = ham__alloc(sg, sizeof *s->fset);
    s->pgroups = ham__alloc(sg, sizeof *s->pgroups);
    s->split = ham__alloc(sg, sizeof *s->split);
    s->gload = ham__calloc(st->ngroups + 1, sizeof *s->gload);
    s->pk = ham__alloc(W, sizeof *s->pk);
    s->tmp = ham__alloc(W, sizeof *s->tmp);
    s->exact = ham__alloc(W, sizeof *s->exact);
    s->r = ham__alloc(W, sizeof *s->r);
    s->cnt = ham__alloc(W, wide ? sizeof(uint32_t) : sizeof(uint16_t));
    if (!s->ids || !s->pos || !s->hist || !s->start || !s->present || !s->eset ||
        !s->fset || !s->pgroups || !s->split || !s->gload || !s->pk || !s->tmp ||
        !s->exact || !s->r || !s->cnt)
        return HAM_ENOMEM;
    return HAM_OK;
}

static void
work_free(pk_work *w)
{
    ham__fft_free(w->a);
    ham__fft_free(w->X);
    ham__fft_free(w->acc);
    ham__fft_free(w->y);
    ham__fft_free(w->sp);
    free(w->a64);
    free(w->acc64);
    free(w->sp64);
}

static int
work_init(pk_work *w, const ham_plan *plan, pk_state *st, size_t N)
{
    int rc;
    memset(w, 0, sizeof *w);
    w->plan = plan;
    w->st = st;
    w->N = N;
    w->simd = ham__fft_simd(plan);
    rc = size_entry(st, plan, N, &w->z);
    if (rc != HAM_OK)
        return rc;
    rc = ham__fft_raw_get(st->head.fft, N, &w->raw);
    if (rc != HAM_OK)
        return rc;
    w->a = ham__fft_alloc_real(N);
    w->y = ham__fft_alloc_real(N);
    w->X = ham__fft_alloc_cplx(N / 2 + 1);
    w->acc = ham__fft_alloc_cplx(N / 2 + 1);
    w->sp = ham__fft_alloc_cplx(N / 2 + 1);
    if (!w->a || !w->y || !w->X || !w->acc || !w->sp)
        return HAM_ENOMEM;
    memset(w->a, 0, N * sizeof *w->a);
    if (use_ntt(st)) {
        w->a64 = ham__alloc(w->z->n2, sizeof *w->a64);
        w->acc64 = ham__alloc(w->z->n2, sizeof *w->acc64);
        w->sp64 = ham__alloc(w->z->n2, sizeof *w->sp64);
        if (!w->a64 || !w->acc64 || !w->sp64)
            return HAM_ENOMEM;
    }
    return HAM_OK;
}

/* ---- One bundle ---------------------------------------------------------------------
 */

static void
stat_add(pk_state *st, uint64_t *field, uint64_t v)
{
    pthread_mutex_lock(&st->mu);
    *field += v;
    pthread_mutex_unlock(&st->mu);
}

/*
 * Packed groups grp[0..ng) on the block (positions by id in s): adds the
 * matches of their symbols into s->pk[0..ns) and returns HAM_OK, or 1 when
 * the bundle failed its a priori rule or digit check (s->pk untouched).
 */
static int
bundle_run(pk_work *w, scratch *s, const uint32_t *grp, size_t ng, size_t L, size_t ns)
{
    const ham_plan *plan = w->plan;
    pk_state *st = w->st;
    const int ntt = use_ntt(st);
    const unsigned g = st->g, bits = ntt ? w->z->nbits : w->z->bits;
    const unsigned nd = 2 * g - 1;
    const size_t N = w->N, n2 = w->z->n2;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    uint64_t expect = 0, dsum = 0;
    double normsum = 0.0, ptot = 0.0;
    size_t k, d;
    int bad = 0;

    for (k = 0; k < ng; k++) {
        const size_t G = grp[k];
        double T = 0.0, P = 0.0, a2 = 0.0, q2 = 0.0;
        const void *S;
        unsigned i;
        for (i = 0; i < g; i++) {
            const uint32_t c = st->gsym[G * G_MAX + i];
            double t, p;
            if (!c)
                continue;
            t = (double)s->hist[c];
            p = (double)plan->pcount[c];
            T += t;
            P += p;
            a2 += t * ldexp(1.0, (int)(2 * bits * i));
            q2 += p * ldexp(1.0, (int)(2 * bits * (g - 1 - i)));
        }
        normsum += sqrt(a2) * sqrt(q2);
        /* the digit check covers the used shifts [0, ns) only: the pairs of
         * the group at those lags, by two pointers per symbol pair */
        for (i = 0; i < g; i++) {
            const uint32_t c = st->gsym[G * G_MAX + i];
            unsigned i2;
            if (!c || !s->hist[c])
                continue;
            for (i2 = 0; i2 < g; i2++) {
                const uint32_t c2 = st->gsym[G * G_MAX + i2];
                if (c2)
                    expect += ham__xy_pairs_in(s->pos + s->start[c], s->hist[c],
                                               plan->occ + plan->occ_start[c2],
                                               plan->pcount[c2], 1, 0, (int64_t)ns - 1);
            }
        }
        ptot += P;
        S = get_spectrum(w, G, ntt);
        if (ntt) {
            memset(w->a64, 0, n2 * sizeof *w->a64);
            for (i = 0; i < g; i++) {
                const uint32_t c = st->gsym[G * G_MAX + i];
                const uint64_t v = (uint64_t)1 << (bits * i);
                size_t j;
                if (!c)
                    continue;
                for (j = 0; j < s->hist[c]; j++)
                    w->a64[s->pos[s->start[c] + j]] = v;
            }
            ham__ntt_forward(w->z->ntt, w->a64);
            ham__ntt_mac(w->acc64, w->a64, S, n2, k == 0);
        } else {
            for (i = 0; i < g; i++) {
                const uint32_t c = st->gsym[G * G_MAX + i];
                const double v = ldexp(1.0, (int)(bits * i));
                size_t j;
                if (!c)
                    continue;
                for (j = 0; j < s->hist[c]; j++)
                    w->a[s->pos[s->start[c] + j]] = v;
            }
            ham__fft_raw_r2c(w->raw, w->a, w->X);
            for (i = 0; i < g; i++) {
                const uint32_t c = st->gsym[G * G_MAX + i];
                size_t j;
                if (!c)
                    continue;
                for (j = 0; j < s->hist[c]; j++)
                    w->a[s->pos[s->start[c] + j]] = 0.0;
            }
            ham__fft_mac(w->simd, w->acc, w->X, S, N / 2 + 1, k == 0);
        }
    }
    stat_add(st, &st->stats.bundles, 1);
    /* a priori: doubles by the norm rule (2.3), NTT by magnitude (< p) */
    if (ntt ? ptot * ldexp(1.0, (int)(bits * (2 * g - 2))) >= 0x1p63
            : !ham__fft_apriori_ok(st->head.fft, N, normsum))
        return 1;
    memset(s->tmp, 0, ns * sizeof *s->tmp);
    if (ntt) {
        ham__ntt_inverse(w->z->ntt, w->acc64);
        for (d = 0; d < ns; d++) {
            uint64_t u = w->acc64[d];
            unsigned e;
            for (e = 0; e < nd && u; e++) {
                const uint64_t dig = e + 1 < nd ? u & mask : u;
                u = e + 1 < nd ? u >> bits : 0;
                dsum += dig;
                if (e == g - 1)
                    s->tmp[d] = (uint32_t)dig;
            }
        }
    } else {
        const double scale = 1.0 / (double)N, magic = 0x1.8p52;
        double res = 0.0;
        ham__fft_raw_c2r(w->raw, w->acc, w->y);
        for (d = 0; d < ns; d++) {
            const double v = w->y[d] * scale, q = (v + magic) - magic;
            const double r = fabs(v - q);
            uint64_t u;
            res = r > res ? r : res;
            if (!(q > -0.5 && q < 0x1p52)) {
                bad = 1;
                break;
            }
            u = (uint64_t)q;
            if (g == 2) {
                /* the common case unrolled: digits 0, 1 and the top */
                const uint64_t d0 = u & mask, d1 = (u >> bits) & mask,
                               d2 = u >> (2 * bits);
                dsum += d0 + d1 + d2;
                s->tmp[d] = (uint32_t)d1;
            } else {
                unsigned e;
                for (e = 0; e < nd; e++) {
                    const uint64_t dig = e + 1 < nd ? u & mask : u;
                    u = e + 1 < nd ? u >> bits : 0;
                    dsum += dig;
                    if (e == g - 1)
                        s->tmp[d] = (uint32_t)dig;
                }
            }
        }
        bad |= !(res <= 0.125);
    }
    (void)L;
    if (bad || dsum != expect)
        return 1;
    for (d = 0; d < ns; d++)
        s->pk[d] += s->tmp[d];
    return HAM_OK;
}

/* Symbols of group G present in the block to the plain list. */
static void
to_singles(pk_work *w, scratch *s, uint32_t G, size_t *nf)
{
    unsigned i;
    for (i = 0; i < w->st->g; i++) {
        const uint32_t c = w->st->gsym[(size_t)G * G_MAX + i];
        if (c && s->hist[c]) {
            s->fset[(*nf)++] = c;
            stat_add(w->st, &w->st->stats.singles, 1);
        }
    }
}

/*
 * A bundle, and the split when it fails (the recursion of 6.4). Splitting
 * in halves again and again pays nothing on the inputs that make bundles
 * fail in practice: an exact or near occurrence puts every group's matches
 * at one shift, so every half fails as well (measured: 15 runs per failing
 * bundle of 8 groups, 2x slower than abrahamson at m = 2^17). The split is
 * therefore into pieces that cannot fail: a group with P_G < B (pattern
 * occurrences) can never overflow, since at any shift each pattern
 * position adds to one digit only, nor can a piece whose P sum stays below
 * B; the failing bundle's safe groups are re-bundled that way, the others
 * go down to single symbols (0/1 indicators). A safe piece is still
 * verified; should it fail (only the a priori test hook does that), its
 * symbols go to the plain path too.
 */
static int
bundle_rec(pk_work *w, scratch *s, uint32_t *grp, size_t ng, size_t L, size_t ns,
           size_t *nf)
{
    pk_state *st = w->st;
    const unsigned bits = use_ntt(st) ? w->z->nbits : w->z->bits;
    const double B = ldexp(1.0, (int)bits);
    int rc = bundle_run(w, s, grp, ng, L, ns);
    size_t i, j, nsafe = 0;
    if (rc != 1)
        return rc;
    stat_add(st, &st->stats.failed, 1);
    /* safe groups first (in place), the others to singles */
    for (i = 0; i < ng; i++) {
        double P = 0.0;
        unsigned r;
        for (r = 0; r < st->g; r++) {
            const uint32_t c = st->gsym[(size_t)grp[i] * G_MAX + r];
            if (c)
                P += (double)w->plan->pcount[c];
        }
        if (ng > 1 && P < B) {
            const uint32_t t = grp[nsafe];
            grp[nsafe++] = grp[i];
            grp[i] = t;
        }
    }
    for (i = nsafe; i < ng; i++)
        to_singles(w, s, grp[i], nf);
    for (i = 0; rc != HAM_ENOMEM && i < nsafe;) {
        double P = 0.0;
        j = i;
        while (j < nsafe) {
            double Pg = 0.0;
            unsigned r;
            for (r = 0; r < st->g; r++) {
                const uint32_t c = st->gsym[(size_t)grp[j] * G_MAX + r];
                if (c)
                    Pg += (double)w->plan->pcount[c];
            }
            if (j > i && P + Pg >= B)
                break;
            P += Pg;
            j++;
        }
        rc = bundle_run(w, s, grp + i, j - i, L, ns);
        if (rc == 1) {
            size_t q;
            stat_add(st, &st->stats.failed, 1);
            for (q = i; q < j; q++)
                to_singles(w, s, grp[q], nf);
            rc = HAM_OK;
        }
        i = j;
    }
    return rc == 1 ? HAM_OK : rc;
}

/* ---- Distances ----------------------------------------------------------------------
 */

/* The plain part (indicators, one inverse) into s->exact, as abrahamson.c;
 * blocks recomputed exactly are counted in the engine's statistics. */
static int
plain_fft(const ham_plan *plan, ham__fft_ctx *ctx, ham__fft_work **fw, scratch *s,
          size_t nf, size_t N, size_t L, size_t ns)
{
    int exact_path;
    const int rc =
        ham__abr_fft_part(plan, ctx, fw, s->ids, s->hist, s->start, s->pos, s->fset, nf,
                          N, L, ns, s->r, s->exact, &exact_path);
    if (exact_path)
        stat_add(state_of(plan), &state_of(plan)->stats.exact_blocks, 1);
    return rc;
}

static int
pk_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    pk_state *st = state_of(plan);
    ham__fft_ctx *ctx = st->head.fft;
    const size_t m = plan->m, S = n - m + 1;
    const uint32_t me = (uint32_t)plan->m_eff;
    const int wide = plan->m_eff >= 65536;
    ham__fft_work *fw = NULL;
    pk_work w;
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
    memset(&w, 0, sizeof w); /* work_free below runs even if scratch_init fails */
    rc = scratch_init(&s, plan, st, N, W < S ? W : S, wide);
    if (rc == HAM_OK)
        rc = work_init(&w, plan, st, N);
    for (b = 0; rc == HAM_OK && b < S; b += W) {
        const size_t ns = S - b < W ? S - b : W, L = ns + m - 1;
        const int ntt = use_ntt(st);
        const unsigned bits = ntt ? w.z->nbits : w.z->bits, g = st->g;
        const double T = ham__fft_transform_ns(N);
        const double price1 = T + HAM__ABR_KAPPA_MAC * (double)(N / 2 + 1);
        const double gprice = ntt ? NTT_FACTOR * T * 1.3 : price1;
        const double frac = (double)ns / (double)L, ke = ham__abr_kappa_e(plan, ns);
        const double limit = st->load * ldexp(1.0, (int)bits);
        size_t np, nf = 0, ne = 0, npg = 0;
        double bl;
        np = ham__fft_map_hist(plan, (const char *)text + b * plan->width, L, s.ids,
                               s.hist, s.present);
        ham__fft_bucket(s.ids, L, s.hist, s.present, np, s.start, s.pos);
        /* the split: mark each present group once (split[] as a flag) */
        for (i = 0; i < np; i++)
            s.split[st->group_of[s.present[i]]] = 0;
        for (i = 0; i < np; i++) {
            const uint32_t G0 = st->group_of[s.present[i]];
            double en = 0.0, gl = 0.0;
            unsigned r;
            if (s.split[G0])
                continue;
            s.split[G0] = 1;
            for (r = 0; r < g; r++) {
                const uint32_t c = st->gsym[(size_t)G0 * G_MAX + r];
                double t, p;
                if (!c || !s.hist[c])
                    continue;
                t = (double)s.hist[c];
                p = (double)plan->pcount[c];
                en += ke * t * p * frac + HAM__ABR_KAPPA_T * t;
            }
            /* expected digit load: matches and cross pairs per cyclic shift */
            {
                double dl[2 * G_MAX] = {0};
                unsigned r1, r2;
                for (r1 = 0; r1 < g; r1++) {
                    const uint32_t c1 = st->gsym[(size_t)G0 * G_MAX + r1];
                    if (!c1 || !s.hist[c1])
                        continue;
                    for (r2 = 0; r2 < g; r2++) {
                        const uint32_t c2 = st->gsym[(size_t)G0 * G_MAX + r2];
                        if (c2)
                            dl[r1 + g - 1 - r2] += (double)s.hist[c1] *
                                                   (double)plan->pcount[c2] / (double)N;
                    }
                }
                for (r1 = 0; r1 < 2 * g - 1; r1++)
                    gl = dl[r1] > gl ? dl[r1] : gl;
            }
            if (st->mode != HAM__PK_NONE && bits && gl <= limit &&
                (en > gprice || st->mode != HAM__PK_AUTO)) {
                s.pgroups[npg++] = G0;
                s.gload[G0] = gl;
                continue;
            }
            for (r = 0; r < g; r++) {
                const uint32_t c = st->gsym[(size_t)G0 * G_MAX + r];
                double t, p;
                if (!c || !s.hist[c])
                    continue;
                t = (double)s.hist[c];
                p = (double)plan->pcount[c];
                if (ke * t * p * frac + HAM__ABR_KAPPA_T * t > price1)
                    s.fset[nf++] = c;
                else
                    s.eset[ne++] = c;
            }
        }
        stat_add(st, &st->stats.grouped, npg);
        stat_add(st, &st->stats.enumerated, ne);
        /* bundles: consecutive packed groups while the load fits */
        memset(s.pk, 0, ns * sizeof *s.pk);
        for (i = 0; rc == HAM_OK && i < npg;) {
            size_t j = i;
            bl = 0.0;
            while (j < npg && (j == i || bl + s.gload[s.pgroups[j]] <= limit))
                bl += s.gload[s.pgroups[j++]];
            rc = bundle_rec(&w, &s, s.pgroups + i, j - i, L, ns, &nf);
            i = j;
        }
        if (rc == HAM_OK)
            rc = plain_fft(plan, ctx, &fw, &s, nf, N, L, ns);
        if (rc == HAM_OK) {
            if (wide) {
                uint32_t *cnt = s.cnt;
                memset(cnt, 0, ns * sizeof *cnt);
                for (i = 0; i < ne; i++) {
                    const uint32_t c = s.eset[i];
                    ham__xy_enum32(cnt, s.pos + s.start[c], s.hist[c],
                                   plan->occ + plan->occ_start[c], plan->pcount[c], ns);
                }
                ham__xy_finish32(dist + b, s.exact, s.pk, cnt, ns, me, k);
            } else {
                uint16_t *cnt = s.cnt;
                memset(cnt, 0, ns * sizeof *cnt);
                for (i = 0; i < ne; i++) {
                    const uint32_t c = s.eset[i];
                    ham__xy_enum16(cnt, s.pos + s.start[c], s.hist[c],
                                   plan->occ + plan->occ_start[c], plan->pcount[c], ns);
                }
                ham__xy_finish16(dist + b, s.exact, s.pk, cnt, ns, me, k);
            }
        }
        for (i = 0; i < np; i++)
            s.hist[s.present[i]] = 0;
        s.hist[0] = 0;
    }
    ham__fft_work_destroy(fw);
    work_free(&w);
    scratch_free(&s);
    return rc;
}

const ham__engine_ops ham__packed_ops = {
    .id = HAM_ENGINE_PACKED,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = pk_prepare,
    .release = pk_release,
    .cost = pk_cost,
    .dist = pk_dist,
};

/* ---- Test hooks -------------------------------------------------------------------
 */

/* Drop the cached spectra (their base or grouping changed). */
static void
drop_sizes(pk_state *st)
{
    pk_size *z, *next;
    size_t i;
    for (z = st->sizes; z; z = next) {
        next = z->next;
        for (i = 0; i < st->ngroups; i++) {
            ham__fft_free(z->spec[i]);
            free(z->nspec[i]);
        }
        free(z->spec);
        free(z->nspec);
        ham__ntt_destroy(z->ntt);
        free(z);
    }
    st->sizes = NULL;
    st->used = 0;
}

void
ham__cjvx_tune(ham_plan *plan, ham_engine e, unsigned bits, double load, int mode,
               unsigned g)
{
    pk_state *st;
    if (e == HAM_ENGINE_HASHED) {
        ham__hashed_tune(plan, bits, load, mode, g);
        return;
    }
    st = e == HAM_ENGINE_PACKED ? state_of(plan) : NULL;
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    drop_sizes(st);
    st->force_bits = bits;
    if (load > 0.0)
        st->load = load;
    st->mode = mode;
    if (g < 2 || g > G_MAX)
        g = mode == HAM__PK_NTT ? 3 : 2;
    if (mode != HAM__PK_NTT)
        g = 2;
    pthread_mutex_unlock(&st->mu);
    if (g != st->g)
        (void)make_groups(plan, st, g);
}

void
ham__cjvx_stats_get(const ham_plan *plan, ham_engine e, ham__cjvx_stats *out)
{
    pk_state *st;
    memset(out, 0, sizeof *out);
    if (e == HAM_ENGINE_HASHED) {
        ham__hashed_stats(plan, out);
        return;
    }
    st = e == HAM_ENGINE_PACKED ? state_of(plan) : NULL;
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    *out = st->stats;
    pthread_mutex_unlock(&st->mu);
}
