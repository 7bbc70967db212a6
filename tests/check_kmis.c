/* SPDX-License-Identifier: MIT */
/*
 * check_kmis.c -- ham_kmis_u8 / ham_kmis_u32: the hits are exactly
 * {i : d(i) <= k}, in increasing order, once each, with the exact distance;
 * every k from 0 to m; periodic inputs (many overlapping hits); HAM_ESTOPPED;
 * hits at the first and last shift; long texts whose hits sit at the edges of
 * the library's scan blocks (32768 shifts, or 4m for long patterns).
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_kmis
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_BLOCK 32768u /* lib/scan.c's block of shifts (at least 4m) */

static const unsigned kernel_flags[] = {0, HAM_F_NO_SIMD, HAM_F_NO_AVX512};

static const char *
describe(const char *what, const ham_params *p)
{
    static char buf[200];
    snprintf(buf, sizeof buf, "%s engine=%s flags=0x%x", what,
             ham_engine_name(p->engine), p->flags);
    return buf;
}

/* Run ham_kmis with p (max_dist = k) and compare with the reference; then
 * again stopping at a random hit (HAM_ESTOPPED, the prefix of the hits). */
static void
expect_kmis(const tu_case *c, const ham_params *p, const uint32_t *refk, tu_rng *r,
            const char *what)
{
    size_t nd = HAM_NDIST(c->n, c->m), i, want = 0;
    ham_plan *plan;
    tu_hits h = {0};
    char desc[200];
    int rc;
    snprintf(desc, sizeof desc, "%s", describe(what, p));
    rc = tu_plan(c, p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s: plan: %s", tu_where(), desc, tu_case_desc(c),
             ham_errname(rc));
    rc = tu_kmis(plan, c, tu_hit_cb, &h);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s: ham_kmis: %s; replay: %s", tu_where(), desc,
             tu_case_desc(c), ham_errname(rc), tu_replay());
    tu_expect_hits(c, p->max_dist, refk, nd, &h, SIZE_MAX, desc);
    for (i = 0; i < nd; i++)
        want += refk[i] <= p->max_dist;
    if (want > 0 && r) {
        size_t stop = 1 + (size_t)tu_below(r, want);
        tu_hits_reset(&h);
        h.stop_at = stop;
        rc = tu_kmis(plan, c, tu_hit_cb, &h);
        TU_CHECK(
            rc == HAM_ESTOPPED && h.calls == stop,
            "%s: %s: %s: stop at hit %zu of %zu: got %s after %zu calls; replay: %s",
            tu_where(), desc, tu_case_desc(c), stop, want, ham_errname(rc), h.calls,
            tu_replay());
        tu_expect_hits(c, p->max_dist, refk, nd, &h, stop, desc);
    }
    tu_hits_free(&h);
    ham_plan_destroy(plan);
}

/* Reference, plan k, every way (engines x kernel flags). */
static void
kmis_all_ways(const tu_case *c, uint32_t k, tu_rng *r, const char *what)
{
    uint32_t *refk = tu_ref(c, k);
    size_t e, f;
    for (e = 0; e < 2; e++)
        for (f = 0; f < 3; f++) {
            ham_params p;
            ham_params_init(&p);
            p.engine = e ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
            p.flags = kernel_flags[f];
            p.max_dist = k;
            expect_kmis(c, &p, refk, r, what);
        }
    free(refk);
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 6)) {
    case 0:
        return 0;
    case 1:
        return (uint32_t)tu_range(r, 1, 4);
    case 2:
        return (uint32_t)m;
    case 3:
        return UINT32_MAX - 1;
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* ---- Random instances ------------------------------------------------------- */

START_TEST(kmis_property)
{
    static const tu_shape shape = {1, 300, 3000, 30, 70};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "kmis_property", _i))
        return;
    for (inst = 0; inst < 20; inst++) {
        tu_case c;
        ham_params p;
        uint32_t *refk;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        ham_params_init(&p);
        p.max_dist = pick_k(&r, c.m);
        p.engine = tu_chance(&r, 1, 2) ? HAM_ENGINE_AUTO : HAM_ENGINE_NAIVE;
        p.flags = kernel_flags[tu_below(&r, 3)];
        refk = tu_ref(&c, p.max_dist);
        expect_kmis(&c, &p, refk, &r, "random");
        free(refk);
        tu_case_free(&c);
    }
}
END_TEST

