/*
 * sfformat.c -- choosing the libsndfile format of an output file.
 */
#include "sfformat.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Extensions libsndfile's list does not spell the way people do (it calls
 * Ogg ".oga"), with a subtype preference where the name implies one. */
static const struct {
    const char *ext;
    int major;
    int subtype;
} aliases[] = {
    {"ogg", SF_FORMAT_OGG, 0},
    {"oga", SF_FORMAT_OGG, 0},
    {"opus", SF_FORMAT_OGG, SF_FORMAT_OPUS},
    {"aif", SF_FORMAT_AIFF, 0},
    {"aifc", SF_FORMAT_AIFF, 0},
    {"snd", SF_FORMAT_AU, 0},
    {"mp3", SF_FORMAT_MPEG, 0},
};

static int ext_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    }
    return *a == *b;
}

struct sfformat_target sfformat_for_path(const char *path)
{
    struct sfformat_target t = {0, 0};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base || dot[1] == '\0')
        return t;
    const char *ext = dot + 1;

    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (ext_equal(ext, aliases[i].ext)) {
            t.major = aliases[i].major;
            t.subtype_hint = aliases[i].subtype;
            return t;
        }
    }
    /* The first entry wins when several share an extension (WAV before
     * WAVEX), which gives the most common container. */
    int count = 0;
    sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info = {.format = i};
        if (sf_command(NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof info) != 0)
            continue;
        if (info.extension != NULL && ext_equal(ext, info.extension)) {
            t.major = info.format & SF_FORMAT_TYPEMASK;
            return t;
        }
    }
    return t;
}

int sfformat_is_audio_name(const char *path)
{
    return sfformat_for_path(path).major != 0;
}

/* The names --format and --subtype take.  Short, lower-case, the way
 * people say them; the extension is what output names get. */
static const struct sfformat_name majors[] = {
    {"wav", SF_FORMAT_WAV, 0, "wav"},
    {"flac", SF_FORMAT_FLAC, 0, "flac"},
    {"ogg", SF_FORMAT_OGG, SF_FORMAT_VORBIS, "ogg"},
    {"opus", SF_FORMAT_OGG, SF_FORMAT_OPUS, "opus"},
    {"aiff", SF_FORMAT_AIFF, 0, "aiff"},
    {"caf", SF_FORMAT_CAF, 0, "caf"},
    {"mp3", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, "mp3"},
    {"au", SF_FORMAT_AU, 0, "au"},
    {"w64", SF_FORMAT_W64, 0, "w64"},
    {"rf64", SF_FORMAT_RF64, 0, "rf64"},
};

/* Block codecs (ADPCM, GSM) are left out: their last block is padded, so
 * an output would not have the exact length (see pads_to_blocks). */
static const struct sfformat_name subtypes[] = {
    {"pcm8", SF_FORMAT_PCM_S8, 0, NULL},
    {"pcmu8", SF_FORMAT_PCM_U8, 0, NULL},
    {"pcm16", SF_FORMAT_PCM_16, 0, NULL},
    {"pcm24", SF_FORMAT_PCM_24, 0, NULL},
    {"pcm32", SF_FORMAT_PCM_32, 0, NULL},
    {"float", SF_FORMAT_FLOAT, 0, NULL},
    {"double", SF_FORMAT_DOUBLE, 0, NULL},
    {"ulaw", SF_FORMAT_ULAW, 0, NULL},
    {"alaw", SF_FORMAT_ALAW, 0, NULL},
    {"vorbis", SF_FORMAT_VORBIS, 0, NULL},
    {"opus", SF_FORMAT_OPUS, 0, NULL},
    {"mp3", SF_FORMAT_MPEG_LAYER_III, 0, NULL},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct sfformat_name *lookup(const struct sfformat_name *table,
                                          size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (ext_equal(name, table[i].name))
            return &table[i];
    }
    return NULL;
}

const struct sfformat_name *sfformat_major_named(const char *name)
{
    return lookup(majors, COUNT(majors), name);
}

const struct sfformat_name *sfformat_subtype_named(const char *name)
{
    return lookup(subtypes, COUNT(subtypes), name);
}

