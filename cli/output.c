/* SPDX-License-Identifier: MIT */
/*
 * output.c -- hamgrep's output stage: takes the searched batches in input
 * order and writes records, windows, rows, counts or file names (the formats
 * of hamgrep(1), a contract that scripts parse).
 *
 * Hits of a batch are the windows that END in it; a window of a shorter
 * pattern in the next batch may START earlier. So that output is in order of
 * start whatever the batch boundaries (and so the same for every -j), hits
 * that start at or after the safe point (searched symbols - M + 1, before
 * which no window can still be found) are held back in `pend` with a copy of
 * their window, and merged with the next batch's.
 *
 * Plain output prints a record's raw bytes once it has a hit (kept until
 * then, as grep keeps a line); with --color, -n or -b a walker follows the
 * raw bytes to know which are sequence symbols, line starts and offsets.
 */
#include "hamgrep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Writing ------------------------------------------------------------ */

/* Every write to stdout goes through here: the first failure stops all
 * processing and is reported by main. */
void
out_write(struct hg *g, const void *p, size_t n)
{
    if (g->werr || n == 0)
        return;
    errno = 0;
    if (fwrite(p, 1, n, stdout) != n) {
        g->werr = 1;
        g->werr_errno = errno;
        g->stop_all = 1;
    }
}

void
out_str(struct hg *g, const char *s)
{
    out_write(g, s, strlen(s));
}

/* Decimal without printf: --distances may print a line per text symbol. */
static void
out_u64(struct hg *g, uint64_t v)
{
    char b[24];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out_write(g, b + i, sizeof b - i);
}

/* "hamgrep: FILE: reason" on stderr, after what stdout holds so far. */
void
message(struct hg *g, const char *fname, const char *reason)
{
    if (fflush(stdout) != 0 && !g->werr) {
        g->werr = 1;
        g->werr_errno = errno;
        g->stop_all = 1;
    }
    progress_clear(g);
    if (fname)
        fprintf(stderr, "hamgrep: %s: %s\n", fname, reason);
    else
        fprintf(stderr, "hamgrep: %s\n", reason);
}

static void
sgr_on(struct hg *g, const char *c)
{
    if (g->o.color && *c) {
        out_write(g, "\033[", 2);
        out_str(g, c);
        out_write(g, "m\033[K", 4);
    }
}

static void
sgr_off(struct hg *g, const char *c)
{
    if (g->o.color && *c)
        out_write(g, "\033[m\033[K", 6);
}

static void
sep(struct hg *g, const char *s)
{
    sgr_on(g, g->c_se);
    out_str(g, s);
    sgr_off(g, g->c_se);
}

/* grep's line prefix: [FILE:][LINE:][BYTE:] */
static void
prefix(struct hg *g, uint64_t line, uint64_t byte)
{
    if (g->with_name) {
        sgr_on(g, g->c_fn);
        out_str(g, g->w.f->name);
        sgr_off(g, g->c_fn);
        sep(g, ":");
    }
    if (g->o.line_number) {
        sgr_on(g, g->c_ln);
        out_u64(g, line);
        sgr_off(g, g->c_ln);
        sep(g, ":");
    }
    if (g->o.byte_offset) {
        sgr_on(g, g->c_bn);
        out_u64(g, byte);
        sgr_off(g, g->c_bn);
        sep(g, ":");
    }
}

static int
has_prefix(const struct hg *g)
{
    return g->with_name || g->o.line_number || g->o.byte_offset;
}

/* A TSV/BED field: \t \n \r \\ escaped, \xHH for the other bytes below 0x20
 * and 0x7f, so that a row stays one line and the escape is reversible. */
static void
out_escaped(struct hg *g, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = p[i];
        char e[4];
        size_t elen = 2;
        if (c >= 0x20 && c != 0x7f && c != '\\')
            continue;
        out_write(g, p + run, i - run);
        run = i + 1;
        e[0] = '\\';
        switch (c) {
        case '\t':
            e[1] = 't';
            break;
        case '\n':
            e[1] = 'n';
            break;
        case '\r':
            e[1] = 'r';
            break;
        case '\\':
            e[1] = '\\';
            break;
        default:
            e[1] = 'x';
            e[2] = hex[c >> 4];
            e[3] = hex[c & 15];
            elen = 4;
        }
        out_write(g, e, elen);
    }
    if (n > run) /* p is NULL for an empty name */
        out_write(g, p + run, n - run);
}

