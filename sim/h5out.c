/* h5out.c — writing results with the HDF5 high-level table API (see h5out.h, docs/output.md).
 * Every table's compound type is built here from the record struct of sim.h, field by field,
 * so the file's field names are exactly the struct's member names. */
#include "h5out.h"

#include "compare.h"
#include "sens.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define MAXF 32
#define CHUNK 4096

struct table {
    const char *name;
    const char *title;
    size_t size;
    int n;
    const char *names[MAXF];
    size_t off[MAXF];
    hid_t types[MAXF];
    size_t sizes[MAXF];
    /* Kept open from creation to commit: closing a dataset drops its chunk cache, and the
     * high-level append (open, extend, write, close per call) then re-reads, re-inflates and
     * re-deflates the last partial chunk on every append, which made the writer several times
     * slower than needed for small appends. */
    hid_t ds, mtype;
    hsize_t rows;
};

enum { T_SUMMARY, T_CANDS, T_DONORS, T_TX, T_EPISODES, T_GROUPS, T_SERIES, T_COMPARISON, T_DRAWS, T_SENS, T_UNC, T_N };

struct h5out {
    hid_t file;
    char *path, *tmp;
    int entity_tables;
    int image;                  /* in memory only (h5out_open_image) */
    int uncertainty;            /* --uncertainty: /draws, /sensitivity, /uncertainty */
    struct table t[T_N];
    hid_t str_metric;
    hid_t str_param;
    hid_t str_id;
};

static void add(struct table *t, const char *name, size_t off, hid_t type)
{
    t->names[t->n] = name;
    t->off[t->n] = off;
    t->types[t->n] = type;
    t->sizes[t->n] = H5Tget_size(type);
    t->n++;
}

#define ADD(t, st, f, type) add(t, #f, offsetof(struct st, f), type)

