/* rec.h — the registry of result tables: every table of the results file and every field of it,
 * described once (docs/output.md, docs/design.md "Where a change goes").
 *
 * Each table's fields are one list macro, REC_<TABLE>(F, S), one line per field in record order:
 *   F(ctype, name, codes, unit, meaning)   a number: int8_t, int16_t, int32_t, uint32_t, uint64_t
 *                                          or double; `codes` names the label set of a code column
 *                                          (REC_CODES_<codes>, NONE for a plain number): a code
 *                                          column (a signed integer) is stored as an HDF5 enum
 *                                          type over that integer type, with a label per code
 *   S(name, length, meaning)               a fixed-length, NUL-padded string of `length` bytes
 * From these lists follow the record structs (REC_STRUCT, instantiated by the header that owns the
 * record), the HDF5 compound types of the writer (sim/h5out.c) and of verify's image, the field
 * reference of docs/output.md (`wlsim info --fields`, written by `make docs`) and, through
 * REC_TABLES, the tables the writer creates. Adding a column is one line in its list (and filling
 * it where the record is made); the serialiser, the resume file, the clone of --branch and
 * sim_result_free copy or free records whole and need nothing.
 *
 * Meanings are Markdown (they go to docs/output.md as they are). */
#ifndef WLSIM_REC_H
#define WLSIM_REC_H

#include <stddef.h>
#include <stdint.h>

/* The label sets of code columns (rec_code_label). */
enum rec_codes {
    REC_CODES_NONE = 0,
    REC_CODES_ORGAN,            /* the programme of the summaries: heart, pancreas (enum organ) */
    REC_CODES_PROG,             /* enum prog */
    REC_CODES_ABO,              /* enum abo */
    REC_CODES_SEX,              /* enum sex */
    REC_CODES_OUTCOME,          /* enum outcome */
    REC_CODES_STATUS,           /* enum status */
    REC_CODES_REGION,           /* the DSO regions of model/popn.c */
    REC_CODES_HEART_FATE,       /* what became of a donor's heart */
    REC_CODES_PANCREAS_FATE,    /* what became of a donor's pancreas */
    REC_CODES_PROCEDURE,        /* how a donor's pancreas was allocated */
    REC_CODES_DIM,              /* the fairness dimensions of /groups (GRP_DIM_*) */
    REC_CODES_N
};

/* How a field is stored: its C type, and the HDF5 type the writer gives it. */
enum rec_kind { REC_I8, REC_I16, REC_I32, REC_U32, REC_U64, REC_F64, REC_STR };

#define REC_KIND(ctype)                                                                         \
    _Generic((ctype)0, int8_t: REC_I8, int16_t: REC_I16, int32_t: REC_I32, uint32_t: REC_U32,   \
             uint64_t: REC_U64, double: REC_F64)

/* The struct of a field list: struct tag { members in list order }. */
#define REC_MEMBER_F(ctype, name, codes, unit, doc) ctype name;
#define REC_MEMBER_S(name, len, doc) char name[len];
#define REC_STRUCT(tag, LIST) struct tag { LIST(REC_MEMBER_F, REC_MEMBER_S) }

/* ------------------------------------------------------------------------------------------ */
/* The fields of every table                                                                    */

#define REC_VR(F)                                                                               \
    F(int32_t, variant, NONE, "", "the variant (row of /variants); 0 is the baseline")         \
    F(int32_t, replication, NONE, "", "the replication, from 0")

