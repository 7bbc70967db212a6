/* SPDX-License-Identifier: MIT */
/*
 * hamgrep.c -- grep for approximate matches: prints the lines, FASTA/FASTQ
 * records or windows of its inputs that lie within Hamming distance K of a
 * pattern, or the distance profile of one sequence. The command-line face of
 * libhamming; its manual, and the output contract, is hamgrep(1).
 *
 * Data flow: each input is read in READ_BLOCK-byte blocks, never whole. A
 * per-format parser (FASTA, FASTQ, text lines, --whole) cuts the bytes into
 * sequences and feeds their symbols, in STAGE_BLOCK pieces, to one ham_stream
 * that is reset at the start of every sequence. The stream calls on_hit for
 * every window within distance K, in increasing position, as soon as the
 * piece completing the window is fed; on_hit writes the requested output.
 *
 * Memory is O(m + READ_BLOCK + STAGE_BLOCK) whatever the input size, except
 * where plain output must print whole lines or records: those are buffered
 * until their first hit (from then on copied through), as grep does.
 *
 * Includes only <hamming.h> and the C library (style.md 11): if hamgrep needs
 * a library internal, the public API lacks something.
 */
#include <hamming.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large blocks: few fread calls, and long texts per stream feed, which the
 * FFT-style engines need to amortise their per-call overhead. */
#define READ_BLOCK  ((size_t)1 << 20)
#define STAGE_BLOCK ((size_t)1 << 20)

static const char usage_line[] = "Usage: hamgrep [OPTION]... PATTERN [FILE]...\n";

/* ---- Types ------------------------------------------------------------- */

/* What on_hit prints. */
enum out_kind {
    OUT_RECORD,  /* plain: each line / FASTA or FASTQ record with a hit */
    OUT_TOUCHED, /* plain with --whole: each line a matching window touches */
    OUT_ONLY,    /* -o: each matching window */
    OUT_TSV,     /* --format=tsv: one row per hit */
    OUT_DIST     /* --distances: one row per shift */
};

enum mode { MODE_UNDECIDED, MODE_LINES, MODE_FASTA, MODE_FASTQ, MODE_WHOLE };

/* Parser states of FASTA and FASTQ (a line is read in one or more pieces,
 * as the read blocks cut it). */
enum pstate {
    ST_BOL,      /* at the beginning of a line (FASTQ: between records) */
    ST_HEADER,   /* in a '>' or '@' header line, after its first byte */
    ST_SEQ,      /* in a sequence line */
    ST_BLANK,    /* FASTQ: in a blank line made of '\r' only */
    ST_PLUS_BOL, /* FASTQ: at the beginning of the '+' line */
    ST_PLUS,     /* FASTQ: in the '+' line */
    ST_QUAL      /* FASTQ: in the quality line */
};

/* A growable byte buffer. */
struct buf {
    unsigned char *p;
    size_t len, cap;
};

struct grep {
    /* ---- set once from the command line */
    uint32_t k;
    int k_given;
    int only, tsv, whole, distances;
    ham_engine engine;
    enum out_kind out;
    int with_name; /* several FILEs: prefix output with the file name */
    const unsigned char *pat;
    size_t m;
    ham_plan *plan;
    ham_stream *stream;
    unsigned char *rbuf; /* READ_BLOCK bytes */

    /* ---- the current file */
    const char *fname;
    enum mode mode;
    int det_cr;             /* mode detection: a '\r' seen on a still blank line */
    enum pstate st;         /* FASTA / FASTQ parser state */
    uint64_t lineno;        /* '\n' bytes seen so far */
    int halt;               /* stop reading this file (an error was reported) */
    int in_rec;             /* a line (lines mode) or record (FASTA, FASTQ) is open */
    int cr_pending;         /* lines mode: a '\r' ended the last piece; trailing if
                               the next byte is '\n' */
    int qual_seen;          /* FASTQ: the quality line has a byte */
    uint64_t nonempty_seqs; /* --distances: sequences with a symbol */

    /* ---- the current sequence */
    uint64_t seqno;  /* lines mode: its 1-based line number */
    struct buf name; /* FASTA/FASTQ: first word of the header */
    int name_done;
    uint64_t seq_syms; /* symbols seen (fed or not) */
    uint64_t seq_fed;  /* symbols fed to the stream */
    int seq_skip;      /* plain output: the record matched; stop searching it */
    struct buf stage;  /* symbols not yet fed, cap STAGE_BLOCK */
    /* The piece being fed and the last <= m-1 symbols fed before it, from
     * which -o and tsv rebuild a window (it ends inside the piece). The tail
     * buffer has room for 2(m-1) symbols so that it is shifted at most once
     * per m-1 symbols appended. */
    const unsigned char *chunk;
    size_t chunk_len;
    uint64_t chunk_pos;
    struct buf tail;
    uint64_t next_shift; /* --distances with -k: first shift not printed */

    /* ---- plain output (OUT_RECORD) */
    struct buf rec; /* raw bytes of the current record until its first hit */
    int rec_hit;    /* the record matched: its bytes are copied through */

