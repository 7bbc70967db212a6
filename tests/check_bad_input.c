/* SPDX-License-Identifier: MIT */
/*
 * check_bad_input.c -- the library side of the bad-input catalogue (issue 9,
 * doc/reliability.md): allocation failure at every allocation of every
 * engine, and the inputs "bytes are bytes" (NUL, 0x80..0xff, CR) and
 * "pattern longer than the text" through every engine.
 *
 * Allocation failure: the suite is linked with -Wl,--wrap=malloc (calloc,
 * realloc, posix_memalign; configure checks that the linker can), so the
 * library's objects, linked statically from libhamcore, call the wrappers
 * below. A test arms the wrapper to fail the i-th allocation, for i = 0, 1,
 * 2, ... until the call under test no longer reaches an i-th allocation, and
 * checks each time that the call returns HAM_ENOMEM or succeeds with the
 * right answer (an engine may fall back), without crashing; leaks on the
 * error paths show under valgrind (make check-valgrind) and LeakSanitizer.
 * FFTW's own allocations (fftw_alloc_*, its planner) are in libfftw3 and
 * not wrapped. Without --wrap the allocation tests are not built.
 */
#include "testutil.h"

#include <hamming.h>

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The failing allocator --------------------------------------------- */

#ifdef HAM_TEST_WRAP
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);

/* Test-only state of this program (the library has none): armed, the
 * allocation number fail_at (counted from arming) fails. One thread at a
 * time runs the calls under test, but the library's worker threads also
 * allocate, hence the atomics. */
static int armed;
static long fail_at;
static long seen;

static int
should_fail(void)
{
    if (!__atomic_load_n(&armed, __ATOMIC_SEQ_CST))
        return 0;
    return __atomic_fetch_add(&seen, 1, __ATOMIC_SEQ_CST) == fail_at;
}

void *
__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

int
__wrap_posix_memalign(void **p, size_t align, size_t n)
{
    return should_fail() ? 12 /* ENOMEM */ : __real_posix_memalign(p, align, n);
}

static void
arm(long at)
{
    __atomic_store_n(&seen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, at, __ATOMIC_SEQ_CST);
    __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
}

/* Disarm; whether the armed allocation was reached. */
static int
disarm(void)
{
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&seen, __ATOMIC_SEQ_CST) > fail_at;
}
#endif

/* ---- Cases ------------------------------------------------------------------ */

static uint32_t
direct(const uint8_t *p, size_t m, const uint8_t *t)
{
    uint32_t d = 0;
    size_t j;
    for (j = 0; j < m; j++)
        d += p[j] != t[j];
    return d;
}

typedef struct hitlog {
    size_t n;
    size_t pos[4096];
    uint32_t dist[4096];
} hitlog;

static int
log_hit(void *ctx, size_t pos, uint32_t d)
{
    hitlog *h = ctx;
    if (h->n < 4096) {
        h->pos[h->n] = pos;
        h->dist[h->n] = d;
    }
    h->n++;
    return 0;
}

/* Every engine, with the parameters that let it serve a request. */
static void
params_for(ham_engine e, ham_params *p, uint32_t k)
{
    ham_params_init(p);
    p->engine = e;
    switch (e) {
    case HAM_ENGINE_KANGAROO:
    case HAM_ENGINE_KBOUNDED:
    case HAM_ENGINE_BITPARALLEL:
        p->max_dist = k;
        break;
    case HAM_ENGINE_SAMPLING:
    case HAM_ENGINE_3SUM:
        p->epsilon = 0.5;
        p->seed = 7;
        break;
    default:
        break;
    }
}

static int
is_approx(ham_engine e)
{
    return e == HAM_ENGINE_SAMPLING || e == HAM_ENGINE_3SUM;
}

/* Pattern and text over all 256 byte values (NUL, CR, LF, 0x80..0xff
 * included), with planted copies of the pattern. */
