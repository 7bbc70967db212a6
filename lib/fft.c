/* SPDX-License-Identifier: MIT */
/*
 * fft.c -- the FFTW3 layer shared by the correlation engines (fft, A2, and
 * abrahamson, A3): block sizes, cached FFTW plans and pattern spectra, and
 * one block's spectrum accumulation with the exactness checks of
 * algorithms.md 2.2-2.3. Per block of size N with q symbols: q r2c
 * transforms, q multiply-accumulates of N/2 + 1 points, one c2r and O(N)
 * checks, i.e. O(q N log N) time; O(N) memory per call plus the cache.
 *
 * FFTW's planner is not thread-safe (FFTW manual, "Thread safety"): every
 * fftw_plan_* and fftw_destroy_plan call in lib/ goes through the one static
 * mutex here, the only static state the library has (documented in
 * libhamming(3), THREADS). Executing a plan is thread-safe with the new-array
 * execute functions, so one plan serves every thread and block; their arrays
 * come from fftw_alloc_*, which gives the alignment the plans were made for.
 * Plans use FFTW_ESTIMATE unless the ham_plan has HAM_F_MEASURE, in which
 * case FFTW_MEASURE plans on scratch arrays (it overwrites them): measured
 * 1.1-1.6x faster engines (DNA and English, m = 4096 .. 131072) for 2-17 s
 * of planning on first use. Never fftw_cleanup or wisdom: FFTW's global
 * state belongs to the application.
 *
 * The context cache (per engine state of a ham_plan): for each block size N
 * in use, an r2c and a c2r plan and the pattern spectra conj(DFT_N(q_c)),
 * q_c[j] = [P[j] = c]. Both are made on first use, not at plan creation:
 * AUTO prepares every candidate engine, and plan creation must stay cheap
 * when naive wins; the block size also depends on the text length. A mutex
 * per context guards the cache (an immutable ham_plan is shared by threads;
 * the cache only remembers values, it never changes a result). Spectra take
 * (N/2 + 1) 16 bytes per symbol and size; beyond HAM__FFT_SPECTRA_BUDGET a
 * symbol's spectrum is recomputed into per-call scratch for every block that
 * needs it (one more r2c; the engines' cost models charge it).
 *
 * Exactness (algorithms.md 2.3). Correlations of 0/1 indicator vectors
 * summed over symbols have sum_c ||x_c|| ||q_c|| = sum_c sqrt(t_c p_c) <=
 * sqrt(N m) (Cauchy-Schwarz), and the a priori rule sum * ceil(log2 N) <=
 * 2^44 (error <= 2^-6 with a pessimistic eta = 2^-50 log2 N) then holds for
 * every N m <= 2^78, i.e. every size this layer accepts (N <= 2^30); with
 * the -1 positions of the one-transform-fewer trick the bound becomes
 * sqrt((sigma + 1) N m), fine up to sigma ~ 2^18. The engines evaluate the
 * sum per block and send a block that fails the rule to the exact path
 * (never seen in practice; a test hook lowers the limit to prove the
 * route). Every block is then verified a
 * posteriori: each of the N cyclic outputs within 1/8 of an integer, and the
 * sum rule -- the rounded outputs sum to sum_c (t_c - t_minus) p_c, computed
 * from the histograms, which checks the whole transform chain (an integer
 * offset in every output passes the residual test but not this one). The
 * engines range-check each count and recompute a failed block exactly
 * (ham__ntt_matches). Test hooks inject a fault into the accumulated
 * spectrum to prove that path.
 *
 * Raw transforms (ham__fft_raw_*): the context's plans for a size, on
 * vectors the caller builds -- the packed engines (lib/packed.c,
 * lib/hashed.c) put base-B digits in them, not 0/1 indicators, cache their
 * own pattern spectra and run their own exactness checks (lib/xy.c).
 */
#include "internal.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t fftw_planner_lock = PTHREAD_MUTEX_INITIALIZER;

void
ham__fftw_lock(void)
{
    pthread_mutex_lock(&fftw_planner_lock);
}

void
ham__fftw_unlock(void)
{
    pthread_mutex_unlock(&fftw_planner_lock);
}

/* ---- Transform cost and block sizes ---------------------------------------- */

/*
 * ns per N log2 N of one FFTW_ESTIMATE r2c or c2r of size N (the mean of
 * both), piecewise linear in log2 N. Measured with a standalone loop over
 * the friendly sizes 2^8 .. 2^23 (fftw_execute_dft_r2c/c2r, best of 5) on the
 * development machine: AMD EPYC Zen 4, 2 vCPU (shared VM, +-20 %), 1 MiB L2
 * per core, 32 MiB L3, FFTW 3.3.10 (Debian), gcc 12 -O2. The steps follow
 * the caches: arrays in L2 up to N = 2^15, in L3 up to 2^20, memory beyond.
 */
static const struct {
    double lg, ns;
} kappa_tab[] = {
    {8.0, 0.14},  {12.0, 0.12}, {14.0, 0.17}, {17.0, 0.21}, {18.0, 0.30},
    {20.0, 0.34}, {21.0, 0.55}, {22.0, 0.66}, {24.0, 0.85}, {31.0, 1.10},
};
#define KAPPA_N (sizeof kappa_tab / sizeof kappa_tab[0])

