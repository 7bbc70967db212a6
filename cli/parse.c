/* SPDX-License-Identifier: MIT */
/*
 * parse.c -- hamgrep's input parsers: cut the raw bytes of a batch into
 * records (text lines, FASTA or FASTQ records, or with --whole the file) and
 * their sequences. Symbols go to batch.text, one segment per sequence and
 * batch; record boundaries go to batch.items as raw-byte offsets, so that
 * the output stage can print a record exactly as it is in the file.
 *
 * A sequence continued from the previous batch gets a segment that starts
 * with the last M-1 symbols of the sequence (parser.tail), M the longest
 * pattern: a window across the batch boundary is then whole in this batch's
 * text. One pass, O(1) work per byte (memchr for line ends).
 */
#include "hamgrep.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char cr_byte[1] = {'\r'};

/* A malformed input: "FILE: line N: reason", and stop reading the file. */
static void
format_error(struct hg *g, const char *reason)
{
    char msg[160];
    snprintf(msg, sizeof msg, "line %" PRIu64 ": %s", g->p.lineno + 1, reason);
    batch_set_err(g->p.b, g->p.b->file->name, msg, 1);
    g->p.halt = 1;
}

static void
parse_nomem(struct hg *g)
{
    batch_set_err(g->p.b, g->p.b->file->name, "out of memory", 1);
    g->p.halt = 1;
}

/* ---- Sequences ----------------------------------------------------------- */

void
parser_begin(struct hg *g, enum mode forced)
{
    struct parser *p = &g->p;
    p->mode = forced;
    p->st = ST_BOL;
    p->det_cr = 0;
    p->lineno = 0;
    p->in_rec = p->cr_pending = p->qual_seen = p->halt = 0;
    p->seq = 0;
    p->seq_syms = 0;
    p->nonempty = 0;
    p->name.len = 0;
    p->name_done = 0;
    p->tail.len = 0;
    p->cur = NULL;
    p->b = NULL;
}

static void
seq_begin(struct hg *g)
{
    struct parser *p = &g->p;
    p->seq++;
    p->seq_syms = 0;
    p->tail.len = 0;
    p->cur = NULL;
}

/* The open sequence leaves this batch: remember its last M-1 symbols. */
void
batch_seg_close(struct hg *g)
{
    struct parser *p = &g->p;
    struct seg *s = p->cur;
    size_t keep;
    if (!s)
        return;
    keep = g->mmax - 1 < s->len ? g->mmax - 1 : s->len;
    p->tail.len = 0;
    if (buf_append(&p->tail, p->b->text.p + s->off + s->len - keep, keep) != 0)
        parse_nomem(g);
    p->cur = NULL;
}

static void
seq_end(struct hg *g)
{
    g->p.cur = NULL; /* the sequence is over: no tail to carry */
}

/* Symbols of the current sequence. batch.text has room for them: it was
 * reserved for the whole raw block plus the overlap. */
static void
sym_add(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    struct batch *b = p->b;
    if (n == 0 || p->halt)
        return;
    if (!p->cur) {
        struct seg *sg;
        if (g->out == OUT_DIST && p->seq_syms == 0 && ++p->nonempty > 1) {
            batch_set_err(b, b->file->name,
                          "--distances needs an input holding one sequence, and "
                          "this one holds more (use --whole to read a file as one "
                          "sequence)",
                          1);
            p->halt = 1;
            return;
        }
        if (b->nsegs == b->capsegs) {
            size_t cap = b->capsegs ? 2 * b->capsegs : 64;
            sg = realloc(b->segs, cap * sizeof *sg);
            if (!sg) {
                parse_nomem(g);
                return;
            }
            b->segs = sg;
            b->capsegs = cap;
        }
        sg = &b->segs[b->nsegs++];
        sg->seq = p->seq;
        sg->off = b->text.len;
        sg->ovl = p->seq_syms > 0 ? p->tail.len : 0;
        sg->pos0 = p->seq_syms - sg->ovl;
        if (sg->ovl > 0) /* tail.p is NULL until the first sequence */
            memcpy(b->text.p + b->text.len, p->tail.p, sg->ovl);
        b->text.len += sg->ovl;
        sg->len = sg->ovl;
        p->cur = sg;
    }
    memcpy(b->text.p + b->text.len, s, n);
    b->text.len += n;
    p->cur->len += n;
    p->seq_syms += n;
}

/* A FASTA/FASTQ sequence line: every byte except '\r' (CRLF files). The
 * search for '\r' is skipped in blocks that hold none (parser.block_cr). */
static void
sym_add_nocr(struct hg *g, const unsigned char *s, size_t n)
{
    if (!g->p.block_cr) {
        sym_add(g, s, n);
        return;
    }
    while (n > 0) {
        const unsigned char *cr = memchr(s, '\r', n);
        size_t run = cr ? (size_t)(cr - s) : n;
        sym_add(g, s, run);
        if (!cr)
            break;
        s += run + 1;
        n -= run + 1;
    }
}

