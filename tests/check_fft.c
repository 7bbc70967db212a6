/* SPDX-License-Identifier: MIT */
/*
 * check_fft.c -- internal: the exact FFT engines, fft (A2) and abrahamson
 * (A3), and their FFTW/NTT layer (lib/fft.c, lib/ntt.c), against the
 * reference tests/ref.c, bit for bit:
 *   property   seeded random cases, u8 and u32 (alphabets 1-4, 20, 256,
 *              1000, 4096; values near 0, near UINT32_MAX or spread),
 *              wildcards, k-bounded, planted near-matches; abrahamson with
 *              its cost-model split and forced splits (all enumerated, all
 *              transformed, mixed); no block may need the exact fallback
 *   edges      text and pattern lengths around the block sizes the plans
 *              choose (N - 1, N, N + 1, one and two blocks of shifts +- 1)
 *              and around powers of two
 *   data       windows of real DNA, protein, English and u32 token data
 *   fault      a corrupted spectrum value (an integer offset caught only by
 *              the sum rule, a fractional one caught by the residual test),
 *              and a failing a priori bound: the block is recomputed exactly
 *   precision  sigma = 1 with m = 2^22 (long runs of one symbol), two
 *              symbols with m = 2^20: structured inputs with exact answers
 *              from prefix sums, a random binary pattern checked at sampled
 *              shifts
 *   cache      spectra budget 0 and 1 spectrum, more block sizes than the
 *              cache keeps, FFTW_MEASURE plans, one plan shared by threads
 *   api        ham_kmis and streams over the forced engines, ham__ntt_matches
 *              alone, the block-size rule
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_fft
 */
#include "internal.h"

#include "ref.h"
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ham_engine engines[] = {HAM_ENGINE_FFT, HAM_ENGINE_ABRAHAMSON};
static const char *const force_names[] = {"model", "all-E", "all-F", "mixed"};

static ham__fft_ctx *
ctx_of(const ham_plan *plan, ham_engine e)
{
    const ham__fft_head *h = ham__fft_head_of(plan, e);
    TU_CHECK(h && h->fft, "no FFT context for engine %s", ham_engine_name(e));
    return h->fft;
}

static size_t
block_size(const ham_plan *plan, ham_engine e, size_t n)
{
    const ham__fft_head *h = ham__fft_head_of(plan, e);
    TU_CHECK(h && h->block_size, "no block-size rule for engine %s",
             ham_engine_name(e));
    return h->block_size(plan, n);
}

/* A forced plan for engine e (abrahamson: split mode force) with bound k. */
static ham_plan *
make_plan(const tu_case *c, ham_engine e, uint32_t k, int force, unsigned flags)
{
    ham_params p;
    ham_plan *plan;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.flags = flags;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: plan %s: %s: %s", tu_where(), ham_engine_name(e),
             tu_case_desc(c), ham_errname(rc));
    if (e == HAM_ENGINE_ABRAHAMSON)
        ham__abrahamson_tune(plan, 1.0, force);
    return plan;
}

/* Distances of text prefix n' = n (c->n when n == 0 is not wanted: the
 * caller passes the length) with a plan, against exp[0 .. n - m]. */
static void
expect_on(const ham_plan *plan, const tu_case *c, size_t n, uint32_t k,
          const uint32_t *exp, const char *what)
{
    size_t nd = HAM_NDIST(n, c->m);
    uint32_t *got = tu_xmalloc((nd ? nd : 1) * sizeof *got);
    int rc;
    tu_fill32(got, nd, TU_SENTINEL32);
    rc = c->width == 1 ? ham_dist_u8(plan, c->text8, n, got, nd)
                       : ham_dist_u32(plan, c->text32, n, got, nd);
    TU_CHECK(rc == HAM_OK, "%s: %s: %s n=%zu: ham_dist: %s; replay: %s", tu_where(),
             what, tu_case_desc(c), n, ham_errname(rc), tu_replay());
    tu_expect_dist(c, k, exp, got, nd, what);
    free(got);
}

/* Engine e on case c (whole text), no fallback allowed. */
static void
expect_engine(const tu_case *c, ham_engine e, uint32_t k, int force,
              const uint32_t *exp)
{
    char what[96];
    ham_plan *plan = make_plan(c, e, k, force, 0);
    snprintf(what, sizeof what, "engine=%s split=%s", ham_engine_name(e),
             e == HAM_ENGINE_ABRAHAMSON ? force_names[force] : "-");
    expect_on(plan, c, c->n, k, exp, what);
    TU_CHECK(
        ham__fft_test_fallbacks(ctx_of(plan, e)) == 0,
        "%s: %s: %s: a block failed its exactness check without a fault; replay: %s",
        tu_where(), what, tu_case_desc(c), tu_replay());
    ham_plan_destroy(plan);
}

static void random_case(tu_case *c, tu_rng *r, size_t m, size_t n, size_t sigma,
                        unsigned width);

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 6)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return (uint32_t)(m / 3);
    case 3:
        return (uint32_t)(m > 0 ? m - 1 : 0);
    case 4:
        return (uint32_t)(m + 5);
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* ---- Property ------------------------------------------------------------------ */

static const tu_shape prop_shape = {1, 1500, 12000, 25, 40};

