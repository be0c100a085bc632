/* pancreas.h — the pancreas / pancreas-kidney policy of the BÄK guideline draft of 25.03.2026
 * (seed 003, §III), selected with `policy.pancreas.rule: bak2026`.
 *
 * What it covers:
 *   - the ranking of the joint pancreas and pancreas-kidney list for one donor (§III.5): the
 *     eight allocation groups of §III.5.7 (donor frequency < 10 % x SU/T x ABO identical/
 *     compatible), points from the status-dependent waiting time (§III.5.5.1), the relisting
 *     credit after early graft loss (§III.5.5.2) and the regional bonus (§III.5.6);
 *   - extended-criteria donors (§III.8.1 with §II.4.2), the offer order of the accelerated
 *     procedure (§II.4.3.2) and the route of a pancreas that cannot be transplanted vascularly
 *     (§III.8.2);
 *   - the status dynamics the engine drives through `struct policy_ops` (SU grants and their
 *     91/61-day validity, NT episodes with waiting-time applications renewed every 61 days,
 *     death, removal), offer acceptance and graft loss, each with simple constant hazards.
 *
 * Every number the guideline fixes is a rule parameter (pancreas_rule_pdefs, mounted under
 * `policy.pancreas.`), every modelled behaviour a model parameter (`model.pancreas.`); both
 * tables describe fields of the one struct pancreas_par. docs/rules.md §2 lists each rule
 * with its section and every interpretation with the parameter that changes it.
 *
 * This is model/ code: pure functions, no I/O, no writable globals. */
#ifndef WLSIM_PANCREAS_H
#define WLSIM_PANCREAS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "cand.h"
#include "match.h"
#include "pdef.h"
#include "policy.h"

/* Choices of enum parameters (the value stored is the index). */
enum pancreas_df_order {
    PANCREAS_DF_ACROSS = 0, /* §III.5.7 as numbered: groups 1-4 (df < 10 %) before 5-8 */
    PANCREAS_DF_WITHIN = 1  /* §III.5.3 read literally: df < 10 % first inside each urgency */
};
enum pancreas_su_points {
    PANCREAS_SU_SPELL = 0,       /* SU points from the start of the uninterrupted SU spell */
    PANCREAS_SU_REGISTRATION = 1 /* SU points from the last (re-)registration row */
};
enum pancreas_su_reason_order {
    PANCREAS_SU_REASON_HYPO_FIRST = 0, /* §III.5.2.1: hypoglycaemia unawareness first within SU */
    PANCREAS_SU_REASON_OFF = 1         /* SU ranked by SU time only */
};
enum pancreas_stage2 {
    PANCREAS_STAGE2_BEST_PER_CENTRE = 0, /* stage 2: the best of each further centre, centres in
                                          * a random arrival order */
    PANCREAS_STAGE2_REST = 1             /* accelerated stage 2: every other candidate, rank order */
};

