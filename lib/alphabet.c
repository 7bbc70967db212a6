/* SPDX-License-Identifier: MIT */
/*
 * alphabet.c -- alphabet compaction (algorithms.md 2.1).
 *
 * Pattern symbols get dense ids 1..sigma in order of first occurrence; every
 * text symbol absent from the pattern maps to id 0, which matches nothing, so
 * per-symbol work is bounded by sigma (the pattern's alphabet), never by the
 * text's. u8: a 256-entry table. u32: open addressing with multiply-shift
 * hashing and linear probing, capacity a power of two >= 2 sigma (load <= 1/2),
 * so a lookup costs O(1) expected probes.
 *
 * Also builds p_c (pcount), the sorted occurrence lists in CSR form and the
 * list of non-wildcard positions. Time O(m) expected; memory O(m).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Fibonacci multiply-shift; the constant is 2^64 / golden ratio (odd). */
static inline uint32_t
symtab_slot(const ham__symtab *t, uint32_t key)
{
    return (uint32_t)(((uint64_t)key * 0x9e3779b97f4a7c15u) >> t->shift);
}

uint32_t
ham__symtab_get(const ham__symtab *t, uint32_t key)
{
    uint32_t i = symtab_slot(t, key);
    for (;;) {
        uint32_t id = t->ids[i];
        if (id == 0 || t->keys[i] == key)
            return id;
        i = (i + 1) & t->mask;
    }
}

/* Insert key if absent; returns its id (next_id when new). */
static uint32_t
symtab_put(ham__symtab *t, uint32_t key, uint32_t next_id, int *is_new)
{
    uint32_t i = symtab_slot(t, key);
    *is_new = 0;
    for (;;) {
        if (t->ids[i] == 0) {
            t->keys[i] = key;
            t->ids[i] = next_id;
            *is_new = 1;
            return next_id;
        }
        if (t->keys[i] == key)
            return t->ids[i];
        i = (i + 1) & t->mask;
    }
}

void
ham__map_ids(const ham_plan *plan, const void *text, size_t n, uint32_t *ids)
{
    size_t i;
    if (plan->width == 1) {
        const uint8_t *t = text;
        for (i = 0; i < n; i++)
            ids[i] = plan->map8[t[i]];
    } else {
        const uint32_t *t = text;
        for (i = 0; i < n; i++)
            ids[i] = ham__symtab_get(&plan->tab, t[i]);
    }
}

/* Used by plan.c: fills the compaction fields of a plan whose width, m,
 * params and pattern copy are set. Returns HAM_OK or HAM_ENOMEM. */
int ham__alphabet_build(ham_plan *plan);

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
        /* capacity: smallest power of two >= 2m (>= 16) */
        uint64_t cap = 16;
        int lg = 4;
        while (cap < 2 * (uint64_t)m) {
            cap <<= 1;
            lg++;
        }
        plan->tab.mask = (uint32_t)(cap - 1);
        plan->tab.shift = 64 - lg;
        plan->tab.keys = ham__alloc((size_t)cap, sizeof *plan->tab.keys);
        plan->tab.ids = ham__calloc((size_t)cap, sizeof *plan->tab.ids);
        if (!plan->tab.keys || !plan->tab.ids)
            return HAM_ENOMEM;
        for (j = 0; j < m; j++) {
            uint32_t c = plan->pat.u32[j];
            int is_new;
            if (has_wild && c == wild) {
                plan->pid[j] = HAM__WILD_ID;
                continue;
            }
            plan->pid[j] = symtab_put(&plan->tab, c, sigma + 1, &is_new);
            sigma += (uint32_t)is_new;
        }
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
