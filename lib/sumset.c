/* SPDX-License-Identifier: MIT */
/*
 * sumset.c -- sumset with multiplicities (algorithms.md 9): for sets A, B of
 * distinct values in [0, U), count[z] = #{(x, y) in A x B : x + y = z}.
 *
 * Values are cut into blocks of width W (a power of two, at most 2^20) so that
 * working memory stays O(na + nb + W) whatever U. For every pair of non-empty
 * blocks (A_i, B_j) the cheapest of three exact methods runs:
 *   S1 enumeration, O(|A_i||B_j|);
 *   S2 FFT: indicator vectors, one linear convolution of size N = 2W
 *      (r2c, r2c, c2r), O(W log W);
 *   S3 X+Y (lib/xy.c, the near-quadratic regime |A_i||B_j| ~ W polylog W of
 *      CJVX 2023, arXiv:2310.13174): the vectors slot-packed L = 2, 3 or 4
 *      positions per point as base-2^b digits, one linear convolution of
 *      about 2W / L points, O((W / L) log W). L and b come from the a priori
 *      precision rule (2.3) and the expected count |A_i||B_j| / W, which
 *      must fit a digit with room to spare.
 * Time: sum over block pairs of min(|A_i||B_j|, (W / L) log W); for U <= 2^20
 * that is min(na nb, (U / L) log U) + O(U) (the output).
 *
 * Exactness (algorithms.md 2.3). S2: indicator vectors have ||x||_2 ||y||_2 =
 * sqrt(|A_i||B_j|) <= 2^20 and N <= 2^21, so the a priori rule
 * ||x|| ||y|| log2 N <= 2^44 holds with a wide margin. Each FFT result is
 * still verified (every rounded value within [0, min(|A_i|, |B_j|)] and
 * within 1/4 of an integer, and the sum rule: the counts sum to |A_i||B_j|);
 * a failed check redoes that block pair by enumeration. S3: the a priori rule
 * on the exact norms of the packed vectors, then the digit check of xy.c (the
 * decoded digits sum to |A_i||B_j| iff no digit overflowed, i.e. iff every
 * count is exact); a failure (a heavy sum: arithmetic progressions, dense
 * clusters) redoes the pair with a smaller L, and finally with S2: the
 * recursion of the X+Y lemma, ending in a method that cannot overflow.
 */
#include "internal.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUMSET_MAX_LOG_W 20

/*
 * Cost model (ns). Measured (AMD EPYC Zen 4 VM, gcc 12 -O2, random sets
 * with |A| = |B| = sqrt(rho U), rho = 1 .. 256, U = 2^16 and 2^20, best of
 * 5; doc/algorithms.md 7): an enumerated pair costs 0.8 ns while the
 * 2W-entry count array stays in L2 (1 MiB) and more at 16 MiB (every
 * increment a cache miss; 4.5 ns measured with U = 2^20 and rho = 8, 16),
 * interpolated geometrically in log2 of the bytes; transforms
 * as lib/fft.c's table; building, rounding and adding out ~2 ns per output
 * (S2), decoding the digits and adding out ~1.5 (S3); FFTW_ESTIMATE plans
 * cost about four transforms, paid once per call and size.
 */
#define KAPPA_IND  2.0
#define KAPPA_XY   1.5
#define PLAN_TRANS 4.0
#define XY_MAX_L   4

static double
kappa_pair(uint64_t w)
{
    const double lb = log2((double)w * 16.0); /* bytes of the 2W counts */
    if (lb <= 20.0)
        return 0.8;
    if (lb >= 24.0)
        return 4.5;
    return 0.8 * pow(4.5 / 0.8, (lb - 20.0) / 4.0);
}

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Sorted copy of v[0..n-1]; HAM_EINVAL on duplicates or values >= universe. */
static int
sorted_set(const uint32_t *v, size_t n, uint32_t universe, uint32_t **out)
{
    uint32_t *s;
    size_t i;
    *out = NULL;
    s = ham__alloc(n, sizeof *s);
    if (!s)
        return HAM_ENOMEM;
    for (i = 0; i < n; i++) {
        if (v[i] >= universe) {
            free(s);
            return HAM_EINVAL;
        }
        s[i] = v[i];
    }
    qsort(s, n, sizeof *s, cmp_u32);
    for (i = 1; i < n; i++) {
        if (s[i] == s[i - 1]) {
            free(s);
            return HAM_EINVAL;
        }
    }
    *out = s;
    return HAM_OK;
}

static void
enumerate(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint64_t *count)
{
    size_t i, j;
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            count[(uint64_t)a[i] + b[j]]++;
}

typedef struct fft_ctx {
    size_t n; /* transform size N = 2W */
    double *x, *y;
    fftw_complex *fx, *fy;
    fftw_plan fwd, inv;
} fft_ctx;

