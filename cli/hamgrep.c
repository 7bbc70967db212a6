/* SPDX-License-Identifier: MIT */
/*
 * hamgrep.c -- grep for approximate matches: prints the lines, FASTA/FASTQ
 * records or windows of its inputs that lie within Hamming distance K of
 * one or more patterns, or the distance profile of one sequence. The
 * command-line face of libhamming; its manual, and the output contract, is
 * hamgrep(1).
 *
 * This file: the command line, the patterns, the batches and the worker
 * threads; hamgrep.h describes the pipeline (read and parse, search, output)
 * and input.c, parse.c, search.c and output.c its stages.
 */
#define _POSIX_C_SOURCE 200809L
#include "hamgrep.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_line[] = "Usage: hamgrep [OPTION]... PATTERN [FILE]...\n";

/* ---- Buffers -------------------------------------------------------------- */

int
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

int
buf_append(struct buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void
buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- Batches ---------------------------------------------------------------- */

struct batch *
batch_get(struct hg *g)
{
    struct batch *b = g->freel;
    if (b) {
        g->freel = b->next;
    } else {
        b = calloc(1, sizeof *b);
        if (!b)
            return NULL;
        b->rawbuf = malloc(READ_BLOCK);
        if (!b->rawbuf) {
            free(b);
            return NULL;
        }
    }
    b->raw = b->rawbuf;
    b->maplen = 0;
    b->next = b->qnext = NULL;
    b->file = NULL;
    b->first = b->last = 0;
    b->mode = MODE_UNDECIDED;
    b->fold = 0;
    b->raw_len = 0;
    b->raw_pos = 0;
    b->text.len = 0;
    b->nitems = b->nsegs = b->nhits = 0;
    b->names.len = 0;
    b->err = NULL;
    b->err_always = b->err_open = 0;
    b->serr = HAM_OK;
    b->done = 0;
    b->remote = 0;
    return b;
}

void
batch_put(struct hg *g, struct batch *b)
{
    if (b->last && b->file) {
        free(b->file->name);
        free(b->file);
    }
    b->file = NULL;
    free(b->err);
    b->err = NULL;
    if (b->maplen)
        munmap(b->raw, b->maplen);
    b->raw = b->rawbuf;
    b->maplen = 0;
    b->next = g->freel;
    g->freel = b;
}

static void
batch_destroy(struct batch *b)
{
    free(b->rawbuf);
    buf_free(&b->text);
    buf_free(&b->names);
    free(b->items);
    free(b->segs);
    free(b->hits);
    free(b->dist);
    free(b);
}

int
batch_item(struct batch *b, enum item_kind kind, size_t off, uint64_t seq,
           uint64_t lineno)
{
    struct item *it;
    if (b->nitems == b->capitems) {
        size_t cap = b->capitems ? 2 * b->capitems : 256;
        it = realloc(b->items, cap * sizeof *it);
        if (!it)
            return -1;
        b->items = it;
        b->capitems = cap;
    }
    it = &b->items[b->nitems++];
    it->kind = kind;
    it->raw_off = off;
    it->seq = seq;
    it->lineno = lineno;
    it->name_off = it->name_len = 0;
    return 0;
}

/* The message printed after this batch: "FILE: reason". */
void
batch_set_err(struct batch *b, const char *fname, const char *reason, int always)
{
    size_t n = strlen(fname) + strlen(reason) + 3;
    if (b->err)
        return; /* the first error of a file is the one reported */
    b->err = malloc(n);
    if (b->err)
        snprintf(b->err, n, "%s: %s", fname, reason);
    b->err_always = always;
}

/* ---- Worker threads ---------------------------------------------------------- */

static void *
worker(void *arg)
{
    struct pool *pl = arg;
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        struct batch *b;
        while (!pl->qhead && !pl->quit)
            pthread_cond_wait(&pl->work, &pl->mu);
        if (!pl->qhead)
            break;
        b = pl->qhead;
        pl->qhead = b->qnext;
        if (!pl->qhead)
            pl->qtail = NULL;
        pthread_mutex_unlock(&pl->mu);
        search_batch(pl->g, &sc, b);
        pthread_mutex_lock(&pl->mu);
        b->done = 1;
        pthread_cond_broadcast(&pl->done);
    }
    pthread_mutex_unlock(&pl->mu);
    scratch_free(&sc);
    return NULL;
}

static void
pool_start(struct hg *g, unsigned n)
{
    struct pool *pl = &g->pool;
    unsigned i;
    pl->g = g;
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    pl->th = calloc(n, sizeof *pl->th);
    pl->started = 1;
    if (!pl->th)
        return; /* n stays 0: search on the main thread */
    for (i = 0; i < n; i++) {
        if (pthread_create(&pl->th[i], NULL, worker, pl) != 0)
            break;
    }
    pl->n = i;
}

