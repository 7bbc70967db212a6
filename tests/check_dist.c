/* SPDX-License-Identifier: MIT */
/*
 * check_dist.c -- ham_dist_u8 / ham_dist_u32 against the reference (ref.c):
 * seeded property tests (>= 10^4 random instances per width), metamorphic
 * properties (u8 -> u32 injection, alphabet permutation, kernel flags,
 * thread counts, split texts), every available engine, approximate plans,
 * a plan shared by threads, and named edge cases (style.md 9).
 *
 * Replay a failure with the line its message prints:
 *   HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=property tests/check_dist
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSTANCES 50 /* random instances per loop iteration of "property" */

/* ---- Helpers -------------------------------------------------------------- */

static uint32_t *
bound_copy(const uint32_t *exact, size_t nd, uint32_t k)
{
    uint32_t *e = tu_xmalloc(nd * sizeof *e);
    size_t i;
    for (i = 0; i < nd; i++)
        e[i] = ref_bound(exact[i], k);
    return e;
}

static int
dist_raw(const ham_plan *plan, unsigned width, const void *text, size_t n,
         uint32_t *out, size_t cap)
{
    if (width == 1)
        return ham_dist_u8(plan, text, n, out, cap);
    return ham_dist_u32(plan, text, n, out, cap);
}

/* FNV-1a of a buffer: the text must be unchanged by ham_dist (it is const). */
static uint64_t
hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static const char *
describe(const char *what, const ham_params *p)
{
    static char buf[200];
    snprintf(buf, sizeof buf, "%s engine=%s flags=0x%x threads=%u eps=%g", what,
             ham_engine_name(p->engine), p->flags, p->threads, p->epsilon);
    return buf;
}

/*
 * Plan c with p (wildcard from c), run ham_dist on `text` (c's own text when
 * NULL), expect the exact reference clamped to p->max_dist. The output has
 * exactly HAM_NDIST slots, so ASan sees a write past the end.
 */
static void
expect_plan_text(const tu_case *c, const ham_params *p, const uint32_t *exact,
                 const void *text, const char *what)
{
    size_t nd = HAM_NDIST(c->n, c->m);
    ham_plan *plan = NULL;
    uint32_t *got;
    uint64_t before;
    char desc[200];
    int rc = tu_plan(c, p, &plan);
    snprintf(desc, sizeof desc, "%s", describe(what, p));
    TU_CHECK(rc == HAM_OK, "%s: %s: %s: plan creation failed: %s; replay: %s",
             tu_where(), desc, tu_case_desc(c), ham_errname(rc), tu_replay());
    if (!text)
        text = c->width == 1 ? (const void *)c->text8 : (const void *)c->text32;
    before = hash_bytes(text, c->n * c->width);
    if (nd == 0) {
        uint32_t slot = TU_SENTINEL32;
        rc = dist_raw(plan, c->width, text, c->n, &slot, 0);
        TU_CHECK(rc == HAM_OK && slot == TU_SENTINEL32,
                 "%s: %s: %s: m > n must be HAM_OK writing nothing, got %s (slot %x); "
                 "replay: %s",
                 tu_where(), desc, tu_case_desc(c), ham_errname(rc), (unsigned)slot,
                 tu_replay());
    } else {
        uint32_t *exp = bound_copy(exact, nd, p->max_dist);
        got = tu_xmalloc(nd * sizeof *got);
        rc = dist_raw(plan, c->width, text, c->n, got, nd);
        TU_CHECK(rc == HAM_OK, "%s: %s: %s: ham_dist: %s; replay: %s", tu_where(), desc,
                 tu_case_desc(c), ham_errname(rc), tu_replay());
        tu_expect_dist(c, p->max_dist, exp, got, nd, desc);
        free(exp);
        free(got);
    }
    TU_CHECK(hash_bytes(text, c->n * c->width) == before,
             "%s: %s: %s: ham_dist modified the text; replay: %s", tu_where(), desc,
             tu_case_desc(c), tu_replay());
    ham_plan_destroy(plan);
}

static void
expect_plan(const tu_case *c, const ham_params *p, const uint32_t *exact,
            const char *what)
{
    expect_plan_text(c, p, exact, NULL, what);
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 10)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return (uint32_t)tu_range(r, 2, 8);
    case 3:
        return (uint32_t)(m - 1);
    case 4:
        return (uint32_t)m;
    case 5:
        return (uint32_t)(m + 5);
    case 6:
        return UINT32_MAX - 1;
    case 7:
    case 8:
        return (uint32_t)tu_below(r, m + 1);
    default:
        return HAM_UNBOUNDED;
    }
}

/* engines x kernel flags x a few k: everything must equal the reference */
static const unsigned kernel_flags[] = {0, HAM_F_NO_SIMD, HAM_F_NO_AVX512};

static void
all_ways(const tu_case *c, const uint32_t *ks, size_t nks, const void *text,
         const char *what)
{
    static const ham_engine engines[] = {HAM_ENGINE_AUTO, HAM_ENGINE_NAIVE};
    uint32_t *exact = tu_ref(c, REF_UNBOUNDED);
    size_t e, f, k;
    for (e = 0; e < 2; e++)
        for (f = 0; f < 3; f++)
            for (k = 0; k < nks; k++) {
                ham_params p;
                ham_params_init(&p);
                p.engine = engines[e];
                p.flags = kernel_flags[f];
                p.max_dist = ks[k];
                expect_plan_text(c, &p, exact, text, what);
            }
    free(exact);
}

/* The k values every edge case tries. */
static size_t
edge_ks(size_t m, uint32_t *ks)
{
    size_t n = 0;
    ks[n++] = HAM_UNBOUNDED;
    ks[n++] = 0;
    ks[n++] = 1;
    ks[n++] = (uint32_t)(m / 2);
    ks[n++] = (uint32_t)(m - 1);
    ks[n++] = (uint32_t)m;
    return n;
}

