/* SPDX-License-Identifier: MIT */
/*
 * hamming.h -- libhamming, text-to-pattern Hamming distances.
 *
 * THIS IS A HEADER FILE, NOT A MANUAL: the manual is libhamming(3).
 *
 * Given a pattern P[0..m-1] and a text T[0..n-1] of bytes (_u8 functions) or
 * 32-bit symbols (_u32 functions), libhamming computes d(i), the number of
 * positions j where P[j] != T[i+j], for every shift i = 0 .. n-m:
 *
 *   - exactly at every shift                       ham_dist_u8 / ham_dist_u32
 *   - k-bounded: which shifts have d(i) <= k        ham_kmis_u8 / ham_kmis_u32
 *   - (1+eps)-approximately (params.epsilon > 0)    ham_dist_*
 *   - over texts fed in pieces (pipes, huge files)  ham_stream_*
 *
 * How to start:
 *
 *     ham_plan *plan;
 *     if (ham_plan_create_u8(&plan, pat, m, NULL) != HAM_OK) ...   // NULL: defaults
 *     uint32_t *dist = malloc(HAM_NDIST(n, m) * sizeof *dist);
 *     if (ham_dist_u8(plan, text, n, dist, HAM_NDIST(n, m)) != HAM_OK) ...
 *     ham_plan_destroy(plan);
 *
 * Conventions: every status-returning function returns HAM_OK (0) or a negative
 * HAM_E* code and never prints, exits or aborts on bad input. Inputs are
 * borrowed for the duration of a call; outputs are the caller's, checked against
 * their capacity before anything is written. Lengths and positions are size_t,
 * in symbols; distances are uint32_t (so m <= UINT32_MAX). A plan is immutable:
 * one plan may serve many threads at once; a stream is one thread's.
 *
 * The header is C99 and valid C++; it includes only <stddef.h> and <stdint.h>.
 */
#ifndef HAMMING_H
#define HAMMING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ----------------------------------------------------------- */

#define HAM_VERSION_MAJOR  0
#define HAM_VERSION_MINOR  1
#define HAM_VERSION_PATCH  0
#define HAM_VERSION_STRING "0.1.0"
#define HAM_VERSION_NUMBER                                                             \
    (HAM_VERSION_MAJOR * 10000 + HAM_VERSION_MINOR * 100 + HAM_VERSION_PATCH)

/* ---- Attributes -------------------------------------------------------- */

#if defined(__GNUC__) && __GNUC__ >= 4
#define HAM_API __attribute__((visibility("default")))
#else
#define HAM_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HAM_NODISCARD       __attribute__((warn_unused_result))
#define HAM_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define HAM_NODISCARD
#define HAM_DEPRECATED(msg)
#endif

/* ---- Errors ------------------------------------------------------------ */

/* One table, three uses (the enum, ham_strerror, ham_errname). Values are
 * pinned forever; new codes are appended. */
#define HAM_ERRNO_MAP(X)                                                               \
    X(EINVAL, -1, "invalid argument")                                                  \
    X(ENOMEM, -2, "out of memory")                                                     \
    X(ERANGE, -3, "length or parameter out of range")                                  \
    X(ENOSPC, -4, "output buffer too small")                                           \
    X(EWIDTH, -5, "symbol width does not match the plan")                              \
    X(EFFTW, -6, "FFTW could not create a plan")                                       \
    X(EUNSUPPORTED, -7, "engine does not support this request")                        \
    X(ESTOPPED, -8, "stopped by the callback")

typedef enum ham_status {
    HAM_OK = 0,
#define HAM_X_(name, value, text) HAM_##name = value,
    HAM_ERRNO_MAP(HAM_X_)
#undef HAM_X_
} ham_status;

/** Static text for a status code; "unknown error" for unknown codes, never NULL. */
HAM_API const char *ham_strerror(int code);
/** The code's name ("HAM_ENOSPC"); "HAM_UNKNOWN" for unknown codes, never NULL. */
HAM_API const char *ham_errname(int code);

/* ---- Sizes ------------------------------------------------------------- */

/** Number of shifts of a length-m pattern in a length-n text: n - m + 1, or 0
 *  when m > n. Also the capacity ham_dist_* needs. */
#define HAM_NDIST(n, m)                                                                \
    ((size_t)(m) > (size_t)(n) ? (size_t)0 : (size_t)(n) - (size_t)(m) + 1)
/** HAM_NDIST as a function, for bindings. */
HAM_API size_t ham_ndist(size_t n, size_t m);

/** max_dist value meaning "no bound": exact distances at every shift. */
#define HAM_UNBOUNDED UINT32_MAX

