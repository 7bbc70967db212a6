/* SPDX-License-Identifier: MIT */
/*
 * search.c -- hamgrep's searches: each pattern (and with --rc its reverse
 * complement) becomes library plans, and a batch's text is searched by one
 * library call per plan; hits are mapped back to sequences and positions.
 *
 * Case: the text is searched through a 256-byte table (fold) that
 * upper-cases it for -i and, unless --case-sensitive, for FASTA/FASTQ
 * (soft-masked bases). The pattern gets the same treatment; the window
 * printed is the text as found.
 *
 * --iupac: a pattern position holds a set of bases. N is the library's
 * wildcard. The library compares symbols for equality only, so positions
 * with 2- or 3-base codes are served in one of two exact ways:
 *
 *  - expansion: the distance to the set pattern is the minimum, over the E
 *    concrete patterns obtained by choosing one base per position, of their
 *    distances (choices are independent per position, and the best choice
 *    at each position is the matching base if any). So a window is within K
 *    iff some expansion is, and each expansion is a k-bounded search, the
 *    library's fastest case. Cost: E k-bounded searches;
 *  - decomposition: for each base b, P_b holds b where b is in the set and a
 *    byte the text never holds elsewhere; then D(i) = sum_b d_b(i) - 3 m'
 *    (m' the positions that are not N). Cost: 4 exact all-shift distance
 *    computations, whatever the number of codes.
 *
 * An exact all-shift computation costs m/(K+1) times a k-bounded one or more
 * with the early-exit engines, so expansion is used up to IUPAC_EXPAND_MAX
 * expansions and decomposition beyond. The text is mapped to A C G T N
 * (U read as T, anything else as N: it matches only N) so that the
 * decomposition's filler byte (0x01) never occurs in it.
 */
#include "hamgrep.h"

#include <stdlib.h>
#include <string.h>

/* Expansions beyond this are served by the 4-pass decomposition. 16 k-bounded
 * passes cost about as much as 4 exact ones for m = 20, K = 2 on dm3 (the
 * exact pass is ~4x slower there), and the ratio grows with m/K. */
#define IUPAC_EXPAND_MAX 16

static const char set_letter[16] = {'?', 'A', 'C', 'M', 'G', 'R', 'S', 'V',
                                    'T', 'W', 'Y', 'H', 'K', 'D', 'B', 'N'};

/* Base set of an IUPAC code (bits A=1 C=2 G=4 T=8), 0 if not one. */
static unsigned
iupac_set(unsigned char c)
{
    switch (c | 0x20) {
    case 'a':
        return 1;
    case 'c':
        return 2;
    case 'g':
        return 4;
    case 't':
    case 'u':
        return 8;
    case 'r':
        return 5;
    case 'y':
        return 10;
    case 's':
        return 6;
    case 'w':
        return 9;
    case 'k':
        return 12;
    case 'm':
        return 3;
    case 'b':
        return 14;
    case 'd':
        return 13;
    case 'h':
        return 11;
    case 'v':
        return 7;
    case 'n':
        return 15;
    default:
        return 0;
    }
}

static unsigned
set_complement(unsigned s)
{
    return ((s & 1u) << 3) | ((s & 8u) >> 3) | ((s & 2u) << 1) | ((s & 4u) >> 1);
}

/* Complement of a byte for --rc without --iupac: A/T, C/G (U pairs with A),
 * the IUPAC codes to their complements, case kept; other bytes unchanged. */
static unsigned char
complement(unsigned char c)
{
    unsigned s = iupac_set(c);
    unsigned char r;
    if (s == 0)
        return c;
    if ((c | 0x20) == 'u')
        r = 'A';
    else
        r = (unsigned char)set_letter[set_complement(s)];
    return (c >= 'a' && c <= 'z') ? (unsigned char)(r | 0x20) : r;
}

