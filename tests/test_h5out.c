/* test_h5out.c — the results file: round trip of every table through HDF5 (values written are
 * the values read back, field by field), the metadata, the entity tables' own chunk compression
 * (read back by HDF5's filters, and byte for byte what HDF5 itself writes), and the
 * temporary-file protocol (abort leaves an existing destination untouched; commit replaces it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5out.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wlsim-test-h5out-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct scenario *load(void)
{
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    if (scen_load("tests/scenarios/good/tiny.yaml", &s, &e)) fail_msg("%s", e.msg);
    return s;
}

static struct rep_result *run1(const struct scenario *s, int rep)
{
    struct sim_opts o = {.seed = 3, .entity_tables = 1};
    struct rep_result *r = NULL;
    struct err e;
    err_clear(&e);
    if (sim_run(s, &o, 0, rep, &r, &e)) fail_msg("%s", e.msg);
    return r;
}

static hsize_t nrecords(hid_t f, const char *name)
{
    hsize_t nf = 0, nr = 0;
    assert_true(H5TBget_table_info(f, name, &nf, &nr) >= 0);
    return nr;
}

/* Reads table `name` field by field into buf laid out like the C struct (size/offsets from the
 * file), proving the file's fields are exactly the struct's members. */
static void read_back(hid_t f, const char *name, size_t size, size_t n, void *buf)
{
    hsize_t nf = 0, nr = 0;
    assert_true(H5TBget_table_info(f, name, &nf, &nr) >= 0);
    assert_int_equal(nr, n);
    char **names = calloc(nf, sizeof *names);
    for (hsize_t i = 0; i < nf; i++) names[i] = calloc(256, 1);
    size_t *sizes = calloc(nf, sizeof *sizes), *offs = calloc(nf, sizeof *offs);
    size_t tsize = 0;
    assert_true(H5TBget_field_info(f, name, names, sizes, offs, &tsize) >= 0);
    assert_int_equal(tsize, size);
    assert_true(H5TBread_table(f, name, size, offs, sizes, buf) >= 0);
    for (hsize_t i = 0; i < nf; i++) free(names[i]);
    free(names);
    free(sizes);
    free(offs);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct scenario *s = load();
    const struct scenario *vars[1] = {s};
    struct rep_result *r0 = run1(s, 0), *r1 = run1(s, 1);
    char path[300];
    snprintf(path, sizeof path, "%s/rt.h5", dir);
    struct h5out_meta meta = {.seed = 3, .replications = 2, .threads = 1, .entity_tables = 1,
                              .variants = vars, .n_variants = 1};
    struct h5out *h = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(h5out_open(path, &meta, &h, &e), 0);
    assert_int_equal(h5out_append(h, r0, &e), 0);
    assert_int_equal(h5out_append(h, r1, &e), 0);
    assert_int_equal(access(path, F_OK), -1); /* not there until committed */
    assert_int_equal(h5out_commit(h, &e), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(nrecords(f, "summary"), 2 * ORGAN_N);
    struct rec_summary sm[2 * ORGAN_N];
    read_back(f, "summary", sizeof sm[0], 2 * ORGAN_N, sm);
    assert_memory_equal(&sm[0], &r0->summary[0], sizeof sm[0] * ORGAN_N);
    assert_memory_equal(&sm[ORGAN_N], &r1->summary[0], sizeof sm[0] * ORGAN_N);

    size_t nc = r0->cands.n + r1->cands.n;
    struct rec_cand *cb = calloc(nc, sizeof *cb);
    read_back(f, "candidates", sizeof *cb, nc, cb);
    assert_memory_equal(cb, r0->cands.v, r0->cands.n * sizeof *cb);
    assert_memory_equal(cb + r0->cands.n, r1->cands.v, r1->cands.n * sizeof *cb);
    free(cb);

    size_t nt = r0->tx.n + r1->tx.n;
    struct rec_tx *tb = calloc(nt, sizeof *tb);
    read_back(f, "transplants", sizeof *tb, nt, tb);
    assert_memory_equal(tb, r0->tx.v, r0->tx.n * sizeof *tb);
    free(tb);
    assert_int_equal(nrecords(f, "donors"), r0->donors.n + r1->donors.n);
    assert_int_equal(nrecords(f, "episodes"), r0->episodes.n + r1->episodes.n);
    assert_int_equal(nrecords(f, "variants"), 1);
    assert_true(nrecords(f, "parameters") > 20);

    uint64_t seed = 0;
    assert_true(H5LTget_attribute_ulong(f, "/", "seed", (unsigned long *)&seed) >= 0);
    assert_int_equal(seed, 3);
    char text[4096] = "";
    assert_true(H5LTget_attribute_string(f, "/", "scenario_text_0", text) >= 0);
    assert_string_equal(text, s->text);
    H5Fclose(f);
    sim_result_free(r0);
    sim_result_free(r1);
    scen_free(s);
}

/* A second thread compressing chunks while the writer appends (as the runner's workers do). */
struct helper {
    struct h5out *h;
    atomic_int stop;
    int did;
};

static void *help(void *v)
{
    struct helper *x = v;
    while (!atomic_load(&x->stop)) x->did += h5out_work(x->h);
    return NULL;
}

/* Reads dataset `name` whole, as stored (the file's own compound type), into a new buffer. */
static void *read_all(hid_t f, const char *name, size_t size, size_t n)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT), type = H5Dget_type(ds), sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    assert_true(ds >= 0 && type >= 0 && sp >= 0);
    assert_int_equal(H5Sget_simple_extent_dims(sp, dims, NULL), 1);
    assert_int_equal(dims[0], n);
    assert_int_equal(H5Tget_size(type), size);
    void *buf = calloc(n ? n : 1, size);
    assert_true(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Tclose(type);
    H5Dclose(ds);
    return buf;
}