/* /summary: one row per (variant, replication, program). */
#define REC_SUMMARY(F, S)                                                                       \
    REC_VR(F)                                                                                   \
    F(int32_t, program, ORGAN, "", "the programme: heart (heart and heart-lung) or pancreas (pancreas and pancreas-kidney)") \
    F(double, years, NONE, "years", "counted years")                                          \
    F(int32_t, listings, NONE, "", "new listings (including relistings after graft loss)")    \
    F(int32_t, transplants, NONE, "", "transplants")                                          \
    F(int32_t, transplants_urgent, NONE, "", "transplants done in HU (heart) or SU (pancreas) status") \
    F(int32_t, deaths_waiting, NONE, "", "deaths on the list")                                \
    F(int32_t, removed, NONE, "", "removals from the list (too sick, improved, other)")       \
    F(int32_t, waiting_end, NONE, "", "candidates on the list and not NT at the end (as the DSO counts its list)") \
    F(double, median_wait_days, NONE, "days", "median days from listing to transplant of the counted transplants; NaN if none") \
    F(int32_t, urgent_end, NONE, "", "candidates in HU / SU at the end")                      \
    F(int32_t, nt_end, NONE, "", "candidates in NT at the end")                               \
    F(int32_t, organs_offered, NONE, "", "organs of this programme offered (donors with the organ offered)") \
    F(int32_t, offers, NONE, "", "offers made (candidates asked), over all those organs")     \
    F(int32_t, discarded, NONE, "", "offered organs not transplanted and not sent to islets") \
    F(int32_t, transplants_combined, NONE, "", "heart-lung or pancreas-kidney transplants")   \
    F(int32_t, accelerated, NONE, "", "organs allocated in the accelerated procedure (extended criteria, or unplaced after too many declines; 003 §II.4.3.2, §III.8)") \
    F(int32_t, islets, NONE, "", "organs accepted in the accelerated procedure but found not vascularly transplantable and sent to an islet programme (003 §III.8.2)") \
    F(int32_t, deaths_after_tx, NONE, "", "deaths after a transplant dated in the counted years (whenever the transplant was), of recipients not relisted: a recipient whose graft failed and who was listed again dies, if at all, on the list (`deaths_waiting`) or after the next transplant") \
    F(int32_t, deaths_all, NONE, "", "all-cause deaths of the programme's patients: `deaths_waiting + deaths_after_tx`") \
    F(double, surv_tx_1y, NONE, "fraction", "Kaplan–Meier patient survival one year after transplant, over the transplants of the counted years; each recipient followed as a person (through a graft failure, the relisting and a re-transplant) to death, or censored at the end of the run or at a removal from a later listing; NaN if no transplant") \
    F(double, graft_tx_1y, NONE, "fraction", "the same for graft survival: the event is the graft's failure (heart: relisting for re-transplant; pancreas: loss of function) or the recipient's death, whichever comes first") \
    F(double, rmst_listing_5y, NONE, "years", "restricted mean survival from listing over 5 years (0–5): the area under the Kaplan–Meier curve of the time from a first listing (relistings are the same person and not counted again) in the counted years to death (on the list, after a transplant, after a relisting), censored at the end of the run and at a removal from the list (removed patients are assumed to die at the rate of those who stay: the model does not follow them); NaN if nobody was listed")

/* /candidates: one row per listing. */
#define REC_CAND(F, S)                                                                          \
    REC_VR(F)                                                                                   \
    F(uint32_t, seq, NONE, "", "candidate number, stable across variants with the same seed (bit 31: programme 0 heart / 1 pancreas; bit 30: a relisting; below: the arrival counter)") \
    F(int8_t, program, PROG, "", "the programme of the listing")                              \
    F(int8_t, abo, ABO, "", "blood group")                                                    \
    F(int8_t, sex, SEX, "", "sex")                                                            \
    F(int8_t, outcome, OUTCOME, "", "how the listing ended: still waiting at the end, transplanted, died on the list, removed") \
    F(int8_t, status_listed, STATUS, "", "status at listing")                                 \
    F(int8_t, status_end, STATUS, "", "status when leaving the list (or at the end)")         \
    F(int16_t, region, REGION, "", "DSO region of the listing centre")                        \
    F(int16_t, center, NONE, "", "listing centre (centre i lies in region i mod 7)")          \
    F(double, listed_day, NONE, "day", "day of listing")                                      \
    F(double, age_years, NONE, "years", "age at listing")                                     \
    F(double, end_day, NONE, "day", "day of transplant, death or removal; NaN while waiting") \
    F(double, wait_days, NONE, "days", "days on the list until `end_day` or the end of the run") \
    F(double, weight_kg, NONE, "kg", "body weight")                                           \
    F(double, pra, NONE, "%", "panel-reactive antibodies")                                    \
    F(uint32_t, relist_of, NONE, "", "`seq` of the candidate whose graft failed, for a relisting; 4294967295 otherwise") \
    F(double, death_day, NONE, "day", "the person's death, on this listing or after it (after a transplant, on a relisting, after a re-transplant); NaN when not observed by the end of the run") \
    F(double, followed_day, NONE, "day", "when `death_day` is NaN: the last day the person is known alive (the end of the run, or a removal from this or a later listing); NaN otherwise. Survival from listing is `death_day` or `followed_day` minus `listed_day`, an event when `death_day` is set")