static unsigned
popcount4(unsigned s)
{
    return (s & 1u) + ((s >> 1) & 1u) + ((s >> 2) & 1u) + ((s >> 3) & 1u);
}

/* ---- Building ------------------------------------------------------------ */

static int
plan_one(struct hg *g, ham_plan **out, const unsigned char *p, size_t m, int wildcard,
         int exact, char *err, size_t errcap)
{
    ham_params par;
    int rc;
    ham_params_init(&par);
    par.engine = g->o.engine;
    par.max_dist =
        exact || (g->out == OUT_DIST && !g->o.k_given) ? HAM_UNBOUNDED : g->o.k;
    par.epsilon = g->o.eps;
    par.delta = g->o.delta;
    par.seed = g->o.seed;
    par.wildcard = wildcard ? 'N' : -1;
    rc = ham_plan_create_u8(out, p, m, &par);
    if (rc == HAM_EUNSUPPORTED)
        snprintf(err, errcap, "engine '%s': %s", ham_engine_name(g->o.engine),
                 ham_strerror(rc));
    else if (rc != HAM_OK)
        /* say which step failed: "out of memory" alone could be anything */
        snprintf(err, errcap, "preparing a pattern of length %zu: %s", m,
                 ham_strerror(rc));
    return rc;
}

static int
search_plans(struct hg *g, struct search *s, char *err, size_t errcap)
{
    size_t j, e, nexp = 1, nmulti = 0;
    int wild = 0, rc;
    unsigned char *q;

    if (!s->sets) {
        s->kind = SK_PLAIN;
        s->plans = calloc(1, sizeof *s->plans);
        if (!s->plans)
            return HAM_ENOMEM;
        s->nplans = 1;
        return plan_one(g, &s->plans[0], s->sym, s->m, 0, 0, err, errcap);
    }
    s->mprime = 0;
    for (j = 0; j < s->m; j++) {
        unsigned c = popcount4(s->sets[j]);
        if (c == 4)
            wild = 1;
        else
            s->mprime++;
        if (c == 2 || c == 3) {
            nmulti++;
            if (nexp <= IUPAC_EXPAND_MAX)
                nexp *= c;
        }
    }
    q = malloc(s->m);
    if (!q)
        return HAM_ENOMEM;
    if (nmulti == 0 || nexp <= IUPAC_EXPAND_MAX) {
        s->kind = nmulti == 0 ? SK_PLAIN : SK_EXPAND;
        s->nplans = nexp;
    } else {
        s->kind = SK_DECOMP;
        s->nplans = 4;
    }
    s->plans = calloc(s->nplans, sizeof *s->plans);
    if (!s->plans) {
        free(q);
        return HAM_ENOMEM;
    }
    rc = HAM_OK;
    for (e = 0; e < s->nplans && rc == HAM_OK; e++) {
        size_t rest = e;
        for (j = 0; j < s->m; j++) {
            unsigned set = s->sets[j], c = popcount4(set);
            if (c == 4) {
                q[j] = 'N';
            } else if (s->kind == SK_DECOMP) {
                q[j] = (set >> e) & 1u ? (unsigned char)set_letter[1u << e] : 0x01;
            } else if (c == 1) {
                q[j] = (unsigned char)set_letter[set];
            } else {
                /* the (rest mod c)-th base of the set */
                size_t pick = rest % c, b;
                rest /= c;
                for (b = 0; b < 4; b++) {
                    if ((set >> b) & 1u) {
                        if (pick == 0)
                            break;
                        pick--;
                    }
                }
                q[j] = (unsigned char)set_letter[1u << b];
            }
        }
        rc =
            plan_one(g, &s->plans[e], q, s->m, wild, s->kind == SK_DECOMP, err, errcap);
    }
    free(q);
    return rc;
}

/* The searches of one case mode (fold: 0 as is, 1 upper-cased). Returns a
 * ham status; err gets a message for the user. */
