/* SPDX-License-Identifier: MIT */
/*
 * threads.c -- a fork-join loop over independent items on up to T threads
 * (ham_params.threads): the calling thread and T - 1 pthreads take items
 * from a shared atomic counter until none are left. Items write disjoint
 * outputs, so the result does not depend on which thread ran which item or
 * in what order: multi-threaded output is byte-identical to one thread's.
 * Threads live for one call (no pool kept between calls: the library holds
 * no global state); creating them costs ~10-20 us, so callers only go
 * parallel for work of milliseconds.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct job {
    ham__task_fn fn;
    void *ctx;
    size_t nitems;
    atomic_size_t next;
    atomic_int rc; /* HAM_OK, or the first error: the other workers stop */
} job;

typedef struct worker {
    job *j;
    unsigned id;
} worker;

static void
run(job *j, unsigned id)
{
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        int rc, ok = HAM_OK;
        if (i >= j->nitems ||
            atomic_load_explicit(&j->rc, memory_order_relaxed) != HAM_OK)
            return;
        rc = j->fn(j->ctx, i, id);
        if (rc != HAM_OK)
            atomic_compare_exchange_strong(&j->rc, &ok, rc);
    }
}

static void *
thread_main(void *arg)
{
    worker *w = arg;
    run(w->j, w->id);
    return NULL;
}

int
ham__parallel(unsigned threads, size_t nitems, ham__task_fn fn, void *ctx)
{
    job j;
    pthread_t *tid;
    worker *w;
    unsigned t, started = 0;

    j.fn = fn;
    j.ctx = ctx;
    j.nitems = nitems;
    atomic_init(&j.next, 0);
    atomic_init(&j.rc, HAM_OK);
    if (threads > nitems)
        threads = (unsigned)nitems;
    if (threads <= 1) {
        run(&j, 0);
        return atomic_load(&j.rc);
    }
    tid = ham__alloc(threads, sizeof *tid);
    w = ham__alloc(threads, sizeof *w);
    if (tid && w) {
        for (t = 1; t < threads; t++) {
            w[t].j = &j;
            w[t].id = t;
            /* a thread that cannot be created leaves its items to the others */
            if (pthread_create(&tid[started + 1], NULL, thread_main, &w[t]) != 0)
                break;
            started++;
        }
    }
    run(&j, 0);
    for (t = 0; t < started; t++)
        pthread_join(tid[t + 1], NULL);
    free(tid);
    free(w);
    return atomic_load(&j.rc);
}