static void
make_bytes(tu_rng *r, uint8_t *pat, size_t m, uint8_t *text, size_t n, unsigned sigma)
{
    static const uint8_t few[5] = {0, '\r', '\n', 0x80, 0xff};
    size_t i;
    for (i = 0; i < m; i++)
        pat[i] = sigma == 256 ? (uint8_t)(tu_next(r) & 255) : few[tu_next(r) % sigma];
    for (i = 0; i < n; i++)
        text[i] = sigma == 256 ? (uint8_t)(tu_next(r) & 255) : few[tu_next(r) % sigma];
    for (i = 0; i + m <= n; i += 3 * m + 7) {
        memcpy(text + i, pat, m);
        text[i + m / 2] ^= 1; /* one mismatch */
    }
}

/* The catalogue's parameter rows in one place (check_api tests each more
 * thoroughly): the exact code for each, and no plan left behind. */
START_TEST(bad_params)
{
    static const uint8_t pat[4] = {'A', 'C', 'G', 'T'};
    static const struct {
        const char *what;
        double eps, delta;
        int engine;
        uint32_t k;
        int want;
    } rows[] = {
        {"eps = 0: exact", 0.0, 1e-6, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_OK},
        {"eps < 0", -0.1, 1e-6, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"eps = 1", 1.0, 1e-6, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"eps > 1", 7.0, 1e-6, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"eps NaN", NAN, 1e-6, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_EINVAL},
        {"delta = 0", 0.5, 0.0, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"delta < 0", 0.5, -1.0, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"delta = 1", 0.5, 1.0, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_ERANGE},
        {"delta NaN", 0.5, NAN, HAM_ENGINE_AUTO, HAM_UNBOUNDED, HAM_EINVAL},
        {"engine -1", 0.0, 1e-6, -1, HAM_UNBOUNDED, HAM_EINVAL},
        {"engine COUNT_", 0.0, 1e-6, HAM_ENGINE_COUNT_, HAM_UNBOUNDED, HAM_EINVAL},
        {"approximate engine, eps = 0", 0.0, 1e-6, HAM_ENGINE_SAMPLING, HAM_UNBOUNDED,
         HAM_EUNSUPPORTED},
        {"k-bounded engine, no k", 0.0, 1e-6, HAM_ENGINE_KANGAROO, HAM_UNBOUNDED,
         HAM_EUNSUPPORTED},
        {"k = m", 0.0, 1e-6, HAM_ENGINE_KANGAROO, 4, HAM_OK},
        {"k > m", 0.0, 1e-6, HAM_ENGINE_KBOUNDED, 1000, HAM_OK},
    };
    size_t i;
    ham_engine e;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ham_params p;
        ham_plan *plan = (ham_plan *)&p; /* junk: must become NULL on failure */
        int rc;
        ham_params_init(&p);
        p.epsilon = rows[i].eps;
        p.delta = rows[i].delta;
        p.engine = (ham_engine)rows[i].engine;
        p.max_dist = rows[i].k;
        rc = ham_plan_create_u8(&plan, pat, 4, &p);
        ck_assert_msg(rc == rows[i].want, "%s: %s, want %s", rows[i].what,
                      ham_errname(rc), ham_errname(rows[i].want));
        ck_assert_msg((rc == HAM_OK) == (plan != NULL), "%s: plan %p", rows[i].what,
                      (void *)plan);
        ham_plan_destroy(plan);
    }
    /* NULL pointers and m = 0 */
    {
        ham_plan *plan = NULL;
        uint32_t d[2];
        ck_assert_int_eq(ham_plan_create_u8(NULL, pat, 4, NULL), HAM_EINVAL);
        ck_assert_int_eq(ham_plan_create_u8(&plan, NULL, 4, NULL), HAM_EINVAL);
        ck_assert_int_eq(ham_plan_create_u8(&plan, pat, 0, NULL), HAM_EINVAL);
        ck_assert_ptr_null(plan);
        ck_assert_int_eq(ham_plan_create_u8(&plan, pat, 4, NULL), HAM_OK);
        ck_assert_int_eq(ham_dist_u8(NULL, pat, 4, d, 1), HAM_EINVAL);
        ck_assert_int_eq(ham_dist_u8(plan, NULL, 4, d, 1), HAM_EINVAL);
        ck_assert_int_eq(ham_dist_u8(plan, pat, 4, NULL, 1), HAM_EINVAL);
        ck_assert_int_eq(ham_dist_u8(plan, pat, 4, d, 0), HAM_ENOSPC);
        ck_assert_int_eq(ham_kmis_u8(plan, pat, 4, NULL, NULL), HAM_EINVAL);
        ck_assert_int_eq(ham_stream_create(NULL, plan), HAM_EINVAL);
        ham_plan_destroy(plan);
    }
    ck_assert_int_eq(ham_engine_from_name("FFT", &e), HAM_EINVAL);
    ck_assert_int_eq(ham_engine_from_name("", &e), HAM_EINVAL);
    ck_assert_int_eq(ham_engine_from_name(NULL, &e), HAM_EINVAL);
}
END_TEST

