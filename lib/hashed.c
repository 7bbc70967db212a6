/* SPDX-License-Identifier: MIT */
/*
 * hashed.c -- the `hashed` engine: exact text-to-pattern Hamming distances
 * by the three regimes of Chan, Jin, Vassilevska Williams and Xu, "Faster
 * Algorithms for Text-to-Pattern Hamming Distances", FOCS 2023
 * (arXiv:2310.13174; algorithms.md 6.2-6.5), reconstructed: the paper's
 * body was not available, doc/algorithms.md says what is ours. Las Vegas:
 * exact for every seed, the seed only moves the running time. O(n sqrt(m
 * log m)) worst case (the regimes never cost more than Abrahamson's split).
 *
 * Per text block of L symbols (ns = L - m + 1 shifts) and pattern id c with
 * t_c text and p_c pattern occurrences, r_c = t_c p_c / L is the expected
 * number of aligned pairs per shift. By cost:
 *   regime 1  (small r_c) enumerate the pairs (abrahamson.c's enumerator);
 *   regime 2  (the near-quadratic band, sum of pairs ~ block size) the X+Y
 *             path: c's correlation by a slot-packed transform (lib/xy.c,
 *             L = 2 positions per point as base-2^b digits), i.e. a
 *             transform of N/2 points instead of N; the symbols are
 *             shuffled at random (xoshiro256**, seeded from params.seed and
 *             the block's start) and cut into bundles whose expected digit
 *             load stays below B / 4, each bundle sharing one inverse;
 *   regime 3  (large r_c: a digit could overflow on its own) one plain 0/1
 *             indicator transform each, sharing one inverse (lib/fft.c).
 * A bundle is verified (6.5): a priori precision rule on the exact norms of
 * its packed vectors, and the digit check of xy.c on the points that hold
 * used shifts (their digits sum to the number of pairs at their lags iff no
 * digit of theirs overflowed; counted by two pointers). A bundle that fails -- a
 * "collision": its symbols' pairs pile up at one shift (periodic text,
 * aligned occurrences) -- is reshuffled with a fresh stream into two halves
 * and both are redone, recursively; a single symbol that still fails goes to
 * regime 3, which cannot overflow (and has its own checks and exact NTT
 * recomputation). So every output is verified exact; a seed only decides
 * which symbols share a bundle, hence how many bundles fail.
 *
 * Block layout: blocks of N (FFT-friendly, even) text symbols advance by
 * N - m + 1 - 2 shifts, two fewer than lib/fft.c's blocks: with positions
 * packed in pairs, the cyclic correlation of N/2 points is linear for the
 * shifts used only if the text block leaves one point free (xy.c).
 *
 * Memory: per plan O(sigma_P) plus cached slot-packed pattern spectra
 * ((N/4 + 1) 16 bytes per regime-2 symbol and size) and lib/fft.c's
 * spectra for regime 3, both within HAM__FFT_SPECTRA_BUDGET; per call
 * about 70 N bytes.
 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOT 2 /* positions per point of the X+Y transforms */

/* Beside Abrahamson's HAM__ABR_* constants (internal.h), fitted likewise. */
#define KAPPA_DEC  1.6 /* per point of a bundle's inverse: digits and sums */
#define KAPPA_PACK 2.0 /* per text position packed */

/* ---- Plan state -------------------------------------------------------------------
 */

typedef struct hs_size {
    struct hs_size *next;
    size_t N;      /* block size; the X+Y transforms have N / SLOT points */
    unsigned bits; /* digit base 2^bits */
    double **spec; /* [sigma + 1]: conj(DFT(Q_c)), N / (2 SLOT) + 1 points */
    double *qn2;   /* [sigma + 1]: ||Q_c||^2 */
} hs_size;

typedef struct hs_state {
    ham__fft_head head; /* first: reached by ham__fft_head_of */
    pthread_mutex_t mu;
    int mu_ok;
    unsigned force_bits;
    double load;
    int mode; /* HAM__PK_NONE: no X+Y regime (tests, bench) */
    uint64_t seed;
    size_t budget, used;
    hs_size *sizes;
    ham__cjvx_stats stats;
    uint32_t *order; /* ids by decreasing p_c (the cost model) */
    double *sq_suf;  /* sum of p_c^2 from order[i] on */
    double *p_suf;   /* sum of p_c from order[i] on */
} hs_state;

