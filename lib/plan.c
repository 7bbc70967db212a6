/* SPDX-License-Identifier: MIT */
/*
 * plan.c -- parameter validation, engine choice and dispatch for the public
 * plan and distance API. No algorithm lives here (style.md 5): plan creation
 * copies the pattern, compacts its alphabet (alphabet.c), asks every engine
 * that can serve the request to prepare itself, and ham__choose picks the one
 * with the least estimated cost for a text length (algorithms.md 10.4).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ham__alphabet_build(ham_plan *plan); /* alphabet.c */

/* ---- Engine table ------------------------------------------------------- */

/* Indexed by ham_engine; NULL = not built into this library (forcing it gives
 * HAM_EUNSUPPORTED). New engines register here. */
static const ham__engine_ops *const engine_table[HAM_ENGINE_COUNT_] = {
    [HAM_ENGINE_NAIVE] = &ham__naive_ops,
    [HAM_ENGINE_FFT] = &ham__fft_ops,
    [HAM_ENGINE_ABRAHAMSON] = &ham__abrahamson_ops,
    [HAM_ENGINE_PACKED] = &ham__packed_ops,
    [HAM_ENGINE_HASHED] = &ham__hashed_ops,
    [HAM_ENGINE_KANGAROO] = &ham__kangaroo_ops,
    [HAM_ENGINE_KBOUNDED] = &ham__kbounded_ops,
    [HAM_ENGINE_BITPARALLEL] = &ham__bitparallel_ops,
    [HAM_ENGINE_SAMPLING] = &ham__sampling_ops,
    [HAM_ENGINE_3SUM] = &ham__3sum_ops,
};

static const char *const engine_names[HAM_ENGINE_COUNT_] = {
    [HAM_ENGINE_AUTO] = "auto",
    [HAM_ENGINE_NAIVE] = "naive",
    [HAM_ENGINE_FFT] = "fft",
    [HAM_ENGINE_ABRAHAMSON] = "abrahamson",
    [HAM_ENGINE_PACKED] = "packed",
    [HAM_ENGINE_HASHED] = "hashed",
    [HAM_ENGINE_KANGAROO] = "kangaroo",
    [HAM_ENGINE_KBOUNDED] = "kbounded",
    [HAM_ENGINE_BITPARALLEL] = "bitparallel",
    [HAM_ENGINE_SAMPLING] = "sampling",
    [HAM_ENGINE_3SUM] = "3sum",
};

const ham__engine_ops *
ham__engine(ham_engine e)
{
    if ((unsigned)e >= HAM_ENGINE_COUNT_)
        return NULL;
    return engine_table[e];
}

const char *
ham_engine_name(ham_engine e)
{
    if ((unsigned)e >= HAM_ENGINE_COUNT_)
        return NULL;
    return engine_names[e];
}

int
ham_engine_from_name(const char *name, ham_engine *out)
{
    unsigned e;
    if (!name || !out)
        return HAM_EINVAL;
    for (e = 0; e < HAM_ENGINE_COUNT_; e++) {
        if (strcmp(name, engine_names[e]) == 0) {
            *out = (ham_engine)e;
            return HAM_OK;
        }
    }
    return HAM_EINVAL;
}

int
ham_engine_available(ham_engine e)
{
    return e == HAM_ENGINE_AUTO || ham__engine(e) != NULL;
}

/* ---- Parameters --------------------------------------------------------- */

void
ham_params_init(ham_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->engine = HAM_ENGINE_AUTO;
    p->max_dist = HAM_UNBOUNDED;
    p->epsilon = 0.0;
    p->delta = 1e-6;
    p->seed = 0;
    p->wildcard = -1;
    p->threads = 0;
    p->flags = 0;
}

static int
check_params(const ham_params *p, unsigned width)
{
    if ((unsigned)p->engine >= HAM_ENGINE_COUNT_)
        return HAM_EINVAL;
    if (p->flags & ~(unsigned)HAM_F_ALL_)
        return HAM_EINVAL;
    if (isnan(p->epsilon) || isnan(p->delta))
        return HAM_EINVAL;
    if (!(p->epsilon >= 0.0 && p->epsilon < 1.0))
        return HAM_ERANGE;
    if (!(p->delta > 0.0 && p->delta < 1.0))
        return HAM_ERANGE;
    if (p->wildcard < -1)
        return HAM_ERANGE;
    if (width == 1 && p->wildcard > 255)
        return HAM_ERANGE;
    if (width == 4 && p->wildcard > (int64_t)UINT32_MAX)
        return HAM_ERANGE;
    return HAM_OK;
}

