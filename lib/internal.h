/* SPDX-License-Identifier: MIT */
/*
 * internal.h -- private to lib/: the plan structure, the engine table and the
 * ham__ helpers every engine shares. Never installed.
 *
 * Naming: ham__x (double underscore) for non-static internals, hidden by
 * -fvisibility=hidden and outside the export regex '^ham_[a-z]'.
 */
#ifndef HAM_INTERNAL_H
#define HAM_INTERNAL_H

#include "config.h"

#include <hamming.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Assertions (internal invariants only; bad input returns codes) ---- */

#ifdef HAM_DEBUG
#include <stdio.h>
#include <stdlib.h>
#define HAM_ASSERT(c)                                                                  \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "%s:%d: libhamming internal error: %s\n", __FILE__,        \
                    __LINE__, #c);                                                     \
            abort();                                                                   \
        }                                                                              \
    } while (0)
#else
#define HAM_ASSERT(c) ((void)0)
#endif

#if defined(__GNUC__)
#define HAM_LIKELY(x)   __builtin_expect(!!(x), 1)
#define HAM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HAM_LIKELY(x)   (x)
#define HAM_UNLIKELY(x) (x)
#endif

/* ---- CPU features (picked at plan creation, kept in the plan) ---------- */

enum {
    HAM__ISA_PORTABLE = 0, /* plain C                                      */
    HAM__ISA_AVX2 = 1,     /* x86-64 AVX2 + BMI2 + POPCNT                  */
    HAM__ISA_AVX512 = 2,   /* AVX-512 F + BW (+ VPOPCNTDQ noted separately) */
};

typedef struct ham__cpu {
    int isa;           /* the best HAM__ISA_* allowed by the CPU and the flags */
    int has_vpopcntdq; /* AVX-512 VPOPCNTDQ (only meaningful with AVX512)      */
} ham__cpu;

/* Detect what the CPU offers, capped by HAM_F_NO_SIMD / HAM_F_NO_AVX512. */
ham__cpu ham__cpu_detect(unsigned flags);

/* ---- Alphabet compaction (algorithms.md 2.1) ---------------------------- */

/* Pattern symbols get dense ids 1..sigma; a text symbol absent from the
 * pattern maps to id 0, which matches nothing. The wildcard symbol, when set,
 * gets no id: its pattern positions hold HAM__WILD_ID and are skipped. */
#define HAM__WILD_ID UINT32_MAX

/* Cuckoo hash table for u32 symbols: every pattern symbol sits in one of
 * its two slots h1(key), h2(key) (multiply-shift hashes with odd 64-bit
 * multipliers a1, a2), so a lookup is two probes and no branch; an empty
 * slot has id 0, which is also the answer for an absent key. Capacity is a
 * power of two >= 4 sigma (load <= 1/4, where insertion rarely fails; a
 * failure picks new multipliers or doubles the table). */
typedef struct ham__symtab {
    uint32_t *keys;
    uint32_t *ids;
    uint64_t a1, a2;
    int shift; /* 64 - log2(capacity) */
} ham__symtab;

/* ---- Calibration of the cost model (lib/cost.c) ------------------------ */

/* scale[e] multiplies engine e's estimate (ops->cost) in ham__choose. */
typedef struct ham__calib {
    double scale[HAM_ENGINE_COUNT_];
    int from_file; /* a HAM_CALIBRATION file set at least one value */
} ham__calib;
/* The built-in table (doc/benchmarks.md's calibration run). */
void ham__calib_defaults(ham__calib *c);
/* Defaults, then the HAM_CALIBRATION file if set and readable; never fails,
 * never prints (bad lines are ignored). */
void ham__calib_load(ham__calib *c);
/* Apply "scale.<engine> <value>" lines of text[0..len-1] on top of c;
 * returns the number of values set. */
int ham__calib_parse(ham__calib *c, const char *text, size_t len);

/* AUTO's choice cache: one slot per floor(log2(shifts)) (shifts = n - m + 1),
 * plus one for approximate plans; 0 = not yet chosen, else engine + 1. */
#define HAM__CHOICE_SLOTS 65

/* ---- The plan ---------------------------------------------------------- */

