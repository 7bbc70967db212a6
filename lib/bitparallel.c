/* SPDX-License-Identifier: MIT */
/*
 * bitparallel.c -- Shift-Add k-mismatch counters (algorithms.md 3.5;
 * Baeza-Yates and Gonnet, CACM 35(10), 1992). O(n ceil(m b / 64)) word
 * operations, b = 1 + ceil(log2(k + 1)) bits per pattern position: the
 * engine for short patterns with small k.
 *
 * State: one b-bit counter per pattern position j, F = floor(64 / b) per
 * 64-bit word, W = ceil(m / F) words. After text symbol x, counter j holds
 * the mismatches of P[0..j] against T[x - j .. x]; a step shifts every
 * counter up one position (a fresh 0 enters at j = 0) and adds the
 * symbol's mismatch word M[c] (bit 0 of counter j set iff P[j] != c; 0 at
 * wildcard positions, all ones for symbols absent from P, id 0). Counter
 * m - 1 is then d(x - m + 1). Counters saturate by an overflow word: a
 * counter is kept below 2^(b-1) > k; reaching 2^(b-1) sets its top bit,
 * which moves into O (shifted along with S) and is cleared in S, so no
 * carry ever crosses a counter and O says "more than k" exactly.
 *
 * One word (m <= F): the text is cut into 4 segments scanned in one loop, so
 * that the four shift/add chains overlap in the pipeline (a single chain is
 * latency-bound at ~3 cycles per symbol). Several words: one segment, the
 * words in a loop with the top counter of word w carried into word w + 1.
 * u8 plans index M by the raw byte (a 256-entry table per word when W <= 4),
 * u32 plans by the id from the plan's cuckoo table (ham__symtab_get).
 *
 * Memory: O((sigma + 1) W) words per plan (+ 256 W for bytes); O(W) per
 * call. Wildcards: supported (their counters never count).
 */
#include "lce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct bp_state {
    uint32_t k;      /* the bound it was built for                       */
    uint32_t keff;   /* min(k, m_eff)                                    */
    unsigned b, F;   /* bits per counter, counters per word              */
    size_t W;        /* words                                            */
    uint64_t H;      /* the top bit of every counter of a word           */
    uint64_t full;   /* the F b counter bits of a word                   */
    uint64_t *M;     /* (sigma + 1) x W mismatch words by id             */
    uint64_t *M8;    /* u8 plans with W <= 4: 256 x W by raw byte        */
    unsigned out_w;  /* word of counter m - 1 ...                         */
    unsigned out_sh; /* ... and its bit offset                            */
} bp_state;

#define BP_M8_MAX_W 4

static void
bp_free(bp_state *st)
{
    free(st->M);
    free(st->M8);
    memset(st, 0, sizeof *st);
}

static int
bp_build(bp_state *st, const ham_plan *plan, uint32_t k)
{
    const size_t m = plan->m;
    size_t j, c, w;
    unsigned f;
    memset(st, 0, sizeof *st);
    st->k = k;
    st->keff = (uint64_t)k < plan->m_eff ? k : (uint32_t)plan->m_eff;
    st->b = 1;
    while (((uint64_t)1 << (st->b - 1)) < (uint64_t)st->keff + 1)
        st->b++;
    st->F = 64 / st->b;
    st->W = (m + st->F - 1) / st->F;
    for (f = 0; f < st->F; f++)
        st->H |= (uint64_t)1 << (f * st->b + st->b - 1);
    st->full =
        st->F * st->b >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (st->F * st->b)) - 1;
    st->out_w = (unsigned)((m - 1) / st->F);
    st->out_sh = (unsigned)((m - 1) % st->F * st->b);
    st->M = ham__calloc(((size_t)plan->sigma + 1) * st->W, sizeof *st->M);
    if (!st->M)
        return HAM_ENOMEM;
    for (j = 0; j < m; j++) {
        const uint32_t id = plan->pid[j];
        const uint64_t one = (uint64_t)1 << (j % st->F * st->b);
        if (id == HAM__WILD_ID)
            continue;
        for (c = 0; c <= plan->sigma; c++)
            if (c != id)
                st->M[c * st->W + j / st->F] |= one;
    }
    if (plan->width == 1 && st->W <= BP_M8_MAX_W) {
        st->M8 = ham__alloc(256 * st->W, sizeof *st->M8);
        if (!st->M8)
            return HAM_ENOMEM;
        for (c = 0; c < 256; c++)
            for (w = 0; w < st->W; w++)
                st->M8[c * st->W + w] = st->M[(size_t)plan->map8[c] * st->W + w];
    }
    return HAM_OK;
}

