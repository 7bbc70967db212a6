/* SPDX-License-Identifier: MIT */
/*
 * testutil.c -- see testutil.h. Nothing here calls the library except the
 * thin wrappers tu_plan / tu_dist / tu_kmis; expectations come from ref.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "testutil.h"

#include "ref.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ---- Seeds and the PRNG --------------------------------------------------- */

static const char *g_prog = "check_?";
static const char *g_tcase = "?";
static const char *g_test = "?";
static int g_iter = -1;
static int g_inst = -1;

uint64_t
tu_seed(void)
{
    const char *s = getenv("HAM_TEST_SEED");
    if (s && *s) {
        char *end;
        unsigned long long v;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno == 0 && *end == '\0')
            return (uint64_t)v;
        fprintf(stderr, "testutil: ignoring bad HAM_TEST_SEED=%s\n", s);
    }
    return TU_DEFAULT_SEED;
}

uint64_t
tu_next(tu_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t
tu_below(tu_rng *r, uint64_t n)
{
    uint64_t x, lim;
    if (n <= 1)
        return 0;
    lim = UINT64_MAX - UINT64_MAX % n; /* reject the biased tail */
    do
        x = tu_next(r);
    while (x >= lim);
    return x % n;
}

size_t
tu_range(tu_rng *r, size_t lo, size_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (size_t)tu_below(r, (uint64_t)(hi - lo) + 1);
}

size_t
tu_logrange(tu_rng *r, size_t lo, size_t hi)
{
    uint64_t span, lim;
    unsigned bits = 0;
    if (hi <= lo)
        return lo;
    span = (uint64_t)(hi - lo) + 1;
    while (bits < 63 && ((uint64_t)1 << bits) < span)
        bits++;
    lim = (uint64_t)1 << tu_below(r, (uint64_t)bits + 1);
    if (lim > span)
        lim = span;
    return lo + (size_t)tu_below(r, lim);
}

int
tu_chance(tu_rng *r, unsigned num, unsigned den)
{
    return tu_below(r, den) < num;
}

void
tu_rng_seed(tu_rng *r, uint64_t seed, const char *tag, uint64_t i)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a of the tag */
    const char *p;
    for (p = tag; p && *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    r->s = seed ^ h;
    (void)tu_next(r);
    r->s ^= (i + 1) * 0xd1b54a32d192ed03ull;
    (void)tu_next(r);
}

int
tu_begin(tu_rng *r, const char *tcase, const char *test, int i)
{
    const char *only = getenv("HAM_TEST_ITER");
    if (only && *only && atoi(only) != i)
        return 0;
    g_tcase = tcase;
    g_test = test;
    g_iter = i;
    g_inst = -1;
    tu_rng_seed(r, tu_seed(), test, (uint64_t)i);
    return 1;
}

void
tu_set_inst(int inst)
{
    g_inst = inst;
}

const char *
tu_where(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "seed=%llu case=%d inst=%d [%s]",
             (unsigned long long)tu_seed(), g_iter, g_inst, g_test);
    return buf;
}

const char *
tu_replay(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf,
             "HAM_TEST_SEED=%llu HAM_TEST_ITER=%d CK_RUN_CASE=%s tests/%s",
             (unsigned long long)tu_seed(), g_iter, g_tcase, g_prog);
    return buf;
}

/* ---- Memory --------------------------------------------------------------- */

void *
tu_xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    TU_CHECK(p != NULL, "out of memory allocating %zu bytes", bytes);
    return p;
}

void *
tu_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    TU_CHECK(p != NULL, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

uint8_t *
tu_dup8(const uint8_t *v, size_t n)
{
    uint8_t *p = tu_xmalloc(n);
    if (n)
        memcpy(p, v, n);
    return p;
}

uint32_t *
tu_dup32(const uint32_t *v, size_t n)
{
    uint32_t *p = tu_xmalloc(n * sizeof *p);
    if (n)
        memcpy(p, v, n * sizeof *p);
    return p;
}

void
tu_fill32(uint32_t *v, size_t n, uint32_t x)
{
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = x;
}

size_t
tu_find_not32(const uint32_t *v, size_t n, uint32_t x)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (v[i] != x)
            return i;
    return n;
}

size_t
tu_first_diff32(const uint32_t *a, const uint32_t *b, size_t n, size_t *ndiff)
{
    size_t i, first = n, nd = 0;
    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            if (first == n)
                first = i;
            nd++;
        }
    }
    if (ndiff)
        *ndiff = nd;
    return first;
}

