/* SPDX-License-Identifier: MIT */
/*
 * check_sumset.c -- ham_sumset_count against ref_sumset (every pair
 * enumerated): small universes, dense sets that take the FFT path, universes
 * above 2^20 that take the multi-block path (dense blocks by FFT, sparse ones
 * by enumeration), empty sets, universe 1, values at universe - 1 and at
 * block edges, input order and symmetry.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_sumset
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
add_random(tu_rng *r, uint32_t *v, size_t n, uint64_t lo, uint64_t hi, uint64_t count)
{
    /* `count` distinct values from [lo, hi) by Floyd's algorithm over a bitmap */
    uint64_t span = hi - lo, j;
    uint8_t *seen;
    if (count > span)
        count = span;
    if (count == 0)
        return n;
    seen = tu_xcalloc((size_t)(span + 7) / 8, 1);
    for (j = span - count; j < span; j++) {
        uint64_t t = tu_below(r, j + 1);
        if (seen[t >> 3] & (1u << (t & 7)))
            t = j;
        seen[t >> 3] = (uint8_t)(seen[t >> 3] | (1u << (t & 7)));
        v[n++] = (uint32_t)(lo + t);
    }
    free(seen);
    return n;
}

/* Append x unless present; returns the new count (room assumed). */
static size_t
add_if_absent(uint32_t *v, size_t n, uint32_t x)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (v[i] == x)
            return n;
    v[n] = x;
    return n + 1;
}