int
searches_build(struct hg *g, int fold, char *err, size_t errcap)
{
    struct searchset *set = &g->sets[fold];
    size_t i, c;
    int rc = HAM_OK;

    for (c = 0; c < 256; c++) {
        unsigned char x = (unsigned char)c;
        if (fold && x >= 'a' && x <= 'z')
            x = (unsigned char)(x - 'a' + 'A');
        if (g->o.iupac) {
            if (x == 'U')
                x = 'T';
            else if (x != 'A' && x != 'C' && x != 'G' && x != 'T')
                x = 'N';
        }
        set->fold[c] = x;
    }
    set->identity = !fold && !g->o.iupac;
    set->upper = fold && !g->o.iupac;
    set->s = calloc(2 * g->npats + 1, sizeof *set->s);
    if (!set->s)
        return HAM_ENOMEM;
    set->n = 0;
    for (i = 0; i < g->npats && rc == HAM_OK; i++) {
        const struct pattern *pt = &g->pats[i];
        int strand;
        for (strand = 0; strand < 1 + !!g->o.rc && rc == HAM_OK; strand++) {
            struct search *s = &set->s[set->n];
            size_t j, m = pt->m;
            s->pat = (unsigned)i;
            s->minus = strand;
            s->m = m;
            s->sym = malloc(m);
            if (!s->sym)
                return HAM_ENOMEM;
            if (g->o.iupac) {
                s->sets = malloc(m * sizeof *s->sets);
                if (!s->sets)
                    return HAM_ENOMEM;
                for (j = 0; j < m; j++) {
                    unsigned v = iupac_set(pt->s[j]);
                    if (v == 0) {
                        snprintf(err, errcap,
                                 "pattern '%s': '%c' is not an IUPAC nucleotide code",
                                 pt->id, pt->s[j]);
                        return HAM_EINVAL;
                    }
                    if (strand)
                        s->sets[m - 1 - j] = (unsigned short)set_complement(v);
                    else
                        s->sets[j] = (unsigned short)v;
                }
                for (j = 0; j < m; j++)
                    s->sym[j] = (unsigned char)set_letter[s->sets[j]];
            } else {
                for (j = 0; j < m; j++) {
                    unsigned char x = pt->s[j];
                    if (fold && x >= 'a' && x <= 'z')
                        x = (unsigned char)(x - 'a' + 'A');
                    if (strand)
                        s->sym[m - 1 - j] = complement(x);
                    else
                        s->sym[j] = x;
                }
            }
            if (strand && memcmp(s->sym, set->s[set->n - 1].sym, m) == 0) {
                /* a palindrome: the '+' search finds the '-' hits too */
                set->s[set->n - 1].mirror = 1;
                free(s->sym);
                free(s->sets);
                memset(s, 0, sizeof *s);
                continue;
            }
            set->n++;
            rc = search_plans(g, s, err, errcap);
        }
    }
    set->bykey = calloc(2 * g->npats + 1, sizeof *set->bykey);
    if (!set->bykey)
        return HAM_ENOMEM;
    for (i = 0; i < set->n; i++) {
        const struct search *s = &set->s[i];
        set->bykey[2 * s->pat + (unsigned)s->minus] = s;
        if (s->mirror)
            set->bykey[2 * s->pat + 1] = s;
    }
    return rc;
}

void
searches_explain(const struct hg *g, int fold, size_t n)
{
    const struct searchset *set = &g->sets[fold];
    size_t i, j;
    for (i = 0; i < set->n; i++) {
        const struct search *s = &set->s[i];
        for (j = 0; j < s->nplans; j++) {
            char line[2048];
            if (ham_plan_explain(s->plans[j], n, line, sizeof line) != HAM_OK)
                snprintf(line, sizeof line, "(no explanation)");
            if (s->nplans > 1)
                fprintf(
                    stderr, "hamgrep: explain: pattern %s strand %c plan %zu/%zu: %s\n",
                    g->pats[s->pat].id, s->minus ? '-' : '+', j + 1, s->nplans, line);
            else
                fprintf(stderr, "hamgrep: explain: pattern %s strand %c: %s\n",
                        g->pats[s->pat].id, s->minus ? '-' : '+', line);
        }
    }
}

