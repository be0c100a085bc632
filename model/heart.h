/* heart.h — the heart and heart-lung allocation policy of the BÄK guideline in force since
 * 07.09.2021 (seed 001, §III), and the simple disease model that moves heart candidates
 * between the urgency statuses it ranks by.
 *
 * Selected as policy "bak2021" for ORGAN_HEART. Everything the guideline states as a number is
 * a rule parameter (mounted under `policy.heart.`), every place where the guideline leaves room
 * for interpretation is an option with the reading we think natural as default (see
 * docs/rules.md §1 for each rule, its section and the option that changes it). The disease
 * model's constants (hazards, shares, probabilities) are model parameters (`model.heart.`),
 * calibrated against docs/calibration.md where a figure exists (docs/model.md).
 *
 * Ranking (001 §III.3.4), encoded into match.tier so that the shared order (tier, points desc,
 * listed, seq) is the guideline's order:
 *   group:   HU (status HU, or a child under `child.age` who is not NT) < COMBINED (audited
 *            heart + other non-renal organ, combined_audited) < T; NT is never ranked.
 *   inside:  heart-lung before heart, then highly immunised first (PRA > threshold, donor
 *            HLA-typed, HLA acceptable; immunised.vs_hl swaps the two), ABO step 1 < 2 < 3
 *            (< 4: ABO-incompatible infant),
 *            then — in HU only — the in-patient preference among children (by default a
 *            reassignment of the children's places, child_inpatient = among_children).
 *   points:  HU group: days in HU status (NT days never count); COMBINED and T: days since
 *            listing with at most `nt.cap_days` NT days counted.
 * The options abo.scope, hl.order and immunised.scope move the ABO step, the heart-lung
 * preference and the immunised preference relative to each other and to the groups.
 *
 * This is model/ code: pure, no globals that are writable, no I/O; every draw takes its RNG. */
#ifndef WLSIM_HEART_H
#define WLSIM_HEART_H

#include <math.h>
#include <stddef.h>

#include "policy.h"

/* Allocation groups as numbered in 001 §III.3.4 (match.group). 0 for excluded candidates. */
enum heart_group { HEART_GRP_NONE = 0, HEART_GRP_HU = 1, HEART_GRP_COMBINED = 2, HEART_GRP_T = 3 };

/* Why a candidate is not ranked (match.excl). */
enum heart_excl {
    HEART_EX_NONE = 0,
    HEART_EX_PROGRAM, /* not on the heart / heart-lung list */
    HEART_EX_NT,      /* NT status (001 §I.9, §III.3.2.3) */
    HEART_EX_ABO,     /* ABO incompatible and the infant option does not apply (§III.3.4) */
    HEART_EX_HLA,     /* donor HLA-typed, HLA not acceptable, and hla.exclude_unacceptable on */
    HEART_EX_SIZE,    /* heart: donor/recipient weight ratio outside the size bounds (§III.3) */
    HEART_EX_TLC,     /* heart-lung: donor/recipient TLC ratio outside the bounds (§III.3) */
    HEART_EX_N
};

/* Bits of match.flags: what the tier was built from, for reasons and analysis. */
enum heart_flag {
    HEART_F_HEART_LUNG = 1u << 0, /* listed for heart-lung */
    HEART_F_CHILD = 1u << 1,      /* younger than child.age on the match day, or still growing */
    HEART_F_INPATIENT = 1u << 2,  /* treated as an in-patient */
    HEART_F_IMMUNISED = 1u << 3,  /* the highly-immunised preference applied to this donor */
    HEART_F_PRA_HIGH = 1u << 4,   /* PRA above the threshold (preference may not have applied) */
    HEART_F_HU_BY_AGE = 1u << 5,  /* in the HU group as a child although the status is not HU */
    HEART_F_COMBINED = 1u << 6,   /* audited combined transplant with another non-renal organ */
    HEART_F_ABO_INFANT = 1u << 7, /* ABO-incompatible, ranked under the infant option */
    HEART_F_CHILD_DEFERRED = 1u << 8, /* child out-patient ranked after in-patients (child.inpatient) */
    HEART_F_GROWING = 1u << 9,    /* past child.age but still growing (cand.growing): a child here */
    HEART_F_CHILD_DAYS = 1u << 10 /* HU points include days listed under child.age (R7/I2) */
};

