/*
 * extent.c -- whether a file holds all the audio its container declares;
 * see extent.h.
 *
 * Each parser follows its container's chunks only as far as the chunk
 * that locates the audio, and gives up (returns "not known") on anything
 * it does not understand: a damaged header is libsndfile's to report.
 */
#define _POSIX_C_SOURCE 200809L

#include "extent.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Chunks followed before giving up on finding the audio. */
enum { CHUNKS_MAX = 4096 };

/* What a parser found: where the audio starts, how many bytes of it the
 * container declares (-1: unknown) and the bytes of one frame (0: not
 * fixed, as for compressed data). */
struct extent {
    long long offset, declared, frame_bytes;
};

/* Reads exactly n bytes at `at`; 0 on success. */
static int read_at(int fd, long long at, void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, (off_t)at);
        if (got <= 0)
            return -1;
        p += got;
        at += got;
        n -= (size_t)got;
    }
    return 0;
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
           (uint32_t)b[0] << 24;
}

static uint64_t le64(const unsigned char *b)
{
    return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static uint64_t be64(const unsigned char *b)
{
    return (uint64_t)be32(b) << 32 | (uint64_t)be32(b + 4);
}

static unsigned u16(const unsigned char *b, int big)
{
    return big ? (unsigned)b[0] << 8 | b[1] : (unsigned)b[1] << 8 | b[0];
}

/* See extent.h: the values streaming writers put in a 32-bit length they
 * cannot fill in. */
static long long length32(uint32_t v)
{
    if (v == 0xffffffffu || (v >= 0x7fffe000u && v <= 0x7fffffffu))
        return -1;
    return (long long)v;
}

static long long length64(uint64_t v)
{
    return v >= (uint64_t)1 << 62 ? -1 : (long long)v;
}

/* WAV, RIFX (big-endian WAV), RF64 and BW64. */
static int riff_extent(int fd, long long file_bytes,
                       const unsigned char *head, struct extent *e)
{
    int big = memcmp(head, "RIFX", 4) == 0;
    int wide = memcmp(head, "RF64", 4) == 0 || memcmp(head, "BW64", 4) == 0;
    long long ds64_data = -1;
    long long at = 12;
    for (int i = 0; i < CHUNKS_MAX && at + 8 <= file_bytes; i++) {
        unsigned char c[24];
        if (read_at(fd, at, c, 8) != 0)
            return 0;
        uint32_t size = big ? be32(c + 4) : le32(c + 4);
        if (memcmp(c, "ds64", 4) == 0 && wide && size >= 24 &&
            read_at(fd, at + 8, c, 24) == 0)
            ds64_data = length64(le64(c + 8));
        else if (memcmp(c, "fmt ", 4) == 0 && size >= 16 &&
                 read_at(fd, at + 8, c, 16) == 0)
            e->frame_bytes = u16(c + 12, big);
        else if (memcmp(c, "data", 4) == 0) {
            e->offset = at + 8;
            /* RF64's data chunk says 0xffffffff and leaves the length to
             * the ds64 chunk; a small RF64 file may state it here too. */
            e->declared =
                wide && size == 0xffffffffu ? ds64_data : length32(size);
            return 1;
        }
        at += 8 + (long long)size + (size & 1);
    }
    return 0;
}

/* Sony Wave64: 16-byte GUIDs, 64-bit sizes that count the chunk's own
 * 24-byte header, chunks aligned to 8 bytes. */
static int w64_extent(int fd, long long file_bytes, struct extent *e)
{
    static const unsigned char tail[12] = {0xf3, 0xac, 0xd3, 0x11,
                                           0x8c, 0xd1, 0x00, 0xc0,
                                           0x4f, 0x8e, 0xdb, 0x8a};
    long long at = 40; /* riff GUID, size, wave GUID */
    for (int i = 0; i < CHUNKS_MAX && at + 24 <= file_bytes; i++) {
        unsigned char c[24];
        if (read_at(fd, at, c, 24) != 0)
            return 0;
        uint64_t size = le64(c + 16);
        if (size < 24 || size > (uint64_t)1 << 62)
            return 0;
        if (memcmp(c + 4, tail, sizeof tail) == 0) {
            if (memcmp(c, "fmt ", 4) == 0 && size >= 24 + 16) {
                unsigned char f[16];
                if (read_at(fd, at + 24, f, 16) == 0)
                    e->frame_bytes = u16(f + 12, 0);
            } else if (memcmp(c, "data", 4) == 0) {
                e->offset = at + 24;
                e->declared = (long long)size - 24;
                return 1;
            }
        }
        at += (long long)((size + 7) & ~(uint64_t)7);
    }
    return 0;
}

/* The bytes of one frame of an AIFC file with compression type `id`, or
 * 0 when the data is compressed. */
static long long aifc_frame(const unsigned char *id, unsigned channels,
                            unsigned bits)
{
    static const struct {
        char id[5];
        int bytes; /* 0: from the sample size */
    } pcm[] = {{"NONE", 0}, {"twos", 0}, {"sowt", 0}, {"raw ", 0},
               {"in24", 3}, {"in32", 4}, {"fl32", 4}, {"FL32", 4},
               {"fl64", 8}, {"FL64", 8}};
    for (size_t i = 0; i < sizeof pcm / sizeof pcm[0]; i++)
        if (memcmp(id, pcm[i].id, 4) == 0)
            return (long long)channels *
                   (pcm[i].bytes ? (unsigned)pcm[i].bytes : (bits + 7) / 8);
    return 0;
}

/* AIFF and AIFC: big-endian chunks; COMM describes a frame, SSND holds
 * an offset, a block size and then the audio. */
static int aiff_extent(int fd, long long file_bytes,
                       const unsigned char *head, struct extent *e)
{
    int aifc = memcmp(head + 8, "AIFC", 4) == 0;
    long long at = 12;
    for (int i = 0; i < CHUNKS_MAX && at + 8 <= file_bytes; i++) {
        unsigned char c[30];
        if (read_at(fd, at, c, 8) != 0)
            return 0;
        uint32_t size = be32(c + 4);
        if (memcmp(c, "COMM", 4) == 0 && size >= 18 &&
            read_at(fd, at + 8, c, aifc && size >= 22 ? 22 : 18) == 0) {
            unsigned channels = u16(c, 1), bits = u16(c + 6, 1);
            e->frame_bytes = aifc && size >= 22
                                 ? aifc_frame(c + 18, channels, bits)
                                 : (long long)channels * ((bits + 7) / 8);
        } else if (memcmp(c, "SSND", 4) == 0) {
            if (size < 8 || read_at(fd, at + 8, c, 4) != 0)
                return 0;
            uint32_t skip = be32(c);
            e->offset = at + 16 + skip;
            /* sox's placeholder for AIFF on a pipe is 0x7f000000 bytes. */
            long long n = size - 8 == 0x7f000000u ? -1 : length32(size);
            e->declared = n < 0 ? -1 : n - 8 - (long long)skip;
            return 1;
        }
        at += 8 + (long long)size + (size & 1);
    }
    return 0;
}

/* Sun/NeXT AU: a fixed header, big-endian (".snd") or not ("dns."). */
static int au_extent(const unsigned char *head, struct extent *e)
{
    int big = memcmp(head, ".snd", 4) == 0;
    uint32_t (*get)(const unsigned char *) = big ? be32 : le32;
    static const int bytes[] = {0, 1, 1, 2, 3, 4, 4, 8};
    uint32_t encoding = get(head + 12), channels = get(head + 20);
    e->offset = get(head + 4);
    e->declared = length32(get(head + 8));
    if (encoding < sizeof bytes / sizeof bytes[0])
        e->frame_bytes = (long long)bytes[encoding] * channels;
    else if (encoding == 27) /* A-law */
        e->frame_bytes = channels;
    return 1;
}

/* Apple CAF: big-endian chunks with 64-bit sizes; desc gives the packet
 * shape, data starts with a 4-byte edit count.  A size of -1 means the
 * data runs to the end of the file. */
static int caf_extent(int fd, long long file_bytes, struct extent *e)
{
    long long at = 8;
    for (int i = 0; i < CHUNKS_MAX && at + 12 <= file_bytes; i++) {
        unsigned char c[32];
        if (read_at(fd, at, c, 12) != 0)
            return 0;
        uint64_t size = be64(c + 4);
        if (memcmp(c, "desc", 4) == 0 && size >= 32 &&
            read_at(fd, at + 12, c, 32) == 0) {
            uint32_t per_packet = be32(c + 16), frames = be32(c + 20);
            e->frame_bytes = frames == 1 ? per_packet : 0;
        } else if (memcmp(c, "data", 4) == 0) {
            e->offset = at + 12 + 4;
            long long n = length64(size);
            e->declared = n < 4 ? -1 : n - 4;
            return 1;
        }
        if (size > (uint64_t)1 << 62)
            return 0;
        at += 12 + (long long)size;
    }
    return 0;
}

/* MP3: after any ID3v2 tags, the first frame of a Layer III stream may
 * carry a Xing ("Xing"/"Info", LAME's) or VBRI (Fraunhofer's) header
 * with the stream's size in bytes.  Returns the declared size in
 * e->declared and the stream's start in e->offset. */
static int mp3_extent(int fd, long long file_bytes, struct extent *e)
{
    long long at = 0;
    unsigned char b[64];
    while (at + 10 <= file_bytes && read_at(fd, at, b, 10) == 0 &&
           memcmp(b, "ID3", 3) == 0) {
        if ((b[6] | b[7] | b[8] | b[9]) & 0x80)
            return 0;
        long long tag = (long long)b[6] << 21 | b[7] << 14 | b[8] << 7 | b[9];
        at += 10 + tag + (b[5] & 0x10 ? 10 : 0);
    }
    if (at + (long long)sizeof b > file_bytes ||
        read_at(fd, at, b, sizeof b) != 0)
        return 0;
    int version = b[1] >> 3 & 3, layer = b[1] >> 1 & 3;
    if (b[0] != 0xff || (b[1] & 0xe0) != 0xe0 || version == 1 || layer != 1)
        return 0;
    int mono = (b[3] >> 6) == 3;
    int side = version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
    const unsigned char *x = b + 4 + side;
    e->offset = at;
    if (memcmp(x, "Xing", 4) == 0 || memcmp(x, "Info", 4) == 0) {
        uint32_t flags = be32(x + 4);
        if (!(flags & 2))
            return 0;
        e->declared = be32(x + 8 + (flags & 1 ? 4 : 0));
        return 1;
    }
    if (memcmp(b + 36, "VBRI", 4) == 0) {
        e->declared = be32(b + 36 + 10);
        return 1;
    }
    return 0;
}

/* What walking an Ogg file's pages from the start found. */
enum ogg_verdict { OGG_WHOLE, OGG_CUT, OGG_CHAINED };

/* Ogg declares no length, but its pages chain: each header gives the
 * page's size, so the walk from the first page visits every one without
 * reading the audio.  The stream is whole when the last page it reaches
 * (at the end of the file or before bytes that are not a page) carries
 * the end-of-stream flag; a page running past the end of the file, or a
 * last page without the flag, means the file was cut.  A page that
 * begins a stream after one has ended is a chained file (streams one
 * after another), of which libsndfile reads only the first. */
static enum ogg_verdict ogg_walk(int fd, long long file_bytes)
{
    long long at = 0;
    int flags = 0, ended = 0;
    unsigned char h[27 + 255];
    while (at + 27 <= file_bytes) {
        /* The header and its segment table in one read: as much of the
         * largest one as the file still holds. */
        long long left = file_bytes - at;
        size_t got = left < (long long)sizeof h ? (size_t)left : sizeof h;
        if (read_at(fd, at, h, got) != 0 || memcmp(h, "OggS", 4) != 0 ||
            h[4] != 0)
            break;
        size_t nseg = h[26];
        if (27 + nseg > got)
            return OGG_CUT;
        long long body = 0;
        for (size_t i = 0; i < nseg; i++)
            body += h[27 + i];
        flags = h[5];
        if ((flags & 2) && ended)
            return OGG_CHAINED;
        ended |= flags & 4;
        at += 27 + (long long)nseg + body;
        if (at > file_bytes)
            return OGG_CUT;
    }
    return at > 0 && (flags & 4) ? OGG_WHOLE : OGG_CUT;
}

int extent_truncated(int fd, long long file_bytes, char *reason, size_t size)
{
    unsigned char head[24];
    if (file_bytes < (long long)sizeof head ||
        read_at(fd, 0, head, sizeof head) != 0)
        return 0;
    if (memcmp(head, "OggS", 4) == 0) {
        enum ogg_verdict v = ogg_walk(fd, file_bytes);
        if (v == OGG_CUT)
            snprintf(reason, size,
                     "truncated: the stream ends without its end mark");
        else if (v == OGG_CHAINED)
            snprintf(reason, size,
                     "chained Ogg file (streams one after another): "
                     "libsndfile would read only the first");
        return v != OGG_WHOLE;
    }
    struct extent e = {.offset = 0, .declared = -1, .frame_bytes = 0};
    const char *unit = "bytes of audio";
    int known = 0;
    if ((memcmp(head, "RIFF", 4) == 0 || memcmp(head, "RIFX", 4) == 0 ||
         memcmp(head, "RF64", 4) == 0 || memcmp(head, "BW64", 4) == 0) &&
        memcmp(head + 8, "WAVE", 4) == 0)
        known = riff_extent(fd, file_bytes, head, &e);
    else if (memcmp(head, "riff", 4) == 0)
        known = w64_extent(fd, file_bytes, &e);
    else if (memcmp(head, "FORM", 4) == 0 &&
             (memcmp(head + 8, "AIFF", 4) == 0 ||
              memcmp(head + 8, "AIFC", 4) == 0))
        known = aiff_extent(fd, file_bytes, head, &e);
    else if (memcmp(head, ".snd", 4) == 0 || memcmp(head, "dns.", 4) == 0)
        known = au_extent(head, &e);
    else if (memcmp(head, "caff", 4) == 0)
        known = caf_extent(fd, file_bytes, &e);
    else if ((known = mp3_extent(fd, file_bytes, &e)) != 0)
        unit = "bytes of MPEG audio";
    if (!known || e.declared < 0 || e.offset > file_bytes)
        return 0;
    long long held = file_bytes - e.offset;
    if (e.frame_bytes > 0) {
        /* Part of a frame is no frame: less than one lost loses nothing. */
        long long said = e.declared / e.frame_bytes, has = held / e.frame_bytes;
        if (said <= has)
            return 0;
        snprintf(reason, size,
                 "truncated: header says %lld frames, file holds %lld", said,
                 has);
        return 1;
    }
    if (e.declared <= held)
        return 0;
    snprintf(reason, size, "truncated: header says %lld %s, file holds %lld",
             e.declared, unit, held);
    return 1;
}