static void define_tables(struct h5out *h)
{
    struct table *t = &h->t[T_SUMMARY];
    *t = (struct table){.name = "summary", .title = "per (variant, replication, program) summary",
                        .size = sizeof(struct rec_summary)};
    ADD(t, rec_summary, variant, H5T_NATIVE_INT32);
    ADD(t, rec_summary, replication, H5T_NATIVE_INT32);
    ADD(t, rec_summary, program, H5T_NATIVE_INT32);
    ADD(t, rec_summary, years, H5T_NATIVE_DOUBLE);
    ADD(t, rec_summary, listings, H5T_NATIVE_INT32);
    ADD(t, rec_summary, transplants, H5T_NATIVE_INT32);
    ADD(t, rec_summary, transplants_urgent, H5T_NATIVE_INT32);
    ADD(t, rec_summary, deaths_waiting, H5T_NATIVE_INT32);
    ADD(t, rec_summary, removed, H5T_NATIVE_INT32);
    ADD(t, rec_summary, waiting_end, H5T_NATIVE_INT32);
    ADD(t, rec_summary, median_wait_days, H5T_NATIVE_DOUBLE);
    ADD(t, rec_summary, urgent_end, H5T_NATIVE_INT32);
    ADD(t, rec_summary, nt_end, H5T_NATIVE_INT32);
    ADD(t, rec_summary, organs_offered, H5T_NATIVE_INT32);
    ADD(t, rec_summary, offers, H5T_NATIVE_INT32);
    ADD(t, rec_summary, discarded, H5T_NATIVE_INT32);
    ADD(t, rec_summary, transplants_combined, H5T_NATIVE_INT32);
    ADD(t, rec_summary, accelerated, H5T_NATIVE_INT32);
    ADD(t, rec_summary, islets, H5T_NATIVE_INT32);
    ADD(t, rec_summary, deaths_after_tx, H5T_NATIVE_INT32);
    ADD(t, rec_summary, deaths_all, H5T_NATIVE_INT32);
    ADD(t, rec_summary, surv_tx_1y, H5T_NATIVE_DOUBLE);
    ADD(t, rec_summary, graft_tx_1y, H5T_NATIVE_DOUBLE);
    ADD(t, rec_summary, rmst_listing_5y, H5T_NATIVE_DOUBLE);

    t = &h->t[T_CANDS];
    *t = (struct table){.name = "candidates", .title = "one row per candidate listing",
                        .size = sizeof(struct rec_cand)};
    ADD(t, rec_cand, variant, H5T_NATIVE_INT32);
    ADD(t, rec_cand, replication, H5T_NATIVE_INT32);
    ADD(t, rec_cand, seq, H5T_NATIVE_UINT32);
    ADD(t, rec_cand, program, H5T_NATIVE_INT8);
    ADD(t, rec_cand, abo, H5T_NATIVE_INT8);
    ADD(t, rec_cand, sex, H5T_NATIVE_INT8);
    ADD(t, rec_cand, outcome, H5T_NATIVE_INT8);
    ADD(t, rec_cand, status_listed, H5T_NATIVE_INT8);
    ADD(t, rec_cand, status_end, H5T_NATIVE_INT8);
    ADD(t, rec_cand, region, H5T_NATIVE_INT16);
    ADD(t, rec_cand, center, H5T_NATIVE_INT16);
    ADD(t, rec_cand, listed_day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, age_years, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, end_day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, wait_days, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, weight_kg, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, pra, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, relist_of, H5T_NATIVE_UINT32);
    ADD(t, rec_cand, death_day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_cand, followed_day, H5T_NATIVE_DOUBLE);

    t = &h->t[T_DONORS];
    *t = (struct table){.name = "donors", .title = "one row per donor", .size = sizeof(struct rec_donor)};
    ADD(t, rec_donor, variant, H5T_NATIVE_INT32);
    ADD(t, rec_donor, replication, H5T_NATIVE_INT32);
    ADD(t, rec_donor, seq, H5T_NATIVE_UINT32);
    ADD(t, rec_donor, abo, H5T_NATIVE_INT8);
    ADD(t, rec_donor, sex, H5T_NATIVE_INT8);
    ADD(t, rec_donor, hla_typed, H5T_NATIVE_INT8);
    ADD(t, rec_donor, heart_offered, H5T_NATIVE_INT8);
    ADD(t, rec_donor, heart_outcome, H5T_NATIVE_INT8);
    ADD(t, rec_donor, pancreas_offered, H5T_NATIVE_INT8);
    ADD(t, rec_donor, pancreas_outcome, H5T_NATIVE_INT8);
    ADD(t, rec_donor, pancreas_ecd, H5T_NATIVE_INT8);
    ADD(t, rec_donor, pancreas_procedure, H5T_NATIVE_INT8);
    ADD(t, rec_donor, region, H5T_NATIVE_INT16);
    ADD(t, rec_donor, day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_donor, age_years, H5T_NATIVE_DOUBLE);
    ADD(t, rec_donor, bmi, H5T_NATIVE_DOUBLE);
    ADD(t, rec_donor, weight_kg, H5T_NATIVE_DOUBLE);
    ADD(t, rec_donor, heart_offers, H5T_NATIVE_INT32);
    ADD(t, rec_donor, pancreas_offers, H5T_NATIVE_INT32);

    t = &h->t[T_TX];
    *t = (struct table){.name = "transplants", .title = "one row per transplant", .size = sizeof(struct rec_tx)};
    ADD(t, rec_tx, variant, H5T_NATIVE_INT32);
    ADD(t, rec_tx, replication, H5T_NATIVE_INT32);
    ADD(t, rec_tx, day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_tx, donor, h->str_id);
    ADD(t, rec_tx, candidate, h->str_id);
    ADD(t, rec_tx, donor_seq, H5T_NATIVE_UINT32);
    ADD(t, rec_tx, candidate_seq, H5T_NATIVE_UINT32);
    ADD(t, rec_tx, program, H5T_NATIVE_INT8);
    ADD(t, rec_tx, status, H5T_NATIVE_INT8);
    ADD(t, rec_tx, abo_step, H5T_NATIVE_INT8);
    ADD(t, rec_tx, group, H5T_NATIVE_INT8);
    ADD(t, rec_tx, points, H5T_NATIVE_DOUBLE);
    ADD(t, rec_tx, wait_days, H5T_NATIVE_DOUBLE);
    ADD(t, rec_tx, offer_no, H5T_NATIVE_INT32);
    ADD(t, rec_tx, donor_age, H5T_NATIVE_DOUBLE);
    ADD(t, rec_tx, death_day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_tx, graft_fail_day, H5T_NATIVE_DOUBLE);

    t = &h->t[T_GROUPS];
    *t = (struct table){.name = "groups", .title = "fairness counts by blood group, age, region and sex",
                        .size = sizeof(struct rec_group)};
    ADD(t, rec_group, variant, H5T_NATIVE_INT32);
    ADD(t, rec_group, replication, H5T_NATIVE_INT32);
    ADD(t, rec_group, program, H5T_NATIVE_INT32);
    ADD(t, rec_group, dim, H5T_NATIVE_INT32);
    ADD(t, rec_group, group, H5T_NATIVE_INT32);
    ADD(t, rec_group, listings, H5T_NATIVE_INT32);
    ADD(t, rec_group, transplants, H5T_NATIVE_INT32);
    ADD(t, rec_group, deaths, H5T_NATIVE_INT32);
    ADD(t, rec_group, waiting_years, H5T_NATIVE_DOUBLE);

    t = &h->t[T_SERIES];
    *t = (struct table){.name = "series", .title = "list size by status at regular intervals",
                        .size = sizeof(struct rec_series)};
    ADD(t, rec_series, variant, H5T_NATIVE_INT32);
    ADD(t, rec_series, replication, H5T_NATIVE_INT32);
    ADD(t, rec_series, program, H5T_NATIVE_INT32);
    ADD(t, rec_series, day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_series, listed, H5T_NATIVE_INT32);
    ADD(t, rec_series, n_t, H5T_NATIVE_INT32);
    ADD(t, rec_series, n_hu, H5T_NATIVE_INT32);
    ADD(t, rec_series, n_nt, H5T_NATIVE_INT32);
    ADD(t, rec_series, n_su, H5T_NATIVE_INT32);

    t = &h->t[T_COMPARISON];
    *t = (struct table){.name = "comparison", .title = "each variant against variant 0, paired over replications",
                        .size = sizeof(struct rec_comparison)};
    ADD(t, rec_comparison, variant, H5T_NATIVE_INT32);
    ADD(t, rec_comparison, program, H5T_NATIVE_INT32);
    ADD(t, rec_comparison, metric, h->str_metric);
    ADD(t, rec_comparison, n, H5T_NATIVE_INT32);
    ADD(t, rec_comparison, base_mean, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, base_ci_low, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, base_ci_high, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, mean, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, mean_ci_low, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, mean_ci_high, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, diff_mean, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, ci_low, H5T_NATIVE_DOUBLE);
    ADD(t, rec_comparison, ci_high, H5T_NATIVE_DOUBLE);

    t = &h->t[T_DRAWS];
    *t = (struct table){.name = "draws", .title = "each replication's draw of every uncertain parameter",
                        .size = sizeof(struct rec_draw)};
    ADD(t, rec_draw, replication, H5T_NATIVE_INT32);
    ADD(t, rec_draw, parameter, h->str_param);
    ADD(t, rec_draw, value, H5T_NATIVE_DOUBLE);

    t = &h->t[T_SENS];
    *t = (struct table){.name = "sensitivity", .title = "partial rank correlation of each paired difference with each "
                        "uncertain parameter", .size = sizeof(struct rec_sens)};
    ADD(t, rec_sens, variant, H5T_NATIVE_INT32);
    ADD(t, rec_sens, program, H5T_NATIVE_INT32);
    ADD(t, rec_sens, metric, h->str_metric);
    ADD(t, rec_sens, parameter, h->str_param);
    ADD(t, rec_sens, n, H5T_NATIVE_INT32);
    ADD(t, rec_sens, rank, H5T_NATIVE_INT32);
    ADD(t, rec_sens, prcc, H5T_NATIVE_DOUBLE);
    ADD(t, rec_sens, ci_low, H5T_NATIVE_DOUBLE);
    ADD(t, rec_sens, ci_high, H5T_NATIVE_DOUBLE);

    t = &h->t[T_UNC];
    *t = (struct table){.name = "uncertainty", .title = "each paired difference over the parameter draws",
                        .size = sizeof(struct rec_unc)};
    ADD(t, rec_unc, variant, H5T_NATIVE_INT32);
    ADD(t, rec_unc, program, H5T_NATIVE_INT32);
    ADD(t, rec_unc, metric, h->str_metric);
    ADD(t, rec_unc, n, H5T_NATIVE_INT32);
    ADD(t, rec_unc, diff_mean, H5T_NATIVE_DOUBLE);
    ADD(t, rec_unc, diff_p2_5, H5T_NATIVE_DOUBLE);
    ADD(t, rec_unc, diff_p97_5, H5T_NATIVE_DOUBLE);
    ADD(t, rec_unc, share_positive, H5T_NATIVE_DOUBLE);
    ADD(t, rec_unc, share_negative, H5T_NATIVE_DOUBLE);
    ADD(t, rec_unc, top_parameter, h->str_param);
    ADD(t, rec_unc, top_prcc, H5T_NATIVE_DOUBLE);

    t = &h->t[T_EPISODES];
    *t = (struct table){.name = "episodes", .title = "one row per status change",
                        .size = sizeof(struct rec_episode)};
    ADD(t, rec_episode, variant, H5T_NATIVE_INT32);
    ADD(t, rec_episode, replication, H5T_NATIVE_INT32);
    ADD(t, rec_episode, candidate, H5T_NATIVE_UINT32);
    ADD(t, rec_episode, status, H5T_NATIVE_INT8);
    ADD(t, rec_episode, nt_credit, H5T_NATIVE_INT8);
    ADD(t, rec_episode, code, H5T_NATIVE_INT16);
    ADD(t, rec_episode, day, H5T_NATIVE_DOUBLE);
    ADD(t, rec_episode, expiry, H5T_NATIVE_DOUBLE);
}