START_TEST(property)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "property", _i))
        return;
    for (inst = 0; inst < 6; inst++) {
        unsigned width = tu_chance(&r, 1, 2) ? 4 : 1;
        uint32_t k = tu_chance(&r, 1, 2) ? HAM_UNBOUNDED : 0;
        uint32_t *exp;
        tu_case c;
        size_t e;
        tu_set_inst(inst);
        tu_case_random(&c, &r, width, &prop_shape);
        if (k == 0)
            k = pick_k(&r, c.m);
        exp = tu_ref(&c, k);
        for (e = 0; e < 2; e++)
            expect_engine(
                &c, engines[e], k,
                engines[e] == HAM_ENGINE_ABRAHAMSON ? (int)tu_below(&r, 4) : 0, exp);
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* Abrahamson's split modes on the same skewed case: every mode, same answer. */
START_TEST(split_modes)
{
    tu_rng r;
    int inst, f;
    if (!tu_begin(&r, "property", "split_modes", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        tu_case c;
        tu_shape sh = {64, 3000, 20000, 30, 60};
        uint32_t *exp;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &sh);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        for (f = HAM__ABR_MODEL; f <= HAM__ABR_MIXED; f++)
            expect_engine(&c, HAM_ENGINE_ABRAHAMSON, HAM_UNBOUNDED, f, exp);
        free(exp);
        tu_case_free(&c);
    }
}
END_TEST

/* Abrahamson's worst-case cap: with enumeration priced near zero the model
 * would enumerate everything; on one- and two-symbol inputs the bound
 * sum t_c p_c exceeds 4 N sqrt(m log m) and the cap must move symbols to
 * F. Also the classical fixed threshold. Same answers throughout. */
START_TEST(cap_and_fixed)
{
    tu_rng r;
    size_t sigma = 1 + (size_t)_i;
    tu_case c;
    uint32_t *exp;
    ham_plan *plan;
    if (!tu_begin(&r, "property", "cap_and_fixed", _i))
        return;
    random_case(&c, &r, 2000, 30000, sigma, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    plan = make_plan(&c, HAM_ENGINE_ABRAHAMSON, HAM_UNBOUNDED, 0, 0);
    ham__abrahamson_tune(plan, 1e-9, HAM__ABR_MODEL);
    expect_on(plan, &c, c.n, HAM_UNBOUNDED, exp,
              "abrahamson, enumeration priced ~0 (cap)");
    ham__abrahamson_tune(plan, 700.0, HAM__ABR_FIXED);
    expect_on(plan, &c, c.n, HAM_UNBOUNDED, exp, "abrahamson, fixed threshold 700");
    ham_plan_destroy(plan);
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* ---- Edges ---------------------------------------------------------------------- */

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Text lengths around the block sizes of engine e for pattern length m,
 * at most nmax, sorted and distinct; returns how many. */
static size_t
edge_lengths(const ham_plan *plan, ham_engine e, size_t m, size_t nmax, size_t *out)
{
    size_t cand[64], nc = 0, i, no = 0, N, W, j;
    N = block_size(plan, e, nmax);
    W = N - m + 1;
    cand[nc++] = m;
    cand[nc++] = m + 1;
    for (j = 0; j < 3; j++) {
        cand[nc++] = N - 1 + j;         /* N - 1, N, N + 1 */
        cand[nc++] = W + m - 2 + j;     /* one block of shifts, -1 .. +1 */
        cand[nc++] = 2 * W + m - 2 + j; /* two blocks */
        cand[nc++] = 3 * W + m - 2 + j; /* three */
    }
    /* the size a text of n symbols gets may differ from the long-text one */
    for (i = 0, j = nc; i < j; i++) {
        size_t n2 = cand[i] >= m ? cand[i] : m;
        size_t N2 = block_size(plan, e, n2);
        if (N2 >= 2 && nc + 3 <= sizeof cand / sizeof cand[0]) {
            cand[nc++] = N2 - 1;
            cand[nc++] = N2;
            cand[nc++] = N2 + 1;
        }
    }
    qsort(cand, nc, sizeof *cand, cmp_size);
    for (i = 0; i < nc; i++)
        if (cand[i] >= m && cand[i] <= nmax && (no == 0 || out[no - 1] != cand[i]))
            out[no++] = cand[i];
    return no;
}

START_TEST(block_edges)
{
    static const size_t ms[] = {1,   2,   3,    7,    8,    9,    31,   32,   33,  255,
                                256, 257, 1000, 1023, 1024, 1025, 4095, 4096, 4097};
    const size_t m = ms[_i];
    tu_rng r;
    tu_alpha a;
    size_t e, nmax, i;
    if (!tu_begin(&r, "edges", "block_edges", _i))
        return;
    for (e = 0; e < 2; e++) {
        /* both widths for short patterns; one, by _i, from m = 1000 on
         * (the reference costs n m) */
        unsigned width = (m < 1000 ? e : (size_t)_i & 1) ? 4 : 1;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text, *exp;
        size_t lens[64], nl;
        ham_plan *plan;
        tu_case c, probe;
        tu_set_inst((int)e);
        tu_alpha_make(&a, tu_chance(&r, 1, 2) ? 4 : 20,
                      width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
        tu_gen(&r, &a, pat, m, 1);
        /* the block sizes for this m need a plan: probe with a 1-symbol text */
        tu_case_from32(&probe, width, pat, m, pat, m, -1);
        plan = make_plan(&probe, engines[e], HAM_UNBOUNDED, HAM__ABR_ALL_F, 0);
        /* three long-text blocks, within a reference budget of ~2e8 compares */
        nmax = 3 * block_size(plan, engines[e], (size_t)1 << 24) + 2;
        if (nmax > (size_t)200000000 / m)
            nmax = (size_t)200000000 / m > 4 * m ? (size_t)200000000 / m : 4 * m;
        nl = edge_lengths(plan, engines[e], m, nmax, lens);
        ham_plan_destroy(plan);
        tu_case_free(&probe);
        text = tu_xmalloc(nmax * sizeof *text);
        tu_gen(&r, &a, text, nmax, 1);
        for (i = 0; i < 4; i++)
            tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, nmax - m), tu_below(&r, 3));
        tu_case_from32(&c, width, pat, m, text, nmax, -1);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        /* every length with both engines (abrahamson transforming, and
         * mixed), prefixes of one text: the reference is a prefix too */
        {
            size_t ee;
            for (ee = 0; ee < 2; ee++) {
                int force = ee ? (e ? HAM__ABR_MIXED : HAM__ABR_ALL_F) : 0;
                char what[128];
                plan = make_plan(&c, engines[ee], HAM_UNBOUNDED, force, 0);
                for (i = 0; i < nl; i++) {
                    snprintf(what, sizeof what, "engine=%s n=%zu (N=%zu)",
                             ham_engine_name(engines[ee]), lens[i],
                             block_size(plan, engines[ee], lens[i]));
                    expect_on(plan, &c, lens[i], HAM_UNBOUNDED, exp, what);
                }
                TU_CHECK(ham__fft_test_fallbacks(ctx_of(plan, engines[ee])) == 0,
                         "%s: m=%zu: unexpected fallback", tu_where(), m);
                ham_plan_destroy(plan);
            }
        }
        free(exp);
        free(pat);
        free(text);
        tu_case_free(&c);
    }
}
END_TEST

/* m and n around powers of two, every combination of -1, 0, +1. */
START_TEST(pow2_edges)
{
    const size_t pm = (size_t)1 << (3 + 2 * _i), pn = pm * 8;
    tu_rng r;
    tu_alpha a;
    int dm, dn;
    if (!tu_begin(&r, "edges", "pow2_edges", _i))
        return;
    tu_alpha_make(&a, 3, TU_V_LOW, 1, &r);
    for (dm = -1; dm <= 1; dm++) {
        const size_t m = pm + (size_t)(dm + 1) - 1, nmax = pn + 1;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat),
                 *text = tu_xmalloc(nmax * sizeof *text);
        uint32_t *exp;
        tu_case c;
        size_t e;
        tu_gen(&r, &a, pat, m, 1);
        tu_gen(&r, &a, text, nmax, 1);
        tu_case_from32(&c, 1 + 3 * (unsigned)(dm == 0), pat, m, text, nmax, -1);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        for (e = 0; e < 2; e++) {
            ham_plan *plan =
                make_plan(&c, engines[e], HAM_UNBOUNDED, HAM__ABR_MIXED, 0);
            for (dn = -1; dn <= 1; dn++) {
                const size_t ns[] = {pm * 2 + (size_t)(dn + 1) - 1,
                                     pn + (size_t)(dn + 1) - 1};
                size_t q;
                for (q = 0; q < 2; q++)
                    expect_on(plan, &c, ns[q], HAM_UNBOUNDED, exp,
                              ham_engine_name(engines[e]));
            }
            ham_plan_destroy(plan);
        }
        free(exp);
        free(pat);
        free(text);
        tu_case_free(&c);
    }
}
END_TEST

/* Wildcards and k on structured inputs: runs, all-wildcard, k edges. */
START_TEST(wild_and_k)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "edges", "wild_and_k", _i))
        return;
    for (inst = 0; inst < 4; inst++) {
        static const tu_shape sh = {100, 3000, 8000, 100, 60};
        const uint32_t ks[] = {0, 1, 7};
        tu_case c;
        size_t e, q;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &sh);
        for (q = 0; q < 3 + 3; q++) {
            uint32_t k = q < 3    ? ks[q]
                         : q == 3 ? (uint32_t)(c.m - 1)
                         : q == 4 ? (uint32_t)c.m
                                  : HAM_UNBOUNDED;
            uint32_t *exp = tu_ref(&c, k);
            for (e = 0; e < 2; e++)
                expect_engine(&c, engines[e], k, (int)(q & 3), exp);
            free(exp);
        }
        tu_case_free(&c);
    }
}
END_TEST

