/* verify.c — re-running a results file and comparing it row by row (see verify.h).
 *
 * Every table of the file is in work-item order, so the rows of one (variant, replication) are
 * contiguous; an index of those ranges is built once from the `variant` and `replication` columns.
 * Each re-run result then arrives from the runner in order and is compared, table by table and
 * member by member, with its stored rows: the file's compound types were created from the record
 * structs of sim.h, so their member offsets are the structs' and the bytes of every member (not of
 * the padding between them) must be equal. */
#include "verify.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <omp.h>

#include "compare.h"
#include "err.h"
#include "psa.h"
#include "runner.h"
#include "scenario.h"
#include "sens.h"
#include "sim.h"

enum { V_SUMMARY, V_GROUPS, V_SERIES, V_CANDS, V_DONORS, V_TX, V_EPISODES, V_N };
static const char *const TNAME[V_N] = {"summary", "groups", "series", "candidates", "donors", "transplants",
                                       "episodes"};
static const size_t TSIZE[V_N] = {sizeof(struct rec_summary), sizeof(struct rec_group), sizeof(struct rec_series),
                                  sizeof(struct rec_cand),    sizeof(struct rec_donor), sizeof(struct rec_tx),
                                  sizeof(struct rec_episode)};

struct table {
    hid_t ds, ftype;            /* H5I_INVALID_HID when the file has no such table */
    int nm;
    size_t *moff, *msize;       /* the members' offsets and sizes */
    size_t *start, *count;      /* per work item: its first row and number of rows */
    int disordered;             /* rows are not grouped by work item in order */
};

struct vctx {
    const char *path;
    hid_t file;
    int nv, reps, checked_reps;
    struct table t[V_N];
    unsigned char *buf;
    size_t bufcap;
    int *rep_bad;               /* per replication: 1 if anything differs */
    char (*why)[160];           /* per replication: the first difference */
    struct cmp *cmp;
    int quiet;
    const struct psa *psa;      /* --uncertainty files: the re-bound distributions */
    struct sens *sens;          /* ... with two or more variants */
    uint64_t seed;
    double *draws;              /* the current replication's draws */
};

static void rows_of(const struct rep_result *r, int t, const void **p, size_t *n)
{
    switch (t) {
    case V_SUMMARY: *p = r->summary, *n = ORGAN_N; break;
    case V_GROUPS: *p = r->groups, *n = (size_t)ORGAN_N * GRP_ROWS; break;
    case V_SERIES: *p = r->series.v, *n = r->series.n; break;
    case V_CANDS: *p = r->cands.v, *n = r->cands.n; break;
    case V_DONORS: *p = r->donors.v, *n = r->donors.n; break;
    case V_TX: *p = r->tx.v, *n = r->tx.n; break;
    default: *p = r->episodes.v, *n = r->episodes.n; break;
    }
}