size_t
tu_first_diff64(const uint64_t *a, const uint64_t *b, size_t n, size_t *ndiff)
{
    size_t i, first = n, nd = 0;
    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            if (first == n)
                first = i;
            nd++;
        }
    }
    if (ndiff)
        *ndiff = nd;
    return first;
}

/* ---- Alphabets ------------------------------------------------------------ */

static const char *const mode_names[TU_V_COUNT_] = {"low", "small", "high", "spread"};

static int
alpha_has(const tu_alpha *a, uint32_t x)
{
    size_t i;
    for (i = 0; i < a->size; i++)
        if (a->sym[i] == x)
            return 1;
    return 0;
}

void
tu_alpha_make(tu_alpha *a, size_t size, int mode, unsigned width, tu_rng *r)
{
    size_t i;
    TU_CHECK(size >= 1 && size <= TU_ALPHA_MAX, "bad alphabet size %zu", size);
    TU_CHECK(width == 4 || mode == TU_V_LOW || mode == TU_V_SMALL,
             "mode %d needs 32-bit symbols", mode);
    TU_CHECK(size <= 256 || (mode != TU_V_LOW && width == 4), "alphabet too large");
    a->size = size;
    a->mode = mode;
    switch (mode) {
    case TU_V_LOW: {
        uint32_t perm[256];
        for (i = 0; i < 256; i++)
            perm[i] = (uint32_t)i;
        for (i = 0; i < size; i++) { /* partial Fisher-Yates */
            size_t j = tu_range(r, i, 255);
            uint32_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            a->sym[i] = perm[i];
        }
        break;
    }
    case TU_V_SMALL:
        for (i = 0; i < size; i++)
            a->sym[i] = (uint32_t)i;
        break;
    case TU_V_HIGH: {
        /* UINT32_MAX - j, j distinct in 0 .. 2 size + 1: odd multiplier mod a
         * power of two >= that range is a bijection, then filter */
        size_t pow2 = 1, got = 0;
        uint64_t mul = tu_next(r) | 1, off = tu_next(r);
        while (pow2 < 2 * size + 2)
            pow2 <<= 1;
        for (i = 0; got < size; i++) {
            uint64_t j = (i * mul + off) & (pow2 - 1);
            if (j < 2 * size + 2)
                a->sym[got++] = (uint32_t)(UINT32_MAX - j);
        }
        break;
    }
    default: { /* TU_V_SPREAD */
        uint32_t mul = (uint32_t)tu_next(r) | 1u, off = (uint32_t)tu_next(r);
        for (i = 0; i < size; i++)
            a->sym[i] = (uint32_t)((uint32_t)i * mul + off);
        if (size >= 4) {
            if (!alpha_has(a, 0))
                a->sym[size - 1] = 0;
            if (!alpha_has(a, UINT32_MAX))
                a->sym[size - 2] = UINT32_MAX;
        }
        break;
    }
    }
}

void
tu_alpha_random(tu_alpha *a, unsigned width, tu_rng *r)
{
    static const size_t sizes[] = {1, 2, 3, 4, 20, 256};
    size_t size = sizes[tu_below(r, 6)];
    int mode;
    if (width == 1) {
        mode = tu_chance(r, 3, 4) ? TU_V_LOW : TU_V_SMALL;
    } else {
        mode = (int)tu_below(r, TU_V_COUNT_);
        if (mode != TU_V_LOW && tu_chance(r, 1, 8))
            size = tu_chance(r, 1, 2) ? 1000 : TU_ALPHA_MAX;
    }
    tu_alpha_make(a, size, mode, width, r);
}

const char *
tu_alpha_desc(const tu_alpha *a)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "sigma=%zu mode=%s", a->size,
             a->mode >= 0 && a->mode < TU_V_COUNT_ ? mode_names[a->mode] : "?");
    return buf;
}

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

size_t
tu_distinct32(const uint32_t *v, size_t n)
{
    uint32_t *s;
    size_t i, d = 0;
    if (n == 0)
        return 0;
    s = tu_dup32(v, n);
    qsort(s, n, sizeof *s, cmp_u32);
    for (i = 0; i < n; i++)
        if (i == 0 || s[i] != s[i - 1])
            d++;
    free(s);
    return d;
}

/* ---- Random instances ------------------------------------------------------ */

