/*
 * settings.h -- what the engine does to a file (pitch, tempo, formants,
 * quality), in one type, with everything derived from it: the engine's
 * configuration, the settings stamp stored in outputs, the tag of output
 * names and the {pitch}/{tempo} name fields.
 *
 * Each setting is kept once in its canonical form (pitch in semitones,
 * tempo as a speed factor), which is what the stamp, the JSON and -v
 * report, beside how the user spelt it (-p or -f, -T, -t or -D, and the
 * number as given), which is what output names show: `-f 2` and `-p 12`
 * make the same audio and the same stamp, but song.f2.wav and
 * song.p+12.wav.
 *
 * The file policy (--force, --normalize, --clip, --sync) and the output
 * format are not settings of the engine: see convert.h.
 */
#ifndef TEMPITCH_AUDIO_SETTINGS_H
#define TEMPITCH_AUDIO_SETTINGS_H

#include <tempitch/stretch.h>

/* Longest settings stamp, with its terminator. */
enum { SETTINGS_STAMP_MAX = 256 };

/* Longest tag of an output name, with its terminator. */
enum { SETTINGS_TAG_MAX = 96 };

struct settings {
    /* Pitch shift in semitones, TP_SEMITONES_MIN..TP_SEMITONES_MAX
     * (fractional; 12 is an octave up).  With pitch_opt 'f' it is
     * 12 log2 of the ratio given. */
    double semitones;
    int pitch_opt;      /* as given: 0 (not given), 'p' or 'f'          */
    double pitch_given; /* the number as given: semitones for 'p' (and
                           0 when not given), a frequency ratio for 'f' */

    /* Speed factor the engine gets, TP_TEMPO_MIN..TP_TEMPO_MAX: 1.25 is
     * 25 % faster (the output lasts 0.8 times as long).  With tempo_opt
     * 'D' it is 1 until the plan gives each file its own. */
    double tempo;
    int tempo_opt;      /* as given: 0 (not given), 'T', 't' or 'D'     */
    double tempo_given; /* the number as given: the speed factor for 'T'
                           (Y/X for X:Y), the duration multiple for 't',
                           the target seconds for 'D'                   */

    int formant; /* nonzero: keep the formants in place (-F)          */
    /* ... and move them by this many semitones from the input's,
     * TP_FORMANT_SEMITONES_MIN..MAX; nonzero implies `formant`. */
    double formant_semitones;
    enum tp_quality quality; /* --fast, --fine, or balanced           */
};

/* No change: pitch and tempo not given (0 semitones, speed factor 1), no
 * formant setting, balanced quality. */
void settings_defaults(struct settings *s);

/* Sets the pitch as given with option `opt` ('p': semitones, 'f': a
 * frequency ratio > 0; 0: not given, `given` then 0) and its semitones:
 * the one place a ratio is converted. */
void settings_set_pitch(struct settings *s, int opt, double given);

/* Sets the tempo as given with option `opt` ('T': a speed factor, 't': a
 * duration multiple, 'D': target seconds; 0: not given, `given` then 1)
 * and the speed factor (1 for 'D': the plan sets each file's). */
void settings_set_tempo(struct settings *s, int opt, double given);

/* The target duration of -D in seconds, or 0 when the tempo is not
 * given that way. */
double settings_duration(const struct settings *s);

/* Configures `engine` with *s (tempo, pitch, formants, quality).
 * Returns TP_OK or the engine's error code for the first setting it
 * refused. */
int settings_apply(const struct settings *s, tp_stretch *engine);

/* The error settings_apply would return for *s on a fresh engine (TP_OK,
 * TP_ERR_TEMPO, TP_ERR_PITCH, TP_ERR_FORMANT, TP_ERR_QUALITY), without one
 * at hand: the engine's ranges are checked by the engine.  TP_ERR_NOMEM
 * when the engine for the check could not be made. */
int settings_check(const struct settings *s);

/* "fast", "balanced" or "fine", as the options spell the modes. */
const char *settings_quality_name(enum tp_quality quality);

/* Writes the settings stamp of a file made with *s into
 * stamp[SETTINGS_STAMP_MAX]: "tempitch VERSION -p SEMITONES -T SPEED",
 * then, each only when given, " --formant-semitones N" (or " -F", only
 * with a pitch change: without one it changes nothing), " --fast" or
 * " --fine", and of the policy (convert.h) what changes integer outputs:
 * " --normalize", " --clip" (those that reach full scale), " --dither
 * shaped" or " --no-dither" (8- and 16-bit ones), then of the format
 * what changes lossy ones: " --lossy-quality Q", " --bitrate-mode M"
 * (not the FLAC level: the samples are the same).  It
 * names what decides the output's samples, each in one canonical
 * spelling: the pitch in semitones, the speed factor the file actually
 * gets (-t 0.8 is -T 1.25; with -D each file's own), every number in the
 * fewest digits that read back exactly.  The version is part of it: a new
 * tempitch may make other samples.  (libsndfile appends
 * " (libsndfile-X.Y.Z)" in the file; stamp.h.) */
struct convert_policy;
struct convert_format;
void settings_stamp(const struct settings *s,
                    const struct convert_policy *policy,
                    const struct convert_format *format,
                    char stamp[SETTINGS_STAMP_MAX]);

/* Writes the tag of output names into tag[SETTINGS_TAG_MAX]: one part per
 * setting the user gave, each as the option letter and the number as
 * given (%g; semitones signed), in the order pitch, tempo, formants
 * ("p+3.T1.25", "f0.5", "t0.8", "D30", "p+4.F", "F-2"); settings at their
 * default (-p 0, -f 1, -T 1, -t 1, -F without a pitch change) are left
 * out; "copy" when nothing is left. */
void settings_tag(const struct settings *s, char tag[SETTINGS_TAG_MAX]);

/* The {pitch} and {tempo} fields of name templates: the numbers as given
 * (semitones signed: "+3"; a ratio unsigned; the tempo 1 when not given).
 * Each buffer holds SETTINGS_TAG_MAX bytes. */
void settings_name_fields(const struct settings *s, char *pitch, char *tempo);

#endif /* TEMPITCH_AUDIO_SETTINGS_H */
