/* SPDX-License-Identifier: MIT */
/*
 * check_auto.c -- AUTO's engine choice never changes a result (issue 8): on
 * seeded random cases (both widths, alphabets of 1 to thousands of symbols,
 * wildcards, planted near-matches, exact and k-bounded) AUTO and every engine
 * this build has (ham_engine_available) give identical distances, equal to
 * the reference; ham_plan_explain names the engine ham_plan_engine returns
 * (and says "forced" for forced plans); the choice cache gives the same
 * answer in any call order; the HAM_CALIBRATION file (lib/cost.c) is applied,
 * and a bad one is ignored. Cost: O(engines * n * m) per case (the
 * reference), n * m <= ~10^8 summed over the suite.
 */
#include "testutil.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The engine token of an explain line ("engine=NAME"), into name. */
static void
explain_engine(const char *line, char *name, size_t cap)
{
    const char *s = strstr(line, "engine=");
    size_t i = 0;
    ck_assert_msg(s == line, "explain line does not start with engine=: \"%s\"", line);
    s += 7;
    while (*s && *s != ' ' && i + 1 < cap)
        name[i++] = *s++;
    name[i] = '\0';
}

/* Distances of case c with engine e (AUTO included) and bound k into out
 * (nd slots); checks the explain line. Returns 0 when e cannot serve it. */
static int
run_engine(const tu_case *c, ham_engine e, uint32_t k, uint32_t *out, size_t nd,
           ham_engine *chosen)
{
    ham_params p;
    ham_plan *plan;
    char line[2048], name[64];
    int rc;

    ham_params_init(&p);
    p.engine = e;
    p.max_dist = k;
    rc = tu_plan(c, &p, &plan);
    if (rc == HAM_EUNSUPPORTED && e != HAM_ENGINE_AUTO)
        return 0;
    ck_assert_msg(rc == HAM_OK, "%s plan %s: %s (%s)", ham_engine_name(e),
                  tu_case_desc(c), ham_errname(rc), tu_where());
    *chosen = ham_plan_engine(plan, c->n);
    if (e != HAM_ENGINE_AUTO)
        ck_assert_int_eq(*chosen, e);
    ck_assert_int_eq(ham_plan_explain(plan, c->n, line, sizeof line), HAM_OK);
    explain_engine(line, name, sizeof name);
    ck_assert_msg(strcmp(name, ham_engine_name(*chosen)) == 0,
                  "explain names %s, ham_plan_engine %s: \"%s\"", name,
                  ham_engine_name(*chosen), line);
    ck_assert_msg((strstr(line, "(forced)") != NULL) == (e != HAM_ENGINE_AUTO),
                  "forced marker wrong for %s: \"%s\"", ham_engine_name(e), line);
    {
        /* the chosen engine's cost is printed among the candidates */
        char tok[80];
        snprintf(tok, sizeof tok, " %s=", name);
        ck_assert_msg(strstr(strstr(line, "costs(ns):"), tok) != NULL,
                      "no cost for the chosen engine: \"%s\"", line);
    }
    tu_fill32(out, nd, TU_SENTINEL32);
    rc = tu_dist(plan, c, out, nd);
    ck_assert_msg(rc == HAM_OK, "%s dist %s: %s (%s)", ham_engine_name(e),
                  tu_case_desc(c), ham_errname(rc), tu_where());
    ham_plan_destroy(plan);
    return 1;
}

/* AUTO and every available engine against the reference. */
static void
all_agree(const tu_case *c, uint32_t k, const char *what)
{
    const size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *ref, *got, *autod;
    ham_engine chosen;
    char label[128];
    unsigned e;

    if (nd == 0)
        return;
    ref = tu_ref(c, k);
    got = tu_xmalloc(nd * sizeof *got);
    autod = tu_xmalloc(nd * sizeof *autod);
    run_engine(c, HAM_ENGINE_AUTO, k, autod, nd, &chosen);
    snprintf(label, sizeof label, "%s auto(%s) k=%u", what, ham_engine_name(chosen),
             (unsigned)k);
    tu_expect_dist(c, k, ref, autod, nd, label);
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        ham_engine ch;
        if (!ham_engine_available((ham_engine)e))
            continue;
        if (!run_engine(c, (ham_engine)e, k, got, nd, &ch))
            continue;
        snprintf(label, sizeof label, "%s %s vs auto(%s) k=%u", what,
                 ham_engine_name((ham_engine)e), ham_engine_name(chosen), (unsigned)k);
        tu_expect_dist(c, k, autod, got, nd, label);
    }
    free(ref);
    free(got);
    free(autod);
}

