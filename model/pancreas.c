/* pancreas.c — the pancreas / pancreas-kidney policy "bak2026" (see pancreas.h for the contract
 * and docs/rules.md §2 for every rule, its section in seed 003 and the interpretations). */
#include "pancreas.h"
#include "ix.h"
#include "sb.h"
#include "vec.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define OFF(f) offsetof(struct pancreas_par, f)
#define PH "assumption, no figure (docs/model.md §Calibration)"
#define OUTM "docs/model.md §Outcomes after transplant"
#define CALM "docs/model.md §Calibration"

/* ------------------------------------------------------------------------------------------ */
/* Parameter tables                                                                            */
/* ------------------------------------------------------------------------------------------ */

const struct pdef pancreas_rule_pdefs[] = {
    {"df.threshold_percent", PD_DOUBLE, OFF(df_threshold_percent), 10, 0, 100, "%", NULL,
     "Donor-frequency threshold below which a candidate counts as immunised; a label only "
     "(df_low is a candidate input).", "003 §III.5.3, §III.5.7"},
    {"df.requires_hla_typing", PD_BOOL, OFF(df_requires_hla), 1, 0, 1, "", NULL,
     "The df < 10 % preference applies only when the donor's HLA typing is available.",
     "003 §III.5.3 (last sentence)"},
    {"df.order", PD_ENUM, OFF(df_order), PANCREAS_DF_ACROSS, 0, 0, "", "across|within",
     "across: groups 1-4 (df < 10 %, SU and T) before 5-8 as §III.5.7 numbers them; within: "
     "df < 10 % first inside each urgency level (SU 1,2,5,6 then T 3,4,7,8).",
     "003 §III.5.7 (across) vs §III.5.3 \"innerhalb der Dringlichkeitsgruppen\" (within)"},
    {"crossmatch_required", PD_BOOL, OFF(crossmatch_required), 1, 0, 1, "", NULL,
     "Exclude candidates whose (virtual) crossmatch with the donor is positive (hla_ok = 0).",
     "003 §III.5.1"},
    {"su.valid_days", PD_DOUBLE, OFF(su_valid_days), 91, 1, 3650, "days", NULL,
     "Validity of an SU grant; it must be re-justified after that.", "003 §III.5.2.1, §III.6"},
    {"su.points_since", PD_ENUM, OFF(su_points_since), PANCREAS_SU_SPELL, 0, 0, "",
     "spell|registration",
     "SU points count from the start of the uninterrupted SU spell (a 91-day re-justification "
     "continues it) or from the last SU registration row (a re-justification restarts them).",
     "003 §III.5.5.1 \"zusammenhängende Wartezeit seit der letzten SU-Meldung\"; §III.6 "
     "\"Weiterführung\""},
    {"su.reason_order", PD_ENUM, OFF(su_reason_order), PANCREAS_SU_REASON_HYPO_FIRST, 0, 0, "",
     "hypo_first|off",
     "Within each SU group, candidates whose SU rests on hypoglycaemia unawareness (su_reason "
     "hypo) first, then SU time; or SU time only.",
     "003 §III.5.5.1 (\"neben den unter Abschnitt III.5.2.1 genannten Kriterien\"), §III.5.2.1 "
     "(\"werden bevorzugt transplantiert\")"},
    {"su.retx_failure_days", PD_DOUBLE, OFF(retx_failure_days), 14, 0, 365, "days", NULL,
     "Early re-transplant SU: the graft failed within this many days of the transplant.",
     "003 §III.5.2.1"},
    {"su.retx_apply_days", PD_DOUBLE, OFF(retx_apply_days), 14, 0, 365, "days", NULL,
     "Early re-transplant SU: the application must reach the allocation office within this many "
     "days of the transplant.", "003 §III.5.2.1"},
    {"su.retx_valid_days", PD_DOUBLE, OFF(retx_valid_days), 61, 1, 3650, "days", NULL,
     "Validity of the early re-transplant SU.", "003 §III.5.2.1"},
    {"nt.renewal_days", PD_DOUBLE, OFF(nt_renewal_days), 61, 1, 3650, "days", NULL,
     "NT time counts only under a waiting-time application, renewed after this many days.",
     "003 §III.5.5.1"},
    {"relist.band1_days", PD_DOUBLE, OFF(relist_band_days[0]), 91, 0, 3650, "days", NULL,
     "Last day after the transplant (completed days) of the first relisting band (0-91).",
     "003 §III.5.5.2"},
    {"relist.band2_days", PD_DOUBLE, OFF(relist_band_days[1]), 183, 0, 3650, "days", NULL,
     "Last day of the second relisting band (92-183).", "003 §III.5.5.2"},
    {"relist.band3_days", PD_DOUBLE, OFF(relist_band_days[2]), 275, 0, 3650, "days", NULL,
     "Last day of the third relisting band (184-275).", "003 §III.5.5.2"},
    {"relist.band4_days", PD_DOUBLE, OFF(relist_band_days[3]), 365, 0, 3650, "days", NULL,
     "Last day of the fourth relisting band (276-365); later losses credit nothing.",
     "003 §III.5.5.2"},
    {"relist.band1_percent", PD_DOUBLE, OFF(relist_band_percent[0]), 100, 0, 100, "%", NULL,
     "Share of the pre-transplant waiting time credited for a loss in band 1.", "003 §III.5.5.2"},
    {"relist.band2_percent", PD_DOUBLE, OFF(relist_band_percent[1]), 75, 0, 100, "%", NULL,
     "Share credited for a loss in band 2.", "003 §III.5.5.2"},
    {"relist.band3_percent", PD_DOUBLE, OFF(relist_band_percent[2]), 50, 0, 100, "%", NULL,
     "Share credited for a loss in band 3.", "003 §III.5.5.2"},
    {"relist.band4_percent", PD_DOUBLE, OFF(relist_band_percent[3]), 25, 0, 100, "%", NULL,
     "Share credited for a loss in band 4.", "003 §III.5.5.2"},
    {"regional.bonus_factor", PD_DOUBLE, OFF(regional_factor), 2.0 / 3.0, 0, 10, "", NULL,
     "Share of the waiting time added for a candidate listed in the donor's region.",
     "003 §III.5.6"},
    {"regional.bonus_in_su", PD_BOOL, OFF(regional_in_su), 1, 0, 1, "", NULL,
     "The regional bonus applies in the SU groups too (to the SU waiting time).",
     "003 §III.5.7 last sentence (\"innerhalb der vorgenannten Gruppen\")"},
    {"regional.bonus_on_credit", PD_BOOL, OFF(regional_on_credit), 1, 0, 1, "", NULL,
     "The regional bonus is also taken on the relisting credit (credited time is waiting time).",
     "interpretation of 003 §III.5.5.2 with §III.5.6"},
    {"ecd.general", PD_BOOL, OFF(ecd_general), 1, 0, 1, "", NULL,
     "A general extended-criteria finding of the donor (malignancy, drugs, hepatitis, sepsis, "
     "meningitis) makes the pancreas extended-criteria.", "003 §III.8, §II.4.2"},
    {"ecd.age_min", PD_DOUBLE, OFF(ecd_age_min), 5, 0, 120, "years", NULL,
     "Donors younger than this (completed years) are extended-criteria.", "003 §III.8.1a"},
    {"ecd.age_max", PD_DOUBLE, OFF(ecd_age_max), 60, 0, 120, "years", NULL,
     "Donors older than this (completed years) are extended-criteria: 60 in the draft, 50 in the "
     "version in force.", "003 §III.8.1a (\"> 560\" typo), §C II.2.1"},
    {"ecd.bmi", PD_DOUBLE, OFF(ecd_bmi), 30, 0, 100, "kg/m2", NULL,
     "Donors with a BMI above this are extended-criteria.", "003 §III.8.1a"},
    {"ecd.waist_f_cm", PD_DOUBLE, OFF(ecd_waist_f), 88, 0, 300, "cm", NULL,
     "Female donors with a waist above this are extended-criteria.", "003 §III.8.1a"},
    {"ecd.waist_m_cm", PD_DOUBLE, OFF(ecd_waist_m), 102, 0, 300, "cm", NULL,
     "Male donors with a waist above this are extended-criteria.", "003 §III.8.1a"},
    {"ecd.cpr", PD_BOOL, OFF(ecd_cpr), 0, 0, 1, "", NULL,
     "Count resuscitation longer than ecd.cpr_min as an extended criterion (optional: \"können\").",
     "003 §III.8.1b"},
    {"ecd.cpr_min", PD_DOUBLE, OFF(ecd_cpr_min), 5, 0, 600, "min", NULL,
     "Resuscitation time above which ecd.cpr applies.", "003 §III.8.1b"},
    {"ecd.icu", PD_BOOL, OFF(ecd_icu), 0, 0, 1, "", NULL,
     "Count an ICU stay longer than ecd.icu_days as an extended criterion (optional).",
     "003 §III.8.1b"},
    {"ecd.icu_days", PD_DOUBLE, OFF(ecd_icu_days), 7, 0, 365, "days", NULL,
     "ICU stay above which ecd.icu applies.", "003 §III.8.1b"},
    {"ecd.sodium", PD_BOOL, OFF(ecd_sodium), 0, 0, 1, "", NULL,
     "Count a current serum sodium above ecd.sodium_mmol as an extended criterion (optional).",
     "003 §III.8.1b"},
    {"ecd.sodium_mmol", PD_DOUBLE, OFF(ecd_sodium_mmol), 160, 100, 250, "mmol/l", NULL,
     "Serum sodium above which ecd.sodium applies.", "003 §III.8.1b"},
    {"accel.per_centre", PD_INT, OFF(accel_per_centre), 2, 1, 100, "candidates", NULL,
     "In the accelerated procedure each centre of the donor's region names up to this many "
     "candidates.", "003 §II.4.3.2 no. 1"},
    {"accel.stage2", PD_ENUM, OFF(accel_stage2), PANCREAS_STAGE2_BEST_PER_CENTRE, 0, 0, "",
     "best_per_centre|rest",
     "After stage 1 fails: best_per_centre = each further centre names its best candidate and the "
     "centres answer in a random order drawn from the donor's stream (the first acceptance wins); "
     "rest = every other candidate in rank order.",
     "003 §II.4.3.2 no. 2 (\"den gegenwärtig am besten geeigneten Empfänger\", \"als erste ... "
     "eingegangen\")"},
    {"islet.enabled", PD_BOOL, OFF(islet_enabled), 1, 0, 1, "", NULL,
     "A pancreas found not vascularly transplantable goes to an islet programme (else discarded).",
     "003 §III.8.2"},
};
const size_t pancreas_n_rule_pdefs = sizeof pancreas_rule_pdefs / sizeof pancreas_rule_pdefs[0];