static void
all_ways_default(const tu_case *c, const char *what)
{
    uint32_t ks[8];
    all_ways(c, ks, edge_ks(c->m, ks), NULL, what);
}

/* ---- Property tests -------------------------------------------------------- */

static void
property(unsigned width, int iter)
{
    static const tu_shape shape = {1, 300, 3000, 30, 50};
    static const tu_shape big = {1000, 5000, 600, 30, 50};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", width == 1 ? "property_u8" : "property_u32", iter))
        return;
    for (inst = 0; inst < INSTANCES; inst++) {
        tu_case c;
        ham_params p;
        uint32_t *exact, k;
        int auto_first = inst & 1;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, inst == 0 && iter % 4 == 0 ? &big : &shape);
        exact = tu_ref(&c, REF_UNBOUNDED);
        /* exact with one engine, k-bounded with the other */
        ham_params_init(&p);
        p.engine = auto_first ? HAM_ENGINE_AUTO : HAM_ENGINE_NAIVE;
        expect_plan(&c, &p, exact, "exact");
        k = pick_k(&r, c.m);
        p.engine = auto_first ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
        p.max_dist = k;
        expect_plan(&c, &p, exact, "k-bounded");
        if (tu_chance(&r, 1, 8)) { /* the reference agrees with itself */
            size_t nd = HAM_NDIST(c.n, c.m), ndiff;
            uint32_t *b = tu_ref(&c, k), *e = bound_copy(exact, nd, k);
            TU_CHECK(tu_first_diff32(b, e, nd, &ndiff) == nd,
                     "%s: reference with k=%u disagrees with the clamped exact one",
                     tu_where(), (unsigned)k);
            free(b);
            free(e);
        }
        free(exact);
        tu_case_free(&c);
    }
}

START_TEST(property_u8)
{
    property(1, _i);
}
END_TEST

START_TEST(property_u32)
{
    property(4, _i);
}
END_TEST

/* ---- Metamorphic ----------------------------------------------------------- */

static const tu_shape meta_shape = {1, 400, 2000, 30, 50};

/* u8 text mapped injectively to u32 gives the same distances. */
START_TEST(meta_u8_to_u32)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "metamorphic", "meta_u8_to_u32", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        tu_case c8, c32;
        tu_alpha img;
        uint32_t *pm, *tm, *exact, k;
        size_t i, nd;
        ham_params p;
        tu_set_inst(inst);
        tu_case_random(&c8, &r, 1, &meta_shape);
        tu_alpha_make(&img, 256, (int)tu_range(&r, TU_V_SMALL, TU_V_SPREAD), 4, &r);
        pm = tu_xmalloc(c8.m * sizeof *pm);
        tm = tu_xmalloc((c8.n ? c8.n : 1) * sizeof *tm);
        for (i = 0; i < c8.m; i++)
            pm[i] = img.sym[c8.pat8[i]];
        for (i = 0; i < c8.n; i++)
            tm[i] = img.sym[c8.text8[i]];
        tu_case_from32(&c32, 4, pm, c8.m, tm, c8.n,
                       c8.wildcard >= 0 ? (int64_t)img.sym[c8.wildcard] : -1);
        exact = tu_ref(&c8, REF_UNBOUNDED);
        nd = HAM_NDIST(c8.n, c8.m);
        { /* the reference itself is invariant */
            uint32_t *e32 = tu_ref(&c32, REF_UNBOUNDED);
            size_t ndiff;
            TU_CHECK(tu_first_diff32(exact, e32, nd, &ndiff) == nd,
                     "%s: reference not invariant under u8->u32", tu_where());
            free(e32);
        }
        ham_params_init(&p);
        k = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : pick_k(&r, c8.m);
        p.max_dist = k;
        p.engine = tu_chance(&r, 1, 2) ? HAM_ENGINE_AUTO : HAM_ENGINE_NAIVE;
        expect_plan(&c8, &p, exact, "u8 original");
        expect_plan(&c32, &p, exact, "u8 mapped to u32");
        free(exact);
        free(pm);
        free(tm);
        tu_case_free(&c8);
        tu_case_free(&c32);
    }
}
END_TEST

/* A bijection on the symbols (pattern, text and wildcard) changes nothing. */
START_TEST(meta_permute)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "metamorphic", "meta_permute", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        unsigned width = inst & 1 ? 4 : 1;
        tu_case c, d;
        uint32_t perm[256], mul = (uint32_t)tu_next(&r) | 1u,
                            add = (uint32_t)tu_next(&r);
        uint32_t *pm, *tm, *exact;
        size_t i;
        ham_params p;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &meta_shape);
        for (i = 0; i < 256; i++)
            perm[i] = (uint32_t)i;
        for (i = 255; i > 0; i--) {
            size_t j = (size_t)tu_below(&r, i + 1);
            uint32_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
#define PERM(x) (width == 1 ? perm[(x)&255u] : (uint32_t)((x)*mul + add))
        pm = tu_xmalloc(c.m * sizeof *pm);
        tm = tu_xmalloc((c.n ? c.n : 1) * sizeof *tm);
        for (i = 0; i < c.m; i++)
            pm[i] = PERM(c.pat32[i]);
        for (i = 0; i < c.n; i++)
            tm[i] = PERM(c.text32[i]);
        tu_case_from32(&d, width, pm, c.m, tm, c.n,
                       c.wildcard >= 0 ? (int64_t)PERM((uint32_t)c.wildcard) : -1);
#undef PERM
        exact = tu_ref(&c, REF_UNBOUNDED);
        ham_params_init(&p);
        p.max_dist = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : pick_k(&r, c.m);
        p.engine = tu_chance(&r, 1, 2) ? HAM_ENGINE_AUTO : HAM_ENGINE_NAIVE;
        expect_plan(&c, &p, exact, "original");
        expect_plan(&d, &p, exact, "permuted alphabet");
        free(exact);
        free(pm);
        free(tm);
        tu_case_free(&c);
        tu_case_free(&d);
    }
}
END_TEST

