/* SPDX-License-Identifier: MIT */
/*
 * check_approx.c -- internal: the (1+eps)-approximate engines, sampling (X1,
 * lib/sampling.c) and 3sum (X3, lib/threesum.c), against the reference
 * tests/ref.c:
 *   contract     planted near-matches with distances spread from 0 to m,
 *                periodic texts and patterns, wildcards, k-bounded plans,
 *                both widths, eps in {0.5, 0.2, 0.1, 0.05}, delta = 1e-6:
 *                every shift in [D, (1+eps) D] (k + 1 allowed only when
 *                (1+eps) D > k), D = 0 reported as 0. Each run prints the
 *                fraction of shifts outside the bounds (it must be 0).
 *   weak         the probabilistic sides on their own: X1 with one
 *                repetition never exceeds (1+eps) D (deterministic) and
 *                falls below D at a rate within its Markov bound; X3 with a
 *                tiny exponent L stays within its union bound.
 *   same         same seed, same bytes: two runs, two plans, ham_kmis,
 *                streams cut in random chunks, every kernel ISA; different
 *                seeds do give different outputs.
 *   bounds       the Chernoff-KL bounds of X3 against a bisection, their
 *                monotonicity and conservative side.
 *   edges        m = 1, m = n, m > n, all-wildcard patterns, tiny and large
 *                eps and delta, u32 alphabets beyond 65535 symbols, AUTO.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_approx
 */
#include "approx.h"

#include "ref.h"
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double eps_list[] = {0.5, 0.2, 0.1, 0.05};
static const ham_engine approx_engines[] = {HAM_ENGINE_SAMPLING, HAM_ENGINE_3SUM};

/* ---- Helpers ------------------------------------------------------------------ */

/* d <= got <= (1+eps) d, 0 exactly for d = 0; with k also k + 1 when
 * (1+eps) d > k. */
static int
within(uint32_t d, uint32_t got, double eps, uint32_t k)
{
    if (d == 0)
        return got == 0;
    if (k != HAM_UNBOUNDED && got == k + 1 && (1.0 + eps) * (double)d > (double)k)
        return 1;
    if (k != HAM_UNBOUNDED && got > k + 1)
        return 0;
    return got >= d && (double)got <= (1.0 + eps) * (double)d + 1e-9;
}

typedef struct tally {
    size_t shifts, outside, zero, maxd;
    double maxrel;
} tally;

static size_t
tally_run(tally *t, const uint32_t *exact, const uint32_t *got, size_t nd, double eps,
          uint32_t k, size_t *first_bad)
{
    size_t i, bad = 0;
    *first_bad = nd;
    for (i = 0; i < nd; i++) {
        const uint32_t d = exact[i];
        if (!within(d, got[i], eps, k)) {
            if (bad++ == 0)
                *first_bad = i;
        }
        if (d == 0)
            t->zero++;
        if (d > t->maxd)
            t->maxd = d;
        if (d > 0 && got[i] <= k && got[i] >= d) {
            const double rel = (double)(got[i] - d) / (double)d;
            if (rel > t->maxrel)
                t->maxrel = rel;
        }
    }
    t->shifts += nd;
    t->outside += bad;
    return bad;
}

static void
tally_print(const char *what, const char *engine, const tally *t)
{
    printf("approx %s: %s: %zu shifts (%zu with D = 0, max D %zu), outside [D, "
           "(1+eps) D]: %zu (fraction %.6f), max (out - D)/D %.4f\n",
           what, engine, t->shifts, t->zero, t->maxd, t->outside,
           t->shifts ? (double)t->outside / (double)t->shifts : 0.0, t->maxrel);
    fflush(stdout);
}

static ham_plan *
make_plan(const tu_case *c, ham_engine e, double eps, double delta, uint32_t k,
          uint64_t seed, unsigned flags)
{
    ham_params p;
    ham_plan *plan = NULL;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.epsilon = eps;
    p.delta = delta;
    p.max_dist = k;
    p.seed = seed;
    p.flags = flags;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: plan %s eps=%g k=%u: %s", tu_where(),
             ham_engine_name(e), eps, (unsigned)k, ham_errname(rc));
    return plan;
}

/* Run plan on c, check the contract against exact, print the tally. */
static uint32_t *
run_check(const tu_case *c, ham_plan *plan, const char *what, double eps, uint32_t k,
          const uint32_t *exact, tally *t)
{
    const size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *got = tu_xmalloc((nd ? nd : 1) * sizeof *got);
    size_t bad, first;
    int rc = tu_dist(plan, c, got, nd);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s", tu_where(), what, ham_errname(rc));
    bad = tally_run(t, exact, got, nd, eps, k, &first);
    TU_CHECK(bad == 0,
             "%s: %s eps=%g k=%u %s: %zu of %zu shifts outside [D, (1+eps) D], first "
             "at %zu: D=%u got %u; replay: %s",
             tu_where(), what, eps, (unsigned)k, tu_case_desc(c), bad, nd, first,
             (unsigned)(first < nd ? exact[first] : 0),
             (unsigned)(first < nd ? got[first] : 0), tu_replay());
    return got;
}

