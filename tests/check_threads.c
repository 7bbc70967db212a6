/* SPDX-License-Identifier: MIT */
/*
 * check_threads.c -- ham_params.threads: for every available engine, texts
 * long enough that the library really splits them between threads (at least
 * 2 x max(2^16, 8m) shifts), with threads = 1, 2, 3, 4 and 7:
 *   - ham_dist_* gives the same bytes as one thread, and the reference where
 *     the pattern is short enough to check every shift;
 *   - ham_kmis_* gives the same hits in the same order, one callback at a
 *     time, and a callback that stops the scan stops it at the same hit;
 *   - a stream fed in large chunks gives the same hits;
 *   - approximate plans give the same bytes whatever the thread count.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_threads
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned thread_counts[] = {2, 3, 4, 7};
#define NTC (sizeof thread_counts / sizeof thread_counts[0])

/* Hits, with a check that the callback never runs concurrently. */
typedef struct hits {
    tu_hits h;
    atomic_int inside;
    int overlap;
} hits;

static int
hit_cb(void *ctx, size_t pos, uint32_t dist)
{
    hits *x = ctx;
    int rc;
    if (atomic_fetch_add(&x->inside, 1) != 0)
        x->overlap = 1;
    rc = tu_hit_cb(&x->h, pos, dist);
    atomic_fetch_sub(&x->inside, 1);
    return rc;
}

/* A long random case over a small alphabet with planted near-matches. */
static void
long_case(tu_case *c, tu_rng *r, unsigned width, size_t m, size_t shifts)
{
    const size_t n = shifts + m - 1;
    tu_alpha a;
    uint32_t *pat = tu_xmalloc(m * sizeof *pat), *text = tu_xmalloc(n * sizeof *text);
    size_t i;
    tu_alpha_make(&a, 2 + (size_t)tu_below(r, 4), 0, width, r);
    tu_gen(r, &a, pat, m, 0);
    tu_gen(r, &a, text, n, 0);
    for (i = 0; i < 40; i++)
        tu_plant(r, &a, pat, m, text, (size_t)tu_below(r, shifts),
                 (size_t)tu_below(r, 1 + m / 8));
    tu_case_from32(c, width, pat, m, text, n, -1);
    c->alpha = a;
    free(pat);
    free(text);
}

static int
serves(ham_engine e, uint32_t k, double eps, const tu_case *c)
{
    ham_params p;
    ham_plan *plan;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.epsilon = eps;
    rc = tu_plan(c, &p, &plan);
    ham_plan_destroy(plan);
    return rc == HAM_OK;
}

static uint32_t *
run_dist(const tu_case *c, ham_engine e, uint32_t k, double eps, unsigned threads)
{
    size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *d = tu_xmalloc(nd * sizeof *d);
    ham_params p;
    ham_plan *plan;
    int rc;
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.epsilon = eps;
    p.seed = 42;
    p.threads = threads;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: plan %s threads=%u: %s", tu_where(), ham_engine_name(e),
             threads, ham_errname(rc));
    rc = tu_dist(plan, c, d, nd);
    TU_CHECK(rc == HAM_OK, "%s: dist %s threads=%u: %s", tu_where(), ham_engine_name(e),
             threads, ham_errname(rc));
    ham_plan_destroy(plan);
    return d;
}