static void
pool_stop(struct hg *g)
{
    struct pool *pl = &g->pool;
    unsigned i;
    if (!pl->started)
        return;
    pthread_mutex_lock(&pl->mu);
    pl->quit = 1;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (i = 0; i < pl->n; i++)
        pthread_join(pl->th[i], NULL);
    free(pl->th);
    pthread_cond_destroy(&pl->done);
    pthread_cond_destroy(&pl->work);
    pthread_mutex_destroy(&pl->mu);
}

/* Wait for the oldest batch in flight, output it, recycle it. */
static void
retire_head(struct hg *g)
{
    struct batch *b = g->fhead;
    if (b->remote) {
#ifdef HAMGREP_MPI
        if (!g->stop_all) /* else nothing is output: ranks_end discards it */
            ranks_recv(g, b);
#endif
    } else if (g->pool.n) {
        pthread_mutex_lock(&g->pool.mu);
        while (!b->done)
            pthread_cond_wait(&g->pool.done, &g->pool.mu);
        pthread_mutex_unlock(&g->pool.mu);
    }
    g->fhead = b->next;
    if (!g->fhead)
        g->ftail = NULL;
    g->inflight--;
#ifdef HAMGREP_MPI
    if (g->ranks && !ranks_is_root(g)) {
        ranks_send(g, b); /* the hits go to rank 0, which outputs them */
        return;
    }
#endif
    consume_batch(g, b);
    batch_put(g, b);
}

static int
head_done(struct hg *g)
{
    int d;
#ifdef HAMGREP_MPI
    if (g->fhead->remote)
        return ranks_ready(g, g->fhead);
#endif
    if (!g->pool.n)
        return g->fhead->done; /* searched when submitted */
    pthread_mutex_lock(&g->pool.mu);
    d = g->fhead->done;
    pthread_mutex_unlock(&g->pool.mu);
    return d;
}

/* A parsed batch: search it (here, or on a worker) and output it in turn. */
void
batch_submit(struct hg *g, struct batch *b)
{
    b->fold = g->o.icase || ((b->mode == MODE_FASTA || b->mode == MODE_FASTQ) &&
                             !g->o.case_sensitive);
    if (b->text.len > 0 && !g->sets_built[b->fold] && !g->stop_all) {
        char err[512] = "";
        g->sets_built[b->fold] = 1;
        if (searches_build(g, b->fold, err, sizeof err) != HAM_OK) {
            message(g, NULL, err[0] ? err : "out of memory");
            g->any_error = 1;
            g->stop_all = 1;
        } else if (g->o.explain) {
            searches_explain(g, b->fold, b->text.len);
        }
    }
#ifdef HAMGREP_MPI
    if (g->ranks && !g->stop_all) {
        enum route r = ranks_route(g, b);
        if (r == ROUTE_SKIP) {
            batch_put(g, b); /* another rank's: parsed only to stay in step */
            ranks_poll(g);
            return;
        }
        b->remote = r == ROUTE_REMOTE;
    }
#endif
    if (g->stop_all) {
        batch_put(g, b);
        return;
    }
    if (g->pool.n == 0 && !g->ranks) {
        search_batch(g, &g->scr, b);
        consume_batch(g, b);
        batch_put(g, b);
        return;
    }
    /* in order through the in-flight list: searched here (now, or by a
     * worker), or (hamgrep-mpi rank 0) received when its turn comes */
    if (g->pool.n == 0 && !b->remote) {
        search_batch(g, &g->scr, b);
        b->done = 1;
    }
    if (g->ftail)
        g->ftail->next = b;
    else
        g->fhead = b;
    g->ftail = b;
    g->inflight++;
    if (g->pool.n > 0 && !b->remote) {
        pthread_mutex_lock(&g->pool.mu);
        if (g->pool.qtail)
            g->pool.qtail->qnext = b;
        else
            g->pool.qhead = b;
        g->pool.qtail = b;
        pthread_cond_signal(&g->pool.work);
        pthread_mutex_unlock(&g->pool.mu);
    }
    while (g->inflight > g->max_inflight)
        retire_head(g);
    while (g->fhead && head_done(g))
        retire_head(g);
}

static void
drain(struct hg *g)
{
    while (g->fhead)
        retire_head(g);
}

/* ---- Patterns ---------------------------------------------------------------- */

