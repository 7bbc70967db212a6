/* SPDX-License-Identifier: MIT */
/*
 * check_stream.c -- ham_stream_*: a text fed in chunks of any sizes (1..17,
 * random, around m, one chunk, empty chunks interleaved) reports exactly the
 * hits of ham_kmis on the whole text (and of the reference), each as soon as
 * the chunk completing its window is fed; with an HAM_UNBOUNDED plan every
 * shift with its ham_dist value; both widths; reset reuses the stream;
 * HAM_ESTOPPED mid-stream.
 *
 * Replay: HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_stream
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CH_FIXED_MAX = 17,
    CH_RANDOM = 17,
    CH_AROUND_M,
    CH_SINGLE,
    CH_EMPTIES,
    CH_MIXED,
    CH_COUNT
};

static const char *
chunking_name(int kind)
{
    static char buf[32];
    static const char *const names[] = {"random", "around m", "single", "empties",
                                        "mixed"};
    if (kind < CH_FIXED_MAX) {
        snprintf(buf, sizeof buf, "fixed %d", kind + 1);
        return buf;
    }
    return names[kind - CH_FIXED_MAX];
}

/* Chunk lengths summing to n for a chunking kind; *count gets their number. */
static size_t *
make_chunks(int kind, size_t n, size_t m, tu_rng *r, size_t *count)
{
    size_t cap = 2 * n + 8, k = 0, left = n;
    size_t *ch = tu_xmalloc(cap * sizeof *ch);
    while (left > 0 || (kind == CH_EMPTIES && k == 0)) {
        size_t len;
        TU_CHECK(k + 2 < cap, "too many chunks");
        if (kind < CH_FIXED_MAX)
            len = (size_t)kind + 1;
        else if (kind == CH_RANDOM)
            len = (size_t)tu_below(r, 2 * m + 6);
        else if (kind == CH_AROUND_M)
            len = m - 1 + (size_t)tu_below(r, 3);
        else if (kind == CH_SINGLE)
            len = n;
        else if (kind == CH_EMPTIES) {
            ch[k++] = 0;
            len = 1 + (size_t)tu_below(r, 50);
        } else
            len = tu_chance(r, 1, 8) ? (size_t)tu_below(r, n + 1)
                                     : (size_t)tu_below(r, 4);
        if (len == 0 && kind == CH_AROUND_M)
            len = 1;
        if (len > left)
            len = left;
        ch[k++] = len;
        left -= len;
    }
    if (kind == CH_EMPTIES)
        ch[k++] = 0;
    *count = k;
    return ch;
}

/* Feed c's text in the given chunks; hits into h (window check on), the
 * position checked after every feed; finish must report nothing. */
static int
feed_chunks(ham_stream *s, const tu_case *c, const size_t *ch, size_t nch, tu_hits *h,
            const char *what)
{
    size_t i, pos = 0;
    const unsigned char *text = c->width == 1 ? (const unsigned char *)c->text8
                                              : (const unsigned char *)c->text32;
    tu_hits fin = {0};
    int rc = HAM_OK;
    h->m = c->m;
    h->check_window = 1;
    for (i = 0; i < nch; i++) {
        const unsigned char *chunk =
            ch[i] == 0 && (i & 1) ? NULL : text + pos * c->width;
        h->fed0 = pos;
        h->fed = pos + ch[i];
        if (c->width == 1)
            rc = ham_stream_feed_u8(s, (const uint8_t *)chunk, ch[i], tu_hit_cb, h);
        else
            rc = ham_stream_feed_u32(s, (const uint32_t *)(const void *)chunk, ch[i],
                                     tu_hit_cb, h);
        if (rc != HAM_OK)
            return rc;
        pos += ch[i];
        TU_CHECK(ham_stream_position(s) == pos,
                 "%s: %s: %s: after feeding %zu symbols ham_stream_position says %llu; "
                 "replay: %s",
                 tu_where(), what, tu_case_desc(c), pos,
                 (unsigned long long)ham_stream_position(s), tu_replay());
    }
    TU_CHECK(
        h->bad_window == 0,
        "%s: %s: %s: %zu hits reported by a feed that did not complete their window "
        "(first pos=%zu); replay: %s",
        tu_where(), what, tu_case_desc(c), h->bad_window, h->bad_pos, tu_replay());
    rc = ham_stream_finish(s, tu_hit_cb, &fin);
    TU_CHECK(rc == HAM_OK && fin.calls == 0,
             "%s: %s: %s: finish returned %s and reported %zu hits (expected none); "
             "replay: %s",
             tu_where(), what, tu_case_desc(c), ham_errname(rc), fin.calls,
             tu_replay());
    tu_hits_free(&fin);
    return HAM_OK;
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 5)) {
    case 0:
        return 0;
    case 1:
        return (uint32_t)tu_range(r, 1, 4);
    case 2:
        return (uint32_t)m;
    default:
        return (uint32_t)tu_below(r, m + 1);
    }
}

