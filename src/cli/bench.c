/*
 * bench.c -- `tempitch --bench`: serial versus parallel speedup of the
 * batch runner on independent jobs.
 *
 * How the measurement is made fair, and why:
 *   - Everything that is not the work itself happens before the clock
 *     starts: inputs are generated (or decoded) into memory, every output
 *     buffer is allocated, both pools are started, and every worker gets
 *     its stretchers -- one per (worker, distinct channels x rate) pair, so
 *     a job never creates an engine (FFTW planning) inside a timed run.
 *   - One untimed warm-up run of each mode faults in the output pages and
 *     warms caches, so the first timed repetition is not penalised.
 *   - Serial means a 1-thread pool running the N jobs in a row, parallel
 *     the same N jobs on a `threads`-thread pool: the only difference
 *     between the two timed regions is the number of workers.
 *   - Repetitions alternate serial / parallel so that machine noise (these
 *     are shared machines) hits both modes alike; medians are reported.
 *   - Each parallel output is compared with memcmp to its serial
 *     counterpart after every parallel repetition: the engine promises
 *     bit-identical output in any thread, so one differing bit fails.
 *
 * Generated jobs are white noise from a private PRNG (splitmix64; rand()
 * differs between C libraries), seeded with job index + 1.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench.h"
#include "clock.h"
#include "convert.h"
#include "json.h"
#include "message.h"
#include "sfio.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MODE_SERIAL, MODE_PARALLEL, MODES };

static const char *const mode_name[MODES] = {"serial", "parallel"};

struct bench_job {
    const char *name; /* file path, or NULL for generated noise */
    float *in;
    size_t frames; /* input frames */
    int channels;
    int rate;
    size_t fmt; /* index into bench.fmts */
    size_t out_frames;
    float *out[MODES];
};

struct bench_format {
    int channels;
    int rate;
};