/* A JSON string: quote, backslash and control bytes escaped; other bytes as
 * they are (valid JSON when the input is UTF-8). */
static void
out_json_str(struct hg *g, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    out_write(g, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = p[i];
        char e[6] = {'\\', 'u', '0', '0', 0, 0};
        size_t elen = 2;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        out_write(g, p + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
        case '\\':
            e[1] = (char)c;
            break;
        case '\n':
            e[1] = 'n';
            break;
        case '\r':
            e[1] = 'r';
            break;
        case '\t':
            e[1] = 't';
            break;
        default:
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            elen = 6;
        }
        out_write(g, e, elen);
    }
    if (n > run) /* p is NULL for an empty name */
        out_write(g, p + run, n - run);
    out_write(g, "\"", 1);
}

/* ---- Colors ------------------------------------------------------------- */

static unsigned char
cst_get(const struct out *w, uint64_t pos)
{
    if (pos < w->cbase || pos - w->cbase >= w->cst.len)
        return 0;
    return w->cst.p[pos - w->cbase];
}

/* Mark the window of a hit: 2 where it matches, 1 where it does not. A
 * position covered by several windows shows as a match if it matches in one
 * of them. */
static void
cst_mark(struct hg *g, const struct search *s, uint64_t pos, const unsigned char *win)
{
    struct out *w = &g->w;
    size_t j, need;
    if (pos < w->cbase)
        return; /* cannot happen: hits come before the walker passes them */
    need = (size_t)(pos - w->cbase) + s->m;
    if (need > w->cst.len) {
        if (buf_reserve(&w->cst, need - w->cst.len) != 0)
            return; /* colors are cosmetic: lose them rather than fail */
        memset(w->cst.p + w->cst.len, 0, need - w->cst.len);
        w->cst.len = need;
    }
    for (j = 0; j < s->m; j++) {
        unsigned char v = sym_matches(s, j, win[j], g->sets[w->fold].fold) ? 2 : 1;
        unsigned char *c = &w->cst.p[(size_t)(pos - w->cbase) + j];
        if (v > *c)
            *c = v;
    }
}

/* Forget the states of positions the walker has passed. */
static void
cst_trim(struct out *w)
{
    size_t drop;
    if (w->w_sym <= w->cbase)
        return;
    drop = (size_t)(w->w_sym - w->cbase);
    if (drop > w->cst.len)
        drop = w->cst.len;
    if (drop < 4096 && drop < w->cst.len)
        return; /* move rarely */
    /* cst.p may be NULL (no color state yet) */
    if (drop > 0)
        memmove(w->cst.p, w->cst.p + drop, w->cst.len - drop);
    w->cst.len -= drop;
    w->cbase += drop;
}

/* ---- The walker over a record's raw bytes ------------------------------- */

/* Print p[0..n) as lines with prefixes (no color): the fast path. */
static void
emit_lines(struct hg *g, const unsigned char *p, size_t n)
{
    struct out *w = &g->w;
    if (!has_prefix(g)) {
        out_write(g, p, n);
        if (n > 0)
            w->w_bol = p[n - 1] == '\n';
        return;
    }
    while (n > 0 && !g->werr) {
        const unsigned char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) + 1 : n;
        if (w->w_bol)
            prefix(g, w->w_line, w->w_byte);
        out_write(g, p, len);
        w->w_byte += len;
        w->w_bol = nl != NULL;
        if (nl) {
            w->w_line++;
            w->w_recline++;
        }
        p += len;
        n -= len;
    }
}

/* Walk p[0..n), the next raw bytes of the open record: follow line numbers,
 * offsets and symbol positions, and print the bytes if print. Stops before
 * the first symbol at position >= stop and, unless final, before a '\r'
 * that the next byte (not here yet) makes trailing or not. Returns the
 * number of bytes walked. */
