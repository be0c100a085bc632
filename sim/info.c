/* info.c — `wlsim info` (see info.h). Reads only attributes, /variants, /parameters and the
 * tables' shapes: it never reads a large table, so it answers at once for any file size. */
#include "info.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "rec.h"

/* A fixed-length string attribute of loc into a new buffer (free it), or NULL. */
static char *attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), ft = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    char *buf = NULL;
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) == 0) {
        size_t n = H5Tget_size(ft);
        buf = calloc(n + 1, 1);
        if (buf && H5Aread(a, ft, buf) < 0) {
            free(buf);
            buf = NULL;
        }
    }
    if (ft >= 0) H5Tclose(ft);
    if (a >= 0) H5Aclose(a);
    return buf;
}

/* A numeric attribute of loc read as `type` into out; -1 when absent. */
static int attr_num(hid_t loc, const char *name, hid_t type, void *out)
{
    if (H5Aexists(loc, name) <= 0) return -1;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = H5Aread(a, type, out) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

static void human_size(double b, char *buf, size_t len)
{
    if (b >= 1e9) snprintf(buf, len, "%.2f GB", b / 1e9);
    else if (b >= 1e6) snprintf(buf, len, "%.1f MB", b / 1e6);
    else if (b >= 1e3) snprintf(buf, len, "%.1f kB", b / 1e3);
    else snprintf(buf, len, "%.0f B", b);
}

/* Reads the named string fields of every row of table `name` into rows of `width` bytes per
 * field (NUL-terminated, truncated), plus the int32 field "variant" when `variant` is non-NULL.
 * Returns the row count, or -1. */
#define FIELD_W 128
struct strrow {
    int32_t variant;
    char f[3][FIELD_W];
};

static long read_rows(hid_t file, const char *name, const char *const *fields, int nf, struct strrow **out)
{
    *out = NULL;
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return -1;
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), sp = H5I_INVALID_HID, mt = H5I_INVALID_HID,
          st = H5I_INVALID_HID;
    long n = -1;
    hsize_t dims[1] = {0};
    if (ds < 0 || (sp = H5Dget_space(ds)) < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1) goto cleanup;
    if ((mt = H5Tcreate(H5T_COMPOUND, sizeof(struct strrow))) < 0 || (st = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(st, FIELD_W) < 0 || H5Tinsert(mt, "variant", offsetof(struct strrow, variant), H5T_NATIVE_INT32) < 0)
        goto cleanup;
    for (int i = 0; i < nf; i++)
        if (H5Tinsert(mt, fields[i], offsetof(struct strrow, f) + (size_t)i * FIELD_W, st) < 0) goto cleanup;
    *out = calloc(dims[0] ? dims[0] : 1, sizeof **out);
    if (!*out) goto cleanup;
    if (dims[0] && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        free(*out);
        *out = NULL;
        goto cleanup;
    }
    n = (long)dims[0];
cleanup:
    if (st >= 0) H5Tclose(st);
    if (mt >= 0) H5Tclose(mt);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return n;
}

/* A stored value for reading: numbers (stored with 17 digits, to round-trip) with 12. */
static const char *readable(const char *v, char *buf, size_t len)
{
    char *end;
    double x = strtod(v, &end);
    if (end != v && *end == '\0') snprintf(buf, len, "%.12g", x);
    else snprintf(buf, len, "%s", v);
    return buf;
}

struct tables_ctx {
    FILE *f;
    double total;
};

static herr_t one_table(hid_t g, const char *name, const H5L_info_t *li, void *vctx)
{
    struct tables_ctx *c = vctx;
    (void)li;
    hid_t ds = H5Oopen(g, name, H5P_DEFAULT);
    if (ds < 0) return 0;
    if (H5Iget_type(ds) != H5I_DATASET) {
        H5Oclose(ds);
        return 0;
    }
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    if (sp >= 0) H5Sget_simple_extent_dims(sp, dims, NULL);
    double bytes = (double)H5Dget_storage_size(ds);
    char size[32], *title = attr_text(ds, "TITLE");
    human_size(bytes, size, sizeof size);
    c->total += bytes;
    fprintf(c->f, "  /%-13s %10llu rows %10s  %s\n", name, (unsigned long long)dims[0], size, title ? title : "");
    free(title);
    if (sp >= 0) H5Sclose(sp);
    H5Oclose(ds);
    return 0;
}

int info_print(const char *path, FILE *f, struct err *e)
{
    hid_t file = H5I_INVALID_HID;
    struct strrow *var = NULL, *par = NULL;
    char *version = NULL, *commit = NULL, *created = NULL, *rng = NULL;
    int rc = 0;
    if (H5Fis_hdf5(path) <= 0 || (file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        rc = err_set(e, ERR_INPUT, "%s: expected an HDF5 results file of wlsim, found none (missing or not HDF5)", path);
        goto cleanup;
    }
    version = attr_text(file, "wlsim_version");
    commit = attr_text(file, "git_commit");
    created = attr_text(file, "created");
    rng = attr_text(file, "rng");
    uint64_t seed = 0;
    int32_t reps = 0, nvar = 0, threads = 0, entity = 0;
    if (!version || attr_num(file, "seed", H5T_NATIVE_UINT64, &seed) ||
        attr_num(file, "replications", H5T_NATIVE_INT32, &reps)) {
        rc = err_set(e, ERR_INPUT, "%s: expected the root attributes of a wlsim results file (wlsim_version, "
                     "seed, replications), found none", path);
        goto cleanup;
    }
    attr_num(file, "variants", H5T_NATIVE_INT32, &nvar);
    attr_num(file, "threads", H5T_NATIVE_INT32, &threads);
    attr_num(file, "entity_tables", H5T_NATIVE_INT32, &entity);
    fprintf(f, "%s\n  written by wlsim %s (git %s)%s%s\n", path, version, commit ? commit : "?",
            created ? " on " : "", created ? created : "");
    fprintf(f, "  seed %llu, %d replication%s per variant, RNG %s, %d thread%s (results do not depend on it)\n",
            (unsigned long long)seed, reps, reps == 1 ? "" : "s", rng ? rng : "?", threads, threads == 1 ? "" : "s");
    int32_t wrows = 1; /* files written before the attribute kept the warm-up */
    attr_num(file, "warmup_rows", H5T_NATIVE_INT32, &wrows);
    fprintf(f, "  %s%s\n", entity ? "entity tables: written (candidates, donors, transplants, episodes), "
                                  : "entity tables: not written (--summary-only)",
            !entity ? "" : wrows ? "warm-up included (--warmup-rows)" : "counted years only");
    int32_t branch = 0; /* files written before --branch existed: the variants ran apart */
    attr_num(file, "branch", H5T_NATIVE_INT32, &branch);
    if (branch)
        fprintf(f, "  variants branched from one shared warm-up at day 0 (--branch%s)\n",
                branch == 2 ? "=redraw" : "");

    static const char *const vf[3] = {"name", "heart_policy", "pancreas_policy"};
    static const char *const pf[2] = {"name", "value"};
    long nv = read_rows(file, "variants", vf, 3, &var);
    long np = read_rows(file, "parameters", pf, 2, &par);
    fprintf(f, "\nvariants: %ld\n", nv < 0 ? 0 : nv);
    for (long v = 0; v < nv; v++) {
        fprintf(f, "  %ld  %s (heart: %s, pancreas: %s)%s\n", v, var[v].f[0], var[v].f[1], var[v].f[2],
                v == 0 && nv > 1 ? ", the baseline" : "");
        if (v == 0 || np < 0) continue;
        /* Rows are variant-major, each variant's parameters in variant 0's order: compare row
         * v * p0 + i with row i, searching variant 0's rows only when a name does not match. */
        int shown = 0;
        long p0 = 0;
        while (p0 < np && par[p0].variant == 0) p0++;
        for (long i = 0; i < np; i++) {
            if (par[i].variant != v) continue;
            long j = i % (p0 ? p0 : 1);
            if (j >= p0 || strcmp(par[j].f[0], par[i].f[0]) != 0)
                for (j = 0; j < p0 && strcmp(par[j].f[0], par[i].f[0]) != 0; j++) {}
            if (j < p0 && strcmp(par[j].f[1], par[i].f[1]) != 0) {
                char a[64], b[64];
                fprintf(f, "       %s = %s (baseline %s)\n", par[i].f[0], readable(par[i].f[1], a, sizeof a),
                        readable(par[j].f[1], b, sizeof b));
                shown++;
            }
        }
        if (!shown) fprintf(f, "       the same parameters as the baseline (policies or texts may differ)\n");
    }

    struct tables_ctx c = {f, 0};
    fprintf(f, "\ntables (docs/output.md):\n");
    H5Literate(file, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, one_table, &c);
    char total[32];
    human_size(c.total, total, sizeof total);
    fprintf(f, "  %-14s %15s %10s\n", "total", "", total);
cleanup:
    free(var);
    free(par);
    free(version);
    free(commit);
    free(created);
    free(rng);
    if (file >= 0) H5Fclose(file);
    return rc;
}

void info_fields(FILE *f)
{
    for (int t = 0; t < REC_T_N; t++) {
        const struct rec_table *r = rec_table(t);
        fprintf(f, "### /%s\n%s\n\n| field | type | unit | meaning |\n|---|---|---|---|\n", r->name, r->title);
        for (int i = 0; i < r->n; i++) {
            const struct rec_field *x = &r->f[i];
            char type[32];
            fprintf(f, "| `%s` | %s | %s | %s", x->name, rec_type_name(x, type, sizeof type), x->unit, x->doc);
            for (int v = 0; v < rec_code_count(x->codes); v++)
                fprintf(f, "%s%d `%s`", v ? ", " : ". Labels: ", v, rec_code_label(x->codes, v));
            fprintf(f, " |\n");
        }
        fprintf(f, "\n");
    }
}

int info_main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: wlsim info OUT.h5\n"
               "  Describe a results file: the version and commit that wrote it, seed, replications, the\n"
               "  variants and the parameters in which each differs from variant 0, and every table with\n"
               "  its rows and size on disk (docs/output.md).\n"
               "Usage: wlsim info --fields\n"
               "  Print the field reference of every table (Markdown; `make docs` puts it in docs/output.md).\n");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--fields") == 0) {
        info_fields(stdout);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "wlsim info: expected one results file, found %d arguments (see 'wlsim info --help')\n",
                argc - 1);
        return ERR_INPUT;
    }
    struct err e;
    err_clear(&e);
    int rc = info_print(argv[1], stdout, &e);
    if (rc) fprintf(stderr, "wlsim info: %s\n", e.msg);
    return rc;
}