static void
shuffle(tu_rng *r, uint32_t *v, size_t n)
{
    size_t i;
    for (i = n; i > 1; i--) {
        size_t j = (size_t)tu_below(r, i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* ham_sumset_count(a, b) and (b, a) into exact-size buffers pre-filled with a
 * sentinel (so every slot must be written), compared with the reference. */
static void
expect_sumset(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t U,
              const char *what)
{
    size_t need = U == 0 ? 0 : 2 * (size_t)U - 1, i, at, ndiff;
    uint64_t *exp = tu_xmalloc((need ? need : 1) * sizeof *exp);
    uint64_t *got = tu_xmalloc((need ? need : 1) * sizeof *got);
    int rc, swap;
    ref_sumset(a, na, b, nb, U, exp);
    for (swap = 0; swap < 2; swap++) {
        for (i = 0; i < need; i++)
            got[i] = TU_SENTINEL64;
        rc = swap ? ham_sumset_count(b, nb, a, na, U, got, need)
                  : ham_sumset_count(a, na, b, nb, U, got, need);
        TU_CHECK(rc == HAM_OK, "%s: %s: U=%lu |A|=%zu |B|=%zu%s: %s; replay: %s",
                 tu_where(), what, (unsigned long)U, na, nb, swap ? " (swapped)" : "",
                 ham_errname(rc), tu_replay());
        at = tu_first_diff64(exp, got, need, &ndiff);
        TU_CHECK(
            at == need,
            "%s: %s: U=%lu |A|=%zu |B|=%zu%s: %zu of %zu counts wrong; first z=%zu: "
            "expected %llu, got %llu; replay: %s",
            tu_where(), what, (unsigned long)U, na, nb, swap ? " (swapped)" : "", ndiff,
            need, at, (unsigned long long)(at < need ? exp[at] : 0),
            (unsigned long long)(at < need ? got[at] : 0), tu_replay());
    }
    free(exp);
    free(got);
}

/* Small universes, any density. */
START_TEST(sumset_small)
{
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "small", "sumset_small", _i))
        return;
    for (inst = 0; inst < 10; inst++) {
        uint32_t U = (uint32_t)tu_logrange(&r, 1, 3000);
        size_t na = (size_t)tu_below(&r, (uint64_t)U + 1),
               nb = (size_t)tu_below(&r, (uint64_t)U + 1);
        uint32_t *a = tu_xmalloc((U + 1) * sizeof *a),
                 *b = tu_xmalloc((U + 1) * sizeof *b);
        tu_set_inst(inst);
        if (tu_chance(&r, 1, 10))
            na = 0;
        if (tu_chance(&r, 1, 10))
            nb = U;
        na = add_random(&r, a, 0, 0, U, na);
        nb = add_random(&r, b, 0, 0, U, nb);
        shuffle(&r, a, na);
        shuffle(&r, b, nb);
        expect_sumset(a, na, b, nb, U, "small universe");
        free(a);
        free(b);
    }
}
END_TEST

/* Named small cases: empty sets, universe 1, U-1, full sets. */
START_TEST(sumset_edges)
{
    uint32_t a[64], b[64], i;
    uint32_t U;
    tu_rng r;
    tu_begin(&r, "small", "sumset_edges", 0);
    expect_sumset(NULL, 0, NULL, 0, 1, "both empty, U=1");
    expect_sumset(NULL, 0, NULL, 0, 1000, "both empty");
    a[0] = 0;
    expect_sumset(a, 1, a, 1, 1, "U=1 {0}+{0}");
    expect_sumset(a, 1, NULL, 0, 1, "U=1 B empty");
    expect_sumset(NULL, 0, a, 1, 1, "U=1 A empty");
    for (U = 2; U <= 64; U++) {
        for (i = 0; i < U; i++)
            a[i] = b[i] = U - 1 - i;
        expect_sumset(a, U, b, U, U, "full sets");
        a[0] = U - 1;
        b[0] = U - 1;
        expect_sumset(a, 1, b, 1, U, "{U-1}+{U-1}");
        expect_sumset(a, 1, NULL, 0, U, "B empty");
        expect_sumset(NULL, 0, b, U, U, "A empty");
        b[0] = 0;
        expect_sumset(a, 1, b, 1, U, "{U-1}+{0}");
    }
}
END_TEST

/* One block, dense: the FFT path (and its verification) runs. */
START_TEST(sumset_fft_dense)
{
    static const uint32_t us[] = {4096, 40000, 65536, 65537, 300000};
    tu_rng r;
    uint32_t U, *a, *b;
    size_t na, nb;
    if (!tu_begin(&r, "large", "sumset_fft_dense", _i))
        return;
    U = us[_i % 5];
    na = (size_t)tu_range(&r, U / 20, U / 8 > 6000 ? 6000 : U / 8);
    nb = (size_t)tu_range(&r, U / 20, U / 8 > 6000 ? 6000 : U / 8);
    if (_i >= 5) { /* one very dense set against a sparse one */
        na = U > 60000 ? 60000 : U - 1;
        nb = 50;
    }
    a = tu_xmalloc((na + 2) * sizeof *a);
    b = tu_xmalloc((nb + 2) * sizeof *b);
    na = add_random(&r, a, 0, 0, U, na);
    nb = add_random(&r, b, 0, 0, U, nb);
    if (_i & 1) { /* the extremes present */
        na = add_if_absent(a, na, U - 1);
        nb = add_if_absent(b, nb, U - 1);
        na = add_if_absent(a, na, 0);
    }
    shuffle(&r, a, na);
    expect_sumset(a, na, b, nb, U, "dense one block");
    free(a);
    free(b);
}
END_TEST

/* Universes above 2^20 (blocks of 2^20): some block pairs dense (FFT), others
 * sparse (enumeration), values at block edges and at U - 1. */
START_TEST(sumset_multiblock)
{
    static const uint32_t us[] = {(1u << 20) + 1, (1u << 20) + 12345, 3u << 20,
                                  (1u << 22) - 1, 1u << 22};
    tu_rng r;
    uint32_t U, *a, *b;
    size_t na = 0, nb = 0, cap = 40000, blocks;
    uint64_t blk = 1u << 20;
    if (!tu_begin(&r, "large", "sumset_multiblock", _i))
        return;
    U = us[_i % 5];
    blocks = (size_t)((U + blk - 1) / blk);
    a = tu_xmalloc(cap * sizeof *a);
    b = tu_xmalloc(cap * sizeof *b);
    /* A dense in block 0, B dense in the top 2^20 values (mostly the last
     * block): that block pair is worth an FFT, the others are enumerated */
    na = add_random(&r, a, na, 0, blk, 7000);
    nb = add_random(&r, b, nb, U - blk, U, _i >= 5 ? 7000 : 6500);
    /* sparse elsewhere, disjoint ranges so the sets stay duplicate-free */
    if (blocks > 2) {
        na = add_random(&r, a, na, blk, 2 * blk, 300);
        nb = add_random(&r, b, nb, blk, 2 * blk, 300);
    }
    /* the edges of blocks and of the universe */
    na = add_if_absent(a, na, (uint32_t)(blk - 1));
    nb = add_if_absent(b, nb, (uint32_t)(blk - 1));
    na = add_if_absent(a, na, (uint32_t)blk);
    nb = add_if_absent(b, nb, (uint32_t)blk);
    na = add_if_absent(a, na, U - 1);
    nb = add_if_absent(b, nb, U - 1);
    ck_assert_uint_eq(tu_distinct32(a, na), na);
    ck_assert_uint_eq(tu_distinct32(b, nb), nb);
    shuffle(&r, a, na);
    shuffle(&r, b, nb);
    expect_sumset(a, na, b, nb, U, "multi-block");
    free(a);
    free(b);
}
END_TEST

/* Sparse sets over large universes: enumeration everywhere. */
START_TEST(sumset_sparse_large)
{
    tu_rng r;
    uint32_t U, *a, *b;
    size_t na, nb;
    if (!tu_begin(&r, "large", "sumset_sparse_large", _i))
        return;
    U = (uint32_t)tu_range(&r, 1000, 3u << 20);
    na = (size_t)tu_range(&r, 0, 2000);
    nb = (size_t)tu_range(&r, 0, 2000);
    a = tu_xmalloc((na ? na : 1) * sizeof *a);
    b = tu_xmalloc((nb ? nb : 1) * sizeof *b);
    na = add_random(&r, a, 0, 0, U, na);
    nb = add_random(&r, b, 0, 0, U, nb);
    shuffle(&r, a, na);
    expect_sumset(a, na, b, nb, U, "sparse large universe");
    free(a);
    free(b);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("sumset");
    TCase *tc;

    tc = tu_tcase("small");
    tcase_add_loop_test(tc, sumset_small, 0, 100);
    tcase_add_test(tc, sumset_edges);
    suite_add_tcase(s, tc);

    tc = tu_tcase("large");
    tcase_add_loop_test(tc, sumset_fft_dense, 0, 10);
    tcase_add_loop_test(tc, sumset_multiblock, 0, 6);
    tcase_add_loop_test(tc, sumset_sparse_large, 0, 10);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_sumset");
}