/* ---- Real data --------------------------------------------------------------------
 */

static void
data_windows(const char *rel, unsigned width, const uint32_t *v, size_t len, tu_rng *r)
{
    static const size_t ms[] = {300, 2000, 7000};
    const size_t n = 30000;
    size_t i, e;
    TU_CHECK(len >= n + 10000, "%s: only %zu symbols", rel, len);
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        const size_t m = ms[i], off = (size_t)tu_below(r, len - n + 1);
        const size_t from = i & 1 ? off + (size_t)tu_below(r, n - m + 1)
                                  : (size_t)tu_below(r, len - m + 1);
        uint32_t *pat = tu_dup32(v + from, m), *exp;
        tu_case c;
        size_t s;
        tu_set_inst((int)i);
        for (s = 0; s < m / 20; s++)
            pat[tu_below(r, m)] = v[tu_below(r, len)];
        tu_case_from32(&c, width, pat, m, v + off, n, -1);
        exp = tu_ref(&c, HAM_UNBOUNDED);
        for (e = 0; e < 2; e++)
            expect_engine(&c, engines[e], HAM_UNBOUNDED, 0, exp);
        free(exp);
        free(pat);
        tu_case_free(&c);
    }
}

static void
data_u8(const char *rel, int fasta, size_t prefix)
{
    const char *dir;
    size_t len, i;
    uint8_t *b;
    uint32_t *v;
    tu_rng r;
    tu_begin(&r, "data", rel, 0);
    if (!tu_data_dir_ok(&dir))
        return;
    b = tu_load(rel, prefix, fasta, &len);
    v = tu_xmalloc(len * sizeof *v);
    for (i = 0; i < len; i++)
        v[i] = b[i];
    data_windows(rel, 1, v, len, &r);
    free(v);
    free(b);
}

