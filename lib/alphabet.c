/* SPDX-License-Identifier: MIT */
/*
 * alphabet.c -- alphabet compaction (algorithms.md 2.1).
 *
 * Pattern symbols get dense ids 1..sigma in order of first occurrence; every
 * text symbol absent from the pattern maps to id 0, which matches nothing, so
 * per-symbol work is bounded by sigma (the pattern's alphabet), never by the
 * text's. u8: a 256-entry table. u32: a cuckoo hash table (internal.h), whose
 * lookups are two probes without branches; built in O(m log m) (a sort finds
 * the distinct symbols) plus O(sigma) expected insertion work.
 *
 * Also builds p_c (pcount), the sorted occurrence lists in CSR form and the
 * list of non-wildcard positions. Time O(m) for u8, O(m log m) for u32;
 * memory O(m).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Build the cuckoo table of the distinct keys keys_in[0..n-1] with ids 1..n
 * (id i + 1 for keys_in[i]). Deterministic: multipliers come from a fixed
 * splitmix64 sequence, so every plan of the same pattern gets the same table. */
static int
symtab_build(ham__symtab *t, const uint32_t *keys_in, uint32_t n)
{
    uint64_t rng = 0x68616d6d696e67u; /* "hamming" */
    uint64_t cap = 16;
    int lg = 4, attempt;
    while (cap < 4 * (uint64_t)n) {
        cap <<= 1;
        lg++;
    }
    for (attempt = 0;; attempt++) {
        uint32_t i;
        int ok = 1;
        if (attempt > 0 && attempt % 8 == 0) { /* unlucky 8 times: grow */
            cap <<= 1;
            lg++;
        }
        free(t->keys);
        free(t->ids);
        t->keys = ham__calloc((size_t)cap, sizeof *t->keys);
        t->ids = ham__calloc((size_t)cap, sizeof *t->ids);
        if (!t->keys || !t->ids)
            return HAM_ENOMEM;
        t->shift = 64 - lg;
        t->a1 = ham__splitmix64(&rng) | 1;
        t->a2 = ham__splitmix64(&rng) | 1;
        for (i = 0; i < n && ok; i++) {
            uint32_t key = keys_in[i], id = i + 1;
            uint32_t slot = (uint32_t)((key * t->a1) >> t->shift);
            int kicks;
            for (kicks = 0; kicks < 64 + 2 * lg; kicks++) {
                uint32_t k2, id2, alt;
                if (t->ids[slot] == 0) {
                    t->keys[slot] = key;
                    t->ids[slot] = id;
                    break;
                }
                /* evict the occupant to its other slot */
                k2 = t->keys[slot];
                id2 = t->ids[slot];
                t->keys[slot] = key;
                t->ids[slot] = id;
                key = k2;
                id = id2;
                alt = (uint32_t)((key * t->a1) >> t->shift);
                slot = alt == slot ? (uint32_t)((key * t->a2) >> t->shift) : alt;
            }
            if (kicks == 64 + 2 * lg)
                ok = 0;
        }
        if (ok)
            return HAM_OK;
    }
}

void
ham__map_ids(const ham_plan *plan, const void *text, size_t n, uint32_t *restrict ids)
{
    size_t i;
    if (plan->width == 1) {
        const uint8_t *restrict t = text;
        const uint32_t *restrict map = plan->map8;
        for (i = 0; i < n; i++)
            ids[i] = map[t[i]];
    } else {
        /* the table's fields in locals: the stores to ids[] cannot alias
         * them, so they are loaded once, not per symbol */
        const uint32_t *restrict t = text;
        ham__symtab tab = plan->tab;
        for (i = 0; i < n; i++)
            ids[i] = ham__symtab_get(&tab, t[i]);
    }
}

/* Used by plan.c: fills the compaction fields of a plan whose width, m,
 * params and pattern copy are set. Returns HAM_OK or HAM_ENOMEM. */
int ham__alphabet_build(ham_plan *plan);

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