static void
fft_ctx_free(fft_ctx *f)
{
    ham__fftw_lock();
    if (f->fwd)
        fftw_destroy_plan(f->fwd);
    if (f->inv)
        fftw_destroy_plan(f->inv);
    ham__fftw_unlock();
    fftw_free(f->x);
    fftw_free(f->y);
    fftw_free(f->fx);
    fftw_free(f->fy);
}

static int
fft_ctx_init(fft_ctx *f, size_t n)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->x = fftw_alloc_real(n);
    f->y = fftw_alloc_real(n);
    f->fx = fftw_alloc_complex(n / 2 + 1);
    f->fy = fftw_alloc_complex(n / 2 + 1);
    if (!f->x || !f->y || !f->fx || !f->fy)
        return HAM_ENOMEM;
    ham__fftw_lock();
    /* FFTW_ESTIMATE does not touch the arrays while planning. */
    f->fwd = fftw_plan_dft_r2c_1d((int)n, f->x, f->fx, FFTW_ESTIMATE);
    f->inv = fftw_plan_dft_c2r_1d((int)n, f->fx, f->x, FFTW_ESTIMATE);
    ham__fftw_unlock();
    if (!f->fwd || !f->inv)
        return HAM_EFFTW;
    return HAM_OK;
}

/* Convolve the block sets (values already reduced to [0, W)) into
 * count[base + z]; returns 0 on success, -1 when verification failed (count
 * untouched). */
static int
fft_block(fft_ctx *f, const uint32_t *a, size_t na, uint32_t aoff, const uint32_t *b,
          size_t nb, uint32_t boff, uint64_t *count, uint64_t base, uint64_t zmax)
{
    const size_t n = f->n;
    const double scale = 1.0 / (double)n;
    const double maxv = (double)(na < nb ? na : nb);
    uint64_t sum = 0;
    size_t i, nz;

    memset(f->x, 0, n * sizeof *f->x);
    memset(f->y, 0, n * sizeof *f->y);
    for (i = 0; i < na; i++)
        f->x[a[i] - aoff] = 1.0;
    for (i = 0; i < nb; i++)
        f->y[b[i] - boff] = 1.0;
    fftw_execute_dft_r2c(f->fwd, f->x, f->fx);
    fftw_execute_dft_r2c(f->fwd, f->y, f->fy);
    for (i = 0; i <= n / 2; i++) {
        double re = f->fx[i][0] * f->fy[i][0] - f->fx[i][1] * f->fy[i][1];
        double im = f->fx[i][0] * f->fy[i][1] + f->fx[i][1] * f->fy[i][0];
        f->fx[i][0] = re;
        f->fx[i][1] = im;
    }
    fftw_execute_dft_c2r(f->inv, f->fx, f->x);
    /* sums of two values < W lie in [0, 2W - 2]: no cyclic wrap with N = 2W */
    nz = n - 1;
    for (i = 0; i < nz; i++) {
        double v = f->x[i] * scale;
        double r = nearbyint(v);
        if (fabs(v - r) > 0.25 || r < 0.0 || r > maxv)
            return -1;
        sum += (uint64_t)r;
    }
    if (sum != (uint64_t)na * nb)
        return -1;
    for (i = 0; i < nz && base + i <= zmax; i++)
        count[base + i] += (uint64_t)nearbyint(f->x[i] * scale);
    return 0;
}

/* ---- S3: slot-packed X+Y -----------------------------------------------------------
 */

typedef struct xy_plan {
    size_t n; /* transform size; 0 = not made */
    fftw_plan fwd, inv;
} xy_plan;

typedef struct xy_ctx {
    size_t w;                /* block width */
    double *x, *y, *fx, *fy; /* 2w-point buffers (complex: w + 1 points) */
    uint32_t *tmp;           /* 2w counts */
    xy_plan pl[XY_MAX_L + 1];
} xy_ctx;

static void
xy_ctx_free(xy_ctx *c)
{
    unsigned L;
    ham__fftw_lock();
    for (L = 0; L <= XY_MAX_L; L++) {
        if (c->pl[L].fwd)
            fftw_destroy_plan(c->pl[L].fwd);
        if (c->pl[L].inv)
            fftw_destroy_plan(c->pl[L].inv);
    }
    ham__fftw_unlock();
    ham__fft_free(c->x);
    ham__fft_free(c->y);
    ham__fft_free(c->fx);
    ham__fft_free(c->fy);
    free(c->tmp);
    memset(c, 0, sizeof *c);
}

/* points of a linear convolution of two vectors of ceil(w / L) points */
static size_t
xy_points(size_t w, unsigned L)
{
    size_t pts = 2 * ((w + L - 1) / L) - 1, n = 16;
    while (n < pts)
        n = ham__fft_next_size(n);
    return n;
}

