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
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <omp.h>

#include "branch.h"
#include "compare.h"
#include "err.h"
#include "h5out.h"
#include "psa.h"
#include "runner.h"
#include "scenario.h"
#include "sens.h"
#include "sim.h"

/* The per-replication tables (sim/rec.h: REC_REPLICATION and REC_ENTITY), in the order the writer
 * appends them: those written always, then the entity tables. */
#define V_N REC_T_N

static int per_rep_tables(int *id)
{
    int n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int t = 0; t < REC_T_N; t++)
            if (rec_table(t)->when == (pass ? REC_ENTITY : REC_REPLICATION)) id[n++] = t;
    return n;
}

/* A per-replication table of the file: its layout and a cursor. Rows are read in work-item
 * order from `next` as the re-run results arrive, never more than a re-run result's rows plus
 * one block: the file's own row count bounds nothing a crafted file could inflate. */
struct table {
    hid_t ds, ftype;            /* H5I_INVALID_HID when absent or of another layout (reported) */
    int nm;
    size_t *moff, *msize;       /* the members' offsets and sizes */
    hsize_t n, next;            /* rows in the file; the first row not yet matched */
};

struct vctx {
    const char *path;
    hid_t file;
    int nv, reps, checked_reps;
    int nt, id[V_N];            /* the per-replication tables: v->t[i] is table id[i] */
    struct table t[V_N];
    unsigned char *buf;
    size_t bufcap;
    int32_t *vr;                /* a block of (variant, replication) pairs */
    int *rep_bad;               /* per replication: 1 if anything differs */
    char (*why)[160];           /* per replication: the first difference */
    struct cmp *cmp;
    int quiet;
    const struct psa *psa;      /* --uncertainty files: the re-bound distributions */
    struct sens *sens;          /* ... with two or more variants */
    uint64_t seed;
    double *draws;              /* the current replication's draws */
};

#define BLOCK 4096              /* rows per read of the variant and replication columns */
#define MAX_OBJECTS 4096        /* attributes or links of one object a results file may have */
#define NAME_LEN 256

/* Reads a fixed-length string attribute into a new buffer (free()), or NULL when it is missing,
 * not a fixed-length string, or holds a NUL before its end (the text would be cut short). */
static char *read_attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    size_t n = ft >= 0 ? H5Tget_size(ft) : 0;
    int ok = ft >= 0 && sp >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) == 0 &&
             H5Sget_simple_extent_npoints(sp) == 1 && n > 0 && n <= (size_t)SCEN_MAX_BYTES + 1;
    char *buf = ok ? calloc(n + 1, 1) : NULL;
    if (buf && (H5Aread(a, ft, buf) < 0 || strlen(buf) + 1 < n)) {
        free(buf);
        buf = NULL;
    }
    if (sp >= 0) H5Sclose(sp);
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

/* Reads a scalar numeric attribute. Returns 0, or -1 if missing or not one number. */
static int read_attr_num(hid_t loc, const char *name, hid_t mtype, void *out)
{
    if (H5Aexists(loc, name) <= 0) return -1;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    int rc = ft >= 0 && sp >= 0 && (H5Tget_class(ft) == H5T_INTEGER) && H5Sget_simple_extent_npoints(sp) == 1 &&
                     H5Aread(a, mtype, out) >= 0
                 ? 0
                 : -1;
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static void table_fini(struct table *t)
{
    if (t->ftype >= 0) H5Tclose(t->ftype);
    if (t->ds >= 0) H5Dclose(t->ds);
    free(t->moff);
    free(t->msize);
    t->ds = t->ftype = H5I_INVALID_HID;
    t->moff = t->msize = NULL;
}

/* Records the offset and size of every member of t->ftype. Returns 0, or -1 out of memory. */
static int members(struct table *t)
{
    t->nm = H5Tget_nmembers(t->ftype);
    if (t->nm < 0) t->nm = 0;
    t->moff = calloc((size_t)t->nm + 1, sizeof *t->moff);
    t->msize = calloc((size_t)t->nm + 1, sizeof *t->msize);
    if (!t->moff || !t->msize) return -1;
    for (int m = 0; m < t->nm; m++) {
        hid_t mt = H5Tget_member_type(t->ftype, (unsigned)m);
        t->moff[m] = H5Tget_member_offset(t->ftype, (unsigned)m);
        t->msize[m] = mt >= 0 ? H5Tget_size(mt) : 0;
        if (mt >= 0) H5Tclose(mt);
    }
    return 0;
}

/* Opens the one-dimensional compound dataset `name` as t, requiring records of `size` bytes (0:
 * any). Returns 0 (t->ds invalid when it is absent or otherwise shaped), or -1 out of memory. */
static int open_table(hid_t file, const char *name, size_t size, struct table *t)
{
    hid_t space = H5I_INVALID_HID;
    int rank;
    t->ds = t->ftype = H5I_INVALID_HID;
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0 || (t->ds = H5Dopen2(file, name, H5P_DEFAULT)) < 0 ||
        (t->ftype = H5Dget_type(t->ds)) < 0 || H5Tget_class(t->ftype) != H5T_COMPOUND ||
        (size && H5Tget_size(t->ftype) != size) || (space = H5Dget_space(t->ds)) < 0 ||
        (rank = H5Sget_simple_extent_ndims(space)) != 1 || H5Sget_simple_extent_dims(space, &t->n, NULL) != 1) {
        if (space >= 0) H5Sclose(space);
        table_fini(t);
        return 0;
    }
    H5Sclose(space);
    t->next = 0;
    return members(t);
}

