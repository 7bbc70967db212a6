/* SPDX-License-Identifier: MIT */
/*
 * ref.c -- see ref.h. One shift at a time, one symbol at a time; the only
 * shortcut is leaving a shift once its count is past k, which cannot change
 * the bounded answer k + 1.
 */
#include "ref.h"

#include <stdlib.h>
#include <string.h>

uint32_t
ref_bound(uint32_t d, uint32_t k)
{
    if (k == REF_UNBOUNDED || d <= k)
        return d;
    return k + 1;
}

void
ref_dist_u8(const uint8_t *pat, size_t m, const uint8_t *text, size_t n,
            int64_t wildcard, uint32_t k, uint32_t *out)
{
    size_t i, j;
    if (m == 0 || m > n)
        return;
    for (i = 0; i + m <= n; i++) {
        uint64_t d = 0;
        for (j = 0; j < m; j++) {
            if (wildcard >= 0 && (int64_t)pat[j] == wildcard)
                continue;
            if (pat[j] != text[i + j]) {
                d++;
                if (k != REF_UNBOUNDED && d > k)
                    break;
            }
        }
        out[i] = ref_bound((uint32_t)d, k);
    }
}

void
ref_dist_u32(const uint32_t *pat, size_t m, const uint32_t *text, size_t n,
             int64_t wildcard, uint32_t k, uint32_t *out)
{
    size_t i, j;
    if (m == 0 || m > n)
        return;
    for (i = 0; i + m <= n; i++) {
        uint64_t d = 0;
        for (j = 0; j < m; j++) {
            if (wildcard >= 0 && (int64_t)pat[j] == wildcard)
                continue;
            if (pat[j] != text[i + j]) {
                d++;
                if (k != REF_UNBOUNDED && d > k)
                    break;
            }
        }
        out[i] = ref_bound((uint32_t)d, k);
    }
}

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

void
ref_sumset(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
           uint32_t universe, uint64_t *count)
{
    uint64_t z, need = universe == 0 ? 0 : 2 * (uint64_t)universe - 1;
    uint32_t *sb = NULL;
    size_t i, j;
    for (z = 0; z < need; z++)
        count[z] = 0;
    if (na == 0 || nb == 0)
        return;
    /* every pair; B sorted only so that the counts of one x are visited in
     * increasing order (cache locality for large universes) */
    sb = malloc(nb * sizeof *sb);
    if (!sb)
        abort();
    memcpy(sb, b, nb * sizeof *sb);
    qsort(sb, nb, sizeof *sb, cmp_u32);
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            count[(uint64_t)a[i] + sb[j]]++;
    free(sb);
}