struct ham_plan {
    unsigned width; /* bytes per symbol: 1 or 4 */
    size_t m;
    ham_params params;
    ham__cpu cpu;

    union {
        uint8_t *u8;
        uint32_t *u32;
        void *raw;
    } pat; /* copy of the pattern, raw symbols */

    /* compaction */
    uint32_t sigma;      /* distinct pattern symbols, wildcard excluded           */
    size_t m_eff;        /* m minus the wildcard positions                          */
    uint32_t map8[256];  /* u8 plans: symbol -> id (0 = absent or the wildcard)     */
    ham__symtab tab;     /* u32 plans: symbol -> id                                 */
    uint32_t *pid;       /* pid[j]: id of P[j], HAM__WILD_ID for the wildcard       */
    uint32_t *pcount;    /* pcount[c] = p_c for c in 1..sigma (pcount[0] = 0)       */
    uint32_t *occ_start; /* CSR: positions of id c are occ[occ_start[c] .. [c+1])   */
    uint32_t *occ;       /* m_eff positions, increasing within each id              */
    size_t *nonwild;     /* the m_eff pattern positions that are not the wildcard   */

    /* engines: bit e of candidates is set when engine e was prepared and can
     * serve this plan (the forced engine alone, or every candidate of AUTO);
     * eng[e] is its state, built by ops->prepare, released by ops->release */
    uint32_t candidates;
    void *eng[HAM_ENGINE_COUNT_];

    ham__calib cal; /* cost-model correction factors (lib/cost.c) */
    /* AUTO's choice per shift-count bucket (ham__choose), filled lazily by
     * whichever thread asks first with relaxed atomic byte stores: the plan
     * is shared by threads, every filler computes the same value (the choice
     * depends only on the plan and the bucket), so a race is benign. A
     * separate allocation of HAM__CHOICE_SLOTS bytes: written through a
     * const plan without casting its constness away. */
    unsigned char *choice;
};

/* Map text[0..n-1] (plan width) to pattern ids into ids[0..n-1]. */
void ham__map_ids(const ham_plan *plan, const void *text, size_t n, uint32_t *ids);
/* Id of one u32 symbol (0 when absent from the pattern). Inline and
 * branch-free: text mapping calls it once per symbol, and with a branch (GCC
 * 12 turns ?: into one here) every other symbol of a text where symbols in
 * and out of the pattern mix is a mispredict: 6.2 ns per symbol with
 * branches, 1.8 ns with the masks (zipf32 text, sigma = 558). */
static inline uint32_t
ham__symtab_get(const ham__symtab *t, uint32_t key)
{
    const uint32_t h1 = (uint32_t)((key * t->a1) >> t->shift);
    const uint32_t h2 = (uint32_t)((key * t->a2) >> t->shift);
    return (t->ids[h1] & (0u - (uint32_t)(t->keys[h1] == key))) |
           (t->ids[h2] & (0u - (uint32_t)(t->keys[h2] == key)));
}

/* ---- Engines ----------------------------------------------------------- */

enum {
    HAM__CAP_EXACT = 1u << 0,    /* exact distances (max_dist unbounded)       */
    HAM__CAP_KBOUND = 1u << 1,   /* k-bounded distances                       */
    HAM__CAP_APPROX = 1u << 2,   /* (1+eps)-approximate only (needs eps > 0)  */
    HAM__CAP_WILDCARD = 1u << 3, /* supports a pattern wildcard               */
    HAM__CAP_U32 = 1u << 4,      /* supports 32-bit symbols                   */
};

typedef struct ham__engine_ops {
    ham_engine id;
    unsigned caps; /* HAM__CAP_* */
    /* Plan-time preprocessing into plan->eng[id]; may be NULL. Called once
     * per plan for every engine that can serve it, before the plan is shared. */
    int (*prepare)(ham_plan *plan);
    /* Releases plan->eng[id]; may be NULL. Must accept a partially built state. */
    void (*release)(ham_plan *plan);
    /* Estimated time in nanoseconds for all shifts of a length-n text (n >= m),
     * given plan->params (k, eps). */
    double (*cost)(const ham_plan *plan, size_t n);
    /* Distances for text[0..n-1] (plan width, n >= m) into dist[0..n-m]: exact,
     * or k-bounded (d if d <= k, else k + 1) when k != HAM_UNBOUNDED.
     * Returns HAM_OK, HAM_ENOMEM or HAM_EFFTW. */
    int (*dist)(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
                uint32_t k);
} ham__engine_ops;