/* Reads n rows from row `start` of table t into v->buf (records laid out as the file type). */
static int read_rows(struct vctx *v, struct table *t, size_t size, size_t start, size_t n)
{
    if (n > SIZE_MAX / size) return -1;
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

/* The work items of rows [start, start + n) of t (n <= BLOCK) into it[]: replication x variants
 * + variant, or -1 where either is out of range. HDF5 converts compound members by name, so only
 * the two columns are read. Returns 0 or -1. */
static int items_of(struct vctx *v, struct table *t, hsize_t start, size_t n, int64_t *it)
{
    hid_t two = H5Tcreate(H5T_COMPOUND, 2 * sizeof(int32_t)), fs = H5Dget_space(t->ds), ms = H5I_INVALID_HID;
    hsize_t off[1] = {start}, cnt[1] = {n};
    int rc = -1;
    if (two >= 0 && H5Tinsert(two, "variant", 0, H5T_NATIVE_INT32) >= 0 &&
        H5Tinsert(two, "replication", sizeof(int32_t), H5T_NATIVE_INT32) >= 0 && fs >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0 &&
        (ms = H5Screate_simple(1, cnt, NULL)) >= 0 && H5Dread(t->ds, two, ms, fs, H5P_DEFAULT, v->vr) >= 0) {
        for (size_t i = 0; i < n; i++) {
            int32_t var = v->vr[2 * i], rep = v->vr[2 * i + 1];
            it[i] = var < 0 || var >= v->nv || rep < 0 || rep >= v->reps ? -1 : (int64_t)rep * v->nv + var;
        }
        rc = 0;
    }
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    if (two >= 0) H5Tclose(two);
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
    snprintf(buf, len, "%.60s", nm ? nm : "?");
    H5free_memory(nm);
}

/* Matches the stored rows of work item k in table ti against the m fresh ones. Returns 1 if
 * they are equal, 0 if not (why filled), -1 on a read failure. */
static int match_item(struct vctx *v, int ti, int64_t k, int variant, const void *fresh, size_t m, char *why)
{
    struct table *t = &v->t[ti];
    int64_t it[BLOCK];
    hsize_t skipped = 0, c = 0;
    /* Rows of earlier items left over: the file holds rows the re-run does not. */
    while (t->next < t->n) {
        size_t b = t->n - t->next < BLOCK ? (size_t)(t->n - t->next) : BLOCK, i = 0;
        if (items_of(v, t, t->next, b, it)) return -1;
        while (i < b && it[i] < k) i++;
        skipped += i;
        t->next += i;
        if (i < b) break;
    }
    /* Count this item's rows, up to one more than the re-run has. */
    for (hsize_t pos = t->next; pos < t->n && c <= m;) {
        size_t b = t->n - pos < BLOCK ? (size_t)(t->n - pos) : BLOCK, i = 0;
        if (b > m + 1 - c) b = (size_t)(m + 1 - c);
        if (items_of(v, t, pos, b, it)) return -1;
        while (i < b && it[i] == k) i++;
        c += i;
        pos += i;
        if (i < b) break;
    }
    if (skipped) {
        snprintf(why, 160, "variant %d: /%s has %llu rows out of work-item order or of no work item", variant,
                 rec_table(v->id[ti])->name, (unsigned long long)skipped);
        t->next += c;
        return 0;
    }
    if (c != m) {
        snprintf(why, 160, "variant %d: /%s has %s%llu rows, the re-run %zu", variant, rec_table(v->id[ti])->name,
                 c > m ? "more than " : "", (unsigned long long)(c > m ? m : c), m);
        t->next += c;
        return 0;
    }
    if (m == 0) return 1;
    if (read_rows(v, t, rec_table(v->id[ti])->size, (size_t)t->next, m)) return -1;
    int mem = 0;
    size_t i = first_diff(t, rec_table(v->id[ti])->size, fresh, v->buf, m, &mem);
    if (i < m) {
        char mn[64];
        member_name(t, mem, mn, sizeof mn);
        snprintf(why, 160, "variant %d: /%s row %llu, field %s", variant, rec_table(v->id[ti])->name,
                 (unsigned long long)(t->next + i), mn);
    }
    t->next += m;
    return i == m;
}

static int sink(void *vctx, const struct rep_result *r, struct err *e)
{
    struct vctx *v = vctx;
    int64_t k = (int64_t)r->replication * v->nv + r->variant;
    if (v->cmp) cmp_add(v->cmp, r);
    if (v->sens) {
        if (r->variant == 0 && psa_draw(v->psa, v->seed, r->replication, v->draws, e)) return ERR_INTERNAL;
        sens_add(v->sens, r, v->draws);
    }
    for (int ti = 0; ti < v->nt && !v->rep_bad[r->replication]; ti++) {
        const void *fresh;
        size_t n;
        if (v->t[ti].ds < 0) continue; /* absent or of another layout: reported with the layout */
        sim_result_rows(r, v->id[ti], &fresh, &n);
        int same = match_item(v, ti, k, r->variant, fresh, n, v->why[r->replication]);
        if (same < 0) return err_set(e, ERR_INTERNAL, "%s: cannot read /%s", v->path, rec_table(v->id[ti])->name);
        if (!same) v->rep_bad[r->replication] = 1;
    }
    if (r->variant == v->nv - 1 && !v->quiet) {
        if (v->rep_bad[r->replication]) printf("replication %d: DIFFERS (%s)\n", r->replication, v->why[r->replication]);
        else printf("replication %d: identical\n", r->replication);
        fflush(stdout);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Objects and attributes, compared with the file the run would write (an in-memory image)      */

struct names {
    char (*v)[NAME_LEN];
    size_t n;
    int overflow;               /* more than MAX_OBJECTS, or a name of NAME_LEN bytes or more */
};

static herr_t add_name(struct names *ns, const char *name)
{
    if (ns->n >= MAX_OBJECTS || strlen(name) >= NAME_LEN) {
        ns->overflow = 1;
        return 1; /* stop iterating */
    }
    if (!ns->v && !(ns->v = calloc(MAX_OBJECTS, sizeof *ns->v))) {
        ns->overflow = 1;
        return -1;
    }
    snprintf(ns->v[ns->n++], NAME_LEN, "%s", name);
    return 0;
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *op)
{
    (void)loc, (void)info;
    return add_name(op, name);
}

static int has_name(const struct names *ns, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i], name)) return 1;
    return 0;
}

