/* bands.c -- per-band energy restoration (see bands.h). */
#include "bands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first band is bins 0..7 (up to ~170 Hz with the 46 ms frame), the
 * others half an octave each: narrow enough to tell a piano's low partials
 * from its highs, wide enough to hold several bins of noise. */
static const double FIRST_BAND = 8.0, BAND_RATIO = 1.41421356;
/* Bands below this fraction of the total energy keep a gain near 1. */
static const double BANDS_FLOOR = 1e-3;
/* Limits of the frame gain and of the level correction. */
static const double FRAME_GAIN_MIN = 0.25, FRAME_GAIN_MAX = 4.0;
static const double LEVEL_MIN = 0.5, LEVEL_MAX = 2.0;
/* The level correction is updated once per half frame (every overlap / 2
 * hops: the output measured overlaps the last by half, so more often adds
 * little): the smoothing of the measured band powers, and the fraction of
 * the (log) level error corrected, per update.  The loop's delay is about
 * one frame length; faster settings ring on sines. */
static const double SMOOTH = 0.3, RATE = 0.2;

static int band_edges(int bins, int *edges, int max)
{
    int count = 0;
    edges[0] = 0;
    for (double e = FIRST_BAND; (int)(e + 0.5) < bins && count + 2 < max;
         e *= BAND_RATIO) {
        int v = (int)(e + 0.5);
        if (v > edges[count])
            edges[++count] = v;
    }
    edges[++count] = bins;
    return count;
}

int tp_bands_init(tp_bands *b, int n, int overlap)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->bins = n / 2 + 1;
    b->overlap = overlap;
    int edges[64];
    const int bins = b->bins, nb = band_edges(bins, edges, 64);
    b->count = nb;
    b->edge = malloc(sizeof(int) * (size_t)(nb + 1));
    b->seg = malloc(sizeof(int) * (size_t)(nb + 1));
    b->frac = malloc(sizeof(float) * (size_t)bins);
    b->yr = malloc(sizeof(float) * (size_t)bins);
    b->yi = malloc(sizeof(float) * (size_t)bins);
    b->rows = malloc(sizeof(float) * 2 * (size_t)bins);
    b->ex = malloc(sizeof(float) * (size_t)bins);
    b->ey = malloc(sizeof(float) * (size_t)bins);
    b->gain = malloc(sizeof(float) * (size_t)bins);
    b->ref = malloc(sizeof(double) * (size_t)nb);
    b->syn = malloc(sizeof(double) * (size_t)nb);
    b->level = malloc(sizeof(float) * (size_t)nb);
    b->ring = malloc(sizeof(double) * (size_t)nb * (size_t)overlap);
    b->sx = malloc(sizeof(double) * (size_t)nb);
    b->so = malloc(sizeof(double) * (size_t)nb);
    b->hist = fftwf_alloc_real((size_t)n);
    b->frame = fftwf_alloc_real((size_t)n);
    if (!b->edge || !b->seg || !b->frac || !b->yr || !b->rows ||
        !b->yi || !b->ex || !b->ey || !b->gain || !b->ref || !b->syn ||
        !b->level || !b->ring || !b->sx || !b->so || !b->hist || !b->frame)
        return -1;
    memcpy(b->edge, edges, sizeof(int) * (size_t)(nb + 1));
    /* Interpolation of the frame gain between band centres; constant
     * below the first centre and above the last.  Segment i (bins
     * [seg[i], seg[i + 1])) runs from band i's centre to the next one's;
     * the centres grow with i, so the segments follow each other. */
    int i = 0;
    b->seg[0] = 0;
    for (int j = 0; j < bins; j++) {
        while (i + 1 < nb && 0.5 * (edges[i + 1] + edges[i + 2] - 1) <= j)
            b->seg[++i] = j;
        double c0 = 0.5 * (edges[i] + edges[i + 1] - 1);
        double f = 0.0;
        if (i + 1 < nb && j > c0)
            f = (j - c0) / (0.5 * (edges[i + 1] + edges[i + 2] - 1) - c0);
        b->frac[j] = (float)(f > 1.0 ? 1.0 : f);
    }
    while (i < nb)
        b->seg[++i] = bins;
    tp_bands_reset(b);
    return 0;
}

void tp_bands_free(tp_bands *b)
{
    free(b->edge);
    free(b->seg);
    free(b->frac);
    free(b->yr);
    free(b->yi);
    free(b->rows);
    free(b->ex);
    free(b->ey);
    free(b->gain);
    free(b->ref);
    free(b->syn);
    free(b->level);
    free(b->ring);
    free(b->sx);
    free(b->so);
    fftwf_free(b->hist);
    fftwf_free(b->frame);
    memset(b, 0, sizeof *b);
}

