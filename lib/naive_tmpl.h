/* SPDX-License-Identifier: MIT */
/*
 * naive_tmpl.h -- the width-generic (portable C) bodies of the naive engine,
 * included by naive.c once per symbol width with SYM (the symbol type) and
 * SUF(name) (the name suffix) defined. Kept out of a macro so debuggers see
 * real line numbers (style.md 4.5).
 *
 * Each body follows algorithms.md 3:
 *   scalar    one shift at a time over the non-wildcard positions, stopping
 *             as soon as the count exceeds k: O(nm) worst case;
 *   shiftpar  PORT_LANES shifts at a time, for each pattern position the
 *             PORT_LANES text symbols compared with the one pattern symbol
 *             (3.2), in generic vectors where the compiler has them.
 * The includer defines SYM, SUF, and ROUND (positions between counter
 * flushes: at most the largest value of SYM).
 */

/* Scalar reference form; also the tail of every other kernel. */
static void
SUF(scalar)(const SYM *t, size_t S, const SYM *p, const uint32_t *pos, size_t npos,
            uint32_t *dist, uint32_t k)
{
    size_t i, j;
    for (i = 0; i < S; i++) {
        const SYM *w = t + i;
        uint32_t d = 0;
        /* check the bound every 16 positions: cheap, and exits early on
         * unrelated text when k is small */
        for (j = 0; j < npos;) {
            size_t end = npos - j > 16 ? j + 16 : npos;
            for (; j < end; j++)
                d += w[pos[j]] != p[pos[j]];
            if (d > k)
                break;
        }
        dist[i] = d > k ? k + 1 : d;
    }
}

/* One block of PORT_LANES shifts: match counts of shifts t[0..PORT_LANES-1]
 * into cnt[]. t must be readable up to PORT_LANES + m - 2. Stops early once
 * every lane has more than k mismatches (k == UINT32_MAX: never).
 *
 * With GCC or clang the lanes are generic 16-byte vectors (vector_size): no
 * ISA intrinsics, so this stays portable, yet it compiles to SSE2 on x86-64,
 * NEON on arm64. Counters have the symbol's width and are flushed into the
 * 32-bit cnt[] every ROUND positions, before they can overflow. */
#if defined(__GNUC__)
typedef SYM SUF(vec) __attribute__((vector_size(16)));
#define VL_ (16 / sizeof(SYM))
#define NV_ (PORT_LANES / VL_)
static void
SUF(shiftpar_block)(const SYM *t, const uint32_t *pos, const SYM *pb, size_t npos,
                    uint32_t k, uint32_t *cnt)
{
    SUF(vec) acc[NV_];
    SYM lanes[PORT_LANES];
    size_t j = 0, l, u;
    for (l = 0; l < PORT_LANES; l++)
        cnt[l] = 0;
    while (j < npos) {
        const size_t end = npos - j > ROUND ? j + ROUND : npos;
        uint32_t best = 0;
        for (u = 0; u < NV_; u++)
            acc[u] = (SUF(vec)){0};
        for (; j < end; j++) {
            const SYM *q = t + pos[j];
            const SUF(vec) c = (SUF(vec)){0} + pb[j]; /* broadcast */
            for (u = 0; u < NV_; u++) {
                SUF(vec) x;
                memcpy(&x, q + u * VL_, sizeof x); /* unaligned load */
                acc[u] -= (SUF(vec))(x == c);      /* true is all ones (-1) */
            }
        }
        memcpy(lanes, acc, sizeof lanes);
        for (l = 0; l < PORT_LANES; l++) {
            cnt[l] += lanes[l];
            best = cnt[l] > best ? cnt[l] : best;
        }
        if (k != UINT32_MAX && j - best > k) /* every lane has > k mismatches */
            break;
    }
}
#undef VL_
#undef NV_
#else
static void
SUF(shiftpar_block)(const SYM *t, const uint32_t *pos, const SYM *pb, size_t npos,
                    uint32_t k, uint32_t *cnt)
{
    size_t j, l;
    for (l = 0; l < PORT_LANES; l++)
        cnt[l] = 0;
    for (j = 0; j < npos;) {
        size_t end = npos - j > ROUND ? j + ROUND : npos;
        uint32_t best = 0;
        for (; j < end; j++) {
            const SYM *q = t + pos[j];
            const SYM c = pb[j];
            for (l = 0; l < PORT_LANES; l++)
                cnt[l] += q[l] == c;
        }
        if (k == UINT32_MAX)
            continue;
        for (l = 0; l < PORT_LANES; l++)
            best = cnt[l] > best ? cnt[l] : best;
        if (j - best > k)
            break;
    }
}
#endif
