/* SPDX-License-Identifier: MIT */
/*
 * check_kmis_engines.c -- internal: the k-mismatch engines of issue 4
 * against the reference (tests/ref.c):
 *   kangaroo     every walk mode (ski-rental index, direct chunks only,
 *                pure K2 with an index query per extension),
 *   kbounded     every path (per-block choice, filter + verification only,
 *                periodic blocks forced, no filter),
 *   bitparallel  one word and several, wildcards,
 *   naive kzero  (k = 0),
 *   AUTO         through ham_dist, ham_kmis and streams,
 * at every ISA cap (plans created with HAM_F_NO_AVX512 / HAM_F_NO_SIMD),
 * on seeded random inputs (k from 0 to m and beyond), periodic inputs
 * ((AB)^m, (ABC)^m, period k, k + 1, m/2, with substitutions), named edges
 * (m = 1, m = n, all-equal text, symbols absent from the pattern, u32 near
 * UINT32_MAX, odd addresses, texts across index/scan blocks), and real DNA,
 * protein, English and 32-bit token windows from HAM_DATA_DIR. Also the
 * pieces: SA-IS against sorting, LCP/LCE against direct comparison, the
 * sieve's never-lose property.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_kmis_engines
 */
#include "lce.h"

#include "ref.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned kernel_flags[] = {0, HAM_F_NO_AVX512, HAM_F_NO_SIMD};
#define NFLAGS (sizeof kernel_flags / sizeof kernel_flags[0])

/* ---- Runs ------------------------------------------------------------------ */

enum {
    RUN_KG_AUTO,
    RUN_KG_DIRECT,
    RUN_KG_INDEX,
    RUN_KB_AUTO,
    RUN_KB_VERIFY,
    RUN_KB_PERIODIC,
    RUN_KB_NOFILTER,
    RUN_BP,
    RUN_KZERO,
    RUN_AUTO,
    RUN_COUNT_
};
static const char *const run_names[RUN_COUNT_] = {
    "kangaroo/auto",     "kangaroo/direct",
    "kangaroo/index",    "kbounded/auto",
    "kbounded/verify",   "kbounded/periodic",
    "kbounded/nofilter", "bitparallel",
    "naive/kzero",       "auto"};

static ham_engine
run_engine(int run)
{
    switch (run) {
    case RUN_KG_AUTO:
    case RUN_KG_DIRECT:
    case RUN_KG_INDEX:
        return HAM_ENGINE_KANGAROO;
    case RUN_KB_AUTO:
    case RUN_KB_VERIFY:
    case RUN_KB_PERIODIC:
    case RUN_KB_NOFILTER:
        return HAM_ENGINE_KBOUNDED;
    case RUN_BP:
        return HAM_ENGINE_BITPARALLEL;
    case RUN_KZERO:
        return HAM_ENGINE_NAIVE;
    default:
        return HAM_ENGINE_AUTO;
    }
}

/* Statistics of the last kbounded run, for the tests that check a path ran. */
static ham__kb_stats last_kb;
static size_t last_builds;

/* Run `run` on case c (n >= m) with bound k and kernel flags; compare with exp
 * (the k-bounded reference). text overrides the case's text (odd addresses).
 * Returns 0 when the engine declined (wildcard on kangaroo/kbounded, k != 0
 * for kzero), which is then checked to be the documented reason. */