/* The table of engines built into this library; NULL for those that are not. */
const ham__engine_ops *ham__engine(ham_engine e);

/* The engine AUTO (or a forced choice) uses for a text of length n. AUTO
 * decides per bucket of shift counts, at the bucket's representative text
 * length ham__choice_n(plan, n), and caches the decision in the plan. */
ham_engine ham__choose(const ham_plan *plan, size_t n);
size_t ham__choice_n(const ham_plan *plan, size_t n);
/* Engine e's calibrated cost estimate for a text of length n (ns). */
double ham__engine_cost(const ham_plan *plan, ham_engine e, size_t n);

/* Dense distances with the plan's chosen engine and max_dist: the body of
 * ham_dist_*, without argument checks (n >= m, dist has n - m + 1 slots). */
int ham__dist_dense(const ham_plan *plan, const void *text, size_t n, uint32_t *dist);

/* Report every shift of text[0..n-1] with dist <= max_dist (all of them when
 * max_dist is HAM_UNBOUNDED) to fn as pos0 + shift, in increasing order, using
 * engine e, working in blocks so that memory is O(m + block) whatever n.
 * n may be < m (nothing to do). scratch, when not NULL, is a reusable
 * distance buffer of the caller's (ham__scan may grow it).
 * Returns HAM_OK, HAM_ESTOPPED, HAM_ENOMEM, HAM_EFFTW. */
typedef struct ham__scratch {
    uint32_t *dist;
    size_t cap;
} ham__scratch;
int ham__scan(const ham_plan *plan, ham_engine e, const void *text, size_t n,
              uint64_t pos0, ham_hit_fn fn, void *ctx, ham__scratch *scratch);

/* lib/threads.c: run fn(ctx, item, worker) for every item < nitems on up to
 * `threads` threads (the caller's included; worker < threads identifies the
 * thread, for per-thread scratch). Items must write disjoint outputs. The
 * first error stops the remaining items and is returned. */
typedef int (*ham__task_fn)(void *ctx, size_t item, unsigned worker);
int ham__parallel(unsigned threads, size_t nitems, ham__task_fn fn, void *ctx);

/* Shifts per thread item below which threads do not pay (thread creation,
 * m - 1 symbols of overlap per item). */
#define HAM__PAR_MIN_SHIFTS ((size_t)1 << 16)

/* ---- Engine entry points (one file each) -------------------------------- */

/* lib/naive.c: A1, algorithms.md section 3. */
extern const ham__engine_ops ham__naive_ops;

/* Variants of the naive engine, forced by tests and bench through
 * ham__naive_dist_variant; the engine picks one itself otherwise. */
enum {
    HAM__NV_AUTO = 0,  /* the engine's own choice                         */
    HAM__NV_SCALAR,    /* one shift at a time, portable C                 */
    HAM__NV_SHIFTPAR,  /* shift-parallel SIMD (3.2), ISA from the plan    */
    HAM__NV_BITSLICED, /* bit-sliced planes (3.3); small sigma only       */
    HAM__NV_EARLYEXIT, /* per shift, 64 symbols at a time, stop above k   */
    HAM__NV_KZERO,     /* k = 0 only: SIMD sampled-symbol filter + verify */
    HAM__NV_COUNT_
};
/* As ops->dist, with the variant forced and the ISA capped at isa
 * (HAM__ISA_*; capped further by the plan's CPU). Returns HAM_EUNSUPPORTED
 * when the variant cannot serve the plan (e.g. bit-sliced with a large sigma). */
int ham__naive_dist_variant(const ham_plan *plan, const void *text, size_t n,
                            uint32_t *dist, uint32_t k, int variant, int isa);