/* Text over alphabet a with planted copies of the pattern whose
 * substitutions are log-uniform in [0, m]: distances spread from 0 to m. */
static void
planted_case_skew(tu_case *c, tu_rng *r, unsigned width, size_t m, size_t n,
                  size_t sigma, int mode, int64_t wildcard, int skew)
{
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc(n * sizeof *text);
    size_t i, np = 4 + (size_t)tu_below(r, 24);
    tu_alpha_make(&a, sigma, mode, width, r);
    tu_gen(r, &a, text, n, skew);
    memcpy(pat, text + tu_below(r, n - m + 1), m * sizeof *pat);
    if (wildcard >= 0)
        for (i = 0; i < m; i++)
            if (tu_chance(r, 1, 10))
                pat[i] = (uint32_t)wildcard;
    for (i = 0; i < np; i++) {
        size_t subs = tu_chance(r, 1, 6) ? 0 : tu_logrange(r, 1, m);
        tu_plant(r, &a, pat, m, text, tu_range(r, 0, n - m), subs);
    }
    tu_case_from32(c, width, pat, m, text, n, wildcard);
    c->alpha = a;
    c->planted = np;
    free(pat);
    free(text);
}

/* The same with a skewed text (one symbol 3/4 of the time) one time in 5. */
static void
planted_case(tu_case *c, tu_rng *r, unsigned width, size_t m, size_t n, size_t sigma,
             int mode, int64_t wildcard)
{
    planted_case_skew(c, r, width, m, n, sigma, mode, wildcard, tu_chance(r, 1, 5));
}

/* Periodic pattern and text (period p over alphabet a) with a few
 * substitutions: half or more of the shifts have small distances. */
static void
periodic_case(tu_case *c, tu_rng *r, unsigned width, size_t m, size_t n, size_t p)
{
    tu_alpha a;
    uint32_t *unit, *pat = tu_xmalloc(m * sizeof *pat),
                    *text = tu_xmalloc(n * sizeof *text);
    size_t i, subs;
    tu_alpha_make(&a, p < 4 ? 4 : p > 256 ? 256 : p, TU_V_SMALL, width, r);
    unit = tu_xmalloc(p * sizeof *unit);
    tu_gen(r, &a, unit, p, 0);
    for (i = 0; i < m; i++)
        pat[i] = unit[i % p];
    for (i = 0; i < n; i++)
        text[i] = unit[i % p];
    subs = tu_range(r, 0, m / 8 + 1);
    for (i = 0; i < subs; i++)
        pat[tu_below(r, m)] = a.sym[tu_below(r, a.size)];
    subs = tu_range(r, 0, n / 16 + 1);
    for (i = 0; i < subs; i++)
        text[tu_below(r, n)] = a.sym[tu_below(r, a.size)];
    tu_case_from32(c, width, pat, m, text, n, -1);
    c->alpha = a;
    free(unit);
    free(pat);
    free(text);
}

/* X1 with colouring (not its exact fallback): force c colours for eps. */
static void
force_colouring(ham_plan *plan, double eps)
{
    const double ep = eps / (1.0 + eps);
    uint32_t c = (uint32_t)ceil(2.718281828 / ep);
    ham__sampling_info in;
    ham__sampling_force(plan, c, 0);
    ck_assert_int_eq(ham__sampling_info_get(plan, &in), HAM_OK);
    TU_CHECK(!in.exact && in.colours == c && in.reps >= 20,
             "forced colouring: c=%u r=%u exact=%d", in.colours, in.reps, in.exact);
}

/* The variants every contract case runs: X1 by its rule (often the exact
 * identity colouring), X1 forced to colour, X3 by its rule (one level of
 * K_1 samples at most shifts, or exact when m is small), X3 with K_1 = 24
 * (many levels even for short patterns) and AUTO. */
#define NVAR 5
static const char *const variant_names[NVAR] = {"sampling", "sampling-colouring",
                                                "3sum", "3sum-K1=24", "auto"};

static void
all_engines(const tu_case *c, double eps, uint32_t k, tu_rng *r, tally *t)
{
    uint32_t *exact = tu_ref(c, REF_UNBOUNDED);
    unsigned v;
    for (v = 0; v < NVAR; v++) {
        const ham_engine e = v == 4 ? HAM_ENGINE_AUTO : approx_engines[v >= 2];
        ham_plan *plan = make_plan(c, e, eps, 1e-6, k, tu_next(r), 0);
        if (v == 1)
            force_colouring(plan, eps);
        if (v == 3)
            ck_assert_int_eq(ham__3sum_tune(plan, 0.0, 24), HAM_OK);
        free(run_check(c, plan, variant_names[v], eps, k, exact, &t[v]));
        ham_plan_destroy(plan);
    }
    free(exact);
}