static int
run_one(const tu_case *c, int run, uint32_t k, unsigned flags, const uint32_t *exp,
        const void *text, const char *what)
{
    const size_t nd = HAM_NDIST(c->n, c->m);
    const ham_engine e = run_engine(run);
    ham_params p;
    ham_plan *plan;
    uint32_t *got;
    char desc[200];
    int rc;
    TU_CHECK(nd > 0, "test bug: n < m");
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.flags = flags;
    rc = tu_plan(c, &p, &plan);
    snprintf(desc, sizeof desc, "%s run=%s flags=0x%x", what, run_names[run], flags);
    if (rc == HAM_EUNSUPPORTED) {
        TU_CHECK(
            c->wildcard >= 0 && (e == HAM_ENGINE_KANGAROO || e == HAM_ENGINE_KBOUNDED),
            "%s: %s: %s: plan creation declined", tu_where(), desc, tu_case_desc(c));
        return 0;
    }
    TU_CHECK(rc == HAM_OK, "%s: %s: %s: plan: %s", tu_where(), desc, tu_case_desc(c),
             ham_errname(rc));
    if (!text)
        text = c->width == 1 ? (const void *)c->text8 : (const void *)c->text32;
    got = tu_xmalloc(nd * sizeof *got);
    tu_fill32(got, nd, TU_SENTINEL32);
    switch (run) {
    case RUN_KG_AUTO:
    case RUN_KG_DIRECT:
    case RUN_KG_INDEX:
        rc = ham__kangaroo_dist_mode(plan, text, c->n, got, k,
                                     run == RUN_KG_AUTO     ? HAM__KG_AUTO
                                     : run == RUN_KG_DIRECT ? HAM__KG_DIRECT
                                                            : HAM__KG_INDEX,
                                     &last_builds);
        break;
    case RUN_KB_AUTO:
    case RUN_KB_VERIFY:
    case RUN_KB_PERIODIC:
    case RUN_KB_NOFILTER:
        rc = ham__kbounded_dist_path(plan, text, c->n, got, k,
                                     run == RUN_KB_AUTO       ? HAM__KB_AUTO
                                     : run == RUN_KB_VERIFY   ? HAM__KB_VERIFY
                                     : run == RUN_KB_PERIODIC ? HAM__KB_PERIODIC
                                                              : HAM__KB_NOFILTER,
                                     &last_kb);
        break;
    case RUN_KZERO:
        rc = ham__naive_dist_variant(plan, text, c->n, got, k, HAM__NV_KZERO,
                                     HAM__ISA_AVX512);
        if (rc == HAM_EUNSUPPORTED && k != 0) {
            free(got);
            ham_plan_destroy(plan);
            return 0;
        }
        break;
    default: /* public API: bitparallel and AUTO */
        rc = c->width == 1 ? ham_dist_u8(plan, text, c->n, got, nd)
                           : ham_dist_u32(plan, text, c->n, got, nd);
        break;
    }
    TU_CHECK(rc == HAM_OK, "%s: %s: %s k=%lu: returned %s; replay: %s", tu_where(),
             desc, tu_case_desc(c), (unsigned long)k, ham_errname(rc), tu_replay());
    tu_expect_dist(c, k, exp, got, nd, desc);
    free(got);
    ham_plan_destroy(plan);
    return 1;
}

/* Every run at every kernel flag. */
static void
all_runs(const tu_case *c, uint32_t k, const void *text, const char *what)
{
    uint32_t *exp = tu_ref(c, k);
    size_t f;
    int run;
    for (f = 0; f < NFLAGS; f++)
        for (run = 0; run < RUN_COUNT_; run++)
            run_one(c, run, k, kernel_flags[f], exp, text, what);
    free(exp);
}

/* Fewer runs (long texts): the engines' own choices, and the forced paths
 * that matter for the case, with default flags. */
static void
main_runs(const tu_case *c, uint32_t k, const char *what)
{
    static const int runs[] = {RUN_KG_AUTO, RUN_KG_INDEX, RUN_KB_AUTO, RUN_KB_PERIODIC,
                               RUN_BP,      RUN_KZERO,    RUN_AUTO};
    uint32_t *exp = tu_ref(c, k);
    size_t r;
    for (r = 0; r < sizeof runs / sizeof runs[0]; r++)
        run_one(c, runs[r], k, 0, exp, NULL, what);
    free(exp);
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 9)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return (uint32_t)tu_range(r, 2, 8);
    case 3:
        return (uint32_t)(m / 10);
    case 4:
        return (uint32_t)(m / 2);
    case 5:
        return (uint32_t)(m - 1);
    case 6:
        return (uint32_t)m + (uint32_t)tu_below(r, 3);
    case 7:
        return UINT32_MAX - 1;
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* ---- Random inputs ----------------------------------------------------------- */

START_TEST(random_property)
{
    static const tu_shape shape = {1, 300, 2500, 20, 80};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "random_property", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        tu_case c;
        tu_set_inst(inst);
        tu_case_random(&c, &r, (_i + inst) & 1 ? 4 : 1, &shape);
        if (c.n >= c.m) {
            all_runs(&c, pick_k(&r, c.m), NULL, "random");
            all_runs(&c, 0, NULL, "random k=0");
        }
        tu_case_free(&c);
    }
}
END_TEST

/* Every k from 0 to m + 1 on small cases with planted near-matches. */
START_TEST(every_k)
{
    tu_rng r;
    tu_case c;
    tu_alpha a;
    size_t m, n, i;
    uint32_t *pat, *text, k;
    unsigned width;
    if (!tu_begin(&r, "property", "every_k", _i))
        return;
    width = _i & 1 ? 4 : 1;
    m = tu_range(&r, 1, 70);
    n = m + tu_range(&r, 0, 400);
    tu_alpha_make(&a, 1 + (size_t)tu_below(&r, 4),
                  width == 1 ? TU_V_LOW : (int)tu_range(&r, TU_V_LOW, TU_V_SPREAD),
                  width, &r);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_gen(&r, &a, pat, m, 0);
    tu_gen(&r, &a, text, n, 0);
    for (i = 0; i < 6; i++)
        tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), tu_below(&r, m / 4 + 1));
    tu_case_from32(&c, width, pat, m, text, n, -1);
    c.alpha = a;
    for (k = 0; k <= m + 1; k++) {
        uint32_t *exp = tu_ref(&c, k);
        int run;
        for (run = 0; run < RUN_COUNT_; run++)
            run_one(&c, run, k, kernel_flags[k % NFLAGS], exp, NULL, "every k");
        free(exp);
    }
    tu_case_free(&c);
    free(pat);
    free(text);
}
END_TEST