/* k-bounded engines (algorithms.md 7, 3.5): lib/kangaroo.c, lib/kbounded.c,
 * lib/bitparallel.c; their shared internals are in lib/lce.h. */
extern const ham__engine_ops ham__kangaroo_ops;
extern const ham__engine_ops ham__kbounded_ops;
extern const ham__engine_ops ham__bitparallel_ops;

/* lib/sumset.c uses the FFT layer; lib/fft.c: FFTW planner lock and plans. */
void ham__fftw_lock(void);
void ham__fftw_unlock(void);

/* ---- FFT layer for the correlation engines (lib/fft.c, lib/ntt.c) --------- */
/*
 * The exact engines fft (lib/fft_engine.c, A2) and abrahamson
 * (lib/abrahamson.c, A3) correlate text blocks of N symbols (blocks overlap
 * by m - 1, algorithms.md 2.2) with per-symbol pattern indicators. FFTW types
 * stay inside lib/fft.c: the engines see only these opaque objects.
 *
 * ham__fft_ctx   one per engine state (per plan): FFTW plans and the cached
 *                pattern spectra conj(DFT_N(q_c)) for each size N used,
 *                filled lazily under a per-context mutex (a plan is shared by
 *                threads; the cache never changes a result), bounded by
 *                HAM__FFT_SPECTRA_BUDGET bytes, beyond which spectra are
 *                recomputed per block.
 * ham__fft_work  one per call: the buffers of one block of size N.
 * A block: begin (optionally with "minus one" positions, the one-transform-
 * fewer trick of algorithms.md 4), add one symbol's text positions per
 * symbol (r2c + multiply-accumulate into one spectrum), end (one c2r, then
 * the exactness checks of 2.3: residual <= 1/8 and the sum rule). A block
 * whose check fails is recomputed by the caller with ham__ntt_matches.
 */
typedef struct ham__fft_ctx ham__fft_ctx;
typedef struct ham__fft_work ham__fft_work;

/* Bytes of cached spectra per context (all sizes together). */
#define HAM__FFT_SPECTRA_BUDGET ((size_t)256 << 20)
/* Largest block size: FFTW's 1-d interface takes an int. */
#define HAM__FFT_MAX_N ((size_t)1 << 30)

int ham__fft_ctx_create(ham__fft_ctx **out, const ham_plan *plan);
void ham__fft_ctx_destroy(ham__fft_ctx *ctx);
/* Estimated ns of one r2c (or c2r) transform of size N (FFTW_ESTIMATE plans). */
double ham__fft_transform_ns(size_t N);
/* Estimated ns per text symbol of mapping it to its pattern id. */
double ham__fft_map_ns(const ham_plan *plan);
/* Whether the spectra of nsym more symbols at size N fit in the budget now. */
int ham__fft_spectra_fit(ham__fft_ctx *ctx, size_t N, double nsym);
/* Whether the spectrum of id c at size N is cached. */
int ham__fft_has_spectrum(ham__fft_ctx *ctx, size_t N, uint32_t c);
/* The next FFT-friendly size (2^a times 1, 5/4, 3/2, 25/16 or 15/8) > N. */
size_t ham__fft_next_size(size_t N);
/* Block size for a text of n symbols (n >= m): the friendly N in
 * [m + 1, min(32 m, first friendly >= n)] minimising
 *     ceil((n - m + 1) / W) * block_ns(arg, N, W) + setup_ns(arg, N, W)
 * with W = N - m + 1 shifts per block;
 * 0 when m is too large for any N <= HAM__FFT_MAX_N. *total gets the cost. */
typedef double (*ham__fft_cost_fn)(const void *arg, size_t N, size_t W);
size_t ham__fft_pick_size(size_t m, size_t n, ham__fft_cost_fn block_ns,
                          ham__fft_cost_fn setup_ns, const void *arg, double *total);

/* Buffers for blocks of size N (HAM_ENOMEM, HAM_EFFTW). */
int ham__fft_work_create(ham__fft_work **out, ham__fft_ctx *ctx, size_t N);
void ham__fft_work_destroy(ham__fft_work *w);
/* Start a block of ids[0..L-1] (L <= N; the array must stay valid until
 * ham__fft_block_end). cstar (0 for none) is the id whose tstar positions
 * hold -1 in every text vector added to this block (the one-transform-fewer
 * trick); neg lists them, or NULL to find them in ids. */
