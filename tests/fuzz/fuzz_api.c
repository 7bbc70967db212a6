/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c -- libFuzzer target for the library API (built by `make fuzz`).
 *
 * The input chooses everything: width, pattern, text, alphabet size, k, a
 * wildcard, the forced engine, flags, and the chunk sizes of a stream. For
 * every input the target checks, against the naive engine and against a
 * direct O(nm) count in this file:
 *   - ham_dist_* with the forced engine (when it accepts the request) equals
 *     the direct count (exact or k-bounded);
 *   - ham_kmis_* reports exactly the shifts with d <= k, in order;
 *   - a stream fed in the input's chunk sizes reports the same hits;
 *   - approximate plans (eps > 0) give the same bytes twice for one seed,
 *     and kmis and streams agree with their distances (their error bounds
 *     hold with probability 1 - delta, so only these are certainties);
 *   - no call crashes, leaks or touches memory it should not (ASan, UBSan).
 * Any disagreement aborts, which libFuzzer reports with the input.
 */
#include <hamming.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned
take(reader *r)
{
    unsigned v = 0;
    if (r->n > 0) {
        v = *r->p++;
        r->n--;
    }
    return v;
}

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "fuzz_api: check failed at line %d: %s\n", __LINE__, #c);  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

typedef struct hits {
    size_t n, cap;
    size_t *pos;
    uint32_t *dist;
    size_t stop_after; /* SIZE_MAX: never stop */
} hits;

static int
collect(void *ctx, size_t pos, uint32_t d)
{
    hits *h = ctx;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        h->pos = realloc(h->pos, cap * sizeof *h->pos);
        h->dist = realloc(h->dist, cap * sizeof *h->dist);
        CHECK(h->pos && h->dist);
        h->cap = cap;
    }
    h->pos[h->n] = pos;
    h->dist[h->n] = d;
    h->n++;
    return h->n >= h->stop_after;
}

/* direct O(nm) count, sharing nothing with the library */
static void
direct(const void *pat, size_t m, const void *text, size_t n, int width, int64_t wild,
       uint32_t k, uint32_t *out)
{
    size_t i, j;
    for (i = 0; i + m <= n; i++) {
        uint32_t d = 0;
        for (j = 0; j < m; j++) {
            uint32_t p =
                width == 1 ? ((const uint8_t *)pat)[j] : ((const uint32_t *)pat)[j];
            uint32_t t = width == 1 ? ((const uint8_t *)text)[i + j]
                                    : ((const uint32_t *)text)[i + j];
            if (wild >= 0 && (int64_t)p == wild)
                continue;
            d += p != t;
        }
        out[i] = k != HAM_UNBOUNDED && d > k ? k + 1 : d;
    }
}

static int
create(ham_plan **plan, int width, const void *pat, size_t m, const ham_params *p)
{
    return width == 1 ? ham_plan_create_u8(plan, pat, m, p)
                      : ham_plan_create_u32(plan, pat, m, p);
}