/* ---- Periodic inputs ------------------------------------------------------------ */

/* A text and pattern of period p over an alphabet of `sigma` symbols (the
 * base block random), with substitutions at rate 1/sub_den (0: none). */
static void
periodic_case(tu_case *c, tu_rng *r, unsigned width, size_t p, size_t m, size_t n,
              size_t sigma, unsigned sub_den, size_t psubs)
{
    tu_alpha a;
    uint32_t *base, *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
    size_t i, off;
    tu_alpha_make(&a, sigma, width == 1 ? TU_V_LOW : TU_V_HIGH, width, r);
    base = tu_xmalloc(p * 4);
    for (i = 0; i < p; i++)
        base[i] = a.sym[i % sigma == i ? i : tu_below(r, sigma)];
    off = (size_t)tu_below(r, p);
    for (i = 0; i < n; i++)
        text[i] = base[(i + off) % p];
    for (i = 0; i < m; i++)
        pat[i] = base[i % p];
    if (sub_den)
        for (i = 0; i < n; i++)
            if (tu_chance(r, 1, sub_den))
                text[i] = a.sym[tu_below(r, sigma)];
    for (i = 0; i < psubs; i++)
        pat[tu_below(r, m)] = a.sym[tu_below(r, sigma)];
    tu_case_from32(c, width, pat, m, text, n, -1);
    c->alpha = a;
    free(base);
    free(pat);
    free(text);
}

START_TEST(periodic_property)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "periodic", "periodic_property", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        const unsigned width = (_i + inst) & 1 ? 4 : 1;
        const size_t m = tu_logrange(&r, 4, 400);
        const size_t n = m + tu_range(&r, 0, 3000);
        const uint32_t k = pick_k(&r, m);
        /* period 1, 2 (AB), 3 (ABC), k, k + 1, m / 2, or random */
        const size_t kinds[] = {
            1, 2, 3, k ? k : 1, k + 1, m / 2 ? m / 2 : 1, tu_range(&r, 1, 40)};
        size_t p = kinds[tu_below(&r, 7)];
        tu_case c;
        if (p > m || p > 1000)
            p = 2;
        tu_set_inst(inst);
        periodic_case(&c, &r, width, p, m, n, p < 3 ? p + (size_t)tu_below(&r, 2) : 3,
                      (unsigned)tu_range(&r, 0, 60), (size_t)tu_below(&r, 3));
        all_runs(&c, k > 4 * m ? (uint32_t)tu_below(&r, m) : k, NULL, "periodic");
        tu_case_free(&c);
    }
}
END_TEST

/* (AB)^{m/2} against (AB)^{n/2} with a few substitutions: every other shift
 * is an occurrence; the forced periodic path must have run. */