static int attr_str(hid_t loc, const char *name, const char *value);

/* Creates an empty table. Not H5TBmake_table: it fixes deflate at level 6, which costs more than
 * the simulation itself; byte-shuffle + deflate level 1 compresses these records better and
 * about four times faster. The attributes are those of the HDF5 Table specification, so
 * H5TB functions, h5py and HDFView treat it as a table. */
static int make_table(struct h5out *h, struct table *t, struct err *e)
{
    hid_t type = H5I_INVALID_HID, space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {CHUNK};
    int rc = 0;
    if ((type = H5Tcreate(H5T_COMPOUND, t->size)) < 0) goto fail;
    for (int i = 0; i < t->n; i++)
        if (H5Tinsert(type, t->names[i], t->off[i], t->types[i]) < 0) goto fail;
    if ((space = H5Screate_simple(1, dims, maxdims)) < 0) goto fail;
    if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || H5Pset_chunk(dcpl, 1, chunk) < 0 ||
        H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 1) < 0)
        goto fail;
    if ((ds = H5Dcreate2(h->file, t->name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0) goto fail;
    if (attr_str(ds, "CLASS", "TABLE") || attr_str(ds, "VERSION", "3.0") || attr_str(ds, "TITLE", t->title))
        goto fail;
    for (int i = 0; i < t->n; i++) {
        char an[32];
        snprintf(an, sizeof an, "FIELD_%d_NAME", i);
        if (attr_str(ds, an, t->names[i])) goto fail;
    }
    t->ds = ds, t->mtype = type, t->rows = 0;
    ds = type = H5I_INVALID_HID;
    goto cleanup;
fail:
    rc = err_set(e, ERR_INTERNAL, "%s: cannot create table /%s", h->tmp, t->name);
cleanup:
    if (ds >= 0) H5Dclose(ds);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc;
}

static int attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
    int rc = -1;
    if (type < 0 || space < 0) goto cleanup;
    if (H5Tset_size(type, strlen(value) + 1) < 0) goto cleanup;
    a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) goto cleanup;
    rc = H5Awrite(a, type, value) < 0 ? -1 : 0;
