/* SPDX-License-Identifier: MIT */
/*
 * kangaroo.c -- K2, kangaroo jumps with exact LCE (algorithms.md 7.2;
 * Landau and Vishkin, TCS 1986; Galil and Giancarlo, SIGACT News 1986):
 * k-bounded distances in O(nk) after O(m + n) preprocessing.
 *
 * Every shift walks the pattern (lce_tmpl.h): 64-symbol SIMD compares count
 * the mismatches of a chunk at once and stop above k; a run of all-equal
 * chunks (a long extension) jumps to its end with one exact LCE query on the
 * suffix array + LCP + RMQ index of the current text block (lce.c: SA-IS
 * over P . sep . X, so u32 texts work too). The index of a block is built
 * lazily, when the chunks spent in long runs inside the block reach the
 * cost of a build (ski rental): on unrelated text no index is ever built
 * and the walk costs what the naive engine's early exit does; on text that
 * resembles the pattern (long extensions) each shift costs O(k) queries
 * whatever m. Output is always exact (no fingerprints, nothing to verify).
 *
 * Blocks: shifts [b, b + B), B = max(16384, 4m) (ham__kg_block); the index
 * covers P and the B + m - 1 text symbols of its windows.
 * Memory: O(m) per plan (the padded pattern); per call one index, about
 * 24 (B + 2m) bytes plus SA-IS scratch, and a tail copy of O(m) symbols.
 * No wildcard (an LCE cannot skip it): forcing this engine with one gives
 * HAM_EUNSUPPORTED at plan creation.
 */
#include "lce.h"

#include <math.h>
#include <stdlib.h>

typedef struct kangaroo_state {
    void *p; /* the pattern, padded by HAM__KPAD symbols */
} kangaroo_state;

static void
kangaroo_release(ham_plan *plan)
{
    kangaroo_state *st = plan->eng[HAM_ENGINE_KANGAROO];
    if (!st)
        return;
    free(st->p);
    free(st);
    plan->eng[HAM_ENGINE_KANGAROO] = NULL;
}

static int
kangaroo_prepare(ham_plan *plan)
{
    kangaroo_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_KANGAROO] = st;
    st->p = ham__kpat_padded(plan);
    return st->p ? HAM_OK : HAM_ENOMEM;
}

/* Nanoseconds per shift on text unrelated to the pattern, where a shift's
 * walk stops after about (k + 1) / q positions (q = 1 - 1/sigma, the
 * mismatch probability with the pattern's frequencies standing in for the
 * text's). Set on the AMD EPYC Zen 4 VM (gcc 12 -O2) with
 *   bench/hambench --kmis-grid --data-dir=$HAM_DATA_DIR
 *     --engines=naive,fft,abrahamson,kangaroo,kbounded,bitparallel,auto
 * (per shift), the same with --alphabet=tokens32 --n=4M (u32), and
 *   bench/hambench --alphabet=randdna --n=100,300,1000,3000 --m=20 --k=0,2
 *     --modes=hits --engines=naive,kangaroo,kbounded,bitparallel --reps=9
 * (per call): the first chunk ~1.8 ns (u8) / 2.9-4.3 ns (u32), each further
 * chunk ~1.1 / ~2.5 ns, a mispredicted exit when the walk length varies,
 * and ~70 ns per call more than the naive engine (whose model has no
 * per-call term). */
static double
kangaroo_cost(const ham_plan *plan, size_t n)
{
    const double S = (double)(n - plan->m + 1);
    const double m = (double)plan->m;
    const uint32_t k = plan->params.max_dist;
    const int wide = plan->width == 4;
    const int simd = plan->cpu.isa >= HAM__ISA_AVX2;
    const double q = plan->sigma > 1 ? 1.0 - 1.0 / (double)plan->sigma : 0.5;
    const double exam = fmin(m, 1.5 * ((double)(k < plan->m ? k : plan->m) + 1.0) / q);
    const double chunks = ceil(exam / 64.0);
    double ns;
    if (simd) /* u32: a chunk is up to four 16-symbol compares */
        ns = (wide ? 1.9 + 0.6 * ceil(fmin(m, 64.0) / 16.0) : 1.8) +
             (wide ? 2.5 : 1.1) * (chunks - 1) + (chunks > 1 ? 3.0 : 0.0);
    else
        ns = 2.0 + 0.9 * exam;
    return 70.0 + ns * S;
}

int
ham__kangaroo_dist_mode(const ham_plan *plan, const void *text, size_t n,
                        uint32_t *dist, uint32_t k, int mode, size_t *builds)
{
    const kangaroo_state *st = plan->eng[HAM_ENGINE_KANGAROO];
    void *own = NULL;
    ham__kg g;
    int rc;
    HAM_ASSERT(n >= plan->m);
    if (!st) { /* tests force the engine's code on other plans */
        own = ham__kpat_padded(plan);
        if (!own)
            return HAM_ENOMEM;
    }
    ham__kg_init(&g, plan, st ? st->p : own, text, n, k, mode);
    rc = ham__kg_dist(&g, dist);
    if (builds)
        *builds = g.builds;
    ham__kg_free(&g);
    free(own);
    /* (the walk caps k at m, and no distance exceeds m: "> k" is k + 1) */
    return rc;
}

static int
kangaroo_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
              uint32_t k)
{
    return ham__kangaroo_dist_mode(plan, text, n, dist, k, HAM__KG_AUTO, NULL);
}

const ham__engine_ops ham__kangaroo_ops = {
    .id = HAM_ENGINE_KANGAROO,
    .caps = HAM__CAP_KBOUND | HAM__CAP_U32,
    .prepare = kangaroo_prepare,
    .release = kangaroo_release,
    .cost = kangaroo_cost,
    .dist = kangaroo_dist,
};
