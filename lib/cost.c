/* SPDX-License-Identifier: MIT */
/*
 * cost.c -- the calibration of AUTO's cost model (algorithms.md 10): one
 * correction factor per engine, scale[e] = measured time / the engine's own
 * estimate (ops->cost), which ham__choose multiplies into every estimate.
 *
 * The engines' cost functions keep their structural constants (FFT
 * transform table, enumeration, per-point and per-block costs) next to the
 * code they describe; what goes wrong on another machine, or with another
 * FFTW or compiler, is mostly the engines' relative speed, which one factor
 * per engine captures. bench/calibrate measures it (`make calibrate`): for
 * each engine, the geometric mean of measured/estimated over a small grid of
 * synthetic cases, written as a table
 *
 *     # comment
 *     scale.<engine> <positive number>
 *
 * The defaults below are the table of the run documented in
 * doc/benchmarks.md. A user recalibrates by pointing the HAM_CALIBRATION
 * environment variable at such a file: plan creation reads it (O(file size),
 * at most HAM__CAL_MAX_BYTES). Parsing is forgiving by design, since a
 * library must not fail a search over a tuning file: unknown keys, malformed
 * lines and values that are not finite positive numbers in [1e-3, 1e3] are
 * ignored (those engines keep the default), and a missing or unreadable file
 * means the defaults. The result is stored in the plan (no global state);
 * the library never prints. ham_plan_explain says whether a file applied
 * (cal=file) or not (cal=default).
 */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest calibration file read: a table is about 300 bytes. */
#define HAM__CAL_MAX_BYTES 65536

/*
 * Defaults: the table printed by `make calibrate` (bench/calibrate, n = 2^21,
 * process CPU time) on the machine of doc/benchmarks.md: 2-vCPU KVM guest,
 * AMD EPYC (Zen 4, AVX-512; shared with other jobs), gcc 12.2 -O2, FFTW
 * 3.3.10, 2026-11-25, after Abrahamson's pair price learned the counter
 * window's size (lib/abrahamson.c, ham__abr_kappa_e). Engines without a row
 * (kangaroo, bitparallel: never within 2x of the fastest in the calibration
 * cases) keep 1. Factors below 1 say the engine's model overestimates it
 * (packed, hashed: their per-bundle costs), above 1 that it underestimates it
 * (sampling, from a single case).
 */
static const struct {
    ham_engine e;
    double scale;
} cal_defaults[] = {
    {HAM_ENGINE_NAIVE, 0.981},      /* 11 cases */
    {HAM_ENGINE_FFT, 0.963},        /* 4 cases */
    {HAM_ENGINE_ABRAHAMSON, 0.944}, /* 14 cases */
    {HAM_ENGINE_PACKED, 0.778},     /* 13 cases */
    {HAM_ENGINE_HASHED, 0.635},     /* 12 cases */
    {HAM_ENGINE_KBOUNDED, 0.912},   /* 12 cases */
    {HAM_ENGINE_SAMPLING, 1.518},   /* 1 cases */
    {HAM_ENGINE_3SUM, 0.944},       /* 8 cases */
};

void
ham__calib_defaults(ham__calib *c)
{
    size_t i;
    for (i = 0; i < HAM_ENGINE_COUNT_; i++)
        c->scale[i] = 1.0;
    for (i = 0; i < sizeof cal_defaults / sizeof cal_defaults[0]; i++)
        c->scale[cal_defaults[i].e] = cal_defaults[i].scale;
    c->from_file = 0;
}

/* One "key value" line; returns 1 when it set a value. */
static int
parse_line(ham__calib *c, const char *s, const char *end)
{
    char key[64], num[64];
    size_t kl = 0, nl = 0;
    ham_engine e;
    double v;
    char *stop;

    while (s < end && isspace((unsigned char)*s))
        s++;
    if (s == end || *s == '#')
        return 0;
    while (s < end && !isspace((unsigned char)*s) && kl < sizeof key - 1)
        key[kl++] = *s++;
    key[kl] = '\0';
    while (s < end && isspace((unsigned char)*s))
        s++;
    while (s < end && !isspace((unsigned char)*s) && *s != '#' && nl < sizeof num - 1)
        num[nl++] = *s++;
    num[nl] = '\0';
    if (strncmp(key, "scale.", 6) != 0 || nl == 0)
        return 0;
    if (ham_engine_from_name(key + 6, &e) != HAM_OK || e == HAM_ENGINE_AUTO)
        return 0;
    v = strtod(num, &stop);
    if (*stop != '\0' || !isfinite(v) || !(v >= 1e-3 && v <= 1e3))
        return 0;
    c->scale[e] = v;
    return 1;
}

int
ham__calib_parse(ham__calib *c, const char *text, size_t len)
{
    const char *s = text, *end = text + len;
    int set = 0;
    while (s < end) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol)
            eol = end;
        set += parse_line(c, s, eol);
        s = eol + 1;
    }
    if (set > 0)
        c->from_file = 1;
    return set;
}

void
ham__calib_load(ham__calib *c)
{
    const char *path = getenv("HAM_CALIBRATION");
    char *buf;
    size_t len;
    FILE *f;

    ham__calib_defaults(c);
    if (!path || !*path)
        return;
    f = fopen(path, "r");
    if (!f)
        return;
    buf = malloc(HAM__CAL_MAX_BYTES);
    if (buf) {
        len = fread(buf, 1, HAM__CAL_MAX_BYTES, f);
        ham__calib_parse(c, buf, len);
        free(buf);
    }
    fclose(f);
}