cleanup:
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc;
}

static int attr_num(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
    int rc = -1;
    if (space < 0) goto cleanup;
    a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) goto cleanup;
    rc = H5Awrite(a, type, value) < 0 ? -1 : 0;
cleanup:
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    return rc;
}

struct variant_row {
    int32_t variant;
    char name[128];
    char path[256];
    char heart_policy[32];
    char pancreas_policy[32];
    uint64_t seed;
};

struct param_row {
    int32_t variant;
    char name[96];
    char value[48];
    char unit[16];
    char source[160];
};

struct param_ctx {
    struct param_row *rows;
    size_t n, cap;
    int variant;
    int oom;
};

static void collect_param(void *vctx, const char *full, const struct pdef *d, const void *value)
{
    struct param_ctx *c = vctx;
    if (c->oom) return;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 128;
        struct param_row *nr = realloc(c->rows, nc * sizeof *nr);
        if (!nr) { c->oom = 1; return; }
        c->rows = nr;
        c->cap = nc;
    }
    struct param_row *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    r->variant = c->variant;
    snprintf(r->name, sizeof r->name, "%s", full);
    scen_format(d, value, r->value, sizeof r->value);
    snprintf(r->unit, sizeof r->unit, "%s", d->unit);
    snprintf(r->source, sizeof r->source, "%s", d->source);
}