static int
xy_ctx_plan(xy_ctx *c, unsigned L)
{
    xy_plan *p = &c->pl[L];
    if (p->n)
        return HAM_OK;
    if (!c->x) {
        c->x = ham__fft_alloc_real(2 * c->w);
        c->y = ham__fft_alloc_real(2 * c->w);
        c->fx = ham__fft_alloc_cplx(c->w + 1);
        c->fy = ham__fft_alloc_cplx(c->w + 1);
        c->tmp = ham__alloc(2 * c->w, sizeof *c->tmp);
        if (!c->x || !c->y || !c->fx || !c->fy || !c->tmp)
            return HAM_ENOMEM;
    }
    p->n = xy_points(c->w, L);
    ham__fftw_lock();
    p->fwd = fftw_plan_dft_r2c_1d((int)p->n, c->x, (fftw_complex *)(void *)c->fx,
                                  FFTW_ESTIMATE);
    p->inv = fftw_plan_dft_c2r_1d((int)p->n, (fftw_complex *)(void *)c->fx, c->x,
                                  FFTW_ESTIMATE);
    ham__fftw_unlock();
    return p->fwd && p->inv ? HAM_OK : HAM_EFFTW;
}

/* Digit bits for slot width L and a block pair of na x nb elements: the
 * largest b whose crude norm bound L B^(2L-2) sqrt(na nb) ceil(log2 n) stays
 * within 2^44 (the exact norms are checked after packing), at most 20. */
static unsigned
xy_bits(unsigned L, size_t n, size_t na, size_t nb)
{
    double room = 44.0 - log2((double)L * sqrt((double)na * (double)nb)) -
                  log2(ceil(log2((double)n)));
    double b = floor(room / (2.0 * (L - 1)));
    return b < 1.0 ? 0 : b > 20.0 ? 20 : (unsigned)b;
}

/* The L the cost model prefers for a block pair (0: none fits). The digits
 * must hold the expected count na nb / w with room (mean + 8 sigma + 8),
 * unless B exceeds min(na, nb), the largest possible count. */
static unsigned
xy_choose(const xy_ctx *xc, size_t w, size_t na, size_t nb, double *cost)
{
    const double mu = (double)na * (double)nb / (double)w;
    const double need = mu + 8.0 * sqrt(mu) + 8.0;
    unsigned L, best = 0;
    *cost = HUGE_VAL;
    for (L = 2; L <= XY_MAX_L; L++) {
        const size_t n = xy_points(w, L);
        const unsigned b = xy_bits(L, n, na, nb);
        double c, B = ldexp(1.0, (int)b);
        if (b == 0 || (B < need && B <= (double)(na < nb ? na : nb)))
            continue;
        c = (3.0 + (xc->pl[L].n ? 0.0 : PLAN_TRANS)) * ham__fft_transform_ns(n) +
            KAPPA_XY * 2.0 * (double)w;
        if (c < *cost) {
            *cost = c;
            best = L;
        }
    }
    return best;
}

/* Whether slot width L can run at all for the pair (some digit bits). */
static int
xy_choose_fits(size_t w, size_t na, size_t nb, unsigned L)
{
    return xy_bits(L, xy_points(w, L), na, nb) > 0;
}

/* count[base + z] += (A_i + B_j)[z] by S3 with slot width L; 0 on success,
 * 1 when the a priori rule or the digit check failed (count untouched). */
static int
xy_block(xy_ctx *c, unsigned L, const uint32_t *a, size_t na, uint32_t aoff,
         const uint32_t *b, size_t nb, uint32_t boff, uint64_t *count, uint64_t base,
         uint64_t zmax)
{
    const xy_plan *p = &c->pl[L];
    const size_t n = p->n, pts = (c->w + L - 1) / L, nout = 2 * c->w - 1;
    const unsigned bits = xy_bits(L, n, na, nb);
    double nx, ny;
    uint64_t dsum;
    size_t i;
    memset(c->x, 0, n * sizeof *c->x);
    memset(c->y, 0, n * sizeof *c->y);
    nx = ham__xy_pack(c->x, pts, a, na, aoff, L, bits, 0);
    ny = ham__xy_pack(c->y, pts, b, nb, boff, L, bits, 0);
    if (bits == 0 || sqrt(nx) * sqrt(ny) * ceil(log2((double)n)) > 0x1p44)
        return 1;
    fftw_execute_dft_r2c(p->fwd, c->x, (fftw_complex *)(void *)c->fx);
    fftw_execute_dft_r2c(p->fwd, c->y, (fftw_complex *)(void *)c->fy);
    for (i = 0; i <= n / 2; i++) {
        const double xr = c->fx[2 * i], xi = c->fx[2 * i + 1];
        const double yr = c->fy[2 * i], yi = c->fy[2 * i + 1];
        c->fy[2 * i] = xr * yr - xi * yi;
        c->fy[2 * i + 1] = xr * yi + xi * yr;
    }
    fftw_execute_dft_c2r(p->inv, (fftw_complex *)(void *)c->fy, c->x);
    memset(c->tmp, 0, nout * sizeof *c->tmp);
    if (ham__xy_decode(c->x, n, n, L, bits, 0, c->tmp, nout, &dsum) != 0 ||
        dsum != (uint64_t)na * nb)
        return 1;
    for (i = 0; i < nout && base + i <= zmax; i++)
        count[base + i] += c->tmp[i];
    return 0;
}