/* HAM_F_NO_SIMD (portable), HAM_F_NO_AVX512 (AVX2), HAM_F_MEASURE, thread
 * counts and seeds: output identical to the default (and to the reference). */
START_TEST(meta_flags)
{
    static const struct {
        unsigned flags, threads;
        uint64_t seed;
    } var[] = {{HAM_F_NO_SIMD, 0, 0},
               {HAM_F_NO_AVX512, 0, 0},
               {HAM_F_NO_SIMD | HAM_F_NO_AVX512, 0, 0},
               {HAM_F_MEASURE, 0, 0},
               {0, 1, 0},
               {0, 2, 0},
               {0, 4, 0},
               {HAM_F_NO_SIMD, 3, 0},
               {0, 0, 0x123456789abcdefull}};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "metamorphic", "meta_flags", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        unsigned width = inst & 1 ? 4 : 1;
        tu_case c;
        uint32_t *exact, *base, *got;
        size_t nd, v, ndiff, at;
        ham_params p;
        ham_plan *plan;
        int e;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &meta_shape);
        nd = HAM_NDIST(c.n, c.m);
        exact = tu_ref(&c, REF_UNBOUNDED);
        for (e = 0; e < 2; e++) {
            ham_params_init(&p);
            p.engine = e ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
            p.max_dist = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : pick_k(&r, c.m);
            expect_plan(&c, &p, exact, "default flags");
            if (nd == 0)
                continue;
            base = bound_copy(exact, nd, p.max_dist);
            for (v = 0; v < sizeof var / sizeof var[0]; v++) {
                ham_params q = p;
                int rc;
                q.flags = var[v].flags;
                q.threads = var[v].threads;
                q.seed = var[v].seed;
                ck_assert_int_eq(tu_plan(&c, &q, &plan), HAM_OK);
                got = tu_xmalloc(nd * sizeof *got);
                rc = tu_dist(plan, &c, got, nd);
                TU_CHECK(rc == HAM_OK, "%s: %s", describe("variant", &q),
                         ham_errname(rc));
                at = tu_first_diff32(base, got, nd, &ndiff);
                TU_CHECK(at == nd,
                         "%s: %s: %s k=%u: differs from default flags at %zu of %zu "
                         "shifts, first pos=%zu: default/ref %u, got %u; replay: %s",
                         tu_where(), describe("variant", &q), tu_case_desc(&c),
                         (unsigned)q.max_dist, ndiff, nd, at,
                         (unsigned)(at < nd ? base[at] : 0),
                         (unsigned)(at < nd ? got[at] : 0), tu_replay());
                /* a second run of the same plan gives the same again */
                rc = tu_dist(plan, &c, got, nd);
                ck_assert_int_eq(rc, HAM_OK);
                TU_CHECK(tu_first_diff32(base, got, nd, &ndiff) == nd,
                         "%s: %s: second run of a plan differs", tu_where(),
                         describe("variant", &q));
                free(got);
                ham_plan_destroy(plan);
            }
            free(base);
        }
        free(exact);
        tu_case_free(&c);
    }
}
END_TEST

/* Splitting the text at any shift a (text[0 .. a+m-2] and text[a ..]) gives
 * the two halves of the one-shot distances. */
START_TEST(meta_split)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "metamorphic", "meta_split", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        unsigned width = inst & 1 ? 4 : 1;
        size_t w = width, nd, a, n1, n2, ndiff;
        tu_case c;
        ham_params p;
        ham_plan *plan;
        uint32_t *exact, *exp, *got;
        unsigned char *t1, *t2;
        const unsigned char *text;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &meta_shape);
        nd = HAM_NDIST(c.n, c.m);
        if (nd < 2) {
            tu_case_free(&c);
            continue;
        }
        text = width == 1 ? (const unsigned char *)c.text8
                          : (const unsigned char *)c.text32;
        exact = tu_ref(&c, REF_UNBOUNDED);
        ham_params_init(&p);
        p.max_dist = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : pick_k(&r, c.m);
        exp = bound_copy(exact, nd, p.max_dist);
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        a = tu_range(&r, 1, nd - 1);
        n1 = a + c.m - 1; /* shifts 0 .. a-1 */
        n2 = c.n - a;     /* shifts a .. nd-1 */
        t1 = tu_xmalloc(n1 * w);
        t2 = tu_xmalloc(n2 * w);
        memcpy(t1, text, n1 * w);
        memcpy(t2, text + a * w, n2 * w);
        got = tu_xmalloc(a * sizeof *got);
        ck_assert_int_eq(dist_raw(plan, width, t1, n1, got, a), HAM_OK);
        TU_CHECK(tu_first_diff32(exp, got, a, &ndiff) == a,
                 "%s: %s: split at %zu: first part differs; replay: %s", tu_where(),
                 tu_case_desc(&c), a, tu_replay());
        free(got);
        got = tu_xmalloc((nd - a) * sizeof *got);
        ck_assert_int_eq(dist_raw(plan, width, t2, n2, got, nd - a), HAM_OK);
        TU_CHECK(tu_first_diff32(exp + a, got, nd - a, &ndiff) == nd - a,
                 "%s: %s: split at %zu: second part differs; replay: %s", tu_where(),
                 tu_case_desc(&c), a, tu_replay());
        free(got);
        free(t1);
        free(t2);
        free(exp);
        free(exact);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
}
END_TEST