/* Every chunking of one random text; expected: the reference hits, and the
 * hits of ham_kmis on the whole text. */
static void
chunkings(tu_rng *r, const tu_case *c, const ham_params *p)
{
    size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *refk = tu_ref(c, p->max_dist);
    ham_plan *plan;
    ham_stream *s;
    tu_hits whole = {0}, h = {0};
    int kind, rc;
    char what[128];
    ck_assert_int_eq(tu_plan(c, p, &plan), HAM_OK);
    if (p->max_dist != HAM_UNBOUNDED) {
        ck_assert_int_eq(tu_kmis(plan, c, tu_hit_cb, &whole), HAM_OK);
        tu_expect_hits(c, p->max_dist, refk, nd, &whole, SIZE_MAX,
                       "ham_kmis whole text");
    }
    ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
    for (kind = 0; kind < CH_COUNT; kind++) {
        size_t nch, *ch = make_chunks(kind, c->n, c->m, r, &nch);
        snprintf(what, sizeof what, "stream chunks=%s (%zu feeds) engine=%s flags=0x%x",
                 chunking_name(kind), nch, ham_engine_name(p->engine), p->flags);
        tu_hits_reset(&h);
        rc = feed_chunks(s, c, ch, nch, &h, what);
        TU_CHECK(rc == HAM_OK, "%s: %s: %s: feed: %s; replay: %s", tu_where(), what,
                 tu_case_desc(c), ham_errname(rc), tu_replay());
        tu_expect_hits(c, p->max_dist, refk, nd, &h, SIZE_MAX, what);
        ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
        ck_assert_uint_eq(ham_stream_position(s), 0);
        free(ch);
    }
    ham_stream_destroy(s);
    ham_plan_destroy(plan);
    tu_hits_free(&whole);
    tu_hits_free(&h);
    free(refk);
}

START_TEST(stream_chunkings)
{
    static const tu_shape shape = {1, 200, 2000, 25, 70};
    static const unsigned flags[] = {0, HAM_F_NO_SIMD, HAM_F_NO_AVX512};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "chunks", "stream_chunkings", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        tu_case c;
        ham_params p;
        tu_set_inst(inst);
        tu_case_random(&c, &r, (_i + inst) & 1 ? 4 : 1, &shape);
        ham_params_init(&p);
        p.max_dist = pick_k(&r, c.m);
        p.engine = tu_chance(&r, 1, 2) ? HAM_ENGINE_AUTO : HAM_ENGINE_NAIVE;
        p.flags = flags[tu_below(&r, 3)];
        chunkings(&r, &c, &p);
        tu_case_free(&c);
    }
}
END_TEST

/* HAM_UNBOUNDED plan: every shift, with the value ham_dist gives. */
START_TEST(stream_unbounded)
{
    static const tu_shape shape = {1, 150, 1500, 25, 50};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "chunks", "stream_unbounded", _i))
        return;
    for (inst = 0; inst < 2; inst++) {
        tu_case c;
        ham_params p;
        ham_plan *plan;
        size_t nd;
        uint32_t *d, *exact;
        tu_set_inst(inst);
        tu_case_random(&c, &r, (_i + inst) & 1 ? 4 : 1, &shape);
        nd = HAM_NDIST(c.n, c.m);
        ham_params_init(&p);
        exact = tu_ref(&c, REF_UNBOUNDED);
        /* ham_dist's values are the reference's (checked here too) */
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        d = tu_xmalloc((nd ? nd : 1) * sizeof *d);
        ck_assert_int_eq(tu_dist(plan, &c, d, nd), HAM_OK);
        tu_expect_dist(&c, HAM_UNBOUNDED, exact, d, nd, "ham_dist");
        ham_plan_destroy(plan);
        chunkings(&r, &c, &p); /* expects every shift: ref[i] <= UINT32_MAX */
        free(d);
        free(exact);
        tu_case_free(&c);
    }
}
END_TEST

/* Long streams (> 2^16 shifts) in large random chunks, crossing the scan
 * blocks; long patterns too. */