/* first index in s[lo..n) with s[i] >= v */
static size_t
lower_bound(const uint32_t *s, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint64_t)s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int
ham_sumset_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                 uint32_t universe, uint64_t *count, size_t cap)
{
    uint32_t *sa = NULL, *sb = NULL;
    size_t *ab = NULL, *bb = NULL; /* block boundaries in sa, sb */
    uint64_t need, nblocks, w, i, j;
    int logw = 0, rc;
    fft_ctx f;
    xy_ctx xc;
    int have_fft = 0;

    memset(&xc, 0, sizeof xc);

    if ((!a && na > 0) || (!b && nb > 0))
        return HAM_EINVAL;
    need = universe == 0 ? 0 : 2 * (uint64_t)universe - 1;
    if (need > 0 && !count)
        return HAM_EINVAL;
    rc = sorted_set(a, na, universe, &sa);
    if (rc == HAM_OK)
        rc = sorted_set(b, nb, universe, &sb);
    if (rc != HAM_OK)
        goto out;
    if ((uint64_t)cap < need) {
        rc = HAM_ENOSPC;
        goto out;
    }
    if (need == 0 || na == 0 || nb == 0) {
        if (need > 0)
            memset(count, 0, (size_t)need * sizeof *count);
        goto out;
    }

    while (logw < SUMSET_MAX_LOG_W && ((uint64_t)1 << logw) < universe)
        logw++;
    w = (uint64_t)1 << logw;
    xc.w = (size_t)w;
    nblocks = (universe + w - 1) / w;
    ab = ham__alloc((size_t)nblocks + 1, sizeof *ab);
    bb = ham__alloc((size_t)nblocks + 1, sizeof *bb);
    if (!ab || !bb) {
        rc = HAM_ENOMEM;
        goto out;
    }
    for (i = 0; i <= nblocks; i++) {
        ab[i] = lower_bound(sa, na, i * w);
        bb[i] = lower_bound(sb, nb, i * w);
    }
    /* nothing is written before every argument check and allocation above */
    memset(count, 0, (size_t)need * sizeof *count);
    for (i = 0; i < nblocks; i++) {
        size_t ni = ab[i + 1] - ab[i];
        if (ni == 0)
            continue;
        for (j = 0; j < nblocks; j++) {
            size_t nj = bb[j + 1] - bb[j];
            double n2 = (double)(2 * w);
            double c_enum, c_fft, c_xy;
            unsigned L;
            if (nj == 0)
                continue;
            c_enum = kappa_pair(w) * (double)ni * (double)nj;
            c_fft = (3.0 + (have_fft ? 0.0 : PLAN_TRANS)) *
                        ham__fft_transform_ns((size_t)n2) +
                    KAPPA_IND * n2;
            L = xy_choose(&xc, (size_t)w, ni, nj, &c_xy);

            if (L && c_xy < c_fft && c_xy < c_enum) {
                /* S3, then smaller L on a failed digit check, then S2 */
                for (; L >= 2; L--) {
                    if (!xy_choose_fits((size_t)w, ni, nj, L))
                        continue;
                    rc = xy_ctx_plan(&xc, L);
                    if (rc != HAM_OK)
                        goto out;
                    if (xy_block(&xc, L, sa + ab[i], ni, (uint32_t)(i * w), sb + bb[j],
                                 nj, (uint32_t)(j * w), count, (i + j) * w,
                                 need - 1) == 0)
                        break;
                }
                if (L >= 2)
                    continue;
                c_enum = HUGE_VAL; /* the FFT next, not the pairs */
            }
            if (c_enum > c_fft) {
                if (!have_fft) {
                    rc = fft_ctx_init(&f, (size_t)(2 * w));
                    have_fft = 1;
                    if (rc != HAM_OK)
                        goto out;
                }
                if (fft_block(&f, sa + ab[i], ni, (uint32_t)(i * w), sb + bb[j], nj,
                              (uint32_t)(j * w), count, (i + j) * w, need - 1) == 0)
                    continue;
            }
            enumerate(sa + ab[i], ni, sb + bb[j], nj, count);
        }
    }
out:
    if (have_fft)
        fft_ctx_free(&f);
    xy_ctx_free(&xc);
    free(ab);
    free(bb);
    free(sa);
    free(sb);
    return rc;
}
