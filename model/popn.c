/* popn.c — the synthetic population model (see popn.h). Defaults are calibrated against
 * docs/calibration.md where a figure exists; docs/model.md gives each derivation. */
#include "popn.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define OFF(f) offsetof(struct popn_par, f)
#define CAL "docs/calibration.md"
#define PH "assumption, no figure (docs/model.md §Calibration)"

const struct pdef popn_pdefs[] = {
    {"abo.O", PD_DOUBLE, OFF(abo_share[ABO_O]), 0.41, 0, 1, "share", NULL, "Share of blood group O among candidates and donors.", CAL " General: ABO in the German population"},
    {"abo.A", PD_DOUBLE, OFF(abo_share[ABO_A]), 0.43, 0, 1, "share", NULL, "Share of blood group A.", CAL " General"},
    {"abo.B", PD_DOUBLE, OFF(abo_share[ABO_B]), 0.11, 0, 1, "share", NULL, "Share of blood group B.", CAL " General"},
    {"abo.AB", PD_DOUBLE, OFF(abo_share[ABO_AB]), 0.05, 0, 1, "share", NULL, "Share of blood group AB.", CAL " General"},
    {"heart.listings_per_year", PD_DOUBLE, OFF(listings_per_year[ORGAN_HEART]), 443, 0, 1e5, "1/year", NULL, "First listings for heart and heart-lung per year (Poisson); relistings after graft failure come on top.", "derived: 460 listings (477 in 2015, 440 in 2017) minus ~17 relistings/year after graft failure (docs/model.md §Outcomes after transplant)"},
    {"heart.heart_lung_share", PD_DOUBLE, OFF(heart_lung_share), 0.01, 0, 1, "share", NULL, "Share of heart-programme listings that are for heart-lung.", CAL " Heart: a handful of heart-lung transplants a year"},
    {"heart.child_share", PD_DOUBLE, OFF(heart_child_share), 0.06, 0, 1, "share", NULL, "Share of heart-programme listings under 16 years.", PH},
    {"heart.age_mean", PD_DOUBLE, OFF(heart_age_mean), 52, 16, 90, "years", NULL, "Mean age of adult heart candidates at listing (normal, truncated to 16..75).", PH},
    {"heart.age_sd", PD_DOUBLE, OFF(heart_age_sd), 12, 0, 50, "years", NULL, "Standard deviation of adult heart candidates' age at listing.", PH},
    {"heart.female_share", PD_DOUBLE, OFF(female_share[ORGAN_HEART]), 0.25, 0, 1, "share", NULL, "Share of women among heart candidates.", PH},
    {"heart.pra_high_share", PD_DOUBLE, OFF(pra_high_share), 0.05, 0, 1, "share", NULL, "Share of heart candidates with PRA above 50 %.", PH},
    {"heart.child_inpatient_share", PD_DOUBLE, OFF(child_inpatient_share), 0.5, 0, 1, "share", NULL, "Share of child heart candidates treated as in-patients.", PH},
    {"heart.centres", PD_INT, OFF(centres[ORGAN_HEART]), 20, 1, 100, "count", NULL, "Heart transplant programmes (centre i lies in region i mod 7).", CAL " General: about 20 heart programmes"},
    {"pancreas.listings_per_year", PD_DOUBLE, OFF(listings_per_year[ORGAN_PANCREAS]), 175, 0, 1e5, "1/year", NULL, "First listings for pancreas and pancreas-kidney per year (Poisson); relistings after graft loss come on top.", "derived: 185 listings (2015) minus ~10 relistings/year after graft loss (95 tx x 11 %) (docs/model.md §Calibration)"},
    {"pancreas.kidney_share", PD_DOUBLE, OFF(pancreas_kidney_share), 0.8, 0, 1, "share", NULL, "Share of pancreas-programme listings that are pancreas-kidney.", PH},
    {"pancreas.age_mean", PD_DOUBLE, OFF(pancreas_age_mean), 45, 18, 90, "years", NULL, "Mean age of pancreas candidates at listing (normal, truncated to 18..75).", PH},
    {"pancreas.age_sd", PD_DOUBLE, OFF(pancreas_age_sd), 9, 0, 50, "years", NULL, "Standard deviation of pancreas candidates' age at listing.", PH},
    {"pancreas.female_share", PD_DOUBLE, OFF(female_share[ORGAN_PANCREAS]), 0.4, 0, 1, "share", NULL, "Share of women among pancreas candidates.", PH},
    {"pancreas.df_low_share", PD_DOUBLE, OFF(df_low_share), 0.05, 0, 1, "share", NULL, "Share of pancreas candidates with donor frequency below 10 %.", "docs/rules.md: may be drawn from a distribution; " PH},
    {"pancreas.su_reason.hypo_share", PD_DOUBLE, OFF(su_reason_share[SU_REASON_HYPO]), 0.5, 0, 1, "share", NULL, "Share of pancreas candidates whose SU application would rest on hypoglycaemia unawareness or failed counter-regulation (003 §III.5.2.1; preferred within SU).", "assumption, no figure: the main indication for pancreas transplant alone (docs/model.md §Calibration)"},
    {"pancreas.su_reason.insulin_share", PD_DOUBLE, OFF(su_reason_share[SU_REASON_INSULIN]), 0.25, 0, 1, "share", NULL, "Share of pancreas candidates whose SU would rest on an insufficient effect of insulin therapy.", PH},
    {"pancreas.su_reason.late_share", PD_DOUBLE, OFF(su_reason_share[SU_REASON_LATE]), 0.25, 0, 1, "share", NULL, "Share of pancreas candidates whose SU would rest on a rapidly progressive diabetic late syndrome.", PH},
    {"pancreas.centres", PD_INT, OFF(centres[ORGAN_PANCREAS]), 24, 1, 100, "count", NULL, "Pancreas transplant programmes (centre i lies in region i mod 7).", CAL " General: about 24 pancreas programmes (2015)"},
    {"donors.per_year", PD_DOUBLE, OFF(donors_per_year), 884, 0, 1e5, "1/year", NULL, "Postmortem organ donors per year (Poisson).", CAL " postmortem organ donors 2015-2019: 877, 857, 797, 955, 932, mean 884"},
    {"donors.age_mean", PD_DOUBLE, OFF(donor_age_mean), 50, 0, 100, "years", NULL, "Mean donor age (normal, truncated to 0..90).", PH},
    {"donors.age_sd", PD_DOUBLE, OFF(donor_age_sd), 17, 0, 50, "years", NULL, "Standard deviation of donor age.", PH},
    {"donors.female_share", PD_DOUBLE, OFF(donor_female_share), 0.45, 0, 1, "share", NULL, "Share of female donors.", PH},
    {"donors.heart_share", PD_DOUBLE, OFF(donor_heart_share), 0.63, 0, 1, "probability", NULL, "Probability that a young donor's heart is offered for transplant; it falls logistically with age (heart_age50, heart_age_scale).", "derived: 300 heart tx/year (2015-2019) = 0.34 of 884 donors, ~3 % not placed; / mean age weight 0.554 (docs/model.md §Calibration)"},
    {"donors.heart_age50", PD_DOUBLE, OFF(donor_heart_age50), 53, 0, 1000, "years", NULL, "Donor age at which the heart offer probability is half of heart_share (a large value: no age effect).", "derived: median age 41 of heart donors (2023) with donors.age_* (docs/model.md §Calibration)"},
    {"donors.heart_age_scale", PD_DOUBLE, OFF(donor_heart_age_scale), 8, 0.1, 100, "years", NULL, "Scale of the logistic decline of the heart offer probability with donor age.", "assumption: a gradual decline (offer probability 0.88 x share at 37, 0.12 x share at 69 years)"},
    {"donors.pancreas_share", PD_DOUBLE, OFF(donor_pancreas_share), 1.0, 0, 1, "probability", NULL, "Probability that a young donor's pancreas is offered (never under 2 years); it falls logistically with age (pancreas_age50, pancreas_age_scale).", "derived: 95 tx/year / 37 % placed = 257 offered = 0.29 of donors; every young pancreas offered (docs/model.md §Calibration)"},
    {"donors.pancreas_age50", PD_DOUBLE, OFF(donor_pancreas_age50), 40, 0, 1000, "years", NULL, "Donor age at which the pancreas offer probability is half of pancreas_share (a large value: no age effect).", "derived: 0.29 of donors offered, median age of pancreas donors 31 (2023) (docs/model.md §Calibration)"},
    {"donors.pancreas_age_scale", PD_DOUBLE, OFF(donor_pancreas_age_scale), 4, 0.1, 100, "years", NULL, "Scale of the logistic decline of the pancreas offer probability with donor age.", "assumption: a steep decline keeps the median close to 31 (docs/model.md §Calibration)"},
    {"donors.hla_typed_share", PD_DOUBLE, OFF(donor_hla_typed_share), 0.5, 0, 1, "share", NULL, "Share of donors whose HLA typing is available at allocation.", PH},
    {"donors.bmi_mean", PD_DOUBLE, OFF(donor_bmi_mean), 26, 10, 60, "kg/m2", NULL, "Mean donor BMI (normal, truncated to 14..50).", PH},
    {"donors.bmi_sd", PD_DOUBLE, OFF(donor_bmi_sd), 4.5, 0, 20, "kg/m2", NULL, "Standard deviation of donor BMI.", PH},
    {"regions.nord", PD_DOUBLE, OFF(region_share[0]), 153.0 / 955, 0, 1, "share", NULL, "Share of donors and candidates in DSO region Nord.", CAL " donors by region 2018"},
    {"regions.nord_ost", PD_DOUBLE, OFF(region_share[1]), 126.0 / 955, 0, 1, "share", NULL, "Share in DSO region Nord-Ost.", CAL " donors by region 2018"},
    {"regions.nrw", PD_DOUBLE, OFF(region_share[2]), 163.0 / 955, 0, 1, "share", NULL, "Share in DSO region Nordrhein-Westfalen.", CAL " donors by region 2018"},
    {"regions.mitte", PD_DOUBLE, OFF(region_share[3]), 117.0 / 955, 0, 1, "share", NULL, "Share in DSO region Mitte.", CAL " donors by region 2018"},
    {"regions.ost", PD_DOUBLE, OFF(region_share[4]), 142.0 / 955, 0, 1, "share", NULL, "Share in DSO region Ost.", CAL " donors by region 2018"},
    {"regions.bayern", PD_DOUBLE, OFF(region_share[5]), 128.0 / 955, 0, 1, "share", NULL, "Share in DSO region Bayern.", CAL " donors by region 2018"},
    {"regions.bw", PD_DOUBLE, OFF(region_share[6]), 126.0 / 955, 0, 1, "share", NULL, "Share in DSO region Baden-Wuerttemberg.", CAL " donors by region 2018"},
};
const size_t popn_n_pdefs = sizeof popn_pdefs / sizeof popn_pdefs[0];

