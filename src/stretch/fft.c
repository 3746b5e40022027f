/* fft.c -- FFTW plans made and destroyed under one process-wide lock. */
#include "fft.h"

#include <pthread.h>
#include <string.h>

/* The only global state of the library: FFTW's planner shares tables
 * between plans, so plan creation and destruction are serialised. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

int tp_fft_init(tp_fft *f, int n)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->time = fftwf_alloc_real((size_t)n);
    f->freq = fftwf_alloc_complex((size_t)n / 2 + 1);
    if (!f->time || !f->freq) {
        tp_fft_free(f);
        return -1;
    }
    pthread_mutex_lock(&plan_lock);
    /* FFTW_ESTIMATE: deterministic plan choice, and the buffers are not
     * overwritten while planning. */
    f->forward = fftwf_plan_dft_r2c_1d(n, f->time, f->freq,
                                       FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
    f->inverse = fftwf_plan_dft_c2r_1d(n, f->freq, f->time,
                                       FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
    pthread_mutex_unlock(&plan_lock);
    if (!f->forward || !f->inverse) {
        tp_fft_free(f);
        return -1;
    }
    return 0;
}

void tp_fft_free(tp_fft *f)
{
    pthread_mutex_lock(&plan_lock);
    if (f->forward)
        fftwf_destroy_plan(f->forward);
    if (f->inverse)
        fftwf_destroy_plan(f->inverse);
    pthread_mutex_unlock(&plan_lock);
    fftwf_free(f->time);
    fftwf_free(f->freq);
    memset(f, 0, sizeof *f);
}