START_TEST(bytes_are_bytes)
{
    /* NUL, CR, LF and bytes >= 0x80 are symbols like any other, in every
     * engine (exact engines: exact; k-bounded: d or k+1; approximate: the
     * bounds, and 0 exactly at 0). */
    static const unsigned sig[] = {5, 256};
    const size_t m = 33, n = 700;
    uint8_t pat[33], text[700];
    uint32_t dist[700], ref[700];
    tu_rng r;
    unsigned si;
    int e;
    tu_begin(&r, "bad_input", "bytes_are_bytes", 0);
    for (si = 0; si < 2; si++) {
        size_t i;
        make_bytes(&r, pat, m, text, n, sig[si]);
        for (i = 0; i + m <= n; i++)
            ref[i] = direct(pat, m, text + i);
        for (e = HAM_ENGINE_AUTO; e < HAM_ENGINE_COUNT_; e++) {
            ham_params p;
            ham_plan *plan;
            int rc;
            if (!ham_engine_available((ham_engine)e))
                continue;
            params_for((ham_engine)e, &p, 3);
            rc = ham_plan_create_u8(&plan, pat, m, &p);
            ck_assert_msg(rc == HAM_OK, "%s sigma=%u: %s",
                          ham_engine_name((ham_engine)e), sig[si], ham_errname(rc));
            rc = ham_dist_u8(plan, text, n, dist, n - m + 1);
            ck_assert_msg(rc == HAM_OK, "%s: %s", ham_engine_name((ham_engine)e),
                          ham_errname(rc));
            for (i = 0; i + m <= n; i++) {
                uint32_t want = p.max_dist != HAM_UNBOUNDED && ref[i] > p.max_dist
                                    ? p.max_dist + 1
                                    : ref[i];
                if (is_approx((ham_engine)e))
                    ck_assert_msg(dist[i] >= ref[i] && dist[i] <= 1.5 * ref[i] + 1e-9 &&
                                      (ref[i] == 0) == (dist[i] == 0),
                                  "%s sigma=%u shift %zu: %u for %u",
                                  ham_engine_name((ham_engine)e), sig[si], i, dist[i],
                                  ref[i]);
                else
                    ck_assert_msg(dist[i] == want, "%s sigma=%u shift %zu: %u, want %u",
                                  ham_engine_name((ham_engine)e), sig[si], i, dist[i],
                                  want);
            }
            ham_plan_destroy(plan);
        }
    }
}
END_TEST