static size_t
walk(struct hg *g, const unsigned char *p, size_t n, uint64_t stop, int print,
     int final)
{
    struct out *w = &g->w;
    size_t i;
    unsigned char cur = 0; /* color state being printed */
    if (print && !g->o.color) {
        emit_lines(g, p, n);
        return n;
    }
    i = 0;
    if (!print && w->mode != MODE_LINES) {
        /* -o with -n or -b: skip whole lines whose symbols all lie before
         * stop, a memchr per line instead of a test per byte */
        while (i < n) {
            const unsigned char *nl = memchr(p + i, '\n', n - i), *cr;
            size_t end = nl ? (size_t)(nl - p) : n, len = end - i, syms = 0;
            if (w->mode == MODE_WHOLE) {
                syms = len + (nl != NULL);
            } else if (w->mode == MODE_FASTA ? w->w_recline > 0 : w->w_recline == 1) {
                syms = len;
                for (cr = memchr(p + i, '\r', len); cr;
                     cr = memchr(cr + 1, '\r', (size_t)(p + end - (cr + 1))))
                    syms--;
            }
            if (w->w_sym + syms > stop || (syms > 0 && w->w_sym + syms == stop && !nl))
                break; /* the symbol at stop is in this line: walk it byte-wise */
            w->w_sym += syms;
            w->w_byte += len + (nl != NULL);
            w->w_bol = nl != NULL;
            i = end + (nl != NULL);
            if (nl) {
                w->w_line++;
                w->w_recline++;
            }
        }
    }
    for (; i < n && !g->werr; i++) {
        unsigned char c = p[i];
        int sym;
        if (w->mode == MODE_WHOLE)
            sym = 1;
        else if (c == '\n')
            sym = 0;
        else if (w->mode == MODE_LINES) {
            if (c != '\r')
                sym = 1;
            else if (i + 1 < n)
                sym = p[i + 1] != '\n';
            else if (final)
                sym = 0;
            else
                break;
        } else if (w->mode == MODE_FASTA)
            sym = w->w_recline > 0 && c != '\r';
        else
            sym = w->w_recline == 1 && c != '\r';
        if (sym && w->w_sym >= stop)
            break;
        if (print) {
            unsigned char st = sym && c != '\n' ? cst_get(w, w->w_sym) : 0;
            if (w->w_bol && has_prefix(g)) {
                if (cur)
                    sgr_off(g, "x");
                cur = 0;
                prefix(g, w->w_line, w->w_byte);
            }
            if (st != cur) {
                if (cur)
                    sgr_off(g, "x");
                if (st)
                    sgr_on(g, st == 2 ? g->c_ms : g->c_mm);
                cur = st;
            }
            out_write(g, &p[i], 1);
        }
        w->w_byte++;
        w->w_sym += (uint64_t)sym;
        w->w_bol = c == '\n';
        if (c == '\n') {
            w->w_line++;
            w->w_recline++;
        }
    }
    if (cur)
        sgr_off(g, "x");
    if (g->o.color)
        cst_trim(w);
    return i;
}

/* --whole plain output: print each complete line that a hit window touches.
 * A line [a, b) is decided once every window starting before b is known:
 * b <= stop, or final. */
static size_t
walk_whole(struct hg *g, const unsigned char *p, size_t n, uint64_t stop, int final)
{
    struct out *w = &g->w;
    size_t i = 0;
    while (i < n && !g->werr) {
        const unsigned char *nl = memchr(p + i, '\n', n - i);
        size_t len;
        uint64_t a = w->w_sym, b;
        int touched;
        if (!nl && !final)
            break;
        len = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
        b = a + len;
        if (!final && b > stop)
            break;
        while (w->cov_head < w->ncov && w->cov[2 * w->cov_head + 1] <= a)
            w->cov_head++;
        touched = w->cov_head < w->ncov && w->cov[2 * w->cov_head] < b;
        if (touched) {
            (void)walk(g, p + i, len, UINT64_MAX, 1, 1);
            w->w_sym = b; /* the no-color path does not count symbols */
        } else {
            w->w_sym += len;
            w->w_byte += len;
            w->w_line += nl != NULL;
        }
        i += len;
    }
    if (w->cov_head == w->ncov)
        w->cov_head = w->ncov = 0;
    return i;
}

static void
cov_add(struct hg *g, uint64_t s, uint64_t e)
{
    struct out *w = &g->w;
    if (w->ncov > w->cov_head && s <= w->cov[2 * w->ncov - 1]) {
        if (e > w->cov[2 * w->ncov - 1])
            w->cov[2 * w->ncov - 1] = e;
        return;
    }
    if (w->ncov == w->capcov) {
        if (w->cov_head > 0) {
            memmove(w->cov, w->cov + 2 * w->cov_head,
                    2 * (w->ncov - w->cov_head) * sizeof *w->cov);
            w->ncov -= w->cov_head;
            w->cov_head = 0;
        } else {
            size_t cap = w->capcov ? 2 * w->capcov : 64;
            uint64_t *c = realloc(w->cov, 2 * cap * sizeof *c);
            if (!c) {
                g->any_error = 1;
                message(g, w->f->name, "out of memory");
                g->stop_all = 1;
                return;
            }
            w->cov = c;
            w->capcov = cap;
        }
    }
    w->cov[2 * w->ncov] = s;
    w->cov[2 * w->ncov + 1] = e;
    w->ncov++;
}

