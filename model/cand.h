/* cand.h — the domain types every policy and the engine share: blood groups, programmes,
 * urgency statuses, candidates and donors, and the waiting-time accounting that turns a
 * candidate's status history into the day counts the guidelines award points for.
 *
 * This is model/ code: pure, no I/O, no globals. The simulation (sim/) and the `wlsim rank`
 * command both build candidates through cand_init() and move them through statuses with
 * cand_set_status(); the heart and pancreas policies read the accumulators through the
 * cand_*_days() accessors, so a status history always yields the same points wherever it
 * comes from. Time is measured in days (double): the simulation uses fractional days, the
 * rank command whole days. */
#ifndef WLSIM_CAND_H
#define WLSIM_CAND_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum abo { ABO_O = 0, ABO_A, ABO_B, ABO_AB, ABO_N };

/* What a candidate is listed for. Heart and heart-lung share one list (the heart programme),
 * pancreas and pancreas-kidney share one joint list (the pancreas programme). */
enum prog { PROG_HEART = 0, PROG_HEART_LUNG, PROG_PANCREAS, PROG_PANCREAS_KIDNEY, PROG_N };

/* The two programmes results are summarised by (docs/output.md: heart = 0, pancreas = 1). */
enum organ { ORGAN_HEART = 0, ORGAN_PANCREAS = 1, ORGAN_N };

/* Urgency statuses on the list. HU is heart only, SU pancreas only. */
enum status { ST_T = 0, ST_HU, ST_NT, ST_SU, ST_N };

/* How a candidate's stay on the list ended (or that it has not). */
enum outcome { OUT_WAITING = 0, OUT_TRANSPLANTED, OUT_DIED, OUT_REMOVED, OUT_N };

enum sex { SEX_UNKNOWN = 0, SEX_F, SEX_M };

/* The SU criteria of 003 §III.5.2.1, in the guideline's order (cand.su_reason). */
enum su_reason {
    SU_REASON_NONE = 0,  /* not known / none */
    SU_REASON_RETX,      /* early re-transplant after graft failure within 14 days */
    SU_REASON_HYPO,      /* hypoglycaemia unawareness or failed counter-regulation */
    SU_REASON_INSULIN,   /* insufficient effect of exogenous insulin */
    SU_REASON_LATE,      /* rapidly progressive diabetic late syndrome */
    SU_REASON_N
};

#define CAND_ID_LEN 32

/* Waiting-time accounting. Every field is maintained by cand_set_status(); read it through
 * the accessors below, which add the still-open spell up to the day asked for. The doubles
 * come first so that the struct is 64 bytes without padding (one cache line, see struct cand). */
struct wait_acc {
    double listed;          /* day of listing */
    double since;           /* day the current status row took effect */
    double spell_start;     /* day the current uninterrupted spell of `status` began */
    double hu_days;         /* closed HU spells, summed */
    double nt_days;         /* closed NT spells, summed */
    double nt_credit_days;  /* closed NT spells covered by a waiting-time application */
    enum status status;     /* current status */
    int nt_credit;          /* current NT spell is covered by a waiting-time application */
    int hu_spells;          /* number of HU spells begun (an entry into HU from another status) */
    int su_spells;          /* number of SU spells begun */
};

/* A candidate on (or once on) a waiting list. Fields a source does not know are NaN
 * (doubles) or 0 (flags), as documented per field.
 *
 * Field order is for speed, not meaning: the policies rank the whole list for every donor,
 * reaching each candidate through a pointer, so what the ranking passes read comes first
 * (the first 64 bytes, then the waiting-time accounting in the next 64) and the candidate
 * costs two or three cache lines instead of five. */
