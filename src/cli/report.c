/*
 * report.c -- per-file lines, the timing table and JSON; see report.h.
 */
#include "report.h"
#include "json.h"
#include "message.h"

#include <tempitch/stretch.h>

#include <math.h>
#include <string.h>


/* Widest "input" column; longer names push their own row out instead of
 * widening every row. */
enum { INPUT_COLUMN_MAX = 48 };

/* Below the clock's resolution a file has no meaningful speed. */
#define MIN_SECONDS 1e-6

const char *report_status_name(enum convert_status s)
{
    switch (s) {
    case CONVERT_OK:
        return "ok";
    case CONVERT_EXISTS:
    case CONVERT_OURS:
        return "skipped";
    case CONVERT_UP_TO_DATE:
        return "up-to-date";
    case CONVERT_FAILED:
        break;
    }
    return "failed";
}

/* Input length in seconds: decoded frames once converted (exact), else
 * what the header said, else -1. */
double report_audio_seconds(const struct job *j)
{
    const struct convert_result *r = &j->result;
    if (r->status == CONVERT_OK && r->rate > 0)
        return (double)r->frames_in / r->rate;
    return j->seconds;
}

double report_output_seconds(const struct job *j)
{
    const struct convert_result *r = &j->result;
    if (r->status == CONVERT_OK && r->rate > 0)
        return (double)r->frames_out / r->rate;
    return -1;
}

/* x realtime of a converted file, or -1. */
double report_realtime(const struct job *j)
{
    double a = report_audio_seconds(j);
    if (j->result.status != CONVERT_OK || j->took < 0 || a < 0)
        return -1;
    return a / (j->took > MIN_SECONDS ? j->took : MIN_SECONDS);
}

/* The gain --normalize applied, in dB (0 when none). */
double report_gain_db(const struct convert_result *r)
{
    return r->gain > 0 && r->gain != 1.0 ? 20.0 * log10(r->gain) : 0.0;
}

/* The lowest gain the limiter applied, in dB (0 when none; a floor for a
 * gain of 0, which only a peak near FLT_MAX gives). */
double report_limit_db(const struct convert_result *r)
{
    if (r->limit_gain >= 1.0)
        return 0.0;
    return r->limit_gain > 1e-30 ? 20.0 * log10(r->limit_gain) : -600.0;
}

int report_file_prints(const struct job *j, enum cli_verbosity v)
{
    /* Once a message could not be written (the reader of stderr went
     * away: EPIPE) there is nobody to tell: stop printing, go on with
     * the files (main turns the lost messages into exit status 1). */
    if (ferror(message_stream()))
        return 0;
    /* Up to date is not news: only -v says so. */
    if (j->result.status == CONVERT_UP_TO_DATE)
        return v == VERBOSITY_VERBOSE;
    if (j->result.status != CONVERT_OK)
        return 1;
    if (v == VERBOSITY_QUIET)
        return 0;
    return v == VERBOSITY_VERBOSE || j->result.clipped > 0 ||
           j->result.limited > 0 || j->result.invalid > 0;
}

void report_file(const struct job *j, enum cli_verbosity v)
{
    const struct convert_result *r = &j->result;
    if (r->status == CONVERT_UP_TO_DATE) {
        if (v == VERBOSITY_VERBOSE)
            message("%s -> %s: up to date\n", j->input, j->output);
        return;
    }
    if (r->status != CONVERT_OK) {
        message("tempitch: %s: %s\n", r->about ? r->about : j->input,
                r->reason);
        return;
    }
    if (v == VERBOSITY_QUIET)
        return;
    if (r->invalid > 0)
        message("tempitch: %s: %zu invalid sample%s (NaN, infinity or "
                "magnitude above 1e12) replaced by 0\n",
                j->input, r->invalid, r->invalid == 1 ? "" : "s");
    if (r->clipped > 0)
        message("tempitch: %s: %zu samples clipped\n", j->output, r->clipped);
    if (r->limited > 0)
        message("tempitch: %s: limited %zu sample%s, max %.1f dB\n", j->output,
                r->limited, r->limited == 1 ? "" : "s", report_limit_db(r));
    if (v == VERBOSITY_VERBOSE) {
        message("%s -> %s: %.3f s -> %.3f s in %.3f s (%.1fx realtime",
                j->input, j->output, report_audio_seconds(j), report_output_seconds(j),
                j->took, report_realtime(j));
        if (r->gain != 1.0)
            message(", normalized %.1f dB", report_gain_db(r));
        fputs(")\n", message_stream());
    }
}

/* ---- settings (-v) ------------------------------------------------------ */

/* Value i of the -p/-f list in semitones, and of the -T/-t list as a
 * speed factor (options.h keeps them as given). */
static double semitones_at(const struct cli_options *o, size_t i)
{
    struct settings s;
    settings_set_pitch(&s, o->settings.pitch_opt, o->pitches[i]);
    return s.semitones;
}