static void
rec_begin(struct hg *g, size_t off)
{
    struct parser *p = &g->p;
    p->in_rec = 1;
    p->name.len = 0;
    p->name_done = 0;
    seq_begin(g);
    if (batch_item(p->b, IT_BEGIN, off, p->seq, p->lineno + 1) != 0)
        parse_nomem(g);
}

static void
rec_end(struct hg *g, size_t off)
{
    struct parser *p = &g->p;
    seq_end(g);
    p->in_rec = 0;
    if (batch_item(p->b, IT_END, off, p->seq, 0) != 0)
        parse_nomem(g);
}

/* The record name is the header up to its first blank. */
static void
name_add(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    size_t i;
    if (p->name_done)
        return;
    for (i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' ||
            s[i] == '\f') {
            p->name_done = 1;
            break;
        }
    }
    if (buf_append(&p->name, s, i) != 0)
        parse_nomem(g);
}

/* The header line is over: hand its name to the output stage. */
static void
name_end(struct hg *g)
{
    struct parser *p = &g->p;
    struct batch *b = p->b;
    size_t off = b->names.len;
    if (buf_append(&b->names, p->name.p, p->name.len) != 0 ||
        batch_item(b, IT_NAME, p->pos, p->seq, 0) != 0) {
        parse_nomem(g);
        return;
    }
    b->items[b->nitems - 1].name_off = off;
    b->items[b->nitems - 1].name_len = p->name.len;
}

/* ---- Parsers --------------------------------------------------------------- */

/* Text lines: each line, without its '\n' and a '\r' before it, is a
 * sequence. */
static void
parse_lines(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    size_t i = p->pos;
    while (i < n && !p->halt) {
        const unsigned char *nl;
        size_t end, len;
        if (!p->in_rec)
            rec_begin(g, i);
        nl = memchr(s + i, '\n', n - i);
        end = nl ? (size_t)(nl - s) : n;
        if (p->cr_pending) {
            /* the '\r' that ended the previous block was not trailing */
            p->cr_pending = 0;
            if (end > i)
                sym_add(g, cr_byte, 1);
        }
        len = end - i;
        if (len > 0 && s[end - 1] == '\r') {
            len--;
            p->cr_pending = nl == NULL;
        }
        sym_add(g, s + i, len);
        if (!nl) {
            i = n;
            break;
        }
        p->lineno++;
        rec_end(g, end + 1);
        i = end + 1;
    }
    p->pos = i;
}

/* FASTA: '>' at the beginning of a line starts a record; the other lines are
 * its sequence, joined. */
static void
parse_fasta(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    size_t i = p->pos;
    while (i < n && !p->halt) {
        const unsigned char *nl;
        size_t end, stop;
        if (p->st == ST_BOL) {
            if (s[i] == '>') {
                if (p->in_rec)
                    rec_end(g, i);
                rec_begin(g, i);
                i++;
                p->st = ST_HEADER;
            } else {
                /* a line before the first record (only with --fasta):
                 * belongs to no record and is skipped, but not silently
                 * unless blank (the output stage reports the first one) */
                if (!p->in_rec && s[i] != '\n' && s[i] != '\r' &&
                    p->b->file->junk_line == 0)
                    p->b->file->junk_line = p->lineno + 1;
                p->st = p->in_rec ? ST_SEQ : ST_PLUS;
            }
            continue;
        }
        nl = memchr(s + i, '\n', n - i);
        end = nl ? (size_t)(nl - s) : n;
        stop = nl ? end + 1 : end;
        if (p->st == ST_HEADER) {
            name_add(g, s + i, end - i);
            if (nl) {
                p->pos = stop;
                name_end(g);
            }
        } else if (p->st == ST_SEQ) {
            sym_add_nocr(g, s + i, end - i);
        }
        if (nl) {
            p->st = ST_BOL;
            p->lineno++;
        }
        i = stop;
    }
    p->pos = i;
}

/* FASTQ: four-line records ('@' header, sequence, '+' line, quality); blank
 * lines between records are skipped (and belong to no record). */
