/* SPDX-License-Identifier: MIT */
/*
 * mpi.c -- hamgrep-mpi: hamgrep with the searching split across MPI ranks,
 * writing exactly what hamgrep writes (stdout, stderr, exit status).
 *
 * Every rank runs hamgrep's pipeline (hamgrep.h) on every input: it reads
 * and parses each file, so that all ranks cut the same 1 MiB batches, each
 * batch with the last M-1 symbols of its sequence before it (the overlap
 * that lets a window straddle a batch boundary; a window belongs to the
 * batch it ends in, so none is lost or reported twice). Parsing everything
 * everywhere gives every rank the record names, line numbers and positions
 * without any exchange; it pays when searching costs more than parsing
 * (doc/scaling.md, "When it pays").
 *
 * Batch j of the i-th input opened is searched by rank (i + j) mod P: a
 * large file is split block by block, a list of small files file by file.
 * The standard input, which mpirun forwards to rank 0 only, is rank 0's
 * alone. Rank 0 searches its own batches (on -j threads if asked) and
 * outputs all batches in input order; when a batch of another rank comes
 * up it receives that batch's search result:
 *
 *   header  5 x uint64: input index, block index, library status, kind
 *           (hits or distances), count;
 *   body    the count hits (struct hit, 32 bytes: sequence, position, offset
 *           in the batch, distance, pattern and strand) or, for --distances,
 *           count uint32 distances; in messages of at most CHUNK bytes.
 *
 * Nothing else goes over the network but the patterns (broadcast once, so
 * that -f - read on rank 0 reaches all) and the exit status at the end. The
 * text is never sent: each rank reads the inputs itself, so they must be at
 * the same paths on every node (a shared file system). The struct hit bytes
 * are sent as they are: all ranks must be the same build (one binary on a
 * homogeneous cluster).
 *
 * Memory per rank stays that of hamgrep: the batches in flight (2j + 2) plus
 * at most WINDOW batches whose result is being sent. A rank sends with
 * MPI_Isend and waits for its oldest send once WINDOW are pending, so a rank
 * ahead of rank 0 waits instead of queueing results without bound.
 *
 * Stopping: rank 0 may stop early (-q answered, -l/-L answered for a file,
 * write error); ranks searching ahead then produce results it does not
 * want. So every result carries its (input, block), rank 0 skips results
 * older than the batch it waits for, and at the end rank 0 sends each rank
 * DONE (with the exit status) and discards whatever arrives until that
 * rank's FIN; a rank sends FIN once it has stopped (end of input, or DONE
 * seen between batches) and its sends are complete. Messages between two
 * ranks arrive in order (MPI's non-overtaking rule), so FIN is the last.
 *
 * Ranks other than 0 write nothing: their stdout and stderr are /dev/null
 * (every rank parses the same command line, and would repeat its errors).
 * A rank that stops on its own (out of memory) sends FIN early, and rank 0,
 * missing its result, reports "hamgrep: MPI: rank N stopped early" and exits
 * with status 2.
 */
#define _POSIX_C_SOURCE 200809L
#include "hamgrep.h"

#include <fcntl.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Message tags. */
enum { TAG_HDR = 1, TAG_BODY, TAG_FIN, TAG_DONE, TAG_PATS };

/* Largest message: keeps each count an int (MPI's type) whatever the hits. */
#define CHUNK ((size_t)1 << 26)

/* Results being sent at once by a rank (each holds its batch). */
#define WINDOW 4

enum { KIND_HITS, KIND_DIST };

struct slot {
    struct batch *b;
    uint64_t hdr[5];
    MPI_Request *req;
    int nreq, capreq;
};

struct ranks {
    int rank, size;
    /* rank > 0 */
    MPI_Request done_req; /* DONE from rank 0 */
    int done_got, root_status;
    struct slot slot[WINDOW];
    unsigned head, nslots; /* ring of pending sends */
    /* rank 0 */
    int *finished; /* per rank: FIN received */
    struct buf junk;
};

/* Open MPI's blocking calls poll at 100 % of a core: a rank waiting for
 * another would take the CPU from the ranks (and threads) doing the work
 * when there are more of them than cores, or other jobs. So every wait here
 * polls (MPI_Test, MPI_Iprobe) and naps between polls, 10 us doubling up to
 * 250 us: small next to the search of a 1 MiB batch (milliseconds). */
static void
nap(unsigned *us)
{
    struct timespec ts;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)*us * 1000;
    nanosleep(&ts, NULL);
    if (*us < 250)
        *us *= 2;
}