double
ham__fft_transform_ns(size_t N)
{
    double lg = log2((double)(N < 2 ? 2 : N)), k;
    size_t i;
    if (lg <= kappa_tab[0].lg) {
        k = kappa_tab[0].ns;
    } else {
        k = kappa_tab[KAPPA_N - 1].ns;
        for (i = 1; i < KAPPA_N; i++) {
            if (lg <= kappa_tab[i].lg) {
                double f = (lg - kappa_tab[i - 1].lg) /
                           (kappa_tab[i].lg - kappa_tab[i - 1].lg);
                k = kappa_tab[i - 1].ns + f * (kappa_tab[i].ns - kappa_tab[i - 1].ns);
                break;
            }
        }
    }
    /* sizes 2^a ran ~10 % slower than their friendly neighbours and 5 2^a
     * ~7 % faster, in the standalone loop and inside the fft engine (N
     * sweeps at m = 4096 and 16384 on DNA) */
    if ((N & (N - 1)) == 0)
        k *= 1.10;
    else if (N % 5 == 0 && ((N / 5) & (N / 5 - 1)) == 0)
        k *= 0.93;
    /* plus a fixed ~0.2 us per call (FFTW's dispatch, small sizes) */
    return 200.0 + k * (double)N * lg;
}

double
ham__fft_map_ns(const ham_plan *plan)
{
    /* u8: a 256-entry table, part of the per-point costs. u32: the cuckoo
     * table of plan->tab, two probes per symbol (ham__map_ids), whose
     * 8-byte slots (>= 4 per pattern symbol) leave L1/L2 as sigma grows:
     * measured 1.7 ns per symbol at sigma = 558, 2.0 at 5484 and 2.8 at
     * 30136 on zipf32 text (skewed: the hot slots stay cached; uniform
     * texts over large alphabets pay more). */
    if (plan->width == 1)
        return 0.0;
    return plan->sigma < 8192 ? 1.8 : plan->sigma < 32768 ? 2.5 : 4.0;
}

/*
 * Friendly sizes: 2^a times 1, 5/4, 3/2, 25/16 or 15/8. FFTW handles every
 * 2^a 3^b 5^c 7^d; among them these were the fast ones in the measurement
 * above (sizes with 7, 9 or 27 ran 20-60 % slower per N log N), and five
 * per octave keep the padding of the last block and the choice of N fine.
 */
static const unsigned size_mult[] = {16, 20, 24, 25, 30}; /* sixteenths */

size_t
ham__fft_next_size(size_t N)
{
    size_t p, best = SIZE_MAX;
    unsigned i;
    if (N < 16)
        return N + 1;
    for (p = 1; p <= (SIZE_MAX / 32) && p <= N; p <<= 1) {
        for (i = 0; i < sizeof size_mult / sizeof size_mult[0]; i++) {
            size_t v = p * size_mult[i] / 16;
            if (p * size_mult[i] % 16 == 0 && v > N && v < best)
                best = v;
        }
    }
    /* p is now the first power of two above N: always a candidate */
    if (p > N && p < best)
        best = p;
    return best;
}

/*
 * The size rule. Per shift a transform costs T(N) / (N - m + 1), minimised
 * near N = 8-16 m in a flat cache model (algorithms.md 2.2); measured, the
 * optimum is flat: DNA, m = 4096, n = 2^20, every friendly N from 3 m to
 * 15 m ran within 10 % (18-20 ns/shift), powers of two ~10 % above their
 * neighbours, N <= 2 m 1.5-3x slower. With the transform table above the
 * rule picks N/m = 5 at m = 4096, 5 at 16384 and 2.5 at 2^17 (where 2^18
 * leaves L2/L3 and T(N) jumps), and one block for a short text.
 */
static int
is_friendly(size_t N)
{
    return N < 16 || ham__fft_next_size(N - 1) == N;
}

size_t
ham__fft_pick_size(size_t m, size_t n, ham__fft_cost_fn block_ns,
                   ham__fft_cost_fn setup_ns, const void *arg, double *total)
{
    const size_t S = n - m + 1;
    size_t hi, N, best = 0;
    double best_cost = HUGE_VAL;
    HAM_ASSERT(n >= m);
    *total = HUGE_VAL;
    if (m >= HAM__FFT_MAX_N)
        return 0;
    /* W = N - m + 1 >= 2 shifts per block at least; beyond 32 m the per-shift
     * transform cost only grows (algorithms.md 2.2) */
    N = m + 1 < 16 ? 16 : m + 1;
    if (!is_friendly(N))
        N = ham__fft_next_size(N);
    hi = m <= HAM__FFT_MAX_N / 32 ? 32 * m : HAM__FFT_MAX_N;
    if (hi < 4096)
        hi = 4096;
    for (; N <= HAM__FFT_MAX_N; N = ham__fft_next_size(N)) {
        const size_t W = N - m + 1, blocks = (S + W - 1) / W;
        const double c = (double)blocks * block_ns(arg, N, W) +
                         (setup_ns ? setup_ns(arg, N, W) : 0.0);
        if (c < best_cost) {
            best_cost = c;
            best = N;
        }
        if (N >= n || N >= hi)
            break; /* one block already, or past the useful range */
    }
    *total = best_cost;
    return best;
}

