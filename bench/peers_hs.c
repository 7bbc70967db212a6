/* SPDX-License-Identifier: MIT */
/*
 * peers_hs.c -- Hyperscan's Hamming-distance mode against libhamming on the
 * same input (issue 8, peers): the k-mismatch windows of a pattern in a text
 * by both, their times, and Hyperscan's recall and precision against
 * libhamming's exact hits. Built by `make peers-hs` only when configure
 * found libhs (Debian libhyperscan-dev); never by make check.
 *
 *   bench/peers_hs [--fasta] [-k K] PATTERN FILE
 *
 * FILE is read whole (plain bytes; --fasta: header lines dropped, line
 * breaks removed). The pattern is a literal: Hyperscan gets it with every
 * byte escaped (\xHH), hs_expr_ext.hamming_distance = K and
 * HS_FLAG_SOM_LEFTMOST, so that each match gives its window's start; a window
 * is a hit for Hyperscan when a match spans exactly m bytes. libhamming:
 * ham_kmis_u8 with max_dist = K (one plan, AUTO). Times: wall clock of the
 * scan only (databases and plans compiled before), best of 3. Output, one
 * TSV line: tool times, hit counts, recall (share of libhamming's hits
 * Hyperscan reported) and precision. Time O(scan times); memory O(n).
 */
#include <hamming.h>
#include <hs.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct hits {
    uint8_t *mark; /* mark[s] = 1: window s is a hit */
    size_t count, m;
} hits;

static int
ham_cb(void *ctx, size_t pos, uint32_t dist)
{
    hits *h = ctx;
    (void)dist;
    if (!h->mark[pos]) {
        h->mark[pos] = 1;
        h->count++;
    }
    return 0;
}

static int
hs_cb(unsigned int id, unsigned long long from, unsigned long long to,
      unsigned int flags, void *ctx)
{
    hits *h = ctx;
    (void)id;
    (void)flags;
    if (to - from == h->m && !h->mark[from]) {
        h->mark[from] = 1;
        h->count++;
    }
    return 0;
}

static unsigned char *
read_all(const char *path, int fasta, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, w = 0, i;
    int c, at_line_start = 1, in_header = 0;
    if (!f)
        return NULL;
    while ((c = getc(f)) != EOF) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap = cap ? 2 * cap : 1 << 20);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        buf[n++] = (unsigned char)c;
    }
    fclose(f);
    if (!fasta) {
        *len = n;
        return buf;
    }
    for (i = 0; i < n; i++) {
        const unsigned char x = buf[i];
        if (at_line_start && x == '>')
            in_header = 1;
        at_line_start = x == '\n';
        if (x == '\n') {
            in_header = 0;
            continue;
        }
        if (!in_header && x != '\r' && x != ' ' && x != '\t')
            buf[w++] = x;
    }
    *len = w;
    return buf;
}

int
main(int argc, char **argv)
{
    unsigned k = 2;
    int fasta = 0, ai = 1, r;
    const char *pat, *path;
    unsigned char *text;
    size_t n, m, i, both = 0;
    char *expr;
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    hs_scratch_t *scratch = NULL;
    hs_expr_ext_t ext;
    const hs_expr_ext_t *exts[1];
    unsigned flags = HS_FLAG_SOM_LEFTMOST, ids[1] = {0};
    ham_params p;
    ham_plan *plan;
    hits hh, hs;
    double t_ham = 1e30, t_hs = 1e30;

    for (; ai < argc && argv[ai][0] == '-'; ai++) {
        if (strcmp(argv[ai], "--fasta") == 0)
            fasta = 1;
        else if (strcmp(argv[ai], "-k") == 0 && ai + 1 < argc)
            k = (unsigned)strtoul(argv[++ai], NULL, 10);
        else
            break;
    }
    if (argc - ai != 2) {
        fprintf(stderr, "usage: peers_hs [--fasta] [-k K] PATTERN FILE\n");
        return 2;
    }
    pat = argv[ai];
    path = argv[ai + 1];
    m = strlen(pat);
    text = read_all(path, fasta, &n);
    if (!text || m == 0 || n < m) {
        fprintf(stderr, "peers_hs: cannot read %s, or it is shorter than the pattern\n",
                path);
        return 2;
    }

    /* libhamming */
    ham_params_init(&p);
    p.max_dist = k;
    if (ham_plan_create_u8(&plan, (const uint8_t *)pat, m, &p) != HAM_OK)
        return 1;
    hh.mark = calloc(n, 1);
    hh.m = m;
    for (r = 0; r < 3; r++) {
        double t0;
        memset(hh.mark, 0, n);
        hh.count = 0;
        t0 = now();
        if (ham_kmis_u8(plan, text, n, ham_cb, &hh) != HAM_OK)
            return 1;
        t0 = now() - t0;
        if (t0 < t_ham)
            t_ham = t0;
    }

    /* Hyperscan: the literal, every byte escaped */
    expr = malloc(4 * m + 1);
    for (i = 0; i < m; i++)
        snprintf(expr + 4 * i, 5, "\\x%02x", (unsigned char)pat[i]);
    memset(&ext, 0, sizeof ext);
    ext.flags = HS_EXT_FLAG_HAMMING_DISTANCE;
    ext.hamming_distance = k;
    exts[0] = &ext;
    hs.mark = calloc(n, 1);
    hs.m = m;
    hs.count = 0;
    if (hs_compile_ext_multi((const char *const *)&expr, &flags, ids, exts, 1,
                             HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
        printf(
            "tool\tm\tk\tn\tham_s\tham_hits\ths_s\ths_hits\trecall\tprecision\tnote\n");
        printf("hyperscan\t%zu\t%u\t%zu\t%.4g\t%zu\t-\t-\t-\t-\tcompile failed: %s\n",
               m, k, n, t_ham, hh.count, cerr ? cerr->message : "?");
        return 0;
    }
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        return 1;
    for (r = 0; r < 3; r++) {
        double t0;
        memset(hs.mark, 0, n);
        hs.count = 0;
        t0 = now();
        if (hs_scan(db, (const char *)text, (unsigned)n, 0, scratch, hs_cb, &hs) !=
            HS_SUCCESS)
            return 1;
        t0 = now() - t0;
        if (t0 < t_hs)
            t_hs = t0;
    }
    for (i = 0; i < n; i++)
        both += hh.mark[i] && hs.mark[i];
    printf("tool\tm\tk\tn\tham_s\tham_hits\ths_s\ths_hits\trecall\tprecision\tnote\n");
    printf("hyperscan\t%zu\t%u\t%zu\t%.4g\t%zu\t%.4g\t%zu\t%.4f\t%.4f\t-\n", m, k, n,
           t_ham, hh.count, t_hs, hs.count,
           hh.count ? (double)both / (double)hh.count : 1.0,
           hs.count ? (double)both / (double)hs.count : 1.0);
    hs_free_scratch(scratch);
    hs_free_database(db);
    ham_plan_destroy(plan);
    free(expr);
    free(hh.mark);
    free(hs.mark);
    free(text);
    return 0;
}