static void
bitparallel_release(ham_plan *plan)
{
    bp_state *st = plan->eng[HAM_ENGINE_BITPARALLEL];
    if (!st)
        return;
    bp_free(st);
    free(st);
    plan->eng[HAM_ENGINE_BITPARALLEL] = NULL;
}

static int
bitparallel_prepare(ham_plan *plan)
{
    bp_state *st = calloc(1, sizeof *st);
    if (!st)
        return HAM_ENOMEM;
    plan->eng[HAM_ENGINE_BITPARALLEL] = st;
    return bp_build(st, plan, plan->params.max_dist);
}

/* ns per shift, set on the Zen 4 VM (gcc 12 -O2) with the two bench
 * commands quoted at kangaroo_cost (kangaroo.c) plus --m=12: one word
 * ~1.2 ns with four chains (bytes), +1.8 ns for u32 (the cuckoo lookup);
 * each word of a multi-word state ~2.2 ns; ~20 ns per call more than the
 * naive engine (whose model has no per-call term). */
static double
bitparallel_cost(const ham_plan *plan, size_t n)
{
    const bp_state *st = plan->eng[HAM_ENGINE_BITPARALLEL];
    const double map = plan->width == 4 ? 1.8 : 0.0;
    const double ns = st->W == 1 ? 1.2 + map : 1.0 + map + 2.2 * (double)st->W;
    return 20.0 + ns * (double)(n - plan->m + 1);
}

/* The distance in counter m - 1 of (s, o): "more than keff" is k + 1. On
 * unrelated text nearly every window has overflowed, so that test comes
 * first, as a well-predicted branch. */
typedef struct bp_outp {
    unsigned sh;       /* bit offset of counter m - 1                      */
    uint64_t obit;     /* its overflow bit (in O, at offset 0 after >> sh) */
    uint64_t vmask;    /* its value bits                                   */
    uint32_t keff, k1; /* min(k, m_eff), and k + 1                         */
} bp_outp;

static inline bp_outp
bp_outp_of(const bp_state *st, uint32_t k)
{
    bp_outp q;
    q.sh = st->out_sh;
    q.obit = (uint64_t)1 << (st->b - 1);
    q.vmask = q.obit - 1;
    q.keff = st->keff;
    q.k1 = k + 1;
    return q;
}

static inline uint32_t
bp_out(const bp_outp *q, uint64_t s, uint64_t o)
{
    uint64_t v;
    if (o >> q->sh & q->obit)
        return q->k1;
    v = s >> q->sh & q->vmask;
    return v > q->keff ? q->k1 : (uint32_t)v;
}

#define BP_STEP(S, O, add)                                                             \
    do {                                                                               \
        S = (S << b) + (add);                                                          \
        O = (O << b) | (S & H);                                                        \
        S &= ~H;                                                                       \
    } while (0)

/* One word, shifts [0, S) of text t (symbols of type SYM; LOOKUP(x) gives the
 * mismatch word of symbol x): four segments at once, then the remainders. */
#define DEFINE_BP1(NAME, SYM, LOOKUP)                                                  \
    static void NAME(const bp_state *st, const ham_plan *plan, const SYM *t, size_t n, \
                     uint32_t *dist, uint32_t k)                                       \
    {                                                                                  \
        const size_t m = plan->m, Sh = n - m + 1;                                      \
        const unsigned b = st->b;                                                      \
        const uint64_t H = st->H;                                                      \
        const size_t q = Sh / 4;                                                       \
        const bp_outp oq = bp_outp_of(st, k); /* locals: dist stores alias st */       \
        size_t x, g;                                                                   \
        (void)plan;                                                                    \
        if (q > 4 * m) { /* segments of q shifts: text [gq, gq + q + m - 1) */         \
            uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, o0 = 0, o1 = 0, o2 = 0, o3 = 0;   \
            const SYM *t0 = t, *t1 = t + q, *t2 = t + 2 * q, *t3 = t + 3 * q;          \
            for (x = 0; x + 1 < m; x++) { /* warm-up: no complete window yet */        \
                BP_STEP(s0, o0, LOOKUP(t0[x]));                                        \
                BP_STEP(s1, o1, LOOKUP(t1[x]));                                        \
                BP_STEP(s2, o2, LOOKUP(t2[x]));                                        \
                BP_STEP(s3, o3, LOOKUP(t3[x]));                                        \
            }                                                                          \
            for (; x < q + m - 1; x++) {                                               \
                const size_t i = x + 1 - m;                                            \
                BP_STEP(s0, o0, LOOKUP(t0[x]));                                        \
                BP_STEP(s1, o1, LOOKUP(t1[x]));                                        \
                BP_STEP(s2, o2, LOOKUP(t2[x]));                                        \
                BP_STEP(s3, o3, LOOKUP(t3[x]));                                        \
                dist[i] = bp_out(&oq, s0, o0);                                         \
                dist[q + i] = bp_out(&oq, s1, o1);                                     \
                dist[2 * q + i] = bp_out(&oq, s2, o2);                                 \
                dist[3 * q + i] = bp_out(&oq, s3, o3);                                 \
            }                                                                          \
            g = 4 * q;                                                                 \
        } else {                                                                       \
            g = 0;                                                                     \
        }                                                                              \
        { /* shifts [g, Sh) in one chain */                                            \
            uint64_t s0 = 0, o0 = 0;                                                   \
            for (x = g; x < n; x++) {                                                  \
                BP_STEP(s0, o0, LOOKUP(t[x]));                                         \
                if (x + 1 >= g + m)                                                    \
                    dist[x + 1 - m] = bp_out(&oq, s0, o0);                             \
            }                                                                          \
        }                                                                              \
    }