/* Attributes that may differ between two runs of the same work: when and on how many threads
 * it ran, and the program version (verify prints a note about that instead). */
static int volatile_attr(const char *name)
{
    return !strcmp(name, "created") || !strcmp(name, "threads") || !strcmp(name, "wlsim_version") ||
           !strcmp(name, "git_commit");
}

/* Compares attribute `name` of a (the file) and b (the image). 1 equal, 0 not. */
static int same_attr(hid_t a, hid_t b, const char *name)
{
    hid_t aa = H5Aopen(a, name, H5P_DEFAULT), ab = H5Aopen(b, name, H5P_DEFAULT);
    hid_t ta = aa >= 0 ? H5Aget_type(aa) : -1, tb = ab >= 0 ? H5Aget_type(ab) : -1;
    hid_t sa = aa >= 0 ? H5Aget_space(aa) : -1, sb = ab >= 0 ? H5Aget_space(ab) : -1;
    int same = 0;
    unsigned char *ba = NULL, *bb = NULL;
    if (ta >= 0 && tb >= 0 && sa >= 0 && sb >= 0 && H5Tequal(ta, tb) > 0 && H5Sextent_equal(sa, sb) > 0 &&
        H5Tis_variable_str(tb) == 0) {
        /* The image's type and extent bound what is read from the file. */
        size_t n = H5Tget_size(tb) * (size_t)H5Sget_simple_extent_npoints(sb);
        if ((ba = calloc(n + 1, 1)) && (bb = calloc(n + 1, 1)) && H5Aread(aa, tb, ba) >= 0 && H5Aread(ab, tb, bb) >= 0)
            same = memcmp(ba, bb, n) == 0;
    }
    free(ba);
    free(bb);
    hid_t all[] = {sa, sb, ta, tb};
    for (int i = 0; i < 4; i++)
        if (all[i] >= 0) (i < 2 ? H5Sclose : H5Tclose)(all[i]);
    if (aa >= 0) H5Aclose(aa);
    if (ab >= 0) H5Aclose(ab);
    return same;
}

/* Every attribute of object a (the file) against b (the image), in both directions. Returns 1
 * if they agree, 0 with why filled if not. */
static int same_attrs(hid_t a, hid_t b, const char *what, char *why, size_t len)
{
    struct names na = {0}, nb = {0};
    hsize_t ia = 0, ib = 0;
    int same = 1;
    H5Aiterate2(a, H5_INDEX_NAME, H5_ITER_INC, &ia, attr_cb, &na);
    H5Aiterate2(b, H5_INDEX_NAME, H5_ITER_INC, &ib, attr_cb, &nb);
    if (na.overflow || nb.overflow) {
        snprintf(why, len, "%s: too many attributes or too long a name", what);
        same = 0;
    }
    for (size_t i = 0; same && i < nb.n; i++) {
        if (!has_name(&na, nb.v[i])) {
            snprintf(why, len, "%s: attribute %s is missing", what, nb.v[i]);
            same = 0;
        } else if (!volatile_attr(nb.v[i]) && !same_attr(a, b, nb.v[i])) {
            snprintf(why, len, "%s: attribute %s differs", what, nb.v[i]);
            same = 0;
        }
    }
    for (size_t i = 0; same && i < na.n; i++)
        if (!has_name(&nb, na.v[i])) {
            snprintf(why, len, "%s: attribute %.60s is not one a run writes", what, na.v[i]);
            same = 0;
        }
    free(na.v);
    free(nb.v);
    return same;
}