/* Walk the walker to symbol pos without printing (-o with -n or -b): the
 * bytes walked are dropped from the record buffer. */
static void
walk_to(struct hg *g, uint64_t pos)
{
    struct out *w = &g->w;
    size_t k = walk(g, w->rraw.p, w->rraw.len, pos, 0, 0);
    if (k > 0) /* rraw.p may be NULL (nothing buffered yet) */
        memmove(w->rraw.p, w->rraw.p + k, w->rraw.len - k);
    w->rraw.len -= k;
}

/* ---- Hits ----------------------------------------------------------------- */

static void
out_seq_field(struct hg *g, int json)
{
    struct out *w = &g->w;
    if (w->mode == MODE_FASTA || w->mode == MODE_FASTQ) {
        if (json)
            out_json_str(g, w->name.p, w->name.len);
        else
            out_escaped(g, w->name.p, w->name.len);
    } else if (w->mode == MODE_LINES) {
        out_u64(g, w->lineno0);
    } else {
        out_str(g, json ? "null" : "-");
    }
}

static void
print_row(struct hg *g, const struct search *s, const struct hit *h,
          const unsigned char *win)
{
    const struct pattern *pt = &g->pats[s->pat];
    const char *strand = (h->key & 1u) ? "-" : "+";
    const char *name = g->w.f->name;
    switch (g->o.format) {
    case FMT_TSV:
        out_escaped(g, (const unsigned char *)name, strlen(name));
        out_write(g, "\t", 1);
        out_seq_field(g, 0);
        out_write(g, "\t", 1);
        out_u64(g, h->pos);
        out_write(g, "\t", 1);
        out_u64(g, h->pos + s->m);
        out_write(g, "\t", 1);
        out_str(g, strand);
        out_write(g, "\t", 1);
        out_u64(g, h->dist);
        out_write(g, "\t", 1);
        out_escaped(g, win, s->m);
        if (g->o.patterns_listed) {
            out_write(g, "\t", 1);
            out_escaped(g, (const unsigned char *)pt->id, strlen(pt->id));
        }
        out_write(g, "\n", 1);
        break;
    case FMT_BED:
        out_seq_field(g, 0);
        out_write(g, "\t", 1);
        out_u64(g, h->pos);
        out_write(g, "\t", 1);
        out_u64(g, h->pos + s->m);
        out_write(g, "\t", 1);
        out_escaped(g, (const unsigned char *)pt->id, strlen(pt->id));
        out_write(g, "\t", 1);
        out_u64(g, h->dist);
        out_write(g, "\t", 1);
        out_str(g, strand);
        out_write(g, "\n", 1);
        break;
    case FMT_JSON:
        out_str(g, "{\"file\":");
        out_json_str(g, (const unsigned char *)name, strlen(name));
        out_str(g, ",\"seq\":");
        out_seq_field(g, 1);
        out_str(g, ",\"start\":");
        out_u64(g, h->pos);
        out_str(g, ",\"end\":");
        out_u64(g, h->pos + s->m);
        out_str(g, ",\"strand\":\"");
        out_str(g, strand);
        out_str(g, "\",\"dist\":");
        out_u64(g, h->dist);
        out_str(g, ",\"match\":");
        out_json_str(g, win, s->m);
        out_str(g, ",\"pattern\":");
        out_json_str(g, (const unsigned char *)pt->id, strlen(pt->id));
        out_str(g, "}\n");
        break;
    case FMT_PLAIN:
        break;
    }
}

