/* SPDX-License-Identifier: MIT */
/*
 * hambench.c -- the libhamming benchmark harness (`make bench`; issue 2 item 6).
 * Every engine is measured with it; bench/README says the same at more length.
 *
 * RUNNING
 *   make bench                            default grid, real data from HAM_DATA_DIR
 *   make bench BENCH_ARGS=--quick         small grid (< 60 s), the CI smoke run
 *   bench/hambench --alphabet=dna --m=256,4096 --engines=naive,fft --reps=9
 *   bench/hambench --peak                 machine peak of the naive inner loop
 *   bench/hambench --quick --alphabet=dna --file=dna:bench/data/phage_lambda.fa.gz
 *   bench/hambench --help                 every option
 * Results go to stdout as TSV (one header line, one row per engine and case);
 * the machine, library version, data sources and warnings go to stderr as
 * lines starting with '#'. So `bench/hambench > run.tsv` keeps a clean table
 * that diffs between commits.
 *
 * THE GRID
 * For each alphabet, text length n and pattern length m (ascending), a text of
 * n symbols is cut from the alphabet's data (repeated if the data is shorter)
 * and the pattern is the m symbols at a fixed-seed random offset of that text,
 * so there is at least one exact occurrence and realistic near-matches
 * (--plant=C also plants C mutated copies). Cases for that (n, m):
 *   exact   ham_dist_* with max_dist = HAM_UNBOUNDED, epsilon = 0
 *   kmis    ham_dist_* with max_dist = k, for each k of --k (dense k-bounded
 *           distances: d(i), or k+1 when d(i) > k); k may be a number, "sqrt"
 *           (floor(sqrt(m))) or "m/D"; values >= m are dropped
 *   approx  ham_dist_* with epsilon = eps, for each eps of --eps; skipped
 *           while the library has no approximate engine (every row would
 *           repeat an exact one) unless --modes names it
 *   hits    (--modes=...,hits only) ham_kmis_* with max_dist = k: the
 *           k-mismatch search through the scan blocks, hits counted and
 *           checksummed against the dense kmis reference of the same k
 * Rows of a case: every engine of ham_engine this library implements
 * (ham_engine_available; engines added later appear by themselves) whose
 * capabilities (HAM__CAP_*) cover the mode, plus `auto`, plus the naive
 * kernels forced through ham__naive_dist_variant: naive/scalar,
 * naive/shiftpar-avx512, naive/shiftpar-avx2, naive/shiftpar-portable,
 * naive/bitsliced, naive/earlyexit, naive/kzero (k = 0 only). All kernels
 * run in exact cases; kmis cases run scalar, bitsliced, earlyexit, kzero and
 * the CPU's best shiftpar (the other ISAs say nothing new there). A kernel
 * that cannot serve the case, or whose ISA the CPU lacks, gives no row. An
 * engine named in --engines runs in every mode it accepts. The baseline
 * always runs; if it cannot serve kmis/approx it runs exact (note
 * `as-exact`, output thresholded at k+1).
 *   Default grid: alphabets dna, protein, english, uniform256, zipf32,
 *   tokens32; n = 1000000; m = 16, 64, 256, 1024, 4096, 16384; k = 4, sqrt,
 *   m/16; eps = 0.1; 5 repeats.
 *   About 3 minutes on the 2-vCPU development VM with naive and auto only
 *   (approx cases skipped); the engines still to come add rows, an estimated
 *   3-5 minutes more.
 *   --quick: same alphabets; n = 100000; m = 32, 1024; k = 8; eps = 0.1;
 *   3 repeats; about 5 s today.
 *   --kmis-grid (issue 4): randdna (uniform ACGT, not in the default set)
 *   and english; n = 100M; m = 20, 32, 64, 200, 1000; k = 0, 1, 2, 4, 8,
 *   m/10; modes kmis and hits; plant 1000; 3 repeats; about 30 minutes.
 *
 * ALPHABETS (real data from --data-dir, see shared data README)
 *   dna         dna/ecoli_k12_mg1655.fa.gz, headers and newlines dropped (ACGT)
 *   protein     protein/uniprot_mmseqs2_db_1-10000.fa.gz, records joined
 *   english     text/kjv_bible.txt.xz, raw bytes (verse-per-line KJV)
 *   uniform256  synthetic: xoshiro256** bytes, fixed seed
 *   zipf32      synthetic u32: Zipf s = 1.1 over 2^20 ranks, rank r written as
 *               fmix32(r), so symbols spread over the whole 32-bit range
 *   tokens32    wide/kjv_bible.o200k_base.u32le.xz, real u32 token ids
 * Without the data directory (or a decompressor) the real alphabets fall back
 * to synthetic data of the same kind and the note column says `src=synthetic`.
 * --file=ALPHABET:PATH reads another file for a real alphabet (.gz, .xz or
 * plain), e.g. the bundled bench/data/phage_lambda.fa.gz for dna.
 *
 * COLUMNS (tab-separated)
 *   engine     engine name (ham_engine_name) or naive/<kernel>
 *   mode       exact | kmis | approx
 *   alphabet   as above;  width: symbol bits, 8 or 32
 *   n, m       text and pattern length, in symbols
 *   sigma      distinct symbols in the pattern
 *   k, eps     the case's k (kmis) and eps (approx), `-` otherwise
 *   reps       timed repeats (fewer than --reps when one run exceeds
 *              --budget/--reps; 0 = skipped, see note)
 *   median_s   median wall time of the repeats, CLOCK_MONOTONIC, seconds
 *              (--clock=cpu: CLOCK_PROCESS_CPUTIME_ID);
 *   min_s      the fastest repeat. Plan creation is not included (see note).
 *   ns_shift   median_s / (n-m+1), in nanoseconds
 *   gcmp_s     (n-m+1)*m / median_s / 1e9: symbol comparisons per second as
 *              if every (shift, position) pair were compared, in 1e9/s; for
 *              the naive kernels this is their real throughput (compare with
 *              --peak), for the others an "effective" figure
 *   ratio      baseline median_s / this median_s, the baseline being measured
 *              in the same case of the same run: > 1 means faster than the
 *              baseline, 2.0 = twice as fast. Baseline: abrahamson when the
 *              library has it, else naive; --baseline=NAME picks any row name.
 *              `-` when the baseline has no row in this case.
 *   note       ';'-separated: src=<data> (file tag, `(repeated)`, or
 *              `synthetic`), ref (the row every other row was checked
 *              against), baseline, as-exact, plan_ms=<plan creation>,
 *              auto=<engine auto chose>, isa=<kernel ISA>,
 *              maxrel=<largest (out - d)/d of an approx row>,
 *              busy:cpu=<P>% (the process got only P% of a core during the
 *              repeats: the machine was busy, the time is inflated),
 *              skipped: <why> (see TIMING; the row stays, with reps 0)
 *
 * VERIFICATION
 * Output buffers are poisoned before each row's warm-up. The first row that
 * runs in a case is the reference; every other row's output (after the
 * warm-up and again after the last repeat) must be identical, kmis references
 * must equal min(exact, k+1) of the same (n, m), and approx rows must satisfy
 * d <= out <= (1+eps) d with 0 exactly when d = 0 against the exact
 * distances. Any difference prints MISMATCH on stderr and exits with status 3:
 * a benchmark must not time a wrong answer.
 *
 * TIMING
 * One core, one thread (--threads to change). Each row: plan creation
 * (timed once, note plan_ms), one warm-up run, then R = --reps timed runs
 * (R shrinks to max(1, budget / warm-up time) for slow rows); median and
 * minimum reported. Texts are allocated once per alphabet, outputs once.
 * A row is skipped when its run at this m is predicted to exceed --max-time
 * from its run at the previous m of the same alphabet, n, mode and k: times
 * m/m_prev for naive rows (Theta(nm)), unscaled for the other engines. This
 * keeps the portable kernels from eating the budget at m = 16384.
 * --max-ratio=X also skips a row that, at the previous m, took more than X
 * times that cell's fastest row and more than --max-time / 10 seconds (fft
 * on large alphabets: one transform per distinct symbol).
 * --prune=F (for long grids, where only the contenders need a median): AUTO's
 * row runs first in each case, and a row whose first timed run (after its
 * warm-up) took more than F times the fastest first run of the case so far
 * is reported from that one run (reps 1, note pruned) instead of being
 * repeated; AUTO and the baseline are never pruned. With F = 2 a pruned row
 * could only be within 10 % of the fastest if one run of it was 1.8x slower
 * than its median.
 *
 * The file includes lib/internal.h (it links lib/libhamcore.la) only to force
 * naive kernels, read engine capabilities and the CPU the plan saw.
 */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <hamming.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && defined(HAM_HAVE_X86_DISPATCH)
#define HB_X86 1
#include <immintrin.h>
#else
#define HB_X86 0
#endif

/* ---- Small helpers ------------------------------------------------------ */