void
searches_free(struct hg *g)
{
    int f;
    for (f = 0; f < 2; f++) {
        struct searchset *set = &g->sets[f];
        size_t i, j;
        if (!set->s)
            continue;
        for (i = 0; i <= set->n && i < 2 * g->npats + 1; i++) {
            struct search *s = &set->s[i];
            for (j = 0; j < s->nplans && s->plans; j++)
                ham_plan_destroy(s->plans[j]);
            free(s->plans);
            free(s->sym);
            free(s->sets);
        }
        free(set->s);
        set->s = NULL;
        free(set->bykey);
        set->bykey = NULL;
    }
}

const struct search *
search_of_key(const struct hg *g, int fold, uint32_t key)
{
    return g->sets[fold].bykey[key];
}

/* Does text byte c match position j of the search (for --color)? */
int
sym_matches(const struct search *s, size_t j, unsigned char c,
            const unsigned char *fold)
{
    unsigned char x = fold[c];
    if (s->sets) {
        unsigned t = x == 'A' ? 1u : x == 'C' ? 2u : x == 'G' ? 4u : x == 'T' ? 8u : 0u;
        return s->sets[j] == 15 || (s->sets[j] & t) != 0;
    }
    return s->sym[j] == x;
}

/* ---- Running ---------------------------------------------------------------- */

void
scratch_free(struct scratch *s)
{
    size_t i;
    buf_free(&s->fold);
    for (i = 0; i < 5; i++)
        free(s->d[i]);
    free(s->h[0]);
    free(s->h[1]);
    memset(s, 0, sizeof *s);
}

struct collect {
    struct hit *h;
    size_t n, cap;
    int nomem;
};

/* Library callback: a window at text offset pos, appended to c->h. */
static int
collect_hit(void *ctx, size_t pos, uint32_t dist)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        struct hit *h = realloc(c->h, cap * sizeof *h);
        if (!h) {
            c->nomem = 1;
            return 1;
        }
        c->h = h;
        c->cap = cap;
    }
    c->h[c->n].toff = pos;
    c->h[c->n].dist = dist;
    c->n++;
    return 0;
}

static int
kmis(const ham_plan *plan, const unsigned char *text, size_t n, struct collect *c)
{
    int rc = ham_kmis_u8(plan, text, n, collect_hit, c);
    return rc == HAM_ESTOPPED && c->nomem ? HAM_ENOMEM : rc;
}

static int
cmp_toff(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->toff != y->toff)
        return x->toff < y->toff ? -1 : 1;
    return x->dist < y->dist ? -1 : x->dist > y->dist;
}

/* Scratch distance array i with room for nd values. */
static int
ensure_d(struct scratch *sc, int i, size_t nd)
{
    if (sc->dcap[i] < nd) {
        free(sc->d[i]);
        sc->d[i] = malloc(nd * sizeof *sc->d[i]);
        sc->dcap[i] = sc->d[i] ? nd : 0;
        if (!sc->d[i])
            return HAM_ENOMEM;
    }
    return HAM_OK;
}

/* Exact distances at every shift of text into sc->d[0..3] (decomposition). */
static int
decomp_dist(struct scratch *sc, const struct search *s, const unsigned char *text,
            size_t n)
{
    size_t nd = n - s->m + 1;
    int i, rc = HAM_OK;
    for (i = 0; i < 4 && rc == HAM_OK; i++) {
        rc = ensure_d(sc, i, nd);
        if (rc == HAM_OK)
            rc = ham_dist_u8(s->plans[i], text, n, sc->d[i], nd);
    }
    return rc;
}