START_TEST(ab_periodic)
{
    static const size_t ms[] = {2, 3, 10, 63, 64, 65, 200, 1000};
    static const uint32_t ks[] = {0, 1, 2, 3, 8, 30};
    tu_rng r;
    size_t mi, ki;
    unsigned width;
    if (!tu_begin(&r, "periodic", "ab_periodic", _i))
        return;
    width = _i & 1 ? 4 : 1;
    for (mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
        for (ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            const size_t m = ms[mi], n = 4 * m + 3000;
            tu_case c;
            char what[64];
            uint32_t *exp;
            if (ks[ki] > m)
                continue;
            periodic_case(&c, &r, width, 2, m, n, 2, 400, ki % 3 == 2 ? 1 : 0);
            snprintf(what, sizeof what, "(AB)^* m=%zu", m);
            exp = tu_ref(&c, ks[ki]);
            run_one(&c, RUN_KB_PERIODIC, ks[ki], 0, exp, NULL, what);
            if (m >= 4)
                ck_assert_msg(last_kb.period == 2 && last_kb.periodic_blocks > 0,
                              "%s: (AB)^* m=%zu k=%u: period %zu, %zu periodic blocks",
                              tu_where(), m, (unsigned)ks[ki], last_kb.period,
                              last_kb.periodic_blocks);
            run_one(&c, RUN_KB_AUTO, ks[ki], 0, exp, NULL, what);
            run_one(&c, RUN_KG_AUTO, ks[ki], 0, exp, NULL, what);
            run_one(&c, RUN_KG_INDEX, ks[ki], 0, exp, NULL, what);
            run_one(&c, RUN_BP, ks[ki], 0, exp, NULL, what);
            run_one(&c, RUN_KZERO, ks[ki], 0, exp, NULL, what);
            free(exp);
            tu_case_free(&c);
        }
}
END_TEST

/* ---- Edges ------------------------------------------------------------------------
 */

START_TEST(small_edges)
{
    tu_rng r;
    size_t n, m;
    unsigned width;
    if (!tu_begin(&r, "edges", "small_edges", _i))
        return;
    width = _i ? 4 : 1;
    for (n = 1; n <= 140; n += (n < 70 ? 3 : 17)) { /* m = 1 and m = n */
        tu_case c;
        tu_alpha a;
        uint32_t *text = tu_xmalloc(n * 4), pat[1];
        tu_alpha_make(&a, 3, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
        tu_gen(&r, &a, text, n, 0);
        pat[0] = a.sym[0];
        tu_case_from32(&c, width, pat, 1, text, n, -1);
        all_runs(&c, 0, NULL, "m=1 k=0");
        all_runs(&c, 1, NULL, "m=1 k=1");
        tu_case_free(&c);
        tu_case_from32(&c, width, text, n, text, n, -1);
        all_runs(&c, 0, NULL, "m=n k=0");
        all_runs(&c, (uint32_t)(n / 3), NULL, "m=n");
        text[n / 2] = a.sym[1] == text[n / 2] ? a.sym[2] : a.sym[1];
        c.text32[n / 2] = text[n / 2];
        tu_case_sync8(&c);
        all_runs(&c, 0, NULL, "m=n one mismatch, k=0");
        all_runs(&c, 1, NULL, "m=n one mismatch, k=1");
        tu_case_free(&c);
        free(text);
    }
    for (m = 1; m <= 700; m = m * 2 + 1) {
        const size_t nn = m + 150;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(nn * 4);
        const uint32_t x = width == 1 ? 'A' : UINT32_MAX, y = width == 1 ? 'B' : 0;
        tu_case c;
        size_t j;
        tu_fill32(pat, m, x);
        tu_fill32(text, nn, x); /* all equal: every shift an occurrence */
        tu_case_from32(&c, width, pat, m, text, nn, -1);
        all_runs(&c, 0, NULL, "all equal k=0");
        all_runs(&c, 2, NULL, "all equal k=2");
        tu_case_free(&c);
        tu_fill32(text, nn, y); /* every text symbol absent from the pattern */
        tu_case_from32(&c, width, pat, m, text, nn, -1);
        all_runs(&c, 0, NULL, "text all foreign");
        all_runs(&c, (uint32_t)(m - 1), NULL, "text all foreign k=m-1");
        all_runs(&c, (uint32_t)m, NULL, "text all foreign k=m");
        tu_case_free(&c);
        for (j = 0; j < nn; j++)
            text[j] = tu_chance(&r, 1, 8) ? y : x;
        tu_case_from32(&c, width, pat, m, text, nn, -1);
        all_runs(&c, 1, NULL, "sigma 1 vs 2");
        all_runs(&c, (uint32_t)(m / 4), NULL, "sigma 1 vs 2 k=m/4");
        c.wildcard = x; /* the whole pattern is the wildcard */
        all_runs(&c, 0, NULL, "all wildcard");
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* u32 symbols near UINT32_MAX (and 0), bitparallel's words around 64 bits. */
START_TEST(u32_high_and_words)
{
    static const size_t ms[] = {20, 21, 22, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200};
    tu_rng r;
    size_t mi;
    if (!tu_begin(&r, "edges", "u32_high_and_words", _i))
        return;
    for (mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
        const size_t m = ms[mi], n = m + 500 + (size_t)tu_below(&r, 100);
        const unsigned width = (mi + (size_t)_i) & 1 ? 4 : 1;
        tu_alpha a;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
        tu_case c;
        size_t i;
        tu_alpha_make(&a, 3 + (size_t)tu_below(&r, 3),
                      width == 1 ? TU_V_LOW : (_i ? TU_V_HIGH : TU_V_SPREAD), width,
                      &r);
        tu_gen(&r, &a, pat, m, 0);
        tu_gen(&r, &a, text, n, 1);
        for (i = 0; i < 5; i++)
            tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), i);
        tu_case_from32(&c, width, pat, m, text, n, -1);
        c.alpha = a;
        all_runs(&c, 1, NULL, "words");
        all_runs(&c, 3, NULL, "words");
        all_runs(&c, 7, NULL, "words");
        all_runs(&c, (uint32_t)(m / 2), NULL, "words m/2");
        c.wildcard = a.sym[0]; /* bitparallel and kzero with a wildcard */
        all_runs(&c, 2, NULL, "words wildcard");
        all_runs(&c, 0, NULL, "words wildcard k=0");
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* Texts at odd addresses ending exactly at their allocation's end. */
START_TEST(odd_address)
{
    static const size_t ms[] = {1, 20, 64, 100, 257};
    tu_rng r;
    size_t off;
    unsigned width;
    if (!tu_begin(&r, "edges", "odd_address", _i))
        return;
    width = _i ? 4 : 1;
    for (off = 1; off <= (width == 1 ? 7u : 3u); off++) {
        const size_t m = ms[off % 5], n = m + 300 + 37 * off;
        tu_case c;
        tu_alpha a;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
        unsigned char *buf;
        tu_alpha_make(&a, 2 + off % 3, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
        tu_gen(&r, &a, pat, m, 0);
        tu_gen(&r, &a, text, n, 0);
        tu_plant(&r, &a, pat, m, text, n - m, 1);
        tu_plant(&r, &a, pat, m, text, 0, 0);
        tu_case_from32(&c, width, pat, m, text, n, -1);
        buf = tu_xmalloc(off * width + n * width);
        memcpy(buf + off * width, width == 1 ? (void *)c.text8 : (void *)c.text32,
               n * width);
        all_runs(&c, 0, buf + off * width, "odd address k=0");
        all_runs(&c, (uint32_t)(m / 5), buf + off * width, "odd address");
        free(buf);
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* Near-identical long texts: kangaroo builds its index (ski rental) in
 * several blocks; shift counts around the 16384-shift index block and the
 * 32768-shift scan block. */
START_TEST(long_texts)
{
    static const size_t ms[] = {100, 700, 5000};
    static const size_t Ss[] = {16383, 16385, 32768, 40000};
    tu_rng r;
    unsigned width;
    size_t m, S, n, i;
    tu_case c;
    tu_alpha a;
    uint32_t *pat, *text, k;
    if (!tu_begin(&r, "edges", "long_texts", _i))
        return;
    width = _i & 1 ? 4 : 1;
    m = ms[(_i / 2) % 3];
    S = Ss[(size_t)_i % 4];
    n = S + m - 1;
    k = (uint32_t)(_i % 3 == 0 ? 2 : m / 50);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_alpha_make(&a, 4, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
    tu_gen(&r, &a, pat, m, 0);
    /* the text: copies of the pattern one after another, rarely mutated */
    for (i = 0; i < n; i++)
        text[i] = tu_chance(&r, 1, 3000) ? a.sym[tu_below(&r, 4)] : pat[i % m];
    tu_case_from32(&c, width, pat, m, text, n, -1);
    c.alpha = a;
    main_runs(&c, k, "long near-identical");
    tu_case_free(&c);
    free(pat);
    free(text);
}
END_TEST

/* A text where every shift is a near-occurrence of a long pattern (a^m
 * with one b, against a^n with a few b): long extensions everywhere, so the
 * ski rental must build kangaroo's index, and the result stay exact.
 * Expected distances by prefix counts (the reference would take O(nm)). */
START_TEST(kangaroo_builds)
{
    const size_t m = 20000, n = 60000, S = n - m + 1;
    const unsigned width = _i ? 4 : 1;
    const uint32_t x = width == 1 ? 'a' : UINT32_MAX - 1, y = width == 1 ? 'b' : 7;
    const uint32_t k = 5;
    uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4), *exp;
    size_t *nb = tu_xmalloc((n + 1) * sizeof *nb);
    tu_rng r;
    tu_case c;
    size_t i, jp;
    if (!tu_begin(&r, "edges", "kangaroo_builds", _i))
        return;
    tu_fill32(pat, m, x);
    tu_fill32(text, n, x);
    for (i = 0; i < 12; i++)
        text[tu_below(&r, n)] = y;
    jp = (size_t)tu_below(&r, m);
    pat[jp] = y;
    nb[0] = 0;
    for (i = 0; i < n; i++)
        nb[i + 1] = nb[i] + (text[i] == y);
    exp = tu_xmalloc(S * sizeof *exp);
    for (i = 0; i < S; i++) {
        /* every text b mismatches an a of P, except at jp, where P has b */
        size_t d = nb[i + m] - nb[i];
        d = text[i + jp] == y ? d - 1 : d + 1;
        exp[i] = d > k ? k + 1 : (uint32_t)d;
    }
    tu_case_from32(&c, width, pat, m, text, n, -1);
    run_one(&c, RUN_KG_AUTO, k, 0, exp, NULL, "a^n, a^m");
    ck_assert_msg(last_builds > 0, "%s: kangaroo built no index on a^n", tu_where());
    run_one(&c, RUN_KG_INDEX, k, 0, exp, NULL, "a^n, a^m");
    run_one(&c, RUN_KB_AUTO, k, 0, exp, NULL, "a^n, a^m");
    free(exp);
    free(nb);
    tu_case_free(&c);
    free(pat);
    free(text);
}
END_TEST

/* ---- Public API: hits and streams --------------------------------------------------
 */

START_TEST(kmis_and_streams)
{
    static const tu_shape shape = {1, 200, 40000, 20, 90};
    static const ham_engine engines[] = {HAM_ENGINE_AUTO, HAM_ENGINE_KANGAROO,
                                         HAM_ENGINE_KBOUNDED, HAM_ENGINE_BITPARALLEL};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "api", "kmis_and_streams", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        tu_case c;
        size_t nd, e;
        uint32_t k, *refk;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        nd = HAM_NDIST(c.n, c.m);
        k = pick_k(&r, c.m);
        if (k > c.m + 2)
            k = (uint32_t)c.m / 3;
        refk = tu_ref(&c, k);
        for (e = 0; e < sizeof engines / sizeof engines[0]; e++) {
            ham_params p;
            ham_plan *plan;
            ham_stream *s;
            tu_hits h = {0};
            size_t pos = 0;
            char what[96];
            int rc;
            ham_params_init(&p);
            p.engine = engines[e];
            p.max_dist = k;
            p.flags = kernel_flags[tu_below(&r, NFLAGS)];
            rc = tu_plan(&c, &p, &plan);
            if (rc == HAM_EUNSUPPORTED && c.wildcard >= 0 &&
                (engines[e] == HAM_ENGINE_KANGAROO ||
                 engines[e] == HAM_ENGINE_KBOUNDED))
                continue;
            TU_CHECK(rc == HAM_OK, "%s: plan %s: %s", tu_where(),
                     ham_engine_name(engines[e]), ham_errname(rc));
            snprintf(what, sizeof what, "ham_kmis engine=%s flags=0x%x",
                     ham_engine_name(engines[e]), p.flags);
            rc = tu_kmis(plan, &c, tu_hit_cb, &h);
            TU_CHECK(rc == HAM_OK, "%s: %s: %s", tu_where(), what, ham_errname(rc));
            tu_expect_hits(&c, k, refk, nd, &h, SIZE_MAX, what);
            /* the same through a stream in random chunks */
            tu_hits_reset(&h);
            ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
            while (pos < c.n) {
                size_t len = tu_chance(&r, 1, 3) ? tu_range(&r, 1, 5)
                                                 : tu_logrange(&r, 1, 20000);
                if (len > c.n - pos)
                    len = c.n - pos;
                rc = c.width == 1
                         ? ham_stream_feed_u8(s, c.text8 + pos, len, tu_hit_cb, &h)
                         : ham_stream_feed_u32(s, c.text32 + pos, len, tu_hit_cb, &h);
                TU_CHECK(rc == HAM_OK, "%s: %s stream: %s", tu_where(), what,
                         ham_errname(rc));
                pos += len;
            }
            ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h), HAM_OK);
            snprintf(what, sizeof what, "stream engine=%s flags=0x%x",
                     ham_engine_name(engines[e]), p.flags);
            tu_expect_hits(&c, k, refk, nd, &h, SIZE_MAX, what);
            ham_stream_destroy(s);
            tu_hits_free(&h);
            ham_plan_destroy(plan);
        }
        free(refk);
        tu_case_free(&c);
    }
}
END_TEST

/* AUTO chooses an engine that serves the request, and plan_explain lists
 * the new engines' costs. */
START_TEST(auto_choice)
{
    static const uint8_t pat[] = "ACGTTGCAACGTAGCTAGCTAGGATC";
    static const uint32_t ks[] = {0, 1, 2, 4, 8, 25};
    size_t i;
    for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        ham_params p;
        ham_plan *plan;
        char buf[1024];
        ham_engine e;
        ham_params_init(&p);
        p.max_dist = ks[i];
        ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat - 1, &p), HAM_OK);
        e = ham_plan_engine(plan, 100000000);
        ck_assert_msg(e == HAM_ENGINE_NAIVE || e == HAM_ENGINE_KANGAROO ||
                          e == HAM_ENGINE_KBOUNDED || e == HAM_ENGINE_BITPARALLEL ||
                          ham_engine_available(e),
                      "k=%u: AUTO chose %s", (unsigned)ks[i], ham_engine_name(e));
        ck_assert_int_eq(ham_plan_explain(plan, 100000000, buf, sizeof buf), HAM_OK);
        ck_assert_msg(strstr(buf, "kbounded=") && strstr(buf, "kangaroo=") &&
                          strstr(buf, "bitparallel="),
                      "explain: %s", buf);
        ham_plan_destroy(plan);
    }
}
END_TEST

/* ---- The pieces: SA-IS, LCP/LCE, the sieve ----------------------------------------
 */

static const uint32_t *cmp_s;
static size_t cmp_n;

static int
cmp_suffix(const void *a, const void *b)
{
    size_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    while (x < cmp_n && y < cmp_n) {
        if (cmp_s[x] != cmp_s[y])
            return cmp_s[x] < cmp_s[y] ? -1 : 1;
        x++;
        y++;
    }
    return x == cmp_n ? -1 : 1; /* unreachable with the unique sentinel */
}

START_TEST(sais_vs_sort)
{
    static const size_t Ks[] = {1, 2, 3, 4, 5, 30, 300, 5000};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "pieces", "sais_vs_sort", _i))
        return;
    for (inst = 0; inst < 20; inst++) {
        const size_t K = Ks[tu_below(&r, 8)], n = 1 + tu_logrange(&r, 0, 3000);
        const int kind = (int)tu_below(&r, 4);
        uint32_t *s = tu_xmalloc(n * 4), *sa = tu_xmalloc(n * 4),
                 *ex = tu_xmalloc(n * 4);
        uint32_t *work = tu_xmalloc(ham__sais_work(n, K + 1) * 4);
        size_t i, p = 1 + (size_t)tu_below(&r, 7);
        tu_set_inst(inst);
        for (i = 0; i + 1 < n; i++) {
            switch (kind) {
            case 0: /* uniform */
                s[i] = 1 + (uint32_t)tu_below(&r, K);
                break;
            case 1: /* periodic with rare changes */
                s[i] = i >= p && !tu_chance(&r, 1, 50) ? s[i - p]
                                                       : 1 + (uint32_t)tu_below(&r, K);
                break;
            case 2: /* all equal */
                s[i] = 1;
                break;
            default: /* runs */
                s[i] = i > 0 && tu_chance(&r, 7, 8) ? s[i - 1]
                                                    : 1 + (uint32_t)tu_below(&r, K);
            }
        }
        s[n - 1] = 0;
        ham__sais(s, sa, n, K + 1, work);
        for (i = 0; i < n; i++)
            ex[i] = (uint32_t)i;
        cmp_s = s;
        cmp_n = n;
        qsort(ex, n, 4, cmp_suffix);
        for (i = 0; i < n; i++)
            TU_CHECK(sa[i] == ex[i],
                     "%s: SA-IS n=%zu K=%zu kind=%d: sa[%zu] = %u, want %u", tu_where(),
                     n, K, kind, i, (unsigned)sa[i], (unsigned)ex[i]);
        free(s);
        free(sa);
        free(ex);
        free(work);
    }
}
END_TEST