/* ---- Context: plans and spectra per size ------------------------------------ */

/* One cached block size. Entries are allocated one by one and never move
 * or go away before the context does (a concurrent call may hold one); the
 * size rule picks among the ~30 friendly sizes in [m + 1, max(32 m, 4096)],
 * which bounds their number. */
/* The raw transforms of one size (ham__fft_raw_get): lib/packed.c and
 * lib/hashed.c build their own vectors (base-B digits, not indicators). */
struct ham__fft_raw {
    size_t N;
    fftw_plan r2c, c2r;
};

typedef struct size_entry {
    struct size_entry *next;
    size_t N;
    fftw_plan r2c, c2r;
    fftw_complex **spec; /* [sigma + 1]; NULL = not cached */
    struct ham__fft_raw raw;
} size_entry;

struct ham__fft_ctx {
    pthread_mutex_t mu;
    const ham_plan *plan;
    unsigned fftw_flags;
    size_t budget, used; /* bytes of cached spectra */
    size_entry *sizes;   /* list, newest first */
    /* test hooks and statistics (under mu) */
    size_t fault_bin;
    double fault_delta;
    double apriori_limit;
    uint64_t fallbacks;
    size_t forced_n;
};

int
ham__fft_ctx_create(ham__fft_ctx **out, const ham_plan *plan)
{
    ham__fft_ctx *ctx = calloc(1, sizeof *ctx);
    *out = NULL;
    if (!ctx)
        return HAM_ENOMEM;
    if (pthread_mutex_init(&ctx->mu, NULL) != 0) {
        free(ctx);
        return HAM_ENOMEM;
    }
    ctx->plan = plan;
    ctx->fftw_flags =
        (plan->params.flags & HAM_F_MEASURE) ? FFTW_MEASURE : FFTW_ESTIMATE;
    ctx->budget = HAM__FFT_SPECTRA_BUDGET;
    ctx->fault_bin = SIZE_MAX;
    ctx->apriori_limit = 0x1p44;
    *out = ctx;
    return HAM_OK;
}

void
ham__fft_ctx_destroy(ham__fft_ctx *ctx)
{
    size_entry *e, *next;
    size_t c;
    if (!ctx)
        return;
    for (e = ctx->sizes; e; e = next) {
        next = e->next;
        ham__fftw_lock();
        fftw_destroy_plan(e->r2c);
        fftw_destroy_plan(e->c2r);
        ham__fftw_unlock();
        for (c = 0; c <= ctx->plan->sigma; c++)
            fftw_free(e->spec[c]);
        free(e->spec);
        free(e);
    }
    pthread_mutex_destroy(&ctx->mu);
    free(ctx);
}

static size_t
spec_bytes(size_t N)
{
    return (N / 2 + 1) * sizeof(fftw_complex);
}

int
ham__fft_spectra_fit(ham__fft_ctx *ctx, size_t N, double nsym)
{
    int fit;
    pthread_mutex_lock(&ctx->mu);
    fit = (double)ctx->used + nsym * (double)spec_bytes(N) <= (double)ctx->budget;
    pthread_mutex_unlock(&ctx->mu);
    return fit;
}

int
ham__fft_has_spectrum(ham__fft_ctx *ctx, size_t N, uint32_t c)
{
    const size_entry *e;
    int has = 0;
    pthread_mutex_lock(&ctx->mu);
    for (e = ctx->sizes; e; e = e->next)
        if (e->N == N)
            has = e->spec[c] != NULL;
    pthread_mutex_unlock(&ctx->mu);
    return has;
}

/* Plans for size N, made on first use (caller holds ctx->mu). */
static int
size_get(ham__fft_ctx *ctx, size_t N, size_entry **out)
{
    size_entry *e;
    double *x, *y;
    fftw_complex *X;
    for (e = ctx->sizes; e; e = e->next) {
        if (e->N == N) {
            *out = e;
            return HAM_OK;
        }
    }
    *out = NULL;
    if (N > HAM__FFT_MAX_N)
        return HAM_ENOMEM;
    /* scratch arrays for the planner: FFTW_MEASURE overwrites them */
    x = fftw_alloc_real(N);
    y = fftw_alloc_real(N);
    X = fftw_alloc_complex(N / 2 + 1);
    e = calloc(1, sizeof *e);
    if (e)
        e->spec = calloc((size_t)ctx->plan->sigma + 1, sizeof *e->spec);
    if (!x || !y || !X || !e || !e->spec) {
        fftw_free(x);
        fftw_free(y);
        fftw_free(X);
        if (e)
            free(e->spec);
        free(e);
        return HAM_ENOMEM;
    }
    ham__fftw_lock();
    /* out of place both ways: r2c preserves its input (the sparse reset of
     * the indicator relies on it), c2r may destroy the spectrum */
    e->r2c = fftw_plan_dft_r2c_1d((int)N, x, X, ctx->fftw_flags | FFTW_PRESERVE_INPUT);
    e->c2r = fftw_plan_dft_c2r_1d((int)N, X, y, ctx->fftw_flags | FFTW_DESTROY_INPUT);
    ham__fftw_unlock();
    fftw_free(x);
    fftw_free(y);
    fftw_free(X);
    if (!e->r2c || !e->c2r) {
        ham__fftw_lock();
        if (e->r2c)
            fftw_destroy_plan(e->r2c);
        if (e->c2r)
            fftw_destroy_plan(e->c2r);
        ham__fftw_unlock();
        free(e->spec);
        free(e);
        return HAM_EFFTW;
    }
    e->N = N;
    e->raw.N = N;
    e->raw.r2c = e->r2c;
    e->raw.c2r = e->c2r;
    e->next = ctx->sizes;
    ctx->sizes = e;
    *out = e;
    return HAM_OK;
}

