/*
 * benchtable.c -- the report of a --bench run; see benchtable.h.
 */
#include "benchtable.h"
#include "json.h"

#include <tempitch/pool.h>

#include <math.h>
#include <stdio.h>

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

static void print_header(FILE *out, const struct bench *b)
{
    const struct bench_options *o = b->o;
    const char *title = b->title != NULL ? b->title : "tempitch --bench";
    char cw[32], st[32];
    if (o->nfiles == 0)
        fprintf(out, "%s: %zu job%s x %s s %s noise @ %d Hz", title, b->ntasks,
                b->ntasks == 1 ? "" : "s",
                seconds_text(o->seconds, st, sizeof st),
                channels_word(o->channels, cw, sizeof cw), o->rate);
    else
        fprintf(out, "%s: %zu file%s (%.1f s of audio)", title, b->ntasks,
                b->ntasks == 1 ? "" : "s", b->audio_seconds);
    fprintf(out,
            ", %+g st, tempo %g%s, %d rep%s, %d thread%s (%d CPU%s online)\n",
            o->settings.semitones, o->settings.tempo,
            quality_suffix(o->settings.quality), o->reps,
            o->reps == 1 ? "" : "s", o->threads, o->threads == 1 ? "" : "s",
            tp_pool_cpu_count(), tp_pool_cpu_count() == 1 ? "" : "s");
}

void bench_print_table(FILE *out, const struct bench *b,
                       const struct bench_summary *s)
{
    print_header(out, b);
    fprintf(out, "mode        threads   total (s)   per job (ms)   x realtime"
                 "   speedup   efficiency\n");
    for (int m = 0; m < MODES; m++) {
        double wall = s->median[m];
        double xrt = per_second(b->audio_seconds, wall);
        double speedup = m == MODE_SERIAL ? 1.0 : s->speedup;
        double eff = m == MODE_SERIAL ? 1.0 : s->efficiency;
        fprintf(out, "%-12s%7d%12.3f%15.1f%13.*f%9.2fx%12.0f%%\n",
                bench_mode_name[m], b->workers[m], wall,
                1e3 * wall / (double)b->ntasks, xrt < 100.0 ? 1 : 0, xrt,
                speedup, 100.0 * eff);
    }
    if (s->differing == 0) {
        fprintf(out,
                "outputs: all %zu parallel output%s bit-identical to serial\n",
                b->ntasks, b->ntasks == 1 ? "" : "s");
        return;
    }
    fprintf(out, "outputs: %zu of %zu parallel outputs DIFFER from serial (%s",
            s->differing, b->ntasks, b->o->nfiles > 0 ? "" : "jobs ");
    size_t k = 0;
    for (size_t j = 0; j < b->ntasks; j++) {
        if (!b->differ[j])
            continue;
        if (b->tasks[j].name != NULL)
            fprintf(out, "%s%s", k++ ? ", " : "", b->tasks[j].name);
        else
            fprintf(out, "%s%zu", k++ ? ", " : "", j + 1);
    }
    fprintf(out, ")\n");
}

/* One object on one line of `out` (runs append well to a JSONL file):
 *   {"settings": {"input": "noise"|"files", "jobs", ["seconds", "channels",
 *                 "rate",] "audio_seconds", "semitones", "tempo",
 *                 "quality": "fast"|"balanced"|"fine", "threads",
 *                 "reps", "cpus"[, "files": [{"path", "frames", "channels",
 *                 "rate"}...]]},
 *    "serial"|"parallel": {"threads", "median_s", "per_job_ms",
 *                          "x_realtime", "times_s": [one per rep]},
 *    "speedup", "efficiency", "identical": bool,
 *    "differing_jobs": [1-based job numbers]} */
void bench_print_json(FILE *out, const struct bench *b,
                      const struct bench_summary *s)
{
    const struct bench_options *o = b->o;
    fprintf(out, "{\"settings\": {\"input\": \"%s\", \"jobs\": %zu, ",
            o->nfiles == 0 ? "noise" : "files", b->ntasks);
    if (o->nfiles == 0)
        fprintf(out, "\"seconds\": %.15g, \"channels\": %d, \"rate\": %d, ",
                o->seconds, o->channels, o->rate);
    fprintf(out,
            "\"audio_seconds\": %.15g, \"semitones\": %.15g, "
            "\"tempo\": %.15g, \"quality\": \"%s\", \"threads\": %d, "
            "\"reps\": %d, \"cpus\": %d",
            b->audio_seconds, o->settings.semitones, o->settings.tempo,
            settings_quality_name(o->settings.quality), o->threads, o->reps,
            tp_pool_cpu_count());
    if (o->nfiles > 0) {
        fprintf(out, ", \"files\": [");
        for (size_t j = 0; j < b->ntasks; j++) {
            const struct bench_task *tk = &b->tasks[j];
            fprintf(out, "%s{\"path\": ", j ? ", " : "");
            json_string(out, tk->name);
            fprintf(out, ", \"frames\": %zu, \"channels\": %d, \"rate\": %d}",
                    tk->frames, tk->channels, tk->rate);
        }
        fputc(']', out);
    }
    fprintf(out, "}, ");
    for (int m = 0; m < MODES; m++) {
        double wall = s->median[m];
        fprintf(out,
                "\"%s\": {\"threads\": %d, \"median_s\": %.9f, "
                "\"per_job_ms\": %.6f, \"x_realtime\": %.3f, \"times_s\": [",
                bench_mode_name[m], b->workers[m], wall,
                1e3 * wall / (double)b->ntasks,
                per_second(b->audio_seconds, wall));
        for (int r = 0; r < o->reps; r++)
            fprintf(out, "%s%.9f", r ? ", " : "", b->times[m][r]);
        fprintf(out, "]}, ");
    }
    fprintf(out,
            "\"speedup\": %.6f, \"efficiency\": %.6f, \"identical\": %s, "
            "\"differing_jobs\": [",
            s->speedup, s->efficiency, s->differing == 0 ? "true" : "false");
    size_t k = 0;
    for (size_t j = 0; j < b->ntasks; j++)
        if (b->differ[j])
            fprintf(out, "%s%zu", k++ ? ", " : "",
                    j + 1); /* 1-based, as shown */
    fprintf(out, "]}\n");
}
