/* SPDX-License-Identifier: MIT */
/*
 * check_api.c -- every public function, its defaults and its error paths
 * (api.md, hamming.h). Arithmetic is checked against ref.c only lightly here;
 * check_dist, check_kmis, check_stream and check_sumset do it in bulk.
 */
#include "config.h"

#include "ref.h"
#include "testutil.h"

#include <hamming.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef PACKAGE_VERSION_STRING
#error "the Makefile passes -DPACKAGE_VERSION_STRING"
#endif

static const uint8_t PAT8[] = {'a', 'c', 'a'};
static const uint32_t PAT32[] = {7, UINT32_MAX, 7};
static const uint8_t TEXT8[] = {'a', 'c', 'a', 'c', 'a', 'g', 'a', 'c', 'a', 'a'};
static const uint32_t TEXT32[] = {7, UINT32_MAX, 7,          UINT32_MAX, 7,
                                  3, 7,          UINT32_MAX, 7,          7};
#define M_  3u
#define N_  10u
#define ND_ 8u /* HAM_NDIST(N_, M_) */

/* A non-NULL pointer that is not a plan, to see *out reset to NULL. */
static char not_a_plan;
#define JUNK_PLAN   ((ham_plan *)(void *)&not_a_plan)
#define JUNK_STREAM ((ham_stream *)(void *)&not_a_plan)

static ham_plan *
plan8(const ham_params *p)
{
    ham_plan *plan = NULL;
    int rc = ham_plan_create_u8(&plan, PAT8, M_, p);
    ck_assert_msg(rc == HAM_OK, "ham_plan_create_u8: %s", ham_errname(rc));
    ck_assert_ptr_nonnull(plan);
    return plan;
}

static ham_plan *
plan32(const ham_params *p)
{
    ham_plan *plan = NULL;
    int rc = ham_plan_create_u32(&plan, PAT32, M_, p);
    ck_assert_msg(rc == HAM_OK, "ham_plan_create_u32: %s", ham_errname(rc));
    ck_assert_ptr_nonnull(plan);
    return plan;
}

static ham_plan *
plan8k(uint32_t k)
{
    ham_params p;
    ham_params_init(&p);
    p.max_dist = k;
    return plan8(&p);
}

static ham_plan *
plan32k(uint32_t k)
{
    ham_params p;
    ham_params_init(&p);
    p.max_dist = k;
    return plan32(&p);
}

/* Both widths: the status of plan creation with p (plans are destroyed). */
static void
expect_create(const ham_params *p, int want8, int want32, const char *what)
{
    ham_plan *plan = JUNK_PLAN;
    int rc = ham_plan_create_u8(&plan, PAT8, M_, p);
    ck_assert_msg(rc == want8, "%s: u8 plan: got %s, expected %s", what,
                  ham_errname(rc), ham_errname(want8));
    ck_assert_msg(rc == HAM_OK ? plan != NULL : plan == NULL,
                  "%s: u8 plan: *out must be a plan on success and NULL on failure",
                  what);
    ham_plan_destroy(plan);
    plan = JUNK_PLAN;
    rc = ham_plan_create_u32(&plan, PAT32, M_, p);
    ck_assert_msg(rc == want32, "%s: u32 plan: got %s, expected %s", what,
                  ham_errname(rc), ham_errname(want32));
    ck_assert_msg(rc == HAM_OK ? plan != NULL : plan == NULL,
                  "%s: u32 plan: *out must be a plan on success and NULL on failure",
                  what);
    ham_plan_destroy(plan);
}

/* ---- Parameters and engines ---------------------------------------------- */

START_TEST(params_defaults)
{
    ham_params p;
    memset(&p, 0xab, sizeof p);
    ham_params_init(&p);
    ck_assert_int_eq(p.engine, HAM_ENGINE_AUTO);
    ck_assert_uint_eq(p.max_dist, HAM_UNBOUNDED);
    ck_assert_uint_eq(p.max_dist, UINT32_MAX);
    ck_assert_msg(p.epsilon == 0.0, "epsilon default %g", p.epsilon);
    ck_assert_msg(p.delta == 1e-6, "delta default %g", p.delta);
    ck_assert_uint_eq(p.seed, 0);
    ck_assert_int_eq(p.wildcard, -1);
    ck_assert_uint_eq(p.threads, 0);
    ck_assert_uint_eq(p.flags, 0);
}
END_TEST

static const struct {
    ham_engine e;
    const char *name;
} engine_names[] = {
    {HAM_ENGINE_AUTO, "auto"},
    {HAM_ENGINE_NAIVE, "naive"},
    {HAM_ENGINE_FFT, "fft"},
    {HAM_ENGINE_ABRAHAMSON, "abrahamson"},
    {HAM_ENGINE_PACKED, "packed"},
    {HAM_ENGINE_HASHED, "hashed"},
    {HAM_ENGINE_KANGAROO, "kangaroo"},
    {HAM_ENGINE_KBOUNDED, "kbounded"},
    {HAM_ENGINE_BITPARALLEL, "bitparallel"},
    {HAM_ENGINE_SAMPLING, "sampling"},
    {HAM_ENGINE_3SUM, "3sum"},
};
#define N_ENGINE_NAMES (sizeof engine_names / sizeof engine_names[0])

START_TEST(engine_names_roundtrip)
{
    size_t i;
    ham_engine out;
    ck_assert_uint_eq(N_ENGINE_NAMES, HAM_ENGINE_COUNT_);
    for (i = 0; i < N_ENGINE_NAMES; i++) {
        const char *name = ham_engine_name(engine_names[i].e);
        ck_assert_msg(name != NULL && strcmp(name, engine_names[i].name) == 0,
                      "ham_engine_name(%d) = %s, expected %s", (int)engine_names[i].e,
                      name ? name : "NULL", engine_names[i].name);
        out = HAM_ENGINE_COUNT_;
        ck_assert_int_eq(ham_engine_from_name(engine_names[i].name, &out), HAM_OK);
        ck_assert_int_eq(out, engine_names[i].e);
    }
    ck_assert_ptr_null(ham_engine_name(HAM_ENGINE_COUNT_));
    ck_assert_ptr_null(ham_engine_name((ham_engine)(HAM_ENGINE_COUNT_ + 7)));
    ck_assert_ptr_null(ham_engine_name((ham_engine)-1));
    ck_assert_ptr_null(ham_engine_name((ham_engine)INT_MAX));
}
END_TEST