static int string_type(size_t n, hid_t *out)
{
    *out = H5Tcopy(H5T_C_S1);
    return *out < 0 || H5Tset_size(*out, n) < 0 ? -1 : 0;
}

static int write_meta(struct h5out *h, const struct h5out_meta *m, struct err *e)
{
    hid_t s128 = H5I_INVALID_HID, s256 = H5I_INVALID_HID, s32 = H5I_INVALID_HID,
          s96 = H5I_INVALID_HID, s48 = H5I_INVALID_HID, s16 = H5I_INVALID_HID, s160 = H5I_INVALID_HID;
    struct variant_row *vr = NULL;
    struct param_ctx pc = {0};
    int rc = 0;
    char created[64], rng[32];
    time_t now = time(NULL);
    struct tm tmv;
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
    scen_rng_name(m->variants[0], rng, sizeof rng);
    int32_t reps = m->replications, threads = m->threads, ent = m->entity_tables, nv = m->n_variants,
            wrows = m->warmup_rows, branch = m->branch;
    uint64_t seed = m->seed;
    if (attr_str(h->file, "wlsim_version", WLSIM_VERSION) || attr_str(h->file, "git_commit", WLSIM_GIT_COMMIT) ||
        attr_num(h->file, "seed", H5T_NATIVE_UINT64, &seed) ||
        attr_num(h->file, "replications", H5T_NATIVE_INT32, &reps) || attr_str(h->file, "rng", rng) ||
        attr_num(h->file, "threads", H5T_NATIVE_INT32, &threads) || attr_str(h->file, "created", created) ||
        attr_num(h->file, "variants", H5T_NATIVE_INT32, &nv) ||
        attr_num(h->file, "entity_tables", H5T_NATIVE_INT32, &ent) ||
        attr_num(h->file, "warmup_rows", H5T_NATIVE_INT32, &wrows) ||
        attr_num(h->file, "branch", H5T_NATIVE_INT32, &branch)) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot write root attributes", h->tmp);
        goto cleanup;
    }
    if (m->psa && (attr_str(h->file, "uncertainty_text", psa_text(m->psa)) ||
                   attr_str(h->file, "uncertainty_path", psa_path(m->psa)))) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot store the uncertainty text", h->tmp);
        goto cleanup;
    }
    for (int v = 0; v < m->n_variants; v++) {
        char an[48];
        snprintf(an, sizeof an, "scenario_text_%d", v);
        if (attr_str(h->file, an, m->variants[v]->text)) {
            rc = err_set(e, ERR_INTERNAL, "%s: cannot store the scenario text", h->tmp);
            goto cleanup;
        }
    }
    if (string_type(128, &s128) || string_type(256, &s256) || string_type(32, &s32) || string_type(96, &s96) ||
        string_type(48, &s48) || string_type(16, &s16) || string_type(160, &s160)) {
        rc = err_set(e, ERR_INTERNAL, "HDF5: cannot create string types");
        goto cleanup;
    }
    vr = calloc((size_t)m->n_variants, sizeof *vr);
    if (!vr) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    for (int v = 0; v < m->n_variants; v++) {
        const struct scenario *s = m->variants[v];
        vr[v].variant = v;
        snprintf(vr[v].name, sizeof vr[v].name, "%s", s->name);
        snprintf(vr[v].path, sizeof vr[v].path, "%s", s->path);
        snprintf(vr[v].heart_policy, sizeof vr[v].heart_policy, "%s", s->ops[ORGAN_HEART]->name);
        snprintf(vr[v].pancreas_policy, sizeof vr[v].pancreas_policy, "%s", s->ops[ORGAN_PANCREAS]->name);
        vr[v].seed = m->seed;
        pc.variant = v;
        scen_each_param(s, collect_param, &pc);
    }
    if (pc.oom) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    {
        const char *vn[] = {"variant", "name", "path", "heart_policy", "pancreas_policy", "seed"};
        size_t vo[] = {offsetof(struct variant_row, variant), offsetof(struct variant_row, name),
                       offsetof(struct variant_row, path), offsetof(struct variant_row, heart_policy),
                       offsetof(struct variant_row, pancreas_policy), offsetof(struct variant_row, seed)};
        hid_t vt[] = {H5T_NATIVE_INT32, s128, s256, s32, s32, H5T_NATIVE_UINT64};
        const char *pn[] = {"variant", "name", "value", "unit", "source"};
        size_t po[] = {offsetof(struct param_row, variant), offsetof(struct param_row, name),
                       offsetof(struct param_row, value), offsetof(struct param_row, unit),
                       offsetof(struct param_row, source)};
        hid_t pt[] = {H5T_NATIVE_INT32, s96, s48, s16, s160};
        if (H5TBmake_table("variants compared in this file", h->file, "variants", 6, (hsize_t)m->n_variants,
                           sizeof *vr, vn, vo, vt, 16, NULL, 0, vr) < 0 ||
            H5TBmake_table("every parameter of every variant", h->file, "parameters", 5, (hsize_t)pc.n,
                           sizeof *pc.rows, pn, po, pt, 256, NULL, 1, pc.rows) < 0) {
            rc = err_set(e, ERR_INTERNAL, "%s: cannot write /variants or /parameters", h->tmp);
            goto cleanup;
        }
    }