static void
run_kmis(const tu_case *c, ham_engine e, uint32_t k, unsigned threads, size_t stop_at,
         int stream, hits *x)
{
    ham_params p;
    ham_plan *plan;
    int rc;
    memset(x, 0, sizeof *x);
    atomic_init(&x->inside, 0);
    x->h.stop_at = stop_at;
    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    p.threads = threads;
    rc = tu_plan(c, &p, &plan);
    TU_CHECK(rc == HAM_OK, "%s: plan: %s", tu_where(), ham_errname(rc));
    if (!stream) {
        rc = tu_kmis(plan, c, hit_cb, x);
    } else {
        /* chunks of ~100k symbols, so that each feed is split between threads */
        ham_stream *s;
        size_t at = 0, len;
        TU_CHECK(ham_stream_create(&s, plan) == HAM_OK, "%s: stream", tu_where());
        rc = HAM_OK;
        while (at < c->n && rc == HAM_OK) {
            len = c->n - at < 100003 ? c->n - at : 100003;
            rc = c->width == 1 ? ham_stream_feed_u8(s, c->text8 + at, len, hit_cb, x)
                               : ham_stream_feed_u32(s, c->text32 + at, len, hit_cb, x);
            at += len;
        }
        if (rc == HAM_OK)
            rc = ham_stream_finish(s, hit_cb, x);
        ham_stream_destroy(s);
    }
    TU_CHECK(rc == (stop_at ? HAM_ESTOPPED : HAM_OK), "%s: kmis %s threads=%u: %s",
             tu_where(), ham_engine_name(e), threads, ham_errname(rc));
    TU_CHECK(!x->overlap, "%s: %s threads=%u: callbacks ran concurrently", tu_where(),
             ham_engine_name(e), threads);
    ham_plan_destroy(plan);
}

static void
same_hits(const hits *a, const hits *b, const char *what, ham_engine e, unsigned t)
{
    TU_CHECK(a->h.n == b->h.n &&
                 (a->h.n == 0 ||
                  (memcmp(a->h.pos, b->h.pos, a->h.n * sizeof *a->h.pos) == 0 &&
                   memcmp(a->h.dist, b->h.dist, a->h.n * sizeof *a->h.dist) == 0)),
             "%s: %s %s threads=%u: %zu hits, one thread %zu (or different ones)",
             tu_where(), what, ham_engine_name(e), t, b->h.n, a->h.n);
}