void
tu_gen(tu_rng *r, const tu_alpha *a, uint32_t *out, size_t n, int skewed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (skewed && tu_chance(r, 3, 4))
            out[i] = a->sym[0];
        else
            out[i] = a->sym[tu_below(r, a->size)];
    }
}

void
tu_plant(tu_rng *r, const tu_alpha *a, const uint32_t *pat, size_t m, uint32_t *text,
         size_t pos, size_t subs)
{
    size_t s;
    memcpy(text + pos, pat, m * sizeof *text);
    for (s = 0; s < subs; s++)
        text[pos + tu_below(r, m)] = a->sym[tu_below(r, a->size)];
}

void
tu_case_sync8(tu_case *c)
{
    size_t i;
    if (c->width != 1)
        return;
    for (i = 0; i < c->m; i++) {
        TU_CHECK(c->pat32[i] <= 255, "u8 case with symbol %u", (unsigned)c->pat32[i]);
        c->pat8[i] = (uint8_t)c->pat32[i];
    }
    for (i = 0; i < c->n; i++) {
        TU_CHECK(c->text32[i] <= 255, "u8 case with symbol %u", (unsigned)c->text32[i]);
        c->text8[i] = (uint8_t)c->text32[i];
    }
}

static void
case_alloc(tu_case *c, unsigned width, size_t m, size_t n)
{
    memset(c, 0, sizeof *c);
    c->width = width;
    c->m = m;
    c->n = n;
    c->wildcard = -1;
    c->pat32 = tu_xmalloc(m * sizeof *c->pat32);
    c->text32 = n ? tu_xmalloc(n * sizeof *c->text32) : NULL;
    if (width == 1) {
        c->pat8 = tu_xmalloc(m);
        c->text8 = n ? tu_xmalloc(n) : NULL;
    }
}

/* A symbol outside the alphabet (for the width); UINT32_MAX+1 if none. */
static int64_t
outside_symbol(const tu_alpha *a, unsigned width, tu_rng *r)
{
    if (width == 1) {
        uint32_t start = (uint32_t)tu_below(r, 256), t;
        for (t = 0; t < 256; t++) {
            uint32_t x = (start + t) & 255u;
            if (!alpha_has(a, x))
                return x;
        }
        return -2;
    }
    for (;;) {
        uint32_t x = tu_chance(r, 1, 2) ? (uint32_t)tu_next(r)
                                        : (uint32_t)(UINT32_MAX - tu_below(r, 64));
        if (!alpha_has(a, x))
            return x;
    }
}

void
tu_case_random(tu_case *c, tu_rng *r, unsigned width, const tu_shape *shape)
{
    tu_alpha a, pa;
    size_t m, n, i;
    int skew;

    tu_alpha_random(&a, width, r);
    m = tu_logrange(r, shape->m_min ? shape->m_min : 1, shape->m_max);
    if (tu_chance(r, 1, 16))
        n = (size_t)tu_below(r, m); /* m > n, including n == 0 */
    else
        n = m + (tu_chance(r, 1, 2) ? tu_logrange(r, 0, shape->extra_max)
                                    : tu_range(r, 0, shape->extra_max));
    case_alloc(c, width, m, n);
    c->alpha = a;
    skew = tu_chance(r, 1, 4);
    /* sometimes the pattern uses only part of the alphabet, so the text holds
     * symbols absent from the pattern */
    pa = a;
    if (a.size > 1 && tu_chance(r, 1, 4))
        pa.size = 1 + (size_t)tu_below(r, a.size - 1);
    tu_gen(r, &pa, c->pat32, m, skew && tu_chance(r, 1, 2));
    tu_gen(r, &a, c->text32, n, skew);

    if (n >= m && tu_chance(r, shape->plant_pct, 100)) {
        size_t np = 1 + (size_t)tu_below(r, 6);
        for (i = 0; i < np; i++) {
            size_t subs =
                tu_chance(r, 1, 4) ? 0 : (size_t)tu_below(r, (m < 8 ? m : 8) + 1);
            tu_plant(r, &a, c->pat32, m, c->text32, tu_range(r, 0, n - m), subs);
        }
        c->planted = np;
    }

    if (tu_chance(r, shape->wild_pct, 100)) {
        int how = (int)tu_below(r, width == 4 ? 5 : 4);
        int64_t w = -1;
        size_t nw = 0;
        if (how == 1 || how == 2) {
            w = outside_symbol(&a, width, r);
            if (w < 0)
                how = 0; /* u8 alphabet of 256: no symbol outside */
        }
        if (how == 0 || how == 3) {
            w = c->pat32[tu_below(r, m)]; /* a pattern (and alphabet) symbol */
            nw = how == 3 ? (size_t)tu_below(r, m / 4 + 2) : 0;
        } else if (how == 1) {
            nw = 1 + (size_t)tu_below(r, m / 3 + 1); /* outside, planted in pattern */
        } else if (how == 4) {
            w = UINT32_MAX; /* collides with lib's internal WILD_ID marker */
            nw = (size_t)tu_below(r, m / 3 + 2);
            for (i = 0; i < n; i++) /* also as a text symbol */
                if (tu_chance(r, 1, 16))
                    c->text32[i] = UINT32_MAX;
        } /* how == 2: appears nowhere */
        for (i = 0; i < nw; i++)
            c->pat32[tu_below(r, m)] = (uint32_t)w;
        if (tu_chance(r, 1, 40)) /* all wildcards: every distance 0 */
            for (i = 0; i < m; i++)
                c->pat32[i] = (uint32_t)w;
        if (how == 1 && n > 0 && tu_chance(r, 1, 2)) /* the wildcard in the text too */
            for (i = 0; i < n; i++)
                if (tu_chance(r, 1, 8))
                    c->text32[i] = (uint32_t)w;
        c->wildcard = w;
    }
    tu_case_sync8(c);
}

