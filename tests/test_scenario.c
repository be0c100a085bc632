/* test_scenario.c — the scenario loader: defaults, values, and every error path of the
 * parameter table. The broken files live in tests/scenarios/bad/, each starting with a line
 * `# expect: MESSAGE` naming the exact message (the end-to-end tests run the same corpus
 * through the binary and check the exit code and that nothing is written). Run from the
 * repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#define BAD "tests/scenarios/bad"

static void test_good_defaults_and_values(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load("tests/scenarios/good/tiny.yaml", &s, &e), 0);
    assert_non_null(s);
    assert_string_equal(s->name, "tiny");
    assert_int_equal(s->seed, 7);
    assert_int_equal(s->run.replications, 4);
    assert_float_equal(s->run.years, 3, 0);
    assert_float_equal(s->run.warmup_years, 1, 0);
    assert_float_equal(s->pop.listings_per_year[ORGAN_HEART], 200, 0);
    assert_float_equal(s->pop.donors_per_year, 400, 0);
    /* Not in the file: the table default. */
    assert_float_equal(s->pop.abo_share[ABO_O], 0.41, 0);
    assert_non_null(strstr(s->text, "name: tiny"));
    char buf[32];
    assert_string_equal(scen_rng_name(s, buf, sizeof buf), "ctr64");
    scen_free(s);
}

static void test_policy_selection(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load("tests/scenarios/good/no_deaths.yaml", &s, &e), 0);
    assert_string_equal(s->ops[ORGAN_HEART]->name, "simple");
    assert_string_equal(s->ops[ORGAN_PANCREAS]->name, "simple");
    /* The name defaults to the file name when `name:` is absent? no_deaths sets it. */
    assert_string_equal(s->name, "no_deaths");
    scen_free(s);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct scenario *s = (struct scenario *)1;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load("tests/scenarios/does-not-exist.yaml", &s, &e), ERR_INPUT);
    assert_null(s);
    assert_non_null(strstr(e.msg, "does-not-exist.yaml: cannot open"));
}

struct counter {
    int seen;
    int heart_rule_params;
};

static void count_param(void *ctx, const char *full, const struct pdef *d, const void *value)
{
    struct counter *c = ctx;
    (void)d, (void)value;
    c->seen++;
    if (strncmp(full, "policy.heart.", 13) == 0) c->heart_rule_params++;
}

/* Every parameter is visited once, with its full name (metadata and --list depend on it). */
static void test_each_param(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load("tests/scenarios/good/tiny.yaml", &s, &e), 0);
    struct counter c = {0, 0};
    scen_each_param(s, count_param, &c);
    size_t expect = popn_n_pdefs + 9; /* run settings: horizon x2, replications, rng, source, strict, acceptance, max_offers, series_days */
    for (int o = 0; o < ORGAN_N; o++) expect += s->ops[o]->n_rule_pdefs + s->ops[o]->n_model_pdefs;
    assert_int_equal((size_t)c.seen, expect);
    assert_int_equal((size_t)c.heart_rule_params, s->ops[ORGAN_HEART]->n_rule_pdefs);
    scen_free(s);
}

/* Every file of the broken corpus fails with ERR_INPUT and exactly its expected message. */
static void test_bad_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(BAD);
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0) continue;
        char path[512], line[512] = "";
        snprintf(path, sizeof path, "%s/%s", BAD, de->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        assert_int_equal(strncmp(line, "# expect: ", 10), 0);
        struct scenario *s = (struct scenario *)1;
        struct err e;
        err_clear(&e);
        int rc = scen_load(path, &s, &e);
        if (rc == 0) { /* errors of a sweep's grid points show when it is expanded */
            struct scenario **v = NULL;
            int nv = 0;
            rc = scen_expand(s, &v, &nv, &e);
            assert_null(v);
            scen_free(s);
            s = NULL;
        }
        if (rc != ERR_INPUT || !strstr(e.msg, line + 10))
            fail_msg("%s: rc %d, message\n  %s\nexpected to contain\n  %s", path, rc, e.msg, line + 10);
        assert_null(s);
        /* The message starts with the path as given (of the scenario, or of the CSV file a
         * replay scenario names, which lies relative to it). */
        assert_int_equal(strncmp(e.msg, BAD "/", strlen(BAD "/")), 0);
        n++;
    }
    closedir(d);
    assert_true(n >= 31);
}