START_TEST(lce_vs_direct)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "pieces", "lce_vs_direct", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        const size_t m = tu_logrange(&r, 1, 300), L = tu_logrange(&r, 1, 3000);
        const uint32_t sigma = (uint32_t)tu_range(&r, 1, 6);
        uint32_t *pid = tu_xmalloc(m * 4), *xid = tu_xmalloc(L * 4);
        ham__lce x;
        size_t i, q;
        tu_set_inst(inst);
        for (i = 0; i < m; i++)
            pid[i] = 1 + (uint32_t)tu_below(&r, sigma);
        for (i = 0; i < L; i++) /* copies of P, mutated, and absent symbols (0) */
            xid[i] =
                tu_chance(&r, 1, 10) ? (uint32_t)tu_below(&r, sigma + 1) : pid[i % m];
        ham__lce_init(&x);
        ck_assert_int_eq(ham__lce_build(&x, pid, m, sigma, xid, L), HAM_OK);
        for (q = 0; q < 3000; q++) {
            const size_t j = (size_t)tu_below(&r, m), xp = (size_t)tu_below(&r, L);
            size_t e = 0;
            while (j + e < m && xp + e < L && pid[j + e] == xid[xp + e])
                e++;
            TU_CHECK(ham__lce_query(&x, j, xp) == e,
                     "%s: LCE(%zu, %zu) = %zu, want %zu (m=%zu L=%zu sigma=%u)",
                     tu_where(), j, xp, ham__lce_query(&x, j, xp), e, m, L,
                     (unsigned)sigma);
        }
        ham__lce_free(&x);
        free(pid);
        free(xid);
    }
}
END_TEST

