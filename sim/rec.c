/* rec.c — the table descriptors, derived from the field lists of rec.h (see there). */
#include "rec.h"

#include <stdio.h>

#include "cand.h"
#include "compare.h"
#include "popn.h"
#include "psa.h"
#include "sens.h"
#include "sim.h"

#define FIELD_F(ctype, nm, c, u, d) {#nm, offsetof(REC, nm), sizeof(ctype), REC_KIND(ctype), REC_CODES_##c, u, d},
#define FIELD_S(nm, len, d) {#nm, offsetof(REC, nm), len, REC_STR, REC_CODES_NONE, "", d},

/* One descriptor array per table, f_<struct tag>[]. */
#define REC struct rec_summary
static const struct rec_field f_rec_summary[] = {REC_SUMMARY(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_cand
static const struct rec_field f_rec_cand[] = {REC_CAND(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_donor
static const struct rec_field f_rec_donor[] = {REC_DONOR(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_tx
static const struct rec_field f_rec_tx[] = {REC_TX(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_episode
static const struct rec_field f_rec_episode[] = {REC_EPISODE(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_group
static const struct rec_field f_rec_group[] = {REC_GROUP(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_series
static const struct rec_field f_rec_series[] = {REC_SERIES(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_comparison
static const struct rec_field f_rec_comparison[] = {REC_COMPARISON(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_draw
static const struct rec_field f_rec_draw[] = {REC_DRAW(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_sens
static const struct rec_field f_rec_sens[] = {REC_SENS(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_unc
static const struct rec_field f_rec_unc[] = {REC_UNC(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_variant
static const struct rec_field f_rec_variant[] = {REC_VARIANT(FIELD_F, FIELD_S)};
#undef REC
#define REC struct rec_parameter
static const struct rec_field f_rec_parameter[] = {REC_PARAMETER(FIELD_F, FIELD_S)};
#undef REC

#define TABLE(id, nm, tag, list, w, ti)                                                         \
    [REC_T_##id] = {.name = nm, .title = ti, .size = sizeof(struct tag), .when = w,             \
                    .n = (int)(sizeof f_##tag / sizeof f_##tag[0]), .f = f_##tag},
static const struct rec_table TABLES[REC_T_N] = {REC_TABLES(TABLE)};
#undef TABLE

const struct rec_table *rec_table(int t)
{
    return &TABLES[t];
}

/* Label sets the model does not name itself. */
static const char *const SEX[] = {"unknown", "female", "male"};
static const char *const ORGAN[ORGAN_N] = {"heart", "pancreas"};
static const char *const HEART_FATE[] = {"not offered", "transplanted", "discarded"};
static const char *const PANCREAS_FATE[] = {"not offered", "transplanted", "islets", "discarded"};
static const char *const PROCEDURE[] = {"standard", "accelerated", "islet programme"};
static const char *const DIM[GRP_DIM_N] = {"blood group", "age at listing", "region", "sex"};

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

int rec_code_count(enum rec_codes c)
{
    switch (c) {
    case REC_CODES_ORGAN: return ORGAN_N;
    case REC_CODES_PROG: return PROG_N;
    case REC_CODES_ABO: return ABO_N;
    case REC_CODES_SEX: return COUNT(SEX);
    case REC_CODES_OUTCOME: return OUT_N;
    case REC_CODES_STATUS: return ST_N;
    case REC_CODES_REGION: return POPN_REGIONS;
    case REC_CODES_HEART_FATE: return COUNT(HEART_FATE);
    case REC_CODES_PANCREAS_FATE: return COUNT(PANCREAS_FATE);
    case REC_CODES_PROCEDURE: return COUNT(PROCEDURE);
    case REC_CODES_DIM: return GRP_DIM_N;
    default: return 0;
    }
}

const char *rec_code_label(enum rec_codes c, int v)
{
    if (v < 0 || v >= rec_code_count(c)) return NULL;
    switch (c) {
    case REC_CODES_ORGAN: return ORGAN[v];
    case REC_CODES_PROG: return prog_name((enum prog)v);
    case REC_CODES_ABO: return abo_name((enum abo)v);
    case REC_CODES_SEX: return SEX[v];
    case REC_CODES_OUTCOME: return outcome_name((enum outcome)v);
    case REC_CODES_STATUS: return status_name((enum status)v);
    case REC_CODES_REGION: return popn_region_name(v);
    case REC_CODES_HEART_FATE: return HEART_FATE[v];
    case REC_CODES_PANCREAS_FATE: return PANCREAS_FATE[v];
    case REC_CODES_PROCEDURE: return PROCEDURE[v];
    case REC_CODES_DIM: return DIM[v];
    default: return NULL;
    }
}

const char *rec_type_name(const struct rec_field *f, char *buf, size_t len)
{
    static const char *const NAME[] = {[REC_I8] = "int8", [REC_I16] = "int16", [REC_I32] = "int32",
                                       [REC_U32] = "uint32", [REC_U64] = "uint64", [REC_F64] = "float64"};
    if (f->kind == REC_STR) snprintf(buf, len, "string[%zu]", f->size);
    else snprintf(buf, len, "%s%s", f->codes != REC_CODES_NONE ? "enum " : "", NAME[f->kind]);
    return buf;
}