    /* ---- plain output with --whole (OUT_TOUCHED): wb.p[wb_start..wb.len)
     * holds the file bytes from position wb_base to the end of what was read;
     * see whole_hit and whole_trim for what must be kept. */
    struct buf wb;
    size_t wb_start;
    uint64_t wb_base;
    uint64_t printed_end; /* bytes before this position are printed or skipped */
    int open_line;        /* the line containing printed_end - 1 must go on */
    uint64_t ls_pos;      /* bytes before ls_pos were searched for '\n' ... */
    uint64_t ls_start;    /* ... and the last line began here */

    /* ---- output state and results */
    int at_bol;     /* the last byte written to stdout was '\n' (or none) */
    int any_hit;    /* a hit (--distances: a shift) was printed */
    int any_error;  /* an error was reported */
    int werr;       /* a write to stdout failed: stop everything */
    int werr_errno; /* its errno, 0 if unknown */
};

/* ---- Small helpers ----------------------------------------------------- */

static int
buf_reserve(struct buf *b, size_t extra)
{
    size_t cap;
    unsigned char *p;
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > SIZE_MAX - b->len)
        return -1;
    cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int
buf_append(struct buf *b, const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static void
buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Number of shifts of the pattern in a sequence of n symbols. */
static uint64_t
nshifts(const struct grep *g, uint64_t n)
{
    return n >= g->m ? n - g->m + 1 : 0;
}

/* Report an error about the current file and stop reading it. */
static void
file_error(struct grep *g, const char *reason)
{
    fprintf(stderr, "hamgrep: %s: %s\n", g->fname, reason);
    g->any_error = 1;
    g->halt = 1;
}

/* The same for a malformed input, with the line number (1-based). */
static void
format_error(struct grep *g, const char *reason)
{
    fprintf(stderr, "hamgrep: %s: line %" PRIu64 ": %s\n", g->fname, g->lineno + 1,
            reason);
    g->any_error = 1;
    g->halt = 1;
}

static void
nomem(struct grep *g)
{
    file_error(g, strerror(ENOMEM));
}

/* ---- Output ------------------------------------------------------------ */

/* Every write goes through here: the first failure is remembered, stops all
 * processing (halt, and on_hit stops the stream) and is reported by main. */
static void
out_write(struct grep *g, const void *p, size_t n)
{
    if (g->werr || n == 0)
        return;
    errno = 0;
    if (fwrite(p, 1, n, stdout) != n) {
        g->werr = 1;
        g->werr_errno = errno;
        g->halt = 1;
        return;
    }
    g->at_bol = ((const unsigned char *)p)[n - 1] == '\n';
}

static void
out_str(struct grep *g, const char *s)
{
    out_write(g, s, strlen(s));
}

/* Decimal without printf: --distances may print a line per text symbol. */
static void
out_u64(struct grep *g, uint64_t v)
{
    char b[24];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out_write(g, b + i, sizeof b - i);
}

/* A TSV field: bytes that would break the one-row-per-line, tab-separated
 * layout are escaped, and the backslash too so that the escape is
 * reversible: \t \n \r \\ and \xHH for the other bytes below 0x20 and 0x7f.
 * Other bytes, UTF-8 included, are written as they are. */
static void
out_escaped(struct grep *g, const unsigned char *p, size_t n)
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
    out_write(g, p + run, n - run);
}

/* Lines of the input as they are, each prefixed with "FILE:" when several
 * files are searched (grep -H style). */
static void
emit_raw(struct grep *g, const unsigned char *p, size_t n)
{
    while (n > 0 && !g->werr) {
        const unsigned char *nl;
        size_t len;
        if (g->with_name && g->at_bol) {
            out_str(g, g->fname);
            out_write(g, ":", 1);
        }
        nl = memchr(p, '\n', n);
        len = nl ? (size_t)(nl - p) + 1 : n;
        out_write(g, p, len);
        p += len;
        n -= len;
    }
}

/* End the output line if an input line without '\n' (end of file) was
 * printed: output lines always end with '\n'. */
static void
emit_eol(struct grep *g)
{
    if (!g->at_bol)
        out_write(g, "\n", 1);
}

/* ---- What a hit prints ------------------------------------------------- */

/* The window [pos, pos+m) as at most two pieces: the end of the tail (the
 * symbols fed before the current piece) and the start of the piece. The
 * stream reports a window in the feed that completes it, so it ends inside
 * the current piece and starts at most m-1 symbols before it. */
static void
window(const struct grep *g, uint64_t pos, const unsigned char **a, size_t *alen,
       const unsigned char **b, size_t *blen)
{
    if (pos >= g->chunk_pos) {
        size_t off = (size_t)(pos - g->chunk_pos);
        assert(off + g->m <= g->chunk_len);
        *a = g->chunk + off;
        *alen = g->m;
        *b = NULL;
        *blen = 0;
    } else {
        size_t before = (size_t)(g->chunk_pos - pos);
        assert(before <= g->tail.len && before < g->m);
        *a = g->tail.p + g->tail.len - before;
        *alen = before;
        *b = g->chunk;
        *blen = g->m - before;
    }
}

static void
print_only(struct grep *g, uint64_t pos)
{
    const unsigned char *a, *b;
    size_t alen, blen;
    window(g, pos, &a, &alen, &b, &blen);
    if (g->with_name) {
        out_str(g, g->fname);
        out_write(g, ":", 1);
    }
    out_write(g, a, alen);
    out_write(g, b, blen);
    out_write(g, "\n", 1);
}

