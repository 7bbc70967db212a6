/* SPDX-License-Identifier: MIT */
/*
 * hamgrep.h -- what the source files of hamgrep share (never installed).
 *
 * hamgrep is a pipeline of three stages, one batch at a time:
 *
 *   read + parse (input.c, parse.c; main thread)
 *     each input is read in READ_BLOCK-byte blocks (decompressed if gzip);
 *     the block becomes a batch: its raw bytes, the sequence symbols found in
 *     them (text, cut into segments, one per sequence, each prefixed with the
 *     last M-1 symbols of the same sequence from the previous batch, M the
 *     longest pattern), and items marking where records begin and end;
 *   search (search.c; -j worker threads, or inline)
 *     every pattern (and strand) is run over the batch text by one library
 *     call; windows crossing a segment boundary or lying wholly in a
 *     segment's overlap are dropped, the rest become hits sorted by
 *     (sequence, position, pattern, strand);
 *   output (output.c; main thread, batches in input order)
 *     records, windows, rows or counts are written from the items, hits and
 *     raw bytes.
 *
 * Because a batch is searched on its own (with its overlap), batches can be
 * searched in any order on any thread, and the output, produced in batch
 * order, is the same byte for byte whatever -j is.
 *
 * hamgrep-mpi (the same sources built with HAMGREP_MPI, plus mpi.c) runs
 * this pipeline on every MPI rank: all ranks read and parse all inputs, each
 * searches only the batches it owns, and rank 0 outputs every batch in
 * order, receiving the hits of the others' batches (mpi.c explains it).
 *
 * Everything lives in one context (struct hg); no globals. Includes only
 * <hamming.h> from the library (style.md 11), plus libc, pthreads and zlib
 * (and MPI in mpi.c).
 */
#ifndef HAMGREP_H
#define HAMGREP_H

#include <hamming.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Input is read (and decompressed) in blocks of this size; one block is one
 * batch. 1 MiB keeps library calls long (their per-call cost amortised) and
 * the memory of 2j+2 batches in flight small. */
#ifndef READ_BLOCK /* the fuzz target (tests/fuzz/fuzz_cli.c) makes it tiny */
#define READ_BLOCK ((size_t)1 << 20)
#endif

/* ---- Small growable buffer -------------------------------------------- */

struct buf {
    unsigned char *p;
    size_t len, cap;
};
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

/* ---- Options ------------------------------------------------------------ */

enum fmt { FMT_PLAIN, FMT_TSV, FMT_BED, FMT_JSON };

/* --fasta, --fastq, --text, --whole or automatic detection. */
enum imode { IM_AUTO, IM_FASTA, IM_FASTQ, IM_TEXT, IM_WHOLE };

/* What the parser found a file to be. */
enum mode { MODE_UNDECIDED, MODE_LINES, MODE_FASTA, MODE_FASTQ, MODE_WHOLE };

/* What is printed per hit (derived from the options, in precedence order). */
enum out_kind {
    OUT_QUIET,  /* -q */
    OUT_LIST,   /* -l or -L */
    OUT_COUNT,  /* -c */
    OUT_DIST,   /* --distances */
    OUT_ROWS,   /* --format=tsv|bed|json */
    OUT_ONLY,   /* -o */
    OUT_RECORD, /* plain: lines, records, or with --whole the lines touched */
};

struct opts {
    uint32_t k;
    int k_given;
    double eps;    /* --approx */
    double delta;  /* --delta: failure probability of approximate engines */
    uint64_t seed; /* --seed: their randomness */
    ham_engine engine;
    int explain; /* --explain */
    enum fmt format;
    enum imode imode;
    int count, list_with, list_without, quiet, no_messages;
    int line_number, byte_offset, only, recursive;
    int binary_text, binary_skip; /* -a, -I */
    int icase, case_sensitive, rc, iupac, distances;
    int with_name; /* -1 automatic, 0 -h, 1 -H */
    int color;     /* resolved: 0 or 1 */
    int progress;  /* -1 automatic, 0, 1 */
    unsigned jobs;
    int patterns_listed; /* -e or -f given: the pattern operand is a FILE */
};

/* ---- Patterns and searches ----------------------------------------------- */

struct pattern {
    unsigned char *s; /* as given (bytes) */
    size_t m;
    char *id; /* for output: the pattern itself, or its name (-f FASTA) */
};

/* How a search runs: one plan; the minimum over expansions of IUPAC codes;
 * or the per-base decomposition (search.c explains both). */
enum skind { SK_PLAIN, SK_EXPAND, SK_DECOMP };

/* One pattern on one strand, as searched on the (possibly folded) text. */
struct search {
    unsigned pat;         /* index into hg.pats */
    int minus;            /* searches the reverse complement */
    int mirror;           /* palindrome: each hit is also reported on '-' */
    unsigned char *sym;   /* the searched pattern (folded, complemented) */
    size_t m, mprime;     /* length; SK_DECOMP: positions that are not N */
    unsigned short *sets; /* --iupac: base set of each position (bits ACGT);
                             NULL without --iupac */
    enum skind kind;
    ham_plan **plans;
    size_t nplans;
};

