/* h5out.c — writing results with the HDF5 high-level table API (see h5out.h, docs/output.md).
 * Every table's compound type is built from its descriptor in the registry of sim/rec.h, field by
 * field, so the file's field names are exactly the record struct's member names. */
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
#include <pthread.h>
#include <zlib.h>

/* Rows per chunk and the deflate level of every table, chosen by measurement (docs/bench.md,
 * "Entity tables: compression and chunking"): byte-shuffle + level 1 makes the entity tables 2.4
 * times smaller than no compression; levels 2 and 3 save under 1 % more for 10-30 % more
 * compression time, and no shuffle is both larger and slower. Larger chunks save 2-3 % and cost
 * more time, and at 4096 rows the largest chunk (/transplants, 590 kB) still fits a reader's
 * default 1 MB chunk cache. */
#define CHUNK 4096
#define LEVEL 1
/* Entity-table chunks queued for compression at most; beyond that the writer compresses the
 * oldest itself, so memory stays bounded when nobody calls h5out_work(). */
#define QUEUE_MAX 32

/* One full chunk of an entity table on its way to the file: queued (raw rows), being compressed
 * by some thread, or done (the bytes HDF5's shuffle and deflate filters would have written). */
enum { JOB_QUEUED, JOB_BUSY, JOB_DONE, JOB_FAILED };
struct job {
    struct job *next;
    int t;                      /* the table */
    int state;                  /* JOB_*, under h->mu */
    hsize_t row;                /* the chunk's first row */
    unsigned char *raw;         /* CHUNK rows (freed once compressed) */
    unsigned char *z;           /* the filtered chunk */
    size_t zn;
};

struct table {
    const struct rec_table *r;  /* the table's descriptor (sim/rec.h) */
    /* Kept open from creation to commit: closing a dataset drops its chunk cache, and the
     * high-level append (open, extend, write, close per call) then re-reads, re-inflates and
     * re-deflates the last partial chunk on every append, which made the writer several times
     * slower than needed for small appends. */
    hid_t ds, mtype;
    hsize_t rows;
    /* Entity tables only: the rows of the chunk being filled (rows % CHUNK of them), written
     * as a whole chunk once full (see append_direct). */
    unsigned char *stage;
};

struct h5out {
    hid_t file;
    char *path, *tmp;
    int entity_tables;
    int image;                  /* in memory only (h5out_open_image) */
    int uncertainty;            /* --uncertainty: /draws, /sensitivity, /uncertainty */
    struct table t[REC_T_N];
    /* The entity tables' full chunks in the order they filled (head first): compressed by
     * h5out_work() in any thread or by the writer, written by the writer from the head. */
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a job became done or failed */
    struct job *head, **tail;
    int queued;                 /* jobs in JOB_QUEUED */
};

/* The HDF5 type of field f, new (close it with H5Tclose): a copy of the native integer or
 * floating-point type; for a code column an enum over that integer type with the label of each
 * code (so h5py, pandas and HDFView show labels; the stored values are the same integers); or a
 * fixed-length NUL-padded string of f->size bytes. */
static hid_t field_type(const struct rec_field *f)
{
    hid_t base;
    switch (f->kind) {
    case REC_I8: base = H5T_NATIVE_INT8; break;
    case REC_I16: base = H5T_NATIVE_INT16; break;
    case REC_I32: base = H5T_NATIVE_INT32; break;
    case REC_U32: base = H5T_NATIVE_UINT32; break;
    case REC_U64: base = H5T_NATIVE_UINT64; break;
    case REC_F64: base = H5T_NATIVE_DOUBLE; break;
    default: {
        hid_t st = H5Tcopy(H5T_C_S1);
        if (st >= 0 && H5Tset_size(st, f->size) < 0) {
            H5Tclose(st);
            st = H5I_INVALID_HID;
        }
        return st;
    }
    }
    if (f->codes == REC_CODES_NONE) return H5Tcopy(base);
    hid_t et = H5Tenum_create(base);
    for (int v = 0; et >= 0 && v < rec_code_count(f->codes); v++) {
        /* The value in the base type's own width (the registry's code columns are signed). */
        int8_t v8 = (int8_t)v;
        int16_t v16 = (int16_t)v;
        int32_t v32 = v;
        const void *value = f->kind == REC_I8 ? (const void *)&v8 : f->kind == REC_I16 ? (const void *)&v16
                                                                                      : (const void *)&v32;
        if (f->kind > REC_I32 || H5Tenum_insert(et, rec_code_label(f->codes, v), value) < 0) {
            H5Tclose(et);
            et = H5I_INVALID_HID;
        }
    }
    return et;
}