const struct pdef pancreas_model_pdefs[] = {
    {"death_per_year", PD_DOUBLE, OFF(death_per_year), 0.13, 0, 100, "1/year", NULL,
     "Constant hazard of death while listed (T and NT).",
     "derived: 14 % of 257 listed died in 2019 = 36/year over ~276 listed with NT: 36/276 (" CALM ")"},
    {"death_su_factor", PD_DOUBLE, OFF(death_su_factor), 1.0, 0, 100, "", NULL,
     "Multiplier of the death hazard while in SU.", PH},
    {"removal_per_year", PD_DOUBLE, OFF(removal_per_year), 0.2, 0, 100, "1/year", NULL,
     "Constant hazard of removal from the list.",
     "derived: 185 listings - 95 tx - 36 deaths = 54 removals/year over ~276 listed (" CALM ")"},
    {"su.audit_per_year", PD_DOUBLE, OFF(su_audit_per_year), 0.05, 0, 100, "1/year", NULL,
     "Hazard of an approved SU application for a candidate in T.", PH},
    {"su.at_listing_prob", PD_DOUBLE, OFF(su_at_listing_prob), 0.0, 0, 1, "probability", NULL,
     "Probability that SU is granted together with the listing (not an early re-transplant).",
     "003 §III.5 (exceptional case); " PH},
    {"su.rejustify_prob", PD_DOUBLE, OFF(su_rejustify_prob), 0.5, 0, 1, "probability", NULL,
     "Probability that an SU grant is re-justified at its expiry (else back to T).", PH},
    {"su.retx_apply_prob", PD_DOUBLE, OFF(retx_apply_prob), 0.9, 0, 1, "probability", NULL,
     "Probability that a relisted candidate eligible for the early re-transplant SU gets it "
     "(application in time and approved).", PH},
    {"nt.onset_per_year", PD_DOUBLE, OFF(nt_onset_per_year), 0.3, 0, 100, "1/year", NULL,
     "Hazard of a temporary contraindication (T or SU to NT).", PH},
    {"nt.mean_days", PD_DOUBLE, OFF(nt_mean_days), 90, 1, 36500, "days", NULL,
     "Mean length of an NT episode (exponential).", PH},
    {"nt.apply_prob", PD_DOUBLE, OFF(nt_apply_prob), 0.7, 0, 1, "probability", NULL,
     "Probability that the centre applies for waiting-time credit when an NT episode begins.", PH},
    {"nt.renew_prob", PD_DOUBLE, OFF(nt_renew_prob), 0.9, 0, 1, "probability", NULL,
     "Probability that the centre renews the NT application at each expiry; once lapsed it stays "
     "lapsed for the episode.", PH},
    {"accept.prob", PD_DOUBLE, OFF(accept_prob), 0.072, 0, 1, "probability", NULL,
     "Probability that an offer of a standard-criteria pancreas is accepted.",
     "derived: 37 % placed within 8 offers (allocation.max_offers), ~36 % of pancreata "
     "extended-criteria at half the rate (" CALM ")"},
    {"accept.ecd_factor", PD_DOUBLE, OFF(accept_ecd_factor), 0.5, 0, 10, "", NULL,
     "Multiplier of accept.prob for an extended-criteria pancreas (result capped at 1).",
     "docs/calibration.md: median donor age 31 used vs 42 not used; " PH},
    /* After the transplant (model/outcome.h; derivations in docs/model.md §Outcomes after
     * transplant). Graft failure means loss of graft function without the patient's death. */
    {"outcome.graft.early", PD_DOUBLE, OFF(outc.graft.early), 0.029, 0, 10, "", NULL,
     "Cumulative hazard of the early phase of graft failure (thrombosis, technical loss) for the "
     "reference transplant: pancreas-kidney, donor of outcome.age_ref years, BMI outcome.bmi_ref.",
     "derived: SPK 1-year graft 91.3 % / patient 97.4 % (IPTR, Gruessner 2016) = 6.3 % death-"
     "censored loss, most of it technical and early (" OUTM ")"},
    {"outcome.graft.early_days", PD_DOUBLE, OFF(outc.graft.early_days), 10, 0.01, 3650, "days",
     NULL, "Time constant of the early graft-failure phase (its hazard falls by e every this many "
     "days).", "assumption: technical failures in the first weeks (" OUTM ")"},
    {"outcome.graft.late_per_year", PD_DOUBLE, OFF(outc.graft.late_per_year), 0.025, 0, 10,
     "1/year", NULL, "Hazard of graft failure after the early phase, reference transplant.",
     "derived: SPK graft 86 % at 3 years (IPTR 2023) and 53 % at 10 years (OPTN/SRTR 2008), "
     "between the two (" OUTM ")"},
    {"outcome.death.early", PD_DOUBLE, OFF(outc.death.early), 0.012, 0, 10, "", NULL,
     "Cumulative hazard of the early phase of death after a pancreas transplant.",
     "derived: patient survival 97.4 % (SPK) and 97.9 % (PAK) at 1 year (IPTR, Gruessner 2016) "
     "(" OUTM ")"},
    {"outcome.death.early_days", PD_DOUBLE, OFF(outc.death.early_days), 30, 0.01, 3650, "days",
     NULL, "Time constant of the early phase of death after a pancreas transplant.",
     "assumption (" OUTM ")"},
    {"outcome.death.late_per_year", PD_DOUBLE, OFF(outc.death.late_per_year), 0.013, 0, 10,
     "1/year", NULL, "Hazard of death after the early phase of a pancreas transplant.",
     "derived: SPK patient survival over 90 % at 3 years (IPTR, Gruessner 2023) (" OUTM ")"},
    {"outcome.hr_alone", PD_DOUBLE, OFF(outc.hr_alone), 2.0, 0, 100, "", NULL,
     "Hazard ratio of graft failure of a pancreas transplanted alone (not with a kidney).",
     "derived: 1-year graft 86.0 % (PAK) vs 91.3 % (SPK), patient 97.9 vs 97.4 % (IPTR 2016): "
     "death-censored loss 12.2 vs 6.3 % (" OUTM ")"},
    {"outcome.age_ref", PD_DOUBLE, OFF(outc.age_ref), 28, 0, 100, "years", NULL,
     "Donor age above which the donor-age term of graft failure applies.",
     "the reference age of the pancreas donor risk index (Axelrod et al. 2010)"},
    {"outcome.beta_age", PD_DOUBLE, OFF(outc.beta_age), 0.03, 0, 1, "1/year", NULL,
     "Log hazard ratio of graft failure per donor year above outcome.age_ref.",
     "derived: 1-year graft 77 % (donor >= 40) vs 89 % (single centre, 254 SPK) = HR ~2.2 over "
     "~17 years (0.047/year); EXPAND (Proneth 2018) found none for selected donors 50-60; taken "
     "between (" OUTM ")"},
    {"outcome.bmi_ref", PD_DOUBLE, OFF(outc.bmi_ref), 25, 10, 60, "kg/m2", NULL,
     "Donor BMI above which the BMI term of graft failure applies.",
     "assumption, of the kind of the pancreas donor risk index (Axelrod et al. 2010)"},
    {"outcome.beta_bmi", PD_DOUBLE, OFF(outc.beta_bmi), 0.03, 0, 1, "1/(kg/m2)", NULL,
     "Log hazard ratio of graft failure per kg/m2 of donor BMI above outcome.bmi_ref.",
     "assumption, of the order of the pancreas donor risk index (Axelrod et al. 2010) (" OUTM ")"},
    {"outcome.hr_ecd", PD_DOUBLE, OFF(outc.hr_ecd), 1.2, 0, 100, "", NULL,
     "Hazard ratio of graft failure for a donor with the general extended-criteria finding "
     "(§II.4.2; the rule's own age and BMI limits do not change an organ's prognosis).",
     "assumption: high-risk donors 77 % vs 88 % 1-year graft (Axelrod 2010) is mostly age and "
     "BMI; EXPAND (Proneth 2018) found no difference (" OUTM ")"},
    {"outcome.relist_days", PD_DOUBLE, OFF(outc.relist_days), 365, 0, 36525, "days", NULL,
     "A graft lost within this many days of the transplant is always relisted.",
     "docs/calibration.md: ~10 relistings/year after graft loss (95 tx x 11 %) (" CALM ")"},
    {"outcome.relist_late_prob", PD_DOUBLE, OFF(outc.relist_late_prob), 0.1, 0, 1,
     "probability", NULL,
     "Probability that a graft lost after outcome.relist_days is relisted (else the patient "
     "lives on without a new listing).",
     "assumption: keeps listings near 185/year (2015) (" OUTM ")"},
    {"accel.unplaced_after_offers", PD_INT, OFF(unplaced_after_offers), 4, 0, 1000, "offers",
     NULL,
     "Declined offers after which a pancreas counts as unplaced two hours before procurement and "
     "moves to the accelerated procedure (rescue allocation; 0: never).",
     "model of 003 §III.8.1a third criterion (the allocation clock): withdrawn after 8 offers "
     "(docs/calibration.md) at up to 30 min each (§II.2 Erklärungsfrist) = 4 h, so 2 h before the end "
     "is after 8 - 2 h / 30 min = 4 offers (docs/model.md)"},
    {"islet.nonvascular_prob", PD_DOUBLE, OFF(islet_nonvasc_prob), 0.1, 0, 1, "probability", NULL,
     "Probability that a pancreas accepted in the accelerated procedure is found not vascularly "
     "transplantable on arrival.", "003 §III.8.2; " PH},
};
const size_t pancreas_n_model_pdefs = sizeof pancreas_model_pdefs / sizeof pancreas_model_pdefs[0];

