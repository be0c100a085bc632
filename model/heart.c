/* heart.c — the "bak2021" heart / heart-lung policy: parameter tables, the ranking of 001
 * §III.3.4, the reasons `wlsim rank` prints, and the constant-hazard status model (HU grants
 * and their re-evaluation, NT episodes, dMCS complications with their re-check rhythms).
 * See heart.h for the contract and docs/rules.md §1 for every rule and interpretation. */
#include "heart.h"
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
#include <gsl/gsl_rng.h>

#define OFF(f) offsetof(struct heart_par, f)
#define PH "assumption, no figure (docs/model.md §Calibration)"
#define OUTM "docs/model.md §Outcomes after transplant"
#define CALM "docs/model.md §Calibration"
#define INTERP "interpretation, see docs/rules.md §1"
#define DAYS_PER_YEAR 365.25

/* ------------------------------------------------------------------------------------------ */
/* Parameter tables                                                                            */

const struct pdef heart_rule_pdefs[] = {
    {"hu.initial_days", PD_DOUBLE, OFF(hu_initial_days), 28, 1, 365, "days", NULL,
     "Validity of a first HU grant; it must be justified again when it expires.",
     "001 §III.3.2.1 (\"initial für die Dauer von 4 Wochen\"), §III.3.5"},
    {"hu.renewal_days", PD_DOUBLE, OFF(hu_renewal_days), 56, 1, 365, "days", NULL,
     "Validity of each renewed HU grant.",
     "001 §III.3.2.1 (\"dann je für die Dauer von 8 Wochen\"), §III.3.5"},
    {"nt.cap_days", PD_DOUBLE, OFF(nt_cap_days), 30, 0, 36525, "days", NULL,
     "Most NT days that count towards waiting-time points outside the HU group.",
     "001 §III.3.4 Wartezeit (\"maximal 30 Tage\")"},
    {"immunised.pra_threshold", PD_DOUBLE, OFF(pra_threshold), 50, 0, 100, "%", NULL,
     "A candidate is highly immunised when the current PRA is above this value.",
     "001 §III.3.4 Hochimmunisierte Patienten (\"PRA über 50 %\")"},
    {"immunised.scope", PD_ENUM, OFF(immunised_scope), HEART_IMM_GROUP, 0, 0, "",
     "group|list|off",
     "Where highly immunised, HLA-suitable candidates go first for an HLA-typed donor: at the "
     "top of their urgency group, at the top of the whole list, or nowhere.",
     "001 §III.3.4 Hochimmunisierte Patienten; " INTERP},
    {"hla.exclude_unacceptable", PD_BOOL, OFF(hla_exclude_unacceptable), 0, 0, 1, "", NULL,
     "Exclude candidates whose HLA is not acceptable (hla_ok = 0) when the donor is HLA-typed.",
     "not in 001 (crossmatch rules live in the §16 Abs. 1 S. 1 Nr. 4 TPG guideline); " INTERP},
    {"child.age", PD_DOUBLE, OFF(child_age), 16, 0, 25, "years", NULL,
     "Candidates younger than this are children: always HU, with the in-patient preference.",
     "001 §III.3.2.1 (\"bis zu einem Alter von 16 Jahren\"), §III.3.4"},
    {"child.always_hu", PD_BOOL, OFF(child_always_hu), 1, 0, 1, "", NULL,
     "Children always hold HU (off only to measure the rule's effect).", "001 §III.3.2.1"},
    {"child.inpatient", PD_ENUM, OFF(child_inpatient), HEART_CHILD_AMONG_CHILDREN, 0, 0, "",
     "among_children|outpatient_last|inpatient_first|off",
     "How in-patient children are preferred in the HU group: among_children = the children keep "
     "the places their HU keys give them against adults, and among those places in-patients come "
     "before out-patients; outpatient_last = child out-patients after all in-patient HU "
     "candidates; inpatient_first = child in-patients before all other HU candidates; off.",
     "001 §III.3.2.1 (\"In der Altersgruppe der Kinder und Jugendlichen ... werden Patienten, bei "
     "denen eine stationäre Behandlung ... erforderlich ist, bei der Allokation bevorzugt "
     "berücksichtigt\"); " INTERP},
    {"child.points", PD_ENUM, OFF(child_points), HEART_CHILD_POINTS_LISTED, 0, 0, "",
     "listed|recorded",
     "HU points of a child: days listed minus NT days (every transplantable day of a child is "
     "an HU day) or the HU days recorded in the status history.",
     "001 §III.3.2.1, §III.3.4 Wartezeit; " INTERP},
    {"abo.scope", PD_ENUM, OFF(abo_scope), HEART_ABO_WITHIN, 0, 0, "", "within|across",
     "ABO steps inside each urgency group (within) or before the urgency groups (across).",
     "001 §III.3.4 Blutgruppenidentität und -kompatibilität; " INTERP},
    {"abo.infant_incompatible", PD_BOOL, OFF(abo_infant_incompatible), 0, 0, 1, "", NULL,
     "Rank ABO-incompatible infants (after the compatible steps) instead of excluding them; "
     "needs a centre protocol and low titres, which the model cannot see, hence off.",
     "001 §III.3.4 (\"Bei Kindern unter 2 Jahren ... zulässig\"); " INTERP},
    {"abo.infant_age", PD_DOUBLE, OFF(abo_infant_age), 2, 0, 16, "years", NULL,
     "Age below which the ABO-incompatible option may apply.",
     "001 §III.3.4 (\"Kindern unter 2 Jahren\")"},
    {"hl.order", PD_ENUM, OFF(hl_order), HEART_HL_BEFORE_ABO, 0, 0, "", "before_abo|after_abo",
     "Heart-lung before heart as a split of the urgency group above the ABO steps, or only "
     "inside each ABO step.",
     "001 §III.3.3 (\"in jeder Dringlichkeitsstufe grundsätzlich Vorrang\"), §III.3.4; " INTERP},
    {"immunised.vs_hl", PD_ENUM, OFF(imm_hl), HEART_IMM_HL_HL_FIRST, 0, 0, "",
     "hl_first|immunised_first",
     "Inside an urgency group (immunised.scope group, hl.order before_abo): heart-lung "
     "candidates before the highly immunised preference, or the immunised first.",
     "001 §III.3.3 (heart-lung \"in jeder Dringlichkeitsstufe\" first) and §III.3.4 (group "
     "definition names heart-lung first) vs §III.3.4 Hochimmunisierte Patienten; " INTERP},
    {"size.filter", PD_BOOL, OFF(size_filter), 1, 0, 1, "", NULL,
     "Exclude heart candidates whose donor/recipient weight ratio is out of bounds (when both "
     "weights are known).",
     "001 §III.3 (\"zunächst nach Größe und Blutgruppe\")"},
    {"size.ratio_min", PD_DOUBLE, OFF(size_ratio_min), 0.7, 0.05, 20, "ratio", NULL,
     "Lowest donor/recipient body-weight ratio offered.",
     "001 §III.3 gives no number; ISHLT guideline (Costanzo et al., JHLT 2010;29:914): donor "
     "weight no more than 30 % below the recipient's is uniformly safe"},
    {"size.ratio_max", PD_DOUBLE, OFF(size_ratio_max), 1.5, 0.05, 20, "ratio", NULL,
     "Highest donor/recipient body-weight ratio offered to adults.",
     "001 §III.3 gives no number; " INTERP " (oversizing is tolerated; 1.5 keeps grossly "
     "oversized offers out)"},
    {"size.child_ratio_max", PD_DOUBLE, OFF(size_child_ratio_max), 3.0, 0.05, 20, "ratio", NULL,
     "Highest donor/recipient body-weight ratio offered to children.",
     "001 §III.3 gives no number; paediatric practice accepts oversizing up to about 3 "
     "(ISHLT paediatric survey, Pediatr Transplant 2019;23:e13417: upper limits 120-350 %)"},
    {"tlc.filter", PD_BOOL, OFF(tlc_filter), 1, 0, 1, "", NULL,
     "Exclude heart-lung candidates whose donor/recipient TLC ratio is out of bounds (when both "
     "TLCs are known).",
     "001 §III.3 (\"nach Totaler Lungenkapazität (TLC) und Blutgruppe\")"},
    {"tlc.ratio_min", PD_DOUBLE, OFF(tlc_ratio_min), 0.75, 0.05, 20, "ratio", NULL,
     "Lowest donor/recipient total-lung-capacity ratio offered for heart-lung.",
     "001 §III.3 gives no number; " INTERP " (pTLC ratio 1.015 +- 0.175 in Eberlein et al., "
     "Ann Am Thorac Soc 2013;10:418)"},
    {"tlc.ratio_max", PD_DOUBLE, OFF(tlc_ratio_max), 1.3, 0.05, 20, "ratio", NULL,
     "Highest donor/recipient total-lung-capacity ratio offered for heart-lung.",
     "001 §III.3 gives no number; " INTERP " (Eberlein 2013: mortality falls with oversizing "
     "up to about 1.3)"},
    {"dmcs.min_days", PD_DOUBLE, OFF(dmcs_min_days), 30, 0, 365, "days", NULL,
     "A dMCS complication justifies HU only this many days after implantation or later.",
     "001 §III.3.2.1.2.1-.8 (\"frühestens 30 Tage nach Implantation\")"},
    {"dmcs.infection.first_days", PD_DOUBLE, OFF(dmcs_infection_first_days), 28, 1, 365, "days",
     NULL, "First re-check of an HU for dMCS infection.",
     "001 §III.3.2.1.2.6 (\"initial nach vier Wochen\")"},
    {"dmcs.infection.next_days", PD_DOUBLE, OFF(dmcs_infection_next_days), 56, 1, 365, "days",
     NULL, "Interval of the later re-checks of an HU for dMCS infection.",
     "001 §III.3.2.1.2.6 (\"dann nach acht Wochen\")"},
    {"dmcs.rhf.recheck_days", PD_DOUBLE, OFF(dmcs_rhf_recheck_days), 14, 1, 365, "days", NULL,
     "Re-check interval of an HU for chronic right-heart failure.",
     "001 §III.3.2.1.2.5 (\"alle zwei Wochen\")"},
    {"dmcs.gi.stable_days", PD_DOUBLE, OFF(dmcs_gi_stable_days), 28, 0, 365, "days", NULL,
     "An HU for GI bleeding ends once haemoglobin has been stable this long.",
     "001 §III.3.2.1.2.3 (\"über einen Zeitraum von 4 Wochen Hb-stabil\")"},
};
const size_t heart_n_rule_pdefs = sizeof heart_rule_pdefs / sizeof heart_rule_pdefs[0];