/* ---- contract ----------------------------------------------------------------- */

START_TEST(contract_planted)
{
    tally t[NVAR];
    tu_rng r;
    int inst;
    unsigned v;
    if (!tu_begin(&r, "contract", "contract_planted", _i))
        return;
    memset(t, 0, sizeof t);
    for (inst = 0; inst < 4; inst++) {
        static const size_t sig8[] = {2, 4, 20, 256}, sig32[] = {4, 300, 3000, 4096};
        const unsigned width = (_i + inst) & 1 ? 4 : 1;
        const size_t m = tu_logrange(&r, 32, 3000);
        const size_t n = m + tu_range(&r, 0, 12000);
        const size_t sigma =
            width == 1 ? sig8[tu_below(&r, 4)] : sig32[tu_below(&r, 4)];
        const double eps = eps_list[tu_below(&r, 4)];
        tu_case c;
        tu_set_inst(inst);
        static const int modes32[] = {TU_V_SMALL, TU_V_HIGH, TU_V_SPREAD};
        planted_case(&c, &r, width, m, n, sigma,
                     width == 1 ? TU_V_LOW : modes32[tu_below(&r, 3)], -1);
        all_engines(&c, eps, HAM_UNBOUNDED, &r, t);
        tu_case_free(&c);
    }
    for (v = 0; v < NVAR; v++)
        tally_print("planted", variant_names[v], &t[v]);
}
END_TEST

START_TEST(contract_periodic)
{
    tally t[NVAR];
    tu_rng r;
    int inst;
    unsigned v;
    if (!tu_begin(&r, "contract", "contract_periodic", _i))
        return;
    memset(t, 0, sizeof t);
    for (inst = 0; inst < 3; inst++) {
        const unsigned width = (_i + inst) & 1 ? 4 : 1;
        const size_t m = tu_logrange(&r, 16, 2000);
        const size_t n = m + tu_range(&r, 0, 8000);
        static const size_t per[] = {2, 3, 5, 16};
        size_t p = tu_chance(&r, 1, 4) ? m / 2 + 1 : per[tu_below(&r, 4)];
        const double eps = eps_list[tu_below(&r, 4)];
        tu_case c;
        tu_set_inst(inst);
        periodic_case(&c, &r, width, m, n, p);
        all_engines(&c, eps, HAM_UNBOUNDED, &r, t);
        tu_case_free(&c);
    }
    for (v = 0; v < NVAR; v++)
        tally_print("periodic", variant_names[v], &t[v]);
}
END_TEST

/* Wildcards and k-bounded approximate plans. */
START_TEST(contract_wild_k)
{
    tally t[NVAR];
    tu_rng r;
    int inst;
    unsigned v;
    if (!tu_begin(&r, "contract", "contract_wild_k", _i))
        return;
    memset(t, 0, sizeof t);
    for (inst = 0; inst < 3; inst++) {
        const unsigned width = (_i + inst) & 1 ? 4 : 1;
        const size_t m = tu_logrange(&r, 40, 2000);
        const size_t n = m + tu_range(&r, 0, 8000);
        const double eps = eps_list[tu_below(&r, 4)];
        const uint32_t k =
            tu_chance(&r, 1, 3) ? HAM_UNBOUNDED : (uint32_t)tu_logrange(&r, 1, m);
        const int64_t wild = tu_chance(&r, 1, 2) ? 7 : -1;
        tu_case c;
        tu_set_inst(inst);
        planted_case(&c, &r, width, m, n, width == 1 ? 20 : 1000, TU_V_SMALL, wild);
        all_engines(&c, eps, k, &r, t);
        tu_case_free(&c);
    }
    for (v = 0; v < NVAR; v++)
        tally_print("wildcard/k", variant_names[v], &t[v]);
}
END_TEST

/* Real data windows (DNA, English, u32 tokens) when the corpus is there. */
START_TEST(contract_data)
{
    static const struct {
        const char *rel;
        int fasta, u32;
    } src[] = {{"dna/ecoli_k12_mg1655.fa.gz", 1, 0},
               {"text/kjv_bible.txt.xz", 0, 0},
               {"wide/kjv_bible.o200k_base.u32le.xz", 0, 1}};
    const char *dir;
    tally t[NVAR];
    tu_rng r;
    size_t len, i;
    unsigned v;
    char rel[512];
    tu_case c;
    uint32_t *text;
    if (!tu_begin(&r, "contract", "contract_data", _i))
        return;
    if (!tu_data_dir_ok(&dir))
        return;
    memset(t, 0, sizeof t);
    snprintf(rel, sizeof rel, "%s", src[_i].rel);
    if (src[_i].u32) {
        text = tu_load_u32(rel, 60000, &len);
    } else {
        uint8_t *b = tu_load(rel, 60000, src[_i].fasta, &len);
        text = tu_xmalloc(len * sizeof *text);
        for (i = 0; i < len; i++)
            text[i] = b[i];
        free(b);
    }
    {
        const size_t m = 2048, n = len < 40000 ? len : 40000;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat);
        memcpy(pat, text + 5000, m * sizeof *pat);
        tu_case_from32(&c, src[_i].u32 ? 4 : 1, pat, m, text, n, -1);
        free(pat);
    }
    all_engines(&c, eps_list[_i + 1], HAM_UNBOUNDED, &r, t);
    tu_case_free(&c);
    free(text);
    for (v = 0; v < NVAR; v++)
        tally_print(src[_i].rel, variant_names[v], &t[v]);
}
END_TEST