void tp_bands_reset(tp_bands *b)
{
    for (int i = 0; i < b->count; i++) {
        b->level[i] = 1.0f;
        b->sx[i] = b->so[i] = 0.0;
    }
    memset(b->ring, 0, sizeof(double) * (size_t)b->count * (size_t)b->overlap);
    memset(b->hist, 0, sizeof(float) * (size_t)b->n);
    b->frames = 0;
}

static double *ring_slot(const tp_bands *b, int64_t k)
{
    int64_t s = k % b->overlap;
    if (s < 0)
        s += b->overlap;
    return b->ring + (size_t)s * (size_t)b->count;
}

/* Sums per-bin energies e into bands, counting the bins between 0 and n/2
 * twice (a real frame's spectrum has them twice; e holds them doubled).
 * Eight lanes, so that the sums vectorise without reassociation. */
static void band_sums(const tp_bands *b, const float *restrict e,
                      double *restrict out)
{
    for (int i = 0; i < b->count; i++) {
        int lo = b->edge[i], hi = b->edge[i + 1], j = lo;
        float lane[8] = {0};
        for (; j + 8 <= hi; j += 8)
            for (int l = 0; l < 8; l++)
                lane[l] += e[j + l];
        double s = 0.0;
        for (; j < hi; j++)
            s += e[j];
        for (int l = 0; l < 8; l++)
            s += lane[l];
        out[i] = s;
    }
    out[0] -= 0.5 * e[0];
    out[b->count - 1] -= 0.5 * e[b->bins - 1];
}

/* Adds to ex and ey the energy per bin of (frame x Hann) for the
 * interleaved spectrum x and for x rotated by (rr, ri), doubled (see
 * band_sums).  The neighbours of bins 0 and n/2 are the conjugates of bins
 * 1 and n/2 - 1.  s holds two planar scratch rows of `bins`. */
static void add_hann_energies(float *restrict ex, float *restrict ey,
                              const float *restrict x,
                              const float *restrict rr,
                              const float *restrict ri, float *restrict s,
                              int bins)
{
    /* X itself is read interleaved; only the rotated frame is stored. */
    float *restrict yr = s, *restrict yi = s + bins;
    for (int j = 0; j < bins; j++) {
        float a = x[2 * j], q = x[2 * j + 1];
        yr[j] = a * rr[j] - q * ri[j];
        yi[j] = a * ri[j] + q * rr[j];
    }
    for (int j = 1; j + 1 < bins; j++) {
        float ar = 0.5f * x[2 * j] - 0.25f * (x[2 * j - 2] + x[2 * j + 2]);
        float ai = 0.5f * x[2 * j + 1] - 0.25f * (x[2 * j - 1] + x[2 * j + 3]);
        float br = 0.5f * yr[j] - 0.25f * (yr[j - 1] + yr[j + 1]);
        float bi = 0.5f * yi[j] - 0.25f * (yi[j - 1] + yi[j + 1]);
        ex[j] += 2.0f * (ar * ar + ai * ai);
        ey[j] += 2.0f * (br * br + bi * bi);
    }
    const int l = bins - 1;
    float a0 = 0.5f * x[0] - 0.5f * x[2];
    float al = 0.5f * x[2 * l] - 0.5f * x[2 * l - 2];
    float b0 = 0.5f * yr[0] - 0.5f * yr[1], bl = 0.5f * yr[l] - 0.5f * yr[l - 1];
    ex[0] += 2.0f * a0 * a0;
    ex[l] += 2.0f * al * al;
    ey[0] += 2.0f * b0 * b0;
    ey[l] += 2.0f * bl * bl;
}

static double floor_of(const double *v, int count)
{
    double t = 0.0;
    for (int i = 0; i < count; i++)
        t += v[i];
    return BANDS_FLOOR * t + 1e-30;
}