struct bench {
    const struct bench_options *o;
    struct bench_job *jobs;
    size_t njobs;
    struct bench_format *fmts;
    size_t nfmts;
    double audio_seconds; /* sum of the input durations */
    tp_pool *pool[MODES];
    int workers[MODES];
    tp_stretch **eng[MODES]; /* [worker * nfmts + fmt] */
    int *status;             /* per job, of the current run */
    int mode;                /* of the current run */
    double *times[MODES];    /* wall seconds of each timed repetition */
    unsigned char *differ;   /* per job: parallel output differed */
    int progress;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform white noise in [-0.5, 0.5): 24 random bits, exact in a float. */
static void fill_noise(float *x, size_t n, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(splitmix64(&state) >> 40) * 0x1p-24f - 0.5f;
}

/* a * b, or 0 when it overflows size_t (callers treat 0 as too large). */
static size_t mul_size(size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    return a * b;
}

/* malloc for `frames` x `channels` floats, never of size 0. */
static float *alloc_frames(size_t frames, int channels)
{
    size_t n = mul_size(frames, (size_t)channels);
    if (n == 0 && frames != 0)
        return NULL;
    if (n > SIZE_MAX / sizeof(float))
        return NULL;
    return malloc(n > 0 ? n * sizeof(float) : sizeof(float));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double *s = malloc((size_t)n * sizeof *s);
    if (s == NULL)
        return v[0]; /* a tiny allocation; any sample beats crashing */
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

static const char *channels_word(int channels, char *buf, size_t size)
{
    if (channels == 1)
        return "mono";
    if (channels == 2)
        return "stereo";
    snprintf(buf, size, "%d-channel", channels);
    return buf;
}

/* "4.0", "0.5", "0.25": at least one decimal, no trailing noise. */
static const char *seconds_text(double s, char *buf, size_t size)
{
    if (fabs(s * 10.0 - nearbyint(s * 10.0)) < 1e-9)
        snprintf(buf, size, "%.1f", s);
    else
        snprintf(buf, size, "%g", s);
    return buf;
}

/* ---- validation --------------------------------------------------------- */

static int bad_option(const char *what)
{
    message("tempitch: --bench: %s\n", what);
    return 2;
}

/* The ranges are options.c's, checked when --bench and its options were
 * parsed (bench.h): only what a caller could still get wrong is left. */
static int validate(const struct bench_options *o)
{
    if (o->nfiles > 0 && o->files == NULL)
        return bad_option("file list missing");
    return 0;
}

/* ---- inputs (untimed) --------------------------------------------------- */

static int out_of_memory(void)
{
    message("tempitch: --bench: out of memory\n");
    return 1;
}

static int make_noise_jobs(struct bench *b)
{
    const struct bench_options *o = b->o;
    double frames_d = nearbyint(o->seconds * o->rate);
    size_t frames = (size_t)frames_d;
    for (size_t j = 0; j < b->njobs; j++) {
        struct bench_job *jb = &b->jobs[j];
        jb->frames = frames;
        jb->channels = o->channels;
        jb->rate = o->rate;
        jb->in = alloc_frames(frames, o->channels);
        if (jb->in == NULL)
            return out_of_memory();
        fill_noise(jb->in, frames * (size_t)o->channels, (uint64_t)j + 1);
        b->audio_seconds += (double)frames / o->rate;
    }
    return 0;
}

/* Decodes one whole file to float.  Growing reads, so files whose length
 * libsndfile does not know in advance work too.  Opened as a batch opens
 * its inputs (sfio.h: the system's reasons, truncated files refused). */
static int decode_file(struct bench_job *jb)
{
    SF_INFO info = {0};
    char reason[CONVERT_REASON_MAX];
    SNDFILE *f = sfio_open_read(jb->name, &info, reason, sizeof reason);
    if (f == NULL) {
        message("tempitch: %s: %s\n", jb->name, reason);
        return 1;
    }
    if (info.channels < 1 || info.channels > TP_CHANNELS_MAX ||
        info.samplerate < TP_RATE_MIN || info.samplerate > TP_RATE_MAX) {
        message("tempitch: %s: unsupported format (%d channels at %d Hz)\n",
                jb->name, info.channels, info.samplerate);
        sf_close(f);
        return 1;
    }
    const size_t ch = (size_t)info.channels;
    size_t cap = info.frames > 0 && info.frames < ((sf_count_t)1 << 28)
                     ? (size_t)info.frames + 1
                     : 65536;
    size_t len = 0;
    float *buf = alloc_frames(cap, info.channels);
    while (buf != NULL) {
        sf_count_t want = (sf_count_t)(cap - len);
        sf_count_t got = sf_readf_float(f, buf + len * ch, want);
        if (got < 0 || (got < want && sf_error(f) != SF_ERR_NO_ERROR)) {
            sfio_reason(f, reason, sizeof reason);
            message("tempitch: %s: read error: %s\n", jb->name, reason);
            free(buf);
            sf_close(f);
            return 1;
        }
        len += (size_t)got;
        if (got < want)
            break;
        size_t bytes = mul_size(mul_size(cap, 2), ch * sizeof *buf);
        float *bigger = bytes != 0 ? realloc(buf, bytes) : NULL;
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    sf_close(f);
    if (buf == NULL)
        return out_of_memory();
    /* As in a batch (convert.h): the engine never sees NaN, infinities or
     * absurd magnitudes. */
    size_t invalid = convert_clean_input(buf, len * ch);
    if (invalid > 0)
        message("tempitch: %s: %zu invalid sample%s (NaN, infinity or "
                "magnitude above 1e12) replaced by 0\n",
                jb->name, invalid, invalid == 1 ? "" : "s");
    jb->in = buf;
    jb->frames = len;
    jb->channels = info.channels;
    jb->rate = info.samplerate;
    return 0;
}

static int prepare_jobs(struct bench *b)
{
    const struct bench_options *o = b->o;
    b->njobs = o->nfiles > 0 ? o->nfiles : o->jobs;
    b->jobs = calloc(b->njobs, sizeof *b->jobs);
    b->fmts = calloc(b->njobs, sizeof *b->fmts);
    b->status = calloc(b->njobs, sizeof *b->status);
    b->differ = calloc(b->njobs, sizeof *b->differ);
    if (!b->jobs || !b->fmts || !b->status || !b->differ)
        return out_of_memory();

    if (o->nfiles == 0) {
        if (make_noise_jobs(b) != 0)
            return 1;
    } else {
        /* Every unreadable file is named, not just the first. */
        int failed = 0;
        for (size_t j = 0; j < b->njobs; j++) {
            b->jobs[j].name = o->files[j];
            failed |= decode_file(&b->jobs[j]);
            if (b->jobs[j].rate > 0)
                b->audio_seconds += (double)b->jobs[j].frames / b->jobs[j].rate;
        }
        if (failed)
            return 1;
    }

    for (size_t j = 0; j < b->njobs; j++) {
        struct bench_job *jb = &b->jobs[j];
        size_t f = 0;
        while (f < b->nfmts && (b->fmts[f].channels != jb->channels ||
                                b->fmts[f].rate != jb->rate))
            f++;
        if (f == b->nfmts)
            b->fmts[b->nfmts++] = (struct bench_format){jb->channels, jb->rate};
        jb->fmt = f;
        jb->out_frames = tp_output_length(jb->frames, o->settings.tempo);
        for (int m = 0; m < MODES; m++) {
            jb->out[m] = alloc_frames(jb->out_frames, jb->channels);
            if (jb->out[m] == NULL)
                return out_of_memory();
        }
    }
    return 0;
}

/* ---- pools and engines (untimed) ---------------------------------------- */

static int make_engine(struct bench *b, size_t fmt, tp_stretch **out)
{
    const struct bench_format *f = &b->fmts[fmt];
    int rc = tp_stretch_create(out, f->channels, (double)f->rate);
    if (rc == TP_OK)
        rc = settings_apply(&b->o->settings, *out);
    if (rc == TP_OK)
        return 0;
    /* Name a file of this format, so the message points somewhere. */
    const char *who = "--bench";
    for (size_t j = 0; j < b->njobs; j++)
        if (b->jobs[j].fmt == fmt && b->jobs[j].name != NULL) {
            who = b->jobs[j].name;
            break;
        }
    message("tempitch: %s: %s\n", who, tp_strerror(rc));
    return 1;
}

static int prepare_workers(struct bench *b)
{
    b->workers[MODE_SERIAL] = 1;
    b->workers[MODE_PARALLEL] = b->o->threads;
    for (int m = 0; m < MODES; m++) {
        int rc = tp_pool_create(&b->pool[m], b->workers[m]);
        if (rc != 0) {
            message("tempitch: --bench: %s\n", tp_strerror(rc));
            return 1;
        }
        size_t n = mul_size((size_t)b->workers[m], b->nfmts);
        b->eng[m] = calloc(n, sizeof *b->eng[m]);
        if (b->eng[m] == NULL)
            return out_of_memory();
        for (size_t i = 0; i < n; i++)
            if (make_engine(b, i % b->nfmts, &b->eng[m][i]) != 0)
                return 1;
    }
    return 0;
}

static void free_bench(struct bench *b)
{
    for (int m = 0; m < MODES; m++) {
        tp_pool_destroy(b->pool[m]);
        if (b->eng[m] != NULL) {
            size_t n = (size_t)b->workers[m] * b->nfmts;
            for (size_t i = 0; i < n; i++)
                tp_stretch_destroy(b->eng[m][i]);
            free(b->eng[m]);
        }
        free(b->times[m]);
    }
    for (size_t j = 0; b->jobs != NULL && j < b->njobs; j++) {
        free(b->jobs[j].in);
        for (int m = 0; m < MODES; m++)
            free(b->jobs[j].out[m]);
    }
    free(b->jobs);
    free(b->fmts);
    free(b->status);
    free(b->differ);
}

/* ---- the timed runs ----------------------------------------------------- */

static int run_job(void *user, size_t j, int worker)
{
    struct bench *b = user;
    if (j >= b->njobs || worker < 0 || worker >= b->workers[b->mode])
        return TP_POOL_ERR_ARG;
    struct bench_job *jb = &b->jobs[j];
    tp_stretch *s = b->eng[b->mode][(size_t)worker * b->nfmts + jb->fmt];
    /* tp_stretch_run resets the engine first: no allocation, no planning. */
    return tp_stretch_run(s, jb->in, jb->frames, jb->out[b->mode]);
}

static void job_done(void *user, size_t j, int status)
{
    struct bench *b = user;
    b->status[j] = status;
}

/* One run of every job in `mode`; stores the wall time in *seconds.
 * Returns 0, or 1 with a message when a job or the pool failed. */
static int run_mode(struct bench *b, int mode, double *seconds)
{
    b->mode = mode;
    memset(b->status, 0, b->njobs * sizeof *b->status);
    tp_pool_run_args args = {
        .jobs = b->njobs, .job = run_job, .done = job_done, .user = b};
    double t0 = clock_seconds();
    int rc = tp_pool_run(b->pool[mode], &args);
    double t1 = clock_seconds();
    *seconds = t1 - t0;
    if (rc < 0) {
        message("tempitch: --bench: %s\n", tp_strerror(rc));
        return 1;
    }
    int failed = 0;
    for (size_t j = 0; j < b->njobs; j++) {
        if (b->status[j] == 0)
            continue;
        if (b->jobs[j].name != NULL)
            message("tempitch: %s: %s\n", b->jobs[j].name,
                    tp_strerror(b->status[j]));
        else
            message("tempitch: --bench: job %zu: %s\n", j + 1,
                    tp_strerror(b->status[j]));
        failed = 1;
    }
    return failed;
}

/* Flags every job whose parallel output differs from the serial one. */
static void compare_outputs(struct bench *b)
{
    for (size_t j = 0; j < b->njobs; j++) {
        const struct bench_job *jb = &b->jobs[j];
        size_t bytes = jb->out_frames * (size_t)jb->channels * sizeof(float);
        if (memcmp(jb->out[MODE_SERIAL], jb->out[MODE_PARALLEL], bytes) != 0)
            b->differ[j] = 1;
    }
}

static void progress(const struct bench *b, int rep, int mode)
{
    if (!b->progress)
        return;
    if (rep < 0)
        fputs("\r\033[K", message_stream());
    else if (rep == 0)
        fprintf(message_stream(), "\rtempitch --bench: warm-up (%s)\033[K",
                mode_name[mode]);
    else
        fprintf(message_stream(), "\rtempitch --bench: rep %d/%d (%s)\033[K", rep,
                b->o->reps, mode_name[mode]);
    fflush(message_stream());
}

static int measure(struct bench *b)
{
    const int reps = b->o->reps;
    for (int m = 0; m < MODES; m++) {
        b->times[m] = calloc((size_t)reps, sizeof *b->times[m]);
        if (b->times[m] == NULL)
            return out_of_memory();
    }
    double ignored;
    for (int m = 0; m < MODES; m++) {
        progress(b, 0, m);
        if (run_mode(b, m, &ignored) != 0)
            return 1;
    }
    compare_outputs(b);
    for (int r = 0; r < reps; r++) {
        for (int m = 0; m < MODES; m++) {
            progress(b, r + 1, m);
            if (run_mode(b, m, &b->times[m][r]) != 0)
                return 1;
        }
        compare_outputs(b);
    }
    progress(b, -1, 0);
    return 0;
}

/* ---- reports ------------------------------------------------------------ */

struct summary {
    double median[MODES];
    double speedup;
    double efficiency;
    size_t differing;
};

static double per_second(double audio, double wall)
{
    return wall > 0.0 ? audio / wall : 0.0;
}

/* ", fast" / ", fine" after the tempo; nothing for the default mode. */
static const char *quality_suffix(enum tp_quality quality)
{
    return quality == TP_QUALITY_FAST   ? ", fast"
           : quality == TP_QUALITY_FINE ? ", fine"
                                        : "";
}


static void print_header(const struct bench *b)
{
    const struct bench_options *o = b->o;
    char cw[32], st[32];
    if (o->nfiles == 0)
        printf("tempitch --bench: %zu job%s x %s s %s noise @ %d Hz", b->njobs,
               b->njobs == 1 ? "" : "s",
               seconds_text(o->seconds, st, sizeof st),
               channels_word(o->channels, cw, sizeof cw), o->rate);
    else
        printf("tempitch --bench: %zu file%s (%.1f s of audio)", b->njobs,
               b->njobs == 1 ? "" : "s", b->audio_seconds);
    printf(", %+g st, tempo %g%s, %d rep%s, %d thread%s (%d CPU%s online)\n",
           o->settings.semitones, o->settings.tempo,
           quality_suffix(o->settings.quality), o->reps,
           o->reps == 1 ? "" : "s", o->threads, o->threads == 1 ? "" : "s",
           tp_pool_cpu_count(), tp_pool_cpu_count() == 1 ? "" : "s");
}

static void print_table(const struct bench *b, const struct summary *s)
{
    print_header(b);
    printf("mode        threads   total (s)   per job (ms)   x realtime"
           "   speedup   efficiency\n");
    for (int m = 0; m < MODES; m++) {
        double wall = s->median[m];
        double xrt = per_second(b->audio_seconds, wall);
        double speedup = m == MODE_SERIAL ? 1.0 : s->speedup;
        double eff = m == MODE_SERIAL ? 1.0 : s->efficiency;
        printf("%-12s%7d%12.3f%15.1f%13.*f%9.2fx%12.0f%%\n", mode_name[m],
               b->workers[m], wall, 1e3 * wall / (double)b->njobs,
               xrt < 100.0 ? 1 : 0, xrt, speedup, 100.0 * eff);
    }
    if (s->differing == 0) {
        printf("outputs: all %zu parallel output%s bit-identical to serial\n",
               b->njobs, b->njobs == 1 ? "" : "s");
        return;
    }
    printf("outputs: %zu of %zu parallel outputs DIFFER from serial (%s",
           s->differing, b->njobs, b->o->nfiles > 0 ? "" : "jobs ");
    size_t k = 0;
    for (size_t j = 0; j < b->njobs; j++) {
        if (!b->differ[j])
            continue;
        if (b->jobs[j].name != NULL)
            printf("%s%s", k++ ? ", " : "", b->jobs[j].name);
        else
            printf("%s%zu", k++ ? ", " : "", j + 1);
    }
    printf(")\n");
}

/* One object on one line of stdout (runs append well to a JSONL file):
 *   {"settings": {"input": "noise"|"files", "jobs", ["seconds", "channels",
 *                 "rate",] "audio_seconds", "semitones", "tempo",
 *                 "quality": "fast"|"balanced"|"fine", "threads",
 *                 "reps", "cpus"[, "files": [{"path", "frames", "channels",
 *                 "rate"}...]]},
 *    "serial"|"parallel": {"threads", "median_s", "per_job_ms",
 *                          "x_realtime", "times_s": [one per rep]},
 *    "speedup", "efficiency", "identical": bool,
 *    "differing_jobs": [1-based job numbers]} */
static void print_json(const struct bench *b, const struct summary *s)
{
    const struct bench_options *o = b->o;
    printf("{\"settings\": {\"input\": \"%s\", \"jobs\": %zu, ",
           o->nfiles == 0 ? "noise" : "files", b->njobs);
    if (o->nfiles == 0)
        printf("\"seconds\": %.15g, \"channels\": %d, \"rate\": %d, ",
               o->seconds, o->channels, o->rate);
    printf("\"audio_seconds\": %.15g, \"semitones\": %.15g, "
           "\"tempo\": %.15g, \"quality\": \"%s\", \"threads\": %d, "
           "\"reps\": %d, \"cpus\": %d",
           b->audio_seconds, o->settings.semitones, o->settings.tempo,
           settings_quality_name(o->settings.quality),
           o->threads, o->reps, tp_pool_cpu_count());
    if (o->nfiles > 0) {
        printf(", \"files\": [");
        for (size_t j = 0; j < b->njobs; j++) {
            const struct bench_job *jb = &b->jobs[j];
            printf("%s{\"path\": ", j ? ", " : "");
            json_string(stdout, jb->name);
            printf(", \"frames\": %zu, \"channels\": %d, \"rate\": %d}",
                   jb->frames, jb->channels, jb->rate);
        }
        putchar(']');
    }
    printf("}, ");
    for (int m = 0; m < MODES; m++) {
        double wall = s->median[m];
        printf("\"%s\": {\"threads\": %d, \"median_s\": %.9f, "
               "\"per_job_ms\": %.6f, \"x_realtime\": %.3f, \"times_s\": [",
               mode_name[m], b->workers[m], wall, 1e3 * wall / (double)b->njobs,
               per_second(b->audio_seconds, wall));
        for (int r = 0; r < o->reps; r++)
            printf("%s%.9f", r ? ", " : "", b->times[m][r]);
        printf("]}, ");
    }
    printf("\"speedup\": %.6f, \"efficiency\": %.6f, \"identical\": %s, "
           "\"differing_jobs\": [",
           s->speedup, s->efficiency, s->differing == 0 ? "true" : "false");
    size_t k = 0;
    for (size_t j = 0; j < b->njobs; j++)
        if (b->differ[j])
            printf("%s%zu", k++ ? ", " : "", j + 1); /* 1-based, as shown */
    printf("]}\n");
}

/* ---- entry points ------------------------------------------------------- */

void bench_defaults(struct bench_options *o)
{
    *o = (struct bench_options){
        .jobs = 8,
        .seconds = 4.0,
        .channels = 2,
        .rate = 44100,
        .threads = tp_pool_cpu_count(),
        .reps = 5,
    };
    settings_defaults(&o->settings);
    settings_set_pitch(&o->settings, 'p', 3.0);
    settings_set_tempo(&o->settings, 'T', 1.25);
}

int bench_run(const struct bench_options *o)
{
    if (o == NULL)
        return bad_option("no options");
    int status = validate(o);
    if (status != 0)
        return status;

    struct bench b = {.o = o};
    b.progress = !o->quiet && isatty(STDERR_FILENO);
    status = prepare_jobs(&b);
    if (status == 0)
        status = prepare_workers(&b);
    if (status == 0)
        status = measure(&b);
    if (status != 0) {
        progress(&b, -1, 0);
        free_bench(&b);
        return status;
    }

    struct summary s = {0};
    for (int m = 0; m < MODES; m++)
        s.median[m] = median(b.times[m], o->reps);
    s.speedup = s.median[MODE_PARALLEL] > 0.0
                    ? s.median[MODE_SERIAL] / s.median[MODE_PARALLEL]
                    : 0.0;
    s.efficiency = s.speedup / b.workers[MODE_PARALLEL];
    for (size_t j = 0; j < b.njobs; j++)
        s.differing += b.differ[j] != 0;

    if (o->json)
        print_json(&b, &s);
    else
        print_table(&b, &s);
    free_bench(&b);
    if (fflush(stdout) != 0) {
        message("tempitch: stdout: %s\n", strerror(errno));
        return 1;
    }
    return s.differing == 0 ? 0 : 1;
}