struct searchset {
    struct search *s;
    size_t n;
    const struct search **bykey; /* by hit key: 2 * pattern + strand */
    unsigned char fold[256];     /* text byte -> searched byte */
    int identity;                /* fold is the identity: search the raw text */
    int upper;                   /* fold is ASCII upper-casing only */
};

/* ---- Batches ------------------------------------------------------------ */

enum item_kind { IT_BEGIN, IT_NAME, IT_END };

/* A record boundary inside a batch's raw bytes. */
struct item {
    enum item_kind kind;
    size_t raw_off;  /* IT_BEGIN: first byte; IT_END: one past the last */
    uint64_t seq;    /* the record's sequence number in its file */
    uint64_t lineno; /* IT_BEGIN: 1-based line number of its first line */
    size_t name_off; /* IT_NAME: the name, in batch.names */
    size_t name_len;
};

/* The symbols of one sequence in a batch: text[off, off+len), whose first
 * ovl symbols were searched with the previous batch already. */
struct seg {
    uint64_t seq, pos0; /* pos0: position in the sequence of text[off] */
    size_t off, len, ovl;
};

struct hit {
    uint64_t seq, pos;
    size_t toff; /* window start in batch.text */
    uint32_t dist;
    uint32_t key; /* 2 * pattern index + (1 for strand '-') */
};

/* Shared by the batches of one input file. */
struct file {
    char *name;         /* as given or built by -r; "-" is standard input */
    int binary;         /* NUL in the first block and no -a */
    int skipped;        /* binary and skipped (-r, or -I) */
    int stop;           /* output needs no more of it (-l, -q): stop reading */
    uint64_t junk_line; /* --fasta: first line before the first header, or 0 */
    uint64_t idx;       /* inputs opened before it: who searches it (mpi.c) */
    int local;          /* standard input: searched by MPI rank 0 alone */
};

struct batch {
    struct batch *next;  /* in-flight list, or free list */
    struct batch *qnext; /* work queue (-j > 1) */
    struct file *file;
    int first, last; /* first / last batch of its file */
    enum mode mode;
    int fold;              /* which searchset: 1 for folded sequence modes */
    unsigned char *raw;    /* the block: rawbuf, or mapped from the file */
    unsigned char *rawbuf; /* READ_BLOCK bytes, owned */
    size_t maplen;         /* raw is a mapping of this many bytes */
    size_t raw_len;
    uint64_t raw_pos; /* offset of raw[0] in the (decompressed) file */
    struct buf text;
    struct item *items;
    size_t nitems, capitems;
    struct seg *segs;
    size_t nsegs, capsegs;
    struct buf names;
    struct hit *hits;
    size_t nhits, caphits;
    uint32_t *dist; /* --distances: per text symbol */
    size_t capdist;
    char *err;      /* message to print after this batch (the file's last) */
    int err_always; /* print even with -s (not a missing/unreadable file) */
    int err_open;   /* the file could not be read at all: no count, no list */
    int serr;       /* library error while searching (ham status) */
    int done;       /* searched (under pool.mu) */
    int remote;     /* hamgrep-mpi rank 0: another rank searches it */
};

/* ---- Parser state (one file) --------------------------------------------- */

enum pstate { ST_BOL, ST_HEADER, ST_SEQ, ST_BLANK, ST_PLUS_BOL, ST_PLUS, ST_QUAL };

struct parser {
    enum mode mode;
    enum pstate st;
    int det_cr;
    uint64_t lineno; /* '\n' seen */
    int in_rec, cr_pending, qual_seen, halt;
    int block_cr;      /* the block being parsed holds a '\r' */
    uint64_t seq;      /* current/last sequence number */
    uint64_t seq_syms; /* symbols of the current sequence so far */
    uint64_t nonempty; /* --distances: non-empty sequences */
    struct buf name;   /* current header's first word */
    int name_done;
    struct buf tail; /* last <= M-1 symbols of the open sequence */
    struct seg *cur; /* the open sequence's segment in this batch */
    struct batch *b;
    size_t pos; /* parse position in b->raw */
};

/* ---- Output state (main thread) ------------------------------------------ */

struct out {
    /* the file */
    struct file *f;
    enum mode mode;
    int fold;
    uint64_t nrec_hit; /* -c */
    int file_hit;
    /* the open record */
    int rec_open;
    uint64_t seq, lineno0, byte0;
    struct buf name;
    int rec_hit;
    int rec_began_here; /* began in the batch being consumed */
    size_t raw_from;    /* its unconsumed bytes start here in that batch */
    struct buf rraw;    /* buffered raw bytes not walked yet */
    uint64_t searched;  /* symbols of the open sequence searched so far */
    size_t seg_cursor;  /* segments of the batch before it are passed */
    /* walker over the record's raw bytes */
    uint64_t w_line, w_byte, w_sym, w_recline;
    int w_bol;
    /* colors: per symbol position from cbase: 0 none, 1 mismatch, 2 match */
    struct buf cst;
    uint64_t cbase;
    /* --whole plain: union of hit windows not yet behind the walker */
    uint64_t *cov; /* pairs start, end */
    size_t cov_head, ncov, capcov;
    /* hits held back until no earlier-starting hit can come */
    struct hit *pend;
    size_t npend, cappend;
    struct buf ptext;
    struct hit *ptmp;
    size_t capptmp;
    struct buf ptext2;
    /* --distances */
    uint64_t next_shift;
};