struct cand {
    /* Read by every ranking pass. */
    uint32_t seq;           /* position in the replication's candidate table; final tie-break */
    enum prog prog;
    enum abo abo;
    int inpatient;          /* treated as an in-patient */
    double birth_day;       /* day of birth on the simulation clock: age = (day - birth_day)/365.25 */
    double pra;             /* percent panel-reactive antibodies, 0..100 */
    double weight_kg;       /* NaN when unknown: size rules then do not apply */
    double tlc_l;           /* heart-lung: total lung capacity in litres, NaN when unknown */
    int hla_ok;             /* donor HLA acceptable (virtual crossmatch negative); rank input */
    int combined_audited;   /* heart combined with another non-renal organ, approved by audit */
    int region;             /* region of the listing centre, -1 unknown */
    int df_low;             /* pancreas: donor frequency below 10 % */
    struct wait_acc w;
    /* Read by the pancreas ranking and accelerated procedure. */
    int center;             /* listing centre, -1 unknown */
    enum sex sex;
    double prior_wait_days; /* pancreas relisting: waiting time before the previous transplant, NaN none */
    double prior_tx_day;    /* pancreas relisting: day of the previous transplant, NaN none */
    double graft_loss_day;  /* pancreas relisting: day the previous graft failed, NaN none */
    /* The rest. */
    double height_cm;       /* NaN when unknown */
    double dmcs_day;        /* heart: day of dMCS implantation, NaN when none */
    int dmcs;               /* heart: on durable mechanical circulatory support */
    int diag;               /* diagnosis group (model-defined code; 0 = none special) */
    /* State the programme models keep between transitions (see policy.h). */
    double expiry;          /* day the current HU/SU grant expires, NaN when none */
    double mday;            /* model-specific day (e.g. when a complication began), NaN none */
    int renewals;           /* renewals of the current HU/SU grant so far */
    int mstate;             /* model-specific state code (e.g. the dMCS complication) */
    /* Waiting time up to a day a policy marks (heart: the day the candidate reaches child.age,
     * set by policy_ops.prepare before any status row): kept by cand_set_status, read through
     * cand_mark_days(). NaN when no mark is set / the rows have not passed it yet. */
    double mark_day;
    double mark_hu_days, mark_nt_days;
    /* Optional attributes from the population model or the CSV inputs (0 = not known / no). */
    int growing;            /* heart: an adolescent past child.age confirmed still growing */
    int su_reason;          /* pancreas: the SU criterion of 003 §III.5.2.1 (enum su_reason) */
    /* Bookkeeping owned by the engine, not read by policies. */
    double end_day;         /* day the outcome happened, NaN while waiting */
    enum outcome outcome;
    int32_t list_pos;       /* index on the engine's active list, -1 when off it */
    uint32_t draws;         /* progression draws taken so far (per-candidate sub-stream) */
    uint32_t slot;          /* engine's index of this candidate in its replication's pool */
    char id[CAND_ID_LEN];   /* user-facing id (rank CSV / replay); empty for synthetic ones */
};

/* The fields of a listed candidate that a policy's pass may test without reading the candidate
 * itself. The engine keeps one per entry of each waiting list, in list order (policy_ops
 * .match_keyed): a pass that first reads this compact array touches the scattered candidates
 * only for those that pass, and most of a heart list is out on ABO or size for any one donor.
 * The engine renews an entry whenever it changes the candidate's status; the other fields never
 * change while a candidate is listed (sim.c asserts both when the candidate leaves). */
struct cand_key {
    double weight_kg;       /* a positive finite weight, else NaN (a size ratio is then unknown) */
    double birth_day;
    double listed;          /* w.listed */
    double nt_days;         /* w.nt_days: the NT days of closed spells */
    double pra;
    int8_t prog;            /* enum prog */
    int8_t abo;             /* enum abo */
    int8_t status;          /* enum status, current */
    int8_t growing;
    int8_t hla_ok;
    int8_t combined;        /* combined_audited */
};

static inline struct cand_key cand_key_of(const struct cand *c)
{
    const double w = c->weight_kg;
    return (struct cand_key){.weight_kg = w > 0 && w < INFINITY ? w : NAN, .birth_day = c->birth_day,
                             .listed = c->w.listed, .nt_days = c->w.nt_days, .pra = c->pra,
                             .prog = (int8_t)c->prog, .abo = (int8_t)c->abo,
                             .status = (int8_t)c->w.status, .growing = (int8_t)(c->growing != 0),
                             .hla_ok = (int8_t)(c->hla_ok != 0),
                             .combined = (int8_t)(c->combined_audited != 0)};
}

/* A donor whose organs are offered. */
struct donor {
    uint32_t seq;
    char id[CAND_ID_LEN];
    double day;             /* day of the offer */
    enum abo abo;
    enum sex sex;
    double age_years;
    int region;             /* -1 unknown */
    int hla_typed;          /* HLA typing available at allocation */
    double weight_kg;       /* NaN unknown */
    double height_cm;       /* NaN unknown */
    double tlc_l;           /* NaN unknown */
    double bmi;             /* NaN unknown */
    double waist_cm;        /* NaN unknown */
    int ecd;                /* a general extended-criteria finding (§II.4.2) */
    double cpr_min;         /* NaN unknown */
    double icu_days;        /* NaN unknown */
    double sodium;          /* serum sodium mmol/l, NaN unknown */
    int offer_heart;        /* the heart is offered */
    int offer_pancreas;     /* the pancreas is offered */
};

/* Sets every field of c to its "unknown" value and lists it on `listed` with status T.
 * Never fails. */
void cand_init(struct cand *c, uint32_t seq, enum prog prog, double listed);

/* Makes c a new listing, numbered `seq` and listed on `day` with status T, of the person old
 * was: the relisting after old's graft failed on `day` (old transplanted on old->end_day).
 * Every member of old is carried whole (a member added to struct cand is carried by default),
 * except what belongs to a listing rather than to the person, which is as cand_init leaves it:
 * the number, the waiting-time accounting, the engine's bookkeeping (outcome, end_day,
 * list_pos, draws, slot), the file id, the policy's state (expiry, renewals, mstate, mday and
 * the mark), the heart disease state the policy's enter() draws at listing (dmcs, dmcs_day,
 * diag), in-patient treatment, and the offer-specific rank inputs hla_ok and combined_audited.
 * The relisting fields are set from old: prior_wait_days (old's listing to its transplant),
 * prior_tx_day (old->end_day) and graft_loss_day (`day`). c and old must not overlap. Never
 * fails; draws nothing. */