/* Dataset `name` of the file against the image's: the same type, the same attributes and, with
 * `data`, the same extent and the same bytes in every member. 1 equal, 0 not (why), -1 failure. */
static int same_dataset(struct vctx *v, hid_t image, const char *name, int data, char *why, size_t len)
{
    struct table a = {.ds = H5I_INVALID_HID}, b = {.ds = H5I_INVALID_HID};
    char what[NAME_LEN + 8];
    int res = 0;
    snprintf(what, sizeof what, "/%s", name);
    if (open_table(image, name, 0, &b) || b.ds < 0) {
        res = -1;
        goto done;
    }
    if (open_table(v->file, name, 0, &a)) {
        res = -1;
        goto done;
    }
    if (a.ds < 0) {
        snprintf(why, len, "%.60s is missing or not a table", what);
        goto done;
    }
    if (H5Tequal(a.ftype, b.ftype) <= 0) {
        snprintf(why, len, "%.60s: the record layout differs from this build's", what);
        goto done;
    }
    if (!same_attrs(a.ds, b.ds, what, why, len)) goto done;
    if (!data) {
        res = 1;
        goto done;
    }
    if (a.n != b.n) {
        snprintf(why, len, "%.60s has %llu rows, the re-run %llu", what, (unsigned long long)a.n, (unsigned long long)b.n);
        goto done;
    }
    size_t size = H5Tget_size(b.ftype), n = (size_t)b.n;
    unsigned char *fresh = NULL;
    if (n && (!(fresh = malloc(n * size)) || read_rows(v, &b, size, 0, n) < 0)) {
        free(fresh);
        res = -1;
        goto done;
    }
    if (n) memcpy(fresh, v->buf, n * size);
    if (n && read_rows(v, &a, size, 0, n) < 0) {
        free(fresh);
        res = -1;
        goto done;
    }
    int m = 0;
    size_t i = n ? first_diff(&b, size, fresh, v->buf, n, &m) : 0;
    free(fresh);
    if (i < n) {
        char mn[64];
        member_name(&b, m, mn, sizeof mn);
        snprintf(why, len, "%.60s row %zu, field %s", what, i, mn);
        goto done;
    }
    res = 1;
done:
    table_fini(&a);
    table_fini(&b);
    return res;
}

/* 1 if name is in the NULL-terminated list. */
static int listed(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name)) return 1;
    return 0;
}

static int per_replication(const char *name)
{
    if (!strcmp(name, "draws")) return 1; /* compared with fresh draws by same_draws */
    for (int t = 0; t < REC_T_N; t++)
        if ((rec_table(t)->when == REC_REPLICATION || rec_table(t)->when == REC_ENTITY) &&
            !strcmp(rec_table(t)->name, name))
            return 1;
    return 0;
}

/* The file's objects and attributes against the image of what the run writes: the root
 * attributes, every dataset of either (`skip` excepted: compared later), each one's type and
 * attributes, and the rows of every table that is not per replication (/variants, /parameters,
 * ...). The per-replication rows are compared as the re-run produces them. 1 equal, 0 not, -1. */