START_TEST(data_dna)
{
    data_u8("dna/ecoli_k12_mg1655.fa.gz", 1, 1u << 20);
}
END_TEST

START_TEST(data_protein)
{
    data_u8("protein/uniprot_mmseqs2_db_1-10000.fa.gz", 1, 1u << 20);
}
END_TEST

START_TEST(data_english)
{
    data_u8("text/kjv_bible.txt.xz", 0, 1u << 20);
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

/* ---- Fault injection ------------------------------------------------------------- */

/* A fault that the checks must catch: the output stays exact and at least
 * one block went through the exact path. */
static void
expect_caught(const tu_case *c, ham_engine e, int force, size_t bin, double delta,
              double apriori, const uint32_t *exp, const char *what)
{
    ham_plan *plan = make_plan(c, e, HAM_UNBOUNDED, force, 0);
    ham__fft_ctx *ctx = ctx_of(plan, e);
    size_t N = block_size(plan, e, c->n);
    char desc[160];
    ham__fft_test_fault(ctx, bin, delta * (double)N);
    if (apriori >= 0)
        ham__fft_test_apriori(ctx, apriori);
    snprintf(desc, sizeof desc, "engine=%s fault: %s (N=%zu)", ham_engine_name(e), what,
             N);
    expect_on(plan, c, c->n, HAM_UNBOUNDED, exp, desc);
    TU_CHECK(ham__fft_test_fallbacks(ctx) > 0, "%s: %s: the fault went unnoticed",
             tu_where(), desc);
    ham_plan_destroy(plan);
}

START_TEST(fault_injection)
{
    tu_rng r;
    tu_alpha a;
    const size_t m = 700, n = 40000;
    uint32_t *pat, *text, *exp;
    tu_case c;
    size_t e;
    if (!tu_begin(&r, "fault", "fault_injection", _i))
        return;
    tu_alpha_make(&a, 4, TU_V_LOW, 1, &r);
    pat = tu_xmalloc(m * sizeof *pat);
    text = tu_xmalloc(n * sizeof *text);
    tu_gen(&r, &a, pat, m, 0);
    tu_gen(&r, &a, text, n, 0);
    tu_plant(&r, &a, pat, m, text, 1234, 3);
    tu_case_from32(&c, _i ? 4 : 1, pat, m, text, n, -1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        int force = HAM__ABR_ALL_F;
        /* +1 in every output: integers, so only the sum rule sees it */
        expect_caught(&c, engines[e], force, 0, 1.0, -1, exp, "DC +N (sum rule)");
        /* a fractional wave: the residual test sees it */
        expect_caught(&c, engines[e], force, 5, 0.3, -1, exp, "bin 5 +0.3N (residual)");
        /* the same with abrahamson's mixed split (fft ignores the mode) */
        expect_caught(&c, engines[e], HAM__ABR_MIXED, 0, 1.0, -1, exp,
                      "DC +N, mixed split (sum rule)");
        /* the a priori rule refuses every block: straight to the NTT */
        expect_caught(&c, engines[e], force, SIZE_MAX, 0.0, 0.0, exp, "a priori bound");
    }
    free(exp);
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* The exact path alone (ham__ntt_matches) against the reference. */
START_TEST(ntt_direct)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "fault", "ntt_direct", _i))
        return;
    for (inst = 0; inst < 20; inst++) {
        static const tu_shape sh = {1, 300, 3000, 20, 30};
        tu_case c;
        ham_plan *plan;
        uint32_t *ids, *syms, *got, *exp, c1;
        size_t nd, i;
        tu_set_inst(inst);
        do
            tu_case_random(&c, &r, inst & 1 ? 4 : 1, &sh);
        while (c.n < c.m && (tu_case_free(&c), 1));
        nd = c.n - c.m + 1;
        plan = make_plan(&c, HAM_ENGINE_NAIVE, HAM_UNBOUNDED, 0, 0);
        ids = tu_xmalloc(c.n * sizeof *ids);
        ham__map_ids(plan,
                     c.width == 1 ? (const void *)c.text8 : (const void *)c.text32, c.n,
                     ids);
        syms = tu_xmalloc((plan->sigma + 1) * sizeof *syms);
        for (c1 = 1; c1 <= plan->sigma; c1++)
            syms[c1 - 1] = c1;
        got = tu_xmalloc(nd * sizeof *got);
        ck_assert_int_eq(ham__ntt_matches(plan, ids, c.n, nd, syms, plan->sigma, got),
                         HAM_OK);
        for (i = 0; i < nd; i++)
            got[i] = (uint32_t)plan->m_eff - got[i];
        exp = tu_ref(&c, HAM_UNBOUNDED);
        tu_expect_dist(&c, HAM_UNBOUNDED, exp, got, nd, "ham__ntt_matches");
        free(exp);
        free(got);
        free(syms);
        free(ids);
        ham_plan_destroy(plan);
        tu_case_free(&c);
    }
}
END_TEST

/* ---- Precision limits ------------------------------------------------------------ */

