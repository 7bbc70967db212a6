/* SPDX-License-Identifier: MIT */
/*
 * check_exact_cjvx.c -- internal: the CJVX exact engines, packed (A4p,
 * lib/packed.c) and hashed (lib/hashed.c), the X+Y machinery (lib/xy.c) and
 * ham_sumset_count's X+Y path, against the reference tests/ref.c and
 * against abrahamson, bit for bit:
 *   property   seeded random cases, u8 and u32, wildcards, k-bounded; both
 *              engines with the cost model and with packing forced (every
 *              group / regime-2 symbol packed), packed also by the NTT
 *              (g = 3, 4); hashed over several seeds (Las Vegas: the same
 *              output for every seed)
 *   adversary  one dominant symbol, periodic texts and patterns, symbols at
 *              arithmetic-progression positions, all symbols of frequency
 *              ~ sqrt(m), exact occurrences; block-size edges
 *   overflow   forced small digit bases and every group in one bundle: the
 *              digit checks must fail, the split/recursion paths run (the
 *              counters move) and the output stays exact; a colliding hash
 *              seed (hashed); the a priori rule refused (plain-path NTT)
 *   data       windows of real DNA, protein, English and u32 tokens
 *   sumset     near-quadratic random sets, arithmetic progressions (heavy
 *              sums, the digit check fails and the pair is redone), blocks
 *   api        threads sharing one plan, streams and k-mismatch hits, AUTO
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_exact_cjvx
 */
#include "internal.h"

#include "ref.h"
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ham_engine engines[] = {HAM_ENGINE_PACKED, HAM_ENGINE_HASHED};
static const char *const mode_names[] = {"model", "forced", "ntt", "none"};

typedef struct tune {
    int mode;      /* HAM__PK_* */
    unsigned bits; /* 0 = rule */
    double load;   /* 0 = default */
    unsigned g;    /* packed NTT group size; hashed: seed override */
    uint64_t seed; /* plan seed */
    size_t forceN; /* forced block size (0 = rule) */
} tune;

static ham_plan *
make_plan(const tu_case *c, ham_engine e, uint32_t k, const tune *t)
{
    ham_params p;
    ham_plan *plan;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.seed = t ? t->seed : 0;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: plan %s: %s: %s", tu_where(), ham_engine_name(e),
             tu_case_desc(c), ham_errname(rc));
    if (t && (e == HAM_ENGINE_PACKED || e == HAM_ENGINE_HASHED)) {
        ham__cjvx_tune(plan, e, t->bits, t->load, t->mode, t->g);
        if (t->forceN)
            ham__fft_test_size(ham__fft_head_of(plan, e)->fft, t->forceN);
    }
    return plan;
}

static void
expect_plan(const ham_plan *plan, const tu_case *c, uint32_t k, const uint32_t *exp,
            const char *what)
{
    size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *got = tu_xmalloc((nd ? nd : 1) * sizeof *got);
    int rc;
    tu_fill32(got, nd, TU_SENTINEL32);
    rc = tu_dist(plan, c, got, nd);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s: ham_dist: %s; replay: %s", tu_where(), what,
             tu_case_desc(c), ham_errname(rc), tu_replay());
    tu_expect_dist(c, k, exp, got, nd, what);
    free(got);
}

/* Run engine e with tuning t on c; returns its statistics. */
static ham__cjvx_stats
expect_engine(const tu_case *c, ham_engine e, uint32_t k, const tune *t,
              const uint32_t *exp)
{
    char what[160];
    ham__cjvx_stats st;
    ham_plan *plan = make_plan(c, e, k, t);
    snprintf(what, sizeof what, "engine=%s mode=%s bits=%u load=%g g=%u seed=%llu",
             ham_engine_name(e), mode_names[t ? t->mode : 0], t ? t->bits : 0,
             t ? t->load : 0.0, t ? t->g : 0, t ? (unsigned long long)t->seed : 0ull);
    expect_plan(plan, c, k, exp, what);
    ham__cjvx_stats_get(plan, e, &st);
    ham_plan_destroy(plan);
    return st;
}