/* Every k from 0 to m + 1 on small patterns with many near-matches. */
START_TEST(kmis_every_k)
{
    tu_rng r;
    tu_case c;
    tu_alpha a;
    size_t m, n, i, k;
    uint32_t *pat, *text;
    unsigned width;
    if (!tu_begin(&r, "property", "kmis_every_k", _i))
        return;
    width = _i & 1 ? 4 : 1;
    m = 1 + (size_t)_i % 40;
    n = m + 300 + (size_t)tu_below(&r, 200);
    tu_alpha_make(&a, 2 + (size_t)tu_below(&r, 3), width == 1 ? TU_V_LOW : TU_V_HIGH,
                  width, &r);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_gen(&r, &a, pat, m, 0);
    tu_gen(&r, &a, text, n, 0);
    for (i = 0; i < 6; i++)
        tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), tu_below(&r, m / 2 + 1));
    tu_case_from32(&c, width, pat, m, text, n, _i % 5 == 0 ? (int64_t)pat[0] : -1);
    c.alpha = a;
    for (k = 0; k <= m + 1; k++) {
        ham_params p;
        uint32_t *refk = tu_ref(&c, (uint32_t)k);
        ham_params_init(&p);
        p.max_dist = (uint32_t)k;
        p.engine = k & 1 ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
        p.flags = kernel_flags[k % 3];
        expect_kmis(&c, &p, refk, &r, "every k");
        free(refk);
    }
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* P = (AB..)^*, T = (AB..)^* with a few substitutions: hits at every period. */
START_TEST(kmis_periodic)
{
    tu_rng r;
    tu_alpha a;
    size_t period, m, n, i, s;
    uint32_t *pat, *text;
    unsigned width;
    tu_case c;
    if (!tu_begin(&r, "property", "kmis_periodic", _i))
        return;
    width = _i & 1 ? 4 : 1;
    period = 1 + (size_t)(_i / 2) % 3;
    m = (size_t)tu_range(&r, 1, 600);
    n = m + (size_t)tu_range(&r, 0, 5000);
    tu_alpha_make(&a, 4, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    for (i = 0; i < m; i++)
        pat[i] = a.sym[i % period];
    for (i = 0; i < n; i++)
        text[i] = a.sym[i % period];
    for (s = (size_t)tu_below(&r, 6); s > 0; s--)
        text[tu_below(&r, n)] = a.sym[tu_below(&r, 4)];
    tu_case_from32(&c, width, pat, m, text, n, -1);
    c.alpha = a;
    kmis_all_ways(&c, 0, &r, "periodic k=0");
    kmis_all_ways(&c, 1, &r, "periodic k=1");
    kmis_all_ways(&c, (uint32_t)tu_range(&r, 2, 6), &r, "periodic small k");
    kmis_all_ways(&c, (uint32_t)m, &r, "periodic k=m");
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* Stopping: at the first hit, at each hit, and no hits at all. */
START_TEST(kmis_stop)
{
    tu_rng r;
    tu_alpha a;
    size_t m = 12, n = 400, i, want = 0, stop;
    uint32_t *pat, *text, *refk;
    tu_case c;
    ham_params p;
    ham_plan *plan;
    tu_hits h = {0};
    unsigned width;
    if (!tu_begin(&r, "property", "kmis_stop", _i))
        return;
    width = _i & 1 ? 4 : 1;
    tu_alpha_make(&a, 20, TU_V_LOW, width, &r);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_gen(&r, &a, pat, m, 0);
    tu_gen(&r, &a, text, n, 0);
    for (i = 0; i < 8; i++)
        tu_plant(&r, &a, pat, m, text, 40 * i + (size_t)tu_below(&r, 20),
                 tu_below(&r, 2));
    tu_case_from32(&c, width, pat, m, text, n, -1);
    ham_params_init(&p);
    p.max_dist = 1;
    p.flags = kernel_flags[_i % 3];
    refk = tu_ref(&c, 1);
    for (i = 0; i < n - m + 1; i++)
        want += refk[i] <= 1;
    ck_assert_uint_ge(want, 4);
    ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
    for (stop = 1; stop <= want; stop++) {
        tu_hits_reset(&h);
        h.stop_at = stop;
        ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_ESTOPPED);
        ck_assert_uint_eq(h.calls, stop);
        tu_expect_hits(&c, 1, refk, n - m + 1, &h, stop, "stop");
    }
    /* the callback returning non-zero on the last hit still gives ESTOPPED */
    tu_hits_reset(&h);
    h.stop_at = want;
    ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_ESTOPPED);
    /* a stop request past the last hit: HAM_OK */
    tu_hits_reset(&h);
    h.stop_at = want + 1;
    ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_OK);
    ck_assert_uint_eq(h.calls, want);
    ham_plan_destroy(plan);
    /* no hits: HAM_OK, no call */
    {
        uint32_t *p2 = tu_xmalloc(m * 4);
        for (i = 0; i < m; i++) /* a symbol absent from the text */
            p2[i] = width == 1 ? (a.sym[0] ^ 0x5au) : 0xfffffff0u;
        tu_case_free(&c);
        tu_case_from32(&c, width, p2, m, text, n, -1);
        free(refk);
        refk = tu_ref(&c, 1);
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        tu_hits_reset(&h);
        h.stop_at = 1;
        ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_OK);
        tu_expect_hits(&c, 1, refk, n - m + 1, &h, SIZE_MAX, "no hits");
        ham_plan_destroy(plan);
        free(p2);
    }
    free(refk);
    tu_hits_free(&h);
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* Exact occurrences at shift 0 and at the last shift (and nowhere else). */
START_TEST(kmis_first_last)
{
    tu_rng r;
    tu_alpha a;
    unsigned width;
    static const size_t ms[] = {1, 2, 7, 32, 63, 64, 65, 200, 1000};
    size_t i, j;
    if (!tu_begin(&r, "property", "kmis_first_last", _i))
        return;
    width = _i & 1 ? 4 : 1;
    tu_alpha_make(&a, width == 1 ? 256 : 3000, width == 1 ? TU_V_LOW : TU_V_HIGH, width,
                  &r);
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        size_t m = ms[i], n = 2 * m + (size_t)tu_below(&r, 300);
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4), *refk;
        tu_case c;
        tu_gen(&r, &a, pat, m, 0);
        tu_gen(&r, &a, text, n, 0);
        memcpy(text, pat, m * 4);
        memcpy(text + n - m, pat, m * 4);
        if (_i >= 2 && m > 1) { /* near-matches instead of exact ones */
            text[tu_below(&r, m)] = a.sym[0];
            text[n - 1 - tu_below(&r, m)] = a.sym[1];
        }
        tu_case_from32(&c, width, pat, m, text, n, -1);
        c.alpha = a;
        for (j = 0; j < 2; j++) {
            uint32_t k = (uint32_t)j;
            refk = tu_ref(&c, k);
            if (_i < 2 || m == 1)
                ck_assert_msg(refk[0] == 0 && refk[n - m] == 0,
                              "test bug: no planted hits");
            kmis_all_ways(&c, k, NULL, "first/last shift");
            free(refk);
        }
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* Long texts (> 2^16 shifts): hits at jB + delta for the scan block B
 * (32768 shifts, or 4m when 4m is larger), delta in -2..2, and the last shift. */