void ham__fft_block_begin(ham__fft_work *w, const uint32_t *ids, size_t L,
                          uint32_t cstar, size_t tstar, const uint32_t *neg);
/* Add corr(x, q_c) to the block, x = the indicator of id c (t positions:
 * pos[0..t-1] when pos is not NULL, else found in ids, which pays when c is
 * dense) plus the block's -1 positions. HAM_OK, HAM_ENOMEM. */
int ham__fft_block_add(ham__fft_work *w, uint32_t c, size_t t, const uint32_t *pos);
/* Inverse transform and checks. r[s] = the rounded correlation sum at shift
 * s < nshift. Returns HAM_OK, or 1 when the a posteriori check failed (r is
 * then meaningless; recompute the block exactly). */
int ham__fft_block_end(ham__fft_work *w, size_t nshift, int32_t *r);
/* A priori rule (2.3): may a block whose operands satisfy
 * sum_c ||x_c|| ||q_c|| <= normsum use double precision at size N? */
int ham__fft_apriori_ok(const ham__fft_ctx *ctx, size_t N, double normsum);
/* Map text[0..L-1] (plan width) to ids[0..L-1] and count them: hist[c] =
 * t_c, hist[0] = the symbols absent from the pattern (hist zero on entry;
 * the caller resets hist[0] and hist[present[..]] afterwards),
 * present[0..np-1] the non-zero ids seen (room for sigma + 1). Returns np. */
size_t ham__fft_map_hist(const ham_plan *plan, const void *text, size_t L,
                         uint32_t *ids, uint32_t *hist, uint32_t *present);
/* Positions by id: pos[start[c] .. start[c] + hist[c]) are the positions of
 * c in ids[0..L-1], increasing, for the np ids of present (pos has room for
 * L, start for sigma + 1 entries). */
void ham__fft_bucket(const uint32_t *ids, size_t L, const uint32_t *hist,
                     const uint32_t *present, size_t np, uint32_t *start,
                     uint32_t *pos);
/* Count a block recomputed exactly (statistics, test hooks). */
void ham__fft_count_fallback(ham__fft_ctx *ctx);

/* lib/ntt.c: exact match counts out[s] = sum over c in syms[0..nsyms-1] of
 * #{j : P[j] = c, ids[s + j] = c} for s < nshift (nshift + m - 1 <= L), by
 * number-theoretic transforms modulo 2^64 - 2^32 + 1 (2.4). HAM_ENOMEM. */
int ham__ntt_matches(const ham_plan *plan, const uint32_t *ids, size_t L, size_t nshift,
                     const uint32_t *syms, size_t nsyms, uint32_t *out);

/* Engine states of the FFT engines begin with this head, so that tests and
 * bench reach the context and the block-size rule of either engine. */
typedef struct ham__fft_head {
    ham__fft_ctx *fft;
    size_t (*block_size)(const ham_plan *plan, size_t n); /* N for a text of n */
} ham__fft_head;
/* The head of engine e (HAM_ENGINE_FFT or HAM_ENGINE_ABRAHAMSON) of a plan
 * that prepared it; NULL otherwise. */
const ham__fft_head *ham__fft_head_of(const ham_plan *plan, ham_engine e);

/* Test hooks (tests/check_fft.c): add delta to the real part of bin `bin`
 * of every accumulated block spectrum (bin >= N/2 + 1: no fault); make the a
 * priori rule accept only normsum * ceil(log2 N) <= limit (default 2^44);
 * the number of blocks recomputed exactly so far. */
void ham__fft_test_fault(ham__fft_ctx *ctx, size_t bin, double delta);
void ham__fft_test_apriori(ham__fft_ctx *ctx, double limit);
uint64_t ham__fft_test_fallbacks(ham__fft_ctx *ctx);
/* Spectra budget in bytes (0: every spectrum recomputed per block). */
void ham__fft_test_budget(ham__fft_ctx *ctx, size_t bytes);
/* Force the block size N (> m, FFT-friendly or not; 0 = the size rule), for
 * edge tests and block-size sweeps; ham__fft_forced_size reads it. */