/* The compound type of table r's records, new (H5Tclose), or H5I_INVALID_HID. */
static hid_t record_type(const struct rec_table *r)
{
    hid_t type = H5Tcreate(H5T_COMPOUND, r->size);
    for (int i = 0; type >= 0 && i < r->n; i++) {
        hid_t ft = field_type(&r->f[i]);
        if (ft < 0 || H5Tinsert(type, r->f[i].name, r->f[i].off, ft) < 0) {
            H5Tclose(type);
            type = H5I_INVALID_HID;
        }
        if (ft >= 0) H5Tclose(ft);
    }
    return type;
}

static int attr_str(hid_t loc, const char *name, const char *value);

/* The chunk's bytes as HDF5's filter pipeline "shuffle, deflate" stores them, in j->z (new):
 * byte k of every row together (H5Z_filter_shuffle with the row size as element size; a full
 * chunk has no leftover bytes), then zlib's compress2 at LEVEL, which is what H5Z_filter_deflate
 * calls. Frees j->raw. Returns 0 or -1 (out of memory; j->raw kept). Touches nothing else, so
 * any thread may run it on a job it owns. */
static int compress_job(struct job *j, size_t size)
{
    const size_t n = CHUNK, bytes = n * size;
    unsigned char *sh = malloc(bytes);
    uLongf zn = compressBound((uLong)bytes);
    unsigned char *z = malloc(zn);
    if (!sh || !z) {
        free(sh);
        free(z);
        return -1;
    }
    for (size_t k = 0; k < size; k++) {
        unsigned char *o = sh + k * n;
        const unsigned char *in = j->raw + k;
        for (size_t i = 0; i < n; i++) o[i] = in[i * size];
    }
    int zrc = compress2(z, &zn, sh, (uLong)bytes, LEVEL);
    free(sh);
    if (zrc != Z_OK) { /* cannot happen with compressBound's room; treated as out of memory */
        free(z);
        return -1;
    }
    free(j->raw);
    j->raw = NULL;
    j->z = z;
    j->zn = zn;
    return 0;
}

/* Takes the oldest queued job (state JOB_BUSY, owned by the caller), or NULL. Under h->mu. */
static struct job *take_queued(struct h5out *h)
{
    for (struct job *j = h->head; j && h->queued > 0; j = j->next)
        if (j->state == JOB_QUEUED) {
            j->state = JOB_BUSY;
            h->queued--;
            return j;
        }
    return NULL;
}

