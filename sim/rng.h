/* rng.h — named, reproducibly seeded random-number streams (GSL generators).
 *
 * Common random numbers (docs/scenario.md, Random streams): every purpose that draws random
 * numbers has its own stream, seeded from (master seed, replication, stream id, sub-stream)
 * by the fixed mixing function below, so that two policy variants run with the same master
 * seed see the same donors and candidates at the same times. The stream ids are fixed numbers
 * (enum rng_stream_id) and, like the mixing and folding below, part of the reproducibility
 * contract of the output file: changing any of them changes every result.
 *
 * Sub-streams. Sub-stream 0 is a stream's main sequence. The engine gives each candidate its
 * own progression randomness by re-seeding one generator with
 *     sub = (uint64_t)candidate_seq << 32 | draw_counter
 * before each of that candidate's progression draws, so a change in who is transplanted does
 * not shift any other candidate's draws. Note that candidate 0's draw 0 is sub 0, i.e. the
 * stream's main sequence: do not use the main sequence of a stream whose sub-streams are used
 * this way (or number candidates from 1).
 *
 * THE ALGORITHM (normative; all arithmetic on uint64_t, i.e. modulo 2^64):
 *
 *   GAMMA = 0x9E3779B97F4A7C15                         (splitmix64's increment)
 *   fmix64(z):  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
 *               z = (z ^ (z >> 27)) * 0x94D049BB133111EB
 *               return z ^ (z >> 31)                   (splitmix64's output finaliser)
 *
 *   rng_mix(master, replication, stream, sub):
 *       h = 0
 *       for w in (master, replication, stream, sub), in this order:
 *           h = fmix64((h + GAMMA) ^ w)
 *       return h != 0 ? h : GAMMA
 *
 *   (With w = 0 the first step is fmix64(GAMMA) = 0xE220A8397B1DCDAF, the first output of
 *   splitmix64 seeded with 0. fmix64 is a bijection with fmix64(0) = 0, so for fixed earlier
 *   words each step maps distinct words to distinct values; h is 0 only for one `sub` per
 *   (master, replication, stream), and that case is mapped to GAMMA.)
 *
 *   rng_gsl_seed(h):                                    (the value given to gsl_rng_set)
 *       x = (h ^ (h >> 32)) mod 2^32                    (fold the two 32-bit halves)
 *       return 1 + x mod (2^31 - 1)                     (in [1, 2^31 - 1], never 0)
 *
 * Why 31 bits: gsl_rng_set() takes an unsigned long, which is 32 bits on some platforms; the
 * GSL generators offered (taus2, mt19937, gfsr4, ...) use at most the low 32 bits of the seed,
 * and ranlxs and ranlxd only the low 31 (a set bit 31 turns negative in their seeding code).
 * One rule for every generator on every platform keeps results identical everywhere, and 0
 * (which several GSL generators silently replace by a default seed) never occurs.
 * Consequence: there are 2^31 - 1 distinct seeds per generator, so among k sub-streams about
 * k^2 / 2^32 pairs share a seed (hence a sequence). For per-candidate sub-streams that only
 * means two unrelated draws coincide; marginal distributions are unaffected.
 *
 * THE COUNTER-BASED GENERATOR "ctr64" (normative too):
 *
 *   A stream is keyed by k = rng_mix(master, replication, stream, sub) itself (all 64 bits, no
 *   folding), and its i-th draw (i = 1, 2, ...) is  x_i = fmix64(k + i * GAMMA),
 *   i.e. splitmix64 started at k. gsl_rng_get() returns x_i >> 32 (max 2^32 - 1), and
 *   gsl_rng_uniform() returns (x_i >> 11) * 2^-53 in [0, 1).
 *
 * It has no state to speak of: re-seeding stores the key and sets i = 0, one hash per draw
 * after that, and keys have 64 bits, so sub-streams do not share seeds as the folded 31-bit
 * seeds of the GSL generators do. Two streams overlap only if their keys lie within a few
 * thousand multiples of GAMMA of each other: for a million streams of ten thousand draws the
 * chance is about 10^-3 over a whole run (splitmix64 itself passes BigCrush: Steele, Lea and
 * Flood, OOPSLA 2014).
 *
 * Threads. A gsl_rng belongs to one replication context; no function here keeps state. */