START_TEST(engine_from_name_errors)
{
    static const char *const bad[] = {"",       "NAIVE", "Naive",  "naive ",
                                      " naive", "nai",   "naivee", "none",
                                      "fftw",   "3SUM",  "auto\n"};
    size_t i;
    ham_engine out = HAM_ENGINE_NAIVE;
    ck_assert_int_eq(ham_engine_from_name(NULL, &out), HAM_EINVAL);
    ck_assert_int_eq(ham_engine_from_name("naive", NULL), HAM_EINVAL);
    ck_assert_int_eq(ham_engine_from_name(NULL, NULL), HAM_EINVAL);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ham_engine_from_name(bad[i], &out) == HAM_EINVAL,
                      "ham_engine_from_name(\"%s\") should be HAM_EINVAL", bad[i]);
}
END_TEST

START_TEST(engine_available)
{
    unsigned e;
    ck_assert_int_eq(ham_engine_available(HAM_ENGINE_AUTO), 1);
    ck_assert_int_eq(ham_engine_available(HAM_ENGINE_NAIVE), 1);
    for (e = 0; e < HAM_ENGINE_COUNT_; e++) {
        int a = ham_engine_available((ham_engine)e);
        ck_assert_msg(a == 0 || a == 1, "ham_engine_available(%s) = %d",
                      ham_engine_name((ham_engine)e), a);
    }
    ck_assert_int_eq(ham_engine_available(HAM_ENGINE_COUNT_), 0);
    ck_assert_int_eq(ham_engine_available((ham_engine)-1), 0);
    ck_assert_int_eq(ham_engine_available((ham_engine)1000), 0);
}
END_TEST

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

/* A forced engine that is not built: HAM_EUNSUPPORTED at plan creation even
 * for a request it would serve. */
START_TEST(engine_unavailable_forced)
{
    unsigned e;
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        ham_params p;
        char what[96];
        if (ham_engine_available((ham_engine)e))
            continue;
        ham_params_init(&p);
        p.engine = (ham_engine)e;
        if (is_kbounded_only((ham_engine)e))
            p.max_dist = 1;
        if (is_approx_only((ham_engine)e))
            p.epsilon = 0.5;
        snprintf(what, sizeof what, "forced unavailable engine %s",
                 ham_engine_name((ham_engine)e));
        expect_create(&p, HAM_EUNSUPPORTED, HAM_EUNSUPPORTED, what);
    }
}
END_TEST

/* Available engines: requests they cannot serve are HAM_EUNSUPPORTED;
 * naive serves exact and k-bounded requests, both widths, with wildcards. */
START_TEST(engine_cannot_serve)
{
    unsigned e;
    ham_params p;
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        char what[96];
        if (!ham_engine_available((ham_engine)e))
            continue;
        if (is_kbounded_only((ham_engine)e)) {
            ham_params_init(&p);
            p.engine = (ham_engine)e;
            p.max_dist = HAM_UNBOUNDED;
            snprintf(what, sizeof what, "k-bounded engine %s with max_dist unbounded",
                     ham_engine_name((ham_engine)e));
            expect_create(&p, HAM_EUNSUPPORTED, HAM_EUNSUPPORTED, what);
        }
        if (is_approx_only((ham_engine)e)) {
            ham_params_init(&p);
            p.engine = (ham_engine)e;
            p.epsilon = 0.0;
            snprintf(what, sizeof what, "approximate engine %s with epsilon 0",
                     ham_engine_name((ham_engine)e));
            expect_create(&p, HAM_EUNSUPPORTED, HAM_EUNSUPPORTED, what);
            p.max_dist = 2;
            expect_create(&p, HAM_EUNSUPPORTED, HAM_EUNSUPPORTED, what);
        }
    }
    ham_params_init(&p);
    p.engine = HAM_ENGINE_NAIVE;
    expect_create(&p, HAM_OK, HAM_OK, "naive exact");
    p.max_dist = 0;
    expect_create(&p, HAM_OK, HAM_OK, "naive k=0");
    p.wildcard = 'c';
    expect_create(&p, HAM_OK, HAM_OK, "naive k=0 wildcard");
    /* AUTO never fails for lack of an engine */
    ham_params_init(&p);
    expect_create(&p, HAM_OK, HAM_OK, "auto exact");
    p.max_dist = 1;
    expect_create(&p, HAM_OK, HAM_OK, "auto k=1");
    p.epsilon = 0.25;
    expect_create(&p, HAM_OK, HAM_OK, "auto k=1 eps=0.25");
    p.max_dist = HAM_UNBOUNDED;
    expect_create(&p, HAM_OK, HAM_OK, "auto eps=0.25");
    p.wildcard = 7;
    expect_create(&p, HAM_OK, HAM_OK, "auto eps=0.25 wildcard");
    p.max_dist = 0;
    p.epsilon = 0.0;
    expect_create(&p, HAM_OK, HAM_OK, "auto k=0 wildcard");
}
END_TEST

/* ---- Plan creation errors ------------------------------------------------- */

START_TEST(plan_create_null_and_empty)
{
    ham_plan *plan;
    ck_assert_int_eq(ham_plan_create_u8(NULL, PAT8, M_, NULL), HAM_EINVAL);
    ck_assert_int_eq(ham_plan_create_u32(NULL, PAT32, M_, NULL), HAM_EINVAL);
    ck_assert_int_eq(ham_plan_create_u8(NULL, NULL, 0, NULL), HAM_EINVAL);

    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u8(&plan, NULL, M_, NULL), HAM_EINVAL);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u32(&plan, NULL, M_, NULL), HAM_EINVAL);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u8(&plan, PAT8, 0, NULL), HAM_EINVAL);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u32(&plan, PAT32, 0, NULL), HAM_EINVAL);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u8(&plan, NULL, 0, NULL), HAM_EINVAL);
    ck_assert_ptr_null(plan);

    /* p == NULL means the defaults */
    plan = plan8(NULL);
    ck_assert_int_eq(ham_plan_engine(plan, 100) != HAM_ENGINE_AUTO, 1);
    ham_plan_destroy(plan);
    ham_plan_destroy(NULL);
}
END_TEST

/* m > UINT32_MAX is HAM_ERANGE, decided before the pattern is read: the
 * pattern lies in inaccessible memory, so reading it would crash. */