static uint32_t
pick_k(tu_rng *r, size_t m)
{
    switch (tu_below(r, 6)) {
    case 0:
        return HAM_UNBOUNDED;
    case 1:
        return HAM_UNBOUNDED;
    case 2:
        return 0;
    case 3:
        return (uint32_t)tu_range(r, 1, 8);
    case 4:
        return (uint32_t)(m / 8);
    default:
        return (uint32_t)tu_below(r, m + 2);
    }
}

/* Small and medium cases: every engine, exact and k-bounded. */
START_TEST(random_agree)
{
    static const tu_shape shape = {1, 400, 3000, 20, 60};
    tu_rng r;
    int inst;
    if (!tu_begin(&r, "agree", "random_agree", _i))
        return;
    for (inst = 0; inst < 3; inst++) {
        tu_case c;
        tu_set_inst(inst);
        tu_case_random(&c, &r, (_i + inst) & 1 ? 4 : 1, &shape);
        all_agree(&c, pick_k(&r, c.m), "random");
        tu_case_free(&c);
    }
}
END_TEST

/* Longer patterns, where AUTO leaves naive for the FFT engines. */
START_TEST(long_agree)
{
    static const tu_shape shape = {1000, 6000, 20000, 0, 50};
    tu_rng r;
    tu_case c;
    if (!tu_begin(&r, "agree", "long_agree", _i))
        return;
    tu_case_random(&c, &r, _i & 1 ? 4 : 1, &shape);
    all_agree(&c, _i % 3 == 0 ? (uint32_t)(c.m / 10) : HAM_UNBOUNDED, "long");
    tu_case_free(&c);
}
END_TEST

/* The choice depends on the shift-count bucket only, never on call order,
 * and explain reports the length the costs were evaluated at. */
START_TEST(choice_cache_order)
{
    static const size_t ns[] = {100,   101,      150,     199, 1000,     4095, 4096,
                                70000, 1u << 20, 3000000, 100, 1u << 20, 1000};
    const size_t cnt = sizeof ns / sizeof ns[0];
    ham_engine up[16], down[16];
    uint8_t pat[100];
    ham_params p;
    ham_plan *a, *b;
    size_t i;

    for (i = 0; i < sizeof pat; i++)
        pat[i] = (uint8_t)("ACGT"[(i * 7 + i / 3) & 3]);
    ham_params_init(&p);
    ck_assert_int_eq(ham_plan_create_u8(&a, pat, sizeof pat, &p), HAM_OK);
    ck_assert_int_eq(ham_plan_create_u8(&b, pat, sizeof pat, &p), HAM_OK);
    for (i = 0; i < cnt; i++)
        up[i] = ham_plan_engine(a, ns[i]);
    for (i = cnt; i-- > 0;)
        down[i] = ham_plan_engine(b, ns[i]);
    for (i = 0; i < cnt; i++) {
        char line[2048];
        const char *s;
        size_t rep;
        ck_assert_msg(up[i] == down[i], "n=%zu: %s in one order, %s in the other",
                      ns[i], ham_engine_name(up[i]), ham_engine_name(down[i]));
        ck_assert_int_eq(ham_plan_explain(a, ns[i], line, sizeof line), HAM_OK);
        s = strstr(line, "cost_n=");
        ck_assert_msg(s != NULL, "no cost_n: %s", line);
        rep = (size_t)strtoull(s + 7, NULL, 10);
        /* same bucket of shift counts: within a factor of two */
        ck_assert_msg(2 * (rep - 99) > ns[i] - 99 && rep - 99 < 2 * (ns[i] - 99),
                      "n=%zu cost_n=%zu", ns[i], rep);
    }
    ham_plan_destroy(a);
    ham_plan_destroy(b);
}
END_TEST

/* ---- Calibration ------------------------------------------------------------ */

START_TEST(calib_parse)
{
    static const char text[] = "# a comment\n"
                               "scale.naive 2.5\n"
                               "  scale.fft\t0.5   # trailing comment\n"
                               "scale.unknown 3\n"
                               "scale.hashed abc\n"
                               "scale.packed -1\n"
                               "scale.abrahamson inf\n"
                               "scale.kangaroo 1e9\n"
                               "scale.auto 2\n"
                               "scale.3sum 4x\n"
                               "garbage line without value\n"
                               "scale.kbounded 0.25"; /* no final newline */
    ham__calib c;
    ham__calib_defaults(&c);
    {
        ham__calib d = c;
        ck_assert_int_eq(ham__calib_parse(&c, text, strlen(text)), 3);
        ck_assert(c.from_file);
        ck_assert(c.scale[HAM_ENGINE_NAIVE] == 2.5);
        ck_assert(c.scale[HAM_ENGINE_FFT] == 0.5);
        ck_assert(c.scale[HAM_ENGINE_KBOUNDED] == 0.25);
        ck_assert(c.scale[HAM_ENGINE_HASHED] == d.scale[HAM_ENGINE_HASHED]);
        ck_assert(c.scale[HAM_ENGINE_PACKED] == d.scale[HAM_ENGINE_PACKED]);
        ck_assert(c.scale[HAM_ENGINE_ABRAHAMSON] == d.scale[HAM_ENGINE_ABRAHAMSON]);
        ck_assert(c.scale[HAM_ENGINE_KANGAROO] == d.scale[HAM_ENGINE_KANGAROO]);
        ck_assert(c.scale[HAM_ENGINE_3SUM] == d.scale[HAM_ENGINE_3SUM]);
    }
    ham__calib_defaults(&c);
    ck_assert_int_eq(ham__calib_parse(&c, "", 0), 0);
    ck_assert(!c.from_file);
    ck_assert_int_eq(ham__calib_parse(&c, "\0\nscale.naive 2\n", 16), 1);
}
END_TEST