const struct pdef heart_model_pdefs[] = {
    {"death.hu_per_year", PD_DOUBLE, OFF(death_hu), 1.1, 0, 100, "1/year", NULL,
     "Hazard of death while in HU (adults).",
     "assumption: ~45 HU deaths/year of 117 (docs/calibration.md 2017) from ~43 in HU; no HU-specific "
     "figure (" CALM ")"},
    {"death.t_per_year", PD_DOUBLE, OFF(death_t), 0.115, 0, 100, "1/year", NULL,
     "Hazard of death while in T (no dMCS).",
     "derived: the ~72 of 117 deaths/year (2017) not in HU over ~650 in T/NT (" CALM ")"},
    {"death.nt_per_year", PD_DOUBLE, OFF(death_nt), 0.15, 0, 100, "1/year", NULL,
     "Hazard of death while NT.", PH},
    {"death.child_per_year", PD_DOUBLE, OFF(death_child), 0.17, 0, 100, "1/year", NULL,
     "Hazard of death of a child holding HU by age.",
     PH "; about 17 %/year waiting-list mortality of children (US, Almond et al. 2009)"},
    {"death.dmcs_per_year", PD_DOUBLE, OFF(death_dmcs), 0.15, 0, 100, "1/year", NULL,
     "Hazard of death of a dMCS patient in T.",
     PH "; EUROMACS one-year survival on device 69 % includes the early post-implant deaths"},
    {"removal_per_year", PD_DOUBLE, OFF(removal), 0.055, 0, 100, "1/year", NULL,
     "Hazard of removal from the list (any status).",
     "derived: 460 listings - 300 tx - 117 deaths = 43 removals/year over ~750 listed (" CALM ")"},
    {"nt.start_per_year", PD_DOUBLE, OFF(nt_start), 0.25, 0, 100, "1/year", NULL,
     "Hazard of a temporary contraindication (NT episode) from T or HU.", PH},
    {"nt.mean_days", PD_DOUBLE, OFF(nt_mean_days), 60, 1, 3650, "days", NULL,
     "Mean length of an NT episode (exponential).", PH},
    {"hu.listing_share", PD_DOUBLE, OFF(hu_listing_share), 0.15, 0, 1, "share", NULL,
     "Share of adult non-dMCS listings that start in HU (HU applied for with the listing).",
     PH "; 001 §III.3.2 allows it as an exception"},
    {"hu.deterioration_per_year", PD_DOUBLE, OFF(deterioration), 0.44, 0, 100, "1/year", NULL,
     "Hazard of a T -> HU deterioration of an adult without dMCS.",
     "derived: 40-80 in HU and 80-90 % of tx in HU (docs/calibration.md) together: ~43 in HU, 89 % of tx (" CALM ")"},
    {"hu.improvement_per_year", PD_DOUBLE, OFF(improvement), 1.0, 0, 100, "1/year", NULL,
     "Hazard of a clear improvement back to T between re-evaluations (no dMCS).", PH},
    {"hu.renew_prob", PD_DOUBLE, OFF(renew_prob), 0.8, 0, 1, "probability", NULL,
     "Probability that a re-evaluation renews a non-dMCS adult's HU grant.", PH},
    {"hu.after_nt_prob", PD_DOUBLE, OFF(hu_after_nt_prob), 0.6, 0, 1, "probability", NULL,
     "Probability that the new HU application after an NT episode during HU is accepted.",
     PH "; 001 §III.3.2.3 requires the new application"},
    {"child.growing_prob", PD_DOUBLE, OFF(growing_prob), 0.5, 0, 1, "probability", NULL,
     "Probability that an adolescent past child.age is confirmed still growing at an HU "
     "re-evaluation (keeps HU by age).", PH "; 001 §III.3.2.1"},
    {"audit.special_prob", PD_DOUBLE, OFF(audit_prob), 0.5, 0, 1, "probability", NULL,
     "Probability that the audit grants HU to a candidate of a special diagnosis group.",
     PH "; 001 §III.3.2.1.1 Einzelfallentscheidung"},
    {"diag.amyloidosis_share", PD_DOUBLE, OFF(diag_share[HEART_DIAG_AMYLOIDOSIS]), 0.03, 0, 1,
     "share", NULL, "Share of adult listings with isolated cardiac amyloidosis.", PH},
    {"diag.congenital_share", PD_DOUBLE, OFF(diag_share[HEART_DIAG_CONGENITAL]), 0.03, 0, 1,
     "share", NULL, "Share of adult listings with congenital heart disease.", PH},
    {"diag.hcm_rcm_share", PD_DOUBLE, OFF(diag_share[HEART_DIAG_HCM_RCM]), 0.05, 0, 1, "share",
     NULL, "Share of adult listings with hypertrophic or restrictive cardiomyopathy.", PH},
    {"diag.arrhythmia_share", PD_DOUBLE, OFF(diag_share[HEART_DIAG_ARRHYTHMIA]), 0.02, 0, 1,
     "share", NULL, "Share of adult listings with life-threatening arrhythmia.", PH},
    {"dmcs.listing_share", PD_DOUBLE, OFF(dmcs_share), 0.3, 0, 1, "share", NULL,
     "Share of adult listings on durable mechanical circulatory support.", PH},
    {"dmcs.implant_mean_days", PD_DOUBLE, OFF(dmcs_implant_mean_days), 120, 0, 3650, "days",
     NULL, "Mean days from dMCS implantation to listing (exponential).", PH},
    {"dmcs.complication_per_year", PD_DOUBLE, OFF(dmcs_complication), 0.5, 0, 100, "1/year",
     NULL, "Hazard of an HU-qualifying dMCS complication (any type), from dmcs.min_days on.",
     PH "; EUROMACS all-severity rates are higher (infection 6.18, bleeding 6.45 per 100 "
     "patient-months)"},
    {"dmcs.share.cerebral", PD_DOUBLE, OFF(cx_share[HEART_CX_CEREBRAL]), 0.14, 0, 1, "share",
     NULL, "Share of complications that are cerebral events.",
     "docs/calibration.md: stroke 14 % of VAD HU"},
    {"dmcs.share.embolism", PD_DOUBLE, OFF(cx_share[HEART_CX_EMBOLISM]), 0.04, 0, 1, "share",
     NULL, "Share of complications that are peripheral embolisms.", PH},
    {"dmcs.share.gi_bleeding", PD_DOUBLE, OFF(cx_share[HEART_CX_GI_BLEEDING]), 0.10, 0, 1,
     "share", NULL, "Share of complications that are refractory GI bleedings.", PH},
    {"dmcs.share.aortic", PD_DOUBLE, OFF(cx_share[HEART_CX_AORTIC]), 0.04, 0, 1, "share", NULL,
     "Share of complications that are aortic insufficiency.", PH},
    {"dmcs.share.rhf", PD_DOUBLE, OFF(cx_share[HEART_CX_RHF]), 0.15, 0, 1, "share", NULL,
     "Share of complications that are chronic right-heart failure.",
     "docs/calibration.md: right-heart failure 15 % of VAD HU"},
    {"dmcs.share.infection", PD_DOUBLE, OFF(cx_share[HEART_CX_INFECTION]), 0.34, 0, 1, "share",
     NULL, "Share of complications that are device infections.",
     "docs/calibration.md: infection 34 % of VAD HU"},
    {"dmcs.share.malfunction", PD_DOUBLE, OFF(cx_share[HEART_CX_MALFUNCTION]), 0.07, 0, 1,
     "share", NULL, "Share of complications that are device malfunctions.", PH},
    {"dmcs.share.thrombosis", PD_DOUBLE, OFF(cx_share[HEART_CX_THROMBOSIS]), 0.12, 0, 1, "share",
     NULL, "Share of complications that are recurrent pump thromboses.",
     "docs/calibration.md: pump thrombosis 12 % of VAD HU"},
    {"dmcs.persist.infection", PD_DOUBLE, OFF(persist_infection), 0.7, 0, 1, "probability", NULL,
     "Probability that a device infection still qualifies at a re-check.", PH},
    {"dmcs.persist.rhf", PD_DOUBLE, OFF(persist_rhf), 0.85, 0, 1, "probability", NULL,
     "Probability that right-heart failure still qualifies at a two-weekly re-check.", PH},
    {"dmcs.persist.other", PD_DOUBLE, OFF(persist_other), 0.8, 0, 1, "probability", NULL,
     "Probability that a cerebral event, embolism, aortic insufficiency or malfunction still "
     "justifies HU at a re-evaluation.", PH},
    {"dmcs.persist.thrombosis", PD_DOUBLE, OFF(persist_thrombosis), 1.0, 0, 1, "probability",
     NULL, "Probability that recurrent pump thrombosis still justifies HU at a re-evaluation.",
     "001 Begründung II.2.5.8 (\"dauerhafte HU-Meldung ... gerechtfertigt\")"},
    {"dmcs.gi.stabilise_mean_days", PD_DOUBLE, OFF(gi_stabilise_mean_days), 30, 1, 3650, "days",
     NULL, "Mean days until a GI bleeding in HU becomes stable (exponential).", PH},
    {"accept.hu", PD_DOUBLE, OFF(accept_hu), 0.35, 0, 1, "probability", NULL,
     "Probability that an offer to an HU-group candidate is accepted.",
     "derived: lowest value with < 4 % of hearts unplaced after 8 offers (0.65^8 = 3 %); "
     "more HU patients per HU share (" CALM ")"},
    {"accept.combined", PD_DOUBLE, OFF(accept_combined), 0.5, 0, 1, "probability", NULL,
     "Probability that an offer to a COMBINED-group candidate is accepted.", PH},
    {"accept.t", PD_DOUBLE, OFF(accept_t), 0.45, 0, 1, "probability", NULL,
     "Probability that an offer to a T-group candidate is accepted.", PH},
    /* After the transplant (model/outcome.h; derivations in docs/model.md §Outcomes after
     * transplant). The baseline is an elective (T) first heart transplant without dMCS, recipient
     * up to outcome.recip_age, donor under 40. */
    {"outcome.death.early", PD_DOUBLE, OFF(outc.death.early), 0.09, 0, 10, "", NULL,
     "Cumulative hazard of the early phase of death after a heart transplant (baseline).",
     "derived: 1-year survival 81 % (ISHLT 2013/2014), 62 % of first-year deaths in the first "
     "month (DHZB 2000-2010), over the simulated mix of recipients (" OUTM ")"},
    {"outcome.death.early_days", PD_DOUBLE, OFF(outc.death.early_days), 22, 0.01, 3650, "days",
     NULL, "Time constant of the early phase (its hazard falls by e every this many days).",
     "derived: 62 % of first-year deaths in the first month (DHZB 2000-2010) (" OUTM ")"},
    {"outcome.death.late_per_year", PD_DOUBLE, OFF(outc.death.late_per_year), 0.0215, 0, 10,
     "1/year", NULL, "Hazard of death after the early phase (baseline).",
     "derived: 81 % at 1 year, 69 % at 5 years (ISHLT) = 4 %/year over the mix; annual "
     "attrition 3-4 % (review) (" OUTM ")"},
    {"outcome.hr_hu", PD_DOUBLE, OFF(outc.hr_hu), 1.3, 0, 100, "", NULL,
     "Hazard ratio of death after transplant for a recipient in HU at transplant.",
     "assumption between 73.7 % 1-year survival of urgent recipients (one German centre, EJCTS "
     "2008) and \"no better outcome\" of the HU system (Haneya 2011) (" OUTM ")"},
    {"outcome.hr_dmcs", PD_DOUBLE, OFF(outc.hr_dmcs), 1.2, 0, 100, "", NULL,
     "Hazard ratio of death after transplant for a recipient on dMCS at transplant.",
     "assumption, no figure in docs/calibration.md (" OUTM ")"},
    {"outcome.recip_age", PD_DOUBLE, OFF(outc.recip_age), 55, 0, 120, "years", NULL,
     "Recipient age above which outcome.hr_recip_old applies.",
     "UNOS analysis (Nguyen et al.): recipients > 55"},
    {"outcome.hr_recip_old", PD_DOUBLE, OFF(outc.hr_recip_old), 1.37, 0, 100, "", NULL,
     "Hazard ratio of death after transplant for a recipient older than outcome.recip_age.",
     "UNOS analysis (Nguyen et al.), donors >= 45: HR 1.37"},
    {"outcome.hr_donor_40", PD_DOUBLE, OFF(outc.hr_donor_40), 1.19, 0, 100, "", NULL,
     "Hazard ratio of death (and of relisting) for a donor aged 40-49 vs under 40.",
     "UNOS 2000-2012 (Weber et al.): HR 1.19-1.43 for 40-49, 50-54, >= 55 vs 18-39"},
    {"outcome.hr_donor_50", PD_DOUBLE, OFF(outc.hr_donor_50), 1.3, 0, 100, "", NULL,
     "Hazard ratio of death (and of relisting) for a donor aged 50-54 vs under 40.",
     "UNOS 2000-2012 (Weber et al.): HR 1.19-1.43 (middle of the range)"},
    {"outcome.hr_donor_55", PD_DOUBLE, OFF(outc.hr_donor_55), 1.43, 0, 100, "", NULL,
     "Hazard ratio of death (and of relisting) for a donor aged 55 or more vs under 40.",
     "UNOS 2000-2012 (Weber et al.): HR 1.19-1.43 (top of the range)"},
    {"outcome.hr_retx", PD_DOUBLE, OFF(outc.hr_retx), 1.71, 0, 100, "", NULL,
     "Hazard ratio of death after a re-transplant vs a first transplant.",
     "reviews of ISHLT/UNOS: risk of death 71 % higher after a re-transplant"},
    {"outcome.hr_heart_lung", PD_DOUBLE, OFF(outc.hr_heart_lung), 1.0, 0, 100, "", NULL,
     "Hazard ratio of death after a heart-lung vs a heart transplant.",
     "assumption: no figure in docs/calibration.md, so no difference (" OUTM ")"},
    {"outcome.relist_per_year", PD_DOUBLE, OFF(outc.relist_per_year), 0.0045, 0, 10, "1/year",
     NULL, "Hazard of a graft failure that is not death and is relisted for a re-transplant "
     "(times the donor-age hazard ratio).",
     "derived: re-transplants are 2-4 % of adult heart transplants (ISHLT) (" OUTM ")"},
};
const size_t heart_n_model_pdefs = sizeof heart_model_pdefs / sizeof heart_model_pdefs[0];