int
pattern_add(struct hg *g, const unsigned char *s, size_t m, const char *id,
            size_t idlen)
{
    struct pattern *p;
    if (g->npats == g->cappats) {
        size_t cap = g->cappats ? 2 * g->cappats : 8;
        p = realloc(g->pats, cap * sizeof *p);
        if (!p)
            return -1;
        g->pats = p;
        g->cappats = cap;
    }
    p = &g->pats[g->npats];
    p->s = malloc(m ? m : 1);
    p->id = malloc(idlen + 1);
    if (!p->s || !p->id) {
        free(p->s);
        free(p->id);
        return -1;
    }
    memcpy(p->s, s, m);
    p->m = m;
    memcpy(p->id, id, idlen);
    p->id[idlen] = '\0';
    g->npats++;
    return 0;
}

static int
read_all(const char *path, struct buf *b)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    int rc = 0;
    if (!fp)
        return -1;
    for (;;) {
        size_t n;
        if (buf_reserve(b, 65536) != 0) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        n = fread(b->p + b->len, 1, b->cap - b->len, fp);
        b->len += n;
        if (n == 0) {
            if (ferror(fp))
                rc = -1;
            break;
        }
    }
    if (fp != stdin)
        fclose(fp);
    else
        clearerr(stdin);
    return rc;
}

/* -f FILE: one pattern per line (blank lines skipped), or FASTA records
 * (each sequence, lines joined, is a pattern named after its record) when
 * the first byte that is not blank is '>'. Returns 0 or 2 after a message. */
static int
patterns_from_file(struct hg *g, const char *path)
{
    struct buf b = {NULL, 0, 0}, seq = {NULL, 0, 0};
    size_t i = 0, name = 0, namelen = 0;
    int fasta = 0, inrec = 0, rc = 0;
    if (read_all(path, &b) != 0) {
        message(g, path, strerror(errno));
        buf_free(&b);
        return 2;
    }
    while (i < b.len && (b.p[i] == '\n' || b.p[i] == '\r'))
        i++;
    fasta = i < b.len && b.p[i] == '>';
    while (i < b.len && rc == 0) {
        unsigned char *nl = memchr(b.p + i, '\n', b.len - i);
        size_t end = nl ? (size_t)(nl - b.p) : b.len, len = end - i;
        if (len > 0 && b.p[end - 1] == '\r')
            len--;
        if (fasta && len > 0 && b.p[i] == '>') {
            if (inrec) {
                if (seq.len == 0) {
                    message(g, path, "empty pattern");
                    rc = 2;
                } else if (pattern_add(g, seq.p, seq.len, (char *)b.p + name,
                                       namelen)) {
                    rc = -1;
                }
            }
            seq.len = 0;
            inrec = 1;
            name = i + 1;
            for (namelen = 0; namelen + 1 < len && b.p[name + namelen] != ' ' &&
                              b.p[name + namelen] != '\t';
                 namelen++)
                ;
        } else if (fasta) {
            if (buf_append(&seq, b.p + i, len) != 0)
                rc = -1;
        } else if (len > 0 && pattern_add(g, b.p + i, len, (char *)b.p + i, len) != 0) {
            rc = -1;
        }
        i = end + 1;
    }
    if (fasta && inrec && rc == 0) {
        if (seq.len == 0) {
            message(g, path, "empty pattern");
            rc = 2;
        } else if (pattern_add(g, seq.p, seq.len, (char *)b.p + name, namelen) != 0) {
            rc = -1;
        }
    }
    if (rc < 0) {
        message(g, path, "out of memory");
        rc = 2;
    }
    buf_free(&b);
    buf_free(&seq);
    return rc;
}