/* ---- weak: the probabilistic sides alone ----------------------------------------- */

/* X1 with r = 1: hi <= (1+eps) D always (colourings only merge symbols); hi
 * < D at a rate <= 1/(c e') per shift (Markov). */
START_TEST(weak_sampling)
{
    const double eps = 0.5, ep = eps / (1.0 + eps);
    const uint32_t cc = 6; /* 1/(c e') = 1/2 */
    tu_rng r;
    size_t low = 0, pos = 0, i;
    int inst;
    if (!tu_begin(&r, "weak", "weak_sampling", _i))
        return;
    for (inst = 0; inst < 12; inst++) {
        const unsigned width = inst & 1 ? 4 : 1;
        const size_t m = 300, n = 2300, nd = n - m + 1;
        tu_case c;
        uint32_t *exact, *got;
        ham_plan *plan;
        tu_set_inst(inst);
        planted_case(&c, &r, width, m, n, width == 1 ? 20 : 400, TU_V_SMALL, -1);
        exact = tu_ref(&c, REF_UNBOUNDED);
        plan = make_plan(&c, HAM_ENGINE_SAMPLING, eps, 1e-6, HAM_UNBOUNDED, tu_next(&r),
                         0);
        ham__sampling_force(plan, cc, 1);
        got = tu_xmalloc(nd * sizeof *got);
        ck_assert_int_eq(tu_dist(plan, &c, got, nd), HAM_OK);
        for (i = 0; i < nd; i++) {
            TU_CHECK((double)got[i] <= (1.0 + eps) * (double)exact[i] + 1e-9,
                     "%s: X1 above (1+eps) D at %zu: D=%u got %u", tu_where(), i,
                     (unsigned)exact[i], (unsigned)got[i]);
            if (exact[i] > 0) {
                pos++;
                low += got[i] < exact[i];
            }
        }
        free(got);
        free(exact);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
    printf("approx weak X1 (c=%u, r=1): %zu of %zu shifts below D (%.4f, Markov bound "
           "%.4f)\n",
           (unsigned)cc, low, pos, (double)low / (double)pos, 1.0 / (cc * ep));
    fflush(stdout);
    /* the bound is per shift and shifts are dependent: allow sampling error */
    ck_assert_msg((double)low <= (double)pos / (cc * ep) * 1.05 + 50.0,
                  "X1 below D at rate %g > Markov bound %g", (double)low / (double)pos,
                  1.0 / (cc * ep));
}
END_TEST

/* X3 with a tiny exponent L = 3: each confidence bound fails with
 * probability <= e^-3, and a shift is wrong only if one of its (at most 2
 * per level) bounds fails. */
START_TEST(weak_3sum)
{
    const double eps = 0.2, L = 3.0;
    tu_rng r;
    size_t bad = 0, tot = 0, i, certified = 0;
    double allowed = 0.0;
    int inst;
    if (!tu_begin(&r, "weak", "weak_3sum", _i))
        return;
    for (inst = 0; inst < 8; inst++) {
        const unsigned width = inst & 1 ? 4 : 1;
        const size_t m = 2000, n = 6000, nd = n - m + 1;
        tu_case c;
        uint32_t *exact, *got;
        ham_plan *plan;
        ham__3sum_stats stt;
        ham__3sum_info in;
        tu_set_inst(inst);
        planted_case_skew(&c, &r, width, m, n, 4, TU_V_SMALL, -1, 0);
        exact = tu_ref(&c, REF_UNBOUNDED);
        plan = make_plan(&c, HAM_ENGINE_3SUM, eps, 1e-6, HAM_UNBOUNDED, tu_next(&r), 0);
        ck_assert_int_eq(ham__3sum_tune(plan, L, 32), HAM_OK);
        ck_assert_int_eq(ham__3sum_info_get(plan, &in), HAM_OK);
        ck_assert_uint_gt(in.levels, 0);
        got = tu_xmalloc(nd * sizeof *got);
        memset(&stt, 0, sizeof stt);
        ck_assert_int_eq(ham__3sum_dist_stats(plan,
                                              width == 1 ? (const void *)c.text8
                                                         : (const void *)c.text32,
                                              n, got, HAM_UNBOUNDED, &stt),
                         HAM_OK);
        for (i = 0; i < nd; i++)
            bad += !within(exact[i], got[i], eps, HAM_UNBOUNDED);
        for (i = 0; i < in.levels; i++)
            certified += stt.certified[i];
        tot += nd;
        /* union bound: two bounds per level a shift can pass */
        allowed += 2.0 * (double)in.levels * exp(-L) * (double)nd;
        free(got);
        free(exact);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
    printf("approx weak X3 (L=%.0f): %zu of %zu shifts outside (%.4f; %zu certified, "
           "per-bound bound e^-L = %.4f)\n",
           L, bad, tot, (double)bad / (double)tot, certified, exp(-L));
    fflush(stdout);
    ck_assert_uint_gt(certified, tot / 2);
    ck_assert_msg((double)bad <= allowed * 1.2 + 30.0,
                  "X3 outside at rate %g, union bound %g", (double)bad / (double)tot,
                  allowed / (double)tot);
}
END_TEST

/* ---- same seed, same bytes --------------------------------------------------------
 */

typedef struct hitlist {
    size_t n, cap;
    size_t *pos;
    uint32_t *dist;
} hitlist;

static int
hit_add(void *ctx, size_t pos, uint32_t dist)
{
    hitlist *h = ctx;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 256;
        h->pos = realloc(h->pos, h->cap * sizeof *h->pos);
        h->dist = realloc(h->dist, h->cap * sizeof *h->dist);
        TU_CHECK(h->pos && h->dist, "out of memory");
    }
    h->pos[h->n] = pos;
    h->dist[h->n++] = dist;
    return 0;
}

/* Hits must be exactly {i : dense[i] <= k} with those values. */
static void
expect_hits(const hitlist *h, const uint32_t *dense, size_t nd, uint32_t k,
            const char *what)
{
    size_t i, j = 0;
    for (i = 0; i < nd; i++) {
        if (dense[i] > k)
            continue;
        TU_CHECK(j < h->n && h->pos[j] == i && h->dist[j] == dense[i],
                 "%s: %s: hit %zu: want (%zu, %u), got (%zu, %u)", tu_where(), what, j,
                 i, (unsigned)dense[i], j < h->n ? h->pos[j] : (size_t)0,
                 j < h->n ? (unsigned)h->dist[j] : 0u);
        j++;
    }
    TU_CHECK(j == h->n, "%s: %s: %zu hits, want %zu", tu_where(), what, h->n, j);
}

/* One plan through ham_dist (twice), ham_kmis and a stream in random
 * chunks; k >= m makes every shift a hit, so the hits carry every value. */
START_TEST(same_partitions)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "same", "same_partitions", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        const unsigned width = (_i + inst) & 1 ? 4 : 1;
        /* long enough for several scan blocks (2^15 or 4m shifts) */
        const size_t m = tu_logrange(&r, 50, 2000);
        const size_t n = m + 70000 + tu_below(&r, 30000), nd = n - m + 1;
        const ham_engine e = inst < 2    ? HAM_ENGINE_3SUM
                             : inst == 2 ? HAM_ENGINE_SAMPLING
                                         : HAM_ENGINE_AUTO;
        /* X1 with colouring costs r c transforms per call: the cheap eps */
        const double eps = e == HAM_ENGINE_SAMPLING ? 0.5 : eps_list[tu_below(&r, 4)];
        const uint32_t k = tu_chance(&r, 1, 2) ? (uint32_t)m : (uint32_t)(m / 3);
        uint32_t *a, *b;
        ham_plan *plan, *plan2;
        ham_stream *s;
        hitlist h = {0}, hs = {0};
        size_t off;
        tu_case c;
        tu_set_inst(inst);
        planted_case(&c, &r, width, m, n, width == 1 ? 4 : 600, TU_V_SMALL, -1);
        plan = make_plan(&c, e, eps, 1e-6, k, 1234u + (uint64_t)inst, 0);
        if (e == HAM_ENGINE_SAMPLING)
            force_colouring(plan, eps);
        a = tu_xmalloc(nd * sizeof *a);
        b = tu_xmalloc(nd * sizeof *b);
        ck_assert_int_eq(tu_dist(plan, &c, a, nd), HAM_OK);
        ck_assert_int_eq(tu_dist(plan, &c, b, nd), HAM_OK);
        TU_CHECK(memcmp(a, b, nd * sizeof *a) == 0, "%s: %s: two runs differ",
                 tu_where(), ham_engine_name(e));
        if (e != HAM_ENGINE_SAMPLING) { /* a forced colouring is not a plan param */
            plan2 = make_plan(&c, e, eps, 1e-6, k, 1234u + (uint64_t)inst, 0);
            ck_assert_int_eq(tu_dist(plan2, &c, b, nd), HAM_OK);
            TU_CHECK(memcmp(a, b, nd * sizeof *a) == 0, "%s: %s: two plans differ",
                     tu_where(), ham_engine_name(e));
            ham_plan_destroy(plan2);
        }
        ck_assert_int_eq(tu_kmis(plan, &c, hit_add, &h), HAM_OK);
        expect_hits(&h, a, nd, k, "ham_kmis vs ham_dist");
        ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
        for (off = 0; off < n;) {
            size_t len = tu_chance(&r, 1, 3) ? tu_range(&r, 0, 3 * m)
                                             : tu_logrange(&r, 1, n - off);
            if (len > n - off)
                len = n - off;
            if (width == 1)
                ck_assert_int_eq(
                    ham_stream_feed_u8(s, c.text8 + off, len, hit_add, &hs), HAM_OK);
            else
                ck_assert_int_eq(
                    ham_stream_feed_u32(s, c.text32 + off, len, hit_add, &hs), HAM_OK);
            off += len;
        }
        ck_assert_int_eq(ham_stream_finish(s, hit_add, &hs), HAM_OK);
        ham_stream_destroy(s);
        expect_hits(&hs, a, nd, k, "stream vs ham_dist");
        free(h.pos);
        free(h.dist);
        free(hs.pos);
        free(hs.dist);
        free(a);
        free(b);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
}
END_TEST

