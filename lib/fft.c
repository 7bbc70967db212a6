/* SPDX-License-Identifier: MIT */
/*
 * fft.c -- the FFTW3 layer. FFTW's planner is not thread-safe (FFTW manual,
 * "Thread safety"): every fftw_plan_* and fftw_destroy_plan call in lib/ goes
 * through the one static mutex here, the only static state the library has
 * (documented in libhamming(3), THREADS). Executing a plan is thread-safe with
 * the new-array execute functions, so plans can be shared once made.
 */
#include "internal.h"

#include <pthread.h>

static pthread_mutex_t fftw_planner_lock = PTHREAD_MUTEX_INITIALIZER;

void
ham__fftw_lock(void)
{
    pthread_mutex_lock(&fftw_planner_lock);
}

void
ham__fftw_unlock(void)
{
    pthread_mutex_unlock(&fftw_planner_lock);
}