#ifndef WLSIM_RNG_H
#define WLSIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The stream ids. The numbers are fixed: part of the reproducibility contract. */
enum rng_stream_id {
    RNG_ARRIVALS = 1,     /* candidate arrivals and their attributes */
    RNG_DONORS,           /* donor arrivals and their attributes */
    RNG_PROGRESSION,      /* disease progression (per-candidate sub-streams) */
    RNG_OFFERS,           /* offer decisions (acceptance) */
    RNG_OUTCOMES,         /* post-transplant outcomes */
    RNG_PARAMS,           /* parameter draws of --uncertainty (sim/psa.h; sub-stream: the name's hash) */
    RNG_ATTRIBUTES,       /* candidate attributes drawn per candidate (sub-stream = seq) */
    RNG_N                 /* one past the last id */
};

/* The mixing function of the header comment. Pure; never returns 0. */
uint64_t rng_mix(uint64_t master, uint64_t replication, uint64_t stream, uint64_t sub);

/* rng_mix() in two steps, for a caller that re-seeds one stream with many sub-streams (the
 * engine: a progression, offer or outcome sub-stream per event) and so mixes the first three
 * words once: rng_mix(m, r, s, sub) == rng_mix_sub(rng_mix_prefix(m, r, s), sub) for all
 * arguments. The prefix is h after the third word (it may be 0). Pure. */
uint64_t rng_mix_prefix(uint64_t master, uint64_t replication, uint64_t stream);
uint64_t rng_mix_sub(uint64_t prefix, uint64_t sub);

/* The folding of the header comment: the seed, in [1, 2^31 - 1], that gsl_rng_set() receives
 * for the mix h. Pure. */
unsigned long rng_gsl_seed(uint64_t h);

/* wlsim's counter-based generator (the header comment), a GSL generator type: gsl_rng_alloc,
 * gsl_rng_memcpy and every GSL sampler work with it. Seed it with rng_stream_reseed(), which
 * keys it with all 64 bits of the mix; a plain gsl_rng_set(r, s) keys it with fmix64(s + GAMMA). */
extern const gsl_rng_type *const rng_ctr64;

/* The generator type called `name`: "ctr64" (rng_ctr64), or a GSL type as gsl_rng_name()
 * spells it ("taus2", "mt19937", "ranlxd1", "ranlxs2", "gfsr4", ...), searched in
 * gsl_rng_types_setup(); NULL if name is NULL or unknown. The returned pointer is GSL's static type, never freed. Calls from several
 * threads of this program are serialised (gsl_rng_types_setup() rewrites a GSL table), but
 * the usual place for this is scenario loading, before any parallel region. */
const gsl_rng_type *rng_type_by_name(const char *name);

/* Allocates a generator of type t seeded with rng_gsl_seed(rng_mix(master, rep, stream, sub)).
 * The caller owns it and frees it with gsl_rng_free(). Returns NULL if t is NULL or memory
 * could not be allocated; in the latter case GSL first calls its error handler, whose default
 * aborts, so a program that wants the NULL must install gsl_set_error_handler_off(). */
gsl_rng *rng_stream_alloc(const gsl_rng_type *t, uint64_t master, uint64_t rep, uint64_t stream,
                          uint64_t sub);

/* Re-seeds r in place exactly as rng_stream_alloc() seeds a fresh generator of r's type, so
 * the draws that follow equal a fresh stream's. Allocates nothing; the cost is the
 * generator's own seeding, which differs a lot (re-seed plus one draw, measured on an AMD EPYC
 * VM): ctr64 a few ns (two stores), taus2 ~0.04 us, ranlxd1 ~3 us, ranlxs2 ~4 us, mt19937 ~4 us
 * (624-word state), gfsr4 ~460 us (16384-word state) -- mind this when re-seeding per
 * candidate draw. r must not be NULL. */
void rng_stream_reseed(gsl_rng *r, uint64_t master, uint64_t rep, uint64_t stream, uint64_t sub);

/* rng_stream_reseed(r, master, rep, stream, sub) given prefix = rng_mix_prefix(master, rep,
 * stream): the same state, one mixing step instead of four. r must not be NULL. */
void rng_stream_reseed_sub(gsl_rng *r, uint64_t prefix, uint64_t sub);

/* A short lower-case name for the stream ("arrivals", "donors", "progression", "offers",
 * "outcomes", "params", "attributes"), a static string; NULL for a number that is not a stream id. */
const char *rng_stream_name(enum rng_stream_id id);

#endif
