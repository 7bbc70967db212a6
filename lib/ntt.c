/* SPDX-License-Identifier: MIT */
/*
 * ntt.c -- exact correlations by number-theoretic transforms (algorithms.md
 * 2.4): the recomputation path of the FFT engines when a block fails its
 * a priori bound or a posteriori check (2.3). Never used on the fast path.
 *
 * Arithmetic modulo the "Goldilocks" prime p = 2^64 - 2^32 + 1, whose
 * multiplicative group has order divisible by 2^32, so radix-2 transforms
 * of any length up to 2^32 exist; a match count is at most m < 2^32 < p, so
 * the residue is the count itself. Per symbol: two forward transforms (text
 * indicator, reversed pattern indicator), a pointwise product accumulated
 * over symbols, one inverse: O(q L log L) for q symbols and a block of L
 * symbols; memory 3 L' words, L' = the power of two >= L. Iterative
 * Cooley-Tukey (decimation in time, bit-reversed input), twiddles recomputed
 * per stage. 64x64 -> 128-bit products use unsigned __int128 where the
 * compiler has it, a 32-bit schoolbook product otherwise.
 *
 * ham__ntt_* (the second half): the same arithmetic with the twiddles of
 * every stage precomputed and a bit-reversal table, for the packed engine's
 * groups of g = 3 or 4 symbols, whose base-B digit values need more than
 * the 52 exact bits of a double (algorithms.md 6.4). Memory 20 n bytes per
 * size n; measured 12-22x slower than an FFTW r2c of the same size for
 * n = 2^13 .. 2^19 (scalar radix 2, a 128-bit product per butterfly), which
 * is why the packed engine's cost model never picks it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define NTT_P   0xffffffff00000001ull
#define NTT_EPS 0xffffffffull /* 2^64 mod p = 2^32 - 1 */

static inline uint64_t
add_mod(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    /* a + b overflowed 2^64 (add 2^64 mod p) or reached p */
    if (s < a)
        s += NTT_EPS;
    return s >= NTT_P ? s - NTT_P : s;
}

static inline uint64_t
sub_mod(uint64_t a, uint64_t b)
{
    return a >= b ? a - b : a + (NTT_P - b);
}

/* x_hi 2^64 + x_lo mod p, using 2^64 = 2^32 - 1 and 2^96 = -1 (mod p). */
static inline uint64_t
reduce128(uint64_t x_lo, uint64_t x_hi)
{
    uint64_t hi_hi = x_hi >> 32, hi_lo = x_hi & NTT_EPS, t0, t1, t2;
    t0 = x_lo - hi_hi;
    if (x_lo < hi_hi)
        t0 -= NTT_EPS; /* borrow of 2^64: subtract 2^64 mod p; cannot wrap */
    t1 = hi_lo * NTT_EPS;
    t2 = t0 + t1;
    if (t2 < t0)
        t2 += NTT_EPS;
    return t2 >= NTT_P ? t2 - NTT_P : t2;
}

static inline uint64_t
mul_mod(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 x = (unsigned __int128)a * b;
    return reduce128((uint64_t)x, (uint64_t)(x >> 64));
#else
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    uint64_t lo = (p00 & 0xffffffffu) | (mid << 32);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return reduce128(lo, hi);
#endif
}

static uint64_t
pow_mod(uint64_t b, uint64_t e)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1)
            r = mul_mod(r, b);
        b = mul_mod(b, b);
        e >>= 1;
    }
    return r;
}

/* In-place transform of a[0..n-1], n = 2^lg; inverse: with the inverse root
 * (the caller scales by 1/n). 7 generates the multiplicative group. */
