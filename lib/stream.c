/* SPDX-License-Identifier: MIT */
/*
 * stream.c -- texts fed in pieces (pipes, files larger than memory).
 *
 * The stream keeps the last m - 1 symbols it has seen (the only ones a later
 * window can still need) in a buffer of 2(m - 1) symbols. A feed of len
 * symbols does two scans: windows that start in the buffer (the buffer plus
 * the first m - 1 symbols of the chunk, copied behind it), then windows that
 * start in the chunk, scanned in place without copying. Every window is thus
 * scanned exactly once, as soon as its last symbol arrives, and hits come out
 * in increasing position whatever the chunk sizes. Memory: O(m + scan block).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct ham_stream {
    const ham_plan *plan;
    ham__scratch scratch; /* distance buffer reused across feeds */
    size_t keep;          /* m - 1 */
    unsigned char *buf;
    size_t have;  /* symbols in buf, <= keep between feeds */
    uint64_t pos; /* symbols fed so far */
    int state;    /* HAM_OK, or the sticky error of an earlier feed */
    int finished;
};

int
ham_stream_create(ham_stream **out, const ham_plan *plan)
{
    ham_stream *s;
    if (!out)
        return HAM_EINVAL;
    *out = NULL;
    if (!plan)
        return HAM_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s)
        return HAM_ENOMEM;
    s->plan = plan;
    s->keep = plan->m - 1;
    s->buf = ham__alloc(2 * s->keep + 1, plan->width);
    if (!s->buf) {
        free(s);
        return HAM_ENOMEM;
    }
    *out = s;
    return HAM_OK;
}

void
ham_stream_destroy(ham_stream *s)
{
    if (!s)
        return;
    free(s->buf);
    free(s->scratch.dist);
    free(s);
}

int
ham_stream_reset(ham_stream *s)
{
    if (!s)
        return HAM_EINVAL;
    s->have = 0;
    s->pos = 0;
    s->state = HAM_OK;
    s->finished = 0;
    return HAM_OK;
}

uint64_t
ham_stream_position(const ham_stream *s)
{
    return s ? s->pos : 0;
}

static int
feed(ham_stream *s, const void *chunk, size_t len, ham_hit_fn fn, void *ctx,
     unsigned width)
{
    const unsigned w = width;
    const unsigned char *c = chunk;
    ham_engine e;
    size_t t;
    int rc;

    if (!s || !fn)
        return HAM_EINVAL;
    if (s->plan->width != width)
        return HAM_EWIDTH;
    if (!chunk && len > 0)
        return HAM_EINVAL;
    if (s->state != HAM_OK)
        return s->state;
    if (s->finished)
        return HAM_EINVAL;
    if (len == 0)
        return HAM_OK;
    /* positions reach the callback as size_t: refuse to wrap them */
    if ((uint64_t)len > (uint64_t)SIZE_MAX - s->pos)
        return s->state = HAM_ERANGE;
    /* The engine is chosen per feed from its length, so that short records
     * (reads, lines) do not run an engine tuned for long texts; approximate
     * plans get one engine whatever the length (ham__choose), so chunking
     * cannot change their output. */
    e = ham__choose(s->plan, len + s->have);

    /* 1. windows starting in the buffer: append up to keep symbols */
    t = len < s->keep ? len : s->keep;
    memcpy(s->buf + s->have * w, c, t * w);
    if (s->have > 0) {
        rc = ham__scan(s->plan, e, s->buf, s->have + t, s->pos - s->have, fn, ctx,
                       &s->scratch);
        if (rc != HAM_OK)
            return s->state = rc;
    }
    /* 2. windows starting in the chunk, in place */
    rc = ham__scan(s->plan, e, c, len, s->pos, fn, ctx, &s->scratch);
    if (rc != HAM_OK)
        return s->state = rc;
    /* 3. keep the last keep symbols of buffer + chunk */
    if (len >= s->keep) {
        memcpy(s->buf, c + (len - s->keep) * w, s->keep * w);
        s->have = s->keep;
    } else {
        size_t all = s->have + len; /* buf already holds them all (t == len) */
        size_t drop = all > s->keep ? all - s->keep : 0;
        memmove(s->buf, s->buf + drop * w, (all - drop) * w);
        s->have = all - drop;
    }
    s->pos += len;
    return HAM_OK;
}

int
ham_stream_feed_u8(ham_stream *s, const uint8_t *chunk, size_t len, ham_hit_fn fn,
                   void *ctx)
{
    return feed(s, chunk, len, fn, ctx, 1);
}

int
ham_stream_feed_u32(ham_stream *s, const uint32_t *chunk, size_t len, ham_hit_fn fn,
                    void *ctx)
{
    return feed(s, chunk, len, fn, ctx, 4);
}

int
ham_stream_finish(ham_stream *s, ham_hit_fn fn, void *ctx)
{
    (void)ctx;
    if (!s || !fn)
        return HAM_EINVAL;
    if (s->state != HAM_OK)
        return s->state;
    s->finished = 1;
    return HAM_OK;
}