#define LOOKUP_U8(x)  (st->M8[(x)])
#define LOOKUP_U32(x) (st->M[ham__symtab_get(&plan->tab, (x))])
DEFINE_BP1(bp1_u8, uint8_t, LOOKUP_U8)
DEFINE_BP1(bp1_u32, uint32_t, LOOKUP_U32)
#undef LOOKUP_U8
#undef LOOKUP_U32

/* Several words: S[w], O[w] for w < W; one chain. */
static int
bp_multi(const bp_state *st, const ham_plan *plan, const void *text, size_t n,
         uint32_t *dist, uint32_t k)
{
    const size_t m = plan->m, W = st->W;
    const unsigned b = st->b, top = (st->F - 1) * b;
    const uint64_t H = st->H, full = st->full,
                   fmask = ((uint64_t)1 << (b - 1) << 1) - 1;
    const bp_outp oq = bp_outp_of(st, k);
    uint64_t *S = ham__calloc(2 * W, sizeof *S), *O;
    size_t x, w;
    if (!S)
        return HAM_ENOMEM;
    O = S + W;
    for (x = 0; x < n; x++) {
        const uint64_t *row;
        uint64_t cs = 0, co = 0; /* counter entering word w at its position 0 */
        if (plan->width == 1) {
            const uint8_t c = ((const uint8_t *)text)[x];
            row = st->M8 ? st->M8 + (size_t)c * W : st->M + (size_t)plan->map8[c] * W;
        } else {
            row = st->M +
                  (size_t)ham__symtab_get(&plan->tab, ((const uint32_t *)text)[x]) * W;
        }
        for (w = 0; w < W; w++) {
            const uint64_t s = S[w], o = O[w];
            uint64_t ns = (((s << b) & full) | cs) + row[w];
            const uint64_t no = (((o << b) & full) | co) | (ns & H);
            ns &= ~H;
            cs = s >> top & fmask;
            co = o >> top & fmask;
            S[w] = ns;
            O[w] = no;
        }
        if (x + 1 >= m)
            dist[x + 1 - m] = bp_out(&oq, S[st->out_w], O[st->out_w]);
    }
    free(S);
    return HAM_OK;
}

static int
bitparallel_dist(const ham_plan *plan, const void *text, size_t n, uint32_t *dist,
                 uint32_t k)
{
    const bp_state *st = plan->eng[HAM_ENGINE_BITPARALLEL];
    bp_state own;
    int rc = HAM_OK;
    HAM_ASSERT(n >= plan->m);
    memset(&own, 0, sizeof own);
    if (!st || st->k != k) { /* another bound than the plan's (internal callers) */
        rc = bp_build(&own, plan, k);
        if (rc != HAM_OK)
            goto out;
        st = &own;
    }
    if (st->W == 1 && (plan->width == 4 || st->M8)) {
        if (plan->width == 1)
            bp1_u8(st, plan, text, n, dist, k);
        else
            bp1_u32(st, plan, text, n, dist, k);
    } else {
        rc = bp_multi(st, plan, text, n, dist, k);
    }
out:
    bp_free(&own);
    return rc;
}

const ham__engine_ops ham__bitparallel_ops = {
    .id = HAM_ENGINE_BITPARALLEL,
    .caps = HAM__CAP_KBOUND | HAM__CAP_WILDCARD | HAM__CAP_U32,
    .prepare = bitparallel_prepare,
    .release = bitparallel_release,
    .cost = bitparallel_cost,
    .dist = bitparallel_dist,
};