/* The sieve keeps every shift with <= k mismatches, at every ISA. */
START_TEST(sieve_never_loses)
{
    static const tu_shape shape = {1, 300, 3000, 0, 90};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "pieces", "sieve_never_loses", _i))
        return;
    for (inst = 0; inst < 6; inst++) {
        tu_case c;
        uint32_t k, *exp;
        size_t f;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        if (c.n < c.m + 200) {
            tu_case_free(&c);
            continue;
        }
        k = pick_k(&r, c.m);
        exp = tu_ref(&c, k);
        for (f = 0; f < NFLAGS; f++) {
            const size_t S = c.n - c.m + 1, a = ham__kinplace(c.n, c.m);
            ham_params p;
            ham_plan *plan;
            ham__sieve sv;
            uint64_t *bits;
            size_t i, cand = 0;
            ham_params_init(&p);
            p.flags = kernel_flags[f];
            p.max_dist = k;
            ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
            ck_assert_int_eq(ham__sieve_build(&sv, plan, k), HAM_OK);
            bits = tu_xcalloc((S + 63) / 64, 8);
            if (a > 0) /* the in-place part only: the tail needs a padded copy */
                ham__sieve_bits(&sv, plan, plan->cpu.isa,
                                c.width == 1 ? (const void *)c.text8
                                             : (const void *)c.text32,
                                a, bits);
            for (i = 0; i < a; i++) {
                const int b = (int)(bits[i / 64] >> (i % 64) & 1);
                cand += (size_t)b;
                TU_CHECK(
                    b || exp[i] > k,
                    "%s: sieve (s=%zu, isa %d) dropped shift %zu with d=%u <= k=%u: %s",
                    tu_where(), sv.s, plan->cpu.isa, i, (unsigned)exp[i], (unsigned)k,
                    tu_case_desc(&c));
            }
            (void)cand;
            free(bits);
            ham__sieve_free(&sv);
            ham_plan_destroy(plan);
        }
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* ---- Real data
 * ------------------------------------------------------------------------ */

static void
data_windows(const char *rel, unsigned width, size_t prefix, int fasta, size_t n,
             int iter)
{
    static const size_t ms[] = {8, 20, 32, 64, 200, 1000};
    const char *dir;
    size_t len, i, off;
    uint32_t *v;
    tu_rng r;
    if (!tu_data_dir_ok(&dir))
        return;
    if (width == 1) {
        uint8_t *b = tu_load(rel, prefix, fasta, &len);
        v = tu_xmalloc(len * 4);
        for (i = 0; i < len; i++)
            v[i] = b[i];
        free(b);
    } else {
        v = tu_load_u32(rel, prefix, &len);
    }
    tu_begin(&r, "data", rel, iter);
    ck_assert_msg(len >= n + 2000, "%s: only %zu symbols", rel, len);
    off = (size_t)tu_below(&r, len - n + 1);
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        const size_t m = ms[i];
        const size_t nn = m >= 1000 ? n / 4 : n;
        const uint32_t ks[] = {0, 1, 2, 4, 8, (uint32_t)(m / 10)};
        uint32_t *pat = tu_xmalloc(m * 4);
        size_t from = off + (size_t)tu_below(&r, nn - m + 1), s, ki;
        tu_case c;
        char what[160];
        tu_set_inst((int)i);
        memcpy(pat, v + from, m * 4);
        for (s = 0; s < i % 3; s++) /* 0, 1 or 2 substitutions */
            pat[tu_below(&r, m)] = v[tu_below(&r, len)];
        tu_case_from32(&c, width, pat, m, v + off, nn, -1);
        snprintf(what, sizeof what, "%s [%zu..%zu) m=%zu from %zu", rel, off, off + nn,
                 m, from);
        for (ki = 0; ki < 6; ki++)
            if (ki == 0 || ks[ki] != ks[ki - 1])
                main_runs(&c, ks[ki], what);
        tu_case_free(&c);
        free(pat);
    }
    free(v);
}

