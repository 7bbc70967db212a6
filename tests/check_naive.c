/* SPDX-License-Identifier: MIT */
/*
 * check_naive.c -- internal: every variant of the naive engine (scalar,
 * shift-parallel, bit-sliced, early-exit, and the engine's own choice) at
 * every ISA cap (portable, AVX2, AVX-512; capped further by the CPU) against
 * the reference, through ham__naive_dist_variant. Bit-sliced may decline
 * (HAM_EUNSUPPORTED) only for patterns of more than 3 distinct symbols,
 * kzero (exact matching) only for k != 0.
 * Sizes sit on the kernels' edges: m around 64/255/256/257/512/1000,
 * alphabets 1-4 and 15/16/17 (bit-plane boundaries), texts with symbols
 * absent from the pattern, wildcards, k-bounded, distances exactly at
 * 8-bit counter limits, texts at odd addresses.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_naive
 */
#include "internal.h"

#include "ref.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int id;
    const char *name;
} variants[] = {
    {HAM__NV_AUTO, "auto"},           {HAM__NV_SCALAR, "scalar"},
    {HAM__NV_SHIFTPAR, "shiftpar"},   {HAM__NV_BITSLICED, "bitsliced"},
    {HAM__NV_EARLYEXIT, "earlyexit"}, {HAM__NV_KZERO, "kzero"},
};
static const struct {
    int id;
    const char *name;
} isas[] = {{HAM__ISA_PORTABLE, "portable"},
            {HAM__ISA_AVX2, "avx2"},
            {HAM__ISA_AVX512, "avx512"}};
#define NVAR (sizeof variants / sizeof variants[0])
#define NISA (sizeof isas / sizeof isas[0])

/* distinct non-wildcard pattern symbols */
static size_t
pattern_sigma(const tu_case *c)
{
    uint32_t *v = tu_xmalloc(c->m * sizeof *v);
    size_t i, k = 0, s;
    for (i = 0; i < c->m; i++)
        if (c->wildcard < 0 || (int64_t)c->pat32[i] != c->wildcard)
            v[k++] = c->pat32[i];
    s = tu_distinct32(v, k);
    free(v);
    return s;
}

/*
 * Every variant x ISA on case c (n >= m) with bound k; `text` overrides the
 * case's text pointer (odd addresses). Counts the runs that were served.
 */
static void
all_variants(const tu_case *c, uint32_t k, const void *text, const char *what,
             size_t *served)
{
    size_t nd = HAM_NDIST(c->n, c->m), v, i, sigma = pattern_sigma(c);
    uint32_t *exp = tu_ref(c, k), *got;
    ham_params p;
    ham_plan *plan;
    int rc;
    TU_CHECK(nd > 0, "test bug: variants need n >= m");
    ham_params_init(&p);
    p.engine = HAM_ENGINE_NAIVE;
    p.max_dist = k;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: %s: plan: %s", tu_where(), tu_case_desc(c),
             ham_errname(rc));
    if (!text)
        text = c->width == 1 ? (const void *)c->text8 : (const void *)c->text32;
    got = tu_xmalloc(nd * sizeof *got);
    for (v = 0; v < NVAR; v++)
        for (i = 0; i < NISA; i++) {
            char desc[160];
            tu_fill32(got, nd, TU_SENTINEL32);
            rc = ham__naive_dist_variant(plan, text, c->n, got, k, variants[v].id,
                                         isas[i].id);
            snprintf(desc, sizeof desc,
                     "%s variant=%s isa=%s (cpu isa %d) pattern sigma=%zu", what,
                     variants[v].name, isas[i].name, plan->cpu.isa, sigma);
            if (rc == HAM_EUNSUPPORTED && variants[v].id == HAM__NV_BITSLICED &&
                sigma > 3)
                continue;
            if (rc == HAM_EUNSUPPORTED && variants[v].id == HAM__NV_KZERO && k != 0)
                continue;
            TU_CHECK(rc == HAM_OK, "%s: %s: %s k=%lu: returned %s; replay: %s",
                     tu_where(), desc, tu_case_desc(c), (unsigned long)k,
                     ham_errname(rc), tu_replay());
            tu_expect_dist(c, k, exp, got, nd, desc);
            if (served)
                served[v]++;
        }
    free(got);
    free(exp);
    ham_plan_destroy(plan);
}