START_TEST(stream_long)
{
    static const size_t ms[] = {16, 100, 9000};
    tu_rng r;
    tu_alpha a;
    size_t m, n, i, nch, left, k;
    size_t *ch;
    uint32_t *pat, *text, *refk;
    tu_case c;
    ham_params p;
    ham_plan *plan;
    ham_stream *s;
    tu_hits h = {0};
    unsigned width;
    if (!tu_begin(&r, "long", "stream_long", _i))
        return;
    width = _i & 1 ? 4 : 1;
    m = ms[(_i / 2) % 3];
    n = 150000 + (size_t)tu_below(&r, 1000);
    tu_alpha_make(&a, 4, width == 1 ? TU_V_LOW : TU_V_HIGH, width, &r);
    pat = tu_xmalloc(m * 4);
    text = tu_xmalloc(n * 4);
    tu_gen(&r, &a, pat, m, 0);
    tu_gen(&r, &a, text, n, 0);
    for (i = 0; i < 30; i++)
        tu_plant(&r, &a, pat, m, text, tu_range(&r, 0, n - m), tu_below(&r, 4));
    tu_plant(&r, &a, pat, m, text, 32768 - 1, 0);
    tu_plant(&r, &a, pat, m, text, 65536 + m, 1);
    tu_plant(&r, &a, pat, m, text, n - m, 0);
    tu_case_from32(&c, width, pat, m, text, n, -1);
    c.alpha = a;
    ham_params_init(&p);
    p.max_dist = m < 20 ? 2 : 4;
    p.flags = _i >= 6 ? HAM_F_NO_SIMD : 0;
    refk = tu_ref(&c, p.max_dist);
    ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
    ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
    for (k = 0; k < 2; k++) {
        ch = tu_xmalloc((n + 2) * sizeof *ch);
        for (left = n, nch = 0; left > 0; nch++) {
            size_t len = k == 0 ? (size_t)tu_range(&r, 1, 70000)
                                : (size_t)tu_range(&r, 1, 3 * m);
            if (len > left)
                len = left;
            ch[nch] = len;
            left -= len;
        }
        tu_hits_reset(&h);
        ck_assert_int_eq(feed_chunks(s, &c, ch, nch, &h, "long stream"), HAM_OK);
        tu_expect_hits(&c, p.max_dist, refk, n - m + 1, &h, SIZE_MAX,
                       k == 0 ? "long stream, large chunks"
                              : "long stream, small chunks");
        ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
        free(ch);
    }
    ham_stream_destroy(s);
    ham_plan_destroy(plan);
    tu_hits_free(&h);
    free(refk);
    free(pat);
    free(text);
    tu_case_free(&c);
}
END_TEST

/* HAM_ESTOPPED mid-stream: the hits so far are the first ones; later feeds
 * and finish refuse with HAM_ESTOPPED without calling back; reset recovers. */
START_TEST(stream_stop)
{
    static const tu_shape shape = {1, 60, 1500, 0, 100};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "chunks", "stream_stop", _i))
        return;
    for (inst = 0; inst < 5; inst++) {
        tu_case c;
        ham_params p;
        ham_plan *plan;
        ham_stream *s;
        size_t nd, want = 0, i, nch, stop, pos = 0;
        size_t *ch;
        uint32_t *refk;
        tu_hits h = {0}, late = {0};
        int rc = HAM_OK;
        const unsigned char *text;
        tu_set_inst(inst);
        tu_case_random(&c, &r, inst & 1 ? 4 : 1, &shape);
        nd = HAM_NDIST(c.n, c.m);
        ham_params_init(&p);
        p.max_dist = (uint32_t)(c.m / 3);
        refk = tu_ref(&c, p.max_dist);
        for (i = 0; i < nd; i++)
            want += refk[i] <= p.max_dist;
        if (want == 0) {
            free(refk);
            tu_case_free(&c);
            continue;
        }
        text = c.width == 1 ? (const unsigned char *)c.text8
                            : (const unsigned char *)c.text32;
        ck_assert_int_eq(tu_plan(&c, &p, &plan), HAM_OK);
        ck_assert_int_eq(ham_stream_create(&s, plan), HAM_OK);
        stop = 1 + (size_t)tu_below(&r, want);
        h.stop_at = stop;
        ch = make_chunks(CH_RANDOM, c.n, c.m, &r, &nch);
        for (i = 0; i < nch; i++) {
            const void *chunk = text + pos * c.width;
            rc = c.width == 1 ? ham_stream_feed_u8(s, chunk, ch[i], tu_hit_cb, &h)
                              : ham_stream_feed_u32(s, chunk, ch[i], tu_hit_cb, &h);
            pos += ch[i];
            if (rc != HAM_OK)
                break;
        }
        TU_CHECK(rc == HAM_ESTOPPED && h.calls == stop,
                 "%s: %s: stop at hit %zu of %zu: feed returned %s after %zu calls",
                 tu_where(), tu_case_desc(&c), stop, want, ham_errname(rc), h.calls);
        tu_expect_hits(&c, p.max_dist, refk, nd, &h, stop, "stream stopped");
        /* sticky */
        if (c.width == 1)
            rc = ham_stream_feed_u8(s, c.text8, c.n, tu_hit_cb, &late);
        else
            rc = ham_stream_feed_u32(s, c.text32, c.n, tu_hit_cb, &late);
        ck_assert_int_eq(rc, HAM_ESTOPPED);
        ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &late), HAM_ESTOPPED);
        ck_assert_uint_eq(late.calls, 0);
        /* reset: the whole text again, all hits */
        ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
        tu_hits_reset(&h);
        h.stop_at = 0;
        ck_assert_int_eq(feed_chunks(s, &c, ch, nch, &h, "after reset"), HAM_OK);
        tu_expect_hits(&c, p.max_dist, refk, nd, &h, SIZE_MAX, "stream after reset");
        free(ch);
        ham_stream_destroy(s);
        ham_plan_destroy(plan);
        tu_hits_free(&h);
        tu_hits_free(&late);
        free(refk);
        tu_case_free(&c);
    }
}
END_TEST

