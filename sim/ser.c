/* ser.c — flat byte buffers of replication results (see ser.h).
 *
 * Layout: a header (magic, variant, replication, the lengths of the vectors of
 * SIM_RESULT_VECTORS, the checksum of what follows), then the fixed summary and group arrays, then
 * each vector's records back to back, in the order of SIM_RESULT_VECTORS (sim.h).
 * Every part is copied whole, padding included: sim.c zeroes padding, so equal results give
 * equal buffers. */
#include "ser.h"

#include <stdlib.h>
#include <string.h>

#define SER_MAGIC UINT32_C(0x31534c57) /* "WLS1" */

/* The vectors in the order of SIM_RESULT_VECTORS, with their element sizes. */
#define ONE(m, tag, id) +1
enum { NVEC = 0 SIM_RESULT_VECTORS(ONE) };
#undef ONE
#define SIZE(m, tag, id) sizeof(struct tag),
static const size_t elem[NVEC] = {SIM_RESULT_VECTORS(SIZE)};
#undef SIZE

static void vecs(const struct rep_result *r, const void *v[NVEC], size_t n[NVEC])
{
    int i = 0;
#define AT(m, tag, id) v[i] = r->m.v, n[i] = r->m.n, i++;
    SIM_RESULT_VECTORS(AT)
#undef AT
}

struct ser_head {
    uint32_t magic;
    int32_t variant, replication;
    uint32_t pad;
    uint64_t n[NVEC];           /* the vectors' lengths */
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
    int bad = 0, i = 0;
#define TAKE(m, tag, id) bad = bad || take(&p, h.n[i], elem[i], (void **)&r->m.v), i++;
    SIM_RESULT_VECTORS(TAKE)
#undef TAKE
    if (bad) {
        sim_result_free(r);
        return err_set(e, ERR_INTERNAL, "out of memory");
    }
    i = 0;
#define LEN(m, tag, id) r->m.n = r->m.cap = h.n[i], i++;
    SIM_RESULT_VECTORS(LEN)
#undef LEN
    *out = r;
    return 0;
}