void
tu_case_from32(tu_case *c, unsigned width, const uint32_t *pat, size_t m,
               const uint32_t *text, size_t n, int64_t wildcard)
{
    case_alloc(c, width, m, n);
    memcpy(c->pat32, pat, m * sizeof *pat);
    if (n)
        memcpy(c->text32, text, n * sizeof *text);
    c->wildcard = wildcard;
    c->alpha.size = 0;
    c->alpha.mode = -1;
    tu_case_sync8(c);
}

void
tu_case_free(tu_case *c)
{
    free(c->pat32);
    free(c->text32);
    free(c->pat8);
    free(c->text8);
    memset(c, 0, sizeof *c);
}

const char *
tu_case_desc(const tu_case *c)
{
    static char buf[192];
    snprintf(buf, sizeof buf, "width=%u n=%zu m=%zu wildcard=%lld %s planted=%zu",
             c->width * 8, c->n, c->m, (long long)c->wildcard,
             c->alpha.size ? tu_alpha_desc(&c->alpha) : "sigma=given", c->planted);
    return buf;
}

int
tu_plan(const tu_case *c, const ham_params *p, ham_plan **out)
{
    ham_params q;
    if (p)
        q = *p;
    else
        ham_params_init(&q);
    q.wildcard = c->wildcard;
    if (c->width == 1)
        return ham_plan_create_u8(out, c->pat8, c->m, &q);
    return ham_plan_create_u32(out, c->pat32, c->m, &q);
}

int
tu_dist(const ham_plan *plan, const tu_case *c, uint32_t *dist, size_t cap)
{
    if (c->width == 1)
        return ham_dist_u8(plan, c->text8, c->n, dist, cap);
    return ham_dist_u32(plan, c->text32, c->n, dist, cap);
}

int
tu_kmis(const ham_plan *plan, const tu_case *c, ham_hit_fn fn, void *ctx)
{
    if (c->width == 1)
        return ham_kmis_u8(plan, c->text8, c->n, fn, ctx);
    return ham_kmis_u32(plan, c->text32, c->n, fn, ctx);
}

uint32_t *
tu_ref(const tu_case *c, uint32_t k)
{
    size_t nd = HAM_NDIST(c->n, c->m);
    uint32_t *out = tu_xmalloc((nd ? nd : 1) * sizeof *out);
    if (c->width == 1)
        ref_dist_u8(c->pat8, c->m, c->text8, c->n, c->wildcard, k, out);
    else
        ref_dist_u32(c->pat32, c->m, c->text32, c->n, c->wildcard, k, out);
    return out;
}

static const char *
kstr(uint32_t k)
{
    static char buf[32];
    if (k == HAM_UNBOUNDED)
        return "unbounded";
    snprintf(buf, sizeof buf, "%lu", (unsigned long)k);
    return buf;
}