static const size_t edge_ms[] = {1,   2,   3,    31,   32,   33,  63,  64,
                                 65,  127, 128,  129,  255,  256, 257, 511,
                                 512, 513, 1000, 1023, 1024, 1025};
static const size_t sigmas[] = {1, 2, 3, 4, 15, 16, 17, 20, 256};

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 8)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return (uint32_t)tu_range(r, 2, 10);
    case 3:
        return (uint32_t)(m / 2);
    case 4:
        return (uint32_t)(m - 1);
    case 5:
        return (uint32_t)(m + 1);
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* A random case with m, sigma from the edge lists (or random), pattern over a
 * part of the alphabet, wildcard sometimes, planted near-matches. */
static void
variant_case(tu_case *c, tu_rng *r, unsigned width)
{
    tu_alpha a, pa;
    size_t m, n, i, sigma;
    uint32_t *pat, *text;
    int64_t w = -1;
    m = tu_chance(r, 2, 3) ? edge_ms[tu_below(r, sizeof edge_ms / sizeof edge_ms[0])]
                           : tu_range(r, 1, 1200);
    n = m + (tu_chance(r, 1, 2) ? tu_logrange(r, 0, 700) : tu_range(r, 0, 700));
    sigma = sigmas[tu_below(r, sizeof sigmas / sizeof sigmas[0])];
    tu_alpha_make(&a, sigma,
                  width == 1 ? TU_V_LOW : (int)tu_range(r, TU_V_LOW, TU_V_SPREAD),
                  width, r);
    pa = a;
    if (sigma > 1 && tu_chance(r, 1, 3)) /* text symbols absent from the pattern */
        pa.size = 1 + (size_t)tu_below(r, sigma - 1);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_gen(r, &pa, pat, m, tu_chance(r, 1, 4));
    tu_gen(r, &a, text, n, tu_chance(r, 1, 4));
    for (i = (size_t)tu_below(r, 5); i > 0; i--)
        tu_plant(r, &a, pat, m, text, tu_range(r, 0, n - m), tu_below(r, m / 8 + 2));
    if (tu_chance(r, 1, 4)) {
        if (tu_chance(r, 1, 2)) {
            w = pat[tu_below(r, m)];
        } else {
            w = width == 1 ? (int64_t)((a.sym[0] + 1u) & 255u) : (int64_t)UINT32_MAX;
            for (i = (size_t)tu_below(r, m / 4 + 2); i > 0; i--)
                pat[tu_below(r, m)] = (uint32_t)w;
        }
    }
    tu_case_from32(c, width, pat, m, text, n, w);
    c->alpha = a;
    free(pat);
    free(text);
}

START_TEST(variants_property)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "property", "variants_property", _i))
        return;
    for (inst = 0; inst < 8; inst++) {
        tu_case c;
        tu_set_inst(inst);
        variant_case(&c, &r, (_i + inst) & 1 ? 4 : 1);
        all_variants(&c, HAM_UNBOUNDED, NULL, "exact", NULL);
        all_variants(&c, pick_k(&r, c.m), NULL, "k-bounded", NULL);
        tu_case_free(&c);
    }
}
END_TEST

/* Bit-sliced must serve patterns of at most 3 distinct symbols (any m, k,
 * width, wildcard). */