/* The windows of search s within distance K, by increasing text offset. */
static int
run_search(struct hg *g, struct scratch *sc, const struct search *s,
           const unsigned char *text, size_t n, struct collect *c)
{
    size_t e, i, j;
    int rc = HAM_OK;
    switch (s->kind) {
    case SK_PLAIN:
        return kmis(s->plans[0], text, n, c);
    case SK_EXPAND:
        for (e = 0; e < s->nplans && rc == HAM_OK; e++)
            rc = kmis(s->plans[e], text, n, c);
        if (rc != HAM_OK || c->n < 2)
            return rc;
        /* one window may be found by several expansions: keep the least */
        qsort(c->h, c->n, sizeof *c->h, cmp_toff);
        for (i = 1, j = 0; i < c->n; i++) {
            if (c->h[i].toff != c->h[j].toff)
                c->h[++j] = c->h[i];
        }
        c->n = j + 1;
        return HAM_OK;
    case SK_DECOMP: {
        size_t nd = n - s->m + 1;
        const uint64_t base = 3 * (uint64_t)s->mprime;
        rc = decomp_dist(sc, s, text, n);
        for (i = 0; i < nd && rc == HAM_OK; i++) {
            uint64_t d =
                (uint64_t)sc->d[0][i] + sc->d[1][i] + sc->d[2][i] + sc->d[3][i] - base;
            if (d <= g->o.k && collect_hit(c, i, (uint32_t)d) != 0)
                rc = HAM_ENOMEM;
        }
        return rc;
    }
    }
    return HAM_EINVAL;
}

static int
push_hit(struct batch *b, const struct seg *sg, size_t t, uint32_t dist, uint32_t key)
{
    struct hit *h;
    if (b->nhits == b->caphits) {
        size_t cap = b->caphits ? 2 * b->caphits : 256;
        h = realloc(b->hits, cap * sizeof *h);
        if (!h)
            return HAM_ENOMEM;
        b->hits = h;
        b->caphits = cap;
    }
    h = &b->hits[b->nhits++];
    h->seq = sg->seq;
    h->pos = sg->pos0 + (t - sg->off);
    h->toff = t;
    h->dist = dist;
    h->key = key;
    return HAM_OK;
}

/* Keep the windows that lie in one segment and end after its overlap (the
 * others cross two sequences, or were reported with the previous batch). */
static int
keep_hits(struct batch *b, const struct search *s, const struct hit *h, size_t nh)
{
    size_t i, si = 0;
    const uint32_t key = 2 * s->pat + (uint32_t)s->minus;
    for (i = 0; i < nh; i++) {
        const size_t t = h[i].toff, end = t + s->m;
        const struct seg *sg;
        while (si < b->nsegs && b->segs[si].off + b->segs[si].len <= t)
            si++;
        if (si == b->nsegs)
            break;
        sg = &b->segs[si];
        if (end > sg->off + sg->len || end <= sg->off + sg->ovl)
            continue;
        if (push_hit(b, sg, t, h[i].dist, key) != HAM_OK ||
            (s->mirror && push_hit(b, sg, t, h[i].dist, key | 1u) != HAM_OK))
            return HAM_ENOMEM;
    }
    return HAM_OK;
}