/* ---- Engines and approximate plans ----------------------------------------- */

static int
is_kbounded_only(ham_engine e)
{
    return e == HAM_ENGINE_KANGAROO || e == HAM_ENGINE_KBOUNDED ||
           e == HAM_ENGINE_BITPARALLEL;
}

static int
is_approx_only(ham_engine e)
{
    return e == HAM_ENGINE_SAMPLING || e == HAM_ENGINE_3SUM;
}

/* d <= got <= (1+eps) d, 0 exactly for 0; with k also k+1 when (1+eps) d > k. */
static int
approx_ok(uint32_t d, uint32_t got, double eps, uint32_t k)
{
    if (d == 0)
        return got == 0;
    if (k != HAM_UNBOUNDED && got == k + 1 && (1.0 + eps) * (double)d > (double)k)
        return 1;
    return got >= d && (double)got <= (1.0 + eps) * (double)d + 1e-9;
}

static void
expect_approx(const tu_case *c, ham_engine e, double eps, uint32_t k, uint64_t seed,
              const uint32_t *exact)
{
    size_t nd = HAM_NDIST(c->n, c->m), i, ndiff;
    ham_params p;
    ham_plan *plan, *plan2;
    uint32_t *got, *again;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.epsilon = eps;
    p.max_dist = k;
    p.seed = seed;
    p.delta = 1e-9;
    rc = tu_plan(c, &p, &plan);
    if (rc == HAM_EUNSUPPORTED && e != HAM_ENGINE_AUTO)
        return;
    TU_CHECK(rc == HAM_OK, "%s: %s: %s", tu_where(), describe("approx plan", &p),
             ham_errname(rc));
    if (nd == 0) {
        ham_plan_destroy(plan);
        return;
    }
    got = tu_xmalloc(nd * sizeof *got);
    again = tu_xmalloc(nd * sizeof *again);
    ck_assert_int_eq(tu_dist(plan, c, got, nd), HAM_OK);
    for (i = 0; i < nd; i++)
        if (!approx_ok(exact[i], got[i], eps, k))
            break;
    TU_CHECK(i == nd,
             "%s: %s: %s k=%u: pos=%zu exact %u, got %u, outside [d, (1+eps) d]; "
             "replay: %s",
             tu_where(), describe("approx", &p), tu_case_desc(c), (unsigned)k, i,
             (unsigned)(i < nd ? exact[i] : 0), (unsigned)(i < nd ? got[i] : 0),
             tu_replay());
    /* same seed, same output: the same plan again, and a new plan */
    ck_assert_int_eq(tu_dist(plan, c, again, nd), HAM_OK);
    TU_CHECK(tu_first_diff32(got, again, nd, &ndiff) == nd,
             "%s: %s: two runs of one plan differ", tu_where(), describe("approx", &p));
    ck_assert_int_eq(tu_plan(c, &p, &plan2), HAM_OK);
    ck_assert_int_eq(tu_dist(plan2, c, again, nd), HAM_OK);
    TU_CHECK(tu_first_diff32(got, again, nd, &ndiff) == nd,
             "%s: %s: two plans with the same seed differ", tu_where(),
             describe("approx", &p));
    ham_plan_destroy(plan2);
    ham_plan_destroy(plan);
    free(got);
    free(again);
}

START_TEST(approx_plans)
{
    static const double eps[] = {0.01, 0.1, 0.5, 0.9};
    tu_rng r;
    int inst;
    unsigned e;
    if (!tu_begin(&r, "engines", "approx_plans", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        unsigned width = inst & 1 ? 4 : 1;
        tu_case c;
        uint32_t *exact;
        double ep = eps[tu_below(&r, 4)];
        uint32_t k = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : pick_k(&r, 64);
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &meta_shape);
        exact = tu_ref(&c, REF_UNBOUNDED);
        expect_approx(&c, HAM_ENGINE_AUTO, ep, k, (uint64_t)inst, exact);
        for (e = 1; e < HAM_ENGINE_COUNT_; e++)
            if (ham_engine_available((ham_engine)e) && is_approx_only((ham_engine)e))
                expect_approx(&c, (ham_engine)e, ep, k, tu_next(&r), exact);
        free(exact);
        tu_case_free(&c);
    }
}
END_TEST

/* Every available engine, forced, on requests of its kind. An engine may
 * decline a request it cannot serve (HAM_EUNSUPPORTED) but must serve some. */
START_TEST(forced_engines)
{
    unsigned e;
    tu_rng r;
    if (!tu_begin(&r, "engines", "forced_engines", _i))
        return;
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        int inst, served = 0;
        if (!ham_engine_available((ham_engine)e) || is_approx_only((ham_engine)e))
            continue;
        for (inst = 0; inst < 10; inst++) {
            unsigned width = inst & 1 ? 4 : 1;
            tu_case c;
            uint32_t *exact;
            ham_params p;
            ham_plan *plan;
            int rc;
            tu_set_inst(inst);
            tu_case_random(&c, &r, width, &meta_shape);
            exact = tu_ref(&c, REF_UNBOUNDED);
            ham_params_init(&p);
            p.engine = (ham_engine)e;
            p.max_dist = is_kbounded_only((ham_engine)e) || tu_chance(&r, 1, 2)
                             ? pick_k(&r, c.m)
                             : HAM_UNBOUNDED;
            if (is_kbounded_only((ham_engine)e) && p.max_dist == HAM_UNBOUNDED)
                p.max_dist = 3;
            rc = tu_plan(&c, &p, &plan);
            TU_CHECK(rc == HAM_OK || (rc == HAM_EUNSUPPORTED && e != HAM_ENGINE_NAIVE),
                     "%s: %s: %s: plan creation: %s", tu_where(),
                     describe("forced", &p), tu_case_desc(&c), ham_errname(rc));
            if (rc == HAM_OK) {
                ham_plan_destroy(plan);
                expect_plan(&c, &p, exact, "forced engine");
                served++;
            }
            free(exact);
            tu_case_free(&c);
        }
        TU_CHECK(served > 0, "%s: forced engine %s declined every request", tu_where(),
                 ham_engine_name((ham_engine)e));
    }
}
END_TEST

