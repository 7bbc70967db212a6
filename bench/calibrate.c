/* SPDX-License-Identifier: MIT */
/*
 * calibrate.c -- `make calibrate`: measures, on this machine, how far each
 * engine's cost model (ops->cost, algorithms.md 10) is from its real time,
 * and prints the calibration table lib/cost.c reads (HAM_CALIBRATION) or
 * compiles in (its defaults):
 *
 *     scale.<engine> <geometric mean over the cases of measured / estimated>
 *
 * Cases: synthetic texts of n = 2^21 symbols (--n), one per (alphabet, m,
 * mode) below, each engine that serves the mode, min of 3 timed runs after a
 * warm-up, in process CPU time (one thread: on a shared machine, not inflated
 * by descheduling; the minimum is the least disturbed run); a case whose
 * estimate exceeds --max-est seconds is skipped. Alphabets: random DNA
 * (4 symbols), Zipf bytes (64 symbols, s = 1: English-like), uniform bytes,
 * u32 Zipf (s = 1.1 over 2^20 ranks). Modes: exact (m = 32 .. 2^17, m <= n/8),
 * k-bounded (k = 8, m = 32 .. 2^11), approximate (eps = 0.1, m = 256, 2^11).
 * An engine's factor is the geometric mean over the cases where it ran within
 * CONTENDER (2) times the case's fastest engine: where the choice is made.
 * One thread. Runs in about 2 minutes; per-case rows go to stderr with -v.
 * Time O(sum of the engines' times); memory O(n).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_s = 0x9e3779b97f4a7c15ull;
static uint64_t
next(void)
{
    uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Zipf(s) over ranks 0..K-1 by inversion of the cumulative table. */
static double *
zipf_table(size_t K, double s)
{
    double *cum = malloc(K * sizeof *cum), tot = 0.0;
    size_t i;
    if (!cum)
        return NULL;
    for (i = 0; i < K; i++) {
        tot += 1.0 / pow((double)(i + 1), s);
        cum[i] = tot;
    }
    for (i = 0; i < K; i++)
        cum[i] /= tot;
    return cum;
}