static void hb_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void hb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
hb_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("hambench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void
hb_warn(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("# hambench: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void *
xmalloc(size_t n, size_t size)
{
    void *p;
    if (size != 0 && n > SIZE_MAX / size)
        hb_die("allocation of %zu x %zu bytes overflows", n, size);
    p = malloc(n * size != 0 ? n * size : 1);
    if (!p)
        hb_die("out of memory (%zu bytes)", n * size);
    return p;
}

/* CPU time of the process, to tell a busy machine from a slow engine. */
static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- Random numbers: splitmix64 seeds xoshiro256** ---------------------- */

static uint64_t
sm64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

typedef struct xoshiro {
    uint64_t s[4];
} xoshiro;

static void
xo_seed(xoshiro *x, uint64_t seed)
{
    int i;
    for (i = 0; i < 4; i++)
        x->s[i] = sm64(&seed);
}

static uint64_t
rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
xo_next(xoshiro *x)
{
    uint64_t *s = x->s;
    const uint64_t r = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return r;
}

/* Uniform in [0, bound); the modulo bias (< 2^-40 here) does not matter. */
static uint64_t
xo_below(xoshiro *x, uint64_t bound)
{
    return bound ? xo_next(x) % bound : 0;
}

static double
xo_unit(xoshiro *x)
{
    return (double)(xo_next(x) >> 11) * 0x1.0p-53;
}

/* murmur3's finaliser: a bijection of 32-bit values that spreads ranks over
 * the whole range (so u32 engines cannot profit from small symbol values). */
static uint32_t
fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* Zipf(s) over ranks 0..r-1 by inversion of the cumulative distribution. */
typedef struct zipf {
    double *cdf;
    size_t r;
} zipf;

static void
zipf_init(zipf *z, size_t r, double s)
{
    size_t i;
    double acc = 0.0;
    z->r = r;
    z->cdf = xmalloc(r, sizeof *z->cdf);
    for (i = 0; i < r; i++) {
        acc += pow((double)(i + 1), -s);
        z->cdf[i] = acc;
    }
    for (i = 0; i < r; i++)
        z->cdf[i] /= acc;
}

static size_t
zipf_draw(const zipf *z, xoshiro *x)
{
    double u = xo_unit(x);
    size_t lo = 0, hi = z->r - 1;
    while (lo < hi) { /* first rank with cdf > u */
        size_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void
zipf_free(zipf *z)
{
    free(z->cdf);
    z->cdf = NULL;
}

/* ---- Alphabets and data ------------------------------------------------- */

enum {
    AL_DNA,
    AL_PROTEIN,
    AL_ENGLISH,
    AL_UNIFORM256,
    AL_ZIPF32,
    AL_TOKENS32,
    AL_RANDDNA,  /* not in the default set: the k-mismatch grid (--kmis-grid) */
    AL_UNIFORMK, /* not in the default set: uniform over --uniform-k symbols */
    AL_COUNT
};

typedef struct alphadef {
    const char *name;
    unsigned width;   /* bytes per symbol */
    const char *file; /* under --data-dir (.gz, .xz or plain); NULL = synthetic */
    int fasta;        /* drop '>' header lines and line breaks */
    const char *tag;  /* src= in the note */
} alphadef;

static const alphadef alphadefs[AL_COUNT] = {
    {"dna", 1, "dna/ecoli_k12_mg1655.fa.gz", 1, "ecoli"},
    {"protein", 1, "protein/uniprot_mmseqs2_db_1-10000.fa.gz", 1, "uniprot"},
    {"english", 1, "text/kjv_bible.txt.xz", 0, "kjv"},
    {"uniform256", 1, NULL, 0, "xoshiro"},
    {"zipf32", 4, NULL, 0, "zipf1.1"},
    {"tokens32", 4, "wide/kjv_bible.o200k_base.u32le.xz", 0, "kjv-o200k"},
    {"randdna", 1, NULL, 0, "xoshiro-acgt"},
    {"uniformk", 4, NULL, 0, "xoshiro-k"},
};

/* --uniform-k=K: the symbols of the uniformk alphabet. */
static size_t uniform_k = 1024;

/* --file=ALPHABET:PATH replaces the alphabet's data (NULL: the default). */
static const char *file_override[AL_COUNT];

typedef struct textbuf {
    unsigned width;
    size_t n;
    void *buf; /* uint8_t[n] or uint32_t[n] */
    char src[48];
} textbuf;

/* popen(tool 'path'): the path is single-quoted, embedded quotes escaped. */
static FILE *
open_decompressor(const char *tool, const char *path)
{
    size_t len = strlen(tool) + 4 * strlen(path) + 4, o;
    char *cmd = xmalloc(len, 1);
    const char *p;
    FILE *f;
    o = (size_t)snprintf(cmd, len, "%s '", tool);
    for (p = path; *p; p++) {
        if (*p == '\'') {
            memcpy(cmd + o, "'\\''", 4);
            o += 4;
        } else {
            cmd[o++] = *p;
        }
    }
    cmd[o++] = '\'';
    cmd[o] = '\0';
    fflush(NULL);
    f = popen(cmd, "r");
    free(cmd);
    return f;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Read up to cap bytes of the decompressed file (FASTA: sequence bytes only).
 * Returns the byte count; *ok = 0 when the decompressor failed before EOF. */
static size_t
read_data(const char *path, const alphadef *a, uint8_t *dst, size_t cap, int *ok)
{
    static uint8_t chunk[1 << 16];
    FILE *f;
    size_t got = 0, r, i;
    int bol = 1, header = 0, status;

    *ok = 0;
    f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    f = open_decompressor(ends_with(path, ".gz")   ? "gzip -dc"
                          : ends_with(path, ".xz") ? "xz -dc"
                                                   : "cat",
                          path);
    if (!f)
        return 0;
    while (got < cap && (r = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!a->fasta) {
            size_t take = r < cap - got ? r : cap - got;
            memcpy(dst + got, chunk, take);
            got += take;
            continue;
        }
        for (i = 0; i < r && got < cap; i++) {
            uint8_t c = chunk[i];
            if (c == '\n') {
                bol = 1;
                header = 0;
                continue;
            }
            if (bol && c == '>')
                header = 1;
            bol = 0;
            if (header || c == '\r')
                continue;
            dst[got++] = c;
        }
    }
    status = pclose(f);
    /* Stopping early makes the decompressor die of SIGPIPE: not a failure. */
    *ok = got == cap || status == 0;
    return got;
}

static void
fill_uniform_u8(uint8_t *t, size_t n, const char *symbols, xoshiro *x)
{
    size_t i, ns = symbols ? strlen(symbols) : 256;
    for (i = 0; i < n; i++) {
        uint64_t v = xo_below(x, ns);
        t[i] = symbols ? (uint8_t)symbols[v] : (uint8_t)v;
    }
}

static void
fill_zipf_u8(uint8_t *t, size_t n, const char *symbols, double s, xoshiro *x)
{
    zipf z;
    size_t i;
    zipf_init(&z, strlen(symbols), s);
    for (i = 0; i < n; i++)
        t[i] = (uint8_t)symbols[zipf_draw(&z, x)];
    zipf_free(&z);
}

static void
fill_zipf_u32(uint32_t *t, size_t n, size_t ranks, double s, xoshiro *x)
{
    zipf z;
    size_t i;
    zipf_init(&z, ranks, s);
    for (i = 0; i < n; i++)
        t[i] = fmix32((uint32_t)zipf_draw(&z, x));
    zipf_free(&z);
}

/* Synthetic stand-in for alphabet a: by design (uniform256, zipf32) or as the
 * fallback for missing real data. */
static void
fill_synthetic(int a, textbuf *t, uint64_t seed)
{
    xoshiro x;
    xo_seed(&x, seed ^ (0x5bd1e995u * (uint64_t)(a + 1)));
    switch (a) {
    case AL_DNA:
    case AL_RANDDNA:
        fill_uniform_u8(t->buf, t->n, "ACGT", &x);
        break;
    case AL_PROTEIN:
        fill_uniform_u8(t->buf, t->n, "ACDEFGHIKLMNPQRSTVWY", &x);
        break;
    case AL_ENGLISH: /* letters roughly by English frequency, Zipf ranks */
        fill_zipf_u8(t->buf, t->n, " etaoinshrdlucmfwygpbvk,.\nTAIHSWxjqz;:'", 1.0, &x);
        break;
    case AL_UNIFORM256:
        fill_uniform_u8(t->buf, t->n, NULL, &x);
        break;
    case AL_ZIPF32:
        fill_zipf_u32(t->buf, t->n, (size_t)1 << 20, 1.1, &x);
        break;
    case AL_UNIFORMK: { /* K symbols, uniform, spread over 32 bits (fmix32) */
        uint32_t *w = t->buf;
        size_t i;
        for (i = 0; i < t->n; i++)
            w[i] = fmix32((uint32_t)xo_below(&x, uniform_k) + 1u);
        break;
    }
    default: /* AL_TOKENS32: about 10^4 distinct tokens, like o200k on KJV */
        fill_zipf_u32(t->buf, t->n, (size_t)1 << 14, 1.0, &x);
        break;
    }
}

/* n symbols of alphabet a, allocated once. */
static void
text_load(textbuf *t, int a, size_t n, const char *dir, uint64_t seed)
{
    const alphadef *ad = &alphadefs[a];
    size_t got = 0, i, bytes = n * ad->width;
    int ok = 0;
    double t0 = now_s();
    char path[4096] = "";
    const char *tag = ad->tag;

    t->width = ad->width;
    t->n = n;
    t->buf = xmalloc(n, ad->width);
    if (file_override[a]) {
        const char *slash = strrchr(file_override[a], '/');
        snprintf(path, sizeof path, "%s", file_override[a]);
        tag = slash ? slash + 1 : file_override[a];
    } else if (ad->file && dir && *dir) {
        snprintf(path, sizeof path, "%s/%s", dir, ad->file);
    }
    if (*path) {
        got = read_data(path, ad, t->buf, bytes, &ok);
        if (!ok)
            got = 0;
        got -= got % ad->width;
        if (got == 0)
            hb_warn("%s: could not read %s; using synthetic data", ad->name, path);
    }
    if (*path == '\0' && !ad->file) {
        fill_synthetic(a, t, seed);
        snprintf(t->src, sizeof t->src, "%s", ad->tag);
    } else if (got == 0) { /* no data dir, or unreadable: stand-in */
        fill_synthetic(a, t, seed);
        snprintf(t->src, sizeof t->src, "synthetic");
    } else {
        size_t have = got / ad->width;
        if (ad->width == 4) { /* little-endian u32 file -> host order, in place */
            uint8_t *b = t->buf;
            uint32_t *w = t->buf;
            for (i = 0; i < have; i++)
                w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        }
        if (have < n) { /* repeat the data to length n */
            if (ad->width == 1) {
                uint8_t *b = t->buf;
                for (i = have; i < n; i++)
                    b[i] = b[i - have];
            } else {
                uint32_t *w = t->buf;
                for (i = have; i < n; i++)
                    w[i] = w[i - have];
            }
        }
        snprintf(t->src, sizeof t->src, "%s%s", tag, have < n ? "(repeated)" : "");
    }
    fprintf(stderr, "# %s: %zu symbols of %u bits, src=%s (%.2f s)\n", ad->name, n,
            8 * ad->width, t->src, now_s() - t0);
}

static void
text_free(textbuf *t)
{
    free(t->buf);
    t->buf = NULL;
}

/* ---- Rows: engines and forced naive kernels ----------------------------- */

#define ISA_BEST (-1)

typedef struct vardef {
    const char *name;
    int variant; /* HAM__NV_* */
    int isa;     /* HAM__ISA_* cap, or ISA_BEST (the plan's) */
} vardef;

static const vardef vardefs[] = {
    {"naive/scalar", HAM__NV_SCALAR, HAM__ISA_PORTABLE},
    {"naive/shiftpar-avx512", HAM__NV_SHIFTPAR, HAM__ISA_AVX512},
    {"naive/shiftpar-avx2", HAM__NV_SHIFTPAR, HAM__ISA_AVX2},
    {"naive/shiftpar-portable", HAM__NV_SHIFTPAR, HAM__ISA_PORTABLE},
    {"naive/bitsliced", HAM__NV_BITSLICED, ISA_BEST},
    {"naive/earlyexit", HAM__NV_EARLYEXIT, ISA_BEST},
    {"naive/kzero", HAM__NV_KZERO, ISA_BEST}, /* k = 0 only */
};
#define NVAR    (sizeof vardefs / sizeof vardefs[0])
#define MAXROWS (HAM_ENGINE_COUNT_ + NVAR)

typedef struct rowdef {
    char name[40];
    ham_engine engine; /* HAM_ENGINE_NAIVE for kernels */
    int var;           /* -1 for an engine, else an index into vardefs */
    int selected;      /* run where its capabilities fit the mode */
    int named;         /* named in --engines: run in every mode it accepts */
} rowdef;

static rowdef rows[MAXROWS];
static size_t nrows;

static const char *
isa_name(int isa)
{
    return isa == HAM__ISA_AVX512 ? "avx512"
           : isa == HAM__ISA_AVX2 ? "avx2"
                                  : "portable";
}

static void
row_add(const char *name, ham_engine e, int var)
{
    rowdef *r = &rows[nrows++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->engine = e;
    r->var = var;
    r->selected = 1;
    r->named = 0;
}

static void
rows_build(int cpu_isa)
{
    unsigned e;
    size_t v;
    nrows = 0;
    /* Engines in ham_engine order, naive first (the oracle, so the reference
     * row), its kernels right after it, auto last. */
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        if (ham_engine_available((ham_engine)e))
            row_add(ham_engine_name((ham_engine)e), (ham_engine)e, -1);
        if (e != HAM_ENGINE_NAIVE)
            continue;
        for (v = 0; v < NVAR; v++)
            if (vardefs[v].isa == ISA_BEST || vardefs[v].isa <= cpu_isa)
                row_add(vardefs[v].name, HAM_ENGINE_NAIVE, (int)v);
        /* (a kernel whose ISA the CPU lacks would run a lesser one: no row) */
    }
    row_add("auto", HAM_ENGINE_AUTO, -1);
}

static long
row_find(const char *name)
{
    size_t r;
    for (r = 0; r < nrows; r++)
        if (strcmp(rows[r].name, name) == 0)
            return (long)r;
    return -1;
}

/* ---- Options ------------------------------------------------------------ */

enum { MODE_EXACT, MODE_KMIS, MODE_APPROX, MODE_HITS, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"exact", "kmis", "approx", "hits"};

typedef struct kspec {
    int kind; /* 0: value, 1: floor(sqrt(m)), 2: m / div */
    uint32_t v;
} kspec;

typedef struct opts {
    size_t *n, nn, *m, nm;
    kspec *k;
    size_t nk;
    double *eps;
    size_t neps;
    unsigned alphas; /* bit per AL_* */
    unsigned modes;  /* bit per MODE_* */
    const char *engines, *baseline, *data_dir;
    int reps, peak, verbose, n_set, m_set, modes_set;
    int cpu_clock; /* --clock=cpu: rows timed by process CPU time */
    double budget, max_time, max_ratio, prune;
    uint64_t seed;
    size_t plant;
    unsigned threads;
} opts;

static opts O;

/* The clock rows are timed with (--clock): on a machine shared with other
 * jobs, a single-threaded run's CPU time is inflated only by cache and
 * memory-bandwidth sharing, its wall time also by every descheduling. */
static double
row_clock(void)
{
    return O.cpu_clock ? cpu_s() : now_s();
}

static void
usage(FILE *f)
{
    size_t r;
    fprintf(
        f,
        "usage: hambench [OPTION]...\n"
        "Benchmark libhamming engines over a grid; TSV on stdout (see bench/README).\n"
        "\n"
        "  --quick            small grid for CI (n=100000, m=32,1024, k=8, 3 reps)\n"
        "  --kmis-grid        the k-mismatch grid of issue 4: randdna and english,\n"
        "                     n=100M, m=20,32,64,200,1000, k=0,1,2,4,8,m/10,\n"
        "                     kmis and hits, plant=1000, 3 reps (about 30 min)\n"
        "  --n=LIST           text lengths (default 1000000); 1M = 10^6, 1Mi = 2^20,\n"
        "                     2^20 also accepted\n"
        "  --m=LIST           pattern lengths (default 16,64,256,1024,4096,16384)\n"
        "  --k=LIST           kmis bounds: N, sqrt, m/D (default 4,sqrt,m/16); none\n"
        "  --eps=LIST         approx epsilons (default 0.1); none\n"
        "  --modes=LIST       exact,kmis,approx,hits (default exact,kmis,approx);\n"
        "                     hits times ham_kmis_* (the k-mismatch search itself)\n"
        "  --alphabet=LIST    dna,protein,english,uniform256,zipf32,tokens32,randdna,\n"
        "                     uniformk (default all but randdna, uniform random ACGT,\n"
        "                     and uniformk, 32-bit uniform over --uniform-k symbols)\n"
        "  --uniform-k=K      symbols of the uniformk alphabet (default 1024)\n"
        "  --engines=LIST     row names (below), or all, engines, variants\n"
        "  --baseline=NAME    ratio baseline (default abrahamson if built, else "
        "naive)\n"
        "  --reps=R           timed repeats per row after one warm-up (default 5)\n"
        "  --budget=SEC       cap on R*time per row: R shrinks for slow rows (default "
        "2)\n"
        "  --max-time=SEC     skip a row whose run at the next m would take longer:\n"
        "                     time(last m) * m/(last m) for naive rows, time(last m)\n"
        "                     for others (same alphabet, n, mode, k; default 1.5)\n"
        "  --max-ratio=X      also skip a row that took > X times the fastest row\n"
        "                     at the previous m, and > max-time/10 s (default off)\n"
        "  --prune=F          AUTO's row first; time a row once when its first run\n"
        "                     took > F x the case's fastest first run (default off)\n"
        "  --clock=wall|cpu   time rows by wall clock (default) or by the process's\n"
        "                     CPU time (one thread only: robust on a busy machine)\n"
        "  --plant=C          plant C mutated copies of the pattern in the text (0)\n"
        "  --seed=S           seed of texts, pattern offsets, plants, params.seed (1)\n"
        "  --threads=T        params.threads (default 1)\n"
        "  --data-dir=DIR     shared data directory (make bench passes HAM_DATA_DIR)\n"
        "  --file=ALPHA:PATH  read alphabet ALPHA from PATH (.gz, .xz or plain; FASTA\n"
        "                     for dna and protein, raw u32le for tokens32)\n"
        "  --peak             measure the machine's peak byte-compare rate and the\n"
        "                     naive kernels against it, then exit\n"
        "  -v, --verbose      progress on stderr\n"
        "  --help             this text\n"
        "\nRows in this build:");
    for (r = 0; r < nrows; r++)
        fprintf(f, " %s", rows[r].name);
    fprintf(f, "\n");
}

/* "1000000", "1M", "1Mi", "64k", "2^20" */
static size_t
parse_size(const char *s, const char *opt)
{
    char *end;
    unsigned long long v;
    if (strncmp(s, "2^", 2) == 0) {
        v = strtoull(s + 2, &end, 10);
        if (*end || end == s + 2 || v > 62)
            hb_die("%s: bad value '%s'", opt, s);
        return (size_t)1 << v;
    }
    v = strtoull(s, &end, 10);
    if (end == s)
        hb_die("%s: bad value '%s'", opt, s);
    if (strcmp(end, "k") == 0 || strcmp(end, "K") == 0)
        v *= 1000u;
    else if (strcmp(end, "M") == 0)
        v *= 1000000u;
    else if (strcmp(end, "Ki") == 0)
        v <<= 10;
    else if (strcmp(end, "Mi") == 0)
        v <<= 20;
    else if (*end)
        hb_die("%s: bad value '%s'", opt, s);
    return (size_t)v;
}

/* Split a comma list into a fresh array of strings (one allocation). */
static char **
split_list(const char *s, size_t *count)
{
    size_t n = 1, i, len = strlen(s);
    char **v, *copy;
    for (i = 0; i < len; i++)
        n += s[i] == ',';
    v = xmalloc(n, sizeof *v);
    copy = xmalloc(len + 1, 1);
    memcpy(copy, s, len + 1);
    n = 0;
    v[n++] = copy;
    for (i = 0; i < len; i++) {
        if (copy[i] == ',') {
            copy[i] = '\0';
            v[n++] = copy + i + 1;
        }
    }
    *count = n;
    return v;
}

static void
free_list(char **v)
{
    free(v[0]);
    free(v);
}

static void
parse_sizes(const char *s, const char *opt, size_t **out, size_t *count)
{
    size_t n, i, j;
    char **v = split_list(s, &n);
    size_t *a = xmalloc(n, sizeof *a);
    for (i = 0; i < n; i++) {
        a[i] = parse_size(v[i], opt);
        if (a[i] == 0)
            hb_die("%s: lengths must be positive", opt);
    }
    free_list(v);
    qsort(a, n, sizeof *a, cmp_size); /* ascending: --max-time relies on it */
    for (i = j = 0; i < n; i++)
        if (j == 0 || a[i] != a[j - 1])
            a[j++] = a[i];
    free(*out);
    *out = a;
    *count = j;
}

static void
parse_k(const char *s)
{
    size_t n, i;
    char **v;
    free(O.k);
    O.k = NULL;
    O.nk = 0;
    if (strcmp(s, "none") == 0 || !*s)
        return;
    v = split_list(s, &n);
    O.k = xmalloc(n, sizeof *O.k);
    for (i = 0; i < n; i++) {
        char *end;
        unsigned long long x;
        if (strcmp(v[i], "sqrt") == 0) {
            O.k[i].kind = 1;
            O.k[i].v = 0;
            continue;
        }
        if (strncmp(v[i], "m/", 2) == 0) {
            x = strtoull(v[i] + 2, &end, 10);
            if (*end || end == v[i] + 2 || x == 0 || x > UINT32_MAX)
                hb_die("--k: bad value '%s'", v[i]);
            O.k[i].kind = 2;
            O.k[i].v = (uint32_t)x;
            continue;
        }
        x = strtoull(v[i], &end, 10);
        if (*end || end == v[i] || x >= UINT32_MAX)
            hb_die("--k: bad value '%s'", v[i]);
        O.k[i].kind = 0;
        O.k[i].v = (uint32_t)x;
    }
    O.nk = n;
    free_list(v);
}

static void
parse_eps(const char *s)
{
    size_t n, i;
    char **v;
    free(O.eps);
    O.eps = NULL;
    O.neps = 0;
    if (strcmp(s, "none") == 0 || !*s)
        return;
    v = split_list(s, &n);
    O.eps = xmalloc(n, sizeof *O.eps);
    for (i = 0; i < n; i++) {
        char *end;
        O.eps[i] = strtod(v[i], &end);
        if (*end || end == v[i] || !(O.eps[i] > 0.0 && O.eps[i] < 1.0))
            hb_die("--eps: '%s' is not in (0, 1)", v[i]);
    }
    O.neps = n;
    free_list(v);
}

static unsigned
parse_names(const char *s, const char *opt, const char *const *names, int count)
{
    size_t n, i;
    int j;
    unsigned mask = 0;
    char **v = split_list(s, &n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < count; j++)
            if (strcmp(v[i], names[j]) == 0)
                break;
        if (j == count) {
            if (strcmp(v[i], "all") == 0) {
                mask |= (1u << count) - 1;
                continue;
            }
            hb_die("%s: unknown name '%s'", opt, v[i]);
        }
        mask |= 1u << j;
    }
    free_list(v);
    return mask;
}

static double
parse_double(const char *s, const char *opt)
{
    char *end;
    double d = strtod(s, &end);
    if (*end || end == s || !(d >= 0.0))
        hb_die("%s: bad value '%s'", opt, s);
    return d;
}

static void
select_engines(const char *s)
{
    size_t n, i, r;
    char **v = split_list(s, &n);
    for (r = 0; r < nrows; r++)
        rows[r].selected = rows[r].named = 0;
    for (i = 0; i < n; i++) {
        long at = row_find(v[i]);
        ham_engine e;
        int any = 0;
        if (at >= 0) {
            rows[at].selected = rows[at].named = 1;
            continue;
        }
        for (r = 0; r < nrows; r++) {
            int isvar = rows[r].var >= 0;
            if (strcmp(v[i], "all") == 0 || (strcmp(v[i], "engines") == 0 && !isvar) ||
                ((strcmp(v[i], "variants") == 0 || strcmp(v[i], "naive/*") == 0) &&
                 isvar)) {
                rows[r].selected = 1;
                any = 1;
            }
        }
        if (any)
            continue;
        if (ham_engine_from_name(v[i], &e) == HAM_OK)
            hb_warn("engine %s is not built into this library; no rows for it", v[i]);
        else if (strncmp(v[i], "naive/", 6) == 0)
            hb_warn("%s: no such kernel on this CPU; no rows for it", v[i]);
        else
            hb_die("--engines: unknown name '%s' (see --help)", v[i]);
    }
    free_list(v);
}

static void
set_quick(void)
{
    parse_sizes("100000", "--n", &O.n, &O.nn);
    parse_sizes("32,1024", "--m", &O.m, &O.nm);
    parse_k("8");
    parse_eps("0.1");
    O.reps = 3;
    O.budget = 1.0;
    O.max_time = 1.5;
}

/* --kmis-grid: the k-mismatch benchmark of issue 4 (100 Mbp of random DNA
 * with planted occurrences, and English text). */
static void
set_kmis_grid(void)
{
    parse_sizes("100M", "--n", &O.n, &O.nn);
    parse_sizes("20,32,64,200,1000", "--m", &O.m, &O.nm);
    parse_k("0,1,2,4,8,m/10");
    O.alphas = 1u << AL_RANDDNA | 1u << AL_ENGLISH;
    O.modes = 1u << MODE_KMIS | 1u << MODE_HITS;
    O.plant = 1000;
    O.reps = 3;
    O.budget = 3.0;
    O.max_time = 3.0;
}

static void
set_defaults(void)
{
    memset(&O, 0, sizeof O);
    parse_sizes("1000000", "--n", &O.n, &O.nn);
    parse_sizes("16,64,256,1024,4096,16384", "--m", &O.m, &O.nm);
    parse_k("4,sqrt,m/16");
    parse_eps("0.1");
    O.alphas = ((1u << AL_COUNT) - 1) & ~(1u << AL_RANDDNA) & ~(1u << AL_UNIFORMK);
    O.modes = (1u << MODE_EXACT) | (1u << MODE_KMIS) | (1u << MODE_APPROX);
    O.reps = 5;
    O.budget = 2.0;
    O.max_time = 1.5;
    O.seed = 1;
    O.threads = 1;
}

/* "--name=value" -> value, or NULL when arg is not that option. */
static const char *
optval(const char *arg, const char *name)
{
    size_t l = strlen(name);
    if (strncmp(arg, name, l) == 0 && arg[l] == '=')
        return arg + l + 1;
    return NULL;
}

static void
parse_args(int argc, char **argv)
{
    static const char *alnames[AL_COUNT];
    int i, a;
    const char *v;
    for (a = 0; a < AL_COUNT; a++)
        alnames[a] = alphadefs[a].name;
    set_defaults();
    for (i = 1; i < argc; i++) /* --quick first, so other options override it */
        if (strcmp(argv[i], "--quick") == 0)
            set_quick();
        else if (strcmp(argv[i], "--kmis-grid") == 0)
            set_kmis_grid();
    for (i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--quick") == 0 || strcmp(s, "--kmis-grid") == 0)
            continue;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(s, "--peak") == 0) {
            O.peak = 1;
        } else if (strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
            O.verbose = 1;
        } else if ((v = optval(s, "--n"))) {
            parse_sizes(v, "--n", &O.n, &O.nn);
            O.n_set = 1;
        } else if ((v = optval(s, "--m"))) {
            parse_sizes(v, "--m", &O.m, &O.nm);
            O.m_set = 1;
        } else if ((v = optval(s, "--k"))) {
            parse_k(v);
        } else if ((v = optval(s, "--eps"))) {
            parse_eps(v);
        } else if ((v = optval(s, "--modes"))) {
            O.modes = parse_names(v, "--modes", mode_names, MODE_COUNT);
            O.modes_set = 1;
        } else if ((v = optval(s, "--alphabet"))) {
            O.alphas = parse_names(v, "--alphabet", alnames, AL_COUNT);
        } else if ((v = optval(s, "--engines"))) {
            O.engines = v;
        } else if ((v = optval(s, "--baseline"))) {
            O.baseline = v;
        } else if ((v = optval(s, "--file"))) {
            const char *colon = strchr(v, ':');
            for (a = 0; a < AL_COUNT && colon; a++)
                if (strlen(alnames[a]) == (size_t)(colon - v) &&
                    strncmp(v, alnames[a], (size_t)(colon - v)) == 0)
                    break;
            if (!colon || a == AL_COUNT || !colon[1])
                hb_die("--file: want ALPHABET:PATH, got '%s'", v);
            if (alphadefs[a].file == NULL)
                hb_die("--file: %s is synthetic by design", alnames[a]);
            file_override[a] = colon + 1;
        } else if ((v = optval(s, "--data-dir"))) {
            O.data_dir = v;
        } else if ((v = optval(s, "--reps"))) {
            O.reps = (int)parse_size(v, "--reps");
            if (O.reps < 1 || O.reps > 10000)
                hb_die("--reps: 1 .. 10000");
        } else if ((v = optval(s, "--budget"))) {
            O.budget = parse_double(v, "--budget");
        } else if ((v = optval(s, "--clock"))) {
            if (strcmp(v, "cpu") == 0)
                O.cpu_clock = 1;
            else if (strcmp(v, "wall") == 0)
                O.cpu_clock = 0;
            else
                hb_die("--clock: wall or cpu");
        } else if ((v = optval(s, "--max-time"))) {
            O.max_time = parse_double(v, "--max-time");
        } else if ((v = optval(s, "--max-ratio"))) {
            O.max_ratio = parse_double(v, "--max-ratio");
        } else if ((v = optval(s, "--prune"))) {
            O.prune = parse_double(v, "--prune");
            if (O.prune != 0.0 && O.prune < 1.0)
                hb_die("--prune: 0 (off) or at least 1");
        } else if ((v = optval(s, "--uniform-k"))) {
            uniform_k = parse_size(v, "--uniform-k");
            if (uniform_k == 0)
                hb_die("--uniform-k: must be at least 1");
        } else if ((v = optval(s, "--plant"))) {
            O.plant = parse_size(v, "--plant");
        } else if ((v = optval(s, "--seed"))) {
            char *end;
            O.seed = strtoull(v, &end, 0);
            if (*end || end == v)
                hb_die("--seed: bad value '%s'", v);
        } else if ((v = optval(s, "--threads"))) {
            O.threads = (unsigned)parse_size(v, "--threads");
        } else {
            fprintf(stderr, "hambench: unknown option '%s'\n", s);
            usage(stderr);
            exit(2);
        }
    }
}

/* ---- Cases -------------------------------------------------------------- */

typedef struct hcase {
    int alpha;
    unsigned width;
    size_t n, m, nd;
    const void *text, *pat;
    uint32_t sigma;
    int mode;
    uint32_t k;  /* kmis; HAM_UNBOUNDED otherwise */
    double eps;  /* approx; 0 otherwise */
    size_t slot; /* index of (mode, k or eps) for the --max-time table */
    const char *src;
} hcase;

enum { R_NONE, R_RUN, R_SKIP };
#define NOTE_CAP 256

typedef struct result {
    int state;
    int reps;
    double med, min;
    char note[NOTE_CAP];
} result;

/* Buffers shared by every case, allocated once for the largest n. */
static uint32_t *out_buf, *ref_buf, *exact_buf;
static double *times;
static int ref_valid, exact_valid;
static const char *ref_name, *exact_name;
static long baseline_row = -1;
static int best_isa; /* the CPU's, as the library detects it */

/* --max-time bookkeeping for the current (alphabet, n): per row and slot, the
 * fastest single run seen and the m it was seen at. */
static double *slow_t;
static size_t *slow_m, nslots;
/* --max-ratio: per row and slot, its time over the fastest row's at the last
 * m; --prune: the fastest first timed run of the current case (0 = none). */
static double *slow_ratio, case_first;

static void note_add(char *note, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_add(char *note, const char *fmt, ...)
{
    size_t len = strlen(note);
    va_list ap;
    if (len + 2 >= NOTE_CAP)
        return;
    if (len)
        note[len++] = ';';
    va_start(ap, fmt);
    vsnprintf(note + len, NOTE_CAP - len, fmt, ap);
    va_end(ap);
}

static void
case_desc(const hcase *c, char *buf, size_t cap)
{
    int o = snprintf(buf, cap, "alphabet=%s n=%zu m=%zu mode=%s",
                     alphadefs[c->alpha].name, c->n, c->m, mode_names[c->mode]);
    if (o > 0 && (size_t)o < cap && (c->mode == MODE_KMIS || c->mode == MODE_HITS))
        snprintf(buf + o, cap - (size_t)o, " k=%u", (unsigned)c->k);
    else if (o > 0 && (size_t)o < cap && c->mode == MODE_APPROX)
        snprintf(buf + o, cap - (size_t)o, " eps=%g", c->eps);
}

static void mismatch(const hcase *c, const char *name, const char *what, size_t at,
                     uint32_t got, uint32_t want, size_t count)
    __attribute__((noreturn));

static void
mismatch(const hcase *c, const char *name, const char *what, size_t at, uint32_t got,
         uint32_t want, size_t count)
{
    char d[160];
    case_desc(c, d, sizeof d);
    fflush(stdout);
    fprintf(stderr,
            "\nhambench: MISMATCH: %s: %s %s: first at shift %zu: got %u, want %u "
            "(%zu of %zu shifts differ)\nhambench: a benchmark must not time a wrong "
            "answer; stopping (seed %llu).\n",
            d, name, what, at, (unsigned)got, (unsigned)want, count, c->nd,
            (unsigned long long)O.seed);
    exit(3);
}

/* hits mode: what the callback of ham_kmis_* saw, and what ref_buf (the
 * dense k-bounded reference of the case) says it should have seen. */
typedef struct hitsum {
    size_t count, last, bad_order;
    uint64_t sum;
} hitsum;
static hitsum hits_got, hits_want;

static int
hit_count(void *ctx, size_t pos, uint32_t dist)
{
    hitsum *h = ctx;
    if (h->count > 0 && pos <= h->last)
        h->bad_order++;
    h->last = pos;
    h->count++;
    h->sum +=
        (uint64_t)pos * 0x9e3779b97f4a7c15u ^ (uint64_t)dist * 0x2545f4914f6cdd1du;
    return 0;
}

/* approx mode: the largest (out - d)/d of the last verified output */
static double approx_maxrel;

/* Check a row's output; the first row of a case becomes the reference. */
static void
verify(const hcase *c, const char *name, uint32_t *out, int as_exact)
{
    size_t i, bad = 0, first = 0;
    const size_t nd = c->nd;
    if (c->mode == MODE_HITS) { /* ref_buf was set up by run_case */
        if (hits_got.count != hits_want.count || hits_got.sum != hits_want.sum ||
            hits_got.bad_order)
            mismatch(c, name, "hits differ from the dense reference (count, checksum)",
                     hits_got.last, (uint32_t)hits_got.count, (uint32_t)hits_want.count,
                     hits_got.count > hits_want.count
                         ? hits_got.count - hits_want.count
                         : hits_want.count - hits_got.count);
        return;
    }
    if (c->mode == MODE_KMIS && as_exact)
        for (i = 0; i < nd; i++)
            out[i] = out[i] > c->k ? c->k + 1 : out[i];
    if (c->mode == MODE_APPROX) {
        const double f = 1.0 + c->eps;
        approx_maxrel = 0.0;
        for (i = 0; i < nd; i++) {
            uint32_t d = exact_buf[i], o = out[i];
            int ok = d == 0 ? o == 0 : (o >= d && (double)o <= f * (double)d + 1e-9);
            if (!ok && bad++ == 0)
                first = i;
            if (ok && d > 0 && (double)(o - d) > approx_maxrel * (double)d)
                approx_maxrel = (double)(o - d) / (double)d;
        }
        if (bad) {
            char what[128];
            snprintf(what, sizeof what,
                     "violates d <= out <= (1+eps) d (exact from %s)", exact_name);
            mismatch(c, name, what, first, out[first], exact_buf[first], bad);
        }
        return;
    }
    if (!ref_valid) {
        memcpy(ref_buf, out, nd * sizeof *out);
        ref_valid = 1;
        ref_name = name;
        if (c->mode == MODE_EXACT) {
            memcpy(exact_buf, out, nd * sizeof *out);
            exact_valid = 1;
            exact_name = name;
        } else if (exact_valid) { /* kmis reference == min(exact, k+1) */
            for (i = 0; i < nd; i++) {
                uint32_t want = exact_buf[i] > c->k ? c->k + 1 : exact_buf[i];
                if (out[i] != want && bad++ == 0)
                    first = i;
            }
            if (bad) {
                char what[128];
                snprintf(what, sizeof what,
                         "differs from min(exact, k+1), exact from %s", exact_name);
                mismatch(c, name, what, first, out[first],
                         exact_buf[first] > c->k ? c->k + 1 : exact_buf[first], bad);
            }
        }
        return;
    }
    if (memcmp(out, ref_buf, nd * sizeof *out) == 0)
        return;
    for (i = 0; i < nd; i++)
        if (out[i] != ref_buf[i] && bad++ == 0)
            first = i;
    {
        char what[96];
        snprintf(what, sizeof what,
                 "differs from %s (the reference row; either may be wrong)", ref_name);
        mismatch(c, name, what, first, out[first], ref_buf[first], bad);
    }
}

typedef struct runner {
    const ham_plan *plan;
    int var; /* -1: public API */
    uint32_t k;
} runner;

static int
run_once(const runner *r, const hcase *c, uint32_t *out)
{
    if (r->var >= 0)
        return ham__naive_dist_variant(
            r->plan, c->text, c->n, out, r->k, vardefs[r->var].variant,
            vardefs[r->var].isa == ISA_BEST ? HAM__ISA_AVX512 : vardefs[r->var].isa);
    if (c->mode == MODE_HITS) {
        memset(&hits_got, 0, sizeof hits_got);
        if (c->width == 1)
            return ham_kmis_u8(r->plan, c->text, c->n, hit_count, &hits_got);
        return ham_kmis_u32(r->plan, c->text, c->n, hit_count, &hits_got);
    }
    if (c->width == 1)
        return ham_dist_u8(r->plan, c->text, c->n, out, c->nd);
    return ham_dist_u32(r->plan, c->text, c->n, out, c->nd);
}

static int
plan_make(ham_plan **plan, const hcase *c, ham_engine e, int mode_params)
{
    ham_params p;
    ham_params_init(&p);
    p.engine = e;
    p.seed = O.seed;
    p.threads = O.threads;
    if (mode_params && (c->mode == MODE_KMIS || c->mode == MODE_HITS))
        p.max_dist = c->k;
    if (mode_params && c->mode == MODE_APPROX)
        p.epsilon = c->eps;
    if (c->width == 1)
        return ham_plan_create_u8(plan, c->pat, c->m, &p);
    return ham_plan_create_u32(plan, c->pat, c->m, &p);
}

static int
row_applies(size_t r, int mode)
{
    const rowdef *rd = &rows[r];
    const ham__engine_ops *ops;
    if (mode == MODE_HITS && rd->var >= 0) /* kernels have no ham_kmis_* */
        return 0;
    if ((long)r == baseline_row || rd->named)
        return 1;
    if (!rd->selected)
        return 0;
    if (rd->var >= 0) { /* kmis: the k-aware kernels and the best shiftpar */
        const vardef *vd = &vardefs[rd->var];
        if (mode == MODE_EXACT)
            return 1;
        return mode == MODE_KMIS &&
               (vd->variant != HAM__NV_SHIFTPAR || vd->isa == best_isa);
    }
    if (rd->engine == HAM_ENGINE_AUTO)
        return 1;
    ops = ham__engine(rd->engine);
    if (!ops)
        return 0;
    if (mode == MODE_EXACT)
        return (ops->caps & HAM__CAP_EXACT) != 0;
    if (mode == MODE_KMIS || mode == MODE_HITS)
        return (ops->caps & HAM__CAP_KBOUND) != 0;
    return (ops->caps & HAM__CAP_APPROX) != 0;
}

static void
run_row(const hcase *c, size_t r, result *res)
{
    const rowdef *rd = &rows[r];
    ham_plan *plan = NULL;
    runner run;
    double t0, tplan, twarm, wall, cpu, *slow = &slow_t[r * nslots + c->slot];
    int rc, as_exact = 0, reps, i;

    memset(res, 0, sizeof *res);
    res->state = R_NONE;
    note_add(res->note, "src=%s", c->src);
    if (*slow > 0.0) {
        /* Predict this m from the last one: time grows like m for the
         * Theta(nm) naive kernels; other engines grow slower than m (FFT
         * and friends), so for them only the last time counts. */
        const size_t m0 = slow_m[r * nslots + c->slot];
        const double grow =
            rd->engine == HAM_ENGINE_NAIVE ? (double)c->m / (double)m0 : 1.0;
        const double pred = *slow * grow;
        const double ratio = slow_ratio[r * nslots + c->slot];
        if (pred > O.max_time) {
            res->state = R_SKIP;
            note_add(res->note, "skipped: %.2fs at m=%zu predicts %.1fs > --max-time",
                     *slow, m0, pred);
            return;
        }
        if (O.max_ratio > 0.0 && ratio > O.max_ratio && *slow > O.max_time / 10.0 &&
            rd->engine != HAM_ENGINE_AUTO && (long)r != baseline_row) {
            res->state = R_SKIP;
            note_add(res->note,
                     "skipped: %.1fx the fastest (%.2fs) at m=%zu > --max-ratio", ratio,
                     *slow, m0);
            return;
        }
    }
    t0 = now_s();
    rc = plan_make(&plan, c, rd->engine, 1);
    if (rc == HAM_EUNSUPPORTED && (long)r == baseline_row && c->mode != MODE_EXACT &&
        c->mode != MODE_HITS) {
        rc = plan_make(&plan, c, rd->engine, 0);
        as_exact = 1;
    }
    tplan = now_s() - t0;
    if (rc == HAM_EUNSUPPORTED) {
        *slow = 0.0; /* no row here; predict nothing from an older m */
        if (rd->named && O.verbose)
            fprintf(stderr, "# %s does not serve %s cases\n", rd->name,
                    mode_names[c->mode]);
        return;
    }
    if (rc != HAM_OK)
        hb_die("%s: plan creation failed: %s (m=%zu)", rd->name, ham_errname(rc), c->m);
    run.plan = plan;
    run.var = rd->var;
    run.k = (c->mode == MODE_KMIS || c->mode == MODE_HITS) && !as_exact ? c->k
                                                                        : HAM_UNBOUNDED;

    memset(out_buf, 0xa5, c->nd * sizeof *out_buf); /* no stale answer can pass */
    t0 = row_clock();
    rc = run_once(&run, c, out_buf);
    twarm = row_clock() - t0;
    if (rc == HAM_EUNSUPPORTED && rd->var >= 0) { /* e.g. bit-sliced, large sigma */
        *slow = 0.0;
        ham_plan_destroy(plan);
        return;
    }
    if (rc != HAM_OK)
        hb_die("%s: %s on m=%zu n=%zu", rd->name, ham_errname(rc), c->m, c->n);
    verify(c, rd->name, out_buf, as_exact);

    reps = O.reps;
    if (twarm * reps > O.budget)
        reps = twarm >= O.budget ? 1 : (int)(O.budget / twarm);
    if (reps < 1)
        reps = 1;
    wall = now_s();
    cpu = cpu_s();
    for (i = 0; i < reps; i++) {
        t0 = row_clock();
        rc = run_once(&run, c, out_buf);
        times[i] = row_clock() - t0;
        if (rc != HAM_OK)
            hb_die("%s: %s on m=%zu n=%zu (repeat %d)", rd->name, ham_errname(rc), c->m,
                   c->n, i);
        if (i == 0 && O.prune > 0.0 && rd->var < 0) {
            /* the first timed run, not the warm-up (spectra, FFTW plans),
             * decides */
            if (case_first > 0.0 && times[0] > O.prune * case_first &&
                rd->engine != HAM_ENGINE_AUTO && (long)r != baseline_row) {
                reps = 1;
                note_add(res->note, "pruned: %.3gs > %gx %.3gs", times[0], O.prune,
                         case_first);
            }
            if (case_first == 0.0 || times[0] < case_first)
                case_first = times[0];
        }
    }
    cpu = cpu_s() - cpu;
    wall = now_s() - wall;
    verify(c, rd->name, out_buf, as_exact);
    qsort(times, (size_t)reps, sizeof *times, cmp_double);
    res->state = R_RUN;
    res->reps = reps;
    res->min = times[0];
    res->med =
        reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    if (ref_name == rd->name && c->mode != MODE_APPROX && c->mode != MODE_HITS)
        note_add(res->note, "ref");
    if ((long)r == baseline_row)
        note_add(res->note, "baseline");
    if (as_exact)
        note_add(res->note, "as-exact");
    note_add(res->note, "plan_ms=%.3g", tplan * 1e3);
    if (O.threads <= 1 && wall > 0.02 && cpu < 0.9 * wall) /* descheduled: noisy */
        note_add(res->note, "busy:cpu=%.0f%%", 100.0 * cpu / wall);
    if (rd->engine == HAM_ENGINE_AUTO)
        note_add(res->note, "auto=%s", ham_engine_name(ham_plan_engine(plan, c->n)));
    if (c->mode == MODE_APPROX)
        note_add(res->note, "maxrel=%.4g", approx_maxrel);
    if (rd->var >= 0) {
        int isa =
            vardefs[rd->var].isa == ISA_BEST ? HAM__ISA_AVX512 : vardefs[rd->var].isa;
        if (isa > plan->cpu.isa)
            isa = plan->cpu.isa;
        note_add(res->note, "isa=%s", isa_name(isa));
    }
    *slow = res->min;
    slow_m[r * nslots + c->slot] = c->m;
    ham_plan_destroy(plan);
}

static void
print_header(void)
{
    printf("engine\tmode\talphabet\twidth\tn\tm\tsigma\tk\teps\treps\tmedian_s\tmin_s\t"
           "ns_shift\tgcmp_s\tratio\tnote\n");
}

static size_t rows_printed;

/* k of the kmis reference left in ref_buf by the last kmis case (hits cases
 * reuse it), HAM_UNBOUNDED when ref_buf holds something else. */
static uint32_t kmis_ref_k = HAM_UNBOUNDED;

/* hits mode: the expected hits, from the dense k-bounded reference (the kmis
 * case's, or computed here with AUTO and checked against exact). */
static void
hits_reference(const hcase *c)
{
    size_t i;
    if (kmis_ref_k != c->k) {
        ham_plan *plan;
        runner run;
        hcase e = *c;
        e.mode = MODE_KMIS;
        if (plan_make(&plan, &e, HAM_ENGINE_AUTO, 1) != HAM_OK)
            hb_die("cannot plan the kmis reference");
        run.plan = plan;
        run.var = -1;
        run.k = c->k;
        if (run_once(&run, &e, ref_buf) != HAM_OK)
            hb_die("cannot compute the kmis reference");
        ham_plan_destroy(plan);
        ref_valid = 0;
        ref_name = NULL;
        if (exact_valid)
            for (i = 0; i < c->nd; i++)
                if (ref_buf[i] != (exact_buf[i] > c->k ? c->k + 1 : exact_buf[i]))
                    mismatch(c, "auto (kmis reference)", "differs from min(exact, k+1)",
                             i, ref_buf[i], exact_buf[i], 1);
        kmis_ref_k = c->k;
    }
    memset(&hits_want, 0, sizeof hits_want);
    for (i = 0; i < c->nd; i++)
        if (ref_buf[i] <= c->k)
            hit_count(&hits_want, i, ref_buf[i]);
}

static void
run_case(const hcase *c)
{
    static result res[MAXROWS];
    size_t r;
    double t0 = now_s(), base = 0.0;
    char kbuf[16] = "-", ebuf[24] = "-";

    if (c->mode == MODE_HITS)
        hits_reference(c);
    else
        kmis_ref_k = HAM_UNBOUNDED; /* ref_buf is about to hold this case's */
    ref_valid = 0;
    ref_name = NULL;
    if (c->mode == MODE_APPROX && !exact_valid) { /* the contract needs exact d */
        ham_plan *plan;
        runner run;
        hcase e = *c;
        e.mode = MODE_EXACT;
        if (plan_make(&plan, &e, HAM_ENGINE_AUTO, 0) != HAM_OK)
            hb_die("cannot plan the exact reference");
        run.plan = plan;
        run.var = -1;
        run.k = HAM_UNBOUNDED;
        if (run_once(&run, &e, exact_buf) != HAM_OK)
            hb_die("cannot compute the exact reference");
        ham_plan_destroy(plan);
        exact_valid = 1;
        exact_name = "auto (exact)";
    }
    case_first = 0.0;
    for (r = 0; r < nrows; r++)
        res[r].state = R_NONE;
    if (O.prune > 0.0) /* AUTO first: its first run is the bar to clear */
        for (r = 0; r < nrows; r++)
            if (rows[r].engine == HAM_ENGINE_AUTO && row_applies(r, c->mode))
                run_row(c, r, &res[r]);
    for (r = 0; r < nrows; r++)
        if (row_applies(r, c->mode) &&
            !(O.prune > 0.0 && rows[r].engine == HAM_ENGINE_AUTO))
            run_row(c, r, &res[r]);
    {
        double fastest = 0.0;
        for (r = 0; r < nrows; r++)
            if (res[r].state == R_RUN && rows[r].var < 0 &&
                (fastest == 0.0 || res[r].med < fastest))
                fastest = res[r].med;
        for (r = 0; r < nrows; r++) /* a skipped row keeps its old ratio */
            if (res[r].state != R_SKIP)
                slow_ratio[r * nslots + c->slot] =
                    res[r].state == R_RUN && fastest > 0.0 ? res[r].med / fastest : 0.0;
    }
    if (c->mode == MODE_KMIS && ref_valid)
        kmis_ref_k = c->k;
    if (baseline_row >= 0 && res[baseline_row].state == R_RUN)
        base = res[baseline_row].med;
    if (c->mode == MODE_KMIS || c->mode == MODE_HITS)
        snprintf(kbuf, sizeof kbuf, "%u", (unsigned)c->k);
    if (c->mode == MODE_APPROX)
        snprintf(ebuf, sizeof ebuf, "%g", c->eps);
    for (r = 0; r < nrows; r++) {
        const result *q = &res[r];
        if (q->state == R_NONE)
            continue;
        printf("%s\t%s\t%s\t%u\t%zu\t%zu\t%u\t%s\t%s\t%d\t", rows[r].name,
               mode_names[c->mode], alphadefs[c->alpha].name, 8 * c->width, c->n, c->m,
               (unsigned)c->sigma, kbuf, ebuf, q->reps);
        if (q->state == R_RUN) {
            double med = q->med > 0.0 ? q->med : 1e-9;
            printf("%.6g\t%.6g\t%.4g\t%.4g\t", q->med, q->min,
                   med * 1e9 / (double)c->nd, (double)c->nd * (double)c->m / med / 1e9);
            if (base > 0.0)
                printf("%.3f\t", base / med);
            else
                printf("-\t");
        } else {
            printf("-\t-\t-\t-\t-\t");
        }
        printf("%s\n", q->note);
        rows_printed++;
    }
    fflush(stdout);
    if (O.verbose) {
        char d[160];
        case_desc(c, d, sizeof d);
        fprintf(stderr, "# %s: %.2f s\n", d, now_s() - t0);
    }
}

/* k of spec ks for pattern length m. */
static uint32_t
k_value(const kspec *ks, size_t m)
{
    if (ks->kind == 1)
        return (uint32_t)floor(sqrt((double)m));
    if (ks->kind == 2)
        return (uint32_t)(m / ks->v);
    return ks->v;
}

static uint32_t
count_distinct(const void *pat, size_t m, unsigned width)
{
    uint32_t d = 0;
    size_t i;
    if (width == 1) {
        unsigned char seen[256] = {0};
        const uint8_t *p = pat;
        for (i = 0; i < m; i++) {
            d += !seen[p[i]];
            seen[p[i]] = 1;
        }
    } else {
        uint32_t *s = xmalloc(m, sizeof *s);
        memcpy(s, pat, m * sizeof *s);
        qsort(s, m, sizeof *s, cmp_u32);
        for (i = 0; i < m; i++)
            d += i == 0 || s[i] != s[i - 1];
        free(s);
    }
    return d;
}

/* Plant O.plant copies of pat into t (length n), each with a log-uniform
 * number of substitutions (0 .. about m), so every k has hits near it. */
static void
plant(void *t, size_t n, const void *pat, size_t m, unsigned width, xoshiro *x)
{
    size_t c, s;
    unsigned lg = 0;
    while (((size_t)1 << lg) < m)
        lg++;
    for (c = 0; c < O.plant; c++) {
        size_t pos = (size_t)xo_below(x, n - m + 1);
        size_t span = (size_t)1 << xo_below(x, lg + 1);
        size_t subs = (size_t)xo_below(x, span < m ? span : m);
        memcpy((uint8_t *)t + pos * width, pat, m * width);
        for (s = 0; s < subs; s++) {
            size_t j = pos + (size_t)xo_below(x, m), src = (size_t)xo_below(x, n);
            if (width == 1)
                ((uint8_t *)t)[j] = ((uint8_t *)t)[src];
            else
                ((uint32_t *)t)[j] = ((uint32_t *)t)[src];
        }
    }
}

static void
run_grid(void)
{
    size_t nmax = O.n[O.nn - 1], mmax = O.m[O.nm - 1], ni, mi, ki, ei;
    void *pat = xmalloc(mmax, 4), *work = O.plant ? xmalloc(nmax, 4) : NULL;
    int a;
    double t0 = now_s();

    out_buf = xmalloc(nmax + 1, sizeof *out_buf);
    ref_buf = xmalloc(nmax + 1, sizeof *ref_buf);
    exact_buf = xmalloc(nmax + 1, sizeof *exact_buf);
    times = xmalloc((size_t)O.reps, sizeof *times);
    nslots = 1 + 2 * O.nk + O.neps; /* exact, kmis per k, approx per eps, hits per k */
    slow_t = xmalloc(nrows * nslots, sizeof *slow_t);
    slow_m = xmalloc(nrows * nslots, sizeof *slow_m);
    slow_ratio = xmalloc(nrows * nslots, sizeof *slow_ratio);

    print_header();
    for (a = 0; a < AL_COUNT; a++) {
        textbuf t;
        if (!(O.alphas & (1u << a)))
            continue;
        text_load(&t, a, nmax, O.data_dir, O.seed);
        for (ni = 0; ni < O.nn; ni++) {
            const size_t n = O.n[ni];
            memset(slow_t, 0, nrows * nslots * sizeof *slow_t);
            memset(slow_m, 0, nrows * nslots * sizeof *slow_m);
            memset(slow_ratio, 0, nrows * nslots * sizeof *slow_ratio);
            for (mi = 0; mi < O.nm; mi++) {
                const size_t m = O.m[mi];
                hcase c;
                xoshiro x;
                uint64_t mix = (uint64_t)a << 56 ^ (uint64_t)n << 24 ^ (uint64_t)m;
                size_t off;
                uint32_t kdone[64];
                size_t nkdone = 0;
                if (m > n)
                    continue;
                /* The pattern of (alphabet, n, m) does not depend on the rest
                 * of the grid: its seed mixes only these. */
                xo_seed(&x, O.seed ^ sm64(&mix));
                off = (size_t)xo_below(&x, n - m + 1);
                memcpy(pat, (const uint8_t *)t.buf + off * t.width, m * t.width);
                memset(&c, 0, sizeof c);
                c.alpha = a;
                c.width = t.width;
                c.n = n;
                c.m = m;
                c.nd = n - m + 1;
                c.pat = pat;
                c.text = t.buf;
                c.src = t.src;
                if (O.plant) {
                    memcpy(work, t.buf, n * t.width);
                    plant(work, n, pat, m, t.width, &x);
                    c.text = work;
                }
                c.sigma = count_distinct(pat, m, t.width);
                exact_valid = 0;
                if (O.modes & (1u << MODE_EXACT)) {
                    c.mode = MODE_EXACT;
                    c.k = HAM_UNBOUNDED;
                    c.eps = 0.0;
                    c.slot = 0;
                    run_case(&c);
                }
                for (ki = 0;
                     (O.modes & (1u << MODE_KMIS | 1u << MODE_HITS)) && ki < O.nk;
                     ki++) {
                    uint32_t k = k_value(&O.k[ki], m);
                    size_t j;
                    for (j = 0; j < nkdone && kdone[j] != k; j++)
                        ;
                    if (j < nkdone || k >= m) /* duplicate, or every shift a hit */
                        continue;
                    if (nkdone < sizeof kdone / sizeof kdone[0])
                        kdone[nkdone++] = k;
                    c.eps = 0.0;
                    c.k = k;
                    if (O.modes & (1u << MODE_KMIS)) {
                        c.mode = MODE_KMIS;
                        c.slot = 1 + ki;
                        run_case(&c);
                    }
                    if (O.modes & (1u << MODE_HITS)) { /* right after: same ref_buf */
                        c.mode = MODE_HITS;
                        c.slot = 1 + O.nk + O.neps + ki;
                        run_case(&c);
                    }
                }
                for (ei = 0; (O.modes & (1u << MODE_APPROX)) && ei < O.neps; ei++) {
                    c.mode = MODE_APPROX;
                    c.k = HAM_UNBOUNDED;
                    c.eps = O.eps[ei];
                    c.slot = 1 + O.nk + ei;
                    run_case(&c);
                }
            }
        }
        text_free(&t);
    }
    fprintf(stderr, "# hambench: %zu rows in %.1f s, all outputs verified\n",
            rows_printed, now_s() - t0);
    free(pat);
    free(work);
    free(out_buf);
    free(ref_buf);
    free(exact_buf);
    free(times);
    free(slow_t);
    free(slow_m);
    free(slow_ratio);
}

/* ---- --peak: the naive kernel's inner operation at L1 speed ------------- */

/*
 * The shift-parallel kernel (algorithms.md 3.2) spends its time in: load 64
 * (32) text bytes at offset j, compare with the broadcast P[j], add the
 * equality mask to 8-bit counters. The loops below do exactly that on an
 * L1-resident buffer with PK_U independent accumulators (to cover latency)
 * and 255 positions per block (the counters' limit), so their rate is the
 * practical ceiling for the naive kernel on this core. Each block's text
 * offset varies (b & 7) so no work is loop-invariant; the match total is
 * checked against a scalar count so nothing was optimised away.
 */
#define PK_U    8
#define PK_J    255
#define PK_TLEN (PK_U * 64 + PK_J + 8 + 64)

typedef uint64_t (*peak_fn)(const uint8_t *t, const uint8_t *p, long blocks);

#if HB_X86
__attribute__((target("avx512f,avx512bw"))) static uint64_t
peak_avx512(const uint8_t *t, const uint8_t *p, long blocks)
{
    const __m512i one = _mm512_set1_epi8(1), zero = _mm512_setzero_si512();
    __m512i tot = zero;
    long b;
    int j;
    for (b = 0; b < blocks; b++) {
        __m512i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero,
                a6 = zero, a7 = zero;
        const uint8_t *tb = t + (b & 7);
        for (j = 0; j < PK_J; j++) {
            const __m512i pj = _mm512_set1_epi8((char)p[j]);
            const uint8_t *q = tb + j;
#define PK512(a, u)                                                                    \
    a = _mm512_mask_add_epi8(                                                          \
        a,                                                                             \
        _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(q + 64 * (u))), pj),  \
        a, one)
            PK512(a0, 0);
            PK512(a1, 1);
            PK512(a2, 2);
            PK512(a3, 3);
            PK512(a4, 4);
            PK512(a5, 5);
            PK512(a6, 6);
            PK512(a7, 7);
#undef PK512
        }
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a0, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a1, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a2, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a3, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a4, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a5, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a6, zero));
        tot = _mm512_add_epi64(tot, _mm512_sad_epu8(a7, zero));
    }
    return (uint64_t)_mm512_reduce_add_epi64(tot);
}

__attribute__((target("avx2"))) static uint64_t
peak_avx2(const uint8_t *t, const uint8_t *p, long blocks)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i tot = zero;
    uint64_t lanes[4];
    long b;
    int j;
    for (b = 0; b < blocks; b++) {
        __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero,
                a6 = zero, a7 = zero;
        const uint8_t *tb = t + (b & 7);
        for (j = 0; j < PK_J; j++) {
            const __m256i pj = _mm256_set1_epi8((char)p[j]);
            const uint8_t *q = tb + j;
#define PK256(a, u)                                                                    \
    a = _mm256_sub_epi8(                                                               \
        a, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q + 32 * (u))), pj))
            PK256(a0, 0);
            PK256(a1, 1);
            PK256(a2, 2);
            PK256(a3, 3);
            PK256(a4, 4);
            PK256(a5, 5);
            PK256(a6, 6);
            PK256(a7, 7);
