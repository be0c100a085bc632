/* cand.c — candidate life-cycle accounting and the name tables of the shared domain types.
 * See cand.h for the contract. Everything here is pure and allocation-free. */
#include "cand.h"

#include <assert.h>
#include <math.h>
#include <string.h>

void cand_init(struct cand *c, uint32_t seq, enum prog prog, double listed)
{
    memset(c, 0, sizeof *c);
    c->seq = seq;
    c->prog = prog;
    c->abo = ABO_O;
    c->sex = SEX_UNKNOWN;
    c->birth_day = listed - 50.0 * 365.25;
    c->region = -1;
    c->center = -1;
    c->hla_ok = 1;
    c->weight_kg = NAN;
    c->height_cm = NAN;
    c->tlc_l = NAN;
    c->dmcs_day = NAN;
    c->prior_wait_days = NAN;
    c->prior_tx_day = NAN;
    c->graft_loss_day = NAN;
    c->expiry = NAN;
    c->mday = NAN;
    c->mark_day = c->mark_hu_days = c->mark_nt_days = NAN;
    c->w.listed = listed;
    c->w.status = ST_T;
    c->w.since = listed;
    c->w.spell_start = listed;
    c->outcome = OUT_WAITING;
    c->end_day = NAN;
    c->list_pos = -1;
}

void cand_relist(struct cand *c, const struct cand *old, uint32_t seq, double day)
{
    struct cand fresh;
    cand_init(&fresh, seq, old->prog, day);
    memcpy(c, old, sizeof *c); /* the person: every attribute, padding included */
    /* A new listing: its own number (keys its random sub-streams), its own waiting time from
     * `day` (earlier waiting counts only through prior_wait_days, 003 §III.5.5.2), and no outcome,
     * list position, progression draws or pool slot yet (the engine sets the slot). */
    c->seq = fresh.seq;
    c->w = fresh.w;
    c->outcome = fresh.outcome;
    c->end_day = fresh.end_day;
    c->list_pos = fresh.list_pos;
    c->draws = fresh.draws;
    c->slot = fresh.slot;
    /* The id names a row of the input files; a relisting is a new row. */
    memcpy(c->id, fresh.id, sizeof c->id);
    /* The policy's state belongs to the old listing's grants and marks; prepare() and enter()
     * set it afresh for the new one. */
    c->expiry = fresh.expiry;
    c->renewals = fresh.renewals;
    c->mstate = fresh.mstate;
    c->mday = fresh.mday;
    c->mark_day = fresh.mark_day;
    c->mark_hu_days = fresh.mark_hu_days;
    c->mark_nt_days = fresh.mark_nt_days;
    /* Clinical state at listing that the heart policy's enter() draws (dMCS, diagnosis group)
     * and that the population model draws for a first listing only (in-patient treatment): a
     * relisting is assessed anew, so they start unknown and every result stays as it was. */
    c->dmcs = fresh.dmcs;
    c->dmcs_day = fresh.dmcs_day;
    c->diag = fresh.diag;
    c->inpatient = fresh.inpatient;
    /* Rank inputs about one listing's offers (virtual crossmatch, the audit's approval of a
     * combined transplant): established again for the new listing. */
    c->hla_ok = fresh.hla_ok;
    c->combined_audited = fresh.combined_audited;
    /* What the relisting carries from the graft that failed (003 §III.5.2.1, §III.5.5.2). */
    c->prior_wait_days = old->end_day - old->w.listed;
    c->prior_tx_day = old->end_day;
    c->graft_loss_day = day;
}

void cand_set_status(struct cand *c, double day, enum status status, int nt_credit)
{
    struct wait_acc *w = &c->w;
    assert(day >= w->since);
    /* The row [since, day) reaches the marked day: keep the totals up to it. */
    if (c->mark_day <= day && c->mark_hu_days != c->mark_hu_days) /* false for a NaN mark */
        cand_mark_days(c, &c->mark_hu_days, &c->mark_nt_days);
    double d = day - w->since;
    switch (w->status) {
    case ST_HU: w->hu_days += d; break;
    case ST_NT:
        w->nt_days += d;
        if (w->nt_credit) w->nt_credit_days += d;
        break;
    default: break;
    }
    if (status != w->status) {
        w->spell_start = day;
        if (status == ST_HU) w->hu_spells++;
        if (status == ST_SU) w->su_spells++;
    }
    w->status = status;
    w->since = day;
    w->nt_credit = (status == ST_NT) ? (nt_credit != 0) : 0;
}

static const char *const ABO_NAMES[ABO_N] = {"O", "A", "B", "AB"};
static const char *const PROG_NAMES[PROG_N] = {"heart", "heart-lung", "pancreas", "pancreas-kidney"};
static const char *const STATUS_NAMES[ST_N] = {"T", "HU", "NT", "SU"};
static const char *const SU_REASON_NAMES[SU_REASON_N] = {"", "retx", "hypo", "insulin", "late"};
static const char *const OUTCOME_NAMES[OUT_N] = {"waiting", "transplanted", "died", "removed"};

const char *abo_name(enum abo a) { return (unsigned)a < ABO_N ? ABO_NAMES[a] : "?"; }
const char *prog_name(enum prog p) { return (unsigned)p < PROG_N ? PROG_NAMES[p] : "?"; }
const char *status_name(enum status s) { return (unsigned)s < ST_N ? STATUS_NAMES[s] : "?"; }
const char *su_reason_name(enum su_reason r)
{
    return (unsigned)r < SU_REASON_N ? SU_REASON_NAMES[r] : "?";
}
const char *outcome_name(enum outcome o) { return (unsigned)o < OUT_N ? OUTCOME_NAMES[o] : "?"; }

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

int abo_parse(const char *s, enum abo *out)
{
    int i = strcmp(s, "0") == 0 ? ABO_O : lookup(ABO_NAMES, ABO_N, s);
    if (i < 0) return -1;
    *out = (enum abo)i;
    return 0;
}

int prog_parse(const char *s, enum prog *out)
{
    int i = lookup(PROG_NAMES, PROG_N, s);
    if (i < 0) return -1;
    *out = (enum prog)i;
    return 0;
}

int status_parse(const char *s, enum status *out)
{
    int i = lookup(STATUS_NAMES, ST_N, s);
    if (i < 0) return -1;
    *out = (enum status)i;
    return 0;
}

int abo_compatible(enum abo donor, enum abo recipient)
{
    switch (donor) {
    case ABO_O: return 1;
    case ABO_A: return recipient == ABO_A || recipient == ABO_AB;
    case ABO_B: return recipient == ABO_B || recipient == ABO_AB;
    case ABO_AB: return recipient == ABO_AB;
    default: return 0;
    }
}

const char *sex_name(enum sex s)
{
    return s == SEX_F ? "f" : s == SEX_M ? "m" : "";
}

int sex_parse(const char *s, enum sex *out)
{
    if (!strcmp(s, "f") || !strcmp(s, "F")) *out = SEX_F;
    else if (!strcmp(s, "m") || !strcmp(s, "M")) *out = SEX_M;
    else if (!*s) *out = SEX_UNKNOWN;
    else return -1;
    return 0;
}

int su_reason_parse(const char *s, enum su_reason *out)
{
    int i = lookup(SU_REASON_NAMES, SU_REASON_N, s);
    if (i < 0) return -1;
    *out = (enum su_reason)i;
    return 0;
}