START_TEST(plan_create_m_too_large)
{
#if SIZE_MAX > UINT32_MAX
    const size_t m = (size_t)UINT32_MAX + 1;
    ham_plan *plan;
    void *mem = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(mem != MAP_FAILED, "mmap failed");
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u8(&plan, mem, m, NULL), HAM_ERANGE);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u32(&plan, mem, m, NULL), HAM_ERANGE);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u8(&plan, mem, SIZE_MAX, NULL), HAM_ERANGE);
    ck_assert_ptr_null(plan);
    plan = JUNK_PLAN;
    ck_assert_int_eq(ham_plan_create_u32(&plan, mem, SIZE_MAX, NULL), HAM_ERANGE);
    ck_assert_ptr_null(plan);
    munmap(mem, 4096);
#endif
}
END_TEST

START_TEST(plan_create_bad_flags_engine)
{
    ham_params p;
    static const unsigned bad_flags[] = {
        1u << 3, 1u << 7, 1u << 31, ~0u, ~(unsigned)HAM_F_ALL_, HAM_F_ALL_ | (1u << 4)};
    static const unsigned good_flags[] = {0,
                                          HAM_F_MEASURE,
                                          HAM_F_NO_SIMD,
                                          HAM_F_NO_AVX512,
                                          HAM_F_NO_SIMD | HAM_F_NO_AVX512,
                                          HAM_F_ALL_};
    size_t i;
    ck_assert_uint_eq(HAM_MEASURE, HAM_F_MEASURE);
    for (i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++) {
        char what[64];
        ham_params_init(&p);
        p.flags = bad_flags[i];
        snprintf(what, sizeof what, "flags=0x%x", bad_flags[i]);
        expect_create(&p, HAM_EINVAL, HAM_EINVAL, what);
    }
    for (i = 0; i < sizeof good_flags / sizeof good_flags[0]; i++) {
        char what[64];
        ham_params_init(&p);
        p.flags = good_flags[i];
        snprintf(what, sizeof what, "flags=0x%x", good_flags[i]);
        expect_create(&p, HAM_OK, HAM_OK, what);
    }
    ham_params_init(&p);
    p.engine = HAM_ENGINE_COUNT_;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "engine HAM_ENGINE_COUNT_");
    p.engine = (ham_engine)(HAM_ENGINE_COUNT_ + 1);
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "engine HAM_ENGINE_COUNT_ + 1");
    p.engine = (ham_engine)-1;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "engine -1");
    p.engine = (ham_engine)INT_MAX;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "engine INT_MAX");
}
END_TEST

START_TEST(plan_create_bad_eps_delta)
{
    ham_params p;
    static const double bad_eps[] = {-1e-300, -0.01, -1.0, 1.0, 1.0000001, 2.0, 1e300};
    static const double good_eps[] = {0.0, -0.0, 1e-12, 0.1, 0.5, 0.999};
    static const double bad_delta[] = {0.0, -0.0, -0.5, 1.0, 1.5, 1e300};
    static const double good_delta[] = {1e-300, 1e-6, 0.5, 0.999999};
    size_t i;
    char what[64];
    for (i = 0; i < sizeof bad_eps / sizeof bad_eps[0]; i++) {
        ham_params_init(&p);
        p.epsilon = bad_eps[i];
        snprintf(what, sizeof what, "epsilon=%g", bad_eps[i]);
        expect_create(&p, HAM_ERANGE, HAM_ERANGE, what);
    }
    ham_params_init(&p);
    p.epsilon = (double)INFINITY;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "epsilon=inf");
    p.epsilon = -(double)INFINITY;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "epsilon=-inf");
    p.epsilon = (double)NAN;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "epsilon=nan");
    p.epsilon = -(double)NAN;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "epsilon=-nan");
    for (i = 0; i < sizeof good_eps / sizeof good_eps[0]; i++) {
        ham_params_init(&p);
        p.epsilon = good_eps[i];
        snprintf(what, sizeof what, "epsilon=%g", good_eps[i]);
        expect_create(&p, HAM_OK, HAM_OK, what);
    }
    for (i = 0; i < sizeof bad_delta / sizeof bad_delta[0]; i++) {
        ham_params_init(&p);
        p.delta = bad_delta[i];
        snprintf(what, sizeof what, "delta=%g", bad_delta[i]);
        expect_create(&p, HAM_ERANGE, HAM_ERANGE, what);
    }
    ham_params_init(&p);
    p.delta = (double)INFINITY;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "delta=inf");
    p.delta = (double)NAN;
    expect_create(&p, HAM_EINVAL, HAM_EINVAL, "delta=nan");
    for (i = 0; i < sizeof good_delta / sizeof good_delta[0]; i++) {
        ham_params_init(&p);
        p.delta = good_delta[i];
        snprintf(what, sizeof what, "delta=%g", good_delta[i]);
        expect_create(&p, HAM_OK, HAM_OK, what);
    }
}
END_TEST

START_TEST(plan_create_bad_wildcard)
{
    ham_params p;
    ham_params_init(&p);
    p.wildcard = -2;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "wildcard=-2");
    p.wildcard = INT64_MIN;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "wildcard=INT64_MIN");
    p.wildcard = 256;
    expect_create(&p, HAM_ERANGE, HAM_OK, "wildcard=256");
    p.wildcard = 1000;
    expect_create(&p, HAM_ERANGE, HAM_OK, "wildcard=1000");
    p.wildcard = (int64_t)UINT32_MAX;
    expect_create(&p, HAM_ERANGE, HAM_OK, "wildcard=UINT32_MAX");
    p.wildcard = (int64_t)UINT32_MAX + 1;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "wildcard=UINT32_MAX+1");
    p.wildcard = INT64_MAX;
    expect_create(&p, HAM_ERANGE, HAM_ERANGE, "wildcard=INT64_MAX");
    p.wildcard = 255;
    expect_create(&p, HAM_OK, HAM_OK, "wildcard=255");
    p.wildcard = 0;
    expect_create(&p, HAM_OK, HAM_OK, "wildcard=0");
    p.wildcard = -1;
    expect_create(&p, HAM_OK, HAM_OK, "wildcard=-1");
}
END_TEST

/* ---- Plan queries --------------------------------------------------------- */