static const char *const REGION_NAMES[POPN_REGIONS] = {
    "Nord", "Nord-Ost", "Nordrhein-Westfalen", "Mitte", "Ost", "Bayern", "Baden-Wuerttemberg"};

const char *popn_region_name(int region)
{
    return region >= 0 && region < POPN_REGIONS ? REGION_NAMES[region] : "?";
}

static int sums_to_one(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return fabs(s - 1.0) <= 1e-6;
}

int popn_validate(const struct popn_par *p, char *msg, size_t len)
{
    if (!sums_to_one(p->abo_share, ABO_N)) {
        snprintf(msg, len, "population.abo: expected O + A + B + AB = 1, found %g",
                 p->abo_share[0] + p->abo_share[1] + p->abo_share[2] + p->abo_share[3]);
        return -1;
    }
    double su = p->su_reason_share[SU_REASON_HYPO] + p->su_reason_share[SU_REASON_INSULIN]
                + p->su_reason_share[SU_REASON_LATE];
    if (su > 1.0 + 1e-9) {
        snprintf(msg, len, "population.pancreas.su_reason: expected hypo_share + insulin_share + "
                 "late_share <= 1, found %g", su);
        return -1;
    }
    if (!sums_to_one(p->region_share, POPN_REGIONS)) {
        double s = 0;
        for (int i = 0; i < POPN_REGIONS; i++) s += p->region_share[i];
        snprintf(msg, len, "population.regions: expected the seven shares to sum to 1, found %g", s);
        return -1;
    }
    return 0;
}