static void
wait_all(int n, MPI_Request *req)
{
    unsigned us = 10;
    int flag = 0;
    for (;;) {
        MPI_Testall(n, req, &flag, MPI_STATUSES_IGNORE);
        if (flag)
            return;
        nap(&us);
    }
}

static void
probe(int src, MPI_Status *st)
{
    unsigned us = 10;
    int flag = 0;
    for (;;) {
        MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
        if (flag)
            return;
        nap(&us);
    }
}

int
ranks_is_root(const struct hg *g)
{
    return !g->ranks || g->ranks->rank == 0;
}

/* MPI_Init; on more than one rank, the context's struct ranks. 0, or -1
 * after a message. */
int
ranks_start(struct hg *g, int *argc, char ***argv)
{
    int provided, rank, size;
    struct ranks *r;
    /* only the main thread calls MPI; -j workers never do */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("hamgrep: MPI: cannot initialise\n", stderr);
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1)
        return 0; /* hamgrep itself */
    r = calloc(1, sizeof *r);
    if (!r) {
        fputs("hamgrep: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, 2);
        return -1;
    }
    r->rank = rank;
    r->size = size;
    g->ranks = r;
    if (rank == 0) {
        r->finished = calloc((size_t)size, sizeof *r->finished);
        if (!r->finished) {
            fputs("hamgrep: out of memory\n", stderr);
            MPI_Abort(MPI_COMM_WORLD, 2);
            return -1;
        }
    } else {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        MPI_Irecv(&r->root_status, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD,
                  &r->done_req);
    }
    return 0;
}

/* ---- Patterns ------------------------------------------------------------ */

static int
put_u64(struct buf *b, uint64_t v)
{
    return buf_append(b, &v, sizeof v);
}

/* Every rank takes rank 0's status and, if 0, its patterns: they may come
 * from its standard input (-f -), or from a file only it can read. */