/* Several streams over one plan, fed interleaved, do not disturb each other. */
START_TEST(stream_interleaved)
{
    static const tu_shape shape = {1, 100, 2000, 20, 100};
    tu_rng r;
    tu_case a, b;
    ham_params p;
    ham_plan *plan;
    ham_stream *sa, *sb;
    tu_hits ha = {0}, hb = {0};
    uint32_t *ra, *rb;
    size_t pa = 0, pb = 0;
    unsigned width;
    if (!tu_begin(&r, "chunks", "stream_interleaved", _i))
        return;
    width = _i & 1 ? 4 : 1;
    tu_case_random(&a, &r, width, &shape);
    tu_case_from32(&b, width, a.pat32, a.m, NULL, 0, a.wildcard);
    tu_case_free(&b);
    { /* b: same pattern, another text */
        size_t n = a.m + (size_t)tu_below(&r, 2000), i;
        uint32_t *t = tu_xmalloc((n ? n : 1) * 4);
        tu_gen(&r, &a.alpha, t, n, 0);
        for (i = 0; i < 5 && n >= a.m; i++)
            tu_plant(&r, &a.alpha, a.pat32, a.m, t, tu_range(&r, 0, n - a.m),
                     tu_below(&r, 3));
        tu_case_from32(&b, width, a.pat32, a.m, t, n, a.wildcard);
        free(t);
    }
    ham_params_init(&p);
    p.max_dist = (uint32_t)(a.m / 4);
    ra = tu_ref(&a, p.max_dist);
    rb = tu_ref(&b, p.max_dist);
    ck_assert_int_eq(tu_plan(&a, &p, &plan), HAM_OK);
    ck_assert_int_eq(ham_stream_create(&sa, plan), HAM_OK);
    ck_assert_int_eq(ham_stream_create(&sb, plan), HAM_OK);
    while (pa < a.n || pb < b.n) {
        size_t la = (size_t)tu_below(&r, 40), lb = (size_t)tu_below(&r, 40);
        if (la > a.n - pa)
            la = a.n - pa;
        if (lb > b.n - pb)
            lb = b.n - pb;
        if (width == 1) {
            ck_assert_int_eq(ham_stream_feed_u8(sa, a.text8 + pa, la, tu_hit_cb, &ha),
                             HAM_OK);
            ck_assert_int_eq(ham_stream_feed_u8(sb, b.text8 + pb, lb, tu_hit_cb, &hb),
                             HAM_OK);
        } else {
            ck_assert_int_eq(ham_stream_feed_u32(sa, a.text32 + pa, la, tu_hit_cb, &ha),
                             HAM_OK);
            ck_assert_int_eq(ham_stream_feed_u32(sb, b.text32 + pb, lb, tu_hit_cb, &hb),
                             HAM_OK);
        }
        pa += la;
        pb += lb;
    }
    ck_assert_int_eq(ham_stream_finish(sa, tu_hit_cb, &ha), HAM_OK);
    ck_assert_int_eq(ham_stream_finish(sb, tu_hit_cb, &hb), HAM_OK);
    tu_expect_hits(&a, p.max_dist, ra, HAM_NDIST(a.n, a.m), &ha, SIZE_MAX,
                   "interleaved a");
    tu_expect_hits(&b, p.max_dist, rb, HAM_NDIST(b.n, b.m), &hb, SIZE_MAX,
                   "interleaved b");
    ham_stream_destroy(sa);
    ham_stream_destroy(sb);
    ham_plan_destroy(plan);
    tu_hits_free(&ha);
    tu_hits_free(&hb);
    free(ra);
    free(rb);
    tu_case_free(&a);
    tu_case_free(&b);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc;

    tc = tu_tcase("chunks");
    tcase_add_loop_test(tc, stream_chunkings, 0, 100);
    tcase_add_loop_test(tc, stream_unbounded, 0, 20);
    tcase_add_loop_test(tc, stream_stop, 0, 10);
    tcase_add_loop_test(tc, stream_interleaved, 0, 10);
    suite_add_tcase(s, tc);

    tc = tu_tcase("long");
    tcase_add_loop_test(tc, stream_long, 0, 8);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_stream");
}