void heart_par_defaults(struct heart_par *p)
{
    memset(p, 0, sizeof *p);
    pdef_defaults(heart_rule_pdefs, heart_n_rule_pdefs, p);
    pdef_defaults(heart_model_pdefs, heart_n_model_pdefs, p);
}

static int heart_validate(const void *par, char *msg, size_t len)
{
    const struct heart_par *p = par;
    if (p->hu_initial_days > p->hu_renewal_days) {
        snprintf(msg, len, "hu.initial_days (%g) must not exceed hu.renewal_days (%g)",
                 p->hu_initial_days, p->hu_renewal_days);
        return -1;
    }
    if (!(p->size_ratio_min < p->size_ratio_max) || !(p->size_ratio_min < p->size_child_ratio_max)) {
        snprintf(msg, len, "size.ratio_min (%g) must be below size.ratio_max (%g) and "
                 "size.child_ratio_max (%g)", p->size_ratio_min, p->size_ratio_max,
                 p->size_child_ratio_max);
        return -1;
    }
    if (!(p->tlc_ratio_min < p->tlc_ratio_max)) {
        snprintf(msg, len, "tlc.ratio_min (%g) must be below tlc.ratio_max (%g)",
                 p->tlc_ratio_min, p->tlc_ratio_max);
        return -1;
    }
    if (p->abo_infant_age > p->child_age) {
        snprintf(msg, len, "abo.infant_age (%g) must not exceed child.age (%g)",
                 p->abo_infant_age, p->child_age);
        return -1;
    }
    double s = 0;
    for (int k = 0; k < HEART_CX_N; k++) s += p->cx_share[k];
    if (fabs(s - 1.0) > 1e-6) {
        snprintf(msg, len, "dmcs.share.*: expected the eight complication shares to sum to 1, "
                 "found %g", s);
        return -1;
    }
    s = 0;
    for (int k = 1; k < HEART_DIAG_N; k++) s += p->diag_share[k];
    if (s > 1.0 + 1e-9) {
        snprintf(msg, len, "diag.*_share: expected the four diagnosis shares to sum to at most 1, "
                 "found %g", s);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Ranking                                                                                     */

/* Days that count in the T and COMBINED groups: all days listed, NT days only up to the cap. */
static double t_points(const struct heart_par *p, const struct cand *c, double day)
{
    double nt = cand_nt_days(c, day);
    return cand_listed_days(c, day) - nt + (nt < p->nt_cap_days ? nt : p->nt_cap_days); /* fmin: neither is NaN */
}

/* Heart-lung before the immunised preference of the group (immunised.vs_hl: hl_first)? Only
 * where both are splits of the urgency group; otherwise the options place them. */
static int hl_above_imm(const struct heart_par *p)
{
    return p->imm_hl == HEART_IMM_HL_HL_FIRST && p->immunised_scope == HEART_IMM_GROUP
           && p->hl_order == HEART_HL_BEFORE_ABO;
}

/* The composite key, most significant slot first. Every slot is always present (0 when an
 * option puts that preference elsewhere), so the radices and thus the meaning of a tier value
 * do not depend on the options. */
static uint32_t tier_of(const struct heart_par *p, int grp, int step, int imm, int hl, int defer)
{
    const int nimm = !imm, nhl = !hl, s = step - 1;
    uint32_t t = 0;
    t = t * 2 + (uint32_t)(p->immunised_scope == HEART_IMM_LIST ? nimm : 0);
    t = t * 4 + (uint32_t)(p->abo_scope == HEART_ABO_ACROSS ? s : 0);
    t = t * 4 + (uint32_t)(grp - 1);
    t = t * 2 + (uint32_t)(hl_above_imm(p) ? nhl : 0);
    t = t * 2 + (uint32_t)(p->immunised_scope == HEART_IMM_GROUP ? nimm : 0);
    t = t * 2 + (uint32_t)(p->hl_order == HEART_HL_BEFORE_ABO && !hl_above_imm(p) ? nhl : 0);
    t = t * 4 + (uint32_t)(p->abo_scope == HEART_ABO_WITHIN ? s : 0);
    t = t * 2 + (uint32_t)(p->hl_order == HEART_HL_AFTER_ABO ? nhl : 0);
    t = t * 2 + (uint32_t)defer;
    return t;
}

static int exclude(struct match *m, int code)
{
    m->eligible = 0;
    m->excl = code;
    m->group = HEART_GRP_NONE;
    m->tier = UINT32_MAX;
    m->points = 0;
    return code;
}

/* The flags that describe c whether it is ranked or not. */
static unsigned base_flags(const struct heart_par *p, const struct cand *c, int child)
{
    unsigned f = 0;
    if (c->prog == PROG_HEART_LUNG) f |= HEART_F_HEART_LUNG;
    if (child) f |= HEART_F_CHILD;
    if (c->inpatient) f |= HEART_F_INPATIENT;
    if (c->pra > p->pra_threshold) f |= HEART_F_PRA_HIGH;
    if (c->combined_audited) f |= HEART_F_COMBINED;
    return f;
}

/* Fills *m for a candidate heart_exclusion() lets through with ABO step `step`. */
static void rank_ranked(const struct heart_par *p, const struct donor *d, double day,
                        struct cand *c, double age, int step, struct match *m)
{
    const int hl = c->prog == PROG_HEART_LUNG;
    const int child = heart_is_child(p, c, age);
    unsigned f = base_flags(p, c, child);
    if (child && !(age < p->child_age)) f |= HEART_F_GROWING;
    if (step == 4) f |= HEART_F_ABO_INFANT;
    const int by_age = child && p->child_always_hu;
    const int hu = c->w.status == ST_HU || by_age;
    if (hu && c->w.status != ST_HU) f |= HEART_F_HU_BY_AGE;
    const int grp = hu ? HEART_GRP_HU : c->combined_audited ? HEART_GRP_COMBINED : HEART_GRP_T;
    const int imm = p->immunised_scope != HEART_IMM_OFF && (f & HEART_F_PRA_HIGH) && d->hla_typed
                    && c->hla_ok;
    if (imm) f |= HEART_F_IMMUNISED;
    /* The in-patient preference among children (§III.3.2.1) acts in the HU group only, as the
     * last key before points: adult HU candidates are in hospital by definition, so either the
     * child out-patients go after every in-patient, or the child in-patients before everyone. */
    int defer = 0;
    if (grp == HEART_GRP_HU) {
        if (p->child_inpatient == HEART_CHILD_OUTPATIENT_LAST) defer = child && !c->inpatient;
        else if (p->child_inpatient == HEART_CHILD_INPATIENT_FIRST) defer = !(child && c->inpatient);
    }
    if (defer) f |= HEART_F_CHILD_DEFERRED;
    *m = (struct match){
        .c = c,
        .eligible = 1,
        .excl = HEART_EX_NONE,
        .group = grp,
        .abo_step = step,
        .flags = f,
        .tier = tier_of(p, grp, step, imm, hl, defer),
        .points = grp == HEART_GRP_HU ? heart_hu_points(p, c, day, child) : t_points(p, c, day),
    };
    if (grp == HEART_GRP_HU && !heart_child_points_listed(p, child) && heart_child_extra_days(p, c) > 0)
        m->flags |= HEART_F_CHILD_DAYS;
}

/* Fills *m for candidate c and donor d on `day`; returns the exclusion code (0 = ranked). */
static int rank_one(const struct heart_par *p, const struct donor *d, double day, struct cand *c,
                    struct match *m)
{
    const double age = cand_age(c, day);
    int step;
    const int code = heart_exclusion(p, d, c, age, &step);
    if (code == HEART_EX_NONE) {
        rank_ranked(p, d, day, c, age, step, m);
        return code;
    }
    unsigned f = base_flags(p, c, heart_is_child(p, c, age));
    if (step == 4) f |= HEART_F_ABO_INFANT;
    *m = (struct match){.c = c, .abo_step = step, .flags = f};
    return exclude(m, code);
}

/* child.inpatient = among_children (§III.3.2.1: the preference holds "in der Altersgruppe der
 * Kinder und Jugendlichen"): the HU children of a tier keep, as a group, the places their keys
 * give them among the adults; inside those places the in-patients come first, each part in its
 * own order. Done by moving the children's keys: the children are sorted by their own keys
 * (insertion sort: a list holds few children), then the in-patients are moved forward past the
 * out-patients while every place keeps its points. A child whose points so changed is ranked at
 * another child's place (the reason says so). Equal points would leave the tie to the listing
 * day and seq, so such a tie is broken by the smallest step up. Reorders out (the contract
 * allows any order). */
void heart_child_places(const struct heart_par *p, struct match *out, size_t k)
{
    if (p->child_inpatient != HEART_CHILD_AMONG_CHILDREN) return;
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (out[i].eligible && out[i].group == HEART_GRP_HU && (out[i].flags & HEART_F_CHILD)) {
            struct match t = out[i];
            out[i] = out[m];
            out[m++] = t;
        }
    if (m < 2) return;
    for (size_t i = 1; i < m; i++) {
        struct match x = out[i];
        size_t j = i;
        for (; j > 0 && match_cmp(&x, &out[j - 1]) < 0; j--) out[j] = out[j - 1];
        out[j] = x;
    }
    for (size_t a = 0, b; a < m; a = b) {
        for (b = a + 1; b < m && out[b].tier == out[a].tier; b++) {}
        for (size_t i = a + 1; i < b; i++) {
            if (!out[i].c->inpatient) continue;
            for (size_t j = i; j > a && !out[j - 1].c->inpatient; j--) {
                const double pj = out[j].points, pk = out[j - 1].points;
                struct match t = out[j];
                out[j] = out[j - 1];
                out[j - 1] = t;
                out[j].points = pj;
                out[j - 1].points = pk;
            }
        }
        for (size_t j = b - 1; j-- > a;)
            if (match_cmp(&out[j], &out[j + 1]) > 0) out[j].points = nextafter(out[j + 1].points, INFINITY);
    }
}

/* How far ahead heart_match() prefetches: the candidates lie scattered over the engine's
 * candidate pool, so without it the pass waits on memory for every one of them. */
#define PREFETCH_AHEAD 8

/* The engine ranks the whole list for every donor but only wants the eligible, and for a given
 * donor about half of the list is out (mostly on size): those cost only their exclusion tests. */
__attribute__((flatten)) /* one loop body: exclusion() and rank_ranked() inlined */
static size_t heart_match(const void *par, const struct donor *d, double day,
                          struct cand *const *list, size_t n, int want_excluded, struct match *out)
{
    const struct heart_par *p = par;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n) __builtin_prefetch(list[i + PREFETCH_AHEAD]);
        struct cand *c = list[i];
        if (want_excluded) {
            rank_one(p, d, day, c, &out[k++]);
            continue;
        }
        const double age = cand_age(c, day);
        int step;
        if (heart_exclusion(p, d, c, age, &step) == HEART_EX_NONE)
            rank_ranked(p, d, day, c, age, step, &out[k++]);
    }
    heart_child_places(p, out, k);
    return k;
}

