/* SPDX-License-Identifier: MIT */
/*
 * huge_stream.c -- a generated text of several GiB through the stream API
 * (issue 9, part 3): positions beyond 2^32, memory bounded by the stream's
 * O(m + block), every planted hit found at its 64-bit position with its
 * distance, nothing else reported. Built by `make bench-huge` (never by
 * make check: it takes minutes); prints one summary line and exits 0, or
 * prints the first disagreement and exits 1.
 *
 *   bench/huge_stream [GIB [M [K]]]     defaults: 5 GiB, m = 64, k = 4
 *
 * The text is pseudo-random DNA made on the fly in chunks of varying sizes
 * (so chunk boundaries fall anywhere in the planted windows), never stored.
 * Copies of a random pattern with exactly d <= k mismatches are planted at
 * known positions, most of them beyond 2^32. Spurious hits are practically
 * impossible: a random window is within k = 4 of a random 64-mer with
 * probability about C(64,4) 3^4 / 4^64 < 2e-31, so over 5.4e9 windows
 * the expected number of accidental hits is below 1e-20; the windows that
 * overlap a planted copy are as unlikely, the pattern being random. So any
 * hit that was not planted is reported as an error.
 */
#include <hamming.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NPLANT 64

static uint64_t
next64(uint64_t *s)
{
    /* splitmix64: fast, and every seed gives a full-period sequence */
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

struct plant {
    uint64_t pos;
    uint32_t d;
    unsigned char *s; /* the planted copy, m bytes */
    int found;
};

struct run {
    struct plant p[NPLANT];
    size_t np, next; /* plants are sorted by position; next expected */
    uint64_t hits, bad;
};

static int
on_hit(void *ctx, size_t pos, uint32_t d)
{
    struct run *r = ctx;
    size_t i;
    r->hits++;
    for (i = 0; i < r->np; i++) {
        if (r->p[i].pos == (uint64_t)pos) {
            if (r->p[i].d != d || r->p[i].found) {
                fprintf(stderr,
                        "huge_stream: hit at %zu: distance %" PRIu32
                        ", expected %" PRIu32 " (found before: %d)\n",
                        pos, d, r->p[i].d, r->p[i].found);
                r->bad++;
            }
            r->p[i].found = 1;
            return 0;
        }
    }
    fprintf(stderr, "huge_stream: unexpected hit at %zu, distance %" PRIu32 "\n", pos,
            d);
    r->bad++;
    return 0;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_plant(const void *a, const void *b)
{
    const struct plant *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int
main(int argc, char **argv)
{
    static const unsigned char acgt[4] = {'A', 'C', 'G', 'T'};
    const double gib = argc > 1 ? atof(argv[1]) : 5.0;
    const size_t m = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 64;
    const uint32_t k = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 4;
    const uint64_t n = (uint64_t)(gib * 1073741824.0);
    const size_t chunk_max = ((size_t)1 << 20) + 4096;
    uint64_t seed = 20240601, fed = 0;
    unsigned char *pat, *chunk;
    struct run r;
    ham_params prm;
    ham_plan *plan = NULL;
    ham_stream *st = NULL;
    struct rusage ru;
    double t0, t;
    size_t i, j, nchunks = 0;
    int rc;

    if (m < 16 || m > ((size_t)1 << 20) || k >= m / 4 || n < 2 * (uint64_t)m * NPLANT) {
        fprintf(stderr, "usage: huge_stream [GIB [M (16..2^20) [K (< M/4)]]]\n");
        return 2;
    }
    memset(&r, 0, sizeof r);
    pat = malloc(m);
    chunk = malloc(chunk_max);
    if (!pat || !chunk)
        return 2;
    for (j = 0; j < m; j++)
        pat[j] = acgt[next64(&seed) & 3];

    /* Plants: 8 before 2^32 (the first across it), the rest spread beyond
     * it, the last at the very end; each with d = i mod (k+1) mismatches at
     * distinct random places. A text shorter than 2^32 (a quick try) gets
     * them all spread over it. */
    for (i = 0; i < NPLANT; i++) {
        struct plant *p = &r.p[i];
        const uint64_t two32 = (uint64_t)1 << 32;
        const int beyond = n > two32 + NPLANT * 4 * (uint64_t)m;
        uint64_t lo = 0, span = n;
        size_t idx = i, cnt = NPLANT;
        if (beyond) {
            lo = i < 8 ? 0 : two32;
            span = i < 8 ? two32 : n - two32;
            idx = i < 8 ? i : i - 8;
            cnt = i < 8 ? 8 : NPLANT - 8;
        }
        p->pos = lo + idx * (span / cnt) + next64(&seed) % (span / cnt - 2 * m);
        if (i == 0 && beyond)
            p->pos = two32 - m / 2; /* straddles 2^32 */
        if (i == NPLANT - 1)
            p->pos = n - m; /* the very last window */
        p->d = (uint32_t)(i % (k + 1));
        p->s = malloc(m);
        if (!p->s)
            return 2;
        memcpy(p->s, pat, m);
        for (j = 0; j < p->d;) {
            size_t at = (size_t)(next64(&seed) % m);
            if (p->s[at] == pat[at]) {
                p->s[at] = acgt[(((unsigned)(strchr("ACGT", pat[at]) - "ACGT")) + 1 +
                                 next64(&seed) % 3) &
                                3];
                j++;
            }
        }
    }
    qsort(r.p, NPLANT, sizeof r.p[0], cmp_plant);
    r.np = NPLANT;
    for (i = 1; i < r.np; i++) {
        if (r.p[i].pos < r.p[i - 1].pos + 2 * m) {
            fprintf(stderr, "huge_stream: plants too close; use a longer text\n");
            return 2;
        }
    }

    ham_params_init(&prm);
    prm.max_dist = k;
    if ((rc = ham_plan_create_u8(&plan, pat, m, &prm)) != HAM_OK ||
        (rc = ham_stream_create(&st, plan)) != HAM_OK) {
        fprintf(stderr, "huge_stream: %s\n", ham_errname(rc));
        return 2;
    }

    t0 = now();
    while (fed < n) {
        size_t len = ((size_t)1 << 20) + (size_t)(next64(&seed) % 4096), w;
        uint64_t end;
        if (len > n - fed)
            len = (size_t)(n - fed);
        end = fed + len;
        for (w = 0; w < len; w += 32) {
            uint64_t x = next64(&seed);
            size_t e = len - w < 32 ? len - w : 32, b;
            for (b = 0; b < e; b++, x >>= 2)
                chunk[w + b] = acgt[x & 3];
        }
        /* overwrite the parts of planted copies that fall in this chunk */
        for (i = 0; i < r.np; i++) {
            uint64_t a = r.p[i].pos, z = a + m;
            if (z <= fed || a >= end)
                continue;
            {
                uint64_t from = a > fed ? a : fed, to = z < end ? z : end;
                memcpy(chunk + (from - fed), r.p[i].s + (from - a),
                       (size_t)(to - from));
            }
        }
        rc = ham_stream_feed_u8(st, chunk, len, on_hit, &r);
        if (rc != HAM_OK) {
            fprintf(stderr, "huge_stream: feed at %" PRIu64 ": %s\n", fed,
                    ham_errname(rc));
            return 1;
        }
        fed = end;
        nchunks++;
    }
    rc = ham_stream_finish(st, on_hit, &r);
    t = now() - t0;
    if (rc != HAM_OK) {
        fprintf(stderr, "huge_stream: finish: %s\n", ham_errname(rc));
        return 1;
    }
    if (ham_stream_position(st) != n) {
        fprintf(stderr, "huge_stream: position %" PRIu64 ", expected %" PRIu64 "\n",
                ham_stream_position(st), n);
        r.bad++;
    }
    for (i = 0; i < r.np; i++) {
        if (!r.p[i].found) {
            fprintf(stderr,
                    "huge_stream: planted hit at %" PRIu64 " (d = %" PRIu32
                    ") not reported\n",
                    r.p[i].pos, r.p[i].d);
            r.bad++;
        }
    }
    getrusage(RUSAGE_SELF, &ru);
    for (i = 0, j = 0; i < r.np; i++)
        j += r.p[i].pos >= ((uint64_t)1 << 32);
    printf("huge_stream: n=%" PRIu64 " (%.2f GiB) m=%zu k=%" PRIu32
           " engine=%s chunks=%zu plants=%zu (%zu at or beyond 2^32, last at %" PRIu64
           ") hits=%" PRIu64 " errors=%" PRIu64
           " time=%.1f s (%.0f MB/s) peak_rss=%ld KiB\n",
           n, (double)n / 1073741824.0, m, k, ham_engine_name(ham_plan_engine(plan, n)),
           nchunks, r.np, j, r.p[r.np - 1].pos, r.hits, r.bad, t, (double)n / t / 1e6,
           ru.ru_maxrss);
    ham_stream_destroy(st);
    ham_plan_destroy(plan);
    for (i = 0; i < r.np; i++)
        free(r.p[i].s);
    free(pat);
    free(chunk);
    return r.bad ? 1 : 0;
}