/* ---- One plan, many threads ------------------------------------------------- */

typedef struct thread_job {
    const ham_plan *plan;
    const tu_case *c;
    const uint32_t *exp;
    size_t nd;
    int rounds;
    int bad; /* runs with a wrong status or output */
} thread_job;

static void *
thread_main(void *arg)
{
    thread_job *j = arg;
    uint32_t *got = malloc(j->nd * sizeof *got);
    int i;
    if (!got) {
        j->bad = -1;
        return NULL;
    }
    for (i = 0; i < j->rounds; i++) {
        size_t ndiff;
        if (tu_dist(j->plan, j->c, got, j->nd) != HAM_OK ||
            tu_first_diff32(j->exp, got, j->nd, &ndiff) != j->nd)
            j->bad++;
    }
    free(got);
    return NULL;
}

START_TEST(shared_plan_threads)
{
    enum { NT = 4 };
    tu_rng r;
    tu_case pc, cases[NT];
    thread_job jobs[NT];
    pthread_t tid[NT];
    ham_params p;
    ham_plan *plan;
    size_t t, m = 200;
    unsigned width;
    if (!tu_begin(&r, "engines", "shared_plan_threads", _i))
        return;
    width = _i & 1 ? 4 : 1;
    {
        tu_alpha a;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat);
        tu_alpha_make(&a, 4, TU_V_LOW, width, &r);
        tu_gen(&r, &a, pat, m, 0);
        tu_case_from32(&pc, width, pat, m, NULL, 0, -1);
        for (t = 0; t < NT; t++) {
            size_t n = 3000 + 500 * t, i;
            uint32_t *text = tu_xmalloc(n * sizeof *text);
            tu_gen(&r, &a, text, n, 0);
            for (i = 0; i < 5; i++)
                tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), tu_below(&r, 6));
            tu_case_from32(&cases[t], width, pat, m, text, n, -1);
            free(text);
        }
        free(pat);
    }
    ham_params_init(&p);
    p.max_dist = _i < 2 ? HAM_UNBOUNDED : 20;
    ck_assert_int_eq(tu_plan(&pc, &p, &plan), HAM_OK);
    for (t = 0; t < NT; t++) {
        jobs[t].plan = plan;
        jobs[t].c = &cases[t];
        jobs[t].nd = HAM_NDIST(cases[t].n, m);
        jobs[t].exp = tu_ref(&cases[t], p.max_dist);
        jobs[t].rounds = 8;
        jobs[t].bad = 0;
        ck_assert_int_eq(pthread_create(&tid[t], NULL, thread_main, &jobs[t]), 0);
    }
    for (t = 0; t < NT; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (t = 0; t < NT; t++) {
        TU_CHECK(
            jobs[t].bad == 0,
            "%s: thread %zu: %d of %d runs on a shared plan were wrong (n=%zu m=%zu "
            "k=%u width=%u)",
            tu_where(), t, jobs[t].bad, jobs[t].rounds, cases[t].n, m,
            (unsigned)p.max_dist, width * 8);
        free((void *)(uintptr_t)jobs[t].exp);
        tu_case_free(&cases[t]);
    }
    ham_plan_destroy(plan);
    tu_case_free(&pc);
}
END_TEST

/* ---- Named edge cases -------------------------------------------------------- */

/* A case over alphabet {0..sigma-1} (or high values for u32), planted. */
static void
edge_case(tu_case *c, tu_rng *r, unsigned width, size_t m, size_t n, size_t sigma,
          int64_t wildcard)
{
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc((n ? n : 1) * 4);
    size_t i;
    tu_alpha_make(&a, sigma,
                  width == 1 ? TU_V_LOW : (int)tu_range(r, TU_V_LOW, TU_V_SPREAD),
                  width, r);
    tu_gen(r, &a, pat, m, 0);
    tu_gen(r, &a, text, n, 0);
    if (n >= m)
        for (i = 0; i < 3; i++)
            tu_plant(r, &a, pat, m, text, tu_range(r, 0, n - m), tu_below(r, 4));
    tu_case_from32(c, width, pat, m, text, n, wildcard);
    c->alpha = a;
    free(pat);
    free(text);
}

START_TEST(edge_m1)
{
    tu_rng r;
    unsigned width;
    size_t sigma;
    tu_begin(&r, "edges", "edge_m1", 0);
    for (width = 1; width <= 4; width += 3)
        for (sigma = 1; sigma <= 256; sigma = sigma < 4 ? sigma + 1 : sigma * 8) {
            static const size_t ns[] = {1, 2, 3, 63, 64, 65, 1000};
            size_t i;
            for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
                tu_case c;
                edge_case(&c, &r, width, 1, ns[i], sigma, -1);
                all_ways_default(&c, "m=1");
                /* the one pattern symbol as wildcard: all 0 */
                c.wildcard = c.pat32[0];
                all_ways_default(&c, "m=1 wildcard");
                tu_case_free(&c);
            }
        }
}
END_TEST