/* ---- Kernels ----------------------------------------------------------------------
 */

/*
 * The O(N) passes around the transforms: building an indicator vector,
 * the complex multiply-accumulate into the block spectrum, and rounding with
 * the residual / magnitude / sum checks. Portable C, and AVX2 + FMA versions
 * picked when the plan's CPU (ham__cpu, capped by HAM_F_NO_SIMD) has them;
 * measured on Zen 4 they take the share of these passes from ~half of a
 * DNA block to ~a sixth. Both round to nearest-even and give the same
 * integers, so the output never depends on the ISA (FMA only changes the
 * last bit of products whose error the checks bound anyway).
 */

/* x[i] = [ids[i] = c] - [ids[i] = cs] for i < L (c or cs may match nothing) */
static void
ind_portable(double *restrict x, const uint32_t *restrict ids, size_t L, uint32_t c,
             uint32_t cs)
{
    size_t i;
    for (i = 0; i < L; i++)
        x[i] = (double)((int)(ids[i] == c) - (int)(ids[i] == cs));
}

/* acc (+)= X * S over n complex points */
static void
mac_portable(double *restrict acc, const double *restrict X, const double *restrict S,
             size_t n, int first)
{
    size_t i;
    if (first) {
        for (i = 0; i < 2 * n; i += 2) {
            acc[i] = X[i] * S[i] - X[i + 1] * S[i + 1];
            acc[i + 1] = X[i] * S[i + 1] + X[i + 1] * S[i];
        }
    } else {
        for (i = 0; i < 2 * n; i += 2) {
            acc[i] += X[i] * S[i] - X[i + 1] * S[i + 1];
            acc[i + 1] += X[i] * S[i + 1] + X[i + 1] * S[i];
        }
    }
}

typedef struct round_out {
    double res, big, sum; /* max residual, max |value|, sum of rounded values */
} round_out;

/* v = y[s] * scale rounded to nearest into y[s] for s < N (and r[s] for
 * s < nshift when r is not NULL); A NaN leaves res and big alone but makes
 * the sum NaN, which the sum rule rejects. */
static round_out
round_portable(double *restrict y, size_t N, double scale, int32_t *restrict r,
               size_t nshift)
{
    /* adding and subtracting 1.5 * 2^52 rounds to the nearest integer for
     * |v| < 2^51 (round-to-nearest mode), without a libm call */
    const double magic = 0x1.8p52;
    double res0 = 0.0, res1 = 0.0, sum0 = 0.0, sum1 = 0.0, big0 = 0.0, big1 = 0.0;
    round_out o;
    size_t s;
    (void)r;
    (void)nshift;
    /* two accumulators each: integer-valued partial sums stay exact in a
     * double (|sum| <= N m < 2^53) */
    for (s = 0; s + 1 < N; s += 2) {
        const double v0 = y[s] * scale, v1 = y[s + 1] * scale;
        const double q0 = (v0 + magic) - magic, q1 = (v1 + magic) - magic;
        const double d0 = fabs(v0 - q0), d1 = fabs(v1 - q1);
        const double a0 = fabs(v0), a1 = fabs(v1);
        res0 = d0 > res0 ? d0 : res0;
        res1 = d1 > res1 ? d1 : res1;
        big0 = a0 > big0 ? a0 : big0;
        big1 = a1 > big1 ? a1 : big1;
        sum0 += q0;
        sum1 += q1;
        y[s] = q0;
        y[s + 1] = q1;
    }
    for (; s < N; s++) {
        const double v0 = y[s] * scale, q0 = (v0 + magic) - magic;
        const double d0 = fabs(v0 - q0), a0 = fabs(v0);
        res0 = d0 > res0 ? d0 : res0;
        big0 = a0 > big0 ? a0 : big0;
        sum0 += q0;
        y[s] = q0;
    }
    o.res = res0 > res1 ? res0 : res1;
    o.big = big0 > big1 ? big0 : big1;
    o.sum = sum0 + sum1;
    return o;
}

#if defined(HAM_HAVE_X86_DISPATCH) && defined(__x86_64__)
#define FFT_X86 1
#include <immintrin.h>
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