int
ranks_sync_patterns(struct hg *g, int status)
{
    struct buf b = {NULL, 0, 0};
    uint64_t len = 0;
    size_t i, off;
    int fail = 0;
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (status != 0)
        return status;
    if (g->ranks->rank == 0) {
        fail |= put_u64(&b, g->npats);
        for (i = 0; i < g->npats; i++) {
            size_t idl = strlen(g->pats[i].id);
            fail |= put_u64(&b, g->pats[i].m);
            fail |= put_u64(&b, idl);
            fail |= buf_append(&b, g->pats[i].s, g->pats[i].m);
            fail |= buf_append(&b, g->pats[i].id, idl);
        }
        len = fail ? 0 : b.len;
    }
    MPI_Bcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (len == 0) {
        buf_free(&b);
        if (g->ranks->rank == 0)
            message(g, NULL, "out of memory");
        return 2;
    }
    if (g->ranks->rank != 0 && buf_reserve(&b, (size_t)len) != 0)
        MPI_Abort(MPI_COMM_WORLD, 2);
    for (off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
        MPI_Bcast(b.p + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    if (g->ranks->rank != 0) {
        uint64_t np, m, idl;
        for (i = 0; i < g->npats; i++) {
            free(g->pats[i].s);
            free(g->pats[i].id);
        }
        g->npats = 0;
        off = 0;
        memcpy(&np, b.p, sizeof np);
        off += sizeof np;
        for (i = 0; i < np; i++) {
            memcpy(&m, b.p + off, sizeof m);
            memcpy(&idl, b.p + off + 8, sizeof idl);
            off += 16;
            if (pattern_add(g, b.p + off, (size_t)m, (const char *)b.p + off + m,
                            (size_t)idl) != 0)
                MPI_Abort(MPI_COMM_WORLD, 2);
            off += (size_t)(m + idl);
        }
    }
    buf_free(&b);
    return 0;
}

/* ---- Who searches a batch ------------------------------------------------ */

static int
owner(const struct hg *g, const struct batch *b)
{
    uint64_t blk = b->raw_pos / READ_BLOCK;
    if (b->file->local || b->text.len == 0)
        return 0; /* nothing to search, or only rank 0 has the bytes */
    return (int)((b->file->idx + blk) % (uint64_t)g->ranks->size);
}

enum route
ranks_route(struct hg *g, const struct batch *b)
{
    int o = owner(g, b);
    if (o == g->ranks->rank)
        return ROUTE_LOCAL;
    return g->ranks->rank == 0 ? ROUTE_REMOTE : ROUTE_SKIP;
}

/* ---- Rank 0: receiving ------------------------------------------------------ */

/* How many elements of the result body a batch has, and of which kind. */
static uint64_t
result_count(const struct hg *g, const struct batch *b, uint64_t *kind)
{
    const struct searchset *set = &g->sets[b->fold];
    *kind = KIND_HITS;
    if (g->out != OUT_DIST)
        return b->nhits;
    *kind = KIND_DIST;
    if (b->serr || !set->s || set->n == 0 || set->s[0].m > b->text.len)
        return 0;
    return b->text.len - set->s[0].m + 1;
}

/* Receive a body of len bytes into p, in CHUNK messages. */
static void
recv_body(int src, unsigned char *p, size_t len)
{
    size_t off;
    for (off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        MPI_Recv(p + off, (int)n, MPI_BYTE, src, TAG_BODY, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    }
}

int
ranks_ready(struct hg *g, const struct batch *b)
{
    int flag = 0;
    MPI_Iprobe(owner(g, b), MPI_ANY_TAG, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    return flag;
}

static void
rank_lost(struct hg *g, int src)
{
    char why[64];
    snprintf(why, sizeof why, "MPI: rank %d stopped early", src);
    message(g, NULL, why);
    g->any_error = 1;
    g->stop_all = 1;
}

/* Wait for the result of b from its rank, skipping older results (of
 * batches rank 0 did not read, having stopped a file early). */
void
ranks_recv(struct hg *g, struct batch *b)
{
    struct ranks *r = g->ranks;
    int src = owner(g, b);
    uint64_t want_idx = b->file->idx, want_blk = b->raw_pos / READ_BLOCK;
    for (;;) {
        MPI_Status st;
        uint64_t h[5];
        size_t bytes, elt;
        unsigned char *dst;
        int same;
        probe(src, &st);
        if (st.MPI_TAG == TAG_FIN) {
            MPI_Recv(NULL, 0, MPI_BYTE, src, TAG_FIN, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            r->finished[src] = 1;
            rank_lost(g, src);
            return;
        }
        MPI_Recv(h, (int)sizeof h, MPI_BYTE, src, TAG_HDR, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        same = h[0] == want_idx && h[1] == want_blk;
        if (!same && (h[0] > want_idx || (h[0] == want_idx && h[1] > want_blk))) {
            /* a result from beyond: the ranks did not cut the same batches */
            message(g, NULL,
                    "MPI: ranks out of step (are the inputs the same on "
                    "every node?)");
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
        elt = h[3] == KIND_DIST ? sizeof *b->dist : sizeof *b->hits;
        if (h[4] > SIZE_MAX / elt)
            MPI_Abort(MPI_COMM_WORLD, 2);
        bytes = (size_t)h[4] * elt;
        if (!same) {
            r->junk.len = 0;
            if (buf_reserve(&r->junk, bytes) != 0)
                MPI_Abort(MPI_COMM_WORLD, 2);
            recv_body(src, r->junk.p, bytes);
            continue;
        }
        b->serr = (int)(int64_t)h[2];
        if (h[3] == KIND_DIST) {
            if (b->capdist < h[4]) {
                free(b->dist);
                b->dist = malloc(bytes);
                b->capdist = b->dist ? (size_t)h[4] : 0;
            }
            dst = (unsigned char *)b->dist;
        } else {
            b->nhits = 0;
            if (b->caphits < h[4]) {
                struct hit *nh = realloc(b->hits, bytes);
                if (nh) {
                    b->hits = nh;
                    b->caphits = (size_t)h[4];
                }
            }
            dst = b->caphits >= h[4] ? (unsigned char *)b->hits : NULL;
            if (dst)
                b->nhits = (size_t)h[4];
        }
        if (bytes > 0 && !dst) {
            /* take the body anyway, to stay in step; the batch fails */
            r->junk.len = 0;
            if (buf_reserve(&r->junk, bytes) != 0)
                MPI_Abort(MPI_COMM_WORLD, 2);
            dst = r->junk.p;
            b->serr = HAM_ENOMEM;
        }
        recv_body(src, dst, bytes);
        return;
    }
}

/* ---- Ranks > 0: sending ------------------------------------------------------ */

static void
slot_wait(struct hg *g, struct slot *s)
{
    wait_all(s->nreq, s->req);
    batch_put(g, s->b);
    s->b = NULL;
}

void
ranks_poll(struct hg *g)
{
    struct ranks *r = g->ranks;
    int flag = 0;
    if (r->rank == 0 || r->done_got)
        return;
    MPI_Test(&r->done_req, &flag, MPI_STATUS_IGNORE);
    if (flag) {
        r->done_got = 1;
        g->stop_all = 1; /* rank 0 wants nothing more */
    }
}

/* Send b's result to rank 0; b is recycled once the send is complete. */
void
ranks_send(struct hg *g, struct batch *b)
{
    struct ranks *r = g->ranks;
    struct slot *s;
    uint64_t kind, count = result_count(g, b, &kind);
    size_t bytes, off;
    const unsigned char *body;
    int need;
    if (r->nslots == WINDOW) {
        slot_wait(g, &r->slot[r->head]);
        r->head = (r->head + 1) % WINDOW;
        r->nslots--;
    }
    s = &r->slot[(r->head + r->nslots) % WINDOW];
    body = kind == KIND_DIST ? (const unsigned char *)b->dist
                             : (const unsigned char *)b->hits;
    bytes = (size_t)count * (kind == KIND_DIST ? sizeof *b->dist : sizeof *b->hits);
    need = 1 + (int)((bytes + CHUNK - 1) / CHUNK);
    if (s->capreq < need) {
        MPI_Request *nr = realloc(s->req, (size_t)need * sizeof *nr);
        if (!nr)
            MPI_Abort(MPI_COMM_WORLD, 2);
        s->req = nr;
        s->capreq = need;
    }
    s->b = b;
    s->hdr[0] = b->file->idx;
    s->hdr[1] = b->raw_pos / READ_BLOCK;
    s->hdr[2] = (uint64_t)(int64_t)b->serr;
    s->hdr[3] = kind;
    s->hdr[4] = count;
    s->nreq = 0;
    MPI_Isend(s->hdr, (int)sizeof s->hdr, MPI_BYTE, 0, TAG_HDR, MPI_COMM_WORLD,
              &s->req[s->nreq++]);
    for (off = 0; off < bytes; off += CHUNK) {
        size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
        MPI_Isend(body + off, (int)n, MPI_BYTE, 0, TAG_BODY, MPI_COMM_WORLD,
                  &s->req[s->nreq++]);
    }
    r->nslots++;
    ranks_poll(g);
}

/* After the last batch: complete the sends still pending. */
void
ranks_drain(struct hg *g)
{
    struct ranks *r = g->ranks;
    if (!r || r->rank == 0)
        return;
    while (r->nslots > 0) {
        slot_wait(g, &r->slot[r->head]);
        r->head = (r->head + 1) % WINDOW;
        r->nslots--;
    }
}

/* ---- The end ------------------------------------------------------------------- */

/* The DONE / FIN exchange (see the top), MPI_Finalize; returns the status
 * this process exits with: rank 0's on every rank, so that mpirun's status
 * is hamgrep's. */
int
ranks_end(struct hg *g, int status)
{
    struct ranks *r = g->ranks;
    int i;
    if (!r) {
        MPI_Finalize();
        return status;
    }
    if (r->rank == 0) {
        MPI_Request *req = calloc((size_t)r->size, sizeof *req);
        if (!req)
            MPI_Abort(MPI_COMM_WORLD, 2);
        for (i = 1; i < r->size; i++)
            MPI_Isend(&status, 1, MPI_INT, i, TAG_DONE, MPI_COMM_WORLD, &req[i]);
        for (i = 1; i < r->size; i++) {
            while (!r->finished[i]) {
                MPI_Status st;
                int n;
                probe(i, &st);
                MPI_Get_count(&st, MPI_BYTE, &n);
                r->junk.len = 0;
                if (buf_reserve(&r->junk, n > 0 ? (size_t)n : 1) != 0)
                    MPI_Abort(MPI_COMM_WORLD, 2);
                MPI_Recv(r->junk.p, n, MPI_BYTE, i, st.MPI_TAG, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                r->finished[i] = st.MPI_TAG == TAG_FIN;
            }
        }
        wait_all(r->size - 1, req + 1);
        free(req);
        free(r->finished);
        buf_free(&r->junk);
    } else {
        ranks_drain(g);
        MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_FIN, MPI_COMM_WORLD);
        if (!r->done_got)
            wait_all(1, &r->done_req);
        status = r->root_status;
        for (i = 0; i < WINDOW; i++)
            free(r->slot[i].req);
    }
    free(r);
    g->ranks = NULL;
    MPI_Finalize();
    return status;
}