const char *sfformat_subtype_short(int format)
{
    for (size_t i = 0; i < COUNT(subtypes); i++) {
        if (subtypes[i].format == (format & SF_FORMAT_SUBMASK))
            return subtypes[i].name;
    }
    return NULL;
}

const char *sfformat_major_names(void)
{
    return "wav, flac, ogg, opus, aiff, caf, mp3, au, w64, rf64";
}

const char *sfformat_subtype_names(void)
{
    return "pcm8, pcmu8, pcm16, pcm24, pcm32, float, double, ulaw, alaw, "
           "vorbis, opus, mp3";
}

int sfformat_is_float(int format)
{
    int sub = format & SF_FORMAT_SUBMASK;
    return sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
}

static int try_format(const SF_INFO *in, int format)
{
    SF_INFO probe = {.samplerate = in->samplerate,
                     .channels = in->channels,
                     .format = format};
    return sf_format_check(&probe) ? format : 0;
}

/* The ADPCM, GSM and G.72x codecs store whole blocks: libsndfile pads the
 * last one, so a file written with them reads back longer than the frames
 * written (found by fuzz_convert).  They are lossy anyway: outputs of such
 * inputs get 16-bit PCM instead. */
static int pads_to_blocks(int sub)
{
    switch (sub) {
    case SF_FORMAT_IMA_ADPCM:
    case SF_FORMAT_MS_ADPCM:
    case SF_FORMAT_GSM610:
    case SF_FORMAT_VOX_ADPCM:
    case SF_FORMAT_NMS_ADPCM_16:
    case SF_FORMAT_NMS_ADPCM_24:
    case SF_FORMAT_NMS_ADPCM_32:
    case SF_FORMAT_G721_32:
    case SF_FORMAT_G723_24:
    case SF_FORMAT_G723_40:
        return 1;
    default:
        return 0;
    }
}

/* AIFF pads its sound chunk to an even size, and libsndfile reads the pad
 * byte of a one-byte-per-sample stream back as one more frame (found by
 * fuzz_convert: 1 frame written, 2 read).  Such outputs get 16-bit PCM. */
static int pads_odd_bytes(int major, int sub)
{
    return major == SF_FORMAT_AIFF &&
           (sub == SF_FORMAT_PCM_S8 || sub == SF_FORMAT_PCM_U8 ||
            sub == SF_FORMAT_ULAW || sub == SF_FORMAT_ALAW);
}

/* Lossy codecs: kept only in the input's own container.  libsndfile's
 * format check accepts some of them in others (MP3 inside WAV) that it
 * then cannot write. */
static int lossy_codec(int sub)
{
    return sfformat_is_lossy(sub);
}

int sfformat_is_lossy(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_VORBIS:
    case SF_FORMAT_OPUS:
    case SF_FORMAT_MPEG_LAYER_I:
    case SF_FORMAT_MPEG_LAYER_II:
    case SF_FORMAT_MPEG_LAYER_III:
        return 1;
    }
    return 0;
}

int sfformat_choose(struct sfformat_target target, const SF_INFO *in)
{
    int in_sub = in->format & SF_FORMAT_SUBMASK;
    if (pads_to_blocks(in_sub) ||
        (lossy_codec(in_sub) &&
         (in->format & SF_FORMAT_TYPEMASK) != target.major))
        in_sub = 0;
    int wide = in_sub == SF_FORMAT_PCM_24 || in_sub == SF_FORMAT_PCM_32 ||
               sfformat_is_float(in->format);
    /* In order: what the name asks for, what the input had, then keep as
     * much resolution as the format allows, then the lossy codecs for the
     * containers that only hold those.  A lossy input written to a
     * lossless container becomes 16-bit PCM, as the codec had no more. */
    int candidates[] = {
        target.subtype_hint,
        in_sub,
        sfformat_is_float(in->format) ? SF_FORMAT_FLOAT : 0,
        wide ? SF_FORMAT_PCM_24 : 0,
        SF_FORMAT_PCM_16,
        SF_FORMAT_VORBIS,
        SF_FORMAT_MPEG_LAYER_III,
        SF_FORMAT_OPUS,
    };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (candidates[i] == 0 || pads_odd_bytes(target.major, candidates[i]))
            continue;
        int f = try_format(in, target.major | candidates[i]);
        if (f != 0)
            return f;
    }
    /* Last resort for unusual containers: the first subtype that fits. */
    int count = 0;
    sf_command(NULL, SFC_GET_FORMAT_SUBTYPE_COUNT, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info = {.format = i};
        if (sf_command(NULL, SFC_GET_FORMAT_SUBTYPE, &info, sizeof info) != 0)
            continue;
        int f = try_format(in, target.major | info.format);
        if (f != 0)
            return f;
    }
    return 0;
}