/* Cause codes carried in trans.code (and recorded with the status episode). Transitions into
 * HU because of a dMCS complication carry HEART_TC_DMCS + enum heart_cx. */
enum heart_code {
    HEART_TC_NONE = 0,
    HEART_TC_DETERIORATION = 1, /* T -> HU: non-dMCS deterioration (§III.3.2.1.1) */
    HEART_TC_AUDIT = 2,         /* T -> HU: special group (diag) granted by audit (§III.3.2.1) */
    HEART_TC_RENEWED = 3,       /* HU -> HU at the grant's expiry: re-evaluation renewed it */
    HEART_TC_EXPIRED = 4,       /* HU -> T at the grant's expiry: not renewed (§III.3.5) */
    HEART_TC_IMPROVED = 5,      /* HU -> T between re-evaluations: clear improvement */
    HEART_TC_RESOLVED = 6,      /* HU -> T: the dMCS complication no longer qualifies */
    HEART_TC_NT_START = 7,      /* T or HU -> NT */
    HEART_TC_NT_END = 8,        /* NT -> T */
    HEART_TC_NT_END_HU = 9,     /* NT -> HU: new HU application after NT during HU accepted */
    HEART_TC_CHILD = 10,        /* -> HU because a child always is HU (§III.3.2.1) */
    HEART_TC_DEATH = 11,        /* TR_DEATH */
    HEART_TC_REMOVAL = 12,      /* TR_REMOVAL */
    HEART_TC_DMCS = 20          /* + enum heart_cx: -> HU by that dMCS complication */
};

/* The dMCS complications that may justify HU (§III.3.2.1.2.1 - .8), in the guideline's order. */
enum heart_cx {
    HEART_CX_CEREBRAL = 0, /* .1 cerebral ischaemia or bleeding */
    HEART_CX_EMBOLISM,     /* .2 peripheral embolism */
    HEART_CX_GI_BLEEDING,  /* .3 refractory GI bleeding: HU ends after 4 stable weeks */
    HEART_CX_AORTIC,       /* .4 aortic insufficiency */
    HEART_CX_RHF,          /* .5 chronic right-heart failure: re-checked every 2 weeks */
    HEART_CX_INFECTION,    /* .6 device infection: re-checked after 4 weeks, then every 8 */
    HEART_CX_MALFUNCTION,  /* .7 device malfunction */
    HEART_CX_THROMBOSIS,   /* .8 recurrent pump thrombosis: permanent HU (Begründung II.2.5.8) */
    HEART_CX_N
};

/* Diagnosis groups (cand.diag) that obtain HU only by an individual audit decision
 * (§III.3.2.1.1, the four special groups). 0 = none of them. */
enum heart_diag {
    HEART_DIAG_NONE = 0,
    HEART_DIAG_AMYLOIDOSIS = 1,
    HEART_DIAG_CONGENITAL = 2, /* congenital heart disease, older than 16 */
    HEART_DIAG_HCM_RCM = 3,
    HEART_DIAG_ARRHYTHMIA = 4,
    HEART_DIAG_N
};