/* Index drawn from shares that sum to 1 (the last index takes rounding leftovers). */
static int draw_share(const double *share, int n, gsl_rng *r)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += share[i];
        if (u < acc) return i;
    }
    return n - 1;
}

static double trunc_normal(gsl_rng *r, double mean, double sd, double lo, double hi)
{
    double x = mean + gsl_ran_gaussian_ziggurat(r, sd);
    return x < lo ? lo : x > hi ? hi : x;
}

/* A centre of `organ` in `region`: centres are dealt to regions round-robin. */
static int draw_centre(const struct popn_par *p, enum organ organ, int region, gsl_rng *r)
{
    int n = p->centres[organ];
    int in_region = n / POPN_REGIONS + (region < n % POPN_REGIONS ? 1 : 0);
    if (in_region == 0) return (int)gsl_rng_uniform_int(r, (unsigned long)n);
    return region + POPN_REGIONS * (int)gsl_rng_uniform_int(r, (unsigned long)in_region);
}

void popn_cand(const struct popn_par *p, struct cand *c, enum organ organ, double day, gsl_rng *r)
{
    double age;
    c->abo = (enum abo)draw_share(p->abo_share, ABO_N, r);
    c->sex = gsl_rng_uniform(r) < p->female_share[organ] ? SEX_F : SEX_M;
    c->region = draw_share(p->region_share, POPN_REGIONS, r);
    c->center = draw_centre(p, organ, c->region, r);
    if (organ == ORGAN_HEART) {
        c->prog = gsl_rng_uniform(r) < p->heart_lung_share ? PROG_HEART_LUNG : PROG_HEART;
        if (gsl_rng_uniform(r) < p->heart_child_share) {
            age = 16.0 * gsl_rng_uniform(r);
            c->inpatient = gsl_rng_uniform(r) < p->child_inpatient_share;
        } else {
            age = trunc_normal(r, p->heart_age_mean, p->heart_age_sd, 16, 75);
        }
        c->pra = gsl_rng_uniform(r) < p->pra_high_share ? 50.0 + 50.0 * gsl_rng_uniform(r)
                                                         : 50.0 * gsl_rng_uniform(r);
    } else {
        c->prog = gsl_rng_uniform(r) < p->pancreas_kidney_share ? PROG_PANCREAS_KIDNEY : PROG_PANCREAS;
        age = trunc_normal(r, p->pancreas_age_mean, p->pancreas_age_sd, 18, 75);
        c->df_low = gsl_rng_uniform(r) < p->df_low_share;
    }
    /* Weight follows age (children) or sex (adults): enough for size-match rules to bite. */
    if (age < 16)
        c->weight_kg = 3.5 + 3.5 * age + gsl_ran_gaussian_ziggurat(r, 1.0 + 0.3 * age);
    else
        c->weight_kg = trunc_normal(r, c->sex == SEX_F ? 68 : 84, 13, 40, 160);
    if (c->weight_kg < 2.5) c->weight_kg = 2.5;
    c->height_cm = age < 16 ? 50 + 6.5 * age : (c->sex == SEX_F ? 165 : 178);
    if (c->prog == PROG_HEART_LUNG) c->tlc_l = (c->sex == SEX_F ? 5.0 : 6.5) + gsl_ran_gaussian_ziggurat(r, 0.6);
    c->birth_day = day - age * 365.25;
}

