/* SPDX-License-Identifier: MIT */
/*
 * sumset.c -- sumset with multiplicities (algorithms.md 9): for sets A, B of
 * distinct values in [0, U), count[z] = #{(x, y) in A x B : x + y = z}.
 *
 * Values are cut into blocks of width W (a power of two, at most 2^20) so that
 * working memory stays O(na + nb + W) whatever U. For every pair of non-empty
 * blocks (A_i, B_j) the cheaper of two exact methods runs:
 *   S1 enumeration, O(|A_i||B_j|);
 *   S2 FFT: indicator vectors, one linear convolution of size N = 2W
 *      (r2c, r2c, c2r), O(W log W).
 * Time: sum over block pairs of min(|A_i||B_j|, W log W); for U <= 2^20 that
 * is min(na nb, U log U) + O(U) (the output).
 *
 * Exactness (algorithms.md 2.3): indicator vectors have ||x||_2 ||y||_2 =
 * sqrt(|A_i||B_j|) <= 2^20 and N <= 2^21, so the a priori rule
 * ||x|| ||y|| log2 N <= 2^44 holds with a wide margin. Each FFT result is
 * still verified (every rounded value within [0, min(|A_i|, |B_j|)] and
 * within 1/4 of an integer, and the sum rule: the counts sum to |A_i||B_j|);
 * a failed check redoes that block pair by enumeration.
 */
#include "internal.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUMSET_MAX_LOG_W 20

/* Cost model (ns), algorithms.md 10.1: kappa_e ~ 1 ns per enumerated pair,
 * kappa_f ~ 0.25 ns per N log2 N per transform, plus building/rounding ~ 2 ns
 * per point. */
#define KAPPA_E   1.0
#define KAPPA_F   0.25
#define KAPPA_IND 2.0

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
    int have_fft = 0;

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
            double c_enum, c_fft;
            if (nj == 0)
                continue;
            c_enum = KAPPA_E * (double)ni * (double)nj;
            c_fft = 3.0 * KAPPA_F * n2 * log2(n2) + KAPPA_IND * n2;
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
    free(ab);
    free(bb);
    free(sa);
    free(sb);
    return rc;
}