static hs_state *
state_of(const ham_plan *plan)
{
    return plan->eng[HAM_ENGINE_HASHED];
}

static void
free_sizes(hs_state *st, size_t sigma)
{
    hs_size *z, *next;
    size_t c;
    for (z = st->sizes; z; z = next) {
        next = z->next;
        for (c = 0; c <= sigma; c++)
            ham__fft_free(z->spec[c]);
        free(z->spec);
        free(z->qn2);
        free(z);
    }
    st->sizes = NULL;
    st->used = 0;
}

static void
hs_release(ham_plan *plan)
{
    hs_state *st = state_of(plan);
    if (!st)
        return;
    free_sizes(st, plan->sigma);
    ham__fft_ctx_destroy(st->head.fft);
    if (st->mu_ok)
        pthread_mutex_destroy(&st->mu);
    free(st->order);
    free(st->sq_suf);
    free(st->p_suf);
    free(st);
    plan->eng[HAM_ENGINE_HASHED] = NULL;
}

static size_t hs_block_size(const ham_plan *plan, size_t n);

static int
hs_prepare(ham_plan *plan)
{
    hs_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_HASHED] = st;
    st->head.block_size = hs_block_size;
    if (pthread_mutex_init(&st->mu, NULL) != 0)
        return HAM_ENOMEM;
    st->mu_ok = 1;
    st->load = 0.25;
    st->seed = plan->params.seed;
    st->budget = HAM__FFT_SPECTRA_BUDGET;
    {
        /* ids by decreasing p_c (counting sort) and the suffix sums */
        const size_t sigma = plan->sigma;
        uint32_t *bucket = ham__calloc(plan->m + 2, sizeof *bucket);
        size_t c, i;
        st->order = ham__alloc(sigma + 1, sizeof *st->order);
        st->sq_suf = ham__calloc(sigma + 1, sizeof *st->sq_suf);
        st->p_suf = ham__calloc(sigma + 1, sizeof *st->p_suf);
        if (!bucket || !st->order || !st->sq_suf || !st->p_suf) {
            free(bucket);
            return HAM_ENOMEM;
        }
        for (c = 1; c <= sigma; c++)
            bucket[plan->m - plan->pcount[c] + 1]++;
        for (i = 1; i <= plan->m + 1; i++)
            bucket[i] += bucket[i - 1];
        for (c = 1; c <= sigma; c++)
            st->order[bucket[plan->m - plan->pcount[c]]++] = (uint32_t)c;
        free(bucket);
        for (i = sigma; i-- > 0;) {
            const double p = (double)plan->pcount[st->order[i]];
            st->sq_suf[i] = st->sq_suf[i + 1] + p * p;
            st->p_suf[i] = st->p_suf[i + 1] + p;
        }
    }
    return ham__fft_ctx_create(&st->head.fft, plan);
}

/* Digit bits: with L = 2, ||X_c||^2 <= 2 B^2 t_c and ||Q_c||^2 <= 2 B^2 p_c,
 * so a bundle's norm sum is at most 2 B^2 sqrt(N m) (Cauchy-Schwarz over all
 * symbols): the largest b with 2 B^2 sqrt(N m) ceil(log2(N/2)) <= 2^44. */
static unsigned
slot_bits(const ham_plan *plan, size_t N)
{
    double b = floor((43.0 - 0.5 * log2((double)N * (double)plan->m) -
                      log2(ceil(log2((double)N / SLOT)))) /
                     2.0);
    return b < 2.0 ? 0 : b > 16.0 ? 16 : (unsigned)b;
}

/* ---- Cost model -------------------------------------------------------------------
 */

/* Per-symbol prices of a block of size N: the X+Y path (one r2c of N/2
 * points, a MAC of N/4 points, packing) and the plain path (A3's F). */
static void
prices(const ham_plan *plan, size_t N, double *pxy, double *pf, double *tinv_xy)
{
    const double T = ham__fft_transform_ns(N), Th = ham__fft_transform_ns(N / SLOT);
    (void)plan;
    *pf = T + HAM__ABR_KAPPA_MAC * (double)(N / 2 + 1);
    *pxy = Th + HAM__ABR_KAPPA_MAC * (double)(N / (2 * SLOT) + 1);
    *tinv_xy = Th + KAPPA_DEC * (double)(N / SLOT);
}