static void
print_only(struct hg *g, const struct search *s, const struct hit *h,
           const unsigned char *win)
{
    struct out *w = &g->w;
    uint64_t line = w->lineno0, byte = w->byte0 + h->pos;
    if ((g->o.line_number || g->o.byte_offset) && w->mode != MODE_LINES) {
        walk_to(g, h->pos);
        line = w->w_line;
        byte = w->w_byte;
    }
    prefix(g, line, byte);
    if (!g->o.color) {
        out_write(g, win, s->m);
    } else {
        size_t j, run = 0;
        int cur = -1;
        for (j = 0; j <= s->m; j++) {
            int st = j < s->m ? sym_matches(s, j, win[j], g->sets[w->fold].fold) : -1;
            if (st != cur) {
                if (cur >= 0) {
                    sgr_on(g, cur ? g->c_ms : g->c_mm);
                    out_write(g, win + run, j - run);
                    sgr_off(g, "x");
                }
                cur = st;
                run = j;
            }
        }
    }
    out_write(g, "\n", 1);
}

/* One hit, in output order. */
static void
emit_hit(struct hg *g, const struct hit *h, const unsigned char *win)
{
    struct out *w = &g->w;
    const struct search *s = search_of_key(g, w->fold, h->key);
    g->any_hit = 1;
    w->file_hit = 1;
    w->rec_hit = 1;
    switch (g->out) {
    case OUT_QUIET:
        g->quiet_hit = 1;
        g->stop_all = 1;
        return;
    case OUT_LIST:
        w->f->stop = 1; /* the answer for this file is known */
        return;
    case OUT_COUNT:
    case OUT_DIST:
        return;
    case OUT_RECORD:
        if (w->f->binary)
            return;
        if (g->o.color)
            cst_mark(g, s, h->pos, win);
        if (w->mode == MODE_WHOLE)
            cov_add(g, h->pos, h->pos + s->m);
        return;
    case OUT_ONLY:
        if (!w->f->binary)
            print_only(g, s, h, win);
        return;
    case OUT_ROWS:
        if (!w->f->binary)
            print_row(g, s, h, win);
        return;
    }
}

static int
hit_before(const struct hit *a, const struct hit *b)
{
    return a->pos < b->pos || (a->pos == b->pos && a->key < b->key);
}

static int
pend_push(struct hg *g, struct hit **arr, size_t *n, size_t *cap, struct buf *txt,
          const struct hit *h, const unsigned char *win, size_t m)
{
    struct hit *x;
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        x = realloc(*arr, c * sizeof *x);
        if (!x)
            return -1;
        *arr = x;
        *cap = c;
    }
    x = &(*arr)[(*n)++];
    *x = *h;
    x->toff = txt->len;
    (void)g;
    return buf_append(txt, win, m);
}

/* The hits of the open record in this batch, hits[*hi..) with its sequence
 * number, merged with those held back; emit those before safe (all if
 * final), hold back the others. */
static void
record_hits(struct hg *g, struct batch *b, size_t *hi, uint64_t safe, int final)
{
    struct out *w = &g->w;
    size_t i = *hi, e = i, p = 0, nn = 0;
    while (e < b->nhits && b->hits[e].seq == w->seq)
        e++;
    *hi = e;
    if (w->npend == 0 && (final || e == i || b->hits[e - 1].pos < safe)) {
        for (; i < e && !g->stop_all; i++)
            emit_hit(g, &b->hits[i], b->text.p + b->hits[i].toff);
        return;
    }
    w->ptext2.len = 0;
    while ((i < e || p < w->npend) && !g->stop_all) {
        const struct hit *h;
        const unsigned char *win;
        if (p < w->npend && (i == e || !hit_before(&b->hits[i], &w->pend[p]))) {
            h = &w->pend[p++];
            win = w->ptext.p + h->toff;
        } else {
            h = &b->hits[i++];
            win = b->text.p + h->toff;
        }
        if (final || h->pos < safe) {
            emit_hit(g, h, win);
        } else {
            const struct search *s = search_of_key(g, w->fold, h->key);
            if (pend_push(g, &w->ptmp, &nn, &w->capptmp, &w->ptext2, h, win, s->m) !=
                0) {
                message(g, w->f->name, "out of memory");
                g->any_error = 1;
                g->stop_all = 1;
                return;
            }
        }
    }
    {
        /* the new held-back list becomes pend */
        struct hit *t = w->pend;
        size_t tc = w->cappend;
        struct buf tb = w->ptext;
        w->pend = w->ptmp;
        w->cappend = w->capptmp;
        w->npend = nn;
        w->ptmp = t;
        w->capptmp = tc;
        w->ptext = w->ptext2;
        w->ptext2 = tb;
    }
}

/* ---- Records ---------------------------------------------------------------- */