/* Can engine ops serve this plan's request? */
static int
engine_serves(const ham__engine_ops *ops, const ham_plan *plan)
{
    const ham_params *p = &plan->params;
    if (!ops)
        return 0;
    if ((ops->caps & HAM__CAP_APPROX) && !(p->epsilon > 0.0))
        return 0;
    if (p->max_dist == HAM_UNBOUNDED &&
        !(ops->caps & (HAM__CAP_EXACT | HAM__CAP_APPROX)))
        return 0;
    if (p->max_dist != HAM_UNBOUNDED &&
        !(ops->caps & (HAM__CAP_KBOUND | HAM__CAP_APPROX)))
        return 0;
    if (p->wildcard >= 0 && !(ops->caps & HAM__CAP_WILDCARD))
        return 0;
    if (plan->width == 4 && !(ops->caps & HAM__CAP_U32))
        return 0;
    return 1;
}

/* ---- Plans -------------------------------------------------------------- */

void
ham_plan_destroy(ham_plan *plan)
{
    unsigned e;
    if (!plan)
        return;
    for (e = 0; e < HAM_ENGINE_COUNT_; e++) {
        const ham__engine_ops *ops = engine_table[e];
        if (ops && ops->release && plan->eng[e])
            ops->release(plan);
    }
    free(plan->pat.raw);
    free(plan->tab.keys);
    free(plan->tab.ids);
    free(plan->pid);
    free(plan->pcount);
    free(plan->occ_start);
    free(plan->occ);
    free(plan->nonwild);
    free(plan->choice);
    free(plan);
}

static int
plan_create(ham_plan **out, const void *pat, size_t m, const ham_params *p,
            unsigned width)
{
    ham_plan *plan;
    ham_params defaults;
    unsigned e;
    int rc;

    if (!out)
        return HAM_EINVAL;
    *out = NULL;
    if (!pat || m == 0)
        return HAM_EINVAL;
    if (!p) {
        ham_params_init(&defaults);
        p = &defaults;
    }
    rc = check_params(p, width);
    if (rc != HAM_OK)
        return rc;
    if ((uint64_t)m > UINT32_MAX)
        return HAM_ERANGE;

    plan = calloc(1, sizeof *plan);
    if (!plan)
        return HAM_ENOMEM;
    plan->width = width;
    plan->m = m;
    plan->params = *p;
    plan->cpu = ham__cpu_detect(p->flags);
    ham__calib_load(&plan->cal);
    plan->choice = calloc(HAM__CHOICE_SLOTS, 1);
    if (!plan->choice) {
        rc = HAM_ENOMEM;
        goto fail;
    }
    plan->pat.raw = ham__alloc(m, width);
    if (!plan->pat.raw) {
        rc = HAM_ENOMEM;
        goto fail;
    }
    memcpy(plan->pat.raw, pat, m * width);
    rc = ham__alphabet_build(plan);
    if (rc != HAM_OK)
        goto fail;

    if (p->engine != HAM_ENGINE_AUTO) {
        if (!engine_serves(engine_table[p->engine], plan)) {
            rc = HAM_EUNSUPPORTED;
            goto fail;
        }
        plan->candidates = 1u << p->engine;
    } else {
        for (e = 1; e < HAM_ENGINE_COUNT_; e++)
            if (engine_serves(engine_table[e], plan))
                plan->candidates |= 1u << e;
        /* AUTO never fails for lack of an engine: naive serves every request
         * (exact and k-bounded; an exact answer is a valid approximate one). */
        HAM_ASSERT(plan->candidates != 0);
    }
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        const ham__engine_ops *ops = engine_table[e];
        if (!(plan->candidates & (1u << e)) || !ops->prepare)
            continue;
        rc = ops->prepare(plan);
        if (rc != HAM_OK)
            goto fail;
    }
    *out = plan;
    return HAM_OK;
fail:
    ham_plan_destroy(plan);
    return rc;
}

int
ham_plan_create_u8(ham_plan **out, const uint8_t *pat, size_t m, const ham_params *p)
{
    return plan_create(out, pat, m, p, 1);
}

int
ham_plan_create_u32(ham_plan **out, const uint32_t *pat, size_t m, const ham_params *p)
{
    return plan_create(out, pat, m, p, 4);
}

/* ---- Choice --------------------------------------------------------------- */

double
ham__engine_cost(const ham_plan *plan, ham_engine e, size_t n)
{
    const ham__engine_ops *ops = engine_table[e];
    return ops && ops->cost ? ops->cost(plan, n) * plan->cal.scale[e] : HUGE_VAL;
}

/* "Long": 2^40 symbols, not SIZE_MAX: the FFT engines' block counts overflow
 * there (abrahamson's cost came out as 0 and won every approximate plan). */
#define LONG_N ((size_t)1 << (sizeof(size_t) >= 8 ? 40 : 30))