START_TEST(edge_m_eq_n)
{
    static const size_t ms[] = {1,  2,   15,  16,  17,  31,   32,   33,   63,  64,
                                65, 100, 255, 256, 257, 1000, 4095, 4096, 4097};
    tu_rng r;
    size_t i;
    unsigned width;
    tu_begin(&r, "edges", "edge_m_eq_n", 0);
    for (width = 1; width <= 4; width += 3)
        for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
            tu_case c;
            edge_case(&c, &r, width, ms[i], ms[i], 1 + tu_below(&r, 4), -1);
            all_ways_default(&c, "m=n");
            c.text32[tu_below(&r, c.n)] ^= 1u; /* one mismatch (or a match more) */
            tu_case_sync8(&c);
            all_ways_default(&c, "m=n");
            tu_case_free(&c);
        }
}
END_TEST

/* m > n and n == 0 (NULL text): HAM_OK, nothing written, for every way. */
START_TEST(edge_m_gt_n)
{
    static const size_t ms[] = {1, 2, 5, 64, 65, 300, 5000};
    tu_rng r;
    size_t i, j;
    unsigned width;
    tu_begin(&r, "edges", "edge_m_gt_n", 0);
    for (width = 1; width <= 4; width += 3)
        for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
            size_t ns[3];
            ns[0] = 0;
            ns[1] = ms[i] - 1;
            ns[2] = ms[i] / 2;
            for (j = 0; j < 3; j++) {
                tu_case c;
                edge_case(&c, &r, width, ms[i], ns[j], 3, -1);
                all_ways_default(&c, "m>n");
                tu_case_free(&c);
            }
        }
}
END_TEST

/* cap == HAM_NDIST is fine (exact-size output); cap - 1 and 0 are HAM_ENOSPC
 * with nothing written. */
START_TEST(edge_cap)
{
    static const tu_shape shape = {1, 300, 2000, 30, 50};
    tu_rng r;
    int inst;
    tu_begin(&r, "edges", "edge_cap", 0);
    for (inst = 0; inst < 40; inst++) {
        unsigned width = inst & 1 ? 4 : 1;
        tu_case c;
        size_t nd;
        ham_params p;
        ham_plan *plan;
        uint32_t *buf;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &shape);
        nd = HAM_NDIST(c.n, c.m);
        if (nd == 0) {
            tu_case_free(&c);
            continue;
        }
        ham_params_init(&p);
        p.engine = inst & 2 ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
        p.max_dist = pick_k(&r, c.m);
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        buf = tu_xmalloc(nd * sizeof *buf);
        tu_fill32(buf, nd, TU_SENTINEL32);
        ck_assert_int_eq(tu_dist(plan, &c, buf, nd - 1), HAM_ENOSPC);
        ck_assert_int_eq(tu_dist(plan, &c, buf, 0), HAM_ENOSPC);
        ck_assert_int_eq(tu_dist(plan, &c, buf, nd / 2), HAM_ENOSPC);
        TU_CHECK(tu_find_not32(buf, nd, TU_SENTINEL32) == nd,
                 "%s: %s: HAM_ENOSPC wrote output at %zu", tu_where(), tu_case_desc(&c),
                 tu_find_not32(buf, nd, TU_SENTINEL32));
        free(buf);
        ham_plan_destroy(plan);
        {
            uint32_t *exact = tu_ref(&c, REF_UNBOUNDED);
            expect_plan(&c, &p, exact, "cap exact");
            free(exact);
        }
        tu_case_free(&c);
    }
}
END_TEST

/* The text at every misalignment (buf + 1 .. buf + 63 bytes; u32: + 1 .. 15
 * symbols), ending exactly at the end of its allocation. */
START_TEST(edge_odd_address)
{
    static const size_t ms[] = {1, 5, 31, 64, 129, 300};
    tu_rng r;
    size_t off;
    unsigned width;
    tu_begin(&r, "edges", "edge_odd_address", 0);
    for (width = 1; width <= 4; width += 3) {
        size_t maxoff = width == 1 ? 63 : 15;
        for (off = 1; off <= maxoff; off++) {
            size_t m = ms[off % 6], n = m + 60 + 37 * off;
            tu_case c;
            unsigned char *buf;
            uint32_t ks[2];
            edge_case(&c, &r, width, m, n, 2 + off % 3, -1);
            buf = tu_xmalloc((off + n) * width);
            memcpy(buf + off * width, width == 1 ? (void *)c.text8 : (void *)c.text32,
                   n * width);
            ks[0] = HAM_UNBOUNDED;
            ks[1] = (uint32_t)(m / 4);
            all_ways(&c, ks, 2, buf + off * width, "odd address");
            free(buf);
            tu_case_free(&c);
        }
    }
}
END_TEST

/* Alphabets of 1 symbol (all equal, all different, with the wildcard) and of
 * every byte value (and 4096 u32 values). */