/* ------------------------------------------------------------------------------------------ */
/* Rules                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static int same_region(const struct cand *c, const struct donor *d)
{
    return c->region >= 0 && d->region >= 0 && c->region == d->region;
}

double pancreas_relist_percent(const struct pancreas_par *p, double days_after_tx)
{
    if (!(days_after_tx >= 0)) return 0.0;
    /* The guideline counts whole days (§III.5.5) and names inclusive bands 0-91, 92-183, ...:
     * a loss on day 91.6 after the transplant happened on day 91. */
    double dd = floor(days_after_tx);
    for (int k = 0; k < 4; k++)
        if (dd <= p->relist_band_days[k]) return p->relist_band_percent[k];
    return 0.0;
}

int pancreas_retx_eligible(const struct pancreas_par *p, const struct cand *c, double day)
{
    if (!isfinite(c->prior_tx_day) || !isfinite(c->graft_loss_day)) return 0;
    double fail = c->graft_loss_day - c->prior_tx_day;
    double apply = day - c->prior_tx_day;
    return fail >= 0 && floor(fail) <= p->retx_failure_days && apply >= 0
           && floor(apply) <= p->retx_apply_days;
}

/* pancreas_points() with `regional` = same_region(c, d) given: the ranking pass needs both. */
static inline void points_of(const struct pancreas_par *p, const struct cand *c, double day,
                             int regional, struct pancreas_points *out)
{
    *out = (struct pancreas_points){0};
    if (c->w.status == ST_SU) {
        out->su = 1;
        out->su_since = p->su_points_since == PANCREAS_SU_REGISTRATION ? c->w.since
                                                                       : c->w.spell_start;
        out->su_days = day > out->su_since ? day - out->su_since : 0.0;
        out->wait = out->su_days;
        if (regional && p->regional_in_su) out->bonus = p->regional_factor * out->wait;
    } else {
        out->listed_days = cand_listed_days(c, day);
        out->nt_days = cand_nt_days(c, day);
        out->nt_credited = cand_nt_credit_days(c, day);
        if (isfinite(c->prior_wait_days) && c->prior_wait_days > 0
            && isfinite(c->prior_tx_day) && isfinite(c->graft_loss_day)) {
            out->relist_pct = pancreas_relist_percent(p, c->graft_loss_day - c->prior_tx_day);
            out->relist_days = c->prior_wait_days * out->relist_pct / 100.0;
        }
        double own = out->listed_days - out->nt_days + out->nt_credited;
        out->wait = own + out->relist_days;
        if (regional)
            out->bonus = p->regional_factor * (p->regional_on_credit ? out->wait : own);
    }
    out->total = out->wait + out->bonus;
}

void pancreas_points(const struct pancreas_par *p, const struct cand *c, const struct donor *d,
                     double day, struct pancreas_points *out)
{
    memset(out, 0, sizeof *out); /* padding too: callers may compare the struct whole */
    points_of(p, c, day, same_region(c, d), out);
}

unsigned pancreas_ecd(const struct pancreas_par *p, const struct donor *d, unsigned *why)
{
    unsigned m = 0;
    if (p->ecd_general && d->ecd) m |= PANCREAS_ECD_GENERAL;
    if (isfinite(d->age_years)) {
        /* "Alter > 60 Jahre": age in completed years, as ages are stated in German law. */
        double a = floor(d->age_years);
        if (a < p->ecd_age_min) m |= PANCREAS_ECD_AGE_LOW;
        if (a > p->ecd_age_max) m |= PANCREAS_ECD_AGE_HIGH;
    }
    if (d->bmi > p->ecd_bmi) m |= PANCREAS_ECD_BMI;
    if (isfinite(d->waist_cm)) {
        double lim = d->sex == SEX_F   ? p->ecd_waist_f
                     : d->sex == SEX_M ? p->ecd_waist_m
                                       : fmax(p->ecd_waist_f, p->ecd_waist_m);
        if (d->waist_cm > lim) m |= PANCREAS_ECD_WAIST;
    }
    if (p->ecd_cpr && d->cpr_min > p->ecd_cpr_min) m |= PANCREAS_ECD_CPR;
    if (p->ecd_icu && d->icu_days > p->ecd_icu_days) m |= PANCREAS_ECD_ICU;
    if (p->ecd_sodium && d->sodium > p->ecd_sodium_mmol) m |= PANCREAS_ECD_SODIUM;
    if (why) *why = m;
    return m;
}

int pancreas_unplaced(const struct pancreas_par *p, int declined)
{
    return p->unplaced_after_offers > 0 && declined >= p->unplaced_after_offers;
}

/* Moves m[i] to position k (k <= i), shifting m[k..i) one up: keeps both parts in order. */
static void move_to(struct match *m, size_t i, size_t k)
{
    if (i == k) return;
    struct match x = m[i];
    memmove(&m[k + 1], &m[k], (i - k) * sizeof *m);
    m[k] = x;
}

/* How many of m[from..to) belong to c's centre (an unknown centre is c's alone). */
static size_t centre_count(const struct match *m, size_t from, size_t to, const struct cand *c)
{
    size_t k = 0;
    for (size_t j = from; j < to; j++) {
        const struct cand *o = m[j].c;
        if (c->center < 0 ? o == c : o->center == c->center) k++;
    }
    return k;
}

size_t pancreas_accel_order(const struct pancreas_par *p, const struct donor *d, struct match *m,
                            size_t n, size_t *n_stage1, gsl_rng *r)
{
    size_t k = 0;
    /* Stage 1: the region's centres name their best candidates. The named set is small (a few
     * per centre), so counting a centre's names by scanning it costs O(n * named). */
    for (size_t i = 0; i < n; i++) {
        m[i].flags &= ~(PANCREAS_F_ACCEL1 | PANCREAS_F_ACCEL2);
        if (!m[i].eligible || !same_region(m[i].c, d)) continue;
        if (centre_count(m, 0, k, m[i].c) >= (size_t)p->accel_per_centre) continue;
        m[i].flags |= PANCREAS_F_ACCEL1;
        move_to(m, i, k++);
    }
    if (n_stage1) *n_stage1 = k;
    size_t s1 = k;
    for (size_t i = k; i < n; i++) {
        if (!m[i].eligible) continue;
        if (p->accel_stage2 == PANCREAS_STAGE2_BEST_PER_CENTRE) {
            /* Only the "weitere Zentren": every centre of the region was asked in stage 1. Each
             * further centre reports its one best-suited candidate. */
            if (same_region(m[i].c, d)) continue;
            if (centre_count(m, s1, k, m[i].c) > 0) continue;
        }
        m[i].flags |= PANCREAS_F_ACCEL2;
        move_to(m, i, k++);
    }
    /* "... wird das Organ dem Patienten zugeteilt, für den die Akzeptanzerklärung des
     * zuständigen Zentrums als erste bei der Vermittlungsstelle eingegangen ist": the further
     * centres answer in no order of rank, so their named candidates come in a drawn order. */
    if (p->accel_stage2 == PANCREAS_STAGE2_BEST_PER_CENTRE && r && k - s1 > 1)
        gsl_ran_shuffle(r, m + s1, k - s1, sizeof *m);
    return k;
}

enum pancreas_route pancreas_islet_route(const struct pancreas_par *p, const struct donor *d,
                                         gsl_rng *r)
{
    (void)d;
    if (gsl_rng_uniform(r) >= p->islet_nonvasc_prob) return PANCREAS_ROUTE_VASCULAR;
    return p->islet_enabled ? PANCREAS_ROUTE_ISLET : PANCREAS_ROUTE_DISCARD;
}

/* ------------------------------------------------------------------------------------------ */
/* Ranking                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Position of guideline group g (1..8) in the offer order, times two: the low bit orders an
 * SU group by the SU criteria of §III.5.2.1 (0: hypoglycaemia unawareness, preferred). */