/* Options (PD_ENUM indices). */
enum heart_abo_scope { HEART_ABO_WITHIN = 0, HEART_ABO_ACROSS };
enum heart_hl_order { HEART_HL_BEFORE_ABO = 0, HEART_HL_AFTER_ABO };
enum heart_imm_scope { HEART_IMM_GROUP = 0, HEART_IMM_LIST, HEART_IMM_OFF };
enum heart_child_pref {
    HEART_CHILD_AMONG_CHILDREN = 0, /* in-patients first among the children; vs adults as before */
    HEART_CHILD_OUTPATIENT_LAST,    /* child out-patients after every in-patient HU candidate */
    HEART_CHILD_INPATIENT_FIRST,    /* child in-patients before every other HU candidate */
    HEART_CHILD_PREF_OFF
};
enum heart_child_points { HEART_CHILD_POINTS_LISTED = 0, HEART_CHILD_POINTS_RECORDED };
enum heart_imm_hl { HEART_IMM_HL_HL_FIRST = 0, HEART_IMM_HL_IMMUNISED_FIRST };

/* All parameters of the policy: rule parameters first (heart_rule_pdefs), then model
 * parameters (heart_model_pdefs). Days are days, rates are per year, shares and probabilities
 * are in [0, 1]. */
struct heart_par {
    /* --- rule parameters (policy.heart.) --- */
    double hu_initial_days;        /* 28: first HU grant (§III.3.2.1, §III.3.5) */
    double hu_renewal_days;        /* 56: each further grant */
    double nt_cap_days;            /* 30: NT days counted in T points (§III.3.4) */
    double pra_threshold;          /* 50: "highly immunised" is PRA above this (%) */
    int immunised_scope;           /* enum heart_imm_scope */
    int hla_exclude_unacceptable;  /* exclude when donor HLA-typed and hla_ok == 0 */
    double child_age;              /* 16: children below this age are always HU */
    int child_always_hu;           /* the rule itself (on); off only for comparisons */
    int child_inpatient;           /* enum heart_child_pref */
    int child_points;              /* enum heart_child_points */
    int abo_scope;                 /* enum heart_abo_scope */
    int abo_infant_incompatible;   /* allow ABO-incompatible hearts below abo_infant_age */
    double abo_infant_age;         /* 2 */
    int hl_order;                  /* enum heart_hl_order */
    int imm_hl;                    /* enum heart_imm_hl: heart-lung or immunised first */
    int size_filter;               /* apply the weight-ratio bounds (heart) */
    double size_ratio_min;         /* donor/recipient weight, lower bound */
    double size_ratio_max;         /* upper bound for adults */
    double size_child_ratio_max;   /* upper bound for children */
    int tlc_filter;                /* apply the TLC-ratio bounds (heart-lung) */
    double tlc_ratio_min, tlc_ratio_max;
    double dmcs_min_days;          /* 30: complications count from this day after implantation */
    double dmcs_infection_first_days; /* 28: first re-check of an infection HU */
    double dmcs_infection_next_days;  /* 56: later re-checks */
    double dmcs_rhf_recheck_days;     /* 14: right-heart failure re-check rhythm */
    double dmcs_gi_stable_days;       /* 28: HU for GI bleeding ends after this many stable days */

    /* --- model parameters (model.heart.) --- */
    double death_hu, death_t, death_nt, death_child, death_dmcs; /* 1/year */
    double removal;                /* 1/year, any status */
    double nt_start;               /* 1/year, from T or HU */
    double nt_mean_days;           /* mean NT episode length */
    double hu_listing_share;       /* adults (non-dMCS) listed directly in HU */
    double deterioration;          /* 1/year, T -> HU for non-dMCS adults */
    double improvement;            /* 1/year, HU -> T between re-evaluations (non-dMCS) */
    double renew_prob;             /* non-dMCS HU renewed at a re-evaluation */
    double hu_after_nt_prob;       /* new HU application after NT during HU accepted */
    double growing_prob;           /* adolescent past child.age still growing at a re-evaluation */
    double audit_prob;             /* special diagnosis group granted HU by audit */
    double diag_share[HEART_DIAG_N]; /* [0] unused; shares of the four special groups */
    double dmcs_share;             /* adult listings on dMCS */
    double dmcs_implant_mean_days; /* mean days from implantation to listing (exponential) */
    double dmcs_complication;      /* 1/year, HU-qualifying complications (all types) */
    double cx_share[HEART_CX_N];   /* share of each complication type, sums to 1 */
    double persist_infection;      /* infection still qualifies at a re-check */
    double persist_rhf;            /* right-heart failure still qualifies at a 2-week re-check */
    double persist_other;          /* cerebral, embolism, aortic, malfunction at a re-evaluation */
    double persist_thrombosis;     /* recurrent pump thrombosis at a re-evaluation */
    double gi_stabilise_mean_days; /* mean days until a GI bleeding is stable */
    double accept_hu, accept_combined, accept_t; /* offer acceptance probability by group */
    struct outc_heart outc;        /* after the transplant (model/outcome.h) */
};