#undef PK256
        }
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a0, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a1, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a2, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a3, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a4, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a5, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a6, zero));
        tot = _mm256_add_epi64(tot, _mm256_sad_epu8(a7, zero));
    }
    _mm256_storeu_si256((__m256i *)lanes, tot);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

/* SSE2 is part of x86-64: no target attribute needed. */
static uint64_t
peak_sse2(const uint8_t *t, const uint8_t *p, long blocks)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i tot = zero;
    uint64_t lanes[2];
    long b;
    int j;
    for (b = 0; b < blocks; b++) {
        __m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero,
                a6 = zero, a7 = zero;
        const uint8_t *tb = t + (b & 7);
        for (j = 0; j < PK_J; j++) {
            const __m128i pj = _mm_set1_epi8((char)p[j]);
            const uint8_t *q = tb + j;
#define PK128(a, u)                                                                    \
    a = _mm_sub_epi8(                                                                  \
        a, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + 16 * (u))), pj))
            PK128(a0, 0);
            PK128(a1, 1);
            PK128(a2, 2);
            PK128(a3, 3);
            PK128(a4, 4);
            PK128(a5, 5);
            PK128(a6, 6);
            PK128(a7, 7);
#undef PK128
        }
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a0, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a1, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a2, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a3, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a4, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a5, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a6, zero));
        tot = _mm_add_epi64(tot, _mm_sad_epu8(a7, zero));
    }
    _mm_storeu_si128((__m128i *)lanes, tot);
    return lanes[0] + lanes[1];
}
#endif /* HB_X86 */