void
tu_expect_dist(const tu_case *c, uint32_t k, const uint32_t *exp, const uint32_t *got,
               size_t nd, const char *what)
{
    size_t ndiff, i = tu_first_diff32(exp, got, nd, &ndiff);
    TU_CHECK(i == nd,
             "%s: %s: %s k=%s: %zu of %zu shifts wrong; first at pos=%zu: "
             "expected %lu, got %lu; replay: %s",
             tu_where(), what, tu_case_desc(c), kstr(k), ndiff, nd, i,
             (unsigned long)(i < nd ? exp[i] : 0), (unsigned long)(i < nd ? got[i] : 0),
             tu_replay());
}

/* ---- Hits ----------------------------------------------------------------- */

int
tu_hit_cb(void *ctx, size_t pos, uint32_t dist)
{
    tu_hits *h = ctx;
    h->calls++;
    if (h->check_window) {
        uint64_t end = (uint64_t)pos + h->m;
        if (!(end > h->fed0 && end <= h->fed)) {
            if (h->bad_window == 0)
                h->bad_pos = pos;
            h->bad_window++;
        }
    }
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 64;
        size_t *np = realloc(h->pos, nc * sizeof *np);
        uint32_t *nd;
        if (!np)
            abort();
        h->pos = np;
        nd = realloc(h->dist, nc * sizeof *nd);
        if (!nd)
            abort();
        h->dist = nd;
        h->cap = nc;
    }
    h->pos[h->n] = pos;
    h->dist[h->n] = dist;
    h->n++;
    return h->stop_at != 0 && h->calls >= h->stop_at;
}

void
tu_hits_reset(tu_hits *h)
{
    h->n = 0;
    h->calls = 0;
    h->bad_window = 0;
    h->bad_pos = 0;
    h->fed = h->fed0 = 0;
}

void
tu_hits_free(tu_hits *h)
{
    free(h->pos);
    free(h->dist);
    memset(h, 0, sizeof *h);
}

void
tu_expect_hits(const tu_case *c, uint32_t k, const uint32_t *ref, size_t nd,
               const tu_hits *h, size_t limit, const char *what)
{
    size_t i, t = 0, want = 0;
    for (i = 0; i < nd; i++)
        if (ref[i] <= k)
            want++;
    if (want > limit)
        want = limit;
    for (i = 0; i < nd && t < want; i++) {
        if (ref[i] > k)
            continue;
        TU_CHECK(t < h->n && h->pos[t] == i && h->dist[t] == ref[i],
                 "%s: %s: %s k=%s: hit #%zu: expected pos=%zu dist=%lu, got %s pos=%zu "
                 "dist=%lu (%zu hits reported, %zu expected); replay: %s",
                 tu_where(), what, tu_case_desc(c), kstr(k), t, i,
                 (unsigned long)ref[i],
                 t < h->n ? "" : "nothing:", t < h->n ? h->pos[t] : 0,
                 (unsigned long)(t < h->n ? h->dist[t] : 0), h->n, want, tu_replay());
        t++;
    }
    TU_CHECK(h->n == want,
             "%s: %s: %s k=%s: %zu hits reported, %zu expected; first extra: pos=%zu "
             "dist=%lu (ref there: %lu); replay: %s",
             tu_where(), what, tu_case_desc(c), kstr(k), h->n, want,
             h->n > want ? h->pos[want] : 0,
             (unsigned long)(h->n > want ? h->dist[want] : 0),
             (unsigned long)(h->n > want && h->pos[want] < nd ? ref[h->pos[want]] : 0),
             tu_replay());
}

/* ---- Real data ------------------------------------------------------------ */

int
tu_data_probe(const char **dir, const char **why)
{
    static char reason[512];
    const char *d = getenv("HAM_DATA_DIR");
    struct stat st;
    *dir = d;
    if (!d || !*d) {
        *why = "HAM_DATA_DIR is not set (make check sets it to the configured data "
               "directory)";
        return 0;
    }
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(reason, sizeof reason, "HAM_DATA_DIR=%s is not a directory (%s)", d,
                 strerror(errno));
        *why = reason;
        return 0;
    }
    return 1;
}

int
tu_data_dir_ok(const char **dir)
{
    const char *why = NULL, *allow;
    if (tu_data_probe(dir, &why))
        return 1;
    allow = getenv("HAM_ALLOW_NO_DATA");
    if (allow && strcmp(allow, "1") == 0) {
        fprintf(stderr, "SKIPPED real-data test: %s; HAM_ALLOW_NO_DATA=1\n", why);
        return 0;
    }
    ck_abort_msg("real data missing: %s. Point HAM_DATA_DIR at the shared data "
                 "directory, or set HAM_ALLOW_NO_DATA=1 to skip the real-data tests.",
                 why);
    return 0;
}