START_TEST(bitsliced_small_sigma)
{
    tu_rng r;
    size_t si, mi;
    unsigned width;
    if (!tu_begin(&r, "property", "bitsliced_small_sigma", _i))
        return;
    width = _i ? 4 : 1;
    for (si = 1; si <= 3; si++)
        for (mi = 0; mi < sizeof edge_ms / sizeof edge_ms[0]; mi += 2) {
            size_t m = edge_ms[mi], n = m + 100, served[NVAR] = {0};
            tu_case c;
            tu_alpha a;
            uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
            tu_alpha_make(&a, si + 2, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
            tu_gen(&r, &a, text, n, 0);
            a.size = si; /* the pattern uses si of them; the text more */
            tu_gen(&r, &a, pat, m, 0);
            tu_plant(&r, &a, pat, m, text, 50, 3);
            tu_case_from32(&c, width, pat, m, text, n, (mi & 2) ? (int64_t)pat[0] : -1);
            if (pattern_sigma(&c) <= 3) {
                all_variants(&c, HAM_UNBOUNDED, NULL, "sigma<=3", served);
                all_variants(&c, 2, NULL, "sigma<=3 k=2", served);
                ck_assert_msg(
                    served[3] == 2 * NISA,
                    "bit-sliced declined a pattern of %zu symbols (m=%zu width=%u)",
                    pattern_sigma(&c), m, width * 8);
            }
            tu_case_free(&c);
            free(pat);
            free(text);
        }
}
END_TEST

/* 15/16/17 symbols (bit-plane boundaries) and 1..4, at m around the edges. */
START_TEST(plane_boundaries)
{
    /* 15/16: bit-sliced limit; 254..256: the 8-bit id limit of u32 kernels */
    static const size_t ss[] = {1,  2,  3,  4,  7,   8,   9,   15, 16,
                                17, 31, 32, 33, 254, 255, 256, 257};
    static const size_t ms[] = {64, 255, 256, 257, 512};
    tu_rng r;
    size_t si, mi;
    unsigned width;
    if (!tu_begin(&r, "edges", "plane_boundaries", _i))
        return;
    width = _i ? 4 : 1;
    for (si = 0; si < sizeof ss / sizeof ss[0]; si++)
        for (mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
            size_t m = ms[mi], n = m + 200, j, s = ss[si];
            tu_case c;
            tu_alpha a;
            uint32_t *pat, *text;
            if (s > m || (width == 1 && s > 256))
                continue;
            pat = tu_xmalloc(m * 4);
            text = tu_xmalloc(n * 4);
            /* one more symbol than the pattern uses (none left for u8 at 256) */
            tu_alpha_make(&a, width == 1 && s == 256 ? 256 : s + 1,
                          width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
            /* the pattern holds exactly s symbols (each at least once) */
            for (j = 0; j < m; j++)
                pat[j] = a.sym[j < s ? j : tu_below(&r, s)];
            tu_gen(&r, &a, text, n, 0); /* sym[s] is absent from the pattern */
            if (a.size > s) /* and frequent, so absent-vs-present mixups show */
                for (j = 0; j < n; j++)
                    if (tu_chance(&r, 1, 4))
                        text[j] = a.sym[s];
            for (j = 0; j < 3; j++)
                tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), tu_below(&r, 5));
            tu_case_from32(&c, width, pat, m, text, n, -1);
            ck_assert_uint_eq(pattern_sigma(&c), s);
            all_variants(&c, HAM_UNBOUNDED, NULL, "plane boundary", NULL);
            all_variants(&c, (uint32_t)(m / 3), NULL, "plane boundary k=m/3", NULL);
            tu_case_free(&c);
            free(pat);
            free(text);
        }
}
END_TEST

/* The text holds the pattern with exactly d substitutions: d at 8-bit
 * counter limits (and m), for every variant. */
