/* SPDX-License-Identifier: MIT */
/*
 * lce_tmpl.h -- the kangaroo walk (algorithms.md 7.2) for one symbol width
 * and one ISA, included by lce.c with
 *   SYM        the symbol type (uint8_t or uint32_t)
 *   SUF(name)  the name suffix (name##_u8_avx512, ...)
 *   MISM(a, b, len)  the mismatch mask of up to 64 symbols (lce.h)
 *   TARGET     the function attribute of that ISA (or nothing)
 * defined. A template rather than a macro so debuggers see real lines
 * (style.md 4.5).
 *
 * The walk compares 64 symbols at a time and counts all the mismatches of a
 * chunk at once (popcount), stopping above k; only an all-equal chunk is a
 * "long extension" candidate: after HAM__KG_RUN of them in a row it asks the
 * block's LCE index (when built) for the exact extension and jumps to the
 * next mismatch. Each chunk either finds a mismatch (at most k + 1 such
 * chunks) or extends a run (at most HAM__KG_RUN + 1 before a jump), so a
 * shift costs O(k) chunk compares and O(k) index queries once the index
 * exists: O(nk), as Landau-Vishkin, with SIMD constants on unrelated text.
 */

/* Inlined into the loops below: a call per shift (with AVX-512's stack
 * realignment and vzeroupper) cost more than the walk itself on unrelated
 * text, where it is one compare. The index is reached through calls, rare. */
TARGET static inline HAM__ALWAYS_INLINE uint32_t
SUF(walk)(ham__kg *g, const SYM *t, size_t i, size_t iabs)
{
    const SYM *p = (const SYM *)g->p;
    const size_t m = g->m;
    const uint32_t k = g->k;
    size_t j = 0;
    uint32_t d = 0;
    unsigned run = 0;
    /* whole chunks without masks, then the last partial one */
    while (j + 64 <= m) {
        const uint64_t x = MISM(t + i + j, p + j, 64u);
        j += 64;
        if (x) {
            d += (uint32_t)ham__popcount64(x);
            if (d > k)
                return k + 1;
            run = 0;
            continue;
        }
        if (++run <= HAM__KG_RUN || j >= m)
            continue;
        if (!kg_index_for(g, iabs))
            continue; /* no index (yet): keep comparing chunks */
        j += ham__lce_query(&g->lce, j, iabs - g->blk_b + j);
        if (j >= m)
            return d;
        if (++d > k) /* the extension stopped at a mismatch */
            return k + 1;
        j++;
        run = 0;
    }
    if (j < m) {
        d += (uint32_t)ham__popcount64(MISM(t + i + j, p + j, (unsigned)(m - j)));
        if (d > k)
            return k + 1;
    }
    return d;
}

/* dist[i - i0] for shifts i0 <= i < i1, all readable in t (t[i] = window i
 * relative to t, absolute shift base + i). */
TARGET static void
SUF(walk_range)(ham__kg *g, const SYM *t, size_t i0, size_t i1, size_t base,
                uint32_t *dist)
{
    size_t i;
    for (i = i0; i < i1; i++)
        dist[i - i0] = SUF(walk)(g, t, i, base + i);
}

/* dist[r] for the set bits r of bits in [r0, r1), bit r standing for the
 * absolute shift i0 + r (t holds absolute position base at t[0]). */
TARGET static void
SUF(walk_bits)(ham__kg *g, const SYM *t, size_t base, const uint64_t *bits, size_t r0,
               size_t r1, size_t i0, uint32_t *dist)
{
    size_t w;
    for (w = r0 / 64; w * 64 < r1; w++) {
        uint64_t b = bits[w];
        if (w * 64 < r0)
            b &= ~ham__lowbits((unsigned)(r0 - w * 64));
        if ((w + 1) * 64 > r1)
            b &= ham__lowbits((unsigned)(r1 - w * 64));
        while (b) {
            const size_t r = w * 64 + (size_t)ham__ctz64(b);
            b &= b - 1;
            dist[r] = SUF(walk)(g, t, i0 + r - base, i0 + r);
        }
    }
}