static void
print_tsv(struct grep *g, uint64_t pos, uint32_t dist)
{
    const unsigned char *a, *b;
    size_t alen, blen;
    window(g, pos, &a, &alen, &b, &blen);
    out_escaped(g, (const unsigned char *)g->fname, strlen(g->fname));
    out_write(g, "\t", 1);
    if (g->mode == MODE_FASTA || g->mode == MODE_FASTQ)
        out_escaped(g, g->name.p, g->name.len);
    else if (g->mode == MODE_LINES)
        out_u64(g, g->seqno);
    else
        out_write(g, "-", 1);
    out_write(g, "\t", 1);
    out_u64(g, pos);
    out_write(g, "\t", 1);
    out_u64(g, pos + g->m);
    out_write(g, "\t+\t", 3);
    out_u64(g, dist);
    out_write(g, "\t", 1);
    out_escaped(g, a, alen);
    out_escaped(g, b, blen);
    out_write(g, "\n", 1);
}

static void
print_dist(struct grep *g, uint64_t pos, uint64_t dist)
{
    if (g->with_name) {
        out_str(g, g->fname);
        out_write(g, "\t", 1);
    }
    out_u64(g, pos);
    out_write(g, "\t", 1);
    out_u64(g, dist);
    out_write(g, "\n", 1);
    g->any_hit = 1;
}

/* --distances with -k: the stream reports only shifts within distance k, so
 * every shift it skipped has distance > k and prints as k + 1. */
static void
dist_fill(struct grep *g, uint64_t upto)
{
    while (g->next_shift < upto && !g->werr)
        print_dist(g, g->next_shift++, (uint64_t)g->k + 1);
}

/* ---- --whole plain output: the lines a matching window touches ---------- */

static unsigned char *
wb_at(const struct grep *g, uint64_t pos)
{
    assert(pos >= g->wb_base);
    return g->wb.p + g->wb_start + (size_t)(pos - g->wb_base);
}

static uint64_t
wb_end(const struct grep *g)
{
    return g->wb_base + (g->wb.len - g->wb_start);
}

/* Append a block just read (before it is fed), and finish printing a line
 * that a window made us start printing before the block ended. */
static void
whole_append(struct grep *g, const unsigned char *p, size_t n)
{
    size_t live = g->wb.len - g->wb_start;
    /* Compact only when the dead prefix is at least as large as the live
     * part, so that each byte is moved O(1) times. */
    if (g->wb_start > 0 && g->wb_start >= live) {
        memmove(g->wb.p, g->wb.p + g->wb_start, live);
        g->wb.len = live;
        g->wb_start = 0;
    }
    if (buf_append(&g->wb, p, n) != 0) {
        nomem(g);
        return;
    }
    if (g->open_line) {
        const unsigned char *q = wb_at(g, g->printed_end);
        size_t avail = (size_t)(wb_end(g) - g->printed_end);
        const unsigned char *nl = memchr(q, '\n', avail);
        size_t len = nl ? (size_t)(nl - q) + 1 : avail;
        emit_raw(g, q, len);
        g->printed_end += len;
        g->open_line = nl == NULL;
    }
}

/* Print the lines that [pos, pos+m) touches and were not printed yet. Every
 * scan below covers bytes at or after printed_end, which then moves past
 * them, so the total work is linear in the input. */
static void
whole_hit(struct grep *g, uint64_t pos)
{
    uint64_t last = pos + g->m - 1, end = wb_end(g), lo, from, to;
    const unsigned char *q, *nl;
    if (last < g->printed_end)
        return; /* its lines are printed already */
    lo = g->printed_end > g->wb_base ? g->printed_end : g->wb_base;
    from = pos > lo ? pos : lo;
    while (from > lo && *wb_at(g, from - 1) != '\n')
        from--;
    q = wb_at(g, last);
    nl = memchr(q, '\n', (size_t)(end - last));
    to = nl ? last + (uint64_t)(nl - q) + 1 : end;
    g->open_line = nl == NULL;
    emit_raw(g, wb_at(g, from), (size_t)(to - from));
    g->printed_end = to;
}

/* After a block is fed, drop the bytes no later hit can print. A later window
 * starts at or after target = fed - (m - 1), and whole_hit prints from the
 * start of its first line but never before printed_end: keep from the start
 * of target's line or from printed_end, whichever is later. ls_pos/ls_start
 * remember how far the search for that line start went, so each byte is
 * searched once. */
static void
whole_trim(struct grep *g)
{
    uint64_t fed = wb_end(g), target = fed + 1 >= g->m ? fed + 1 - g->m : 0, keep;
    if (g->ls_pos < g->wb_base) {
        /* Bytes were dropped up to wb_base, which was printed_end then (the
         * other candidate never exceeds ls_pos), so wb_base is a harmless
         * stand-in: printed_end dominates it in keep below. */
        g->ls_pos = g->ls_start = g->wb_base;
    }
    if (target > g->ls_pos) {
        uint64_t a = target;
        while (a > g->ls_pos && *wb_at(g, a - 1) != '\n')
            a--;
        if (a > g->ls_pos)
            g->ls_start = a;
        g->ls_pos = target;
    }
    keep = g->printed_end > g->ls_start ? g->printed_end : g->ls_start;
    if (keep > g->wb_base) {
        g->wb_start += (size_t)(keep - g->wb_base);
        g->wb_base = keep;
    }
}

