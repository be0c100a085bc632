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
extern const struct pdef heart_rule_pdefs[];
extern const size_t heart_n_rule_pdefs;
extern const struct pdef heart_model_pdefs[];
extern const size_t heart_n_model_pdefs;

/* Fills p with the defaults of both tables. */
void heart_par_defaults(struct heart_par *p);

/* ABO step of 001 §III.3.4 for a heart of blood group `donor` to a recipient of `recipient`:
 * 1 identical, 2 and 3 the two compatible steps (O->B is step 2, O->A and O->AB step 3,
 * A->AB step 2, B->AB step 3), 0 incompatible or an invalid group. */
int heart_abo_step(enum abo donor, enum abo recipient);

/* The dMCS complication behind the HU spell of candidate `seq` that began on `start`.
 *
 * next() cannot store state in the candidate (it receives it const, and the engine copies only
 * status and expiry from a transition), yet the end of a dMCS HU spell depends on which
 * complication began it. So the type is a pure function of (seq, start): a hash of the two
 * mapped onto cx_share. `start` is itself a continuous random day, so over candidates the
 * types follow cx_share; the transition into HU carries the same type in its code. */
enum heart_cx heart_complication(const struct heart_par *p, uint32_t seq, double start);

#endif
