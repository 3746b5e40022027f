/*
 * hash.h -- FNV-1a 64, the one hash of byte strings that decides output
 * bytes or placement (Ogg serial numbers, dither seeds, --shard): stable
 * across runs, machines and versions, so it must never change.
 */
#ifndef TEMPITCH_AUDIO_HASH_H
#define TEMPITCH_AUDIO_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The hash of no bytes, to start from. */
#define HASH_FNV_START 0xcbf29ce484222325u

/* Continues hash `h` over bytes p[0..n). */
static inline uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3u; /* FNV 64 prime */
    }
    return h;
}

/* The hash of a C string. */
static inline uint64_t hash_text(const char *text)
{
    return hash_bytes(HASH_FNV_START, text, strlen(text));
}

#endif /* TEMPITCH_AUDIO_HASH_H */
