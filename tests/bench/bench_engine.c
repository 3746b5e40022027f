/*
 * bench_engine.c -- times the stretch engine alone on the reference job
 * (the one job of `tempitch --bench`): 4.0 s of stereo white noise at
 * 44.1 kHz (fixed seed), +3 semitones, tempo 1.25, one thread.
 *
 * The instance is created (FFTW planning included) outside the timed
 * region; each timed run is one tp_stretch_run() call, which includes the
 * reset.  One untimed warm-up run comes first.  Reported: min / median /
 * max wall time (CLOCK_MONOTONIC), the median as a multiple of real time
 * and as milliseconds per second of input audio (compare 4 s with 60 s to
 * see that the cost is linear), peak RSS (getrusage), and whether every
 * run gave bit-identical output.
 *
 *   bench_engine [-n RUNS] [--seconds S] [--pitch ST] [--tempo T]
 *                [--formant] [--formant-semitones N]
 *                [--channels C] [--rate HZ] [--seed N] [--warmup W]
 *                [--linearity S1,S2,...] [--csv] [--fast | --fine]
 *                [--modes]
 *
 * --modes times the three quality modes in one process, alternating run
 * by run (fast, balanced, fine, then the next round starts with the next
 * mode), so that a change in machine load hits all of them alike; it
 * prints each mode's min / median / max and the ratios of the medians.
 *
 * Exit status: 0 ok, 1 engine error, 2 usage error.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "signals.h"
#include "tempitch/stretch.h"

#define MAX_DURATIONS 16

typedef struct opts {
    int runs, warmup, channels, csv, formant;
    double formant_st;
    int quality;
    int modes;
    double seconds, pitch, tempo, rate;
    uint64_t seed;
    double durations[MAX_DURATIONS];
    int n_durations;
} opts;

static void usage(FILE *f)
{
    fprintf(
        f, "usage: bench_engine [options]\n"
           "Times tp_stretch_run() on white noise (engine only, one thread).\n"
           "  -n, --runs N         timed runs (default 15)\n"
           "      --warmup N       untimed runs first (default 1)\n"
           "      --seconds S      input duration in seconds (default 4)\n"
           "      --pitch ST       pitch shift in semitones (default 3)\n"
           "      --formant        preserve formants (tp_stretch_set_formant)\n"
           "      --formant-semitones N  formant shift (implies --formant)\n"
           "      --tempo T        speed factor, 1.25 = 25%% faster (default "
           "1.25)\n"
           "      --channels C     channels (default 2)\n"
           "      --rate HZ        sample rate (default 44100)\n"
           "      --seed N         noise seed (default 1)\n"
           "      --linearity LIST comma-separated durations, e.g. 4,60: one\n"
           "                       line each, compare the ms per audio second\n"
           "      --csv            machine-readable output\n"
           "      --fast, --fine   quality mode (default balanced; the last\n"
           "                       one given wins)\n"
           "      --modes          all three modes, alternating run by run\n"
           "  -h, --help           this text\n");
}

static int parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return s[0] != '\0' && *end == '\0' && errno == 0 && isfinite(*v);
}

static int parse_int(const char *s, int *v)
{
    char *end;
    errno = 0;
    long l = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || l < 0 || l > 1000000)
        return 0;
    *v = (int)l;
    return 1;
}

static int parse_list(const char *s, opts *o)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return 0;
    strcpy(buf, s);
    o->n_durations = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        double v;
        if (o->n_durations == MAX_DURATIONS || !parse_double(tok, &v) ||
            !(v > 0))
            return 0;
        o->durations[o->n_durations++] = v;
    }
    return o->n_durations > 0;
}

/* Returns 0 ok, 1 help shown, 2 usage error. */
static int parse_args(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--csv")) {
            o->csv = 1;
            continue;
        }
        if (!strcmp(a, "--formant")) {
            o->formant = 1;
            continue;
        }
        if (!strcmp(a, "--modes")) {
            o->modes = 1;
            continue;
        }
        if (!strcmp(a, "--fast") || !strcmp(a, "--fine")) {
            o->quality = a[3] == 'a' ? TP_QUALITY_FAST : TP_QUALITY_FINE;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr,
                    "bench_engine: %s: unknown option or missing value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        int ok;
        uint64_t seed;
        if (!strcmp(a, "-n") || !strcmp(a, "--runs"))
            ok = parse_int(v, &o->runs) && o->runs >= 1;
        else if (!strcmp(a, "--warmup"))
            ok = parse_int(v, &o->warmup);
        else if (!strcmp(a, "--seconds"))
            ok = parse_double(v, &o->seconds) && o->seconds > 0;
        else if (!strcmp(a, "--pitch"))
            ok = parse_double(v, &o->pitch);
        else if (!strcmp(a, "--tempo"))
            ok = parse_double(v, &o->tempo);
        else if (!strcmp(a, "--formant-semitones"))
            ok = parse_double(v, &o->formant_st) && (o->formant = 1);
        else if (!strcmp(a, "--channels"))
            ok = parse_int(v, &o->channels);
        else if (!strcmp(a, "--rate"))
            ok = parse_double(v, &o->rate);
        else if (!strcmp(a, "--seed"))
            ok = sscanf(v, "%" SCNu64, &seed) == 1 && (o->seed = seed, 1);
        else if (!strcmp(a, "--linearity"))
            ok = parse_list(v, o);
        else {
            fprintf(stderr, "bench_engine: %s: unknown option\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "bench_engine: %s: bad value '%s'\n", a, v);
            return 2;
        }
    }
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t fnv1a(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* Times one duration on instance s.  Returns 0 or 1 (engine error). */
static int bench_one(tp_stretch *s, const opts *o, double seconds,
                     int header_done)
{
    size_t ch = (size_t)o->channels;
    size_t n = (size_t)floor(seconds * o->rate + 0.5);
    size_t m = tp_output_length(n, o->tempo);
    float *in = sig_alloc(n, o->channels), *out = sig_alloc(m, o->channels);
    double *ms = calloc((size_t)o->runs, sizeof *ms);
    if (!in || !out || !ms) {
        fprintf(stderr, "bench_engine: out of memory for %.1f s\n", seconds);
        free(in);
        free(out);
        free(ms);
        return 1;
    }
    sig_rng r;
    sig_rng_seed(&r, o->seed, 0);
    sig_noise(in, n * ch, 1, 0.5, &r);

    int rc = TP_OK, same = 1;
    uint64_t h0 = 0;
    for (int i = 0; i < o->warmup && rc == TP_OK; i++)
        rc = tp_stretch_run(s, in, n, out);
    for (int i = 0; i < o->runs && rc == TP_OK; i++) {
        double t0 = now_ms();
        rc = tp_stretch_run(s, in, n, out);
        ms[i] = now_ms() - t0;
        uint64_t h = fnv1a(out, m * ch * sizeof(float));
        if (i == 0)
            h0 = h;
        else if (h != h0)
            same = 0;
    }
    if (rc != TP_OK) {
        fprintf(stderr, "bench_engine: tp_stretch_run: %s\n", tp_strerror(rc));
        free(in);
        free(out);
        free(ms);
        return 1;
    }
    qsort(ms, (size_t)o->runs, sizeof *ms, cmp_double);
    double med = o->runs % 2 ? ms[o->runs / 2]
                             : 0.5 * (ms[o->runs / 2 - 1] + ms[o->runs / 2]);
    double xrt = seconds / (med / 1e3);
    double per_s = med / seconds;
    double buf_mib = (double)(n + m) * (double)ch * sizeof(float) / 1048576.0;
    long rss = peak_rss_kib();
    if (o->csv) {
        if (!header_done)
            printf("seconds,channels,rate,pitch,tempo,runs,min_ms,median_ms,"
                   "max_ms,x_realtime,ms_per_audio_s,peak_rss_kib,buffers_mib,"
                   "deterministic,output_fnv1a\n");
        printf("%.3f,%d,%.0f,%.3f,%.4f,%d,%.3f,%.3f,%.3f,%.2f,%.4f,%ld,%.2f,%d,"
               "%016llx\n",
               seconds, o->channels, o->rate, o->pitch, o->tempo, o->runs,
               ms[0], med, ms[o->runs - 1], xrt, per_s, rss, buf_mib, same,
               (unsigned long long)h0);
    } else {
        printf("%7.2f s: min %9.3f ms  median %9.3f ms  max %9.3f ms  "
               "%8.1fx realtime  %7.3f ms per audio second\n",
               seconds, ms[0], med, ms[o->runs - 1], xrt, per_s);
        printf("           output %zu frames, fnv1a %016llx, %s; "
               "peak RSS %ld KiB (I/O buffers %.1f MiB)\n",
               m, (unsigned long long)h0,
               same ? "identical in every run" : "DIFFERS BETWEEN RUNS", rss,
               buf_mib);
    }
    free(in);
    free(out);
    free(ms);
    return same ? 0 : 1;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* --modes: the three quality modes alternating in one process.  Returns
 * 0, or 1 on an engine error or a mode whose output changed between
 * runs. */
static int bench_modes(const opts *o)
{
    static const enum tp_quality mode[3] = {
        TP_QUALITY_FAST, TP_QUALITY_BALANCED, TP_QUALITY_FINE};
    static const char *const name[3] = {"fast", "balanced", "fine"};
    size_t ch = (size_t)o->channels;
    size_t n = (size_t)floor(o->seconds * o->rate + 0.5);
    size_t m = tp_output_length(n, o->tempo);
    float *in = sig_alloc(n, o->channels), *out = sig_alloc(m, o->channels);
    double *ms = calloc(3 * (size_t)o->runs, sizeof *ms);
    tp_stretch *s[3] = {NULL, NULL, NULL};
    int rc = in && out && ms ? TP_OK : TP_ERR_NOMEM;
    for (int q = 0; q < 3 && rc == TP_OK; q++) {
        rc = tp_stretch_create(&s[q], o->channels, o->rate);
        if (rc == TP_OK)
            rc = tp_stretch_set_semitones(s[q], o->pitch);
        if (rc == TP_OK)
            rc = tp_stretch_set_tempo(s[q], o->tempo);
        if (rc == TP_OK)
            rc = tp_stretch_set_quality(s[q], mode[q]);
    }
    uint64_t h0[3] = {0, 0, 0};
    int same[3] = {1, 1, 1};
    if (rc == TP_OK) {
        sig_rng r;
        sig_rng_seed(&r, o->seed, 0);
        sig_noise(in, n * ch, 1, 0.5, &r);
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < o->warmup && rc == TP_OK; i++)
                rc = tp_stretch_run(s[q], in, n, out);
    }
    for (int i = 0; i < o->runs && rc == TP_OK; i++)
        for (int k = 0; k < 3 && rc == TP_OK; k++) {
            int q = (i + k) % 3;
            double t0 = now_ms();
            rc = tp_stretch_run(s[q], in, n, out);
            ms[q * o->runs + i] = now_ms() - t0;
            uint64_t h = fnv1a(out, m * ch * sizeof(float));
            if (i == 0)
                h0[q] = h;
            else if (h != h0[q])
                same[q] = 0;
        }
    for (int q = 0; q < 3; q++)
        tp_stretch_destroy(s[q]);
    if (rc != TP_OK) {
        fprintf(stderr, "bench_engine: %s\n", tp_strerror(rc));
        free(in);
        free(out);
        free(ms);
        return 1;
    }
    double med[3];
    printf("bench_engine: tempitch %s, %d ch white noise @ %.0f Hz, %.2f s, "
           "%+.2f st, tempo %g, 1 thread, %d rounds of the three modes "
           "after %d warm-up each\n",
           tp_version(), o->channels, o->rate, o->seconds, o->pitch, o->tempo,
           o->runs, o->warmup);
    for (int q = 0; q < 3; q++) {
        double *v = ms + q * o->runs;
        med[q] = median_of(v, o->runs);
        printf("%-9s min %9.3f ms  median %9.3f ms  max %9.3f ms  %8.1fx "
               "realtime  %s\n",
               name[q], v[0], med[q], v[o->runs - 1],
               o->seconds / (med[q] / 1e3),
               same[q] ? "identical in every run" : "DIFFERS BETWEEN RUNS");
    }
    printf("balanced / fast %.3f   fine / balanced %.3f\n", med[1] / med[0],
           med[2] / med[1]);
    free(in);
    free(out);
    free(ms);
    return same[0] && same[1] && same[2] ? 0 : 1;
}

int main(int argc, char **argv)
{
    opts o = {.runs = 15,
              .warmup = 1,
              .channels = 2,
              .csv = 0,
              .quality = TP_QUALITY_BALANCED,
              .seconds = 4.0,
              .pitch = 3.0,
              .tempo = 1.25,
              .rate = 44100.0,
              .seed = 1,
              .n_durations = 0};
    int pa = parse_args(argc, argv, &o);
    if (pa == 1)
        return 0;
    if (pa)
        return 2;
    if (o.runs < 10)
        fprintf(stderr,
                "bench_engine: warning: %d runs; quote medians of at "
                "least 10\n",
                o.runs);
    if (o.modes)
        return bench_modes(&o);
    if (o.n_durations == 0) {
        o.durations[0] = o.seconds;
        o.n_durations = 1;
    }

    long rss0 = peak_rss_kib();
    tp_stretch *s = NULL;
    int rc = tp_stretch_create(&s, o.channels, o.rate);
    if (rc == TP_OK)
        rc = tp_stretch_set_semitones(s, o.pitch);
    if (rc == TP_OK)
        rc = tp_stretch_set_tempo(s, o.tempo);
    if (rc == TP_OK)
        rc = tp_stretch_set_formant(s, o.formant, o.formant_st);
    if (rc == TP_OK)
        rc = tp_stretch_set_quality(s, (enum tp_quality)o.quality);
    if (rc != TP_OK) {
        fprintf(stderr, "bench_engine: %s\n", tp_strerror(rc));
        tp_stretch_destroy(s);
        return rc == TP_ERR_NOMEM || rc == TP_ERR_FFT ? 1 : 2;
    }
    long rss1 = peak_rss_kib();
    if (!o.csv) {
        /* Indexed by enum tp_quality. */
        static const char *const names[] = {"balanced", "fast", "fine"};
        printf("bench_engine: tempitch %s, %d ch white noise @ %.0f Hz, "
               "%+.2f st, tempo %g%s, %s, 1 thread, %d timed runs after %d "
               "warm-up\n",
               tp_version(), o.channels, o.rate, o.pitch, o.tempo,
               o.formant ? ", formants kept" : "", names[o.quality], o.runs,
               o.warmup);
        printf("           peak RSS %ld KiB before create, %ld KiB after "
               "create\n",
               rss0, rss1);
    }
    int status = 0;
    for (int i = 0; i < o.n_durations; i++)
        status |= bench_one(s, &o, o.durations[i], i > 0);
    tp_stretch_destroy(s);
    return status;
}