/* Kernels of every ISA give the same bytes (they count exactly). */
START_TEST(same_isa)
{
    static const unsigned flags[] = {0, HAM_F_NO_AVX512, HAM_F_NO_SIMD};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "same", "same_isa", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        const unsigned width = inst == 0 ? 1 : 4;
        const size_t sigma = inst == 0   ? 256
                             : inst == 1 ? 200
                                         : 3000; /* codes 1, 1, 2 */
        const size_t m = 1500, n = 9000, nd = n - m + 1;
        uint32_t *a, *b, *exact;
        unsigned f;
        tally t;
        tu_case c;
        tu_set_inst(inst);
        memset(&t, 0, sizeof t);
        planted_case(&c, &r, width, m, n, sigma, width == 1 ? TU_V_LOW : TU_V_SPREAD,
                     -1);
        exact = tu_ref(&c, REF_UNBOUNDED);
        a = NULL;
        for (f = 0; f < 3; f++) {
            ham_plan *plan =
                make_plan(&c, HAM_ENGINE_3SUM, 0.1, 1e-6, HAM_UNBOUNDED, 99, flags[f]);
            b = run_check(&c, plan, "3sum", 0.1, HAM_UNBOUNDED, exact, &t);
            if (a) {
                TU_CHECK(memcmp(a, b, nd * sizeof *a) == 0,
                         "%s: 3sum output differs with flags %u", tu_where(), flags[f]);
                free(b);
            } else {
                a = b;
            }
            ham_plan_destroy(plan);
        }
        free(a);
        free(exact);
        tu_case_free(&c);
    }
}
END_TEST

