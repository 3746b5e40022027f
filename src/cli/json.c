/*
 * json.c -- the command's JSON writers and the object of a job; see
 * json.h.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "json.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    return n;
}

void json_string(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    fputc('"', out);
    while (*s != '\0') {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            s++;
        } else if (c < 0x20) {
            static const char short_escapes[] = "btn\0fr";
            if (c >= '\b' && c <= '\r' && short_escapes[c - '\b'] != '\0')
                fprintf(out, "\\%c", short_escapes[c - '\b']);
            else
                fprintf(out, "\\u%04x", c);
            s++;
        } else {
            size_t n = utf8_sequence(s);
            if (n == 0) {
                fputs("\\ufffd", out);
                s++;
            } else {
                fwrite(s, 1, n, out);
                s += n;
            }
        }
    }
    fputc('"', out);
}

void json_number(FILE *out, double v, const char *format)
{
    if (v < 0 || !isfinite(v))
        fputs("null", out);
    else
        fprintf(out, format, v);
}

static void string_or_null(FILE *out, const char *s)
{
    if (s == NULL)
        fputs("null", out);
    else
        json_string(out, s);
}

/* "key":NAME, and "key_bytes":HEX when NAME is not valid UTF-8 (json.h). */
static void name_member(FILE *out, const char *key, const char *name)
{
    fprintf(out, "\"%s\":", key);
    json_string(out, name);
    const unsigned char *s = (const unsigned char *)name;
    size_t n;
    while (*s != '\0' && (n = utf8_sequence(s)) > 0)
        s += n;
    if (*s == '\0')
        return;
    fprintf(out, ",\"%s_bytes\":\"", key);
    for (s = (const unsigned char *)name; *s != '\0'; s++)
        fprintf(out, "%02x", *s);
    fputc('"', out);
}

void json_settings(FILE *out, const struct settings *s, double tempo,
                   double duration)
{
    fprintf(out, "\"semitones\":%.12g,\"pitch_ratio\":%.12g", s->semitones,
            exp2(s->semitones / 12.0));
    fputs(",\"tempo\":", out);
    json_number(out, tempo, "%.12g");
    fputs(",\"duration\":", out);
    json_number(out, duration > 0 ? duration : -1, "%.12g");
}

void json_job_members(FILE *out, const struct cli_options *o,
                      const struct job *j)
{
    const struct convert_result *r = &j->result;
    int done = r->status == CONVERT_OK;
    int problem = r->status == CONVERT_FAILED || r->status == CONVERT_EXISTS ||
                  r->status == CONVERT_OURS;
    double duration = settings_duration(&o->settings);
    /* With -D a refused file never got its tempo. */
    int tempo_known =
        duration == 0 || done || r->status == CONVERT_UP_TO_DATE || j->runs;

    name_member(out, "input", j->input);
    fputc(',', out);
    name_member(out, "output", j->output);
    fprintf(out, ",\"status\":\"%s\",\"error\":",
            report_status_name(r->status));
    string_or_null(out, problem ? r->reason : NULL);
    fputs(",\"about\":", out);
    string_or_null(out, problem ? (r->about ? r->about : j->input) : NULL);
    fputs(",\"settings\":{", out);
    json_settings(out, &j->params.settings,
                  tempo_known ? j->params.settings.tempo : -1, duration);
    fputs(",\"stamp\":", out);
    json_string(out, j->params.stamp);
    fputs("}", out);
    if (done)
        fprintf(out, ",\"frames_in\":%zu,\"frames_out\":%zu", r->frames_in,
                r->frames_out);
    else
        fputs(",\"frames_in\":null,\"frames_out\":null", out);
    fputs(",\"rate\":", out);
    json_number(out, r->rate > 0 ? r->rate : -1, "%.0f");
    fputs(",\"channels\":", out);
    json_number(out, r->channels > 0 ? r->channels : -1, "%.0f");
    fputs(",\"audio_seconds\":", out);
    json_number(out, report_audio_seconds(j), "%.6f");
    fputs(",\"output_seconds\":", out);
    json_number(out, report_output_seconds(j), "%.6f");
    fputs(",\"seconds\":", out);
    json_number(out, j->took, "%.6f");
    fputs(",\"realtime\":", out);
    json_number(out, report_realtime(j), "%.3f");
    fprintf(out, ",\"clipped\":%zu,\"limited\":%zu,\"limiter_gain_db\":",
            r->clipped, r->limited);
    if (done && r->limited > 0) /* negative: not json_number's */
        fprintf(out, "%.4f", report_limit_db(r));
    else
        fputs("null", out);
    fprintf(out, ",\"invalid_samples\":%zu,\"gain_db\":", r->invalid);
    if (done && r->gain != 1.0)
        fprintf(out, "%.4f", report_gain_db(r));
    else
        fputs("null", out);
    fputs(",\"shard\":", out);
    if (o->shard_n > 0)
        fprintf(out, "\"%lu/%lu\"", o->shard_k, o->shard_n);
    else
        fputs("null", out);
}

/* Built in memory (open_memstream), so that the writers above serve here
 * too and the line can leave in one piece (jsonl.h). */
char *json_job_line(const struct cli_options *o, const struct job *j,
                    size_t *len)
{
    char *line = NULL;
    *len = 0;
    FILE *out = open_memstream(&line, len);
    if (out == NULL)
        return NULL;
    fprintf(out, "{\"schema\":%d,", JSON_SCHEMA);
    json_job_members(out, o, j);
    fputs("}\n", out);
    if (fclose(out) != 0) {
        free(line);
        return NULL;
    }
    return line;
}