/* Static estimate per block, rho_c = p_c / m (10.4). */
static double
static_block(const ham_plan *plan, const hs_state *st, size_t N, size_t W,
             double *nspec)
{
    const double m = (double)plan->m, ke = ham__abr_kappa_e(plan, W) * (double)W / m;
    const double kt = HAM__ABR_KAPPA_T * (double)N / m;
    const unsigned bits = slot_bits(plan, N);
    const double limit = st->load * ldexp(1.0, (int)bits);
    double pxy, pf, tinv, cost = 0.0, load = 0.0;
    int nplain = 0;
    size_t c;
    prices(plan, N, &pxy, &pf, &tinv);
    for (c = 0; c < plan->sigma; c++) {
        const double p = (double)plan->pcount[st->order[c]], t = p * (double)N / m;
        const double en = ke * p * p + kt * p, gl = t * p / (double)N;
        const double px = pxy + KAPPA_PACK * t;
        if (en <= px && en <= pf) {
            /* enumerated, and so is every later (smaller) p_c, since en and
             * en - px grow with p_c: the rest from the suffix sums, O(1),
             * so that AUTO's choice stays cheap for large alphabets */
            cost += ke * st->sq_suf[c] + kt * st->p_suf[c];
            break;
        }
        if (bits && st->mode != HAM__PK_NONE && gl <= limit && px < en && px < pf) {
            cost += px;
            load += gl;
            *nspec += 0.5; /* a spectrum of N / 2 points */
        } else if (pf < en) {
            cost += pf;
            nplain = 1;
            *nspec += 1.0;
        } else {
            cost += en;
        }
    }
    if (load > 0.0)
        cost += ceil(load / limit) * tinv;
    if (nplain)
        cost += ham__fft_transform_ns(N);
    return cost + (HAM__ABR_KAPPA_PT + ham__fft_map_ns(plan)) * (double)N +
           HAM__ABR_KAPPA_BLOCK;
}

typedef struct cost_arg {
    const ham_plan *plan;
    const hs_state *st;
} cost_arg;

static double
block_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    double nspec = 0.0;
    /* the stride is SLOT shifts shorter (priced by the same block cost) */
    return static_block(a->plan, a->st, N, W > SLOT ? W - SLOT : 1, &nspec);
}

static double
setup_ns(const void *argp, size_t N, size_t W)
{
    const cost_arg *a = argp;
    double nspec = 0.0;
    static_block(a->plan, a->st, N, W > SLOT ? W - SLOT : 1, &nspec);
    return nspec > 0.0 ? (2.0 + nspec) * ham__fft_transform_ns(N) : 0.0;
}

static size_t
pick(const ham_plan *plan, size_t n, double *total)
{
    cost_arg a;
    a.plan = plan;
    a.st = state_of(plan);
    /* the rule counts N - m + 1 shifts per block; block_ns charges the
     * shorter stride (a block with no room at all is priced out) */
    return ham__fft_pick_size(plan->m, n, block_ns, setup_ns, &a, total);
}

/* A forced or picked size, made usable: a multiple of SLOT with room for
 * the stride. */
static size_t
usable_size(size_t m, size_t N)
{
    while (N <= m + SLOT || N % SLOT)
        N = ham__fft_next_size(N);
    return N;
}

static size_t
hs_block_size(const ham_plan *plan, size_t n)
{
    double total;
    size_t N = pick(plan, n < plan->m ? plan->m : n, &total);
    return N ? usable_size(plan->m, N) : 0;
}

/*
 * The structural model times a factor fitted as packed.c's (same grid):
 * the model came out at 0.60-0.75 of the measured time (the X+Y transforms
 * of N/2 points cost more than half of an N-point one, the rehash of failing
 * bundles at occurrences is not priced); 1.7 keeps AUTO off hashed wherever
 * it did not measure faster than abrahamson (m = 2^17 with 32 symbols: model
 * 0.22 s, measured 0.37 s against abrahamson's 0.31 s).
 */
#define FIT_FACTOR 1.7

static double
hs_cost(const ham_plan *plan, size_t n)
{
    double total;
    if (plan->sigma == 0)
        return (double)(n - plan->m + 1);
    if (pick(plan, n, &total) == 0)
        return HUGE_VAL;
    return FIT_FACTOR * total;
}

/* ---- Work
 * ---------------------------------------------------------------------------- */