/* Different seeds give different outputs (the engines are randomised). */
START_TEST(seeds_differ)
{
    tu_rng r;
    unsigned e;
    tu_case c;
    if (!tu_begin(&r, "same", "seeds_differ", _i))
        return;
    for (e = 0; e < 2; e++) {
        const size_t nd = 8000 - 1000 + 1;
        uint32_t *a = NULL, *b;
        uint64_t seed;
        int differ = 0;
        /* 256 symbols: every X1 colouring merges some; X3 certifies most
         * shifts from samples */
        planted_case_skew(&c, &r, 1, 1000, 8000, 256, TU_V_LOW, -1, 0);
        for (seed = 1; seed <= 6 && !differ; seed++) {
            ham_plan *plan =
                make_plan(&c, approx_engines[e], 0.2, 1e-6, HAM_UNBOUNDED, seed, 0);
            if (approx_engines[e] == HAM_ENGINE_SAMPLING)
                force_colouring(plan, 0.2);
            else /* sampled levels, not the exact stage of a short pattern */
                ck_assert_int_eq(ham__3sum_tune(plan, 0.0, 64), HAM_OK);
            b = tu_xmalloc(nd * sizeof *b);
            ck_assert_int_eq(tu_dist(plan, &c, b, nd), HAM_OK);
            if (a) {
                differ = memcmp(a, b, nd * sizeof *a) != 0;
                free(b);
            } else {
                a = b;
            }
            ham_plan_destroy(plan);
        }
        TU_CHECK(differ, "%s: six seeds gave the same output",
                 ham_engine_name(approx_engines[e]));
        free(a);
        tu_case_free(&c);
    }
}
END_TEST

/* ---- bounds
 * -------------------------------------------------------------------------- */