/* ---- The hit callback -------------------------------------------------- */

static int
on_hit(void *ctx, size_t pos, uint32_t dist)
{
    struct grep *g = ctx;
    switch (g->out) {
    case OUT_RECORD:
        /* Print what was buffered of the record; the rest is copied through
         * as it is read (raw_add), and searching it further is pointless. */
        g->any_hit = 1;
        g->rec_hit = 1;
        emit_raw(g, g->rec.p, g->rec.len);
        g->rec.len = 0;
        g->seq_skip = 1;
        return 1;
    case OUT_TOUCHED:
        g->any_hit = 1;
        whole_hit(g, pos);
        break;
    case OUT_ONLY:
        g->any_hit = 1;
        print_only(g, pos);
        break;
    case OUT_TSV:
        g->any_hit = 1;
        print_tsv(g, pos, dist);
        break;
    case OUT_DIST:
        dist_fill(g, pos);
        print_dist(g, pos, dist);
        g->next_shift = (uint64_t)pos + 1;
        break;
    }
    return g->werr != 0;
}

/* ---- Sequences --------------------------------------------------------- */

static void
seq_begin(struct grep *g)
{
    if (ham_stream_reset(g->stream) != HAM_OK) {
        file_error(g, "cannot reset the search stream");
        return;
    }
    g->seq_syms = 0;
    g->seq_fed = 0;
    g->seq_skip = 0;
    g->stage.len = 0;
    g->tail.len = 0;
    g->next_shift = 0;
}

/* Keep the last m-1 symbols fed (for window()). */
static void
tail_update(struct grep *g, const unsigned char *p, size_t n)
{
    size_t keep = g->m - 1;
    if (keep == 0)
        return;
    if (n >= keep) {
        memcpy(g->tail.p, p + n - keep, keep);
        g->tail.len = keep;
        return;
    }
    if (g->tail.len + n > g->tail.cap) {
        /* tail.cap = 2 keep, so tail.len > keep here: keep its last keep - n */
        memmove(g->tail.p, g->tail.p + g->tail.len - (keep - n), keep - n);
        g->tail.len = keep - n;
    }
    memcpy(g->tail.p + g->tail.len, p, n);
    g->tail.len += n;
}

static void
seq_feed(struct grep *g, const unsigned char *p, size_t n)
{
    int rc;
    if (n == 0 || g->seq_skip || g->halt)
        return;
    if (g->out == OUT_DIST && g->seq_fed == 0 && ++g->nonempty_seqs > 1) {
        file_error(g, "--distances needs an input holding one sequence, and this one "
                      "holds more (use --whole to read a file as one sequence)");
        return;
    }
    g->chunk = p;
    g->chunk_len = n;
    g->chunk_pos = g->seq_fed;
    rc = ham_stream_feed_u8(g->stream, p, n, on_hit, g);
    if (rc == HAM_ESTOPPED) {
        if (g->werr)
            return;
        assert(g->seq_skip); /* OUT_RECORD after its hit */
    } else if (rc != HAM_OK) {
        file_error(g, ham_strerror(rc));
        return;
    }
    if (g->out == OUT_ONLY || g->out == OUT_TSV)
        tail_update(g, p, n);
    g->seq_fed += n;
    if (g->out == OUT_DIST && g->k_given)
        dist_fill(g, nshifts(g, g->seq_fed));
}

static void
stage_flush(struct grep *g)
{
    seq_feed(g, g->stage.p, g->stage.len);
    g->stage.len = 0;
}

/* Symbols of the current sequence, staged so that the stream sees long
 * pieces even when the input has short lines. */
static void
sym_add(struct grep *g, const unsigned char *p, size_t n)
{
    g->seq_syms += n;
    while (n > 0 && !g->seq_skip && !g->halt) {
        size_t room = STAGE_BLOCK - g->stage.len, t = n < room ? n : room;
        memcpy(g->stage.p + g->stage.len, p, t);
        g->stage.len += t;
        p += t;
        n -= t;
        if (g->stage.len == STAGE_BLOCK)
            stage_flush(g);
    }
}

/* A FASTA/FASTQ sequence line: every byte except '\r' (CRLF files). */
static void
sym_add_nocr(struct grep *g, const unsigned char *p, size_t n)
{
    while (n > 0) {
        const unsigned char *cr = memchr(p, '\r', n);
        size_t run = cr ? (size_t)(cr - p) : n;
        sym_add(g, p, run);
        if (!cr)
            break;
        p += run + 1;
        n -= run + 1;
    }
}

static void
seq_end(struct grep *g)
{
    stage_flush(g);
    if (g->halt)
        return;
    if (!g->seq_skip) {
        int rc = ham_stream_finish(g->stream, on_hit, g);
        if (rc != HAM_OK && !g->werr) {
            file_error(g, ham_strerror(rc));
            return;
        }
    }
    if (g->out == OUT_DIST && g->k_given)
        dist_fill(g, nshifts(g, g->seq_fed));
}

/* ---- Records (plain output buffers them until their first hit) --------- */

static void
raw_add(struct grep *g, const unsigned char *p, size_t n)
{
    if (g->out != OUT_RECORD || n == 0)
        return;
    if (g->rec_hit)
        emit_raw(g, p, n);
    else if (buf_append(&g->rec, p, n) != 0)
        nomem(g);
}