/* ---- Worker pool ---------------------------------------------------------- */

struct scratch {
    struct buf fold;
    uint32_t *d[5];
    size_t dcap[5];
    struct hit *h[2];
    size_t hcap[2];
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct batch *qhead, *qtail;
    int quit;
    pthread_t *th;
    unsigned n, started;
    struct hg *g;
};

/* ---- The context -------------------------------------------------------- */

struct hg {
    struct opts o;
    enum out_kind out;
    struct pattern *pats;
    size_t npats, cappats;
    size_t mmax;              /* longest pattern (1 if none) */
    struct searchset sets[2]; /* [0] as is, [1] folded (sequence modes) */
    int sets_built[2];
    int with_name;

    /* batches in flight, oldest first; free list */
    struct batch *fhead, *ftail;
    size_t inflight, max_inflight;
    struct batch *freel;
    struct pool pool;
    struct scratch scr; /* -j 1: the main thread's */

    struct parser p;
    struct out w;

    /* colors (GREP_COLORS) */
    char c_ms[32], c_mm[32], c_fn[32], c_ln[32], c_bn[32], c_se[32];

    /* progress */
    int prog_on, prog_shown, stdout_tty;
    double prog_t0, prog_last;
    uint64_t prog_done, prog_total;
    char prog_name[80]; /* a copy: the file may be gone when the bar ends */

    /* results */
    int any_hit, any_error, werr, werr_errno, stop_all, quiet_hit;
    int implicit_dot; /* -r without FILE: names without "./" */

    /* hamgrep-mpi: NULL in hamgrep and on a single rank */
    struct ranks *ranks;
    uint64_t nopened; /* inputs opened so far: struct file.idx */
};

/* input.c */
int input_file(struct hg *g, const char *path, int from_recursion);
int input_operand(struct hg *g, const char *path);
void progress_clear(struct hg *g);
double now_seconds(void);

/* parse.c */
void parser_begin(struct hg *g, enum mode forced);
void parser_block(struct hg *g, struct batch *b);
void parser_eof(struct hg *g, struct batch *b);
void batch_seg_close(struct hg *g);

/* search.c */
int searches_build(struct hg *g, int fold, char *err, size_t errcap);
void searches_free(struct hg *g);
/* --explain: one stderr line per library plan of the set, for a text of n
 * symbols (the first batch's length: what the library decides for). */
void searches_explain(const struct hg *g, int fold, size_t n);
void search_batch(struct hg *g, struct scratch *s, struct batch *b);
void scratch_free(struct scratch *s);
int sym_matches(const struct search *s, size_t j, unsigned char c,
                const unsigned char *fold);
const struct search *search_of_key(const struct hg *g, int fold, uint32_t key);

/* output.c */
void out_write(struct hg *g, const void *p, size_t n);
void out_str(struct hg *g, const char *s);
void consume_batch(struct hg *g, struct batch *b);
void out_free(struct hg *g);
void message(struct hg *g, const char *fname, const char *reason);

/* hamgrep.c */
/* The whole program but for closing stdout (main's job), so that the fuzz
 * target can run it many times in one process: it never exits. */
int hamgrep_main(int argc, char **argv);
int pattern_add(struct hg *g, const unsigned char *s, size_t m, const char *id,
                size_t idlen);
struct batch *batch_get(struct hg *g);
void batch_put(struct hg *g, struct batch *b);
void batch_submit(struct hg *g, struct batch *b);
int batch_item(struct batch *b, enum item_kind kind, size_t off, uint64_t seq,
               uint64_t lineno);
void batch_set_err(struct batch *b, const char *fname, const char *reason, int always);

#ifdef HAMGREP_MPI
/* mpi.c (hamgrep-mpi only) */
enum route { ROUTE_LOCAL, ROUTE_REMOTE, ROUTE_SKIP };
int ranks_start(struct hg *g, int *argc, char ***argv);
int ranks_is_root(const struct hg *g);
int ranks_sync_patterns(struct hg *g, int status);
enum route ranks_route(struct hg *g, const struct batch *b);
int ranks_ready(struct hg *g, const struct batch *b);
void ranks_recv(struct hg *g, struct batch *b);
void ranks_send(struct hg *g, struct batch *b);
void ranks_poll(struct hg *g);
void ranks_drain(struct hg *g);
int ranks_end(struct hg *g, int status);
#endif

#endif /* HAMGREP_H */