cleanup:
    free(vr);
    free(pc.rows);
    hid_t all[] = {s128, s256, s32, s96, s48, s16, s160};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] >= 0) H5Tclose(all[i]);
    return rc;
}

/* Opens the file: on disk at path's temporary name, or (image) in memory only. */
static int open_file(const char *path, const struct h5out_meta *meta, int image, struct h5out **out,
                     struct err *e);

int h5out_open(const char *path, const struct h5out_meta *meta, struct h5out **out, struct err *e)
{
    return open_file(path, meta, 0, out, e);
}

int h5out_open_image(const struct h5out_meta *meta, struct h5out **out, struct err *e)
{
    return open_file("(image)", meta, 1, out, e);
}

hid_t h5out_hid(const struct h5out *h)
{
    return h->file;
}

static int open_file(const char *path, const struct h5out_meta *meta, int image, struct h5out **out,
                     struct err *e)
{
    int rc = 0;
    hid_t fapl = H5I_INVALID_HID;
    *out = NULL;
    struct h5out *h = calloc(1, sizeof *h);
    if (!h) return err_set(e, ERR_INTERNAL, "out of memory");
    h->file = H5I_INVALID_HID;
    h->str_metric = H5I_INVALID_HID;
    h->str_id = H5I_INVALID_HID;
    h->str_param = H5I_INVALID_HID;
    for (int t = 0; t < T_N; t++) h->t[t].ds = h->t[t].mtype = H5I_INVALID_HID;
    h->entity_tables = meta->entity_tables;
    h->uncertainty = meta->psa != NULL;
    size_t n = strlen(path) + 64;
    h->path = strdup(path);
    h->tmp = malloc(n);
    if (!h->path || !h->tmp) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    snprintf(h->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    h->image = image;
    /* The image: the core driver without a backing store, so nothing reaches the disk. */
    if (image && ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0)) {
        rc = err_set(e, ERR_INTERNAL, "HDF5: cannot set up an in-memory file");
        goto cleanup;
    }
    h->file = H5Fcreate(h->tmp, H5F_ACC_EXCL, H5P_DEFAULT, image ? fapl : H5P_DEFAULT);
    if (h->file < 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot create the output file (does the folder exist and is it writable?)", h->tmp);
        goto cleanup;
    }
    if (string_type(CMP_METRIC_LEN, &h->str_metric) || string_type(CAND_ID_LEN, &h->str_id) ||
        string_type(PSA_NAME_LEN, &h->str_param)) {
        rc = err_set(e, ERR_INTERNAL, "HDF5: cannot create a string type");
        goto cleanup;
    }
    define_tables(h);
    for (int t = 0; t < T_N; t++) h->t[t].ds = h->t[t].mtype = H5I_INVALID_HID;
    if ((rc = write_meta(h, meta, e))) goto cleanup;
    for (int t = 0; t < T_N; t++) {
        if (t == T_COMPARISON || t == T_SENS || t == T_UNC) continue; /* written at the end */
        if (t == T_DRAWS && !h->uncertainty) continue;
        if (t != T_SUMMARY && t != T_GROUPS && t != T_SERIES && t != T_DRAWS && !h->entity_tables) continue;
        if ((rc = make_table(h, &h->t[t], e))) goto cleanup;
    }
cleanup:
    if (fapl >= 0) H5Pclose(fapl);
    if (rc) h5out_abort(h);
    else *out = h;
    return rc;
}