static int same_layout(struct vctx *v, hid_t image, const char *const *skip, char *why, size_t len)
{
    struct names na = {0}, nb = {0};
    H5G_info_t ga, gb;
    int res = 1;
    if (!same_attrs(v->file, image, "/", why, len)) return 0;
    if (H5Gget_info(v->file, &ga) < 0 || H5Gget_info(image, &gb) < 0) return -1;
    for (int pass = 0; pass < 2; pass++) {
        hid_t loc = pass ? image : v->file;
        struct names *ns = pass ? &nb : &na;
        hsize_t count = pass ? gb.nlinks : ga.nlinks;
        for (hsize_t i = 0; i < count && !ns->overflow; i++) {
            char name[NAME_LEN];
            ssize_t l = H5Lget_name_by_idx(loc, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
            if (l < 0 || l >= NAME_LEN) ns->overflow = 1;
            else add_name(ns, name);
        }
    }
    if (na.overflow || nb.overflow) {
        snprintf(why, len, "/: too many objects or too long a name");
        res = 0;
    }
    for (size_t i = 0; res == 1 && i < na.n; i++)
        if (!has_name(&nb, na.v[i]) && !listed(skip, na.v[i])) {
            snprintf(why, len, "/%.60s is not an object a run writes", na.v[i]);
            res = 0;
        }
    for (size_t i = 0; res == 1 && i < nb.n; i++) {
        if (listed(skip, nb.v[i])) continue;
        res = same_dataset(v, image, nb.v[i], !per_replication(nb.v[i]), why, len);
    }
    free(na.v);
    free(nb.v);
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
        H5Sget_simple_extent_dims(space, &stored, NULL) != 1 || (size_t)stored < n ||
        (v->checked_reps == v->reps && (size_t)stored != n)) {
        snprintf(why, len, "/draws is not a table of this build's layout with %s%zu rows",
                 v->checked_reps == v->reps ? "" : "at least ", n);
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

/* Keeps only where a loader's message points (FILE:LINE[:COL]): the rest may quote a file the
 * results file named (a replay CSV), and verify never echoes a file's content. */
static void redact(char *msg)
{
    char *p = msg, *keep = NULL;
    while ((p = strchr(p, ':'))) {
        char *q = p + 1;
        while (*q >= '0' && *q <= '9') q++;
        if (q > p + 1 && (*q == ':' || *q == '\0')) keep = q; /* after :LINE or :COL */
        else if (keep) break;
        p = q > p + 1 ? q : p + 1;
        if (*p != ':') break;
    }
    snprintf(keep ? keep : msg, 160, "%s", keep ? ": invalid there (verify does not show file contents: run "
             "`wlsim check` on the scenario)" : "invalid (verify does not show file contents)");
}

/* Rebuilds the variants from the stored scenario texts: each text is loaded and expanded as
 * `wlsim run` did, and the variant of the stored name is taken from the expansion. */
static int rebuild(struct vctx *v, struct scenario **sc, unsigned flags, struct err *e)
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
        vr[i].name[sizeof vr[i].name - 1] = vr[i].path[sizeof vr[i].path - 1] = '\0';
        snprintf(an, sizeof an, "scenario_text_%d", i);
        char *text = read_attr_text(v->file, an);
        if (!text) {
            rc = err_set(e, ERR_INPUT, "%s: expected the attribute %s (a text without NUL bytes), found none", v->path, an);
            break;
        }
        struct scenario *s = NULL, **x = NULL;
        int nx = 0;
        struct err le;
        err_clear(&le);
        rc = scen_load_text_opts(vr[i].path, text, flags, &s, &le);
        if (!rc) rc = scen_expand(s, &x, &nx, &le);
        free(text);
        scen_free(s);
        if (rc) {
            size_t pl = strlen(vr[i].path);
            if (strncmp(le.msg, vr[i].path, pl) || le.msg[pl] != ':') redact(le.msg); /* about another file */
            rc = err_set(e, ERR_INPUT, "%s: variant %d: the stored scenario no longer loads: %s", v->path, i, le.msg);
            break;
        }
        for (int j = 0; j < nx; j++) {
            if (!sc[i] && strcmp(x[j]->name, vr[i].name) == 0) sc[i] = x[j];
            else scen_free(x[j]);
        }
        free(x);
        if (!sc[i])
            rc = err_set(e, ERR_INPUT, "%s: variant %d: expected the stored scenario to give the variant named in "
                         "/variants, found none", v->path, i);
    }
cleanup:
    free(vr);
    return rc;
}

/* The number of rows of dataset `name`, or -1 when it is missing or not one-dimensional. */
static long long rows_in(hid_t file, const char *name)
{
    struct table t = {.ds = H5I_INVALID_HID};
    if (open_table(file, name, 0, &t) || t.ds < 0) {
        table_fini(&t);
        return -1;
    }
    long long n = t.n > (hsize_t)LLONG_MAX ? LLONG_MAX : (long long)t.n;
    table_fini(&t);
    return n;
}

/* verify's command line. */
struct vargs {
    long k;                     /* replications to re-run; -1: all of the file's */
    long threads;
    int quiet, allow_paths;
    const char *path;
};

/* Parses verify's arguments into a. Returns -1 to go on, or the exit code to return at once (0
 * after --help, ERR_INPUT with the message printed). */
static int parse_args(int argc, char **argv, struct vargs *a)
{
    static const struct option opts[] = {{"replications", required_argument, NULL, 'r'},
                                         {"threads", required_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"allow-paths", no_argument, NULL, 'A'},
                                         {NULL, 0, NULL, 0}};
    int c;
    *a = (struct vargs){.k = -1, .threads = omp_get_num_procs()};
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:j:qh", opts, NULL)) != -1) {
        char *end;
        long *dst = c == 'r' ? &a->k : &a->threads;
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
        case 'q': a->quiet = 1; break;
        case 'h':
            printf("Usage: wlsim verify OUT.h5 [-r K] [-j THREADS] [-q] [--allow-paths]\n"
                   "  Re-run the first K replications (default: all) from the scenario text, seed and settings\n"
                   "  stored in OUT.h5 and report per replication whether the results are bit-identical; every\n"
                   "  table and attribute must be the one a run writes.\n"
                   "  -r, --replications K    replications to re-run (default: all of the file's)\n"
                   "  -j, --threads N         OpenMP threads (default: all cores)\n"
                   "  -q, --quiet             only the final line\n"
                   "      --allow-paths       accept replay files stored with absolute paths or '..' (refused by\n"
                   "                          default: the file is not trusted)\n"
                   "Exit codes: 0 identical, 1 a difference (or an internal failure), 2 bad input.\n");
            return 0;
        case 'A': a->allow_paths = 1; break;
        default: fprintf(stderr, "wlsim verify: see 'wlsim verify --help'\n"); return ERR_INPUT;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "wlsim verify: expected one results file, found %d arguments\n", argc - optind);
        return ERR_INPUT;
    }
    a->path = argv[optind];
    return -1;
}