/* What the peak loops must count, from plain C. */
static uint64_t
peak_expected(const uint8_t *t, const uint8_t *p, long blocks, int lanes)
{
    uint64_t per[8] = {0}, tot = 0;
    int o, j, i;
    for (o = 0; o < 8; o++)
        for (j = 0; j < PK_J; j++)
            for (i = 0; i < PK_U * lanes; i++)
                per[o] += t[o + j + i] == p[j];
    for (o = 0; o < 8; o++)
        tot += per[o] * (uint64_t)(blocks / 8 + (o < blocks % 8));
    return tot;
}

typedef struct peak_res {
    double best, median; /* Gcmp/s */
} peak_res;

static peak_res
peak_measure(peak_fn f, const uint8_t *t, const uint8_t *p, int lanes, const char *name)
{
    long blocks = 256;
    double dt, rate[7];
    const double per_block = (double)PK_J * PK_U * lanes;
    peak_res pr;
    int i;
    uint64_t got;
    for (;;) { /* calibrate to ~0.1 s per measurement */
        double t0 = now_s();
        got = f(t, p, blocks);
        dt = now_s() - t0;
        if (dt > 0.02 || blocks > (1L << 40))
            break;
        blocks *= 4;
    }
    if (got != peak_expected(t, p, blocks, lanes))
        hb_die("--peak %s: counted %llu matches, want %llu", name,
               (unsigned long long)got,
               (unsigned long long)peak_expected(t, p, blocks, lanes));
    blocks = (long)((double)blocks * 0.1 / dt) + 1;
    for (i = 0; i < 7; i++) {
        double t0 = now_s();
        got = f(t, p, blocks);
        dt = now_s() - t0;
        rate[i] = (double)blocks * per_block / dt / 1e9;
    }
    qsort(rate, 7, sizeof rate[0], cmp_double);
    pr.best = rate[6];
    pr.median = rate[3];
    return pr;
}

