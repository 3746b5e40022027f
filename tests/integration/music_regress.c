/*
 * music_regress.c -- keeps the engine's gain on real recordings (issue 10).
 *
 *   music_regress [--fine-flag FLAG] TEMPITCH
 *
 * Runs TEMPITCH at -T 0.8 and -T 1.25, in the default mode and with --fine
 * (or FLAG), on a drum loop and a piano phrase from lmms-common, and
 * scores each output with the forward metric
 * of ../shared/eval/music_eval.py (forward_metrics, tempo-only): the LSD
 * of the output's power spectrogram against the input read at output time
 * t * tempo, at the best global lag within +-10 ms, and the correlation of
 * the onset strength per band.  Each mode must stay within a small margin
 * of what the blended phase rotation measured; 0.1.0's identity phase
 * locking was far outside it (run this driver with a 0.1.0 tempitch: it
 * fails on 14 of the 16 numbers).
 *
 * The input is a 16-bit WAV copy of the decoded Ogg, made as music_eval
 * makes it (the decoded piano peaks at 1.026: clipped, as 16-bit input is):
 * the numbers are then the harness's (within 1e-4) and comparable with its
 * anchors; a float copy would keep the overs and differ from both.
 *
 * Exit 0 pass, 1 fail (naming the case and the number), 77 skip (no
 * lmms-common), 2 usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <sndfile.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { NFFT = 2048, HOP = 512, NBIN = NFFT / 2 + 1, NREC = 2, NTEMPO = 2 };

static const char *const rec_name[NREC] = {"break02", "piano02"};
static const char *const rec_path[NREC] = {
    "/usr/share/lmms/samples/beats/break02.ogg",
    "/usr/share/lmms/samples/instruments/piano02.ogg",
};
static const char *const tempo_arg[NTEMPO] = {"0.8", "1.25"};

/* Measured on the blended rotation with per-band energy restoration
 * (release build; music_eval.py agrees within 1e-4): [input][tempo][mode:
 * default, --fine] = {LSD dB, onset r}.  0.1.0 measured, default / --fine:
 * break02 -T 0.8 4.092 / 4.011 dB, onset 0.901 / 0.874; -T 1.25 4.716 /
 * 4.634, 0.768 / 0.790; piano02 -T 0.8 3.025 / 2.925, 0.477 / 0.500;
 * -T 1.25 3.458 / 3.264, 0.489 / 0.550.  The largest gains are the
 * piano's onsets (+0.15..0.26), the drums' LSD (-0.7..-0.8 dB) and, from
 * the per-band restoration (bands.h), the piano's LSD at -T 0.8 (3.296 ->
 * 2.459 dB with one broadband gain against the per-band one). */
static const double measured[NREC][NTEMPO][2][2] = {
    {{{3.402, 0.8941}, {3.389, 0.8958}}, {{3.868, 0.8099}, {3.797, 0.8136}}},
    {{{2.459, 0.7367}, {2.259, 0.7342}}, {{2.733, 0.6282}, {2.630, 0.6636}}},
};
/* What a mode may lose against its measured values (the onset r moved by
 * 0.007 when the input's rounding changed by 1 LSB). */
#define LSD_MARGIN 0.1
#define FLUX_MARGIN 0.02

struct sig {
    double *x; /* interleaved */
    long n;
    int ch, sr;
};

