/*
 * settings.c -- the engine settings and what derives from them; see
 * settings.h.
 */
#include "settings.h"
#include "convert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void settings_defaults(struct settings *s)
{
    memset(s, 0, sizeof *s);
    settings_set_pitch(s, 0, 0.0);
    settings_set_tempo(s, 0, 1.0);
    s->quality = TP_QUALITY_BALANCED;
}

void settings_set_pitch(struct settings *s, int opt, double given)
{
    s->pitch_opt = opt;
    s->pitch_given = given;
    s->semitones = opt == 'f' ? 12.0 * log2(given) : given;
}

void settings_set_tempo(struct settings *s, int opt, double given)
{
    s->tempo_opt = opt;
    s->tempo_given = given;
    s->tempo = opt == 't' ? 1.0 / given : opt == 'D' ? 1.0 : given;
}

double settings_duration(const struct settings *s)
{
    return s->tempo_opt == 'D' ? s->tempo_given : 0.0;
}

int settings_apply(const struct settings *s, tp_stretch *engine)
{
    int rc = tp_stretch_set_tempo(engine, s->tempo);
    /* A ratio goes to the engine as given: through semitones and back it
     * could come out a bit away from it, and the output with it. */
    if (rc == TP_OK)
        rc = s->pitch_opt == 'f'
                 ? tp_stretch_set_pitch_ratio(engine, s->pitch_given)
                 : tp_stretch_set_semitones(engine, s->semitones);
    if (rc == TP_OK)
        rc = tp_stretch_set_formant(engine, s->formant, s->formant_semitones);
    if (rc == TP_OK)
        rc = tp_stretch_set_quality(engine, s->quality);
    return rc;
}

int settings_check(const struct settings *s)
{
    /* Cheap: an engine plans nothing until its first stream. */
    tp_stretch *engine;
    int rc = tp_stretch_create(&engine, 1, TP_RATE_MIN);
    if (rc == TP_OK)
        rc = settings_apply(s, engine);
    tp_stretch_destroy(engine);
    return rc;
}

const char *settings_quality_name(enum tp_quality quality)
{
    return quality == TP_QUALITY_FAST   ? "fast"
           : quality == TP_QUALITY_FINE ? "fine"
                                        : "balanced";
}

/* `v` in the fewest significant digits that read back as exactly `v`:
 * short for the values people type (1.25), exact for the others. */
static void shortest(char *buf, size_t size, double v)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void settings_stamp(const struct settings *s,
                    const struct convert_policy *policy,
                    const struct convert_format *format,
                    char stamp[SETTINGS_STAMP_MAX])
{
    char pitch[32], tempo[32];
    /* -0 and 0 are the same setting. */
    shortest(pitch, sizeof pitch, s->semitones == 0 ? 0.0 : s->semitones);
    shortest(tempo, sizeof tempo, s->tempo);
    /* Formant settings only where they change the result (-F without a
     * pitch shift gives the same audio, so the same stamp). */
    char formant[64] = "";
    if (s->formant_semitones != 0.0) {
        char st[32];
        shortest(st, sizeof st, s->formant_semitones);
        snprintf(formant, sizeof formant, " --formant-semitones %s", st);
    } else if (s->formant && s->semitones != 0.0) {
        snprintf(formant, sizeof formant, " -F");
    }
    /* The quality mode changes the audio even when nothing else does
     * (copy mode aside, which no mode touches). */
    const char *mode = s->quality == TP_QUALITY_FAST   ? " --fast"
                       : s->quality == TP_QUALITY_FINE ? " --fine"
                                                       : "";
    char dither[32] = "";
    if (policy->dither == DITHER_NONE)
        snprintf(dither, sizeof dither, " --no-dither");
    else if (policy->dither != DITHER_TPDF)
        snprintf(dither, sizeof dither, " --dither %s",
                 dither_mode_name(policy->dither));
    char lossy[64] = "";
    if (format->set & CONVERT_SET_LOSSY_QUALITY)
        snprintf(lossy, sizeof lossy, " --lossy-quality %d",
                 format->lossy_quality);
    if (format->set & CONVERT_SET_BITRATE_MODE)
        snprintf(lossy + strlen(lossy), sizeof lossy - strlen(lossy),
                 " --bitrate-mode %s",
                 convert_bitrate_name(format->bitrate_mode));
    snprintf(stamp, SETTINGS_STAMP_MAX, "tempitch %s -p %s -T %s%s%s%s%s%s%s",
             TP_VERSION_STRING, pitch, tempo, formant, mode,
             policy->normalize ? " --normalize" : "",
             policy->clip ? " --clip" : "", dither, lossy);
}

/* Appends ".PART" (or "PART" at the start) to tag. */
static void add_part(char *tag, const char *fmt, double value)
{
    size_t len = strlen(tag);
    if (len > 0 && len + 1 < SETTINGS_TAG_MAX)
        tag[len++] = '.';
    snprintf(tag + len, SETTINGS_TAG_MAX - len, fmt, value);
}

void settings_tag(const struct settings *s, char tag[SETTINGS_TAG_MAX])
{
    tag[0] = '\0';
    /* Compared with the numbers as given, so "-f 1" and "-p 0" (no
     * change) add nothing, while any real change, however small, shows. */
    if (s->pitch_opt == 'p' && s->pitch_given != 0.0)
        add_part(tag, "p%+g", s->pitch_given);
    else if (s->pitch_opt == 'f' && s->pitch_given != 1.0)
        add_part(tag, "f%g", s->pitch_given);

    if (s->tempo_opt == 'T' && s->tempo_given != 1.0)
        add_part(tag, "T%g", s->tempo_given);
    else if (s->tempo_opt == 't' && s->tempo_given != 1.0)
        add_part(tag, "t%g", s->tempo_given);
    else if (s->tempo_opt == 'D')
        add_part(tag, "D%g", s->tempo_given);

    /* Formants: only when they change the result or were moved. */
    if (s->formant_semitones != 0.0)
        add_part(tag, "F%+g", s->formant_semitones);
    else if (s->formant && s->semitones != 0.0)
        add_part(tag, "F", 0.0);

    if (tag[0] == '\0')
        snprintf(tag, SETTINGS_TAG_MAX, "copy");
}

void settings_name_fields(const struct settings *s, char *pitch, char *tempo)
{
    snprintf(pitch, SETTINGS_TAG_MAX, s->pitch_opt == 'f' ? "%g" : "%+g",
             s->pitch_given);
    snprintf(tempo, SETTINGS_TAG_MAX, "%g",
             s->tempo_opt ? s->tempo_given : 1.0);
}