START_TEST(counter_limits)
{
    static const size_t ms[] = {255, 256, 257, 300, 511, 512, 513, 1000};
    static const size_t ds[] = {0,   1,   127, 128, 254, 255, 256,
                                257, 258, 510, 511, 512, 513};
    tu_rng r;
    size_t mi, di;
    unsigned width;
    if (!tu_begin(&r, "edges", "counter_limits", _i))
        return;
    width = _i ? 4 : 1;
    for (mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
        for (di = 0; di < sizeof ds / sizeof ds[0] + 2; di++) {
            size_t m = ms[mi], d = di < sizeof ds / sizeof ds[0]
                                       ? ds[di]
                                       : m - (di - sizeof ds / sizeof ds[0]);
            size_t left = di & 3, n = left + m + (di % 5), j;
            tu_case c;
            tu_alpha a;
            uint32_t *pat, *text, *pos;
            if (d > m)
                continue;
            pat = tu_xmalloc(m * 4);
            text = tu_xmalloc(n * 4);
            pos = tu_xmalloc(m * 4);
            tu_alpha_make(&a, 3, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
            tu_gen(&r, &a, pat, m, 0);
            tu_gen(&r, &a, text, n, 0);
            memcpy(text + left, pat, m * 4);
            for (j = 0; j < m; j++)
                pos[j] = (uint32_t)j;
            for (j = 0; j < d; j++) {
                size_t t = tu_range(&r, j, m - 1);
                uint32_t x = pos[j];
                pos[j] = pos[t];
                pos[t] = x;
                text[left + pos[j]] =
                    (di & 1) ? (pat[pos[j]] == a.sym[0] ? a.sym[1] : a.sym[0])
                             : a.sym[2] ^ 0x40u; /* maybe foreign */
                if (text[left + pos[j]] == pat[pos[j]])
                    text[left + pos[j]] = pat[pos[j]] == a.sym[0] ? a.sym[1] : a.sym[0];
            }
            tu_case_from32(&c, width, pat, m, text, n, -1);
            {
                uint32_t *e = tu_ref(&c, HAM_UNBOUNDED);
                ck_assert_msg(e[left] == d, "test bug: %u != %zu", (unsigned)e[left],
                              d);
                free(e);
            }
            all_variants(&c, HAM_UNBOUNDED, NULL, "exact d", NULL);
            all_variants(&c, (uint32_t)d, NULL, "exact d, k=d", NULL);
            if (d > 0)
                all_variants(&c, (uint32_t)(d - 1), NULL, "exact d, k=d-1", NULL);
            tu_case_free(&c);
            free(pat);
            free(text);
            free(pos);
        }
}
END_TEST

/* Texts at every byte offset 1..63 (u32: 1..15 symbols), ending at the end of
 * their allocation. */
START_TEST(odd_address)
{
    static const size_t ms[] = {1, 33, 64, 100, 256, 257};
    tu_rng r;
    size_t off;
    unsigned width;
    if (!tu_begin(&r, "edges", "odd_address", _i))
        return;
    width = _i ? 4 : 1;
    for (off = 1; off <= (width == 1 ? 63u : 15u); off++) {
        size_t m = ms[off % 6], n = m + 50 + 13 * off;
        tu_case c;
        tu_alpha a;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
        unsigned char *buf;
        tu_alpha_make(&a, 1 + off % 4, width == 1 ? TU_V_LOW : TU_V_SPREAD, width, &r);
        tu_gen(&r, &a, pat, m, 0);
        tu_gen(&r, &a, text, n, 0);
        tu_plant(&r, &a, pat, m, text, n - m, 1);
        tu_case_from32(&c, width, pat, m, text, n, -1);
        buf = tu_xmalloc((off + n) * width);
        memcpy(buf + off * width, width == 1 ? (void *)c.text8 : (void *)c.text32,
               n * width);
        all_variants(&c, HAM_UNBOUNDED, buf + off * width, "odd address", NULL);
        all_variants(&c, (uint32_t)(m / 4), buf + off * width, "odd address k=m/4",
                     NULL);
        free(buf);
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* Long texts: the variants that convert the text (u32 ids, bit planes) work
 * in blocks of 2^14 shifts; shift counts around multiples of it. */
START_TEST(long_texts)
{
    static const size_t ms[] = {1, 64, 300};
    static const size_t ss[] = {16383, 16384, 16385, 32769};
    tu_rng r;
    size_t mi, si;
    unsigned width;
    if (!tu_begin(&r, "edges", "long_texts", _i))
        return;
    width = _i & 1 ? 4 : 1;
    mi = (size_t)_i / 2;
    for (si = 0; si < 4; si++) {
        size_t m = ms[mi], S = ss[si], n = S + m - 1, j;
        tu_case c;
        tu_alpha a;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(n * 4);
        tu_alpha_make(&a, 4, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
        a.size = 3;
        tu_gen(&r, &a, pat, m, 0);
        a.size = 4; /* the text has a symbol the pattern lacks */
        tu_gen(&r, &a, text, n, 0);
        for (j = 1; j * 16384 + m <= n; j++) { /* near-matches at the block edges */
            tu_plant(&r, &a, pat, m, text, j * 16384 - 1, 1);
            if (j * 16384 + 2 * m <= n)
                tu_plant(&r, &a, pat, m, text, j * 16384 + m - 1, 0);
        }
        tu_plant(&r, &a, pat, m, text, n - m, 0);
        tu_case_from32(&c, width, pat, m, text, n, -1);
        all_variants(&c, HAM_UNBOUNDED, NULL, "long text", NULL);
        all_variants(&c, (uint32_t)(m / 5), NULL, "long text k=m/5", NULL);
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

/* m = 1, m = n, sigma = 1, text of symbols absent from the pattern, all
 * wildcards. */
START_TEST(small_edges)
{
    tu_rng r;
    size_t n, m;
    unsigned width;
    if (!tu_begin(&r, "edges", "small_edges", _i))
        return;
    width = _i ? 4 : 1;
    for (n = 1; n <= 130; n += (n < 70 ? 1 : 13)) {
        tu_case c;
        tu_alpha a;
        uint32_t *text = tu_xmalloc(n * 4), pat[1];
        tu_alpha_make(&a, 3, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
        tu_gen(&r, &a, text, n, 0);
        pat[0] = a.sym[0];
        tu_case_from32(&c, width, pat, 1, text, n, -1);
        all_variants(&c, HAM_UNBOUNDED, NULL, "m=1", NULL);
        all_variants(&c, 0, NULL, "m=1 k=0", NULL);
        tu_case_free(&c);
        tu_case_from32(&c, width, text, n, text, n, -1); /* m = n, d = 0 */
        all_variants(&c, HAM_UNBOUNDED, NULL, "m=n", NULL);
        tu_case_free(&c);
        free(text);
    }
    for (m = 1; m <= 600; m = m * 2 + 1) {
        size_t nn = m + 77, j;
        uint32_t *pat = tu_xmalloc(m * 4), *text = tu_xmalloc(nn * 4);
        uint32_t x = width == 1 ? 'A' : UINT32_MAX, y = width == 1 ? 'B' : 0;
        tu_case c;
        tu_fill32(pat, m, x);
        tu_fill32(text, nn, y); /* every text symbol absent from the pattern */
        tu_case_from32(&c, width, pat, m, text, nn, -1);
        all_variants(&c, HAM_UNBOUNDED, NULL, "text all foreign", NULL);
        all_variants(&c, (uint32_t)(m - 1), NULL, "text all foreign k=m-1", NULL);
        c.wildcard = x; /* the whole pattern is the wildcard */
        all_variants(&c, HAM_UNBOUNDED, NULL, "all wildcard", NULL);
        all_variants(&c, 0, NULL, "all wildcard k=0", NULL);
        tu_case_free(&c);
        for (j = 0; j < nn; j++)
            text[j] = tu_chance(&r, 1, 2) ? x : y;
        tu_case_from32(&c, width, pat, m, text, nn, -1);
        all_variants(&c, HAM_UNBOUNDED, NULL, "sigma 1 vs 2", NULL);
        tu_case_free(&c);
        free(pat);
        free(text);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("naive");
    TCase *tc;

    tc = tu_tcase("property");
    tcase_add_loop_test(tc, variants_property, 0, 100);
    tcase_add_loop_test(tc, bitsliced_small_sigma, 0, 2);
    suite_add_tcase(s, tc);

    tc = tu_tcase("edges");
    tcase_add_loop_test(tc, plane_boundaries, 0, 2);
    tcase_add_loop_test(tc, counter_limits, 0, 2);
    tcase_add_loop_test(tc, odd_address, 0, 2);
    tcase_add_loop_test(tc, small_edges, 0, 2);
    tcase_add_loop_test(tc, long_texts, 0, 6);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_naive");
}