void cand_relist(struct cand *c, const struct cand *old, uint32_t seq, double day);

/* Moves c into `status` from `day` on. `nt_credit` matters only for NT (pancreas waiting-time
 * application in force). A row with the same status as the current one re-registers it (a
 * renewal): it closes and reopens the accounting spell at `day` but keeps spell_start.
 * Precondition (asserted): day >= c->w.since. */
void cand_set_status(struct cand *c, double day, enum status status, int nt_credit);

/* The accessors below are inline: the policies call them once per candidate per donor. */

/* Length of the open status row [since, day), never negative. */
static inline double cand_open_days_(const struct wait_acc *w, double day)
{
    return day > w->since ? day - w->since : 0.0;
}

/* Age in years on `day`. */
static inline double cand_age(const struct cand *c, double day)
{
    return (day - c->birth_day) / 365.25;
}

/* Days since listing, up to `day`. */
static inline double cand_listed_days(const struct cand *c, double day)
{
    return day > c->w.listed ? day - c->w.listed : 0.0;
}

/* Days spent in HU up to `day`, over all HU spells. */
static inline double cand_hu_days(const struct cand *c, double day)
{
    return c->w.hu_days + (c->w.status == ST_HU ? cand_open_days_(&c->w, day) : 0.0);
}

/* Days spent in NT up to `day`, over all NT spells. */
static inline double cand_nt_days(const struct cand *c, double day)
{
    return c->w.nt_days + (c->w.status == ST_NT ? cand_open_days_(&c->w, day) : 0.0);
}

/* Days spent in NT covered by a waiting-time application, up to `day`. */
static inline double cand_nt_credit_days(const struct cand *c, double day)
{
    return c->w.nt_credit_days +
           (c->w.status == ST_NT && c->w.nt_credit ? cand_open_days_(&c->w, day) : 0.0);
}

/* Days since the current uninterrupted spell of the current status began (0 if day < start). */
static inline double cand_spell_days(const struct cand *c, double day)
{
    return day > c->w.spell_start ? day - c->w.spell_start : 0.0;
}

/* HU and NT days up to c->mark_day into *hu and *nt (0 when the mark is at or before the
 * listing; NaN when no mark is set). Exact whatever the day asked: the rows applied so far
 * either passed the mark (then cand_set_status kept the totals) or the open row contains it. */
static inline void cand_mark_days(const struct cand *c, double *hu, double *nt)
{
    const struct wait_acc *w = &c->w;
    if (!(c->mark_day == c->mark_day)) { /* NaN: no mark */
        *hu = *nt = c->mark_day;
    } else if (c->mark_hu_days == c->mark_hu_days) {
        *hu = c->mark_hu_days;
        *nt = c->mark_nt_days;
    } else if (c->mark_day <= w->since) {
        *hu = *nt = 0.0; /* the mark lies before the first row */
    } else {
        double open = c->mark_day - w->since;
        *hu = w->hu_days + (w->status == ST_HU ? open : 0.0);
        *nt = w->nt_days + (w->status == ST_NT ? open : 0.0);
    }
}

/* The organ programme a listing belongs to. Inline: the ranking passes ask it per candidate. */
static inline enum organ prog_organ(enum prog p)
{
    return (p == PROG_PANCREAS || p == PROG_PANCREAS_KIDNEY) ? ORGAN_PANCREAS : ORGAN_HEART;
}

/* 1 for a combined listing (heart-lung, pancreas-kidney): transplants_combined in /summary. */
static inline int prog_combined(enum prog p)
{
    return p == PROG_HEART_LUNG || p == PROG_PANCREAS_KIDNEY;
}

/* Names used in files and messages: "O","A","B","AB"; "heart","heart-lung","pancreas",
 * "pancreas-kidney"; "T","HU","NT","SU". Never NULL for valid values. */
const char *abo_name(enum abo a);
const char *prog_name(enum prog p);
const char *status_name(enum status s);
const char *outcome_name(enum outcome o);
/* Parse the names above (abo also accepts "0"); return 0 on success, -1 if unknown. */
int abo_parse(const char *s, enum abo *out);
int prog_parse(const char *s, enum prog *out);
int status_parse(const char *s, enum status *out);
/* Sex in files: "f", "m", "" (unknown); sex_parse also takes "F" and "M". */
const char *sex_name(enum sex s);
int sex_parse(const char *s, enum sex *out);
/* SU reasons in files: "" (none), "retx", "hypo", "insulin", "late". */
const char *su_reason_name(enum su_reason r);
int su_reason_parse(const char *s, enum su_reason *out);

/* ABO: 1 if a donor of `donor` may give to a recipient of `recipient` under the ordinary
 * compatibility rule (O to all, A to A/AB, B to B/AB, AB to AB). */
int abo_compatible(enum abo donor, enum abo recipient);

#endif