void ham__fft_test_size(ham__fft_ctx *ctx, size_t N);
size_t ham__fft_forced_size(ham__fft_ctx *ctx);

/* Abrahamson's split, for tests and threshold sweeps (set before the plan
 * is used). force = HAM__ABR_MODEL: the cost model with enumeration costs
 * multiplied by arg (1 = as calibrated); HAM__ABR_ALL_E: every symbol
 * enumerated (no cap); HAM__ABR_ALL_F: every symbol transformed;
 * HAM__ABR_MIXED: odd ids transformed, even ones enumerated;
 * HAM__ABR_FIXED: the classical fixed threshold, p_c >= arg transformed. */
enum {
    HAM__ABR_MODEL = 0,
    HAM__ABR_ALL_E,
    HAM__ABR_ALL_F,
    HAM__ABR_MIXED,
    HAM__ABR_FIXED
};
void ham__abrahamson_tune(ham_plan *plan, double arg, int force);
/* Abrahamson's cost constants in ns (lib/abrahamson.c has the fits), shared
 * by the engines that extend its split (packed.c, hashed.c): per transform
 * point and log2, per multiply-accumulated point, per text position of a
 * block, per block; and the enumeration price per pair for a block of W
 * shifts (its W counters leave L2 as W grows). */
#define HAM__ABR_KAPPA_T     3.0
#define HAM__ABR_KAPPA_MAC   0.3
#define HAM__ABR_KAPPA_PT    1.5
#define HAM__ABR_KAPPA_BLOCK 2000.0
double ham__abr_kappa_e(const ham_plan *plan, size_t W);
/* The FFT part of an Abrahamson block, shared by abrahamson.c, packed.c and
 * hashed.c: exact[0..ns) = the matches at each shift of the nf ids fset[]
 * of the block bucketed by ham__fft_bucket (ids, hist, start, pos), one
 * indicator correlation each sharing one inverse (*fw created on first
 * use; r: ns int32 of scratch). Checked a priori (norm
 * bound) and a posteriori (0 <= r <= sum p_c); a failed check recomputes
 * the block by the exact NTT and sets *exact_path. HAM_OK or an error. */
int ham__abr_fft_part(const ham_plan *plan, ham__fft_ctx *ctx, ham__fft_work **fw,
                      const uint32_t *ids, const uint32_t *hist, const uint32_t *start,
                      const uint32_t *pos, const uint32_t *fset, size_t nf, size_t N,
                      size_t L, size_t ns, int32_t *r, uint32_t *exact,
                      int *exact_path);

/* lib/fft_engine.c (A2, algorithms.md 4) and lib/abrahamson.c (A3, 5). */
extern const ham__engine_ops ham__fft_ops;
extern const ham__engine_ops ham__abrahamson_ops;

/* (1+eps)-approximate engines (algorithms.md 8): lib/sampling.c (X1) and
 * lib/threesum.c (X3); their shared internals are in lib/approx.h. */
extern const ham__engine_ops ham__sampling_ops;
extern const ham__engine_ops ham__3sum_ops;

/* ---- The CJVX exact engines (lib/packed.c, lib/hashed.c, lib/xy.c) ------- */
/*
 * Raw transforms of lib/fft.c for vectors the engines build themselves
 * (base-B digits instead of 0/1 indicators): the context's FFTW plans for
 * size N; arrays must come from ham__fft_alloc_* (FFTW's alignment). A
 * complex array of n points is 2 n doubles (re, im).
 */
typedef struct ham__fft_raw ham__fft_raw;
int ham__fft_raw_get(ham__fft_ctx *ctx, size_t N, const ham__fft_raw **out);
size_t ham__fft_raw_size(const ham__fft_raw *r);
void ham__fft_raw_r2c(const ham__fft_raw *r, double *in, double *out);
/* c2r; destroys in */
void ham__fft_raw_c2r(const ham__fft_raw *r, double *in, double *out);
double *ham__fft_alloc_real(size_t n);
double *ham__fft_alloc_cplx(size_t n);
void ham__fft_free(void *p);
/* Whether the plan's CPU runs lib/fft.c's AVX2 kernels; acc (+)= X * S. */
int ham__fft_simd(const ham_plan *plan);
void ham__fft_mac(int simd, double *acc, const double *X, const double *S, size_t npts,
                  int first);

