/* ser.h — a replication's results as one flat byte buffer.
 *
 * The same bytes travel from MPI worker ranks to the writer (sim/mpiw.c) and are kept in the
 * resume side file (sim/ckpt.c). The format is this build's in-memory record layout (records are
 * plain data with zeroed padding, see sim.h), so a buffer is only meaningful to the same program
 * version on the same architecture; ckpt.c guards that with a fingerprint in its header and MPI
 * runs use one binary everywhere. A 64-bit checksum detects torn or altered buffers. */
#ifndef WLSIM_SER_H
#define WLSIM_SER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sim.h"

/* Packs r into a new buffer of *len bytes stored in *buf (free it with free()). Returns 0, or
 * ERR_INTERNAL when out of memory (then *buf is NULL). */
int ser_pack(const struct rep_result *r, void **buf, size_t *len, struct err *e);

/* Rebuilds a result from len bytes at buf. On success returns 0 and stores a new result in *out
 * (free it with sim_result_free). A buffer that is short, has a bad checksum or inconsistent
 * counts gives ERR_INPUT, out of memory ERR_INTERNAL; *out is then NULL. buf is not modified. */
int ser_unpack(const void *buf, size_t len, struct rep_result **out, struct err *e);

/* A 64-bit hash of len bytes (FNV-1a over 8-byte words, then the tail), continuing from h (start
 * with SER_HASH_INIT). Not cryptographic: it detects accidents, not adversaries. */
#define SER_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t ser_hash(uint64_t h, const void *p, size_t len);

#endif