/* Slot of the choice cache for a text of length n, and its representative
 * length. Approximate results depend on the engine: those plans choose as
 * for a long text whatever n (one slot), so that ham_dist_*, ham_kmis_* and
 * streams cut in any chunks run the same engine and give the same output.
 * Exact and k-bounded results are the same from every engine; they choose
 * per bucket of shift counts [2^b, 2^(b+1)), at 1.5 * 2^b shifts (the
 * middle; engines' per-shift costs barely move within a factor of two), so
 * that the choice, and what ham_plan_explain prints, is a function of the
 * bucket and never of the order of calls. */
static unsigned
choice_slot(const ham_plan *plan, size_t n, size_t *rep)
{
    size_t shifts, s;
    unsigned b = 0;
    if (plan->params.epsilon > 0.0) {
        *rep = LONG_N < plan->m ? plan->m : LONG_N;
        return HAM__CHOICE_SLOTS - 1;
    }
    shifts = n < plan->m ? 1 : n - plan->m + 1;
    while (b < 63 && (shifts >> (b + 1)) != 0)
        b++;
    s = b == 0 ? 1 : ((size_t)1 << b) + ((size_t)1 << (b - 1));
    if (s > LONG_N)
        s = LONG_N;
    *rep = plan->m - 1 + s;
    return b;
}

size_t
ham__choice_n(const ham_plan *plan, size_t n)
{
    size_t rep;
    if (plan->params.engine != HAM_ENGINE_AUTO)
        return n < plan->m ? plan->m : n;
    (void)choice_slot(plan, n, &rep);
    return rep;
}

/* The candidate with the least calibrated estimate at length n. */
static ham_engine
argmin_cost(const ham_plan *plan, size_t n)
{
    unsigned e, best = 0;
    double best_cost = HUGE_VAL;
    for (e = 1; e < HAM_ENGINE_COUNT_; e++) {
        double c;
        if (!(plan->candidates & (1u << e)))
            continue;
        c = ham__engine_cost(plan, (ham_engine)e, n);
        if (best == 0 || c < best_cost) {
            best = e;
            best_cost = c;
        }
    }
    return (ham_engine)best;
}

/*
 * Evaluating every candidate's cost function costs 1-20 us (the FFT engines
 * search block sizes), as much as the naive engine's whole work on a text of
 * a few thousand symbols: hamgrep on short FASTA records and streams fed in
 * small chunks called it per record or chunk. The per-bucket cache makes
 * repeated calls an atomic byte load. The plan is const here and shared by
 * threads; the cache bytes are the one field written after creation, through
 * __atomic builtins (relaxed: a reader that sees 0 recomputes the same value).
 */
ham_engine
ham__choose(const ham_plan *plan, size_t n)
{
    size_t rep;
    unsigned slot, v;
    ham_engine e;
    if (plan->params.engine != HAM_ENGINE_AUTO)
        return plan->params.engine;
    slot = choice_slot(plan, n, &rep);
    v = __atomic_load_n(&plan->choice[slot], __ATOMIC_RELAXED);
    if (v != 0)
        return (ham_engine)(v - 1);
    e = argmin_cost(plan, rep);
    __atomic_store_n(&plan->choice[slot], (unsigned char)(e + 1), __ATOMIC_RELAXED);
    return e;
}

ham_engine
ham_plan_engine(const ham_plan *plan, size_t n)
{
    if (!plan)
        return HAM_ENGINE_AUTO;
    return ham__choose(plan, n);
}

/* One line: the choice, its inputs, and each candidate's calibrated cost at
 * the length the choice was made for (cost_n; ham__choice_n), so that the
 * named engine is always the cheapest printed one under AUTO. */
int
ham_plan_explain(const ham_plan *plan, size_t n, char *buf, size_t cap)
{
    char line[1024];
    size_t len = 0;
    unsigned e;
    char kbuf[32];
    ham_engine chosen;
    size_t nn;

    if (!plan || !buf)
        return HAM_EINVAL;
    chosen = ham__choose(plan, n);
    nn = ham__choice_n(plan, n);
    if (plan->params.max_dist == HAM_UNBOUNDED)
        snprintf(kbuf, sizeof kbuf, "unbounded");
    else
        snprintf(kbuf, sizeof kbuf, "%u", (unsigned)plan->params.max_dist);
    len += (size_t)snprintf(
        line + len, sizeof line - len,
        "engine=%s%s n=%zu m=%zu width=%u sigma=%u wildcard=%s k=%s "
        "eps=%g threads=%u cal=%s cost_n=%zu costs(ns):",
        ham_engine_name(chosen),
        plan->params.engine == HAM_ENGINE_AUTO ? "" : " (forced)", n, plan->m,
        plan->width * 8, (unsigned)plan->sigma,
        plan->params.wildcard >= 0 ? "yes" : "no", kbuf, plan->params.epsilon,
        plan->params.threads, plan->cal.from_file ? "file" : "default", nn);
    for (e = 1; e < HAM_ENGINE_COUNT_ && len < sizeof line; e++) {
        if (!(plan->candidates & (1u << e)))
            continue;
        len +=
            (size_t)snprintf(line + len, sizeof line - len, " %s=%.3g", engine_names[e],
                             ham__engine_cost(plan, (ham_engine)e, nn));
    }
    if (len >= sizeof line)
        len = sizeof line - 1;
    if (len + 1 > cap) {
        if (cap > 0)
            buf[0] = '\0';
        return HAM_ENOSPC;
    }
    memcpy(buf, line, len + 1);
    return HAM_OK;
}