/* Time one naive row (engine or forced kernel) on uniform256 text. */
static double
peak_kernel(const uint8_t *txt, size_t n, const uint8_t *pat, size_t m, int var,
            uint32_t *out, int *isa_used)
{
    ham_plan *plan;
    ham_params p;
    runner run;
    hcase c;
    double best[5], t0;
    int i, rc, reps;
    ham_params_init(&p);
    p.engine = HAM_ENGINE_NAIVE;
    if (ham_plan_create_u8(&plan, pat, m, &p) != HAM_OK)
        hb_die("--peak: plan creation failed");
    memset(&c, 0, sizeof c);
    c.width = 1;
    c.n = n;
    c.m = m;
    c.nd = n - m + 1;
    c.text = txt;
    c.pat = pat;
    run.plan = plan;
    run.var = var;
    run.k = HAM_UNBOUNDED;
    *isa_used = plan->cpu.isa;
    if (var >= 0 && vardefs[var].isa != ISA_BEST && vardefs[var].isa < *isa_used)
        *isa_used = vardefs[var].isa;
    t0 = now_s();
    rc = run_once(&run, &c, out); /* warm-up */
    if (rc == HAM_EUNSUPPORTED) {
        ham_plan_destroy(plan);
        return -1.0;
    }
    reps = now_s() - t0 > 0.3 ? 1 : 5; /* the portable kernel is slow */
    for (i = 0; i < reps && rc == HAM_OK; i++) {
        t0 = now_s();
        rc = run_once(&run, &c, out);
        best[i] = now_s() - t0;
    }
    if (rc != HAM_OK)
        hb_die("--peak: %s", ham_errname(rc));
    ham_plan_destroy(plan);
    qsort(best, (size_t)reps, sizeof best[0], cmp_double);
    return (double)c.nd * (double)m / best[reps / 2] / 1e9;
}

