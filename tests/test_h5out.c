/* test_h5out.c — the results file: round trip of every table through HDF5 (values written are
 * the values read back, field by field), the metadata, and the temporary-file protocol (abort
 * leaves an existing destination untouched; commit replaces it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
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
        cmocka_unit_test(test_abort_keeps_existing),
        cmocka_unit_test(test_open_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