typedef struct hs_work {
    const ham_plan *plan;
    hs_state *st;
    hs_size *z;
    const ham__fft_raw *raw; /* N / SLOT points */
    int simd;
    size_t N, Nh;        /* block size, transform size */
    double *x, *X, *acc; /* Nh, Nh/2+1 (c), Nh/2+1 (c) */
    double *sp;          /* uncached spectrum scratch */
    uint32_t *tmp;       /* W: one bundle's counts */
    uint32_t *rev;       /* pattern positions of one id, for packing */
} hs_work;

static int
size_entry(hs_state *st, const ham_plan *plan, size_t N, hs_size **out)
{
    hs_size *z;
    int rc = HAM_OK;
    pthread_mutex_lock(&st->mu);
    for (z = st->sizes; z; z = z->next)
        if (z->N == N)
            break;
    if (!z) {
        z = calloc(1, sizeof *z);
        if (z) {
            z->N = N;
            z->bits = st->force_bits ? st->force_bits : slot_bits(plan, N);
            z->spec = calloc((size_t)plan->sigma + 1, sizeof *z->spec);
            z->qn2 = calloc((size_t)plan->sigma + 1, sizeof *z->qn2);
            if (!z->spec || !z->qn2) {
                free(z->spec);
                free(z->qn2);
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
    pthread_mutex_unlock(&st->mu);
    *out = z;
    return rc;
}

/* conj(DFT(Q_c)) into dst, Q_c the pattern indicator of c packed with its
 * digits reversed; returns ||Q_c||^2. */
static double
slot_spectrum(hs_work *w, uint32_t c, double *dst)
{
    const ham_plan *plan = w->plan;
    const size_t Nh = w->Nh;
    double q2;
    size_t k;
    memset(w->x, 0, Nh * sizeof *w->x);
    q2 = ham__xy_pack(w->x, Nh, plan->occ + plan->occ_start[c], plan->pcount[c], 0,
                      SLOT, w->z->bits, 1);
    ham__fft_raw_r2c(w->raw, w->x, dst);
    for (k = 0; k <= Nh / 2; k++)
        dst[2 * k + 1] = -dst[2 * k + 1];
    return q2;
}

static const double *
get_spectrum(hs_work *w, uint32_t c, double *q2)
{
    hs_state *st = w->st;
    hs_size *z = w->z;
    const size_t bytes = (w->Nh / 2 + 1) * 16;
    const double *out;
    pthread_mutex_lock(&st->mu);
    if (!z->spec[c] && st->used + bytes <= st->budget) {
        double *s = ham__fft_alloc_cplx(w->Nh / 2 + 1);
        if (s) {
            z->qn2[c] = slot_spectrum(w, c, s);
            z->spec[c] = s;
            st->used += bytes;
        }
    }
    out = z->spec[c];
    *q2 = z->qn2[c];
    pthread_mutex_unlock(&st->mu);
    if (out)
        return out;
    *q2 = slot_spectrum(w, c, w->sp);
    return w->sp;
}

static void
work_free(hs_work *w)
{
    ham__fft_free(w->x);
    ham__fft_free(w->X);
    ham__fft_free(w->acc);
    ham__fft_free(w->sp);
    free(w->tmp);
}

static int
work_init(hs_work *w, const ham_plan *plan, hs_state *st, size_t N, size_t W)
{
    int rc;
    memset(w, 0, sizeof *w);
    w->plan = plan;
    w->st = st;
    w->N = N;
    w->Nh = N / SLOT;
    w->simd = ham__fft_simd(plan);
    rc = size_entry(st, plan, N, &w->z);
    if (rc == HAM_OK)
        rc = ham__fft_raw_get(st->head.fft, w->Nh, &w->raw);
    if (rc != HAM_OK)
        return rc;
    w->x = ham__fft_alloc_real(w->Nh);
    w->X = ham__fft_alloc_cplx(w->Nh / 2 + 1);
    w->acc = ham__fft_alloc_cplx(w->Nh / 2 + 1);
    w->sp = ham__fft_alloc_cplx(w->Nh / 2 + 1);
    w->tmp = ham__alloc(W, sizeof *w->tmp);
    if (!w->x || !w->X || !w->acc || !w->sp || !w->tmp)
        return HAM_ENOMEM;
    return HAM_OK;
}

static void
stat_add(hs_state *st, uint64_t *field, uint64_t v)
{
    pthread_mutex_lock(&st->mu);
    *field += v;
    pthread_mutex_unlock(&st->mu);
}

/* ---- Scratch ------------------------------------------------------------------------
 */

typedef struct scratch {
    uint32_t *ids, *pos;              /* N */
    uint32_t *hist, *start, *present; /* sigma + 2 */
    uint32_t *eset, *fset, *xset;     /* sigma + 2 */
    double *load;                     /* sigma + 2 */
    uint32_t *xy, *exact;             /* W */
    int32_t *r;                       /* W */
    void *cnt;                        /* W */
    double epair, pf;                 /* this block: price per t_c p_c, of regime 3 */
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
    free(s->xset);
    free(s->load);
    free(s->xy);
    free(s->exact);
    free(s->r);
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
    s->eset = ham__alloc(sg, sizeof *s->eset);
    s->fset = ham__alloc(sg, sizeof *s->fset);
    s->xset = ham__alloc(sg, sizeof *s->xset);
    s->load = ham__alloc(sg, sizeof *s->load);
    s->xy = ham__alloc(W, sizeof *s->xy);
    s->exact = ham__alloc(W, sizeof *s->exact);
    s->r = ham__alloc(W, sizeof *s->r);
    s->cnt = ham__alloc(W, wide ? sizeof(uint32_t) : sizeof(uint16_t));
    if (!s->ids || !s->pos || !s->hist || !s->start || !s->present || !s->eset ||
        !s->fset || !s->xset || !s->load || !s->xy || !s->exact || !s->r || !s->cnt)
        return HAM_ENOMEM;
    return HAM_OK;
}

/* ---- One bundle (the X+Y path) --------------------------------------------------- */

/* Symbols sym[0..k) through one slot-packed transform each and one shared
 * inverse: adds their matches into s->xy[0..ns), or returns 1 (verification
 * failed, s->xy untouched). */
static int
bundle_run(hs_work *w, scratch *s, const uint32_t *sym, size_t k, size_t ns)
{
    const ham_plan *plan = w->plan;
    const size_t Nh = w->Nh;
    const unsigned bits = w->z->bits;
    /* the points holding a used lag s < ns (lag d SLOT + e - (SLOT - 1));
     * a pair (x, y) lands in point floor(x/SLOT) - floor(y/SLOT) */
    const size_t pused = (ns - 1 + SLOT - 1) / SLOT + 1;
    const int64_t lo = 0, hi = (int64_t)(pused * SLOT) - 1;
    uint64_t expect = 0, dsum;
    double normsum = 0.0;
    size_t i;
    stat_add(w->st, &w->st->stats.bundles, 1);
    if (bits == 0)
        return 1;
    for (i = 0; i < k; i++) {
        const uint32_t c = sym[i], t = s->hist[c];
        double q2, x2;
        const double *S = get_spectrum(w, c, &q2);
        memset(w->x, 0, Nh * sizeof *w->x);
        x2 = ham__xy_pack(w->x, Nh, s->pos + s->start[c], t, 0, SLOT, bits, 0);
        ham__fft_raw_r2c(w->raw, w->x, w->X);
        ham__fft_mac(w->simd, w->acc, w->X, S, Nh / 2 + 1, i == 0);
        normsum += sqrt(x2) * sqrt(q2);
        /* pairs at the lags of the used points (xy.c) */
        expect +=
            ham__xy_pairs_in(s->pos + s->start[c], t, plan->occ + plan->occ_start[c],
                             plan->pcount[c], SLOT, lo, hi);
    }
    if (!ham__fft_apriori_ok(w->st->head.fft, Nh, normsum))
        return 1;
    ham__fft_raw_c2r(w->raw, w->acc, w->x);
    memset(w->tmp, 0, ns * sizeof *w->tmp);
    if (ham__xy_decode(w->x, Nh, pused, SLOT, bits, SLOT - 1, w->tmp, ns, &dsum) != 0 ||
        dsum != expect)
        return 1;
    for (i = 0; i < ns; i++)
        s->xy[i] += w->tmp[i];
    return HAM_OK;
}

/* Where a symbol that failed in a bundle goes: regime 1 or 3, whichever the
 * block's prices make cheaper. Both are exact; a bundle fails for certain in
 * a block holding an occurrence of the pattern (every symbol's p_c matches
 * at one shift overflow a digit), and sending every symbol of such a block
 * to regime 3 cost up to 2^8 transforms: 96.5 s against abrahamson's 41.7 s
 * on uniform bytes, m = 2^20, n = 2^24, where enumerating a symbol is about
 * 5x cheaper than transforming it (73.7 s against 40.0 s with this). */
static void
fall_back(const ham_plan *plan, scratch *s, uint32_t c, size_t *nf, size_t *ne)
{
    const double t = (double)s->hist[c];
    if (s->epair * t * (double)plan->pcount[c] + HAM__ABR_KAPPA_T * t <= s->pf)
        s->eset[(*ne)++] = c;
    else
        s->fset[(*nf)++] = c;
}

/*
 * With recursion: a failed bundle of several symbols is reshuffled (a fresh
 * stream from the seed, the block and the node) into two halves, each redone
 * once more (depth 1). What still fails is split into pieces that cannot
 * overflow -- each digit counts pairs at one lag, at most sum p_c over the
 * piece, so a piece with sum p_c < B is safe -- and symbols with p_c >= B go
 * to regime 3 (s->fset) or regime 1 (s->eset), whichever is cheaper (fall_back).
 * Deeper random halving pays nothing on the inputs where bundles fail in
 * practice (an occurrence puts every symbol's matches at one shift; see
 * packed.c), while one rehash resolves collisions of a few aligned symbols
 * (tests: collision_seed).
 */
static int
bundle_rec(hs_work *w, scratch *s, uint32_t *sym, size_t k, size_t ns, uint64_t blk,
           uint64_t node, int depth, size_t *nf, size_t *ne)
{
    const ham_plan *plan = w->plan;
    const double B = ldexp(1.0, (int)w->z->bits);
    int rc = bundle_run(w, s, sym, k, ns);
    ham__rng r;
    size_t i, j, h, nsafe = 0;
    if (rc != 1)
        return rc;
    stat_add(w->st, &w->st->stats.failed, 1);
    if (k > 1 && depth == 0) {
        ham__rng_seed(&r, w->st->seed, blk, node);
        for (i = k; i > 1; i--) {
            const size_t q = (size_t)ham__rng_below(&r, i);
            const uint32_t t = sym[i - 1];
            sym[i - 1] = sym[q];
            sym[q] = t;
        }
        h = k / 2;
        rc = bundle_rec(w, s, sym, h, ns, blk, 2 * node, 1, nf, ne);
        if (rc == HAM_OK)
            rc = bundle_rec(w, s, sym + h, k - h, ns, blk, 2 * node + 1, 1, nf, ne);
        return rc;
    }
    for (i = 0; i < k; i++) {
        if (k > 1 && (double)plan->pcount[sym[i]] < B) {
            const uint32_t t = sym[nsafe];
            sym[nsafe++] = sym[i];
            sym[i] = t;
        }
    }
    for (i = nsafe; i < k; i++) {
        fall_back(plan, s, sym[i], nf, ne);
        stat_add(w->st, &w->st->stats.singles, 1);
    }
    for (i = 0; i < nsafe;) {
        double P = 0.0;
        for (j = i; j < nsafe && (j == i || P + plan->pcount[sym[j]] < B); j++)
            P += plan->pcount[sym[j]];
        rc = bundle_run(w, s, sym + i, j - i, ns);
        if (rc == 1) {
            size_t q;
            stat_add(w->st, &w->st->stats.failed, 1);
            for (q = i; q < j; q++) {
                fall_back(plan, s, sym[q], nf, ne);
                stat_add(w->st, &w->st->stats.singles, 1);
            }
            rc = HAM_OK;
        }
        if (rc != HAM_OK)
            return rc;
        i = j;
    }
    return HAM_OK;
}

/* ---- Distances
 * ----------------------------------------------------------------------- */

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
hs_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    hs_state *st = state_of(plan);
    ham__fft_ctx *ctx = st->head.fft;
    const size_t m = plan->m, S = n - m + 1;
    const uint32_t me = (uint32_t)plan->m_eff;
    const int wide = plan->m_eff >= 65536;
    ham__fft_work *fw = NULL;
    hs_work w;
    scratch s;
    size_t N, W, b, i;
    double total, pxy, pf, tinv;
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
    N = usable_size(m, N);
    W = N - m + 1 - SLOT;
    prices(plan, N, &pxy, &pf, &tinv);
    memset(&w, 0, sizeof w); /* work_free below runs even if scratch_init fails */
    rc = scratch_init(&s, plan, N, W < S ? W : S, wide);
    if (rc == HAM_OK)
        rc = work_init(&w, plan, st, N, W < S ? W : S);
    for (b = 0; rc == HAM_OK && b < S; b += W) {
        const size_t ns = S - b < W ? S - b : W, L = ns + m - 1;
        const double frac = (double)ns / (double)L, ke = ham__abr_kappa_e(plan, ns);
        const double limit = st->load * ldexp(1.0, (int)w.z->bits);
        size_t np, nf = 0, ne = 0, nx = 0;
        np = ham__fft_map_hist(plan, (const char *)text + b * plan->width, L, s.ids,
                               s.hist, s.present);
        ham__fft_bucket(s.ids, L, s.hist, s.present, np, s.start, s.pos);
        s.epair = ke * frac;
        s.pf = pf;
        /* the regimes, by cost: r_c = t_c p_c / L pairs per shift */
        for (i = 0; i < np; i++) {
            const uint32_t c = s.present[i];
            const double t = (double)s.hist[c], p = (double)plan->pcount[c];
            const double en = ke * t * p * frac + HAM__ABR_KAPPA_T * t;
            const double gl = t * p / (double)N; /* expected digit value */
            const double px = pxy + KAPPA_PACK * t;
            if (w.z->bits && st->mode != HAM__PK_NONE && gl <= limit &&
                ((px < en && px < pf) || st->mode != HAM__PK_AUTO)) {
                s.xset[nx++] = c; /* regime 2 */
                s.load[c] = gl;
            } else if (pf < en) {
                s.fset[nf++] = c; /* regime 3 */
            } else {
                s.eset[ne++] = c; /* regime 1 */
            }
        }
        stat_add(st, &st->stats.grouped, nx);
        stat_add(st, &st->stats.enumerated, ne);
        memset(s.xy, 0, ns * sizeof *s.xy);
        if (nx > 0) {
            /* the hash: a random order of the regime-2 symbols (seed, block),
             * cut into bundles of load <= limit */
            ham__rng r;
            size_t j;
            ham__rng_seed(&r, st->seed, (uint64_t)b, 0);
            for (j = nx; j > 1; j--) {
                const size_t q = (size_t)ham__rng_below(&r, j);
                const uint32_t t = s.xset[j - 1];
                s.xset[j - 1] = s.xset[q];
                s.xset[q] = t;
            }
            for (i = 0; rc == HAM_OK && i < nx;) {
                double bl = 0.0;
                j = i;
                while (j < nx && (j == i || bl + s.load[s.xset[j]] <= limit))
                    bl += s.load[s.xset[j++]];
                rc = bundle_rec(&w, &s, s.xset + i, j - i, ns, (uint64_t)b, 1, 0, &nf,
                                &ne);
                i = j;
            }
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
                ham__xy_finish32(dist + b, s.exact, s.xy, cnt, ns, me, k);
            } else {
                uint16_t *cnt = s.cnt;
                memset(cnt, 0, ns * sizeof *cnt);
                for (i = 0; i < ne; i++) {
                    const uint32_t c = s.eset[i];
                    ham__xy_enum16(cnt, s.pos + s.start[c], s.hist[c],
                                   plan->occ + plan->occ_start[c], plan->pcount[c], ns);
                }
                ham__xy_finish16(dist + b, s.exact, s.xy, cnt, ns, me, k);
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

const ham__engine_ops ham__hashed_ops = {
    .id = HAM_ENGINE_HASHED,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = hs_prepare,
    .release = hs_release,
    .cost = hs_cost,
    .dist = hs_dist,
};

/* ---- Test hooks (through ham__cjvx_tune / ham__cjvx_stats_get) ------------------- */

/* bits: digit base; load: bundle limit share; mode HAM__PK_NONE turns the
 * X+Y regime off; g != 0 replaces the seed of the bundle hash by g. */
void
ham__hashed_tune(ham_plan *plan, unsigned bits, double load, int mode, unsigned g)
{
    hs_state *st = state_of(plan);
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    free_sizes(st, plan->sigma);
    st->force_bits = bits;
    if (load > 0.0)
        st->load = load;
    st->mode = mode;
    if (g)
        st->seed = g;
    pthread_mutex_unlock(&st->mu);
}

void
ham__hashed_stats(const ham_plan *plan, ham__cjvx_stats *out)
{
    hs_state *st = state_of(plan);
    memset(out, 0, sizeof *out);
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    *out = st->stats;
    pthread_mutex_unlock(&st->mu);
}