static double tempo_at(const struct cli_options *o, size_t i)
{
    struct settings s;
    settings_set_tempo(&s, o->settings.tempo_opt, o->tempos[i]);
    return s.tempo;
}

/* -v: "a, b, c" of a list of more than one value. */
static void print_list(FILE *out, const struct cli_options *o, size_t n,
                       double (*at)(const struct cli_options *, size_t),
                       const char *fmt)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputs(", ", out);
        fprintf(out, fmt, at(o, i));
    }
}

void report_settings(const struct cli_options *o, const struct plan *p,
                     int threads)
{
    /* No "tempitch:" prefix: that marks errors and warnings, which
     * scripts may grep for. */
    message("batch: %zu file%s, %zu to run, on %d thread%s\n", p->njobs,
            p->njobs == 1 ? "" : "s", p->nrun, threads,
            threads == 1 ? "" : "s");
    if (o->manifest != NULL)
        message("jobs: from the manifest %s (its rows may set "
                "pitch and tempo)\n",
                o->manifest);
    if (o->npitch > 1) {
        fputs("pitch: every one of ", message_stream());
        print_list(message_stream(), o, o->npitch, semitones_at, "%+g");
        fputs(" semitones\n", message_stream());
    } else {
        message("pitch: %+g semitones (frequency ratio %g)\n",
                o->settings.semitones, exp2(o->settings.semitones / 12.0));
    }
    if (o->ntempo > 1) {
        fputs("tempo: every one of ", message_stream());
        print_list(message_stream(), o, o->ntempo, tempo_at, "%g");
        fputs(" (speed factors)\n", message_stream());
    } else if (settings_duration(&o->settings) > 0)
        message("tempo: each file its own, so that every output lasts "
                "%g s\n",
                settings_duration(&o->settings));
    else
        message("tempo: %g (speed factor; outputs last %g x as long)\n",
                o->settings.tempo, 1.0 / o->settings.tempo);
    if (o->settings.formant_semitones != 0.0)
        message("formants: moved %+g semitones from the input's\n",
                o->settings.formant_semitones);
    else if (o->settings.formant)
        message("formants: kept where they are in the input\n");
    if (o->policy.normalize)
        message("normalize: outputs beyond full scale are scaled "
                "to a peak of 0.999\n");
    else if (o->policy.clip)
        message("clip: integer and lossy outputs are clipped at "
                "full scale\n");
    const char *q = settings_quality_name(o->settings.quality);
    if (o->settings.quality == TP_QUALITY_BALANCED)
        message("quality: %s\n", q);
    else
        message("quality: %s (--%s)\n", q, q);
    if (p->out_dir != NULL)
        message("outputs: in %s\n", p->out_dir);
    else if (o->output != NULL)
        message("output: %s\n", o->output);
    else
        message("outputs: next to their inputs\n");
}

/* ---- table -------------------------------------------------------------- */

/* Writes `s` padded to `width` columns, control characters as '?' so that
 * every file stays on its own row. */
static void put_cell(FILE *out, const char *s, size_t width)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
    for (; n < width; n++)
        fputc(' ', out);
}

static void put_number(FILE *out, double v, int width, int decimals)
{
    if (v < 0)
        fprintf(out, "  %*s", width, "-");
    else
        fprintf(out, "  %*.*f", width, decimals, v);
}

/* "ok", "skipped: exists", "failed: reason" (the path the reason is about
 * first, when it is not the input); "ok" may be followed by what was done
 * besides: ", normalized -1.3 dB", ", 3 invalid samples". */
static void put_status(FILE *out, const struct job *j, const char *shown)
{
    const struct convert_result *r = &j->result;
    fprintf(out, "  %s",
            r->status == CONVERT_UP_TO_DATE ? "up to date"
                                            : report_status_name(r->status));
    if (r->status == CONVERT_OK) {
        if (r->gain != 1.0)
            fprintf(out, ", normalized %.1f dB", report_gain_db(r));
        if (r->invalid > 0)
            fprintf(out, ", %zu invalid sample%s", r->invalid,
                    r->invalid == 1 ? "" : "s");
    } else if (r->status == CONVERT_EXISTS) {
        fputs(": exists", out);
    } else if (r->status == CONVERT_OURS) {
        fputs(": made by tempitch", out);
    } else if (r->status == CONVERT_FAILED) {
        fputs(": ", out);
        const char *about = r->about ? r->about : j->input;
        if (strcmp(about, shown) != 0) {
            put_cell(out, about, 0);
            fputs(": ", out);
        }
        put_cell(out, r->reason, 0);
    }
    fputc('\n', out);
}