/* /donors: one row per donor. */
#define REC_DONOR(F, S)                                                                         \
    REC_VR(F)                                                                                   \
    F(uint32_t, seq, NONE, "", "donor number, stable across variants")                        \
    F(int8_t, abo, ABO, "", "blood group")                                                    \
    F(int8_t, sex, SEX, "", "sex")                                                            \
    F(int8_t, hla_typed, NONE, "0/1", "HLA typing available at allocation")                   \
    F(int8_t, heart_offered, NONE, "0/1", "the heart was offered for transplant")             \
    F(int8_t, heart_outcome, HEART_FATE, "", "what became of the heart")                      \
    F(int8_t, pancreas_offered, NONE, "0/1", "the pancreas was offered")                      \
    F(int8_t, pancreas_outcome, PANCREAS_FATE, "", "what became of the pancreas")             \
    F(int8_t, pancreas_ecd, NONE, "0/1", "extended-criteria pancreas (003 §III.8.1)")         \
    F(int8_t, pancreas_procedure, PROCEDURE, "", "how the pancreas was allocated")            \
    F(int16_t, region, REGION, "", "donor region")                                            \
    F(double, day, NONE, "day", "day of the donation")                                        \
    F(double, age_years, NONE, "years", "age")                                                \
    F(double, bmi, NONE, "kg/m²", "body-mass index")                                          \
    F(double, weight_kg, NONE, "kg", "body weight")                                           \
    F(int32_t, heart_offers, NONE, "", "offers made for the heart")                           \
    F(int32_t, pancreas_offers, NONE, "", "offers made for the pancreas")

/* /transplants: one row per transplant. The ids are REC_ID_LEN (= CAND_ID_LEN) bytes. */
#define REC_ID_LEN 32
#define REC_TX(F, S)                                                                            \
    REC_VR(F)                                                                                   \
    F(double, day, NONE, "day", "day of the transplant")                                      \
    S(donor, REC_ID_LEN, "donor id: the id from the donor file in a replay, else the decimal `donor_seq`") \
    S(candidate, REC_ID_LEN, "candidate id: the id from the candidate file in a replay, else the decimal `candidate_seq`") \
    F(uint32_t, donor_seq, NONE, "", "donor `seq` (join with /donors)")                       \
    F(uint32_t, candidate_seq, NONE, "", "candidate `seq` (join with /candidates and /episodes); in a replay, the file's `seq` column, else the candidate's row in the file, from 0") \
    F(int8_t, program, PROG, "", "recipient's programme")                                     \
    F(int8_t, status, STATUS, "", "urgency at transplant")                                    \
    F(int8_t, abo_step, NONE, "", "1 identical, 2 and 3 the compatible steps of the policy")  \
    F(int8_t, group, NONE, "", "the policy's allocation group (heart: see docs/rules.md; pancreas: 1…8 of 003 §III.5.7); under a score policy still the guideline's group, not the score's tier (docs/rules.md §3.1)") \
    F(double, points, NONE, "points", "waiting-time points the ranking used, with bonuses")  \
    F(double, wait_days, NONE, "days", "days from listing to transplant")                     \
    F(int32_t, offer_no, NONE, "", "position of the accepting candidate among the offers of this organ (1 = first asked)") \
    F(double, donor_age, NONE, "years", "donor age")                                          \
    F(double, death_day, NONE, "day", "the recipient's death, also when it comes after a graft failure, a relisting and a re-transplant (the same as the candidate's `death_day`); NaN when alive at the end of the run (or last seen at a removal from a later listing)") \
    F(double, graft_fail_day, NONE, "day", "the day this graft failed without the recipient dying (heart: relisted for re-transplant; pancreas: loss of graft function, relisted or not); NaN when the graft has not failed by the end of the run (a graft that functions until death never fails)")

