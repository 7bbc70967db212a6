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
};

/* Map text[0..n-1] (plan width) to pattern ids into ids[0..n-1]. */
void ham__map_ids(const ham_plan *plan, const void *text, size_t n, uint32_t *ids);
/* Id of one u32 symbol (0 when absent from the pattern). Inline and
 * branch-free (selects, not jumps): text mapping calls it once per symbol,
 * and with a branch every other symbol of a mixed text is a mispredict. */
static inline uint32_t
ham__symtab_get(const ham__symtab *t, uint32_t key)
{
    const uint32_t h1 = (uint32_t)((key * t->a1) >> t->shift);
    const uint32_t h2 = (uint32_t)((key * t->a2) >> t->shift);
    const uint32_t id1 = t->keys[h1] == key ? t->ids[h1] : 0;
    const uint32_t id2 = t->keys[h2] == key ? t->ids[h2] : 0;
    return id1 | id2;
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

/* The engine AUTO (or a forced choice) uses for a text of length n. */
ham_engine ham__choose(const ham_plan *plan, size_t n);

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
    HAM__NV_COUNT_
};
/* As ops->dist, with the variant forced and the ISA capped at isa
 * (HAM__ISA_*; capped further by the plan's CPU). Returns HAM_EUNSUPPORTED
 * when the variant cannot serve the plan (e.g. bit-sliced with a large sigma). */
int ham__naive_dist_variant(const ham_plan *plan, const void *text, size_t n,
                            uint32_t *dist, uint32_t k, int variant, int isa);

/* lib/sumset.c uses the FFT layer; lib/fft.c: FFTW planner lock and plans. */
void ham__fftw_lock(void);
void ham__fftw_unlock(void);

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

#endif /* HAM_INTERNAL_H */
