/* SPDX-License-Identifier: MIT */
/*
 * testutil.h -- shared helpers of the Check suites (style.md 9): the seeded
 * splitmix64 generator, random alphabets, texts and patterns with planted
 * near-matches, exact-size buffers, hit collection, failure context for
 * replay messages, the real-data loader and the common main.
 *
 * Replay: every property test seeds its generator from HAM_TEST_SEED (default
 * TU_DEFAULT_SEED), the test's name and the loop index _i, and its failure
 * messages carry "seed=S case=I inst=J ..." plus the command line
 *     HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=<tcase> tests/check_X
 * (HAM_TEST_ITER, optional, runs only loop index I; CK_FORK=no lets a
 * debugger in).
 */
#ifndef HAM_TESTUTIL_H
#define HAM_TESTUTIL_H

#include <check.h>
#include <hamming.h>
#include <stddef.h>
#include <stdint.h>

#define TU_DEFAULT_SEED 20240601ull

/* ck_assert_msg without Check's per-call location message (_mark_point is a
 * write(2) on every passing assertion): for hot paths. The message must start
 * with a string literal. */
#define TU_CHECK(expr, ...)                                                            \
    do {                                                                               \
        if (!(expr))                                                                   \
            ck_abort_msg("Assertion '" #expr "' failed: " __VA_ARGS__);                \
    } while (0)

/* ---- Seeds and the PRNG --------------------------------------------------- */

typedef struct tu_rng {
    uint64_t s;
} tu_rng;

/* Base seed: HAM_TEST_SEED if set (decimal or 0x hex), else TU_DEFAULT_SEED. */
uint64_t tu_seed(void);
uint64_t tu_next(tu_rng *r);                          /* splitmix64 */
uint64_t tu_below(tu_rng *r, uint64_t n);             /* uniform in [0, n), n > 0 */
size_t tu_range(tu_rng *r, size_t lo, size_t hi);     /* uniform in [lo, hi] */
size_t tu_logrange(tu_rng *r, size_t lo, size_t hi);  /* log-uniform in [lo, hi] */
int tu_chance(tu_rng *r, unsigned num, unsigned den); /* true with prob num/den */
void tu_rng_seed(tu_rng *r, uint64_t seed, const char *tag, uint64_t i);

/*
 * Start loop iteration _i of a property test: sets the failure context
 * (tcase name for CK_RUN_CASE, test name, _i) and seeds r from the base seed,
 * the test name and _i. Returns 0 when HAM_TEST_ITER selects another index
 * (the caller then returns at once).
 */
int tu_begin(tu_rng *r, const char *tcase, const char *test, int i);
/* Instance number inside the current iteration (shown as inst=J). */
void tu_set_inst(int inst);
/* "seed=S case=I inst=J [test]" for failure messages (static buffer). */
const char *tu_where(void);
/* "HAM_TEST_SEED=S HAM_TEST_ITER=I CK_RUN_CASE=T tests/PROG" (static buffer). */
const char *tu_replay(void);

/* ---- Memory --------------------------------------------------------------- */

/* malloc that fails the test on NULL; never returns NULL (size 0 gives 1 byte). */
void *tu_xmalloc(size_t bytes);
void *tu_xcalloc(size_t n, size_t size);
/* Exact-size copies, so ASan sees any access one past the end. */
uint8_t *tu_dup8(const uint8_t *v, size_t n);
uint32_t *tu_dup32(const uint32_t *v, size_t n);
/* Sentinel for untouched output. */
#define TU_SENTINEL32 0xdeadbeefu
#define TU_SENTINEL64 0xdeadbeefcafef00dull
void tu_fill32(uint32_t *v, size_t n, uint32_t x);
/* Index of the first v[i] != x, or n. */
size_t tu_find_not32(const uint32_t *v, size_t n, uint32_t x);
/* Index of the first a[i] != b[i], or n; *ndiff gets the number of differences. */
size_t tu_first_diff32(const uint32_t *a, const uint32_t *b, size_t n, size_t *ndiff);
size_t tu_first_diff64(const uint64_t *a, const uint64_t *b, size_t n, size_t *ndiff);

/* ---- Alphabets ------------------------------------------------------------ */

enum {
    TU_V_LOW = 0, /* random distinct values in 0..255 (u8 and u32)              */
    TU_V_SMALL,   /* 0 .. size-1                                                 */
    TU_V_HIGH,    /* UINT32_MAX - j for small distinct j (u32 only)              */
    TU_V_SPREAD,  /* random distinct 32-bit values, with 0 and UINT32_MAX (u32)  */
    TU_V_COUNT_
};

#define TU_ALPHA_MAX 4096
typedef struct tu_alpha {
    size_t size;
    int mode;
    uint32_t sym[TU_ALPHA_MAX];
} tu_alpha;

/* An alphabet of `size` distinct symbols (size <= 256 when width is 1 or mode
 * is TU_V_LOW). */
void tu_alpha_make(tu_alpha *a, size_t size, int mode, unsigned width, tu_rng *r);
/* A random alphabet for a width: size in {1, 2, 3, 4, 20, 256} (u32 also
 * larger), values by a random mode allowed for the width. */
void tu_alpha_random(tu_alpha *a, unsigned width, tu_rng *r);
/* "sigma=S mode=M" (static buffer). */
const char *tu_alpha_desc(const tu_alpha *a);
/* Number of distinct values among v[0..n-1] (O(n log n)). */
size_t tu_distinct32(const uint32_t *v, size_t n);

/* ---- Random instances ------------------------------------------------------ */

/* Which symbols a test instance uses and how big it is. */
typedef struct tu_shape {
    size_t m_min, m_max; /* pattern length, log-uniform                    */
    size_t extra_max;    /* n = m + extra, extra log-uniform or uniform in
                            0..extra_max (and sometimes n < m)             */
    unsigned wild_pct;   /* percentage of instances with a wildcard        */
    unsigned plant_pct;  /* percentage with planted near-matches           */
} tu_shape;

typedef struct tu_case {
    unsigned width; /* 1 or 4 */
    size_t m, n;
    uint32_t *pat32, *text32; /* the symbols (both widths); text32 NULL if n == 0 */
    uint8_t *pat8, *text8;    /* width 1: exact-size byte copies                  */
    int64_t wildcard;         /* -1 or the wildcard symbol                         */
    tu_alpha alpha;
    size_t planted; /* near-matches planted                              */
} tu_case;

/* Random pattern/text over a random alphabet per shape. */
void tu_case_random(tu_case *c, tu_rng *r, unsigned width, const tu_shape *shape);
/* Build a case from given symbols (copied; u8 copies made when width is 1). */
void tu_case_from32(tu_case *c, unsigned width, const uint32_t *pat, size_t m,
                    const uint32_t *text, size_t n, int64_t wildcard);
void tu_case_free(tu_case *c);
/* Symbols: uniform over a, or skewed (one symbol with probability ~3/4). */
void tu_gen(tu_rng *r, const tu_alpha *a, uint32_t *out, size_t n, int skewed);
/* Copy pat into text at pos with `subs` random substitutions from a. */
void tu_plant(tu_rng *r, const tu_alpha *a, const uint32_t *pat, size_t m,
              uint32_t *text, size_t pos, size_t subs);
/* Re-sync the u8 copies after changing pat32/text32 in place. */
void tu_case_sync8(tu_case *c);
/* "width=W n=N m=M wild=X sigma=S mode=M planted=P" (static buffer). */
const char *tu_case_desc(const tu_case *c);

/* The plan for a case with parameters p (its wildcard field is overwritten by
 * the case's). Returns the status. */
int tu_plan(const tu_case *c, const ham_params *p, ham_plan **out);
/* ham_dist_u8/u32 for the case's width and text. */
int tu_dist(const ham_plan *plan, const tu_case *c, uint32_t *dist, size_t cap);
int tu_kmis(const ham_plan *plan, const tu_case *c, ham_hit_fn fn, void *ctx);
/* Reference distances (k-bounded), malloc'd at exact size (>= 1 slot). */
uint32_t *tu_ref(const tu_case *c, uint32_t k);

/* Assert got[0..nd-1] == exp[0..nd-1] with a full message ("what" names the
 * run, e.g. "naive k=3"). */
void tu_expect_dist(const tu_case *c, uint32_t k, const uint32_t *exp,
                    const uint32_t *got, size_t nd, const char *what);

/* ---- Hits ----------------------------------------------------------------- */

typedef struct tu_hits {
    size_t n, cap;
    size_t *pos;
    uint32_t *dist;
    size_t stop_at;    /* return non-zero from call number stop_at (1-based); 0 never */
    size_t calls;      /* callback invocations                                      */
    uint64_t fed;      /* streams: symbols fed up to the end of the current feed   */
    uint64_t fed0;     /* streams: symbols fed before the current feed             */
    size_t m;          /* streams: pattern length, for the window check            */
    int check_window;  /* streams: check fed0 < pos + m <= fed in the callback     */
    size_t bad_window; /* streams: number of callbacks that violated it            */
    size_t bad_pos;    /* first violating pos                                      */
} tu_hits;

int tu_hit_cb(void *ctx, size_t pos, uint32_t dist);
/* A callback that must never be called: counts calls in a tu_hits. */
void tu_hits_reset(tu_hits *h);
void tu_hits_free(tu_hits *h);
/* Assert the hits are exactly {i : ref[i] <= k} (ref k-bounded or exact), in
 * increasing order, once each, with dist == ref[i]. limit: compare only the
 * first `limit` expected hits (SIZE_MAX: all). */
void tu_expect_hits(const tu_case *c, uint32_t k, const uint32_t *ref, size_t nd,
                    const tu_hits *h, size_t limit, const char *what);

/* ---- Real data ------------------------------------------------------------ */

/*
 * The data directory from HAM_DATA_DIR. Returns 1 when it is usable. When it
 * is not: returns 0 if HAM_ALLOW_NO_DATA=1 (the caller skips, loudly), else
 * fails the current test with a message saying how to fix or skip it.
 */
int tu_data_dir_ok(const char **dir);
/* Same test outside a test (for main): 1 usable, 0 not; *why says why. */
int tu_data_probe(const char **dir, const char **why);
/* Decompressed prefix (at most max_bytes) of DIR/rel (".gz" via gzip -dc,
 * ".xz" via xz -dc, else read as is). fasta: header lines and all whitespace
 * removed. Fails the test on any error. Returned buffer has exact size. */
uint8_t *tu_load(const char *rel, size_t max_bytes, int fasta, size_t *len);
/* Raw little-endian uint32 stream, at most max_syms symbols. */
uint32_t *tu_load_u32(const char *rel, size_t max_syms, size_t *len);

/* ---- Runner --------------------------------------------------------------- */

/* A TCase with a generous timeout (CK_TIMEOUT_MULTIPLIER still applies). */
TCase *tu_tcase(const char *name);
/* Run every test of s with CK_ENV verbosity; EXIT_SUCCESS iff none failed. */
int tu_run(Suite *s, const char *prog);

#endif /* HAM_TESTUTIL_H */