static void
rec_end(struct grep *g)
{
    if (g->rec_hit)
        emit_eol(g);
    g->rec.len = 0;
    g->rec_hit = 0;
    g->in_rec = 0;
}

/* A FASTA/FASTQ record starts: its header byte has not been added yet. */
static void
record_begin(struct grep *g)
{
    g->in_rec = 1;
    g->name.len = 0;
    g->name_done = 0;
    seq_begin(g);
}

/* The record name is the header up to its first blank. */
static void
name_add(struct grep *g, const unsigned char *p, size_t n)
{
    size_t i;
    if (g->name_done)
        return;
    for (i = 0; i < n; i++) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\v' ||
            p[i] == '\f') {
            g->name_done = 1;
            break;
        }
    }
    if (buf_append(&g->name, p, i) != 0)
        nomem(g);
}

/* ---- Parsers ----------------------------------------------------------- */

static const unsigned char cr_byte[1] = {'\r'};

/* Text lines: each line, without its '\n' and a '\r' before it, is a
 * sequence. */
static void
parse_lines(struct grep *g, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !g->halt) {
        const unsigned char *nl;
        size_t end, len;
        if (!g->in_rec) {
            g->in_rec = 1;
            g->seqno = g->lineno + 1;
            seq_begin(g);
        }
        nl = memchr(p + i, '\n', n - i);
        end = nl ? (size_t)(nl - p) : n;
        if (g->cr_pending) {
            /* the '\r' that ended the previous block was not trailing */
            g->cr_pending = 0;
            if (end > i)
                sym_add(g, cr_byte, 1);
        }
        raw_add(g, p + i, (nl ? end + 1 : end) - i);
        len = end - i;
        if (len > 0 && p[end - 1] == '\r') {
            len--;
            g->cr_pending = nl == NULL;
        }
        sym_add(g, p + i, len);
        if (!nl)
            break;
        seq_end(g);
        rec_end(g);
        g->lineno++;
        i = end + 1;
    }
}

/* FASTA: '>' at the beginning of a line starts a record; the other lines are
 * its sequence, joined. */
static void
parse_fasta(struct grep *g, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !g->halt) {
        const unsigned char *nl;
        size_t end, stop;
        if (g->st == ST_BOL) {
            if (p[i] == '>') {
                if (g->in_rec) {
                    seq_end(g);
                    rec_end(g);
                }
                record_begin(g);
                raw_add(g, p + i, 1);
                i++;
                g->st = ST_HEADER;
            } else {
                /* mode detection saw '>' first, so a record is open */
                assert(g->in_rec);
                g->st = ST_SEQ;
            }
            continue;
        }
        nl = memchr(p + i, '\n', n - i);
        end = nl ? (size_t)(nl - p) : n;
        stop = nl ? end + 1 : end;
        raw_add(g, p + i, stop - i);
        if (g->st == ST_HEADER)
            name_add(g, p + i, end - i);
        else
            sym_add_nocr(g, p + i, end - i);
        if (nl) {
            g->st = ST_BOL;
            g->lineno++;
        }
        i = stop;
    }
}

/* FASTQ: four-line records ('@' header, sequence, '+' line, quality); blank
 * lines between records are skipped. */
static void
parse_fastq(struct grep *g, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !g->halt) {
        const unsigned char *nl;
        size_t end, stop;
        unsigned char c = p[i];
        switch (g->st) {
        case ST_BOL:
            if (c == '@') {
                record_begin(g);
                raw_add(g, p + i, 1);
                g->st = ST_HEADER;
            } else if (c == '\n') {
                g->lineno++;
            } else if (c == '\r') {
                g->st = ST_BLANK;
            } else {
                format_error(g, "expected '@' at the start of a FASTQ record");
                continue;
            }
            i++;
            continue;
        case ST_BLANK:
            if (c == '\n') {
                g->lineno++;
                g->st = ST_BOL;
            } else if (c != '\r') {
                format_error(g, "expected '@' at the start of a FASTQ record");
                continue;
            }
            i++;
            continue;
        case ST_PLUS_BOL:
            if (c != '+') {
                format_error(g, "expected a '+' line after the FASTQ sequence line");
                continue;
            }
            g->st = ST_PLUS;
            break;
        default:
            break;
        }
        nl = memchr(p + i, '\n', n - i);
        end = nl ? (size_t)(nl - p) : n;
        stop = nl ? end + 1 : end;
        raw_add(g, p + i, stop - i);
        switch (g->st) {
        case ST_HEADER:
            name_add(g, p + i, end - i);
            if (nl)
                g->st = ST_SEQ;
            break;
        case ST_SEQ:
            sym_add_nocr(g, p + i, end - i);
            if (nl) {
                seq_end(g);
                g->st = ST_PLUS_BOL;
            }
            break;
        case ST_PLUS:
            if (nl) {
                g->st = ST_QUAL;
                g->qual_seen = 0;
            }
            break;
        case ST_QUAL:
            if (end > i)
                g->qual_seen = 1;
            if (nl) {
                rec_end(g);
                g->st = ST_BOL;
            }
            break;
        default:
            assert(0);
        }
        if (nl)
            g->lineno++;
        i = stop;
    }
}