static void
random_case(tu_case *c, tu_rng *r, size_t m, size_t n, size_t sigma, unsigned width)
{
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc(n * sizeof *text);
    size_t i;
    tu_alpha_make(&a, sigma, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, r);
    tu_gen(r, &a, pat, m, tu_chance(r, 1, 3));
    tu_gen(r, &a, text, n, tu_chance(r, 1, 3));
    for (i = 0; i < 3 && n >= m; i++)
        tu_plant(r, &a, pat, m, text, tu_range(r, 0, n - m), tu_below(r, 4));
    tu_case_from32(c, width, pat, m, text, n, -1);
    free(pat);
    free(text);
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 5)) {
    case 0:
        return 0;
    case 1:
        return (uint32_t)(m / 3);
    case 2:
        return (uint32_t)m;
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* ---- Property ------------------------------------------------------------------- */

static const tu_shape prop_shape = {1, 1500, 12000, 20, 40};

START_TEST(property)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "property", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        unsigned width = tu_chance(&r, 1, 2) ? 4 : 1;
        uint32_t k = tu_chance(&r, 2, 3) ? HAM_UNBOUNDED : pick_k(&r, 1500);
        uint32_t *exp;
        tu_case c;
        tune t;
        size_t e;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &prop_shape);
        if (k != HAM_UNBOUNDED && k > c.m)
            k = (uint32_t)c.m;
        exp = tu_ref(&c, k);
        for (e = 0; e < 2; e++) {
            memset(&t, 0, sizeof t);
            t.seed = tu_next(&r);
            t.mode = (int)tu_below(&r, e ? 2 : 3) + 0;
            t.mode = t.mode == 2 ? HAM__PK_NTT : t.mode == 1 ? HAM__PK_DOUBLE : 0;
            if (t.mode == HAM__PK_NTT)
                t.g = 3 + (unsigned)tu_below(&r, 2);
            expect_engine(&c, engines[e], k, &t, exp);
        }
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* Las Vegas: many seeds, one answer; forced packing so that the hash
 * decides the bundles. Also equal to abrahamson. */