static int append(struct h5out *h, int t, size_t n, const void *rows, struct err *e)
{
    struct table *tb = &h->t[t];
    if (n == 0) return 0;
    hsize_t start[1] = {tb->rows}, count[1] = {n}, size[1] = {tb->rows + n};
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    int rc = 0;
    if (H5Dset_extent(tb->ds, size) < 0 || (fs = H5Dget_space(tb->ds)) < 0 ||
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        (ms = H5Screate_simple(1, count, NULL)) < 0 || H5Dwrite(tb->ds, tb->mtype, ms, fs, H5P_DEFAULT, rows) < 0)
        rc = err_set(e, ERR_INTERNAL, "%s: cannot append to /%s", h->tmp, tb->name);
    else
        tb->rows += n;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

int h5out_append(struct h5out *h, const struct rep_result *r, struct err *e)
{
    if (append(h, T_SUMMARY, ORGAN_N, r->summary, e)) return ERR_INTERNAL;
    if (append(h, T_GROUPS, (size_t)ORGAN_N * GRP_ROWS, r->groups, e)) return ERR_INTERNAL;
    if (append(h, T_SERIES, r->series.n, r->series.v, e)) return ERR_INTERNAL;
    if (!h->entity_tables) return 0;
    if (append(h, T_CANDS, r->cands.n, r->cands.v, e) || append(h, T_DONORS, r->donors.n, r->donors.v, e) ||
        append(h, T_TX, r->tx.n, r->tx.v, e) || append(h, T_EPISODES, r->episodes.n, r->episodes.v, e))
        return ERR_INTERNAL;
    return 0;
}

int h5out_comparison(struct h5out *h, const struct rec_comparison *rows, size_t n, struct err *e)
{
    if (make_table(h, &h->t[T_COMPARISON], e)) return ERR_INTERNAL;
    return append(h, T_COMPARISON, n, rows, e);
}

int h5out_draws(struct h5out *h, int rep, const struct psa *p, const double *v, struct err *e)
{
    int n = psa_n(p);
    struct rec_draw *rows = calloc((size_t)n + 1, sizeof *rows); /* zeroed: string tails stay zero */
    if (!rows) return err_set(e, ERR_INTERNAL, "out of memory");
    for (int j = 0; j < n; j++) {
        rows[j].replication = rep;
        snprintf(rows[j].parameter, sizeof rows[j].parameter, "%s", psa_name(p, j));
        rows[j].value = v[j];
    }
    int rc = append(h, T_DRAWS, (size_t)n, rows, e) ? ERR_INTERNAL : 0;
    free(rows);
    return rc;
}

int h5out_sensitivity(struct h5out *h, const struct rec_sens *rows, size_t n, const struct rec_unc *urows,
                      size_t nu, struct err *e)
{
    if (make_table(h, &h->t[T_SENS], e) || make_table(h, &h->t[T_UNC], e)) return ERR_INTERNAL;
    if (append(h, T_SENS, n, rows, e) || append(h, T_UNC, nu, urows, e)) return ERR_INTERNAL;
    return 0;
}

/* Closes the tables' open datasets and types (before the file is closed). */
static void close_tables(struct h5out *h)
{
    for (int t = 0; t < T_N; t++) {
        if (h->t[t].ds >= 0) H5Dclose(h->t[t].ds);
        if (h->t[t].mtype >= 0) H5Tclose(h->t[t].mtype);
        h->t[t].ds = h->t[t].mtype = H5I_INVALID_HID;
    }
}

static void destroy(struct h5out *h)
{
    if (h->str_metric >= 0) H5Tclose(h->str_metric);
    if (h->str_id >= 0) H5Tclose(h->str_id);
    if (h->str_param >= 0) H5Tclose(h->str_param);
    free(h->path);
    free(h->tmp);
    free(h);
}

/* fsync() of the file at path, or with `dir` of the folder holding it. 0 or -1 (errno). EINVAL:
 * the file system cannot sync (nothing to do). */
static int sync_path(const char *path, int dir)
{
    char buf[PATH_MAX];
    if (dir) {
        snprintf(buf, sizeof buf, "%s", path);
        char *slash = strrchr(buf, '/');
        if (!slash) snprintf(buf, sizeof buf, ".");
        else if (slash == buf) buf[1] = '\0';
        else *slash = '\0';
        path = buf;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0) return -1;
    int rc = fsync(fd) != 0 && errno != EINVAL ? -1 : 0;
    int en = errno;
    close(fd);
    errno = en;
    return rc;
}

int h5out_commit(struct h5out *h, struct err *e)
{
    int rc = 0;
    close_tables(h);
    hid_t file = h->file;
    h->file = H5I_INVALID_HID;
    if (H5Fclose(file) < 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot close the output file", h->tmp);
        unlink(h->tmp);
    } else if (sync_path(h->tmp, 0) != 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot write to disk: %s", h->tmp, strerror(errno));
        unlink(h->tmp);
    } else if (rename(h->tmp, h->path) != 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot rename to %s: %s", h->tmp, h->path, strerror(errno));
        unlink(h->tmp);
    } else if (sync_path(h->path, 1) != 0) {
        /* The rename reached the folder only once the folder is synced: until then the side
         * file (removed by the caller after this returns) is the only durable copy. */
        rc = err_set(e, ERR_INTERNAL, "%s: cannot write its folder to disk: %s", h->path, strerror(errno));
    }
    destroy(h);
    return rc;
}

void h5out_abort(struct h5out *h)
{
    if (!h) return;
    close_tables(h);
    if (h->file >= 0) H5Fclose(h->file);
    if (h->tmp && !h->image) unlink(h->tmp);
    destroy(h);
}
