/* SPDX-License-Identifier: MIT */
/*
 * scan.c -- the k-mismatch hit API (ham_kmis_*) on top of any engine's dense
 * k-bounded distances: the text is cut into blocks of B shifts (B + m - 1
 * symbols, consecutive blocks overlapping by m - 1), each block's distances
 * go to an O(B) scratch array, and shifts with dist <= k are reported in
 * increasing order. Working memory O(m + B) whatever n; time is the engine's.
 */
#include "internal.h"

#include <stdlib.h>

/* Shifts per block: large enough that per-block overheads (engine setup, FFT
 * overlap of m - 1) amortise, small enough that the scratch stays in L2. */
#define SCAN_BLOCK ((size_t)1 << 15)

/* Report the shifts of dist[0..nb) (absolute positions pos + i) with
 * dist <= k. Almost every group of shifts of a k-mismatch search holds no
 * hit, and at ~1 ns per shift for the fastest engines a branch per shift
 * would cost half the search: 16 entries are tested at a time with a
 * branch-free OR (which the compiler vectorises) before any is looked at. */
static int
report(const uint32_t *dist, size_t nb, uint32_t k, uint64_t pos, ham_hit_fn fn,
       void *ctx)
{
    size_t i = 0, j;
    for (; i + 16 <= nb; i += 16) {
        unsigned any = 0;
        for (j = 0; j < 16; j++)
            any |= dist[i + j] <= k;
        if (!any)
            continue;
        for (j = i; j < i + 16; j++)
            if (dist[j] <= k && fn(ctx, (size_t)(pos + j), dist[j]) != 0)
                return HAM_ESTOPPED;
    }
    for (; i < nb; i++)
        if (dist[i] <= k && fn(ctx, (size_t)(pos + i), dist[i]) != 0)
            return HAM_ESTOPPED;
    return HAM_OK;
}

/* Shifts per block of a threaded scan: engines allocate their per-call
 * scratch (kbounded's filter and index, FFT buffers) with every call, and
 * with 32 Ki-shift blocks two threads spent their time in the kernel's page
 * faults and mmap lock (hambench --modes=hits --m=1000 --k=10: 1.1x with two
 * threads); 2^17 shifts keep the worker's buffer at 512 KiB, inside L2. */
#define SCAN_THREAD_BLOCK ((size_t)1 << 17)

/* One hit of a threaded round: shift s + off of the item's block. */
typedef struct scan_hit {
    uint64_t off;
    uint32_t dist;
} scan_hit;

typedef struct hit_list {
    scan_hit *v;
    size_t n, cap;
} hit_list;

/* A round of threaded scanning: items are consecutive blocks starting at
 * shift `first`. Item i computes its block's distances into its worker's
 * buffer (dist + worker * block: one block, L2-resident, as with one thread)
 * and keeps only the hits, in hits[i]; the calling thread then reports the
 * round's hits in order. Reporting from a dense round buffer instead made
 * the serial part a pass over 4 bytes per shift out of cache, and two
 * threads ran a k-mismatch search only 1.1x faster than one. */
typedef struct scan_job {
    const ham_plan *plan;
    const ham__engine_ops *ops;
    const char *text;
    uint32_t *dist;
    hit_list *hits;
    size_t total, block, first;
    uint32_t k;
} scan_job;

static int
hit_push(hit_list *h, uint64_t off, uint32_t d)
{
    if (h->n == h->cap) {
        const size_t cap = h->cap ? 2 * h->cap : 64;
        scan_hit *v =
            cap > SIZE_MAX / sizeof *v ? NULL : realloc(h->v, cap * sizeof *v);
        if (!v)
            return HAM_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n].off = off;
    h->v[h->n].dist = d;
    h->n++;
    return HAM_OK;
}

static int
scan_item(void *ctx, size_t i, unsigned worker)
{
    const scan_job *j = ctx;
    const size_t s = j->first + i * j->block;
    const size_t nb = j->total - s < j->block ? j->total - s : j->block;
    uint32_t *dist = j->dist + (size_t)worker * j->block;
    hit_list *h = &j->hits[i];
    const uint32_t k = j->k;
    size_t a = 0, b;
    int rc = j->ops->dist(j->plan, j->text + s * j->plan->width, nb + j->plan->m - 1,
                          dist, j->plan->params.max_dist);
    h->n = 0;
    if (rc != HAM_OK)
        return rc;
    /* as report(): 16 shifts at a time, branch-free, before any is looked at */
    for (; a + 16 <= nb; a += 16) {
        unsigned any = 0;
        for (b = 0; b < 16; b++)
            any |= dist[a + b] <= k;
        if (!any)
            continue;
        for (b = a; b < a + 16; b++)
            if (dist[b] <= k && hit_push(h, b, dist[b]) != HAM_OK)
                return HAM_ENOMEM;
    }
    for (; a < nb; a++)
        if (dist[a] <= k && hit_push(h, a, dist[a]) != HAM_OK)
            return HAM_ENOMEM;
    return HAM_OK;
}

/* Shifts per thread in one round of scan_threads. A round starts and joins
 * its threads; with rounds of one block per thread (32 Ki shifts, 26 us at
 * the fastest engines' 1.25 G shifts/s) thread start-up dominated, and on a
 * loaded 2-core machine two threads took 4x the time of one (hambench
 * --modes=hits --n=20M --m=32 --k=2: 16 ms with 1 thread, 70 ms with 2).
 * 2^20 shifts is about 1 ms at that speed. */
#define SCAN_ROUND_SHIFTS ((size_t)1 << 20)