/* --whole: the bytes are the sequence, fed straight from the read block. */
static void
parse_whole(struct grep *g, const unsigned char *p, size_t n)
{
    if (g->out == OUT_TOUCHED) {
        whole_append(g, p, n);
        if (g->halt)
            return;
    }
    seq_feed(g, p, n);
    if (g->out == OUT_TOUCHED && !g->halt)
        whole_trim(g);
}

static void
parse_mode(struct grep *g, const unsigned char *p, size_t n)
{
    switch (g->mode) {
    case MODE_LINES:
        parse_lines(g, p, n);
        break;
    case MODE_FASTA:
        parse_fasta(g, p, n);
        break;
    case MODE_FASTQ:
        parse_fastq(g, p, n);
        break;
    case MODE_WHOLE:
        parse_whole(g, p, n);
        break;
    case MODE_UNDECIDED:
        assert(0);
    }
}

/* The format is decided by the first byte that is not part of a blank line
 * (a line that is empty or a lone "\r"): '>' FASTA, '@' FASTQ, else text
 * lines. Blank lines are empty sequences in every format, so skipping them
 * before deciding loses nothing but their count, kept in lineno. */
static void
parse(struct grep *g, const unsigned char *p, size_t n)
{
    if (g->mode == MODE_UNDECIDED) {
        size_t i = 0;
        int c;
        while (i < n && (p[i] == '\n' || (p[i] == '\r' && !g->det_cr))) {
            if (p[i] == '\n')
                g->lineno++;
            g->det_cr = p[i] == '\r';
            i++;
        }
        if (i == n)
            return;
        c = g->det_cr ? '\r' : p[i];
        g->mode = c == '>' ? MODE_FASTA : c == '@' ? MODE_FASTQ : MODE_LINES;
        g->st = ST_BOL;
        if (g->det_cr) {
            g->det_cr = 0;
            parse_mode(g, cr_byte, 1); /* the '\r' that began this line */
        }
        p += i;
        n -= i;
    }
    parse_mode(g, p, n);
}

static void
parse_eof(struct grep *g)
{
    switch (g->mode) {
    case MODE_UNDECIDED:
        break; /* blank lines only: no sequence */
    case MODE_LINES:
        if (g->in_rec) {
            g->cr_pending = 0; /* a '\r' at the very end is trailing */
            seq_end(g);
            rec_end(g);
        }
        break;
    case MODE_FASTA:
        if (g->in_rec) {
            seq_end(g);
            rec_end(g);
        }
        break;
    case MODE_FASTQ:
        if (g->st == ST_BOL || g->st == ST_BLANK)
            break;
        if (g->st == ST_QUAL && (g->qual_seen || g->seq_syms == 0)) {
            rec_end(g); /* the last line lacks its '\n' */
            break;
        }
        format_error(g, "truncated FASTQ record");
        break;
    case MODE_WHOLE:
        seq_end(g);
        break;
    }
}

/* ---- Files ------------------------------------------------------------- */

static void
grep_file(struct grep *g, const char *path)
{
    const int is_stdin = strcmp(path, "-") == 0;
    FILE *fp;

    g->fname = path;
    g->mode = g->whole ? MODE_WHOLE : MODE_UNDECIDED;
    g->det_cr = 0;
    g->st = ST_BOL;
    g->lineno = 0;
    g->halt = 0;
    g->in_rec = 0;
    g->cr_pending = 0;
    g->nonempty_seqs = 0;
    g->rec.len = 0;
    g->rec_hit = 0;
    g->wb.len = g->wb_start = 0;
    g->wb_base = g->printed_end = g->ls_pos = g->ls_start = 0;
    g->open_line = 0;

    if (is_stdin) {
        fp = stdin;
    } else {
        errno = 0;
        fp = fopen(path, "rb");
        if (!fp) {
            file_error(g, strerror(errno));
            return;
        }
    }
    if (g->whole)
        seq_begin(g);
    while (!g->halt) {
        size_t n;
        int err;
        errno = 0;
        n = fread(g->rbuf, 1, READ_BLOCK, fp);
        err = errno;
        if (n > 0)
            parse(g, g->rbuf, n);
        if (g->halt)
            break;
        if (n < READ_BLOCK) {
            /* fread is short only at end of file or on an error */
            if (ferror(fp))
                file_error(g, err ? strerror(err) : "read error");
            else
                parse_eof(g);
            break;
        }
    }
    emit_eol(g);
    if (is_stdin)
        clearerr(stdin); /* "-" may be named again: it is then empty */
    else
        fclose(fp); /* read-only: nothing to lose */
}

/* ---- Command line ------------------------------------------------------ */

static void
usage_hint(void)
{
    fputs(usage_line, stderr);
    fputs("Try 'hamgrep --help' for more information.\n", stderr);
}

/* "hamgrep: WHAT 'ARG'WHY" and the usage hint; returns the exit status 2. */
static int
usage_error(const char *what, const char *arg, int arglen, const char *why)
{
    if (arg)
        fprintf(stderr, "hamgrep: %s '%.*s'%s\n", what, arglen, arg, why);
    else
        fprintf(stderr, "hamgrep: %s%s\n", what, why);
    usage_hint();
    return 2;
}