START_TEST(plan_engine_query)
{
    ham_params p;
    ham_plan *plan;
    static const size_t ns[] = {0, 1, M_, 100, 1000000, SIZE_MAX};
    size_t i;
    ck_assert_int_eq(ham_plan_engine(NULL, 10), HAM_ENGINE_AUTO);
    ham_params_init(&p);
    p.engine = HAM_ENGINE_NAIVE;
    plan = plan8(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        ck_assert_int_eq(ham_plan_engine(plan, ns[i]), HAM_ENGINE_NAIVE);
    ham_plan_destroy(plan);
    plan = plan32(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        ck_assert_int_eq(ham_plan_engine(plan, ns[i]), HAM_ENGINE_NAIVE);
    ham_plan_destroy(plan);
    /* AUTO picks an available engine, never AUTO itself */
    ham_params_init(&p);
    plan = plan8(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        ham_engine e = ham_plan_engine(plan, ns[i]);
        ck_assert_msg(e != HAM_ENGINE_AUTO && (unsigned)e < HAM_ENGINE_COUNT_ &&
                          ham_engine_available(e),
                      "AUTO picked %d for n=%zu", (int)e, ns[i]);
    }
    ham_plan_destroy(plan);
    p.max_dist = 1;
    plan = plan32(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        ham_engine e = ham_plan_engine(plan, ns[i]);
        ck_assert_msg(e != HAM_ENGINE_AUTO && (unsigned)e < HAM_ENGINE_COUNT_ &&
                          ham_engine_available(e),
                      "AUTO picked %d for n=%zu", (int)e, ns[i]);
    }
    ham_plan_destroy(plan);
}
END_TEST

static void
explain_one(ham_plan *plan, size_t n)
{
    char buf[4096], small[8];
    size_t len, cap;
    int rc;
    const char *name = ham_engine_name(ham_plan_engine(plan, n));
    memset(buf, 'x', sizeof buf);
    rc = ham_plan_explain(plan, n, buf, sizeof buf);
    ck_assert_msg(rc == HAM_OK, "explain n=%zu: %s", n, ham_errname(rc));
    ck_assert_msg(memchr(buf, '\0', sizeof buf) != NULL, "explain: no NUL");
    len = strlen(buf);
    ck_assert_msg(len > 0, "explain: empty line");
    ck_assert_msg(strchr(buf, '\n') == NULL, "explain: newline in \"%s\"", buf);
    ck_assert_msg(name && strstr(buf, name) != NULL,
                  "explain for n=%zu does not name the chosen engine %s: \"%s\"", n,
                  name ? name : "NULL", buf);
    /* exactly fits */
    {
        char *exact = tu_xmalloc(len + 1);
        ck_assert_int_eq(ham_plan_explain(plan, n, exact, len + 1), HAM_OK);
        ck_assert_str_eq(exact, buf);
        free(exact);
    }
    /* one byte short, and tiny buffers: HAM_ENOSPC leaving "" */
    for (cap = 1; cap <= sizeof small; cap++) {
        memset(small, 'x', sizeof small);
        if (cap >= len + 1)
            break;
        rc = ham_plan_explain(plan, n, small, cap);
        ck_assert_msg(rc == HAM_ENOSPC, "explain cap=%zu: %s", cap, ham_errname(rc));
        ck_assert_msg(small[0] == '\0', "explain cap=%zu must leave \"\"", cap);
        ck_assert_msg(cap >= sizeof small || small[cap] == 'x',
                      "explain cap=%zu wrote past cap", cap);
    }
    {
        char *short1 = tu_xmalloc(len);
        memset(short1, 'x', len);
        rc = ham_plan_explain(plan, n, short1, len);
        ck_assert_msg(rc == HAM_ENOSPC, "explain cap=len: %s", ham_errname(rc));
        ck_assert_msg(short1[0] == '\0', "explain cap=len must leave \"\"");
        free(short1);
    }
    small[0] = 'x';
    ck_assert_int_eq(ham_plan_explain(plan, n, small, 0), HAM_ENOSPC);
    ck_assert_msg(small[0] == 'x', "explain cap=0 wrote into the buffer");
}

START_TEST(plan_explain)
{
    ham_params p;
    ham_plan *plan;
    char buf[64];
    static const size_t ns[] = {0, 2, M_, 1000, 10000000};
    size_t i;

    ham_params_init(&p);
    plan = plan8(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        explain_one(plan, ns[i]);
    ck_assert_int_eq(ham_plan_explain(plan, 10, NULL, 10), HAM_EINVAL);
    ck_assert_int_eq(ham_plan_explain(plan, 10, NULL, 0), HAM_EINVAL);
    ham_plan_destroy(plan);
    ck_assert_int_eq(ham_plan_explain(NULL, 10, buf, sizeof buf), HAM_EINVAL);

    p.engine = HAM_ENGINE_NAIVE;
    p.max_dist = 2;
    p.wildcard = 7;
    plan = plan32(&p);
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        explain_one(plan, ns[i]);
    ham_plan_destroy(plan);
}
END_TEST

/* ---- Distances ------------------------------------------------------------ */

static void
ref_for8(uint32_t *exp)
{
    ref_dist_u8(PAT8, M_, TEXT8, N_, -1, REF_UNBOUNDED, exp);
}

static void
ref_for32(uint32_t *exp)
{
    ref_dist_u32(PAT32, M_, TEXT32, N_, -1, REF_UNBOUNDED, exp);
}

START_TEST(dist_basic_and_cap)
{
    uint32_t exp[ND_], buf[ND_ + 8];
    ham_plan *p8 = plan8(NULL), *p32 = plan32(NULL);
    size_t nd = ham_ndist(N_, M_), ndiff;
    ck_assert_uint_eq(nd, ND_);

    /* cap exact (with guard slots after it: nothing written past cap) */
    ref_for8(exp);
    tu_fill32(buf, ND_ + 8, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, buf, ND_), HAM_OK);
    ck_assert_msg(tu_first_diff32(exp, buf, ND_, &ndiff) == ND_, "u8 distances wrong");
    ck_assert_msg(tu_find_not32(buf + ND_, 8, TU_SENTINEL32) == 8,
                  "u8: wrote past cap");
    /* generous cap: still only ND_ values */
    tu_fill32(buf, ND_ + 8, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, buf, ND_ + 8), HAM_OK);
    ck_assert_msg(tu_first_diff32(exp, buf, ND_, &ndiff) == ND_, "u8 distances wrong");
    ck_assert_msg(tu_find_not32(buf + ND_, 8, TU_SENTINEL32) == 8,
                  "u8: wrote past HAM_NDIST values");
    /* cap - 1 and 0: HAM_ENOSPC, nothing written */
    tu_fill32(buf, ND_ + 8, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, buf, ND_ - 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, buf, 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, buf, 0), HAM_ENOSPC);
    ck_assert_msg(tu_find_not32(buf, ND_ + 8, TU_SENTINEL32) == ND_ + 8,
                  "u8 HAM_ENOSPC wrote output");

    ref_for32(exp);
    tu_fill32(buf, ND_ + 8, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, N_, buf, ND_), HAM_OK);
    ck_assert_msg(tu_first_diff32(exp, buf, ND_, &ndiff) == ND_, "u32 distances wrong");
    ck_assert_msg(tu_find_not32(buf + ND_, 8, TU_SENTINEL32) == 8,
                  "u32: wrote past cap");
    tu_fill32(buf, ND_ + 8, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, N_, buf, ND_ - 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, N_, buf, 0), HAM_ENOSPC);
    ck_assert_msg(tu_find_not32(buf, ND_ + 8, TU_SENTINEL32) == ND_ + 8,
                  "u32 HAM_ENOSPC wrote output");
    ham_plan_destroy(p8);
    ham_plan_destroy(p32);
}
END_TEST

