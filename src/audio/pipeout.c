/*
 * pipeout.c -- writing audio to a pipe with libsndfile; see pipeout.h.
 *
 * What libsndfile does when it writes a WAV file (1.2, seen through a
 * virtual file): it writes the header at offset 0 when opened, again just
 * before the first audio (settings such as "no PEAK chunk" change it), then
 * the audio sequentially from the end of the header, and at sf_close the
 * header once more with the real lengths.  So: a write at offset 0 before
 * any audio replaces the held header; the first write past it is audio,
 * which sends the header (with placeholder lengths) and starts the stream;
 * later writes inside the sent part are header rewrites, dropped; any other
 * write would need a seek the pipe cannot do, and fails.
 */
#define _POSIX_C_SOURCE 200809L

#include "pipeout.h"
#include "sfio.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int pipeout_writable(int major)
{
    /* Tried on libsndfile 1.2 with sf_open_fd on a pipe: AU and FLAC
     * stream and read back whole; WAV goes through the virtual file.
     * Ogg streams too, but its serial number is random unless fixed by
     * seeking back (oggserial.h), which would break byte-identical
     * outputs; MP3 and the rare formats are left out until needed. */
    return major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX ||
           major == SF_FORMAT_AU || major == SF_FORMAT_FLAC;
}

int pipeout_error(const struct pipeout *p)
{
    return p->err;
}

/* Writes all of buf[n] to the descriptor; records the first error. */
static void send_all(struct pipeout *p, const unsigned char *buf, size_t n)
{
    while (n > 0 && p->err == 0) {
        ssize_t w = write(p->fd, buf, n);
        if (w < 0) {
            if (errno != EINTR)
                p->err = errno;
            continue;
        }
        buf += w;
        n -= (size_t)w;
    }
}

static void flush(struct pipeout *p)
{
    send_all(p, p->buf, p->buf_len);
    p->buf_len = 0;
}

static void put(struct pipeout *p, const unsigned char *data, size_t n)
{
    if (p->buf_len + n > sizeof p->buf) {
        flush(p);
        if (n >= sizeof p->buf) {
            send_all(p, data, n);
            return;
        }
    }
    memcpy(p->buf + p->buf_len, data, n);
    p->buf_len += n;
}

static uint32_t get_le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static void set_le32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

/* Sets the held RIFF header's lengths to "unknown": sox's placeholder for
 * the data chunk, the RIFF size to match, and the frame count of a "fact"
 * chunk (float and compressed subtypes) to the frames that would fill it.
 * The data chunk must be the last one of the header.  Returns 0, or -1
 * when the header is not laid out that way. */
static int patch_header(struct pipeout *p)
{
    unsigned char *h = p->head;
    size_t n = p->head_len;
    if (n < 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
        return -1;
    uint32_t data = PIPEOUT_WAV_DATA_BYTES;
    unsigned block_align = 0;
    unsigned char *fact = NULL;
    for (size_t at = 12; at + 8 <= n;) {
        uint32_t size = get_le32(h + at + 4);
        if (memcmp(h + at, "data", 4) == 0) {
            if (at + 8 != n)
                return -1;
            if (block_align > 1)
                data -= data % block_align;
            set_le32(h + at + 4, data);
            set_le32(h + 4, data + (uint32_t)n - 8);
            if (fact != NULL && block_align > 0)
                set_le32(fact, data / block_align);
            return 0;
        }
        if (memcmp(h + at, "fmt ", 4) == 0 && size >= 14 && at + 22 <= n)
            block_align = (unsigned)h[at + 20] | (unsigned)h[at + 21] << 8;
        if (memcmp(h + at, "fact", 4) == 0 && size >= 4 && at + 12 <= n)
            fact = h + at + 8;
        /* Chunks are padded to an even size. */
        at += 8 + (size_t)size + (size & 1);
    }
    return -1;
}

/* ---- the virtual file libsndfile writes WAV into ----------------------- */

static sf_count_t vio_length(void *user)
{
    struct pipeout *p = user;
    return p->committed ? p->end : (sf_count_t)p->head_len;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    struct pipeout *p = user;
    sf_count_t base = whence == SEEK_CUR   ? p->pos
                      : whence == SEEK_END ? vio_length(user)
                                           : 0;
    if (base + offset < 0)
        return -1;
    p->pos = base + offset;
    return p->pos;
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    (void)ptr;
    (void)count;
    (void)user;
    return 0; /* a pipe being written is never read back */
}

static sf_count_t vio_tell(void *user)
{
    return ((struct pipeout *)user)->pos;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    struct pipeout *p = user;
    const unsigned char *data = ptr;
    if (count <= 0)
        return 0;
    if (!p->committed) {
        if (p->pos == 0) {
            /* (Re)writing the header. */
            if ((size_t)count > sizeof p->head) {
                p->err = EFBIG;
                return 0;
            }
            memcpy(p->head, data, (size_t)count);
            p->head_len = (size_t)count;
            p->pos = count;
            return count;
        }
        if (p->pos != (sf_count_t)p->head_len || patch_header(p) != 0) {
            p->err = ESPIPE;
            return 0;
        }
        p->committed = 1;
        put(p, p->head, p->head_len);
        p->end = (long long)p->head_len;
    }
    if (p->pos + count <= p->end) {
        /* The header again, with lengths a pipe cannot take back. */
        p->pos += count;
        return count;
    }
    if (p->pos != p->end) {
        p->err = ESPIPE;
        return 0;
    }
    put(p, data, (size_t)count);
    p->pos += count;
    p->end = p->pos;
    return p->err == 0 ? count : 0;
}

SNDFILE *pipeout_open(struct pipeout *p, int fd, SF_INFO *info, char *reason,
                      size_t size)
{
    memset(p, 0, sizeof *p);
    p->fd = fd;
    int major = info->format & SF_FORMAT_TYPEMASK;
    if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX)
        return sfio_open_write_fd(fd, info, reason, size);
    p->via_virtual = 1;
    static SF_VIRTUAL_IO vio = {vio_length, vio_seek, vio_read, vio_write,
                                vio_tell};
    return sfio_open_write_virtual(&vio, p, info, reason, size);
}

int pipeout_finish(struct pipeout *p)
{
    if (p->via_virtual && !p->committed && p->err == 0) {
        /* No audio at all: the held header is the one sf_close wrote, with
         * the true (zero) lengths, so it goes out as it is. */
        put(p, p->head, p->head_len);
        p->committed = 1;
    }
    flush(p);
    return p->err;
}