/* A writer that keeps nothing: enough for libsndfile to open a file and
 * write its header. */
struct null_sink {
    sf_count_t pos, len;
};

static sf_count_t sink_len(void *u)
{
    return ((struct null_sink *)u)->len;
}

static sf_count_t sink_seek(sf_count_t off, int whence, void *u)
{
    struct null_sink *s = u;
    sf_count_t base = whence == SEEK_CUR   ? s->pos
                      : whence == SEEK_END ? s->len
                                           : 0;
    s->pos = base + off < 0 ? 0 : base + off;
    return s->pos;
}

static sf_count_t sink_read(void *p, sf_count_t n, void *u)
{
    (void)p, (void)n, (void)u;
    return 0;
}

static sf_count_t sink_write(const void *p, sf_count_t n, void *u)
{
    (void)p;
    struct null_sink *s = u;
    s->pos += n;
    s->len = s->pos > s->len ? s->pos : s->len;
    return n;
}

static sf_count_t sink_tell(void *u)
{
    return ((struct null_sink *)u)->pos;
}

int sfformat_can_write(int format, int rate, int channels)
{
    SF_VIRTUAL_IO io = {sink_len, sink_seek, sink_read, sink_write, sink_tell};
    struct null_sink sink = {0, 0};
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *f = sf_open_virtual(&io, SFM_WRITE, &info, &sink);
    if (f == NULL)
        return 0;
    sf_close(f);
    return 1;
}

int sfformat_explicit(int major, int subtype, int rate, int channels)
{
    if (pads_to_blocks(subtype) || pads_odd_bytes(major, subtype))
        return 0;
    SF_INFO in = {.samplerate = rate, .channels = channels};
    return try_format(&in, major | subtype);
}

int sfformat_sample_bytes(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
        return 1;
    case SF_FORMAT_PCM_16:
        return 2;
    case SF_FORMAT_PCM_24:
        return 3;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
        return 4;
    case SF_FORMAT_DOUBLE:
        return 8;
    }
    return 0;
}

/* TEMPITCH_TEST_MAX_BYTES, or -1 when unset or not a positive integer.
 * (getenv is safe here: nothing in tempitch changes the environment.) */
static long long test_max_bytes(void)
{
    const char *s = getenv("TEMPITCH_TEST_MAX_BYTES");
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno == 0 && *end == '\0' && v > 0 ? v : -1;
}

long long sfformat_max_bytes(int major)
{
    long long limit;
    switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_AIFF:
        limit = 0xFFFFFFFFLL;
        break;
    case SF_FORMAT_RF64:
    case SF_FORMAT_W64:
    case SF_FORMAT_CAF:
    case SF_FORMAT_FLAC:
    case SF_FORMAT_OGG:
    case SF_FORMAT_MPEG:
    case SF_FORMAT_AU:
    case SF_FORMAT_RAW:
        return -1;
    default:
        limit = 0x7FFFFFFFLL;
        break;
    }
    long long test = test_max_bytes();
    return test > 0 && test < limit ? test : limit;
}

long long sfformat_data_bytes(int format, long long frames, int channels)
{
    int bytes = sfformat_sample_bytes(format);
    if (frames < 0 || bytes == 0)
        return -1;
    return frames * channels * bytes;
}

int sfformat_large_variant(int format, int rate, int channels)
{
    int major = format & SF_FORMAT_TYPEMASK;
    if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX)
        return 0;
    SF_INFO in = {.samplerate = rate, .channels = channels};
    return try_format(&in, SF_FORMAT_RF64 | (format & SF_FORMAT_SUBMASK));
}

const char *sfformat_major_name(int major)
{
    SF_FORMAT_INFO info = {.format = major};
    if (sf_command(NULL, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 &&
        info.name != NULL)
        return info.name;
    return "this format";
}