/* ---- Engines and parameters -------------------------------------------- */

typedef enum ham_engine {
    HAM_ENGINE_AUTO = 0,    /* choose from n, m, alphabet, k, eps (default)   */
    HAM_ENGINE_NAIVE,       /* O(nm) word/SIMD-parallel direct comparison      */
    HAM_ENGINE_FFT,         /* one FFT convolution per distinct pattern symbol */
    HAM_ENGINE_ABRAHAMSON,  /* frequent/infrequent split, O(n sqrt(m log m))   */
    HAM_ENGINE_PACKED,      /* exact bit-packed FFT (CJVX 2023)                */
    HAM_ENGINE_HASHED,      /* exact hashing-based recursion, Las Vegas        */
    HAM_ENGINE_KANGAROO,    /* k-bounded: LCE jumps, O(nk)                     */
    HAM_ENGINE_KBOUNDED,    /* k-bounded: O(n + nk/sqrt m) (CJVX 2023)         */
    HAM_ENGINE_BITPARALLEL, /* k-bounded: bit-parallel counters for short m    */
    HAM_ENGINE_SAMPLING,    /* (1+eps)-approx: Kopelowitz-Porat sampling       */
    HAM_ENGINE_3SUM,        /* (1+eps)-approx: 3SUM sampling (CJVX 2023)       */
    HAM_ENGINE_COUNT_       /* not an engine; new engines are appended before it */
} ham_engine;

/* ham_params.flags bits. Unknown bits make plan creation fail with HAM_EINVAL. */
/** Time the candidate engines on the real input instead of trusting the cost
 *  model, and plan FFTs with FFTW_MEASURE (slower planning, faster runs).
 *  Exact and k-bounded results never depend on it; approximate results are
 *  reproducible for a given seed only without it (timing may pick another
 *  engine). */
#define HAM_F_MEASURE (1u << 0)
#define HAM_MEASURE   HAM_F_MEASURE
/** Use only portable C kernels (no SIMD): for benchmarks and tests of the
 *  dispatch; results are identical. */
#define HAM_F_NO_SIMD (1u << 1)
/** Use at most AVX2 kernels on x86-64 (no AVX-512); results are identical. */
#define HAM_F_NO_AVX512 (1u << 2)
#define HAM_F_ALL_      (HAM_F_MEASURE | HAM_F_NO_SIMD | HAM_F_NO_AVX512)

typedef struct ham_params {
    ham_engine engine; /* HAM_ENGINE_AUTO                                         */
    uint32_t max_dist; /* k; HAM_UNBOUNDED = exact distance at every shift        */
    double epsilon;    /* 0 = exact; > 0 allows (1+eps)-approximate distances     */
    double delta;      /* failure probability for Monte Carlo engines (1e-6)      */
    uint64_t seed;     /* all randomness; same seed and threads => same output    */
    int64_t wildcard;  /* -1 = none; else a pattern symbol that matches anything  */
    unsigned threads;  /* 0 or 1 = the calling thread only                         */
    unsigned flags;    /* HAM_F_* bits, 0 by default                               */
} ham_params;

/** Fill @p p with the defaults above. @p p may not be NULL. */
HAM_API void ham_params_init(ham_params *p);

/** Engine name: "auto", "naive", "fft", "abrahamson", "packed", "hashed",
 *  "kangaroo", "kbounded", "bitparallel", "sampling", "3sum"; NULL for a value
 *  that is not an engine. */
HAM_API const char *ham_engine_name(ham_engine e);

/**
 * Engine from its name (exact, lower-case, as ham_engine_name gives it).
 * @return HAM_OK, or HAM_EINVAL for NULL arguments or an unknown name.
 */
HAM_API HAM_NODISCARD int ham_engine_from_name(const char *name, ham_engine *out);

/**
 * Whether this build of the library implements engine @p e (1) or not (0).
 * Forcing an engine that is not available fails with HAM_EUNSUPPORTED.
 * HAM_ENGINE_AUTO is always available.  @since 0.1
 */
HAM_API int ham_engine_available(ham_engine e);

/* ---- Simple API -------------------------------------------------------- */

/**
 * One-shot exact distances with default parameters: plan, run, destroy.
 * Same contract as ham_dist_u8 (dist[0..cap-1], HAM_NDIST(n, m) values).
 * Ownership: borrows pat and text; dist is the caller's.
 */
HAM_API HAM_NODISCARD int ham_dist_once_u8(const uint8_t *pat, size_t m,
                                           const uint8_t *text, size_t n,
                                           uint32_t *dist, size_t cap);