/* All of the file as doubles, as soundfile.read reads it. */
static int read_all(const char *path, struct sig *s)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (f == NULL) {
        fprintf(stderr, "music_regress: %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    s->ch = info.channels;
    s->sr = info.samplerate;
    s->n = (long)info.frames;
    s->x = malloc((size_t)s->n * (size_t)s->ch * sizeof *s->x + 1);
    int ok = s->x && sf_readf_double(f, s->x, s->n) == s->n;
    sf_close(f);
    return ok ? 0 : -1;
}

/* music_eval's excerpt(): clip to what 16-bit PCM holds, write PCM_16. */
static int write_pcm16(const char *path, const struct sig *s)
{
    SF_INFO info = {.samplerate = s->sr,
                    .channels = s->ch,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (f == NULL)
        return -1;
    /* soundfile turns clipping on, and with it libsndfile rounds another
     * way: with it the copy is sample-identical to music_eval's. */
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    for (long i = 0; i < s->n * s->ch; i++)
        s->x[i] = fmin(fmax(s->x[i], -1.0), 32767.0 / 32768.0);
    int ok = sf_writef_double(f, s->x, s->n) == s->n;
    return sf_close(f) == 0 && ok ? 0 : -1;
}

static int run_tempitch(const char *exe, const char *flag, const char *tempo,
                        const char *in, const char *out)
{
    char *argv[] = {(char *)exe,   "-q",         "-T",
                    (char *)tempo, (char *)in,   "-o",
                    (char *)out,   (char *)flag, NULL};
    pid_t pid;
    int st;
    if (posix_spawn(&pid, exe, NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Band power spectrogram (periodic Hann, summed over channels, zero outside
 * the signal) at the given centres, bins b0..b0+nb-1 kept; returns the
 * maximum over all bins and frames, which sets music_eval's floor. */
static double stft(const struct sig *s, const long *c, long nfr, int b0, int nb,
                   double *P, float *in, fftwf_complex *out, fftwf_plan plan)
{
    static double w[NFFT];
    if (w[1] == 0.0)
        for (int i = 0; i < NFFT; i++) /* periodic: sym=False */
            w[i] = 0.5 - 0.5 * cos(2.0 * 3.14159265358979323846 * i / NFFT);
    double top = 0.0, sum[NBIN];
    for (long k = 0; k < nfr; k++) {
        memset(sum, 0, sizeof sum);
        for (int ch = 0; ch < s->ch; ch++) {
            for (int i = 0; i < NFFT; i++) {
                long j = c[k] - NFFT / 2 + i;
                in[i] = j >= 0 && j < s->n
                            ? (float)(w[i] * s->x[j * s->ch + ch])
                            : 0.0f;
            }
            fftwf_execute(plan);
            for (int b = 0; b < NBIN; b++)
                sum[b] += (double)out[b][0] * out[b][0] +
                          (double)out[b][1] * out[b][1];
        }
        for (int b = 0; b < NBIN; b++)
            top = fmax(top, sum[b]);
        memcpy(P + k * nb, sum + b0, (size_t)nb * sizeof *P);
    }
    return top;
}

struct score {
    double lsd, flux;
    int lag;
    long frames; /* of the output, checked against round(N / tempo) */
};

static double pearson(const double *a, const double *b, long n)
{
    double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
    for (long i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    for (long i = 0; i < n; i++) {
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
        sab += (a[i] - ma) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* forward_metrics(x, y, sr, 0, tempo) of music_eval.py. */
static struct score forward(const struct sig *x, const struct sig *y,
                            double tempo)
{
    const double d = 1.0 / tempo, df = 1.0 / (NFFT * (1.0 / x->sr));
    int b0 = 0, b1 = 0; /* the band 30 Hz .. min(16 kHz, 0.45 sr) */
    for (int b = 0; b < NBIN; b++) {
        if (b * df < 30.0)
            b0 = b + 1;
        if (b * df <= fmin(16000.0, 0.45 * x->sr))
            b1 = b + 1;
    }
    const int nb = b1 - b0;
    const long nfr = y->n / HOP;
    /* Py, Px, Pbest (nfr x nb each), then e (2 nfr); cy, cx (2 nfr). */
    double *mem = malloc((size_t)(nfr * (3 * nb + 2)) * sizeof *mem);
    long *cy = malloc((size_t)(2 * nfr) * sizeof *cy), *cx = cy + nfr;
    double *Py = mem, *Px = mem + nfr * nb, *Pbest = Px + nfr * nb;
    double *e = Pbest + nfr * nb;
    float *in = fftwf_malloc(NFFT * sizeof *in);
    fftwf_complex *out = fftwf_malloc(NBIN * sizeof *out);
    struct score sc = {.lsd = INFINITY, .flux = NAN};
    if (!mem || !cy || !in || !out)
        goto done;
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(NFFT, in, out, FFTW_ESTIMATE);
    for (long k = 0; k < nfr; k++)
        cy[k] = k * HOP;
    stft(y, cy, nfr, b0, nb, Py, in, out, plan);
    double fl_best = 0;
    for (int lag = -10; lag <= 10; lag++) {
        /* The same operations as numpy: round half to even of c/d + lag. */
        for (long k = 0; k < nfr; k++)
            cx[k] = (long)nearbyint((double)cy[k] / d + lag * x->sr / 1000.0);
        const double fl = stft(x, cx, nfr, b0, nb, Px, in, out, plan) * 1e-8;
        double emax = 0, sum = 0;
        long act = 0;
        for (long k = 0; k < nfr; k++) {
            e[k] = 0;
            for (int b = 0; b < nb; b++)
                e[k] += Px[k * nb + b];
            emax = fmax(emax, e[k]);
        }
        for (long k = 0; k < nfr; k++) {
            if (!(e[k] > emax * 1e-6))
                continue;
            double ss = 0;
            for (int b = 0; b < nb; b++) {
                double dl = 10 * log10(Px[k * nb + b] + fl) -
                            10 * log10(Py[k * nb + b] + fl);
                ss += dl * dl;
            }
            sum += sqrt(ss / nb);
            act++;
        }
        if (act > 0 && sum / act < sc.lsd) {
            sc.lsd = sum / act;
            sc.lag = lag;
            fl_best = fl;
            double *t = Pbest;
            Pbest = Px;
            Px = t;
        }
    }
    /* Onset strength: positive first difference of the dB spectrogram
     * summed over each band, correlated between ideal and output. */
    for (long i = 0; i < nfr * nb; i++) {
        Pbest[i] = 10 * log10(Pbest[i] + fl_best);
        Py[i] = 10 * log10(Py[i] + fl_best);
    }
    static const double band[3][2] = {{120, 500}, {500, 2000}, {2000, 8000}};
    double *fx = e, *fy = e + nfr, acc = 0;
    int nband = 0;
    for (int q = 0; q < 3 && nfr > 1; q++) {
        for (long k = 0; k + 1 < nfr; k++) {
            fx[k] = fy[k] = 0;
            for (int b = 0; b < nb; b++) {
                double f = (b0 + b) * df;
                long i = k * nb + b;
                if (f >= band[q][0] && f < band[q][1]) {
                    fx[k] += fmax(Pbest[i + nb] - Pbest[i], 0);
                    fy[k] += fmax(Py[i + nb] - Py[i], 0);
                }
            }
        }
        double r = pearson(fx, fy, nfr - 1);
        if (!isnan(r)) {
            acc += r;
            nband++;
        }
    }
    sc.flux = nband > 0 ? acc / nband : NAN;
    fftwf_destroy_plan(plan);
done:
    free(mem);
    free(cy);
    fftwf_free(in);
    fftwf_free(out);
    return sc;
}

/* Prints one assertion; returns 1 if it fails (NaN fails). */
static int check(int r, int t, const char *flag, const char *what, double v,
                 int upper, double limit, const char *why)
{
    const int ok = upper ? v <= limit : v >= limit;
    printf("%s %s -T %s %s: %s %.4f (want %s %.4f: %s)\n", ok ? "ok  " : "FAIL",
           rec_name[r], tempo_arg[t], flag, what, v, upper ? "<=" : ">=", limit,
           why);
    return !ok;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *fine_flag = "--fine";
    if (argc == 4 && strcmp(argv[1], "--fine-flag") == 0) {
        fine_flag = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc != 2) {
        fputs("usage: music_regress [--fine-flag FLAG] TEMPITCH\n", stderr);
        return 2;
    }
    for (int r = 0; r < NREC; r++) {
        if (access(rec_path[r], R_OK) != 0) {
            printf("SKIP: %s: %s (apt-get install lmms-common)\n", rec_path[r],
                   strerror(errno));
            return 77;
        }
    }
    const char *tmp = getenv("TMPDIR");
    char dir[4096], in[4200], out[4200];
    snprintf(dir, sizeof dir, "%s/music_regress.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("music_regress: mkdtemp");
        return 1;
    }
    const double t0 = now();
    /* [rec][tempo][mode]: mode 0 default, 1 fine_flag */
    struct score sc[NREC][NTEMPO][2];
    const char *mode[2] = {"default", fine_flag};
    int failed = 0, setup = 0;
    for (int r = 0; r < NREC && !setup; r++) {
        struct sig x = {0}, y = {0};
        snprintf(in, sizeof in, "%s/%s.wav", dir, rec_name[r]);
        /* The engine and the metric both see the 16-bit samples. */
        if (read_all(rec_path[r], &x) != 0 || write_pcm16(in, &x) != 0 ||
            (free(x.x), read_all(in, &x)) != 0) {
            printf("FAIL %s: cannot make the input\n", in);
            setup = 1;
        }
        for (int t = 0; t < NTEMPO && !setup; t++) {
            for (int m = 0; m < 2 && !setup; m++) {
                const char *flag = m ? fine_flag : NULL;
                snprintf(out, sizeof out, "%s/%s.T%s.%d.wav", dir, rec_name[r],
                         tempo_arg[t], m);
                int rc = run_tempitch(argv[1], flag, tempo_arg[t], in, out);
                if (rc != 0 || read_all(out, &y) != 0 || y.sr != x.sr ||
                    y.ch != x.ch) {
                    printf("FAIL %s -T %s %s: %s\n", rec_name[r], tempo_arg[t],
                           mode[m],
                           rc < 0 ? "cannot run tempitch"
                                  : "tempitch failed, or no usable output");
                    free(y.x);
                    unlink(out);
                    setup = 1;
                    break;
                }
                const double tempo = strtod(tempo_arg[t], NULL);
                /* tp_output_length(): round(N / tempo), halves up. */
                const long want = (long)floor((double)x.n / tempo + 0.5);
                if (y.n != want) {
                    printf("FAIL %s -T %s %s: %ld frames (want %ld)\n",
                           rec_name[r], tempo_arg[t], mode[m], y.n, want);
                    failed = 1;
                }
                sc[r][t][m] = forward(&x, &y, tempo);
                sc[r][t][m].frames = y.n;
                free(y.x);
                y.x = NULL;
                unlink(out);
            }
        }
        free(x.x);
        unlink(in);
    }
    rmdir(dir);
    if (setup)
        return 1;

    printf("%-8s %-5s %-8s %8s %5s %8s %8s\n", "input", "tempo", "mode",
           "LSD dB", "lag ms", "onset r", "frames");
    for (int r = 0; r < NREC; r++)
        for (int t = 0; t < NTEMPO; t++)
            for (int m = 0; m < 2; m++)
                printf("%-8s %-5s %-8s %8.3f %+6d %8.4f %8ld\n", rec_name[r],
                       tempo_arg[t], mode[m], sc[r][t][m].lsd, sc[r][t][m].lag,
                       sc[r][t][m].flux, sc[r][t][m].frames);
    printf("(8 runs and their analysis: %.1f s)\n", now() - t0);

    for (int r = 0; r < NREC; r++)
        for (int t = 0; t < NTEMPO; t++)
            for (int m = 0; m < 2; m++) {
                const double *ms = measured[r][t][m];
                const struct score *got = &sc[r][t][m];
                failed |= check(r, t, mode[m], "LSD dB", got->lsd, 1,
                                ms[0] + LSD_MARGIN, "measured + margin");
                failed |= check(r, t, mode[m], "onset r", got->flux, 0,
                                ms[1] - FLUX_MARGIN, "measured - margin");
            }
    puts(failed ? "music_regress: FAILED" : "music_regress: ok");
    return failed;
}
