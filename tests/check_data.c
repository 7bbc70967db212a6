/* SPDX-License-Identifier: MIT */
/*
 * check_data.c -- real data from HAM_DATA_DIR (make check sets it; see
 * /work/shared/data/README.md): DNA (lambda, an E. coli window, a human
 * fragment with poly-A runs, lowercase Drosophila with n), protein, English
 * text, and 32-bit streams (o200k token ids, UTF-32 Tang poems). Patterns are
 * cut from the data (with a few substitutions), texts are windows of 10^4 -
 * 10^5 symbols; ham_dist (AUTO, naive, portable kernels), ham_kmis and streams
 * are compared with the reference.
 *
 * Without the data directory every test FAILS, unless HAM_ALLOW_NO_DATA=1,
 * which makes the program report SKIP (exit 77) with the reason.
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned kernel_flags[] = {0, HAM_F_NO_SIMD, HAM_F_NO_AVX512};

/* Exact distances with AUTO / naive and every kernel flag, against ref. */
static void
check_dist(const tu_case *c, const uint32_t *exact, const char *what)
{
    size_t nd = HAM_NDIST(c->n, c->m), f, e;
    uint32_t *got = tu_xmalloc(nd * sizeof *got);
    for (e = 0; e < 2; e++)
        for (f = 0; f < 3; f++) {
            ham_params p;
            ham_plan *plan;
            char desc[160];
            int rc;
            if (e == 0 && f > 0)
                continue; /* AUTO with default flags; naive with all */
            ham_params_init(&p);
            p.engine = e ? HAM_ENGINE_NAIVE : HAM_ENGINE_AUTO;
            p.flags = kernel_flags[f];
            snprintf(desc, sizeof desc, "%s engine=%s flags=0x%x", what,
                     ham_engine_name(p.engine), p.flags);
            rc = tu_plan(c, &p, &plan);
            TU_CHECK(rc == HAM_OK, "%s: %s: plan: %s", tu_where(), desc,
                     ham_errname(rc));
            rc = tu_dist(plan, c, got, nd);
            TU_CHECK(rc == HAM_OK, "%s: %s: ham_dist: %s", tu_where(), desc,
                     ham_errname(rc));
            tu_expect_dist(c, HAM_UNBOUNDED, exact, got, nd, desc);
            ham_plan_destroy(plan);
        }
    free(got);
}

/* k-mismatch hits (and a stream in random chunks) against ref. */
static void
check_kmis(const tu_case *c, uint32_t k, tu_rng *r, const char *what)
{
    size_t nd = HAM_NDIST(c->n, c->m), pos = 0;
    uint32_t *refk = tu_ref(c, k);
    ham_params p;
    ham_plan *plan;
    ham_stream *s;
    tu_hits h = {0};
    char desc[160];
    int rc;
    ham_params_init(&p);
    p.max_dist = k;
    p.flags = kernel_flags[tu_below(r, 3)];
    snprintf(desc, sizeof desc, "%s kmis flags=0x%x", what, p.flags);
    ck_assert_int_eq(tu_plan(c, &p, &plan), HAM_OK);
    rc = tu_kmis(plan, c, tu_hit_cb, &h);
    TU_CHECK(rc == HAM_OK, "%s: %s: ham_kmis: %s", tu_where(), desc, ham_errname(rc));
    tu_expect_hits(c, k, refk, nd, &h, SIZE_MAX, desc);
    /* the same through a stream */
    tu_hits_reset(&h);
    ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
    while (pos < c->n) {
        size_t len = (size_t)tu_range(r, 1, 20000);
        if (len > c->n - pos)
            len = c->n - pos;
        rc = c->width == 1
                 ? ham_stream_feed_u8(s, c->text8 + pos, len, tu_hit_cb, &h)
                 : ham_stream_feed_u32(s, c->text32 + pos, len, tu_hit_cb, &h);
        TU_CHECK(rc == HAM_OK, "%s: %s: stream feed: %s", tu_where(), desc,
                 ham_errname(rc));
        pos += len;
    }
    ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h), HAM_OK);
    snprintf(desc, sizeof desc, "%s stream", what);
    tu_expect_hits(c, k, refk, nd, &h, SIZE_MAX, desc);
    ham_stream_destroy(s);
    ham_plan_destroy(plan);
    tu_hits_free(&h);
    free(refk);
}