static void
print_help(struct grep *g)
{
    unsigned e;
    out_str(g, usage_line);
    out_str(
        g,
        "Print the lines, FASTA/FASTQ records or windows of each FILE that lie within\n"
        "Hamming distance K of PATTERN (K mismatches, no insertions or deletions).\n"
        "With no FILE, or when FILE is -, read standard input.\n"
        "\n"
        "  -k K                  at most K mismatches (default 0)\n"
        "  -o, --only-matching   print each matching window, not its line or record\n"
        "      --whole           read each file as one sequence, newlines included\n"
        "      --distances       print 'start<TAB>dist' for every shift of the single\n"
        "                        sequence of each input (with -k: K+1 above K)\n"
        "      --format=FORMAT   plain (default), or tsv: one row per hit with the\n"
        "                        columns file seq start end strand dist match\n"
        "      --engine=NAME     force a library engine (default auto)\n"
        "  -V, --version         print the versions of hamgrep and of the library\n"
        "      --help            print this help and exit\n"
        "\n"
        "Input format, per file: FASTA if the first non-blank byte is '>', FASTQ if\n"
        "it is '@', else text lines (each line a sequence).\n"
        "\n"
        "Engines in this build:");
    for (e = 0; e < (unsigned)HAM_ENGINE_COUNT_; e++) {
        if (ham_engine_available((ham_engine)e)) {
            out_write(g, " ", 1);
            out_str(g, ham_engine_name((ham_engine)e));
        }
    }
    out_str(g, "\n\nExit status: 0 if a hit was found, 1 if none, 2 on error.\n"
               "Full documentation: man hamgrep\n");
}

/* -k: a decimal integer in 0 .. UINT32_MAX - 1 (UINT32_MAX is the library's
 * "unbounded"). No sign, blanks or base prefixes. */
static int
parse_k(const char *s, uint32_t *k)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v >= HAM_UNBOUNDED)
            return -1;
    }
    *k = (uint32_t)v;
    return 0;
}

enum opt_code {
    OPT_K,
    OPT_ONLY,
    OPT_VERSION,
    OPT_HELP,
    OPT_WHOLE,
    OPT_DIST,
    OPT_FORMAT,
    OPT_ENGINE
};

struct long_opt {
    const char *name;
    int has_arg;
    enum opt_code code;
};

static const struct long_opt long_opts[] = {
    {"only-matching", 0, OPT_ONLY}, {"version", 0, OPT_VERSION},
    {"help", 0, OPT_HELP},          {"whole", 0, OPT_WHOLE},
    {"distances", 0, OPT_DIST},     {"format", 1, OPT_FORMAT},
    {"engine", 1, OPT_ENGINE},
};

struct cmdline {
    int help, version, format_given;
    const char **ops; /* operands: PATTERN [FILE...] */
    int nops;
};

/* Apply one option (val: its argument, "" for a flag); returns 0, or 2 after a
 * usage error message. */
static int
apply_opt(struct grep *g, struct cmdline *cl, enum opt_code code, const char *val)
{
    switch (code) {
    case OPT_K:
        if (parse_k(val, &g->k) != 0)
            return usage_error("invalid distance", val, (int)strlen(val),
                               " for -k: expected an integer from 0 to 4294967294");
        g->k_given = 1;
        break;
    case OPT_ONLY:
        g->only = 1;
        break;
    case OPT_VERSION:
        cl->version = 1;
        break;
    case OPT_HELP:
        cl->help = 1;
        break;
    case OPT_WHOLE:
        g->whole = 1;
        break;
    case OPT_DIST:
        g->distances = 1;
        break;
    case OPT_FORMAT:
        if (strcmp(val, "plain") == 0)
            g->tsv = 0;
        else if (strcmp(val, "tsv") == 0)
            g->tsv = 1;
        else
            return usage_error("invalid format", val, (int)strlen(val),
                               ": expected plain or tsv");
        cl->format_given = 1;
        break;
    case OPT_ENGINE:
        if (ham_engine_from_name(val, &g->engine) != HAM_OK)
            return usage_error("unknown engine", val, (int)strlen(val), "");
        break;
    }
    return 0;
}

/* GNU-style: options and operands in any order, "--" ends the options, "-"
 * is an operand, short options cluster ("-ok2"), option arguments attached
 * ("-k2", "--format=tsv") or separate ("-k 2", "--format tsv"). Long options
 * must be spelled in full. */