/* ---- Command line ---------------------------------------------------------- */

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
print_help(struct hg *g)
{
    unsigned e;
    out_str(g, usage_line);
    out_str(
        g,
        "Print the lines, FASTA/FASTQ records or windows of each FILE that lie within\n"
        "Hamming distance K of PATTERN (K mismatches, no insertions or deletions).\n"
        "With no FILE, read standard input (with -r, the working directory); FILE -\n"
        "is standard input. Gzip-compressed input is decompressed.\n"
        "\n"
        "Patterns:\n"
        "  -k, --max-mismatches=K  at most K mismatches (default 0)\n"
        "  -e, --pattern=PATTERN   search PATTERN (repeatable; then every operand\n"
        "                          is a FILE)\n"
        "  -f, --file=FILE         one pattern per line of FILE, or its FASTA records\n"
        "  -i, --ignore-case       ASCII case folding of patterns and text\n"
        "      --case-sensitive    FASTA/FASTQ: lower-case bases do not match upper\n"
        "      --rc                also search the reverse complement (strand -)\n"
        "      --iupac             IUPAC codes in patterns match their base sets\n"
        "\n"
        "Input:\n"
        "      --fasta, --fastq, --text, --whole\n"
        "                          read every input as FASTA, FASTQ, text lines, or\n"
        "                          one sequence of bytes (default: detect)\n"
        "  -r, --recursive         search directories recursively\n"
        "  -a                      search binary files as text\n"
        "  -I                      skip binary files\n"
        "      --binary-files=TYPE binary (default), text (-a), without-match (-I)\n"
        "\n"
        "Output:\n"
        "  -o, --only-matching     print each matching window\n"
        "  -c, --count             print the number of matching lines or records\n"
        "  -l, --files-with-matches  print the names of files with a match\n"
        "  -L, --files-without-match print the names of files without one\n"
        "  -q, --quiet, --silent   print nothing; exit 0 at the first match\n"
        "  -s, --no-messages       no messages about missing or unreadable files\n"
        "  -n, --line-number       prefix output lines with their line number\n"
        "  -b, --byte-offset       prefix output lines with their byte offset\n"
        "  -H, --with-filename     prefix output lines with the file name\n"
        "  -h, --no-filename       never prefix the file name\n"
        "      --color[=WHEN]      never, always or auto: highlight matches and\n"
        "                          their mismatched positions (also --colour)\n"
        "      --format=FORMAT     plain (default), tsv, bed or json: one row per hit\n"
        "      --distances         print 'start<TAB>dist' for every shift of the "
        "single\n"
        "                          sequence of each input (with -k: K+1 above K)\n"
        "\n"
        "Running:\n"
        "  -j, --threads=N         search with N threads (0: one per CPU; default 1)\n"
        "      --progress          progress bar on stderr (default: if a terminal)\n"
        "      --no-progress       no progress bar\n"
        "      --approx=EPS        allow (1+EPS)-approximate distances\n"
        "      --delta=P           with --approx: failure probability (default 1e-6)\n"
        "      --seed=S            with --approx: seed of the random choices (0)\n"
        "      --engine=NAME       force a library engine (default auto)\n"
        "      --explain           print the library's engine choice and cost\n"
        "                          estimates per pattern on stderr, then search\n"
        "  -V, --version           print the versions of hamgrep and of the library\n"
        "      --help              print this help and exit\n"
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

/* A decimal integer in 0 .. max, no sign, blanks or base prefix. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        uint64_t d;
        if (*s < '0' || *s > '9')
            return -1;
        d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10) /* v * 10 + d > max, without wrapping */
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

enum opt_code {
    O_K,
    O_E,
    O_F,
    O_C,
    O_LW,
    O_LWO,
    O_N,
    O_B,
    O_O,
    O_H,
    O_NOH,
    O_R,
    O_A,
    O_BIN_SKIP,
    O_BINFILES,
    O_ICASE,
    O_CASESENS,
    O_COLOR,
    O_Q,
    O_S,
    O_V,
    O_HELP,
    O_J,
    O_PROG,
    O_NOPROG,
    O_RC,
    O_IUPAC,
    O_FASTA,
    O_FASTQ,
    O_TEXT,
    O_WHOLE,
    O_DIST,
    O_FORMAT,
    O_APPROX,
    O_DELTA,
    O_SEED,
    O_ENGINE,
    O_EXPLAIN
};

struct optdef {
    char shrt;       /* 0: long only */
    const char *lng; /* NULL: short only */
    int arg;         /* 0 none, 1 required, 2 optional (long form: =ARG only) */
    enum opt_code code;
};

static const struct optdef optdefs[] = {
    {'k', "max-mismatches", 1, O_K},
    {'e', "pattern", 1, O_E},
    {'f', "file", 1, O_F},
    {'c', "count", 0, O_C},
    {'l', "files-with-matches", 0, O_LW},
    {'L', "files-without-match", 0, O_LWO},
    {'n', "line-number", 0, O_N},
    {'b', "byte-offset", 0, O_B},
    {'o', "only-matching", 0, O_O},
    {'H', "with-filename", 0, O_H},
    {'h', "no-filename", 0, O_NOH},
    {'r', "recursive", 0, O_R},
    {'a', NULL, 0, O_A},
    {'I', NULL, 0, O_BIN_SKIP},
    {0, "binary-files", 1, O_BINFILES},
    {'i', "ignore-case", 0, O_ICASE},
    {0, "case-sensitive", 0, O_CASESENS},
    {0, "color", 2, O_COLOR},
    {0, "colour", 2, O_COLOR},
    {'q', "quiet", 0, O_Q},
    {0, "silent", 0, O_Q},
    {'s', "no-messages", 0, O_S},
    {'V', "version", 0, O_V},
    {0, "help", 0, O_HELP},
    {'j', "threads", 1, O_J},
    {0, "progress", 0, O_PROG},
    {0, "no-progress", 0, O_NOPROG},
    {0, "rc", 0, O_RC},
    {0, "iupac", 0, O_IUPAC},
    {0, "fasta", 0, O_FASTA},
    {0, "fastq", 0, O_FASTQ},
    {0, "text", 0, O_TEXT},
    {0, "whole", 0, O_WHOLE},
    {0, "distances", 0, O_DIST},
    {0, "format", 1, O_FORMAT},
    {0, "approx", 1, O_APPROX},
    {0, "delta", 1, O_DELTA},
    {0, "seed", 1, O_SEED},
    {0, "engine", 1, O_ENGINE},
    {0, "explain", 0, O_EXPLAIN},
};

/* A pattern source, in command-line order: -e text or -f file. */
struct psrc {
    int is_file;
    const char *arg;
};

struct cmdline {
    int help, version, color; /* color: -1 auto, 0, 1 (before resolving) */
    const char **ops;         /* operands */
    int nops;
    struct psrc *src;
    int nsrc;
};

static int
apply_opt(struct hg *g, struct cmdline *cl, enum opt_code code, const char *val)
{
    struct opts *o = &g->o;
    uint64_t v;
    char *end;
    switch (code) {
    case O_K:
        if (parse_uint(val, HAM_UNBOUNDED - 1u, &v) != 0)
            return usage_error("invalid distance", val, (int)strlen(val),
                               " for -k: expected an integer from 0 to 4294967294");
        o->k = (uint32_t)v;
        o->k_given = 1;
        break;
    case O_E:
    case O_F:
        cl->src[cl->nsrc].is_file = code == O_F;
        cl->src[cl->nsrc++].arg = val;
        o->patterns_listed = 1;
        break;
    case O_C:
        o->count = 1;
        break;
    case O_LW:
        o->list_with = 1;
        o->list_without = 0;
        break;
    case O_LWO:
        o->list_without = 1;
        o->list_with = 0;
        break;
    case O_N:
        o->line_number = 1;
        break;
    case O_B:
        o->byte_offset = 1;
        break;
    case O_O:
        o->only = 1;
        break;
    case O_H:
        o->with_name = 1;
        break;
    case O_NOH:
        o->with_name = 0;
        break;
    case O_R:
        o->recursive = 1;
        break;
    case O_A:
        o->binary_text = 1;
        o->binary_skip = 0;
        break;
    case O_BIN_SKIP:
        o->binary_skip = 1;
        o->binary_text = 0;
        break;
    case O_BINFILES:
        if (strcmp(val, "binary") == 0)
            o->binary_text = o->binary_skip = 0;
        else if (strcmp(val, "text") == 0)
            return apply_opt(g, cl, O_A, "");
        else if (strcmp(val, "without-match") == 0)
            return apply_opt(g, cl, O_BIN_SKIP, "");
        else
            return usage_error("invalid argument", val, (int)strlen(val),
                               " for --binary-files: expected binary, text or "
                               "without-match");
        break;
    case O_ICASE:
        o->icase = 1;
        break;
    case O_CASESENS:
        o->case_sensitive = 1;
        break;
    case O_COLOR:
        if (*val == '\0' || strcmp(val, "auto") == 0 || strcmp(val, "tty") == 0 ||
            strcmp(val, "if-tty") == 0)
            cl->color = -1;
        else if (strcmp(val, "always") == 0 || strcmp(val, "yes") == 0 ||
                 strcmp(val, "force") == 0)
            cl->color = 1;
        else if (strcmp(val, "never") == 0 || strcmp(val, "no") == 0 ||
                 strcmp(val, "none") == 0)
            cl->color = 0;
        else
            return usage_error("invalid argument", val, (int)strlen(val),
                               " for --color: expected never, always or auto");
        break;
    case O_Q:
        o->quiet = 1;
        break;
    case O_S:
        o->no_messages = 1;
        break;
    case O_V:
        cl->version = 1;
        break;
    case O_HELP:
        cl->help = 1;
        break;
    case O_J:
        if (parse_uint(val, 1024, &v) != 0)
            return usage_error("invalid thread count", val, (int)strlen(val),
                               " for -j: expected an integer from 0 to 1024");
        o->jobs = (unsigned)v;
        if (v == 0) {
            long c = sysconf(_SC_NPROCESSORS_ONLN);
            o->jobs = c > 0 && c <= 1024 ? (unsigned)c : 1;
        }
        break;
    case O_PROG:
        o->progress = 1;
        break;
    case O_NOPROG:
        o->progress = 0;
        break;
    case O_RC:
        o->rc = 1;
        break;
    case O_IUPAC:
        o->iupac = 1;
        break;
    case O_FASTA:
        o->imode = IM_FASTA;
        break;
    case O_FASTQ:
        o->imode = IM_FASTQ;
        break;
    case O_TEXT:
        o->imode = IM_TEXT;
        break;
    case O_WHOLE:
        o->imode = IM_WHOLE;
        break;
    case O_DIST:
        o->distances = 1;
        break;
    case O_FORMAT:
        if (strcmp(val, "plain") == 0)
            o->format = FMT_PLAIN;
        else if (strcmp(val, "tsv") == 0)
            o->format = FMT_TSV;
        else if (strcmp(val, "bed") == 0)
            o->format = FMT_BED;
        else if (strcmp(val, "json") == 0)
            o->format = FMT_JSON;
        else
            return usage_error("invalid format", val, (int)strlen(val),
                               ": expected plain, tsv, bed or json");
        break;
    case O_APPROX:
        errno = 0;
        o->eps = strtod(val, &end);
        if (*val == '\0' || *end != '\0' || errno != 0 || !(o->eps >= 0.0) ||
            !(o->eps < 1.0))
            return usage_error("invalid value", val, (int)strlen(val),
                               " for --approx: expected a number from 0 to below 1");
        break;
    case O_DELTA:
        errno = 0;
        o->delta = strtod(val, &end);
        if (*val == '\0' || *end != '\0' || errno != 0 || !(o->delta > 0.0) ||
            !(o->delta < 1.0))
            return usage_error("invalid value", val, (int)strlen(val),
                               " for --delta: expected a number above 0 and below 1");
        break;
    case O_SEED:
        if (parse_uint(val, UINT64_MAX, &v) != 0)
            return usage_error("invalid seed", val, (int)strlen(val),
                               ": expected an integer from 0 to 18446744073709551615");
        o->seed = v;
        break;
    case O_ENGINE:
        if (ham_engine_from_name(val, &o->engine) != HAM_OK)
            return usage_error("unknown engine", val, (int)strlen(val), "");
        break;
    case O_EXPLAIN:
        o->explain = 1;
        break;
    }
    return 0;
}

/* GNU-style: options and operands in any order, "--" ends the options, "-"
 * is an operand, short options cluster ("-ok2"), option arguments attached
 * ("-k2", "--format=tsv") or separate ("-k 2", "--format tsv"), except an
 * optional one (--color[=WHEN]). Long options are spelled in full. */
static int
parse_cmdline(struct hg *g, struct cmdline *cl, int argc, char **argv)
{
    const size_t nopt = sizeof optdefs / sizeof optdefs[0];
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
            const struct optdef *o = NULL;
            for (j = 0; j < nopt; j++) {
                if (optdefs[j].lng && strlen(optdefs[j].lng) == len &&
                    memcmp(optdefs[j].lng, name, len) == 0)
                    o = &optdefs[j];
            }
            if (!o)
                return usage_error("unknown option", a, (int)(len + 2), "");
            if (o->arg == 1) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return usage_error("option", a, (int)(len + 2),
                                       " needs an argument");
            } else if (o->arg == 2) {
                val = eq ? eq + 1 : "";
            } else if (eq) {
                return usage_error("option", a, (int)(len + 2), " takes no argument");
            }
            if ((rc = apply_opt(g, cl, o->code, val)) != 0)
                return rc;
        } else {
            size_t j;
            for (j = 1; a[j]; j++) {
                const struct optdef *o = NULL;
                char opt[2] = {'-', a[j]};
                size_t d;
                for (d = 0; d < nopt; d++) {
                    if (optdefs[d].shrt == a[j])
                        o = &optdefs[d];
                }
                if (!o)
                    return usage_error("unknown option", opt, 2, "");
                if (o->arg == 1) {
                    const char *val = a[j + 1]       ? a + j + 1
                                      : i + 1 < argc ? argv[++i]
                                                     : NULL;
                    if (!val)
                        return usage_error("option", opt, 2, " needs an argument");
                    if ((rc = apply_opt(g, cl, o->code, val)) != 0)
                        return rc;
                    break; /* the rest of the word was the argument */
                }
                if ((rc = apply_opt(g, cl, o->code, "")) != 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* GREP_COLORS (grep's syntax, "ms=01;31:fn=35:..."), plus mm= for the
 * mismatched positions inside a match. */
static void
colors_init(struct hg *g)
{
    const char *e = getenv("GREP_COLORS");
    strcpy(g->c_ms, "01;31");
    strcpy(g->c_mm, "01;07;31");
    strcpy(g->c_fn, "35");
    strcpy(g->c_ln, "32");
    strcpy(g->c_bn, "32");
    strcpy(g->c_se, "36");
    while (e && *e) {
        const char *colon = strchr(e, ':'), *eq = strchr(e, '=');
        size_t len = colon ? (size_t)(colon - e) : strlen(e);
        if (eq && (size_t)(eq - e) == 2 && len - 3 < 31 && len >= 3 &&
            strspn(eq + 1, "0123456789;") >= len - 3) {
            char *dst = NULL;
            if (memcmp(e, "ms", 2) == 0 || memcmp(e, "mt", 2) == 0)
                dst = g->c_ms;
            else if (memcmp(e, "mm", 2) == 0)
                dst = g->c_mm;
            else if (memcmp(e, "fn", 2) == 0)
                dst = g->c_fn;
            else if (memcmp(e, "ln", 2) == 0)
                dst = g->c_ln;
            else if (memcmp(e, "bn", 2) == 0)
                dst = g->c_bn;
            else if (memcmp(e, "se", 2) == 0)
                dst = g->c_se;
            if (dst) {
                memcpy(dst, eq + 1, len - 3);
                dst[len - 3] = '\0';
            }
        }
        e = colon ? colon + 1 : NULL;
    }
}

/* ---- main ---------------------------------------------------------------- */

/* Check the options against each other and choose the output; 0 or 2. */
static int
resolve(struct hg *g, struct cmdline *cl)
{
    struct opts *o = &g->o;
    size_t i;
    for (i = 0; i < g->npats; i++) {
        if (g->pats[i].m == 0)
            return usage_error("empty PATTERN", NULL, 0, "");
        if (g->pats[i].m > UINT32_MAX)
            return usage_error("PATTERN too long", NULL, 0, "");
    }
    if (o->distances) {
        if (o->only || o->format != FMT_PLAIN || o->count || o->list_with ||
            o->list_without || o->rc)
            return usage_error("--distances cannot be combined with -o, -c, -l, -L, "
                               "--rc or --format",
                               NULL, 0, "");
        if (g->npats != 1)
            return usage_error("--distances needs exactly one pattern", NULL, 0, "");
    }
    g->out = o->quiet                          ? OUT_QUIET
             : o->list_with || o->list_without ? OUT_LIST
             : o->count                        ? OUT_COUNT
             : o->distances                    ? OUT_DIST
             : o->format != FMT_PLAIN          ? OUT_ROWS
             : o->only                         ? OUT_ONLY
                                               : OUT_RECORD;
    g->mmax = 1;
    for (i = 0; i < g->npats; i++)
        if (g->pats[i].m > g->mmax)
            g->mmax = g->pats[i].m;
#ifdef HAMGREP_MPI
    /* mpirun forwards rank 0's output through a pseudo-terminal whatever
     * the real destination: never a terminal here, so output is block
     * buffered (line buffering cost 40x on --distances) and --color=auto
     * writes what hamgrep writes into a pipe or file */
    g->stdout_tty = 0;
#else
    g->stdout_tty = isatty(STDOUT_FILENO);
#endif
    if (cl->color < 0) {
        const char *t = getenv("TERM");
        o->color = g->stdout_tty && t && strcmp(t, "dumb") != 0;
    } else {
        o->color = cl->color;
    }
    if (g->out == OUT_ROWS || g->out == OUT_DIST || g->out == OUT_QUIET)
        o->color = 0;
    if (o->color)
        colors_init(g);
    g->prog_on = o->progress > 0 || (o->progress < 0 && isatty(STDERR_FILENO));
    return 0;
}

int
hamgrep_main(int argc, char **argv)
{
    struct hg *g = calloc(1, sizeof *g);
    struct cmdline cl;
    int status = 0, i, nfiles;
    const char *const *files;
    static const char *const stdin_only[] = {"-"};
    static const char *const dot_only[] = {"."};

    memset(&cl, 0, sizeof cl);
    if (!g) {
        fprintf(stderr, "hamgrep: %s\n", strerror(ENOMEM));
        return 2;
    }
#ifdef HAMGREP_MPI
    if (ranks_start(g, &argc, &argv) != 0) {
        free(g);
        return 2;
    }
#endif
    g->o.engine = HAM_ENGINE_AUTO;
    g->o.delta = 1e-6; /* ham_params_init's */
    g->o.with_name = -1;
    g->o.progress = -1;
    g->o.jobs = 1;
    cl.color = 0;
    cl.ops = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *cl.ops);
    cl.src = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *cl.src);
    if (!cl.ops || !cl.src) {
        fprintf(stderr, "hamgrep: %s\n", strerror(ENOMEM));
        status = 2;
        goto done;
    }
    status = parse_cmdline(g, &cl, argc, argv);
    if (status != 0)
        goto done;
    if (cl.help) {
        print_help(g);
        goto done;
    }
    if (cl.version) {
        out_str(g, "hamgrep (libhamming) " HAM_VERSION_STRING "\n");
        out_str(g, "library: libhamming ");
        out_str(g, ham_version_string());
        out_str(g, "\n");
        goto done;
    }
    files = (const char *const *)cl.ops;
    nfiles = cl.nops;
    if (!g->o.patterns_listed) {
        if (cl.nops == 0) {
            status = usage_error("missing PATTERN", NULL, 0, "");
            goto done;
        }
        if (pattern_add(g, (const unsigned char *)cl.ops[0], strlen(cl.ops[0]),
                        cl.ops[0], strlen(cl.ops[0])) != 0) {
            status = 2;
            message(g, NULL, "out of memory");
            goto done;
        }
        files++;
        nfiles--;
    }
    for (i = 0; i < cl.nsrc && status == 0; i++) {
        if (cl.src[i].is_file)
            status = patterns_from_file(g, cl.src[i].arg);
        else if (pattern_add(g, (const unsigned char *)cl.src[i].arg,
                             strlen(cl.src[i].arg), cl.src[i].arg,
                             strlen(cl.src[i].arg)) != 0) {
            message(g, NULL, "out of memory");
            status = 2;
        }
    }
#ifdef HAMGREP_MPI
    if (g->ranks) /* rank 0's patterns (-f - reads its standard input) */
        status = ranks_sync_patterns(g, status);
#endif
    if (status != 0 || (status = resolve(g, &cl)) != 0)
        goto done;
#ifdef HAMGREP_MPI
    if (g->ranks && !ranks_is_root(g))
        g->prog_on = 0;
#endif
    if (!ham_engine_available(g->o.engine)) {
        fprintf(stderr, "hamgrep: engine '%s' is not available in this build\n",
                ham_engine_name(g->o.engine));
        status = 2;
        goto done;
    }
    if (nfiles == 0) {
        files = g->o.recursive ? dot_only : stdin_only;
        g->implicit_dot = g->o.recursive;
        nfiles = 1;
    }
    g->with_name = g->o.with_name >= 0 ? g->o.with_name : nfiles > 1 || g->o.recursive;
    if (g->o.recursive && g->o.with_name < 0 && nfiles == 1 && !g->implicit_dot) {
        /* grep -r PATTERN FILE names files only when FILE is a directory */
        struct stat st;
        g->with_name = stat(files[0], &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (!g->stdout_tty)
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (g->out == OUT_ROWS && g->o.format == FMT_TSV)
        out_str(g, g->o.patterns_listed
                       ? "#file\tseq\tstart\tend\tstrand\tdist\tmatch\tpattern\n"
                       : "#file\tseq\tstart\tend\tstrand\tdist\tmatch\n");
    g->max_inflight = 2 * (size_t)g->o.jobs + 2;
    if (g->o.jobs > 1)
        pool_start(g, g->o.jobs);
    for (i = 0; i < nfiles && !g->stop_all; i++) {
        if (input_operand(g, files[i]) != 0)
            g->any_error = g->any_error || !g->quiet_hit;
    }
    drain(g);
#ifdef HAMGREP_MPI
    ranks_drain(g);
#endif
    progress_clear(g);
    status = g->quiet_hit ? 0 : g->any_error ? 2 : g->any_hit ? 0 : 1;

done:
    pool_stop(g);
    while (g->freel) {
        struct batch *b = g->freel;
        g->freel = b->next;
        batch_destroy(b);
    }
    scratch_free(&g->scr);
    searches_free(g);
    out_free(g);
    buf_free(&g->p.name);
    buf_free(&g->p.tail);
    for (i = 0; i < (int)g->npats; i++) {
        free(g->pats[i].s);
        free(g->pats[i].id);
    }
    free(g->pats);
    free(cl.ops);
    free(cl.src);

    /* Output is buffered: a full disk or closed pipe may show only now. */
    if (!g->werr) {
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            g->werr = 1;
            g->werr_errno = errno;
        }
    }
    if (g->werr) {
        /* A closed pipe (hamgrep ... | head) is the reader's choice, not an
         * error to report: with SIGPIPE ignored (inherited from the caller)
         * the write fails with EPIPE instead of killing the process, and
         * hamgrep then exits as quietly as the signal would have, status 2. */
        if (g->werr_errno != EPIPE)
            fprintf(stderr, "hamgrep: write error: %s\n",
                    g->werr_errno ? strerror(g->werr_errno) : "unknown error");
        status = 2;
    }
#ifdef HAMGREP_MPI
    status = ranks_end(g, status); /* every rank exits with rank 0's status */
#endif
    free(g);
    return status;
}

#ifndef HAMGREP_NO_MAIN
int
main(int argc, char **argv)
{
    int status = hamgrep_main(argc, argv);
    /* hamgrep_main flushed stdout; closing can still fail (NFS, a full
     * disk reported late) */
    if (fclose(stdout) != 0 && status != 2) {
        if (errno != EPIPE)
            fprintf(stderr, "hamgrep: write error: %s\n", strerror(errno));
        status = 2;
    }
    return status;
}
#endif
