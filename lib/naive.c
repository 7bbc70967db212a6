/* SPDX-License-Identifier: MIT */
/*
 * naive.c -- A1, direct comparison (algorithms.md 3). Placeholder scalar body;
 * the SIMD kernels replace it.
 */
#include "internal.h"

#include <stdlib.h>

static int
naive_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, uint32_t k)
{
    return ham__naive_dist_variant(plan, text, n, dist, k, HAM__NV_SCALAR, HAM__ISA_PORTABLE);
}

int
ham__naive_dist_variant(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
                        uint32_t k, int variant, int isa)
{
    const size_t m = plan->m, S = n - m + 1;
    const size_t *nw = plan->nonwild;
    const size_t me = plan->m_eff;
    size_t i, j;
    (void)variant;
    (void)isa;
    for (i = 0; i < S; i++) {
        uint32_t d = 0;
        if (plan->width == 1) {
            const uint8_t *t = (const uint8_t *)text + i, *p = plan->pat.u8;
            for (j = 0; j < me && d <= k; j++)
                d += t[nw[j]] != p[nw[j]];
        } else {
            const uint32_t *t = (const uint32_t *)text + i, *p = plan->pat.u32;
            for (j = 0; j < me && d <= k; j++)
                d += t[nw[j]] != p[nw[j]];
        }
        dist[i] = d > k ? k + 1 : d;
    }
    return HAM_OK;
}

static double
naive_cost(const ham_plan *plan, size_t n)
{
    return (double)(n - plan->m + 1) * (1.0 + 0.02 * (double)plan->m);
}

const ham__engine_ops ham__naive_ops = {
    .id = HAM_ENGINE_NAIVE,
    .caps = HAM__CAP_EXACT | HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = NULL,
    .release = NULL,
    .cost = naive_cost,
    .dist = naive_dist,
};