/* ham__scan on plan->params.threads threads: rounds of W consecutive blocks
 * (W a multiple of T, about SCAN_ROUND_SHIFTS shifts per thread), each
 * block's hits collected by whichever thread computed it, then reported in
 * order by the calling thread (hits come out exactly as with one thread; the
 * callback is never called concurrently). Memory O(T (m + block)) plus the
 * hits of one round. */
static int
scan_threads(const ham_plan *plan, const ham__engine_ops *ops, const void *text,
             size_t total, size_t block, uint64_t pos0, ham_hit_fn fn, void *ctx,
             ham__scratch *scratch)
{
    const size_t T = plan->params.threads;
    const size_t per = block < SCAN_ROUND_SHIFTS ? SCAN_ROUND_SHIFTS / block : 1;
    scan_job j;
    uint32_t *dist;
    hit_list *hits;
    size_t i, W, h;
    int rc = HAM_OK;

    if (T > SIZE_MAX / per || T > SIZE_MAX / block)
        return HAM_ENOMEM;
    W = T * per; /* blocks per round, taken by whichever thread is free */
    hits = calloc(W, sizeof *hits);
    if (!hits)
        return HAM_ENOMEM;
    if (scratch && scratch->cap >= T * block) {
        dist = scratch->dist;
    } else {
        dist = ham__alloc(T * block, sizeof *dist);
        if (!dist) {
            free(hits);
            return HAM_ENOMEM;
        }
        if (scratch) {
            free(scratch->dist);
            scratch->dist = dist;
            scratch->cap = T * block;
        }
    }
    j.plan = plan;
    j.ops = ops;
    j.text = text;
    j.dist = dist;
    j.hits = hits;
    j.total = total;
    j.block = block;
    j.k = plan->params.max_dist;
    for (j.first = 0; j.first < total && rc == HAM_OK; j.first += W * block) {
        const size_t items = (total - j.first + block - 1) / block < W
                                 ? (total - j.first + block - 1) / block
                                 : W;
        rc = ham__parallel(plan->params.threads, items, scan_item, &j);
        for (i = 0; i < items && rc == HAM_OK; i++) {
            const uint64_t s = pos0 + j.first + i * block;
            for (h = 0; h < hits[i].n; h++)
                if (fn(ctx, (size_t)(s + hits[i].v[h].off), hits[i].v[h].dist) != 0) {
                    rc = HAM_ESTOPPED;
                    break;
                }
        }
    }
    for (i = 0; i < W; i++)
        free(hits[i].v);
    free(hits);
    if (!scratch)
        free(dist);
    return rc;
}

int
ham__scan(const ham_plan *plan, ham_engine e, const void *text, size_t n, uint64_t pos0,
          ham_hit_fn fn, void *ctx, ham__scratch *scratch)
{
    const ham__engine_ops *ops = ham__engine(e);
    const uint32_t k = plan->params.max_dist;
    const size_t m = plan->m;
    const size_t total = HAM_NDIST(n, m);
    size_t block, s;
    uint32_t *dist;
    int rc = HAM_OK;

    if (total == 0)
        return HAM_OK;
    /* FFT-style engines lose m - 1 symbols of overlap per block: keep blocks
     * at least 4m long so that overlap costs at most 25 %. */
    block = SCAN_BLOCK;
    if (m <= (SIZE_MAX / 4) && block < 4 * m)
        block = 4 * m;
    if (block > total)
        block = total;
    if (plan->params.threads > 1 && total >= 2 * block &&
        total >= 2 * HAM__PAR_MIN_SHIFTS)
        return scan_threads(plan, ops, text, total,
                            block < SCAN_THREAD_BLOCK && total >= 2 * SCAN_THREAD_BLOCK
                                ? SCAN_THREAD_BLOCK
                                : block,
                            pos0, fn, ctx, scratch);
    if (scratch && scratch->cap >= block) {
        dist = scratch->dist;
    } else {
        dist = ham__alloc(block, sizeof *dist);
        if (!dist)
            return HAM_ENOMEM;
        if (scratch) { /* keep the larger buffer for the next call */
            free(scratch->dist);
            scratch->dist = dist;
            scratch->cap = block;
        }
    }
    for (s = 0; s < total; s += block) {
        size_t nb = total - s < block ? total - s : block;
        const char *t = (const char *)text + s * plan->width;
        rc = ops->dist(plan, t, nb + m - 1, dist, k);
        if (rc == HAM_OK)
            rc = report(dist, nb, k, pos0 + s, fn, ctx);
        if (rc != HAM_OK)
            break;
    }
    if (!scratch)
        free(dist);
    return rc;
}

static int
kmis_any(const ham_plan *plan, const void *text, size_t n, ham_hit_fn fn, void *ctx,
         unsigned width)
{
    if (!plan || !fn)
        return HAM_EINVAL;
    if (plan->width != width)
        return HAM_EWIDTH;
    if (plan->params.max_dist == HAM_UNBOUNDED)
        return HAM_EINVAL;
    if (!text && n > 0)
        return HAM_EINVAL;
    return ham__scan(plan, ham__choose(plan, n), text, n, 0, fn, ctx, NULL);
}

int
ham_kmis_u8(const ham_plan *plan, const uint8_t *text, size_t n, ham_hit_fn fn,
            void *ctx)
{
    return kmis_any(plan, text, n, fn, ctx, 1);
}

int
ham_kmis_u32(const ham_plan *plan, const uint32_t *text, size_t n, ham_hit_fn fn,
             void *ctx)
{
    return kmis_any(plan, text, n, fn, ctx, 4);
}