/* A sweep expands to the baseline plus the grid, last axis fastest, with values applied. */
static void test_sweep_expand(void **state)
{
    (void)state;
    struct scenario *s = NULL, **v = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load("scenarios/sweep-heart-hu.yaml", &s, &e), 0);
    assert_int_equal(s->n_axes, 2);
    int n = 0;
    assert_int_equal(scen_expand(s, &v, &n, &e), 0);
    assert_int_equal(n, 1 + 3 * 3);
    assert_string_equal(v[0]->name, "sweep-heart-hu");
    assert_string_equal(v[2]->name, "sweep-heart-hu[policy.heart.hu.renewal_days=42,policy.heart.nt.cap_days=30]");
    assert_string_equal(v[9]->name, "sweep-heart-hu[policy.heart.hu.renewal_days=70,policy.heart.nt.cap_days=90]");
    /* The expanded variants carry no sweep of their own, and differ only in the swept keys. */
    for (int i = 0; i < n; i++) assert_int_equal(v[i]->n_axes, 0);
    assert_memory_equal(&v[0]->pop, &v[9]->pop, sizeof v[0]->pop);
    assert_memory_not_equal(v[0]->par[ORGAN_HEART], v[9]->par[ORGAN_HEART], s->ops[ORGAN_HEART]->par_size);
    assert_memory_equal(v[1]->par[ORGAN_PANCREAS], v[9]->par[ORGAN_PANCREAS], s->ops[ORGAN_PANCREAS]->par_size);
    for (int i = 0; i < n; i++) scen_free(v[i]);
    free(v);
    /* Without a sweep: one copy. */
    scen_free(s);
    assert_int_equal(scen_load("tests/scenarios/good/tiny.yaml", &s, &e), 0);
    assert_int_equal(scen_expand(s, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->name, "tiny");
    scen_free(v[0]);
    free(v);
    scen_free(s);
}

/* Every parameter of s as "name=value" lines, for comparing two scenarios. */
struct dump {
    char buf[65536];
    size_t used;
};

static void dump_param(void *ctx, const char *full, const struct pdef *d, const void *value)
{
    struct dump *du = ctx;
    char v[64];
    du->used += (size_t)snprintf(du->buf + du->used, sizeof du->buf - du->used, "%s=%s\n", full,
                                 scen_format(d, value, v, sizeof v));
    assert_true(du->used < sizeof du->buf);
}

static void dump(const struct scenario *s, struct dump *du)
{
    du->used = 0;
    du->buf[0] = '\0';
    scen_each_param(s, dump_param, du);
    du->used += (size_t)snprintf(du->buf + du->used, sizeof du->buf - du->used, "seed=%llu\n",
                                 (unsigned long long)s->seed);
}

static struct scenario *load_ok(const char *path)
{
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    if (scen_load(path, &s, &e)) fail_msg("%s: %s", path, e.msg);
    return s;
}

/* A file with only horizon.years is the calibrated model of scenarios/default.yaml: every
 * parameter, the seed and the replication count are the same. */
static void test_minimal_is_default(void **state)
{
    (void)state;
    static struct dump a, b;
    char path[] = "/tmp/wlsim-test-minimal-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("horizon: {years: 10}\n", f);
    fclose(f);
    struct scenario *min = load_ok(path), *def = load_ok("scenarios/default.yaml");
    remove(path);
    dump(min, &a);
    dump(def, &b);
    assert_string_equal(a.buf, b.buf);
    scen_free(min);
    scen_free(def);
}

/* `base: default.yaml` plus one key equals default.yaml with that key changed; the stored text
 * (bases inlined) loads alone, from a path where no base file lies, to the same parameters. */
static void test_base(void **state)
{
    (void)state;
    static struct dump a, b, c;
    struct scenario *v = load_ok("scenarios/heart-nt-cap0.yaml"), *def = load_ok("scenarios/default.yaml");
    assert_string_equal(v->name, "heart-nt-cap0"); /* the base's name is not inherited */
    assert_string_equal(v->description, "");
    dump(v, &a);
    dump(def, &b);
    /* The dumps differ in exactly one line. */
    char *pa = a.buf, *pb = b.buf;
    int ndiff = 0;
    while (*pa && *pb) {
        size_t la = strcspn(pa, "\n"), lb = strcspn(pb, "\n");
        if (la != lb || strncmp(pa, pb, la) != 0) {
            ndiff++;
            assert_int_equal(strncmp(pa, "policy.heart.nt.cap_days=0\n", la + 1), 0);
        }
        pa += la + 1;
        pb += lb + 1;
    }
    assert_int_equal(ndiff, 1);
    assert_int_equal(*pa, *pb);

    struct scenario *re = NULL;
    struct err e;
    err_clear(&e);
    assert_non_null(strstr(v->text, "#%wlsim-layer scenarios/default.yaml\n"));
    if (scen_load_text("/nonexistent/heart-nt-cap0.yaml", v->text, &re, &e)) fail_msg("%s", e.msg);
    dump(re, &c);
    assert_string_equal(a.buf, c.buf);
    assert_string_equal(re->text, v->text);
    scen_free(re);
    scen_free(v);
    scen_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_expand),
        cmocka_unit_test(test_good_defaults_and_values),
        cmocka_unit_test(test_policy_selection),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_each_param),
        cmocka_unit_test(test_bad_corpus),
        cmocka_unit_test(test_minimal_is_default),
        cmocka_unit_test(test_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