static double
kl_ref(double a, double f)
{
    double v = 0.0;
    if (a > 0.0)
        v += a * log(a / f);
    if (a < 1.0)
        v += (1.0 - a) * log((1.0 - a) / (1.0 - f));
    return v;
}

/* Root of K KL(a || f) = L on (lo, hi) by bisection (KL monotone there). */
static double
bisect(double a, double K, double L, double lo, double hi, int up)
{
    int it;
    for (it = 0; it < 200; it++) {
        const double mid = 0.5 * (lo + hi);
        const int over = K * kl_ref(a, mid) > L;
        if (up ? over : !over)
            hi = mid;
        else
            lo = mid;
    }
    return up ? hi : lo;
}

START_TEST(kl_bounds)
{
    tu_rng r;
    int t;
    if (!tu_begin(&r, "bounds", "kl_bounds", _i))
        return;
    for (t = 0; t < 20000; t++) {
        const double K = (double)tu_logrange(&r, 1, 1u << 20);
        const double y = (double)tu_below(&r, (uint64_t)K + 1);
        const double L = 0.01 * (double)tu_logrange(&r, 1, 20000);
        const double a = y / K;
        const double fh = ham__3sum_f_hi(y, K, L), fl = ham__3sum_f_lo(y, K, L);
        TU_CHECK(fl <= a && a <= fh && fl >= 0.0 && fh <= 1.0,
                 "bounds out of order: y=%g K=%g L=%g: %g %g %g", y, K, L, fl, a, fh);
        if (a < 1.0) {
            const double ref = bisect(a, K, L, a, 1.0, 1);
            /* conservative, and not by more than a hair */
            TU_CHECK(fh >= ref - 1e-12 && fh <= ref + 1e-9 + 1e-9 * ref,
                     "f_hi y=%g K=%g L=%g: %.17g, bisection %.17g", y, K, L, fh, ref);
        }
        if (a > 0.0) {
            const double ref = bisect(a, K, L, 0.0, a, 0);
            TU_CHECK(fl <= ref + 1e-12 && fl >= ref - 1e-9 - 1e-9 * ref,
                     "f_lo y=%g K=%g L=%g: %.17g, bisection %.17g", y, K, L, fl, ref);
        }
        if (y + 1.0 <= K) { /* monotone in y */
            TU_CHECK(ham__3sum_f_hi(y + 1.0, K, L) >= fh &&
                         ham__3sum_f_lo(y + 1.0, K, L) >= fl,
                     "bounds not monotone at y=%g K=%g L=%g", y, K, L);
        }
    }
}
END_TEST

/* ---- edges
 * -------------------------------------------------------------------------------- */

START_TEST(edge_sizes)
{
    static const size_t ms[] = {1, 2, 7, 64, 65, 300};
    tu_rng r;
    size_t mi;
    if (!tu_begin(&r, "edges", "edge_sizes", _i))
        return;
    for (mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
        static const size_t extra[] = {0, 1, 63, 64, 65, 255, 256, 257, 1000};
        size_t xi;
        for (xi = 0; xi < sizeof extra / sizeof extra[0]; xi++) {
            const size_t m = ms[mi], n = m + extra[xi];
            tally t[NVAR];
            tu_case c;
            memset(t, 0, sizeof t);
            planted_case(&c, &r, (unsigned)(1 + 3 * (xi & 1)), m, n, 3, TU_V_SMALL,
                         tu_chance(&r, 1, 4) ? 1 : -1);
            all_engines(&c, eps_list[xi & 3], HAM_UNBOUNDED, &r, t);
            tu_case_free(&c);
        }
    }
}
END_TEST

/* m > n (nothing written), an all-wildcard pattern (all 0), tiny and large
 * eps and delta, and a u32 alphabet beyond 65535 symbols (raw 32-bit codes). */