static void
ntt(uint64_t *a, size_t n, int lg, int inverse)
{
    size_t i, j, len;
    for (i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
    (void)lg;
    for (len = 2; len <= n; len <<= 1) {
        uint64_t wl = pow_mod(7, (NTT_P - 1) / len);
        if (inverse)
            wl = pow_mod(wl, NTT_P - 2);
        for (i = 0; i < n; i += len) {
            uint64_t w = 1;
            for (j = 0; j < len / 2; j++) {
                uint64_t u = a[i + j], v = mul_mod(a[i + j + len / 2], w);
                a[i + j] = add_mod(u, v);
                a[i + j + len / 2] = sub_mod(u, v);
                w = mul_mod(w, wl);
            }
        }
    }
}

int
ham__ntt_matches(const ham_plan *plan, const uint32_t *ids, size_t L, size_t nshift,
                 const uint32_t *syms, size_t nsyms, uint32_t *out)
{
    size_t n = 1, i, k;
    int lg = 0;
    uint64_t *a, *b, *acc, ninv;

    HAM_ASSERT(nshift + plan->m - 1 <= L);
    while (n < L) {
        n <<= 1;
        lg++;
    }
    a = ham__alloc(n, sizeof *a);
    b = ham__alloc(n, sizeof *b);
    acc = ham__calloc(n, sizeof *acc);
    if (!a || !b || !acc) {
        free(a);
        free(b);
        free(acc);
        return HAM_ENOMEM;
    }
    for (k = 0; k < nsyms; k++) {
        const uint32_t c = syms[k];
        size_t cnt = 0;
        memset(a, 0, n * sizeof *a);
        for (i = 0; i < L; i++) {
            if (ids[i] == c) {
                a[i] = 1;
                cnt++;
            }
        }
        if (cnt == 0)
            continue;
        /* b[-j mod n] = [P[j] = c], so that (a * b)[s] = corr[s]: with
         * n >= L no wrapped term lands on a shift s <= L - m */
        memset(b, 0, n * sizeof *b);
        for (i = plan->occ_start[c]; i < plan->occ_start[c + 1]; i++)
            b[(n - plan->occ[i]) & (n - 1)] = 1;
        ntt(a, n, lg, 0);
        ntt(b, n, lg, 0);
        for (i = 0; i < n; i++)
            acc[i] = add_mod(acc[i], mul_mod(a[i], b[i]));
    }
    ntt(acc, n, lg, 1);
    ninv = pow_mod(n, NTT_P - 2);
    for (i = 0; i < nshift; i++)
        out[i] = (uint32_t)mul_mod(acc[i], ninv); /* a count <= m < 2^32 */
    free(a);
    free(b);
    free(acc);
    return HAM_OK;
}

/* ---- Transforms with precomputed twiddles (the packed engine) -------------------- */

struct ham__ntt {
    size_t n;
    uint64_t *tw;  /* tw[h + j] = w_{2h}^j for h = 1, 2, 4, .., n/2, j < h */
    uint64_t *itw; /* the same with the inverse roots */
    uint32_t *rev; /* bit reversal of [0, n) */
    uint64_t ninv;
};

int
ham__ntt_create(ham__ntt **out, size_t n)
{
    ham__ntt *t;
    size_t h, j, i;
    int lg = 0;
    *out = NULL;
    if (n < 2 || (n & (n - 1)) || n > ((size_t)1 << 31))
        return HAM_ERANGE;
    while (((size_t)1 << lg) < n)
        lg++;
    t = calloc(1, sizeof *t);
    if (!t)
        return HAM_ENOMEM;
    t->n = n;
    t->tw = ham__alloc(n, sizeof *t->tw);
    t->itw = ham__alloc(n, sizeof *t->itw);
    t->rev = ham__alloc(n, sizeof *t->rev);
    if (!t->tw || !t->itw || !t->rev) {
        ham__ntt_destroy(t);
        return HAM_ENOMEM;
    }
    for (h = 1; h < n; h <<= 1) {
        uint64_t w = pow_mod(7, (NTT_P - 1) / (2 * h)), iw = pow_mod(w, NTT_P - 2);
        uint64_t x = 1, ix = 1;
        for (j = 0; j < h; j++) {
            t->tw[h + j] = x;
            t->itw[h + j] = ix;
            x = mul_mod(x, w);
            ix = mul_mod(ix, iw);
        }
    }
    t->tw[0] = t->itw[0] = 1;
    for (i = 0; i < n; i++) {
        size_t r = 0, v = i;
        for (j = 0; j < (size_t)lg; j++, v >>= 1)
            r = (r << 1) | (v & 1);
        t->rev[i] = (uint32_t)r;
    }
    t->ninv = pow_mod(n, NTT_P - 2);
    *out = t;
    return HAM_OK;
}

void
ham__ntt_destroy(ham__ntt *t)
{
    if (!t)
        return;
    free(t->tw);
    free(t->itw);
    free(t->rev);
    free(t);
}

size_t
ham__ntt_size(const ham__ntt *t)
{
    return t->n;
}

static void
ntt_run(const ham__ntt *t, uint64_t *restrict a, const uint64_t *restrict tw)
{
    const size_t n = t->n;
    size_t i, h, j;
    for (i = 0; i < n; i++) {
        const size_t r = t->rev[i];
        if (i < r) {
            uint64_t x = a[i];
            a[i] = a[r];
            a[r] = x;
        }
    }
    for (h = 1; h < n; h <<= 1) {
        const uint64_t *w = tw + h;
        for (i = 0; i < n; i += 2 * h) {
            uint64_t *restrict lo = a + i, *restrict hi = a + i + h;
            for (j = 0; j < h; j++) {
                const uint64_t u = lo[j], v = mul_mod(hi[j], w[j]);
                lo[j] = add_mod(u, v);
                hi[j] = sub_mod(u, v);
            }
        }
    }
}

void
ham__ntt_forward(const ham__ntt *t, uint64_t *a)
{
    ntt_run(t, a, t->tw);
}

void
ham__ntt_inverse(const ham__ntt *t, uint64_t *a)
{
    size_t i;
    ntt_run(t, a, t->itw);
    for (i = 0; i < t->n; i++)
        a[i] = mul_mod(a[i], t->ninv);
}

void
ham__ntt_mac(uint64_t *restrict acc, const uint64_t *restrict a,
             const uint64_t *restrict b, size_t n, int first)
{
    size_t i;
    if (first) {
        for (i = 0; i < n; i++)
            acc[i] = mul_mod(a[i], b[i]);
    } else {
        for (i = 0; i < n; i++)
            acc[i] = add_mod(acc[i], mul_mod(a[i], b[i]));
    }
}