/* /episodes: one row per status change. */
#define REC_EPISODE(F, S)                                                                       \
    REC_VR(F)                                                                                   \
    F(uint32_t, candidate, NONE, "", "candidate `seq`")                                       \
    F(int8_t, status, STATUS, "", "the status from `day` on")                                 \
    F(int8_t, nt_credit, NONE, "0/1", "NT covered by a waiting-time application (pancreas)")  \
    F(int16_t, code, NONE, "", "the policy's cause code (docs/rules.md); 0 none")             \
    F(double, day, NONE, "day", "day the status took effect")                                 \
    F(double, expiry, NONE, "day", "day the HU/SU grant (or NT application) expires; NaN when none")

/* /groups: fairness counts, one row per (variant, replication, program, dimension, group). */
#define REC_GROUP(F, S)                                                                         \
    REC_VR(F)                                                                                   \
    F(int32_t, program, ORGAN, "", "as in /summary")                                          \
    F(int32_t, dim, DIM, "", "the dimension")                                                 \
    F(int32_t, group, NONE, "", "blood group: 0 O, 1 A, 2 B, 3 AB; age at listing: 0 under 16, 1 16–39, 2 40–59, 3 60 and over; region: the region codes of /candidates; sex: 0 female, 1 male") \
    F(int32_t, listings, NONE, "", "listed in the counted years")                             \
    F(int32_t, transplants, NONE, "", "transplanted in the counted years")                    \
    F(int32_t, deaths, NONE, "", "died on the list in the counted years")                     \
    F(double, waiting_years, NONE, "years", "patient-years on the list inside the counted years; the transplant rate of a group is `transplants / waiting_years`")

/* /series: the list of one programme at one moment. */
#define REC_SERIES(F, S)                                                                        \
    REC_VR(F)                                                                                   \
    F(int32_t, program, ORGAN, "", "as in /summary")                                          \
    F(double, day, NONE, "day", "day of the snapshot (counted clock)")                        \
    F(int32_t, listed, NONE, "", "candidates on the list, NT included")                       \
    F(int32_t, n_t, NONE, "", "of them in T")                                                 \
    F(int32_t, n_hu, NONE, "", "of them in HU")                                               \
    F(int32_t, n_nt, NONE, "", "of them in NT")                                               \
    F(int32_t, n_su, NONE, "", "of them in SU")

/* /comparison: a metric of a variant against variant 0. The metric names are REC_METRIC_LEN
 * (= CMP_METRIC_LEN) bytes, the parameter keys REC_PARAM_LEN (= PSA_NAME_LEN). */
#define REC_METRIC_LEN 48
#define REC_PARAM_LEN 96
#define REC_COMPARISON(F, S)                                                                    \
    F(int32_t, variant, NONE, "", "the variant compared with variant 0")                      \
    F(int32_t, program, ORGAN, "", "the programme")                                           \
    S(metric, REC_METRIC_LEN, "metric name (above)")                                          \
    F(int32_t, n, NONE, "", "replications in the paired difference (the metric defined on both sides)") \
    F(double, base_mean, NONE, "", "variant 0: mean")                                         \
    F(double, base_ci_low, NONE, "", "variant 0: lower end of the 95 % CI")                   \
    F(double, base_ci_high, NONE, "", "variant 0: upper end of the 95 % CI")                  \
    F(double, mean, NONE, "", "this variant: mean")                                           \
    F(double, mean_ci_low, NONE, "", "this variant: lower end of the 95 % CI")                \
    F(double, mean_ci_high, NONE, "", "this variant: upper end of the 95 % CI")               \
    F(double, diff_mean, NONE, "", "mean of (this variant − variant 0) over replications")    \
    F(double, ci_low, NONE, "", "lower end of its 95 % CI")                                   \
    F(double, ci_high, NONE, "", "upper end of its 95 % CI")