START_TEST(kmis_long_blocks)
{
    static const size_t ms[] = {8, 32, 100, 9000};
    tu_rng r;
    tu_alpha a;
    size_t m, B, n, j, i;
    long delta;
    unsigned width;
    if (!tu_begin(&r, "blocks", "kmis_long_blocks", _i))
        return;
    width = (_i / 4) & 1 ? 4 : 1;
    m = ms[_i % 4];
    B = SCAN_BLOCK > 4 * m ? SCAN_BLOCK : 4 * m;
    n = 4 * B + m + (size_t)tu_below(&r, 100);
    if (n - m + 1 <= 65536)
        n = 65536 + m + 10;
    tu_alpha_make(&a, 4, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
    for (delta = -2; delta <= 2; delta++) {
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
        tu_case c;
        uint32_t k = m < 20 ? 1 : 3;
        char what[64];
        tu_gen(&r, &a, pat, m, 0);
        tu_gen(&r, &a, text, n, 0);
        for (j = 1; (size_t)((long)(j * B) + delta) + m <= n; j++) {
            size_t s = (size_t)((long)(j * B) + delta);
            tu_plant(&r, &a, pat, m, text, s, j % 3 == 0 ? 0 : tu_below(&r, k + 2));
        }
        tu_plant(&r, &a, pat, m, text, n - m, 0);
        tu_plant(&r, &a, pat, m, text, 0, (size_t)k);
        tu_case_from32(&c, width, pat, m, text, n, -1);
        c.alpha = a;
        snprintf(what, sizeof what, "block edges B=%zu delta=%ld", B, delta);
        {
            uint32_t *refk = tu_ref(&c, k);
            size_t hits = 0;
            for (i = 0; i < n - m + 1; i++)
                hits += refk[i] <= k;
            ck_assert_msg(hits >= 3, "test bug: only %zu hits planted", hits);
            free(refk);
        }
        kmis_all_ways(&c, k, delta == 0 ? &r : NULL, what);
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* Approximate plans: hits are the shifts whose ham_dist value is <= k, with
 * that value. */
START_TEST(kmis_approx_plan)
{
    static const tu_shape shape = {1, 200, 2000, 20, 80};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "kmis_approx_plan", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        tu_case c;
        ham_params p;
        ham_plan *plan;
        size_t nd;
        uint32_t *d;
        tu_hits h = {0};
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        nd = HAM_NDIST(c.n, c.m);
        ham_params_init(&p);
        p.epsilon = 0.5;
        p.delta = 1e-9;
        p.seed = tu_next(&r);
        p.max_dist = (uint32_t)tu_below(&r, c.m + 1);
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        d = tu_xmalloc((nd ? nd : 1) * sizeof *d);
        ck_assert_int_eq(tu_dist(plan, &c, d, nd), HAM_OK);
        ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_OK);
        tu_expect_hits(&c, p.max_dist, d, nd, &h, SIZE_MAX,
                       "approx plan vs its ham_dist");
        tu_hits_free(&h);
        free(d);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("kmis");
    TCase *tc;

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, kmis_property, 0, 200);
    tcase_add_loop_test(tc, kmis_every_k, 0, 40);
    tcase_add_loop_test(tc, kmis_periodic, 0, 24);
    tcase_add_loop_test(tc, kmis_stop, 0, 6);
    tcase_add_loop_test(tc, kmis_first_last, 0, 4);
    tcase_add_loop_test(tc, kmis_approx_plan, 0, 4);
    suite_add_tcase(s, tc);

    tc = tu_tcase("blocks");
    tcase_add_loop_test(tc, kmis_long_blocks, 0, 8);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_kmis");
}
