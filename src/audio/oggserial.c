/*
 * oggserial.c -- deterministic Ogg stream serial numbers; see oggserial.h.
 *
 * Ogg page layout (RFC 3533): "OggS", version, flags, 8-byte granule
 * position, 4-byte serial (offset 14), 4-byte sequence number, 4-byte CRC
 * (offset 22), segment count (offset 26), segment table, then the body.
 */
#define _POSIX_C_SOURCE 200809L

#include "oggserial.h"
#include "hash.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum {
    HEADER_SIZE = 27,
    SERIAL_AT = 14,
    CRC_AT = 22,
    SEGMENTS_AT = 26,
    PAGE_MAX = HEADER_SIZE + 255 + 255 * 255
};

/* Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0. */
static uint32_t ogg_crc(const unsigned char *p, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++)
            crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int read_full(int fd, unsigned char *buf, size_t n, off_t at)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, buf + done, n - done, at + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 1; /* error, or 1 for a short file */
        done += (size_t)r;
    }
    return 0;
}

/* Reads the page at `at` into buf.  Returns its size, 0 at the end of the
 * file, -1 on an I/O error (errno set), -2 if it is not an Ogg page. */
static ssize_t read_page(int fd, unsigned char *buf, off_t at)
{
    int rc = read_full(fd, buf, HEADER_SIZE, at);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        /* A clean end of file reads zero bytes; anything else is junk. */
        unsigned char probe;
        return pread(fd, &probe, 1, at) == 0 ? 0 : -2;
    }
    if (memcmp(buf, "OggS", 4) != 0 || buf[4] != 0)
        return -2;
    size_t segments = buf[SEGMENTS_AT];
    if (read_full(fd, buf + HEADER_SIZE, segments, at + HEADER_SIZE) != 0)
        return -2;
    size_t body = 0;
    for (size_t i = 0; i < segments; i++)
        body += buf[HEADER_SIZE + i];
    size_t size = HEADER_SIZE + segments + body;
    if (read_full(fd, buf + HEADER_SIZE + segments, body,
                  at + (off_t)(HEADER_SIZE + segments)) != 0)
        return -2;
    return (ssize_t)size;
}

int ogg_fix_serial(int fd)
{
    static _Thread_local unsigned char page[PAGE_MAX];

    /* Pass 1: check the structure (one logical stream) and hash the
     * contents with the serial and CRC fields blanked out. */
    uint64_t hash = HASH_FNV_START;
    uint32_t serial = 0;
    off_t at = 0;
    for (int first = 1;; first = 0) {
        ssize_t n = read_page(fd, page, at);
        if (n == -1)
            return errno;
        if (n == -2)
            return 0;
        if (n == 0)
            break;
        uint32_t s;
        memcpy(&s, page + SERIAL_AT, 4);
        if (first)
            serial = s;
        else if (s != serial)
            return 0; /* multiplexed: not ours to touch */
        memset(page + SERIAL_AT, 0, 4);
        memset(page + CRC_AT, 0, 4);
        hash = hash_bytes(hash, page, (size_t)n);
        at += n;
    }
    uint32_t new_serial = (uint32_t)(hash ^ (hash >> 32));

    /* Pass 2: write the new serial and the matching CRC into each page. */
    at = 0;
    for (;;) {
        ssize_t n = read_page(fd, page, at);
        if (n == -1)
            return errno;
        if (n <= 0)
            break;
        put_le32(page + SERIAL_AT, new_serial);
        memset(page + CRC_AT, 0, 4);
        put_le32(page + CRC_AT, ogg_crc(page, (size_t)n));
        if (pwrite(fd, page, HEADER_SIZE, at) != HEADER_SIZE)
            return errno != 0 ? errno : EIO;
        at += n;
    }
    return 0;
}