/* /draws: one replication's draw of one uncertain parameter. */
#define REC_DRAW(F, S)                                                                          \
    F(int32_t, replication, NONE, "", "the replication")                                      \
    S(parameter, REC_PARAM_LEN, "full dotted key")                                            \
    F(double, value, NONE, "", "the value drawn for this replication")

/* /sensitivity: the PRCC of a paired difference with an uncertain parameter. */
#define REC_SENS(F, S)                                                                          \
    F(int32_t, variant, NONE, "", "as in /comparison")                                        \
    F(int32_t, program, ORGAN, "", "as in /comparison")                                       \
    S(metric, REC_METRIC_LEN, "as in /comparison")                                            \
    S(parameter, REC_PARAM_LEN, "full dotted key")                                            \
    F(int32_t, n, NONE, "", "replications used (the difference defined)")                    \
    F(int32_t, rank, NONE, "", "1 for the largest absolute PRCC of this (variant, program, metric), 2 the next …; 0 when the PRCC is undefined") \
    F(double, prcc, NONE, "", "PRCC; NaN when the difference (or the parameter, after removing the others) does not vary") \
    F(double, ci_low, NONE, "", "lower end of its 95 % interval")                             \
    F(double, ci_high, NONE, "", "upper end of its 95 % interval")

/* /uncertainty: a paired difference over the parameter draws. */
#define REC_UNC(F, S)                                                                           \
    F(int32_t, variant, NONE, "", "as in /comparison")                                        \
    F(int32_t, program, ORGAN, "", "as in /comparison")                                       \
    S(metric, REC_METRIC_LEN, "as in /comparison")                                            \
    F(int32_t, n, NONE, "", "replications with the difference defined")                       \
    F(double, diff_mean, NONE, "", "mean of the paired difference (= /comparison `diff_mean`)") \
    F(double, diff_p2_5, NONE, "", "2.5 % quantile of the paired difference over the replications (each its own parameter set; GSL's `gsl_stats_quantile_from_sorted_data`)") \
    F(double, diff_p97_5, NONE, "", "97.5 % quantile, likewise")                              \
    F(double, share_positive, NONE, "fraction", "share of replications with a difference > 0") \
    F(double, share_negative, NONE, "fraction", "share of replications with a difference < 0") \
    S(top_parameter, REC_PARAM_LEN, "the parameter with the largest absolute PRCC (\"\" when no PRCC is defined, e.g. a difference that is always 0)") \
    F(double, top_prcc, NONE, "", "its PRCC (NaN if none)")

/* /variants: one row per variant. */
#define REC_VARIANT(F, S)                                                                       \
    F(int32_t, variant, NONE, "", "0 … variants−1; 0 is the baseline")                        \
    S(name, 128, "the scenario's `name`")                                                     \
    S(path, 256, "the scenario file as given on the command line")                            \
    S(heart_policy, 32, "`policy.heart.rule` in force")                                       \
    S(pancreas_policy, 32, "`policy.pancreas.rule` in force")                                 \
    F(uint64_t, seed, NONE, "", "master seed")

/* /parameters: one row per (variant, parameter). */
#define REC_PARAMETER(F, S)                                                                     \
    F(int32_t, variant, NONE, "", "the variant")                                              \
    S(name, 96, "full dotted key, e.g. `population.heart.listings_per_year`")                 \
    S(value, 48, "the value in force, as it would be written in YAML")                        \
    S(unit, 16, "its unit")                                                                   \
    S(source, 160, "guideline section, calibration figure or literature")

