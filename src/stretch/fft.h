/*
 * fft.h -- FFTW single-precision plans for the engine, made under one lock.
 *
 * FFTW's planner is not thread-safe; only fftwf_execute_* may run
 * concurrently.  Every plan the library makes or destroys goes through
 * these two functions, which hold a process-wide mutex.  Plans are made
 * with FFTW_ESTIMATE so that the same plan (and therefore the same
 * floating-point operations) is chosen on every run: FFTW_MEASURE times
 * candidates and can pick differently from run to run.
 */
#ifndef TP_FFT_H
#define TP_FFT_H

#include <fftw3.h>

typedef struct tp_fft {
    int n;               /* transform size (real samples)          */
    float *time;         /* n real samples, FFTW-aligned            */
    fftwf_complex *freq; /* n/2+1 bins, FFTW-aligned                */
    fftwf_plan forward;  /* time -> freq                            */
    fftwf_plan inverse;  /* freq -> time, unnormalised (x n)        */
} tp_fft;

/* Makes buffers and plans for size n.  Returns 0, or -1 on allocation or
 * planning failure (in which case *f holds nothing to free). */
int tp_fft_init(tp_fft *f, int n);

/* Frees what tp_fft_init made; a zeroed struct is accepted. */
void tp_fft_free(tp_fft *f);

#endif