/* Run engine e (forced) on u8 pattern/text; returns the distances. */
static uint32_t *
run_u8(ham_engine e, const uint8_t *pat, size_t m, const uint8_t *text, size_t n,
       int force)
{
    ham_params p;
    ham_plan *plan;
    uint32_t *d = tu_xmalloc((n - m + 1) * sizeof *d);
    int rc;
    ham_params_init(&p);
    p.engine = e;
    rc = ham_plan_create_u8(&plan, pat, m, &p);
    TU_CHECK(rc == HAM_OK, "%s: plan: %s", tu_where(), ham_errname(rc));
    if (e == HAM_ENGINE_ABRAHAMSON)
        ham__abrahamson_tune(plan, 1.0, force);
    rc = ham_dist_u8(plan, text, n, d, n - m + 1);
    TU_CHECK(rc == HAM_OK, "%s: dist m=%zu n=%zu: %s", tu_where(), m, n,
             ham_errname(rc));
    TU_CHECK(ham__fft_test_fallbacks(ctx_of(plan, e)) == 0,
             "%s: m=%zu: a block needed the exact path", tu_where(), m);
    ham_plan_destroy(plan);
    return d;
}

/* Fill v[0..n) with runs of 'A'/'B' of random lengths in [1, maxrun]. */
static void
runs(tu_rng *r, uint8_t *v, size_t n, size_t maxrun, int pa)
{
    size_t i = 0;
    while (i < n) {
        size_t len = tu_range(r, 1, maxrun);
        uint8_t s = tu_chance(r, (unsigned)pa, 100) ? 'A' : 'B';
        while (len-- > 0 && i < n)
            v[i++] = s;
    }
}

/* sigma = 1: pattern A^m, m = 2^22; text A^n (every distance 0), then runs
 * of A and B (B is absent from the pattern: d(s) = m - #A in the window). */
START_TEST(precision_sigma1)
{
    const size_t m = (size_t)1 << 22, n = m + ((size_t)1 << 16);
    uint8_t *pat = tu_xmalloc(m), *text = tu_xmalloc(n);
    uint32_t *d, *pref;
    size_t i, e, S = n - m + 1;
    tu_rng r;
    if (!tu_begin(&r, "precision", "precision_sigma1", _i))
        return;
    memset(pat, 'A', m);
    memset(text, 'A', n);
    d = run_u8(HAM_ENGINE_FFT, pat, m, text, n, 0);
    TU_CHECK(tu_find_not32(d, S, 0) == S, "%s: A^m vs A^n: distance %u at %zu",
             tu_where(), d[tu_find_not32(d, S, 0) % S], tu_find_not32(d, S, 0));
    free(d);
    runs(&r, text, n, 1u << 16, 90);
    pref = tu_xmalloc((n + 1) * sizeof *pref);
    pref[0] = 0;
    for (i = 0; i < n; i++)
        pref[i + 1] = pref[i] + (text[i] == 'A');
    for (e = 0; e < 2; e++) {
        d = run_u8(engines[e], pat, m, text, n, HAM__ABR_ALL_F);
        for (i = 0; i < S; i++)
            TU_CHECK(d[i] == (uint32_t)(m - (pref[i + m] - pref[i])),
                     "%s: %s sigma=1 runs: shift %zu: got %u, expected %u", tu_where(),
                     ham_engine_name(engines[e]), i, d[i],
                     (unsigned)(m - (pref[i + m] - pref[i])));
        free(d);
    }
    free(pref);
    free(pat);
    free(text);
}
END_TEST

/* Two symbols, m = 2^20: a pattern of long runs against a text of runs,
 * exact answers from run boundaries and prefix counts; both engines. */
START_TEST(precision_binary_runs)
{
    const size_t m = (size_t)1 << 20, n = m + ((size_t)1 << 17), S = n - m + 1;
    uint8_t *pat = tu_xmalloc(m), *text = tu_xmalloc(n);
    uint32_t *pref = tu_xmalloc((n + 1) * sizeof *pref), *d;
    size_t rs[256], re[256], nr = 0, i, j;
    uint8_t rsym[256];
    tu_rng r;
    if (!tu_begin(&r, "precision", "precision_binary_runs", _i))
        return;
    runs(&r, pat, m, m / 20, 60);
    runs(&r, text, n, _i ? 64 : (size_t)1 << 15, 55);
    for (i = 0; i < m;) { /* the pattern's runs */
        j = i;
        while (j < m && pat[j] == pat[i])
            j++;
        TU_CHECK(nr < 256, "test bug: too many runs");
        rs[nr] = i;
        re[nr] = j;
        rsym[nr++] = pat[i];
        i = j;
    }
    pref[0] = 0;
    for (i = 0; i < n; i++)
        pref[i + 1] = pref[i] + (text[i] == 'A');
    for (j = 0; j < 2; j++) {
        d = run_u8(engines[j], pat, m, text, n, HAM__ABR_MODEL);
        for (i = 0; i < S; i++) {
            size_t q, exp = 0;
            for (q = 0; q < nr; q++) {
                size_t a = pref[i + re[q]] - pref[i + rs[q]], len = re[q] - rs[q];
                exp += rsym[q] == 'A' ? len - a : a;
            }
            TU_CHECK(d[i] == exp,
                     "%s: %s binary runs m=2^20: shift %zu: got %u, expected %zu",
                     tu_where(), ham_engine_name(engines[j]), i, d[i], exp);
        }
        free(d);
    }
    free(pref);
    free(pat);
    free(text);
}
END_TEST

/* Two symbols, m = 2^20, random pattern and text: checked at sampled
 * shifts (and the first and last) by direct counting. */