START_TEST(edge_alpha_1_and_256)
{
    static const size_t ms[] = {1, 7, 64, 255, 256, 257, 1000};
    static const uint32_t sym8[] = {0, 'a', 255};
    static const uint32_t sym32[] = {0, UINT32_MAX, 12345, UINT32_MAX - 1};
    tu_rng r;
    size_t i, s;
    unsigned width;
    tu_begin(&r, "edges", "edge_alpha_1_and_256", 0);
    for (width = 1; width <= 4; width += 3) {
        const uint32_t *syms = width == 1 ? sym8 : sym32;
        size_t nsyms = width == 1 ? 3 : 4;
        for (i = 0; i < sizeof ms / sizeof ms[0]; i++)
            for (s = 0; s < nsyms; s++) {
                size_t m = ms[i], n = m + 300, j;
                uint32_t x = syms[s], y = syms[(s + 1) % nsyms];
                uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
                tu_case c;
                tu_fill32(pat, m, x);
                tu_fill32(text, n, x);
                tu_case_from32(&c, width, pat, m, text, n, -1);
                all_ways_default(&c, "sigma=1 equal");
                tu_case_free(&c);
                tu_fill32(text, n, y); /* all different: every distance m */
                tu_case_from32(&c, width, pat, m, text, n, -1);
                all_ways_default(&c, "sigma=1 all different");
                c.wildcard = x; /* all wildcard: every distance 0 */
                all_ways_default(&c, "sigma=1 all wildcard");
                tu_case_free(&c);
                for (j = 0; j < n; j++) /* two text symbols */
                    text[j] = tu_chance(&r, 1, 3) ? y : x;
                tu_case_from32(&c, width, pat, m, text, n, -1);
                all_ways_default(&c, "sigma=1 vs 2");
                c.wildcard = y; /* a wildcard that is only in the text */
                all_ways_default(&c, "sigma=1 vs 2, wildcard in text only");
                tu_case_free(&c);
                free(pat);
                free(text);
            }
    }
    /* every byte value in the pattern */
    for (width = 1; width <= 4; width += 3) {
        static const size_t bms[] = {256, 300, 512, 1000};
        for (i = 0; i < 4; i++) {
            size_t m = bms[i], n = m + 500, j;
            uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
            tu_case c;
            tu_alpha a;
            tu_alpha_make(&a, width == 1 ? 256 : TU_ALPHA_MAX,
                          width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
            for (j = 0; j < m; j++)
                pat[j] = a.sym[j % a.size];
            tu_gen(&r, &a, text, n, 0);
            for (j = 0; j < 4; j++)
                tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m),
                         tu_below(&r, 40));
            tu_case_from32(&c, width, pat, m, text, n, -1);
            all_ways_default(&c, "all symbols");
            c.wildcard = pat[3];
            all_ways_default(&c, "all symbols, wildcard");
            tu_case_free(&c);
            free(pat);
            free(text);
        }
    }
}
END_TEST

/* k = 0, k = m - 1, m, m + 1, UINT32_MAX - 1, UINT32_MAX - 2. */
START_TEST(edge_k_extremes)
{
    static const tu_shape shape = {1, 600, 1500, 30, 80};
    tu_rng r;
    int inst;
    tu_begin(&r, "edges", "edge_k_extremes", 0);
    for (inst = 0; inst < 30; inst++) {
        tu_case c;
        uint32_t ks[7];
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        ks[0] = 0;
        ks[1] = (uint32_t)(c.m - 1);
        ks[2] = (uint32_t)c.m;
        ks[3] = (uint32_t)(c.m + 1);
        ks[4] = UINT32_MAX - 1;
        ks[5] = UINT32_MAX - 2;
        ks[6] = (uint32_t)(c.m * 2);
        all_ways(&c, ks, 7, NULL, "k extremes");
        tu_case_free(&c);
    }
}
END_TEST

/* Lengths 2^j - 1, 2^j, 2^j + 1 for m and n (word, vector and block edges). */
START_TEST(edge_pow2_lengths)
{
    static const size_t ms[] = {1,   2,   3,   7,   8,    9,    15,   16,   17,   31,
                                32,  33,  63,  64,  65,   127,  128,  129,  255,  256,
                                257, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097};
    static const size_t dn[] = {0, 1, 2, 31, 32, 33, 63, 64, 65, 255, 256, 257};
    tu_rng r;
    size_t i, j, jj;
    unsigned width;
    if (!tu_begin(&r, "edges", "edge_pow2_lengths", _i))
        return;
    width = _i ? 4 : 1;
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        size_t m = ms[i];
        size_t ns[sizeof dn / sizeof dn[0] + 24], nn = 0;
        for (j = 0; j < sizeof dn / sizeof dn[0]; j++)
            ns[nn++] = m + dn[j];
        for (jj = 6; jj <= 13; jj++)
            for (j = 0; j < 3; j++) {
                size_t n = ((size_t)1 << jj) - 1 + j;
                if (n > m + 257 && (n - m) * m <= 2000000)
                    ns[nn++] = n;
            }
        for (j = 0; j < nn; j++) {
            tu_case c;
            uint32_t ks[2];
            edge_case(&c, &r, width, m, ns[j], 2 + (j & 1), -1);
            ks[0] = HAM_UNBOUNDED;
            ks[1] = (uint32_t)tu_below(&r, m / 4 + 2);
            all_ways(&c, ks, 2, NULL, "2^j lengths");
            tu_case_free(&c);
        }
    }
}
END_TEST

/* Distances exactly at counter-width boundaries: 127..129, 254..258 (byte
 * counters), 511..513, m - 1, m, and 65535..65537 (16-bit counters). The text
 * holds the pattern with exactly d substitutions, between random flanks. */
static void
exact_d_case(tu_rng *r, unsigned width, size_t m, size_t d, size_t left, size_t right,
             int foreign)
{
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * 4), *text, *pos;
    size_t n = left + m + right, i;
    tu_case c;
    uint32_t ks[4];
    char what[96];
    tu_alpha_make(&a, 3, width == 1 ? TU_V_LOW : TU_V_HIGH, width, r);
    tu_gen(r, &a, pat, m, 0);
    text = tu_xmalloc(n * 4);
    tu_gen(r, &a, text, n, 0);
    memcpy(text + left, pat, m * 4);
    /* d distinct positions: a random sample via partial shuffle */
    pos = tu_xmalloc(m * 4);
    for (i = 0; i < m; i++)
        pos[i] = (uint32_t)i;
    for (i = 0; i < d; i++) {
        size_t j = tu_range(r, i, m - 1);
        uint32_t t = pos[i], p;
        pos[i] = pos[j];
        pos[j] = t;
        p = pat[pos[i]];
        if (foreign) /* a symbol absent from the pattern */
            text[left + pos[i]] =
                width == 1 ? (uint32_t)((a.sym[0] + a.sym[1] + a.sym[2]) & 255u) ^ 0x80u
                           : 7u;
        else /* another pattern symbol */
            text[left + pos[i]] = p == a.sym[0] ? a.sym[1] : a.sym[0];
    }
    if (foreign && width == 1) /* make sure it is really foreign */
        for (i = 0; i < d; i++)
            if (text[left + pos[i]] == a.sym[0] || text[left + pos[i]] == a.sym[1] ||
                text[left + pos[i]] == a.sym[2])
                text[left + pos[i]] = pat[pos[i]] == a.sym[0] ? a.sym[1] : a.sym[0];
    tu_case_from32(&c, width, pat, m, text, n, -1);
    {
        uint32_t *exact = tu_ref(&c, REF_UNBOUNDED);
        TU_CHECK(exact[left] == d,
                 "test bug: planted %zu mismatches, reference says %u", d,
                 (unsigned)exact[left]);
        free(exact);
    }
    ks[0] = HAM_UNBOUNDED;
    ks[1] = (uint32_t)d;
    ks[2] = d > 0 ? (uint32_t)(d - 1) : 0;
    ks[3] = 255;
    snprintf(what, sizeof what, "exactly %zu mismatches at pos %zu (%s)", d, left,
             foreign ? "foreign symbols" : "pattern symbols");
    all_ways(&c, ks, 4, NULL, what);
    tu_case_free(&c);
    free(pat);
    free(text);
    free(pos);
}