TARGET_AVX2 static void
ind_avx2(double *restrict x, const uint32_t *restrict ids, size_t L, uint32_t c,
         uint32_t cs)
{
    const __m128i vc = _mm_set1_epi32((int)c), vs = _mm_set1_epi32((int)cs);
    size_t i;
    for (i = 0; i + 4 <= L; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(ids + i));
        /* equal lanes are -1: [= cs] - [= c] as (-1 or 0) - (-1 or 0) */
        __m128i d = _mm_sub_epi32(_mm_cmpeq_epi32(v, vs), _mm_cmpeq_epi32(v, vc));
        _mm256_storeu_pd(x + i, _mm256_cvtepi32_pd(d));
    }
    for (; i < L; i++)
        x[i] = (double)((int)(ids[i] == c) - (int)(ids[i] == cs));
}

TARGET_AVX2 static void
mac_avx2(double *restrict acc, const double *restrict X, const double *restrict S,
         size_t n, int first)
{
    size_t i;
    /* two complex points per vector: X = [xr0 xi0 xr1 xi1], S likewise;
     * X * S = fmaddsub(X, [sr sr], swap(X) * [si si]) */
    for (i = 0; i + 2 <= n; i += 2) {
        const __m256d x = _mm256_loadu_pd(X + 2 * i), s = _mm256_loadu_pd(S + 2 * i);
        const __m256d sre = _mm256_movedup_pd(s), sim = _mm256_permute_pd(s, 0xf);
        const __m256d xsw = _mm256_permute_pd(x, 0x5);
        const __m256d p = _mm256_fmaddsub_pd(x, sre, _mm256_mul_pd(xsw, sim));
        if (first)
            _mm256_storeu_pd(acc + 2 * i, p);
        else
            _mm256_storeu_pd(acc + 2 * i,
                             _mm256_add_pd(_mm256_loadu_pd(acc + 2 * i), p));
    }
    if (i < n)
        mac_portable(acc + 2 * i, X + 2 * i, S + 2 * i, n - i, first);
}

TARGET_AVX2 static round_out
round_avx2(double *restrict y, size_t N, double scale, int32_t *restrict r,
           size_t nshift)
{
    const __m256d vs = _mm256_set1_pd(scale);
    const __m256d absm = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffll));
    __m256d res = _mm256_setzero_pd(), big = _mm256_setzero_pd(),
            sum = _mm256_setzero_pd();
    double t[4];
    round_out o, tail;
    size_t s;
    for (s = 0; s + 4 <= N; s += 4) {
        const __m256d v = _mm256_mul_pd(_mm256_loadu_pd(y + s), vs);
        const __m256d q =
            _mm256_round_pd(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        /* max_pd returns its second operand when either is NaN: a NaN
         * value makes res NaN, which fails the check */
        res = _mm256_max_pd(res, _mm256_and_pd(_mm256_sub_pd(v, q), absm));
        big = _mm256_max_pd(big, _mm256_and_pd(v, absm));
        sum = _mm256_add_pd(sum, q);
        if (s + 4 <= nshift)
            _mm_storeu_si128((__m128i *)(r + s), _mm256_cvtpd_epi32(q));
        _mm256_storeu_pd(y + s, q);
    }
    tail = round_portable(y + s, N - s, scale, NULL, 0);
    _mm256_storeu_pd(t, res);
    o.res = tail.res;
    for (s = 0; s < 4; s++)
        o.res = t[s] > o.res || t[s] != t[s] ? t[s] : o.res;
    _mm256_storeu_pd(t, big);
    o.big = tail.big;
    for (s = 0; s < 4; s++)
        o.big = t[s] > o.big || t[s] != t[s] ? t[s] : o.big;
    _mm256_storeu_pd(t, sum);
    o.sum = ((t[0] + t[1]) + (t[2] + t[3])) + tail.sum;
    return o;
}
#else
#define FFT_X86 0
#endif

/* ---- Per-call work ------------------------------------------------------------ */

struct ham__fft_work {
    ham__fft_ctx *ctx;
    const ham_plan *plan;
    size_t N;
    int simd;           /* AVX2 + FMA kernels */
    fftw_plan r2c, c2r; /* the context's pair for N */
    size_entry *entry;
    double *x;           /* text vector: the block's base state between adds
                            (-1 at the c* positions, 0 elsewhere); also
                            receives the c2r output */
    fftw_complex *X;     /* one symbol's text spectrum */
    fftw_complex *acc;   /* the accumulated product spectrum */
    double *xs;          /* pattern indicator scratch (lazy) */
    fftw_complex *spec;  /* uncached spectrum scratch (lazy) */
    const uint32_t *ids; /* the block, for dense indicators */
    size_t L;
    uint32_t cs;         /* the -1 symbol, UINT32_MAX for none (ids are <= sigma) */
    size_t tstar;        /* its count in the block */
    const uint32_t *neg; /* its positions, or NULL */
    int state;           /* x holds: X_ZERO, X_BASE (-1 at c*), X_DIRTY */
    size_t nadd;
    double expect; /* sum rule: sum_c (t_c - tstar) p_c, exact in a double */
    /* snapshot of the test hooks */
    size_t fault_bin;
    double fault_delta;
};