START_TEST(data_dna)
{
    data_windows("dna/ecoli_k12_mg1655.fa.gz", 1, 1u << 20, 1, 30000, _i);
}
END_TEST

START_TEST(data_protein)
{
    data_windows("protein/uniprot_mmseqs2_db_1-10000.fa.gz", 1, 1u << 20, 1, 30000, _i);
}
END_TEST

START_TEST(data_text)
{
    data_windows("text/kjv_bible.txt.xz", 1, 1u << 20, 0, 30000, _i);
}
END_TEST

START_TEST(data_tokens)
{
    data_windows("wide/kjv_bible.o200k_base.u32le.xz", 4, 200000, 0, 30000, _i);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("kmis_engines");
    TCase *tc;

    tc = tu_tcase("pieces");
    tcase_add_loop_test(tc, sais_vs_sort, 0, 10);
    tcase_add_loop_test(tc, lce_vs_direct, 0, 4);
    tcase_add_loop_test(tc, sieve_never_loses, 0, 6);
    suite_add_tcase(s, tc);

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, random_property, 0, 40);
    tcase_add_loop_test(tc, every_k, 0, 8);
    suite_add_tcase(s, tc);

    tc = tu_tcase("periodic");
    tcase_add_loop_test(tc, periodic_property, 0, 30);
    tcase_add_loop_test(tc, ab_periodic, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("edges");
    tcase_add_loop_test(tc, small_edges, 0, 2);
    tcase_add_loop_test(tc, u32_high_and_words, 0, 2);
    tcase_add_loop_test(tc, odd_address, 0, 2);
    tcase_add_loop_test(tc, long_texts, 0, 12);
    tcase_add_loop_test(tc, kangaroo_builds, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("api");
    tcase_add_loop_test(tc, kmis_and_streams, 0, 12);
    tcase_add_test(tc, auto_choice);
    suite_add_tcase(s, tc);

    tc = tu_tcase("data");
    tcase_add_test(tc, data_dna);
    tcase_add_test(tc, data_protein);
    tcase_add_test(tc, data_text);
    tcase_add_test(tc, data_tokens);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_kmis_engines");
}