/* Does the output need the raw bytes of the open record? */
static int
need_raw(const struct hg *g)
{
    if (g->out == OUT_RECORD)
        return !g->w.f->binary;
    return g->out == OUT_ONLY && (g->o.line_number || g->o.byte_offset) &&
           g->w.mode != MODE_LINES && !g->w.f->binary;
}

/* The open record's raw bytes b->raw[from..to), its hits, and what can be
 * printed; final: the record ends at `to`. */
static void
record_part(struct hg *g, struct batch *b, size_t from, size_t to, size_t *hi,
            int final)
{
    struct out *w = &g->w;
    const unsigned char *p = b->raw + from;
    size_t n = to - from, k;
    uint64_t safe = UINT64_MAX;
    int raw = need_raw(g), direct;
    size_t si;

    /* symbols of the record searched so far: its segment in this batch (the
     * segments are in sequence order, as are the records: a cursor finds it) */
    si = w->seg_cursor;
    while (si < b->nsegs && b->segs[si].seq < w->seq)
        si++;
    w->seg_cursor = si;
    if (si < b->nsegs && b->segs[si].seq == w->seq)
        w->searched = b->segs[si].pos0 + b->segs[si].len;
    if (!final)
        safe = w->searched + 1 >= g->mmax ? w->searched + 1 - g->mmax : 0;

    /* the raw bytes: straight from the batch when nothing is buffered */
    direct = raw && w->rraw.len == 0 && g->out == OUT_RECORD;
    if (raw && !direct && buf_append(&w->rraw, p, n) != 0) {
        message(g, w->f->name, "out of memory");
        g->any_error = 1;
        g->stop_all = 1;
        return;
    }

    record_hits(g, b, hi, safe, final);
    if (!raw || g->stop_all)
        return;
    if (direct) {
        /* only OUT_RECORD: print what is decided, buffer the rest */
        k = 0;
        if (w->mode == MODE_WHOLE)
            k = walk_whole(g, p, n, safe, final);
        else if (w->rec_hit)
            k = walk(g, p, n, safe, 1, final);
        if (!final && k < n && buf_append(&w->rraw, p + k, n - k) != 0) {
            message(g, w->f->name, "out of memory");
            g->any_error = 1;
            g->stop_all = 1;
        }
        return;
    }
    if (g->out == OUT_RECORD) {
        if (w->mode == MODE_WHOLE)
            k = walk_whole(g, w->rraw.p, w->rraw.len, safe, final);
        else if (w->rec_hit)
            k = walk(g, w->rraw.p, w->rraw.len, safe, 1, final);
        else
            return; /* kept until the record's first hit or its end */
    } else {
        k = walk(g, w->rraw.p, w->rraw.len, final ? UINT64_MAX : safe, 0, final);
    }
    if (k > 0) /* rraw.p may be NULL (nothing buffered yet) */
        memmove(w->rraw.p, w->rraw.p + k, w->rraw.len - k);
    w->rraw.len -= k;
}

static void
record_begin(struct hg *g, struct batch *b, const struct item *it)
{
    struct out *w = &g->w;
    w->rec_open = 1;
    w->seq = it->seq;
    w->lineno0 = it->lineno;
    w->byte0 = b->raw_pos + it->raw_off;
    w->name.len = 0;
    w->rec_hit = 0;
    w->rraw.len = 0;
    w->searched = 0;
    w->w_line = it->lineno;
    w->w_byte = w->byte0;
    w->w_sym = 0;
    w->w_recline = 0;
    w->w_bol = 1;
    w->cst.len = 0;
    w->cbase = 0;
    w->cov_head = w->ncov = 0;
    w->npend = 0;
}

static void
record_end(struct hg *g)
{
    struct out *w = &g->w;
    if (w->rec_hit) {
        if (g->out == OUT_COUNT)
            w->nrec_hit++;
        else if (g->out == OUT_RECORD && !w->w_bol && !w->f->binary)
            out_write(g, "\n", 1); /* output lines always end with '\n' */
    }
    w->rec_open = 0;
    w->rraw.len = 0;
}