int
ham__alphabet_build(ham_plan *plan)
{
    const size_t m = plan->m;
    const int has_wild = plan->params.wildcard >= 0;
    const uint32_t wild = has_wild ? (uint32_t)plan->params.wildcard : 0;
    uint32_t sigma = 0;
    size_t j, k;

    plan->pid = ham__alloc(m, sizeof *plan->pid);
    if (!plan->pid)
        return HAM_ENOMEM;

    if (plan->width == 1) {
        memset(plan->map8, 0, sizeof plan->map8);
        for (j = 0; j < m; j++) {
            uint8_t c = plan->pat.u8[j];
            if (has_wild && c == wild) {
                plan->pid[j] = HAM__WILD_ID;
                continue;
            }
            if (plan->map8[c] == 0)
                plan->map8[c] = ++sigma;
            plan->pid[j] = plan->map8[c];
        }
    } else {
        /* distinct symbols in order of first occurrence, found with a
         * sorted copy; then the cuckoo table maps them to 1..sigma */
        uint32_t *distinct = NULL, *sorted = ham__alloc(m, sizeof *sorted);
        size_t nd = 0;
        int rc;
        if (!sorted)
            return HAM_ENOMEM;
        for (j = k = 0; j < m; j++)
            if (!(has_wild && plan->pat.u32[j] == wild))
                sorted[k++] = plan->pat.u32[j];
        qsort(sorted, k, sizeof *sorted, cmp_u32);
        for (j = 0; j < k; j++)
            if (j == 0 || sorted[j] != sorted[j - 1])
                sorted[nd++] = sorted[j];
        /* first-occurrence order: build the table on the sorted keys, then
         * renumber by scanning the pattern */
        rc = symtab_build(&plan->tab, sorted, (uint32_t)nd);
        if (rc == HAM_OK) {
            distinct = ham__calloc(nd + 1, sizeof *distinct); /* old id -> new id */
            if (!distinct)
                rc = HAM_ENOMEM;
        }
        if (rc != HAM_OK) {
            free(sorted);
            return rc;
        }
        for (j = 0; j < m; j++) {
            uint32_t c = plan->pat.u32[j], old;
            if (has_wild && c == wild) {
                plan->pid[j] = HAM__WILD_ID;
                continue;
            }
            old = ham__symtab_get(&plan->tab, c);
            if (distinct[old] == 0)
                distinct[old] = ++sigma;
            plan->pid[j] = distinct[old];
        }
        {
            uint64_t cap = (uint64_t)1 << (64 - plan->tab.shift), i;
            for (i = 0; i < cap; i++)
                plan->tab.ids[i] =
                    distinct[plan->tab.ids[i]]; /* ids[empty] = distinct[0] = 0 */
        }
        free(distinct);
        free(sorted);
    }
    plan->sigma = sigma;

    /* p_c, CSR occurrence lists (positions increase within each id) */
    plan->pcount = ham__calloc((size_t)sigma + 1, sizeof *plan->pcount);
    plan->occ_start = ham__calloc((size_t)sigma + 2, sizeof *plan->occ_start);
    if (!plan->pcount || !plan->occ_start)
        return HAM_ENOMEM;
    plan->m_eff = 0;
    for (j = 0; j < m; j++) {
        if (plan->pid[j] != HAM__WILD_ID) {
            plan->pcount[plan->pid[j]]++;
            plan->m_eff++;
        }
    }
    plan->occ = ham__alloc(plan->m_eff, sizeof *plan->occ);
    plan->nonwild = ham__alloc(plan->m_eff, sizeof *plan->nonwild);
    if (!plan->occ || !plan->nonwild)
        return HAM_ENOMEM;
    for (k = 1; k <= sigma; k++)
        plan->occ_start[k + 1] = plan->occ_start[k] + plan->pcount[k];
    {
        /* fill using occ_start[c+1] as a cursor, then shift back */
        uint32_t *cur = ham__alloc((size_t)sigma + 2, sizeof *cur);
        size_t w = 0;
        if (!cur)
            return HAM_ENOMEM;
        memcpy(cur, plan->occ_start, ((size_t)sigma + 2) * sizeof *cur);
        for (j = 0; j < m; j++) {
            uint32_t c = plan->pid[j];
            if (c == HAM__WILD_ID)
                continue;
            plan->occ[cur[c]++] = (uint32_t)j;
            plan->nonwild[w++] = j;
        }
        free(cur);
    }
    return HAM_OK;
}
