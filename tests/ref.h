/* SPDX-License-Identifier: MIT */
/*
 * ref.h -- the test reference: the dumbest correct code for everything the
 * library computes, sharing nothing with lib/ (style.md 9). Slow on purpose.
 */
#ifndef HAM_TEST_REF_H
#define HAM_TEST_REF_H

#include <stddef.h>
#include <stdint.h>

/* No bound: the exact distance at every shift (the value of HAM_UNBOUNDED). */
#define REF_UNBOUNDED UINT32_MAX

/*
 * Distances of pat[0..m-1] against text[0..n-1] at every shift i = 0 .. n-m,
 * into out[0 .. n-m] (nothing when m > n or m == 0):
 *   d(i) = #{ j : pat[j] != wildcard and pat[j] != text[i+j] }
 * wildcard: -1 for none, else the pattern symbol that matches everything.
 * k-bounded: out[i] = d(i) if d(i) <= k, else k + 1 (k == REF_UNBOUNDED:
 * always d(i)).
 */
void ref_dist_u8(const uint8_t *pat, size_t m, const uint8_t *text, size_t n,
                 int64_t wildcard, uint32_t k, uint32_t *out);
void ref_dist_u32(const uint32_t *pat, size_t m, const uint32_t *text, size_t n,
                  int64_t wildcard, uint32_t k, uint32_t *out);

/* Clamp an exact distance to the k-bounded semantics. */
uint32_t ref_bound(uint32_t d, uint32_t k);

/*
 * count[z] = #{(x, y) in A x B : x + y = z} for z = 0 .. 2*universe - 2, by
 * enumerating every pair. count must have 2*universe - 1 slots (none when
 * universe == 0). Values must be < universe (not checked).
 */
void ref_sumset(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                uint32_t universe, uint64_t *count);

#endif /* HAM_TEST_REF_H */
