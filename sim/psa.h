/* psa.h — parameter uncertainty (probabilistic sensitivity analysis): `wlsim run ... --uncertainty U.yaml`.
 *
 * U.yaml maps population and model parameters of the table (docs/parameters.md) to a
 * distribution and a one-line source:
 *
 *     model.pancreas.accept.prob: {dist: beta, alpha: 36, beta: 464, source: "..."}
 *
 * Each replication draws one value per entry, from the stream RNG_PARAMS of (seed, replication)
 * with the sub-stream a hash of the parameter's name, so a parameter's draws do not depend on
 * which other parameters are uncertain, nor on the variant, the thread or the MPI rank. Every
 * variant of a replication runs with the same drawn values (common random numbers extend to the
 * parameters): psa_apply() puts them into a copy of each variant's parameters.
 *
 * Distributions (docs/scenario.md, "Parameter uncertainty"): normal (mean, sd), lognormal
 * (meanlog, sdlog), beta (alpha, beta; on [0, 1] or scaled to [min, max]), gamma (shape, scale),
 * uniform (min, max), triangular (min, mode, max). normal, lognormal and gamma are truncated to
 * [min, max], by default the parameter's range in the table. Untruncated draws use GSL's samplers;
 * truncated ones GSL's quantile functions (one uniform). A zero width (sd 0, min = max) gives the
 * value itself, bit for bit.
 *
 * Errors are FILE:LINE:COL: KEY: expected ..., found ... with ERR_INPUT. */
#ifndef WLSIM_PSA_H
#define WLSIM_PSA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rec.h"
#include "scenario.h"

#define PSA_NAME_LEN 96

/* One row of /draws. */
REC_STRUCT(rec_draw, REC_DRAW); /* fields: sim/rec.h */
_Static_assert(REC_PARAM_LEN == PSA_NAME_LEN, "/draws holds a parameter key");

struct psa;

/* Reads and checks U.yaml at `path` (syntax and distributions only; psa_bind() checks it against
 * the variants). Stores a new psa in *out (free with psa_free) and returns 0, or ERR_INPUT /
 * ERR_INTERNAL with *out NULL. */
int psa_load(const char *path, struct psa **out, struct err *e);

/* As psa_load, from the text (as stored in a results file); `path` names it in messages. */
int psa_load_text(const char *path, const char *text, struct psa **out, struct err *e);

/* Binds p to the variants of a run: every entry must name a real-valued population.* or model.*
 * parameter of every variant (policy.* and run settings are refused), with the same value in
 * every variant; the distribution's support must lie in the parameter's range and contain that
 * value; and each parameter alone at either end of its support must pass the scenario's checks.
 * The draws then use variant 0's `rng` generator. Returns 0 or ERR_INPUT (FILE:LINE:COL). */
int psa_bind(struct psa *p, const struct scenario *const *variants, int n_variants, struct err *e);

/* Number of uncertain parameters, the name of entry j, the text of the file, and its path. */
int psa_n(const struct psa *p);
const char *psa_name(const struct psa *p, int j);
const char *psa_text(const struct psa *p);
const char *psa_path(const struct psa *p);

/* Draws replication rep's values (psa_n of them, in file order) into v. Pure and thread-safe
 * after psa_bind. Returns 0, or ERR_INTERNAL when no generator could be allocated. */
int psa_draw(const struct psa *p, uint64_t seed, int rep, double *v, struct err *e);

/* Makes *copy a copy of variant `variant`'s scenario s with the values v put in. The copy borrows
 * everything from s except its parameter structs (release it with psa_release before s is
 * freed). Returns 0; ERR_INPUT when the drawn values together fail a scenario check (the message
 * names the replication); ERR_INTERNAL out of memory (the copy then needs no release). */
int psa_apply(const struct psa *p, const struct scenario *s, int variant, int rep, const double *v,
              struct scenario *copy, struct err *e);
void psa_release(struct scenario *copy);

/* The resume fingerprint fp continued with the uncertainty text, so that a side file of a run
 * with other distributions (or none) is refused. */
uint64_t psa_fingerprint(const struct psa *p, uint64_t fp);

/* Frees p. NULL is a no-op. */
void psa_free(struct psa *p);

#endif