/* Rule and model parameters in one struct; int fields hold PD_INT/PD_BOOL/PD_ENUM values. */
struct pancreas_par {
    /* ---- rules (policy.pancreas.*) ---- */
    double df_threshold_percent;  /* §III.5.3: the "< 10 %" label; df_low itself is an input */
    int df_requires_hla;          /* §III.5.3: df preference only with donor HLA typing */
    int df_order;                 /* enum pancreas_df_order */
    int crossmatch_required;      /* §III.5.1: exclude a positive (virtual) crossmatch */
    double su_valid_days;         /* §III.5.2.1/§III.6: 91 */
    int su_points_since;          /* enum pancreas_su_points */
    int su_reason_order;          /* enum pancreas_su_reason_order */
    double retx_failure_days;     /* §III.5.2.1: graft failure within 14 days */
    double retx_apply_days;       /* §III.5.2.1: application within 14 days of the transplant */
    double retx_valid_days;       /* §III.5.2.1: early re-transplant SU valid 61 days */
    double nt_renewal_days;       /* §III.5.5.1: NT waiting-time application renewed after 61 days */
    double relist_band_days[4];   /* §III.5.5.2: last day of each band: 91, 183, 275, 365 */
    double relist_band_percent[4];/* §III.5.5.2: 100, 75, 50, 25 */
    double regional_factor;       /* §III.5.6: 2/3 */
    int regional_in_su;           /* §III.5.7: the bonus applies in the SU groups too */
    int regional_on_credit;       /* the bonus is also taken on the relisting credit */
    int ecd_general;              /* §III.8/§II.4.2: the general donor finding counts */
    double ecd_age_min;           /* §III.8.1a: ECD when age < 5 */
    double ecd_age_max;           /* §III.8.1a: ECD when age > 60 (draft) / > 50 (before) */
    double ecd_bmi;               /* §III.8.1a: BMI > 30 */
    double ecd_waist_f;           /* §III.8.1a: waist > 88 cm (female) */
    double ecd_waist_m;           /* §III.8.1a: waist > 102 cm (male) */
    int ecd_cpr;                  /* §III.8.1b switch: CPR counts */
    double ecd_cpr_min;           /* §III.8.1b: CPR > 5 min */
    int ecd_icu;                  /* §III.8.1b switch: ICU stay counts */
    double ecd_icu_days;          /* §III.8.1b: ICU > 7 days */
    int ecd_sodium;               /* §III.8.1b switch: serum sodium counts */
    double ecd_sodium_mmol;       /* §III.8.1b: sodium > 160 mmol/l */
    int accel_per_centre;         /* §II.4.3.2 no. 1: up to 2 named per centre */
    int accel_stage2;             /* enum pancreas_stage2 */
    int islet_enabled;            /* §III.8.2: non-vascular organs go to an islet programme */
    /* ---- model (model.pancreas.*) ---- */
    double death_per_year;        /* hazard of death while listed (T, NT) */
    double death_su_factor;       /* multiplier of that hazard in SU */
    double removal_per_year;      /* hazard of removal from the list */
    double su_audit_per_year;     /* hazard of an approved SU application from T */
    double su_at_listing_prob;    /* SU granted together with the listing (§III.5 exception) */
    double su_rejustify_prob;     /* SU re-justified at its 91-day expiry */
    double retx_apply_prob;       /* early re-tx SU applied for (and approved) in time */
    double nt_onset_per_year;     /* hazard of a temporary contraindication (T or SU -> NT) */
    double nt_mean_days;          /* mean length of an NT episode (exponential) */
    double nt_apply_prob;         /* the centre applies for NT waiting-time credit */
    double nt_renew_prob;         /* the centre renews the application at each 61-day expiry */
    double accept_prob;           /* probability an offer of a standard donor is accepted */
    double accept_ecd_factor;     /* multiplier of accept_prob for an extended-criteria donor */
    struct outc_pancreas outc;    /* graft failure, death and relisting after the transplant */
    int unplaced_after_offers;    /* declined offers after which "unplaced 2 h before procurement" */
    double islet_nonvasc_prob;    /* accelerated organ found not vascularly transplantable */
};

/* Sizes as constants for policies built on this one (model/score.c); checked by the compiler. */
#define PANCREAS_N_RULE_PDEFS 37
#define PANCREAS_N_MODEL_PDEFS 29
extern const struct pdef pancreas_rule_pdefs[PANCREAS_N_RULE_PDEFS];
extern const size_t pancreas_n_rule_pdefs;
extern const struct pdef pancreas_model_pdefs[PANCREAS_N_MODEL_PDEFS];
extern const size_t pancreas_n_model_pdefs;

/* The policy: name "bak2026", organ ORGAN_PANCREAS, par_size sizeof(struct pancreas_par). */
extern const struct policy_ops pancreas_bak2026_ops;

/* Exclusion codes (struct match .excl), checked in this order. */
enum pancreas_excl {
    PANCREAS_EXCL_NONE = 0,
    PANCREAS_EXCL_PROG,      /* not listed for pancreas or pancreas-kidney */
    PANCREAS_EXCL_NT,        /* NT status (§I.9) */
    PANCREAS_EXCL_ABO,       /* ABO incompatible under §III.5.4 */
    PANCREAS_EXCL_XM         /* crossmatch positive, c->hla_ok == 0 (§III.5.1) */
};

/* Bits of struct match .flags. */
#define PANCREAS_F_SU          0x01u /* ranked in an SU group */
#define PANCREAS_F_DF          0x02u /* ranked in a df < 10 % group (groups 1-4) */
#define PANCREAS_F_DF_IGNORED  0x04u /* df_low set but the donor is not HLA-typed */
#define PANCREAS_F_REGIONAL    0x08u /* regional bonus added */
#define PANCREAS_F_RELIST      0x10u /* relisting credit added */
#define PANCREAS_F_ACCEL1      0x20u /* accelerated stage 1: named by a centre of the region */
#define PANCREAS_F_ACCEL2      0x40u /* accelerated stage 2: further centres */
#define PANCREAS_F_SU_HYPO     0x80u /* SU for hypoglycaemia unawareness, preferred (§III.5.2.1) */