START_TEST(precision_binary_random)
{
    const size_t m = (size_t)1 << 20, n = m + ((size_t)1 << 15), S = n - m + 1;
    uint8_t *pat = tu_xmalloc(m), *text = tu_xmalloc(n);
    uint32_t *d;
    size_t i, q;
    tu_rng r;
    if (!tu_begin(&r, "precision", "precision_binary_random", _i))
        return;
    for (i = 0; i < m; i++)
        pat[i] = tu_chance(&r, 1, 2) ? 'A' : 'B';
    for (i = 0; i < n; i++)
        text[i] = tu_chance(&r, 1, 2) ? 'A' : 'B';
    memcpy(text + 777, pat, m); /* one exact occurrence */
    d = run_u8(HAM_ENGINE_FFT, pat, m, text, n, 0);
    ck_assert_uint_eq(d[777], 0);
    for (q = 0; q < 130; q++) {
        size_t s = q == 0 ? 0 : q == 1 ? S - 1 : (size_t)tu_below(&r, S), exp = 0;
        for (i = 0; i < m; i++)
            exp += pat[i] != text[s + i];
        TU_CHECK(d[s] == exp,
                 "%s: binary random m=2^20: shift %zu: got %u, expected %zu",
                 tu_where(), s, d[s], exp);
    }
    free(d);
    free(pat);
    free(text);
}
END_TEST

/* The sampling engine's correlations at the plain layer's limit: m = 2^20,
 * two symbols in long runs, so that one indicator holds most of the pattern
 * and the text (the largest norm product; with sigma = 2 the engine takes
 * its exact pass, the identity colouring, through the same layer as any
 * colouring: colours only merge symbols, and the bound sqrt(N m) does not
 * depend on how many). Each D_h <= D exactly, so the output is at most
 * (1 + eps) D at every shift whatever the colourings; a rounding error in
 * a D_h would break that. The lower bound holds with probability 1 - delta
 * (fixed seed: reproducible). */
START_TEST(precision_sampling)
{
    const size_t m = (size_t)1 << 20, n = m + ((size_t)1 << 12), S = n - m + 1;
    uint8_t *pat = tu_xmalloc(m), *text = tu_xmalloc(n);
    uint32_t *d = tu_xmalloc(S * sizeof *d), *pref = tu_xmalloc((n + 1) * sizeof *pref);
    size_t rs[256], re[256], nr = 0, i, j;
    uint8_t rsym[256];
    ham_params p;
    ham_plan *plan;
    tu_rng r;
    int rc;
    if (!tu_begin(&r, "precision", "precision_sampling", _i))
        return;
    runs(&r, pat, m, m / 20, 60);
    runs(&r, text, n, (size_t)1 << 15, 55);
    for (i = 0; i < m;) {
        j = i;
        while (j < m && pat[j] == pat[i])
            j++;
        TU_CHECK(nr < 256, "test bug: too many runs");
        rs[nr] = i;
        re[nr] = j;
        rsym[nr++] = pat[i];
        i = j;
    }
    pref[0] = 0;
    for (i = 0; i < n; i++)
        pref[i + 1] = pref[i] + (text[i] == 'A');
    ham_params_init(&p);
    p.engine = HAM_ENGINE_SAMPLING;
    p.epsilon = 0.25;
    p.seed = 5;
    rc = ham_plan_create_u8(&plan, pat, m, &p);
    TU_CHECK(rc == HAM_OK, "%s: plan: %s", tu_where(), ham_errname(rc));
    rc = ham_dist_u8(plan, text, n, d, S);
    TU_CHECK(rc == HAM_OK, "%s: dist: %s", tu_where(), ham_errname(rc));
    for (i = 0; i < S; i++) {
        size_t q, exp = 0;
        for (q = 0; q < nr; q++) {
            size_t a = pref[i + re[q]] - pref[i + rs[q]], len = re[q] - rs[q];
            exp += rsym[q] == 'A' ? len - a : a;
        }
        TU_CHECK(d[i] >= exp && (double)d[i] <= 1.25 * (double)exp,
                 "%s: sampling m=2^20 runs: shift %zu: got %u, exact %zu", tu_where(),
                 i, d[i], exp);
    }
    ham_plan_destroy(plan);
    free(d);
    free(pref);
    free(pat);
    free(text);
}
END_TEST

/* ---- Cache, sizes, flags, threads -------------------------------------------------
 */

static void
random_case(tu_case *c, tu_rng *r, size_t m, size_t n, size_t sigma, unsigned width)
{
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc(n * sizeof *text);
    size_t i;
    tu_alpha_make(&a, sigma, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, r);
    tu_gen(r, &a, pat, m, 1);
    tu_gen(r, &a, text, n, 1);
    for (i = 0; i < 3 && n >= m; i++)
        tu_plant(r, &a, pat, m, text, tu_range(r, 0, n - m), tu_below(r, 4));
    tu_case_from32(c, width, pat, m, text, n, -1);
    free(pat);
    free(text);
}

START_TEST(spectra_budget)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e, b;
    if (!tu_begin(&r, "cache", "spectra_budget", _i))
        return;
    random_case(&c, &r, 900, 30000, 20, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++)
        for (b = 0; b < 2; b++) {
            ham_plan *plan =
                make_plan(&c, engines[e], HAM_UNBOUNDED, HAM__ABR_MIXED, 0);
            size_t N = block_size(plan, engines[e], c.n);
            ham__fft_test_budget(ctx_of(plan, engines[e]), b ? (N / 2 + 1) * 16 : 0);
            expect_on(plan, &c, c.n, HAM_UNBOUNDED, exp,
                      b ? "budget=1 spectrum" : "budget=0");
            expect_on(plan, &c, c.n, HAM_UNBOUNDED, exp, "budget, second call");
            ham_plan_destroy(plan);
        }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* One plan, many text lengths: many block sizes in one cache. */