static int
ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Append s to the command buffer in single quotes. */
static void
shell_quote(char *cmd, size_t cap, const char *s)
{
    size_t len = strlen(cmd);
    const char *p;
#define PUT(ch)                                                                        \
    do {                                                                               \
        TU_CHECK(len + 1 < cap, "command line too long");                              \
        cmd[len++] = (ch);                                                             \
    } while (0)
    PUT('\'');
    for (p = s; *p; p++) {
        if (*p == '\'') {
            PUT('\'');
            PUT('\\');
            PUT('\'');
            PUT('\'');
        } else {
            PUT(*p);
        }
    }
    PUT('\'');
#undef PUT
    cmd[len] = '\0';
}

uint8_t *
tu_load(const char *rel, size_t max_bytes, int fasta, size_t *len)
{
    const char *dir = NULL, *why = NULL;
    char path[4096], cmd[8400];
    FILE *f;
    int piped = 0, at_line_start = 1, in_header = 0, status;
    uint8_t *raw, *out;
    size_t total = 0, got, o = 0, i, plen;

    TU_CHECK(tu_data_probe(&dir, &why), "real data missing: %s", why);
    plen = (size_t)snprintf(path, sizeof path, "%s/%s", dir, rel);
    TU_CHECK(plen < sizeof path, "path too long");
    f = fopen(path, "rb");
    TU_CHECK(f != NULL, "cannot open data file %s: %s", path, strerror(errno));
    if (ends_with(rel, ".gz") || ends_with(rel, ".xz")) {
        fclose(f);
        snprintf(cmd, sizeof cmd, "%s -dc -- ", ends_with(rel, ".gz") ? "gzip" : "xz");
        shell_quote(cmd, sizeof cmd, path);
        f = popen(cmd, "r");
        TU_CHECK(f != NULL, "cannot run %s: %s", cmd, strerror(errno));
        piped = 1;
    }
    raw = tu_xmalloc(max_bytes);
    while (total < max_bytes && (got = fread(raw + total, 1, max_bytes - total, f)) > 0)
        total += got;
    if (piped) {
        int full =
            total == max_bytes; /* stopped early: the decompressor gets SIGPIPE */
        status = pclose(f);
        TU_CHECK(full ||
                     (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0),
                 "%s failed (status %d) after %zu bytes", cmd, status, total);
    } else {
        TU_CHECK(!ferror(f), "read error on %s", path);
        fclose(f);
    }
    TU_CHECK(total > 0, "no data from %s", path);

    out = tu_xmalloc(total);
    if (!fasta) {
        memcpy(out, raw, total);
        o = total;
    } else {
        for (i = 0; i < total; i++) {
            uint8_t ch = raw[i];
            if (at_line_start && ch == '>')
                in_header = 1;
            at_line_start = ch == '\n';
            if (in_header) {
                if (ch == '\n')
                    in_header = 0;
                continue;
            }
            if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
                continue;
            out[o++] = ch;
        }
        TU_CHECK(o > 0, "no sequence in %s", path);
    }
    free(raw);
    *len = o;
    if (o < total) { /* shrink to exact size for ASan */
        uint8_t *exact = tu_dup8(out, o);
        free(out);
        out = exact;
    }
    return out;
}

uint32_t *
tu_load_u32(const char *rel, size_t max_syms, size_t *len)
{
    size_t nb, n, i;
    uint8_t *b = tu_load(rel, 4 * max_syms, 0, &nb);
    uint32_t *v;
    TU_CHECK((nb & 3) == 0, "%s: %zu bytes is not a whole number of uint32", rel, nb);
    n = nb / 4;
    v = tu_xmalloc(n * sizeof *v);
    for (i = 0; i < n; i++)
        v[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
               (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    free(b);
    *len = n;
    return v;
}

/* ---- Runner --------------------------------------------------------------- */

TCase *
tu_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 300);
    return tc;
}

int
tu_run(Suite *s, const char *prog)
{
    SRunner *sr;
    int failed;
    g_prog = prog;
    sr = srunner_create(s);
    fprintf(stderr, "%s: HAM_TEST_SEED=%llu\n", prog, (unsigned long long)tu_seed());
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