static int
cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* --distances: the distance at every shift of the text into b->dist. */
static int
dist_batch(struct hg *g, struct scratch *sc, struct batch *b, const struct search *s,
           const unsigned char *text, size_t n)
{
    size_t nd = n - s->m + 1, i, e;
    int rc = HAM_OK;
    if (b->capdist < nd) {
        free(b->dist);
        b->dist = malloc(nd * sizeof *b->dist);
        b->capdist = b->dist ? nd : 0;
        if (!b->dist)
            return HAM_ENOMEM;
    }
    switch (s->kind) {
    case SK_PLAIN:
        return ham_dist_u8(s->plans[0], text, n, b->dist, nd);
    case SK_EXPAND:
        rc = ham_dist_u8(s->plans[0], text, n, b->dist, nd);
        if (rc == HAM_OK)
            rc = ensure_d(sc, 4, nd);
        for (e = 1; e < s->nplans && rc == HAM_OK; e++) {
            rc = ham_dist_u8(s->plans[e], text, n, sc->d[4], nd);
            for (i = 0; i < nd && rc == HAM_OK; i++)
                if (sc->d[4][i] < b->dist[i])
                    b->dist[i] = sc->d[4][i];
        }
        return rc;
    case SK_DECOMP:
        rc = decomp_dist(sc, s, text, n);
        for (i = 0; i < nd && rc == HAM_OK; i++) {
            uint64_t d = (uint64_t)sc->d[0][i] + sc->d[1][i] + sc->d[2][i] +
                         sc->d[3][i] - 3 * (uint64_t)s->mprime;
            if (g->o.k_given && d > g->o.k)
                d = (uint64_t)g->o.k + 1;
            b->dist[i] = (uint32_t)d;
        }
        return rc;
    }
    return HAM_EINVAL;
}

/* dst = src with ASCII a-z upper-cased, 8 bytes at a time: this pass is over
 * every symbol of a FASTA file, and byte-wise it cost as much as the parser
 * (GCC 12 -O2 does not vectorise the loop). For each byte b < 0x80 of a word,
 * b + 0x1f has its top bit set iff b >= 'a', b + 0x05 iff b > 'z'; adding
 * within 7 bits cannot carry into the next byte. */
static void
upper_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x80u * ones;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, h, mask;
        memcpy(&x, src + i, 8);
        h = x & ~high;
        mask = (h + 0x1fu * ones) & ~(h + 0x05u * ones) & ~x & high;
        x ^= mask >> 2;
        memcpy(dst + i, &x, 8);
    }
    for (; i < n; i++) {
        unsigned c = src[i];
        dst[i] = (unsigned char)(c >= 'a' && c <= 'z' ? c - 32u : c);
    }
}

/* Search one batch (any thread): fills b->hits, or b->dist for --distances,
 * and b->serr. Reads only what is immutable while batches are in flight. */
void
search_batch(struct hg *g, struct scratch *sc, struct batch *b)
{
    const struct searchset *set = &g->sets[b->fold];
    const unsigned char *text = b->text.p;
    size_t n = b->text.len, i, producing = 0;
    struct collect c;
    int rc = HAM_OK;

    b->nhits = 0;
    b->serr = HAM_OK;
    if (n == 0 || !set->s || set->n == 0)
        return;
    if (!set->identity) {
        unsigned char *f;
        sc->fold.len = 0;
        if (buf_reserve(&sc->fold, n) != 0) {
            b->serr = HAM_ENOMEM;
            return;
        }
        f = sc->fold.p;
        if (set->upper) {
            upper_copy(f, text, n);
        } else {
            for (i = 0; i < n; i++)
                f[i] = set->fold[text[i]];
        }
        text = f;
    }
    if (g->out == OUT_DIST) {
        if (set->s[0].m <= n)
            b->serr = dist_batch(g, sc, b, &set->s[0], text, n);
        return;
    }
    c.h = sc->h[0];
    c.cap = sc->hcap[0];
    c.nomem = 0;
    for (i = 0; i < set->n && rc == HAM_OK; i++) {
        const struct search *s = &set->s[i];
        size_t before = b->nhits;
        if (s->m > n)
            continue;
        c.n = 0;
        rc = run_search(g, sc, s, text, n, &c);
        if (rc == HAM_OK)
            rc = keep_hits(b, s, c.h, c.n);
        if (b->nhits > before)
            producing += s->mirror ? 2 : 1;
    }
    sc->h[0] = c.h;
    sc->hcap[0] = c.cap;
    b->serr = rc;
    if (producing > 1)
        qsort(b->hits, b->nhits, sizeof *b->hits, cmp_hit);
}