/* Cause codes of struct trans .code (recorded with each status episode). */
enum pancreas_code {
    PANCREAS_TC_NONE = 0,
    PANCREAS_TC_DEATH,          /* TR_DEATH */
    PANCREAS_TC_REMOVAL,        /* TR_REMOVAL */
    PANCREAS_TC_SU_AUDIT,       /* T -> SU: audit group approved an SU application */
    PANCREAS_TC_SU_RENEW,       /* SU -> SU at expiry: re-justified, new grant of su_valid_days */
    PANCREAS_TC_SU_LAPSE,       /* SU -> T at expiry: not re-justified */
    PANCREAS_TC_RETX_END,       /* SU -> T: the 61-day early re-transplant grant ended */
    PANCREAS_TC_NT_CREDIT,      /* -> NT with a waiting-time application (credit, 61-day expiry) */
    PANCREAS_TC_NT_NOCREDIT,    /* -> NT without an application */
    PANCREAS_TC_NT_RENEW,       /* NT -> NT at expiry: application renewed, credit kept */
    PANCREAS_TC_NT_LAPSE,       /* NT -> NT at expiry: application not renewed, credit 0 */
    PANCREAS_TC_NT_END          /* NT -> T: contraindication over */
};

/* Values of c->mstate this policy sets. */
enum pancreas_mstate {
    PANCREAS_MS_NONE = 0,
    PANCREAS_MS_RETX = 1        /* the SU granted at listing is the early re-transplant SU */
};

/* Extended-criteria bits returned by pancreas_ecd(). */
#define PANCREAS_ECD_GENERAL   0x001u /* §II.4.2 general finding (d->ecd) */
#define PANCREAS_ECD_AGE_LOW   0x002u /* §III.8.1a: age < ecd_age_min */
#define PANCREAS_ECD_AGE_HIGH  0x004u /* §III.8.1a: age > ecd_age_max */
#define PANCREAS_ECD_BMI       0x008u /* §III.8.1a: BMI > ecd_bmi */
#define PANCREAS_ECD_WAIST     0x010u /* §III.8.1a: waist above the sex-specific limit */
#define PANCREAS_ECD_UNPLACED  0x020u /* §III.8.1a: unplaced 2 h before procurement (engine) */
#define PANCREAS_ECD_CPR       0x040u /* §III.8.1b: CPR > ecd_cpr_min (when switched on) */
#define PANCREAS_ECD_ICU       0x080u /* §III.8.1b: ICU > ecd_icu_days (when switched on) */
#define PANCREAS_ECD_SODIUM    0x100u /* §III.8.1b: sodium > ecd_sodium_mmol (when switched on) */

/* Where an organ goes after the check on arrival (§III.8.2). */
enum pancreas_route {
    PANCREAS_ROUTE_VASCULAR = 0, /* transplanted into the accepting candidate */
    PANCREAS_ROUTE_ISLET,        /* not vascularly transplantable: islet programme */
    PANCREAS_ROUTE_DISCARD       /* not vascularly transplantable, islet route switched off */
};

/* The breakdown of a candidate's points for one donor (what match() ranks by and reason()
 * prints). Days are fractional in the simulation, whole in `wlsim rank`. */
struct pancreas_points {
    int su;              /* counted as SU (status SU) rather than T */
    double su_since;     /* SU: day from which SU time counts */
    double su_days;      /* SU: counted SU days */
    double listed_days;  /* T: days since listing */
    double nt_days;      /* T: NT days, all */
    double nt_credited;  /* T: NT days covered by an application */
    double relist_days;  /* T: relisting credit (prior_wait_days x band) */
    double relist_pct;   /* T: band percentage applied (0 when none) */
    double wait;         /* the waiting time the group counts (incl. relisting credit in T) */
    double bonus;        /* regional bonus added */
    double total;        /* wait + bonus: the match points */
};

/* Fills *out with the waiting-time points of candidate c for donor d on `day` under p: SU
 * time per su_points_since in SU, otherwise listed days minus uncredited NT days plus the
 * relisting credit; plus regional_factor times that (per regional_in_su/regional_on_credit)
 * when c and d are in the same known region. Pure; never fails. */
void pancreas_points(const struct pancreas_par *p, const struct cand *c, const struct donor *d,
                     double day, struct pancreas_points *out);

/* Whether c is on the joint pancreas / pancreas-kidney list. */
static inline int pancreas_listed(enum prog pr)
{
    return pr == PROG_PANCREAS || pr == PROG_PANCREAS_KIDNEY;
}

/* Why c is not ranked for d (enum pancreas_excl, PANCREAS_EXCL_NONE when it is; the order of
 * the checks is the enum's), exactly as the bak2026 ranking decides it; *step gets the ABO step
 * (1 identical, 2 compatible, 0 incompatible). Inline so that the passes of pancreas.c and of
 * the score policy (model/score.c) compile it into their loops. */
static inline int pancreas_abo_ok(enum abo donor, enum abo recipient)
{
    /* §III.5.4 second table: who may receive from whom when identity is not possible. This
     * guideline's own table, not abo_compatible() (the heart's differs). [donor][recipient] */
    static const unsigned char ABO[ABO_N][ABO_N] = {
        /* recipient:  O  A  B  AB */
        /* donor O  */ {1, 1, 1, 1},
        /* donor A  */ {0, 1, 0, 1},
        /* donor B  */ {0, 0, 1, 1},
        /* donor AB */ {0, 0, 0, 1},
    };
    return (unsigned)donor < ABO_N && (unsigned)recipient < ABO_N && ABO[donor][recipient];
}