/* The policy (name "bak2021", organ ORGAN_HEART). */
extern const struct policy_ops heart_bak2021_ops;

/* Parameter tables (offsets relative to struct heart_par), also reachable through the ops. */
/* The sizes are constants so that other policies built on this one (model/score.c) can name them
 * in their static ops tables; the compiler checks them against the definitions. */
#define HEART_N_RULE_PDEFS 27
#define HEART_N_MODEL_PDEFS 51
extern const struct pdef heart_rule_pdefs[HEART_N_RULE_PDEFS];
extern const size_t heart_n_rule_pdefs;
extern const struct pdef heart_model_pdefs[HEART_N_MODEL_PDEFS];
extern const size_t heart_n_model_pdefs;

/* Fills p with the defaults of both tables. */
void heart_par_defaults(struct heart_par *p);

/* ------------------------------------------------------------------------------------------
 * The guideline's building blocks of the ranking, inline so that the per-candidate passes of
 * heart.c and of the score policy (model/score.c) compile them into their loops: a score policy
 * excludes and counts exactly as bak2021 does, at the same cost. */

/* ABO step of 001 §III.3.4 for a heart of blood group `donor` to a recipient of `recipient`:
 * 1 identical, 2 and 3 the two compatible steps (O->B is step 2, O->A and O->AB step 3,
 * A->AB step 2, B->AB step 3), 0 incompatible or an invalid group. */
static inline int heart_abo_step(enum abo donor, enum abo recipient)
{
    /* 001 §III.3.4, the three tables: [donor][recipient]. */
    static const signed char STEP[ABO_N][ABO_N] = {
        /* recipient:   O  A  B  AB */
        /* donor O  */ {1, 3, 2, 3},
        /* donor A  */ {0, 1, 0, 2},
        /* donor B  */ {0, 0, 1, 3},
        /* donor AB */ {0, 0, 0, 1},
    };
    if ((unsigned)donor >= ABO_N || (unsigned)recipient >= ABO_N) return 0;
    return STEP[donor][recipient];
}

/* Donor/recipient size ratio, NaN when either side is unknown (not a positive finite number):
 * the filters then do not apply. */
static inline double heart_size_ratio(double donor, double recipient)
{
    return isfinite(donor) && donor > 0 && isfinite(recipient) && recipient > 0 ? donor / recipient
                                                                                 : NAN;
}

/* Upper bound of the donor/recipient weight ratio for a child or an adult. */
static inline double heart_weight_max(const struct heart_par *p, int child)
{
    return child ? p->size_child_ratio_max : p->size_ratio_max;
}

/* A child for the rules of §III.3.2.1: younger than child.age, or past it and confirmed still
 * growing (cand.growing, an input). */
static inline int heart_is_child(const struct heart_par *p, const struct cand *c, double age)
{
    return age < p->child_age || c->growing;
}

/* Why c (aged `age` years) is not ranked for d (enum heart_excl, in the order reasons report
 * them), or HEART_EX_NONE; *step gets the ABO step (4: incompatible under the infant option, 0:
 * excluded on ABO). An unknown size ratio (NaN) is never out of bounds. */
