/* test_rank.c — `wlsim rank` without the binary: the fixture corpus of tests/fixtures/rank/
 * (README.md there) through rank_parse() and rank_run() — good cases must print exactly
 * expected.csv, bad cases must fail with ERR_INPUT, the exact message of `expect` and no output
 * — then the argument errors, the default scenario and WLSIM_SCENARIO_DIR, a failing write and
 * the points format. Run from the repository root. */
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
#include <sys/stat.h>

#include "rank.h"

#define FIX "tests/fixtures/rank"
#define MAX_CASES 256
#define MAX_ARGS 64

/* The whole file at path as a NUL-terminated string (free it), or NULL if it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t k;
    while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) free(s);
            s = t;
        }
    }
    fclose(f);
    if (s) s[n] = '\0';
    return s;
}

/* Everything written to f so far (free it). */
static char *contents(FILE *f)
{
    long n = ftell(f);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    return s;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders under FIX/kind, sorted; returns their count. */
static size_t list_cases(const char *kind, char **names)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", FIX, kind);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_CASES) {
        if (de->d_name[0] == '.') continue;
        names[n] = strdup(de->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    return n;
}

/* The case's own file, else the shared one in base/. */
static void pick(const char *casedir, const char *file, char *out, size_t len)
{
    struct stat st;
    snprintf(out, len, "%s/%s", casedir, file);
    if (stat(out, &st) != 0) snprintf(out, len, "%s/base/%s", FIX, file);
}

/* Runs the case in casedir: rank_parse on its command line, then rank_run into a temporary
 * file. Returns rank_run's (or rank_parse's) code; *out gets the output (free it). */
static int run_case(const char *casedir, char **out, struct err *e)
{
    char cands[512], hist[512], donor[512], argsf[512];
    pick(casedir, "cands.csv", cands, sizeof cands);
    pick(casedir, "history.csv", hist, sizeof hist);
    pick(casedir, "donor.csv", donor, sizeof donor);
    pick(casedir, "args", argsf, sizeof argsf);
    char *args = slurp(argsf);
    assert_non_null(args);
    char *argv[MAX_ARGS] = {"rank", "--candidates", cands, "--history", hist, "--donor", donor};
    int argc = 7;
    for (char *tok = strtok(args, " \t\r\n"); tok && argc < MAX_ARGS - 1; tok = strtok(NULL, " \t\r\n"))
        argv[argc++] = tok;
    argv[argc] = NULL;
    struct rank_args a;
    int help = 0;
    err_clear(e);
    int rc = rank_parse(argc, argv, &a, &help, e);
    assert_int_equal(help, 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    if (!rc) rc = rank_run(&a, f, e);
    *out = contents(f);
    fclose(f);
    free(args);
    return rc;
}

static void test_corpus_good(void **state)
{
    (void)state;
    char *names[MAX_CASES];
    size_t n = list_cases("good", names), failed = 0;
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++) {
        char dir[512], exp[600];
        struct err e;
        char *out = NULL;
        snprintf(dir, sizeof dir, "%s/good/%s", FIX, names[i]);
        snprintf(exp, sizeof exp, "%s/expected.csv", dir);
        char *want = slurp(exp);
        int rc = run_case(dir, &out, &e);
        if (rc != 0 || !want || strcmp(out, want) != 0) {
            print_error("good/%s: rc %d (%s)\n--- expected\n%s--- found\n%s", names[i], rc, e.msg,
                        want ? want : "(no expected.csv)\n", out);
            failed++;
        }
        free(want);
        free(out);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

static void test_corpus_bad(void **state)
{
    (void)state;
    char *names[MAX_CASES];
    size_t n = list_cases("bad", names), failed = 0;
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        char dir[512], exp[600];
        struct err e;
        char *out = NULL;
        snprintf(dir, sizeof dir, "%s/bad/%s", FIX, names[i]);
        snprintf(exp, sizeof exp, "%s/expect", dir);
        char *want = slurp(exp);
        if (want) want[strcspn(want, "\n")] = '\0';
        int rc = run_case(dir, &out, &e);
        if (rc != ERR_INPUT || !want || strcmp(e.msg, want) != 0 || *out) {
            print_error("bad/%s: rc %d, output '%s'\n  expected: %s\n  found:    %s\n", names[i], rc, out,
                        want ? want : "(no expect file)", e.msg);
            failed++;
        }
        free(want);
        free(out);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

/* rank_parse on the NULL-terminated argv; returns its code, the message in e. */
static int parse(char **argv, struct rank_args *a, int *help, struct err *e)
{
    int argc = 0;
    while (argv[argc]) argc++;
    err_clear(e);
    return rank_parse(argc, argv, a, help, e);
}

static void test_parse(void **state)
{
    (void)state;
    struct rank_args a;
    struct err e;
    int help;
    char *ok[] = {"rank", "--candidates", "c", "--history=h", "--donor", "d", "--day", "-12",
                  "--all", "--scenario", "s", NULL};
    assert_int_equal(parse(ok, &a, &help, &e), 0);
    assert_int_equal(help, 0);
    assert_string_equal(a.candidates, "c");
    assert_string_equal(a.history, "h");
    assert_string_equal(a.donor, "d");
    assert_string_equal(a.scenario, "s");
    assert_float_equal(a.day, -12, 0);
    assert_int_equal(a.all, 1);
    char *min[] = {"rank", "--candidates", "c", "--history", "h", "--donor", "d", "--day", "3", NULL};
    assert_int_equal(parse(min, &a, &help, &e), 0);
    assert_null(a.scenario);
    assert_int_equal(a.all, 0);
    char *h1[] = {"rank", "-h", NULL}, *h2[] = {"rank", "--day", "1", "--help", NULL};
    assert_int_equal(parse(h1, &a, &help, &e), 0);
    assert_int_equal(help, 1);
    assert_int_equal(parse(h2, &a, &help, &e), 0);
    assert_int_equal(help, 1);

    struct {
        char *argv[12];
        const char *msg;
    } bad[] = {
        {{"rank", NULL}, "expected --candidates C.csv, found none (see 'wlsim rank --help')"},
        {{"rank", "--candidates", "c", NULL}, "expected --history H.csv, found none (see 'wlsim rank --help')"},
        {{"rank", "--candidates", "c", "--history", "h", NULL},
         "expected --donor D.csv, found none (see 'wlsim rank --help')"},
        {{"rank", "--candidates", "c", "--history", "h", "--donor", "d", NULL},
         "expected --day DAY, found none (see 'wlsim rank --help')"},
        {{"rank", "--day", "x", NULL}, "argument --day: expected a whole number in [-10000000, 10000000], found 'x'"},
        {{"rank", "--day", "10000001", NULL},
         "argument --day: expected a whole number in [-10000000, 10000000], found '10000001'"},
        {{"rank", "--day", "", NULL}, "argument --day: expected a whole number in [-10000000, 10000000], found ''"},
        {{"rank", "--donor", NULL}, "argument --donor: expected a value, found none"},
        {{"rank", "--frob", NULL}, "expected an option of rank (see 'wlsim rank --help'), found '--frob'"},
        {{"rank", "-x", NULL}, "expected an option of rank (see 'wlsim rank --help'), found '-x'"},
        {{"rank", "--all", "extra", NULL}, "expected only options (see 'wlsim rank --help'), found 'extra'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i].argv, &a, &help, &e), ERR_INPUT);
        assert_string_equal(e.msg, bad[i].msg);
    }
    /* rank_main: the exit code of bad arguments (the message goes to stderr). */
    char *m[] = {"rank", "--day", "x", NULL};
    assert_int_equal(rank_main(3, m), ERR_INPUT);
}

static const struct rank_args BASE = {
    .candidates = FIX "/base/cands.csv", .history = FIX "/base/history.csv",
    .donor = FIX "/base/donor.csv", .scenario = NULL, .day = 100, .all = 0};

static void test_default_scenario(void **state)
{
    (void)state;
    char buf[256];
    struct err e;
    assert_int_equal(setenv("WLSIM_SCENARIO_DIR", FIX "/scenario_dir", 1), 0);
    assert_string_equal(rank_default_scenario(buf, sizeof buf), FIX "/scenario_dir/default.yaml");
    /* The same list as good/basic (the simple policy) through the default scenario. */
    FILE *f = tmpfile();
    assert_non_null(f);
    err_clear(&e);
    assert_int_equal(rank_run(&BASE, f, &e), 0);
    char *out = contents(f), *want = slurp(FIX "/good/basic/expected.csv");
    assert_non_null(want);
    assert_string_equal(out, want);
    free(out);
    free(want);
    fclose(f);

    assert_int_equal(setenv("WLSIM_SCENARIO_DIR", FIX "/no-such-dir", 1), 0);
    err_clear(&e);
    f = tmpfile();
    assert_int_equal(rank_run(&BASE, f, &e), ERR_INPUT);
    assert_string_equal(e.msg, "argument --scenario: expected a scenario file, or the default scenario at "
                               FIX "/no-such-dir/default.yaml, found neither (No such file or directory; "
                               "set WLSIM_SCENARIO_DIR or give --scenario)");
    assert_int_equal(ftell(f), 0);
    fclose(f);

    /* Empty or unset: scenarios/default.yaml of the repository. */
    assert_int_equal(setenv("WLSIM_SCENARIO_DIR", "", 1), 0);
    assert_string_equal(rank_default_scenario(buf, sizeof buf), "scenarios/default.yaml");
    assert_int_equal(unsetenv("WLSIM_SCENARIO_DIR"), 0);
    assert_string_equal(rank_default_scenario(buf, sizeof buf), "scenarios/default.yaml");
    f = tmpfile();
    err_clear(&e);
    struct rank_args a = BASE;
    a.all = 1;
    assert_int_equal(rank_run(&a, f, &e), 0);
    out = contents(f);
    assert_true(strncmp(out, "rank,id,program,group,abo_step,points,reason\n", 45) == 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 11); /* header + all ten candidates */
    free(out);
    fclose(f);
}

static void test_write_failure(void **state)
{
    (void)state;
    struct err e;
    struct rank_args a = BASE;
    a.scenario = FIX "/simple.yaml";
    FILE *f = fopen("/dev/null", "r"); /* every write fails */
    assert_non_null(f);
    err_clear(&e);
    assert_int_equal(rank_run(&a, f, &e), ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "writing the match list: "));
    fclose(f);
}

static void test_points_format(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(rank_points(150, b, sizeof b), "150");
    assert_string_equal(rank_points(0, b, sizeof b), "0");
    assert_string_equal(rank_points(-0.001, b, sizeof b), "0");
    assert_string_equal(rank_points(2.999, b, sizeof b), "3");
    assert_string_equal(rank_points(116.6666667, b, sizeof b), "116.67");
    assert_string_equal(rank_points(0.5, b, sizeof b), "0.5");
    assert_string_equal(rank_points(1.10, b, sizeof b), "1.1");
    assert_string_equal(rank_points(-3.25, b, sizeof b), "-3.25");
    assert_string_equal(rank_points(1e9 + 0.25, b, sizeof b), "1000000000.25");
    assert_string_equal(rank_points(NAN, b, sizeof b), "");
    assert_string_equal(rank_points(INFINITY, b, sizeof b), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_good),
        cmocka_unit_test(test_corpus_bad),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_default_scenario),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_points_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
