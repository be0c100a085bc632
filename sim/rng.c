/* rng.c — stream seeding for the GSL generators, and wlsim's own counter-based generator
 * "ctr64" (see rng.h for the normative algorithms).
 *
 * Everything here is a pure function of its arguments except rng_type_by_name(), which reads
 * GSL's generator table (and serialises its calls, since building that table writes it). */
#undef NDEBUG
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "rng.h"

#define RNG_GAMMA UINT64_C(0x9E3779B97F4A7C15)

static uint64_t fmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t rng_mix_prefix(uint64_t master, uint64_t replication, uint64_t stream)
{
    const uint64_t w[3] = {master, replication, stream};
    uint64_t h = 0;
    for (int i = 0; i < 3; i++) h = fmix64((h + RNG_GAMMA) ^ w[i]);
    return h;
}

uint64_t rng_mix_sub(uint64_t prefix, uint64_t sub)
{
    const uint64_t h = fmix64((prefix + RNG_GAMMA) ^ sub);
    return h != 0 ? h : RNG_GAMMA;
}

uint64_t rng_mix(uint64_t master, uint64_t replication, uint64_t stream, uint64_t sub)
{
    return rng_mix_sub(rng_mix_prefix(master, replication, stream), sub);
}

/* ---- ctr64: draw i of the stream with key k is fmix64(k + (i + 1) * GAMMA) ----
 * A GSL generator type of our own, so every GSL sampler works with it unchanged. Its state is
 * the key and a counter: re-seeding writes two words, where taus2 runs its seeding warm-up and
 * mt19937 fills 624 words. */
struct ctr_state {
    uint64_t key, n;
};

static inline uint64_t ctr_next(struct ctr_state *st)
{
    st->n++;
    return fmix64(st->key + st->n * RNG_GAMMA);
}

/* Used only by a plain gsl_rng_set() (GSL calls it from gsl_rng_alloc with its default seed);
 * streams are keyed by rng_stream_reseed() with the full 64-bit mix instead. */
static void ctr_set(void *vstate, unsigned long seed)
{
    struct ctr_state *st = vstate;
    st->key = fmix64((uint64_t)seed + RNG_GAMMA);
    st->n = 0;
}

static unsigned long ctr_get(void *vstate)
{
    return (unsigned long)(ctr_next(vstate) >> 32);
}

static double ctr_get_double(void *vstate)
{
    return (double)(ctr_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type ctr64_type = {"ctr64", UINT32_MAX, 0, sizeof(struct ctr_state), ctr_set, ctr_get,
                                        ctr_get_double};
const gsl_rng_type *const rng_ctr64 = &ctr64_type;

unsigned long rng_gsl_seed(uint64_t h)
{
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return 1UL + (unsigned long)(x % UINT32_C(0x7FFFFFFF));
}

const gsl_rng_type *rng_type_by_name(const char *name)
{
    if (!name) return NULL;
    if (strcmp(name, ctr64_type.name) == 0) return rng_ctr64;
    const gsl_rng_type *found = NULL;
#ifdef _OPENMP
#pragma omp critical(wlsim_gsl_rng_types)
#endif
    {
        for (const gsl_rng_type **t = gsl_rng_types_setup(); *t; t++) {
            if (strcmp((*t)->name, name) == 0) {
                found = *t;
                break;
            }
        }
    }
    return found;
}

gsl_rng *rng_stream_alloc(const gsl_rng_type *t, uint64_t master, uint64_t rep, uint64_t stream,
                          uint64_t sub)
{
    if (!t) return NULL;
    gsl_rng *r = gsl_rng_alloc(t);
    if (!r) return NULL;
    rng_stream_reseed(r, master, rep, stream, sub);
    return r;
}

void rng_stream_reseed_sub(gsl_rng *r, uint64_t prefix, uint64_t sub)
{
    assert(r);
    const uint64_t h = rng_mix_sub(prefix, sub);
    if (r->type == rng_ctr64) {
        struct ctr_state *st = r->state;
        st->key = h;
        st->n = 0;
        return;
    }
    gsl_rng_set(r, rng_gsl_seed(h));
}

void rng_stream_reseed(gsl_rng *r, uint64_t master, uint64_t rep, uint64_t stream, uint64_t sub)
{
    rng_stream_reseed_sub(r, rng_mix_prefix(master, rep, stream), sub);
}

const char *rng_stream_name(enum rng_stream_id id)
{
    switch (id) {
    case RNG_ARRIVALS: return "arrivals";
    case RNG_DONORS: return "donors";
    case RNG_PROGRESSION: return "progression";
    case RNG_OFFERS: return "offers";
    case RNG_OUTCOMES: return "outcomes";
    case RNG_PARAMS: return "params";
    case RNG_ATTRIBUTES: return "attributes";
    case RNG_N: break;
    }
    return NULL;
}