HAM_API HAM_NODISCARD int ham_dist_once_u32(const uint32_t *pat, size_t m,
                                            const uint32_t *text, size_t n,
                                            uint32_t *dist, size_t cap);

/* ---- Plans ------------------------------------------------------------- */

typedef struct ham_plan ham_plan; /* opaque; immutable once created */

/**
 * Preprocess a pattern.
 * @param[out] out  the new plan, or NULL on failure.
 * @param[in]  pat  pat[0..m-1]; copied, not kept.
 * @param[in]  p    parameters, or NULL for the defaults of ham_params_init.
 * @return HAM_OK; HAM_EINVAL (NULL out or pat, m == 0, unknown flag bits,
 *         an engine value out of range, epsilon or delta not a number);
 *         HAM_ERANGE (m > UINT32_MAX, epsilon < 0 or >= 1, delta outside (0, 1),
 *         a u8 wildcard outside 0..255, a u32 wildcard outside 0..UINT32_MAX,
 *         or wildcard < -1); HAM_EUNSUPPORTED (a forced engine that is not
 *         available or cannot serve the request: an approximate engine with
 *         epsilon == 0, a k-bounded engine with max_dist == HAM_UNBOUNDED, an
 *         engine without wildcard support); HAM_ENOMEM.
 * Ownership: the plan is the caller's, released with ham_plan_destroy.
 */
HAM_API HAM_NODISCARD int ham_plan_create_u8(ham_plan **out, const uint8_t *pat,
                                             size_t m, const ham_params *p);
HAM_API HAM_NODISCARD int ham_plan_create_u32(ham_plan **out, const uint32_t *pat,
                                              size_t m, const ham_params *p);

/** Release a plan; NULL is a no-op. */
HAM_API void ham_plan_destroy(ham_plan *plan);

/** The engine the plan uses for a text of length @p n (what AUTO picks);
 *  HAM_ENGINE_AUTO for a NULL plan. */
HAM_API ham_engine ham_plan_engine(const ham_plan *plan, size_t n);

/**
 * One line (NUL-terminated, no newline) describing the choice for a text of
 * length @p n: the engine, the inputs of the choice (m, distinct symbols, k,
 * eps) and each candidate's estimated cost.
 * @return HAM_OK; HAM_EINVAL (NULL plan or buf); HAM_ENOSPC if the line does
 *         not fit in @p cap bytes (then buf holds "" when cap > 0).
 */
HAM_API HAM_NODISCARD int ham_plan_explain(const ham_plan *plan, size_t n, char *buf,
                                           size_t cap);

/* ---- Distances at every shift ------------------------------------------ */

/**
 * d(i) for every shift i = 0 .. n-m, into dist[0 .. HAM_NDIST(n, m) - 1].
 * exact: dist[i] = d(i); k-bounded (max_dist = k): d(i) if d(i) <= k, else
 * k + 1; approximate (epsilon > 0): d(i) <= dist[i] <= (1+eps) d(i) for every
 * i with probability >= 1 - delta, and 0 exactly when d(i) == 0.
 * @param[in]  text  text[0..n-1]; may be NULL when n == 0.
 * @param[out] dist  dist[0..cap-1]; must not overlap text.
 * @return HAM_OK; HAM_EINVAL (NULL plan, NULL text with n > 0, NULL dist with
 *         HAM_NDIST(n, m) > 0); HAM_EWIDTH (a u32 plan); HAM_ENOSPC (cap <
 *         HAM_NDIST(n, m): nothing is written); HAM_ENOMEM; HAM_EFFTW.
 * Ownership: borrows text; dist is the caller's.  Does not modify @p plan.
 */
HAM_API HAM_NODISCARD int ham_dist_u8(const ham_plan *plan, const uint8_t *text,
                                      size_t n, uint32_t *dist, size_t cap);
HAM_API HAM_NODISCARD int ham_dist_u32(const ham_plan *plan, const uint32_t *text,
                                       size_t n, uint32_t *dist, size_t cap);

/* ---- k-mismatch hits --------------------------------------------------- */

/** Hit callback: a shift @p pos with distance @p dist. Non-zero stops the scan. */
typedef int (*ham_hit_fn)(void *ctx, size_t pos, uint32_t dist);

/**
 * Calls fn(ctx, i, d(i)) for every shift with d(i) <= max_dist, in increasing
 * i, with the exact distance (the value ham_dist_* would give, for an
 * approximate plan). Memory: O(m + block), whatever n.
 * @return HAM_OK; HAM_EINVAL (NULL plan or fn, NULL text with n > 0, a plan
 *         with max_dist == HAM_UNBOUNDED); HAM_EWIDTH; HAM_ENOMEM; HAM_EFFTW;
 *         HAM_ESTOPPED if fn returned non-zero (no later call is made).
 * Ownership: borrows text.  Does not modify @p plan.
 */