static void
run_peak(void)
{
    uint8_t t[PK_TLEN], p[PK_J];
    double peak_of[3] = {0.0, 0.0, 0.0}; /* by HAM__ISA_*; portable = sse2 */
    xoshiro x;
    size_t i, mi;
    const size_t n = O.n[O.nn - 1];
    uint8_t *txt, *pat;
    uint32_t *out;

    xo_seed(&x, O.seed);
    for (i = 0; i < PK_TLEN; i++) /* 4 symbols: a quarter of the compares match */
        t[i] = (uint8_t) "ACGT"[xo_below(&x, 4)];
    for (i = 0; i < PK_J; i++)
        p[i] = (uint8_t) "ACGT"[xo_below(&x, 4)];
    printf("what\tisa\tbits\tn\tm\tgcmp_s_best\tgcmp_s_median\tns_cmp\tpct_of_"
           "peak\tnote\n");
#if HB_X86
    {
        struct {
            const char *isa;
            int bits, lanes, slot, supported;
            const char *note;
            peak_fn f;
        } pk[3] = {
            {"avx512bw", 512, 64, HAM__ISA_AVX512, 0,
             "vpcmpeqb->k + masked vpaddb, 8 accumulators, L1", peak_avx512},
            {"avx2", 256, 32, HAM__ISA_AVX2, 0, "vpcmpeqb + vpsubb, 8 accumulators, L1",
             peak_avx2},
            {"sse2", 128, 16, HAM__ISA_PORTABLE, 1,
             "pcmpeqb + psubb, 8 accumulators, L1", peak_sse2},
        };
        size_t q;
        __builtin_cpu_init();
        pk[0].supported =
            __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
        pk[1].supported = __builtin_cpu_supports("avx2");
        for (q = 0; q < sizeof pk / sizeof pk[0]; q++) {
            peak_res pr;
            if (!pk[q].supported) {
                fprintf(stderr, "# --peak: CPU lacks %s\n", pk[q].isa);
                continue;
            }
            pr = peak_measure(pk[q].f, t, p, pk[q].lanes, pk[q].isa);
            peak_of[pk[q].slot] = pr.best;
            printf("peak\t%s\t%d\t-\t-\t%.2f\t%.2f\t%.4f\t100\t%s\n", pk[q].isa,
                   pk[q].bits, pr.best, pr.median, 1.0 / pr.best, pk[q].note);
            fflush(stdout);
        }
    }
#else
    fprintf(stderr, "# --peak: no SIMD micro-benchmark for this architecture\n");
#endif
    /* The naive kernels on the same operation, at the grid's sizes. */
    txt = xmalloc(n, 1);
    out = xmalloc(n, sizeof *out);
    fill_uniform_u8(txt, n, NULL, &x);
    for (mi = 0; mi < O.nm; mi++) {
        const size_t m = O.m[mi];
        long r;
        if (m > n)
            continue;
        pat = txt + xo_below(&x, n - m + 1);
        for (r = 0; r < (long)nrows; r++) {
            const rowdef *rd = &rows[r];
            int isa;
            double g, pk;
            if (rd->engine != HAM_ENGINE_NAIVE ||
                (rd->var >= 0 && vardefs[rd->var].variant != HAM__NV_SHIFTPAR))
                continue;
            g = peak_kernel(txt, n, pat, m, rd->var, out, &isa);
            if (g < 0.0)
                continue;
            pk = peak_of[isa];
            printf("%s\t%s\t%d\t%zu\t%zu\t-\t%.2f\t%.4f\t", rd->name, isa_name(isa),
                   isa == HAM__ISA_AVX512 ? 512
                   : isa == HAM__ISA_AVX2 ? 256
                                          : 128,
                   n, m, g, 1.0 / g);
            if (pk > 0.0)
                printf("%.1f\t", 100.0 * g / pk);
            else
                printf("-\t");
            printf("uniform256, median of 5 (1 if slow); %% of the %s peak\n",
                   isa == HAM__ISA_PORTABLE ? "sse2" : isa_name(isa));
            fflush(stdout);
        }
    }
    free(txt);
    free(out);
}

