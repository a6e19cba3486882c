/*
 * hash.h - SHA-256 of memory and of files (OpenSSL's implementation).
 */
#ifndef MUSE_HASH_H
#define MUSE_HASH_H

#include <stddef.h>
#include <stdint.h>

void sha256_buf(const void *data, size_t len, uint8_t out[32]);

/* Hashes a whole file and returns its size; negative errno on failure */
int sha256_file(const char *path, uint8_t out[32], uint64_t *size);

/* 64 hex digits and a NUL */
void sha256_hex(const uint8_t hash[32], char out[65]);
int sha256_parse_hex(const char *hex, uint8_t out[32]);

#endif