static void
threads_case(unsigned width, int iter)
{
    static const size_t ms[] = {1, 12, 64, 300, 2500};
    tu_rng r;
    tu_case c;
    size_t m, shifts, nd, i, t, ndiff;
    uint32_t k, *ref = NULL;
    unsigned e;
    if (!tu_begin(&r, "threads", width == 1 ? "threads_u8" : "threads_u32", iter))
        return;
    m = ms[(size_t)iter % (sizeof ms / sizeof ms[0])];
    /* enough shifts for >= 2 items of max(2^16, 8m) each, and some rounds of
     * the threaded scan */
    shifts = 2 * (m * 8 > 65536 ? m * 8 : 65536) + (size_t)tu_below(&r, 200000);
    long_case(&c, &r, width, m, shifts);
    nd = HAM_NDIST(c.n, c.m);
    k = (uint32_t)(m / 6);
    if (m <= 64)
        ref = tu_ref(&c, REF_UNBOUNDED);
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        const ham_engine eng = (ham_engine)e;
        uint32_t *one;
        hits h1, hs;
        if (!ham_engine_available(eng))
            continue;
        /* exact, or k-bounded for engines that only do that, or approximate */
        if (serves(eng, HAM_UNBOUNDED, 0.0, &c)) {
            one = run_dist(&c, eng, HAM_UNBOUNDED, 0.0, 1);
            if (ref) {
                i = tu_first_diff32(ref, one, nd, &ndiff);
                TU_CHECK(i == nd,
                         "%s: %s: one thread differs from the reference at %zu",
                         tu_where(), ham_engine_name(eng), i);
            }
            for (t = 0; t < NTC; t++) {
                uint32_t *d = run_dist(&c, eng, HAM_UNBOUNDED, 0.0, thread_counts[t]);
                i = tu_first_diff32(one, d, nd, &ndiff);
                TU_CHECK(i == nd,
                         "%s: %s threads=%u: differs at shift %zu (%zu shifts)",
                         tu_where(), ham_engine_name(eng), thread_counts[t], i, ndiff);
                free(d);
            }
            free(one);
        } else if (serves(eng, HAM_UNBOUNDED, 0.25, &c)) {
            one = run_dist(&c, eng, HAM_UNBOUNDED, 0.25, 1);
            for (t = 0; t < NTC; t++) {
                uint32_t *d = run_dist(&c, eng, HAM_UNBOUNDED, 0.25, thread_counts[t]);
                i = tu_first_diff32(one, d, nd, &ndiff);
                TU_CHECK(i == nd, "%s: approximate %s threads=%u: differs at shift %zu",
                         tu_where(), ham_engine_name(eng), thread_counts[t], i);
                free(d);
            }
            free(one);
        }
        if (!serves(eng, k, 0.0, &c))
            continue;
        /* k-bounded hits: kmis and a stream, threads vs one thread */
        run_kmis(&c, eng, k, 1, 0, 0, &h1);
        if (ref) {
            size_t want = 0;
            for (i = 0; i < nd; i++)
                want += ref[i] <= k;
            TU_CHECK(h1.h.n == want, "%s: %s k=%u: %zu hits, reference %zu", tu_where(),
                     ham_engine_name(eng), k, h1.h.n, want);
        }
        for (t = 0; t < NTC; t++) {
            hits ht;
            run_kmis(&c, eng, k, thread_counts[t], 0, 0, &ht);
            same_hits(&h1, &ht, "kmis", eng, thread_counts[t]);
            tu_hits_free(&ht.h);
            run_kmis(&c, eng, k, thread_counts[t], 0, 1, &ht);
            same_hits(&h1, &ht, "stream", eng, thread_counts[t]);
            tu_hits_free(&ht.h);
            if (h1.h.n > 1) { /* stop at a hit in the middle */
                size_t stop = 1 + h1.h.n / 2;
                run_kmis(&c, eng, k, thread_counts[t], stop, 0, &ht);
                TU_CHECK(ht.h.calls == stop && ht.h.n == stop &&
                             memcmp(ht.h.pos, h1.h.pos, stop * sizeof *ht.h.pos) == 0,
                         "%s: %s threads=%u: stop at hit %zu: %zu calls", tu_where(),
                         ham_engine_name(eng), thread_counts[t], stop, ht.h.calls);
                tu_hits_free(&ht.h);
            }
        }
        run_kmis(&c, eng, k, 1, 0, 1, &hs);
        same_hits(&h1, &hs, "stream, one thread,", eng, 1);
        tu_hits_free(&hs.h);
        tu_hits_free(&h1.h);
    }
    free(ref);
    tu_case_free(&c);
}

START_TEST(threads_u8)
{
    threads_case(1, _i);
}
END_TEST

START_TEST(threads_u32)
{
    threads_case(4, _i);
}
END_TEST

/* The threaded scan runs in rounds of about 2^20 shifts per thread
 * (lib/scan.c, SCAN_ROUND_SHIFTS): over several rounds, the same hits in
 * the same order as one thread. */
START_TEST(kmis_rounds)
{
    tu_rng r;
    tu_case c;
    hits h1, ht;
    size_t t;
    if (!tu_begin(&r, "threads", "kmis_rounds", _i))
        return;
    long_case(&c, &r, 1, 20, 5000000 + (size_t)tu_below(&r, 100000));
    run_kmis(&c, HAM_ENGINE_AUTO, 3, 1, 0, 0, &h1);
    for (t = 0; t < 2; t++) {
        run_kmis(&c, HAM_ENGINE_AUTO, 3, thread_counts[t], 0, 0, &ht);
        same_hits(&h1, &ht, "kmis over rounds", HAM_ENGINE_AUTO, thread_counts[t]);
        tu_hits_free(&ht.h);
    }
    tu_hits_free(&h1.h);
    tu_case_free(&c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, threads_u8, 0, 5);
    tcase_add_loop_test(tc, threads_u32, 0, 5);
    tcase_add_loop_test(tc, kmis_rounds, 0, 2);
    suite_add_tcase(s, tc);
    return tu_run(s, "check_threads");
}