/* ---- main ---------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    ham__cpu cpu = ham__cpu_detect(0);
    const char *bname;

    best_isa = cpu.isa;
    rows_build(cpu.isa);
    parse_args(argc, argv);
    if (O.peak) {
        if (!O.m_set)
            parse_sizes("256,4096", "--m", &O.m, &O.nm);
        if (!O.n_set)
            parse_sizes("2^20", "--n", &O.n, &O.nn);
        run_peak();
        return 0;
    }
    if (O.engines)
        select_engines(O.engines);
    bname = O.baseline                                    ? O.baseline
            : ham_engine_available(HAM_ENGINE_ABRAHAMSON) ? "abrahamson"
                                                          : "naive";
    baseline_row = row_find(bname);
    if ((O.modes & (1u << MODE_APPROX)) && !O.modes_set) {
        unsigned e, any = 0;
        for (e = 1; e < HAM_ENGINE_COUNT_; e++)
            any |= ham__engine((ham_engine)e) &&
                   (ham__engine((ham_engine)e)->caps & HAM__CAP_APPROX);
        if (!any) {
            O.modes &= ~(1u << MODE_APPROX);
            fprintf(stderr,
                    "# no approximate engine in this build: approx cases skipped "
                    "(--modes=exact,kmis,approx forces them)\n");
        }
    }
    if (O.cpu_clock && O.threads > 1)
        hb_die("--clock=cpu times one thread: use --threads=1 (or --clock=wall)");
    if (baseline_row < 0)
        hb_warn("baseline %s has no row in this build: ratio column is '-'", bname);

    fprintf(
        stderr,
        "# hambench: libhamming %s (header %s); cpu isa=%s vpopcntdq=%d; threads=%u\n"
        "# reps=%d budget=%gs max-time=%gs max-ratio=%g prune=%g seed=%llu plant=%zu "
        "baseline=%s clock=%s\n"
        "# data-dir=%s\n",
        ham_version_string(), HAM_VERSION_STRING, isa_name(cpu.isa), cpu.has_vpopcntdq,
        O.threads, O.reps, O.budget, O.max_time, O.max_ratio, O.prune,
        (unsigned long long)O.seed, O.plant, bname, O.cpu_clock ? "cpu" : "wall",
        O.data_dir && *O.data_dir ? O.data_dir : "(none: synthetic data)");
    run_grid();
    free(O.n);
    free(O.m);
    free(O.k);
    free(O.eps);
    return 0;
}