START_TEST(edge_counter_overflow)
{
    static const size_t ms[] = {255, 256,  257,  300,  511, 512,
                                513, 1000, 1024, 1025, 4096};
    static const size_t ds[] = {0,   1,   2,   127, 128, 129, 254,
                                255, 256, 257, 258, 511, 512, 513};
    static const size_t flank[] = {0, 1, 31, 64};
    tu_rng r;
    size_t i, j;
    unsigned width;
    if (!tu_begin(&r, "edges", "edge_counter_overflow", _i))
        return;
    width = _i ? 4 : 1;
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        size_t m = ms[i];
        for (j = 0; j < sizeof ds / sizeof ds[0] + 2; j++) {
            size_t d = j < sizeof ds / sizeof ds[0]
                           ? ds[j]
                           : m - (j - sizeof ds / sizeof ds[0]);
            if (d > m)
                continue;
            exact_d_case(&r, width, m, d, flank[j & 3], flank[(j >> 2) & 3],
                         (int)(j & 1));
        }
    }
}
END_TEST

START_TEST(edge_counter_overflow16)
{
    static const size_t ds[] = {65535, 65536, 65537, 70000};
    tu_rng r;
    size_t j;
    unsigned width;
    if (!tu_begin(&r, "edges", "edge_counter_overflow16", _i))
        return;
    width = _i ? 4 : 1;
    for (j = 0; j < 4; j++)
        exact_d_case(&r, width, 70000, ds[j], j, 2 - (j & 1), (int)(j & 1));
    exact_d_case(&r, width, 65536, 65536, 1, 1, 0);
    exact_d_case(&r, width, 65537, 65536, 0, 2, 1);
}
END_TEST

/* m = 65536 (and around), and long texts with n around 65536. */
START_TEST(edge_65536)
{
    static const size_t dn[] = {0, 1, 64};
    static const size_t ms[] = {1, 64, 129};
    static const size_t ns[] = {65535, 65536, 65537};
    tu_rng r;
    size_t i, j;
    unsigned width;
    uint32_t ks[2];
    if (!tu_begin(&r, "edges", "edge_65536", _i))
        return;
    width = _i ? 4 : 1;
    for (i = 65535; i <= 65537; i++)
        for (j = 0; j < 3; j++) {
            tu_case c;
            edge_case(&c, &r, width, i, i + dn[j], 2, -1);
            ks[0] = HAM_UNBOUNDED;
            ks[1] = 100;
            all_ways(&c, ks, 2, NULL, "m~65536");
            tu_case_free(&c);
        }
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++) {
            tu_case c;
            edge_case(&c, &r, width, ms[i], ns[j], 4, ms[i] > 1 ? -1 : 0);
            ks[0] = j == 1 ? (uint32_t)(ms[i] / 8) : HAM_UNBOUNDED;
            all_ways(&c, ks, 1, NULL, "n~65536");
            tu_case_free(&c);
        }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dist");
    TCase *tc;

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, property_u8, 0, 200);
    tcase_add_loop_test(tc, property_u32, 0, 200);
    suite_add_tcase(s, tc);

    tc = tu_tcase("metamorphic");
    tcase_add_loop_test(tc, meta_u8_to_u32, 0, 40);
    tcase_add_loop_test(tc, meta_permute, 0, 40);
    tcase_add_loop_test(tc, meta_flags, 0, 40);
    tcase_add_loop_test(tc, meta_split, 0, 40);
    suite_add_tcase(s, tc);

    tc = tu_tcase("engines");
    tcase_add_loop_test(tc, approx_plans, 0, 20);
    tcase_add_loop_test(tc, forced_engines, 0, 10);
    tcase_add_loop_test(tc, shared_plan_threads, 0, 4);
    suite_add_tcase(s, tc);

    tc = tu_tcase("edges");
    tcase_add_test(tc, edge_m1);
    tcase_add_test(tc, edge_m_eq_n);
    tcase_add_test(tc, edge_m_gt_n);
    tcase_add_test(tc, edge_cap);
    tcase_add_test(tc, edge_odd_address);
    tcase_add_test(tc, edge_alpha_1_and_256);
    tcase_add_test(tc, edge_k_extremes);
    tcase_add_loop_test(tc, edge_pow2_lengths, 0, 2);
    tcase_add_loop_test(tc, edge_counter_overflow, 0, 2);
    tcase_add_loop_test(tc, edge_counter_overflow16, 0, 2);
    tcase_add_loop_test(tc, edge_65536, 0, 2);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_dist");
}