static void
parse_fastq(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    size_t i = p->pos;
    while (i < n && !p->halt) {
        const unsigned char *nl;
        size_t end, stop;
        unsigned char c = s[i];
        switch (p->st) {
        case ST_BOL:
            if (c == '@') {
                rec_begin(g, i);
                p->st = ST_HEADER;
            } else if (c == '\n') {
                p->lineno++;
            } else if (c == '\r') {
                p->st = ST_BLANK;
            } else {
                p->pos = i;
                format_error(g, "expected '@' at the start of a FASTQ record");
                continue;
            }
            i++;
            continue;
        case ST_BLANK:
            if (c == '\n') {
                p->lineno++;
                p->st = ST_BOL;
            } else if (c != '\r') {
                p->pos = i;
                format_error(g, "expected '@' at the start of a FASTQ record");
                continue;
            }
            i++;
            continue;
        case ST_PLUS_BOL:
            if (c != '+') {
                p->pos = i;
                format_error(g, "expected a '+' line after the FASTQ sequence line");
                continue;
            }
            p->st = ST_PLUS;
            break;
        default:
            break;
        }
        nl = memchr(s + i, '\n', n - i);
        end = nl ? (size_t)(nl - s) : n;
        stop = nl ? end + 1 : end;
        switch (p->st) {
        case ST_HEADER:
            name_add(g, s + i, end - i);
            if (nl) {
                p->pos = stop;
                name_end(g);
                p->st = ST_SEQ;
            }
            break;
        case ST_SEQ:
            sym_add_nocr(g, s + i, end - i);
            if (nl) {
                seq_end(g);
                p->st = ST_PLUS_BOL;
            }
            break;
        case ST_PLUS:
            if (nl) {
                p->st = ST_QUAL;
                p->qual_seen = 0;
            }
            break;
        case ST_QUAL:
            if (end > i)
                p->qual_seen = 1;
            if (nl) {
                p->lineno++;
                rec_end(g, stop);
                p->st = ST_BOL;
                i = stop;
                continue;
            }
            break;
        default:
            break;
        }
        if (nl)
            p->lineno++;
        i = stop;
    }
    p->pos = i;
}

/* --whole: every byte is a symbol of the one sequence. */
static void
parse_whole(struct hg *g, const unsigned char *s, size_t n)
{
    struct parser *p = &g->p;
    if (!p->in_rec)
        rec_begin(g, 0);
    sym_add(g, s + p->pos, n - p->pos);
    p->pos = n;
}

static void
parse_mode(struct hg *g, const unsigned char *s, size_t n)
{
    switch (g->p.mode) {
    case MODE_LINES:
        parse_lines(g, s, n);
        break;
    case MODE_FASTA:
        parse_fasta(g, s, n);
        break;
    case MODE_FASTQ:
        parse_fastq(g, s, n);
        break;
    case MODE_WHOLE:
        parse_whole(g, s, n);
        break;
    case MODE_UNDECIDED:
        break;
    }
}

/* Parse one batch. Without a forced format, the format is decided by the
 * first byte that is not part of a blank line (empty, or a lone "\r"): '>'
 * FASTA, '@' FASTQ, else text lines. Blank lines before it belong to no
 * record, in every format. */
void
parser_block(struct hg *g, struct batch *b)
{
    struct parser *p = &g->p;
    const unsigned char *s = b->raw;
    size_t n = b->raw_len;
    p->b = b;
    p->pos = 0;
    p->block_cr = memchr(s, '\r', n) != NULL;
    if (buf_reserve(&b->text, n + g->mmax + 1) != 0) {
        parse_nomem(g);
        return;
    }
    if (p->mode == MODE_UNDECIDED) {
        size_t i = 0;
        int c;
        while (i < n && (s[i] == '\n' || (s[i] == '\r' && !p->det_cr))) {
            if (s[i] == '\n')
                p->lineno++;
            p->det_cr = s[i] == '\r';
            i++;
        }
        if (i == n)
            return;
        c = p->det_cr ? '\r' : s[i];
        p->mode = c == '>' ? MODE_FASTA : c == '@' ? MODE_FASTQ : MODE_LINES;
        p->st = ST_BOL;
        if (p->det_cr) {
            /* the '\r' that began this line: in the previous block, or at i-1 */
            p->det_cr = 0;
            if (i > 0) {
                i--;
            } else if (p->mode == MODE_LINES) {
                rec_begin(g, 0); /* its record starts in this block */
                sym_add(g, cr_byte, 1);
            }
        }
        p->pos = i;
    }
    b->mode = p->mode;
    parse_mode(g, s, n);
}

/* End of input, after the last batch was parsed (b is that batch). */
void
parser_eof(struct hg *g, struct batch *b)
{
    struct parser *p = &g->p;
    p->b = b;
    p->pos = b->raw_len;
    if (p->halt)
        return;
    switch (p->mode) {
    case MODE_UNDECIDED:
        break; /* blank lines only: no record */
    case MODE_LINES:
        if (p->in_rec) {
            p->cr_pending = 0; /* a '\r' at the very end is trailing */
            rec_end(g, b->raw_len);
        }
        break;
    case MODE_FASTA:
        if (p->in_rec) {
            if (p->st == ST_HEADER)
                name_end(g);
            rec_end(g, b->raw_len);
        }
        break;
    case MODE_FASTQ:
        if (p->st == ST_BOL || p->st == ST_BLANK)
            break;
        if (p->st == ST_QUAL && (p->qual_seen || p->seq_syms == 0)) {
            rec_end(g, b->raw_len); /* the last line lacks its '\n' */
            break;
        }
        format_error(g, "truncated FASTQ record");
        break;
    case MODE_WHOLE:
        if (!p->in_rec)
            rec_begin(g, 0);
        rec_end(g, b->raw_len);
        break;
    }
}