HAM_API HAM_NODISCARD int ham_kmis_u8(const ham_plan *plan, const uint8_t *text,
                                      size_t n, ham_hit_fn fn, void *ctx);
HAM_API HAM_NODISCARD int ham_kmis_u32(const ham_plan *plan, const uint32_t *text,
                                       size_t n, ham_hit_fn fn, void *ctx);

/* ---- Streams ----------------------------------------------------------- */

typedef struct ham_stream ham_stream; /* one thread's; holds O(m + block) symbols */

/**
 * A stream over @p plan, which must outlive it. Feeding a text in chunks of
 * any sizes makes the same calls fn(ctx, pos, dist) that ham_kmis_* makes on
 * the whole text, pos counted from the start of the stream. With a plan whose
 * max_dist is HAM_UNBOUNDED every shift is reported, with the value ham_dist_*
 * gives: the stream form of ham_dist_* (a distance profile of a pipe).
 * A hit is reported as soon as the chunk that completes its window is fed.
 * @return HAM_OK; HAM_EINVAL (NULL arguments); HAM_ENOMEM.
 */
HAM_API HAM_NODISCARD int ham_stream_create(ham_stream **out, const ham_plan *plan);

/**
 * Feed the next @p len symbols. @p chunk may be NULL when len == 0.
 * @return HAM_OK; HAM_EINVAL (NULL s or fn, NULL chunk with len > 0, a
 *         finished stream); HAM_EWIDTH; HAM_ERANGE (the position would pass
 *         SIZE_MAX, possible only where size_t has 32 bits); HAM_ENOMEM;
 *         HAM_EFFTW; HAM_ESTOPPED if fn returned non-zero. After HAM_ESTOPPED,
 *         HAM_ERANGE, HAM_ENOMEM or HAM_EFFTW the stream refuses further
 *         input with the same code until ham_stream_reset; argument errors
 *         (HAM_EINVAL, HAM_EWIDTH) leave it as it was.
 */
HAM_API HAM_NODISCARD int ham_stream_feed_u8(ham_stream *s, const uint8_t *chunk,
                                             size_t len, ham_hit_fn fn, void *ctx);
HAM_API HAM_NODISCARD int ham_stream_feed_u32(ham_stream *s, const uint32_t *chunk,
                                              size_t len, ham_hit_fn fn, void *ctx);

/**
 * End of text. Every hit is reported by the feed that completes its window,
 * so this reports nothing new; it exists so that engines that buffer may
 * flush, and marks the stream finished (feeding again is HAM_EINVAL until
 * ham_stream_reset). @return as ham_stream_feed_u8.
 */
HAM_API HAM_NODISCARD int ham_stream_finish(ham_stream *s, ham_hit_fn fn, void *ctx);

/** Start a new text on the same plan (positions count from 0 again). */
HAM_API HAM_NODISCARD int ham_stream_reset(ham_stream *s);

/** Symbols fed since creation or the last reset; 0 for NULL. */
HAM_API uint64_t ham_stream_position(const ham_stream *s);

/** Release a stream; NULL is a no-op. */
HAM_API void ham_stream_destroy(ham_stream *s);

/* ---- Sumset ------------------------------------------------------------ */

/**
 * Sumset with multiplicities: count[z] = #{(x, y) in A x B : x + y = z} for
 * z = 0 .. 2*universe - 2, where A = a[0..na-1] and B = b[0..nb-1] are sets of
 * distinct values in [0, universe). Exact and deterministic; enumeration or
 * FFT, whichever is cheaper; working memory is bounded by blocking.
 * @return HAM_OK; HAM_EINVAL (NULL count with universe > 0, NULL a or b with
 *         na or nb > 0, duplicates or values >= universe); HAM_ENOSPC (cap <
 *         2*universe - 1: nothing written); HAM_ENOMEM; HAM_EFFTW.
 * Ownership: borrows a and b; count is the caller's.
 */
HAM_API HAM_NODISCARD int ham_sumset_count(const uint32_t *a, size_t na,
                                           const uint32_t *b, size_t nb,
                                           uint32_t universe, uint64_t *count,
                                           size_t cap);

/* ---- Library version --------------------------------------------------- */

/** HAM_VERSION_NUMBER of the loaded library. */
HAM_API unsigned ham_version_number(void);
/** HAM_VERSION_STRING of the loaded library. */
HAM_API const char *ham_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* HAMMING_H */