/*
 * Patterns of several lengths cut from data[0..len-1] (inside the text window
 * or anywhere in the loaded prefix), with a few substitutions by symbols of
 * the data; text = data[off .. off+n-1].
 */
static void
run_dataset(const char *name, unsigned width, const uint32_t *data, size_t len,
            size_t n, int64_t wildcard, int iter)
{
    static const size_t ms[] = {8, 20, 32, 64, 100, 150, 250, 1000};
    tu_rng r;
    size_t i, off;
    char what[128];
    tu_begin(&r, "data", name, iter);
    ck_assert_msg(len >= n + 1000, "%s: only %zu symbols loaded", name, len);
    off = (size_t)tu_below(&r, len - n + 1);
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        size_t m = ms[i], nn = m >= 1000 ? (n < 30000 ? n : 30000) : n, from, s, subs,
               j;
        uint32_t *pat = tu_xmalloc(m * sizeof *pat), *exact;
        tu_case c;
        tu_set_inst((int)i);
        if (i & 1) /* from inside the text window: a near-match is certain */
            from = off + (size_t)tu_below(&r, nn - m + 1);
        else
            from = (size_t)tu_below(&r, len - m + 1);
        memcpy(pat, data + from, m * sizeof *pat);
        subs = i % 4 == 0 ? 0 : i % 4 == 1 ? 1 : i % 4 == 2 ? 2 : m / 10;
        for (s = 0; s < subs; s++)
            pat[tu_below(&r, m)] = data[tu_below(&r, len)];
        if (wildcard >= 0 && i % 3 == 2) /* a few wildcard positions */
            for (j = 0; j < 1 + m / 16; j++)
                pat[tu_below(&r, m)] = (uint32_t)wildcard;
        tu_case_from32(&c, width, pat, m, data + off, nn, i % 3 == 2 ? wildcard : -1);
        exact = tu_ref(&c, HAM_UNBOUNDED);
        snprintf(what, sizeof what, "%s [%zu..%zu) pattern from %zu subs=%zu", name,
                 off, off + nn, from, subs);
        check_dist(&c, exact, what);
        check_kmis(&c, 0, &r, what);
        check_kmis(&c, (uint32_t)(m / 10), &r, what);
        check_kmis(&c, (uint32_t)(m / 4), &r, what);
        free(exact);
        free(pat);
        tu_case_free(&c);
    }
}

static uint32_t *
widen(const uint8_t *b, size_t n)
{
    uint32_t *v = tu_xmalloc(n * sizeof *v);
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = b[i];
    return v;
}

static void
dataset_u8(const char *rel, size_t prefix, int fasta, size_t n, int64_t wildcard,
           int iter)
{
    const char *dir;
    size_t len;
    uint8_t *b;
    uint32_t *v;
    if (!tu_data_dir_ok(&dir))
        return;
    b = tu_load(rel, prefix, fasta, &len);
    v = widen(b, len);
    run_dataset(rel, 1, v, len, n, wildcard, iter);
    free(v);
    free(b);
}

static void
dataset_u32(const char *rel, size_t prefix_syms, size_t n, int iter)
{
    const char *dir;
    size_t len, i, big = 0;
    uint32_t *v;
    if (!tu_data_dir_ok(&dir))
        return;
    v = tu_load_u32(rel, prefix_syms, &len);
    for (i = 0; i < len; i++)
        big += v[i] > 0xffffu;
    ck_assert_msg(big > 0, "%s: expected symbols above 0xFFFF in the first %zu", rel,
                  len);
    run_dataset(rel, 4, v, len, n, -1, iter);
    free(v);
}

