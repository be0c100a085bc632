/* organ.c — the organ programmes and their candidate columns (see organ.h, policy.h).
 *
 * A new candidate attribute read from the candidate file and written by `wlsim export` is one
 * row here: in cand_cols_common when every organ has it, else in its organ's table. A new organ
 * is one more struct organ_def here (and its place in model/registry.c). */
#include "organ.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "heart.h"

#define OFF(m) offsetof(struct cand, m)
/* The first members of a column row: name, kind, member, bounds, the empty cell's value. */
#define COL(n, k, m, l, h, d) .name = n, .kind = k, .off = OFF(m), .lo = l, .hi = h, .def = d
#define DAY_LO (-CAND_COL_DAY_MAX)

static int sex_col_parse(const char *s, struct cand *c) { return sex_parse(s, &c->sex); }
static const char *sex_col_format(const struct cand *c) { return sex_name(c->sex); }

static int su_reason_col_parse(const char *s, struct cand *c)
{
    enum su_reason v;
    if (su_reason_parse(s, &v)) return -1;
    c->su_reason = (int)v;
    return 0;
}

static const char *su_reason_col_format(const struct cand *c)
{
    return su_reason_name((enum su_reason)c->su_reason);
}

/* The previous graft cannot fail before it was transplanted. */
static int graft_loss_check(const struct cand *c, char *what, size_t len)
{
    if (!(c->graft_loss_day < c->prior_tx_day)) return 0; /* false when either is NaN */
    snprintf(what, len, "a day on or after prior_tx_day %.17g", c->prior_tx_day);
    return -1;
}

const struct cand_col cand_cols_common[] = {
    {COL("pra", CAND_COL_NUM, pra, 0, 100, 0)},
    {COL("hla_ok", CAND_COL_FLAG, hla_ok, 0, 1, 1)},
    {COL("inpatient", CAND_COL_FLAG, inpatient, 0, 1, 0)},
    {COL("weight_kg", CAND_COL_NUM, weight_kg, 0.1, 1000, NAN)},
    {COL("sex", CAND_COL_TEXT, sex, 0, 0, 0), .parse = sex_col_parse, .format = sex_col_format,
     .expected = "f or m"},
    {COL("height_cm", CAND_COL_NUM, height_cm, 10, 300, NAN)},
    /* The relisting after a graft loss (every organ's relistings carry them, so that a replay
     * finds the transplant a relisting follows; the pancreas ranks by them). */
    {COL("prior_wait_days", CAND_COL_DAY, prior_wait_days, 0, 0, NAN)},
    {COL("prior_tx_day", CAND_COL_DAY, prior_tx_day, DAY_LO, 0, NAN)},
    {COL("graft_loss_day", CAND_COL_DAY, graft_loss_day, DAY_LO, 0, NAN), .check = graft_loss_check},
};
const size_t n_cand_cols_common = sizeof cand_cols_common / sizeof cand_cols_common[0];

/* ------------------------------------------------------------------------------------------ */
/* Heart and heart-lung                                                                        */

/* An implant day only with the implant (the writer leaves the day of a past device empty). */
static int dmcs_day_blank(const struct cand *c) { return !c->dmcs; }
static int dmcs_day_check(const struct cand *c, char *what, size_t len)
{
    if (c->dmcs || isnan(c->dmcs_day)) return 0;
    snprintf(what, len, "an empty cell unless dmcs is 1");
    return -1;
}

static int growing_check(const struct cand *c, char *what, size_t len)
{
    if (!c->growing || prog_organ(c->prog) == ORGAN_HEART) return 0;
    snprintf(what, len, "0 for a %s candidate (heart and heart-lung only)", prog_name(c->prog));
    return -1;
}

static const struct cand_col HEART_COLS[] = {
    {COL("combined_audited", CAND_COL_FLAG, combined_audited, 0, 1, 0)},
    {COL("tlc_l", CAND_COL_NUM, tlc_l, 0.1, 20, NAN)},
    {COL("dmcs", CAND_COL_FLAG, dmcs, 0, 1, 0)},
    {COL("dmcs_day", CAND_COL_DAY, dmcs_day, DAY_LO, 0, NAN), .blank = dmcs_day_blank, .check = dmcs_day_check},
    {COL("diag", CAND_COL_CODE, diag, 0, HEART_DIAG_N - 1, 0)},
    {COL("growing", CAND_COL_FLAG, growing, 0, 1, 0), .check = growing_check},
};

/* /donors heart_outcome: 1 transplanted, 2 discarded. */
static int heart_donor_outcome(int taken, enum policy_route route)
{
    (void)route;
    return taken ? 1 : 2;
}

const struct organ_def organ_heart = {
    .organ = ORGAN_HEART,
    .name = "heart",
    .rule_prefix = "policy.heart.",
    .model_prefix = "model.heart.",
    .prog = PROG_HEART,
    .urgent = ST_HU,
    .offer_off = offsetof(struct donor, offer_heart),
    .donor_outcome = heart_donor_outcome,
    .cols = HEART_COLS,
    .n_cols = sizeof HEART_COLS / sizeof HEART_COLS[0],
};

/* ------------------------------------------------------------------------------------------ */
/* Pancreas and pancreas-kidney                                                                */

static int su_reason_check(const struct cand *c, char *what, size_t len)
{
    if (!c->su_reason || prog_organ(c->prog) == ORGAN_PANCREAS) return 0;
    snprintf(what, len, "an empty cell for a %s candidate (pancreas only)", prog_name(c->prog));
    return -1;
}

static const struct cand_col PANCREAS_COLS[] = {
    {COL("df_low", CAND_COL_FLAG, df_low, 0, 1, 0)},
    {COL("su_reason", CAND_COL_TEXT, su_reason, 0, 0, 0), .parse = su_reason_col_parse,
     .format = su_reason_col_format, .expected = "retx, hypo, insulin, late or an empty cell",
     .check = su_reason_check},
};

/* /donors pancreas_outcome: 1 transplanted, 2 sent to an islet programme, 3 discarded. */
static int pancreas_donor_outcome(int taken, enum policy_route route)
{
    return taken ? 1 : route == POLICY_ROUTE_ISLET ? 2 : 3;
}

const struct organ_def organ_pancreas = {
    .organ = ORGAN_PANCREAS,
    .name = "pancreas",
    .rule_prefix = "policy.pancreas.",
    .model_prefix = "model.pancreas.",
    .prog = PROG_PANCREAS,
    .urgent = ST_SU,
    .offer_off = offsetof(struct donor, offer_pancreas),
    .donor_outcome = pancreas_donor_outcome,
    .cols = PANCREAS_COLS,
    .n_cols = sizeof PANCREAS_COLS / sizeof PANCREAS_COLS[0],
};