static void
write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(s, f);
    fclose(f);
}

/* HAM_CALIBRATION applies at plan creation: a huge naive factor moves AUTO
 * off naive for a short pattern, the results do not change, a bad or
 * missing file leaves the defaults and plan creation succeeds. */
START_TEST(calib_env)
{
    char path[] = "/tmp/check_auto_calXXXXXX";
    uint8_t pat[16], text[5000];
    uint32_t d0[5000], d1[5000];
    char line[2048];
    ham_plan *plan;
    ham_engine e0, e1;
    int fd;
    size_t i;

    for (i = 0; i < sizeof pat; i++)
        pat[i] = (uint8_t)("ACGT"[(i * 5 + 1) & 3]);
    for (i = 0; i < sizeof text; i++)
        text[i] = (uint8_t)("ACGT"[(i * i + i / 7) & 3]);
    fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);

    unsetenv("HAM_CALIBRATION");
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat, NULL), HAM_OK);
    e0 = ham_plan_engine(plan, sizeof text);
    ck_assert_int_eq(e0, HAM_ENGINE_NAIVE);
    ck_assert_int_eq(ham_plan_explain(plan, sizeof text, line, sizeof line), HAM_OK);
    ck_assert_msg(strstr(line, " cal=default ") != NULL, "%s", line);
    ck_assert_int_eq(ham_dist_u8(plan, text, sizeof text, d0, 5000), HAM_OK);
    ham_plan_destroy(plan);

    write_file(path, "# test\nscale.naive 1000\n");
    setenv("HAM_CALIBRATION", path, 1);
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat, NULL), HAM_OK);
    e1 = ham_plan_engine(plan, sizeof text);
    ck_assert_int_eq(ham_plan_explain(plan, sizeof text, line, sizeof line), HAM_OK);
    ck_assert_msg(strstr(line, " cal=file ") != NULL, "%s", line);
    ck_assert_msg(e1 != HAM_ENGINE_NAIVE, "scale.naive 1000 still picks naive: %s",
                  line);
    ck_assert_int_eq(ham_dist_u8(plan, text, sizeof text, d1, 5000), HAM_OK);
    ck_assert(memcmp(d0, d1, (sizeof text - sizeof pat + 1) * sizeof d0[0]) == 0);
    ham_plan_destroy(plan);

    write_file(path, "\x01\x02 nonsense\nscale.naive\n=3\n");
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat, NULL), HAM_OK);
    ck_assert_int_eq(ham_plan_engine(plan, sizeof text), e0);
    ck_assert_int_eq(ham_plan_explain(plan, sizeof text, line, sizeof line), HAM_OK);
    ck_assert_msg(strstr(line, " cal=default ") != NULL, "%s", line);
    ham_plan_destroy(plan);

    remove(path);
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat, NULL), HAM_OK);
    ck_assert_int_eq(ham_plan_engine(plan, sizeof text), e0);
    ham_plan_destroy(plan);
    setenv("HAM_CALIBRATION", "/nonexistent/dir/cal.txt", 1);
    ck_assert_int_eq(ham_plan_create_u8(&plan, pat, sizeof pat, NULL), HAM_OK);
    ham_plan_destroy(plan);
    unsetenv("HAM_CALIBRATION");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("auto");
    TCase *tc;

    /* a user's calibration must not change what the tests see */
    unsetenv("HAM_CALIBRATION");
    tc = tu_tcase("agree");
    tcase_add_loop_test(tc, random_agree, 0, 40);
    tcase_add_loop_test(tc, long_agree, 0, 8);
    tcase_add_test(tc, choice_cache_order);
    suite_add_tcase(s, tc);

    tc = tu_tcase("calibration");
    tcase_add_test(tc, calib_parse);
    tcase_add_test(tc, calib_env);
    suite_add_tcase(s, tc);

    return tu_run(s, "check_auto");
}