static size_t
zipf_draw(const double *cum, size_t K)
{
    double u = (double)(next() >> 11) * (1.0 / 9007199254740992.0);
    size_t lo = 0, hi = K - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { A_DNA, A_ZIPF8, A_UNI8, A_ZIPF32, A_COUNT };
static const char *const aname[A_COUNT] = {"dna", "zipf8", "uniform256", "zipf32"};

typedef struct acc {
    double logsum;
    int cnt;
} acc;

/* One case's measurements, kept until every engine ran: only engines within
 * CONTENDER times the case's fastest count (see main). */
#define CONTENDER 2.0
static double case_est[HAM_ENGINE_COUNT_], case_got[HAM_ENGINE_COUNT_];

static int verbose;

/* Time engine e on one case into case_est[e], case_got[e] (0: no run). */
static void
one(ham_engine e, int alpha, const void *text, size_t n, const void *pat, size_t m,
    unsigned width, uint32_t k, double eps, double max_est, uint32_t *dist)
{
    ham_params p;
    ham_plan *plan;
    double est, best = HUGE_VAL;
    int r, rc;

    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.epsilon = eps;
    p.threads = 1;
    rc = width == 1 ? ham_plan_create_u8(&plan, pat, m, &p)
                    : ham_plan_create_u32(&plan, pat, m, &p);
    if (rc != HAM_OK)
        return;
    /* the engine's own estimate, without the calibration factor */
    est = ham__engine(e)->cost(plan, n) * 1e-9;
    if (!(est > 0.0) || est > max_est) {
        ham_plan_destroy(plan);
        return;
    }
    for (r = 0; r < 4; r++) {
        double t0 = now(), t;
        rc = width == 1 ? ham_dist_u8(plan, text, n, dist, n - m + 1)
                        : ham_dist_u32(plan, text, n, dist, n - m + 1);
        t = now() - t0;
        if (rc != HAM_OK)
            break;
        if (r > 0 && t < best)
            best = t;
    }
    ham_plan_destroy(plan);
    if (rc != HAM_OK || !(best < HUGE_VAL))
        return;
    case_est[e] = est;
    case_got[e] = best;
    if (verbose)
        fprintf(
            stderr,
            "# %-11s %-10s m=%-6zu k=%-10u eps=%-4g est=%.3gs got=%.3gs ratio=%.3f\n",
            ham_engine_name(e), aname[alpha], m, (unsigned)k, eps, est, best,
            best / est);
}

int
main(int argc, char **argv)
{
    size_t n = (size_t)1 << 21, i;
    double max_est = 2.0;
    static const size_t ms_exact[] = {32, 256, 2048, 16384, 131072};
    static const size_t ms_kmis[] = {32, 256, 2048};
    static const size_t ms_approx[] = {256, 2048};
    acc a[HAM_ENGINE_COUNT_];
    uint32_t *dist, *t32;
    uint8_t *t8;
    double *zc8, *zc32;
    int alpha, ai;
    unsigned e;
    time_t tnow = time(NULL);
    char date[32];

    for (ai = 1; ai < argc; ai++) {
        if (strncmp(argv[ai], "--n=", 4) == 0)
            n = (size_t)strtoull(argv[ai] + 4, NULL, 10);
        else if (strncmp(argv[ai], "--max-est=", 10) == 0)
            max_est = strtod(argv[ai] + 10, NULL);
        else if (strcmp(argv[ai], "-v") == 0)
            verbose = 1;
        else {
            fprintf(stderr, "usage: calibrate [--n=N] [--max-est=SEC] [-v] > table\n");
            return 2;
        }
    }
    if (n < 65536)
        n = 65536;
    /* measure the engines' own models, not a previous calibration */
    unsetenv("HAM_CALIBRATION");
    memset(a, 0, sizeof a);
    dist = malloc(n * sizeof *dist);
    t32 = malloc(n * sizeof *t32);
    t8 = malloc(n);
    zc8 = zipf_table(64, 1.0);
    zc32 = zipf_table((size_t)1 << 20, 1.1);
    if (!dist || !t32 || !t8 || !zc8 || !zc32) {
        fprintf(stderr, "calibrate: out of memory\n");
        return 1;
    }
    for (alpha = 0; alpha < A_COUNT; alpha++) {
        const unsigned width = alpha == A_ZIPF32 ? 4 : 1;
        const void *text = width == 1 ? (const void *)t8 : (const void *)t32;
        int mode;
        for (i = 0; i < n; i++) {
            switch (alpha) {
            case A_DNA:
                t8[i] = (uint8_t) "ACGT"[next() & 3];
                break;
            case A_ZIPF8:
                t8[i] = (uint8_t)(32 + zipf_draw(zc8, 64));
                break;
            case A_UNI8:
                t8[i] = (uint8_t)next();
                break;
            default: {
                uint32_t x = (uint32_t)zipf_draw(zc32, (size_t)1 << 20);
                x ^= x >> 16;
                x *= 0x85ebca6bu;
                x ^= x >> 13;
                x *= 0xc2b2ae35u;
                t32[i] = x ^ (x >> 16);
            }
            }
        }
        for (mode = 0; mode < 3; mode++) {
            const size_t *ms = mode == 0 ? ms_exact : mode == 1 ? ms_kmis : ms_approx;
            const size_t nm = mode == 0   ? sizeof ms_exact / sizeof *ms_exact
                              : mode == 1 ? sizeof ms_kmis / sizeof *ms_kmis
                                          : sizeof ms_approx / sizeof *ms_approx;
            size_t mi;
            for (mi = 0; mi < nm; mi++) {
                const size_t m = ms[mi];
                /* the pattern: the text at a random offset (realistic near-matches) */
                const size_t off = (size_t)(next() % (n - m));
                const void *pat =
                    width == 1 ? (const void *)(t8 + off) : (const void *)(t32 + off);
                double fastest = HUGE_VAL;
                if (m * 8 > n)
                    continue;
                memset(case_est, 0, sizeof case_est);
                memset(case_got, 0, sizeof case_got);
                for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
                    const ham__engine_ops *ops = ham__engine((ham_engine)e);
                    if (!ops || !ops->cost)
                        continue;
                    if (mode == 0 && !(ops->caps & HAM__CAP_EXACT))
                        continue;
                    if (mode == 1 && !(ops->caps & HAM__CAP_KBOUND))
                        continue;
                    if (mode == 2 && !(ops->caps & HAM__CAP_APPROX))
                        continue;
                    one((ham_engine)e, alpha, text, n, pat, m, width,
                        mode == 1 ? 8u : HAM_UNBOUNDED, mode == 2 ? 0.1 : 0.0, max_est,
                        dist);
                    if (case_got[e] > 0.0 && case_got[e] < fastest)
                        fastest = case_got[e];
                }
                /* A factor matters where its engine competes for the choice:
                 * an engine 10x slower than the best is never picked however
                 * wrong its model is, and its model's error there (e.g.
                 * hashed at m = 32) would bias the factor where it matters. */
                for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
                    if (case_got[e] > 0.0 && case_got[e] <= CONTENDER * fastest) {
                        a[e].logsum += log(case_got[e] / case_est[e]);
                        a[e].cnt++;
                    }
                }
            }
        }
    }
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&tnow));
    printf("# libhamming %s cost-model calibration (bench/calibrate), %s, n=%zu\n",
           ham_version_string(), date, n);
    printf("# scale.ENGINE = geometric mean of measured / estimated time over the "
           "cases\n");
    printf("# where the engine ran within %g x the fastest engine\n", CONTENDER);
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        if (a[e].cnt == 0)
            continue;
        printf("scale.%s %.3f # %d cases\n", ham_engine_name((ham_engine)e),
               exp(a[e].logsum / a[e].cnt), a[e].cnt);
    }
    free(dist);
    free(t32);
    free(t8);
    free(zc8);
    free(zc32);
    return 0;
}