/* Chunk `row` of dataset ds as stored (filtered bytes), new; *n its size. */
static unsigned char *raw_chunk(hid_t ds, hsize_t row, hsize_t *n)
{
    hsize_t off[1] = {row};
    uint32_t mask = 99;
    assert_true(H5Dget_chunk_storage_size(ds, off, n) >= 0);
    unsigned char *b = malloc(*n);
    assert_true(H5Dread_chunk(ds, H5P_DEFAULT, off, &mask, b) >= 0);
    assert_int_equal(mask, 0); /* every filter applied */
    return b;
}

/* The entity tables' chunks, compressed outside HDF5 (by the writer and by another thread at the
 * same time) and written directly: HDF5 reads back the rows appended, over several full chunks
 * and a partial last one; the pipeline is shuffle then deflate; and a full chunk's stored bytes
 * are those HDF5's own filters give for the same rows (so any reader decodes them). */
static void test_entity_chunks(void **state)
{
    (void)state;
    struct scenario *s = load();
    const struct scenario *vars[1] = {s};
    struct rep_result *r0 = run1(s, 0);
    enum { COPIES = 40 };
    assert_true(r0->episodes.n * COPIES > 3 * 4096); /* several full chunks */
    char path[300];
    snprintf(path, sizeof path, "%s/chunks.h5", dir);
    struct h5out_meta meta = {.seed = 3, .replications = COPIES, .threads = 2, .entity_tables = 1,
                              .variants = vars, .n_variants = 1};
    struct h5out *h = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(h5out_open(path, &meta, &h, &e), 0);
    struct helper x = {.h = h};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, help, &x), 0);
    for (int i = 0; i < COPIES; i++) assert_int_equal(h5out_append(h, r0, &e), 0);
    atomic_store(&x.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(h5out_commit(h, &e), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    for (int t = 0; t < REC_T_N; t++) {
        const struct rec_table *rt = rec_table(t);
        if (rt->when != REC_ENTITY) continue;
        const void *rows;
        size_t n;
        sim_result_rows(r0, t, &rows, &n);
        unsigned char *got = read_all(f, rt->name, rt->size, n * COPIES);
        for (int i = 0; i < COPIES; i++) assert_memory_equal(got + (size_t)i * n * rt->size, rows, n * rt->size);
        free(got);
    }

    /* The pipeline, and chunk 1 of /episodes against HDF5's own filters on the same rows. */
    hid_t ds = H5Dopen2(f, "episodes", H5P_DEFAULT), dcpl = H5Dget_create_plist(ds);
    assert_int_equal(H5Pget_nfilters(dcpl), 2);
    unsigned flags, cd[4];
    size_t ncd = 4;
    assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_SHUFFLE);
    ncd = 4;
    assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
    hsize_t chunk[1] = {0};
    assert_int_equal(H5Pget_chunk(dcpl, 1, chunk), 1);
    const size_t sz = sizeof(struct rec_episode), nrow = (size_t)chunk[0];
    unsigned char *rows = read_all(f, "episodes", sz, r0->episodes.n * COPIES);
    char path2[300];
    snprintf(path2, sizeof path2, "%s/plain.h5", dir);
    hid_t f2 = H5Fcreate(path2, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), type = H5Dget_type(ds);
    hsize_t dims[1] = {nrow};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d2 = H5Dcreate2(f2, "e", type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    assert_true(d2 >= 0);
    assert_true(H5Dwrite(d2, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows + nrow * sz) >= 0);
    hsize_t n1 = 0, n2 = 0;
    unsigned char *c1 = raw_chunk(ds, nrow, &n1), *c2 = raw_chunk(d2, 0, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(c1, c2, n1);
    free(c1);
    free(c2);
    free(rows);
    H5Dclose(d2);
    H5Sclose(sp);
    H5Tclose(type);
    H5Fclose(f2);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(f);
    sim_result_free(r0);
    scen_free(s);
}

/* Abort with entity-table chunks still queued: nothing is left on disk and every queued chunk
 * is freed (the ASan and valgrind runs of this test see a leak otherwise). */
static void test_abort_with_queued_chunks(void **state)
{
    (void)state;
    struct scenario *s = load();
    const struct scenario *vars[1] = {s};
    struct rep_result *r0 = run1(s, 0);
    char path[300];
    snprintf(path, sizeof path, "%s/queued.h5", dir);
    assert_true(r0->episodes.n * 40 > 2 * 4096);
    struct h5out_meta meta = {.seed = 3, .replications = 40, .threads = 1, .entity_tables = 1,
                              .variants = vars, .n_variants = 1};
    struct h5out *h = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(h5out_open(path, &meta, &h, &e), 0);
    for (int i = 0; i < 40; i++) assert_int_equal(h5out_append(h, r0, &e), 0);
    h5out_abort(h);
    assert_int_equal(access(path, F_OK), -1);
    sim_result_free(r0);
    scen_free(s);
}

/* Abort: the existing destination keeps its bytes and no temporary file is left. */
static void test_abort_keeps_existing(void **state)
{
    (void)state;
    struct scenario *s = load();
    const struct scenario *vars[1] = {s};
    char path[300];
    snprintf(path, sizeof path, "%s/keep.h5", dir);
    FILE *fp = fopen(path, "w");
    fputs("precious", fp);
    fclose(fp);
    struct h5out_meta meta = {.seed = 1, .replications = 1, .threads = 1, .entity_tables = 0,
                              .variants = vars, .n_variants = 1};
    struct h5out *h = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(h5out_open(path, &meta, &h, &e), 0);
    h5out_abort(h);
    h5out_abort(NULL);
    char buf[32] = "";
    fp = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "precious");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", dir);
    assert_int_not_equal(system(cmd), 0);
    scen_free(s);
}

/* A destination in a folder that does not exist fails cleanly with a message naming it. */
static void test_open_fails(void **state)
{
    (void)state;
    struct scenario *s = load();
    const struct scenario *vars[1] = {s};
    struct h5out_meta meta = {.seed = 1, .replications = 1, .threads = 1, .variants = vars, .n_variants = 1};
    struct h5out *h = (struct h5out *)1;
    struct err e;
    err_clear(&e);
    assert_int_equal(h5out_open("/nonexistent-dir/x.h5", &meta, &h, &e), ERR_INTERNAL);
    assert_null(h);
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x.h5"));
    scen_free(s);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_entity_chunks),
        cmocka_unit_test(test_abort_with_queued_chunks),
        cmocka_unit_test(test_abort_keeps_existing),
        cmocka_unit_test(test_open_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