int
ham__fft_work_create(ham__fft_work **out, ham__fft_ctx *ctx, size_t N)
{
    ham__fft_work *w;
    int rc;
    *out = NULL;
    if (N > HAM__FFT_MAX_N || N < 2)
        return HAM_ENOMEM;
    w = calloc(1, sizeof *w);
    if (!w)
        return HAM_ENOMEM;
    w->ctx = ctx;
    w->plan = ctx->plan;
    w->N = N;
    w->simd = FFT_X86 && ctx->plan->cpu.isa >= HAM__ISA_AVX2;
    w->x = fftw_alloc_real(N);
    w->X = fftw_alloc_complex(N / 2 + 1);
    w->acc = fftw_alloc_complex(N / 2 + 1);
    if (!w->x || !w->X || !w->acc) {
        ham__fft_work_destroy(w);
        return HAM_ENOMEM;
    }
    memset(w->x, 0, N * sizeof *w->x);
    pthread_mutex_lock(&ctx->mu);
    rc = size_get(ctx, N, &w->entry);
    w->fault_bin = ctx->fault_bin;
    w->fault_delta = ctx->fault_delta;
    pthread_mutex_unlock(&ctx->mu);
    if (rc != HAM_OK) {
        ham__fft_work_destroy(w);
        return rc;
    }
    w->r2c = w->entry->r2c;
    w->c2r = w->entry->c2r;
    *out = w;
    return HAM_OK;
}

void
ham__fft_work_destroy(ham__fft_work *w)
{
    if (!w)
        return;
    fftw_free(w->x);
    fftw_free(w->X);
    fftw_free(w->acc);
    fftw_free(w->xs);
    fftw_free(w->spec);
    free(w);
}

static void
ind(const ham__fft_work *w, double *x, uint32_t c, uint32_t cs)
{
#if FFT_X86
    if (w->simd) {
        ind_avx2(x, w->ids, w->L, c, cs);
        return;
    }
#endif
    ind_portable(x, w->ids, w->L, c, cs);
}

/* conj(DFT_N(q_c)) into dst. */
static int
compute_spectrum(ham__fft_work *w, uint32_t c, fftw_complex *dst)
{
    const ham_plan *plan = w->plan;
    const size_t N = w->N;
    uint32_t k;
    size_t i;
    if (!w->xs) {
        w->xs = fftw_alloc_real(N);
        if (!w->xs)
            return HAM_ENOMEM;
        memset(w->xs, 0, N * sizeof *w->xs);
    }
    for (k = plan->occ_start[c]; k < plan->occ_start[c + 1]; k++)
        w->xs[plan->occ[k]] = 1.0;
    fftw_execute_dft_r2c(w->r2c, w->xs, dst);
    for (k = plan->occ_start[c]; k < plan->occ_start[c + 1]; k++)
        w->xs[plan->occ[k]] = 0.0;
    for (i = 0; i <= N / 2; i++)
        dst[i][1] = -dst[i][1];
    return HAM_OK;
}

/* The spectrum of symbol c: cached (computed on first use while the budget
 * lasts) or computed into the call's scratch. */
static int
get_spectrum(ham__fft_work *w, uint32_t c, const fftw_complex **out)
{
    ham__fft_ctx *ctx = w->ctx;
    const size_t bytes = spec_bytes(w->N);
    int rc = HAM_OK;
    pthread_mutex_lock(&ctx->mu);
    if (!w->entry->spec[c] && ctx->used + bytes <= ctx->budget) {
        /* computed under the context lock: two threads never compute the
         * same spectrum, and a reader never sees a partial one */
        fftw_complex *s = fftw_alloc_complex(w->N / 2 + 1);
        if (s && compute_spectrum(w, c, s) == HAM_OK) {
            w->entry->spec[c] = s;
            ctx->used += bytes;
        } else {
            fftw_free(s); /* out of memory: fall through to scratch */
        }
    }
    *out = (const fftw_complex *)w->entry->spec[c];
    pthread_mutex_unlock(&ctx->mu);
    if (*out)
        return HAM_OK;
    if (!w->spec) {
        w->spec = fftw_alloc_complex(w->N / 2 + 1);
        if (!w->spec)
            return HAM_ENOMEM;
    }
    rc = compute_spectrum(w, c, w->spec);
    *out = (const fftw_complex *)w->spec;
    return rc;
}

enum { X_ZERO, X_BASE, X_DIRTY };

void
ham__fft_block_begin(ham__fft_work *w, const uint32_t *ids, size_t L, uint32_t cstar,
                     size_t tstar, const uint32_t *neg)
{
    HAM_ASSERT(L <= w->N);
    w->ids = ids;
    w->L = L;
    w->cs = cstar ? cstar : UINT32_MAX;
    w->tstar = cstar ? tstar : 0;
    w->neg = neg;
    w->nadd = 0;
    w->expect = 0.0;
    /* x is all zero here (work_create, block_end); without c* that is
     * already the base state. The -1 positions are written only when a
     * sparse add needs them: dense adds write the whole block anyway. */
    w->state = cstar ? X_ZERO : X_BASE;
}