/* Compresses job j (taken by the caller) and publishes the outcome. */
static void run_job(struct h5out *h, struct job *j)
{
    int rc = compress_job(j, h->t[j->t].r->size);
    pthread_mutex_lock(&h->mu);
    j->state = rc ? JOB_FAILED : JOB_DONE;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

int h5out_work(struct h5out *h)
{
    int did = 0;
    for (;;) {
        pthread_mutex_lock(&h->mu);
        struct job *j = take_queued(h);
        pthread_mutex_unlock(&h->mu);
        if (!j) return did;
        run_job(h, j);
        did++;
    }
}

/* The writer: writes the done jobs at the head of the queue with HDF5's direct chunk write (the
 * filter mask 0 says every filter of the dataset was applied), in the order they filled, so the
 * file's layout is the same for any number of threads. With `all`, first compresses every queued
 * job itself and waits for those other threads are compressing. Returns 0 or -1 (a job could not
 * be compressed or written). */
static int drain(struct h5out *h, int all)
{
    int rc = 0;
    if (all) h5out_work(h);
    pthread_mutex_lock(&h->mu);
    while (h->head && !rc) {
        struct job *j = h->head;
        if (j->state == JOB_BUSY && all) {
            pthread_cond_wait(&h->cv, &h->mu);
            continue;
        }
        if (j->state == JOB_QUEUED && all) { /* queued after the h5out_work above: not possible */
            rc = -1;
            break;
        }
        if (j->state != JOB_DONE && j->state != JOB_FAILED) break;
        h->head = j->next;
        if (!h->head) h->tail = &h->head;
        pthread_mutex_unlock(&h->mu);
        hsize_t off[1] = {j->row};
        if (j->state == JOB_FAILED || H5Dwrite_chunk(h->t[j->t].ds, H5P_DEFAULT, 0, off, j->zn, j->z) < 0) rc = -1;
        free(j->raw);
        free(j->z);
        free(j);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* Frees every job without writing it. No other thread may be working on h. */
static void drop_jobs(struct h5out *h)
{
    while (h->head) {
        struct job *j = h->head;
        h->head = j->next;
        free(j->raw);
        free(j->z);
        free(j);
    }
    h->tail = &h->head;
    h->queued = 0;
}

/* Creates an empty table. Not H5TBmake_table: it fixes deflate at level 6, which costs more than
 * the simulation itself; byte-shuffle + deflate level 1 compresses these records better and
 * about four times faster. The attributes are those of the HDF5 Table specification, so
 * H5TB functions, h5py and HDFView treat it as a table. */
static int make_table(struct h5out *h, struct table *t, struct err *e)
{
    hid_t type = H5I_INVALID_HID, space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {CHUNK};
    int rc = 0;
    if ((type = record_type(t->r)) < 0) goto fail;
    if ((space = H5Screate_simple(1, dims, maxdims)) < 0) goto fail;
    if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || H5Pset_chunk(dcpl, 1, chunk) < 0 ||
        H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, LEVEL) < 0)
        goto fail;
    if ((ds = H5Dcreate2(h->file, t->r->name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0) goto fail;
    if (attr_str(ds, "CLASS", "TABLE") || attr_str(ds, "VERSION", "3.0") || attr_str(ds, "TITLE", t->r->title))
        goto fail;
    for (int i = 0; i < t->r->n; i++) {
        char an[32];
        snprintf(an, sizeof an, "FIELD_%d_NAME", i);
        if (attr_str(ds, an, t->r->f[i].name)) goto fail;
    }
    if (t->r->when == REC_ENTITY && !(t->stage = malloc((size_t)CHUNK * t->r->size))) goto fail;
    t->ds = ds, t->mtype = type, t->rows = 0;
    ds = type = H5I_INVALID_HID;
    goto cleanup;
fail:
    rc = err_set(e, ERR_INTERNAL, "%s: cannot create table /%s", h->tmp, t->r->name);
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

struct param_ctx {
    VEC(struct rec_parameter) rows;
    int variant;
    int oom;
};

static void collect_param(void *vctx, const char *full, const struct pdef *d, const void *value)
{
    struct param_ctx *c = vctx;
    if (c->oom) return;
    if (vec_grow((void **)&c->rows.v, &c->rows.cap, c->rows.n + 1, sizeof *c->rows.v)) {
        c->oom = 1;
        return;
    }
    struct rec_parameter *r = &c->rows.v[c->rows.n++];
    memset(r, 0, sizeof *r);
    r->variant = c->variant;
    snprintf(r->name, sizeof r->name, "%s", full);
    scen_format(d, value, r->value, sizeof r->value);
    snprintf(r->unit, sizeof r->unit, "%s", d->unit);
    snprintf(r->source, sizeof r->source, "%s", d->source);
}

/* Writes the META table t with its n rows at once (H5TBmake_table: chunks of `chunk` rows,
 * deflated when `compress`). Returns 0 or -1. */
static int meta_table(struct h5out *h, int t, size_t n, hsize_t chunk, int compress, const void *rows)
{
    const struct rec_table *r = rec_table(t);
    const char *names[32];
    size_t off[32];
    hid_t types[32];
    int rc = -1, k = 0;
    if (r->n > 32) return -1;
    for (; k < r->n; k++) {
        names[k] = r->f[k].name;
        off[k] = r->f[k].off;
        if ((types[k] = field_type(&r->f[k])) < 0) goto cleanup;
    }
    rc = H5TBmake_table(r->title, h->file, r->name, (hsize_t)r->n, (hsize_t)n, r->size, names, off, types, chunk,
                        NULL, compress, rows) < 0 ? -1 : 0;
cleanup:
    while (k-- > 0) H5Tclose(types[k]);
    return rc;
}

static int write_meta(struct h5out *h, const struct h5out_meta *m, struct err *e)
{
    struct rec_variant *vr = NULL;
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
    if (meta_table(h, REC_T_VARIANTS, (size_t)m->n_variants, 16, 0, vr) ||
        meta_table(h, REC_T_PARAMETERS, pc.rows.n, 256, 1, pc.rows.v)) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot write /variants or /parameters", h->tmp);
        goto cleanup;
    }
cleanup:
    free(vr);
    free(pc.rows.v);
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
    if (pthread_mutex_init(&h->mu, NULL)) {
        free(h);
        return err_set(e, ERR_INTERNAL, "cannot create a mutex");
    }
    if (pthread_cond_init(&h->cv, NULL)) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return err_set(e, ERR_INTERNAL, "cannot create a condition variable");
    }
    h->tail = &h->head;
    h->file = H5I_INVALID_HID;
    for (int t = 0; t < REC_T_N; t++) {
        h->t[t].r = rec_table(t);
        h->t[t].ds = h->t[t].mtype = H5I_INVALID_HID;
    }
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
    if ((rc = write_meta(h, meta, e))) goto cleanup;
    for (int t = 0; t < REC_T_N; t++) {
        enum rec_when w = h->t[t].r->when;
        if (w == REC_END || w == REC_META) continue; /* written at the end, or by write_meta */
        if ((w == REC_DRAWS && !h->uncertainty) || (w == REC_ENTITY && !h->entity_tables)) continue;
        if ((rc = make_table(h, &h->t[t], e))) goto cleanup;
    }
cleanup:
    if (fapl >= 0) H5Pclose(fapl);
    if (rc) h5out_abort(h);
    else *out = h;
    return rc;
}

/* Writes rows [first, first + n) of table t from rows through HDF5's normal path (its filters
 * compress). 0 or -1. */
static int write_rows(struct table *tb, hsize_t first, size_t n, const void *rows)
{
    hsize_t start[1] = {first}, count[1] = {n};
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    int rc = -1;
    if ((fs = H5Dget_space(tb->ds)) >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        (ms = H5Screate_simple(1, count, NULL)) >= 0 && H5Dwrite(tb->ds, tb->mtype, ms, fs, H5P_DEFAULT, rows) >= 0)
        rc = 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* Appends n rows to entity table t without compressing them: they are copied into the table's
 * stage, and each stage that fills becomes a job, compressed by h5out_work() outside the
 * caller's lock (or by the writer when QUEUE_MAX are waiting) and written by drain(). The rows
 * of the last, partial chunk go through HDF5's own filters at commit (flush_tails). */
static int append_direct(struct h5out *h, int t, size_t n, const void *rows, struct err *e)
{
    struct table *tb = &h->t[t];
    const size_t size = tb->r->size;
    const unsigned char *src = rows;
    hsize_t end[1] = {tb->rows + n};
    if (H5Dset_extent(tb->ds, end) < 0) return err_set(e, ERR_INTERNAL, "%s: cannot extend /%s", h->tmp, tb->r->name);
    while (n > 0) {
        size_t fill = (size_t)(tb->rows % CHUNK), k = CHUNK - fill < n ? CHUNK - fill : n;
        memcpy(tb->stage + fill * size, src, k * size);
        src += k * size;
        n -= k;
        tb->rows += k;
        if (fill + k < CHUNK) break;
        struct job *j = calloc(1, sizeof *j);
        unsigned char *next = malloc((size_t)CHUNK * size);
        if (!j || !next) {
            free(j);
            free(next);
            return err_set(e, ERR_INTERNAL, "out of memory");
        }
        j->t = t;
        j->row = tb->rows - CHUNK;
        j->raw = tb->stage;
        tb->stage = next;
        pthread_mutex_lock(&h->mu);
        *h->tail = j;
        h->tail = &j->next;
        h->queued++;
        struct job *mine = h->queued > QUEUE_MAX ? take_queued(h) : NULL;
        pthread_mutex_unlock(&h->mu);
        if (mine) run_job(h, mine);
    }
    if (drain(h, 0)) return err_set(e, ERR_INTERNAL, "%s: cannot write a chunk of an entity table", h->tmp);
    return 0;
}

/* Commit: every queued chunk, then each entity table's partial last chunk. 0 or -1. */
static int flush_tails(struct h5out *h)
{
    if (drain(h, 1)) return -1;
    for (int t = 0; t < REC_T_N; t++) {
        struct table *tb = &h->t[t];
        size_t fill = (size_t)(tb->rows % CHUNK);
        if (tb->ds < 0 || !tb->stage || fill == 0) continue;
        if (write_rows(tb, tb->rows - fill, fill, tb->stage)) return -1;
    }
    return 0;
}

static int append(struct h5out *h, int t, size_t n, const void *rows, struct err *e)
{
    struct table *tb = &h->t[t];
    if (n == 0) return 0;
    if (tb->stage) return append_direct(h, t, n, rows, e);
    hsize_t size[1] = {tb->rows + n};
    if (H5Dset_extent(tb->ds, size) < 0 || write_rows(tb, tb->rows, n, rows))
        return err_set(e, ERR_INTERNAL, "%s: cannot append to /%s", h->tmp, tb->r->name);
    tb->rows += n;
    return 0;
}

int h5out_append(struct h5out *h, const struct rep_result *r, struct err *e)
{
    /* The tables written always first, then the entity tables, each in registry order. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !h->entity_tables) break;
        for (int t = 0; t < REC_T_N; t++) {
            const void *rows;
            size_t n;
            if (h->t[t].r->when != (pass ? REC_ENTITY : REC_REPLICATION)) continue;
            sim_result_rows(r, t, &rows, &n);
            if (append(h, t, n, rows, e)) return ERR_INTERNAL;
        }
    }
    return 0;
}

int h5out_comparison(struct h5out *h, const struct rec_comparison *rows, size_t n, struct err *e)
{
    if (make_table(h, &h->t[REC_T_COMPARISON], e)) return ERR_INTERNAL;
    return append(h, REC_T_COMPARISON, n, rows, e);
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
    int rc = append(h, REC_T_DRAWS, (size_t)n, rows, e) ? ERR_INTERNAL : 0;
    free(rows);
    return rc;
}

int h5out_sensitivity(struct h5out *h, const struct rec_sens *rows, size_t n, const struct rec_unc *urows,
                      size_t nu, struct err *e)
{
    if (make_table(h, &h->t[REC_T_SENS], e) || make_table(h, &h->t[REC_T_UNC], e)) return ERR_INTERNAL;
    if (append(h, REC_T_SENS, n, rows, e) || append(h, REC_T_UNC, nu, urows, e)) return ERR_INTERNAL;
    return 0;
}

/* Closes the tables' open datasets and types (before the file is closed) and frees the stages
 * and the jobs not written. */
static void close_tables(struct h5out *h)
{
    drop_jobs(h);
    for (int t = 0; t < REC_T_N; t++) {
        if (h->t[t].ds >= 0) H5Dclose(h->t[t].ds);
        if (h->t[t].mtype >= 0) H5Tclose(h->t[t].mtype);
        h->t[t].ds = h->t[t].mtype = H5I_INVALID_HID;
        free(h->t[t].stage);
        h->t[t].stage = NULL;
    }
}

static void destroy(struct h5out *h)
{
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
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
    int tails = flush_tails(h);
    close_tables(h);
    hid_t file = h->file;
    h->file = H5I_INVALID_HID;
    if (tails) {
        rc = err_set(e, ERR_INTERNAL, "%s: cannot write the entity tables' last chunks", h->tmp);
        H5Fclose(file);
        unlink(h->tmp);
    } else if (H5Fclose(file) < 0) {
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