START_TEST(seeds)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    int s;
    ham_plan *abr;
    if (!tu_begin(&r, "property", "seeds", _i))
        return;
    random_case(&c, &r, 600 + 300 * (size_t)_i, 20000, 40 + 20 * (size_t)_i,
                _i & 1 ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    abr = make_plan(&c, HAM_ENGINE_ABRAHAMSON, HAM_UNBOUNDED, NULL);
    expect_plan(abr, &c, HAM_UNBOUNDED, exp, "abrahamson");
    ham_plan_destroy(abr);
    for (s = 0; s < 12; s++) {
        tune t;
        memset(&t, 0, sizeof t);
        tu_set_inst(s);
        t.seed = tu_next(&r);
        t.mode = HAM__PK_DOUBLE;
        t.load = s < 6 ? 0.25 : 4.0; /* big bundles: collisions likely */
        expect_engine(&c, HAM_ENGINE_HASHED, HAM_UNBOUNDED, &t, exp);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* ---- Adversarial inputs ------------------------------------------------------------
 */

enum { ADV_DOMINANT, ADV_PERIODIC, ADV_AP, ADV_SQRT, ADV_OCC, ADV_COUNT };
static const char *const adv_names[] = {"dominant", "periodic", "arith-prog",
                                        "equal-sqrt-m", "occurrences"};

static void
adversarial_case(tu_case *c, tu_rng *r, int kind, size_t m, size_t n, unsigned width)
{
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc(n * sizeof *text);
    size_t i, K = (size_t)sqrt((double)m) + 1, per = 2 + (size_t)tu_below(r, 7);
    tu_alpha a;
    tu_alpha_make(&a, K < 200 ? K + 5 : 200, width == 1 ? TU_V_LOW : TU_V_SPREAD, width,
                  r);
    switch (kind) {
    case ADV_DOMINANT: /* one symbol ~95 %, a few others */
        for (i = 0; i < m; i++)
            pat[i] = a.sym[tu_chance(r, 19, 20) ? 0 : 1 + tu_below(r, 5)];
        for (i = 0; i < n; i++)
            text[i] = a.sym[tu_chance(r, 19, 20) ? 0 : 1 + tu_below(r, 5)];
        break;
    case ADV_PERIODIC: /* period per (a few symbols), sparse substitutions */
        for (i = 0; i < m; i++)
            pat[i] = a.sym[i % per];
        for (i = 0; i < n; i++)
            text[i] = a.sym[(i + 1) % per];
        for (i = 0; i < m / 50; i++)
            pat[tu_below(r, m)] = a.sym[tu_below(r, a.size)];
        for (i = 0; i < n / 50; i++)
            text[tu_below(r, n)] = a.sym[tu_below(r, a.size)];
        break;
    case ADV_AP: /* symbol j at positions = j mod step (arithmetic progressions) */
        for (i = 0; i < m; i++)
            pat[i] = a.sym[(i % (K / 2 + 1)) % a.size];
        for (i = 0; i < n; i++)
            text[i] = a.sym[(i % (K / 2 + 1)) % a.size];
        for (i = 0; i < n / 100; i++)
            text[tu_below(r, n)] = a.sym[tu_below(r, a.size)];
        break;
    case ADV_SQRT: /* K ~ sqrt(m) symbols, each ~ sqrt(m) times in P */
        for (i = 0; i < m; i++)
            pat[i] = a.sym[tu_below(r, K)];
        for (i = 0; i < n; i++)
            text[i] = a.sym[tu_below(r, K)];
        break;
    default: /* many exact occurrences: every digit near its maximum there */
        for (i = 0; i < m; i++)
            pat[i] = a.sym[tu_below(r, K)];
        for (i = 0; i < n; i++)
            text[i] = a.sym[tu_below(r, K)];
        for (i = 0; i + m <= n; i += m + tu_below(r, m))
            memcpy(text + i, pat, m * sizeof *pat);
        break;
    }
    tu_case_from32(c, width, pat, m, text, n, -1);
    free(pat);
    free(text);
}

START_TEST(adversarial)
{
    const int kind = _i % ADV_COUNT;
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "adversary", adv_names[kind], _i))
        return;
    for (inst = 0; inst < 2; inst++) {
        const size_t m = tu_logrange(&r, 200, 3000), n = m + tu_range(&r, 1, 25000);
        tu_case c;
        uint32_t *exp;
        size_t e, q;
        tu_set_inst(inst);
        adversarial_case(&c, &r, kind, m, n, (_i / ADV_COUNT + inst) & 1 ? 4 : 1);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        for (e = 0; e < 2; e++)
            for (q = 0; q < 3; q++) {
                tune t;
                memset(&t, 0, sizeof t);
                t.seed = tu_next(&r);
                t.mode = q == 0 ? HAM__PK_AUTO : q == 1 ? HAM__PK_DOUBLE : HAM__PK_NTT;
                if (e == 1 && q == 2)
                    t.load = 2.0; /* hashed: big bundles instead of the NTT */
                t.g = e == 0 && q == 2 ? 3 + (unsigned)(inst & 1) : 0;
                expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
            }
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* Text lengths around the block sizes (both engines, packing forced). */
START_TEST(block_edges)
{
    static const size_t ms[] = {1, 2, 3, 31, 255, 1000, 1023, 2049};
    const size_t m = ms[_i];
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    if (!tu_begin(&r, "adversary", "block_edges", _i))
        return;
    random_case(&c, &r, m, 6 * m + 9000, 12, _i & 1 ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        tune t;
        ham_plan *plan;
        size_t N, lens[12], i;
        memset(&t, 0, sizeof t);
        t.mode = HAM__PK_DOUBLE;
        plan = make_plan(&c, engines[e], HAM_UNBOUNDED, &t);
        N = ham__fft_head_of(plan, engines[e])->block_size(plan, c.n);
        lens[0] = m;
        lens[1] = m + 1;
        lens[2] = N - 3 < m ? m : N - 3;
        lens[3] = N - 1 < m ? m : N - 1;
        lens[4] = N;
        lens[5] = N + 1;
        lens[6] = 2 * N - m;
        lens[7] = 2 * N - m + 1;
        lens[8] = 2 * N - m - 2;
        lens[9] = 2 * N - m + 2;
        lens[10] = c.n - 1;
        lens[11] = c.n;
        for (i = 0; i < 12; i++) {
            tu_case p;
            size_t nn = lens[i] > c.n ? c.n : lens[i];
            uint32_t *pe = tu_dup32(exp, HAM_NDIST(nn, m) ? HAM_NDIST(nn, m) : 1);
            tu_case_from32(&p, c.width, c.pat32, m, c.text32, nn, -1);
            expect_plan(plan, &p, HAM_UNBOUNDED, pe, ham_engine_name(engines[e]));
            free(pe);
            tu_case_free(&p);
        }
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* Wildcards and k-bounded output on forced packing. */
START_TEST(wild_and_k)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "adversary", "wild_and_k", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        static const tu_shape sh = {100, 2500, 8000, 100, 60};
        tu_case c;
        size_t e;
        uint32_t k = inst == 0 ? 0 : inst == 1 ? 5 : HAM_UNBOUNDED, *exp;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &sh);
        exp = tu_ref(&c, k);
        for (e = 0; e < 2; e++) {
            tune t;
            memset(&t, 0, sizeof t);
            t.mode = HAM__PK_DOUBLE;
            expect_engine(&c, engines[e], k, &t, exp);
        }
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* ---- Overflow and collision paths ------------------------------------------------ */

START_TEST(overflow)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    if (!tu_begin(&r, "overflow", "overflow", _i))
        return;
    /* exact occurrences: the match digit reaches ~m at those shifts */
    adversarial_case(&c, &r, ADV_OCC, 1500, 20000, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        ham__cjvx_stats st;
        tune t;
        memset(&t, 0, sizeof t);
        /* a small base and every group/symbol in one bundle */
        t.mode = HAM__PK_DOUBLE;
        t.bits = 4;
        t.load = 1e9;
        st = expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
        TU_CHECK(st.failed > 0 && st.singles > 0,
                 "%s: %s: forced overflow: bundles=%llu failed=%llu singles=%llu",
                 tu_where(), ham_engine_name(engines[e]),
                 (unsigned long long)st.bundles, (unsigned long long)st.failed,
                 (unsigned long long)st.singles);
        /* B = 1024 < m, one bundle: fails only where occurrences are (with
         * the rule's base, B > m here and nothing can overflow) */
        t.bits = 10;
        st = expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
        TU_CHECK(st.failed > 0, "%s: %s: occurrences did not overflow one bundle",
                 tu_where(), ham_engine_name(engines[e]));
        if (e == 0) {
            /* the NTT's groups, with a tiny base */
            t.mode = HAM__PK_NTT;
            t.g = 4;
            t.bits = 3;
            st = expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
            TU_CHECK(st.failed > 0 && st.singles > 0, "%s: NTT overflow unnoticed",
                     tu_where());
        }
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* A random text where nothing overflows with the rule's base: no failure,
 * no fallback (the bundle limit works). */
START_TEST(no_overflow)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    if (!tu_begin(&r, "overflow", "no_overflow", _i))
        return;
    random_case(&c, &r, 3000, 40000, 60, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        ham__cjvx_stats st;
        tune t;
        memset(&t, 0, sizeof t);
        t.mode = HAM__PK_DOUBLE;
        st = expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
        TU_CHECK(st.bundles > 0 && st.failed == 0 && st.exact_blocks == 0,
                 "%s: %s: bundles=%llu failed=%llu exact=%llu", tu_where(),
                 ham_engine_name(engines[e]), (unsigned long long)st.bundles,
                 (unsigned long long)st.failed, (unsigned long long)st.exact_blocks);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* hashed: seeds that collide. Period 12: four symbols A0..A3 sit at phases
 * 0..3 of text and pattern (at shifts 0 mod 12 each matches ~167 times), the
 * other phases hold eight symbols U0..U7 at random, with the same expected
 * load. With B = 512 and bundles of four symbols, a bundle holding three or
 * more A's overflows at the aligned shifts (3 x 167 + the U's > 512), one
 * holding at most two does not: about one seed in five collides. Every
 * output exact; among 40 seeds both outcomes occur. */
START_TEST(collision_seed)
{
    tu_rng r;
    const size_t m = 2004, n = 30000;
    uint32_t *pat, *text, *exp;
    tu_case c;
    tu_alpha a;
    size_t i;
    int s, coll = 0, clean = 0;
    if (!tu_begin(&r, "overflow", "collision_seed", _i))
        return;
    pat = tu_xmalloc(m * sizeof *pat);
    text = tu_xmalloc(n * sizeof *text);
    tu_alpha_make(&a, 12, TU_V_LOW, 1, &r);
    for (i = 0; i < m; i++)
        pat[i] = i % 12 < 4 ? a.sym[i % 12] : a.sym[4 + tu_below(&r, 8)];
    for (i = 0; i < n; i++)
        text[i] = i % 12 < 4 ? a.sym[i % 12] : a.sym[4 + tu_below(&r, 8)];
    tu_case_from32(&c, _i ? 4 : 1, pat, m, text, n, -1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (s = 1; s <= 40; s++) {
        ham__cjvx_stats st;
        tune t;
        memset(&t, 0, sizeof t);
        tu_set_inst(s);
        t.mode = HAM__PK_DOUBLE;
        t.bits = 9;            /* B = 512 */
        t.load = 60.0 / 512.0; /* four symbols of load ~13.9 per bundle */
        t.forceN = 8192;
        t.g = (unsigned)s; /* the hash seed */
        st = expect_engine(&c, HAM_ENGINE_HASHED, HAM_UNBOUNDED, &t, exp);
        if (st.failed)
            coll++;
        else
            clean++;
    }
    TU_CHECK(coll > 0 && clean > 0, "%s: seeds: %d collided, %d did not", tu_where(),
             coll, clean);
    free(exp);
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* Precision at the rule's own digit base (doc/reliability.md): m = 2^17,
 * where the rule gives b = 11 (algorithms.md 5), and an alphabet of 128 so that groups
 * are packed (their loads fit); every packed group in ONE bundle (load =
 * 1e9), the input that maximises the norm product of one inverse transform
 * and so the rounding error: Fact 1 must still hold for the whole pattern
 * at once, which is how b was chosen. Then the default bundles. Exact
 * against the direct count, and the packed path must have run. */
START_TEST(rule_base_large_m)
{
    const size_t m = (size_t)1 << 17, n = m + 255;
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    int v;
    if (!tu_begin(&r, "precision", "rule_base_large_m", _i))
        return;
    random_case(&c, &r, m, n, 128, 4);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        for (v = 0; v < 2; v++) {
            ham__cjvx_stats st;
            tune t;
            memset(&t, 0, sizeof t);
            t.mode = HAM__PK_DOUBLE;
            t.load = v == 0 ? 1e9 : 0.0;
            st = expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
            TU_CHECK(st.bundles > 0 && st.grouped > 0,
                     "%s: %s load=%g: the packed path did not run (bundles=%llu)",
                     tu_where(), ham_engine_name(engines[e]), t.load,
                     (unsigned long long)st.bundles);
        }
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* The plain path's a priori rule refused: regime-3 / plain symbols go to
 * the NTT; the bundles use the same rule and fail, so everything ends
 * exact through the fallbacks. */
START_TEST(apriori)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    if (!tu_begin(&r, "overflow", "apriori", _i))
        return;
    random_case(&c, &r, 700, 20000, 8, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        tune t;
        ham_plan *plan;
        ham__cjvx_stats st;
        memset(&t, 0, sizeof t);
        t.mode = HAM__PK_DOUBLE;
        plan = make_plan(&c, engines[e], HAM_UNBOUNDED, &t);
        ham__fft_test_apriori(ham__fft_head_of(plan, engines[e])->fft, 0.0);
        expect_plan(plan, &c, HAM_UNBOUNDED, exp, "a priori refused");
        ham__cjvx_stats_get(plan, engines[e], &st);
        TU_CHECK(st.failed > 0 && st.exact_blocks > 0, "%s: %s: failed=%llu exact=%llu",
                 tu_where(), ham_engine_name(engines[e]), (unsigned long long)st.failed,
                 (unsigned long long)st.exact_blocks);
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* ---- Real data ------------------------------------------------------------------- */

static void
data_windows(const char *rel, unsigned width, const uint32_t *v, size_t len, tu_rng *r)
{
    static const size_t ms[] = {300, 2500, 6000};
    const size_t n = 30000;
    size_t i, e;
    TU_CHECK(len >= n + 10000, "%s: only %zu symbols", rel, len);
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        const size_t m = ms[i], off = (size_t)tu_below(r, len - n + 1);
        const size_t from = off + (size_t)tu_below(r, n - m + 1);
        uint32_t *pat = tu_dup32(v + from, m), *exp;
        tu_case c;
        size_t s;
        tu_set_inst((int)i);
        for (s = 0; s < m / 20; s++)
            pat[tu_below(r, m)] = v[tu_below(r, len)];
        tu_case_from32(&c, width, pat, m, v + off, n, -1);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        for (e = 0; e < 2; e++) {
            tune t;
            memset(&t, 0, sizeof t);
            t.seed = tu_next(r);
            expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
            t.mode = HAM__PK_DOUBLE;
            expect_engine(&c, engines[e], HAM_UNBOUNDED, &t, exp);
        }
        free(exp);
        free(pat);
        tu_case_free(&c);
    }
}

static void
data_u8(const char *rel, int fasta)
{
    const char *dir;
    size_t len, i;
    uint8_t *b;
    uint32_t *v;
    tu_rng r;
    tu_begin(&r, "data", rel, 0);
    if (!tu_data_dir_ok(&dir))
        return;
    b = tu_load(rel, 1u << 20, fasta, &len);
    v = tu_xmalloc(len * sizeof *v);
    for (i = 0; i < len; i++)
        v[i] = b[i];
    data_windows(rel, 1, v, len, &r);
    free(v);
    free(b);
}

START_TEST(data_dna)
{
    data_u8("dna/ecoli_k12_mg1655.fa.gz", 1);
}
END_TEST

START_TEST(data_protein)
{
    data_u8("protein/uniprot_mmseqs2_db_1-10000.fa.gz", 1);
}
END_TEST

START_TEST(data_english)
{
    data_u8("text/kjv_bible.txt.xz", 0);
}
END_TEST

START_TEST(data_tokens)
{
    const char *dir, *rel = "wide/kjv_bible.o200k_base.u32le.xz";
    size_t len;
    uint32_t *v;
    tu_rng r;
    tu_begin(&r, "data", "data_tokens", 0);
    if (!tu_data_dir_ok(&dir))
        return;
    v = tu_load_u32(rel, 200000, &len);
    data_windows(rel, 4, v, len, &r);
    free(v);
}
END_TEST

/* ---- Sumset ------------------------------------------------------------------------
 */

static void
expect_sumset(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t U,
              const char *what)
{
    const size_t cap = 2 * (size_t)U - 1;
    uint64_t *got = tu_xmalloc(cap * sizeof *got), *exp = tu_xmalloc(cap * sizeof *exp);
    size_t nd, first;
    int rc;
    ref_sumset(a, na, b, nb, U, exp);
    rc = ham_sumset_count(a, na, b, nb, U, got, cap);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s", tu_where(), what, ham_errname(rc));
    first = tu_first_diff64(exp, got, cap, &nd);
    TU_CHECK(first == cap,
             "%s: %s: U=%u na=%zu nb=%zu: %zu differences, first at %zu: got %llu, "
             "expected %llu; replay: %s",
             tu_where(), what, U, na, nb, nd, first,
             (unsigned long long)got[first % cap], (unsigned long long)exp[first % cap],
             tu_replay());
    free(got);
    free(exp);
}

/* distinct random values of [lo, hi) */
static size_t
random_set(tu_rng *r, uint32_t *v, size_t cnt, uint32_t lo, uint32_t hi)
{
    uint8_t *seen = tu_xcalloc(hi - lo, 1);
    size_t k = 0;
    if (cnt > hi - lo)
        cnt = hi - lo;
    while (k < cnt) {
        uint32_t x = lo + (uint32_t)tu_below(r, hi - lo);
        if (!seen[x - lo]) {
            seen[x - lo] = 1;
            v[k++] = x;
        }
    }
    free(seen);
    return k;
}

START_TEST(sumset_near_quadratic)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "sumset", "near_quadratic", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        const uint32_t U = (uint32_t)tu_logrange(&r, 1u << 12, 1u << 18);
        /* |A||B| = rho U with rho in [1, 64] */
        const double rho = pow(2.0, (double)tu_below(&r, 7));
        const size_t na = (size_t)sqrt(rho * U) + 1 + tu_below(&r, 50);
        const size_t nb = (size_t)(rho * U / (double)na) + 1;
        uint32_t *a = tu_xmalloc(na * sizeof *a), *b = tu_xmalloc(nb * sizeof *b);
        size_t ka, kb;
        tu_set_inst(inst);
        ka = random_set(&r, a, na, 0, U);
        kb = random_set(&r, b, nb, 0, U);
        expect_sumset(a, ka, b, kb, U, "random near-quadratic");
        free(a);
        free(b);
    }
}
END_TEST

/* Arithmetic progressions: sums of multiplicity ~ min(na, nb) (heavy), the
 * X+Y digit check must fail and the pair be redone; plus a random part. */
START_TEST(sumset_progressions)
{
    tu_rng r;
    const uint32_t U = 1u << (14 + _i);
    const size_t na = 3000, nb = 2000;
    uint32_t *a, *b;
    size_t i, ka = 0, kb = 0;
    uint32_t step = 3;
    if (!tu_begin(&r, "sumset", "progressions", _i))
        return;
    a = tu_xmalloc((na + 400) * sizeof *a);
    b = tu_xmalloc(nb * sizeof *b);
    for (i = 0; i < na && (uint64_t)i * step < U; i++)
        a[ka++] = (uint32_t)(i * step);
    for (i = 0; i < nb && (uint64_t)i * step + 1 < U; i++)
        b[kb++] = (uint32_t)(i * step + 1);
    expect_sumset(a, ka, b, kb, U, "two progressions");
    /* a progression plus random values */
    {
        uint8_t *seen = tu_xcalloc(U, 1);
        for (i = 0; i < ka; i++)
            seen[a[i]] = 1;
        for (i = 0; i < 400; i++) {
            uint32_t x = (uint32_t)tu_below(&r, U);
            if (!seen[x]) {
                seen[x] = 1;
                a[ka++] = x;
            }
        }
        free(seen);
    }
    expect_sumset(a, ka, b, kb, U, "progression + random");
    free(a);
    free(b);
}
END_TEST

/* Several blocks of 2^20 (U > 2^20), near-quadratic inside each. */
START_TEST(sumset_blocks)
{
    tu_rng r;
    const uint32_t U = (1u << 21) + 12345;
    const size_t na = 3000, nb = 2500;
    uint32_t *a, *b;
    size_t ka, kb;
    if (!tu_begin(&r, "sumset", "blocks", _i))
        return;
    a = tu_xmalloc(na * sizeof *a);
    b = tu_xmalloc(nb * sizeof *b);
    ka = random_set(&r, a, na, 0, U);
    kb = random_set(&r, b, nb, 0, U);
    expect_sumset(a, ka, b, kb, U, "blocks");
    free(a);
    free(b);
}
END_TEST

/* ---- API paths ---------------------------------------------------------------------
 */

typedef struct job {
    const ham_plan *plan;
    const tu_case *c;
    const uint32_t *exp;
    int bad;
} job;

static void *
worker(void *arg)
{
    job *j = arg;
    size_t nd = j->c->n - j->c->m + 1, rounds;
    uint32_t *got = malloc(nd * sizeof *got);
    if (!got) {
        j->bad = 1;
        return NULL;
    }
    for (rounds = 0; rounds < 3; rounds++) {
        int rc = tu_dist(j->plan, j->c, got, nd);
        if (rc != HAM_OK || memcmp(got, j->exp, nd * sizeof *got) != 0)
            j->bad++;
    }
    free(got);
    return NULL;
}

START_TEST(threads)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e, t;
    if (!tu_begin(&r, "api", "threads", _i))
        return;
    random_case(&c, &r, 1500, 40000, 30, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        tune tn;
        ham_plan *plan;
        pthread_t th[4];
        job jobs[4];
        memset(&tn, 0, sizeof tn);
        tn.mode = HAM__PK_DOUBLE;
        tn.load = e ? 1.0 : 0.25;
        plan = make_plan(&c, engines[e], HAM_UNBOUNDED, &tn);
        for (t = 0; t < 4; t++) {
            jobs[t].plan = plan;
            jobs[t].c = &c;
            jobs[t].exp = exp;
            jobs[t].bad = 0;
            ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
        }
        for (t = 0; t < 4; t++) {
            pthread_join(th[t], NULL);
            TU_CHECK(jobs[t].bad == 0, "%s: %s: thread %zu: %d bad runs", tu_where(),
                     ham_engine_name(engines[e]), t, jobs[t].bad);
        }
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

START_TEST(kmis_stream)
{
    tu_rng r;
    tu_case c;
    size_t e;
    if (!tu_begin(&r, "api", "kmis_stream", _i))
        return;
    random_case(&c, &r, 400 + 1500 * (size_t)_i, 40000, 16, _i ? 4 : 1);
    for (e = 0; e < 2; e++) {
        const uint32_t k = (uint32_t)(c.m / 3);
        uint32_t *refk = tu_ref(&c, k);
        tune tn;
        ham_plan *plan;
        ham_stream *s;
        tu_hits h = {0};
        size_t pos = 0, nd = c.n - c.m + 1;
        memset(&tn, 0, sizeof tn);
        tn.mode = HAM__PK_DOUBLE;
        plan = make_plan(&c, engines[e], k, &tn);
        ck_assert_int_eq(tu_kmis(plan, &c, tu_hit_cb, &h), HAM_OK);
        tu_expect_hits(&c, k, refk, nd, &h, SIZE_MAX, ham_engine_name(engines[e]));
        tu_hits_reset(&h);
        ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
        while (pos < c.n) {
            size_t len = tu_range(&r, 1, 9000);
            if (len > c.n - pos)
                len = c.n - pos;
            ck_assert_int_eq(
                c.width == 1
                    ? ham_stream_feed_u8(s, c.text8 + pos, len, tu_hit_cb, &h)
                    : ham_stream_feed_u32(s, c.text32 + pos, len, tu_hit_cb, &h),
                HAM_OK);
            pos += len;
        }
        ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h), HAM_OK);
        tu_expect_hits(&c, k, refk, nd, &h, SIZE_MAX, "stream");
        ham_stream_destroy(s);
        ham_plan_destroy(plan);
        tu_hits_free(&h);
        free(refk);
    }
    tu_case_free(&c);
}
END_TEST

/* The NTT transforms alone: forward then inverse is the identity, and a
 * product gives the cyclic convolution. */
START_TEST(ntt_roundtrip)
{
    tu_rng r;
    size_t n = (size_t)1 << (3 + _i), i, j;
    ham__ntt *t;
    uint64_t *a, *b, *c, *ref;
    if (!tu_begin(&r, "api", "ntt_roundtrip", _i))
        return;
    ck_assert_int_eq(ham__ntt_create(&t, n), HAM_OK);
    a = tu_xmalloc(n * sizeof *a);
    b = tu_xmalloc(n * sizeof *b);
    c = tu_xmalloc(n * sizeof *c);
    ref = tu_xcalloc(n, sizeof *ref);
    for (i = 0; i < n; i++) {
        a[i] = tu_below(&r, 1000);
        b[i] = tu_below(&r, 1000);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            ref[(i + j) % n] += a[i] * b[j];
    memcpy(c, a, n * sizeof *c);
    ham__ntt_forward(t, c);
    ham__ntt_inverse(t, c);
    ck_assert_mem_eq(c, a, n * sizeof *c);
    ham__ntt_forward(t, a);
    ham__ntt_forward(t, b);
    ham__ntt_mac(c, a, b, n, 1);
    ham__ntt_inverse(t, c);
    ck_assert_mem_eq(c, ref, n * sizeof *c);
    ham__ntt_destroy(t);
    free(a);
    free(b);
    free(c);
    free(ref);
}
END_TEST

/* AUTO with both engines as candidates stays exact; the explanation names
 * them with finite costs. */
START_TEST(auto_costs)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    ham_plan *plan;
    char buf[1024];
    if (!tu_begin(&r, "api", "auto_costs", _i))
        return;
    random_case(&c, &r, 2000, 30000, 50, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    plan = make_plan(&c, HAM_ENGINE_AUTO, HAM_UNBOUNDED, NULL);
    expect_plan(plan, &c, HAM_UNBOUNDED, exp, "auto");
    ck_assert_int_eq(ham_plan_explain(plan, c.n, buf, sizeof buf), HAM_OK);
    TU_CHECK(strstr(buf, "packed=") && strstr(buf, "hashed="), "explain: %s", buf);
    TU_CHECK(ham__engine(HAM_ENGINE_PACKED)->cost(plan, c.n) < HUGE_VAL &&
                 ham__engine(HAM_ENGINE_HASHED)->cost(plan, c.n) < HUGE_VAL,
             "%s", buf);
    ham_plan_destroy(plan);
    free(exp);
    tu_case_free(&c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("exact_cjvx");
    TCase *tc;

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, property, 0, 60);
    tcase_add_loop_test(tc, seeds, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("adversary");
    tcase_add_loop_test(tc, adversarial, 0, 2 * ADV_COUNT);
    tcase_add_loop_test(tc, block_edges, 0, 8);
    tcase_add_loop_test(tc, wild_and_k, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("overflow");
    tcase_add_loop_test(tc, overflow, 0, 2);
    tcase_add_loop_test(tc, no_overflow, 0, 2);
    tcase_add_loop_test(tc, collision_seed, 0, 2);
    tcase_add_loop_test(tc, apriori, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("precision");
    tcase_add_test(tc, rule_base_large_m);
    suite_add_tcase(s, tc);

    tc = tu_tcase("data");
    tcase_add_test(tc, data_dna);
    tcase_add_test(tc, data_protein);
    tcase_add_test(tc, data_english);
    tcase_add_test(tc, data_tokens);
    suite_add_tcase(s, tc);

    tc = tu_tcase("sumset");
    tcase_add_loop_test(tc, sumset_near_quadratic, 0, 6);
    tcase_add_loop_test(tc, sumset_progressions, 0, 3);
    tcase_add_test(tc, sumset_blocks);
    suite_add_tcase(s, tc);

    tc = tu_tcase("api");
    tcase_add_loop_test(tc, threads, 0, 2);
    tcase_add_loop_test(tc, kmis_stream, 0, 2);
    tcase_add_loop_test(tc, ntt_roundtrip, 0, 6);
    tcase_add_loop_test(tc, auto_costs, 0, 2);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_exact_cjvx");
}