/* What the root attributes of a results file say about its run. */
struct root {
    char ver[64], commit[64];
    uint64_t seed;
    int32_t reps, nv, ent, branch, wrows;
};

/* Opens v->path read-only into v->file. Returns 0, or ERR_INPUT (message printed) when it is not
 * a readable HDF5 file. */
static int open_results(struct vctx *v)
{
    struct stat st;
    if (stat(v->path, &st) != 0 || !S_ISREG(st.st_mode) || H5Fis_hdf5(v->path) <= 0 ||
        (v->file = H5Fopen(v->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        int en = errno;
        fprintf(stderr, "wlsim verify: %s: expected an HDF5 results file of wlsim, found %s\n", v->path,
                access(v->path, R_OK) ? strerror(en) : "another kind of file");
        return ERR_INPUT;
    }
    return 0;
}

/* Reads the root attributes of v->file into *a and checks that /variants and /summary hold the
 * rows they imply, so that the work to redo is bounded by what the file holds (one /variants row
 * per variant, ORGAN_N /summary rows per work item) before anything is allocated or run. Returns
 * 0, or ERR_INPUT with the message printed. */
static int read_root(struct vctx *v, struct root *a)
{
    *a = (struct root){.wrows = 1}; /* files without warmup_rows kept the warm-up */
    if (read_attr_str(v->file, "wlsim_version", a->ver, sizeof a->ver) ||
        read_attr_str(v->file, "git_commit", a->commit, sizeof a->commit) ||
        read_attr_num(v->file, "seed", H5T_NATIVE_UINT64, &a->seed) ||
        read_attr_num(v->file, "replications", H5T_NATIVE_INT32, &a->reps) ||
        read_attr_num(v->file, "variants", H5T_NATIVE_INT32, &a->nv) ||
        read_attr_num(v->file, "entity_tables", H5T_NATIVE_INT32, &a->ent) || a->reps < 1 || a->nv < 1 ||
        (a->ent != 0 && a->ent != 1)) {
        fprintf(stderr, "wlsim verify: %s: expected the root attributes of a wlsim results file (wlsim_version, "
                "git_commit, seed, replications, variants, entity_tables), found them missing or invalid\n", v->path);
        return ERR_INPUT;
    }
    /* Files written before --warmup-rows existed have no `warmup_rows` attribute: they kept the
     * warm-up's rows (the layout check still reports the missing attribute). */
    if (H5Aexists(v->file, "warmup_rows") > 0 &&
        (read_attr_num(v->file, "warmup_rows", H5T_NATIVE_INT32, &a->wrows) || (a->wrows != 0 && a->wrows != 1))) {
        fprintf(stderr, "wlsim verify: %s: expected the root attribute warmup_rows to be 0 or 1, found it invalid\n",
                v->path);
        return ERR_INPUT;
    }
    /* Files written before --branch existed have no `branch` attribute: their variants ran apart. */
    if (H5Aexists(v->file, "branch") > 0 && (read_attr_num(v->file, "branch", H5T_NATIVE_INT32, &a->branch) ||
                                             a->branch < SIM_BRANCH_NONE || a->branch > SIM_BRANCH_REDRAW)) {
        fprintf(stderr, "wlsim verify: %s: expected the root attribute branch to be 0, 1 or 2, found it invalid\n",
                v->path);
        return ERR_INPUT;
    }
    long long nvar = rows_in(v->file, "variants"), nsum = rows_in(v->file, "summary");
    unsigned long long want = (unsigned long long)a->nv * (unsigned long long)a->reps * ORGAN_N;
    if (nvar != a->nv || nsum < 0 || (unsigned long long)nsum != want) {
        fprintf(stderr, "wlsim verify: %s: expected /variants with %d rows and /summary with %llu rows (the root "
                "attributes: %d variants x %d replications), found %lld and %lld\n", v->path, a->nv, want, a->nv,
                a->reps, nvar, nsum);
        return ERR_INPUT;
    }
    return 0;
}

/* --uncertainty files: loads the stored uncertainty text, binds it to the rebuilt variants sc and
 * prepares the same draws again (v->psa, v->draws, and v->sens with two or more variants). A file
 * without the text is left alone. Returns 0 or an error code with the message in e; *psa (free it)
 * is the loaded psa or NULL. */
static int load_uncertainty(struct vctx *v, struct scenario **sc, uint64_t seed, struct psa **psa, struct err *e)
{
    char *utext = read_attr_text(v->file, "uncertainty_text");
    int rc = 0;
    *psa = NULL;
    if (!utext) return 0;
    char where[600];
    /* The path as stored (the image must store the same), else a name for messages. */
    if (read_attr_str(v->file, "uncertainty_path", where, sizeof where))
        snprintf(where, sizeof where, "%s (uncertainty_text)", v->path);
    rc = psa_load_text(where, utext, psa, e);
    free(utext);
    if (!rc) rc = psa_bind(*psa, (const struct scenario *const *)sc, v->nv, e);
    if (rc) return rc;
    v->psa = *psa, v->seed = seed;
    if (!(v->draws = calloc((size_t)psa_n(*psa), sizeof *v->draws)) ||
        (v->nv > 1 && !(v->sens = sens_alloc(v->nv, v->checked_reps, *psa))))
        return err_set(e, ERR_INTERNAL, "out of memory");
    return 0;
}

/* Opens the per-replication tables of the file that have the image's layout, to be compared row
 * by row as the re-run results arrive; a table of another layout is not (the layout check reports
 * it). Returns 0, or ERR_INTERNAL out of memory (message in e). */
static int open_row_tables(struct vctx *v, hid_t image, struct err *e)
{
    for (int t = 0; t < v->nt; t++) {
        const struct rec_table *rt = rec_table(v->id[t]);
        if (open_table(v->file, rt->name, rt->size, &v->t[t])) return err_set(e, ERR_INTERNAL, "out of memory");
        struct table it = {.ds = H5I_INVALID_HID};
        if (v->t[t].ds >= 0 &&
            (open_table(image, rt->name, 0, &it) || it.ds < 0 || H5Tequal(it.ftype, v->t[t].ftype) <= 0))
            table_fini(&v->t[t]);
        table_fini(&it);
    }
    return 0;
}

/* After every replication was re-run: rows the file holds after the last work item's, and the
 * tables a run writes at its end (/comparison; /sensitivity and /uncertainty with --uncertainty),
 * computed from the re-run and compared like every other table. Adds the differences found to
 * *bad. Returns 0, or ERR_INTERNAL (message in e). */
static int check_end_tables(struct vctx *v, struct h5out *img, int quiet, int *bad, struct err *e)
{
    struct rec_comparison *crows = NULL;
    struct rec_sens *srows = NULL;
    struct rec_unc *urows = NULL;
    char why[160] = "";
    int same = 1, rc = 0;
    size_t n = 0, nu = 0;
    for (int t = 0; t < v->nt; t++)
        if (v->t[t].ds >= 0 && v->t[t].next < v->t[t].n) {
            if (!quiet) printf("rows: DIFFER (/%s has %llu rows after the last re-run row)\n", rec_table(v->id[t])->name,
                               (unsigned long long)(v->t[t].n - v->t[t].next));
            (*bad)++;
            break;
        }
    if (v->cmp) {
        if (cmp_rows(v->cmp, &crows, &n) || h5out_comparison(img, crows, n, e)) {
            rc = err_set(e, ERR_INTERNAL, "cannot compute /comparison");
            goto cleanup;
        }
        same = same_dataset(v, h5out_hid(img), "comparison", 1, why, sizeof why);
        if (same < 0) { rc = err_set(e, ERR_INTERNAL, "cannot compare /comparison"); goto cleanup; }
    } else if (H5Lexists(v->file, "comparison", H5P_DEFAULT) > 0) {
        snprintf(why, sizeof why, "/comparison in a file of one variant");
        same = 0;
    }
    if (!same) (*bad)++;
    if (!quiet && (v->cmp || !same)) printf("comparison: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
    why[0] = '\0';
    same = 1;
    if (v->sens) {
        if (sens_rows(v->sens, &srows, &n, &urows, &nu) || h5out_sensitivity(img, srows, n, urows, nu, e)) {
            rc = err_set(e, ERR_INTERNAL, "cannot compute /sensitivity");
            goto cleanup;
        }
        same = same_dataset(v, h5out_hid(img), "sensitivity", 1, why, sizeof why);
        if (same == 1) same = same_dataset(v, h5out_hid(img), "uncertainty", 1, why, sizeof why);
        if (same < 0) { rc = err_set(e, ERR_INTERNAL, "cannot compare /sensitivity"); goto cleanup; }
    } else if (H5Lexists(v->file, "sensitivity", H5P_DEFAULT) > 0 || H5Lexists(v->file, "uncertainty", H5P_DEFAULT) > 0) {
        snprintf(why, sizeof why, "/sensitivity or /uncertainty in a file without them");
        same = 0;
    }
    if (!same) (*bad)++;
    if (!quiet && (v->sens || !same)) printf("sensitivity: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
cleanup:
    free(crows);
    free(srows);
    free(urows);
    return rc;
}

/* The steps: the arguments; the file and its root attributes; the variants rebuilt from the
 * stored scenario texts (and the uncertainty draws); the file's objects and attributes against
 * an image of what this build writes; the replications re-run and compared row by row as they
 * arrive (sink); the draws; the rows and tables after the last replication; the verdict. */
int verify_main(int argc, char **argv, volatile sig_atomic_t *stop)
{
    struct vargs a;
    struct root ra = {.wrows = 1};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    rc = 0;
    struct vctx v = {.file = H5I_INVALID_HID, .path = a.path, .quiet = a.quiet};
    struct scenario **sc = NULL;
    struct h5out *img = NULL;
    struct psa *psa = NULL;
    struct err e;
    err_clear(&e);
    for (int t = 0; t < V_N; t++) v.t[t].ds = v.t[t].ftype = H5I_INVALID_HID;
    v.nt = per_rep_tables(v.id);
    if ((rc = open_results(&v)) || (rc = read_root(&v, &ra))) goto cleanup;
    v.nv = ra.nv;
    v.reps = ra.reps;
    if (a.k > ra.reps) {
        fprintf(stderr, "wlsim verify: argument -r: expected at most the file's %d replications, found %ld\n", ra.reps,
                a.k);
        rc = ERR_INPUT;
        goto cleanup;
    }
    v.checked_reps = a.k > 0 ? (int)a.k : ra.reps;
    if (strcmp(ra.ver, WLSIM_VERSION) || strcmp(ra.commit, WLSIM_GIT_COMMIT))
        printf("note: %s was written by wlsim %s (git %s); this is wlsim %s (git %s): differences may come from "
               "the program change\n", v.path, ra.ver, ra.commit, WLSIM_VERSION, WLSIM_GIT_COMMIT);
    if (!(sc = calloc((size_t)ra.nv, sizeof *sc)) || !(v.rep_bad = calloc((size_t)ra.reps, sizeof *v.rep_bad)) ||
        !(v.why = calloc((size_t)ra.reps, sizeof *v.why)) || !(v.vr = malloc(2 * BLOCK * sizeof *v.vr)) ||
        (ra.nv > 1 && !(v.cmp = cmp_alloc(ra.nv)))) {
        rc = ERR_INTERNAL;
        fprintf(stderr, "wlsim verify: out of memory\n");
        goto cleanup;
    }
    if ((rc = rebuild(&v, sc, a.allow_paths ? 0 : SCEN_CONFINE_PATHS, &e))) goto fail;
    if (ra.branch && (rc = branch_check((const struct scenario *const *)sc, ra.nv, &e))) goto fail;
    if ((rc = load_uncertainty(&v, sc, ra.seed, &psa, &e))) goto fail;
    /* The file this run would write, without rows: every object and attribute must match it. */
    struct h5out_meta meta = {.seed = ra.seed, .replications = ra.reps, .threads = 1, .entity_tables = ra.ent,
                              .warmup_rows = ra.wrows, .branch = ra.branch,
                              .variants = (const struct scenario *const *)sc, .n_variants = ra.nv, .psa = psa};
    if ((rc = h5out_open_image(&meta, &img, &e))) goto fail;
    char lwhy[160] = "";
    static const char *const LATER[] = {"comparison", "sensitivity", "uncertainty", NULL}; /* after the run */
    int layout = same_layout(&v, h5out_hid(img), LATER, lwhy, sizeof lwhy);
    if (layout < 0) { rc = err_set(&e, ERR_INTERNAL, "%s: cannot compare the file's objects", v.path); goto fail; }
    if (!a.quiet) printf("tables and attributes: %s%s%s\n", layout ? "identical" : "DIFFER (", lwhy, layout ? "" : ")");
    if ((rc = open_row_tables(&v, h5out_hid(img), &e))) goto fail;
    struct runner_cfg cfg = {.variants = (const struct scenario *const *)sc, .n_variants = ra.nv,
                             .replications = v.checked_reps, .threads = (int)a.threads,
                             .opts = {.seed = ra.seed, .entity_tables = ra.ent, .warmup_rows = ra.wrows,
                                      .branch = ra.branch},
                             .stop = stop,
                             .progress = 0, .sink = sink, .sink_ctx = &v, .psa = psa};
    if ((rc = runner_run(&cfg, &e))) goto fail;
    int bad = !layout;
    for (int r = 0; r < v.checked_reps; r++) bad += v.rep_bad[r];
    if (psa) {
        char why[160] = "";
        int same = same_draws(&v, psa, ra.seed, why, sizeof why);
        if (same < 0) { rc = err_set(&e, ERR_INTERNAL, "cannot compare /draws"); goto fail; }
        if (!same) bad++;
        if (!a.quiet) printf("draws: %s%s%s\n", same ? "identical" : "DIFFERS (", why, same ? "" : ")");
    }
    if (v.checked_reps == ra.reps && (rc = check_end_tables(&v, img, a.quiet, &bad, &e))) goto fail;
    printf("%s: %d of %d replications identical%s\n", v.path, v.checked_reps - (bad > v.checked_reps ? v.checked_reps : bad),
           v.checked_reps, bad ? "; the file does NOT match a re-run" : "; the file matches a re-run");
    rc = bad ? ERR_INTERNAL : 0;
    goto cleanup;
fail:
    fprintf(stderr, "wlsim verify: %s\n", e.msg);
cleanup:
    for (int t = 0; t < V_N; t++) table_fini(&v.t[t]);
    h5out_abort(img);
    for (int i = 0; sc && i < ra.nv; i++) scen_free(sc[i]);
    free(sc);
    sens_free(v.sens);
    free(v.draws);
    psa_free(psa);
    free(v.rep_bad);
    free(v.why);
    free(v.buf);
    free(v.vr);
    cmp_free(v.cmp);
    if (v.file >= 0) H5Fclose(v.file);
    return rc;
}