static int
dist(const ham_plan *plan, int width, const void *text, size_t n, uint32_t *out,
     size_t cap)
{
    return width == 1 ? ham_dist_u8(plan, text, n, out, cap)
                      : ham_dist_u32(plan, text, n, out, cap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    const unsigned mode = take(&r), eng = take(&r), sig0 = take(&r), mraw = take(&r),
                   kraw = take(&r), chunkseed = take(&r);
    const int width = mode & 1 ? 4 : 1;
    const unsigned sigma = 1 + (mode & 2 ? sig0 % 4 : sig0); /* small alphabets often */
    size_t m = 1 + mraw % 96, n, i, nd;
    uint8_t *pat8 = NULL, *text8 = NULL;
    uint32_t *pat32 = NULL, *text32 = NULL, *want, *got;
    const void *pat, *text;
    ham_params p;
    ham_plan *plan = NULL;
    int rc;

    /* symbols: the rest of the input, split between pattern and text */
    if (r.n < m)
        m = r.n ? r.n : 1;
    n = r.n > m ? r.n - m : 0;
    if (mode & 0x80)
        n += m * (mode >> 4 & 7); /* longer texts: repeat the pattern bytes */
    pat8 = malloc(m);
    text8 = malloc(n ? n : 1);
    CHECK(pat8 && text8);
    for (i = 0; i < m; i++)
        pat8[i] = (uint8_t)(take(&r) % sigma);
    for (i = 0; i < n; i++)
        text8[i] = (uint8_t)(r.n ? take(&r) % (sigma + 1) : pat8[i % m]);
    if (width == 4) {
        /* u32 symbols near UINT32_MAX or spread, an injective map of bytes */
        const uint32_t base = mode & 0x40 ? UINT32_MAX - 300u : 0x01000193u;
        pat32 = malloc(m * 4);
        text32 = malloc((n ? n : 1) * 4);
        CHECK(pat32 && text32);
        for (i = 0; i < m; i++)
            pat32[i] = base + pat8[i];
        for (i = 0; i < n; i++)
            text32[i] = base + text8[i];
        pat = pat32;
        text = text32;
    } else {
        pat = pat8;
        text = text8;
    }

    ham_params_init(&p);
    p.engine = (ham_engine)(eng % HAM_ENGINE_COUNT_);
    p.seed = chunkseed;
    switch (kraw >> 6) {
    case 0:
        p.max_dist = HAM_UNBOUNDED;
        break;
    case 1:
        p.max_dist = kraw & 3;
        break;
    case 2:
        p.max_dist = (uint32_t)(kraw % (m + 3));
        break;
    default:
        p.max_dist = (uint32_t)(m + (kraw & 7));
        break;
    }
    if (mode & 4)
        p.wildcard = width == 1 ? pat8[0] : (int64_t)pat32[0];
    if (mode & 8)
        p.flags = (eng >> 4) & (HAM_F_NO_SIMD | HAM_F_NO_AVX512);
    if (eng & 0x80)
        p.epsilon = 0.05 + (double)(kraw & 15) / 20.0;

    rc = create(&plan, width, pat, m, &p);
    if (rc != HAM_OK) {
        /* a forced engine may refuse the request; AUTO never does */
        CHECK(rc == HAM_EUNSUPPORTED && p.engine != HAM_ENGINE_AUTO);
        CHECK(plan == NULL);
        goto out;
    }
    nd = HAM_NDIST(n, m);
    want = malloc((nd ? nd : 1) * sizeof *want);
    got = malloc((nd ? nd : 1) * sizeof *got);
    CHECK(want && got);
    direct(pat, m, text, n, width, p.wildcard, p.max_dist, want);
    CHECK(dist(plan, width, text, n, got, nd) == HAM_OK);
    if (p.epsilon == 0.0) {
        CHECK(memcmp(want, got, nd * sizeof *got) == 0);
    } else {
        uint32_t *again = malloc((nd ? nd : 1) * sizeof *again);
        CHECK(again);
        CHECK(dist(plan, width, text, n, again, nd) == HAM_OK);
        CHECK(memcmp(again, got, nd * sizeof *got) == 0); /* same seed, same bytes */
        free(again);
    }

    if (p.max_dist != HAM_UNBOUNDED) {
        /* kmis: exactly the shifts the distances call hits, in order */
        hits a = {0, 0, NULL, NULL, SIZE_MAX}, b = {0, 0, NULL, NULL, SIZE_MAX};
        ham_stream *s = NULL;
        size_t j = 0, at = 0;
        uint64_t cs = chunkseed * 0x9e3779b97f4a7c15u + 1;
        rc = width == 1 ? ham_kmis_u8(plan, text, n, collect, &a)
                        : ham_kmis_u32(plan, text, n, collect, &a);
        CHECK(rc == HAM_OK);
        for (i = 0; i < nd; i++) {
            if (got[i] > p.max_dist)
                continue;
            CHECK(j < a.n && a.pos[j] == i && a.dist[j] == got[i]);
            j++;
        }
        CHECK(j == a.n);
        /* the same through a stream in pseudo-random chunks */
        CHECK(ham_stream_create(&s, plan) == HAM_OK);
        while (at < n) {
            size_t len;
            cs = cs * 6364136223846793005u + 1442695040888963407u;
            len = 1 + (size_t)(cs >> 33) % (chunkseed % 4 == 0 ? 3 : 2 * m + 5);
            if (len > n - at)
                len = n - at;
            rc = width == 1 ? ham_stream_feed_u8(s, text8 + at, len, collect, &b)
                            : ham_stream_feed_u32(s, text32 + at, len, collect, &b);
            CHECK(rc == HAM_OK);
            at += len;
        }
        CHECK(ham_stream_finish(s, collect, &b) == HAM_OK);
        ham_stream_destroy(s);
        CHECK(a.n == b.n);
        CHECK(a.n == 0 || (memcmp(a.pos, b.pos, a.n * sizeof *a.pos) == 0 &&
                           memcmp(a.dist, b.dist, a.n * sizeof *a.dist) == 0));
        free(a.pos);
        free(a.dist);
        free(b.pos);
        free(b.dist);
    }
    free(want);
    free(got);
out:
    ham_plan_destroy(plan);
    free(pat8);
    free(text8);
    free(pat32);
    free(text32);
    return 0;
}