START_TEST(data_lambda)
{
    dataset_u8("dna/phage_lambda.fa.gz", 1u << 20, 1, 40000, 'N', _i);
}
END_TEST

START_TEST(data_ecoli)
{
    dataset_u8("dna/ecoli_k12_mg1655.fa.gz", 3u << 19, 1, 100000, 'N', _i);
}
END_TEST

START_TEST(data_human)
{
    dataset_u8("dna/human_chr1_fragment.fa.gz", 1u << 20, 1, 60000, -1, _i);
}
END_TEST

START_TEST(data_dm3)
{
    dataset_u8("dna/dm3_upstream2000_chr2L_2R_3L.fa.gz", 1u << 20, 1, 50000, 'n', _i);
}
END_TEST

START_TEST(data_protein)
{
    dataset_u8("protein/uniprot_mmseqs2_db_1-10000.fa.gz", 1u << 20, 1, 50000, 'X', _i);
}
END_TEST

START_TEST(data_kjv_text)
{
    dataset_u8("text/kjv_bible.txt.xz", 2u << 20, 0, 100000, -1, _i);
}
END_TEST

START_TEST(data_kjv_tokens)
{
    dataset_u32("wide/kjv_bible.o200k_base.u32le.xz", 400000, 100000, _i);
}
END_TEST

START_TEST(data_tang_utf32)
{
    dataset_u32("wide/zh_quantangshi.utf32le.xz", 300000, 100000, _i);
}
END_TEST

/* The loader itself: FASTA headers and newlines gone, ACGT only for lambda. */
START_TEST(data_loader)
{
    const char *dir;
    size_t len, i, bad = 0;
    uint8_t *b;
    if (!tu_data_dir_ok(&dir))
        return;
    b = tu_load("dna/phage_lambda.fa.gz", 1u << 20, 1, &len);
    ck_assert_uint_eq(len, 48502); /* NC_001416.1, README.md */
    for (i = 0; i < len; i++)
        bad += b[i] != 'A' && b[i] != 'C' && b[i] != 'G' && b[i] != 'T';
    ck_assert_msg(bad == 0, "lambda: %zu symbols outside ACGT", bad);
    free(b);
    b = tu_load("text/kjv_bible.txt.xz", 100, 0, &len);
    ck_assert_uint_eq(len, 100);
    ck_assert_msg(memcmp(b, "Ge1:1 In the beginning", 22) == 0, "kjv starts with %.22s",
                  b);
    free(b);
}
END_TEST

int
main(void)
{
    Suite *s;
    TCase *tc;
    const char *dir = NULL, *why = NULL, *allow = getenv("HAM_ALLOW_NO_DATA");

    if (!tu_data_probe(&dir, &why)) {
        if (allow && strcmp(allow, "1") == 0) {
            fprintf(stderr, "check_data: SKIP: %s (HAM_ALLOW_NO_DATA=1)\n", why);
            return 77;
        }
        fprintf(
            stderr,
            "check_data: ERROR: real data missing: %s. Set HAM_DATA_DIR to the shared "
            "data directory, or HAM_ALLOW_NO_DATA=1 to skip.\n",
            why);
    }
    s = suite_create("data");
    tc = tu_tcase("data");
    tcase_add_test(tc, data_loader);
    tcase_add_loop_test(tc, data_lambda, 0, 2);
    tcase_add_test(tc, data_ecoli);
    tcase_add_test(tc, data_human);
    tcase_add_test(tc, data_dm3);
    tcase_add_test(tc, data_protein);
    tcase_add_test(tc, data_kjv_text);
    tcase_add_test(tc, data_kjv_tokens);
    tcase_add_test(tc, data_tang_utf32);
    suite_add_tcase(s, tc);
    return tu_run(s, "check_data");
}