/* x = the base state: 0, with -1 at the c* positions. */
static void
make_base(ham__fft_work *w)
{
    size_t i;
    if (w->state == X_BASE)
        return;
    if (w->cs == UINT32_MAX) {
        memset(w->x, 0, w->L * sizeof *w->x);
    } else if (w->neg && w->state == X_ZERO) {
        for (i = 0; i < w->tstar; i++)
            w->x[w->neg[i]] = -1.0;
    } else {
        ind(w, w->x, UINT32_MAX, w->cs);
    }
    w->state = X_BASE;
}

int
ham__fft_block_add(ham__fft_work *w, uint32_t c, size_t t, const uint32_t *pos)
{
    const fftw_complex *S;
    double *restrict x = w->x;
    size_t i;
    int rc = get_spectrum(w, c, &S);
    if (rc != HAM_OK)
        return rc;
    if (pos) {
        /* sparse: set the positions on the base state, then reset them */
        make_base(w);
        for (i = 0; i < t; i++)
            x[pos[i]] = 1.0;
        fftw_execute_dft_r2c(w->r2c, x, w->X);
        for (i = 0; i < t; i++)
            x[pos[i]] = 0.0;
    } else {
        /* dense: write the whole block (x beyond L stays 0) */
        ind(w, x, c, w->cs);
        fftw_execute_dft_r2c(w->r2c, x, w->X);
        w->state = X_DIRTY;
    }
#if FFT_X86
    if (w->simd)
        mac_avx2(&w->acc[0][0], &w->X[0][0], &S[0][0], w->N / 2 + 1, w->nadd == 0);
    else
#endif
        mac_portable(&w->acc[0][0], &w->X[0][0], &S[0][0], w->N / 2 + 1, w->nadd == 0);
    w->nadd++;
    w->expect += ((double)t - (double)w->tstar) *
                 (double)(w->plan->occ_start[c + 1] - w->plan->occ_start[c]);
    return HAM_OK;
}

int
ham__fft_block_end(ham__fft_work *w, size_t nshift, int32_t *r)
{
    const size_t N = w->N;
    const double lim = 0x1p30; /* |value| bound of a correct output: m < 2^30 */
    double *restrict y = w->x;
    round_out o;
    size_t s;
    int ok;

    HAM_ASSERT(nshift <= N);
    if (w->nadd == 0) {
        /* nothing added: every correlation is 0 (the -1 positions alone are
         * never transformed) */
        memset(w->x, 0, N * sizeof *w->x);
        memset(r, 0, nshift * sizeof *r);
        return HAM_OK;
    }
    if (w->fault_bin <= N / 2)
        w->acc[w->fault_bin][0] += w->fault_delta;
    fftw_execute_dft_c2r(w->c2r, w->acc, y);
#if FFT_X86
    if (w->simd)
        o = round_avx2(y, N, 1.0 / (double)N, r, nshift);
    else
#endif
        o = round_portable(y, N, 1.0 / (double)N, NULL, 0);
    /* residual <= 1/8, magnitudes, and the sum rule over all N outputs */
    ok = o.res <= 0.125 && o.big < lim && o.sum == w->expect;
    /* debug builds stop at a real failure (the exact path would hide a
     * precision bug); an injected fault is the test of that path */
    HAM_ASSERT(ok || w->fault_bin <= N / 2);
    if (ok) {
        s = 0;
#if FFT_X86
        if (w->simd)
            s = nshift & ~(size_t)3; /* the vector loop stored these */
#endif
        for (; s < nshift; s++)
            r[s] = (int32_t)y[s];
    }
    /* the output overwrote x: clear it for the next block (this also clears
     * the -1 positions) */
    memset(w->x, 0, N * sizeof *w->x);
    return ok ? HAM_OK : 1;
}

size_t
ham__fft_map_hist(const ham_plan *plan, const void *text, size_t L, uint32_t *ids,
                  uint32_t *hist, uint32_t *present)
{
    size_t i, np = 0;
    uint32_t c;
    ham__map_ids(plan, text, L, ids);
    if (plan->sigma < 64) {
        /* few ids: four sub-histograms, so that runs of one symbol do not
         * serialise on one counter, then the present ids in id order */
        uint32_t h[4][64];
        memset(h, 0, sizeof h);
        for (i = 0; i + 4 <= L; i += 4) {
            h[0][ids[i]]++;
            h[1][ids[i + 1]]++;
            h[2][ids[i + 2]]++;
            h[3][ids[i + 3]]++;
        }
        for (; i < L; i++)
            h[0][ids[i]]++;
        for (c = 0; c <= plan->sigma; c++) {
            hist[c] = h[0][c] + h[1][c] + h[2][c] + h[3][c];
            if (c && hist[c])
                present[np++] = c;
        }
        return np;
    }
    /* many ids: append an id to present when its count leaves 0, without a
     * branch (present has room for sigma + 1 entries; id 0, counted like
     * the others, is never kept) */
    for (i = 0; i < L; i++) {
        c = ids[i];
        present[np] = c;
        np += (size_t)((hist[c]++ == 0) & (c != 0));
    }
    return np;
}