static uint32_t group_tier(const struct pancreas_par *p, int g, int su_later)
{
    static const uint32_t WITHIN[9] = {0, 0, 1, 4, 5, 2, 3, 6, 7};
    uint32_t t = p->df_order == PANCREAS_DF_WITHIN ? WITHIN[g] : (uint32_t)(g - 1);
    return t * 2 + (uint32_t)su_later;
}

/* Whether an SU candidate is preferred within its SU group for the reason of its SU. */
static int su_preferred(const struct pancreas_par *p, const struct cand *c)
{
    return p->su_reason_order == PANCREAS_SU_REASON_HYPO_FIRST && c->su_reason == SU_REASON_HYPO;
}

/* Writes the match of c (for which pancreas_exclusion() gave `excl` and `step`) into out[k] and
 * returns the next k: an excluded candidate only when want_excluded. */
static inline size_t rank_into(const struct pancreas_par *p, const struct donor *d, double day,
                               struct cand *c, int excl, int step, int df_counts,
                               int want_excluded, struct match *out, size_t k)
{
    if (excl) {
        if (want_excluded)
            out[k++] = (struct match){.c = c, .eligible = 0, .excl = excl, .abo_step = step,
                                      .tier = UINT32_MAX, .points = 0.0};
        return k;
    }
    unsigned flags = 0;
    int su = c->w.status == ST_SU;
    int df = c->df_low && df_counts;
    if (c->df_low && !df_counts) flags |= PANCREAS_F_DF_IGNORED;
    if (su) flags |= PANCREAS_F_SU;
    if (su && su_preferred(p, c)) flags |= PANCREAS_F_SU_HYPO;
    if (df) flags |= PANCREAS_F_DF;
    struct pancreas_points pt;
    const int regional = same_region(c, d);
    points_of(p, c, day, regional, &pt);
    if (regional && (!su || p->regional_in_su)) flags |= PANCREAS_F_REGIONAL;
    if (pt.relist_days > 0) flags |= PANCREAS_F_RELIST;
    int g = (df ? 0 : 4) + (su ? 0 : 2) + step;
    out[k++] = (struct match){.c = c, .eligible = 1, .group = g, .abo_step = step,
                              .flags = flags, .tier = group_tier(p, g, su && !(flags & PANCREAS_F_SU_HYPO)),
                              .points = pt.total};
    return k;
}

static size_t pancreas_match(const void *par, const struct donor *d, double day,
                             struct cand *const *list, size_t n, int want_excluded,
                             struct match *out)
{
    const struct pancreas_par *p = par;
    int df_counts = !p->df_requires_hla || d->hla_typed;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct cand *c = list[i];
        int step;
        int excl = pancreas_exclusion(p, d, c, &step);
        k = rank_into(p, d, day, c, excl, step, df_counts, want_excluded, out, k);
    }
    return k;
}

/* pancreas_match() for the engine (policy_ops.match_keyed). When only the first `want` are
 * wanted (the engine asks so when the accelerated procedure can go through accel_keyed), the
 * list index walks to them. Otherwise the list's keys first drop whom pancreas_exclusion()
 * would exclude on programme, NT, ABO or crossmatch, so only the rest are read and ranked, in
 * list order. */
static size_t px_match_top(const struct pancreas_par *p, const struct donor *d, double day,
                           const struct keyed_list *l, size_t want, struct match *out);

static size_t pancreas_match_keyed(const void *par, const struct donor *d, double day,
                                   const struct keyed_list *l, size_t want, struct match *out)
{
    if (want != SIZE_MAX) { /* the first few: through the list index, where it serves */
        const size_t k = px_match_top(par, d, day, l, want, out);
        if (k != SIZE_MAX) return k;
    }
    struct cand *const *list = l->v;
    const struct cand_key *keys = l->k;
    const size_t n = l->n;
    const struct pancreas_par *p = par;
    const int df_counts = !p->df_requires_hla || d->hla_typed;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cand_key *ck = &keys[i];
        if (!pancreas_listed((enum prog)ck->prog) || ck->status == ST_NT) continue;
        if (!pancreas_abo_ok(d->abo, (enum abo)ck->abo)) continue;
        if (p->crossmatch_required && !ck->hla_ok) continue;
        out[m++].c = list[i];
    }
    size_t k = 0;
    for (size_t j = 0; j < m; j++) {
        if (j + 8 < m) __builtin_prefetch(out[j + 8].c);
        struct cand *c = out[j].c; /* read before out[k], k <= j, is written */
        int step;
        int excl = pancreas_exclusion(p, d, c, &step);
        k = rank_into(p, d, day, c, excl, step, df_counts, 0, out, k);
    }
    return k;
}

static void pancreas_group_name(const void *par, const struct match *m, char *buf, size_t len)
{
    (void)par;
    if (m->eligible && m->group >= 1 && m->group <= 8) snprintf(buf, len, "%d", m->group);
    else if (len) buf[0] = '\0'; /* excluded: no group */
}


/* Why the donor is an extended-criteria donor (§III.8.1), the findings with their limits, e.g.
 * "donor 62 > 60 years"; "" for a standard donor. */
static void ecd_why(const struct pancreas_par *p, const struct donor *d, char *buf, size_t len)
{
    unsigned w = 0;
    struct sb s = {buf, len, 0};
    buf[0] = '\0';
    pancreas_ecd(p, d, &w);
    const char *sep = "";
#define WHY(bit, ...) if (w & (bit)) { sb_add(&s, "%s", sep); sb_add(&s, __VA_ARGS__); sep = ", "; }
    WHY(PANCREAS_ECD_AGE_HIGH, "donor %.0f > %g years", floor(d->age_years), p->ecd_age_max)
    WHY(PANCREAS_ECD_AGE_LOW, "donor %.0f < %g years", floor(d->age_years), p->ecd_age_min)
    WHY(PANCREAS_ECD_BMI, "BMI %.1f > %g", d->bmi, p->ecd_bmi)
    WHY(PANCREAS_ECD_WAIST, "waist %.0f cm above the limit", d->waist_cm)
    WHY(PANCREAS_ECD_CPR, "CPR %g > %g min", d->cpr_min, p->ecd_cpr_min)
    WHY(PANCREAS_ECD_ICU, "ICU %g > %g days", d->icu_days, p->ecd_icu_days)
    WHY(PANCREAS_ECD_SODIUM, "sodium %g > %g mmol/l", d->sodium, p->ecd_sodium_mmol)
    WHY(PANCREAS_ECD_GENERAL, "a general finding (§II.4.2)")
#undef WHY
}