/* Ranks out[from..to)'s candidates (pointers left in .c) into out[from..), returning the new
 * end. Writes out[k] only after reading out[j], k <= j. */
static size_t keyed_rank(const struct heart_par *p, const struct donor *d, double day,
                         struct match *out, size_t from, size_t to)
{
    size_t k = from;
    for (size_t j = from; j < to; j++) {
        if (j + PREFETCH_AHEAD < to) __builtin_prefetch(out[j + PREFETCH_AHEAD].c);
        struct cand *c = out[j].c;
        const double age = cand_age(c, day);
        int step;
        if (heart_exclusion(p, d, c, age, &step) == HEART_EX_NONE)
            rank_ranked(p, d, day, c, age, step, &out[k++]);
    }
    return k;
}

/* The walk to the first few candidates outside the HU group (heart_match_keyed): their tier
 * and points as rank_ranked() gives them, from the key alone. Outside the HU group a candidate
 * is a T candidate (the key pass leaves out NT), so its points are t_points() with the NT days
 * of closed spells: the same expression on the same numbers. `tiers` holds tier_of() for
 * [COMBINED/T][step - 1][immunised][heart-lung] (defer is 0 outside the HU group). */
struct walk_tiers {
    uint32_t t[2][4][2][2];    /* outside HU: [COMBINED/T][step - 1][immunised][heart-lung] */
    uint32_t hu[4][2][2];      /* an adult in the HU group: [step - 1][immunised][heart-lung] */
};

struct keyed_walk {
    const struct heart_keyed *kp;
    const struct donor *d;
    struct walk_tiers wt;
};

/* tier_of() for every slot of struct walk_tiers: a function of the parameters only, so the
 * index computes it once. */
static void walk_tiers_init(struct walk_tiers *wt, const struct heart_par *p)
{
    for (int g = 0; g < 2; g++)
        for (int s = 0; s < 4; s++)
            for (int imm = 0; imm < 2; imm++)
                for (int hl = 0; hl < 2; hl++)
                    wt->t[g][s][imm][hl] =
                        tier_of(p, g ? HEART_GRP_T : HEART_GRP_COMBINED, s + 1, imm, hl, 0);
    /* rank_ranked()'s defer for an adult: only child.inpatient = inpatient_first defers adults */
    const int defer = p->child_inpatient == HEART_CHILD_INPATIENT_FIRST;
    for (int s = 0; s < 4; s++)
        for (int imm = 0; imm < 2; imm++)
            for (int hl = 0; hl < 2; hl++)
                wt->hu[s][imm][hl] = tier_of(p, HEART_GRP_HU, s + 1, imm, hl, defer);
}

static void walk_init(struct keyed_walk *w, const struct heart_keyed *kp, const struct donor *d)
{
    w->kp = kp;
    w->d = d;
    walk_tiers_init(&w->wt, kp->p);
}

/* Sets g->tier and g->points for the candidate with key ck; 0 when the key shows it is out on
 * ABO (then the full test would exclude it too). */
static int walk_guide(const struct keyed_walk *w, const struct cand_key *ck, struct match *g)
{
    const struct heart_par *p = w->kp->p;
    const double day = w->kp->day;
    int step = heart_abo_step(w->d->abo, (enum abo)ck->abo);
    if (step == 0) {
        if (!(p->abo_infant_incompatible && (day - ck->birth_day) / 365.25 < p->abo_infant_age
              && (unsigned)w->d->abo < ABO_N && (unsigned)ck->abo < ABO_N))
            return 0;
        step = 4;
    }
    const int imm = p->immunised_scope != HEART_IMM_OFF && ck->pra > p->pra_threshold
                    && w->d->hla_typed && ck->hla_ok;
    g->tier = w->wt.t[!ck->combined][step - 1][imm][ck->prog == PROG_HEART_LUNG];
    const double nt = ck->nt_days;
    g->points = (day > ck->listed ? day - ck->listed : 0.0) - nt + (nt < p->nt_cap_days ? nt : p->nt_cap_days);
    return 1;
}