START_TEST(pattern_longer_than_text)
{
    /* No shift: HAM_OK, nothing written, no hit, for every engine; a
     * stream shorter than m reports nothing either. */
    const uint8_t pat[8] = "ACGTACGT", text[5] = "ACGTA";
    int e;
    for (e = HAM_ENGINE_AUTO; e < HAM_ENGINE_COUNT_; e++) {
        ham_params p;
        ham_plan *plan;
        ham_stream *st;
        hitlog h;
        uint32_t guard = 12345;
        if (!ham_engine_available((ham_engine)e))
            continue;
        params_for((ham_engine)e, &p, 2);
        if (p.max_dist == HAM_UNBOUNDED && !is_approx((ham_engine)e))
            p.max_dist = 2; /* so kmis accepts the plan */
        ck_assert_int_eq(ham_plan_create_u8(&plan, pat, 8, &p), HAM_OK);
        ck_assert_int_eq(ham_dist_u8(plan, text, 5, &guard, 0), HAM_OK);
        ck_assert_int_eq(ham_dist_u8(plan, text, 5, NULL, 0), HAM_OK);
        ck_assert_uint_eq(guard, 12345);
        if (p.max_dist != HAM_UNBOUNDED) {
            h.n = 0;
            ck_assert_int_eq(ham_kmis_u8(plan, text, 5, log_hit, &h), HAM_OK);
            ck_assert_uint_eq(h.n, 0);
        }
        ck_assert_int_eq(ham_stream_create(&st, plan), HAM_OK);
        h.n = 0;
        ck_assert_int_eq(ham_stream_feed_u8(st, text, 5, log_hit, &h), HAM_OK);
        ck_assert_int_eq(ham_stream_finish(st, log_hit, &h), HAM_OK);
        ck_assert_uint_eq(h.n, 0);
        ham_stream_destroy(st);
        ham_plan_destroy(plan);
    }
}
END_TEST

#ifdef HAM_TEST_WRAP
/* One engine through plan, dist, kmis and a stream, failing each
 * allocation in turn; u8 over DNA and u32 over a larger alphabet. */