START_TEST(many_sizes)
{
    const size_t m = _i ? 200 : 2;
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e, i, j;
    if (!tu_begin(&r, "cache", "many_sizes", _i))
        return;
    random_case(&c, &r, m, 12000, 4, 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        ham_plan *plan = make_plan(&c, engines[e], HAM_UNBOUNDED, HAM__ABR_ALL_F, 0);
        size_t seen[128], sizes = 0;
        for (i = 0; i < 120; i++) {
            size_t n = m + (i * i * 7 + 3) % (12000 - m),
                   N = block_size(plan, engines[e], n);
            for (j = 0; j < sizes && seen[j] != N; j++)
                ;
            if (j == sizes)
                seen[sizes++] = N;
            expect_on(plan, &c, n, HAM_UNBOUNDED, exp, ham_engine_name(engines[e]));
        }
        TU_CHECK(sizes > 8, "%s: only %zu block sizes", tu_where(), sizes);
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

START_TEST(measure_flag)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e;
    if (!tu_begin(&r, "cache", "measure_flag", _i))
        return;
    random_case(&c, &r, 100 + 300 * (size_t)_i, 5000, 3, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        ham_plan *plan =
            make_plan(&c, engines[e], HAM_UNBOUNDED, HAM__ABR_MIXED, HAM_F_MEASURE);
        expect_on(plan, &c, c.n, HAM_UNBOUNDED, exp, "HAM_F_MEASURE");
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

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
        int rc = j->c->width == 1
                     ? ham_dist_u8(j->plan, j->c->text8, j->c->n, got, nd)
                     : ham_dist_u32(j->plan, j->c->text32, j->c->n, got, nd);
        if (rc != HAM_OK || memcmp(got, j->exp, nd * sizeof *got) != 0)
            j->bad++;
    }
    free(got);
    return NULL;
}

/* One fresh plan, four threads at once: the lazy cache fills concurrently. */
START_TEST(threads)
{
    tu_rng r;
    tu_case c;
    uint32_t *exp;
    size_t e, t;
    if (!tu_begin(&r, "cache", "threads", _i))
        return;
    random_case(&c, &r, 1500, 40000, 12, _i ? 4 : 1);
    exp = tu_ref(&c, HAM_UNBOUNDED);
    for (e = 0; e < 2; e++) {
        ham_plan *plan = make_plan(&c, engines[e], HAM_UNBOUNDED, HAM__ABR_MIXED, 0);
        pthread_t th[4];
        job jobs[4];
        for (t = 0; t < 4; t++) {
            jobs[t].plan = plan;
            jobs[t].c = &c;
            jobs[t].exp = exp;
            jobs[t].bad = 0;
            ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
        }
        for (t = 0; t < 4; t++) {
            pthread_join(th[t], NULL);
            TU_CHECK(jobs[t].bad == 0, "%s: engine %s: thread %zu: %d bad runs",
                     tu_where(), ham_engine_name(engines[e]), t, jobs[t].bad);
        }
        ham_plan_destroy(plan);
    }
    free(exp);
    tu_case_free(&c);
}
END_TEST

/* ---- API paths and the size rule ----------------------------------------------------
 */

START_TEST(kmis_stream)
{
    tu_rng r;
    tu_case c;
    size_t e;
    if (!tu_begin(&r, "api", "kmis_stream", _i))
        return;
    random_case(&c, &r, 300 + 2000 * (size_t)_i, 50000, 4, _i ? 4 : 1);
    for (e = 0; e < 2; e++) {
        const uint32_t k = (uint32_t)(c.m / 3);
        uint32_t *refk = tu_ref(&c, k);
        ham_plan *plan = make_plan(&c, engines[e], k, 0, 0);
        ham_stream *s;
        tu_hits h = {0};
        size_t pos = 0, nd = c.n - c.m + 1;
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

static int
friendly(size_t N)
{
    while (N % 2 == 0)
        N /= 2;
    while (N % 3 == 0)
        N /= 3;
    while (N % 5 == 0)
        N /= 5;
    return N == 1;
}

START_TEST(size_rule)
{
    size_t N = 1, prev = 0, m;
    tu_rng r;
    if (!tu_begin(&r, "api", "size_rule", _i))
        return;
    for (N = 1; N < ((size_t)1 << 28); N = ham__fft_next_size(N)) {
        TU_CHECK(N > prev && (N < 16 || friendly(N)), "next_size gave %zu after %zu", N,
                 prev);
        prev = N;
    }
    for (m = 1; m <= ((size_t)1 << 22); m = m * 3 + 1) {
        uint8_t *pat = tu_xmalloc(m);
        size_t e;
        ham_params p;
        memset(pat, 'a', m);
        for (e = 0; e < m; e++)
            pat[e] = (uint8_t)('a' + e % 5);
        for (e = 0; e < 2; e++) {
            ham_plan *plan;
            size_t nlong, nshort;
            ham_params_init(&p);
            p.engine = engines[e];
            ck_assert_int_eq(ham_plan_create_u8(&plan, pat, m, &p), HAM_OK);
            nlong = block_size(plan, engines[e], (size_t)1 << 34);
            nshort = block_size(plan, engines[e], m);
            TU_CHECK(friendly(nlong) && nlong > m && nlong <= 32 * m + 4096,
                     "m=%zu %s: long-text N=%zu", m, ham_engine_name(engines[e]),
                     nlong);
            TU_CHECK(friendly(nshort) && nshort > m && nshort <= nlong,
                     "m=%zu %s: one-shift N=%zu (long %zu)", m,
                     ham_engine_name(engines[e]), nshort, nlong);
            ham_plan_destroy(plan);
        }
        free(pat);
    }
}
END_TEST

/* The enumeration price follows the block's window of counters (lib/abrahamson.c,
 * ham__abr_kappa_e): flat while the window fits in L2, dearer beyond. So where
 * every pattern symbol is enumerated (256 symbols, m = 2^17: p_c ~ 512), the
 * block-size rule of abrahamson, packed and hashed must keep the window of 4-byte
 * counters within 4 MiB (it took 32 m, 15 MiB, when the price ignored the
 * window: 1.76x slower), while a pattern whose symbols are all transformed
 * (sigma = 2) keeps the long blocks that amortise the transforms. */
START_TEST(window_price)
{
    static const ham_engine fam[] = {HAM_ENGINE_ABRAHAMSON, HAM_ENGINE_PACKED,
                                     HAM_ENGINE_HASHED};
    const size_t m = (size_t)1 << 17, n = (size_t)1 << 24;
    uint8_t *pat = tu_xmalloc(m);
    size_t i, e, W, N;
    double prev = 0.0;
    ham_params p;
    ham_plan *plan, *narrow;
    tu_rng r;
    if (!tu_begin(&r, "api", "window_price", _i))
        return;
    for (i = 0; i < m; i++)
        pat[i] = (uint8_t)tu_below(&r, 256);
    ham_params_init(&p);
    p.engine = HAM_ENGINE_ABRAHAMSON;
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, m, &p), HAM_OK);
    ck_assert_int_eq(ham_plan_create_u8(&narrow, pat, 4096, &p), HAM_OK);
    for (W = 1024; W <= ((size_t)1 << 26); W *= 2) {
        const double k = ham__abr_kappa_e(plan, W), k16 = ham__abr_kappa_e(narrow, W);
        TU_CHECK(k >= prev && k16 <= k && k16 > 0.0,
                 "price not monotone at W=%zu: %g %g", W, k, k16);
        TU_CHECK(W * 4 > ((size_t)1 << 20) || k == ham__abr_kappa_e(plan, 1024),
                 "price varies inside L2: W=%zu %g", W, k);
        prev = k;
    }
    TU_CHECK(
        ham__abr_kappa_e(plan, (size_t)1 << 21) > 1.3 * ham__abr_kappa_e(plan, 1024),
        "8 MiB of counters priced like 4 KiB: %g", ham__abr_kappa_e(plan, 1 << 21));
    ham_plan_destroy(plan);
    ham_plan_destroy(narrow);
    for (e = 0; e < sizeof fam / sizeof fam[0]; e++) {
        p.engine = fam[e];
        ck_assert_int_eq(ham_plan_create_u8(&plan, pat, m, &p), HAM_OK);
        N = ham__fft_head_of(plan, fam[e])->block_size(plan, n);
        TU_CHECK(N > m && (N - m + 1) * 4 <= ((size_t)4 << 20),
                 "%s, 256 symbols, m=%zu: block %zu = %.2f m, %.1f MiB of counters",
                 ham_engine_name(fam[e]), m, N, (double)N / (double)m,
                 (double)(N - m + 1) * 4.0 / 1048576.0);
        ham_plan_destroy(plan);
    }
    for (i = 0; i < m; i++)
        pat[i] = (uint8_t)(pat[i] & 1);
    p.engine = HAM_ENGINE_ABRAHAMSON;
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, m, &p), HAM_OK);
    N = block_size(plan, HAM_ENGINE_ABRAHAMSON, n);
    TU_CHECK(N >= 4 * m, "2 symbols, m=%zu: block %zu = %.2f m (transforms want long)",
             m, N, (double)N / (double)m);
    ham_plan_destroy(plan);
    free(pat);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("fft");
    TCase *tc;

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, property, 0, 100);
    tcase_add_loop_test(tc, split_modes, 0, 3);
    tcase_add_loop_test(tc, cap_and_fixed, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("edges");
    tcase_add_loop_test(tc, block_edges, 0, 19);
    tcase_add_loop_test(tc, pow2_edges, 0, 4);
    tcase_add_loop_test(tc, wild_and_k, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("data");
    tcase_add_test(tc, data_dna);
    tcase_add_test(tc, data_protein);
    tcase_add_test(tc, data_english);
    tcase_add_test(tc, data_tokens);
    suite_add_tcase(s, tc);

    tc = tu_tcase("fault");
    tcase_add_loop_test(tc, fault_injection, 0, 2);
    tcase_add_loop_test(tc, ntt_direct, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("precision");
    tcase_add_test(tc, precision_sigma1);
    tcase_add_loop_test(tc, precision_binary_runs, 0, 2);
    tcase_add_test(tc, precision_binary_random);
    tcase_add_test(tc, precision_sampling);
    suite_add_tcase(s, tc);

    tc = tu_tcase("cache");
    tcase_add_loop_test(tc, spectra_budget, 0, 2);
    tcase_add_loop_test(tc, many_sizes, 0, 2);
    tcase_add_loop_test(tc, measure_flag, 0, 2);
    tcase_add_loop_test(tc, threads, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("api");
    tcase_add_loop_test(tc, kmis_stream, 0, 2);
    tcase_add_test(tc, size_rule);
    tcase_add_test(tc, window_price);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_fft");
}