/* ---- Distances ------------------------------------------------------------ */

/* One thread item of ham__dist_dense: the shifts [i chunk, (i+1) chunk). */
typedef struct dense_job {
    const ham_plan *plan;
    const ham__engine_ops *ops;
    const char *text;
    uint32_t *dist;
    size_t shifts, chunk;
} dense_job;

static int
dense_item(void *ctx, size_t i, unsigned worker)
{
    const dense_job *j = ctx;
    const size_t s = i * j->chunk;
    const size_t ns = j->shifts - s < j->chunk ? j->shifts - s : j->chunk;
    (void)worker;
    return j->ops->dist(j->plan, j->text + s * j->plan->width, ns + j->plan->m - 1,
                        j->dist + s, j->plan->params.max_dist);
}

int
ham__dist_dense(const ham_plan *plan, const void *text, size_t n, uint32_t *dist)
{
    const unsigned threads = plan->params.threads;
    const size_t m = plan->m, shifts = n - m + 1;
    size_t minchunk = HAM__PAR_MIN_SHIFTS, nchunks;
    dense_job j;
    HAM_ASSERT(n >= m);
    if (minchunk < 8 * m)
        minchunk = 8 * m;
    if (threads <= 1 || shifts < 2 * minchunk)
        return engine_table[ham__choose(plan, n)]->dist(plan, text, n, dist,
                                                        plan->params.max_dist);
    /* Threads: contiguous chunks of shifts (texts overlapping by m - 1), four
     * per thread so that uneven chunks even out, each written straight into
     * its part of dist. Every engine's output at a shift is independent of
     * where the text was cut (exact and k-bounded values are unique; an
     * approximate engine's estimate at a shift depends only on the window
     * and the plan's seed, never on positions or block boundaries), so the
     * result is byte-identical to one thread. */
    nchunks = shifts / minchunk;
    if (nchunks > 4 * (size_t)threads)
        nchunks = 4 * (size_t)threads;
    j.plan = plan;
    j.text = text;
    j.dist = dist;
    j.shifts = shifts;
    j.chunk = (shifts + nchunks - 1) / nchunks;
    j.ops = engine_table[ham__choose(plan, j.chunk + m - 1)];
    return ham__parallel(threads, (shifts + j.chunk - 1) / j.chunk, dense_item, &j);
}

static int
dist_any(const ham_plan *plan, const void *text, size_t n, uint32_t *dist, size_t cap,
         unsigned width)
{
    size_t nd;
    if (!plan)
        return HAM_EINVAL;
    if (plan->width != width)
        return HAM_EWIDTH;
    if (!text && n > 0)
        return HAM_EINVAL;
    nd = HAM_NDIST(n, plan->m);
    if (nd == 0)
        return HAM_OK;
    if (!dist)
        return HAM_EINVAL;
    if (cap < nd)
        return HAM_ENOSPC;
    return ham__dist_dense(plan, text, n, dist);
}

int
ham_dist_u8(const ham_plan *plan, const uint8_t *text, size_t n, uint32_t *dist,
            size_t cap)
{
    return dist_any(plan, text, n, dist, cap, 1);
}

int
ham_dist_u32(const ham_plan *plan, const uint32_t *text, size_t n, uint32_t *dist,
             size_t cap)
{
    return dist_any(plan, text, n, dist, cap, 4);
}

int
ham_dist_once_u8(const uint8_t *pat, size_t m, const uint8_t *text, size_t n,
                 uint32_t *dist, size_t cap)
{
    ham_plan *plan;
    int rc = ham_plan_create_u8(&plan, pat, m, NULL);
    if (rc != HAM_OK)
        return rc;
    rc = ham_dist_u8(plan, text, n, dist, cap);
    ham_plan_destroy(plan);
    return rc;
}

int
ham_dist_once_u32(const uint32_t *pat, size_t m, const uint32_t *text, size_t n,
                  uint32_t *dist, size_t cap)
{
    ham_plan *plan;
    int rc = ham_plan_create_u32(&plan, pat, m, NULL);
    if (rc != HAM_OK)
        return rc;
    rc = ham_dist_u32(plan, text, n, dist, cap);
    ham_plan_destroy(plan);
    return rc;
}
