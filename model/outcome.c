/* outcome.c — survival and graft failure after a transplant (see outcome.h), and the
 * Kaplan–Meier estimates the engine summarises them with. */
#include "outcome.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sf_lambert.h>

#define DAYS_PER_YEAR 365.25

double outc_cumhaz(const struct outc_haz *h, double t)
{
    if (!(t > 0)) return 0.0;
    double e = h->early > 0 ? h->early * -expm1(-t / h->early_days) : 0.0;
    return e + h->late_per_year * t / DAYS_PER_YEAR;
}

double outc_hazard(const struct outc_haz *h, double t)
{
    if (t < 0) t = 0;
    double e = h->early > 0 ? h->early / h->early_days * exp(-t / h->early_days) : 0.0;
    return e + h->late_per_year / DAYS_PER_YEAR;
}

/* w with w + ln w = L (w e^w = e^L) for L too large for exp(): Newton from the asymptote. */
static double lambert_w_log(double L)
{
    double w = L - log(L);
    for (int i = 0; i < 4; i++) w -= (w + log(w) - L) / (1.0 + 1.0 / w);
    return w;
}

/* With s = t / tau, b the late rate per day, a = early: a (1 - e^-s) + b tau s = y. Put
 * c = (y - a) / (b tau), k = a / (b tau): s = c + k e^-s, so w = s - c solves w e^w = k e^-c,
 * w = W0(k e^-c), t = tau (c + w). Two Newton steps on H0(t) = y then clean up the rounding
 * of c + w (c can be large and negative when the late rate is small). */
double outc_inverse(const struct outc_haz *h, double y)
{
    if (!(y > 0)) return 0.0;
    const double a = h->early > 0 ? h->early : 0.0, b = h->late_per_year / DAYS_PER_YEAR;
    if (!(b > 0)) {
        if (!(a > 0) || y >= a) return INFINITY;
        return -h->early_days * log1p(-y / a);
    }
    if (!(a > 0)) return y / b;
    const double tau = h->early_days, c = (y - a) / (b * tau), k = a / (b * tau);
    const double L = log(k) - c;
    const double w = L < 700 ? gsl_sf_lambert_W0(exp(L)) : lambert_w_log(L);
    double t = tau * (c + w);
    if (t < 0) t = 0;
    for (int i = 0; i < 2; i++) {
        t -= (outc_cumhaz(h, t) - y) / outc_hazard(h, t);
        if (t < 0) t = 0;
    }
    return t;
}

double outc_time(const struct outc_haz *h, double hr, double u)
{
    if (!(hr > 0) || !(u < 1.0)) return INFINITY;
    return outc_inverse(h, -log(u) / hr);
}

double outc_surv(const struct outc_haz *h, double hr, double t)
{
    return exp(-hr * outc_cumhaz(h, t));
}

static double donor_age_hr(const struct outc_heart *p, double age)
{
    if (!(age >= 40)) return 1.0; /* NaN (unknown) counts as the reference band */
    if (age < 50) return p->hr_donor_40;
    if (age < 55) return p->hr_donor_50;
    return p->hr_donor_55;
}

double outc_heart_hr(const struct outc_heart *p, const struct cand *c, const struct donor *d,
                     double day, double *donor_hr)
{
    double dh = donor_age_hr(p, d->age_years);
    double hr = dh;
    if (c->w.status == ST_HU) hr *= p->hr_hu;
    if (c->dmcs) hr *= p->hr_dmcs;
    if (cand_age(c, day) > p->recip_age) hr *= p->hr_recip_old;
    if (isfinite(c->prior_tx_day)) hr *= p->hr_retx;
    if (c->prog == PROG_HEART_LUNG) hr *= p->hr_heart_lung;
    if (donor_hr) *donor_hr = dh;
    return hr;
}

double outc_pancreas_hr(const struct outc_pancreas *p, const struct cand *c, const struct donor *d)
{
    double x = 0.0;
    if (d->age_years > p->age_ref) x += p->beta_age * (d->age_years - p->age_ref);
    if (d->bmi > p->bmi_ref) x += p->beta_bmi * (d->bmi - p->bmi_ref);
    double hr = exp(x);
    if (d->ecd) hr *= p->hr_ecd;
    if (c->prog == PROG_PANCREAS) hr *= p->hr_alone;
    return hr;
}

void outc_heart_course(const struct outc_heart *p, const struct cand *c, const struct donor *d,
                       double day, gsl_rng *r, struct outc_course *out)
{
    const double u_death = gsl_rng_uniform_pos(r), u_graft = gsl_rng_uniform_pos(r);
    double dh;
    const double hr = outc_heart_hr(p, c, d, day, &dh);
    const struct outc_haz relist = {0.0, 1.0, p->relist_per_year};
    out->death_day = day + outc_time(&p->death, hr, u_death);
    double fail = day + outc_time(&relist, dh, u_graft);
    out->relist = fail < out->death_day;
    out->graft_fail_day = out->relist ? fail : INFINITY;
}

void outc_pancreas_course(const struct outc_pancreas *p, const struct cand *c,
                          const struct donor *d, double day, gsl_rng *r, struct outc_course *out)
{
    const double u_graft = gsl_rng_uniform_pos(r), u_death = gsl_rng_uniform_pos(r);
    const double u_relist = gsl_rng_uniform(r);
    out->death_day = day + outc_time(&p->death, 1.0, u_death);
    double fail = day + outc_time(&p->graft, outc_pancreas_hr(p, c, d), u_graft);
    if (!(fail < out->death_day)) {
        out->graft_fail_day = INFINITY;
        out->relist = 0;
        return;
    }
    out->graft_fail_day = fail;
    out->relist = fail - day <= p->relist_days || u_relist < p->relist_late_prob;
}

static int obs_cmp(const void *pa, const void *pb)
{
    const struct outc_obs *a = pa, *b = pb;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    return b->event - a->event;
}

/* Moves the observations with time <= t (inclusive) or < t to the front, sorts them, and
 * returns how many they are: the Kaplan–Meier estimates up to t need no order among the rest,
 * which are all still at risk then. */
static size_t km_prefix(struct outc_obs *o, size_t n, double t, int inclusive)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (inclusive ? o[i].time <= t : o[i].time < t) {
            struct outc_obs x = o[i];
            o[i] = o[k];
            o[k++] = x;
        }
    if (k > 1) qsort(o, k, sizeof *o, obs_cmp);
    return k;
}

double outc_km_at(struct outc_obs *o, size_t n, double t)
{
    if (!n) return NAN;
    const size_t k = km_prefix(o, n, t, 1);
    double s = 1.0;
    size_t i = 0;
    while (i < k) {
        double tt = o[i].time;
        size_t at_risk = n - i, d = 0;
        for (; i < k && o[i].time == tt; i++) d += (size_t)(o[i].event != 0);
        s *= 1.0 - (double)d / (double)at_risk;
    }
    return s;
}

double outc_km_rmst(struct outc_obs *o, size_t n, double tau)
{
    if (!n) return NAN;
    const size_t k = km_prefix(o, n, tau, 0);
    double s = 1.0, area = 0.0, prev = 0.0;
    size_t i = 0;
    while (i < k) {
        double tt = o[i].time;
        area += s * (tt - prev);
        prev = tt;
        size_t at_risk = n - i, d = 0;
        for (; i < k && o[i].time == tt; i++) d += (size_t)(o[i].event != 0);
        s *= 1.0 - (double)d / (double)at_risk;
    }
    return area + s * (tau - prev);
}