REC_STRUCT(rec_variant, REC_VARIANT);
REC_STRUCT(rec_parameter, REC_PARAMETER);

/* ------------------------------------------------------------------------------------------ */
/* The tables                                                                                   */

/* When a table is written:
 *   REPLICATION  rows per replication, always (appended as results arrive)
 *   ENTITY       rows per replication, unless --summary-only
 *   DRAWS        rows per replication, with --uncertainty
 *   END          written once after the last replication (two or more variants)
 *   META         written once when the file is opened */
enum rec_when { REC_REPLICATION, REC_ENTITY, REC_DRAWS, REC_END, REC_META };

/* Every table: X(id, name, record struct tag, field list, when, title). The order is the order of
 * creation in the file; the title is the table's TITLE attribute and its line in `wlsim info`. */
#define REC_TABLES(X)                                                                           \
    X(SUMMARY, "summary", rec_summary, REC_SUMMARY, REC_REPLICATION, "per (variant, replication, program) summary") \
    X(CANDS, "candidates", rec_cand, REC_CAND, REC_ENTITY, "one row per candidate listing")  \
    X(DONORS, "donors", rec_donor, REC_DONOR, REC_ENTITY, "one row per donor")               \
    X(TX, "transplants", rec_tx, REC_TX, REC_ENTITY, "one row per transplant")               \
    X(EPISODES, "episodes", rec_episode, REC_EPISODE, REC_ENTITY, "one row per status change") \
    X(GROUPS, "groups", rec_group, REC_GROUP, REC_REPLICATION, "fairness counts by blood group, age, region and sex") \
    X(SERIES, "series", rec_series, REC_SERIES, REC_REPLICATION, "list size by status at regular intervals") \
    X(COMPARISON, "comparison", rec_comparison, REC_COMPARISON, REC_END, "each variant against variant 0, paired over replications") \
    X(DRAWS, "draws", rec_draw, REC_DRAW, REC_DRAWS, "each replication's draw of every uncertain parameter") \
    X(SENS, "sensitivity", rec_sens, REC_SENS, REC_END, "partial rank correlation of each paired difference with each uncertain parameter") \
    X(UNC, "uncertainty", rec_unc, REC_UNC, REC_END, "each paired difference over the parameter draws") \
    X(VARIANTS, "variants", rec_variant, REC_VARIANT, REC_META, "variants compared in this file") \
    X(PARAMETERS, "parameters", rec_parameter, REC_PARAMETER, REC_META, "every parameter of every variant")

#define REC_ID(id, name, tag, list, when, title) REC_T_##id,
enum rec_table_id { REC_TABLES(REC_ID) REC_T_N };
#undef REC_ID

/* One field of a table. */
struct rec_field {
    const char *name;
    size_t off, size;           /* offset in the record struct, bytes */
    enum rec_kind kind;
    enum rec_codes codes;       /* REC_CODES_NONE for a plain number or a string */
    const char *unit;           /* "" when none */
    const char *doc;            /* meaning (Markdown) */
};

/* One table. */
struct rec_table {
    const char *name, *title;
    size_t size;                /* sizeof the record struct */
    enum rec_when when;
    int n;                      /* fields */
    const struct rec_field *f;
};

/* Table t (0 <= t < REC_T_N). */
const struct rec_table *rec_table(int t);

/* The number of codes of label set c (0 for REC_CODES_NONE), and the label of code v, or NULL
 * when v is not one of them. Labels are the names the program prints (model/cand.c, model/popn.c). */
int rec_code_count(enum rec_codes c);
const char *rec_code_label(enum rec_codes c, int v);

/* The type name of field f as docs/output.md gives it (int8, float64, string[32], and for a code
 * column "enum int8": an HDF5 enum over that integer type). */
const char *rec_type_name(const struct rec_field *f, char *buf, size_t len);

#endif