START_TEST(dist_errors)
{
    uint32_t buf[ND_ + 4];
    ham_plan *p8 = plan8(NULL), *p32 = plan32(NULL);

    tu_fill32(buf, ND_ + 4, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_u8(NULL, TEXT8, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u32(NULL, TEXT32, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u8(NULL, NULL, 0, NULL, 0), HAM_EINVAL);
    /* width mismatch */
    ck_assert_int_eq(ham_dist_u8(p32, TEXT8, N_, buf, ND_), HAM_EWIDTH);
    ck_assert_int_eq(ham_dist_u32(p8, TEXT32, N_, buf, ND_), HAM_EWIDTH);
    /* NULL text with n > 0 */
    ck_assert_int_eq(ham_dist_u8(p8, NULL, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u32(p32, NULL, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u8(p8, NULL, 1, buf, ND_), HAM_EINVAL);
    /* NULL dist with shifts to report */
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, NULL, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, N_, NULL, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, N_, NULL, 0), HAM_EINVAL);
    ck_assert_msg(tu_find_not32(buf, ND_ + 4, TU_SENTINEL32) == ND_ + 4,
                  "an error wrote output");

    /* n == 0 with NULL text and NULL dist: nothing to do */
    ck_assert_int_eq(ham_dist_u8(p8, NULL, 0, NULL, 0), HAM_OK);
    ck_assert_int_eq(ham_dist_u32(p32, NULL, 0, NULL, 0), HAM_OK);
    ck_assert_int_eq(ham_dist_u8(p8, NULL, 0, buf, ND_), HAM_OK);
    /* m > n: HAM_OK, nothing written, dist may be NULL */
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, M_ - 1, buf, ND_), HAM_OK);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, M_ - 1, buf, ND_), HAM_OK);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, 1, buf, 0), HAM_OK);
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, M_ - 1, NULL, 0), HAM_OK);
    ck_assert_int_eq(ham_dist_u32(p32, TEXT32, M_ - 1, NULL, 0), HAM_OK);
    ck_assert_msg(tu_find_not32(buf, ND_ + 4, TU_SENTINEL32) == ND_ + 4,
                  "m > n wrote output");
    /* m == n: one value */
    ck_assert_int_eq(ham_dist_u8(p8, TEXT8, M_, buf, 1), HAM_OK);
    ck_assert_uint_eq(buf[0], 0);
    ck_assert_uint_eq(buf[1], TU_SENTINEL32);
    ham_plan_destroy(p8);
    ham_plan_destroy(p32);
}
END_TEST

