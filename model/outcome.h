/* outcome.h — what happens after a transplant: the recipient's survival and the graft's, for
 * heart (and heart-lung) and pancreas (and pancreas-kidney).
 *
 * Every event time is drawn from a proportional-hazards model with a baseline cumulative hazard
 *
 *     H0(t) = early * (1 - exp(-t / early_days)) + late_per_year * t / 365.25      (t in days)
 *
 * whose hazard starts at early / early_days per day and settles to the constant late rate; the
 * covariates multiply it by a hazard ratio hr = exp(beta . x) chosen by what the allocation
 * decided (urgency and dMCS at transplant, recipient and donor age, donor BMI and extended-
 * criteria finding, re-transplant, procedure). One uniform u per event and recipient gives the
 * time T = H0^-1(-ln u / hr) (inversion: P(T > t) = exp(-hr H0(t))). H0 is increasing, so for
 * the same u a smaller hr (a better organ, a less urgent recipient) gives a later event: the
 * same patient transplanted with a better organ lives at least as long (docs/model.md
 * §Outcomes after transplant).
 *
 * This is model/ code: pure functions, no I/O, no globals. Parameters live in each organ
 * policy's parameter struct (struct outc_heart in heart_par, struct outc_pancreas in
 * pancreas_par) and are described by rows of that policy's model_pdefs table. */
#ifndef WLSIM_OUTCOME_H
#define WLSIM_OUTCOME_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "cand.h"

/* A baseline cumulative hazard (see above). All fields >= 0; early_days > 0 when early > 0. */
struct outc_haz {
    double early;           /* cumulative hazard of the early phase (dimensionless) */
    double early_days;      /* time constant of its decay, days */
    double late_per_year;   /* the constant hazard it settles to, 1/year */
};

/* Heart and heart-lung: death after transplant, and the graft failure that is not death and
 * leads to relisting for a re-transplant. */
struct outc_heart {
    struct outc_haz death;  /* baseline: elective (T), no dMCS, recipient <= age limit, donor < 40,
                               first heart transplant */
    double hr_hu;           /* in HU at transplant */
    double hr_dmcs;         /* on durable mechanical circulatory support at transplant */
    double recip_age;       /* recipient age above which hr_recip_old applies, years */
    double hr_recip_old;
    double hr_donor_40;     /* donor age 40-49 */
    double hr_donor_50;     /* donor age 50-54 */
    double hr_donor_55;     /* donor age >= 55 */
    double hr_retx;         /* a re-transplant (the candidate was relisted after graft failure) */
    double hr_heart_lung;   /* heart-lung instead of heart */
    double relist_per_year; /* hazard of a non-fatal graft failure relisted for re-transplant,
                               times the recipient's donor hazard ratio */
};

/* Pancreas and pancreas-kidney: graft failure (return to insulin) and death of the patient. */
struct outc_pancreas {
    struct outc_haz graft;  /* baseline graft failure: pancreas-kidney, donor of the reference
                               age and BMI, no extended-criteria finding */
    struct outc_haz death;  /* baseline death of the recipient */
    double hr_alone;        /* graft failure of a pancreas transplanted alone (not with a kidney) */
    double age_ref;         /* donor age at which the age term is 0, years */
    double beta_age;        /* log hazard ratio per donor year above age_ref (none below) */
    double bmi_ref;         /* donor BMI at which the BMI term is 0, kg/m2 */
    double beta_bmi;        /* log hazard ratio per kg/m2 above bmi_ref (none below) */
    double hr_ecd;          /* the donor's general extended-criteria finding (struct donor .ecd) */
    double relist_days;     /* a graft lost within this many days is always relisted */
    double relist_late_prob;/* a graft lost later is relisted with this probability */
};

/* The course drawn for one transplant. Days on the caller's clock; INFINITY: never. */
struct outc_course {
    double death_day;       /* the recipient dies (with a functioning graft unless relist == 0
                               and graft_fail_day < death_day) */
    double graft_fail_day;  /* the graft fails without the recipient dying (< death_day) */
    int relist;             /* 1: graft_fail_day is finite and the recipient is listed again
                               then; from then on the waiting list decides the patient's fate
                               and death_day is not used */
};

/* H0(t) for t >= 0 days (0 for t <= 0). */
double outc_cumhaz(const struct outc_haz *h, double t_days);

/* Baseline hazard per day at t >= 0 days. */
double outc_hazard(const struct outc_haz *h, double t_days);

/* The t >= 0 with H0(t) = y, or INFINITY when H0 never reaches y (late rate 0 and y >= early).
 * y <= 0 gives 0. Closed form through the Lambert W function. */
double outc_inverse(const struct outc_haz *h, double y);

/* Event time in days after the transplant for uniform u in (0, 1] and hazard ratio hr >= 0:
 * H0^-1(-ln u / hr). Non-increasing in hr and in u; hr == 0 or u == 1: INFINITY. */
double outc_time(const struct outc_haz *h, double hr, double u);

/* Survival probability exp(-hr * H0(t)). */
double outc_surv(const struct outc_haz *h, double hr, double t_days);

/* Hazard ratios of c transplanted with d on `day`: death for the heart, graft failure for the
 * pancreas. donor_hr is the donor-age part alone (which also scales heart relisting). */
double outc_heart_hr(const struct outc_heart *p, const struct cand *c, const struct donor *d,
                     double day, double *donor_hr);
double outc_pancreas_hr(const struct outc_pancreas *p, const struct cand *c, const struct donor *d);

/* Draws the course of c transplanted with d on `day` into *out. Heart: two uniforms (death,
 * graft failure); pancreas: three (graft failure, death, relisting), always all of them, so
 * the stream advances the same way whatever happens. */
void outc_heart_course(const struct outc_heart *p, const struct cand *c, const struct donor *d,
                       double day, gsl_rng *r, struct outc_course *out);
void outc_pancreas_course(const struct outc_pancreas *p, const struct cand *c,
                          const struct donor *d, double day, gsl_rng *r, struct outc_course *out);

/* One observation for a Kaplan–Meier estimate: time >= 0 and whether it is an event (1) or a
 * censoring (0) at that time. */
struct outc_obs {
    double time;
    int event;
};

/* Kaplan–Meier survival at t (events at t included) over o[0..n); NaN when n == 0. Reorders o:
 * only the observations up to t are sorted (by time, events before censorings at equal times,
 * the usual convention that a patient censored on the day of a death was still at risk then);
 * the others only count as at risk. */
double outc_km_at(struct outc_obs *o, size_t n, double t);

/* Restricted mean of the Kaplan–Meier curve over [0, tau]: the area under it, in the unit of
 * time; NaN when n == 0. Reorders o as outc_km_at does. When the last observation before tau is
 * censored the curve is held at its last value (the usual extension). */
double outc_km_rmst(struct outc_obs *o, size_t n, double tau);

#endif