/* Reads a string attribute of any length into a new buffer (free()), or NULL. */
static char *read_attr_text(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a);
    size_t n = ft >= 0 ? H5Tget_size(ft) : 0;
    char *buf = ft >= 0 && H5Tis_variable_str(ft) <= 0 ? calloc(n + 1, 1) : NULL;
    if (buf && H5Aread(a, ft, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return buf;
}

/* Reads a string attribute into buf (truncated to len). Returns 0, or -1 if missing. */
static int read_attr_str(hid_t loc, const char *name, char *buf, size_t len)
{
    char *text = read_attr_text(loc, name);
    if (!text) return -1;
    snprintf(buf, len, "%s", text);
    free(text);
    return 0;
}

static int read_attr_num(hid_t loc, const char *name, hid_t mtype, void *out)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = H5Aread(a, mtype, out) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

static void table_fini(struct table *t)
{
    if (t->ftype >= 0) H5Tclose(t->ftype);
    if (t->ds >= 0) H5Dclose(t->ds);
    free(t->moff);
    free(t->msize);
    free(t->start);
    free(t->count);
}

/* Records the offset and size of every member of t->ftype. Returns 0, or -1 out of memory. */
static int members(struct table *t)
{
    t->nm = H5Tget_nmembers(t->ftype);
    t->moff = calloc((size_t)t->nm, sizeof *t->moff);
    t->msize = calloc((size_t)t->nm, sizeof *t->msize);
    if (!t->moff || !t->msize) return -1;
    for (int m = 0; m < t->nm; m++) {
        hid_t mt = H5Tget_member_type(t->ftype, (unsigned)m);
        t->moff[m] = H5Tget_member_offset(t->ftype, (unsigned)m);
        t->msize[m] = mt >= 0 ? H5Tget_size(mt) : 0;
        if (mt >= 0) H5Tclose(mt);
    }
    return 0;
}

/* Opens table ti (if present) and indexes its rows by work item. */
static int table_open(struct vctx *v, int ti, struct err *e)
{
    struct table *t = &v->t[ti];
    hid_t two = H5I_INVALID_HID, space = H5I_INVALID_HID;
    int32_t *vr = NULL;
    int rc = 0;
    size_t items = (size_t)v->nv * (size_t)v->reps;
    if (H5Lexists(v->file, TNAME[ti], H5P_DEFAULT) <= 0) return 0;
    if ((t->ds = H5Dopen2(v->file, TNAME[ti], H5P_DEFAULT)) < 0 || (t->ftype = H5Dget_type(t->ds)) < 0 ||
        H5Tget_class(t->ftype) != H5T_COMPOUND)
        return err_set(e, ERR_INPUT, "%s: /%s: expected a table, found something else", v->path, TNAME[ti]);
    if (H5Tget_size(t->ftype) != TSIZE[ti])
        return err_set(e, ERR_INPUT, "%s: /%s: expected records of %zu bytes (this build's layout), found %zu",
                       v->path, TNAME[ti], TSIZE[ti], H5Tget_size(t->ftype));
    t->start = calloc(items, sizeof *t->start);
    t->count = calloc(items, sizeof *t->count);
    if (!t->start || !t->count || members(t)) return err_set(e, ERR_INTERNAL, "out of memory");
    hsize_t n = 0;
    if ((space = H5Dget_space(t->ds)) < 0 || H5Sget_simple_extent_dims(space, &n, NULL) != 1) {
        rc = err_set(e, ERR_INPUT, "%s: /%s: expected a one-dimensional table", v->path, TNAME[ti]);
        goto cleanup;
    }
    /* Read the variant and replication columns only: HDF5 converts compound members by name. */
    if ((two = H5Tcreate(H5T_COMPOUND, 2 * sizeof(int32_t))) < 0 ||
        H5Tinsert(two, "variant", 0, H5T_NATIVE_INT32) < 0 ||
        H5Tinsert(two, "replication", sizeof(int32_t), H5T_NATIVE_INT32) < 0) {
        rc = err_set(e, ERR_INTERNAL, "HDF5: cannot build a type");
        goto cleanup;
    }
    if (n && !(vr = malloc((size_t)n * 2 * sizeof *vr))) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    if (n && H5Dread(t->ds, two, H5S_ALL, H5S_ALL, H5P_DEFAULT, vr) < 0) {
        rc = err_set(e, ERR_INPUT, "%s: /%s: cannot read the variant and replication columns", v->path, TNAME[ti]);
        goto cleanup;
    }
    size_t prev = 0;
    for (size_t i = 0; i < (size_t)n; i++) {
        int32_t var = vr[2 * i], rep = vr[2 * i + 1];
        if (var < 0 || var >= v->nv || rep < 0 || rep >= v->reps) { t->disordered = 1; break; }
        size_t k = (size_t)rep * (size_t)v->nv + (size_t)var;
        if (i > 0 && k < prev) { t->disordered = 1; break; }
        if (i == 0 || k != prev) t->start[k] = i;
        t->count[k]++;
        prev = k;
    }
cleanup:
    free(vr);
    if (two >= 0) H5Tclose(two);
    if (space >= 0) H5Sclose(space);
    return rc;
}

/* Reads n rows from row `start` of table t into v->buf (records laid out as in sim.h). */
static int read_rows(struct vctx *v, struct table *t, size_t size, size_t start, size_t n)
{
    if (n * size > v->bufcap) {
        unsigned char *nb = realloc(v->buf, n * size);
        if (!nb) return -1;
        v->buf = nb;
        v->bufcap = n * size;
    }
    memset(v->buf, 0, n * size);
    hid_t fs = H5Dget_space(t->ds), ms = H5I_INVALID_HID;
    hsize_t off[1] = {start}, cnt[1] = {n};
    int rc = -1;
    if (fs >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0 &&
        (ms = H5Screate_simple(1, cnt, NULL)) >= 0 && H5Dread(t->ds, t->ftype, ms, fs, H5P_DEFAULT, v->buf) >= 0)
        rc = 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* Compares n records a (fresh) and b (stored) member by member. Returns the first differing
 * row, or n when all are equal. */
static size_t first_diff(const struct table *t, size_t size, const void *a, const void *b, size_t n, int *member)
{
    const unsigned char *pa = a, *pb = b;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < t->nm; m++)
            if (memcmp(pa + i * size + t->moff[m], pb + i * size + t->moff[m], t->msize[m]) != 0) {
                *member = m;
                return i;
            }
    return n;
}

static void member_name(const struct table *t, int m, char *buf, size_t len)
{
    char *nm = H5Tget_member_name(t->ftype, (unsigned)m);
    snprintf(buf, len, "%s", nm ? nm : "?");
    H5free_memory(nm);
}

static int sink(void *vctx, const struct rep_result *r, struct err *e)
{
    struct vctx *v = vctx;
    size_t k = (size_t)r->replication * (size_t)v->nv + (size_t)r->variant;
    if (v->cmp) cmp_add(v->cmp, r);
    if (v->sens) {
        if (r->variant == 0 && psa_draw(v->psa, v->seed, r->replication, v->draws, e)) return ERR_INTERNAL;
        sens_add(v->sens, r, v->draws);
    }
    for (int ti = 0; ti < V_N && !v->rep_bad[r->replication]; ti++) {
        struct table *t = &v->t[ti];
        const void *fresh;
        size_t n;
        rows_of(r, ti, &fresh, &n);
        char *why = v->why[r->replication];
        if (t->ds < 0) continue;
        if (t->disordered) {
            snprintf(why, 160, "/%s is not in work-item order", TNAME[ti]);
        } else if (t->count[k] != n) {
            snprintf(why, 160, "variant %d: /%s has %zu rows, the re-run %zu", r->variant, TNAME[ti], t->count[k], n);
        } else if (n) {
            if (read_rows(v, t, TSIZE[ti], t->start[k], n))
                return err_set(e, ERR_INTERNAL, "%s: cannot read /%s", v->path, TNAME[ti]);
            int m = 0;
            size_t i = first_diff(t, TSIZE[ti], fresh, v->buf, n, &m);
            if (i == n) continue;
            char mn[64];
            member_name(t, m, mn, sizeof mn);
            snprintf(why, 160, "variant %d: /%s row %zu, field %s", r->variant, TNAME[ti], t->start[k] + i, mn);
        } else {
            continue;
        }
        v->rep_bad[r->replication] = 1;
    }
    if (r->variant == v->nv - 1 && !v->quiet) {
        if (v->rep_bad[r->replication]) printf("replication %d: DIFFERS (%s)\n", r->replication, v->why[r->replication]);
        else printf("replication %d: identical\n", r->replication);
        fflush(stdout);
    }
    return 0;
}

static int same_table(struct vctx *v, const char *name, const void *rows, size_t n, size_t size, char *why,
                      size_t len)
{
    int res = -1;
    struct table t = {.ds = H5I_INVALID_HID, .ftype = H5I_INVALID_HID};
    if (H5Lexists(v->file, name, H5P_DEFAULT) <= 0) {
        snprintf(why, len, "the file has no /%s", name);
        res = 0;
        goto done;
    }
    hid_t space = H5I_INVALID_HID;
    hsize_t stored = 0;
    if ((t.ds = H5Dopen2(v->file, name, H5P_DEFAULT)) < 0 || (t.ftype = H5Dget_type(t.ds)) < 0 ||
        H5Tget_size(t.ftype) != size || (space = H5Dget_space(t.ds)) < 0 ||
        H5Sget_simple_extent_dims(space, &stored, NULL) != 1) {
        if (space >= 0) H5Sclose(space);
        snprintf(why, len, "/%s is not a table of this build's layout", name);
        res = 0;
        goto done;
    }
    H5Sclose(space);
    if ((size_t)stored != n) {
        snprintf(why, len, "/%s has %zu rows, the re-run %zu", name, (size_t)stored, n);
        res = 0;
        goto done;
    }
    if (members(&t)) goto done;
    if (n && read_rows(v, &t, size, 0, n)) goto done;
    int m = 0;
    size_t i = first_diff(&t, size, rows, v->buf, n, &m);
    if (i == n) {
        res = 1;
    } else {
        char mn[64];
        member_name(&t, m, mn, sizeof mn);
        snprintf(why, len, "/%s row %zu, field %s", name, i, mn);
        res = 0;
    }
done:
    table_fini(&t);
    return res;
}

/* Compares the re-run /comparison with the stored one. Returns 1 if equal, 0 if not, -1 on
 * failure. */
static int same_comparison(struct vctx *v, char *why, size_t len)
{
    struct rec_comparison *rows = NULL;
    size_t n = 0;
    if (cmp_rows(v->cmp, &rows, &n)) return -1;
    int res = same_table(v, "comparison", rows, n, sizeof *rows, why, len);
    free(rows);
    return res;
}

/* Compares the re-run /sensitivity and /uncertainty with the stored ones, as same_comparison. */
static int same_sensitivity(struct vctx *v, char *why, size_t len)
{
    struct rec_sens *rows = NULL;
    struct rec_unc *u = NULL;
    size_t n = 0, nu = 0;
    if (sens_rows(v->sens, &rows, &n, &u, &nu)) return -1;
    int res = same_table(v, "sensitivity", rows, n, sizeof *rows, why, len);
    if (res == 1) res = same_table(v, "uncertainty", u, nu, sizeof *u, why, len);
    free(rows);
    free(u);
    return res;
}

/* Compares the stored /draws of the first v->checked_reps replications with fresh draws. Returns
 * 1 if equal, 0 if not (why says where), -1 on failure. */
static int same_draws(struct vctx *v, const struct psa *p, uint64_t seed, char *why, size_t len)
{
    size_t k = (size_t)psa_n(p), n = k * (size_t)v->checked_reps;
    struct table t = {.ds = H5I_INVALID_HID, .ftype = H5I_INVALID_HID};
    struct rec_draw *fresh = calloc(n + 1, sizeof *fresh); /* zeroed like the writer's rows */
    double *d = malloc((k + 1) * sizeof *d);
    hid_t space = H5I_INVALID_HID;
    hsize_t stored = 0;
    int res = -1;
    struct err le;
    if (!fresh || !d) goto done;
    for (int r = 0; r < v->checked_reps; r++) {
        if (psa_draw(p, seed, r, d, &le)) goto done;
        for (size_t j = 0; j < k; j++) {
            struct rec_draw *x = &fresh[(size_t)r * k + j];
            x->replication = r;
            snprintf(x->parameter, sizeof x->parameter, "%s", psa_name(p, (int)j));
            x->value = d[j];
        }
    }
    res = 0;
    if (H5Lexists(v->file, "draws", H5P_DEFAULT) <= 0) {
        snprintf(why, len, "the file has no /draws");
        goto done;
    }
    if ((t.ds = H5Dopen2(v->file, "draws", H5P_DEFAULT)) < 0 || (t.ftype = H5Dget_type(t.ds)) < 0 ||
        H5Tget_size(t.ftype) != sizeof(struct rec_draw) || (space = H5Dget_space(t.ds)) < 0 ||
        H5Sget_simple_extent_dims(space, &stored, NULL) != 1 || (size_t)stored < n) {
        snprintf(why, len, "/draws is not a table of this build's layout with %zu rows", n);
        goto done;
    }
    res = -1;
    if (members(&t) || (n && read_rows(v, &t, sizeof *fresh, 0, n))) goto done;
    int m = 0;
    size_t i = first_diff(&t, sizeof *fresh, fresh, v->buf, n, &m);
    res = i == n;
    if (!res) {
        char mn[64];
        member_name(&t, m, mn, sizeof mn);
        snprintf(why, len, "/draws row %zu, field %s", i, mn);
    }
done:
    if (space >= 0) H5Sclose(space);
    table_fini(&t);
    free(fresh);
    free(d);
    return res;
}

/* Rebuilds the variants from the stored scenario texts: each text is loaded and expanded as
 * `wlsim run` did, and the variant of the stored name is taken from the expansion. */
static int rebuild(struct vctx *v, struct scenario **sc, struct err *e)
{
    struct { char name[128], path[256]; } *vr = calloc((size_t)v->nv, sizeof *vr);
    int rc = 0;
    if (!vr) return err_set(e, ERR_INTERNAL, "out of memory");
    size_t off[2] = {0, 128}, sizes[2] = {128, 256};
    if (H5TBread_fields_name(v->file, "variants", "name,path", 0, (hsize_t)v->nv, sizeof *vr, off, sizes, vr) < 0) {
        rc = err_set(e, ERR_INPUT, "%s: expected a /variants table with name and path, found none", v->path);
        goto cleanup;
    }
    for (int i = 0; i < v->nv && !rc; i++) {
        char an[48];
        snprintf(an, sizeof an, "scenario_text_%d", i);
        char *text = read_attr_text(v->file, an);
        if (!text) {
            rc = err_set(e, ERR_INPUT, "%s: expected the attribute %s, found none", v->path, an);
            break;
        }
        struct scenario *s = NULL, **x = NULL;
        int nx = 0;
        struct err le;
        err_clear(&le);
        rc = scen_load_text(vr[i].path, text, &s, &le);
        if (!rc) rc = scen_expand(s, &x, &nx, &le);
        free(text);
        scen_free(s);
        if (rc) {
            rc = err_set(e, ERR_INPUT, "%s: variant %d: the stored scenario no longer loads: %s", v->path, i, le.msg);
            break;
        }
        for (int j = 0; j < nx; j++) {
            if (!sc[i] && strcmp(x[j]->name, vr[i].name) == 0) sc[i] = x[j];
            else scen_free(x[j]);
        }
        free(x);
        if (!sc[i])
            rc = err_set(e, ERR_INPUT, "%s: variant %d: expected the stored scenario to give a variant named '%s', "
                         "found none", v->path, i, vr[i].name);
    }
cleanup:
    free(vr);
    return rc;
}

int verify_main(int argc, char **argv, volatile sig_atomic_t *stop)
{
    static const struct option opts[] = {{"replications", required_argument, NULL, 'r'},
                                         {"threads", required_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    long k = -1, threads = omp_get_num_procs();
    int c, rc = 0, quiet = 0;
    struct vctx v = {.file = H5I_INVALID_HID};
    struct scenario **sc = NULL;
    struct psa *psa = NULL;
    struct err e;
    err_clear(&e);
    for (int t = 0; t < V_N; t++) v.t[t].ds = v.t[t].ftype = H5I_INVALID_HID;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:j:qh", opts, NULL)) != -1) {
        char *end;
        long *dst = c == 'r' ? &k : &threads;
        switch (c) {
        case 'r':
        case 'j':
            errno = 0;
            *dst = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || *dst < 1 || *dst > 100000000) {
                fprintf(stderr, "wlsim verify: argument -%c: expected a positive integer, found '%s'\n", c, optarg);
                return ERR_INPUT;
            }
            break;
        case 'q': quiet = 1; break;
        case 'h':
            printf("Usage: wlsim verify OUT.h5 [-r K] [-j THREADS] [-q]\n"
                   "  Re-run the first K replications (default: all) from the scenario text, seed and settings\n"
                   "  stored in OUT.h5 and report per replication whether the results are bit-identical.\n"
                   "  -r, --replications K    replications to re-run (default: all of the file's)\n"
                   "  -j, --threads N         OpenMP threads (default: all cores)\n"
                   "  -q, --quiet             only the final line\n"
                   "Exit codes: 0 identical, 1 a difference (or an internal failure), 2 bad input.\n");
            return 0;
        default: fprintf(stderr, "wlsim verify: see 'wlsim verify --help'\n"); return ERR_INPUT;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "wlsim verify: expected one results file, found %d arguments\n", argc - optind);
        return ERR_INPUT;
    }
    v.path = argv[optind];
    v.quiet = quiet;
    if (H5Fis_hdf5(v.path) <= 0 || (v.file = H5Fopen(v.path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        fprintf(stderr, "wlsim verify: %s: expected an HDF5 results file of wlsim, found %s\n", v.path,
                access(v.path, R_OK) ? strerror(errno) : "another kind of file");
        return ERR_INPUT;
    }
    char ver[64] = "", commit[64] = "";
    uint64_t seed = 0;
    int32_t reps = 0, nv = 0, ent = 0, wrows = 1; /* files without the attribute kept the warm-up */
    if (read_attr_str(v.file, "wlsim_version", ver, sizeof ver) || read_attr_str(v.file, "git_commit", commit, sizeof commit) ||
        read_attr_num(v.file, "seed", H5T_NATIVE_UINT64, &seed) ||
        read_attr_num(v.file, "replications", H5T_NATIVE_INT32, &reps) ||
        read_attr_num(v.file, "variants", H5T_NATIVE_INT32, &nv) ||
        read_attr_num(v.file, "entity_tables", H5T_NATIVE_INT32, &ent) || reps < 1 || nv < 1) {
        fprintf(stderr, "wlsim verify: %s: expected the root attributes of a wlsim results file (wlsim_version, "
                "git_commit, seed, replications, variants, entity_tables), found them missing or invalid\n", v.path);
        rc = ERR_INPUT;
        goto cleanup;
    }
    if (H5Aexists(v.file, "warmup_rows") > 0 && read_attr_num(v.file, "warmup_rows", H5T_NATIVE_INT32, &wrows)) {
        fprintf(stderr, "wlsim verify: %s: expected an integer root attribute warmup_rows, found another kind\n", v.path);
        rc = ERR_INPUT;
        goto cleanup;
    }
    v.nv = nv;
    v.reps = reps;
    if (k > reps) {
        fprintf(stderr, "wlsim verify: argument -r: expected at most the file's %d replications, found %ld\n", reps, k);
        rc = ERR_INPUT;
        goto cleanup;
    }
    v.checked_reps = k > 0 ? (int)k : reps;
    if (strcmp(ver, WLSIM_VERSION) || strcmp(commit, WLSIM_GIT_COMMIT))
        printf("note: %s was written by wlsim %s (git %s); this is wlsim %s (git %s): differences may come from "
               "the program change\n", v.path, ver, commit, WLSIM_VERSION, WLSIM_GIT_COMMIT);
    if (!(sc = calloc((size_t)nv, sizeof *sc)) || !(v.rep_bad = calloc((size_t)reps, sizeof *v.rep_bad)) ||
        !(v.why = calloc((size_t)reps, sizeof *v.why)) || (nv > 1 && !(v.cmp = cmp_alloc(nv)))) {
        rc = ERR_INTERNAL;
        fprintf(stderr, "wlsim verify: out of memory\n");
        goto cleanup;
    }
    if ((rc = rebuild(&v, sc, &e))) goto fail;
    char *utext = read_attr_text(v.file, "uncertainty_text");
    if (utext) { /* --uncertainty: the same draws again */
        char where[600];
        snprintf(where, sizeof where, "%s (uncertainty_text)", v.path);
        rc = psa_load_text(where, utext, &psa, &e);
        free(utext);
        if (!rc) rc = psa_bind(psa, (const struct scenario *const *)sc, nv, &e);
        if (rc) goto fail;
        v.psa = psa, v.seed = seed;
        if (!(v.draws = calloc((size_t)psa_n(psa), sizeof *v.draws)) ||
            (nv > 1 && !(v.sens = sens_alloc(nv, v.checked_reps, psa)))) {
            rc = err_set(&e, ERR_INTERNAL, "out of memory");
            goto fail;
        }
    }
    for (int t = 0; t < V_N; t++)
        if ((rc = table_open(&v, t, &e))) goto fail;
    struct runner_cfg cfg = {.variants = (const struct scenario *const *)sc, .n_variants = nv,
                             .replications = v.checked_reps, .threads = (int)threads,
                             .opts = {.seed = seed, .entity_tables = ent, .warmup_rows = wrows}, .stop = stop,
                             .progress = 0, .sink = sink, .sink_ctx = &v, .psa = psa};
    if ((rc = runner_run(&cfg, &e))) goto fail;
    int bad = 0;
    for (int r = 0; r < v.checked_reps; r++) bad += v.rep_bad[r];
    if (psa) {
        char why[160] = "";
        int same = same_draws(&v, psa, seed, why, sizeof why);
        if (same < 0) { rc = err_set(&e, ERR_INTERNAL, "cannot compare /draws"); goto fail; }
        if (!same) bad++;
        if (!quiet) printf("draws: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
    }
    if (v.cmp && v.checked_reps == reps) {
        char why[160] = "";
        int same = same_comparison(&v, why, sizeof why);
        if (same < 0) { rc = err_set(&e, ERR_INTERNAL, "cannot compare /comparison"); goto fail; }
        if (!same) bad++;
        if (!quiet) printf("comparison: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
    }
    if (v.sens && v.checked_reps == reps) {
        char why[160] = "";
        int same = same_sensitivity(&v, why, sizeof why);
        if (same < 0) { rc = err_set(&e, ERR_INTERNAL, "cannot compare /sensitivity"); goto fail; }
        if (!same) bad++;
        if (!quiet) printf("sensitivity: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
    }
    printf("%s: %d of %d replications identical%s\n", v.path, v.checked_reps - (bad > v.checked_reps ? v.checked_reps : bad),
           v.checked_reps, bad ? "; the file does NOT match a re-run" : "; the file matches a re-run");
    rc = bad ? ERR_INTERNAL : 0;
    goto cleanup;
fail:
    fprintf(stderr, "wlsim verify: %s\n", e.msg);
cleanup:
    for (int t = 0; t < V_N; t++) table_fini(&v.t[t]);
    for (int i = 0; sc && i < nv; i++) scen_free(sc[i]);
    free(sc);
    free(v.rep_bad);
    free(v.why);
    free(v.buf);
    cmp_free(v.cmp);
    sens_free(v.sens);
    free(v.draws);
    psa_free(psa);
    if (v.file >= 0) H5Fclose(v.file);
    return rc;
}