/* Pair enumeration (algorithms.md 5): cnt[t - j] += 1 for t in tp[0..tc),
 * j in op[0..pc) (both increasing) with 0 <= t - j < ns. */
void ham__xy_enum16(uint16_t *cnt, const uint32_t *tp, size_t tc, const uint32_t *op,
                    size_t pc, size_t ns);
void ham__xy_enum32(uint32_t *cnt, const uint32_t *tp, size_t tc, const uint32_t *op,
                    size_t pc, size_t ns);

/* dist[i] = me - (a[i] + b[i] + cnt[i]), or k + 1 when larger than k, i < ns. */
void ham__xy_finish32(uint32_t *dist, const uint32_t *a, const uint32_t *b,
                      const uint32_t *cnt, size_t ns, uint32_t me, uint32_t k);
void ham__xy_finish16(uint32_t *dist, const uint32_t *a, const uint32_t *b,
                      const uint16_t *cnt, size_t ns, uint32_t me, uint32_t k);

/* Slot packing (lib/xy.c): point d of a packed vector holds positions
 * d L .. d L + L - 1 as base-2^bits digits, X[d] += 2^(bits r) for a
 * position d L + r (rev: 2^(bits (L - 1 - r))). Adds into X (npts points);
 * returns sum_d X[d]^2 (exact while below 2^53). */
double ham__xy_pack(double *X, size_t npts, const uint32_t *pos, size_t cnt,
                    uint32_t off, unsigned L, unsigned bits, int rev);
/* Decode the first pused points of the unnormalised c2r output y[0..np)
 * (scale 1/np): each value is rounded, and its 2L - 1 base-2^bits digits
 * (the top one unbounded) are summed into *dsum; digit e of point d is added
 * to out[d L + e - off] when that index lies in [0, nout). Returns 0, or 1
 * when a value is not within 1/8 of a non-negative integer below 2^52 (out
 * is then partly written). */
int ham__xy_decode(const double *y, size_t np, size_t pused, unsigned L, unsigned bits,
                   size_t off, uint32_t *out, size_t nout, uint64_t *dsum);
/* #{(x, y) : x in tp[0..tc), y in op[0..pc), lo <= x - L floor(y / L) <= hi},
 * both lists increasing; O(tc + pc). With L = 1: pairs at lags [lo, hi]. */
uint64_t ham__xy_pairs_in(const uint32_t *tp, size_t tc, const uint32_t *op, size_t pc,
                          unsigned L, int64_t lo, int64_t hi);

/* lib/packed.c (A4p, algorithms.md 6.4) and lib/hashed.c (6.2-6.5). */
extern const ham__engine_ops ham__packed_ops;
extern const ham__engine_ops ham__hashed_ops;

/* Test hooks and statistics of both engines (set before the plan is used;
 * tests/check_exact_cjvx.c). bits: force the digit base 2^bits (0 = the
 * rule). load: the share of B a bundle's expected digit load may reach
 * (0 = default; large = every group in one bundle). mode: HAM__PK_AUTO (the
 * cost model decides what is packed; doubles), HAM__PK_DOUBLE (doubles,
 * every group/symbol whose load fits is packed whatever its cost),
 * HAM__PK_NTT (packed: g = 3 or 4 symbols per group by the exact NTT,
 * forced likewise), HAM__PK_NONE (nothing packed: Abrahamson's split, or
 * hashed without its X+Y regime). g: packed's group size with the NTT;
 * hashed: a non-zero g replaces the seed of the bundle hash. Counters:
 * bundles run, bundles that failed their checks (split and redone), symbols
 * that ended on the plain path after a failure, blocks of the plain path
 * recomputed exactly, symbols enumerated and groups/symbols packed (summed
 * over blocks). */
