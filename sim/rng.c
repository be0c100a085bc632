/* rng.c — stream seeding for the GSL generators (see rng.h for the normative algorithm).
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

uint64_t rng_mix(uint64_t master, uint64_t replication, uint64_t stream, uint64_t sub)
{
    const uint64_t w[4] = {master, replication, stream, sub};
    uint64_t h = 0;
    for (int i = 0; i < 4; i++) h = fmix64((h + RNG_GAMMA) ^ w[i]);
    return h != 0 ? h : RNG_GAMMA;
}

unsigned long rng_gsl_seed(uint64_t h)
{
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return 1UL + (unsigned long)(x % UINT32_C(0x7FFFFFFF));
}

const gsl_rng_type *rng_type_by_name(const char *name)
{
    if (!name) return NULL;
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

void rng_stream_reseed(gsl_rng *r, uint64_t master, uint64_t rep, uint64_t stream, uint64_t sub)
{
    assert(r);
    gsl_rng_set(r, rng_gsl_seed(rng_mix(master, rep, stream, sub)));
}

const char *rng_stream_name(enum rng_stream_id id)
{
    switch (id) {
    case RNG_ARRIVALS: return "arrivals";
    case RNG_DONORS: return "donors";
    case RNG_PROGRESSION: return "progression";
    case RNG_OFFERS: return "offers";
    case RNG_OUTCOMES: return "outcomes";
    case RNG_ATTRIBUTES: return "attributes";
    case RNG_N: break;
    }
    return NULL;
}
