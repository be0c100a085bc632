/* popn.h — the synthetic population: who is listed, who donates, and when.
 *
 * A deliberately simple model, calibrated in docs/model.md ("Calibration"): listings per
 * programme and donors arrive as Poisson processes; blood group from population shares; age,
 * sex, weight, region and centre from simple distributions. Pure: every draw takes its RNG.
 * The engine draws each new candidate from the arrivals stream and each donor from the donor
 * stream, so two policy variants with the same seed see the same people at the same times. */
#ifndef WLSIM_POPN_H
#define WLSIM_POPN_H

#include <gsl/gsl_rng.h>

#include "cand.h"
#include "pdef.h"

#define POPN_REGIONS 7

struct popn_par {
    double abo_share[ABO_N];          /* O, A, B, AB */
    double listings_per_year[ORGAN_N];
    double heart_lung_share;          /* of heart-programme listings */
    double pancreas_kidney_share;     /* of pancreas-programme listings */
    double heart_child_share;         /* heart listings under 16 */
    double heart_age_mean, heart_age_sd;
    double pancreas_age_mean, pancreas_age_sd;
    double female_share[ORGAN_N];
    double pra_high_share;            /* heart candidates with PRA > 50 % */
    double df_low_share;              /* pancreas candidates with donor frequency < 10 % */
    double su_reason_share[SU_REASON_N]; /* pancreas: SU criterion an application rests on ([0], [RETX] unused) */
    double child_inpatient_share;
    double donors_per_year;
    double donor_age_mean, donor_age_sd;
    double donor_female_share;
    double donor_heart_share;         /* heart offer probability of a young donor */
    double donor_pancreas_share;      /* pancreas offer probability of a young donor */
    double donor_heart_age50, donor_heart_age_scale;       /* logistic decline of the offer */
    double donor_pancreas_age50, donor_pancreas_age_scale; /* probability with donor age */
    double donor_hla_typed_share;
    double donor_bmi_mean, donor_bmi_sd;
    double region_share[POPN_REGIONS];
    int centres[ORGAN_N];             /* transplant programmes per organ */
};

extern const struct pdef popn_pdefs[];
extern const size_t popn_n_pdefs;

/* Region names in the order of region_share (the seven DSO regions). */
const char *popn_region_name(int region);

/* Cross-field checks (shares summing to 1). Returns 0, or -1 with a message naming the fields. */
int popn_validate(const struct popn_par *p, char *msg, size_t len);

/* Fills the attributes of a new candidate of `organ` listed on `day` (c must have been
 * cand_init'ed; prog is set here). Draws from r only. */
void popn_cand(const struct popn_par *p, struct cand *c, enum organ organ, double day, gsl_rng *r);

/* Draws the attributes of candidate c (filled by popn_cand) that later rules added: pancreas
 * su_reason (hypo / insulin / late by su_reason_share, else none; retx is not drawn: it follows
 * from an early relisting). `r` is the candidate's own sub-stream (the engine: RNG_ATTRIBUTES
 * keyed by seq), so these draws shift no other draw. One uniform per pancreas candidate, none for
 * heart candidates (whether an adolescent is still growing is drawn by the heart status model at
 * each HU re-evaluation, child.growing_prob). */
void popn_cand_attr(const struct popn_par *p, struct cand *c, gsl_rng *r);

/* Probability that an organ of a donor aged `age` is offered: share / (1 + exp((age - age50) /
 * scale)), a logistic decline from `share` (young donors) through share / 2 at age50. */
double popn_offer_prob(double share, double age50, double scale, double age);

/* Fills a donor arriving on `day`. Draws from r only. */
void popn_donor(const struct popn_par *p, struct donor *d, uint32_t seq, double day, gsl_rng *r);

#endif