/* The first r eligible candidates of out[0..t) (pointers in .c, each one's index into keys in
 * .tier), without ranking them all: each gets its tier and points from its key, they are taken
 * in match order (a heap) and ranked in full one by one until r are eligible. Writes those to
 * res[0..) and returns how many. */
static size_t keyed_walk(const struct keyed_walk *w, const struct cand_key *keys, double day,
                         struct match *out, size_t t, size_t r, struct match *res)
{
    const struct heart_par *p = w->kp->p;
    size_t u = 0;
    for (size_t j = 0; j < t; j++) {
        struct cand *c = out[j].c;
        if (walk_guide(w, &keys[out[j].tier], &out[u])) out[u++].c = c;
    }
    match_heap_build(out, u);
    size_t k = 0;
    struct match g;
    while (k < r && match_heap_pop(out, &u, &g) == 0) {
        struct cand *c = g.c;
        const double age = cand_age(c, day);
        int step;
        if (heart_exclusion(p, w->d, c, age, &step) != HEART_EX_NONE) continue;
        rank_ranked(p, w->d, day, c, age, step, &res[k]);
        /* the walk's order is the match order only if the key says what the candidate says */
        assert(res[k].tier == g.tier && res[k].points == g.points);
        k++;
    }
    return k;
}

/* policy_ops.key_hot: may the entry be in the HU group (HU status, or a child holding HU by
 * age)? Age only grows, so a candidate not a child today never is one later. */
static int heart_key_hot(const void *par, const struct cand_key *k, double day)
{
    const struct heart_par *p = par;
    if (k->status == ST_HU) return 1;
    return p->child_always_hu && (k->growing || (day - k->birth_day) / 365.25 < p->child_age);
}

/* ------------------------------------------------------------------------------------------ */
/* The list index (policy_ops.index_*): the T candidates and the adult HU candidates in rank
 * order, so that a donor reaches the first few of each group without reading the list.
 *
 * Outside the HU group a candidate's tier is fixed by four things of its own (combined, ABO,
 * "immunisable": PRA above the threshold and HLA acceptable, heart-lung) and by the donor, and
 * its points are t_points(): day - listed - (nt - min(nt, cap)), where nt (the closed NT days)
 * does not change while the status does not. So each of the 32 combinations is one bucket, a
 * binary min-heap on e = listed + (nt - min(nt, cap)), and points = day - e up to rounding.
 * In the HU group an adult's tier is fixed by ABO, immunisable and heart-lung (and the option
 * child.inpatient, the same for every adult), and its points are its HU days: closed HU days
 * plus the open HU row, so e = since - closed HU days; 16 more buckets. Only adults who were
 * adults already when listed (and not "growing") are indexed in HU, since age only grows; the
 * children, and everyone in the HU group by age, are kept in a plain list too (kids) and ranked
 * in full for every donor. An entry is found for removal through its candidate id (at[id]).
 *
 * A donor gives each bucket its tier; a walk takes the tiers in order and, within a tier,
 * visits its buckets' entries in order of e (best first through the heaps, an auxiliary heap
 * holding the frontier). Rounding could make two candidates whose e differ by a few ulps rank
 * the other way round (or tie on points, then the listing day decides), so once a walk has the
 * eligible candidates it needs it also takes every candidate whose e is within HX_EPS of the
 * last: the engine's exact ordering (match_top) then sorts them. HX_EPS is orders of magnitude
 * above the rounding of sums of days (about 1e-11 at 10^5 days) and far below a day. Updates
 * cost O(log n), a walk that visits v entries O(v log v). */
#define HX_T 32             /* buckets 0..31: outside HU and NT */
#define HX_BUCKETS 48       /* buckets 32..47: adults in HU status */
#define HX_EPS 1e-6
#define HX_FRONTIER 1024    /* the walk's frontier; a longer one falls back to the full pass */

/* at[id].heap: the bucket, IX_NONE (NT, or HU on the kids' path) or IX_BAD (counted in nbad);
 * at[id].aux: the place in kids[], IX_NONE when not there. */
struct heart_index {
    struct walk_tiers wt;  /* the tiers under the parameters the index was made for */
    struct ix_heap b[HX_BUCKETS];
    struct ix_table t;
    /* Everyone who may be in the HU group without being an indexed adult (hx_kid): ranked in
     * full for every donor, as the hot entries are without the index. */
    struct hx_kid {
        struct cand *c;
        uint32_t id;
        struct cand_key key;   /* its list key, renewed with every update: the per-donor pass
                                  reads the keys in a row, not the candidates */
    } *kids;
    size_t nkids, kcap;
    size_t nbad;           /* listed entries no bucket can hold (an invalid ABO, a non-finite key) */
    double lmax;           /* latest listing or HU row day ever indexed: the walks need day >= it */
};

/* An adult in HU status whom the index holds: HU, not growing, and past child.age (with a day's
 * margin for rounding) already on the day of listing. Read from the key, so the hot pass below
 * leaves out exactly these. */
static int hx_hu_member(const struct heart_par *p, const struct cand_key *k)
{
    return k->status == ST_HU && !k->growing && k->listed - k->birth_day > p->child_age * 365.25 + 1.0;
}

/* Where c (with key k) goes: its bucket and *e, IX_NONE or IX_BAD. The T bucket's e is the
 * expression walk_guide() subtracts; the HU one's the HU days heart_hu_points() adds (an adult
 * at listing has no child days). */
static uint32_t hx_place(const struct heart_par *p, const struct cand *c, const struct cand_key *k,
                         double *e)
{
    if (k->status == ST_NT || (k->status == ST_HU && !hx_hu_member(p, k))) return IX_NONE;
    if ((unsigned)k->abo >= ABO_N) return IX_BAD;
    const uint32_t immb = k->pra > p->pra_threshold && k->hla_ok;
    const uint32_t hl = k->prog == PROG_HEART_LUNG;
    uint32_t b;
    if (k->status == ST_HU) {
        *e = c->w.since - c->w.hu_days;
        b = HX_T + (uint32_t)k->abo * 4 + immb * 2 + hl;
    } else {
        const double nt = k->nt_days;
        *e = k->listed + (nt - (nt < p->nt_cap_days ? nt : p->nt_cap_days));
        b = (k->combined ? 16 : 0) + (uint32_t)k->abo * 4 + immb * 2 + hl;
    }
    return isfinite(*e) ? b : IX_BAD;
}

/* May be in the HU group on some day without being an indexed adult (hx_hu_member): not NT, and
 * a child when listed or growing. (Past the listing an adult stays one: age only grows.) */
static int hx_kid(const struct heart_par *p, const struct cand_key *k)
{
    return k->status != ST_NT
           && (k->growing || !(k->listed - k->birth_day > p->child_age * 365.25 + 1.0));
}

static void *heart_index_alloc(const void *par)
{
    struct heart_index *hx = calloc(1, sizeof *hx);
    if (!hx) return NULL;
    hx->lmax = -INFINITY;
    walk_tiers_init(&hx->wt, par);
    return hx;
}

static void heart_index_free(void *idx)
{
    struct heart_index *hx = idx;
    if (!hx) return;
    for (int i = 0; i < HX_BUCKETS; i++) ix_heap_fini(&hx->b[i]);
    ix_table_fini(&hx->t);
    free(hx->kids);
    free(hx);
}

static int heart_index_update(void *idx, const void *par, struct cand *c, uint32_t id,
                              const struct cand_key *was, const struct cand_key *now, double day)
{
    (void)day;
    (void)was; /* the index knows where c is (t.at[id]) */
    struct heart_index *hx = idx;
    const struct heart_par *p = par;
    double en = 0;
    const uint32_t nb = now ? hx_place(p, c, now, &en) : IX_NONE;
    const struct ix_where old = id < hx->t.n ? hx->t.at[id] : (struct ix_where){IX_NONE, 0, IX_NONE};
    const int kid_was = old.aux != IX_NONE, kid_now = now && hx_kid(p, now);
    assert(was || (old.heap == IX_NONE && !kid_was)); /* a joiner is not indexed yet */
    if (kid_was && kid_now) hx->kids[old.aux].key = *now;
    if (old.heap < HX_BUCKETS && old.heap == nb && hx->b[nb].v[old.pos].e == en && kid_was == kid_now)
        return 0; /* same place */
    /* make room first: a failure changes nothing */
    if (kid_now && !kid_was && vec_grow((void **)&hx->kids, &hx->kcap, hx->nkids + 1, sizeof *hx->kids))
        return -1;
    if (ix_table_reserve(&hx->t, id) || (nb < HX_BUCKETS && ix_heap_reserve(&hx->b[nb]))) return -1;
    struct ix_where *w = &hx->t.at[id];
    if (w->heap < HX_BUCKETS) {
        /* the index holds what the engine listed */
        assert(w->pos < hx->b[w->heap].n && hx->b[w->heap].v[w->pos].c == c);
        ix_heap_remove(&hx->b[w->heap], &hx->t, w->pos);
    } else if (w->heap == IX_BAD) {
        assert(hx->nbad > 0);
        hx->nbad--;
    }
    if (kid_was && !kid_now) {
        const uint32_t j = w->aux;
        hx->kids[j] = hx->kids[--hx->nkids];
        hx->t.at[hx->kids[j].id].aux = j;
        w->aux = IX_NONE;
    } else if (kid_now && !kid_was) {
        w->aux = (uint32_t)hx->nkids;
        hx->kids[hx->nkids++] = (struct hx_kid){.c = c, .id = id, .key = *now};
    }
    w->heap = nb;
    if (nb < HX_BUCKETS) {
        ix_heap_insert(&hx->b[nb], &hx->t, (struct ix_node){.e = en, .seq = c->seq, .id = id, .c = c});
        const double lim = nb >= HX_T && c->w.since > now->listed ? c->w.since : now->listed;
        if (lim > hx->lmax) hx->lmax = lim;
    } else if (nb == IX_BAD) {
        hx->nbad++;
    }
    return 0;
}