/* --distances: print the shifts of this batch's segments. */
static void
print_distances(struct hg *g, struct batch *b)
{
    size_t si;
    const struct search *s;
    if (!g->sets[b->fold].s || g->sets[b->fold].n == 0 || b->serr)
        return;
    s = &g->sets[b->fold].s[0];
    for (si = 0; si < b->nsegs && !g->werr; si++) {
        const struct seg *sg = &b->segs[si];
        size_t t, lo, hi;
        if (sg->len < s->m)
            continue;
        hi = sg->off + sg->len - s->m;
        lo = sg->ovl >= s->m ? sg->off + sg->ovl - s->m + 1 : sg->off;
        for (t = lo; t <= hi && !g->werr; t++) {
            if (g->with_name) {
                out_str(g, g->w.f->name);
                out_write(g, "\t", 1);
            }
            out_u64(g, sg->pos0 + (t - sg->off));
            out_write(g, "\t", 1);
            out_u64(g, b->dist[t]);
            out_write(g, "\n", 1);
            g->any_hit = 1;
        }
    }
}

static void
file_end(struct hg *g, struct batch *b)
{
    struct out *w = &g->w;
    if (w->rec_open)
        record_end(g);
    if (b->err_open || w->f->skipped) {
        /* nothing was read: no count, no name */
    } else if (g->out == OUT_COUNT) {
        if (g->with_name) {
            sgr_on(g, g->c_fn);
            out_str(g, w->f->name);
            sgr_off(g, g->c_fn);
            sep(g, ":");
        }
        out_u64(g, w->nrec_hit);
        out_write(g, "\n", 1);
    } else if (g->out == OUT_LIST && w->file_hit == g->o.list_with) {
        sgr_on(g, g->c_fn);
        out_str(g, w->f->name);
        sgr_off(g, g->c_fn);
        out_write(g, "\n", 1);
    }
    if (w->f->binary && w->file_hit &&
        (g->out == OUT_RECORD || g->out == OUT_ONLY || g->out == OUT_ROWS))
        message(g, w->f->name, "binary file matches");
    if (w->f->junk_line != 0) {
        char why[96];
        snprintf(why, sizeof why,
                 "line %" PRIu64 ": text before the first FASTA header ('>') ignored",
                 w->f->junk_line);
        message(g, w->f->name, why);
        g->any_error = 1;
    }
    if (b->serr != HAM_OK) {
        message(g, w->f->name, ham_strerror(b->serr));
        g->any_error = 1;
    }
    if (b->err) {
        if (b->err_always || !g->o.no_messages)
            message(g, NULL, b->err);
        g->any_error = 1;
    }
    w->f = NULL;
}

/* Output one searched batch; batches come in input order. */
void
consume_batch(struct hg *g, struct batch *b)
{
    struct out *w = &g->w;
    size_t i, hi = 0;

    if (g->stop_all)
        return;
    if (b->first) {
        w->f = b->file;
        w->mode = MODE_UNDECIDED;
        w->nrec_hit = 0;
        w->file_hit = 0;
        w->rec_open = 0;
        w->fold = b->fold;
    }
    if (b->mode != MODE_UNDECIDED) {
        w->mode = b->mode;
        w->fold = b->fold;
    }
    if (g->prog_shown && g->stdout_tty)
        progress_clear(g);
    w->seg_cursor = 0;
    if (g->out == OUT_DIST) {
        print_distances(g, b);
    } else if (!b->serr) {
        size_t from = 0;
        for (i = 0; i < b->nitems && !g->stop_all; i++) {
            const struct item *it = &b->items[i];
            switch (it->kind) {
            case IT_BEGIN:
                record_begin(g, b, it);
                from = it->raw_off;
                break;
            case IT_NAME:
                w->name.len = 0;
                /* names.p is NULL while every name so far was empty */
                if (it->name_len > 0 && buf_append(&w->name, b->names.p + it->name_off,
                                                   it->name_len) != 0) {
                    message(g, w->f->name, "out of memory");
                    g->any_error = 1;
                    g->stop_all = 1;
                }
                break;
            case IT_END:
                if (w->rec_open) {
                    record_part(g, b, from, it->raw_off, &hi, 1);
                    record_end(g);
                }
                break;
            }
        }
        if (w->rec_open && !g->stop_all)
            record_part(g, b, from, b->raw_len, &hi, b->last);
    }
    if (b->last && !g->stop_all)
        file_end(g, b);
}

void
out_free(struct hg *g)
{
    struct out *w = &g->w;
    buf_free(&w->name);
    buf_free(&w->rraw);
    buf_free(&w->cst);
    buf_free(&w->ptext);
    buf_free(&w->ptext2);
    free(w->cov);
    free(w->pend);
    free(w->ptmp);
}