static inline int heart_exclusion(const struct heart_par *p, const struct donor *d,
                                  const struct cand *c, double age, int *step)
{
    *step = 0;
    if (prog_organ(c->prog) != ORGAN_HEART) return HEART_EX_PROGRAM;
    if (c->w.status == ST_NT) return HEART_EX_NT;
    int s = heart_abo_step(d->abo, c->abo);
    if (s == 0 && p->abo_infant_incompatible && age < p->abo_infant_age
        && (unsigned)d->abo < ABO_N && (unsigned)c->abo < ABO_N)
        s = 4; /* after the three compatible steps: "auch" blutgruppeninkompatibel */
    *step = s;
    if (s == 0) return HEART_EX_ABO;
    if (p->hla_exclude_unacceptable && d->hla_typed && !c->hla_ok) return HEART_EX_HLA;
    const int hl = c->prog == PROG_HEART_LUNG;
    if (!hl && p->size_filter) {
        double r = heart_size_ratio(d->weight_kg, c->weight_kg);
        if (r < p->size_ratio_min || r > heart_weight_max(p, heart_is_child(p, c, age)))
            return HEART_EX_SIZE;
    }
    if (hl && p->tlc_filter) {
        double r = heart_size_ratio(d->tlc_l, c->tlc_l);
        if (r < p->tlc_ratio_min || r > p->tlc_ratio_max) return HEART_EX_TLC;
    }
    return HEART_EX_NONE;
}

/* The key pass of heart_match_keyed() and of the score policy's: decides from the list's keys alone whom ABO (unless the
 * infant option may let them in), size (for any age: being a child only widens the window) or
 * NT status excludes for this donor, and whether a candidate is in the HU group (HU status, or
 * a child holding HU by age). */
struct heart_keyed {
    const struct heart_par *p;
    double day;
    double dw;               /* donor weight; NaN when unknown (no size test) */
    double wmin, wmax;       /* size.ratio_min and the wider of the adult and the child maximum */
    double child_lo, child_hi; /* child.age in days, less and plus one: the age test's margins */
    int size_test;           /* size.filter and a known donor weight */
    int child_hu;            /* child.always_hu */
    unsigned char abo_ok[ABO_N];
};

/* The parameters the pass reads, copied once per donor (the pass then loads nothing through
 * the parameter struct, which its stores could alias). */
static inline void heart_keyed_init(struct heart_keyed *kp, const struct heart_par *p,
                                    const struct donor *d, double day)
{
    kp->p = p;
    kp->day = day;
    kp->dw = d->weight_kg > 0 && d->weight_kg < INFINITY ? d->weight_kg : NAN;
    kp->wmin = p->size_ratio_min;
    kp->wmax = p->size_ratio_max > p->size_child_ratio_max ? p->size_ratio_max : p->size_child_ratio_max;
    kp->child_lo = p->child_age * 365.25 - 1.0;
    kp->child_hi = p->child_age * 365.25 + 1.0;
    kp->size_test = p->size_filter && !isnan(kp->dw);
    kp->child_hu = p->child_always_hu;
    for (int a = 0; a < ABO_N; a++)
        kp->abo_ok[a] = p->abo_infant_incompatible || heart_abo_step(d->abo, (enum abo)a) != 0;
}

/* 0: excluded for sure; 1: in the HU group, 2: in another group (the full tests decide). */
static inline int heart_keyed_class(const struct heart_keyed *kp, const struct cand_key *ck)
{
    if (ck->status == ST_NT) return 0;
    if ((unsigned)ck->abo < ABO_N && !kp->abo_ok[ck->abo]) return 0;
    if (kp->size_test && ck->prog != PROG_HEART_LUNG) {
        const double r = kp->dw / ck->weight_kg; /* heart_size_ratio(): both sides checked */
        if (r < kp->wmin || r > kp->wmax) return 0;
    }
    if (ck->status == ST_HU) return 1;
    if (!kp->child_hu) return 2;
    if (ck->growing) return 1;
    /* heart_is_child()'s test on cand_age()'s numbers; the division only within a day of the
     * boundary, where rounding could decide it */
    const double a = kp->day - ck->birth_day;
    if (a > kp->child_hi) return 2;
    if (a < kp->child_lo) return 1;
    return a / 365.25 < kp->p->child_age ? 1 : 2;
}