START_TEST(dist_once)
{
    uint32_t exp[ND_], buf[ND_ + 2];
    size_t ndiff;
    ref_for8(exp);
    tu_fill32(buf, ND_ + 2, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_once_u8(PAT8, M_, TEXT8, N_, buf, ND_), HAM_OK);
    ck_assert_msg(tu_first_diff32(exp, buf, ND_, &ndiff) == ND_, "once u8 wrong");
    ck_assert_uint_eq(buf[ND_], TU_SENTINEL32);
    ref_for32(exp);
    ck_assert_int_eq(ham_dist_once_u32(PAT32, M_, TEXT32, N_, buf, ND_), HAM_OK);
    ck_assert_msg(tu_first_diff32(exp, buf, ND_, &ndiff) == ND_, "once u32 wrong");

    tu_fill32(buf, ND_ + 2, TU_SENTINEL32);
    ck_assert_int_eq(ham_dist_once_u8(PAT8, M_, TEXT8, N_, buf, ND_ - 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_dist_once_u32(PAT32, M_, TEXT32, N_, buf, ND_ - 1),
                     HAM_ENOSPC);
    ck_assert_int_eq(ham_dist_once_u8(PAT8, 0, TEXT8, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_once_u32(PAT32, 0, TEXT32, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_once_u8(NULL, M_, TEXT8, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_once_u32(NULL, M_, TEXT32, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_once_u8(PAT8, M_, NULL, N_, buf, ND_), HAM_EINVAL);
    ck_assert_int_eq(ham_dist_once_u8(PAT8, M_, TEXT8, N_, NULL, ND_), HAM_EINVAL);
    ck_assert_msg(tu_find_not32(buf, ND_ + 2, TU_SENTINEL32) == ND_ + 2,
                  "an error wrote output");
    ck_assert_int_eq(ham_dist_once_u8(PAT8, M_, NULL, 0, NULL, 0), HAM_OK);
    ck_assert_int_eq(ham_dist_once_u32(PAT32, M_, TEXT32, 2, NULL, 0), HAM_OK);
}
END_TEST

START_TEST(ndist)
{
    ck_assert_uint_eq(HAM_NDIST(10, 3), 8);
    ck_assert_uint_eq(ham_ndist(10, 3), 8);
    ck_assert_uint_eq(HAM_NDIST(3, 3), 1);
    ck_assert_uint_eq(ham_ndist(3, 3), 1);
    ck_assert_uint_eq(HAM_NDIST(2, 3), 0);
    ck_assert_uint_eq(ham_ndist(2, 3), 0);
    ck_assert_uint_eq(HAM_NDIST(0, 1), 0);
    ck_assert_uint_eq(ham_ndist(0, 1), 0);
    ck_assert_uint_eq(ham_ndist(1, 1), 1);
    ck_assert_uint_eq(ham_ndist(0, SIZE_MAX), 0);
    ck_assert_uint_eq(HAM_NDIST(0, SIZE_MAX), 0);
    ck_assert_uint_eq(ham_ndist(SIZE_MAX, 1), SIZE_MAX);
    ck_assert_uint_eq(HAM_NDIST(SIZE_MAX, 1), SIZE_MAX);
    ck_assert_uint_eq(ham_ndist(SIZE_MAX, SIZE_MAX), 1);
    ck_assert_uint_eq(ham_ndist(SIZE_MAX - 1, SIZE_MAX), 0);
    ck_assert_uint_eq(ham_ndist(5, 6), 0);
    ck_assert_uint_eq(ham_ndist(1000000, 1000), 999001);
    /* the macro takes any integer types and evaluates to size_t */
    ck_assert_uint_eq(HAM_NDIST((uint32_t)7, (unsigned char)2), 6);
    ck_assert_uint_eq(sizeof HAM_NDIST(1, 1), sizeof(size_t));
}
END_TEST

/* ---- k-mismatch ----------------------------------------------------------- */

START_TEST(kmis_basic_and_errors)
{
    tu_hits h = {0};
    uint32_t exp[ND_];
    tu_case c;
    ham_plan *p8 = plan8k(1), *p32 = plan32k(1), *unb8 = plan8(NULL),
             *unb32 = plan32(NULL);

    /* HAM_UNBOUNDED plan: HAM_EINVAL, no call */
    ck_assert_int_eq(ham_kmis_u8(unb8, TEXT8, N_, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u32(unb32, TEXT32, N_, tu_hit_cb, &h), HAM_EINVAL);
    /* NULL plan, NULL fn, NULL text */
    ck_assert_int_eq(ham_kmis_u8(NULL, TEXT8, N_, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u32(NULL, TEXT32, N_, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u8(p8, TEXT8, N_, NULL, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u32(p32, TEXT32, N_, NULL, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u8(p8, NULL, N_, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_kmis_u32(p32, NULL, N_, tu_hit_cb, &h), HAM_EINVAL);
    /* width */
    ck_assert_int_eq(ham_kmis_u8(p32, TEXT8, N_, tu_hit_cb, &h), HAM_EWIDTH);
    ck_assert_int_eq(ham_kmis_u32(p8, TEXT32, N_, tu_hit_cb, &h), HAM_EWIDTH);
    ck_assert_uint_eq(h.calls, 0);
    /* nothing to scan */
    ck_assert_int_eq(ham_kmis_u8(p8, NULL, 0, tu_hit_cb, &h), HAM_OK);
    ck_assert_int_eq(ham_kmis_u32(p32, NULL, 0, tu_hit_cb, &h), HAM_OK);
    ck_assert_int_eq(ham_kmis_u8(p8, TEXT8, M_ - 1, tu_hit_cb, &h), HAM_OK);
    ck_assert_int_eq(ham_kmis_u32(p32, TEXT32, M_ - 1, tu_hit_cb, &h), HAM_OK);
    ck_assert_uint_eq(h.calls, 0);

    /* the hits, exactly */
    ref_dist_u8(PAT8, M_, TEXT8, N_, -1, 1, exp);
    tu_case_from32(&c, 1, (const uint32_t[]){'a', 'c', 'a'}, M_,
                   (const uint32_t[]){'a', 'c', 'a', 'c', 'a', 'g', 'a', 'c', 'a', 'a'},
                   N_, -1);
    ck_assert_int_eq(ham_kmis_u8(p8, TEXT8, N_, tu_hit_cb, &h), HAM_OK);
    tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "kmis u8 k=1");
    ck_assert_uint_ge(h.n, 3);
    tu_case_free(&c);
    tu_hits_reset(&h);
    ref_dist_u32(PAT32, M_, TEXT32, N_, -1, 1, exp);
    tu_case_from32(&c, 4, PAT32, M_, TEXT32, N_, -1);
    ck_assert_int_eq(ham_kmis_u32(p32, TEXT32, N_, tu_hit_cb, &h), HAM_OK);
    tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "kmis u32 k=1");

    /* stop at the first and at the second hit: HAM_ESTOPPED, no later call */
    tu_hits_reset(&h);
    h.stop_at = 1;
    ck_assert_int_eq(ham_kmis_u32(p32, TEXT32, N_, tu_hit_cb, &h), HAM_ESTOPPED);
    ck_assert_uint_eq(h.calls, 1);
    tu_expect_hits(&c, 1, exp, ND_, &h, 1, "kmis stop at 1");
    tu_hits_reset(&h);
    h.stop_at = 2;
    ck_assert_int_eq(ham_kmis_u32(p32, TEXT32, N_, tu_hit_cb, &h), HAM_ESTOPPED);
    ck_assert_uint_eq(h.calls, 2);
    tu_expect_hits(&c, 1, exp, ND_, &h, 2, "kmis stop at 2");
    tu_case_free(&c);
    tu_hits_free(&h);
    ham_plan_destroy(p8);
    ham_plan_destroy(p32);
    ham_plan_destroy(unb8);
    ham_plan_destroy(unb32);
}
END_TEST

/* ---- Streams -------------------------------------------------------------- */

START_TEST(stream_lifecycle)
{
    ham_plan *p8 = plan8k(1), *p32 = plan32k(1);
    ham_stream *s = JUNK_STREAM, *s32 = NULL;
    tu_hits h = {0}, h2 = {0};
    uint32_t exp[ND_];
    tu_case c;

    ck_assert_int_eq(ham_stream_create(NULL, p8), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_create(&s, NULL), HAM_EINVAL);
    ck_assert_ptr_null(s);
    ham_stream_destroy(NULL);
    ck_assert_uint_eq(ham_stream_position(NULL), 0);
    ck_assert_int_eq(ham_stream_reset(NULL), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_finish(NULL, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_feed_u8(NULL, TEXT8, N_, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_feed_u32(NULL, TEXT32, N_, tu_hit_cb, &h), HAM_EINVAL);

    ck_assert_int_eq(ham_stream_create(&s, p8), HAM_OK);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(ham_stream_create(&s32, p32), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), 0);
    /* argument errors */
    ck_assert_int_eq(ham_stream_feed_u8(s, NULL, 3, tu_hit_cb, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, 3, NULL, &h), HAM_EINVAL);
    ck_assert_int_eq(ham_stream_feed_u32(s, TEXT32, 3, tu_hit_cb, &h), HAM_EWIDTH);
    ck_assert_int_eq(ham_stream_feed_u8(s32, TEXT8, 3, tu_hit_cb, &h), HAM_EWIDTH);
    ck_assert_int_eq(ham_stream_finish(s, NULL, &h), HAM_EINVAL);
    ck_assert_uint_eq(ham_stream_position(s), 0);
    ck_assert_uint_eq(h.calls, 0);

    /* feeds of 4, 0 (NULL chunk), 6: the hits of one call, positions counted */
    ref_dist_u8(PAT8, M_, TEXT8, N_, -1, 1, exp);
    tu_case_from32(&c, 1, (const uint32_t[]){'a', 'c', 'a'}, M_,
                   (const uint32_t[]){'a', 'c', 'a', 'c', 'a', 'g', 'a', 'c', 'a', 'a'},
                   N_, -1);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, 4, tu_hit_cb, &h), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), 4);
    ck_assert_int_eq(ham_stream_feed_u8(s, NULL, 0, tu_hit_cb, &h), HAM_OK);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8 + 4, 0, tu_hit_cb, &h), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), 4);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8 + 4, N_ - 4, tu_hit_cb, &h), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), N_);
    /* finish reports nothing new; feeding after finish is HAM_EINVAL */
    ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h2), HAM_OK);
    ck_assert_uint_eq(h2.calls, 0);
    tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "stream 4+0+6");
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, 1, tu_hit_cb, &h2), HAM_EINVAL);
    ck_assert_uint_eq(h2.calls, 0);
    ck_assert_uint_eq(ham_stream_position(s), N_);

    /* reset: positions from 0 again, same hits */
    ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), 0);
    tu_hits_reset(&h);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h), HAM_OK);
    ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h2), HAM_OK);
    tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "stream after reset");
    ck_assert_uint_eq(h2.calls, 0);

    /* ESTOPPED is sticky until reset: later feeds and finish refuse with it,
     * without calling the callback */
    ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
    tu_hits_reset(&h);
    h.stop_at = 1;
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h), HAM_ESTOPPED);
    ck_assert_uint_eq(h.calls, 1);
    tu_expect_hits(&c, 1, exp, ND_, &h, 1, "stream stop at 1");
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h2), HAM_ESTOPPED);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, 1, tu_hit_cb, &h2), HAM_ESTOPPED);
    ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h2), HAM_ESTOPPED);
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h2), HAM_ESTOPPED);
    ck_assert_uint_eq(h2.calls, 0);
    ck_assert_int_eq(ham_stream_reset(s), HAM_OK);
    ck_assert_uint_eq(ham_stream_position(s), 0);
    tu_hits_reset(&h);
    h.stop_at = 0;
    ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h), HAM_OK);
    tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "stream after ESTOPPED and reset");
    tu_case_free(&c);

    /* u32 stream in chunks of 1 */
    {
        size_t i;
        ref_dist_u32(PAT32, M_, TEXT32, N_, -1, 1, exp);
        tu_case_from32(&c, 4, PAT32, M_, TEXT32, N_, -1);
        tu_hits_reset(&h);
        for (i = 0; i < N_; i++) {
            ck_assert_int_eq(ham_stream_feed_u32(s32, TEXT32 + i, 1, tu_hit_cb, &h),
                             HAM_OK);
            ck_assert_uint_eq(ham_stream_position(s32), i + 1);
        }
        ck_assert_int_eq(ham_stream_finish(s32, tu_hit_cb, &h), HAM_OK);
        tu_expect_hits(&c, 1, exp, ND_, &h, SIZE_MAX, "u32 stream chunks of 1");
        tu_case_free(&c);
    }

    ham_stream_destroy(s);
    ham_stream_destroy(s32);
    /* a stream over an unbounded plan is allowed (distance profile) */
    {
        ham_plan *unb = plan8(NULL);
        s = NULL;
        ck_assert_int_eq(ham_stream_create(&s, unb), HAM_OK);
        tu_hits_reset(&h);
        ck_assert_int_eq(ham_stream_feed_u8(s, TEXT8, N_, tu_hit_cb, &h), HAM_OK);
        ck_assert_int_eq(ham_stream_finish(s, tu_hit_cb, &h), HAM_OK);
        ck_assert_uint_eq(h.n, ND_);
        ham_stream_destroy(s);
        ham_plan_destroy(unb);
    }
    tu_hits_free(&h);
    tu_hits_free(&h2);
    ham_plan_destroy(p8);
    ham_plan_destroy(p32);
}
END_TEST