/* The eligible candidates of one group that can be among the first r of it, and some that
 * cannot (the HX_EPS window), ranked into out[0..), from the index (see above): with hu set,
 * the adults of the HU group, else the candidates outside it. Returns how many, or SIZE_MAX
 * when the frontier outgrew its buffer (then nothing useful is in out). Used only when the
 * index applies: heart_match_indexed() says when. */
static size_t index_walk(const struct heart_index *hx, const struct keyed_walk *w, double day,
                         int hu, size_t r, struct match *out)
{
    const struct heart_par *p = w->kp->p;
    const struct donor *d = w->d;
    struct {
        uint32_t tier;
        const struct ix_heap *b;
    } act[HX_BUCKETS];
    size_t na = 0;
    const int b0 = hu ? HX_T : 0, b1 = hu ? HX_BUCKETS : HX_T;
    for (int bi = b0; bi < b1; bi++) {
        const struct ix_heap *b = &hx->b[bi];
        if (b->n == 0) continue;
        const int combined = !hu && bi >= 16, abo = ((bi - b0) / 4) % 4;
        const int immb = (bi / 2) % 2, hl = bi % 2;
        const int step = heart_abo_step(d->abo, (enum abo)abo);
        if (step == 0) continue; /* the infant option is not on (heart_match_indexed) */
        const int imm = p->immunised_scope != HEART_IMM_OFF && immb && d->hla_typed;
        const uint32_t tier = hu ? w->wt.hu[step - 1][imm][hl] : w->wt.t[!combined][step - 1][imm][hl];
        size_t j = na++;
        for (; j > 0 && act[j - 1].tier > tier; j--) act[j] = act[j - 1];
        act[j].tier = tier;
        act[j].b = b;
    }
    struct ix_front f[HX_FRONTIER];
    struct ix_frontier fr = {.f = f, .cap = HX_FRONTIER};
    size_t k = 0;
    for (size_t g = 0; g < na && r > 0;) {
        size_t h = g + 1;
        while (h < na && act[h].tier == act[g].tier) h++;
        size_t got = 0;
        fr.n = 0;
        for (size_t a = g; a < h; a++)
            ix_front_push(&fr, (struct ix_front){act[a].b->v[0].e, act[a].b->v[0].seq, (uint32_t)a, 0});
        double lim = INFINITY;
        while (fr.n > 0 && !(fr.f[0].key > lim)) {
            const struct ix_front top = ix_front_pop(&fr);
            const struct ix_heap *b = act[top.heap].b;
            for (uint32_t ch = 2 * top.i + 1; ch <= 2 * top.i + 2 && ch < b->n; ch++)
                ix_front_push(&fr, (struct ix_front){b->v[ch].e, b->v[ch].seq, top.heap, ch});
            if (fr.full) return SIZE_MAX;
            struct cand *c = b->v[top.i].c;
            const struct cand_key ck = cand_key_of(c);
            /* excluded, or (outside HU) HU by age */
            if (heart_keyed_class(w->kp, &ck) != (hu ? 1 : 2)) continue;
            const double age = cand_age(c, day);
            int step;
            if (heart_exclusion(p, d, c, age, &step) != HEART_EX_NONE) continue;
            rank_ranked(p, d, day, c, age, step, &out[k]);
            assert(out[k].tier == act[top.heap].tier);
            if (!hu) { /* outside HU the guide gives the exact points too */
                struct match gd;
                const int ok = walk_guide(w, &ck, &gd);
                assert(ok && gd.tier == out[k].tier && gd.points == out[k].points);
                (void)ok;
            }
            k++;
            if (++got == r) lim = top.key + HX_EPS;
        }
        r = got >= r ? 0 : r - got;
        g = h;
    }
    return k;
}

/* heart_match_keyed() through the index: the first `want` adults of the HU group from the
 * index, the rest of the HU group (children, everyone HU by age, adults listed as children)
 * from the index's kids, ranked in full, and when these are fewer than `want` eligible, the
 * first of the others from the index. Returns SIZE_MAX when the index does not serve (then
 * nothing useful is in out). */
static size_t heart_match_indexed(const struct heart_par *p, const struct heart_keyed *kp,
                                  const struct donor *d, double day, const struct keyed_list *l,
                                  size_t want, struct match *out)
{
    enum { HU_MAX = 256 };
    const struct heart_index *hx = l->idx;
    struct keyed_walk w = {.kp = kp, .d = d, .wt = hx->wt};
    size_t k = index_walk(hx, &w, day, 1, want, out);
    if (k == SIZE_MAX) return SIZE_MAX;
    struct match hu[HU_MAX];
    size_t h = 0;
    for (size_t j = 0; j < hx->nkids; j++) {
        const struct cand_key ck = hx->kids[j].key;
        if (heart_keyed_class(kp, &ck) != 1) continue;
        if (h == HU_MAX) return SIZE_MAX;
        hu[h++].c = hx->kids[j].c;
    }
    const size_t kc = keyed_rank(p, d, day, hu, 0, h);
    if (kc) memcpy(out + k, hu, kc * sizeof *hu);
    k += kc;
    if (k < want) {
        const size_t kt = index_walk(hx, &w, day, 0, want - k, out + k);
        if (kt == SIZE_MAX) return SIZE_MAX;
        k += kt;
    }
    heart_child_places(p, out, k);
    return k;
}

/* heart_match() for the engine (policy_ops.match_keyed). With the list index (keyed_list.idx),
 * when the groups come in order and only the first few are wanted, heart_match_indexed() walks
 * to them. Otherwise the HU group comes from the list's hot
 * entries (policy_ops.key_hot: everyone who may be in it) and is ranked first; when the group is
 * the first key of the order for every donor (immunised.scope not `list`, abo.scope not
 * `across`, see tier_of) and at least `want` of its candidates are eligible, no other candidate
 * can be among the first `want`, and the rest of the list is not even read. Otherwise one pass
 * over the keys puts the others' pointers into out[] and the walk (or, when the group is not
 * first, a full ranking) takes it from there. The HU group is complete either way, so
 * heart_child_places() sees every HU child. */
__attribute__((flatten))
static size_t heart_match_keyed(const void *par, const struct donor *d, double day,
                                const struct keyed_list *l, size_t want, struct match *out)
{
    enum { HU_MAX = 256, WALK_MAX = 64 };
    const struct heart_par *p = par;
    struct cand *const *list = l->v;
    const struct cand_key *keys = l->k;
    const size_t n = l->n;
    struct heart_keyed kp;
    heart_keyed_init(&kp, p, d, day);
    const int group_first = p->immunised_scope != HEART_IMM_LIST && p->abo_scope != HEART_ABO_ACROSS;
    /* The index serves when the groups come in order and a bucket's tier does not depend on age
     * (the infant ABO option). */
    const struct heart_index *hx = l->idx;
    if (hx && group_first && want <= WALK_MAX && !p->abo_infant_incompatible && hx->nbad == 0
        && day >= hx->lmax) {
        const size_t k = heart_match_indexed(p, &kp, d, day, l, want, out);
        if (k != SIZE_MAX) return k;
    }
    struct match hu[HU_MAX];
    size_t h = 0, t = 0;
    for (size_t j = 0; j < l->nhot; j++) {
        const uint32_t i = l->hot[j];
        if (heart_keyed_class(&kp, &keys[i]) != 1) continue;
        if (h == HU_MAX) return heart_match(par, d, day, list, n, 0, out); /* a long HU list */
        hu[h++].c = list[i];
    }
    const size_t kh = keyed_rank(p, d, day, hu, 0, h);
    if (!(group_first && kh >= want))
        for (size_t i = 0; i < n; i++)
            if (heart_keyed_class(&kp, &keys[i]) == 2) {
                out[t].c = list[i];
                out[t++].tier = (uint32_t)i; /* for the walk below */
            }
    size_t k = 0;
    if (group_first && kh < want && want - kh <= WALK_MAX && n <= UINT32_MAX) {
        /* only the best want - kh of the others can be asked: walk to them in rank order */
        struct keyed_walk w;
        walk_init(&w, &kp, d);
        struct match res[WALK_MAX];
        k = keyed_walk(&w, keys, day, out, t, want - kh, res);
        if (k) memcpy(out, res, k * sizeof *res); /* out is NULL for an empty list */
    } else if (!(group_first && kh >= want)) {
        k = keyed_rank(p, d, day, out, 0, t);
    }
    if (kh) memcpy(out + k, hu, kh * sizeof *hu);
    k += kh;
    heart_child_places(p, out, k);
    return k;
}

/* ------------------------------------------------------------------------------------------ */
/* Reasons                                                                                     */


/* Whole days print without decimals (the rank command), fractional ones with one. */
static int prec(double x) { return fabs(x - nearbyint(x)) < 1e-9 ? 0 : 1; }
#define DAYS(x) prec(x), (x)

static const char *group_label(int g)
{
    switch (g) {
    case HEART_GRP_HU: return "HU";
    case HEART_GRP_COMBINED: return "COMBINED";
    case HEART_GRP_T: return "T";
    default: return "";
    }
}

static void excluded_reason(const struct heart_par *p, const struct donor *d, double day,
                            const struct match *m, struct sb *s)
{
    const struct cand *c = m->c;
    switch (m->excl) {
    case HEART_EX_PROGRAM: sb_add(s, "not on the heart list (%s)", prog_name(c->prog)); break;
    case HEART_EX_NT: sb_add(s, "NT status"); break;
    case HEART_EX_ABO:
        sb_add(s, "ABO incompatible (donor %s, recipient %s)", abo_name(d->abo), abo_name(c->abo));
        break;
    case HEART_EX_HLA:
        sb_add(s, "HLA not acceptable (donor HLA-typed, virtual crossmatch positive)");
        break;
    case HEART_EX_SIZE: {
        /* The window is the model's (I6), not a number of the guideline: say so. */
        int child = heart_is_child(p, c, cand_age(c, day));
        sb_add(s, "weight ratio %.2f outside the model's size window %.2f-%.2f (donor %.0f kg, "
               "recipient %.0f kg)", d->weight_kg / c->weight_kg, p->size_ratio_min,
               heart_weight_max(p, child), d->weight_kg, c->weight_kg);
        break;
    }
    case HEART_EX_TLC:
        sb_add(s, "TLC ratio %.2f outside the model's TLC window %.2f-%.2f (donor %.1f l, "
               "recipient %.1f l)", d->tlc_l / c->tlc_l, p->tlc_ratio_min, p->tlc_ratio_max,
               d->tlc_l, c->tlc_l);
        break;
    default: sb_add(s, "excluded (code %d)", m->excl); break;
    }
}

