/* SPDX-License-Identifier: MIT */
/*
 * huge_m.c -- long patterns (issue 9, part 3): m up to 2^24 through every
 * exact engine, and the k-bounded engines with k up to m, each checked
 * against a direct count. Built by `make bench-huge`, never by make check
 * (the FFT engines take seconds per case at m = 2^24, naive minutes).
 *
 *   bench/huge_m [LOG2M [SHIFTS [ENGINE...]]]   defaults: 24, 17, all below
 *
 * n = m + SHIFTS - 1, so the reference is SHIFTS direct counts of m symbols,
 * cheap at any m. The text is random DNA with the pattern planted at shift
 * SHIFTS/2 with m/1000 + 1 mismatches, so that the profile has a deep
 * minimum, and with a pattern of a skewed alphabet at every second run
 * (one symbol frequent: the regime the FFT-based engines treat apart).
 * Prints one TSV line per engine and case: engine, m, k, alphabet, status,
 * seconds, peak RSS of the process so far (KiB), verdict; exits 1 if any
 * result is wrong (a status other than HAM_OK is reported, not a failure:
 * ENOMEM at these sizes is the library saying no, cleanly).
 */
#include <hamming.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t
next64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long
peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int
main(int argc, char **argv)
{
    static const char *const all[] = {"naive",  "fft",      "abrahamson", "packed",
                                      "hashed", "kangaroo", "kbounded"};
    const unsigned lg = argc > 1 ? (unsigned)atoi(argv[1]) : 24;
    const size_t shifts = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 17;
    const char *const *engines = argc > 3 ? (const char *const *)argv + 3 : all;
    const int nengines = argc > 3 ? argc - 3 : (int)(sizeof all / sizeof all[0]);
    const size_t m = (size_t)1 << lg, n = m + shifts - 1;
    unsigned char *pat = malloc(m), *text = malloc(n);
    uint32_t *ref = malloc(shifts * sizeof *ref), *dist = malloc(shifts * sizeof *dist);
    uint64_t seed = 99;
    int e, bad = 0, skew;

    if (lg < 4 || lg > 30 || shifts < 2 || !pat || !text || !ref || !dist) {
        fprintf(stderr, "usage: huge_m [LOG2M (4..30) [SHIFTS (>= 2) [ENGINE...]]]\n");
        return 2;
    }
    printf("engine\tm\tk\talphabet\tstatus\tseconds\tpeak_rss_kib\tverdict\n");
    for (skew = 0; skew < 2; skew++) {
        size_t i, j;
        /* skewed: 'A' with probability 7/8, else C, G or T */
        for (j = 0; j < m; j++) {
            uint64_t x = next64(&seed);
            pat[j] = (unsigned char)(skew ? ((x & 7) ? 'A' : "CGT"[(x >> 3) % 3])
                                          : "ACGT"[x & 3]);
        }
        for (i = 0; i < n; i++) {
            uint64_t x = next64(&seed);
            text[i] = (unsigned char)(skew ? ((x & 7) ? 'A' : "CGT"[(x >> 3) % 3])
                                           : "ACGT"[x & 3]);
        }
        memcpy(text + shifts / 2, pat, m);
        for (j = 0; j < m / 1000 + 1; j++) {
            size_t at = shifts / 2 + (size_t)(next64(&seed) % m);
            text[at] = text[at] == 'T' ? 'G' : 'T';
        }
        for (i = 0; i < shifts; i++) {
            uint32_t d = 0;
            for (j = 0; j < m; j++)
                d += pat[j] != text[i + j];
            ref[i] = d;
        }
        for (e = 0; e < nengines; e++) {
            ham_engine eng;
            int kb, nk;
            if (ham_engine_from_name(engines[e], &eng) != HAM_OK) {
                fprintf(stderr, "huge_m: unknown engine '%s'\n", engines[e]);
                return 2;
            }
            kb = eng == HAM_ENGINE_KANGAROO || eng == HAM_ENGINE_KBOUNDED ||
                 eng == HAM_ENGINE_BITPARALLEL;
            /* exact engines: unbounded and k = m; k-bounded: k = m, m/2 and
             * the planted distance (most shifts above k) */
            for (nk = 0; nk < (kb ? 3 : 2); nk++) {
                const uint32_t planted = ref[shifts / 2];
                uint32_t k = nk == 0   ? (kb ? (uint32_t)m : HAM_UNBOUNDED)
                             : nk == 1 ? (kb ? (uint32_t)(m / 2) : (uint32_t)m)
                                       : planted;
                ham_params p;
                ham_plan *plan = NULL;
                double t0 = now(), t;
                int rc, ok = 1;
                ham_params_init(&p);
                p.engine = eng;
                p.max_dist = k;
                rc = ham_plan_create_u8(&plan, pat, m, &p);
                if (rc == HAM_OK)
                    rc = ham_dist_u8(plan, text, n, dist, shifts);
                t = now() - t0;
                if (rc == HAM_OK) {
                    for (i = 0; i < shifts; i++) {
                        uint32_t want =
                            k != HAM_UNBOUNDED && ref[i] > k ? k + 1 : ref[i];
                        if (dist[i] != want) {
                            fprintf(stderr,
                                    "huge_m: %s m=%zu k=%u shift %zu: %u, want %u\n",
                                    engines[e], m, k, i, dist[i], want);
                            ok = 0;
                        }
                    }
                }
                bad |= !ok;
                if (k == HAM_UNBOUNDED)
                    printf("%s\t%zu\tunbounded", engines[e], m);
                else
                    printf("%s\t%zu\t%u", engines[e], m, k);
                printf("\t%s\t%s\t%.2f\t%ld\t%s\n", skew ? "dna-skewed" : "dna",
                       ham_errname(rc), t, peak_kib(),
                       rc != HAM_OK ? "refused"
                       : ok         ? "ok"
                                    : "WRONG");
                fflush(stdout);
                ham_plan_destroy(plan);
            }
        }
    }
    free(pat);
    free(text);
    free(ref);
    free(dist);
    return bad;
}