/* ---- Sumset --------------------------------------------------------------- */

START_TEST(sumset_errors)
{
    uint64_t cnt[32], exp[32];
    const uint32_t a[] = {0, 3, 5}, b[] = {1, 2, 5};
    const uint32_t dup[] = {1, 2, 1};
    size_t i, ndiff;
    const uint32_t U = 6, need = 2 * U - 1;

    for (i = 0; i < 32; i++)
        cnt[i] = TU_SENTINEL64;
    ck_assert_int_eq(ham_sumset_count(dup, 3, b, 3, U, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 3, dup, 3, U, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, 5, cnt, 32), HAM_EINVAL); /* 5 >= 5 */
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 2, 5, cnt, 32),
                     HAM_EINVAL); /* a has 5 */
    ck_assert_int_eq(ham_sumset_count(b, 2, a, 3, 5, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(NULL, 3, b, 3, U, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 3, NULL, 3, U, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, NULL, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, cnt, need - 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, cnt, 0), HAM_ENOSPC);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, cnt, 1), HAM_ENOSPC);
    ck_assert_int_eq(ham_sumset_count(a, 0, b, 0, U, cnt, need - 1), HAM_ENOSPC);
    for (i = 0; i < 32; i++)
        ck_assert_msg(cnt[i] == TU_SENTINEL64, "an error wrote count[%zu]", i);

    /* cap exact, and larger: only 2U-1 values written */
    ref_sumset(a, 3, b, 3, U, exp);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, cnt, need), HAM_OK);
    ck_assert_msg(tu_first_diff64(exp, cnt, need, &ndiff) == need, "sumset wrong");
    for (i = need; i < 32; i++)
        ck_assert_msg(cnt[i] == TU_SENTINEL64, "sumset wrote count[%zu] past 2U-1", i);
    ck_assert_int_eq(ham_sumset_count(a, 3, b, 3, U, cnt, 32), HAM_OK);
    ck_assert_msg(tu_first_diff64(exp, cnt, need, &ndiff) == need, "sumset wrong");
    for (i = need; i < 32; i++)
        ck_assert_msg(cnt[i] == TU_SENTINEL64, "sumset wrote count[%zu] past 2U-1", i);

    /* universe 0: only empty sets; nothing to write */
    ck_assert_int_eq(ham_sumset_count(NULL, 0, NULL, 0, 0, NULL, 0), HAM_OK);
    ck_assert_int_eq(ham_sumset_count(a, 0, b, 0, 0, cnt, 0), HAM_OK);
    ck_assert_int_eq(ham_sumset_count(a, 1, b, 0, 0, cnt, 32), HAM_EINVAL);
    ck_assert_int_eq(ham_sumset_count(a, 0, b, 1, 0, cnt, 32), HAM_EINVAL);
    /* universe 1 */
    for (i = 0; i < 32; i++)
        cnt[i] = TU_SENTINEL64;
    ck_assert_int_eq(ham_sumset_count(a, 1, a, 1, 1, cnt, 1), HAM_OK);
    ck_assert_uint_eq(cnt[0], 1);
    ck_assert_uint_eq(cnt[1], TU_SENTINEL64);
    ck_assert_int_eq(ham_sumset_count(a, 1, NULL, 0, 1, cnt, 1), HAM_OK);
    ck_assert_uint_eq(cnt[0], 0);
    /* empty sets: all zeros written */
    ck_assert_int_eq(ham_sumset_count(NULL, 0, b, 3, U, cnt, need), HAM_OK);
    for (i = 0; i < need; i++)
        ck_assert_msg(cnt[i] == 0, "A empty: count[%zu] = %llu", i,
                      (unsigned long long)cnt[i]);
}
END_TEST