static void
alloc_sweep(ham_engine e, unsigned width, unsigned threads)
{
    const size_t m = 48, n = 2500;
    uint8_t pat8[48], *text8 = tu_xmalloc(n);
    uint32_t pat32[48], *text32 = tu_xmalloc(n * sizeof *text32);
    uint32_t *dist = tu_xmalloc(n * sizeof *dist), *ref = tu_xmalloc(n * sizeof *ref);
    ham_params p;
    tu_rng r;
    size_t i;
    long at, fails = 0;
    int op;
    tu_begin(&r, "alloc", ham_engine_name(e), (int)(width + threads));
    for (i = 0; i < m; i++) {
        pat32[i] = width == 8 ? (uint32_t) "ACGT"[tu_next(&r) & 3]
                              : (uint32_t)(tu_next(&r) % 40);
        pat8[i] = (uint8_t)pat32[i];
    }
    for (i = 0; i < n; i++) {
        text32[i] = width == 8 ? (uint32_t) "ACGT"[tu_next(&r) & 3]
                               : (uint32_t)(tu_next(&r) % 40);
        if (i % 400 == 100 && i + m <= n) { /* near copies: hits for kmis */
            memcpy(text32 + i, pat32, m * sizeof *pat32);
            i += m - 1;
        }
    }
    for (i = 0; i < n; i++)
        text8[i] = (uint8_t)text32[i];
    for (i = 0; i + m <= n; i++) {
        size_t j;
        ref[i] = 0;
        for (j = 0; j < m; j++)
            ref[i] += pat32[j] != text32[i + j];
    }
    params_for(e, &p, 5);
    p.threads = threads;
    for (op = 0; op < 4; op++) {
        for (at = 0; at < 100000; at++) {
            ham_plan *plan = NULL;
            ham_stream *st = NULL;
            hitlog *h = tu_xcalloc(1, sizeof *h);
            int rc, reached;
            ham_params q = p;
            if (op >= 2 && q.max_dist == HAM_UNBOUNDED)
                q.max_dist = 5; /* kmis needs a k; streams report hits */
            /* the plan is made unarmed except when planning is tested */
            if (op != 0) {
                rc = width == 8 ? ham_plan_create_u8(&plan, pat8, m, &q)
                                : ham_plan_create_u32(&plan, pat32, m, &q);
                ck_assert_msg(rc == HAM_OK || rc == HAM_EUNSUPPORTED, "%s: %s",
                              ham_engine_name(e), ham_errname(rc));
                if (rc != HAM_OK) {
                    free(h);
                    break;
                }
            }
            arm(at);
            switch (op) {
            case 0:
                rc = width == 8 ? ham_plan_create_u8(&plan, pat8, m, &q)
                                : ham_plan_create_u32(&plan, pat32, m, &q);
                break;
            case 1:
                rc = width == 8 ? ham_dist_u8(plan, text8, n, dist, n - m + 1)
                                : ham_dist_u32(plan, text32, n, dist, n - m + 1);
                break;
            case 2:
                rc = width == 8 ? ham_kmis_u8(plan, text8, n, log_hit, h)
                                : ham_kmis_u32(plan, text32, n, log_hit, h);
                break;
            default:
                rc = ham_stream_create(&st, plan);
                if (rc == HAM_OK) {
                    size_t off = 0;
                    while (rc == HAM_OK && off < n) {
                        size_t len = n - off < 700 ? n - off : 700;
                        rc = width == 8
                                 ? ham_stream_feed_u8(st, text8 + off, len, log_hit, h)
                                 : ham_stream_feed_u32(st, text32 + off, len, log_hit,
                                                       h);
                        off += len;
                    }
                    if (rc == HAM_OK)
                        rc = ham_stream_finish(st, log_hit, h);
                }
                break;
            }
            reached = disarm();
            ck_assert_msg(rc == HAM_OK || (reached && rc == HAM_ENOMEM) ||
                              (op == 0 && rc == HAM_EUNSUPPORTED && !reached),
                          "%s u%u threads=%u op %d, failing allocation %ld: %s",
                          ham_engine_name(e), width, threads, op, at, ham_errname(rc));
            fails += rc == HAM_ENOMEM;
            if (rc == HAM_OK && op == 1 && !is_approx(e)) {
                for (i = 0; i + m <= n; i++) {
                    uint32_t want = q.max_dist != HAM_UNBOUNDED && ref[i] > q.max_dist
                                        ? q.max_dist + 1
                                        : ref[i];
                    ck_assert_msg(
                        dist[i] == want,
                        "%s op 1 after failing allocation %ld: shift %zu %u != %u",
                        ham_engine_name(e), at, i, dist[i], want);
                }
            }
            if (rc == HAM_OK && op >= 2) {
                size_t nh = 0;
                for (i = 0; i + m <= n; i++)
                    if (ref[i] <= q.max_dist) {
                        ck_assert_msg(nh < h->n && h->pos[nh] == i &&
                                          h->dist[nh] == ref[i],
                                      "%s op %d after failing allocation %ld: hit %zu",
                                      ham_engine_name(e), op, at, i);
                        nh++;
                    }
                ck_assert_msg(h->n == nh, "%s op %d: %zu hits, want %zu",
                              ham_engine_name(e), op, h->n, nh);
            }
            ham_stream_destroy(st);
            ham_plan_destroy(plan);
            free(h);
            if (!reached)
                break; /* the call made fewer than at + 1 allocations: done */
        }
        ck_assert_msg(at < 100000, "%s op %d: no end to the allocations",
                      ham_engine_name(e), op);
    }
    if (getenv("HAM_TEST_VERBOSE"))
        fprintf(stderr, "alloc %s u%u threads=%u: %ld failures injected\n",
                ham_engine_name(e), width, threads, fails);
    free(text8);
    free(text32);
    free(dist);
    free(ref);
}

START_TEST(alloc_failure_every_engine)
{
    int e = _i;
    if (!ham_engine_available((ham_engine)e))
        return;
    alloc_sweep((ham_engine)e, 8, 1);
    alloc_sweep((ham_engine)e, 32, 1);
}
END_TEST

START_TEST(alloc_failure_threads)
{
    static const ham_engine es[] = {HAM_ENGINE_NAIVE, HAM_ENGINE_FFT,
                                    HAM_ENGINE_KANGAROO};
    alloc_sweep(es[_i], 8, 2);
}
END_TEST
#endif

int
main(void)
{
    Suite *s = suite_create("bad_input");
    TCase *tc = tu_tcase("bad_input");
    tcase_add_test(tc, bad_params);
    tcase_add_test(tc, bytes_are_bytes);
    tcase_add_test(tc, pattern_longer_than_text);
#ifdef HAM_TEST_WRAP
    tcase_add_loop_test(tc, alloc_failure_every_engine, HAM_ENGINE_AUTO,
                        HAM_ENGINE_COUNT_);
    tcase_add_loop_test(tc, alloc_failure_threads, 0, 3);
#endif
    suite_add_tcase(s, tc);
    return tu_run(s, "check_bad_input");
}