void report_table(FILE *out, const struct plan *p, const struct batch_stats *st)
{
    /* When an input has several jobs (value lists, a manifest) the rows
     * are told apart by their outputs. */
    const char *head = p->show_outputs ? "output" : "input";
    size_t w = strlen(head);
    for (size_t i = 0; i < p->njobs; i++) {
        size_t n =
            strlen(p->show_outputs ? p->jobs[i].output : p->jobs[i].input);
        if (n > w)
            w = n;
    }
    if (w > INPUT_COLUMN_MAX)
        w = INPUT_COLUMN_MAX;

    put_cell(out, head, w);
    fprintf(out, "  %9s  %8s  %10s  %s\n", "audio s", "time s", "x realtime",
            "status");
    for (size_t i = 0; i < p->njobs; i++) {
        const struct job *j = &p->jobs[i];
        put_cell(out, p->show_outputs ? j->output : j->input, w);
        put_number(out, report_audio_seconds(j), 9, 3);
        put_number(out, j->took, 8, 3);
        put_number(out, report_realtime(j), 10, 1);
        put_status(out, j, p->show_outputs ? j->output : j->input);
    }

    fprintf(out, "files: %zu ok, %zu failed, %zu skipped", st->ok, st->failed,
            st->skipped);
    if (st->up_to_date > 0)
        fprintf(out, ", %zu up to date", st->up_to_date);
    fprintf(out, " (%zu in all)\n", p->njobs);
    size_t ran = 0;
    for (size_t i = 0; i < p->njobs; i++)
        ran += p->jobs[i].took >= 0;
    if (st->threads == 1 && ran > 0 && st->wall > MIN_SECONDS) {
        /* One worker (one file, -j 1, a pipe) has no parallel speedup to
         * speak of: what is left to say is how much of the wall time went
         * into the files. */
        fprintf(out, "time: wall %.3f s, of which %.3f s in the file%s (%zu "
                "file%s, 1 thread)\n",
                st->wall, st->sum, ran == 1 ? "" : "s", ran,
                ran == 1 ? "" : "s");
        return;
    }
    fprintf(out, "time: wall %.3f s, sum of file times %.3f s", st->wall,
            st->sum);
    if (st->threads > 0 && st->wall > MIN_SECONDS) {
        double speedup = st->sum / st->wall;
        fprintf(out,
                ", speedup %.2fx on %d thread%s, parallel efficiency "
                "%.0f %%",
                speedup, st->threads, st->threads == 1 ? "" : "s",
                100.0 * speedup / st->threads);
    } else {
        fputs(", no file ran", out);
    }
    fputc('\n', out);
}

/* ---- JSON --------------------------------------------------------------- */

void report_json(FILE *out, const struct cli_options *o, const struct plan *p,
                 const struct batch_stats *st)
{
    fprintf(out, "{\"schema\":%d,\"version\":", JSON_SCHEMA);
    json_string(out, TP_VERSION_STRING);
    double duration = settings_duration(&o->settings);
    fputs(",\"settings\":{", out);
    json_settings(out, &o->settings, duration > 0 ? -1 : o->settings.tempo,
                  duration);
    /* With lists the fields above hold the first values; every file's
     * own settings are in its entry. */
    fputs(",\"semitones_list\":[", out);
    for (size_t i = 0; i < o->npitch; i++)
        fprintf(out, "%s%.12g", i ? "," : "", semitones_at(o, i));
    fputs("],\"tempo_list\":[", out);
    for (size_t i = 0; i < o->ntempo; i++) {
        fputs(i ? "," : "", out);
        json_number(out, duration > 0 ? -1 : tempo_at(o, i), "%.12g");
    }
    fputc(']', out);
    fprintf(out,
            ",\"threads\":%d,\"force\":%s,\"normalize\":%s,\"clip\":%s,"
            "\"sync\":%s,\"quality\":\"%s\"},\n"
            "\"files\":[",
            o->threads, o->policy.force ? "true" : "false",
            o->policy.normalize ? "true" : "false",
            o->policy.clip ? "true" : "false",
            o->policy.sync ? "true" : "false",
            settings_quality_name(o->settings.quality));
    for (size_t i = 0; i < p->njobs; i++) {
        fputs(i == 0 ? "\n{" : ",\n{", out);
        json_job_members(out, o, &p->jobs[i]);
        fputc('}', out);
    }
    fprintf(out,
            "],\n\"summary\":{\"files\":%zu,\"ok\":%zu,\"failed\":%zu,"
            "\"skipped\":%zu,\"up_to_date\":%zu,\"wall_seconds\":%.6f,"
            "\"sum_seconds\":%.6f",
            p->njobs, st->ok, st->failed, st->skipped, st->up_to_date, st->wall,
            st->sum);
    double speedup = -1;
    if (st->threads > 0 && st->wall > MIN_SECONDS)
        speedup = st->sum / st->wall;
    fputs(",\"speedup\":", out);
    json_number(out, speedup, "%.4f");
    fprintf(out, ",\"threads\":%d,\"efficiency\":", st->threads);
    json_number(out, speedup >= 0 ? speedup / st->threads : -1, "%.4f");
    fputs("}}\n", out);
}