/* The allocation group of a ranked candidate aged `age`: HU (status HU, or a child by
 * heart_is_child() while child.always_hu), COMBINED (audited combined transplant), else T. */
static inline int heart_group(const struct heart_par *p, const struct cand *c, double age)
{
    const int hu = c->w.status == ST_HU || (p->child_always_hu && heart_is_child(p, c, age));
    return hu ? HEART_GRP_HU : c->combined_audited ? HEART_GRP_COMBINED : HEART_GRP_T;
}

/* Whether a child's HU points are its days listed outside NT (child.points = listed). A child
 * under child.age has been HU by rule on every transplantable day since listing (it was younger
 * still on each of them), so those days count even where a history records T. */
static inline int heart_child_points_listed(const struct heart_par *p, int child)
{
    return child && p->child_always_hu && p->child_points == HEART_CHILD_POINTS_LISTED;
}

/* Days listed under child.age (up to the mark the policy set, cand.mark_day) that were not NT
 * and that the history does not already record as HU: a candidate past child.age keeps them
 * as HU days (§III.3.2.1.1 "bleibt die zuvor registrierte Wartezeit im HU-Status erhalten",
 * with I2: each of them was an HU day by rule). 0 when there are none; the engine, whose
 * children are HU on every such day, only sees rounding, hence the tolerance. */
static inline double heart_child_extra_days(const struct heart_par *p, const struct cand *c)
{
    if (!p->child_always_hu || p->child_points != HEART_CHILD_POINTS_LISTED) return 0.0;
    if (!(c->mark_day > c->w.listed)) return 0.0; /* adult at listing, or no mark */
    double hu, nt;
    cand_mark_days(c, &hu, &nt);
    double extra = (c->mark_day - c->w.listed) - nt - hu;
    return extra > 1e-6 ? extra : 0.0;
}

/* The days that count in the HU group for a candidate who is (`child`, heart_is_child()) or is
 * not a child: HU days (NT never counts) plus the days listed under child.age that were not
 * recorded as HU (heart_child_extra_days); for a child under heart_child_points_listed(), the
 * days listed outside NT. */
static inline double heart_hu_points(const struct heart_par *p, const struct cand *c, double day,
                                     int child)
{
    if (heart_child_points_listed(p, child)) return cand_listed_days(c, day) - cand_nt_days(c, day);
    return cand_hu_days(c, day) + heart_child_extra_days(p, c);
}

/* child.inpatient = among_children, the guideline's step after ranking (§III.3.2.1): reassigns
 * the places of the HU children among out[0..k), in-patients before out-patients inside the
 * places the children's own keys give them against adults (heart.c says how). Reads the
 * matches' eligible, group, flags (HEART_F_CHILD), c->inpatient, tier and points, so any policy
 * whose tiers order HU children as bak2021's do may call it after its pass (model/score.c).
 * Reorders out[0..k). A no-op under the other child.inpatient modes. */
void heart_child_places(const struct heart_par *p, struct match *out, size_t k);

/* The dMCS complication behind the HU spell of candidate `seq` that began on `start`.
 *
 * next() cannot store state in the candidate (it receives it const, and the engine copies only
 * status and expiry from a transition), yet the end of a dMCS HU spell depends on which
 * complication began it. So the type is a pure function of (seq, start): a hash of the two
 * mapped onto cx_share. `start` is itself a continuous random day, so over candidates the
 * types follow cx_share; the transition into HU carries the same type in its code. */
enum heart_cx heart_complication(const struct heart_par *p, uint32_t seq, double start);

#endif