START_TEST(edge_params)
{
    tu_rng r;
    unsigned e;
    if (!tu_begin(&r, "edges", "edge_params", _i))
        return;
    for (e = 0; e < 2; e++) {
        uint32_t pat[8] = {5, 5, 5, 5, 5, 5, 5, 5}, text[20], out[13];
        tu_case c;
        ham_plan *plan;
        size_t i;
        for (i = 0; i < 20; i++)
            text[i] = (uint32_t)tu_below(&r, 9);
        /* m > n */
        tu_case_from32(&c, 1, pat, 8, text, 5, -1);
        plan = make_plan(&c, approx_engines[e], 0.1, 1e-6, HAM_UNBOUNDED, 1, 0);
        ck_assert_int_eq(tu_dist(plan, &c, out, 0), HAM_OK);
        ham_plan_destroy(plan);
        tu_case_free(&c);
        /* all wildcards */
        tu_case_from32(&c, 4, pat, 8, text, 20, 5);
        plan = make_plan(&c, approx_engines[e], 0.1, 1e-6, HAM_UNBOUNDED, 1, 0);
        tu_fill32(out, 13, TU_SENTINEL32);
        ck_assert_int_eq(tu_dist(plan, &c, out, 13), HAM_OK);
        ck_assert_uint_eq(tu_find_not32(out, 13, 0), 13);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
    {
        /* tiny eps and delta (every shift exact), eps near 1, delta near 1 */
        static const double ed[][2] = {{1e-4, 1e-6}, {0.1, 1e-300}, {0.999, 0.999}};
        unsigned q;
        for (q = 0; q < 3; q++) {
            tally t[NVAR];
            tu_case c;
            uint32_t *exact;
            memset(t, 0, sizeof t);
            planted_case(&c, &r, q & 1 ? 4 : 1, 500, 3000, 20, TU_V_SMALL, -1);
            exact = tu_ref(&c, REF_UNBOUNDED);
            for (e = 0; e < 2; e++) {
                ham_plan *plan = make_plan(&c, approx_engines[e], ed[q][0], ed[q][1],
                                           HAM_UNBOUNDED, 3, 0);
                free(run_check(&c, plan, ham_engine_name(approx_engines[e]), ed[q][0],
                               HAM_UNBOUNDED, exact, &t[e]));
                ham_plan_destroy(plan);
            }
            free(exact);
            tu_case_free(&c);
        }
    }
    {
        /* ~66000 distinct u32 symbols: X3 compares raw 32-bit codes */
        const size_t m = 66000, n = 67000;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat),
                 *text = tu_xmalloc(n * sizeof *text);
        size_t i;
        tally t[NVAR];
        tu_case c;
        uint32_t *exact;
        ham__3sum_info in;
        ham_plan *plan;
        memset(t, 0, sizeof t);
        for (i = 0; i < n; i++)
            text[i] = (uint32_t)(i * 2654435761u) ^ 0x5bd1e995u;
        for (i = 0; i < 20; i++)
            text[tu_below(&r, n)] = text[tu_below(&r, n)];
        memcpy(pat, text + 500, m * sizeof *pat);
        tu_case_from32(&c, 4, pat, m, text, n, -1);
        exact = tu_ref(&c, REF_UNBOUNDED);
        plan = make_plan(&c, HAM_ENGINE_3SUM, 0.1, 1e-6, HAM_UNBOUNDED, 5, 0);
        ck_assert_int_eq(ham__3sum_info_get(plan, &in), HAM_OK);
        ck_assert_uint_eq(in.code_bytes, 4);
        ck_assert_uint_gt(in.levels, 0);
        free(run_check(&c, plan, "3sum raw u32", 0.1, HAM_UNBOUNDED, exact, &t[0]));
        ham_plan_destroy(plan);
        free(exact);
        free(pat);
        free(text);
        tu_case_free(&c);
    }
}
END_TEST

/* AUTO with eps > 0 picks one engine whatever the text length (ham_dist,
 * ham_kmis and streams must agree), and serves requests exactly when exact
 * engines are cheaper. */
START_TEST(auto_choice)
{
    tu_rng r;
    tu_case c;
    ham_plan *plan;
    ham_engine e0;
    size_t n;
    if (!tu_begin(&r, "edges", "auto_choice", _i))
        return;
    planted_case(&c, &r, 1, 1000, 5000, 256, TU_V_LOW, -1);
    plan = make_plan(&c, HAM_ENGINE_AUTO, 0.1, 1e-6, HAM_UNBOUNDED, 1, 0);
    e0 = ham_plan_engine(plan, 1000);
    for (n = 1000; n < ((size_t)1 << 36); n *= 7)
        ck_assert_int_eq(ham_plan_engine(plan, n), e0);
    ham_plan_destroy(plan);
    tu_case_free(&c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("approx");
    TCase *tc;

    tc = tu_tcase("contract");
    tcase_add_loop_test(tc, contract_planted, 0, 6);
    tcase_add_loop_test(tc, contract_periodic, 0, 4);
    tcase_add_loop_test(tc, contract_wild_k, 0, 4);
    tcase_add_loop_test(tc, contract_data, 0, 3);
    suite_add_tcase(s, tc);

    tc = tu_tcase("weak");
    tcase_add_test(tc, weak_sampling);
    tcase_add_test(tc, weak_3sum);
    suite_add_tcase(s, tc);

    tc = tu_tcase("same");
    tcase_add_loop_test(tc, same_partitions, 0, 2);
    tcase_add_test(tc, same_isa);
    tcase_add_test(tc, seeds_differ);
    suite_add_tcase(s, tc);

    tc = tu_tcase("bounds");
    tcase_add_test(tc, kl_bounds);
    suite_add_tcase(s, tc);

    tc = tu_tcase("edges");
    tcase_add_test(tc, edge_sizes);
    tcase_add_test(tc, edge_params);
    tcase_add_test(tc, auto_choice);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_approx");
}