void popn_cand_attr(const struct popn_par *p, struct cand *c, gsl_rng *r)
{
    if (prog_organ(c->prog) != ORGAN_PANCREAS) return;
    static const enum su_reason DRAWN[] = {SU_REASON_HYPO, SU_REASON_INSULIN, SU_REASON_LATE};
    double u = gsl_rng_uniform(r), acc = 0;
    c->su_reason = SU_REASON_NONE;
    for (size_t i = 0; i < sizeof DRAWN / sizeof DRAWN[0]; i++) {
        acc += p->su_reason_share[DRAWN[i]];
        if (u < acc) {
            c->su_reason = DRAWN[i];
            break;
        }
    }
}

double popn_offer_prob(double share, double age50, double scale, double age)
{
    return share / (1.0 + exp((age - age50) / scale));
}

void popn_donor(const struct popn_par *p, struct donor *d, uint32_t seq, double day, gsl_rng *r)
{
    memset(d, 0, sizeof *d);
    d->seq = seq;
    d->day = day;
    d->abo = (enum abo)draw_share(p->abo_share, ABO_N, r);
    d->sex = gsl_rng_uniform(r) < p->donor_female_share ? SEX_F : SEX_M;
    d->age_years = trunc_normal(r, p->donor_age_mean, p->donor_age_sd, 0, 90);
    d->region = draw_share(p->region_share, POPN_REGIONS, r);
    d->hla_typed = gsl_rng_uniform(r) < p->donor_hla_typed_share;
    if (d->age_years < 16)
        d->weight_kg = 3.5 + 3.5 * d->age_years + gsl_ran_gaussian_ziggurat(r, 1.0 + 0.3 * d->age_years);
    else
        d->weight_kg = trunc_normal(r, d->sex == SEX_F ? 70 : 83, 13, 40, 160);
    if (d->weight_kg < 2.5) d->weight_kg = 2.5;
    d->height_cm = d->age_years < 16 ? 50 + 6.5 * d->age_years : (d->sex == SEX_F ? 165 : 178);
    d->tlc_l = d->age_years < 16 ? 1.0 + 0.3 * d->age_years : (d->sex == SEX_F ? 5.0 : 6.5);
    d->bmi = trunc_normal(r, p->donor_bmi_mean, p->donor_bmi_sd, 14, 50);
    d->waist_cm = d->bmi * (d->sex == SEX_F ? 3.3 : 3.6);
    d->cpr_min = NAN;
    d->icu_days = NAN;
    d->sodium = NAN;
    d->offer_heart = gsl_rng_uniform(r) < popn_offer_prob(p->donor_heart_share, p->donor_heart_age50,
                                                          p->donor_heart_age_scale, d->age_years);
    d->offer_pancreas = d->age_years >= 2
                        && gsl_rng_uniform(r) < popn_offer_prob(p->donor_pancreas_share,
                                                                p->donor_pancreas_age50,
                                                                p->donor_pancreas_age_scale,
                                                                d->age_years);
}
