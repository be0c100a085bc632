/* ser.c — flat byte buffers of replication results (see ser.h).
 *
 * Layout: a header (magic, variant, replication, the five vector lengths, the checksum of what
 * follows), then the fixed summary and group arrays, then each vector's records back to back.
 * Every part is copied whole, padding included: sim.c zeroes padding, so equal results give
 * equal buffers. */
#include "ser.h"

#include <stdlib.h>
#include <string.h>

#define SER_MAGIC UINT32_C(0x31534c57) /* "WLS1" */

struct ser_head {
    uint32_t magic;
    int32_t variant, replication;
    uint32_t pad;
    uint64_t n[5];              /* cands, donors, tx, episodes, series */
    uint64_t hash;              /* of everything after the header */
};

uint64_t ser_hash(uint64_t h, const void *p, size_t len)
{
    const unsigned char *b = p;
    const uint64_t prime = UINT64_C(0x100000001b3);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * prime;
        h ^= h >> 29;
    }
    for (; i < len; i++) h = (h ^ b[i]) * prime;
    return h;
}

/* The vectors in a fixed order, with their element sizes. */
#define NVEC 5
static const size_t elem[NVEC] = {sizeof(struct rec_cand), sizeof(struct rec_donor), sizeof(struct rec_tx),
                                  sizeof(struct rec_episode), sizeof(struct rec_series)};

static void vecs(const struct rep_result *r, const void *v[NVEC], size_t n[NVEC])
{
    v[0] = r->cands.v, n[0] = r->cands.n;
    v[1] = r->donors.v, n[1] = r->donors.n;
    v[2] = r->tx.v, n[2] = r->tx.n;
    v[3] = r->episodes.v, n[3] = r->episodes.n;
    v[4] = r->series.v, n[4] = r->series.n;
}

int ser_pack(const struct rep_result *r, void **buf, size_t *len, struct err *e)
{
    const void *v[NVEC];
    size_t n[NVEC];
    vecs(r, v, n);
    size_t total = sizeof(struct ser_head) + sizeof r->summary + sizeof r->groups;
    for (int i = 0; i < NVEC; i++) total += n[i] * elem[i];
    unsigned char *b = malloc(total);
    *buf = NULL;
    if (!b) return err_set(e, ERR_INTERNAL, "out of memory packing a result (%zu bytes)", total);
    struct ser_head h;
    memset(&h, 0, sizeof h);
    h.magic = SER_MAGIC;
    h.variant = r->variant;
    h.replication = r->replication;
    for (int i = 0; i < NVEC; i++) h.n[i] = n[i];
    size_t at = sizeof h;
    memcpy(b + at, r->summary, sizeof r->summary), at += sizeof r->summary;
    memcpy(b + at, r->groups, sizeof r->groups), at += sizeof r->groups;
    for (int i = 0; i < NVEC; i++)
        if (n[i]) memcpy(b + at, v[i], n[i] * elem[i]), at += n[i] * elem[i];
    h.hash = ser_hash(SER_HASH_INIT, b + sizeof h, total - sizeof h);
    memcpy(b, &h, sizeof h);
    *buf = b;
    *len = total;
    return 0;
}

/* Copies n records of size sz from *p into a new array stored in *dst. */
static int take(const unsigned char **p, size_t n, size_t sz, void **dst)
{
    *dst = NULL;
    if (!n) return 0;
    if (!(*dst = malloc(n * sz))) return -1;
    memcpy(*dst, *p, n * sz);
    *p += n * sz;
    return 0;
}

int ser_unpack(const void *buf, size_t len, struct rep_result **out, struct err *e)
{
    struct ser_head h;
    *out = NULL;
    if (len < sizeof h) return err_set(e, ERR_INPUT, "result buffer of %zu bytes is shorter than its header", len);
    memcpy(&h, buf, sizeof h);
    if (h.magic != SER_MAGIC) return err_set(e, ERR_INPUT, "result buffer: expected magic WLS1, found another");
    size_t need = sizeof h + sizeof((struct rep_result *)0)->summary + sizeof((struct rep_result *)0)->groups;
    for (int i = 0; i < NVEC; i++) {
        if (h.n[i] > (SIZE_MAX - need) / elem[i]) return err_set(e, ERR_INPUT, "result buffer: record count out of range");
        need += (size_t)h.n[i] * elem[i];
    }
    if (need != len) return err_set(e, ERR_INPUT, "result buffer: expected %zu bytes, found %zu", need, len);
    const unsigned char *p = (const unsigned char *)buf + sizeof h;
    if (ser_hash(SER_HASH_INIT, p, len - sizeof h) != h.hash)
        return err_set(e, ERR_INPUT, "result buffer: checksum mismatch (torn or altered data)");
    struct rep_result *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_INTERNAL, "out of memory");
    r->variant = h.variant;
    r->replication = h.replication;
    memcpy(r->summary, p, sizeof r->summary), p += sizeof r->summary;
    memcpy(r->groups, p, sizeof r->groups), p += sizeof r->groups;
    int bad = take(&p, h.n[0], elem[0], (void **)&r->cands.v) || take(&p, h.n[1], elem[1], (void **)&r->donors.v) ||
              take(&p, h.n[2], elem[2], (void **)&r->tx.v) || take(&p, h.n[3], elem[3], (void **)&r->episodes.v) ||
              take(&p, h.n[4], elem[4], (void **)&r->series.v);
    if (bad) {
        sim_result_free(r);
        return err_set(e, ERR_INTERNAL, "out of memory");
    }
    r->cands.n = r->cands.cap = h.n[0];
    r->donors.n = r->donors.cap = h.n[1];
    r->tx.n = r->tx.cap = h.n[2];
    r->episodes.n = r->episodes.cap = h.n[3];
    r->series.n = r->series.cap = h.n[4];
    *out = r;
    return 0;
}