static inline int pancreas_exclusion(const struct pancreas_par *p, const struct donor *d,
                                     const struct cand *c, int *step)
{
    int compatible = pancreas_abo_ok(d->abo, c->abo);
    *step = !compatible ? 0 : (c->abo == d->abo ? 1 : 2);
    if (!pancreas_listed(c->prog)) return PANCREAS_EXCL_PROG;
    if (c->w.status == ST_NT) return PANCREAS_EXCL_NT;
    if (!compatible) return PANCREAS_EXCL_ABO;
    if (p->crossmatch_required && !c->hla_ok) return PANCREAS_EXCL_XM;
    return PANCREAS_EXCL_NONE;
}

/* Percentage (0..100) of the pre-transplant waiting time credited on relisting when the graft
 * failed `days_after_tx` days after the transplant (§III.5.5.2). Days are counted in completed
 * days (floor), so 91.6 is day 91; band k covers (band_days[k-1], band_days[k]]. Negative or
 * NaN input credits 0. */
double pancreas_relist_percent(const struct pancreas_par *p, double days_after_tx);

/* Whether c's relisting qualifies for the early re-transplant SU (§III.5.2.1): prior_tx_day and
 * graft_loss_day known and the graft failed within retx_failure_days (completed days) of the
 * transplant, and `day` (when the application would be made) is within retx_apply_days of the
 * transplant. Returns 1 or 0. */
int pancreas_retx_eligible(const struct pancreas_par *p, const struct cand *c, double day);

/* Which extended-criteria findings donor d has under p (§III.8.1 with §II.4.2), as a mask of
 * PANCREAS_ECD_* bits; also stored in *why when why is non-NULL. 0 = standard donor. Ages are
 * compared in completed years (floor), so with ecd_age_max 60 a 60.9-year-old is standard and
 * a 61-year-old is not. Unknown (NaN) values never meet a criterion; with unknown sex the waist
 * counts only above both limits. PANCREAS_ECD_UNPLACED is never set here: it depends on the
 * course of the allocation (see pancreas_unplaced). */
unsigned pancreas_ecd(const struct pancreas_par *p, const struct donor *d, unsigned *why);

/* Whether a pancreas still unplaced after `declined` declined offers counts as "not placed two
 * hours before procurement" (§III.8.1a), a model of the clock the engine does not keep: 1 when
 * unplaced_after_offers > 0 and declined >= unplaced_after_offers, else 0. */
int pancreas_unplaced(const struct pancreas_par *p, int declined);

/* Rearranges m[0..n) into the offer order of the accelerated procedure (§II.4.3.2) and returns
 * how many of them are to be offered, in that order. Precondition: m is in normal rank order
 * (match_sort). Stage 1: every centre of the donor's region (c->region == d->region, both
 * known) names its best accel_per_centre eligible candidates; they come first, in normal rank
 * order, flagged PANCREAS_F_ACCEL1. Stage 2 (PANCREAS_F_ACCEL2): with accel_stage2 = rest,
 * every other eligible candidate in normal rank order; with best_per_centre, only the best
 * eligible candidate of each centre that took no part in stage 1. Candidates that are not
 * offered (ineligible ones, and the rest in best_per_centre mode) follow, keeping their order.
 * A candidate with unknown centre (-1) counts as a centre of its own. Stable; no allocation.
 * *n_stage1 (if non-NULL) receives the size of stage 1. With best_per_centre and r non-NULL the
 * stage-2 candidates are offered in a random order drawn from r (gsl_ran_shuffle: the order in
 * which the further centres' acceptances arrive, §II.4.3.2 no. 2), else in rank order. */
size_t pancreas_accel_order(const struct pancreas_par *p, const struct donor *d, struct match *m,
                            size_t n, size_t *n_stage1, gsl_rng *r);

/* Where an organ accepted in the accelerated procedure goes (§III.8.2): with probability
 * islet_nonvasc_prob (one uniform draw from r) the receiving centre finds it not vascularly
 * transplantable; it then goes to an islet programme (PANCREAS_ROUTE_ISLET), or is discarded
 * when islet_enabled is 0. Otherwise PANCREAS_ROUTE_VASCULAR. The engine calls this only for
 * organs allocated in the accelerated procedure; the accepting candidate stays on the list when
 * the route is not vascular. */
enum pancreas_route pancreas_islet_route(const struct pancreas_par *p, const struct donor *d,
                                         gsl_rng *r);

#endif
