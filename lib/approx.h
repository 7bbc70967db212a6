/* SPDX-License-Identifier: MIT */
/*
 * approx.h -- private to the (1+eps)-approximate engines (sampling.c, X1;
 * threesum.c, X3): their random streams, the per-shift failure budget and
 * introspection for tests and bench. Derivations: doc/approx.md.
 *
 * Reproducibility (algorithms.md 2.5). Every random choice of an engine comes
 * from a xoshiro256** stream keyed by (plan seed, component, repetition),
 * expanded by splitmix64, and depends on nothing else: not on the text
 * length, the block or chunk a shift falls in (lib/scan.c and lib/stream.c
 * cut texts as they like), the thread or the time. The output at a shift is
 * then a function of (seed, pattern, params, the window's symbols), so
 * ham_dist, ham_kmis and streams give the same bytes.
 */
#ifndef HAM_APPROX_H
#define HAM_APPROX_H

#include "internal.h"

#include <math.h>

/* Components (the second key of a stream). */
enum {
    HAM__RNG_SAMPLING = 1, /* X1: colouring of repetition r */
    HAM__RNG_3SUM = 2,     /* X3: the order in which pattern positions are sampled */
};

/*
 * The union bound over shifts needs their number S, which an engine never
 * knows: it sees one block at a time, and a stream has no end. The engines
 * therefore budget delta / HAM__APPROX_MAX_SHIFTS per shift, so that the
 * "every shift at once with probability >= 1 - delta" of api.md holds for
 * every text of up to 2^40 shifts (a terabyte); a longer one still has each
 * shift within bounds with probability >= 1 - delta 2^-40. Compared with
 * delta / S this costs ln(2^40 / S) more in the logarithm: 1.5x the
 * repetitions (X1) or sample sizes (X3) at S = 10^6 and delta = 10^-6.
 */
#define HAM__APPROX_MAX_SHIFTS 1099511627776.0 /* 2^40 */

/* ln(1 / delta_s) for delta_s = delta / (HAM__APPROX_MAX_SHIFTS * events): the
 * exponent every per-shift bound of an engine must reach when it splits its
 * budget among `events` bad events per shift. */
static inline double
ham__approx_log_inv(double delta, double events)
{
    return log(HAM__APPROX_MAX_SHIFTS) + log(events) - log(delta);
}

/* ---- Introspection (tests, bench, explain) ------------------------------ */

/* X1's parameters for a plan that prepared it: colours c, repetitions r,
 * per-shift exponent ln(1/delta_s); 0 when the engine is not prepared.
 * exact = 1 when c >= sigma made the colouring the identity (one exact
 * repetition). */
typedef struct ham__sampling_info {
    uint32_t colours, reps;
    int exact;
    double log_inv;
} ham__sampling_info;
int ham__sampling_info_get(const ham_plan *plan, ham__sampling_info *info);
/* Test hook: force c colours and r repetitions (r = 0: the guaranteed r for
 * that c; c = 0: back to the rule). Set before the plan is used. */
void ham__sampling_force(ham_plan *plan, uint32_t colours, uint32_t reps);

/* X3's parameters: sample sizes K_1 < ... < K_levels (levels = 0: every
 * shift exact), the per-bound exponent, the predicted mismatch fraction of
 * a random window (from the pattern's own symbol frequencies) and the code
 * width of its kernels (1, 2 or 4 bytes per symbol). */
#define HAM__3SUM_MAX_LEVELS 40
typedef struct ham__3sum_info {
    uint32_t levels;
    uint32_t K[HAM__3SUM_MAX_LEVELS];
    double log_inv, f_pred;
    unsigned code_bytes;
    int hybrid;          /* level 1 split into dense codes and enumeration */
    uint32_t dense;      /* hybrid: level-1 positions compared densely */
    double sparse_pairs; /* hybrid: expected enumerated pairs per shift */
    double ns_per_shift; /* the cost model's estimate */
} ham__3sum_info;
int ham__3sum_info_get(const ham_plan *plan, ham__3sum_info *info);

/* Test hook: rebuild the sampled levels with the per-bound exponent L
 * (<= 0: the plan's delta) and K_1 = K1 (0: the rule). Before the plan is
 * used. */
int ham__3sum_tune(ham_plan *plan, double L, uint32_t K1);

/* Counters of one X3 call for tests and bench: shifts certified at each
 * level, shifts settled exactly, shifts cut at k + 1. Optional (NULL). */
typedef struct ham__3sum_stats {
    uint64_t certified[HAM__3SUM_MAX_LEVELS];
    uint64_t exact, over_k;
} ham__3sum_stats;
/* As ops->dist, with statistics added to *stats. */
int ham__3sum_dist_stats(const ham_plan *plan, const void *text, size_t n,
                         uint32_t *dist, uint32_t k, ham__3sum_stats *stats);

/* The Chernoff-KL confidence bounds of X3 (doc/approx.md): for y
 * mismatches among K sampled positions, f_hi = max{f >= y/K : K KL(y/K || f)
 * <= L} and f_lo = min{f <= y/K : the same}, each computed conservatively
 * (f_hi never below, f_lo never above the exact value). Exposed for tests. */
double ham__3sum_f_hi(double y, double K, double L);
double ham__3sum_f_lo(double y, double K, double L);

#endif /* HAM_APPROX_H */