/* ---- Errors and versions -------------------------------------------------- */

START_TEST(errors_table)
{
    int code;
    size_t n = 0;
    ck_assert_str_eq(ham_errname(HAM_OK), "HAM_OK");
    ck_assert_ptr_nonnull(ham_strerror(HAM_OK));
    ck_assert_int_eq(HAM_OK, 0);
#define X(name, value, text)                                                           \
    ck_assert_int_eq(HAM_##name, value);                                               \
    ck_assert_str_eq(ham_errname(value), "HAM_" #name);                                \
    ck_assert_str_eq(ham_strerror(value), text);                                       \
    ck_assert_str_ne(ham_strerror(value), ham_strerror(HAM_OK));                       \
    n++;
    HAM_ERRNO_MAP(X)
#undef X
    ck_assert_uint_eq(n, 8);
    /* the pinned values of api.md */
    ck_assert_int_eq(HAM_EINVAL, -1);
    ck_assert_int_eq(HAM_ENOMEM, -2);
    ck_assert_int_eq(HAM_ERANGE, -3);
    ck_assert_int_eq(HAM_ENOSPC, -4);
    ck_assert_int_eq(HAM_EWIDTH, -5);
    ck_assert_int_eq(HAM_EFFTW, -6);
    ck_assert_int_eq(HAM_EUNSUPPORTED, -7);
    ck_assert_int_eq(HAM_ESTOPPED, -8);
    /* unknown codes */
    {
        static const int unknown[] = {1, 2, -9, -10, -100, 100, INT_MAX, INT_MIN};
        size_t i;
        for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
            ck_assert_str_eq(ham_errname(unknown[i]), "HAM_UNKNOWN");
            ck_assert_str_eq(ham_strerror(unknown[i]), "unknown error");
        }
    }
    for (code = -1000; code <= 1000; code++) {
        ck_assert_ptr_nonnull(ham_strerror(code));
        ck_assert_ptr_nonnull(ham_errname(code));
    }
}
END_TEST

START_TEST(versions)
{
    char buf[64];
    ck_assert_uint_eq(ham_version_number(), HAM_VERSION_NUMBER);
    ck_assert_uint_eq(HAM_VERSION_NUMBER, HAM_VERSION_MAJOR * 10000 +
                                              HAM_VERSION_MINOR * 100 +
                                              HAM_VERSION_PATCH);
    ck_assert_ptr_nonnull(ham_version_string());
    ck_assert_str_eq(ham_version_string(), HAM_VERSION_STRING);
    ck_assert_str_eq(ham_version_string(), PACKAGE_VERSION_STRING);
    ck_assert_str_eq(HAM_VERSION_STRING, PACKAGE_VERSION_STRING);
    snprintf(buf, sizeof buf, "%d.%d.%d", HAM_VERSION_MAJOR, HAM_VERSION_MINOR,
             HAM_VERSION_PATCH);
    ck_assert_str_eq(buf, HAM_VERSION_STRING);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tu_tcase("api");
    tcase_add_test(tc, params_defaults);
    tcase_add_test(tc, engine_names_roundtrip);
    tcase_add_test(tc, engine_from_name_errors);
    tcase_add_test(tc, engine_available);
    tcase_add_test(tc, engine_unavailable_forced);
    tcase_add_test(tc, engine_cannot_serve);
    tcase_add_test(tc, plan_create_null_and_empty);
    tcase_add_test(tc, plan_create_m_too_large);
    tcase_add_test(tc, plan_create_bad_flags_engine);
    tcase_add_test(tc, plan_create_bad_eps_delta);
    tcase_add_test(tc, plan_create_bad_wildcard);
    tcase_add_test(tc, plan_engine_query);
    tcase_add_test(tc, plan_explain);
    tcase_add_test(tc, dist_basic_and_cap);
    tcase_add_test(tc, dist_errors);
    tcase_add_test(tc, dist_once);
    tcase_add_test(tc, ndist);
    tcase_add_test(tc, kmis_basic_and_errors);
    tcase_add_test(tc, stream_lifecycle);
    tcase_add_test(tc, sumset_errors);
    tcase_add_test(tc, errors_table);
    tcase_add_test(tc, versions);
    suite_add_tcase(s, tc);
    return tu_run(s, "check_api");
}