void
ham__fft_bucket(const uint32_t *ids, size_t L, const uint32_t *hist,
                const uint32_t *present, size_t np, uint32_t *start, uint32_t *pos)
{
    size_t i, off = hist[0];
    /* a counting sort of all L positions, id 0 first: writing the positions
     * of id 0 too (never read) keeps the loop free of branches */
    start[0] = 0;
    for (i = 0; i < np; i++) {
        start[present[i]] = (uint32_t)off;
        off += hist[present[i]];
    }
    for (i = 0; i < L; i++)
        pos[start[ids[i]]++] = (uint32_t)i;
    for (i = 0; i < np; i++) /* start[c] now ends bucket c */
        start[present[i]] -= hist[present[i]];
}

int
ham__fft_apriori_ok(const ham__fft_ctx *ctx, size_t N, double normsum)
{
    double lg = ceil(log2((double)N));
    /* exact values must also stay below 2^52 (they are <= m < 2^32) */
    return normsum * lg <= ctx->apriori_limit && (double)ctx->plan->m < 0x1p52;
}

void
ham__fft_count_fallback(ham__fft_ctx *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->fallbacks++;
    pthread_mutex_unlock(&ctx->mu);
}

/* ---- Raw transforms (the packed engines) ---------------------------------------- */

int
ham__fft_raw_get(ham__fft_ctx *ctx, size_t N, const ham__fft_raw **out)
{
    size_entry *e;
    int rc;
    *out = NULL;
    if (N < 2 || N > HAM__FFT_MAX_N)
        return HAM_ENOMEM;
    pthread_mutex_lock(&ctx->mu);
    rc = size_get(ctx, N, &e);
    pthread_mutex_unlock(&ctx->mu);
    if (rc == HAM_OK)
        *out = &e->raw;
    return rc;
}

size_t
ham__fft_raw_size(const ham__fft_raw *r)
{
    return r->N;
}

void
ham__fft_raw_r2c(const ham__fft_raw *r, double *in, double *out)
{
    /* new-array execute: in and out come from ham__fft_alloc_*, whose
     * alignment is the one the plan was made for */
    fftw_execute_dft_r2c(r->r2c, in, (fftw_complex *)(void *)out);
}

void
ham__fft_raw_c2r(const ham__fft_raw *r, double *in, double *out)
{
    fftw_execute_dft_c2r(r->c2r, (fftw_complex *)(void *)in, out);
}

double *
ham__fft_alloc_real(size_t n)
{
    return fftw_alloc_real(n);
}

double *
ham__fft_alloc_cplx(size_t n)
{
    return (double *)(void *)fftw_alloc_complex(n);
}

void
ham__fft_free(void *p)
{
    fftw_free(p);
}

int
ham__fft_simd(const ham_plan *plan)
{
    return FFT_X86 && plan->cpu.isa >= HAM__ISA_AVX2;
}

void
ham__fft_mac(int simd, double *acc, const double *X, const double *S, size_t npts,
             int first)
{
#if FFT_X86
    if (simd) {
        mac_avx2(acc, X, S, npts, first);
        return;
    }
#endif
    (void)simd;
    mac_portable(acc, X, S, npts, first);
}

/* ---- Engine heads and test hooks ---------------------------------------------- */

const ham__fft_head *
ham__fft_head_of(const ham_plan *plan, ham_engine e)
{
    if (e != HAM_ENGINE_FFT && e != HAM_ENGINE_ABRAHAMSON && e != HAM_ENGINE_PACKED &&
        e != HAM_ENGINE_HASHED)
        return NULL;
    return (const ham__fft_head *)plan->eng[e];
}

void
ham__fft_test_fault(ham__fft_ctx *ctx, size_t bin, double delta)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->fault_bin = bin;
    ctx->fault_delta = delta;
    pthread_mutex_unlock(&ctx->mu);
}

void
ham__fft_test_apriori(ham__fft_ctx *ctx, double limit)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->apriori_limit = limit;
    pthread_mutex_unlock(&ctx->mu);
}

uint64_t
ham__fft_test_fallbacks(ham__fft_ctx *ctx)
{
    uint64_t v;
    pthread_mutex_lock(&ctx->mu);
    v = ctx->fallbacks;
    pthread_mutex_unlock(&ctx->mu);
    return v;
}

void
ham__fft_test_budget(ham__fft_ctx *ctx, size_t bytes)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->budget = bytes;
    pthread_mutex_unlock(&ctx->mu);
}

void
ham__fft_test_size(ham__fft_ctx *ctx, size_t N)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->forced_n = N;
    pthread_mutex_unlock(&ctx->mu);
}

size_t
ham__fft_forced_size(ham__fft_ctx *ctx)
{
    size_t N;
    pthread_mutex_lock(&ctx->mu);
    N = ctx->forced_n;
    pthread_mutex_unlock(&ctx->mu);
    return N;
}