static void pancreas_reason(const void *par, const struct donor *d, double day,
                            const struct match *m, char *buf, size_t len)
{
    const struct pancreas_par *p = par;
    const struct cand *c = m->c;
    struct sb s = {buf, len, 0};
    if (len == 0) return;
    buf[0] = '\0';
    if (!m->eligible) {
        switch (m->excl) {
        case PANCREAS_EXCL_PROG: sb_add(&s, "not on the pancreas list (%s)", prog_name(c->prog)); break;
        case PANCREAS_EXCL_NT: sb_add(&s, "NT status"); break;
        case PANCREAS_EXCL_ABO:
            sb_add(&s, "ABO incompatible (donor %s, recipient %s)", abo_name(d->abo),
                abo_name(c->abo));
            break;
        case PANCREAS_EXCL_XM: sb_add(&s, "crossmatch positive"); break;
        default: sb_add(&s, "excluded"); break;
        }
        return;
    }
    struct pancreas_points pt;
    pancreas_points(p, c, d, day, &pt);
    sb_add(&s, "group %d: %s%s, ABO %s", m->group,
        (m->flags & PANCREAS_F_DF) ? "df<10%, " : "", pt.su ? "SU" : "T",
        m->abo_step == 1 ? "identical" : "compatible");
    if (m->flags & PANCREAS_F_DF_IGNORED) sb_add(&s, " (df<10%% ignored: donor not HLA-typed)");
    if (pt.su) {
        if (m->flags & PANCREAS_F_SU_HYPO)
            sb_add(&s, "; SU for hypoglycaemia unawareness: preferred within the group");
        else if (c->su_reason)
            sb_add(&s, "; SU reason %s", su_reason_name((enum su_reason)c->su_reason));
        sb_add(&s, "; SU since day %.0f: %.0f days", pt.su_since, pt.su_days);
    } else {
        sb_add(&s, "; T: %.0f days listed, %.0f NT of which %.0f credited", pt.listed_days,
            pt.nt_days, pt.nt_credited);
        if (pt.relist_days > 0)
            sb_add(&s, ", + %.0f relisting credit (%.0f %% band)", pt.relist_days,
                pt.relist_pct);
    }
    if (m->flags & PANCREAS_F_REGIONAL) {
        char pts[32]; /* as the points column shows points (match_points_text) */
        match_points_text(pt.bonus, pts, sizeof pts);
        if (fabs(p->regional_factor - 2.0 / 3.0) < 1e-9)
            sb_add(&s, "; +2/3 regional bonus %s", pts);
        else
            sb_add(&s, "; +%g x regional bonus %s", p->regional_factor, pts);
    }
    if (m->flags & (PANCREAS_F_ACCEL1 | PANCREAS_F_ACCEL2)) {
        char why[160];
        ecd_why(p, d, why, sizeof why);
        sb_add(&s, "; accelerated (%s%s)", why[0] ? why : "not placed in time",
            why[0] ? ": extended criteria" : "");
        if (m->flags & PANCREAS_F_ACCEL1) sb_add(&s, ": named by centre %d of the donor region", c->center);
        else
            sb_add(&s, p->accel_stage2 == PANCREAS_STAGE2_BEST_PER_CENTRE
                                  ? ": best of further centre %d, centres in drawn arrival order"
                                  : ": further centre %d", c->center);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Dynamics, acceptance, outcome                                                               */
/* ------------------------------------------------------------------------------------------ */

static int pancreas_validate(const void *par, char *msg, size_t len)
{
    const struct pancreas_par *p = par;
    static const char *const BN[4] = {"relist.band1_days", "relist.band2_days",
                                      "relist.band3_days", "relist.band4_days"};
    for (int k = 1; k < 4; k++)
        if (!(p->relist_band_days[k] > p->relist_band_days[k - 1])) {
            snprintf(msg, len, "%s (%g) must exceed %s (%g)", BN[k], p->relist_band_days[k],
                     BN[k - 1], p->relist_band_days[k - 1]);
            return -1;
        }
    if (!(p->ecd_age_min <= p->ecd_age_max)) {
        snprintf(msg, len, "ecd.age_min (%g) must not exceed ecd.age_max (%g)", p->ecd_age_min,
                 p->ecd_age_max);
        return -1;
    }
    if (p->retx_apply_days < p->retx_failure_days) {
        snprintf(msg, len, "su.retx_apply_days (%g) must not be below su.retx_failure_days (%g): "
                 "a candidate relisted on graft failure could never apply in time",
                 p->retx_apply_days, p->retx_failure_days);
        return -1;
    }
    return 0;
}

/* Whether c's current SU is the early re-transplant grant made at listing (enter() marks it in
 * mstate; it is the first SU spell and began at listing). Such a grant is not re-justified. */
static int su_is_retx(const struct cand *c)
{
    return c->w.status == ST_SU && c->mstate == PANCREAS_MS_RETX && c->w.su_spells == 1
           && c->w.spell_start <= c->w.listed;
}

/* Grants of a data history: an SU row for 91 days (§III.5.2.1, §III.6), the early
 * re-transplant SU that begins a spell for 61 (su_reason retx, or a relisting that qualifies
 * and is SU from its listing), an NT row with a waiting-time application for 61 (§III.5.5.1). */
static void pancreas_lapse(const void *par, const struct cand *c, struct trans *t)
{
    const struct pancreas_par *p = par;
    const struct wait_acc *w = &c->w;
    *t = (struct trans){.kind = TR_NONE, .day = INFINITY, .to = w->status, .expiry = NAN};
    if (w->status == ST_SU) {
        int retx = w->since == w->spell_start
                   && (c->su_reason == SU_REASON_RETX || su_is_retx(c)
                       || (w->spell_start <= w->listed && pancreas_retx_eligible(p, c, w->listed)));
        *t = (struct trans){.kind = TR_STATUS, .to = ST_T, .expiry = NAN,
                            .day = w->since + (retx ? p->retx_valid_days : p->su_valid_days),
                            .code = retx ? PANCREAS_TC_RETX_END : PANCREAS_TC_SU_LAPSE};
    } else if (w->status == ST_NT && w->nt_credit) {
        *t = (struct trans){.kind = TR_STATUS, .to = ST_NT, .nt_credit = 0, .expiry = NAN,
                            .day = w->since + p->nt_renewal_days, .code = PANCREAS_TC_NT_LAPSE};
    }
}

static void pancreas_enter(const void *par, struct cand *c, double day, gsl_rng *r)
{
    const struct pancreas_par *p = par;
    c->mstate = PANCREAS_MS_NONE;
    if (pancreas_retx_eligible(p, c, day)) {
        if (gsl_rng_uniform(r) < p->retx_apply_prob) {
            cand_set_status(c, day, ST_SU, 0);
            c->expiry = day + p->retx_valid_days;
            c->mstate = PANCREAS_MS_RETX;
            return;
        }
    } else if (p->su_at_listing_prob > 0 && gsl_rng_uniform(r) < p->su_at_listing_prob) {
        cand_set_status(c, day, ST_SU, 0);
        c->expiry = day + p->su_valid_days;
    }
}

static void pancreas_next(const void *par, const struct cand *c, double now, gsl_rng *r,
                          struct trans *t)
{
    const struct pancreas_par *p = par;
    const double Y = 365.25;
    enum status s = c->w.status;
    *t = (struct trans){.kind = TR_NONE, .day = INFINITY, .to = s, .expiry = NAN};

    double death = p->death_per_year * (s == ST_SU ? p->death_su_factor : 1.0) / Y;
    double removal = p->removal_per_year / Y;
    double audit = s == ST_T ? p->su_audit_per_year / Y : 0.0;
    double nt_on = (s == ST_T || s == ST_SU) ? p->nt_onset_per_year / Y : 0.0;
    double nt_off = s == ST_NT ? 1.0 / p->nt_mean_days : 0.0;
    double total = death + removal + audit + nt_on + nt_off;
    double hz = total > 0 ? now + gsl_ran_exponential(r, 1.0 / total) : INFINITY;

    /* A grant (SU, or an NT waiting-time application) that runs out is a scheduled event. */
    double ex = INFINITY;
    if ((s == ST_SU || (s == ST_NT && c->w.nt_credit)) && isfinite(c->expiry))
        ex = c->expiry > now ? c->expiry : nextafter(now, INFINITY);

    if (ex <= hz && isfinite(ex)) {
        t->kind = TR_STATUS;
        t->day = ex;
        double u = gsl_rng_uniform(r);
        if (s == ST_SU) {
            if (su_is_retx(c)) {
                t->to = ST_T;
                t->code = PANCREAS_TC_RETX_END;
            } else if (u < p->su_rejustify_prob) {
                t->to = ST_SU;
                t->expiry = ex + p->su_valid_days;
                t->code = PANCREAS_TC_SU_RENEW;
            } else {
                t->to = ST_T;
                t->code = PANCREAS_TC_SU_LAPSE;
            }
        } else if (u < p->nt_renew_prob) {
            t->to = ST_NT;
            t->nt_credit = 1;
            t->expiry = ex + p->nt_renewal_days;
            t->code = PANCREAS_TC_NT_RENEW;
        } else {
            t->to = ST_NT;
            t->nt_credit = 0;
            t->code = PANCREAS_TC_NT_LAPSE;
        }
        return;
    }
    if (!isfinite(hz)) return;

    t->day = hz;
    double v = gsl_rng_uniform(r) * total;
    if ((v -= death) < 0) {
        t->kind = TR_DEATH;
        t->code = PANCREAS_TC_DEATH;
    } else if ((v -= removal) < 0) {
        t->kind = TR_REMOVAL;
        t->code = PANCREAS_TC_REMOVAL;
    } else if ((v -= audit) < 0) {
        t->kind = TR_STATUS;
        t->to = ST_SU;
        t->expiry = hz + p->su_valid_days;
        t->code = PANCREAS_TC_SU_AUDIT;
    } else if ((v -= nt_on) < 0 || nt_off == 0) {
        t->kind = TR_STATUS;
        t->to = ST_NT;
        if (gsl_rng_uniform(r) < p->nt_apply_prob) {
            t->nt_credit = 1;
            t->expiry = hz + p->nt_renewal_days;
            t->code = PANCREAS_TC_NT_CREDIT;
        } else {
            t->code = PANCREAS_TC_NT_NOCREDIT;
        }
    } else {
        t->kind = TR_STATUS;
        t->to = ST_T;
        t->code = PANCREAS_TC_NT_END;
    }
}

static int pancreas_accept(const void *par, const struct cand *c, const struct donor *d,
                           const struct match *m, gsl_rng *r)
{
    const struct pancreas_par *p = par;
    (void)c, (void)m;
    double pr = p->accept_prob;
    if (pancreas_ecd(p, d, NULL)) pr *= p->accept_ecd_factor;
    return gsl_rng_uniform(r) < (pr > 1.0 ? 1.0 : pr);
}

static void pancreas_course(const void *par, const struct cand *c, const struct donor *d,
                            double day, gsl_rng *r, struct outc_course *out)
{
    outc_pancreas_course(&((const struct pancreas_par *)par)->outc, c, d, day, r, out);
}

static void swap_match(struct match *m, size_t i, size_t j)
{
    struct match t = m[i];
    m[i] = m[j];
    m[j] = t;
}

/* Adapters from the generic special-procedure hooks of policy.h to the functions above. */
static unsigned ops_ecd(const void *par, const struct donor *d)
{
    return pancreas_ecd(par, d, NULL);
}

static int ops_unplaced_after(const void *par)
{
    const struct pancreas_par *p = par;
    return p->unplaced_after_offers > 0 ? p->unplaced_after_offers : -1; /* pancreas_unplaced() */
}

/* The accelerated order with stage 2 = best_per_centre when only its prefix is offered, without
 * ordering the whole list: stage 1 needs the donor region's candidates in rank order (a few per
 * centre are named), stage 2 only each further centre's best candidate, which one pass finds.
 * The named candidates come out exactly as pancreas_accel_order() on the sorted list puts them
 * (the same elements in the same order before the drawn answer order, so the same draws), and
 * the rest of m in no particular order with stale flags: the caller offers only the prefix.
 * Returns the number named, or SIZE_MAX (m reordered, nothing lost) when the further centres'
 * numbers are too large for the table of bests; the caller then orders everything. */
/* gsl_ran_shuffle(r, m, n, sizeof *m), cheaper: GSL swaps elements byte by byte, so the same
 * shuffle of a small index array (the same draws give the same permutation whatever the
 * element size) is applied to the matches in one copy. */
static void shuffle_matches(gsl_rng *r, struct match *m, size_t n)
{
    enum { SMALL = 256 };
    if (n > SMALL) {
        gsl_ran_shuffle(r, m, n, sizeof *m);
        return;
    }
    uint16_t idx[SMALL];
    struct match t[SMALL];
    for (size_t i = 0; i < n; i++) idx[i] = (uint16_t)i;
    gsl_ran_shuffle(r, idx, n, sizeof idx[0]);
    memcpy(t, m, n * sizeof *m);
    for (size_t i = 0; i < n; i++) m[i] = t[idx[i]];
}

#define BPC_CENTRES 1024
static size_t best_per_centre_prefix(const struct pancreas_par *p, const struct donor *d,
                                     struct match *m, size_t e, gsl_rng *rng)
{
    size_t r = 0; /* the donor's region first, in rank order */
    for (size_t i = 0; i < e; i++)
        if (same_region(m[i].c, d)) swap_match(m, i, r++);
    int32_t best[BPC_CENTRES];
    for (size_t i = 0; i < BPC_CENTRES; i++) best[i] = -1;
    /* Each further centre's best; a candidate of an unknown centre is a centre of its own.
     * Found before stage 1, whose moves stay inside m[0..r). */
    for (size_t i = r; i < e; i++) {
        const int ctr = m[i].c->center;
        if (ctr < 0) continue;
        if (ctr >= BPC_CENTRES) return SIZE_MAX;
        if (best[ctr] < 0 || match_cmp(&m[i], &m[best[ctr]]) < 0) best[ctr] = (int32_t)i;
    }
    match_sort(m, r);
    size_t k = 0;
    for (size_t i = 0; i < r; i++) {
        m[i].flags &= ~(PANCREAS_F_ACCEL1 | PANCREAS_F_ACCEL2);
        if (centre_count(m, 0, k, m[i].c) >= (size_t)p->accel_per_centre) continue;
        m[i].flags |= PANCREAS_F_ACCEL1;
        move_to(m, i, k++);
    }
    const size_t s1 = k;
    /* Named ones to m[s1..k) in increasing index: each goes to a place below every later one,
     * and swapping it there moves nothing still to be named. */
    for (size_t i = r; i < e; i++) {
        const int ctr = m[i].c->center;
        if (ctr >= 0 && best[ctr] != (int32_t)i) continue;
        swap_match(m, i, k++);
    }
    match_sort(m + s1, k - s1);
    for (size_t i = s1; i < k; i++) {
        m[i].flags &= ~PANCREAS_F_ACCEL1;
        m[i].flags |= PANCREAS_F_ACCEL2;
    }
    if (rng && k - s1 > 1) shuffle_matches(rng, m + s1, k - s1);
    return k;
}

/* ------------------------------------------------------------------------------------------ */
/* The list index (policy_ops.index_*): the rankable candidates by centre in rank order       */
/* ------------------------------------------------------------------------------------------ */

/* Which candidates are ranked for a donor and in which group depends on the candidate only
 * through its ABO group, df_low, SU status and SU reason (the programme, NT status and the
 * crossmatch exclude for every donor alike), and its points only through its waiting time and
 * whether its centre is in the donor's region. So each centre keeps 32 binary min-heaps, one
 * per (ABO, df_low, SU, SU preferred) "type", on e: for T, listed + NT - credited NT - relisting
 * credit; for SU, the day its SU points count from. The points are then s * (day - e) up to
 * rounding, with s = 1 + regional.factor for a centre of the donor's region (in SU only under
 * regional.bonus_in_su) and 1 otherwise: monotone in e inside a heap. (Under
 * regional.bonus_on_credit = no the regional points are not a function of e; the index then
 * stands aside.)
 *
 * The walks visit heaps best first (an auxiliary heap, the frontier, holds their next nodes)
 * in groups: a node joins the group of the one before it when its approximate points are within
 * PX_EPS of them. Between groups the approximation cannot misorder (PX_EPS is orders of
 * magnitude above the rounding of sums of days), and inside one group the candidates are ranked
 * exactly (rank_into) and sorted by match_cmp. So ties and near-ties fall exactly as in a full
 * ranking. Updates cost O(log n); a walk costs O(v log v) for v visited nodes plus one pass over
 * the centres. */
#define PX_TYPES 32
#define PX_EPS 1e-4
#define PX_CENTRES 1024     /* centres 0..PX_CENTRES-1; another number leaves the index aside */
#define PX_FRONTIER 2048    /* the frontier; a longer one leaves the index aside */
#define PX_GROUP 256        /* one group of near-ties; a larger one leaves the index aside */

struct px_centre {
    int region;            /* the region of its candidates (set by the first) */
    uint32_t mask;         /* bit t: heap t is not empty */
    struct ix_heap h[PX_TYPES];
};

/* The offer order of the types for one kind of donor (its ABO group, and whether df_low
 * counts): a type's tier, and the distinct tiers ascending with the types of each. */
struct px_order {
    uint32_t tier[PX_TYPES];   /* UINT32_MAX: the type is incompatible */
    size_t nt;
    uint32_t tiers[PX_TYPES];
    uint32_t tmask[PX_TYPES];  /* tmask[i]: the types of tier tiers[i] */
};

struct pancreas_index {
    struct px_order ord[ABO_N][2]; /* [donor ABO][df_low counts], from the parameters */
    uint32_t tcount[PX_TYPES]; /* nodes of each type, over all centres */
    uint32_t live;             /* bit t: tcount[t] > 0 */
    size_t hi;             /* 1 + the largest centre number that ever held a node */
    struct px_centre *ctr;
    size_t nctr;
    struct ix_table t;     /* t.at[id].heap: centre * PX_TYPES + type, IX_NONE (not rankable for
                              any donor) or IX_BAD (rankable, not indexable: counted in nbad) */
    size_t nbad;
    double lmax;           /* the latest listing or SU day indexed: the walks need day >= it */
};

static struct ix_heap *px_heap_of(struct pancreas_index *x, uint32_t heap)
{
    return &x->ctr[heap / PX_TYPES].h[heap % PX_TYPES];
}

/* Where c goes now: its heap (IX_NONE, IX_BAD) and e. */
static uint32_t px_place(const struct pancreas_par *p, const struct cand *c, double *e)
{
    if (!pancreas_listed(c->prog) || c->w.status == ST_NT || (p->crossmatch_required && !c->hla_ok)
        || (unsigned)c->abo >= ABO_N)
        return IX_NONE;
    const int su = c->w.status == ST_SU;
    struct pancreas_points pt;
    points_of(p, c, c->w.since, 0, &pt); /* for the relisting credit, which no day changes */
    *e = su ? (p->su_points_since == PANCREAS_SU_REGISTRATION ? c->w.since : c->w.spell_start)
            : c->w.listed + c->w.nt_days - c->w.nt_credit_days - pt.relist_days;
    if (c->center < 0 || c->center >= PX_CENTRES || !isfinite(*e)) return IX_BAD;
    const uint32_t type = (uint32_t)c->abo * 8 + (c->df_low ? 4 : 0) + (su ? 2 : 0)
                          + (su && su_preferred(p, c) ? 1 : 0);
    return (uint32_t)c->center * PX_TYPES + type;
}

static void px_order_init(struct px_order *o, const struct pancreas_par *p, enum abo donor,
                          int df_counts)
{
    for (uint32_t ty = 0; ty < PX_TYPES; ty++) {
        const enum abo a = (enum abo)(ty / 8);
        const int df = (ty / 4) % 2, su = (ty / 2) % 2, pref = ty % 2;
        if (!pancreas_abo_ok(donor, a)) {
            o->tier[ty] = UINT32_MAX;
            continue;
        }
        const int step = a == donor ? 1 : 2;
        const int g = (df && df_counts ? 0 : 4) + (su ? 0 : 2) + step;
        o->tier[ty] = group_tier(p, g, su && !pref);
    }
    o->nt = 0;
    for (uint32_t ty = 0; ty < PX_TYPES; ty++) {
        const uint32_t v = o->tier[ty];
        if (v == UINT32_MAX) continue;
        size_t j = 0;
        while (j < o->nt && o->tiers[j] < v) j++;
        if (j < o->nt && o->tiers[j] == v) {
            o->tmask[j] |= 1u << ty;
            continue;
        }
        memmove(&o->tiers[j + 1], &o->tiers[j], (o->nt - j) * sizeof o->tiers[0]);
        memmove(&o->tmask[j + 1], &o->tmask[j], (o->nt - j) * sizeof o->tmask[0]);
        o->tiers[j] = v;
        o->tmask[j] = 1u << ty;
        o->nt++;
    }
}

static void *pancreas_index_alloc(const void *par)
{
    struct pancreas_index *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->lmax = -INFINITY;
    for (int a = 0; a < ABO_N; a++)
        for (int dfc = 0; dfc < 2; dfc++) px_order_init(&x->ord[a][dfc], par, (enum abo)a, dfc);
    return x;
}

static void pancreas_index_free(void *idx)
{
    struct pancreas_index *x = idx;
    if (!x) return;
    for (size_t i = 0; i < x->nctr; i++)
        for (int t = 0; t < PX_TYPES; t++) ix_heap_fini(&x->ctr[i].h[t]);
    free(x->ctr);
    ix_table_fini(&x->t);
    free(x);
}

static void px_remove(struct pancreas_index *x, const struct cand *c, uint32_t id)
{
    assert(id < x->t.n);
    struct ix_where *w = &x->t.at[id];
    if (w->heap == IX_BAD) {
        assert(x->nbad > 0);
        x->nbad--;
    } else if (w->heap != IX_NONE) {
        struct ix_heap *h = px_heap_of(x, w->heap);
        assert(w->pos < h->n && h->v[w->pos].c == c); /* the index holds what the engine listed */
        ix_heap_remove(h, &x->t, w->pos);
        if (h->n == 0) x->ctr[w->heap / PX_TYPES].mask &= ~(1u << (w->heap % PX_TYPES));
        if (--x->tcount[w->heap % PX_TYPES] == 0) x->live &= ~(1u << (w->heap % PX_TYPES));
    }
    w->heap = IX_NONE;
}

/* The index follows the candidate itself, not the keys: a status change may move it (SU, NT,
 * the day SU points count from), and everything else it reads is fixed while it is listed. */
static int pancreas_index_update(void *idx, const void *par, struct cand *c, uint32_t id,
                                 const struct cand_key *was, const struct cand_key *now, double day)
{
    (void)day;
    struct pancreas_index *x = idx;
    const struct pancreas_par *p = par;
    double e = 0;
    const uint32_t heap = now ? px_place(p, c, &e) : IX_NONE;
    /* make room first: a failure changes nothing */
    if (ix_table_reserve(&x->t, id)) return -1;
    if (heap < IX_BAD) {
        const size_t ci = heap / PX_TYPES;
        if (ci >= x->nctr) {
            size_t nc = x->nctr;
            if (vec_grow((void **)&x->ctr, &nc, ci + 1, sizeof *x->ctr)) return -1;
            memset(x->ctr + x->nctr, 0, (nc - x->nctr) * sizeof *x->ctr);
            for (size_t i = x->nctr; i < nc; i++) x->ctr[i].region = INT32_MIN;
            x->nctr = nc;
        }
        if (ix_heap_reserve(px_heap_of(x, heap))) return -1;
    }
    if (was) px_remove(x, c, id);
    else assert(x->t.at[id].heap == IX_NONE); /* a joiner is not indexed yet */
    if (heap == IX_BAD) {
        x->nbad++;
        x->t.at[id].heap = IX_BAD;
    } else if (heap != IX_NONE) {
        struct px_centre *ct = &x->ctr[heap / PX_TYPES];
        if (ct->region == INT32_MIN) ct->region = c->region;
        if (ct->region != c->region) { /* a centre in two regions: not this index's shape */
            x->nbad++;
            x->t.at[id].heap = IX_BAD;
        } else {
            x->t.at[id].heap = heap;
            ix_heap_insert(px_heap_of(x, heap), &x->t,
                           (struct ix_node){.e = e, .seq = c->seq, .id = id, .c = c});
            ct->mask |= 1u << (heap % PX_TYPES);
            x->tcount[heap % PX_TYPES]++;
            x->live |= 1u << (heap % PX_TYPES);
            if (heap / PX_TYPES >= x->hi) x->hi = heap / PX_TYPES + 1;
            /* the points are s * (day - e) only while day >= the listing (and SU) day */
            const double lim = c->w.status == ST_SU && e > c->w.listed ? e : c->w.listed;
            if (lim > x->lmax) x->lmax = lim;
        }
    }
    return 0;
}

/* One walk: the donor's view of the index. */
struct px_walk {
    const struct pancreas_par *p;
    const struct pancreas_index *x;
    const struct donor *d;
    double day;
    int df_counts;
    const struct px_order *o;  /* the order of the types for this donor */
    uint32_t live;             /* the types with a node anywhere */
    double scale[2][2];        /* [regional][su] */
};

static int px_regional(const struct px_centre *ct, const struct donor *d)
{
    return ct->region >= 0 && d->region >= 0 && ct->region == d->region;
}

/* Pushes node i of heap `heap` onto the frontier, keyed by minus its approximate points (the
 * frontier takes the smallest key first). */
static void px_push_node(const struct px_walk *w, struct ix_frontier *fr, uint32_t heap, uint32_t i)
{
    const struct px_centre *ct = &w->x->ctr[heap / PX_TYPES];
    const struct ix_node *nd = &ct->h[heap % PX_TYPES].v[i];
    const double s = w->scale[px_regional(ct, w->d)][(heap % PX_TYPES / 2) % 2];
    const double since = w->day - nd->e;
    ix_front_push(fr, (struct ix_front){.key = -(s * since), .seq = nd->seq, .heap = heap, .i = i});
}

/* Pushes the roots of centre ci's non-empty heaps among the types `types`. */
static void px_push_centre(const struct px_walk *w, struct ix_frontier *fr, size_t ci, uint32_t types)
{
    uint32_t m = w->x->ctr[ci].mask & types;
    while (m) {
        const int ty = __builtin_ctz(m);
        m &= m - 1;
        px_push_node(w, fr, (uint32_t)(ci * PX_TYPES + (size_t)ty), 0);
    }
}

/* The next group of near-ties off the frontier, ranked exactly and sorted into g[0..), their
 * heaps' next nodes pushed. With `named`, a node of a centre that has named `cap` already is
 * dropped with everything below it in its heap (stage 1 names no more of that centre), and the
 * groups are formed of the others. Returns the group's size (0: the frontier is empty,
 * SIZE_MAX: a group too large, or the frontier overflowed). */
static size_t px_group(const struct px_walk *w, struct ix_frontier *fr, struct match *g,
                       const uint16_t *named, size_t cap)
{
    size_t ng = 0;
    double last = 0; /* the approximate points of the group's last node */
    while (fr->n > 0 && (ng == 0 || -fr->f[0].key >= last - PX_EPS)) {
        if (ng == PX_GROUP) return SIZE_MAX;
        const struct ix_front top = ix_front_pop(fr);
        if (named && named[top.heap / PX_TYPES] >= cap) continue;
        last = -top.key;
        const struct ix_heap *h = &w->x->ctr[top.heap / PX_TYPES].h[top.heap % PX_TYPES];
        for (uint32_t ch = 2 * top.i + 1; ch <= 2 * top.i + 2 && ch < h->n; ch++)
            px_push_node(w, fr, top.heap, ch);
        struct cand *c = h->v[top.i].c;
        int step;
        const int excl = pancreas_exclusion(w->p, w->d, c, &step);
        assert(excl == PANCREAS_EXCL_NONE);
        const size_t k = rank_into(w->p, w->d, w->day, c, excl, step, w->df_counts, 0, g, ng);
        assert(k == ng + 1 && g[ng].tier == w->o->tier[top.heap % PX_TYPES]);
        ng = k;
    }
    if (fr->full) return SIZE_MAX;
    if (ng > 1) match_sort(g, ng);
    return ng;
}

/* Sets up a walk for d on `day`; 0 when the index cannot serve it (then the caller ranks the
 * whole list). */
static int px_walk_init(struct px_walk *w, const struct pancreas_par *p, const struct pancreas_index *x,
                        const struct donor *d, double day)
{
    if (!x || x->nbad || !(day >= x->lmax) || !p->regional_on_credit || (unsigned)d->abo >= ABO_N)
        return 0;
    w->p = p;
    w->x = x;
    w->d = d;
    w->day = day;
    w->df_counts = !p->df_requires_hla || d->hla_typed;
    w->o = &x->ord[d->abo][w->df_counts];
    w->live = x->live;
    const double f = 1.0 + p->regional_factor;
    w->scale[0][0] = w->scale[0][1] = 1.0;
    w->scale[1][0] = f;
    w->scale[1][1] = p->regional_in_su ? f : 1.0;
    return 1;
}

/* The first r eligible candidates of the whole list, and near-ties of the last, into out[0..);
 * returns how many, or SIZE_MAX when the walk cannot serve. */
static size_t px_top(const struct px_walk *w, size_t r, struct match *out)
{
    struct ix_front fbuf[PX_FRONTIER];
    struct ix_frontier fr = {.f = fbuf, .cap = PX_FRONTIER};
    size_t k = 0;
    for (size_t ti = 0; ti < w->o->nt && k < r; ti++) {
        const uint32_t types = w->o->tmask[ti] & w->live;
        if (!types) continue;
        fr.n = 0;
        fr.full = 0;
        for (size_t ci = 0; ci < w->x->hi; ci++) px_push_centre(w, &fr, ci, types);
        while (k < r) {
            const size_t ng = px_group(w, &fr, out + k, NULL, 0);
            if (ng == SIZE_MAX) return SIZE_MAX;
            if (ng == 0) break;
            k += ng;
        }
    }
    return k;
}

static int px_asked(const struct match *asked, size_t na, const struct cand *c)
{
    for (size_t i = 0; i < na; i++)
        if (asked[i].c == c) return 1;
    return 0;
}

/* Stage 2's answer for centre ci (outside the donor's region) when it needs no walk. Outside
 * the region every type's points are day - e, so the centre's first tier in the donor's order
 * that it has candidates of starts with the node of least e among that tier's roots. When every
 * other node of the tier lies more than 2 * PX_EPS of e behind it (more than PX_EPS of points
 * after any rounding of day - e), the walk would form a group of that node alone and name it,
 * unless it was asked already. Returns 1 with *out set as the walk would set it, 0 when the
 * centre has no candidate of a compatible type, and -1 when the walk has to decide (a near-tie,
 * or the best was asked). */
static int px_centre_best(const struct px_walk *w, size_t ci, const struct match *asked, size_t nasked,
                          struct match *out)
{
    const struct px_centre *ct = &w->x->ctr[ci];
    uint32_t types = 0;
    for (size_t ti = 0; ti < w->o->nt && !types; ti++) types = ct->mask & w->o->tmask[ti];
    if (!types) return 0;
    const struct ix_heap *bh = NULL;
    double second = INFINITY;
    for (uint32_t m = types; m; m &= m - 1) {
        const struct ix_heap *h = &ct->h[__builtin_ctz(m)];
        if (!bh || h->v[0].e < bh->v[0].e) {
            if (bh && bh->v[0].e < second) second = bh->v[0].e;
            bh = h;
        } else {
            if (h->v[0].e < second) second = h->v[0].e;
        }
    }
    for (uint32_t ch = 1; ch <= 2 && ch < bh->n; ch++)
        if (bh->v[ch].e < second) second = bh->v[ch].e;
    struct cand *c = bh->v[0].c;
    if (!(second - bh->v[0].e > 2 * PX_EPS) || px_asked(asked, nasked, c)) return -1;
    int step;
    const int excl = pancreas_exclusion(w->p, w->d, c, &step);
    assert(excl == PANCREAS_EXCL_NONE);
    rank_into(w->p, w->d, w->day, c, excl, step, w->df_counts, 0, out, 0);
    out->flags |= PANCREAS_F_ACCEL2;
    return 1;
}

/* policy_ops.accel_keyed with stage 2 = best_per_centre, through the index: stage 1 walks the
 * region's centres in rank order until `limit` are named; stage 2 (only when stage 1 names
 * fewer) takes each further centre's best from its own heaps. The same candidates in the same
 * order as ops_accel_order() on the list without the asked ones, the same draws for the
 * further centres' answer order. */
static size_t pancreas_accel_keyed(const void *par, const struct donor *d, double day,
                                   const struct keyed_list *l, const struct match *asked, size_t nasked,
                                   size_t limit, gsl_rng *rng, struct match *out)
{
    const struct pancreas_par *p = par;
    struct px_walk w;
    if (p->accel_stage2 != PANCREAS_STAGE2_BEST_PER_CENTRE || !px_walk_init(&w, p, l->idx, d, day))
        return SIZE_MAX;
    if (limit == 0) return 0;
    const struct pancreas_index *x = w.x;
    struct ix_front fbuf[PX_FRONTIER];
    struct ix_frontier fr = {.f = fbuf, .cap = PX_FRONTIER};
    struct match g[PX_GROUP];
    uint16_t named[PX_CENTRES], reg[PX_CENTRES];
    size_t k = 0, nreg = 0;
    for (size_t ci = 0; ci < x->hi; ci++)
        if (x->ctr[ci].mask && px_regional(&x->ctr[ci], d)) {
            named[ci] = 0;
            reg[nreg++] = (uint16_t)ci;
        }
    /* Stage 1: the region's candidates in rank order, a centre's first accel.per_centre named. */
    if (nreg) {
        for (size_t ti = 0; ti < w.o->nt && k < limit; ti++) {
            const uint32_t types = w.o->tmask[ti] & w.live;
            if (!types) continue;
            fr.n = 0;
            fr.full = 0;
            for (size_t j = 0; j < nreg; j++) px_push_centre(&w, &fr, reg[j], types);
            const size_t cap = (size_t)p->accel_per_centre;
            for (size_t ng; k < limit && (ng = px_group(&w, &fr, g, named, cap)) != 0;) {
                if (ng == SIZE_MAX) return SIZE_MAX;
                for (size_t j = 0; j < ng && k < limit; j++) {
                    if (px_asked(asked, nasked, g[j].c)) continue;
                    uint16_t *nc = &named[g[j].c->center];
                    if (*nc >= (size_t)p->accel_per_centre) continue;
                    (*nc)++;
                    out[k] = g[j];
                    out[k++].flags |= PANCREAS_F_ACCEL1;
                }
            }
        }
    }
    if (k >= limit) return limit;
    /* Stage 2: each further centre's best not yet asked. */
    const size_t s1 = k;
    for (size_t ci = 0; ci < x->hi; ci++) {
        const struct px_centre *ct = &x->ctr[ci];
        if (!ct->mask || px_regional(ct, d)) continue;
        const int quick = px_centre_best(&w, ci, asked, nasked, &out[k]);
        if (quick >= 0) {
            k += (size_t)quick;
            continue;
        }
        int found = 0;
        for (size_t ti = 0; ti < w.o->nt && !found; ti++) {
            if (!(ct->mask & w.o->tmask[ti])) continue;
            fr.n = 0;
            fr.full = 0;
            px_push_centre(&w, &fr, ci, w.o->tmask[ti]);
            for (size_t ng; !found && (ng = px_group(&w, &fr, g, NULL, 0)) != 0;) {
                if (ng == SIZE_MAX) return SIZE_MAX;
                for (size_t j = 0; j < ng && !found; j++)
                    if (!px_asked(asked, nasked, g[j].c)) {
                        out[k] = g[j];
                        out[k++].flags |= PANCREAS_F_ACCEL2;
                        found = 1;
                    }
            }
        }
    }
    match_sort(out + s1, k - s1);
    if (rng && k - s1 > 1) shuffle_matches(rng, out + s1, k - s1);
    return k < limit ? k : limit;
}

/* pancreas_match_keyed() through the index when only the first few are wanted. */
static size_t px_match_top(const struct pancreas_par *p, const struct donor *d, double day,
                           const struct keyed_list *l, size_t want, struct match *out)
{
    struct px_walk w;
    if (want > 64 || !px_walk_init(&w, p, l->idx, d, day)) return SIZE_MAX;
    return px_top(&w, want, out);
}

/* Most extended-criteria pancreata are offered to only a few candidates (allocation.max_offers),
 * so ordering the whole list for them was most of the procedure's cost. With stage 2 = rest the
 * first `limit` offers of the accelerated order only ever involve candidates of the donor's
 * region (stage 1 needs all of them: a candidate is named when fewer than accel_per_centre of
 * its centre rank better) and the best `limit` of the others: a stage-2 candidate from outside
 * the region that is among the first limit - s1 of stage 2 has fewer than `limit` outside
 * candidates ranked before it. Ordering that subset therefore gives the same prefix as ordering
 * everything. best_per_centre has no such bound (a centre's best may rank behind any number of
 * its colleagues), so it keeps the full sort. */
static size_t ops_accel_order(const void *par, const struct donor *d, struct match *m, size_t n,
                              size_t limit, gsl_rng *rng)
{
    const struct pancreas_par *p = par;
    if (limit == 0) return 0;
    size_t e = 0; /* eligible first: the excluded are never offered */
    for (size_t i = 0; i < n; i++)
        if (m[i].eligible) {
            if (i != e) swap_match(m, i, e);
            e++;
        }
    if (limit < e && p->accel_stage2 == PANCREAS_STAGE2_BEST_PER_CENTRE) {
        size_t k = best_per_centre_prefix(p, d, m, e, rng);
        if (k != SIZE_MAX) return k < limit ? k : limit;
    }
    if (limit >= e || p->accel_stage2 != PANCREAS_STAGE2_REST) {
        match_sort(m, e);
        size_t k = pancreas_accel_order(p, d, m, e, NULL, rng);
        return k < limit ? k : limit;
    }
    size_t r = 0; /* the donor's region next, then the best `limit` of the rest */
    for (size_t i = 0; i < e; i++)
        if (same_region(m[i].c, d)) swap_match(m, i, r++);
    size_t t = match_top(m + r, e - r, limit);
    match_sort(m, r + t);
    pancreas_accel_order(p, d, m, r + t, NULL, rng);
    return limit; /* stage 2 = rest offers every eligible candidate, and limit < e */
}

static int ops_route(const void *par, const struct donor *d, gsl_rng *r)
{
    switch (pancreas_islet_route(par, d, r)) {
    case PANCREAS_ROUTE_ISLET: return POLICY_ROUTE_ISLET;
    case PANCREAS_ROUTE_DISCARD: return POLICY_ROUTE_DISCARD;
    default: return POLICY_ROUTE_TRANSPLANT;
    }
}

const struct policy_ops pancreas_bak2026_ops = {
    .name = "bak2026",
    .organ = ORGAN_PANCREAS,
    .par_size = sizeof(struct pancreas_par),
    .rule_pdefs = pancreas_rule_pdefs,
    .n_rule_pdefs = sizeof pancreas_rule_pdefs / sizeof pancreas_rule_pdefs[0],
    .model_pdefs = pancreas_model_pdefs,
    .n_model_pdefs = sizeof pancreas_model_pdefs / sizeof pancreas_model_pdefs[0],
    .validate = pancreas_validate,
    .lapse = pancreas_lapse,
    .enter = pancreas_enter,
    .next = pancreas_next,
    .match = pancreas_match,
    .match_keyed = pancreas_match_keyed,
    .reason = pancreas_reason,
    .group_name = pancreas_group_name,
    .accept = pancreas_accept,
    .course = pancreas_course,
    .ecd = ops_ecd,
    .unplaced_after = ops_unplaced_after,
    .accel_order = ops_accel_order,
    .accel_keyed = pancreas_accel_keyed,
    .index_alloc = pancreas_index_alloc,
    .index_free = pancreas_index_free,
    .index_update = pancreas_index_update,
    .route = ops_route,
};