/* An age for a reason, cut (not rounded) to two decimals so that a boundary reads right:
 * 15.999 years is "15.99", never "16.0" (the rules compare with "<" and completed years). */
static const char *age_text(double years, char *buf, size_t len)
{
    double a = floor(years * 100.0 + 1e-6) / 100.0; /* 1e-6: the day arithmetic's rounding */
    snprintf(buf, len, "%.2f", a);
    return buf;
}

static void heart_reason(const void *par, const struct donor *d, double day, const struct match *m,
                         char *buf, size_t len)
{
    const struct heart_par *p = par;
    const struct cand *c = m->c;
    char age[32];
    struct sb s = {buf, len, 0};
    if (len) buf[0] = '\0';
    if (!m->eligible) {
        excluded_reason(p, d, day, m, &s);
        return;
    }
    const unsigned f = m->flags;
    sb_add(&s, "%s (%s)", group_label(m->group), f & HEART_F_HEART_LUNG ? "heart-lung" : "heart");
    if (m->abo_step == 1) sb_add(&s, ", ABO step 1 (identical)");
    else if (m->abo_step <= 3)
        sb_add(&s, ", ABO step %d (compatible, donor %s to %s)", m->abo_step, abo_name(d->abo),
               abo_name(c->abo));
    else
        sb_add(&s, ", ABO incompatible under the infant option (donor %s to %s)", abo_name(d->abo),
               abo_name(c->abo));
    if (f & HEART_F_GROWING)
        sb_add(&s, "; adolescent still growing (%s years)%s", age_text(cand_age(c, day), age, sizeof age),
               f & HEART_F_HU_BY_AGE ? ", HU as a child" : "");
    else if (f & HEART_F_CHILD)
        sb_add(&s, "; child (%s years)%s", age_text(cand_age(c, day), age, sizeof age),
               f & HEART_F_HU_BY_AGE ? ", HU by age" : "");
    if (f & HEART_F_INPATIENT) sb_add(&s, "; in-patient");
    if ((f & HEART_F_CHILD) && m->group == HEART_GRP_HU && p->child_inpatient == HEART_CHILD_AMONG_CHILDREN) {
        double own = heart_hu_points(p, c, day, 1);
        if (fabs(m->points - own) > 1e-6)
            sb_add(&s, "; ranked at another child's place (%.*f points): in-patients before out-patients "
                   "among the children", DAYS(m->points));
    }
    if (f & HEART_F_CHILD_DEFERRED)
        sb_add(&s, p->child_inpatient == HEART_CHILD_OUTPATIENT_LAST
                       ? "; child out-patient: after the in-patient HU candidates of the same programme and ABO step"
                       : "; after the child in-patients of the same programme and ABO step");
    if (f & HEART_F_IMMUNISED)
        sb_add(&s, "; highly immunised first (PRA %.0f %%, donor HLA-typed, HLA acceptable)", c->pra);
    else if (f & HEART_F_PRA_HIGH)
        sb_add(&s, "; PRA %.0f %% but no preference (%s)", c->pra,
               p->immunised_scope == HEART_IMM_OFF ? "option off"
               : !d->hla_typed                     ? "donor not HLA-typed"
                                                   : "HLA not acceptable");
    if ((f & HEART_F_COMBINED) && m->group == HEART_GRP_COMBINED)
        sb_add(&s, "; audited combined transplant");
    if (m->group == HEART_GRP_HU) {
        /* The candidate's own points: m->points may be another child's place (child_places). */
        const double own = heart_hu_points(p, c, day, (f & HEART_F_CHILD) != 0);
        if (heart_child_points_listed(p, (f & HEART_F_CHILD) != 0)) {
            double nt = cand_nt_days(c, day);
            sb_add(&s, "; HU: %.*f days listed as a child, %.*f NT excluded", DAYS(own + nt),
                   DAYS(nt));
        } else if (f & HEART_F_CHILD_DAYS) {
            double extra = heart_child_extra_days(p, c);
            sb_add(&s, "; HU: %.*f HU days recorded + %.*f further days listed under %g years "
                   "(NT excluded)", DAYS(own - extra), DAYS(extra), p->child_age);
        } else {
            sb_add(&s, "; HU: %.*f HU days (NT excluded)", DAYS(own));
        }
    } else {
        double nt = cand_nt_days(c, day), counted = fmin(nt, p->nt_cap_days);
        if (nt > 0)
            sb_add(&s, "; %s: %.*f days listed, %.*f NT of which %.*f counted",
                   group_label(m->group), DAYS(cand_listed_days(c, day)), DAYS(nt), DAYS(counted));
        else
            sb_add(&s, "; %s: %.*f days listed (no NT days)", group_label(m->group),
                   DAYS(cand_listed_days(c, day)));
    }
}

static void heart_group_name(const void *par, const struct match *m, char *buf, size_t len)
{
    (void)par;
    snprintf(buf, len, "%s", group_label(m->group));
}

/* ------------------------------------------------------------------------------------------ */
/* Offers and outcomes                                                                         */

static int heart_accept(const void *par, const struct cand *c, const struct donor *d,
                        const struct match *m, gsl_rng *r)
{
    const struct heart_par *p = par;
    (void)c, (void)d;
    double q = m->group == HEART_GRP_HU ? p->accept_hu
               : m->group == HEART_GRP_COMBINED ? p->accept_combined : p->accept_t;
    return gsl_rng_uniform(r) < q;
}

static void heart_course(const void *par, const struct cand *c, const struct donor *d, double day,
                         gsl_rng *r, struct outc_course *out)
{
    outc_heart_course(&((const struct heart_par *)par)->outc, c, d, day, r, out);
}

/* ------------------------------------------------------------------------------------------ */
/* Status dynamics                                                                             */

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

enum heart_cx heart_complication(const struct heart_par *p, uint32_t seq, double start)
{
    uint64_t bits = 0;
    if (start != 0) memcpy(&bits, &start, sizeof bits); /* +0 and -0 alike */
    double u = (double)(mix64(mix64(bits) ^ ((uint64_t)seq << 1 | 1)) >> 11) * 0x1.0p-53;
    double acc = 0;
    for (int k = 0; k < HEART_CX_N - 1; k++) {
        acc += p->cx_share[k];
        if (u < acc) return (enum heart_cx)k;
    }
    return (enum heart_cx)(HEART_CX_N - 1);
}

/* Keeps the earliest candidate event in *t; ties go to the event offered first, which is why
 * callers offer a complication's end before the grant re-evaluation of the same day. */
static void offer(struct trans *t, double day, enum trans_kind kind, enum status to, double expiry,
                  int code)
{
    if (!(day < t->day)) return;
    *t = (struct trans){.kind = kind, .day = day, .to = to, .nt_credit = 0, .expiry = expiry,
                        .code = code};
}

/* from + an exponential waiting time of the given mean (days); INFINITY for a zero rate. */
static double after_mean(gsl_rng *r, double from, double mean_days)
{
    return isfinite(mean_days) && mean_days > 0 ? from + gsl_ran_exponential(r, mean_days) : INFINITY;
}

static double after_rate(gsl_rng *r, double from, double per_year)
{
    return per_year > 0 ? after_mean(r, from, DAYS_PER_YEAR / per_year) : INFINITY;
}

/* The next HU grant expiry after `now`. An overdue one (which the engine does not produce)
 * is due at once; an unknown one (a replayed history) follows the schedule from the spell. */
static double grant_expiry(const struct heart_par *p, const struct cand *c, double now)
{
    double e = c->expiry;
    if (isfinite(e)) return e > now ? e : nextafter(now, INFINITY);
    e = c->w.spell_start + p->hu_initial_days;
    if (e > now) return e;
    return e + (floor((now - e) / p->hu_renewal_days) + 1) * p->hu_renewal_days;
}

/* The first re-check strictly after `now` at which a complication no longer qualifies. Checks
 * fall on start + first + j * every (j = 0, 1, ...), each passed independently with
 * probability `persist`, so the number of checks up to the failing one is geometric; drawing
 * afresh at every call is exact because the checks are independent. */
static double check_end(gsl_rng *r, double start, double first, double every, double now,
                        double persist)
{
    if (persist >= 1) return INFINITY;
    double c0 = start + first;
    double j = now < c0 ? 0 : floor((now - c0) / every) + 1;
    while (c0 + j * every <= now + 1e-9) j++; /* a check on `now` itself has been passed */
    double fails_at = persist <= 0 ? 1 : (double)gsl_ran_geometric(r, 1.0 - persist);
    return c0 + (j + fails_at - 1) * every;
}

static int special_diag(const struct cand *c)
{
    return c->diag > HEART_DIAG_NONE && c->diag < HEART_DIAG_N;
}