enum { HAM__PK_AUTO = 0, HAM__PK_DOUBLE, HAM__PK_NTT, HAM__PK_NONE };
typedef struct ham__cjvx_stats {
    uint64_t bundles, failed, singles, exact_blocks, enumerated, grouped;
} ham__cjvx_stats;
void ham__cjvx_tune(ham_plan *plan, ham_engine e, unsigned bits, double load, int mode,
                    unsigned g);
void ham__cjvx_stats_get(const ham_plan *plan, ham_engine e, ham__cjvx_stats *out);
/* hashed.c's halves of the two (mode HAM__PK_NONE: no X+Y regime; g != 0:
 * the bundle hash seed). */
void ham__hashed_tune(ham_plan *plan, unsigned bits, double load, int mode, unsigned g);
void ham__hashed_stats(const ham_plan *plan, ham__cjvx_stats *out);

/* lib/ntt.c: transforms modulo 2^64 - 2^32 + 1 of power-of-two size n with
 * precomputed twiddles (the packed engine's g = 3, 4 groups). */
typedef struct ham__ntt ham__ntt;
int ham__ntt_create(ham__ntt **out, size_t n);
void ham__ntt_destroy(ham__ntt *t);
size_t ham__ntt_size(const ham__ntt *t);
void ham__ntt_forward(const ham__ntt *t, uint64_t *a);
void ham__ntt_inverse(const ham__ntt *t, uint64_t *a); /* includes the 1/n */
/* acc[i] = acc[i] + a[i] b[i] mod p (first: acc[i] = a[i] b[i]). */
void ham__ntt_mac(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                  int first);

/* ---- Small helpers ------------------------------------------------------ */

/* malloc of n * size bytes with overflow check; NULL on overflow or failure. */
void *ham__alloc(size_t n, size_t size);
/* The same, zero-filled. */
void *ham__calloc(size_t n, size_t size);
/* 64-byte aligned allocation (release with ham__free_aligned). */
void *ham__alloc_aligned(size_t n, size_t size);
void ham__free_aligned(void *p);

/* splitmix64: expands seeds (algorithms.md 2.5). */
static inline uint64_t
ham__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* ---- Random streams (algorithms.md 2.5) ---------------------------------- */
/*
 * xoshiro256** (Blackman and Vigna), one stream per (seed, stream, index):
 * every randomised engine keys its choices by what it is deciding (a block,
 * a recursion node, a repetition), never by the thread that runs it, so
 * results never depend on scheduling. Inline: the approximate engines draw
 * in their inner loops.
 */
typedef struct ham__rng {
    uint64_t s[4];
} ham__rng;

/* The state of (seed, stream, index): splitmix64 over a key that mixes the
 * three, each through its own splitmix64 step, so that nearby seeds,
 * streams and indices give unrelated states. The four words are successive
 * outputs of a bijection, so they are never all zero (xoshiro's one
 * forbidden state). */
static inline void
ham__rng_seed(ham__rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t k = seed, x;
    x = ham__splitmix64(&k) ^ (stream * 0xd1b54a32d192ed03u);
    k = x;
    x = ham__splitmix64(&k) ^ (index * 0x8cb92ba72f3d8dd7u);
    k = x;
    r->s[0] = ham__splitmix64(&k);
    r->s[1] = ham__splitmix64(&k);
    r->s[2] = ham__splitmix64(&k);
    r->s[3] = ham__splitmix64(&k);
}

static inline uint64_t
ham__rng_next(ham__rng *r)
{
    uint64_t *s = r->s;
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, n), n >= 1, exactly (Lemire's multiply-shift with
 * rejection of the biased low products). */
static inline uint64_t
ham__rng_below(ham__rng *r, uint64_t n)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 p = (unsigned __int128)ham__rng_next(r) * n;
    uint64_t lo = (uint64_t)p;
    if (lo < n) {
        const uint64_t thr = (0 - n) % n;
        while (lo < thr) {
            p = (unsigned __int128)ham__rng_next(r) * n;
            lo = (uint64_t)p;
        }
    }
    return (uint64_t)(p >> 64);
#else
    const uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = ham__rng_next(r);
    while (x >= lim);
    return x % n;
#endif
}

#endif /* HAM_INTERNAL_H */