static int
parse_cmdline(struct grep *g, struct cmdline *cl, int argc, char **argv)
{
    int i, rc, dashdash = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || a[1] == '\0') {
            cl->ops[cl->nops++] = a;
        } else if (strcmp(a, "--") == 0) {
            dashdash = 1;
        } else if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '='), *val = "";
            size_t len = eq ? (size_t)(eq - name) : strlen(name), j;
            const struct long_opt *o = NULL;
            for (j = 0; j < sizeof long_opts / sizeof long_opts[0]; j++) {
                if (strlen(long_opts[j].name) == len &&
                    memcmp(long_opts[j].name, name, len) == 0)
                    o = &long_opts[j];
            }
            if (!o)
                return usage_error("unknown option", a, (int)(len + 2), "");
            if (o->has_arg) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return usage_error("option", a, (int)(len + 2),
                                       " needs an argument");
            } else if (eq) {
                return usage_error("option", a, (int)(len + 2), " takes no argument");
            }
            if ((rc = apply_opt(g, cl, o->code, val)) != 0)
                return rc;
        } else {
            size_t j;
            for (j = 1; a[j]; j++) {
                enum opt_code code;
                char opt[2] = {'-', a[j]};
                if (a[j] == 'k') {
                    const char *val = a[j + 1]       ? a + j + 1
                                      : i + 1 < argc ? argv[++i]
                                                     : NULL;
                    if (!val)
                        return usage_error("option", opt, 2, " needs an argument");
                    if ((rc = apply_opt(g, cl, OPT_K, val)) != 0)
                        return rc;
                    break; /* the rest of the word was the argument */
                }
                if (a[j] == 'o')
                    code = OPT_ONLY;
                else if (a[j] == 'V')
                    code = OPT_VERSION;
                else
                    return usage_error("unknown option", opt, 2, "");
                if ((rc = apply_opt(g, cl, code, "")) != 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* ---- main -------------------------------------------------------------- */

/* Everything after the command line; returns the exit status. */
static int
search_all(struct grep *g, const char *const *files, int nfiles)
{
    ham_params par;
    int rc, i;

    if (!ham_engine_available(g->engine)) {
        fprintf(stderr, "hamgrep: engine '%s' is not available in this build\n",
                ham_engine_name(g->engine));
        return 2;
    }
    ham_params_init(&par);
    par.engine = g->engine;
    /* --distances prints every shift: exact distances, unless -k asks for
     * the k-bounded ones (which k-bounded engines compute faster). */
    par.max_dist = g->distances && !g->k_given ? HAM_UNBOUNDED : g->k;
    rc = ham_plan_create_u8(&g->plan, g->pat, g->m, &par);
    if (rc == HAM_EUNSUPPORTED) {
        fprintf(stderr, "hamgrep: engine '%s': %s\n", ham_engine_name(g->engine),
                ham_strerror(rc));
        return 2;
    }
    if (rc == HAM_OK)
        rc = ham_stream_create(&g->stream, g->plan);
    if (rc != HAM_OK) {
        fprintf(stderr, "hamgrep: %s\n", ham_strerror(rc));
        return 2;
    }
    g->rbuf = malloc(READ_BLOCK);
    if (!g->rbuf || buf_reserve(&g->stage, STAGE_BLOCK) != 0 ||
        buf_reserve(&g->tail, 2 * (g->m - 1)) != 0) {
        fprintf(stderr, "hamgrep: %s\n", strerror(ENOMEM));
        return 2;
    }
    if (g->out == OUT_TSV)
        out_str(g, "#file\tseq\tstart\tend\tstrand\tdist\tmatch\n");
    for (i = 0; i < nfiles && !g->werr; i++)
        grep_file(g, files[i]);
    return g->any_error ? 2 : g->any_hit ? 0 : 1;
}

int
main(int argc, char **argv)
{
    static const char *const stdin_only[] = {"-"};
    struct grep g;
    struct cmdline cl;
    int status;

    memset(&g, 0, sizeof g);
    memset(&cl, 0, sizeof cl);
    g.at_bol = 1;
    g.engine = HAM_ENGINE_AUTO;
    cl.ops = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *cl.ops);
    if (!cl.ops) {
        fprintf(stderr, "hamgrep: %s\n", strerror(ENOMEM));
        return 2;
    }
    status = parse_cmdline(&g, &cl, argc, argv);
    if (status != 0) {
        /* usage error, reported */
    } else if (cl.help) {
        print_help(&g);
    } else if (cl.version) {
        out_str(&g, "hamgrep (libhamming) " HAM_VERSION_STRING "\n");
        out_str(&g, "library: libhamming ");
        out_str(&g, ham_version_string());
        out_str(&g, "\n");
    } else if (cl.nops == 0) {
        status = usage_error("missing PATTERN", NULL, 0, "");
    } else if (cl.ops[0][0] == '\0') {
        status = usage_error("empty PATTERN", NULL, 0, "");
    } else if (g.distances && (g.only || g.tsv)) {
        status = usage_error("--distances cannot be combined with -o or --format=tsv",
                             NULL, 0, "");
    } else {
        g.pat = (const unsigned char *)cl.ops[0];
        g.m = strlen(cl.ops[0]);
        g.with_name = cl.nops > 2;
        g.out = g.distances ? OUT_DIST
                : g.tsv     ? OUT_TSV
                : g.only    ? OUT_ONLY
                : g.whole   ? OUT_TOUCHED
                            : OUT_RECORD;
        if (cl.nops > 1)
            status = search_all(&g, cl.ops + 1, cl.nops - 1);
        else
            status = search_all(&g, stdin_only, 1);
    }

    ham_stream_destroy(g.stream);
    ham_plan_destroy(g.plan);
    free(g.rbuf);
    buf_free(&g.stage);
    buf_free(&g.tail);
    buf_free(&g.name);
    buf_free(&g.rec);
    buf_free(&g.wb);
    free(cl.ops);

    /* Output is buffered: a full disk or closed pipe may show only now. */
    if (!g.werr) {
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            g.werr = 1;
            g.werr_errno = errno;
        }
    }
    if (fclose(stdout) != 0 && !g.werr) {
        g.werr = 1;
        g.werr_errno = errno;
    }
    if (g.werr) {
        fprintf(stderr, "hamgrep: write error: %s\n",
                g.werr_errno ? strerror(g.werr_errno) : "unknown error");
        return 2;
    }
    return status;
}