static void next_t(const struct heart_par *p, const struct cand *c, double now, gsl_rng *r,
                   struct trans *t)
{
    if (p->child_always_hu && cand_age(c, now) < p->child_age) {
        /* A child in T (only from outside input): the rule makes it HU at once. */
        double day = nextafter(now, INFINITY);
        offer(t, day, TR_STATUS, ST_HU, day + p->hu_initial_days, HEART_TC_CHILD);
        return;
    }
    offer(t, after_rate(r, now, c->dmcs ? p->death_dmcs : p->death_t), TR_DEATH, ST_T, NAN,
          HEART_TC_DEATH);
    offer(t, after_rate(r, now, p->removal), TR_REMOVAL, ST_T, NAN, HEART_TC_REMOVAL);
    offer(t, after_rate(r, now, p->nt_start), TR_STATUS, ST_NT, NAN, HEART_TC_NT_START);
    if (!c->dmcs) {
        double rate = p->deterioration * (special_diag(c) ? p->audit_prob : 1.0);
        double day = after_rate(r, now, rate);
        offer(t, day, TR_STATUS, ST_HU, day + p->hu_initial_days,
              special_diag(c) ? HEART_TC_AUDIT : HEART_TC_DETERIORATION);
    } else {
        /* Complications before dmcs.min_days do not qualify; with a constant hazard the first
         * qualifying one is an exponential time after that day. */
        double from = isfinite(c->dmcs_day) ? fmax(now, c->dmcs_day + p->dmcs_min_days) : now;
        double day = after_rate(r, from, p->dmcs_complication);
        if (isfinite(day))
            offer(t, day, TR_STATUS, ST_HU, day + p->hu_initial_days,
                  HEART_TC_DMCS + (int)heart_complication(p, c->seq, day));
    }
}

static void next_hu(const struct heart_par *p, const struct cand *c, double now, gsl_rng *r,
                    struct trans *t)
{
    const double s = c->w.spell_start;
    const int by_age = p->child_always_hu && cand_age(c, s) < p->child_age;
    offer(t, after_rate(r, now, by_age ? p->death_child : p->death_hu), TR_DEATH, ST_HU, NAN,
          HEART_TC_DEATH);
    offer(t, after_rate(r, now, p->removal), TR_REMOVAL, ST_HU, NAN, HEART_TC_REMOVAL);
    /* NT keeps the interrupted grant's expiry as the mark that the NT began in HU (a new HU
     * application is due at its end, §III.3.2.3); NT is never ranked, so it grants nothing. */
    double nt = after_rate(r, now, p->nt_start);
    offer(t, nt, TR_STATUS, ST_NT, isfinite(c->expiry) ? c->expiry : nt, HEART_TC_NT_START);

    const double e = grant_expiry(p, c, now);
    const double renewed = e + p->hu_renewal_days;
    if (by_age) {
        /* Children keep HU; past child.age only while confirmed still growing (§III.3.2.1). */
        int renew = cand_age(c, e) < p->child_age || gsl_rng_uniform(r) < p->growing_prob;
        offer(t, e, TR_STATUS, renew ? ST_HU : ST_T, renew ? renewed : NAN,
              renew ? HEART_TC_RENEWED : HEART_TC_EXPIRED);
    } else if (c->dmcs) {
        double end = INFINITY, q = 1.0;
        switch (heart_complication(p, c->seq, s)) {
        case HEART_CX_RHF:
            end = check_end(r, s, p->dmcs_rhf_recheck_days, p->dmcs_rhf_recheck_days, now,
                            p->persist_rhf);
            break;
        case HEART_CX_INFECTION:
            end = check_end(r, s, p->dmcs_infection_first_days, p->dmcs_infection_next_days, now,
                            p->persist_infection);
            break;
        case HEART_CX_GI_BLEEDING:
            /* HU ends dmcs.gi.stable_days after the bleeding stabilises; given only that it
             * has not ended by `now`, the end is max(start + stable, now) + exponential. */
            end = after_mean(r, fmax(s + p->dmcs_gi_stable_days, now), p->gi_stabilise_mean_days);
            break;
        case HEART_CX_THROMBOSIS: q = p->persist_thrombosis; break;
        default: q = p->persist_other; break;
        }
        offer(t, end, TR_STATUS, ST_T, NAN, HEART_TC_RESOLVED);
        int renew = q >= 1 || gsl_rng_uniform(r) < q;
        offer(t, e, TR_STATUS, renew ? ST_HU : ST_T, renew ? renewed : NAN,
              renew ? HEART_TC_RENEWED : HEART_TC_RESOLVED);
    } else {
        offer(t, after_rate(r, now, p->improvement), TR_STATUS, ST_T, NAN, HEART_TC_IMPROVED);
        int renew = gsl_rng_uniform(r) < p->renew_prob;
        offer(t, e, TR_STATUS, renew ? ST_HU : ST_T, renew ? renewed : NAN,
              renew ? HEART_TC_RENEWED : HEART_TC_EXPIRED);
    }
}

static void next_nt(const struct heart_par *p, const struct cand *c, double now, gsl_rng *r,
                    struct trans *t)
{
    offer(t, after_rate(r, now, p->death_nt), TR_DEATH, ST_NT, NAN, HEART_TC_DEATH);
    offer(t, after_rate(r, now, p->removal), TR_REMOVAL, ST_NT, NAN, HEART_TC_REMOVAL);
    double day = after_mean(r, now, p->nt_mean_days);
    if (!(day < t->day)) return;
    /* Back with the urgency that applies then (§I.9): a child is HU; after NT during HU a new
     * HU application is needed (§III.3.2.3), accepted with hu.after_nt_prob. */
    if (p->child_always_hu && cand_age(c, day) < p->child_age) {
        offer(t, day, TR_STATUS, ST_HU, day + p->hu_initial_days, HEART_TC_CHILD);
    } else if (isfinite(c->expiry) && gsl_rng_uniform(r) < p->hu_after_nt_prob) {
        int code = c->dmcs ? HEART_TC_DMCS + (int)heart_complication(p, c->seq, day)
                           : HEART_TC_NT_END_HU;
        offer(t, day, TR_STATUS, ST_HU, day + p->hu_initial_days, code);
    } else {
        offer(t, day, TR_STATUS, ST_T, NAN, HEART_TC_NT_END);
    }
}

static void heart_next(const void *par, const struct cand *c, double now, gsl_rng *r,
                       struct trans *t)
{
    const struct heart_par *p = par;
    *t = (struct trans){.kind = TR_NONE, .day = INFINITY, .to = c->w.status, .expiry = NAN};
    switch (c->w.status) {
    case ST_T: next_t(p, c, now, r, t); break;
    case ST_HU: next_hu(p, c, now, r, t); break;
    case ST_NT: next_nt(p, c, now, r, t); break;
    default: break; /* SU does not exist for the heart */
    }
    if (t->kind == TR_NONE) {
        t->day = INFINITY;
        t->expiry = NAN;
        t->code = HEART_TC_NONE;
    }
}

/* An HU row grants hu.initial_days when it begins the spell (a first grant, or a new one after
 * NT), hu.renewal_days when it renews it (§III.3.2.1, §III.3.5). A child, or an adolescent
 * confirmed still growing, holds HU by rule on the day the grant would end: nothing lapses. */
static void heart_lapse(const void *par, const struct cand *c, struct trans *t)
{
    const struct heart_par *p = par;
    *t = (struct trans){.kind = TR_NONE, .day = INFINITY, .to = c->w.status, .expiry = NAN};
    if (c->w.status != ST_HU) return;
    double end = c->w.since + (c->w.since > c->w.spell_start ? p->hu_renewal_days : p->hu_initial_days);
    if (p->child_always_hu && heart_is_child(p, c, cand_age(c, end))) return;
    *t = (struct trans){.kind = TR_STATUS, .day = end, .to = ST_T, .expiry = NAN,
                        .code = HEART_TC_EXPIRED};
}

/* The day c reaches child.age: the waiting time up to it is kept (cand.mark_day), so that the
 * days listed as a child stay HU days after it (child_extra_days). */
static void heart_prepare(const void *par, struct cand *c)
{
    const struct heart_par *p = par;
    c->mark_day = c->birth_day + p->child_age * DAYS_PER_YEAR;
}

static void heart_enter(const void *par, struct cand *c, double day, gsl_rng *r)
{
    const struct heart_par *p = par;
    /* Always four draws, whatever the branch, so later draws of the candidate do not shift
     * with the rule parameters (common random numbers between policy variants). */
    const double u_diag = gsl_rng_uniform(r), u_dmcs = gsl_rng_uniform(r);
    const double u_impl = gsl_rng_uniform_pos(r), u_hu = gsl_rng_uniform(r);
    const int adult = cand_age(c, day) >= p->child_age;
    if (adult && c->diag == HEART_DIAG_NONE) {
        double acc = 0;
        for (int k = 1; k < HEART_DIAG_N; k++) {
            acc += p->diag_share[k];
            if (u_diag < acc) {
                c->diag = k;
                break;
            }
        }
    }
    if (adult && !c->dmcs && u_dmcs < p->dmcs_share) c->dmcs = 1;
    if (c->dmcs && !isfinite(c->dmcs_day)) c->dmcs_day = day + p->dmcs_implant_mean_days * log(u_impl);

    int hu;
    if (!adult && p->child_always_hu) hu = 1;
    else if (c->dmcs) hu = 0; /* dMCS patients are listed T (§III.3.2.1.2) */
    else hu = u_hu < p->hu_listing_share * (special_diag(c) ? p->audit_prob : 1.0);
    if (hu) {
        cand_set_status(c, day, ST_HU, 0);
        c->expiry = day + p->hu_initial_days;
    } else {
        if (c->w.status != ST_T) cand_set_status(c, day, ST_T, 0);
        c->expiry = NAN;
    }
    c->renewals = 0;
}

const struct policy_ops heart_bak2021_ops = {
    .name = "bak2021",
    .organ = ORGAN_HEART,
    .par_size = sizeof(struct heart_par),
    .rule_pdefs = heart_rule_pdefs,
    .n_rule_pdefs = sizeof heart_rule_pdefs / sizeof heart_rule_pdefs[0],
    .model_pdefs = heart_model_pdefs,
    .n_model_pdefs = sizeof heart_model_pdefs / sizeof heart_model_pdefs[0],
    .validate = heart_validate,
    .prepare = heart_prepare,
    .lapse = heart_lapse,
    .enter = heart_enter,
    .next = heart_next,
    .match = heart_match,
    .match_keyed = heart_match_keyed,
    .key_hot = heart_key_hot,
    .index_alloc = heart_index_alloc,
    .index_free = heart_index_free,
    .index_update = heart_index_update,
    .reason = heart_reason,
    .group_name = heart_group_name,
    .accept = heart_accept,
    .course = heart_course,
};