void tp_bands_frame(tp_bands *b, int64_t k, fftwf_complex *const *x,
                    int channels, const float *rr, const float *ri,
                    int rotated)
{
    const int bins = b->bins, nb = b->count;
    float *restrict yr = b->yr, *restrict yi = b->yi;
    float *restrict ex = b->ex, *restrict ey = b->ey;

    /* The input's band powers, channels summed as the output history is. */
    memset(yr, 0, sizeof(float) * (size_t)bins);
    memset(yi, 0, sizeof(float) * (size_t)bins);
    for (int c = 0; c < channels; c++) {
        const float *restrict s = x[c][0];
        for (int j = 0; j < bins; j++) {
            yr[j] += s[2 * j];
            yi[j] += s[2 * j + 1];
        }
    }
    for (int j = 0; j < bins; j++)
        ex[j] = 2.0f * (yr[j] * yr[j] + yi[j] * yi[j]);
    band_sums(b, ex, ring_slot(b, k));
    b->frames++;
    if (!rotated)
        return;

    /* Windowed energies of X and of X R per band, over the channels. */
    memset(ex, 0, sizeof(float) * (size_t)bins);
    memset(ey, 0, sizeof(float) * (size_t)bins);
    for (int c = 0; c < channels; c++)
        add_hann_energies(ex, ey, x[c][0], rr, ri, b->rows, bins);
    band_sums(b, ex, b->ref);
    band_sums(b, ey, b->syn);
    double eps = floor_of(b->ref, nb);
    float g[64];
    for (int i = 0; i < nb; i++) {
        double v = sqrt((b->ref[i] + eps) / (b->syn[i] + eps));
        g[i] = (float)(v < FRAME_GAIN_MIN   ? FRAME_GAIN_MIN
                       : v > FRAME_GAIN_MAX ? FRAME_GAIN_MAX
                                            : v);
    }
    /* The frame gain between band centres, then the level per band: two
     * contiguous passes (no gathers), so that both vectorise. */
    float *restrict out = b->gain;
    const float *restrict frac = b->frac;
    for (int i = 0; i < nb; i++) {
        int lo = b->seg[i], hi = b->seg[i + 1];
        float g0 = g[i], dg = i + 1 < nb ? g[i + 1] - g[i] : 0.0f;
        for (int j = lo; j < hi; j++)
            out[j] = g0 + frac[j] * dg;
    }
    for (int i = 0; i < nb; i++) {
        float lv = b->level[i];
        for (int j = b->edge[i]; j < b->edge[i + 1]; j++)
            out[j] *= lv;
    }
}

void tp_bands_hop(tp_bands *b, int64_t k, float *const *acc, int channels,
                  int hop, const float *window, tp_fft *fft, int steady)
{
    const int n = b->n, nb = b->count, ov = b->overlap;
    float *restrict h = b->hist;
    memmove(h, h + hop, sizeof(float) * (size_t)(n - hop));
    for (int i = 0; i < hop; i++) {
        float v = 0.0f;
        for (int c = 0; c < channels; c++)
            v += acc[c][i];
        h[n - hop + i] = v;
    }
    /* The history holds frames k - 2 overlap + 2 .. k; the first frames
     * after a reset are not all in it yet. */
    /* A verbatim frame (an onset's zone, bands.h) brings new material, and
     * its neighbours must meet it at gain 1: the correction starts again. */
    if (!steady) {
        for (int i = 0; i < nb; i++)
            b->level[i] = 1.0f;
        return;
    }
    int64_t every = ov / 2 > 1 ? ov / 2 : 1;
    if (b->frames < 2 * ov || k % every != 0)
        return;
    float *restrict f = b->frame;
    for (int i = 0; i < n; i++)
        f[i] = h[i] * window[i];
    fftwf_execute_dft_r2c(fft->forward, f, fft->freq);
    const fftwf_complex *restrict o = fft->freq;
    for (int j = 0; j < b->bins; j++)
        b->ex[j] = 2.0f * (o[j][0] * o[j][0] + o[j][1] * o[j][1]);
    double out[64];
    band_sums(b, b->ex, out);

    /* The history is centred on frame k - (overlap - 1).  Only bands whose
     * input stayed within a factor of 2 over the window are compared: a
     * note's onset or end within it says nothing about the loss. */
    const double smooth = SMOOTH, rate = RATE;
    const double *in = ring_slot(b, k - (ov - 1));
    for (int i = 0; i < nb; i++) {
        b->sx[i] += smooth * (in[i] - b->sx[i]);
        b->so[i] += smooth * (out[i] - b->so[i]);
    }
    double eps = floor_of(b->sx, nb);
    for (int i = 0; i < nb; i++) {
        double lo = INFINITY, hi = 0.0;
        for (int m = 0; m < ov; m++) {
            double v = b->ring[(size_t)m * (size_t)nb + (size_t)i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (hi + eps > 2.0 * (lo + eps))
            continue;
        double g = b->level[i] *
                   pow((b->sx[i] + eps) / (b->so[i] + eps), 0.5 * rate);
        b->level[i] = (float)(g < LEVEL_MIN   ? LEVEL_MIN
                              : g > LEVEL_MAX ? LEVEL_MAX
                                              : g);
    }
}
