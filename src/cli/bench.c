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
#include "benchtable.h"
#include "clock.h"
#include "convert.h"
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

static int make_noise_tasks(struct bench *b)
{
    const struct bench_options *o = b->o;
    double frames_d = nearbyint(o->seconds * o->rate);
    size_t frames = (size_t)frames_d;
    for (size_t j = 0; j < b->ntasks; j++) {
        struct bench_task *tk = &b->tasks[j];
        tk->frames = frames;
        tk->channels = o->channels;
        tk->rate = o->rate;
        tk->in = alloc_frames(frames, o->channels);
        if (tk->in == NULL)
            return out_of_memory();
        fill_noise(tk->in, frames * (size_t)o->channels, (uint64_t)j + 1);
        b->audio_seconds += (double)frames / o->rate;
    }
    return 0;
}

/* Decodes one whole file to float.  Growing reads, so files whose length
 * libsndfile does not know in advance work too.  Opened as a batch opens
 * its inputs (sfio.h: the system's reasons, truncated files refused). */
static int decode_file(struct bench_task *tk)
{
    SF_INFO info = {0};
    char reason[CONVERT_REASON_MAX];
    SNDFILE *f = sfio_open_read(tk->name, &info, reason, sizeof reason);
    if (f == NULL) {
        message("tempitch: %s: %s\n", tk->name, reason);
        return 1;
    }
    if (info.channels < 1 || info.channels > TP_CHANNELS_MAX ||
        info.samplerate < TP_RATE_MIN || info.samplerate > TP_RATE_MAX) {
        message("tempitch: %s: unsupported format (%d channels at %d Hz)\n",
                tk->name, info.channels, info.samplerate);
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
            message("tempitch: %s: read error: %s\n", tk->name, reason);
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
                tk->name, invalid, invalid == 1 ? "" : "s");
    tk->in = buf;
    tk->frames = len;
    tk->channels = info.channels;
    tk->rate = info.samplerate;
    return 0;
}

static int prepare_tasks(struct bench *b)
{
    const struct bench_options *o = b->o;
    b->ntasks = o->nfiles > 0 ? o->nfiles : o->tasks;
    b->tasks = calloc(b->ntasks, sizeof *b->tasks);
    b->fmts = calloc(b->ntasks, sizeof *b->fmts);
    b->status = calloc(b->ntasks, sizeof *b->status);
    b->differ = calloc(b->ntasks, sizeof *b->differ);
    if (!b->tasks || !b->fmts || !b->status || !b->differ)
        return out_of_memory();

    if (o->nfiles == 0) {
        if (make_noise_tasks(b) != 0)
            return 1;
    } else {
        /* Every unreadable file is named, not just the first. */
        int failed = 0;
        for (size_t j = 0; j < b->ntasks; j++) {
            b->tasks[j].name = o->files[j];
            failed |= decode_file(&b->tasks[j]);
            if (b->tasks[j].rate > 0)
                b->audio_seconds +=
                    (double)b->tasks[j].frames / b->tasks[j].rate;
        }
        if (failed)
            return 1;
    }

    for (size_t j = 0; j < b->ntasks; j++) {
        struct bench_task *tk = &b->tasks[j];
        size_t f = 0;
        while (f < b->nfmts && (b->fmts[f].channels != tk->channels ||
                                b->fmts[f].rate != tk->rate))
            f++;
        if (f == b->nfmts)
            b->fmts[b->nfmts++] = (struct bench_format){tk->channels, tk->rate};
        tk->fmt = f;
        tk->out_frames = tp_output_length(tk->frames, o->settings.tempo);
        for (int m = 0; m < MODES; m++) {
            tk->out[m] = alloc_frames(tk->out_frames, tk->channels);
            if (tk->out[m] == NULL)
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
    for (size_t j = 0; j < b->ntasks; j++)
        if (b->tasks[j].fmt == fmt && b->tasks[j].name != NULL) {
            who = b->tasks[j].name;
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
    for (size_t j = 0; b->tasks != NULL && j < b->ntasks; j++) {
        free(b->tasks[j].in);
        for (int m = 0; m < MODES; m++)
            free(b->tasks[j].out[m]);
    }
    free(b->tasks);
    free(b->fmts);
    free(b->status);
    free(b->differ);
}

/* ---- the timed runs ----------------------------------------------------- */

static int run_job(void *user, size_t j, int worker)
{
    struct bench *b = user;
    if (j >= b->ntasks || worker < 0 || worker >= b->workers[b->mode])
        return TP_POOL_ERR_ARG;
    struct bench_task *tk = &b->tasks[j];
    tp_stretch *s = b->eng[b->mode][(size_t)worker * b->nfmts + tk->fmt];
    /* tp_stretch_run resets the engine first: no allocation, no planning. */
    return tp_stretch_run(s, tk->in, tk->frames, tk->out[b->mode]);
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
    memset(b->status, 0, b->ntasks * sizeof *b->status);
    tp_pool_run_args args = {
        .jobs = b->ntasks, .job = run_job, .done = job_done, .user = b};
    double t0 = clock_seconds();
    int rc = tp_pool_run(b->pool[mode], &args);
    double t1 = clock_seconds();
    *seconds = t1 - t0;
    if (rc < 0) {
        message("tempitch: --bench: %s\n", tp_strerror(rc));
        return 1;
    }
    int failed = 0;
    for (size_t j = 0; j < b->ntasks; j++) {
        if (b->status[j] == 0)
            continue;
        if (b->tasks[j].name != NULL)
            message("tempitch: %s: %s\n", b->tasks[j].name,
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
    for (size_t j = 0; j < b->ntasks; j++) {
        const struct bench_task *tk = &b->tasks[j];
        size_t bytes = tk->out_frames * (size_t)tk->channels * sizeof(float);
        if (memcmp(tk->out[MODE_SERIAL], tk->out[MODE_PARALLEL], bytes) != 0)
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
                bench_mode_name[mode]);
    else
        fprintf(message_stream(), "\rtempitch --bench: rep %d/%d (%s)\033[K",
                rep, b->o->reps, bench_mode_name[mode]);
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

const char *const bench_mode_name[MODES] = {"serial", "parallel"};

/* ---- entry points ------------------------------------------------------- */

void bench_summarize(const struct bench *b, struct bench_summary *s)
{
    *s = (struct bench_summary){0};
    for (int m = 0; m < MODES; m++)
        s->median[m] = median(b->times[m], b->o->reps);
    s->speedup = s->median[MODE_PARALLEL] > 0.0
                     ? s->median[MODE_SERIAL] / s->median[MODE_PARALLEL]
                     : 0.0;
    s->efficiency = s->speedup / b->workers[MODE_PARALLEL];
    for (size_t j = 0; j < b->ntasks; j++)
        s->differing += b->differ[j] != 0;
}

void bench_defaults(struct bench_options *o)
{
    *o = (struct bench_options){
        .tasks = 8,
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
    status = prepare_tasks(&b);
    if (status == 0)
        status = prepare_workers(&b);
    if (status == 0)
        status = measure(&b);
    if (status != 0) {
        progress(&b, -1, 0);
        free_bench(&b);
        return status;
    }

    struct bench_summary s;
    bench_summarize(&b, &s);
    if (o->json)
        bench_print_json(stdout, &b, &s);
    else
        bench_print_table(stdout, &b, &s);
    free_bench(&b);
    if (fflush(stdout) != 0) {
        message("tempitch: stdout: %s\n", strerror(errno));
        return 1;
    }
    return s.differing == 0 ? 0 : 1;
}
